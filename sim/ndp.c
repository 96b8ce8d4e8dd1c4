/*
 * ndp.c - IPv6 neighbour discovery between the described host and
 * another host on one of its links (RFC 4861, net/ipv6/ndisc.c): the
 * neighbour solicitation (NS) a host sends before its first packet to a
 * neighbour whose link address it does not know, and the advertisement
 * (NA) that answers it. Both are the kernel's own ICMPv6 packets
 * (ndisc_send_skb(): hop limit 255, no routing decision, LOCAL_OUT then
 * POST_ROUTING on the device), untracked by conntrack
 * (nf_conntrack_icmpv6_error(): types 130 to 143 that are MLD or ND get
 * IP_CT_UNTRACKED), so nat never sees them.
 *
 * Who solicits, as seen in network namespaces (kernel 6.18): the host
 * that sends first. Its NS goes to the solicited-node multicast address
 * of the neighbour (ff02::1:ffXX:XXXX, the target's last 24 bits) from
 * the address the waiting packet has as its source when that address is
 * on the device (ndisc_solicit()), else the device's best source. The NS
 * carries the sender's link address, so the neighbour learns it (a
 * STALE entry): the answering side sends no NS of its own. The NA goes
 * from the target address to the NS's source. Lengths: 72 bytes each
 * (40 of IPv6, 24 of NS/NA, 8 of the link-address option).
 *
 * Unanswered, the soliciting host gives up after mcast_solicit (3) NS
 * one retrans_time (1 s) apart: the waiting packet is dropped and a
 * connecting socket gets EHOSTUNREACH (measured: 3.06 s for a local
 * connect(), 3.08 s for a remote client). The handshake (handshake.c)
 * walks the packets; this file says what they are.
 */
#include "walk_int.h" /* first: glibc headers before the uapi ones */

#include "host.h"
#include <string.h>
#include <netinet/in.h>

void ipts_ndp_solicited_node(const struct in6_addr *target,
			     struct in6_addr *group)
{
	static const uint8_t prefix[13] = { 0xff, 0x02, 0, 0, 0, 0,   0,
					    0,	  0,	0, 0, 1, 0xff };

	memcpy(group->s6_addr, prefix, sizeof(prefix));
	memcpy(group->s6_addr + 13, target->s6_addr + 13, 3);
}

void ipts_ndp_shape(struct ipts_pkt *p, uint8_t type)
{
	p->protocol = IPPROTO_ICMPV6;
	p->icmp_type = type;
	p->icmp_code = 0;
	p->sport = p->dport = 0;
	p->ttl = 255;
	p->tos = 0;
	p->flowlabel = 0;
	p->tot_len = IPTS_NDP_LEN;
	p->tcp_flags = 0;
	p->tcp_doff = 0;
	p->tcp_opts = NULL;
	p->ct = NULL;
	p->ctinfo = IPTS_CT_UNTRACKED;
	p->reply_dir = false;
}

bool ipts_ndp_next_hop(struct ipts_sim *s, const char *dev,
		       const struct in6_addr *daddr, struct in6_addr *hop)
{
	struct ipts_fib6_flow fl;
	struct ipts_fib6_result f;

	memset(&fl, 0, sizeof(fl));
	fl.daddr = *daddr;
	fl.oif = dev;
	ipts_fib6_route_output(s->host.desc, &fl, &f, &s->facts);
	if (f.status != IPTS_FIB_OK || f.err || !f.dev ||
	    strcmp(f.dev->name, dev) != 0)
		return false;
	*hop = IN6_IS_ADDR_UNSPECIFIED(&f.gateway) ? *daddr : f.gateway;
	return true;
}

bool ipts_ndp_source(struct ipts_sim *s, const char *dev,
		     const struct in6_addr *pkt_src,
		     const struct in6_addr *target, struct in6_addr *src)
{
	const struct ipts_host_iface *i = ipts_hostdesc_iface(s->host.desc,
							      dev);

	if (!i)
		return false;
	if (pkt_src && ipts_host6_is_addr_of(i, pkt_src)) {
		*src = *pkt_src;
		return true;
	}
	return ipts_host6_select_addr(s->host.desc, i, target, src, &s->facts);
}

bool ipts_ndp_on_link(const struct ipts_sim *s, const char *dev,
		      const struct in6_addr *addr)
{
	const struct ipts_host_iface *i =
		s->host.desc ? ipts_hostdesc_iface(s->host.desc, dev) : NULL;

	return i && !i->loopback && ipts_host6_is_addr_of(i, addr);
}

const struct ipts_packet *ipts_result_first(const struct ipts_result *res)
{
	unsigned int i;

	for (i = 0; i < res->npackets; i++)
		if (res->packets[i].kind != IPTS_PKT_NS &&
		    res->packets[i].kind != IPTS_PKT_NA)
			return &res->packets[i];
	return NULL;
}
