/*
 * check.c - what iptables-restore checks when it asks the kernel for the
 * sets a rule names (get_set_byname() of libxt_set.h): the set exists,
 * and its family fits the table (an IPv4 rule takes inet sets and those
 * of no family, an IPv6 rule inet6 sets and those of no family). Checked
 * with iptables-legacy-restore in a network namespace holding the sets:
 * "Set X doesn't exist.", "The protocol family of set X is IPv6, which is
 * not applicable."; libxt_set names the set's family, IPv4 for an IPv6
 * rule.
 */
#include "ipset_int.h"

#include <string.h>

#include "model.h"

static int check_name(const struct ipts_ipsets *sets, const char *name,
		      size_t len, int rule_family, const struct ipts_loc *loc,
		      struct ipts_diags *d)
{
	const struct ipts_ipset *set = ipts_ipsets_find(sets, name, len);

	if (len > 31)
		len = 31;
	if (!set) {
		ipts_diag_add(d, IPTS_ERROR, loc, "Set %.*s doesn't exist.",
			      (int)len, name);
		return 1;
	}
	if (set->family && set->family != rule_family) {
		ipts_diag_add(d, IPTS_ERROR, loc,
			      "The protocol family of set "
			      "%s is IPv%d, which is not applicable.",
			      set->name, set->family);
		return 1;
	}
	return 0;
}

/* The set names of -j SET's words (--add-set, --del-set, --map-set). */
static int check_target(const struct ipts_ipsets *sets, const char *text,
			int rule_family, const struct ipts_loc *loc,
			struct ipts_diags *d)
{
	const char *p = text;
	int n = 0;

	while ((p = strstr(p, "-set ")) != NULL) {
		size_t len;

		p += 5;
		len = strcspn(p, " ");
		n += check_name(sets, p, len, rule_family, loc, d);
		p += len;
	}
	return n;
}

/*
 * set_target_v3_checkentry(): --map-set only in mangle, and --map-prio or
 * --map-queue only from OUTPUT, FORWARD and POSTROUTING (the kernel's
 * words, from dmesg; iptables-restore fails the line). A user chain's
 * hooks are not known here: only a built-in chain is checked.
 */
static int check_map(const struct ipts_rule *r, const char *text,
		     const struct ipts_loc *loc, struct ipts_diags *d)
{
	const struct ipts_chain *c = r->chain;
	struct ipts_ipset_target t;

	if (ipts_ipset_target_parse(text, &t) < 0 || !t.has_map)
		return 0;
	if (c && c->table && c->table->id != IPTS_TABLE_MANGLE) {
		ipts_diag_add(d, IPTS_ERROR, loc,
			      "--map-set only usable from mangle table");
		return 1;
	}
	if ((t.map_prio || t.map_queue) && c && c->hook >= 0 &&
	    c->hook != NF_INET_FORWARD && c->hook != NF_INET_LOCAL_OUT &&
	    c->hook != NF_INET_POST_ROUTING) {
		ipts_diag_add(d, IPTS_ERROR, loc,
			      "mapping of prio or/and queue is allowed only "
			      "from OUTPUT/FORWARD/POSTROUTING chains");
		return 1;
	}
	return 0;
}

static int check_rule(const struct ipts_ipsets *sets, const struct ipts_rule *r,
		      struct ipts_diags *d)
{
	const struct xt_entry_target *t = ipts_rule_target(r);
	int fam = ipts_rule_family(r) == IPTS_FAMILY_IPV6 ? 6 : 4;
	unsigned int i;
	int n = 0;

	for (i = 0; i < r->nmatches; i++) {
		const struct xt_entry_match *m = ipts_rule_match(r, i);
		struct ipts_ipset_match sm;
		struct ipts_loc loc;

		if (!ipts_blob_is_opaque(m->u.user.revision) ||
		    strcmp(m->u.user.name, "set") != 0 ||
		    ipts_ipset_match_parse((const char *)m->data, &sm) < 0)
			continue;
		loc = ipts_rule_match_loc(r, i);
		n += check_name(sets, sm.name, sm.name_len, fam, &loc, d);
	}
	if (t && ipts_blob_is_opaque(t->u.user.revision) &&
	    strcmp(t->u.user.name, "SET") == 0) {
		struct ipts_loc loc = ipts_rule_target_loc(r);

		n += check_target(sets, (const char *)t->data, fam, &loc, d);
		if (!n)
			n += check_map(r, (const char *)t->data, &loc, d);
	}
	return n;
}

int ipts_ipsets_check(const struct ipts_ipsets *sets,
		      const struct ipts_ruleset *rs, struct ipts_diags *d)
{
	unsigned int id, c, k;
	int n = 0;

	for (id = 0; id < IPTS_TABLE_COUNT; id++) {
		const struct ipts_table *t = rs->tables[id];

		for (c = 0; t && c < t->nchains; c++) {
			const struct ipts_chain *ch = t->chains[c];

			if (ch->deleted)
				continue;
			for (k = 0; k < ch->nrules; k++)
				n += check_rule(sets, ch->rules[k], d);
		}
	}
	return n;
}

/* Append each --add-set/--del-set name of -j SET's words @text. */
static void changed_names(const char *text, char **list, size_t *len)
{
	static const char *const opts[] = { "--add-set ", "--del-set " };
	size_t i;

	for (i = 0; i < 2; i++) {
		const char *p = text;

		while ((p = strstr(p, opts[i])) != NULL) {
			size_t n;

			p += strlen(opts[i]);
			n = strcspn(p, " ");
			*list = ipts_xrealloc(*list, *len + n + 2);
			memcpy(*list + *len, p, n);
			(*list)[*len + n] = '\0';
			*len += n + 1;
			(*list)[*len] = '\0';
			p += n;
		}
	}
}

char *ipts_ipsets_changed(const struct ipts_ruleset *rs)
{
	unsigned int id, c, k;
	char *list = NULL;
	size_t len = 0;

	for (id = 0; id < IPTS_TABLE_COUNT; id++) {
		const struct ipts_table *t = rs->tables[id];

		for (c = 0; t && c < t->nchains; c++) {
			const struct ipts_chain *ch = t->chains[c];

			for (k = 0; !ch->deleted && k < ch->nrules; k++) {
				const struct xt_entry_target *tg =
					ipts_rule_target(ch->rules[k]);

				if (tg &&
				    ipts_blob_is_opaque(tg->u.user.revision) &&
				    strcmp(tg->u.user.name, "SET") == 0)
					changed_names((const char *)tg->data,
						      &list, &len);
			}
		}
	}
	return list;
}

/* The set @m tests has counters (a list:set compares its own). */
static bool counts(const struct ipts_ipsets *sets,
		   const struct ipts_ipset_match *m)
{
	const struct ipts_ipset *set = ipts_ipsets_find(sets, m->name,
							m->name_len);

	return set && set->counters;
}

bool ipts_ipsets_counted(const struct ipts_ipsets *sets,
			 const struct ipts_ruleset *rs)
{
	unsigned int id, c, k, i;

	for (id = 0; sets && id < IPTS_TABLE_COUNT; id++) {
		const struct ipts_table *t = rs->tables[id];

		for (c = 0; t && c < t->nchains; c++) {
			const struct ipts_chain *ch = t->chains[c];

			for (k = 0; !ch->deleted && k < ch->nrules; k++) {
				const struct ipts_rule *r = ch->rules[k];

				for (i = 0; i < r->nmatches; i++) {
					const struct xt_entry_match *b =
						ipts_rule_match(r, i);
					struct ipts_ipset_match m;

					if (!ipts_blob_is_opaque(
						    b->u.user.revision) ||
					    strcmp(b->u.user.name, "set") ||
					    ipts_ipset_match_parse(
						    (const char *)b->data, &m) <
						    0)
						continue;
					if (m.counters && counts(sets, &m))
						return true;
				}
			}
		}
	}
	return false;
}
