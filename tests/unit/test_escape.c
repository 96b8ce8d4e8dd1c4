/*
 * test_escape.c - the UTF-8 decoder and the escapers every writer uses
 * (escape.h): ill-formed sequences (surrogates, overlong forms, past
 * U+10FFFF, cut short) are never characters; text shows controls, bidi
 * controls and bad bytes as \xHH or \uHHHH; JSON and XML are valid
 * whatever the bytes; the caret of a diagnostic stands under the escaped
 * token.
 */
#include "fixture.h"

#include <stdlib.h>
#include <string.h>

#include "escape.h"
#include "report.h"

/* What @fn writes for the @n bytes of @s, malloc'd. */
static char *render(void (*fn)(FILE *, const char *, size_t), const char *s,
		    size_t n)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	assert_non_null(f);
	fn(f, s, n);
	fclose(f);
	return buf;
}

static void text_strn(FILE *f, const char *s, size_t n)
{
	ipts_text_strn(f, s, n);
}

static void text_file(FILE *f, const char *s, size_t n)
{
	(void)n;
	ipts_text_file(f, s);
}

#define assert_renders(fn, in, want)					\
	do {								\
		char *got_ = render(fn, in, sizeof(in) - 1);		\
		assert_string_equal(got_, want);			\
		free(got_);						\
	} while (0)

/* Length ipts_utf8_next() gives the bytes of @in, its code point in *cp. */
#define next_len(in, cp) ipts_utf8_next(in, sizeof(in) - 1, cp)

static void test_escape_utf8_well_formed(void **state)
{
	uint32_t cp;

	(void)state;
	assert_int_equal(next_len("a", &cp), 1);
	assert_int_equal(cp, 'a');
	assert_int_equal(next_len("\x1b", &cp), 1);
	assert_int_equal(cp, 0x1b);
	assert_int_equal(next_len("\xc3\xa9", &cp), 2);
	assert_int_equal(cp, 0xe9);
	assert_int_equal(next_len("\xc2\x9b", &cp), 2);	/* C1 CSI */
	assert_int_equal(cp, 0x9b);
	assert_int_equal(next_len("\xe2\x80\xae", &cp), 3);
	assert_int_equal(cp, 0x202e);
	assert_int_equal(next_len("\xed\x9f\xbf", &cp), 3);	/* U+D7FF */
	assert_int_equal(cp, 0xd7ff);
	assert_int_equal(next_len("\xee\x80\x80", &cp), 3);	/* U+E000 */
	assert_int_equal(cp, 0xe000);
	assert_int_equal(next_len("\xef\xbf\xbe", &cp), 3);	/* U+FFFE */
	assert_int_equal(cp, 0xfffe);
	assert_int_equal(next_len("\xef\xbf\xbf", &cp), 3);	/* U+FFFF */
	assert_int_equal(cp, 0xffff);
	assert_int_equal(next_len("\xf0\x90\x80\x80", &cp), 4);
	assert_int_equal(cp, 0x10000);
	assert_int_equal(next_len("\xf4\x8f\xbf\xbf", &cp), 4);
	assert_int_equal(cp, 0x10ffff);
}

static void test_escape_utf8_ill_formed_is_refused(void **state)
{
	uint32_t cp;

	(void)state;
	assert_int_equal(next_len("\xed\xa0\x80", &cp), 0);	/* U+D800 */
	assert_int_equal(next_len("\xed\xbf\xbf", &cp), 0);	/* U+DFFF */
	assert_int_equal(next_len("\xc0\xaf", &cp), 0);	/* overlong '/' */
	assert_int_equal(next_len("\xc1\xbf", &cp), 0);
	assert_int_equal(next_len("\xe0\x80\xaf", &cp), 0);
	assert_int_equal(next_len("\xe0\x9f\xbf", &cp), 0);
	assert_int_equal(next_len("\xf0\x8f\xbf\xbf", &cp), 0);
	assert_int_equal(next_len("\xf4\x90\x80\x80", &cp), 0);	/* >10FFFF */
	assert_int_equal(next_len("\xf5\x80\x80\x80", &cp), 0);
	assert_int_equal(next_len("\xff", &cp), 0);
	assert_int_equal(next_len("\x80", &cp), 0);	/* stray */
	assert_int_equal(next_len("\xbf", &cp), 0);
	/* cut short, by the end or by a byte that continues nothing */
	assert_int_equal(next_len("\xe2\x80", &cp), 0);
	assert_int_equal(next_len("\xf0\x9f\x98", &cp), 0);
	assert_int_equal(next_len("\xc3", &cp), 0);
	assert_int_equal(next_len("\xe2\x80x", &cp), 0);
	assert_int_equal(next_len("\xc3\xc3\xa9", &cp), 0);
}

static void test_escape_text_controls(void **state)
{
	(void)state;
	assert_renders(text_strn, "a\x1b]52;c;aGk=\x07z",
		       "a\\x1b]52;c;aGk=\\x07z");
	assert_renders(text_strn, "bad\rgood", "bad\\x0dgood");
	assert_renders(text_strn, "x\by\x7f\n", "x\\x08y\\x7f\\x0a");
	assert_renders(text_strn, "\x00" "z", "\\x00z");
	/* a TAB is kept: the caret line copies it */
	assert_renders(text_strn, "a\tb", "a\tb");
	/* C1 controls are code points: \u, where a lone byte is \x */
	assert_renders(text_strn, "\xc2\x9b" "2J\x9b", "\\u009b2J\\x9b");
	assert_renders(text_strn, "\\x1b", "\\x1b");
}

static void test_escape_text_bidi_and_separators(void **state)
{
	(void)state;
	assert_renders(text_strn, "ok \xe2\x80\xae" "PORD",
		       "ok \\u202ePORD");
	assert_renders(text_strn, "\xe2\x80\xaa\xe2\x80\xac\xe2\x81\xa6"
		       "\xe2\x81\xa9\xe2\x80\x8e\xe2\x80\x8f\xd8\x9c",
		       "\\u202a\\u202c\\u2066\\u2069\\u200e\\u200f\\u061c");
	assert_renders(text_strn, "a\xe2\x80\xa8" "b\xe2\x80\xa9",
		       "a\\u2028b\\u2029");
	assert_renders(text_strn, "\xef\xbf\xbe\xef\xbf\xbf",
		       "\\ufffe\\uffff");
	/* ordinary characters stay as they are */
	assert_renders(text_strn, "caf\xc3\xa9 \xe2\x80\x94 \xf0\x9f\x94\xa5",
		       "caf\xc3\xa9 \xe2\x80\x94 \xf0\x9f\x94\xa5");
}

static void test_escape_text_ill_formed_bytes(void **state)
{
	(void)state;
	assert_renders(text_strn, "\xed\xa0\x80", "\\xed\\xa0\\x80");
	assert_renders(text_strn, "\xc0\xaf", "\\xc0\\xaf");
	assert_renders(text_strn, "\xe0\x80\xaf", "\\xe0\\x80\\xaf");
	assert_renders(text_strn, "\xf4\x90\x80\x80",
		       "\\xf4\\x90\\x80\\x80");
	/* a sequence cut short: each byte alone, the next one tried again */
	assert_renders(text_strn, "\xe2\x80" "a", "\\xe2\\x80a");
	assert_renders(text_strn, "\xc3\xc3\xa9", "\\xc3\xc3\xa9");
	assert_renders(text_strn, "\xff\xfe", "\\xff\\xfe");
}

static void test_escape_text_counts_columns(void **state)
{
	(void)state;
	assert_int_equal(ipts_text_strn(NULL, "abc", 3), 3);
	assert_int_equal(ipts_text_strn(NULL, "\x1b", 1), 4);
	assert_int_equal(ipts_text_strn(NULL, "\xe2\x80\xae", 3), 6);
	assert_int_equal(ipts_text_strn(NULL, "\xc3\xa9", 2), 1);
	assert_int_equal(ipts_text_strn(NULL, "\xff", 1), 4);
	assert_int_equal(ipts_text_strn(NULL, "", 0), 0);
}

/*
 * A byte to escape at every place of strings of 0 to 47 bytes, printable
 * ASCII around it: the plain bytes are read sixteen (eight) at a time,
 * the last sixteen once more, overlapping; wherever the byte falls it is
 * escaped, and only it, and the columns are counted once each.
 */
static void test_escape_text_at_every_offset(void **state)
{
	static const char *const bad[] = { "\x1b", "\t", "\xc3\xa9", "\xff" };
	static const char *const shown[] = { "\\x1b", "\t", "\xc3\xa9",
					     "\\xff" };
	static const size_t cols[] = { 4, 1, 1, 4 };
	char in[64], want[80];
	size_t n, at, b, k, len;

	(void)state;
	for (b = 0; b < 4; b++) {
		for (n = 0; n < 48; n++) {
			for (at = 0; at <= n; at++) {
				size_t bl = strlen(bad[b]);
				char *got;

				/* at == n: no byte to escape */
				for (k = 0; k < n; k++)
					in[k] = (char)('a' + k % 26);
				memcpy(want, in, at);
				want[at] = '\0';
				if (at < n) {
					memcpy(in + at, bad[b], bl);
					for (k = at + bl; k < n + bl; k++)
						in[k] = (char)('a' + k % 26);
					strcat(want, shown[b]);
					strncat(want, in + at + bl, n - at);
				}
				len = at < n ? n + bl : n;
				got = render(text_strn, in, len);
				assert_string_equal(got, want);
				free(got);
				assert_int_equal(ipts_text_strn(NULL, in, len),
						 at < n ? n + cols[b] : n);
			}
		}
	}
}

static void test_escape_file_name_never_starts_a_command(void **state)
{
	(void)state;
	assert_renders(text_file, "::error title=x::y.rules",
		       "./::error title=x::y.rules");
	assert_renders(text_file, " ::warning::x", "./ ::warning::x");
	assert_renders(text_file, "\t::x", "./\t::x");
	assert_renders(text_file, "a\n::error::b", "a\\x0a::error::b");
	assert_renders(text_file, "rules/a.v4", "rules/a.v4");
	assert_renders(text_file, "-", "-");
}

static void test_escape_json_is_valid(void **state)
{
	(void)state;
	assert_renders(ipts_json_strn, "a\"b\\c", "\"a\\\"b\\\\c\"");
	assert_renders(ipts_json_strn, "\n\r\t\b\f\x1b\x7f",
		       "\"\\n\\r\\t\\b\\f\\u001b\\u007f\"");
	assert_renders(ipts_json_strn, "\xe2\x80\xae\xe2\x81\xa6\xc2\x85",
		       "\"\\u202e\\u2066\\u0085\"");
	assert_renders(ipts_json_strn, "\xe2\x80\xa8", "\"\\u2028\"");
	assert_renders(ipts_json_strn, "\xed\xa0\x80",
		       "\"\\ufffd\\ufffd\\ufffd\"");
	assert_renders(ipts_json_strn, "\xc0\xaf\xf4\x90\x80\x80",
		       "\"\\ufffd\\ufffd\\ufffd\\ufffd\\ufffd\\ufffd\"");
	assert_renders(ipts_json_strn, "caf\xc3\xa9 \xf0\x9f\x94\xa5",
		       "\"caf\xc3\xa9 \xf0\x9f\x94\xa5\"");
}

static void test_escape_xml_only_legal_characters(void **state)
{
	(void)state;
	assert_renders(ipts_xml_strn, "<a href=\"x\">&'</a>",
		       "&lt;a href=&quot;x&quot;&gt;&amp;&apos;&lt;/a&gt;");
	assert_renders(ipts_xml_strn, "a\tb\x1b\x01\r\n",
		       "a&#9;b\\x1b\\x01\\x0d\\x0a");
	assert_renders(ipts_xml_strn, "\xef\xbf\xbe\xef\xbf\xbf\xc2\x80",
		       "\\ufffe\\uffff\\u0080");
	assert_renders(ipts_xml_strn, "\xed\xa0\x80\xf4\x90\x80\x80",
		       "\\xed\\xa0\\x80\\xf4\\x90\\x80\\x80");
	assert_renders(ipts_xml_strn, "\xe2\x80\xae<", "\\u202e&lt;");
	assert_renders(ipts_xml_strn, "caf\xc3\xa9", "caf\xc3\xa9");
}

/* A DOT label shows what text shows: no escape of Graphviz's own. */
static void test_escape_dot_label_shows_text(void **state)
{
	(void)state;
	assert_renders(ipts_dot_strn, "a\"b\\N&amp;\\",
		       "a&#34;b&#92;&#92;N&amp;amp;&#92;&#92;");
	assert_renders(ipts_dot_strn, "x\ny\x1b]52;\x07",
		       "x&#92;&#92;x0ay&#92;&#92;x1b]52;&#92;&#92;x07");
	assert_renders(ipts_dot_strn, "\xe2\x80\xae\xff\tok",
		       "&#92;&#92;u202e&#92;&#92;xff\tok");
	assert_renders(ipts_dot_strn, "caf\xc3\xa9", "caf\xc3\xa9");
}

/* ipts_report_text() of one error at @col (@len bytes) of line 1. */
static char *report_one(const char *name, const char *text, uint32_t col,
			uint32_t len)
{
	struct ipts_source *src = ipts_source_from_mem(name, text,
						       strlen(text));
	struct ipts_loc loc = { .src = src, .off = col - 1, .line = 1,
				.col = col, .len = len };
	struct ipts_diags d = { 0 };
	char *buf = NULL;
	size_t n = 0;
	FILE *f = open_memstream(&buf, &n);

	assert_non_null(f);
	ipts_diag_add(&d, IPTS_ERROR, &loc, "unknown option \"%.*s\"",
		      (int)len, text + col - 1);
	ipts_report_text(f, &d, false);
	fclose(f);
	ipts_diags_free(&d);
	ipts_source_free(src);
	return buf;
}

static void test_escape_caret_under_escaped_line(void **state)
{
	char *got;

	(void)state;
	/* an ESC before the token: four columns, four blanks */
	got = report_one("r", "-A X \x1b[2J --dprt 22\n", 11, 6);
	assert_string_equal(got,
		"r:1:11: error: unknown option \"--dprt\"\n"
		"    1 | -A X \\x1b[2J --dprt 22\n"
		"      |              ^~~~~~\n");
	free(got);
	/* a CR in the line cannot send the caret back over it */
	got = report_one("r", "-A X\r-A Y --bad\n", 11, 5);
	assert_string_equal(got,
		"r:1:11: error: unknown option \"--bad\"\n"
		"    1 | -A X\\x0d-A Y --bad\n"
		"      |              ^~~~~\n");
	free(got);
	/* a bidi control inside the token widens the tildes */
	got = report_one("r", "-A X --d\xe2\x80\xaeprt 1\n", 6, 9);
	assert_string_equal(got,
		"r:1:6: error: unknown option \"--d\\u202eprt\"\n"
		"    1 | -A X --d\\u202eprt 1\n"
		"      |      ^~~~~~~~~~~~\n");
	free(got);
	/* a character of two bytes takes one column; tabs are copied */
	got = report_one("r", "\xc3\xa9\t-x --bad\n", 7, 5);
	assert_string_equal(got,
		"r:1:7: error: unknown option \"--bad\"\n"
		"    1 | \xc3\xa9\t-x --bad\n"
		"      |  \t   ^~~~~\n");
	free(got);
}

static void test_escape_diagnostic_file_name(void **state)
{
	char *got;

	(void)state;
	got = report_one("::error title=x::y.rules", "--bad\n", 1, 5);
	assert_string_equal(got,
		"./::error title=x::y.rules:1:1: error: unknown option "
		"\"--bad\"\n"
		"    1 | --bad\n"
		"      | ^~~~~\n");
	free(got);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_escape_utf8_well_formed),
		cmocka_unit_test(test_escape_utf8_ill_formed_is_refused),
		cmocka_unit_test(test_escape_text_controls),
		cmocka_unit_test(test_escape_text_bidi_and_separators),
		cmocka_unit_test(test_escape_text_ill_formed_bytes),
		cmocka_unit_test(test_escape_text_counts_columns),
		cmocka_unit_test(test_escape_text_at_every_offset),
		cmocka_unit_test(test_escape_file_name_never_starts_a_command),
		cmocka_unit_test(test_escape_json_is_valid),
		cmocka_unit_test(test_escape_xml_only_legal_characters),
		cmocka_unit_test(test_escape_dot_label_shows_text),
		cmocka_unit_test(test_escape_caret_under_escaped_line),
		cmocka_unit_test(test_escape_diagnostic_file_name),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
