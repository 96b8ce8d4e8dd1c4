/*
 * arena.c - one bump allocator per loaded ruleset. Blocks grow
 * geometrically up to 1 MiB; a request larger than a block gets its own.
 * Blocks come zeroed from calloc, so allocations are not cleared again.
 */
#include "arena.h"
#include "diag.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/*
 * 8, not _Alignof(max_align_t)'s 16: what lives here is model structs,
 * strings and kernel blobs, which the kernel itself lays out at XT_ALIGN,
 * __alignof__(struct _xt_align): 8 on LP64, its widest member a __u64.
 * Nothing here holds a long double or a vector type. At 16 each 72-byte
 * rule and most match tables would round up: 1 MB more on 100,000 rules.
 */
#define ALIGN 8
_Static_assert(ALIGN >= _Alignof(uint64_t) && ALIGN >= _Alignof(void *) &&
	       ALIGN >= _Alignof(double) && ALIGN >= _Alignof(size_t),
	       "arena alignment too small for the model's structs");
#define MIN_BLOCK 4096
#define MAX_BLOCK (1u << 20)

struct block {
	struct block *next;
	size_t used, cap;
	_Alignas(ALIGN) unsigned char data[];
};

struct ipts_arena {
	struct block *head;
	size_t next_cap, total;
};

struct ipts_arena *ipts_arena_new(void)
{
	struct ipts_arena *a = ipts_xcalloc(1, sizeof(*a));

	a->next_cap = MIN_BLOCK;
	return a;
}

void ipts_arena_free(struct ipts_arena *a)
{
	struct block *b, *next;

	if (!a)
		return;
	for (b = a->head; b; b = next) {
		next = b->next;
		free(b);
	}
	free(a);
}

static struct block *block_new(size_t cap)
{
	struct block *b = ipts_xcalloc(1, sizeof(*b) + cap);

	b->cap = cap;
	return b;
}

void *ipts_arena_alloc(struct ipts_arena *a, size_t n)
{
	struct block *b = a->head;
	void *p;

	n = (n + ALIGN - 1) & ~(size_t)(ALIGN - 1);
	if (n == 0)
		n = ALIGN;
	if (!b || b->cap - b->used < n) {
		if (n > a->next_cap / 2) {
			/* Large: its own block, behind the current one. */
			struct block *big = block_new(n);

			if (b) {
				big->next = b->next;
				b->next = big;
			} else {
				a->head = big;
			}
			big->used = n;
			a->total += n;
			return big->data;
		}
		b = block_new(a->next_cap);
		b->next = a->head;
		a->head = b;
		if (a->next_cap < MAX_BLOCK)
			a->next_cap = a->next_cap * 2 < MAX_BLOCK ?
				      a->next_cap * 2 : MAX_BLOCK;
	}
	p = b->data + b->used;
	b->used += n;
	a->total += n;
	return p;
}

void *ipts_arena_memdup(struct ipts_arena *a, const void *p, size_t n)
{
	void *q = ipts_arena_alloc(a, n);

	memcpy(q, p, n);
	return q;
}

char *ipts_arena_strndup(struct ipts_arena *a, const char *s, size_t n)
{
	char *q = ipts_arena_alloc(a, n + 1);

	memcpy(q, s, n);
	q[n] = '\0';
	return q;
}

char *ipts_arena_strdup(struct ipts_arena *a, const char *s)
{
	return ipts_arena_strndup(a, s, strlen(s));
}

size_t ipts_arena_size(const struct ipts_arena *a)
{
	return a->total;
}
