/*
 * inline.c - the host facts given as options: --iface NAME=ADDR/LEN
 * (or NAME=ADDR peer PEER[/LEN]), --route 'LINE' as `ip route` prints
 * it, --sysctl KEY=VALUE. Each is read whole before @h changes, so a
 * bad option leaves the host as it was; its text is kept as a source
 * named after the option, so an error points at its column.
 */
#include "host_int.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The option's text as a source of @h, and its words. */
struct opt {
	const struct ipts_source *src;
	struct ipts_diags *d;
	size_t n;
	size_t st[32], len[32];
	char w[32][64];
};

static const struct ipts_source *keep(struct ipts_hostdesc *h,
				      const char *name, const char *text)
{
	struct ipts_source *s = ipts_source_from_mem(name, text, strlen(text));

	h->touched = true;	/* no directory read after this */
	host_keep_source(h, s);
	return s;
}

__attribute__((format(printf, 3, 4)))
static int oerr(struct opt *o, size_t word, const char *fmt, ...)
{
	struct ipts_loc loc = { .src = o->src, .line = 1, .col = 1, .len = 1 };
	va_list ap;

	if (word < o->n) {
		loc.off = (uint32_t)o->st[word];
		loc.col = (uint32_t)o->st[word] + 1;
		loc.len = (uint32_t)o->len[word];
	} else if (o->src->len) {
		loc.off = (uint32_t)o->src->len;
		loc.col = (uint32_t)o->src->len + 1;
	}
	va_start(ap, fmt);
	ipts_diag_vadd(o->d, IPTS_ERROR, &loc, fmt, ap);
	va_end(ap);
	return -1;
}

/* Split on blanks; a word longer than 63 bytes is an error. */
static int split(struct opt *o)
{
	const char *p = o->src->buf;
	size_t i = 0, n = o->src->len;

	o->n = 0;
	while (i < n) {
		while (i < n && isspace((unsigned char)p[i]))
			i++;
		if (i == n)
			break;
		if (o->n == sizeof(o->st) / sizeof(o->st[0]))
			return oerr(o, o->n - 1, "too many words");
		o->st[o->n] = i;
		while (i < n && !isspace((unsigned char)p[i]))
			i++;
		o->len[o->n] = i - o->st[o->n];
		if (o->len[o->n] >= sizeof(o->w[0])) {
			o->n++;
			return oerr(o, o->n - 1, "word too long");
		}
		memcpy(o->w[o->n], p + o->st[o->n], o->len[o->n]);
		o->w[o->n][o->len[o->n]] = '\0';
		o->n++;
	}
	return 0;
}

static int addr4(const char *s, uint32_t *a)
{
	struct in_addr in;

	if (inet_pton(AF_INET, s, &in) != 1)
		return -1;
	*a = in.s_addr;
	return 0;
}

static bool is_local(const struct ipts_hostdesc *h, uint32_t a)
{
	size_t i, j;

	for (i = 0; i < h->nifaces; i++)
		for (j = 0; j < h->ifaces[i].pub.naddrs; j++)
			if (h->ifaces[i].addrs[j].local == a)
				return true;
	return false;
}

/* ADDR[/LEN] into @a and @len (32 without one). */
static int addr_len(const char *s, uint32_t *a, uint8_t *len)
{
	char buf[64], *slash, *end;
	unsigned long l = 32;

	snprintf(buf, sizeof(buf), "%s", s);
	slash = strchr(buf, '/');
	if (slash) {
		*slash = '\0';
		if (!isdigit((unsigned char)slash[1]))
			return -1;
		l = strtoul(slash + 1, &end, 10);
		if (*end || l > 32)
			return -1;
	}
	*len = (uint8_t)l;
	return addr4(buf, a);
}

/* ADDR[/LEN] of IPv6 (/128 without a length, as `ip -6 addr add`). */
static int addr6_len(const char *s, struct in6_addr *a, uint8_t *len)
{
	char buf[64], *slash, *end;
	unsigned long l = 128;

	snprintf(buf, sizeof(buf), "%s", s);
	slash = strchr(buf, '/');
	if (slash) {
		*slash = '\0';
		if (!isdigit((unsigned char)slash[1]))
			return -1;
		l = strtoul(slash + 1, &end, 10);
		if (*end || l > 128)
			return -1;
	}
	*len = (uint8_t)l;
	return inet_pton(AF_INET6, buf, a) == 1 ? 0 : -1;
}

static bool is_local6(const struct ipts_hostdesc *h, const struct in6_addr *a)
{
	size_t i;

	for (i = 0; i < h->nifaces; i++)
		if (ipts_host6_is_addr_of(&h->ifaces[i].pub, a))
			return true;
	return false;
}

/* --iface NAME=ADDR6/LEN: the address, its routes, and the device's
 * link-local address as the kernel makes it when the device comes up. */
static int add_iface6(struct ipts_hostdesc *h, struct opt *o, const char *name)
{
	struct ipts_host_addr6 a = {
		.scope = IPTS_SCOPE_UNIVERSE,
		.origin = IPTS_HOST_INLINE,
	};
	int dev;

	if (addr6_len(o->w[0], &a.local, &a.prefixlen) < 0)
		return oerr(o, 0,
			    "'%s' is not ADDR/LEN (an IPv6 address, "
			    "a prefix length 0 to 128)",
			    o->w[0]);
	if (o->n >= 2)
		return oerr(o, 1,
			    "'%s': an IPv6 address takes no peer here "
			    "(NAME=ADDR/LEN)",
			    o->w[1]);
	if (IN6_IS_ADDR_MULTICAST(&a.local) ||
	    IN6_IS_ADDR_UNSPECIFIED(&a.local))
		return oerr(o, 0,
			    "'%s' is not a unicast address (the kernel "
			    "refuses it)",
			    o->w[0]);
	if (IN6_IS_ADDR_LINKLOCAL(&a.local))
		a.scope = IPTS_SCOPE_LINK;
	else if (IN6_IS_ADDR_LOOPBACK(&a.local))
		a.scope = IPTS_SCOPE_HOST;
	dev = host_iface_find(h, name);
	if (dev >= 0 && ipts_host6_is_addr_of(&h->ifaces[dev].pub, &a.local))
		return oerr(o, 0, "'%s' has this address already", name);
	dev = host_iface_get(h, name, 0);
	/* an fe80:: given is the device's link-local: none is made */
	host_addr6_add(h, dev, &a, true);
	host_ensure_ll6(h, dev);
	return 0;
}

int ipts_hostdesc_add_iface(struct ipts_hostdesc *h, const char *text,
			    struct ipts_diags *d)
{
	struct opt o = { .src = keep(h, "--iface", text), .d = d };
	struct ipts_host_addr a = {
		.scope = IPTS_SCOPE_UNIVERSE, .origin = IPTS_HOST_INLINE,
	};
	char name[IPTS_HOST_IFNAMSIZ];
	const char *eq = strchr(text, '=');
	size_t nlen = eq ? (size_t)(eq - text) : 0, j;
	int dev;

	if (split(&o) < 0)
		return -1;
	if (!eq || o.n == 0 || nlen == 0 || nlen >= sizeof(name) ||
	    strcspn(text, "/: \t") < nlen) {
		struct ipts_loc loc = {
			.src = o.src, .line = 1, .col = 1,
			.len = (uint32_t)(eq ? (nlen ? nlen : 1) : o.src->len),
		};

		ipts_diag_add(d, IPTS_ERROR, &loc, !eq ?
			      "expected NAME=ADDR/LEN" :
			      "'%.*s' is not an interface name (1 to 15 "
			      "bytes, no '/', ':' or blank)", (int)nlen,
			      text);
		return -1;
	}
	memcpy(name, text, nlen);
	name[nlen] = '\0';
	/* The address is the rest of the first word. */
	o.st[0] += nlen + 1;
	o.len[0] -= nlen + 1;
	memmove(o.w[0], o.w[0] + nlen + 1, o.len[0] + 1);
	if (strchr(o.w[0], ':'))
		return add_iface6(h, &o, name);
	if (addr_len(o.w[0], &a.local, &a.prefixlen) < 0)
		return oerr(&o, 0, "'%s' is not ADDR/LEN (an IPv4 address, "
			    "a prefix length 0 to 32)", o.w[0]);
	if (o.n >= 2) {
		if (strcmp(o.w[1], "peer") != 0)
			return oerr(&o, 1, "expected 'peer PEER[/LEN]' after "
				    "the address, not '%s'", o.w[1]);
		if (strchr(o.w[0], '/'))
			return oerr(&o, 0, "with a peer, the length goes "
				    "after the peer: ADDR peer PEER/LEN");
		if (o.n < 3 || addr_len(o.w[2], &a.peer, &a.prefixlen) < 0)
			return oerr(&o, 2, "expected the peer's address "
				    "PEER[/LEN]");
		if (o.n > 3)
			return oerr(&o, 3, "unexpected '%s'", o.w[3]);
		a.has_peer = true;
	}
	if ((ntohl(a.local) >> 24) == 127)
		a.scope = IPTS_SCOPE_HOST;	/* iproute2 does so for 127/8 */
	dev = host_iface_find(h, name);
	if (dev >= 0)
		for (j = 0; j < h->ifaces[dev].pub.naddrs; j++)
			if (h->ifaces[dev].addrs[j].local == a.local &&
			    h->ifaces[dev].addrs[j].prefixlen == a.prefixlen)
				return oerr(&o, 0, "'%s' has this address "
					    "already", name);
	dev = host_iface_get(h, name, 0);
	host_addr_add(h, dev, &a, true);
	host_ensure_ll6(h, dev); /* the kernel's fe80:: */
	return 0;
}

/* The device a gateway is reached through: a link-scope route to it. */
static int gateway_dev(const struct ipts_hostdesc *h, uint32_t gw,
		       uint32_t table)
{
	int best = -1, blen = -1;
	size_t i;

	for (i = 0; i < h->nroutes; i++) {
		const struct ipts_host_route *r = &h->routes[i];

		if (r->type != IPTS_RTN_UNICAST || r->dev < 0 ||
		    r->gateway || ((gw ^ r->dst) & host_mask(r->dst_len)) ||
		    (r->table != table && r->table != IPTS_RT_TABLE_MAIN))
			continue;
		if (r->dst_len > blen) {
			best = r->dev;
			blen = r->dst_len;
		}
	}
	return best;
}

static int route_words(struct ipts_hostdesc *h, struct opt *o,
		       struct ipts_host_route *r)
{
	bool table_given = false, scope_given = false, have_dst = false;
	size_t i = 0;
	unsigned long v;
	char *end;

	if (o->n && host_parse_rtn(o->w[0], &r->type) == 0)
		i++;
	for (; i < o->n; i++) {
		const char *w = o->w[i];
		bool last = i + 1 == o->n;

		if (!have_dst && strcmp(w, "to") == 0)
			continue;
		if (!have_dst) {
			if (host_parse_prefix(w, &r->dst, &r->dst_len) < 0)
				return oerr(o, i, "'%s' is not a prefix "
					    "(ADDR/LEN with no host bits, "
					    "or 'default')", w);
			have_dst = true;
			continue;
		}
		if (last && (strcmp(w, "via") == 0 || strcmp(w, "dev") == 0 ||
			     strcmp(w, "src") == 0 ||
			     strcmp(w, "metric") == 0 ||
			     strcmp(w, "priority") == 0 ||
			     strcmp(w, "table") == 0 ||
			     strcmp(w, "proto") == 0 ||
			     strcmp(w, "scope") == 0))
			return oerr(o, i + 1, "expected a value after '%s'",
				    w);
		if (strcmp(w, "via") == 0) {
			if (strcmp(o->w[i + 1], "inet") == 0 && i + 2 < o->n)
				i++;
			if (addr4(o->w[++i], &r->gateway) < 0)
				return oerr(o, i, "'%s' is not an IPv4 "
					    "gateway", o->w[i]);
		} else if (strcmp(w, "dev") == 0) {
			r->dev = host_iface_find(h, o->w[++i]);
			if (r->dev < 0)
				return oerr(o, i, "unknown interface '%s' "
					    "(give it with --iface or in "
					    "addr.json)", o->w[i]);
		} else if (strcmp(w, "src") == 0) {
			if (addr4(o->w[++i], &r->prefsrc) < 0)
				return oerr(o, i, "'%s' is not an IPv4 "
					    "address", o->w[i]);
			if (!is_local(h, r->prefsrc))
				return oerr(o, i, "src %s is no address of "
					    "the host (the kernel refuses it: "
					    "invalid prefsrc)", o->w[i]);
		} else if (strcmp(w, "metric") == 0 ||
			   strcmp(w, "priority") == 0 ||
			   strcmp(w, "preference") == 0) {
			v = strtoul(o->w[++i], &end, 10);
			if (*end || !isdigit((unsigned char)o->w[i][0]) ||
			    v > UINT32_MAX)
				return oerr(o, i, "'%s' is not a metric",
					    o->w[i]);
			r->metric = (uint32_t)v;
		} else if (strcmp(w, "table") == 0) {
			if (host_parse_table(o->w[++i], &r->table) < 0)
				return oerr(o, i, "unknown table '%s'",
					    o->w[i]);
			table_given = true;
		} else if (strcmp(w, "proto") == 0) {
			r->proto_kernel = strcmp(o->w[++i], "kernel") == 0;
		} else if (strcmp(w, "scope") == 0) {
			static const char *const sc[] = {
				"global", "link", "host", "site",
			};
			static const uint8_t scv[] = {
				IPTS_SCOPE_UNIVERSE, IPTS_SCOPE_LINK,
				IPTS_SCOPE_HOST, IPTS_SCOPE_SITE,
			};
			size_t k;

			i++;
			for (k = 0; k < 4 && strcmp(o->w[i], sc[k]); k++)
				;
			if (k == 4)
				return oerr(o, i, "unknown scope '%s'",
					    o->w[i]);
			r->scope = scv[k];
			scope_given = true;
		} else if (strcmp(w, "onlink") == 0 ||
			   strcmp(w, "linkdown") == 0) {
			continue;
		} else {
			return oerr(o, i, "unknown word '%s' in a route", w);
		}
	}
	if (!have_dst)
		return oerr(o, o->n, "expected a prefix or 'default'");
	/* iproute2's defaults: local and broadcast go to the local table;
	 * a unicast route without a gateway has link scope. */
	if (!table_given && (r->type == IPTS_RTN_LOCAL ||
			     r->type == IPTS_RTN_BROADCAST ||
			     r->type == IPTS_RTN_ANYCAST))
		r->table = IPTS_RT_TABLE_LOCAL;
	if (!scope_given)
		r->scope = r->type == IPTS_RTN_LOCAL ? IPTS_SCOPE_HOST :
			   r->type == IPTS_RTN_BROADCAST ||
			   r->type == IPTS_RTN_MULTICAST ||
			   r->type == IPTS_RTN_ANYCAST ? IPTS_SCOPE_LINK :
			   r->type == IPTS_RTN_UNICAST && !r->gateway ?
			   IPTS_SCOPE_LINK : IPTS_SCOPE_UNIVERSE;
	return 0;
}

/* The device a v6 gateway is on: a connected (gatewayless) route. */
static int gateway_dev6(const struct ipts_hostdesc *h,
			const struct in6_addr *gw)
{
	int best = -1, blen = -1;
	size_t i;

	for (i = 0; i < h->nroutes6; i++) {
		const struct ipts_host_route6 *r = &h->routes6[i];
		struct in6_addr g = *gw;
		uint8_t len = r->dst_len;
		size_t k;

		if (r->type != IPTS_RTN_UNICAST || r->dev < 0 ||
		    r->has_gateway || r->table != IPTS_RT_TABLE_MAIN)
			continue;
		for (k = 0; k < 16; k++, len = len >= 8 ? len - 8 : 0)
			g.s6_addr[k] &= len >= 8 ? 0xff :
						   (uint8_t)(0xff << (8 - len));
		if (memcmp(&g, &r->dst, 16) == 0 && r->dst_len > blen) {
			best = r->dev;
			blen = r->dst_len;
		}
	}
	return best;
}

/* A line as `ip -6 route` prints it. */
static int route6_words(struct ipts_hostdesc *h, struct opt *o,
			struct ipts_host_route6 *r)
{
	static const char *const skip1[] = {
		"expires", "pref",   "mtu",    "hoplimit", "advmss",
		"rtt",	   "rttvar", "weight", "realm",	   "scope",
	};
	bool table_given = false, have_dst = false, metric_given = false;
	size_t i = 0, k;
	unsigned long v;
	char *end;

	if (o->n && host_parse_rtn(o->w[0], &r->type) == 0)
		i++;
	for (; i < o->n; i++) {
		const char *w = o->w[i];
		bool last = i + 1 == o->n;

		if (!have_dst && strcmp(w, "to") == 0)
			continue;
		if (!have_dst) {
			if (host_parse_prefix6(w, &r->dst, &r->dst_len) < 0)
				return oerr(o, i,
					    "'%s' is not an IPv6 prefix "
					    "(ADDR/LEN with no host bits, "
					    "or 'default')",
					    w);
			have_dst = true;
			continue;
		}
		if (strcmp(w, "onlink") == 0 || strcmp(w, "linkdown") == 0)
			continue;
		if (last)
			return oerr(o, i + 1, "expected a value after '%s'", w);
		if (strcmp(w, "via") == 0) {
			if (strcmp(o->w[i + 1], "inet6") == 0 && i + 2 < o->n)
				i++;
			if (inet_pton(AF_INET6, o->w[++i], &r->gateway) != 1)
				return oerr(o, i,
					    "'%s' is not an IPv6 "
					    "gateway",
					    o->w[i]);
			r->has_gateway = true;
		} else if (strcmp(w, "dev") == 0) {
			r->dev = host_iface_find(h, o->w[++i]);
			if (r->dev < 0)
				return oerr(o, i,
					    "unknown interface '%s' "
					    "(give it with --iface or in "
					    "addr.json)",
					    o->w[i]);
		} else if (strcmp(w, "src") == 0) {
			if (inet_pton(AF_INET6, o->w[++i], &r->prefsrc) != 1)
				return oerr(o, i,
					    "'%s' is not an IPv6 "
					    "address",
					    o->w[i]);
			if (!is_local6(h, &r->prefsrc))
				return oerr(o, i,
					    "src %s is no address of "
					    "the host (the kernel refuses it: "
					    "invalid source address)",
					    o->w[i]);
			r->has_prefsrc = true;
		} else if (strcmp(w, "metric") == 0 ||
			   strcmp(w, "priority") == 0 ||
			   strcmp(w, "preference") == 0) {
			v = strtoul(o->w[++i], &end, 10);
			if (*end || !isdigit((unsigned char)o->w[i][0]) ||
			    v > UINT32_MAX)
				return oerr(o, i, "'%s' is not a metric",
					    o->w[i]);
			r->metric = (uint32_t)v;
			metric_given = true;
		} else if (strcmp(w, "table") == 0) {
			if (host_parse_table(o->w[++i], &r->table) < 0)
				return oerr(o, i, "unknown table '%s'",
					    o->w[i]);
			table_given = true;
		} else if (strcmp(w, "proto") == 0) {
			r->proto_kernel = strcmp(o->w[++i], "kernel") == 0;
		} else {
			for (k = 0; k < sizeof(skip1) / sizeof(skip1[0]); k++)
				if (strcmp(w, skip1[k]) == 0)
					break;
			if (k == sizeof(skip1) / sizeof(skip1[0]))
				return oerr(o, i,
					    "unknown word '%s' in a "
					    "route",
					    w);
			i++; /* its value: not read */
		}
	}
	if (!have_dst)
		return oerr(o, o->n, "expected a prefix or 'default'");
	if (!table_given &&
	    (r->type == IPTS_RTN_LOCAL || r->type == IPTS_RTN_ANYCAST ||
	     r->type == IPTS_RTN_MULTICAST))
		r->table = IPTS_RT_TABLE_LOCAL;
	if (!metric_given)
		r->metric = 1024; /* IP6_RT_PRIO_USER (seen) */
	return 0;
}

/* The first word that is no route type: an IPv6 prefix or a "via"
 * with an IPv6 gateway makes the line IPv6. */
static bool line_is_v6(const struct opt *o)
{
	size_t i;

	for (i = 0; i < o->n; i++) {
		if (strcmp(o->w[i], "via") == 0 && i + 1 < o->n)
			return strchr(o->w[i + 1], ':') != NULL;
		if (strcmp(o->w[i], "to") == 0 ||
		    host_parse_rtn(o->w[i], &(enum ipts_rtn){ 0 }) == 0)
			continue;
		if (strchr(o->w[i], ':'))
			return true;
		if (strcmp(o->w[i], "default") != 0)
			return false;
	}
	return false;
}

static int add_route6(struct ipts_hostdesc *h, struct opt *o)
{
	struct ipts_host_route6 r = {
		.type = IPTS_RTN_UNICAST,
		.table = IPTS_RT_TABLE_MAIN,
		.dev = -1,
		.origin = IPTS_HOST_INLINE,
	};
	bool needs_dev;

	if (route6_words(h, o, &r) < 0)
		return -1;
	needs_dev = r.type == IPTS_RTN_UNICAST || r.type == IPTS_RTN_LOCAL ||
		    r.type == IPTS_RTN_ANYCAST || r.type == IPTS_RTN_MULTICAST;
	if (needs_dev && r.dev < 0 && r.has_gateway) {
		if (IN6_IS_ADDR_LINKLOCAL(&r.gateway))
			return oerr(o, 0,
				    "a link-local gateway needs 'dev "
				    "IFACE' (the kernel says: Nexthop has "
				    "invalid gateway)");
		r.dev = gateway_dev6(h, &r.gateway);
		if (r.dev < 0)
			return oerr(o, 0,
				    "gateway is on no connected "
				    "network: add 'dev IFACE' or the "
				    "interface's address (the kernel says: "
				    "Nexthop has invalid gateway)");
	}
	if (needs_dev && r.dev < 0)
		return oerr(o, o->n,
			    "a %s route needs 'dev IFACE' or "
			    "'via GATEWAY'",
			    ipts_rtn_name(r.type));
	if (!needs_dev) {
		/* reject routes: `ip -6 route` shows them on lo */
		r.dev = host_iface_find(h, "lo");
		r.has_gateway = false;
	}
	host_route6_add(h, &r, true);
	return 0;
}

int ipts_hostdesc_add_route(struct ipts_hostdesc *h, const char *text,
			    struct ipts_diags *d)
{
	struct opt o = { .src = keep(h, "--route", text), .d = d };
	struct ipts_host_route r = {
		.type = IPTS_RTN_UNICAST, .table = IPTS_RT_TABLE_MAIN,
		.dev = -1, .origin = IPTS_HOST_INLINE,
	};
	bool needs_dev;

	if (split(&o) < 0)
		return -1;
	if (line_is_v6(&o))
		return add_route6(h, &o);
	if (route_words(h, &o, &r) < 0)
		return -1;
	needs_dev = r.type == IPTS_RTN_UNICAST || r.type == IPTS_RTN_LOCAL ||
		    r.type == IPTS_RTN_BROADCAST ||
		    r.type == IPTS_RTN_MULTICAST;
	if (needs_dev && r.dev < 0 && r.gateway) {
		/* fib_check_nh(): the gateway must be on a connected net. */
		r.dev = gateway_dev(h, r.gateway, r.table);
		if (r.dev < 0)
			return oerr(&o, 0, "gateway is on no connected "
				    "network: add 'dev IFACE' or the "
				    "interface's address (the kernel says: "
				    "Nexthop has invalid gateway)");
	}
	if (needs_dev && r.dev < 0)
		return oerr(&o, o.n, "a %s route needs 'dev IFACE' or "
			    "'via GATEWAY'", ipts_rtn_name(r.type));
	if (!needs_dev && (r.dev >= 0 || r.gateway))
		r.dev = -1, r.gateway = 0;	/* ip accepts and ignores them */
	host_route_add(h, &r, true);
	return 0;
}

int ipts_hostdesc_add_sysctl(struct ipts_hostdesc *h, const char *text,
			     struct ipts_diags *d)
{
	const struct ipts_source *s = keep(h, "--sysctl", text);
	const char *eq = strchr(text, '=');
	struct ipts_loc loc = { .src = s, .line = 1, .col = 1, .len = 1 };
	char key[256];
	size_t klen = eq ? (size_t)(eq - text) : 0;
	int r;

	if (!eq || klen == 0 || klen >= sizeof(key)) {
		loc.len = (uint32_t)(eq ? 1 : s->len ? s->len : 1);
		ipts_diag_add(d, IPTS_ERROR, &loc, "expected KEY=VALUE");
		return -1;
	}
	memcpy(key, text, klen);
	key[klen] = '\0';
	r = host_sysctl_parse(h, key, eq + 1, IPTS_HOST_INLINE, true);
	if (r == 0)
		return 0;
	loc.len = (uint32_t)klen;
	if (r == -2) {
		loc.off = (uint32_t)klen + 1;
		loc.col = (uint32_t)klen + 2;
		loc.len = (uint32_t)strlen(eq + 1);
		if (!loc.len)
			loc.len = 1;
	}
	ipts_diag_add(
		d, IPTS_ERROR, &loc,
		r == -1 ?
			"bad interface name in '%s'" :
		r == -2 ?
			"the value of '%s' is not an integer" :
			"unknown sysctl '%s' (iptsim reads net.ipv4.ip_forward, "
			"net.ipv4.conf.IFACE.{forwarding,rp_filter,"
			"route_localnet,accept_local,src_valid_mark} and "
			"net.ipv6.conf.IFACE.forwarding)",
		key);
	return -1;
}
