/*
 * host6.c - the described host's IPv6 side, beside its IPv4 one as the
 * kernel keeps fib6 beside fib4: inet6 addresses and the routes
 * addrconf adds for them, the v6 routing tables and the two default
 * policy rules, and net/ipv6's decisions: ip6_route_output() with a
 * local socket's source (ipv6_dev_get_saddr()), ip6_rcv_core()'s drops
 * before PREROUTING, and ip6_route_input() with ip6_forward()'s checks.
 *
 * Seen in namespaces (kernel 6.18, tests/host/facts6.txt has the
 * commands and answers): fd00:1::1/64 nodad on an up veth gives
 * "fd00:1::/64 dev va proto kernel metric 256", "local fd00:1::1 dev va
 * table local proto kernel metric 0", the device's own link-local
 * (fe80::EUI-64 of its MAC) with "fe80::/64 dev va metric 256" and
 * "local fe80::... table local", and "multicast ff00::/8 dev va table
 * local metric 256"; lo has "local ::1 dev lo table local" and no main
 * route. `ip -6 rule` has two rules, 0 local and 32766 main (no
 * default table). conf.all.forwarding=1 adds "anycast PREFIX:: dev va
 * table local" per prefix and writes every device's forwarding;
 * forwarding follows conf.all only (all 1 with va 0 forwards, all 0
 * with va 1 does not). connect(): unreachable EHOSTUNREACH, prohibit
 * EACCES, blackhole EINVAL, throw and no route ENETUNREACH; a
 * link-local destination without a zone EINVAL, even with one
 * interface.
 */
#include "host_int.h"

#include <errno.h>
#include <netinet/icmp6.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define GROW(arr, n, cap)                                                     \
	do {                                                                  \
		if ((n) == (cap)) {                                           \
			(cap) = (cap) ? 2 * (cap) : 8;                        \
			(arr) = ipts_xrealloc((arr), (cap) * sizeof(*(arr))); \
		}                                                             \
	} while (0)

static const struct in6_addr any6;

/* @a and @b agree in their first @len bits. */
static bool prefix_eq(const struct in6_addr *a, const struct in6_addr *b,
		      unsigned int len)
{
	unsigned int n = len / 8, r = len % 8;

	if (memcmp(a->s6_addr, b->s6_addr, n) != 0)
		return false;
	return !r || ((a->s6_addr[n] ^ b->s6_addr[n]) &
		      (uint8_t)(0xff << (8 - r))) == 0;
}

static void mask6(struct in6_addr *a, unsigned int len)
{
	unsigned int i;

	for (i = 0; i < 16; i++) {
		if (len >= 8) {
			len -= 8;
			continue;
		}
		a->s6_addr[i] &= (uint8_t)(0xff << (8 - len));
		len = 0;
	}
}

/* The number of leading bits @a and @b share. */
static unsigned int common_bits(const struct in6_addr *a,
				const struct in6_addr *b)
{
	unsigned int i, n = 0;

	for (i = 0; i < 16; i++) {
		uint8_t x = a->s6_addr[i] ^ b->s6_addr[i];

		if (!x) {
			n += 8;
			continue;
		}
		while (!(x & 0x80)) {
			x = (uint8_t)(x << 1);
			n++;
		}
		break;
	}
	return n;
}

static bool is_ll(const struct in6_addr *a)
{
	return IN6_IS_ADDR_LINKLOCAL(a);
}

static bool is_mc(const struct in6_addr *a)
{
	return a->s6_addr[0] == 0xff;
}

void ipts_host6_fmt(char *buf, size_t len, const struct in6_addr *a, int plen)
{
	char s[INET6_ADDRSTRLEN];

	inet_ntop(AF_INET6, a, s, sizeof(s));
	if (plen >= 0 && plen < 128)
		snprintf(buf, len, "%s/%d", s, plen);
	else
		snprintf(buf, len, "%s", s);
}

int host_parse_prefix6(const char *s, struct in6_addr *a, uint8_t *len)
{
	char buf[64], *slash, *end;
	unsigned long l = 128;
	struct in6_addr m;

	if (strcmp(s, "default") == 0 || strcmp(s, "::/0") == 0) {
		*a = any6;
		*len = 0;
		return 0;
	}
	if (strlen(s) >= sizeof(buf))
		return -1;
	strcpy(buf, s);
	slash = strchr(buf, '/');
	if (slash) {
		*slash = '\0';
		if (slash[1] < '0' || slash[1] > '9')
			return -1;
		l = strtoul(slash + 1, &end, 10);
		if (*end || l > 128)
			return -1;
	}
	if (inet_pton(AF_INET6, buf, a) != 1)
		return -1;
	*len = (uint8_t)l;
	m = *a;
	mask6(&m, *len);
	return memcmp(&m, a, sizeof(m)) == 0 ? 0 : -1;
}

/* --- storage ----------------------------------------------------------- */

static bool same_route6(const struct ipts_host_route6 *a,
			const struct ipts_host_route6 *b)
{
	return a->table == b->table && a->type == b->type &&
	       a->dst_len == b->dst_len && a->metric == b->metric &&
	       a->dev == b->dev && memcmp(&a->dst, &b->dst, 16) == 0;
}

void host_route6_add(struct ipts_hostdesc *h, const struct ipts_host_route6 *r,
		     bool replace)
{
	size_t i;

	if (replace)
		for (i = 0; i < h->nroutes6; i++) {
			struct ipts_host_route6 *o = &h->routes6[i];

			if (o->table == r->table && o->dst_len == r->dst_len &&
			    o->metric == r->metric &&
			    memcmp(&o->dst, &r->dst, 16) == 0) {
				*o = *r;
				return;
			}
		}
	GROW(h->routes6, h->nroutes6, h->cap_routes6);
	h->routes6[h->nroutes6++] = *r;
}

static void kernel_route6(struct ipts_hostdesc *h, enum ipts_rtn type,
			  uint32_t table, const struct in6_addr *dst,
			  uint8_t len, uint32_t metric, int dev)
{
	struct ipts_host_route6 r = {
		.type = type,
		.table = table,
		.dst = *dst,
		.dst_len = len,
		.metric = metric,
		.dev = dev,
		.proto_kernel = true,
		.origin = IPTS_HOST_KERNEL,
	};
	size_t i;

	mask6(&r.dst, len);
	for (i = 0; i < h->nroutes6; i++)
		if (same_route6(&h->routes6[i], &r))
			return;
	host_route6_add(h, &r, false);
}

/* The local route of @a; with @all, its prefix route and the device's
 * multicast route (addrconf_prefix_route(), addrconf_add_mroute()). */
static void derive6(struct ipts_hostdesc *h, int dev,
		    const struct ipts_host_addr6 *a, bool all)
{
	const struct host_iface *f = &h->ifaces[dev];
	static const struct in6_addr ff00 = { { { 0xff } } };

	kernel_route6(h, IPTS_RTN_LOCAL, IPTS_RT_TABLE_LOCAL, &a->local, 128, 0,
		      dev);
	if (!all || f->pub.loopback || !f->pub.up)
		return;
	if (!a->noprefixroute)
		kernel_route6(h, IPTS_RTN_UNICAST, IPTS_RT_TABLE_MAIN,
			      &a->local, a->prefixlen, 256, dev);
	kernel_route6(h, IPTS_RTN_MULTICAST, IPTS_RT_TABLE_LOCAL, &ff00, 8, 256,
		      dev);
}

void host_addr6_add(struct ipts_hostdesc *h, int dev,
		    const struct ipts_host_addr6 *a, bool derive)
{
	struct host_iface *f = &h->ifaces[dev];

	GROW(f->addrs6, f->pub.naddrs6, f->cap6);
	f->addrs6[f->pub.naddrs6++] = *a;
	f->pub.addrs6 = f->addrs6;
	if (derive)
		derive6(h, dev, a, true);
}

void host_addr6_derive(struct ipts_hostdesc *h, int dev,
		       const struct ipts_host_addr6 *a)
{
	derive6(h, dev, a, true);
}

void host_derive_local6(struct ipts_hostdesc *h)
{
	size_t i, j;

	for (i = 0; i < h->nifaces; i++)
		for (j = 0; j < h->ifaces[i].pub.naddrs6; j++)
			derive6(h, (int)i, &h->ifaces[i].addrs6[j], false);
}

void host_ensure_lo6(struct ipts_hostdesc *h)
{
	struct ipts_host_addr6 lo = {
		.local = IN6ADDR_LOOPBACK_INIT,
		.prefixlen = 128,
		.scope = IPTS_SCOPE_HOST,
		.origin = IPTS_HOST_KERNEL,
	};
	int dev = host_iface_find(h, "lo");
	size_t i;

	if (dev < 0)
		return;
	for (i = 0; i < h->ifaces[dev].pub.naddrs6; i++)
		if (IN6_IS_ADDR_LOOPBACK(&h->ifaces[dev].addrs6[i].local))
			return;
	host_addr6_add(h, dev, &lo, true);
}

void host_ensure_ll6(struct ipts_hostdesc *h, int dev)
{
	struct host_iface *f = &h->ifaces[dev];
	struct ipts_host_addr6 ll = {
		.prefixlen = 64,
		.scope = IPTS_SCOPE_LINK,
		.origin = IPTS_HOST_KERNEL,
	};
	uint8_t mac[6] = { 0x02, 0, 0, 0, 0, 0 };
	size_t i;

	if (f->pub.loopback || !f->pub.up)
		return;
	for (i = 0; i < f->pub.naddrs6; i++)
		if (is_ll(&f->addrs6[i].local))
			return;
	if (f->pub.has_mac) {
		memcpy(mac, f->pub.mac, 6);
	} else {
		mac[4] = (uint8_t)(f->pub.ifindex >> 8);
		mac[5] = (uint8_t)f->pub.ifindex;
		ll.assumed = true;
	}
	/* addrconf_addr_gen(), IN6_ADDR_GEN_MODE_EUI64 */
	ll.local.s6_addr[0] = 0xfe;
	ll.local.s6_addr[1] = 0x80;
	ll.local.s6_addr[8] = mac[0] ^ 0x02;
	ll.local.s6_addr[9] = mac[1];
	ll.local.s6_addr[10] = mac[2];
	ll.local.s6_addr[11] = 0xff;
	ll.local.s6_addr[12] = 0xfe;
	ll.local.s6_addr[13] = mac[3];
	ll.local.s6_addr[14] = mac[4];
	ll.local.s6_addr[15] = mac[5];
	host_addr6_add(h, dev, &ll, true);
}

void host_rule6_add(struct ipts_hostdesc *h, const struct host_rule6 *r)
{
	size_t i;

	GROW(h->rules6, h->nrules6, h->cap_rules6);
	for (i = h->nrules6; i > 0 && h->rules6[i - 1].prio > r->prio; i--)
		h->rules6[i] = h->rules6[i - 1];
	h->rules6[i] = *r;
	h->nrules6++;
}

void host_rules6_default(struct ipts_hostdesc *h)
{
	struct host_rule6 l = { 0, IPTS_RT_TABLE_LOCAL, true,
				"0: from all lookup local" };
	struct host_rule6 m = { 32766, IPTS_RT_TABLE_MAIN, true,
				"32766: from all lookup main" };

	h->nrules6 = 0;
	host_rule6_add(h, &l);
	host_rule6_add(h, &m);
}

void host_free6(struct ipts_hostdesc *h)
{
	size_t i;

	for (i = 0; i < h->nifaces; i++)
		free(h->ifaces[i].addrs6);
	free(h->routes6);
	free(h->rules6);
}

size_t ipts_hostdesc_route6_count(const struct ipts_hostdesc *h)
{
	return h->nroutes6;
}

const struct ipts_host_route6 *
ipts_hostdesc_route6_at(const struct ipts_hostdesc *h, size_t i)
{
	return i < h->nroutes6 ? &h->routes6[i] : NULL;
}

const struct ipts_host_listener *
ipts_hostdesc_listener_find6(const struct ipts_hostdesc *h, int proto,
			     const struct in6_addr *daddr, uint16_t dport,
			     const char *dev)
{
	const struct ipts_host_listener *any = NULL;
	size_t i;

	for (i = 0; i < h->nlisteners; i++) {
		const struct ipts_host_listener *l = &h->listeners[i];

		if (l->proto != proto || l->port != dport ||
		    (l->family != AF_INET6 && l->family != AF_UNSPEC) ||
		    (l->dev[0] && (!dev || strcmp(l->dev, dev) != 0)))
			continue;
		if (!l->any && memcmp(l->addr, daddr, 16) == 0)
			return l;
		if (l->any && !any)
			any = l;
	}
	return any;
}

/* --- lookup ------------------------------------------------------------ */

static bool is_reject(enum ipts_rtn t)
{
	return t == IPTS_RTN_BLACKHOLE || t == IPTS_RTN_UNREACHABLE ||
	       t == IPTS_RTN_PROHIBIT || t == IPTS_RTN_THROW;
}

/* fib6_table_lookup(): the best route of @table, NULL if none; @oif >= 0
 * keeps only that device's routes (and the reject ones). */
static const struct ipts_host_route6 *
table_lookup6(const struct ipts_hostdesc *h, uint32_t table,
	      const struct in6_addr *dst, int oif)
{
	const struct ipts_host_route6 *best = NULL;
	size_t i;

	for (i = 0; i < h->nroutes6; i++) {
		const struct ipts_host_route6 *r = &h->routes6[i];

		if (r->table != table || !prefix_eq(dst, &r->dst, r->dst_len))
			continue;
		if (oif >= 0 && !is_reject(r->type) && r->dev >= 0 &&
		    r->dev != oif)
			continue;
		if (!best || r->dst_len > best->dst_len ||
		    (r->dst_len == best->dst_len && r->metric < best->metric))
			best = r;
	}
	return best;
}

static int rtn_error6(enum ipts_rtn t)
{
	switch (t) {
	case IPTS_RTN_BLACKHOLE:
		return EINVAL;
	case IPTS_RTN_UNREACHABLE:
		return EHOSTUNREACH;
	case IPTS_RTN_PROHIBIT:
		return EACCES;
	default:
		return 0;
	}
}

/* The subnet-router anycast address of a prefix on a device whose
 * forwarding is on (addrconf_join_anycast()): its device, else -1. */
static int anycast_dev(const struct ipts_hostdesc *h,
		       const struct in6_addr *dst,
		       struct ipts_host_facts *facts)
{
	size_t i, j;

	for (i = 0; i < h->nifaces; i++) {
		const struct host_iface *f = &h->ifaces[i];

		if (f->pub.loopback)
			continue;
		for (j = 0; j < f->pub.naddrs6; j++) {
			const struct ipts_host_addr6 *a = &f->addrs6[j];
			struct in6_addr p = a->local;

			if (a->prefixlen >= 127)
				continue;
			mask6(&p, a->prefixlen);
			if (memcmp(&p, dst, 16) != 0)
				continue;
			if (ipts_hostdesc_sysctl(h, f->pub.name,
						 IPTS_KNOB_FORWARDING6, facts))
				return (int)i;
		}
	}
	return -1;
}

void ipts_fib6_lookup(const struct ipts_hostdesc *h,
		      const struct ipts_fib6_flow *fl,
		      struct ipts_fib6_result *res,
		      struct ipts_host_facts *facts)
{
	int oif = fl->oif ? host_iface_find(h, fl->oif) : -1;
	size_t i;

	memset(res, 0, sizeof(*res));
	/* ip6_route_input(): a link-local or multicast destination is
	 * looked up on the device it came in on (RT6_LOOKUP_F_IFACE) */
	if (oif < 0 && fl->iif && (is_ll(&fl->daddr) || is_mc(&fl->daddr)))
		oif = host_iface_find(h, fl->iif);
	host_fact(facts, "ip -6 rule", (long)h->nrules6, h->rules6_given,
		  h->rules6_given ? NULL : "the two default rules");
	for (i = 0; i < h->nrules6; i++) {
		const struct host_rule6 *r = &h->rules6[i];
		const struct ipts_host_route6 *rt;

		if (!r->is_default) {
			res->status = IPTS_FIB_UNDETERMINED;
			snprintf(res->why, sizeof(res->why),
				 "IPv6 policy rule '%s' may apply", r->text);
			return;
		}
		rt = table_lookup6(h, r->table, &fl->daddr, oif);
		if (!rt && r->table == IPTS_RT_TABLE_LOCAL) {
			int dev = anycast_dev(h, &fl->daddr, facts);

			if (dev >= 0 && (oif < 0 || dev == oif)) {
				res->status = IPTS_FIB_OK;
				res->type = IPTS_RTN_ANYCAST;
				res->table = IPTS_RT_TABLE_LOCAL;
				res->dev = &h->ifaces[dev].pub;
				return;
			}
		}
		if (!rt || rt->type == IPTS_RTN_THROW)
			continue;
		if (rt->multipath) {
			res->status = IPTS_FIB_UNDETERMINED;
			snprintf(res->why, sizeof(res->why),
				 "multipath route: which path a flow takes "
				 "is not told");
			return;
		}
		res->status = IPTS_FIB_OK;
		res->route = rt;
		res->type = rt->type;
		res->table = rt->table;
		res->err = rtn_error6(rt->type);
		res->dev = rt->dev >= 0 ? &h->ifaces[rt->dev].pub : NULL;
		if (rt->has_gateway)
			res->gateway = rt->gateway;
		return;
	}
	res->status = IPTS_FIB_NOROUTE;
	res->err = ENETUNREACH;
}

/* --- source address selection ----------------------------------------- */

/* ipv6_addr_scope() as the kernel numbers them: bigger is wider. */
static int scope_of6(const struct in6_addr *a)
{
	if (is_mc(a))
		return a->s6_addr[1] & 0x0f;
	if (IN6_IS_ADDR_LOOPBACK(a))
		return 0x1;
	if (is_ll(a))
		return 0x2;
	if (IN6_IS_ADDR_SITELOCAL(a))
		return 0x5;
	return 0xe;
}

/* ip6addrlbl_init_table()'s default labels. */
static int label_of(const struct in6_addr *a)
{
	static const struct {
		uint8_t p[4];
		uint8_t len;
		int label;
	} t[] = {
		{ { 0x20, 0x01, 0x00, 0x10 }, 28, 7 },
		{ { 0x20, 0x01 }, 32, 6 },
		{ { 0x20, 0x02 }, 16, 2 },
		{ { 0x3f, 0xfe }, 16, 12 },
		{ { 0xfe, 0xc0 }, 10, 11 },
		{ { 0xfc }, 7, 5 },
	};
	static const uint8_t v4mapped[12] = { [10] = 0xff, [11] = 0xff };
	size_t i;

	if (IN6_IS_ADDR_LOOPBACK(a))
		return 0;
	if (memcmp(a->s6_addr, v4mapped, 12) == 0)
		return 4;
	if (memcmp(a->s6_addr, any6.s6_addr, 12) == 0)
		return 3;
	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		struct in6_addr p = { 0 };

		memcpy(p.s6_addr, t[i].p, 4);
		if (prefix_eq(a, &p, t[i].len))
			return t[i].label;
	}
	return 1;
}

/* An answer that used a link-local address the host was not shown
 * says it assumed it. */
static void note_assumed(const struct ipts_hostdesc *h,
			 const struct in6_addr *a,
			 struct ipts_host_facts *facts)
{
	size_t i, j;

	for (i = 0; i < h->nifaces; i++)
		for (j = 0; j < h->ifaces[i].pub.naddrs6; j++) {
			const struct ipts_host_addr6 *x =
				&h->ifaces[i].addrs6[j];
			char k[128], v[48];

			if (!x->assumed || memcmp(&x->local, a, 16) != 0)
				continue;
			ipts_host6_fmt(v, sizeof(v), a, -1);
			snprintf(k, sizeof(k),
				 "%s has link-local %s: assumed (no MAC known)",
				 h->ifaces[i].pub.name, v);
			host_fact(facts, k, -1, false,
				  "the EUI-64 of 02:00:00:00:00:IFINDEX");
			return;
		}
}

/* One candidate's score, rule by rule; bigger wins (RFC 6724 5). */
struct cand {
	const struct ipts_host_addr6 *a;
	int same, scope, fresh, outdev, label, prefix;
};

static void score(struct cand *c, const struct ipts_host_addr6 *a, bool on_dev,
		  const struct in6_addr *dst)
{
	int s = scope_of6(&a->local), ds = scope_of6(dst);
	unsigned int cb = common_bits(&a->local, dst);

	c->a = a;
	c->same = memcmp(&a->local, dst, 16) == 0;
	c->scope = s >= ds ? -s : s - 128;
	c->fresh = !a->deprecated;
	c->outdev = on_dev;
	c->label = label_of(&a->local) == label_of(dst);
	c->prefix = (int)(cb < a->prefixlen ? cb : a->prefixlen);
}

static bool better(const struct cand *x, const struct cand *y)
{
	const int xs[] = { x->same,   x->scope, x->fresh,
			   x->outdev, x->label, x->prefix };
	const int ys[] = { y->same,   y->scope, y->fresh,
			   y->outdev, y->label, y->prefix };
	size_t i;

	for (i = 0; i < sizeof(xs) / sizeof(xs[0]); i++)
		if (xs[i] != ys[i])
			return xs[i] > ys[i];
	return false; /* a tie: the first found, as the kernel's loop */
}

bool ipts_host6_select_addr(const struct ipts_hostdesc *h,
			    const struct ipts_host_iface *dev,
			    const struct in6_addr *dst, struct in6_addr *src,
			    struct ipts_host_facts *facts)
{
	/* a link-local or link-scope multicast destination: only @dev's */
	bool strict = dev &&
		      (is_ll(dst) || (is_mc(dst) && scope_of6(dst) <= 0x2));
	struct cand best = { 0 }, c;
	size_t i, j;

	for (i = 0; i < h->nifaces; i++) {
		const struct host_iface *f = &h->ifaces[i];
		bool on = dev && &f->pub == dev;

		if (strict && !on)
			continue;
		for (j = 0; j < f->pub.naddrs6; j++) {
			const struct ipts_host_addr6 *a = &f->addrs6[j];

			if (a->tentative)
				continue;
			score(&c, a, on, dst);
			if (!best.a || better(&c, &best))
				best = c;
		}
	}
	if (!best.a)
		return false;
	*src = best.a->local;
	note_assumed(h, &best.a->local, facts);
	return true;
}

void ipts_fib6_route_output(const struct ipts_hostdesc *h,
			    const struct ipts_fib6_flow *fl,
			    struct ipts_fib6_result *res,
			    struct ipts_host_facts *facts)
{
	struct ipts_fib6_flow f = *fl;
	const struct ipts_host_route6 *rt;
	const struct ipts_host_iface *dev;

	f.iif = NULL;
	if (is_ll(&f.daddr) && !f.oif) {
		/* tcp_v6_connect(), udpv6: a link-local needs a zone */
		memset(res, 0, sizeof(*res));
		res->status = IPTS_FIB_OK;
		res->err = EINVAL;
		snprintf(res->why, sizeof(res->why),
			 "a link-local destination without a zone "
			 "(%%IFACE): connect() fails with EINVAL");
		return;
	}
	ipts_fib6_lookup(h, &f, res, facts);
	if (res->status != IPTS_FIB_OK || res->err)
		return;
	rt = res->route;
	if (rt && rt->has_prefsrc) {
		res->src = rt->prefsrc;
		res->has_src = true;
	} else if (memcmp(&f.saddr, &any6, 16) != 0) {
		res->src = f.saddr;
		res->has_src = true;
		note_assumed(h, &f.saddr, facts);
	} else if (res->type == IPTS_RTN_LOCAL) {
		res->src = f.daddr; /* to itself: the destination */
		res->has_src = true;
	} else {
		dev = res->dev;
		res->has_src = ipts_host6_select_addr(h, dev, &f.daddr,
						      &res->src, facts);
	}
	if (res->type == IPTS_RTN_LOCAL || res->type == IPTS_RTN_ANYCAST)
		res->dev = ipts_hostdesc_iface(h, "lo");
}

bool ipts_host6_is_addr_of(const struct ipts_host_iface *dev,
			   const struct in6_addr *addr)
{
	size_t i;

	for (i = 0; i < dev->naddrs6; i++)
		if (memcmp(&dev->addrs6[i].local, addr, 16) == 0)
			return true;
	return false;
}

enum ipts_rtn ipts_host6_addr_type(const struct ipts_hostdesc *h,
				   const struct in6_addr *addr)
{
	const struct ipts_host_route6 *r;

	if (is_mc(addr))
		return IPTS_RTN_MULTICAST;
	if (IN6_IS_ADDR_LOOPBACK(addr))
		return IPTS_RTN_LOCAL;
	r = table_lookup6(h, IPTS_RT_TABLE_LOCAL, addr, -1);
	if (r && r->type == IPTS_RTN_LOCAL)
		return IPTS_RTN_LOCAL;
	if (r && r->type == IPTS_RTN_ANYCAST)
		return IPTS_RTN_ANYCAST;
	if (anycast_dev(h, addr, NULL) >= 0)
		return IPTS_RTN_ANYCAST;
	return IPTS_RTN_UNICAST;
}

/* --- input ------------------------------------------------------------- */

bool ipts_fib6_rcv_drops(const struct ipts_hostdesc *h,
			 const struct in6_addr *saddr,
			 const struct in6_addr *daddr, const char *iif,
			 char *why)
{
	const struct ipts_host_iface *f = ipts_hostdesc_iface(h, iif);

	if (f && f->loopback)
		return false;
	if (IN6_IS_ADDR_LOOPBACK(saddr) || IN6_IS_ADDR_LOOPBACK(daddr)) {
		snprintf(why, 160,
			 "ip6_rcv_core(): ::1 as the %s on %s, which is not "
			 "the loopback device, is dropped before PREROUTING",
			 IN6_IS_ADDR_LOOPBACK(saddr) ? "source" : "destination",
			 iif);
		return true;
	}
	if (is_mc(saddr)) {
		snprintf(why, 160,
			 "ip6_rcv_core(): a multicast source is dropped "
			 "before PREROUTING");
		return true;
	}
	if (is_mc(daddr) && (daddr->s6_addr[1] & 0x0f) <= 1) {
		snprintf(why, 160,
			 "ip6_rcv_core(): an interface-local (or scope 0) "
			 "multicast destination on %s is dropped before "
			 "PREROUTING",
			 iif);
		return true;
	}
	return false;
}

void ipts_fib6_route_input(const struct ipts_hostdesc *h,
			   const struct in6_addr *saddr,
			   const struct in6_addr *daddr, const char *iif,
			   struct ipts_route_input6 *res,
			   struct ipts_host_facts *facts)
{
	const struct ipts_host_iface *in = ipts_hostdesc_iface(h, iif);
	struct ipts_fib6_flow fl = { .daddr = *daddr,
				     .saddr = *saddr,
				     .iif = iif };
	long fwd;

	memset(res, 0, sizeof(*res));
	res->icmp6_code = -1;
	if (!in) {
		res->verdict = IPTS_INPUT_DROP;
		res->reason = IPTS_INPUT_UNKNOWN_IFACE;
		snprintf(res->why, sizeof(res->why),
			 "%s is not an interface of the host", iif);
		return;
	}
	if (ipts_fib6_rcv_drops(h, saddr, daddr, iif, res->why)) {
		res->verdict = IPTS_INPUT_DROP;
		res->reason = IN6_IS_ADDR_LOOPBACK(daddr) ?
				      IPTS_INPUT_MARTIAN_DEST :
				      IPTS_INPUT_MARTIAN_SOURCE;
		res->before_prerouting = true;
		return;
	}
	note_assumed(h, daddr, facts);
	ipts_fib6_lookup(h, &fl, &res->fib, facts);
	if (res->fib.status == IPTS_FIB_UNDETERMINED) {
		res->verdict = IPTS_INPUT_UNDETERMINED;
		snprintf(res->why, sizeof(res->why), "%s", res->fib.why);
		return;
	}
	if (res->fib.status == IPTS_FIB_NOROUTE || res->fib.err ||
	    res->fib.type == IPTS_RTN_BLACKHOLE) {
		/* ip6_pkt_discard(), ip6_pkt_prohibit(), dst_discard():
		 * sent whatever forwarding says (seen) */
		res->verdict = IPTS_INPUT_DROP;
		res->reason = IPTS_INPUT_NO_ROUTE;
		res->err = res->fib.err;
		res->icmp6_code = res->fib.type == IPTS_RTN_BLACKHOLE &&
						  res->fib.status ==
							  IPTS_FIB_OK ?
					  -1 :
				  res->fib.type == IPTS_RTN_PROHIBIT &&
						  res->fib.status ==
							  IPTS_FIB_OK ?
					  ICMP6_DST_UNREACH_ADMIN :
					  ICMP6_DST_UNREACH_NOROUTE;
		snprintf(res->why, sizeof(res->why), "%s",
			 res->fib.status == IPTS_FIB_NOROUTE ?
				 "there is no route to the destination" :
				 "the route to the destination rejects it");
		return;
	}
	switch (res->fib.type) {
	case IPTS_RTN_LOCAL:
	case IPTS_RTN_ANYCAST:
		res->verdict = IPTS_INPUT_LOCAL;
		return;
	case IPTS_RTN_UNICAST:
		break;
	default:
		res->verdict = IPTS_INPUT_UNDETERMINED;
		snprintf(res->why, sizeof(res->why),
			 "a %s route: IPv6 multicast is not simulated",
			 ipts_rtn_name(res->fib.type));
		return;
	}
	fwd = ipts_hostdesc_sysctl(h, "all", IPTS_KNOB_FORWARDING6, facts);
	if (!fwd) {
		/* ip6_forward(): devconf_all->forwarding 0, IPSTATS
		 * INADDRERRORS, no ICMPv6 (seen) */
		res->verdict = IPTS_INPUT_DROP;
		res->reason = IPTS_INPUT_NOT_FORWARDING;
		snprintf(res->why, sizeof(res->why),
			 "not an address of the host and "
			 "net.ipv6.conf.all.forwarding is 0: ip6_forward() "
			 "drops it silently, no ICMPv6");
		return;
	}
	if (is_ll(saddr) || IN6_IS_ADDR_LOOPBACK(saddr)) {
		res->verdict = IPTS_INPUT_DROP;
		res->reason = IPTS_INPUT_MARTIAN_SOURCE;
		snprintf(res->why, sizeof(res->why),
			 "ip6_forward(): a link-local source is never "
			 "forwarded (dropped before FORWARD)");
		return;
	}
	res->verdict = IPTS_INPUT_FORWARD;
}
