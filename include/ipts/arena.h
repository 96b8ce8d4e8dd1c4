#ifndef IPTS_ARENA_H
#define IPTS_ARENA_H

#include <stdbool.h>
#include <stddef.h>

/*
 * A bump allocator: everything of one loaded ruleset lives in one arena and
 * is freed at once by ipts_arena_free(). Allocation never fails (ipts_oom).
 */
struct ipts_arena;

struct ipts_arena *ipts_arena_new(void);
void ipts_arena_free(struct ipts_arena *a);
/*
 * @on: from its first block of 2 MiB on, a second thread maps and faults
 * in @a's next block while the caller fills the current one (the pages'
 * clearing off the caller's path; at most one block ahead of need).
 * Off (and ipts_arena_free()) stops the thread and unmaps a block not
 * taken. Nothing changes when no thread can start.
 */
void ipts_arena_ahead(struct ipts_arena *a, bool on);
/* @n bytes, zeroed, aligned to 8: enough for any kernel struct (XT_ALIGN). */
void *ipts_arena_alloc(struct ipts_arena *a, size_t n);
void *ipts_arena_memdup(struct ipts_arena *a, const void *p, size_t n);
char *ipts_arena_strdup(struct ipts_arena *a, const char *s);
char *ipts_arena_strndup(struct ipts_arena *a, const char *s, size_t n);
/*
 * @n bytes, zeroed, outside any arena: a table of 2 MiB or more in pages
 * of its own offered to the kernel's transparent huge pages (fewer page
 * faults where a hash table is touched all over), a smaller one from
 * calloc. Freed by ipts_big_free() with the same @n. Never fails.
 */
void *ipts_big_calloc(size_t n);
void ipts_big_free(void *p, size_t n);
/* Bytes handed out so far (for benchmarks). */
size_t ipts_arena_size(const struct ipts_arena *a);

#endif
