/*
 * test_scanner.c - words as iptables-restore splits them: blanks, quotes,
 * escapes inside quotes, a closing quote ending the word, comments and
 * line kinds decided by the first byte.
 */
#include "fixture.h"

#include <stdlib.h>
#include <string.h>

/* The text of the --comment of rule 1 of filter INPUT. */
static const char *comment_of(struct ipts_fixture *f)
{
	const struct ipts_chain *c = fixture_chain(f, "filter", "INPUT");
	const struct xt_entry_match *m;

	assert_int_equal(c->nrules, 1);
	m = ipts_rule_match(c->rules[0], 0);
	assert_string_equal(m->u.user.name, "comment");
	return (const char *)m->data;
}

static void load_comment(struct ipts_fixture *f, const char *arg)
{
	char buf[512];

	snprintf(buf, sizeof(buf), "*filter\n:INPUT ACCEPT [0:0]\n"
		 "-A INPUT -m comment --comment %s -j ACCEPT\nCOMMIT\n", arg);
	assert_loads(f, buf);
}

static void test_scanner_quotes_keep_blanks(void **state)
{
	struct ipts_fixture *f = *state;

	load_comment(f, "\"two  words\"");
	assert_string_equal(comment_of(f), "two  words");
}

static void test_scanner_escape_inside_quotes(void **state)
{
	struct ipts_fixture *f = *state;

	load_comment(f, "\"a \\\"quoted\\\" word\"");
	assert_string_equal(comment_of(f), "a \"quoted\" word");
}

static void test_scanner_backslash_outside_quotes_is_literal(void **state)
{
	struct ipts_fixture *f = *state;

	load_comment(f, "a\\b");
	assert_string_equal(comment_of(f), "a\\b");
}

static void test_scanner_quote_inside_word_joins(void **state)
{
	struct ipts_fixture *f = *state;

	load_comment(f, "ab\"c d\"");
	assert_string_equal(comment_of(f), "abc d");
}

static void test_scanner_comment_and_empty_lines(void **state)
{
	struct ipts_fixture *f = *state;

	assert_non_null(load_str(f, "# header\n\n*filter\n# inside\n"
				 ":INPUT DROP [0:0]\n\nCOMMIT\n"));
	assert_int_equal(fixture_chain(f, "filter", "INPUT")->policy, NF_DROP);
}

static void test_scanner_indented_comment_is_refused(void **state)
{
	struct ipts_fixture *f = *state;

	assert_null(load_str(f, "*filter\n  # indented\nCOMMIT\n"));
	assert_diag(f, 2, 3, "column 1");
}

static void test_scanner_blank_line_of_spaces_is_refused(void **state)
{
	struct ipts_fixture *f = *state;

	assert_null(load_str(f, "*filter\n   \nCOMMIT\n"));
	assert_diag(f, 2, 1, "white space");
}

static void test_scanner_trailing_comment_is_refused(void **state)
{
	struct ipts_fixture *f = *state;

	assert_null(load_str(f, "*filter\n-A INPUT -j ACCEPT # ok\nCOMMIT\n"));
	assert_diag(f, 2, 20, "Bad argument `#'");
}

static void test_scanner_commit_needs_newline(void **state)
{
	struct ipts_fixture *f = *state;

	assert_null(load_str(f, "*filter\nCOMMIT"));
	assert_diag(f, 2, 1, "COMMIT");
	assert_null(load_str(f, "*filter\nCOMMIT \n"));
	assert_diag(f, 2, 1, "COMMIT");
}

static void test_scanner_nul_byte_is_an_error(void **state)
{
	struct ipts_fixture *f = *state;
	static const char text[] = "*filter\n-A INPUT\0 -j DROP\nCOMMIT\n";

	ipts_diags_free(&f->diags);
	ipts_ruleset_free(f->rs);
	ipts_source_free(f->src);
	f->src = ipts_source_from_mem("test.rules", text, sizeof(text) - 1);
	f->rs = ipts_parse(f->src, &f->opts, &f->diags);
	assert_null(f->rs);
	assert_diag(f, 2, 9, "NUL byte");
}

/*
 * A comment line of 25,000 bytes reaches iptables-restore as three
 * fgets() pieces, each a comment: the file loads, and positions after it
 * are still those of the file (the pieces' cuts are no bytes of it).
 */
static void test_scanner_long_comment_keeps_positions(void **state)
{
	struct ipts_fixture *f = *state;
	size_t n = 25000, len;
	char *text = malloc(n + 128);

	assert_non_null(text);
	len = (size_t)sprintf(text, "*filter\n");
	memset(text + len, '#', n);
	len += n;
	sprintf(text + len, "\n-A INPUT -j NOSUCH\nCOMMIT\n");
	assert_null(load_str(f, text));
	assert_warning(f, 2, 10240, "reads at most 10239 bytes");
	assert_diag(f, 3, 13, "NOSUCH");
	free(text);
}

/*
 * A rule line of iptables-save's shape (its first byte '-') is split by
 * the scanner's line fast path, any other by the RULE state's patterns:
 * the same words at the same places either way. Indented by one blank,
 * the same line takes the RULE state.
 */
static void test_scanner_line_path_splits_as_rule_state(void **state)
{
	struct ipts_fixture *f = *state;

	/* the closing quote ends the word: NOSUCH is one of its own */
	assert_null(load_str(f, "*filter\n-A INPUT -m comment --comment "
				"\"x\"NOSUCH -j ACCEPT\n-A INPUT -j ACCEPT\n"
				"-A INPUT\t-j  NOSUCH2\nCOMMIT\n"));
	assert_diag(f, 2, 34, "Bad argument `NOSUCH'");
	assert_diag(f, 4, 14, "NOSUCH2");
	assert_null(load_str(f, "*filter\n -A INPUT -m comment --comment "
				"\"x\"NOSUCH -j ACCEPT\n-A INPUT -j ACCEPT\n"
				" -A INPUT\t-j  NOSUCH2\nCOMMIT\n"));
	assert_diag(f, 2, 35, "Bad argument `NOSUCH'");
	assert_diag(f, 4, 15, "NOSUCH2");
}

/* An open quote on a line of that shape: the RULE state reads the line
 * (the rest of it one word), and the lines after it keep their places. */
static void test_scanner_open_quote_leaves_the_line_path(void **state)
{
	struct ipts_fixture *f = *state;

	assert_null(load_str(f, "*filter\n-A INPUT -m comment --comment "
				"\"open \\\" -j ACCEPT\n-A INPUT -j NOSUCH\n"
				"COMMIT\n"));
	assert_warning(f, 2, 31, "unterminated quote");
	assert_diag(f, 3, 13, "NOSUCH");
}

/*
 * The line path's argv: a quoted word's length is that of its text
 * unquoted, as iptables-restore counts it (1023 bytes at most), and the
 * words after it are their own bytes; indented (the RULE state) alike.
 */
static void test_scanner_line_path_counts_unquoted_length(void **state)
{
	struct ipts_fixture *f = *state;
	static const char *const lead[] = { "", " " };
	char *buf = malloc(4096);
	char y[1025];
	unsigned int k;

	assert_non_null(buf);
	for (k = 0; k < 2; k++) {
		/* 1025 bytes quoted, 1023 unquoted: taken */
		memset(y, 'y', 1023);
		y[1023] = '\0';
		snprintf(buf, 4096,
			 "*filter\n:INPUT ACCEPT [0:0]\n%s-A INPUT "
			 "-m comment --comment \"%s\" -j ACCEPT\nCOMMIT\n",
			 lead[k], y);
		assert_loads(f, buf);
		/* libxt_comment keeps its first 255 bytes */
		assert_int_equal(strncmp(comment_of(f), y, 255), 0);
		/* 1024 unquoted: refused, at the word */
		y[1023] = 'y';
		y[1024] = '\0';
		snprintf(buf, 4096,
			 "*filter\n:INPUT ACCEPT [0:0]\n%s-A INPUT "
			 "-m comment --comment \"%s\" -j ACCEPT\nCOMMIT\n",
			 lead[k], y);
		assert_null(load_str(f, buf));
		assert_diag(f, 3, 31 + k, "Parameter too long: 1024 bytes");
	}
	free(buf);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_scanner_quotes_keep_blanks),
		cmocka_unit_test(test_scanner_escape_inside_quotes),
		cmocka_unit_test(
			test_scanner_backslash_outside_quotes_is_literal),
		cmocka_unit_test(test_scanner_quote_inside_word_joins),
		cmocka_unit_test(test_scanner_comment_and_empty_lines),
		cmocka_unit_test(test_scanner_indented_comment_is_refused),
		cmocka_unit_test(test_scanner_blank_line_of_spaces_is_refused),
		cmocka_unit_test(test_scanner_trailing_comment_is_refused),
		cmocka_unit_test(test_scanner_commit_needs_newline),
		cmocka_unit_test(test_scanner_nul_byte_is_an_error),
		cmocka_unit_test(test_scanner_long_comment_keeps_positions),
		cmocka_unit_test(test_scanner_line_path_splits_as_rule_state),
		cmocka_unit_test(test_scanner_open_quote_leaves_the_line_path),
		cmocka_unit_test(test_scanner_line_path_counts_unquoted_length),
	};

	return cmocka_run_group_tests(tests, fixture_setup, fixture_teardown);
}
