/*
 * handshake.c - the packets of one local connection, in order, and what
 * the client's connect() (TCP) or send()/recv() (UDP) makes of them.
 *
 * TCP: the client's SYN, the server's SYN-ACK (owned by the listening
 * socket, so by the server's uid), the client's ACK. connect() returns once
 * the SYN-ACK is in, so a lost ACK still connects. A dropped SYN or SYN-ACK
 * leaves the client in SYN_SENT (timeout; TCP ignores the EPERM of a drop
 * on output). A REJECT sends a RST (tcp-reset, nf_send_reset()) or an ICMP
 * error (icmp_send()) that walks OUTPUT and INPUT itself; the error reaches
 * the sender of the rejected packet, and the client's errno follows
 * icmp_err_convert[]. With nothing listening the kernel answers RST.
 *
 * UDP: a datagram (7 bytes) and the server's answer (9 bytes). A drop on
 * the sender's own output path makes send() fail with EPERM (ip_local_out()
 * returns the hook's error, UDP passes it on).
 *
 * Each packet goes along its path (path.c) step by step: a table's walk
 * (walk.c), conntrack (conntrack.c), the nat hook (here; nat.c rewrites).
 * Called by the driver (simulate.c), it calls only below itself.
 */
#include "walk_int.h"	/* first: glibc headers before the uapi ones */

#include <assert.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/ip_icmp.h>
#include <linux/icmpv6.h>

#define TH_SYN 0x02
#define TH_RST 0x04
#define TH_ACK 0x10

static const char *const pkt_names[] = {
	[IPTS_PKT_SYN] = "SYN",	    [IPTS_PKT_SYNACK] = "SYN-ACK",
	[IPTS_PKT_ACK] = "ACK",	    [IPTS_PKT_RST] = "RST",
	[IPTS_PKT_ICMP] = "ICMP",   [IPTS_PKT_DATA] = "DATA",
	[IPTS_PKT_REPLY] = "REPLY", [IPTS_PKT_NS] = "NS",
	[IPTS_PKT_NA] = "NA",
};

static struct ipts_packet *rec_new(struct ipts_sim *s,
				   enum ipts_packet_kind kind, bool client)
{
	struct ipts_packet *rec, keep;

	/* a handshake is at most 5 packets and an NS and NA: answers stop
	 * at an ICMP error */
	assert(s->npkts < IPTS_MAX_PACKETS);
	if (s->npkts == 0)
		s->first = NULL;
	rec = &s->pkts[s->npkts++];
	if (!s->first && kind != IPTS_PKT_NS && kind != IPTS_PKT_NA)
		s->first = rec;
	keep = *rec;
	memset(rec, 0, sizeof(*rec));
	rec->trace = keep.trace;
	rec->trace_cap = keep.trace_cap;
	rec->ev = keep.ev;
	rec->ev_cap = keep.ev_cap;
	rec->passed = keep.passed;
	rec->passed_cap = keep.passed_cap;
	rec->kind = kind;
	rec->name = kind == IPTS_PKT_ICMP && s->q->family == NFPROTO_IPV6 ?
			    "ICMPv6" :
			    pkt_names[kind];
	rec->from_client = client;
	rec->decided = -1;
	rec->answer = -1;
	rec->in = rec->out = "";
	rec->left_host = false;
	rec->routed[0] = '\0';
	rec->route_err = 0;
	rec->reroute_err = 0;
	rec->verdict = IPTS_V_NOT_SENT;
	return rec;
}

struct sock {
	bool has_sk, file;
	uint32_t uid, gid;
	uint8_t side;		/* IPTS_SIDE_* of a process's socket */
};

/* A packet sent back: its source port is the other's destination port. */
static uint8_t swapped(uint8_t port_rand)
{
	return (port_rand & 1) << 1 | (port_rand & 2) >> 1;
}

/* A packet of the query's family (NFPROTO_*) from @sa to @da (copied
 * first: they may be @p's own). */
static void pkt_init(struct ipts_pkt *p, uint8_t family, uint8_t proto,
		     const union nf_inet_addr *sa, const union nf_inet_addr *da,
		     uint16_t sp, uint16_t dp, const struct sock *sk)
{
	union nf_inet_addr src = *sa, dst = *da;

	memset(p, 0, sizeof(*p));
	p->family = family;
	p->protocol = proto;
	p->saddr = src;
	p->daddr = dst;
	p->sport = sp;
	p->dport = dp;
	p->ttl = 64;
	p->in = "";
	p->out = "";
	p->pkt_type = 0;	/* PACKET_HOST, also after loopback_xmit */
	p->has_sk = sk->has_sk;
	p->sk_has_file = sk->file;
	p->uid = sk->uid;
	p->gid = sk->gid;
	p->sk_side = sk->side;
	p->ctinfo = IPTS_CT_INVALID;
}

/* The network header's length: IPv4's 20 bytes, IPv6's 40 (the
 * simulated packets carry no options and no extension headers). */
static uint16_t ip_hlen(const struct ipts_pkt *p)
{
	return p->family == NFPROTO_IPV6 ? 40 : 20;
}

/* Linux's SYN and SYN-ACK carry MSS, SACK-permitted, timestamps and window
 * scale (20 bytes of options); the ACK carries timestamps (12). */
static void tcp_shape(struct ipts_pkt *p, uint8_t flags)
{
	/* MSS 65495 (lo), SACK_PERM, TS, NOP, WS 7 */
	static const uint8_t syn_opts[20] = {
		2, 4, 0xff, 0xd7, 4, 2, 8, 10, 0, 0, 0, 1, 0, 0, 0, 0,
		1, 3, 3, 7,
	};
	/* NOP, NOP, TS */
	static const uint8_t ack_opts[12] = {
		1, 1, 8, 10, 0, 0, 0, 2, 0, 0, 0, 1,
	};
	/* IPv6 on lo: MSS 65476 (seen in a namespace: OPT (0204FFC4...)) */
	static const uint8_t syn_opts6[20] = {
		2, 4, 0xff, 0xc4, 4, 2, 8, 10, 0, 0,
		0, 1, 0,    0,	  0, 0, 1, 3,  3, 7,
	};
	static const uint8_t no_opts[1];

	p->tcp_flags = flags;
	if (flags & TH_SYN) {
		p->tcp_doff = 10;
		p->tcp_opts = p->family == NFPROTO_IPV6 ? syn_opts6 : syn_opts;
	} else if (flags & TH_RST) {
		p->tcp_doff = 5;
		p->tcp_opts = no_opts;
	} else {
		p->tcp_doff = 8;
		p->tcp_opts = ack_opts;
	}
	p->tot_len = ip_hlen(p) + p->tcp_doff * 4;
}

static void rec_finish(struct ipts_sim *s, struct ipts_packet *rec,
		       const struct ipts_pkt *p)
{
	rec->mark = p->mark;
	rec->connmark = p->ct ? p->ct->mark : 0;
	rec->in = p->in;
	rec->out = p->out;
	rec->ctstate = s->conntrack && s->attached ? ipts_ctinfo_name(p->ctinfo)
						   : NULL;
}

static struct ipts_packet *send_reject_answer(struct ipts_sim *s,
					      const struct ipts_pkt *orig,
					      const struct ipts_packet *orec);

/* @t let the packet of @rec through its table: remember it. */
static void passed_push(struct ipts_packet *rec, const struct ipts_trace *t)
{
	if (rec->npassed == rec->passed_cap) {
		rec->passed_cap = rec->passed_cap ? rec->passed_cap * 2 : 8;
		rec->passed = ipts_xrealloc(rec->passed, rec->passed_cap *
					    sizeof(*rec->passed));
	}
	rec->passed[rec->npassed++] = *t;
}

/*
 * nf_nat_inet_fn(): the nat table's hook. Its chain is walked only for a
 * packet whose entry has no binding yet for the hook's manip type (the
 * head of nat.c says when); then the packet is rewritten from the
 * bindings.
 */
static unsigned int nat_hook(struct ipts_sim *s, struct ipts_pkt *p,
			     unsigned int hook)
{
	const struct ipts_table *t = s->rs->tables[IPTS_TABLE_NAT];
	unsigned int done = ipts_manip_is_src(hook) ? IPTS_NAT_SRC_DONE
						    : IPTS_NAT_DST_DONE;
	bool first;

	if (!t || !s->conntrack || p->ct != &s->conn)
		return NF_ACCEPT;
	first = p->ctinfo == IPTS_CT_NEW ||
		(p->ctinfo == IPTS_CT_RELATED && p->protocol != IPPROTO_ICMP &&
		 p->protocol != IPPROTO_ICMPV6);
	if (first && !(s->nat_done & done)) {
		unsigned int v = ipts_do_table(s, t, hook, p);

		if (v != NF_ACCEPT)
			return v;
		/* nf_nat_alloc_null_binding() when no rule bound it */
		s->nat_done |= done;
	}
	ipts_nat_manip(s, p, hook);
	return NF_ACCEPT;
}

/* What a packet carries of conntrack when it enters the path. */
enum {
	WALK_FRESH,	/* nothing: conntrack looks at it at OUTPUT */
	WALK_ATTACHED,	/* an entry, or the untracked mark */
	WALK_STUB,	/* skb->_nfct set without an entry */
};

/* What a segment's walk ended with: NF_ACCEPT (on to the next), another
 * verdict at *hook, or SEG_UNMODELLED (the simulator cannot go on). */
#define SEG_UNMODELLED (-1)

/*
 * The steps of @seg for @p, which is on devices @in and @out there (""
 * for none). *@hook: where it stopped, when it did.
 */
static int run_seg(struct ipts_sim *s, struct ipts_packet *rec,
		   struct ipts_pkt *p, enum ipts_seg seg, const char *in,
		   const char *out, unsigned int *hook)
{
	const struct ipts_step *st;

	p->in = in;
	p->out = out;
	for (st = ipts_path_seg(seg); st->kind != IPTS_STEP_END; st++) {
		const struct ipts_table *t;
		unsigned int v = NF_ACCEPT;
		uint64_t lines = rec->ntrace + rec->trace_omitted;

		p->hook = *hook = st->hook;
		switch (st->kind) {
		case IPTS_STEP_TABLE:
			t = s->rs->tables[st->table];
			if (t && (t->valid_hooks & (1u << st->hook)))
				v = ipts_do_table(s, t, st->hook, p);
			break;
		case IPTS_STEP_CT_IN:
			ipts_ct_in(s, p, st->hook);
			break;
		case IPTS_STEP_NAT:
			v = nat_hook(s, p, st->hook);
			break;
		case IPTS_STEP_CONFIRM:
			ipts_ct_confirm(s, p);
			break;
		case IPTS_STEP_END:
			break;
		}
		if (s->unmodelled_why)
			return SEG_UNMODELLED;
		if (v != NF_ACCEPT)
			return (int)v;
		/* a table walked (the nat table only for a new connection):
		 * its last line accepted the packet */
		if ((st->kind == IPTS_STEP_TABLE ||
		     st->kind == IPTS_STEP_NAT) &&
		    rec->ntrace && rec->ntrace + rec->trace_omitted > lines)
			passed_push(rec, &rec->trace[rec->ntrace - 1]);
	}
	return NF_ACCEPT;
}

/* @rec stopped at @hook with verdict @v (not NF_ACCEPT): record why, and
 * send the answer a REJECT asked for. */
static enum ipts_verdict stopped(struct ipts_sim *s, struct ipts_packet *rec,
				 struct ipts_pkt *p, int v, unsigned int hook)
{
	rec->decided = rec->ntrace ? (long)rec->ntrace - 1 : -1;
	if (v == SEG_UNMODELLED) {
		rec->verdict = IPTS_V_UNDETERMINED;
		rec_finish(s, rec, p);
		return rec->verdict;
	}
	rec->out_side = ipts_hook_is_output_side(hook);
	rec->verdict = s->reply.pending ? IPTS_V_REJECTED : IPTS_V_DROPPED;
	rec_finish(s, rec, p);
	if (rec->verdict == IPTS_V_REJECTED) {
		struct ipts_packet *ans;

		ans = send_reject_answer(s, p, rec);
		rec->answer = ans ? (int)(ans - s->pkts) : -1;
	}
	return rec->verdict;
}

/* A routing decision the host description cannot make: undetermined. */
static enum ipts_verdict route_unknown(struct ipts_sim *s,
				       struct ipts_packet *rec,
				       struct ipts_pkt *p,
				       const struct ipts_route_dec *d)
{
	snprintf(s->route_why, 208, "routing: %s", d->why);
	ipts_sim_unmodelled(s, NULL, s->route_why);
	rec->verdict = IPTS_V_UNDETERMINED;
	snprintf(rec->routed, sizeof(rec->routed), "%s", d->why);
	rec_finish(s, rec, p);
	return rec->verdict;
}

static struct ipts_packet *send_route_error(struct ipts_sim *s,
					    const struct ipts_pkt *orig,
					    const struct ipts_packet *orec,
					    uint8_t type, uint8_t code);

/* The first packet's routing decision makes the connection's path. */
static void set_path(struct ipts_sim *s, const struct ipts_packet *rec,
		     enum ipts_path path, const char *why)
{
	if (rec != s->first)
		return;
	s->path = path;
	snprintf(s->path_stop, sizeof(s->path_stop), "%s", why ? why : "");
}

/*
 * ip_route_output_key() for @p, whose path it makes when it is the first
 * packet. -1 when the walk ends there (rec->verdict says how): the host
 * cannot tell, or there is no route (@again NULL: connect() fails,
 * nothing is sent; else the words of a re-route that failed, dropped).
 */
static int route_out(struct ipts_sim *s, struct ipts_packet *rec,
		     struct ipts_pkt *p, struct ipts_route_dec *d,
		     const char *again)
{
	ipts_route_output(s, p, d);
	set_path(s, rec,
		 d->kind == IPTS_ROUTE_OUT   ? IPTS_PATH_OUTPUT :
		 d->kind == IPTS_ROUTE_LOCAL ? IPTS_PATH_LOCAL :
					       IPTS_PATH_NONE,
		 d->why);
	if (d->kind == IPTS_ROUTE_UNDETERMINED) {
		route_unknown(s, rec, p, d);
		return -1;
	}
	if (d->kind != IPTS_ROUTE_DROP)
		return 0;
	rec->verdict = again ? IPTS_V_DROPPED : IPTS_V_NOT_SENT;
	rec->route_err = d->err;
	rec->reroute_err = again ? d->err : 0;
	snprintf(rec->routed, sizeof(rec->routed), "%s%.160s",
		 again ? again : "", d->why);
	rec_finish(s, rec, p);
	return -1;
}

/* The packet's header fields as sent, in its record. */
static void rec_start(const struct ipts_sim *s, struct ipts_packet *rec,
		      const struct ipts_pkt *p)
{
	rec->family = p->family;
	rec->saddr = p->saddr;
	rec->daddr = p->daddr;
	rec->sport = p->sport;
	rec->dport = p->dport;
	if (s->rport.active && (p->port_rand & 1)) {
		rec->sport = s->rport.lo;
		rec->sport_hi = s->rport.hi;
	}
	if (s->rport.active && (p->port_rand & 2)) {
		rec->dport = s->rport.lo;
		rec->dport_hi = s->rport.hi;
	}
	rec->icmp_type = p->icmp_type;
	rec->icmp_code = p->icmp_code;
	rec->len = p->tot_len;
	rec->tos = p->tos;
	rec->ttl = p->ttl;
}

/*
 * Walk @p along its path; @attached: it carries an entry already. @from:
 * the device it arrives on from another host, or NULL for a packet of
 * this host (a socket's, or the kernel's answer). A packet of this host
 * is routed (ip_route_output_key()), walks OUT, is routed again when
 * OUT's NAT changed its destination (ip_route_me_harder(): the later
 * tables of OUT still see the first device), walks POST, and leaves by
 * its device; over lo it comes back in with its route (no input
 * routing). A packet that comes in walks PRE, is routed on its
 * destination as PRE left it, and walks IN (to a socket here) or FWD and
 * POST (out to another host). A REJECT's answer is walked at once, as
 * the next packet.
 */
static enum ipts_verdict walk(struct ipts_sim *s, struct ipts_packet *rec,
			      struct ipts_pkt *p, int attached,
			      const char *from)
{
	unsigned int hook = NF_INET_LOCAL_OUT;
	struct ipts_route_dec d;
	const char *in = from;
	int v;

	s->cur = rec;
	s->attached = attached == WALK_ATTACHED;
	s->nfct_stub = attached == WALK_STUB;
	memset(&s->reply, 0, sizeof(s->reply));
	rec_start(s, rec, p);
	if (!from) {
		union nf_inet_addr daddr = p->daddr;
		const char *first;

		if (route_out(s, rec, p, &d, NULL) < 0)
			return rec->verdict;
		first = d.dev;
		v = run_seg(s, rec, p, IPTS_SEG_OUT, "", first, &hook);
		if (v != NF_ACCEPT)
			return stopped(s, rec, p, v, hook);
		/* ip_route_me_harder() after nat's DNAT, before filter:
		 * dropped there if it fails */
		if (!ipts_addr_eq(&p->daddr, &daddr) &&
		    route_out(s, rec, p, &d, "rerouted after NAT: ") < 0)
			return rec->verdict;
		/* the later tables still see the first device */
		v = run_seg(s, rec, p, IPTS_SEG_OUT_LATE, "", first, &hook);
		if (v != NF_ACCEPT)
			return stopped(s, rec, p, v, hook);
		v = run_seg(s, rec, p, IPTS_SEG_POST, "", d.dev, &hook);
		if (v != NF_ACCEPT)
			return stopped(s, rec, p, v, hook);
		if (d.kind == IPTS_ROUTE_OUT) {
			rec->verdict = IPTS_V_DELIVERED;
			rec->left_host = true;
			rec_finish(s, rec, p);
			return rec->verdict;
		}
		in = "lo";
	}
	if (from && p->family == NFPROTO_IPV6 && s->host.desc &&
	    ipts_fib6_rcv_drops(s->host.desc, &p->saddr.in6, &p->daddr.in6,
				from, rec->routed)) {
		/* ip6_rcv_core(): before any hook */
		set_path(s, rec, IPTS_PATH_NONE, rec->routed);
		rec->verdict = IPTS_V_DROPPED;
		p->in = from;
		rec_finish(s, rec, p);
		return rec->verdict;
	}
	v = run_seg(s, rec, p, IPTS_SEG_PRE, in, "", &hook);
	if (v != NF_ACCEPT) {
		if (from)
			set_path(s, rec, IPTS_PATH_NONE,
				 "stopped in "
				 "PREROUTING, before the routing decision");
		return stopped(s, rec, p, v, hook);
	}
	if (from) {
		ipts_route_input(s, p, in, &d);
		set_path(s, rec,
			 d.kind == IPTS_ROUTE_OUT   ? IPTS_PATH_FORWARD :
			 d.kind == IPTS_ROUTE_LOCAL ? IPTS_PATH_INPUT :
						      IPTS_PATH_NONE,
			 d.why);
	} else {
		/* looped back: the skb keeps its output route */
		memset(&d, 0, sizeof(d));
		d.kind = IPTS_ROUTE_LOCAL;
	}
	switch (d.kind) {
	case IPTS_ROUTE_UNDETERMINED:
		return route_unknown(s, rec, p, &d);
	case IPTS_ROUTE_DROP:
		rec->verdict = IPTS_V_DROPPED;
		rec->route_err = d.err;
		snprintf(rec->routed, sizeof(rec->routed), "%s", d.why);
		rec_finish(s, rec, p);
		if (d.icmp_code >= 0) {
			struct ipts_packet *ans;

			ans = send_route_error(s, p, rec, ICMP_DEST_UNREACH,
					       (uint8_t)d.icmp_code);
			rec->answer = ans ? (int)(ans - s->pkts) : -1;
		}
		return rec->verdict;
	case IPTS_ROUTE_OUT:
		/* ip_forward() and ip6_forward(), before their redirect
		 * check: a TTL (hop limit) of 1 or less is dropped and
		 * answered with ICMP (ICMPv6) time exceeded, from this
		 * host toward the sender, through OUTPUT as every error it
		 * sends (seen: TTL 1 set by -j TTL in mangle PREROUTING;
		 * RELATED in OUTPUT, the client's connect() fails with
		 * EHOSTUNREACH); else one less (ip_decrease_ttl()), before
		 * the FORWARD hook */
		if (p->ttl <= 1) {
			bool v6 = p->family == NFPROTO_IPV6;
			struct ipts_packet *ans;

			rec->verdict = IPTS_V_DROPPED;
			snprintf(rec->routed, sizeof(rec->routed),
				 "%s %u at forwarding: %s() drops it",
				 v6 ? "hop limit" : "TTL", p->ttl,
				 v6 ? "ip6_forward" : "ip_forward");
			rec_finish(s, rec, p);
			ans = send_route_error(s, p, rec, ICMP_TIME_EXCEEDED,
					       0);
			rec->answer = ans ? (int)(ans - s->pkts) : -1;
			return rec->verdict;
		}
		if (strcmp(d.dev, in) == 0) {
			/* ip_forward() of a packet routed back out of the
			 * device it came in on: an ICMP redirect to the
			 * sender, and what the network there does next */
			snprintf(d.why, sizeof(d.why),
				 "routed back out of %s, the interface it came "
				 "in on (a hairpin: the kernel also sends the "
				 "sender an ICMP redirect; what the network "
				 "there does with both is not simulated)",
				 in);
			return route_unknown(s, rec, p, &d);
		}
		p->ttl--;
		v = run_seg(s, rec, p, IPTS_SEG_FWD, in, d.dev, &hook);
		if (v != NF_ACCEPT)
			return stopped(s, rec, p, v, hook);
		v = run_seg(s, rec, p, IPTS_SEG_POST, in, d.dev, &hook);
		if (v != NF_ACCEPT)
			return stopped(s, rec, p, v, hook);
		rec->verdict = IPTS_V_DELIVERED;
		rec->left_host = true;
		rec_finish(s, rec, p);
		return rec->verdict;
	case IPTS_ROUTE_LOCAL:
		break;
	}
	v = run_seg(s, rec, p, IPTS_SEG_IN, in, "", &hook);
	if (v != NF_ACCEPT)
		return stopped(s, rec, p, v, hook);
	rec->verdict = IPTS_V_DELIVERED;
	rec_finish(s, rec, p);
	return rec->verdict;
}

/*
 * Whether a socket of this host listens on @addr:@port for a packet that
 * came in on @dev: the described host's listeners (listen.txt) when it
 * has them, else the query's server on --dst:--dport (unless
 * --no-listener); and every --listen.
 */
/* Whether a --listen names @addr:@port (an address 0: any). */
static bool listen_named(const struct ipts_query *q,
			 const union nf_inet_addr *addr, uint16_t port)
{
	static const union nf_inet_addr any;
	unsigned int i;

	for (i = 0; i < q->nlisten; i++)
		if ((ipts_addr_eq(&q->listen[i].addr, &any) ||
		     ipts_addr_eq(&q->listen[i].addr, addr)) &&
		    q->listen[i].port == port)
			return true;
	return false;
}

static bool listening(const struct ipts_sim *s, const union nf_inet_addr *addr,
		      uint16_t port, const char *dev)
{
	const struct ipts_query *q = s->q;
	const struct ipts_hostdesc *h = s->host.desc;

	if (h && ipts_hostdesc_listener_count(h)) {
		if (q->family == NFPROTO_IPV6 ?
			    ipts_hostdesc_listener_find6(h, q->proto,
							 &addr->in6, port,
							 dev && *dev ? dev :
								       "lo") :
			    ipts_hostdesc_listener_find(h, q->proto, addr->ip,
							port,
							dev && *dev ? dev :
								      "lo"))
			return true;
	} else if (!q->no_listener && ipts_addr_eq(addr, &q->dst) &&
		   port == q->dport) {
		return true;
	}
	return listen_named(q, addr, port);
}

/* --- words ----------------------------------------------------------- */

/*
 * The entry that decided, named as everywhere (README: "one name for a
 * rule"): table:chain:rule:N for a rule, table:chain:policy for a
 * built-in chain's policy, then FILE:LINE and the source line.
 */
static void describe(char *buf, size_t len, const struct ipts_packet *rec)
{
	const struct ipts_trace *t;
	const struct ipts_chain *c;

	if (rec->decided < 0 && rec->routed[0]) {
		snprintf(buf, len, "the routing decision (%s)", rec->routed);
		return;
	}
	if (rec->decided < 0) {
		snprintf(buf, len, "a step the simulator cannot name");
		return;
	}
	t = &rec->trace[rec->decided];
	c = t->chain;
	if (t->rule) {
		const struct ipts_rule *r = t->rule;

		snprintf(buf, len, "%s:%s:rule:%u (%s:%u: %.*s)",
			 c->table->name, c->name, t->num,
			 r->loc.src ? r->loc.src->name : "?", r->loc.line,
			 ipts_rule_text_len(r), ipts_rule_text(r));
	} else if (c->loc.src) {
		size_t n = 0;
		const char *line = ipts_source_line(c->loc.src, c->loc.off, &n);

		snprintf(buf, len, "%s:%s:%s (%s:%u: %.*s)", c->table->name,
			 c->name, c->hook >= 0 ? "policy" : "return",
			 c->loc.src->name, c->loc.line, (int)n, line);
	} else {
		snprintf(buf, len, "%s:%s:policy (%s)", c->table->name,
			 c->name, c->policy == NF_DROP ? "DROP" : "ACCEPT");
	}
}

/* The ICMPv6 destination-unreachable codes, as ip6tables names the
 * REJECT types that send them. */
static const char *icmp6_words(uint8_t code)
{
	switch (code) {
	case ICMPV6_NOROUTE:
		return "ICMPv6 no-route";
	case ICMPV6_ADM_PROHIBITED:
		return "ICMPv6 adm-prohibited";
	case ICMPV6_NOT_NEIGHBOUR:
		return "ICMPv6 beyond-scope";
	case ICMPV6_ADDR_UNREACH:
		return "ICMPv6 addr-unreachable";
	case ICMPV6_PORT_UNREACH:
		return "ICMPv6 port-unreachable";
	case ICMPV6_POLICY_FAIL:
		return "ICMPv6 policy-fail";
	case ICMPV6_REJECT_ROUTE:
		return "ICMPv6 reject-route";
	}
	return "ICMPv6 error";
}

/* An ICMP time exceeded (ICMPv6 time exceeded): the TTL (hop limit) ran
 * out at forwarding. */
static bool time_exceeded(const struct ipts_packet *r)
{
	return r->family == NFPROTO_IPV6 ? r->icmp_type == ICMPV6_TIME_EXCEED :
					   r->icmp_type == ICMP_TIME_EXCEEDED;
}

static const char *icmp_words(const struct ipts_packet *r)
{
	if (time_exceeded(r))
		return r->family == NFPROTO_IPV6 ? "ICMPv6 time-exceeded" :
						   "ICMP time-exceeded";
	if (r->family == NFPROTO_IPV6)
		return icmp6_words(r->icmp_code);
	switch (r->icmp_code) {
	case ICMP_NET_UNREACH:
		return "ICMP net-unreachable";
	case ICMP_HOST_UNREACH:
		return "ICMP host-unreachable";
	case ICMP_PROT_UNREACH:
		return "ICMP protocol-unreachable";
	case ICMP_PORT_UNREACH:
		return "ICMP port-unreachable";
	case ICMP_NET_ANO:
		return "ICMP net-prohibited";
	case ICMP_HOST_ANO:
		return "ICMP host-prohibited";
	case ICMP_PKT_FILTERED:
		return "ICMP admin-prohibited";
	}
	return "ICMP error";
}

/*
 * icmpv6_err_convert()'s tab_unreach[] (net/ipv6/icmp.c): no-route
 * ENETUNREACH, adm-prohibited, policy-fail and reject-route EACCES
 * (outcome eperm, the EACCES of a prohibit route), beyond-scope and
 * addr-unreachable EHOSTUNREACH, port-unreachable ECONNREFUSED; the same
 * errno seen in a namespace for each REJECT type, in INPUT and OUTPUT.
 */
static enum ipts_outcome icmp6_outcome(uint8_t code)
{
	switch (code) {
	case ICMPV6_NOROUTE:
		return IPTS_NETUNREACH;
	case ICMPV6_ADM_PROHIBITED:
	case ICMPV6_POLICY_FAIL:
	case ICMPV6_REJECT_ROUTE:
		return IPTS_EPERM;
	case ICMPV6_PORT_UNREACH:
		return IPTS_REFUSED;
	default:
		return IPTS_HOSTUNREACH;
	}
}

/* The errno of icmp6_outcome(); time exceeded is EHOSTUNREACH
 * (icmpv6_err_convert()). */
static int icmp6_errno(const struct ipts_packet *r)
{
	if (time_exceeded(r))
		return EHOSTUNREACH;
	switch (icmp6_outcome(r->icmp_code)) {
	case IPTS_NETUNREACH:
		return ENETUNREACH;
	case IPTS_EPERM:
		return EACCES;
	case IPTS_REFUSED:
		return ECONNREFUSED;
	default:
		return EHOSTUNREACH;
	}
}

/* icmp_err_convert[] in net/ipv4/icmp.c; tcp_v4_err() and tcp_v6_err()
 * take time exceeded as EHOSTUNREACH */
static enum ipts_outcome icmp_outcome(const struct ipts_packet *r)
{
	if (time_exceeded(r))
		return IPTS_HOSTUNREACH;
	if (r->family == NFPROTO_IPV6)
		return icmp6_outcome(r->icmp_code);
	switch (r->icmp_code) {
	case ICMP_NET_UNREACH:
	case ICMP_NET_ANO:
		return IPTS_NETUNREACH;
	case ICMP_PROT_UNREACH:
		return IPTS_PROTOUNREACH;
	case ICMP_PORT_UNREACH:
		return IPTS_REFUSED;
	default:
		return IPTS_HOSTUNREACH;
	}
}

/* icmp_err_convert[].fatal: UDP without IP_RECVERR reports only these;
 * for IPv6 tab_unreach[].fatal: adm-prohibited, port-unreachable,
 * policy-fail and reject-route (seen: a connected UDP socket's recv()
 * gets EACCES or ECONNREFUSED for those, nothing for the others); time
 * exceeded never is (__udp4_lib_err(), icmpv6_err_convert()). */
static bool icmp_fatal(const struct ipts_packet *r)
{
	uint8_t code = r->icmp_code;

	if (time_exceeded(r))
		return false;
	if (r->family == NFPROTO_IPV6)
		return code == ICMPV6_ADM_PROHIBITED ||
		       code == ICMPV6_PORT_UNREACH ||
		       code == ICMPV6_POLICY_FAIL ||
		       code == ICMPV6_REJECT_ROUTE;
	return code != ICMP_NET_UNREACH && code != ICMP_HOST_UNREACH;
}

static const char *reply_words(const struct ipts_packet *r)
{
	return r->kind == IPTS_PKT_RST ? "RST" : icmp_words(r);
}

static void decided(struct ipts_sim *s, const struct ipts_packet *rec,
		    int *dpkt, long *didx)
{
	*dpkt = (int)(rec - s->pkts);
	*didx = rec->decided;
}

/* --- answers to rejected packets ------------------------------------ */

/* __icmp_send(): an error goes with precedence "internetwork control" */
static uint8_t icmp_tos(const struct ipts_pkt *orig)
{
	return (orig->tos & 0x1e) | 0xc0;
}

/*
 * nf_ct_attach(): an answer the kernel makes for a packet (a RST from
 * REJECT, an ICMP error from REJECT: icmp_glue_bits()) rides on that
 * packet's entry, RELATED, in the other direction; whether it was
 * confirmed does not matter. Without an entry it goes through conntrack
 * like any packet; but the answer to an untracked packet gets an skb->_nfct
 * with no entry (nf_conntrack_attach() copies a NULL ct): NOTRACK and CT
 * leave it alone, matches see INVALID, conntrack looks it up at OUTPUT.
 */
static int ct_attach(struct ipts_pkt *p, const struct ipts_pkt *orig)
{
	if (!orig->ct)
		return orig->ctinfo == IPTS_CT_UNTRACKED ? WALK_STUB
							 : WALK_FRESH;
	p->ct = orig->ct;
	p->ctinfo = IPTS_CT_RELATED;
	p->reply_dir = !orig->reply_dir;
	return WALK_ATTACHED;
}

static void set_inner(struct ipts_sim *s, const struct ipts_pkt *orig)
{
	s->inner.saddr = orig->saddr;
	s->inner.daddr = orig->daddr;
	s->inner.sport = orig->sport;
	s->inner.dport = orig->dport;
	s->inner.protocol = orig->protocol;
}

/*
 * icmp_send(): the error @type (ICMP_DEST_UNREACH or ICMP_TIME_EXCEEDED,
 * taken for its ICMPv6 counterpart in an IPv6 packet) @code for @orig, from
 * the per-cpu ICMP socket: from the packet's destination when it was for
 * this host, else from this host's address toward its source; it quotes
 * @orig and rides on its entry (icmp_glue_bits()'s nf_ct_attach()).
 * Returns how it is attached (WALK_*).
 */
static int icmp_error(struct ipts_sim *s, struct ipts_pkt *p,
		      const struct ipts_pkt *orig, uint8_t type, uint8_t code)
{
	static const struct sock kernsock = { true, false, 0, 0, 0 };
	union nf_inet_addr from = orig->daddr;

	if (orig->family == NFPROTO_IPV6) {
		/* icmp6_send(): from the packet's destination when it is
		 * local (it always is over lo), else the host's source
		 * toward the sender; traffic class 0, hop limit
		 * 64, quoting at most 1232 bytes (IPV6_MIN_MTU); seen:
		 * LEN=128 TC=0 HOPLIMIT=64 for a SYN of 80 */
		if (!ipts_host_is_local(&s->host, &orig->daddr) &&
		    !ipts_route_source6(s, &orig->saddr.in6, &from.in6))
			from.in6 = orig->daddr.in6;
		pkt_init(p, orig->family, IPPROTO_ICMPV6, &from, &orig->saddr,
			 0, 0, &kernsock);
		p->icmp_type = type == ICMP_TIME_EXCEEDED ? ICMPV6_TIME_EXCEED :
							    ICMPV6_DEST_UNREACH;
		p->icmp_code = code;
		p->tot_len = 48 + (orig->tot_len > 1232 ? 1232 : orig->tot_len);
		set_inner(s, orig);
		return ct_attach(p, orig);
	}
	if (!ipts_host_is_local(&s->host, &orig->daddr))
		from = ipts_addr4(ipts_route_source(s, orig->saddr.ip));
	pkt_init(p, orig->family, IPPROTO_ICMP, &from, &orig->saddr, 0, 0,
		 &kernsock);
	p->icmp_type = type;
	p->icmp_code = code;
	p->tos = icmp_tos(orig);
	p->tot_len = 28 + (orig->tot_len > 548 ? 548 : orig->tot_len);
	set_inner(s, orig);
	return ct_attach(p, orig);
}

/*
 * Build and walk the answer a REJECT asked for, from @orig as it was at
 * the rejecting hook. NULL when nothing is sent.
 */
static struct ipts_packet *send_reject_answer(struct ipts_sim *s,
					      const struct ipts_pkt *orig,
					      const struct ipts_packet *orec)
{
	struct ipts_reply_req rq = s->reply;
	static const struct sock nosock = { false, false, 0, 0, 0 };
	struct ipts_packet *rec;
	struct ipts_pkt p;
	int attached;

	if (!rq.pending)
		return NULL;
	rec = rec_new(s, rq.tcp_reset ? IPTS_PKT_RST : IPTS_PKT_ICMP,
		      !orec->from_client);
	if (!rec)
		return NULL;
	if (rq.tcp_reset) {
		/* nf_send_reset(): a new skb without a socket, attached to
		 * the rejected packet's entry (nf_ct_attach) */
		pkt_init(&p, s->q->family, IPPROTO_TCP, &orig->daddr,
			 &orig->saddr, orig->dport, orig->sport, &nosock);
		p.port_rand = swapped(orig->port_rand);
		tcp_shape(&p, orig->tcp_flags & TH_ACK ? TH_RST
						       : TH_RST | TH_ACK);
		attached = ct_attach(&p, orig);
	} else {
		attached = icmp_error(s, &p, orig, ICMP_DEST_UNREACH,
				      rq.icmp_code);
	}
	walk(s, rec, &p, attached, NULL);
	return rec;
}

/*
 * ip_error(): the ICMP error a router sends back for a packet it has no
 * route for (forwarding on where it came in), from its address toward
 * the packet's source, attached to the packet's entry as icmp_send()
 * attaches it.
 */
static struct ipts_packet *send_route_error(struct ipts_sim *s,
					    const struct ipts_pkt *orig,
					    const struct ipts_packet *orec,
					    uint8_t type, uint8_t code)
{
	struct ipts_packet *rec;
	struct ipts_pkt p;
	int attached;

	rec = rec_new(s, IPTS_PKT_ICMP, !orec->from_client);
	attached = icmp_error(s, &p, orig, type, code);
	walk(s, rec, &p, attached, NULL);
	return rec;
}

/*
 * A kernel answer to a packet nobody listens for; *@out (when not NULL)
 * gets the answer as its walk left it (NAT undone, or not).
 */
static struct ipts_packet *
send_kernel_answer(struct ipts_sim *s, const struct ipts_pkt *orig,
		   bool from_client, struct ipts_pkt *out, const char *from)
{
	static const struct sock kernsock = { true, false, 0, 0, 0 };
	static const struct sock nosock = { false, false, 0, 0, 0 };
	/* another host's answer has no socket of this host */
	const struct sock *sk = from ? &nosock : &kernsock;
	struct ipts_packet *rec;
	struct ipts_pkt p;

	if (orig->protocol == IPPROTO_TCP) {
		/* tcp_v4_send_reset() through the netns control socket;
		 * tcp_v6_send_response() hands the control socket to
		 * ip6_xmit(), which leaves skb->sk unset: the IPv6 RST has
		 * no socket (seen: -m owner --socket-exists misses it) */
		rec = rec_new(s, IPTS_PKT_RST, from_client);
		if (!rec)
			return NULL;
		pkt_init(&p, s->q->family, IPPROTO_TCP, &orig->daddr,
			 &orig->saddr, orig->dport, orig->sport,
			 orig->family == NFPROTO_IPV6 ? &nosock : sk);
		p.port_rand = swapped(orig->port_rand);
		tcp_shape(&p, TH_RST | TH_ACK);
		p.tos = orig->tos;	/* ip_send_unicast_reply(): arg.tos */
	} else {
		/* __udp4_lib_rcv(): port unreachable (__udp6_lib_rcv():
		 * ICMPv6 port unreachable, icmp6_send() as for REJECT) */
		rec = rec_new(s, IPTS_PKT_ICMP, from_client);
		if (!rec)
			return NULL;
		if (orig->family == NFPROTO_IPV6) {
			pkt_init(&p, orig->family, IPPROTO_ICMPV6, &orig->daddr,
				 &orig->saddr, 0, 0, sk);
			p.icmp_type = ICMPV6_DEST_UNREACH;
			p.icmp_code = ICMPV6_PORT_UNREACH;
			p.tot_len = 48 + orig->tot_len;
		} else {
			pkt_init(&p, orig->family, IPPROTO_ICMP, &orig->daddr,
				 &orig->saddr, 0, 0, sk);
			p.icmp_type = ICMP_DEST_UNREACH;
			p.icmp_code = ICMP_PORT_UNREACH;
			p.tos = icmp_tos(orig);
			p.tot_len = 28 + orig->tot_len;
		}
		/* __udp4_lib_rcv() calls nf_reset_ct() first: nothing to
		 * attach, conntrack finds the entry at OUTPUT (RELATED) */
		set_inner(s, orig);
	}
	walk(s, rec, &p, WALK_FRESH, from);
	if (out)
		*out = p;
	return rec;
}

/* --- where packets end ---------------------------------------------- */

/*
 * Whether @rec, delivered, reached the client: its socket on this host,
 * or, for a client on another host (--in), the network of the interface
 * it is on (out of that device).
 */
static bool reached_client(const struct ipts_sim *s,
			   const struct ipts_packet *rec)
{
	if (rec->verdict != IPTS_V_DELIVERED)
		return false;
	if (!s->q->in)
		return !rec->left_host;
	return rec->left_host && strcmp(rec->out, s->q->in) == 0;
}

/* Where a delivered @rec went instead of the client. */
static void elsewhere(char *buf, size_t len, const struct ipts_sim *s,
		      const struct ipts_packet *rec)
{
	if (!s->q->in)
		snprintf(buf, len,
			 "leaves the host by %s instead of coming "
			 "back to the client's socket",
			 rec->out);
	else if (rec->left_host)
		snprintf(buf, len,
			 "leaves by %s, not by %s where the client "
			 "is: the client does not see it (unless the network "
			 "beyond brings it back)",
			 rec->out, s->q->in);
	else
		snprintf(buf, len,
			 "is delivered to this host, not to the "
			 "client on %s",
			 s->q->in);
}

/* The errno of a local connect() or send() that routing refused. */
static enum ipts_outcome route_outcome(int err)
{
	switch (err) {
	case EINVAL:
		return IPTS_EINVAL;
	case EACCES:
		return IPTS_EPERM;
	case EHOSTUNREACH:
		return IPTS_HOSTUNREACH;
	default:
		return IPTS_NETUNREACH;
	}
}

static const char *errno_words(int err)
{
	switch (err) {
	case EINVAL:
		return "EINVAL";
	case EACCES:
		return "EACCES";
	case EHOSTUNREACH:
		return "EHOSTUNREACH";
	case ECONNREFUSED:
		return "ECONNREFUSED";
	default:
		return "ENETUNREACH";
	}
}

/* The client's first packet was never sent: routing refused it. */
static enum ipts_outcome not_sent(struct ipts_sim *s,
				  const struct ipts_packet *rec, bool udp,
				  char *why, size_t len)
{
	(void)s;
	snprintf(why, len, "%s fails with %s before any packet is sent: %s",
		 udp ? "send()" : "connect()", errno_words(rec->route_err),
		 rec->routed);
	return route_outcome(rec->route_err);
}

/* The client's packet @rec was rejected (by a rule, or by the routing
 * decision, which answered): what the client sees. */
static enum ipts_outcome client_rejected(struct ipts_sim *s,
					 struct ipts_packet *rec, bool udp,
					 char *why, size_t len, int *dpkt,
					 long *didx)
{
	char d1[512], d2[512], w[256];
	struct ipts_packet *ans;
	bool out_side = rec->out_side && !s->q->in;

	describe(d1, sizeof(d1), rec);
	ans = rec->answer >= 0 ? &s->pkts[rec->answer] : NULL;
	if (s->unmodelled_why)
		return IPTS_UNDETERMINED;
	if (udp && out_side) {
		decided(s, rec, dpkt, didx);
		snprintf(why, len, "send() fails: the datagram is rejected "
			 "on its way out by %s", d1);
		return IPTS_EPERM;
	}
	if (!ans) {
		decided(s, rec, dpkt, didx);
		snprintf(why, len, "the %s is rejected by %s, which sends "
			 "nothing back", rec->name, d1);
		return udp ? IPTS_DROPPED : IPTS_TIMEOUT;
	}
	if (ans->verdict != IPTS_V_DELIVERED) {
		decided(s, ans, dpkt, didx);
		describe(d2, sizeof(d2), ans);
		snprintf(why, len, "the %s is rejected by %s, and the %s it "
			 "sends back is %s by %s", rec->name, d1,
			 reply_words(ans), ans->verdict == IPTS_V_REJECTED ?
			 "rejected" : "dropped", d2);
		return udp ? IPTS_DROPPED : IPTS_TIMEOUT;
	}
	if (!reached_client(s, ans)) {
		decided(s, rec, dpkt, didx);
		elsewhere(w, sizeof(w), s, ans);
		snprintf(why, len,
			 "the %s is rejected by %s, and the %s it "
			 "sends back %s",
			 rec->name, d1, reply_words(ans), w);
		return udp ? IPTS_DROPPED : IPTS_TIMEOUT;
	}
	decided(s, rec, dpkt, didx);
	if (udp && ans->kind == IPTS_PKT_ICMP && !icmp_fatal(ans)) {
		snprintf(why, len, "the %s is rejected by %s, which answers "
			 "%s: a soft error UDP does not report", rec->name, d1,
			 reply_words(ans));
		return IPTS_DROPPED;
	}
	if (ans->kind == IPTS_PKT_ICMP && ans->family == NFPROTO_IPV6) {
		snprintf(why, len,
			 "the %s is rejected by %s, which answers "
			 "%s: %s fails with %s%s",
			 rec->name, d1, reply_words(ans),
			 udp ? "recv()" : "connect()",
			 errno_words(icmp6_errno(ans)),
			 udp || rec->resent ?
				 "" :
			 s->q->in ?
				 " after the SYN's first retransmission "
				 "(1 s: the first error reaches the client "
				 "while its connect() holds the socket, a soft "
				 "error; seen on a veth)" :
				 " after the SYN's first retransmission "
				 "(1 s: over lo the first error reaches the socket "
				 "while connect() holds it, a soft error)");
		return icmp_outcome(ans);
	}
	snprintf(why, len, "the %s is rejected by %s, which answers %s",
		 rec->name, d1, reply_words(ans));
	if (ans->kind == IPTS_PKT_RST)
		return IPTS_REFUSED;
	return icmp_outcome(ans);
}

/* Whether the server's end of @rec (delivered) listens: a socket here,
 * or the other host it left for, which answers like a listening host. */
/* --- neighbour discovery (ndp.c) ----------------------------------------- */

/*
 * An NS or NA @p: this host's, sent out of @out (ndisc_send_skb(): no
 * routing decision, OUTPUT then POSTROUTING on the device), or another
 * host's arriving on @in for this host (PREROUTING, then INPUT: to its
 * solicited-node group or to one of its addresses). Untracked from the
 * start, so nat never sees it. A REJECT of it is recorded as rejected;
 * the ICMPv6 error it asks for is not walked (none is sent for an NS to
 * a multicast group, icmp6_send(); an NA's reaches no waiting socket).
 */
static enum ipts_verdict walk_nd(struct ipts_sim *s, struct ipts_packet *rec,
				 struct ipts_pkt *p, const char *in,
				 const char *out)
{
	unsigned int hook = NF_INET_LOCAL_OUT;
	int v;

	s->cur = rec;
	s->attached = true; /* the untracked mark */
	s->nfct_stub = false;
	memset(&s->reply, 0, sizeof(s->reply));
	rec_start(s, rec, p);
	if (*out) {
		v = run_seg(s, rec, p, IPTS_SEG_OUT, "", out, &hook);
		if (v == NF_ACCEPT)
			v = run_seg(s, rec, p, IPTS_SEG_OUT_LATE, "", out,
				    &hook);
		if (v == NF_ACCEPT)
			v = run_seg(s, rec, p, IPTS_SEG_POST, "", out, &hook);
	} else {
		v = run_seg(s, rec, p, IPTS_SEG_PRE, in, "", &hook);
		if (v == NF_ACCEPT)
			v = run_seg(s, rec, p, IPTS_SEG_IN, in, "", &hook);
	}
	if (v == NF_ACCEPT) {
		rec->verdict = IPTS_V_DELIVERED;
		rec->left_host = *out != '\0';
	} else {
		rec->decided = rec->ntrace ? (long)rec->ntrace - 1 : -1;
		rec->out_side = ipts_hook_is_output_side(hook);
		rec->verdict = v == SEG_UNMODELLED ? IPTS_V_UNDETERMINED :
			       s->reply.pending	   ? IPTS_V_REJECTED :
						     IPTS_V_DROPPED;
	}
	memset(&s->reply, 0, sizeof(s->reply));
	rec_finish(s, rec, p);
	return rec->verdict;
}

/* Why neighbour discovery failed at @rec (an NS or NA that did not get
 * through), as the answer's words. */
static void nd_failed(struct ipts_sim *s, const struct ipts_packet *rec,
		      const struct ipts_packet *held, bool peer, int *dpkt,
		      long *didx, char *why, size_t len)
{
	const char *kind =
		rec->kind == IPTS_PKT_NS ? "solicitation" : "advertisement";
	const char *verdict =
		rec->verdict == IPTS_V_REJECTED ? "rejected" : "dropped";
	const char *what = s->q->proto == IPPROTO_UDP ? "datagram" : "SYN";
	bool local = held != NULL;
	const char *who = "the client's host";
	char d[512], hop[48];
	size_t n;

	if (held && held->kind == IPTS_PKT_SYNACK)
		what = "SYN-ACK";
	if (held && held->kind == IPTS_PKT_REPLY)
		what = "reply";
	if (peer)
		who = "the server's side";
	else if (local)
		who = "this host";
	else if (!IN6_IS_ADDR_UNSPECIFIED(&s->nd_router))
		who = "the client's router";
	decided(s, rec, dpkt, didx);
	describe(d, sizeof(d), rec);
	ipts_host6_fmt(hop, sizeof(hop),
		       rec->kind == IPTS_PKT_NS ? &s->nd_target :
						  &rec->saddr.in6,
		       -1);

	n = (size_t)snprintf(why, len,
			     "the %s of neighbour discovery for %s is %s by %s "
			     "(neighbour solicitations and advertisements are "
			     "untracked: --ctstate ESTABLISHED,RELATED does "
			     "not accept them): ",
			     kind, hop, verdict, d);
	if (n >= len)
		return;
	if (s->q->proto == IPPROTO_UDP && !(local && s->q->in))
		/* measured: send() succeeds, the datagram waits in the
		 * neighbour's queue and is dropped with it; the ICMPv6
		 * address unreachable is no hard error for UDP
		 * (icmpv6_err_convert()), so no call reports it */
		snprintf(why + n, len - n,
			 "%s gives up after 3 solicitations 1 s apart and "
			 "drops the %s it held; send() succeeded and no error "
			 "reaches the socket: the client gets no reply",
			 who, peer ? "reply" : what);
	else if (peer)
		/* the server's side: nd_peer_resolve() */
		snprintf(why + n, len - n,
			 "the server's side gives up after 3 solicitations 1 s "
			 "apart and drops the answer it held for this host, "
			 "as it does the answer to each SYN the client sends "
			 "again: the client times out");
	else if (local && s->q->in)
		/* a router: nd_fwd_error() says what the client gets */
		snprintf(why + n, len - n,
			 "this host gives up after 3 solicitations 1 s apart "
			 "and drops the %s it held for the next hop", what);
	else if (!local && !IN6_IS_ADDR_UNSPECIFIED(&s->nd_router))
		snprintf(why + n, len - n,
			 "the client's router gives up after 3 solicitations "
			 "1 s apart and answers the %s it held ICMPv6 address "
			 "unreachable: the client's connect() gets "
			 "EHOSTUNREACH after about 3 s",
			 what);
	else
		snprintf(why + n, len - n,
			 "%s gives up after 3 solicitations 1 s apart, and "
			 "the %s gets EHOSTUNREACH after about 3 s; the %s "
			 "waiting for it is never sent",
			 local ? "this host" : "the client's host",
			 local ? "local connect()" : "client's connect()",
			 what);
}

/*
 * A router's neighbour discovery for the next hop of @first (forwarded,
 * held in the neighbour's queue) failed: ip6_link_failure() answers it
 * ICMPv6 address unreachable from this host toward the client, walking
 * OUTPUT and POSTROUTING (measured: an OUTPUT rule dropping ICMPv6 type
 * 1 makes the client time out). 0, with *@res: the client's answer.
 */
static int nd_fwd_error(struct ipts_sim *s, struct ipts_packet *first,
			const struct ipts_pkt *fp, enum ipts_outcome *res,
			char *why, size_t len, int *dpkt, long *didx)
{
	struct ipts_packet *ans;
	char d[512];
	size_t n;

	ans = send_route_error(s, fp, first, ICMP_DEST_UNREACH,
			       ICMPV6_ADDR_UNREACH);
	if (s->unmodelled_why)
		return -1;
	first->answer = ans ? (int)(ans - s->pkts) : -1;
	n = strlen(why);
	if (s->q->proto == IPPROTO_UDP) {
		*res = IPTS_DROPPED;
		snprintf(why + n, len - n,
			 ", answering it ICMPv6 address unreachable toward "
			 "the client, no hard error for UDP (icmpv6_err_"
			 "convert()): the client's send() succeeded and it "
			 "gets no reply");
		return 0;
	}
	if (ans && reached_client(s, ans)) {
		snprintf(why + n, len - n,
			 ", answering it ICMPv6 address unreachable toward "
			 "the client (3 s after the first SYN held, one for each "
			 "SYN held): the client's connect() gets EHOSTUNREACH");
		return 0;
	}
	*res = IPTS_TIMEOUT;
	if (!ans || ans->verdict == IPTS_V_DELIVERED) {
		snprintf(why + n, len - n,
			 "; its ICMPv6 address unreachable does not reach "
			 "the client, whose SYNs are held and dropped the same "
			 "way: it times out");
		return 0;
	}
	decided(s, ans, dpkt, didx);
	describe(d, sizeof(d), ans);
	snprintf(why + n, len - n,
		 "; its ICMPv6 address unreachable for it is %s by %s, "
		 "and the client's SYNs, held and dropped the same way, get "
		 "no answer: it times out",
		 ans->verdict == IPTS_V_REJECTED ? "rejected" : "dropped", d);
	return 0;
}

/*
 * This host's solicitation for the next hop of its SYN-ACK to a remote
 * client failed: the SYN-ACK is held and dropped (measured: the client
 * sees nothing, no ICMPv6 error reaches it), and so is the SYN-ACK
 * answering each SYN the client sends again, while the rules stay the
 * same. Stateful matches met on the way (@counted0: s->counted before)
 * may let a later NS or NA through: undetermined.
 */
static int nd_reply_failed(struct ipts_sim *s, uint64_t counted0,
			   enum ipts_outcome *res, char *why, size_t len)
{
	size_t n = strlen(why);

	if (s->counted != counted0) {
		*res = IPTS_UNDETERMINED;
		snprintf(why + n, len - n,
			 "; the solicitations after the first (1 s apart, "
			 "and again for the SYN-ACK of each resent SYN) are "
			 "not walked, and a stateful match met on the way "
			 "may let one through");
		return 0;
	}
	if (s->q->proto == IPPROTO_UDP) {
		*res = IPTS_DROPPED;
		snprintf(why + n, len - n,
			 "; the server's send() succeeded, and the client gets "
			 "no reply");
		return 0;
	}
	*res = IPTS_TIMEOUT;
	snprintf(why + n, len - n,
		 "; the client sends the SYN again and the SYN-ACK answering "
		 "it is held and dropped the same way: it times out");
	return 0;
}

/*
 * Neighbour discovery before @first (the connection's first packet, or
 * NULL: before the client's first packet from the network): the host
 * whose packet needs the other's link address solicits it, the other
 * answers. A client on the link of --in solicits the host's address it
 * connects to; this host solicits the next hop of its own packet that
 * left by a device. 1: resolved (or not simulated: another case), 0:
 * it failed (*@res, @why), -1: undetermined (s->unmodelled_why).
 */
static int nd_resolve(struct ipts_sim *s, struct ipts_packet *first,
		      const struct ipts_pkt *fp, enum ipts_outcome *res,
		      char *why, size_t len, int *dpkt, long *didx)
{
	static const struct sock kernel = { false, false, 0, 0, 0 };
	const struct ipts_query *q = s->q;
	struct ipts_packet *ns, *na;
	union nf_inet_addr src, group, target;
	const char *dev;
	struct ipts_pkt p;
	bool fwd, host_side;
	uint64_t counted0;

	if (q->family != NFPROTO_IPV6 || !s->host.desc || q->no_ndp)
		return 1;
	memset(&src, 0, sizeof(src));
	memset(&target, 0, sizeof(target));
	if (!first) {
		/* the client's NS: from its address on the link, for the
		 * host's address, else its gateway (ndp.c) */
		dev = q->in;
		if (!dev ||
		    !ipts_ndp_client_ns(s, dev, &q->src.in6, &q->dst.in6,
					&src.in6, &target.in6, &s->nd_router))
			return 1;
	} else {
		dev = fp->out;
		if (!first->left_host || !dev || !*dev ||
		    !ipts_ndp_next_hop(s, dev, &fp->daddr.in6, &target.in6) ||
		    !ipts_ndp_source(s, dev, &fp->saddr.in6, &target.in6,
				     &src.in6))
			return 1;
		/* the neighbour whose NS this host took has a STALE entry:
		 * the packet goes at once (its probe comes 5 s later); a
		 * reply solicits only after the client's NS was walked */
		if (first->kind != IPTS_PKT_SYN &&
		    first->kind != IPTS_PKT_DATA &&
		    (!s->nd_learned_set || strcmp(dev, q->in) != 0))
			return 1;
		if (s->nd_learned_set && q->in && strcmp(dev, q->in) == 0 &&
		    ipts_addr_eq(&target,
				 &(union nf_inet_addr){ .in6 = s->nd_learned }))
			return 1;
	}
	s->nd_target = target.in6;
	if (!first)
		ipts_ndp_note_router(s, dev, &s->nd_router, &src.in6);
	ipts_ndp_solicited_node(&target.in6, &group.in6);
	/* the side that waits; a router's or a server's NS is this
	 * host's, the NA the next hop's (another host) */
	host_side = first && q->in;
	fwd = host_side &&
	      (first->kind == IPTS_PKT_SYN || first->kind == IPTS_PKT_DATA);
	counted0 = s->counted;
	ns = rec_new(s, IPTS_PKT_NS, !host_side);
	pkt_init(&p, NFPROTO_IPV6, IPPROTO_ICMPV6, &src, &group, 0, 0, &kernel);
	ipts_ndp_shape(&p, IPTS_NDP_NS);
	walk_nd(s, ns, &p, first ? "" : dev, first ? dev : "");
	if (s->unmodelled_why)
		return -1;
	if (ns->verdict == IPTS_V_DELIVERED && !first) {
		/* ndisc_recv_ns(): the sender's entry, STALE */
		s->nd_learned = src.in6;
		s->nd_learned_set = true;
	}
	if (ns->verdict == IPTS_V_DELIVERED) {
		/* the NA: from the target to the NS's source */
		na = rec_new(s, IPTS_PKT_NA, host_side);
		pkt_init(&p, NFPROTO_IPV6, IPPROTO_ICMPV6, &target, &src, 0, 0,
			 &kernel);
		ipts_ndp_shape(&p, IPTS_NDP_NA);
		walk_nd(s, na, &p, first ? dev : "", first ? "" : dev);
		if (s->unmodelled_why)
			return -1;
		if (na->verdict == IPTS_V_DELIVERED) {
			if (fwd) {
				/* what the next hop learned of this host */
				s->nd_fwd_src = src.in6;
				s->nd_fwd_set = true;
			}
			return 1;
		}
		ns = na;
	}
	nd_failed(s, ns, first, false, dpkt, didx, why, len);
	*res = IPTS_HOSTUNREACH;
	if (first) {
		/* held in the neighbour's queue, dropped when it fails */
		first->left_host = false;
		first->verdict = IPTS_V_DROPPED;
		snprintf(first->routed, sizeof(first->routed),
			 "held until neighbour discovery resolves the next "
			 "hop, and dropped when it fails");
		if (fwd)
			return nd_fwd_error(s, first, fp, res, why, len, dpkt,
					    didx);
		if (host_side)
			return nd_reply_failed(s, counted0, res, why, len);
	} else {
		s->path = IPTS_PATH_NONE;
		snprintf(s->path_stop, sizeof(s->path_stop),
			 "neighbour discovery for the host's address fails: "
			 "the client never sends it");
	}
	return 0;
}

/*
 * The other host's side of a forwarded SYN (its next hop on @dev, which
 * this host solicited) answers through this host: before it does, that
 * neighbour solicits this host's address its route back names (the first
 * of @dev, oracle_net.py's peers), from its link-local when it is a
 * router (the host's route to the server names it: ipts_ndp_client_ns()),
 * else from the server's own address; unless that is the address this
 * host solicited it from (its entry is STALE). Its NS through PREROUTING
 * and INPUT, this host's NA through OUTPUT and POSTROUTING (measured:
 * v6_ndp_fwd_accept's NS#3 and NA#3). 1: resolved or not simulated, 0:
 * failed (*@res, @why), -1: undetermined.
 */
static int nd_peer_resolve(struct ipts_sim *s, const struct ipts_pkt *fp,
			   const char *dev, enum ipts_outcome *res, char *why,
			   size_t len, int *dpkt, long *didx)
{
	static const struct sock kernel = { false, false, 0, 0, 0 };
	struct ipts_packet *ns, *na;
	union nf_inet_addr src, group, target;
	struct in6_addr router;
	struct ipts_pkt p;
	uint64_t counted0 = s->counted;

	if (!s->nd_fwd_set || !dev)
		return 1;
	memset(&src, 0, sizeof(src));
	memset(&target, 0, sizeof(target));
	if (!ipts_ndp_client_ns(s, dev, &fp->daddr.in6, &fp->saddr.in6,
				&src.in6, &target.in6, &router) ||
	    ipts_addr_eq(&target,
			 &(union nf_inet_addr){ .in6 = s->nd_fwd_src }))
		return 1;
	s->nd_target = target.in6;
	ipts_ndp_note_router(s, dev, &router, &src.in6);
	ipts_ndp_solicited_node(&target.in6, &group.in6);
	ns = rec_new(s, IPTS_PKT_NS, true);
	pkt_init(&p, NFPROTO_IPV6, IPPROTO_ICMPV6, &src, &group, 0, 0, &kernel);
	ipts_ndp_shape(&p, IPTS_NDP_NS);
	walk_nd(s, ns, &p, dev, "");
	if (s->unmodelled_why)
		return -1;
	if (ns->verdict == IPTS_V_DELIVERED) {
		na = rec_new(s, IPTS_PKT_NA, false);
		pkt_init(&p, NFPROTO_IPV6, IPPROTO_ICMPV6, &target, &src, 0, 0,
			 &kernel);
		ipts_ndp_shape(&p, IPTS_NDP_NA);
		walk_nd(s, na, &p, "", dev);
		if (s->unmodelled_why)
			return -1;
		if (na->verdict == IPTS_V_DELIVERED)
			return 1;
		ns = na;
	}
	nd_failed(s, ns, NULL, true, dpkt, didx, why, len);
	if (s->counted != counted0) {
		size_t n = strlen(why);

		*res = IPTS_UNDETERMINED;
		snprintf(why + n, len - n,
			 "; unless a stateful match met on the way lets a "
			 "later solicitation through (those are not walked)");
		return 0;
	}
	*res = IPTS_TIMEOUT;
	return 0;
}

static bool server_listens(const struct ipts_sim *s,
			   const struct ipts_packet *rec,
			   const struct ipts_pkt *p)
{
	/* another host answers like a listener, unless --no-listener
	 * (and no --listen names it) */
	if (!rec->left_host)
		return listening(s, &p->daddr, p->dport, rec->in);
	return !s->q->no_listener || listen_named(s->q, &p->daddr, p->dport);
}

/* --- TCP --------------------------------------------------------------- */

/* @syn, sent by a local client over lo, was rejected with an ICMPv6
 * error that reached the client: a soft error (see tcp_run()). */
static bool soft_first_error(const struct ipts_sim *s,
			     const struct ipts_packet *syn)
{
	const struct ipts_packet *ans;

	/* and for a client on another host whose SYN the host answers
	 * with an ICMPv6 error (REJECT, or no route): seen, connect()
	 * fails 1 s later there too */
	if (s->q->family != NFPROTO_IPV6 ||
	    (syn->verdict != IPTS_V_REJECTED &&
	     syn->verdict != IPTS_V_DROPPED) ||
	    syn->answer < 0)
		return false;
	ans = &s->pkts[syn->answer];
	return ans->kind == IPTS_PKT_ICMP && ans->family == NFPROTO_IPV6 &&
	       reached_client(s, ans);
}

/*
 * The client's retransmission timer: when it sends the SYN again, in ms
 * after the first one. tcp_write_timeout() gives a SYN_SENT socket
 * tcp_syn_retries + tcp_syn_linear_timeouts resends (6 + 4 by default),
 * and tcp_retransmit_timer() keeps the 1 s RTO while total_rto is at most
 * tcp_syn_linear_timeouts, then doubles it. Measured on kernel 6.18 with
 * those defaults: 1.05, 2.06, 3.09, 4.11, 5.14, 7.15, 11.32, 19.51,
 * 35.64 s (and connect() fails ETIMEDOUT at about 130 s).
 */
static const unsigned int syn_resend_ms[] = {
	1000, 2000, 3000, 4000, 5000, 7000, 11000, 19000, 35000, 67000
};
#define SYN_RESENDS (sizeof(syn_resend_ms) / sizeof(syn_resend_ms[0]))

/*
 * Whether the next resend of a SYN that got no answer may meet other
 * rules: some match on the way counted, or read state a packet changed
 * (s->impure moved since the connection began). Otherwise the resend is
 * the same packet meeting the same rules, and gets the same answer.
 */
static bool resend_may_differ(const struct ipts_sim *s, uint64_t impure0,
			      unsigned int tries)
{
	return tries < SYN_RESENDS && s->counted != impure0;
}

/*
 * Room for one more resent packet and what may follow it: the SYN, the
 * server side's NS and NA, the SYN-ACK, this host's NS and NA, the ACK
 * and an answer. The schedule fits (11 SYNs, 21 SYN-ACKs and their
 * answers), so this is a guard: past it, a later packet could answer
 * otherwise, and the walk says so.
 */
static bool resend_room(struct ipts_sim *s)
{
	if (s->npkts + 8 <= IPTS_MAX_PACKETS)
		return true;
	ipts_sim_unmodelled(s, NULL,
			    "the packets sent again run past the simulator's "
			    "room for packets, and a later one may meet the "
			    "rules otherwise");
	return false;
}

/* The SYN sent again by the timer: the stateful matches keep what the
 * earlier packets left (nth counted, quota spent, recent lists), set
 * timeouts run for the time between. */
static struct ipts_packet *resend_syn(struct ipts_sim *s, struct ipts_pkt *p,
				      const struct sock *client,
				      unsigned int tries)
{
	const struct ipts_query *q = s->q;
	struct ipts_packet *syn;

	/* the time since the last packet walked (a SYN or the server's
	 * SYN-ACK), all on whole seconds */
	ipts_setstate_advance(s, (syn_resend_ms[tries] - s->now_ms) / 1000);
	syn = rec_new(s, IPTS_PKT_SYN, true);
	syn->resent = tries + 1;
	syn->resent_ms = syn_resend_ms[tries];
	s->now_ms = syn_resend_ms[tries];
	pkt_init(p, q->family, IPPROTO_TCP, &q->src, &q->dst, q->sport,
		 q->dport, client);
	tcp_shape(p, TH_SYN);
	walk(s, syn, p, WALK_FRESH, q->in);
	return syn;
}

/*
 * The server's request socket (tcp_conn_request(), reqsk_timer_handler()
 * in inet_connection_sock.c, tcp_check_req()). The SYN makes it and its
 * SYN-ACK, whose timer fires 1 s later; each firing resends the SYN-ACK,
 * then waits twice as long (1, 3, 7, 15, 31 s), and the firing after
 * tcp_synack_retries (5) resends drops the request. A resend that fails
 * to leave (dropped on the server's OUTPUT side: ip_local_out() returns
 * -EPERM) drops the request at once. The client's resent SYN reaching a
 * request is answered with the SYN-ACK again and, when that one left,
 * pushes the timer to its current wait from now (mod_timer_pending());
 * reaching none, it makes a new request. When both are due at once the
 * server's timer went first in every run on kernel 6.18 (the SYN-ACKs at
 * 1.01, 7.12, 11.19 s before the client's SYNs at 1.05, 7.15, 11.32 s).
 */
#define SYNACK_RETRIES 5 /* net.ipv4.tcp_synack_retries */
#define CLIENT_GIVES_UP_MS 130000 /* connect() fails ETIMEDOUT (measured) */

struct reqsk {
	bool alive;
	bool walk; /* a SYN-ACK's walk counted: walk the timer's */
	unsigned int nt; /* req->num_timeout */
	unsigned int expires; /* ms after the first SYN */
	unsigned int timer_sent; /* SYN-ACKs the timer resent */
	unsigned int answered; /* SYN-ACKs answering resent SYNs */
	bool out_fail; /* the last SYN-ACK failed to leave */
	bool rejected; /* a SYN-ACK was rejected, not dropped */
};

/* What a SYN-ACK sent at @now did to the request: @timer for a firing,
 * else the answer to a SYN. */
static void reqsk_sent(struct reqsk *rq, unsigned int now, bool timer,
		       bool out_fail)
{
	rq->out_fail = out_fail;
	if (timer) {
		if (out_fail) {
			rq->alive = false;
			return;
		}
		rq->nt++;
		rq->expires = now + (1000u << rq->nt);
		return;
	}
	if (!rq->alive) {
		rq->alive = true;
		rq->nt = 0;
		rq->expires = now + 1000;
	} else if (!out_fail) {
		rq->expires = now + (1000u << rq->nt);
	}
}

/* The SYN-ACK of @p's connection (@p the SYN as the server saw it) sent
 * at s->now_ms: its record, walked. */
static struct ipts_packet *send_synack(struct ipts_sim *s,
				       const struct ipts_pkt *p,
				       struct ipts_pkt *r,
				       const char *server_dev)
{
	static const struct sock remote = { false, false, 0, 0, 0 };
	const struct sock server = { true, true, s->q->server_uid,
				     s->q->server_gid, IPTS_SIDE_SERVER };
	struct ipts_packet *sa = rec_new(s, IPTS_PKT_SYNACK, false);

	pkt_init(r, s->q->family, IPPROTO_TCP, &p->daddr, &p->saddr, p->dport,
		 p->sport, server_dev ? &remote : &server);
	r->port_rand = swapped(p->port_rand);
	tcp_shape(r, TH_SYN | TH_ACK);
	walk(s, sa, r, WALK_FRESH, server_dev);
	return sa;
}

/*
 * Whether the answer @ans to a SYN-ACK, delivered back to the server,
 * drops the request: a RST (its sequence is the SYN-ACK's ack, in the
 * request's window: tcp_check_req() resets it), or an ICMP error
 * tcp_req_err() aborts on: IPv4 net- or host-unreachable or time exceeded
 * (tcp_v4_err(), which also names parameter problem, never sent here),
 * IPv6 the fatal ones of icmpv6_err_convert() (adm-prohibited,
 * port-unreachable, policy-fail, reject-route; its time exceeded is not
 * fatal, tcp_v6_err() passes that on). Seen on 6.18: port-unreachable (v4)
 * and addr-unreachable (v6) keep the request, its timer resends at +1 s;
 * tcp-reset, host-unreachable and v6 port-unreachable drop it, the next
 * SYN makes a new one (kernel facts synretx_srv_reject_*).
 */
bool ipts_reqsk_err_fatal(const struct ipts_packet *ans)
{
	if (ans->kind == IPTS_PKT_RST)
		return true;
	if (ans->family == NFPROTO_IPV6)
		return icmp_fatal(ans);
	if (time_exceeded(ans))
		return true;
	return ans->icmp_code == ICMP_NET_UNREACH ||
	       ans->icmp_code == ICMP_HOST_UNREACH;
}

/*
 * Whether the answer a REJECT sent for the server's SYN-ACK @sa dropped
 * the request: delivered to the server's host (this one, or for a server
 * on another host out of @server_dev, its network) and fatal to it. A
 * server on another host is taken to be a Linux host with its defaults,
 * as the one of tests/kernel/oracle_net.py's peer: seen there, a RST or
 * an ICMP host- or net-unreachable drops the request and the client's
 * next SYN makes a new one; port-unreachable or admin-prohibited keep it,
 * its timer resends at +1 s (net cases synretx_*_reject_*). An answer
 * that leaves for another network may reach that server or not: the
 * walk says it does not simulate that (s->unmodelled_why).
 */
static bool synack_answer_drops_request(struct ipts_sim *s,
					const struct ipts_packet *sa,
					const char *server_dev)
{
	const struct ipts_packet *ans;

	if (sa->verdict != IPTS_V_REJECTED || sa->answer < 0)
		return false;
	ans = &s->pkts[sa->answer];
	if (ans->verdict != IPTS_V_DELIVERED)
		return false;
	if (!server_dev)
		return !ans->left_host && ipts_reqsk_err_fatal(ans);
	if (!ans->left_host || strcmp(ans->out, server_dev) != 0) {
		ipts_sim_unmodelled(s, NULL,
				    "the answer to a SYN-ACK rejected on its "
				    "way from the server on another host does "
				    "not go back out by the interface the "
				    "SYN-ACK came in on: whether it reaches "
				    "the server is not simulated");
		return false;
	}
	return ipts_reqsk_err_fatal(ans);
}

enum srv_end {
	SRV_THROUGH, /* a SYN-ACK got through: *sa, @r */
	SRV_ANSWERED, /* a resent SYN was answered: the outcome in *res */
	SRV_TIMEOUT, /* nothing got through before the client gave up */
	SRV_STOP, /* undetermined: s->unmodelled_why */
};

/*
 * After a SYN-ACK dropped on its way: both ends' timers, in time order.
 * The client's resent SYNs (syn_resend_ms[]) and the server's request
 * timer, each packet walked with what the earlier ones left. The timer's
 * SYN-ACKs are walked once a SYN-ACK's walk counted something; before,
 * each is the same drop as the one before it (only the request's life is
 * followed). Ends when a SYN-ACK gets through, a resent SYN is answered,
 * or nothing is left to send before the client gives up.
 */
static enum srv_end srv_resends(struct ipts_sim *s, struct reqsk *rq,
				struct ipts_pkt *p, struct ipts_pkt *r,
				const struct sock *client,
				const char *server_dev, unsigned int *tries,
				uint64_t impure0, struct ipts_packet **syn,
				struct ipts_packet **sa, enum ipts_outcome *res,
				char *why, size_t len, int *dpkt, long *didx)
{
	struct ipts_pkt seen = *p; /* the SYN the server last got */

	for (;;) {
		unsigned int next = *tries < SYN_RESENDS ?
					    syn_resend_ms[*tries] :
					    CLIENT_GIVES_UP_MS;
		bool syn_due = *tries < SYN_RESENDS &&
			       resend_may_differ(s, impure0, *tries);
		uint64_t before;
		struct ipts_packet *rec;

		if (rq->alive && rq->expires <= next &&
		    rq->expires < CLIENT_GIVES_UP_MS && (syn_due || rq->walk)) {
			unsigned int now = rq->expires;

			if (rq->nt >= SYNACK_RETRIES) {
				rq->alive = false;
				continue;
			}
			if (!rq->walk) {
				reqsk_sent(rq, now, true, rq->out_fail);
				continue;
			}
			if (!resend_room(s))
				return SRV_STOP;
			ipts_setstate_advance(s, (now - s->now_ms) / 1000);
			s->now_ms = now;
			before = s->counted;
			rec = send_synack(s, &seen, r, server_dev);
			rec->resent = ++rq->timer_sent;
			rec->resent_ms = now;
			if (s->unmodelled_why)
				return SRV_STOP;
		} else if (syn_due) {
			if (!resend_room(s))
				return SRV_STOP;
			*syn = resend_syn(s, p, client, (*tries)++);
			if (s->unmodelled_why)
				return SRV_STOP;
			if ((*syn)->verdict == IPTS_V_DROPPED &&
			    (*syn)->answer < 0)
				continue;
			if ((*syn)->verdict != IPTS_V_DELIVERED) {
				*res = client_rejected(s, *syn, false, why, len,
						       dpkt, didx);
				return SRV_ANSWERED;
			}
			seen = *p;
			before = s->counted;
			rec = send_synack(s, &seen, r, server_dev);
			rq->answered++;
			if (s->unmodelled_why)
				return SRV_STOP;
		} else {
			return SRV_TIMEOUT;
		}
		if (s->counted != before)
			rq->walk = true;
		*sa = rec;
		if (rec->verdict == IPTS_V_DELIVERED) {
			*p = seen;
			return SRV_THROUGH;
		}
		if (rec->verdict == IPTS_V_REJECTED) {
			/* rejected on this host: the REJECT's NF_DROP
			 * fails a local server's send in OUTPUT as a drop
			 * does (a server on another host sent it), and its
			 * answer to the server may drop the request */
			reqsk_sent(rq, s->now_ms, rec->resent != 0,
				   rec->out_side && !server_dev);
			if (synack_answer_drops_request(s, rec, server_dev))
				rq->alive = false;
			if (s->unmodelled_why)
				return SRV_STOP;
			rq->rejected = true;
			continue;
		}
		if (rec->verdict != IPTS_V_DROPPED || rec->answer >= 0) {
			ipts_sim_unmodelled(s, NULL,
					    "a SYN-ACK sent again is rejected "
					    "or never sent: what the server "
					    "does next is not simulated");
			return SRV_STOP;
		}
		reqsk_sent(rq, s->now_ms, rec->resent != 0,
			   rec->out_side && !server_dev);
	}
}

/* The client's ACK to the SYN-ACK @r as it arrived, walked. */
static struct ipts_packet *send_ack(struct ipts_sim *s,
				    const struct ipts_pkt *r,
				    struct ipts_pkt *p,
				    const struct sock *client)
{
	struct ipts_packet *ack = rec_new(s, IPTS_PKT_ACK, true);

	pkt_init(p, s->q->family, IPPROTO_TCP, &r->daddr, &r->saddr, r->dport,
		 r->sport, client);
	p->port_rand = swapped(r->port_rand);
	tcp_shape(p, TH_ACK);
	walk(s, ack, p, WALK_FRESH, s->q->in);
	return ack;
}

/*
 * The client's ACK dropped after connect() returned: the request socket
 * still waits for it, and its timer sends the SYN-ACK again (1, 3, 7, 15,
 * 31 s after it last did); the established client answers each with the
 * ACK again (tcp_validate_incoming(): a SYN is answered with an ACK).
 * Measured on 6.18: with nth passing every 3rd ACK the server accepts at
 * 3.02 s. Each packet is walked with what the earlier ones left. A
 * resend rejected is what it is in the handshake (srv_resends()): on the
 * server's host the REJECT's NF_DROP fails the timer's send, and
 * reqsk_timer_handler() drops the request whatever the answer; on its
 * way from a server on another host, the answer sent back drops the
 * request when it is fatal to it, else the timer goes on. The client,
 * established, sees neither (measured on 6.18, kernel facts and net cases
 * ackdrop_synack_reject_*). Ends when an ACK gets through (*ack,
 * SRV_THROUGH) or the request expires or is dropped (SRV_TIMEOUT; *@ended
 * the rejected SYN-ACK that dropped it, else NULL).
 */
static enum srv_end
ack_resends(struct ipts_sim *s, struct reqsk *rq, const struct ipts_pkt *synp,
	    const struct sock *client, const char *server_dev,
	    struct ipts_packet **ack, const struct ipts_packet **ended)
{
	struct ipts_pkt r, p;

	*ended = NULL;
	for (;;) {
		struct ipts_packet *sa;
		unsigned int now = rq->expires;

		if (!rq->alive || rq->nt >= SYNACK_RETRIES)
			return SRV_TIMEOUT;
		if (!resend_room(s))
			return SRV_STOP;
		ipts_setstate_advance(s, (now - s->now_ms) / 1000);
		s->now_ms = now;
		sa = send_synack(s, synp, &r, server_dev);
		sa->resent = ++rq->timer_sent;
		sa->resent_ms = now;
		if (s->unmodelled_why)
			return SRV_STOP;
		if (sa->verdict == IPTS_V_DROPPED && sa->answer < 0) {
			reqsk_sent(rq, now, true, sa->out_side && !server_dev);
			continue;
		}
		if (sa->verdict == IPTS_V_REJECTED) {
			reqsk_sent(rq, now, true, sa->out_side && !server_dev);
			if (synack_answer_drops_request(s, sa, server_dev))
				rq->alive = false;
			if (s->unmodelled_why)
				return SRV_STOP;
			if (!rq->alive)
				*ended = sa;
			continue;
		}
		if (sa->verdict != IPTS_V_DELIVERED || !reached_client(s, sa)) {
			ipts_sim_unmodelled(s, NULL,
					    "a SYN-ACK sent again is never "
					    "sent or goes elsewhere: what "
					    "follows is not simulated");
			return SRV_STOP;
		}
		reqsk_sent(rq, now, true, false);
		*ack = send_ack(s, &r, &p, client);
		if (s->unmodelled_why)
			return SRV_STOP;
		if ((*ack)->verdict == IPTS_V_DROPPED && (*ack)->answer < 0)
			continue;
		if ((*ack)->verdict == IPTS_V_DELIVERED &&
		    (*ack)->left_host == (server_dev != NULL))
			return SRV_THROUGH;
		ipts_sim_unmodelled(s, NULL,
				    "an ACK sent again is rejected or goes "
				    "elsewhere: what follows is not "
				    "simulated");
		return SRV_STOP;
	}
}

/*
 * The server's timer SYN-ACK @sa got through at the moment the client's
 * own resend was due: both timers fire in the same jiffy, so that SYN
 * leaves too (seen in 6 runs of 6 over lo), and reaches the request
 * while the ACK is queued behind it; the request answers it with one more
 * SYN-ACK (tcp_check_req()), which the established client answers with
 * one more ACK. Walked for what they count; connect() has returned and
 * the ACK before them reaches the server first, so the outcome stays.
 * The same with either end on another host, or both (a forwarded
 * connection): measured with the other ends in namespaces of one machine
 * (one clock), 3 SYN-ACKs, 2 SYNs and 2 ACKs every time (net cases
 * synretx_*_cross). Across a real network the client's SYN leaves before
 * the timer's SYN-ACK can reach it, and reaches the server about when its
 * timer fires: before it, only one SYN-ACK answers both (README).
 */
static void crossing_syn(struct ipts_sim *s, const struct ipts_packet *sa,
			 const struct sock *client, const char *server_dev,
			 unsigned int tries, uint64_t impure0)
{
	struct ipts_pkt p, r, a;
	struct ipts_packet *syn, *sa2;

	if (!sa->resent || tries >= SYN_RESENDS ||
	    syn_resend_ms[tries] != sa->resent_ms ||
	    !resend_may_differ(s, impure0, tries) || !resend_room(s))
		return;
	syn = resend_syn(s, &p, client, tries);
	if (s->unmodelled_why || syn->verdict != IPTS_V_DELIVERED ||
	    syn->left_host != (server_dev != NULL))
		return;
	sa2 = send_synack(s, &p, &r, server_dev);
	if (s->unmodelled_why || !reached_client(s, sa2))
		return;
	send_ack(s, &r, &a, client);
}

/* "the SYN's resend 3 (+3.0 s)" before what became of it */
static void resend_prefix(char *why, size_t len, const struct ipts_packet *syn,
			  const char *first)
{
	char rest[1024];

	if (!syn->resent)
		return;
	snprintf(rest, sizeof(rest), "%s", why);
	snprintf(why, len,
		 "%s; the client's timer sends the SYN again, and its resend "
		 "%u (+%u.%u s) meets the rules with what the earlier packets "
		 "left: %s",
		 first, syn->resent, syn->resent_ms / 1000,
		 syn->resent_ms % 1000 / 100, rest);
}

static enum ipts_outcome tcp_run(struct ipts_sim *s, char *why, size_t len,
				 int *dpkt, long *didx)
{
	const struct ipts_query *q = s->q;
	const struct sock client = { !q->in, !q->in, q->uid, q->gid,
				     q->in ? 0 : IPTS_SIDE_CLIENT };
	const struct sock server = { true, true, q->server_uid, q->server_gid,
				     IPTS_SIDE_SERVER };
	static const struct sock remote = { false, false, 0, 0, 0 };
	struct ipts_packet *syn, *sa, *ack, *ans;
	const char *server_dev; /* the server's network, or NULL */
	enum ipts_outcome res;
	int nd;
	struct ipts_pkt p, r, synp;
	struct ipts_packet *syn0;
	char d[512], a[IPTS_ENDPOINT_LEN], w[256];
	char first[1100] = "";
	unsigned int tries = 0;
	uint64_t impure0 = s->counted, impure_sa;
	struct reqsk rq = { 0 };
	bool srv_used = false;

	if (q->in) {
		nd = nd_resolve(s, NULL, NULL, &res, why, len, dpkt, didx);
		if (nd < 0)
			return IPTS_UNDETERMINED;
		if (nd == 0)
			return res;
	}
	syn = rec_new(s, IPTS_PKT_SYN, true);
	pkt_init(&p, s->q->family, IPPROTO_TCP, &q->src, &q->dst, q->sport,
		 q->dport, &client);
	tcp_shape(&p, TH_SYN);
	walk(s, syn, &p, WALK_FRESH, q->in);
	if (s->unmodelled_why)
		return IPTS_UNDETERMINED;
	if (syn->verdict == IPTS_V_DELIVERED && (!q->in || syn->left_host)) {
		/* a local SYN, or a forwarded one: this host solicits */
		nd = nd_resolve(s, syn, &p, &res, why, len, dpkt, didx);
		if (nd < 0)
			return IPTS_UNDETERMINED;
		if (nd == 0)
			return res;
	}
	syn0 = syn;
	if (syn->verdict == IPTS_V_NOT_SENT)
		return not_sent(s, syn, false, why, len);
	if (soft_first_error(s, syn)) {
		/*
		 * Over lo an ICMPv6 error for the SYN reaches the socket
		 * while connect() holds it: tcp_v6_err() keeps it as a soft
		 * error, and the SYN is sent again 1 s later (from the timer:
		 * an error then is fatal). That SYN meets the rules again,
		 * and what the first one left (quota spent, nth counted, a
		 * recent list or a set changed) may let it through: seen in
		 * a namespace (diff_live seed 44790043 case 7: -m quota
		 * --quota 100 rejected the 80-byte SYN, not its second try).
		 */
		ipts_setstate_advance(s, 1); /* set timeouts run */
		s->now_ms = 1000;
		syn = rec_new(s, IPTS_PKT_SYN, true);
		syn->retransmission = true;
		pkt_init(&p, s->q->family, IPPROTO_TCP, &q->src, &q->dst,
			 q->sport, q->dport, &client);
		tcp_shape(&p, TH_SYN);
		walk(s, syn, &p, WALK_FRESH, q->in);
		if (s->unmodelled_why)
			return IPTS_UNDETERMINED;
		/* rejected again: its answer is the error connect() gets */
		if (syn->verdict == IPTS_V_REJECTED ||
		    (syn->verdict == IPTS_V_DROPPED && syn->answer >= 0))
			return client_rejected(s, syn, false, why, len, dpkt,
					       didx);
		if (syn->verdict != IPTS_V_DELIVERED) {
			decided(s, syn, dpkt, didx);
			describe(d, sizeof(d), syn);
			snprintf(why, len,
				 "the SYN is rejected with an ICMPv6 error "
				 "(a soft one over lo), and its retransmission "
				 "1 s later is %s by %s: connect() fails with "
				 "that first error's errno after its timeout "
				 "unless a later try gets through (not "
				 "simulated)",
				 syn->verdict == IPTS_V_DROPPED ? "dropped" :
								  "stopped",
				 d);
			return IPTS_UNDETERMINED;
		}
	}
walked:
	if (syn->verdict == IPTS_V_DROPPED && syn->answer < 0) {
		describe(d, sizeof(d), syn);
		if (!syn->retransmission &&
		    resend_may_differ(s, impure0, tries)) {
			if (!*first)
				snprintf(first, sizeof(first),
					 "the SYN is dropped by %s", d);
			if (!resend_room(s))
				return IPTS_UNDETERMINED;
			syn = resend_syn(s, &p, &client, tries++);
			if (s->unmodelled_why)
				return IPTS_UNDETERMINED;
			goto walked;
		}
		decided(s, syn, dpkt, didx);
		s->resends_walked = !syn->retransmission;
		if (syn->resent)
			snprintf(why, len,
				 "%s, and so are its %u resends "
				 "(the last at +%u.%u s)",
				 *first ? first : "the SYN is dropped",
				 syn->resent, syn->resent_ms / 1000,
				 syn->resent_ms % 1000 / 100);
		else
			snprintf(why, len, "the SYN is dropped by %s", d);
		return IPTS_TIMEOUT;
	}
	if (syn->verdict != IPTS_V_DELIVERED) {
		res = client_rejected(s, syn, false, why, len, dpkt, didx);
		resend_prefix(why, len, syn, first);
		return res;
	}
	if (syn != syn0 && (!q->in || syn->left_host)) {
		/* the first SYN never reached the neighbour layer: the one
		 * sent again makes this host solicit (seen: a forwarded SYN
		 * dropped once by nth, its resend held by the router's
		 * dropped NS: EHOSTUNREACH at 4.5 s) */
		nd = nd_resolve(s, syn, &p, &res, why, len, dpkt, didx);
		if (nd < 0)
			return IPTS_UNDETERMINED;
		if (nd == 0) {
			resend_prefix(why, len, syn, first);
			return res;
		}
	}
	server_dev = syn->left_host ? syn->out : NULL;
	if (server_dev && q->in) {
		/* the server's side solicits this host before it answers */
		nd = nd_peer_resolve(s, &p, server_dev, &res, why, len, dpkt,
				     didx);
		if (nd < 0)
			return IPTS_UNDETERMINED;
		if (nd == 0)
			return res;
	}

	ipts_fmt_inet(a, sizeof(a), p.family, &p.daddr, p.dport);
	if (!server_listens(s, syn, &p)) {
		impure_sa = s->counted;
		ans = send_kernel_answer(s, &p, false, &r, server_dev);
		if (s->unmodelled_why)
			return IPTS_UNDETERMINED;
		/*
		 * The RST resets the client only with the connection's own
		 * addresses: untracked (NOTRACK in raw OUTPUT), it keeps the
		 * translated ones, matches no socket and is dropped without
		 * an answer (tcp_v4_rcv() sends no reset for a reset); the
		 * client stays in SYN_SENT. Seen in a network namespace:
		 * NETMAP in nat OUTPUT, NOTRACK of the RST, a timeout.
		 */
		if (ans && reached_client(s, ans) &&
		    (!ipts_addr_eq(&r.daddr, &q->src) || r.dport != q->sport ||
		     !ipts_addr_eq(&r.saddr, &q->dst) || r.sport != q->dport)) {
			char from[IPTS_ENDPOINT_LEN];

			ipts_fmt_inet(from, sizeof(from), r.family, &r.saddr,
				      r.sport);
			snprintf(why, len,
				 "nothing listens on %s; the %s "
				 "RST comes back from %s, which the client "
				 "does not expect (NAT did not translate it "
				 "back): the client stays in SYN_SENT",
				 a, server_dev ? "server's" : "kernel's", from);
			return IPTS_TIMEOUT;
		}
		if (ans && reached_client(s, ans)) {
			snprintf(why, len,
				 "nothing listens on %s: the %s "
				 "answers RST",
				 a, server_dev ? "host there" : "kernel");
			return IPTS_REFUSED;
		}
		if (ans && ans->verdict == IPTS_V_DELIVERED) {
			elsewhere(w, sizeof(w), s, ans);
			snprintf(why, len,
				 "nothing listens on %s, and the "
				 "RST it answers %s",
				 a, w);
			return IPTS_TIMEOUT;
		}
		/* the RST dropped by a rule that counts nothing: each resent
		 * SYN's RST is dropped alike, the SYN may meet other rules */
		if (ans && ans->verdict == IPTS_V_DROPPED &&
		    !syn->retransmission && s->counted == impure_sa &&
		    resend_may_differ(s, impure0, tries)) {
			if (!*first) {
				describe(d, sizeof(d), ans);
				snprintf(first, sizeof(first),
					 "nothing listens on %s, and the RST "
					 "it answers is dropped by %s",
					 a, d);
			}
			if (!resend_room(s))
				return IPTS_UNDETERMINED;
			syn = resend_syn(s, &p, &client, tries++);
			if (s->unmodelled_why)
				return IPTS_UNDETERMINED;
			goto walked;
		}
		if (ans)
			decided(s, ans, dpkt, didx);
		describe(d, sizeof(d), ans ? ans : syn);
		snprintf(why, len,
			 "nothing listens on %s, and the RST the "
			 "%s sends back is %s by %s",
			 a, server_dev ? "host there" : "kernel",
			 ans && ans->verdict == IPTS_V_REJECTED ? "rejected" :
								  "dropped",
			 d);
		return IPTS_TIMEOUT;
	}

	/* The SYN-ACK from the listening socket, to where the SYN came from
	 * as the server saw it. */
	sa = rec_new(s, IPTS_PKT_SYNACK, false);
	pkt_init(&r, s->q->family, IPPROTO_TCP, &p.daddr, &p.saddr, p.dport,
		 p.sport, server_dev ? &remote : &server);
	r.port_rand = swapped(p.port_rand);
	tcp_shape(&r, TH_SYN | TH_ACK);
	impure_sa = s->counted;
	walk(s, sa, &r, WALK_FRESH, server_dev);
	if (s->unmodelled_why)
		return IPTS_UNDETERMINED;
	if (sa->verdict != IPTS_V_DELIVERED) {
		decided(s, sa, dpkt, didx);
		describe(d, sizeof(d), sa);
		bool rejected = sa->verdict == IPTS_V_REJECTED;

		if (rejected && (syn->retransmission ||
				 (s->counted == impure_sa &&
				  !resend_may_differ(s, impure0, tries)))) {
			if (s->unmodelled_why)
				return IPTS_UNDETERMINED;
			snprintf(why, len, "the SYN-ACK is rejected by %s: "
				 "the answer goes to the server, the client "
				 "is never answered", d);
		} else if (sa->verdict == IPTS_V_NOT_SENT) {
			snprintf(why, len,
				 "the server's SYN-ACK is never sent: %s",
				 sa->routed);
		} else if (!syn->retransmission &&
			   (s->counted != impure_sa ||
			    resend_may_differ(s, impure0, tries))) {
			/* the client's SYN resends and the server's request
			 * timer: srv_resends(). A first SYN-ACK that fails
			 * to leave leaves the request (tcp_conn_request()
			 * ignores send_synack()'s error); a REJECT's
			 * answer may drop it. */
			enum srv_end e;

			rq.alive = !synack_answer_drops_request(s, sa,
								server_dev);
			if (s->unmodelled_why)
				return IPTS_UNDETERMINED;
			rq.walk = s->counted != impure_sa;
			rq.expires = s->now_ms + 1000;
			rq.out_fail = sa->out_side && !server_dev;
			rq.rejected = rejected;
			srv_used = true;

			if (!*first)
				snprintf(first, sizeof(first),
					 "the SYN-ACK is %s by %s%s",
					 rejected ? "rejected" : "dropped", d,
					 rejected && !rq.alive ?
						 ", whose answer drops the "
						 "server's request" :
						 "");
			e = srv_resends(s, &rq, &p, &r, &client, server_dev,
					&tries, impure0, &syn, &sa, &res, why,
					len, dpkt, didx);
			if (e == SRV_STOP)
				return IPTS_UNDETERMINED;
			if (e == SRV_ANSWERED) {
				resend_prefix(why, len, syn, first);
				return res;
			}
			if (e == SRV_THROUGH)
				goto synack_through;
			decided(s, sa, dpkt, didx);
			s->resends_walked = true;
			if (rq.walk)
				snprintf(why, len,
					 "%s; the server's timer sends it again "
					 "%u times and it answers the client's "
					 "%u resent SYNs, every SYN-ACK %s "
					 "(the last at +%u.%u s)",
					 first, rq.timer_sent, rq.answered,
					 rq.rejected ? "dropped or rejected" :
						       "dropped",
					 s->now_ms / 1000,
					 s->now_ms % 1000 / 100);
			else
				snprintf(
					why, len,
					"%s, and so is every SYN-ACK answering "
					"its %u resends (the last at +%u.%u s)",
					first, syn->resent,
					syn->resent_ms / 1000,
					syn->resent_ms % 1000 / 100);
		} else {
			snprintf(why, len, "the SYN-ACK is dropped by %s", d);
		}
		return IPTS_TIMEOUT;
	}
synack_through:
	/* the request socket after the SYN-ACK that got through */
	if (!srv_used) {
		rq.alive = true;
		rq.expires = s->now_ms + 1000;
	} else {
		reqsk_sent(&rq, s->now_ms, sa->resent != 0, false);
	}
	if (q->in && sa->left_host) {
		/* this host solicits the SYN-ACK's next hop (ndp.c) */
		nd = nd_resolve(s, sa, &r, &res, why, len, dpkt, didx);
		if (nd < 0)
			return IPTS_UNDETERMINED;
		if (nd == 0)
			return res;
	}
	if (!reached_client(s, sa)) {
		/* delivered here, where no socket wants it: the stack
		 * answers RST (tcp_v4_send_reset()) */
		if (q->in && !sa->left_host) {
			send_kernel_answer(s, &r, true, NULL, NULL);
			if (s->unmodelled_why)
				return IPTS_UNDETERMINED;
		}
		elsewhere(w, sizeof(w), s, sa);
		snprintf(why, len, "the SYN-ACK %s", w);
		return IPTS_TIMEOUT;
	}

	/*
	 * The SYN-ACK reaches the client's socket only if it comes back
	 * with the connection's own four addresses and ports: an untracked
	 * reply is not NATed back. Otherwise no socket wants it (a listener
	 * neither): the stack answers RST (tcp_v4_send_reset()) and the
	 * client stays in SYN_SENT.
	 */
	if (!ipts_addr_eq(&r.daddr, &q->src) || r.dport != q->sport ||
	    !ipts_addr_eq(&r.saddr, &q->dst) || r.sport != q->dport) {
		char c[IPTS_ENDPOINT_LEN], from[IPTS_ENDPOINT_LEN];

		ipts_fmt_inet(a, sizeof(a), r.family, &r.daddr, r.dport);
		ipts_fmt_inet(from, sizeof(from), r.family, &r.saddr, r.sport);
		ipts_fmt_inet(c, sizeof(c), q->family, &q->dst, q->dport);
		if (!q->in) {
			ans = send_kernel_answer(s, &r, true, NULL, NULL);
			if (s->unmodelled_why)
				return IPTS_UNDETERMINED;
		}
		snprintf(why, len,
			 "the SYN-ACK arrives from %s at %s, which "
			 "no socket expects (the client connects to %s; NAT "
			 "did not translate this reply back): the %s answers "
			 "RST and the client stays in SYN_SENT",
			 from, a, c, q->in ? "client" : "kernel");
		return IPTS_TIMEOUT;
	}

	/* connect() has returned; the ACK only tells the server. */
	synp = p;
	ack = send_ack(s, &r, &p, &client);
	if (s->unmodelled_why)
		return IPTS_UNDETERMINED;
	if (ack->verdict == IPTS_V_DELIVERED &&
	    ack->left_host == (server_dev != NULL)) {
		snprintf(why, len,
			 "%s, the SYN-ACK and the ACK all get "
			 "through",
			 syn->retransmission ?
				 "the SYN is rejected with an ICMPv6 error (a "
				 "soft one over lo), its retransmission 1 s "
				 "later" :
				 "the SYN");
		if (sa->resent)
			snprintf(why, len,
				 "%s; the server's timer sends the SYN-ACK "
				 "again, and its resend %u (+%u.%u s) meets the "
				 "rules with what the earlier packets left: it "
				 "and the ACK get through",
				 first, sa->resent, sa->resent_ms / 1000,
				 sa->resent_ms % 1000 / 100);
		else
			resend_prefix(why, len, syn, first);
		if (srv_used) {
			crossing_syn(s, sa, &client, server_dev, tries,
				     impure0);
			if (s->unmodelled_why)
				return IPTS_UNDETERMINED;
		}
		return IPTS_CONNECTED;
	}
	if (ack->verdict == IPTS_V_DELIVERED) {
		snprintf(why, len,
			 "connect() succeeds on the SYN-ACK, but the "
			 "final ACK %s; the server never accepts",
			 ack->left_host ? "leaves the host" :
					  "stays on this host");
		return IPTS_CONNECTED;
	}
	describe(d, sizeof(d), ack);
	if (ack->verdict == IPTS_V_REJECTED) {
		ans = ack->answer >= 0 ? &s->pkts[ack->answer] : NULL;
		if (s->unmodelled_why)
			return IPTS_UNDETERMINED;
		if (ans && reached_client(s, ans)) {
			decided(s, ack, dpkt, didx);
			/* The answer is processed right after the SYN-ACK,
			 * before the connecting process runs. */
			if (ans->kind == IPTS_PKT_RST) {
				snprintf(why, len, "the final ACK is rejected "
					 "by %s, and its RST resets the "
					 "connection as it is made", d);
				return IPTS_RESET;
			}
			/* tcp_v4_err() on an established socket: a soft
			 * error, which SO_ERROR reports after a
			 * non-blocking connect() (a blocking one returns
			 * 0) */
			snprintf(why, len, "the final ACK is rejected by %s, "
				 "and its %s reaches the client's established "
				 "socket as a soft error: SO_ERROR reports it "
				 "after a non-blocking connect(), a blocking "
				 "connect() returns 0", d, reply_words(ans));
			return icmp_outcome(ans);
		}
		snprintf(why, len, "connect() succeeds on the SYN-ACK, but the "
			 "final ACK is rejected by %s; the server never "
			 "accepts", d);
	} else if (!syn->retransmission && ack->answer < 0 &&
		   s->counted != impure0 && !s->host.fresh) {
		/* the resent SYN-ACKs and their ACKs meet counters whose
		 * past is unknown: connect() has succeeded all the same */
		snprintf(why, len,
			 "connect() succeeds on the SYN-ACK, but the "
			 "final ACK is dropped by %s; whether an ACK answering "
			 "the server's resent SYN-ACKs gets through depends on "
			 "earlier traffic (--fresh tells)",
			 d);
	} else if (!syn->retransmission && ack->answer < 0 &&
		   s->counted != impure0) {
		struct ipts_packet *last = NULL;
		const struct ipts_packet *ended;
		enum srv_end e = ack_resends(s, &rq, &synp, &client, server_dev,
					     &last, &ended);
		char rd[512];

		if (e == SRV_STOP)
			return IPTS_UNDETERMINED;
		if (ended)
			describe(rd, sizeof(rd), ended);
		if (ended && ended->out_side && !server_dev)
			snprintf(why, len,
				 "connect() succeeds on the SYN-ACK, but the "
				 "final ACK is dropped by %s; the server's "
				 "timer sends the SYN-ACK again, and its resend "
				 "%u (+%u.%u s) is rejected by %s: the send "
				 "fails, which drops the request; the server "
				 "never accepts",
				 d, ended->resent, ended->resent_ms / 1000,
				 ended->resent_ms % 1000 / 100, rd);
		else if (ended)
			snprintf(why, len,
				 "connect() succeeds on the SYN-ACK, but the "
				 "final ACK is dropped by %s; the server's "
				 "timer sends the SYN-ACK again, and its resend "
				 "%u (+%u.%u s) is rejected by %s, whose %s "
				 "drops the server's request; the server never "
				 "accepts",
				 d, ended->resent, ended->resent_ms / 1000,
				 ended->resent_ms % 1000 / 100, rd,
				 reply_words(&s->pkts[ended->answer]));
		else if (e == SRV_THROUGH)
			snprintf(why, len,
				 "connect() succeeds on the SYN-ACK, but the "
				 "final ACK is dropped by %s; the server's "
				 "timer sends the SYN-ACK again, and the ACK "
				 "answering its resend %u (+%u.%u s) gets "
				 "through: the server accepts then",
				 d, rq.timer_sent, s->now_ms / 1000,
				 s->now_ms % 1000 / 100);
		else
			snprintf(why, len,
				 "connect() succeeds on the SYN-ACK, but the "
				 "final ACK is dropped by %s, and so is every "
				 "ACK answering the SYN-ACKs the server's timer "
				 "sends again (%u): the server never accepts",
				 d, rq.timer_sent);
	} else {
		snprintf(why, len, "connect() succeeds on the SYN-ACK, but the "
			 "final ACK is dropped by %s; the server never accepts",
			 d);
	}
	return IPTS_CONNECTED;
}

/* --- UDP --------------------------------------------------------------- */

/* A datagram neighbour discovery did not deliver: send() succeeded, and
 * no error reaches the socket (measured): dropped, or undetermined. */
static enum ipts_outcome udp_nd_outcome(enum ipts_outcome res)
{
	return res == IPTS_UNDETERMINED ? res : IPTS_DROPPED;
}

static enum ipts_outcome udp_run(struct ipts_sim *s, char *why, size_t len,
				 int *dpkt, long *didx)
{
	const struct ipts_query *q = s->q;
	const struct sock client = { !q->in, !q->in, q->uid, q->gid,
				     q->in ? 0 : IPTS_SIDE_CLIENT };
	const struct sock server = { true, true, q->server_uid, q->server_gid,
				     IPTS_SIDE_SERVER };
	static const struct sock remote = { false, false, 0, 0, 0 };
	struct ipts_packet *data, *reply, *ans;
	const char *server_dev;
	enum ipts_outcome res;
	int nd;
	struct ipts_pkt p, r;
	char d[512], a[IPTS_ENDPOINT_LEN], w[256];

	if (q->in) {
		nd = nd_resolve(s, NULL, NULL, &res, why, len, dpkt, didx);
		if (nd != 1)
			return nd < 0 ? IPTS_UNDETERMINED : udp_nd_outcome(res);
	}
	data = rec_new(s, IPTS_PKT_DATA, true);
	pkt_init(&p, s->q->family, IPPROTO_UDP, &q->src, &q->dst, q->sport,
		 q->dport, &client);
	/* 7 bytes out, 9 back: what tests/kernel/oracle.py sends, so that
	 * -m length answers the same */
	p.tot_len = ip_hlen(&p) + 8 + 7;
	walk(s, data, &p, WALK_FRESH, q->in);
	if (s->unmodelled_why)
		return IPTS_UNDETERMINED;
	if (data->verdict == IPTS_V_DELIVERED && (!q->in || data->left_host)) {
		/* a local datagram, or a forwarded one: this host solicits */
		nd = nd_resolve(s, data, &p, &res, why, len, dpkt, didx);
		if (nd != 1)
			return nd < 0 ? IPTS_UNDETERMINED : udp_nd_outcome(res);
	}
	if (data->verdict == IPTS_V_NOT_SENT)
		return not_sent(s, data, true, why, len);
	if (data->verdict == IPTS_V_DROPPED && data->reroute_err && !q->in) {
		/* nf_nat_ipv4_local_fn(): NF_DROP_ERR(ip_route_me_harder()),
		 * and send() returns that error (net case
		 * udp_dnat_output_no_route) */
		snprintf(why, len, "send() fails with %s: %s",
			 errno_words(data->reroute_err), data->routed);
		return route_outcome(data->reroute_err);
	}
	if (data->verdict == IPTS_V_DROPPED && data->answer < 0) {
		decided(s, data, dpkt, didx);
		describe(d, sizeof(d), data);
		if (data->out_side && !q->in) {
			snprintf(why, len, "send() fails: the datagram is "
				 "dropped on its way out by %s", d);
			return IPTS_EPERM;
		}
		snprintf(why, len, "the datagram is dropped by %s", d);
		return IPTS_DROPPED;
	}
	if (data->verdict != IPTS_V_DELIVERED)
		return client_rejected(s, data, true, why, len, dpkt, didx);
	server_dev = data->left_host ? data->out : NULL;
	if (server_dev && q->in) {
		/* the server's side solicits this host before it answers */
		nd = nd_peer_resolve(s, &p, server_dev, &res, why, len, dpkt,
				     didx);
		if (nd != 1)
			return nd < 0 ? IPTS_UNDETERMINED : udp_nd_outcome(res);
	}

	ipts_fmt_inet(a, sizeof(a), p.family, &p.daddr, p.dport);
	if (!server_listens(s, data, &p)) {
		ans = send_kernel_answer(s, &p, false, NULL, server_dev);
		if (s->unmodelled_why)
			return IPTS_UNDETERMINED;
		if (ans && reached_client(s, ans)) {
			snprintf(why, len,
				 "nothing listens on %s: the %s "
				 "answers %s port-unreachable",
				 a, server_dev ? "host there" : "kernel",
				 p.family == NFPROTO_IPV6 ? "ICMPv6" : "ICMP");
			return IPTS_REFUSED;
		}
		if (ans && ans->verdict == IPTS_V_DELIVERED) {
			elsewhere(w, sizeof(w), s, ans);
			snprintf(why, len,
				 "nothing listens on %s, and the "
				 "%s port-unreachable it answers %s",
				 a,
				 p.family == NFPROTO_IPV6 ? "ICMPv6" : "ICMP",
				 w);
			return IPTS_DROPPED;
		}
		if (ans)
			decided(s, ans, dpkt, didx);
		describe(d, sizeof(d), ans ? ans : data);
		snprintf(why, len,
			 "nothing listens on %s, and the %s "
			 "port-unreachable the %s sends back is %s by %s",
			 a, p.family == NFPROTO_IPV6 ? "ICMPv6" : "ICMP",
			 server_dev ? "host there" : "kernel",
			 ans && ans->verdict == IPTS_V_REJECTED ? "rejected" :
								  "dropped",
			 d);
		return IPTS_DROPPED;
	}

	reply = rec_new(s, IPTS_PKT_REPLY, false);
	pkt_init(&r, s->q->family, IPPROTO_UDP, &p.daddr, &p.saddr, p.dport,
		 p.sport, server_dev ? &remote : &server);
	r.port_rand = swapped(p.port_rand);
	r.tot_len = ip_hlen(&r) + 8 + 9;
	walk(s, reply, &r, WALK_FRESH, server_dev);
	if (s->unmodelled_why)
		return IPTS_UNDETERMINED;
	if (q->in && reply->verdict == IPTS_V_DELIVERED && reply->left_host) {
		/* this host solicits the reply's next hop (ndp.c) */
		nd = nd_resolve(s, reply, &r, &res, why, len, dpkt, didx);
		if (nd != 1)
			return nd < 0 ? IPTS_UNDETERMINED : udp_nd_outcome(res);
	}
	if (reached_client(s, reply)) {
		snprintf(why, len, "the datagram and the server's answer "
			 "both get through");
		return IPTS_DELIVERED;
	}
	if (reply->verdict == IPTS_V_DELIVERED) {
		elsewhere(w, sizeof(w), s, reply);
		snprintf(why, len, "the server's answer %s", w);
		return IPTS_DROPPED;
	}
	if (reply->verdict == IPTS_V_NOT_SENT) {
		snprintf(why, len, "the server's answer is never sent: %s",
			 reply->routed);
		return IPTS_DROPPED;
	}
	decided(s, reply, dpkt, didx);
	describe(d, sizeof(d), reply);
	if (s->unmodelled_why)
		return IPTS_UNDETERMINED;
	snprintf(why, len, "the server's answer is %s by %s%s",
		 reply->verdict == IPTS_V_REJECTED ? "rejected" : "dropped", d,
		 reply->out_side && !server_dev ?
			 " (the server's send() fails with EPERM)" :
			 "");
	return IPTS_DROPPED;
}

enum ipts_outcome ipts_handshake_run(struct ipts_sim *s, char *why,
				     size_t whylen, int *dpkt, long *didx)
{
	why[0] = '\0';
	*dpkt = -1;
	*didx = -1;
	if (s->q->proto == IPPROTO_UDP)
		return udp_run(s, why, whylen, dpkt, didx);
	return tcp_run(s, why, whylen, dpkt, didx);
}
