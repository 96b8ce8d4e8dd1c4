/*
 * nat.c - the NAT targets and the rewrite of a packet, as
 * nf_nat_setup_info() and nf_nat_packet() in net/netfilter/nf_nat_core.c
 * do them for the one connection simulated. The nat table's hook
 * function, nf_nat_inet_fn(), which walks the nat table and then calls
 * ipts_nat_manip(), is a step of the packet's path (handshake.c).
 *
 * The nat chain of a hook is walked only for a packet whose entry has no
 * binding yet for that hook's manip type (DST at PREROUTING and OUTPUT,
 * SRC at POSTROUTING and INPUT): in practice the first packet, and for lo
 * traffic only at OUTPUT and POSTROUTING, since the entry crosses lo with
 * both bindings made. Without a matching NAT rule the binding is the null
 * one. Every later packet of the entry is rewritten from the bindings.
 */
#include "walk_int.h"	/* first: glibc headers before the uapi ones */
#include "blob.h"
#include "host.h"

#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <linux/netfilter/nf_conntrack_common.h>
#include <linux/netfilter/nf_nat.h>
#include <linux/netfilter/xt_conntrack.h>
#include <linux/netfilter/xt_multiport.h>
#include <linux/netfilter/xt_tcpudp.h>

bool ipts_nat_read_range(const struct xt_entry_target *t, uint8_t family,
			 struct ipts_nat_range *rg)
{
	size_t len = ipts_target_len(t);

	memset(rg, 0, sizeof(*rg));
	if (t->u.user.revision == 0 && family != NFPROTO_IPV6) {
		struct nf_nat_ipv4_multi_range_compat mr;

		if (len < sizeof(mr))
			return false;
		memcpy(&mr, t->data, sizeof(mr));
		rg->flags = mr.range[0].flags;
		rg->min_ip = mr.range[0].min_ip;
		rg->max_ip = mr.range[0].max_ip;
		rg->min_port = ntohs(mr.range[0].min.all);
		rg->max_port = ntohs(mr.range[0].max.all);
	} else {
		struct nf_nat_range r;	/* prefix of nf_nat_range2 */

		if (len < sizeof(r))
			return false;
		memcpy(&r, t->data, sizeof(r));
		rg->flags = r.flags;
		rg->min_ip = r.min_addr.ip;
		rg->max_ip = r.max_addr.ip;
		rg->min_addr = r.min_addr;
		rg->max_addr = r.max_addr;
		rg->min_port = ntohs(r.min_proto.all);
		rg->max_port = ntohs(r.max_proto.all);
	}
	return true;
}

static bool has_ports(const struct ipts_pkt *p)
{
	return p->protocol == IPPROTO_TCP || p->protocol == IPPROTO_UDP;
}

enum pick {
	PICK_OK,
	PICK_RANDOM,		/* any port of [lo, hi], at random */
	PICK_UNKNOWN,
};

/*
 * The port get_unique_tuple() and nf_nat_l4proto_unique_tuple() keep or
 * pick for a single connection: the current one when in range and no
 * --random, else for DST the first of the range, else a random one.
 */
static enum pick pick_port(const struct ipts_nat_range *rg, bool src,
			   uint16_t cur, uint16_t *out, uint16_t *lo,
			   uint16_t *hi, const char **why)
{
	bool random = rg->flags & NF_NAT_RANGE_PROTO_RANDOM_ALL;

	*out = cur;
	if (rg->flags & NF_NAT_RANGE_PROTO_OFFSET) {
		*why = "NAT with a port offset is not modelled";
		return PICK_UNKNOWN;
	}
	if (!(rg->flags & NF_NAT_RANGE_PROTO_SPECIFIED)) {
		/* "If it's dst rewrite, can't change port" */
		if (!random || !src)
			return PICK_OK;
		/* the default ranges for a source port */
		*lo = cur < 1024 ? (cur < 512 ? 1 : 600) : 1024;
		*hi = cur < 1024 ? (cur < 512 ? 511 : 1023) : 65535;
		return PICK_RANDOM;
	}
	if (!random && cur >= rg->min_port && cur <= rg->max_port)
		return PICK_OK;
	if (rg->min_port == rg->max_port) {
		*out = rg->min_port;
		return PICK_OK;
	}
	if (!src && !random) {
		*out = rg->min_port;
		return PICK_OK;
	}
	*lo = rg->min_port;
	*hi = rg->max_port;
	return PICK_RANDOM;
}

/* Every port value a rule compares with: its own value and the one
 * after are where a match may change its answer (bit c of @bits, 1 to
 * 65535). */
static void port_cut(uint8_t *bits, unsigned int v)
{
	unsigned int c;

	for (c = v; c <= v + 1; c++)
		if (c >= 1 && c <= 65535)
			bits[c >> 3] |= (uint8_t)(1u << (c & 7));
}

/* The ports match @m compares with; @ct_only: only if it is conntrack. */
static void blob_cuts(const struct xt_entry_match *m, uint8_t *bits,
		      bool ct_only)
{
	const char *name = m->u.user.name;
	size_t len = ipts_match_len(m);
	unsigned int i;

	if (ipts_blob_is_opaque(m->u.user.revision) ||
	    (ct_only && strcmp(name, "conntrack") != 0))
		return;
	if (strcmp(name, "tcp") == 0 && len >= sizeof(struct xt_tcp)) {
		struct xt_tcp t;

		memcpy(&t, m->data, sizeof(t));
		for (i = 0; i < 2; i++) {
			port_cut(bits, t.spts[i]);
			port_cut(bits, t.dpts[i]);
		}
	} else if (strcmp(name, "udp") == 0 && len >= sizeof(struct xt_udp)) {
		struct xt_udp u;

		memcpy(&u, m->data, sizeof(u));
		for (i = 0; i < 2; i++) {
			port_cut(bits, u.spts[i]);
			port_cut(bits, u.dpts[i]);
		}
	} else if (strcmp(name, "multiport") == 0 &&
		   len >= sizeof(struct xt_multiport)) {
		struct xt_multiport mp;

		memcpy(&mp, m->data, sizeof(mp));
		for (i = 0; i < mp.count && i < XT_MULTI_PORTS; i++)
			port_cut(bits, mp.ports[i]);
	} else if (strcmp(name, "conntrack") == 0 && m->u.user.revision >= 1 &&
		   len >= offsetof(struct xt_conntrack_mtinfo3,
				   origsrc_port_high)) {
		uint16_t ports[8];
		size_t k = m->u.user.revision >= 3 ? 8 : 4;

		if (k == 8 && len < sizeof(struct xt_conntrack_mtinfo3))
			k = 4;
		memcpy(ports, m->data + offsetof(struct xt_conntrack_mtinfo3,
						 origsrc_port), 4 * 2);
		if (k == 8)
			memcpy(ports + 4, m->data +
			       offsetof(struct xt_conntrack_mtinfo3,
					origsrc_port_high), 4 * 2);
		for (i = 0; i < k; i++)
			port_cut(bits, ntohs(ports[i]));
	}
}

#define MAX_PORT_CLASSES 32

/*
 * The ports where some rule may answer differently, sorted, for the
 * random port NAT picks: [IPTS_PORTS_ALL] what every rule compares with;
 * [IPTS_PORTS_LEFT] what can still see a source port NAT chose for a
 * packet that leaves the host (or is delivered after nat INPUT): the
 * packet itself meets no rule after its source manip, and its answers
 * are translated back by nat's PREROUTING or OUTPUT hook (a dst manip,
 * nf_nat_ipv4_in()/nf_nat_ipv4_local_fn()), so only the raw and mangle
 * tables, which run before it, and conntrack matches of any table (the
 * reply tuple) see that port.
 */
void ipts_nat_prepare_ports(struct ipts_sim_ctx *ctx)
{
	const struct ipts_ruleset *rs = ctx->rs;
	uint8_t *bits[IPTS_PORTS_KINDS];
	unsigned int kind, t, c, i, k, v;

	/* only a nat table's targets pick ports: a file without one needs
	 * no classes (port_classes() never runs) */
	if (!rs->tables[IPTS_TABLE_NAT])
		return;
	for (kind = 0; kind < IPTS_PORTS_KINDS; kind++)
		bits[kind] = ipts_xcalloc(65536 / 8, 1);
	for (t = 0; t < IPTS_TABLE_COUNT; t++) {
		const struct ipts_table *tb = rs->tables[t];
		bool early = t == IPTS_TABLE_RAW || t == IPTS_TABLE_MANGLE;

		for (c = 0; tb && c < tb->nchains; c++)
			for (i = 0; i < tb->chains[c]->nrules; i++) {
				const struct ipts_rule *r =
					tb->chains[c]->rules[i];

				for (k = 0; k < r->nmatches; k++) {
					const struct xt_entry_match *m =
						ipts_rule_match(r, k);

					blob_cuts(m, bits[IPTS_PORTS_ALL],
						  false);
					blob_cuts(m, bits[IPTS_PORTS_LEFT],
						  !early);
				}
			}
	}
	for (kind = 0; kind < IPTS_PORTS_KINDS; kind++) {
		unsigned int n = 0;

		for (v = 1; v <= 65535; v++)
			n += (bits[kind][v >> 3] >> (v & 7)) & 1;
		ctx->port_cuts[kind] = ipts_xcalloc(n ? n : 1,
						    sizeof(uint16_t));
		ctx->nport_cuts[kind] = n;
		for (n = 0, v = 1; v <= 65535; v++)
			if ((bits[kind][v >> 3] >> (v & 7)) & 1)
				ctx->port_cuts[kind][n++] = (uint16_t)v;
		free(bits[kind]);
	}
}

/*
 * Split [lo, hi] into the classes of ports no rule that can see the port
 * tells apart (@kind, IPTS_PORTS_*): their first ports in @starts. 0 when
 * there are too many.
 */
static unsigned int port_classes(const struct ipts_sim_ctx *ctx,
				 unsigned int kind, uint16_t lo, uint16_t hi,
				 uint16_t *starts)
{
	const uint16_t *cuts = ctx->port_cuts[kind];
	size_t a = 0, b = ctx->nport_cuts[kind], n = 0;

	/* the first cut past @lo */
	while (a < b) {
		size_t mid = a + (b - a) / 2;

		if (cuts[mid] <= lo)
			a = mid + 1;
		else
			b = mid;
	}
	starts[n++] = lo;
	for (; a < ctx->nport_cuts[kind] && cuts[a] <= hi; a++) {
		if (n == MAX_PORT_CLASSES)
			return 0;
		starts[n++] = cuts[a];
	}
	return (unsigned int)n;
}

/*
 * A port the kernel picks at random from [lo, hi]: the walk follows one
 * port of each class of ports the rules cannot tell apart, each in its own
 * branch, so the answer is definite when every class ends the same way.
 */
static bool random_port(struct ipts_sim *s, const struct ipts_rule *r, bool src,
			bool left, uint16_t lo, uint16_t hi, uint16_t *port,
			const char **why)
{
	uint16_t starts[MAX_PORT_CLASSES];
	unsigned int n, k;

	if (s->rport.active) {
		*why = "two NAT bindings with random ports";
		return false;
	}
	n = port_classes(s->ctx, src && left ? IPTS_PORTS_LEFT : IPTS_PORTS_ALL,
			 lo, hi, starts);
	if (!n) {
		*why = "NAT picks a random port from a range the rules cut "
		       "in too many pieces";
		return false;
	}
	k = ipts_sim_choose(s, r, "NAT picks the port at random", n, lo, hi);
	*port = starts[k];
	if (s->nmet && s->met_rule[s->nmet - 1] == r) {
		s->met_lo[s->nmet - 1] = starts[k];
		s->met_hi[s->nmet - 1] = k + 1 < n ? starts[k + 1] - 1 : hi;
	}
	s->rport.active = true;
	s->rport.src = src;
	s->rport.lo = lo;
	s->rport.hi = hi;
	return true;
}

static bool pick_addr(const struct ipts_nat_range *rg, bool src, uint32_t cur,
		      uint32_t *out, const char **why)
{
	*out = cur;
	if (!(rg->flags & NF_NAT_RANGE_MAP_IPS))
		return true;
	if (rg->min_ip == rg->max_ip) {
		*out = rg->min_ip;
		return true;
	}
	if (src && ntohl(cur) >= ntohl(rg->min_ip) &&
	    ntohl(cur) <= ntohl(rg->max_ip)) {
		*out = cur;
		return true;
	}
	*why = "NAT to an address range: the kernel picks one by a hash";
	return false;
}

/* @left: a source manip whose packet meets no rule after it (see
 * ipts_nat_prepare_ports()). */
static bool port_of(struct ipts_sim *s, const struct ipts_rule *r,
		    const struct ipts_nat_range *rg, bool src, bool left,
		    uint16_t cur, uint16_t *port, const char **why)
{
	uint16_t lo = 0, hi = 0;

	switch (pick_port(rg, src, cur, port, &lo, &hi, why)) {
	case PICK_OK:
		return true;
	case PICK_RANDOM:
		return random_port(s, r, src, left, lo, hi, port, why);
	case PICK_UNKNOWN:
		break;
	}
	return false;
}

/* addr:port, or addr:lo-hi for the port NAT picked at random. */
static void fmt_port(const struct ipts_sim *s, char *buf, size_t len,
		     const union nf_inet_addr *addr, int port, bool rand)
{
	char a[INET6_ADDRSTRLEN];

	if (port < 0 || !rand || !s->rport.active) {
		ipts_fmt_inet(buf, len, s->q->family, addr, port);
		return;
	}
	ipts_fmt_inet(a, sizeof(a), s->q->family, addr, -1);
	snprintf(buf, len,
		 s->q->family == NFPROTO_IPV6 ? "[%s]:%u-%u" : "%s:%u-%u", a,
		 s->rport.lo, s->rport.hi);
}

static void nat_bind(struct ipts_sim *s, struct ipts_pkt *p, unsigned int hook,
		     const union nf_inet_addr *addr, uint16_t port,
		     const char *what)
{
	struct ipts_conn *c = &s->conn;
	char a[IPTS_ENDPOINT_LEN + 8], b[IPTS_ENDPOINT_LEN + 8];

	if (ipts_manip_is_src(hook)) {
		ipts_fmt_inet(a, sizeof(a), s->q->family, &c->reply_dst,
			      has_ports(p) ? c->reply_dport : -1);
		c->reply_dst = *addr;
		if (has_ports(p))
			c->reply_dport = port;
		if (!ipts_addr_eq(addr, &c->orig_src) || port != c->orig_sport)
			c->status |= IPS_SRC_NAT;
		s->nat_done |= IPTS_NAT_SRC_DONE;
		fmt_port(s, b, sizeof(b), addr, has_ports(p) ? port : -1,
			 s->rport.active && s->rport.src);
		ipts_sim_event(s, IPTS_EV_NOTE, hook, "%s: source %s -> %s",
			       what, a, b);
	} else {
		ipts_fmt_inet(a, sizeof(a), s->q->family, &c->reply_src,
			      has_ports(p) ? c->reply_sport : -1);
		c->reply_src = *addr;
		if (has_ports(p))
			c->reply_sport = port;
		if (!ipts_addr_eq(addr, &c->orig_dst) || port != c->orig_dport)
			c->status |= IPS_DST_NAT;
		s->nat_done |= IPTS_NAT_DST_DONE;
		fmt_port(s, b, sizeof(b), addr, has_ports(p) ? port : -1,
			 s->rport.active && !s->rport.src);
		ipts_sim_event(s, IPTS_EV_NOTE, hook,
			       "%s: destination %s -> %s", what, a, b);
	}
}

/* The address MASQUERADE takes on lo: inet_select_addr() with universe
 * scope skips 127.0.0.1 (host scope); the extra local addresses are taken
 * to be global addresses on lo, the first one first. */
/*
 * nf_nat_masquerade_ipv4(): inet_select_addr() on the out device toward
 * the next hop, at universe scope; without a described host, the first
 * --local-addr outside 127/8 (lo has none of its own).
 */
static bool masq_addr(struct ipts_sim *s, const struct ipts_pkt *p,
		      uint32_t *addr)
{
	const struct ipts_hostdesc *h = s->host.desc;
	unsigned int i;

	if (h) {
		const struct ipts_host_iface *dev = ipts_hostdesc_iface(h,
									p->out);
		struct ipts_fib_flow fl = { .daddr = p->daddr.ip };
		struct ipts_fib_result f;
		uint32_t nh = p->daddr.ip;

		ipts_fib_lookup(h, &fl, &f, &s->facts);
		if (f.status == IPTS_FIB_OK && f.gateway)
			nh = f.gateway;
		*addr = dev ? ipts_host_select_addr(h, dev, nh,
						    IPTS_SCOPE_UNIVERSE,
						    &s->facts) :
			      0;
		return *addr != 0;
	}

	for (i = 0; i < s->q->nlocal; i++) {
		if ((ntohl(s->q->local_addrs[i].ip) >> 24) != 127) {
			*addr = s->q->local_addrs[i].ip;
			return true;
		}
	}
	return false;
}

/*
 * The IPv6 NAT targets over lo (nf_nat_redirect_ipv6(),
 * nf_nat_masquerade_ipv6(), netmap_tg6(), nf_nat_setup_info() for DNAT
 * and SNAT): every address of the connection is this host's.
 */
static unsigned int nat_target6(struct ipts_sim *s, const struct ipts_rule *r,
				struct ipts_pkt *p, unsigned int hook,
				const struct ipts_nat_range *rg, bool left)
{
	const char *name = ipts_rule_target(r)->u.user.name;
	bool src = ipts_manip_is_src(hook);
	const union nf_inet_addr *cur = src ? &s->conn.reply_dst :
					      &s->conn.reply_src;
	uint16_t cur_port = src ? s->conn.reply_dport : s->conn.reply_sport;
	union nf_inet_addr addr = *cur;
	const char *why = NULL;
	uint16_t port = cur_port;
	unsigned int i;

	if (strcmp(name, "NETMAP") == 0) {
		for (i = 0; i < 4; i++) {
			uint32_t mask = ~(rg->min_addr.all[i] ^
					  rg->max_addr.all[i]);

			addr.all[i] = (cur->all[i] & ~mask) |
				      (rg->min_addr.all[i] & mask);
		}
		nat_bind(s, p, hook, &addr, cur_port, "NETMAP");
		return NF_ACCEPT;
	}
	if (strcmp(name, "REDIRECT") == 0) {
		/* a locally generated packet goes to ::1; one that came in,
		 * to the first address of its device
		 * (nf_nat_redirect_ipv6()) */
		memset(&addr, 0, sizeof(addr));
		addr.in6 = in6addr_loopback;
		if (s->host.desc && hook == NF_INET_PRE_ROUTING && p->in &&
		    strcmp(p->in, "lo") != 0) {
			const struct ipts_host_iface *d =
				ipts_hostdesc_iface(s->host.desc, p->in);

			if (!d || !d->naddrs6) {
				ipts_sim_unmodelled(s, r,
						    "REDIRECT on a device with "
						    "no IPv6 address: the "
						    "kernel drops the packet");
				return NF_DROP;
			}
			addr.in6 = d->addrs6[0].local;
		}
		if (!port_of(s, r, rg, false, false, cur_port, &port, &why))
			goto unknown;
		nat_bind(s, p, hook, &addr, port, "REDIRECT");
		return NF_ACCEPT;
	}
	if (strcmp(name, "MASQUERADE") == 0) {
		/* ipv6_dev_get_saddr() on the out device toward the
		 * destination (on lo toward a local one: rule 1, the
		 * destination itself) */
		addr = p->daddr;
		if (s->host.desc && p->out && strcmp(p->out, "lo") != 0) {
			const struct ipts_host_iface *d =
				ipts_hostdesc_iface(s->host.desc, p->out);

			if (!d ||
			    !ipts_host6_select_addr(s->host.desc, d,
						    &p->daddr.in6, &addr.in6,
						    &s->facts)) {
				ipts_sim_unmodelled(
					s, r,
					"MASQUERADE: the out device "
					"has no source address "
					"toward the destination (the "
					"kernel drops the packet)");
				return NF_DROP;
			}
		}
		if (!port_of(s, r, rg, true, left, cur_port, &port, &why))
			goto unknown;
		nat_bind(s, p, hook, &addr, port, "MASQUERADE");
		return NF_ACCEPT;
	}
	/* SNAT, DNAT */
	if (rg->flags & NF_NAT_RANGE_MAP_IPS) {
		bool in = memcmp(&cur->in6, &rg->min_addr.in6, 16) >= 0 &&
			  memcmp(&cur->in6, &rg->max_addr.in6, 16) <= 0;

		if (ipts_addr_eq(&rg->min_addr, &rg->max_addr)) {
			addr = rg->min_addr;
		} else if (!(src && in)) {
			why = "NAT to an address range: the kernel picks one "
			      "by a hash";
			goto unknown;
		}
	}
	if (!port_of(s, r, rg, src, left, cur_port, &port, &why))
		goto unknown;
	if (!src && !s->host.desc && !ipts_host_is_local(&s->host, &addr)) {
		ipts_sim_unmodelled(s, r,
				    "DNAT to an address that is not "
				    "local: the packet leaves the host (give "
				    "the host, --iface or --host DIR, to "
				    "follow it)");
		return NF_DROP;
	}
	nat_bind(s, p, hook, &addr, port, name);
	return NF_ACCEPT;
unknown:
	ipts_sim_unmodelled(s, r, why);
	return NF_DROP;
}

unsigned int ipts_nat_target(struct ipts_sim *s, const struct ipts_rule *r,
			     struct ipts_pkt *p, unsigned int hook)
{
	const struct xt_entry_target *t = ipts_rule_target(r);
	const char *name = t->u.user.name;
	bool src = ipts_manip_is_src(hook);
	/* after nat INPUT nothing, after POSTROUTING nothing unless the
	 * packet comes back in over lo */
	bool left = hook == NF_INET_LOCAL_IN ||
		    (hook == NF_INET_POST_ROUTING && p->out &&
		     strcmp(p->out, "lo") != 0);
	const char *why = NULL;
	struct ipts_nat_range rg;
	uint32_t addr, cur_addr;
	uint16_t port, cur_port;

	if (!p->ct || p->ct != &s->conn) {
		/* the target asserts an entry; none means no NAT */
		return NF_ACCEPT;
	}
	/* nf_nat_setup_info(): from the entry's tuple as bound so far,
	 * whatever the direction of the packet that got here */
	cur_addr = src ? s->conn.reply_dst.ip : s->conn.reply_src.ip;
	cur_port = src ? s->conn.reply_dport : s->conn.reply_sport;
	if (!ipts_nat_read_range(t, p->family, &rg)) {
		ipts_sim_unmodelled(s, r, "NAT target data not understood");
		return NF_DROP;
	}
	if (p->family == NFPROTO_IPV6)
		return nat_target6(s, r, p, hook, &rg, left);
	if (strcmp(name, "NETMAP") == 0) {
		uint32_t netmask = ~(rg.min_ip ^ rg.max_ip);

		addr = (cur_addr & ~netmask) | (rg.min_ip & netmask);
		nat_bind(s, p, hook, IPTS_ADDR4(addr), cur_port, "NETMAP");
		return NF_ACCEPT;
	}
	if (strcmp(name, "REDIRECT") == 0) {
		/* redirect_tg4(): 127.0.0.1 for local packets, the primary
		 * address of the input device (lo: 127.0.0.1) otherwise */
		addr = htonl(INADDR_LOOPBACK);
		if (s->host.desc && hook != NF_INET_LOCAL_OUT) {
			const struct ipts_host_iface *in =
				ipts_hostdesc_iface(s->host.desc, p->in);

			addr = in && in->naddrs ? in->addrs[0].local : 0;
			if (!addr) {
				ipts_sim_event(s, IPTS_EV_NOTE, hook,
					       "REDIRECT: %s has no address: "
					       "dropped",
					       p->in);
				return NF_DROP;
			}
		}
		if (!port_of(s, r, &rg, false, false, cur_port, &port, &why))
			goto unknown;
		nat_bind(s, p, hook, IPTS_ADDR4(addr), port, "REDIRECT");
		return NF_ACCEPT;
	}
	if (strcmp(name, "MASQUERADE") == 0) {
		if (!masq_addr(s, p, &addr)) {
			ipts_sim_event(s, IPTS_EV_NOTE, hook,
				       "MASQUERADE: %s has no address of "
				       "universe scope%s: dropped",
				       p->out,
				       strcmp(p->out, "lo") ?
					       "" :
					       " (\"lo ate my IP address\")");
			return NF_DROP;
		}
		if (!port_of(s, r, &rg, true, left, cur_port, &port, &why))
			goto unknown;
		nat_bind(s, p, hook, IPTS_ADDR4(addr), port, "MASQUERADE");
		return NF_ACCEPT;
	}
	/* SNAT, DNAT */
	if (!pick_addr(&rg, src, cur_addr, &addr, &why))
		goto unknown;
	if (!port_of(s, r, &rg, src, left, cur_port, &port, &why))
		goto unknown;
	if (!src && !s->host.desc &&
	    !ipts_host_is_local(&s->host, IPTS_ADDR4(addr))) {
		ipts_sim_unmodelled(s, r, "DNAT to an address that is not "
				    "local: the packet leaves the host");
		return NF_DROP;
	}
	nat_bind(s, p, hook, IPTS_ADDR4(addr), port, name);
	return NF_ACCEPT;
unknown:
	ipts_sim_unmodelled(s, r, why);
	return NF_DROP;
}

void ipts_nat_manip(struct ipts_sim *s, struct ipts_pkt *p, unsigned int hook)
{
	const struct ipts_conn *c = &s->conn;
	bool src = ipts_manip_is_src(hook);
	unsigned long bit = src ? IPS_SRC_NAT : IPS_DST_NAT;
	union nf_inet_addr addr;
	uint16_t port;
	char a[IPTS_ENDPOINT_LEN + 8], b[IPTS_ENDPOINT_LEN + 8];
	bool ports = has_ports(p), rand;

	if (p->ct != &s->conn)
		return;
	if (p->reply_dir)
		bit ^= IPS_NAT_MASK;
	if (!(c->status & bit))
		return;
	/* the packet is made to look like the inverse of the other
	 * direction's tuple */
	if (!p->reply_dir) {
		addr = src ? c->reply_dst : c->reply_src;
		port = src ? c->reply_dport : c->reply_sport;
		rand = s->rport.active && s->rport.src == src;
	} else {
		addr = src ? c->orig_dst : c->orig_src;
		port = src ? c->orig_dport : c->orig_sport;
		rand = false;
	}
	fmt_port(s, b, sizeof(b), &addr, ports ? port : -1, rand);
	if (src) {
		fmt_port(s, a, sizeof(a), &p->saddr, ports ? p->sport : -1,
			 p->port_rand & 1);
		p->saddr = addr;
		if (ports)
			p->sport = port;
	} else {
		fmt_port(s, a, sizeof(a), &p->daddr, ports ? p->dport : -1,
			 p->port_rand & 2);
		p->daddr = addr;
		if (ports)
			p->dport = port;
	}
	if (ports) {
		uint8_t which = src ? 1 : 2;

		p->port_rand = rand ? p->port_rand | which
				    : p->port_rand & ~which;
	}
	if (strcmp(a, b) != 0)
		ipts_sim_event(s, IPTS_EV_NAT, hook, "%s %s -> %s",
			       src ? "src" : "dst", a, b);
}
