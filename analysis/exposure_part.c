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
#include <linux/netfilter/xt_state.h>
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
	/* a pair's IPv6 rules cut its rows' ports too */
	for (t = 0; t < 2 * IPTS_TABLE_COUNT; t++) {
		const struct ipts_ruleset *r = t < IPTS_TABLE_COUNT ? rs :
								      e->rs6;
		const struct ipts_table *tb =
			r ? r->tables[t % IPTS_TABLE_COUNT] : NULL;

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

/* The client's port (ipts_query_init()): the reply's destination port. */
#define CLIENT_PORT 40000

/* The ESTABLISHED bit of a state or conntrack --ctstate mask
 * (XT_STATE_BIT(IP_CT_ESTABLISHED_REPLY)): what a reply is. */
#define STATE_ESTABLISHED (1u << 1)

/* Whether the state and conntrack matches of @r let a reply (an
 * ESTABLISHED packet) through: false when one asks for states without it
 * (--ctstate NEW). */
static bool reply_state_may(const struct ipts_rule *r)
{
	unsigned int i, mask, flags, inv;

	for (i = 0; i < r->nmatches; i++) {
		const struct xt_entry_match *m = ipts_rule_match(r, i);
		const char *name = m->u.user.name;

		if (ipts_blob_is_opaque(m->u.user.revision))
			continue;
		if (strcmp(name, "state") == 0) {
			const struct xt_state_info *st =
				ipts_match_data(m, sizeof(*st), NULL);

			if (st && !(st->statemask & STATE_ESTABLISHED))
				return false;
			continue;
		}
		if (strcmp(name, "conntrack") != 0)
			continue;
		if (m->u.user.revision == 1) {
			const struct xt_conntrack_mtinfo1 *c =
				ipts_match_data(m, sizeof(*c), NULL);

			if (!c)
				continue;
			flags = c->match_flags;
			inv = c->invert_flags;
			mask = c->state_mask;
		} else if (m->u.user.revision == 2 || m->u.user.revision == 3) {
			/* mtinfo2 and 3 begin alike */
			const struct xt_conntrack_mtinfo2 *c =
				ipts_match_data(m, sizeof(*c), NULL);

			if (!c)
				continue;
			flags = c->match_flags;
			inv = c->invert_flags;
			mask = c->state_mask;
		} else {
			continue;
		}
		if ((flags & XT_CONNTRACK_STATE) &&
		    !(mask & STATE_ESTABLISHED) != !!(inv & XT_CONNTRACK_STATE))
			return false;
	}
	return true;
}

/* Whether the tcp or udp match of @r lets a reply to the client's port
 * through (its --dport). */
static bool reply_port_may(const struct ipts_rule *r)
{
	unsigned int i;

	for (i = 0; i < r->nmatches; i++) {
		const struct xt_entry_match *m = ipts_rule_match(r, i);
		const struct xt_udp *u;

		if (ipts_blob_is_opaque(m->u.user.revision) ||
		    (strcmp(m->u.user.name, "tcp") != 0 &&
		     strcmp(m->u.user.name, "udp") != 0))
			continue;
		u = ipts_match_data(m, sizeof(*u), NULL);
		if (u && !(u->invflags & XT_UDP_INV_DSTPT) &&
		    (CLIENT_PORT < u->dpts[0] || CLIENT_PORT > u->dpts[1]))
			return false;
	}
	return true;
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
	/* the way back: the client is the destination (-d) of the host's
	 * and the server's answers */
	bool reply;
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
static bool narrows(const struct ipts_rule *r, bool reply)
{
	const struct ipt_ip *ip = &r->e->ip;
	unsigned int i;

	if (reply ? ip->smsk.s_addr : ip->dmsk.s_addr)
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

	uint32_t msk = s->reply ? ip->dmsk.s_addr : ip->smsk.s_addr;

	if (msk) {
		len = mask_len(ntohl(msk));
		if (len < 0)
			s->unsplit++;
		else
			split_add(s, s->reply ? ip->dst.s_addr : ip->src.s_addr,
				  (uint8_t)len, narrowed);
	}
	for (i = 0; i < r->nmatches; i++) {
		const struct xt_entry_match *m = ipts_rule_match(r, i);
		const struct xt_iprange_mtinfo *ir;

		if (strcmp(m->u.user.name, "iprange") != 0 ||
		    m->u.user.revision != 1)
			continue;
		ir = ipts_match_data(m, sizeof(*ir), NULL);
		if (ir && !s->reply && (ir->flags & IPRANGE_SRC) &&
		    ntohl(ir->src_min.ip) <= ntohl(ir->src_max.ip))
			split_range(s, ir->src_min.ip, ir->src_max.ip,
				    narrowed);
		if (ir && s->reply && (ir->flags & IPRANGE_DST) &&
		    ntohl(ir->dst_min.ip) <= ntohl(ir->dst_max.ip))
			split_range(s, ir->dst_min.ip, ir->dst_max.ip,
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
		/* the way back: whatever interface the answer leaves by, a
		 * rule no answer to the client's port meets aside */
		if (s->reply ? !reply_state_may(r) || !reply_port_may(r) :
			       !iface_may(&r->e->ip, s->ifname))
			continue;
		split_rule(s, r, narrowed);
		if ((r->kind == IPTS_TGT_JUMP || r->kind == IPTS_TGT_GOTO) &&
		    r->dest)
			split_chain(s, r->dest,
				    narrowed || narrows(r, s->reply),
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

struct entry {
	enum ipts_table_id t;
	unsigned int hook;
};

/* Where a client's packets meet the rules: its source is -s there. */
static const struct entry entries[] = {
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

/* Where the answers to it meet them (the host's by OUTPUT, a forwarded
 * server's by PREROUTING and FORWARD, both by POSTROUTING; no nat: an
 * answer is no new connection): the client is -d there. */
static const struct entry reply_entries[] = {
	{ IPTS_TABLE_RAW, NF_INET_LOCAL_OUT },
	{ IPTS_TABLE_MANGLE, NF_INET_LOCAL_OUT },
	{ IPTS_TABLE_FILTER, NF_INET_LOCAL_OUT },
	{ IPTS_TABLE_SECURITY, NF_INET_LOCAL_OUT },
	{ IPTS_TABLE_RAW, NF_INET_PRE_ROUTING },
	{ IPTS_TABLE_MANGLE, NF_INET_PRE_ROUTING },
	{ IPTS_TABLE_MANGLE, NF_INET_FORWARD },
	{ IPTS_TABLE_FILTER, NF_INET_FORWARD },
	{ IPTS_TABLE_SECURITY, NF_INET_FORWARD },
	{ IPTS_TABLE_MANGLE, NF_INET_POST_ROUTING },
};

#define ENTRIES (sizeof(entries) / sizeof(entries[0]))
#define REPLY_ENTRIES (sizeof(reply_entries) / sizeof(reply_entries[0]))

size_t ipts_exp_splits(struct ipts_exposure *e, const struct ipts_ruleset *rs,
		       const char *ifname, struct ipts_exp_prefix *out,
		       size_t max, size_t *more, size_t *narrowed,
		       size_t *unsplit)
{
	struct split_scan s = { .e = e, .ifname = ifname };
	size_t i, k = 0, n;

	for (i = 0; i < ENTRIES + REPLY_ENTRIES; i++) {
		const struct ipts_table *t =
			rs->tables[i < ENTRIES ? entries[i].t :
						 reply_entries[i - ENTRIES].t];
		unsigned int hook = i < ENTRIES ?
					    entries[i].hook :
					    reply_entries[i - ENTRIES].hook;

		s.reply = i >= ENTRIES;
		if (!t || !t->builtin[hook])
			continue;
		s.seen = ipts_xcalloc(t->nchains + 1, 1);
		split_chain(&s, t->builtin[hook], false, 0);
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

/* --- the sources one row's rules split ------------------------------ */

/*
 * What a row's packets may be on their way: the protocol, the destination
 * ports and addresses before nat PREROUTING and after each DNAT or
 * REDIRECT it may meet (any_*: not told, every value taken as possible).
 */
#define ROW_MAX 16
#define ROW_MAX_NAMED 256

struct row_scan {
	uint8_t proto;
	unsigned int nports, ndst;
	bool any_port, any_dst;
	uint16_t plo[ROW_MAX], phi[ROW_MAX];
	uint32_t dst[ROW_MAX];
	const char *ifname;
	/* the source prefixes the rules it may meet name */
	struct ipts_exp_prefix named[ROW_MAX_NAMED];
	size_t nnamed;
	bool unsafe; /* a rule it may meet reads the source unmodelled */
	bool reply; /* on the way back: the client is -d */
	uint64_t *work;
	unsigned char *seen;
	size_t nseen;
};

/* Matches that read no source address (iprange's is a named prefix). */
static const char *const source_free_matches[] = {
	"addrtype",  "comment", "connmark", "devgroup", "dscp",	 "ecn",
	"helper",    "icmp",	"iprange",  "length",	"limit", "mark",
	"multiport", "owner",	"physdev",  "pkttype",	"realm", "state",
	"statistic", "tcp",	"tcpmss",   "tos",	"ttl",	 "udp",
};

/* Targets that read no source address. */
static const char *const source_free_targets[] = {
	"AUDIT",  "CHECKSUM", "CLASSIFY", "CONNMARK", "CT",
	"DNAT",	  "DSCP",     "LOG",	  "MARK",     "MASQUERADE",
	"NFLOG",  "NOTRACK",  "REDIRECT", "REJECT",   "SNAT",
	"TCPMSS", "TOS",      "TRACE",	  "TTL",      "ULOG",
};

static bool target_name_is(const struct xt_entry_target *t, const char *name)
{
	return t && strncmp(t->u.user.name, name, sizeof(t->u.user.name)) == 0;
}

/* Whether @r's target may read the source (an extension iptsim does not
 * know to leave it alone): row_unsafe() and row6_unsafe() share it. */
static bool target_reads_source(const struct ipts_rule *r)
{
	const struct xt_entry_target *t;

	if (r->kind != IPTS_TGT_EXT)
		return false;
	t = ipts_rule_target(r);
	return !t || ipts_blob_is_opaque(t->u.user.revision) ||
	       !in_list(t->u.user.name, source_free_targets,
			sizeof(source_free_targets) /
				sizeof(source_free_targets[0]));
}

static void row_port(struct row_scan *s, uint16_t lo, uint16_t hi)
{
	if (s->nports == ROW_MAX)
		s->any_port = true;
	else
		s->plo[s->nports] = lo, s->phi[s->nports++] = hi;
}

static void row_dst(struct row_scan *s, uint32_t a)
{
	if (s->ndst == ROW_MAX)
		s->any_dst = true;
	else
		s->dst[s->ndst++] = a;
}

/* Whether some destination port of @s is in [lo, hi]. */
static bool row_port_in(const struct row_scan *s, uint16_t lo, uint16_t hi)
{
	unsigned int i;

	if (s->any_port)
		return true;
	for (i = 0; i < s->nports; i++)
		if (s->plo[i] <= hi && lo <= s->phi[i])
			return true;
	return false;
}

/* Whether the matches of @r let some packet of @s through (a match this
 * does not model: yes). */
static bool row_matches_may(const struct row_scan *s, const struct ipts_rule *r)
{
	unsigned int i, k;

	for (i = 0; i < r->nmatches; i++) {
		const struct xt_entry_match *m = ipts_rule_match(r, i);
		const char *name = m->u.user.name;

		if (ipts_blob_is_opaque(m->u.user.revision))
			continue;
		if ((strcmp(name, "tcp") == 0 && s->proto == IPPROTO_TCP) ||
		    (strcmp(name, "udp") == 0 && s->proto == IPPROTO_UDP)) {
			const struct xt_udp *u = ipts_match_data(m, sizeof(*u),
								 NULL);

			if (u && !(u->invflags & XT_UDP_INV_DSTPT) &&
			    !row_port_in(s, u->dpts[0], u->dpts[1]))
				return false;
		} else if (strcmp(name, "tcp") == 0 ||
			   strcmp(name, "udp") == 0) {
			return false; /* the other protocol's match */
		} else if (strcmp(name, "multiport") == 0 &&
			   m->u.user.revision == 1) {
			const struct xt_multiport_v1 *mp =
				ipts_match_data(m, sizeof(*mp), NULL);
			bool any = false;

			if (!mp || mp->invert || mp->count > XT_MULTI_PORTS ||
			    mp->flags != XT_MULTIPORT_DESTINATION)
				continue;
			for (k = 0; k < mp->count; k++) {
				uint16_t lo = mp->ports[k], hi = lo;

				if (mp->pflags[k] && k + 1 < mp->count)
					hi = mp->ports[++k];
				any = any || row_port_in(s, lo, hi);
			}
			if (!any)
				return false;
		}
	}
	return true;
}

/* Whether rule @r may be met by a packet of @s (its source aside). */
/* Whether the --sport of a tcp or udp match of @r may be a port of @s
 * (the answer's source port is the server's). */
static bool reply_sport_may(const struct row_scan *s, const struct ipts_rule *r)
{
	unsigned int i;

	for (i = 0; i < r->nmatches; i++) {
		const struct xt_entry_match *m = ipts_rule_match(r, i);
		const struct xt_udp *u;

		if (ipts_blob_is_opaque(m->u.user.revision) ||
		    (strcmp(m->u.user.name, "tcp") != 0 &&
		     strcmp(m->u.user.name, "udp") != 0))
			continue;
		u = ipts_match_data(m, sizeof(*u), NULL);
		if (u && !(u->invflags & XT_UDP_INV_SRCPT) &&
		    !row_port_in(s, u->spts[0], u->spts[1]))
			return false;
	}
	return true;
}

static bool row_may(const struct row_scan *s, const struct ipts_rule *r)
{
	const struct ipt_ip *ip = &r->e->ip;
	bool inv;
	unsigned int i;

	if (ip->proto) {
		inv = !!(ip->invflags & IPT_INV_PROTO);
		if ((ip->proto == s->proto) == inv)
			return false;
	}
	/* the way back: by any interface, to the client's port */
	if (s->reply)
		return reply_state_may(r) && reply_port_may(r) &&
		       reply_sport_may(s, r);
	if (!iface_may(ip, s->ifname))
		return false;
	if (ip->dmsk.s_addr && !s->any_dst) {
		bool some = false;

		inv = !!(ip->invflags & IPT_INV_DSTIP);
		for (i = 0; i < s->ndst; i++)
			if ((((s->dst[i] ^ ip->dst.s_addr) & ip->dmsk.s_addr) ==
			     0) != inv)
				some = true;
		if (!some)
			return false;
	}
	return row_matches_may(s, r);
}

/* Whether @r reads the source in a way the named prefixes do not say. */
static bool row_unsafe(const struct ipts_rule *r)
{
	unsigned int i;

	if (r->flags & IPTS_RULE_OPAQUE)
		return true;
	if (r->e->ip.smsk.s_addr && mask_len(ntohl(r->e->ip.smsk.s_addr)) < 0)
		return true;
	for (i = 0; i < r->nmatches; i++) {
		const struct xt_entry_match *m = ipts_rule_match(r, i);
		const char *name = m->u.user.name;

		if (ipts_blob_is_opaque(m->u.user.revision))
			return true;
		if (strcmp(name, "conntrack") == 0) {
			/* its state and status read no address; its
			 * origsrc and repldst are the client's */
			if (!conntrack_port_free(m))
				return true;
			continue;
		}
		if (!in_list(name, source_free_matches,
			     sizeof(source_free_matches) /
				     sizeof(source_free_matches[0])))
			return true;
	}
	return target_reads_source(r);
}

static void row_name(struct row_scan *s, uint32_t net, uint8_t len)
{
	struct ipts_exp_prefix p = { htonl(ntohl(net) & mask_of(len)), len };
	size_t i;

	for (i = 0; i < s->nnamed; i++)
		if (s->named[i].net == p.net && s->named[i].len == p.len)
			return;
	if (s->nnamed == ROW_MAX_NAMED)
		s->unsafe = true;
	else
		s->named[s->nnamed++] = p;
}

/* The source prefixes rule @r names into @s. */
static void row_names(struct row_scan *s, const struct ipts_rule *r)
{
	const struct ipt_ip *ip = &r->e->ip;
	unsigned int i;

	uint32_t msk = s->reply ? ip->dmsk.s_addr : ip->smsk.s_addr;

	if (msk && mask_len(ntohl(msk)) < 0)
		s->unsafe = true;
	else if (msk)
		row_name(s, s->reply ? ip->dst.s_addr : ip->src.s_addr,
			 (uint8_t)mask_len(ntohl(msk)));
	for (i = 0; i < r->nmatches; i++) {
		const struct xt_entry_match *m = ipts_rule_match(r, i);
		const struct xt_iprange_mtinfo *ir;
		uint64_t a, b;

		if (strcmp(m->u.user.name, "iprange") != 0)
			continue;
		ir = m->u.user.revision == 1 ?
			     ipts_match_data(m, sizeof(*ir), NULL) :
			     NULL;
		if (!ir) {
			s->unsafe = true;
			continue;
		}
		if (!(ir->flags & (s->reply ? IPRANGE_DST : IPRANGE_SRC)))
			continue;
		/* the range as the prefixes it is made of */
		a = ntohl(s->reply ? ir->dst_min.ip : ir->src_min.ip);
		b = ntohl(s->reply ? ir->dst_max.ip : ir->src_max.ip);
		while (a <= b && !s->unsafe) {
			uint8_t len = 32;

			while (len > 0 &&
			       (a & ((1ull << (33 - len)) - 1)) == 0 &&
			       a + (1ull << (33 - len)) - 1 <= b)
				len--;
			row_name(s, htonl((uint32_t)a), len);
			a += 1ull << (32 - len);
		}
	}
}

/* A DNAT or REDIRECT rule @r may meet: where its packets go after it. */
static void row_nat(struct row_scan *s, const struct ipts_rule *r)
{
	const struct xt_entry_target *t = ipts_rule_target(r);
	bool redirect = target_name_is(t, "REDIRECT");
	uint32_t amin, amax;
	uint16_t lo, hi;
	unsigned int flags;

	if (t->u.user.revision == 0) {
		const struct nf_nat_ipv4_multi_range_compat *mr =
			ipts_target_data(t, sizeof(*mr), NULL);

		if (!mr) {
			s->any_port = s->any_dst = true;
			return;
		}
		flags = mr->range[0].flags;
		amin = mr->range[0].min_ip;
		amax = mr->range[0].max_ip;
		lo = ntohs(mr->range[0].min.all);
		hi = ntohs(mr->range[0].max.all);
	} else {
		const struct nf_nat_range *nr = ipts_target_data(t, sizeof(*nr),
								 NULL);

		if (!nr) {
			s->any_port = s->any_dst = true;
			return;
		}
		flags = nr->flags;
		amin = nr->min_addr.ip;
		amax = nr->max_addr.ip;
		lo = ntohs(nr->min_proto.all);
		hi = ntohs(nr->max_proto.all);
	}
	if (flags & NF_NAT_RANGE_PROTO_SPECIFIED)
		row_port(s, lo < hi ? lo : hi, lo < hi ? hi : lo);
	/* REDIRECT: the address of the interface it came in by */
	if (redirect || !(flags & NF_NAT_RANGE_MAP_IPS) || amin != amax)
		s->any_dst = s->any_dst || redirect ||
			     (flags & NF_NAT_RANGE_MAP_IPS);
	else
		row_dst(s, amin);
}

static void row_chain(struct row_scan *s, const struct ipts_chain *c, bool nat,
		      unsigned int depth)
{
	uint32_t i;

	if (c->pos < s->nseen) {
		if (s->seen[c->pos])
			return;
		s->seen[c->pos] = 1;
	}
	if (depth > IPTS_EXP_MAX_DEPTH) {
		s->unsafe = true;
		return;
	}
	for (i = 0; i < c->nrules && !s->unsafe; i++) {
		const struct ipts_rule *r = c->rules[i];

		if (++*s->work > IPTS_EXP_MAX_SCAN) {
			s->unsafe = true;
			return;
		}
		if (!row_may(s, r))
			continue;
		if (row_unsafe(r)) {
			s->unsafe = true;
			return;
		}
		row_names(s, r);
		if ((r->kind == IPTS_TGT_JUMP || r->kind == IPTS_TGT_GOTO) &&
		    r->dest)
			row_chain(s, r->dest, nat, depth + 1);
		else if (nat && r->kind == IPTS_TGT_EXT &&
			 (target_name_is(ipts_rule_target(r), "DNAT") ||
			  target_name_is(ipts_rule_target(r), "REDIRECT")))
			row_nat(s, r);
	}
}

int ipts_exp_row_sources(const struct ipts_ruleset *rs, uint8_t proto,
			 uint16_t port, uint32_t dst, const char *ifname,
			 struct ipts_exp_prefix *named, size_t max,
			 size_t *nnamed, uint64_t *work)
{
	struct row_scan *s;
	const struct ipts_table *nat = rs->tables[IPTS_TABLE_NAT];
	size_t i;
	int rc = 0;

	if (*work > IPTS_EXP_MAX_SCAN)
		return -1;
	s = ipts_xcalloc(1, sizeof(*s));

	s->proto = proto;
	s->ifname = ifname;
	s->work = work;
	row_port(s, port, port);
	row_dst(s, dst);
	/* nat PREROUTING first, as the packet meets it before the
	 * routing decision: where its DNATs may send it */
	if (nat && nat->builtin[NF_INET_PRE_ROUTING]) {
		s->nseen = nat->nchains + 1;
		/* a file of many chains: their marks are work too */
		*work += s->nseen / 8;
		s->seen = ipts_xcalloc(s->nseen, 1);
		row_chain(s, nat->builtin[NF_INET_PRE_ROUTING], true, 0);
		free(s->seen);
	}
	/* then the rest of the way in, and the way back */
	for (i = 0; i < ENTRIES + REPLY_ENTRIES && !s->unsafe; i++) {
		const struct entry *x = i < ENTRIES ?
						&entries[i] :
						&reply_entries[i - ENTRIES];
		const struct ipts_table *t = rs->tables[x->t];

		s->reply = i >= ENTRIES;
		if (!t || !t->builtin[x->hook] ||
		    (x->t == IPTS_TABLE_NAT && x->hook == NF_INET_PRE_ROUTING))
			continue;
		s->nseen = t->nchains + 1;
		*work += s->nseen / 8;
		s->seen = ipts_xcalloc(s->nseen, 1);
		row_chain(s, t->builtin[x->hook], false, 0);
		free(s->seen);
	}
	if (!s->unsafe && s->nnamed <= max) {
		if (s->nnamed)
			memcpy(named, s->named, s->nnamed * sizeof(*named));
		*nnamed = s->nnamed;
	} else {
		rc = -1;
	}
	free(s);
	return rc;
}

/* --- IPv6: which source classes a row's rules tell apart ------------ */

/* Whether address mask @m tells @a and @b apart (one inside, one not). */
static bool mask6_apart(const struct in6_addr *net, const struct in6_addr *m,
			const struct in6_addr *a, const struct in6_addr *b)
{
	unsigned int i;
	bool in_a = true, in_b = true;

	for (i = 0; i < 4; i++) {
		if ((a->s6_addr32[i] ^ net->s6_addr32[i]) & m->s6_addr32[i])
			in_a = false;
		if ((b->s6_addr32[i] ^ net->s6_addr32[i]) & m->s6_addr32[i])
			in_b = false;
	}
	return in_a != in_b;
}

/* Whether IPv6 rule @r reads the source in a way its -s does not say
 * (iprange is not modelled here: it counts as such). */
static bool row6_unsafe(const struct ipts_rule *r)
{
	unsigned int i;

	if (r->flags & IPTS_RULE_OPAQUE)
		return true;
	for (i = 0; i < r->nmatches; i++) {
		const struct xt_entry_match *m = ipts_rule_match(r, i);
		const char *name = m->u.user.name;

		if (ipts_blob_is_opaque(m->u.user.revision) ||
		    strcmp(name, "iprange") == 0)
			return true;
		if (strcmp(name, "conntrack") == 0) {
			if (!conntrack_port_free(m))
				return true;
			continue;
		}
		if (strcmp(name, "icmp6") != 0 &&
		    !in_list(name, source_free_matches,
			     sizeof(source_free_matches) /
				     sizeof(source_free_matches[0])))
			return true;
	}
	return target_reads_source(r);
}

/* Whether @r's own -p and tcp/udp destination port say a row's first
 * packet (@proto, @port) never meets it. */
static bool row6_misses(const struct ipts_rule *r, uint8_t proto, uint16_t port)
{
	const struct ip6t_ip6 *ip = &r->e6->ipv6;
	unsigned int i;

	if ((ip->flags & IP6T_F_PROTO) && !(ip->invflags & IP6T_INV_PROTO) &&
	    ip->proto != proto)
		return true;
	for (i = 0; i < r->nmatches; i++) {
		const struct xt_entry_match *m = ipts_rule_match(r, i);
		const uint16_t *dpts = NULL;

		if (ipts_blob_is_opaque(m->u.user.revision))
			continue;
		if (strcmp(m->u.user.name, "tcp") == 0 &&
		    proto == IPPROTO_TCP) {
			const struct xt_tcp *t = ipts_match_data(m, sizeof(*t),
								 NULL);

			if (t && !(t->invflags & XT_TCP_INV_DSTPT))
				dpts = t->dpts;
		} else if (strcmp(m->u.user.name, "udp") == 0 &&
			   proto == IPPROTO_UDP) {
			const struct xt_udp *u = ipts_match_data(m, sizeof(*u),
								 NULL);

			if (u && !(u->invflags & XT_UDP_INV_DSTPT))
				dpts = u->dpts;
		}
		if (dpts && (port < dpts[0] || port > dpts[1]))
			return true;
	}
	return false;
}

int ipts_exp_row6_apart(const struct ipts_ruleset *rs6, uint8_t proto,
			uint16_t port, const struct in6_addr *a,
			const struct in6_addr *b, uint64_t *work)
{
	bool nat = false;
	unsigned int t, k;
	uint32_t j;

	/* a DNAT or REDIRECT may give the packet another port: then no
	 * rule is left out by its port */
	for (t = 0; t < IPTS_TABLE_COUNT; t++) {
		const struct ipts_table *tb = rs6->tables[t];

		for (k = 0; tb && k < tb->nchains; k++)
			for (j = 0; j < tb->chains[k]->nrules; j++) {
				const struct ipts_rule *r =
					tb->chains[k]->rules[j];
				const struct xt_entry_target *x =
					r->kind == IPTS_TGT_EXT ?
						ipts_rule_target(r) :
						NULL;

				if (++*work > IPTS_EXP_MAX_SCAN)
					return -1;
				if (target_name_is(x, "DNAT") ||
				    target_name_is(x, "REDIRECT"))
					nat = true;
			}
	}
	for (t = 0; t < IPTS_TABLE_COUNT; t++) {
		const struct ipts_table *tb = rs6->tables[t];

		for (k = 0; tb && k < tb->nchains; k++)
			for (j = 0; j < tb->chains[k]->nrules; j++) {
				const struct ipts_rule *r =
					tb->chains[k]->rules[j];
				const struct ip6t_ip6 *ip = &r->e6->ipv6;

				if (++*work > IPTS_EXP_MAX_SCAN)
					return -1;
				if (row6_unsafe(r))
					return 1;
				/* the way back: the client is -d */
				if (mask6_apart(&ip->dst, &ip->dmsk, a, b))
					return 1;
				if (mask6_apart(&ip->src, &ip->smsk, a, b) &&
				    (nat || !row6_misses(r, proto, port)))
					return 1;
			}
	}
	return 0;
}
