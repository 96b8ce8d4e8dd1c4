/*
 * test_lint.c - review findings (analysis/lint*.c): for every code a file that
 * triggers it and a near miss that does not, the soundness rule (a rule
 * with a match the analysis does not model is never called shadowed or
 * redundant, and never shadows), and both ways of silencing a finding.
 */
#include "fixture.h"

#include <stdio.h>
#include <string.h>

#include "lint.h"

static struct ipts_diags found;

/* Load @text (it must load) and lint it, ignoring @ignore (or NULL). */
static size_t lint(struct ipts_fixture *f, const char *text,
		   const char *ignore)
{
	struct ipts_lint_opts o = { 0 };
	const char *ign[1] = { ignore };

	ipts_diags_free(&found);
	memset(&found, 0, sizeof(found));
	assert_loads(f, text);
	if (ignore) {
		o.ignore = ign;
		o.nignore = 1;
	}
	return ipts_lint_ruleset(f->rs, &o, &found);
}

/* The findings of the last lint(), through the fixture's helpers. */
#define has(code, line, needle) fixture_has_finding(&found, code, line, needle)
#define sev_at(code, line) fixture_finding_sev(&found, code, line)
#define assert_finding(code, line, needle)                                    \
	assert_diags_finding(&found, code, line, needle)
#define assert_no_finding(code) assert_diags_no_finding(&found, code)

#define FILTER(rules) "*filter\n:INPUT ACCEPT [0:0]\n:FORWARD ACCEPT [0:0]\n" \
	":OUTPUT ACCEPT [0:0]\n" rules "COMMIT\n"

/* ---- IPT001 shadowed ---- */

static void test_lint_shadowed_by_wider_port_range(void **state)
{
	lint(*state, FILTER("-A INPUT -p tcp -m tcp --dport 20:30 -j DROP\n"
			    "-A INPUT -p tcp -m tcp --dport 22 -j ACCEPT\n"),
	     NULL);
	assert_finding("IPT001", 6, "rule 1 of 'INPUT' (line 5) comes first "
		       "and matches every packet this one could (-j DROP)");
	assert_int_equal(found.v[1].sev, IPTS_NOTE);	/* names rule 1 */
	assert_int_equal(found.v[1].loc.line, 5);
}

static void test_lint_partial_overlap_is_not_shadowed(void **state)
{
	lint(*state, FILTER("-A INPUT -p tcp -m tcp --dport 22 -j DROP\n"
			    "-A INPUT -p tcp -m tcp --dport 22:23 -j ACCEPT\n"
			    "-A INPUT -p udp -m udp --dport 22 -j ACCEPT\n"),
	     NULL);
	assert_no_finding("IPT001");
}

static void test_lint_shadowed_by_multiport_and_prefix(void **state)
{
	lint(*state, FILTER("-A INPUT -s 10.0.0.0/8 -p tcp -m multiport "
			    "--dports 20:30,80 -j REJECT\n"
			    "-A INPUT -s 10.1.2.0/24 -p tcp -m tcp --dport 80 "
			    "-j ACCEPT\n"),
	     NULL);
	assert_finding("IPT001", 6, "(-j REJECT)");
}

/* Sets of more than two intervals (held apart from the rule's space),
 * inverted, and shared by the copies of an expanded line. */
static void test_lint_multiport_of_many_intervals(void **state)
{
	lint(*state,
	     FILTER("-A INPUT -p tcp -m multiport "
		    "--dports 22,80,443,8000:8100 -j DROP\n"
		    "-A INPUT -p tcp -m tcp --dport 8050 -j ACCEPT\n"
		    "-A INPUT -p tcp -m multiport --dports 80,443,9000 "
		    "-j ACCEPT\n"
		    "-A INPUT -p udp -m multiport ! --dports 22,80,443 "
		    "-j DROP\n"
		    "-A INPUT -p udp -m udp --dport 1000 -j ACCEPT\n"
		    "-A INPUT -p udp -m udp --dport 80 -j ACCEPT\n"
		    "-A INPUT -s 10.0.0.1,10.0.0.2 -p tcp -m multiport "
		    "--dports 53,123,161 -j ACCEPT\n"
		    "-A INPUT -s 10.0.0.2 -p tcp -m tcp --dport 123 "
		    "-j REJECT\n"
		    "-A INPUT -s 10.0.0.3 -p tcp -m tcp --dport 123 "
		    "-j REJECT\n"),
	     NULL);
	assert_finding("IPT001", 6, "rule 1 of 'INPUT' (line 5)");
	assert_false(has("IPT001", 7, NULL)); /* 9000 gets past rule 1 */
	assert_finding("IPT001", 9, "rule 4 of 'INPUT' (line 8)");
	assert_false(has("IPT001", 10, NULL)); /* 80 is not in rule 4's */
	assert_finding("IPT001", 12, "(-j ACCEPT)"); /* 10.0.0.2's copy */
	assert_false(has("IPT001", 13, NULL));
}

static void test_lint_inverted_prefix_is_not_shadowing(void **state)
{
	lint(*state, FILTER("-A INPUT ! -s 10.0.0.0/8 -j DROP\n"
			    "-A INPUT -s 10.1.2.0/24 -j ACCEPT\n"
			    "-A INPUT -s 192.168.0.0/16 -j ACCEPT\n"),
	     NULL);
	assert_finding("IPT001", 7, NULL);	/* outside 10/8: dropped */
	assert_false(has("IPT001", 6, NULL));
}

static void test_lint_state_and_ctstate_sets(void **state)
{
	lint(*state, FILTER("-A INPUT -m conntrack --ctstate "
			    "RELATED,ESTABLISHED -j ACCEPT\n"
			    "-A INPUT -m state --state ESTABLISHED -j DROP\n"
			    "-A INPUT -m state --state NEW,ESTABLISHED -j DROP\n"),
	     NULL);
	assert_finding("IPT001", 6, NULL);
	assert_false(has("IPT001", 7, NULL));
}

/* tcp_mt() never matches a fragment with an offset; "-p tcp" does. */
static void test_lint_port_match_does_not_cover_fragments(void **state)
{
	lint(*state, FILTER("-A INPUT -p tcp -m tcp --dport 0:65535 -j DROP\n"
			    "-A INPUT -p tcp -j ACCEPT\n"),
	     NULL);
	assert_no_finding("IPT001");
}

/* ---- soundness: unmodelled matches ---- */

static void test_lint_unmodelled_rule_is_never_shadowed(void **state)
{
	lint(*state, FILTER("-A INPUT -p tcp -j DROP\n"
			    "-A INPUT -p tcp -m tcp --dport 22 -m recent "
			    "--name x --rcheck -j ACCEPT\n"
			    "-A INPUT -p tcp -m tcp --dport 22 -m set "
			    "--match-set blocked src -j ACCEPT\n"
			    "-A INPUT -p tcp -m tcp --dport 22 -m string "
			    "--string abc --algo bm -j DROP\n"),
	     NULL);
	assert_no_finding("IPT001");
	assert_no_finding("IPT003");
}

static void test_lint_unmodelled_rule_never_shadows(void **state)
{
	lint(*state, FILTER("-A INPUT -p tcp -m limit --limit 1/s -j DROP\n"
			    "-A INPUT -p tcp -m tcp --dport 23 -j ACCEPT\n"
			    "-A INPUT -p tcp -m hashlimit --hashlimit-above 1/s "
			    "--hashlimit-name h -j ACCEPT\n"
			    "-A INPUT -p tcp -m tcp --dport 22 -j ACCEPT\n"),
	     NULL);
	assert_no_finding("IPT001");
	assert_no_finding("IPT003");
}

/* A MARK between the two rules changes what the later rule sees. */
static void test_lint_mark_change_between_rules_stops_search(void **state)
{
	lint(*state, "*mangle\n"
		     ":PREROUTING ACCEPT [0:0]\n:INPUT ACCEPT [0:0]\n"
		     ":FORWARD ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n"
		     ":POSTROUTING ACCEPT [0:0]\n:SETM - [0:0]\n"
		     "-A PREROUTING -m mark --mark 0x1 -j ACCEPT\n"
		     "-A PREROUTING -p tcp -j SETM\n"
		     "-A PREROUTING -p tcp -m mark --mark 0x1 -j DROP\n"
		     "-A PREROUTING -m mark --mark 0x1 -j DROP\n"
		     "-A SETM -j MARK --set-xmark 0x1/0xffffffff\n"
		     "COMMIT\n", NULL);
	assert_no_finding("IPT001");
	/* without the jump in between it is shadowed */
	lint(*state, "*mangle\n"
		     ":PREROUTING ACCEPT [0:0]\n"
		     "-A PREROUTING -m mark --mark 0x1 -j ACCEPT\n"
		     "-A PREROUTING -p tcp -m mark --mark 0x1 -j DROP\n"
		     "COMMIT\n", NULL);
	assert_finding("IPT001", 4, NULL);
}

/* tos is compared by identity; a TOS target between changes what it sees */
static void test_lint_identity_match_and_tos_change(void **state)
{
	lint(*state, "*mangle\n:PREROUTING ACCEPT [0:0]\n"
		     "-A PREROUTING -m tos --tos 0x10/0x3f -j ACCEPT\n"
		     "-A PREROUTING -p tcp -m tos --tos 0x10/0x3f -j DROP\n"
		     "-A PREROUTING -p tcp -m tos --tos 0x08/0x3f -j DROP\n"
		     "COMMIT\n", NULL);
	assert_finding("IPT001", 4, NULL);
	assert_false(has("IPT001", 5, NULL));
	lint(*state, "*mangle\n:PREROUTING ACCEPT [0:0]\n"
		     "-A PREROUTING -m tos --tos 0x10/0x3f -j ACCEPT\n"
		     "-A PREROUTING -j TOS --set-tos 0x10/0x3f\n"
		     "-A PREROUTING -p tcp -m tos --tos 0x10/0x3f -j DROP\n"
		     "COMMIT\n", NULL);
	assert_no_finding("IPT001");
}

/* A user name, kept as words offline (its uid is the firewall's): no
 * claim about the rule. */
static void test_lint_rule_with_local_names_is_not_shadowed(void **state)
{
	lint(*state, FILTER("-A OUTPUT -p tcp -j DROP\n"
			    "-A OUTPUT -p tcp -m owner --uid-owner root "
			    "-j ACCEPT\n"
			    "-A OUTPUT -p tcp -m owner --uid-owner 0 -j ACCEPT\n"),
	     NULL);
	assert_false(has("IPT001", 6, NULL));
	assert_finding("IPT001", 7, NULL);
}

/* ---- IPT002 unreachable ---- */

static void test_lint_after_unconditional_accept(void **state)
{
	lint(*state, FILTER("-A INPUT -m comment --comment all -j ACCEPT\n"
			    "-A INPUT -p tcp -j DROP\n"
			    "-A INPUT -m recent --name x --rcheck -j DROP\n"),
	     NULL);
	assert_finding("IPT002", 6, "rule 1 of 'INPUT' (line 5) comes first "
		       "and matches every packet (-j ACCEPT)");
	assert_finding("IPT002", 7, NULL);
	assert_no_finding("IPT001");
}

static void test_lint_after_unconditional_log_is_reachable(void **state)
{
	lint(*state, FILTER("-A INPUT -j LOG\n-A INPUT -p tcp -j DROP\n"), NULL);
	assert_no_finding("IPT002");
	assert_no_finding("IPT001");
}

/* ---- IPT003 redundant ---- */

static void test_lint_duplicate_is_redundant(void **state)
{
	lint(*state, FILTER("-A INPUT -p tcp -m tcp --dport 22 -j REJECT "
			    "--reject-with tcp-reset\n"
			    "-A INPUT -j LOG\n"
			    "-A INPUT -s 10.0.0.1/32 -p tcp -m tcp --dport 22 "
			    "-j REJECT --reject-with tcp-reset\n"),
	     NULL);
	assert_finding("IPT003", 7, "rule 1 of 'INPUT' (line 5) comes first "
		       "and matches every packet this one could (-j REJECT, "
		       "the same effect)");
	assert_no_finding("IPT001");
}

static void test_lint_other_target_options_is_not_redundant(void **state)
{
	lint(*state, FILTER("-A INPUT -p tcp -m tcp --dport 22 -j REJECT "
			    "--reject-with tcp-reset\n"
			    "-A INPUT -p tcp -m tcp --dport 22 -j REJECT\n"),
	     NULL);
	assert_no_finding("IPT003");
	assert_finding("IPT001", 6, NULL);
}

/* ---- IPT004..IPT006 chains ---- */

static void test_lint_unused_chain(void **state)
{
	lint(*state, FILTER(":UNUSED - [0:0]\n:USED - [0:0]\n"
			    "-A INPUT -j USED\n-A USED -j ACCEPT\n"), NULL);
	assert_finding("IPT004", 5, "'UNUSED'");
	assert_false(has("IPT004", 0, "'USED'"));
}

static void test_lint_jump_to_empty_chain(void **state)
{
	lint(*state, FILTER(":EMPTY - [0:0]\n:FULL - [0:0]\n"
			    "-A INPUT -j EMPTY\n-A INPUT -j FULL\n"
			    "-A FULL -j ACCEPT\n"), NULL);
	assert_finding("IPT005", 7, "jump to empty chain 'EMPTY' has no effect");
	assert_false(has("IPT005", 8, NULL));
	lint(*state, FILTER(":EMPTY - [0:0]\n-A INPUT -p udp -g EMPTY\n"), NULL);
	assert_finding("IPT005", 6, "goto to empty chain 'EMPTY' acts as a RETURN");
}

static void test_lint_generator_hook_chains_are_notes(void **state)
{
	lint(*state, FILTER(":ufw-user-input - [0:0]\n:INPUT_direct - [0:0]\n"
			    ":input_rule - [0:0]\n:DOCKER-USER - [0:0]\n"
			    ":my-empty - [0:0]\n:UNUSED - [0:0]\n"
			    "-A INPUT -j ufw-user-input\n-A INPUT -j INPUT_direct\n"
			    "-A INPUT -j input_rule\n-A INPUT -j my-empty\n"), NULL);
	assert_int_equal(sev_at("IPT005", 11), IPTS_NOTE);
	assert_int_equal(sev_at("IPT005", 12), IPTS_NOTE);
	assert_int_equal(sev_at("IPT005", 13), IPTS_NOTE);
	assert_finding("IPT005", 11, "ufw leaves this chain empty");
	assert_finding("IPT005", 12, "firewalld leaves this chain empty");
	assert_finding("IPT005", 13, "OpenWrt's fw3 leaves");
	/* a chain of the file's own: still a warning */
	assert_int_equal(sev_at("IPT005", 14), IPTS_WARNING);
	/* Docker's chain unused: a note; another unused chain: a warning */
	assert_int_equal(sev_at("IPT004", 8), IPTS_NOTE);
	assert_finding("IPT004", 8, "Docker creates it");
	assert_int_equal(sev_at("IPT004", 10), IPTS_WARNING);
}

static void test_lint_chain_that_only_returns(void **state)
{
	lint(*state, FILTER(":RET - [0:0]\n:MIX - [0:0]\n:REC - [0:0]\n"
			    "-A INPUT -j RET\n-A INPUT -j MIX\n-A INPUT -j REC\n"
			    "-A RET -s 1.2.3.4/32 -j RETURN\n-A RET -j RETURN\n"
			    "-A MIX -s 1.2.3.4/32 -j RETURN\n-A MIX -j DROP\n"
			    "-A REC -m recent --name x --set -j RETURN\n"),
	     NULL);
	assert_finding("IPT006", 5, "'RET'");
	assert_false(has("IPT006", 0, "'MIX'"));
	assert_false(has("IPT006", 0, "'REC'"));	/* -m recent --set acts */
}

/* ---- IPT007 host state ---- */

static void test_lint_host_state_match(void **state)
{
	lint(*state, FILTER("-A INPUT -p tcp -m limit --limit 5/min -j DROP\n"
			    "-A INPUT -m comment --comment x -j ACCEPT\n"),
	     NULL);
	assert_finding("IPT007", 5, "-m limit");
	assert_int_equal(found.v[0].loc.col, 20);	/* at "limit" */
	assert_false(has("IPT007", 6, NULL));
}

/*
 * Issue 12: a rule whose answer cannot change anything is no finding: a
 * LOG, NFLOG or target-less rule (unless a match after the undecided one
 * writes a recent list, or it is an --update), and -m recent --set, which
 * always matches; --remove behind no target always leaves no entry.
 */
static void test_lint_host_state_that_cannot_matter(void **state)
{
	lint(*state, FILTER(
		"-A INPUT -p tcp -m limit --limit 5/min -j LOG\n"
		"-A INPUT -p tcp -m limit --limit 5/min -j NFLOG\n"
		"-A INPUT -p tcp -m limit --limit 5/min\n"
		"-A INPUT -p tcp -m recent --set --name p -j REJECT\n"
		"-A INPUT -m recent --remove --name p\n"
		"-A INPUT -p tcp -m recent --rcheck --name p -j LOG\n"),
	     NULL);
	assert_no_finding("IPT007");
	lint(*state, FILTER(
		"-A INPUT -p tcp -m limit --limit 5/min -m recent --set "
		"--name p -j LOG\n"
		"-A INPUT -p tcp -m recent --update --name p -j LOG\n"
		"-A INPUT -p tcp -m recent --rcheck --name p -j ACCEPT\n"
		"-A INPUT -p tcp -m recent --remove --name p -j ACCEPT\n"
		"-A INPUT -p tcp -m limit --limit 5/min -j MARK --set-mark 1\n"),
	     NULL);
	assert_finding("IPT007", 5, "-m limit");
	assert_finding("IPT007", 6, "-m recent");
	assert_finding("IPT007", 7, "-m recent");
	assert_finding("IPT007", 8, "-m recent");
	assert_finding("IPT007", 9, "-m limit");
}

/* ---- IPT008 the seed's trap ---- */

static void test_lint_owner_only_port_drop(void **state)
{
	lint(*state, FILTER("-A OUTPUT -p tcp -m tcp --dport 1060 -m owner "
			    "--uid-owner 1000 -j ACCEPT\n"
			    "-A OUTPUT -p tcp -m tcp --dport 1060 -j DROP\n"),
	     NULL);
	assert_finding("IPT008", 6, "only uid 1000 may reach tcp port 1060 (rule 1, line 5)");
	assert_finding("IPT008", 6, "port 1060");
}

static void test_lint_owner_only_port_reject_is_fine(void **state)
{
	lint(*state, FILTER("-A OUTPUT -p tcp -m tcp --dport 1060 -m owner "
			    "--uid-owner 1000 -j ACCEPT\n"
			    "-A OUTPUT -p tcp -m tcp --dport 1060 -j REJECT "
			    "--reject-with tcp-reset\n"
			    "-A OUTPUT -p tcp -m tcp --dport 1061 -j DROP\n"),
	     NULL);
	assert_no_finding("IPT008");
	/* another port, or everyone accepted first: no trap either */
	lint(*state, FILTER("-A OUTPUT -p tcp -m tcp --dport 1060 -j ACCEPT\n"
			    "-A OUTPUT -p tcp -m tcp --dport 1060 -m owner "
			    "--uid-owner 1000 -j ACCEPT\n"
			    "-A OUTPUT -p tcp -m tcp --dport 1060 -j DROP\n"),
	     "IPT001");
	assert_no_finding("IPT008");
}

static void test_lint_owner_trap_names_the_ports_it_drops(void **state)
{
	lint(*state, FILTER("-A OUTPUT -p tcp -m multiport --dports 8000:8100 "
			    "-m owner --gid-owner 50 -j ACCEPT\n"
			    "-A OUTPUT -p tcp -m tcp --dport 8080:9000 -j DROP\n"),
	     NULL);
	assert_finding("IPT008", 6, "only gid 50 may reach tcp ports 8080-8100");
	/* a DROP of non-SYN packets only is not the trap */
	lint(*state, FILTER("-A OUTPUT -p tcp -m tcp --dport 1060 -m owner "
			    "--uid-owner 1000 -j ACCEPT\n"
			    "-A OUTPUT -p tcp -m tcp --dport 1060 "
			    "--tcp-flags SYN,ACK ACK -j DROP\n"), NULL);
	assert_no_finding("IPT008");
}

/* ---- IPT009, IPT010 ---- */

static void test_lint_drop_policy_without_loopback(void **state)
{
	lint(*state, "*filter\n:INPUT DROP [0:0]\n:FORWARD ACCEPT [0:0]\n"
		     ":OUTPUT ACCEPT [0:0]\n"
		     "-A INPUT -p tcp -m tcp --dport 22 -j ACCEPT\nCOMMIT\n",
	     NULL);
	assert_finding("IPT009", 2, NULL);
	/* accepting some of lo is not accepting lo */
	lint(*state, "*filter\n:INPUT DROP [0:0]\n:FORWARD ACCEPT [0:0]\n"
		     ":OUTPUT ACCEPT [0:0]\n"
		     "-A INPUT -i lo -p tcp -m tcp --dport 22 -j ACCEPT\n"
		     "-A INPUT -s 127.0.0.1/32 -j ACCEPT\nCOMMIT\n", NULL);
	assert_finding("IPT009", 2, NULL);
	lint(*state, "*filter\n:INPUT DROP [0:0]\n:FORWARD ACCEPT [0:0]\n"
		     ":OUTPUT ACCEPT [0:0]\n:LO - [0:0]\n-A INPUT -j LO\n"
		     "-A LO -i lo -j ACCEPT\nCOMMIT\n", NULL);
	assert_no_finding("IPT009");
}

/*
 * Chains C1..C14 with four jumps each to the next: 4^13 ways down from
 * INPUT. Each chain's answer is found once; before, this took seconds
 * (and a depth of 16 took hours).
 */
static void test_lint_loopback_facts_once_per_chain(void **state)
{
	char text[4096];
	size_t n = 0;
	unsigned int i, j;

	n += (size_t)snprintf(text + n, sizeof(text) - n, "*filter\n"
			      ":INPUT DROP [0:0]\n:FORWARD ACCEPT [0:0]\n"
			      ":OUTPUT ACCEPT [0:0]\n");
	for (i = 1; i <= 14; i++)
		n += (size_t)snprintf(text + n, sizeof(text) - n,
				      ":C%u - [0:0]\n", i);
	n += (size_t)snprintf(text + n, sizeof(text) - n, "-A INPUT -j C1\n");
	for (i = 1; i < 14; i++)
		for (j = 0; j < 4; j++)
			n += (size_t)snprintf(text + n, sizeof(text) - n,
					      "-A C%u -j C%u\n", i, i + 1);
	snprintf(text + n, sizeof(text) - n, "-A C14 -p tcp -j ACCEPT\n"
		 "COMMIT\n");
	lint(*state, text, NULL);
	assert_finding("IPT009", 2, NULL);
	/* the same, with lo accepted at the bottom: no finding */
	snprintf(text + n, sizeof(text) - n, "-A C14 -i lo -j ACCEPT\n"
		 "COMMIT\n");
	lint(*state, text, NULL);
	assert_no_finding("IPT009");
}

/* Every rule costs a comparison at least: past the budget lint stops
 * comparing and says where. */
static void test_lint_budget_stops_and_says_where(void **state)
{
	struct ipts_fixture *f = *state;
	struct ipts_lint_opts o = { .max_visits = 100,
				    .budget_name = "--max-visits" };
	struct ipts_lint_stats st;
	char text[65536];
	size_t n = 0, i;
	bool said = false;

	n += (size_t)snprintf(text + n, sizeof(text) - n, "*filter\n");
	for (i = 0; i < 200; i++)
		n += (size_t)snprintf(text + n, sizeof(text) - n,
				      "-A INPUT -p tcp -m tcp --dport %zu "
				      "-j ACCEPT\n", i + 1);
	n += (size_t)snprintf(text + n, sizeof(text) - n,
			      "-A INPUT -p tcp -m tcp --dport 5 -j ACCEPT\n"
			      "COMMIT\n");
	ipts_diags_free(&found);
	memset(&found, 0, sizeof(found));
	assert_non_null(load_str(f, text));
	ipts_lint_ruleset_stats(f->rs, &o, &found, &st);
	assert_true(st.over_budget);
	assert_int_equal(st.visits, 100);
	for (i = 0; i < found.n; i++)
		if (!found.v[i].code &&
		    strstr(found.v[i].msg, "budget of 100 rule comparisons "
					   "(--max-visits)"))
			said = true;
	assert_true(said);
	/* the duplicate at the end was not reached */
	assert_no_finding("IPT003");
	/* with the default budget it is */
	lint(f, text, NULL);
	assert_finding("IPT003", 202, NULL);
}

/* The index (lint_index.c): a chain of n rules that shadow nothing costs
 * a few comparisons a rule, not n^2/2, and the duplicate at the end is
 * still found at the rule it repeats. */
static void test_lint_index_comparisons_grow_with_rules(void **state)
{
	struct ipts_fixture *f = *state;
	struct ipts_lint_opts o = { 0 };
	struct ipts_lint_stats st;
	static char text[1 << 20];
	size_t n = 0, i;

	n += (size_t)snprintf(text + n, sizeof(text) - n, "*filter\n");
	for (i = 0; i < 4000; i++)
		n += (size_t)
			snprintf(text + n, sizeof(text) - n,
				 "-A INPUT -s 10.%zu.%zu.0/24 -p tcp -m tcp "
				 "--dport %zu -j ACCEPT\n",
				 i / 250, i % 250, 1 + i % 3000);
	n += (size_t)snprintf(text + n, sizeof(text) - n,
			      "-A INPUT -s 10.0.7.9 -p tcp -m tcp --dport 8 "
			      "-j ACCEPT\nCOMMIT\n");
	ipts_diags_free(&found);
	memset(&found, 0, sizeof(found));
	assert_non_null(load_str(f, text));
	ipts_lint_ruleset_stats(f->rs, &o, &found, &st);
	assert_false(st.over_budget);
	assert_true(st.visits < 4 * 4001);
	assert_finding("IPT003", 4002, "rule 8 of 'INPUT' (line 9)");
}

/* Each rule is filed under one of its keys; the search still finds the
 * nearest earlier rule that covers, whichever key it sits under, and
 * stops at a rule that may change the packet. */
static void test_lint_index_finds_the_nearest_cover(void **state)
{
	lint(*state,
	     FILTER("-A INPUT -s 10.0.0.0/8 -d 192.168.1.0/24 -j ACCEPT\n"
		    "-A INPUT -i eth+ -p udp -j DROP\n"
		    "-A INPUT -p tcp -m tcp --dport 1000:2000 -j ACCEPT\n"
		    "-A INPUT ! -s 172.16.0.0/12 -p icmp -j DROP\n"
		    "-A INPUT -s 10.1.0.0/16 -d 192.168.1.7/32 -p tcp -m tcp "
		    "--dport 1500 -j ACCEPT\n"
		    "-A INPUT -s 10.0.0.0/8 -d 192.168.1.0/24 -i eth0 -p udp -m udp "
		    "--dport 53 -j ACCEPT\n"
		    "-A INPUT -s 10.9.9.9/32 -p icmp -j DROP\n"
		    "-A INPUT -s 10.2.3.4/32 -d 192.168.1.9/32 -p gre "
		    "-j ACCEPT\n"
		    "-A INPUT -j MARK --set-xmark 0x1/0xffffffff\n"
		    "-A INPUT -p tcp -m tcp --dport 1500 -j ACCEPT\n"),
	     NULL);
	/* tcp 1000:2000 (port blocks) is nearer than the prefixes */
	assert_finding("IPT003", 9, "rule 3 of 'INPUT' (line 7)");
	/* eth+ udp (the name) is nearer than the prefixes */
	assert_finding("IPT001", 10, "rule 2 of 'INPUT' (line 6)");
	/* an inverted prefix (the protocol) */
	assert_finding("IPT003", 11, "rule 4 of 'INPUT' (line 8)");
	/* the pair of prefixes */
	assert_finding("IPT003", 12, "rule 1 of 'INPUT' (line 5)");
	/* after the MARK: nothing before it counts */
	assert_false(has("IPT001", 14, NULL));
	assert_false(has("IPT003", 14, NULL));
}

static void test_lint_state_and_conntrack_mixed(void **state)
{
	lint(*state, FILTER("-A INPUT -m conntrack --ctstate ESTABLISHED "
			    "-j ACCEPT\n"
			    "-A OUTPUT -m state --state ESTABLISHED -j ACCEPT\n"),
	     NULL);
	assert_finding("IPT010", 6, NULL);
	lint(*state, FILTER("-A INPUT -m conntrack --ctstate ESTABLISHED "
			    "-j ACCEPT\n"
			    "-A OUTPUT -m conntrack --ctstate NEW -j ACCEPT\n"),
	     NULL);
	assert_no_finding("IPT010");
}

/* ---- IPT011 a DNATed port INPUT only appears to guard ---- */

#define NAT(rules)                                              \
	"*nat\n:PREROUTING ACCEPT [0:0]\n:INPUT ACCEPT [0:0]\n" \
	":OUTPUT ACCEPT [0:0]\n:POSTROUTING ACCEPT [0:0]\n" rules "COMMIT\n"

static void test_lint_docker_dnat_bypasses_input(void **state)
{
	/* lines 1-5 header, DOCKER 6, rules 7-8; filter from 10 */
	lint(*state,
	     NAT(":DOCKER - [0:0]\n"
		 "-A PREROUTING -m addrtype --dst-type LOCAL "
		 "-j DOCKER\n"
		 "-A DOCKER ! -i docker0 -p tcp -m tcp --dport 8080 "
		 "-j DNAT --to-destination 172.17.0.2:80\n") "*filter\n:INPUT DROP [0:0]\n:FORWARD ACCEPT [0:0]\n"
							     ":OUTPUT ACCEPT [0:0]\n"
							     "-A INPUT -i lo -j ACCEPT\n"
							     "-A INPUT -p tcp -m tcp --dport 8080 -j DROP\n"
							     "COMMIT\n",
	     NULL);
	assert_finding("IPT011", 8,
		       "tcp port 8080 is DNATed to "
		       "172.17.0.2:80 in PREROUTING, so its packets go "
		       "through FORWARD and never meet filter INPUT: the "
		       "INPUT rule at line 15 does not guard it");
	assert_int_equal(sev_at("IPT011", 8), IPTS_WARNING);
	assert_int_equal(found.v[found.n - 1].sev, IPTS_NOTE);
	assert_int_equal(found.v[found.n - 1].loc.line, 15);
}

static void test_lint_dnat_policy_drop_and_source_accept(void **state)
{
	lint(*state,
	     NAT("-A PREROUTING -p udp -m multiport --dports 53,5000 "
		 "-j DNAT --to-destination 10.0.0.9\n"
		 "-A PREROUTING -p tcp -m tcp --dport 22 "
		 "-j DNAT --to-destination 10.0.0.9\n") "*filter\n:INPUT DROP [0:0]\n:FORWARD ACCEPT [0:0]\n"
							":OUTPUT ACCEPT [0:0]\n"
							"-A INPUT -s 192.0.2.0/24 -p tcp -m tcp --dport 22 "
							"-j ACCEPT\n"
							"COMMIT\n",
	     NULL);
	assert_finding("IPT011", 6,
		       "udp port 53 is DNATed to 10.0.0.9 in "
		       "PREROUTING");
	assert_finding("IPT011", 6, "the INPUT policy DROP at line 10");
	assert_finding("IPT011", 7, "the INPUT rule at line 13");
}

static void test_lint_dnat_to_loopback_or_redirect_is_fine(void **state)
{
	lint(*state,
	     NAT("-A PREROUTING -p tcp -m tcp --dport 8080 "
		 "-j DNAT --to-destination 127.0.0.1:80\n"
		 "-A PREROUTING -p tcp -m tcp --dport 8081 "
		 "-j REDIRECT --to-ports 80\n"
		 "-A PREROUTING -p tcp -m tcp --dport 8082 "
		 "-j DNAT --to-destination :80\n"
		 "-A PREROUTING -p tcp -j DNAT "
		 "--to-destination 10.0.0.9\n") "*filter\n:INPUT DROP [0:0]\n:FORWARD ACCEPT [0:0]\n"
						":OUTPUT ACCEPT [0:0]\n"
						"-A INPUT -p tcp -m tcp --dport 8080:8082 -j DROP\n"
						"COMMIT\n",
	     NULL);
	assert_no_finding("IPT011");
}

static void test_lint_dnat_port_input_does_not_name_is_fine(void **state)
{
	lint(*state,
	     NAT("-A PREROUTING -p tcp -m tcp --dport 8080 "
		 "-j DNAT --to-destination 172.17.0.2:80\n")
		     FILTER("-A INPUT -p tcp -m tcp --dport 22 -j DROP\n"),
	     NULL);
	assert_no_finding("IPT011");
	/* the last DROP of a chain INPUT jumps to sees only what the jump
	 * lets in */
	lint(*state,
	     NAT("-A PREROUTING -p tcp -m tcp --dport 8080 "
		 "-j DNAT --to-destination 172.17.0.2:80\n")
		     FILTER(":SYNF - [0:0]\n"
			    "-A INPUT -p tcp -m tcp --dport 22 -j SYNF\n"
			    "-A SYNF -j DROP\n"),
	     NULL);
	assert_no_finding("IPT011");
	/* an ACCEPT open to all comes first: INPUT means the port open */
	lint(*state,
	     NAT("-A PREROUTING -p tcp -m tcp --dport 8080 "
		 "-j DNAT --to-destination 172.17.0.2:80\n")
		     FILTER("-A INPUT -p tcp -m tcp --dport 8080 -j ACCEPT\n"
			    "-A INPUT -j DROP\n"),
	     NULL);
	assert_no_finding("IPT011");
}

static void test_lint_dnat_marker_on_input_rule_silences(void **state)
{
	lint(*state,
	     NAT("-A PREROUTING -p tcp -m tcp --dport 8080 "
		 "-j DNAT --to-destination 172.17.0.2:80\n")
		     FILTER("-A INPUT -p tcp -m tcp --dport 8080 -m comment "
			    "--comment iptsim:ignore=IPT011 -j DROP\n"),
	     NULL);
	assert_no_finding("IPT011");
}

/* ---- suppression ---- */

static void test_lint_comment_marker_silences(void **state)
{
	const char *rules =
		FILTER("-A INPUT -p tcp -j DROP\n"
		       "-A INPUT -p tcp -m tcp --dport 22 -m comment "
		       "--comment \"ssh iptsim:ignore=IPT003,IPT001\" "
		       "-j ACCEPT\n"
		       "-A INPUT -p tcp -m tcp --dport 23 -m comment "
		       "--comment iptsim:ignore -j ACCEPT\n"
		       "-A INPUT -p tcp -m tcp --dport 24 -m comment "
		       "--comment iptsim:ignore=IPT003 -j ACCEPT\n");

	assert_int_equal(lint(*state, rules, NULL), 1);
	assert_finding("IPT001", 8, NULL);
	assert_int_equal(lint(*state, rules, "IPT001"), 0);
	assert_no_finding("IPT001");
}

static void test_lint_codes_are_documented(void **state)
{
	const struct ipts_lint_code *c;
	size_t n, i;

	(void)state;
	c = ipts_lint_codes(&n);
	assert_true(n >= 8);
	for (i = 0; i < n; i++) {
		char want[32];

		snprintf(want, sizeof(want), "IPT%03u", (unsigned int)(i + 1));
		assert_string_equal(c[i].code, want);
		assert_true(*c[i].short_desc && *c[i].full_desc && *c[i].help);
		assert_ptr_equal(ipts_lint_code_find(want), &c[i]);
	}
	assert_null(ipts_lint_code_find("IPT999"));
}

static int teardown(void **state)
{
	ipts_diags_free(&found);
	memset(&found, 0, sizeof(found));
	return fixture_teardown(state);
}

#define T(name) cmocka_unit_test_setup_teardown(name, fixture_setup, teardown)

/* A host name's address is unknown: no claim either way, and IPT007. */
static void test_lint_unknown_host_address_is_unmodelled(void **state)
{
	lint(*state, FILTER("-A INPUT -s web1 -j DROP\n"
			    "-A INPUT -p icmp -j ACCEPT\n"
			    "-A INPUT -s web1 -p icmp -j ACCEPT\n"), NULL);
	/* "-s web1" is a condition, not "any" */
	assert_false(has("IPT002", 6, NULL));
	assert_false(has("IPT001", 7, NULL));
	assert_false(has("IPT003", 7, NULL));
	assert_finding("IPT007", 5, "names a host whose address is unknown");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_lint_shadowed_by_wider_port_range),
		T(test_lint_unknown_host_address_is_unmodelled),
		T(test_lint_partial_overlap_is_not_shadowed),
		T(test_lint_shadowed_by_multiport_and_prefix),
		T(test_lint_multiport_of_many_intervals),
		T(test_lint_inverted_prefix_is_not_shadowing),
		T(test_lint_state_and_ctstate_sets),
		T(test_lint_port_match_does_not_cover_fragments),
		T(test_lint_unmodelled_rule_is_never_shadowed),
		T(test_lint_unmodelled_rule_never_shadows),
		T(test_lint_mark_change_between_rules_stops_search),
		T(test_lint_identity_match_and_tos_change),
		T(test_lint_rule_with_local_names_is_not_shadowed),
		T(test_lint_after_unconditional_accept),
		T(test_lint_after_unconditional_log_is_reachable),
		T(test_lint_duplicate_is_redundant),
		T(test_lint_other_target_options_is_not_redundant),
		T(test_lint_unused_chain),
		T(test_lint_jump_to_empty_chain),
		T(test_lint_generator_hook_chains_are_notes),
		T(test_lint_chain_that_only_returns),
		T(test_lint_host_state_match),
		T(test_lint_host_state_that_cannot_matter),
		T(test_lint_owner_only_port_drop),
		T(test_lint_owner_only_port_reject_is_fine),
		T(test_lint_owner_trap_names_the_ports_it_drops),
		T(test_lint_drop_policy_without_loopback),
		T(test_lint_loopback_facts_once_per_chain),
		T(test_lint_budget_stops_and_says_where),
		T(test_lint_index_comparisons_grow_with_rules),
		T(test_lint_index_finds_the_nearest_cover),
		T(test_lint_state_and_conntrack_mixed),
		T(test_lint_docker_dnat_bypasses_input),
		T(test_lint_dnat_policy_drop_and_source_accept),
		T(test_lint_dnat_to_loopback_or_redirect_is_fine),
		T(test_lint_dnat_port_input_does_not_name_is_fine),
		T(test_lint_dnat_marker_on_input_rule_silences),
		T(test_lint_comment_marker_silences),
		T(test_lint_codes_are_documented),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
