/*
 * probe.c - the connections worth asking when two versions of a ruleset
 * are compared (`iptsim diff`). Only rules that can make a difference give
 * values: those of chains that differ between the files, and the jumps
 * leading to them; reordering or editing one chain of a 50,000-rule file
 * then costs a few dozen walks, not millions.
 */
#include "probe.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <netinet/in.h>

#include "diag.h"
#include "model.h"	/* before the uapi headers: glibc's net/if.h first */

#include <linux/netfilter/x_tables.h>
#include <linux/netfilter/xt_iprange.h>
#include <linux/netfilter/xt_multiport.h>
#include <linux/netfilter/xt_owner.h>
#include <linux/netfilter/xt_tcpudp.h>

#define DEFAULT_SPORT	40000
#define LOOPBACK	0x7f000001u	/* host order */
/* A dimension holds at most this many values: a chain of 5,000 services
 * gives 5,000 addresses, and the cap on connections decides the rest. */
#define MAX_VALS	4096

/* --- value sets --------------------------------------------------------- */

bool ipts_probe_vals_has(const struct ipts_probe_vals *vals, uint32_t v)
{
	size_t lo = 0, hi = vals->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (vals->v[mid] == v)
			return true;
		if (vals->v[mid] < v)
			lo = mid + 1;
		else
			hi = mid;
	}
	return false;
}

/* Sorted insert: the sets are small and built once. */
static void vals_add(struct ipts_probe_vals *vals, uint32_t v)
{
	size_t i;

	if (ipts_probe_vals_has(vals, v) || vals->n >= MAX_VALS)
		return;
	if (vals->n == vals->cap) {
		vals->cap = vals->cap ? vals->cap * 2 : 8;
		vals->v = ipts_xrealloc(vals->v, vals->cap * sizeof(*vals->v));
	}
	for (i = vals->n; i > 0 && vals->v[i - 1] > v; i--)
		vals->v[i] = vals->v[i - 1];
	vals->v[i] = v;
	vals->n++;
}

static void port_add(struct ipts_probe_vals *vals, long p)
{
	if (p >= 1 && p <= 65535)
		vals_add(vals, (uint32_t)p);
}

/* A port range and the ports just outside it. */
static void port_range_add(struct ipts_probe_vals *vals, uint16_t lo,
			   uint16_t hi)
{
	if (lo == 0 && hi == 65535)
		return;		/* any port: nothing to learn */
	port_add(vals, (long)lo - 1);
	port_add(vals, lo);
	port_add(vals, hi);
	port_add(vals, (long)hi + 1);
}

/* An address the simulator can take as a local unicast one. */
static void addr_add(struct ipts_probe_vals *vals, uint32_t host)
{
	if ((host >> 24) == 0 || host >= 0xe0000000u)
		return;		/* 0.0.0.0/8, multicast, broadcast */
	vals_add(vals, htonl(host));
}

/* addr/mask (network order): one address inside, the one just past it. */
static void prefix_add(struct ipts_probe_vals *vals, uint32_t addr,
		       uint32_t mask)
{
	uint32_t a = ntohl(addr), m = ntohl(mask), net = a & m;

	if (!m)
		return;		/* any address */
	if (m == 0xffffffffu) {
		addr_add(vals, net);
		addr_add(vals, net + 1);
		return;
	}
	addr_add(vals, net + 1);
	if ((net | ~m) != 0xffffffffu)
		addr_add(vals, (net | ~m) + 1);
}

static void id_range_add(struct ipts_probe_vals *vals, uint32_t lo,
			 uint32_t hi)
{
	if (lo > 0)
		vals_add(vals, lo - 1);
	vals_add(vals, lo);
	vals_add(vals, hi);
	if (hi < 0xfffffffeu)
		vals_add(vals, hi + 1);
}

/* --- values of one rule --------------------------------------------------- */

static void add_multiport(struct ipts_probe_dims *d,
			  const struct xt_entry_match *m)
{
	/* v0 and v1 share flags, count and ports[]: v1's ranges are pairs
	 * of entries, and the values around each end cover them. */
	const struct xt_multiport *mp = (const void *)m->data;
	unsigned int i, n = mp->count;

	if (n > XT_MULTI_PORTS)
		n = XT_MULTI_PORTS;
	for (i = 0; i < n; i++) {
		long p = mp->ports[i];

		port_add(&d->dport, p - 1);
		port_add(&d->dport, p);
		port_add(&d->dport, p + 1);
		if (mp->flags != XT_MULTIPORT_DESTINATION)
			port_add(&d->sport, p);
	}
}

static void add_match(struct ipts_probe_dims *d,
		      const struct xt_entry_match *m)
{
	const char *name = m->u.user.name;

	if (ipts_blob_is_opaque(m->u.user.revision))
		return;
	if (strcmp(name, "tcp") == 0) {
		const struct xt_tcp *t = (const void *)m->data;

		vals_add(&d->proto, IPPROTO_TCP);
		port_range_add(&d->dport, t->dpts[0], t->dpts[1]);
		/* the server's port is the source of its replies */
		port_range_add(&d->dport, t->spts[0], t->spts[1]);
		port_range_add(&d->sport, t->spts[0], t->spts[1]);
	} else if (strcmp(name, "udp") == 0) {
		const struct xt_udp *u = (const void *)m->data;

		vals_add(&d->proto, IPPROTO_UDP);
		port_range_add(&d->dport, u->dpts[0], u->dpts[1]);
		port_range_add(&d->dport, u->spts[0], u->spts[1]);
		port_range_add(&d->sport, u->spts[0], u->spts[1]);
	} else if (strcmp(name, "multiport") == 0) {
		add_multiport(d, m);
	} else if (strcmp(name, "owner") == 0) {
		const struct xt_owner_match_info *o = (const void *)m->data;

		if (o->match & XT_OWNER_UID)
			id_range_add(&d->uid, o->uid_min, o->uid_max);
		if (o->match & XT_OWNER_GID)
			id_range_add(&d->gid, o->gid_min, o->gid_max);
	} else if (strcmp(name, "iprange") == 0 && m->u.user.revision >= 1) {
		const struct xt_iprange_mtinfo *r = (const void *)m->data;

		if (r->flags & IPRANGE_SRC) {
			addr_add(&d->src, ntohl(r->src_min.ip));
			addr_add(&d->src, ntohl(r->src_max.ip));
			addr_add(&d->src, ntohl(r->src_min.ip) - 1);
			addr_add(&d->src, ntohl(r->src_max.ip) + 1);
		}
		if (r->flags & IPRANGE_DST) {
			addr_add(&d->dst, ntohl(r->dst_min.ip));
			addr_add(&d->dst, ntohl(r->dst_max.ip));
			addr_add(&d->dst, ntohl(r->dst_min.ip) - 1);
			addr_add(&d->dst, ntohl(r->dst_max.ip) + 1);
		}
	}
}

void ipts_probe_dims_add_rule(struct ipts_probe_dims *d,
			      const struct ipts_rule *r)
{
	const struct ipt_ip *ip = &r->e->ip;
	unsigned int i;

	if (ip->proto == IPPROTO_TCP || ip->proto == IPPROTO_UDP) {
		vals_add(&d->proto, ip->proto);
		if (ip->invflags & IPT_INV_PROTO)	/* ! -p tcp: the other */
			vals_add(&d->proto, ip->proto == IPPROTO_TCP ?
				 IPPROTO_UDP : IPPROTO_TCP);
	}
	prefix_add(&d->src, ip->src.s_addr, ip->smsk.s_addr);
	prefix_add(&d->dst, ip->dst.s_addr, ip->dmsk.s_addr);
	for (i = 0; i < r->nmatches; i++)
		add_match(d, ipts_rule_match(r, i));
}

void ipts_probe_dims_free(struct ipts_probe_dims *d)
{
	free(d->proto.v);
	free(d->dport.v);
	free(d->sport.v);
	free(d->src.v);
	free(d->dst.v);
	free(d->uid.v);
	free(d->gid.v);
	memset(d, 0, sizeof(*d));
}

/* --- which chains differ ------------------------------------------------ */

/* Chains by "table/name", a small open-addressing set. */
struct chain_set {
	char **keys;
	size_t n, cap;
};

static size_t hash_str(const char *s)
{
	size_t h = 5381;

	while (*s)
		h = h * 33 + (unsigned char)*s++;
	return h;
}

static char *chain_key(const struct ipts_chain *c, char *buf, size_t len)
{
	snprintf(buf, len, "%s/%s", c->table->name, c->name);
	return buf;
}

static bool set_has(const struct chain_set *s, const char *key)
{
	size_t i;

	if (!s->cap)
		return false;
	for (i = hash_str(key) & (s->cap - 1); s->keys[i];
	     i = (i + 1) & (s->cap - 1))
		if (strcmp(s->keys[i], key) == 0)
			return true;
	return false;
}

/* Returns true when @key was new. */
static bool set_add(struct chain_set *s, const char *key)
{
	size_t i;

	if (set_has(s, key))
		return false;
	if ((s->n + 1) * 2 > s->cap) {
		struct chain_set big = { 0 };
		size_t k;

		big.cap = s->cap ? s->cap * 2 : 64;
		big.keys = ipts_xmalloc(big.cap * sizeof(char *));
		memset(big.keys, 0, big.cap * sizeof(char *));
		for (k = 0; k < s->cap; k++) {
			if (!s->keys[k])
				continue;
			for (i = hash_str(s->keys[k]) & (big.cap - 1);
			     big.keys[i]; i = (i + 1) & (big.cap - 1))
				;
			big.keys[i] = s->keys[k];
		}
		big.n = s->n;
		free(s->keys);
		*s = big;
	}
	for (i = hash_str(key) & (s->cap - 1); s->keys[i];
	     i = (i + 1) & (s->cap - 1))
		;
	s->keys[i] = ipts_xmalloc(strlen(key) + 1);
	strcpy(s->keys[i], key);
	s->n++;
	return true;
}

static void set_free(struct chain_set *s)
{
	size_t i;

	for (i = 0; i < s->cap; i++)
		free(s->keys[i]);
	free(s->keys);
}

/* The rule's words without the leading "[pkts:bytes]" counters. */
static const char *rule_words(const struct ipts_rule *r, int *len)
{
	const char *t = ipts_rule_text(r);
	int n = ipts_rule_text_len(r);

	if (n && t[0] == '[') {
		const char *end = memchr(t, ']', (size_t)n);

		if (end) {
			n -= (int)(end + 1 - t);
			t = end + 1;
			while (n && (*t == ' ' || *t == '\t')) {
				t++;
				n--;
			}
		}
	}
	*len = n;
	return t;
}

static bool rules_equal(const struct ipts_rule *a, const struct ipts_rule *b)
{
	int la, lb;
	const char *ta = rule_words(a, &la);
	const char *tb = rule_words(b, &lb);

	return la == lb && memcmp(ta, tb, (size_t)la) == 0;
}

/*
 * The rules of @a that differ from @b: those between the longest common
 * head and tail of the two lists, as [*from, *to). A rule in the common
 * head meets the same packets in both files, and decides them alike.
 */
static void changed_window(const struct ipts_chain *a,
			   const struct ipts_chain *b, uint32_t *from,
			   uint32_t *to)
{
	uint32_t head = 0, tail = 0;

	while (head < a->nrules && head < b->nrules &&
	       rules_equal(a->rules[head], b->rules[head]))
		head++;
	while (tail < a->nrules - head && tail < b->nrules - head &&
	       rules_equal(a->rules[a->nrules - 1 - tail],
			   b->rules[b->nrules - 1 - tail]))
		tail++;
	*from = head;
	*to = a->nrules - tail;
}

static bool chains_equal(const struct ipts_chain *a, const struct ipts_chain *b)
{
	uint32_t from, to;

	if (a->nrules != b->nrules || a->policy != b->policy)
		return false;
	changed_window(a, b, &from, &to);
	return from == to;
}

static bool chain_live(const struct ipts_chain *c)
{
	return c && !c->deleted;
}

/* Chains of @a whose counterpart in @b is missing or different. */
static void add_changed(struct chain_set *focus, const struct ipts_ruleset *a,
			const struct ipts_ruleset *b)
{
	unsigned int id;
	uint32_t i;
	char key[128];

	for (id = 0; id < IPTS_TABLE_COUNT; id++) {
		const struct ipts_table *ta = a->tables[id];
		const struct ipts_table *tb = b ? b->tables[id] : NULL;

		if (!ta)
			continue;
		for (i = 0; i < ta->nchains; i++) {
			const struct ipts_chain *c = ta->chains[i], *o = NULL;

			if (!chain_live(c))
				continue;
			if (tb)
				o = ipts_chain_find(tb, c->name);
			if (chain_live(o) && chains_equal(c, o))
				continue;
			set_add(focus, chain_key(c, key, sizeof(key)));
		}
	}
}

/* Add the chains that jump (or go) to a chain of @reach; true if any. */
static bool add_callers(struct chain_set *reach, const struct ipts_ruleset *rs)
{
	unsigned int id;
	uint32_t i, k;
	bool grew = false;
	char key[128];

	if (!rs)
		return false;
	for (id = 0; id < IPTS_TABLE_COUNT; id++) {
		const struct ipts_table *t = rs->tables[id];

		if (!t)
			continue;
		for (i = 0; i < t->nchains; i++) {
			const struct ipts_chain *c = t->chains[i];

			if (!chain_live(c) || set_has(reach, chain_key(c, key,
								      sizeof(key))))
				continue;
			for (k = 0; k < c->nrules; k++) {
				const struct ipts_rule *r = c->rules[k];

				if (r->dest && set_has(reach, chain_key(r->dest,
						key, sizeof(key)))) {
					set_add(reach, chain_key(c, key,
								 sizeof(key)));
					grew = true;
					break;
				}
			}
		}
	}
	return grew;
}

/* The counterpart of @c in @other, or NULL. */
static const struct ipts_chain *counterpart(const struct ipts_chain *c,
					    const struct ipts_ruleset *other)
{
	const struct ipts_table *t = other ? other->tables[c->table->id] :
		NULL;
	const struct ipts_chain *o = t ? ipts_chain_find(t, c->name) : NULL;

	return chain_live(o) ? o : NULL;
}

/* The rules values came from, for one connection each. */
struct rule_list {
	const struct ipts_rule **r;
	size_t n, cap;
};

static void collect(struct ipts_probe_dims *d, struct rule_list *rl,
		    const struct chain_set *focus, const struct chain_set *reach,
		    const struct ipts_ruleset *rs,
		    const struct ipts_ruleset *other)
{
	unsigned int id;
	uint32_t i, k;
	char key[128];

	if (!rs)
		return;
	for (id = 0; id < IPTS_TABLE_COUNT; id++) {
		const struct ipts_table *t = rs->tables[id];

		if (!t)
			continue;
		for (i = 0; i < t->nchains; i++) {
			const struct ipts_chain *c = t->chains[i], *o;
			uint32_t from = 0, to = 0;

			if (!chain_live(c) || !set_has(reach, chain_key(c, key,
								sizeof(key))))
				continue;
			if (set_has(focus, key)) {
				o = counterpart(c, other);
				to = c->nrules;
				if (o)
					changed_window(c, o, &from, &to);
			}
			for (k = 0; k < c->nrules; k++) {
				const struct ipts_rule *r = c->rules[k];

				if (!(k >= from && k < to) &&
				    !(r->dest && set_has(reach,
					chain_key(r->dest, key, sizeof(key)))))
					continue;
				ipts_probe_dims_add_rule(d, r);
				if (rl->n == rl->cap) {
					rl->cap = rl->cap ? rl->cap * 2 : 64;
					rl->r = ipts_xrealloc(rl->r, rl->cap *
							      sizeof(*rl->r));
				}
				rl->r[rl->n++] = r;
			}
		}
	}
}

/* --- the connections -------------------------------------------------- */

enum { D_PROTO, D_SRC, D_DST, D_DPORT, D_SPORT, D_UID, D_GID, D_COUNT };

static const struct ipts_probe_vals *dim(const struct ipts_probe_dims *d,
					 int i)
{
	switch (i) {
	case D_PROTO:
		return &d->proto;
	case D_SRC:
		return &d->src;
	case D_DST:
		return &d->dst;
	case D_DPORT:
		return &d->dport;
	case D_SPORT:
		return &d->sport;
	case D_UID:
		return &d->uid;
	default:
		return &d->gid;
	}
}

static size_t index_of(const struct ipts_probe_vals *vals, uint32_t v)
{
	size_t i;

	for (i = 0; i < vals->n; i++)
		if (vals->v[i] == v)
			return i;
	return 0;
}

static bool is_loopback(uint32_t addr)
{
	return (ntohl(addr) >> 24) == 127;
}

/* Connections already in the set, by their coordinates. */
struct seen {
	size_t *slot;			/* index into set->q, plus one */
	size_t cap;
};

static size_t hash_query(const struct ipts_query *q)
{
	size_t h = q->proto;

	h = h * 1000003u ^ q->src;
	h = h * 1000003u ^ q->dst;
	h = h * 1000003u ^ ((size_t)q->dport << 16 | q->sport);
	h = h * 1000003u ^ q->uid;
	h = h * 1000003u ^ q->gid;
	return h;
}

static bool same_query(const struct ipts_query *a, const struct ipts_query *b)
{
	return a->proto == b->proto && a->src == b->src && a->dst == b->dst &&
	       a->dport == b->dport && a->sport == b->sport &&
	       a->uid == b->uid && a->gid == b->gid;
}

/* Insert set->q[n] unless an equal connection is there; true if new. */
static bool seen_add(struct seen *sn, const struct ipts_probe_set *set,
		     size_t n)
{
	size_t i, k;

	if ((n + 1) * 2 > sn->cap) {
		struct seen big;

		big.cap = sn->cap ? sn->cap * 2 : 256;
		big.slot = ipts_xmalloc(big.cap * sizeof(*big.slot));
		memset(big.slot, 0, big.cap * sizeof(*big.slot));
		for (k = 0; k < n; k++) {
			for (i = hash_query(&set->q[k]) & (big.cap - 1);
			     big.slot[i]; i = (i + 1) & (big.cap - 1))
				;
			big.slot[i] = k + 1;
		}
		free(sn->slot);
		*sn = big;
	}
	for (i = hash_query(&set->q[n]) & (sn->cap - 1); sn->slot[i];
	     i = (i + 1) & (sn->cap - 1))
		if (same_query(&set->q[sn->slot[i] - 1], &set->q[n]))
			return false;
	sn->slot[i] = n + 1;
	return true;
}

struct builder {
	struct ipts_probe_set *set;
	struct seen seen;
	size_t cap, max;
};

static void set_push(struct builder *bd, const size_t *at)
{
	struct ipts_probe_set *set = bd->set;
	const struct ipts_probe_dims *d = &set->dims;
	struct ipts_query *q;

	if (set->n >= bd->max)
		return;
	if (set->n == bd->cap) {
		bd->cap = bd->cap ? bd->cap * 2 : 64;
		set->q = ipts_xrealloc(set->q, bd->cap * sizeof(*set->q));
	}
	q = &set->q[set->n];
	ipts_query_init(q);
	q->proto = (uint8_t)d->proto.v[at[D_PROTO]];
	q->src = d->src.v[at[D_SRC]];
	q->dst = d->dst.v[at[D_DST]];
	q->dport = (uint16_t)d->dport.v[at[D_DPORT]];
	q->sport = (uint16_t)d->sport.v[at[D_SPORT]];
	q->uid = d->uid.v[at[D_UID]];
	q->gid = d->gid.v[at[D_GID]];
	if (!is_loopback(q->src))
		q->local_addrs[q->nlocal++] = q->src;
	if (!is_loopback(q->dst) && q->dst != q->src)
		q->local_addrs[q->nlocal++] = q->dst;
	if (seen_add(&bd->seen, set, set->n))
		set->n++;
}

/* Position of @v in @vals, or @dflt when it is not there. */
static size_t pos_or(const struct ipts_probe_vals *vals, uint32_t v,
		     size_t dflt)
{
	size_t lo = 0, hi = vals->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (vals->v[mid] == v)
			return mid;
		if (vals->v[mid] < v)
			lo = mid + 1;
		else
			hi = mid;
	}
	return dflt;
}

static uint32_t prefix_inside(uint32_t addr, uint32_t mask)
{
	uint32_t net = ntohl(addr) & ntohl(mask);

	return htonl(ntohl(mask) == 0xffffffffu ? net : net + 1);
}

static void exemplar_match(const struct ipts_probe_dims *d, size_t *at,
			   const struct xt_entry_match *m)
{
	const char *name = m->u.user.name;

	if (ipts_blob_is_opaque(m->u.user.revision))
		return;
	if (strcmp(name, "tcp") == 0 || strcmp(name, "udp") == 0) {
		/* xt_tcp and xt_udp begin alike: spts, dpts */
		const struct xt_udp *u = (const void *)m->data;

		if (!(u->invflags & XT_UDP_INV_DSTPT) &&
		    !(u->dpts[0] == 0 && u->dpts[1] == 65535))
			at[D_DPORT] = pos_or(&d->dport, u->dpts[0] ? u->dpts[0] :
					     u->dpts[1], at[D_DPORT]);
		if (!(u->invflags & XT_UDP_INV_SRCPT) &&
		    !(u->spts[0] == 0 && u->spts[1] == 65535))
			at[D_SPORT] = pos_or(&d->sport, u->spts[0] ? u->spts[0] :
					     u->spts[1], at[D_SPORT]);
	} else if (strcmp(name, "multiport") == 0) {
		const struct xt_multiport *mp = (const void *)m->data;
		bool inv = m->u.user.revision >= 1 &&
			   ((const struct xt_multiport_v1 *)mp)->invert;

		if (mp->count && !inv && mp->flags != XT_MULTIPORT_SOURCE)
			at[D_DPORT] = pos_or(&d->dport, mp->ports[0],
					     at[D_DPORT]);
	} else if (strcmp(name, "owner") == 0) {
		const struct xt_owner_match_info *o = (const void *)m->data;

		if ((o->match & XT_OWNER_UID) && !(o->invert & XT_OWNER_UID))
			at[D_UID] = pos_or(&d->uid, o->uid_min, at[D_UID]);
		if ((o->match & XT_OWNER_GID) && !(o->invert & XT_OWNER_GID))
			at[D_GID] = pos_or(&d->gid, o->gid_min, at[D_GID]);
	} else if (strcmp(name, "iprange") == 0 && m->u.user.revision >= 1) {
		const struct xt_iprange_mtinfo *r = (const void *)m->data;

		if ((r->flags & IPRANGE_SRC) && !(r->flags & IPRANGE_SRC_INV))
			at[D_SRC] = pos_or(&d->src, r->src_min.ip, at[D_SRC]);
		if ((r->flags & IPRANGE_DST) && !(r->flags & IPRANGE_DST_INV))
			at[D_DST] = pos_or(&d->dst, r->dst_min.ip, at[D_DST]);
	}
}

/* One connection the rule matches on what it names, defaults elsewhere. */
static void exemplar(const struct ipts_probe_dims *d, size_t *at,
		     const struct ipts_rule *r)
{
	const struct ipt_ip *ip = &r->e->ip;
	unsigned int i;

	if ((ip->proto == IPPROTO_TCP || ip->proto == IPPROTO_UDP) &&
	    !(ip->invflags & IPT_INV_PROTO))
		at[D_PROTO] = pos_or(&d->proto, ip->proto, at[D_PROTO]);
	if (ip->smsk.s_addr && !(ip->invflags & IPT_INV_SRCIP))
		at[D_SRC] = pos_or(&d->src, prefix_inside(ip->src.s_addr,
				   ip->smsk.s_addr), at[D_SRC]);
	if (ip->dmsk.s_addr && !(ip->invflags & IPT_INV_DSTIP))
		at[D_DST] = pos_or(&d->dst, prefix_inside(ip->dst.s_addr,
				   ip->dmsk.s_addr), at[D_DST]);
	for (i = 0; i < r->nmatches; i++)
		exemplar_match(d, at, ipts_rule_match(r, i));
}

/*
 * In order, until the cap: the defaults; for each rule values came from,
 * one connection it matches; every value of each dimension once, the
 * others at their default; then every other combination.
 */
static void enumerate(struct ipts_probe_set *set, const size_t *base,
		      const struct rule_list *rl, size_t max)
{
	const struct ipts_probe_dims *d = &set->dims;
	struct builder bd = { .set = set, .max = max };
	size_t at[D_COUNT], total = 1, k;
	int i;

	for (i = 0; i < D_COUNT; i++) {
		size_t n = dim(d, i)->n;

		total = total > SIZE_MAX / n ? SIZE_MAX : total * n;
	}
	set->total = total;
	set_push(&bd, base);
	for (k = 0; k < rl->n && set->n < max; k++) {
		memcpy(at, base, sizeof(at));
		exemplar(d, at, rl->r[k]);
		set_push(&bd, at);
	}
	for (i = 0; i < D_COUNT; i++) {
		for (k = 0; k < dim(d, i)->n && set->n < max; k++) {
			memcpy(at, base, sizeof(at));
			at[i] = k;
			set_push(&bd, at);
		}
	}
	memset(at, 0, sizeof(at));
	while (set->n < max) {
		set_push(&bd, at);
		for (i = D_COUNT - 1; i >= 0; i--) {
			if (++at[i] < dim(d, i)->n)
				break;
			at[i] = 0;
		}
		if (i < 0)
			break;
	}
	free(bd.seen.slot);
}

int ipts_probe_derive(const struct ipts_ruleset *old,
		      const struct ipts_ruleset *new_rs,
		      const struct ipts_probe_opts *opts,
		      struct ipts_probe_set *set)
{
	struct ipts_probe_dims *d = &set->dims;
	struct chain_set focus = { 0 }, reach = { 0 };
	struct rule_list rl = { 0 };
	size_t base[D_COUNT], max = opts && opts->max ? opts->max :
		IPTS_PROBE_DEFAULT_MAX;
	size_t i;

	if (old)
		add_changed(&focus, old, new_rs);
	if (new_rs)
		add_changed(&focus, new_rs, old);
	for (i = 0; i < focus.cap; i++)
		if (focus.keys[i])
			set_add(&reach, focus.keys[i]);
	/* both sides each round: no short-circuit */
	for (;;) {
		bool more_old = add_callers(&reach, old);
		bool more_new = add_callers(&reach, new_rs);

		if (!more_old && !more_new)
			break;
	}
	collect(d, &rl, &focus, &reach, old, new_rs);
	collect(d, &rl, &focus, &reach, new_rs, old);
	set->focus_rules = rl.n;
	set_free(&focus);
	set_free(&reach);

	vals_add(&d->proto, IPPROTO_TCP);
	vals_add(&d->src, htonl(LOOPBACK));
	vals_add(&d->dst, htonl(LOOPBACK));
	vals_add(&d->dport, 22);
	vals_add(&d->dport, 80);
	vals_add(&d->dport, 1060);
	vals_add(&d->sport, DEFAULT_SPORT);
	vals_add(&d->uid, 0);
	vals_add(&d->uid, 1000);
	vals_add(&d->gid, 0);
	if (opts && opts->proto) {
		d->proto.n = 0;
		vals_add(&d->proto, opts->proto);
	}
	if (opts && opts->uids) {
		d->uid.n = 0;
		for (i = 0; i < opts->nuids; i++)
			vals_add(&d->uid, opts->uids[i]);
	}
	if (opts && opts->dports) {
		d->dport.n = 0;
		for (i = 0; i < opts->ndports; i++)
			vals_add(&d->dport, opts->dports[i]);
	}
	base[D_PROTO] = index_of(&d->proto, IPPROTO_TCP);
	base[D_SRC] = index_of(&d->src, htonl(LOOPBACK));
	base[D_DST] = index_of(&d->dst, htonl(LOOPBACK));
	base[D_DPORT] = index_of(&d->dport, 1060);
	base[D_SPORT] = index_of(&d->sport, DEFAULT_SPORT);
	base[D_UID] = index_of(&d->uid, 0);
	base[D_GID] = index_of(&d->gid, 0);
	enumerate(set, base, &rl, max);
	free(rl.r);
	return 0;
}

void ipts_probe_set_free(struct ipts_probe_set *set)
{
	free(set->q);
	ipts_probe_dims_free(&set->dims);
	memset(set, 0, sizeof(*set));
}
