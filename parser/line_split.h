/*
 * line_split.h - the split of a rule line of iptables-save's shape into
 * its words, the same words the scanner's RULE state would make: a run of
 * bytes neither blank nor quote, and when a quote follows, up to the quote
 * that closes it ('\' escaping the next byte), where the word ends. The
 * line fast path (scanner.l's scan_line()) and the reader thread of a
 * two-thread load (pipe.c) both split through it, so the two loads see
 * the same words.
 */
#ifndef IPTS_PARSER_LINE_SPLIT_H
#define IPTS_PARSER_LINE_SPLIT_H

#include <stdbool.h>
#include <stdint.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

struct ipts_line_split {
	const char *p; /* the next byte to read */
	const char *end; /* the line's newline */
	bool quoted; /* a word had a quote */
	bool adjoined; /* a word went on right after its closing quote */
};

/* The bytes that end a word: blanks, a quote, the newline (the line's
 * last byte, so no bound is checked per byte). */
static const bool ipts_word_end[256] = {
	['\t'] = true,
	['\n'] = true,
	[' '] = true,
	['"'] = true,
};

/*
 * The first byte from @p that ends a word (ipts_word_end[]), the line's
 * newline at @end at the latest: 16 bytes at a time where SSE2 is there
 * and 16 bytes of the line are left, never a byte past @end.
 */
static inline const char *ipts_word_scan(const char *p, const char *end)
{
#ifdef __SSE2__
	while (end - p >= 15) {
		__m128i v = _mm_loadu_si128((const __m128i *)(const void *)p);
		__m128i m = _mm_or_si128(
			_mm_or_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8(' ')),
				     _mm_cmpeq_epi8(v, _mm_set1_epi8('\t'))),
			_mm_or_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8('\n')),
				     _mm_cmpeq_epi8(v, _mm_set1_epi8('"'))));
		unsigned int bits = (unsigned int)_mm_movemask_epi8(m);

		if (bits)
			return p + __builtin_ctz(bits);
		p += 16;
	}
#endif
	while (!ipts_word_end[(unsigned char)*p])
		p++;
	return p;
}

/* The first '"' or '\\' from @p, @end (the newline) if none comes first:
 * as ipts_word_scan(), but the newline is none of the two, so a chunk is
 * read only while 16 bytes come before it. */
static inline const char *ipts_quote_scan(const char *p, const char *end)
{
#ifdef __SSE2__
	/* 16 bytes before the newline: no chunk can step past it */
	while (end - p >= 16) {
		__m128i v = _mm_loadu_si128((const __m128i *)(const void *)p);
		unsigned int bits = (unsigned int)_mm_movemask_epi8(
			_mm_or_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8('"')),
				     _mm_cmpeq_epi8(v, _mm_set1_epi8('\\'))));

		if (bits)
			return p + __builtin_ctz(bits);
		p += 16;
	}
#endif
	while (p < end && *p != '"' && *p != '\\')
		p++;
	return p;
}

/*
 * The next word of the line @s reads: 1 with its first byte in *@w and
 * its length in *@len, 0 at the end of the line, -1 for an open quote.
 */
static inline int ipts_line_word(struct ipts_line_split *s, const char **w,
				 uint32_t *len)
{
	const char *p = s->p, *end = s->end;

	while (*p == ' ' || *p == '\t')
		p++;
	if (p == end) {
		s->p = p;
		return 0;
	}
	*w = p;
	p = ipts_word_scan(p, end);
	if (p < end && *p == '"') {
		s->quoted = true;
		for (p = ipts_quote_scan(p + 1, end); p < end && *p != '"';
		     p = ipts_quote_scan(p + 1, end))
			if (*p == '\\' && p + 1 < end)
				p++;
		if (p == end)
			return -1;
		p++;
		/* a word right after the quote: the sniff's split keeps the
		 * two one word */
		if (p < end && *p != ' ' && *p != '\t')
			s->adjoined = true;
	}
	*len = (uint32_t)(p - *w);
	s->p = p;
	return 1;
}

#endif
