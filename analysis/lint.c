/*
 * lint.c - review findings on a loaded ruleset (see lint.h for the codes):
 * the driver. For each table it builds every chain's packet spaces
 * (pktspace.c) and runs the checks (lint_checks.c) in the order their
 * findings are reported; lint_int.h lists the files.
 */
#include "lint_int.h"

#include <stdlib.h>

/*
 * Every check on table @t, in the order their findings are reported:
 * each chain's rules (IPT001-003, IPT007, IPT008), then the chains
 * (IPT004-006), then the table (IPT009, IPT010). IPT011, which reads two
 * tables, comes after every table.
 */
static void lint_table(struct ipts_lint *l, const struct ipts_table *t)
{
	const struct ipts_rule *first_state = NULL, *first_ct = NULL;
	uint32_t i;

	ipts_lint_facts_init(l, t);
	for (i = 0; i < t->nchains; i++) {
		const struct ipts_chain *c = t->chains[i];
		struct ipts_space *sp;
		uint32_t j;

		if (c->deleted || !c->nrules)
			continue;
		sp = ipts_xcalloc(c->nrules, sizeof(*sp));
		for (j = 0; j < c->nrules; j++) {
			ipts_space_build_after(&sp[j], c->rules[j],
					       j ? &sp[j - 1] : NULL, l->arena);
			if (sp[j].state_m && !first_state)
				first_state = c->rules[j];
			if (sp[j].ctstate_m && !first_ct)
				first_ct = c->rules[j];
		}
		ipts_lint_order(l, c, sp);
		ipts_lint_hoststate(l, c, sp);
		ipts_lint_owner_trap(l, c, sp);
		free(sp);
	}
	ipts_lint_chains(l, t);
	ipts_lint_loopback(l, t);
	ipts_lint_state_mixed(l, t, first_state, first_ct);
	ipts_lint_facts_free(l);
}

size_t ipts_lint_ruleset_stats(const struct ipts_ruleset *rs,
			       const struct ipts_lint_opts *opts,
			       struct ipts_diags *d, struct ipts_lint_stats *st)
{
	struct ipts_lint l = { .rs = rs, .opts = opts, .d = d };
	unsigned int i;

	l.max_visits = opts && opts->max_visits ? opts->max_visits :
		       IPTS_LINT_DEFAULT_MAX_VISITS;
	l.arena = ipts_arena_new();
	for (i = 0; i < IPTS_TABLE_COUNT && !l.over; i++)
		if (rs->tables[i])
			lint_table(&l, rs->tables[i]);
	if (!l.over)
		ipts_lint_dnat_input(&l); /* IPT011: across nat and filter */
	if (!l.over)
		ipts_lint_sets(&l); /* IPT012-IPT014: with the host's sets */
	ipts_arena_free(l.arena);
	if (st) {
		st->visits = l.visits;
		st->max_visits = l.max_visits;
		st->over_budget = l.over;
	}
	return l.nfound;
}

size_t ipts_lint_ruleset(const struct ipts_ruleset *rs,
			 const struct ipts_lint_opts *opts,
			 struct ipts_diags *d)
{
	return ipts_lint_ruleset_stats(rs, opts, d, NULL);
}
