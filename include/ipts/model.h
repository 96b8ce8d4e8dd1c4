#ifndef IPTS_MODEL_H
#define IPTS_MODEL_H

/*
 * The in-memory model of an IPv4 ruleset: tables, chains and rules, each
 * rule held as the kernel holds it (struct ipt_entry with its match and
 * target blobs, as libxtables filled them), plus where it came from. The
 * blobs do not follow the entry as in the kernel's table: each is one
 * read-only copy shared by every rule that holds the same bytes.
 *
 * Everything lives in the ruleset's arena and is freed by
 * ipts_ruleset_free(); nothing in the model is freed alone. The parser
 * builds it (with model_build.h, which only model/ and parser/ see);
 * everyone else reads it through const pointers.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
/* glibc's headers first: the kernel's uapi headers then skip theirs. */
#include <netinet/in.h>
#include <net/if.h>
#include <linux/netfilter.h>
#include <linux/netfilter_ipv4/ip_tables.h>
#include <linux/netfilter_ipv6/ip6_tables.h>

#include "arena.h"
#include "diag.h"

/*
 * The family of a ruleset, as the kernel numbers its tables' (NFPROTO_*):
 * an iptables-save file or an ip6tables-save one. IPTS_FAMILY_AUTO is no
 * ruleset's: a caller's "from the file" (README "Families").
 */
enum ipts_family {
	IPTS_FAMILY_AUTO = NFPROTO_UNSPEC,
	IPTS_FAMILY_IPV4 = NFPROTO_IPV4,
	IPTS_FAMILY_IPV6 = NFPROTO_IPV6,
};

enum ipts_table_id {
	IPTS_TABLE_FILTER,
	IPTS_TABLE_NAT,
	IPTS_TABLE_MANGLE,
	IPTS_TABLE_RAW,
	IPTS_TABLE_SECURITY,
	IPTS_TABLE_COUNT,
};

/* What a rule does when its matches succeed. */
enum ipts_target_kind {
	IPTS_TGT_NONE,		/* no -j/-g: counts and falls through */
	IPTS_TGT_ACCEPT,
	IPTS_TGT_DROP,
	IPTS_TGT_QUEUE,
	IPTS_TGT_RETURN,
	IPTS_TGT_JUMP,		/* -j CHAIN: dest */
	IPTS_TGT_GOTO,		/* -g CHAIN: dest */
	IPTS_TGT_EXT,		/* extension target, named in the target blob */
};

/*
 * Revision value marking a match or target blob that is not a kernel blob
 * but the rule's own words (see IPTS_RULE_OPAQUE): no extension has 255.
 * Its data is the NUL-terminated text, e.g. " --match-set foo src".
 */
#define IPTS_OPAQUE_REVISION 255

enum ipts_rule_flags {
	/* A match or target needs the host to be parsed (-m set, -j SET):
	 * it is kept as words, and the simulator cannot evaluate it. */
	IPTS_RULE_OPAQUE = 1 << 0,
	/* A name was resolved through this machine's passwd/group/hosts. */
	IPTS_RULE_HOSTNAMES = 1 << 1,
	/* Layout only: a word's place did not fit struct ipts_span (a line
	 * over 64 KiB), so whole locations follow the match pointers. */
	IPTS_RULE_WIDE_LOCS = 1 << 2,
	/* -s (-d) named a host whose address iptsim does not know (no
	 * --hosts entry, no --resolve): the entry's src (dst) holds the
	 * name's number in the ruleset (ipts_ruleset_name()) under a zero
	 * mask, which no parsed address has, and the simulator cannot
	 * decide that side. */
	IPTS_RULE_SRC_UNKNOWN = 1 << 3,
	IPTS_RULE_DST_UNKNOWN = 1 << 4,
};

/*
 * The name number an unknown -s/-d side holds (0: a real address). A
 * parsed address is masked, so a zero mask always comes with address 0;
 * a nonzero address under a zero mask is a name.
 */
static inline uint32_t ipts_ip_name_of(struct in_addr addr,
				       struct in_addr mask)
{
	return mask.s_addr == 0 ? ntohl(addr.s_addr) : 0;
}

struct ipts_chain;
struct ipts_table;

/*
 * A word of a rule's line: @off bytes after the line's start, @len bytes.
 * iptables-restore reads a line in pieces of at most IPTS_LINE_MAX - 1
 * bytes and a rule's words lie in one piece, so 16 bits hold them but on
 * a line longer than 64 KiB (see IPTS_RULE_WIDE_LOCS).
 */
struct ipts_span {
	uint16_t off, len;
};

/*
 * One rule: 72 bytes on LP64, without a hole (ruleset.c asserts it). Read
 * the blobs and the words' places through ipts_rule_match(),
 * ipts_rule_target(), ipts_rule_match_loc() and ipts_rule_target_loc().
 */
struct ipts_rule {
	struct ipts_chain *chain;
	/* The entry's header only (ip part, counters), shared as the blobs
	 * are. Its target_offset and next_offset are the kernel's, as if the
	 * blobs followed it. Which one the ruleset's family says: e of an
	 * IPv4 ruleset, e6 of an IPv6 one (ipts_rule_counters() and friends
	 * read either). */
	union {
		const struct ipt_entry *e;
		const struct ip6t_entry *e6;
	};
	struct ipts_chain *dest;	/* JUMP/GOTO destination */
	/* nmatches pointers to shared match blobs, then, in the same
	 * allocation (just after the line's first rule), the places of the
	 * words that loaded them: nmatches struct ipts_span, or with
	 * IPTS_RULE_WIDE_LOCS 1 + nmatches struct ipts_loc (the target's
	 * first). NULL when there is neither. */
	const struct xt_entry_match *const *matches;
	const struct xt_entry_target *target;	/* shared */
	struct ipts_loc loc;		/* the whole source line */
	struct ipts_span target_span;	/* the -j/-g argument, else loc */
	uint16_t nmatches;
	enum ipts_target_kind kind : 8;
	uint8_t flags;			/* enum ipts_rule_flags */
};

/*
 * The rule's source line as written: ipts_rule_text_len(r) bytes in the
 * source (not NUL-terminated; print with "%.*s").
 */
static inline const char *ipts_rule_text(const struct ipts_rule *r)
{
	return r->loc.src ? r->loc.src->buf + r->loc.off : "";
}

static inline int ipts_rule_text_len(const struct ipts_rule *r)
{
	int n = r->loc.src ? (int)r->loc.len : 0;

	/* a CRLF file: the carriage return is no part of the rule's text */
	if (n && r->loc.src->buf[r->loc.off + (uint32_t)n - 1] == '\r')
		n--;
	return n;
}

struct ipts_chain {
	const char *name;
	struct ipts_table *table;
	int hook;			/* NF_INET_* of a built-in chain, else -1 */
	int policy;			/* NF_ACCEPT or NF_DROP (built-in only) */
	struct xt_counters counters;	/* policy counters (built-in only) */
	struct ipts_rule **rules;
	uint32_t nrules, cap;
	struct ipts_loc loc;		/* its ':' or -N line */
	uint32_t refs;			/* jumps and gotos to it */
	uint32_t pos;			/* its place in table->chains, once
					 * loaded (for tables of per-chain
					 * facts kept outside the model) */
	bool deleted;			/* removed by -X; kept for locations */
};

struct ipts_chain_node;

struct ipts_table {
	struct ipts_ruleset *rs;	/* the ruleset holding it */
	enum ipts_table_id id;
	const char *name;
	unsigned int valid_hooks;	/* 1 << NF_INET_* */
	struct ipts_chain *builtin[NF_INET_NUMHOOKS];
	/* Built-in chains in hook order, then user chains by strcmp() (once
	 * ipts_table_sort_chains() ran; a loaded ruleset is always sorted). */
	struct ipts_chain **chains;
	uint32_t nchains, cap;
	bool unsorted;
	/* Chains by name. */
	struct ipts_chain_node **buckets;
	uint32_t nbuckets, nnodes;
	struct ipts_loc loc;		/* its '*' line */
	struct ipts_loc commit_loc;	/* its COMMIT line */
	uint32_t save_rank;		/* saved by decreasing rank */
};

struct ipts_intern;

struct ipts_ruleset {
	struct ipts_arena *arena;
	/* IPTS_FAMILY_IPV4: rules hold struct ipt_entry (rule->e);
	 * IPTS_FAMILY_IPV6: struct ip6t_entry (rule->e6). */
	enum ipts_family family;
	const struct ipts_source *src;	/* borrowed: outlives the ruleset */
	struct ipts_table *tables[IPTS_TABLE_COUNT];	/* NULL: not in file */
	size_t nrules;
	struct ipts_intern *intern;	/* ipts_ruleset_intern()'s blobs */
	/* Host names of -s/-d whose address is unknown, as written
	 * ("web1/24"), in the arena; number i + 1 is names[i]. */
	const char **names;
	uint32_t nnames, names_cap;
	uint32_t *names_slots;		/* hash of names: number, 0 free */
	/* The -m hashlimit blobs of each table a later '*table' line of the
	 * same name replaced, in the order the kernel checked them, with
	 * that table and its COMMIT line (m NULL: one without any): the
	 * kernel checks a new table before it frees the old one, so a
	 * --hashlimit-name table made by a replaced rule may outlive it
	 * (sim/prepare.c). */
	struct ipts_replaced_hl {
		const struct xt_entry_match *m;
		enum ipts_table_id table;
		uint32_t commit_line;
	} * replaced_hl;
	uint32_t nreplaced_hl, replaced_hl_cap;
};

/* Static facts about the kernel's IPv4 tables. */
const char *ipts_table_name(enum ipts_table_id id);
/* -1 when @name is no IPv4 table. */
int ipts_table_id_by_name(const char *name);
unsigned int ipts_table_valid_hooks(enum ipts_table_id id);
/* Built-in chain name for @hook: "PREROUTING", "INPUT", ... */
const char *ipts_hook_chain_name(unsigned int hook);
/* NF_INET_* for a built-in chain name, -1 otherwise. */
int ipts_hook_by_chain_name(const char *name);

/* The name numbered @n by ipts_ruleset_add_name(), or NULL. */
const char *ipts_ruleset_name(const struct ipts_ruleset *rs, uint32_t n);

/* Free @rs and everything in its arena. */
void ipts_ruleset_free(struct ipts_ruleset *rs);

/* The hash the model's blob table keys on, for other tables of bytes. */
uint32_t ipts_hash_bytes(const void *blob, size_t len);

const struct ipts_table *ipts_table_get(const struct ipts_ruleset *rs,
					enum ipts_table_id id);

/* Chains. NULL when absent (or deleted). */
struct ipts_chain *ipts_chain_find(const struct ipts_table *t,
				   const char *name);
/* The same, @h being ipts_name_hash(@name): for a caller that asks of
 * one name more than once. */
struct ipts_chain *ipts_chain_find_hashed(const struct ipts_table *t,
					  const char *name, uint32_t h);
uint32_t ipts_name_hash(const char *name);

/* Accessors over the kernel blobs: shared, never to be written. */
static inline const struct xt_entry_target *
ipts_rule_target(const struct ipts_rule *r)
{
	return r->target;
}

/* The @i-th match blob of @r (i < r->nmatches). */
static inline const struct xt_entry_match *
ipts_rule_match(const struct ipts_rule *r, unsigned int i)
{
	return r->matches[i];
}

/* The place of @s on @r's line: columns count bytes from the line's. */
static inline struct ipts_loc ipts_rule_span_loc(const struct ipts_rule *r,
						 struct ipts_span s)
{
	struct ipts_loc l = r->loc;

	l.off += s.off;
	l.col += s.off;
	l.len = s.len;
	return l;
}

/* Where the -j/-g argument of @r is; the whole line without one. */
static inline struct ipts_loc ipts_rule_target_loc(const struct ipts_rule *r)
{
	if (r->flags & IPTS_RULE_WIDE_LOCS)
		return ((const struct ipts_loc *)(r->matches + r->nmatches))[0];
	return ipts_rule_span_loc(r, r->target_span);
}

/* Where the word that loaded match @i of @r is (i < r->nmatches). */
static inline struct ipts_loc ipts_rule_match_loc(const struct ipts_rule *r,
						  unsigned int i)
{
	const void *places = r->matches + r->nmatches;

	if (r->flags & IPTS_RULE_WIDE_LOCS)
		return ((const struct ipts_loc *)places)[1 + i];
	return ipts_rule_span_loc(r, ((const struct ipts_span *)places)[i]);
}

/* True when a match or target blob holds words, not kernel data. */
static inline bool ipts_blob_is_opaque(uint8_t revision)
{
	return revision == IPTS_OPAQUE_REVISION;
}

/* The size of an entry's header: struct ipt_entry or struct ip6t_entry. */
static inline size_t ipts_entry_size(enum ipts_family f)
{
	return f == IPTS_FAMILY_IPV6 ? sizeof(struct ip6t_entry) :
				       sizeof(struct ipt_entry);
}

/* The family of the ruleset holding @r (a rule in a chain). */
static inline enum ipts_family ipts_rule_family(const struct ipts_rule *r)
{
	return r->chain->table->rs->family;
}

/* What both families' entries have, wherever each keeps it. */
static inline const struct xt_counters *
ipts_rule_counters(const struct ipts_rule *r)
{
	return ipts_rule_family(r) == IPTS_FAMILY_IPV6 ? &r->e6->counters :
							 &r->e->counters;
}

static inline uint16_t ipts_rule_target_offset(const struct ipts_rule *r)
{
	return ipts_rule_family(r) == IPTS_FAMILY_IPV6 ? r->e6->target_offset :
							 r->e->target_offset;
}

/* The rule's 1-based number in its chain, as the kernel's TRACE counts. */
uint32_t ipts_rule_num(const struct ipts_rule *r);

#endif
