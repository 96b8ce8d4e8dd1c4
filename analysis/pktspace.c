/*
 * pktspace.c - the set of packets a rule matches, and the two questions
 * lint asks of two of them: does every packet rule B could match also
 * match rule A (covers), and may some packet match both (overlap)?
 *
 * Each rule is turned into a "space": the ipt_ip header fields (as
 * ip_packet_match() reads them), port sets from tcp, udp and multiport
 * (portset.c), the conntrack state set from state and conntrack
 * --ctstate, and mark. A few more matches (icmp, owner, addrtype, ...)
 * are deterministic functions of the packet with no side effects; for
 * those A covers B only when B carries a byte-identical blob. A rule with
 * any other match is "unmodelled": it is never called shadowed and never
 * shadows. Blobs are read through blob.h's length-checked readers only.
 */
#include "lint_int.h"
#include "blob.h"

#include <string.h>
#include <linux/netfilter/x_tables.h>
#include <linux/netfilter/xt_conntrack.h>
#include <linux/netfilter/xt_mark.h>
#include <linux/netfilter/xt_multiport.h>
#include <linux/netfilter/xt_owner.h>
#include <linux/netfilter/xt_recent.h>
#include <linux/netfilter/xt_state.h>
#include <linux/netfilter/xt_statistic.h>
#include <linux/netfilter/xt_tcpudp.h>

/* Matches compared by identity: deterministic, no side effects. */
static const char *const identity_matches[] = {
	"addrtype", "connmark", "conntrack", "dscp",   "helper", "hl",
	"icmp",	    "icmp6",	"iprange",   "length", "mac",	 "owner",
	"physdev",  "pkttype",	"tos",	     "ttl",
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

/* the port sets of a space being built */
enum {
	PS_SRC,
	PS_DST
};

static bool ports_range(struct ipts_pset *s, const uint16_t r[2], bool inv)
{
	struct ipts_pset t;

	/* every port so far (the first port match): the range itself,
	 * which is what the intersection below gives */
	if (!inv && ipts_pset_is_full(s)) {
		s->n = r[0] <= r[1];
		s->lo[0] = r[0];
		s->hi[0] = r[1];
		return true;
	}
	t.n = 0;
	ipts_pset_add(&t, r[0], r[1]);
	if (inv)
		ipts_pset_complement(&t);
	ipts_pset_intersect(s, &t);
	return true;
}

static bool space_multiport(struct ipts_space *sp, struct ipts_pset *ps,
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
		ipts_pset_intersect(&ps[PS_SRC], &t);
	else if (flags == XT_MULTIPORT_DESTINATION)
		ipts_pset_intersect(&ps[PS_DST], &t);
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

static bool by_identity(const struct xt_entry_match *m);

/* One match into @sp, its port sets into @ps (PS_SRC, PS_DST) while it is
 * built; false when it is not modelled exactly. *@ident: whether it is
 * compared by identity (by_identity(), which every name below but
 * conntrack's and the last line's is not: decided on the way). */
static bool space_match(struct ipts_space *sp, struct ipts_pset *ps,
			const struct xt_entry_match *m, unsigned int idx,
			bool *ident)
{
	const char *name = m->u.user.name;
	size_t i;
	bool in;

	*ident = false;
	if (ipts_blob_is_opaque(m->u.user.revision)) {
		*ident = by_identity(m);
		if (sp->hoststate < 0) {
			sp->hoststate = (int)idx;
			sp->hoststate_why =
				IPTS_NAME_IS(name, "set") ?
					"-m set contents are host state" :
					"the match is kept as words";
		}
		return false;
	}
	if (IPTS_NAME_IS(name, "recent"))
		return space_recent(sp, m, idx);
	if (IPTS_NAME_IS(name, "comment"))
		return true;
	if (IPTS_NAME_IS(name, "tcp") && m->u.user.revision == 0) {
		const struct xt_tcp *t = ipts_match_data(m, sizeof(*t), NULL);

		if (!t || t->option ||
		    (t->invflags & ~(XT_TCP_INV_SRCPT | XT_TCP_INV_DSTPT |
				     XT_TCP_INV_FLAGS)))
			return false;
		ports_range(&ps[PS_SRC], t->spts,
			    t->invflags & XT_TCP_INV_SRCPT);
		ports_range(&ps[PS_DST], t->dpts,
			    t->invflags & XT_TCP_INV_DSTPT);
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
	if (IPTS_NAME_IS(name, "udp") && m->u.user.revision == 0) {
		const struct xt_udp *u = ipts_match_data(m, sizeof(*u), NULL);

		if (!u ||
		    (u->invflags & ~(XT_UDP_INV_SRCPT | XT_UDP_INV_DSTPT)))
			return false;
		ports_range(&ps[PS_SRC], u->spts,
			    u->invflags & XT_UDP_INV_SRCPT);
		ports_range(&ps[PS_DST], u->dpts,
			    u->invflags & XT_UDP_INV_DSTPT);
		sp->frag &= IPTS_FRAG_FIRST;
		return true;
	}
	if (IPTS_NAME_IS(name, "multiport"))
		return space_multiport(sp, ps, m);
	if (IPTS_NAME_IS(name, "state") && m->u.user.revision == 0) {
		const struct xt_state_info *s =
			ipts_match_data(m, sizeof(*s), NULL);

		if (!s)
			return false;
		sp->states &= norm_state(s->statemask, XT_STATE_UNTRACKED);
		sp->state_m = true;
		return true;
	}
	if (IPTS_NAME_IS(name, "conntrack") && space_conntrack(sp, m))
		return true;
	if (IPTS_NAME_IS(name, "mark") && m->u.user.revision == 1 &&
	    !sp->mark) {
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
	/* (the matches of the file's answers after the common ones: a
	 * name is one of them at most) */
	for (i = 0;
	     i < sizeof(hoststate_matches) / sizeof(hoststate_matches[0]);
	     i++) {
		if (name[0] == hoststate_matches[i].name[0] &&
		    strcmp(name, hoststate_matches[i].name) == 0) {
			if (sp->hoststate < 0) {
				sp->hoststate = (int)idx;
				sp->hoststate_why = hoststate_matches[i].why;
			}
			return false;
		}
	}
	if (IPTS_NAME_IS(name, "statistic")) {
		const struct xt_statistic_info *s = ipts_match_data(m,
								    sizeof(*s),
								    NULL);

		if (s && s->mode == XT_STATISTIC_MODE_RANDOM &&
		    sp->hoststate < 0) {
			sp->hoststate = (int)idx;
			sp->hoststate_why =
				"-m statistic --mode random is random";
		}
		return false;
	}
	if (IPTS_NAME_IS(name, "owner") && m->u.user.revision == 1) {
		const struct xt_owner_match_info *o =
			ipts_match_data(m, sizeof(*o), NULL);

		if (o)
			sp->owner = o;
	}
	/* (conntrack here only where space_conntrack() failed, which
	 * by_identity() asks) */
	in = IPTS_IN_LIST(name, identity_matches);
	*ident = in;
	return in;
}

bool ipts_ip_is_any(const struct ipt_ip *ip)
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

/* ipts_lint_ip()'s flag for "-p all" of IPv6 (IP6T_F_PROTO, protocol 0):
 * it hot-drops a packet without an upper-layer header, a condition. */
#define LINT_IP6_PROTO_ALL 0x80

const struct ipt_ip *ipts_lint_ip(const struct ipts_rule *r, struct ipt_ip *buf)
{
	static const struct in6_addr none;
	const struct ip6t_ip6 *ip6;

	if (ipts_rule_family(r) != IPTS_FAMILY_IPV6)
		return &r->e->ip;
	ip6 = &r->e6->ipv6;
	memset(buf, 0, sizeof(*buf));
	if (memcmp(&ip6->smsk, &none, sizeof(none)) != 0 ||
	    (ip6->invflags & IP6T_INV_SRCIP))
		buf->src.s_addr = htonl(1);
	if (memcmp(&ip6->dmsk, &none, sizeof(none)) != 0 ||
	    (ip6->invflags & IP6T_INV_DSTIP))
		buf->dst.s_addr = htonl(1);
	memcpy(buf->iniface, ip6->iniface, IFNAMSIZ);
	memcpy(buf->iniface_mask, ip6->iniface_mask, IFNAMSIZ);
	memcpy(buf->outiface, ip6->outiface, IFNAMSIZ);
	memcpy(buf->outiface_mask, ip6->outiface_mask, IFNAMSIZ);
	buf->proto = ip6->proto;
	/* the same bits in both families; IPv6 has no -f */
	buf->invflags = ip6->invflags &
			(IP6T_INV_VIA_IN | IP6T_INV_VIA_OUT | XT_INV_PROTO);
	if ((ip6->flags & IP6T_F_PROTO) && ip6->proto == 0)
		buf->flags = LINT_IP6_PROTO_ALL;
	return buf;
}

/*
 * @a and @b give the same space but for their addresses (and hence
 * perhaps whether they are unconditional): the same match blobs (the
 * copies of one line share them: an expanded "-s A,B -d C,D"), flags,
 * protocol, -f and inversions, which is all ipts_space_build() reads
 * besides the addresses and interfaces ipts_ip_is_any() looks at. @bip
 * is @b's ipts_lint_ip().
 */
static bool space_alike(const struct ipts_rule *a, const struct ipts_rule *b,
			const struct ipt_ip *bip)
{
	struct ipt_ip view;
	const struct ipt_ip *aip;

	if (a->matches != b->matches || a->nmatches != b->nmatches ||
	    a->flags != b->flags || a->chain != b->chain)
		return false;
	aip = ipts_lint_ip(a, &view);
	return aip->proto == bip->proto && aip->flags == bip->flags &&
	       aip->invflags == bip->invflags;
}

void ipts_space_build_after(struct ipts_space *sp, const struct ipts_rule *r,
			    const struct ipts_space *prev,
			    struct ipts_arena *arena)
{
	struct ipts_pset ps[2];
	struct ipt_ip view;
	const struct ipt_ip *ip = ipts_lint_ip(r, &view);
	unsigned int i;
	bool only_comments = true;

	if (prev && space_alike(prev->r, r, ip)) {
		/* the same matches: only the addresses differ */
		*sp = *prev;
		sp->r = r;
		if (!ipts_ip_is_any(ip) || (r->flags & IPTS_RULE_OPAQUE)) {
			sp->unconditional = false;
			return;
		}
		for (i = 0; i < r->nmatches && only_comments; i++) {
			const struct xt_entry_match *m = ipts_rule_match(r, i);

			if (!IPTS_NAME_IS(m->u.user.name, "comment") ||
			    ipts_blob_is_opaque(m->u.user.revision))
				only_comments = false;
		}
		sp->unconditional = only_comments;
		return;
	}

	memset(sp, 0, sizeof(*sp));
	sp->r = r;
	ipts_pset_full(&ps[PS_SRC]);
	ipts_pset_full(&ps[PS_DST]);
	sp->states = IPTS_ST_ALL;
	sp->hoststate = -1;
	sp->last_write = -1;
	/* names resolved through this machine's passwd, group or hosts may
	 * mean other numbers on the firewall's host */
	sp->modelled = !(r->flags & (IPTS_RULE_OPAQUE | IPTS_RULE_HOSTNAMES |
				     IPTS_RULE_SRC_UNKNOWN |
				     IPTS_RULE_DST_UNKNOWN));
	/* -p all of IPv6: not modelled (its addresses are: 128-bit
	 * prefixes, as addr_covers() compares them) */
	if (ipts_rule_family(r) == IPTS_FAMILY_IPV6 &&
	    (ip->flags & LINT_IP6_PROTO_ALL))
		sp->modelled = false;
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
		bool ident;

		if (!IPTS_NAME_IS(m->u.user.name, "comment") ||
		    ipts_blob_is_opaque(m->u.user.revision))
			only_comments = false;
		if (!space_match(sp, ps, m, i, &ident))
			sp->modelled = false;
		if (ident) {
			sp->identity = true;
			if (i < 64)
				sp->idmask |= (uint64_t)1 << i;
			else
				sp->idmore = true;
		}
	}
	sp->unconditional = only_comments && ipts_ip_is_any(ip) &&
			    !(r->flags & IPTS_RULE_OPAQUE);
	ipts_ports_pack(&sp->sport, &ps[PS_SRC], arena);
	ipts_ports_pack(&sp->dport, &ps[PS_DST], arena);
}

void ipts_space_build(struct ipts_space *sp, const struct ipts_rule *r,
		      struct ipts_arena *arena)
{
	ipts_space_build_after(sp, r, NULL, arena);
}

/* A rule's -s or -d as a set (lint_int.h's struct ipts_addr_set). */

static void rule_addr(const struct ipts_rule *r, bool src,
		      struct ipts_addr_set *s)
{
	unsigned int i;

	memset(s, 0, sizeof(*s));
	if (ipts_rule_family(r) == IPTS_FAMILY_IPV6) {
		const struct ip6t_ip6 *ip6 = &r->e6->ipv6;
		const struct in6_addr *a = src ? &ip6->src : &ip6->dst;
		const struct in6_addr *m = src ? &ip6->smsk : &ip6->dmsk;

		s->n = 4;
		for (i = 0; i < 4; i++) {
			s->m[i] = m->s6_addr32[i];
			s->a[i] = a->s6_addr32[i] & s->m[i];
		}
		s->inv = ip6->invflags &
			 (src ? IP6T_INV_SRCIP : IP6T_INV_DSTIP);
		return;
	}
	s->n = 1;
	s->m[0] = src ? r->e->ip.smsk.s_addr : r->e->ip.dmsk.s_addr;
	s->a[0] = (src ? r->e->ip.src.s_addr : r->e->ip.dst.s_addr) & s->m[0];
	s->inv = r->e->ip.invflags & (src ? IPT_INV_SRCIP : IPT_INV_DSTIP);
}

/* Every address of @b's set is in @a's, the inversions as given. */
static bool addr_covers_as(const struct ipts_addr_set *a, bool ai,
			   const struct ipts_addr_set *b, bool bi)
{
	bool a_sub_b = true, b_sub_a = true, a_in_b = true, b_in_a = true;
	bool differ = false, a_all = true;
	unsigned int i;

	for (i = 0; i < a->n && i < b->n; i++) {
		uint32_t am = a->m[i], bm = b->m[i], aa = a->a[i], ba = b->a[i];

		if (am & ~bm)
			a_sub_b = false;
		if (bm & ~am)
			b_sub_a = false;
		if ((ba & am) != aa)
			b_in_a = false;
		if ((aa & bm) != ba)
			a_in_b = false;
		if ((aa ^ ba) & am & bm)
			differ = true;
		if (am)
			a_all = false;
	}
	if (!ai && !bi)
		return a_sub_b && b_in_a;
	if (ai && !bi) /* B disjoint from A's set */
		return differ;
	if (ai && bi) /* A's set inside B's set */
		return b_sub_a && a_in_b;
	return a_all; /* A is everything */
}

static bool addr_covers(const struct ipts_addr_set *a,
			const struct ipts_addr_set *b)
{
	return addr_covers_as(a, a->inv, b, b->inv);
}

static bool addr_overlap(const struct ipts_addr_set *a,
			 const struct ipts_addr_set *b)
{
	unsigned int i;

	if (!a->inv && !b->inv) {
		for (i = 0; i < a->n && i < b->n; i++)
			if ((a->a[i] ^ b->a[i]) & a->m[i] & b->m[i])
				return false;
		return true;
	}
	if (a->inv && !b->inv) /* B not inside A's set */
		return !addr_covers_as(a, false, b, false);
	if (!a->inv && b->inv)
		return !addr_covers_as(b, false, a, false);
	return false; /* unknown: claim nothing */
}

/* Interface names as 16-byte vectors, same algebra byte by byte: done
 * on two 64-bit words at once (each test is bitwise, so a word holds
 * eight bytes' answers). */
_Static_assert(IFNAMSIZ == 2 * sizeof(uint64_t), "names are two words");

bool ipts_ifc_covers(const char *an, const unsigned char *am, bool ai,
		     const char *bn, const unsigned char *bm, bool bi)
{
	uint64_t a[2], b[2], ma[2], mb[2], x0, x1;

	memcpy(ma, am, sizeof(ma));
	memcpy(mb, bm, sizeof(mb));
	if (!ai && !bi) {
		/* the common case: A's mask within B's, B's name under it */
		if ((ma[0] & ~mb[0]) | (ma[1] & ~mb[1]))
			return false;
		memcpy(a, an, sizeof(a));
		memcpy(b, bn, sizeof(b));
		return !(((a[0] ^ b[0]) & ma[0]) | ((a[1] ^ b[1]) & ma[1]));
	}
	if (!ai) /* B inverted, A not: A must be every name */
		return !(ma[0] | ma[1]);
	memcpy(a, an, sizeof(a));
	memcpy(b, bn, sizeof(b));
	x0 = a[0] ^ b[0];
	x1 = a[1] ^ b[1];
	if (!bi) /* B disjoint from A's set */
		return ((x0 & ma[0] & mb[0]) | (x1 & ma[1] & mb[1])) != 0;
	/* both inverted: A's set inside B's */
	return !((mb[0] & ~ma[0]) | (mb[1] & ~ma[1])) &&
	       !((x0 & mb[0]) | (x1 & mb[1]));
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

/* The addresses of rules @ra and @rb (of one ruleset: one family). */
static bool addrs_covers(const struct ipts_rule *ra, const struct ipts_rule *rb)
{
	struct ipts_addr_set a, b;

	/* two IPv4 rules, no '!': addr_covers_as() of one word a side */
	if (ipts_rule_family(ra) == IPTS_FAMILY_IPV4 &&
	    ipts_rule_family(rb) == IPTS_FAMILY_IPV4 &&
	    !((ra->e->ip.invflags | rb->e->ip.invflags) &
	      (IPT_INV_SRCIP | IPT_INV_DSTIP))) {
		const struct ipt_ip *x = &ra->e->ip, *y = &rb->e->ip;
		uint32_t xsm = x->smsk.s_addr, xdm = x->dmsk.s_addr;

		return !(xsm & ~y->smsk.s_addr) && !(xdm & ~y->dmsk.s_addr) &&
		       ((y->src.s_addr & y->smsk.s_addr & xsm) ==
			(x->src.s_addr & xsm)) &&
		       ((y->dst.s_addr & y->dmsk.s_addr & xdm) ==
			(x->dst.s_addr & xdm));
	}

	rule_addr(ra, true, &a);
	rule_addr(rb, true, &b);
	if (!addr_covers(&a, &b))
		return false;
	rule_addr(ra, false, &a);
	rule_addr(rb, false, &b);
	return addr_covers(&a, &b);
}

static bool addrs_overlap(const struct ipts_rule *ra,
			  const struct ipts_rule *rb)
{
	struct ipts_addr_set a, b;

	rule_addr(ra, true, &a);
	rule_addr(rb, true, &b);
	if (!addr_overlap(&a, &b))
		return false;
	rule_addr(ra, false, &a);
	rule_addr(rb, false, &b);
	return addr_overlap(&a, &b);
}

/* The header but the addresses (addrs_covers()): interfaces, protocol. */
static bool ip_covers(const struct ipt_ip *a, const struct ipt_ip *b)
{
	return ipts_ifc_covers(a->iniface, a->iniface_mask,
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
	return ifc_overlap(a->iniface, a->iniface_mask,
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
	if (IPTS_NAME_IS(m->u.user.name, "conntrack")) {
		struct ipts_space t;

		memset(&t, 0, sizeof(t));
		if (space_conntrack(&t, m))
			return false;	/* modelled as a state set */
	}
	return true;
}

/* Every identity-compared match of @a has an identical twin in @b. */
static bool identity_covers(const struct ipts_space *as,
			    const struct ipts_rule *b)
{
	const struct ipts_rule *a = as->r;
	unsigned int i, j;

	for (i = 0; i < a->nmatches; i++) {
		const struct xt_entry_match *m;
		bool found = false;

		/* the space says which are (by_identity() at its build) */
		if (i < 64 ? !(as->idmask & ((uint64_t)1 << i)) : !as->idmore)
			continue;
		m = ipts_rule_match(a, i);
		if (i >= 64 && !by_identity(m))
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

/* ipts_ports_subset(), one interval each without the call */
static bool pset_within(const struct ipts_ports *b, const struct ipts_ports *a)
{
	const uint16_t *bv;

	if (a->n != 1 || !b->n)
		return ipts_ports_subset(b, a);
	/* one interval holds a set when it holds its first and last port */
	bv = ipts_ports_iv(b);
	return a->u.in[0] <= bv[0] && bv[2 * b->n - 1] <= a->u.in[1];
}

bool ipts_space_covers_but_addrs(const struct ipts_space *a,
				 const struct ipts_space *b)
{
	struct ipt_ip va, vb;

	if (!a->modelled || !b->modelled)
		return false;
	if ((b->frag & ~a->frag) || (b->states & ~a->states))
		return false;
	if (!pset_within(&b->sport, &a->sport) ||
	    !pset_within(&b->dport, &a->dport))
		return false;
	if (a->tcpflags &&
	    !(b->tcpflags && a->flg_mask == b->flg_mask &&
	      a->flg_cmp == b->flg_cmp && a->flg_inv == b->flg_inv))
		return false;
	return ip_covers(ipts_lint_ip(a->r, &va), ipts_lint_ip(b->r, &vb)) &&
	       mark_covers(a, b) && (!a->identity || identity_covers(a, b->r));
}

/* Every packet @b matches, @a matches too (both modelled). */
bool ipts_space_covers(const struct ipts_space *a, const struct ipts_space *b)
{
	return ipts_space_covers_but_addrs(a, b) && addrs_covers(a->r, b->r);
}

void ipts_rule_addr(const struct ipts_rule *r, bool src,
		    struct ipts_addr_set *s)
{
	rule_addr(r, src, s);
}

bool ipts_addr_set_covers(const struct ipts_addr_set *a,
			  const struct ipts_addr_set *b)
{
	/* the usual case first: neither inverted, one word */
	if (!a->inv && !b->inv && a->n == 1 && b->n == 1)
		return !(a->m[0] & ~b->m[0]) && (b->a[0] & a->m[0]) == a->a[0];
	return addr_covers(a, b);
}

/* Some packet may match both (false: proven disjoint on modelled parts). */
bool ipts_space_overlap(const struct ipts_space *a, const struct ipts_space *b)
{
	struct ipt_ip va, vb;

	if (!(a->frag & b->frag) || !(a->states & b->states))
		return false;
	if (!ipts_ports_overlap(&a->sport, &b->sport) ||
	    !ipts_ports_overlap(&a->dport, &b->dport))
		return false;
	if (a->mark && b->mark && !a->mark_inv && !b->mark_inv &&
	    ((a->mark_val ^ b->mark_val) & a->mark_mask & b->mark_mask))
		return false;
	return ip_overlap(ipts_lint_ip(a->r, &va), ipts_lint_ip(b->r, &vb)) &&
	       addrs_overlap(a->r, b->r);
}

void ipts_space_addr(const struct ipts_space *sp, bool src,
		     struct ipts_addr_key *k)
{
	struct ipts_addr_set s;
	unsigned int i;
	bool run = true;

	rule_addr(sp->r, src, &s);
	memset(k, 0, sizeof(*k));
	k->words = s.n;
	k->inv = s.inv;
	for (i = 0; i < s.n; i++) {
		uint32_t m = ntohl(s.m[i]);

		k->a[i] = ntohl(s.a[i]);
		/* the leading ones of the mask, across the words */
		if (run)
			k->lead += ~m ? (unsigned int)__builtin_clz(~m) : 32;
		if (k->lead < 32 * (i + 1))
			run = false;
	}
}
