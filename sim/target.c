/*
 * target.c - what an extension target does to the packet, as its kernel
 * target function (net/netfilter/xt_*.c, net/ipv4/netfilter/ipt_*.c)
 * would: the verdict, and the skb and conntrack state it changes.
 *
 * ACCEPT, DROP, RETURN, jumps and gotos are the standard target, handled
 * by walk.c. A target not modelled here stops the walk: the answer is
 * undetermined, naming the rule.
 */
#include "walk_int.h"	/* first: glibc headers before the uapi ones */
#include "blob.h"

#include <stdio.h>
#include <string.h>
#include <netinet/in.h>
#include <netinet/ip_icmp.h>
#include <linux/netfilter/nf_conntrack_common.h>
#include <linux/netfilter/xt_CT.h>
#include <linux/netfilter/xt_DSCP.h>
#include <linux/netfilter/xt_connmark.h>
#include <linux/netfilter/xt_mark.h>
#include <linux/netfilter_ipv4/ipt_REJECT.h>
#include <linux/netfilter_ipv4/ipt_TTL.h>
#include <linux/netfilter_ipv6/ip6t_HL.h>
#include <linux/netfilter_ipv6/ip6t_REJECT.h>
#include <linux/icmpv6.h>

struct tgpar {
	struct ipts_sim *s;
	const struct ipts_rule *r;
	const struct xt_entry_target *t;
	struct ipts_pkt *p;
	unsigned int hook;
	enum ipts_table_id table;
};

/* Copy the target's data into @dst when it is at least @len bytes. */
static bool tg_data(const struct tgpar *par, void *dst, size_t len)
{
	const void *d = ipts_target_data(par->t, len, NULL);

	if (!d) {
		ipts_sim_unmodelled(par->s, par->r,
				    "target data shorter than expected");
		return false;
	}
	memcpy(dst, d, len);
	return true;
}

static void mark_changed(const struct tgpar *par, bool conn, uint32_t from,
			 uint32_t to)
{
	struct ipts_event *ev;

	if (from == to)
		return;
	ev = ipts_sim_event(par->s, conn ? IPTS_EV_CONNMARK : IPTS_EV_MARK,
			    par->hook, "%s 0x%x -> 0x%x", conn ? "connmark" :
			    "mark", from, to);
	if (ev) {
		ev->from = from;
		ev->to = to;
	}
}

/*
 * reject_tg6() in ip6t_REJECT.c: nf_send_reset6() or nf_send_unreach6()
 * with the ICMPv6 destination-unreachable code of the type, then NF_DROP.
 * icmp6_send() answers neither an ICMPv6 error (nor a redirect) nor a
 * packet that is not the first fragment; the simulated ones carry none.
 */
static unsigned int tg_reject6(const struct tgpar *par)
{
	static const int8_t codes[] = {
		[IP6T_ICMP6_NO_ROUTE] = ICMPV6_NOROUTE,
		[IP6T_ICMP6_ADM_PROHIBITED] = ICMPV6_ADM_PROHIBITED,
		[IP6T_ICMP6_NOT_NEIGHBOUR] = ICMPV6_NOT_NEIGHBOUR,
		[IP6T_ICMP6_ADDR_UNREACH] = ICMPV6_ADDR_UNREACH,
		[IP6T_ICMP6_PORT_UNREACH] = ICMPV6_PORT_UNREACH,
		[IP6T_ICMP6_ECHOREPLY] = -1,
		[IP6T_TCP_RESET] = -1,
		[IP6T_ICMP6_POLICY_FAIL] = ICMPV6_POLICY_FAIL,
		[IP6T_ICMP6_REJECT_ROUTE] = ICMPV6_REJECT_ROUTE,
	};
	struct ip6t_reject_info info;
	struct ipts_reply_req *rq = &par->s->reply;
	const struct ipts_pkt *p = par->p;

	if (!tg_data(par, &info, sizeof(info)))
		return NF_DROP;
	memset(rq, 0, sizeof(*rq));
	rq->rule = par->r;
	if (info.with >= sizeof(codes)) {
		ipts_sim_unmodelled(par->s, par->r,
				    "unknown --reject-with type");
		return NF_DROP;
	}
	if (info.with == IP6T_TCP_RESET) {
		/* nf_send_reset6(): only for TCP, never for a RST */
		if (p->protocol == IPPROTO_TCP && !(p->tcp_flags & 0x04)) {
			rq->pending = true;
			rq->tcp_reset = true;
		}
		return NF_DROP;
	}
	if (info.with == IP6T_ICMP6_ECHOREPLY)
		return NF_DROP; /* "Do nothing" */
	/* icmpv6_send(): never about an ICMPv6 error (types below 128)
	 * nor a redirect (is_ineligible()) */
	if (p->protocol == IPPROTO_ICMPV6 &&
	    (p->icmp_type < 128 || p->icmp_type == 137 /* NDISC_REDIRECT */))
		return NF_DROP;
	rq->pending = true;
	rq->icmp_code = (uint8_t)codes[info.with];
	return NF_DROP;
}

/* reject_tg() in ipt_REJECT.c: send the answer, then NF_DROP. */
static unsigned int tg_reject(const struct tgpar *par)
{
	static const uint8_t codes[] = {
		[IPT_ICMP_NET_UNREACHABLE] = ICMP_NET_UNREACH,
		[IPT_ICMP_HOST_UNREACHABLE] = ICMP_HOST_UNREACH,
		[IPT_ICMP_PROT_UNREACHABLE] = ICMP_PROT_UNREACH,
		[IPT_ICMP_PORT_UNREACHABLE] = ICMP_PORT_UNREACH,
		[IPT_ICMP_NET_PROHIBITED] = ICMP_NET_ANO,
		[IPT_ICMP_HOST_PROHIBITED] = ICMP_HOST_ANO,
		[IPT_ICMP_ADMIN_PROHIBITED] = ICMP_PKT_FILTERED,
	};
	struct ipt_reject_info info;
	struct ipts_reply_req *rq = &par->s->reply;

	if (!tg_data(par, &info, sizeof(info)))
		return NF_DROP;
	memset(rq, 0, sizeof(*rq));
	rq->rule = par->r;
	switch (info.with) {
	case IPT_TCP_RESET:
		/* nf_send_reset(): only for TCP, never for a RST */
		if (par->p->protocol == IPPROTO_TCP &&
		    !(par->p->tcp_flags & 0x04) &&
		    !(par->p->frag_off & 0x1fff)) {
			rq->pending = true;
			rq->tcp_reset = true;
		}
		break;
	case IPT_ICMP_ECHOREPLY:
		/* nothing is sent any more */
		break;
	default:
		if ((unsigned int)info.with >= sizeof(codes) ||
		    (info.with != IPT_ICMP_NET_UNREACHABLE &&
		     !codes[info.with])) {
			ipts_sim_unmodelled(par->s, par->r,
					    "unknown --reject-with type");
			return NF_DROP;
		}
		/* icmp_send() never answers an ICMP error, nor a
		 * non-first fragment (nf_send_unreach()) */
		if (par->p->frag_off & 0x1fff)
			break;
		if (par->p->protocol == IPPROTO_ICMP &&
		    par->p->icmp_type != ICMP_ECHO &&
		    par->p->icmp_type != ICMP_TIMESTAMP &&
		    par->p->icmp_type != ICMP_INFO_REQUEST &&
		    par->p->icmp_type != ICMP_ADDRESS &&
		    par->p->icmp_type != ICMP_ECHOREPLY)
			break;
		rq->pending = true;
		rq->icmp_code = codes[info.with];
		break;
	}
	return NF_DROP;
}

/* mark_tg() in xt_mark.c (revision 2, the only one the kernel has). */
static unsigned int tg_mark(const struct tgpar *par)
{
	struct xt_mark_tginfo2 info;
	uint32_t old = par->p->mark;

	if (par->t->u.user.revision != 2) {
		ipts_sim_unmodelled(par->s, par->r, "MARK revision not "
				    "supported by the kernel");
		return NF_DROP;
	}
	if (!tg_data(par, &info, sizeof(info)))
		return NF_DROP;
	par->p->mark = (par->p->mark & ~info.mask) ^ info.mark;
	mark_changed(par, false, old, par->p->mark);
	return XT_CONTINUE;
}

static uint32_t shift(uint32_t v, uint8_t dir, uint8_t bits)
{
	if (bits >= 32)
		return 0;
	return dir == D_SHIFT_RIGHT ? v >> bits : v << bits;
}

/* connmark_tg_shift() in xt_connmark.c. */
static unsigned int tg_connmark(const struct tgpar *par)
{
	struct xt_connmark_tginfo2 info;
	struct ipts_conn *ct = par->p->ct;
	uint32_t nm, old;

	memset(&info, 0, sizeof(info));
	if (par->t->u.user.revision == 1) {
		struct xt_connmark_tginfo1 i1;

		if (!tg_data(par, &i1, sizeof(i1)))
			return NF_DROP;
		info.ctmark = i1.ctmark;
		info.ctmask = i1.ctmask;
		info.nfmask = i1.nfmask;
		info.mode = i1.mode;
	} else if (par->t->u.user.revision == 2) {
		if (!tg_data(par, &info, sizeof(info)))
			return NF_DROP;
	} else {
		ipts_sim_unmodelled(par->s, par->r, "CONNMARK revision not "
				    "supported by the kernel");
		return NF_DROP;
	}
	if (!ct)
		return XT_CONTINUE;
	switch (info.mode) {
	case XT_CONNMARK_SET:
		nm = (ct->mark & ~info.ctmask) ^ info.ctmark;
		nm = shift(nm, info.shift_dir, info.shift_bits);
		old = ct->mark;
		ct->mark = nm;
		mark_changed(par, true, old, nm);
		break;
	case XT_CONNMARK_SAVE:
		nm = shift(par->p->mark & info.nfmask, info.shift_dir,
			   info.shift_bits);
		old = ct->mark;
		ct->mark = (ct->mark & ~info.ctmask) ^ nm;
		mark_changed(par, true, old, ct->mark);
		break;
	case XT_CONNMARK_RESTORE:
		nm = shift(ct->mark & info.ctmask, info.shift_dir,
			   info.shift_bits);
		old = par->p->mark;
		par->p->mark = (par->p->mark & ~info.nfmask) ^ nm;
		mark_changed(par, false, old, par->p->mark);
		break;
	}
	return XT_CONTINUE;
}

/* xt_ct_target() / notrack_tg(): a packet that already has an entry
 * (over lo: the one made at OUTPUT) is left alone. */
static unsigned int tg_ct(const struct tgpar *par)
{
	/* every CT revision starts with the u16 flags and the u16 zone */
	uint16_t fz[2], flags = 0, zone = 0;
	bool notrack = strcmp(par->t->u.user.name, "NOTRACK") == 0;

	if (!notrack) {
		if (!tg_data(par, fz, sizeof(fz)))
			return NF_DROP;
		flags = fz[0];
		zone = fz[1];
		notrack = flags & XT_CT_NOTRACK;
	}
	if (par->s->attached || par->s->nfct_stub) {
		ipts_sim_event(par->s, IPTS_EV_NOTE, par->hook,
			       "%s: the packet already has a conntrack "
			       "entry, nothing changes",
			       notrack ? "notrack" : "CT");
		return XT_CONTINUE;
	}
	if (notrack) {
		ipts_ct_set_untracked(par->s, par->p);
		ipts_sim_event(par->s, IPTS_EV_CONNTRACK, par->hook,
			       "conntrack: UNTRACKED");
		return XT_CONTINUE;
	}
	if (zone || (flags & (XT_CT_ZONE_DIR_ORIG | XT_CT_ZONE_DIR_REPL |
			      XT_CT_ZONE_MARK))) {
		ipts_sim_unmodelled(par->s, par->r,
				    "conntrack zones are not modelled");
		return NF_DROP;
	}
	/* helper, events, timeout: no effect on this handshake */
	return XT_CONTINUE;
}

static unsigned int tg_tos(const struct tgpar *par)
{
	const char *name = par->t->u.user.name;

	if (strcmp(name, "DSCP") == 0) {
		struct xt_DSCP_info d;

		if (!tg_data(par, &d, sizeof(d)))
			return NF_DROP;
		par->p->tos = (par->p->tos & ~XT_DSCP_MASK) |
			      (d.dscp << XT_DSCP_SHIFT);
	} else if (par->t->u.user.revision >= 1) {
		struct xt_tos_target_info t;

		if (!tg_data(par, &t, sizeof(t)))
			return NF_DROP;
		par->p->tos = (par->p->tos & ~t.tos_mask) ^ t.tos_value;
	} else {
		ipts_sim_unmodelled(par->s, par->r,
				    "TOS revision not supported by the kernel");
		return NF_DROP;
	}
	ipts_sim_event(par->s, IPTS_EV_NOTE, par->hook, "tos 0x%02x",
		       par->p->tos);
	return XT_CONTINUE;
}

static unsigned int tg_ttl(const struct tgpar *par)
{
	struct ipt_TTL_info t;
	unsigned int v = par->p->ttl;

	if (!tg_data(par, &t, sizeof(t)))
		return NF_DROP;
	switch (t.mode) {
	case IPT_TTL_SET:
		v = t.ttl;
		break;
	case IPT_TTL_INC:
		v = v + t.ttl > 255 ? 255 : v + t.ttl;
		break;
	case IPT_TTL_DEC:
		v = v < t.ttl ? 0 : v - t.ttl;
		break;
	}
	par->p->ttl = v;
	ipts_sim_event(par->s, IPTS_EV_NOTE, par->hook, "ttl %u", v);
	return XT_CONTINUE;
}

/* hl_tg6(): the IPv6 twin of TTL on the packet's hop limit. */
static unsigned int tg_hl(const struct tgpar *par)
{
	struct ip6t_HL_info h;
	unsigned int v = par->p->ttl;

	if (!tg_data(par, &h, sizeof(h)))
		return NF_DROP;
	switch (h.mode) {
	case IP6T_HL_SET:
		v = h.hop_limit;
		break;
	case IP6T_HL_INC:
		v = v + h.hop_limit > 255 ? 255 : v + h.hop_limit;
		break;
	case IP6T_HL_DEC:
		v = v < h.hop_limit ? 0 : v - h.hop_limit;
		break;
	}
	par->p->ttl = v;
	ipts_sim_event(par->s, IPTS_EV_NOTE, par->hook, "hop limit %u", v);
	return XT_CONTINUE;
}

/* Targets that change nothing any match or verdict here can see. */
static const char *const passive[] = {
	"LOG", "NFLOG", "ULOG", "AUDIT", "CLASSIFY", "TCPMSS", "CHECKSUM",
	"SECMARK", "CONNSECMARK", "IDLETIMER", "LED", "SET", "TEE",
	"TCPOPTSTRIP", "RATEEST", "ECN", NULL,
};

unsigned int ipts_target_run(struct ipts_sim *s, const struct ipts_rule *r,
			     struct ipts_pkt *p, unsigned int hook,
			     enum ipts_table_id table)
{
	const struct xt_entry_target *t = ipts_rule_target(r);
	const char *name = t->u.user.name;
	struct tgpar par = { s, r, t, p, hook, table };
	const char *const *l;

	if (ipts_blob_is_opaque(t->u.user.revision)) {
		if (strcmp(name, "SET") == 0)
			return ipts_setstate_target(s, r, p, hook);
		ipts_sim_unmodelled(s, r, "target kept as words: not modelled");
		return NF_DROP;
	}
	for (l = passive; *l; l++)
		if (strcmp(name, *l) == 0)
			return XT_CONTINUE;
	/* the rest change the packet, its entry, or the walk's state */
	s->impure++;
	if (strcmp(name, "REJECT") == 0)
		return par.p->family == NFPROTO_IPV6 ? tg_reject6(&par) :
						       tg_reject(&par);
	if (strcmp(name, "TRACE") == 0) {
		p->nf_trace = true;
		return XT_CONTINUE;
	}
	if (strcmp(name, "MARK") == 0)
		return tg_mark(&par);
	if (strcmp(name, "CONNMARK") == 0)
		return tg_connmark(&par);
	if (strcmp(name, "CT") == 0 || strcmp(name, "NOTRACK") == 0)
		return tg_ct(&par);
	if (strcmp(name, "DNAT") == 0 || strcmp(name, "SNAT") == 0 ||
	    strcmp(name, "REDIRECT") == 0 || strcmp(name, "MASQUERADE") == 0 ||
	    strcmp(name, "NETMAP") == 0)
		return ipts_nat_target(s, r, p, hook);
	if (strcmp(name, "DSCP") == 0 || strcmp(name, "TOS") == 0)
		return tg_tos(&par);
	if (strcmp(name, "TTL") == 0)
		return tg_ttl(&par);
	if (strcmp(name, "HL") == 0)
		return tg_hl(&par);
	if (strcmp(name, "NFQUEUE") == 0) {
		ipts_sim_unmodelled(s, r, "NFQUEUE hands the packet to a "
				    "userspace program");
		return NF_DROP;
	}
	ipts_sim_unmodelled(s, r, "target not modelled");
	return NF_DROP;
}
