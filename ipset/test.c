/*
 * test.c - a packet against a set, as the kernel tests it: set_match_v*()
 * of xt_set.c, ip_set_test() of ip_set_core.c, and each type's kadt()
 * (ip_set_hash_*.c, ip_set_bitmap_*.c, ip_set_list_set.c). The hash types
 * with a net part try the set's prefixes most specific first
 * (mtype_test_cidrs() of ip_set_hash_gen.h): the longest prefix that
 * holds the packet decides, and a nomatch element there answers no.
 */
#include "ipset_int.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

/* What one type's kadt() answers (the kernel's return values). */
enum kadt {
	KADT_NO, /* 0, or an error: no match */
	KADT_YES, /* 1 */
	KADT_NOMATCH, /* -ENOTEMPTY: a nomatch element */
	KADT_UNKNOWN,
};

/* "--packets-gt N" and the like (@w, @n bytes; *@p after it): what
 * libxt_set's parser stores, "! --packets-eq N" as NE. */
static int counter_words(const char *w, size_t n, bool inv, const char **p,
			 struct ipts_ipset_match *m)
{
	bool bytes = w[2] == 'b';
	const char *op = w + (bytes ? 8 : 10), *v;
	enum ipts_ipset_cmp c;
	unsigned long long val = 0;

	if (w + n - op != 2)
		return -1;
	if (!strncmp(op, "eq", 2))
		c = inv ? IPTS_IPSET_CMP_NE : IPTS_IPSET_CMP_EQ;
	else if (!strncmp(op, "lt", 2) && !inv)
		c = IPTS_IPSET_CMP_LT;
	else if (!strncmp(op, "gt", 2) && !inv)
		c = IPTS_IPSET_CMP_GT;
	else
		return -1;
	*p += strspn(*p, " ");
	v = *p;
	if (*v < '0' || *v > '9')
		return -1;
	while (*v >= '0' && *v <= '9') {
		unsigned int d = (unsigned int)(*v - '0');

		if (val > (~0ull - d) / 10)
			return -1;
		val = val * 10 + d;
		v++;
	}
	if (*v && *v != ' ')
		return -1;
	*p = v;
	m->counters = true;
	if (bytes) {
		m->bytes_op = c;
		m->bytes = val;
	} else {
		m->packets_op = c;
		m->packets = val;
	}
	return 0;
}

int ipts_ipset_match_parse(const char *text, struct ipts_ipset_match *m)
{
	const char *p = text;
	bool inv = false, seen = false;

	memset(m, 0, sizeof(*m));
	for (;;) {
		const char *w;
		size_t n;

		while (*p == ' ')
			p++;
		if (!*p)
			break;
		w = p;
		n = strcspn(p, " ");
		p += n;
		if (n == 1 && *w == '!') {
			inv = true;
			continue;
		}
		if ((n == 11 && !strncmp(w, "--match-set", 11)) ||
		    (n == 5 && !strncmp(w, "--set", 5))) {
			const char *f;

			while (*p == ' ')
				p++;
			m->name = p;
			m->name_len = strcspn(p, " ");
			p += m->name_len;
			while (*p == ' ')
				p++;
			f = p;
			p += strcspn(p, " ");
			while (f < p) {
				size_t k = strcspn(f, ", ");

				if (m->dim == IPTS_IPSET_DIM_MAX)
					return -1;
				if (k >= 3 && !strncmp(f, "src", 3))
					m->src |= (uint8_t)(1u << m->dim);
				else if (k < 3 || strncmp(f, "dst", 3))
					return -1;
				if (memchr(f, ':', k))
					return -1;
				m->dim++;
				f += k;
				if (*f == ',')
					f++;
			}
			m->invert = inv;
			seen = true;
		} else if (n == 16 && !strncmp(w, "--return-nomatch", 16)) {
			m->return_nomatch = true;
		} else if ((n > 10 && !strncmp(w, "--packets-", 10)) ||
			   (n > 8 && !strncmp(w, "--bytes-", 8))) {
			if (counter_words(w, n, inv, &p, m) < 0)
				return -1;
		} else if (n == 17 && !strncmp(w, "--update-counters", 17)) {
			m->no_update = inv;
		} else if (n == 20 && !strncmp(w, "--update-subcounters", 20)) {
			m->no_subupdate = inv;
		} else {
			return -1;
		}
		inv = false;
	}
	return seen && m->name_len && m->dim ? 0 : -1;
}

/* The packet's part for dimension @i, as the flag chooses it. */
static uint32_t pkt_addr(const struct ipts_ipset_match *m,
			 const struct ipts_ipset_pkt *p, unsigned int i)
{
	if (p->family == 6)
		return 0;
	return ntohl(m->src & (1u << i) ? p->saddr : p->daddr);
}

/* The IPv6 address for dimension @i (a packet of family 6). */
static const uint8_t *pkt_addr6(const struct ipts_ipset_match *m,
				const struct ipts_ipset_pkt *p, unsigned int i)
{
	return m->src & (1u << i) ? p->saddr6 : p->daddr6;
}

/* @a under the prefix @cidr is @net (which is masked). */
static bool in_net6(const uint8_t *a, const uint8_t *net, unsigned int cidr)
{
	unsigned int i;

	for (i = 0; i < 16; i++) {
		unsigned int keep = cidr >= 8 * (i + 1) ? 8 :
				    cidr > 8 * i	? cidr - 8 * i :
							  0;
		uint8_t mask = (uint8_t)(0xff00u >> keep);

		if ((a[i] & mask) != net[i])
			return false;
	}
	return true;
}

/* ip_set_get_ip4_port(): false when the packet has no port to give (a
 * later fragment of a protocol with ports). */
static bool pkt_port(const struct ipts_ipset_match *m,
		     const struct ipts_ipset_pkt *p, unsigned int i,
		     uint16_t *port)
{
	bool src = m->src & (1u << i);

	switch (p->protocol) {
	case IPPROTO_TCP:
	case IPPROTO_UDP:
	case IPPROTO_SCTP:
	case IPPROTO_UDPLITE:
		if (p->fragment)
			return false;
		*port = src ? p->sport : p->dport;
		return true;
	case IPPROTO_ICMP:
	case IPPROTO_ICMPV6:
		if (p->fragment)
			return false;
		*port = p->sport; /* type << 8 | code, either side */
		return true;
	default:
		*port = 0;
		return true;
	}
}

/*
 * The address parts of element @e against the packet's, for a set of
 * family inet6 and a packet of family 6 (the IPv4 parts are compared in
 * kadt() itself): hash_*6_kadt() build the same element, with ip6_netmask()
 * for hash:ip's netmask and the prefixes tried as for IPv4.
 */
static bool hit6(const struct ipts_ipset *set, const struct set_elem *e,
		 const struct ipts_ipset_match *m,
		 const struct ipts_ipset_pkt *p)
{
	unsigned int d, ip = 0;

	for (d = 0; d < set->type->nparts; d++) {
		enum dim_kind k = set->type->dims[d];

		if (k == DIM_IP &&
		    !in_net6(pkt_addr6(m, p, d), e->a6[ip], set->netmask6))
			return false;
		if (k == DIM_NET &&
		    !in_net6(pkt_addr6(m, p, d), e->a6[ip], e->cidr[ip]))
			return false;
		if (k == DIM_IP || k == DIM_NET)
			ip++;
	}
	return true;
}

static bool in_net(uint32_t a, uint32_t net, uint8_t cidr)
{
	/* an inet6 element's IPv4 part is zero, its cidr up to 128 */
	uint32_t mask = cidr >= 32 ? ~(uint32_t)0 :
			cidr	   ? ~(uint32_t)0 << (32 - cidr) :
				     0;

	return (a & mask) == net;
}

static bool iface_eq(const struct set_elem *e, const char *dev)
{
	if (e->physdev)
		return false; /* bridge ports: never without physdev */
	if (e->wildcard)
		return strncmp(dev, e->iface, strlen(e->iface)) == 0;
	return strcmp(dev, e->iface) == 0;
}

/*
 * A test that counts (ipts_ipset_state_test()): the sets are the state's,
 * @writable copies one before its elements change.
 */
struct count {
	struct ipts_ipset *(*writable)(void *arg, const struct ipts_ipset *set);
	void *arg;
	bool update; /* the packet is added (no ! --update-counters) */
	bool compare; /* IPSET_FLAG_MATCH_COUNTERS */
};

static bool cmp_ok(enum ipts_ipset_cmp op, uint64_t have, uint64_t want)
{
	switch (op) {
	case IPTS_IPSET_CMP_EQ:
		return have == want;
	case IPTS_IPSET_CMP_NE:
		return have != want;
	case IPTS_IPSET_CMP_LT:
		return have < want;
	case IPTS_IPSET_CMP_GT:
		return have > want;
	default:
		return true;
	}
}

/*
 * ip_set_match_extensions()'s counters on @e: the packet added first
 * (unless ! --update-counters), then compared. False: the element does
 * not match, and the search goes on.
 */
static bool count_elem(const struct count *c, const struct ipts_ipset_match *m,
		       const struct ipts_ipset_pkt *p, struct set_elem *e)
{
	if (c->update) {
		if (!e->has_counters)
			e->packets = e->bytes = 0;
		e->has_counters = true;
		e->packets++;
		e->bytes += p->len;
	}
	if (!c->compare)
		return true;
	return cmp_ok(m->packets_op, e->has_counters ? e->packets : 0,
		      m->packets) &&
	       cmp_ok(m->bytes_op, e->has_counters ? e->bytes : 0, m->bytes);
}

/*
 * Element @i of @set narrowed to the single element the packet is (its
 * addresses @a, its port): the kernel keeps a range as that many
 * elements, each with its own counters. The rest of the range is pushed
 * at the end (no candidate: it does not hold the packet), so the
 * indexes below @set->n stay.
 */
static void narrow(struct ipts_ipset *set, size_t i, const uint32_t a[2],
		   uint16_t port)
{
	uint32_t step = set->netmask ? ~set->netmask + 1 : 1;
	struct set_elem piece;
	unsigned int d, ip = 0;

	for (d = 0; d < set->type->nparts; d++) {
		enum dim_kind kind = set->type->dims[d];
		struct set_elem *e = &set->v[i];

		if (kind == DIM_IP && ip < 2 && e->lo[ip] != e->hi[ip]) {
			if (e->lo[ip] < a[ip]) {
				piece = *e;
				piece.hi[ip] = a[ip] - step;
				ipts_ipset_push(set, &piece);
				e = &set->v[i];
			}
			if (a[ip] < e->hi[ip]) {
				piece = *e;
				piece.lo[ip] = a[ip] + step;
				ipts_ipset_push(set, &piece);
				e = &set->v[i];
			}
			e->lo[ip] = e->hi[ip] = a[ip];
		}
		if (kind == DIM_IP || kind == DIM_NET)
			ip++;
		if ((kind == DIM_PORT || kind == DIM_BPORT) &&
		    e->port_lo != e->port_hi) {
			if (e->port_lo < port) {
				piece = *e;
				piece.port_hi = (uint16_t)(port - 1);
				ipts_ipset_push(set, &piece);
				e = &set->v[i];
			}
			if (port < e->port_hi) {
				piece = *e;
				piece.port_lo = (uint16_t)(port + 1);
				ipts_ipset_push(set, &piece);
				e = &set->v[i];
			}
			e->port_lo = e->port_hi = port;
		}
	}
}

/* Candidates most specific first (mtype_test_cidrs(): h->nets by the
 * first prefix, then the second), the set's order among equals. */
static bool cand_before(const struct set_elem *v, size_t i, size_t j)
{
	if (v[i].cidr[0] != v[j].cidr[0])
		return v[i].cidr[0] > v[j].cidr[0];
	if (v[i].cidr[1] != v[j].cidr[1])
		return v[i].cidr[1] > v[j].cidr[1];
	return i < j;
}

static void cand_sort(const struct set_elem *v, size_t *c, size_t n)
{
	size_t i, j;

	for (i = 1; i < n; i++) {
		size_t x = c[i];

		for (j = i; j > 0 && cand_before(v, x, c[j - 1]); j--)
			c[j] = c[j - 1];
		c[j] = x;
	}
}

/* The hash and bitmap types: the best element holding the packet. */
static enum kadt kadt(const struct ipts_ipset *set,
		      const struct ipts_ipset_match *m,
		      const struct ipts_ipset_pkt *p, const char **why,
		      const struct set_elem **found, const struct count *cnt)
{
	size_t *cands = NULL, ncand = 0;
	const struct set_elem *best = NULL;
	uint32_t a0 = pkt_addr(m, p, 0), a1 = 0, mark = 0;
	uint16_t port = 0;
	const char *dev = "";
	size_t i;

	switch (set->type->kind) {
	case SET_HASH_IP:
		if (p->family == 6) {
			uint8_t z[16] = { 0 };

			if (in_net6(pkt_addr6(m, p, 0), z, set->netmask6))
				return KADT_NO; /* ipv6_addr_any(): -EINVAL */
			break;
		}
		a0 &= set->netmask;
		if (a0 == 0)
			return KADT_NO; /* hash_ip4_kadt(): -EINVAL */
		break;
	case SET_BITMAP_IP:
		if (a0 < set->range_lo || a0 > set->range_hi)
			return KADT_NO;
		a0 &= set->netmask;
		break;
	case SET_HASH_IPPORT:
	case SET_HASH_NETPORT:
		if (!pkt_port(m, p, 1, &port))
			return KADT_NO;
		break;
	case SET_HASH_IPPORTIP:
	case SET_HASH_IPPORTNET:
		if (!pkt_port(m, p, 1, &port))
			return KADT_NO;
		a1 = pkt_addr(m, p, 2);
		break;
	case SET_HASH_NET:
		break;
	case SET_HASH_NETNET:
		a1 = pkt_addr(m, p, 1);
		break;
	case SET_HASH_NETIFACE:
		dev = m->src & 2 ? p->in : p->out;
		if (!dev || !*dev)
			return KADT_NO;
		break;
	case SET_HASH_IPMARK:
		mark = p->mark & set->markmask;
		break;
	case SET_HASH_MAC:
		if (p->mac == 0)
			return KADT_NO; /* no Ethernet header, or lo's zeros */
		*why = "-m set of hash:mac depends on the sender's MAC address";
		return KADT_UNKNOWN;
	case SET_BITMAP_PORT:
		/* ip_set_get_ip_port(): TCP and UDP only */
		if ((p->protocol != IPPROTO_TCP &&
		     p->protocol != IPPROTO_UDP) ||
		    p->fragment)
			return KADT_NO;
		port = m->src & 1 ? p->sport : p->dport;
		break;
	default:
		*why = "-m set of a set type iptsim does not model";
		return KADT_UNKNOWN;
	}
	for (i = 0; i < set->n; i++) {
		const struct set_elem *e = &set->v[i];
		bool hit;

		switch (set->type->kind) {
		case SET_HASH_IP:
		case SET_BITMAP_IP:
			hit = a0 >= e->lo[0] && a0 <= e->hi[0];
			break;
		case SET_HASH_NET:
			hit = in_net(a0, e->lo[0], e->cidr[0]);
			break;
		case SET_HASH_IPPORT:
		case SET_HASH_IPPORTIP:
		case SET_HASH_IPPORTNET:
			hit = a0 >= e->lo[0] && a0 <= e->hi[0] &&
			      e->proto == p->protocol && port >= e->port_lo &&
			      port <= e->port_hi;
			if (set->type->kind == SET_HASH_IPPORTIP)
				hit = hit && a1 >= e->lo[1] && a1 <= e->hi[1];
			if (set->type->kind == SET_HASH_IPPORTNET)
				hit = hit && in_net(a1, e->lo[1], e->cidr[1]);
			break;
		case SET_HASH_NETPORT:
			hit = in_net(a0, e->lo[0], e->cidr[0]) &&
			      e->proto == p->protocol && port >= e->port_lo &&
			      port <= e->port_hi;
			break;
		case SET_HASH_NETNET:
			hit = in_net(a0, e->lo[0], e->cidr[0]) &&
			      in_net(a1, e->lo[1], e->cidr[1]);
			break;
		case SET_HASH_NETIFACE:
			hit = in_net(a0, e->lo[0], e->cidr[0]) &&
			      iface_eq(e, dev);
			break;
		case SET_HASH_IPMARK:
			hit = a0 >= e->lo[0] && a0 <= e->hi[0] &&
			      e->mark == mark;
			break;
		case SET_BITMAP_PORT:
			hit = port >= e->port_lo && port <= e->port_hi;
			break;
		default:
			hit = false;
		}
		if (p->family == 6 && set->family == 6) {
			/* the IPv4 parts (all zero) matched as zero: the
			 * address parts decide */
			hit = hit && hit6(set, e, m, p);
		}
		if (!hit)
			continue;
		if (cnt) {
			if (!cands)
				cands = ipts_xmalloc(set->n * sizeof(*cands));
			cands[ncand++] = i;
			continue;
		}
		/* the most specific prefix first: the first net part, then
		 * the second (the last net part of ip,port,net) */
		if (!best || e->cidr[0] > best->cidr[0] ||
		    (e->cidr[0] == best->cidr[0] && e->cidr[1] > best->cidr[1]))
			best = e;
	}
	if (cnt) {
		struct ipts_ipset *ws = cnt->writable(cnt->arg, set);
		uint32_t a[2] = { a0, a1 };
		enum kadt res = KADT_NO;

		cand_sort(ws->v, cands, ncand);
		for (i = 0; i < ncand; i++) {
			size_t k = cands[i];

			if (cnt->update)
				narrow(ws, k, a, port);
			if (!count_elem(cnt, m, p, &ws->v[k]))
				continue;
			*found = &ws->v[k];
			res = ws->v[k].nomatch ? KADT_NOMATCH : KADT_YES;
			break;
		}
		free(cands);
		return res;
	}
	if (!best)
		return KADT_NO;
	if (set->counters && m->counters) {
		*why = IPTS_IPSET_COUNTERS_WHY;
		return KADT_UNKNOWN;
	}
	*found = best;
	return best->nomatch ? KADT_NOMATCH : KADT_YES;
}

/* ip_set_test(): 1 or 0 (an unknown answer: -1). */
static int set_test(const struct ipts_ipsets *sets,
		    const struct ipts_ipset *set,
		    const struct ipts_ipset_match *m,
		    const struct ipts_ipset_pkt *p, const char **why,
		    const struct set_elem **hit, const struct count *cnt)
{
	enum kadt k;

	if (cnt && !set->counters && set->type->kind != SET_LIST_SET)
		cnt = NULL; /* nothing to count: the test as it is */

	/* ip_set_test(): too few flags, or a family that is not the
	 * packet's: -IPSET_ERR_TYPE_MISMATCH, no match */
	if (m->dim < set->type->dim ||
	    (set->family && set->family != (p->family == 6 ? 6 : 4)))
		return 0;
	if (set->unknown_why) {
		*why = set->unknown_why;
		return -1;
	}
	if (set->type->kind == SET_LIST_SET) {
		/* list_set_ktest(): members in order, a member's nomatch
		 * or too few flags do not stop the search */
		struct ipts_ipset_match sub = *m;
		struct count subcnt;
		bool unknown = false;
		size_t i;

		/* the members' counters are not compared, and counted
		 * unless ! --update-counters or ! --update-subcounters */
		sub.counters = false;
		if (cnt) {
			subcnt = *cnt;
			subcnt.compare = false;
			subcnt.update = cnt->update && !m->no_subupdate;
		}
		for (i = 0; i < set->n; i++) {
			int r = set_test(sets, &sets->v[set->v[i].member], &sub,
					 p, why, hit, cnt ? &subcnt : NULL);

			if (r < 0)
				unknown = true;
			if (r <= 0)
				continue;
			if (cnt && set->counters) {
				/* ip_set_match_extensions() on the list's
				 * own element: no match goes on */
				struct ipts_ipset *ws = cnt->writable(cnt->arg,
								      set);

				if (!count_elem(cnt, m, p, &ws->v[i]))
					continue;
				return 1;
			}
			if (set->counters && m->counters) {
				*why = IPTS_IPSET_COUNTERS_WHY;
				return -1;
			}
			return 1;
		}
		return unknown ? -1 : 0;
	}
	k = kadt(set, m, p, why, hit, cnt);
	if (k == KADT_UNKNOWN)
		return -1;
	if (m->return_nomatch && set->type->nomatch)
		return k == KADT_NOMATCH;
	return k == KADT_YES;
}

static enum ipts_ipset_answer
test_hit(const struct ipts_ipsets *sets, const struct ipts_ipset_match *m,
	 const struct ipts_ipset_pkt *p, const char **why,
	 const struct set_elem **hit, const struct count *cnt)
{
	const struct ipts_ipset *set = ipts_ipsets_find(sets, m->name,
							m->name_len);
	int r;

	*hit = NULL;
	if (!set) {
		*why = "-m set names a set the ipsets file does not define";
		return IPTS_IPSET_UNKNOWN;
	}
	r = set_test(sets, set, m, p, why, hit, cnt);
	if (r < 0)
		return IPTS_IPSET_UNKNOWN;
	return (r > 0) != m->invert ? IPTS_IPSET_YES : IPTS_IPSET_NO;
}

enum ipts_ipset_answer ipts_ipset_test(const struct ipts_ipsets *sets,
				       const struct ipts_ipset_match *m,
				       const struct ipts_ipset_pkt *p,
				       const char **why)
{
	const struct set_elem *hit;

	return test_hit(sets, m, p, why, &hit, NULL);
}

enum ipts_ipset_answer ipts_ipset_count_test(
	const struct ipts_ipsets *sets, const struct ipts_ipset_match *m,
	const struct ipts_ipset_pkt *p, const char **why,
	struct ipts_ipset *(*writable)(void *arg, const struct ipts_ipset *),
	void *arg, uint32_t *skbmark, uint32_t *skbmarkmask)
{
	const struct set_elem *hit;
	struct count c = {
		.writable = writable,
		.arg = arg,
		.update = !m->no_update,
		.compare = m->counters,
	};
	enum ipts_ipset_answer a = test_hit(sets, m, p, why, &hit, &c);

	if (skbmark) {
		*skbmark = hit ? hit->skbmark : 0;
		*skbmarkmask = hit ? hit->skbmarkmask : 0;
	}
	return a;
}

enum ipts_ipset_answer ipts_ipset_map(const struct ipts_ipsets *sets,
				      const struct ipts_ipset_match *m,
				      const struct ipts_ipset_pkt *p,
				      uint32_t *skbmark, uint32_t *skbmarkmask,
				      const char **why)
{
	const struct set_elem *hit;
	enum ipts_ipset_answer a = test_hit(sets, m, p, why, &hit, NULL);

	*skbmark = hit ? hit->skbmark : 0;
	*skbmarkmask = hit ? hit->skbmarkmask : 0;
	return a;
}

bool ipts_ipset_reads(const struct ipts_ipsets *sets,
		      const struct ipts_ipset_match *m, const char *name)
{
	const struct ipts_ipset *set = ipts_ipsets_find(sets, m->name,
							m->name_len);
	size_t i;

	if (m->name_len == strlen(name) && !memcmp(m->name, name, m->name_len))
		return true;
	if (!set || set->type->kind != SET_LIST_SET)
		return false;
	for (i = 0; i < set->n; i++)
		if (strcmp(sets->v[set->v[i].member].name, name) == 0)
			return true;
	return false;
}

/* An inet6 element's address part @a under the prefix @cidr, as the
 * range it covers. */
static void part6(unsigned int cidr, const uint8_t *a, bool src,
		  ipts_ipset_part_fn fn, void *arg)
{
	struct in6_addr r[2];
	unsigned int i;

	memcpy(r[0].s6_addr, a, 16);
	ipts_ipset_mask6(r[0].s6_addr, cidr);
	for (i = 0; i < 16; i++) {
		unsigned int bits = cidr > i * 8 ? cidr - i * 8 : 0;
		uint8_t keep = bits >= 8 ? 0xff : (uint8_t)(0xff00 >> bits);

		r[1].s6_addr[i] = r[0].s6_addr[i] | (uint8_t)~keep;
	}
	fn(arg, IPTS_IPSET_PART_ADDR6, src, 0, 0, r);
}

static void set_parts(const struct ipts_ipsets *sets,
		      const struct ipts_ipset *set,
		      const struct ipts_ipset_match *m, int family, size_t max,
		      ipts_ipset_part_fn fn, void *arg, int depth)
{
	size_t i;

	/* ip_set_test(): too few flags, or a family that is not the
	 * rule's: never matches, nothing to learn */
	if (m->dim < set->type->dim || (set->family && set->family != family))
		return;
	for (i = 0; i < set->n && i < max; i++) {
		const struct set_elem *e = &set->v[i];
		unsigned int k, ip = 0;

		if (set->type->kind == SET_LIST_SET) {
			if (depth == 0)
				set_parts(sets, &sets->v[e->member], m, family,
					  max, fn, arg, 1);
			continue;
		}
		for (k = 0; k < set->type->nparts; k++) {
			bool src = m->src & (1u << k);
			uint32_t mask;

			switch (set->type->dims[k]) {
			case DIM_IP:
			case DIM_NET:
				if (family != 6)
					break;
				/* the prefix the element covers: hash:ip's
				 * netmask, a net part's cidr */
				part6(set->type->dims[k] == DIM_IP ?
					      set->netmask6 :
					      e->cidr[ip],
				      e->a6[ip], src, fn, arg);
				ip++;
				continue;
			default:
				break;
			}
			switch (set->type->dims[k]) {
			case DIM_IP:
				fn(arg, IPTS_IPSET_PART_ADDR, src, e->lo[ip],
				   e->hi[ip] | ~set->netmask, NULL);
				ip++;
				break;
			case DIM_NET:
				mask = e->cidr[ip] ?
					       ~(uint32_t)0
						       << (32 - e->cidr[ip]) :
					       0;
				fn(arg, IPTS_IPSET_PART_ADDR, src, e->lo[ip],
				   e->lo[ip] | ~mask, NULL);
				ip++;
				break;
			case DIM_PORT:
			case DIM_BPORT:
				fn(arg, IPTS_IPSET_PART_PORT, src, e->port_lo,
				   e->port_hi, NULL);
				break;
			default:
				break;
			}
		}
	}
}

void ipts_ipset_parts(const struct ipts_ipsets *sets,
		      const struct ipts_ipset_match *m, int family, size_t max,
		      ipts_ipset_part_fn fn, void *arg)
{
	const struct ipts_ipset *set = ipts_ipsets_find(sets, m->name,
							m->name_len);

	if (set)
		set_parts(sets, set, m, family, max, fn, arg, 0);
}
