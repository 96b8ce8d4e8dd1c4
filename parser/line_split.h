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
	while (!ipts_word_end[(unsigned char)*p])
		p++;
	if (p < end && *p == '"') {
		s->quoted = true;
		for (p++; p < end && *p != '"'; p++)
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
