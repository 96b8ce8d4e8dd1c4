/*
 * test_json.c - the JSON writer (json.h): commas between members and none
 * after the last, keys and values, one-line and block containers nested
 * either way (the indentation counts blocks only), empty containers,
 * values one after another at the top level, and strings escaped as
 * ipts_json_strn() does: control bytes, DEL, bidi controls, bytes that
 * are not UTF-8 (U+FFFD), a NUL inside a counted string.
 */
#include "fixture.h"

#include <stdlib.h>
#include <string.h>

#include "json.h"

/* A writer over a memory buffer; done() closes it and returns the text. */
struct out {
	char *buf;
	size_t len;
	FILE *f;
	struct ipts_json w;
};

static struct ipts_json *start(struct out *o)
{
	o->buf = NULL;
	o->len = 0;
	o->f = open_memstream(&o->buf, &o->len);
	assert_non_null(o->f);
	ipts_json_init(&o->w, o->f);
	return &o->w;
}

static char *done(struct out *o)
{
	assert_int_equal(o->w.depth, 0);
	fclose(o->f);
	return o->buf;
}

#define assert_out(o, want)                                                   \
	do {                                                                  \
		char *got_ = done(o);                                         \
		assert_string_equal(got_, want);                              \
		free(got_);                                                   \
	} while (0)

static void test_json_line_members_and_commas(void **state)
{
	struct out o;
	struct ipts_json *w = start(&o);

	(void)state;
	ipts_json_object_begin(w, IPTS_JSON_LINE);
	ipts_json_kv_string(w, "a", "x");
	ipts_json_kv_uint(w, "n", 18446744073709551615ull);
	ipts_json_key(w, "i");
	ipts_json_int(w, -5);
	ipts_json_kv_bool(w, "t", true);
	ipts_json_kv_bool(w, "f", false);
	ipts_json_kv_null(w, "z");
	ipts_json_kv_string(w, "s", NULL);
	ipts_json_key(w, "v");
	ipts_json_array_begin(w, IPTS_JSON_LINE);
	ipts_json_uint(w, 1);
	ipts_json_string(w, "two");
	ipts_json_null(w);
	ipts_json_array_end(w);
	ipts_json_object_end(w);
	ipts_json_eol(w);
	assert_out(&o, "{\"a\": \"x\", \"n\": 18446744073709551615, "
		       "\"i\": -5, \"t\": true, \"f\": false, \"z\": null, "
		       "\"s\": null, \"v\": [1, \"two\", null]}\n");
}

static void test_json_nesting_one_line(void **state)
{
	struct out o;
	struct ipts_json *w = start(&o);

	(void)state;
	ipts_json_array_begin(w, IPTS_JSON_LINE);
	ipts_json_array_begin(w, IPTS_JSON_LINE);
	ipts_json_array_begin(w, IPTS_JSON_LINE);
	ipts_json_array_end(w);
	ipts_json_object_begin(w, IPTS_JSON_LINE);
	ipts_json_key(w, "o");
	ipts_json_object_begin(w, IPTS_JSON_LINE);
	ipts_json_kv_uint(w, "k", 0);
	ipts_json_object_end(w);
	ipts_json_object_end(w);
	ipts_json_array_end(w);
	ipts_json_uint(w, 3);
	ipts_json_array_end(w);
	assert_out(&o, "[[[], {\"o\": {\"k\": 0}}], 3]");
}

static void test_json_empty_containers(void **state)
{
	struct out o;
	struct ipts_json *w = start(&o);

	(void)state;
	ipts_json_object_begin(w, IPTS_JSON_LINE);
	ipts_json_object_end(w);
	ipts_json_array_begin(w, IPTS_JSON_LINE);
	ipts_json_array_end(w);
	/* a block without members stays on its line */
	ipts_json_object_begin(w, IPTS_JSON_BLOCK);
	ipts_json_key(w, "a");
	ipts_json_array_begin(w, IPTS_JSON_BLOCK);
	ipts_json_array_end(w);
	ipts_json_key(w, "o");
	ipts_json_object_begin(w, IPTS_JSON_BLOCK);
	ipts_json_object_end(w);
	ipts_json_object_end(w);
	assert_out(&o, "{}[]{\n  \"a\": [],\n  \"o\": {}\n}");
}

/* The shape of check --format json: a block holding lines and a block. */
static void test_json_block_indents_each_level(void **state)
{
	struct out o;
	struct ipts_json *w = start(&o);

	(void)state;
	ipts_json_object_begin(w, IPTS_JSON_BLOCK);
	ipts_json_key(w, "files");
	ipts_json_array_begin(w, IPTS_JSON_LINE);
	ipts_json_object_begin(w, IPTS_JSON_LINE);
	ipts_json_kv_string(w, "file", "a");
	ipts_json_object_end(w);
	ipts_json_object_begin(w, IPTS_JSON_LINE);
	ipts_json_object_end(w);
	ipts_json_array_end(w);
	ipts_json_kv_uint(w, "errors", 2);
	ipts_json_key(w, "diagnostics");
	ipts_json_array_begin(w, IPTS_JSON_BLOCK);
	ipts_json_object_begin(w, IPTS_JSON_LINE);
	ipts_json_kv_uint(w, "line", 1);
	ipts_json_object_end(w);
	ipts_json_object_begin(w, IPTS_JSON_BLOCK);
	ipts_json_kv_uint(w, "line", 2);
	ipts_json_object_end(w);
	ipts_json_array_end(w);
	ipts_json_object_end(w);
	ipts_json_eol(w);
	assert_out(&o, "{\n"
		       "  \"files\": [{\"file\": \"a\"}, {}],\n"
		       "  \"errors\": 2,\n"
		       "  \"diagnostics\": [\n"
		       "    {\"line\": 1},\n"
		       "    {\n"
		       "      \"line\": 2\n"
		       "    }\n"
		       "  ]\n"
		       "}\n");
}

/* The shape of diff --format json: blocks in a one-line object stand at
 * the margin, as a line adds no indentation. */
static void test_json_block_in_a_line(void **state)
{
	struct out o;
	struct ipts_json *w = start(&o);

	(void)state;
	ipts_json_object_begin(w, IPTS_JSON_LINE);
	ipts_json_key(w, "changes");
	ipts_json_array_begin(w, IPTS_JSON_BLOCK);
	ipts_json_uint(w, 1);
	ipts_json_uint(w, 2);
	ipts_json_array_end(w);
	ipts_json_key(w, "groups");
	ipts_json_array_begin(w, IPTS_JSON_BLOCK);
	ipts_json_array_end(w);
	ipts_json_kv_uint(w, "compared", 2);
	ipts_json_object_end(w);
	assert_out(&o, "{\"changes\": [\n  1,\n  2\n], \"groups\": [], "
		       "\"compared\": 2}");
}

/* JSON Lines: top-level values need no separator. */
static void test_json_top_level_values(void **state)
{
	struct out o;
	struct ipts_json *w = start(&o);

	(void)state;
	ipts_json_object_begin(w, IPTS_JSON_LINE);
	ipts_json_kv_uint(w, "line", 1);
	ipts_json_object_end(w);
	ipts_json_eol(w);
	ipts_json_object_begin(w, IPTS_JSON_LINE);
	ipts_json_kv_uint(w, "line", 2);
	ipts_json_object_end(w);
	ipts_json_eol(w);
	ipts_json_string(w, "s");
	assert_out(&o, "{\"line\": 1}\n{\"line\": 2}\n\"s\"");
}

static void test_json_raw_value_takes_its_comma(void **state)
{
	struct out o;
	struct ipts_json *w = start(&o);

	(void)state;
	ipts_json_array_begin(w, IPTS_JSON_LINE);
	ipts_json_raw(w, "{\"a\": 1}");
	ipts_json_raw(w, "[]");
	ipts_json_array_end(w);
	ipts_json_object_begin(w, IPTS_JSON_LINE);
	ipts_json_key(w, "old");
	ipts_json_raw(w, "true");
	ipts_json_object_end(w);
	assert_out(&o, "[{\"a\": 1}, []]{\"old\": true}");
}

static void test_json_strings_escaped(void **state)
{
	static const char bytes[] = "a\0b\x1b\x7f\xc0\xaf\xed\xa0\x80\xff";
	struct out o;
	struct ipts_json *w = start(&o);

	(void)state;
	ipts_json_array_begin(w, IPTS_JSON_LINE);
	/* quote, backslash, the short escapes, other C0 controls */
	ipts_json_string(w, "\"\\\n\r\t\b\f\x01\x1f");
	/* a NUL inside a counted string, ESC, DEL; an overlong '/', a
	 * surrogate and a byte that is never UTF-8: each bad byte is
	 * U+FFFD */
	ipts_json_stringn(w, bytes, sizeof(bytes) - 1);
	/* C1 controls, bidi controls, U+2028; well-formed UTF-8 kept */
	ipts_json_string(w, "\xc2\x85\xe2\x80\xae\xe2\x80\xa8"
			    "\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80");
	/* a string cut inside a sequence */
	ipts_json_stringn(w, "\xe2\x82\xac", 2);
	ipts_json_array_end(w);
	assert_out(&o, "[\"\\\"\\\\\\n\\r\\t\\b\\f\\u0001\\u001f\", "
		       "\"a\\u0000b\\u001b\\u007f\\ufffd\\ufffd\\ufffd\\ufffd"
		       "\\ufffd\\ufffd\", "
		       "\"\\u0085\\u202e\\u2028\xc3\xa9\xe2\x82\xac"
		       "\xf0\x9f\x98\x80\", \"\\ufffd\\ufffd\"]");
}

static void test_json_keys_escaped(void **state)
{
	struct out o;
	struct ipts_json *w = start(&o);

	(void)state;
	ipts_json_object_begin(w, IPTS_JSON_LINE);
	ipts_json_kv_string(w, "k\"\x1b", "v");
	ipts_json_kv_stringn(w, "\xff", "abc", 2);
	ipts_json_object_end(w);
	assert_out(&o, "{\"k\\\"\\u001b\": \"v\", \"\\ufffd\": \"ab\"}");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_json_line_members_and_commas),
		cmocka_unit_test(test_json_nesting_one_line),
		cmocka_unit_test(test_json_empty_containers),
		cmocka_unit_test(test_json_block_indents_each_level),
		cmocka_unit_test(test_json_block_in_a_line),
		cmocka_unit_test(test_json_top_level_values),
		cmocka_unit_test(test_json_raw_value_takes_its_comma),
		cmocka_unit_test(test_json_strings_escaped),
		cmocka_unit_test(test_json_keys_escaped),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
