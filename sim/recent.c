/*
 * recent.c - -m recent, as recent_mt() in net/netfilter/xt_recent.c reads
 * and writes its lists, for the packets of one simulated connection.
 *
 * A list is named by the rule (--name, "DEFAULT") and holds entries keyed
 * by the packet's source (--rsource) or destination (--rdest) address
 * under the list's mask (an IPv6 packet's whole address, under a 128-bit
 * mask; recent_entry_lookup() compares the family too, so an IPv4 file's
 * entries and an IPv6 file's never meet); each entry keeps the times it was stamped and the
 * TTL of its last stamp. --set always matches (! --set never): it adds
 * the entry or stamps it again. --remove matches when an entry was there,
 * and leaves none. --rcheck and --update match when the entry has at
 * least --hitcount stamps (1 without it) within --seconds; --update then
 * stamps it again, whenever the answer (after !) is true.
 *
 * What the connection's own packets did is known, and every stamp they
 * made is a second old at most: within any --seconds. What the lists held
 * before the connection is not, unless the query says the rules were just
 * loaded (--fresh: every list empty). An entry is then ABSENT, PRESENT
 * (with the stamps this connection made; all of them when it began with
 * the connection) or UNKNOWN.
 *
 * A list's mask is the one of the rule that created it in the kernel (the
 * first loaded); when the rules naming a list disagree, or with lists
 * from before the connection (a list kept across a reload keeps its old
 * mask), two addresses may or may not share an entry: entries are then
 * kept per address, and writing one makes the list's others unknown.
 *
 * Assumed: xt_recent's module parameters at their defaults (ip_list_tot
 * 100: a connection's few addresses never evict each other), a memory
 * allocation that does not fail (hotdrop).
 */
#include "walk_int.h"	/* first: glibc headers before the uapi ones */
#include "blob.h"
#include "match_int.h"

#include <string.h>
#include <linux/netfilter/xt_recent.h>

static const char recent_why[] = "-m recent lists are host state";

bool ipts_recent_is(const struct xt_entry_match *m)
{
	const char *name = m->u.user.name;
	uint8_t rev = m->u.user.revision;
	size_t need;

	if (name[0] != 'r' || strcmp(name, "recent") != 0 ||
	    ipts_blob_is_opaque(rev) || rev > 1)
		return false;
	need = rev ? sizeof(struct xt_recent_mtinfo_v1)
		   : sizeof(struct xt_recent_mtinfo);
	return ipts_match_data(m, need, NULL) != NULL;
}

/* The blob of a match ipts_recent_is() said is one (v1 is v0 followed
 * by the mask); an empty one, naming no list, if it is too short. */
static const struct xt_recent_mtinfo *info_of(const struct xt_entry_match *m)
{
	static const struct xt_recent_mtinfo none;
	const struct xt_recent_mtinfo *i = ipts_match_data(m, sizeof(*i), NULL);

	return i ? i : &none;
}

bool ipts_recent_writes(const struct xt_entry_match *m)
{
	return ipts_recent_is(m) &&
	       (info_of(m)->check_set &
		(XT_RECENT_SET | XT_RECENT_UPDATE | XT_RECENT_REMOVE));
}

/* The rule's mask (v0: all ones, as recent_mt_check_v0() sets it); of
 * an IPv4 rule .ip only, the rest zero. */
static union nf_inet_addr mask_of(const struct xt_entry_match *m, bool v6)
{
	const struct xt_recent_mtinfo_v1 *v1 = ipts_match_data(m, sizeof(*v1),
							       NULL);
	union nf_inet_addr r;

	memset(&r, 0, sizeof(r));
	if (m->u.user.revision && v1) {
		if (v6)
			r = v1->mask;
		else
			r.ip = v1->mask.ip;
	} else if (v6) {
		memset(&r, 0xff, sizeof(r));
	} else {
		r.ip = 0xffffffffu;
	}
	return r;
}

static bool same_addr(const union nf_inet_addr *a, const union nf_inet_addr *b)
{
	return memcmp(a, b, sizeof(*a)) == 0;
}

static bool same_name(const char *a, const char *b)
{
	return strncmp(a, b, XT_RECENT_NAME_LEN) == 0;
}

/* Whether every recent rule of the ruleset naming @name has @mask. */
static bool mask_uniform(const struct ipts_ruleset *rs, const char *name,
			 const union nf_inet_addr *mask)
{
	bool v6 = rs->family == IPTS_FAMILY_IPV6;

	unsigned int t, c, i, k;

	for (t = 0; t < IPTS_TABLE_COUNT; t++) {
		const struct ipts_table *tb = rs->tables[t];

		for (c = 0; tb && c < tb->nchains; c++) {
			const struct ipts_chain *ch = tb->chains[c];

			for (i = 0; i < ch->nrules; i++) {
				const struct ipts_rule *r = ch->rules[i];

				for (k = 0; k < r->nmatches; k++) {
					const struct xt_entry_match *m =
						ipts_rule_match(r, k);

					union nf_inet_addr mk;

					if (!ipts_recent_is(m) ||
					    !same_name(info_of(m)->name, name))
						continue;
					mk = mask_of(m, v6);
					if (!same_addr(&mk, mask))
						return false;
				}
			}
		}
	}
	return true;
}

/* The list's mask when entries may be keyed by it; false: per address. */
static bool list_mask(struct ipts_sim *s, const struct xt_entry_match *m,
		      union nf_inet_addr *mask)
{
	bool v6 = s->rs->family == IPTS_FAMILY_IPV6;
	const char *name = info_of(m)->name;
	unsigned int i;

	if (!s->host.fresh)
		return false;
	for (i = 0; i < s->nrmask; i++)
		if (same_name(s->rmask[i].name, name))
			break;
	if (i == s->nrmask) {
		if (s->nrmask == IPTS_RECENT_MAX)
			return false;
		s->rmask[i].name = name;
		s->rmask[i].mask = mask_of(m, v6);
		s->rmask[i].uniform = mask_uniform(s->rs, name,
						   &s->rmask[i].mask);
		s->nrmask++;
	}
	*mask = s->rmask[i].mask;
	return s->rmask[i].uniform;
}

struct lookup {
	const char *name;
	union nf_inet_addr key;
	bool keyed;		/* @key is under the list's mask */
	struct ipts_recent_ent *e;	/* NULL: not kept yet */
	struct ipts_recent_ent view;	/* what is known of it */
};

static void lookup(struct ipts_sim *s, const struct xt_entry_match *m,
		   const struct ipts_pkt *p, struct lookup *l)
{
	const struct xt_recent_mtinfo *info = info_of(m);
	const union nf_inet_addr *a = info->side == XT_RECENT_DEST ? &p->daddr :
								     &p->saddr;
	union nf_inet_addr mask;
	bool other = false;
	unsigned int i;

	/* recent_mt(): the address under the mask, word by word; an IPv4
	 * packet's in .ip, the rest zero */
	memset(&l->key, 0, sizeof(l->key));
	if (p->family == NFPROTO_IPV6)
		l->key = *a;
	else
		l->key.ip = a->ip;
	l->name = info->name;
	l->keyed = list_mask(s, m, &mask);
	for (i = 0; l->keyed && i < 4; i++)
		l->key.all[i] &= mask.all[i];
	l->e = NULL;
	for (i = 0; i < s->nrecent; i++) {
		struct ipts_recent_ent *e = &s->recent[i];

		if (!same_name(e->name, l->name))
			continue;
		if (same_addr(&e->addr, &l->key)) {
			l->e = e;
			l->view = *e;
			return;
		}
		other = true;
	}
	memset(&l->view, 0, sizeof(l->view));
	l->view.name = l->name;
	l->view.addr = l->key;
	/* an entry never written: empty lists, unless the lists are from
	 * before the connection, another address of the list may share the
	 * entry, or the table of entries ran out */
	l->view.state = s->host.fresh && (l->keyed || !other) &&
			!s->recent_lost ? IPTS_RECENT_ABSENT
					: IPTS_RECENT_UNKNOWN;
	l->view.all = l->view.state == IPTS_RECENT_ABSENT;
}

/* Keep what is now known of the entry of @l; @wrote: the kernel may have
 * written it. */
static void store(struct ipts_sim *s, struct lookup *l,
		  const struct ipts_recent_ent *v, bool wrote)
{
	unsigned int i;

	if (wrote && !l->keyed) {
		/* the address may share its entry with any other of the
		 * list, under a mask we do not know */
		for (i = 0; i < s->nrecent; i++) {
			struct ipts_recent_ent *e = &s->recent[i];

			if (e != l->e && same_name(e->name, l->name)) {
				e->state = IPTS_RECENT_UNKNOWN;
				e->all = false;
				e->stamps = 0;
				e->ttl_known = false;
			}
		}
	}
	if (!l->e) {
		if (s->nrecent == IPTS_RECENT_MAX) {
			s->recent_lost = true;
			return;
		}
		l->e = &s->recent[s->nrecent++];
	}
	*l->e = *v;
}

/* The TTL recent_mt() uses: one more for a packet without a socket on its
 * way out ("as seen before forwarding"). */
static uint8_t ttl_of(const struct ipts_pkt *p)
{
	bool out = p->out && *p->out;

	return (uint8_t)(p->ttl + (out && !p->has_sk ? 1 : 0));
}

static void stamp(struct ipts_recent_ent *v, uint8_t ttl)
{
	if (v->state != IPTS_RECENT_PRESENT) {
		/* recent_entry_init(): one stamp */
		v->all = v->state == IPTS_RECENT_ABSENT;
		v->stamps = 0;
	}
	v->state = IPTS_RECENT_PRESENT;
	if (v->stamps < UINT16_MAX)
		v->stamps++;
	v->ttl = ttl;
	v->ttl_known = true;
}

/*
 * Found, as recent_entry_lookup() finds it: YES, NO or UNKNOWN; with
 * --rttl the entry's TTL must be the packet's (or either zero).
 */
static enum ipts_match_result found(const struct ipts_recent_ent *v,
				    uint8_t want_ttl)
{
	if (v->state == IPTS_RECENT_ABSENT)
		return IPTS_MATCH_NO;
	if (v->state == IPTS_RECENT_UNKNOWN)
		return IPTS_MATCH_UNKNOWN;
	if (!want_ttl)
		return IPTS_MATCH_YES;
	if (!v->ttl_known)
		return IPTS_MATCH_UNKNOWN;
	return ipts_mres(v->ttl == want_ttl || v->ttl == 0);
}

/* A hit within --seconds: every stamp this connection made is one. */
static enum ipts_match_result hit(const struct ipts_recent_ent *v,
				  uint32_t hit_count)
{
	uint32_t need = hit_count ? hit_count : 1;

	if (v->stamps >= need)
		return IPTS_MATCH_YES;
	return v->all ? IPTS_MATCH_NO : IPTS_MATCH_UNKNOWN;
}

/* The answer (before !) for the entry as @v knows it. */
static enum ipts_match_result answer(const struct xt_recent_mtinfo *info,
				     const struct ipts_recent_ent *v,
				     uint8_t ttl)
{
	enum ipts_match_result f;

	if (info->check_set & XT_RECENT_SET)
		return IPTS_MATCH_YES;
	f = found(v, info->check_set & XT_RECENT_TTL ? ttl : 0);
	if (f != IPTS_MATCH_YES || (info->check_set & XT_RECENT_REMOVE))
		return f;
	return hit(v, info->hit_count);
}

/* What lists empty before the connection would answer. */
static bool fresh_answer(const struct xt_recent_mtinfo *info,
			 const struct ipts_recent_ent *v, uint8_t ttl)
{
	struct ipts_recent_ent f = *v;

	if (f.state == IPTS_RECENT_UNKNOWN)
		f.state = f.stamps ? IPTS_RECENT_PRESENT : IPTS_RECENT_ABSENT;
	f.all = true;
	if (!f.ttl_known) {
		f.ttl_known = true;
		f.ttl = 0;
	}
	return answer(info, &f, ttl) == IPTS_MATCH_YES;
}

/*
 * recent_entry_reap() may drop the list's oldest entry when its last stamp
 * is older than --seconds: never one this connection stamped, but maybe
 * one it only learnt was there.
 */
static void reap(struct ipts_sim *s, const char *name)
{
	unsigned int i;

	for (i = 0; i < s->nrecent; i++) {
		struct ipts_recent_ent *e = &s->recent[i];

		if (same_name(e->name, name) &&
		    e->state == IPTS_RECENT_PRESENT && !e->stamps)
			e->state = IPTS_RECENT_UNKNOWN;
	}
}

enum ipts_match_result ipts_recent_eval(struct ipts_sim *s,
					const struct xt_entry_match *m,
					const struct ipts_pkt *p,
					const char **why, bool *fresh_yes,
					bool *settle)
{
	const struct xt_recent_mtinfo *info = info_of(m);
	uint8_t ttl = ttl_of(p);
	struct ipts_recent_ent v;
	enum ipts_match_result a;
	struct lookup l;

	s->impure++;
	s->counted++;
	*settle = false;
	if (info->check_set & XT_RECENT_REAP)
		reap(s, info->name);
	lookup(s, m, p, &l);
	v = l.view;
	a = answer(info, &v, ttl);
	if (a == IPTS_MATCH_UNKNOWN) {
		*why = recent_why;
		*fresh_yes = fresh_answer(info, &v, ttl) ^ !!info->invert;
		if (info->check_set & XT_RECENT_REMOVE) {
			/* there or not, it is gone */
			memset(&v, 0, sizeof(v));
			v.name = l.name;
			v.addr = l.key;
			v.state = IPTS_RECENT_ABSENT;
			v.all = true;
			store(s, &l, &v, true);
		}
		*settle = info->check_set & XT_RECENT_UPDATE;
		return IPTS_MATCH_UNKNOWN;
	}
	if (info->check_set & XT_RECENT_SET) {
		stamp(&v, ttl);
		store(s, &l, &v, true);
	} else if ((info->check_set & XT_RECENT_REMOVE) &&
		   a == IPTS_MATCH_YES) {
		v.state = IPTS_RECENT_ABSENT;
		v.all = true;
		v.stamps = 0;
		v.ttl_known = false;
		store(s, &l, &v, true);
	} else if ((info->check_set & XT_RECENT_UPDATE) &&
		   (a == IPTS_MATCH_YES) ^ !!info->invert &&
		   v.state == IPTS_RECENT_PRESENT) {
		/* ret is true and the entry was found (it is not found when
		 * the TTL differs: found() said so) */
		if (found(&v, info->check_set & XT_RECENT_TTL ? ttl : 0) ==
		    IPTS_MATCH_YES) {
			stamp(&v, ttl);
			store(s, &l, &v, true);
		}
	}
	return ipts_mres((a == IPTS_MATCH_YES) ^ !!info->invert);
}

void ipts_recent_settle(struct ipts_sim *s, const struct xt_entry_match *m,
			const struct ipts_pkt *p, bool yes)
{
	const struct xt_recent_mtinfo *info = info_of(m);
	uint8_t ttl = ttl_of(p), want = info->check_set & XT_RECENT_TTL ?
					 ttl : 0;
	bool inv = info->invert, wrote = true;
	struct ipts_recent_ent v;
	struct lookup l;

	s->impure++;
	s->counted++;
	lookup(s, m, p, &l);
	v = l.view;
	if (yes && !inv) {
		/* found with a hit: stamped */
		stamp(&v, ttl);
	} else if (!yes && inv) {
		/* found with a hit, not stamped */
		wrote = false;
		if (v.state != IPTS_RECENT_PRESENT) {
			v.state = IPTS_RECENT_PRESENT;
			v.all = false;
			v.stamps = 0;
			v.ttl_known = false;
		}
	} else if (yes && inv && found(&v, want) == IPTS_MATCH_YES) {
		/* found without a hit: stamped */
		stamp(&v, ttl);
	} else if (yes && inv && v.state != IPTS_RECENT_ABSENT) {
		/* not found, or found without a hit and stamped */
		v.all = false;
		v.ttl_known = false;
	} else {
		/* no hit or not found: nothing written, nothing learnt
		 * that the view could hold */
		return;
	}
	store(s, &l, &v, wrote);
}
