/*
 * model.c - the described host's storage: interfaces and their
 * addresses, routes, policy rules, sysctls and listeners, and what the
 * kernel adds by itself. An address brings its routes as
 * fib_add_ifaddr() (net/ipv4/fib_frontend.c) adds them: "local ADDR"
 * in the local table, for a primary address the connected route in main
 * and, below /31, the subnet's broadcast. Seen in a namespace
 * (tests/host/facts.sh, kernel 6.18): 10.0.1.1/24 + 10.0.1.9/24 on r1
 * give local 10.0.1.1, local 10.0.1.9 src 10.0.1.1, broadcast
 * 10.0.1.255 (no network-address broadcast); /31 and /32 no broadcast.
 */
#include "host_int.h"

#include <assert.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define GROW(arr, n, cap)                                                    \
	do {                                                                 \
		if ((n) == (cap)) {                                          \
			(cap) = (cap) ? 2 * (cap) : 8;                       \
			(arr) = ipts_xrealloc((arr), (cap) * sizeof(*(arr))); \
		}                                                            \
	} while (0)

void host_keep_source(struct ipts_hostdesc *h, struct ipts_source *src)
{
	GROW(h->srcs, h->nsrcs, h->cap_srcs);
	h->srcs[h->nsrcs++] = src;
}

int host_iface_find(const struct ipts_hostdesc *h, const char *name)
{
	size_t i;

	for (i = 0; i < h->nifaces; i++)
		if (strcmp(h->ifaces[i].pub.name, name) == 0)
			return (int)i;
	return -1;
}

int host_iface_get(struct ipts_hostdesc *h, const char *name, int ifindex)
{
	struct host_iface *f;
	int i = host_iface_find(h, name);
	size_t j;

	if (i >= 0)
		return i;
	GROW(h->ifaces, h->nifaces, h->cap_ifaces);
	f = &h->ifaces[h->nifaces];
	memset(f, 0, sizeof(*f));
	snprintf(f->pub.name, sizeof(f->pub.name), "%s", name);
	if (ifindex <= 0) {
		ifindex = 1;
		for (j = 0; j < h->nifaces; j++)
			if (h->ifaces[j].pub.ifindex >= ifindex)
				ifindex = h->ifaces[j].pub.ifindex + 1;
	}
	f->pub.ifindex = ifindex;
	f->pub.up = true;
	return (int)h->nifaces++;
}

static bool same_route(const struct ipts_host_route *a,
		       const struct ipts_host_route *b)
{
	return a->table == b->table && a->type == b->type &&
	       a->dst == b->dst && a->dst_len == b->dst_len &&
	       a->metric == b->metric && a->dev == b->dev;
}

/* A route the kernel adds, unless the table has it already. */
static void kernel_route(struct ipts_hostdesc *h, enum ipts_rtn type,
			 uint32_t table, uint32_t dst, uint8_t len, int scope,
			 int dev, uint32_t prefsrc)
{
	struct ipts_host_route r = {
		.type = type, .table = table, .dst = dst, .dst_len = len,
		.scope = (uint8_t)scope, .dev = dev, .prefsrc = prefsrc,
		.proto_kernel = true, .origin = IPTS_HOST_KERNEL,
	};
	size_t i;

	for (i = 0; i < h->nroutes; i++)
		if (same_route(&h->routes[i], &r))
			return;
	host_route_add(h, &r, false);
}

/* The primary address of @a's subnet on @f (itself when primary). */
static const struct ipts_host_addr *primary_of(const struct host_iface *f,
					       const struct ipts_host_addr *a)
{
	uint32_t m = host_mask(a->prefixlen);
	size_t i;

	for (i = 0; i < f->pub.naddrs; i++) {
		const struct ipts_host_addr *p = &f->addrs[i];

		if (!p->secondary && p->prefixlen == a->prefixlen &&
		    ((p->peer ^ a->peer) & m) == 0)
			return p;
	}
	return a;
}

/* fib_add_ifaddr(): local ADDR; connected prefix and broadcast if primary. */
static void derive_routes(struct ipts_hostdesc *h, int dev,
			  const struct ipts_host_addr *a, bool local_only)
{
	const struct host_iface *f = &h->ifaces[dev];
	const struct ipts_host_addr *prim = primary_of(f, a);
	uint32_t m = host_mask(a->prefixlen), prefix = a->peer & m;

	kernel_route(h, IPTS_RTN_LOCAL, IPTS_RT_TABLE_LOCAL, a->local, 32,
		     IPTS_SCOPE_HOST, dev, prim->local);
	if (a->secondary || !f->pub.up)
		return;
	if ((ntohl(prefix) >> 24) == 0 ||
	    (prefix == a->local && a->prefixlen == 32))
		return;
	if (!local_only)
		kernel_route(h, f->pub.loopback ? IPTS_RTN_LOCAL :
			     IPTS_RTN_UNICAST,
			     f->pub.loopback ? IPTS_RT_TABLE_LOCAL :
			     IPTS_RT_TABLE_MAIN, prefix, a->prefixlen,
			     f->pub.loopback ? IPTS_SCOPE_HOST :
			     IPTS_SCOPE_LINK, dev, prim->local);
	else if (f->pub.loopback)
		kernel_route(h, IPTS_RTN_LOCAL, IPTS_RT_TABLE_LOCAL, prefix,
			     a->prefixlen, IPTS_SCOPE_HOST, dev, prim->local);
	if (a->prefixlen < 31)
		kernel_route(h, IPTS_RTN_BROADCAST, IPTS_RT_TABLE_LOCAL,
			     prefix | ~m, 32, IPTS_SCOPE_LINK, dev,
			     prim->local);
}

void host_addr_add(struct ipts_hostdesc *h, int dev,
		   const struct ipts_host_addr *a, bool derive)
{
	struct host_iface *f = &h->ifaces[dev];
	struct ipts_host_addr *n;
	uint32_t m = host_mask(a->prefixlen);
	size_t i;

	GROW(f->addrs, f->pub.naddrs, f->cap);
	n = &f->addrs[f->pub.naddrs];
	*n = *a;
	if (!a->has_peer)
		n->peer = n->local;
	/* __inet_insert_ifa(): secondary when the subnet has a primary. */
	n->secondary = false;
	for (i = 0; i < f->pub.naddrs; i++)
		if (!f->addrs[i].secondary &&
		    f->addrs[i].prefixlen == a->prefixlen &&
		    ((f->addrs[i].peer ^ n->peer) & m) == 0)
			n->secondary = true;
	if (a->secondary)
		n->secondary = true;	/* addr.json says so */
	f->pub.naddrs++;
	f->pub.addrs = f->addrs;
	if (derive)
		derive_routes(h, dev, n, false);
}

void host_derive_local(struct ipts_hostdesc *h)
{
	size_t i, j;

	for (i = 0; i < h->nifaces; i++)
		for (j = 0; j < h->ifaces[i].pub.naddrs; j++)
			derive_routes(h, (int)i, &h->ifaces[i].addrs[j], true);
}

void host_route_add(struct ipts_hostdesc *h, const struct ipts_host_route *r,
		    bool replace)
{
	size_t i;

	if (replace)
		for (i = 0; i < h->nroutes; i++) {
			struct ipts_host_route *o = &h->routes[i];

			if (o->table == r->table && o->dst == r->dst &&
			    o->dst_len == r->dst_len &&
			    o->metric == r->metric) {
				*o = *r;
				return;
			}
		}
	GROW(h->routes, h->nroutes, h->cap_routes);
	h->routes[h->nroutes++] = *r;
}

void host_rule_add(struct ipts_hostdesc *h, const struct host_rule *r)
{
	size_t i;

	GROW(h->rules, h->nrules, h->cap_rules);
	/* ip rule show lists them by priority; keep that order, stable. */
	for (i = h->nrules; i > 0 && h->rules[i - 1].prio > r->prio; i--)
		h->rules[i] = h->rules[i - 1];
	h->rules[i] = *r;
	h->nrules++;
}

void host_sysctl_set(struct ipts_hostdesc *h, const char *ifname,
		     enum ipts_host_knob knob, long value,
		     enum ipts_host_origin origin)
{
	struct host_sysctl *s;
	size_t i;

	for (i = 0; i < h->nsysctls; i++) {
		s = &h->sysctls[i];
		if (s->knob == knob && strcmp(s->ifname, ifname) == 0) {
			s->value = value;
			s->origin = origin;
			return;
		}
	}
	GROW(h->sysctls, h->nsysctls, h->cap_sysctls);
	s = &h->sysctls[h->nsysctls++];
	memset(s, 0, sizeof(*s));
	snprintf(s->ifname, sizeof(s->ifname), "%s", ifname);
	s->knob = knob;
	s->value = value;
	s->origin = origin;
}

void host_listener_add(struct ipts_hostdesc *h,
		       const struct ipts_host_listener *l)
{
	GROW(h->listeners, h->nlisteners, h->cap_listeners);
	h->listeners[h->nlisteners++] = *l;
}

static void add_default_rules(struct ipts_hostdesc *h)
{
	static const struct {
		uint32_t prio, table;
		const char *text;
	} def[] = {
		{ 0, IPTS_RT_TABLE_LOCAL, "0: from all lookup local" },
		{ 32766, IPTS_RT_TABLE_MAIN, "32766: from all lookup main" },
		{ 32767, IPTS_RT_TABLE_DEFAULT,
		  "32767: from all lookup default" },
	};
	size_t i;

	for (i = 0; i < sizeof(def) / sizeof(def[0]); i++) {
		struct host_rule r = {
			.prio = def[i].prio, .table = def[i].table,
			.is_default = true, .to_table = true,
		};

		snprintf(r.text, sizeof(r.text), "%s", def[i].text);
		host_rule_add(h, &r);
	}
}

struct ipts_hostdesc *host_new_bare(void)
{
	struct ipts_hostdesc *h = ipts_xcalloc(1, sizeof(*h));

	add_default_rules(h);
	host_rules6_default(h);
	return h;
}

void host_ensure_lo(struct ipts_hostdesc *h)
{
	struct ipts_host_addr lo = {
		.local = htonl(0x7f000001), .prefixlen = 8,
		.scope = IPTS_SCOPE_HOST, .origin = IPTS_HOST_KERNEL,
	};
	int dev = host_iface_find(h, "lo");
	size_t i;

	if (dev < 0) {
		dev = host_iface_get(h, "lo", 1);
		h->ifaces[dev].pub.ifindex = 1;
	}
	h->ifaces[dev].pub.loopback = true;
	host_ensure_lo6(h);
	for (i = 0; i < h->ifaces[dev].pub.naddrs; i++)
		if (h->ifaces[dev].addrs[i].local == lo.local)
			return;
	host_addr_add(h, dev, &lo, true);
}

struct ipts_hostdesc *ipts_hostdesc_new(void)
{
	struct ipts_hostdesc *h = host_new_bare();

	host_ensure_lo(h);
	return h;
}

static void clear(struct ipts_hostdesc *h, bool sources)
{
	size_t i;

	host_free6(h);
	for (i = 0; i < h->nifaces; i++)
		free(h->ifaces[i].addrs);
	free(h->ifaces);
	free(h->routes);
	free(h->rules);
	free(h->sysctls);
	free(h->listeners);
	if (sources) {
		for (i = 0; i < h->nsrcs; i++)
			ipts_source_free(h->srcs[i]);
		free(h->srcs);
	}
}

void ipts_hostdesc_free(struct ipts_hostdesc *h)
{
	if (!h)
		return;
	clear(h, true);
	free(h);
}

void host_take(struct ipts_hostdesc *to, struct ipts_hostdesc *from)
{
	struct ipts_source **srcs = to->srcs;
	size_t nsrcs = to->nsrcs, cap = to->cap_srcs, i;

	clear(to, false);
	*to = *from;
	to->srcs = srcs;
	to->nsrcs = nsrcs;
	to->cap_srcs = cap;
	for (i = 0; i < from->nsrcs; i++)
		host_keep_source(to, from->srcs[i]);
	free(from->srcs);
	free(from);
}

void host_fact(struct ipts_host_facts *f, const char *key, long value,
	       bool given, const char *via)
{
	struct ipts_host_fact *x;
	unsigned int i;

	if (!f)
		return;
	for (i = 0; i < f->n; i++)
		if (strcmp(f->v[i].key, key) == 0)
			return;
	if (f->n == IPTS_HOST_FACTS_MAX) {
		f->dropped++;
		return;
	}
	x = &f->v[f->n++];
	memset(x, 0, sizeof(*x));
	snprintf(x->key, sizeof(x->key), "%s", key);
	x->value = value;
	x->given = given;
	if (via)
		snprintf(x->via, sizeof(x->via), "%s", via);
}

static const char *const knob_names[IPTS_KNOB_COUNT] = {
	[IPTS_KNOB_FORWARDING] = "forwarding",
	[IPTS_KNOB_RP_FILTER] = "rp_filter",
	[IPTS_KNOB_ROUTE_LOCALNET] = "route_localnet",
	[IPTS_KNOB_ACCEPT_LOCAL] = "accept_local",
	[IPTS_KNOB_SRC_VALID_MARK] = "src_valid_mark",
	[IPTS_KNOB_FORWARDING6] = "forwarding",
};

static const struct host_sysctl *given(const struct ipts_hostdesc *h,
				       const char *ifname,
				       enum ipts_host_knob knob)
{
	size_t i;

	for (i = 0; i < h->nsysctls; i++)
		if (h->sysctls[i].knob == knob &&
		    strcmp(h->sysctls[i].ifname, ifname) == 0)
			return &h->sysctls[i];
	return NULL;
}

static void key_of(char *buf, size_t len, const char *ifname,
		   enum ipts_host_knob knob)
{
	if (knob == IPTS_KNOB_FORWARDING && strcmp(ifname, "all") == 0)
		snprintf(buf, len, "net.ipv4.ip_forward");
	else if (knob == IPTS_KNOB_FORWARDING6)
		snprintf(buf, len, "net.ipv6.conf.%s.forwarding", ifname);
	else
		snprintf(buf, len, "net.ipv4.conf.%s.%s", ifname,
			 knob_names[knob]);
}

/*
 * The state a captured host holds together: a device copies
 * conf.default when it is created (devinet.c inetdev_init), and writing
 * ip_forward (= conf.all.forwarding) writes conf.default.forwarding and
 * every device's (inet_forward_change()). Not given at all: a fresh
 * namespace's value, 0 for each of these (tests/host/facts.sh; the
 * ipv4_devconf defaults in devinet.c; a new netns copies init_net's
 * conf.all/default, devconf_inherit_init_net 0, and init_net's are the
 * kernel's 0 unless a distribution's sysctl.d changed them).
 */
long ipts_hostdesc_sysctl(const struct ipts_hostdesc *h, const char *ifname,
			  enum ipts_host_knob knob,
			  struct ipts_host_facts *facts)
{
	const struct host_sysctl *s;
	char key[80], via[64];
	bool all = strcmp(ifname, "all") == 0;
	bool dflt = strcmp(ifname, "default") == 0;

	assert((unsigned int)knob < IPTS_KNOB_COUNT);
	s = given(h, ifname, knob);
	key_of(key, sizeof(key), ifname, knob);
	if (s) {
		host_fact(facts, key, s->value, true, NULL);
		return s->value;
	}
	if (!all &&
	    (knob == IPTS_KNOB_FORWARDING || knob == IPTS_KNOB_FORWARDING6)) {
		const struct host_sysctl *v = dflt ? NULL :
			given(h, "default", knob);

		if (!v)
			v = given(h, "all", knob);
		if (v) {
			key_of(via, sizeof(via), v->ifname, knob);
			host_fact(facts, key, v->value, false, via);
			return v->value;
		}
	} else if (!all && !dflt) {
		const struct host_sysctl *v = given(h, "default", knob);

		if (v) {
			key_of(via, sizeof(via), "default", knob);
			host_fact(facts, key, v->value, false, via);
			return v->value;
		}
	}
	host_fact(facts, key, 0, false, NULL);
	return 0;
}

size_t ipts_hostdesc_iface_count(const struct ipts_hostdesc *h)
{
	return h->nifaces;
}

const struct ipts_host_iface *ipts_hostdesc_iface_at(
	const struct ipts_hostdesc *h, size_t i)
{
	return i < h->nifaces ? &h->ifaces[i].pub : NULL;
}

const struct ipts_host_iface *ipts_hostdesc_iface(
	const struct ipts_hostdesc *h, const char *name)
{
	int i = name ? host_iface_find(h, name) : -1;

	return i < 0 ? NULL : &h->ifaces[i].pub;
}

size_t ipts_hostdesc_route_count(const struct ipts_hostdesc *h)
{
	return h->nroutes;
}

const struct ipts_host_route *ipts_hostdesc_route_at(
	const struct ipts_hostdesc *h, size_t i)
{
	return i < h->nroutes ? &h->routes[i] : NULL;
}

size_t ipts_hostdesc_listener_count(const struct ipts_hostdesc *h)
{
	return h->nlisteners;
}

const struct ipts_host_listener *ipts_hostdesc_listener_at(
	const struct ipts_hostdesc *h, size_t i)
{
	return i < h->nlisteners ? &h->listeners[i] : NULL;
}

const struct ipts_host_listener *ipts_hostdesc_listener_find(
	const struct ipts_hostdesc *h, int proto, uint32_t daddr,
	uint16_t dport, const char *dev)
{
	const struct ipts_host_listener *any = NULL;
	size_t i;

	for (i = 0; i < h->nlisteners; i++) {
		const struct ipts_host_listener *l = &h->listeners[i];

		if (l->proto != proto || l->port != dport ||
		    (l->family != AF_INET && l->family != AF_UNSPEC) ||
		    (l->dev[0] && (!dev || strcmp(l->dev, dev) != 0)))
			continue;
		if (!l->any && memcmp(l->addr, &daddr, 4) == 0)
			return l;
		if (l->any && !any)
			any = l;
	}
	return any;
}

const char *ipts_rtn_name(enum ipts_rtn t)
{
	static const char *const names[] = {
		[IPTS_RTN_UNICAST] = "unicast",
		[IPTS_RTN_LOCAL] = "local",
		[IPTS_RTN_BROADCAST] = "broadcast",
		[IPTS_RTN_ANYCAST] = "anycast",
		[IPTS_RTN_MULTICAST] = "multicast",
		[IPTS_RTN_BLACKHOLE] = "blackhole",
		[IPTS_RTN_UNREACHABLE] = "unreachable",
		[IPTS_RTN_PROHIBIT] = "prohibit",
		[IPTS_RTN_THROW] = "throw",
	};

	return (unsigned int)t < sizeof(names) / sizeof(names[0]) ?
		names[t] : "unknown";
}
