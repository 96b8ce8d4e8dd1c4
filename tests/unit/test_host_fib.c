/*
 * test_host_fib.c - route lookup on a described host (host/fib.c):
 * longest prefix, lowest metric, route types and what a local connect()
 * gets for each, source selection, and policy rules that make the
 * answer undetermined. The host is facts.sh's router "r", and each
 * expectation is what the kernel answered there (tests/host/facts.out).
 */
#include "host_fixture.h"

#include <errno.h>
#include <string.h>

static void add(struct host_fx *f, int (*fn)(struct ipts_hostdesc *,
					     const char *,
					     struct ipts_diags *),
		const char *text)
{
	if (fn(f->h, text, &f->d) < 0) {
		fixture_print_diags(&f->d);
		fail_msg("'%s' not added", text);
	}
}

static int setup_r(void **state)
{
	struct host_fx *f;

	if (host_fx_setup(state) < 0)
		return -1;
	f = *state;
	add(f, ipts_hostdesc_add_iface, "r1=10.0.1.1/24");
	add(f, ipts_hostdesc_add_iface, "r1=10.0.1.9/24");
	add(f, ipts_hostdesc_add_iface, "r2=10.0.2.1/24");
	add(f, ipts_hostdesc_add_iface, "r2=10.0.5.1/31");
	add(f, ipts_hostdesc_add_iface, "r2=10.0.6.1/32");
	add(f, ipts_hostdesc_add_route, "blackhole 203.0.113.0/25");
	add(f, ipts_hostdesc_add_route, "prohibit 203.0.113.128/26");
	add(f, ipts_hostdesc_add_route, "unreachable 203.0.113.192/26");
	add(f, ipts_hostdesc_add_route, "throw 198.51.100.0/24");
	add(f, ipts_hostdesc_add_route, "192.0.2.0/24 via 10.0.2.2 metric 10");
	add(f, ipts_hostdesc_add_route, "192.0.2.0/24 via 10.0.1.2 metric 5");
	add(f, ipts_hostdesc_add_route, "198.18.0.0/15 via 10.0.5.0 dev r2");
	return 0;
}

static void out(struct host_fx *f, const char *dst, struct ipts_fib_result *r)
{
	struct ipts_fib_flow fl = { .daddr = ip4(dst) };

	ipts_fib_route_output(f->h, &fl, r, NULL);
}

/* connect() per route type (facts.out): blackhole EINVAL, prohibit
 * EACCES, unreachable EHOSTUNREACH, a throw with nothing after it and
 * no route at all ENETUNREACH. */
static void test_host_fib_connect_errors(void **state)
{
	struct host_fx *f = *state;
	struct ipts_fib_result r;

	out(f, "203.0.113.1", &r);
	assert_int_equal(r.type, IPTS_RTN_BLACKHOLE);
	assert_int_equal(r.err, EINVAL);
	out(f, "203.0.113.129", &r);
	assert_int_equal(r.err, EACCES);
	out(f, "203.0.113.193", &r);
	assert_int_equal(r.err, EHOSTUNREACH);
	out(f, "198.51.100.1", &r);
	assert_int_equal(r.status, IPTS_FIB_NOROUTE);
	assert_int_equal(r.err, ENETUNREACH);
	out(f, "8.8.8.8", &r);
	assert_int_equal(r.status, IPTS_FIB_NOROUTE);
	assert_int_equal(r.err, ENETUNREACH);
}

/* "192.0.2.7 via 10.0.1.2 dev r1 src 10.0.1.1": metric 5 beats 10. */
static void test_host_fib_lowest_metric(void **state)
{
	struct host_fx *f = *state;
	struct ipts_fib_result r;

	out(f, "192.0.2.7", &r);
	assert_int_equal(r.status, IPTS_FIB_OK);
	assert_int_equal(r.err, 0);
	assert_int_equal(r.gateway, ip4("10.0.1.2"));
	assert_string_equal(r.dev->name, "r1");
	assert_int_equal(r.src, ip4("10.0.1.1"));
}

static void test_host_fib_longest_prefix(void **state)
{
	struct host_fx *f = *state;
	struct ipts_fib_result r;

	add(f, ipts_hostdesc_add_route, "default via 10.0.2.2 dev r2");
	add(f, ipts_hostdesc_add_route, "192.0.2.128/25 via 10.0.2.3 "
	    "metric 99");
	out(f, "192.0.2.200", &r);
	assert_int_equal(r.gateway, ip4("10.0.2.3"));
	out(f, "192.0.2.20", &r);
	assert_int_equal(r.gateway, ip4("10.0.1.2"));
	out(f, "8.8.8.8", &r);
	assert_int_equal(r.gateway, ip4("10.0.2.2"));
	assert_int_equal(r.src, ip4("10.0.2.1"));
	/* the throw still ends main's part: on to table default, empty */
	out(f, "198.51.100.1", &r);
	assert_int_equal(r.err, ENETUNREACH);
}

/* "10.0.1.77 dev r1 src 10.0.1.1", "10.0.2.77 dev r2 src 10.0.2.1",
 * "local 10.0.1.9 dev lo src 10.0.1.1" (the local route's prefsrc is
 * the primary), "198.18.0.1 via 10.0.5.0 dev r2 src 10.0.5.1" (the
 * address whose subnet holds the gateway). */
static void test_host_fib_source_selection(void **state)
{
	struct host_fx *f = *state;
	struct ipts_fib_result r;

	out(f, "10.0.1.77", &r);
	assert_string_equal(r.dev->name, "r1");
	assert_int_equal(r.src, ip4("10.0.1.1"));
	assert_int_equal(r.gateway, 0);
	out(f, "10.0.2.77", &r);
	assert_int_equal(r.src, ip4("10.0.2.1"));
	out(f, "10.0.1.9", &r);
	assert_int_equal(r.type, IPTS_RTN_LOCAL);
	assert_string_equal(r.dev->name, "lo");
	assert_int_equal(r.src, ip4("10.0.1.1"));
	out(f, "198.18.0.1", &r);
	assert_int_equal(r.src, ip4("10.0.5.1"));
	out(f, "127.0.0.1", &r);
	assert_int_equal(r.type, IPTS_RTN_LOCAL);
	assert_int_equal(r.src, ip4("127.0.0.1"));
}

/* inet_select_addr(): a route without prefsrc on a device with no
 * address in scope takes the first global primary of another device. */
static void test_host_fib_select_addr_other_device(void **state)
{
	struct host_fx *f = *state;
	struct ipts_fib_result r;

	add(f, ipts_hostdesc_add_iface, "tun0=127.1.0.1/32");
	add(f, ipts_hostdesc_add_route, "100.100.0.0/16 dev tun0");
	out(f, "100.100.1.1", &r);
	assert_string_equal(r.dev->name, "tun0");
	assert_int_equal(r.src, ip4("10.0.1.1"));	/* r1, ifindex 2 */
}

static void test_host_fib_bound_source_kept(void **state)
{
	struct host_fx *f = *state;
	struct ipts_fib_flow fl = { .daddr = ip4("192.0.2.7"),
				    .saddr = ip4("10.0.2.1") };
	struct ipts_fib_result r;

	ipts_fib_route_output(f->h, &fl, &r, NULL);
	assert_int_equal(r.src, ip4("10.0.2.1"));
	assert_string_equal(r.dev->name, "r1");
}

/* The rules of a wg-quick host (tests/host/policy): 32764 "lookup main
 * suppress_prefixlength 0", 32765 "not fwmark 0xca6c lookup 51820" may
 * apply: undetermined, with the rule named. */
static void test_host_fib_policy_rule_undetermined(void **state)
{
	struct host_fx *f = *state;
	struct ipts_fib_flow fl = { .daddr = ip4("8.8.8.8") };
	struct ipts_fib_result r;
	struct ipts_host_facts facts = { 0 };
	struct ipts_hostdesc *h = ipts_hostdesc_new();

	assert_int_equal(ipts_hostdesc_read_dir(h, host_fx_fixture("policy"),
						&f->d), 0);
	ipts_fib_route_output(h, &fl, &r, &facts);
	assert_int_equal(r.status, IPTS_FIB_UNDETERMINED);
	assert_non_null(strstr(r.why, "32764"));
	assert_non_null(strstr(r.why, "suppress_prefixlen"));
	assert_string_equal(facts.v[0].key, "ip rule");
	assert_true(facts.v[0].given);
	ipts_hostdesc_free(h);
}

/* A rule whose selectors cannot match the flow is passed over, as
 * fib4_rule_match() does (facts.out: "a rule that cannot apply"). */
static void test_host_fib_rule_that_cannot_apply(void **state)
{
	struct host_fx *f = *state;
	struct ipts_hostdesc *h = ipts_hostdesc_new();
	struct ipts_fib_flow fl = { .daddr = ip4("10.0.0.7") };
	struct ipts_fib_result r;

	host_fx_write(f, "rule.json",
		      "[{\"priority\":0,\"src\":\"all\",\"table\":\"local\"},"
		      "{\"priority\":100,\"src\":\"10.77.0.0\",\"srclen\":16,"
		      "\"table\":\"100\"},"
		      "{\"priority\":101,\"src\":\"all\",\"iif\":\"eth9\","
		      "\"table\":\"100\"},"
		      "{\"priority\":32766,\"src\":\"all\",\"table\":\"main\"},"
		      "{\"priority\":32767,\"src\":\"all\",\"table\":"
		      "\"default\"}]");
	host_fx_write(f, "addr.json",
		      "[{\"ifindex\":2,\"ifname\":\"eth0\",\"flags\":[\"UP\"],"
		      "\"addr_info\":[{\"family\":\"inet\",\"local\":"
		      "\"10.0.0.1\",\"prefixlen\":24}]}]");
	ipts_hostdesc_free(f->h);
	f->h = h;
	assert_int_equal(host_fx_read(f), 0);
	ipts_fib_route_output(f->h, &fl, &r, NULL);
	assert_int_equal(r.status, IPTS_FIB_OK);
	assert_string_equal(r.dev->name, "eth0");
	/* from the rule's prefix, it may apply */
	fl.saddr = ip4("10.77.1.1");
	ipts_fib_lookup(f->h, &fl, &r, NULL);
	assert_int_equal(r.status, IPTS_FIB_UNDETERMINED);
	assert_non_null(strstr(r.why, "100: from 10.77.0.0"));
	/* arriving on eth9, so does the iif rule */
	fl.saddr = ip4("10.0.0.9");
	fl.iif = "eth9";
	ipts_fib_lookup(f->h, &fl, &r, NULL);
	assert_int_equal(r.status, IPTS_FIB_UNDETERMINED);
	assert_non_null(strstr(r.why, "101:"));
}

static void test_host_fib_default_rules_assumed(void **state)
{
	struct host_fx *f = *state;
	struct ipts_fib_flow fl = { .daddr = ip4("10.0.1.5") };
	struct ipts_host_facts facts = { 0 };
	struct ipts_fib_result r;

	ipts_fib_lookup(f->h, &fl, &r, &facts);
	assert_int_equal(r.status, IPTS_FIB_OK);
	assert_string_equal(facts.v[0].key, "ip rule");
	assert_false(facts.v[0].given);
}

static void test_host_fib_addr_type(void **state)
{
	struct host_fx *f = *state;

	assert_int_equal(ipts_host_addr_type(f->h, ip4("10.0.1.9")),
			 IPTS_RTN_LOCAL);
	assert_int_equal(ipts_host_addr_type(f->h, ip4("127.3.4.5")),
			 IPTS_RTN_LOCAL);
	assert_int_equal(ipts_host_addr_type(f->h, ip4("10.0.1.255")),
			 IPTS_RTN_BROADCAST);
	assert_int_equal(ipts_host_addr_type(f->h, ip4("10.0.1.0")),
			 IPTS_RTN_UNICAST);
	assert_int_equal(ipts_host_addr_type(f->h, ip4("224.0.0.1")),
			 IPTS_RTN_MULTICAST);
	assert_int_equal(ipts_host_addr_type(f->h, ip4("8.8.8.8")),
			 IPTS_RTN_UNICAST);
}

/* The router fixture's own routes, read from route.json. */
static void test_host_fib_router_fixture(void **state)
{
	struct host_fx *f = *state;
	struct ipts_hostdesc *h = ipts_hostdesc_new();
	struct ipts_fib_flow fl = { .daddr = ip4("198.51.100.9") };
	struct ipts_fib_result r;

	assert_int_equal(ipts_hostdesc_read_dir(h, host_fx_fixture("router"),
						&f->d), 0);
	ipts_fib_route_output(h, &fl, &r, NULL);
	assert_int_equal(r.gateway, ip4("10.0.1.254"));
	assert_int_equal(r.src, ip4("10.0.1.1"));
	fl.daddr = ip4("1.1.1.1");
	ipts_fib_route_output(h, &fl, &r, NULL);
	assert_string_equal(r.dev->name, "eth0");
	assert_int_equal(r.src, ip4("192.0.2.10"));
	fl.daddr = ip4("203.0.113.200");
	ipts_fib_route_output(h, &fl, &r, NULL);
	assert_int_equal(r.err, EHOSTUNREACH);
	ipts_hostdesc_free(h);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
#define T(n) cmocka_unit_test_setup_teardown(n, setup_r, host_fx_teardown)
		T(test_host_fib_connect_errors),
		T(test_host_fib_lowest_metric),
		T(test_host_fib_longest_prefix),
		T(test_host_fib_source_selection),
		T(test_host_fib_select_addr_other_device),
		T(test_host_fib_bound_source_kept),
		T(test_host_fib_policy_rule_undetermined),
		T(test_host_fib_rule_that_cannot_apply),
		T(test_host_fib_default_rules_assumed),
		T(test_host_fib_addr_type),
		T(test_host_fib_router_fixture),
#undef T
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
