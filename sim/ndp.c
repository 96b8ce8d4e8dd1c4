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
 * on the device (ndisc_solicit()), else the device's link-local address
 * (ndisc_send_ns(): ipv6_get_lladdr(); a router's NS for the next hop of
 * a forwarded packet goes from fe80::, measured). The NS
 * carries the sender's link address, so the neighbour learns it (a
 * STALE entry): the answering side sends no NS of its own. The NA goes
 * from the target address to the NS's source. Lengths: 72 bytes each
 * (40 of IPv6, 24 of NS/NA, 8 of the link-address option).
 *
 * Unanswered, the soliciting host gives up after mcast_solicit (3) NS
 * one retrans_time (1 s) apart: the waiting packet is dropped and a
 * connecting socket gets EHOSTUNREACH (measured: 3.06 s for a local
 * connect(), 3.08 s for a remote client). A router (the described host
 * forwarding a remote client's packet) solicits the next hop on the out
 * device the same way, its NS through OUTPUT and POSTROUTING, the NA
 * through PREROUTING and INPUT; when that fails the packets held for
 * the neighbour are answered ICMPv6 address unreachable (type 1 code 3)
 * from the router's address toward the client, 3.06 s after the first
 * (one per held SYN; ip6_link_failure()), which walks the router's
 * OUTPUT and POSTROUTING: the client's connect() gets EHOSTUNREACH, or
 * times out when OUTPUT drops the error (measured). A remote client whose destination is not
 * on its link solicits its gateway, taken as the host's first address
 * on --in (the one oracle_net.py's peers route by).
 *
 * A remote client outside the prefixes of --in, which the host routes
 * back via a gateway on --in, is behind that router: the router's NS
 * (from its link-local, the packet's source not being its own) reaches
 * the host, never the client's. The host learns the router's link-local
 * from it; its SYN-ACK goes via the route's gateway, so unless that is
 * the same link-local the host solicits the gateway first, from the
 * SYN-ACK's source (measured, kernel 6.18: NS#2 after the SYN-ACK's
 * OUTPUT; when its NS or the NA is dropped the SYN-ACK is held and
 * dropped, no error reaches the client: a timeout). Likewise the next
 * hop of a forwarded SYN solicits the router's first address on the out
 * device before the answer comes back, unless the router's NS came from
 * that address. A router's link-local the host description does not
 * give is assumed: fe80:: and the gateway's interface identifier, said
 * in the answer's host facts. The handshake (handshake.c) walks the
 * packets; this file says what they are.
 */
#include "walk_int.h" /* first: glibc headers before the uapi ones */

#include "host.h"
#include <stdio.h>
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
	(void)target;
	if (pkt_src && ipts_host6_is_addr_of(i, pkt_src)) {
		*src = *pkt_src;
		return true;
	}
	/* ndisc_send_ns() without a source: ipv6_get_lladdr(), the
	 * device's link-local address (not tentative) */
	for (size_t k = 0; k < i->naddrs6; k++)
		if (IN6_IS_ADDR_LINKLOCAL(&i->addrs6[k].local) &&
		    !i->addrs6[k].tentative) {
			*src = i->addrs6[k].local;
			return true;
		}
	(void)s;
	return false;
}

/* Whether @a is inside @p/@len. */
static bool in_prefix(const struct in6_addr *a, const struct in6_addr *p,
		      unsigned int len)
{
	unsigned int full = len / 8, rest = len % 8;
	uint8_t m;

	if (len > 128 || memcmp(a->s6_addr, p->s6_addr, full) != 0)
		return false;
	if (!rest)
		return true;
	m = (uint8_t)(0xff << (8 - rest));
	return (a->s6_addr[full] & m) == (p->s6_addr[full] & m);
}

bool ipts_ndp_on_link(const struct ipts_sim *s, const char *dev,
		      const struct in6_addr *addr)
{
	const struct ipts_host_iface *i =
		s->host.desc ? ipts_hostdesc_iface(s->host.desc, dev) : NULL;

	return i && !i->loopback && ipts_host6_is_addr_of(i, addr);
}

/* The host's own route back to @client leaves by @dev via a gateway:
 * *@gw. */
static bool routed_via(struct ipts_sim *s, const char *dev,
		       const struct in6_addr *client, struct in6_addr *gw)
{
	struct ipts_fib6_flow fl;
	struct ipts_fib6_result f;

	memset(&fl, 0, sizeof(fl));
	fl.daddr = *client;
	ipts_fib6_route_output(s->host.desc, &fl, &f, &s->facts);
	if (f.status != IPTS_FIB_OK || f.err || !f.dev ||
	    strcmp(f.dev->name, dev) != 0 ||
	    IN6_IS_ADDR_UNSPECIFIED(&f.gateway))
		return false;
	*gw = f.gateway;
	return true;
}

void ipts_ndp_note_router(struct ipts_sim *s, const char *dev,
			  const struct in6_addr *gw, const struct in6_addr *ll)
{
	struct ipts_host_facts *f = &s->facts;
	struct ipts_host_fact *x;
	char g[48], l[48], k[160];
	size_t n;

	if (IN6_IS_ADDR_UNSPECIFIED(gw) || IN6_IS_ADDR_LINKLOCAL(gw))
		return; /* no router, or its link-local is known */
	if (f->n == IPTS_HOST_FACTS_MAX) {
		f->dropped++;
		return;
	}
	ipts_host6_fmt(g, sizeof(g), gw, -1);
	ipts_host6_fmt(l, sizeof(l), ll, -1);
	n = (size_t)snprintf(k, sizeof(k),
			     "router %s on %s: link-local %s assumed", g, dev,
			     l);
	x = &f->v[f->n++];
	memset(x, 0, sizeof(*x));
	if (n >= sizeof(x->key))
		n = sizeof(x->key) - 1; /* cut: the key's room */
	memcpy(x->key, k, n);
	x->value = -1;
}

bool ipts_ndp_client_ns(struct ipts_sim *s, const char *dev,
			const struct in6_addr *client,
			const struct in6_addr *dst, struct in6_addr *src,
			struct in6_addr *target, struct in6_addr *router)
{
	const struct ipts_host_iface *i =
		s->host.desc ? ipts_hostdesc_iface(s->host.desc, dev) : NULL;
	struct in6_addr gw;
	bool near = false, behind;

	if (!i || i->loopback)
		return false;
	for (size_t k = 0; k < i->naddrs6 && !near; k++)
		near = in_prefix(client, &i->addrs6[k].local,
				 i->addrs6[k].prefixlen);
	/* another address of the host, not on the link: the client's
	 * route names its gateway there, the host's first address on the
	 * link (seen: the host's NS for it in INPUT, its NA in OUTPUT;
	 * the NS dropped, the client's connect() gets EHOSTUNREACH); ::1
	 * only reaches the wire rewritten (--wire-dst), after whatever
	 * the client solicited */
	if (IN6_IS_ADDR_LOOPBACK(dst))
		return false;
	/* not on the link, and the host routes it back via a gateway
	 * there: the client is behind that router */
	behind = !near && !IN6_IS_ADDR_LINKLOCAL(client) &&
		 routed_via(s, dev, client, &gw);
	if (ipts_ndp_on_link(s, dev, dst))
		*target = *dst;
	else if (!near && !behind)
		return false;
	else {
		/* the host's first address on the link, which the
		 * neighbour's route names (oracle_net.py's peers) */
		bool found = false;

		for (size_t k = 0; k < i->naddrs6 && !found; k++)
			if (!IN6_IS_ADDR_LINKLOCAL(&i->addrs6[k].local) &&
			    !i->addrs6[k].tentative) {
				*target = i->addrs6[k].local;
				found = true;
			}
		if (!found)
			return false;
	}
	if (!behind) {
		*src = *client;
		memset(router, 0, sizeof(*router));
		return true;
	}
	/*
	 * A router forwarding the client's packet solicits from its
	 * link-local address (ndisc_solicit(): the packet's source is not
	 * on its device). The gateway when that is a link-local; else not
	 * in the description: assumed to have the gateway's interface
	 * identifier (fe80::1 for 2001:db8:1::1).
	 */
	*router = gw;
	if (IN6_IS_ADDR_LINKLOCAL(&gw)) {
		*src = gw;
		return true;
	}
	memset(src, 0, sizeof(*src));
	src->s6_addr[0] = 0xfe;
	src->s6_addr[1] = 0x80;
	memcpy(src->s6_addr + 8, gw.s6_addr + 8, 8);
	return true;
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
