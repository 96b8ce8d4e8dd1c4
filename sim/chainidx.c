/*
 * chainidx.c - which rules of a long chain a packet may match, so that a
 * walk goes straight from one to the next (walk.c) instead of reading
 * every rule's packed ipt_ip in turn.
 *
 * The kernel walks a chain rule by rule; so does the simulator, and every
 * rule it passes still counts one visit of the budget. The index only
 * lets the walk step over rules that ipcheck_may_match() would turn away
 * anyway: a rule whose destination is one exact IPv4 address (-d A/32,
 * not inverted) cannot match a packet to another address, and one whose
 * protocol and destination port are exact (-p P ... --dport N, neither
 * inverted, the port from a tcp or udp match that only pure matches
 * precede, see pack_ports()) cannot match a packet of another protocol or
 * port. Such rules are filed under their address or (protocol, port); the
 * others are kept in a list of their own. For a packet, the rules it may
 * match are those of its address's list, its (protocol, port)'s list and
 * the other list, merged in rule order: a superset of those the packed
 * check lets through, which the walk still asks rule by rule. A rule
 * turned away by the header part runs no match, so stepping over it
 * changes nothing the kernel would do: the answer, the TRACE lines, the
 * notes and the visits counted are the same.
 */
#include "walk_int.h"	/* first: glibc headers before the uapi ones */

#include <stdlib.h>
#include <string.h>

/* Chains shorter than this are walked as they are. */
#define CHAINIDX_MIN 32

enum { KEY_DST = 1, KEY_PORT = 2, };

struct bucket {
	uint64_t key;			/* 0: free */
	uint32_t off, n;		/* into the pool */
};

struct ipts_chainidx {
	struct bucket *b;
	uint32_t nb;			/* a power of two */
	uint32_t *pool;			/* each bucket's rules, in order */
	const uint32_t *other;		/* rules under no key, in order */
	uint32_t nother;
};

static inline uint64_t key_dst(uint32_t dst)
{
	return (uint64_t)KEY_DST << 40 | dst;
}

static inline uint64_t key_port(uint8_t proto, uint16_t port)
{
	return (uint64_t)KEY_PORT << 40 | (uint32_t)proto << 16 | port;
}

/* The key rule @x is filed under, or 0: the other list. */
static uint64_t key_of(const struct ipts_ipcheck *x)
{
	if (x->dmsk == UINT32_MAX && !(x->invflags & IPT_INV_DSTIP))
		return key_dst(x->dst);
	if (x->l4proto && x->proto == x->l4proto &&
	    !(x->invflags & XT_INV_PROTO) &&
	    !(x->l4inv & XT_TCP_INV_DSTPT) && x->dpts[0] == x->dpts[1])
		return key_port(x->l4proto, x->dpts[0]);
	return 0;
}

static inline uint32_t key_hash(uint64_t k)
{
	k *= 0x9e3779b97f4a7c15ull;
	return (uint32_t)(k >> 32);
}

static struct bucket *bucket_at(const struct ipts_chainidx *cx, uint64_t k)
{
	uint32_t i;

	for (i = key_hash(k) & (cx->nb - 1);; i = (i + 1) & (cx->nb - 1)) {
		if (cx->b[i].key == k)
			return &cx->b[i];
		if (!cx->b[i].key)
			return NULL;
	}
}

struct ipts_chainidx *ipts_chainidx_build(const struct ipts_ipcheck *x,
					  uint32_t n)
{
	struct ipts_chainidx *cx;
	uint32_t *other, nother = 0, nkeyed = 0, i, off = 0;

	if (n < CHAINIDX_MIN)
		return NULL;
	for (i = 0; i < n; i++)
		if (key_of(&x[i]))
			nkeyed++;
	if (nkeyed < n / 2)
		return NULL; /* little to step over */
	cx = ipts_xcalloc(1, sizeof(*cx));
	cx->nb = 16;
	while (cx->nb < 2 * (uint64_t)nkeyed)
		cx->nb *= 2;
	cx->b = ipts_xcalloc(cx->nb, sizeof(*cx->b));
	cx->pool = ipts_xcalloc(nkeyed ? nkeyed : 1, sizeof(*cx->pool));
	other = ipts_xcalloc(n - nkeyed ? n - nkeyed : 1, sizeof(*other));
	/* count each key's rules, then give each bucket its stretch */
	for (i = 0; i < n; i++) {
		uint64_t k = key_of(&x[i]);
		uint32_t j;

		if (!k) {
			other[nother++] = i;
			continue;
		}
		for (j = key_hash(k) & (cx->nb - 1); cx->b[j].key &&
		     cx->b[j].key != k; j = (j + 1) & (cx->nb - 1))
			;
		cx->b[j].key = k;
		cx->b[j].n++;
	}
	for (i = 0; i < cx->nb; i++) {
		cx->b[i].off = off;
		off += cx->b[i].n;
		cx->b[i].n = 0;
	}
	for (i = 0; i < n; i++) {
		uint64_t k = key_of(&x[i]);
		struct bucket *b;

		if (!k)
			continue;
		b = bucket_at(cx, k);
		cx->pool[b->off + b->n++] = i;
	}
	cx->other = other;
	cx->nother = nother;
	return cx;
}

void ipts_chainidx_free(struct ipts_chainidx *cx)
{
	if (!cx)
		return;
	free(cx->b);
	free(cx->pool);
	free((void *)cx->other);
	free(cx);
}

void ipts_chainidx_lists(const struct ipts_chainidx *cx,
			 const struct ipts_pkt *p, struct ipts_cand *c)
{
	const struct bucket *b;

	c->daddr = p->daddr.ip;
	c->protocol = p->protocol;
	c->dport = p->dport;
	c->l[0] = cx->other;
	c->n[0] = cx->nother;
	c->n[1] = c->n[2] = 0;
	c->l[1] = c->l[2] = NULL;
	c->pos[0] = c->pos[1] = c->pos[2] = 0;
	b = bucket_at(cx, key_dst(p->daddr.ip));
	if (b) {
		c->l[1] = cx->pool + b->off;
		c->n[1] = b->n;
	}
	b = bucket_at(cx, key_port(p->protocol, p->dport));
	if (b) {
		c->l[2] = cx->pool + b->off;
		c->n[2] = b->n;
	}
}

/* The first item of sorted @l (of @n) not below @i, or UINT32_MAX,
 * searched from *@pos on (items before it are below @i) and galloping:
 * the next candidate is usually near, a far one costs its logarithm. */
static inline uint32_t first_from(const uint32_t *l, uint32_t n, uint32_t *pos,
				  uint32_t i)
{
	uint32_t lo = *pos, hi, step = 1;

	if (lo >= n)
		return UINT32_MAX;
	if (l[lo] >= i)
		return l[lo];
	/* l[lo] < i: find hi with l[hi] >= i (or n) */
	hi = lo + 1;
	while (hi < n && l[hi] < i) {
		lo = hi;
		step *= 2;
		hi = n - lo > step ? lo + step : n;
	}
	/* l[lo] < i, and l[hi] >= i or hi == n */
	while (hi - lo > 1) {
		uint32_t mid = lo + (hi - lo) / 2;

		if (l[mid] < i)
			lo = mid;
		else
			hi = mid;
	}
	*pos = hi;
	return hi < n ? l[hi] : UINT32_MAX;
}

uint32_t ipts_chainidx_next(struct ipts_cand *c, uint32_t i, uint32_t nrules)
{
	uint32_t best = nrules, k;

	for (k = 0; k < 3; k++) {
		uint32_t v = first_from(c->l[k], c->n[k], &c->pos[k], i);

		if (v < best)
			best = v;
	}
	return best;
}
