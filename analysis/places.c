/*
 * places.c - the addresses a client of a described host is given (see
 * places.h): `diff` asks its connections from them, `exposure` makes one
 * column of each.
 */
#include "places.h"

#include <arpa/inet.h>
#include <stddef.h>

#include "host.h"

static bool is_loopback(uint32_t addr)
{
	return (ntohl(addr) >> 24) == 127;
}

static uint32_t prefix_mask(uint8_t len)
{
	return len ? htonl(~0u << (32 - len)) : 0;
}

bool ipts_place_local(const struct ipts_hostdesc *h, uint32_t a)
{
	return is_loopback(a) ||
	       (h && ipts_host_addr_type(h, a) == IPTS_RTN_LOCAL);
}

bool ipts_place_on_link(const struct ipts_hostdesc *h, uint32_t a)
{
	size_t i, k;

	for (i = 0; i < ipts_hostdesc_iface_count(h); i++) {
		const struct ipts_host_iface *f = ipts_hostdesc_iface_at(h, i);

		for (k = 0; k < f->naddrs; k++) {
			const struct ipts_host_addr *x = &f->addrs[k];
			uint32_t m = prefix_mask(x->prefixlen);

			if ((x->peer & m) == (a & m) || x->local == a)
				return true;
		}
	}
	return false;
}

uint32_t ipts_place_neighbour(const struct ipts_hostdesc *h,
			      const struct ipts_host_iface *f)
{
	const struct ipts_host_addr *x;
	uint32_t net, bcast, a;
	unsigned int k;

	if (!f->naddrs)
		return 0;
	x = &f->addrs[0];
	if (x->has_peer)
		return x->peer != x->local ? x->peer : 0;
	if (x->prefixlen >= 32)
		return 0;
	net = ntohl(x->local) & ntohl(prefix_mask(x->prefixlen));
	bcast = net | ~ntohl(prefix_mask(x->prefixlen));
	for (k = x->prefixlen == 31 ? 0 : 1; k <= 8; k++) {
		a = net + k;
		if (a > bcast || (x->prefixlen < 31 && a == bcast))
			break;
		if (!ipts_place_local(h, htonl(a)))
			return htonl(a);
	}
	return 0;
}

uint32_t ipts_place_outside(const struct ipts_hostdesc *h)
{
	/* documentation ranges first (RFC 5737), then two that are not */
	static const uint32_t far[] = { 0xcb00712du, 0xc633642du, 0xc000022du,
					0x5db8d822u, 0x08080808u };
	size_t i;

	for (i = 0; i < sizeof(far) / sizeof(far[0]); i++)
		if (!ipts_place_on_link(h, htonl(far[i])) &&
		    ipts_host_addr_type(h, htonl(far[i])) == IPTS_RTN_UNICAST)
			return htonl(far[i]);
	return 0;
}
