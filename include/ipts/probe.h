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
 * Marks and conntrack states are no dimension: a connection starts with
 * mark 0, and its states follow from the handshake. Without a described
 * host, every connection is local (over lo) and addresses a rule names
 * are taken as addresses of this host (as `trace --local-addr` does).
 * With one (opts->host), the place of the client is a dimension too
 * (IPTS_DIM_IN: a local process, or another host whose packets arrive on
 * one of the host's interfaces), and the addresses add, for each
 * interface, its own address, a neighbour inside its prefixes and an
 * address outside every prefix of the host (the internet): inbound,
 * outbound and forwarded pairs between interfaces. Each rule then gets
 * one connection per place it can be met from. Multicast, broadcast and
 * 0.0.0.0 are never used.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sim.h"

struct ipts_hostdesc;
struct ipts_ipsets;
struct ipts_ruleset;

/* A dimension's values, sorted and distinct. */
struct ipts_probe_vals {
	uint32_t *v;
	size_t n, cap;
};

/*
 * The dimensions of a connection, in the order `diff` prints them. Code
 * that groups or prints connections goes through this list (and
 * ipts_probe_coord()), so a new dimension is one more entry here.
 */
enum ipts_probe_dim {
	IPTS_DIM_PROTO,
	IPTS_DIM_SRC,
	IPTS_DIM_DST,
	IPTS_DIM_DPORT,
	IPTS_DIM_SPORT,
	IPTS_DIM_UID,
	IPTS_DIM_GID,
	IPTS_DIM_IN,		/* 0: a local client; k: ipts_probe_set.in[k] */
	IPTS_DIM_COUNT,
};

/* IPv6 addresses, sorted (as the 128-bit numbers they are), distinct. */
struct ipts_probe_addrs {
	union nf_inet_addr *a;
	size_t n, cap;
};

struct ipts_probe_dims {
	struct ipts_probe_vals proto;	/* IPPROTO_TCP, IPPROTO_UDP */
	struct ipts_probe_vals dport, sport;	/* host order */
	/* IPv4: addresses, network order. IPv6: indexes into @addrs, whose
	 * order is the addresses' (ipts_probe_addr() reads them). */
	struct ipts_probe_vals src, dst;
	struct ipts_probe_vals uid, gid;
	struct ipts_probe_vals in;	/* indexes into ipts_probe_set.in */
	/* The host's sets (borrowed), whose elements -m set adds values
	 * from; NULL: none. */
	const struct ipts_ipsets *ipsets;
	/* The rulesets' family: NFPROTO_IPV4 (0 reads as it) or _IPV6. */
	uint8_t family;
	/* IPv6: the addresses the rules give (src6, dst6) while they are
	 * collected, then every address asked (addrs), which src and dst
	 * index. */
	struct ipts_probe_addrs src6, dst6, addrs;
};

/* What the caller fixes: a dimension given here is not derived. */
struct ipts_probe_opts {
	size_t max;			/* cap on connections (0: 4000) */
	uint8_t proto;			/* 0: derived */
	const uint32_t *uids;		/* NULL: derived */
	size_t nuids;
	const uint32_t *dports;		/* NULL: derived */
	size_t ndports;
	/* The host both files are asked on (borrowed: it outlives the
	 * set); NULL: local connections only. */
	const struct ipts_hostdesc *host;
	/* The host's sets both files are asked with (borrowed); NULL:
	 * none, -m set is undetermined. */
	const struct ipts_ipsets *ipsets;
	/* diff --new-ipsets: the new file's capture (borrowed; NULL: the
	 * new file is asked with @ipsets too) and the names of the sets
	 * whose contents differ between the two captures, each
	 * NUL-terminated, the list ended by an empty name (NULL: none).
	 * Every rule of either file testing such a set is probed, with
	 * the elements of both captures. */
	const struct ipts_ipsets *new_ipsets;
	const char *changed_sets;
};

/*
 * A dimension's classes: values a walk cannot tell apart. Known only for a
 * dimension that the rules of both files test by ranges alone (uid, gid:
 * -m owner), as the sorted first values of its intervals, start[0] == 0.
 */
struct ipts_probe_classes {
	bool known;
	struct ipts_probe_vals start;
};

struct ipts_probe_set {
	struct ipts_query *q;		/* the connections, in order */
	size_t n;
	size_t total;			/* combinations before the cap */
	size_t focus_rules;		/* rules the values came from */
	struct ipts_probe_dims dims;
	struct ipts_probe_classes classes[IPTS_DIM_COUNT];
	/* The client's places: in[0] is NULL (a local process), in[k] the
	 * name of the host interface its packets arrive on (borrowed from
	 * opts->host; the queries' in points at them). */
	const char **in;
	size_t nin;
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

/*
 * The rules one file has and the other lacks (matched by table, chain and
 * words) that only a packet not over lo meets: an -i or -o of another
 * device (not inverted), or a place in FORWARD. Without @host, the
 * connections ipts_probe_derive() makes are local ones, which never meet
 * them. With @host, only those its connections cannot meet count: an
 * -i/-o that names no interface of the host (wildcards matched), FORWARD
 * on a host with fewer than two interfaces besides lo. *@first (when not
 * NULL): one of them, or NULL.
 */
size_t ipts_probe_off_lo_changes(const struct ipts_ruleset *old,
				 const struct ipts_ruleset *new_rs,
				 const struct ipts_hostdesc *host,
				 const struct ipts_rule **first);

/* The values asked of dimension @d, and a connection's value of it. */
const struct ipts_probe_vals *
ipts_probe_dim_vals(const struct ipts_probe_set *set, enum ipts_probe_dim d);
uint32_t ipts_probe_coord(const struct ipts_probe_set *set,
			  const struct ipts_query *q, enum ipts_probe_dim d);
/* The family of the connections (NFPROTO_IPV4 or NFPROTO_IPV6). */
uint8_t ipts_probe_family(const struct ipts_probe_set *set);
/* The address a value @v of IPTS_DIM_SRC or IPTS_DIM_DST stands for. */
void ipts_probe_addr(const struct ipts_probe_set *set, uint32_t v,
		     union nf_inet_addr *out);
/* The largest value of dimension @d. */
uint32_t ipts_probe_dim_max(enum ipts_probe_dim d);

/*
 * The class of @v in dimension @d, as [*lo, *hi]: every value in it gets
 * the same answer as @v from both files, whatever the other dimensions.
 * False (and [v, v]) when the dimension's classes are not known.
 */
bool ipts_probe_class_of(const struct ipts_probe_set *set,
			 enum ipts_probe_dim d, uint32_t v, uint32_t *lo,
			 uint32_t *hi);

/*
 * A box: a set of connections that is the product of one set of values
 * per dimension (sorted, distinct; v[d][0..n[d]-1]).
 */
struct ipts_probe_box {
	uint32_t *v[IPTS_DIM_COUNT];
	size_t n[IPTS_DIM_COUNT];
};

/*
 * Cover the @n connections @q[0..n-1] (distinct) exactly by disjoint
 * boxes: their union holds those connections and no other. Merges along
 * the last dimensions first (uid before ports before addresses), so that
 * a change that ignores the uid reads as one box. Returns the number of
 * boxes, in *@out (free with ipts_probe_boxes_free()).
 */
size_t ipts_probe_boxes(const struct ipts_probe_set *set,
			const struct ipts_query *const *q, size_t n,
			struct ipts_probe_box **out);
void ipts_probe_boxes_free(struct ipts_probe_box *b, size_t n);

/*
 * What a change did to the rules a connection met: the edited rule of
 * NEW (of OLD when NEW has none in its place), as the head/tail
 * comparison of the two chains finds it.
 */
enum ipts_probe_edit_kind {
	IPTS_EDIT_NONE,		/* no edited rule or policy on the way */
	IPTS_EDIT_ADDED,	/* @rule is in NEW only */
	IPTS_EDIT_REMOVED,	/* @was is in OLD only */
	IPTS_EDIT_MOVED,	/* @rule in NEW is @was of OLD, elsewhere */
	IPTS_EDIT_CHANGED,	/* @rule replaces @was (either may be NULL
				   when the stretches differ in length) */
	IPTS_EDIT_POLICY,	/* @chain's policy differs from @old_chain's */
};

struct ipts_probe_edit {
	enum ipts_probe_edit_kind kind;
	const struct ipts_rule *rule;		/* in NEW */
	const struct ipts_rule *was;		/* in OLD */
	const struct ipts_chain *chain, *old_chain;
};

struct ipts_probe_editor;

/* Windows of the chains that differ, cached; free with _free(). */
struct ipts_probe_editor *
ipts_probe_editor_new(const struct ipts_ruleset *old,
		      const struct ipts_ruleset *new_rs);
void ipts_probe_editor_free(struct ipts_probe_editor *ed);

/*
 * The edit connection results @o (OLD) and @n (NEW) met. In order: NEW's
 * deciding rule if it is edited, OLD's deciding rule if it is, the first
 * edited rule NEW's packets matched, then OLD's, then a changed policy
 * that decided on either side.
 */
void ipts_probe_edit_find(struct ipts_probe_editor *ed,
			  const struct ipts_result *o,
			  const struct ipts_result *n,
			  struct ipts_probe_edit *out);

/* Add the values rule @r mentions, and those around them, to @d. */
void ipts_probe_dims_add_rule(struct ipts_probe_dims *d,
			      const struct ipts_rule *r);
void ipts_probe_dims_free(struct ipts_probe_dims *d);
/* True when @v is among @vals. */
bool ipts_probe_vals_has(const struct ipts_probe_vals *vals, uint32_t v);

#endif
