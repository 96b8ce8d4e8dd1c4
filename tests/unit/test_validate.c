/*
 * test_validate.c - the kernel's table-load checks (model/validate.c).
 *
 * Every refusal tested here was seen on a real kernel (Linux 6.18,
 * iptables-legacy-restore in a fresh network namespace): the load failed
 * with "line N failed" and, where the kernel says why, the words quoted in
 * the expected message come from its log. The near misses load.
 */
#include "fixture.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* 1-based column of @tok on line @line of @text (fails the test if absent). */
static unsigned int col_of(const char *text, unsigned int line,
			   const char *tok)
{
	const char *p = text, *nl, *hit;
	unsigned int n;

	for (n = 1; n < line; n++) {
		p = strchr(p, '\n');
		assert_non_null(p);
		p++;
	}
	nl = strchr(p, '\n');
	hit = strstr(p, tok);
	assert_non_null(hit);
	assert_true(!nl || hit < nl);
	return (unsigned int)(hit - p) + 1;
}

/* The file must fail to load with an error at @tok of @line. */
#define assert_refused(f, text, line, tok, needle)                            \
	do {                                                                  \
		const char *text_ = (text);                                   \
		if (load_str((f), text_)) {                                   \
			fixture_dump_diags(f);                                \
			fail_msg("loaded, expected '%s'", (needle));          \
		}                                                             \
		assert_diag((f), (line), col_of(text_, (line), (tok)),        \
			    (needle));                                        \
	} while (0)

/* ---- tables ---- */

static void test_validate_dnat_outside_nat_is_rejected(void **state)
{
	struct ipts_fixture *f = *state;

	assert_null(load_str(f, "*filter\n-A INPUT -j DNAT --to-destination 1.2.3.4\nCOMMIT\n"));
	assert_diag(f, 2, 13, "DNAT target: only valid in nat table, not filter");
}

static void test_validate_reject_outside_filter_is_rejected(void **state)
{
	assert_refused(*state, "*mangle\n-A INPUT -p tcp -j REJECT\nCOMMIT\n",
		       2, "REJECT",
		       "REJECT target: only valid in filter table, not mangle");
}

static void test_validate_nat_targets_outside_nat_are_rejected(void **state)
{
	assert_refused(*state, "*mangle\n-A PREROUTING -j NETMAP --to 10.0.0.0/24\nCOMMIT\n",
		       2, "NETMAP", "NETMAP target: only valid in nat table, not mangle");
	assert_refused(*state, "*filter\n-A OUTPUT -j MASQUERADE\nCOMMIT\n",
		       2, "MASQUERADE", "MASQUERADE target: only valid in nat table, not filter");
	assert_refused(*state, "*filter\n-A INPUT -p tcp -j REDIRECT --to-ports 80\nCOMMIT\n",
		       2, "REDIRECT", "REDIRECT target: only valid in nat table, not filter");
}

static void test_validate_raw_targets_outside_raw_are_rejected(void **state)
{
	assert_refused(*state, "*filter\n-A INPUT -j CT --notrack\nCOMMIT\n",
		       2, "CT", "CT target: only valid in raw table, not filter");
	/* iptables 1.8.9 writes NOTRACK as CT: the kernel names CT */
	assert_refused(*state, "*mangle\n-A PREROUTING -j NOTRACK\nCOMMIT\n",
		       2, "NOTRACK", "CT target: only valid in raw table, not mangle");
	assert_refused(*state, "*filter\n-A INPUT -p tcp -j TRACE\nCOMMIT\n",
		       2, "TRACE", "TRACE target: only valid in raw table, not filter");
}

static void test_validate_mangle_targets_outside_mangle_are_rejected(void **state)
{
	static const struct {
		const char *rule, *tok, *msg;
	} cases[] = {
		{ "-A INPUT -p udp -j CHECKSUM --checksum-fill", "CHECKSUM",
		  "CHECKSUM target: only valid in mangle table, not filter" },
		{ "-A INPUT -j TTL --ttl-set 5", "TTL",
		  "TTL target: only valid in mangle table, not filter" },
		{ "-A INPUT -j DSCP --set-dscp 1", "DSCP",
		  "DSCP target: only valid in mangle table, not filter" },
		{ "-A INPUT -j TOS --set-tos 1", "TOS",
		  "TOS target: only valid in mangle table, not filter" },
		{ "-A INPUT -p tcp -j ECN --ecn-tcp-remove", "ECN",
		  "ECN target: only valid in mangle table, not filter" },
		{ "-A INPUT -p tcp -j TCPOPTSTRIP --strip-options 8",
		  "TCPOPTSTRIP",
		  "TCPOPTSTRIP target: only valid in mangle table, not filter" },
		{ "-A INPUT -p tcp -j TPROXY --on-port 1 --tproxy-mark 1",
		  "TPROXY",
		  "TPROXY target: only valid in mangle table, not filter" },
	};
	char text[256];
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		snprintf(text, sizeof(text), "*filter\n%s\nCOMMIT\n",
			 cases[i].rule);
		assert_refused(*state, text, 2, cases[i].tok, cases[i].msg);
	}
}

static void test_validate_secmark_needs_mangle_or_security(void **state)
{
	assert_refused(*state, "*filter\n-A INPUT -j CONNSECMARK --save\nCOMMIT\n",
		       2, "CONNSECMARK",
		       "only valid in 'mangle' or 'security' table, not 'filter'");
	assert_loads(*state, "*security\n-A INPUT -j CONNSECMARK --save\nCOMMIT\n");
	assert_loads(*state, "*mangle\n-A INPUT -j CONNSECMARK --save\nCOMMIT\n");
}

static void test_validate_mark_and_connmark_load_anywhere(void **state)
{
	assert_loads(*state, "*filter\n-A INPUT -j MARK --set-mark 1\n-A INPUT -j CONNMARK --set-mark 1\nCOMMIT\n"
			     "*nat\n-A PREROUTING -j MARK --set-mark 1\nCOMMIT\n");
}

/* ---- hooks ---- */

static void test_validate_nat_hooks_are_checked(void **state)
{
	assert_refused(*state, "*nat\n-A POSTROUTING -j DNAT --to-destination 1.2.3.4\nCOMMIT\n",
		       2, "DNAT", "DNAT target: used from hooks POSTROUTING, but only usable from PREROUTING/OUTPUT");
	assert_refused(*state, "*nat\n-A PREROUTING -j SNAT --to-source 1.2.3.4\nCOMMIT\n",
		       2, "SNAT", "SNAT target: used from hooks PREROUTING, but only usable from INPUT/POSTROUTING");
	assert_refused(*state, "*nat\n-A OUTPUT -j MASQUERADE\nCOMMIT\n",
		       2, "MASQUERADE", "MASQUERADE target: used from hooks OUTPUT, but only usable from POSTROUTING");
	assert_refused(*state, "*nat\n-A INPUT -j REDIRECT\nCOMMIT\n",
		       2, "REDIRECT", "REDIRECT target: used from hooks INPUT, but only usable from PREROUTING/OUTPUT");
}

static void test_validate_nat_in_allowed_hooks_loads(void **state)
{
	assert_loads(*state, "*nat\n"
			     "-A PREROUTING -p tcp --dport 80 -j DNAT --to-destination 10.0.0.2:8080\n"
			     "-A INPUT -s 10.0.0.0/8 -j SNAT --to-source 192.0.2.1\n"
			     "-A OUTPUT -p tcp --dport 80 -j REDIRECT --to-ports 8080\n"
			     "-A POSTROUTING -o eth0 -j MASQUERADE\n"
			     "-A INPUT -j NETMAP --to 10.1.0.0/24\n"
			     "COMMIT\n");
}

static void test_validate_owner_in_input_is_rejected(void **state)
{
	assert_refused(*state, "*filter\n-A INPUT -m owner --uid-owner 0 -j ACCEPT\nCOMMIT\n",
		       2, "owner", "owner match: used from hooks INPUT, but only valid from OUTPUT/POSTROUTING");
}

static void test_validate_owner_in_output_loads(void **state)
{
	assert_loads(*state, "*filter\n-A OUTPUT -m owner --uid-owner 0 -j ACCEPT\nCOMMIT\n"
			     "*nat\n-A POSTROUTING -m owner --uid-owner 0 -j MASQUERADE\nCOMMIT\n");
}

static void test_validate_user_chain_names_the_path(void **state)
{
	struct ipts_fixture *f = *state;
	const char *text = "*filter\n"
			   ":A - [0:0]\n"
			   ":B - [0:0]\n"
			   "-A INPUT -j A\n"
			   "-A OUTPUT -j A\n"
			   "-A A -p tcp -j B\n"
			   "-A B -m owner --gid-owner 0 -j RETURN\n"
			   "COMMIT\n";

	assert_refused(f, text, 7, "owner",
		       "owner match: used from hooks INPUT/OUTPUT, but only valid from OUTPUT/POSTROUTING, reached from INPUT via 'A' -> 'B'");
	assert_true(fixture_has_diag(f, IPTS_NOTE, 4, 13, "'A'"));
}

static void test_validate_owner_in_unreferenced_chain_loads(void **state)
{
	assert_loads(*state, "*filter\n:SPARE - [0:0]\n-A SPARE -m owner --uid-owner 0 -j ACCEPT\nCOMMIT\n");
}

static void test_validate_rules_after_unconditional_verdict_are_not_hook_checked(void **state)
{
	/* mark_source_chains() stops at an unconditional ACCEPT/DROP/RETURN:
	 * what follows is reached from no hook, and its jumps are not
	 * followed */
	assert_loads(*state, "*filter\n:A - [0:0]\n-A INPUT -j A\n-A A -j RETURN\n"
			     "-A A -m owner --uid-owner 0 -j ACCEPT\nCOMMIT\n");
	assert_loads(*state, "*filter\n:OWN - [0:0]\n-A INPUT -j ACCEPT\n"
			     "-A INPUT -m owner --uid-owner 0 -j DROP\n-A INPUT -j OWN\n"
			     "-A OWN -m owner --uid-owner 0 -j DROP\nCOMMIT\n");
	/* -s 0.0.0.0/0 is no condition, QUEUE is a verdict; -i + and a
	 * match are conditions */
	assert_loads(*state, "*filter\n-A INPUT -s 0.0.0.0/0 -j ACCEPT\n"
			     "-A INPUT -m owner --uid-owner 0 -j DROP\nCOMMIT\n");
	assert_loads(*state, "*filter\n-A INPUT -j QUEUE\n"
			     "-A INPUT -m owner --uid-owner 0 -j DROP\nCOMMIT\n");
	assert_refused(*state, "*filter\n-A INPUT -i + -j ACCEPT\n"
			       "-A INPUT -m owner --uid-owner 0 -j DROP\nCOMMIT\n",
		       3, "owner", "owner match: used from hooks INPUT");
	assert_refused(*state, "*filter\n-A INPUT -m comment --comment x -j ACCEPT\n"
			       "-A INPUT -m owner --uid-owner 0 -j DROP\nCOMMIT\n",
		       3, "owner", "owner match: used from hooks INPUT");
	/* a conditional RETURN does not stop it */
	assert_refused(*state, "*filter\n:A - [0:0]\n-A INPUT -j A\n-A A -p tcp -j RETURN\n"
			       "-A A -m owner --uid-owner 0 -j ACCEPT\nCOMMIT\n",
		       5, "owner", "reached from INPUT via 'A'");
}

static void test_validate_classify_hooks(void **state)
{
	assert_refused(*state, "*mangle\n-A PREROUTING -j CLASSIFY --set-class 1:1\nCOMMIT\n",
		       2, "CLASSIFY", "CLASSIFY target: used from hooks PREROUTING, but only usable from FORWARD/OUTPUT/POSTROUTING");
	assert_loads(*state, "*filter\n-A OUTPUT -j CLASSIFY --set-class 1:1\nCOMMIT\n");
}

static void test_validate_tproxy_hook_and_protocol(void **state)
{
	assert_refused(*state, "*mangle\n-A INPUT -p tcp -j TPROXY --on-port 1 --tproxy-mark 1\nCOMMIT\n",
		       2, "TPROXY", "TPROXY target: used from hooks INPUT, but only usable from PREROUTING");
	assert_refused(*state, "*mangle\n-A PREROUTING -p icmp -j TPROXY --on-port 1 --tproxy-mark 1\nCOMMIT\n",
		       2, "TPROXY", "Can be used only with -p tcp or -p udp");
	assert_loads(*state, "*mangle\n-A PREROUTING -p udp -j TPROXY --on-port 1 --tproxy-mark 1\nCOMMIT\n");
}

static void test_validate_synproxy_hook_and_protocol(void **state)
{
	assert_refused(*state, "*filter\n-A OUTPUT -p tcp -j SYNPROXY --mss 1460\nCOMMIT\n",
		       2, "SYNPROXY", "SYNPROXY target: used from hooks OUTPUT, but only usable from INPUT/FORWARD");
	assert_refused(*state, "*filter\n-A INPUT -j SYNPROXY --mss 1460\nCOMMIT\n",
		       2, "SYNPROXY", "SYNPROXY target: only valid with -p tcp");
	assert_loads(*state, "*filter\n-A INPUT -p tcp -j SYNPROXY --mss 1460\nCOMMIT\n");
}

static void test_validate_match_hooks(void **state)
{
	assert_refused(*state, "*filter\n-A OUTPUT -m socket\nCOMMIT\n",
		       2, "socket", "socket match: used from hooks OUTPUT, but only valid from PREROUTING/INPUT");
	assert_refused(*state, "*filter\n-A OUTPUT -m mac --mac-source 00:11:22:33:44:55\nCOMMIT\n",
		       2, "mac", "mac match: used from hooks OUTPUT, but only valid from PREROUTING/INPUT/FORWARD");
	assert_refused(*state, "*nat\n-A PREROUTING -m realm --realm 1\nCOMMIT\n",
		       2, "realm", "realm match: used from hooks PREROUTING, but only valid from INPUT/FORWARD/OUTPUT/POSTROUTING");
	assert_refused(*state, "*filter\n-A OUTPUT -p tcp -m osf --genre Linux\nCOMMIT\n",
		       2, "osf", "osf match: used from hooks OUTPUT, but only valid from PREROUTING/INPUT/FORWARD");
	assert_refused(*state, "*raw\n-A OUTPUT -m rpfilter\nCOMMIT\n",
		       2, "rpfilter", "rpfilter match: used from hooks OUTPUT, but only valid from PREROUTING");
}

static void test_validate_cgroup_hooks(void **state)
{
	assert_refused(*state, "*mangle\n-A PREROUTING -m cgroup --cgroup 1\nCOMMIT\n",
		       2, "cgroup", "cgroup match: used from hooks PREROUTING, but only valid from INPUT/OUTPUT/POSTROUTING");
	assert_loads(*state, "*filter\n-A INPUT -m cgroup --cgroup 1\n-A OUTPUT -m cgroup --cgroup 1\nCOMMIT\n");
}

static void test_validate_rpfilter_table(void **state)
{
	assert_refused(*state, "*nat\n-A PREROUTING -m rpfilter\nCOMMIT\n",
		       2, "rpfilter", "only valid in 'raw' or 'mangle' table, not 'nat'");
	assert_loads(*state, "*mangle\n-A PREROUTING -m rpfilter\nCOMMIT\n");
}

static void test_validate_addrtype_interface_limits(void **state)
{
	assert_refused(*state, "*filter\n-A INPUT -m addrtype --dst-type LOCAL --limit-iface-out\nCOMMIT\n",
		       2, "addrtype", "output interface limitation not valid in PREROUTING and INPUT");
	assert_refused(*state, "*nat\n-A POSTROUTING -m addrtype --dst-type LOCAL --limit-iface-in\nCOMMIT\n",
		       2, "addrtype", "input interface limitation not valid in POSTROUTING and OUTPUT");
	assert_loads(*state, "*filter\n-A FORWARD -m addrtype --dst-type LOCAL --limit-iface-in\n"
			     "-A FORWARD -m addrtype --dst-type LOCAL --limit-iface-out\nCOMMIT\n");
}

static void test_validate_physdev_out_from_output(void **state)
{
	assert_refused(*state, "*filter\n-A OUTPUT -m physdev --physdev-out eth0\nCOMMIT\n",
		       2, "physdev", "--physdev-out and --physdev-is-out only supported in the FORWARD and POSTROUTING chains");
	/* only OUTPUT is refused, and not with --physdev-is-bridged */
	assert_loads(*state, "*filter\n-A INPUT -m physdev --physdev-out eth0\n"
			     "-A OUTPUT -m physdev --physdev-is-bridged --physdev-out eth0\n"
			     "-A FORWARD -m physdev --physdev-is-out\nCOMMIT\n");
}

static void test_validate_policy_direction(void **state)
{
	assert_refused(*state, "*filter\n-A INPUT -m policy --dir out --pol none\nCOMMIT\n",
		       2, "policy", "output policy not valid in PREROUTING and INPUT");
	assert_refused(*state, "*filter\n-A OUTPUT -m policy --dir in --pol none\nCOMMIT\n",
		       2, "policy", "input policy not valid in POSTROUTING and OUTPUT");
	assert_loads(*state, "*filter\n-A FORWARD -m policy --dir in --pol none\nCOMMIT\n");
}

static void test_validate_devgroup_hooks(void **state)
{
	assert_refused(*state, "*filter\n-A OUTPUT -m devgroup --src-group 1\nCOMMIT\n",
		       2, "devgroup", "--src-group only valid from PREROUTING/INPUT/FORWARD");
	assert_refused(*state, "*filter\n-A INPUT -m devgroup --dst-group 1\nCOMMIT\n",
		       2, "devgroup", "--dst-group only valid from FORWARD/OUTPUT/POSTROUTING");
	assert_loads(*state, "*filter\n-A FORWARD -m devgroup --src-group 1 --dst-group 2\nCOMMIT\n");
}

static void test_validate_tcpmss(void **state)
{
	assert_refused(*state, "*mangle\n-A FORWARD -p tcp -j TCPMSS --set-mss 1400\nCOMMIT\n",
		       2, "TCPMSS", "Only works on TCP SYN packets");
	assert_refused(*state, "*mangle\n-A FORWARD -p tcp ! --syn -j TCPMSS --set-mss 1400\nCOMMIT\n",
		       2, "TCPMSS", "Only works on TCP SYN packets");
	assert_refused(*state, "*mangle\n-A FORWARD -j TCPMSS --set-mss 1400\nCOMMIT\n",
		       2, "TCPMSS", "TCPMSS target: only valid for protocol 6");
	assert_refused(*state, "*mangle\n-A INPUT -p tcp --syn -j TCPMSS --clamp-mss-to-pmtu\nCOMMIT\n",
		       2, "TCPMSS", "path-MTU clamping only supported in FORWARD, OUTPUT and POSTROUTING hooks");
	assert_loads(*state, "*mangle\n-A FORWARD -p tcp --tcp-flags SYN,RST SYN -j TCPMSS --clamp-mss-to-pmtu\n"
			     "-A PREROUTING -p tcp --syn -j TCPMSS --set-mss 1400\nCOMMIT\n");
	assert_loads(*state, "*filter\n-A FORWARD -p tcp --tcp-flags SYN,RST SYN -j TCPMSS --set-mss 1400\nCOMMIT\n");
}

/* ---- protocols ---- */

static void test_validate_reject_tcp_reset_needs_tcp(void **state)
{
	assert_refused(*state, "*filter\n-A INPUT -j REJECT --reject-with tcp-reset\nCOMMIT\n",
		       2, "REJECT", "TCP_RESET invalid for non-tcp");
	assert_refused(*state, "*filter\n-A INPUT ! -p tcp -j REJECT --reject-with tcp-reset\nCOMMIT\n",
		       2, "REJECT", "TCP_RESET invalid for non-tcp");
	assert_loads(*state, "*filter\n-A FORWARD -p tcp -j REJECT --reject-with tcp-reset\n"
			     "-A FORWARD -j REJECT\nCOMMIT\n");
}

static void test_validate_protocol_matches_need_their_protocol(void **state)
{
	assert_refused(*state, "*filter\n-A INPUT -m tcp --dport 1\nCOMMIT\n",
		       2, "tcp", "tcp match: only valid for protocol 6");
	assert_refused(*state, "*filter\n-A INPUT ! -p tcp -m tcp --dport 1\nCOMMIT\n",
		       2, "tcp --dport", "tcp match: only valid for protocol 6");
	assert_refused(*state, "*filter\n-A INPUT -p tcp -m udp --dport 53\nCOMMIT\n",
		       2, "udp", "udp match: only valid for protocol 17");
	assert_refused(*state, "*filter\n-A INPUT -m icmp --icmp-type 8\nCOMMIT\n",
		       2, "icmp", "icmp match: only valid for protocol 1");
	assert_refused(*state, "*filter\n-A INPUT -m sctp --dport 1\nCOMMIT\n",
		       2, "sctp", "sctp match: only valid for protocol 132");
	assert_refused(*state, "*filter\n-A INPUT -m esp --espspi 1\nCOMMIT\n",
		       2, "esp", "esp match: only valid for protocol 50");
	assert_refused(*state, "*filter\n-A INPUT -m tcpmss --mss 1\nCOMMIT\n",
		       2, "tcpmss", "tcpmss match: only valid for protocol 6");
	assert_refused(*state, "*filter\n-A INPUT -m ipcomp --ipcompspi 1\nCOMMIT\n",
		       2, "ipcomp", "ipcomp match: only valid for protocol 108");
}

static void test_validate_ecn_needs_tcp_for_tcp_bits(void **state)
{
	assert_refused(*state, "*filter\n-A INPUT -m ecn --ecn-tcp-cwr\nCOMMIT\n",
		       2, "ecn", "cannot match TCP bits for non-tcp packets");
	assert_refused(*state, "*mangle\n-A INPUT -j ECN --ecn-tcp-remove\nCOMMIT\n",
		       2, "ECN", "cannot use operation on non-tcp rule");
	assert_loads(*state, "*filter\n-A INPUT -m ecn --ecn-ip-ect 1\nCOMMIT\n"
			     "*mangle\n-A INPUT -p tcp -j ECN --ecn-tcp-remove\nCOMMIT\n");
}

static void test_validate_ct_helper(void **state)
{
	assert_refused(*state, "*raw\n-A PREROUTING -j CT --helper ftp\nCOMMIT\n",
		       2, "CT", "You must specify a L4 protocol and not use inversions on it");
	assert_refused(*state, "*raw\n-A PREROUTING ! -p tcp -j CT --helper ftp\nCOMMIT\n",
		       2, "CT", "You must specify a L4 protocol");
	assert_refused(*state, "*raw\n-A PREROUTING -p udp -j CT --helper ftp\nCOMMIT\n",
		       2, "CT", "No such helper \"ftp\"");
	assert_refused(*state, "*raw\n-A PREROUTING -p tcp -j CT --helper nosuch\nCOMMIT\n",
		       2, "CT", "No such helper \"nosuch\"");
	assert_loads(*state, "*raw\n-A PREROUTING -p tcp -j CT --helper ftp\n"
			     "-A PREROUTING -p udp -j CT --helper tftp\n"
			     "-A PREROUTING -p udp -j CT --helper sip\n"
			     "-A OUTPUT -j CT --notrack\nCOMMIT\n");
}

/* ---- extension values ---- */

static void test_validate_limit_overflow(void **state)
{
	assert_refused(*state, "*filter\n-A INPUT -m limit --limit 1/day\nCOMMIT\n",
		       2, "limit", "limit match: Overflow, try lower: 864000000/5");
	assert_refused(*state, "*filter\n-A INPUT -m limit --limit 1/day --limit-burst 2\nCOMMIT\n",
		       2, "limit", "Overflow, try lower: 864000000/2");
	/* the kernel's check multiplies in 32 bits: some bursts wrap round
	 * to a value that passes */
	assert_loads(*state, "*filter\n-A INPUT -m limit --limit 1/day --limit-burst 1\n"
			     "-A INPUT -m limit --limit 1/hour --limit-burst 10000\n"
			     "-A INPUT -m limit --limit 10000/sec --limit-burst 10000\nCOMMIT\n");
}

static void test_validate_hashlimit(void **state)
{
	assert_refused(*state, "*filter\n-A INPUT -m hashlimit --hashlimit-upto 1/day --hashlimit-name foo\nCOMMIT\n",
		       2, "hashlimit", "hashlimit match: overflow, try lower: 86400000000/5");
	assert_refused(*state, "*filter\n-A INPUT -m hashlimit --hashlimit-upto 1/sec --hashlimit-name foo/x\nCOMMIT\n",
		       2, "hashlimit", "invalid --hashlimit-name 'foo/x'");
	assert_refused(*state, "*filter\n-A INPUT -m hashlimit --hashlimit-upto 1/sec --hashlimit-name ..\nCOMMIT\n",
		       2, "hashlimit", "invalid --hashlimit-name '..'");
	assert_loads(*state, "*filter\n-A INPUT -m hashlimit --hashlimit-upto 1/day --hashlimit-burst 1 --hashlimit-name foo\n"
			     "-A INPUT -m hashlimit --hashlimit-upto 2/sec --hashlimit-name foo\nCOMMIT\n");
}

static void test_validate_recent(void **state)
{
	assert_refused(*state, "*filter\n-A INPUT -m recent --name foo/bar --set\nCOMMIT\n",
		       2, "recent", "invalid --name 'foo/bar'");
	assert_refused(*state, "*filter\n-A INPUT -m recent --name . --set\nCOMMIT\n",
		       2, "recent", "invalid --name '.'");
	assert_refused(*state, "*filter\n-A INPUT -m recent --name foo --set --seconds 5\nCOMMIT\n",
		       2, "recent", "--set cannot take --seconds");
	assert_refused(*state, "*filter\n-A INPUT -m recent --name foo --set --hitcount 3\nCOMMIT\n",
		       2, "recent", "--set cannot take");
	assert_loads(*state, "*filter\n-A INPUT -m recent --name foo --set\n"
			     "-A INPUT -m recent --name foo --rcheck --seconds 5 --hitcount 300 --reap\nCOMMIT\n");
}

static void test_validate_string(void **state)
{
	assert_refused(*state, "*filter\n-A INPUT -m string --algo bm --string foo --from 100 --to 10\nCOMMIT\n",
		       2, "string", "--from 100 is after --to 10");
	assert_refused(*state, "*filter\n-A INPUT -m string --algo foo --string bar\nCOMMIT\n",
		       2, "string", "unknown --algo 'foo'");
	assert_loads(*state, "*filter\n-A INPUT -m string --algo kmp --string bar --from 10 --to 10\nCOMMIT\n");
}

static void test_validate_idletimer(void **state)
{
	assert_refused(*state, "*filter\n-A INPUT -j IDLETIMER --timeout 0 --label foo\nCOMMIT\n",
		       2, "IDLETIMER", "IDLETIMER target: timeout value is zero");
	assert_refused(*state, "*filter\n-A INPUT -j IDLETIMER --timeout 2147483 --label foo\nCOMMIT\n",
		       2, "IDLETIMER", "IDLETIMER target: timeout value is too big");
	assert_refused(*state, "*filter\n-A INPUT -j IDLETIMER --timeout 10 --label foo\n"
			       "-A INPUT -j IDLETIMER --timeout 20 --label foo --alarm\nCOMMIT\n",
		       3, "IDLETIMER", "timer 'foo' exists with a different timer type");
	assert_loads(*state, "*filter\n-A INPUT -j IDLETIMER --timeout 2147482 --label foo\n"
			     "-A INPUT -j IDLETIMER --timeout 20 --label foo\nCOMMIT\n");
}

static void test_validate_rateest(void **state)
{
	assert_refused(*state, "*filter\n"
			       "-A INPUT -j RATEEST --rateest-name foo --rateest-interval 250ms --rateest-ewmalog 500ms\n"
			       "-A INPUT -j RATEEST --rateest-name foo --rateest-interval 1s --rateest-ewmalog 2s\n"
			       "COMMIT\n",
		       3, "RATEEST", "estimator 'foo' exists with a different");
	assert_loads(*state, "*filter\n"
			     "-A INPUT -j RATEEST --rateest-name foo --rateest-interval 250ms --rateest-ewmalog 500ms\n"
			     "-A INPUT -j RATEEST --rateest-name foo --rateest-interval 250ms --rateest-ewmalog 500ms\n"
			     "COMMIT\n");
}

static void test_validate_rateest_match_before_its_estimator_warns(void **state)
{
	struct ipts_fixture *f = *state;
	const char *text = "*filter\n"
		"-A INPUT -m rateest --rateest foo --rateest-bps1 --rateest-gt --rateest-bps 1\n"
		"-A INPUT -j RATEEST --rateest-name foo --rateest-interval 250ms --rateest-ewmalog 500ms\n"
		"-A INPUT -m rateest --rateest foo --rateest-bps1 --rateest-gt --rateest-bps 1\n"
		"COMMIT\n";

	/* an earlier table of the file could have made it: a warning */
	assert_loads(f, text);
	assert_warning(f, 2, 13, "estimator 'foo' is not made by a RATEEST rule before this one");
	assert_false(fixture_has_diag(f, IPTS_WARNING, 4, 0, "estimator"));
}

static void test_validate_host_objects_warn(void **state)
{
	struct ipts_fixture *f = *state;

	/* the kernel refuses these unless the host made the object first */
	assert_loads(f, "*raw\n-A PREROUTING -p tcp -j CT --timeout tcp-long\nCOMMIT\n"
			"*filter\n-A INPUT -m nfacct --nfacct-name web\nCOMMIT\n");
	assert_warning(f, 2, 25, "timeout policy 'tcp-long' must exist on the host");
	assert_warning(f, 5, 13, "accounting object 'web' must exist on the host");
	/* without -p, no timeout policy helps */
	assert_refused(f, "*raw\n-A PREROUTING -j CT --timeout tcp-long\nCOMMIT\n",
		       2, "CT", "You must specify a L4 protocol");
}

/* ---- loops and jumps ---- */

static void test_validate_jump_loop_is_reported_with_its_cycle(void **state)
{
	assert_refused(*state, "*filter\n:A - [0:0]\n:B - [0:0]\n-A INPUT -j A\n"
			       "-A A -j B\n-A B -p tcp -j A\nCOMMIT\n",
		       6, "A\n", "jump loop: 'A' -> 'B' -> 'A'");
	assert_refused(*state, "*filter\n:A - [0:0]\n-A OUTPUT -j A\n-A A -p tcp -j A\nCOMMIT\n",
		       4, "A\n", "jump loop: 'A' -> 'A'");
	assert_refused(*state, "*filter\n:X - [0:0]\n:Y - [0:0]\n-A FORWARD -g X\n"
			       "-A X -g Y\n-A Y -i eth0 -g X\nCOMMIT\n",
		       6, "X\n", "jump loop: 'X' -> 'Y' -> 'X'");
}

static void test_validate_loop_no_hook_reaches_loads(void **state)
{
	assert_loads(*state, "*filter\n:A - [0:0]\n:B - [0:0]\n-A A -j B\n-A B -j A\nCOMMIT\n");
	assert_loads(*state, "*filter\n:A - [0:0]\n:B - [0:0]\n-A INPUT -j A\n-A A -j B\n"
			     "-A B -j RETURN\n-A B -j A\nCOMMIT\n");
	/* a diamond is no loop */
	assert_loads(*state, "*filter\n:A - [0:0]\n:B - [0:0]\n:C - [0:0]\n-A INPUT -j A\n"
			     "-A INPUT -j B\n-A A -j C\n-A B -j C\nCOMMIT\n");
}

static void test_validate_jump_to_builtin_chain_is_rejected(void **state)
{
	struct ipts_fixture *f = *state;

	assert_null(load_str(f, "*filter\n-A INPUT -p tcp -j OUTPUT\nCOMMIT\n"));
	assert_diag(f, 2, 20, "OUTPUT");
}

static void test_validate_counts_references(void **state)
{
	struct ipts_fixture *f = *state;

	assert_loads(f, "*filter\n:A - [0:0]\n:B - [0:0]\n-A INPUT -j A\n-A OUTPUT -g A\n"
			"-A INPUT -j ACCEPT\n-A INPUT -j B\nCOMMIT\n");
	assert_int_equal(fixture_chain(f, "filter", "A")->refs, 2);
	assert_int_equal(fixture_chain(f, "filter", "B")->refs, 1);
}

/* Chains thousands deep: no recursion in the checks. */
static void test_validate_deep_chains(void **state)
{
	struct ipts_fixture *f = *state;
	enum { DEPTH = 20000 };
	size_t cap = (size_t)DEPTH * 48 + 256, len = 0;
	char *text = malloc(cap);
	int i;

	assert_non_null(text);
	len += (size_t)sprintf(text + len, "*filter\n");
	for (i = 0; i < DEPTH; i++)
		len += (size_t)sprintf(text + len, ":C%d - [0:0]\n", i);
	len += (size_t)sprintf(text + len, "-A OUTPUT -j C0\n");
	for (i = 0; i + 1 < DEPTH; i++)
		len += (size_t)sprintf(text + len, "-A C%d -p tcp -j C%d\n", i,
				       i + 1);
	len += (size_t)sprintf(text + len,
			       "-A C%d -m owner --uid-owner 0 -j ACCEPT\nCOMMIT\n",
			       DEPTH - 1);
	assert_true(len < cap);
	assert_loads(f, text);

	/* the same from INPUT: refused, the path shortened */
	memcpy(strstr(text, "-A OUTPUT"), "-A INPUT ", 9);
	assert_null(load_str(f, text));
	assert_diag(f, (unsigned int)DEPTH * 2 + 2, 0,
		    "reached from INPUT via 'C0' -> ");
	/* ... and closed into a loop */
	memcpy(strstr(text, "-A INPUT "), "-A OUTPUT", 9);
	memcpy(strstr(text, "-m owner --uid-owner 0 -j ACCEPT"),
	       "-p tcp -j C0                    ", 32);
	assert_null(load_str(f, text));
	assert_diag(f, (unsigned int)DEPTH * 2 + 2, 0, "jump loop: 'C0' -> ");
	free(text);
}

static void test_validate_set_match_is_left_to_the_host(void **state)
{
	/* -m set is kept as words; the set match has no hook or table
	 * restriction to check */
	assert_loads(*state, "*filter\n-A INPUT -m set --match-set whitelist src -j ACCEPT\nCOMMIT\n");
}

/*
 * iptables-restore reads a line of 71,721 bytes as 8 lines (fgets() cuts
 * at 10,239); the last one's words lie past 64 KiB of the line, where a
 * rule's compact word places cannot reach: the error still points at it.
 */
static void test_validate_word_past_64k_of_its_line(void **state)
{
	static const char last[] = "-A INPUT -p tcp -j DNAT "
				   "--to-destination 1.2.3.4";
	struct ipts_fixture *f = *state;
	size_t piece = 10239, n = 0, i;
	char *text = malloc(8 * piece + 256);

	assert_non_null(text);
	n += (size_t)sprintf(text, "*filter\n");
	for (i = 0; i < 7; i++) {
		size_t w = (size_t)sprintf(text + n, "-A INPUT -p tcp -m tcp "
					   "--dport %zu -j ACCEPT", i + 1);

		memset(text + n + w, ' ', piece - w);
		n += piece;
	}
	n += (size_t)sprintf(text + n, "%s\nCOMMIT\n", last);
	assert_null(load_str(f, text));
	assert_diag(f, 2, (unsigned int)(7 * piece + 1 + 19),
		    "only valid in nat table");
	free(text);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
#define T(name) cmocka_unit_test_setup_teardown(name, fixture_setup, fixture_teardown)
		T(test_validate_dnat_outside_nat_is_rejected),
		T(test_validate_reject_outside_filter_is_rejected),
		T(test_validate_nat_targets_outside_nat_are_rejected),
		T(test_validate_raw_targets_outside_raw_are_rejected),
		T(test_validate_mangle_targets_outside_mangle_are_rejected),
		T(test_validate_secmark_needs_mangle_or_security),
		T(test_validate_mark_and_connmark_load_anywhere),
		T(test_validate_nat_hooks_are_checked),
		T(test_validate_nat_in_allowed_hooks_loads),
		T(test_validate_owner_in_input_is_rejected),
		T(test_validate_owner_in_output_loads),
		T(test_validate_user_chain_names_the_path),
		T(test_validate_owner_in_unreferenced_chain_loads),
		T(test_validate_rules_after_unconditional_verdict_are_not_hook_checked),
		T(test_validate_classify_hooks),
		T(test_validate_tproxy_hook_and_protocol),
		T(test_validate_synproxy_hook_and_protocol),
		T(test_validate_match_hooks),
		T(test_validate_cgroup_hooks),
		T(test_validate_rpfilter_table),
		T(test_validate_addrtype_interface_limits),
		T(test_validate_physdev_out_from_output),
		T(test_validate_policy_direction),
		T(test_validate_devgroup_hooks),
		T(test_validate_tcpmss),
		T(test_validate_reject_tcp_reset_needs_tcp),
		T(test_validate_protocol_matches_need_their_protocol),
		T(test_validate_ecn_needs_tcp_for_tcp_bits),
		T(test_validate_ct_helper),
		T(test_validate_limit_overflow),
		T(test_validate_hashlimit),
		T(test_validate_recent),
		T(test_validate_string),
		T(test_validate_idletimer),
		T(test_validate_rateest),
		T(test_validate_rateest_match_before_its_estimator_warns),
		T(test_validate_host_objects_warn),
		T(test_validate_jump_loop_is_reported_with_its_cycle),
		T(test_validate_loop_no_hook_reaches_loads),
		T(test_validate_jump_to_builtin_chain_is_rejected),
		T(test_validate_counts_references),
		T(test_validate_deep_chains),
		T(test_validate_set_match_is_left_to_the_host),
		T(test_validate_word_past_64k_of_its_line),
#undef T
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
