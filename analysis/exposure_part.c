/*
 * exposure_part.c - the pieces `iptsim exposure` may answer with one
 * walk (exposure.h): the destination ports the rules cannot tell apart,
 * and the source prefixes the rules split out on an interface.
 *
 * Ports: every tcp, udp and multiport range of every rule (source and
 * destination: the answer's source port is the row's), every NAT target's
 * port range, every listener, and the port bounds the kernel's NAT
 * and the simulator's client use, cut the 65,535 ports into parts; two
 * ports of one part meet the same verdict of every rule. A rule with a
 * match that may read a port and is not modelled here (u32, set, socket,
 * hashlimit, conntrack --ctorigdstport...) or a target that may (TPROXY,
 * HMARK, SET...) turns the sharing off: every row is then simulated.
 *
 * Sources: the -s prefixes (and iprange source ranges, as prefixes) of
 * the rules a packet arriving on an interface can meet: the chains of
 * PREROUTING, INPUT and FORWARD of every table, followed through the
 * jumps that do not narrow the packet by destination or port (a chain
 * reached only by one service's -d and --dport, as kube-proxy's
 * per-endpoint chains, splits the sources of those rows only: counted,
 * not made classes). Prefixes nest or are apart, so a class is a prefix
 * less the smaller prefixes inside it, and every address of a class is
 * inside the same prefixes of those rules.
 */
#include "exposure_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <netinet/in.h>

#include "diag.h"
#include "host.h"
#include "model.h" /* before the uapi headers: glibc's net/if.h first */
#include "blob.h"

#include <linux/netfilter/nf_nat.h>
#include <linux/netfilter/x_tables.h>
#include <linux/netfilter/xt_conntrack.h>
#include <linux/netfilter/xt_iprange.h>
#include <linux/netfilter/xt_multiport.h>
#include <linux/netfilter/xt_tcpudp.h>
#include <linux/netfilter_ipv4/ip_tables.h>

/* --- ports ---------------------------------------------------------- */

/* Matches that read no port, or only as the parts model it. */
static const char *const port_free_matches[] = {
	"addrtype", "comment", "connmark",  "devgroup", "dscp",	  "ecn",
	"helper",   "icmp",    "iprange",   "length",	"limit",  "mac",
	"mark",	    "owner",   "physdev",   "pkttype",	"policy", "realm",
	"recent",   "state",   "statistic", "tcpmss",	"tos",	  "ttl",
};

/* Targets that change no port, or only as their range says. */
static const char *const port_free_targets[] = {
	"AUDIT",   "CHECKSUM", "CLASSIFY", "CONNMARK",	 "CT",	   "DNAT",
	"DSCP",	   "LOG",      "MARK",	   "MASQUERADE", "NETMAP", "NFLOG",
	"NOTRACK", "REDIRECT", "REJECT",   "SNAT",	 "TCPMSS", "TOS",
	"TRACE",   "TTL",      "ULOG",
};

static bool in_list(const char *name, const char *const *list, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (strcmp(name, list[i]) == 0)
			return true;
	return false;
}

static void cut_add(struct ipts_exp_cuts *c, uint32_t at)
{
	if (at == 0 || at > 65535)
		return;
	if (c->n == c->cap) {
		c->cap = c->cap ? 2 * c->cap : 64;
		c->at = ipts_xrealloc(c->at, c->cap * sizeof(*c->at));
	}
	c->at[c->n++] = (uint16_t)at;
}

/* Both ends of [lo, hi] start a part: lo, and the port after hi. */
static void cut_range(struct ipts_exp_cuts *c, uint16_t lo, uint16_t hi)
{
	if (lo > hi)
		return;
	cut_add(c, lo);
	cut_add(c, (uint32_t)hi + 1);
}

static void cut_both(struct ipts_exp_cuts *c, uint16_t lo, uint16_t hi)
{
	cut_range(&c[0], lo, hi);
	cut_range(&c[1], lo, hi);
}

/* The ports of a conntrack match: true when it names none. */
static bool conntrack_port_free(const struct xt_entry_match *m)
{
	const unsigned int ports = XT_CONNTRACK_ORIGSRC_PORT |
				   XT_CONNTRACK_ORIGDST_PORT |
				   XT_CONNTRACK_REPLSRC_PORT |
				   XT_CONNTRACK_REPLDST_PORT;
	const struct xt_conntrack_mtinfo1 *c1;
	const struct xt_conntrack_mtinfo2 *c2;
	const struct xt_conntrack_mtinfo3 *c3;

	switch (m->u.user.revision) {
	case 1:
		c1 = ipts_match_data(m, sizeof(*c1), NULL);
		return c1 && !(c1->match_flags & ports);
	case 2:
		c2 = ipts_match_data(m, sizeof(*c2), NULL);
		return c2 && !(c2->match_flags & ports);
	case 3:
		c3 = ipts_match_data(m, sizeof(*c3), NULL);
		return c3 && !(c3->match_flags & ports);
	default:
		return false;
	}
}

/* Cut at the ports of match @m (@c: tcp's, then udp's); false when it
 * may read a port in a way the parts do not model. */
static bool cut_match(struct ipts_exp_cuts *c, const struct xt_entry_match *m)
{
	const char *name = m->u.user.name;
	unsigned int i;

	if (ipts_blob_is_opaque(m->u.user.revision))
		return false;
	if (strcmp(name, "tcp") == 0 || strcmp(name, "udp") == 0) {
		/* xt_tcp and xt_udp begin alike: spts, dpts */
		const struct xt_udp *u = ipts_match_data(m, sizeof(*u), NULL);

		if (!u)
			return false;
		cut_both(c, u->spts[0], u->spts[1]);
		cut_both(c, u->dpts[0], u->dpts[1]);
		return true;
	}
	if (strcmp(name, "multiport") == 0) {
		if (m->u.user.revision == 0) {
			const struct xt_multiport *mp =
				ipts_match_data(m, sizeof(*mp), NULL);

			if (!mp || mp->count > XT_MULTI_PORTS)
				return false;
			for (i = 0; i < mp->count; i++)
				cut_both(c, mp->ports[i], mp->ports[i]);
			return true;
		}
		if (m->u.user.revision == 1) {
			const struct xt_multiport_v1 *mp =
				ipts_match_data(m, sizeof(*mp), NULL);

			if (!mp || mp->count > XT_MULTI_PORTS)
				return false;
			for (i = 0; i < mp->count; i++) {
				uint16_t lo = mp->ports[i], hi = lo;

				if (mp->pflags[i] && i + 1 < mp->count)
					hi = mp->ports[++i];
				cut_both(c, lo, hi);
			}
			return true;
		}
		return false;
	}
	if (strcmp(name, "conntrack") == 0)
		return conntrack_port_free(m);
	return in_list(name, port_free_matches,
		       sizeof(port_free_matches) /
			       sizeof(port_free_matches[0]));
}

/* Cut at the port range of a NAT target (both blob layouts). */
static void cut_nat(struct ipts_exp_cuts *c, const struct xt_entry_target *t)
{
	uint16_t lo, hi;
	unsigned int flags;

	if (t->u.user.revision == 0) {
		const struct nf_nat_ipv4_multi_range_compat *mr =
			ipts_target_data(t, sizeof(*mr), NULL);

		if (!mr)
			return;
		flags = mr->range[0].flags;
		lo = ntohs(mr->range[0].min.all);
		hi = ntohs(mr->range[0].max.all);
	} else {
		const struct nf_nat_range *r = ipts_target_data(t, sizeof(*r),
								NULL);

		if (!r)
			return;
		flags = r->flags;
		lo = ntohs(r->min_proto.all);
		hi = ntohs(r->max_proto.all);
	}
	if (flags & NF_NAT_RANGE_PROTO_SPECIFIED)
		cut_both(c, lo, hi);
}

/* Cut at rule @r's ports; false when it may read a port unmodelled. */
static bool cut_rule(struct ipts_exp_cuts *c, const struct ipts_rule *r)
{
	const struct xt_entry_target *t;
	unsigned int i;
	bool ok = !(r->flags & IPTS_RULE_OPAQUE);

	for (i = 0; i < r->nmatches; i++)
		if (!cut_match(c, ipts_rule_match(r, i)))
			ok = false;
	if (r->kind != IPTS_TGT_EXT)
		return ok;
	t = ipts_rule_target(r);
	if (!t || ipts_blob_is_opaque(t->u.user.revision))
		return false;
	if (!in_list(t->u.user.name, port_free_targets,
		     sizeof(port_free_targets) / sizeof(port_free_targets[0])))
		return false;
	if (strcmp(t->u.user.name, "DNAT") == 0 ||
	    strcmp(t->u.user.name, "SNAT") == 0 ||
	    strcmp(t->u.user.name, "MASQUERADE") == 0 ||
	    strcmp(t->u.user.name, "REDIRECT") == 0)
		cut_nat(c, t);
	return ok;
}

static int u16_cmp(const void *a, const void *b)
{
	uint16_t x = *(const uint16_t *)a, y = *(const uint16_t *)b;

	return x < y ? -1 : x > y;
}

static void cuts_sort(struct ipts_exp_cuts *c)
{
	size_t i, k = 0;

	cut_add(c, 1);
	if (!c->n)
		return;
	qsort(c->at, c->n, sizeof(*c->at), u16_cmp);
	for (i = 1; i < c->n; i++)
		if (c->at[i] != c->at[k])
			c->at[++k] = c->at[i];
	c->n = k + 1;
}

void ipts_exp_cuts_build(struct ipts_exposure *e, const struct ipts_ruleset *rs,
			 struct ipts_exp_cuts c[2], bool *ok)
{
	size_t i, n;
	unsigned int t, k;
	uint32_t j;

	memset(c, 0, 2 * sizeof(*c));
	*ok = true;
	for (t = 0; t < IPTS_TABLE_COUNT; t++) {
		const struct ipts_table *tb = rs->tables[t];

		for (k = 0; tb && k < tb->nchains; k++)
			for (j = 0; j < tb->chains[k]->nrules; j++)
				if (!cut_rule(c, tb->chains[k]->rules[j]))
					*ok = false;
	}
	/* the client's own port (ipts_query_init()), and the bounds of
	 * the source ports NAT picks from by default (nf_nat_l4proto's
	 * 1-511, 600-1023, 1024-65535), a privileged port's bound */
	cut_both(c, 40000, 40000);
	cut_both(c, 512, 599);
	cut_both(c, 1024, 65535);
	/* a listener's port is a part of its own */
	n = e->host ? ipts_hostdesc_listener_count(e->host) : 0;
	for (i = 0; i < n; i++) {
		const struct ipts_host_listener *l =
			ipts_hostdesc_listener_at(e->host, i);

		cut_both(c, l->port, l->port);
	}
	for (i = 0; i < e->nlisten; i++)
		cut_both(c, e->listen[i].port, e->listen[i].port);
	cuts_sort(&c[0]);
	cuts_sort(&c[1]);
}

size_t ipts_exp_cuts_part(const struct ipts_exp_cuts *c, uint16_t port)
{
	size_t lo = 0, hi = c->n;

	/* the number of cuts at or below @port */
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (c->at[mid] <= port)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

uint16_t ipts_exp_cuts_next(const struct ipts_exp_cuts *c, uint16_t port,
			    uint16_t hi)
{
	size_t k = ipts_exp_cuts_part(c, port);

	/* the last port of @port's part, at most @hi */
	if (k < c->n && c->at[k] - 1 < hi)
		return (uint16_t)(c->at[k] - 1);
	return hi;
}

/* --- sources -------------------------------------------------------- */

static uint32_t mask_of(uint8_t len)
{
	return len ? ~0u << (32 - len) : 0;
}

/* Whether prefix @a (host order) holds @b. */
static bool pfx_holds(struct ipts_exp_prefix a, struct ipts_exp_prefix b)
{
	return a.len <= b.len &&
	       ((ntohl(b.net) ^ ntohl(a.net)) & mask_of(a.len)) == 0;
}

static bool pfx_has(struct ipts_exp_prefix a, uint32_t addr)
{
	return ((ntohl(addr) ^ ntohl(a.net)) & mask_of(a.len)) == 0;
}

/* Source addresses the kernel drops as martians on an interface, or that
 * no client has: 0/8, 127/8, multicast and class E. */
static bool pfx_martian(struct ipts_exp_prefix p)
{
	uint32_t first = ntohl(p.net) >> 24;

	return p.len >= 3 && (first == 0 || first == 127 || first >= 224);
}

/* Whether -i of @ip lets a packet arriving on @name through. */
static bool iface_may(const struct ipt_ip *ip, const char *name)
{
	char dev[IFNAMSIZ] = { 0 };
	unsigned int i;
	bool eq = true;

	snprintf(dev, sizeof(dev), "%s", name);
	for (i = 0; i < IFNAMSIZ; i++)
		if ((dev[i] ^ ip->iniface[i]) & ip->iniface_mask[i])
			eq = false;
	return eq != !!(ip->invflags & IPT_INV_VIA_IN);
}

struct split_scan {
	struct ipts_exposure *e;
	const char *ifname;
	struct ipts_exp_prefix *p;
	size_t n, cap;
	size_t narrowed; /* rules naming one under a narrowing jump: left out */
	size_t unsplit; /* masks that are no prefix, ranges too wide */
	uint64_t scanned;
	bool cut;
	unsigned char *seen; /* per chain: 1 seen, 2 seen narrowed */
};

static void split_add(struct split_scan *s, uint32_t net, uint8_t len,
		      bool narrowed)
{
	struct ipts_exp_prefix p = { htonl(ntohl(net) & mask_of(len)), len };

	if (!len || pfx_martian(p))
		return;
	if (narrowed) {
		s->narrowed++;
		return;
	}
	if (s->n == s->cap) {
		s->cap = s->cap ? 2 * s->cap : 16;
		s->p = ipts_xrealloc(s->p, s->cap * sizeof(*s->p));
	}
	s->p[s->n++] = p;
}

/* The length of contiguous mask @m (host order), or -1. */
static int mask_len(uint32_t m)
{
	int n = 0;

	while (n < 32 && (m & (1u << (31 - n))))
		n++;
	return (n == 32 || (m & ((1u << (32 - n)) - 1)) == 0) ? n : -1;
}

/* An iprange source range as at most 8 prefixes. */
static void split_range(struct split_scan *s, uint32_t lo, uint32_t hi,
			bool narrowed)
{
	uint64_t a = ntohl(lo), b = ntohl(hi);
	struct ipts_exp_prefix p[8];
	unsigned int n = 0, i;

	while (a <= b) {
		uint8_t len = 32;

		while (len > 0 && (a & ((1ull << (33 - len)) - 1)) == 0 &&
		       a + (1ull << (33 - len)) - 1 <= b)
			len--;
		if (n == 8) {
			s->unsplit++;
			return;
		}
		p[n].net = htonl((uint32_t)a);
		p[n++].len = len;
		a += 1ull << (32 - len);
	}
	for (i = 0; i < n; i++)
		split_add(s, p[i].net, p[i].len, narrowed);
}

/* Whether jump rule @r narrows the packets it sends on to some rows: a
 * destination or a port (a protocol alone, as -p tcp -j TCP, is half the
 * rows: its chain's prefixes are classes). */
static bool narrows(const struct ipts_rule *r)
{
	const struct ipt_ip *ip = &r->e->ip;
	unsigned int i;

	if (ip->dmsk.s_addr)
		return true;
	for (i = 0; i < r->nmatches; i++) {
		const char *name = ipts_rule_match(r, i)->u.user.name;

		if (strcmp(name, "tcp") == 0 || strcmp(name, "udp") == 0 ||
		    strcmp(name, "multiport") == 0)
			return true;
	}
	return false;
}

static void split_rule(struct split_scan *s, const struct ipts_rule *r,
		       bool narrowed)
{
	const struct ipt_ip *ip = &r->e->ip;
	unsigned int i;
	int len;

	if (ip->smsk.s_addr) {
		len = mask_len(ntohl(ip->smsk.s_addr));
		if (len < 0)
			s->unsplit++;
		else
			split_add(s, ip->src.s_addr, (uint8_t)len, narrowed);
	}
	for (i = 0; i < r->nmatches; i++) {
		const struct xt_entry_match *m = ipts_rule_match(r, i);
		const struct xt_iprange_mtinfo *ir;

		if (strcmp(m->u.user.name, "iprange") != 0 ||
		    m->u.user.revision != 1)
			continue;
		ir = ipts_match_data(m, sizeof(*ir), NULL);
		if (ir && (ir->flags & IPRANGE_SRC) &&
		    ntohl(ir->src_min.ip) <= ntohl(ir->src_max.ip))
			split_range(s, ir->src_min.ip, ir->src_max.ip,
				    narrowed);
	}
}

static void split_chain(struct split_scan *s, const struct ipts_chain *c,
			bool narrowed, unsigned int depth)
{
	unsigned char mark = narrowed ? 2 : 1;
	uint32_t i;

	/* a chain seen unnarrowed needs no narrowed walk */
	if (s->seen[c->pos] && s->seen[c->pos] <= mark)
		return;
	s->seen[c->pos] = mark;
	if (depth > IPTS_EXP_MAX_DEPTH) {
		s->cut = true;
		return;
	}
	for (i = 0; i < c->nrules; i++) {
		const struct ipts_rule *r = c->rules[i];

		if (++s->scanned > IPTS_EXP_MAX_SCAN) {
			s->cut = true;
			return;
		}
		if (!iface_may(&r->e->ip, s->ifname))
			continue;
		split_rule(s, r, narrowed);
		if ((r->kind == IPTS_TGT_JUMP || r->kind == IPTS_TGT_GOTO) &&
		    r->dest)
			split_chain(s, r->dest, narrowed || narrows(r),
				    depth + 1);
	}
}

static int pfx_cmp(const void *a, const void *b)
{
	const struct ipts_exp_prefix *x = a, *y = b;

	if (x->len != y->len)
		return x->len < y->len ? -1 : 1;
	if (x->net != y->net)
		return ntohl(x->net) < ntohl(y->net) ? -1 : 1;
	return 0;
}

size_t ipts_exp_splits(struct ipts_exposure *e, const struct ipts_ruleset *rs,
		       const char *ifname, struct ipts_exp_prefix *out,
		       size_t max, size_t *more, size_t *narrowed,
		       size_t *unsplit)
{
	static const struct {
		enum ipts_table_id t;
		unsigned int hook;
	} entries[] = {
		{ IPTS_TABLE_RAW, NF_INET_PRE_ROUTING },
		{ IPTS_TABLE_MANGLE, NF_INET_PRE_ROUTING },
		{ IPTS_TABLE_NAT, NF_INET_PRE_ROUTING },
		{ IPTS_TABLE_MANGLE, NF_INET_LOCAL_IN },
		{ IPTS_TABLE_FILTER, NF_INET_LOCAL_IN },
		{ IPTS_TABLE_SECURITY, NF_INET_LOCAL_IN },
		{ IPTS_TABLE_NAT, NF_INET_LOCAL_IN },
		{ IPTS_TABLE_MANGLE, NF_INET_FORWARD },
		{ IPTS_TABLE_FILTER, NF_INET_FORWARD },
		{ IPTS_TABLE_SECURITY, NF_INET_FORWARD },
	};
	struct split_scan s = { .e = e, .ifname = ifname };
	size_t i, k = 0, n;

	for (i = 0; i < sizeof(entries) / sizeof(entries[0]); i++) {
		const struct ipts_table *t = rs->tables[entries[i].t];

		if (!t || !t->builtin[entries[i].hook])
			continue;
		s.seen = ipts_xcalloc(t->nchains + 1, 1);
		split_chain(&s, t->builtin[entries[i].hook], false, 0);
		free(s.seen);
	}
	if (s.cut)
		e->scan_cut = true;
	if (s.n)
		qsort(s.p, s.n, sizeof(*s.p), pfx_cmp);
	for (i = 0; i < s.n; i++)
		if (!k || pfx_cmp(&s.p[i], &s.p[k - 1]) != 0)
			s.p[k++] = s.p[i];
	n = k < max ? k : max;
	if (n) /* s.p is NULL when no prefix was found */
		memcpy(out, s.p, n * sizeof(*out));
	*more = k - n;
	*narrowed = s.narrowed;
	*unsplit = s.unsplit;
	free(s.p);
	return n;
}

bool ipts_exp_pfx_holds(struct ipts_exp_prefix a, struct ipts_exp_prefix b)
{
	return pfx_holds(a, b);
}

bool ipts_exp_pfx_has(struct ipts_exp_prefix a, uint32_t addr)
{
	return pfx_has(a, addr);
}

uint32_t ipts_exp_pick(const struct ipts_hostdesc *h, struct ipts_exp_prefix p,
		       const struct ipts_exp_prefix *except, size_t nexcept)
{
	uint64_t a = ntohl(p.net), end = a + (1ull << (32 - p.len));
	unsigned int tries = 0;
	size_t i;

	/* the network and broadcast addresses of a subnet are no client */
	if (p.len <= 30)
		a++, end--;
	while (a < end && tries++ < 4096) {
		uint32_t x = htonl((uint32_t)a);
		bool inside = false;

		for (i = 0; i < nexcept; i++)
			if (pfx_has(except[i], x)) {
				/* jump past the prefix holding it */
				a = ntohl(except[i].net) +
				    (1ull << (32 - except[i].len));
				inside = true;
				break;
			}
		if (inside)
			continue;
		/* no martian source: 0/8, 127/8, multicast, class E */
		if ((a >> 24) == 0 || (a >> 24) == 127 || (a >> 24) >= 224) {
			a = ((a >> 24) + 1) << 24;
			continue;
		}
		if (h && ipts_host_addr_type(h, x) != IPTS_RTN_UNICAST) {
			a++;
			continue;
		}
		return x;
	}
	return 0;
}
