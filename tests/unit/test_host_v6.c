/*
 * test_host_v6.c - the described host's IPv6 side (host/host6.c and the
 * v6 parts of the readers): addr.json's inet6 addresses, route6.json and
 * rule6.json, --iface with an IPv6 address (the kernel's link-local and
 * routes), --route with an IPv6 line, --sysctl net.ipv6.conf.*.forwarding,
 * and net/ipv6's decisions on them: the lookup (longest prefix, metric,
 * local before main, the route types' errnos), the link-local zone, the
 * source address, ip6_rcv_core()'s drops and the forwarding decision.
 * Each expectation was seen in a namespace (host/host6.c's comment).
 */
#include "host_fixture.h"

#include <arpa/inet.h>
#include <errno.h>
#include <string.h>

static struct in6_addr a6(const char *s)
{
	struct in6_addr a;

	assert_int_equal(inet_pton(AF_INET6, s, &a), 1);
	return a;
}

static void ok(struct host_fx *f, int rc)
{
	if (rc < 0) {
		fixture_print_diags(&f->d);
		fail();
	}
}

static void err_at(struct host_fx *f, int rc, const char *file,
		   unsigned int line, unsigned int col, const char *needle)
{
	assert_int_equal(rc, -1);
	if (!fixture_find_diag(&f->d, IPTS_ERROR, file, line, col, needle)) {
		fixture_print_diags(&f->d);
		fail_msg("no error at %u:%u with '%s'", line, col, needle);
	}
}

static const struct ipts_host_route6 *route6(const struct ipts_hostdesc *h,
					     enum ipts_rtn type, uint32_t table,
					     const char *dst, int len)
{
	struct in6_addr d = a6(dst);
	size_t i;

	for (i = 0; i < ipts_hostdesc_route6_count(h); i++) {
		const struct ipts_host_route6 *r = ipts_hostdesc_route6_at(h,
									   i);

		if (r->type == type && r->table == table && r->dst_len == len &&
		    memcmp(&r->dst, &d, 16) == 0)
			return r;
	}
	return NULL;
}

static void fmt_eq(const struct in6_addr *a, const char *want)
{
	char buf[64];

	ipts_host6_fmt(buf, sizeof(buf), a, -1);
	assert_string_equal(buf, want);
}

/* --iface eth0=fd00:1::1/64: the address, its prefix and local routes,
 * and the kernel's link-local (assumed: no MAC) with fe80::/64 and
 * ff00::/8; lo has ::1 and its local route. */
static void test_v6_inline_iface(void **state)
{
	struct host_fx *f = *state;
	const struct ipts_host_iface *e, *lo;
	const struct ipts_host_route6 *r;

	ok(f, ipts_hostdesc_add_iface(f->h, "eth0=fd00:1::1/64", &f->d));
	e = ipts_hostdesc_iface(f->h, "eth0");
	assert_non_null(e);
	assert_int_equal(e->naddrs6, 2);
	fmt_eq(&e->addrs6[0].local, "fd00:1::1");
	assert_int_equal(e->addrs6[0].prefixlen, 64);
	assert_false(e->addrs6[0].assumed);
	/* ifindex 2: the EUI-64 of 02:00:00:00:00:02, said assumed */
	fmt_eq(&e->addrs6[1].local, "fe80::ff:fe00:2");
	assert_int_equal(e->addrs6[1].scope, IPTS_SCOPE_LINK);
	assert_true(e->addrs6[1].assumed);
	r = route6(f->h, IPTS_RTN_UNICAST, IPTS_RT_TABLE_MAIN, "fd00:1::", 64);
	assert_non_null(r);
	assert_int_equal(r->metric, 256);
	assert_true(r->proto_kernel);
	assert_non_null(route6(f->h, IPTS_RTN_UNICAST, IPTS_RT_TABLE_MAIN,
			       "fe80::", 64));
	assert_non_null(route6(f->h, IPTS_RTN_LOCAL, IPTS_RT_TABLE_LOCAL,
			       "fd00:1::1", 128));
	assert_non_null(route6(f->h, IPTS_RTN_LOCAL, IPTS_RT_TABLE_LOCAL,
			       "fe80::ff:fe00:2", 128));
	assert_non_null(route6(f->h, IPTS_RTN_MULTICAST, IPTS_RT_TABLE_LOCAL,
			       "ff00::", 8));
	lo = ipts_hostdesc_iface(f->h, "lo");
	assert_int_equal(lo->naddrs6, 1);
	fmt_eq(&lo->addrs6[0].local, "::1");
	assert_non_null(
		route6(f->h, IPTS_RTN_LOCAL, IPTS_RT_TABLE_LOCAL, "::1", 128));
	/* lo has no main route for ::1 (seen) */
	assert_null(
		route6(f->h, IPTS_RTN_UNICAST, IPTS_RT_TABLE_MAIN, "::1", 128));
	/* an IPv4 --iface brings the link-local too (the device is up) */
	ok(f, ipts_hostdesc_add_iface(f->h, "eth1=192.0.2.1/24", &f->d));
	assert_int_equal(ipts_hostdesc_iface(f->h, "eth1")->naddrs6, 1);
}

static void test_v6_inline_errors(void **state)
{
	struct host_fx *f = *state;

	err_at(f, ipts_hostdesc_add_iface(f->h, "eth0=fd00::zz/64", &f->d),
	       NULL, 1, 6, "not ADDR/LEN (an IPv6 address");
	err_at(f, ipts_hostdesc_add_iface(f->h, "eth0=fd00::1/129", &f->d),
	       NULL, 1, 6, "prefix length 0 to 128");
	err_at(f, ipts_hostdesc_add_iface(f->h, "eth0=ff02::1/64", &f->d), NULL,
	       1, 6, "not a unicast address");
	err_at(f,
	       ipts_hostdesc_add_iface(f->h, "eth0=fd00::1 peer fd00::2",
				       &f->d),
	       NULL, 1, 14, "takes no peer");
	ok(f, ipts_hostdesc_add_iface(f->h, "eth0=fd00:1::1/64", &f->d));
	err_at(f, ipts_hostdesc_add_iface(f->h, "eth0=fd00:1::1/64", &f->d),
	       NULL, 1, 6, "has this address already");
	err_at(f, ipts_hostdesc_add_route(f->h, "fd00:9::1/64 dev eth0", &f->d),
	       NULL, 1, 1, "not an IPv6 prefix");
	err_at(f, ipts_hostdesc_add_route(f->h, "default via fd00:7::1", &f->d),
	       NULL, 1, 1, "gateway is on no connected network");
	err_at(f, ipts_hostdesc_add_route(f->h, "default via fe80::1", &f->d),
	       NULL, 1, 1, "link-local gateway needs 'dev IFACE'");
	err_at(f, ipts_hostdesc_add_route(f->h, "fd00:9::/64 dev eth7", &f->d),
	       NULL, 1, 17, "unknown interface 'eth7'");
	err_at(f,
	       ipts_hostdesc_add_route(f->h, "fd00:9::/64 dev eth0 bogus 1",
				       &f->d),
	       NULL, 1, 22, "unknown word 'bogus'");
	err_at(f,
	       ipts_hostdesc_add_sysctl(f->h, "net.ipv6.conf.all.hop=1", &f->d),
	       NULL, 1, 1, "unknown sysctl");
}

/* A host with two interfaces and a few routes. */
static void router(struct host_fx *f)
{
	ok(f, ipts_hostdesc_add_iface(f->h, "eth0=fd00:1::1/64", &f->d));
	ok(f, ipts_hostdesc_add_iface(f->h, "eth1=fd00:2::1/64", &f->d));
	ok(f, ipts_hostdesc_add_route(f->h, "default via fd00:1::fe", &f->d));
	ok(f, ipts_hostdesc_add_route(f->h,
				      "fd00:3::/32 via fd00:2::fe "
				      "metric 10",
				      &f->d));
	ok(f, ipts_hostdesc_add_route(f->h,
				      "fd00:3::/32 via fd00:1::fe "
				      "metric 5",
				      &f->d));
	ok(f, ipts_hostdesc_add_route(f->h, "fd00:3:1::/48 via fd00:2::fe",
				      &f->d));
	ok(f, ipts_hostdesc_add_route(f->h, "unreachable fd00:91::/64", &f->d));
	ok(f, ipts_hostdesc_add_route(f->h, "prohibit fd00:92::/64", &f->d));
	ok(f, ipts_hostdesc_add_route(f->h, "blackhole fd00:93::/64", &f->d));
	ok(f, ipts_hostdesc_add_route(f->h, "throw fd00:94::/64", &f->d));
}

static void out(struct host_fx *f, const char *dst, const char *oif,
		struct ipts_fib6_result *r)
{
	struct ipts_fib6_flow fl = { .daddr = a6(dst), .oif = oif };

	ipts_fib6_route_output(f->h, &fl, r, NULL);
}

/* ip6_route_output(): longest prefix, then metric; local before main;
 * each reject type's errno (measured); the user routes' metric 1024. */
static void test_v6_fib_output(void **state)
{
	struct host_fx *f = *state;
	struct ipts_fib6_result r;

	router(f);
	out(f, "fd00:3:2::1", NULL, &r); /* /32: metric 5 wins */
	assert_int_equal(r.status, IPTS_FIB_OK);
	assert_string_equal(r.dev->name, "eth0");
	assert_int_equal(r.route->metric, 5);
	out(f, "fd00:3:1::1", NULL, &r); /* /48 beats /32 */
	assert_string_equal(r.dev->name, "eth1");
	assert_int_equal(r.route->metric, 1024);
	fmt_eq(&r.src, "fd00:2::1");
	out(f, "2001:db8::1", NULL, &r); /* default */
	assert_string_equal(r.dev->name, "eth0");
	fmt_eq(&r.gateway, "fd00:1::fe");
	fmt_eq(&r.src, "fd00:1::1");
	out(f, "fd00:2::1", NULL, &r); /* its own: local, lo */
	assert_int_equal(r.type, IPTS_RTN_LOCAL);
	assert_string_equal(r.dev->name, "lo");
	out(f, "fd00:91::1", NULL, &r);
	assert_int_equal(r.err, EHOSTUNREACH);
	out(f, "fd00:92::1", NULL, &r);
	assert_int_equal(r.err, EACCES);
	out(f, "fd00:93::1", NULL, &r);
	assert_int_equal(r.err, EINVAL);
	out(f, "fd00:94::1", NULL, &r); /* throw: main has no other */
	assert_int_equal(r.status, IPTS_FIB_NOROUTE);
	assert_int_equal(r.err, ENETUNREACH);
}

/* A link-local destination: EINVAL without a zone (measured, even with
 * one interface), the zone's device with one; the source is that
 * device's link-local. */
static void test_v6_link_local(void **state)
{
	struct host_fx *f = *state;
	struct ipts_fib6_result r;

	ok(f, ipts_hostdesc_add_iface(f->h, "eth0=fd00:1::1/64", &f->d));
	out(f, "fe80::5", NULL, &r);
	assert_int_equal(r.err, EINVAL);
	assert_null(r.route);
	ok(f, ipts_hostdesc_add_iface(f->h, "eth1=fd00:2::1/64", &f->d));
	out(f, "fe80::5", "eth1", &r);
	assert_int_equal(r.err, 0);
	assert_string_equal(r.dev->name, "eth1");
	fmt_eq(&r.src, "fe80::ff:fe00:3");
	out(f, "fe80::ff:fe00:2", "eth0", &r); /* its own, on eth0 */
	assert_int_equal(r.type, IPTS_RTN_LOCAL);
	out(f, "fe80::ff:fe00:2", "lo", &r); /* not on lo: measured */
	assert_int_equal(r.err, ENETUNREACH);
}

static void in(struct host_fx *f, const char *src, const char *dst,
	       const char *iif, struct ipts_route_input6 *r)
{
	struct in6_addr s = a6(src), d = a6(dst);

	ipts_fib6_route_input(f->h, &s, &d, iif, r, NULL);
}

/* ip6_rcv_core() and ip6_route_input(): ::1 on eth0 dropped before
 * PREROUTING; forwarding only with conf.all (per device: no effect,
 * measured); no route answered with ICMPv6 code 0 whatever forwarding
 * says, prohibit code 1, blackhole nothing. */
static void test_v6_input(void **state)
{
	struct host_fx *f = *state;
	struct ipts_route_input6 r;
	struct in6_addr any;

	router(f);
	in(f, "fd00:1::2", "::1", "eth0", &r);
	assert_int_equal(r.verdict, IPTS_INPUT_DROP);
	assert_true(r.before_prerouting);
	in(f, "::1", "fd00:1::1", "eth0", &r);
	assert_true(r.before_prerouting);
	in(f, "fd00:1::2", "fd00:2::1", "eth0", &r); /* weak host */
	assert_int_equal(r.verdict, IPTS_INPUT_LOCAL);
	in(f, "fd00:1::2", "fd00:2::2", "eth0", &r);
	assert_int_equal(r.verdict, IPTS_INPUT_DROP);
	assert_int_equal(r.reason, IPTS_INPUT_NOT_FORWARDING);
	assert_int_equal(r.icmp6_code, -1);
	ok(f, ipts_hostdesc_add_sysctl(f->h, "net.ipv6.conf.eth0.forwarding=1",
				       &f->d));
	in(f, "fd00:1::2", "fd00:2::2", "eth0", &r);
	assert_int_equal(r.reason, IPTS_INPUT_NOT_FORWARDING);
	in(f, "fd00:1::2", "fd00:92::1", "eth0", &r); /* forwarding 0 */
	assert_int_equal(r.reason, IPTS_INPUT_NO_ROUTE);
	assert_int_equal(r.icmp6_code, 1);
	ok(f, ipts_hostdesc_add_sysctl(f->h, "net.ipv6.conf.all.forwarding=1",
				       &f->d));
	ok(f, ipts_hostdesc_add_sysctl(f->h, "net.ipv6.conf.eth0.forwarding=0",
				       &f->d));
	in(f, "fd00:1::2", "fd00:2::2", "eth0", &r);
	assert_int_equal(r.verdict, IPTS_INPUT_FORWARD);
	assert_string_equal(r.fib.dev->name, "eth1");
	in(f, "fe80::2", "fd00:2::2", "eth0", &r); /* never forwarded */
	assert_int_equal(r.verdict, IPTS_INPUT_DROP);
	assert_int_equal(r.reason, IPTS_INPUT_MARTIAN_SOURCE);
	in(f, "fd00:1::2", "fd00:91::1", "eth0", &r);
	assert_int_equal(r.icmp6_code, 0);
	in(f, "fd00:1::2", "fd00:93::1", "eth0", &r);
	assert_int_equal(r.verdict, IPTS_INPUT_DROP);
	assert_int_equal(r.icmp6_code, -1);
	in(f, "fd00:1::2", "fd00:94::1", "eth0", &r);
	assert_int_equal(r.icmp6_code, 0);
	/* the subnet-router anycast of a forwarding device (eth1 follows
	 * conf.all, 1) */
	in(f, "fd00:1::2", "fd00:2::", "eth0", &r);
	assert_int_equal(r.verdict, IPTS_INPUT_LOCAL);
	any = a6("fd00:2::");
	assert_int_equal(ipts_host6_addr_type(f->h, &any), IPTS_RTN_ANYCAST);
}

/* net.ipv6.conf.all.forwarding: a device's value follows it (writing
 * it writes every device's), and the key names net.ipv6. */
static void test_v6_sysctl(void **state)
{
	struct host_fx *f = *state;
	struct ipts_host_facts facts = { 0 };

	ok(f, ipts_hostdesc_add_iface(f->h, "eth0=fd00:1::1/64", &f->d));
	assert_int_equal(ipts_hostdesc_sysctl(f->h, "eth0",
					      IPTS_KNOB_FORWARDING6, &facts),
			 0);
	ok(f, ipts_hostdesc_add_sysctl(f->h, "net.ipv6.conf.all.forwarding=1",
				       &f->d));
	assert_int_equal(ipts_hostdesc_sysctl(f->h, "eth0",
					      IPTS_KNOB_FORWARDING6, &facts),
			 1);
	assert_string_equal(facts.v[0].key, "net.ipv6.conf.eth0.forwarding");
	/* IPv4's forwarding is its own */
	assert_int_equal(ipts_hostdesc_sysctl(f->h, "all", IPTS_KNOB_FORWARDING,
					      NULL),
			 0);
}

static const char addr_json[] =
	"[{\"ifindex\":1,\"ifname\":\"lo\",\"flags\":[\"LOOPBACK\",\"UP\"],"
	"\"link_type\":\"loopback\",\"address\":\"00:00:00:00:00:00\","
	"\"addr_info\":[{\"family\":\"inet\",\"local\":\"127.0.0.1\","
	"\"prefixlen\":8,\"scope\":\"host\"},{\"family\":\"inet6\","
	"\"local\":\"::1\",\"prefixlen\":128,\"scope\":\"host\"}]},"
	"{\"ifindex\":6,\"ifname\":\"va\",\"flags\":[\"BROADCAST\","
	"\"MULTICAST\",\"UP\",\"LOWER_UP\"],\"link_type\":\"ether\","
	"\"address\":\"02:00:00:00:00:0a\",\"addr_info\":["
	"{\"family\":\"inet6\",\"local\":\"fd00:5::1\",\"prefixlen\":64,"
	"\"scope\":\"global\",\"tentative\":true},"
	"{\"family\":\"inet6\",\"local\":\"fd00:1::1\",\"prefixlen\":64,"
	"\"scope\":\"global\",\"nodad\":true},"
	"{\"family\":\"inet6\",\"local\":\"fe80::ff:fe00:a\",\"prefixlen\":64,"
	"\"scope\":\"link\"}]}]\n";

/* `ip -j -6 route show table all` of that namespace (kernel 6.18). */
static const char route6_json[] =
	"[{\"dst\":\"fd00:1::/64\",\"dev\":\"va\",\"protocol\":\"kernel\","
	"\"metric\":256,\"flags\":[],\"pref\":\"medium\"},"
	"{\"dst\":\"fe80::/64\",\"dev\":\"va\",\"protocol\":\"kernel\","
	"\"metric\":256,\"flags\":[],\"pref\":\"medium\"},"
	"{\"type\":\"local\",\"dst\":\"::1\",\"dev\":\"lo\",\"table\":\"local\","
	"\"protocol\":\"kernel\",\"metric\":0,\"flags\":[],\"pref\":\"medium\"},"
	"{\"type\":\"local\",\"dst\":\"fd00:1::1\",\"dev\":\"va\","
	"\"table\":\"local\",\"protocol\":\"kernel\",\"metric\":0,"
	"\"flags\":[],\"pref\":\"medium\"},"
	"{\"type\":\"local\",\"dst\":\"fe80::ff:fe00:a\",\"dev\":\"va\","
	"\"table\":\"local\",\"protocol\":\"kernel\",\"metric\":0,"
	"\"flags\":[],\"pref\":\"medium\"},"
	"{\"type\":\"multicast\",\"dst\":\"ff00::/8\",\"dev\":\"va\","
	"\"table\":\"local\",\"protocol\":\"kernel\",\"metric\":256,"
	"\"flags\":[],\"pref\":\"medium\"}]\n";

/* A capture: addr.json's inet6 addresses (tentative kept, not used as a
 * source), the MAC, route6.json as is, rule6.json's two rules. */
static void test_v6_read_dir(void **state)
{
	struct host_fx *f = *state;
	const struct ipts_host_iface *va;
	struct ipts_fib6_result r;

	host_fx_write(f, "addr.json", addr_json);
	host_fx_write(f, "route6.json", route6_json);
	host_fx_write(f, "rule6.json",
		      "[{\"priority\":0,\"src\":\"all\",\"table\":\"local\"},"
		      "{\"priority\":32766,\"src\":\"all\",\"table\":"
		      "\"main\"}]\n");
	ok(f, host_fx_read(f));
	va = ipts_hostdesc_iface(f->h, "va");
	assert_int_equal(va->naddrs6, 3);
	assert_true(va->addrs6[0].tentative);
	assert_true(va->has_mac);
	assert_int_equal(va->mac[5], 0x0a);
	assert_int_equal(ipts_hostdesc_route6_count(f->h), 6);
	/* the capture is the truth: no link-local added or changed */
	fmt_eq(&va->addrs6[2].local, "fe80::ff:fe00:a");
	assert_false(va->addrs6[2].assumed);
	out(f, "fd00:1::2", NULL, &r);
	assert_string_equal(r.dev->name, "va");
	fmt_eq(&r.src, "fd00:1::1"); /* not the tentative fd00:5::1 */
	out(f, "2001:db8::1", NULL, &r);
	assert_int_equal(r.status, IPTS_FIB_NOROUTE);
}

/* addr.json alone: the inet6 addresses' routes derived as the kernel
 * adds them; a bad route6.json or rule6.json at its path. */
static void test_v6_read_errors(void **state)
{
	struct host_fx *f = *state;

	host_fx_write(f, "addr.json", addr_json);
	host_fx_write(f, "route6.json",
		      "[{\"dst\":\"10.0.0.0/8\",\"dev\":\"va\"}]\n");
	err_at(f, host_fx_read(f), NULL, 0, 0, "[0]: 'dst' is 10.0.0.0/8");
}

static void test_v6_read_derive(void **state)
{
	struct host_fx *f = *state;
	struct ipts_route_input6 r;

	host_fx_write(f, "addr.json", addr_json);
	host_fx_write(f, "rule6.json",
		      "[{\"priority\":0,\"src\":\"all\",\"table\":\"local\"},"
		      "{\"priority\":100,\"from\":\"fd00::/8\",\"table\":"
		      "\"51820\"},{\"priority\":32766,\"src\":\"all\","
		      "\"table\":\"main\"}]\n");
	ok(f, host_fx_read(f));
	assert_non_null(route6(f->h, IPTS_RTN_UNICAST, IPTS_RT_TABLE_MAIN,
			       "fd00:1::", 64));
	assert_non_null(route6(f->h, IPTS_RTN_LOCAL, IPTS_RT_TABLE_LOCAL,
			       "fd00:1::1", 128));
	/* a policy rule it cannot decide: undetermined, never a guess */
	in(f, "fd00:1::2", "fd00:7::1", "va", &r);
	assert_int_equal(r.verdict, IPTS_INPUT_UNDETERMINED);
	assert_non_null(strstr(r.why, "100:"));
	/* local is looked up first: the host's own address is still local */
	in(f, "fd00:1::2", "fd00:1::1", "va", &r);
	assert_int_equal(r.verdict, IPTS_INPUT_LOCAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_v6_inline_iface,
						host_fx_setup,
						host_fx_teardown),
		cmocka_unit_test_setup_teardown(test_v6_inline_errors,
						host_fx_setup,
						host_fx_teardown),
		cmocka_unit_test_setup_teardown(test_v6_fib_output,
						host_fx_setup,
						host_fx_teardown),
		cmocka_unit_test_setup_teardown(test_v6_link_local,
						host_fx_setup,
						host_fx_teardown),
		cmocka_unit_test_setup_teardown(test_v6_input, host_fx_setup,
						host_fx_teardown),
		cmocka_unit_test_setup_teardown(test_v6_sysctl, host_fx_setup,
						host_fx_teardown),
		cmocka_unit_test_setup_teardown(test_v6_read_dir, host_fx_setup,
						host_fx_teardown),
		cmocka_unit_test_setup_teardown(test_v6_read_errors,
						host_fx_setup,
						host_fx_teardown),
		cmocka_unit_test_setup_teardown(test_v6_read_derive,
						host_fx_setup,
						host_fx_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
