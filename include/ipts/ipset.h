#ifndef IPTS_IPSET_H
#define IPTS_IPSET_H

/*
 * ipset.h - the ipsets of the firewall host, as `ipset save` prints them
 * (`create NAME TYPE OPTIONS`, `add NAME ELEMENT OPTIONS`), and the
 * kernel's test of a packet against one (ip_set_test() of
 * net/netfilter/ipset/ip_set_core.c and each type's kadt()). Never the
 * machine iptsim runs on: only what the file says. A set of family inet6
 * is read, its elements checked, and tested against (and changed by
 * -j SET from) a packet whose family is 6; a set never matches, nor
 * takes an element from, a packet of the other family, as the kernel's
 * family check.
 *
 * Ownership: ipts_ipsets_read() returns a collection the caller frees
 * with ipts_ipsets_free(); it borrows its source, which must outlive it.
 * A set pointer is borrowed from its collection. Everything is read-only
 * once read, so walks may share it.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct ipts_diags;
struct ipts_ruleset;
struct ipts_source;
struct ipts_ipset;
struct ipts_ipsets;
struct ipts_ipset_state;

/* The reason a counter condition is undetermined without --fresh (the
 * answers' notes give the --fresh answer when it is the only one). */
#define IPTS_IPSET_COUNTERS_WHY                                              \
	"-m set --packets/--bytes: the set's counters are history (--fresh " \
	"starts them from the capture)"

/* The largest dimension count of a type and of a match (IPSET_DIM_MAX). */
#define IPTS_IPSET_DIM_MAX 6

/*
 * Read the `ipset save` text of @src. Returns the sets, or NULL with at
 * least one error in @d (every one at its line and column): `ipset list`
 * output, an unknown set type or option, a malformed element, an element
 * of a set not created before it. A type ipset knows but iptsim does
 * not model (bitmap:ip,mac, hash:ip,mac, hash:net,port,net) is kept with
 * a warning: rules testing it stay undetermined.
 */
struct ipts_ipsets *ipts_ipsets_read(const struct ipts_source *src,
				     struct ipts_diags *d);
void ipts_ipsets_free(struct ipts_ipsets *s);

/*
 * The sets @secs seconds after their capture (--at +SECONDS): an element
 * whose timeout ends before then is gone, the others have @secs fewer
 * seconds left; an element without a timeout (or timeout 0) is
 * permanent. `ipset save` prints the whole seconds left, rounded down, so
 * an element whose printed timeout is @secs may or may not be there: its
 * set answers undetermined, saying so. Returns the elements removed.
 */
size_t ipts_ipsets_age(struct ipts_ipsets *s, uint32_t secs);

/* The set named @name (@len bytes), or NULL. */
const struct ipts_ipset *ipts_ipsets_find(const struct ipts_ipsets *s,
					  const char *name, size_t len);
size_t ipts_ipsets_count(const struct ipts_ipsets *s);
/* "hash:ip", ...; its dimension count; family 4, 6 or 0 (any). */
const char *ipts_ipset_type(const struct ipts_ipset *set);
unsigned int ipts_ipset_dim(const struct ipts_ipset *set);
int ipts_ipset_family(const struct ipts_ipset *set);
size_t ipts_ipset_nelems(const struct ipts_ipset *set);
/* Created with `counters`. */
bool ipts_ipset_counters(const struct ipts_ipset *set);
/* Set @i (0 .. count - 1), its name, its create line. */
const struct ipts_ipset *ipts_ipsets_at(const struct ipts_ipsets *s, size_t i);
const char *ipts_ipset_name(const struct ipts_ipset *set);
const struct ipts_loc *ipts_ipset_loc(const struct ipts_ipset *set);
/* No element: for a list:set, none of its members holds one. A type
 * iptsim does not model, or an inet6 set (its elements unread), is never
 * called empty. */
bool ipts_ipset_empty(const struct ipts_ipsets *s,
		      const struct ipts_ipset *set);
/* Some list:set of @s holds @set. */
bool ipts_ipset_listed(const struct ipts_ipsets *s,
		       const struct ipts_ipset *set);

/*
 * What the set match's words say (xt_set_info_match of xt_set.h), from
 * the text a rule keeps for -m set (" ! --match-set NAME src,dst
 * --return-nomatch"): 0, or -1 when the text is not such a match.
 */
struct ipts_ipset_match {
	const char *name; /* into the text, @name_len bytes */
	size_t name_len;
	unsigned int dim; /* flags given (at most DIM_MAX) */
	uint8_t src; /* bit i: dimension i is "src" */
	bool invert; /* ! --match-set */
	bool return_nomatch;
	bool counters; /* --packets-* or --bytes-* given */
	/* what they compare (IPSET_COUNTER_* of ipset.h: ! --packets-eq
	 * is NE) and with which value */
	enum ipts_ipset_cmp {
		IPTS_IPSET_CMP_NONE,
		IPTS_IPSET_CMP_EQ,
		IPTS_IPSET_CMP_NE,
		IPTS_IPSET_CMP_LT,
		IPTS_IPSET_CMP_GT,
	} packets_op, bytes_op;
	uint64_t packets, bytes;
	bool no_update; /* ! --update-counters */
	bool no_subupdate; /* ! --update-subcounters (list:set members) */
};

int ipts_ipset_match_parse(const char *text, struct ipts_ipset_match *m);

/* The packet as a set's kadt() reads it. */
struct ipts_ipset_pkt {
	/* 4 (or 0) and @saddr/@daddr, or 6 and @saddr6/@daddr6 */
	int family;
	uint32_t saddr, daddr; /* network order */
	uint8_t saddr6[16], daddr6[16];
	uint8_t protocol;
	bool fragment; /* fragment offset > 0 */
	uint16_t sport, dport; /* host order; ICMP: type << 8 | code */
	const char *in, *out; /* "" for none */
	uint32_t mark;
	uint32_t len; /* the IP packet's length (a new element's bytes) */
	/* The Ethernet source address: 0 none (a locally generated packet
	 * or lo, which never matches), 1 unknown (another host's) */
	int mac;
};

enum ipts_ipset_answer {
	IPTS_IPSET_NO,
	IPTS_IPSET_YES,
	IPTS_IPSET_UNKNOWN, /* see *why */
};

/*
 * The kernel's answer of -m set @m on @p: ip_set_test() (fewer flags than
 * the set's dimensions never match, the family must fit, a nomatch
 * element answers no unless --return-nomatch turns it around), then the
 * match's own invert. @sets holds the members of a list:set. *@why is a
 * static reason on IPTS_IPSET_UNKNOWN.
 */
enum ipts_ipset_answer ipts_ipset_test(const struct ipts_ipsets *sets,
				       const struct ipts_ipset_match *m,
				       const struct ipts_ipset_pkt *p,
				       const char **why);

/*
 * -m set @m on @p with the sets' counters known (--fresh: they are the
 * capture's `packets N bytes M`, 0 for an element without them): the
 * answer of ipts_ipset_test(), and every element the test finds counted
 * as ip_set_match_extensions() counts it: the packet (1, its IP length)
 * added first unless ! --update-counters, then --packets-* and --bytes-*
 * compared; an element that fails them lets the search go on to the
 * next, less specific prefix (mtype_test_cidrs()) or list:set member
 * (list_set_ktest(): the members counted unless ! --update-subcounters,
 * the list's own element compared). The sets counted are copied into
 * @st, whose save text then carries the counters.
 */
enum ipts_ipset_answer ipts_ipset_state_test(struct ipts_ipset_state *st,
					     const struct ipts_ipset_match *m,
					     const struct ipts_ipset_pkt *p,
					     const char **why);

/* --map-set's test with the counters known: ipts_ipset_map() that counts
 * the element it finds as ipts_ipset_state_test() does (set_target_v3()'s
 * match_set() updates them too). */
enum ipts_ipset_answer ipts_ipset_state_map(struct ipts_ipset_state *st,
					    const struct ipts_ipset_match *m,
					    const struct ipts_ipset_pkt *p,
					    uint32_t *skbmark,
					    uint32_t *skbmarkmask,
					    const char **why);

/*
 * Whether some -m set of @rs on a set of @sets with counters compares
 * them (--packets-*, --bytes-*): then, under --fresh, the tests of the
 * connection are counted (ipts_ipset_state_test()).
 */
bool ipts_ipsets_counted(const struct ipts_ipsets *sets,
			 const struct ipts_ruleset *rs);

/*
 * -j SET --map-set's test (set_target_v3(): match_set() with the map
 * flags): the answer as ipts_ipset_test() gives it and, on a match, the
 * skbinfo of the element that matched: its skbmark and mask (0 and 0
 * when the element gives none: the mark is then left as it is).
 */
enum ipts_ipset_answer ipts_ipset_map(const struct ipts_ipsets *sets,
				      const struct ipts_ipset_match *m,
				      const struct ipts_ipset_pkt *p,
				      uint32_t *skbmark, uint32_t *skbmarkmask,
				      const char **why);

/*
 * The names of the sets some --add-set or --del-set of @rs names, each
 * NUL-terminated, the list ended by an empty name (malloc'd, the caller
 * frees it), or NULL when no rule changes a set: a -m set on them reads
 * the state the connection's packets leave (struct ipts_ipset_state).
 */
char *ipts_ipsets_changed(const struct ipts_ruleset *rs);

/* What -j SET's words say (xt_set_info_target_v3 of xt_set.h). */
struct ipts_ipset_adt {
	const char *name; /* into the text, @name_len bytes */
	size_t name_len;
	unsigned int dim;
	uint8_t src; /* bit i: dimension i is "src" */
	bool exist; /* --exist (add) */
	uint32_t timeout; /* --timeout, UINT32_MAX: none given */
};

struct ipts_ipset_target {
	struct ipts_ipset_adt add, del, map;
	bool has_add, has_del, has_map;
	bool map_mark, map_prio, map_queue;
};

/* Parse the words a rule keeps for -j SET: 0, or -1 when they are not. */
int ipts_ipset_target_parse(const char *text, struct ipts_ipset_target *t);

/*
 * The sets as the -j SET rules a connection's packets hit leave them: a
 * view of @base (borrowed, it must outlive the state) where a set is
 * copied at its first change. _reset() goes back to @base.
 */
struct ipts_ipset_state;
struct ipts_ipset_state *ipts_ipset_state_new(const struct ipts_ipsets *base);
void ipts_ipset_state_reset(struct ipts_ipset_state *st);
void ipts_ipset_state_free(struct ipts_ipset_state *st);
/* Whether @st was made for @base (a state kept between queries). */
bool ipts_ipset_state_of(const struct ipts_ipset_state *st,
			 const struct ipts_ipsets *base);
/* The sets now (borrowed; valid until the next change or reset). */
const struct ipts_ipsets *
ipts_ipset_state_sets(const struct ipts_ipset_state *st);
bool ipts_ipset_state_changed(const struct ipts_ipset_state *st);

/*
 * ip_set_add() (@add) or ip_set_del() of the element the set's kadt()
 * builds from @p, as -j SET does it: 0 when the set took the change (or
 * --exist refreshed an element), 1 when the kernel refuses it (the
 * element there already, or not there to delete; a full set; too few
 * flags; a packet the type cannot read), -1 when the file cannot tell
 * what it adds (*why): the set is then unknown for the rest of the
 * connection, and tests of it answer IPTS_IPSET_UNKNOWN.
 */
int ipts_ipset_state_adt(struct ipts_ipset_state *st, bool add,
			 const struct ipts_ipset_adt *a,
			 const struct ipts_ipset_pkt *p, const char **why);

/*
 * @secs seconds pass inside the connection (the IPv6 SYN's
 * retransmission 1 s after the first): every element with a timeout
 * has @secs fewer seconds left, one whose timeout ends before then is
 * gone, and one whose timeout ends at that second (ipset save's rounded
 * seconds, or -j SET --timeout N at the first packet: ip_set_timeout_expired()
 * compares jiffies) makes its set unknown for the rest of the way, as
 * ipts_ipsets_age() does for --at.
 */
void ipts_ipset_state_advance(struct ipts_ipset_state *st, uint32_t secs);

/* Some element of @s has a timeout (it may expire inside a
 * connection). */
bool ipts_ipsets_timed(const struct ipts_ipsets *s);

/* The changes made, in order (at most 64 kept). */
enum ipts_ipset_op {
	IPTS_IPSET_ADDED,
	IPTS_IPSET_DELETED,
	IPTS_IPSET_REFRESHED, /* --exist: already there, timeout set again */
};

size_t ipts_ipset_state_nchanges(const struct ipts_ipset_state *st);
/* Change @i: its set's name (borrowed), what it did, and the element
 * as `ipset save` writes it, into @elem of @n bytes. */
void ipts_ipset_state_change(const struct ipts_ipset_state *st, size_t i,
			     const char **set, enum ipts_ipset_op *op,
			     char *elem, size_t n);
/*
 * The `ipset save` text of every set the connection changed (its create
 * line as the capture gives it, then its elements, timeouts as set by
 * the change; comments and skbinfo of elements are not kept), a comment
 * line for a set left unknown; malloc'd, or NULL when nothing changed.
 */
char *ipts_ipset_state_save(const struct ipts_ipset_state *st);

/*
 * The values where -m set @m's answer may change, for diff's probe: for
 * each element of its set (a list:set's members too), every address part
 * and port part as the inclusive range it covers, with whether the flag
 * of its dimension takes the source (@src) or the destination. Addresses
 * in host order; an inet6 set's address parts come as
 * IPTS_IPSET_PART_ADDR6, @a6 the range's first and last addresses
 * (network order; @lo and @hi 0), NULL for the other kinds. At most @max
 * elements of each set are given.
 */
enum ipts_ipset_part {
	IPTS_IPSET_PART_ADDR,
	IPTS_IPSET_PART_PORT,
	IPTS_IPSET_PART_ADDR6,
};

struct in6_addr;
typedef void (*ipts_ipset_part_fn)(void *arg, enum ipts_ipset_part kind,
				   bool src, uint32_t lo, uint32_t hi,
				   const struct in6_addr *a6);

/* @family (4, 6): the rule's; a set of the other family gives nothing,
 * as ip_set_test() never matches it. */
void ipts_ipset_parts(const struct ipts_ipsets *sets,
		      const struct ipts_ipset_match *m, int family, size_t max,
		      ipts_ipset_part_fn fn, void *arg);

/* Whether -m set @m reads the set @name: it is the set, or a list:set
 * holding it. */
bool ipts_ipset_reads(const struct ipts_ipsets *sets,
		      const struct ipts_ipset_match *m, const char *name);

/*
 * The load checks that need the sets, which iptables-restore makes when
 * it asks the kernel for each set a rule names: "Set X doesn't exist.",
 * a set of IPv6 in an IPv4 table. Errors at the rule's set match (or
 * SET target) go to @d; returns their number.
 */
int ipts_ipsets_check(const struct ipts_ipsets *sets,
		      const struct ipts_ruleset *rs, struct ipts_diags *d);

#endif
