/*
 * test_query.c - the word splitter of query's input and of spec lines
 * (cli/query.c, ipts_words_split): words at blanks, quotes that hold
 * blanks, '#' comments, a limit on the number of words, an unterminated
 * quote, and the byte column of every word, where diagnostics point;
 * --in read by the one packet-options parser and checked against the
 * described host, the error at the word at fault; the summary line and
 * the JSON of an answer on each path the simulator can report.
 */
#include "fixture.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <netinet/in.h>

#include "host.h"
#include "query.h"

#define MAXW 8

/* The split of @text (copied: the splitter writes into its line). */
struct split {
	char line[256];
	char *w[MAXW];
	uint32_t col[MAXW], bad;
	int n;
};

static void split(struct split *s, const char *text, int max)
{
	assert_true(strlen(text) < sizeof(s->line));
	strcpy(s->line, text);
	s->bad = 12345;
	s->n = ipts_words_split(s->line, s->w, s->col, max, &s->bad);
}

#define assert_word(s, i, word, column)                                       \
	do {                                                                  \
		assert_string_equal((s)->w[i], word);                         \
		assert_int_equal((s)->col[i], column);                        \
	} while (0)

static void test_words_split_at_blanks(void **state)
{
	struct split s;

	(void)state;
	split(&s, "  --dport 22\t--uid\v\f 0 \r\n", MAXW);
	assert_int_equal(s.n, 4);
	assert_word(&s, 0, "--dport", 2);
	assert_word(&s, 1, "22", 10);
	assert_word(&s, 2, "--uid", 13);
	assert_word(&s, 3, "0", 21);
	/* nothing but blanks, or nothing: no word */
	split(&s, " \t\r\n", MAXW);
	assert_int_equal(s.n, 0);
	split(&s, "", MAXW);
	assert_int_equal(s.n, 0);
	/* no newline at the end of the last line */
	split(&s, "connected --dport 1060", MAXW);
	assert_int_equal(s.n, 3);
	assert_word(&s, 2, "1060", 18);
}

/* '...' and "..." hold blanks and the other quote; no escapes; the
 * column is the opening quote's. */
static void test_words_split_quotes(void **state)
{
	struct split s;

	(void)state;
	split(&s, "--src \"10.0.0.1\" 'a \"b\" c' \"it's\" \"\" x\\ y\n", MAXW);
	assert_int_equal(s.n, 7);
	assert_word(&s, 0, "--src", 0);
	assert_word(&s, 1, "10.0.0.1", 6);
	assert_word(&s, 2, "a \"b\" c", 17);
	assert_word(&s, 3, "it's", 27);
	assert_word(&s, 4, "", 34);		/* an empty word */
	assert_word(&s, 5, "x\\", 37);		/* a backslash is a byte */
	assert_word(&s, 6, "y", 40);
}

/* A word starting with '#' ends the line; a '#' inside a word or a quote
 * is a byte of it. */
static void test_words_split_comments(void **state)
{
	struct split s;

	(void)state;
	split(&s, "# connected --dport 22\n", MAXW);
	assert_int_equal(s.n, 0);
	split(&s, "   #\n", MAXW);
	assert_int_equal(s.n, 0);
	split(&s, "dropped --dport 22 # not --uid 0\n", MAXW);
	assert_int_equal(s.n, 3);
	assert_word(&s, 2, "22", 16);
	split(&s, "a#b \"#c\" '# d'#e\n", MAXW);
	assert_int_equal(s.n, 3);
	assert_word(&s, 0, "a#b", 0);
	assert_word(&s, 1, "#c", 4);
	assert_word(&s, 2, "# d", 9);
}

/* At most @max words: one more is an error at its column; blanks and a
 * comment after the last allowed word are not. */
static void test_words_split_word_limit(void **state)
{
	struct split s;

	(void)state;
	split(&s, "a bb c\n", 3);
	assert_int_equal(s.n, 3);
	split(&s, "a bb c   # and more words\n", 3);
	assert_int_equal(s.n, 3);
	split(&s, "a bb c \t\n", 3);
	assert_int_equal(s.n, 3);
	split(&s, "a bb c  dd e\n", 3);
	assert_int_equal(s.n, -1);
	assert_int_equal(s.bad, 8);		/* "dd" */
	/* the word too many may be a quoted one, closed or not */
	split(&s, "a bb c \"dd\"\n", 3);
	assert_int_equal(s.n, -1);
	assert_int_equal(s.bad, 7);
	split(&s, "x\n", 0);
	assert_int_equal(s.n, -1);
	assert_int_equal(s.bad, 0);
}

/* An opening quote without its closing one: an error at the quote. */
static void test_words_split_unterminated_quote(void **state)
{
	struct split s;

	(void)state;
	split(&s, "connected --src \"10.0.0.1 --dport 22\n", MAXW);
	assert_int_equal(s.n, -1);
	assert_int_equal(s.bad, 16);
	assert_int_equal(s.line[s.bad], '"');
	split(&s, "'\n", MAXW);
	assert_int_equal(s.n, -1);
	assert_int_equal(s.bad, 0);
	/* the other quote does not close it */
	split(&s, "x \"a' b\n", MAXW);
	assert_int_equal(s.n, -1);
	assert_int_equal(s.bad, 2);
}

/* Columns count bytes, not characters or tab stops: what a diagnostic's
 * column (1-based: col + 1) means throughout iptsim. */
static void test_words_split_columns_are_bytes(void **state)
{
	struct split s;

	(void)state;
	split(&s, "caf\xc3\xa9\t\t--uid 1000\n", MAXW);
	assert_int_equal(s.n, 3);
	assert_word(&s, 0, "caf\xc3\xa9", 0);
	assert_word(&s, 1, "--uid", 7);
	assert_word(&s, 2, "1000", 13);
}

/* Parse @text's words with ipts_query_parse_args_on(). */
static int parse_on(const char *text, const struct ipts_hostdesc *host,
		    struct ipts_query *q, struct ipts_query_error *err)
{
	static struct split s;

	split(&s, text, MAXW);
	assert_true(s.n >= 0);
	return ipts_query_parse_args_on(s.n, s.w, host, q, err);
}

static void test_query_in_sets_in_and_given(void **state)
{
	struct ipts_hostdesc *h = ipts_hostdesc_new();
	struct ipts_diags d = { 0 };
	struct ipts_query_error err;
	struct ipts_query q;

	(void)state;
	assert_int_equal(ipts_hostdesc_add_iface(h, "eth0=10.0.0.1/24", &d), 0);
	assert_int_equal(parse_on("--in eth0 --src 10.0.0.7", h, &q, &err), 0);
	assert_string_equal(q.in, "eth0");
	assert_true(q.given & IPTS_QGIVEN_IN);
	assert_int_equal(parse_on("--dport 22", h, &q, &err), 0);
	assert_null(q.in);
	assert_false(q.given & IPTS_QGIVEN_IN);
	ipts_diags_free(&d);
	ipts_hostdesc_free(h);
}

static void test_query_in_errors_point_at_the_word(void **state)
{
	struct ipts_hostdesc *h = ipts_hostdesc_new();
	struct ipts_diags d = { 0 };
	struct ipts_query_error err;
	struct ipts_query q;

	(void)state;
	assert_int_equal(ipts_hostdesc_add_iface(h, "eth0=10.0.0.1/24", &d), 0);
	/* no host: --in itself */
	assert_int_equal(parse_on("--src 10.0.0.7 --in eth0", NULL, &q, &err),
			 -1);
	assert_int_equal(err.argi, 2);
	assert_non_null(strstr(err.msg, "needs a described host"));
	/* an interface the host does not have */
	assert_int_equal(parse_on("--in=eth9 --src 10.0.0.7", h, &q, &err), -1);
	assert_int_equal(err.argi, 0);
	assert_non_null(strstr(err.msg, "(it has lo, eth0)"));
	/* the client is another host: the --uid word */
	assert_int_equal(parse_on("--in eth0 --src 10.0.0.7 --uid 5", h, &q,
				  &err),
			 -1);
	assert_int_equal(err.argi, 4);
	assert_non_null(strstr(err.msg, "it has no uid"));
	assert_int_equal(parse_on("--gid 5 --in eth0 --src 10.0.0.7", h, &q,
				  &err),
			 -1);
	assert_int_equal(err.argi, 0);
	assert_non_null(strstr(err.msg, "it has no gid"));
	/* no --src */
	assert_int_equal(parse_on("--dport 22 --in eth0", h, &q, &err), -1);
	assert_int_equal(err.argi, 2);
	assert_non_null(strstr(err.msg, "needs --src"));
	ipts_diags_free(&d);
	ipts_hostdesc_free(h);
}

/* An answer on @path whose first packet, a SYN to @daddr:@dport, left
 * by @out; the query: 192.0.2.7 on eth0 (@in) to 10.0.0.1:22. */
static void path_answer(struct ipts_query *q, struct ipts_result *res,
			enum ipts_path path, bool in, const char *out,
			const char *daddr, uint16_t dport)
{
	ipts_query_init(q);
	q->dst.ip = ip4("10.0.0.1");
	q->dport = 22;
	q->given |= IPTS_QGIVEN_DPORT | IPTS_QGIVEN_DST;
	if (in) {
		q->in = "eth0";
		q->src.ip = ip4("192.0.2.7");
		q->given |= IPTS_QGIVEN_IN | IPTS_QGIVEN_SRC;
	}
	ipts_result_init(res);
	res->outcome = IPTS_CONNECTED;
	res->decided_pkt = -1;
	res->decided_idx = -1;
	res->path = path;
	res->npackets = 1;
	res->packets[0].kind = IPTS_PKT_SYN;
	res->packets[0].name = "SYN";
	res->packets[0].from_client = true;
	res->packets[0].saddr = q->src;
	res->packets[0].daddr.ip = ip4(daddr);
	res->packets[0].dport = dport;
	res->packets[0].in = in ? "eth0" : "";
	res->packets[0].out = out;
	res->packets[0].decided = -1;
	res->packets[0].answer = -1;
}

/* The summary line of @q and @res, malloc'd. */
static char *headline(const struct ipts_query *q, const struct ipts_result *res)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	assert_non_null(f);
	ipts_answer_headline(f, q, res, true);
	fclose(f);
	return buf;
}

static void assert_headline_starts(const struct ipts_query *q,
				   const struct ipts_result *res,
				   const char *want)
{
	char *got = headline(q, res);

	if (strncmp(got, want, strlen(want)) != 0)
		fail_msg("headline '%s', expected it to start '%s'", got, want);
	free(got);
}

static void test_query_headline_names_the_path(void **state)
{
	struct ipts_result res;
	struct ipts_query q;

	(void)state;
	path_answer(&q, &res, IPTS_PATH_INPUT, true, "", "10.0.0.1", 22);
	assert_headline_starts(&q, &res,
			       "connect() from 192.0.2.7 on eth0 to "
			       "10.0.0.1:22 (input: to a local process): "
			       "CONNECTED");
	ipts_result_free(&res);
	path_answer(&q, &res, IPTS_PATH_OUTPUT, false, "eth1", "10.0.0.1", 22);
	q.uid = 1000;
	assert_headline_starts(&q, &res,
			       "connect() from uid 1000 to "
			       "10.0.0.1:22 (output: out eth1): CONNECTED");
	ipts_result_free(&res);
	path_answer(&q, &res, IPTS_PATH_FORWARD, true, "eth1", "10.0.0.1", 22);
	assert_headline_starts(&q, &res,
			       "connect() from 192.0.2.7 on eth0 to "
			       "10.0.0.1:22 (forward: to 10.0.0.1:22 out "
			       "eth1): CONNECTED");
	ipts_result_free(&res);
	path_answer(&q, &res, IPTS_PATH_FORWARD, true, "eth1", "10.9.0.5",
		    2222);
	assert_headline_starts(&q, &res,
			       "connect() from 192.0.2.7 on eth0 to "
			       "10.0.0.1:22 (forward: to 10.9.0.5:2222 out "
			       "eth1, after DNAT): CONNECTED");
	ipts_result_free(&res);
	path_answer(&q, &res, IPTS_PATH_NONE, true, "", "10.0.0.1", 22);
	res.outcome = IPTS_TIMEOUT;
	snprintf(res.stopped, sizeof(res.stopped),
		 "rp_filter (strict) on "
		 "eth0");
	assert_headline_starts(&q, &res,
			       "connect() from 192.0.2.7 on eth0 to "
			       "10.0.0.1:22: TIMEOUT, stays in SYN_SENT — the "
			       "SYN stops at or before the routing decision: "
			       "rp_filter (strict) on eth0\n");
	ipts_result_free(&res);
	path_answer(&q, &res, IPTS_PATH_INPUT, true, "", "10.0.0.1", 22);
	q.proto = IPPROTO_UDP;
	res.outcome = IPTS_EINVAL;
	assert_headline_starts(&q, &res,
			       "send() from 192.0.2.7 on eth0 to "
			       "10.0.0.1:22/udp (input: to a local process): "
			       "EINVAL");
	ipts_result_free(&res);
}

static void test_query_json_has_the_path_keys(void **state)
{
	struct ipts_result res;
	struct ipts_query q;
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	(void)state;
	assert_non_null(f);
	path_answer(&q, &res, IPTS_PATH_FORWARD, true, "eth1", "10.0.0.1", 22);
	snprintf(res.route, sizeof(res.route), "10.0.0.0/24 dev eth1");
	res.nfacts = 1;
	snprintf(res.facts[0].key, sizeof(res.facts[0].key),
		 "net.ipv4.ip_forward");
	res.facts[0].value = 1;
	res.facts[0].given = true;
	ipts_result_print_json_notes(f, &q, &res, NULL, 0);
	fclose(f);
	assert_non_null(strstr(buf, "\"listener\": true, \"in\": \"eth0\"}"));
	assert_non_null(strstr(buf,
			       "\"path\": \"forward\", \"stopped\": "
			       "null, \"route\": \"10.0.0.0/24 dev eth1\", "
			       "\"interface\": null, \"host_facts\": "
			       "[{\"key\": \"net.ipv4.ip_forward\", "
			       "\"value\": 1, \"given\": true}]"));
	assert_non_null(strstr(buf, "\"in\": \"eth0\", \"out\": \"eth1\""));
	free(buf);
	ipts_result_free(&res);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_words_split_at_blanks),
		cmocka_unit_test(test_words_split_quotes),
		cmocka_unit_test(test_words_split_comments),
		cmocka_unit_test(test_words_split_word_limit),
		cmocka_unit_test(test_words_split_unterminated_quote),
		cmocka_unit_test(test_words_split_columns_are_bytes),
		cmocka_unit_test(test_query_in_sets_in_and_given),
		cmocka_unit_test(test_query_in_errors_point_at_the_word),
		cmocka_unit_test(test_query_headline_names_the_path),
		cmocka_unit_test(test_query_json_has_the_path_keys),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
