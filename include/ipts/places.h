#ifndef IPTS_PLACES_H
#define IPTS_PLACES_H

/*
 * Where a client of a described host can be, as `diff` and `exposure`
 * choose it: a neighbour inside an interface's first prefix, and an
 * address outside every prefix of the host (the internet). Addresses in
 * network byte order; the host is borrowed for the call.
 */
#include <netinet/in.h>
#include <stdbool.h>
#include <stdint.h>

struct ipts_hostdesc;
struct ipts_host_iface;

/* Whether @a is in 127.0.0.0/8 or an address of @h (NULL: lo only). */
bool ipts_place_local(const struct ipts_hostdesc *h, uint32_t a);

/* Whether @a is on a link of @h: inside a prefix, or a peer. */
bool ipts_place_on_link(const struct ipts_hostdesc *h, uint32_t a);

/*
 * A neighbour of @f: the peer of a point-to-point address, else the first
 * address of its first prefix that is neither the host's nor the subnet's
 * broadcast. 0 when the prefix has no room (or @f has no address).
 */
uint32_t ipts_place_neighbour(const struct ipts_hostdesc *h,
			      const struct ipts_host_iface *f);

/*
 * The source a process of @h connecting to @dst is given (the local
 * route's prefsrc: @dst itself, its subnet's primary address for a
 * secondary one, 127.0.0.1 for 127/8), as connect() gives it; without
 * @h, @dst itself (127.0.0.1 for 127/8). 0 when the host's routes give
 * none (connect() would fail).
 */
uint32_t ipts_place_local_src(const struct ipts_hostdesc *h, uint32_t dst);

/*
 * An address outside every prefix of @h that @h takes as unicast: a
 * documentation address first (203.0.113.45, 198.51.100.45, 192.0.2.45),
 * then two that are not. 0 when every one is on a link of @h.
 */
uint32_t ipts_place_outside(const struct ipts_hostdesc *h);

/*
 * IPv6: the address of @f a client on its link connects to, and that
 * neighbour: the first global address (not tentative) and the first
 * address of its prefix after the subnet-router anycast that is not the
 * host's; with no global address, its link-local one and fe80::1 (or the
 * next one not the host's). False when @f has neither, or no room.
 * @link_local says which it is.
 */
bool ipts_place6_neighbour(const struct ipts_hostdesc *h,
			   const struct ipts_host_iface *f,
			   struct in6_addr *addr, struct in6_addr *nb,
			   bool *link_local);

/*
 * The @nth (from 0) IPv6 address outside every prefix of @h that @h takes
 * as unicast: 2001:db8:ffff::45 (the documentation range) first, then
 * others of 2001:db8::/32 and 2606:4700:4700::1111. False when there is
 * no @nth one.
 */
bool ipts_place6_outside(const struct ipts_hostdesc *h, unsigned int nth,
			 struct in6_addr *a);

/*
 * IPv6: the source a process of @h connecting to @dst is given (the
 * route's prefsrc, else ipv6_dev_get_saddr()'s choice: @dst itself
 * when it is the host's), as connect() gives it, into @src; without @h,
 * @dst itself. False when the host's routes give none (connect() would
 * fail).
 */
bool ipts_place6_local_src(const struct ipts_hostdesc *h,
			   const struct in6_addr *dst, struct in6_addr *src);

#endif
