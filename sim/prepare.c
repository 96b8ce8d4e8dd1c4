/*
 * prepare.c - what the simulator finds once for a loaded ruleset, before
 * any query: whether it needs conntrack, the jump stack of each table, the
 * evaluator of each match name, and every rule's packed ipt_ip. The model
 * stays pure data; the context is read-only once built, so that queries
 * may share it.
 */
#include "walk_int.h"	/* first: glibc headers before the uapi ones */

#include "blob.h"
#include "ipset.h"
#include <linux/netfilter/xt_tcpudp.h>
#include <stdlib.h>
#include <string.h>

static unsigned int user_chains(const struct ipts_table *t)
{
	/* A loaded table holds its built-in chains and live user chains
	 * only (deleted ones are compacted away): no need to count. */
	return t->nchains -
	       (unsigned int)__builtin_popcount(t->valid_hooks);
}

/* translate_table(): one jump stack slot per ERROR entry, i.e. per user
 * chain plus the table's closing one. */
static unsigned int stack_sizes(const struct ipts_ruleset *rs,
				unsigned int *each)
{
	unsigned int n = 1, i;

	for (i = 0; i < IPTS_TABLE_COUNT; i++) {
		each[i] = rs->tables[i] ? user_chains(rs->tables[i]) + 1 : 1;
		if (each[i] > n)
			n = each[i];
	}
	return n;
}

/* The table @n-th committed (iptables-restore replaces each table at its
 * COMMIT, in file order), or NULL. */
static const struct ipts_table *nth_committed(const struct ipts_ruleset *rs,
					      unsigned int n)
{
	unsigned int t, u, rank;

	for (t = 0; t < IPTS_TABLE_COUNT; t++) {
		const struct ipts_table *tb = rs->tables[t];

		if (!tb)
			continue;
		rank = 0;
		for (u = 0; u < IPTS_TABLE_COUNT; u++) {
			const struct ipts_table *o = rs->tables[u];

			if (o && (o->commit_loc.line < tb->commit_loc.line ||
				  (o->commit_loc.line == tb->commit_loc.line &&
				   u < t)))
				rank++;
		}
		if (rank == n)
			return tb;
	}
	return NULL;
}

/* The end of the slice of rs->replaced_hl one COMMIT's blobs hold, the
 * slice starting at @i. */
static uint32_t gen_end(const struct ipts_ruleset *rs, uint32_t i)
{
	uint32_t e = i;

	while (e < rs->nreplaced_hl &&
	       rs->replaced_hl[e].commit_line == rs->replaced_hl[i].commit_line)
		e++;
	return e;
}

/*
 * The kernel frees a replaced table's rules after it checked the new
 * one's (do_replace()): release the hashlimit blobs of @table's
 * generation committed before (rs->replaced_hl from gen[@table] to
 * gen_end(), none when gen[@table] is UINT32_MAX).
 */
static void release_before(struct ipts_mt_rows *rows,
			   const struct ipts_ruleset *rs, const uint32_t *gen,
			   enum ipts_table_id table)
{
	uint32_t i, e;

	if (gen[table] == UINT32_MAX)
		return;
	e = gen_end(rs, gen[table]);
	for (i = gen[table]; i < e; i++)
		if (rs->replaced_hl[i].m)
			ipts_mt_rows_hl_release(rows, rs->replaced_hl[i].m);
}

/* The evaluator row of every match blob's name and revision, added in the
 * order the kernel checks them at load (tables as committed, each table's
 * entries in blob order: built-in chains by hook, then user chains by
 * name), so a hashlimit table's owner is the rule that made it. A table
 * committed more than once had its earlier rules checked at their COMMIT
 * and freed at the next one's, after it checked the new rules: a table
 * name they made outlives them while a rule still holds it. */
static void rows_fill(struct ipts_mt_rows *rows,
		      const struct ipts_ruleset *rs)
{
	unsigned int t = 0, c, i, k;
	uint32_t g = 0, e, gen[IPTS_TABLE_COUNT];

	for (i = 0; i < IPTS_TABLE_COUNT; i++)
		gen[i] = UINT32_MAX;
	for (;;) {
		const struct ipts_table *tb = nth_committed(rs, t);

		if (g < rs->nreplaced_hl &&
		    (!tb ||
		     rs->replaced_hl[g].commit_line < tb->commit_loc.line)) {
			/* an earlier commit of a table replaced since */
			enum ipts_table_id id = rs->replaced_hl[g].table;

			e = gen_end(rs, g);
			for (i = g; i < e; i++)
				if (rs->replaced_hl[i].m)
					ipts_mt_rows_hl_check(
						rows, rs->replaced_hl[i].m);
			release_before(rows, rs, gen, id);
			gen[id] = g;
			g = e;
			continue;
		}
		if (!tb)
			break;
		for (c = 0; c < tb->nchains; c++) {
			const struct ipts_chain *ch = tb->chains[c];

			for (i = 0; i < ch->nrules; i++)
				for (k = 0; k < ch->rules[i]->nmatches; k++)
					ipts_mt_rows_add(rows,
						ipts_rule_match(ch->rules[i],
								k));
		}
		release_before(rows, rs, gen, tb->id);
		t++;
	}
}

/*
 * Matches that write nothing a later rule, match or count reads: a walk
 * that turns a rule away on a match after them skips nothing the kernel
 * does. Any other (recent --set, limit, statistic, quota, set with
 * counters, connlimit...) ends the search for ports: the kernel runs it,
 * and its effect, before the port fails.
 */
static bool pure_match(const struct xt_entry_match *m)
{
	static const char *const pure[] = {
		"comment", "tcp", "udp", "icmp", "conntrack", "state",
		"mark", "connmark", "addrtype", "multiport", "iprange",
		"owner", "mac", "pkttype", "length", NULL,
	};
	const char *const *l;

	for (l = pure; *l; l++)
		if (strcmp(m->u.user.name, *l) == 0)
			return true;
	return false;
}

/* The ports of the rule's first tcp or udp match (xt_tcpudp.h) that
 * only pure matches precede. */
static void pack_ports(const struct ipts_rule *r, struct ipts_ipcheck *x)
{
	unsigned int i;

	for (i = 0; i < r->nmatches; i++) {
		const struct xt_entry_match *m = ipts_rule_match(r, i);
		const struct xt_tcp *t = ipts_match_data(m, sizeof(*t), NULL);
		const struct xt_udp *u = ipts_match_data(m, sizeof(*u), NULL);

		if (!pure_match(m))
			return;
		if (m->u.user.revision != 0)
			continue;
		if (strcmp(m->u.user.name, "tcp") == 0 && t) {
			x->l4proto = IPPROTO_TCP;
			memcpy(x->spts, t->spts, sizeof(x->spts));
			memcpy(x->dpts, t->dpts, sizeof(x->dpts));
			x->l4inv = t->invflags &
				   (XT_TCP_INV_SRCPT | XT_TCP_INV_DSTPT);
			return;
		}
		if (strcmp(m->u.user.name, "udp") == 0 && u) {
			x->l4proto = IPPROTO_UDP;
			memcpy(x->spts, u->spts, sizeof(x->spts));
			memcpy(x->dpts, u->dpts, sizeof(x->dpts));
			x->l4inv = u->invflags &
				   (XT_UDP_INV_SRCPT | XT_UDP_INV_DSTPT);
			return;
		}
	}
}

/* An IPv6 entry's packed part: no address (ipts_ip6_match() compares
 * all 128 bits), the protocol only under IP6T_F_PROTO (then its
 * inversion reads as ipt_ip's), and the ports. */
static void pack_ip6(const struct ipts_rule *r, struct ipts_ipcheck *x)
{
	const struct ip6t_ip6 *ip = &r->e6->ipv6;

	if (ip->flags & IP6T_F_PROTO) {
		x->proto = ip->proto;
		x->invflags = ip->invflags & IP6T_INV_PROTO;
	}
	pack_ports(r, x);
	x->full = true;
}

static void pack_ip(const struct ipts_rule *r, struct ipts_ipcheck *x)
{
	const struct ipt_ip *ip = &r->e->ip;

	if (ipts_rule_family(r) == IPTS_FAMILY_IPV6) {
		pack_ip6(r, x);
		return;
	}

	x->src = ip->src.s_addr;
	x->smsk = ip->smsk.s_addr;
	x->dst = ip->dst.s_addr;
	x->dmsk = ip->dmsk.s_addr;
	x->proto = (uint8_t)ip->proto;
	x->invflags = ip->invflags;
	/* a name's side: undecidable, never "no" */
	if (r->flags & IPTS_RULE_SRC_UNKNOWN) {
		x->src = x->smsk = 0;
		x->invflags &= (uint8_t)~IPT_INV_SRCIP;
	}
	if (r->flags & IPTS_RULE_DST_UNKNOWN) {
		x->dst = x->dmsk = 0;
		x->invflags &= (uint8_t)~IPT_INV_DSTIP;
	}
	pack_ports(r, x);
	x->full = ip->iniface_mask[0] || ip->outiface_mask[0] ||
		  (ip->flags & IPT_F_FRAG) ||
		  (ip->invflags &
		   (IPT_INV_VIA_IN | IPT_INV_VIA_OUT | IPT_INV_FRAG));
}

/* Every chain's array of packed ipt_ip, in one allocation. */
static void ipcheck_fill(struct ipts_sim_ctx *ctx,
			 const struct ipts_ruleset *rs)
{
	struct ipts_ipcheck *x;
	size_t n = 1;
	unsigned int t;
	uint32_t c, i;

	for (t = 0; t < IPTS_TABLE_COUNT; t++)
		for (c = 0; rs->tables[t] && c < rs->tables[t]->nchains; c++)
			n += rs->tables[t]->chains[c]->nrules;
	x = ctx->ipcheck_all = ipts_xcalloc(n, sizeof(*x));
	for (t = 0; t < IPTS_TABLE_COUNT; t++) {
		const struct ipts_table *tb = rs->tables[t];

		if (!tb)
			continue;
		ctx->ipcheck[t] = ipts_xcalloc(tb->nchains ? tb->nchains : 1,
					       sizeof(*ctx->ipcheck[t]));
		ctx->chainidx[t] = ipts_xcalloc(tb->nchains ? tb->nchains : 1,
						sizeof(*ctx->chainidx[t]));
		ctx->chainidx_n[t] = tb->nchains;
		for (c = 0; c < tb->nchains; c++) {
			const struct ipts_chain *ch = tb->chains[c];

			ctx->ipcheck[t][c] = x;
			for (i = 0; i < ch->nrules; i++)
				pack_ip(ch->rules[i], x + i);
			ctx->chainidx[t][c] =
				ipts_chainidx_build(x, ch->nrules);
			x += ch->nrules;
		}
	}
}

struct ipts_sim_ctx *ipts_sim_prepare(const struct ipts_ruleset *rs)
{
	return ipts_sim_prepare_on(rs, NULL);
}

struct ipts_sim_ctx *ipts_sim_prepare_on(const struct ipts_ruleset *rs,
					 const struct ipts_hostdesc *host)
{
	struct ipts_sim_ctx *ctx = ipts_xcalloc(1, sizeof(*ctx));

	ctx->rs = rs;
	ctx->hostdesc = host;
	ctx->needs_conntrack = ipts_ruleset_needs_conntrack(rs);
	ctx->stacksize = stack_sizes(rs, ctx->table_stack);
	ctx->rows = ipts_mt_rows_new();
	rows_fill(ctx->rows, rs);
	ipcheck_fill(ctx, rs);
	ipts_nat_prepare_ports(ctx);
	return ctx;
}

void ipts_sim_use_ipsets(struct ipts_sim_ctx *ctx,
			 const struct ipts_ipsets *sets)
{
	ctx->ipsets = sets;
	free(ctx->ipsets_changed);
	ctx->ipsets_changed = sets ? ipts_ipsets_changed(ctx->rs) : NULL;
	ctx->ipsets_counted = ipts_ipsets_counted(sets, ctx->rs);
	ctx->ipsets_timed = ipts_ipsets_timed(sets);
}

void ipts_sim_free(struct ipts_sim_ctx *ctx)
{
	unsigned int t;

	if (!ctx)
		return;
	ipts_mt_rows_free(ctx->rows);
	for (t = 0; t < IPTS_TABLE_COUNT; t++) {
		uint32_t c;

		for (c = 0; c < ctx->chainidx_n[t]; c++)
			ipts_chainidx_free(ctx->chainidx[t][c]);
		free(ctx->chainidx[t]);
		free(ctx->ipcheck[t]);
	}
	free(ctx->ipcheck_all);
	for (t = 0; t < IPTS_PORTS_KINDS; t++)
		free(ctx->port_cuts[t]);
	free(ctx->ipsets_changed);
	free(ctx);
}
