/*
 * test_ipv6.c - ip6tables-save files, as ip6tables-restore reads them and
 * ip6_tables loads them: struct ip6t_entry headers (128-bit addresses,
 * IP6T_F_PROTO), ip6tables' own refusals and warnings, the IPv6 load
 * checks, and libxtables' process-wide family switched back and forth
 * between files. Each claim was checked with ip6tables-legacy-restore in
 * a network namespace when written.
 */
#include "fixture.h"

#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

#define HDR                                                     \
	"*filter\n:INPUT ACCEPT [0:0]\n:FORWARD ACCEPT [0:0]\n" \
	":OUTPUT ACCEPT [0:0]\n"

static struct in6_addr ip6(const char *s)
{
	struct in6_addr a;

	assert_int_equal(inet_pton(AF_INET6, s, &a), 1);
	return a;
}

static void test_ipv6_entries_hold_128_bit_addresses(void **state)
{
	struct ipts_fixture *f = *state;
	const struct ipts_chain *c;
	const struct ip6t_ip6 *ip;
	struct in6_addr a = ip6("fd00::"), m = ip6("ffff:ffff:ffff:ffff::");
	char *text;

	f->opts.family = IPTS_FAMILY_IPV6;
	assert_loads(f, HDR "-N web\n-A INPUT -s fd00::1/64,2001:db8::1 "
			    "-d ::1 -p tcp --dport 22 -g web\nCOMMIT\n");
	assert_int_equal(f->rs->family, IPTS_FAMILY_IPV6);
	c = fixture_chain(f, "filter", "INPUT");
	assert_int_equal(c->nrules, 2); /* one rule per address pair */
	ip = &c->rules[0]->e6->ipv6;
	assert_memory_equal(&ip->src, &a, sizeof(a));
	assert_memory_equal(&ip->smsk, &m, sizeof(m));
	a = ip6("::1");
	assert_memory_equal(&ip->dst, &a, sizeof(a));
	assert_int_equal(ip->proto, IPPROTO_TCP);
	/* -p sets IP6T_F_PROTO (ipv6_proto_parse()); -g IP6T_F_GOTO */
	assert_int_equal(ip->flags, IP6T_F_PROTO | IP6T_F_GOTO);
	assert_int_equal(c->rules[0]->e6->target_offset,
			 sizeof(struct ip6t_entry) +
				 ipts_rule_match(c->rules[0], 0)->u.match_size);
	a = ip6("2001:db8::1");
	assert_memory_equal(&c->rules[1]->e6->ipv6.src, &a, sizeof(a));
	/* one rule's text, as ip6tables-save prints it */
	text = ipts_rule_save_text(c->rules[0]);
	assert_string_equal(text, "-A INPUT -s fd00::/64 -d ::1/128 -p tcp "
				  "-m tcp --dport 22 -g web");
	free(text);
}

static void test_ipv6_detected_from_the_file(void **state)
{
	struct ipts_fixture *f = *state;

	f->opts.family = IPTS_FAMILY_AUTO;
	assert_loads(f, HDR "-A INPUT -p ipv6-icmp -m icmp6 --icmpv6-type "
			    "135 -j ACCEPT\nCOMMIT\n");
	assert_int_equal(f->rs->family, IPTS_FAMILY_IPV6);
	assert_loads(f, HDR "-A INPUT -p icmp -m icmp --icmp-type 8 "
			    "-j ACCEPT\nCOMMIT\n");
	assert_int_equal(f->rs->family, IPTS_FAMILY_IPV4);
	/* a mixed file is refused before any rule is read */
	assert_null(load_str(f, HDR "-A INPUT -s 10.0.0.1 -j ACCEPT\n"
				    "-A INPUT -s fd00::1 -j ACCEPT\nCOMMIT\n"));
	assert_diag(f, 6, 13, "mixes families: an IPv6 address here");
}

static void test_ipv6_refusals_of_ip6tables(void **state)
{
	struct ipts_fixture *f = *state;

	f->opts.family = IPTS_FAMILY_IPV6;
	assert_null(load_str(f, HDR "-A INPUT -p tcp -f -j DROP\nCOMMIT\n"));
	assert_diag(f, 5, 17,
		    "`-f' is not supported in IPv6, use -m frag "
		    "instead");
	assert_null(load_str(f, HDR "-A INPUT -p icmp --icmp-type 8 -j DROP\n"
				    "COMMIT\n"));
	assert_diag(f, 5, 18, "unknown option \"--icmp-type\"");
	assert_null(load_str(f, HDR "-A INPUT -j REJECT --reject-with "
				    "icmp-host-prohibited\nCOMMIT\n"));
	assert_diag(f, 5, 34, "unknown reject type \"icmp-host-prohibited\"");
	assert_null(load_str(f, HDR "-A INPUT -s 10.0.0.1 -j DROP\nCOMMIT\n"));
	assert_diag(f, 5, 13, "host/network `10.0.0.1' not found");
	/* offline, an IPv6 rule's host name is refused, never guessed */
	assert_null(load_str(f, HDR "-A INPUT -s web1 -j DROP\nCOMMIT\n"));
	assert_diag(f, 5, 13, "host names in -s and -d of an IPv6 rule");
	/* -p 44 loads, with ip6tables' warning; -4 lines are skipped */
	assert_loads(f, HDR "-A INPUT -p 44 -j DROP\n"
			    "-A INPUT -4 -s 10.0.0.1 -j DROP\nCOMMIT\n");
	assert_warning(f, 5, 0,
		       "Warning: never matched protocol: 44. use "
		       "extension match instead.");
	assert_int_equal(fixture_chain(f, "filter", "INPUT")->nrules, 1);
}

static void test_ipv6_kernel_load_checks(void **state)
{
	struct ipts_fixture *f = *state;

	f->opts.family = IPTS_FAMILY_IPV6;
	assert_null(load_str(f, HDR "-A INPUT -p udp -j REJECT --reject-with "
				    "tcp-reset\nCOMMIT\n"));
	assert_diag(f, 5, 20, "TCP_RESET illegal for non-tcp");
	assert_loads(f, HDR "-A INPUT -p tcp -j REJECT --reject-with "
			    "tcp-reset\nCOMMIT\n");
	assert_null(load_str(f, "*nat\n:PREROUTING ACCEPT [0:0]\n"
				"-A PREROUTING -j REJECT\nCOMMIT\n"));
	assert_diag(f, 3, 18, "REJECT target: only valid in filter table");
	assert_null(load_str(f, HDR "-A INPUT -m icmp6 --icmpv6-type 1 "
				    "-j ACCEPT\nCOMMIT\n"));
	assert_diag(f, 5, 13, "icmp6 match: only valid for protocol 58");
	assert_null(load_str(f, HDR "-A OUTPUT -m eui64 -j ACCEPT\nCOMMIT\n"));
	assert_diag(f, 5, 14, "eui64 match: used from hooks OUTPUT");
	/* addrtype: IPv6 routes have no broadcast, blackhole, throw... */
	assert_null(load_str(f, HDR "-A INPUT -m addrtype --dst-type "
				    "BROADCAST -j DROP\nCOMMIT\n"));
	assert_diag(f, 5, 13, "ipv6 does not support BROADCAST matching");
	assert_loads(f, HDR "-A INPUT -m addrtype --dst-type MULTICAST "
			    "-j DROP\nCOMMIT\n");
	/* the mask of hashlimit is an IPv6 prefix; ip6t_ah takes any -p */
	assert_loads(f, HDR
		     "-A INPUT -m ah --ahspi 5 -m hashlimit "
		     "--hashlimit-upto 5/sec --hashlimit-mode srcip "
		     "--hashlimit-srcmask 64 --hashlimit-name v6 -j ACCEPT\n"
		     "COMMIT\n");
	assert_null(load_str(f, HDR "-N a\n-N b\n-A a -j b\n-A b -j a\n"
				    "-A INPUT -j a\nCOMMIT\n"));
	assert_diag(f, 0, 0, "ELOOP");
}

/* libxtables' family is process-wide: each file gets its own. */
static void test_ipv6_and_ipv4_files_in_one_process(void **state)
{
	struct ipts_fixture *f = *state;
	static const char v4[] = HDR
		"-A INPUT -p tcp -m multiport --dports "
		"22,80 -j ACCEPT\n-A INPUT -p icmp -m icmp "
		"--icmp-type 8 -j REJECT --reject-with "
		"icmp-host-prohibited\nCOMMIT\n";
	static const char v6[] = HDR
		"-A INPUT -p tcp -m multiport --dports "
		"22,80 -j ACCEPT\n-A INPUT -p ipv6-icmp -m "
		"icmp6 --icmpv6-type 128 -j REJECT "
		"--reject-with icmp6-adm-prohibited\nCOMMIT\n";
	int i;

	for (i = 0; i < 3; i++) {
		f->opts.family = IPTS_FAMILY_IPV4;
		assert_loads(f, v4);
		assert_int_equal(f->rs->family, IPTS_FAMILY_IPV4);
		f->opts.family = IPTS_FAMILY_IPV6;
		assert_loads(f, v6);
		assert_int_equal(f->rs->family, IPTS_FAMILY_IPV6);
	}
	/* and each still refuses the other's words */
	f->opts.family = IPTS_FAMILY_IPV4;
	assert_null(load_str(f, HDR "-A INPUT -m icmp6 -j ACCEPT\nCOMMIT\n"));
	assert_diag(f, 5, 13, "Couldn't load match `icmp6'");
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, fixture_setup, fixture_teardown)
	const struct CMUnitTest tests[] = {
		T(test_ipv6_entries_hold_128_bit_addresses),
		T(test_ipv6_detected_from_the_file),
		T(test_ipv6_refusals_of_ip6tables),
		T(test_ipv6_kernel_load_checks),
		T(test_ipv6_and_ipv4_files_in_one_process),
	};
#undef T

	return cmocka_run_group_tests(tests, NULL, NULL);
}
