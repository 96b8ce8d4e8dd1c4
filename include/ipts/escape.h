#ifndef IPTS_ESCAPE_H
#define IPTS_ESCAPE_H

/*
 * Bytes from a file (rule text, comments, chain names, spec lines, file
 * names) on their way out: every writer of text, JSON, SARIF and XML goes
 * through these, so that a file cannot drive the terminal, hide a rule
 * behind a bidi control, or break a document. One UTF-8 decoder for all.
 *
 * Text escapes, as \xHH: C0 controls but TAB (LF and CR included), DEL,
 * and each byte that does not start a well-formed UTF-8 sequence; as
 * \uHHHH: C1 controls (U+0080-U+009F), the Bidi_Control code points
 * (U+061C, U+200E, U+200F, U+202A-U+202E, U+2066-U+2069), U+2028, U+2029,
 * U+FFFE and U+FFFF. Everything else, backslash included, is written as it
 * is.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/*
 * Length (1 to 4) of the well-formed UTF-8 sequence at @s (@n bytes
 * readable; an ASCII byte, control or not, is one), its code point in
 * *cp; 0 when @s does not start one: a stray continuation byte, a byte C0,
 * C1 or F5-FF, an overlong form, a surrogate (U+D800-U+DFFF), a code point
 * above U+10FFFF, a sequence cut short. @n must be at least 1.
 */
size_t ipts_utf8_next(const char *s, size_t n, uint32_t *cp);

/* Whether text output shows code point @cp escaped (see above). */
bool ipts_text_unsafe(uint32_t cp);

/*
 * Write @n bytes of @s as text, escaped as above; @f NULL writes nothing.
 * Returns the columns it takes: one a code point kept, the length of each
 * escape (a TAB counts one).
 */
size_t ipts_text_strn(FILE *f, const char *s, size_t n);
void ipts_text_str(FILE *f, const char *s);
/* ipts_text_strn(), the bytes it would write handed to @put(@ctx, ...)
 * instead, in order (a writer that buffers). */
size_t ipts_text_strn_cb(void (*put)(void *ctx, const char *s, size_t n),
			 void *ctx, const char *s, size_t n);

/*
 * A file name for text output: escaped, and "./" put before a name that
 * starts with ':' or a blank, so that no line can start with "::" (a
 * GitHub Actions workflow command, which the runner reads from any line of
 * stdout and stderr, leading blanks ignored).
 */
void ipts_text_file(FILE *f, const char *name);

/* printf, the result escaped whole as ipts_text_str() does. */
void ipts_text_printf(FILE *f, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/*
 * A JSON string literal of @n bytes of @s: '"' and '\\' escaped, \n \r \t
 * \b \f, other C0 controls, DEL and the code points text escapes as \uHHHH,
 * and U+FFFD (as \ufffd) for each byte that is not UTF-8: the output is
 * always valid JSON (RFC 8259), in printable ASCII and UTF-8.
 */
void ipts_json_strn(FILE *f, const char *s, size_t n);
/* The same for a C string; NULL writes null. */
void ipts_json_str(FILE *f, const char *s);

/*
 * XML 1.0 character data or attribute value of @n bytes of @s: & < > " '
 * as entities, TAB as &#9;, and what text escapes escaped as text does
 * (\x1b, \u202e), so only characters XML 1.0 allows are written and the
 * report shows what the terminal would.
 */
void ipts_xml_strn(FILE *f, const char *s, size_t n);
void ipts_xml_str(FILE *f, const char *s);

/*
 * The inside of a Graphviz DOT quoted string (its quotes not written) of
 * @n bytes of @s, for a label: what text escapes escaped as text does
 * (\x1b, \u202e, a newline as \x0a), then each backslash as &#92;&#92;,
 * '"' as &#34; and '&' as &amp;. Graphviz decodes the entities, then its
 * own escapes (\\ is one backslash), and shows what the terminal would:
 * the lexer meets no backslash or quote, no escape of Graphviz's (\n, \N)
 * is read from the file, and the text is valid UTF-8 without controls.
 */
void ipts_dot_strn(FILE *f, const char *s, size_t n);
void ipts_dot_str(FILE *f, const char *s);

#endif
