/*
 * host.c - what the simulator knows of the host (struct ipts_host in
 * sim_int.h): never the machine iptsim runs on, only what the query
 * says, or the host it describes (host.h). Below everything that asks it
 * (the matches, NAT).
 */
#include "sim_int.h"	/* first: glibc headers before the uapi ones */

#include "host.h"

#include <arpa/inet.h>
#include <linux/rtnetlink.h>
#include <string.h>

bool ipts_host_is_local(const struct ipts_host *h,
			const union nf_inet_addr *addr)
{
	unsigned int i;

	if (h && h->family == NFPROTO_IPV6) {
		/* ::1/128 is lo's; there is no route_localnet */
		if (IN6_IS_ADDR_LOOPBACK(&addr->in6))
			return true;
		if (h->desc)
			return ipts_host6_addr_type(h->desc, &addr->in6) ==
			       IPTS_RTN_LOCAL;
	} else if ((ntohl(addr->ip) >> 24) == 127) {
		return true;
	}
	if (!h)
		return false;
	if (h->desc && h->family != NFPROTO_IPV6)
		return ipts_host_addr_type(h->desc, addr->ip) == IPTS_RTN_LOCAL;
	for (i = 0; i < h->nlocal; i++)
		if (ipts_addr_eq(&h->local_addrs[i], addr))
			return true;
	return false;
}

/* Whether @addr is a subnet broadcast of one of @ifc's prefixes (the
 * kernel adds one below /31: fib_add_ifaddr()). */
static bool is_bcast_of(const struct ipts_host_iface *ifc, uint32_t addr)
{
	size_t i;

	for (i = 0; i < ifc->naddrs; i++) {
		const struct ipts_host_addr *a = &ifc->addrs[i];
		uint32_t mask;

		if (a->prefixlen >= 31 || a->has_peer)
			continue;
		mask = a->prefixlen ? htonl(~0u << (32 - a->prefixlen)) : 0;
		if ((a->local | ~mask) == addr)
			return true;
	}
	return false;
}

static bool is_addr_of(const struct ipts_host_iface *ifc, uint32_t addr)
{
	size_t i;

	for (i = 0; i < ifc->naddrs; i++)
		if (ifc->addrs[i].local == addr)
			return true;
	return false;
}

unsigned int ipts_host_addr_types(const struct ipts_host *h, uint32_t addr,
				  const char *dev)
{
	const struct ipts_host_iface *ifc;
	uint32_t a = ntohl(addr);

	if ((a >> 24) == 0 || a == 0xffffffffu)
		return 1u << RTN_BROADCAST;
	if ((a >> 28) == 0xe)
		return 1u << RTN_MULTICAST;
	if (!dev || !*dev) {
		switch (ipts_host_addr_type(h->desc, addr)) {
		case IPTS_RTN_LOCAL:
			return 1u << RTN_LOCAL;
		case IPTS_RTN_BROADCAST:
			return 1u << RTN_BROADCAST;
		default:
			return 1u << RTN_UNICAST;
		}
	}
	ifc = ipts_hostdesc_iface(h->desc, dev);
	if (!ifc)
		return 1u << RTN_UNICAST;
	if (is_addr_of(ifc, addr))
		return 1u << RTN_LOCAL;
	if (is_bcast_of(ifc, addr))
		return 1u << RTN_BROADCAST;
	return 1u << RTN_UNICAST;
}
