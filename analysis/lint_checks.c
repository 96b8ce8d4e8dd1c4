/*
 * lint_checks.c - the checks, one function per kind of finding: the order
 * of a chain's rules (IPT001-IPT003), rules that depend on host state
 * (IPT007), the owner-only port (IPT008), the chains (IPT004-IPT006), the
 * loopback (IPT009), the state matches mixed (IPT010) and the DNATed port
 * that INPUT appears to guard (IPT011). Each asks the
 * packet spaces (pktspace.c) and the chain facts (lint_chain.c), and
 * reports through lint_report.c.
 */
#include "lint_int.h"
#include "blob.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <linux/netfilter/nf_nat.h>
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
/* The verdict of @r as the findings quote it ("-j ACCEPT", "-g NAME"):
 * at most 63 bytes, as it was in a 64-byte buffer. */
static void verdict_text(const struct ipts_rule *r, struct ipts_lint_msg *m)
{
	const char *name;
	size_t n;

	switch (r->kind) {
	case IPTS_TGT_ACCEPT:
		name = "-j ACCEPT";
		break;
	case IPTS_TGT_DROP:
		name = "-j DROP";
		break;
	case IPTS_TGT_RETURN:
		name = "-j RETURN";
		break;
	case IPTS_TGT_GOTO:
		name = r->dest ? r->dest->name : "?";
		ipts_lint_msg_put(m, "-g ", 3);
		n = strlen(name);
		ipts_lint_msg_put(m, name, n < 60 ? n : 60);
		return;
	default:
		name = target_name(r);
		ipts_lint_msg_put(m, "-j ", 3);
		n = strlen(name);
		ipts_lint_msg_put(m, name, n < 60 ? n : 60);
		return;
	}
	ipts_lint_msg_str(m, name);
}

/* "rule NUM of 'CHAIN' (line LINE) comes first and matches every packet"
 * of rule @a, number @num of chain @c. */
static void comes_first(struct ipts_lint_msg *m, uint32_t num,
			const struct ipts_chain *c, const struct ipts_rule *a)
{
	ipts_lint_msg_put(m, "rule ", 5);
	ipts_lint_msg_uint(m, num);
	ipts_lint_msg_put(m, " of '", 5);
	ipts_lint_msg_str(m, c->name);
	ipts_lint_msg_put(m, "' (line ", 8);
	ipts_lint_msg_uint(m, a->loc.line);
	ipts_lint_msg_str(m, ") comes first and matches every packet");
}

/*
 * The IPT001 (IPT003 when @same) of rule @b, which rule @j of @c covers,
 * and its note quoting rule @j. Their words name only rule @j and the
 * code, so each is made once and the later findings that name rule @j
 * share it (ipts_diag_add_pooled()): @made[3 * @j] the IPT001 message,
 * [3 * @j + 1] the IPT003 one, [3 * @j + 2] the note (on the flat file
 * 92,718 findings name 13,504 rules).
 */
static void cover_finding(struct ipts_lint *l, const struct ipts_chain *c,
			  uint32_t j, const struct ipts_rule *b, bool same,
			  enum ipts_severity sev, char **made)
{
	const struct ipts_rule *a = c->rules[j];
	const char *code = same ? "IPT003" : "IPT001";
	char **msg = &made[3 * (size_t)j + same];
	char **note = &made[3 * (size_t)j + 2];
	struct ipts_lint_msg m;

	if (*msg) {
		ipts_diag_add_pooled(l->d, sev, &b->loc, code, *msg);
	} else {
		ipts_lint_msg_init(&m);
		ipts_lint_msg_str(&m, same ? "rule is redundant: " :
					     "rule can never match: ");
		comes_first(&m, j + 1, c, a);
		ipts_lint_msg_str(&m, " this one could (");
		verdict_text(a, &m);
		ipts_lint_msg_str(&m, same ? ", the same effect)" : ")");
		ipts_lint_msg_add(l->d, sev, &b->loc, code, &m);
		*msg = l->d->v[l->d->n - 1].msg;
	}
	if (*note) {
		ipts_diag_add_pooled(l->d, IPTS_NOTE, &a->loc, NULL, *note);
	} else {
		ipts_lint_note_rule(l, a, j + 1, "the earlier rule");
		*note = l->d->v[l->d->n - 1].msg;
	}
}

/*
 * IPT001 and IPT003 search, for each modelled rule, the nearest earlier
 * rule that ends the chain and covers it, back to the last rule that may
 * change the packet (the index forgets everything there). The index
 * (lint_index.c) offers the rules that may cover it; ipts_space_covers()
 * decides.
 */
void ipts_lint_order(struct ipts_lint *l, const struct ipts_chain *c,
		     struct ipts_space *sp)
{
	struct ipts_cover_index *x = ipts_cover_index_new();
	uint32_t i, stop = UINT32_MAX;
	bool *addable = ipts_xmalloc(c->nrules * sizeof(*addable));
	/* looked up once: a large file has a finding every other rule */
	const enum ipts_severity sev1 = ipts_lint_sev("IPT001"),
				 sev3 = ipts_lint_sev("IPT003");
	/* per earlier rule, its findings' messages once made (below) */
	char **made = NULL;

	for (i = 0; i < c->nrules; i++)
		addable[i] = terminates(c->rules[i]) && sp[i].modelled;
	ipts_cover_index_groups(x, sp, c->nrules, addable);
	free(addable);
	for (i = 0; i < c->nrules; i++) {
		const struct ipts_rule *b = c->rules[i];

		if (!ipts_lint_spend(l, b))
			break;
		if (stop != UINT32_MAX) {
			const struct ipts_rule *a = c->rules[stop];

			if (ipts_lint_want(l, "IPT002", b)) {
				struct ipts_lint_msg m;

				ipts_lint_msg_init(&m);
				ipts_lint_msg_str(&m, "rule is unreachable: ");
				comes_first(&m, stop + 1, c, a);
				ipts_lint_msg_put(&m, " (", 2);
				verdict_text(a, &m);
				ipts_lint_msg_put(&m, ")", 1);
				ipts_lint_msg_add(l->d, ipts_lint_sev("IPT002"),
						  &b->loc, "IPT002", &m);
				ipts_lint_note_rule(l, a, stop + 1,
						    "every packet stops here");
			}
			continue;
		}
		if (sp[i].modelled) {
			bool over;
			int64_t j = ipts_cover_index_find(l, x, sp, i, &over);

			if (over)
				break;
			if (j >= 0) {
				const struct ipts_rule *a = c->rules[j];
				const char *code = same_effect(a, b) ?
							   "IPT003" :
							   "IPT001";

				if (ipts_lint_want(l, code, b)) {
					bool same = code[5] == '3';

					if (!made)
						made = ipts_xcalloc(
							3 * (size_t)c->nrules,
							sizeof(*made));
					cover_finding(l, c, (uint32_t)j, b,
						      same, same ? sev3 : sev1,
						      made);
				}
			}
		}
		if (terminates(b) && sp[i].modelled)
			ipts_cover_index_add(x, &sp[i], i);
		else if (ipts_lint_rule_mutates(l, b))
			ipts_cover_index_clear(x);
		if (terminates(b) && sp[i].unconditional)
			stop = i;
	}
	ipts_cover_index_free(x);
	free(made);
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
		    ipts_lint_set_known(l, r, sp[i].hoststate) ||
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
		struct ipt_ip view;
		const struct ipt_ip *ip = ipts_lint_ip(c->rules[i], &view);

		if (c->rules[i]->kind != IPTS_TGT_ACCEPT || !owner_limited(a) ||
		    ip->proto != PROTO_TCP || (ip->invflags & IPT_INV_PROTO) ||
		    ipts_ports_is_full(&a->dport) || a->dport.n == 0 ||
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
				struct ipts_pset ports, other;
				char who[48], port[32];

				if (lo == hi)
					snprintf(who, sizeof(who), "%s %u",
						 uid ? "uid" : "gid", lo);
				else
					snprintf(who, sizeof(who), "%ss %u-%u",
						 uid ? "uid" : "gid", lo, hi);
				ipts_ports_unpack(&ports, &a->dport);
				ipts_ports_unpack(&other, &sp[j].dport);
				ipts_pset_intersect(&ports, &other);
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

			ipts_space_build(&s, c->rules[j], l->arena);
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

/* ---- IPT011: a DNATed port that filter INPUT appears to guard ---- */

#define NPORTS 65536u
#define PROTO_UDP 17

/* One PREROUTING DNAT with a port restriction, to another host. */
/* Room for "[a]-[b]:p-q" of two IPv6 addresses. */
#define DNAT_TO_LEN (2 * INET6_ADDRSTRLEN + 20)

struct dnat {
	const struct ipts_rule *r;
	char to[DNAT_TO_LEN]; /* "172.17.0.2:80", "[fd00::2]:80" */
	bool reported;
};

/* Per protocol (tcp, udp), the first DNAT of each port (index + 1, 0
 * none) and nxt, a union-find over ports: nxt[p] leads to the next port
 * still to look at, so each port is looked at once however many rules
 * name it. */
struct dnat_index {
	struct dnat *v;
	size_t n, cap;
	uint32_t *first[2], *nxt[2];
	const struct ipts_chain *in;
};

static uint32_t next_port(uint32_t *nxt, uint32_t p)
{
	while (nxt[p] != p) {
		nxt[p] = nxt[nxt[p]];
		p = nxt[p];
	}
	return p;
}

static int proto_slot(const struct ipt_ip *ip)
{
	if (ip->invflags & IPT_INV_PROTO)
		return -1;
	return ip->proto == PROTO_TCP ? 0 : ip->proto == PROTO_UDP ? 1 : -1;
}

/*
 * dnat_elsewhere() of an IPv6 rule: ip6tables' DNAT is revision 1
 * (nf_nat_range) or 2 (nf_nat_range2, which begins alike), its addresses
 * 128-bit. ::1 is this host (as 127.0.0.0/8 for IPv4), and so is the
 * rule's own -d host. "[fd00::2]:80", "fd00::2-fd00::5" as the message
 * says it.
 */
static bool dnat6_elsewhere(const struct ipts_rule *r, char *to, size_t n)
{
	static const struct in6_addr loop = { .s6_addr = { [15] = 1 } };
	const struct xt_entry_target *t = ipts_rule_target(r);
	const struct ip6t_ip6 *ip = &r->e6->ipv6;
	static const struct in6_addr ones = {
		.s6_addr = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
			     0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff },
	};
	const struct nf_nat_range *rg;
	char a[INET6_ADDRSTRLEN], b[INET6_ADDRSTRLEN];
	bool one, ports;
	uint16_t plo, phi;
	size_t len;

	if (r->kind != IPTS_TGT_EXT || strcmp(target_name(r), "DNAT") != 0 ||
	    ipts_blob_is_opaque(t->u.user.revision) || t->u.user.revision < 1)
		return false;
	rg = ipts_target_data(t, sizeof(*rg), &len);
	if (!rg || !(rg->flags & NF_NAT_RANGE_MAP_IPS))
		return false;
	if (!memcmp(&rg->min_addr.in6, &loop, sizeof(loop)) ||
	    !memcmp(&rg->max_addr.in6, &loop, sizeof(loop)))
		return false;
	one = !memcmp(&rg->min_addr.in6, &rg->max_addr.in6, sizeof(loop));
	if (one && !memcmp(&ip->dmsk, &ones, sizeof(ones)) &&
	    !(ip->invflags & IP6T_INV_DSTIP) &&
	    !memcmp(&ip->dst, &rg->min_addr.in6, sizeof(loop)))
		return false;
	inet_ntop(AF_INET6, &rg->min_addr.in6, a, sizeof(a));
	inet_ntop(AF_INET6, &rg->max_addr.in6, b, sizeof(b));
	ports = rg->flags & NF_NAT_RANGE_PROTO_SPECIFIED;
	plo = ntohs(rg->min_proto.all);
	phi = ntohs(rg->max_proto.all);
	if (!ports)
		snprintf(to, n, one ? "%s" : "%s-%s", a, b);
	else if (one)
		snprintf(to, n, plo == phi ? "[%s]:%u" : "[%s]:%u-%u", a, plo,
			 phi);
	else
		snprintf(to, n, plo == phi ? "[%s]-[%s]:%u" : "[%s]-[%s]:%u-%u",
			 a, b, plo, phi);
	return true;
}

/*
 * The DNAT of @r sends its packets to another host: it maps the address
 * (no address: the packet keeps this host's), not into 127.0.0.0/8 and
 * not to the rule's own -d host. Without the host's addresses, any other
 * address counts as another host. Fills @to with where it goes.
 */
static bool dnat_elsewhere(const struct ipts_rule *r, char *to, size_t n)
{
	const struct xt_entry_target *t = ipts_rule_target(r);
	const struct ipt_ip *ip = &r->e->ip;
	unsigned int flags;

	if (ipts_rule_family(r) == IPTS_FAMILY_IPV6)
		return dnat6_elsewhere(r, to, n);
	uint32_t lo, hi;
	uint16_t plo, phi;
	size_t len;
	int k;

	if (r->kind != IPTS_TGT_EXT || strcmp(target_name(r), "DNAT") != 0 ||
	    ipts_blob_is_opaque(t->u.user.revision))
		return false;
	if (t->u.user.revision == 0) {
		const struct nf_nat_ipv4_multi_range_compat *mr =
			ipts_target_data(t, sizeof(*mr), &len);

		if (!mr)
			return false;
		flags = mr->range[0].flags;
		lo = ntohl(mr->range[0].min_ip);
		hi = ntohl(mr->range[0].max_ip);
		plo = ntohs(mr->range[0].min.all);
		phi = ntohs(mr->range[0].max.all);
	} else {
		const struct nf_nat_range *rg = /* prefix of nf_nat_range2 */
			ipts_target_data(t, sizeof(*rg), &len);

		if (!rg)
			return false;
		flags = rg->flags;
		lo = ntohl(rg->min_addr.ip);
		hi = ntohl(rg->max_addr.ip);
		plo = ntohs(rg->min_proto.all);
		phi = ntohs(rg->max_proto.all);
	}
	if (!(flags & NF_NAT_RANGE_MAP_IPS) || lo >> 24 == 127 ||
	    hi >> 24 == 127)
		return false;
	if (lo == hi && ip->dmsk.s_addr == 0xffffffff &&
	    !(ip->invflags & IPT_INV_DSTIP) && ntohl(ip->dst.s_addr) == lo)
		return false;
	k = snprintf(to, n, "%u.%u.%u.%u", lo >> 24, (lo >> 16) & 255,
		     (lo >> 8) & 255, lo & 255);
	if (hi != lo && k > 0 && (size_t)k < n)
		k += snprintf(to + k, n - (size_t)k, "-%u.%u.%u.%u", hi >> 24,
			      (hi >> 16) & 255, (hi >> 8) & 255, hi & 255);
	if ((flags & NF_NAT_RANGE_PROTO_SPECIFIED) && k > 0 && (size_t)k < n)
		snprintf(to + k, n - (size_t)k, plo == phi ? ":%u" : ":%u-%u",
			 plo, phi);
	return true;
}

/* Index the DNAT of @r by its destination ports; a DNAT without a port
 * restriction (-p tcp alone, as kube-proxy's KUBE-SEP- chains write it,
 * the port being on the jump) is not indexed: which port would INPUT
 * have to name? */
static void index_dnat(struct dnat_index *x, const struct ipts_rule *r,
		       struct ipts_arena *arena)
{
	const uint16_t *iv;
	struct ipts_space sp;
	char to[DNAT_TO_LEN];
	struct ipt_ip view;
	int k = proto_slot(ipts_lint_ip(r, &view));
	unsigned int i;
	uint32_t p;

	if (k < 0 || !dnat_elsewhere(r, to, sizeof(to)))
		return;
	ipts_space_build(&sp, r, arena);
	if (sp.dport.n == 0 || ipts_ports_is_full(&sp.dport))
		return;
	if (!x->first[0]) {
		for (i = 0; i < 2; i++) {
			x->first[i] = ipts_xcalloc(NPORTS + 1,
						   sizeof(uint32_t));
			x->nxt[i] = ipts_xcalloc(NPORTS + 1, sizeof(uint32_t));
			for (p = 0; p <= NPORTS; p++)
				x->nxt[i][p] = p;
		}
	}
	if (x->n == x->cap) {
		struct dnat *v = ipts_xcalloc(x->cap * 2 + 8, sizeof(*v));

		if (x->n)
			memcpy(v, x->v, x->n * sizeof(*v));
		free(x->v);
		x->v = v;
		x->cap = x->cap * 2 + 8;
	}
	x->v[x->n].r = r;
	memcpy(x->v[x->n].to, to, sizeof(to));
	x->n++;
	/* while indexing, nxt skips the ports a DNAT already holds */
	iv = ipts_ports_iv(&sp.dport);
	for (i = 0; i < sp.dport.n; i++)
		for (p = next_port(x->nxt[k], iv[2 * i]); p <= iv[2 * i + 1];
		     p = next_port(x->nxt[k], p)) {
			x->first[k][p] = (uint32_t)x->n;
			x->nxt[k][p] = p + 1;
		}
}

/* The packets of port @p (protocol slot @k) are decided by INPUT rule @g
 * (NULL: the policy); @guard when it appears to keep them out. */
static void decide(struct ipts_lint *l, struct dnat_index *x, int k, uint32_t p,
		   const struct ipts_rule *g, bool guard)
{
	struct dnat *dn = &x->v[x->first[k][p] - 1];
	char what[64];

	x->nxt[k][p] = p + 1;
	if (!guard || dn->reported)
		return;
	dn->reported = true;
	if ((g && ipts_lint_rule_ignores(g, "IPT011")) ||
	    !ipts_lint_want(l, "IPT011", dn->r))
		return;
	if (g)
		snprintf(what, sizeof(what), "the INPUT rule at line %u",
			 g->loc.line);
	else
		snprintf(what, sizeof(what), "the INPUT policy DROP at line %u",
			 x->in->loc.line);
	ipts_diag_add_code(l->d, ipts_lint_sev("IPT011"), &dn->r->loc, "IPT011",
			   "%s port %u is DNATed to %s in PREROUTING, so its "
			   "packets go through FORWARD and never meet filter "
			   "INPUT: %s does not guard it (filter it in FORWARD, "
			   "or DOCKER-USER, matching -m conntrack "
			   "--ctorigdstport %u)",
			   k ? "udp" : "tcp", p, dn->to, what, p);
	if (g)
		ipts_lint_note_rule(l, g, ipts_rule_num(g),
				    "the INPUT rule that appears to guard it");
	else
		ipts_diag_note(l->d, &x->in->loc,
			       "the INPUT policy that "
			       "appears to guard it: '%s' drops by policy",
			       x->in->name);
}

static bool source_limited(const struct ipts_rule *r)
{
	struct ipt_ip view;
	const struct ipt_ip *ip = ipts_lint_ip(r, &view);

	/* a nonzero address under a zero mask: one lint does not know */
	return ip->smsk.s_addr != 0 || ip->src.s_addr != 0 ||
	       (ip->invflags & IPT_INV_SRCIP) ||
	       (r->flags & IPTS_RULE_SRC_UNKNOWN);
}

/*
 * INPUT rule @r, in walk order: a DROP or REJECT, or an ACCEPT limited by
 * -s, for tcp or udp ports appears to guard the ports still undecided; an
 * ACCEPT open to every source lets them in (nothing to guard); a rule of
 * INPUT itself with no condition at all decides every port. Other rules
 * (jumps, LOG, a proto without ports) decide nothing.
 */
static void input_rule(struct ipts_lint *l, struct dnat_index *x,
		       const struct ipts_rule *r)
{
	bool drop = r->kind == IPTS_TGT_DROP ||
		    (r->kind == IPTS_TGT_EXT &&
		     strcmp(target_name(r), "REJECT") == 0);
	bool guard = drop || (r->kind == IPTS_TGT_ACCEPT && source_limited(r));
	struct ipts_space sp;
	struct ipt_ip view;
	int k = proto_slot(ipts_lint_ip(r, &view)), j;
	const uint16_t *iv;
	unsigned int i;
	uint32_t p;

	if (!drop && r->kind != IPTS_TGT_ACCEPT)
		return;
	ipts_space_build(&sp, r, l->arena);
	/* in a chain INPUT jumps to, a rule without condition still only
	 * sees what the jump let in (syn_flood's last DROP) */
	if (sp.unconditional && r->chain == x->in) {
		for (j = 0; j < 2; j++)
			for (p = next_port(x->nxt[j], 0); p < NPORTS;
			     p = next_port(x->nxt[j], p))
				decide(l, x, j, p, r, guard);
		return;
	}
	if (k < 0 || sp.dport.n == 0 || ipts_ports_is_full(&sp.dport))
		return;
	iv = ipts_ports_iv(&sp.dport);
	for (i = 0; i < sp.dport.n; i++)
		for (p = next_port(x->nxt[k], iv[2 * i]); p <= iv[2 * i + 1];
		     p = next_port(x->nxt[k], p))
			decide(l, x, k, p, r, guard);
}

/*
 * Call @fn on every rule reached from @start, depth first in walk order:
 * a jump or goto enters its chain the first time only, so each rule is
 * seen once (a chain reached twice is judged where it is first reached).
 */
static void walk_once(struct ipts_lint *l, struct dnat_index *x,
		      const struct ipts_chain *start,
		      void (*fn)(struct ipts_lint *, struct dnat_index *,
				 const struct ipts_rule *))
{
	const struct ipts_table *t = start->table;
	struct frame {
		const struct ipts_chain *c;
		uint32_t i;
	} *st = ipts_xcalloc(t->nchains + 1, sizeof(*st));
	unsigned char *seen = ipts_xcalloc(t->nchains + 1, 1);
	size_t top = 0;

	st[top++] = (struct frame){ start, 0 };
	seen[start->pos] = 1;
	while (top) {
		struct frame *f = &st[top - 1];
		const struct ipts_rule *r;

		if (f->i >= f->c->nrules) {
			top--;
			continue;
		}
		r = f->c->rules[f->i++];
		fn(l, x, r);
		if ((r->kind == IPTS_TGT_JUMP || r->kind == IPTS_TGT_GOTO) &&
		    r->dest && !r->dest->deleted && r->dest->pos < t->nchains &&
		    !seen[r->dest->pos]) {
			seen[r->dest->pos] = 1;
			st[top++] = (struct frame){ r->dest, 0 };
		}
	}
	free(st);
	free(seen);
}

static void prerouting_rule(struct ipts_lint *l, struct dnat_index *x,
			    const struct ipts_rule *r)
{
	(void)l;
	index_dnat(x, r, l->arena);
}

/*
 * IPT011: the Docker surprise (NETWORK-FACTS §1.1). A DNAT in nat
 * PREROUTING (or a chain reached from it) to another host routes the
 * packet to FORWARD, so filter INPUT never sees it; an INPUT rule for the
 * same port only appears to guard it. Linear: the DNAT ports are indexed
 * once, then INPUT is read once, each port decided by the first INPUT
 * rule that names it. Addresses and interfaces of the two rules are not
 * compared: the port and protocol alone pair them.
 */
void ipts_lint_dnat_input(struct ipts_lint *l)
{
	const struct ipts_table *nat = l->rs->tables[IPTS_TABLE_NAT];
	const struct ipts_table *filter = l->rs->tables[IPTS_TABLE_FILTER];
	struct dnat_index x = { 0 };
	const struct ipts_chain *pre, *in;
	int k;
	uint32_t p;

	if (!nat || !filter || ipts_lint_code_ignored(l, "IPT011"))
		return;
	pre = nat->builtin[NF_INET_PRE_ROUTING];
	in = filter->builtin[NF_INET_LOCAL_IN];
	if (!pre || !in)
		return;
	walk_once(l, &x, pre, prerouting_rule);
	if (!x.n)
		goto out;
	x.in = in;
	/* from here on, nxt leads to the next port a DNAT holds */
	for (k = 0; k < 2; k++) {
		x.nxt[k][NPORTS] = NPORTS;
		for (p = NPORTS; p-- > 0;)
			x.nxt[k][p] = x.first[k][p] ? p : x.nxt[k][p + 1];
	}
	walk_once(l, &x, in, input_rule);
	if (in->policy == NF_DROP)
		for (k = 0; k < 2; k++)
			for (p = next_port(x.nxt[k], 0); p < NPORTS;
			     p = next_port(x.nxt[k], p))
				decide(l, &x, k, p, NULL, true);
out:
	free(x.first[0]);
	free(x.first[1]);
	free(x.nxt[0]);
	free(x.nxt[1]);
	free(x.v);
}
