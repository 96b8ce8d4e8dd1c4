/*
 * record.c - what a walk records for the driver, at the bottom of the
 * simulator: the events of the packet being walked, the rules the file
 * cannot decide and the way this walk takes at each (the driver forces
 * them, walk after walk, and reads them back), the target it could not
 * model. Every layer above calls these; they call nothing of sim/.
 */
#include "walk_int.h"	/* first: glibc headers before the uapi ones */

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

struct ipts_event *ipts_sim_event(struct ipts_sim *s,
				  enum ipts_event_kind kind, unsigned int hook,
				  const char *fmt, ...)
{
	struct ipts_packet *rec = s->cur;
	struct ipts_event *ev;
	va_list ap;

	s->impure++;
	if (!rec)
		return NULL;
	/* as many notes as trace lines kept: a path of 4^13 rules must not
	 * make 4^13 of them (the walk's budget bounds the count, this the
	 * memory and the output) */
	if (rec->nev >= s->max_lines) {
		if (rec->ev_omitted < UINT64_MAX)
			rec->ev_omitted++;
		return NULL;
	}
	if (rec->nev == rec->ev_cap)
		rec->ev = ipts_grow(rec->ev, &rec->ev_cap, sizeof(*rec->ev));
	ev = &rec->ev[rec->nev++];
	memset(ev, 0, sizeof(*ev));
	ev->kind = kind;
	/* on a cut path, before the last line (which may be replaced) */
	ev->after = ipts_path_cut(s) ? rec->ntrace - 1 : rec->ntrace;
	ev->hook = hook;
	va_start(ap, fmt);
	vsnprintf(ev->text, sizeof(ev->text), fmt, ap);
	va_end(ap);
	return ev;
}

void ipts_sim_unmodelled(struct ipts_sim *s, const struct ipts_rule *r,
			 const char *why)
{
	s->impure++;
	if (!s->unmodelled_why) {
		s->unmodelled = r;
		s->unmodelled_why = why;
	}
}

/*
 * The k-th undecidable choice of a walk takes the way the driver forced,
 * or the first way (for a rule: "no match") past them.
 */
unsigned int ipts_sim_choose(struct ipts_sim *s, const struct ipts_rule *r,
			     const char *why, unsigned int n, uint16_t lo,
			     uint16_t hi)
{
	unsigned int k = s->nmet;

	s->impure++;
	if (k >= IPTS_MAX_DECISIONS) {
		s->too_deep = true;
		return 0;
	}
	s->met_rule[k] = r;
	s->met_why[k] = why ? why : "the file cannot tell whether it matches";
	s->met_pkt[k] = s->cur ? s->cur->name : "packet";
	s->arity[k] = n;
	s->met_lo[k] = lo;
	s->met_hi[k] = hi;
	s->nmet++;
	return k < s->nforced ? s->choice[k] : 0;
}
