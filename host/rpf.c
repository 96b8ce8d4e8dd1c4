/*
 * rpf.c - a packet arriving from outside: ip_route_input_slow()
 * (net/ipv4/route.c), its martian checks, and fib_validate_source()
 * (net/ipv4/fib_frontend.c) with rp_filter, the larger of conf.all and
 * conf.IIF (IN_DEV_MAXCONF). Each case below was seen with `ip route
 * get DADDR from SADDR iif DEV` in a namespace (tests/host/facts.sh,
 * kernel 6.18), which runs the same input route.
 */
#include "host_int.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

static bool is_ifaddr(const struct ipts_hostdesc *h, uint32_t a)
{
	size_t i, j;

	for (i = 0; i < h->nifaces; i++)
		for (j = 0; j < h->ifaces[i].pub.naddrs; j++)
			if (h->ifaces[i].addrs[j].local == a)
				return true;
	return false;
}

/* fib_has_custom_local_routes, fib4_has_custom_rules */
static bool custom(const struct ipts_hostdesc *h)
{
	size_t i;

	for (i = 0; i < h->nrules; i++)
		if (!h->rules[i].is_default)
			return true;
	for (i = 0; i < h->nroutes; i++)
		if (h->routes[i].type == IPTS_RTN_LOCAL &&
		    !h->routes[i].proto_kernel &&
		    h->routes[i].origin != IPTS_HOST_KERNEL)
			return true;
	return false;
}

static long orconf(const struct ipts_hostdesc *h, const char *dev,
		   enum ipts_host_knob k, struct ipts_host_facts *facts)
{
	long a = ipts_hostdesc_sysctl(h, "all", k, facts);
	long b = ipts_hostdesc_sysctl(h, dev, k, facts);

	return a || b;
}

/* __fib_validate_source(): the reverse lookup (iif lo, daddr = src). */
static int validate_full(const struct ipts_hostdesc *h, uint32_t saddr,
			 uint32_t daddr, const struct ipts_host_iface *iif,
			 long rpf, bool accept_local, char *why,
			 struct ipts_host_facts *facts)
{
	struct ipts_fib_flow fl = { .daddr = saddr, .saddr = daddr };
	struct ipts_fib_result res;
	int dev = host_iface_find(h, iif->name);

	if (ipts_hostdesc_sysctl(h, iif->name, IPTS_KNOB_SRC_VALID_MARK,
				 NULL) ||
	    ipts_hostdesc_sysctl(h, "all", IPTS_KNOB_SRC_VALID_MARK, NULL)) {
		ipts_hostdesc_sysctl(h, iif->name, IPTS_KNOB_SRC_VALID_MARK,
				     facts);
		snprintf(why, 160, "src_valid_mark: the reverse route "
			 "depends on the packet's mark");
		return 1;
	}
	ipts_fib_lookup(h, &fl, &res, facts);
	if (res.status == IPTS_FIB_UNDETERMINED) {
		snprintf(why, 160, "route back to the source: %.130s",
			 res.why);
		return 1;
	}
	if (res.status != IPTS_FIB_OK || res.err)
		return rpf ? -EXDEV : 0;	/* last_resort */
	if (res.type != IPTS_RTN_UNICAST &&
	    (res.type != IPTS_RTN_LOCAL || !accept_local))
		return -EINVAL;
	if (res.route->dev == dev ||
	    (res.type == IPTS_RTN_LOCAL && iif->loopback))
		return 0;
	if (iif->naddrs == 0)
		return rpf ? -EXDEV : 0;	/* no_addr: last_resort */
	if (rpf == 1)
		return -EXDEV;
	return 0;	/* loose: a unicast route back, any device */
}

int ipts_fib_validate_source(const struct ipts_hostdesc *h, uint32_t saddr,
			     uint32_t daddr, const struct ipts_host_iface *iif,
			     char *why, struct ipts_host_facts *facts)
{
	long all = ipts_hostdesc_sysctl(h, "all", IPTS_KNOB_RP_FILTER, facts);
	long dev = ipts_hostdesc_sysctl(h, iif->name, IPTS_KNOB_RP_FILTER,
					facts);
	long rpf = all > dev ? all : dev;
	bool accept_local = orconf(h, iif->name, IPTS_KNOB_ACCEPT_LOCAL,
				   facts);

	if (!rpf) {
		/* The fast path; it leaves out only a hairpin's check
		 * (send_redirects, out device == in device). */
		if (accept_local)
			return 0;
		if (!custom(h))
			return is_ifaddr(h, saddr) ? -EINVAL : 0;
	}
	return validate_full(h, saddr, daddr, iif, rpf, accept_local, why,
			     facts);
}

/* Set the answer; returns 0 so that a case can end with it. */
static int verdict(struct ipts_route_input *res, enum ipts_input_verdict v,
		   enum ipts_input_reason r, int err, const char *why)
{
	res->verdict = v;
	res->reason = r;
	res->err = err;
	if (why)
		snprintf(res->why, sizeof(res->why), "%s", why);
	return 0;
}

/* Validate the source; false (and a drop) when it fails. */
static bool source_ok(const struct ipts_hostdesc *h, uint32_t saddr,
		      uint32_t daddr, const struct ipts_host_iface *f,
		      struct ipts_route_input *res,
		      struct ipts_host_facts *facts)
{
	int v = ipts_fib_validate_source(h, saddr, daddr, f, res->why, facts);

	if (v == 1) {
		res->verdict = IPTS_INPUT_UNDETERMINED;
		return false;
	}
	if (v == -EXDEV)
		verdict(res, IPTS_INPUT_DROP, IPTS_INPUT_RP_FILTER, EINVAL,
			"rp_filter: the route back to the source does not "
			"fit the interface");
	else if (v < 0)
		verdict(res, IPTS_INPUT_DROP, IPTS_INPUT_MARTIAN_SOURCE,
			EINVAL, "martian source: an address of this host, "
			"or a route back that is not unicast");
	return v == 0;
}

static int input_slow(const struct ipts_hostdesc *h, uint32_t saddr,
		      uint32_t daddr, const char *iif,
		      struct ipts_route_input *res,
		      struct ipts_host_facts *facts)
{
	const struct ipts_host_iface *f = ipts_hostdesc_iface(h, iif);
	struct ipts_fib_flow fl = { .daddr = daddr, .saddr = saddr,
				    .iif = iif };
	uint32_t s = ntohl(saddr), d = ntohl(daddr);

	memset(res, 0, sizeof(*res));
	if (!f) {
		verdict(res, IPTS_INPUT_UNDETERMINED,
			IPTS_INPUT_UNKNOWN_IFACE, 0, NULL);
		snprintf(res->why, sizeof(res->why), "no interface '%s' on "
			 "the host", iif ? iif : "");
		return 0;
	}
	if ((s >> 28) == 0xe || s == 0xffffffff)
		return verdict(res, IPTS_INPUT_DROP,
			       IPTS_INPUT_MARTIAN_SOURCE, EINVAL,
			       "martian source: multicast or broadcast");
	if (d == 0xffffffff || (!s && !d)) {
		if (s && !source_ok(h, saddr, daddr, f, res, facts))
			return 0;
		return verdict(res, IPTS_INPUT_BROADCAST, IPTS_INPUT_OK, 0,
			       NULL);
	}
	if ((s >> 24) == 0)
		return verdict(res, IPTS_INPUT_DROP,
			       IPTS_INPUT_MARTIAN_SOURCE, EINVAL,
			       "martian source: 0.0.0.0/8");
	if ((d >> 24) == 0)
		return verdict(res, IPTS_INPUT_DROP, IPTS_INPUT_MARTIAN_DEST,
			       EINVAL, "martian destination: 0.0.0.0/8");
	if ((d >> 24) == 127) {
		if (!orconf(h, f->name, IPTS_KNOB_ROUTE_LOCALNET, facts))
			return verdict(res, IPTS_INPUT_DROP,
				       IPTS_INPUT_MARTIAN_DEST, EINVAL,
				       "martian destination: 127.0.0.0/8 "
				       "without route_localnet");
	} else if ((s >> 24) == 127) {
		if (!orconf(h, f->name, IPTS_KNOB_ROUTE_LOCALNET, facts))
			return verdict(res, IPTS_INPUT_DROP,
				       IPTS_INPUT_MARTIAN_SOURCE, EINVAL,
				       "martian source: 127.0.0.0/8 "
				       "without route_localnet");
	}
	if ((d >> 28) == 0xe)
		return verdict(res, IPTS_INPUT_UNDETERMINED, IPTS_INPUT_OK, 0,
			       "multicast destination: not modelled");
	ipts_fib_lookup(h, &fl, &res->fib, facts);
	if (res->fib.status == IPTS_FIB_UNDETERMINED)
		return verdict(res, IPTS_INPUT_UNDETERMINED, IPTS_INPUT_OK, 0,
			       res->fib.why);
	if (res->fib.status != IPTS_FIB_OK || res->fib.err) {
		if (!ipts_hostdesc_sysctl(h, f->name, IPTS_KNOB_FORWARDING,
					  facts))
			return verdict(res, IPTS_INPUT_DROP,
				       IPTS_INPUT_NOT_FORWARDING,
				       EHOSTUNREACH, "no route, and "
				       "forwarding is off on the interface");
		return verdict(res, IPTS_INPUT_DROP, IPTS_INPUT_NO_ROUTE,
			       res->fib.err, "no route to the destination");
	}
	if (res->fib.type == IPTS_RTN_BROADCAST) {
		if (!source_ok(h, saddr, daddr, f, res, facts))
			return 0;
		return verdict(res, IPTS_INPUT_BROADCAST, IPTS_INPUT_OK, 0,
			       NULL);
	}
	if (res->fib.type == IPTS_RTN_LOCAL) {
		if (!source_ok(h, saddr, daddr, f, res, facts))
			return 0;
		return verdict(res, IPTS_INPUT_LOCAL, IPTS_INPUT_OK, 0, NULL);
	}
	if (!ipts_hostdesc_sysctl(h, f->name, IPTS_KNOB_FORWARDING, facts))
		return verdict(res, IPTS_INPUT_DROP, IPTS_INPUT_NOT_FORWARDING,
			       EHOSTUNREACH, "forwarding is off on the "
			       "interface the packet came in on");
	if (res->fib.type != IPTS_RTN_UNICAST)
		return verdict(res, IPTS_INPUT_DROP, IPTS_INPUT_MARTIAN_DEST,
			       EINVAL, "martian destination: a route that "
			       "is not unicast");
	if (!source_ok(h, saddr, daddr, f, res, facts))
		return 0;
	return verdict(res, IPTS_INPUT_FORWARD, IPTS_INPUT_OK, 0, NULL);
}

void ipts_fib_route_input(const struct ipts_hostdesc *h, uint32_t saddr,
			  uint32_t daddr, const char *iif,
			  struct ipts_route_input *res,
			  struct ipts_host_facts *facts)
{
	(void)input_slow(h, saddr, daddr, iif, res, facts);
}

const char *ipts_input_reason_name(enum ipts_input_reason r)
{
	static const char *const names[] = {
		[IPTS_INPUT_OK] = "ok",
		[IPTS_INPUT_MARTIAN_SOURCE] = "martian source",
		[IPTS_INPUT_MARTIAN_DEST] = "martian destination",
		[IPTS_INPUT_RP_FILTER] = "rp_filter",
		[IPTS_INPUT_NO_ROUTE] = "no route",
		[IPTS_INPUT_NOT_FORWARDING] = "forwarding off",
		[IPTS_INPUT_UNKNOWN_IFACE] = "unknown interface",
	};

	return (unsigned int)r < sizeof(names) / sizeof(names[0]) ?
		names[r] : "unknown";
}
