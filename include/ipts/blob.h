#ifndef IPTS_BLOB_H
#define IPTS_BLOB_H

/*
 * blob.h - length-checked readers of a rule's match and target blobs.
 *
 * A blob's size (match_size, target_size) counts its header; the
 * extension's struct lies in the data after it. A blob the model holds
 * always has at least its header and its extension's struct, but the
 * decoders of lint, probe, nat, the ruleset's index and the matchers read
 * through these all the same, so that no size is trusted in one place and
 * not in another, and a short blob is never read past its end.
 *
 * Sizes are taken as they are: the kernel's XT_ALIGN() padding is not
 * required, so data longer than the struct read, or not a multiple of 8
 * bytes, is still given.
 */
#include <stdbool.h>
#include <stddef.h>
#include <string.h>

#include "model.h"

/* The bytes of data in @m: 0 when match_size does not hold the header. */
static inline size_t ipts_match_len(const struct xt_entry_match *m)
{
	if (m->u.match_size < sizeof(*m))
		return 0;
	return m->u.match_size - sizeof(*m);
}

/* The same for target @t. */
static inline size_t ipts_target_len(const struct xt_entry_target *t)
{
	if (t->u.target_size < sizeof(*t))
		return 0;
	return t->u.target_size - sizeof(*t);
}

/*
 * The data of @m when its match_size holds the header and @min bytes
 * more, with the data's length in *@len (when @len is not NULL); else
 * NULL, and *@len 0.
 */
static inline const void *ipts_match_data(const struct xt_entry_match *m,
					  size_t min, size_t *len)
{
	size_t n = ipts_match_len(m);
	bool ok = m->u.match_size >= sizeof(*m) && n >= min;

	if (len)
		*len = ok ? n : 0;
	return ok ? m->data : NULL;
}

/* The same for target @t and its target_size. */
static inline const void *ipts_target_data(const struct xt_entry_target *t,
					   size_t min, size_t *len)
{
	size_t n = ipts_target_len(t);
	bool ok = t->u.target_size >= sizeof(*t) && n >= min;

	if (len)
		*len = ok ? n : 0;
	return ok ? t->data : NULL;
}

/*
 * @a and @b are the same match: equal match_size, extension name and
 * revision, and equal data bytes (as many as ipts_match_len() gives, none
 * for a size that does not hold the header). Names are compared within
 * their field, terminated or not.
 */
static inline bool ipts_match_same(const struct xt_entry_match *a,
				   const struct xt_entry_match *b)
{
	return a->u.match_size == b->u.match_size &&
	       strncmp(a->u.user.name, b->u.user.name,
		       sizeof(a->u.user.name)) == 0 &&
	       a->u.user.revision == b->u.user.revision &&
	       memcmp(a->data, b->data, ipts_match_len(a)) == 0;
}

/* The same for targets @a and @b and their target_size. */
static inline bool ipts_target_same(const struct xt_entry_target *a,
				    const struct xt_entry_target *b)
{
	return a->u.target_size == b->u.target_size &&
	       strncmp(a->u.user.name, b->u.user.name,
		       sizeof(a->u.user.name)) == 0 &&
	       a->u.user.revision == b->u.user.revision &&
	       memcmp(a->data, b->data, ipts_target_len(a)) == 0;
}

#endif
