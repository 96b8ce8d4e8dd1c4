/*
 * state.c - the sets as -j SET changes them while a connection's packets
 * pass: set_target_v3() of xt_set.c adds (ip_set_add()), deletes
 * (ip_set_del()) and maps (a test that copies the element's skbinfo).
 * The element is the one each type's kadt() builds from the packet: the
 * flags choose source or destination per dimension, hash:ip and
 * bitmap:ip apply the set's netmask, a net part takes the most specific
 * prefix the set holds (h->nets[0].cidr, /32 in an empty set: checked in
 * a namespace), a port carries its protocol. mtype_add() refuses an
 * element already there unless --exist (which then sets its timeout
 * again and clears its nomatch flag), and a new one when the set holds
 * maxelem elements; list:set tries its members in order, the first one
 * that takes the element wins (list_set_kadd(), list_set_kdel()).
 *
 * A state is a view of the capture: a set is copied at its first change
 * (copy on write), so a connection that changes nothing costs nothing.
 */
#include "ipset_int.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"

/* IPSET_MAX_TIMEOUT of ip_set_timeout.h: (UINT_MAX >> 1) / MSEC_PER_SEC */
#define MAX_TIMEOUT 2147483u
#define NO_TIMEOUT UINT32_MAX
#define MAX_LOG 64

struct ipts_ipset_state {
	const struct ipts_ipsets *base;
	struct ipts_ipsets view; /* copies of base's sets */
	bool *owned; /* view.v[i].v is a copy, freed at reset */
	bool changed;
	struct {
		int set;
		enum ipts_ipset_op op;
		struct set_elem e;
	} log[MAX_LOG];
	size_t nlog, lost;
};

struct ipts_ipset_state *ipts_ipset_state_new(const struct ipts_ipsets *base)
{
	struct ipts_ipset_state *st = ipts_xcalloc(1, sizeof(*st));

	st->base = base;
	st->view = *base;
	st->view.v = ipts_xcalloc(base->n ? base->n : 1, sizeof(*base->v));
	if (base->n)
		memcpy(st->view.v, base->v, base->n * sizeof(*base->v));
	st->view.cap = base->n;
	st->owned = ipts_xcalloc(base->n ? base->n : 1, sizeof(bool));
	return st;
}

void ipts_ipset_state_reset(struct ipts_ipset_state *st)
{
	size_t i;

	if (!st || !st->changed)
		return;
	for (i = 0; i < st->base->n; i++) {
		if (st->owned[i])
			free(st->view.v[i].v);
		st->view.v[i] = st->base->v[i];
		st->owned[i] = false;
	}
	st->nlog = st->lost = 0;
	st->changed = false;
}

void ipts_ipset_state_free(struct ipts_ipset_state *st)
{
	if (!st)
		return;
	ipts_ipset_state_reset(st);
	free(st->view.v);
	free(st->owned);
	free(st);
}

bool ipts_ipset_state_of(const struct ipts_ipset_state *st,
			 const struct ipts_ipsets *base)
{
	/* the base's arrays too: a collection freed and another read at
	 * the same address is not the same base */
	return st && st->base == base && st->view.n == base->n &&
	       st->view.src == base->src &&
	       (!base->n || st->view.v[0].loc.off == base->v[0].loc.off);
}

const struct ipts_ipsets *
ipts_ipset_state_sets(const struct ipts_ipset_state *st)
{
	return &st->view;
}

bool ipts_ipset_state_changed(const struct ipts_ipset_state *st)
{
	return st && st->changed;
}

/* The set @idx of the view, copied first if it is still the capture's. */
static struct ipts_ipset *writable(struct ipts_ipset_state *st, size_t idx)
{
	struct ipts_ipset *set = &st->view.v[idx];

	if (!st->owned[idx]) {
		struct set_elem *v = ipts_xmalloc((set->n ? set->n : 1) *
						  sizeof(*v));

		if (set->n)
			memcpy(v, set->v, set->n * sizeof(*v));
		set->v = v;
		set->cap = set->n ? set->n : 1;
		st->owned[idx] = true;
	}
	st->changed = true;
	return set;
}

static void log_op(struct ipts_ipset_state *st, size_t idx,
		   enum ipts_ipset_op op, const struct set_elem *e)
{
	st->changed = true;
	if (st->nlog == MAX_LOG) {
		st->lost++;
		return;
	}
	st->log[st->nlog].set = (int)idx;
	st->log[st->nlog].op = op;
	st->log[st->nlog].e = *e;
	st->nlog++;
}

static uint32_t pkt_addr(uint8_t src, const struct ipts_ipset_pkt *p,
			 unsigned int i)
{
	return ntohl(src & (1u << i) ? p->saddr : p->daddr);
}

/* ip_set_get_ip4_port(): false for a later fragment of a protocol with
 * ports (test.c reads it the same way). */
static bool pkt_port(uint8_t src, const struct ipts_ipset_pkt *p,
		     unsigned int i, uint16_t *port)
{
	bool s = src & (1u << i);

	switch (p->protocol) {
	case IPPROTO_TCP:
	case IPPROTO_UDP:
	case IPPROTO_SCTP:
	case IPPROTO_UDPLITE:
	case IPPROTO_ICMP:
	case IPPROTO_ICMPV6:
		if (p->fragment)
			return false;
		if (p->protocol == IPPROTO_ICMP ||
		    p->protocol == IPPROTO_ICMPV6)
			*port = p->sport;
		else
			*port = s ? p->sport : p->dport;
		return true;
	default:
		*port = 0;
		return true;
	}
}

/* h->nets[0].cidr[@k]: the most specific prefix of net part @k the set
 * holds, HOST_MASK when none (INIT_CIDR()). */
static uint8_t set_cidr(const struct ipts_ipset *set, unsigned int k)
{
	uint8_t c = 0;
	size_t i;

	for (i = 0; i < set->n; i++)
		if (set->v[i].cidr[k] > c)
			c = set->v[i].cidr[k];
	return c ? c : set->family == 6 ? 128 : 32;
}

static uint32_t mask_of(uint8_t cidr)
{
	/* an inet6 set's prefixes go to 128: its IPv4 parts stay zero */
	return cidr >= 32 ? ~(uint32_t)0 :
	       cidr	  ? ~(uint32_t)0 << (32 - cidr) :
			    0;
}

/*
 * The address parts hash_*6_kadt() build from a packet of family 6 for a
 * set of family inet6 (the IPv4 parts stay zero, as read.c leaves an
 * inet6 element's): an address part is the whole address (hash:ip under
 * its netmask, :: refused), a net part the address under the prefix
 * kadt_elem() chose. 0, or 1 when kadt() refuses the packet.
 */
static int kadt_elem6(const struct ipts_ipset *set, uint8_t src,
		      const struct ipts_ipset_pkt *p, struct set_elem *e)
{
	static const uint8_t any[16];
	unsigned int d, ip = 0;

	for (d = 0; d < set->type->nparts; d++) {
		enum dim_kind k = set->type->dims[d];

		if (k != DIM_IP && k != DIM_NET)
			continue;
		memcpy(e->a6[ip], src & (1u << d) ? p->saddr6 : p->daddr6, 16);
		if (k == DIM_IP) {
			e->cidr[ip] = 128;
			if (set->type->kind == SET_HASH_IP) {
				ipts_ipset_mask6(e->a6[ip], set->netmask6);
				if (!memcmp(e->a6[ip], any, 16))
					return 1; /* ipv6_addr_any(): -EINVAL */
			}
		} else {
			ipts_ipset_mask6(e->a6[ip], e->cidr[ip]);
		}
		e->lo[ip] = e->hi[ip] = 0;
		ip++;
	}
	return 0;
}

/*
 * The element kadt() builds from @p for a hash or bitmap set: 0, 1 when
 * kadt() refuses the packet (-EINVAL, out of the bitmap's range), -1
 * when the file cannot tell it (*why).
 */
static int kadt_elem(const struct ipts_ipset *set, uint8_t src,
		     const struct ipts_ipset_pkt *p, struct set_elem *e,
		     const char **why)
{
	uint16_t port = 0;
	const char *dev;

	memset(e, 0, sizeof(*e));
	e->member = -1;
	switch (set->type->kind) {
	case SET_HASH_IP:
		e->lo[0] = pkt_addr(src, p, 0) & set->netmask;
		if (!e->lo[0] && p->family != 6)
			return 1;
		break;
	case SET_BITMAP_IP:
		e->lo[0] = pkt_addr(src, p, 0);
		if (e->lo[0] < set->range_lo || e->lo[0] > set->range_hi)
			return 1;
		e->lo[0] &= set->netmask;
		break;
	case SET_HASH_NET:
		e->cidr[0] = set_cidr(set, 0);
		e->lo[0] = pkt_addr(src, p, 0) & mask_of(e->cidr[0]);
		break;
	case SET_HASH_IPPORT:
	case SET_HASH_IPPORTIP:
	case SET_HASH_IPPORTNET:
	case SET_HASH_NETPORT:
		if (!pkt_port(src, p, 1, &port))
			return 1;
		e->proto = p->protocol;
		e->port_lo = port;
		e->lo[0] = pkt_addr(src, p, 0);
		if (set->type->kind == SET_HASH_NETPORT) {
			e->cidr[0] = set_cidr(set, 0);
			e->lo[0] &= mask_of(e->cidr[0]);
		}
		if (set->type->kind == SET_HASH_IPPORTIP)
			e->lo[1] = pkt_addr(src, p, 2);
		if (set->type->kind == SET_HASH_IPPORTNET) {
			e->cidr[1] = set_cidr(set, 1);
			e->lo[1] = pkt_addr(src, p, 2) & mask_of(e->cidr[1]);
		}
		break;
	case SET_HASH_NETNET:
		e->cidr[0] = set_cidr(set, 0);
		e->cidr[1] = set_cidr(set, 1);
		e->lo[0] = pkt_addr(src, p, 0) & mask_of(e->cidr[0]);
		e->lo[1] = pkt_addr(src, p, 1) & mask_of(e->cidr[1]);
		break;
	case SET_HASH_NETIFACE:
		dev = src & 2 ? p->in : p->out;
		if (!dev || !*dev || strlen(dev) >= sizeof(e->iface))
			return 1;
		strcpy(e->iface, dev);
		e->cidr[0] = set_cidr(set, 0);
		e->lo[0] = pkt_addr(src, p, 0) & mask_of(e->cidr[0]);
		break;
	case SET_HASH_IPMARK:
		e->lo[0] = pkt_addr(src, p, 0);
		e->mark = p->mark & set->markmask;
		break;
	case SET_BITMAP_PORT:
		if ((p->protocol != IPPROTO_TCP &&
		     p->protocol != IPPROTO_UDP) ||
		    p->fragment)
			return 1;
		port = src & 1 ? p->sport : p->dport;
		if (port < set->range_lo || port > set->range_hi)
			return 1;
		e->port_lo = port;
		break;
	case SET_HASH_MAC:
		if (p->mac == 0)
			return 1;
		*why = "-j SET on hash:mac adds the sender's MAC address, "
		       "which the file cannot tell";
		return -1;
	default:
		*why = "-j SET on a set type iptsim does not model";
		return -1;
	}
	e->hi[0] = e->lo[0];
	e->hi[1] = e->lo[1];
	e->port_hi = e->port_lo;
	if (p->family == 6 && set->family == 6)
		return kadt_elem6(set, src, p, e);
	return 0;
}

/* Whether @e holds the single element @k (a range holds its addresses
 * and ports; a net part must be the same prefix, as data_equal()). */
static bool holds(const struct ipts_ipset *set, const struct set_elem *e,
		  const struct set_elem *k)
{
	unsigned int i, ip = 0;

	for (i = 0; i < set->type->nparts; i++) {
		switch (set->type->dims[i]) {
		case DIM_IP:
			if (k->lo[ip] < e->lo[ip] || k->lo[ip] > e->hi[ip])
				return false;
			if (set->family == 6 &&
			    memcmp(k->a6[ip], e->a6[ip], 16))
				return false;
			ip++;
			break;
		case DIM_NET:
			if (k->lo[ip] != e->lo[ip] ||
			    k->cidr[ip] != e->cidr[ip])
				return false;
			if (set->family == 6 &&
			    memcmp(k->a6[ip], e->a6[ip], 16))
				return false;
			ip++;
			break;
		case DIM_PORT:
			if (k->proto != e->proto)
				return false;
			/* fall through */
		case DIM_BPORT:
			if (k->port_lo < e->port_lo || k->port_lo > e->port_hi)
				return false;
			break;
		case DIM_IFACE:
			if (strcmp(k->iface, e->iface) || e->physdev ||
			    e->wildcard)
				return false;
			break;
		case DIM_MARK:
			if (k->mark != e->mark)
				return false;
			break;
		default:
			return false;
		}
	}
	return true;
}

void ipts_ipset_push(struct ipts_ipset *set, const struct set_elem *e)
{
	if (set->n == set->cap) {
		set->cap = set->cap ? set->cap * 2 : 16;
		set->v = ipts_xrealloc(set->v, set->cap * sizeof(*set->v));
	}
	set->v[set->n++] = *e;
}

/*
 * Take the single element @k out of element @i of @set, which holds it:
 * a range is split around it, one part per side of each ranged dimension
 * (earlier dimensions already narrowed to @k's value).
 */
static void take_out(struct ipts_ipset *set, size_t i, const struct set_elem *k)
{
	struct set_elem rest = set->v[i], piece;
	uint32_t step = set->netmask ? ~set->netmask + 1 : 1;
	unsigned int d, ip = 0;

	set->v[i] = set->v[--set->n];
	for (d = 0; d < set->type->nparts; d++) {
		enum dim_kind kind = set->type->dims[d];

		if (kind == DIM_IP) {
			if (rest.lo[ip] < k->lo[ip]) {
				piece = rest;
				piece.hi[ip] = k->lo[ip] - step;
				ipts_ipset_push(set, &piece);
			}
			if (k->lo[ip] < rest.hi[ip]) {
				piece = rest;
				piece.lo[ip] = k->lo[ip] + step;
				ipts_ipset_push(set, &piece);
			}
			rest.lo[ip] = rest.hi[ip] = k->lo[ip];
		}
		if (kind == DIM_IP || kind == DIM_NET)
			ip++;
		if (kind == DIM_PORT || kind == DIM_BPORT) {
			if (rest.port_lo < k->port_lo) {
				piece = rest;
				piece.port_hi = (uint16_t)(k->port_lo - 1);
				ipts_ipset_push(set, &piece);
			}
			if (k->port_lo < rest.port_hi) {
				piece = rest;
				piece.port_lo = (uint16_t)(k->port_lo + 1);
				ipts_ipset_push(set, &piece);
			}
			rest.port_lo = rest.port_hi = k->port_lo;
		}
	}
}

static size_t find(const struct ipts_ipset *set, const struct set_elem *k)
{
	size_t i;

	for (i = 0; i < set->n; i++)
		if (holds(set, &set->v[i], k))
			return i;
	return SIZE_MAX;
}

/* ip_set_add()/ip_set_del() on one set: 0 done, 1 refused, -1 unknown. */
static int adt(struct ipts_ipset_state *st, size_t idx, bool add,
	       const struct ipts_ipset_adt *a, const struct ipts_ipset_pkt *p,
	       unsigned int depth, const char **why)
{
	struct ipts_ipset *set = &st->view.v[idx];
	struct set_elem k;
	size_t i;
	int r;

	/* ip_set_add(), ip_set_del(): too few flags, or a family that is
	 * not the packet's */
	if (a->dim < set->type->dim ||
	    (set->family && set->family != (p->family == 6 ? 6 : 4)))
		return 1; /* -IPSET_ERR_TYPE_MISMATCH */
	if (set->unknown_why) {
		*why = set->unknown_why;
		return -1;
	}
	if (set->type->kind == SET_LIST_SET) {
		bool unknown = false;

		if (depth)
			return 1;
		for (i = 0; i < set->n; i++) {
			r = adt(st, (size_t)set->v[i].member, add, a, p, 1,
				why);
			if (r == 0 && !unknown)
				return 0;
			if (r < 0)
				unknown = true;
		}
		return unknown ? -1 : 1;
	}
	r = kadt_elem(set, a->src, p, &k, why);
	if (r)
		return r;
	i = find(set, &k);
	if (!add) {
		if (i == SIZE_MAX)
			return 1; /* -IPSET_ERR_EXIST */
		set = writable(st, idx);
		take_out(set, i, &k);
		set->count--;
		log_op(st, idx, IPTS_IPSET_DELETED, &k);
		return 0;
	}
	k.timeout = set->timeout_dflt;
	if (a->timeout != NO_TIMEOUT)
		k.timeout = a->timeout > MAX_TIMEOUT ? MAX_TIMEOUT : a->timeout;
	if (!set->timeout)
		k.timeout = 0;
	if (set->counters) {
		/* IP_SET_INIT_KEXT(): this packet, counted */
		k.has_counters = true;
		k.packets = 1;
		k.bytes = p->len;
	}
	if (i != SIZE_MAX) {
		if (!a->exist)
			return 1; /* -IPSET_ERR_EXIST */
		/* overwrite_extensions: the kadt element's flags (no
		 * nomatch), timeout and counters */
		set = writable(st, idx);
		if (!holds(set, &k, &set->v[i])) {
			take_out(set, i, &k);
			ipts_ipset_push(set, &k);
		} else {
			set->v[i] = k;
		}
		log_op(st, idx, IPTS_IPSET_REFRESHED, &k);
		return 0;
	}
	if (set->type->kind != SET_BITMAP_IP &&
	    set->type->kind != SET_BITMAP_PORT && set->count >= set->maxelem)
		return 1; /* -IPSET_ERR_HASH_FULL */
	set = writable(st, idx);
	ipts_ipset_push(set, &k);
	set->count++;
	log_op(st, idx, IPTS_IPSET_ADDED, &k);
	return 0;
}

static struct ipts_ipset *count_writable(void *arg,
					 const struct ipts_ipset *set)
{
	struct ipts_ipset_state *st = arg;

	return writable(st, (size_t)(set - st->view.v));
}

enum ipts_ipset_answer ipts_ipset_state_test(struct ipts_ipset_state *st,
					     const struct ipts_ipset_match *m,
					     const struct ipts_ipset_pkt *p,
					     const char **why)
{
	return ipts_ipset_count_test(&st->view, m, p, why, count_writable, st,
				     NULL, NULL);
}

enum ipts_ipset_answer ipts_ipset_state_map(struct ipts_ipset_state *st,
					    const struct ipts_ipset_match *m,
					    const struct ipts_ipset_pkt *p,
					    uint32_t *skbmark,
					    uint32_t *skbmarkmask,
					    const char **why)
{
	return ipts_ipset_count_test(&st->view, m, p, why, count_writable, st,
				     skbmark, skbmarkmask);
}

static void make_unknown(struct ipts_ipset_state *st, size_t idx,
			 const char *why);

bool ipts_ipsets_timed(const struct ipts_ipsets *s)
{
	size_t i, j;

	for (i = 0; s && i < s->n; i++)
		for (j = 0; j < s->v[i].n; j++)
			if (s->v[i].v[j].timeout)
				return true;
	return false;
}

void ipts_ipset_state_advance(struct ipts_ipset_state *st, uint32_t secs)
{
	size_t i, j, k;

	for (i = 0; secs && i < st->view.n; i++) {
		struct ipts_ipset *set = &st->view.v[i];
		bool timed = false, boundary = false;

		for (j = 0; j < set->n && !timed; j++)
			timed = set->v[j].timeout != 0;
		if (!timed)
			continue;
		set = writable(st, i);
		for (j = k = 0; j < set->n; j++) {
			struct set_elem e = set->v[j];

			if (e.timeout && e.timeout < secs) {
				/* expired: gone for the later packets */
				set->count -= ipts_ipset_elem_count(set, &e);
				continue;
			}
			if (e.timeout == secs)
				boundary = true;
			if (e.timeout)
				e.timeout = e.timeout > secs ?
						    e.timeout - secs :
						    1;
			set->v[k++] = e;
		}
		set->n = k;
		if (boundary && !set->unknown_why)
			make_unknown(st, i,
				     "an element's timeout ends at the second "
				     "of the SYN's retransmission (1 s later: "
				     "ipset save rounds the seconds left down, "
				     "and ip_set_timeout_expired() compares "
				     "jiffies): it may be gone");
	}
}

/* Mark the set and the list:sets holding it unknown. */
static void make_unknown(struct ipts_ipset_state *st, size_t idx,
			 const char *why)
{
	size_t i, j;

	st->view.v[idx].unknown_why = why;
	st->changed = true;
	for (i = 0; i < st->view.n; i++) {
		struct ipts_ipset *l = &st->view.v[i];

		if (l->type->kind != SET_LIST_SET)
			continue;
		for (j = 0; j < l->n; j++)
			if ((size_t)l->v[j].member == idx)
				l->unknown_why = why;
	}
}

int ipts_ipset_state_adt(struct ipts_ipset_state *st, bool add,
			 const struct ipts_ipset_adt *a,
			 const struct ipts_ipset_pkt *p, const char **why)
{
	const struct ipts_ipset *set = ipts_ipsets_find(&st->view, a->name,
							a->name_len);
	size_t idx;
	int r;

	if (!set) {
		*why = "-j SET names a set the ipsets file does not define";
		return -1;
	}
	idx = (size_t)(set - st->view.v);
	r = adt(st, idx, add, a, p, 0, why);
	if (r < 0) {
		make_unknown(st, idx, *why);
		if (set->type->kind == SET_LIST_SET)
			for (size_t i = 0; i < set->n; i++)
				make_unknown(st, (size_t)set->v[i].member,
					     *why);
	}
	return r;
}

/* --- what a state is written as --------------------------------------- */

static size_t fmt_ip(char *b, size_t n, uint32_t a)
{
	struct in_addr in = { htonl(a) };
	char t[INET_ADDRSTRLEN];

	inet_ntop(AF_INET, &in, t, sizeof(t));
	return (size_t)snprintf(b, n, "%s", t);
}

static size_t fmt_ip6(char *b, size_t n, const uint8_t *a)
{
	char t[INET6_ADDRSTRLEN];

	inet_ntop(AF_INET6, a, t, sizeof(t));
	return (size_t)snprintf(b, n, "%s", t);
}

static const char *proto_name(uint8_t proto)
{
	switch (proto) {
	case IPPROTO_TCP:
		return "tcp";
	case IPPROTO_UDP:
		return "udp";
	case IPPROTO_SCTP:
		return "sctp";
	case IPPROTO_UDPLITE:
		return "udplite";
	default:
		return NULL;
	}
}

/* The element as `ipset save` writes it (without the set's name). */
static void fmt_elem(const struct ipts_ipsets *sets,
		     const struct ipts_ipset *set, const struct set_elem *e,
		     bool options, char *b, size_t n)
{
	unsigned int d, ip = 0;
	size_t o = 0;

#define ROOM (o < n ? n - o : 0)
	b[0] = '\0';
	for (d = 0; d < set->type->nparts; d++) {
		const char *pn;

		if (d)
			o += (size_t)snprintf(b + o, ROOM, ",");
		switch (set->type->dims[d]) {
		case DIM_IP:
			if (set->family == 6) {
				o += fmt_ip6(b + o, ROOM, e->a6[ip]);
				ip++;
				break;
			}
			o += fmt_ip(b + o, ROOM, e->lo[ip]);
			if (e->hi[ip] != e->lo[ip]) {
				o += (size_t)snprintf(b + o, ROOM, "-");
				o += fmt_ip(b + o, ROOM, e->hi[ip]);
			}
			ip++;
			break;
		case DIM_NET:
			if (set->family == 6) {
				o += fmt_ip6(b + o, ROOM, e->a6[ip]);
				if (e->cidr[ip] != 128)
					o += (size_t)snprintf(b + o, ROOM,
							      "/%u",
							      e->cidr[ip]);
				ip++;
				break;
			}
			o += fmt_ip(b + o, ROOM, e->lo[ip]);
			if (e->cidr[ip] != 32)
				o += (size_t)snprintf(b + o, ROOM, "/%u",
						      e->cidr[ip]);
			ip++;
			break;
		case DIM_PORT:
			pn = proto_name(e->proto);
			if (e->proto == IPPROTO_ICMP)
				o += (size_t)snprintf(b + o, ROOM, "icmp:%u/%u",
						      e->port_lo >> 8,
						      e->port_lo & 0xff);
			else if (e->proto == IPPROTO_ICMPV6)
				o += (size_t)snprintf(b + o, ROOM,
						      "ipv6-icmp:%u/%u",
						      e->port_lo >> 8,
						      e->port_lo & 0xff);
			else if (!pn)
				o += (size_t)snprintf(b + o, ROOM, "%u:0",
						      e->proto);
			else if (e->port_lo == e->port_hi)
				o += (size_t)snprintf(b + o, ROOM, "%s:%u", pn,
						      e->port_lo);
			else
				o += (size_t)snprintf(b + o, ROOM, "%s:%u-%u",
						      pn, e->port_lo,
						      e->port_hi);
			break;
		case DIM_BPORT:
			o += (size_t)snprintf(b + o, ROOM, "%u", e->port_lo);
			if (e->port_hi != e->port_lo)
				o += (size_t)snprintf(b + o, ROOM, "-%u",
						      e->port_hi);
			break;
		case DIM_IFACE:
			o += (size_t)snprintf(b + o, ROOM, "%s%s",
					      e->physdev ? "physdev:" : "",
					      e->iface);
			break;
		case DIM_MARK:
			o += (size_t)snprintf(b + o, ROOM, "0x%08x", e->mark);
			break;
		case DIM_MAC:
			o += (size_t)snprintf(b + o, ROOM,
					      "%02X:%02X:%02X:%02X:%02X:%02X",
					      e->mac[0], e->mac[1], e->mac[2],
					      e->mac[3], e->mac[4], e->mac[5]);
			break;
		case DIM_SETNAME:
			o += (size_t)snprintf(b + o, ROOM, "%s",
					      sets->v[e->member].name);
			break;
		}
	}
	if (!options)
		return;
	if (set->timeout)
		o += (size_t)snprintf(b + o, ROOM, " timeout %u", e->timeout);
	if (set->counters)
		o += (size_t)snprintf(b + o, ROOM, " packets %llu bytes %llu",
				      (unsigned long long)e->packets,
				      (unsigned long long)e->bytes);
	/* as ipset prints it: the mask only when it is not all ones */
	if (set->skbinfo && e->skbmarkmask == 0xffffffffu)
		o += (size_t)snprintf(b + o, ROOM, " skbmark 0x%x", e->skbmark);
	else if (set->skbinfo && e->skbmarkmask)
		o += (size_t)snprintf(b + o, ROOM, " skbmark 0x%x/0x%x",
				      e->skbmark, e->skbmarkmask);
	if (e->wildcard)
		o += (size_t)snprintf(b + o, ROOM, " wildcard");
	if (e->nomatch)
		o += (size_t)snprintf(b + o, ROOM, " nomatch");
#undef ROOM
}

size_t ipts_ipset_state_nchanges(const struct ipts_ipset_state *st)
{
	return st ? st->nlog : 0;
}

void ipts_ipset_state_change(const struct ipts_ipset_state *st, size_t i,
			     const char **set, enum ipts_ipset_op *op,
			     char *elem, size_t n)
{
	const struct ipts_ipset *s = &st->base->v[st->log[i].set];

	*set = s->name;
	*op = st->log[i].op;
	fmt_elem(&st->view, s, &st->log[i].e, false, elem, n);
}

char *ipts_ipset_state_save(const struct ipts_ipset_state *st)
{
	char *buf = NULL, el[256];
	size_t len = 0, i, j;
	FILE *f;

	if (!st || !st->changed)
		return NULL;
	f = open_memstream(&buf, &len);
	if (!f)
		ipts_oom();
	for (i = 0; i < st->view.n; i++) {
		const struct ipts_ipset *set = &st->view.v[i];

		if (!st->owned[i] && !set->unknown_why)
			continue;
		if (set->unknown_why) {
			fprintf(f, "# %s: unknown after the connection (%s)\n",
				set->name, set->unknown_why);
			continue;
		}
		fprintf(f, "%.*s\n", (int)set->loc.len,
			st->base->src->buf + set->loc.off);
		for (j = 0; j < set->n; j++) {
			fmt_elem(&st->view, set, &set->v[j], true, el,
				 sizeof(el));
			fprintf(f, "add %s %s\n", set->name, el);
		}
	}
	if (fclose(f) != 0)
		ipts_oom();
	return buf;
}

/* --- -j SET's words --------------------------------------------------- */

/* "NAME src,dst" after --add-set and the like. */
static const char *set_words(const char *p, struct ipts_ipset_adt *a)
{
	const char *f;

	p += strspn(p, " ");
	a->name = p;
	a->name_len = strcspn(p, " ");
	p += a->name_len;
	p += strspn(p, " ");
	f = p;
	p += strcspn(p, " ");
	a->dim = 0;
	a->src = 0;
	while (f < p) {
		size_t k = strcspn(f, ", ");

		if (a->dim == IPTS_IPSET_DIM_MAX)
			return NULL;
		if (k == 3 && !strncmp(f, "src", 3))
			a->src |= (uint8_t)(1u << a->dim);
		else if (k != 3 || strncmp(f, "dst", 3))
			return NULL;
		a->dim++;
		f += k;
		if (*f == ',')
			f++;
	}
	return a->name_len && a->dim ? p : NULL;
}

int ipts_ipset_target_parse(const char *text, struct ipts_ipset_target *t)
{
	const char *p = text;

	memset(t, 0, sizeof(*t));
	t->add.timeout = t->del.timeout = NO_TIMEOUT;
	for (;;) {
		const char *w;
		size_t n;

		p += strspn(p, " ");
		if (!*p)
			break;
		w = p;
		n = strcspn(p, " ");
		p += n;
#define IS(s) (n == sizeof(s) - 1 && !strncmp(w, s, n))
		if (IS("--add-set")) {
			p = set_words(p, &t->add);
			t->has_add = true;
		} else if (IS("--del-set")) {
			p = set_words(p, &t->del);
			t->has_del = true;
		} else if (IS("--map-set")) {
			p = set_words(p, &t->map);
			t->has_map = true;
		} else if (IS("--exist")) {
			t->add.exist = true;
		} else if (IS("--timeout")) {
			char *end;
			unsigned long v;

			p += strspn(p, " ");
			v = strtoul(p, &end, 10);
			if (end == p || (*end && *end != ' ') || v > UINT32_MAX)
				return -1;
			t->add.timeout = (uint32_t)v;
			p = end;
		} else if (IS("--map-mark")) {
			t->map_mark = true;
		} else if (IS("--map-prio")) {
			t->map_prio = true;
		} else if (IS("--map-queue")) {
			t->map_queue = true;
		} else {
			return -1;
		}
#undef IS
		if (!p)
			return -1;
	}
	return t->has_add || t->has_del || t->has_map ? 0 : -1;
}
