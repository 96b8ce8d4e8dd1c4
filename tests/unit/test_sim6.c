/*
 * test_sim6.c - the simulation of ip6tables-save files over lo: the header
 * part of an IPv6 entry as ip6_packet_match() answers it, the ip6t_*
 * matches on a packet without extension headers, and whole connections
 * over ::1 (REJECT types, conntrack, NAT), each outcome the one the
 * kernel gave in a network namespace (tests/kernel/facts/v6_*).
 */
#include "fixture.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim.h"
#include "sim_int.h"

#define HDR                                                     \
	"*filter\n:INPUT ACCEPT [0:0]\n:FORWARD ACCEPT [0:0]\n" \
	":OUTPUT ACCEPT [0:0]\n"

static union nf_inet_addr in6(const char *s)
{
	union nf_inet_addr a;

	memset(&a, 0, sizeof(a));
	assert_int_equal(inet_pton(AF_INET6, s, &a.in6), 1);
	return a;
}

static void load6(struct ipts_fixture *f, const char *text)
{
	f->opts.family = IPTS_FAMILY_IPV6;
	assert_loads(f, text);
	assert_int_equal(f->rs->family, IPTS_FAMILY_IPV6);
}

/* A SYN from ::1 to ::1 at filter INPUT, as the simulator makes it. */
static struct ipts_pkt syn6(void)
{
	struct ipts_pkt p;

	memset(&p, 0, sizeof(p));
	p.family = NFPROTO_IPV6;
	p.saddr = in6("::1");
	p.daddr = in6("::1");
	p.protocol = IPPROTO_TCP;
	p.ttl = 64;
	p.tot_len = 80;
	p.sport = 40000;
	p.dport = 22;
	p.tcp_flags = 0x02;
	p.tcp_doff = 10;
	p.in = "lo";
	p.out = "";
	p.hook = NF_INET_LOCAL_IN;
	return p;
}

static const struct ipts_rule *rule(struct ipts_fixture *f, unsigned int i)
{
	const struct ipts_chain *c = fixture_chain(f, "filter", "INPUT");

	assert_true(i < c->nrules);
	return c->rules[i];
}

static bool ip6_matches(struct ipts_fixture *f, unsigned int i,
			const struct ipts_pkt *p)
{
	bool hot = false;
	bool m = ipts_ip6_match(&rule(f, i)->e6->ipv6, p, &hot);

	assert_false(hot);
	return m;
}

static void test_sim6_header_part(void **state)
{
	struct ipts_fixture *f = *state;
	struct ipts_pkt p = syn6();

	load6(f, HDR "-A INPUT -s ::1 -j ACCEPT\n"
		     "-A INPUT -s fd00::/64 -j ACCEPT\n"
		     "-A INPUT ! -s fd00::/64 -d ::1/127 -j ACCEPT\n"
		     "-A INPUT -i lo -p tcp -j ACCEPT\n"
		     "-A INPUT -i eth0 -j ACCEPT\n"
		     "-A INPUT ! -p udp -j ACCEPT\n"
		     "-A INPUT -p udp -j ACCEPT\n"
		     "-A INPUT -p all -j ACCEPT\n"
		     "-A INPUT -p icmp -j ACCEPT\n"
		     "COMMIT\n");
	assert_true(ip6_matches(f, 0, &p));
	assert_false(ip6_matches(f, 1, &p));
	assert_true(ip6_matches(f, 2, &p));
	assert_true(ip6_matches(f, 3, &p));
	assert_false(ip6_matches(f, 4, &p));
	/* the protocol only under IP6T_F_PROTO, on the upper header */
	assert_true(ip6_matches(f, 5, &p));
	assert_false(ip6_matches(f, 6, &p));
	assert_true(ip6_matches(f, 7, &p)); /* "-p all, too" */
	assert_false(ip6_matches(f, 8, &p)); /* protocol 1, never ICMPv6 */
	p.saddr = in6("fd00::7");
	assert_true(ip6_matches(f, 1, &p));
	assert_false(ip6_matches(f, 2, &p));
}

static enum ipts_match_result eval(struct ipts_fixture *f, unsigned int i,
				   const struct ipts_pkt *p, const char **why)
{
	const struct ipts_rule *r = rule(f, i);
	static const struct ipts_host h = { .family = NFPROTO_IPV6 };

	*why = NULL;
	return ipts_match_eval(ipts_rule_match(r, 0), r->e, p, &h, why);
}

static void test_sim6_matches_without_extension_headers(void **state)
{
	struct ipts_fixture *f = *state;
	struct ipts_pkt p = syn6(), icmp = syn6();
	const char *why;

	load6(f, HDR "-A INPUT -m hl --hl-eq 64 -j ACCEPT\n"
		     "-A INPUT -m hl --hl-lt 64 -j ACCEPT\n"
		     "-A INPUT -m ipv6header --header prot -j ACCEPT\n"
		     "-A INPUT -m ipv6header --header hop --soft -j ACCEPT\n"
		     "-A INPUT -m ipv6header ! --header hop -j ACCEPT\n"
		     "-A INPUT -m frag -j DROP\n"
		     "-A INPUT -m frag ! --fragid 5 -j DROP\n"
		     "-A INPUT -m hbh -j DROP\n"
		     "-A INPUT -m rt --rt-type 0 -j DROP\n"
		     "-A INPUT -p ipv6-icmp -m icmp6 --icmpv6-type 1/4 "
		     "-j ACCEPT\n"
		     "-A INPUT -p ipv6-icmp -m icmp6 ! --icmpv6-type "
		     "destination-unreachable -j ACCEPT\n"
		     "-A INPUT -m addrtype --dst-type LOCAL -j ACCEPT\n"
		     "-A INPUT -m addrtype --src-type LOCAL,UNICAST -j ACCEPT\n"
		     "-A INPUT -m addrtype --dst-type MULTICAST -j ACCEPT\n"
		     "-A INPUT -m addrtype ! --dst-type LOCAL -j ACCEPT\n"
		     "COMMIT\n");
	assert_int_equal(eval(f, 0, &p, &why), IPTS_MATCH_YES);
	assert_int_equal(eval(f, 1, &p, &why), IPTS_MATCH_NO);
	assert_int_equal(eval(f, 2, &p, &why), IPTS_MATCH_YES);
	assert_int_equal(eval(f, 3, &p, &why), IPTS_MATCH_NO);
	assert_int_equal(eval(f, 4, &p, &why), IPTS_MATCH_YES);
	/* no such header: no match, whatever the options */
	assert_int_equal(eval(f, 5, &p, &why), IPTS_MATCH_NO);
	assert_int_equal(eval(f, 6, &p, &why), IPTS_MATCH_NO);
	assert_int_equal(eval(f, 7, &p, &why), IPTS_MATCH_NO);
	assert_int_equal(eval(f, 8, &p, &why), IPTS_MATCH_NO);
	icmp.protocol = IPPROTO_ICMPV6;
	icmp.icmp_type = 1;
	icmp.icmp_code = 4;
	assert_int_equal(eval(f, 9, &icmp, &why), IPTS_MATCH_YES);
	assert_int_equal(eval(f, 10, &icmp, &why), IPTS_MATCH_NO);
	icmp.icmp_code = 1;
	assert_int_equal(eval(f, 9, &icmp, &why), IPTS_MATCH_NO);
	/* ip6t's addrtype: ::1 is LOCAL (the lookup) and UNICAST; an
	 * address that is not local needs the routes: undetermined */
	assert_int_equal(eval(f, 11, &p, &why), IPTS_MATCH_YES);
	assert_int_equal(eval(f, 12, &p, &why), IPTS_MATCH_YES);
	assert_int_equal(eval(f, 13, &p, &why), IPTS_MATCH_NO);
	assert_int_equal(eval(f, 14, &p, &why), IPTS_MATCH_NO);
	p.daddr = in6("fd00::77");
	assert_int_equal(eval(f, 11, &p, &why), IPTS_MATCH_UNKNOWN);
	assert_non_null(strstr(why, "addrtype"));
	assert_int_equal(eval(f, 13, &p, &why), IPTS_MATCH_NO);
}

static void test_sim6_eui64_over_lo(void **state)
{
	struct ipts_fixture *f = *state;
	struct ipts_pkt p = syn6();
	const char *why;

	load6(f, HDR "-A INPUT -m eui64 -j ACCEPT\nCOMMIT\n");
	/* lo's MAC is all zero: ::1 is no EUI-64 of it */
	assert_int_equal(eval(f, 0, &p, &why), IPTS_MATCH_NO);
	p.saddr = in6("fd00::200:ff:fe00:0");
	assert_int_equal(eval(f, 0, &p, &why), IPTS_MATCH_YES);
}

/* One connection over ::1 (or from @src) of the file loaded in @f. */
static enum ipts_outcome run6(struct ipts_fixture *f, uint8_t proto,
			      uint16_t dport, struct ipts_result *res)
{
	struct ipts_sim_ctx *ctx = ipts_sim_prepare(f->rs);
	struct ipts_query q;

	ipts_query_init(&q);
	q.family = NFPROTO_IPV6;
	q.src = in6("::1");
	q.dst = in6("::1");
	q.proto = proto;
	q.dport = dport;
	assert_int_equal(ipts_simulate(ctx, &q, res), 0);
	ipts_sim_free(ctx);
	return res->outcome;
}

static void test_sim6_reject_types(void **state)
{
	struct ipts_fixture *f = *state;
	struct ipts_result res;

	load6(f, HDR
	      "-A INPUT -p tcp --dport 1 -j REJECT --reject-with icmp6-no-route\n"
	      "-A INPUT -p tcp --dport 2 -j REJECT --reject-with "
	      "icmp6-adm-prohibited\n"
	      "-A INPUT -p tcp --dport 3 -j REJECT --reject-with "
	      "icmp6-addr-unreachable\n"
	      "-A INPUT -p tcp --dport 4 -j REJECT --reject-with "
	      "icmp6-port-unreachable\n"
	      "-A INPUT -p tcp --dport 5 -j REJECT --reject-with "
	      "icmp6-policy-fail\n"
	      "-A INPUT -p tcp --dport 6 -j REJECT --reject-with "
	      "icmp6-reject-route\n"
	      "-A INPUT -p tcp --dport 7 -j REJECT --reject-with tcp-reset\n"
	      "-A INPUT -p udp --dport 1 -j REJECT --reject-with icmp6-no-route\n"
	      "-A INPUT -p udp --dport 2 -j REJECT --reject-with "
	      "icmp6-adm-prohibited\n"
	      "COMMIT\n");
	ipts_result_init(&res);
	assert_int_equal(run6(f, IPPROTO_TCP, 1, &res), IPTS_NETUNREACH);
	assert_int_equal(run6(f, IPPROTO_TCP, 2, &res), IPTS_EPERM);
	assert_non_null(strstr(res.why, "EACCES"));
	/* the answer is its own packet: an ICMPv6 error from ::1; over lo
	 * it is a soft error, and the SYN sent again 1 s later meets the
	 * same rule: its error is the one connect() returns */
	assert_int_equal(res.npackets, 4);
	assert_string_equal(res.packets[1].name, "ICMPv6");
	assert_int_equal(res.packets[1].icmp_type, 1);
	assert_int_equal(res.packets[1].icmp_code, 1);
	assert_int_equal(res.packets[1].len, 128);
	assert_false(res.packets[1].retransmission);
	assert_string_equal(res.packets[2].name, "SYN");
	assert_true(res.packets[2].retransmission);
	assert_string_equal(res.packets[3].name, "ICMPv6");
	assert_int_equal(run6(f, IPPROTO_TCP, 3, &res), IPTS_HOSTUNREACH);
	assert_int_equal(run6(f, IPPROTO_TCP, 4, &res), IPTS_REFUSED);
	assert_int_equal(run6(f, IPPROTO_TCP, 5, &res), IPTS_EPERM);
	assert_int_equal(run6(f, IPPROTO_TCP, 6, &res), IPTS_EPERM);
	assert_int_equal(run6(f, IPPROTO_TCP, 7, &res), IPTS_REFUSED);
	assert_string_equal(res.packets[1].name, "RST");
	/* UDP: no-route is a soft error recv() does not report */
	assert_int_equal(run6(f, IPPROTO_UDP, 1, &res), IPTS_DROPPED);
	assert_int_equal(run6(f, IPPROTO_UDP, 2, &res), IPTS_EPERM);
	ipts_result_free(&res);
}

static void test_sim6_query_family_must_match(void **state)
{
	struct ipts_fixture *f = *state;
	struct ipts_sim_ctx *ctx;
	struct ipts_result res;
	struct ipts_query q;

	load6(f, HDR "COMMIT\n");
	ctx = ipts_sim_prepare(f->rs);
	ipts_result_init(&res);
	ipts_query_init(&q); /* IPv4, 127.0.0.1 */
	assert_int_equal(ipts_simulate(ctx, &q, &res), -1);
	assert_non_null(strstr(res.why, "family"));
	q.family = NFPROTO_IPV6;
	q.src = in6("::1");
	q.dst = in6("fd00::1");
	assert_int_equal(ipts_simulate(ctx, &q, &res), -1);
	assert_non_null(strstr(res.why, "fd00::1 is not an address"));
	q.local_addrs[q.nlocal++] = q.dst;
	assert_int_equal(ipts_simulate(ctx, &q, &res), 0);
	assert_int_equal(res.outcome, IPTS_CONNECTED);
	ipts_result_free(&res);
	ipts_sim_free(ctx);
}

static void test_sim6_nat_redirect_to_loopback(void **state)
{
	struct ipts_fixture *f = *state;
	struct ipts_sim_ctx *ctx;
	struct ipts_result res;
	struct ipts_query q;
	char seen[128];

	load6(f, "*nat\n:PREROUTING ACCEPT [0:0]\n:INPUT ACCEPT [0:0]\n"
		 ":OUTPUT ACCEPT [0:0]\n:POSTROUTING ACCEPT [0:0]\n"
		 "-A OUTPUT -p tcp --dport 81 -j REDIRECT --to-ports 8081\n"
		 "COMMIT\n" HDR
		 "-A INPUT -p tcp --dport 8081 -m conntrack --ctstate NEW "
		 "--ctorigdstport 81 -j ACCEPT\n"
		 "-A INPUT -m conntrack --ctstate NEW -j DROP\nCOMMIT\n");
	ctx = ipts_sim_prepare(f->rs);
	ipts_result_init(&res);
	ipts_query_init(&q);
	q.family = NFPROTO_IPV6;
	q.src = q.dst = in6("::1");
	q.dport = 81;
	q.listen[0].addr = q.dst;
	q.listen[0].port = 8081;
	q.nlisten = 1;
	assert_int_equal(ipts_simulate(ctx, &q, &res), 0);
	assert_int_equal(res.outcome, IPTS_CONNECTED);
	/* filter INPUT saw the redirected destination */
	ipts_trace_format_seen(&res.packets[0].trace[res.packets[0].ntrace - 1],
			       seen, sizeof(seen));
	assert_string_equal(seen, "[::1]:40000>[::1]:8081");
	ipts_result_free(&res);
	ipts_sim_free(ctx);
}

static void test_sim6_fmt_inet(void **state)
{
	union nf_inet_addr a = in6("fd00:0:0:0::1");
	char buf[IPTS_ENDPOINT_LEN];

	(void)state;
	ipts_fmt_inet(buf, sizeof(buf), NFPROTO_IPV6, &a, 22);
	assert_string_equal(buf, "[fd00::1]:22");
	ipts_fmt_inet(buf, sizeof(buf), NFPROTO_IPV6, &a, -1);
	assert_string_equal(buf, "fd00::1");
	a = ipts_addr4(htonl(0x7f000001));
	ipts_fmt_inet(buf, sizeof(buf), NFPROTO_IPV4, &a, 22);
	assert_string_equal(buf, "127.0.0.1:22");
}

/*
 * Which answers to a SYN-ACK drop the server's request socket
 * (tcp_req_err()'s fatal): a RST in both families; IPv4 net- and
 * host-unreachable and time exceeded (tcp_v4_err()); IPv6 the fatal errors
 * of icmpv6_err_convert(), where time exceeded is not one. No REJECT sends
 * a time exceeded, so no walk reaches that row: asked here directly.
 */
static void test_sim6_reqsk_err_fatal(void **state)
{
	struct ipts_packet a;

	(void)state;
	memset(&a, 0, sizeof(a));
	a.kind = IPTS_PKT_RST;
	a.family = NFPROTO_IPV4;
	assert_true(ipts_reqsk_err_fatal(&a));
	a.family = NFPROTO_IPV6;
	assert_true(ipts_reqsk_err_fatal(&a));

	a.kind = IPTS_PKT_ICMP;
	a.family = NFPROTO_IPV4;
	a.icmp_type = 11; /* ICMP_TIME_EXCEEDED */
	assert_true(ipts_reqsk_err_fatal(&a));
	a.icmp_type = 3; /* ICMP_DEST_UNREACH */
	a.icmp_code = 1; /* host */
	assert_true(ipts_reqsk_err_fatal(&a));
	a.icmp_code = 0; /* net */
	assert_true(ipts_reqsk_err_fatal(&a));
	a.icmp_code = 3; /* port */
	assert_false(ipts_reqsk_err_fatal(&a));
	a.icmp_code = 13; /* admin prohibited */
	assert_false(ipts_reqsk_err_fatal(&a));

	a.family = NFPROTO_IPV6;
	a.icmp_type = 3; /* ICMPV6_TIME_EXCEED */
	a.icmp_code = 0;
	assert_false(ipts_reqsk_err_fatal(&a));
	a.icmp_type = 1; /* ICMPV6_DEST_UNREACH */
	a.icmp_code = 4; /* port */
	assert_true(ipts_reqsk_err_fatal(&a));
	a.icmp_code = 1; /* adm-prohibited */
	assert_true(ipts_reqsk_err_fatal(&a));
	a.icmp_code = 3; /* addr-unreachable */
	assert_false(ipts_reqsk_err_fatal(&a));
	a.icmp_code = 0; /* no route */
	assert_false(ipts_reqsk_err_fatal(&a));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_sim6_header_part,
						fixture_setup,
						fixture_teardown),
		cmocka_unit_test_setup_teardown(
			test_sim6_matches_without_extension_headers,
			fixture_setup, fixture_teardown),
		cmocka_unit_test_setup_teardown(test_sim6_eui64_over_lo,
						fixture_setup,
						fixture_teardown),
		cmocka_unit_test_setup_teardown(test_sim6_reject_types,
						fixture_setup,
						fixture_teardown),
		cmocka_unit_test_setup_teardown(
			test_sim6_query_family_must_match, fixture_setup,
			fixture_teardown),
		cmocka_unit_test_setup_teardown(
			test_sim6_nat_redirect_to_loopback, fixture_setup,
			fixture_teardown),
		cmocka_unit_test(test_sim6_fmt_inet),
		cmocka_unit_test(test_sim6_reqsk_err_fatal),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
