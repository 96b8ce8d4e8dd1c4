/*
 * xt_save.c - the way back for dump: each match and target of a rule
 * printed by its extension's own save() (print_rule4() in iptables.c calls
 * them the same way), which writes to stdout; ipts_xt_save_entry() points
 * stdout at the caller's stream meanwhile. The words around them
 * (addresses, interfaces, counters) are save.c's.
 */
#include "xt_int.h"

#include <stdio.h>
#include <xtables.h>

/* @ip: the entry's ip part (struct ipt_ip or ip6t_ip6), as
 * print_match_save() hands it on. */
static void save_match(FILE *out, const void *ip,
		       const struct xt_entry_match *em)
{
	struct xtables_match *m, *mt;
	const char *name = em->u.user.name;

	if (ipts_blob_is_opaque(em->u.user.revision)) {
		fprintf(out, " -m %s%s", name, (const char *)em->data);
		return;
	}
	m = ipts_xt_find_match(name, XTF_TRY_LOAD, NULL);
	if (!m) {
		fprintf(out, " -m %s", name);
		return;
	}
	mt = xtables_find_match_revision(name, XTF_TRY_LOAD, m,
					 em->u.user.revision);
	fprintf(out, " -m %s", (mt ? mt : m)->alias ?
		(mt ? mt : m)->alias(em) : name);
	fflush(out);
	if (mt && mt->save)
		mt->save(ip, em);
	else if (m->save)
		fputs(" [unsupported revision]", out);
	fflush(out);
}

static void save_target(FILE *out, const struct ipts_rule *r, const void *ip)
{
	const struct xt_entry_target *et = ipts_rule_target(r);
	struct xtables_target *t, *tg;
	const char *name = et->u.user.name;

	switch (r->kind) {
	case IPTS_TGT_NONE:
		return;
	case IPTS_TGT_ACCEPT:
		fputs(" -j ACCEPT", out);
		return;
	case IPTS_TGT_DROP:
		fputs(" -j DROP", out);
		return;
	case IPTS_TGT_QUEUE:
		fputs(" -j QUEUE", out);
		return;
	case IPTS_TGT_RETURN:
		fputs(" -j RETURN", out);
		return;
	case IPTS_TGT_JUMP:
	case IPTS_TGT_GOTO:
		fprintf(out, " -%c %s", r->kind == IPTS_TGT_GOTO ? 'g' : 'j',
			r->dest ? r->dest->name : "?");
		return;
	case IPTS_TGT_EXT:
		break;
	}
	if (ipts_blob_is_opaque(et->u.user.revision)) {
		fprintf(out, " -j %s%s", name, (const char *)et->data);
		return;
	}
	t = ipts_xt_find_target(name, XTF_TRY_LOAD);
	if (!t) {
		fprintf(out, " -j %s", name);
		return;
	}
	tg = xtables_find_target_revision(name, XTF_TRY_LOAD, t,
					  et->u.user.revision);
	fprintf(out, " -j %s", (tg ? tg : t)->alias ?
		(tg ? tg : t)->alias(et) : name);
	fflush(out);
	if (tg && tg->save)
		tg->save(ip, et);
	else if (t->save)
		fputs(" [unsupported revision]", out);
	fflush(out);
}

int ipts_xt_save_entry(FILE *out, const struct ipts_rule *r,
		       struct ipts_diags *d)
{
	FILE *saved_stdout;
	unsigned int i;
	const void *ip;

	if (!xt.inited && ipts_xt_init(NULL, &r->loc, d) < 0)
		return -1;
	/* the extensions of the rule's family, as it was loaded with */
	if (ipts_rule_family(r) != xt.family)
		ipts_xt_set_family(ipts_rule_family(r));
	ip = ipts_rule_family(r) == IPTS_FAMILY_IPV6 ?
		     (const void *)&r->e6->ipv6 :
		     (const void *)&r->e->ip;
	/* save() callbacks print to stdout: point it at @out meanwhile. */
	fflush(stdout);
	saved_stdout = stdout;
	stdout = out;
	for (i = 0; i < r->nmatches; i++)
		save_match(out, ip, ipts_rule_match(r, i));
	save_target(out, r, ip);
	fflush(out);
	stdout = saved_stdout;
	return 0;
}
