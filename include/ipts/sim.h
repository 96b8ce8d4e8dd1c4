#ifndef IPTS_SIM_H
#define IPTS_SIM_H

/*
 * The simulator's public face: one local connection (TCP handshake or a UDP
 * datagram and its echo) walked through the netfilter hooks of a loaded
 * ruleset, as the kernel would walk it, and what the client's connect() or
 * send() sees.
 *
 * Ownership: a prepared context (ipts_sim_prepare()) borrows its ruleset,
 * which must outlive it and not change while it lives; the caller frees
 * the context with ipts_sim_free(), before the ruleset. A result is owned
 * by the caller: zero it (or ipts_result_init()), pass it to
 * ipts_simulate() as often as wanted (each call resets it) and release it
 * with ipts_result_free(). The walk allocates nothing per rule; the
 * result's arrays grow only when a packet passes more rules than ever.
 *
 * Reentrancy: the context is read-only once prepared and the simulator
 * keeps no state of its own, so queries may run at the same time on one
 * context, each with its own result (a result is its scratch: one query
 * at a time on it).
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <netinet/in.h> /* first: glibc headers before the uapi ones */
#include <net/if.h>
#include <linux/netfilter.h> /* union nf_inet_addr, NFPROTO_* */

struct ipts_chain;
struct ipts_hostdesc;
struct ipts_ipsets;
struct ipts_rule;
struct ipts_ruleset;
struct ipts_sim_ctx;

enum ipts_outcome {
	IPTS_CONNECTED,		/* TCP: connect() returns 0 */
	IPTS_REFUSED,		/* ECONNREFUSED: RST or port unreachable */
	IPTS_TIMEOUT,		/* stays in SYN_SENT */
	IPTS_HOSTUNREACH,	/* EHOSTUNREACH */
	IPTS_NETUNREACH,	/* ENETUNREACH */
	IPTS_PROTOUNREACH,	/* ENOPROTOOPT */
	IPTS_RESET,		/* ECONNRESET: connected, then reset at once */
	IPTS_DELIVERED,		/* UDP: datagram and echo both get through */
	IPTS_DROPPED,		/* UDP: one of them is dropped */
	IPTS_EPERM,		/* send() fails with EPERM (UDP, dropped on
				 * local output), or connect() with EACCES
				 * (a prohibit route) */
	IPTS_EINVAL,		/* connect() fails with EINVAL (a blackhole
				 * route) */
	IPTS_UNDETERMINED,	/* the file cannot tell */
	IPTS_OUTCOME_COUNT,
};

enum ipts_ct_mode {
	IPTS_CT_AUTO,		/* on when a rule of the file needs conntrack */
	IPTS_CT_ON,
	IPTS_CT_OFF,
};

#define IPTS_QUERY_MAX_LOCAL 16

/*
 * Addresses are union nf_inet_addr of the query's @family, as
 * nf_conntrack keeps them: an IPv4 one in .ip (the other words zero), an
 * IPv6 one in .in6, network byte order.
 */
struct ipts_query {
	uint8_t family; /* NFPROTO_IPV4 (default) or _IPV6:
					 * the ruleset's */
	/* The family of the addresses given (the CLI's options), 0: none
	 * given. The simulator reads @family only. */
	uint8_t addr_family;
	uint8_t proto;			/* IPPROTO_TCP or IPPROTO_UDP */
	union nf_inet_addr src, dst;
	uint16_t sport, dport;		/* host byte order */
	uint32_t uid, gid;		/* the client process */
	uint32_t server_uid, server_gid;	/* the listening process */
	/* Extra local addresses, besides 127.0.0.0/8 (v4) or ::1 (v6).
	 * Both src and dst must be local: ipts_simulate() refuses others. */
	union nf_inet_addr local_addrs[IPTS_QUERY_MAX_LOCAL];
	unsigned int nlocal;
	/* Listening sockets: --dst:--dport unless @no_listener, and these
	 * (addr 0: any local address). */
	bool no_listener;
	/* IPv6 on a described host: the neighbours' link addresses are
	 * known already (no neighbour discovery before the first packets). */
	bool no_ndp;
	struct {
		union nf_inet_addr addr; /* all zero: any */
		uint16_t port;
	} listen[IPTS_QUERY_MAX_LOCAL];
	unsigned int nlisten;
	enum ipts_ct_mode conntrack;
	bool fresh;			/* rules just loaded: limits full,
					 * recent lists empty */
	/* --in: the client is another host, whose packets arrive on this
	 * interface of the described host from @src (the context's host,
	 * ipts_sim_prepare_on()); NULL: the client is a local process.
	 * Borrowed for the call. */
	const char *in;
	/* Which options were given, IPTS_QGIVEN_* bits; the others took
	 * their default. The simulator reads only IPTS_QGIVEN_SRC: on a
	 * described host a local client without --src gets the source
	 * routing chooses, as an unbound socket does. */
	unsigned int given;
	/* --dst fe80::1%eth0: the zone of a link-local destination (the
	 * socket's sin6_scope_id), "" when none. */
	char dst_zone[16];
};

enum ipts_query_given {
	IPTS_QGIVEN_PROTO = 1u << 0,
	IPTS_QGIVEN_SRC = 1u << 1,
	IPTS_QGIVEN_DST = 1u << 2,
	IPTS_QGIVEN_SPORT = 1u << 3,
	IPTS_QGIVEN_DPORT = 1u << 4,
	IPTS_QGIVEN_UID = 1u << 5,
	IPTS_QGIVEN_GID = 1u << 6,
	IPTS_QGIVEN_SUID = 1u << 7,
	IPTS_QGIVEN_SGID = 1u << 8,
	IPTS_QGIVEN_CONNTRACK = 1u << 9,
	IPTS_QGIVEN_IN = 1u << 10,
};

/* The way the first packet takes through the host, as the kernel's
 * routing decides it (after a DNAT in PREROUTING or OUTPUT). */
enum ipts_path {
	IPTS_PATH_LOCAL,	/* a local process to a local process */
	IPTS_PATH_INPUT,	/* another host to a local process */
	IPTS_PATH_OUTPUT,	/* a local process to another host */
	IPTS_PATH_FORWARD,	/* another host, through this one, to another */
	IPTS_PATH_NONE,		/* stopped before the routing decision, or
				 * by it: ipts_result.stopped says why */
};

/* Which process's socket: the client's or the server's. */
enum ipts_side {
	IPTS_SIDE_CLIENT = 1u << 0,
	IPTS_SIDE_SERVER = 1u << 1,
};

/* Whether two addresses are equal (nf_inet_addr_cmp(): the words a v4
 * address leaves zero are compared too). */
static inline bool ipts_addr_eq(const union nf_inet_addr *a,
				const union nf_inet_addr *b)
{
	return a->all[0] == b->all[0] && a->all[1] == b->all[1] &&
	       a->all[2] == b->all[2] && a->all[3] == b->all[3];
}

/* Defaults: TCP 127.0.0.1:40000 -> 127.0.0.1:1060, uid/gid 0, auto. */
void ipts_query_init(struct ipts_query *q);

enum ipts_trace_type {
	IPTS_TRACE_RULE,
	IPTS_TRACE_RETURN,
	IPTS_TRACE_POLICY,
};

/* One line of the kernel's TRACE log: table:chain:type:num. */
struct ipts_trace {
	const struct ipts_chain *chain;	/* table is chain->table */
	const struct ipts_rule *rule;	/* NULL: a chain's own tail */
	enum ipts_trace_type type;
	uint32_t num;			/* numbered as the kernel numbers it */
	unsigned int hook;		/* NF_INET_* being walked */
	bool kernel_logged;		/* skb->nf_trace set (TRACE rules) */
	uint8_t family; /* NFPROTO_* of the addresses */
	/* The devices the kernel logs as IN= and OUT= with the line (""
	 * for none). */
	const char *in, *out;
	/* The packet as the rule saw it (what the kernel logs with it),
	 * addresses of the query's family. */
	union nf_inet_addr saddr, daddr;
	uint16_t sport, dport;		/* 0 for ICMP */
	/* When NAT picked the port at random: the range it picks from
	 * (sport..sport_hi), else 0. */
	uint16_t sport_hi, dport_hi;
	uint32_t mark;
	uint8_t ttl; /* TTL / hop limit as the rule saw it (IPv6: one
			 * less from FORWARD on, as ip6_forward() leaves it) */
};

enum ipts_event_kind {
	IPTS_EV_CONNTRACK,	/* the packet's conntrack state: text */
	IPTS_EV_NAT,		/* address/port rewrite applied to the packet */
	IPTS_EV_MARK,		/* skb->mark changed */
	IPTS_EV_CONNMARK,	/* ct->mark changed */
	IPTS_EV_NOTE,		/* anything else worth saying */
	IPTS_EV_UNDECIDED,	/* a rule the file cannot decide: its line
				 * may or may not be in the kernel's log */
};

/* Something that happened to a packet after trace entry @after. */
struct ipts_event {
	enum ipts_event_kind kind;
	size_t after;			/* number of trace entries before it */
	unsigned int hook;
	uint32_t from, to;		/* marks */
	/* human words, e.g. "dst 127.0.0.1:1060 -> 127.0.0.1:2000" */
	char text[96];
	/* IPTS_EV_UNDECIDED: the rule, and why the file cannot decide it */
	const struct ipts_rule *rule;
	const char *why;
};

enum ipts_verdict {
	IPTS_V_DELIVERED,	/* reached its socket (or the kernel) */
	IPTS_V_DROPPED,
	IPTS_V_REJECTED,	/* dropped by REJECT, which sent a reply */
	IPTS_V_NOT_SENT,	/* never left (e.g. no socket to answer) */
	IPTS_V_UNDETERMINED,	/* stopped at a rule not modelled */
};

enum ipts_packet_kind {
	IPTS_PKT_SYN,
	IPTS_PKT_SYNACK,
	IPTS_PKT_ACK,
	IPTS_PKT_RST,
	IPTS_PKT_ICMP,
	IPTS_PKT_DATA,
	IPTS_PKT_REPLY,
	IPTS_PKT_NS, /* IPv6 neighbour solicitation (ICMPv6 135) */
	IPTS_PKT_NA, /* IPv6 neighbour advertisement (ICMPv6 136) */
};

struct ipts_packet {
	enum ipts_packet_kind kind;
	const char *name;		/* "SYN", "SYN-ACK", ... */
	bool from_client;		/* sent by the client's side */
	uint8_t family; /* NFPROTO_* of the addresses */
	uint8_t icmp_type, icmp_code; /* ICMP (v6: ICMPv6) packets */
	/* Its length (IPv4 total length; IPv6 payload length plus the 40
	 * bytes of its header), TOS or traffic class, TTL or hop limit, as
	 * sent. */
	uint16_t len;
	uint8_t tos, ttl;
	union nf_inet_addr saddr, daddr; /* as sent */
	uint16_t sport, dport;
	uint16_t sport_hi, dport_hi;	/* random NAT port: range end, or 0 */
	/* The TRACE lines, at most ipts_limits.max_trace_lines of them:
	 * when the path is longer, the first ntrace - 1 lines, then
	 * @trace_omitted lines left out, then the last line (the one that
	 * decided, when one did). */
	struct ipts_trace *trace;
	size_t ntrace, trace_cap;
	uint64_t trace_omitted;
	/* Its events, at most max_trace_lines of them: @ev_omitted more were
	 * left out (they all follow the last one kept). */
	struct ipts_event *ev;
	size_t nev, ev_cap;
	uint64_t ev_omitted;
	enum ipts_verdict verdict;
	long decided;			/* trace index that dropped it, or -1 */
	/* The entries that let it through, one per table (and hook) that
	 * accepted it, in walk order: the table's last trace line then (an
	 * ACCEPT rule, a target that accepts such as DNAT, or the policy).
	 * Kept apart from @trace, so a cut path loses none. */
	struct ipts_trace *passed;
	size_t npassed, passed_cap;
	int answer;			/* packet a REJECT sent back, or -1 */
	bool out_side;			/* dropped on the OUTPUT side */
	uint32_t mark;			/* skb->mark where its walk ended */
	uint32_t connmark;		/* ct->mark then (0: no conntrack) */
	const char *ctstate;		/* "NEW"... at its last hook, or NULL */
	/* The devices it came in by and left by (the kernel's IN= and OUT=
	 * where its walk ended; "" for none): static or the host's. */
	const char *in, *out;
	/* Delivered to another host (out of @out), not to a socket here. */
	bool left_host;
	/* The client's SYN sent again (an IPv6 SYN over lo whose ICMPv6
	 * error was a soft one): every packet from it on is a later try. */
	bool retransmission;
	/* A SYN the client's retransmission timer sent again after a drop
	 * (1 for the first resend...), and when, in ms after the first
	 * SYN; 0 for every other packet. */
	unsigned int resent;
	unsigned int resent_ms;
	/* Dropped, or never sent, by a routing decision rather than by a
	 * rule: why ("rp_filter on eth0: ..."); else "". @route_err: the
	 * errno a local sender gets (ENETUNREACH...), or 0. */
	char routed[192];
	int route_err;
	/* ip_route_me_harder() failed after nat OUTPUT changed the
	 * destination: NF_DROP_ERR() hands this errno to the sender */
	int reroute_err;
};

#define IPTS_MAX_PACKETS 48

/* An undecidable rule met on the way. */
struct ipts_reason {
	const struct ipts_rule *rule;	/* NULL: not about one rule */
	const char *why;		/* static text */
	bool changes_outcome;		/* both ways end differently */
};

struct ipts_result {
	enum ipts_outcome outcome;
	bool conntrack;			/* conntrack was on */
	/* The trace entry that decided the outcome (packet, index), or -1. */
	int decided_pkt;
	long decided_idx;
	/* A plain sentence explaining the outcome (no trailing newline). */
	char why[1024];
	/* The path shown: the first way explored, the one a just-loaded
	 * ruleset takes (limit buckets full, recent lists empty, nth
	 * counters at zero; other rules the file cannot decide do not
	 * match), each such rule marked by an IPTS_EV_UNDECIDED event. */
	struct ipts_packet packets[IPTS_MAX_PACKETS];
	unsigned int npackets;
	struct ipts_reason *reasons;
	size_t nreasons, reasons_cap;
	unsigned int possible;		/* 1 << enum ipts_outcome */
	/* One explored way to each possible outcome, in the order found:
	 * what happens, and the undecidable rules it takes as matching. */
	struct {
		enum ipts_outcome outcome;
		char why[640];
	} ways[IPTS_OUTCOME_COUNT];
	unsigned int nways;
	unsigned int branches;		/* walks explored */
	/* Not every way was explored (too many rules the file cannot
	 * decide, or the budget): @possible is what the explored ways
	 * reached, and the outcome is IPTS_UNDETERMINED. */
	bool incomplete;
	/* Rules visited (examined by the walk, all packets and ways), and
	 * whether the walk stopped at ipts_limits.max_visits: the outcome is
	 * then IPTS_UNDETERMINED and @budget_why says so with the numbers
	 * (it is also the text of a reason). */
	uint64_t visits, max_visits;
	bool over_budget;
	char budget_why[192];
	/* Whose gid an -m owner --gid-owner match read (IPTS_SIDE_* bits),
	 * over every way explored: the answer may depend on it. */
	unsigned int gid_read;
	/* The first packet's way, and when it is IPTS_PATH_NONE, where and
	 * why it stopped ("rp_filter (strict) on eth0: ..."). @route: the
	 * route it took, as `ip route` prints it, or "". */
	enum ipts_path path;
	char stopped[192];
	char route[160];
	/* The client's source address as used: the query's, or, for a
	 * local client on a described host without IPTS_QGIVEN_SRC, the
	 * one routing chose for the destination. */
	union nf_inet_addr src;
	uint8_t family; /* the query's */
	/* The host facts the answer relied on: each sysctl read (given, or
	 * a fresh namespace's default) and assumption, in the order read,
	 * as `key value`; @nfacts of them. */
	struct {
		char key[80];
		long value;
		bool given;
	} facts[16];
	unsigned int nfacts;
	/* -j SET with --ipsets: what the first way's packets did to the
	 * sets, the changes in order (@sets_tracked: the file has -j SET
	 * and the sets were given), and the `ipset save` text of the sets
	 * changed (malloc'd; NULL when none changed). */
	bool sets_tracked;
	struct ipts_set_change {
		char set[32];
		const char *op; /* "added", "deleted", "refreshed" */
		char elem[160]; /* as `ipset save` writes it */
	} * set_changes;
	size_t nset_changes, set_changes_cap;
	char *sets_after;
	void *priv;			/* scratch, owned by the result */
};

void ipts_result_init(struct ipts_result *res);
void ipts_result_free(struct ipts_result *res);

/*
 * What one simulation may cost, so that a hostile file cannot make it run
 * for hours or fill the memory: a file under 1 KB can hold a path of
 * 4^14 rules (chains C1..C14, each jumping four times to the next).
 *
 * @max_visits counts the rules the walk examines (every rule looked at,
 * over all packets and every way explored; a chain answered from the memo
 * counts one). Past it the walk stops and the answer is undetermined.
 * @max_trace_lines bounds each packet's recorded TRACE path: past it the
 * path keeps its first lines and its last one, and counts the lines left
 * out (ipts_packet.trace_omitted). The answer is not changed by it: once a
 * packet's path is cut, a user chain entered again in the same state,
 * whose walk then met nothing that changes or depends on state, is
 * answered from a memo of its earlier walk.
 */
struct ipts_limits {
	uint64_t max_visits;		/* 0: none left, stop at once */
	uint64_t max_trace_lines;	/* per packet, >= 1 */
	/* What the budget's sentence names as its source ("--max-visits"),
	 * or NULL. */
	const char *budget_name;
};

#define IPTS_DEFAULT_MAX_VISITS 10000000ULL
#define IPTS_DEFAULT_MAX_TRACE_LINES 10000ULL

/* The defaults above. */
void ipts_limits_init(struct ipts_limits *lim);

/*
 * Find once what every query of @rs needs (whether it needs conntrack,
 * each table's jump stack, the evaluator of each match): a context the
 * caller frees with ipts_sim_free(). Never fails (ipts_oom() on no
 * memory). @rs is borrowed: it must outlive the context, unchanged.
 */
struct ipts_sim_ctx *ipts_sim_prepare(const struct ipts_ruleset *rs);
/*
 * The same, on the described host @host (borrowed: it must outlive the
 * context, unchanged): its interfaces, addresses, routes, sysctls and
 * listeners decide the paths. NULL: a host with lo only, as
 * ipts_sim_prepare(), where both ends must be local.
 */
struct ipts_sim_ctx *ipts_sim_prepare_on(const struct ipts_ruleset *rs,
					 const struct ipts_hostdesc *host);
/*
 * Give the host's ipsets (ipset.h) to @ctx, before its first query: -m set
 * is then decided as the kernel decides it. @sets is borrowed: it must
 * outlive the context, unchanged. Without it (NULL) every -m set is
 * undetermined.
 */
void ipts_sim_use_ipsets(struct ipts_sim_ctx *ctx,
			 const struct ipts_ipsets *sets);
/* Free @ctx (NULL: nothing); its ruleset is not freed. */
void ipts_sim_free(struct ipts_sim_ctx *ctx);

/*
 * Simulate @q against the ruleset of @ctx. Returns 0 with @res filled (the
 * outcome may be IPTS_UNDETERMINED, with reasons), or -1 when @q makes no
 * sense (then res->why says why). ipts_simulate() uses the default limits,
 * ipts_simulate_limited() @lim (NULL: the defaults). Reentrant: @ctx is
 * only read, all scratch lives in @res.
 */
int ipts_simulate(const struct ipts_sim_ctx *ctx, const struct ipts_query *q,
		  struct ipts_result *res);
int ipts_simulate_limited(const struct ipts_sim_ctx *ctx,
			  const struct ipts_query *q,
			  const struct ipts_limits *lim,
			  struct ipts_result *res);

/* Whether conntrack is on in a fresh namespace holding @rs: some rule
 * needs it (state, conntrack, connmark, CONNMARK, NAT targets, CT...).
 * A scan of every rule: a prepared context holds the answer for its
 * queries. */
bool ipts_ruleset_needs_conntrack(const struct ipts_ruleset *rs);

/* "connected", "timeout", ... as in the JSON output. */
const char *ipts_outcome_name(enum ipts_outcome o);
/* The connection's first packet (the SYN or the datagram), after the
 * NS and NA of neighbour discovery that may come before it; NULL when
 * there is none (an NS that fails stops everything). */
const struct ipts_packet *ipts_result_first(const struct ipts_result *res);
/* "local", "input", "output", "forward"; NULL for IPTS_PATH_NONE. */
const char *ipts_path_name(enum ipts_path p);
const char *ipts_trace_type_name(enum ipts_trace_type t);
/* "a.b.c.d:port" (or "a.b.c.d" when @port < 0) of a network-order
 * address into @buf. */
void ipts_fmt_addr(char *buf, size_t len, uint32_t addr, int port);
/* The longest "[addr]:port" ipts_fmt_inet() writes, with its NUL. */
#define IPTS_ENDPOINT_LEN (INET6_ADDRSTRLEN + 8)
/* The same for an address of @family (NFPROTO_*): an IPv6 one
 * compressed, "[addr]:port" with a port. */
void ipts_fmt_inet(char *buf, size_t len, uint8_t family,
		   const union nf_inet_addr *addr, int port);
/* "a.b.c.d:sport>a.b.c.d:dport[ mark=0x..]" as the rule saw the packet
 * (v6: "[a::b]:sport>[c::d]:dport"); @family the query's. */
void ipts_trace_format_seen(const struct ipts_trace *t, char *buf, size_t len);
/* "table:chain:type:num" into @buf. */
void ipts_trace_format(const struct ipts_trace *t, char *buf, size_t len);

/* A NAT target's range in host terms, from either blob layout:
 * revision 0 of an IPv4 target holds nf_nat_ipv4_multi_range_compat
 * (its first range), every other (and an IPv6 target's revision 0:
 * libip6t_MASQUERADE, _REDIRECT, _NETMAP) nf_nat_range or its extension
 * nf_nat_range2. */
struct ipts_nat_range {
	unsigned int flags;
	uint32_t min_ip, max_ip; /* network order */
	union nf_inet_addr min_addr, max_addr; /* revision 1 and later */
	uint16_t min_port, max_port; /* host order */
};

struct xt_entry_target;
/* false: @t's data is shorter than its layout */
bool ipts_nat_read_range(const struct xt_entry_target *t, uint8_t family,
			 struct ipts_nat_range *rg);

#endif
