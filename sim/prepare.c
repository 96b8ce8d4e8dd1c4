/*
 * prepare.c - what the simulator finds once for a loaded ruleset, before
 * any query: whether it needs conntrack, the jump stack of each table, and
 * the evaluator of each match name. The model stays pure data; the
 * context is read-only once built, so that queries may share it.
 */
#include "walk_int.h"	/* first: glibc headers before the uapi ones */

#include <stdlib.h>

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

/* The evaluator row of every match blob's name and revision. */
static void rows_fill(struct ipts_mt_rows *rows,
		      const struct ipts_ruleset *rs)
{
	unsigned int t, c, i, k;

	for (t = 0; t < IPTS_TABLE_COUNT; t++) {
		const struct ipts_table *tb = rs->tables[t];

		for (c = 0; tb && c < tb->nchains; c++) {
			const struct ipts_chain *ch = tb->chains[c];

			for (i = 0; i < ch->nrules; i++)
				for (k = 0; k < ch->rules[i]->nmatches; k++)
					ipts_mt_rows_add(rows,
						ipts_rule_match(ch->rules[i],
								k));
		}
	}
}

struct ipts_sim_ctx *ipts_sim_prepare(const struct ipts_ruleset *rs)
{
	struct ipts_sim_ctx *ctx = ipts_xcalloc(1, sizeof(*ctx));

	ctx->rs = rs;
	ctx->needs_conntrack = ipts_ruleset_needs_conntrack(rs);
	ctx->stacksize = stack_sizes(rs, ctx->table_stack);
	ctx->rows = ipts_mt_rows_new();
	rows_fill(ctx->rows, rs);
	return ctx;
}

void ipts_sim_free(struct ipts_sim_ctx *ctx)
{
	if (!ctx)
		return;
	ipts_mt_rows_free(ctx->rows);
	free(ctx);
}
