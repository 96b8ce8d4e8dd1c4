/*
 * lint_chain.c - what lint knows of a chain, found once per table and
 * kept per chain: whether a jump to it may change the packet (the packet
 * a later rule sees may differ from the one an earlier rule saw when a
 * rule between them changes it: MARK, CONNMARK, CT, or any target we do
 * not know, and the search for a shadowing rule stops there), whether it
 * accepts every packet in on 'lo', and which generator leaves it empty by
 * design. The table's chains are indexed by address for these lookups.
 */
#include "lint_int.h"

#include <stdlib.h>
#include <string.h>

/*
 * Targets that leave every field the spaces look at unchanged (TOS, DSCP,
 * TTL and ECN are not here: they change what tos, dscp, ttl or the TCP
 * flags see). NAT targets and NFQUEUE end the walk of the chain.
 */
static const char *const harmless_targets[] = {
	"AUDIT", "CHECKSUM", "CLASSIFY", "CONNSECMARK", "DNAT", "IDLETIMER",
	"LED", "LOG", "MASQUERADE", "NETMAP", "NFLOG", "NFQUEUE", "REDIRECT",
	"REJECT", "SECMARK", "SET", "SNAT", "TCPMSS", "TCPOPTSTRIP", "TEE",
	"TRACE", "ULOG",
};

static int addr_cmp(const void *a, const void *b)
{
	uintptr_t x = (uintptr_t)**(const struct ipts_chain *const *const *)a;
	uintptr_t y = (uintptr_t)**(const struct ipts_chain *const *const *)b;

	return x < y ? -1 : x > y;
}

/* Index the chains of @t by address: per-chain facts are looked up for
 * each jump, and a table may hold a million chains. */
static void chains_index(struct ipts_lint *l, const struct ipts_table *t)
{
	const struct ipts_chain ***tmp;
	uint32_t i;

	tmp = ipts_xcalloc(t->nchains + 1, sizeof(*tmp));
	for (i = 0; i < t->nchains; i++)
		tmp[i] = (const struct ipts_chain **)&t->chains[i];
	qsort(tmp, t->nchains, sizeof(*tmp), addr_cmp);
	l->by_addr = ipts_xcalloc(t->nchains + 1, sizeof(*l->by_addr));
	l->by_addr_idx = ipts_xcalloc(t->nchains + 1, sizeof(*l->by_addr_idx));
	for (i = 0; i < t->nchains; i++) {
		l->by_addr[i] = *tmp[i];
		l->by_addr_idx[i] = (uint32_t)(tmp[i] -
			(const struct ipts_chain **)t->chains);
	}
	free(tmp);
}

static int chain_index(const struct ipts_lint *l, const struct ipts_chain *c)
{
	uint32_t lo = 0, hi = l->t->nchains;

	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;

		if (l->by_addr[mid] == c)
			return (int)l->by_addr_idx[mid];
		if ((uintptr_t)l->by_addr[mid] < (uintptr_t)c)
			lo = mid + 1;
		else
			hi = mid;
	}
	return -1;
}

/*
 * Whether a rule may change a field the spaces look at (mark, ct state,
 * or anything an unknown target does). Jumps look into the chain called,
 * depth-first; a chain being looked at counts as changing (cycles).
 */
static bool chain_mutates(struct ipts_lint *l, const struct ipts_chain *c)
{
	int k = chain_index(l, c);
	uint32_t i;
	bool mut = false;

	if (k < 0)
		return true;
	if (l->chain_mut[k])
		return l->chain_mut[k] != 2;
	l->chain_mut[k] = 1;
	for (i = 0; i < c->nrules && !mut; i++)
		mut = ipts_lint_rule_mutates(l, c->rules[i]);
	l->chain_mut[k] = mut ? 3 : 2;
	return mut;
}

bool ipts_lint_rule_mutates(struct ipts_lint *l, const struct ipts_rule *r)
{
	const struct xt_entry_target *t;

	switch (r->kind) {
	case IPTS_TGT_NONE:
	case IPTS_TGT_ACCEPT:
	case IPTS_TGT_DROP:
	case IPTS_TGT_RETURN:
	case IPTS_TGT_QUEUE:
		return false;
	case IPTS_TGT_GOTO:
		return false;	/* never comes back to this chain */
	case IPTS_TGT_JUMP:
		return !r->dest || chain_mutates(l, r->dest);
	case IPTS_TGT_EXT:
		t = ipts_rule_target(r);
		if (ipts_blob_is_opaque(t->u.user.revision))
			return true;
		return !IPTS_IN_LIST(t->u.user.name, harmless_targets);
	}
	return true;
}

/*
 * Chains that firewall generators create empty on purpose, as places for
 * rules added later (by the user, an admin tool or the daemon at run
 * time): an empty or unused one is how the generator leaves it, worth a
 * note, not a warning. Matched by name: @prefix and @suffix both hold.
 */
static const struct {
	const char *prefix, *suffix;	/* suffix NULL: the whole name */
	const char *who;
} hook_chains[] = {
	{ "ufw-", "", "ufw" },
	{ "ufw6-", "", "ufw" },
	{ "", "_direct", "firewalld" },
	{ "", "_ZONES", "firewalld" },
	{ "", "_ZONES_SOURCE", "firewalld" },
	{ "PRE_", "_log", "firewalld" },
	{ "PRE_", "_deny", "firewalld" },
	{ "PRE_", "_allow", "firewalld" },
	{ "PRE_", "_pre", "firewalld" },
	{ "PRE_", "_post", "firewalld" },
	{ "POST_", "_log", "firewalld" },
	{ "POST_", "_deny", "firewalld" },
	{ "POST_", "_allow", "firewalld" },
	{ "POST_", "_pre", "firewalld" },
	{ "POST_", "_post", "firewalld" },
	{ "IN_", "_log", "firewalld" },
	{ "IN_", "_deny", "firewalld" },
	{ "IN_", "_allow", "firewalld" },
	{ "IN_", "_pre", "firewalld" },
	{ "IN_", "_post", "firewalld" },
	{ "FWDI_", "_log", "firewalld" },
	{ "FWDI_", "_deny", "firewalld" },
	{ "FWDI_", "_allow", "firewalld" },
	{ "FWDI_", "_pre", "firewalld" },
	{ "FWDI_", "_post", "firewalld" },
	{ "FWDO_", "_log", "firewalld" },
	{ "FWDO_", "_deny", "firewalld" },
	{ "FWDO_", "_allow", "firewalld" },
	{ "FWDO_", "_pre", "firewalld" },
	{ "FWDO_", "_post", "firewalld" },
	{ "", "_rule", "OpenWrt's fw3" },
	{ "DOCKER", NULL, "Docker" },
	{ "DOCKER-", "", "Docker" },
	{ "KUBE-", "", "kube-proxy" },
	{ "MINIUPNPD", NULL, "miniupnpd" },
	{ "MINIUPNPD-", "", "miniupnpd" },
	{ "LIBVIRT_", "", "libvirt" },
	{ "dynamic", NULL, "Shorewall" },
	{ "shorewall", NULL, "Shorewall" },
	{ "tcpre", NULL, "Shorewall" },
	{ "tcin", NULL, "Shorewall" },
	{ "tcout", NULL, "Shorewall" },
	{ "tcfor", NULL, "Shorewall" },
	{ "tcpost", NULL, "Shorewall" },
};

/* The generator that leaves chain @name empty by design, or NULL. */
const char *ipts_lint_hook_chain_of(const char *name)
{
	size_t i, n = strlen(name);

	for (i = 0; i < sizeof(hook_chains) / sizeof(hook_chains[0]); i++) {
		const char *pre = hook_chains[i].prefix;
		const char *suf = hook_chains[i].suffix;
		size_t p = strlen(pre), k = suf ? strlen(suf) : 0;

		if (!suf ? strcmp(name, pre) == 0 :
		    n > p + k && strncmp(name, pre, p) == 0 &&
		    strcmp(name + n - k, suf) == 0)
			return hook_chains[i].who;
	}
	return NULL;
}

/*
 * @r has no condition but an -i that 'lo' passes: it sees every packet in
 * on lo that reaches it.
 */
static bool takes_all_lo(const struct ipts_rule *r)
{
	static const char lo[IFNAMSIZ] = "lo";
	static const unsigned char lo_mask[IFNAMSIZ] = { 0xff, 0xff, 0xff };
	struct ipt_ip view;
	const struct ipt_ip *ip = ipts_lint_ip(r, &view);
	struct ipt_ip rest = *ip;
	unsigned int i;

	memset(rest.iniface, 0, IFNAMSIZ);
	memset(rest.iniface_mask, 0, IFNAMSIZ);
	rest.invflags &= (uint8_t)~IPT_INV_VIA_IN;
	if (!ipts_ip_is_any(&rest))
		return false;
	if (r->flags & IPTS_RULE_OPAQUE)
		return false;
	for (i = 0; i < r->nmatches; i++)
		if (strcmp(ipts_rule_match(r, i)->u.user.name, "comment") != 0)
			return false;
	return ipts_ifc_covers(ip->iniface, ip->iniface_mask,
			       ip->invflags & IPT_INV_VIA_IN, lo, lo_mask,
			       false);
}

enum lo_fact {
	LO_UNKNOWN,
	LO_NO,		/* exact: no rule of it or below accepts lo */
	LO_YES,		/* exact */
	LO_YES_CUT,	/* claimed at the depth limit, from lo_depth on */
};

#define LO_MAX_DEPTH 16

/*
 * A rule of @c (or of a chain it calls) accepts every packet in on 'lo'.
 * Past LO_MAX_DEPTH jumps it claims so (the finding is then not made),
 * and *cut says the answer leaned on that. Each chain's answer is kept
 * (a chain's own fact, found once): exact ones for good, a claim for the
 * depth it was found at and deeper, so chains C1..Cd of k jumps each cost
 * k*d steps, not k^d.
 */
bool ipts_lint_accepts_lo(struct ipts_lint *l,
			  const struct ipts_chain *c, unsigned int depth,
			  bool *cut)
{
	int k = chain_index(l, c);
	bool yes = false, sub_cut = false;
	uint32_t i;

	if (depth > LO_MAX_DEPTH || k < 0) {
		*cut = true;
		return true;	/* claim nothing */
	}
	switch (l->lo_fact[k]) {
	case LO_NO:
		return false;
	case LO_YES:
		return true;
	case LO_YES_CUT:
		if (depth >= l->lo_depth[k]) {
			*cut = true;
			return true;
		}
		break;
	}
	for (i = 0; i < c->nrules && !yes; i++) {
		const struct ipts_rule *r = c->rules[i];

		if (!takes_all_lo(r))
			continue;
		if (r->kind == IPTS_TGT_ACCEPT)
			yes = true;
		else if ((r->kind == IPTS_TGT_JUMP ||
			  r->kind == IPTS_TGT_GOTO) && r->dest)
			yes = ipts_lint_accepts_lo(l, r->dest, depth + 1,
						   &sub_cut);
	}
	if (!yes) {
		l->lo_fact[k] = LO_NO;
	} else if (!sub_cut) {
		l->lo_fact[k] = LO_YES;
	} else {
		l->lo_fact[k] = LO_YES_CUT;
		l->lo_depth[k] = (unsigned char)depth;
		*cut = true;
	}
	return yes;
}

/* The per-chain facts of @t, found on demand: none known yet. */
void ipts_lint_facts_init(struct ipts_lint *l, const struct ipts_table *t)
{
	l->t = t;
	l->chain_mut = ipts_xcalloc(t->nchains + 1, 1);
	l->lo_fact = ipts_xcalloc(t->nchains + 1, 1);
	l->lo_depth = ipts_xcalloc(t->nchains + 1, 1);
	chains_index(l, t);
}

void ipts_lint_facts_free(struct ipts_lint *l)
{
	free(l->chain_mut);
	free(l->lo_fact);
	free(l->lo_depth);
	free(l->by_addr);
	free(l->by_addr_idx);
	l->chain_mut = l->lo_fact = l->lo_depth = NULL;
	l->by_addr = NULL;
	l->by_addr_idx = NULL;
}
