/*
 * conntrack.c - the one connection's conntrack entry, as nf_conntrack_in()
 * and nf_conntrack_confirm() keep it, and when a fresh namespace tracks
 * connections at all.
 *
 * A namespace runs conntrack only once a rule asks for it: the match or
 * target's checkentry calls nf_ct_netns_get() (xt_conntrack, xt_state,
 * xt_connmark, xt_CONNMARK, xt_nat, xt_MASQUERADE, xt_REDIRECT, xt_NETMAP,
 * xt_CT without --notrack, ...). Over lo the entry made at OUTPUT travels
 * with the skb, so PREROUTING finds it attached and leaves it alone
 * (which is also why CT --notrack in raw PREROUTING does nothing there).
 */
#include "walk_int.h"	/* first: glibc headers before the uapi ones */
#include "blob.h"

#include <string.h>
#include <netinet/in.h>
#include <netinet/ip_icmp.h>
#include <linux/netfilter/nf_conntrack_common.h>
#include <linux/netfilter/xt_CT.h>

static const char *const ct_matches[] = {
	"conntrack", "state", "connmark", "connbytes", "connlimit",
	"connlabel", "helper", "cluster", NULL,
};

static const char *const ct_targets[] = {
	"CONNMARK", "DNAT", "SNAT", "MASQUERADE", "REDIRECT", "NETMAP",
	"CONNSECMARK", "SYNPROXY", "CLUSTERIP", NULL,
};

static bool in_list(const char *const *l, const char *name)
{
	for (; *l; l++)
		if (strcmp(*l, name) == 0)
			return true;
	return false;
}

bool ipts_target_needs_conntrack(const struct xt_entry_target *t)
{
	const char *name = t->u.user.name;

	if (ipts_blob_is_opaque(t->u.user.revision))
		return false;
	if (in_list(ct_targets, name))
		return true;
	if (strcmp(name, "CT") == 0) {
		/* xt_ct_tg_check(): --notrack takes no conntrack reference;
		 * every CT revision starts with the u16 flags. */
		const void *d = ipts_target_data(t, sizeof(uint16_t), NULL);
		uint16_t flags;

		if (!d)
			return false;
		memcpy(&flags, d, sizeof(flags));
		return !(flags & XT_CT_NOTRACK);
	}
	return false;
}

static bool rule_needs_conntrack(const struct ipts_rule *r)
{
	unsigned int i;

	for (i = 0; i < r->nmatches; i++) {
		const struct xt_entry_match *m = ipts_rule_match(r, i);

		if (!ipts_blob_is_opaque(m->u.user.revision) &&
		    in_list(ct_matches, m->u.user.name))
			return true;
	}
	return r->kind == IPTS_TGT_EXT &&
	       ipts_target_needs_conntrack(ipts_rule_target(r));
}

bool ipts_ruleset_needs_conntrack(const struct ipts_ruleset *rs)
{
	unsigned int t, c, i;

	for (t = 0; t < IPTS_TABLE_COUNT; t++) {
		const struct ipts_table *tb = rs->tables[t];

		if (!tb)
			continue;
		for (c = 0; c < tb->nchains; c++) {
			const struct ipts_chain *ch = tb->chains[c];

			if (ch->deleted)
				continue;
			for (i = 0; i < ch->nrules; i++)
				if (rule_needs_conntrack(ch->rules[i]))
					return true;
		}
	}
	return false;
}

const char *ipts_ctinfo_name(enum ipts_ctinfo c)
{
	switch (c) {
	case IPTS_CT_NEW:
		return "NEW";
	case IPTS_CT_ESTABLISHED:
		return "ESTABLISHED";
	case IPTS_CT_RELATED:
		return "RELATED";
	case IPTS_CT_INVALID:
		return "INVALID";
	case IPTS_CT_UNTRACKED:
		return "UNTRACKED";
	}
	return "?";
}

static bool is_orig(const struct ipts_conn *c, const union nf_inet_addr *sa,
		    uint16_t sp, const union nf_inet_addr *da, uint16_t dp)
{
	return ipts_addr_eq(sa, &c->orig_src) && sp == c->orig_sport &&
	       ipts_addr_eq(da, &c->orig_dst) && dp == c->orig_dport;
}

static bool is_reply(const struct ipts_conn *c, const union nf_inet_addr *sa,
		     uint16_t sp, const union nf_inet_addr *da, uint16_t dp)
{
	return ipts_addr_eq(sa, &c->reply_src) && sp == c->reply_sport &&
	       ipts_addr_eq(da, &c->reply_dst) && dp == c->reply_dport;
}

/* An ICMP error that quotes a packet: nf_conntrack_icmpv4_error() for v4
 * (the simulator sends destination unreachable and time exceeded), and
 * icmpv6_error_message() for v6, whose error types are those below 128. */
static bool is_icmp_error(const struct ipts_pkt *p)
{
	if (p->family == NFPROTO_IPV6)
		return p->protocol == IPPROTO_ICMPV6 && p->icmp_type < 128;
	return p->protocol == IPPROTO_ICMP &&
	       (p->icmp_type == ICMP_DEST_UNREACH ||
		p->icmp_type == ICMP_TIME_EXCEEDED);
}

static void note_state(struct ipts_sim *s, const struct ipts_pkt *p,
		       unsigned int hook)
{
	ipts_sim_event(s, IPTS_EV_CONNTRACK, hook, "conntrack: %s%s",
		       ipts_ctinfo_name(p->ctinfo),
		       p->ct && p->reply_dir ? " (reply direction)" : "");
}

/*
 * An ICMP error: icmp_error_message() looks up the inverse of the header
 * it quotes; RELATED to that entry if it is in the table (confirmed), in
 * the direction the inverse matches; else no entry (INVALID).
 */
static void ct_in_icmp_error(struct ipts_sim *s, struct ipts_pkt *p)
{
	struct ipts_conn *c = &s->conn;

	p->ct = NULL;
	p->ctinfo = IPTS_CT_INVALID;
	if (!c->exists || !s->conn_confirmed || c->killed ||
	    s->inner.protocol != c->l4proto)
		return;
	if (is_orig(c, &s->inner.daddr, s->inner.dport, &s->inner.saddr,
		    s->inner.sport)) {
		p->ct = c;
		p->ctinfo = IPTS_CT_RELATED;
		p->reply_dir = false;
	} else if (is_reply(c, &s->inner.daddr, s->inner.dport, &s->inner.saddr,
			    s->inner.sport)) {
		p->ct = c;
		p->ctinfo = IPTS_CT_RELATED;
		p->reply_dir = true;
	}
}

/* Can this packet start an entry (tcp_new(), nf_conntrack_tcp_loose=1)? */
static bool can_start(const struct ipts_pkt *p)
{
	uint8_t f = p->tcp_flags;

	if (p->protocol != IPPROTO_TCP)
		return true;
	if (f & (0x04 | 0x01))	/* RST, FIN */
		return false;
	if ((f & 0x12) == 0x12)	/* SYN-ACK */
		return false;
	return true;		/* SYN, or a mid-stream ACK picked up */
}

/* What TCP tracking makes of a packet of the entry (tcp_packet()). */
enum tcp_verdict {
	TCP_OK, /* the packet goes on with the entry */
	TCP_INVALID, /* -NF_ACCEPT: on without it, INVALID */
	TCP_REOPEN, /* -NF_REPEAT: the entry killed, looked up again */
};

/*
 * The handshake's part of tcp_conntracks[][][] in nf_conntrack_proto_tcp.c:
 * TCP_INVALID when the packet is invalid for the entry's state (for
 * instance the client's ACK while the entry never saw the SYN-ACK).
 *
 * A RST while the entry has seen no reply kills it (nf_ct_kill_acct(),
 * "if only reply is a RST"): the RST goes on with it, the next packet
 * starts a new entry, NEW, and meets the nat table again. Measured: the
 * kernel's RST for a port nothing listens on, dropped after conntrack saw
 * it, then the SYN resent at +1 s is NEW (kernel case
 * rst_kills_entry_resent_syn_new). After a reply a RST leaves the entry
 * in CLOSE; a SYN of the original direction there (sSS from sCL, which is
 * past TIME_WAIT) kills it and starts anew when the last packet tracked
 * was the original direction's RST, and is otherwise ignored (sIG: on
 * with the entry, state unchanged, ESTABLISHED). Nothing here makes FIN,
 * so no entry reaches TIME_WAIT or carries IP_CT_TCP_FLAG_CLOSE_INIT.
 */
static enum tcp_verdict tcp_track(struct ipts_sim *s, struct ipts_conn *c,
				  const struct ipts_pkt *p, bool reply)
{
	uint8_t f = p->tcp_flags;
	bool syn = f & 0x02, ack = f & 0x10, rst = f & 0x04;
	bool rst_orig_last = c->rst_orig_last;

	c->rst_orig_last = false;
	if (rst) {
		if (!c->seen_reply)
			c->killed = true;
		s->tcp_state = IPTS_TCP_CLOSE;
		c->rst_orig_last = !reply;
		return TCP_OK;
	}
	if (!reply) {
		/* a SYN in SYN_SENT: sSS; in SYN_RECV or ESTABLISHED: sIG,
		 * which tcp_packet() lets through with its entry
		 * (NF_ACCEPT), state unchanged: a SYN resent after a
		 * SYN-ACK was seen keeps the entry and its NAT (measured:
		 * net case synretx_ct_dnat_reject); in CLOSE, above */
		if (syn && !ack)
			return s->tcp_state == IPTS_TCP_CLOSE && rst_orig_last ?
				       TCP_REOPEN :
				       TCP_OK;
		if (ack && !syn) {
			if (s->tcp_state == IPTS_TCP_SYN_SENT)
				return TCP_INVALID;
			if (s->tcp_state == IPTS_TCP_SYN_RECV)
				s->tcp_state = IPTS_TCP_ESTABLISHED;
			return TCP_OK;
		}
		return TCP_OK;
	}
	if (syn && ack) {
		if (s->tcp_state == IPTS_TCP_SYN_SENT)
			s->tcp_state = IPTS_TCP_SYN_RECV;
		return s->tcp_state == IPTS_TCP_SYN_RECV ||
				       s->tcp_state == IPTS_TCP_ESTABLISHED ?
			       TCP_OK :
			       TCP_INVALID;
	}
	return TCP_OK;
}

void ipts_ct_in(struct ipts_sim *s, struct ipts_pkt *p, unsigned int hook)
{
	struct ipts_conn *c = &s->conn;

	if (s->attached || !s->conntrack)
		return;
	s->attached = true;
	s->nfct_stub = false;
	if (is_icmp_error(p)) {
		ct_in_icmp_error(s, p);
		note_state(s, p, hook);
		return;
	}
	if (c->exists && s->conn_confirmed && !c->killed &&
	    c->l4proto == p->protocol) {
		bool orig = is_orig(c, &p->saddr, p->sport, &p->daddr,
				    p->dport);
		bool ours = orig || is_reply(c, &p->saddr, p->sport, &p->daddr,
					     p->dport);
		enum tcp_verdict v = TCP_OK;

		if (ours && p->protocol == IPPROTO_TCP)
			v = tcp_track(s, c, p, !orig);
		if (ours && v != TCP_REOPEN) {
			if (v == TCP_INVALID) {
				/* nf_conntrack_in(): an invalid packet leaves
				 * without its entry, and is looked at again
				 * at the next conntrack hook */
				s->attached = false;
				p->ct = NULL;
				p->ctinfo = IPTS_CT_INVALID;
				note_state(s, p, hook);
				return;
			}
			p->ct = c;
			p->reply_dir = !orig;
			if (!orig) {
				p->ctinfo = IPTS_CT_ESTABLISHED;
				c->seen_reply = true;
			} else {
				p->ctinfo = c->seen_reply ? IPTS_CT_ESTABLISHED
							  : IPTS_CT_NEW;
			}
			note_state(s, p, hook);
			return;
		}
	}
	if (!can_start(p)) {
		p->ct = NULL;
		p->ctinfo = IPTS_CT_INVALID;
		note_state(s, p, hook);
		return;
	}
	/* A new entry: the one connection simulated. */
	memset(c, 0, sizeof(*c));
	c->exists = true;
	c->l3num = p->family;
	c->l4proto = p->protocol;
	c->orig_src = p->saddr;
	c->orig_dst = p->daddr;
	c->orig_sport = p->sport;
	c->orig_dport = p->dport;
	c->reply_src = p->daddr;
	c->reply_dst = p->saddr;
	c->reply_sport = p->dport;
	c->reply_dport = p->sport;
	s->conn_confirmed = false;
	s->nat_done = 0;
	/* tcp_new(): a SYN starts SYN_SENT, a picked-up ACK ESTABLISHED */
	s->tcp_state = p->tcp_flags & 0x02 ? IPTS_TCP_SYN_SENT
					   : IPTS_TCP_ESTABLISHED;
	p->ct = c;
	p->reply_dir = false;
	p->ctinfo = IPTS_CT_NEW;
	note_state(s, p, hook);
}

void ipts_ct_confirm(struct ipts_sim *s, struct ipts_pkt *p)
{
	/* __nf_conntrack_confirm() only for the original direction */
	if (p->ct == &s->conn && !p->reply_dir && !s->conn_confirmed &&
	    p->ctinfo == IPTS_CT_NEW)
		s->conn_confirmed = true;
}

void ipts_ct_set_untracked(struct ipts_sim *s, struct ipts_pkt *p)
{
	s->attached = true;
	p->ct = NULL;
	p->ctinfo = IPTS_CT_UNTRACKED;
	p->reply_dir = false;
}
