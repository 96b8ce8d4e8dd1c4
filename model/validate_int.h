#ifndef IPTS_VALIDATE_INT_H
#define IPTS_VALIDATE_INT_H

/*
 * validate_int.h - what validate.c (reachability and loops, as
 * mark_source_chains() finds them) shares with checkentry.c (the checks
 * of xt_check_match(), xt_check_target() and each extension's
 * checkentry). Private to model/.
 */
#include <stddef.h>
#include <stdint.h>

#include "model_build.h"

/* Which chains and hooks, computed once per table. */
struct vctx {
	struct ipts_table *t;
	struct ipts_diags *d;
	uint32_t n;			/* chains */
	uint32_t *live;			/* rules the kernel's walk reaches */
	uint8_t *mask;			/* hooks each chain is reached from */
	/* [hook * n + chain]: the rule that first jumped to the chain on
	 * that hook's walk (breadth first: a shortest path) */
	const struct ipts_rule **via;
	/* pointer -> index of t->chains */
	const struct ipts_chain **hkey;
	uint32_t *hval;
	uint32_t hsize;
	/* the jumps the walk follows (compute_jumps()) */
	uint32_t *jstart, *jdest;
	const struct ipts_rule **jrule;
	int errors;
	/* State shared between rules, as the kernel keeps it per netns. */
	struct named {
		const char *name;
		const struct ipts_rule *r;
		int a, b;
	} *idletimers, *rateests;
	size_t nidletimers, nrateests;
	/* The registrations of the extension names met (checkentry.c):
	 * a table names few, and asks for each at every rule. Keyed by
	 * the blob's whole name field as four words (the last holds its
	 * 5 last bytes), the low bit of the first word's key for target. */
	struct spec_memo {
		const void *s; /* const struct xspec *, NULL: none */
		uint64_t w[4];
		bool target, used;
	} specs[16];
};

/* A growing string for messages. */
struct ipts_sbuf {
	char *p;
	size_t len, cap;
};

void ipts_sbuf_add(struct ipts_sbuf *s, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* The text so far ("" before the first ipts_sbuf_add()). */
const char *ipts_sbuf_str(struct ipts_sbuf *s);

/*
 * An error about @r at @loc (validate.c); when @bad_hooks is not 0 it
 * names the path from one of those hooks to @r's chain, with a note at
 * the first jump of that path.
 */
void ipts_rule_error(struct vctx *v, const struct ipts_rule *r,
		     const struct ipts_loc *loc, unsigned int bad_hooks,
		     const char *fmt, ...) __attribute__((format(printf, 5, 6)));

/*
 * find_check_entry() on @r, reached from @hooks (0: from none), in
 * checkentry.c: each match's and the target's registration (table, hooks,
 * protocol), then its checkentry. Errors go through ipts_rule_error().
 */
void ipts_checkentry_rule(struct vctx *v, const struct ipts_rule *r,
			  unsigned int hooks);

#endif
