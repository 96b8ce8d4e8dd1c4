/*
 * match_misc.c - matches on the IP header, the skb and the socket: owner,
 * mark, comment, iprange, addrtype, length, tos, dscp, ttl, pkttype,
 * statistic, limit, policy, physdev, mac, rpfilter. Each follows the
 * kernel function named above it (net/netfilter/xt_*.c).
 *
 * The simulated host is the one of a local connection: traffic runs over
 * lo, no bridge, no IPsec, and its local addresses are 127.0.0.0/8 plus
 * the ones the query lists.
 */
#include "match_int.h"	/* first: glibc headers before the uapi ones */
#include "host.h"

#include <arpa/inet.h>
#include <linux/if_packet.h>
#include <linux/netfilter/xt_addrtype.h>
#include <linux/netfilter/xt_dscp.h>
#include <linux/netfilter/xt_hashlimit.h>
#include <linux/netfilter/xt_iprange.h>
#include <linux/netfilter/xt_length.h>
#include <linux/netfilter/xt_limit.h>
#include <linux/netfilter/xt_mac.h>
#include <linux/netfilter/xt_mark.h>
#include <linux/netfilter/xt_owner.h>
#include <linux/netfilter/xt_physdev.h>
#include <linux/netfilter/xt_pkttype.h>
#include <linux/netfilter/xt_policy.h>
#include <linux/netfilter/xt_rpfilter.h>
#include <linux/netfilter/xt_statistic.h>
#include <linux/netfilter_ipv4/ipt_ttl.h>
#include <linux/rtnetlink.h>
#include <string.h>


static bool is_lo(const char *dev)
{
	return dev && strcmp(dev, "lo") == 0;
}

/*
 * owner_mt(): no full socket (or one of another netns) matches only when
 * every given option is inverted; a socket without a file (the kernel's
 * own, e.g. the one sending a RST for a closed port) fails --uid-owner
 * and --gid-owner but passes their inversions.
 */
enum ipts_match_result ipts_mt_owner(const struct ipts_mpar *par)
{
	const struct xt_owner_match_info *info = par->info;
	const struct ipts_pkt *p = par->p;

	if (!p->has_sk)
		return ipts_mres((info->match ^ info->invert) == 0);
	if (info->match & info->invert & XT_OWNER_SOCKET)
		return IPTS_MATCH_NO;
	if (!p->sk_has_file)
		return ipts_mres(((info->match ^ info->invert) &
				  (XT_OWNER_UID | XT_OWNER_GID)) == 0);
	if (info->match & XT_OWNER_UID) {
		bool in = p->uid >= info->uid_min && p->uid <= info->uid_max;

		if (in ^ !(info->invert & XT_OWNER_UID))
			return IPTS_MATCH_NO;
	}
	if (info->match & XT_OWNER_GID) {
		bool in = p->gid >= info->gid_min && p->gid <= info->gid_max;

		if (par->h && par->h->gid_read)
			*par->h->gid_read |= p->sk_side;

		if (!in && (info->match & XT_OWNER_SUPPL_GROUPS))
			return ipts_munknown(par,
				"supplementary groups of the socket owner are unknown");
		if (in ^ !(info->invert & XT_OWNER_GID))
			return IPTS_MATCH_NO;
	}
	return IPTS_MATCH_YES;
}

/* mark_mt() */
enum ipts_match_result ipts_mt_mark(const struct ipts_mpar *par)
{
	const struct xt_mark_mtinfo1 *info = par->info;

	return ipts_mres(((par->p->mark & info->mask) == info->mark) ^
			 info->invert);
}

/* comment_mt(): always true. */
enum ipts_match_result ipts_mt_comment(const struct ipts_mpar *par)
{
	(void)par;
	return IPTS_MATCH_YES;
}

static bool out_of_range(uint32_t addr, uint32_t min, uint32_t max)
{
	return ntohl(addr) < ntohl(min) || ntohl(addr) > ntohl(max);
}

/* iprange_mt4() */
enum ipts_match_result ipts_mt_iprange(const struct ipts_mpar *par)
{
	const struct xt_iprange_mtinfo *info = par->info;
	const struct ipts_pkt *p = par->p;

	if ((info->flags & IPRANGE_SRC) &&
	    (out_of_range(p->saddr.ip, info->src_min.ip, info->src_max.ip) ^
	     !!(info->flags & IPRANGE_SRC_INV)))
		return IPTS_MATCH_NO;
	if ((info->flags & IPRANGE_DST) &&
	    (out_of_range(p->daddr.ip, info->dst_min.ip, info->dst_max.ip) ^
	     !!(info->flags & IPRANGE_DST_INV)))
		return IPTS_MATCH_NO;
	return IPTS_MATCH_YES;
}

/*
 * The route types inet_dev_addr_type() may give @addr, as a mask of
 * 1 << RTN_*. The local table of the simulated host holds 127.0.0.0/8
 * (local, on lo), the broadcast 127.255.255.255 (on lo) and the query's
 * local addresses; with @dev set, a route on another device reads as
 * UNICAST. Which device holds an extra local address is not known, so it
 * may be either. Any other address is UNICAST: the model has no interface
 * subnets (and so no directed broadcasts), which a connection's addresses
 * never are.
 */
static unsigned int addr_types(const struct ipts_host *h, uint32_t addr,
			       const char *dev)
{
	uint32_t a = ntohl(addr);
	bool any_dev = !dev || !*dev;

	if (h && h->desc)
		return ipts_host_addr_types(h, addr, dev);
	if ((a >> 24) == 0 || a == 0xffffffffu)
		return 1u << RTN_BROADCAST;
	if ((a >> 28) == 0xe)
		return 1u << RTN_MULTICAST;
	if ((a >> 24) == 127) {
		unsigned int t = a == 0x7fffffffu ? RTN_BROADCAST : RTN_LOCAL;

		return 1u << (any_dev || is_lo(dev) ? t : RTN_UNICAST);
	}
	if (ipts_host_is_local(h, IPTS_ADDR4(addr)))
		return any_dev ? 1u << RTN_LOCAL
			       : 1u << RTN_LOCAL | 1u << RTN_UNICAST;
	return 1u << RTN_UNICAST;
}

/* match_type(), three-valued: yes, no, or depends on the host. */
static enum ipts_match_result type_match(unsigned int possible, uint16_t mask)
{
	if ((mask & possible) == possible)
		return IPTS_MATCH_YES;
	if ((mask & possible) == 0)
		return IPTS_MATCH_NO;
	return IPTS_MATCH_UNKNOWN;
}

static enum ipts_match_result tri_xor(enum ipts_match_result r, bool inv)
{
	if (r == IPTS_MATCH_UNKNOWN || !inv)
		return r;
	return r == IPTS_MATCH_YES ? IPTS_MATCH_NO : IPTS_MATCH_YES;
}

static const char addrtype_unknown[] =
	"which interface holds the local address is host state";

/* addrtype_mt_v0() and addrtype_mt_v1() */
enum ipts_match_result ipts_mt_addrtype(const struct ipts_mpar *par)
{
	const struct ipts_pkt *p = par->p;
	enum ipts_match_result src = IPTS_MATCH_YES, dst = IPTS_MATCH_YES;
	uint16_t smask, dmask;
	uint32_t sinv, dinv;
	const char *dev = NULL;

	if (par->revision == 0) {
		const struct xt_addrtype_info *info = par->info;

		smask = info->source;
		dmask = info->dest;
		sinv = info->invert_source;
		dinv = info->invert_dest;
	} else {
		const struct xt_addrtype_info_v1 *info = par->info;

		smask = info->source;
		dmask = info->dest;
		sinv = info->flags & XT_ADDRTYPE_INVERT_SOURCE;
		dinv = !!(info->flags & XT_ADDRTYPE_INVERT_DEST);
		if (info->flags & XT_ADDRTYPE_LIMIT_IFACE_IN)
			dev = p->in;
		else if (info->flags & XT_ADDRTYPE_LIMIT_IFACE_OUT)
			dev = p->out;
	}
	/* bool ret &= match ^ inv keeps the lowest bit of the inversion */
	if (smask)
		src = tri_xor(type_match(addr_types(par->h, p->saddr.ip, dev),
					 smask),
			      sinv & 1);
	if (src == IPTS_MATCH_NO)
		return IPTS_MATCH_NO;
	if (dmask)
		dst = tri_xor(type_match(addr_types(par->h, p->daddr.ip, dev),
					 dmask),
			      dinv & 1);
	if (dst == IPTS_MATCH_NO)
		return IPTS_MATCH_NO;
	if (src == IPTS_MATCH_UNKNOWN || dst == IPTS_MATCH_UNKNOWN)
		return ipts_munknown(par, addrtype_unknown);
	return IPTS_MATCH_YES;
}

/* length_mt(): the IP total length. */
enum ipts_match_result ipts_mt_length(const struct ipts_mpar *par)
{
	const struct xt_length_info *info = par->info;
	uint16_t len = par->p->tot_len;

	return ipts_mres((len >= info->min && len <= info->max) ^ info->invert);
}

/* tos_mt() (revision 1) */
enum ipts_match_result ipts_mt_tos(const struct ipts_mpar *par)
{
	const struct xt_tos_match_info *info = par->info;

	return ipts_mres(((par->p->tos & info->tos_mask) == info->tos_value) ^
			 !!info->invert);
}

/* dscp_mt() */
enum ipts_match_result ipts_mt_dscp(const struct ipts_mpar *par)
{
	const struct xt_dscp_info *info = par->info;
	uint8_t dscp = par->p->tos >> XT_DSCP_SHIFT;

	return ipts_mres((dscp == info->dscp) ^ !!info->invert);
}

/* ttl_mt() in xt_hl.c */
enum ipts_match_result ipts_mt_ttl(const struct ipts_mpar *par)
{
	const struct ipt_ttl_info *info = par->info;
	uint8_t ttl = par->p->ttl;

	switch (info->mode) {
	case IPT_TTL_EQ:
		return ipts_mres(ttl == info->ttl);
	case IPT_TTL_NE:
		return ipts_mres(ttl != info->ttl);
	case IPT_TTL_LT:
		return ipts_mres(ttl < info->ttl);
	case IPT_TTL_GT:
		return ipts_mres(ttl > info->ttl);
	}
	return IPTS_MATCH_NO;
}

/* pkttype_mt(): a looped-back packet counts as multicast or broadcast. */
enum ipts_match_result ipts_mt_pkttype(const struct ipts_mpar *par)
{
	const struct xt_pkttype_info *info = par->info;
	const struct ipts_pkt *p = par->p;
	int type;

	if (p->pkt_type != PACKET_LOOPBACK)
		type = p->pkt_type;
	else if ((ntohl(p->daddr.ip) >> 28) == 0xe)
		type = PACKET_MULTICAST;
	else
		type = PACKET_BROADCAST;
	return ipts_mres((type == info->pkttype) ^ info->invert);
}

/*
 * statistic_mt(). Random mode is random except at probability 0 (never)
 * and 1 (always). Nth mode keeps a counter per rule, set to
 * u.nth.count = every - packet at load time; with every == 0 it always
 * matches, otherwise evaluation k (from 0, counted since the load)
 * matches when (count + k + 1) % (every + 1) == 0, which needs --fresh.
 */
enum ipts_match_result ipts_mt_statistic(const struct ipts_mpar *par)
{
	const struct xt_statistic_info *info = par->info;
	const struct ipts_pkt *p = par->p;
	bool inv = info->flags & XT_STATISTIC_INVERT;
	uint64_t every, count;

	switch (info->mode) {
	case XT_STATISTIC_MODE_RANDOM:
		if (info->u.random.probability == 0)
			return ipts_mres(inv);
		if (info->u.random.probability > 0x7fffffffu)
			return ipts_mres(!inv);
		return ipts_munknown(par, "-m statistic --mode random is random");
	case XT_STATISTIC_MODE_NTH:
		every = info->u.nth.every;
		count = info->u.nth.count;
		if (every == 0 && count == 0)
			return ipts_mres(!inv);
		if (!par->h || !par->h->fresh || !p->evals_known)
			return ipts_munknown(par,
				"-m statistic --mode nth depends on earlier packets");
		/* A counter above every climbs for 2^32 packets first. */
		if (count > every)
			return ipts_mres(inv);
		return ipts_mres(((count + p->evals + 1) % (every + 1) == 0) ^
				 inv);
	}
	return ipts_munknown(par, "-m statistic mode is not modelled");
}

/*
 * user2credits() of xt_limit.c for one CONFIG_HZ, in the kernel's 32-bit
 * arithmetic.
 */
static uint32_t user2credits(uint32_t user, uint32_t hz)
{
	uint32_t max_cpj = 0xffffffffu / (hz * 60 * 60 * 24);
	uint32_t cpj = 1;

	while (cpj * 2 <= max_cpj)	/* POW2_BELOW32() */
		cpj *= 2;
	if (user > 0xffffffffu / (hz * cpj))
		return (user / XT_LIMIT_SCALE) * hz * cpj;
	return (uint32_t)((uint64_t)user * hz * cpj / XT_LIMIT_SCALE);
}

/*
 * The most a resend's timer may be late past its timeout, as a share of
 * the gap: measured 1.01 to 1.05 s for the 1 s ones (kernel 6.18); the
 * bound taken is half the gap and 100 ms more.
 */
static uint64_t gap_hi_ms(uint32_t gap)
{
	return (uint64_t)gap + gap / 2 + 100;
}

static const uint32_t hzs[] = { 100, 250, 300, 1000 };

static uint64_t sat_add(uint64_t a, uint64_t b)
{
	return a > UINT64_MAX - b ? UINT64_MAX : a + b;
}

/*
 * One token bucket (xt_limit's priv, xt_hashlimit's entry) on @b for each
 * CONFIG_HZ (hzs[]): the credit grows by cpj a jiffy since the last
 * evaluation, up to cap, and a packet matches when it holds cost, which
 * it then pays. Yes or no when every HZ and both bounds agree. Where they
 * do not, the packet may have paid or not: the least left is 0, the most
 * what it was.
 */
static enum ipts_match_result bucket_timed(struct ipts_limit_bucket *b,
					   const uint64_t *cap,
					   const uint64_t *cost,
					   const uint64_t *cpj, uint32_t now_ms,
					   uint32_t early_ms, uint32_t serial)
{
	uint32_t gap = now_ms >= b->last_ms ? now_ms - b->last_ms : 0;
	/* the same packet met at a later hook: no more than the walk's
	 * own moment (bounded as a gap of 0 ms) */
	bool same = serial && b->init && b->last_pkt == serial;
	uint32_t least = gap > early_ms ? gap - early_ms : 0;
	unsigned int i, yes = 0, no = 0;

	for (i = 0; i < 4; i++) {
		uint64_t lo, hi;

		if (!b->init) {
			b->lo[i] = b->hi[i] = cap[i];
		} else {
			lo = sat_add(b->lo[i],
				     (uint64_t)least * hzs[i] / 1000 * cpj[i]);
			hi = gap || same ?
				     sat_add(b->hi[i],
					     (gap_hi_ms(gap) * hzs[i] / 1000 +
					      1) * cpj[i]) :
				     cap[i];
			b->lo[i] = lo < cap[i] ? lo : cap[i];
			b->hi[i] = hi < cap[i] ? hi : cap[i];
		}
		if (b->lo[i] >= cost[i]) {
			yes++;
			b->lo[i] -= cost[i];
			b->hi[i] -= cost[i];
		} else if (b->hi[i] < cost[i]) {
			no++;
		} else {
			b->lo[i] = 0;
		}
	}
	b->init = true;
	b->last_ms = now_ms;
	b->last_pkt = serial;
	if (yes == 4)
		return IPTS_MATCH_YES;
	if (no == 4)
		return IPTS_MATCH_NO;
	return IPTS_MATCH_UNKNOWN;
}

/* limit_mt() on @b: xt_limit's credits for each CONFIG_HZ. */
static enum ipts_match_result limit_timed(const struct xt_rateinfo *r,
					  struct ipts_limit_bucket *b,
					  uint32_t now_ms, uint32_t early_ms)
{
	uint64_t cap[4], cost[4], cpj[4];
	unsigned int i;

	for (i = 0; i < 4; i++) {
		cpj[i] = user2credits(XT_LIMIT_SCALE, hzs[i]) /
			 hzs[i]; /* CREDITS_PER_JIFFY */
		cap[i] = user2credits(r->avg * r->burst, hzs[i]);
		cost[i] = user2credits(r->avg, hzs[i]);
	}
	return bucket_timed(b, cap, cost, cpj, now_ms, early_ms, 0);
}

/*
 * limit_mt(): a bucket that starts full at load (credit_cap) and pays
 * cost per match. Under --fresh, after k earlier evaluations at most k
 * costs are spent, so evaluation k matches if (k + 1) * cost <= cap for
 * every CONFIG_HZ the host kernel may have. Past that the refill over
 * time decides: with the walker's bucket, the time between evaluations
 * (a resent SYN's schedule) gives it (limit_timed()).
 */
enum ipts_match_result ipts_mt_limit(const struct ipts_mpar *par)
{
	const struct xt_rateinfo *r = par->info;
	const struct ipts_pkt *p = par->p;
	unsigned int i;

	if (!par->h || !par->h->fresh || !p->evals_known)
		return ipts_munknown(par, "-m limit depends on earlier traffic");
	if (p->bucket) {
		enum ipts_match_result res = limit_timed(r, p->bucket,
							 p->now_ms,
							 p->early_ms);

		if (res != IPTS_MATCH_UNKNOWN)
			return res;
	}
	for (i = 0; i < sizeof(hzs) / sizeof(hzs[0]); i++) {
		uint64_t cap = user2credits(r->avg * r->burst, hzs[i]);
		uint64_t cost = user2credits(r->avg, hzs[i]);

		if ((uint64_t)(p->evals + 1) * cost > cap)
			return ipts_munknown(par,
				"-m limit burst may be spent: depends on timing");
	}
	return IPTS_MATCH_YES;
}

/*
 * user2credits() of xt_hashlimit.c for one CONFIG_HZ, in its 64-bit
 * arithmetic: revision 1 in 1/10000 s and CREDITS_PER_JIFFY_v1 (the
 * power of two below 2^32 / (HZ * 86400)), revisions 2 and 3 in
 * 1/1000000 s and CREDITS_PER_JIFFY (below 2^64 / (HZ * 86400)).
 */
static uint64_t hl_cpj(uint8_t rev, uint32_t hz)
{
	uint64_t max = (rev == 1 ? 0xffffffffull : UINT64_MAX) /
		       ((uint64_t)hz * 60 * 60 * 24);
	uint64_t cpj = 1;

	while (cpj <= max / 2) /* POW2_BELOW32(), POW2_BELOW64() */
		cpj *= 2;
	return cpj;
}

static uint64_t hl_user2credits(uint64_t user, uint8_t rev, uint32_t hz)
{
	uint64_t scale = rev == 1 ? XT_HASHLIMIT_SCALE : XT_HASHLIMIT_SCALE_v2;
	uint64_t hzcpj = hz * hl_cpj(rev, hz);

	if (scale >= hzcpj)
		return user / (scale / hzcpj);
	return user * (hzcpj / scale);
}

void ipts_hl_cfg_fill(const void *info, uint8_t revision, struct ipts_hl_cfg *c)
{
#define HL_CFG_COPY(i)                                 \
	do {                                           \
		c->avg = (i)->cfg.avg;                 \
		c->burst = (i)->cfg.burst;             \
		c->mode = (i)->cfg.mode;               \
		c->expire = (i)->cfg.expire;           \
		c->gc_interval = (i)->cfg.gc_interval; \
		c->srcmask = (i)->cfg.srcmask;         \
		c->dstmask = (i)->cfg.dstmask;         \
		c->name = (i)->name;                   \
		c->name_len = sizeof((i)->name);       \
	} while (0)
	if (revision == 1)
		HL_CFG_COPY((const struct xt_hashlimit_mtinfo1 *)info);
	else if (revision == 2)
		HL_CFG_COPY((const struct xt_hashlimit_mtinfo2 *)info);
	else
		HL_CFG_COPY((const struct xt_hashlimit_mtinfo3 *)info);
#undef HL_CFG_COPY
}

/* The first @bits of @a, of @words 32-bit words (maskl(),
 * hashlimit_ipv6_mask()). */
static void hl_mask(union nf_inet_addr *a, unsigned int words,
		    unsigned int bits)
{
	unsigned int w;

	for (w = 0; w < words; w++) {
		uint32_t keep = bits >= 32 ? 0xffffffffu :
				bits	   ? ~(0xffffffffu >> bits) :
					     0;

		a->all[w] &= htonl(keep);
		bits = bits >= 32 ? bits - 32 : 0;
	}
}

void ipts_hl_key_of(const struct ipts_hl_cfg *c, const struct ipts_pkt *p,
		    struct ipts_hl_key *k)
{
	unsigned int words = p->family == NFPROTO_IPV6 ? 4 : 1;

	memset(k, 0, sizeof(*k));
	if (c->mode & XT_HASHLIMIT_HASH_DIP) {
		k->dst = p->daddr;
		hl_mask(&k->dst, words, c->dstmask);
	}
	if (c->mode & XT_HASHLIMIT_HASH_SIP) {
		k->src = p->saddr;
		hl_mask(&k->src, words, c->srcmask);
	}
	if (words == 1) {
		k->dst.all[1] = k->dst.all[2] = k->dst.all[3] = 0;
		k->src.all[1] = k->src.all[2] = k->src.all[3] = 0;
	}
	/* proto_ports_offset(): TCP, UDP, UDP-Lite, SCTP and DCCP carry
	 * their ports first (ESP's SPI and AH's are left at 0 here) */
	if (p->protocol == IPPROTO_TCP || p->protocol == IPPROTO_UDP ||
	    p->protocol == IPPROTO_UDPLITE || p->protocol == IPPROTO_SCTP ||
	    p->protocol == IPPROTO_DCCP) {
		if (c->mode & XT_HASHLIMIT_HASH_SPT)
			k->sport = p->sport;
		if (c->mode & XT_HASHLIMIT_HASH_DPT)
			k->dport = p->dport;
	}
}

/*
 * The entry may have been freed by the garbage collector or not: both
 * ways, decided where they agree (a bucket refilled past the cost by then
 * matches as a new, full one does); the bucket after is the widest of
 * the two.
 */
static enum ipts_match_result
hl_maybe_freed(const struct ipts_mpar *par, struct ipts_limit_bucket *b,
	       const uint64_t *cap, const uint64_t *cost, const uint64_t *cpj,
	       const struct ipts_hl_cfg *c)
{
	const struct ipts_pkt *p = par->p;
	struct ipts_limit_bucket kept = *b, freed = { 0 };
	enum ipts_match_result r1, r2;
	unsigned int i;

	r1 = bucket_timed(&kept, cap, cost, cpj, p->now_ms, p->early_ms,
			  p->pkt_serial);
	r2 = bucket_timed(&freed, cap, cost, cpj, p->now_ms, p->early_ms,
			  p->pkt_serial);
	*b = kept;
	for (i = 0; i < 4; i++) {
		if (freed.lo[i] < b->lo[i])
			b->lo[i] = freed.lo[i];
		if (freed.hi[i] > b->hi[i])
			b->hi[i] = freed.hi[i];
	}
	if (r1 != r2 || r1 == IPTS_MATCH_UNKNOWN)
		return ipts_munknown(par, "-m hashlimit entry may have "
					  "expired: depends on its garbage "
					  "collection's timing");
	return ipts_mres((r1 == IPTS_MATCH_YES) ^
			 !!(c->mode & XT_HASHLIMIT_INVERT));
}

/*
 * hashlimit_mt_common() under --fresh: an entry a key, made full
 * (rateinfo_init(): the credit of the whole burst) by the first packet
 * with that key, refilled by rateinfo_recalc() as xt_limit's bucket is
 * (the same jiffies, its own credits per jiffy: bucket_timed()). An
 * entry idle for --hashlimit-htable-expire ms is freed by the next
 * garbage collection (every --hashlimit-htable-gcinterval ms), and a
 * packet after that makes a new, full one: decided when the gap is surely
 * shorter than the expiry, or longer than it and two collections;
 * undetermined between. Byte and rate-match modes are not modelled.
 */
enum ipts_match_result ipts_mt_hashlimit(const struct ipts_mpar *par)
{
	const struct ipts_pkt *p = par->p;
	struct ipts_hl_state *st = p->hl;
	uint64_t cap[4], cost[4], cpj[4];
	enum ipts_match_result res;
	struct ipts_limit_bucket *b;
	struct ipts_hl_key k;
	struct ipts_hl_cfg c, own;
	unsigned int i;

	if (!par->h || !par->h->fresh || !p->evals_known || !st)
		return ipts_munknown(par,
				     "-m hashlimit depends on earlier traffic");
	ipts_hl_cfg_fill(par->info, par->revision, &own);
	/* the table's cfg (htable_create() kept its maker's): key, burst,
	 * rate, expiry; --hashlimit-upto or -above is the rule's own */
	if (!p->hl_owner || p->hl_owner->u.user.revision != par->revision ||
	    !ipts_hl_cfg_of(p->hl_owner, &c))
		return ipts_munknown(par,
				     "-m hashlimit depends on earlier traffic "
				     "(its table is made by a rule of another "
				     "revision)");
	if ((c.mode | own.mode) &
		    (XT_HASHLIMIT_BYTES | XT_HASHLIMIT_RATE_MATCH) ||
	    c.burst == 0)
		return ipts_munknown(par,
				     "-m hashlimit depends on earlier traffic");
	ipts_hl_key_of(&c, p, &k);
	for (i = 0; i < st->n; i++)
		if (memcmp(&st->key[i], &k, sizeof(k)) == 0)
			break;
	if (i == st->n) {
		if (i == IPTS_HL_KEYS)
			return ipts_munknown(par, "-m hashlimit depends on "
						  "earlier traffic");
		st->key[i] = k;
		memset(&st->b[i], 0, sizeof(st->b[i]));
		st->n++;
	}
	b = &st->b[i];
	for (i = 0; i < 4; i++) {
		cpj[i] = hl_cpj(par->revision, hzs[i]);
		cap[i] = hl_user2credits(c.avg * c.burst, par->revision,
					 hzs[i]);
		cost[i] = hl_user2credits(c.avg, par->revision, hzs[i]);
	}
	if (b->init) {
		uint32_t gap = p->now_ms >= b->last_ms ?
				       p->now_ms - b->last_ms :
				       0;
		uint32_t least = gap > p->early_ms ? gap - p->early_ms : 0;

		if ((uint64_t)least > (uint64_t)c.expire + 2ull * c.gc_interval)
			b->init = false; /* freed: a new entry */
		else if (gap_hi_ms(gap) >= c.expire)
			return hl_maybe_freed(par, b, cap, cost, cpj, &own);
	}
	res = bucket_timed(b, cap, cost, cpj, p->now_ms, p->early_ms,
			   p->pkt_serial);
	if (res == IPTS_MATCH_UNKNOWN)
		return ipts_munknown(par, "-m hashlimit burst may be spent: "
					  "depends on timing");
	/* under the limit matches; --hashlimit-above inverts */
	return ipts_mres((res == IPTS_MATCH_YES) ^
			 !!(own.mode & XT_HASHLIMIT_INVERT));
}

/*
 * policy_mt(): without IPsec the skb has no sec path (input) and its
 * route no xfrm (output), so only --pol none matches. The simulated
 * host has no xfrm policy.
 */
enum ipts_match_result ipts_mt_policy(const struct ipts_mpar *par)
{
	const struct xt_policy_info *info = par->info;

	return ipts_mres(info->flags & XT_POLICY_MATCH_NONE);
}

/* Whether the described host makes @dev a bridge. */
static bool is_bridge(const struct ipts_host *h, const char *dev)
{
	const struct ipts_host_iface *f;

	if (!h || !h->desc || !dev || !*dev)
		return false;
	f = ipts_hostdesc_iface(h->desc, dev);
	return f && f->is_bridge;
}

/*
 * physdev_mt(): traffic that no bridge carries (lo's, a plain device's)
 * is never bridged, so the match holds exactly when every option it uses
 * is inverted. On a bridge, what br_netfilter hands to iptables is not
 * described.
 */
enum ipts_match_result ipts_mt_physdev(const struct ipts_mpar *par)
{
	const struct xt_physdev_info *info = par->info;

	if (is_bridge(par->h, par->p->in) || is_bridge(par->h, par->p->out))
		return ipts_munknown(par,
				     "-m physdev on a bridge: whether "
				     "br_netfilter passes its ports' traffic "
				     "to iptables is not described");
	static const uint8_t ops[] = {
		XT_PHYSDEV_OP_BRIDGED, XT_PHYSDEV_OP_ISIN, XT_PHYSDEV_OP_ISOUT,
		XT_PHYSDEV_OP_IN, XT_PHYSDEV_OP_OUT,
	};
	unsigned int i;

	for (i = 0; i < sizeof(ops); i++)
		if ((info->bitmask & ops[i]) && !(info->invert & ops[i]))
			return IPTS_MATCH_NO;
	return IPTS_MATCH_YES;
}

/* mac_mt(): a device that is not Ethernet (lo) never matches. */
enum ipts_match_result ipts_mt_mac(const struct ipts_mpar *par)
{
	if (is_lo(par->p->in))
		return IPTS_MATCH_NO;
	return ipts_munknown(par, "-m mac depends on the sender's address");
}

/*
 * rpfilter_lookup_reverse6(): the route back to the source, from lo (a
 * link-local source on the device it came in on): a reject or anycast
 * route fails, a local one passes with --accept-local, else it passes
 * when it leaves by the device the packet came in on, or --loose.
 */
static enum ipts_match_result rpfilter6(const struct ipts_mpar *par,
					const struct xt_rpfilter_info *info)
{
	const struct ipts_pkt *p = par->p;
	bool inv = info->flags & XT_RPFILTER_INVERT, ok = false;
	struct ipts_fib6_flow fl = { .daddr = p->saddr.in6 };
	struct ipts_fib6_result r;

	if (IN6_IS_ADDR_UNSPECIFIED(&p->saddr.in6))
		return ipts_mres(!inv); /* "not routable": passes */
	if (IN6_IS_ADDR_LINKLOCAL(&p->saddr.in6))
		fl.oif = p->in;
	ipts_fib6_lookup(par->h->desc, &fl, &r, NULL);
	if (r.status == IPTS_FIB_UNDETERMINED)
		return ipts_munknown(par, "-m rpfilter: the route back to the "
					  "source is not told by the host");
	if (r.status == IPTS_FIB_OK && !r.err && r.type != IPTS_RTN_BLACKHOLE &&
	    r.type != IPTS_RTN_ANYCAST) {
		if (r.type == IPTS_RTN_LOCAL)
			ok = info->flags & XT_RPFILTER_ACCEPT_LOCAL;
		else
			ok = (info->flags & XT_RPFILTER_LOOSE) ||
			     (r.dev && p->in &&
			      strcmp(r.dev->name, p->in) == 0);
	}
	return ipts_mres(ok != inv);
}

/* rpfilter_mt(): a packet that came in on lo always passes. */
enum ipts_match_result ipts_mt_rpfilter(const struct ipts_mpar *par)
{
	const struct xt_rpfilter_info *info = par->info;
	const struct ipts_pkt *p = par->p;

	if (p->pkt_type == PACKET_LOOPBACK || is_lo(p->in))
		return ipts_mres(!(info->flags & XT_RPFILTER_INVERT));
	if (p->family == NFPROTO_IPV6 && par->h && par->h->desc)
		return rpfilter6(par, info);
	return ipts_munknown(par, "-m rpfilter depends on the host's routes");
}
