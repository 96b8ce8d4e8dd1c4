#ifndef IPTS_WALK_INT_H
#define IPTS_WALK_INT_H

/*
 * What the simulator's files above the match evaluators share: the
 * prepared context, the state of one simulated connection and the steps
 * of a packet's path. The files, top to bottom; each calls only files
 * below it:
 *
 *   simulate.c   the driver: a query, every way the undecidable rules go
 *   prepare.c    the context, built once per ruleset (beside the driver)
 *   handshake.c  one connection: its packets, each along its path (path.c),
 *                the nat hook
 *   walk.c       one table at one hook: ipt_do_table(), its memo
 *   target.c     extension targets -> nat.c (NAT targets, the rewrite),
 *                conntrack.c (conntrack's hooks), recent.c (-m recent)
 *   match*.c     the match evaluators (match_int.h), host.c
 *   record.c     what a walk records: events, choices, unmodelled targets
 *   format.c     names and words of the public types
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "diag.h"
#include "sim.h"
#include "sim_int.h"
#include "host.h"

/* What one point of a path does. The path is data (path.c). */
enum ipts_step_kind {
	IPTS_STEP_TABLE,	/* ipt_do_table() of a table at a hook */
	IPTS_STEP_CT_IN,	/* nf_conntrack_in(): attach an entry */
	IPTS_STEP_NAT,		/* the nat table's hook: chain, then manip */
	IPTS_STEP_CONFIRM,	/* nf_conntrack_confirm() */
	IPTS_STEP_END,
};

struct ipts_step {
	enum ipts_step_kind kind;
	unsigned int hook;		/* NF_INET_* */
	enum ipts_table_id table;	/* IPTS_STEP_TABLE */
};

/*
 * A path is made of segments, one per stretch of the kernel's code
 * between two routing decisions or devices: a locally generated packet
 * runs OUT, is routed again when nat's OUTPUT changed its destination
 * (ip_route_me_harder() in nf_nat_ipv4_local_fn(), before filter),
 * runs OUT_LATE then POST and leaves by a device (lo: back in as PRE); a
 * packet that arrives runs PRE, is routed, then runs IN (local) or FWD
 * then POST (forwarded). The driver chains them (handshake.c).
 */
enum ipts_seg {
	IPTS_SEG_OUT, /* ip_local_out(): NF_INET_LOCAL_OUT up to nat's */
	IPTS_SEG_OUT_LATE, /* the rest of it, after a re-route */
	IPTS_SEG_POST, /* ip_output(): NF_INET_POST_ROUTING */
	IPTS_SEG_PRE, /* ip_rcv(): NF_INET_PRE_ROUTING */
	IPTS_SEG_IN, /* ip_local_deliver(): NF_INET_LOCAL_IN */
	IPTS_SEG_FWD, /* ip_forward(): NF_INET_FORWARD */
	IPTS_SEG_COUNT,
};

/* The steps of @seg, ending with IPTS_STEP_END. */
const struct ipts_step *ipts_path_seg(enum ipts_seg seg);

/* What a routing decision made of a packet (route.c). */
enum ipts_route_kind {
	IPTS_ROUTE_LOCAL,	/* to a socket of this host (over lo when
				 * locally generated) */
	IPTS_ROUTE_OUT,		/* out of device @dev, to another host */
	IPTS_ROUTE_DROP,	/* dropped by routing: @err, @why */
	IPTS_ROUTE_UNDETERMINED,	/* the host cannot tell: @why */
};

struct ipts_route_dec {
	enum ipts_route_kind kind;
	const char *dev;	/* IPTS_ROUTE_OUT (or "lo"): its name */
	uint32_t src;		/* the source a local socket gets, or 0 */
	int err;		/* IPTS_ROUTE_DROP: the kernel's errno */
	/* IPTS_ROUTE_DROP of a packet that came in: the ICMP error
	 * ip_error() sends back (ICMP_NET_UNREACH...), or -1: none */
	int icmp_code;
	char why[192];
};

struct ipts_sim;
struct ipts_pkt;
/* ip_route_output_key() for a packet of this host (a socket's, or the
 * kernel's answer). */
void ipts_route_output(struct ipts_sim *s, const struct ipts_pkt *p,
		       struct ipts_route_dec *d);
/* ip_route_input_noref() for a packet that came in on @in (its daddr
 * after PREROUTING). */
void ipts_route_input(struct ipts_sim *s, const struct ipts_pkt *p,
		      const char *in, struct ipts_route_dec *d);
/* The source address this host sends from toward @to (icmp_send()'s
 * choice for a packet not addressed to it), or 0. */
uint32_t ipts_route_source(struct ipts_sim *s, uint32_t to);
/* The same for IPv6 (icmp6_send()'s source): false when none. */
bool ipts_route_source6(struct ipts_sim *s, const struct in6_addr *to,
			struct in6_addr *src);
/* True when @hook is on the sending side (OUTPUT, POSTROUTING). */
bool ipts_hook_is_output_side(unsigned int hook);

#define IPTS_MAX_DECISIONS 24
#define IPTS_MEMO_NONE UINT32_MAX
#define IPTS_MAX_BRANCHES 256
#define IPTS_RECENT_MAX 16

/* What the simulation knows of one -m recent entry. */
enum {
	IPTS_RECENT_ABSENT,
	IPTS_RECENT_PRESENT,
	IPTS_RECENT_UNKNOWN,	/* from before the connection */
};

/* A packet a REJECT target asked to send, built after the walk stops. */
struct ipts_reply_req {
	bool pending;
	bool tcp_reset;
	uint8_t icmp_code;		/* ICMP_DEST_UNREACH code */
	const struct ipts_rule *rule;
};

/* The NAT state of the one connection (nf_nat_initialized bits). */
enum {
	IPTS_NAT_DST_DONE = 1 << 0,
	IPTS_NAT_SRC_DONE = 1 << 1,
};

/*
 * The address and protocol part of a rule's ipt_ip, packed so that a walk
 * can reject most rules from one sequential array, without touching the
 * rule or its entry. ip_packet_match() decides; this only says "no" early.
 */
struct ipts_ipcheck {
	uint32_t src, smsk, dst, dmsk;	/* network order, as in ipt_ip */
	uint8_t proto, invflags;
	bool full;			/* interfaces or -f: ask ipt_ip */
	/* The rule's first tcp or udp match (l4proto 0: none): its port
	 * ranges, host order, and XT_TCP_INV_SRCPT/DSTPT-style flags. */
	uint8_t l4proto, l4inv;
	uint16_t spts[2], dpts[2];
};

/*
 * What ipts_sim_prepare() finds once for a ruleset, for every query
 * (prepare.c): read-only once built, so that walks may share it.
 */
/* Which rules' ports split the ports NAT picks at random from. */
enum {
	IPTS_PORTS_ALL, /* every rule's */
	IPTS_PORTS_LEFT, /* raw's, mangle's and conntrack matches' */
	IPTS_PORTS_KINDS,
};

struct ipts_sim_ctx {
	const struct ipts_ruleset *rs;
	const struct ipts_hostdesc *hostdesc;	/* NULL: lo only */
	const struct ipts_ipsets *ipsets;	/* NULL: none given */
	char *ipsets_changed; /* ipts_ipsets_changed(), or NULL */
	/* ipts_ipsets_counted(): under --fresh, tests count */
	bool ipsets_counted;
	/* ipts_ipsets_timed(): an element may expire inside an IPv6
	 * connection (the SYN's retransmission) */
	bool ipsets_timed;
	bool needs_conntrack;		/* ipts_ruleset_needs_conntrack() */
	/* translate_table()'s jump stack: each table's size, and the
	 * largest (the size of the stack a query allocates). */
	unsigned int stacksize;
	unsigned int table_stack[IPTS_TABLE_COUNT];
	struct ipts_mt_rows *rows;	/* the match evaluator of each name */
	/* Every rule's packed ipt_ip: ipcheck[table][chain->pos][rule]
	 * (the arrays in one allocation, @ipcheck_all). */
	const struct ipts_ipcheck **ipcheck[IPTS_TABLE_COUNT];
	struct ipts_ipcheck *ipcheck_all;
	/* Each long chain's index of the rules a packet may match
	 * (chainidx.c): chainidx[table][chain->pos], NULL for a chain
	 * walked rule by rule. */
	struct ipts_chainidx **chainidx[IPTS_TABLE_COUNT];
	uint32_t chainidx_n[IPTS_TABLE_COUNT];	/* each array's chains */
	/* ipts_nat_prepare_ports(): sorted port values (1-65535) where a
	 * rule may answer differently, of each IPTS_PORTS_* kind (NULL and
	 * 0 for a file without a nat table) */
	uint16_t *port_cuts[IPTS_PORTS_KINDS];
	size_t nport_cuts[IPTS_PORTS_KINDS];
};

/* The packed ipt_ip of @c's rules. */
static inline const struct ipts_ipcheck *
ipts_sim_ipcheck(const struct ipts_sim_ctx *ctx, const struct ipts_chain *c)
{
	return ctx->ipcheck[c->table->id][c->pos];
}

/* chainidx.c: the index of the rules of one chain (its packed ipt_ip
 * @x, @n rules) that a packet may match; NULL when the chain is short or
 * the index would step over little. */
struct ipts_chainidx;
struct ipts_chainidx *ipts_chainidx_build(const struct ipts_ipcheck *x,
					  uint32_t n);
void ipts_chainidx_free(struct ipts_chainidx *cx);

/* The lists of a chain's rules that one packet may match (its address,
 * protocol and port: the key they were found for). */
struct ipts_cand {
	uint32_t daddr;
	uint16_t dport;
	uint8_t protocol;
	const uint32_t *l[3];
	uint32_t n[3];
	/* where each list's search starts: the walk asks for rising @i */
	uint32_t pos[3];
};
struct ipts_pkt;
void ipts_chainidx_lists(const struct ipts_chainidx *cx,
			 const struct ipts_pkt *p, struct ipts_cand *c);
/* The first rule from index @i on that the packet of @c may match, or
 * @nrules: every rule before it fails ipcheck_may_match(). Each list's
 * place is kept in @c, so a walk that asks for rising @i pays for each
 * rule it steps to, not for a search from the list's start. */
uint32_t ipts_chainidx_next(struct ipts_cand *c, uint32_t i, uint32_t nrules);

/* The index of @c's rules, or NULL. */
static inline const struct ipts_chainidx *
ipts_sim_chainidx(const struct ipts_sim_ctx *ctx, const struct ipts_chain *c)
{
	return ctx->chainidx[c->table->id][c->pos];
}

struct ipts_sim {
	const struct ipts_sim_ctx *ctx;
	const struct ipts_ruleset *rs;	/* ctx->rs */
	const struct ipts_mt_rows *rows;	/* ctx->rows */
	const struct ipts_query *q;
	struct ipts_host host;
	unsigned int gid_read;		/* host.gid_read points here */
	union nf_inet_addr local[IPTS_QUERY_MAX_LOCAL + 2];
	bool conntrack;
	/* The host facts routing read (route.c), for the result. */
	struct ipts_host_facts facts;
	/* The first routing decision of the walk, in words (route.c), and
	 * the words of one the host could not make (ipts_sim_unmodelled()
	 * keeps a pointer to it). */
	char route_text[160];
	char *route_why;		/* 208 bytes, the result's */
	/* The first packet's path, as its routing decisions made it, and
	 * where it stopped when routing or PREROUTING stopped it. */
	enum ipts_path path;
	char path_stop[192];

	/* The connection's conntrack entry, shared by its packets. */
	struct ipts_conn conn;
	bool conn_confirmed;
	unsigned int nat_done;
	/* The entry's TCP state, as nf_conntrack_proto_tcp.c tracks it. */
	enum {
		IPTS_TCP_NONE,
		IPTS_TCP_SYN_SENT,
		IPTS_TCP_SYN_RECV,
		IPTS_TCP_ESTABLISHED,
		IPTS_TCP_CLOSE,
	} tcp_state;

	/* Where this walk records packets. */
	struct ipts_packet *pkts;
	unsigned int npkts;
	struct ipts_packet *cur;	/* the packet being walked */
	/* The connection's first packet (the SYN, the datagram): its
	 * routing decision makes the path (NS and NA come before it). */
	struct ipts_packet *first;
	struct in6_addr nd_target; /* ndp.c: the address solicited */
	/* the neighbour whose NS this host answered (its entry STALE, so
	 * the host solicits no one there to reach it); nd_router: the
	 * router a remote client is behind, else :: */
	struct in6_addr nd_learned, nd_router;
	bool nd_learned_set;
	/* a forwarded SYN's next hop resolved: the NS's source it took */
	struct in6_addr nd_fwd_src;
	bool nd_fwd_set;

	/* Exploration of undecidable rules: the k-th one met in a walk
	 * takes choice[k] (false: no match); past nforced, false. */
	uint16_t choice[IPTS_MAX_DECISIONS];
	uint16_t arity[IPTS_MAX_DECISIONS];	/* 2 for a rule, N for a port */
	uint16_t met_lo[IPTS_MAX_DECISIONS], met_hi[IPTS_MAX_DECISIONS];
	unsigned int nforced, nmet;
	bool too_deep;
	/* Undecidable rules met in this walk. */
	const struct ipts_rule *met_rule[IPTS_MAX_DECISIONS];
	const char *met_why[IPTS_MAX_DECISIONS];
	const char *met_pkt[IPTS_MAX_DECISIONS];
	/* The answer each binary choice took (way 0 is the answer of a
	 * just-loaded ruleset, so the first walk is the one the kernel
	 * takes right after a load). */
	bool met_yes[IPTS_MAX_DECISIONS];
	/* Set by rule_matches() when the rule's answer was not decided by
	 * the file (a choice, or a rule whose target changes nothing):
	 * its trace line is marked. */
	const char *undecided_why;
	/* A target the simulator cannot model was hit: rule and why. */
	const struct ipts_rule *unmodelled;
	const char *unmodelled_why;

	/* Evaluations so far of each match whose answer depends on them
	 * (limit, statistic nth): match k of rule r, per walk. With
	 * --fresh they decide; without, they give the answer of a
	 * just-loaded ruleset, the way explored first. */
	struct {
		const struct ipts_rule *r;
		unsigned int k;
		uint32_t n;
		uint64_t spent;		/* -m quota: bytes taken */
		bool empty;		/* -m quota: set to 0 */
		struct ipts_limit_bucket bucket; /* -m limit, --fresh */
		struct ipts_hl_state hl; /* -m hashlimit, --fresh */
		/* -m hashlimit: the count is the table entry's, whichever
		 * rule of the table's name met it (r and k: the first) */
		bool keyed;
		struct ipts_hl_entry key;
	} evals[32];
	unsigned int nevals;

	/* Jump stack: chain and index of the jumping rule; and, when the
	 * call may be memoized, its memo slot (IPTS_MEMO_NONE: not), the
	 * impure count and the packet's line count when it was entered, and
	 * the deepest stack (frames from this one) it has used so far. */
	struct ipts_frame {
		const struct ipts_chain *chain;
		uint32_t idx;
		uint32_t slot;
		uint32_t depth;
		uint64_t impure;
		uint64_t lines;
	} *stack;			/* ctx->stacksize frames */

	/* A NAT binding that picked its port at random: the range, and
	 * whether it is the source (SNAT) or destination (DNAT) one. */
	struct {
		bool active, src;
		uint16_t lo, hi;
	} rport;

	/* -m recent: what this connection's packets did to the lists
	 * (recent.c), and the lists' masks. */
	struct ipts_recent_ent {
		const char *name;	/* the blob's, XT_RECENT_NAME_LEN */
		union nf_inet_addr addr; /* masked, or exact (v4: .ip) */
		uint8_t state;		/* IPTS_RECENT_* */
		bool all;		/* @stamps is every stamp of it */
		bool ttl_known;
		uint8_t ttl;
		uint16_t stamps;	/* stamps this connection made */
	} recent[IPTS_RECENT_MAX];
	unsigned int nrecent;
	bool recent_lost;		/* more entries than recent[] holds */
	struct {
		const char *name;
		union nf_inet_addr mask; /* v4: .ip, the rest zero */
		bool uniform;		/* every rule naming it has @mask */
	} rmask[IPTS_RECENT_MAX];
	unsigned int nrmask;

	/* -j SET: the sets as this way's packets left them (setstate.c),
	 * NULL without --ipsets or without a -j SET in the file. */
	struct ipts_ipset_state *sets;
	/* --fresh and a -m set compares counters: tests of the sets count
	 * (ipts_setstate_match()) */
	bool sets_counting;
	/* the first rule of the way whose -m set compared a set's counters
	 * (a TCP timeout is then undetermined: the retransmissions, not
	 * walked, are counted again) */
	const struct ipts_rule *sets_compared;
	/* A TCP timeout given after every packet the two ends send again
	 * (the client's SYNs, the server's SYN-ACKs) was walked or shown
	 * the same as the one before: no counter is left unwalked. */
	bool resends_walked;

	struct ipts_reply_req reply;
	/* Budgets (struct ipts_limits) and what was spent. */
	uint64_t visits, max_visits, max_lines;
	bool over_budget;
	const char *budget_name;	/* struct ipts_limits' */
	char *budget_why;		/* the result's, for the reason */
	size_t budget_why_len;
	/* Events that make a chain's walk no function of the packet's state
	 * alone (choices, notes, events, targets that change state, counted
	 * matches): a call during which it moved is not memoized. */
	uint64_t impure;
	/* Matches and targets with state a later packet sees (counted
	 * evaluations, quota, recent, ipset): a resent SYN may differ. */
	uint64_t counted;
	/* When the packet being walked is sent, in ms after the first SYN
	 * (a resent SYN's schedule; -m limit refills by it). */
	uint32_t now_ms;
	/* The result's memo of chain calls; filled once a path is cut. */
	struct ipts_memo *memo;

	/* The packet an ICMP error being walked is about (its inner header). */
	struct {
		union nf_inet_addr saddr, daddr;
		uint16_t sport, dport;
		uint8_t protocol;
	} inner;
	/* The packet walked carries a conntrack entry or the untracked
	 * mark already (skb->_nfct set): nf_conntrack_in() leaves it. */
	bool attached;
	/* skb->_nfct is set but holds no entry (the answer to an untracked
	 * packet): CT/NOTRACK do nothing, nf_conntrack_in() still looks. */
	bool nfct_stub;
};

/* Double *@cap (16 at first) and reallocate @v, of @size items, to it. */
static inline void *ipts_grow(void *v, size_t *cap, size_t size)
{
	*cap = *cap ? *cap * 2 : 16;
	return ipts_xrealloc(v, *cap * size);
}

/* A cut path: its last line is overwritten, the one before counted. */
static inline bool ipts_path_cut(const struct ipts_sim *s)
{
	return s->cur && s->cur->ntrace >= s->max_lines;
}

/* walk.c: ipt_do_table() of @t at @hook for @p: NF_ACCEPT or NF_DROP. */
unsigned int ipts_do_table(struct ipts_sim *s, const struct ipts_table *t,
			   unsigned int hook, struct ipts_pkt *p);
/*
 * The memo of chain calls (walk.c), kept in a query's scratch: made at the
 * first cut path, cleared before each query, freed with the result.
 */
struct ipts_memo_ent;
struct ipts_memo {
	struct ipts_memo_ent *v;
	unsigned int n;
};
void ipts_memo_clear(struct ipts_memo *m);
void ipts_memo_free(struct ipts_memo *m);
/* True when @r's target changes nothing a later rule or the connection
 * reads: matched or not, the walk ends the same way. */
bool ipts_rule_effect_free(const struct ipts_rule *r);

/* record.c: record an event on the current packet (NULL when there is
 * none). */
struct ipts_event *ipts_sim_event(struct ipts_sim *s, enum ipts_event_kind kind,
		    unsigned int hook, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
/*
 * An undecidable choice among @n (n >= 2) ways at rule @r: the index this
 * walk takes. @lo/@hi name the way's port range (for the report).
 */
unsigned int ipts_sim_choose(struct ipts_sim *s, const struct ipts_rule *r,
			     const char *why, unsigned int n, uint16_t lo,
			     uint16_t hi);
/* Mark the current walk undetermined because of @r. */
void ipts_sim_unmodelled(struct ipts_sim *s, const struct ipts_rule *r,
			 const char *why);

/* target.c: run extension target of @r; XT_CONTINUE, NF_ACCEPT or NF_DROP. */
unsigned int ipts_target_run(struct ipts_sim *s, const struct ipts_rule *r,
			     struct ipts_pkt *p, unsigned int hook,
			     enum ipts_table_id table);
/* Whether the target blob named @name needs conntrack (nf_ct_netns_get). */
bool ipts_target_needs_conntrack(const struct xt_entry_target *t);

/* nat.c */
unsigned int ipts_nat_target(struct ipts_sim *s, const struct ipts_rule *r,
			     struct ipts_pkt *p, unsigned int hook);
/* The manip type of @hook: SRC at POSTROUTING and INPUT, else DST. */
static inline bool ipts_manip_is_src(unsigned int hook)
{
	return hook == NF_INET_POST_ROUTING || hook == NF_INET_LOCAL_IN;
}
/* Rewrite @p as nf_nat_packet() would for the manip of @hook. */
void ipts_nat_manip(struct ipts_sim *s, struct ipts_pkt *p, unsigned int hook);
/* The port classes of a prepared context (ctx->port_cuts). */
void ipts_nat_prepare_ports(struct ipts_sim_ctx *ctx);

/* conntrack.c */
void ipts_ct_in(struct ipts_sim *s, struct ipts_pkt *p, unsigned int hook);
void ipts_ct_confirm(struct ipts_sim *s, struct ipts_pkt *p);
const char *ipts_ctinfo_name(enum ipts_ctinfo c);
void ipts_ct_set_untracked(struct ipts_sim *s, struct ipts_pkt *p);

/* --- ndp.c: IPv6 neighbour discovery (its head says what is modelled) */

#define IPTS_NDP_LEN 72 /* an NS or NA with its link-address option */
#define IPTS_NDP_NS 135 /* NDISC_NEIGHBOUR_SOLICITATION */
#define IPTS_NDP_NA 136 /* NDISC_NEIGHBOUR_ADVERTISEMENT */
/* ff02::1:ffXX:XXXX of @target (addrconf_addr_solict_mult()). */
void ipts_ndp_solicited_node(const struct in6_addr *target,
			     struct in6_addr *group);
/* @p (its addresses set) made an NS or NA of @type: ICMPv6, hop limit
 * 255, 72 bytes, untracked. */
void ipts_ndp_shape(struct ipts_pkt *p, uint8_t type);
/* The neighbour a packet of this host to @daddr out of @dev resolves:
 * the route's gateway, else @daddr. False when the route does not go
 * out of @dev (then neighbour discovery is not simulated). */
bool ipts_ndp_next_hop(struct ipts_sim *s, const char *dev,
		       const struct in6_addr *daddr, struct in6_addr *hop);
/* The NS's source: @pkt_src (the waiting packet's) when it is an address
 * of @dev, else the device's best for @target. False: none. */
bool ipts_ndp_source(struct ipts_sim *s, const char *dev,
		     const struct in6_addr *pkt_src,
		     const struct in6_addr *target, struct in6_addr *src);
/* Whether @addr is an address of the described host's non-loopback
 * device @dev (a neighbour on that link solicits it directly). */
bool ipts_ndp_on_link(const struct ipts_sim *s, const char *dev,
		      const struct in6_addr *addr);
/* Who solicits the host on @dev before a remote @client's first packet
 * to @dst, and for which of its addresses (*@target): the client from its
 * own address (*@src), or, when it is not on the link and the host routes
 * it back via a gateway there, that router (*@router) from its link-local
 * (*@src: the gateway's when a link-local, else assumed, fe80:: and the
 * gateway's interface identifier; *@router is :: for no router). False:
 * not simulated (another address of the host, a client off the link the
 * host routes elsewhere). */
/* Says in the answer's host facts that the NS of router @gw came from
 * @ll, an assumed link-local (nothing when @gw is :: or a link-local). */
void ipts_ndp_note_router(struct ipts_sim *s, const char *dev,
			  const struct in6_addr *gw, const struct in6_addr *ll);
bool ipts_ndp_client_ns(struct ipts_sim *s, const char *dev,
			const struct in6_addr *client,
			const struct in6_addr *dst, struct in6_addr *src,
			struct in6_addr *target, struct in6_addr *router);

/* recent.c: -m recent with the lists as this walk's packets left them. */
/* True for a recent blob the simulator evaluates (revision 0 or 1). */
bool ipts_recent_is(const struct xt_entry_match *m);
/* True when evaluating @m changes a list (--set, --update, --remove). */
bool ipts_recent_writes(const struct xt_entry_match *m);
/*
 * recent_mt() for @p. A known answer has its effect on the lists at once.
 * IPTS_MATCH_UNKNOWN comes with *why, and *fresh_yes, the answer of lists
 * that were empty before the connection; when *settle is set (--update:
 * what it writes depends on the answer), the caller picks the answer and
 * calls ipts_recent_settle() with it before anything else is evaluated.
 */
enum ipts_match_result ipts_recent_eval(struct ipts_sim *s,
					const struct xt_entry_match *m,
					const struct ipts_pkt *p,
					const char **why, bool *fresh_yes,
					bool *settle);
void ipts_recent_settle(struct ipts_sim *s, const struct xt_entry_match *m,
			const struct ipts_pkt *p, bool yes);

/* setstate.c: -j SET on the connection's sets. */
struct ipts_ipset_state;
/* Start a way from the capture: @st (NULL: sets not followed) reset. */
void ipts_setstate_begin(struct ipts_sim *s, struct ipts_ipset_state *st);
/* True for a -m set blob that reads the followed sets. */
bool ipts_setstate_is_match(const struct ipts_sim *s,
			    const struct xt_entry_match *m);
/* True when tests of the sets count (--fresh, a -m set compares
 * counters): then -m set is ipts_setstate_match(), which counts. */
bool ipts_setstate_counts(const struct ipts_sim *s,
			  const struct xt_entry_match *m);
enum ipts_match_result ipts_setstate_match(struct ipts_sim *s,
					   const struct ipts_rule *r,
					   const struct xt_entry_match *m,
					   const struct ipts_pkt *p,
					   const char **why);
/* set_target_v3(): the changes, then XT_CONTINUE (NF_DROP when the walk
 * stops at a part not modelled). */
unsigned int ipts_setstate_target(struct ipts_sim *s, const struct ipts_rule *r,
				  struct ipts_pkt *p, unsigned int hook);
/* @secs seconds pass before the next packet (the IPv6 SYN's
 * retransmission): timeouts run (ipts_ipset_state_advance()). */
void ipts_setstate_advance(struct ipts_sim *s, uint32_t secs);
/* What the way left in the sets, into @res (the first way's). */
void ipts_setstate_report(const struct ipts_sim *s, struct ipts_result *res);

/* handshake.c */
enum ipts_outcome ipts_handshake_run(struct ipts_sim *s, char *why,
				     size_t whylen, int *dpkt, long *didx);

#endif
