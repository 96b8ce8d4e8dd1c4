/*
 * arena.c - one bump allocator per loaded ruleset. Blocks grow
 * geometrically up to 4 MiB; a request larger than a block gets its own.
 * Blocks come zeroed (calloc, or fresh anonymous pages), so allocations
 * are not cleared again.
 *
 * A block of HUGE_BLOCK bytes or more (only a large file's arena grows
 * so far) is its own mapping, aligned to 2 MiB and offered to the
 * kernel's transparent huge pages: the kernel then clears it in 2 MiB
 * pages, one fault each, not 512 faults of 4 KiB (flat 100,000 rules:
 * 12,064 page faults a check down to about 7,000).
 *
 * Clearing those pages is still the load's largest single cost (about a
 * millisecond a MiB on the development machine). With ipts_arena_ahead()
 * on, a second thread maps the arena's next MAX_BLOCK block and faults
 * it in (MADV_POPULATE_WRITE: the kernel clears the pages, the bytes are
 * not written) while the loading thread fills the current one; it hands
 * the block over only once every page is in, so the two never touch the
 * same bytes, and it holds at most one block the arena has not asked for.
 */
#include "arena.h"
#include "diag.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

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
#define MAX_BLOCK (1u << 22)
#define HUGE_PAGE ((size_t)2 << 20)
#define HUGE_BLOCK ((size_t)2 << 20)

struct block {
	struct block *next;
	size_t used, cap;
	size_t mapped; /* 0: from calloc; else the mapping's length */
	_Alignas(ALIGN) unsigned char data[];
};

/* The thread that faults in the next block (ipts_arena_ahead()). */
struct ahead {
	pthread_t thread;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	void *spare; /* MAX_BLOCK bytes mapped and faulted in, or NULL */
	bool stop;
};

struct ipts_arena {
	struct block *head;
	size_t next_cap, total;
	bool ahead_on; /* start the thread at the first huge block */
	struct ahead *ahead;
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
	ipts_arena_ahead(a, false);
	for (b = a->head; b; b = next) {
		next = b->next;
		if (b->mapped)
			munmap(b, b->mapped);
		else
			free(b);
	}
	free(a);
}

/* @len bytes (a multiple of HUGE_PAGE) in a mapping of their own at a
 * 2 MiB boundary (the kernel maps a huge page only where one fits
 * whole), offered to transparent huge pages; NULL if none is mapped. */
static void *map_huge(size_t len)
{
	uintptr_t p, at;
	void *m;

	m = mmap(NULL, len + HUGE_PAGE, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (m == MAP_FAILED)
		return NULL;
	p = (uintptr_t)m;
	at = (p + HUGE_PAGE - 1) & ~(uintptr_t)(HUGE_PAGE - 1);
	if (at > p)
		munmap(m, at - p);
	munmap((void *)(at + len), p + HUGE_PAGE - at);
#ifdef MADV_HUGEPAGE
	madvise((void *)at, len, MADV_HUGEPAGE); /* advice: may be refused */
#endif
	return (void *)at;
}

static size_t huge_round(size_t n)
{
	return (n + HUGE_PAGE - 1) & ~(HUGE_PAGE - 1);
}

void *ipts_big_calloc(size_t n)
{
	void *p;

	if (n < HUGE_BLOCK)
		return ipts_xcalloc(1, n ? n : 1);
	/* fresh anonymous pages read as zero */
	if (n > SIZE_MAX - 2 * HUGE_PAGE || !(p = map_huge(huge_round(n))))
		ipts_oom();
	return p;
}

void ipts_big_free(void *p, size_t n)
{
	if (!p)
		return;
	if (n >= HUGE_BLOCK)
		munmap(p, huge_round(n));
	else
		free(p);
}

/*
 * The ahead thread: while no spare waits, map one and fault it in a huge
 * page at a time (so that a stop waits for one page at most). A kernel
 * without MADV_POPULATE_WRITE (before 5.14) ends the thread: the loading
 * thread then faults its blocks in as before.
 */
static void *ahead_run(void *arg)
{
	struct ahead *ah = arg;
	size_t at;
	void *m;

	pthread_mutex_lock(&ah->mu);
	for (;;) {
		while (ah->spare && !ah->stop)
			pthread_cond_wait(&ah->cv, &ah->mu);
		if (ah->stop)
			break;
		pthread_mutex_unlock(&ah->mu);
		m = map_huge(MAX_BLOCK);
		for (at = 0; m && at < MAX_BLOCK; at += HUGE_PAGE) {
#ifdef MADV_POPULATE_WRITE
			if (madvise((char *)m + at, HUGE_PAGE,
				    MADV_POPULATE_WRITE) == 0 &&
			    !__atomic_load_n(&ah->stop, __ATOMIC_RELAXED))
				continue;
#endif
			munmap(m, MAX_BLOCK);
			m = NULL;
		}
		pthread_mutex_lock(&ah->mu);
		if (!m)
			break;
		ah->spare = m;
	}
	pthread_mutex_unlock(&ah->mu);
	return NULL;
}

void ipts_arena_ahead(struct ipts_arena *a, bool on)
{
	struct ahead *ah = a->ahead;

	a->ahead_on = on;
	if (on || !ah)
		return;
	pthread_mutex_lock(&ah->mu);
	__atomic_store_n(&ah->stop, true, __ATOMIC_RELAXED);
	pthread_cond_signal(&ah->cv);
	pthread_mutex_unlock(&ah->mu);
	pthread_join(ah->thread, NULL);
	if (ah->spare)
		munmap(ah->spare, MAX_BLOCK);
	pthread_mutex_destroy(&ah->mu);
	pthread_cond_destroy(&ah->cv);
	free(ah);
	a->ahead = NULL;
}

/* Start the ahead thread (at the arena's first huge block); without a
 * thread the arena goes on as without ipts_arena_ahead(). */
static void ahead_start(struct ipts_arena *a)
{
	struct ahead *ah = ipts_xcalloc(1, sizeof(*ah));

	pthread_mutex_init(&ah->mu, NULL);
	pthread_cond_init(&ah->cv, NULL);
	if (pthread_create(&ah->thread, NULL, ahead_run, ah) != 0) {
		pthread_mutex_destroy(&ah->mu);
		pthread_cond_destroy(&ah->cv);
		free(ah);
		a->ahead_on = false;
		return;
	}
	a->ahead = ah;
}

/* The block the ahead thread faulted in (MAX_BLOCK bytes), or NULL. */
static void *ahead_take(struct ahead *ah)
{
	void *m;

	pthread_mutex_lock(&ah->mu);
	m = ah->spare;
	ah->spare = NULL;
	pthread_cond_signal(&ah->cv);
	pthread_mutex_unlock(&ah->mu);
	return m;
}

static struct block *block_new(struct ipts_arena *a, size_t cap)
{
	struct block *b = NULL;

	if (a->ahead_on && cap + sizeof(*b) >= HUGE_BLOCK) {
		if (!a->ahead)
			ahead_start(a);
		else if (huge_round(sizeof(*b) + cap) == MAX_BLOCK)
			b = ahead_take(a->ahead);
	}
	if (!b && cap + sizeof(*b) >= HUGE_BLOCK &&
	    cap < SIZE_MAX - 2 * HUGE_PAGE - sizeof(*b))
		b = map_huge(huge_round(sizeof(*b) + cap));
	if (b) {
		/* fresh anonymous pages read as zero */
		b->mapped = huge_round(sizeof(*b) + cap);
		b->cap = b->mapped - sizeof(*b);
		return b;
	}
	b = ipts_xcalloc(1, sizeof(*b) + cap);
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
			struct block *big = block_new(a, n);

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
		/* a block of 2 MiB or more: its header in its pages */
		b = block_new(a, a->next_cap >= HUGE_BLOCK ?
					 a->next_cap - sizeof(*b) :
					 a->next_cap);
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
