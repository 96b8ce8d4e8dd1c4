/*
 * probe.c - the connections worth asking when two versions of a ruleset
 * are compared (`iptsim diff`). Only rules that can make a difference give
 * values: those of chains that differ between the files, and the jumps
 * leading to them; reordering or editing one chain of a 50,000-rule file
 * then costs a few dozen walks, not millions. For the report: the classes
 * of values no rule tells apart, the boxes that cover a set of changed
 * connections exactly, and the edited rule a connection met.
 */
#include "probe.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <netinet/in.h>

#include "diag.h"
#include "host.h"
#include "ipset.h"
#include "places.h"
#include "model.h"	/* before the uapi headers: glibc's net/if.h first */
#include "blob.h"

#include <linux/netfilter/x_tables.h>
#include <linux/netfilter/xt_conntrack.h>
#include <linux/netfilter/xt_iprange.h>
#include <linux/netfilter/xt_multiport.h>
#include <linux/netfilter/xt_owner.h>
#include <linux/netfilter/xt_tcpudp.h>

#define DEFAULT_SPORT	40000
#define LOOPBACK	0x7f000001u	/* host order */
/* A dimension holds at most this many values: a chain of 5,000 services
 * gives 5,000 addresses, and the cap on connections decides the rest. */
#define MAX_VALS	4096
/* A described host's interfaces asked from, besides a local client: past
 * them, the cap on connections would be spent on places alone. */
#define MAX_PLACES 32

/* --- value sets --------------------------------------------------------- */

/* Position of @v in the sorted @vals, or @dflt when it is not there. */
static size_t pos_or(const struct ipts_probe_vals *vals, uint32_t v,
		     size_t dflt)
{
	size_t lo = 0, hi = vals->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (vals->v[mid] == v)
			return mid;
		if (vals->v[mid] < v)
			lo = mid + 1;
		else
			hi = mid;
	}
	return dflt;
}

bool ipts_probe_vals_has(const struct ipts_probe_vals *vals, uint32_t v)
{
	return pos_or(vals, v, SIZE_MAX) != SIZE_MAX;
}

/* Sorted insert: the sets are small and built once. */
static void vals_add(struct ipts_probe_vals *vals, uint32_t v)
{
	size_t i;

	if (ipts_probe_vals_has(vals, v) || vals->n >= MAX_VALS)
		return;
	if (vals->n == vals->cap) {
		vals->cap = vals->cap ? vals->cap * 2 : 8;
		vals->v = ipts_xrealloc(vals->v, vals->cap * sizeof(*vals->v));
	}
	for (i = vals->n; i > 0 && vals->v[i - 1] > v; i--)
		vals->v[i] = vals->v[i - 1];
	vals->v[i] = v;
	vals->n++;
}

static void port_add(struct ipts_probe_vals *vals, long p)
{
	if (p >= 1 && p <= 65535)
		vals_add(vals, (uint32_t)p);
}

/* A port range and the ports just outside it. */
static void port_range_add(struct ipts_probe_vals *vals, uint16_t lo,
			   uint16_t hi)
{
	if (lo == 0 && hi == 65535)
		return;		/* any port: nothing to learn */
	port_add(vals, (long)lo - 1);
	port_add(vals, lo);
	port_add(vals, hi);
	port_add(vals, (long)hi + 1);
}

/* An address the simulator can take as a local unicast one. */
static void addr_add(struct ipts_probe_vals *vals, uint32_t host)
{
	if ((host >> 24) == 0 || host >= 0xe0000000u)
		return;		/* 0.0.0.0/8, multicast, broadcast */
	vals_add(vals, htonl(host));
}

/* addr/mask (network order): one address inside, the one just past it. */
static void prefix_add(struct ipts_probe_vals *vals, uint32_t addr,
		       uint32_t mask)
{
	uint32_t a = ntohl(addr), m = ntohl(mask), net = a & m;

	if (!m)
		return;		/* any address */
	if (m == 0xffffffffu) {
		addr_add(vals, net);
		addr_add(vals, net + 1);
		return;
	}
	addr_add(vals, net + 1);
	if ((net | ~m) != 0xffffffffu)
		addr_add(vals, (net | ~m) + 1);
}

static void id_range_add(struct ipts_probe_vals *vals, uint32_t lo,
			 uint32_t hi)
{
	if (lo > 0)
		vals_add(vals, lo - 1);
	vals_add(vals, lo);
	vals_add(vals, hi);
	if (hi < 0xfffffffeu)
		vals_add(vals, hi + 1);
}

/* --- IPv6 addresses ----------------------------------------------------- */

static int addr6_cmp(const union nf_inet_addr *a, const union nf_inet_addr *b)
{
	return memcmp(a->in6.s6_addr, b->in6.s6_addr, 16);
}

/* Position of @a in the sorted @s, or SIZE_MAX. */
static size_t addr6_pos(const struct ipts_probe_addrs *s,
			const union nf_inet_addr *a)
{
	size_t lo = 0, hi = s->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = addr6_cmp(&s->a[mid], a);

		if (!c)
			return mid;
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return SIZE_MAX;
}

/* Sorted insert of an address the simulator can take as a local unicast
 * one: never ::, ff00::/8 (multicast) nor fe80::/10 (link-local, which
 * needs its zone). */
static void addr6_insert(struct ipts_probe_addrs *s,
			 const union nf_inet_addr *a, size_t cap)
{
	static const union nf_inet_addr any;
	const uint8_t *b = a->in6.s6_addr;
	size_t i;

	if (!addr6_cmp(a, &any) || b[0] == 0xff ||
	    (b[0] == 0xfe && (b[1] & 0xc0) == 0x80))
		return;
	if (addr6_pos(s, a) != SIZE_MAX || s->n >= cap)
		return;
	if (s->n == s->cap) {
		s->cap = s->cap ? s->cap * 2 : 8;
		s->a = ipts_xrealloc(s->a, s->cap * sizeof(*s->a));
	}
	for (i = s->n; i > 0 && addr6_cmp(&s->a[i - 1], a) > 0; i--)
		s->a[i] = s->a[i - 1];
	s->a[i] = *a;
	s->n++;
}

static void addr6_add(struct ipts_probe_addrs *s, const union nf_inet_addr *a)
{
	addr6_insert(s, a, MAX_VALS);
}

/* @a plus @by (1 or -1) as a 128-bit number; false when it wraps. */
static bool addr6_step(union nf_inet_addr *a, int by)
{
	int i;

	for (i = 15; i >= 0; i--) {
		uint8_t was = a->in6.s6_addr[i];

		a->in6.s6_addr[i] = (uint8_t)(was + by);
		if (by > 0 ? was != 0xff : was != 0)
			return true;
	}
	return false;
}

static void addr6_add_step(struct ipts_probe_addrs *s, union nf_inet_addr a,
			   int by)
{
	if (addr6_step(&a, by))
		addr6_add(s, &a);
}

/* The network of addr/mask, and its last address. */
static void prefix6_ends(const struct in6_addr *addr,
			 const struct in6_addr *mask, union nf_inet_addr *net,
			 union nf_inet_addr *last)
{
	int i;

	for (i = 0; i < 16; i++) {
		net->in6.s6_addr[i] = addr->s6_addr[i] & mask->s6_addr[i];
		last->in6.s6_addr[i] = net->in6.s6_addr[i] |
				       (uint8_t)~mask->s6_addr[i];
	}
}

static bool mask6_is(const struct in6_addr *mask, uint8_t byte)
{
	int i;

	for (i = 0; i < 16; i++)
		if (mask->s6_addr[i] != byte)
			return false;
	return true;
}

/* As prefix_add(): one address inside the prefix, the one just past. */
static void prefix6_add(struct ipts_probe_addrs *s, const struct in6_addr *addr,
			const struct in6_addr *mask)
{
	union nf_inet_addr net, last;

	if (mask6_is(mask, 0))
		return; /* any address */
	prefix6_ends(addr, mask, &net, &last);
	if (mask6_is(mask, 0xff)) {
		addr6_add(s, &net);
		addr6_add_step(s, net, 1);
		return;
	}
	addr6_add_step(s, net, 1);
	addr6_add_step(s, last, 1);
}

/* As prefix_inside(): the address exemplar() asks inside a prefix. */
static union nf_inet_addr prefix6_inside(const struct in6_addr *addr,
					 const struct in6_addr *mask)
{
	union nf_inet_addr net, last;

	prefix6_ends(addr, mask, &net, &last);
	if (!mask6_is(mask, 0xff))
		addr6_step(&net, 1);
	return net;
}

/* A range's ends and the addresses just outside it. */
static void range6_add(struct ipts_probe_addrs *s, const union nf_inet_addr *lo,
		       const union nf_inet_addr *hi)
{
	addr6_add(s, lo);
	addr6_add(s, hi);
	addr6_add_step(s, *lo, -1);
	addr6_add_step(s, *hi, 1);
}

/* The value of @a in src and dst once collected: its index in addrs;
 * UINT32_MAX when it is not asked. */
static uint32_t rank6(const struct ipts_probe_dims *d, union nf_inet_addr a)
{
	size_t k = addr6_pos(&d->addrs, &a);

	return k == SIZE_MAX ? UINT32_MAX : (uint32_t)k;
}

/*
 * The addresses collected, made values: addrs is the union of src6 and
 * dst6 (sorted), and src and dst hold the indexes of their addresses in
 * it, so that their order is the addresses' order.
 */
static void finish6(struct ipts_probe_dims *d)
{
	size_t i;

	for (i = 0; i < d->src6.n; i++)
		addr6_insert(&d->addrs, &d->src6.a[i], SIZE_MAX);
	for (i = 0; i < d->dst6.n; i++)
		addr6_insert(&d->addrs, &d->dst6.a[i], SIZE_MAX);
	d->src.n = d->dst.n = 0;
	for (i = 0; i < d->src6.n; i++)
		vals_add(&d->src, rank6(d, d->src6.a[i]));
	for (i = 0; i < d->dst6.n; i++)
		vals_add(&d->dst, rank6(d, d->dst6.a[i]));
	/* every address is in addrs: no UINT32_MAX among the values */
}

/* --- a rule's header, of either family ------------------------------ */

/* What probe reads of struct ipt_ip or struct ip6t_ip6. The INV bits
 * are the same in both families (IPT_INV_* and IP6T_INV_*). */
struct hdr {
	bool v6;
	const char *iniface, *outiface;
	const unsigned char *iniface_mask, *outiface_mask;
	uint8_t invflags;
	uint16_t proto; /* 0: any (IPv6: no IP6T_F_PROTO) */
	const struct ipt_ip *ip; /* IPv4 */
	const struct ip6t_ip6 *ip6; /* IPv6 */
};

static const struct hdr *rule_hdr(const struct ipts_rule *r, struct hdr *h)
{
	memset(h, 0, sizeof(*h));
	if (ipts_rule_family(r) == IPTS_FAMILY_IPV6) {
		const struct ip6t_ip6 *ip6 = &r->e6->ipv6;

		h->v6 = true;
		h->ip6 = ip6;
		h->iniface = ip6->iniface;
		h->outiface = ip6->outiface;
		h->iniface_mask = ip6->iniface_mask;
		h->outiface_mask = ip6->outiface_mask;
		h->invflags = ip6->invflags;
		h->proto = (ip6->flags & IP6T_F_PROTO) ? ip6->proto : 0;
		return h;
	}
	h->ip = &r->e->ip;
	h->iniface = h->ip->iniface;
	h->outiface = h->ip->outiface;
	h->iniface_mask = h->ip->iniface_mask;
	h->outiface_mask = h->ip->outiface_mask;
	h->invflags = h->ip->invflags;
	h->proto = h->ip->proto;
	return h;
}

/* --- values of one rule --------------------------------------------------- */

static void add_multiport(struct ipts_probe_dims *d,
			  const struct xt_entry_match *m)
{
	/* v0 and v1 share flags, count and ports[]: v1's ranges are pairs
	 * of entries, and the values around each end cover them. */
	const struct xt_multiport *mp = ipts_match_data(m, sizeof(*mp), NULL);
	unsigned int i, n = mp ? mp->count : 0;

	if (n > XT_MULTI_PORTS)
		n = XT_MULTI_PORTS;
	for (i = 0; i < n; i++) {
		long p = mp->ports[i];

		port_add(&d->dport, p - 1);
		port_add(&d->dport, p);
		port_add(&d->dport, p + 1);
		if (mp->flags != XT_MULTIPORT_DESTINATION)
			port_add(&d->sport, p);
	}
}

/* -p tcp/udp with --dport and --sport ranges. */
static void add_ports(struct ipts_probe_dims *d, uint8_t proto,
		      const uint16_t dpts[2], const uint16_t spts[2])
{
	vals_add(&d->proto, proto);
	port_range_add(&d->dport, dpts[0], dpts[1]);
	/* the server's port is the source of its replies */
	port_range_add(&d->dport, spts[0], spts[1]);
	port_range_add(&d->sport, spts[0], spts[1]);
}

/*
 * --ctorigdstport and --ctorigsrcport: the ports the client asked, before
 * any DNAT (Docker's DOCKER-USER rules name published ports so). Revision
 * 3 holds ranges in host order, 1 and 2 one port in network order (as
 * xt_conntrack.c compares them); the layouts agree up to the ports.
 */
static void add_ct_ports(struct ipts_probe_dims *d,
			 const struct xt_entry_match *m)
{
	const struct xt_conntrack_mtinfo3 *c = ipts_match_data(
		m,
		m->u.user.revision >= 3 ? sizeof(*c) :
					  sizeof(struct xt_conntrack_mtinfo1),
		NULL);
	bool v3 = m->u.user.revision >= 3;

	if (!c)
		return;
	if (c->match_flags & XT_CONNTRACK_ORIGDST_PORT)
		port_range_add(&d->dport,
			       v3 ? c->origdst_port : ntohs(c->origdst_port),
			       v3 ? c->origdst_port_high :
				    ntohs(c->origdst_port));
	if (c->match_flags & XT_CONNTRACK_ORIGSRC_PORT)
		port_range_add(&d->sport,
			       v3 ? c->origsrc_port : ntohs(c->origsrc_port),
			       v3 ? c->origsrc_port_high :
				    ntohs(c->origsrc_port));
}

/* An element's address or port range of -m set, and just outside it. */
static void set_part(void *arg, enum ipts_ipset_part kind, bool src,
		     uint32_t lo, uint32_t hi, const struct in6_addr *a6)
{
	struct ipts_probe_dims *d = arg;
	union nf_inet_addr a, b;

	if (kind == IPTS_IPSET_PART_ADDR6) {
		a.in6 = a6[0];
		b.in6 = a6[1];
		range6_add(src ? &d->src6 : &d->dst6, &a, &b);
		return;
	}
	if (kind == IPTS_IPSET_PART_PORT) {
		port_range_add(src ? &d->sport : &d->dport, (uint16_t)lo,
			       (uint16_t)hi);
		return;
	}
	if (lo == 0 && hi == 0xffffffffu)
		return;
	addr_add(src ? &d->src : &d->dst, lo);
	addr_add(src ? &d->src : &d->dst, hi);
	addr_add(src ? &d->src : &d->dst, lo - 1);
	addr_add(src ? &d->src : &d->dst, hi + 1);
}

/* At most this many elements of one set give values. */
#define SET_ELEMS_MAX 256

static void add_match(struct ipts_probe_dims *d,
		      const struct xt_entry_match *m)
{
	const char *name = m->u.user.name;
	struct ipts_ipset_match sm;

	if (ipts_blob_is_opaque(m->u.user.revision) && d->ipsets &&
	    strcmp(name, "set") == 0 &&
	    ipts_ipset_match_parse((const char *)m->data, &sm) == 0)
		ipts_ipset_parts(d->ipsets, &sm,
				 d->family == NFPROTO_IPV6 ? 6 : 4,
				 SET_ELEMS_MAX, set_part, d);
	if (ipts_blob_is_opaque(m->u.user.revision))
		return;
	if (strcmp(name, "tcp") == 0) {
		const struct xt_tcp *t = ipts_match_data(m, sizeof(*t), NULL);

		if (t)
			add_ports(d, IPPROTO_TCP, t->dpts, t->spts);
	} else if (strcmp(name, "udp") == 0) {
		const struct xt_udp *u = ipts_match_data(m, sizeof(*u), NULL);

		if (u)
			add_ports(d, IPPROTO_UDP, u->dpts, u->spts);
	} else if (strcmp(name, "multiport") == 0) {
		add_multiport(d, m);
	} else if (strcmp(name, "owner") == 0) {
		const struct xt_owner_match_info *o =
			ipts_match_data(m, sizeof(*o), NULL);

		if (!o)
			return;
		if (o->match & XT_OWNER_UID)
			id_range_add(&d->uid, o->uid_min, o->uid_max);
		if (o->match & XT_OWNER_GID)
			id_range_add(&d->gid, o->gid_min, o->gid_max);
	} else if (strcmp(name, "conntrack") == 0 && m->u.user.revision >= 1) {
		add_ct_ports(d, m);
	} else if (strcmp(name, "iprange") == 0 && m->u.user.revision >= 1) {
		const struct xt_iprange_mtinfo *r =
			ipts_match_data(m, sizeof(*r), NULL);

		if (!r)
			return;
		if (d->family == NFPROTO_IPV6) {
			if (r->flags & IPRANGE_SRC)
				range6_add(&d->src6, &r->src_min, &r->src_max);
			if (r->flags & IPRANGE_DST)
				range6_add(&d->dst6, &r->dst_min, &r->dst_max);
			return;
		}
		if (r->flags & IPRANGE_SRC) {
			addr_add(&d->src, ntohl(r->src_min.ip));
			addr_add(&d->src, ntohl(r->src_max.ip));
			addr_add(&d->src, ntohl(r->src_min.ip) - 1);
			addr_add(&d->src, ntohl(r->src_max.ip) + 1);
		}
		if (r->flags & IPRANGE_DST) {
			addr_add(&d->dst, ntohl(r->dst_min.ip));
			addr_add(&d->dst, ntohl(r->dst_max.ip));
			addr_add(&d->dst, ntohl(r->dst_min.ip) - 1);
			addr_add(&d->dst, ntohl(r->dst_max.ip) + 1);
		}
	}
}

void ipts_probe_dims_add_rule(struct ipts_probe_dims *d,
			      const struct ipts_rule *r)
{
	struct hdr h;
	unsigned int i;

	rule_hdr(r, &h);
	if (h.proto == IPPROTO_TCP || h.proto == IPPROTO_UDP) {
		vals_add(&d->proto, h.proto);
		if (h.invflags & IPT_INV_PROTO) /* ! -p tcp: the other */
			vals_add(&d->proto, h.proto == IPPROTO_TCP ?
						    IPPROTO_UDP :
						    IPPROTO_TCP);
	}
	if (h.v6) {
		prefix6_add(&d->src6, &h.ip6->src, &h.ip6->smsk);
		prefix6_add(&d->dst6, &h.ip6->dst, &h.ip6->dmsk);
	} else {
		prefix_add(&d->src, h.ip->src.s_addr, h.ip->smsk.s_addr);
		prefix_add(&d->dst, h.ip->dst.s_addr, h.ip->dmsk.s_addr);
	}
	for (i = 0; i < r->nmatches; i++)
		add_match(d, ipts_rule_match(r, i));
}

void ipts_probe_dims_free(struct ipts_probe_dims *d)
{
	free(d->proto.v);
	free(d->dport.v);
	free(d->sport.v);
	free(d->src.v);
	free(d->dst.v);
	free(d->uid.v);
	free(d->gid.v);
	free(d->in.v);
	free(d->src6.a);
	free(d->dst6.a);
	free(d->addrs.a);
	memset(d, 0, sizeof(*d));
}

/* --- which chains differ ------------------------------------------------ */

/* Chains by "table/name", a small open-addressing set. */
struct chain_set {
	char **keys;
	size_t n, cap;
};

static size_t hash_str(const char *s)
{
	size_t h = 5381;

	while (*s)
		h = h * 33 + (unsigned char)*s++;
	return h;
}

static char *chain_key(const struct ipts_chain *c, char *buf, size_t len)
{
	snprintf(buf, len, "%s/%s", c->table->name, c->name);
	return buf;
}

static bool set_has(const struct chain_set *s, const char *key)
{
	size_t i;

	if (!s->cap)
		return false;
	for (i = hash_str(key) & (s->cap - 1); s->keys[i];
	     i = (i + 1) & (s->cap - 1))
		if (strcmp(s->keys[i], key) == 0)
			return true;
	return false;
}

/* Returns true when @key was new. */
static bool set_add(struct chain_set *s, const char *key)
{
	size_t i;

	if (set_has(s, key))
		return false;
	if ((s->n + 1) * 2 > s->cap) {
		struct chain_set big = { 0 };
		size_t k;

		big.cap = s->cap ? s->cap * 2 : 64;
		big.keys = ipts_xmalloc(big.cap * sizeof(char *));
		memset(big.keys, 0, big.cap * sizeof(char *));
		for (k = 0; k < s->cap; k++) {
			if (!s->keys[k])
				continue;
			for (i = hash_str(s->keys[k]) & (big.cap - 1);
			     big.keys[i]; i = (i + 1) & (big.cap - 1))
				;
			big.keys[i] = s->keys[k];
		}
		big.n = s->n;
		free(s->keys);
		*s = big;
	}
	for (i = hash_str(key) & (s->cap - 1); s->keys[i];
	     i = (i + 1) & (s->cap - 1))
		;
	s->keys[i] = ipts_xmalloc(strlen(key) + 1);
	strcpy(s->keys[i], key);
	s->n++;
	return true;
}

static void set_free(struct chain_set *s)
{
	size_t i;

	for (i = 0; i < s->cap; i++)
		free(s->keys[i]);
	free(s->keys);
}

/* The rule's words without the leading "[pkts:bytes]" counters. */
static const char *rule_words(const struct ipts_rule *r, int *len)
{
	const char *t = ipts_rule_text(r);
	int n = ipts_rule_text_len(r);

	if (n && t[0] == '[') {
		const char *end = memchr(t, ']', (size_t)n);

		if (end) {
			n -= (int)(end + 1 - t);
			t = end + 1;
			while (n && (*t == ' ' || *t == '\t')) {
				t++;
				n--;
			}
		}
	}
	*len = n;
	return t;
}

static bool rules_equal(const struct ipts_rule *a, const struct ipts_rule *b)
{
	int la, lb;
	const char *ta = rule_words(a, &la);
	const char *tb = rule_words(b, &lb);

	return la == lb && memcmp(ta, tb, (size_t)la) == 0;
}

/*
 * The rules of @a that differ from @b: those between the longest common
 * head and tail of the two lists, as [*from, *to). A rule in the common
 * head meets the same packets in both files, and decides them alike.
 */
static void changed_window(const struct ipts_chain *a,
			   const struct ipts_chain *b, uint32_t *from,
			   uint32_t *to)
{
	uint32_t head = 0, tail = 0;

	while (head < a->nrules && head < b->nrules &&
	       rules_equal(a->rules[head], b->rules[head]))
		head++;
	while (tail < a->nrules - head && tail < b->nrules - head &&
	       rules_equal(a->rules[a->nrules - 1 - tail],
			   b->rules[b->nrules - 1 - tail]))
		tail++;
	*from = head;
	*to = a->nrules - tail;
}

static bool chains_equal(const struct ipts_chain *a, const struct ipts_chain *b)
{
	uint32_t from, to;

	if (a->nrules != b->nrules || a->policy != b->policy)
		return false;
	changed_window(a, b, &from, &to);
	return from == to;
}

static bool chain_live(const struct ipts_chain *c)
{
	return c && !c->deleted;
}

/*
 * Every rule of a ruleset, table by table in the model's order (a chain
 * removed by -X holds none): rs NULL gives none.
 */
struct rule_cursor {
	const struct ipts_ruleset *rs;
	const struct ipts_chain *chain; /* the last rule's chain */
	unsigned int table;
	uint32_t c, k;
};

static void rule_cursor_init(struct rule_cursor *it,
			     const struct ipts_ruleset *rs)
{
	memset(it, 0, sizeof(*it));
	it->rs = rs;
}

static const struct ipts_rule *rule_cursor_next(struct rule_cursor *it)
{
	for (; it->rs && it->table < IPTS_TABLE_COUNT; it->table++) {
		const struct ipts_table *t = it->rs->tables[it->table];

		for (; t && it->c < t->nchains; it->c++, it->k = 0) {
			const struct ipts_chain *ch = t->chains[it->c];

			if (it->k < ch->nrules) {
				it->chain = ch;
				return ch->rules[it->k++];
			}
		}
		it->c = 0;
	}
	return NULL;
}

/* Chains of @a whose counterpart in @b is missing or different. */
static void add_changed(struct chain_set *focus, const struct ipts_ruleset *a,
			const struct ipts_ruleset *b)
{
	unsigned int id;
	uint32_t i;
	char key[128];

	for (id = 0; id < IPTS_TABLE_COUNT; id++) {
		const struct ipts_table *ta = a->tables[id];
		const struct ipts_table *tb = b ? b->tables[id] : NULL;

		if (!ta)
			continue;
		for (i = 0; i < ta->nchains; i++) {
			const struct ipts_chain *c = ta->chains[i], *o = NULL;

			if (!chain_live(c))
				continue;
			if (tb)
				o = ipts_chain_find(tb, c->name);
			if (chain_live(o) && chains_equal(c, o))
				continue;
			set_add(focus, chain_key(c, key, sizeof(key)));
		}
	}
}

/* Add the chains that jump (or go) to a chain of @reach; true if any. */
static bool add_callers(struct chain_set *reach, const struct ipts_ruleset *rs)
{
	unsigned int id;
	uint32_t i, k;
	bool grew = false;
	char key[128];

	if (!rs)
		return false;
	for (id = 0; id < IPTS_TABLE_COUNT; id++) {
		const struct ipts_table *t = rs->tables[id];

		if (!t)
			continue;
		for (i = 0; i < t->nchains; i++) {
			const struct ipts_chain *c = t->chains[i];

			if (!chain_live(c) || set_has(reach, chain_key(c, key,
								      sizeof(key))))
				continue;
			for (k = 0; k < c->nrules; k++) {
				const struct ipts_rule *r = c->rules[k];

				if (r->dest && set_has(reach, chain_key(r->dest,
						key, sizeof(key)))) {
					set_add(reach, chain_key(c, key,
								 sizeof(key)));
					grew = true;
					break;
				}
			}
		}
	}
	return grew;
}

/* The counterpart of @c in @other, or NULL. */
static const struct ipts_chain *counterpart(const struct ipts_chain *c,
					    const struct ipts_ruleset *other)
{
	const struct ipts_table *t = other ? other->tables[c->table->id] :
		NULL;
	const struct ipts_chain *o = t ? ipts_chain_find(t, c->name) : NULL;

	return chain_live(o) ? o : NULL;
}

/* The rules values came from, for one connection each. */
struct rule_list {
	const struct ipts_rule **r;
	size_t n, cap;
};

static void collect(struct ipts_probe_dims *d, struct rule_list *rl,
		    const struct chain_set *focus, const struct chain_set *reach,
		    const struct ipts_ruleset *rs,
		    const struct ipts_ruleset *other)
{
	unsigned int id;
	uint32_t i, k;
	char key[128];

	if (!rs)
		return;
	for (id = 0; id < IPTS_TABLE_COUNT; id++) {
		const struct ipts_table *t = rs->tables[id];

		if (!t)
			continue;
		for (i = 0; i < t->nchains; i++) {
			const struct ipts_chain *c = t->chains[i], *o;
			uint32_t from = 0, to = 0;

			if (!chain_live(c) || !set_has(reach, chain_key(c, key,
								sizeof(key))))
				continue;
			if (set_has(focus, key)) {
				o = counterpart(c, other);
				to = c->nrules;
				if (o)
					changed_window(c, o, &from, &to);
			}
			for (k = 0; k < c->nrules; k++) {
				const struct ipts_rule *r = c->rules[k];

				if (!(k >= from && k < to) &&
				    !(r->dest && set_has(reach,
					chain_key(r->dest, key, sizeof(key)))))
					continue;
				ipts_probe_dims_add_rule(d, r);
				if (rl->n == rl->cap) {
					rl->cap = rl->cap ? rl->cap * 2 : 64;
					rl->r = ipts_xrealloc(rl->r, rl->cap *
							      sizeof(*rl->r));
				}
				rl->r[rl->n++] = r;
			}
		}
	}
}

/*
 * -j SET (issue 16): a rule of the focus that tests a set S (-m set) or
 * changes it (-j SET) is probed also with every -j SET rule of either
 * file that adds to S or deletes from it: that rule's packets are the
 * elements it can put in S, so its own values (and the elements S holds)
 * are probed, and the rule joins the focus for its exemplar connection.
 * A connection whose first packet changes S and whose later packet reads
 * it is then asked as any connection; a change one connection leaves for
 * another is not (each probe is one connection).
 */
struct set_writer {
	const struct ipts_rule *r;
	struct ipts_ipset_target t;
	bool added;
};

static bool is_set_rule(const struct ipts_rule *r, struct ipts_ipset_target *t)
{
	const struct xt_entry_target *tg = ipts_rule_target(r);

	return tg && ipts_blob_is_opaque(tg->u.user.revision) &&
	       strcmp(tg->u.user.name, "SET") == 0 &&
	       ipts_ipset_target_parse((const char *)tg->data, t) == 0;
}

static void writers_of(const struct ipts_ruleset *rs, struct set_writer **v,
		       size_t *n, size_t *cap)
{
	struct ipts_ipset_target t;
	struct rule_cursor it;
	const struct ipts_rule *r;

	rule_cursor_init(&it, rs);
	while ((r = rule_cursor_next(&it))) {
		if (!is_set_rule(r, &t) || !(t.has_add || t.has_del))
			continue;
		if (*n == *cap) {
			*cap = *cap ? *cap * 2 : 16;
			*v = ipts_xrealloc(*v, *cap * sizeof(**v));
		}
		(*v)[*n].r = r;
		(*v)[*n].t = t;
		(*v)[*n].added = false;
		(*n)++;
	}
}

static bool adt_is(const struct ipts_ipset_adt *a, const char *name, size_t len)
{
	return a->name_len == len && memcmp(a->name, name, len) == 0;
}

/* The writers of the set @name (@len bytes) not yet added: their values,
 * the set's elements as their flags read them, their exemplars. */
static void add_writers(struct ipts_probe_dims *d, struct rule_list *rl,
			struct set_writer *w, size_t nw, const char *name,
			size_t len)
{
	size_t i;

	for (i = 0; i < nw; i++) {
		const struct ipts_ipset_adt *a = NULL;
		struct ipts_ipset_match m = { 0 };

		if (w[i].t.has_add && adt_is(&w[i].t.add, name, len))
			a = &w[i].t.add;
		else if (w[i].t.has_del && adt_is(&w[i].t.del, name, len))
			a = &w[i].t.del;
		if (!a || w[i].added)
			continue;
		w[i].added = true;
		ipts_probe_dims_add_rule(d, w[i].r);
		m.name = a->name;
		m.name_len = a->name_len;
		m.dim = a->dim;
		m.src = a->src;
		ipts_ipset_parts(d->ipsets, &m,
				 d->family == NFPROTO_IPV6 ? 6 : 4,
				 SET_ELEMS_MAX, set_part, d);
		if (rl->n == rl->cap) {
			rl->cap = rl->cap ? rl->cap * 2 : 64;
			rl->r = ipts_xrealloc(rl->r, rl->cap * sizeof(*rl->r));
		}
		rl->r[rl->n++] = w[i].r;
	}
}

static void add_set_writers(struct ipts_probe_dims *d, struct rule_list *rl,
			    const struct ipts_ruleset *old,
			    const struct ipts_ruleset *new_rs)
{
	struct set_writer *w = NULL;
	size_t nw = 0, cap = 0, k, nfocus = rl->n;
	unsigned int i;

	if (!d->ipsets)
		return; /* without the sets -j SET changes nothing */
	writers_of(old, &w, &nw, &cap);
	writers_of(new_rs, &w, &nw, &cap);
	for (k = 0; nw && k < nfocus; k++) {
		const struct ipts_rule *r = rl->r[k];
		struct ipts_ipset_target t;

		for (i = 0; i < r->nmatches; i++) {
			const struct xt_entry_match *m = ipts_rule_match(r, i);
			struct ipts_ipset_match sm;

			if (ipts_blob_is_opaque(m->u.user.revision) &&
			    strcmp(m->u.user.name, "set") == 0 &&
			    ipts_ipset_match_parse((const char *)m->data,
						   &sm) == 0)
				add_writers(d, rl, w, nw, sm.name, sm.name_len);
		}
		if (is_set_rule(r, &t)) {
			if (t.has_add)
				add_writers(d, rl, w, nw, t.add.name,
					    t.add.name_len);
			if (t.has_del)
				add_writers(d, rl, w, nw, t.del.name,
					    t.del.name_len);
		}
	}
	free(w);
}

/*
 * diff --new-ipsets (issue 16): a set whose contents differ between the
 * two captures changes what a rule testing it decides though the rule's
 * words are alike in both files. Every such rule of either file (-m set
 * or -j SET on the set, or on a list:set that holds it in either
 * capture) joins the focus with the jumps that reach its chain, and
 * every rule values came from gives the elements of the new capture
 * too (those of the old one it gave already).
 */
static bool reads_changed(const struct ipts_probe_opts *o,
			  const struct chain_set *names,
			  const struct ipts_ipset_match *m)
{
	const struct ipts_ipsets *caps[2] = { o->ipsets, o->new_ipsets };
	const char *n;
	char key[128];
	bool list = false;
	int c;

	if (m->name_len < sizeof(key)) {
		memcpy(key, m->name, m->name_len);
		key[m->name_len] = '\0';
		if (set_has(names, key))
			return true;
	}
	for (c = 0; c < 2; c++) {
		const struct ipts_ipset *set =
			caps[c] ? ipts_ipsets_find(caps[c], m->name,
						   m->name_len) :
				  NULL;

		if (set && strcmp(ipts_ipset_type(set), "list:set") == 0)
			list = true;
	}
	if (!list)
		return false;
	/* a list:set: the members either capture gives it */
	for (n = o->changed_sets; n && *n; n += strlen(n) + 1)
		for (c = 0; c < 2; c++)
			if (caps[c] && ipts_ipset_reads(caps[c], m, n))
				return true;
	return false;
}

/* The -m set matches and -j SET sets of @r, as matches, to @fn. */
static bool rule_sets(const struct ipts_rule *r,
		      bool (*fn)(const struct ipts_ipset_match *m, void *arg),
		      void *arg)
{
	struct ipts_ipset_target t;
	struct ipts_ipset_match sm;
	const struct ipts_ipset_adt *a[3] = { NULL, NULL, NULL };
	unsigned int i;

	for (i = 0; i < r->nmatches; i++) {
		const struct xt_entry_match *m = ipts_rule_match(r, i);

		if (ipts_blob_is_opaque(m->u.user.revision) &&
		    strcmp(m->u.user.name, "set") == 0 &&
		    ipts_ipset_match_parse((const char *)m->data, &sm) == 0 &&
		    fn(&sm, arg))
			return true;
	}
	if (!is_set_rule(r, &t))
		return false;
	if (t.has_map)
		a[0] = &t.map;
	if (t.has_add)
		a[1] = &t.add;
	if (t.has_del)
		a[2] = &t.del;
	for (i = 0; i < 3; i++) {
		if (!a[i])
			continue;
		memset(&sm, 0, sizeof(sm));
		sm.name = a[i]->name;
		sm.name_len = a[i]->name_len;
		sm.dim = a[i]->dim;
		sm.src = a[i]->src;
		if (fn(&sm, arg))
			return true;
	}
	return false;
}

struct set_changes {
	struct ipts_probe_dims *d;
	const struct ipts_probe_opts *o;
	struct chain_set names;
	bool found;
};

/* A rule tests a changed set: -m set, --map-set, or --add-set and
 * --del-set (whether the element is there already decides what they
 * leave). */
static bool tests_changed(const struct ipts_ipset_match *m, void *arg)
{
	struct set_changes *sc = arg;

	sc->found = reads_changed(sc->o, &sc->names, m);
	return sc->found;
}

static bool new_parts(const struct ipts_ipset_match *m, void *arg)
{
	struct set_changes *sc = arg;

	ipts_ipset_parts(sc->o->new_ipsets, m,
			 sc->d->family == NFPROTO_IPV6 ? 6 : 4, SET_ELEMS_MAX,
			 set_part, sc->d);
	return false;
}

static void rl_push(struct ipts_probe_dims *d, struct rule_list *rl,
		    struct chain_set *in_rl, const struct ipts_rule *r)
{
	char key[32];

	snprintf(key, sizeof(key), "%p", (const void *)r);
	if (!set_add(in_rl, key))
		return;
	ipts_probe_dims_add_rule(d, r);
	if (rl->n == rl->cap) {
		rl->cap = rl->cap ? rl->cap * 2 : 64;
		rl->r = ipts_xrealloc(rl->r, rl->cap * sizeof(*rl->r));
	}
	rl->r[rl->n++] = r;
}

static void add_set_changes(struct ipts_probe_dims *d, struct rule_list *rl,
			    const struct ipts_ruleset *old,
			    const struct ipts_ruleset *new_rs,
			    const struct ipts_probe_opts *o)
{
	const struct ipts_ruleset *rs[2] = { old, new_rs };
	struct set_changes sc = { .d = d, .o = o };
	struct chain_set reach = { 0 }, in_rl = { 0 };
	struct rule_cursor it;
	const struct ipts_rule *r;
	char key[128];
	const char *n;
	unsigned int s;
	size_t j;

	if (!o || !o->new_ipsets)
		return;
	for (n = o->changed_sets; n && *n; n += strlen(n) + 1)
		set_add(&sc.names, n);
	for (j = 0; j < rl->n; j++) {
		snprintf(key, sizeof(key), "%p", (const void *)rl->r[j]);
		set_add(&in_rl, key);
	}
	/* the rules testing a changed set, and their chains */
	for (s = 0; sc.names.n && s < 2; s++) {
		rule_cursor_init(&it, rs[s]);
		while ((r = rule_cursor_next(&it))) {
			sc.found = false;
			rule_sets(r, tests_changed, &sc);
			if (!sc.found)
				continue;
			set_add(&reach, chain_key(it.chain, key, sizeof(key)));
			rl_push(d, rl, &in_rl, r);
		}
	}
	/* the jumps that reach them: their values lead a packet there */
	for (;;) {
		bool more_old = add_callers(&reach, old);
		bool more_new = add_callers(&reach, new_rs);

		if (!more_old && !more_new)
			break;
	}
	for (s = 0; reach.n && s < 2; s++) {
		rule_cursor_init(&it, rs[s]);
		while ((r = rule_cursor_next(&it)))
			if (r->dest && set_has(&reach, chain_key(r->dest, key,
								 sizeof(key))))
				rl_push(d, rl, &in_rl, r);
	}
	/* the new capture's elements, for every rule values came from */
	for (j = 0; j < rl->n; j++)
		rule_sets(rl->r[j], new_parts, &sc);
	set_free(&sc.names);
	set_free(&reach);
	set_free(&in_rl);
}

/* --- the connections -------------------------------------------------- */

enum {
	D_PROTO = IPTS_DIM_PROTO,
	D_SRC = IPTS_DIM_SRC,
	D_DST = IPTS_DIM_DST,
	D_DPORT = IPTS_DIM_DPORT,
	D_SPORT = IPTS_DIM_SPORT,
	D_UID = IPTS_DIM_UID,
	D_GID = IPTS_DIM_GID,
	D_IN = IPTS_DIM_IN,
	D_COUNT = IPTS_DIM_COUNT,
};

static const struct ipts_probe_vals *dim(const struct ipts_probe_dims *d,
					 int i)
{
	switch (i) {
	case D_PROTO:
		return &d->proto;
	case D_SRC:
		return &d->src;
	case D_DST:
		return &d->dst;
	case D_DPORT:
		return &d->dport;
	case D_SPORT:
		return &d->sport;
	case D_UID:
		return &d->uid;
	case D_GID:
		return &d->gid;
	default:
		return &d->in;
	}
}

static size_t index_of(const struct ipts_probe_vals *vals, uint32_t v)
{
	size_t i;

	for (i = 0; i < vals->n; i++)
		if (vals->v[i] == v)
			return i;
	return 0;
}

/* Connections already in the set, by their coordinates. */
struct seen {
	size_t *slot;			/* index into set->q, plus one */
	size_t cap;
};

static size_t hash_query(const struct ipts_query *q)
{
	size_t h = q->proto;
	int i;

	for (i = 0; i < 4; i++) {
		h = h * 1000003u ^ q->src.all[i];
		h = h * 1000003u ^ q->dst.all[i];
	}
	h = h * 1000003u ^ ((size_t)q->dport << 16 | q->sport);
	h = h * 1000003u ^ q->uid;
	h = h * 1000003u ^ q->gid;
	h = h * 1000003u ^ (size_t)(uintptr_t)q->in;
	/* The table takes the low bits, which the products above fill
	 * from the inputs' low bits only (an address's first octet). */
	h ^= h >> 31;
	h *= 0x9e3779b97f4a7c15u;
	return h ^ h >> 29;
}

static bool same_query(const struct ipts_query *a, const struct ipts_query *b)
{
	return a->proto == b->proto && ipts_addr_eq(&a->src, &b->src) &&
	       ipts_addr_eq(&a->dst, &b->dst) && a->dport == b->dport &&
	       a->sport == b->sport && a->uid == b->uid && a->gid == b->gid &&
	       a->in == b->in;
}

/* Insert set->q[n] unless an equal connection is there; true if new. */
static bool seen_add(struct seen *sn, const struct ipts_probe_set *set,
		     size_t n)
{
	size_t i, k;

	if ((n + 1) * 2 > sn->cap) {
		struct seen big;

		big.cap = sn->cap ? sn->cap * 2 : 256;
		big.slot = ipts_xmalloc(big.cap * sizeof(*big.slot));
		memset(big.slot, 0, big.cap * sizeof(*big.slot));
		for (k = 0; k < n; k++) {
			for (i = hash_query(&set->q[k]) & (big.cap - 1);
			     big.slot[i]; i = (i + 1) & (big.cap - 1))
				;
			big.slot[i] = k + 1;
		}
		free(sn->slot);
		*sn = big;
	}
	for (i = hash_query(&set->q[n]) & (sn->cap - 1); sn->slot[i];
	     i = (i + 1) & (sn->cap - 1))
		if (same_query(&set->q[sn->slot[i] - 1], &set->q[n]))
			return false;
	sn->slot[i] = n + 1;
	return true;
}

/* --- a described host ------------------------------------------------ */

/*
 * A place a client can be: place 0 is a local process, the others are
 * hosts behind one of the host's interfaces. Each stands for addresses:
 * the interface's own (what a local server listens on, what a local
 * client's packets leave with) and a neighbour inside its first prefix.
 * They are values of the src and dst dimensions (IPv4: the address;
 * IPv6: its index once the addresses are collected), NO_VAL for none;
 * an IPv6 place keeps its addresses in own6 and inside6 until then.
 */
#define NO_VAL UINT32_MAX /* 255.255.255.255: never a place's address */

struct place {
	const struct ipts_host_iface *f; /* NULL: place 0 */
	uint32_t own; /* the first address; NO_VAL: none */
	uint32_t inside; /* a neighbour on the link; NO_VAL: none */
	union nf_inet_addr own6, inside6; /* IPv6: :: for none */
	bool dflt; /* the route to `outside` leaves by it */
};

struct host_plan {
	const struct ipts_hostdesc *h; /* NULL: no host, place 0 only */
	bool v6;
	struct place p[MAX_PLACES + 1];
	size_t n;
	uint32_t outside; /* in no prefix of the host; NO_VAL: none found */
	uint32_t lo; /* 127.0.0.1, or ::1's value */
	union nf_inet_addr outside6;
};

static bool is_loopback(uint32_t addr)
{
	return (ntohl(addr) >> 24) == 127;
}

/* Whether @a of query @q is local without --local-addr: 127.0.0.0/8,
 * or ::1 (IPv6 has no other loopback address). */
static bool loopback_of(const struct ipts_query *q, const union nf_inet_addr *a)
{
	if (q->family == NFPROTO_IPV6)
		return !a->all[0] && !a->all[1] && !a->all[2] &&
		       a->all[3] == htonl(1);
	return is_loopback(a->ip);
}

static bool host_local(const struct host_plan *hp, const union nf_inet_addr *a)
{
	if (hp->v6)
		return (!a->all[0] && !a->all[1] && !a->all[2] &&
			a->all[3] == htonl(1)) ||
		       ipts_host6_addr_type(hp->h, &a->in6) == IPTS_RTN_LOCAL;
	return ipts_place_local(hp->h, a->ip);
}

static bool addr6_none(const union nf_inet_addr *a)
{
	return !a->all[0] && !a->all[1] && !a->all[2] && !a->all[3];
}

/* The first address of @f a local server listens on: IPv6 global or
 * unique-local (link-local ones need their zone), usable (not
 * tentative). */
static const struct ipts_host_addr6 *first6(const struct ipts_host_iface *f)
{
	size_t k;

	for (k = 0; k < f->naddrs6; k++) {
		const struct ipts_host_addr6 *x = &f->addrs6[k];

		if (x->scope == IPTS_SCOPE_UNIVERSE && !x->tentative)
			return x;
	}
	return NULL;
}

static void mask6_of(struct in6_addr *m, uint8_t len)
{
	int i;

	for (i = 0; i < 16; i++)
		m->s6_addr[i] = len >= (i + 1) * 8 ? 0xff :
				len > i * 8 ? (uint8_t)(0xff << (8 - len % 8)) :
					      0;
}

static bool in_prefix6(const struct in6_addr *a, const struct in6_addr *p,
		       uint8_t len)
{
	struct in6_addr m;
	int i;

	mask6_of(&m, len);
	for (i = 0; i < 16; i++)
		if ((a->s6_addr[i] ^ p->s6_addr[i]) & m.s6_addr[i])
			return false;
	return true;
}

/* As ipts_place_neighbour(), IPv6: an address of @f's first prefix past
 * the subnet-router anycast (the prefix's first) that is not the
 * host's; :: when there is no room. */
static union nf_inet_addr neighbour6(const struct host_plan *hp,
				     const struct ipts_host_iface *f)
{
	const struct ipts_host_addr6 *x = first6(f);
	union nf_inet_addr a = { 0 }, net, last;
	struct in6_addr m;
	unsigned int k;

	if (!x || x->prefixlen >= 128)
		return a;
	mask6_of(&m, x->prefixlen);
	prefix6_ends(&x->local, &m, &net, &last);
	for (k = 1; k <= 8; k++) {
		if (!addr6_step(&net, 1) ||
		    !in_prefix6(&net.in6, &x->local, x->prefixlen))
			break;
		if (!host_local(hp, &net))
			return net;
	}
	return a;
}

/* As ipts_place_outside(), IPv6: a documentation address outside every
 * prefix of the host, then two that are not; :: when none is. */
static union nf_inet_addr outside6(const struct host_plan *hp)
{
	static const uint8_t far[][16] = {
		{ 0x20, 0x01, 0x0d, 0xb8, 0xff, 0xff, [15] = 0x45 },
		{ 0x3f, 0xff, [15] = 0x45 },
		{ 0x20, 0x01, 0x48, 0x60, 0x48, 0x60, [14] = 0x88, 0x88 },
	};
	union nf_inet_addr a = { 0 };
	size_t i, j, k;

	for (i = 0; i < sizeof(far) / sizeof(far[0]); i++) {
		bool on_link = false;

		memcpy(a.in6.s6_addr, far[i], 16);
		for (j = 0; j < ipts_hostdesc_iface_count(hp->h); j++) {
			const struct ipts_host_iface *f =
				ipts_hostdesc_iface_at(hp->h, j);

			for (k = 0; k < f->naddrs6; k++)
				on_link |= in_prefix6(&a.in6,
						      &f->addrs6[k].local,
						      f->addrs6[k].prefixlen);
		}
		if (!on_link &&
		    ipts_host6_addr_type(hp->h, &a.in6) == IPTS_RTN_UNICAST)
			return a;
	}
	memset(&a, 0, sizeof(a));
	return a;
}

/* The device the host's route to @a leaves by; NULL: none. */
static const struct ipts_host_iface *route_dev(const struct host_plan *hp,
					       const union nf_inet_addr *a)
{
	if (hp->v6) {
		struct ipts_fib6_flow fl = { .daddr = a->in6 };
		struct ipts_fib6_result fr;

		ipts_fib6_route_output(hp->h, &fl, &fr, NULL);
		return fr.status == IPTS_FIB_OK && fr.route ? fr.dev : NULL;
	} else {
		struct ipts_fib_flow fl = { .daddr = a->ip };
		struct ipts_fib_result fr;

		ipts_fib_route_output(hp->h, &fl, &fr, NULL);
		return fr.status == IPTS_FIB_OK ? fr.dev : NULL;
	}
}

static void plan_host(struct host_plan *hp, const struct ipts_hostdesc *h,
		      bool v6)
{
	const struct ipts_host_iface *out = NULL;
	union nf_inet_addr o = { 0 };
	size_t i;

	memset(hp, 0, sizeof(*hp));
	hp->n = 1;
	hp->h = h;
	hp->v6 = v6;
	hp->lo = htonl(LOOPBACK);
	hp->outside = NO_VAL;
	hp->p[0].own = hp->p[0].inside = NO_VAL;
	if (!h)
		return;
	if (v6) {
		hp->outside6 = outside6(hp);
		o = hp->outside6;
	} else {
		o.ip = ipts_place_outside(h);
		hp->outside = o.ip ? o.ip : NO_VAL;
	}
	if (!addr6_none(&o))
		out = route_dev(hp, &o);
	for (i = 0; i < ipts_hostdesc_iface_count(h) && hp->n <= MAX_PLACES;
	     i++) {
		const struct ipts_host_iface *f = ipts_hostdesc_iface_at(h, i);
		const struct ipts_host_addr6 *x;
		struct place *p;

		/* a bridge port's packets meet iptables on its bridge */
		if (f->loopback || f->bridge_port)
			continue;
		p = &hp->p[hp->n++];
		p->f = f;
		p->own = p->inside = NO_VAL;
		if (v6) {
			x = first6(f);
			if (x)
				p->own6.in6 = x->local;
			p->inside6 = neighbour6(hp, f);
		} else {
			p->own = f->naddrs ? f->addrs[0].local : NO_VAL;
			p->inside = ipts_place_neighbour(h, f);
			if (!p->inside)
				p->inside = NO_VAL;
		}
		p->dflt = out == f;
	}
}

static void add_local6(struct ipts_probe_dims *d,
		       const union nf_inet_addr *local, size_t n);
static uint32_t rank6(const struct ipts_probe_dims *d, union nf_inet_addr a);

/* IPv6: the places' addresses among those asked (before finish6()). */
static void plan_add6(struct ipts_probe_dims *d, const struct host_plan *hp)
{
	size_t k;

	for (k = 1; k < hp->n; k++) {
		if (!addr6_none(&hp->p[k].own6))
			add_local6(d, &hp->p[k].own6, 1);
		if (!addr6_none(&hp->p[k].inside6))
			add_local6(d, &hp->p[k].inside6, 1);
	}
	if (hp->h && !addr6_none(&hp->outside6))
		add_local6(d, &hp->outside6, 1);
}

static uint32_t val6(const struct ipts_probe_dims *d,
		     const union nf_inet_addr *a)
{
	uint32_t v = addr6_none(a) ? NO_VAL : rank6(d, *a);

	return v == UINT32_MAX ? NO_VAL : v;
}

/* IPv6: the places' values, once finish6() has ranked the addresses. */
static void plan_rank6(struct host_plan *hp, const struct ipts_probe_dims *d)
{
	size_t k;

	for (k = 1; k < hp->n; k++) {
		hp->p[k].own = val6(d, &hp->p[k].own6);
		hp->p[k].inside = val6(d, &hp->p[k].inside6);
	}
	if (hp->h)
		hp->outside = val6(d, &hp->outside6);
}

/* Whether device @name matches the rule's @dev under @mask, as the
 * kernel compares them (ifname_compare_aligned(): "eth+" is "eth" with a
 * three-byte mask). */
static bool dev_match(const char *name, const char *dev,
		      const unsigned char *mask)
{
	char n[IFNAMSIZ] = { 0 };
	size_t i, len = strnlen(name, IFNAMSIZ - 1);

	memcpy(n, name, len);
	for (i = 0; i < IFNAMSIZ; i++)
		if ((n[i] ^ dev[i]) & mask[i])
			return false;
	return true;
}

/* The name of place @k's device as the rules see it on arrival. */
static const char *place_dev(const struct host_plan *hp, size_t k)
{
	return k ? hp->p[k].f->name : "lo";
}

/* Whether a rule's -i (with its ! and wildcard) lets place @k in. */
static bool in_allowed(const struct host_plan *hp, const struct hdr *ip,
		       size_t k)
{
	bool m;

	if (!ip->iniface[0])
		return true;
	m = dev_match(place_dev(hp, k), ip->iniface, ip->iniface_mask);
	return (ip->invflags & IPT_INV_VIA_IN) ? !m : m;
}

/* Whether the rule's -o lets a packet leave by place @j's device. */
static bool out_allowed(const struct host_plan *hp, const struct hdr *ip,
			size_t j)
{
	bool m;

	if (!ip->outiface[0])
		return true;
	m = dev_match(place_dev(hp, j), ip->outiface, ip->outiface_mask);
	return (ip->invflags & IPT_INV_VIA_OUT) ? !m : m;
}

/* --- the connections -------------------------------------------------- */

struct builder {
	struct ipts_probe_set *set;
	const struct host_plan *hp;
	struct seen seen;
	size_t cap, max;
	uint32_t uid0, gid0; /* a remote client has no uid */
};

/* Whether a remote client asks for a host routed back out the interface
 * it came in on: a hairpin, which the simulator does not answer (see
 * sim/handshake.c). A DNAT can still make one; the walk then says so. */
static bool hairpin(const struct host_plan *hp, const struct ipts_query *q)
{
	const struct ipts_host_iface *f = ipts_hostdesc_iface(hp->h, q->in);

	if (!f || host_local(hp, &q->dst))
		return false;
	return route_dev(hp, &q->dst) == f;
}

/* Whether the host's route to a remote client's source leaves by the
 * interface the client's packets come in on. */
static bool routes_back(const struct host_plan *hp, const struct ipts_query *q)
{
	const struct ipts_host_iface *f = ipts_hostdesc_iface(hp->h, q->in);

	return f && route_dev(hp, &q->src) == f;
}

/*
 * Whether a connection can be asked on the host: a local client's source
 * is the host's, a remote one's is not; a remote client has no uid or
 * gid (the defaults stand for it); a local client bound to 127/8 talks
 * to the host only; a remote client's destination is not routed back
 * where it came from, and unless @spoof (a rule named the source), the
 * host's route to its source leaves by the interface it came in on: the
 * sources rp_filter would let in on the strictest setting. A spoofed
 * source is asked only where a rule tells it apart.
 */
static bool plausible(const struct builder *bd, const struct ipts_query *q,
		      bool spoof)
{
	if (!bd->hp->h)
		return true;
	if (!q->in)
		return host_local(bd->hp, &q->src) &&
		       (!loopback_of(q, &q->src) ||
			host_local(bd->hp, &q->dst));
	return !host_local(bd->hp, &q->src) &&
	       !ipts_addr_eq(&q->src, &q->dst) && q->uid == bd->uid0 &&
	       q->gid == bd->gid0 && !hairpin(bd->hp, q) &&
	       (spoof || routes_back(bd->hp, q));
}

static void set_push_as(struct builder *bd, const size_t *at, bool spoof)
{
	struct ipts_probe_set *set = bd->set;
	const struct ipts_probe_dims *d = &set->dims;
	struct ipts_query *q;

	if (set->n >= bd->max)
		return;
	if (set->n == bd->cap) {
		bd->cap = bd->cap ? bd->cap * 2 : 64;
		set->q = ipts_xrealloc(set->q, bd->cap * sizeof(*set->q));
	}
	q = &set->q[set->n];
	ipts_query_init(q);
	q->proto = (uint8_t)d->proto.v[at[D_PROTO]];
	if (d->family == NFPROTO_IPV6) {
		q->family = NFPROTO_IPV6;
		q->src = d->addrs.a[d->src.v[at[D_SRC]]];
		q->dst = d->addrs.a[d->dst.v[at[D_DST]]];
	} else {
		q->src.ip = d->src.v[at[D_SRC]];
		q->dst.ip = d->dst.v[at[D_DST]];
	}
	q->dport = (uint16_t)d->dport.v[at[D_DPORT]];
	q->sport = (uint16_t)d->sport.v[at[D_SPORT]];
	q->uid = d->uid.v[at[D_UID]];
	q->gid = d->gid.v[at[D_GID]];
	q->in = set->in ? set->in[d->in.v[at[D_IN]]] : NULL;
	if (!plausible(bd, q, spoof))
		return;
	if (bd->hp->h) {
		/* the source asked is the source used */
		q->given = IPTS_QGIVEN_SRC | (q->in ? IPTS_QGIVEN_IN : 0);
	} else {
		if (!loopback_of(q, &q->src))
			q->local_addrs[q->nlocal++] = q->src;
		if (!loopback_of(q, &q->dst) && !ipts_addr_eq(&q->dst, &q->src))
			q->local_addrs[q->nlocal++] = q->dst;
	}
	if (seen_add(&bd->seen, set, set->n))
		set->n++;
}

static void set_push(struct builder *bd, const size_t *at)
{
	set_push_as(bd, at, false);
}

static uint32_t prefix_inside(uint32_t addr, uint32_t mask)
{
	uint32_t net = ntohl(addr) & ntohl(mask);

	return htonl(ntohl(mask) == 0xffffffffu ? net : net + 1);
}

static void exemplar_match(const struct ipts_probe_dims *d, size_t *at,
			   const struct xt_entry_match *m)
{
	const char *name = m->u.user.name;

	if (ipts_blob_is_opaque(m->u.user.revision))
		return;
	if (strcmp(name, "tcp") == 0 || strcmp(name, "udp") == 0) {
		/* xt_tcp and xt_udp begin alike: spts, dpts */
		const struct xt_udp *u = ipts_match_data(m, sizeof(*u), NULL);

		if (!u)
			return;
		if (!(u->invflags & XT_UDP_INV_DSTPT) &&
		    !(u->dpts[0] == 0 && u->dpts[1] == 65535))
			at[D_DPORT] = pos_or(&d->dport, u->dpts[0] ? u->dpts[0] :
					     u->dpts[1], at[D_DPORT]);
		if (!(u->invflags & XT_UDP_INV_SRCPT) &&
		    !(u->spts[0] == 0 && u->spts[1] == 65535))
			at[D_SPORT] = pos_or(&d->sport, u->spts[0] ? u->spts[0] :
					     u->spts[1], at[D_SPORT]);
	} else if (strcmp(name, "multiport") == 0) {
		const struct xt_multiport *mp = ipts_match_data(m,
			m->u.user.revision >= 1 ? sizeof(struct xt_multiport_v1)
						: sizeof(*mp), NULL);
		bool inv;

		if (!mp)
			return;
		inv = m->u.user.revision >= 1 &&
		      ((const struct xt_multiport_v1 *)mp)->invert;
		if (mp->count && !inv && mp->flags != XT_MULTIPORT_SOURCE)
			at[D_DPORT] = pos_or(&d->dport, mp->ports[0],
					     at[D_DPORT]);
	} else if (strcmp(name, "owner") == 0) {
		const struct xt_owner_match_info *o =
			ipts_match_data(m, sizeof(*o), NULL);

		if (!o)
			return;
		if ((o->match & XT_OWNER_UID) && !(o->invert & XT_OWNER_UID))
			at[D_UID] = pos_or(&d->uid, o->uid_min, at[D_UID]);
		if ((o->match & XT_OWNER_GID) && !(o->invert & XT_OWNER_GID))
			at[D_GID] = pos_or(&d->gid, o->gid_min, at[D_GID]);
	} else if (strcmp(name, "iprange") == 0 && m->u.user.revision >= 1) {
		const struct xt_iprange_mtinfo *r =
			ipts_match_data(m, sizeof(*r), NULL);

		if (!r)
			return;
		bool v6 = d->family == NFPROTO_IPV6;

		if ((r->flags & IPRANGE_SRC) && !(r->flags & IPRANGE_SRC_INV))
			at[D_SRC] = pos_or(&d->src,
					   v6 ? rank6(d, r->src_min) :
						r->src_min.ip,
					   at[D_SRC]);
		if ((r->flags & IPRANGE_DST) && !(r->flags & IPRANGE_DST_INV))
			at[D_DST] = pos_or(&d->dst,
					   v6 ? rank6(d, r->dst_min) :
						r->dst_min.ip,
					   at[D_DST]);
	}
}

/* One connection the rule matches on what it names, defaults elsewhere. */
static void exemplar(const struct ipts_probe_dims *d, size_t *at,
		     const struct ipts_rule *r)
{
	struct hdr hd;
	const struct hdr *h = rule_hdr(r, &hd);
	const struct ipt_ip *ip = h->ip;
	unsigned int i;

	if ((h->proto == IPPROTO_TCP || h->proto == IPPROTO_UDP) &&
	    !(h->invflags & IPT_INV_PROTO))
		at[D_PROTO] = pos_or(&d->proto, h->proto, at[D_PROTO]);
	if (h->v6) {
		const struct ip6t_ip6 *ip6 = h->ip6;

		if (!mask6_is(&ip6->smsk, 0) && !(h->invflags & IP6T_INV_SRCIP))
			at[D_SRC] = pos_or(&d->src,
					   rank6(d, prefix6_inside(&ip6->src,
								   &ip6->smsk)),
					   at[D_SRC]);
		if (!mask6_is(&ip6->dmsk, 0) && !(h->invflags & IP6T_INV_DSTIP))
			at[D_DST] = pos_or(&d->dst,
					   rank6(d, prefix6_inside(&ip6->dst,
								   &ip6->dmsk)),
					   at[D_DST]);
	} else {
		if (ip->smsk.s_addr && !(ip->invflags & IPT_INV_SRCIP))
			at[D_SRC] = pos_or(&d->src,
					   prefix_inside(ip->src.s_addr,
							 ip->smsk.s_addr),
					   at[D_SRC]);
		if (ip->dmsk.s_addr && !(ip->invflags & IPT_INV_DSTIP))
			at[D_DST] = pos_or(&d->dst,
					   prefix_inside(ip->dst.s_addr,
							 ip->dmsk.s_addr),
					   at[D_DST]);
	}
	for (i = 0; i < r->nmatches; i++)
		exemplar_match(d, at, ipts_rule_match(r, i));
}

/* The place the route to the outside leaves by; 0: none. */
static size_t dflt_place(const struct host_plan *hp)
{
	size_t i;

	for (i = 1; i < hp->n; i++)
		if (hp->p[i].dflt)
			return i;
	return 0;
}

/*
 * The rule's connections on the host, one per place it can be met from:
 * from place @k (allowed by its -i) to a local server, to a host behind
 * place @j (allowed by its -o) or to the outside; the rule's own values
 * where it names them, the places' addresses elsewhere: a remote client
 * from outside and from its link, a local one from the address of the
 * way out.
 */
static void exemplar_places(struct builder *bd, const size_t *base,
			    const struct ipts_rule *r)
{
	const struct host_plan *hp = bd->hp;
	const struct ipts_probe_dims *d = &bd->set->dims;
	struct hdr hd;
	const struct hdr *ip = rule_hdr(r, &hd);
	size_t at[D_COUNT], rule_at[D_COUNT], k, j, s, out = dflt_place(hp);

	memcpy(rule_at, base, sizeof(rule_at));
	exemplar(d, rule_at, r);
	for (k = 0; k < hp->n; k++) {
		if (!in_allowed(hp, ip, k))
			continue;
		/* j == 0: a local server; j == hp->n: the outside */
		for (j = 0; j <= hp->n; j++) {
			uint32_t dst, srcs[2] = { NO_VAL, NO_VAL };

			if (j == hp->n)
				dst = !k || !hp->p[k].dflt ? hp->outside :
							     NO_VAL;
			else if (j == 0)
				dst = k ? hp->p[k].own : hp->lo;
			else
				dst = j != k ? hp->p[j].inside : NO_VAL;
			if (dst == NO_VAL ||
			    !out_allowed(hp, ip, j == hp->n ? out : j))
				continue;
			if (k) {
				srcs[0] = hp->outside;
				srcs[1] = hp->p[k].inside;
			} else if (j) {
				srcs[0] = hp->p[j == hp->n ? out : j].own;
			}
			for (s = 0; s < 2; s++) {
				memcpy(at, rule_at, sizeof(at));
				at[D_IN] = pos_or(&d->in, (uint32_t)k, 0);
				if (rule_at[D_DST] == base[D_DST])
					at[D_DST] = pos_or(&d->dst, dst,
							   at[D_DST]);
				if (rule_at[D_SRC] == base[D_SRC] &&
				    srcs[s] != NO_VAL)
					at[D_SRC] = pos_or(&d->src, srcs[s],
							   at[D_SRC]);
				else if (s)
					break; /* nothing else to try */
				set_push_as(bd, at,
					    rule_at[D_SRC] != base[D_SRC]);
			}
		}
	}
}

/*
 * In order, until the cap: the defaults (one per base: a local client,
 * then each place's own); for each rule values came from, one connection
 * it matches (with a host: one per place it can be met from); every
 * value of each dimension once, the others at a base's default; then
 * every other combination.
 */
static void enumerate(struct ipts_probe_set *set, const size_t (*base)[D_COUNT],
		      size_t nbase, const struct host_plan *hp,
		      const struct rule_list *rl, size_t max)
{
	const struct ipts_probe_dims *d = &set->dims;
	struct builder bd = { .set = set, .max = max, .hp = hp };
	size_t at[D_COUNT], total = 1, k, b, tries;
	int i;

	bd.uid0 = d->uid.v[base[0][D_UID]];
	bd.gid0 = d->gid.v[base[0][D_GID]];
	for (i = 0; i < D_COUNT; i++) {
		size_t n = dim(d, i)->n;

		total = total > SIZE_MAX / n ? SIZE_MAX : total * n;
	}
	set->total = total;
	for (b = 0; b < nbase; b++)
		set_push(&bd, base[b]);
	for (k = 0; k < rl->n && set->n < max; k++) {
		if (hp->h) {
			exemplar_places(&bd, base[0], rl->r[k]);
			continue;
		}
		memcpy(at, base[0], sizeof(at));
		exemplar(d, at, rl->r[k]);
		set_push(&bd, at);
	}
	for (b = 0; b < nbase; b++) {
		for (i = 0; i < D_COUNT; i++) {
			for (k = 0; k < dim(d, i)->n && set->n < max; k++) {
				memcpy(at, base[b], sizeof(at));
				at[i] = k;
				set_push(&bd, at);
			}
		}
	}
	/* implausible combinations are skipped: bound the search too */
	memset(at, 0, sizeof(at));
	for (tries = 0; set->n < max && tries / 16 < max; tries++) {
		set_push(&bd, at);
		for (i = D_COUNT - 1; i >= 0; i--) {
			if (++at[i] < dim(d, i)->n)
				break;
			at[i] = 0;
		}
		if (i < 0) {
			if (hp->h)
				set->total = set->n; /* all plausible */
			break;
		}
	}
	free(bd.seen.slot);
}

static void id_classes(struct ipts_probe_set *set,
		       const struct ipts_ruleset *rs);

/* Each place's addresses, among the values asked. */
static void add_places(struct ipts_probe_dims *d, const struct host_plan *hp)
{
	size_t k;

	for (k = 0; k < hp->n; k++) {
		vals_add(&d->in, (uint32_t)k);
		if (!k)
			continue;
		if (hp->v6)
			continue; /* plan_add6() */
		if (hp->p[k].own != NO_VAL) {
			vals_add(&d->src, hp->p[k].own);
			vals_add(&d->dst, hp->p[k].own);
		}
		if (hp->p[k].inside != NO_VAL) {
			vals_add(&d->src, hp->p[k].inside);
			vals_add(&d->dst, hp->p[k].inside);
		}
	}
	if (!hp->v6 && hp->outside != NO_VAL) {
		vals_add(&d->src, hp->outside);
		vals_add(&d->dst, hp->outside);
	}
}

/*
 * The bases on a host, after the local one: from outside to each place's
 * own address, from its neighbour too; from each place's neighbour and
 * from outside to each other place's neighbour and to the outside
 * (forwarded pairs).
 */
static size_t host_bases(const struct ipts_probe_dims *d,
			 const struct host_plan *hp, size_t (*base)[D_COUNT],
			 size_t room)
{
	size_t n = 1, k, j, s;

	for (k = 1; k < hp->n; k++) {
		uint32_t srcs[2] = { hp->outside, hp->p[k].inside };

		for (s = 0; s < 2; s++) {
			if (srcs[s] == NO_VAL)
				continue;
			for (j = 0; j <= hp->n && n < room; j++) {
				uint32_t dst = j == 0 ? hp->p[k].own :
					       j == hp->n ?
							(hp->p[k].dflt ?
								 NO_VAL :
								 hp->outside) :
					       j == k ? NO_VAL :
							hp->p[j].inside;

				if (dst == NO_VAL || dst == srcs[s])
					continue;
				memcpy(base[n], base[0], sizeof(base[0]));
				base[n][D_IN] = pos_or(&d->in, (uint32_t)k, 0);
				base[n][D_SRC] = pos_or(&d->src, srcs[s], 0);
				base[n][D_DST] = pos_or(&d->dst, dst, 0);
				n++;
			}
		}
	}
	return n;
}

/* ::1, the IPv6 default of both ends. */
static const union nf_inet_addr loopback6 = {
	.in6 = { .s6_addr = { [15] = 1 } },
};

/*
 * The host's own IPv6 addresses (@n of them), asked as either end of a
 * local connection: over lo, ::1 alone; on a described host, its
 * interfaces' addresses, their neighbours' and the outside's too
 * (plan_add6()).
 */
static void add_local6(struct ipts_probe_dims *d,
		       const union nf_inet_addr *local, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		/* after the rules' values: addr6_add()'s cap must not
		 * leave the defaults out */
		addr6_insert(&d->src6, &local[i], SIZE_MAX);
		addr6_insert(&d->dst6, &local[i], SIZE_MAX);
	}
}

int ipts_probe_derive(const struct ipts_ruleset *old,
		      const struct ipts_ruleset *new_rs,
		      const struct ipts_probe_opts *opts,
		      struct ipts_probe_set *set)
{
	struct ipts_probe_dims *d = &set->dims;
	struct chain_set focus = { 0 }, reach = { 0 };
	struct rule_list rl = { 0 };
	struct host_plan *hp = ipts_xmalloc(sizeof(*hp));
	size_t(*base)[D_COUNT], nbase, room;
	size_t max = opts && opts->max ? opts->max : IPTS_PROBE_DEFAULT_MAX;
	size_t i;

	d->family = (old ? old : new_rs) && (old ? old : new_rs)->family ==
						    IPTS_FAMILY_IPV6 ?
			    NFPROTO_IPV6 :
			    NFPROTO_IPV4;
	plan_host(hp, opts ? opts->host : NULL, d->family == NFPROTO_IPV6);
	d->ipsets = opts ? opts->ipsets : NULL;
	/* the host's values first: a full dimension takes no more */
	add_places(d, hp);
	if (hp->h) {
		set->nin = hp->n;
		set->in = ipts_xmalloc(hp->n * sizeof(*set->in));
		for (i = 0; i < hp->n; i++)
			set->in[i] = i ? hp->p[i].f->name : NULL;
	}
	if (old)
		add_changed(&focus, old, new_rs);
	if (new_rs)
		add_changed(&focus, new_rs, old);
	for (i = 0; i < focus.cap; i++)
		if (focus.keys[i])
			set_add(&reach, focus.keys[i]);
	/* both sides each round: no short-circuit */
	for (;;) {
		bool more_old = add_callers(&reach, old);
		bool more_new = add_callers(&reach, new_rs);

		if (!more_old && !more_new)
			break;
	}
	collect(d, &rl, &focus, &reach, old, new_rs);
	collect(d, &rl, &focus, &reach, new_rs, old);
	add_set_changes(d, &rl, old, new_rs, opts);
	add_set_writers(d, &rl, old, new_rs);
	set->focus_rules = rl.n;
	set_free(&focus);
	set_free(&reach);

	vals_add(&d->proto, IPPROTO_TCP);
	if (d->family == NFPROTO_IPV6) {
		add_local6(d, &loopback6, 1);
		plan_add6(d, hp);
		finish6(d);
		plan_rank6(hp, d);
		hp->lo = rank6(d, loopback6);
	} else {
		vals_add(&d->src, htonl(LOOPBACK));
		vals_add(&d->dst, htonl(LOOPBACK));
	}
	vals_add(&d->dport, 22);
	vals_add(&d->dport, 80);
	vals_add(&d->dport, 1060);
	vals_add(&d->sport, DEFAULT_SPORT);
	vals_add(&d->uid, 0);
	vals_add(&d->uid, 1000);
	vals_add(&d->gid, 0);
	vals_add(&d->in, 0);
	if (opts && opts->proto) {
		d->proto.n = 0;
		vals_add(&d->proto, opts->proto);
	}
	if (opts && opts->uids) {
		d->uid.n = 0;
		for (i = 0; i < opts->nuids; i++)
			vals_add(&d->uid, opts->uids[i]);
	}
	if (opts && opts->dports) {
		d->dport.n = 0;
		for (i = 0; i < opts->ndports; i++)
			vals_add(&d->dport, opts->dports[i]);
	}
	room = 1 + 2 * (hp->n - 1) * (hp->n + 1);
	base = ipts_xmalloc(room * sizeof(*base));
	base[0][D_PROTO] = index_of(&d->proto, IPPROTO_TCP);
	base[0][D_SRC] = index_of(&d->src, d->family == NFPROTO_IPV6 ?
						   rank6(d, loopback6) :
						   htonl(LOOPBACK));
	base[0][D_DST] = index_of(&d->dst, d->family == NFPROTO_IPV6 ?
						   rank6(d, loopback6) :
						   htonl(LOOPBACK));
	base[0][D_DPORT] = index_of(&d->dport, 1060);
	base[0][D_SPORT] = index_of(&d->sport, DEFAULT_SPORT);
	base[0][D_UID] = index_of(&d->uid, 0);
	base[0][D_GID] = index_of(&d->gid, 0);
	base[0][D_IN] = index_of(&d->in, 0);
	nbase = host_bases(d, hp, base, room);
	enumerate(set, (const size_t(*)[D_COUNT])base, nbase, hp, &rl, max);
	free(base);
	free(hp);
	free(rl.r);
	set->classes[D_UID].known = set->classes[D_GID].known = true;
	id_classes(set, old);
	id_classes(set, new_rs);
	return 0;
}

void ipts_probe_set_free(struct ipts_probe_set *set)
{
	int i;

	free(set->q);
	free(set->in);
	ipts_probe_dims_free(&set->dims);
	for (i = 0; i < D_COUNT; i++)
		free(set->classes[i].start.v);
	memset(set, 0, sizeof(*set));
}

/* --- dimensions ------------------------------------------------------- */

const struct ipts_probe_vals *
ipts_probe_dim_vals(const struct ipts_probe_set *set, enum ipts_probe_dim d)
{
	return dim(&set->dims, d);
}

uint32_t ipts_probe_coord(const struct ipts_probe_set *set,
			  const struct ipts_query *q, enum ipts_probe_dim d)
{
	size_t k;

	switch (d) {
	case IPTS_DIM_PROTO:
		return q->proto;
	case IPTS_DIM_SRC:
		return set->dims.family == NFPROTO_IPV6 ?
			       rank6(&set->dims, q->src) :
			       q->src.ip;
	case IPTS_DIM_DST:
		return set->dims.family == NFPROTO_IPV6 ?
			       rank6(&set->dims, q->dst) :
			       q->dst.ip;
	case IPTS_DIM_DPORT:
		return q->dport;
	case IPTS_DIM_SPORT:
		return q->sport;
	case IPTS_DIM_UID:
		return q->uid;
	case IPTS_DIM_GID:
		return q->gid;
	default:
		for (k = 1; q->in && k < set->nin; k++)
			if (set->in[k] == q->in ||
			    strcmp(set->in[k], q->in) == 0)
				return (uint32_t)k;
		return 0;
	}
}

uint8_t ipts_probe_family(const struct ipts_probe_set *set)
{
	return set->dims.family == NFPROTO_IPV6 ? NFPROTO_IPV6 : NFPROTO_IPV4;
}

void ipts_probe_addr(const struct ipts_probe_set *set, uint32_t v,
		     union nf_inet_addr *out)
{
	memset(out, 0, sizeof(*out));
	if (set->dims.family != NFPROTO_IPV6)
		out->ip = v;
	else if (v < set->dims.addrs.n)
		*out = set->dims.addrs.a[v];
}

uint32_t ipts_probe_dim_max(enum ipts_probe_dim d)
{
	switch (d) {
	case IPTS_DIM_PROTO:
		return 255;
	case IPTS_DIM_DPORT:
	case IPTS_DIM_SPORT:
		return 65535;
	case IPTS_DIM_UID:
	case IPTS_DIM_GID:
		return 0xfffffffeu;	/* (uid_t)-1 is no uid */
	case IPTS_DIM_IN:
		return MAX_PLACES;
	default:
		return 0xffffffffu;
	}
}

/* Unbounded, unlike vals_add(): a lost bound would make a class lie. */
static void start_add(struct ipts_probe_classes *c, uint64_t v, uint32_t max)
{
	struct ipts_probe_vals *vals = &c->start;
	size_t i;

	if (v > max || ipts_probe_vals_has(vals, (uint32_t)v))
		return;
	if (vals->n == vals->cap) {
		vals->cap = vals->cap ? vals->cap * 2 : 8;
		vals->v = ipts_xrealloc(vals->v, vals->cap * sizeof(*vals->v));
	}
	for (i = vals->n; i > 0 && vals->v[i - 1] > v; i--)
		vals->v[i] = vals->v[i - 1];
	vals->v[i] = (uint32_t)v;
	vals->n++;
}

/*
 * The uid and gid classes: the simulator tests a process's uid and gid
 * only in owner_mt() (sim/match_misc.c), by [min, max] ranges, so the
 * ends of every owner range of both files cut the classes. Any owner
 * match it cannot read (another revision, an opaque blob) makes them
 * unknown.
 */
static void owner_classes(struct ipts_probe_classes *uc,
			  struct ipts_probe_classes *gc,
			  const struct xt_entry_match *x)
{
	const struct xt_owner_match_info *o =
		ipts_match_data(x, sizeof(*o), NULL);
	const uint32_t top = 0xfffffffeu;

	if (strcmp(x->u.user.name, "owner"))
		return;
	if (x->u.user.revision != 1 ||
	    ipts_blob_is_opaque(x->u.user.revision) || !o) {
		uc->known = gc->known = false;
		return;
	}
	if (o->match & XT_OWNER_UID) {
		start_add(uc, o->uid_min, top);
		start_add(uc, (uint64_t)o->uid_max + 1, top);
	}
	if (o->match & XT_OWNER_GID) {
		start_add(gc, o->gid_min, top);
		start_add(gc, (uint64_t)o->gid_max + 1, top);
	}
}

static void id_classes(struct ipts_probe_set *set,
		       const struct ipts_ruleset *rs)
{
	struct ipts_probe_classes *uc = &set->classes[D_UID];
	struct ipts_probe_classes *gc = &set->classes[D_GID];
	struct rule_cursor it;
	const struct ipts_rule *r;
	unsigned int m;

	start_add(uc, 0, 0xfffffffeu);
	start_add(gc, 0, 0xfffffffeu);
	rule_cursor_init(&it, rs);
	while ((r = rule_cursor_next(&it)))
		for (m = 0; m < r->nmatches; m++)
			owner_classes(uc, gc, ipts_rule_match(r, m));
}

bool ipts_probe_class_of(const struct ipts_probe_set *set,
			 enum ipts_probe_dim d, uint32_t v, uint32_t *lo,
			 uint32_t *hi)
{
	const struct ipts_probe_classes *c = &set->classes[d];
	size_t a = 0, b;

	*lo = *hi = v;
	if (!c->known || !c->start.n || v > ipts_probe_dim_max(d))
		return false;
	b = c->start.n;
	while (b - a > 1) {	/* the last start <= v; start[0] is 0 */
		size_t mid = a + (b - a) / 2;

		if (c->start.v[mid] <= v)
			a = mid;
		else
			b = mid;
	}
	*lo = c->start.v[a];
	*hi = a + 1 < c->start.n ? c->start.v[a + 1] - 1 :
		ipts_probe_dim_max(d);
	return true;
}

/* --- boxes ------------------------------------------------------------ */

static int cmp_vals(const struct ipts_probe_box *a,
		    const struct ipts_probe_box *b, int d)
{
	size_t i;

	if (a->n[d] != b->n[d])
		return a->n[d] < b->n[d] ? -1 : 1;
	for (i = 0; i < a->n[d]; i++)
		if (a->v[d][i] != b->v[d][i])
			return a->v[d][i] < b->v[d][i] ? -1 : 1;
	return 0;
}

/* Boxes in the order of every dimension but the one merged along. */
static int cmp_box_but(const void *pa, const void *pb, void *arg)
{
	const struct ipts_probe_box *a = pa, *b = pb;
	int skip = *(const int *)arg, d, c;

	for (d = 0; d < D_COUNT; d++)
		if (d != skip && (c = cmp_vals(a, b, d)))
			return c;
	return cmp_vals(a, b, skip);
}

static bool same_but(const struct ipts_probe_box *a,
		     const struct ipts_probe_box *b, int skip)
{
	int d;

	for (d = 0; d < D_COUNT; d++)
		if (d != skip && cmp_vals(a, b, d))
			return false;
	return true;
}

/* a->v[d] |= b->v[d]: the two are disjoint (the boxes are). */
static void merge_into(struct ipts_probe_box *a, struct ipts_probe_box *b,
		       int d)
{
	uint32_t *u = ipts_xmalloc((a->n[d] + b->n[d]) * sizeof(*u));
	size_t i = 0, j = 0, k = 0;

	while (i < a->n[d] || j < b->n[d]) {
		if (j == b->n[d] || (i < a->n[d] && a->v[d][i] < b->v[d][j]))
			u[k++] = a->v[d][i++];
		else
			u[k++] = b->v[d][j++];
	}
	free(a->v[d]);
	a->v[d] = u;
	a->n[d] = k;
}

static void box_free(struct ipts_probe_box *b)
{
	int d;

	for (d = 0; d < D_COUNT; d++)
		free(b->v[d]);
}

/* One pass along @d; true when two boxes became one. */
static bool merge_along(struct ipts_probe_box *b, size_t *n, int d)
{
	size_t i, k = 0;
	bool merged = false;

	qsort_r(b, *n, sizeof(*b), cmp_box_but, &d);
	for (i = 0; i < *n; i++) {
		if (k && same_but(&b[k - 1], &b[i], d)) {
			merge_into(&b[k - 1], &b[i], d);
			box_free(&b[i]);
			merged = true;
			continue;
		}
		b[k++] = b[i];
	}
	*n = k;
	return merged;
}

size_t ipts_probe_boxes(const struct ipts_probe_set *set,
			const struct ipts_query *const *q, size_t n,
			struct ipts_probe_box **out)
{
	struct ipts_probe_box *b = ipts_xmalloc((n ? n : 1) * sizeof(*b));
	size_t i, nb = n;
	bool again = true;
	int d;

	for (i = 0; i < n; i++) {
		for (d = 0; d < D_COUNT; d++) {
			b[i].v[d] = ipts_xmalloc(sizeof(uint32_t));
			b[i].v[d][0] = ipts_probe_coord(set, q[i], d);
			b[i].n[d] = 1;
		}
	}
	while (again) {
		again = false;
		for (d = D_COUNT - 1; d >= 0; d--)
			again |= merge_along(b, &nb, d);
	}
	*out = b;
	return nb;
}

void ipts_probe_boxes_free(struct ipts_probe_box *b, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		box_free(&b[i]);
	free(b);
}

/* --- the edit a connection met ------------------------------------------ */

/* A chain's changed window against its counterpart, once computed. */
struct win {
	const struct ipts_chain *c, *other;	/* other: NULL if none */
	uint32_t from, to;
	/* The window's rules by their words, built on the first lookup: the
	 * index of the first rule with each words, plus one (0: empty). */
	uint32_t *first;
	size_t firstcap;
};

struct ipts_probe_editor {
	const struct ipts_ruleset *old, *new_rs;
	struct win *w;
	size_t n, cap;
};

struct ipts_probe_editor *
ipts_probe_editor_new(const struct ipts_ruleset *old,
		      const struct ipts_ruleset *new_rs)
{
	struct ipts_probe_editor *ed = ipts_xmalloc(sizeof(*ed));

	memset(ed, 0, sizeof(*ed));
	ed->old = old;
	ed->new_rs = new_rs;
	return ed;
}

void ipts_probe_editor_free(struct ipts_probe_editor *ed)
{
	size_t i;

	if (!ed)
		return;
	for (i = 0; i < ed->cap; i++)
		free(ed->w[i].first);
	free(ed->w);
	free(ed);
}

static size_t hash_ptr(const void *p)
{
	return (size_t)((uintptr_t)p >> 4) * 2654435761u;
}

static void win_grow(struct ipts_probe_editor *ed)
{
	struct win *old = ed->w;
	size_t oldcap = ed->cap, i, k;

	ed->cap = ed->cap ? ed->cap * 2 : 64;
	ed->w = ipts_xmalloc(ed->cap * sizeof(*ed->w));
	memset(ed->w, 0, ed->cap * sizeof(*ed->w));
	for (i = 0; i < oldcap; i++) {
		if (!old[i].c)
			continue;
		for (k = hash_ptr(old[i].c) & (ed->cap - 1); ed->w[k].c;
		     k = (k + 1) & (ed->cap - 1))
			;
		ed->w[k] = old[i];
	}
	free(old);
}

/* The window of @c (of NEW when @in_new, else of OLD). */
static struct win *window(struct ipts_probe_editor *ed,
			  const struct ipts_chain *c, bool in_new)
{
	size_t k;
	struct win *w;

	if ((ed->n + 1) * 2 > ed->cap)
		win_grow(ed);
	for (k = hash_ptr(c) & (ed->cap - 1); ed->w[k].c;
	     k = (k + 1) & (ed->cap - 1))
		if (ed->w[k].c == c)
			return &ed->w[k];
	w = &ed->w[k];
	w->c = c;
	w->other = counterpart(c, in_new ? ed->old : ed->new_rs);
	w->from = 0;
	w->to = c->nrules;
	if (w->other)
		changed_window(c, w->other, &w->from, &w->to);
	ed->n++;
	return w;
}

static bool rule_index(const struct ipts_trace *t, uint32_t *k)
{
	const struct ipts_chain *c = t->rule->chain;
	uint32_t i;

	if (t->num >= 1 && t->num <= c->nrules &&
	    c->rules[t->num - 1] == t->rule) {
		*k = t->num - 1;
		return true;
	}
	for (i = 0; i < c->nrules; i++) {
		if (c->rules[i] == t->rule) {
			*k = i;
			return true;
		}
	}
	return false;
}

static size_t hash_words(const struct ipts_rule *r)
{
	int n, i;
	const char *w = rule_words(r, &n);
	size_t h = 5381;

	for (i = 0; i < n; i++)
		h = h * 33 + (unsigned char)w[i];
	return h;
}

/* Index @o's window by words, the first rule of each words kept, so
 * that same_in() costs one probe, not a scan of the window per call. */
static void index_window(struct win *o)
{
	size_t cap = 16, k;
	uint32_t i;

	while (cap < 2 * (size_t)(o->to - o->from))
		cap *= 2;
	o->first = ipts_xmalloc(cap * sizeof(*o->first));
	memset(o->first, 0, cap * sizeof(*o->first));
	o->firstcap = cap;
	for (i = o->from; i < o->to; i++) {
		const struct ipts_rule *r = o->c->rules[i];

		for (k = hash_words(r) & (cap - 1); o->first[k];
		     k = (k + 1) & (cap - 1))
			if (rules_equal(o->c->rules[o->first[k] - 1], r))
				break;
		if (!o->first[k])
			o->first[k] = i + 1;
	}
}

/* The first rule of @o's window that equals @r, or NULL. */
static const struct ipts_rule *same_in(struct win *o, const struct ipts_rule *r)
{
	size_t k;

	if (o->from == o->to)
		return NULL;
	if (!o->first)
		index_window(o);
	for (k = hash_words(r) & (o->firstcap - 1); o->first[k];
	     k = (k + 1) & (o->firstcap - 1))
		if (rules_equal(o->c->rules[o->first[k] - 1], r))
			return o->c->rules[o->first[k] - 1];
	return NULL;
}

/* When trace entry @t is an edited rule of its side, say how. */
static bool edited(struct ipts_probe_editor *ed, const struct ipts_trace *t,
		   bool in_new, struct ipts_probe_edit *out)
{
	struct win w, *o;
	const struct ipts_rule *peer = NULL, *same;
	uint32_t k;

	if (!t->rule || !t->rule->chain || !rule_index(t, &k))
		return false;
	/* A copy: the second window() may grow the table under it. */
	w = *window(ed, t->rule->chain, in_new);
	if (k < w.from || k >= w.to)
		return false;
	memset(out, 0, sizeof(*out));
	o = w.other ? window(ed, w.other, !in_new) : NULL;
	if (o && o->to - o->from == w.to - w.from)
		peer = o->c->rules[o->from + (k - w.from)];
	same = o ? same_in(o, t->rule) : NULL;
	if (!o || o->from == o->to)
		out->kind = in_new ? IPTS_EDIT_ADDED : IPTS_EDIT_REMOVED;
	else if (same)
		out->kind = IPTS_EDIT_MOVED;
	else
		out->kind = IPTS_EDIT_CHANGED;
	if (same)
		peer = same;
	if (out->kind == IPTS_EDIT_ADDED || out->kind == IPTS_EDIT_REMOVED)
		peer = NULL;
	out->rule = in_new ? t->rule : peer;
	out->was = in_new ? peer : t->rule;
	return true;
}

static const struct ipts_trace *decided(const struct ipts_result *r)
{
	if (r->decided_pkt < 0 || r->decided_idx < 0)
		return NULL;
	return &r->packets[r->decided_pkt].trace[r->decided_idx];
}

static bool first_edited(struct ipts_probe_editor *ed,
			 const struct ipts_result *r, bool in_new,
			 struct ipts_probe_edit *out)
{
	unsigned int p;
	size_t i;

	for (p = 0; p < r->npackets; p++)
		for (i = 0; i < r->packets[p].ntrace; i++)
			if (edited(ed, &r->packets[p].trace[i], in_new, out))
				return true;
	return false;
}

/* A policy that decided @r and differs in the other file. */
static bool policy_changed(struct ipts_probe_editor *ed,
			   const struct ipts_result *r, bool in_new,
			   struct ipts_probe_edit *out)
{
	const struct ipts_trace *t = decided(r);
	const struct ipts_chain *c, *o;

	if (!t || t->rule || t->type != IPTS_TRACE_POLICY)
		return false;
	c = t->chain;
	o = counterpart(c, in_new ? ed->old : ed->new_rs);
	if (o && o->policy == c->policy)
		return false;
	memset(out, 0, sizeof(*out));
	out->kind = IPTS_EDIT_POLICY;
	out->chain = in_new ? c : o;
	out->old_chain = in_new ? o : c;
	return true;
}

void ipts_probe_edit_find(struct ipts_probe_editor *ed,
			  const struct ipts_result *o,
			  const struct ipts_result *n,
			  struct ipts_probe_edit *out)
{
	const struct ipts_trace *dn = decided(n), *dold = decided(o);

	if (dn && edited(ed, dn, true, out))
		return;
	if (dold && edited(ed, dold, false, out))
		return;
	if (first_edited(ed, n, true, out) || first_edited(ed, o, false, out))
		return;
	if (policy_changed(ed, n, true, out) ||
	    policy_changed(ed, o, false, out))
		return;
	memset(out, 0, sizeof(*out));
	out->kind = IPTS_EDIT_NONE;
}

/* --- changes the local connections cannot show ------------------------ */

/* Whether @r can only matter to a packet that is not over lo: a match
 * on an interface other than lo (not inverted), or a place in FORWARD. */
/* Whether some interface of @h besides lo matches @dev under @mask;
 * for an IPv6 rule (@v6), one with an address diff asks (first6()): a
 * client's connections through one that has only its link-local
 * address are not asked. */
static bool host_has_dev(const struct ipts_hostdesc *h, const char *dev,
			 const unsigned char *mask, bool v6)
{
	size_t i;

	for (i = 0; i < ipts_hostdesc_iface_count(h); i++) {
		const struct ipts_host_iface *f = ipts_hostdesc_iface_at(h, i);

		if (!f->loopback && !f->bridge_port && (!v6 || first6(f)) &&
		    dev_match(f->name, dev, mask))
			return true;
	}
	return false;
}

/* The interfaces of @h packets can arrive on, besides lo (@v6: those
 * with an address diff asks). */
static size_t host_places(const struct ipts_hostdesc *h, bool v6)
{
	size_t i, n = 0;

	for (i = 0; i < ipts_hostdesc_iface_count(h); i++) {
		const struct ipts_host_iface *f = ipts_hostdesc_iface_at(h, i);

		n += !f->loopback && !f->bridge_port && (!v6 || first6(f));
	}
	return n;
}

/* Whether the local connections (@h NULL), or those asked on @h, cannot
 * meet @r. */
static bool off_lo(const struct ipts_rule *r, const struct ipts_hostdesc *h)
{
	struct hdr hd;
	const struct hdr *ip = rule_hdr(r, &hd);
	bool in = ip->iniface[0] && strcmp(ip->iniface, "lo") != 0 &&
		  !(ip->invflags & IPT_INV_VIA_IN);
	bool out = ip->outiface[0] && strcmp(ip->outiface, "lo") != 0 &&
		   !(ip->invflags & IPT_INV_VIA_OUT);
	bool fwd = r->chain->hook == NF_INET_FORWARD;

	if (!h)
		return in || out || fwd;
	return (in &&
		!host_has_dev(h, ip->iniface, ip->iniface_mask, ip->v6)) ||
	       (out &&
		!host_has_dev(h, ip->outiface, ip->outiface_mask, ip->v6)) ||
	       (fwd && host_places(h, ip->v6) < 2);
}

/*
 * The rules of a file by table, chain name and words, the key two files'
 * rules are matched on: an open-addressing set of the rules themselves,
 * compared in place (no key string built per rule).
 */
struct rule_set {
	const struct ipts_rule **r;
	size_t cap;
};

static size_t rule_hash(const struct ipts_rule *r)
{
	const char *c = r->chain->name;
	size_t h = hash_words(r) * 31 + r->chain->table->id;

	while (*c)
		h = h * 33 + (unsigned char)*c++;
	return h;
}

static bool same_place_words(const struct ipts_rule *a,
			     const struct ipts_rule *b)
{
	return a->chain->table->id == b->chain->table->id &&
	       strcmp(a->chain->name, b->chain->name) == 0 && rules_equal(a, b);
}

static bool rule_set_has(const struct rule_set *s, const struct ipts_rule *r)
{
	size_t k;

	if (!s->cap)
		return false;
	for (k = rule_hash(r) & (s->cap - 1); s->r[k];
	     k = (k + 1) & (s->cap - 1))
		if (same_place_words(s->r[k], r))
			return true;
	return false;
}

static void all_rules(struct rule_set *s, const struct ipts_ruleset *rs)
{
	struct rule_cursor it;
	const struct ipts_rule *r;
	size_t n = 0, k;

	rule_cursor_init(&it, rs);
	while (rule_cursor_next(&it))
		n++;
	s->cap = 16;
	while (s->cap < 2 * n)
		s->cap *= 2;
	s->r = ipts_xmalloc(s->cap * sizeof(*s->r));
	memset(s->r, 0, s->cap * sizeof(*s->r));
	rule_cursor_init(&it, rs);
	while ((r = rule_cursor_next(&it))) {
		for (k = rule_hash(r) & (s->cap - 1); s->r[k];
		     k = (k + 1) & (s->cap - 1))
			if (same_place_words(s->r[k], r))
				break;
		if (!s->r[k])
			s->r[k] = r;
	}
}

/* The rules of @rs that @other lacks and that only off-lo packets meet. */
static size_t count_off_lo(const struct ipts_ruleset *rs,
			   const struct ipts_hostdesc *h,
			   const struct rule_set *other,
			   const struct ipts_rule **first)
{
	struct rule_cursor it;
	const struct ipts_rule *r;
	size_t n = 0;

	rule_cursor_init(&it, rs);
	while ((r = rule_cursor_next(&it))) {
		if (!off_lo(r, h) || rule_set_has(other, r))
			continue;
		if (!n++ && first)
			*first = r;
	}
	return n;
}

size_t ipts_probe_off_lo_changes(const struct ipts_ruleset *old,
				 const struct ipts_ruleset *new_rs,
				 const struct ipts_hostdesc *host,
				 const struct ipts_rule **first)
{
	struct rule_set so = { 0 }, sn = { 0 };
	size_t n;

	if (first)
		*first = NULL;
	all_rules(&so, old);
	all_rules(&sn, new_rs);
	n = count_off_lo(new_rs, host, &so, first);
	n += count_off_lo(old, host, &sn, first && !*first ? first : NULL);
	free(so.r);
	free(sn.r);
	return n;
}
