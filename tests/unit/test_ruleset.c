/*
 * test_ruleset.c - blob interning (model/ruleset.c, ipts_ruleset_intern):
 * on a large ruleset most match and target blobs repeat, and each is kept
 * once. Equal bytes share one read-only copy, bytes that differ anywhere
 * (or only in length) do not, whatever the size and however many.
 */
#include "fixture.h"

#include <stdlib.h>
#include <string.h>

#include "model_build.h"

static int setup(void **state)
{
	*state = ipts_ruleset_new(NULL);
	return 0;
}

static int teardown(void **state)
{
	ipts_ruleset_free(*state);
	return 0;
}

/* @n bytes derived from @seed, in @buf. */
static void fill(unsigned char *buf, size_t n, unsigned int seed)
{
	size_t i;

	for (i = 0; i < n; i++)
		buf[i] = (unsigned char)(seed * 31u + i * 7u + (seed >> 8));
}

static void test_intern_equal_blobs_are_shared(void **state)
{
	struct ipts_ruleset *rs = *state;
	unsigned char x[288], y[288];
	const void *p, *q;

	fill(x, sizeof(x), 1);
	memcpy(y, x, sizeof(y));
	p = ipts_ruleset_intern(rs, x, sizeof(x));
	q = ipts_ruleset_intern(rs, y, sizeof(y));
	assert_ptr_equal(p, q);
	/* a copy of the bytes, not the caller's buffer */
	assert_ptr_not_equal(p, x);
	assert_ptr_not_equal(p, y);
	assert_memory_equal(p, x, sizeof(x));
	/* the caller may reuse its buffer: the copy keeps the bytes */
	memset(x, 0, sizeof(x));
	assert_memory_equal(p, y, sizeof(y));
	assert_ptr_not_equal(ipts_ruleset_intern(rs, x, sizeof(x)), p);
}

/* One byte apart, at the start, in the middle, in the tail after the last
 * 32- or 8-byte lane; or the same bytes and one more. */
static void test_intern_different_blobs_are_not_shared(void **state)
{
	struct ipts_ruleset *rs = *state;
	static const size_t at[] = { 0, 17, 40, 287 };
	unsigned char x[289], y[289];
	const void *p, *q;
	size_t i;

	fill(x, sizeof(x), 2);
	p = ipts_ruleset_intern(rs, x, 288);
	for (i = 0; i < sizeof(at) / sizeof(at[0]); i++) {
		memcpy(y, x, sizeof(y));
		y[at[i]] ^= 1;
		q = ipts_ruleset_intern(rs, y, 288);
		assert_ptr_not_equal(p, q);
		assert_memory_equal(q, y, 288);
	}
	q = ipts_ruleset_intern(rs, x, 289);
	assert_ptr_not_equal(p, q);
	assert_memory_equal(q, x, 289);
	/* a prefix is a blob of its own too */
	q = ipts_ruleset_intern(rs, x, 287);
	assert_ptr_not_equal(p, q);
	assert_ptr_equal(ipts_ruleset_intern(rs, x, 288), p);
}

/* Every size a blob has (a 1-byte tail, whole 8- and 32-byte lanes, a
 * comment's 288 bytes), past the first table's 1024 slots: each blob is
 * stored once and found again after the table grew. */
static void test_intern_many_sizes_and_growth(void **state)
{
	struct ipts_ruleset *rs = *state;
	enum { N = 3000 };
	const void **first = calloc(N, sizeof(*first));
	unsigned char buf[300];
	unsigned int i;

	assert_non_null(first);
	for (i = 0; i < N; i++) {
		size_t len = 1 + i % 300;

		fill(buf, len, i);
		first[i] = ipts_ruleset_intern(rs, buf, len);
		assert_memory_equal(first[i], buf, len);
	}
	for (i = 0; i < N; i++) {
		size_t len = 1 + i % 300;

		fill(buf, len, i);
		assert_ptr_equal(ipts_ruleset_intern(rs, buf, len), first[i]);
	}
	for (i = 1; i < N; i++)		/* neighbours differ in length */
		assert_ptr_not_equal(first[i], first[i - 1]);
	free(first);
}

/* After ipts_ruleset_intern_end() the copies stay, the table is gone:
 * the same bytes get a new copy, shared from then on. */
static void test_intern_end_keeps_the_copies(void **state)
{
	struct ipts_ruleset *rs = *state;
	unsigned char x[40];
	const void *p, *q;

	fill(x, sizeof(x), 3);
	p = ipts_ruleset_intern(rs, x, sizeof(x));
	ipts_ruleset_intern_end(rs);
	assert_memory_equal(p, x, sizeof(x));
	q = ipts_ruleset_intern(rs, x, sizeof(x));
	assert_ptr_not_equal(p, q);
	assert_ptr_equal(ipts_ruleset_intern(rs, x, sizeof(x)), q);
	ipts_ruleset_intern_end(rs);
	ipts_ruleset_intern_end(rs);	/* twice is harmless */
}

/* What the parser does with it: the same match on many rules is one blob. */
static void test_intern_loaded_rules_share_blobs(void **state)
{
	struct ipts_fixture *f;
	const struct ipts_chain *c;

	(void)state;
	assert_int_equal(fixture_setup((void **)&f), 0);
	assert_loads(f, "*filter\n"
		     "-A INPUT -p tcp -m tcp --dport 22 -j ACCEPT\n"
		     "-A INPUT -p tcp -m tcp --dport 22 -j ACCEPT\n"
		     "-A INPUT -p tcp -m tcp --dport 23 -j ACCEPT\n"
		     "COMMIT\n");
	c = fixture_chain(f, "filter", "INPUT");
	assert_int_equal(c->nrules, 3);
	assert_ptr_equal(ipts_rule_match(c->rules[0], 0),
			 ipts_rule_match(c->rules[1], 0));
	assert_ptr_not_equal(ipts_rule_match(c->rules[0], 0),
			     ipts_rule_match(c->rules[2], 0));
	assert_ptr_equal(ipts_rule_target(c->rules[0]),
			 ipts_rule_target(c->rules[2]));
	fixture_teardown((void **)&f);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_intern_equal_blobs_are_shared),
		T(test_intern_different_blobs_are_not_shared),
		T(test_intern_many_sizes_and_growth),
		T(test_intern_end_keeps_the_copies),
		cmocka_unit_test(test_intern_loaded_rules_share_blobs),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
