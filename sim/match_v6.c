/*
 * match_v6.c - the match blobs of an IPv6 packet: the ip6t_* matches
 * (net/ipv6/netfilter/), ip6t's addrtype, and which family-independent
 * xt_* evaluators of match.c read an IPv6 packet as the kernel does. A
 * match that reads v4 fields or asks the host's IPv6 routes is
 * undetermined, with a reason, never evaluated as for IPv4.
 *
 * The simulated packets carry no extension header, so every match that
 * looks for one (ipv6_find_hdr() of a given type: frag, hbh, dst, rt, ah)
 * finds none, which is no match whatever its options (-ENOENT is not a
 * hot drop); ipv6header sees the upper-layer header only (MASK_PROTO).
 */
#include "match_int.h" /* first: glibc headers before the uapi ones */
#include "blob.h"
#include "host.h"

#include <string.h>
#include <linux/if_packet.h>
#include <linux/netfilter/xt_addrtype.h>
#include <linux/netfilter/xt_iprange.h>
#include <linux/netfilter/xt_pkttype.h>
#include <linux/netfilter_ipv6/ip6_tables.h>
#include <linux/netfilter_ipv6/ip6t_hl.h>
#include <linux/netfilter_ipv6/ip6t_ipv6header.h>

/* icmp6_match(): type and code range, no wildcard type (unlike icmp's
 * 0xff); -p ipv6-icmp is asserted by the kernel's checkentry. */
static enum ipts_match_result mt_icmp6(const struct ipts_mpar *par)
{
	const struct ip6t_icmp *info = par->info;
	const struct ipts_pkt *p = par->p;
	bool hit;

	if (p->protocol != IPPROTO_ICMPV6)
		return IPTS_MATCH_NO;
	hit = info->type == p->icmp_type && p->icmp_code >= info->code[0] &&
	      p->icmp_code <= info->code[1];
	return ipts_mres(hit ^ !!(info->invflags & IP6T_ICMP_INV));
}

/* hl_mt6(): the hop limit */
static enum ipts_match_result mt_hl(const struct ipts_mpar *par)
{
	const struct ip6t_hl_info *info = par->info;
	uint8_t hl = par->p->ttl;

	switch (info->mode) {
	case IP6T_HL_EQ:
		return ipts_mres(hl == info->hop_limit);
	case IP6T_HL_NE:
		return ipts_mres(hl != info->hop_limit);
	case IP6T_HL_LT:
		return ipts_mres(hl < info->hop_limit);
	case IP6T_HL_GT:
		return ipts_mres(hl > info->hop_limit);
	}
	return IPTS_MATCH_NO;
}

/* ipv6header_mt6() on a packet whose next header is its upper layer */
static enum ipts_match_result mt_ipv6header(const struct ipts_mpar *par)
{
	const struct ip6t_ipv6header_info *info = par->info;
	unsigned int temp = MASK_PROTO;

	if (info->modeflag)
		return ipts_mres(!((temp ^ info->matchflags ^ info->invflags) &
				   info->matchflags));
	if (info->invflags)
		return ipts_mres(temp != info->matchflags);
	return ipts_mres(temp == info->matchflags);
}

/* frag, hbh, dst, rt, ah: ipv6_find_hdr() finds no such header */
static enum ipts_match_result mt_no_exthdr(const struct ipts_mpar *par)
{
	(void)par;
	return IPTS_MATCH_NO;
}

/*
 * eui64_mt6(): the source's interface identifier against the one made of
 * the Ethernet source address. Over lo that address is all zero (seen:
 * MAC=00:00:00:00:00:00:00:00:00:00:00:00:86:dd), so only an interface
 * identifier 0200:00ff:fe00:0000 matches.
 */
static enum ipts_match_result mt_eui64(const struct ipts_mpar *par)
{
	static const uint8_t lo_eui64[8] = { 0x02, 0, 0, 0xff, 0xfe, 0, 0, 0 };
	const struct ipts_pkt *p = par->p;

	if (!p->in || strcmp(p->in, "lo") != 0)
		return ipts_munknown(par, "-m eui64 reads the sender's MAC "
					  "address");
	return ipts_mres(memcmp(p->saddr.in6.s6_addr + 8, lo_eui64, 8) == 0);
}

/* iprange_ipv6_lt() is a byte-wise compare of the network-order address */
static bool out_of_range6(const struct in6_addr *a, const struct in6_addr *lo,
			  const struct in6_addr *hi)
{
	return memcmp(a, lo, sizeof(*a)) < 0 || memcmp(hi, a, sizeof(*a)) < 0;
}

/* iprange_mt6() (revision 1) */
static enum ipts_match_result mt_iprange6(const struct ipts_mpar *par)
{
	const struct xt_iprange_mtinfo *info = par->info;
	const struct ipts_pkt *p = par->p;

	if ((info->flags & IPRANGE_SRC) &&
	    (out_of_range6(&p->saddr.in6, &info->src_min.in6,
			   &info->src_max.in6) ^
	     !!(info->flags & IPRANGE_SRC_INV)))
		return IPTS_MATCH_NO;
	if ((info->flags & IPRANGE_DST) &&
	    (out_of_range6(&p->daddr.in6, &info->dst_min.in6,
			   &info->dst_max.in6) ^
	     !!(info->flags & IPRANGE_DST_INV)))
		return IPTS_MATCH_NO;
	return IPTS_MATCH_YES;
}

/* pkttype_mt(): a looped-back packet to ff00::/8 is multicast */
static enum ipts_match_result mt_pkttype6(const struct ipts_mpar *par)
{
	const struct xt_pkttype_info *info = par->info;
	const struct ipts_pkt *p = par->p;
	int type = p->pkt_type;

	if (p->pkt_type == PACKET_LOOPBACK)
		type = p->daddr.in6.s6_addr[0] == 0xff ? PACKET_MULTICAST :
							 PACKET_BROADCAST;
	return ipts_mres((type == info->pkttype) ^ info->invert);
}

/*
 * match_type6() for @a: the bits of @mask are all required:
 * MULTICAST, UNICAST and UNSPEC from ipv6_addr_type(), and, when any of
 * LOCAL, ANYCAST, UNREACHABLE is asked, one of them from the route
 * lookup. Over lo every address of the connection is local: the lookup
 * answers LOCAL (seen in a namespace for ::1 and an address on lo:
 * LOCAL, UNICAST and LOCAL,UNICAST hold, with and without
 * --limit-iface-in/out; MULTICAST, UNSPEC, ANYCAST, UNREACHABLE do not).
 * Another unicast address would need the host's IPv6 routes.
 */
static enum ipts_match_result type6(const struct ipts_mpar *par,
				    const union nf_inet_addr *a, uint16_t mask)
{
	const struct in6_addr *in = &a->in6;
	bool mc = IN6_IS_ADDR_MULTICAST(in), any = IN6_IS_ADDR_UNSPECIFIED(in);
	const uint16_t lookup = XT_ADDRTYPE_LOCAL | XT_ADDRTYPE_ANYCAST |
				XT_ADDRTYPE_UNREACHABLE;

	if ((mask & XT_ADDRTYPE_MULTICAST) && !mc)
		return IPTS_MATCH_NO;
	if ((mask & XT_ADDRTYPE_UNICAST) && (mc || any))
		return IPTS_MATCH_NO;
	if ((mask & XT_ADDRTYPE_UNSPEC) && !any)
		return IPTS_MATCH_NO;
	if (!(mask & lookup))
		return IPTS_MATCH_YES;
	if (!mc && !any && par->h && par->h->desc) {
		/* match_lookup_rt6(): the route to @a (on the device with
		 * --limit-iface-in/out): reject or none UNREACHABLE, local
		 * LOCAL, a subnet-router anycast ANYCAST */
		const struct xt_addrtype_info_v1 *info = par->info;
		struct ipts_fib6_flow fl = { .daddr = *in };
		struct ipts_fib6_result r;
		uint16_t got = 0;

		if (info->flags & XT_ADDRTYPE_LIMIT_IFACE_IN)
			fl.oif = par->p->in;
		else if (info->flags & XT_ADDRTYPE_LIMIT_IFACE_OUT)
			fl.oif = par->p->out;
		ipts_fib6_lookup(par->h->desc, &fl, &r, NULL);
		if (r.status == IPTS_FIB_UNDETERMINED)
			return ipts_munknown(par, "ip6t's -m addrtype: the "
						  "host's policy rules decide");
		if (r.status != IPTS_FIB_OK || r.err ||
		    r.type == IPTS_RTN_BLACKHOLE)
			got = XT_ADDRTYPE_UNREACHABLE;
		else if (r.type == IPTS_RTN_LOCAL)
			got = XT_ADDRTYPE_LOCAL;
		else if (r.type == IPTS_RTN_ANYCAST)
			got = XT_ADDRTYPE_ANYCAST;
		if (IN6_IS_ADDR_LOOPBACK(in))
			got = XT_ADDRTYPE_LOCAL;
		return ipts_mres(mask & lookup & got);
	}
	if (!mc && !any && ipts_host_is_local(par->h, a))
		return ipts_mres(mask & XT_ADDRTYPE_LOCAL);
	return ipts_munknown(par, "ip6t's -m addrtype of an address that is "
				  "not local: the host's IPv6 routes decide "
				  "(not simulated yet)");
}

static enum ipts_match_result tri_inv(enum ipts_match_result r, bool inv)
{
	if (r == IPTS_MATCH_UNKNOWN || !inv)
		return r;
	return r == IPTS_MATCH_YES ? IPTS_MATCH_NO : IPTS_MATCH_YES;
}

/* addrtype_mt6() (revision 1, the only one IPv6 has) */
static enum ipts_match_result mt_addrtype6(const struct ipts_mpar *par)
{
	const struct xt_addrtype_info_v1 *info = par->info;
	enum ipts_match_result src = IPTS_MATCH_YES, dst = IPTS_MATCH_YES;

	if (info->source)
		src = tri_inv(type6(par, &par->p->saddr, info->source),
			      info->flags & XT_ADDRTYPE_INVERT_SOURCE);
	if (info->dest)
		dst = tri_inv(type6(par, &par->p->daddr, info->dest),
			      info->flags & XT_ADDRTYPE_INVERT_DEST);
	if (src == IPTS_MATCH_NO || dst == IPTS_MATCH_NO)
		return IPTS_MATCH_NO;
	if (src == IPTS_MATCH_UNKNOWN || dst == IPTS_MATCH_UNKNOWN)
		return IPTS_MATCH_UNKNOWN;
	return IPTS_MATCH_YES;
}

struct mt6_entry {
	const char *name;
	uint8_t revision; /* 0xff: any */
	uint16_t size;
	ipts_match_fn fn; /* NULL: @why */
	const char *why;
};

#define MT6(n, r, type, fn)                  \
	{                                    \
		n, r, sizeof(type), fn, NULL \
	}
#define MT6_UNKNOWN(n, why)           \
	{                             \
		n, 0xff, 0, NULL, why \
	}

/*
 * The names an IPv6 packet is answered for here; a name not listed goes
 * to match.c's evaluator, which reads no address of the packet for the
 * names it has but those listed (the family-independent tcp, udp,
 * multiport, tcpmss, conntrack, state, mark, connmark, owner, comment,
 * limit, statistic, length, tos, dscp, ecn, helper, policy, physdev, mac,
 * rpfilter: the kernel's v6 variants read the same fields there).
 */
static const struct mt6_entry mt6_rows[] = {
	MT6("icmp6", 0, struct ip6t_icmp, mt_icmp6),
	MT6("hl", 0, struct ip6t_hl_info, mt_hl),
	MT6("ipv6header", 0, struct ip6t_ipv6header_info, mt_ipv6header),
	MT6("frag", 0, char, mt_no_exthdr),
	MT6("hbh", 0, char, mt_no_exthdr),
	MT6("dst", 0, char, mt_no_exthdr),
	MT6("rt", 0, char, mt_no_exthdr),
	MT6("ah", 0, char, mt_no_exthdr),
	/* -p esp / -p mh, which the kernel asserts, never match the
	 * simulated packets: the rule fails before these */
	MT6("esp", 0, char, mt_no_exthdr),
	MT6("mh", 0, char, mt_no_exthdr),
	MT6("eui64", 0, int, mt_eui64),
	MT6("iprange", 1, struct xt_iprange_mtinfo, mt_iprange6),
	MT6("pkttype", 0, struct xt_pkttype_info, mt_pkttype6),
	MT6("addrtype", 1, struct xt_addrtype_info_v1, mt_addrtype6),
	MT6_UNKNOWN("srh", "-m srh: the simulated packets carry no routing "
			   "header, but srh is not simulated yet"),
};

/*
 * The IPv6 answer for blob @m when this file decides it (*@handled set),
 * else leaves it to match.c's table.
 */
enum ipts_match_result ipts_match_eval6(const struct xt_entry_match *m,
					const struct ipts_pkt *p,
					const struct ipts_host *h,
					const char **reason, bool *handled)
{
	const char *name = m->u.user.name;
	uint8_t rev = m->u.user.revision;
	struct ipts_mpar par;
	size_t i;

	*handled = false;
	for (i = 0; i < sizeof(mt6_rows) / sizeof(mt6_rows[0]); i++) {
		const struct mt6_entry *row = &mt6_rows[i];

		if (strcmp(row->name, name) != 0)
			continue;
		*handled = true;
		if (!row->fn) {
			*reason = row->why;
			return IPTS_MATCH_UNKNOWN;
		}
		if (row->revision != rev) {
			*reason = "match revision is not modelled";
			return IPTS_MATCH_UNKNOWN;
		}
		par.info = ipts_match_data(m, row->size, NULL);
		if (!par.info) {
			*reason = "match data is shorter than the kernel "
				  "expects";
			return IPTS_MATCH_UNKNOWN;
		}
		par.revision = rev;
		par.e = NULL;
		par.p = p;
		par.h = h;
		par.reason = reason;
		return row->fn(&par);
	}
	return IPTS_MATCH_UNKNOWN;
}
