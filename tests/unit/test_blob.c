/*
 * test_blob.c - the length-checked readers of match and target blobs
 * (blob.h): data only when the size holds the header and what is asked,
 * sizes taken as they are (no XT_ALIGN() required).
 */
#include "fixture.h"

#include <string.h>
#include <linux/netfilter/xt_tcpudp.h>

#include "blob.h"

/* A blob of header + room bytes of data, its size field set apart. */
static union {
	struct xt_entry_match m;
	struct xt_entry_target t;
	unsigned char bytes[256];
} blob;

static const struct xt_entry_match *match_of_size(uint16_t size)
{
	memset(&blob, 0, sizeof(blob));
	blob.m.u.match_size = size;
	return &blob.m;
}

static const struct xt_entry_target *target_of_size(uint16_t size)
{
	memset(&blob, 0, sizeof(blob));
	blob.t.u.target_size = size;
	return &blob.t;
}

static void test_blob_match_shorter_than_header_has_no_data(void **state)
{
	const struct xt_entry_match *m = match_of_size(sizeof(*m) - 1);
	size_t len = 99;

	(void)state;
	assert_int_equal(ipts_match_len(m), 0);
	assert_null(ipts_match_data(m, 0, &len));
	assert_int_equal(len, 0);
	m = match_of_size(0);
	assert_int_equal(ipts_match_len(m), 0);
	assert_null(ipts_match_data(m, 0, NULL));
}

static void test_blob_match_header_only_has_empty_data(void **state)
{
	const struct xt_entry_match *m = match_of_size(sizeof(*m));
	size_t len = 99;

	(void)state;
	assert_ptr_equal(ipts_match_data(m, 0, &len), m->data);
	assert_int_equal(len, 0);
	len = 99;
	assert_null(ipts_match_data(m, 1, &len));
	assert_int_equal(len, 0);
}

static void test_blob_match_short_data_is_refused(void **state)
{
	const struct xt_entry_match *m =
		match_of_size(sizeof(*m) + sizeof(struct xt_tcp) - 1);
	size_t len = 99;

	(void)state;
	assert_int_equal(ipts_match_len(m), sizeof(struct xt_tcp) - 1);
	assert_null(ipts_match_data(m, sizeof(struct xt_tcp), &len));
	assert_int_equal(len, 0);
}

static void test_blob_match_long_data_gives_its_length(void **state)
{
	const struct xt_entry_match *m = match_of_size(sizeof(*m) + 64);
	size_t len = 0;

	(void)state;
	assert_ptr_equal(ipts_match_data(m, sizeof(struct xt_tcp), &len),
			 m->data);
	assert_int_equal(len, 64);
	assert_ptr_equal(ipts_match_data(m, 64, NULL), m->data);
	assert_null(ipts_match_data(m, 65, NULL));
}

/* The kernel wants XT_ALIGN()ed sizes; the readers only count bytes. */
static void test_blob_match_misaligned_size_is_taken_as_is(void **state)
{
	const struct xt_entry_match *m = match_of_size(sizeof(*m) + 5);
	size_t len = 0;

	(void)state;
	assert_int_not_equal(XT_ALIGN(5), 5);
	assert_ptr_equal(ipts_match_data(m, 5, &len), m->data);
	assert_int_equal(len, 5);
	assert_null(ipts_match_data(m, XT_ALIGN(5), &len));
	assert_int_equal(len, 0);
}

static void test_blob_target_sizes(void **state)
{
	const struct xt_entry_target *t = target_of_size(sizeof(*t) - 1);
	size_t len = 99;

	(void)state;
	assert_int_equal(ipts_target_len(t), 0);
	assert_null(ipts_target_data(t, 0, &len));
	assert_int_equal(len, 0);
	t = target_of_size(sizeof(*t));
	assert_ptr_equal(ipts_target_data(t, 0, &len), t->data);
	assert_int_equal(len, 0);
	assert_null(ipts_target_data(t, 1, NULL));
	t = target_of_size(sizeof(*t) + 7);
	assert_ptr_equal(ipts_target_data(t, 4, &len), t->data);
	assert_int_equal(len, 7);
	assert_null(ipts_target_data(t, 8, &len));
	assert_int_equal(len, 0);
	t = target_of_size(sizeof(*t) + 40);
	assert_ptr_equal(ipts_target_data(t, 40, &len), t->data);
	assert_int_equal(len, 40);
}

/* What libxtables builds has its extension's struct, padded. */
static void test_blob_parsed_tcp_match_is_whole(void **state)
{
	struct ipts_fixture *f = *state;
	const struct ipts_chain *c;
	const struct xt_entry_match *m;
	const struct xt_tcp *tcp;
	size_t len = 0;

	assert_non_null(load_str(f, "*filter\n"
				    "-A INPUT -p tcp --dport 22 -j ACCEPT\n"
				    "COMMIT\n"));
	c = fixture_chain(f, "filter", "INPUT");
	assert_int_equal(c->nrules, 1);
	assert_int_equal(c->rules[0]->nmatches, 1);
	m = ipts_rule_match(c->rules[0], 0);
	tcp = ipts_match_data(m, sizeof(*tcp), &len);
	assert_non_null(tcp);
	assert_int_equal(len, XT_ALIGN(sizeof(*tcp)));
	assert_int_equal(tcp->dpts[0], 22);
	assert_int_equal(tcp->dpts[1], 22);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_blob_match_shorter_than_header_has_no_data),
		cmocka_unit_test(test_blob_match_header_only_has_empty_data),
		cmocka_unit_test(test_blob_match_short_data_is_refused),
		cmocka_unit_test(test_blob_match_long_data_gives_its_length),
		cmocka_unit_test(test_blob_match_misaligned_size_is_taken_as_is),
		cmocka_unit_test(test_blob_target_sizes),
		cmocka_unit_test_setup_teardown(
			test_blob_parsed_tcp_match_is_whole, fixture_setup,
			fixture_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
