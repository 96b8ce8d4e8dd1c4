/*
 * exposure_shape.c - rows of one shape (kube-proxy's services): one walk
 * answers them all, each answer rebuilt through the map sigma between
 * two rows' values.
 *
 * A candidate row is an IPv4 service row (-d IP/32, one port) published
 * by the one nat rule that names its address, port and protocol and
 * jumps to a user chain (its entry, in a chain E such as KUBE-SERVICES).
 * Its own chains are that chain and the nat chains it reaches that no
 * live rule outside them jumps to (a rule of nat a connection's first
 * packet cannot match: a -d /32 that is neither the row's address nor
 * any DNAT address of the file, another protocol, or an exact
 * --dport that is neither the row's port nor a DNAT port; and the rules
 * of chains only such rules reach). Its slots are the addresses its own
 * rules and entry name (/32 tests, DNAT addresses), the row's first.
 *
 * Two rows share a group when their own chains are equal rule for rule
 * with each slot in place of its address (headers, match data but
 * comments, DNAT data, jumps to own chains by their order, others by
 * the chain), their entries sit in one chain E and are equal so, and
 * each pair of slot values is told apart by nothing else: no rule
 * outside a row's own chains names a slot address as a /32 or DNAT
 * address; every other prefix of the file (a short list) holds both or
 * neither; the host gives both one route (the same route, type unicast,
 * not local), one source for a local client, and no listener of a
 * slot's address. The ports are the key's (sigma keeps every port). The
 * file may hold no match or target outside a list known to read
 * addresses only through its header (conntrack's address and port
 * options, set, u32, recent, string, iprange, NAT ranges refuse every
 * group). The rules of E between the first member's entry and the
 * last's are dead for a connection's first packet but the members'
 * entries (each dead for every other member), so a walk of B visits what
 * A's visits but for E's rules: b x the distance between the entries, b
 * the walks that took the entry less those that came back to E past it
 * (an own chain may end without a verdict, as KUBE-XLB's last rule,
 * KUBE-MARK-DROP, returns: then the walk meets the rest of E, the same
 * rules for every member, after its own chains as each member does). b
 * is measured, per class, from the group's first two rows (both
 * simulated) and must divide exactly; their answers must translate one
 * into the other, else the class is simulated row by row.
 */
#include "exposure_int.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>

#include "host.h"
#include "places.h"
#include "model.h" /* before the uapi headers */
#include "blob.h"

#include <linux/netfilter/nf_nat.h>
#include <linux/netfilter/x_tables.h>
#include <linux/netfilter/xt_conntrack.h>
#include <linux/netfilter/xt_tcpudp.h>
#include <linux/netfilter_ipv4/ip_tables.h>

#define MAX_OWN 16 /* own chains of a row */
#define MAX_SLOT 24 /* addresses of a row */
#define MAX_PFX 64 /* distinct shorter prefixes of the file */
#define MAX_DEAD_DEPTH 8
/* A chain more rules jump to is shared, never a row's own. */
#define MAX_REFS 8
/* nat rules of one -d /32 address kept to find a row's entry */
#define ND_MAX 4
/* Steps of the whole search at most: a hostile file costs no more. */
#define MAX_WORK 20000000ull

struct srow {
	size_t row;
	const struct ipts_rule *entry;
	uint32_t entry_idx;
	const struct ipts_chain *own[MAX_OWN];
	unsigned int nown;
	uint32_t slot[MAX_SLOT];
	unsigned int nslot;
	/* A row of no address (kube-proxy's NodePort): its port, named by
	 * its entry and the rules just before it in E (from first_idx), a
	 * value of the map too; 0: a row of an address. */
	uint16_t nport;
	uint32_t first_idx;
	unsigned char *key; /* the masked shape, and the slots' signatures */
	size_t keylen;
	size_t first; /* index in the table of its group's first row */
	uint64_t hash; /* of the key, which is then freed (built again to
			* compare two rows of one hash) */
	long group;
};

struct ipts_exp_shapes {
	struct srow *r;
	size_t n;
	long *of_row; /* row -> index in r, or -1 */
	size_t ngroups;
};

/* --- a growing byte buffer ------------------------------------------ */

struct buf {
	unsigned char *p;
	size_t n, cap;
};

static void put(struct buf *b, const void *d, size_t n)
{
	if (b->n + n > b->cap) {
		b->cap = (b->n + n) * 2 + 64;
		b->p = ipts_xrealloc(b->p, b->cap);
	}
	memcpy(b->p + b->n, d, n);
	b->n += n;
}

static void put32(struct buf *b, uint32_t v)
{
	put(b, &v, sizeof(v));
}

/* --- what the file holds -------------------------------------------- */

/* key -> how many, and the first ND_MAX (chain, index) noted */
struct idx4 {
	uint32_t *key, *count, (*chain)[ND_MAX], (*idx)[ND_MAX];
	size_t n, used; /* slots (a power of two), keys held */
	bool full; /* a key was left out: at most half the slots are used */
};

struct filefacts {
	const struct ipts_ruleset *rs;
	/* distinct prefixes shorter than /32 (and longer than /0) */
	struct ipts_exp_prefix pfx[MAX_PFX];
	size_t npfx;
	bool ok; /* nothing unmodelled */
	/* /32 and DNAT addresses: address -> occurrences (open hash) */
	uint32_t *addr;
	uint32_t *count;
	size_t nslots, addr_used;
	/* DNAT addresses and ports of nat */
	uint32_t *dnat_addr;
	size_t ndnat, dnat_cap;
	uint16_t *dnat_port;
	size_t ndport, dport_cap;
	/* per nat chain (by pos): the rules jumping to it */
	const struct ipts_rule ***refs;
	uint32_t *nrefs, *refs_cap;
	const struct ipts_table *nat;
	/* nat rules of a -d /32: address -> the first (chain, index) and
	 * how many */
	size_t nnat; /* slots of nd and np */
	struct idx4 nd;
	/* nat rules of an exact -p P --dport N: (P << 16 | N) -> the same */
	struct idx4 np;
	/* filter rules of an exact -p P --dport N, and per filter chain
	 * (by pos) whether each of its rules is one (a port table:
	 * kube-proxy's health-check KUBE-NODEPORTS) */
	const struct ipts_table *filter;
	size_t nfil; /* slots of fp */
	struct idx4 fp;
	bool *port_table;
	/* exact ports of tcp and udp matches (P << 16 | N) -> occurrences,
	 * and the distinct ranges (neither one port nor all) */
	struct idx4 pt;
	struct {
		uint8_t proto;
		uint16_t lo, hi;
	} prange[MAX_PFX];
	size_t nprange;
	bool ports_ok; /* no multiport, at most MAX_PFX ranges */
	/* the classes' destinations: a row of no address's first packet
	 * goes to one of them */
	uint32_t *cls_addr;
	size_t ncls;
	/* every rule naming an address as a /32 or a DNAT address, by
	 * address */
	struct naming {
		uint32_t addr;
		const struct ipts_rule *r;
	} * nm;
	size_t nnm, nm_cap;
	/* steps of the search over all rows (MAX_WORK: every later row
	 * refused, simulated alone) */
	uint64_t *work;
	/* the host's route lookups for each slot address met, kept: a row's
	 * key is built twice, and endpoints are met by several rows */
	struct hostmemo *hm;
	/* what match_dead() asks of each nat rule, read once: rule ->
	 * its tests (open hash of ndf slots, a power of two) */
	struct deadfact *df;
	size_t ndf;
};

/* The tests of a rule that can kill a row's first packet: an exact
 * destination that is no DNAT address, a protocol, an exact tcp and udp
 * destination port that is no DNAT port (-1: none). */
struct deadfact {
	const struct ipts_rule *r;
	uint32_t dst;
	int32_t tcp_dp, udp_dp;
	uint8_t proto;
	bool dst_test;
};

/* address -> the bytes its route lookups put in a key (or refused) */
struct hostmemo {
	uint32_t *addr;
	size_t *off; /* into p; SIZE_MAX: refused */
	size_t *len;
	size_t n, used;
	struct buf bytes;
};

static const char *const ok_matches[] = {
	"comment",  "tcp",   "udp",	 "multiport", "statistic", "mark",
	"connmark", "state", "addrtype", "icmp",      "limit",
};

static const char *const ok_targets[] = {
	"MARK", "CONNMARK", "MASQUERADE", "REJECT", "LOG", "DNAT",
};

static bool name_in(const char *n, const char *const *l, size_t k)
{
	size_t i;

	for (i = 0; i < k; i++)
		if (strncmp(n, l[i], XT_EXTENSION_MAXNAMELEN) == 0)
			return true;
	return false;
}

/* conntrack with no address, port or expiry option */
static bool conntrack_ok(const struct xt_entry_match *m)
{
	struct xt_conntrack_mtinfo1 c;

	if (m->u.user.revision < 1 || m->u.user.revision > 3 ||
	    ipts_match_len(m) < sizeof(c))
		return false;
	memcpy(&c, m->data, sizeof(c));
	return !(c.match_flags & ~(XT_CONNTRACK_STATE | XT_CONNTRACK_STATUS |
				   XT_CONNTRACK_PROTO | XT_CONNTRACK_DIRECTION |
				   XT_CONNTRACK_STATE_ALIAS));
}

/* a NAT target's range, and (revision 0) one range only */
static bool read_nat(const struct xt_entry_target *t, struct ipts_nat_range *g)
{
	if (t->u.user.revision == 0 &&
	    (ipts_target_len(t) < sizeof(uint32_t) ||
	     ((const uint32_t *)(const void *)t->data)[0] != 1))
		return false;
	return ipts_nat_read_range(t, NFPROTO_IPV4, g);
}

static bool target_named(const struct ipts_rule *r, const char *name)
{
	const struct xt_entry_target *t = ipts_rule_target(r);

	return r->kind == IPTS_TGT_EXT && t &&
	       strncmp(t->u.user.name, name, sizeof(t->u.user.name)) == 0;
}

/* A DNAT to one address and at most one port, with no other flag. */
static bool dnat_single(const struct ipts_rule *r, struct ipts_nat_range *g)
{
	if (!read_nat(ipts_rule_target(r), g))
		return false;
	if (g->flags & ~(NF_NAT_RANGE_MAP_IPS | NF_NAT_RANGE_PROTO_SPECIFIED))
		return false;
	if (!(g->flags & NF_NAT_RANGE_MAP_IPS) || g->min_ip != g->max_ip)
		return false;
	if ((g->flags & NF_NAT_RANGE_PROTO_SPECIFIED) &&
	    g->min_port != g->max_port)
		return false;
	return true;
}

static size_t ahash(uint32_t a, size_t n)
{
	return (size_t)((a * 0x9e3779b1u) >> 7) & (n - 1);
}

/* A table of @n slots (a power of two); with @rules, the (chain,
 * index) of each key's first ND_MAX notes too. */
static void idx_new(struct idx4 *x, size_t n, bool rules)
{
	memset(x, 0, sizeof(*x));
	x->n = n;
	x->key = ipts_xcalloc(n, sizeof(*x->key));
	x->count = ipts_xcalloc(n, sizeof(*x->count));
	if (rules) {
		x->chain = ipts_xcalloc(n, sizeof(*x->chain));
		x->idx = ipts_xcalloc(n, sizeof(*x->idx));
	}
}

static void idx_free(struct idx4 *x)
{
	free(x->key);
	free(x->count);
	free(x->chain);
	free(x->idx);
}

static void idx_note(struct idx4 *x, size_t n, uint32_t a, uint32_t c,
		     uint32_t idx)
{
	size_t i;

	if (!x->key)
		return;
	for (i = ahash(a, n); x->count[i] && x->key[i] != a;
	     i = (i + 1) & (n - 1))
		;
	if (!x->count[i]) {
		if (2 * (x->used + 1) > n) {
			x->full = true;
			return;
		}
		x->used++;
	}
	x->key[i] = a;
	if (x->chain && x->count[i] < ND_MAX) {
		x->chain[i][x->count[i]] = c;
		x->idx[i][x->count[i]] = idx;
	}
	x->count[i]++;
}

static size_t idx_find(const struct idx4 *x, size_t n, uint32_t a)
{
	size_t i;

	if (!x->key)
		return SIZE_MAX;
	for (i = ahash(a, n); x->count[i]; i = (i + 1) & (n - 1))
		if (x->key[i] == a)
			return i;
	return SIZE_MAX;
}

static uint32_t idx_count(const struct idx4 *x, size_t n, uint32_t a)
{
	size_t i = idx_find(x, n, a);

	return i == SIZE_MAX ? 0 : x->count[i];
}

static void naming_add(struct filefacts *f, uint32_t a,
		       const struct ipts_rule *r)
{
	if (f->nnm == f->nm_cap) {
		f->nm_cap = f->nm_cap * 2 + 64;
		f->nm = ipts_xrealloc(f->nm, f->nm_cap * sizeof(*f->nm));
	}
	f->nm[f->nnm].addr = a;
	f->nm[f->nnm++].r = r;
}

static void addr_count(struct filefacts *f, uint32_t a)
{
	size_t i;

	for (i = ahash(a, f->nslots); f->count[i] && f->addr[i] != a;
	     i = (i + 1) & (f->nslots - 1))
		;
	if (!f->count[i] && 2 * ++f->addr_used > f->nslots) {
		f->ok = false; /* more addresses than the table holds */
		return;
	}
	f->addr[i] = a;
	f->count[i]++;
}

static uint32_t addr_seen(const struct filefacts *f, uint32_t a)
{
	size_t i;

	for (i = ahash(a, f->nslots); f->count[i];
	     i = (i + 1) & (f->nslots - 1))
		if (f->addr[i] == a)
			return f->count[i];
	return 0;
}

static void pfx_note(struct filefacts *f, uint32_t net, uint32_t msk)
{
	struct ipts_exp_prefix p;
	size_t i;
	int len = 0;

	if (msk == UINT32_MAX) {
		addr_count(f, net);
		return;
	}
	if (!msk)
		return;
	if (~ntohl(msk) & (~ntohl(msk) + 1)) {
		f->ok = false; /* a mask that is no prefix */
		return;
	}
	for (len = 0; len < 32 && (ntohl(msk) & (1u << (31 - len))); len++)
		;
	p.net = net & msk;
	p.len = (uint8_t)len;
	for (i = 0; i < f->npfx; i++)
		if (f->pfx[i].net == p.net && f->pfx[i].len == p.len)
			return;
	if (f->npfx == MAX_PFX) {
		f->ok = false;
		return;
	}
	f->pfx[f->npfx++] = p;
}

static void port_note(struct filefacts *f, uint8_t proto, uint16_t lo,
		      uint16_t hi)
{
	size_t i;

	if (lo == hi) {
		idx_note(&f->pt, f->nslots, (uint32_t)proto << 16 | lo, 0, 0);
		return;
	}
	if (lo == 0 && hi == 0xffff)
		return;
	for (i = 0; i < f->nprange; i++)
		if (f->prange[i].proto == proto && f->prange[i].lo == lo &&
		    f->prange[i].hi == hi)
			return;
	if (f->nprange == MAX_PFX) {
		f->ports_ok = false;
		return;
	}
	f->prange[f->nprange].proto = proto;
	f->prange[f->nprange].lo = lo;
	f->prange[f->nprange++].hi = hi;
}

/* The ports a tcp or udp match names, noted; multiport: ports not
 * modelled here (no row of no address shares). */
static void ports_facts(struct filefacts *f, const struct xt_entry_match *m)
{
	if (strcmp(m->u.user.name, "tcp") == 0 &&
	    ipts_match_len(m) >= sizeof(struct xt_tcp)) {
		struct xt_tcp x;

		memcpy(&x, m->data, sizeof(x));
		port_note(f, IPPROTO_TCP, x.spts[0], x.spts[1]);
		port_note(f, IPPROTO_TCP, x.dpts[0], x.dpts[1]);
	} else if (strcmp(m->u.user.name, "udp") == 0 &&
		   ipts_match_len(m) >= sizeof(struct xt_udp)) {
		struct xt_udp x;

		memcpy(&x, m->data, sizeof(x));
		port_note(f, IPPROTO_UDP, x.spts[0], x.spts[1]);
		port_note(f, IPPROTO_UDP, x.dpts[0], x.dpts[1]);
	} else if (strcmp(m->u.user.name, "multiport") == 0)
		f->ports_ok = false;
}

static void rule_facts(struct filefacts *f, const struct ipts_rule *r, bool nat)
{
	const struct ipt_ip *ip = &r->e->ip;
	uint16_t i;

	if (r->flags & IPTS_RULE_OPAQUE)
		f->ok = false;
	pfx_note(f, ip->src.s_addr, ip->smsk.s_addr);
	pfx_note(f, ip->dst.s_addr, ip->dmsk.s_addr);
	if (ip->smsk.s_addr == UINT32_MAX)
		naming_add(f, ip->src.s_addr, r);
	if (ip->dmsk.s_addr == UINT32_MAX && ip->dst.s_addr != ip->src.s_addr)
		naming_add(f, ip->dst.s_addr, r);
	for (i = 0; i < r->nmatches; i++) {
		const struct xt_entry_match *m = ipts_rule_match(r, i);

		if (ipts_blob_is_opaque(m->u.user.revision))
			f->ok = false;
		else
			ports_facts(f, m);
		if (ipts_blob_is_opaque(m->u.user.revision))
			;
		else if (strcmp(m->u.user.name, "conntrack") == 0) {
			if (!conntrack_ok(m))
				f->ok = false;
		} else if (!name_in(m->u.user.name, ok_matches,
				    sizeof(ok_matches) / sizeof(*ok_matches)))
			f->ok = false;
	}
	if (r->kind == IPTS_TGT_EXT) {
		const struct xt_entry_target *t = ipts_rule_target(r);
		struct ipts_nat_range g;

		if (!t || ipts_blob_is_opaque(t->u.user.revision) ||
		    !name_in(t->u.user.name, ok_targets,
			     sizeof(ok_targets) / sizeof(*ok_targets)))
			f->ok = false;
		else if (strcmp(t->u.user.name, "DNAT") == 0) {
			if (!nat || !dnat_single(r, &g)) {
				f->ok = false;
				return;
			}
			addr_count(f, g.min_ip);
			if (g.min_ip != ip->src.s_addr &&
			    g.min_ip != ip->dst.s_addr)
				naming_add(f, g.min_ip, r);
			if (f->ndnat == f->dnat_cap) {
				f->dnat_cap = f->dnat_cap * 2 + 16;
				f->dnat_addr = ipts_xrealloc(
					f->dnat_addr,
					f->dnat_cap * sizeof(*f->dnat_addr));
			}
			f->dnat_addr[f->ndnat++] = g.min_ip;
			if (g.flags & NF_NAT_RANGE_PROTO_SPECIFIED) {
				if (f->ndport == f->dport_cap) {
					f->dport_cap = f->dport_cap * 2 + 16;
					f->dnat_port = ipts_xrealloc(
						f->dnat_port,
						f->dport_cap *
							sizeof(*f->dnat_port));
				}
				f->dnat_port[f->ndport++] = g.min_port;
			}
		} else if (strcmp(t->u.user.name, "MASQUERADE") == 0) {
			if (!read_nat(t, &g) ||
			    (g.flags & (NF_NAT_RANGE_PROTO_SPECIFIED |
					NF_NAT_RANGE_MAP_IPS |
					NF_NAT_RANGE_PROTO_OFFSET)))
				f->ok = false;
		}
	} else if (r->kind == IPTS_TGT_QUEUE)
		f->ok = false;
}

static long exact_dport(const struct ipts_rule *r, uint8_t proto);

static int u32_cmp(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

static int u16_cmp(const void *a, const void *b)
{
	return (int)*(const uint16_t *)a - (int)*(const uint16_t *)b;
}

static bool is_dnat_port(const struct filefacts *f, uint16_t p);
static void deadfacts_build(struct filefacts *f);

/* A rule of one exact port that no packet of a connection to another
 * port can match, either way: its protocol, an exact destination port
 * that is not the client's 40000 (an answer's) nor a DNAT port (a
 * translated packet's). */
static bool port_rule(const struct filefacts *f, const struct ipts_rule *r)
{
	const struct ipt_ip *ip = &r->e->ip;
	long dp;

	if ((ip->proto != IPPROTO_TCP && ip->proto != IPPROTO_UDP) ||
	    (ip->invflags & XT_INV_PROTO))
		return false;
	dp = exact_dport(r, ip->proto);
	return dp >= 0 && dp != 40000 && !is_dnat_port(f, (uint16_t)dp);
}

/* The filter table's rules of an exact port, and its port tables. */
static void filter_facts(struct filefacts *f, const struct ipts_ruleset *rs)
{
	uint32_t i, j, n = 0;

	f->filter = ipts_table_get(rs, IPTS_TABLE_FILTER);
	if (!f->filter)
		return;
	for (i = 0; i < f->filter->nchains; i++)
		n += f->filter->chains[i]->nrules;
	f->nfil = 64;
	while (f->nfil < 2 * (size_t)n + 64)
		f->nfil *= 2;
	idx_new(&f->fp, f->nfil, true);
	f->port_table = ipts_xcalloc(f->filter->nchains + 1,
				     sizeof(*f->port_table));
	for (i = 0; i < f->filter->nchains; i++) {
		const struct ipts_chain *c = f->filter->chains[i];
		bool all = c->nrules > 0 && c->pos == i;

		for (j = 0; j < c->nrules; j++) {
			const struct ipts_rule *r = c->rules[j];

			if (!port_rule(f, r)) {
				all = false;
				continue;
			}
			idx_note(&f->fp, f->nfil,
				 (uint32_t)r->e->ip.proto << 16 |
					 (uint32_t)exact_dport(r,
							       r->e->ip.proto),
				 i, j);
		}
		f->port_table[i] = all;
	}
	if (f->fp.full)
		f->filter = NULL;
}

static void facts_build(struct filefacts *f, const struct ipts_ruleset *rs)
{
	unsigned int t;
	uint32_t i, j;

	memset(f, 0, sizeof(*f));
	f->rs = rs;
	f->ok = rs && rs->family == IPTS_FAMILY_IPV4 && !rs->nnames;
	if (!f->ok)
		return;
	f->nslots = 64;
	while (f->nslots < 4 * rs->nrules + 64)
		f->nslots *= 2;
	f->ports_ok = true;
	idx_new(&f->pt, f->nslots, false);
	f->addr = ipts_xcalloc(f->nslots, sizeof(*f->addr));
	f->count = ipts_xcalloc(f->nslots, sizeof(*f->count));
	f->nat = ipts_table_get(rs, IPTS_TABLE_NAT);
	for (t = 0; t < IPTS_TABLE_COUNT && f->ok; t++) {
		const struct ipts_table *tb = rs->tables[t];

		if (!tb)
			continue;
		for (i = 0; i < tb->nchains; i++)
			for (j = 0; j < tb->chains[i]->nrules; j++)
				rule_facts(f, tb->chains[i]->rules[j],
					   tb == f->nat);
	}
	if (!f->ok || !f->nat)
		return;
	/* none of a kind leaves its list NULL, which qsort() may not take */
	if (f->nnm)
		qsort(f->nm, f->nnm, sizeof(*f->nm), u32_cmp); /* by addr */
	if (f->ndnat)
		qsort(f->dnat_addr, f->ndnat, sizeof(*f->dnat_addr), u32_cmp);
	if (f->ndport)
		qsort(f->dnat_port, f->ndport, sizeof(*f->dnat_port), u16_cmp);
	f->refs = ipts_xcalloc(f->nat->nchains, sizeof(*f->refs));
	f->nrefs = ipts_xcalloc(f->nat->nchains, sizeof(*f->nrefs));
	f->refs_cap = ipts_xcalloc(f->nat->nchains, sizeof(*f->refs_cap));
	for (i = 0, j = 0; i < f->nat->nchains; i++)
		j += f->nat->chains[i]->nrules;
	f->nnat = 64;
	while (f->nnat < 2 * (size_t)j + 64)
		f->nnat *= 2;
	idx_new(&f->nd, f->nnat, true);
	idx_new(&f->np, f->nnat, true);
	for (i = 0; i < f->nat->nchains; i++)
		for (j = 0; j < f->nat->chains[i]->nrules; j++) {
			const struct ipts_rule *r = f->nat->chains[i]->rules[j];
			uint32_t d;

			if (r->e->ip.dmsk.s_addr == UINT32_MAX)
				idx_note(&f->nd, f->nnat, r->e->ip.dst.s_addr,
					 i, j);
			if (r->e->ip.proto &&
			    !(r->e->ip.invflags & XT_INV_PROTO) &&
			    exact_dport(r, r->e->ip.proto) >= 0)
				idx_note(&f->np, f->nnat,
					 (uint32_t)r->e->ip.proto << 16 |
						 (uint32_t)exact_dport(
							 r, r->e->ip.proto),
					 i, j);

			if ((r->kind != IPTS_TGT_JUMP &&
			     r->kind != IPTS_TGT_GOTO) ||
			    !r->dest)
				continue;
			d = r->dest->pos;
			if (d >= f->nat->nchains ||
			    f->nat->chains[d] != r->dest) {
				f->ok = false;
				return;
			}
			if (f->nrefs[d] == f->refs_cap[d]) {
				f->refs_cap[d] = f->refs_cap[d] * 2 + 4;
				f->refs[d] = ipts_xrealloc(
					f->refs[d],
					f->refs_cap[d] * sizeof(*f->refs[d]));
			}
			f->refs[d][f->nrefs[d]++] = r;
		}
	if (f->nd.full || f->np.full)
		f->ok = false;
	deadfacts_build(f);
	filter_facts(f, rs);
	if (f->pt.full)
		f->ports_ok = false;
}

static void facts_free(struct filefacts *f)
{
	uint32_t i;

	free(f->addr);
	free(f->count);
	free(f->dnat_addr);
	free(f->dnat_port);
	free(f->nm);
	for (i = 0; f->refs && i < f->nat->nchains; i++)
		free(f->refs[i]);
	free(f->refs);
	free(f->nrefs);
	free(f->refs_cap);
	idx_free(&f->nd);
	idx_free(&f->np);
	idx_free(&f->pt);
	idx_free(&f->fp);
	free(f->port_table);
	free(f->cls_addr);
	free(f->df);
}

static bool is_dnat_addr(const struct filefacts *f, uint32_t a)
{
	/* an empty list may be NULL, which bsearch() may not take */
	return f->ndnat &&
	       bsearch(&a, f->dnat_addr, f->ndnat, sizeof(a), u32_cmp);
}

static bool is_dnat_port(const struct filefacts *f, uint16_t p)
{
	return f->ndport &&
	       bsearch(&p, f->dnat_port, f->ndport, sizeof(p), u16_cmp);
}

/* The exact destination port of a tcp or udp match of @r, or -1. */
static long exact_dport(const struct ipts_rule *r, uint8_t proto)
{
	uint16_t i;

	for (i = 0; i < r->nmatches; i++) {
		const struct xt_entry_match *m = ipts_rule_match(r, i);

		if (strcmp(m->u.user.name, "tcp") == 0 &&
		    proto == IPPROTO_TCP &&
		    ipts_match_len(m) >= sizeof(struct xt_tcp)) {
			struct xt_tcp x;

			memcpy(&x, m->data, sizeof(x));
			if (!(x.invflags & XT_TCP_INV_DSTPT) &&
			    x.dpts[0] == x.dpts[1])
				return x.dpts[0];
		}
		if (strcmp(m->u.user.name, "udp") == 0 &&
		    proto == IPPROTO_UDP &&
		    ipts_match_len(m) >= sizeof(struct xt_udp)) {
			struct xt_udp x;

			memcpy(&x, m->data, sizeof(x));
			if (!(x.invflags & XT_UDP_INV_DSTPT) &&
			    x.dpts[0] == x.dpts[1])
				return x.dpts[0];
		}
	}
	return -1;
}

/*
 * Whether nat rule @r can match no first packet of the row's connection
 * (nat sees only that packet: to the row's address and port before its
 * DNAT, to a DNAT address and port after).
 */
static bool rule_dead(const struct filefacts *f, const struct ipts_rule *r,
		      const struct ipts_exp_row *row, unsigned int depth);

static bool chain_dead(const struct filefacts *f, const struct ipts_chain *c,
		       const struct ipts_exp_row *row, unsigned int depth)
{
	uint32_t i;

	if (c->hook >= 0 || depth > MAX_DEAD_DEPTH || c->table != f->nat ||
	    f->nrefs[c->pos] > MAX_REFS)
		return false;
	for (i = 0; i < f->nrefs[c->pos]; i++)
		if (!rule_dead(f, f->refs[c->pos][i], row, depth + 1))
			return false;
	return true;
}

static void deadfact_read(const struct filefacts *f, const struct ipts_rule *r,
			  struct deadfact *d)
{
	const struct ipt_ip *ip = &r->e->ip;
	long dp;

	d->r = r;
	d->dst = ip->dst.s_addr;
	d->dst_test = ip->dmsk.s_addr == UINT32_MAX &&
		      !(ip->invflags & IPT_INV_DSTIP) &&
		      !is_dnat_addr(f, ip->dst.s_addr);
	d->proto = ip->invflags & XT_INV_PROTO ? 0 : ip->proto;
	dp = exact_dport(r, IPPROTO_TCP);
	d->tcp_dp = dp >= 0 && !is_dnat_port(f, (uint16_t)dp) ? (int32_t)dp :
								-1;
	dp = exact_dport(r, IPPROTO_UDP);
	d->udp_dp = dp >= 0 && !is_dnat_port(f, (uint16_t)dp) ? (int32_t)dp :
								-1;
}

static size_t phash(const struct ipts_rule *r, size_t n)
{
	uint64_t v = (uint64_t)(uintptr_t)r >> 3;

	return (size_t)((v * 0x9e3779b97f4a7c15ull) >> 32) & (n - 1);
}

/* Every nat rule's tests, read once: the plan asks them of each row. */
static void deadfacts_build(struct filefacts *f)
{
	size_t n = 0, k;
	uint32_t i, j;

	for (i = 0; i < f->nat->nchains; i++)
		n += f->nat->chains[i]->nrules;
	f->ndf = 64;
	while (f->ndf < 2 * n + 64)
		f->ndf *= 2;
	f->df = ipts_xcalloc(f->ndf, sizeof(*f->df));
	for (i = 0; i < f->nat->nchains; i++)
		for (j = 0; j < f->nat->chains[i]->nrules; j++) {
			const struct ipts_rule *r = f->nat->chains[i]->rules[j];

			for (k = phash(r, f->ndf); f->df[k].r;
			     k = (k + 1) & (f->ndf - 1))
				;
			deadfact_read(f, r, &f->df[k]);
		}
}

/* @r's tests: kept for a nat rule, else read into @tmp. */
static const struct deadfact *deadfact_of(const struct filefacts *f,
					  const struct ipts_rule *r,
					  struct deadfact *tmp)
{
	size_t k;

	for (k = phash(r, f->ndf); f->df && f->df[k].r;
	     k = (k + 1) & (f->ndf - 1))
		if (f->df[k].r == r)
			return &f->df[k];
	deadfact_read(f, r, tmp);
	return tmp;
}

static bool match_dead(const struct filefacts *f, const struct ipts_rule *r,
		       const struct ipts_exp_row *row)
{
	struct deadfact tmp;
	const struct deadfact *d = deadfact_of(f, r, &tmp);
	int32_t dp;

	if (d->dst_test && d->dst != row->dst) {
		size_t i;

		/* a row of no address is asked at each class's address */
		for (i = 0; !row->dst && i < f->ncls; i++)
			if (f->cls_addr[i] == d->dst)
				break;
		if (row->dst || i == f->ncls)
			return true;
	}
	if (d->proto && d->proto != row->proto)
		return true;
	dp = row->proto == IPPROTO_TCP ? d->tcp_dp :
	     row->proto == IPPROTO_UDP ? d->udp_dp :
					 -1;
	return dp >= 0 && dp != row->port;
}

static bool spend(const struct filefacts *f, uint64_t n)
{
	*f->work += n;
	return *f->work <= MAX_WORK;
}

static bool rule_dead(const struct filefacts *f, const struct ipts_rule *r,
		      const struct ipts_exp_row *row, unsigned int depth)
{
	if (!spend(f, 1) || r->chain->table != f->nat)
		return false;
	return match_dead(f, r, row) || chain_dead(f, r->chain, row, depth);
}

/* --- a row's shape -------------------------------------------------- */

static int own_index(const struct srow *s, const struct ipts_chain *c)
{
	unsigned int i;

	for (i = 0; i < s->nown; i++)
		if (s->own[i] == c)
			return (int)i;
	return -1;
}

static int slot_of(struct srow *s, uint32_t a, bool add)
{
	unsigned int i;

	for (i = 0; i < s->nslot; i++)
		if (s->slot[i] == a)
			return (int)i;
	if (!add || s->nslot == MAX_SLOT)
		return -1;
	s->slot[s->nslot] = a;
	return (int)s->nslot++;
}

/* An address test: a slot when /32 (new slots in own rules), else the
 * literal prefix. false: out of slots. */
static bool put_addr(struct buf *b, struct srow *s, uint32_t a, uint32_t m)
{
	if (m == UINT32_MAX) {
		int k = slot_of(s, a, true);

		if (k < 0)
			return false;
		put32(b, 1);
		put32(b, (uint32_t)k);
		return true;
	}
	put32(b, 0);
	put32(b, a);
	put32(b, m);
	return true;
}

/* Whether the chains reached from @c own it: every rule jumping to it is
 * in an own chain, the row's entry, or dead. */
static bool owned(const struct filefacts *f, const struct srow *s,
		  const struct ipts_chain *c, const struct ipts_exp_row *row)
{
	uint32_t i;

	if (c->hook >= 0 || c->table != f->nat || f->nrefs[c->pos] > MAX_REFS)
		return false;
	for (i = 0; i < f->nrefs[c->pos]; i++) {
		const struct ipts_rule *r = f->refs[c->pos][i];

		if (r == s->entry || own_index(s, r->chain) >= 0)
			continue;
		if (!rule_dead(f, r, row, 0))
			return false;
	}
	return true;
}

static bool put_rule(struct buf *b, struct srow *s, const struct ipts_rule *r)
{
	const struct ipt_ip *ip = &r->e->ip;
	uint16_t i;

	if (!put_addr(b, s, ip->src.s_addr, ip->smsk.s_addr) ||
	    !put_addr(b, s, ip->dst.s_addr, ip->dmsk.s_addr))
		return false;
	put(b, ip->iniface, sizeof(ip->iniface));
	put(b, ip->outiface, sizeof(ip->outiface));
	put(b, ip->iniface_mask, sizeof(ip->iniface_mask));
	put(b, ip->outiface_mask, sizeof(ip->outiface_mask));
	put(b, &ip->proto, sizeof(ip->proto));
	put(b, &ip->flags, sizeof(ip->flags));
	put(b, &ip->invflags, sizeof(ip->invflags));
	put32(b, r->nmatches);
	for (i = 0; i < r->nmatches; i++) {
		const struct xt_entry_match *m = ipts_rule_match(r, i);
		uint32_t len = (uint32_t)ipts_match_len(m);

		put(b, m->u.user.name, sizeof(m->u.user.name));
		put(b, &m->u.user.revision, 1);
		if (strcmp(m->u.user.name, "comment") == 0)
			continue;
		put32(b, len);
		if (s->nport && strcmp(m->u.user.name, "tcp") == 0 &&
		    len >= sizeof(struct xt_tcp)) {
			struct xt_tcp x;

			memcpy(&x, m->data, sizeof(x));
			if (x.dpts[0] == s->nport && x.dpts[1] == s->nport)
				x.dpts[0] = 1, x.dpts[1] = 0; /* the port */
			if (x.spts[0] == s->nport || x.spts[1] == s->nport)
				return false;
			put(b, &x, sizeof(x));
			put(b, m->data + sizeof(x), len - sizeof(x));
			continue;
		}
		if (s->nport && strcmp(m->u.user.name, "udp") == 0 &&
		    len >= sizeof(struct xt_udp)) {
			struct xt_udp x;

			memcpy(&x, m->data, sizeof(x));
			if (x.dpts[0] == s->nport && x.dpts[1] == s->nport)
				x.dpts[0] = 1, x.dpts[1] = 0;
			if (x.spts[0] == s->nport || x.spts[1] == s->nport)
				return false;
			put(b, &x, sizeof(x));
			put(b, m->data + sizeof(x), len - sizeof(x));
			continue;
		}
		put(b, m->data, len);
	}
	put32(b, r->kind);
	if (r->kind == IPTS_TGT_JUMP || r->kind == IPTS_TGT_GOTO) {
		int k = own_index(s, r->dest);

		put32(b, k >= 0 ? 1u : 0u);
		if (k >= 0)
			put32(b, (uint32_t)k);
		else
			put(b, &r->dest, sizeof(r->dest));
	} else if (r->kind == IPTS_TGT_EXT) {
		const struct xt_entry_target *t = ipts_rule_target(r);
		uint32_t len = (uint32_t)ipts_target_len(t);

		put(b, t->u.user.name, sizeof(t->u.user.name));
		put(b, &t->u.user.revision, 1);
		if (strcmp(t->u.user.name, "DNAT") == 0) {
			struct ipts_nat_range g;
			int k;

			if (!dnat_single(r, &g))
				return false;
			k = slot_of(s, g.min_ip, true);
			if (k < 0)
				return false;
			put32(b, g.flags);
			put32(b, (uint32_t)k);
			put32(b, g.min_port);
		} else {
			put32(b, len);
			put(b, t->data, len);
		}
	}
	return true;
}

/* The rule's occurrences of @a as a /32 or a DNAT address. */
static unsigned int names_addr(const struct ipts_rule *r, uint32_t a)
{
	const struct ipt_ip *ip = &r->e->ip;
	unsigned int n = 0;
	struct ipts_nat_range g;

	n += ip->smsk.s_addr == UINT32_MAX && ip->src.s_addr == a;
	n += ip->dmsk.s_addr == UINT32_MAX && ip->dst.s_addr == a;
	if (target_named(r, "DNAT") && read_nat(ipts_rule_target(r), &g))
		n += g.min_ip == a;
	return n;
}

/* Whether every rule naming @a outside @s's own chains and entry is
 * dead for @row's connection. */
static bool others_dead(const struct filefacts *f, const struct srow *s,
			const struct ipts_exp_row *row, uint32_t a)
{
	size_t lo = 0, hi = f->nnm;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (f->nm[mid].addr < a)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (; lo < f->nnm && f->nm[lo].addr == a; lo++) {
		const struct ipts_rule *r = f->nm[lo].r;

		if (r == s->entry || own_index(s, r->chain) >= 0)
			continue;
		if (!rule_dead(f, r, row, 0))
			return false;
	}
	return true;
}

/* A route lookup's answer into the key; false when the host cannot
 * tell it or it is no single route. */
static bool fib_put(struct buf *b, const struct ipts_hostdesc *h,
		    uint32_t daddr, uint32_t saddr, const char *iif,
		    struct ipts_fib_result *fr)
{
	struct ipts_fib_flow fl = { 0 };

	fl.daddr = daddr;
	fl.saddr = saddr;
	fl.iif = iif;
	memset(fr, 0, sizeof(*fr));
	ipts_fib_lookup(h, &fl, fr, NULL);
	if (fr->status != IPTS_FIB_OK || !fr->route || fr->route->multipath)
		return false;
	put(b, &fr->route, sizeof(fr->route));
	put(b, &fr->dev, sizeof(fr->dev));
	put32(b, fr->gateway);
	put32(b, fr->table);
	put32(b, (uint32_t)fr->type);
	put32(b, (uint32_t)fr->err);
	return true;
}

static bool put_routes(struct buf *b, const struct ipts_exposure *e,
		       uint32_t a);

/* put_routes() of @a, from the memo when it holds @a. */
static bool put_routes_memo(struct buf *b, const struct ipts_exposure *e,
			    const struct filefacts *f, uint32_t a)
{
	struct hostmemo *m = f->hm;
	size_t i, at;
	bool ok;

	if (!m || 2 * (m->used + 1) > m->n)
		return put_routes(b, e, a);
	for (i = ahash(a, m->n); m->len[i] && m->addr[i] != a;
	     i = (i + 1) & (m->n - 1))
		;
	if (!m->len[i]) {
		at = m->bytes.n;
		ok = put_routes(&m->bytes, e, a);
		m->addr[i] = a;
		m->off[i] = ok ? at : SIZE_MAX;
		m->len[i] = m->bytes.n - at + 1; /* never 0: taken */
		m->used++;
	}
	if (m->off[i] == SIZE_MAX)
		return false;
	put(b, m->bytes.p + m->off[i], m->len[i] - 1);
	return true;
}

/* What the host makes of slot address @a: false when it may tell it
 * from another (local, broadcast, special, no route of its own). */
static bool put_host(struct buf *b, const struct ipts_exposure *e,
		     const struct filefacts *f, uint32_t a, bool first)
{
	const struct ipts_hostdesc *h = e->host;
	uint32_t ha = ntohl(a);
	size_t i, n;

	if (!h || (ha >> 24) == 0 || (ha >> 24) == 127 || (ha >> 29) == 7 ||
	    (ha >> 28) == 14 || ipts_host_addr_type(h, a) != IPTS_RTN_UNICAST)
		return false;
	if (!put_routes_memo(b, e, f, a))
		return false;
	if (first)
		put32(b, ipts_place_local_src(h, a));
	n = ipts_hostdesc_listener_count(h);
	for (i = 0; i < n; i++) {
		const struct ipts_host_listener *l =
			ipts_hostdesc_listener_at(h, i);

		if (l->family != AF_INET || l->any)
			continue;
		if (memcmp(l->addr, &a, sizeof(a)) == 0)
			return false;
	}
	for (i = 0; i < e->nlisten; i++)
		if (e->listen[i].addr == a)
			return false;
	return true;
}

static bool row_rest(struct ipts_exposure *e, const struct filefacts *f,
		     struct srow *s, const struct ipts_exp_row *row);

/* The route lookups a walk may make for slot address @a into the key:
 * to it, from each class's client to it, and its answer back to each
 * client (policy rules of a source or an interface may tell two apart:
 * each in the key); false when one is no single route. */
static bool put_routes(struct buf *b, const struct ipts_exposure *e, uint32_t a)
{
	const struct ipts_hostdesc *h = e->host;
	struct ipts_fib_result fr;
	size_t i;

	if (!fib_put(b, h, a, 0, NULL, &fr) || fr.type != IPTS_RTN_UNICAST)
		return false;
	for (i = 0; i < e->nclasses; i++) {
		const struct ipts_exp_class *c = &e->classes[i];
		struct ipts_fib_result back;

		if (!c->src)
			continue;
		if (!fib_put(b, h, a, c->src, c->in, &back) ||
		    !fib_put(b, h, c->src, a, fr.dev ? fr.dev->name : NULL,
			     &back))
			return false;
	}
	return true;
}

/* The exact ports @p of @proto that rule @r's tcp or udp match names. */
static unsigned int names_port(const struct ipts_rule *r, uint8_t proto,
			       uint16_t p)
{
	unsigned int n = 0;
	uint16_t i;

	for (i = 0; i < r->nmatches; i++) {
		const struct xt_entry_match *m = ipts_rule_match(r, i);

		if (proto == IPPROTO_TCP &&
		    strcmp(m->u.user.name, "tcp") == 0 &&
		    ipts_match_len(m) >= sizeof(struct xt_tcp)) {
			struct xt_tcp x;

			memcpy(&x, m->data, sizeof(x));
			n += x.spts[0] == p && x.spts[1] == p;
			n += x.dpts[0] == p && x.dpts[1] == p;
		}
		if (proto == IPPROTO_UDP &&
		    strcmp(m->u.user.name, "udp") == 0 &&
		    ipts_match_len(m) >= sizeof(struct xt_udp)) {
			struct xt_udp x;

			memcpy(&x, m->data, sizeof(x));
			n += x.spts[0] == p && x.spts[1] == p;
			n += x.dpts[0] == p && x.dpts[1] == p;
		}
	}
	return n;
}

/*
 * A row of no address's port into the key: named by no rule but its
 * entry's block and own chains, inside the same ranges of the file,
 * on the same side of the kernel's bounds, no listener's; false when
 * something may tell it from another.
 */
static bool port_key(struct buf *b, const struct ipts_exposure *e,
		     const struct filefacts *f, const struct srow *s,
		     const struct ipts_exp_row *row)
{
	uint16_t p = s->nport;
	uint32_t seen = 0, i, j, bits;
	uint64_t sig = 0;
	size_t h, n;

	for (i = s->first_idx; i <= s->entry_idx; i++)
		seen += names_port(s->entry->chain->rules[i], row->proto, p);
	for (i = 0; i < s->nown; i++)
		for (j = 0; j < s->own[i]->nrules; j++)
			seen += names_port(s->own[i]->rules[j], row->proto, p);
	if (idx_count(&f->pt, f->nslots, (uint32_t)row->proto << 16 | p) !=
	    seen)
		return false;
	for (h = 0; h < f->nprange; h++)
		if (f->prange[h].proto == row->proto && f->prange[h].lo <= p &&
		    p <= f->prange[h].hi)
			sig |= 1ull << h;
	put(b, &sig, sizeof(sig));
	/* the kernel's: NAT's 512, 600 and 1024, the client's 40000; a
	 * DNAT port (the translated port would be told from it) */
	if (p == 40000 || is_dnat_port(f, p))
		return false;
	bits = (p < 512) | (p < 600) << 1 | (p < 1024) << 2 | (p < 40000) << 3;
	put32(b, bits);
	n = e->host ? ipts_hostdesc_listener_count(e->host) : 0;
	for (h = 0; h < n; h++)
		if (ipts_hostdesc_listener_at(e->host, h)->port == p)
			return false;
	for (h = 0; h < e->nlisten; h++)
		if (e->listen[h].port == p)
			return false;
	return true;
}

/* A row of no address's entry: the last of the nat rules naming its
 * protocol and port exactly, which stand together in one chain E. */
static bool nodeport_entry(const struct filefacts *f, struct srow *s,
			   const struct ipts_exp_row *row)
{
	size_t at = idx_find(&f->np, f->nnat,
			     (uint32_t)row->proto << 16 | row->port);
	const struct ipts_chain *E;
	const struct ipts_rule *r;
	uint32_t i, lo = UINT32_MAX, hi = 0;

	if (!f->ports_ok || at == SIZE_MAX || f->np.count[at] > ND_MAX)
		return false;
	E = f->nat->chains[f->np.chain[at][0]];
	for (i = 0; i < f->np.count[at]; i++) {
		if (f->nat->chains[f->np.chain[at][i]] != E)
			return false;
		if (f->np.idx[at][i] < lo)
			lo = f->np.idx[at][i];
		if (f->np.idx[at][i] > hi)
			hi = f->np.idx[at][i];
	}
	if (hi - lo + 1 != f->np.count[at])
		return false;
	r = E->rules[hi];
	if (r->kind != IPTS_TGT_JUMP || !r->dest ||
	    r->e->ip.proto != row->proto || r->e->ip.invflags)
		return false;
	s->entry = r;
	s->entry_idx = hi;
	s->first_idx = lo;
	s->nport = row->port;
	return true;
}

/*
 * A filter row of no address's entry (kube-proxy's health-check node
 * ports: filter KUBE-NODEPORTS' -p P --dport N -j ACCEPT): the one
 * filter rule naming its protocol and port, a verdict, in a port table
 * E (no other rule of E can match a packet of the row's connection, so
 * a walk into E visits the rules before the entry, or all of E for a
 * packet the other way, and nothing else decides there).
 */
static bool filter_entry(const struct filefacts *f, struct srow *s,
			 const struct ipts_exp_row *row)
{
	size_t at;
	const struct ipts_chain *E;
	const struct ipts_rule *r;

	if (!f->ports_ok || !f->filter)
		return false;
	at = idx_find(&f->fp, f->nfil, (uint32_t)row->proto << 16 | row->port);
	if (at == SIZE_MAX || f->fp.count[at] != 1 ||
	    !f->port_table[f->fp.chain[at][0]])
		return false;
	E = f->filter->chains[f->fp.chain[at][0]];
	r = E->rules[f->fp.idx[at][0]];
	if ((r->kind != IPTS_TGT_ACCEPT && r->kind != IPTS_TGT_DROP) ||
	    r->e->ip.proto != row->proto || r->e->ip.invflags)
		return false;
	s->entry = r;
	s->entry_idx = f->fp.idx[at][0];
	s->first_idx = s->entry_idx;
	s->nport = row->port;
	return true;
}

static bool row_shape(struct ipts_exposure *e, const struct filefacts *f,
		      struct srow *s)
{
	const struct ipts_exp_row *row = &e->rows[s->row];
	const struct ipts_table *nat = f->nat;
	uint32_t i;
	size_t at;

	/* its entry: the one nat rule naming its address, port, proto */
	if (!row->dst && !(row->origin & IPTS_EXP_DNAT))
		return filter_entry(f, s, row) && row_rest(e, f, s, row);
	if (!row->dst)
		return nodeport_entry(f, s, row) && row_rest(e, f, s, row);
	at = idx_find(&f->nd, f->nnat, row->dst);
	if (at == SIZE_MAX || f->nd.count[at] > ND_MAX)
		return false;
	/* the one whose chain no other of them jumps to (the others are
	 * under it: the count of the slots checks that) */
	s->entry = NULL;
	for (i = 0; i < f->nd.count[at]; i++) {
		const struct ipts_chain *c = nat->chains[f->nd.chain[at][i]];
		uint32_t q;
		bool under = false;

		for (q = 0; q < f->nd.count[at] && !under; q++)
			under = nat->chains[f->nd.chain[at][q]]
					->rules[f->nd.idx[at][q]]
					->dest == c;
		if (under)
			continue;
		if (s->entry)
			return false;
		s->entry = c->rules[f->nd.idx[at][i]];
		s->entry_idx = f->nd.idx[at][i];
		s->first_idx = s->entry_idx;
	}
	if (!s->entry)
		return false;
	if (s->entry->kind != IPTS_TGT_JUMP || !s->entry->dest ||
	    s->entry->e->ip.proto != row->proto || s->entry->e->ip.invflags ||
	    exact_dport(s->entry, row->proto) != row->port)
		return false;
	return row_rest(e, f, s, row);
}

/* The rest of row_shape(), once its entry is found. */
static bool row_rest(struct ipts_exposure *e, const struct filefacts *f,
		     struct srow *s, const struct ipts_exp_row *row)
{
	struct buf b = { 0 };
	uint32_t i, j, n;
	unsigned int k;
	bool ok = true;

	/* own chains, first reached first (none: a filter entry's
	 * verdict) */
	s->nown = 0;
	if (s->entry->kind == IPTS_TGT_JUMP) {
		s->own[0] = s->entry->dest;
		s->nown = 1;
		if (!owned(f, s, s->own[0], row))
			return false;
	}
	for (k = 0; k < s->nown; k++) {
		const struct ipts_chain *c = s->own[k];

		for (j = 0; j < c->nrules; j++) {
			const struct ipts_rule *r = c->rules[j];

			if ((r->kind != IPTS_TGT_JUMP &&
			     r->kind != IPTS_TGT_GOTO) ||
			    !r->dest || own_index(s, r->dest) >= 0 ||
			    !owned(f, s, r->dest, row))
				continue;
			if (s->nown == MAX_OWN)
				return false;
			s->own[s->nown++] = r->dest;
		}
	}
	for (k = 0; k < s->nown; k++) {
		/* a walk may return to E past the entry only by falling off
		 * an own chain's end (no RETURN, no goto) */
		for (j = 0; j < s->own[k]->nrules; j++)
			if (s->own[k]->rules[j]->kind == IPTS_TGT_RETURN ||
			    s->own[k]->rules[j]->kind == IPTS_TGT_GOTO)
				return false;
	}
	/* the key: proto, port, entry chain, the entry, the own rules */
	s->nslot = 0;
	if (row->dst)
		slot_of(s, row->dst, true);
	put32(&b, s->nport ? 1u : 0u);
	put(&b, &row->proto, 1);
	if (!s->nport)
		put(&b, &row->port, 2);
	put(&b, &s->entry->chain, sizeof(s->entry->chain));
	put32(&b, s->entry_idx - s->first_idx);
	for (i = s->first_idx; ok && i <= s->entry_idx; i++)
		ok = put_rule(&b, s, s->entry->chain->rules[i]);
	if (ok && s->nport)
		ok = port_key(&b, e, f, s, row);
	for (k = 0; ok && k < s->nown; k++) {
		ok = spend(f, s->own[k]->nrules);
		put32(&b, s->own[k]->nrules);
		for (j = 0; ok && j < s->own[k]->nrules; j++) {
			ok = put_rule(&b, s, s->own[k]->rules[j]);
		}
	}
	/* each slot: named by nothing outside, its prefixes, its route */
	for (k = 0; ok && k < s->nslot; k++) {
		uint32_t a = s->slot[k], seen = 0;
		uint64_t sig = 0;

		seen = 0;
		for (i = s->first_idx; i <= s->entry_idx; i++)
			seen += names_addr(s->entry->chain->rules[i], a);
		for (n = 0; n < s->nown; n++)
			for (j = 0; j < s->own[n]->nrules; j++)
				seen += names_addr(s->own[n]->rules[j], a);
		/* an endpoint's address may be another service's too: each
		 * rule outside naming it must be dead for this row's
		 * connection (then for every member's: no rule outside
		 * names their addresses, slot 0) */
		if ((k || !row->dst) && addr_seen(f, a) != seen &&
		    !others_dead(f, s, row, a))
			seen = 0;
		else if (k || !row->dst)
			seen = addr_seen(f, a);
		if (addr_seen(f, a) != seen) {
			ok = false;
			break;
		}
		for (i = 0; i < f->npfx; i++)
			if (ipts_exp_pfx_has(f->pfx[i], a))
				sig |= 1ull << i;
		put(&b, &sig, sizeof(sig));
		ok = put_host(&b, e, f, a, k == 0 && row->dst);
	}
	if (!ok) {
		free(b.p);
		return false;
	}
	s->key = b.p;
	s->keylen = b.n;
	return true;
}

static uint64_t key_hash(const unsigned char *p, size_t n)
{
	uint64_t h = 0xcbf29ce484222325ull;
	size_t i;

	for (i = 0; i < n; i++) {
		h ^= p[i];
		h *= 0x100000001b3ull;
	}
	return h;
}

/* Whether the @n rows from @r have one key, built again one by one. */
static bool keys_equal(struct ipts_exposure *e, const struct filefacts *f,
		       const struct srow *r, size_t n)
{
	struct srow a, b;
	size_t i;
	bool same = true;

	memset(&a, 0, sizeof(a));
	a.row = r[0].row;
	if (!row_shape(e, f, &a))
		return false;
	for (i = 1; i < n && same; i++) {
		memset(&b, 0, sizeof(b));
		b.row = r[i].row;
		same = row_shape(e, f, &b) && b.keylen == a.keylen &&
		       memcmp(a.key, b.key, a.keylen) == 0;
		free(b.key);
	}
	free(a.key);
	return same;
}

static int srow_cmp(const void *a, const void *b)
{
	const struct srow *x = a, *y = b;

	if (x->keylen != y->keylen)
		return x->keylen < y->keylen ? -1 : 1;
	if (x->hash != y->hash)
		return x->hash < y->hash ? -1 : 1;
	return x->entry_idx < y->entry_idx ? -1 : x->entry_idx > y->entry_idx;
}

/* Whether rule @r of E, before a member's entry, is dead for every
 * member (a /32 that is none of theirs: the count check saw to that). */
static bool e_rule_dead(const struct filefacts *f, const struct ipts_rule *r,
			const struct ipts_exp_row *row)
{
	return match_dead(f, r, row);
}

static void hostmemo_free(struct hostmemo *m)
{
	free(m->addr);
	free(m->off);
	free(m->len);
	free(m->bytes.p);
}

void ipts_exp_shapes_plan(struct ipts_exposure *e,
			  const struct ipts_ruleset *rs)
{
	struct ipts_exp_shapes *sh;
	struct filefacts f;
	struct hostmemo hm;
	size_t i, n = 0, g0;
	uint64_t work = 0;

	e->shapes = NULL;
	if (e->no_share || !e->host || e->rs6 || e->v6_only)
		return;
	facts_build(&f, rs);
	f.work = &work;
	f.cls_addr = ipts_xcalloc(e->nclasses + 1, sizeof(*f.cls_addr));
	for (i = 0; i < e->nclasses; i++)
		f.cls_addr[f.ncls++] = e->classes[i].addr;
	memset(&hm, 0, sizeof(hm));
	hm.n = 64;
	while (hm.n < 8 * (size_t)e->nrows + 64)
		hm.n *= 2;
	hm.addr = ipts_xcalloc(hm.n, sizeof(*hm.addr));
	hm.off = ipts_xcalloc(hm.n, sizeof(*hm.off));
	hm.len = ipts_xcalloc(hm.n, sizeof(*hm.len));
	f.hm = &hm;
	if (!f.ok || !f.nat) {
		facts_free(&f);
		hostmemo_free(&hm);
		return;
	}
	sh = ipts_xcalloc(1, sizeof(*sh));
	sh->r = ipts_xcalloc(e->nrows + 1, sizeof(*sh->r));
	sh->of_row = ipts_xcalloc(e->nrows + 1, sizeof(*sh->of_row));
	for (i = 0; i < e->nrows; i++) {
		const struct ipts_exp_row *r = &e->rows[i];
		struct srow *s = &sh->r[n];

		sh->of_row[i] = -1;
		if (r->family == NFPROTO_IPV6 || r->cut || r->same_as >= 0 ||
		    r->port != r->port_hi || r->range >= 0 ||
		    !(r->origin & (IPTS_EXP_DNAT | IPTS_EXP_RULE)) ||
		    (!(r->origin & IPTS_EXP_DNAT) && r->dst))
			continue;
		memset(s, 0, sizeof(*s));
		s->row = i;
		s->group = -1;
		if (row_shape(e, &f, s)) {
			s->hash = key_hash(s->key, s->keylen);
			free(s->key);
			s->key = NULL;
			n++;
		}
	}
	qsort(sh->r, n, sizeof(*sh->r), srow_cmp);
	/* groups: equal keys, entries in E's order; a member stays only
	 * while every rule of E before its entry is dead or a member's
	 * entry */
	for (g0 = 0; g0 < n;) {
		size_t g1 = g0 + 1, m, kept = 0;
		const struct ipts_chain *E = sh->r[g0].entry->chain;
		uint32_t at;

		while (g1 < n && sh->r[g1].keylen == sh->r[g0].keylen &&
		       sh->r[g1].hash == sh->r[g0].hash)
			g1++;
		/* fewer than three rows: no group (the first two are
		 * simulated anyway); one hash: the keys themselves must be
		 * equal (else no group: rows of two shapes are simulated
		 * each) */
		if (g1 - g0 < 3 || !keys_equal(e, &f, sh->r + g0, g1 - g0)) {
			g0 = g1;
			continue;
		}
		at = 0;
		for (m = g0; m < g1; m++) {
			const struct ipts_exp_row *row = &e->rows[sh->r[m].row];
			bool dead = true;

			for (; at < sh->r[m].first_idx; at++) {
				const struct ipts_rule *r = E->rules[at];

				/* no earlier member's rule is here: they
				 * end before the last one kept */
				if (!spend(&f, 1) || !e_rule_dead(&f, r, row)) {
					dead = false;
					break;
				}
			}
			if (!dead)
				break;
			at = sh->r[m].entry_idx + 1;
			kept++;
		}
		if (kept >= 3) {
			for (m = g0; m < g0 + kept; m++) {
				sh->r[m].first = g0;
				sh->r[m].group = (long)sh->ngroups;
				sh->of_row[sh->r[m].row] = (long)m;
			}
			sh->ngroups++;
		}
		g0 = g1;
	}
	sh->n = n;
	e->shapes = sh;
	facts_free(&f);
	hostmemo_free(&hm);
}

void ipts_exp_shapes_free(struct ipts_exp_shapes *sh)
{
	size_t i;

	if (!sh)
		return;
	for (i = 0; i < sh->n; i++)
		free(sh->r[i].key);
	free(sh->r);
	free(sh->of_row);
	free(sh);
}

long ipts_exp_shape_leader(const struct ipts_exposure *e, size_t row, int which)
{
	const struct ipts_exp_shapes *sh = e->shapes;
	long m;
	size_t g0;

	if (!sh || row >= e->nrows || (m = sh->of_row[row]) < 0)
		return -1;
	g0 = sh->r[m].first;
	if (g0 + (size_t)which >= sh->n ||
	    sh->r[g0 + (size_t)which].group != sh->r[m].group)
		return -1;
	return (long)sh->r[g0 + (size_t)which].row;
}

/* --- answering B from A --------------------------------------------- */

static const struct srow *srow_of(const struct ipts_exposure *e, size_t row)
{
	long m = e->shapes ? e->shapes->of_row[row] : -1;

	return m < 0 ? NULL : &e->shapes->r[m];
}

static uint32_t map_addr(const struct srow *a, const struct srow *b, uint32_t x)
{
	unsigned int k;

	for (k = 0; k < a->nslot; k++)
		if (a->slot[k] == x)
			return b->slot[k];
	return x;
}

static const struct ipts_rule *
map_rule(const struct srow *a, const struct srow *b, const struct ipts_rule *r)
{
	int k;
	uint32_t j;

	if (!r)
		return NULL;
	if (r == a->entry)
		return b->entry;
	k = own_index(a, r->chain);
	if (k < 0)
		return r;
	for (j = 0; j < a->own[k]->nrules; j++)
		if (a->own[k]->rules[j] == r)
			return b->own[k]->rules[j];
	return NULL;
}

static const struct ipts_chain *map_chain(const struct srow *a,
					  const struct srow *b,
					  const struct ipts_chain *c)
{
	int k = c ? own_index(a, c) : -1;

	return k < 0 ? c : b->own[k];
}

/* Whether @why names nothing of @a (an address of its slots, a chain of
 * its own): then it is B's sentence too. */
static bool why_clean(const struct srow *a, const char *why)
{
	char t[IPTS_EXP_ADDR_LEN];
	unsigned int k;

	if (!why)
		return false;
	for (k = 0; k < a->nslot; k++) {
		ipts_exp_addr_fmt(t, a->slot[k], -1);
		if (strstr(why, t))
			return false;
	}
	for (k = 0; k < a->nown; k++)
		if (strstr(why, a->own[k]->name))
			return false;
	if (strstr(why, a->entry->chain->name))
		return false;
	if (a->nport) {
		const char *p;
		size_t n;

		snprintf(t, sizeof(t), "%u", a->nport);
		n = strlen(t);
		for (p = strstr(why, t); p; p = strstr(p + 1, t))
			if ((p == why || p[-1] < '0' || p[-1] > '9') &&
			    (p[n] < '0' || p[n] > '9'))
				return false;
	}
	return true;
}

bool ipts_exp_shape_translate(const struct ipts_exposure *e, size_t from,
			      size_t to, const struct ipts_exp_cell *f,
			      int64_t b, uint64_t max_visits, bool why_checked,
			      struct ipts_exp_cell *out)
{
	const struct srow *a = srow_of(e, from), *t = srow_of(e, to);
	int64_t v;

	if (!a || !t || a->group != t->group || !f->simulated ||
	    f->over_budget || f->state == IPTS_EXP_UNDETERMINED ||
	    f->outcome == IPTS_UNDETERMINED ||
	    (!why_checked && !why_clean(a, f->why)))
		return false;
	v = (int64_t)f->visits +
	    b * ((int64_t)t->entry_idx - (int64_t)a->entry_idx);
	if (v < 0 || (uint64_t)v >= max_visits)
		return false;
	*out = *f;
	out->dst = map_addr(a, t, f->dst);
	out->to = map_addr(a, t, f->to);
	out->to6.ip = map_addr(a, t, f->to6.ip);
	if (a->nport && f->to_port == a->nport)
		out->to_port = t->nport;
	out->rule = map_rule(a, t, f->rule);
	out->chain = map_chain(a, t, f->chain);
	if (f->rule && !out->rule)
		return false;
	out->visits = (uint64_t)v;
	return true;
}

int64_t ipts_exp_shape_entry(const struct ipts_exposure *e, size_t row)
{
	const struct srow *s = srow_of(e, row);

	return s ? (int64_t)s->entry_idx : -1;
}
