/*
 * lint_index.c - the earlier rules of a chain that may cover a rule, for
 * IPT001 and IPT003 (lint_checks.c's ipts_lint_order()): instead of
 * comparing a rule with every earlier one, each earlier rule is filed
 * under one thing every rule it covers must share with it, and a rule is
 * compared only with the rules filed where it could be found:
 *
 *   -d or -s prefix  A with "-d P/L" (not inverted, the mask's leading L
 *                    ones) covers only rules whose -d mask has at least L
 *                    leading ones and whose address starts with P: they
 *                    are found by looking P up at each length L present
 *   -i or -o name    the same over the name's bytes: A with "-i eth0"
 *                    (its mask's leading 0xff bytes) covers only rules
 *                    whose name starts with those bytes under as long a
 *                    mask ("eth+" covers "eth0" and "eth+")
 *   ports            A's destination (or source) ports, interval by
 *                    interval: A covers only rules whose first interval
 *                    lies within one of A's. A one-port interval is a
 *                    key of the table; a range goes in a segment tree
 *                    over the ports (a leaf per 64 lowest ports, its
 *                    ranges highest top first, at most LEAF_RUNS) whose
 *                    nodes hold the highest top and the last rule filed
 *                    below them: the ranges from at most B's lowest port
 *                    up to at least its first interval's top are found
 *                    in O(log n + k) for k of them (and the ranges of
 *                    the leaf holding B's lowest port that start above
 *                    it), the latest subtree first, none of a subtree
 *                    older than the nearest cover found; before that
 *                    walk, each node's staircase (the latest rule
 *                    below it for each top) gives the latest range
 *                    that holds B's ports in O(log^2 n), and where it
 *                    covers B (most often) or there is none, the walk
 *                    is not needed
 *   both addresses   the two prefixes at once, for rules that differ only
 *                    in the pair (an expanded "-s A,B,... -d C,D,..."):
 *                    filed under a hash of both (rules whose hashes
 *                    collide only share a list), looked up per pair of
 *                    lengths filed
 *   protocol         A with "-p P" (not inverted) covers only "-p P"
 *   the rest         every rule is compared with these
 *
 * A rule goes under the one of its keys whose list is shortest so far
 * (the protocol's list counted as at least the rules that looked it up:
 * all of that protocol's).
 * The lists hold rule numbers in increasing order, so the search walks
 * each from its end and stops at the nearest earlier rule that covers:
 * the rule the old search (every earlier rule, nearest first) found.
 * The port tree's ranges are compared as the tree walk meets them, and
 * spent from the budget as that walk, nearest first, would have: where
 * the budget runs out among them they are sorted and walked so.
 * ipts_space_covers() decides each comparison; the index never decides.
 */
#include "lint_int.h"

#include <stdlib.h>

/* a segment tree's leaf: the ranges of 64 lowest ports */
#define LEAF_SHIFT 6
#define LEAVES (65536u >> LEAF_SHIFT)

enum dim {
	DIM_DST,
	DIM_SRC,
	DIM_IN,
	DIM_OUT,
	DIM_DPORT,
	DIM_SPORT,
	DIM_PROTO,
	DIM_PAIR,
	DIM_REST,
};

/* the protocols whose rules' lookups of their key are counted */
#define PROTO_SLOTS 4

/* (source, destination) prefix lengths filed as pairs, at most */
#define PAIR_LENS 16

/* the dimensions of prefixes, looked up by length: addresses and names */
#define DIM_PREFIXES DIM_DPORT

struct key {
	uint32_t a[4];
	uint16_t port;
	uint8_t dim, len;
};

/* The rules filed under a key (32 bytes, the keys' buckets one after
 * the other, the table's slots apart: struct slot): up to BUCKET_INLINE
 * of them in the bucket (most keys of a large file hold one rule: no
 * allocation), more in v, room for BUCKET_MIN or the power of two at or
 * above n. */
#define BUCKET_INLINE 2
#define BUCKET_MIN 8

struct bucket {
	struct key k;
	uint32_t n;
	union {
		uint32_t *v;
		uint32_t in[BUCKET_INLINE];
	} u;
};

static const uint32_t *bucket_v(const struct bucket *b)
{
	return b->n > BUCKET_INLINE ? b->u.v : b->u.in;
}

/*
 * What a comparison reads after struct hot, kept beside the index in one
 * small record a rule (the spaces are large, and most candidates fail on
 * these): each test below is one ipts_space_covers() makes, so a
 * candidate it rejects would not have covered.
 */
struct summary {
	uint32_t sa, sm, da, dm;	/* -s, -d: word 0, network order */
	uint64_t in, inm, out, outm;	/* -i, -o: their first 8 bytes */
	uint32_t sbits; /* port_bits() of the source ports */
	uint8_t proto, flg_mask, flg_cmp, flg_inv;
	bool sinv, dinv, pinv, iinv, oinv, tcpflags;
	bool v4; /* an IPv4 rule: sa, da are its whole addresses */
};

_Static_assert(sizeof(struct summary) == 64, "a summary is a cache line");

/*
 * The part of a summary most candidates fail on (the fragment and state
 * sets, the port bounds and bits), 16 bytes a rule in an array of its
 * own: a chain's fit in the cache where its summaries do not, and the
 * summary is read only for the candidates these pass.
 */
struct hot {
	uint32_t dbits;
	uint16_t fst, dlo, dhi, slo, shi;
	bool dn, sn;
};

/* The rules of one range, in order: up to RUN_INLINE in the run (most
 * ranges of a large file hold one rule: no allocation), more in v. */
#define RUN_INLINE 2

struct run {
	union {
		uint32_t *v;
		uint32_t in[RUN_INLINE];
	} u;
	uint32_t n, cap;
	uint16_t lo, hi;
};

static inline const uint32_t *run_v(const struct run *r)
{
	return r->n > RUN_INLINE ? r->u.v : r->u.in;
}

/* The ranges filed under one leaf's lowest ports, highest top first, at
 * most LEAF_RUNS (a range that would be one more goes under another key). */
struct leaf {
	struct run *r;
	uint32_t n, cap;
};

#define LEAF_RUNS 256

/* A node of the tree: the highest top + 1 of the ranges under it and the
 * index + 1 of the last rule filed under it; 0 for none. */
struct pnode {
	uint32_t top, last;
};

/* A step of a node's staircase: a rule filed below it and its range's
 * top. */
struct step {
	uint32_t idx, hi;
};

/*
 * The rules below a node that no later rule of as high a top follows
 * (each later rule filed there whose top is at least theirs took their
 * place): their tops fall and their rules rise along v. The latest rule
 * below the node whose range reaches a port is the last step whose top
 * is at least that port.
 */
struct stairs {
	struct step *v;
	uint32_t n, cap;
};

/*
 * The port ranges of one side (destination, source) by their lowest port:
 * node[] is the segment tree (node 1 the root, the leaf of ports p at
 * LEAVES + (p >> LEAF_SHIFT)), st[] each node's staircase. Allocated at
 * the first range filed; a clear undoes only the leaves filed (filed[])
 * and the nodes above them, not the whole tree.
 */
struct ptree {
	struct pnode *node;
	struct stairs *st;
	struct leaf *leaf;
	uint16_t *filed;
	size_t nfiled, capfiled;
};

/*
 * The copies of one expanded line ("-s A,B,... -d C,D,..."), searched as
 * the product they are rather than rule by rule: rule g0 + i * nd + j has
 * the line's source i and destination j, and every other field alike, so
 * whether an earlier copy covers one is whether the rest of its group
 * covers the rest of this one (once per pair of groups) and its source
 * and destination cover this one's (once per address of each side).
 */
struct cover_of {
	uint32_t h; /* the earlier group */
	int32_t *bs, *bd; /* per source (destination) of this group:
				 * the last of h's that covers it, or -1 */
};

struct cgroup {
	uint32_t g0, n, nd, ns; /* first rule, copies, destinations, sources */
	struct ipts_addr_set *src, *dst; /* its ns sources, nd destinations */
	uint32_t added; /* copies added so far */
	uint32_t indexed; /* of them, filed in the index */
	bool prepared, own; /* own: the rest covers itself */
	/* per destination j: the last j' < j whose destination covers it,
	 * and the last j' at all; per source i, the last i' < i */
	int32_t *jlt, *jall, *ilt;
	struct cover_of *by; /* the earlier groups whose rest covers */
	uint32_t nby;
};

/* a group is at least this many copies, and a chain has at most
 * MAX_GROUPS of them (the rest go through the index, rule by rule) */
#define GROUP_MIN 4
#define MAX_GROUPS 32

/* A slot of the table: the key's hash, and its bucket's index + 1 in b
 * (0: empty). 8 bytes: a probe reads these, and a bucket only where the
 * hash is the key's. */
struct slot {
	uint32_t h, b;
};

struct ipts_cover_index {
	struct slot *slots;
	struct bucket *b; /* the keys filed, in the order they came */
	size_t capb;
	/* by rule index: the summaries of the rules added */
	struct summary *sum;
	struct hot *hot; /* by rule index, beside sum */
	size_t capsum;
	size_t cap, used; /* slots; keys (buckets) */
	/* every rule added, in order: for a rule no key finds */
	uint32_t *all;
	size_t nall, capall;
	/* the lengths filed so far, per dimension looked up by length */
	bool lens[DIM_PREFIXES][129];
	/* the same, each dimension's in increasing order */
	uint8_t lenv[DIM_PREFIXES][129];
	unsigned int nlen[DIM_PREFIXES];
	/* what find() worked out of the rule it was last asked about, which
	 * add() is then usually given */
	const struct ipts_space *last;
	struct summary last_sum;
	struct hot last_hot;
	struct ipts_addr_key last_ak[DIM_PREFIXES];
	bool last_has_ak;
	/* destination and source port ranges */
	struct ptree pt[2];
	/* the candidates a port range query found (find's scratch) */
	uint32_t *cand;
	size_t capcand;
	/* per protocol of proto_slot(), the rules since the last clear that
	 * looked its key up: about as many of the rules to come will (a
	 * few words: an index is made per chain, and kube-proxy's saves
	 * have tens of thousands) */
	uint32_t proto_q[PROTO_SLOTS];
	/* the (source, destination) lengths filed as pairs */
	uint8_t pair_len[PAIR_LENS][2];
	unsigned int npairs;
	/* the copies of expanded lines searched as products (below) */
	struct cgroup *grp;
	uint32_t ngrp;
	uint32_t *grp_of; /* by rule index: group + 1, or 0 */
	uint32_t nrules;
	uint32_t *win; /* the groups added to since the last clear */
	uint32_t nwin;
};

#define INITIAL_CAP 64

/* The protocols whose lookups are counted, each in its slot of
 * proto_q[] (PROTO_SLOTS for the others: not counted). */
static unsigned int proto_slot(uint8_t proto)
{
	switch (proto) {
	case IPPROTO_TCP:
		return 0;
	case IPPROTO_UDP:
		return 1;
	case IPPROTO_SCTP:
		return 2;
	case IPPROTO_ICMP:
		return 3;
	default:
		return PROTO_SLOTS;
	}
}

/* A key's hash: its address as two words and its dimension, length and
 * port as a third, each folded in by a multiply and a shift (the masked
 * prefixes of a large file differ in their high bits: the shifts bring
 * them down to the low bits a slot is taken from). */
static uint64_t key_hash(const struct key *k)
{
	uint64_t w0, w1, h;

	memcpy(&w0, &k->a[0], sizeof(w0));
	memcpy(&w1, &k->a[2], sizeof(w1));
	h = (w0 ^ 0x9e3779b97f4a7c15ull) * 0xff51afd7ed558ccdull;
	h ^= h >> 32;
	h = (h ^ w1) * 0xc4ceb9fe1a85ec53ull;
	h ^= h >> 32;
	h = (h ^ k->dim ^ ((uint64_t)k->len << 8) ^ ((uint64_t)k->port << 16)) *
	    0xff51afd7ed558ccdull;
	return h ^ (h >> 29);
}

static bool key_eq(const struct key *x, const struct key *y)
{
	return x->dim == y->dim && x->len == y->len && x->port == y->port &&
	       !memcmp(x->a, y->a, sizeof(x->a));
}

static void table_init(struct ipts_cover_index *x)
{
	x->cap = INITIAL_CAP;
	x->used = 0;
	x->slots = ipts_xcalloc(x->cap, sizeof(*x->slots));
}

static void table_free(struct ipts_cover_index *x)
{
	size_t i;

	for (i = 0; i < x->used; i++)
		if (x->b[i].n > BUCKET_INLINE)
			free(x->b[i].u.v);
	free(x->slots);
	x->slots = NULL;
	free(x->b);
	x->b = NULL;
	x->capb = 0;
}

/* The slot of @k (hash @h): its bucket's, or the empty one it would
 * take. A slot whose hash differs is passed without its bucket read. */
static struct slot *slot(const struct ipts_cover_index *x, const struct key *k,
			 uint32_t h)
{
	size_t i = h & (x->cap - 1);
	struct slot *s = x->slots;

	while (s[i].b && (s[i].h != h || !key_eq(&x->b[s[i].b - 1].k, k)))
		i = (i + 1) & (x->cap - 1);
	return &s[i];
}

static void grow(struct ipts_cover_index *x)
{
	struct slot *old = x->slots;
	size_t i, j, oldcap = x->cap;

	x->cap *= 2;
	x->slots = ipts_xcalloc(x->cap, sizeof(*x->slots));
	for (i = 0; i < oldcap; i++) {
		if (!old[i].b)
			continue;
		for (j = old[i].h & (x->cap - 1); x->slots[j].b;
		     j = (j + 1) & (x->cap - 1))
			;
		x->slots[j] = old[i];
	}
	free(old);
}

static const struct bucket *lookup(const struct ipts_cover_index *x,
				   const struct key *k)
{
	const struct slot *s = slot(x, k, (uint32_t)key_hash(k));

	return s->b ? &x->b[s->b - 1] : NULL;
}

static uint32_t count(const struct ipts_cover_index *x, const struct key *k)
{
	const struct bucket *b = lookup(x, k);

	return b ? b->n : 0;
}

static void push(struct ipts_cover_index *x, const struct key *k, uint32_t idx)
{
	uint32_t h = (uint32_t)key_hash(k);
	struct bucket *b;
	struct slot *s;

	if ((x->used + 1) * 2 > x->cap)
		grow(x);
	s = slot(x, k, h);
	if (!s->b) {
		if (x->used == x->capb) {
			if (x->capb >= UINT32_MAX / 2)
				ipts_oom();
			x->capb = x->capb ? x->capb * 2 : INITIAL_CAP / 2;
			x->b = ipts_xrealloc(x->b, x->capb * sizeof(*x->b));
		}
		b = &x->b[x->used++];
		memset(b, 0, sizeof(*b));
		b->k = *k;
		s->h = h;
		s->b = (uint32_t)x->used;
	} else {
		b = &x->b[s->b - 1];
	}
	if (b->n < BUCKET_INLINE) {
		b->u.in[b->n++] = idx;
		return;
	}
	if (b->n == BUCKET_INLINE) {
		uint32_t *v = ipts_xmalloc(BUCKET_MIN * sizeof(*v));

		memcpy(v, b->u.in, sizeof(b->u.in));
		b->u.v = v;
	} else if (b->n >= BUCKET_MIN && !(b->n & (b->n - 1))) {
		if (b->n > UINT32_MAX / 2)
			ipts_oom();
		b->u.v = ipts_xrealloc(b->u.v,
				       2 * (size_t)b->n * sizeof(*b->u.v));
	}
	b->u.v[b->n++] = idx;
}

/* The key of the rules of the one port @p on side @d (0 destination). */
static struct key *port_key(struct key *k, unsigned int d, uint16_t p)
{
	memset(k, 0, sizeof(*k));
	k->dim = (uint8_t)(DIM_DPORT + d);
	k->port = p;
	return k;
}

/* The range of @s's ports, lowest to highest, in *@lo, *@hi; false when
 * @s is every port or none (no range to file a rule under). */
static bool port_range(const struct ipts_ports *s, uint16_t *lo, uint16_t *hi)
{
	const uint16_t *iv = ipts_ports_iv(s);

	if (!s->n || ipts_ports_is_full(s))
		return false;
	*lo = iv[0];
	*hi = iv[2 * s->n - 1];
	return true;
}

/* @f's run of the range @lo to @hi, or NULL. */
static struct run *leaf_run(const struct leaf *f, uint16_t lo, uint16_t hi)
{
	uint32_t i;

	for (i = 0; i < f->n; i++)
		if (f->r[i].lo == lo && f->r[i].hi == hi)
			return &f->r[i];
	return NULL;
}

/* How many rules @t holds of the range @lo to @hi, and two: a range meets
 * more rules than a port (every later rule whose ports it holds walks
 * past it), so a port's key of as many and one more goes first (with one,
 * a new range tied with a port's key of one rule, and took the rule:
 * addronly's rules, a source port and a destination range each, went to
 * the tree 12 % more instructions). UINT32_MAX when it has no room. */
static uint32_t ptree_count(const struct ptree *t, uint16_t lo, uint16_t hi)
{
	const struct leaf *f;
	const struct run *r;

	if (!t->node)
		return 2;
	f = &t->leaf[lo >> LEAF_SHIFT];
	r = leaf_run(f, lo, hi);
	if (r)
		return r->n + 2;
	return f->n < LEAF_RUNS ? 2 : UINT32_MAX;
}

/* Rule @idx, the latest filed below the node of @st, with a range up to
 * @hi: the steps of tops up to @hi are no longer the latest to reach
 * theirs. */
static void stairs_push(struct stairs *st, uint16_t hi, uint32_t idx)
{
	while (st->n && st->v[st->n - 1].hi <= hi)
		st->n--;
	if (st->n == st->cap) {
		if (st->cap >= UINT32_MAX / 2)
			ipts_oom();
		st->cap = st->cap ? st->cap * 2 : 4;
		st->v = ipts_xrealloc(st->v, st->cap * sizeof(*st->v));
	}
	st->v[st->n].idx = idx;
	st->v[st->n].hi = hi;
	st->n++;
}

/* The latest rule of @st whose range reaches @hi, later than @floor; else
 * @floor. */
static int64_t stairs_latest(const struct stairs *st, uint16_t hi,
			     int64_t floor)
{
	uint32_t a = 0, b = st->n, m;

	/* the steps of tops at least hi come first: a, the first not */
	if (b && st->v[b - 1].hi >= hi)
		a = b;
	while (a < b) {
		m = a + (b - a) / 2;
		if (st->v[m].hi >= hi)
			a = m + 1;
		else
			b = m;
	}
	return a && (int64_t)st->v[a - 1].idx > floor ? st->v[a - 1].idx :
							floor;
}

/* File rule @idx under @lo to @hi: only when ptree_count() is not
 * UINT32_MAX. */
static void ptree_add(struct ptree *t, uint16_t lo, uint16_t hi, uint32_t idx)
{
	struct leaf *f;
	struct run *r;
	uint32_t v;

	if (!t->node) {
		t->node = ipts_xcalloc(2 * LEAVES, sizeof(*t->node));
		t->st = ipts_xcalloc(2 * LEAVES, sizeof(*t->st));
		t->leaf = ipts_xcalloc(LEAVES, sizeof(*t->leaf));
	}
	f = &t->leaf[lo >> LEAF_SHIFT];
	if (!f->n) {
		if (t->nfiled == t->capfiled) {
			t->capfiled = t->capfiled ? t->capfiled * 2 : 64;
			t->filed = ipts_xrealloc(t->filed,
						 t->capfiled *
							 sizeof(*t->filed));
		}
		t->filed[t->nfiled++] = (uint16_t)(lo >> LEAF_SHIFT);
	}
	r = leaf_run(f, lo, hi);
	if (!r) {
		uint32_t at = 0;

		if (f->n == f->cap) {
			f->cap = f->cap ? f->cap * 2 : 4;
			f->r = ipts_xrealloc(f->r, f->cap * sizeof(*f->r));
		}
		/* highest top first (at most LEAF_RUNS to move) */
		while (at < f->n && f->r[at].hi >= hi)
			at++;
		memmove(f->r + at + 1, f->r + at, (f->n - at) * sizeof(*f->r));
		f->n++;
		r = &f->r[at];
		memset(r, 0, sizeof(*r));
		r->lo = lo;
		r->hi = hi;
	}
	if (r->n < RUN_INLINE) {
		r->u.in[r->n++] = idx;
	} else {
		if (r->n == RUN_INLINE) {
			uint32_t *nv = ipts_xmalloc(4 * sizeof(*nv));

			memcpy(nv, r->u.in, sizeof(r->u.in));
			r->u.v = nv;
			r->cap = 4;
		} else if (r->n == r->cap) {
			if (r->cap > UINT32_MAX / 2)
				ipts_oom();
			r->cap *= 2;
			r->u.v = ipts_xrealloc(r->u.v,
					       r->cap * sizeof(*r->u.v));
		}
		r->u.v[r->n++] = idx;
	}
	for (v = LEAVES + (lo >> LEAF_SHIFT); v; v >>= 1) {
		if (t->node[v].top < (uint32_t)hi + 1)
			t->node[v].top = (uint32_t)hi + 1;
		t->node[v].last = idx + 1; /* rules come in order */
		if (v > 1) /* the root holds no prefix of leaves */
			stairs_push(&t->st[v], hi, idx);
	}
}

static void ptree_clear(struct ptree *t)
{
	size_t i;
	uint32_t v;

	for (i = 0; i < t->nfiled; i++) {
		struct leaf *f = &t->leaf[t->filed[i]];
		uint32_t j;

		for (j = 0; j < f->n; j++)
			if (f->r[j].n > RUN_INLINE)
				free(f->r[j].u.v);
		free(f->r);
		memset(f, 0, sizeof(*f));
		for (v = LEAVES + t->filed[i]; v && t->node[v].top; v >>= 1) {
			t->node[v].top = t->node[v].last = 0;
			t->st[v].n = 0;
		}
	}
	t->nfiled = 0;
}

static void ptree_free(struct ptree *t)
{
	uint32_t v;

	if (t->node) {
		ptree_clear(t);
		for (v = 0; v < 2 * LEAVES; v++)
			free(t->st[v].v);
	}
	free(t->st);
	free(t->node);
	free(t->leaf);
	free(t->filed);
}

static void cand_push(struct ipts_cover_index *x, size_t *n, uint32_t idx)
{
	if (*n == x->capcand) {
		x->capcand = x->capcand ? x->capcand * 2 : 64;
		x->cand = ipts_xrealloc(x->cand, x->capcand * sizeof(*x->cand));
	}
	x->cand[(*n)++] = idx;
}

static inline bool may_cover(const struct summary *a, const struct summary *b)
	__attribute__((always_inline));
static inline bool hot_may(const struct hot *a, const struct hot *b)
	__attribute__((always_inline));

/* One port range query: the ranges from at most lo up to at least hi. */
struct pquery {
	const struct ipts_space *sp, *b;
	const struct summary *bs;
	const struct hot *bh;
	uint16_t lo, hi;
	int64_t floor; /* the nearest that covers so far, or where to stop */
	int64_t found; /* the nearest that covers, or -1 */
	size_t n; /* the candidates in x->cand */
};

/*
 * Under @t's node @v (leaves [@s, @e]): every range of @q above q->floor
 * into x->cand, and each that covers q->b raises q->floor and q->found.
 * The child of the later last rule first: the nearest cover is found
 * early and the subtrees of only earlier rules are left.
 */
/* Node @v, its leaves from @s, may hold a range of @q not yet passed. */
static inline bool ptree_may(const struct ptree *t, uint32_t v, uint32_t s,
			     const struct pquery *q)
{
	return (s << LEAF_SHIFT) <= q->lo &&
	       t->node[v].top >= (uint32_t)q->hi + 1 &&
	       (int64_t)t->node[v].last - 1 > q->floor;
}

/* ptree_find() below node @v (leaves [@s, @e]), which ptree_may() let
 * in: the children asked before they are entered. */
static void ptree_walk(struct ipts_cover_index *x, const struct ptree *t,
		       uint32_t v, uint32_t s, uint32_t e, struct pquery *q);

static void ptree_find(struct ipts_cover_index *x, const struct ptree *t,
		       uint32_t v, uint32_t s, uint32_t e, struct pquery *q)
{
	if (ptree_may(t, v, s, q))
		ptree_walk(x, t, v, s, e, q);
}

static void ptree_walk(struct ipts_cover_index *x, const struct ptree *t,
		       uint32_t v, uint32_t s, uint32_t e, struct pquery *q)
{
	uint32_t i, m, c0, c1;

	if (s == e) {
		const struct leaf *f = &t->leaf[s];

		for (i = 0; i < f->n; i++) {
			const struct run *r = &f->r[i];
			const uint32_t *rv = run_v(r);
			uint32_t j = r->n;

			if (r->hi < q->hi)
				break; /* and so are the rest */
			if (r->lo > q->lo)
				continue;
			/* nearest first, down to the nearest cover so far */
			while (j-- > 0 && (int64_t)rv[j] > q->floor) {
				uint32_t k = rv[j];

				cand_push(x, &q->n, k);
				if (hot_may(&x->hot[k], q->bh) &&
				    may_cover(&x->sum[k], q->bs) &&
				    ipts_space_covers(&q->sp[k], q->b)) {
					q->floor = q->found = k;
					break;
				}
			}
		}
		return;
	}
	m = s + (e - s) / 2;
	c0 = 2 * v;
	c1 = 2 * v + 1;
	/* each child asked again after the other: q->floor may have risen */
	if (t->node[c1].last > t->node[c0].last) {
		if (ptree_may(t, c1, m + 1, q))
			ptree_walk(x, t, c1, m + 1, e, q);
		if (ptree_may(t, c0, s, q))
			ptree_walk(x, t, c0, s, m, q);
	} else {
		if (ptree_may(t, c0, s, q))
			ptree_walk(x, t, c0, s, m, q);
		if (ptree_may(t, c1, m + 1, q))
			ptree_walk(x, t, c1, m + 1, e, q);
	}
}

/*
 * The latest rule of @t whose range holds q->lo to q->hi, later than
 * q->floor; else q->floor. The leaf of q->lo's ranges one by one (those
 * starting above q->lo do not hold it), the leaves below it by the
 * staircases of the nodes that cover them and no more (all of their
 * ranges start below q->lo). Whether that rule covers is asked after:
 * when it does, it is what ptree_find() would find, and the only
 * candidate it would count.
 */
static int64_t ptree_latest(const struct ptree *t, const struct pquery *q)
{
	const struct leaf *f = &t->leaf[q->lo >> LEAF_SHIFT];
	int64_t best = q->floor;
	uint32_t i, a, b;

	for (i = 0; i < f->n; i++) {
		const struct run *r = &f->r[i];

		if (r->hi < q->hi)
			break; /* and so are the rest */
		if (r->lo <= q->lo && (int64_t)run_v(r)[r->n - 1] > best)
			best = run_v(r)[r->n - 1];
	}
	/* the nodes that cover the leaves [0, q->lo's) exactly */
	for (a = LEAVES, b = LEAVES + (q->lo >> LEAF_SHIFT); a < b;
	     a >>= 1, b >>= 1) {
		if (a & 1) {
			if (t->node[a].top >= (uint32_t)q->hi + 1 &&
			    (int64_t)t->node[a].last - 1 > best)
				best = stairs_latest(&t->st[a], q->hi, best);
			a++;
		}
		if (b & 1) {
			b--;
			if (t->node[b].top >= (uint32_t)q->hi + 1 &&
			    (int64_t)t->node[b].last - 1 > best)
				best = stairs_latest(&t->st[b], q->hi, best);
		}
	}
	return best;
}

/*
 * A rule is filed under each of its port intervals: one port in the
 * table, a range in the tree. A rule covers B only if one of its
 * intervals holds B's first, and B's first lies in at most one of them:
 * B finds it once. port_count() is what filing it would add to.
 */
static uint32_t port_count(const struct ipts_cover_index *x,
			   const struct ipts_ports *s, unsigned int d)
{
	const uint16_t *iv = ipts_ports_iv(s);
	uint64_t c = 0;
	unsigned int i;
	struct key k;

	for (i = 0; i < s->n; i++)
		c += iv[2 * i] == iv[2 * i + 1] ?
			     count(x, port_key(&k, d, iv[2 * i])) :
			     ptree_count(&x->pt[d], iv[2 * i], iv[2 * i + 1]);
	return c < UINT32_MAX ? (uint32_t)c : UINT32_MAX;
}

static void port_file(struct ipts_cover_index *x, const struct ipts_ports *s,
		      unsigned int d, uint32_t idx)
{
	const uint16_t *iv = ipts_ports_iv(s);
	unsigned int i;
	struct key k;

	for (i = 0; i < s->n; i++)
		if (iv[2 * i] == iv[2 * i + 1])
			push(x, port_key(&k, d, iv[2 * i]), idx);
		else
			ptree_add(&x->pt[d], iv[2 * i], iv[2 * i + 1], idx);
}

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return (x > y) - (x < y);
}

static void groups_free(struct ipts_cover_index *x)
{
	uint32_t g, k;

	for (g = 0; g < x->ngrp; g++) {
		struct cgroup *G = &x->grp[g];

		free(G->src);
		free(G->dst);
		free(G->jlt);
		free(G->jall);
		free(G->ilt);
		for (k = 0; k < G->nby; k++) {
			free(G->by[k].bs);
			free(G->by[k].bd);
		}
		free(G->by);
	}
	free(x->grp);
	free(x->grp_of);
	free(x->win);
	x->grp = NULL;
	x->grp_of = x->win = NULL;
	x->ngrp = x->nwin = x->nrules = 0;
}

struct ipts_cover_index *ipts_cover_index_new(void)
{
	struct ipts_cover_index *x = ipts_xcalloc(1, sizeof(*x));

	table_init(x);
	return x;
}

void ipts_cover_index_free(struct ipts_cover_index *x)
{
	if (!x)
		return;
	table_free(x);
	ptree_free(&x->pt[0]);
	ptree_free(&x->pt[1]);
	free(x->sum);
	free(x->hot);
	free(x->all);
	free(x->cand);
	groups_free(x);
	free(x);
}

void ipts_cover_index_clear(struct ipts_cover_index *x)
{
	x->nwin = 0;
	if (!x->nall)
		return;
	/* the cost of a clear is what was added since the last one */
	table_free(x);
	table_init(x);
	x->nall = 0;
	x->npairs = 0;
	memset(x->proto_q, 0, sizeof(x->proto_q));
	memset(x->lens, 0, sizeof(x->lens));
	memset(x->nlen, 0, sizeof(x->nlen));
	ptree_clear(&x->pt[0]);
	ptree_clear(&x->pt[1]);
}

/* The top @len bits of @k's address as the key of dimension @dim. */
static void addr_key(struct key *out, enum dim dim,
		     const struct ipts_addr_key *k, unsigned int len)
{
	unsigned int i;

	memset(out, 0, sizeof(*out));
	out->dim = (uint8_t)dim;
	out->len = (uint8_t)len;
	for (i = 0; i < k->words; i++) {
		unsigned int bits = len > 32 * i ? len - 32 * i : 0;

		if (bits >= 32)
			out->a[i] = k->a[i];
		else if (bits)
			out->a[i] = k->a[i] & ~(0xffffffffu >> bits);
	}
}

/* The pair of @s's top @ls bits and @d's top @ld bits, hashed. */
static void pair_key(struct key *out, const struct ipts_addr_key *s,
		     unsigned int ls, const struct ipts_addr_key *d,
		     unsigned int ld)
{
	struct key a, b;
	uint64_t h;

	addr_key(&a, DIM_PAIR, s, ls);
	addr_key(&b, DIM_PAIR, d, ld);
	h = key_hash(&a) * 31 + key_hash(&b);
	memset(out, 0, sizeof(*out));
	out->dim = DIM_PAIR;
	out->len = (uint8_t)ls;
	out->port = (uint16_t)ld;
	out->a[0] = (uint32_t)h;
	out->a[1] = (uint32_t)(h >> 32);
	h = key_hash(&b) * 31 + key_hash(&a);
	out->a[2] = (uint32_t)h;
	out->a[3] = (uint32_t)(h >> 32);
}

/* The slot of lengths (@ls, @ld) among the pairs filed, or -1 (and a new
 * one when @add and there is room). */
static int pair_slot(struct ipts_cover_index *x, unsigned int ls,
		     unsigned int ld, bool add)
{
	unsigned int i;

	for (i = 0; i < x->npairs; i++)
		if (x->pair_len[i][0] == ls && x->pair_len[i][1] == ld)
			return (int)i;
	if (!add || x->npairs == PAIR_LENS)
		return -1;
	x->pair_len[x->npairs][0] = (uint8_t)ls;
	x->pair_len[x->npairs][1] = (uint8_t)ld;
	return (int)x->npairs++;
}

static void small_key(struct key *out, enum dim dim, unsigned int len,
		      uint16_t v)
{
	memset(out, 0, sizeof(*out));
	out->dim = (uint8_t)dim;
	out->len = (uint8_t)len;
	out->port = v;
}

/* An interface name as an address key: its leading 0xff mask bytes. */
static void ifc_addr(const char *name, const unsigned char *mask, bool inv,
		     struct ipts_addr_key *k)
{
	unsigned int i;

	memset(k, 0, sizeof(*k));
	k->words = 4;
	k->inv = inv;
	while (k->lead < IFNAMSIZ * 8 && mask[k->lead / 8] == 0xff)
		k->lead += 8;
	for (i = 0; i < k->lead / 8; i++)
		k->a[i / 4] |= (uint32_t)(unsigned char)name[i]
			       << (24 - 8 * (i % 4));
}

/* The keys of @sp's dimensions looked up by length: [DIM_DST] ... */
static void len_keys(const struct ipts_space *sp, const struct ipt_ip *ip,
		     struct ipts_addr_key *ak)
{
	ipts_space_addr(sp, false, &ak[DIM_DST]);
	ipts_space_addr(sp, true, &ak[DIM_SRC]);
	ifc_addr(ip->iniface, ip->iniface_mask, ip->invflags & IPT_INV_VIA_IN,
		 &ak[DIM_IN]);
	ifc_addr(ip->outiface, ip->outiface_mask,
		 ip->invflags & IPT_INV_VIA_OUT, &ak[DIM_OUT]);
}

/*
 * The ports of @s as 32 bits: bit p % 32 for each port p (an interval of
 * 32 ports or more sets them all). A set within another has its bits
 * among the other's: a multiport list that holds the bounds of a rule's
 * ports but not its ports is told apart without the sets compared.
 */
static uint32_t port_bits(const struct ipts_ports *s)
{
	const uint16_t *iv = ipts_ports_iv(s);
	uint32_t bits = 0, i;

	for (i = 0; i < s->n && bits != UINT32_MAX; i++) {
		uint32_t lo = iv[2 * i], hi = iv[2 * i + 1], w;

		if (hi - lo >= 31) {
			bits = UINT32_MAX;
			break;
		}
		/* hi - lo + 1 bits from lo % 32, wrapping */
		w = (1u << (hi - lo + 1)) - 1;
		bits |= (w << (lo % 32)) | (lo % 32 ? w >> (32 - lo % 32) : 0);
	}
	return bits;
}

static void summarize(const struct ipts_space *sp, const struct ipt_ip *ip,
		      struct summary *o, struct hot *h)
{
	const struct ipts_rule *r = sp->r;

	memset(o, 0, sizeof(*o));
	memset(h, 0, sizeof(*h));
	h->fst = (uint16_t)(sp->frag | sp->states << 8);
	h->dn = sp->dport.n != 0;
	h->sn = sp->sport.n != 0;
	h->dbits = port_bits(&sp->dport);
	o->sbits = port_bits(&sp->sport);
	if (h->dn) {
		const uint16_t *iv = ipts_ports_iv(&sp->dport);

		h->dlo = iv[0];
		h->dhi = iv[2 * sp->dport.n - 1];
	}
	if (h->sn) {
		const uint16_t *iv = ipts_ports_iv(&sp->sport);

		h->slo = iv[0];
		h->shi = iv[2 * sp->sport.n - 1];
	}
	memcpy(&o->in, ip->iniface, sizeof(o->in));
	memcpy(&o->inm, ip->iniface_mask, sizeof(o->inm));
	memcpy(&o->out, ip->outiface, sizeof(o->out));
	memcpy(&o->outm, ip->outiface_mask, sizeof(o->outm));
	o->iinv = ip->invflags & IPT_INV_VIA_IN;
	o->oinv = ip->invflags & IPT_INV_VIA_OUT;
	o->tcpflags = sp->tcpflags;
	o->flg_mask = sp->flg_mask;
	o->flg_cmp = sp->flg_cmp;
	o->flg_inv = sp->flg_inv;
	o->proto = ip->proto;
	o->pinv = ip->invflags & IPT_INV_PROTO;
	/* pktspace.c's rule_addr(): the address kept masked */
	if (ipts_rule_family(r) == IPTS_FAMILY_IPV6) {
		const struct ip6t_ip6 *ip6 = &r->e6->ipv6;

		o->sm = ip6->smsk.s6_addr32[0];
		o->sa = ip6->src.s6_addr32[0] & o->sm;
		o->dm = ip6->dmsk.s6_addr32[0];
		o->da = ip6->dst.s6_addr32[0] & o->dm;
		o->sinv = ip6->invflags & IP6T_INV_SRCIP;
		o->dinv = ip6->invflags & IP6T_INV_DSTIP;
	} else {
		o->sm = r->e->ip.smsk.s_addr;
		o->sa = r->e->ip.src.s_addr & o->sm;
		o->dm = r->e->ip.dmsk.s_addr;
		o->da = r->e->ip.dst.s_addr & o->dm;
		o->sinv = r->e->ip.invflags & IPT_INV_SRCIP;
		o->dinv = r->e->ip.invflags & IPT_INV_DSTIP;
		o->v4 = true;
	}
}

/* may_cover()'s tests of the fields of struct hot, asked first */
static inline bool hot_may(const struct hot *a, const struct hot *b)
{
	/* the fragment and state subsets at once */
	if (b->fst & ~a->fst)
		return false;
	if (a->dn && b->dn && (a->dlo > b->dlo || a->dhi < b->dhi))
		return false;
	if (a->sn && b->sn && (a->slo > b->slo || a->shi < b->shi))
		return false;
	return !(b->dbits & ~a->dbits);
}

/*
 * pktspace.c's addr_covers_as() on the first word of one side: false
 * only where it is false. Each case but one asks every word (a word that
 * fails fails it); "B outside A's set" (A inverted, B not) asks whether
 * any word differs, which the first word answers only for IPv4 (@one:
 * both rules', the word their whole address).
 */
static inline bool word_may(uint32_t aa, uint32_t am, bool ai, uint32_t ba,
			    uint32_t bm, bool bi, bool one)
{
	if (!ai && !bi) /* A's mask within B's, B's address under it A's */
		return !(am & ~bm) && (ba & am) == aa;
	if (ai && !bi)
		return !one || ((aa ^ ba) & am & bm);
	if (ai && bi) /* A's set inside B's set */
		return !(bm & ~am) && (aa & bm) == ba;
	return !am; /* A is every address */
}

/*
 * @a may cover @b as far as the summaries tell, once hot_may() passed
 * (the fragment and state subsets, the port bounds, the destination
 * port bits): the source port bits, the first address word of each side
 * (word_may()), the protocol when @a names one (proto_covers()),
 * --tcp-flags when @a has them, the first 8 bytes of each interface name
 * (ipts_ifc_covers()). False only where ipts_space_covers() is false.
 */
static inline bool may_cover(const struct summary *a, const struct summary *b)
{
	if (b->sbits & ~a->sbits)
		return false;
	if (!word_may(a->sa, a->sm, a->sinv, b->sa, b->sm, b->sinv,
		      a->v4 && b->v4) ||
	    !word_may(a->da, a->dm, a->dinv, b->da, b->dm, b->dinv,
		      a->v4 && b->v4))
		return false;
	if (a->proto && !a->pinv && !b->pinv && b->proto != a->proto)
		return false;
	if (a->tcpflags &&
	    !(b->tcpflags && a->flg_mask == b->flg_mask &&
	      a->flg_cmp == b->flg_cmp && a->flg_inv == b->flg_inv))
		return false;
	/* ipts_ifc_covers() on the first 8 bytes of the names */
	if (!a->iinv && !b->iinv &&
	    ((a->inm & ~b->inm) || ((a->in ^ b->in) & a->inm)))
		return false;
	if (!a->oinv && !b->oinv &&
	    ((a->outm & ~b->outm) || ((a->out ^ b->out) & a->outm)))
		return false;
	return true;
}

/* Length @len is filed under in dimension @d: into lens and lenv. */
static void file_len(struct ipts_cover_index *x, unsigned int d,
		     unsigned int len)
{
	unsigned int i;

	if (x->lens[d][len])
		return;
	x->lens[d][len] = true;
	i = x->nlen[d]++;
	while (i > 0 && x->lenv[d][i - 1] > len) {
		x->lenv[d][i] = x->lenv[d][i - 1];
		i--;
	}
	x->lenv[d][i] = (uint8_t)len;
}

static void index_add(struct ipts_cover_index *x, const struct ipts_space *sp,
		      uint32_t idx)
{
	struct ipts_addr_key ak[DIM_PREFIXES];
	struct ipt_ip view;
	const struct ipt_ip *ip = ipts_lint_ip(sp->r, &view);
	struct key k[DIM_PREFIXES], pk;
	const struct ipts_ports *ps[2] = { &sp->dport, &sp->sport };
	uint16_t plo[2], phi[2];
	uint32_t best = UINT32_MAX, c;
	unsigned int d;
	int pick = DIM_REST;

	if (x->nall == x->capall) {
		x->capall = x->capall ? x->capall * 2 : 64;
		x->all = ipts_xrealloc(x->all, x->capall * sizeof(*x->all));
	}
	x->all[x->nall++] = idx;
	if (idx >= x->capsum) {
		size_t cap = x->capsum ? x->capsum : 64;

		while (cap <= idx)
			cap *= 2;
		x->sum = ipts_xrealloc(x->sum, cap * sizeof(*x->sum));
		x->hot = ipts_xrealloc(x->hot, cap * sizeof(*x->hot));
		x->capsum = cap;
	}
	if (x->last == sp) {
		x->sum[idx] = x->last_sum;
		x->hot[idx] = x->last_hot;
	} else {
		summarize(sp, ip, &x->sum[idx], &x->hot[idx]);
	}
	if (x->last == sp && x->last_has_ak)
		memcpy(ak, x->last_ak, sizeof(ak));
	else
		len_keys(sp, ip, ak);
	for (d = 0; d < DIM_PREFIXES; d++) {
		if (ak[d].inv || !ak[d].lead)
			continue;
		addr_key(&k[d], (enum dim)d, &ak[d], ak[d].lead);
		/* nothing filed at this length: no list to look up */
		c = x->lens[d][ak[d].lead] ? count(x, &k[d]) : 0;
		if (c < best) {
			best = c;
			pick = (int)d;
		}
	}
	/* the pair when it is a shorter list than either address alone */
	if (!ak[DIM_SRC].inv && ak[DIM_SRC].lead && !ak[DIM_DST].inv &&
	    ak[DIM_DST].lead &&
	    pair_slot(x, ak[DIM_SRC].lead, ak[DIM_DST].lead, false) >= 0) {
		pair_key(&pk, &ak[DIM_SRC], ak[DIM_SRC].lead, &ak[DIM_DST],
			 ak[DIM_DST].lead);
		c = count(x, &pk);
		if (c < best) {
			best = c;
			pick = DIM_PAIR;
		}
	} else if (!ak[DIM_SRC].inv && ak[DIM_SRC].lead && !ak[DIM_DST].inv &&
		   ak[DIM_DST].lead && x->npairs < PAIR_LENS) {
		best = 0;
		pick = DIM_PAIR;
	}
	for (d = 0; d < 2; d++) {
		if (!port_range(ps[d], &plo[d], &phi[d]))
			continue;
		/* the rules of the same ranges: those a rule of them meets */
		c = port_count(x, ps[d], d);
		if (c < best) {
			best = c;
			pick = (int)(DIM_DPORT + d);
		}
	}
	if (ip->proto && !(ip->invflags & IPT_INV_PROTO)) {
		/* the protocol's list is looked up by every rule of it,
		 * another key's only by the rules it could find: its
		 * length is taken as at least the rules that looked it up
		 * (a multiport rule of four ports went there, and every
		 * later rule of the protocol compared it) */
		small_key(&pk, DIM_PROTO, 0, ip->proto);
		c = count(x, &pk);
		d = proto_slot(ip->proto);
		if (d < PROTO_SLOTS && c < x->proto_q[d])
			c = x->proto_q[d];
		if (c < best)
			pick = DIM_PROTO;
	}
	switch (pick) {
	case DIM_DPORT:
	case DIM_SPORT:
		d = (unsigned int)(pick - DIM_DPORT);
		port_file(x, ps[d], d, idx);
		break;
	case DIM_PROTO:
		small_key(&pk, DIM_PROTO, 0, ip->proto);
		push(x, &pk, idx);
		break;
	case DIM_PAIR:
		pair_slot(x, ak[DIM_SRC].lead, ak[DIM_DST].lead, true);
		pair_key(&pk, &ak[DIM_SRC], ak[DIM_SRC].lead, &ak[DIM_DST],
			 ak[DIM_DST].lead);
		push(x, &pk, idx);
		break;
	case DIM_REST:
		small_key(&pk, DIM_REST, 0, 0);
		push(x, &pk, idx);
		break;
	default:
		file_len(x, (unsigned int)pick, ak[pick].lead);
		push(x, &k[pick], idx);
		break;
	}
}

/* Walk @v[0..@n) from its end down to *@best: the nearest that covers
 * @b (summary @bs) becomes *@best. False when the budget ran out. */
static bool scan(struct ipts_lint *l, const struct ipts_cover_index *x,
		 const uint32_t *v, size_t n, const struct ipts_space *sp,
		 const struct ipts_space *b, const struct summary *bs,
		 const struct hot *bh, int64_t *best)
{
	/* the comparisons the budget still allows, counted here and spent
	 * at the end; ipts_lint_spend() where they run out */
	uint64_t left = l->over ? 0 : l->max_visits - l->visits, k = 0;

	while (n-- > 0 && (int64_t)v[n] > *best) {
		if (k == left) {
			l->visits += k;
			return ipts_lint_spend(l, b->r); /* false: out */
		}
		k++;
		if (!hot_may(&x->hot[v[n]], bh) ||
		    !may_cover(&x->sum[v[n]], bs))
			continue;
		if (ipts_space_covers(&sp[v[n]], b)) {
			*best = v[n];
			break;
		}
	}
	l->visits += k;
	return true;
}

/* The index's answer for rule @i, when it is later than @floor (else
 * @floor). */
static int64_t index_find(struct ipts_lint *l, struct ipts_cover_index *x,
			  const struct ipts_space *sp, uint32_t i, bool *over,
			  int64_t floor)
{
	const struct ipts_space *b = &sp[i];
	struct ipts_addr_key ak[DIM_PREFIXES];
	const struct ipts_ports *ps[2] = { &b->dport, &b->sport };
	struct ipt_ip view;
	const struct ipt_ip *ip = ipts_lint_ip(b->r, &view);
	const struct bucket *bk;
	struct key k;
	int64_t best = floor;
	unsigned int d, n, len;
	struct summary bs;
	struct hot bh;

	*over = false;
	summarize(b, ip, &bs, &bh);
	x->last = b;
	x->last_sum = bs;
	x->last_hot = bh;
	x->last_has_ak = false;
	/* no port at all on a side: a port key cannot find its coverers */
	if (!b->dport.n || !b->sport.n) {
		if (!scan(l, x, x->all, x->nall, sp, b, &bs, &bh, &best))
			goto out;
		return best;
	}
	len_keys(b, ip, ak);
	memcpy(x->last_ak, ak, sizeof(ak));
	x->last_has_ak = true;
	for (d = 0; d < DIM_PREFIXES; d++) {
		if (ak[d].inv)
			continue;
		for (n = 0; n < x->nlen[d] && x->lenv[d][n] <= ak[d].lead;
		     n++) {
			len = x->lenv[d][n];
			addr_key(&k, (enum dim)d, &ak[d], len);
			bk = lookup(x, &k);
			if (bk && !scan(l, x, bucket_v(bk), bk->n, sp, b, &bs,
					&bh, &best))
				goto out;
		}
	}
	for (d = 0; d < 2; d++) {
		const uint16_t *iv = ipts_ports_iv(ps[d]);
		struct pquery q = { .sp = sp,
				    .b = b,
				    .bs = &bs,
				    .bh = &bh,
				    .lo = iv[0],
				    .hi = iv[1],
				    .floor = best,
				    .found = -1 };
		size_t j, spent = 0;
		int64_t latest;

		/* one port: the rules of that port alone */
		if (q.lo == q.hi) {
			bk = lookup(x, port_key(&k, d, q.lo));
			if (bk && !scan(l, x, bucket_v(bk), bk->n, sp, b, &bs,
					&bh, &best))
				goto out;
			q.floor = best;
		}
		if (!x->pt[d].node)
			continue;
		/* the latest range that holds B's ports first: most often it
		 * covers, or there is none (no candidate) */
		latest = ptree_latest(&x->pt[d], &q);
		if (latest == q.floor)
			continue;
		if (hot_may(&x->hot[latest], q.bh) &&
		    may_cover(&x->sum[latest], q.bs) &&
		    ipts_space_covers(&sp[latest], b)) {
			q.n = 0;
			cand_push(x, &q.n, (uint32_t)latest);
			q.found = latest;
		} else {
			ptree_find(x, &x->pt[d], 1, 0, LEAVES - 1, &q);
		}
		/* what scan() over the candidates, nearest first, spends:
		 * each down to the one that covers */
		for (j = 0; j < q.n; j++)
			spent += (int64_t)x->cand[j] >= q.found;
		if (l->visits + spent <= l->max_visits && !l->over) {
			l->visits += spent;
			if (q.found >= 0)
				best = q.found;
			continue;
		}
		/* the budget runs out among them: where scan() says */
		qsort(x->cand, q.n, sizeof(*x->cand), cmp_u32);
		if (!scan(l, x, x->cand, q.n, sp, b, &bs, &bh, &best))
			goto out;
	}
	/* pairs are filed with both lengths at least 1: a rule without -s
	 * or -d finds none of them (most rules of a large file) */
	for (d = 0; d < x->npairs && !ak[DIM_SRC].inv && !ak[DIM_DST].inv &&
		    ak[DIM_SRC].lead && ak[DIM_DST].lead;
	     d++) {
		if (x->pair_len[d][0] > ak[DIM_SRC].lead ||
		    x->pair_len[d][1] > ak[DIM_DST].lead)
			continue;
		pair_key(&k, &ak[DIM_SRC], x->pair_len[d][0], &ak[DIM_DST],
			 x->pair_len[d][1]);
		bk = lookup(x, &k);
		if (bk &&
		    !scan(l, x, bucket_v(bk), bk->n, sp, b, &bs, &bh, &best))
			goto out;
	}
	if (ip->proto && !(ip->invflags & IPT_INV_PROTO)) {
		small_key(&k, DIM_PROTO, 0, ip->proto);
		if (proto_slot(ip->proto) < PROTO_SLOTS)
			x->proto_q[proto_slot(ip->proto)]++;
		bk = lookup(x, &k);
		if (bk &&
		    !scan(l, x, bucket_v(bk), bk->n, sp, b, &bs, &bh, &best))
			goto out;
	}
	small_key(&k, DIM_REST, 0, 0);
	bk = lookup(x, &k);
	if (bk && !scan(l, x, bucket_v(bk), bk->n, sp, b, &bs, &bh, &best))
		goto out;
	return best;
out:
	*over = true;
	return -1;
}

/* ---- the copies of expanded lines ---- */

/* Rules @a and @b of one line are alike but for their addresses: the
 * same space (pktspace.c's space_alike(), which then copied it) and
 * interfaces. */
static bool copies_alike(const struct ipts_space *a, const struct ipts_space *b)
{
	const struct ipts_rule *ra = a->r, *rb = b->r;
	struct ipt_ip va, vb;
	const struct ipt_ip *ia, *ib;

	if (ra->loc.src != rb->loc.src || ra->loc.off != rb->loc.off ||
	    ra->matches != rb->matches || ra->nmatches != rb->nmatches ||
	    ra->flags != rb->flags || ra->chain != rb->chain ||
	    ipts_rule_family(ra) != ipts_rule_family(rb))
		return false;
	ia = ipts_lint_ip(ra, &va);
	ib = ipts_lint_ip(rb, &vb);
	if (ia->proto != ib->proto || ia->flags != ib->flags ||
	    ia->invflags != ib->invflags ||
	    memcmp(ia->iniface, ib->iniface, IFNAMSIZ) ||
	    memcmp(ia->outiface, ib->outiface, IFNAMSIZ) ||
	    memcmp(ia->iniface_mask, ib->iniface_mask, IFNAMSIZ) ||
	    memcmp(ia->outiface_mask, ib->outiface_mask, IFNAMSIZ))
		return false;
	/* what a comparison reads of the space (not its rule); the port
	 * sets interval for interval, as the copy of a line's space is */
	return a->frag == b->frag && a->states == b->states &&
	       a->tcpflags == b->tcpflags && a->flg_mask == b->flg_mask &&
	       a->flg_cmp == b->flg_cmp && a->flg_inv == b->flg_inv &&
	       a->mark == b->mark && a->mark_val == b->mark_val &&
	       a->mark_mask == b->mark_mask && a->mark_inv == b->mark_inv &&
	       a->modelled == b->modelled && a->identity == b->identity &&
	       ipts_ports_same(&a->sport, &b->sport) &&
	       ipts_ports_same(&a->dport, &b->dport);
}

static bool addr_same(const struct ipts_addr_set *a,
		      const struct ipts_addr_set *b)
{
	return !memcmp(a, b, sizeof(*a));
}

/* Rules g0 .. g0 + @n - 1, with sources @src and destinations @dst, are
 * a product: rule g0 + i * nd + j has the source of rule g0 + i * nd and
 * the destination of rule g0 + j, nd the rules from g0 with its source.
 * nd, or 0 when they are not. */
static uint32_t product_nd(const struct ipts_addr_set *src,
			   const struct ipts_addr_set *dst, uint32_t n)
{
	uint32_t k, nd = 1;

	while (nd < n && addr_same(&src[0], &src[nd]))
		nd++;
	if (n % nd)
		return 0;
	for (k = 0; k < n; k++)
		if (!addr_same(&dst[k], &dst[k % nd]) ||
		    !addr_same(&src[k], &src[k / nd * nd]))
			return 0;
	return nd;
}

void ipts_cover_index_groups(struct ipts_cover_index *x,
			     const struct ipts_space *sp, uint32_t n,
			     const bool *addable)
{
	uint32_t i = 0, e, nd, k;

	groups_free(x);
	x->nrules = n;
	/* the summaries and the list of every rule at their size once (a
	 * large chain's doublings had copied them, page by page) */
	if (n > x->capsum) {
		x->sum = ipts_xrealloc(x->sum, n * sizeof(*x->sum));
		x->hot = ipts_xrealloc(x->hot, n * sizeof(*x->hot));
		x->capsum = n;
	}
	for (k = 0, e = 0; k < n; k++)
		e += addable[k];
	if (e > x->capall) {
		x->all = ipts_xrealloc(x->all, e * sizeof(*x->all));
		x->capall = e;
	}
	while (i < n && x->ngrp < MAX_GROUPS) {
		struct ipts_addr_set *src, *dst;
		struct cgroup *G;

		e = i + 1;
		while (e < n && addable[i] && addable[e] &&
		       copies_alike(&sp[i], &sp[e]))
			e++;
		if (e - i < GROUP_MIN) {
			i = e;
			continue;
		}
		src = ipts_xmalloc((e - i) * sizeof(*src));
		dst = ipts_xmalloc((e - i) * sizeof(*dst));
		for (k = i; k < e; k++) {
			ipts_rule_addr(sp[k].r, true, &src[k - i]);
			ipts_rule_addr(sp[k].r, false, &dst[k - i]);
		}
		nd = product_nd(src, dst, e - i);
		if (!nd) {
			free(src);
			free(dst);
			i = e;
			continue;
		}
		if (!x->grp) {
			x->grp = ipts_xcalloc(MAX_GROUPS, sizeof(*x->grp));
			x->grp_of = ipts_xcalloc(n, sizeof(*x->grp_of));
			x->win = ipts_xcalloc(MAX_GROUPS, sizeof(*x->win));
		}
		G = &x->grp[x->ngrp++];
		G->g0 = i;
		G->n = e - i;
		G->nd = nd;
		G->ns = (e - i) / nd;
		/* the sources, each nd apart; the destinations, the first nd */
		for (k = 0; k < G->ns; k++)
			src[k] = src[k * nd];
		G->src = ipts_xrealloc(src, G->ns * sizeof(*src));
		G->dst = ipts_xrealloc(dst, nd * sizeof(*dst));
		for (k = i; k < e; k++)
			x->grp_of[k] = x->ngrp;
		i = e;
	}
}

static struct cgroup *group_of(const struct ipts_cover_index *x, uint32_t i)
{
	return x->grp_of && i < x->nrules && x->grp_of[i] ?
		       &x->grp[x->grp_of[i] - 1] :
		       NULL;
}

/* Per address of @G on side @src: the last of @H's that covers it (the
 * last below it when @H is @G and @below), or -1. */
static int32_t *last_covers(const struct cgroup *G, const struct cgroup *H,
			    bool src, bool below)
{
	uint32_t na = src ? G->ns : G->nd, nh = src ? H->ns : H->nd;
	const struct ipts_addr_set *ga = src ? G->src : G->dst;
	const struct ipts_addr_set *ha = src ? H->src : H->dst;
	int32_t *v = ipts_xmalloc(na * sizeof(*v));
	uint32_t a, h;

	for (a = 0; a < na; a++) {
		v[a] = -1;
		for (h = below ? a : nh; h-- > 0;)
			if (ipts_addr_set_covers(&ha[h], &ga[a])) {
				v[a] = (int32_t)h;
				break;
			}
	}
	return v;
}

static bool any_covers(const int32_t *v, uint32_t n)
{
	uint32_t k;

	for (k = 0; k < n; k++)
		if (v[k] >= 0)
			return true;
	return false;
}

/* What @G's copies are searched against: itself and the earlier groups
 * since the last clear whose rest covers its rest and that hold an
 * address covering one of @G's on each side, latest first. */
static void group_prepare(struct ipts_cover_index *x,
			  const struct ipts_space *sp, struct cgroup *G)
{
	const struct ipts_space *rep = &sp[G->g0];
	uint32_t w;

	G->prepared = true;
	G->own = ipts_space_covers_but_addrs(rep, rep);
	if (G->own) {
		G->jlt = last_covers(G, G, false, true);
		G->jall = last_covers(G, G, false, false);
		G->ilt = last_covers(G, G, true, true);
	}
	G->by = ipts_xcalloc(x->nwin ? x->nwin : 1, sizeof(*G->by));
	for (w = x->nwin; w-- > 0;) {
		struct cgroup *H = &x->grp[x->win[w]];
		struct cover_of *c = &G->by[G->nby];

		if (H == G || !ipts_space_covers_but_addrs(&sp[H->g0], rep))
			continue;
		c->h = x->win[w];
		c->bs = last_covers(G, H, true, false);
		c->bd = last_covers(G, H, false, false);
		if (any_covers(c->bs, G->ns) && any_covers(c->bd, G->nd)) {
			G->nby++;
			continue;
		}
		free(c->bs);
		free(c->bd);
	}
}

/* The last copy of the groups before @G (and of @G before rule @i) that
 * covers rule @i, or -1: one comparison spent per group asked. */
static int64_t group_find(struct ipts_lint *l, struct ipts_cover_index *x,
			  const struct ipts_space *sp, struct cgroup *G,
			  uint32_t i, bool *over)
{
	uint32_t si = (i - G->g0) / G->nd, dj = (i - G->g0) % G->nd, k;

	if (!G->prepared)
		group_prepare(x, sp, G);
	/* a comparison is spent where a copy's source or destination is
	 * covered: a candidate, as the index's lists offer them */
	if (G->own && (G->jlt[dj] >= 0 || G->ilt[si] >= 0)) {
		if (!ipts_lint_spend(l, sp[i].r))
			goto out;
		if (G->jlt[dj] >= 0)
			return G->g0 + (int64_t)si * G->nd + G->jlt[dj];
		if (G->jall[dj] >= 0)
			return G->g0 + (int64_t)G->ilt[si] * G->nd +
			       G->jall[dj];
	}
	for (k = 0; k < G->nby; k++) {
		const struct cover_of *c = &G->by[k];
		const struct cgroup *H = &x->grp[c->h];

		if (c->bs[si] < 0 && c->bd[dj] < 0)
			continue;
		if (!ipts_lint_spend(l, sp[i].r))
			goto out;
		if (c->bs[si] >= 0 && c->bd[dj] >= 0)
			return H->g0 + (int64_t)c->bs[si] * H->nd + c->bd[dj];
	}
	return -1;
out:
	*over = true;
	return -1;
}

/* File in the index the copies of the groups since the last clear that
 * are not yet: a rule not of a group is about to search it. */
static void groups_flush(struct ipts_cover_index *x,
			 const struct ipts_space *sp)
{
	uint32_t w;

	for (w = 0; w < x->nwin; w++) {
		struct cgroup *H = &x->grp[x->win[w]];

		while (H->indexed < H->added) {
			index_add(x, &sp[H->g0 + H->indexed],
				  H->g0 + H->indexed);
			H->indexed++;
		}
	}
}

void ipts_cover_index_add(struct ipts_cover_index *x,
			  const struct ipts_space *sp, uint32_t idx)
{
	struct cgroup *G = group_of(x, idx);

	if (!G) {
		/* the lists stay in order: the copies before it first (@sp
		 * is the chain's rule @idx) */
		groups_flush(x, sp - idx);
		index_add(x, sp, idx);
		return;
	}
	/* the copies come in order, none of them clears */
	if (!G->added++) {
		G->indexed = 0;
		x->win[x->nwin++] = (uint32_t)(G - x->grp);
	}
}

int64_t ipts_cover_index_find(struct ipts_lint *l, struct ipts_cover_index *x,
			      const struct ipts_space *sp, uint32_t i,
			      bool *over)
{
	struct cgroup *G = group_of(x, i);
	int64_t best;

	*over = false;
	if (!G) {
		groups_flush(x, sp);
		return index_find(l, x, sp, i, over, -1);
	}
	best = group_find(l, x, sp, G, i, over);
	if (*over)
		return -1;
	/* the rules of no group (and copies filed since) */
	return x->nall ? index_find(l, x, sp, i, over, best) : best;
}
