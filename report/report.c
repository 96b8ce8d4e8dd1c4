/*
 * report.c - diagnostics for people and for programs. Text follows gcc:
 * the location, severity and message, then the source line and a caret
 * with tildes under the token; tabs are copied so the caret lines up.
 * What comes from the file is escaped on the way out (escape.h).
 */
#include "report.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int ipts_format_parse(const char *s, unsigned int allowed,
		      enum ipts_format *out)
{
	static const char *const names[] = { "text", "json", "sarif" };
	unsigned int i;

	for (i = 0; i < 3; i++) {
		if ((allowed & (1u << i)) && strcmp(s, names[i]) == 0) {
			*out = (enum ipts_format)i;
			return 0;
		}
	}
	return -1;
}

int ipts_color_parse(const char *s, enum ipts_color *out)
{
	if (strcmp(s, "auto") == 0)
		*out = IPTS_COLOR_AUTO;
	else if (strcmp(s, "always") == 0)
		*out = IPTS_COLOR_ALWAYS;
	else if (strcmp(s, "never") == 0)
		*out = IPTS_COLOR_NEVER;
	else
		return -1;
	return 0;
}

bool ipts_color_use(enum ipts_color c, FILE *f)
{
	const char *nc = getenv("NO_COLOR");

	/* An option given on the command line wins over NO_COLOR
	 * (no-color.org); NO_COLOR wins over auto. */
	if (c == IPTS_COLOR_NEVER)
		return false;
	if (c == IPTS_COLOR_ALWAYS)
		return true;
	if (nc && *nc)
		return false;
	return isatty(fileno(f));
}

static const char *sev_color(enum ipts_severity sev)
{
	switch (sev) {
	case IPTS_ERROR:
		return "\033[1;31m";
	case IPTS_WARNING:
		return "\033[1;35m";
	case IPTS_NOTE:
		return "\033[1;36m";
	}
	return "";
}

/*
 * A source line longer than this is shown as a window around the token,
 * "..." marking what is left out: a diagnostic about a 5 MB line must not
 * print the 5 MB (nor its caret line) once per error.
 */
#define WIDE_LINE 1024
#define WINDOW_BEFORE 80
#define WINDOW_WIDTH 240

/* Back to the first byte of the UTF-8 sequence holding byte @i (at most 3
 * bytes back), so that a window never cuts a character in two. */
static size_t char_start(const char *line, size_t i)
{
	size_t k;

	for (k = 0; k < 3 && i > 0 && ((unsigned char)line[i] & 0xc0) == 0x80;
	     k++)
		i--;
	return i;
}

/*
 * The text writer's buffer: what ipts_report_text() writes goes here and
 * to @f a block at a time (lint of a large file writes hundreds of
 * thousands of lines in some twenty pieces each: a stdio call each cost
 * more than the escaping).
 */
struct tout {
	FILE *f;
	size_t n;
	unsigned long flushes; /* times b was written out */
	char b[16384];
};

static void tout_flush(struct tout *o)
{
	if (o->n)
		fwrite_unlocked(o->b, 1, o->n, o->f);
	o->n = 0;
	o->flushes++;
}

static void tout_put(struct tout *o, const char *s, size_t n)
{
	if (n > sizeof(o->b) - o->n) {
		tout_flush(o);
		if (n > sizeof(o->b)) {
			fwrite_unlocked(s, 1, n, o->f);
			return;
		}
	}
	memcpy(o->b + o->n, s, n);
	o->n += n;
}

static void tout_putc(struct tout *o, char c)
{
	if (o->n == sizeof(o->b))
		tout_flush(o);
	o->b[o->n++] = c;
}

static void tout_puts(struct tout *o, const char *s)
{
	tout_put(o, s, strlen(s));
}

/* a string literal, its length known */
#define tout_lit(o, lit) tout_put((o), (lit), sizeof(lit) - 1)

static void tout_cb(void *ctx, const char *s, size_t n)
{
	tout_put(ctx, s, n);
}

/* ipts_text_strn() into @o */
static size_t tout_text(struct tout *o, const char *s, size_t n)
{
	return ipts_text_strn_cb(tout_cb, o, s, n);
}

/* @n copies of @c (a blank or '~'), a block at a time: a caret under a
 * 300-byte rule is one write, not 300. */
static void put_run(struct tout *o, char c, size_t n)
{
	static const char blanks[64] = "                                "
				       "                                ";
	static const char tildes[64] = "~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~"
				       "~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~";
	const char *run = c == '~' ? tildes : blanks;

	while (n) {
		size_t k = n < sizeof(blanks) ? n : sizeof(blanks);

		tout_put(o, run, k);
		n -= k;
	}
}

/* @v in decimal, right-aligned in @width columns (0: as wide as it is),
 * as printf's "%*u" writes it, without printf. */
static void put_uint(struct tout *o, unsigned int v, unsigned int width)
{
	static const char blanks[16] = "                ";
	/* the digits end at buf + 20; the twenty bytes from the first are
	 * inside buf, to be copied whole */
	char buf[40] = { 0 };
	char *p = ipts_udigits(buf + 20, v);
	size_t n = (size_t)(buf + 20 - p);
	size_t fill = width > n ? width - n : 0;

	/* room in the buffer for sixteen blanks and twenty bytes after
	 * them (most often): both copied whole, their sizes constant (two
	 * moves, no call), the digits over the blanks from fill on; what
	 * lies past the number is written over by what comes next */
	if (fill <= sizeof(blanks) &&
	    2 * sizeof(blanks) + 20 <= sizeof(o->b) - o->n) {
		memcpy(o->b + o->n, blanks, sizeof(blanks));
		memcpy(o->b + o->n + fill, p, 20);
		o->n += fill + n;
		return;
	}
	while (n < width) {
		size_t k = width - n < sizeof(blanks) ? width - n :
							sizeof(blanks);

		tout_put(o, blanks, k);
		width -= (unsigned int)k;
	}
	tout_put(o, p, n);
}

static void pad(struct tout *o, const char *line, size_t from, size_t to)
{
	size_t i;

	while (from < to) {
		for (i = from; i < to && line[i] != '\t'; i++)
			;
		put_run(o, ' ', ipts_text_strn(NULL, line + from, i - from));
		if (i < to)
			tout_putc(o, '\t');
		from = i + 1;
	}
}

/*
 * The source line, escaped as all text output is (escape.h), then the
 * caret and tildes, placed by the columns of the escaped line: a "\x1b"
 * before the token takes four blanks, a "\u202e" inside it six tildes.
 */
static void caret(struct tout *o, const struct ipts_loc *loc, bool color)
{
	const char *line;
	size_t len, start, end, from = 0, to, cols, shown;

	if (!loc->src || !loc->line)
		return;
	line = ipts_source_line(loc->src, loc->off, &len);
	if (len && line[len - 1] == '\r')
		len--;		/* a CRLF file: its CR is no part of the line */
	start = loc->col ? loc->col - 1 : 0;
	to = len;
	if (len > WIDE_LINE) {
		from = start > WINDOW_BEFORE ? start - WINDOW_BEFORE : 0;
		if (from > len)
			from = len;
		from = char_start(line, from);
		to = from + WINDOW_WIDTH < len ? from + WINDOW_WIDTH : len;
		to = to < len ? char_start(line, to) : len;
	}
	put_uint(o, loc->line, 5);
	tout_puts(o, from ? " | ..." : " | ");
	shown = tout_text(o, line + from, to - from);
	tout_puts(o, to < len ? "...\n      | " : "\n      | ");
	if (from)
		tout_lit(o, "   ");
	if (start > to)
		start = to;
	if (start < from)
		start = from;
	pad(o, line, from, start);
	end = start + loc->len < to ? start + loc->len : to;
	/* a token that is the line shown (a rule's finding) takes the
	 * columns just written */
	cols = start == from && end == to ?
		       shown :
		       ipts_text_strn(NULL, line + start, end - start);
	if (color)
		tout_lit(o, "\033[1;32m");
	tout_putc(o, '^');
	if (cols > 1)
		put_run(o, '~', cols - 1);
	if (color)
		tout_lit(o, "\033[0m");
	tout_putc(o, '\n');
}

/*
 * Notes written before, kept to be copied again: lint names the same
 * earlier rule in a note under every rule it shadows, that note's
 * message one string for all of them (ipts_diag_add_pooled()), so a note
 * of the same message pointer, place and severity writes the same bytes
 * (flat 100,000 rules: 92,718 notes, half of them repeats of a note a
 * few findings back). Direct-mapped; a note longer than KEPT_MAX, or
 * written across a flush of the buffer, is not kept.
 */
#define KEPT_SLOTS 64
#define KEPT_MAX 2048

struct kept {
	const struct ipts_diag *g; /* the note these bytes are, or NULL */
	size_t n;
	char b[KEPT_MAX];
};

static bool same_note(const struct ipts_diag *a, const struct ipts_diag *b)
{
	return a->msg == b->msg && a->code == b->code && a->sev == b->sev &&
	       a->hide_source == b->hide_source && a->loc.src == b->loc.src &&
	       a->loc.off == b->loc.off && a->loc.line == b->loc.line &&
	       a->loc.col == b->loc.col && a->loc.len == b->loc.len;
}

static struct kept *kept_slot(struct kept *k, const struct ipts_diag *g)
{
	uint64_t h = ((uint64_t)(uintptr_t)g->msg ^ g->loc.off) *
		     0x9e3779b97f4a7c15ull;

	return &k[h >> 58];
}

_Static_assert(KEPT_SLOTS == 1 << (64 - 58), "kept_slot()'s shift");

/*
 * Every byte of a file name, message and source line is escaped
 * (escape.h): a diagnostic never carries a control character of the file
 * to the terminal, and a file name never starts a line with "::". Written
 * piece by piece without printf (lint of a large file prints hundreds of
 * thousands of these lines) into one buffer, under one lock of @f.
 */
void ipts_report_text(FILE *f, const struct ipts_diags *d, bool color)
{
	struct tout *o = ipts_xmalloc(sizeof(*o));
	struct kept *kept = NULL;
	/* the file name as last written: most diagnostics share it */
	const struct ipts_source *last = NULL;
	char name_esc[256];
	size_t name_n = 0;
	size_t i;

	o->f = f;
	o->n = 0;
	o->flushes = 0;
	flockfile(f);
	for (i = 0; i < d->n; i++) {
		const struct ipts_diag *g = &d->v[i];
		struct kept *k = NULL;
		size_t start = o->n;
		unsigned long flushed = o->flushes;

		if (g->sev == IPTS_NOTE) {
			if (!kept)
				kept = ipts_xcalloc(KEPT_SLOTS, sizeof(*kept));
			k = kept_slot(kept, g);
			if (k->g && same_note(k->g, g)) {
				tout_put(o, k->b, k->n);
				continue;
			}
		}
		if (g->loc.src) {
			const char *name = g->loc.src->name;

			if (color)
				tout_lit(o, "\033[1m");
			/* ipts_text_file(), its bytes kept for the next */
			if (g->loc.src == last) {
				tout_put(o, name_esc, name_n);
			} else {
				size_t at = o->n;
				unsigned long fl = o->flushes;

				if (name[0] == ':' || name[0] == ' ' ||
				    name[0] == '\t')
					tout_lit(o, "./");
				tout_text(o, name, strlen(name));
				/* still in the buffer, not too long: keep */
				last = NULL;
				if (o->flushes == fl &&
				    o->n - at <= sizeof(name_esc)) {
					name_n = o->n - at;
					memcpy(name_esc, o->b + at, name_n);
					last = g->loc.src;
				}
			}
			if (g->loc.line) {
				tout_putc(o, ':');
				put_uint(o, g->loc.line, 0);
				tout_putc(o, ':');
				put_uint(o, g->loc.col, 0);
			}
			tout_lit(o, ": ");
			if (color)
				tout_lit(o, "\033[0m");
		}
		if (color)
			tout_puts(o, sev_color(g->sev));
		tout_puts(o, ipts_severity_name(g->sev));
		tout_puts(o, color ? ":\033[0m " : ": ");
		tout_text(o, g->msg, strlen(g->msg));
		if (g->code) {
			tout_lit(o, " [");
			tout_puts(o, g->code);
			tout_putc(o, ']');
		}
		tout_putc(o, '\n');
		if (!g->hide_source)
			caret(o, &g->loc, color);
		if (k && o->flushes == flushed && o->n - start <= KEPT_MAX) {
			k->g = g;
			k->n = o->n - start;
			memcpy(k->b, o->b + start, k->n);
		}
	}
	tout_flush(o);
	funlockfile(f);
	free(kept);
	free(o);
}

static void json_item(struct ipts_json *w, const struct ipts_diag *g)
{
	ipts_json_object_begin(w, IPTS_JSON_LINE);
	ipts_json_kv_string(w, "file", g->loc.src ? g->loc.src->name : NULL);
	ipts_json_kv_uint(w, "line", g->loc.line);
	ipts_json_kv_uint(w, "column", g->loc.col);
	ipts_json_kv_uint(w, "length", g->loc.len);
	ipts_json_kv_string(w, "severity", ipts_severity_name(g->sev));
	ipts_json_kv_string(w, "message", g->msg);
	ipts_json_kv_string(w, "code", g->code);
	ipts_json_object_end(w);
}

void ipts_report_json_items(struct ipts_json *w, const struct ipts_diags *d)
{
	size_t i;

	for (i = 0; i < d->n; i++)
		json_item(w, &d->v[i]);
}

void ipts_report_json_failure(FILE *f, const char *error, const char *file,
			      const struct ipts_diags *d)
{
	struct ipts_json w;

	ipts_json_init(&w, f);
	ipts_json_object_begin(&w, IPTS_JSON_LINE);
	ipts_json_kv_string(&w, "error", error);
	ipts_json_kv_string(&w, "file", file);
	ipts_json_key(&w, "diagnostics");
	ipts_json_array_begin(&w, IPTS_JSON_LINE);
	if (d)
		ipts_report_json_items(&w, d);
	ipts_json_array_end(&w);
	ipts_json_object_end(&w);
	ipts_json_eol(&w);
}
