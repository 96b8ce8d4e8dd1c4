/*
 * report.c - diagnostics for people and for programs. Text follows gcc:
 * the location, severity and message, then the source line and a caret
 * with tildes under the token; tabs are copied so the caret lines up.
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

static void caret(FILE *f, const struct ipts_loc *loc, bool color)
{
	const char *line;
	size_t len, i, start, n, from = 0, to;

	if (!loc->src || !loc->line)
		return;
	line = ipts_source_line(loc->src, loc->off, &len);
	if (len && line[len - 1] == '\r')
		len--;		/* a CRLF file: keep the terminal sane */
	start = loc->col ? loc->col - 1 : 0;
	to = len;
	if (len > WIDE_LINE) {
		from = start > WINDOW_BEFORE ? start - WINDOW_BEFORE : 0;
		if (from > len)
			from = len;
		to = from + WINDOW_WIDTH < len ? from + WINDOW_WIDTH : len;
	}
	fprintf(f, "%5u | %s", loc->line, from ? "..." : "");
	for (i = from; i < to; i++)
		fputc(line[i] == '\0' ? ' ' : line[i], f);
	fputs(to < len ? "...\n      | " : "\n      | ", f);
	if (from)
		fputs("   ", f);
	for (i = from; i < start && i < to; i++)
		fputc(line[i] == '\t' ? '\t' : ' ', f);
	if (color)
		fputs("\033[1;32m", f);
	fputc('^', f);
	n = loc->len;
	if (start + n > to)
		n = to > start ? to - start : 1;
	for (i = 1; i < n; i++)
		fputc('~', f);
	if (color)
		fputs("\033[0m", f);
	fputc('\n', f);
}

void ipts_report_text(FILE *f, const struct ipts_diags *d, bool color)
{
	size_t i;

	for (i = 0; i < d->n; i++) {
		const struct ipts_diag *g = &d->v[i];

		if (g->loc.src) {
			if (color)
				fputs("\033[1m", f);
			fprintf(f, "%s:%u:%u: ", g->loc.src->name, g->loc.line,
				g->loc.col);
			if (color)
				fputs("\033[0m", f);
		}
		if (color)
			fprintf(f, "%s%s:\033[0m ", sev_color(g->sev),
				ipts_severity_name(g->sev));
		else
			fprintf(f, "%s: ", ipts_severity_name(g->sev));
		fputs(g->msg, f);
		if (g->code)
			fprintf(f, " [%s]", g->code);
		fputc('\n', f);
		if (!g->hide_source)
			caret(f, &g->loc, color);
	}
}

/* Length of the valid UTF-8 sequence at @s (at most @n bytes), or 0. */
static size_t utf8_len(const unsigned char *s, size_t n)
{
	size_t len, i;
	uint32_t cp;

	if (s[0] < 0x80)
		return 1;
	if ((s[0] & 0xe0) == 0xc0) {
		len = 2;
		cp = s[0] & 0x1f;
	} else if ((s[0] & 0xf0) == 0xe0) {
		len = 3;
		cp = s[0] & 0x0f;
	} else if ((s[0] & 0xf8) == 0xf0) {
		len = 4;
		cp = s[0] & 0x07;
	} else {
		return 0;
	}
	if (len > n)
		return 0;
	for (i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = (cp << 6) | (s[i] & 0x3f);
	}
	/* No overlong forms, surrogates or code points past U+10FFFF. */
	if ((len == 2 && cp < 0x80) || (len == 3 && cp < 0x800) ||
	    (len == 4 && (cp < 0x10000 || cp > 0x10ffff)) ||
	    (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return len;
}

/* A JSON string: escapes, and U+FFFD for bytes that are not UTF-8. */
void ipts_json_strn(FILE *f, const char *s, size_t n)
{
	size_t i;

	fputc('"', f);
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c >= 0x80) {
			size_t k = utf8_len((const unsigned char *)s + i, n - i);

			if (k == 0) {
				fputs("\\ufffd", f);
			} else {
				fwrite(s + i, 1, k, f);
				i += k - 1;
			}
			continue;
		}

		switch (c) {
		case '"':
			fputs("\\\"", f);
			break;
		case '\\':
			fputs("\\\\", f);
			break;
		case '\n':
			fputs("\\n", f);
			break;
		case '\t':
			fputs("\\t", f);
			break;
		case '\r':
			fputs("\\r", f);
			break;
		default:
			if (c < 0x20 || c == 0x7f)
				fprintf(f, "\\u%04x", c);
			else
				fputc(c, f);
		}
	}
	fputc('"', f);
}

void ipts_json_str(FILE *f, const char *s)
{
	if (!s)
		fputs("null", f);
	else
		ipts_json_strn(f, s, strlen(s));
}

void ipts_report_json_items(FILE *f, const struct ipts_diags *d)
{
	size_t i;

	for (i = 0; i < d->n; i++) {
		const struct ipts_diag *g = &d->v[i];

		fputs(i ? ",\n    {" : "\n    {", f);
		fputs("\"file\": ", f);
		ipts_json_str(f, g->loc.src ? g->loc.src->name : NULL);
		fprintf(f, ", \"line\": %u, \"column\": %u, \"length\": %u, ",
			g->loc.line, g->loc.col, g->loc.len);
		fputs("\"severity\": ", f);
		ipts_json_str(f, ipts_severity_name(g->sev));
		fputs(", \"message\": ", f);
		ipts_json_str(f, g->msg);
		fputs(", \"code\": ", f);
		ipts_json_str(f, g->code);
		fputc('}', f);
	}
}
