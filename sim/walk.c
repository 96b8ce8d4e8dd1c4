/*
 * walk.c - one packet through one table at one hook, in the kernel's
 * order: the bottom of a packet's path, below the connection
 * (handshake.c) and its driver (simulate.c), above the matches, the
 * targets and the records of the walk (record.c).
 *
 * ipts_do_table() mirrors ipt_do_table() in net/ipv4/netfilter/ip_tables.c:
 * a jump pushes its rule as return point, a goto does not, RETURN pops
 * (or, with an empty stack, continues at the hook's underflow: the
 * built-in chain's policy), falling off a user chain is its tail RETURN.
 * The TRACE numbering is get_chainname_rulenum(): rules count from 1 in
 * their chain, a chain's tail is "policy" (built-in) or "return" (user)
 * numbered rules + 1, and an unconditional rule (no -s/-d/-i/-o/-p/-f and
 * no match) whose target is ACCEPT, DROP, QUEUE or RETURN is logged the
 * same way with its own number, as if it were the tail.
 *
 * Budgets (struct ipts_limits): every rule examined counts one visit, and
 * the walk stops, undetermined, past the budget. A packet's path past
 * max_trace_lines is cut: its last line is kept, the others counted. Once
 * the path is cut the lines need not be made, so a jump to a chain entered
 * before in the same state (struct memo_key), whose walk then returned
 * with nothing impure on the way (no undecidable choice, no event, no
 * target that changes state, no counted match: see ipts_sim.impure), is
 * answered from that walk: its line count and its last line. That is what
 * keeps chains C1..Cd with k jumps each to k*d visits, not k^d.
 */
#include "walk_int.h"	/* first: glibc headers before the uapi ones */
#include "blob.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <netinet/in.h>
#include <linux/netfilter/xt_quota.h>

/* Line counts saturate: 64 chains of 4 jumps make 4^64 lines. */
static inline uint64_t sat_add(uint64_t a, uint64_t b)
{
	return a > UINT64_MAX - b ? UINT64_MAX : a + b;
}

/* An ICMP or ICMPv6 packet: no ports in its trace line. */
static bool is_icmp(const struct ipts_pkt *p)
{
	return p->protocol == IPPROTO_ICMP || p->protocol == IPPROTO_ICMPV6;
}

static struct ipts_trace *trace_push(struct ipts_sim *s)
{
	struct ipts_packet *rec = s->cur;

	if (!rec)
		return NULL;
	if (rec->ntrace >= s->max_lines) {
		rec->trace_omitted = sat_add(rec->trace_omitted, 1);
		return &rec->trace[rec->ntrace - 1];
	}
	if (rec->ntrace == rec->trace_cap)
		rec->trace = ipts_grow(rec->trace, &rec->trace_cap,
				       sizeof(*rec->trace));
	return &rec->trace[rec->ntrace++];
}

/* unconditional() in ip_tables.c and ip6_tables.c, plus "no match at
 * all". */
static bool unconditional(const struct ipts_rule *r)
{
	static const struct ipt_ip uncond;
	static const struct ip6t_ip6 uncond6;

	if (ipts_rule_family(r) == IPTS_FAMILY_IPV6)
		return r->e6->target_offset == sizeof(struct ip6t_entry) &&
		       memcmp(&r->e6->ipv6, &uncond6, sizeof(uncond6)) == 0;
	return r->e->target_offset == sizeof(struct ipt_entry) &&
	       memcmp(&r->e->ip, &uncond, sizeof(uncond)) == 0;
}

static bool standard_negative_verdict(enum ipts_target_kind k)
{
	return k == IPTS_TGT_ACCEPT || k == IPTS_TGT_DROP ||
	       k == IPTS_TGT_QUEUE || k == IPTS_TGT_RETURN;
}

static void trace_rule(struct ipts_sim *s, const struct ipts_chain *c,
		       const struct ipts_rule *r, uint32_t idx,
		       unsigned int hook, const struct ipts_pkt *p)
{
	struct ipts_trace *t = trace_push(s);

	if (!t)
		return;
	t->chain = c;
	t->rule = r;
	t->num = idx + 1;
	t->hook = hook;
	t->kernel_logged = p->nf_trace;
	t->in = p->in;
	t->out = p->out;
	t->family = p->family;
	t->saddr = p->saddr;
	t->daddr = p->daddr;
	t->sport = is_icmp(p) ? 0 : p->sport;
	t->dport = is_icmp(p) ? 0 : p->dport;
	t->sport_hi = t->dport_hi = 0;
	if (s->rport.active && (p->port_rand & 1)) {
		t->sport = s->rport.lo;
		t->sport_hi = s->rport.hi;
	}
	if (s->rport.active && (p->port_rand & 2)) {
		t->dport = s->rport.lo;
		t->dport_hi = s->rport.hi;
	}
	t->mark = p->mark;
	t->ttl = p->ttl;
	t->type = IPTS_TRACE_RULE;
	if (r && standard_negative_verdict(r->kind) && unconditional(r))
		t->type = c->hook >= 0 ? IPTS_TRACE_POLICY : IPTS_TRACE_RETURN;
	else if (!r)
		t->type = c->hook >= 0 ? IPTS_TRACE_POLICY : IPTS_TRACE_RETURN;
}

/*
 * A rule (or match) the file cannot decide: way 0 takes @dflt, the answer
 * of a just-loaded ruleset, so that the first walk is the path the kernel
 * takes right after a load; way 1 the other answer.
 */
static bool decide(struct ipts_sim *s, const struct ipts_rule *r,
		   const char *why, bool dflt)
{
	unsigned int k = s->nmet;
	bool yes = (ipts_sim_choose(s, r, why, 2, 0, 0) == 0) == dflt;

	if (k < IPTS_MAX_DECISIONS && k < s->nmet)
		s->met_yes[k] = yes;
	s->undecided_why = why ? why : "the file cannot tell whether it "
				       "matches";
	return yes;
}

/*
 * A rule whose target changes nothing a later rule or the connection
 * reads (no target, LOG, NFLOG, ULOG, AUDIT) ends the same way matched or
 * not: no need to explore both. (TRACE is explored: it changes which
 * lines the kernel logs.)
 */
bool ipts_rule_effect_free(const struct ipts_rule *r)
{
	static const char *const passive[] = {
		"LOG", "NFLOG", "ULOG", "AUDIT", NULL,
	};
	const char *const *l;

	if (r->kind == IPTS_TGT_NONE)
		return true;
	if (r->kind != IPTS_TGT_EXT)
		return false;
	for (l = passive; *l; l++)
		if (strcmp(ipts_rule_target(r)->u.user.name, *l) == 0)
			return true;
	return false;
}

/*
 * For match @k of @r that answers from its history (limit, statistic
 * nth), count its evaluations in this walk and tell the match how often
 * it ran before (only with --fresh: without, the count gives the answer
 * of a just-loaded ruleset, see counted_fresh()); NULL for other matches.
 * The history is the rule's own, as the kernel keeps it per rule
 * (xt_limit's priv): rules share blobs of the same bytes, so the blob's
 * address tells no rule apart. A hashlimit's is its table entry's
 * (ipts_hashlimit_key()): every rule of one --hashlimit-name, one count
 * per key, as hashlimit_mt_common() spends one bucket, keyed by the mode
 * and masks of the rule that made the table.
 */
static uint32_t *eval_count(struct ipts_sim *s, const struct ipts_rule *r,
			    unsigned int k, struct ipts_pkt *p)
{
	const struct xt_entry_match *m = ipts_rule_match(r, k);
	const struct xt_entry_match *owner;
	struct ipts_hl_entry key;
	bool keyed;
	unsigned int i;

	if (!ipts_match_counts_evals(m))
		return NULL;
	owner = ipts_mt_rows_hashlimit_owner(s->rows, m);
	keyed = ipts_hashlimit_key(m, owner, p, &key);
	for (i = 0; i < s->nevals; i++)
		if (keyed ? s->evals[i].keyed &&
				    ipts_hl_entry_eq(&s->evals[i].key, &key) :
			    !s->evals[i].keyed && s->evals[i].r == r &&
				    s->evals[i].k == k)
			break;
	if (i == s->nevals) {
		if (s->nevals == sizeof(s->evals) / sizeof(s->evals[0]))
			return NULL;
		memset(&s->evals[i], 0, sizeof(s->evals[i]));
		s->evals[s->nevals].r = r;
		s->evals[s->nevals].k = k;
		s->evals[s->nevals].keyed = keyed;
		if (keyed)
			s->evals[s->nevals].key = key;
		s->nevals++;
	}
	s->impure++;
	s->counted++;
	p->evals_known = s->host.fresh;
	p->evals = s->evals[i].n;
	p->bucket = &s->evals[i].bucket;
	p->hl = owner ? &s->evals[i].hl : NULL;
	p->hl_owner = owner;
	p->pkt_serial = (uint32_t)s->npkts + 1;
	p->now_ms = s->now_ms;
	p->early_ms = s->q->in ? 100 : 0;
	return &s->evals[i].n;
}

/* What a just-loaded ruleset answers for a counted match (limit and
 * hashlimit buckets full, nth counters at zero) after *count earlier
 * evaluations. */
static bool counted_fresh(const struct ipts_sim *s,
			  const struct xt_entry_match *m,
			  const struct ipts_rule *r, struct ipts_pkt *p,
			  const uint32_t *count)
{
	struct ipts_host h = s->host;
	const char *w = NULL;
	enum ipts_match_result res;

	h.fresh = true;
	p->evals_known = true;
	p->evals = *count;
	res = ipts_match_eval_rows(s->rows, m, r->e, p, &h, &w);
	p->evals_known = false;
	if (res == IPTS_MATCH_UNKNOWN)
		return ipts_match_fresh_guess(
			m, ipts_mt_rows_hashlimit_owner(s->rows, m), *count);
	return res == IPTS_MATCH_YES;
}

static bool is_quota(const struct xt_entry_match *m)
{
	return m->u.user.name[0] == 'q' &&
	       strcmp(m->u.user.name, "quota") == 0 &&
	       m->u.user.revision == 0 &&
	       ipts_match_data(m, sizeof(struct xt_quota_info), NULL);
}

/*
 * quota_mt(): the rule's own counter starts at --quota when the rules are
 * loaded; a packet that fits (skb->len, the IP length) takes its bytes
 * and matches, one that does not sets the counter to 0. Decided with
 * --fresh; without, the counter's past is unknown and *fresh_yes is the
 * just-loaded answer (the counter then follows that answer).
 */
static enum ipts_match_result quota_eval(struct ipts_sim *s,
					 const struct ipts_rule *r,
					 unsigned int k,
					 const struct xt_entry_match *m,
					 const struct ipts_pkt *p,
					 const char **why, bool *fresh_yes)
{
	/* is_quota() said the blob holds one */
	const struct xt_quota_info *q = ipts_match_data(m, sizeof(*q), NULL);
	bool inv = q->flags & XT_QUOTA_INVERT, fits;
	unsigned int i;

	s->impure++;
	s->counted++;
	for (i = 0; i < s->nevals; i++)
		if (s->evals[i].r == r && s->evals[i].k == k)
			break;
	if (i == s->nevals) {
		if (i == sizeof(s->evals) / sizeof(s->evals[0])) {
			*why = "-m quota depends on earlier traffic";
			*fresh_yes = false;
			return IPTS_MATCH_UNKNOWN;
		}
		memset(&s->evals[i], 0, sizeof(s->evals[i]));
		s->evals[i].r = r;
		s->evals[i].k = k;
		s->nevals++;
	}
	fits = !s->evals[i].empty &&
	       q->quota - s->evals[i].spent >= p->tot_len;
	if (fits)
		s->evals[i].spent += p->tot_len;
	else
		s->evals[i].empty = true;
	if (s->host.fresh)
		return fits ^ inv ? IPTS_MATCH_YES : IPTS_MATCH_NO;
	*why = "-m quota depends on earlier traffic";
	*fresh_yes = fits ^ inv;
	return IPTS_MATCH_UNKNOWN;
}

/* Whether evaluating @m changes state a later evaluation reads: then
 * whether it runs at all must be decided first. */
static bool acts(const struct ipts_sim *s, const struct xt_entry_match *m)
{
	return ipts_recent_writes(m) || ipts_setstate_counts(s, m) ||
	       (s->host.fresh && (ipts_match_counts_evals(m) || is_quota(m)));
}

/* False when ip_packet_match() would surely fail (the packed part). */
static inline bool ipcheck_may_match(const struct ipts_ipcheck *x,
				     const struct ipts_pkt *p)
{
	/* an IPv6 entry packs no address: all-zero mask and address */
	if (((p->saddr.ip & x->smsk) != x->src) ^
	    !!(x->invflags & IPT_INV_SRCIP))
		return false;
	if (((p->daddr.ip & x->dmsk) != x->dst) ^
	    !!(x->invflags & IPT_INV_DSTIP))
		return false;
	if (x->proto && ((p->protocol != x->proto) ^
			 !!(x->invflags & XT_INV_PROTO)))
		return false;
	/* tcp_mt()/udp_mt(): a port outside the range is no match (the
	 * XT_TCP_INV_* and XT_UDP_INV_* port bits are the same). */
	if (x->l4proto && x->l4proto == p->protocol) {
		if ((p->sport < x->spts[0] || p->sport > x->spts[1]) ^
		    !!(x->l4inv & XT_TCP_INV_SRCPT))
			return false;
		if ((p->dport < x->dpts[0] || p->dport > x->dpts[1]) ^
		    !!(x->l4inv & XT_TCP_INV_DSTPT))
			return false;
	}
	return true;
}

/*
 * ip6_packet_match() for rule_matches(): false when the entry's header
 * part fails; a side named by a host whose address is unknown leaves
 * the answer undecided (*@res IPTS_MATCH_UNKNOWN, *@why).
 */
static bool ip6_part_matches(struct ipts_sim *s, const struct ipts_rule *r,
			     const struct ipts_pkt *p,
			     enum ipts_match_result *res, bool *dflt,
			     const char **why)
{
	struct ip6t_ip6 ip = r->e6->ipv6;
	bool hotdrop = false;

	(void)s;
	if (r->flags & IPTS_RULE_SRC_UNKNOWN) {
		memset(&ip.src, 0, sizeof(ip.src));
		memset(&ip.smsk, 0, sizeof(ip.smsk));
		ip.invflags &= (uint8_t)~IP6T_INV_SRCIP;
	}
	if (r->flags & IPTS_RULE_DST_UNKNOWN) {
		memset(&ip.dst, 0, sizeof(ip.dst));
		memset(&ip.dmsk, 0, sizeof(ip.dmsk));
		ip.invflags &= (uint8_t)~IP6T_INV_DSTIP;
	}
	if (!ipts_ip6_match(&ip, p, &hotdrop))
		return false;
	if (r->flags & (IPTS_RULE_SRC_UNKNOWN | IPTS_RULE_DST_UNKNOWN)) {
		*res = IPTS_MATCH_UNKNOWN;
		*dflt = false;
		*why = "-s/-d names a host whose address is unknown offline "
		       "(--hosts FILE or --resolve gives it)";
	}
	return true;
}

/*
 * ipt_do_table()'s xt_ematch_foreach(): the matches in order, the first
 * that fails ends the rule, and only the ones that ran have their effect
 * (-m recent writes its lists, limit and nth count). A match the file
 * cannot decide is answered at the end, once a later one could still
 * fail; but at once when a later match acts, or when what it writes
 * itself depends on its answer (--update).
 */
static bool rule_matches(struct ipts_sim *s, const struct ipts_rule *r,
			 struct ipts_pkt *p)
{
	enum ipts_match_result res = IPTS_MATCH_YES;
	const char *why = NULL;
	bool dflt = true;
	unsigned int i;

	s->undecided_why = NULL;
	if (p->family == NFPROTO_IPV6) {
		if (!ip6_part_matches(s, r, p, &res, &dflt, &why))
			return false;
	} else if (r->flags & (IPTS_RULE_SRC_UNKNOWN | IPTS_RULE_DST_UNKNOWN)) {
		/* -s/-d named a host whose address the file cannot tell:
		 * the other fields decide "no", that side never does */
		struct ipt_ip ip = r->e->ip;

		if (r->flags & IPTS_RULE_SRC_UNKNOWN) {
			ip.src.s_addr = ip.smsk.s_addr = 0;
			ip.invflags &= (uint8_t)~IPT_INV_SRCIP;
		}
		if (r->flags & IPTS_RULE_DST_UNKNOWN) {
			ip.dst.s_addr = ip.dmsk.s_addr = 0;
			ip.invflags &= (uint8_t)~IPT_INV_DSTIP;
		}
		if (!ipts_ip_match(&ip, p))
			return false;
		res = IPTS_MATCH_UNKNOWN;
		dflt = false;	/* a just-loaded ruleset does not tell it */
		why = "-s/-d names a host whose address is unknown offline "
		      "(--hosts FILE or --resolve gives it)";
	} else if (!ipts_ip_match(&r->e->ip, p)) {
		return false;
	}
	for (i = 0; i < r->nmatches; i++) {
		const struct xt_entry_match *blob = ipts_rule_match(r, i);
		const char *w = NULL;
		bool fy = false, settle = false;
		enum ipts_match_result m;

		if (res == IPTS_MATCH_UNKNOWN && acts(s, blob)) {
			if (!decide(s, r, why, dflt))
				return false;
			res = IPTS_MATCH_YES;
			dflt = true;
		}
		if (ipts_recent_is(blob)) {
			m = ipts_recent_eval(s, blob, p, &w, &fy, &settle);
		} else if (is_quota(blob)) {
			m = quota_eval(s, r, i, blob, p, &w, &fy);
		} else if (ipts_setstate_counts(s, blob)) {
			m = ipts_setstate_match(s, r, blob, p, &w);
		} else {
			uint32_t *count = eval_count(s, r, i, p);

			if (ipts_setstate_is_match(s, blob))
				s->impure++; /* reads what -j SET wrote */

			m = ipts_match_eval_rows(s->rows, blob, r->e, p,
						 &s->host, &w);
			p->evals_known = false;
			p->bucket = NULL;
			p->hl = NULL;
			if (m == IPTS_MATCH_UNKNOWN && count)
				fy = counted_fresh(s, blob, r, p, count);
			if (count)
				(*count)++;
		}
		if (m == IPTS_MATCH_NO)
			return false;
		if (m != IPTS_MATCH_UNKNOWN)
			continue;
		if (settle) {
			bool yes = decide(s, r, w, fy);

			ipts_recent_settle(s, blob, p, yes);
			if (!yes)
				return false;
			continue;
		}
		if (res == IPTS_MATCH_YES) {
			res = IPTS_MATCH_UNKNOWN;
			why = w;
		}
		dflt = dflt && fy;
	}
	if (res != IPTS_MATCH_UNKNOWN)
		return true;
	if (ipts_rule_effect_free(r)) {
		/* both ways go on alike: take the just-loaded one, and
		 * only mark its line */
		s->impure++;
		s->undecided_why = why ? why : "the file cannot tell whether "
					       "it matches";
		return dflt;
	}
	return decide(s, r, why, dflt);
}

/*
 * The trace line of rule @idx of @c, whose answer the file did not decide
 * (rule_matches() said why): it may or may not appear in the kernel's
 * log. @shown: it is on this path.
 */
static void mark_undecided(struct ipts_sim *s, const struct ipts_chain *c,
			   const struct ipts_rule *r, uint32_t idx,
			   unsigned int hook, bool shown)
{
	struct ipts_event *ev;

	ev = ipts_sim_event(s, IPTS_EV_UNDECIDED, hook, "%s:%s:rule:%u %s",
			    c->table->name, c->name, idx + 1,
			    shown ? "may or may not appear"
				  : "may also appear here");
	if (ev) {
		ev->rule = r;
		ev->why = s->undecided_why;
	}
	s->undecided_why = NULL;
}

/* --- the memo of chain calls ------------------------------------------ */

/*
 * Everything a chain's walk reads: the chain, the packet (pkt_init()
 * zeroes it whole, padding included), its conntrack entry, and the walk's
 * state that targets and trace lines read. Equal bytes, equal walks; a
 * difference in padding could only cost a miss, never a wrong answer.
 */
struct memo_key {
	const struct ipts_chain *chain;
	struct ipts_pkt p;
	struct ipts_conn ct;
	unsigned char inner[sizeof(((struct ipts_sim *)0)->inner)];
	unsigned char rport[sizeof(((struct ipts_sim *)0)->rport)];
	unsigned int nat_done, tcp_state;
	bool conn_confirmed, attached, nfct_stub;
};

enum { MEMO_FREE, MEMO_PENDING, MEMO_IMPURE, MEMO_DONE, };

struct ipts_memo_ent {
	struct memo_key key;
	uint32_t hash;
	uint8_t state;
	uint32_t depth;			/* stack frames the call used */
	uint64_t lines;			/* trace lines it made */
	struct ipts_trace last;		/* its last one: the return */
};

/* Open addressing, never more than half full: a bounded table (2 MB),
 * made only when some path is cut. */
#define MEMO_SIZE (1u << 13)
#define MEMO_FILL (MEMO_SIZE / 2)

void ipts_memo_clear(struct ipts_memo *m)
{
	if (m->n) {
		memset(m->v, 0, MEMO_SIZE * sizeof(*m->v));
		m->n = 0;
	}
}

void ipts_memo_free(struct ipts_memo *m)
{
	free(m->v);
	m->v = NULL;
	m->n = 0;
}

static void memo_key_make(const struct ipts_sim *s,
			  const struct ipts_chain *c,
			  const struct ipts_pkt *p, struct memo_key *k)
{
	memset(k, 0, sizeof(*k));
	k->chain = c;
	memcpy(&k->p, p, sizeof(*p));
	if (p->ct)
		k->ct = *p->ct;
	memcpy(k->inner, &s->inner, sizeof(k->inner));
	memcpy(k->rport, &s->rport, sizeof(k->rport));
	k->nat_done = s->nat_done;
	k->tcp_state = s->tcp_state;
	k->conn_confirmed = s->conn_confirmed;
	k->attached = s->attached;
	k->nfct_stub = s->nfct_stub;
}

/* The slot of @c entered with @p: found, or new (MEMO_FREE); NONE when the
 * table is full. */
static uint32_t memo_find(struct ipts_sim *s, const struct ipts_chain *c,
			  const struct ipts_pkt *p)
{
	struct ipts_memo *m = s->memo;
	struct memo_key k;
	uint32_t h, i;

	if (!m->v)
		m->v = ipts_xcalloc(MEMO_SIZE, sizeof(*m->v));
	memo_key_make(s, c, p, &k);
	h = ipts_hash_bytes(&k, sizeof(k));
	for (i = h & (MEMO_SIZE - 1);; i = (i + 1) & (MEMO_SIZE - 1)) {
		struct ipts_memo_ent *e = &m->v[i];

		if (e->state == MEMO_FREE)
			break;
		if (e->hash == h && memcmp(&e->key, &k, sizeof(k)) == 0)
			return i;
	}
	if (m->n >= MEMO_FILL)
		return IPTS_MEMO_NONE;
	m->n++;
	m->v[i].key = k;
	m->v[i].hash = h;
	m->v[i].state = MEMO_PENDING;
	return i;
}

static uint64_t lines_of(const struct ipts_packet *rec)
{
	return sat_add(rec->ntrace, rec->trace_omitted);
}

/* The call of frame @f returned: remember how, if it was pure. */
static void memo_store(struct ipts_sim *s, const struct ipts_frame *f)
{
	struct ipts_memo_ent *e = &s->memo->v[f->slot];

	if (s->impure != f->impure || !s->cur || !s->cur->ntrace) {
		e->state = MEMO_IMPURE;
		return;
	}
	e->state = MEMO_DONE;
	e->depth = f->depth;
	e->lines = lines_of(s->cur) - f->lines;
	e->last = s->cur->trace[s->cur->ntrace - 1];
}

/* The path of a memoized call: its lines counted, its last line kept. */
static void memo_replay(struct ipts_sim *s, const struct ipts_memo_ent *e)
{
	struct ipts_packet *rec = s->cur;

	rec->trace_omitted = sat_add(rec->trace_omitted, e->lines);
	rec->trace[rec->ntrace - 1] = e->last;
}

static void budget_stop(struct ipts_sim *s)
{
	s->over_budget = true;
	const char *name = s->budget_name;

	snprintf(s->budget_why, s->budget_why_len, "the walk stopped at "
		 "its budget of %llu rule visits%s%s%s: the paths of this "
		 "file are too long to walk in full",
		 (unsigned long long)s->max_visits, name ? " (" : "",
		 name ? name : "", name ? ")" : "");
	ipts_sim_unmodelled(s, NULL, s->budget_why);
}

/*
 * ipt_do_table(). The visits left to the budget cost nothing a rule: they
 * are counted in a local and only where the walk leaves its straight way
 * through a chain (a rule that matches, a jump, a return, the tail). Within
 * a stretch from index @seg the walk may go up to index @lim, where the
 * chain or the budget ends; seg + left stays the same along it. Every way
 * out goes through 'out', which writes the count back.
 */
#define VERDICT(v) do { verdict = (v); goto out; } while (0)

static inline uint32_t stretch_end(const struct ipts_chain *c, uint32_t seg,
				   uint64_t left)
{
	return left < (uint64_t)(c->nrules - seg) ? seg + (uint32_t)left
						  : c->nrules;
}

unsigned int ipts_do_table(struct ipts_sim *s, const struct ipts_table *t,
			   unsigned int hook, struct ipts_pkt *p)
{
	uint64_t left = s->max_visits - s->visits;
	unsigned int verdict;
	const struct ipts_chain *c = t->builtin[hook];
	const struct ipts_ipcheck *chk;
	unsigned int stacksize = s->ctx->table_stack[t->id];
	unsigned int sp = 0;
	uint32_t i = 0, seg = 0, lim;
	/* the chain's index (chainidx.c), NULL: every rule in turn; @nxt
	 * the first rule from @i on the packet may match */
	const struct ipts_chainidx *cx;
	struct ipts_cand cand;
	bool cand_ok = false;
	uint32_t nxt = 0;

	if (!c)
		return NF_ACCEPT;
	if (stacksize > s->ctx->stacksize)
		stacksize = s->ctx->stacksize;
	lim = stretch_end(c, seg, left);
	chk = ipts_sim_ipcheck(s->ctx, c);
	cx = ipts_sim_chainidx(s->ctx, c);
	for (;;) {
		const struct ipts_rule *r;
		struct ipts_frame *f;
		uint32_t slot;
		unsigned int v;

		if (i >= lim) {
			/* rules seg..i-1 were visited; the tail is one more */
			left -= i - seg;
			if (!left) {
				budget_stop(s);
				VERDICT(NF_DROP);
			}
			left--;
			seg = i + 1;
			trace_rule(s, c, NULL, c->nrules, hook, p);
			if (c->hook >= 0)
				VERDICT(c->policy == NF_DROP ? NF_DROP
							    : NF_ACCEPT);
			goto do_return;
		}
		/* In a long chain, step over the rules the packed check
		 * below would turn away: they run no match, and still count
		 * as visited (the stretch from @seg). */
		if (cx) {
			if (i > nxt) {
				if (!cand_ok || cand.daddr != p->daddr.ip ||
				    cand.protocol != p->protocol ||
				    cand.dport != p->dport) {
					ipts_chainidx_lists(cx, p, &cand);
					cand_ok = true;
				}
				nxt = ipts_chainidx_next(&cand, i, c->nrules);
			}
			if (nxt > i) {
				i = nxt < lim ? nxt : lim;
				continue;
			}
		}
		/* Most rules fail on addresses or protocol: say so from the
		 * packed array before touching the rule (ipt_ip decides). */
		if (!ipcheck_may_match(&chk[i], p)) {
			i++;
			continue;
		}
		r = c->rules[i];
		if (!rule_matches(s, r, p)) {
			if (s->undecided_why)
				mark_undecided(s, c, r, i, hook, false);
			i++;
			continue;
		}
		left -= i + 1 - seg;
		seg = i + 1;
		trace_rule(s, c, r, i, hook, p);
		if (s->undecided_why)
			mark_undecided(s, c, r, i, hook, true);
		switch (r->kind) {
		case IPTS_TGT_NONE:
			i++;
			continue;
		case IPTS_TGT_ACCEPT:
			VERDICT(NF_ACCEPT);
		case IPTS_TGT_DROP:
			VERDICT(NF_DROP);
		case IPTS_TGT_QUEUE:
			ipts_sim_unmodelled(s, r, "QUEUE hands the packet to a "
					    "userspace program");
			VERDICT(NF_DROP);
		case IPTS_TGT_RETURN:
			goto do_return;
		case IPTS_TGT_JUMP:
			if (sp >= stacksize) {
				ipts_sim_event(s, IPTS_EV_NOTE, hook,
					       "jump stack full (%u): dropped",
					       stacksize);
				VERDICT(NF_DROP);
			}
			slot = IPTS_MEMO_NONE;
			if (ipts_path_cut(s)) {
				slot = memo_find(s, r->dest, p);
				if (slot != IPTS_MEMO_NONE) {
					const struct ipts_memo_ent *e =
						&s->memo->v[slot];

					if (e->state == MEMO_DONE &&
					    sp + e->depth <= stacksize) {
						memo_replay(s, e);
						i++;
						continue;
					}
					if (e->state != MEMO_PENDING)
						slot = IPTS_MEMO_NONE;
				}
			}
			f = &s->stack[sp++];
			f->chain = c;
			f->idx = i;
			f->slot = slot;
			f->depth = 1;
			f->impure = s->impure;
			f->lines = s->cur ? lines_of(s->cur) : 0;
			c = r->dest;
			i = seg = 0;
			lim = stretch_end(c, seg, left);
			chk = ipts_sim_ipcheck(s->ctx, c);
			cx = ipts_sim_chainidx(s->ctx, c);
			nxt = i;
			cand_ok = false;
			continue;
		case IPTS_TGT_GOTO:
			c = r->dest;
			i = seg = 0;
			lim = stretch_end(c, seg, left);
			chk = ipts_sim_ipcheck(s->ctx, c);
			cx = ipts_sim_chainidx(s->ctx, c);
			nxt = i;
			cand_ok = false;
			continue;
		case IPTS_TGT_EXT:
			v = ipts_target_run(s, r, p, hook, t->id);
			if (v == XT_CONTINUE) {
				i++;
				continue;
			}
			VERDICT(v);
		}
		/* unknown kind: the model is broken */
		ipts_sim_unmodelled(s, r, "rule without a known target kind");
		VERDICT(NF_DROP);
do_return:
		if (sp == 0) {
			/* underflow: the hook's built-in chain policy */
			c = t->builtin[hook];
			i = c->nrules;
		} else {
			f = &s->stack[--sp];
			if (f->slot != IPTS_MEMO_NONE)
				memo_store(s, f);
			if (sp && s->stack[sp - 1].depth < f->depth + 1)
				s->stack[sp - 1].depth = f->depth + 1;
			c = f->chain;
			i = f->idx + 1;
		}
		seg = i;
		lim = stretch_end(c, seg, left);
		chk = ipts_sim_ipcheck(s->ctx, c);
		cx = ipts_sim_chainidx(s->ctx, c);
		nxt = i;
		cand_ok = false;
	}
out:
	s->visits = s->max_visits - left;
	return verdict;
}
#undef VERDICT
