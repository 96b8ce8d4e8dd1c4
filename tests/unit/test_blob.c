/*
 * test_blob.c - the length-checked readers of match and target blobs
 * (blob.h): data only when the size holds the header and what is asked,
 * sizes taken as they are (no XT_ALIGN() required); two blobs the same
 * only in size, name, revision and data, never past the data.
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

/* Two blobs side by side, for the comparisons. */
static union {
	struct xt_entry_match m;
	struct xt_entry_target t;
	unsigned char bytes[64];
} pair[2];

static void pair_set(uint16_t size, const char *name, uint8_t rev)
{
	unsigned int i;

	memset(pair, 0, sizeof(pair));
	for (i = 0; i < 2; i++) {
		pair[i].m.u.match_size = size;
		strcpy(pair[i].m.u.user.name, name);
		pair[i].m.u.user.revision = rev;
		memset(pair[i].bytes + sizeof(pair[i].m), 0x5a,
		       sizeof(pair[i].bytes) - sizeof(pair[i].m));
	}
}

static void test_blob_match_same_compares_size_name_revision_data(void **state)
{
	const struct xt_entry_match *a = &pair[0].m, *b = &pair[1].m;

	(void)state;
	pair_set(sizeof(*a) + 8, "tcp", 0);
	assert_true(ipts_match_same(a, b));
	pair[1].bytes[sizeof(*a) + 7] ^= 1;	/* the last byte of data */
	assert_false(ipts_match_same(a, b));
	pair_set(sizeof(*a) + 8, "tcp", 0);
	pair[1].bytes[sizeof(*a) + 8] ^= 1;	/* past it: not compared */
	assert_true(ipts_match_same(a, b));
	pair[1].m.u.match_size = sizeof(*a) + 16;
	assert_false(ipts_match_same(a, b));
	pair_set(sizeof(*a) + 8, "tcp", 0);
	pair[1].m.u.user.revision = 1;
	assert_false(ipts_match_same(a, b));
	pair_set(sizeof(*a) + 8, "tcp", 0);
	strcpy(pair[1].m.u.user.name, "udp");
	assert_false(ipts_match_same(a, b));
}

/* A name filling its field is compared within it; a size short of the
 * header compares no data. */
static void test_blob_match_same_on_odd_blobs(void **state)
{
	const struct xt_entry_match *a = &pair[0].m, *b = &pair[1].m;

	(void)state;
	pair_set(sizeof(*a), "tcp", 0);
	memset(pair[0].m.u.user.name, 'x', sizeof(a->u.user.name));
	memset(pair[1].m.u.user.name, 'x', sizeof(b->u.user.name));
	assert_true(ipts_match_same(a, b));
	pair[1].m.u.user.name[sizeof(b->u.user.name) - 1] = 'y';
	assert_false(ipts_match_same(a, b));
	pair_set(sizeof(*a) - 1, "tcp", 0);
	pair[1].bytes[sizeof(*a)] ^= 1;
	assert_true(ipts_match_same(a, b));
}

static void test_blob_target_same(void **state)
{
	const struct xt_entry_target *a = &pair[0].t, *b = &pair[1].t;

	(void)state;
	pair_set(sizeof(*a) + 4, "MARK", 2);
	assert_true(ipts_target_same(a, b));
	pair[1].bytes[sizeof(*a) + 3] ^= 1;
	assert_false(ipts_target_same(a, b));
	pair_set(sizeof(*a) + 4, "MARK", 2);
	pair[1].bytes[sizeof(*a) + 4] ^= 1;
	assert_true(ipts_target_same(a, b));
	pair[1].t.u.target_size = sizeof(*a) + 8;
	assert_false(ipts_target_same(a, b));
	pair_set(sizeof(*a) + 4, "MARK", 2);
	pair[1].t.u.user.revision = 1;
	assert_false(ipts_target_same(a, b));
	pair_set(sizeof(*a) + 4, "MARK", 2);
	strcpy(pair[1].t.u.user.name, "CONNMARK");
	assert_false(ipts_target_same(a, b));
	pair_set(sizeof(*a) - 1, "MARK", 2);	/* no data at all */
	pair[1].bytes[sizeof(*a)] ^= 1;
	assert_true(ipts_target_same(a, b));
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
		cmocka_unit_test(
			test_blob_match_same_compares_size_name_revision_data),
		cmocka_unit_test(test_blob_match_same_on_odd_blobs),
		cmocka_unit_test(test_blob_target_same),
		cmocka_unit_test_setup_teardown(
			test_blob_parsed_tcp_match_is_whole, fixture_setup,
			fixture_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
