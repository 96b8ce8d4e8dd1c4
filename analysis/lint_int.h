#ifndef IPTS_LINT_INT_H
#define IPTS_LINT_INT_H

/*
 * lint_int.h - what lint's files share (private to ipts_analysis). The
 * files, top to bottom; each calls only files below it:
 *
 *   lint.c           the driver: a table's chains, the checks in the
 *                    order their findings are reported
 *   lint_checks.c    the checks, one function per kind of finding
 *   lint_sets.c      the checks on the host's sets (--ipsets)
 *   lint_report.c    what every finding goes through: the budget, --ignore
 *                    and "iptsim:ignore", the note naming the other rule
 *   lint_chain.c     per-chain facts, found once per table: may a jump to
 *                    it change the packet, does it accept 'lo', which
 *                    generator leaves it empty
 *   pktspace.c       the set of packets a rule matches: built from its
 *                    header and matches, compared (covers, overlap)
 *   portset.c        port sets: sorted disjoint intervals
 *   lint_codes.c     the codes table (lint.h's ipts_lint_codes())
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "lint.h"
/* model.h before the uapi headers of the .c files: glibc's <netinet/in.h>
 * first */
#include "model.h"

struct xt_owner_match_info;

/* ---- port sets: sorted disjoint closed intervals over 0..65535 ---- */

#define IPTS_PSET_MAX 40

/* A set being built or combined (on the stack: 164 bytes). */
struct ipts_pset {
	uint16_t lo[IPTS_PSET_MAX], hi[IPTS_PSET_MAX];
	unsigned int n;
};

/*
 * A set as a space holds it (16 bytes): up to two intervals inline (one
 * is by far the common case, two a '!' of one), more (multiport) as lo,
 * hi pairs in the lint run's arena, shared by the copies of a space.
 */
#define IPTS_PORTS_INLINE 2

struct ipts_ports {
	union {
		uint16_t in[2 * IPTS_PORTS_INLINE];
		const uint16_t *ext;
	} u;
	uint32_t n;
};

/* @p's intervals: lo of interval i at [2 * i], hi at [2 * i + 1]. */
static inline const uint16_t *ipts_ports_iv(const struct ipts_ports *p)
{
	return p->n <= IPTS_PORTS_INLINE ? p->u.in : p->u.ext;
}

/* ---- the space of packets a rule matches ---- */

/* the conntrack states: INVALID, ESTABLISHED, RELATED, NEW, UNTRACKED */
#define IPTS_ST_ALL 0x1f
#define IPTS_ST_NEW 0x08
#define IPTS_FRAG_FIRST 1	/* unfragmented or first fragment */
#define IPTS_FRAG_LATER 2	/* fragment offset != 0 */

/* What lint knows of one rule (pktspace.c): the packets it matches, and
 * what else its matches say. */
struct ipts_space {
	const struct ipts_rule *r;
	struct ipts_ports sport, dport;
	uint8_t frag, states;
	bool tcpflags;
	uint8_t flg_mask, flg_cmp, flg_inv;
	bool mark;
	uint32_t mark_val, mark_mask;
	bool mark_inv;
	bool modelled;		/* every match understood */
	bool identity;		/* a match compared by identity */
	uint64_t idmask; /* which of matches 0..63 are */
	bool idmore; /* and one past them is */
	bool unconditional;	/* no condition at all */
	bool state_m, ctstate_m;	/* uses -m state / conntrack --ctstate */
	int hoststate;		/* index of a host-state match, or -1 */
	const char *hoststate_why;
	bool hoststate_writes;	/* what it writes depends on its answer */
	int last_write;		/* last -m recent that writes a list, or -1 */
	const struct xt_owner_match_info *owner;	/* for IPT008 */
};

/* One run of lint: its options, findings and budget, and the per-chain
 * facts of the table being linted (lint_chain.c). */
struct ipts_lint {
	const struct ipts_ruleset *rs;
	const struct ipts_lint_opts *opts;
	struct ipts_diags *d;
	size_t nfound;
	/* comparisons made and allowed; set once they ran out */
	uint64_t visits, max_visits;
	bool over;
	/* per chain of the current table: 0 unknown, 1 busy, 2 harmless,
	 * 3 changes */
	unsigned char *chain_mut;
	/* per chain: ipts_lint_accepts_lo() once known (enum lo_fact), and the
	 * depth it was found at */
	unsigned char *lo_fact, *lo_depth;
	/* the table's chains sorted by address, for chain_index() */
	const struct ipts_chain **by_addr;
	uint32_t *by_addr_idx;
	const struct ipts_table *t;
	/* the port sets of more than IPTS_PORTS_INLINE intervals */
	struct ipts_arena *arena;
};

static inline bool ipts_in_list(const char *s, const char *const *v, size_t n)
{
	size_t i;

	/* the first byte first: most names differ there */
	for (i = 0; i < n; i++)
		if (s[0] == v[i][0] && strcmp(s, v[i]) == 0)
			return true;
	return false;
}

/* The name @s is the literal @lit: the first byte asked first. */
#define IPTS_NAME_IS(s, lit) ((s)[0] == (lit)[0] && strcmp((s), (lit)) == 0)

#define IPTS_IN_LIST(s, v) ipts_in_list((s), (v), sizeof(v) / sizeof((v)[0]))

/* ---- lint_checks.c: the checks ---- */

/* IPT001, IPT002, IPT003 on chain @c, whose rules' spaces are @sp. */
void ipts_lint_order(struct ipts_lint *l, const struct ipts_chain *c,
		     struct ipts_space *sp);
/* IPT007 on chain @c. */
void ipts_lint_hoststate(struct ipts_lint *l, const struct ipts_chain *c,
			 struct ipts_space *sp);
/* IPT008 on chain @c. */
void ipts_lint_owner_trap(struct ipts_lint *l,
			  const struct ipts_chain *c,
			  struct ipts_space *sp);
/* IPT004, IPT005, IPT006 on the chains of table @t. */
void ipts_lint_chains(struct ipts_lint *l, const struct ipts_table *t);
/* IPT009 on table @t. */
void ipts_lint_loopback(struct ipts_lint *l, const struct ipts_table *t);
/* IPT010 on table @t, given its first rule with -m state and its
 * first with conntrack --ctstate (either NULL: no finding). */
void ipts_lint_state_mixed(struct ipts_lint *l,
			   const struct ipts_table *t,
			   const struct ipts_rule *first_state,
			   const struct ipts_rule *first_ct);
/* IPT011 on the ruleset: its nat PREROUTING DNATs and filter INPUT. */
void ipts_lint_dnat_input(struct ipts_lint *l);
/* lint_sets.c: IPT012-IPT014 with the host's sets (opts->ipsets). */
void ipts_lint_sets(struct ipts_lint *l);
/* Match @k of @r is a -m set that the host's sets decide (--ipsets names
 * its set): no host state for IPT007. */
bool ipts_lint_set_known(const struct ipts_lint *l, const struct ipts_rule *r,
			 int k);

/* ---- lint_report.c: reporting a finding ---- */

/* The comment of @r carries "iptsim:ignore" for @code. */
bool ipts_lint_rule_ignores(const struct ipts_rule *r, const char *code);
/* A rule of @c carries "iptsim:ignore" for @code. */
bool ipts_lint_chain_ignores(const struct ipts_chain *c, const char *code);
/* --ignore names @code. */
bool ipts_lint_code_ignored(const struct ipts_lint *l, const char *code);
/* @code is to be reported at rule @r (may be NULL): not ignored by
 * the options nor by @r's comment. Counts the finding. */
bool ipts_lint_want(struct ipts_lint *l, const char *code,
		    const struct ipts_rule *r);
/* The severity of @code, which must exist. */
enum ipts_severity ipts_lint_sev(const char *code);
/* A message being made without printf (a finding's words are most of
 * what a file of many findings costs to make): ipts_lint_msg_init(), add
 * to it, then hand it to ipts_lint_msg_add(). */
struct ipts_lint_msg {
	char *p; /* small, or from malloc() once it outgrew it */
	size_t n, cap;
	char small[480];
};

/* An empty message (small left as it is: not cleared). */
static inline void ipts_lint_msg_init(struct ipts_lint_msg *m)
{
	m->p = NULL;
	m->n = m->cap = 0;
}

/* Room for @n more bytes and a NUL in @m. */
void ipts_lint_msg_grow(struct ipts_lint_msg *m, size_t n);

/* Add @n bytes of @s. */
static inline void ipts_lint_msg_put(struct ipts_lint_msg *m, const char *s,
				     size_t n)
{
	if (m->n + n + 1 > m->cap)
		ipts_lint_msg_grow(m, n);
	memcpy(m->p + m->n, s, n);
	m->n += n;
}
/* Add the string @s (inline: a literal's length is known where it is
 * written). */
static inline void ipts_lint_msg_str(struct ipts_lint_msg *m, const char *s)
{
	ipts_lint_msg_put(m, s, strlen(s));
}
/* Add @v in decimal. */
void ipts_lint_msg_uint(struct ipts_lint_msg *m, uint64_t v);
/* The message, NUL-terminated, from malloc(); @m ends empty. */
/* Add @m to @d as a diagnostic (ipts_diag_add_text(): copied into the
 * list's pool) and empty it. */
void ipts_lint_msg_add(struct ipts_diags *d, enum ipts_severity sev,
		       const struct ipts_loc *loc, const char *code,
		       struct ipts_lint_msg *m);

/* A note at @r, rule @num of its chain, quoting it after @what. */
void ipts_lint_note_rule(struct ipts_lint *l, const struct ipts_rule *r,
			 uint32_t num, const char *what);
/* One rule comparison; false once the budget is spent (the first time,
 * with a warning at @at saying where lint stopped). */
bool ipts_lint_spend(struct ipts_lint *l, const struct ipts_rule *at);

/* ---- lint_chain.c: per-chain facts ---- */

/* Rule @r, or a chain it jumps to, may change a field the spaces look
 * at (mark, ct state, anything an unknown target does). */
bool ipts_lint_rule_mutates(struct ipts_lint *l, const struct ipts_rule *r);
/* The generator that leaves chain @name empty by design, or NULL. */
const char *ipts_lint_hook_chain_of(const char *name);
/* A rule of @c (or of a chain it calls, @depth jumps down) accepts
 * every packet in on 'lo'; *@cut when that leaned on the depth limit. */
bool ipts_lint_accepts_lo(struct ipts_lint *l,
			  const struct ipts_chain *c, unsigned int depth,
			  bool *cut);
/* Start table @t: no per-chain fact known yet. */
void ipts_lint_facts_init(struct ipts_lint *l, const struct ipts_table *t);
/* Forget the facts of the table. */
void ipts_lint_facts_free(struct ipts_lint *l);

/* ---- pktspace.c: a rule's packets ---- */

/* The ipt_ip header matches every packet (no address, interface,
 * protocol or fragment condition). */
bool ipts_ip_is_any(const struct ipt_ip *ip);

/*
 * The ip part of @r as the checks read it: an IPv4 rule's own; for an
 * IPv6 rule, a struct ipt_ip in @buf with its interfaces and protocol, and
 * for each side with an address (a prefix or a '!') a mark that says
 * there is one (1 under a zero mask, as a host name of unknown address):
 * a condition. Shadowing and redundancy compare an IPv6 rule's 128-bit
 * prefixes themselves (pktspace.c's rule_addr()), not this view.
 */
const struct ipt_ip *ipts_lint_ip(const struct ipts_rule *r,
				  struct ipt_ip *buf);
/* Every interface name (@bn, @bm, @bi inverted) matches, the name
 * (@an, @am, @ai) matches too: ip_packet_match()'s masks byte by byte. */
bool ipts_ifc_covers(const char *an, const unsigned char *am, bool ai,
		     const char *bn, const unsigned char *bm, bool bi);
/* Fill @sp with what rule @r matches, and what else lint reads from its
 * matches (host state, -m state or conntrack, owner); port sets of many
 * intervals in @arena, which must outlive @sp. */
void ipts_space_build(struct ipts_space *sp, const struct ipts_rule *r,
		      struct ipts_arena *arena);
/* The same, from @prev (the space of the rule before @r, or NULL) when
 * @r is a copy of its rule but for the addresses: not built again. */
void ipts_space_build_after(struct ipts_space *sp, const struct ipts_rule *r,
			    const struct ipts_space *prev,
			    struct ipts_arena *arena);
/* Every packet @b matches, @a matches too (false unless both are
 * modelled). */
bool ipts_space_covers(const struct ipts_space *a, const struct ipts_space *b);
/* ipts_space_covers() but for the addresses: the rest of what @a reads
 * holds every packet of @b's (an expanded line's copies differ only in
 * the addresses, so this is the same for any copy of each). With it,
 * ipts_space_covers() is exactly this and both sides'
 * ipts_rule_addr_covers(). */
bool ipts_space_covers_but_addrs(const struct ipts_space *a,
				 const struct ipts_space *b);
/*
 * A rule's -s or -d: the set {x : x & m == a} (or its complement when
 * inverted), as words in network order: one for IPv4, four for IPv6
 * (ip6_packet_match()'s ipv6_masked_addr_cmp() is the same test over 128
 * bits). @a is kept masked; two sets are the same set when their bytes
 * are (ipts_rule_addr() sets every byte).
 */
struct ipts_addr_set {
	uint32_t a[4], m[4];
	unsigned int n;
	bool inv;
};

/* The -s (@src) or -d of @r. */
void ipts_rule_addr(const struct ipts_rule *r, bool src,
		    struct ipts_addr_set *s);
/* Every address of @b is in @a, the inversions as given (what
 * ipts_space_covers() asks of each side). */
bool ipts_addr_set_covers(const struct ipts_addr_set *a,
			  const struct ipts_addr_set *b);
/* Some packet may match both (false: proven disjoint on modelled
 * parts). */
bool ipts_space_overlap(const struct ipts_space *a, const struct ipts_space *b);

/* A rule's -s or -d as lint's index reads it (lint_index.c): the
 * address masked by its mask, in host order, word 0 the highest; the
 * number of leading ones of the mask (bits below them may be set too). */
struct ipts_addr_key {
	uint32_t a[4];
	unsigned int words; /* 1 IPv4, 4 IPv6 */
	unsigned int lead; /* 0..32 or 0..128 */
	bool inv;
};

/* The -s (@src) or -d of the rule of @sp. */
void ipts_space_addr(const struct ipts_space *sp, bool src,
		     struct ipts_addr_key *k);

/* ---- lint_index.c: the earlier rules that may cover a rule ---- */

struct ipts_cover_index;

/* An empty index. */
struct ipts_cover_index *ipts_cover_index_new(void);
void ipts_cover_index_free(struct ipts_cover_index *x);
/* Before the first rule of a chain of @n rules with spaces @sp: which
 * rules will be added (@addable), so that the copies of an expanded line
 * (GROUP_MIN or more alike but for their addresses, a product of its
 * sources and destinations) are searched as their line. */
void ipts_cover_index_groups(struct ipts_cover_index *x,
			     const struct ipts_space *sp, uint32_t n,
			     const bool *addable);
/* Forget every rule in it (a rule that may change the packet). */
void ipts_cover_index_clear(struct ipts_cover_index *x);
/* Add @sp, rule @idx of its chain (larger than every rule added), a
 * modelled rule whose verdict ends the chain. */
void ipts_cover_index_add(struct ipts_cover_index *x,
			  const struct ipts_space *sp, uint32_t idx);
/*
 * The largest index of a rule added that covers @sp[@i]
 * (ipts_space_covers()), or -1; @sp are the spaces of the chain's rules,
 * by index. Each comparison is spent through ipts_lint_spend() at the rule
 * (*@over once the budget is out: the answer is then -1). Every rule that
 * covers it is among the ones it compares: the index only leaves out rules
 * that a dimension proves cannot.
 */
int64_t ipts_cover_index_find(struct ipts_lint *l, struct ipts_cover_index *x,
			      const struct ipts_space *sp, uint32_t i,
			      bool *over);

/* ---- portset.c: port sets ---- */

/* Set @s to every port, 0..65535. */
void ipts_pset_full(struct ipts_pset *s);
/* @s holds every port. */
bool ipts_pset_is_full(const struct ipts_pset *s);
/* @s becomes the ports not in it. */
void ipts_pset_complement(struct ipts_pset *s);
/* Add [@lo, @hi] to a set being built (any order); false when full. */
bool ipts_pset_add(struct ipts_pset *s, uint16_t lo, uint16_t hi);
/* @a becomes the ports in both @a and @b. */
void ipts_pset_intersect(struct ipts_pset *a, const struct ipts_pset *b);
/* Every port of @b is in @a. */
bool ipts_pset_subset(const struct ipts_pset *b, const struct ipts_pset *a);
/* Some port is in both @a and @b. */
bool ipts_pset_overlap(const struct ipts_pset *a, const struct ipts_pset *b);
/* @p becomes @s (intervals past IPTS_PORTS_INLINE into @arena). */
void ipts_ports_pack(struct ipts_ports *p, const struct ipts_pset *s,
		     struct ipts_arena *arena);
/* @s becomes @p. */
void ipts_ports_unpack(struct ipts_pset *s, const struct ipts_ports *p);
/* @p holds every port. */
static inline bool ipts_ports_is_full(const struct ipts_ports *p)
{
	return p->n == 1 && p->u.in[0] == 0 && p->u.in[1] == 65535;
}
/* Every port of @b is in @a. */
bool ipts_ports_subset(const struct ipts_ports *b, const struct ipts_ports *a);
/* Some port is in both @a and @b. */
bool ipts_ports_overlap(const struct ipts_ports *a, const struct ipts_ports *b);
/* @a and @b are the same set. */
bool ipts_ports_same(const struct ipts_ports *a, const struct ipts_ports *b);

#endif
