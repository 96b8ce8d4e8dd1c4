/*
 * test_host_rpf.c - a packet arriving from outside (host/rpf.c): the
 * martian checks of ip_route_input_slow(), fib_validate_source() with
 * rp_filter 0, 1 and 2 and the max of conf.all and conf.IIF,
 * route_localnet, and forwarding on the ingress device. The host is
 * facts.sh's router "r"; each expectation is what `ip route get DADDR
 * from SADDR iif r1` answered there (tests/host/facts.out): "local"
 * for IPTS_INPUT_LOCAL, "Invalid argument" for a martian or an
 * rp_filter drop, "No route to host" with forwarding off.
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
	add(f, ipts_hostdesc_add_route, "blackhole 203.0.113.0/25");
	add(f, ipts_hostdesc_add_route, "prohibit 203.0.113.128/26");
	add(f, ipts_hostdesc_add_route, "unreachable 203.0.113.192/26");
	return 0;
}

static const struct ipts_host_fact *find_fact(
	const struct ipts_host_facts *facts, const char *key)
{
	unsigned int i;

	for (i = 0; i < facts->n; i++)
		if (strcmp(facts->v[i].key, key) == 0)
			return &facts->v[i];
	fail_msg("no fact '%s'", key);
	return NULL;
}

static void sysctl(struct host_fx *f, const char *kv)
{
	add(f, ipts_hostdesc_add_sysctl, kv);
}

static struct ipts_route_input in(struct host_fx *f, const char *src,
				  const char *dst)
{
	struct ipts_route_input r;

	ipts_fib_route_input(f->h, ip4(src), ip4(dst), "r1", &r, NULL);
	return r;
}

#define assert_input(f, src, dst, v, rsn)                                    \
	do {                                                                 \
		struct ipts_route_input r_ = in((f), (src), (dst));          \
		if (r_.verdict != (v) || r_.reason != (rsn))                 \
			fail_msg("%s -> %s: verdict %d reason %s (%s)",      \
				 (src), (dst), r_.verdict,                   \
				 ipts_input_reason_name(r_.reason), r_.why); \
	} while (0)

static void test_host_rpf_off_accepts_any_source(void **state)
{
	struct host_fx *f = *state;

	assert_input(f, "10.0.9.9", "10.0.1.1", IPTS_INPUT_LOCAL,
		     IPTS_INPUT_OK);
}

static void test_host_rpf_no_route_back(void **state)
{
	struct host_fx *f = *state;

	sysctl(f, "net.ipv4.conf.r1.rp_filter=2");
	assert_input(f, "10.0.9.9", "10.0.1.1", IPTS_INPUT_DROP,
		     IPTS_INPUT_RP_FILTER);
	sysctl(f, "net.ipv4.conf.r1.rp_filter=1");
	assert_input(f, "10.0.9.9", "10.0.1.1", IPTS_INPUT_DROP,
		     IPTS_INPUT_RP_FILTER);
}

/* Asymmetric: the way back to 10.0.9.0/24 is r2. Strict drops, loose
 * passes; all=1 with r1=0 is strict (the max). */
static void test_host_rpf_asymmetric(void **state)
{
	struct host_fx *f = *state;
	struct ipts_host_facts facts = { 0 };
	struct ipts_route_input r;

	add(f, ipts_hostdesc_add_route, "10.0.9.0/24 via 10.0.2.2");
	sysctl(f, "net.ipv4.conf.r1.rp_filter=1");
	assert_input(f, "10.0.9.9", "10.0.1.1", IPTS_INPUT_DROP,
		     IPTS_INPUT_RP_FILTER);
	sysctl(f, "net.ipv4.conf.r1.rp_filter=2");
	assert_input(f, "10.0.9.9", "10.0.1.1", IPTS_INPUT_LOCAL,
		     IPTS_INPUT_OK);
	sysctl(f, "net.ipv4.conf.all.rp_filter=1");
	sysctl(f, "net.ipv4.conf.r1.rp_filter=0");
	ipts_fib_route_input(f->h, ip4("10.0.9.9"), ip4("10.0.1.1"), "r1", &r,
			     &facts);
	assert_int_equal(r.verdict, IPTS_INPUT_DROP);
	assert_int_equal(r.reason, IPTS_INPUT_RP_FILTER);
	assert_int_equal(r.err, EINVAL);
	/* the answer names both values it took the max of */
	assert_non_null(find_fact(&facts, "net.ipv4.conf.all.rp_filter"));
	assert_true(find_fact(&facts, "net.ipv4.conf.r1.rp_filter")->given);
	assert_int_equal(find_fact(&facts, "net.ipv4.conf.all.rp_filter")->value,
			 1);
}

/* Strict with the route back through r1 itself passes. */
static void test_host_rpf_strict_same_device(void **state)
{
	struct host_fx *f = *state;

	sysctl(f, "net.ipv4.conf.r1.rp_filter=1");
	assert_input(f, "10.0.1.50", "10.0.1.1", IPTS_INPUT_LOCAL,
		     IPTS_INPUT_OK);
}

/* Loose with a route back that is blackhole, unreachable, prohibit:
 * no usable way back, dropped. */
static void test_host_rpf_loose_reject_routes(void **state)
{
	struct host_fx *f = *state;

	sysctl(f, "net.ipv4.conf.r1.rp_filter=2");
	assert_input(f, "203.0.113.5", "10.0.1.1", IPTS_INPUT_DROP,
		     IPTS_INPUT_RP_FILTER);
	assert_input(f, "203.0.113.200", "10.0.1.1", IPTS_INPUT_DROP,
		     IPTS_INPUT_RP_FILTER);
	assert_input(f, "203.0.113.130", "10.0.1.1", IPTS_INPUT_DROP,
		     IPTS_INPUT_RP_FILTER);
}

/* Martian sources with rp_filter 0: 127/8, the host's own addresses
 * (10.0.2.1 on another device, 10.0.1.1 on this one), 0.0.0.0,
 * multicast, 255.255.255.255. A subnet broadcast source passes with
 * rp_filter 0 and fails with 1 (its route back is broadcast). */
static void test_host_rpf_martian_sources(void **state)
{
	struct host_fx *f = *state;

	assert_input(f, "127.0.0.5", "10.0.1.1", IPTS_INPUT_DROP,
		     IPTS_INPUT_MARTIAN_SOURCE);
	assert_input(f, "10.0.2.1", "10.0.1.1", IPTS_INPUT_DROP,
		     IPTS_INPUT_MARTIAN_SOURCE);
	assert_input(f, "10.0.1.1", "10.0.1.1", IPTS_INPUT_DROP,
		     IPTS_INPUT_MARTIAN_SOURCE);
	assert_input(f, "0.0.0.0", "10.0.1.1", IPTS_INPUT_DROP,
		     IPTS_INPUT_MARTIAN_SOURCE);
	assert_input(f, "224.0.0.5", "10.0.1.1", IPTS_INPUT_DROP,
		     IPTS_INPUT_MARTIAN_SOURCE);
	assert_input(f, "255.255.255.255", "10.0.1.1", IPTS_INPUT_DROP,
		     IPTS_INPUT_MARTIAN_SOURCE);
	assert_input(f, "10.0.1.255", "10.0.1.1", IPTS_INPUT_LOCAL,
		     IPTS_INPUT_OK);
	sysctl(f, "net.ipv4.conf.r1.rp_filter=1");
	assert_input(f, "10.0.1.255", "10.0.1.1", IPTS_INPUT_DROP,
		     IPTS_INPUT_MARTIAN_SOURCE);
}

static void test_host_rpf_martian_destinations(void **state)
{
	struct host_fx *f = *state;

	assert_input(f, "10.0.1.50", "127.0.0.1", IPTS_INPUT_DROP,
		     IPTS_INPUT_MARTIAN_DEST);
	assert_input(f, "10.0.1.50", "0.0.0.0", IPTS_INPUT_DROP,
		     IPTS_INPUT_MARTIAN_DEST);
}

/* route_localnet on r1: 127/8 is neither martian source nor
 * destination any more (the CVE-2020-8558 setting). */
static void test_host_rpf_route_localnet(void **state)
{
	struct host_fx *f = *state;
	struct ipts_host_facts facts = { 0 };
	struct ipts_route_input r;

	ipts_fib_route_input(f->h, ip4("10.0.1.50"), ip4("127.0.0.1"), "r1",
			     &r, &facts);
	assert_int_equal(r.reason, IPTS_INPUT_MARTIAN_DEST);
	/* a default, and the answer says it relied on it */
	assert_false(find_fact(&facts,
			       "net.ipv4.conf.r1.route_localnet")->given);
	sysctl(f, "net.ipv4.conf.r1.route_localnet=1");
	assert_input(f, "127.0.0.5", "10.0.1.1", IPTS_INPUT_LOCAL,
		     IPTS_INPUT_OK);
	assert_input(f, "10.0.1.50", "127.0.0.1", IPTS_INPUT_LOCAL,
		     IPTS_INPUT_OK);
}

/* Forwarding: off by default (EHOSTUNREACH), on with ip_forward=1,
 * off again with conf.r1.forwarding=0 (the ingress device's). */
static void test_host_rpf_forwarding(void **state)
{
	struct host_fx *f = *state;
	struct ipts_route_input r = in(f, "10.0.1.50", "10.0.2.7");

	assert_int_equal(r.verdict, IPTS_INPUT_DROP);
	assert_int_equal(r.reason, IPTS_INPUT_NOT_FORWARDING);
	assert_int_equal(r.err, EHOSTUNREACH);
	sysctl(f, "net.ipv4.ip_forward=1");
	r = in(f, "10.0.1.50", "10.0.2.7");
	assert_int_equal(r.verdict, IPTS_INPUT_FORWARD);
	assert_string_equal(r.fib.dev->name, "r2");
	sysctl(f, "net.ipv4.conf.r1.forwarding=0");
	r = in(f, "10.0.1.50", "10.0.2.7");
	assert_int_equal(r.reason, IPTS_INPUT_NOT_FORWARDING);
	sysctl(f, "net.ipv4.conf.r1.forwarding=1");
	r = in(f, "10.0.1.50", "8.8.8.8");
	assert_int_equal(r.reason, IPTS_INPUT_NO_ROUTE);
	assert_int_equal(r.err, ENETUNREACH);
}

static void test_host_rpf_broadcast_and_unknown_iface(void **state)
{
	struct host_fx *f = *state;
	struct ipts_route_input r;

	assert_input(f, "10.0.1.50", "10.0.1.255", IPTS_INPUT_BROADCAST,
		     IPTS_INPUT_OK);
	assert_input(f, "10.0.1.50", "255.255.255.255", IPTS_INPUT_BROADCAST,
		     IPTS_INPUT_OK);
	ipts_fib_route_input(f->h, ip4("10.0.1.50"), ip4("10.0.1.1"), "eth7",
			     &r, NULL);
	assert_int_equal(r.verdict, IPTS_INPUT_UNDETERMINED);
	assert_int_equal(r.reason, IPTS_INPUT_UNKNOWN_IFACE);
}

/* With a policy rule that may apply, even rp_filter 0 checks the route
 * back (fib4_has_custom_rules), and that lookup is undetermined. */
static void test_host_rpf_policy_rule_undetermined(void **state)
{
	struct host_fx *f = *state;
	struct ipts_hostdesc *h = ipts_hostdesc_new();
	struct ipts_route_input r;

	assert_int_equal(ipts_hostdesc_read_dir(h, host_fx_fixture("policy"),
						&f->d), 0);
	ipts_fib_route_input(h, ip4("192.0.2.5"), ip4("10.8.0.2"), "wg0", &r,
			     NULL);
	assert_int_equal(r.verdict, IPTS_INPUT_UNDETERMINED);
	assert_non_null(strstr(r.why, "32764"));
	ipts_hostdesc_free(h);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
#define T(n) cmocka_unit_test_setup_teardown(n, setup_r, host_fx_teardown)
		T(test_host_rpf_off_accepts_any_source),
		T(test_host_rpf_no_route_back),
		T(test_host_rpf_asymmetric),
		T(test_host_rpf_strict_same_device),
		T(test_host_rpf_loose_reject_routes),
		T(test_host_rpf_martian_sources),
		T(test_host_rpf_martian_destinations),
		T(test_host_rpf_route_localnet),
		T(test_host_rpf_forwarding),
		T(test_host_rpf_broadcast_and_unknown_iface),
		T(test_host_rpf_policy_rule_undetermined),
#undef T
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
