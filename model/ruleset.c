/*
 * ruleset.c - tables and chains, with libiptc's chain semantics: built-in
 * chains exist from the table's creation, in hook order; user chains are
 * kept sorted by name, which is the order iptables-save prints them in.
 * Rules keep one copy of each distinct entry header and match or target
 * blob (ipts_ruleset_intern()): on a large ruleset most blobs repeat.
 */
#include "model_build.h"

#include <assert.h>
#include <stdlib.h>
#include <string.h>

static const char *const table_names[IPTS_TABLE_COUNT] = {
	[IPTS_TABLE_FILTER] = "filter",
	[IPTS_TABLE_NAT] = "nat",
	[IPTS_TABLE_MANGLE] = "mangle",
	[IPTS_TABLE_RAW] = "raw",
	[IPTS_TABLE_SECURITY] = "security",
};

#define H(x) (1u << NF_INET_##x)
/* The valid_hooks of iptable_filter.c, iptable_nat.c, ... */
static const unsigned int table_hooks[IPTS_TABLE_COUNT] = {
	[IPTS_TABLE_FILTER] = H(LOCAL_IN) | H(FORWARD) | H(LOCAL_OUT),
	[IPTS_TABLE_NAT] = H(PRE_ROUTING) | H(LOCAL_IN) | H(LOCAL_OUT) |
			   H(POST_ROUTING),
	[IPTS_TABLE_MANGLE] = H(PRE_ROUTING) | H(LOCAL_IN) | H(FORWARD) |
			      H(LOCAL_OUT) | H(POST_ROUTING),
	[IPTS_TABLE_RAW] = H(PRE_ROUTING) | H(LOCAL_OUT),
	[IPTS_TABLE_SECURITY] = H(LOCAL_IN) | H(FORWARD) | H(LOCAL_OUT),
};
#undef H

static const char *const hook_names[NF_INET_NUMHOOKS] = {
	[NF_INET_PRE_ROUTING] = "PREROUTING",
	[NF_INET_LOCAL_IN] = "INPUT",
	[NF_INET_FORWARD] = "FORWARD",
	[NF_INET_LOCAL_OUT] = "OUTPUT",
	[NF_INET_POST_ROUTING] = "POSTROUTING",
};

const char *ipts_table_name(enum ipts_table_id id)
{
	return id < IPTS_TABLE_COUNT ? table_names[id] : NULL;
}

int ipts_table_id_by_name(const char *name)
{
	int i;

	for (i = 0; i < IPTS_TABLE_COUNT; i++)
		if (strcmp(table_names[i], name) == 0)
			return i;
	return -1;
}

unsigned int ipts_table_valid_hooks(enum ipts_table_id id)
{
	return id < IPTS_TABLE_COUNT ? table_hooks[id] : 0;
}

const char *ipts_hook_chain_name(unsigned int hook)
{
	return hook < NF_INET_NUMHOOKS ? hook_names[hook] : NULL;
}

int ipts_hook_by_chain_name(const char *name)
{
	int i;

	for (i = 0; i < NF_INET_NUMHOOKS; i++)
		if (strcmp(hook_names[i], name) == 0)
			return i;
	return -1;
}

/* -- blobs by content: open addressing, the table outside the arena ----- */

/* The probe table holds 8 bytes a slot, the hash above the blob's index
 * plus one (0: free), so that a probe per rule touches one cache line of
 * a table half the size; the blobs themselves sit in a dense array, one
 * entry per distinct blob. */
struct intern_blob {
	const void *p;
	uint32_t len;
};

struct ipts_intern {
	uint64_t *slots;
	struct intern_blob *blobs;
	uint32_t mask, n, cap;		/* slots - 1, blobs, blobs' room */
};

static inline uint64_t mix(uint64_t h, uint64_t w)
{
	h = (h ^ w) * 0x9e3779b97f4a7c15ull;
	return h ^ (h >> 29);
}

/* The @len bytes at @p (1 to 7) as one word, each byte in it: two
 * overlapping loads of 4, or the first, middle and last byte. */
static inline uint64_t short_word(const unsigned char *p, size_t len)
{
	uint32_t lo, hi;

	if (len >= 4) {
		memcpy(&lo, p, 4);
		memcpy(&hi, p + len - 4, 4);
		return lo | (uint64_t)hi << 32;
	}
	return p[0] | (uint64_t)p[len / 2] << 8 | (uint64_t)p[len - 1] << 16;
}

/* Four lanes, so that a 288-byte comment blob is not one long chain. A
 * tail of 1 to 7 bytes is the blob's last 8 bytes (overlapping the words
 * before) when it has 8, as no call to memcpy() of a length known only
 * here. The length is in the seeds, so that the overlap is not ambiguous. */
uint32_t ipts_hash_bytes(const void *blob, size_t len)
{
	const unsigned char *p = blob;
	uint64_t a = len, b = ~(uint64_t)len, c = 1, d = 2, w[4];
	bool whole = len >= 8;

	for (; len >= 32; p += 32, len -= 32) {
		memcpy(w, p, 32);
		a = mix(a, w[0]);
		b = mix(b, w[1]);
		c = mix(c, w[2]);
		d = mix(d, w[3]);
	}
	for (; len >= 8; p += 8, len -= 8) {
		memcpy(w, p, 8);
		a = mix(a, w[0]);
	}
	if (len && whole) {
		memcpy(w, p + len - 8, 8);
		b = mix(b, w[0]);
	} else if (len) {
		b = mix(b, short_word(p, len));
	}
	a = mix(mix(mix(a, b), c), d);
	return (uint32_t)(a ^ (a >> 32));
}

static void intern_grow(struct ipts_intern *in, uint32_t want)
{
	uint32_t n = in->slots ? (in->mask + 1) * 2 : want, i;
	uint64_t *s = ipts_big_calloc((size_t)n * sizeof(*s));

	for (i = 0; in->slots && i <= in->mask; i++) {
		uint32_t j = (uint32_t)(in->slots[i] >> 32) & (n - 1);

		if (!in->slots[i])
			continue;
		while (s[j])
			j = (j + 1) & (n - 1);
		s[j] = in->slots[i];
	}
	if (in->slots)
		ipts_big_free(in->slots, (size_t)(in->mask + 1) * sizeof(*s));
	in->slots = s;
	in->mask = n - 1;
	if (in->cap < n / 4 * 3) {
		struct intern_blob *b = ipts_big_calloc((size_t)(n / 4 * 3) *
							sizeof(*b));

		if (in->n)
			memcpy(b, in->blobs, in->n * sizeof(*b));
		ipts_big_free(in->blobs, in->cap * sizeof(*b));
		in->cap = n / 4 * 3;
		in->blobs = b;
	}
}

uint32_t ipts_ruleset_intern_hash(const struct ipts_ruleset *rs,
				  const void *blob, size_t len)
{
	uint32_t h = ipts_hash_bytes(blob, len);

	if (rs->intern && rs->intern->slots)
		__builtin_prefetch(&rs->intern->slots[h & rs->intern->mask]);
	return h;
}

const void *ipts_ruleset_intern(struct ipts_ruleset *rs, const void *blob,
				size_t len)
{
	return ipts_ruleset_intern_hashed(rs, blob, len,
					  ipts_hash_bytes(blob, len));
}

const void *ipts_ruleset_intern_hashed(struct ipts_ruleset *rs,
				       const void *blob, size_t len, uint32_t h)
{
	struct ipts_intern *in = rs->intern;
	struct intern_blob *b;
	uint32_t i;
	uint64_t v;

	assert(len <= UINT32_MAX);
	if (!in)
		in = rs->intern = ipts_xcalloc(1, sizeof(*in));
	/* Grown at three quarters full, so a probe always ends. */
	if (!in->slots || in->n + 1 > (in->mask + 1) / 4 * 3)
		intern_grow(in, 1024);
	for (i = h & in->mask; (v = in->slots[i]) != 0;
	     i = (i + 1) & in->mask) {
		if ((uint32_t)(v >> 32) != h)
			continue;
		b = &in->blobs[(uint32_t)v - 1];
		if (b->len == len && memcmp(b->p, blob, len) == 0)
			return b->p;
	}
	b = &in->blobs[in->n++];
	b->p = ipts_arena_memdup(rs->arena, blob, len);
	b->len = (uint32_t)len;
	in->slots[i] = (uint64_t)h << 32 | in->n;
	return b->p;
}

void ipts_ruleset_intern_reserve(struct ipts_ruleset *rs, uint32_t n)
{
	uint32_t slots = 1024;

	if (rs->intern)
		return;
	/* under three quarters full with @n; bounded by IPTS_MAX_RULES
	 * blobs (16 MB of table, touched only where blobs land) */
	if (n > (1u << 20))
		n = 1u << 20;
	while (slots / 4 * 3 < n)
		slots *= 2;
	rs->intern = ipts_xcalloc(1, sizeof(*rs->intern));
	intern_grow(rs->intern, slots);
}

struct ipts_ruleset *ipts_ruleset_new(const struct ipts_source *src)
{
	struct ipts_arena *a = ipts_arena_new();
	struct ipts_ruleset *rs = ipts_arena_alloc(a, sizeof(*rs));

	rs->arena = a;
	rs->src = src;
	rs->family = IPTS_FAMILY_IPV4;
	return rs;
}

void ipts_ruleset_intern_end(struct ipts_ruleset *rs)
{
	if (rs->intern) {
		struct ipts_intern *in = rs->intern;

		if (in->slots)
			ipts_big_free(in->slots, (size_t)(in->mask + 1) *
							 sizeof(*in->slots));
		ipts_big_free(in->blobs, in->cap * sizeof(*in->blobs));
	}
	free(rs->intern);
	rs->intern = NULL;
}

/* Open addressing over the names, sized to stay under half full. */
static void names_rehash(struct ipts_ruleset *rs, uint32_t cap)
{
	uint32_t i;

	free(rs->names_slots);
	rs->names_slots = ipts_xcalloc(cap * 2, sizeof(*rs->names_slots));
	for (i = 0; i < rs->nnames; i++) {
		uint32_t h = ipts_hash_bytes(rs->names[i],
					     strlen(rs->names[i]));

		while (rs->names_slots[h & (cap * 2 - 1)])
			h++;
		rs->names_slots[h & (cap * 2 - 1)] = i + 1;
	}
}

uint32_t ipts_ruleset_add_name(struct ipts_ruleset *rs, const char *name,
			       size_t len)
{
	uint32_t h = ipts_hash_bytes(name, len), mask, n;

	if (rs->nnames == rs->names_cap) {
		rs->names_cap = rs->names_cap ? rs->names_cap * 2 : 16;
		rs->names = ipts_xrealloc(rs->names, rs->names_cap *
					  sizeof(*rs->names));
		names_rehash(rs, rs->names_cap);
	}
	mask = rs->names_cap * 2 - 1;
	for (;; h++) {
		n = rs->names_slots[h & mask];
		if (!n)
			break;
		if (strncmp(rs->names[n - 1], name, len) == 0 &&
		    rs->names[n - 1][len] == '\0')
			return n;
	}
	rs->names[rs->nnames] = ipts_arena_strndup(rs->arena, name, len);
	n = ++rs->nnames;
	rs->names_slots[h & mask] = n;
	return n;
}

const char *ipts_ruleset_name(const struct ipts_ruleset *rs, uint32_t n)
{
	return n >= 1 && n <= rs->nnames ? rs->names[n - 1] : NULL;
}

void ipts_ruleset_free(struct ipts_ruleset *rs)
{
	unsigned int i, j;

	if (!rs)
		return;
	/* Only the growable arrays live outside the arena. */
	for (i = 0; i < IPTS_TABLE_COUNT; i++) {
		struct ipts_table *t = rs->tables[i];

		if (!t)
			continue;
		for (j = 0; j < t->nchains; j++)
			free(t->chains[j]->rules);
		free(t->chains);
		free(t->buckets);
	}
	ipts_ruleset_intern_end(rs);
	free(rs->names);
	free(rs->names_slots);
	free(rs->replaced_hl);
	ipts_arena_free(rs->arena);
}

/* -- chains by name: a chained hash, nodes in the arena ------------------ */

struct ipts_chain_node {
	struct ipts_chain_node *next;
	struct ipts_chain *chain;
	uint32_t hash;
};

static uint32_t name_hash(const char *s)
{
	uint32_t h = 2166136261u;	/* FNV-1a */

	while (*s)
		h = (h ^ (unsigned char)*s++) * 16777619u;
	return h;
}

static void hash_grow(struct ipts_table *t)
{
	uint32_t n = t->nbuckets ? t->nbuckets * 2 : 64, i;
	struct ipts_chain_node **b = ipts_xcalloc(n, sizeof(*b));

	for (i = 0; i < t->nbuckets; i++) {
		struct ipts_chain_node *node = t->buckets[i], *next;

		for (; node; node = next) {
			next = node->next;
			node->next = b[node->hash & (n - 1)];
			b[node->hash & (n - 1)] = node;
		}
	}
	free(t->buckets);
	t->buckets = b;
	t->nbuckets = n;
}

static void hash_add(struct ipts_ruleset *rs, struct ipts_table *t,
		     struct ipts_chain *c)
{
	struct ipts_chain_node *node = ipts_arena_alloc(rs->arena,
							sizeof(*node));

	if (t->nnodes + 1 > t->nbuckets)
		hash_grow(t);
	node->chain = c;
	node->hash = name_hash(c->name);
	node->next = t->buckets[node->hash & (t->nbuckets - 1)];
	t->buckets[node->hash & (t->nbuckets - 1)] = node;
	t->nnodes++;
}

static void hash_del(struct ipts_table *t, const struct ipts_chain *c)
{
	struct ipts_chain_node **pp;

	if (!t->nbuckets)
		return;
	pp = &t->buckets[name_hash(c->name) & (t->nbuckets - 1)];
	for (; *pp; pp = &(*pp)->next) {
		if ((*pp)->chain == c) {
			*pp = (*pp)->next;
			t->nnodes--;
			return;
		}
	}
}

static void table_add_chain(struct ipts_table *t, struct ipts_chain *c)
{
	if (t->nchains == t->cap) {
		t->cap = t->cap ? t->cap * 2 : 8;
		t->chains = ipts_xrealloc(t->chains,
					  t->cap * sizeof(*t->chains));
	}
	t->chains[t->nchains++] = c;
}

struct ipts_table *ipts_table_create(struct ipts_ruleset *rs,
				     enum ipts_table_id id)
{
	struct ipts_table *t = rs->tables[id];
	unsigned int h;

	if (t)
		return t;
	t = ipts_arena_alloc(rs->arena, sizeof(*t));
	t->rs = rs;
	t->id = id;
	t->name = table_names[id];
	t->valid_hooks = table_hooks[id];
	for (h = 0; h < NF_INET_NUMHOOKS; h++) {
		struct ipts_chain *c;

		if (!(t->valid_hooks & (1u << h)))
			continue;
		c = ipts_arena_alloc(rs->arena, sizeof(*c));
		c->name = hook_names[h];
		c->table = t;
		c->hook = (int)h;
		c->policy = NF_ACCEPT;
		t->builtin[h] = c;
		table_add_chain(t, c);
		hash_add(rs, t, c);
	}
	rs->tables[id] = t;
	return t;
}

const struct ipts_table *ipts_table_get(const struct ipts_ruleset *rs,
					enum ipts_table_id id)
{
	return id < IPTS_TABLE_COUNT ? rs->tables[id] : NULL;
}

uint32_t ipts_name_hash(const char *name)
{
	return name_hash(name);
}

struct ipts_chain *ipts_chain_find(const struct ipts_table *t,
				   const char *name)
{
	if (!t->nbuckets)
		return NULL;
	return ipts_chain_find_hashed(t, name, name_hash(name));
}

struct ipts_chain *ipts_chain_find_hashed(const struct ipts_table *t,
					  const char *name, uint32_t h)
{
	const struct ipts_chain_node *node;

	if (!t->nbuckets)
		return NULL;
	for (node = t->buckets[h & (t->nbuckets - 1)]; node; node = node->next)
		if (node->hash == h && strcmp(node->chain->name, name) == 0)
			return node->chain;
	return NULL;
}

static int chain_cmp(const void *a, const void *b)
{
	const struct ipts_chain *x = *(const struct ipts_chain *const *)a;
	const struct ipts_chain *y = *(const struct ipts_chain *const *)b;

	return strcmp(x->name, y->name);
}

void ipts_table_sort_chains(struct ipts_table *t)
{
	uint32_t first = 0, i;

	if (t->unsorted) {
		while (first < t->nchains && t->chains[first]->hook >= 0)
			first++;
		/* As libiptc's iptc_insert_chain() keeps them: by
		 * strcmp(). */
		qsort(t->chains + first, t->nchains - first, sizeof(*t->chains),
		      chain_cmp);
		t->unsorted = false;
	}
	for (i = 0; i < t->nchains; i++)
		t->chains[i]->pos = i;
}

struct ipts_chain *ipts_chain_create(struct ipts_ruleset *rs,
				     struct ipts_table *t, const char *name,
				     const struct ipts_loc *loc)
{
	struct ipts_chain *c = ipts_arena_alloc(rs->arena, sizeof(*c));

	c->name = ipts_arena_strdup(rs->arena, name);
	c->table = t;
	c->hook = -1;
	c->policy = -1;
	if (loc)
		c->loc = *loc;
	/* Appended; sorted once, not per insert (a million chains). */
	if (t->nchains && t->chains[t->nchains - 1]->hook < 0 &&
	    strcmp(t->chains[t->nchains - 1]->name, name) > 0)
		t->unsorted = true;
	table_add_chain(t, c);
	hash_add(rs, t, c);
	return c;
}

void ipts_chain_rename(struct ipts_ruleset *rs, struct ipts_table *t,
		       struct ipts_chain *c, const char *name)
{
	hash_del(t, c);
	c->name = ipts_arena_strdup(rs->arena, name);
	hash_add(rs, t, c);
	t->unsorted = true;
}

void ipts_chain_remove_later(struct ipts_table *t, struct ipts_chain *c)
{
	hash_del(t, c);
	free(c->rules);
	c->rules = NULL;
	c->nrules = c->cap = 0;
	c->deleted = true;
}

void ipts_table_compact(struct ipts_table *t)
{
	uint32_t i, k = 0;

	for (i = 0; i < t->nchains; i++)
		if (!t->chains[i]->deleted)
			t->chains[k++] = t->chains[i];
	t->nchains = k;
}

void ipts_chain_remove(struct ipts_table *t, struct ipts_chain *c)
{
	ipts_chain_remove_later(t, c);
	ipts_table_compact(t);
}

void ipts_chain_insert_rule(struct ipts_chain *c, uint32_t pos,
			    struct ipts_rule *r)
{
	if (c->nrules == c->cap) {
		c->cap = c->cap ? c->cap * 2 : 8;
		c->rules = ipts_xrealloc(c->rules, c->cap * sizeof(*c->rules));
	}
	if (pos > c->nrules)
		pos = c->nrules;
	memmove(&c->rules[pos + 1], &c->rules[pos],
		(c->nrules - pos) * sizeof(*c->rules));
	c->rules[pos] = r;
	c->nrules++;
	r->chain = c;
}

void ipts_chain_delete_rule(struct ipts_chain *c, uint32_t pos)
{
	if (pos >= c->nrules)
		return;
	memmove(&c->rules[pos], &c->rules[pos + 1],
		(c->nrules - pos - 1) * sizeof(*c->rules));
	c->nrules--;
}

_Static_assert(sizeof(void *) != 8 || sizeof(struct ipts_rule) == 72,
	       "struct ipts_rule grew: mind its holes, there is one per rule");

/* Place @w relative to @line, or false when struct ipts_span cannot. */
static bool span_of(const struct ipts_loc *line, const struct ipts_loc *w,
		    struct ipts_span *out)
{
	uint32_t d = w->off - line->off;

	if (w->src != line->src || w->line != line->line ||
	    w->off < line->off || d > UINT16_MAX || w->len > UINT16_MAX ||
	    w->col != line->col + d)
		return false;
	out->off = (uint16_t)d;
	out->len = (uint16_t)w->len;
	return true;
}

void ipts_rule_set_blobs(struct ipts_ruleset *rs, struct ipts_rule *r,
			 const struct xt_entry_match *const *matches,
			 const struct ipts_loc *match_locs, unsigned int n,
			 const struct xt_entry_target *target,
			 const struct ipts_loc *target_loc)
{
	size_t ptrs = n * sizeof(*matches);
	struct ipts_span ts = { 0 }, s;
	bool fit = span_of(&r->loc, target_loc, &ts);
	unsigned int i;
	char *p;

	assert(n <= UINT16_MAX);
	for (i = 0; fit && i < n; i++)
		fit = span_of(&r->loc, &match_locs[i], &s);
	r->target = target;
	r->nmatches = (uint16_t)n;
	r->target_span = fit ? ts : (struct ipts_span){ 0, 0 };
	r->flags &= (uint8_t)~IPTS_RULE_WIDE_LOCS;
	r->matches = NULL;
	if (fit && n == 0)
		return;
	/* One allocation: the pointers, then the words' places. */
	p = ipts_arena_alloc(rs->arena, ptrs + (fit ?
			     n * sizeof(struct ipts_span) :
			     (1 + n) * sizeof(struct ipts_loc)));
	if (n)
		memcpy(p, matches, ptrs);
	if (fit) {
		struct ipts_span *spans = (struct ipts_span *)(p + ptrs);

		for (i = 0; i < n; i++)
			span_of(&r->loc, &match_locs[i], &spans[i]);
	} else {
		/* A line over 64 KiB: whole locations, the target's first. */
		struct ipts_loc *locs = (struct ipts_loc *)(p + ptrs);

		locs[0] = *target_loc;
		if (n)
			memcpy(locs + 1, match_locs, n * sizeof(*locs));
		r->flags |= IPTS_RULE_WIDE_LOCS;
	}
	r->matches = (const struct xt_entry_match *const *)p;
}

uint32_t ipts_rule_num(const struct ipts_rule *r)
{
	const struct ipts_chain *c = r->chain;
	uint32_t i;

	for (i = 0; i < c->nrules; i++)
		if (c->rules[i] == r)
			return i + 1;
	return 0;
}
