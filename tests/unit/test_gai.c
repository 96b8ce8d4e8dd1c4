/*
 * test_gai.c - a name's addresses in getaddrinfo()'s order (cli/gai.c):
 * the hosts(5) lines of the name in the file's order (aliases, case,
 * comments, duplicates kept), and glibc 2.36's sort of the host's own
 * addresses, each pair as getaddrinfo() ordered it in a namespace with
 * the addresses on lo (tests/names/gai_order.sh checks the same against
 * the real glibc); and the client's outcome over the legs (cli/legs.c).
 */
#include "fixture.h"

#include <string.h>

#include "gai.h"
#include "fallback.h"

/* The sorted addresses of @name in @hosts, as "a b c". */
static void order(const char *hosts, const char *name, char *out, size_t len)
{
	struct ipts_gai_addr a[8];
	unsigned int n, i;

	n = ipts_gai_hosts(hosts, strlen(hosts), name, a, 8);
	assert_true(n <= 8);
	ipts_gai_sort(a, n);
	out[0] = '\0';
	for (i = 0; i < n; i++) {
		if (i)
			strncat(out, " ", len - strlen(out) - 1);
		strncat(out, a[i].text, len - strlen(out) - 1);
	}
}

#define assert_order(hosts, name, want)                 \
	do {                                            \
		char got_[256];                         \
                                                        \
		order(hosts, name, got_, sizeof(got_)); \
		assert_string_equal(got_, want);        \
	} while (0)

static void test_gai_debian_localhost_is_v6_first(void **state)
{
	(void)state;
	assert_order(ipts_gai_debian_hosts, "localhost", "::1 127.0.0.1");
	assert_order(ipts_gai_debian_hosts, "LocalHost", "::1 127.0.0.1");
	assert_order(ipts_gai_debian_hosts, "ip6-loopback", "::1");
	assert_order(ipts_gai_debian_hosts, "ip6-allnodes", "ff02::1");
	assert_order(ipts_gai_debian_hosts, "vm", "");
}

static void test_gai_hosts_lines(void **state)
{
	const char *h = "# comment naming a\n"
			"10.0.0.1 a b # a comment names a too\n"
			"  \t10.0.0.2\ta\r\n"
			"not-an-address a\n"
			"10.0.0.3\n"
			"10.0.0.1 a\n"
			"10.0.0.4 ab a";

	(void)state;
	/* file order, duplicates kept; the last line has no newline */
	assert_order(h, "a", "10.0.0.1 10.0.0.2 10.0.0.1 10.0.0.4");
	assert_order(h, "b", "10.0.0.1");
	assert_order(h, "comment", "");
}

static void test_gai_one_of_each_family(void **state)
{
	(void)state;
	/* rule 6: any IPv6 (40) before IPv4 (10), whatever the file says */
	assert_order("192.0.2.10 dual\n2001:db8::10 dual\n", "dual",
		     "2001:db8::10 192.0.2.10");
	/* glibc's table, not RFC 6724's: a ULA is before IPv4 */
	assert_order("192.0.2.11 ula\nfd00::5 ula\n", "ula",
		     "fd00::5 192.0.2.11");
	/* 6to4 (30) is still before IPv4 */
	assert_order("192.0.2.3 six\n2002::1 six\n", "six",
		     "2002::1 192.0.2.3");
	/* 127.0.0.1 before ::ffff:127.0.0.1 (scope, rule 8), after ::1 */
	assert_order("::ffff:127.0.0.1 m\n127.0.0.1 m\n::1 m\n", "m",
		     "::1 127.0.0.1 ::ffff:127.0.0.1");
}

static void test_gai_same_family(void **state)
{
	(void)state;
	/* rule 9 in 127/8: more bits shared with 127.0.0.1 first */
	assert_order("127.0.0.2 lb\n127.0.0.1 lb\n", "lb",
		     "127.0.0.1 127.0.0.2");
	assert_order("127.1.0.0 lc\n127.0.0.3 lc\n", "lc",
		     "127.0.0.3 127.1.0.0");
	/* global IPv4 of the host: the file's order (rule 10) */
	assert_order("192.0.2.20 o\n192.0.2.3 o\n", "o",
		     "192.0.2.20 192.0.2.3");
	/* rule 8: 127/8 (link-local scope) before a global address */
	assert_order("192.0.2.3 s\n127.0.0.5 s\n", "s", "127.0.0.5 192.0.2.3");
	/* rule 8: site-local fec0::/10 before global */
	assert_order("2001:db8::2 sl\nfec0::1 sl\n", "sl",
		     "fec0::1 2001:db8::2");
	/* rule 1: a link-local address without a zone has no source */
	assert_order("fe80::1 ll\n2001:db8::1 ll\n", "ll",
		     "2001:db8::1 fe80::1");
}

static void test_gai_literal(void **state)
{
	struct ipts_gai_addr a;

	(void)state;
	assert_true(ipts_gai_literal("::1", &a));
	assert_int_equal(a.family, AF_INET6);
	assert_true(ipts_gai_literal("127.0.0.1", &a));
	assert_int_equal(a.family, AF_INET);
	assert_false(ipts_gai_literal("localhost", &a));
	assert_false(ipts_gai_literal("fe80::1%lo", &a));
}

static void test_legs_client_tries_in_order(void **state)
{
	struct ipts_legs_client c;
	enum ipts_outcome o[3];

	(void)state;
	/* a dropped SYN waits the whole connect() timeout, then the next */
	o[0] = IPTS_TIMEOUT;
	o[1] = IPTS_CONNECTED;
	ipts_legs_client_of(o, 2, false, &c);
	assert_int_equal(c.outcome, IPTS_CONNECTED);
	assert_int_equal(c.leg, 1);
	assert_int_equal(c.wait_s, IPTS_SYN_TIMEOUT_S);
	/* a refusal sends it on at once */
	o[0] = IPTS_REFUSED;
	ipts_legs_client_of(o, 2, false, &c);
	assert_int_equal(c.outcome, IPTS_CONNECTED);
	assert_int_equal(c.wait_s, 0);
	/* the first connected leg ends it */
	o[0] = IPTS_CONNECTED;
	o[1] = IPTS_TIMEOUT;
	ipts_legs_client_of(o, 2, false, &c);
	assert_int_equal(c.leg, 0);
	/* every leg fails: the last error, after every wait */
	o[0] = IPTS_TIMEOUT;
	o[1] = IPTS_TIMEOUT;
	o[2] = IPTS_REFUSED;
	ipts_legs_client_of(o, 3, false, &c);
	assert_int_equal(c.outcome, IPTS_REFUSED);
	assert_int_equal(c.leg, 2);
	assert_int_equal(c.wait_s, 2 * IPTS_SYN_TIMEOUT_S);
	/* an undetermined leg stops the walk: never connected past it */
	o[0] = IPTS_UNDETERMINED;
	o[1] = IPTS_CONNECTED;
	ipts_legs_client_of(o, 2, false, &c);
	assert_int_equal(c.outcome, IPTS_UNDETERMINED);
	assert_int_equal(c.leg, 0);
	/* UDP: the first address only */
	o[0] = IPTS_DROPPED;
	o[1] = IPTS_DELIVERED;
	ipts_legs_client_of(o, 2, true, &c);
	assert_int_equal(c.outcome, IPTS_DROPPED);
	assert_int_equal(c.leg, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_gai_debian_localhost_is_v6_first),
		cmocka_unit_test(test_gai_hosts_lines),
		cmocka_unit_test(test_gai_one_of_each_family),
		cmocka_unit_test(test_gai_same_family),
		cmocka_unit_test(test_gai_literal),
		cmocka_unit_test(test_legs_client_tries_in_order),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
