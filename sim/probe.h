#ifndef IPTS_PROBE_H
#define IPTS_PROBE_H

/*
 * The connections worth asking about two versions of a ruleset: `iptsim
 * diff` walks each through both and reports those whose answer changed.
 *
 * Values come from the rules that can make a difference: the rules of a
 * chain that differ between the two files (those between the longest
 * common head and tail of its rule list; every rule of a chain in one
 * file only), and the jumps that lead to a chain that differs. From them:
 * protocols, destination and source ports, addresses, uids and gids, each
 * with the values just around it (port-1, port+1, the address just past a
 * prefix, uid+1...), plus defaults (tcp; ports 22, 80, 1060; uid 0 and
 * 1000). The connections are every combination, at most opts->max of
 * them, in this order: the defaults; for each of those rules, one
 * connection it matches; each value once with the defaults for the rest;
 * then the others.
 *
 * Marks, interfaces and conntrack states are no dimension: a local
 * connection starts with mark 0 on lo, and its states follow from the
 * handshake. Addresses a rule names are taken as addresses of this host
 * (as `trace --local-addr` does), since the simulator only runs local
 * connections; multicast, broadcast and 0.0.0.0 are never used.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sim.h"

struct ipts_ruleset;

/* A dimension's values, sorted and distinct. */
struct ipts_probe_vals {
	uint32_t *v;
	size_t n, cap;
};

struct ipts_probe_dims {
	struct ipts_probe_vals proto;	/* IPPROTO_TCP, IPPROTO_UDP */
	struct ipts_probe_vals dport, sport;	/* host order */
	struct ipts_probe_vals src, dst;	/* network order */
	struct ipts_probe_vals uid, gid;
};

/* What the caller fixes: a dimension given here is not derived. */
struct ipts_probe_opts {
	size_t max;			/* cap on connections (0: 4000) */
	uint8_t proto;			/* 0: derived */
	const uint32_t *uids;		/* NULL: derived */
	size_t nuids;
	const uint32_t *dports;		/* NULL: derived */
	size_t ndports;
};

struct ipts_probe_set {
	struct ipts_query *q;		/* the connections, in order */
	size_t n;
	size_t total;			/* combinations before the cap */
	size_t focus_rules;		/* rules the values came from */
	struct ipts_probe_dims dims;
};

#define IPTS_PROBE_DEFAULT_MAX 4000

/*
 * Fill @set (zeroed by the caller) with the connections worth asking
 * about @old against @new_rs; @opts may be NULL. Either ruleset may be
 * NULL: then every rule of the other counts. Returns 0 (allocation
 * failure ends in ipts_oom()). Release with ipts_probe_set_free().
 */
int ipts_probe_derive(const struct ipts_ruleset *old,
		      const struct ipts_ruleset *new_rs,
		      const struct ipts_probe_opts *opts,
		      struct ipts_probe_set *set);
void ipts_probe_set_free(struct ipts_probe_set *set);

/* Add the values rule @r mentions, and those around them, to @d. */
void ipts_probe_dims_add_rule(struct ipts_probe_dims *d,
			      const struct ipts_rule *r);
void ipts_probe_dims_free(struct ipts_probe_dims *d);
/* True when @v is among @vals. */
bool ipts_probe_vals_has(const struct ipts_probe_vals *vals, uint32_t v);

#endif
