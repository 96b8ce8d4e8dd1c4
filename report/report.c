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

/* @n copies of @c (a blank or '~'), a block at a time: a caret under a
 * 300-byte rule is one write, not 300. */
static void put_run(FILE *f, char c, size_t n)
{
	static const char blanks[64] = "                                "
				       "                                ";
	static const char tildes[64] = "~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~"
				       "~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~";
	const char *run = c == '~' ? tildes : blanks;

	while (n) {
		size_t k = n < sizeof(blanks) ? n : sizeof(blanks);

		fwrite(run, 1, k, f);
		n -= k;
	}
}

/* @v in decimal, right-aligned in @width columns (0: as wide as it is),
 * as printf's "%*u" writes it, without printf. */
static void put_uint(FILE *f, unsigned int v, unsigned int width)
{
	static const char blanks[16] = "                ";
	char buf[10];
	size_t i = sizeof(buf), n;

	do {
		buf[--i] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	n = sizeof(buf) - i;
	while (n < width) {
		size_t k = width - n < sizeof(blanks) ? width - n :
							sizeof(blanks);

		fwrite(blanks, 1, k, f);
		width -= (unsigned int)k;
	}
	fwrite(buf + i, 1, n, f);
}

/* Blanks as wide as bytes [from, to) of @line written escaped, its tabs
 * copied, so that what follows stands under the next character. */
static void pad(FILE *f, const char *line, size_t from, size_t to)
{
	size_t i;

	while (from < to) {
		for (i = from; i < to && line[i] != '\t'; i++)
			;
		put_run(f, ' ', ipts_text_strn(NULL, line + from, i - from));
		if (i < to)
			fputc('\t', f);
		from = i + 1;
	}
}

/*
 * The source line, escaped as all text output is (escape.h), then the
 * caret and tildes, placed by the columns of the escaped line: a "\x1b"
 * before the token takes four blanks, a "\u202e" inside it six tildes.
 */
static void caret(FILE *f, const struct ipts_loc *loc, bool color)
{
	const char *line;
	size_t len, start, end, from = 0, to, cols;

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
	put_uint(f, loc->line, 5);
	fputs(from ? " | ..." : " | ", f);
	ipts_text_strn(f, line + from, to - from);
	fputs(to < len ? "...\n      | " : "\n      | ", f);
	if (from)
		fputs("   ", f);
	if (start > to)
		start = to;
	if (start < from)
		start = from;
	pad(f, line, from, start);
	end = start + loc->len < to ? start + loc->len : to;
	cols = ipts_text_strn(NULL, line + start, end - start);
	if (color)
		fputs("\033[1;32m", f);
	fputc('^', f);
	if (cols > 1)
		put_run(f, '~', cols - 1);
	if (color)
		fputs("\033[0m", f);
	fputc('\n', f);
}

/*
 * Every byte of a file name, message and source line is escaped
 * (escape.h): a diagnostic never carries a control character of the file
 * to the terminal, and a file name never starts a line with "::". Written
 * piece by piece without printf (lint of a large file prints hundreds of
 * thousands of these lines), under one lock of @f.
 */
void ipts_report_text(FILE *f, const struct ipts_diags *d, bool color)
{
	size_t i;

	flockfile(f);
	for (i = 0; i < d->n; i++) {
		const struct ipts_diag *g = &d->v[i];

		if (g->loc.src) {
			if (color)
				fputs("\033[1m", f);
			ipts_text_file(f, g->loc.src->name);
			if (g->loc.line) {
				fputc(':', f);
				put_uint(f, g->loc.line, 0);
				fputc(':', f);
				put_uint(f, g->loc.col, 0);
			}
			fputs(": ", f);
			if (color)
				fputs("\033[0m", f);
		}
		if (color)
			fputs(sev_color(g->sev), f);
		fputs(ipts_severity_name(g->sev), f);
		fputs(color ? ":\033[0m " : ": ", f);
		ipts_text_str(f, g->msg);
		if (g->code) {
			fputs(" [", f);
			fputs(g->code, f);
			fputc(']', f);
		}
		fputc('\n', f);
		if (!g->hide_source)
			caret(f, &g->loc, color);
	}
	funlockfile(f);
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
