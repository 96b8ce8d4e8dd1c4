/*
 * arena.c - one bump allocator per loaded ruleset. Blocks grow
 * geometrically up to 2 MiB; a request larger than a block gets its own.
 * Blocks come zeroed (calloc, or fresh pages), so allocations are not
 * cleared again. The 2 MiB blocks are mapped on a 2 MiB boundary and offered
 * to the kernel as huge pages: a big file then costs a few dozen page faults
 * instead of one per 4 KiB.
 */
#include "arena.h"
#include "diag.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#define ALIGN 16
#define MIN_BLOCK 4096
#define HUGE_PAGE ((size_t)2 << 20)
#define MAX_BLOCK (HUGE_PAGE - sizeof(struct block))

/* Under AddressSanitizer every block stays a malloc'd one it can watch. */
#if defined(__SANITIZE_ADDRESS__)
#define MAP_BLOCKS 0
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define MAP_BLOCKS 0
#endif
#endif
#ifndef MAP_BLOCKS
#define MAP_BLOCKS 1
#endif

struct block {
	struct block *next;
	size_t used, cap;
	size_t mapped;			/* bytes mmap'd, 0: malloc'd */
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
		if (b->mapped)
			munmap(b, b->mapped);
		else
			free(b);
	}
	free(a);
}

/* @size bytes (a multiple of HUGE_PAGE) on a HUGE_PAGE boundary, or NULL. */
static void *map_huge(size_t size)
{
	unsigned char *p, *q;
	size_t head;

	p = mmap(NULL, size + HUGE_PAGE, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		return NULL;
	q = (unsigned char *)(((uintptr_t)p + HUGE_PAGE - 1) &
			      ~(uintptr_t)(HUGE_PAGE - 1));
	head = (size_t)(q - p);
	if (head)
		munmap(p, head);
	munmap(q + size, HUGE_PAGE - head);
	/* Only advice: without transparent huge pages, 4 KiB pages. */
	madvise(q, size, MADV_HUGEPAGE);
	return q;
}

static struct block *block_new(size_t cap)
{
	size_t size = sizeof(struct block) + cap;
	struct block *b = NULL;

	if (MAP_BLOCKS && size >= HUGE_PAGE) {
		size = (size + HUGE_PAGE - 1) & ~(HUGE_PAGE - 1);
		b = map_huge(size);
		if (b) {
			b->mapped = size;
			cap = size - sizeof(struct block);
		}
	}
	if (!b) {
		b = ipts_xcalloc(1, size);
		b->mapped = 0;
	}
	b->used = 0;
	b->cap = cap;
	b->next = NULL;
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
