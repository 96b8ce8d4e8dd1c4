/*
 * portset.c - sets of ports, the port dimension of lint's packet spaces
 * (pktspace.c): sorted disjoint closed intervals over 0..65535, built
 * from tcp, udp and multiport, intersected, complemented and compared.
 */
#include "lint_int.h"

#include <assert.h>
#include <string.h>

void ipts_pset_full(struct ipts_pset *s)
{
	s->n = 1;
	s->lo[0] = 0;
	s->hi[0] = 65535;
}

bool ipts_pset_is_full(const struct ipts_pset *s)
{
	return s->n == 1 && s->lo[0] == 0 && s->hi[0] == 65535;
}

void ipts_pset_complement(struct ipts_pset *s)
{
	struct ipts_pset o = { .n = 0 };
	uint32_t next = 0;
	unsigned int i;

	/* at most 15 multiport ranges: never near the bound */
	assert(s->n < IPTS_PSET_MAX);
	for (i = 0; i < s->n; i++) {
		if (s->lo[i] > next) {
			o.lo[o.n] = (uint16_t)next;
			o.hi[o.n++] = (uint16_t)(s->lo[i] - 1);
		}
		next = (uint32_t)s->hi[i] + 1;
	}
	if (next <= 65535) {
		o.lo[o.n] = (uint16_t)next;
		o.hi[o.n++] = 65535;
	}
	*s = o;
}

/* Add [lo, hi] to a set being built (any order); false when full. */
bool ipts_pset_add(struct ipts_pset *s, uint16_t lo, uint16_t hi)
{
	unsigned int i, j;

	if (lo > hi)
		return true;	/* an empty range adds nothing */
	for (i = 0; i < s->n && s->lo[i] < lo; i++)
		;
	if (s->n == IPTS_PSET_MAX)
		return false;
	memmove(&s->lo[i + 1], &s->lo[i], (s->n - i) * sizeof(s->lo[0]));
	memmove(&s->hi[i + 1], &s->hi[i], (s->n - i) * sizeof(s->hi[0]));
	s->lo[i] = lo;
	s->hi[i] = hi;
	s->n++;
	/* merge overlapping or adjacent neighbours */
	for (i = 0, j = 0; i < s->n; i++) {
		if (j && (uint32_t)s->hi[j - 1] + 1 >= s->lo[i]) {
			if (s->hi[i] > s->hi[j - 1])
				s->hi[j - 1] = s->hi[i];
			continue;
		}
		s->lo[j] = s->lo[i];
		s->hi[j++] = s->hi[i];
	}
	s->n = j;
	return true;
}

void ipts_pset_intersect(struct ipts_pset *a, const struct ipts_pset *b)
{
	struct ipts_pset o;
	unsigned int i = 0, j = 0;

	o.n = 0;
	while (i < a->n && j < b->n) {
		uint16_t lo = a->lo[i] > b->lo[j] ? a->lo[i] : b->lo[j];
		uint16_t hi = a->hi[i] < b->hi[j] ? a->hi[i] : b->hi[j];

		if (lo <= hi) {
			/* dropping a range would be unsound: cannot happen
			 * with at most 2 + 16 ranges per side */
			assert(o.n < IPTS_PSET_MAX);
			o.lo[o.n] = lo;
			o.hi[o.n++] = hi;
		}
		if (a->hi[i] < b->hi[j])
			i++;
		else
			j++;
	}
	/* the intervals made, not the whole array */
	memcpy(a->lo, o.lo, o.n * sizeof(o.lo[0]));
	memcpy(a->hi, o.hi, o.n * sizeof(o.hi[0]));
	a->n = o.n;
}

/* Every port of @b is in @a. */
bool ipts_pset_subset(const struct ipts_pset *b, const struct ipts_pset *a)
{
	unsigned int i, j = 0;

	for (i = 0; i < b->n; i++) {
		while (j < a->n && a->hi[j] < b->lo[i])
			j++;
		if (j == a->n || a->lo[j] > b->lo[i] || a->hi[j] < b->hi[i])
			return false;
	}
	return true;
}

bool ipts_pset_overlap(const struct ipts_pset *a, const struct ipts_pset *b)
{
	struct ipts_pset t = *a;

	ipts_pset_intersect(&t, b);
	return t.n > 0;
}

void ipts_ports_pack(struct ipts_ports *p, const struct ipts_pset *s,
		     struct ipts_arena *arena)
{
	uint16_t *v;
	unsigned int i;

	memset(p, 0, sizeof(*p));
	p->n = s->n;
	v = s->n <= IPTS_PORTS_INLINE ?
		    p->u.in :
		    ipts_arena_alloc(arena, 2 * s->n * sizeof(*v));
	for (i = 0; i < s->n; i++) {
		v[2 * i] = s->lo[i];
		v[2 * i + 1] = s->hi[i];
	}
	if (s->n > IPTS_PORTS_INLINE)
		p->u.ext = v;
}

void ipts_ports_unpack(struct ipts_pset *s, const struct ipts_ports *p)
{
	const uint16_t *v = ipts_ports_iv(p);
	unsigned int i;

	memset(s, 0, sizeof(*s));
	s->n = p->n;
	for (i = 0; i < p->n; i++) {
		s->lo[i] = v[2 * i];
		s->hi[i] = v[2 * i + 1];
	}
}

bool ipts_ports_subset(const struct ipts_ports *b, const struct ipts_ports *a)
{
	const uint16_t *bv = ipts_ports_iv(b), *av = ipts_ports_iv(a);
	unsigned int i, j = 0;

	for (i = 0; i < b->n; i++) {
		while (j < a->n && av[2 * j + 1] < bv[2 * i])
			j++;
		if (j == a->n || av[2 * j] > bv[2 * i] ||
		    av[2 * j + 1] < bv[2 * i + 1])
			return false;
	}
	return true;
}

bool ipts_ports_overlap(const struct ipts_ports *a, const struct ipts_ports *b)
{
	const uint16_t *av = ipts_ports_iv(a), *bv = ipts_ports_iv(b);
	unsigned int i = 0, j = 0;

	/* the merge of ipts_pset_intersect(), stopping at the first port */
	while (i < a->n && j < b->n) {
		uint16_t lo = av[2 * i] > bv[2 * j] ? av[2 * i] : bv[2 * j];
		uint16_t hi = av[2 * i + 1] < bv[2 * j + 1] ? av[2 * i + 1] :
							      bv[2 * j + 1];

		if (lo <= hi)
			return true;
		if (av[2 * i + 1] < bv[2 * j + 1])
			i++;
		else
			j++;
	}
	return false;
}

bool ipts_ports_same(const struct ipts_ports *a, const struct ipts_ports *b)
{
	return a->n == b->n && !memcmp(ipts_ports_iv(a), ipts_ports_iv(b),
				       2 * a->n * sizeof(uint16_t));
}
