/*
 * lint.c - review findings on a loaded ruleset (see lint.h for the codes).
 *
 * Shadowing and redundancy rest on one question: does every packet rule B
 * could match also match rule A? Each rule is turned into a "space": the
 * ipt_ip header fields (as ip_packet_match() reads them), port sets from
 * tcp, udp and multiport, the conntrack state set from state and
 * conntrack --ctstate, and mark. A few more matches (icmp, owner, addrtype,
 * ...) are deterministic functions of the packet with no side effects; for
 * those A covers B only when B carries a byte-identical blob. A rule with any
 * other match is "unmodelled": it is never called shadowed and never
 * shadows. The packet a later rule sees may differ from the one an earlier
 * rule saw when a rule between them changes it (MARK, CONNMARK, CT, or any
 * target we do not know): the search for a shadowing rule stops there.
 */
#include "lint_int.h"
#include "blob.h"

#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/netfilter/x_tables.h>
#include <linux/netfilter/xt_comment.h>
#include <linux/netfilter/xt_conntrack.h>
#include <linux/netfilter/xt_mark.h>
#include <linux/netfilter/xt_multiport.h>
#include <linux/netfilter/xt_owner.h>
#include <linux/netfilter/xt_recent.h>
#include <linux/netfilter/xt_state.h>
#include <linux/netfilter/xt_statistic.h>
#include <linux/netfilter/xt_tcpudp.h>

#define PROTO_TCP 6

static void ipts_pset_full(struct ipts_pset *s)
{
	s->n = 1;
	s->lo[0] = 0;
	s->hi[0] = 65535;
}

static bool ipts_pset_is_full(const struct ipts_pset *s)
{
	return s->n == 1 && s->lo[0] == 0 && s->hi[0] == 65535;
}

static void ipts_pset_complement(struct ipts_pset *s)
{
	struct ipts_pset o = { .n = 0 };
	uint32_t next = 0;
	unsigned int i;

	/* at most 15 multiport ranges: never near the bound */
	assert(s->n < IPTS_PSET_MAX);
	for (i = 0; i < s->n; i++) {
		if (s->lo[i] > next) {
			o.lo[o.n] = (uint16_t)next;
			o.hi[o.n++] = (uint16_t)(s->lo[i] - 1);
		}
		next = (uint32_t)s->hi[i] + 1;
	}
	if (next <= 65535) {
		o.lo[o.n] = (uint16_t)next;
		o.hi[o.n++] = 65535;
	}
	*s = o;
}

/* Add [lo, hi] to a set being built (any order); false when full. */
static bool ipts_pset_add(struct ipts_pset *s, uint16_t lo, uint16_t hi)
{
	unsigned int i, j;

	if (lo > hi)
		return true;	/* an empty range adds nothing */
	for (i = 0; i < s->n && s->lo[i] < lo; i++)
		;
	if (s->n == IPTS_PSET_MAX)
		return false;
	memmove(&s->lo[i + 1], &s->lo[i], (s->n - i) * sizeof(s->lo[0]));
	memmove(&s->hi[i + 1], &s->hi[i], (s->n - i) * sizeof(s->hi[0]));
	s->lo[i] = lo;
	s->hi[i] = hi;
	s->n++;
	/* merge overlapping or adjacent neighbours */
	for (i = 0, j = 0; i < s->n; i++) {
		if (j && (uint32_t)s->hi[j - 1] + 1 >= s->lo[i]) {
			if (s->hi[i] > s->hi[j - 1])
				s->hi[j - 1] = s->hi[i];
			continue;
		}
		s->lo[j] = s->lo[i];
		s->hi[j++] = s->hi[i];
	}
	s->n = j;
	return true;
}

static void ipts_pset_intersect(struct ipts_pset *a, const struct ipts_pset *b)
{
	struct ipts_pset o = { .n = 0 };
	unsigned int i = 0, j = 0;

	while (i < a->n && j < b->n) {
		uint16_t lo = a->lo[i] > b->lo[j] ? a->lo[i] : b->lo[j];
		uint16_t hi = a->hi[i] < b->hi[j] ? a->hi[i] : b->hi[j];

		if (lo <= hi) {
			/* dropping a range would be unsound: cannot happen
			 * with at most 2 + 16 ranges per side */
			assert(o.n < IPTS_PSET_MAX);
			o.lo[o.n] = lo;
			o.hi[o.n++] = hi;
		}
		if (a->hi[i] < b->hi[j])
			i++;
		else
			j++;
	}
	*a = o;
}

/* Every port of @b is in @a. */
static bool ipts_pset_subset(const struct ipts_pset *b, const struct ipts_pset *a)
{
	unsigned int i, j = 0;

	for (i = 0; i < b->n; i++) {
		while (j < a->n && a->hi[j] < b->lo[i])
			j++;
		if (j == a->n || a->lo[j] > b->lo[i] || a->hi[j] < b->hi[i])
			return false;
	}
	return true;
}

static bool ipts_pset_overlap(const struct ipts_pset *a, const struct ipts_pset *b)
{
	struct ipts_pset t = *a;

	ipts_pset_intersect(&t, b);
	return t.n > 0;
}

/* Matches compared by identity: deterministic, no side effects. */
static const char *const identity_matches[] = {
	"addrtype", "connmark", "conntrack", "dscp", "helper", "icmp",
	"iprange", "length", "mac", "owner", "physdev", "pkttype", "tos",
	"ttl",
};

/* Matches whose answer the file cannot know (IPT007), with the reason. */
static const struct {
	const char *name, *why;
} hoststate_matches[] = {
	{ "bpf", "-m bpf reads the payload" },
	{ "cgroup", "-m cgroup depends on the sending process's cgroup" },
	{ "connbytes", "-m connbytes counts the connection's history" },
	{ "connlimit", "-m connlimit counts the host's connections" },
	{ "hashlimit", "-m hashlimit is a rate limit: it depends on history" },
	{ "limit", "-m limit is a rate limit: it depends on history" },
	{ "nfacct", "-m nfacct counters are host state" },
	{ "quota", "-m quota depends on the bytes already counted" },
	{ "quota2", "-m quota2 depends on the bytes already counted" },
	{ "rateest", "-m rateest depends on measured rates" },
	{ "set", "-m set contents are host state" },
	{ "socket", "-m socket depends on the host's sockets" },
	{ "string", "-m string reads the payload" },
	{ "time", "-m time depends on the clock" },
	{ "u32", "-m u32 reads the payload" },
};

/*
 * Targets that leave every field the spaces look at unchanged (TOS, DSCP,
 * TTL and ECN are not here: they change what tos, dscp, ttl or the TCP
 * flags see). NAT targets and NFQUEUE end the walk of the chain.
 */
static const char *const harmless_targets[] = {
	"AUDIT", "CHECKSUM", "CLASSIFY", "CONNSECMARK", "DNAT", "IDLETIMER",
	"LED", "LOG", "MASQUERADE", "NETMAP", "NFLOG", "NFQUEUE", "REDIRECT",
	"REJECT", "SECMARK", "SET", "SNAT", "TCPMSS", "TCPOPTSTRIP", "TEE",
	"TRACE", "ULOG",
};

static bool ports_range(struct ipts_pset *s, const uint16_t r[2], bool inv)
{
	struct ipts_pset t = { .n = 0 };

	ipts_pset_add(&t, r[0], r[1]);
	if (inv)
		ipts_pset_complement(&t);
	ipts_pset_intersect(s, &t);
	return true;
}

static bool space_multiport(struct ipts_space *sp,
			    const struct xt_entry_match *m)
{
	struct ipts_pset t = { .n = 0 };
	unsigned int i, count;
	uint8_t flags;
	bool inv = false;

	if (m->u.user.revision == 0) {
		const struct xt_multiport *mp =
			ipts_match_data(m, sizeof(*mp), NULL);

		if (!mp)
			return false;
		flags = mp->flags;
		count = mp->count;
		if (count > XT_MULTI_PORTS)
			return false;
		for (i = 0; i < count; i++)
			if (!ipts_pset_add(&t, mp->ports[i], mp->ports[i]))
				return false;
	} else if (m->u.user.revision == 1) {
		const struct xt_multiport_v1 *mp =
			ipts_match_data(m, sizeof(*mp), NULL);

		if (!mp)
			return false;
		flags = mp->flags;
		count = mp->count;
		if (count > XT_MULTI_PORTS)
			return false;
		/* ports_match_v1(): pflags[i] makes ports[i]:ports[i+1] */
		for (i = 0; i < count; i++) {
			uint16_t lo = mp->ports[i], hi = lo;

			if (mp->pflags[i] && i + 1 < count)
				hi = mp->ports[++i];
			if (!ipts_pset_add(&t, lo, hi))
				return false;
		}
		inv = mp->invert;
	} else {
		return false;
	}
	if (inv)
		ipts_pset_complement(&t);
	if (flags == XT_MULTIPORT_SOURCE)
		ipts_pset_intersect(&sp->sport, &t);
	else if (flags == XT_MULTIPORT_DESTINATION)
		ipts_pset_intersect(&sp->dport, &t);
	else
		return false;	/* --ports: source or destination */
	sp->frag &= IPTS_FRAG_FIRST;
	return true;
}

/* The state bits of xt_state / xt_conntrack, normalised to ST_*. */
static uint8_t norm_state(unsigned int mask, unsigned int untracked_bit)
{
	return (uint8_t)((mask & 0xf) | ((mask & untracked_bit) ? 0x10 : 0));
}

static bool space_conntrack(struct ipts_space *sp,
			    const struct xt_entry_match *m)
{
	unsigned int flags, inv, mask;
	uint8_t st;

	switch (m->u.user.revision) {
	case 1: {
		const struct xt_conntrack_mtinfo1 *c =
			ipts_match_data(m, sizeof(*c), NULL);

		if (!c)
			return false;
		flags = c->match_flags;
		inv = c->invert_flags;
		mask = c->state_mask;
		break;
	}
	case 2: {
		const struct xt_conntrack_mtinfo2 *c =
			ipts_match_data(m, sizeof(*c), NULL);

		if (!c)
			return false;
		flags = c->match_flags;
		inv = c->invert_flags;
		mask = c->state_mask;
		break;
	}
	case 3: {
		const struct xt_conntrack_mtinfo3 *c =
			ipts_match_data(m, sizeof(*c), NULL);

		if (!c)
			return false;
		flags = c->match_flags;
		inv = c->invert_flags;
		mask = c->state_mask;
		break;
	}
	default:
		return false;
	}
	/* libxtables loads "-m state" as conntrack with STATE_ALIAS */
	if ((flags & ~XT_CONNTRACK_STATE_ALIAS) != XT_CONNTRACK_STATE)
		return false;
	/* SNAT/DNAT are extra bits on a tracked packet: not a plain set */
	if (mask & (XT_CONNTRACK_STATE_SNAT | XT_CONNTRACK_STATE_DNAT))
		return false;
	st = norm_state(mask, XT_CONNTRACK_STATE_UNTRACKED);
	if (inv & XT_CONNTRACK_STATE)
		st = (uint8_t)(~st & IPTS_ST_ALL);
	sp->states &= st;
	if (flags & XT_CONNTRACK_STATE_ALIAS)
		sp->state_m = true;
	else
		sp->ctstate_m = true;
	return true;
}

/*
 * -m recent (recent_mt()): --set always matches and --remove always leaves
 * no entry, so neither needs the lists' past to know what it writes; only
 * --set needs it for nothing at all. --rcheck, --update and --remove answer
 * from the lists, which hold earlier traffic. Never modelled exactly: it
 * acts, so a rule with it is not compared with others.
 */
static bool space_recent(struct ipts_space *sp, const struct xt_entry_match *m,
			 unsigned int idx)
{
	const struct xt_recent_mtinfo *info =
		ipts_match_data(m, sizeof(*info), NULL);

	if (m->u.user.revision > 1 || !info) {
		if (sp->hoststate < 0) {
			sp->hoststate = (int)idx;
			sp->hoststate_why = "-m recent lists are host state";
			sp->hoststate_writes = true;
		}
		sp->last_write = (int)idx;
		return false;
	}
	if (info->check_set &
	    (XT_RECENT_SET | XT_RECENT_UPDATE | XT_RECENT_REMOVE))
		sp->last_write = (int)idx;
	if (!(info->check_set & XT_RECENT_SET) && sp->hoststate < 0) {
		sp->hoststate = (int)idx;
		sp->hoststate_why = "-m recent lists are host state";
		sp->hoststate_writes = info->check_set & XT_RECENT_UPDATE;
	}
	return false;
}

/* One match into @sp; false when it is not modelled exactly. */
static bool space_match(struct ipts_space *sp, const struct xt_entry_match *m,
			unsigned int idx)
{
	const char *name = m->u.user.name;
	size_t i;

	if (ipts_blob_is_opaque(m->u.user.revision)) {
		if (sp->hoststate < 0) {
			sp->hoststate = (int)idx;
			sp->hoststate_why = strcmp(name, "set") == 0 ?
				"-m set contents are host state" :
				"the match is kept as words";
		}
		return false;
	}
	if (strcmp(name, "recent") == 0)
		return space_recent(sp, m, idx);
	for (i = 0; i < sizeof(hoststate_matches) / sizeof(hoststate_matches[0]);
	     i++) {
		if (strcmp(name, hoststate_matches[i].name) == 0) {
			if (sp->hoststate < 0) {
				sp->hoststate = (int)idx;
				sp->hoststate_why = hoststate_matches[i].why;
			}
			return false;
		}
	}
	if (strcmp(name, "statistic") == 0) {
		const struct xt_statistic_info *s =
			ipts_match_data(m, sizeof(*s), NULL);

		if (s && s->mode == XT_STATISTIC_MODE_RANDOM &&
		    sp->hoststate < 0) {
			sp->hoststate = (int)idx;
			sp->hoststate_why = "-m statistic --mode random is random";
		}
		return false;
	}
	if (strcmp(name, "comment") == 0)
		return true;
	if (strcmp(name, "tcp") == 0 && m->u.user.revision == 0) {
		const struct xt_tcp *t = ipts_match_data(m, sizeof(*t), NULL);

		if (!t || t->option ||
		    (t->invflags & ~(XT_TCP_INV_SRCPT | XT_TCP_INV_DSTPT |
				     XT_TCP_INV_FLAGS)))
			return false;
		ports_range(&sp->sport, t->spts, t->invflags & XT_TCP_INV_SRCPT);
		ports_range(&sp->dport, t->dpts, t->invflags & XT_TCP_INV_DSTPT);
		if (t->flg_mask) {
			if (sp->tcpflags)
				return false;
			sp->tcpflags = true;
			sp->flg_mask = t->flg_mask;
			sp->flg_cmp = t->flg_cmp;
			sp->flg_inv = t->invflags & XT_TCP_INV_FLAGS;
		}
		/* tcp_mt(): no match on fragoff */
		sp->frag &= IPTS_FRAG_FIRST;
		return true;
	}
	if (strcmp(name, "udp") == 0 && m->u.user.revision == 0) {
		const struct xt_udp *u = ipts_match_data(m, sizeof(*u), NULL);

		if (!u ||
		    (u->invflags & ~(XT_UDP_INV_SRCPT | XT_UDP_INV_DSTPT)))
			return false;
		ports_range(&sp->sport, u->spts, u->invflags & XT_UDP_INV_SRCPT);
		ports_range(&sp->dport, u->dpts, u->invflags & XT_UDP_INV_DSTPT);
		sp->frag &= IPTS_FRAG_FIRST;
		return true;
	}
	if (strcmp(name, "multiport") == 0)
		return space_multiport(sp, m);
	if (strcmp(name, "state") == 0 && m->u.user.revision == 0) {
		const struct xt_state_info *s =
			ipts_match_data(m, sizeof(*s), NULL);

		if (!s)
			return false;
		sp->states &= norm_state(s->statemask, XT_STATE_UNTRACKED);
		sp->state_m = true;
		return true;
	}
	if (strcmp(name, "conntrack") == 0 && space_conntrack(sp, m))
		return true;
	if (strcmp(name, "mark") == 0 && m->u.user.revision == 1 && !sp->mark) {
		const struct xt_mark_mtinfo1 *k =
			ipts_match_data(m, sizeof(*k), NULL);

		if (!k)
			return false;
		sp->mark = true;
		sp->mark_val = k->mark & k->mask;
		sp->mark_mask = k->mask;
		sp->mark_inv = k->invert;
		return true;
	}
	if (strcmp(name, "owner") == 0 && m->u.user.revision == 1) {
		const struct xt_owner_match_info *o =
			ipts_match_data(m, sizeof(*o), NULL);

		if (o)
			sp->owner = o;
	}
	return IPTS_IN_LIST(name, identity_matches);
}

static bool ipts_ip_is_any(const struct ipt_ip *ip)
{
	static const unsigned char zero[IFNAMSIZ];

	/* a zero mask over a nonzero address holds a host name
	 * (IPTS_RULE_SRC_UNKNOWN): a condition, not "any" */
	return !ip->smsk.s_addr && !ip->dmsk.s_addr && !ip->src.s_addr &&
	       !ip->dst.s_addr && !ip->proto &&
	       !ip->flags && !ip->invflags &&
	       !memcmp(ip->iniface_mask, zero, IFNAMSIZ) &&
	       !memcmp(ip->outiface_mask, zero, IFNAMSIZ);
}

static void ipts_space_build(struct ipts_space *sp, const struct ipts_rule *r)
{
	const struct ipt_ip *ip = &r->e->ip;
	unsigned int i;
	bool only_comments = true;

	memset(sp, 0, sizeof(*sp));
	sp->r = r;
	ipts_pset_full(&sp->sport);
	ipts_pset_full(&sp->dport);
	sp->states = IPTS_ST_ALL;
	sp->hoststate = -1;
	sp->last_write = -1;
	/* names resolved through this machine's passwd, group or hosts may
	 * mean other numbers on the firewall's host */
	sp->modelled = !(r->flags & (IPTS_RULE_OPAQUE | IPTS_RULE_HOSTNAMES |
				     IPTS_RULE_SRC_UNKNOWN |
				     IPTS_RULE_DST_UNKNOWN));
	if (r->flags & (IPTS_RULE_SRC_UNKNOWN | IPTS_RULE_DST_UNKNOWN)) {
		sp->hoststate = (int)r->nmatches;	/* at the line */
		sp->hoststate_why = "-s/-d names a host whose address is "
				    "unknown offline";
	}
	/* ip_packet_match(): -f is "fragment offset != 0" */
	if (ip->flags & IPT_F_FRAG)
		sp->frag = (ip->invflags & IPT_INV_FRAG) ? IPTS_FRAG_FIRST
							 : IPTS_FRAG_LATER;
	else
		sp->frag = IPTS_FRAG_FIRST | IPTS_FRAG_LATER;
	for (i = 0; i < r->nmatches; i++) {
		const struct xt_entry_match *m = ipts_rule_match(r, i);

		if (strcmp(m->u.user.name, "comment") != 0 ||
		    ipts_blob_is_opaque(m->u.user.revision))
			only_comments = false;
		if (!space_match(sp, m, i))
			sp->modelled = false;
	}
	sp->unconditional = only_comments && ipts_ip_is_any(ip) &&
			    !(r->flags & IPTS_RULE_OPAQUE);
}

/* Address sets {x : x & m == a}, or their complement when inverted. */
static bool addr_covers(uint32_t aa, uint32_t am, bool ai, uint32_t ba,
			uint32_t bm, bool bi)
{
	aa &= am;
	ba &= bm;
	if (!ai && !bi)
		return (am & ~bm) == 0 && (ba & am) == aa;
	if (ai && !bi)	/* B disjoint from A's set */
		return ((aa ^ ba) & am & bm) != 0;
	if (ai && bi)	/* A's set inside B's set */
		return (bm & ~am) == 0 && (aa & bm) == ba;
	return am == 0;	/* A is everything */
}

static bool addr_overlap(uint32_t aa, uint32_t am, bool ai, uint32_t ba,
			 uint32_t bm, bool bi)
{
	if (!ai && !bi)
		return ((aa ^ ba) & am & bm) == 0;
	if (ai && !bi)	/* B not inside A's set */
		return !addr_covers(aa, am, false, ba, bm, false);
	if (!ai && bi)
		return !addr_covers(ba, bm, false, aa, am, false);
	return false;	/* unknown: claim nothing */
}

/* Interface names as 16-byte vectors, same algebra byte by byte. */
static bool ipts_ifc_covers(const char *an, const unsigned char *am, bool ai,
			    const char *bn, const unsigned char *bm, bool bi)
{
	unsigned int i;
	bool a_sub_b_mask = true, b_sub_a_mask = true, differ = false;
	bool aeq = true, beq = true, a_all = true;

	for (i = 0; i < IFNAMSIZ; i++) {
		unsigned char x = (unsigned char)(an[i] ^ bn[i]);

		if (am[i] & ~bm[i])
			a_sub_b_mask = false;
		if (bm[i] & ~am[i])
			b_sub_a_mask = false;
		if (x & am[i] & bm[i])
			differ = true;
		if (x & am[i])
			aeq = false;
		if (x & bm[i])
			beq = false;
		if (am[i])
			a_all = false;
	}
	if (!ai && !bi)
		return a_sub_b_mask && aeq;
	if (ai && !bi)
		return differ;
	if (ai && bi)
		return b_sub_a_mask && beq;
	return a_all;
}

static bool ifc_overlap(const char *an, const unsigned char *am, bool ai,
			const char *bn, const unsigned char *bm, bool bi)
{
	unsigned int i;
	bool differ = false;

	if (ai && bi)
		return false;
	if (ai)
		return !ipts_ifc_covers(bn, bm, false, an, am, false);
	if (bi)
		return !ipts_ifc_covers(an, am, false, bn, bm, false);
	for (i = 0; i < IFNAMSIZ; i++)
		if ((an[i] ^ bn[i]) & am[i] & bm[i])
			differ = true;
	return !differ;
}

static bool proto_covers(const struct ipt_ip *a, const struct ipt_ip *b)
{
	bool ai = a->invflags & IPT_INV_PROTO, bi = b->invflags & IPT_INV_PROTO;

	if (!a->proto)
		return true;
	if (!b->proto)
		return false;
	if (!ai && !bi)
		return a->proto == b->proto;
	if (ai && !bi)
		return a->proto != b->proto;
	if (ai && bi)
		return a->proto == b->proto;
	return false;
}

static bool proto_overlap(const struct ipt_ip *a, const struct ipt_ip *b)
{
	bool ai = a->invflags & IPT_INV_PROTO, bi = b->invflags & IPT_INV_PROTO;

	if (!a->proto || !b->proto)
		return true;
	if (!ai && !bi)
		return a->proto == b->proto;
	if (ai != bi)
		return a->proto != b->proto;
	return true;
}

static bool ip_covers(const struct ipt_ip *a, const struct ipt_ip *b)
{
	return addr_covers(a->src.s_addr, a->smsk.s_addr,
			   a->invflags & IPT_INV_SRCIP, b->src.s_addr,
			   b->smsk.s_addr, b->invflags & IPT_INV_SRCIP) &&
	       addr_covers(a->dst.s_addr, a->dmsk.s_addr,
			   a->invflags & IPT_INV_DSTIP, b->dst.s_addr,
			   b->dmsk.s_addr, b->invflags & IPT_INV_DSTIP) &&
	       ipts_ifc_covers(a->iniface, a->iniface_mask,
			       a->invflags & IPT_INV_VIA_IN, b->iniface,
			       b->iniface_mask, b->invflags & IPT_INV_VIA_IN) &&
	       ipts_ifc_covers(a->outiface, a->outiface_mask,
			       a->invflags & IPT_INV_VIA_OUT, b->outiface,
			       b->outiface_mask,
			       b->invflags & IPT_INV_VIA_OUT) &&
	       proto_covers(a, b);
}

static bool ip_overlap(const struct ipt_ip *a, const struct ipt_ip *b)
{
	return addr_overlap(a->src.s_addr & a->smsk.s_addr, a->smsk.s_addr,
			    a->invflags & IPT_INV_SRCIP,
			    b->src.s_addr & b->smsk.s_addr, b->smsk.s_addr,
			    b->invflags & IPT_INV_SRCIP) &&
	       addr_overlap(a->dst.s_addr & a->dmsk.s_addr, a->dmsk.s_addr,
			    a->invflags & IPT_INV_DSTIP,
			    b->dst.s_addr & b->dmsk.s_addr, b->dmsk.s_addr,
			    b->invflags & IPT_INV_DSTIP) &&
	       ifc_overlap(a->iniface, a->iniface_mask,
			   a->invflags & IPT_INV_VIA_IN, b->iniface,
			   b->iniface_mask, b->invflags & IPT_INV_VIA_IN) &&
	       ifc_overlap(a->outiface, a->outiface_mask,
			   a->invflags & IPT_INV_VIA_OUT, b->outiface,
			   b->outiface_mask, b->invflags & IPT_INV_VIA_OUT) &&
	       proto_overlap(a, b);
}

static bool mark_covers(const struct ipts_space *a, const struct ipts_space *b)
{
	if (!a->mark)
		return true;
	if (!b->mark)
		return !a->mark_inv && a->mark_mask == 0;
	if (a->mark_inv != b->mark_inv)
		return false;
	if (!a->mark_inv)
		return (a->mark_mask & ~b->mark_mask) == 0 &&
		       (b->mark_val & a->mark_mask) == a->mark_val;
	return (b->mark_mask & ~a->mark_mask) == 0 &&
	       (a->mark_val & b->mark_mask) == b->mark_val;
}

/*
 * @m is compared by identity (a byte-identical twin), not modelled: a
 * deterministic match without side effects whose fields the space does
 * not hold (conntrack --ctstate alone is a state set).
 */
static bool by_identity(const struct xt_entry_match *m)
{
	if (!IPTS_IN_LIST(m->u.user.name, identity_matches))
		return false;
	if (strcmp(m->u.user.name, "conntrack") == 0) {
		struct ipts_space t;

		memset(&t, 0, sizeof(t));
		if (space_conntrack(&t, m))
			return false;	/* modelled as a state set */
	}
	return true;
}

/* Every identity-compared match of @a has an identical twin in @b. */
static bool identity_covers(const struct ipts_rule *a,
			    const struct ipts_rule *b)
{
	unsigned int i, j;

	for (i = 0; i < a->nmatches; i++) {
		const struct xt_entry_match *m = ipts_rule_match(a, i);
		bool found = false;

		if (!by_identity(m))
			continue;
		for (j = 0; j < b->nmatches && !found; j++) {
			const struct xt_entry_match *n = ipts_rule_match(b, j);

			found = ipts_match_same(n, m);
		}
		if (!found)
			return false;
	}
	return true;
}

/* Every packet @b matches, @a matches too (both modelled). */
static bool ipts_space_covers(const struct ipts_space *a,
			      const struct ipts_space *b)
{
	if (!a->modelled || !b->modelled)
		return false;
	if ((b->frag & ~a->frag) || (b->states & ~a->states))
		return false;
	if (!ipts_pset_subset(&b->sport, &a->sport) ||
	    !ipts_pset_subset(&b->dport, &a->dport))
		return false;
	if (a->tcpflags &&
	    !(b->tcpflags && a->flg_mask == b->flg_mask &&
	      a->flg_cmp == b->flg_cmp && a->flg_inv == b->flg_inv))
		return false;
	return ip_covers(&a->r->e->ip, &b->r->e->ip) && mark_covers(a, b) &&
	       identity_covers(a->r, b->r);
}

/* Some packet may match both (false: proven disjoint on modelled parts). */
static bool ipts_space_overlap(const struct ipts_space *a,
			       const struct ipts_space *b)
{
	if (!(a->frag & b->frag) || !(a->states & b->states))
		return false;
	if (!ipts_pset_overlap(&a->sport, &b->sport) ||
	    !ipts_pset_overlap(&a->dport, &b->dport))
		return false;
	if (a->mark && b->mark && !a->mark_inv && !b->mark_inv &&
	    ((a->mark_val ^ b->mark_val) & a->mark_mask & b->mark_mask))
		return false;
	return ip_overlap(&a->r->e->ip, &b->r->e->ip);
}

/* ---- targets ---- */

static const char *target_name(const struct ipts_rule *r)
{
	return ipts_rule_target(r)->u.user.name;
}

/* The packet never goes on to the next rule of this chain. */
static bool terminates(const struct ipts_rule *r)
{
	switch (r->kind) {
	case IPTS_TGT_ACCEPT:
	case IPTS_TGT_DROP:
	case IPTS_TGT_RETURN:
	case IPTS_TGT_GOTO:
		return true;
	case IPTS_TGT_EXT:
		return strcmp(target_name(r), "REJECT") == 0;
	default:
		return false;
	}
}

static bool same_effect(const struct ipts_rule *a, const struct ipts_rule *b)
{
	if (a->kind != b->kind)
		return false;
	if (a->kind == IPTS_TGT_JUMP || a->kind == IPTS_TGT_GOTO)
		return a->dest == b->dest;
	if (a->kind != IPTS_TGT_EXT)
		return true;
	return ipts_target_same(ipts_rule_target(a), ipts_rule_target(b));
}

/* The rule's verdict as written: "-j DROP", "-g CHAIN". */
static void verdict_text(const struct ipts_rule *r, char *buf, size_t n)
{
	switch (r->kind) {
	case IPTS_TGT_ACCEPT:
		snprintf(buf, n, "-j ACCEPT");
		break;
	case IPTS_TGT_DROP:
		snprintf(buf, n, "-j DROP");
		break;
	case IPTS_TGT_RETURN:
		snprintf(buf, n, "-j RETURN");
		break;
	case IPTS_TGT_GOTO:
		snprintf(buf, n, "-g %s", r->dest ? r->dest->name : "?");
		break;
	default:
		snprintf(buf, n, "-j %s", target_name(r));
		break;
	}
}

static int addr_cmp(const void *a, const void *b)
{
	uintptr_t x = (uintptr_t)**(const struct ipts_chain *const *const *)a;
	uintptr_t y = (uintptr_t)**(const struct ipts_chain *const *const *)b;

	return x < y ? -1 : x > y;
}

/* Index the chains of @t by address: per-chain facts are looked up for
 * each jump, and a table may hold a million chains. */
static void chains_index(struct ipts_lint *l, const struct ipts_table *t)
{
	const struct ipts_chain ***tmp;
	uint32_t i;

	tmp = ipts_xcalloc(t->nchains + 1, sizeof(*tmp));
	for (i = 0; i < t->nchains; i++)
		tmp[i] = (const struct ipts_chain **)&t->chains[i];
	qsort(tmp, t->nchains, sizeof(*tmp), addr_cmp);
	l->by_addr = ipts_xcalloc(t->nchains + 1, sizeof(*l->by_addr));
	l->by_addr_idx = ipts_xcalloc(t->nchains + 1, sizeof(*l->by_addr_idx));
	for (i = 0; i < t->nchains; i++) {
		l->by_addr[i] = *tmp[i];
		l->by_addr_idx[i] = (uint32_t)(tmp[i] -
			(const struct ipts_chain **)t->chains);
	}
	free(tmp);
}

static int chain_index(const struct ipts_lint *l, const struct ipts_chain *c)
{
	uint32_t lo = 0, hi = l->t->nchains;

	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;

		if (l->by_addr[mid] == c)
			return (int)l->by_addr_idx[mid];
		if ((uintptr_t)l->by_addr[mid] < (uintptr_t)c)
			lo = mid + 1;
		else
			hi = mid;
	}
	return -1;
}

static bool ipts_lint_rule_mutates(struct ipts_lint *l,
				   const struct ipts_rule *r);

/*
 * Whether a rule may change a field the spaces look at (mark, ct state,
 * or anything an unknown target does). Jumps look into the chain called,
 * depth-first; a chain being looked at counts as changing (cycles).
 */
static bool chain_mutates(struct ipts_lint *l, const struct ipts_chain *c)
{
	int k = chain_index(l, c);
	uint32_t i;
	bool mut = false;

	if (k < 0)
		return true;
	if (l->chain_mut[k])
		return l->chain_mut[k] != 2;
	l->chain_mut[k] = 1;
	for (i = 0; i < c->nrules && !mut; i++)
		mut = ipts_lint_rule_mutates(l, c->rules[i]);
	l->chain_mut[k] = mut ? 3 : 2;
	return mut;
}

static bool ipts_lint_rule_mutates(struct ipts_lint *l,
				   const struct ipts_rule *r)
{
	const struct xt_entry_target *t;

	switch (r->kind) {
	case IPTS_TGT_NONE:
	case IPTS_TGT_ACCEPT:
	case IPTS_TGT_DROP:
	case IPTS_TGT_RETURN:
	case IPTS_TGT_QUEUE:
		return false;
	case IPTS_TGT_GOTO:
		return false;	/* never comes back to this chain */
	case IPTS_TGT_JUMP:
		return !r->dest || chain_mutates(l, r->dest);
	case IPTS_TGT_EXT:
		t = ipts_rule_target(r);
		if (ipts_blob_is_opaque(t->u.user.revision))
			return true;
		return !IPTS_IN_LIST(t->u.user.name, harmless_targets);
	}
	return true;
}

/* ---- suppression and reporting ---- */

/* The comment of @r holds "iptsim:ignore" (all codes) or
 * "iptsim:ignore=CODE[,CODE...]" naming @code. */
static bool rule_ignores(const struct ipts_rule *r, const char *code)
{
	unsigned int i;

	for (i = 0; r && i < r->nmatches; i++) {
		const struct xt_entry_match *m = ipts_rule_match(r, i);
		const struct xt_comment_info *ci =
			ipts_match_data(m, sizeof(*ci), NULL);
		char buf[XT_MAX_COMMENT_LEN + 1];
		const char *p;

		if (strcmp(m->u.user.name, "comment") != 0 ||
		    ipts_blob_is_opaque(m->u.user.revision) || !ci)
			continue;
		memcpy(buf, ci->comment, XT_MAX_COMMENT_LEN);
		buf[XT_MAX_COMMENT_LEN] = '\0';
		for (p = strstr(buf, "iptsim:ignore"); p;
		     p = strstr(p + 1, "iptsim:ignore")) {
			const char *q = p + strlen("iptsim:ignore");
			size_t n = strlen(code);

			if (*q != '=')
				return true;
			q++;
			while (*q && *q != ' ') {
				if (strncmp(q, code, n) == 0 &&
				    (q[n] == ',' || q[n] == ' ' || !q[n]))
					return true;
				q = strchr(q, ',');
				if (!q)
					break;
				q++;
			}
		}
	}
	return false;
}

static bool ipts_lint_chain_ignores(const struct ipts_chain *c,
				    const char *code)
{
	uint32_t i;

	for (i = 0; i < c->nrules; i++)
		if (rule_ignores(c->rules[i], code))
			return true;
	return false;
}

static bool ipts_lint_code_ignored(const struct ipts_lint *l, const char *code)
{
	size_t i;

	for (i = 0; l->opts && i < l->opts->nignore; i++)
		if (strcmp(l->opts->ignore[i], code) == 0)
			return true;
	return false;
}

static bool ipts_lint_want(struct ipts_lint *l, const char *code,
			   const struct ipts_rule *r)
{
	if (ipts_lint_code_ignored(l, code) || rule_ignores(r, code))
		return false;
	l->nfound++;
	return true;
}

static enum ipts_severity ipts_lint_sev(const char *code)
{
	return ipts_lint_code_find(code)->sev;
}

static void ipts_lint_note_rule(struct ipts_lint *l, const struct ipts_rule *r,
				uint32_t num, const char *what)
{
	ipts_diag_note(l->d, &r->loc, "%s: rule %u of '%s': %.*s", what, num,
		       r->chain->name, ipts_rule_text_len(r),
		       ipts_rule_text(r));
}

/* ---- the checks ---- */

/* One rule comparison; false once the budget is spent (and then, once, a
 * warning at @at says where lint stopped). */
static bool ipts_lint_spend(struct ipts_lint *l, const struct ipts_rule *at)
{
	if (l->over)
		return false;
	if (l->visits < l->max_visits) {
		l->visits++;
		return true;
	}
	l->over = true;
	ipts_diag_add(l->d, IPTS_WARNING, &at->loc, "lint stopped comparing "
		      "rules here, at its budget of %llu rule comparisons"
		      "%s%s%s: from this rule on, shadowed, redundant and "
		      "owner-only rules (IPT001-IPT003, IPT008) are not "
		      "reported",
		      (unsigned long long)l->max_visits,
		      l->opts && l->opts->budget_name ? " (" : "",
		      l->opts && l->opts->budget_name ? l->opts->budget_name :
		      "", l->opts && l->opts->budget_name ? ")" : "");
	return false;
}

static void ipts_lint_order(struct ipts_lint *l, const struct ipts_chain *c,
			    struct ipts_space *sp)
{
	uint32_t i, j, stop = UINT32_MAX;

	for (i = 0; i < c->nrules; i++) {
		const struct ipts_rule *b = c->rules[i];

		if (!ipts_lint_spend(l, b))
			return;
		if (stop != UINT32_MAX) {
			const struct ipts_rule *a = c->rules[stop];

			if (ipts_lint_want(l, "IPT002", b)) {
				char v[64];

				verdict_text(a, v, sizeof(v));
				ipts_diag_add_code(l->d,
						   ipts_lint_sev("IPT002"),
						   &b->loc, "IPT002",
						   "rule is unreachable: rule %u "
						   "of '%s' (line %u) comes first "
						   "and matches every packet (%s)",
						   stop + 1, c->name, a->loc.line,
						   v);
				ipts_lint_note_rule(l, a, stop + 1,
						    "every packet stops here");
			}
			continue;
		}
		if (sp[i].modelled) {
			for (j = i; j-- > 0;) {
				const struct ipts_rule *a = c->rules[j];
				const char *code;

				if (!ipts_lint_spend(l, b))
					return;
				if (terminates(a) &&
				    ipts_space_covers(&sp[j], &sp[i])) {
					char v[64];

					code = same_effect(a, b) ? "IPT003"
								 : "IPT001";
					if (!ipts_lint_want(l, code, b))
						break;
					verdict_text(a, v, sizeof(v));
					ipts_diag_add_code(l->d,
						ipts_lint_sev(code),
						&b->loc, code, "%s: rule %u of "
						"'%s' (line %u) comes first and "
						"matches every packet this one "
						"could (%s%s)", code[5] == '3' ?
						"rule is redundant" :
						"rule can never match", j + 1,
						c->name, a->loc.line, v,
						code[5] == '3' ? ", the same "
						"effect" : "");
					ipts_lint_note_rule(l, a, j + 1,
							    "the earlier rule");
					break;
				}
				if (ipts_lint_rule_mutates(l, a))
					break;
			}
		}
		if (terminates(b) && sp[i].unconditional)
			stop = i;
	}
}

/*
 * Whether the rule's answer cannot matter: its target changes nothing a
 * later rule or the connection reads, and no match that writes a recent
 * list runs or not (or writes one thing or another) by that answer.
 */
static bool answer_cannot_matter(const struct ipts_space *sp)
{
	static const char *const passive[] = {
		"AUDIT", "LOG", "NFLOG", "ULOG",
	};
	const struct ipts_rule *r = sp->r;

	if (sp->hoststate_writes || sp->last_write > sp->hoststate)
		return false;
	if (r->kind == IPTS_TGT_NONE)
		return true;
	return r->kind == IPTS_TGT_EXT && IPTS_IN_LIST(target_name(r), passive);
}

static void ipts_lint_hoststate(struct ipts_lint *l, const struct ipts_chain *c,
				struct ipts_space *sp)
{
	uint32_t i;

	for (i = 0; i < c->nrules; i++) {
		const struct ipts_rule *r = c->rules[i];
		struct ipts_loc loc;

		if (sp[i].hoststate < 0 || answer_cannot_matter(&sp[i]) ||
		    !ipts_lint_want(l, "IPT007", r))
			continue;
		loc = sp[i].hoststate < r->nmatches ?
			ipts_rule_match_loc(r, (unsigned int)sp[i].hoststate) :
			r->loc;
		ipts_diag_add_code(l->d, ipts_lint_sev("IPT007"), &loc,
				   "IPT007",
				   "rule depends on what the file cannot know: "
				   "%s; answers through rule %u of '%s' are "
				   "undetermined", sp[i].hoststate_why, i + 1,
				   c->name);
	}
}

static bool owner_limited(const struct ipts_space *s)
{
	const struct xt_owner_match_info *o = s->owner;

	return o && (o->match & (XT_OWNER_UID | XT_OWNER_GID)) &&
	       !(o->invert & (XT_OWNER_UID | XT_OWNER_GID));
}

static void ipts_lint_owner_trap(struct ipts_lint *l,
				 const struct ipts_chain *c,
				 struct ipts_space *sp)
{
	uint32_t i, j, k;

	for (i = 0; i < c->nrules; i++) {
		const struct ipts_space *a = &sp[i];
		const struct ipt_ip *ip = &c->rules[i]->e->ip;

		if (c->rules[i]->kind != IPTS_TGT_ACCEPT || !owner_limited(a) ||
		    ip->proto != PROTO_TCP || (ip->invflags & IPT_INV_PROTO) ||
		    ipts_pset_is_full(&a->dport) || a->dport.n == 0 ||
		    !(a->states & IPTS_ST_NEW))
			continue;
		for (j = i + 1; j < c->nrules; j++) {
			const struct ipts_rule *b = c->rules[j];
			bool clear = true;

			if (!ipts_lint_spend(l, b))
				return;
			/* B drops the same users' SYNs too: not our trap; B
			 * restricted to other TCP flags: not the SYN */
			if (b->kind != IPTS_TGT_DROP || !sp[j].modelled ||
			    sp[j].owner || !(sp[j].states & IPTS_ST_NEW) ||
			    (sp[j].tcpflags && !(a->tcpflags &&
			     sp[j].flg_mask == a->flg_mask &&
			     sp[j].flg_cmp == a->flg_cmp &&
			     sp[j].flg_inv == a->flg_inv)) ||
			    !ipts_space_overlap(a, &sp[j]))
				continue;
			/* every other rule that may see these packets first
			 * is an owner-limited ACCEPT or a harmless one */
			for (k = 0; k < j && clear; k++) {
				const struct ipts_rule *o = c->rules[k];

				if (!ipts_lint_spend(l, b))
					return;
				if (k == i || !ipts_space_overlap(&sp[k], a) ||
				    !ipts_space_overlap(&sp[k], &sp[j]))
					continue;
				if (o->kind == IPTS_TGT_ACCEPT &&
				    owner_limited(&sp[k]))
					continue;
				if (!terminates(o) &&
				    o->kind != IPTS_TGT_JUMP &&
				    !ipts_lint_rule_mutates(l, o))
					continue;
				clear = false;
			}
			if (!clear)
				break;
			if (ipts_lint_want(l, "IPT008", b)) {
				const struct xt_owner_match_info *o = a->owner;
				bool uid = o->match & XT_OWNER_UID;
				uint32_t lo = uid ? o->uid_min : o->gid_min;
				uint32_t hi = uid ? o->uid_max : o->gid_max;
				struct ipts_pset ports = a->dport;
				char who[48], port[32];

				if (lo == hi)
					snprintf(who, sizeof(who), "%s %u",
						 uid ? "uid" : "gid", lo);
				else
					snprintf(who, sizeof(who), "%ss %u-%u",
						 uid ? "uid" : "gid", lo, hi);
				ipts_pset_intersect(&ports, &sp[j].dport);
				if (ports.lo[0] == ports.hi[0])
					snprintf(port, sizeof(port), "port %u",
						 ports.lo[0]);
				else
					snprintf(port, sizeof(port),
						 "ports %u-%u", ports.lo[0],
						 ports.hi[0]);
				ipts_diag_add_code(l->d,
						   ipts_lint_sev("IPT008"),
						   &b->loc, "IPT008",
						   "only %s may reach tcp %s "
						   "(rule %u, line %u): this DROP "
						   "makes every other user's "
						   "connect() hang in SYN_SENT; "
						   "use REJECT --reject-with "
						   "tcp-reset", who, port, i + 1,
						   c->rules[i]->loc.line);
				ipts_lint_note_rule(l, c->rules[i], i + 1,
						    "the owner-limited rule");
			}
			break;
		}
	}
}

/*
 * Chains that firewall generators create empty on purpose, as places for
 * rules added later (by the user, an admin tool or the daemon at run
 * time): an empty or unused one is how the generator leaves it, worth a
 * note, not a warning. Matched by name: @prefix and @suffix both hold.
 */
static const struct {
	const char *prefix, *suffix;	/* suffix NULL: the whole name */
	const char *who;
} hook_chains[] = {
	{ "ufw-", "", "ufw" },
	{ "ufw6-", "", "ufw" },
	{ "", "_direct", "firewalld" },
	{ "", "_ZONES", "firewalld" },
	{ "", "_ZONES_SOURCE", "firewalld" },
	{ "PRE_", "_log", "firewalld" },
	{ "PRE_", "_deny", "firewalld" },
	{ "PRE_", "_allow", "firewalld" },
	{ "PRE_", "_pre", "firewalld" },
	{ "PRE_", "_post", "firewalld" },
	{ "POST_", "_log", "firewalld" },
	{ "POST_", "_deny", "firewalld" },
	{ "POST_", "_allow", "firewalld" },
	{ "POST_", "_pre", "firewalld" },
	{ "POST_", "_post", "firewalld" },
	{ "IN_", "_log", "firewalld" },
	{ "IN_", "_deny", "firewalld" },
	{ "IN_", "_allow", "firewalld" },
	{ "IN_", "_pre", "firewalld" },
	{ "IN_", "_post", "firewalld" },
	{ "FWDI_", "_log", "firewalld" },
	{ "FWDI_", "_deny", "firewalld" },
	{ "FWDI_", "_allow", "firewalld" },
	{ "FWDI_", "_pre", "firewalld" },
	{ "FWDI_", "_post", "firewalld" },
	{ "FWDO_", "_log", "firewalld" },
	{ "FWDO_", "_deny", "firewalld" },
	{ "FWDO_", "_allow", "firewalld" },
	{ "FWDO_", "_pre", "firewalld" },
	{ "FWDO_", "_post", "firewalld" },
	{ "", "_rule", "OpenWrt's fw3" },
	{ "DOCKER", NULL, "Docker" },
	{ "DOCKER-", "", "Docker" },
	{ "KUBE-", "", "kube-proxy" },
	{ "MINIUPNPD", NULL, "miniupnpd" },
	{ "MINIUPNPD-", "", "miniupnpd" },
	{ "LIBVIRT_", "", "libvirt" },
	{ "dynamic", NULL, "Shorewall" },
	{ "shorewall", NULL, "Shorewall" },
	{ "tcpre", NULL, "Shorewall" },
	{ "tcin", NULL, "Shorewall" },
	{ "tcout", NULL, "Shorewall" },
	{ "tcfor", NULL, "Shorewall" },
	{ "tcpost", NULL, "Shorewall" },
};

/* The generator that leaves chain @name empty by design, or NULL. */
static const char *ipts_lint_hook_chain_of(const char *name)
{
	size_t i, n = strlen(name);

	for (i = 0; i < sizeof(hook_chains) / sizeof(hook_chains[0]); i++) {
		const char *pre = hook_chains[i].prefix;
		const char *suf = hook_chains[i].suffix;
		size_t p = strlen(pre), k = suf ? strlen(suf) : 0;

		if (!suf ? strcmp(name, pre) == 0 :
		    n > p + k && strncmp(name, pre, p) == 0 &&
		    strcmp(name + n - k, suf) == 0)
			return hook_chains[i].who;
	}
	return NULL;
}

static void ipts_lint_chains(struct ipts_lint *l, const struct ipts_table *t)
{
	uint32_t i, j;

	for (i = 0; i < t->nchains; i++) {
		const struct ipts_chain *c = t->chains[i];
		bool only_ret = c->nrules > 0;

		if (c->deleted)
			continue;
		for (j = 0; j < c->nrules; j++) {
			const struct ipts_rule *r = c->rules[j];
			struct ipts_loc at;

			if ((r->kind == IPTS_TGT_JUMP ||
			     r->kind == IPTS_TGT_GOTO) && r->dest &&
			    r->dest->nrules == 0 &&
			    ipts_lint_want(l, "IPT005", r)) {
				const char *who =
					ipts_lint_hook_chain_of(r->dest->name);

				at = ipts_rule_target_loc(r);
				ipts_diag_add_code(l->d, who ? IPTS_NOTE :
						   ipts_lint_sev("IPT005"), &at,
						   "IPT005", "%s to empty chain "
						   "'%s' %s%s%s%s",
						   r->kind == IPTS_TGT_JUMP ?
						   "jump" : "goto",
						   r->dest->name,
						   r->kind == IPTS_TGT_JUMP ?
						   "has no effect" :
						   "acts as a RETURN",
						   who ? " (yet): " : "",
						   who ? who : "",
						   who ? " leaves this chain "
						   "empty for rules added later" :
						   "");
			}
		}
		if (c->hook >= 0)
			continue;
		if (c->refs == 0 && !ipts_lint_code_ignored(l, "IPT004") &&
		    !ipts_lint_chain_ignores(c, "IPT004")) {
			const char *who = ipts_lint_hook_chain_of(c->name);

			l->nfound++;
			ipts_diag_add_code(l->d, who ? IPTS_NOTE :
					   ipts_lint_sev("IPT004"), &c->loc,
					   "IPT004", "chain '%s' is never used: "
					   "no rule jumps or goes to it%s%s%s",
					   c->name, who ? " (yet): " : "",
					   who ? who : "", who ? " creates it "
					   "for rules added later" : "");
		}
		for (j = 0; j < c->nrules && only_ret; j++) {
			struct ipts_space s;

			ipts_space_build(&s, c->rules[j]);
			only_ret = c->rules[j]->kind == IPTS_TGT_RETURN &&
				   s.modelled;
		}
		if (only_ret && !ipts_lint_code_ignored(l, "IPT006") &&
		    !ipts_lint_chain_ignores(c, "IPT006")) {
			l->nfound++;
			ipts_diag_add_code(l->d, ipts_lint_sev("IPT006"),
					   &c->loc, "IPT006", "chain '%s' only "
					   "returns: all %u of its rules are "
					   "RETURN, a jump to it has no effect",
					   c->name, c->nrules);
		}
	}
}

/*
 * @r has no condition but an -i that 'lo' passes: it sees every packet in
 * on lo that reaches it.
 */
static bool takes_all_lo(const struct ipts_rule *r)
{
	static const char lo[IFNAMSIZ] = "lo";
	static const unsigned char lo_mask[IFNAMSIZ] = { 0xff, 0xff, 0xff };
	const struct ipt_ip *ip = &r->e->ip;
	struct ipt_ip rest = *ip;
	unsigned int i;

	memset(rest.iniface, 0, IFNAMSIZ);
	memset(rest.iniface_mask, 0, IFNAMSIZ);
	rest.invflags &= (uint8_t)~IPT_INV_VIA_IN;
	if (!ipts_ip_is_any(&rest))
		return false;
	if (r->flags & IPTS_RULE_OPAQUE)
		return false;
	for (i = 0; i < r->nmatches; i++)
		if (strcmp(ipts_rule_match(r, i)->u.user.name, "comment") != 0)
			return false;
	return ipts_ifc_covers(ip->iniface, ip->iniface_mask,
			       ip->invflags & IPT_INV_VIA_IN, lo, lo_mask,
			       false);
}

enum lo_fact {
	LO_UNKNOWN,
	LO_NO,		/* exact: no rule of it or below accepts lo */
	LO_YES,		/* exact */
	LO_YES_CUT,	/* claimed at the depth limit, from lo_depth on */
};

#define LO_MAX_DEPTH 16

/*
 * A rule of @c (or of a chain it calls) accepts every packet in on 'lo'.
 * Past LO_MAX_DEPTH jumps it claims so (the finding is then not made),
 * and *cut says the answer leaned on that. Each chain's answer is kept
 * (a chain's own fact, found once): exact ones for good, a claim for the
 * depth it was found at and deeper, so chains C1..Cd of k jumps each cost
 * k*d steps, not k^d.
 */
static bool ipts_lint_accepts_lo(struct ipts_lint *l,
				 const struct ipts_chain *c, unsigned int depth,
				 bool *cut)
{
	int k = chain_index(l, c);
	bool yes = false, sub_cut = false;
	uint32_t i;

	if (depth > LO_MAX_DEPTH || k < 0) {
		*cut = true;
		return true;	/* claim nothing */
	}
	switch (l->lo_fact[k]) {
	case LO_NO:
		return false;
	case LO_YES:
		return true;
	case LO_YES_CUT:
		if (depth >= l->lo_depth[k]) {
			*cut = true;
			return true;
		}
		break;
	}
	for (i = 0; i < c->nrules && !yes; i++) {
		const struct ipts_rule *r = c->rules[i];

		if (!takes_all_lo(r))
			continue;
		if (r->kind == IPTS_TGT_ACCEPT)
			yes = true;
		else if ((r->kind == IPTS_TGT_JUMP ||
			  r->kind == IPTS_TGT_GOTO) && r->dest)
			yes = ipts_lint_accepts_lo(l, r->dest, depth + 1,
						   &sub_cut);
	}
	if (!yes) {
		l->lo_fact[k] = LO_NO;
	} else if (!sub_cut) {
		l->lo_fact[k] = LO_YES;
	} else {
		l->lo_fact[k] = LO_YES_CUT;
		l->lo_depth[k] = (unsigned char)depth;
		*cut = true;
	}
	return yes;
}

/* The per-chain facts of @t, found on demand: none known yet. */
static void ipts_lint_facts_init(struct ipts_lint *l,
				 const struct ipts_table *t)
{
	l->t = t;
	l->chain_mut = ipts_xcalloc(t->nchains + 1, 1);
	l->lo_fact = ipts_xcalloc(t->nchains + 1, 1);
	l->lo_depth = ipts_xcalloc(t->nchains + 1, 1);
	chains_index(l, t);
}

static void ipts_lint_facts_free(struct ipts_lint *l)
{
	free(l->chain_mut);
	free(l->lo_fact);
	free(l->lo_depth);
	free(l->by_addr);
	free(l->by_addr_idx);
	l->chain_mut = l->lo_fact = l->lo_depth = NULL;
	l->by_addr = NULL;
	l->by_addr_idx = NULL;
}

/* IPT009: filter INPUT drops by policy and nothing accepts 'lo'. */
static void ipts_lint_loopback(struct ipts_lint *l, const struct ipts_table *t)
{
	const struct ipts_chain *in = t->builtin[NF_INET_LOCAL_IN];
	bool cut = false;

	if (t->id == IPTS_TABLE_FILTER && in && in->policy == NF_DROP &&
	    !ipts_lint_accepts_lo(l, in, 0, &cut) &&
	    !ipts_lint_code_ignored(l, "IPT009") &&
	    !ipts_lint_chain_ignores(in, "IPT009")) {
		l->nfound++;
		ipts_diag_add_code(l->d, ipts_lint_sev("IPT009"), &in->loc,
				   "IPT009",
				   "INPUT drops by policy and no rule accepts "
				   "every packet in on 'lo': local connections "
				   "to ports no rule allows time out; add "
				   "'-A INPUT -i lo -j ACCEPT'");
	}
}

/* IPT010: the first rule of table @t with -m state and the first with
 * -m conntrack --ctstate (either NULL: nothing to report). */
static void ipts_lint_state_mixed(struct ipts_lint *l,
				  const struct ipts_table *t,
				  const struct ipts_rule *first_state,
				  const struct ipts_rule *first_ct)
{
	const struct ipts_rule *later, *other;

	if (!first_state || !first_ct)
		return;
	later = first_state->loc.off > first_ct->loc.off ? first_state
							  : first_ct;
	other = later == first_state ? first_ct : first_state;
	if (ipts_lint_want(l, "IPT010", later)) {
		ipts_diag_add_code(l->d, ipts_lint_sev("IPT010"), &later->loc,
				   "IPT010", "table '%s' matches "
				   "connection state with both -m state "
				   "and -m conntrack --ctstate", t->name);
		ipts_lint_note_rule(l, other, ipts_rule_num(other),
				    "the other kind");
	}
}

/*
 * Every check on table @t, in the order their findings are reported:
 * each chain's rules (IPT001-003, IPT007, IPT008), then the chains
 * (IPT004-006), then the table (IPT009, IPT010).
 */
static void lint_table(struct ipts_lint *l, const struct ipts_table *t)
{
	const struct ipts_rule *first_state = NULL, *first_ct = NULL;
	uint32_t i;

	ipts_lint_facts_init(l, t);
	for (i = 0; i < t->nchains; i++) {
		const struct ipts_chain *c = t->chains[i];
		struct ipts_space *sp;
		uint32_t j;

		if (c->deleted || !c->nrules)
			continue;
		sp = ipts_xcalloc(c->nrules, sizeof(*sp));
		for (j = 0; j < c->nrules; j++) {
			ipts_space_build(&sp[j], c->rules[j]);
			if (sp[j].state_m && !first_state)
				first_state = c->rules[j];
			if (sp[j].ctstate_m && !first_ct)
				first_ct = c->rules[j];
		}
		ipts_lint_order(l, c, sp);
		ipts_lint_hoststate(l, c, sp);
		ipts_lint_owner_trap(l, c, sp);
		free(sp);
	}
	ipts_lint_chains(l, t);
	ipts_lint_loopback(l, t);
	ipts_lint_state_mixed(l, t, first_state, first_ct);
	ipts_lint_facts_free(l);
}

size_t ipts_lint_ruleset_stats(const struct ipts_ruleset *rs,
			       const struct ipts_lint_opts *opts,
			       struct ipts_diags *d, struct ipts_lint_stats *st)
{
	struct ipts_lint l = { .rs = rs, .opts = opts, .d = d };
	unsigned int i;

	l.max_visits = opts && opts->max_visits ? opts->max_visits :
		       IPTS_LINT_DEFAULT_MAX_VISITS;
	for (i = 0; i < IPTS_TABLE_COUNT && !l.over; i++)
		if (rs->tables[i])
			lint_table(&l, rs->tables[i]);
	if (st) {
		st->visits = l.visits;
		st->max_visits = l.max_visits;
		st->over_budget = l.over;
	}
	return l.nfound;
}

size_t ipts_lint_ruleset(const struct ipts_ruleset *rs,
			 const struct ipts_lint_opts *opts,
			 struct ipts_diags *d)
{
	return ipts_lint_ruleset_stats(rs, opts, d, NULL);
}
