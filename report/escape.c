/*
 * escape.c - untrusted bytes made safe for text, JSON and XML output (see
 * escape.h for the rules). The decoder follows the Unicode Standard's
 * table of well-formed UTF-8 byte sequences (chapter 3, table 3-7), so an
 * overlong form or a surrogate is never taken for a character; a byte
 * that starts no well-formed sequence is handled alone and the next byte
 * is tried afresh.
 */
#include "escape.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "diag.h"

#ifdef __SSE2__
#include <emmintrin.h>
#endif

size_t ipts_utf8_next(const char *s, size_t n, uint32_t *cp)
{
	const unsigned char *p = (const unsigned char *)s;
	unsigned char lo = 0x80, hi = 0xbf;
	size_t len, i;
	uint32_t c;

	if (p[0] < 0x80) {
		*cp = p[0];
		return 1;
	}
	if (p[0] >= 0xc2 && p[0] <= 0xdf) {
		len = 2;
		c = p[0] & 0x1f;
	} else if (p[0] >= 0xe0 && p[0] <= 0xef) {
		len = 3;
		c = p[0] & 0x0f;
		if (p[0] == 0xe0)
			lo = 0xa0;	/* below: overlong */
		else if (p[0] == 0xed)
			hi = 0x9f;	/* above: surrogates */
	} else if (p[0] >= 0xf0 && p[0] <= 0xf4) {
		len = 4;
		c = p[0] & 0x07;
		if (p[0] == 0xf0)
			lo = 0x90;	/* below: overlong */
		else if (p[0] == 0xf4)
			hi = 0x8f;	/* above: past U+10FFFF */
	} else {
		return 0;
	}
	if (len > n)
		return 0;
	for (i = 1; i < len; i++) {
		if (p[i] < lo || p[i] > hi)
			return 0;
		lo = 0x80;
		hi = 0xbf;
		c = (c << 6) | (p[i] & 0x3f);
	}
	*cp = c;
	return len;
}

bool ipts_text_unsafe(uint32_t cp)
{
	if (cp < 0x20)
		return cp != '\t';
	if (cp >= 0x7f && cp <= 0x9f)
		return true;		/* DEL, C1 */
	switch (cp) {
	case 0x061c:			/* ARABIC LETTER MARK */
	case 0x200e:			/* LRM */
	case 0x200f:			/* RLM */
	case 0x2028:			/* LINE SEPARATOR */
	case 0x2029:			/* PARAGRAPH SEPARATOR */
	case 0xfffe:
	case 0xffff:
		return true;
	}
	return (cp >= 0x202a && cp <= 0x202e) ||	/* LRE RLE PDF LRO RLO */
	       (cp >= 0x2066 && cp <= 0x2069);		/* LRI RLI FSI PDI */
}

/*
 * Where escape_each() sends its output: runs of bytes kept as they are,
 * and escapes (@escape true); @cols counts the columns of both.
 */
struct sink {
	void (*put)(struct sink *k, const char *s, size_t n, bool escape);
	FILE *f;
	size_t cols;
};

/*
 * How many of the @n bytes of @s, from the first, are printable ASCII
 * (0x20 to 0x7e): most of every file, kept as they are, a column each.
 * Sixteen at once where the machine has SSE2 (every x86-64): a byte as
 * signed is over 0x1f and under 0x7f exactly when it is printable ASCII
 * (0x80 and up are negative); the last sixteen of a string of at least
 * sixteen are read once more, overlapping, rather than byte by byte.
 * Elsewhere eight at once: some byte is under 0x20 exactly when
 * (w - 0x20..) & ~w has a top bit set, over 0x7e when (w + 0x01..) | w
 * has (a borrow or carry across bytes comes only from a byte that
 * already answers yes).
 */
static size_t plain_prefix(const char *s, size_t n)
{
	size_t i = 0;

#ifdef __SSE2__
	const __m128i lo = _mm_set1_epi8(0x1f), hi = _mm_set1_epi8(0x7f);

	while (n >= 16) {
		size_t at = i + 16 <= n ? i : n - 16;
		__m128i v;
		unsigned int bad;

		v = _mm_loadu_si128((const __m128i *)(s + at));
		v = _mm_and_si128(_mm_cmpgt_epi8(v, lo), _mm_cmplt_epi8(v, hi));
		bad = ~(unsigned int)_mm_movemask_epi8(v) & 0xffffu;
		/* the bytes before i were answered by the last load */
		bad &= 0xffffu << (i - at);
		if (bad)
			return at + (size_t)__builtin_ctz(bad);
		if (at + 16 >= n)
			return n;
		i = at + 16;
	}
#endif
	while (i + 8 <= n) {
		uint64_t w;

		memcpy(&w, s + i, 8);
		if ((((w - 0x2020202020202020ull) & ~w) |
		     (w + 0x0101010101010101ull) | w) &
		    0x8080808080808080ull)
			break;
		i += 8;
	}
	while (i < n && (unsigned char)s[i] >= 0x20 &&
	       (unsigned char)s[i] < 0x7f)
		i++;
	return i;
}

static void escape_each(struct sink *k, const char *s, size_t n)
{
	size_t i = 0, run = 0, len, z;
	char esc[16];
	uint32_t cp;

	while (i < n) {
		unsigned char c;

		z = plain_prefix(s + i, n - i);
		i += z;
		run += z;
		k->cols += z;
		if (i >= n)
			break;
		c = (unsigned char)s[i];
		/* a tab (printable ASCII went above): one column, kept as
		 * it is (what the decoder would say) */
		if (c == '\t') {
			i++;
			run++;
			k->cols++;
			continue;
		}
		len = ipts_utf8_next(s + i, n - i, &cp);
		if (len && !ipts_text_unsafe(cp)) {
			i += len;
			run += len;
			k->cols++;
			continue;
		}
		if (run)
			k->put(k, s + i - run, run, false);
		run = 0;
		if (!len || cp < 0x80) {
			snprintf(esc, sizeof(esc), "\\x%02x",
				 (unsigned char)s[i]);
			i++;
		} else {
			snprintf(esc, sizeof(esc), "\\u%04x", (unsigned)cp);
			i += len;
		}
		k->put(k, esc, strlen(esc), true);
		k->cols += strlen(esc);
	}
	if (run)
		k->put(k, s + i - run, run, false);
}

static void put_text(struct sink *k, const char *s, size_t n, bool escape)
{
	(void)escape;
	if (k->f)
		fwrite(s, 1, n, k->f);
}

size_t ipts_text_strn(FILE *f, const char *s, size_t n)
{
	struct sink k = { .put = put_text, .f = f };

	escape_each(&k, s, n);
	return k.cols;
}

struct sink_cb {
	struct sink k; /* first: put_cb() is handed it */
	void (*put)(void *ctx, const char *s, size_t n);
	void *ctx;
};

static void put_cb(struct sink *k, const char *s, size_t n, bool escape)
{
	struct sink_cb *c = (struct sink_cb *)k;

	(void)escape;
	c->put(c->ctx, s, n);
}

size_t ipts_text_strn_cb(void (*put)(void *ctx, const char *s, size_t n),
			 void *ctx, const char *s, size_t n)
{
	struct sink_cb c = { .k = { .put = put_cb }, .put = put, .ctx = ctx };

	escape_each(&c.k, s, n);
	return c.k.cols;
}

void ipts_text_str(FILE *f, const char *s)
{
	ipts_text_strn(f, s, strlen(s));
}

void ipts_text_file(FILE *f, const char *name)
{
	if (name[0] == ':' || name[0] == ' ' || name[0] == '\t')
		fputs("./", f);
	ipts_text_str(f, name);
}

void ipts_text_printf(FILE *f, const char *fmt, ...)
{
	va_list ap;
	char *s;
	int n;

	va_start(ap, fmt);
	n = vasprintf(&s, fmt, ap);
	va_end(ap);
	if (n < 0)
		ipts_oom();
	ipts_text_strn(f, s, (size_t)n);
	free(s);
}

/* The JSON escape of code point @cp, or NULL when it is written as is. */
static const char *json_escape_of(uint32_t cp)
{
	switch (cp) {
	case '"':
		return "\\\"";
	case '\\':
		return "\\\\";
	case '\n':
		return "\\n";
	case '\t':
		return "\\t";
	case '\r':
		return "\\r";
	case '\b':
		return "\\b";
	case '\f':
		return "\\f";
	}
	return NULL;
}

/*
 * Bytes that need nothing are written in runs, one fwrite() a run: the
 * printable ASCII of a JSON document is most of it (a query's answers
 * are tens of thousands of lines).
 */
void ipts_json_strn(FILE *f, const char *s, size_t n)
{
	size_t i = 0, run = 0, len;
	const char *esc;
	uint32_t cp;

	fputc('"', f);
	while (i < n) {
		unsigned char c = (unsigned char)s[i];

		if (c >= 0x20 && c < 0x7f && c != '"' && c != '\\') {
			i++;
			continue;
		}
		len = ipts_utf8_next(s + i, n - i, &cp);
		esc = len ? json_escape_of(cp) : NULL;
		if (len && !esc && !ipts_text_unsafe(cp)) {
			i += len; /* a character written as is */
			continue;
		}
		if (i > run)
			fwrite(s + run, 1, i - run, f);
		if (!len) {
			fputs("\\ufffd", f);
			len = 1;
		} else if (esc) {
			fputs(esc, f);
		} else {
			fprintf(f, "\\u%04x", (unsigned)cp);
		}
		i += len;
		run = i;
	}
	if (i > run)
		fwrite(s + run, 1, i - run, f);
	fputc('"', f);
}

void ipts_json_str(FILE *f, const char *s)
{
	if (!s)
		fputs("null", f);
	else
		ipts_json_strn(f, s, strlen(s));
}

/* The kept runs get the markup escaped; escapes are plain ASCII. */
static void put_xml(struct sink *k, const char *s, size_t n, bool escape)
{
	size_t i;

	if (escape) {
		fwrite(s, 1, n, k->f);
		return;
	}
	for (i = 0; i < n; i++) {
		switch (s[i]) {
		case '&':
			fputs("&amp;", k->f);
			break;
		case '<':
			fputs("&lt;", k->f);
			break;
		case '>':
			fputs("&gt;", k->f);
			break;
		case '"':
			fputs("&quot;", k->f);
			break;
		case '\'':
			fputs("&apos;", k->f);
			break;
		case '\t':
			fputs("&#9;", k->f);
			break;
		default:
			fputc(s[i], k->f);
		}
	}
}

void ipts_xml_strn(FILE *f, const char *s, size_t n)
{
	struct sink k = { .put = put_xml, .f = f };

	escape_each(&k, s, n);
}

void ipts_xml_str(FILE *f, const char *s)
{
	ipts_xml_strn(f, s, strlen(s));
}

/*
 * Graphviz decodes entities in a label before its backslash escapes, and
 * its lexer takes a backslash before the closing quote for an escaped
 * quote: a backslash is written &#92;&#92; (\\ once decoded), '"' as &#34;,
 * '&' as &amp;, so that no backslash nor quote reaches the lexer.
 */
static void put_dot(struct sink *k, const char *s, size_t n, bool escape)
{
	size_t i;

	(void)escape;
	for (i = 0; i < n; i++) {
		if (s[i] == '\\')
			fputs("&#92;&#92;", k->f);
		else if (s[i] == '"')
			fputs("&#34;", k->f);
		else if (s[i] == '&')
			fputs("&amp;", k->f);
		else
			fputc(s[i], k->f);
	}
}

void ipts_dot_strn(FILE *f, const char *s, size_t n)
{
	struct sink k = { .put = put_dot, .f = f };

	escape_each(&k, s, n);
}

void ipts_dot_str(FILE *f, const char *s)
{
	ipts_dot_strn(f, s, strlen(s));
}
