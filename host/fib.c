/*
 * fib.c - route lookup on the described host, as net/ipv4 does it:
 * fib_rules_lookup() walks the policy rules by priority (the three
 * default ones look up local, main, default; any other rule that could
 * apply makes the answer undetermined, with the rule named), each
 * table answers with fib_table_lookup() (longest prefix, then lowest
 * metric; blackhole, unreachable and prohibit end the lookup with
 * their fib_props[] error, throw and a miss go on to the next rule),
 * and ip_route_output_key_hash_rcu() picks a local socket's source
 * (the route's prefsrc, else inet_select_addr()).
 *
 * connect() per route type, seen in a namespace (tests/host/facts.sh):
 * blackhole EINVAL, prohibit EACCES, unreachable EHOSTUNREACH, throw
 * with no later match and no route ENETUNREACH.
 */
#include "host_int.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

/* A selector of a rule against the flow: 1 match, 0 not, -1 unknown. */
static int rule_matches(const struct host_rule *r,
			const struct ipts_fib_flow *fl)
{
	const char *iif = fl->iif ? fl->iif : "lo";
	int m = 1;

	if (r->iif[0] && strcmp(r->iif, iif) != 0)
		m = 0;
	if (r->oif[0] && (!fl->oif || strcmp(r->oif, fl->oif) != 0))
		m = 0;
	if (r->has_src && ((fl->saddr ^ r->src) & host_mask(r->srclen)))
		m = 0;
	if (r->has_dst && ((fl->daddr ^ r->dst) & host_mask(r->dstlen)))
		m = 0;
	if (m && r->other)
		m = -1;		/* fwmark, uidrange, ipproto...: not told */
	if (m >= 0 && r->invert)
		m = !m;
	return m;
}

/* fib_table_lookup(): the best route of @table for @fl, NULL if none. */
static const struct ipts_host_route *table_lookup(
	const struct ipts_hostdesc *h, uint32_t table,
	const struct ipts_fib_flow *fl)
{
	const struct ipts_host_route *best = NULL;
	int oif = fl->oif ? host_iface_find(h, fl->oif) : -1;
	size_t i;

	for (i = 0; i < h->nroutes; i++) {
		const struct ipts_host_route *r = &h->routes[i];
		bool reject = r->type == IPTS_RTN_BLACKHOLE ||
			      r->type == IPTS_RTN_UNREACHABLE ||
			      r->type == IPTS_RTN_PROHIBIT ||
			      r->type == IPTS_RTN_THROW;

		if (r->table != table ||
		    ((fl->daddr ^ r->dst) & host_mask(r->dst_len)))
			continue;
		/* A device-bound flow skips routes of other devices; the
		 * errors above come before fib_table_lookup's nexthop loop. */
		if (fl->oif && !reject && r->dev >= 0 && r->dev != oif)
			continue;
		if (!best || r->dst_len > best->dst_len ||
		    (r->dst_len == best->dst_len && r->metric < best->metric))
			best = r;
	}
	return best;
}

static int rtn_error(enum ipts_rtn t)
{
	switch (t) {
	case IPTS_RTN_BLACKHOLE:
		return EINVAL;
	case IPTS_RTN_UNREACHABLE:
		return EHOSTUNREACH;
	case IPTS_RTN_PROHIBIT:
		return EACCES;
	case IPTS_RTN_THROW:
		return EAGAIN;
	default:
		return 0;
	}
}

void ipts_fib_lookup(const struct ipts_hostdesc *h,
		     const struct ipts_fib_flow *fl,
		     struct ipts_fib_result *res,
		     struct ipts_host_facts *facts)
{
	size_t i;

	memset(res, 0, sizeof(*res));
	host_fact(facts, "ip rule", (long)h->nrules, h->rules_given,
		  h->rules_given ? NULL : "the three default rules");
	for (i = 0; i < h->nrules; i++) {
		const struct host_rule *r = &h->rules[i];
		const struct ipts_host_route *rt;
		int m = rule_matches(r, fl);

		if (m == 0)
			continue;
		if (!r->is_default) {
			res->status = IPTS_FIB_UNDETERMINED;
			snprintf(res->why, sizeof(res->why),
				 "policy rule '%s' %s", r->text,
				 m < 0 ? "may apply" : "applies");
			return;
		}
		rt = table_lookup(h, r->table, fl);
		if (!rt || rt->type == IPTS_RTN_THROW)
			continue;	/* -EAGAIN: the next rule */
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
		res->err = rtn_error(rt->type);
		res->dev = rt->dev >= 0 ? &h->ifaces[rt->dev].pub : NULL;
		res->gateway = rt->gateway;
		return;
	}
	res->status = IPTS_FIB_NOROUTE;
	res->err = ENETUNREACH;
}

/* IN_DEV_ROUTE_LOCALNET(): conf.all or conf.IF. */
static bool route_localnet(const struct ipts_hostdesc *h,
			   const struct ipts_host_iface *f,
			   struct ipts_host_facts *facts)
{
	return ipts_hostdesc_sysctl(h, "all", IPTS_KNOB_ROUTE_LOCALNET,
				    facts) ||
	       ipts_hostdesc_sysctl(h, f->name, IPTS_KNOB_ROUTE_LOCALNET,
				    facts);
}

static bool has_host_scope(const struct ipts_host_iface *f)
{
	size_t i;

	for (i = 0; i < f->naddrs; i++)
		if (f->addrs[i].scope > IPTS_SCOPE_LINK)
			return true;
	return false;
}

static bool ifa_match(const struct ipts_host_addr *a, uint32_t dst)
{
	return ((a->peer ^ dst) & host_mask(a->prefixlen)) == 0;
}

/*
 * inet_select_addr() (net/ipv4/devinet.c): on @dev, the first primary
 * address within @scope whose subnet holds @dst, else its first primary
 * within @scope; else the first primary address of any device (by
 * ifindex, lo first) that is not link scope.
 */
uint32_t ipts_host_select_addr(const struct ipts_hostdesc *h,
			       const struct ipts_host_iface *dev,
			       uint32_t dst, int scope,
			       struct ipts_host_facts *facts)
{
	uint32_t addr = 0;
	size_t i, j;
	int idx, last;

	if (dev) {
		int lscope = IPTS_SCOPE_HOST;

		if (has_host_scope(dev) && route_localnet(h, dev, facts))
			lscope = IPTS_SCOPE_LINK;
		for (i = 0; i < dev->naddrs; i++) {
			const struct ipts_host_addr *a = &dev->addrs[i];
			int s = a->scope < lscope ? a->scope : lscope;

			if (a->secondary || s > scope)
				continue;
			if (!dst || ifa_match(a, dst))
				return a->local;
			if (!addr)
				addr = a->local;
		}
		if (addr)
			return addr;
	}
	/* for_each_netdev(): in ifindex order. */
	for (last = 0;;) {
		const struct host_iface *f = NULL;

		for (i = 0; i < h->nifaces; i++) {
			idx = h->ifaces[i].pub.ifindex;
			if (idx > last && (!f || idx < f->pub.ifindex))
				f = &h->ifaces[i];
		}
		if (!f)
			return 0;
		last = f->pub.ifindex;
		for (j = 0; j < f->pub.naddrs; j++) {
			const struct ipts_host_addr *a = &f->addrs[j];
			int lscope = IPTS_SCOPE_HOST, s;

			if (a->scope > IPTS_SCOPE_LINK &&
			    route_localnet(h, &f->pub, facts))
				lscope = IPTS_SCOPE_LINK;
			s = a->scope < lscope ? a->scope : lscope;
			if (!a->secondary && a->scope != IPTS_SCOPE_LINK &&
			    s <= scope)
				return a->local;
		}
	}
}

void ipts_fib_route_output(const struct ipts_hostdesc *h,
			   const struct ipts_fib_flow *fl,
			   struct ipts_fib_result *res,
			   struct ipts_host_facts *facts)
{
	struct ipts_fib_flow f = *fl;
	const struct ipts_host_route *rt;

	f.iif = NULL;	/* a local socket's flow has iif lo */
	if (!f.daddr) {
		/* ip_route_output_key_hash_rcu(): no daddr is the host. */
		f.daddr = f.saddr ? f.saddr : htonl(0x7f000001);
		if (!f.saddr)
			f.saddr = f.daddr;
	}
	ipts_fib_lookup(h, &f, res, facts);
	if (res->status != IPTS_FIB_OK || res->err)
		return;
	rt = res->route;
	if (f.saddr) {
		res->src = f.saddr;
	} else if (rt->type == IPTS_RTN_LOCAL) {
		/* local delivery: the route's prefsrc, else the daddr */
		res->src = rt->prefsrc ? rt->prefsrc : f.daddr;
	} else if (rt->prefsrc) {
		res->src = rt->prefsrc;	/* fib_result_prefsrc() */
	} else {
		res->src = ipts_host_select_addr(h, res->dev, rt->gateway,
						 rt->scope, facts);
	}
	if (rt->type == IPTS_RTN_LOCAL)
		res->dev = ipts_hostdesc_iface(h, "lo");
}

enum ipts_rtn ipts_host_addr_type(const struct ipts_hostdesc *h,
				  uint32_t addr)
{
	struct ipts_fib_flow fl = { .daddr = addr };
	const struct ipts_host_route *r;
	uint32_t a = ntohl(addr);

	/* __inet_dev_addr_type() */
	if ((a >> 24) == 0 || a == 0xffffffff)
		return IPTS_RTN_BROADCAST;
	if ((a >> 28) == 0xe)
		return IPTS_RTN_MULTICAST;
	r = table_lookup(h, IPTS_RT_TABLE_LOCAL, &fl);
	return r ? r->type : IPTS_RTN_UNICAST;
}
