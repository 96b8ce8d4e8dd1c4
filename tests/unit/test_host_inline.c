/*
 * test_host_inline.c - --iface, --route and --sysctl (host/inline.c):
 * what each adds to a host, how they combine with a directory (an
 * address after the directory's, a route replacing one of the same
 * table, prefix and metric, a sysctl overriding), and their errors,
 * each at its column.
 */
#include "host_fixture.h"

#include <string.h>

static const struct ipts_host_route *find_route(const struct ipts_hostdesc *h,
						uint32_t table,
						const char *dst, int len,
						size_t *count)
{
	const struct ipts_host_route *found = NULL;
	size_t i;

	*count = 0;
	for (i = 0; i < ipts_hostdesc_route_count(h); i++) {
		const struct ipts_host_route *r = ipts_hostdesc_route_at(h, i);

		if (r->table == table && r->dst == ip4(dst) &&
		    r->dst_len == len) {
			found = r;
			(*count)++;
		}
	}
	return found;
}

static void ok(struct host_fx *f, int rc)
{
	if (rc < 0) {
		fixture_print_diags(&f->d);
		fail();
	}
}

static void err_at(struct host_fx *f, int rc, unsigned int col,
		   const char *needle)
{
	assert_int_equal(rc, -1);
	if (!fixture_find_diag(&f->d, IPTS_ERROR, NULL, 1, col, needle)) {
		fixture_print_diags(&f->d);
		fail_msg("no error at column %u with '%s'", col, needle);
	}
}

static void test_host_inline_iface(void **state)
{
	struct host_fx *f = *state;
	const struct ipts_host_iface *e;
	const struct ipts_host_route *r;
	size_t n;

	ok(f, ipts_hostdesc_add_iface(f->h, "eth0=192.0.2.10/24", &f->d));
	ok(f, ipts_hostdesc_add_iface(f->h, "eth0=192.0.2.11/24", &f->d));
	ok(f, ipts_hostdesc_add_iface(f->h, "eth0=198.51.100.1/24", &f->d));
	e = ipts_hostdesc_iface(f->h, "eth0");
	assert_int_equal(e->naddrs, 3);
	assert_false(e->addrs[0].secondary);
	assert_true(e->addrs[1].secondary);	/* same subnet, after */
	assert_false(e->addrs[2].secondary);	/* primary of its own */
	r = find_route(f->h, IPTS_RT_TABLE_MAIN, "192.0.2.0", 24, &n);
	assert_int_equal(n, 1);
	assert_int_equal(r->prefsrc, ip4("192.0.2.10"));
	assert_int_equal(r->scope, IPTS_SCOPE_LINK);
	r = find_route(f->h, IPTS_RT_TABLE_LOCAL, "192.0.2.11", 32, &n);
	assert_int_equal(r->type, IPTS_RTN_LOCAL);
	assert_int_equal(r->prefsrc, ip4("192.0.2.10"));
	find_route(f->h, IPTS_RT_TABLE_LOCAL, "192.0.2.255", 32, &n);
	assert_int_equal(n, 1);
}

static void test_host_inline_iface_peer(void **state)
{
	struct host_fx *f = *state;
	const struct ipts_host_iface *e;
	size_t n;

	ok(f, ipts_hostdesc_add_iface(f->h, "ppp0=100.64.0.2 peer 100.64.0.1",
				      &f->d));
	e = ipts_hostdesc_iface(f->h, "ppp0");
	assert_true(e->addrs[0].has_peer);
	assert_int_equal(e->addrs[0].prefixlen, 32);
	/* as the kernel: "100.64.0.1 dev ppp0 proto kernel scope link
	 * src 100.64.0.2" (tests/host/ppp/route.json) */
	assert_non_null(find_route(f->h, IPTS_RT_TABLE_MAIN, "100.64.0.1", 32,
				   &n));
	assert_int_equal(n, 1);
}

static void test_host_inline_iface_errors(void **state)
{
	struct host_fx *f = *state;

	err_at(f, ipts_hostdesc_add_iface(f->h, "eth0", &f->d), 1,
	       "expected NAME=ADDR/LEN");
	err_at(f, ipts_hostdesc_add_iface(f->h, "eth0=10.0.0.300/24", &f->d),
	       6, "not ADDR/LEN");
	err_at(f, ipts_hostdesc_add_iface(f->h, "eth0=10.0.0.1/33", &f->d), 6,
	       "not ADDR/LEN");
	err_at(f, ipts_hostdesc_add_iface(f->h, "a/b=10.0.0.1/8", &f->d), 1,
	       "not an interface name");
	err_at(f, ipts_hostdesc_add_iface(f->h, "sixteen-bytes-xx=10.0.0.1/8",
					  &f->d), 1, "not an interface name");
	err_at(f, ipts_hostdesc_add_iface(f->h, "ppp0=10.0.0.1 pear 10.0.0.2",
					  &f->d), 15, "expected 'peer");
	err_at(f, ipts_hostdesc_add_iface(f->h, "ppp0=10.0.0.1 peer", &f->d),
	       19, "peer's address");
	assert_null(ipts_hostdesc_iface(f->h, "eth0"));
	assert_null(ipts_hostdesc_iface(f->h, "ppp0"));
}

static void test_host_inline_routes(void **state)
{
	struct host_fx *f = *state;
	const struct ipts_host_route *r;
	size_t n;

	ok(f, ipts_hostdesc_add_iface(f->h, "eth0=192.0.2.10/24", &f->d));
	ok(f, ipts_hostdesc_add_iface(f->h, "eth1=10.0.1.1/24", &f->d));
	ok(f, ipts_hostdesc_add_route(f->h, "default via 192.0.2.1 dev eth0",
				      &f->d));
	ok(f, ipts_hostdesc_add_route(f->h, "198.51.100.0/24 via 10.0.1.254 "
				      "dev eth1 src 10.0.1.1 metric 100",
				      &f->d));
	ok(f, ipts_hostdesc_add_route(f->h, "blackhole 203.0.113.0/25",
				      &f->d));
	ok(f, ipts_hostdesc_add_route(f->h, "prohibit 203.0.113.128/26 "
				      "table 100", &f->d));
	ok(f, ipts_hostdesc_add_route(f->h, "10.9.0.0/16 via 10.0.1.7",
				      &f->d));
	r = find_route(f->h, IPTS_RT_TABLE_MAIN, "0.0.0.0", 0, &n);
	assert_int_equal(r->gateway, ip4("192.0.2.1"));
	assert_string_equal(ipts_hostdesc_iface_at(f->h, (size_t)r->dev)->name,
			    "eth0");
	assert_int_equal(r->scope, IPTS_SCOPE_UNIVERSE);
	r = find_route(f->h, IPTS_RT_TABLE_MAIN, "198.51.100.0", 24, &n);
	assert_int_equal(r->metric, 100);
	assert_int_equal(r->prefsrc, ip4("10.0.1.1"));
	r = find_route(f->h, IPTS_RT_TABLE_MAIN, "203.0.113.0", 25, &n);
	assert_int_equal(r->type, IPTS_RTN_BLACKHOLE);
	assert_int_equal(r->dev, -1);
	r = find_route(f->h, 100, "203.0.113.128", 26, &n);
	assert_int_equal(r->type, IPTS_RTN_PROHIBIT);
	/* no dev: the gateway's connected route gives it (fib_check_nh) */
	r = find_route(f->h, IPTS_RT_TABLE_MAIN, "10.9.0.0", 16, &n);
	assert_string_equal(ipts_hostdesc_iface_at(f->h, (size_t)r->dev)->name,
			    "eth1");
}

/* An inline route with the table, prefix and metric of one of the
 * directory's replaces it; another metric is one more route. */
static void test_host_inline_route_replaces_dir(void **state)
{
	struct host_fx *f = *state;
	const struct ipts_host_route *r;
	size_t n;

	assert_int_equal(ipts_hostdesc_read_dir(f->h,
						host_fx_fixture("router"),
						&f->d), 0);
	ok(f, ipts_hostdesc_add_route(f->h, "default via 10.0.1.254 dev eth1",
				      &f->d));
	r = find_route(f->h, IPTS_RT_TABLE_MAIN, "0.0.0.0", 0, &n);
	assert_int_equal(n, 1);
	assert_int_equal(r->gateway, ip4("10.0.1.254"));
	assert_int_equal(r->origin, IPTS_HOST_INLINE);
	ok(f, ipts_hostdesc_add_route(f->h, "default via 192.0.2.1 dev eth0 "
				      "metric 50", &f->d));
	find_route(f->h, IPTS_RT_TABLE_MAIN, "0.0.0.0", 0, &n);
	assert_int_equal(n, 2);
	/* an inline address comes after the directory's */
	ok(f, ipts_hostdesc_add_iface(f->h, "eth1=10.0.1.3/24", &f->d));
	assert_int_equal(ipts_hostdesc_iface(f->h, "eth1")->naddrs, 3);
	assert_true(ipts_hostdesc_iface(f->h, "eth1")->addrs[2].secondary);
}

static void test_host_inline_route_errors(void **state)
{
	struct host_fx *f = *state;

	ok(f, ipts_hostdesc_add_iface(f->h, "eth0=192.0.2.10/24", &f->d));
	err_at(f, ipts_hostdesc_add_route(f->h, "10.0.0.1/8 dev eth0", &f->d),
	       1, "not a prefix");
	err_at(f, ipts_hostdesc_add_route(f->h, "default via 192.0.2.1 dev "
					  "eth9", &f->d), 27,
	       "unknown interface 'eth9'");
	err_at(f, ipts_hostdesc_add_route(f->h, "default via 192.0.2.1 dev "
					  "eth0 metrc 5", &f->d), 32,
	       "unknown word 'metrc'");
	err_at(f, ipts_hostdesc_add_route(f->h, "default via 192.0.2.1 dev "
					  "eth0 metric", &f->d), 38,
	       "expected a value after 'metric'");
	err_at(f, ipts_hostdesc_add_route(f->h, "default via 10.1.1.1",
					  &f->d), 1, "connected");
	err_at(f, ipts_hostdesc_add_route(f->h, "10.2.0.0/16 dev eth0 src "
					  "10.2.0.1", &f->d), 26,
	       "no address of the host");
	err_at(f, ipts_hostdesc_add_route(f->h, "10.2.0.0/16", &f->d), 12,
	       "needs 'dev IFACE'");
	err_at(f, ipts_hostdesc_add_route(f->h, "10.2.0.0/16 dev eth0 table "
					  "nosuch", &f->d), 28,
	       "unknown table");
}

static void test_host_inline_sysctl(void **state)
{
	struct host_fx *f = *state;
	struct ipts_host_facts facts = { 0 };

	assert_int_equal(ipts_hostdesc_read_dir(f->h,
						host_fx_fixture("router"),
						&f->d), 0);
	assert_int_equal(ipts_hostdesc_sysctl(f->h, "all",
					      IPTS_KNOB_RP_FILTER, NULL), 1);
	ok(f, ipts_hostdesc_add_sysctl(f->h, "net.ipv4.conf.all.rp_filter=0",
				       &f->d));
	ok(f, ipts_hostdesc_add_sysctl(f->h, "net.ipv4.conf.eth0.rp_filter=2",
				       &f->d));
	ok(f, ipts_hostdesc_add_sysctl(f->h,
				       "net.ipv4.conf.eth0/2.route_localnet=1",
				       &f->d));
	assert_int_equal(ipts_hostdesc_sysctl(f->h, "all",
					      IPTS_KNOB_RP_FILTER, &facts), 0);
	assert_true(facts.v[0].given);
	assert_int_equal(ipts_hostdesc_sysctl(f->h, "eth0",
					      IPTS_KNOB_RP_FILTER, NULL), 2);
	assert_int_equal(ipts_hostdesc_sysctl(f->h, "eth0.2",
					      IPTS_KNOB_ROUTE_LOCALNET, NULL),
			 1);
}

static void test_host_inline_sysctl_errors(void **state)
{
	struct host_fx *f = *state;

	err_at(f, ipts_hostdesc_add_sysctl(f->h, "net.ipv4.ip_forward", &f->d),
	       1, "expected KEY=VALUE");
	err_at(f, ipts_hostdesc_add_sysctl(f->h, "net.ipv4.ip_forward=yes",
					   &f->d), 21, "not an integer");
	err_at(f, ipts_hostdesc_add_sysctl(f->h, "net.ipv4.ip_forwad=1",
					   &f->d), 1, "unknown sysctl");
	assert_int_equal(ipts_hostdesc_sysctl(f->h, "all",
					      IPTS_KNOB_FORWARDING, NULL), 0);
}

/*
 * Not given, a sysctl is what the kernel holds (tests/host/facts.out,
 * "a fresh namespace": all 0; "a new interface copies conf.default";
 * "forwarding off on the ingress device": after ip_forward=1 every
 * device and conf.default read 1).
 */
static void test_host_inline_sysctl_defaults(void **state)
{
	struct host_fx *f = *state;
	struct ipts_host_facts facts = { 0 };

	assert_int_equal(ipts_hostdesc_sysctl(f->h, "eth0",
					      IPTS_KNOB_FORWARDING, &facts), 0);
	assert_false(facts.v[0].given);
	assert_string_equal(facts.v[0].via, "");
	ok(f, ipts_hostdesc_add_sysctl(f->h, "net.ipv4.ip_forward=1", &f->d));
	ok(f, ipts_hostdesc_add_sysctl(f->h,
				       "net.ipv4.conf.default.rp_filter=2",
				       &f->d));
	facts.n = 0;
	assert_int_equal(ipts_hostdesc_sysctl(f->h, "eth0",
					      IPTS_KNOB_FORWARDING, &facts), 1);
	assert_false(facts.v[0].given);
	assert_string_equal(facts.v[0].key, "net.ipv4.conf.eth0.forwarding");
	assert_string_equal(facts.v[0].via, "net.ipv4.ip_forward");
	assert_int_equal(ipts_hostdesc_sysctl(f->h, "default",
					      IPTS_KNOB_FORWARDING, NULL), 1);
	assert_int_equal(ipts_hostdesc_sysctl(f->h, "eth0",
					      IPTS_KNOB_RP_FILTER, &facts), 2);
	assert_string_equal(facts.v[1].via, "net.ipv4.conf.default.rp_filter");
	assert_int_equal(ipts_hostdesc_sysctl(f->h, "all",
					      IPTS_KNOB_RP_FILTER, NULL), 0);
	ok(f, ipts_hostdesc_add_sysctl(f->h, "net.ipv4.conf.eth0.forwarding=0",
				       &f->d));
	assert_int_equal(ipts_hostdesc_sysctl(f->h, "eth0",
					      IPTS_KNOB_FORWARDING, NULL), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
#define T(n) cmocka_unit_test_setup_teardown(n, host_fx_setup, host_fx_teardown)
		T(test_host_inline_iface),
		T(test_host_inline_iface_peer),
		T(test_host_inline_iface_errors),
		T(test_host_inline_routes),
		T(test_host_inline_route_replaces_dir),
		T(test_host_inline_route_errors),
		T(test_host_inline_sysctl),
		T(test_host_inline_sysctl_errors),
		T(test_host_inline_sysctl_defaults),
#undef T
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
