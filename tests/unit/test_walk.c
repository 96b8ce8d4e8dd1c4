/*
 * test_walk.c - the simulator end to end: rules through the parser, one
 * local connection through the hooks, and the answer. Every expected path
 * and outcome here was seen on Linux 6.18 (tests/kernel/facts, and the
 * cases named in the comments, run with tests/kernel/oracle.py).
 */
#include "fixture.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <netinet/in.h>

#include "sim.h"

static struct ipts_result res;

/* One query against @rs, with a context prepared for it alone. */
static int simulate(const struct ipts_ruleset *rs, const struct ipts_query *q,
		    const struct ipts_limits *lim, struct ipts_result *r)
{
	struct ipts_sim_ctx *ctx = ipts_sim_prepare(rs);
	int rc = ipts_simulate_limited(ctx, q, lim, r);

	ipts_sim_free(ctx);
	return rc;
}

static int setup(void **state)
{
	ipts_result_init(&res);
	return fixture_setup(state);
}

static int teardown(void **state)
{
	ipts_result_free(&res);
	return fixture_teardown(state);
}

static const char filter_hdr[] =
	"*filter\n:INPUT ACCEPT [0:0]\n:FORWARD ACCEPT [0:0]\n"
	":OUTPUT ACCEPT [0:0]\n";

/* Load @text and simulate @q (default query when NULL). */
static enum ipts_outcome run(struct ipts_fixture *f, const char *text,
			     const struct ipts_query *q)
{
	struct ipts_query dq;

	if (!load_str(f, text)) {
		fixture_dump_diags(f);
		fail_msg("ruleset does not load");
	}
	if (!q) {
		ipts_query_init(&dq);
		q = &dq;
	}
	assert_int_equal(simulate(f->rs, q, NULL, &res), 0);
	return res.outcome;
}

/* The packet named @name of the last result. */
static const struct ipts_packet *pkt(const char *name)
{
	unsigned int i;

	for (i = 0; i < res.npackets; i++)
		if (strcmp(res.packets[i].name, name) == 0)
			return &res.packets[i];
	fail_msg("no packet %s", name);
	return NULL;
}

/* The packet's path as "table:chain:type:num ..." (kernel_only: only the
 * lines the file's own TRACE rules make the kernel log). */
static const char *path(const char *name, bool kernel_only)
{
	static char buf[2048];
	const struct ipts_packet *p = pkt(name);
	size_t k, n = 0;

	buf[0] = '\0';
	for (k = 0; k < p->ntrace; k++) {
		char t[128];

		if (kernel_only && !p->trace[k].kernel_logged)
			continue;
		ipts_trace_format(&p->trace[k], t, sizeof(t));
		n += snprintf(buf + n, sizeof(buf) - n, "%s%s", n ? " " : "",
			      t);
	}
	return buf;
}

static const struct ipts_trace *decided_by(void)
{
	assert_true(res.decided_pkt >= 0);
	assert_true(res.decided_idx >= 0);
	return &res.packets[res.decided_pkt].trace[res.decided_idx];
}

static bool has_event(const char *name, const char *needle)
{
	const struct ipts_packet *p = pkt(name);
	size_t k;

	for (k = 0; k < p->nev; k++)
		if (strstr(p->ev[k].text, needle))
			return true;
	return false;
}

static char *rules(const char *tables)
{
	static char buf[4096];

	snprintf(buf, sizeof(buf), "%s", tables);
	return buf;
}

/* --- the seed -------------------------------------------------------- */

static const char seed[] =
	"*raw\n:PREROUTING ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n"
	"-A OUTPUT -p tcp --dport 1060 -j TRACE\nCOMMIT\n"
	"*filter\n:INPUT ACCEPT [0:0]\n:FORWARD ACCEPT [0:0]\n"
	":OUTPUT ACCEPT [0:0]\n"
	"-A INPUT -p tcp --dport 1060 -j DROP\nCOMMIT\n";

static void test_walk_seed_times_out_at_input_rule_1(void **state)
{
	const struct ipts_trace *t;

	assert_int_equal(run(*state, seed, NULL), IPTS_TIMEOUT);
	assert_int_equal(res.npackets, 1);
	assert_string_equal(path("SYN", false),
			    "raw:OUTPUT:rule:1 raw:OUTPUT:policy:2 "
			    "filter:OUTPUT:policy:1 raw:PREROUTING:policy:1 "
			    "filter:INPUT:rule:1");
	t = decided_by();
	assert_string_equal(t->chain->name, "INPUT");
	assert_int_equal(t->type, IPTS_TRACE_RULE);
	assert_int_equal(t->num, 1);
	assert_non_null(t->rule);
	assert_int_equal(t->rule->loc.line, 10);
	assert_false(res.conntrack);
}

static void test_walk_seed_kernel_trace_is_the_posts_lines(void **state)
{
	run(*state, seed, NULL);
	/* the TRACE rule itself is not logged: nf_trace is set after it */
	assert_string_equal(path("SYN", true),
			    "raw:OUTPUT:policy:2 filter:OUTPUT:policy:1 "
			    "raw:PREROUTING:policy:1 filter:INPUT:rule:1");
}

/* --- the incident: only uid 1000 may connect --------------------------- */

static const char uid_only[] =
	"*filter\n:INPUT ACCEPT [0:0]\n:FORWARD ACCEPT [0:0]\n"
	":OUTPUT ACCEPT [0:0]\n"
	"-A OUTPUT -p tcp --dport 1060 -m owner --uid-owner 1000 -j ACCEPT\n"
	"-A OUTPUT -p tcp --dport 1060 -j DROP\nCOMMIT\n";

static void test_walk_uid_only_port_other_uid_times_out(void **state)
{
	struct ipts_query q;

	ipts_query_init(&q);
	q.uid = 0;
	assert_int_equal(run(*state, uid_only, &q), IPTS_TIMEOUT);
	assert_string_equal(path("SYN", false), "filter:OUTPUT:rule:2");
	assert_int_equal(decided_by()->num, 2);
	assert_non_null(strstr(res.why, "the SYN is dropped by "
				       "filter:OUTPUT:rule:2 ("));
}

static void test_walk_uid_only_port_right_uid_connects(void **state)
{
	struct ipts_query q;

	ipts_query_init(&q);
	q.uid = 1000;
	assert_int_equal(run(*state, uid_only, &q), IPTS_CONNECTED);
	assert_string_equal(path("SYN", false),
			    "filter:OUTPUT:rule:1 filter:INPUT:policy:1");
	/* the SYN-ACK goes from port 1060, not to it */
	assert_string_equal(path("SYN-ACK", false),
			    "filter:OUTPUT:policy:3 filter:INPUT:policy:1");
	assert_string_equal(path("ACK", false),
			    "filter:OUTPUT:rule:1 filter:INPUT:policy:1");
}

static void test_walk_synack_carries_the_server_uid(void **state)
{
	struct ipts_query q;

	ipts_query_init(&q);
	q.uid = 0;
	q.server_uid = 1000;
	run(*state, rules("*filter\n:INPUT ACCEPT [0:0]\n:FORWARD ACCEPT "
			  "[0:0]\n:OUTPUT ACCEPT [0:0]\n"
			  "-A OUTPUT -m owner --uid-owner 1000 -j DROP\n"
			  "COMMIT\n"), &q);
	assert_int_equal(res.outcome, IPTS_TIMEOUT);
	assert_string_equal(pkt("SYN-ACK")->name, "SYN-ACK");
	assert_int_equal(res.decided_pkt, 1);
}

/* --- TRACE numbering --------------------------------------------------- */

static void test_walk_jump_goto_return_numbering(void **state)
{
	char text[2048];

	snprintf(text, sizeof(text), "%s:A - [0:0]\n:B - [0:0]\n:C - [0:0]\n"
		 "-A INPUT -p udp -j DROP\n"
		 "-A INPUT -p tcp --dport 1060 -j A\n"
		 "-A INPUT -p tcp --dport 1060 -g B\n"
		 "-A INPUT -p tcp --dport 1060 -j DROP\n"
		 "-A A -p udp -j DROP\n-A A -p tcp -j C\n"
		 "-A A -p tcp -j RETURN\n-A A -j DROP\n"
		 "-A B -p udp -j DROP\n-A C -p udp -j DROP\n"
		 "-A OUTPUT -p tcp --dport 1060 -j RETURN\n"
		 "-A OUTPUT -p udp -j DROP\nCOMMIT\n", filter_hdr);
	assert_int_equal(run(*state, text, NULL), IPTS_CONNECTED);
	/* kernel: tests/kernel/facts/trace_jump_goto_return */
	assert_string_equal(path("SYN", false),
			    "filter:OUTPUT:rule:1 filter:OUTPUT:policy:3 "
			    "filter:INPUT:rule:2 filter:A:rule:2 "
			    "filter:C:return:2 filter:A:rule:3 "
			    "filter:INPUT:rule:3 filter:B:return:2 "
			    "filter:INPUT:policy:5");
}

static void test_walk_goto_from_user_chain_returns_to_jumper(void **state)
{
	char text[2048];

	snprintf(text, sizeof(text), "%s:A - [0:0]\n:B - [0:0]\n"
		 "-A INPUT -p tcp --dport 1060 -j A\n"
		 "-A INPUT -p tcp --dport 1060 -j LOG\n"
		 "-A A -p tcp -g B\n-A A -j DROP\n"
		 "-A B -p udp -j DROP\nCOMMIT\n", filter_hdr);
	assert_int_equal(run(*state, text, NULL), IPTS_CONNECTED);
	assert_string_equal(path("SYN", false),
			    "filter:OUTPUT:policy:1 filter:INPUT:rule:1 "
			    "filter:A:rule:1 filter:B:return:2 "
			    "filter:INPUT:rule:2 filter:INPUT:policy:3");
}

static void test_walk_unconditional_rule_is_logged_as_tail(void **state)
{
	char text[2048];

	snprintf(text, sizeof(text),
		 "*filter\n:INPUT DROP [0:0]\n:FORWARD ACCEPT [0:0]\n"
		 ":OUTPUT DROP [0:0]\n:X - [0:0]\n"
		 "-A OUTPUT -j ACCEPT\n"
		 "-A INPUT -i lo -j X\n-A INPUT -p tcp -j LOG\n"
		 "-A INPUT -s 0.0.0.0/0 -j ACCEPT\n"
		 "-A X -j RETURN\nCOMMIT\n");
	assert_int_equal(run(*state, text, NULL), IPTS_CONNECTED);
	/* get_chainname_rulenum(): unconditional ACCEPT/DROP/RETURN */
	assert_string_equal(path("SYN", false),
			    "filter:OUTPUT:policy:1 filter:INPUT:rule:1 "
			    "filter:X:return:1 filter:INPUT:rule:2 "
			    "filter:INPUT:policy:3");
	assert_int_equal(pkt("SYN")->trace[0].type, IPTS_TRACE_POLICY);
	assert_non_null(pkt("SYN")->trace[0].rule);
}

static void test_walk_policy_drop_decides(void **state)
{
	const struct ipts_trace *t;

	assert_int_equal(run(*state, rules("*filter\n:INPUT DROP [0:0]\n"
					   ":FORWARD ACCEPT [0:0]\n"
					   ":OUTPUT ACCEPT [0:0]\n"
					   "-A INPUT -p udp -j ACCEPT\n"
					   "COMMIT\n"), NULL),
			 IPTS_TIMEOUT);
	t = decided_by();
	assert_null(t->rule);
	assert_int_equal(t->type, IPTS_TRACE_POLICY);
	assert_int_equal(t->num, 2);
	assert_non_null(strstr(res.why, "by filter:INPUT:policy ("));
	assert_non_null(strstr(res.why, ":2: :INPUT DROP [0:0])"));
}

static const char seed_accept[] =
	"*raw\n:PREROUTING ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\nCOMMIT\n"
	"*filter\n:INPUT DROP [0:0]\n:FORWARD ACCEPT [0:0]\n"
	":OUTPUT ACCEPT [0:0]\n-A INPUT -i lo -j ACCEPT\nCOMMIT\n";

/* The entries that let each packet through, one per table. */
static void test_walk_passed_names_each_table(void **state)
{
	const struct ipts_packet *p;

	assert_int_equal(run(*state, seed_accept, NULL), IPTS_CONNECTED);
	p = pkt("SYN");
	/* raw OUTPUT, filter OUTPUT, raw PREROUTING, filter INPUT */
	assert_int_equal(p->npassed, 4);
	assert_string_equal(p->passed[0].chain->table->name, "raw");
	assert_int_equal(p->passed[0].type, IPTS_TRACE_POLICY);
	assert_string_equal(p->passed[1].chain->table->name, "filter");
	assert_string_equal(p->passed[1].chain->name, "OUTPUT");
	assert_null(p->passed[1].rule);
	assert_string_equal(p->passed[2].chain->name, "PREROUTING");
	assert_string_equal(p->passed[3].chain->name, "INPUT");
	assert_non_null(p->passed[3].rule);
	assert_int_equal(p->passed[3].num, 1);
	assert_int_equal(pkt("SYN-ACK")->npassed, 4);
}

/* gid_read says whose gid an owner match looked at, and only then. */
static void test_walk_gid_read_by_owner_gid_only(void **state)
{
	static const char gid_rules[] =
		"*filter\n:INPUT ACCEPT [0:0]\n:FORWARD ACCEPT [0:0]\n"
		":OUTPUT ACCEPT [0:0]\n"
		"-A OUTPUT -p tcp --sport 1060 -m owner --gid-owner 7 -j DROP\n"
		"-A OUTPUT -m owner --uid-owner 5 -j ACCEPT\n"
		"COMMIT\n";

	assert_int_equal(run(*state, gid_rules, NULL), IPTS_CONNECTED);
	assert_int_equal(res.gid_read, IPTS_SIDE_SERVER);
}

/* --- REJECT ------------------------------------------------------------ */

struct reject_case {
	const char *chain;
	const char *with;
	enum ipts_outcome want;
	const char *answer;
};

static void test_walk_reject_types_give_the_kernels_errno(void **state)
{
	/* kernel: facts/reject_input_*, reject_output_* */
	static const struct reject_case cases[] = {
		{ "INPUT", "icmp-port-unreachable", IPTS_REFUSED, "ICMP" },
		{ "INPUT", "icmp-net-unreachable", IPTS_NETUNREACH, "ICMP" },
		{ "INPUT", "icmp-host-unreachable", IPTS_HOSTUNREACH, "ICMP" },
		{ "INPUT", "icmp-proto-unreachable", IPTS_PROTOUNREACH,
		  "ICMP" },
		{ "INPUT", "icmp-net-prohibited", IPTS_NETUNREACH, "ICMP" },
		{ "INPUT", "icmp-host-prohibited", IPTS_HOSTUNREACH, "ICMP" },
		{ "INPUT", "icmp-admin-prohibited", IPTS_HOSTUNREACH, "ICMP" },
		{ "INPUT", "tcp-reset", IPTS_REFUSED, "RST" },
		{ "OUTPUT", "icmp-port-unreachable", IPTS_REFUSED, "ICMP" },
		{ "OUTPUT", "icmp-host-prohibited", IPTS_HOSTUNREACH, "ICMP" },
		{ "OUTPUT", "tcp-reset", IPTS_REFUSED, "RST" },
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char text[1024];

		snprintf(text, sizeof(text), "%s-A %s -p tcp --dport 1060 "
			 "-j REJECT --reject-with %s\nCOMMIT\n", filter_hdr,
			 cases[i].chain, cases[i].with);
		if (run(*state, text, NULL) != cases[i].want)
			fail_msg("%s %s: got %s", cases[i].chain, cases[i].with,
				 ipts_outcome_name(res.outcome));
		assert_int_equal(res.npackets, 2);
		assert_string_equal(res.packets[1].name, cases[i].answer);
		assert_int_equal(res.packets[0].verdict, IPTS_V_REJECTED);
		assert_int_equal(res.decided_pkt, 0);
	}
}

static void test_walk_reject_answer_dropped_times_out(void **state)
{
	char text[1024];

	snprintf(text, sizeof(text), "%s-A INPUT -p icmp -j DROP\n"
		 "-A INPUT -p tcp --dport 1060 -j REJECT\nCOMMIT\n",
		 filter_hdr);
	assert_int_equal(run(*state, text, NULL), IPTS_TIMEOUT);
	assert_string_equal(path("ICMP", false),
			    "filter:OUTPUT:policy:1 filter:INPUT:rule:1");
	assert_int_equal(res.decided_pkt, 1);
}

static void test_walk_reject_answers_are_related(void **state)
{
	char text[2048];

	/* kernel (oracle): the ICMP error and the RST ride on the rejected
	 * SYN's entry even when REJECT ran in OUTPUT, before confirmation;
	 * the RST still walks nat POSTROUTING, which the SYN never reached */
	snprintf(text, sizeof(text),
		 "*nat\n:PREROUTING ACCEPT [0:0]\n:INPUT ACCEPT [0:0]\n"
		 ":OUTPUT ACCEPT [0:0]\n:POSTROUTING ACCEPT [0:0]\n"
		 "-A POSTROUTING -p tcp -j RETURN\nCOMMIT\n%s"
		 "-A OUTPUT -p tcp -m conntrack --ctstate RELATED -j ACCEPT\n"
		 "-A OUTPUT -p tcp --dport 1060 -j REJECT --reject-with "
		 "tcp-reset\n"
		 "-A INPUT -p tcp -m conntrack --ctstate RELATED -j ACCEPT\n"
		 "COMMIT\n", filter_hdr);
	assert_int_equal(run(*state, text, NULL), IPTS_REFUSED);
	assert_string_equal(path("SYN", false),
			    "nat:OUTPUT:policy:1 filter:OUTPUT:rule:2");
	assert_string_equal(path("RST", false),
			    "filter:OUTPUT:rule:1 nat:POSTROUTING:rule:1 "
			    "nat:POSTROUTING:policy:2 filter:INPUT:rule:1");
}

/* --- no listener, NAT -------------------------------------------------- */

static void test_walk_no_listener_is_refused_by_rst(void **state)
{
	struct ipts_query q;

	ipts_query_init(&q);
	q.no_listener = true;
	assert_int_equal(run(*state, rules("*filter\n:INPUT ACCEPT [0:0]\n"
					   ":FORWARD ACCEPT [0:0]\n"
					   ":OUTPUT ACCEPT [0:0]\nCOMMIT\n"),
			     &q), IPTS_REFUSED);
	assert_string_equal(path("RST", false),
			    "filter:OUTPUT:policy:1 filter:INPUT:policy:1");
	assert_int_equal(res.decided_pkt, -1);
}

static const char redirect[] =
	"*nat\n:PREROUTING ACCEPT [0:0]\n:INPUT ACCEPT [0:0]\n"
	":OUTPUT ACCEPT [0:0]\n:POSTROUTING ACCEPT [0:0]\n"
	"-A OUTPUT -p tcp --dport 1060 -j REDIRECT --to-ports 2000\n"
	"COMMIT\n"
	"*filter\n:INPUT ACCEPT [0:0]\n:FORWARD ACCEPT [0:0]\n"
	":OUTPUT ACCEPT [0:0]\n"
	"-A INPUT -p tcp --dport 2000 -j ACCEPT\nCOMMIT\n";

static void test_walk_redirect_rewrites_later_hooks(void **state)
{
	struct ipts_query q;

	ipts_query_init(&q);
	q.listen[0].addr.ip = ip4("127.0.0.1");
	q.listen[0].port = 2000;
	q.nlisten = 1;
	assert_int_equal(run(*state, redirect, &q), IPTS_CONNECTED);
	assert_true(res.conntrack);
	/* nat is walked by the SYN only, and never at PREROUTING/INPUT */
	assert_string_equal(path("SYN", false),
			    "nat:OUTPUT:rule:1 filter:OUTPUT:policy:1 "
			    "nat:POSTROUTING:policy:1 filter:INPUT:rule:1");
	assert_string_equal(path("SYN-ACK", false),
			    "filter:OUTPUT:policy:1 filter:INPUT:policy:2");
	assert_int_equal(pkt("SYN-ACK")->trace[0].sport, 2000);
	assert_int_equal(pkt("SYN-ACK")->trace[1].sport, 1060);
	assert_true(has_event("SYN", "dst 127.0.0.1:1060 -> 127.0.0.1:2000"));
}

static void test_walk_redirect_to_nothing_is_refused(void **state)
{
	assert_int_equal(run(*state, redirect, NULL), IPTS_REFUSED);
	assert_string_equal(pkt("RST")->name, "RST");
}

static void test_walk_masquerade_on_lo_drops_without_address(void **state)
{
	static const char text[] =
		"*nat\n:PREROUTING ACCEPT [0:0]\n:INPUT ACCEPT [0:0]\n"
		":OUTPUT ACCEPT [0:0]\n:POSTROUTING ACCEPT [0:0]\n"
		"-A POSTROUTING -p tcp --dport 1060 -j MASQUERADE\nCOMMIT\n";
	struct ipts_query q;

	/* kernel: "lo ate my IP address": 127.0.0.1 has host scope */
	assert_int_equal(run(*state, text, NULL), IPTS_TIMEOUT);
	ipts_query_init(&q);
	q.local_addrs[0].ip = ip4("10.9.9.9");
	q.nlocal = 1;
	assert_int_equal(run(*state, text, &q), IPTS_CONNECTED);
}

static void test_walk_rejected_final_ack_errors_the_client(void **state)
{
	char text[1024];

	/* kernel (oracle, non-blocking connect + SO_ERROR): an ICMP error
	 * for the ACK is a soft error on the established socket; a RST
	 * resets it (ECONNRESET) */
	snprintf(text, sizeof(text), "%s-A OUTPUT -m length --length 0:52 "
		 "-j REJECT\nCOMMIT\n", filter_hdr);
	assert_int_equal(run(*state, text, NULL), IPTS_REFUSED);
	assert_string_equal(res.packets[res.decided_pkt].name, "ACK");
	snprintf(text, sizeof(text), "%s-A INPUT -p tcp --dport 1060 "
		 "--tcp-flags SYN,ACK,RST,FIN ACK -j REJECT --reject-with "
		 "tcp-reset\nCOMMIT\n", filter_hdr);
	assert_int_equal(run(*state, text, NULL), IPTS_RESET);
	assert_string_equal(pkt("RST")->name, "RST");
	/* merely dropped: connect() has returned on the SYN-ACK */
	snprintf(text, sizeof(text), "%s-A INPUT -p tcp --dport 1060 "
		 "--tcp-flags SYN,ACK,RST,FIN ACK -j DROP\nCOMMIT\n",
		 filter_hdr);
	assert_int_equal(run(*state, text, NULL), IPTS_CONNECTED);
}

static const char nat_hdr[] =
	"*nat\n:PREROUTING ACCEPT [0:0]\n:INPUT ACCEPT [0:0]\n"
	":OUTPUT ACCEPT [0:0]\n:POSTROUTING ACCEPT [0:0]\n";

static void test_walk_nat_port_ranges(void **state)
{
	char text[1024];
	struct ipts_query q;

	/* DNAT to a port range takes its first port (kernel: 3000) */
	ipts_query_init(&q);
	q.listen[0].addr.ip = ip4("127.0.0.1");
	q.listen[0].port = 3000;
	q.nlisten = 1;
	snprintf(text, sizeof(text), "%s-A OUTPUT -p tcp --dport 1060 -j DNAT "
		 "--to-destination 127.0.0.1:3000-3010\nCOMMIT\n", nat_hdr);
	assert_int_equal(run(*state, text, &q), IPTS_CONNECTED);
	assert_true(has_event("SYN", "dst 127.0.0.1:1060 -> 127.0.0.1:3000"));
	/* SNAT to a port range picks a random one (kernel: 5008); no rule
	 * tells those ports apart, so the answer is definite */
	snprintf(text, sizeof(text), "%s-A POSTROUTING -p tcp -j SNAT "
		 "--to-source 127.0.0.7:5000-5010\nCOMMIT\n", nat_hdr);
	assert_int_equal(run(*state, text, NULL), IPTS_CONNECTED);
	assert_non_null(strstr(res.reasons[0].why, "random"));
	assert_false(res.reasons[0].changes_outcome);
	assert_int_equal(pkt("SYN-ACK")->dport, 5000);
	assert_int_equal(pkt("SYN-ACK")->dport_hi, 5010);
	/* one port of the range is dropped: it depends on the pick */
	snprintf(text, sizeof(text), "%s-A POSTROUTING -p tcp -j SNAT "
		 "--to-source 127.0.0.7:5000-5010\nCOMMIT\n%s-A INPUT -p tcp "
		 "--sport 5005 -j DROP\nCOMMIT\n", nat_hdr, filter_hdr);
	assert_int_equal(run(*state, text, NULL), IPTS_UNDETERMINED);
	assert_int_equal(res.possible,
			 1u << IPTS_CONNECTED | 1u << IPTS_TIMEOUT);
	assert_int_equal(res.branches, 3);
	assert_int_equal(res.nways, 2);
	assert_non_null(strstr(res.ways[1].why, "picks a port in 5005-5005"));
}

static void test_walk_nat_input_is_never_walked_over_lo(void **state)
{
	char text[1024];

	snprintf(text, sizeof(text), "%s-A INPUT -p tcp -j SNAT --to-source "
		 "127.0.0.9\nCOMMIT\n%s-A INPUT -s 127.0.0.9 -j DROP\n"
		 "COMMIT\n", nat_hdr, filter_hdr);
	assert_int_equal(run(*state, text, NULL), IPTS_CONNECTED);
	assert_string_equal(path("SYN", false),
			    "nat:OUTPUT:policy:1 filter:OUTPUT:policy:1 "
			    "nat:POSTROUTING:policy:1 filter:INPUT:policy:2");
}

static void test_walk_netmap_maps_the_host_part(void **state)
{
	char text[1024];
	struct ipts_query q;

	ipts_query_init(&q);
	q.listen[0].addr.ip = ip4("127.0.5.1");
	q.listen[0].port = 1060;
	q.nlisten = 1;
	snprintf(text, sizeof(text), "%s-A OUTPUT -d 127.0.0.1 -p tcp --dport "
		 "1060 -j NETMAP --to 127.0.5.0/24\nCOMMIT\n%s-A INPUT -d "
		 "127.0.5.1 -j LOG\nCOMMIT\n", nat_hdr, filter_hdr);
	assert_int_equal(run(*state, text, &q), IPTS_CONNECTED);
	assert_string_equal(path("ACK", false),
			    "filter:OUTPUT:policy:1 filter:INPUT:rule:1 "
			    "filter:INPUT:policy:2");
}

/* --- conntrack --------------------------------------------------------- */

static void test_walk_conntrack_follows_the_file(void **state)
{
	static const char nat[] =
		"*nat\n:PREROUTING ACCEPT [0:0]\n:INPUT ACCEPT [0:0]\n"
		":OUTPUT ACCEPT [0:0]\n:POSTROUTING ACCEPT [0:0]\nCOMMIT\n";
	char text[1024];
	struct ipts_query q;

	snprintf(text, sizeof(text), "%s*raw\n:PREROUTING ACCEPT [0:0]\n"
		 ":OUTPUT ACCEPT [0:0]\n-A OUTPUT -p tcp --dport 9 -j CT "
		 "--notrack\nCOMMIT\n", nat);
	run(*state, text, NULL);
	assert_false(res.conntrack);
	assert_string_equal(path("SYN", false),
			    "raw:OUTPUT:policy:2 raw:PREROUTING:policy:1");

	snprintf(text, sizeof(text), "%s*raw\n:PREROUTING ACCEPT [0:0]\n"
		 ":OUTPUT ACCEPT [0:0]\n-A OUTPUT -p tcp --dport 9 -j CT "
		 "--ctevents new\nCOMMIT\n", nat);
	run(*state, text, NULL);
	assert_true(res.conntrack);
	assert_string_equal(path("SYN", false),
			    "raw:OUTPUT:policy:2 nat:OUTPUT:policy:1 "
			    "nat:POSTROUTING:policy:1 raw:PREROUTING:policy:1");

	ipts_query_init(&q);
	q.conntrack = IPTS_CT_ON;
	run(*state, nat, &q);
	assert_true(res.conntrack);
	assert_string_equal(path("SYN", false),
			    "nat:OUTPUT:policy:1 nat:POSTROUTING:policy:1");
}

static void test_walk_which_rules_turn_conntrack_on(void **state)
{
	/* kernel (oracle, one FORWARD/OUTPUT rule each, nat table empty:
	 * conntrack is on when nat chains are walked) */
	static const struct {
		const char *table, *chain, *rule;
		bool on;
	} cases[] = {
		{ "filter", "FORWARD", "-m conntrack --ctstate NEW", true },
		{ "filter", "FORWARD", "-m state --state NEW", true },
		{ "filter", "FORWARD", "-m connmark --mark 1", true },
		{ "filter", "FORWARD", "-m helper --helper ftp", true },
		{ "filter", "FORWARD", "-m connlimit --connlimit-above 5", true },
		{ "filter", "FORWARD", "-m connbytes --connbytes 10 "
		  "--connbytes-dir both --connbytes-mode packets", true },
		{ "filter", "FORWARD", "-m recent --name x --rcheck", false },
		{ "filter", "FORWARD", "-m addrtype --dst-type LOCAL", false },
		{ "filter", "FORWARD", "-j LOG", false },
		{ "raw", "OUTPUT", "-j NOTRACK", false },
		{ "raw", "OUTPUT", "-j CT --notrack", false },
		{ "raw", "OUTPUT", "-j CT --zone 0", true },
		{ "raw", "OUTPUT", "-j TRACE", false },
		{ "mangle", "OUTPUT", "-j CONNSECMARK --save", true },
		{ "mangle", "FORWARD", "-j CONNMARK --set-mark 1", true },
		{ "nat", "POSTROUTING", "-j MASQUERADE", true },
		{ "nat", "POSTROUTING", "-j SNAT --to-source 127.0.0.1", true },
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char text[1024];

		snprintf(text, sizeof(text), "*%s\n-A %s -p udp --dport 9 %s\n"
			 "COMMIT\n", cases[i].table, cases[i].chain,
			 cases[i].rule);
		if (!load_str(*state, text)) {
			fixture_dump_diags(*state);
			fail_msg("does not load: %s", cases[i].rule);
		}
		if (ipts_ruleset_needs_conntrack(
			    ((struct ipts_fixture *)*state)->rs) != cases[i].on)
			fail_msg("%s: conntrack should be %s", cases[i].rule,
				 cases[i].on ? "on" : "off");
	}
}

static void test_walk_notrack_syn_only_picks_up_the_ack(void **state)
{
	static const char text[] =
		"*raw\n:PREROUTING ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n"
		"-A OUTPUT -p tcp --syn --dport 1060 -j NOTRACK\nCOMMIT\n"
		"*nat\n:PREROUTING ACCEPT [0:0]\n:INPUT ACCEPT [0:0]\n"
		":OUTPUT ACCEPT [0:0]\n:POSTROUTING ACCEPT [0:0]\nCOMMIT\n"
		"*filter\n:INPUT ACCEPT [0:0]\n:FORWARD ACCEPT [0:0]\n"
		":OUTPUT ACCEPT [0:0]\n"
		"-A INPUT -m conntrack --ctstate NEW\n"
		"-A INPUT -m conntrack --ctstate ESTABLISHED\n"
		"-A INPUT -m conntrack --ctstate INVALID\n"
		"-A INPUT -m conntrack --ctstate UNTRACKED\nCOMMIT\n";

	/* kernel (oracle): SYN untracked, SYN-ACK invalid, the ACK is
	 * picked up as NEW (nf_conntrack_tcp_loose) and walks nat */
	assert_int_equal(run(*state, text, NULL), IPTS_CONNECTED);
	assert_string_equal(path("SYN", false),
			    "raw:OUTPUT:rule:1 raw:OUTPUT:policy:2 "
			    "filter:OUTPUT:policy:1 raw:PREROUTING:policy:1 "
			    "filter:INPUT:rule:4 filter:INPUT:policy:5");
	assert_string_equal(path("SYN-ACK", false),
			    "raw:OUTPUT:policy:2 filter:OUTPUT:policy:1 "
			    "raw:PREROUTING:policy:1 filter:INPUT:rule:3 "
			    "filter:INPUT:policy:5");
	assert_string_equal(path("ACK", false),
			    "raw:OUTPUT:policy:2 nat:OUTPUT:policy:1 "
			    "filter:OUTPUT:policy:1 nat:POSTROUTING:policy:1 "
			    "raw:PREROUTING:policy:1 filter:INPUT:rule:1 "
			    "filter:INPUT:policy:5");
}

static void test_walk_ack_without_synack_in_conntrack_is_invalid(void **state)
{
	static const char text[] =
		"*raw\n:PREROUTING ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n"
		"-A OUTPUT -p tcp --sport 1060 -j NOTRACK\nCOMMIT\n"
		"*filter\n:INPUT ACCEPT [0:0]\n:FORWARD ACCEPT [0:0]\n"
		":OUTPUT ACCEPT [0:0]\n"
		"-A INPUT -m conntrack --ctstate NEW\n"
		"-A INPUT -m conntrack --ctstate ESTABLISHED\n"
		"-A INPUT -m conntrack --ctstate INVALID\n"
		"-A INPUT -m conntrack --ctstate UNTRACKED\nCOMMIT\n";

	/* kernel (oracle): the entry is still in SYN_SENT when the ACK
	 * comes, so tcp_conntracks[] calls the ACK invalid */
	assert_int_equal(run(*state, text, NULL), IPTS_CONNECTED);
	assert_string_equal(path("SYN-ACK", false),
			    "raw:OUTPUT:rule:1 raw:OUTPUT:policy:2 "
			    "filter:OUTPUT:policy:1 raw:PREROUTING:policy:1 "
			    "filter:INPUT:rule:4 filter:INPUT:policy:5");
	assert_string_equal(path("ACK", false),
			    "raw:OUTPUT:policy:2 filter:OUTPUT:policy:1 "
			    "raw:PREROUTING:policy:1 filter:INPUT:rule:3 "
			    "filter:INPUT:policy:5");
}

static void test_walk_mark_survives_lo(void **state)
{
	static const char text[] =
		"*mangle\n:PREROUTING ACCEPT [0:0]\n:INPUT ACCEPT [0:0]\n"
		":FORWARD ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n"
		":POSTROUTING ACCEPT [0:0]\n"
		"-A OUTPUT -p tcp --dport 1060 -j MARK --set-mark 7\nCOMMIT\n"
		"*filter\n:INPUT ACCEPT [0:0]\n:FORWARD ACCEPT [0:0]\n"
		":OUTPUT ACCEPT [0:0]\n"
		"-A INPUT -m mark --mark 7 -j DROP\nCOMMIT\n";

	assert_int_equal(run(*state, text, NULL), IPTS_TIMEOUT);
	assert_int_equal(pkt("SYN")->mark, 7);
	assert_true(has_event("SYN", "mark 0x0 -> 0x7"));
}

/* --- undetermined ------------------------------------------------------ */

static const char limited[] =
	"*filter\n:INPUT DROP [0:0]\n:FORWARD ACCEPT [0:0]\n"
	":OUTPUT ACCEPT [0:0]\n"
	"-A INPUT -p tcp --dport 1060 -m limit --limit 1/s -j ACCEPT\n"
	"-A INPUT -p tcp --sport 1060 -j ACCEPT\nCOMMIT\n";

static void test_walk_undecidable_rule_that_matters(void **state)
{
	assert_int_equal(run(*state, limited, NULL), IPTS_UNDETERMINED);
	assert_true(res.possible & (1u << IPTS_CONNECTED));
	assert_true(res.possible & (1u << IPTS_TIMEOUT));
	assert_true(res.nreasons >= 1);
	assert_non_null(res.reasons[0].rule);
	assert_int_equal(res.reasons[0].rule->loc.line, 5);
	assert_true(res.reasons[0].changes_outcome);
}

/* kernel: facts/synretx_nth_syn: every 4th SYN is accepted, the others
 * dropped; the client's timer resends at +1, 2, 3 s and the 4th try
 * (resend 3, +3.0 s) connects */
static void test_walk_resent_syns_follow_nth(void **state)
{
	struct ipts_query q;
	unsigned int i, n = 0;
	char text[1024];

	snprintf(text, sizeof(text),
		 "%s-A INPUT -p tcp --dport 1060 "
		 "--tcp-flags SYN,ACK SYN -m statistic --mode nth --every 4 "
		 "--packet 3 -j ACCEPT\n-A INPUT -p tcp --dport 1060 "
		 "--tcp-flags SYN,ACK SYN -j DROP\nCOMMIT\n",
		 filter_hdr);
	ipts_query_init(&q);
	q.fresh = true;
	assert_int_equal(run(*state, text, &q), IPTS_CONNECTED);
	for (i = 0; i < res.npackets; i++)
		if (strcmp(res.packets[i].name, "SYN") == 0) {
			assert_int_equal(res.packets[i].resent, n);
			assert_int_equal(res.packets[i].resent_ms, n * 1000);
			n++;
		}
	assert_int_equal(n, 4);
	/* a plain drop is not walked again: one SYN, a timeout */
	snprintf(text, sizeof(text),
		 "%s-A INPUT -p tcp --dport 1060 -j DROP\n"
		 "COMMIT\n",
		 filter_hdr);
	assert_int_equal(run(*state, text, &q), IPTS_TIMEOUT);
	assert_int_equal(res.npackets, 1);
	/* nth never matching in 11 tries: all 10 resends (tcp_syn_retries
	 * 6 + tcp_syn_linear_timeouts 4), the last at +67 s */
	snprintf(text, sizeof(text),
		 "%s-A INPUT -p tcp --dport 1060 -m "
		 "statistic --mode nth --every 12 --packet 11 -j ACCEPT\n"
		 "-A INPUT -p tcp --dport 1060 -j DROP\nCOMMIT\n",
		 filter_hdr);
	assert_int_equal(run(*state, text, &q), IPTS_TIMEOUT);
	assert_int_equal(res.npackets, 11);
	assert_int_equal(res.packets[10].resent, 10);
	assert_int_equal(res.packets[10].resent_ms, 67000);
	/* the 9th SYN, resend 8 at +19 s (after the back-off from +5 s),
	 * passes: the kernel connects there too */
	snprintf(text, sizeof(text),
		 "%s-A INPUT -p tcp --dport 1060 -m "
		 "statistic --mode nth --every 9 --packet 8 -j ACCEPT\n"
		 "-A INPUT -p tcp --dport 1060 -j DROP\nCOMMIT\n",
		 filter_hdr);
	assert_int_equal(run(*state, text, &q), IPTS_CONNECTED);
	assert_int_equal(res.packets[8].resent, 8);
	assert_int_equal(res.packets[8].resent_ms, 19000);
}

/* SYN-ACKs the server's request timer sent (resent), and their times */
static unsigned int timer_synacks(unsigned int *ms, unsigned int max)
{
	unsigned int i, n = 0;

	for (i = 0; i < res.npackets; i++)
		if (strcmp(res.packets[i].name, "SYN-ACK") == 0 &&
		    res.packets[i].resent) {
			if (n < max)
				ms[n] = res.packets[i].resent_ms;
			n++;
		}
	return n;
}

/*
 * kernel (namespace, 6.18): the SYN-ACK dropped in INPUT (nothing
 * passing), the server's timer resends at 1, 7, 11, 19, 35 s (each SYN
 * it answers pushes it), the request expires at 67 s, the client's last
 * SYN makes a new one resent at 68, 70, 74, 82, 98 s: 21 SYN-ACKs, 11
 * SYNs. Dropped on the server's OUTPUT, a resend that fails to leave
 * drops the request: each SYN makes a new one, resent 1 s later.
 */
static void test_walk_synack_resends_server_timer(void **state)
{
	static const unsigned int in_ms[] = {
		1000,  7000,  11000, 19000, 35000,
		68000, 70000, 74000, 82000, 98000
	};
	static const unsigned int out_ms[] = { 1000, 2000, 3000, 4000,
					       5000, 6000, 8000, 12000 };
	struct ipts_query q;
	unsigned int ms[16], n, i;
	char text[1024];

	ipts_query_init(&q);
	q.fresh = true;
	snprintf(text, sizeof(text),
		 "%s-A INPUT -p tcp --sport 1060 -m statistic --mode nth "
		 "--every 30 --packet 29 -j ACCEPT\n"
		 "-A INPUT -p tcp --sport 1060 -j DROP\nCOMMIT\n",
		 filter_hdr);
	assert_int_equal(run(*state, text, &q), IPTS_TIMEOUT);
	assert_int_equal(res.npackets, 32);
	n = timer_synacks(ms, 16);
	assert_int_equal(n, 10);
	for (i = 0; i < n; i++)
		assert_int_equal(ms[i], in_ms[i]);
	/* facts/synretx_srv_backoff: the 12th SYN-ACK, the timer's at
	 * +19 s, connects */
	snprintf(text, sizeof(text),
		 "%s-A INPUT -p tcp --sport 1060 -m statistic --mode nth "
		 "--every 12 --packet 11 -j ACCEPT\n"
		 "-A INPUT -p tcp --sport 1060 -j DROP\nCOMMIT\n",
		 filter_hdr);
	assert_int_equal(run(*state, text, &q), IPTS_CONNECTED);
	assert_int_equal(timer_synacks(ms, 16), 4);
	assert_int_equal(ms[3], 19000);
	/* on OUTPUT: 0, the timer's 1, the answer to the SYN at 1, the
	 * timer's at 2...: the 14th SYN-ACK is the timer's at +8 s */
	snprintf(text, sizeof(text),
		 "%s-A OUTPUT -p tcp --sport 1060 -m statistic --mode nth "
		 "--every 14 --packet 13 -j ACCEPT\n"
		 "-A OUTPUT -p tcp --sport 1060 -j DROP\nCOMMIT\n",
		 filter_hdr);
	assert_int_equal(run(*state, text, &q), IPTS_CONNECTED);
	n = timer_synacks(ms, 16);
	assert_int_equal(n, 7);
	for (i = 0; i < n; i++)
		assert_int_equal(ms[i], out_ms[i]);
	/* the ACK dropped, every 3rd passing: the SYN-ACK resent at 1
	 * and 3 s, the ACK answering the second gets through */
	snprintf(text, sizeof(text),
		 "%s-A INPUT -p tcp --dport 1060 --tcp-flags SYN,ACK,RST ACK "
		 "-m statistic --mode nth --every 3 --packet 2 -j ACCEPT\n"
		 "-A INPUT -p tcp --dport 1060 --tcp-flags SYN,ACK,RST ACK "
		 "-j DROP\nCOMMIT\n",
		 filter_hdr);
	assert_int_equal(run(*state, text, &q), IPTS_CONNECTED);
	assert_int_equal(timer_synacks(ms, 16), 2);
	assert_int_equal(ms[1], 3000);
	assert_non_null(strstr(res.why, "the server accepts then"));
}

/*
 * kernel: facts/synretx_hashlimit_refill and _norefill: the first SYN
 * spends its entry's only token and nth drops it; 1 s later a 1/sec
 * entry has refilled (or was collected and made anew, full: the same
 * answer), a 1/min one has not and the next rule resets. One entry a key:
 * with --hashlimit-mode srcport the SYN-ACK has its own, full bucket.
 */
static void test_walk_hashlimit_refills_between_resends(void **state)
{
	static const char fmt[] =
		"%s:NEXT - [0:0]\n"
		"-A INPUT -m conntrack --ctstate ESTABLISHED -j ACCEPT\n"
		"-A INPUT -p tcp --dport 1060 -m hashlimit --hashlimit-upto %s "
		"--hashlimit-burst 1 --hashlimit-mode srcip,dstport "
		"--hashlimit-name H -j NEXT\n"
		"-A INPUT -p tcp --dport 1060 -j REJECT --reject-with "
		"tcp-reset\n"
		"-A NEXT -m statistic --mode nth --every 2 --packet 0 -j DROP\n"
		"-A NEXT -j ACCEPT\nCOMMIT\n";
	struct ipts_query q;
	char text[1024];

	ipts_query_init(&q);
	q.fresh = true;
	snprintf(text, sizeof(text), fmt, filter_hdr, "1/sec");
	assert_int_equal(run(*state, text, &q), IPTS_CONNECTED);
	snprintf(text, sizeof(text), fmt, filter_hdr, "1/min");
	assert_int_equal(run(*state, text, &q), IPTS_REFUSED);
	/* without --fresh the entry's past is unknown */
	ipts_query_init(&q);
	snprintf(text, sizeof(text), fmt, filter_hdr, "1/min");
	assert_int_equal(run(*state, text, &q), IPTS_UNDETERMINED);
	q.fresh = true;
	snprintf(text, sizeof(text),
		 "%s-A INPUT -p tcp -m hashlimit --hashlimit-upto 1/min "
		 "--hashlimit-burst 1 --hashlimit-mode srcport "
		 "--hashlimit-name K -j ACCEPT\n-A INPUT -p tcp -j DROP\n"
		 "COMMIT\n",
		 filter_hdr);
	assert_int_equal(run(*state, text, &q), IPTS_CONNECTED);
	assert_int_equal(pkt("SYN-ACK")->verdict, IPTS_V_DELIVERED);
}

static void test_walk_fresh_decides_limit(void **state)
{
	struct ipts_query q;

	ipts_query_init(&q);
	q.fresh = true;
	assert_int_equal(run(*state, limited, &q), IPTS_CONNECTED);
}

/*
 * Each rule's limit has its own bucket (xt_limit's priv, per rule), even
 * where two rules hold the same blob bytes: the OUTPUT rule's evaluations
 * must not use up the INPUT rule's burst of two (SYN and ACK).
 */
static void test_walk_fresh_limit_per_rule(void **state)
{
	static const char text[] =
		"*filter\n:INPUT DROP [0:0]\n:FORWARD ACCEPT [0:0]\n"
		":OUTPUT ACCEPT [0:0]\n"
		"-A INPUT -p tcp --dport 1060 -m limit --limit 1/hour "
		"--limit-burst 2 -j ACCEPT\n"
		"-A INPUT -p tcp --sport 1060 -j ACCEPT\n"
		"-A OUTPUT -p tcp -m limit --limit 1/hour --limit-burst 2 "
		"-j ACCEPT\nCOMMIT\n";
	struct ipts_query q;

	ipts_query_init(&q);
	q.fresh = true;
	assert_int_equal(run(*state, text, &q), IPTS_CONNECTED);
	assert_string_equal(path("ACK", false),
			    "filter:OUTPUT:policy:2 filter:INPUT:rule:1");
}

static void test_walk_undecidable_rule_that_cannot_matter(void **state)
{
	char text[1024];

	snprintf(text, sizeof(text), "%s"
		 "-A INPUT -p tcp --dport 1060 -j DROP\n"
		 "-A INPUT -p tcp -m limit --limit 1/s -j ACCEPT\n"
		 "-A OUTPUT -p tcp -m limit --limit 1/s -j LOG\nCOMMIT\n",
		 filter_hdr);
	assert_int_equal(run(*state, text, NULL), IPTS_TIMEOUT);
	assert_int_equal(res.possible, 1u << IPTS_TIMEOUT);
	assert_int_equal(decided_by()->num, 1);
}

/* The undecided events of packet @name, as "text|text|..." */
static const char *undecided(const char *name)
{
	static char buf[1024];
	const struct ipts_packet *p = pkt(name);
	size_t k, n = 0;

	buf[0] = '\0';
	for (k = 0; k < p->nev && n < sizeof(buf); k++)
		if (p->ev[k].kind == IPTS_EV_UNDECIDED)
			n += (size_t)snprintf(buf + n, sizeof(buf) - n, "%s%s",
					      n ? "|" : "", p->ev[k].text);
	return buf;
}

/*
 * A LOG rule behind -m limit decides nothing: definite, no reason, and
 * its line is shown as a just-loaded ruleset logs it (kernel:
 * facts/limit_log_just_loaded, burst 1: the SYN has the line, the ACK
 * not), marked as a line that may or may not appear.
 */
static void test_walk_limit_log_is_not_a_reason_and_is_marked(void **state)
{
	char text[1024];

	snprintf(text, sizeof(text), "%s-A INPUT -p tcp --dport 1060 -m limit "
		 "--limit 1/min --limit-burst 1 -j LOG\nCOMMIT\n", filter_hdr);
	assert_int_equal(run(*state, text, NULL), IPTS_CONNECTED);
	assert_int_equal(res.nreasons, 0);
	assert_int_equal(res.branches, 1);
	assert_string_equal(path("SYN", false),
			    "filter:OUTPUT:policy:1 filter:INPUT:rule:1 "
			    "filter:INPUT:policy:2");
	assert_string_equal(undecided("SYN"),
			    "filter:INPUT:rule:1 may or may not appear");
	assert_string_equal(path("ACK", false),
			    "filter:OUTPUT:policy:1 filter:INPUT:policy:2");
	assert_string_equal(undecided("ACK"),
			    "filter:INPUT:rule:1 may also appear here");
}

/* Same outcome either way: the path shown is the just-loaded one (kernel:
 * facts/limit_accept_same_either_way), no longer the "no match" one. */
static void test_walk_same_outcome_shows_the_just_loaded_path(void **state)
{
	char text[1024];

	snprintf(text, sizeof(text), "%s-A INPUT -p tcp --dport 1060 -m limit "
		 "--limit 1/min --limit-burst 5 -j ACCEPT\n"
		 "-A INPUT -p tcp --sport 1060 -j ACCEPT\nCOMMIT\n",
		 filter_hdr);
	assert_int_equal(run(*state, text, NULL), IPTS_CONNECTED);
	assert_int_equal(res.nreasons, 1);
	assert_false(res.reasons[0].changes_outcome);
	assert_string_equal(path("SYN", false),
			    "filter:OUTPUT:policy:1 filter:INPUT:rule:1");
	assert_string_equal(undecided("SYN"),
			    "filter:INPUT:rule:1 may or may not appear");
	/* undetermined: the first way is the just-loaded one too */
	assert_int_equal(run(*state, limited, NULL), IPTS_UNDETERMINED);
	assert_int_equal(res.ways[0].outcome, IPTS_CONNECTED);
	assert_string_equal(path("SYN", false),
			    "filter:OUTPUT:policy:1 filter:INPUT:rule:1");
}

/* kernel: facts/recent_set_always_matches (refused, not "refused or
 * protounreach") */
static void test_walk_recent_set_always_matches(void **state)
{
	char text[1024];

	snprintf(text, sizeof(text), "%s-A INPUT -p tcp --dport 1060 -m recent "
		 "--set --name P -j REJECT --reject-with tcp-reset\n"
		 "-A INPUT -p tcp --dport 1060 -j REJECT --reject-with "
		 "icmp-proto-unreachable\n"
		 "COMMIT\n", filter_hdr);
	assert_int_equal(run(*state, text, NULL), IPTS_REFUSED);
	assert_int_equal(res.nreasons, 0);
	assert_int_equal(decided_by()->num, 1);
	/* ! --set never does */
	snprintf(text, sizeof(text), "%s-A INPUT -p tcp -m recent ! --set "
		 "--name P -j DROP\nCOMMIT\n", filter_hdr);
	assert_int_equal(run(*state, text, NULL), IPTS_CONNECTED);
	assert_int_equal(res.nreasons, 0);
}

/* kernel: facts/recent_rcheck_sees_earlier_packet */
static void test_walk_recent_reads_earlier_packets(void **state)
{
	char text[1024];

	snprintf(text, sizeof(text), "%s-A INPUT -p tcp --sport 1060 -m recent "
		 "--rcheck --seconds 60 --name seen --rdest -j DROP\n"
		 "-A OUTPUT -p tcp --dport 1060 -m recent --set --name seen\n"
		 "COMMIT\n", filter_hdr);
	assert_int_equal(run(*state, text, NULL), IPTS_TIMEOUT);
	assert_int_equal(res.nreasons, 0);
	assert_string_equal(res.packets[res.decided_pkt].name, "SYN-ACK");
	/* --remove leaves no entry, whatever was there */
	snprintf(text, sizeof(text), "%s-A INPUT -p tcp --dport 1060 -m recent "
		 "--remove --name seen\n"
		 "-A INPUT -p tcp --dport 1060 -m recent --rcheck --name seen "
		 "-j DROP\nCOMMIT\n", filter_hdr);
	assert_int_equal(run(*state, text, NULL), IPTS_CONNECTED);
	/* another list, or too few stamps for --hitcount: not a hit */
	snprintf(text, sizeof(text), "%s-A INPUT -p tcp --sport 1060 -m recent "
		 "--rcheck --hitcount 2 --name seen --rdest -j DROP\n"
		 "-A INPUT -p tcp --sport 1060 -m recent --rcheck --name other "
		 "--rdest -j DROP\n"
		 "-A OUTPUT -p tcp --dport 1060 -m recent --set --name seen\n"
		 "COMMIT\n", filter_hdr);
	assert_int_equal(run(*state, text, NULL), IPTS_UNDETERMINED);
}

/* kernel: facts/recent_fresh_lists_empty */
static void test_walk_recent_fresh_lists_start_empty(void **state)
{
	char text[1024];
	struct ipts_query q;

	snprintf(text, sizeof(text), "%s-A INPUT -p tcp --dport 1060 -m recent "
		 "--rcheck --name knock -j DROP\n"
		 "-A INPUT -p tcp --dport 1060 -m recent --set --name knock\n"
		 "COMMIT\n", filter_hdr);
	assert_int_equal(run(*state, text, NULL), IPTS_UNDETERMINED);
	ipts_query_init(&q);
	q.fresh = true;
	assert_int_equal(run(*state, text, &q), IPTS_CONNECTED);
	assert_int_equal(res.nreasons, 0);
	assert_string_equal(path("ACK", false),
			    "filter:OUTPUT:policy:1 filter:INPUT:rule:1");
	/* --hitcount 2: the SYN's and the ACK's stamps make two */
	snprintf(text, sizeof(text), "%s"
		 "-A INPUT -p tcp --dport 1060 -m recent --set --name k\n"
		 "-A INPUT -p tcp --dport 1060 -m recent --rcheck --hitcount 2 "
		 "--name k -j DROP\nCOMMIT\n", filter_hdr);
	assert_int_equal(run(*state, text, &q), IPTS_CONNECTED);
	assert_string_equal(path("SYN", false),
			    "filter:OUTPUT:policy:1 filter:INPUT:rule:1 "
			    "filter:INPUT:policy:3");
	assert_string_equal(path("ACK", false),
			    "filter:OUTPUT:policy:1 filter:INPUT:rule:1 "
			    "filter:INPUT:rule:2");
	/* --update stamps on a hit: the ACK's --update sees the SYN's */
	snprintf(text, sizeof(text), "%s"
		 "-A INPUT -p tcp --dport 1060 -m recent --update --name u "
		 "-j DROP\n"
		 "-A INPUT -p tcp --dport 1060 -m recent --set --name u\n"
		 "COMMIT\n", filter_hdr);
	assert_int_equal(run(*state, text, &q), IPTS_CONNECTED);
	assert_string_equal(path("ACK", false),
			    "filter:OUTPUT:policy:1 filter:INPUT:rule:1");
}

/* A match after one the file cannot decide runs only if that one
 * matched: its --set is explored both ways, not always done. */
static void test_walk_recent_after_undecided_match(void **state)
{
	char text[1024];

	snprintf(text, sizeof(text), "%s-A INPUT -p tcp --dport 1060 -m limit "
		 "--limit 1/min -m recent --set --name s\n"
		 "-A INPUT -p tcp --dport 1060 -m recent --rcheck --name s "
		 "-j DROP\nCOMMIT\n", filter_hdr);
	assert_int_equal(run(*state, text, NULL), IPTS_UNDETERMINED);
	assert_true(res.possible & (1u << IPTS_TIMEOUT));
	/* the limit undecided at each of the SYN's 10 resends gives more
	 * ways than are explored: then the answer says so (incomplete)
	 * rather than list only what it reached as every outcome */
	assert_true((res.possible & (1u << IPTS_CONNECTED)) || res.incomplete);
	/* the just-loaded way: the limit matches, the SYN is listed and
	 * dropped */
	assert_int_equal(res.ways[0].outcome, IPTS_TIMEOUT);
}

/* kernel: facts/quota_fresh_spent, facts/hashlimit_just_loaded */
static void test_walk_quota_and_hashlimit_just_loaded(void **state)
{
	char text[1024];
	struct ipts_query q;

	snprintf(text, sizeof(text), "%s-A INPUT -p tcp --dport 1060 -m quota "
		 "--quota 100 -j ACCEPT\n-A INPUT -p tcp --dport 1060 -j DROP\n"
		 "COMMIT\n", filter_hdr);
	assert_int_equal(run(*state, text, NULL), IPTS_UNDETERMINED);
	assert_int_equal(res.ways[0].outcome, IPTS_CONNECTED);
	ipts_query_init(&q);
	q.fresh = true;
	assert_int_equal(run(*state, text, &q), IPTS_CONNECTED);
	assert_string_equal(path("ACK", false),
			    "filter:OUTPUT:policy:1 filter:INPUT:rule:2");
	snprintf(text, sizeof(text), "%s-A INPUT -p tcp --dport 1060 -m "
		 "hashlimit --hashlimit-upto 1/min --hashlimit-burst 2 "
		 "--hashlimit-name hl -j LOG\nCOMMIT\n", filter_hdr);
	assert_int_equal(run(*state, text, NULL), IPTS_CONNECTED);
	assert_int_equal(res.nreasons, 0);
	assert_string_equal(path("ACK", false),
			    "filter:OUTPUT:policy:1 filter:INPUT:rule:1 "
			    "filter:INPUT:policy:2");
}

static void test_walk_unmodelled_target_is_undetermined(void **state)
{
	char text[1024];

	snprintf(text, sizeof(text), "%s-A INPUT -p tcp -j NFQUEUE "
		 "--queue-num 3\nCOMMIT\n", filter_hdr);
	assert_int_equal(run(*state, text, NULL), IPTS_UNDETERMINED);
	assert_int_equal(res.nreasons, 1);
	assert_non_null(strstr(res.reasons[0].why, "NFQUEUE"));
}

/* --- UDP --------------------------------------------------------------- */

static enum ipts_outcome run_udp(struct ipts_fixture *f, const char *extra,
				 bool listener)
{
	char text[1024];
	struct ipts_query q;

	ipts_query_init(&q);
	q.proto = IPPROTO_UDP;
	q.no_listener = !listener;
	snprintf(text, sizeof(text), "%s%sCOMMIT\n", filter_hdr, extra);
	return run(f, text, &q);
}

static void test_walk_udp_outcomes(void **state)
{
	/* kernel: facts/udp_* */
	assert_int_equal(run_udp(*state, "", true), IPTS_DELIVERED);
	assert_string_equal(res.packets[0].name, "DATA");
	assert_string_equal(res.packets[1].name, "REPLY");
	assert_int_equal(run_udp(*state, "-A OUTPUT -p udp --dport 1060 "
				 "-j DROP\n", true), IPTS_EPERM);
	assert_int_equal(run_udp(*state, "-A INPUT -p udp --dport 1060 "
				 "-j DROP\n", true), IPTS_DROPPED);
	assert_int_equal(run_udp(*state, "-A OUTPUT -p udp --sport 1060 "
				 "-j DROP\n", true), IPTS_DROPPED);
	assert_int_equal(run_udp(*state, "", false), IPTS_REFUSED);
	assert_int_equal(run_udp(*state, "-A OUTPUT -p udp --dport 1060 "
				 "-j REJECT\n", true), IPTS_EPERM);
	/* a soft ICMP error is not reported to a UDP socket */
	assert_int_equal(run_udp(*state, "-A INPUT -p udp --dport 1060 -j "
				 "REJECT --reject-with icmp-host-unreachable\n",
				 true), IPTS_DROPPED);
	assert_int_equal(run_udp(*state, "-A INPUT -p udp --dport 1060 -j "
				 "REJECT --reject-with icmp-host-prohibited\n",
				 true), IPTS_HOSTUNREACH);
}

/*
 * A walk can never loop or recurse without bound: chains 20,000 deep (as
 * deep as a kernel table can be: there are no loops, so the depth is at
 * most the number of chains) are walked iteratively to the end and back.
 */
static void test_walk_deep_jump_chain_returns_to_the_policy(void **state)
{
	struct ipts_fixture *f = *state;
	const unsigned int depth = 20000;
	size_t cap = (size_t)depth * 48 + 256, n = 0;
	char *text = malloc(cap);
	unsigned int i;

	assert_non_null(text);
	n += (size_t)snprintf(text + n, cap - n, "%s", filter_hdr);
	for (i = 0; i < depth; i++)
		n += (size_t)snprintf(text + n, cap - n, ":C%u - [0:0]\n", i);
	n += (size_t)snprintf(text + n, cap - n, "-A INPUT -j C0\n");
	for (i = 0; i + 1 < depth; i++)
		n += (size_t)snprintf(text + n, cap - n,
				      "-A C%u -j C%u\n", i, i + 1);
	n += (size_t)snprintf(text + n, cap - n,
			      "-A C%u -p tcp --dport 1060 -j DROP\nCOMMIT\n",
			      depth - 1);
	assert_int_equal(run(f, text, NULL), IPTS_TIMEOUT);
	/* OUTPUT's policy, INPUT rule 1, a jump in each chain but the last,
	 * then the last chain's DROP: past the default budget of trace
	 * lines, the first ones and the last are kept, the rest counted */
	assert_int_equal(pkt("SYN")->ntrace, IPTS_DEFAULT_MAX_TRACE_LINES);
	assert_int_equal(pkt("SYN")->ntrace + pkt("SYN")->trace_omitted,
			 1 + 1 + (depth - 1) + 1);
	assert_string_equal(pkt("SYN")->trace[pkt("SYN")->ntrace - 1]
			    .chain->name, "C19999");
	assert_int_equal(pkt("SYN")->decided, pkt("SYN")->ntrace - 1);
	free(text);
}

/*
 * Chains C1..C30 with four jumps each to the next: a path of 4^29 rules
 * from a 3 KB file. Past the trace budget each chain's walk is taken from
 * the memo: the answer is exact, the lines are counted, and the walk
 * visits a few thousand rules. Without the memo the visit budget stops it
 * (undetermined, with the numbers).
 */
static char *exponential_file(unsigned int d, unsigned int k,
			      const char *last)
{
	size_t cap = (size_t)d * k * 24 + 512, n = 0;
	char *text = malloc(cap);
	unsigned int i, j;

	assert_non_null(text);
	n += (size_t)snprintf(text + n, cap - n, "%s", filter_hdr);
	for (i = 1; i <= d; i++)
		n += (size_t)snprintf(text + n, cap - n, ":C%u - [0:0]\n", i);
	n += (size_t)snprintf(text + n, cap - n, "-A OUTPUT -j C1\n");
	for (i = 1; i < d; i++)
		for (j = 0; j < k; j++)
			n += (size_t)snprintf(text + n, cap - n,
					      "-A C%u -j C%u\n", i, i + 1);
	n += (size_t)snprintf(text + n, cap - n, "-A C%u %s\nCOMMIT\n", d,
			      last);
	return text;
}

static void test_walk_exponential_paths_are_memoized(void **state)
{
	struct ipts_fixture *f = *state;
	char *text = exponential_file(30, 4, "-p tcp --dport 9 -j DROP");
	const struct ipts_packet *syn;

	assert_int_equal(run(f, text, NULL), IPTS_CONNECTED);
	syn = pkt("SYN");
	assert_int_equal(syn->ntrace, IPTS_DEFAULT_MAX_TRACE_LINES);
	/* 4^29 * 2 lines and more: far past the first ones kept */
	assert_true(syn->trace_omitted > (1ull << 58));
	assert_false(res.over_budget);
	assert_true(res.visits < 100000);
	assert_string_equal(syn->trace[syn->ntrace - 1].chain->name,
			    "INPUT");
	assert_int_equal(syn->trace[syn->ntrace - 1].type, IPTS_TRACE_POLICY);
	free(text);
}

/* Two trace lines say the same: the entry, and the packet it saw. */
static void assert_same_line(const struct ipts_trace *a,
			     const struct ipts_trace *b)
{
	char x[160], y[160];

	ipts_trace_format(a, x, sizeof(x));
	ipts_trace_format(b, y, sizeof(y));
	assert_string_equal(x, y);
	ipts_trace_format_seen(a, x, sizeof(x));
	ipts_trace_format_seen(b, y, sizeof(y));
	assert_string_equal(x, y);
	assert_ptr_equal(a->rule, b->rule);
	assert_int_equal(a->kernel_logged, b->kernel_logged);
}

/* The memo answers as the whole walk does: the same lines counted, the
 * same first lines and last line, for each packet. */
static void test_walk_memo_counts_the_whole_path(void **state)
{
	struct ipts_fixture *f = *state;
	char *text = exponential_file(7, 4, "-p tcp --dport 1060 -j RETURN");
	struct ipts_result full;
	struct ipts_limits lim;
	struct ipts_query q;
	unsigned int i;

	assert_non_null(load_str(f, text));
	ipts_query_init(&q);
	ipts_limits_init(&lim);
	ipts_result_init(&full);
	lim.max_trace_lines = 1000000;
	assert_int_equal(simulate(f->rs, &q, &lim, &full), 0);
	lim.max_trace_lines = 3;
	assert_int_equal(simulate(f->rs, &q, &lim, &res), 0);
	assert_int_equal(res.outcome, full.outcome);
	assert_int_equal(res.npackets, full.npackets);
	assert_true(res.visits < full.visits / 10);
	for (i = 0; i < res.npackets; i++) {
		const struct ipts_packet *a = &res.packets[i];
		const struct ipts_packet *b = &full.packets[i];

		assert_int_equal(b->trace_omitted, 0);
		assert_int_equal(a->ntrace, 3);
		assert_int_equal(a->ntrace + a->trace_omitted, b->ntrace);
		assert_same_line(&a->trace[0], &b->trace[0]);
		assert_same_line(&a->trace[1], &b->trace[1]);
		assert_same_line(&a->trace[2], &b->trace[b->ntrace - 1]);
	}
	ipts_result_free(&full);
	free(text);
}

static void test_walk_visit_budget_makes_it_undetermined(void **state)
{
	struct ipts_fixture *f = *state;
	/* a mark set in the last chain: no call is pure, no memo */
	char *text = exponential_file(14, 4, "-j MARK --set-xmark 0x1/0x1");
	struct ipts_limits lim;
	struct ipts_query q;

	assert_non_null(load_str(f, text));
	ipts_query_init(&q);
	ipts_limits_init(&lim);
	lim.max_visits = 100000;
	assert_int_equal(simulate(f->rs, &q, &lim, &res), 0);
	assert_int_equal(res.outcome, IPTS_UNDETERMINED);
	assert_true(res.over_budget);
	assert_int_equal(res.max_visits, 100000);
	assert_true(res.nreasons >= 1);
	assert_non_null(strstr(res.budget_why, "100000 rule visits"));
	assert_int_equal(res.visits, 100000);
	assert_ptr_equal(res.reasons[res.nreasons - 1].why, res.budget_why);
	assert_true(res.reasons[res.nreasons - 1].changes_outcome);
	free(text);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

/* -d names a host whose address is unknown: both ways, the rule named. */
static void test_walk_unknown_host_address_is_undetermined(void **state)
{
	char text[512];

	snprintf(text, sizeof(text), "%s-A OUTPUT -d web1 -p tcp --dport 1060 "
		 "-j DROP\nCOMMIT\n", filter_hdr);
	assert_int_equal(run(*state, text, NULL), IPTS_UNDETERMINED);
	assert_int_equal(res.possible,
			 1u << IPTS_CONNECTED | 1u << IPTS_TIMEOUT);
	assert_int_equal(res.nreasons, 1);
	assert_int_equal(res.reasons[0].rule->loc.line, 5);
	assert_non_null(strstr(res.reasons[0].why, "unknown offline"));
	/* the other fields still decide: another port never meets it */
	snprintf(text, sizeof(text), "%s-A OUTPUT ! -d web1 -p udp -j DROP\n"
		 "-A INPUT -s web1 -p tcp --dport 9 -j DROP\nCOMMIT\n",
		 filter_hdr);
	assert_int_equal(run(*state, text, NULL), IPTS_CONNECTED);
	assert_int_equal(res.nreasons, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_walk_seed_times_out_at_input_rule_1),
		T(test_walk_unknown_host_address_is_undetermined),
		T(test_walk_seed_kernel_trace_is_the_posts_lines),
		T(test_walk_uid_only_port_other_uid_times_out),
		T(test_walk_uid_only_port_right_uid_connects),
		T(test_walk_synack_carries_the_server_uid),
		T(test_walk_jump_goto_return_numbering),
		T(test_walk_goto_from_user_chain_returns_to_jumper),
		T(test_walk_unconditional_rule_is_logged_as_tail),
		T(test_walk_policy_drop_decides),
		T(test_walk_passed_names_each_table),
		T(test_walk_gid_read_by_owner_gid_only),
		T(test_walk_reject_types_give_the_kernels_errno),
		T(test_walk_reject_answer_dropped_times_out),
		T(test_walk_reject_answers_are_related),
		T(test_walk_no_listener_is_refused_by_rst),
		T(test_walk_redirect_rewrites_later_hooks),
		T(test_walk_redirect_to_nothing_is_refused),
		T(test_walk_masquerade_on_lo_drops_without_address),
		T(test_walk_rejected_final_ack_errors_the_client),
		T(test_walk_nat_port_ranges),
		T(test_walk_nat_input_is_never_walked_over_lo),
		T(test_walk_netmap_maps_the_host_part),
		T(test_walk_conntrack_follows_the_file),
		T(test_walk_which_rules_turn_conntrack_on),
		T(test_walk_notrack_syn_only_picks_up_the_ack),
		T(test_walk_ack_without_synack_in_conntrack_is_invalid),
		T(test_walk_mark_survives_lo),
		T(test_walk_undecidable_rule_that_matters),
		T(test_walk_resent_syns_follow_nth),
		T(test_walk_synack_resends_server_timer),
		T(test_walk_hashlimit_refills_between_resends),
		T(test_walk_fresh_decides_limit),
		T(test_walk_fresh_limit_per_rule),
		T(test_walk_undecidable_rule_that_cannot_matter),
		T(test_walk_limit_log_is_not_a_reason_and_is_marked),
		T(test_walk_same_outcome_shows_the_just_loaded_path),
		T(test_walk_recent_set_always_matches),
		T(test_walk_recent_reads_earlier_packets),
		T(test_walk_recent_fresh_lists_start_empty),
		T(test_walk_recent_after_undecided_match),
		T(test_walk_quota_and_hashlimit_just_loaded),
		T(test_walk_unmodelled_target_is_undetermined),
		T(test_walk_udp_outcomes),
		T(test_walk_deep_jump_chain_returns_to_the_policy),
		T(test_walk_exponential_paths_are_memoized),
		T(test_walk_memo_counts_the_whole_path),
		T(test_walk_visit_budget_makes_it_undetermined),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
