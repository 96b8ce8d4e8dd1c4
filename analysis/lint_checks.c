/*
 * lint_checks.c - the checks, one function per kind of finding: the order
 * of a chain's rules (IPT001-IPT003), rules that depend on host state
 * (IPT007), the owner-only port (IPT008), the chains (IPT004-IPT006), the
 * loopback (IPT009) and the state matches mixed (IPT010). Each asks the
 * packet spaces (pktspace.c) and the chain facts (lint_chain.c), and
 * reports through lint_report.c.
 */
#include "lint_int.h"
#include "blob.h"

#include <stdio.h>
#include <string.h>
#include <linux/netfilter/xt_owner.h>

#define PROTO_TCP 6

/* ---- targets ---- */

static const char *target_name(const struct ipts_rule *r)
{
	return ipts_rule_target(r)->u.user.name;
}

/* The packet never goes on to the next rule of this chain. */
static bool terminates(const struct ipts_rule *r)
{
	switch (r->kind) {
	case IPTS_TGT_ACCEPT:
	case IPTS_TGT_DROP:
	case IPTS_TGT_RETURN:
	case IPTS_TGT_GOTO:
		return true;
	case IPTS_TGT_EXT:
		return strcmp(target_name(r), "REJECT") == 0;
	default:
		return false;
	}
}

static bool same_effect(const struct ipts_rule *a, const struct ipts_rule *b)
{
	if (a->kind != b->kind)
		return false;
	if (a->kind == IPTS_TGT_JUMP || a->kind == IPTS_TGT_GOTO)
		return a->dest == b->dest;
	if (a->kind != IPTS_TGT_EXT)
		return true;
	return ipts_target_same(ipts_rule_target(a), ipts_rule_target(b));
}

/* The rule's verdict as written: "-j DROP", "-g CHAIN". */
static void verdict_text(const struct ipts_rule *r, char *buf, size_t n)
{
	switch (r->kind) {
	case IPTS_TGT_ACCEPT:
		snprintf(buf, n, "-j ACCEPT");
		break;
	case IPTS_TGT_DROP:
		snprintf(buf, n, "-j DROP");
		break;
	case IPTS_TGT_RETURN:
		snprintf(buf, n, "-j RETURN");
		break;
	case IPTS_TGT_GOTO:
		snprintf(buf, n, "-g %s", r->dest ? r->dest->name : "?");
		break;
	default:
		snprintf(buf, n, "-j %s", target_name(r));
		break;
	}
}

void ipts_lint_order(struct ipts_lint *l, const struct ipts_chain *c,
		     struct ipts_space *sp)
{
	uint32_t i, j, stop = UINT32_MAX;

	for (i = 0; i < c->nrules; i++) {
		const struct ipts_rule *b = c->rules[i];

		if (!ipts_lint_spend(l, b))
			return;
		if (stop != UINT32_MAX) {
			const struct ipts_rule *a = c->rules[stop];

			if (ipts_lint_want(l, "IPT002", b)) {
				char v[64];

				verdict_text(a, v, sizeof(v));
				ipts_diag_add_code(l->d,
						   ipts_lint_sev("IPT002"),
						   &b->loc, "IPT002",
						   "rule is unreachable: rule %u "
						   "of '%s' (line %u) comes first "
						   "and matches every packet (%s)",
						   stop + 1, c->name, a->loc.line,
						   v);
				ipts_lint_note_rule(l, a, stop + 1,
						    "every packet stops here");
			}
			continue;
		}
		if (sp[i].modelled) {
			for (j = i; j-- > 0;) {
				const struct ipts_rule *a = c->rules[j];
				const char *code;

				if (!ipts_lint_spend(l, b))
					return;
				if (terminates(a) &&
				    ipts_space_covers(&sp[j], &sp[i])) {
					char v[64];

					code = same_effect(a, b) ? "IPT003"
								 : "IPT001";
					if (!ipts_lint_want(l, code, b))
						break;
					verdict_text(a, v, sizeof(v));
					ipts_diag_add_code(l->d,
						ipts_lint_sev(code),
						&b->loc, code, "%s: rule %u of "
						"'%s' (line %u) comes first and "
						"matches every packet this one "
						"could (%s%s)", code[5] == '3' ?
						"rule is redundant" :
						"rule can never match", j + 1,
						c->name, a->loc.line, v,
						code[5] == '3' ? ", the same "
						"effect" : "");
					ipts_lint_note_rule(l, a, j + 1,
							    "the earlier rule");
					break;
				}
				if (ipts_lint_rule_mutates(l, a))
					break;
			}
		}
		if (terminates(b) && sp[i].unconditional)
			stop = i;
	}
}

/*
 * Whether the rule's answer cannot matter: its target changes nothing a
 * later rule or the connection reads, and no match that writes a recent
 * list runs or not (or writes one thing or another) by that answer.
 */
static bool answer_cannot_matter(const struct ipts_space *sp)
{
	static const char *const passive[] = {
		"AUDIT", "LOG", "NFLOG", "ULOG",
	};
	const struct ipts_rule *r = sp->r;

	if (sp->hoststate_writes || sp->last_write > sp->hoststate)
		return false;
	if (r->kind == IPTS_TGT_NONE)
		return true;
	return r->kind == IPTS_TGT_EXT && IPTS_IN_LIST(target_name(r), passive);
}

void ipts_lint_hoststate(struct ipts_lint *l, const struct ipts_chain *c,
			 struct ipts_space *sp)
{
	uint32_t i;

	for (i = 0; i < c->nrules; i++) {
		const struct ipts_rule *r = c->rules[i];
		struct ipts_loc loc;

		if (sp[i].hoststate < 0 || answer_cannot_matter(&sp[i]) ||
		    !ipts_lint_want(l, "IPT007", r))
			continue;
		loc = sp[i].hoststate < r->nmatches ?
			ipts_rule_match_loc(r, (unsigned int)sp[i].hoststate) :
			r->loc;
		ipts_diag_add_code(l->d, ipts_lint_sev("IPT007"), &loc,
				   "IPT007",
				   "rule depends on what the file cannot know: "
				   "%s; answers through rule %u of '%s' are "
				   "undetermined", sp[i].hoststate_why, i + 1,
				   c->name);
	}
}

static bool owner_limited(const struct ipts_space *s)
{
	const struct xt_owner_match_info *o = s->owner;

	return o && (o->match & (XT_OWNER_UID | XT_OWNER_GID)) &&
	       !(o->invert & (XT_OWNER_UID | XT_OWNER_GID));
}

void ipts_lint_owner_trap(struct ipts_lint *l,
			  const struct ipts_chain *c,
			  struct ipts_space *sp)
{
	uint32_t i, j, k;

	for (i = 0; i < c->nrules; i++) {
		const struct ipts_space *a = &sp[i];
		const struct ipt_ip *ip = &c->rules[i]->e->ip;

		if (c->rules[i]->kind != IPTS_TGT_ACCEPT || !owner_limited(a) ||
		    ip->proto != PROTO_TCP || (ip->invflags & IPT_INV_PROTO) ||
		    ipts_pset_is_full(&a->dport) || a->dport.n == 0 ||
		    !(a->states & IPTS_ST_NEW))
			continue;
		for (j = i + 1; j < c->nrules; j++) {
			const struct ipts_rule *b = c->rules[j];
			bool clear = true;

			if (!ipts_lint_spend(l, b))
				return;
			/* B drops the same users' SYNs too: not our trap; B
			 * restricted to other TCP flags: not the SYN */
			if (b->kind != IPTS_TGT_DROP || !sp[j].modelled ||
			    sp[j].owner || !(sp[j].states & IPTS_ST_NEW) ||
			    (sp[j].tcpflags && !(a->tcpflags &&
			     sp[j].flg_mask == a->flg_mask &&
			     sp[j].flg_cmp == a->flg_cmp &&
			     sp[j].flg_inv == a->flg_inv)) ||
			    !ipts_space_overlap(a, &sp[j]))
				continue;
			/* every other rule that may see these packets first
			 * is an owner-limited ACCEPT or a harmless one */
			for (k = 0; k < j && clear; k++) {
				const struct ipts_rule *o = c->rules[k];

				if (!ipts_lint_spend(l, b))
					return;
				if (k == i || !ipts_space_overlap(&sp[k], a) ||
				    !ipts_space_overlap(&sp[k], &sp[j]))
					continue;
				if (o->kind == IPTS_TGT_ACCEPT &&
				    owner_limited(&sp[k]))
					continue;
				if (!terminates(o) &&
				    o->kind != IPTS_TGT_JUMP &&
				    !ipts_lint_rule_mutates(l, o))
					continue;
				clear = false;
			}
			if (!clear)
				break;
			if (ipts_lint_want(l, "IPT008", b)) {
				const struct xt_owner_match_info *o = a->owner;
				bool uid = o->match & XT_OWNER_UID;
				uint32_t lo = uid ? o->uid_min : o->gid_min;
				uint32_t hi = uid ? o->uid_max : o->gid_max;
				struct ipts_pset ports = a->dport;
				char who[48], port[32];

				if (lo == hi)
					snprintf(who, sizeof(who), "%s %u",
						 uid ? "uid" : "gid", lo);
				else
					snprintf(who, sizeof(who), "%ss %u-%u",
						 uid ? "uid" : "gid", lo, hi);
				ipts_pset_intersect(&ports, &sp[j].dport);
				if (ports.lo[0] == ports.hi[0])
					snprintf(port, sizeof(port), "port %u",
						 ports.lo[0]);
				else
					snprintf(port, sizeof(port),
						 "ports %u-%u", ports.lo[0],
						 ports.hi[0]);
				ipts_diag_add_code(l->d,
						   ipts_lint_sev("IPT008"),
						   &b->loc, "IPT008",
						   "only %s may reach tcp %s "
						   "(rule %u, line %u): this DROP "
						   "makes every other user's "
						   "connect() hang in SYN_SENT; "
						   "use REJECT --reject-with "
						   "tcp-reset", who, port, i + 1,
						   c->rules[i]->loc.line);
				ipts_lint_note_rule(l, c->rules[i], i + 1,
						    "the owner-limited rule");
			}
			break;
		}
	}
}

void ipts_lint_chains(struct ipts_lint *l, const struct ipts_table *t)
{
	uint32_t i, j;

	for (i = 0; i < t->nchains; i++) {
		const struct ipts_chain *c = t->chains[i];
		bool only_ret = c->nrules > 0;

		if (c->deleted)
			continue;
		for (j = 0; j < c->nrules; j++) {
			const struct ipts_rule *r = c->rules[j];
			struct ipts_loc at;

			if ((r->kind == IPTS_TGT_JUMP ||
			     r->kind == IPTS_TGT_GOTO) && r->dest &&
			    r->dest->nrules == 0 &&
			    ipts_lint_want(l, "IPT005", r)) {
				const char *who =
					ipts_lint_hook_chain_of(r->dest->name);

				at = ipts_rule_target_loc(r);
				ipts_diag_add_code(l->d, who ? IPTS_NOTE :
						   ipts_lint_sev("IPT005"), &at,
						   "IPT005", "%s to empty chain "
						   "'%s' %s%s%s%s",
						   r->kind == IPTS_TGT_JUMP ?
						   "jump" : "goto",
						   r->dest->name,
						   r->kind == IPTS_TGT_JUMP ?
						   "has no effect" :
						   "acts as a RETURN",
						   who ? " (yet): " : "",
						   who ? who : "",
						   who ? " leaves this chain "
						   "empty for rules added later" :
						   "");
			}
		}
		if (c->hook >= 0)
			continue;
		if (c->refs == 0 && !ipts_lint_code_ignored(l, "IPT004") &&
		    !ipts_lint_chain_ignores(c, "IPT004")) {
			const char *who = ipts_lint_hook_chain_of(c->name);

			l->nfound++;
			ipts_diag_add_code(l->d, who ? IPTS_NOTE :
					   ipts_lint_sev("IPT004"), &c->loc,
					   "IPT004", "chain '%s' is never used: "
					   "no rule jumps or goes to it%s%s%s",
					   c->name, who ? " (yet): " : "",
					   who ? who : "", who ? " creates it "
					   "for rules added later" : "");
		}
		for (j = 0; j < c->nrules && only_ret; j++) {
			struct ipts_space s;

			ipts_space_build(&s, c->rules[j]);
			only_ret = c->rules[j]->kind == IPTS_TGT_RETURN &&
				   s.modelled;
		}
		if (only_ret && !ipts_lint_code_ignored(l, "IPT006") &&
		    !ipts_lint_chain_ignores(c, "IPT006")) {
			l->nfound++;
			ipts_diag_add_code(l->d, ipts_lint_sev("IPT006"),
					   &c->loc, "IPT006", "chain '%s' only "
					   "returns: all %u of its rules are "
					   "RETURN, a jump to it has no effect",
					   c->name, c->nrules);
		}
	}
}

/* IPT009: filter INPUT drops by policy and nothing accepts 'lo'. */
void ipts_lint_loopback(struct ipts_lint *l, const struct ipts_table *t)
{
	const struct ipts_chain *in = t->builtin[NF_INET_LOCAL_IN];
	bool cut = false;

	if (t->id == IPTS_TABLE_FILTER && in && in->policy == NF_DROP &&
	    !ipts_lint_accepts_lo(l, in, 0, &cut) &&
	    !ipts_lint_code_ignored(l, "IPT009") &&
	    !ipts_lint_chain_ignores(in, "IPT009")) {
		l->nfound++;
		ipts_diag_add_code(l->d, ipts_lint_sev("IPT009"), &in->loc,
				   "IPT009",
				   "INPUT drops by policy and no rule accepts "
				   "every packet in on 'lo': local connections "
				   "to ports no rule allows time out; add "
				   "'-A INPUT -i lo -j ACCEPT'");
	}
}

/* IPT010: the first rule of table @t with -m state and the first with
 * -m conntrack --ctstate (either NULL: nothing to report). */
void ipts_lint_state_mixed(struct ipts_lint *l,
			   const struct ipts_table *t,
			   const struct ipts_rule *first_state,
			   const struct ipts_rule *first_ct)
{
	const struct ipts_rule *later, *other;

	if (!first_state || !first_ct)
		return;
	later = first_state->loc.off > first_ct->loc.off ? first_state
							  : first_ct;
	other = later == first_state ? first_ct : first_state;
	if (ipts_lint_want(l, "IPT010", later)) {
		ipts_diag_add_code(l->d, ipts_lint_sev("IPT010"), &later->loc,
				   "IPT010", "table '%s' matches "
				   "connection state with both -m state "
				   "and -m conntrack --ctstate", t->name);
		ipts_lint_note_rule(l, other, ipts_rule_num(other),
				    "the other kind");
	}
}
