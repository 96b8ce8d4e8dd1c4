/*
 * match.c - one rule's IP header part and its match blobs against a
 * simulated packet, as ipt_do_table() asks ip_packet_match() and then each
 * extension's match function. The evaluators live in match_l4.c (tcp, udp,
 * icmp, multiport, tcpmss, ecn), match_ct.c (conntrack, state, connmark,
 * helper) and match_misc.c (the rest); this file picks one by the blob's
 * name and revision, which decide the layout of its data.
 *
 * Nothing here allocates but the table of rows ipts_sim_prepare() fills.
 * Finding the evaluator is a lookup in that table, or an index on the
 * name's first letter and a strcmp() or two (under 10 ns a blob with the
 * evaluation).
 */
#include "match_int.h"	/* first: glibc headers before the uapi ones */
#include "blob.h"
#include "diag.h"
#include "ipset.h"

#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <linux/netfilter/x_tables.h>
#include <linux/netfilter/xt_addrtype.h>
#include <linux/netfilter/xt_comment.h>
#include <linux/netfilter/xt_connmark.h>
#include <linux/netfilter/xt_conntrack.h>
#include <linux/netfilter/xt_dscp.h>
#include <linux/netfilter/xt_ecn.h>
#include <linux/netfilter/xt_hashlimit.h>
#include <linux/netfilter/xt_helper.h>
#include <linux/netfilter/xt_iprange.h>
#include <linux/netfilter/xt_length.h>
#include <linux/netfilter/xt_limit.h>
#include <linux/netfilter/xt_mac.h>
#include <linux/netfilter/xt_mark.h>
#include <linux/netfilter/xt_multiport.h>
#include <linux/netfilter/xt_owner.h>
#include <linux/netfilter/xt_physdev.h>
#include <linux/netfilter/xt_pkttype.h>
#include <linux/netfilter/xt_policy.h>
#include <linux/netfilter/xt_rpfilter.h>
#include <linux/netfilter/xt_state.h>
#include <linux/netfilter/xt_statistic.h>
#include <linux/netfilter/xt_tcpmss.h>
#include <linux/netfilter/xt_tcpudp.h>
#include <linux/netfilter_ipv4/ipt_ttl.h>

struct mt_entry {
	const char *name;
	uint8_t revision;
	uint16_t size;			/* sizeof the uapi struct */
	ipts_match_fn fn;
};

/*
 * Every (name, revision) the kernel (6.x) registers for IPv4 that we
 * evaluate, grouped by the name's first letter so that finding one costs
 * an index and a strcmp() or two (the revision iptables 1.8.9 writes comes
 * first). A revision the kernel no longer has
 * (owner 0, mark 0, connmark 0, tos 0, iprange 0, conntrack 0) is answered
 * as not modelled: the kernel would refuse to load it.
 */
#define MT(n, r, type, fn) { n, r, sizeof(type), fn }

static const struct mt_entry mt_a[] = {
	MT("addrtype", 0, struct xt_addrtype_info, ipts_mt_addrtype),
	MT("addrtype", 1, struct xt_addrtype_info_v1, ipts_mt_addrtype),
};
static const struct mt_entry mt_c[] = {
	MT("comment", 0, struct xt_comment_info, ipts_mt_comment),
	MT("conntrack", 3, struct xt_conntrack_mtinfo3, ipts_mt_conntrack),
	MT("conntrack", 1, struct xt_conntrack_mtinfo1, ipts_mt_conntrack),
	MT("conntrack", 2, struct xt_conntrack_mtinfo2, ipts_mt_conntrack),
	MT("connmark", 1, struct xt_connmark_mtinfo1, ipts_mt_connmark),
};
static const struct mt_entry mt_d[] = {
	MT("dscp", 0, struct xt_dscp_info, ipts_mt_dscp),
};
static const struct mt_entry mt_e[] = {
	MT("ecn", 0, struct xt_ecn_info, ipts_mt_ecn),
};
static const struct mt_entry mt_h[] = {
	MT("hashlimit", 1, struct xt_hashlimit_mtinfo1, ipts_mt_hashlimit),
	MT("hashlimit", 2, struct xt_hashlimit_mtinfo2, ipts_mt_hashlimit),
	MT("hashlimit", 3, struct xt_hashlimit_mtinfo3, ipts_mt_hashlimit),
	MT("helper", 0, struct xt_helper_info, ipts_mt_helper),
};
static const struct mt_entry mt_i[] = {
	MT("icmp", 0, struct ipt_icmp, ipts_mt_icmp),
	MT("iprange", 1, struct xt_iprange_mtinfo, ipts_mt_iprange),
};
static const struct mt_entry mt_l[] = {
	MT("length", 0, struct xt_length_info, ipts_mt_length),
	MT("limit", 0, struct xt_rateinfo, ipts_mt_limit),
};
static const struct mt_entry mt_m[] = {
	MT("multiport", 1, struct xt_multiport_v1, ipts_mt_multiport),
	MT("mark", 1, struct xt_mark_mtinfo1, ipts_mt_mark),
	MT("mac", 0, struct xt_mac_info, ipts_mt_mac),
	MT("multiport", 0, struct xt_multiport, ipts_mt_multiport),
};
static const struct mt_entry mt_o[] = {
	MT("owner", 1, struct xt_owner_match_info, ipts_mt_owner),
};
static const struct mt_entry mt_p[] = {
	MT("pkttype", 0, struct xt_pkttype_info, ipts_mt_pkttype),
	MT("physdev", 0, struct xt_physdev_info, ipts_mt_physdev),
	MT("policy", 0, struct xt_policy_info, ipts_mt_policy),
};
static const struct mt_entry mt_r[] = {
	MT("rpfilter", 0, struct xt_rpfilter_info, ipts_mt_rpfilter),
};
static const struct mt_entry mt_s[] = {
	MT("state", 0, struct xt_state_info, ipts_mt_state),
	MT("statistic", 0, struct xt_statistic_info, ipts_mt_statistic),
};
static const struct mt_entry mt_t[] = {
	MT("tcp", 0, struct xt_tcp, ipts_mt_tcp),
	MT("tcpmss", 0, struct xt_tcpmss_match_info, ipts_mt_tcpmss),
	MT("tos", 1, struct xt_tos_match_info, ipts_mt_tos),
	MT("ttl", 0, struct ipt_ttl_info, ipts_mt_ttl),
};
static const struct mt_entry mt_u[] = {
	MT("udp", 0, struct xt_udp, ipts_mt_udp),
};

#define NROWS(a) (sizeof(a) / sizeof((a)[0]))
#define LETTER(c, a) [(c) - 'a'] = { a, NROWS(a) }

static const struct {
	const struct mt_entry *rows;
	unsigned int n;
} mt_by_letter[26] = {
	LETTER('a', mt_a), LETTER('c', mt_c), LETTER('d', mt_d),
	LETTER('e', mt_e), LETTER('h', mt_h), LETTER('i', mt_i),
	LETTER('l', mt_l), LETTER('m', mt_m), LETTER('o', mt_o),
	LETTER('p', mt_p), LETTER('r', mt_r), LETTER('s', mt_s),
	LETTER('t', mt_t), LETTER('u', mt_u),
};

/* Matches we know and do not evaluate, with why (sorted by name). */
struct mt_unmodelled {
	const char *name;
	const char *reason;
};

static const struct mt_unmodelled mt_unknown[] = {
	{ "bpf", "-m bpf programs are not modelled" },
	{ "cgroup", "-m cgroup depends on the host's cgroups" },
	{ "cluster", "-m cluster depends on the host's cluster node" },
	{ "connbytes", "-m connbytes depends on earlier traffic" },
	{ "connlabel", "-m connlabel is not modelled" },
	{ "connlimit", "-m connlimit depends on other connections" },
	{ "cpu", "-m cpu depends on the cpu that handles the packet" },
	{ "devgroup", "-m devgroup depends on the host's interfaces" },
	{ "hashlimit", "-m hashlimit depends on earlier traffic" },
	{ "ipvs", "-m ipvs depends on the host's ipvs services" },
	{ "nfacct", "-m nfacct depends on the host's accounting objects" },
	{ "osf", "-m osf is not modelled" },
	{ "quota", "-m quota depends on earlier traffic" },
	{ "rateest", "-m rateest depends on earlier traffic" },
	{ "realm", "-m realm depends on the host's routes" },
	{ "recent", "-m recent lists are host state" },
	{ "set", "-m set contents are host state" },
	{ "socket", "-m socket depends on the host's sockets" },
	{ "string", "-m string is not modelled" },
	{ "time", "-m time depends on the clock" },
	{ "u32", "-m u32 is not modelled" },
};

static int cmp_unknown(const void *key, const void *elem)
{
	return strcmp(key, ((const struct mt_unmodelled *)elem)->name);
}

static const char *unmodelled_reason(const char *name)
{
	const struct mt_unmodelled *u;

	u = bsearch(name, mt_unknown, NROWS(mt_unknown), sizeof(mt_unknown[0]),
		    cmp_unknown);
	return u ? u->reason : "match is not modelled";
}

/*
 * The row for @name, @revision; NULL if none. *@name_known tells whether
 * some revision of @name is evaluated.
 */
static const struct mt_entry *mt_find(const char *name, uint8_t revision,
				      bool *name_known)
{
	unsigned int c = (unsigned char)name[0] - 'a', i;

	*name_known = false;
	if (c >= 26)
		return NULL;
	for (i = 0; i < mt_by_letter[c].n; i++) {
		const struct mt_entry *row = &mt_by_letter[c].rows[i];

		if (strcmp(name, row->name) != 0)
			continue;
		*name_known = true;
		if (row->revision == revision)
			return row;
	}
	return NULL;
}

/*
 * mt_find() compares names row by row: on a large ruleset that was a
 * quarter of a walk. ipts_sim_prepare() finds the row of every name and
 * revision its ruleset's blobs use once, into a small table a lookup finds
 * with one comparison; the table is read-only after, so walks may share
 * it. A name the table does not hold (its slots were taken) is found by
 * mt_find(): the same row, the mapping being a pure function of the name.
 */
#define ROWS_SIZE 256u
#define ROWS_PROBE 8u

struct ipts_mt_rows {
	struct mt_row {
		char name[XT_EXTENSION_MAXNAMELEN];
		uint8_t revision;
		bool used, known;
		const struct mt_entry *ent;
	} v[ROWS_SIZE];
	/* -m hashlimit's tables (htable_find_get() shares one by name):
	 * open addressing, hl_cap a power of two, at most half full; a slot
	 * whose table was freed keeps its name, use 0 */
	struct hl_slot {
		const char *name;
		size_t max; /* the name field's size */
		const struct xt_entry_match *owner; /* the blob that made it */
		uint32_t hash;
		unsigned int use; /* rules holding it */
	} * hl;
	unsigned int nhl, hl_cap;
};

/* the table name of a -m hashlimit blob, or NULL */
static const char *hashlimit_name(const struct xt_entry_match *m)
{
	const struct xt_hashlimit_mtinfo1 *i1;
	const struct xt_hashlimit_mtinfo2 *i2;

	switch (m->u.user.revision) {
	case 1:
		i1 = ipts_match_data(m, sizeof(*i1), NULL);
		return i1 ? i1->name : NULL;
	case 2:
	case 3:
		/* the name leads both structs */
		i2 = ipts_match_data(m, sizeof(*i2), NULL);
		return i2 ? i2->name : NULL;
	}
	return NULL;
}

/* FNV-1a of the name up to its NUL (libxtables ends every name with one
 * inside its field, so names strncmp() finds equal hash alike) */
static uint32_t hl_hash(const char *name, size_t max)
{
	uint32_t h = 2166136261u;
	size_t i;

	for (i = 0; i < max && name[i]; i++)
		h = (h ^ (unsigned char)name[i]) * 16777619u;
	return h;
}

/* The slot of @m's table name (its name empty when none holds it yet),
 * or NULL when @m has no name. */
static struct hl_slot *hl_slot_of(const struct ipts_mt_rows *rows,
				  const struct xt_entry_match *m)
{
	const char *name = hashlimit_name(m);
	size_t max = m->u.user.revision == 1 ? IFNAMSIZ : NAME_MAX;
	uint32_t h;
	unsigned int i;

	if (!name || !rows->hl_cap)
		return NULL;
	h = hl_hash(name, max);
	for (i = h & (rows->hl_cap - 1);; i = (i + 1) & (rows->hl_cap - 1)) {
		struct hl_slot *sl = &rows->hl[i];

		if (!sl->name || (sl->hash == h &&
				  strncmp(sl->name, name,
					  max < sl->max ? max : sl->max) == 0))
			return sl;
	}
}

static void hl_grow(struct ipts_mt_rows *rows)
{
	struct hl_slot *old = rows->hl;
	unsigned int n = rows->hl_cap, i, j;

	rows->hl_cap = n ? n * 2 : 16;
	rows->hl = ipts_xcalloc(rows->hl_cap, sizeof(*rows->hl));
	for (i = 0; i < n; i++) {
		if (!old[i].name)
			continue;
		for (j = old[i].hash & (rows->hl_cap - 1); rows->hl[j].name;
		     j = (j + 1) & (rows->hl_cap - 1))
			;
		rows->hl[j] = old[i];
	}
	free(old);
}

void ipts_mt_rows_hl_check(struct ipts_mt_rows *rows,
			   const struct xt_entry_match *m)
{
	struct hl_slot *sl;

	if (!hashlimit_name(m))
		return;
	if ((rows->nhl + 1) * 2 > rows->hl_cap)
		hl_grow(rows);
	sl = hl_slot_of(rows, m);
	if (!sl->name) {
		sl->name = hashlimit_name(m);
		sl->max = m->u.user.revision == 1 ? IFNAMSIZ : NAME_MAX;
		sl->hash = hl_hash(sl->name, sl->max);
		rows->nhl++;
	}
	/* htable_find_get(), else htable_create() with this rule's cfg */
	if (sl->use++ == 0)
		sl->owner = m;
}

void ipts_mt_rows_hl_release(struct ipts_mt_rows *rows,
			     const struct xt_entry_match *m)
{
	struct hl_slot *sl = hl_slot_of(rows, m);

	/* htable_put(): the last rule holding the table frees it */
	if (sl && sl->name && sl->use && --sl->use == 0)
		sl->owner = NULL;
}

const struct xt_entry_match *
ipts_mt_rows_hashlimit_owner(const struct ipts_mt_rows *rows,
			     const struct xt_entry_match *m)
{
	const struct hl_slot *sl = hl_slot_of(rows, m);

	return sl && sl->name ? sl->owner : NULL;
}

static unsigned int rows_hash(const char *name, uint8_t revision)
{
	unsigned int h = revision, i;

	for (i = 0; i < 8 && name[i]; i++)
		h = h * 31 + (unsigned char)name[i];
	return h;
}

static bool row_is(const struct mt_row *row, const char *name,
		   uint8_t revision)
{
	return row->revision == revision &&
	       strncmp(row->name, name, sizeof(row->name)) == 0;
}

struct ipts_mt_rows *ipts_mt_rows_new(void)
{
	return ipts_xcalloc(1, sizeof(struct ipts_mt_rows));
}

void ipts_mt_rows_free(struct ipts_mt_rows *rows)
{
	if (rows)
		free(rows->hl);
	free(rows);
}

void ipts_mt_rows_add(struct ipts_mt_rows *rows,
		      const struct xt_entry_match *m)
{
	const char *name = m->u.user.name;
	uint8_t rev = m->u.user.revision;
	unsigned int h, j;

	if (ipts_blob_is_opaque(rev))
		return;
	if (name[0] == 'h' && strcmp(name, "hashlimit") == 0)
		ipts_mt_rows_hl_check(rows, m);
	h = rows_hash(name, rev);
	for (j = 0; j < ROWS_PROBE; j++) {
		struct mt_row *row = &rows->v[(h + j) & (ROWS_SIZE - 1)];

		if (row->used && row_is(row, name, rev))
			return;
		if (row->used)
			continue;
		row->ent = mt_find(name, rev, &row->known);
		memcpy(row->name, name, strnlen(name, sizeof(row->name) - 1));
		row->revision = rev;
		row->used = true;
		return;
	}
}

/* A name whose home slot holds another: the slots after it, or mt_find(). */
static const struct mt_entry *mt_lookup_slow(const struct ipts_mt_rows *rows,
					     const char *name,
					     uint8_t revision,
					     unsigned int h, bool *name_known)
{
	unsigned int j;

	for (j = 1; j < ROWS_PROBE; j++) {
		const struct mt_row *row = &rows->v[(h + j) & (ROWS_SIZE - 1)];

		if (!row->used)
			break;
		if (row_is(row, name, revision)) {
			*name_known = row->known;
			return row->ent;
		}
	}
	return mt_find(name, revision, name_known);
}

static inline const struct mt_entry *mt_lookup(const struct ipts_mt_rows *rows,
					       const char *name,
					       uint8_t revision,
					       bool *name_known)
{
	unsigned int h = rows_hash(name, revision);
	const struct mt_row *row = &rows->v[h & (ROWS_SIZE - 1)];

	if (row->used && row_is(row, name, revision)) {
		*name_known = row->known;
		return row->ent;
	}
	return mt_lookup_slow(rows, name, revision, h, name_known);
}

void ipts_set_pkt(const struct ipts_pkt *p, struct ipts_ipset_pkt *sp)
{
	memset(sp, 0, sizeof(*sp));
	if (p->family == NFPROTO_IPV6) {
		sp->family = 6;
		memcpy(sp->saddr6, &p->saddr.in6, sizeof(sp->saddr6));
		memcpy(sp->daddr6, &p->daddr.in6, sizeof(sp->daddr6));
	} else {
		sp->family = 4;
		sp->saddr = p->saddr.ip;
		sp->daddr = p->daddr.ip;
	}
	sp->protocol = p->protocol;
	sp->fragment = ipts_pkt_fragoff(p) != 0;
	sp->sport = p->sport;
	sp->dport = p->dport;
	/* ip_set_get_ip4_port(), ip_set_get_ip6_port(): type and code */
	if (p->protocol == IPPROTO_ICMP || p->protocol == IPPROTO_ICMPV6)
		sp->sport = sp->dport = (uint16_t)(p->icmp_type << 8 |
						   p->icmp_code);
	sp->in = p->in ? p->in : "";
	sp->out = p->out ? p->out : "";
	sp->mark = p->mark;
	sp->len = p->tot_len;
	sp->mac = *sp->in && strcmp(sp->in, "lo") != 0 ? 1 : 0;
}

/*
 * set_match_v1() and later of xt_set.c (one for both families) on the
 * host's sets: the packet as the set types' kadt() read it. A frame's MAC address is known to be absent for
 * a locally generated packet and zero on lo (no hash:mac element); from
 * another host it is unknown.
 */
static enum ipts_match_result set_eval(const struct xt_entry_match *m,
				       const struct ipts_pkt *p,
				       const struct ipts_host *h,
				       const char **reason)
{
	struct ipts_ipset_match sm;
	struct ipts_ipset_pkt sp = { 0 };
	const char *name;

	if (ipts_ipset_match_parse((const char *)m->data, &sm) < 0) {
		*reason = "-m set words iptsim does not read";
		return IPTS_MATCH_UNKNOWN;
	}
	for (name = h->ipsets_changed; name && *name && !h->ipsets_tracked;
	     name += strlen(name) + 1)
		if (ipts_ipset_reads(h->ipsets, &sm, name)) {
			*reason = "-m set reads a set that -j SET of the file "
				  "changes (not modelled)";
			return IPTS_MATCH_UNKNOWN;
		}
	ipts_set_pkt(p, &sp);
	switch (ipts_ipset_test(h->ipsets, &sm, &sp, reason)) {
	case IPTS_IPSET_YES:
		return IPTS_MATCH_YES;
	case IPTS_IPSET_NO:
		return IPTS_MATCH_NO;
	default:
		return IPTS_MATCH_UNKNOWN;
	}
}

enum ipts_match_result ipts_match_eval(const struct xt_entry_match *m,
				       const struct ipt_entry *e,
				       const struct ipts_pkt *p,
				       const struct ipts_host *h,
				       const char **reason)
{
	/* an empty table: every name found by mt_find() */
	static const struct ipts_mt_rows none;

	return ipts_match_eval_rows(&none, m, e, p, h, reason);
}

enum ipts_match_result ipts_match_eval_rows(const struct ipts_mt_rows *rows,
					    const struct xt_entry_match *m,
					    const struct ipt_entry *e,
					    const struct ipts_pkt *p,
					    const struct ipts_host *h,
					    const char **reason)
{
	const char *name = m->u.user.name;
	uint8_t rev = m->u.user.revision;
	const struct mt_entry *ent;
	struct ipts_mpar par;
	bool known;

	if (ipts_blob_is_opaque(rev) && h && h->ipsets &&
	    strcmp(name, "set") == 0)
		return set_eval(m, p, h, reason);
	if (ipts_blob_is_opaque(rev)) {
		*reason = strcmp(name, "set") == 0 ?
			"-m set contents are host state" :
			"match kept as words cannot be evaluated";
		return IPTS_MATCH_UNKNOWN;
	}
	if (p->family == NFPROTO_IPV6) {
		enum ipts_match_result r6;
		bool handled;

		r6 = ipts_match_eval6(m, p, h, reason, &handled);
		if (handled)
			return r6;
	}
	ent = mt_lookup(rows, name, rev, &known);
	if (!ent) {
		*reason = known ? "match revision is not modelled"
				: unmodelled_reason(name);
		return IPTS_MATCH_UNKNOWN;
	}
	par.info = ipts_match_data(m, ent->size, NULL);
	if (!par.info) {
		*reason = "match data is shorter than the kernel expects";
		return IPTS_MATCH_UNKNOWN;
	}
	par.revision = rev;
	par.e = e;
	par.p = p;
	par.h = h;
	par.reason = reason;
	return ent->fn(&par);
}

/*
 * ifname_compare_aligned(): the device name, NUL-padded to IFNAMSIZ,
 * against the rule's name under its mask, a word at a time. "lo+" is "lo"
 * with a two-byte mask; an exact "lo" masks the terminating NUL too; no
 * -i/-o is an all-zero mask, which matches without reading the name.
 */
_Static_assert(IFNAMSIZ == 2 * sizeof(uint64_t), "IFNAMSIZ is two words");

static bool ifname_match(const char *dev, const char *want,
			 const unsigned char *mask)
{
	uint64_t m[2], w[2], d[2] = { 0, 0 };
	size_t len;

	memcpy(m, mask, sizeof(m));
	if ((m[0] | m[1]) == 0)
		return true;
	memcpy(w, want, sizeof(w));
	len = strnlen(dev, IFNAMSIZ);
	memcpy(d, dev, len);
	return (((d[0] ^ w[0]) & m[0]) | ((d[1] ^ w[1]) & m[1])) == 0;
}

#define FWINV(cond, flag) ((bool)(cond) ^ !!(ip->invflags & (flag)))

bool ipts_ip_match(const struct ipt_ip *ip, const struct ipts_pkt *p)
{
	bool isfrag = ipts_pkt_fragoff(p) != 0;

	if (FWINV((p->saddr.ip & ip->smsk.s_addr) != ip->src.s_addr,
		  IPT_INV_SRCIP) ||
	    FWINV((p->daddr.ip & ip->dmsk.s_addr) != ip->dst.s_addr,
		  IPT_INV_DSTIP))
		return false;
	if (FWINV(!ifname_match(p->in ? p->in : "", ip->iniface,
				ip->iniface_mask), IPT_INV_VIA_IN))
		return false;
	if (FWINV(!ifname_match(p->out ? p->out : "", ip->outiface,
				ip->outiface_mask), IPT_INV_VIA_OUT))
		return false;
	if (ip->proto && FWINV(p->protocol != ip->proto, IPT_INV_PROTO))
		return false;
	if (FWINV((ip->flags & IPT_F_FRAG) && !isfrag, IPT_INV_FRAG))
		return false;
	return true;
}

#undef FWINV

/* ipv6_masked_addr_cmp(): nonzero when @a under @m is not @want. */
static bool masked6_differs(const struct in6_addr *a, const struct in6_addr *m,
			    const struct in6_addr *want)
{
	unsigned int i;

	for (i = 0; i < 4; i++)
		if ((a->s6_addr32[i] & m->s6_addr32[i]) != want->s6_addr32[i])
			return true;
	return false;
}

#define FWINV6(cond, flag) ((bool)(cond) ^ !!(ip->invflags & (flag)))

bool ipts_ip6_match(const struct ip6t_ip6 *ip, const struct ipts_pkt *p,
		    bool *hotdrop)
{
	if (FWINV6(masked6_differs(&p->saddr.in6, &ip->smsk, &ip->src),
		   IP6T_INV_SRCIP) ||
	    FWINV6(masked6_differs(&p->daddr.in6, &ip->dmsk, &ip->dst),
		   IP6T_INV_DSTIP))
		return false;
	if (FWINV6(!ifname_match(p->in ? p->in : "", ip->iniface,
				 ip->iniface_mask),
		   IP6T_INV_VIA_IN))
		return false;
	if (FWINV6(!ifname_match(p->out ? p->out : "", ip->outiface,
				 ip->outiface_mask),
		   IP6T_INV_VIA_OUT))
		return false;
	/* the traffic class and flow label are not compared (IP6T_F_TOS is
	 * only kept, as in ip6_tables.c) */
	if (ip->flags & IP6T_F_PROTO) {
		/* ipv6_find_hdr(): the simulated packets carry no extension
		 * header, so the upper-layer header is the next header;
		 * they always have one, so nothing is hot-dropped here */
		(void)hotdrop;
		if (ip->proto == p->protocol)
			return !(ip->invflags & IP6T_INV_PROTO);
		/* -p all (0) matches everything */
		if (ip->proto != 0 && !(ip->invflags & IP6T_INV_PROTO))
			return false;
	}
	return true;
}

#undef FWINV6

bool ipts_match_counts_evals(const struct xt_entry_match *m)
{
	const char *name = m->u.user.name;

	/* the walker asks for every match it evaluates */
	if (name[0] != 'l' && name[0] != 'h' && name[0] != 's')
		return false;
	if (ipts_blob_is_opaque(m->u.user.revision))
		return false;
	if (strcmp(name, "limit") == 0 || strcmp(name, "hashlimit") == 0)
		return true;
	if (strcmp(name, "statistic") == 0) {
		const struct xt_statistic_info *info =
			ipts_match_data(m, sizeof(*info), NULL);

		return info && info->mode == XT_STATISTIC_MODE_NTH &&
		       !(info->u.nth.every == 0 && info->u.nth.count == 0);
	}
	return false;
}

/*
 * hashlimit_mt_common(): an entry made for a new key starts with the
 * credit of its whole burst (rateinfo_init()), so on a just-loaded
 * ruleset the first --hashlimit-burst packets of a key are within the
 * limit (in packet mode): --hashlimit-upto matches them, --hashlimit-above
 * does not. @evals, the rule's earlier evaluations, bounds those of the
 * key. Byte and rate-match modes are not guessed.
 */
bool ipts_hl_cfg_of(const struct xt_entry_match *m, struct ipts_hl_cfg *c)
{
	const void *d;
	size_t need;

	if (strcmp(m->u.user.name, "hashlimit") != 0 ||
	    ipts_blob_is_opaque(m->u.user.revision))
		return false;
	switch (m->u.user.revision) {
	case 1:
		need = sizeof(struct xt_hashlimit_mtinfo1);
		break;
	case 2:
		need = sizeof(struct xt_hashlimit_mtinfo2);
		break;
	case 3:
		need = sizeof(struct xt_hashlimit_mtinfo3);
		break;
	default:
		return false;
	}
	d = ipts_match_data(m, need, NULL);
	if (!d)
		return false;
	ipts_hl_cfg_fill(d, m->u.user.revision, c);
	return true;
}

/* The entry's burst is its table's (rateinfo_init() reads hinfo->cfg),
 * --hashlimit-upto or -above the rule's own. */
static bool hashlimit_fresh(const struct xt_entry_match *m,
			    const struct xt_entry_match *owner, uint32_t evals)
{
	struct ipts_hl_cfg c, t;

	if (!owner || owner->u.user.revision != m->u.user.revision ||
	    !ipts_hl_cfg_of(m, &c) || !ipts_hl_cfg_of(owner, &t) ||
	    (c.mode | t.mode) & (XT_HASHLIMIT_BYTES | XT_HASHLIMIT_RATE_MATCH))
		return false;
	return (evals < t.burst) ^ !!(c.mode & XT_HASHLIMIT_INVERT);
}

bool ipts_hashlimit_key(const struct xt_entry_match *m,
			const struct xt_entry_match *owner,
			const struct ipts_pkt *p, struct ipts_hl_entry *k)
{
	struct ipts_hl_cfg c, t;

	if (!ipts_hl_cfg_of(m, &c))
		return false;
	k->name = c.name;
	k->name_len = c.name_len;
	/* hashlimit_init_dst() keys by the table's mode and masks */
	ipts_hl_key_of(owner && ipts_hl_cfg_of(owner, &t) ? &t : &c, p,
		       &k->key);
	return true;
}

bool ipts_hl_entry_eq(const struct ipts_hl_entry *a,
		      const struct ipts_hl_entry *b)
{
	size_t n = a->name_len < b->name_len ? a->name_len : b->name_len;

	return strncmp(a->name, b->name, n) == 0 &&
	       ipts_addr_eq(&a->key.src, &b->key.src) &&
	       ipts_addr_eq(&a->key.dst, &b->key.dst) &&
	       a->key.sport == b->key.sport && a->key.dport == b->key.dport;
}

bool ipts_match_fresh_guess(const struct xt_entry_match *m,
			    const struct xt_entry_match *owner, uint32_t evals)
{
	if (ipts_blob_is_opaque(m->u.user.revision))
		return false;
	if (strcmp(m->u.user.name, "hashlimit") == 0)
		return hashlimit_fresh(m, owner, evals);
	return false;
}
