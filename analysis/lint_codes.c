/*
 * lint_codes.c - every lint code: its severity, name, one-line title, what
 * exactly is reported and what to do about it (the help texts, --list-codes
 * and SARIF's rules[] all read this table).
 */
#include "lint.h"

#include <string.h>

static const struct ipts_lint_code codes[] = {
	{ "IPT001", IPTS_WARNING, "shadowed-rule",
	  "rule can never match: an earlier rule decides every packet it could match",
	  "An earlier rule of the same chain with a terminating verdict (ACCEPT, DROP, REJECT, RETURN or a goto) matches every packet this rule could match, and nothing between them changes the packet, so this rule never sees a packet it matches.",
	  "Delete the rule, or move it above the rule named in the note if it was meant to take precedence." },
	{ "IPT002", IPTS_WARNING, "unreachable-rule",
	  "rule is unreachable: an earlier rule of the chain takes every packet",
	  "An earlier rule of the same chain has no condition at all and a terminating verdict, so no packet ever reaches the rules after it.",
	  "Delete the rules after the unconditional one, or give that rule a condition." },
	{ "IPT003", IPTS_WARNING, "redundant-rule",
	  "rule is redundant: an earlier rule with the same effect matches every packet it could",
	  "An earlier rule of the same chain with the same target and target options matches every packet this rule could match, and nothing between them changes the packet; removing this rule changes nothing.",
	  "Delete the duplicate rule." },
	{ "IPT004", IPTS_WARNING, "unused-chain",
	  "user chain is never used: no rule jumps or goes to it",
	  "No rule of the table has -j or -g to this user-defined chain, so its rules never see a packet.",
	  "Delete the chain, or add the jump that was meant to reach it." },
	{ "IPT005", IPTS_WARNING, "jump-to-empty-chain",
	  "jump or goto to an empty chain",
	  "The rule jumps to a user-defined chain that has no rules: a jump returns at once, a goto returns to the caller's caller (or the policy).",
	  "Fill the chain or delete the jump." },
	{ "IPT006", IPTS_WARNING, "chain-only-returns",
	  "chain only returns: every rule of it is a RETURN",
	  "Every rule of this user-defined chain has the RETURN target and only side-effect-free matches, so a jump to it has no effect.",
	  "Delete the chain and the jumps to it, or give it the rules it was meant to hold." },
	{ "IPT007", IPTS_NOTE, "host-state-match",
	  "rule depends on what the file cannot know",
	  "The rule has a match whose result depends on host state or history (ipset contents, recent lists, rate limits, quotas, the time, randomness, payload), and its answer matters: answers about packets that reach it are undetermined. A rule whose target changes nothing later rules read (LOG, NFLOG, ULOG, AUDIT, none) and -m recent --set (it always matches) are not reported.",
	  "Nothing to fix; know that trace answers through this rule may be undetermined." },
	{ "IPT008", IPTS_WARNING, "owner-only-port-drop",
	  "port reachable by one user only; other users hang in SYN_SENT",
	  "An ACCEPT restricted with -m owner to some UIDs or GIDs for a TCP port is followed in the same chain by a DROP for that port: connections from every other user are silently dropped and hang in SYN_SENT until they time out.",
	  "Use -j REJECT --reject-with tcp-reset instead of DROP, so other users get 'connection refused' at once." },
	{ "IPT009", IPTS_WARNING, "drop-policy-without-loopback",
	  "INPUT drops by policy and no rule accepts loopback",
	  "The filter INPUT chain has a DROP policy and no rule of it (or of a chain it jumps to) accepts packets coming in on 'lo': local connections that no other rule allows time out.",
	  "Add '-A INPUT -i lo -j ACCEPT' near the top of INPUT." },
	{ "IPT010", IPTS_NOTE, "state-and-conntrack-mixed",
	  "table uses both -m state and -m conntrack --ctstate",
	  "The same table matches connection state with both the older -m state and -m conntrack --ctstate; they mean the same, mixing them makes rules harder to compare.",
	  "Use -m conntrack --ctstate everywhere." },
	{ "IPT011", IPTS_WARNING, "dnat-bypasses-input",
	  "port DNATed in PREROUTING that filter INPUT only appears to guard",
	  "A DNAT in nat PREROUTING (or a chain reached from it) sends tcp or udp packets for a destination port to another address (not 127.0.0.0/8, not the rule's own -d host), so they are routed to FORWARD and never meet filter INPUT; yet the first INPUT rule naming that port (a DROP, a REJECT or an ACCEPT limited by -s, or a rule of INPUT itself with no condition) or INPUT's DROP policy appears to guard it. This is how Docker's published ports get past ufw. A DNAT without a port restriction, to no address (a port only) or to 127.0.0.0/8, and REDIRECT, are not reported.",
	  "Filter the DNATed traffic in FORWARD (DOCKER-USER for Docker), matching the original port with -m conntrack --ctorigdstport, or publish the port on a local address only." },
	{ "IPT012", IPTS_WARNING, "empty-set-match",
	  "rule never matches: its set is empty in the ipsets file",
	  "With --ipsets: a -m set (not inverted) names a set that holds no element in the capture (a list:set none of whose members holds one), and no -j SET of the file adds to it, to a list:set holding it or to a member of it, so the match fails for every packet. The capture is a moment: a set filled later by a daemon (fail2ban, firewalld) is reported too.",
	  "Fill the set, or delete the rule if the set is gone for good; if a program fills it at run time, capture the sets when it has." },
	{ "IPT013", IPTS_NOTE, "unused-set",
	  "set defined in the ipsets file and never used",
	  "With --ipsets: no rule of the file names the set (-m set, -j SET), and no list:set of the ipsets file holds it. Another ruleset (the IPv6 one) or a program may still use it.",
	  "Destroy the set if nothing uses it, or add the rule that was meant to." },
	{ "IPT014", IPTS_WARNING, "set-flags-too-few",
	  "-m set gives fewer flags than its set has dimensions",
	  "With --ipsets: the -m set gives fewer src/dst flags than the set's type has dimensions (hash:ip,port needs two), so ip_set_test() fails before it looks at the set: the match never matches (always, if inverted).",
	  "Give one flag per dimension, e.g. --match-set NAME src,dst for hash:ip,port." },
	{ "IPT015", IPTS_WARNING, "family-port-mismatch",
	  "port open on one family and closed on the other",
	  "Given one IPv4 and one IPv6 file (a pair): a local client's connection over lo to a TCP or UDP port connects on one family (127.0.0.1 or ::1) and is refused, times out or fails on the other. The ports compared are every destination port (and range edge) the filter rules of either file name, outside FORWARD, plus tcp 22, 80, 443, 3000 (a dev server's, as in Node's 'connect ECONNREFUSED ::1:3000'), 8080 and udp 53. The finding is at the rule (or policy) that decided the closed side. `localhost` resolves to ::1 first: a dropped IPv6 SYN makes the client wait its whole connect() timeout.",
	  "Make both files agree for the port: usually add '-A INPUT -i lo -j ACCEPT' to the file missing it, or the same port rule to both." },
	{ "IPT016", IPTS_NOTE, "family-closed-unlike",
	  "port closed on both families, refused on one and dropped on the other",
	  "Given a pair (IPT015's ports): a local client's connection is closed on both families, but one refuses it at once (a RST, an ICMP error) and the other drops it (timeout). A client that tries the dropping family's address first (::1 for `localhost` in glibc's order) waits its whole connect() timeout, about 130 s for TCP, before it tries the other.",
	  "Close the port the same way on both families: REJECT (--reject-with tcp-reset) on both, or DROP on both." },
	{ "IPT017", IPTS_NOTE, "family-not-compared",
	  "ports or files not compared across families",
	  "Given files of both families, lint could not compare some of them: a port whose connection is undetermined on one family (a rule the file cannot decide, or the budget), ports past the bound of 64, or files whose partner of the other family is not clear from the names (rules.v4 with rules.v6, before.rules with before6.rules) when more than one file of a family is given.",
	  "Lint the two files of a pair on their own, or see why the connection is undetermined with trace." },
};

#define NCODES (sizeof(codes) / sizeof(codes[0]))

const struct ipts_lint_code *ipts_lint_codes(size_t *n)
{
	*n = NCODES;
	return codes;
}

const struct ipts_lint_code *ipts_lint_code_find(const char *code)
{
	size_t i;

	for (i = 0; i < NCODES; i++)
		if (strcmp(codes[i].code, code) == 0)
			return &codes[i];
	return NULL;
}
