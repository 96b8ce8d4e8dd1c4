/*
 * setstate.c - -j SET during one simulated connection: set_target_v3() of
 * net/netfilter/xt_set.c adds the packet's element to --add-set, deletes
 * it from --del-set, then tests --map-set and copies the element's
 * skbinfo into the packet. The sets are a state of the connection, as
 * -m recent's lists are (recent.c): each way the driver explores starts
 * from the capture (--ipsets), and a -m set later in the connection reads
 * what the packets before it left (ipset/state.c keeps the sets).
 *
 * What the file cannot tell (a hash:mac add, a type iptsim does not
 * model) makes the set unknown for the rest of the way: tests of it are
 * then undetermined, naming the reason.
 */
#include "walk_int.h" /* first: glibc headers before the uapi ones */
#include "blob.h"
#include "ipset.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void ipts_setstate_begin(struct ipts_sim *s, struct ipts_ipset_state *st)
{
	s->sets = st;
	if (!st)
		return;
	ipts_ipset_state_reset(st);
	s->host.ipsets = ipts_ipset_state_sets(st);
	s->host.ipsets_tracked = true;
	s->sets_counting = s->host.fresh && s->ctx->ipsets_counted;
	s->sets_compared = NULL;
}

bool ipts_setstate_counts(const struct ipts_sim *s,
			  const struct xt_entry_match *m)
{
	return s->sets_counting && ipts_setstate_is_match(s, m);
}

/*
 * set_match_v4() with the counters known (--fresh): the capture's
 * counters, and every earlier test of the connection that found the
 * element, counted (ipts_ipset_state_test()).
 */
enum ipts_match_result ipts_setstate_match(struct ipts_sim *s,
					   const struct ipts_rule *r,
					   const struct xt_entry_match *m,
					   const struct ipts_pkt *p,
					   const char **why)
{
	struct ipts_ipset_match sm;
	struct ipts_ipset_pkt sp;

	s->impure++;
	s->counted++;
	if (ipts_ipset_match_parse((const char *)m->data, &sm) < 0) {
		*why = "-m set words iptsim does not read";
		return IPTS_MATCH_UNKNOWN;
	}
	if (sm.counters && !s->sets_compared) {
		const struct ipts_ipset *set = ipts_ipsets_find(s->host.ipsets,
								sm.name,
								sm.name_len);

		if (set && ipts_ipset_counters(set))
			s->sets_compared = r;
	}
	ipts_set_pkt(p, &sp);
	switch (ipts_ipset_state_test(s->sets, &sm, &sp, why)) {
	case IPTS_IPSET_YES:
		return IPTS_MATCH_YES;
	case IPTS_IPSET_NO:
		return IPTS_MATCH_NO;
	default:
		return IPTS_MATCH_UNKNOWN;
	}
}

bool ipts_setstate_is_match(const struct ipts_sim *s,
			    const struct xt_entry_match *m)
{
	return s->sets && ipts_blob_is_opaque(m->u.user.revision) &&
	       strcmp(m->u.user.name, "set") == 0;
}

static void note(struct ipts_sim *s, unsigned int hook,
		 const struct ipts_ipset_adt *a, const char *what)
{
	ipts_sim_event(s, IPTS_EV_NOTE, hook, "set %.*s: %s",
		       (int)(a->name_len > 31 ? 31 : a->name_len), a->name,
		       what);
}

static void one(struct ipts_sim *s, bool add, const struct ipts_ipset_adt *a,
		const struct ipts_ipset_pkt *sp, unsigned int hook)
{
	size_t before = ipts_ipset_state_nchanges(s->sets);
	const char *why = NULL, *name;
	enum ipts_ipset_op op;
	char el[160], what[200];
	int rc;

	rc = ipts_ipset_state_adt(s->sets, add, a, sp, &why);
	if (rc < 0) {
		/* not the walk's answer yet: only what later tests read */
		(void)why; /* the test that reads it gives the reason */
		note(s, hook, a, "unknown from here");
		return;
	}
	if (rc > 0 || ipts_ipset_state_nchanges(s->sets) == before) {
		note(s, hook, a,
		     add ? "add refused (there already, or the set full or "
			   "not for this packet)" :
			   "del found nothing to delete");
		return;
	}
	ipts_ipset_state_change(s->sets, before, &name, &op, el, sizeof(el));
	snprintf(what, sizeof(what), "%s %s",
		 op == IPTS_IPSET_ADDED	  ? "added" :
		 op == IPTS_IPSET_DELETED ? "deleted" :
					    "refreshed",
		 el);
	note(s, hook, a, what);
}

unsigned int ipts_setstate_target(struct ipts_sim *s, const struct ipts_rule *r,
				  struct ipts_pkt *p, unsigned int hook)
{
	const struct xt_entry_target *t = ipts_rule_target(r);
	struct ipts_ipset_target st;
	struct ipts_ipset_pkt sp;

	if (!s->host.ipsets)
		return XT_CONTINUE; /* no --ipsets: -m set is undetermined */
	s->impure++;
	s->counted++;
	if (ipts_ipset_target_parse((const char *)t->data, &st) < 0) {
		ipts_sim_unmodelled(s, r, "-j SET words iptsim does not read");
		return NF_DROP;
	}
	ipts_set_pkt(p, &sp);
	/* s->sets: the file has an --add-set or --del-set */
	if (st.has_add && s->sets)
		one(s, true, &st.add, &sp, hook);
	if (st.has_del && s->sets)
		one(s, false, &st.del, &sp, hook);
	if (st.has_map && (st.map_mark || st.map_prio || st.map_queue)) {
		struct ipts_ipset_match m = { 0 };
		const char *why = NULL;
		enum ipts_ipset_answer ans;
		uint32_t mark, mask;

		m.name = st.map.name;
		m.name_len = st.map.name_len;
		m.dim = st.map.dim;
		m.src = st.map.src;
		/* counted under --fresh, as a -m set test is */
		ans = s->sets_counting ?
			      ipts_ipset_state_map(s->sets, &m, &sp, &mark,
						   &mask, &why) :
			      ipts_ipset_map(s->host.ipsets, &m, &sp, &mark,
					     &mask, &why);
		if (ans == IPTS_IPSET_UNKNOWN) {
			ipts_sim_unmodelled(s, r, why);
			return NF_DROP;
		}
		if (ans == IPTS_IPSET_YES && st.map_mark) {
			/* skb->mark = (skb->mark & ~skbmarkmask) ^ skbmark */
			uint32_t from = p->mark;

			p->mark = (p->mark & ~mask) ^ mark;
			if (p->mark != from) {
				struct ipts_event *ev = ipts_sim_event(
					s, IPTS_EV_MARK, hook,
					"mark 0x%x -> 0x%x", from, p->mark);

				if (ev) {
					ev->from = from;
					ev->to = p->mark;
				}
			}
		}
		/* skb->priority and the queue mapping: nothing here reads
		 * them */
	}
	return XT_CONTINUE;
}

void ipts_setstate_advance(struct ipts_sim *s, uint32_t secs)
{
	if (s->sets)
		ipts_ipset_state_advance(s->sets, secs);
}

void ipts_setstate_report(const struct ipts_sim *s, struct ipts_result *res)
{
	size_t i, n;

	/* the sets are followed for -j SET, counters or timeouts; the
	 * report is -j SET's and the counters' */
	res->sets_tracked = s->sets != NULL &&
			    (s->ctx->ipsets_changed || s->sets_counting);
	free(res->sets_after);
	res->sets_after = NULL;
	res->nset_changes = 0;
	if (!s->sets)
		return;
	n = ipts_ipset_state_nchanges(s->sets);
	if (n > res->set_changes_cap) {
		free(res->set_changes);
		res->set_changes = ipts_xcalloc(n, sizeof(*res->set_changes));
		res->set_changes_cap = n;
	}
	for (i = 0; i < n; i++) {
		struct ipts_set_change *c = &res->set_changes[i];
		enum ipts_ipset_op op;
		const char *name;

		ipts_ipset_state_change(s->sets, i, &name, &op, c->elem,
					sizeof(c->elem));
		snprintf(c->set, sizeof(c->set), "%s", name);
		c->op = op == IPTS_IPSET_ADDED	 ? "added" :
			op == IPTS_IPSET_DELETED ? "deleted" :
						   "refreshed";
	}
	res->nset_changes = n;
	res->sets_after = ipts_ipset_state_save(s->sets);
}
