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

uint32_t ipts_place_local_src(const struct ipts_hostdesc *h, uint32_t dst)
{
	struct ipts_fib_flow fl = { .daddr = dst };
	struct ipts_fib_result f;

	if (!h)
		return is_loopback(dst) ? htonl(0x7f000001) : dst;
	ipts_fib_route_output(h, &fl, &f, NULL);
	return f.status == IPTS_FIB_OK && !f.err ? f.src : 0;
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

/* --- IPv6 ------------------------------------------------------------ */

static bool in6_prefix_has(const struct in6_addr *net, unsigned int len,
			   const struct in6_addr *a)
{
	unsigned int i;

	for (i = 0; i < 16 && len; i++) {
		unsigned int bits = len >= 8 ? 8 : len;
		uint8_t m = (uint8_t)(0xffu << (8 - bits));

		if ((net->s6_addr[i] & m) != (a->s6_addr[i] & m))
			return false;
		len -= bits;
	}
	return true;
}

static bool on_link6(const struct ipts_hostdesc *h, const struct in6_addr *a)
{
	size_t i, k;

	for (i = 0; i < ipts_hostdesc_iface_count(h); i++) {
		const struct ipts_host_iface *f = ipts_hostdesc_iface_at(h, i);

		for (k = 0; k < f->naddrs6; k++)
			if (in6_prefix_has(&f->addrs6[k].local,
					   f->addrs6[k].prefixlen, a))
				return true;
	}
	return false;
}

bool ipts_place6_neighbour(const struct ipts_hostdesc *h,
			   const struct ipts_host_iface *f,
			   struct in6_addr *addr, struct in6_addr *nb,
			   bool *link_local)
{
	const struct ipts_host_addr6 *x = NULL;
	unsigned int len, i, k;
	uint8_t base;
	size_t j;

	for (j = 0; j < f->naddrs6 && !x; j++)
		if (f->addrs6[j].scope == IPTS_SCOPE_UNIVERSE &&
		    !f->addrs6[j].tentative)
			x = &f->addrs6[j];
	*link_local = !x;
	for (j = 0; j < f->naddrs6 && !x; j++)
		if (f->addrs6[j].scope == IPTS_SCOPE_LINK &&
		    !f->addrs6[j].tentative)
			x = &f->addrs6[j];
	if (!x)
		return false;
	*addr = x->local;
	len = *link_local ? 64 : x->prefixlen;
	if (len > 126)
		return false;
	/* the prefix's network, then its first addresses */
	*nb = x->local;
	for (i = len; i < 128; i++)
		nb->s6_addr[i / 8] &= (uint8_t) ~(0x80u >> (i % 8));
	base = nb->s6_addr[15];
	for (k = 1; k <= 8 && (len < 121 || k < (1u << (128 - len))); k++) {
		nb->s6_addr[15] = (uint8_t)(base | k);
		if (ipts_host6_addr_type(h, nb) != IPTS_RTN_LOCAL)
			return true;
	}
	return false;
}

bool ipts_place6_outside(const struct ipts_hostdesc *h, unsigned int nth,
			 struct in6_addr *a)
{
	static const char *const far[] = { "2001:db8:ffff::45",
					   "2001:db8:fffe::45",
					   "2001:db8:a5::45",
					   "2606:4700:4700::1111" };
	size_t i;

	for (i = 0; i < sizeof(far) / sizeof(far[0]); i++) {
		if (inet_pton(AF_INET6, far[i], a) != 1)
			continue;
		if ((!h || (!on_link6(h, a) &&
			    ipts_host6_addr_type(h, a) == IPTS_RTN_UNICAST)) &&
		    !nth--)
			return true;
	}
	return false;
}

bool ipts_place6_local_src(const struct ipts_hostdesc *h,
			   const struct in6_addr *dst, struct in6_addr *src)
{
	struct ipts_fib6_flow fl = { .daddr = *dst };
	struct ipts_fib6_result f;

	if (!h) {
		*src = *dst;
		return true;
	}
	ipts_fib6_route_output(h, &fl, &f, NULL);
	if (f.status != IPTS_FIB_OK || f.err || !f.has_src)
		return false;
	*src = f.src;
	return true;
}
