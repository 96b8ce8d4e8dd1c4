#ifndef IPTS_MODEL_BUILD_H
#define IPTS_MODEL_BUILD_H

/*
 * model_build.h - how a model is built and changed: new rulesets, tables
 * and chains, rules inserted and deleted, blobs interned, the kernel's
 * table-load checks. Only model/ and parser/ see this header (CMake gives
 * it to no other target); everyone else reads a loaded model through
 * model.h.
 */
#include <stddef.h>
#include <stdint.h>

#include "model.h"

/* A new empty ruleset reading from @src (which must outlive it). */
struct ipts_ruleset *ipts_ruleset_new(const struct ipts_source *src);

/*
 * The number (1-based) of the host name @name (@len bytes) in @rs: the
 * same for the same bytes, new otherwise.
 */
uint32_t ipts_ruleset_add_name(struct ipts_ruleset *rs, const char *name,
			       size_t len);

/*
 * The one copy, in @rs's arena, of the @len bytes at @blob: the same
 * pointer for every call with the same bytes (compared whole, not by
 * hash) until ipts_ruleset_intern_end(). The copy is read-only and lives
 * as long as @rs.
 */
const void *ipts_ruleset_intern(struct ipts_ruleset *rs, const void *blob,
				size_t len);
/*
 * ipts_ruleset_intern() in two steps: the hash of @len bytes at @blob,
 * its slot fetched into the cache meanwhile, and later the lookup with
 * that hash (the same bytes: the caller keeps them), so that the miss
 * overlaps the caller's work in between.
 */
uint32_t ipts_ruleset_intern_hash(const struct ipts_ruleset *rs,
				  const void *blob, size_t len);
const void *ipts_ruleset_intern_hashed(struct ipts_ruleset *rs,
				       const void *blob, size_t len,
				       uint32_t hash);
/*
 * Size the table behind ipts_ruleset_intern() for about @n blobs before
 * the first, so that a load of that many never grows it (a rehash moves
 * every slot, each a cache miss on a large file). Only before the first.
 */
void ipts_ruleset_intern_reserve(struct ipts_ruleset *rs, uint32_t n);
/*
 * Free the table behind ipts_ruleset_intern(), not the copies: done once
 * loaded, before the index takes memory. A later call starts a new table.
 */
void ipts_ruleset_intern_end(struct ipts_ruleset *rs);

/*
 * Create (or return) the table @id with all its built-in chains, policy
 * ACCEPT, counters zero, as a fresh kernel table is.
 */
struct ipts_table *ipts_table_create(struct ipts_ruleset *rs,
				     enum ipts_table_id id);

/* A new user chain; caller checked that the name is free. */
struct ipts_chain *ipts_chain_create(struct ipts_ruleset *rs,
				     struct ipts_table *t, const char *name,
				     const struct ipts_loc *loc);
/* Give user chain @c a new name (free, checked by the caller). */
void ipts_chain_rename(struct ipts_ruleset *rs, struct ipts_table *t,
		       struct ipts_chain *c, const char *name);
/* Put user chains back in strcmp order (after create or rename), and
 * number every chain by its place (ipts_chain.pos). */
void ipts_table_sort_chains(struct ipts_table *t);
/* Remove user chain @c now, or mark it (@later) for ipts_table_compact(). */
void ipts_chain_remove(struct ipts_table *t, struct ipts_chain *c);
void ipts_chain_remove_later(struct ipts_table *t, struct ipts_chain *c);
void ipts_table_compact(struct ipts_table *t);

/* Insert @r at index @pos (0-based, <= nrules) of @c. */
void ipts_chain_insert_rule(struct ipts_chain *c, uint32_t pos,
			    struct ipts_rule *r);
void ipts_chain_delete_rule(struct ipts_chain *c, uint32_t pos);

/*
 * Give @r, whose loc is set, its @n match blobs and its target blob, and
 * the places of the words that loaded them (@match_locs[i] for match i,
 * @target_loc for the target), which lie on @r->loc's line or are it. The
 * blobs must live as long as @rs (ipts_ruleset_intern() them); the places
 * are copied into @rs's arena. Another entry of the same line may copy
 * these fields of @r as they are.
 */
void ipts_rule_set_blobs(struct ipts_ruleset *rs, struct ipts_rule *r,
			 const struct xt_entry_match *const *matches,
			 const struct ipts_loc *match_locs, unsigned int n,
			 const struct xt_entry_target *target,
			 const struct ipts_loc *target_loc);

/*
 * The kernel's table-load checks (translate_table, mark_source_chains,
 * check_entry and each extension's checkentry) on @t. Appends one error per
 * problem at the offending rule; returns 0 when the kernel would load it.
 * Also computes chain->refs.
 */
int ipts_table_validate(struct ipts_table *t, struct ipts_diags *d);

#endif
