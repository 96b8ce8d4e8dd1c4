/*
 * route.c - the routing decisions between the path's segments: where a
 * packet of this host goes (ip_route_output_key()), and what becomes of
 * a packet that came in (ip_route_input_noref(): local, forwarded, or
 * dropped, with rp_filter and the martian checks). The described host
 * (host.h) answers; without one, every packet is between two local
 * sockets and goes over lo, as it always did.
 */
#include "walk_int.h" /* first: glibc headers before the uapi ones */

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/ip_icmp.h>

/* A route as `ip route` prints it: "default via 192.0.2.1 dev eth0". */
static void route_words(char *buf, size_t len, const struct ipts_fib_result *f)
{
	const struct ipts_host_route *r = f->route;
	char dst[32] = "default", gw[32] = "";
	size_t n;

	if (!r) {
		snprintf(buf, len, "%s", "no route");
		return;
	}
	if (r->dst_len) {
		char a[20];

		ipts_fmt_addr(a, sizeof(a), r->dst, -1);
		snprintf(dst, sizeof(dst), r->dst_len == 32 ? "%s" : "%s/%u", a,
			 r->dst_len);
	}
	if (r->gateway) {
		char a[20];

		ipts_fmt_addr(a, sizeof(a), r->gateway, -1);
		snprintf(gw, sizeof(gw), " via %s", a);
	}
	n = (size_t)snprintf(buf, len, "%s%s%s",
			     r->type == IPTS_RTN_UNICAST ?
				     "" :
				     ipts_rtn_name(r->type),
			     r->type == IPTS_RTN_UNICAST ? "" : " ", dst);
	if (n < len)
		n += (size_t)snprintf(buf + n, len - n, "%s", gw);
	if (n < len && f->dev)
		n += (size_t)snprintf(buf + n, len - n, " dev %s",
				      f->dev->name);
	if (n < len && r->table != IPTS_RT_TABLE_MAIN)
		snprintf(buf + n, len - n, " table %s",
			 r->table == IPTS_RT_TABLE_LOCAL ? "local" : "other");
}

/* The client's first packet's first decision is the one the answer
 * names. */
static void remember(struct ipts_sim *s, const struct ipts_fib_result *f)
{
	if (!s->route_text[0] && s->cur == s->first)
		route_words(s->route_text, sizeof(s->route_text), f);
}

/* --- IPv6 ---------------------------------------------------------------- */

/* A v6 route as `ip -6 route` prints it. */
static void route6_words(char *buf, size_t len, const struct ipts_hostdesc *h,
			 const struct ipts_fib6_result *f)
{
	const struct ipts_host_route6 *r = f->route;
	char dst[64] = "default", gw[64] = "";
	size_t n;

	if (!r) {
		if (f->type == IPTS_RTN_ANYCAST && f->dev)
			snprintf(buf, len,
				 "anycast (subnet-router) dev %s "
				 "table local",
				 f->dev->name);
		else
			snprintf(buf, len, "%s", "no route");
		return;
	}
	if (r->dst_len)
		ipts_host6_fmt(dst, sizeof(dst), &r->dst, r->dst_len);
	if (r->has_gateway) {
		char a[48];

		ipts_host6_fmt(a, sizeof(a), &r->gateway, -1);
		snprintf(gw, sizeof(gw), " via %s", a);
	}
	n = (size_t)snprintf(buf, len, "%s%s%s%s",
			     r->type == IPTS_RTN_UNICAST ?
				     "" :
				     ipts_rtn_name(r->type),
			     r->type == IPTS_RTN_UNICAST ? "" : " ", dst, gw);
	if (n < len && r->dev >= 0 && ipts_hostdesc_iface_at(h, (size_t)r->dev))
		n += (size_t)snprintf(
			buf + n, len - n, " dev %s",
			ipts_hostdesc_iface_at(h, (size_t)r->dev)->name);
	if (n < len && r->table != IPTS_RT_TABLE_MAIN)
		snprintf(buf + n, len - n, " table %s",
			 r->table == IPTS_RT_TABLE_LOCAL ? "local" : "other");
}

static void remember6(struct ipts_sim *s, const struct ipts_fib6_result *f)
{
	if (!s->route_text[0] && s->cur == s->first)
		route6_words(s->route_text, sizeof(s->route_text), s->host.desc,
			     f);
}

/* The device a packet of this host to @d is bound to: the query's zone
 * for the client's destination, the client's interface for an answer
 * to a link-local client on another host. */
static const char *oif6(const struct ipts_sim *s, const union nf_inet_addr *d)
{
	if (!IN6_IS_ADDR_LINKLOCAL(&d->in6))
		return NULL;
	if (s->q->dst_zone[0] && ipts_addr_eq(d, &s->q->dst))
		return s->q->dst_zone;
	if (s->q->in)
		return s->q->in;
	return s->q->dst_zone[0] ? s->q->dst_zone : NULL;
}

static void route_output6(struct ipts_sim *s, const struct ipts_pkt *p,
			  struct ipts_route_dec *d)
{
	const struct ipts_hostdesc *h = s->host.desc;
	struct ipts_fib6_flow fl = { .daddr = p->daddr.in6,
				     .saddr = p->saddr.in6,
				     .oif = oif6(s, &p->daddr) };
	struct ipts_fib6_result f;

	if (ipts_host_is_local(&s->host, &p->daddr) && !fl.oif) {
		d->kind = IPTS_ROUTE_LOCAL;
		return;
	}
	ipts_fib6_route_output(h, &fl, &f, &s->facts);
	if (f.status == IPTS_FIB_UNDETERMINED) {
		d->kind = IPTS_ROUTE_UNDETERMINED;
		snprintf(d->why, sizeof(d->why), "%s", f.why);
		return;
	}
	if (f.status == IPTS_FIB_NOROUTE || f.err) {
		d->kind = IPTS_ROUTE_DROP;
		d->err = f.status == IPTS_FIB_NOROUTE ? ENETUNREACH : f.err;
		if (f.status == IPTS_FIB_OK && !f.route) {
			snprintf(d->why, sizeof(d->why), "%s", f.why);
			return;
		}
		remember6(s, &f);
		if (f.status == IPTS_FIB_NOROUTE) {
			snprintf(d->why, sizeof(d->why),
				 "there is no route to the destination%s%s",
				 fl.oif ? " on " : "", fl.oif ? fl.oif : "");
		} else {
			char r[128];

			route6_words(r, sizeof(r), s->host.desc, &f);
			snprintf(d->why, sizeof(d->why),
				 "the route to the destination is '%s'", r);
		}
		return;
	}
	remember6(s, &f);
	if (f.type == IPTS_RTN_LOCAL || f.type == IPTS_RTN_ANYCAST || !f.dev ||
	    f.dev->loopback) {
		d->kind = IPTS_ROUTE_LOCAL;
		return;
	}
	d->kind = IPTS_ROUTE_OUT;
	d->dev = f.dev->name;
}

static void route_input6(struct ipts_sim *s, const struct ipts_pkt *p,
			 const char *in, struct ipts_route_dec *d)
{
	struct ipts_route_input6 ri;

	ipts_fib6_route_input(s->host.desc, &p->saddr.in6, &p->daddr.in6, in,
			      &ri, &s->facts);
	switch (ri.verdict) {
	case IPTS_INPUT_LOCAL:
	case IPTS_INPUT_BROADCAST:
		remember6(s, &ri.fib);
		d->kind = IPTS_ROUTE_LOCAL;
		return;
	case IPTS_INPUT_FORWARD:
		remember6(s, &ri.fib);
		d->kind = IPTS_ROUTE_OUT;
		d->dev = ri.fib.dev ? ri.fib.dev->name : "";
		return;
	case IPTS_INPUT_DROP:
		d->kind = IPTS_ROUTE_DROP;
		d->err = ri.err;
		d->icmp_code = ri.icmp6_code;
		if (ri.reason == IPTS_INPUT_NO_ROUTE && ri.fib.route) {
			char r[128];

			remember6(s, &ri.fib);
			route6_words(r, sizeof(r), s->host.desc, &ri.fib);
			snprintf(d->why, sizeof(d->why),
				 "the route to the destination is '%s' (came "
				 "in on %s)",
				 r, in);
		} else {
			if (ri.fib.route)
				remember6(s, &ri.fib);
			snprintf(d->why, sizeof(d->why), "%s (came in on %s)",
				 ri.why, in);
		}
		return;
	case IPTS_INPUT_UNDETERMINED:
		break;
	}
	d->kind = IPTS_ROUTE_UNDETERMINED;
	snprintf(d->why, sizeof(d->why), "%s", ri.why);
}

bool ipts_route_source6(struct ipts_sim *s, const struct in6_addr *to,
			struct in6_addr *src)
{
	union nf_inet_addr t = { .in6 = *to };
	struct ipts_fib6_flow fl = { .daddr = *to, .oif = oif6(s, &t) };
	struct ipts_fib6_result f;

	if (!s->host.desc) {
		*src = in6addr_loopback;
		return true;
	}
	ipts_fib6_route_output(s->host.desc, &fl, &f, &s->facts);
	if (f.status != IPTS_FIB_OK || f.err || !f.has_src)
		return false;
	*src = f.src;
	return true;
}

void ipts_route_output(struct ipts_sim *s, const struct ipts_pkt *p,
		       struct ipts_route_dec *d)
{
	const struct ipts_hostdesc *h = s->host.desc;
	struct ipts_fib_flow fl = { .daddr = p->daddr.ip,
				    .saddr = p->saddr.ip };
	struct ipts_fib_result f;

	memset(d, 0, sizeof(*d));
	d->icmp_code = -1;
	d->dev = "lo";
	if (h && p->family == NFPROTO_IPV6) {
		route_output6(s, p, d);
		return;
	}
	if (!h || ipts_host_is_local(&s->host, &p->daddr)) {
		d->kind = IPTS_ROUTE_LOCAL;
		return;
	}
	ipts_fib_route_output(h, &fl, &f, &s->facts);
	if (f.status == IPTS_FIB_UNDETERMINED) {
		d->kind = IPTS_ROUTE_UNDETERMINED;
		snprintf(d->why, sizeof(d->why), "%s", f.why);
		return;
	}
	remember(s, &f);
	if (f.status == IPTS_FIB_NOROUTE || f.err) {
		d->kind = IPTS_ROUTE_DROP;
		d->err = f.status == IPTS_FIB_NOROUTE ? ENETUNREACH : f.err;
		if (f.status == IPTS_FIB_NOROUTE || !f.route) {
			snprintf(d->why, sizeof(d->why),
				 "there is no route to the destination");
		} else {
			char r[128];

			route_words(r, sizeof(r), &f);
			snprintf(d->why, sizeof(d->why),
				 "the route to the destination is '%s'", r);
		}
		return;
	}
	if (f.type == IPTS_RTN_LOCAL || !f.dev) {
		d->kind = IPTS_ROUTE_LOCAL;
		return;
	}
	d->kind = IPTS_ROUTE_OUT;
	d->dev = f.dev->name;
	d->src = f.src;
}

/* ip_error(): the ICMP a router sends for a packet it cannot route,
 * when forwarding is on where it came in. */
static int icmp_of(int err)
{
	switch (err) {
	case ENETUNREACH:
		return ICMP_NET_UNREACH;
	case EHOSTUNREACH:
		return ICMP_HOST_UNREACH;
	case EACCES:
		return ICMP_PKT_FILTERED;
	}
	return -1; /* EINVAL (blackhole): nothing */
}

void ipts_route_input(struct ipts_sim *s, const struct ipts_pkt *p,
		      const char *in, struct ipts_route_dec *d)
{
	const struct ipts_hostdesc *h = s->host.desc;
	struct ipts_route_input ri;

	memset(d, 0, sizeof(*d));
	d->icmp_code = -1;
	d->dev = "";
	if (!h) {
		d->kind = IPTS_ROUTE_LOCAL;
		return;
	}
	if (p->family == NFPROTO_IPV6) {
		route_input6(s, p, in, d);
		return;
	}
	ipts_fib_route_input(h, p->saddr.ip, p->daddr.ip, in, &ri, &s->facts);
	switch (ri.verdict) {
	case IPTS_INPUT_LOCAL:
	case IPTS_INPUT_BROADCAST:
		remember(s, &ri.fib);
		d->kind = IPTS_ROUTE_LOCAL;
		return;
	case IPTS_INPUT_FORWARD:
		remember(s, &ri.fib);
		d->kind = IPTS_ROUTE_OUT;
		d->dev = ri.fib.dev ? ri.fib.dev->name : "";
		return;
	case IPTS_INPUT_DROP:
		d->kind = IPTS_ROUTE_DROP;
		d->err = ri.err;
		if (ri.reason == IPTS_INPUT_NO_ROUTE)
			d->icmp_code = icmp_of(ri.err);
		if (ri.reason == IPTS_INPUT_NO_ROUTE && ri.fib.route) {
			char r[128];

			remember(s, &ri.fib);
			route_words(r, sizeof(r), &ri.fib);
			snprintf(d->why, sizeof(d->why),
				 "the route to the "
				 "destination is '%s' (came in on %s)",
				 r, in);
		} else if (ri.reason == IPTS_INPUT_RP_FILTER) {
			long all = ipts_hostdesc_sysctl(h, "all",
							IPTS_KNOB_RP_FILTER,
							NULL);
			long dev = ipts_hostdesc_sysctl(h, in,
							IPTS_KNOB_RP_FILTER,
							NULL);
			long rp = all > dev ? all : dev;

			snprintf(
				d->why, sizeof(d->why),
				"rp_filter %ld (%s; "
				"the larger of conf.all %ld and conf.%s %ld): "
				"%s",
				rp, rp == 1 ? "strict" : "loose", all, in, dev,
				rp == 1 ?
					"the route back to the source does not leave "
					"by the interface it came in on" :
					"there is no route back to the source");
		} else {
			snprintf(d->why, sizeof(d->why), "%s (came in on %s)",
				 ri.why, in);
		}
		return;
	case IPTS_INPUT_UNDETERMINED:
		break;
	}
	d->kind = IPTS_ROUTE_UNDETERMINED;
	snprintf(d->why, sizeof(d->why), "%s", ri.why);
}

uint32_t ipts_route_source(struct ipts_sim *s, uint32_t to)
{
	struct ipts_fib_flow fl = { .daddr = to };
	struct ipts_fib_result f;

	if (!s->host.desc)
		return htonl(INADDR_LOOPBACK);
	ipts_fib_route_output(s->host.desc, &fl, &f, &s->facts);
	return f.status == IPTS_FIB_OK ? f.src : 0;
}
