#ifndef IPTS_SIM_INT_H
#define IPTS_SIM_INT_H

/*
 * What the parts of sim/ share among themselves: the packet as the hooks
 * see it (the fields of the skb, its conntrack entry and its socket that
 * the matches read), the host (host.c) and the match evaluator's
 * interface (match.c).
 */
#include <stdbool.h>
#include <stdint.h>

#include "model.h"	/* first: glibc headers before the uapi ones */
#include "sim.h"
#include <linux/netfilter.h>
#include <linux/netfilter_ipv4/ip_tables.h>
#include <linux/netfilter_ipv6/ip6_tables.h>

/* Conntrack state of a packet, as xt_conntrack's XT_CONNTRACK_STATE bits. */
enum ipts_ctinfo {
	IPTS_CT_NEW,
	IPTS_CT_ESTABLISHED,
	IPTS_CT_RELATED,
	IPTS_CT_INVALID,
	IPTS_CT_UNTRACKED,
};

/* The conntrack entry of a connection (shared by all its packets). */
struct ipts_conn {
	bool exists;			/* conntrack is on and tracks it */
	bool untracked;			/* NOTRACK / CT --notrack */
	uint8_t l3num; /* NFPROTO_IPV4 or NFPROTO_IPV6 */
	uint8_t l4proto;
	/* Tuples in network byte order for addresses (a v4 one in .ip, the
	 * rest zero, as nf_conntrack_tuple's u3), host order for ports. */
	union nf_inet_addr orig_src, orig_dst, reply_src, reply_dst;
	uint16_t orig_sport, orig_dport, reply_sport, reply_dport;
	uint32_t status;		/* IPS_* bits: IPS_SRC_NAT, IPS_DST_NAT, ... */
	uint32_t mark;			/* connmark */
	bool nat_done;			/* NAT bindings set up at the first packet */
	bool seen_reply;
	/* nf_ct_kill()ed: out of the table, so the next packet looks it up
	 * in vain and starts a new entry; the packet that killed it still
	 * carries it (conntrack.c) */
	bool killed;
	/* the last packet TCP tracking took was a RST of the original
	 * direction (last_dir, last_index == TCP_RST_SET) */
	bool rst_orig_last;
};

/* One packet at one hook. */
struct ipts_pkt {
	/* IP header: the family (NFPROTO_IPV4/6) says which. Addresses in
	 * network byte order, a v4 one in .ip with the rest zero. */
	uint8_t family;
	union nf_inet_addr saddr, daddr;
	uint8_t protocol; /* IPPROTO_TCP, _UDP, _ICMP, _ICMPV6:
					 * for v6 the upper-layer header (the
					 * simulated packets carry no
					 * extension headers) */
	uint8_t tos, ttl; /* v6: traffic class, hop limit */
	uint32_t flowlabel; /* v6: 20 bits, host order */
	uint16_t tot_len;		/* IP total length */
	uint16_t frag_off;		/* host order, 0 for unfragmented */
	/* L4 */
	uint16_t sport, dport;		/* host order (TCP/UDP) */
	uint8_t tcp_flags;		/* TCPHDR_SYN | TCPHDR_ACK ... as in tcp header byte 13 */
	uint8_t tcp_doff;		/* header length in 32-bit words */
	uint8_t icmp_type, icmp_code;	/* for ICMP packets */
	/* Where it is */
	unsigned int hook;		/* NF_INET_* */
	const char *in, *out;		/* interface names, "" when none */
	uint8_t pkt_type;		/* PACKET_HOST, PACKET_LOOPBACK... as skb */
	/* skb state */
	uint32_t mark;
	bool nf_trace;
	/* Socket (locally generated packets): what xt_owner reads */
	bool has_sk, sk_has_file;
	uint32_t uid, gid;
	uint8_t sk_side;		/* IPTS_SIDE_* of the socket, or 0 */
	/* Conntrack */
	struct ipts_conn *ct;		/* NULL when conntrack is off */
	enum ipts_ctinfo ctinfo;
	bool reply_dir;			/* IP_CT_DIR_REPLY */
	/* TCP option bytes after the 20-byte header, tcp_doff * 4 - 20 of
	 * them; NULL when unknown (then -m tcp --tcp-option and -m tcpmss
	 * are undetermined unless tcp_doff is 5). */
	const uint8_t *tcp_opts;
	/* With --fresh, the walker's count of earlier evaluations of the
	 * match blob being evaluated (ipts_match_counts_evals() says which
	 * blobs need it): statistic nth and limit answer from it. Left
	 * false, they are undetermined. */
	bool evals_known;
	uint32_t evals;
	/* With --fresh, -m limit's bucket as the earlier evaluations of the
	 * rule left it (walk.c's slot), and when this packet is sent (ms
	 * after the connection's first SYN). NULL: no slot. */
	struct ipts_limit_bucket *bucket;
	/* the same for -m hashlimit: its entries, one a key (NULL: none),
	 * and the blob whose cfg its table keeps (NULL: not known) */
	struct ipts_hl_state *hl;
	const struct xt_entry_match *hl_owner;
	/* which packet of the connection this is (1...; 0: not known): a
	 * hashlimit entry met again by the same packet had no time to
	 * refill beyond a jiffy */
	uint32_t pkt_serial;
	uint32_t now_ms;
	/* how much sooner than its schedule a resend may meet the rule: a
	 * client on another host (the network's delay may differ from one
	 * SYN to the next); 0 for one on this host */
	uint32_t early_ms;
	/* walk.c: which port a NAT binding picked at random (the simulation
	 * follows one port of each class): 1 sport, 2 dport. */
	uint8_t port_rand;
};

/*
 * -m limit's credit under --fresh (xt_limit's priv: full at load), for
 * each CONFIG_HZ the host kernel may have (100, 250, 300, 1000): the
 * least (@lo) and the most (@hi) it may hold after the evaluation at
 * @last_ms. The least takes each gap at its shortest (a resend's timer
 * fires no earlier than its timeout), the most at a bound on the timer's
 * delay; a gap of no known bound (the packets of one moment: the SYN-ACK,
 * the ACK) makes the most the cap. @init: evaluated once (full before).
 */
struct ipts_limit_bucket {
	bool init;
	uint32_t last_ms;
	uint32_t last_pkt; /* the packet that last met it (pkt_serial) */
	uint64_t lo[4], hi[4];
};

/*
 * -m hashlimit's entries under --fresh (xt_hashlimit's dsthash_ent): one
 * bucket a key the rule met (addresses and ports, as --hashlimit-mode and
 * its masks take them), full when made.
 */
#define IPTS_HL_KEYS 4
struct ipts_hl_key {
	union nf_inet_addr src, dst;
	uint16_t sport, dport;
};

struct ipts_hl_state {
	unsigned int n;
	struct ipts_hl_key key[IPTS_HL_KEYS];
	struct ipts_limit_bucket b[IPTS_HL_KEYS];
};

/* What hashlimit_mt_common() reads of a blob (the kernel copies every
 * revision's cfg into revision 3's form), and its table's name. */
struct ipts_hl_cfg {
	uint64_t avg, burst;
	uint32_t mode, expire, gc_interval;
	uint8_t srcmask, dstmask;
	const char *name; /* in the blob, not NUL-ended */
	size_t name_len; /* the blob's name field */
};

/* The cfg of hashlimit data @info of @revision (1 to 3). */
void ipts_hl_cfg_fill(const void *info, uint8_t revision,
		      struct ipts_hl_cfg *c);

/* The cfg of @m: false unless it is a whole hashlimit of revision 1-3. */
bool ipts_hl_cfg_of(const struct xt_entry_match *m, struct ipts_hl_cfg *c);

/* hashlimit_init_dst(): the key of @p's entry, as --hashlimit-mode and
 * its masks take the addresses and ports. */
void ipts_hl_key_of(const struct ipts_hl_cfg *c, const struct ipts_pkt *p,
		    struct ipts_hl_key *k);

struct ipts_hostdesc;

/* What the simulator knows about the host (never the machine iptsim runs on). */
struct ipts_host {
	/* Network order, of the query's family; 127.0.0.0/8 (v4) and ::1
	 * (v6) are always local. */
	const union nf_inet_addr *local_addrs;
	unsigned int nlocal;
	bool fresh;			/* assume a ruleset just loaded (--fresh) */
	/* Set to the IPTS_SIDE_* of a socket whose gid an owner match
	 * read (NULL: not recorded). */
	unsigned int *gid_read;
	/* The described host (NULL: none; then the query's addresses are
	 * the local ones). */
	const struct ipts_hostdesc *desc;
	/* The host's sets (--ipsets; NULL: -m set is undetermined). */
	const struct ipts_ipsets *ipsets;
	/* The sets a -j SET of the ruleset changes (ipts_ipsets_changed()):
	 * -m set on them is undetermined. */
	const char *ipsets_changed;
	/* @ipsets is the connection's state (setstate.c): -j SET's changes
	 * are followed, and -m set on a changed set is decided. */
	bool ipsets_tracked;
	uint8_t family; /* NFPROTO_*: 0 is IPv4 */
};

/* The packet as the set types' kadt() read it (match.c). */
struct ipts_ipset_pkt;
void ipts_set_pkt(const struct ipts_pkt *p, struct ipts_ipset_pkt *sp);

enum ipts_match_result {
	IPTS_MATCH_NO,
	IPTS_MATCH_YES,
	IPTS_MATCH_UNKNOWN,		/* the file cannot tell: see reason */
};

/*
 * Evaluate the match blob @m of rule entry @e on @p, as the extension's
 * kernel match function would (xt_*.c), including the blob's own invert
 * flags. On IPTS_MATCH_UNKNOWN, *reason is set to a static string saying
 * why ("-m set contents are host state", "match is not modelled": the
 * blob's own name says which).
 */
enum ipts_match_result ipts_match_eval(const struct xt_entry_match *m,
				       const struct ipt_entry *e,
				       const struct ipts_pkt *p,
				       const struct ipts_host *h,
				       const char **reason);

/*
 * The evaluator rows of the names and revisions a ruleset's blobs use,
 * found once (ipts_sim_prepare()): read-only once filled, so that walks
 * may share them. _new() never fails; _add() a blob's name and revision.
 */
struct ipts_mt_rows;
struct ipts_mt_rows *ipts_mt_rows_new(void);
/* The -m hashlimit blob whose cfg @m's table keeps: the one checked at
 * load that made the table (the first of its --hashlimit-name while no
 * rule held one), or NULL when no rule holds the table. */
const struct xt_entry_match *
ipts_mt_rows_hashlimit_owner(const struct ipts_mt_rows *rows,
			     const struct xt_entry_match *m);
/* _add() a blob in the order the kernel checks them at load (a hashlimit
 * blob takes its table, making it if no rule holds it); _hl_check() a
 * hashlimit blob that takes its table but is no longer in the ruleset
 * (of a replaced table), _hl_release() one the kernel frees. */
void ipts_mt_rows_add(struct ipts_mt_rows *rows,
		      const struct xt_entry_match *m);
void ipts_mt_rows_hl_check(struct ipts_mt_rows *rows,
			   const struct xt_entry_match *m);
void ipts_mt_rows_hl_release(struct ipts_mt_rows *rows,
			     const struct xt_entry_match *m);
void ipts_mt_rows_free(struct ipts_mt_rows *rows);

/* ipts_match_eval() with the evaluator looked up in @rows (never NULL;
 * ipts_match_eval() passes an empty table, which finds every name by
 * its row walk). */
enum ipts_match_result ipts_match_eval_rows(const struct ipts_mt_rows *rows,
					    const struct xt_entry_match *m,
					    const struct ipt_entry *e,
					    const struct ipts_pkt *p,
					    const struct ipts_host *h,
					    const char **reason);

/*
 * True when the answer for @m depends on how often it was evaluated since
 * the ruleset was loaded (statistic nth, limit, hashlimit): the walker then counts
 * its evaluations and passes the count in ipts_pkt.evals.
 */
bool ipts_match_counts_evals(const struct xt_entry_match *m);

/*
 * For a match ipts_match_eval() cannot decide even on a just-loaded
 * ruleset (hashlimit): what such a ruleset answers after @evals earlier
 * evaluations of it; false when there is no such answer.
 */
bool ipts_match_fresh_guess(const struct xt_entry_match *m,
			    const struct xt_entry_match *owner, uint32_t evals);

/*
 * The entry of a hashlimit table one packet's evaluation meets
 * (hashlimit_init_dst()): the table is the --hashlimit-name's, shared by
 * every rule naming it (htable_find_get()), the entry that of the fields
 * --hashlimit-mode keys by, addresses under the --hashlimit-srcmask and
 * -dstmask prefixes, ports 0 for a protocol without them.
 */
struct ipts_hl_entry {
	const char *name; /* in the rule's blob */
	size_t name_len; /* the blob's name field */
	struct ipts_hl_key key;
};

/* Fill @k for @m (hashlimit, revisions 1-3) and @p; false for any other
 * match. */
bool ipts_hashlimit_key(const struct xt_entry_match *m,
			const struct xt_entry_match *owner,
			const struct ipts_pkt *p, struct ipts_hl_entry *k);
bool ipts_hl_entry_eq(const struct ipts_hl_entry *a,
		      const struct ipts_hl_entry *b);

/* The IP header part of @e (ip_packet_match() in ip_tables.c). */
bool ipts_ip_match(const struct ipt_ip *ip, const struct ipts_pkt *p);

/* The IP header part of an IPv6 entry (ip6_packet_match() in
 * ip6_tables.c); *@hotdrop set when the kernel drops the packet there. */
bool ipts_ip6_match(const struct ip6t_ip6 *ip, const struct ipts_pkt *p,
		    bool *hotdrop);

/* True when @addr (network order, of h->family) is local to the
 * simulated host. */
bool ipts_host_is_local(const struct ipts_host *h,
			const union nf_inet_addr *addr);

/* A v4 address (network order) as the union holds it. */
static inline union nf_inet_addr ipts_addr4(uint32_t a)
{
	union nf_inet_addr u = { .all = { a, 0, 0, 0 } };

	return u;
}

/* The same as a pointer to a compound literal, for an argument. */
#define IPTS_ADDR4(a) (&(union nf_inet_addr){ .all = { (a), 0, 0, 0 } })
/*
 * The address types (1 << RTN_*) @addr has on the described host (h->desc
 * must be set), as inet_dev_addr_type() answers on device @dev, or
 * inet_addr_type() when @dev is NULL or "": LOCAL for an address of the
 * device (of any device), BROADCAST for a subnet broadcast of one of its
 * prefixes, 0/8 and 255.255.255.255, MULTICAST for 224/4, else UNICAST.
 */
unsigned int ipts_host_addr_types(const struct ipts_host *h, uint32_t addr,
				  const char *dev);

/*
 * Whether @ans, a RST or an ICMP (ICMPv6) error answering a SYN-ACK and
 * delivered to the server, makes tcp_req_err() drop the request socket
 * (sim/handshake.c says which errors, from tcp_v4_err() and
 * icmpv6_err_convert()).
 */
bool ipts_reqsk_err_fatal(const struct ipts_packet *ans);

#endif
