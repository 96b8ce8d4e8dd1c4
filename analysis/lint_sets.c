/*
 * lint_sets.c - findings on the host's sets (lint --ipsets): a -m set
 * that gives fewer flags than its set has dimensions (ip_set_test()
 * answers 0 before looking: IPT014), a -m set on a set empty in the
 * capture that no -j SET of the file adds to (IPT012), a set of the
 * capture that no rule and no list:set names (IPT013).
 */
#include "lint_int.h"
#include "blob.h"
#include "ipset.h"

#include <stdlib.h>

/* Whether a -j SET of the file may put elements into @set: it adds or
 * deletes there, in a list:set holding it, or in a member of it. */
static bool may_fill(const struct ipts_ipsets *sets,
		     const struct ipts_ipset *set, const char *changed)
{
	const char *c;

	for (c = changed; c && *c; c += strlen(c) + 1) {
		struct ipts_ipset_match a = { 0 }, b = { 0 };

		a.name = ipts_ipset_name(set);
		a.name_len = strlen(a.name);
		b.name = c;
		b.name_len = strlen(c);
		if (ipts_ipset_reads(sets, &a, c) ||
		    ipts_ipset_reads(sets, &b, a.name))
			return true;
	}
	return false;
}

/* The set words of -j SET's text @text name @name. */
static bool target_names(const char *text, const char *name)
{
	const char *p = text;
	size_t n = strlen(name);

	while ((p = strstr(p, "-set ")) != NULL) {
		p += 5;
		if (strncmp(p, name, n) == 0 && (p[n] == ' ' || !p[n]))
			return true;
	}
	return false;
}

static void one_match(struct ipts_lint *l, const struct ipts_ipsets *sets,
		      const struct ipts_rule *r, unsigned int k,
		      const char *changed)
{
	const struct xt_entry_match *m = ipts_rule_match(r, k);
	const struct ipts_ipset *set;
	struct ipts_ipset_match sm;
	struct ipts_loc loc;

	if (!ipts_blob_is_opaque(m->u.user.revision) ||
	    strcmp(m->u.user.name, "set") != 0 ||
	    ipts_ipset_match_parse((const char *)m->data, &sm) < 0)
		return;
	set = ipts_ipsets_find(sets, sm.name, sm.name_len);
	if (!set)
		return; /* check's error, not lint's */
	loc = ipts_rule_match_loc(r, k);
	if (sm.dim < ipts_ipset_dim(set)) {
		if (ipts_lint_want(l, "IPT014", r))
			ipts_diag_add_code(
				l->d, ipts_lint_sev("IPT014"), &loc, "IPT014",
				"-m set %s: %u flag%s for %s set '%s' of %u "
				"dimensions, the kernel's test fails before "
				"it looks at the set",
				sm.invert ? "always matches (it is inverted)" :
					    "never matches",
				sm.dim, sm.dim == 1 ? "" : "s",
				ipts_ipset_type(set), ipts_ipset_name(set),
				ipts_ipset_dim(set));
		return;
	}
	if (!sm.invert && ipts_ipset_empty(sets, set) &&
	    !may_fill(sets, set, changed) && ipts_lint_want(l, "IPT012", r))
		ipts_diag_add_code(l->d, ipts_lint_sev("IPT012"), &loc,
				   "IPT012",
				   "rule never matches: set '%s' is empty in "
				   "the ipsets file and no -j SET of the file "
				   "adds to it",
				   ipts_ipset_name(set));
}

/* Whether some rule of @rs names @name (-m set or -j SET). */
static bool rule_uses(const struct ipts_ruleset *rs,
		      const struct ipts_ipsets *sets, const char *name)
{
	unsigned int t, c, i, k;

	for (t = 0; t < IPTS_TABLE_COUNT; t++) {
		const struct ipts_table *tb = rs->tables[t];

		for (c = 0; tb && c < tb->nchains; c++) {
			const struct ipts_chain *ch = tb->chains[c];

			for (i = 0; !ch->deleted && i < ch->nrules; i++) {
				const struct ipts_rule *r = ch->rules[i];
				const struct xt_entry_target *tg =
					ipts_rule_target(r);

				for (k = 0; k < r->nmatches; k++) {
					const struct xt_entry_match *m =
						ipts_rule_match(r, k);
					struct ipts_ipset_match sm;

					if (ipts_blob_is_opaque(
						    m->u.user.revision) &&
					    strcmp(m->u.user.name, "set") ==
						    0 &&
					    ipts_ipset_match_parse(
						    (const char *)m->data,
						    &sm) == 0 &&
					    sm.name_len == strlen(name) &&
					    !memcmp(sm.name, name, sm.name_len))
						return true;
				}
				if (tg &&
				    ipts_blob_is_opaque(tg->u.user.revision) &&
				    strcmp(tg->u.user.name, "SET") == 0 &&
				    target_names((const char *)tg->data, name))
					return true;
			}
		}
	}
	(void)sets;
	return false;
}

void ipts_lint_sets(struct ipts_lint *l)
{
	const struct ipts_ipsets *sets = l->opts ? l->opts->ipsets : NULL;
	const struct ipts_ruleset *rs = l->rs;
	unsigned int t, c, i, k;
	char *changed;
	size_t s;

	if (!sets)
		return;
	changed = ipts_ipsets_changed(rs);
	for (t = 0; t < IPTS_TABLE_COUNT; t++) {
		const struct ipts_table *tb = rs->tables[t];

		for (c = 0; tb && c < tb->nchains; c++) {
			const struct ipts_chain *ch = tb->chains[c];

			for (i = 0; !ch->deleted && i < ch->nrules; i++)
				for (k = 0; k < ch->rules[i]->nmatches; k++)
					one_match(l, sets, ch->rules[i], k,
						  changed);
		}
	}
	free(changed);
	for (s = 0; s < ipts_ipsets_count(sets); s++) {
		const struct ipts_ipset *set = ipts_ipsets_at(sets, s);

		if (ipts_ipset_listed(sets, set) ||
		    rule_uses(rs, sets, ipts_ipset_name(set)) ||
		    !ipts_lint_want(l, "IPT013", NULL))
			continue;
		ipts_diag_add_code(l->d, ipts_lint_sev("IPT013"),
				   ipts_ipset_loc(set), "IPT013",
				   "set '%s' is defined in the ipsets file and "
				   "no rule or list:set uses it",
				   ipts_ipset_name(set));
	}
}

bool ipts_lint_set_known(const struct ipts_lint *l, const struct ipts_rule *r,
			 int k)
{
	const struct ipts_ipsets *sets = l->opts ? l->opts->ipsets : NULL;
	const struct xt_entry_match *m;
	struct ipts_ipset_match sm;

	if (!sets || k < 0 || (unsigned int)k >= r->nmatches)
		return false;
	m = ipts_rule_match(r, (unsigned int)k);
	return ipts_blob_is_opaque(m->u.user.revision) &&
	       strcmp(m->u.user.name, "set") == 0 &&
	       ipts_ipset_match_parse((const char *)m->data, &sm) == 0 &&
	       ipts_ipsets_find(sets, sm.name, sm.name_len) != NULL;
}
