/*
 * exposure.c - the table of `iptsim exposure` (exposure.h): its rows
 * found in the rules and the host's listeners, its columns in the host's
 * interfaces (places.c), each cell filled from one simulation.
 */
#include "exposure_int.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <netinet/in.h>

#include "diag.h"
#include "host.h"
#include "places.h"
#include "model.h" /* before the uapi headers: glibc's net/if.h first */
#include "blob.h"

#include <linux/netfilter/x_tables.h>
#include <linux/netfilter/xt_multiport.h>
#include <linux/netfilter/xt_tcpudp.h>
#include <linux/netfilter_ipv6/ip6_tables.h>

#define LOOPBACK 0x7f000001u /* host order */

/* The cells' sentences, each kept once: a table of a million cells
 * holds a few hundred distinct ones. Locked: the run's threads add. */
struct ipts_exp_strings {
	pthread_mutex_t lock;
	char **slot;
	size_t n, cap; /* cap a power of two */
};

static const char *intern(struct ipts_exposure *e, const char *text)
{
	struct ipts_exp_strings *p = e->strings;
	uint64_t h = 1469598103934665603ull;
	const char *c, *got;
	size_t i;

	for (c = text; *c; c++)
		h = (h ^ (unsigned char)*c) * 1099511628211ull;
	pthread_mutex_lock(&p->lock);
	if (2 * (p->n + 1) > p->cap) {
		size_t cap = p->cap ? 2 * p->cap : 256, k;
		char **slot = ipts_xcalloc(cap, sizeof(*slot));

		for (k = 0; k < p->cap; k++) {
			uint64_t g = 1469598103934665603ull;

			if (!p->slot[k])
				continue;
			for (c = p->slot[k]; *c; c++)
				g = (g ^ (unsigned char)*c) * 1099511628211ull;
			for (i = g & (cap - 1); slot[i];
			     i = (i + 1) & (cap - 1))
				;
			slot[i] = p->slot[k];
		}
		free(p->slot);
		p->slot = slot;
		p->cap = cap;
	}
	for (i = h & (p->cap - 1); p->slot[i]; i = (i + 1) & (p->cap - 1))
		if (strcmp(p->slot[i], text) == 0)
			break;
	if (!p->slot[i]) {
		p->slot[i] = ipts_xstrdup(text);
		p->n++;
	}
	got = p->slot[i];
	pthread_mutex_unlock(&p->lock);
	return got;
}

static void strings_free(struct ipts_exp_strings *p)
{
	size_t i;

	if (!p)
		return;
	for (i = 0; i < p->cap; i++)
		free(p->slot[i]);
	free(p->slot);
	pthread_mutex_destroy(&p->lock);
	free(p);
}

void ipts_exposure_init(struct ipts_exposure *e,
			const struct ipts_hostdesc *host)
{
	memset(e, 0, sizeof(*e));
	e->host = host;
}

/* The sentences' table, made by the plan (an init that allocates
 * nothing needs no free on a command's early return). */
static void strings_new(struct ipts_exposure *e)
{
	if (e->strings)
		return;
	e->strings = ipts_xcalloc(1, sizeof(*e->strings));
	pthread_mutex_init(&e->strings->lock, NULL);
}

static void add_note(struct ipts_exposure *e, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void add_note(struct ipts_exposure *e, const char *fmt, ...)
{
	char buf[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	e->notes = ipts_xrealloc(e->notes, (e->nnotes + 1) * sizeof(*e->notes));
	e->notes[e->nnotes++] = ipts_xstrdup(buf);
}

int ipts_exposure_add_listen(struct ipts_exposure *e, uint8_t proto,
			     uint32_t addr, uint16_t port)
{
	if (e->nlisten == IPTS_QUERY_MAX_LOCAL)
		return -1;
	e->listen[e->nlisten].proto = proto;
	e->listen[e->nlisten].addr = addr;
	e->listen[e->nlisten].port = port;
	e->nlisten++;
	return 0;
}

/* --- rows ----------------------------------------------------------- */

static void add_row(struct ipts_exposure *e, uint8_t proto, uint16_t port,
		    uint16_t port_hi, uint32_t dst, unsigned int origin,
		    const struct ipts_rule *published)
{
	struct ipts_exp_row *r;

	if (e->nrows == e->rows_cap) {
		e->rows_cap = e->rows_cap ? 2 * e->rows_cap : 16;
		e->rows = ipts_xrealloc(e->rows,
					e->rows_cap * sizeof(*e->rows));
	}
	r = &e->rows[e->nrows++];
	memset(r, 0, sizeof(*r));
	r->proto = proto;
	r->port = port;
	r->port_hi = port_hi < port ? port : port_hi;
	r->dst = dst;
	r->origin = origin;
	r->published = published;
	r->range = -1;
	r->same_as = -1;
}

/* What a packet must be to go on past a rule: its protocol, destination
 * ports and address as the rules on the way to it say (0: any). */
struct want {
	uint8_t proto;
	uint32_t dst;
	unsigned int nports; /* 0: any port */
	uint16_t lo[XT_MULTI_PORTS], hi[XT_MULTI_PORTS];
};

/* Add [lo, hi] to @w's ports, unless it is every port. */
static void want_port(struct want *w, uint16_t lo, uint16_t hi)
{
	if (!lo)
		lo = 1;
	if (lo > hi || (lo == 1 && hi == 65535) || w->nports == XT_MULTI_PORTS)
		return;
	w->lo[w->nports] = lo;
	w->hi[w->nports++] = hi;
}

/* The destination ports of a tcp, udp or multiport match into @w (its
 * ports replaced): true when it names some. An inverted match names
 * none. */
static bool match_dports(const struct xt_entry_match *m, struct want *w)
{
	const char *name = m->u.user.name;
	struct want n = *w;
	unsigned int i;

	n.nports = 0;
	if (ipts_blob_is_opaque(m->u.user.revision))
		return false;
	if (strcmp(name, "tcp") == 0) {
		const struct xt_tcp *t = ipts_match_data(m, sizeof(*t), NULL);

		if (!t || (t->invflags & XT_TCP_INV_DSTPT))
			return false;
		want_port(&n, t->dpts[0], t->dpts[1]);
	} else if (strcmp(name, "udp") == 0) {
		const struct xt_udp *u = ipts_match_data(m, sizeof(*u), NULL);

		if (!u || (u->invflags & XT_UDP_INV_DSTPT))
			return false;
		want_port(&n, u->dpts[0], u->dpts[1]);
	} else if (strcmp(name, "multiport") == 0 && m->u.user.revision == 1) {
		const struct xt_multiport_v1 *mp = ipts_match_data(m,
								   sizeof(*mp),
								   NULL);

		if (!mp || mp->invert || mp->count > XT_MULTI_PORTS ||
		    mp->flags == XT_MULTIPORT_SOURCE)
			return false;
		for (i = 0; i < mp->count; i++) {
			uint16_t lo = mp->ports[i], hi = lo;

			if (mp->pflags[i] && i + 1 < mp->count)
				hi = mp->ports[++i];
			want_port(&n, lo, hi);
		}
	} else if (strcmp(name, "multiport") == 0 && m->u.user.revision == 0) {
		const struct xt_multiport *mp = ipts_match_data(m, sizeof(*mp),
								NULL);

		if (!mp || mp->count > XT_MULTI_PORTS ||
		    mp->flags == XT_MULTIPORT_SOURCE)
			return false;
		for (i = 0; i < mp->count; i++)
			want_port(&n, mp->ports[i], mp->ports[i]);
	} else {
		return false;
	}
	if (!n.nports)
		return false;
	*w = n;
	return true;
}

/* @w narrowed by rule @r's own -p, destination ports and -d. */
static struct want narrow(struct want w, const struct ipts_rule *r)
{
	const struct ipt_ip *ip = &r->e->ip;
	unsigned int i;

	if ((ip->proto == IPPROTO_TCP || ip->proto == IPPROTO_UDP) &&
	    !(ip->invflags & IPT_INV_PROTO))
		w.proto = ip->proto;
	if (ip->dmsk.s_addr == 0xffffffffu && !(ip->invflags & IPT_INV_DSTIP))
		w.dst = ip->dst.s_addr;
	for (i = 0; i < r->nmatches; i++)
		match_dports(ipts_rule_match(r, i), &w);
	return w;
}

/* A row for each port or range of @w. */
static void add_rows(struct ipts_exposure *e, const struct want *w,
		     uint8_t proto, unsigned int origin,
		     const struct ipts_rule *published)
{
	unsigned int i;

	for (i = 0; i < w->nports; i++)
		add_row(e, proto, w->lo[i], w->hi[i], w->dst, origin,
			published);
}

static bool target_is(const struct ipts_rule *r, const char *name)
{
	const struct xt_entry_target *t = ipts_rule_target(r);

	return r->kind == IPTS_TGT_EXT && t &&
	       strncmp(t->u.user.name, name, sizeof(t->u.user.name)) == 0;
}

/* Every DNAT and REDIRECT rule under @c, with what the way to it asks. */
static void scan_nat(struct ipts_exposure *e, const struct ipts_chain *c,
		     struct want w, unsigned int depth)
{
	uint32_t i;

	if (depth > IPTS_EXP_MAX_DEPTH) {
		e->scan_cut = true;
		return;
	}
	for (i = 0; i < c->nrules; i++) {
		const struct ipts_rule *r = c->rules[i];
		struct want n;

		if (++e->scanned > IPTS_EXP_MAX_SCAN) {
			e->scan_cut = true;
			return;
		}
		n = narrow(w, r);
		if ((r->kind == IPTS_TGT_JUMP || r->kind == IPTS_TGT_GOTO) &&
		    r->dest)
			scan_nat(e, r->dest, n, depth + 1);
		else if ((target_is(r, "DNAT") || target_is(r, "REDIRECT")) &&
			 n.proto && n.nports)
			add_rows(e, &n, n.proto, IPTS_EXP_DNAT, r);
	}
}

/* The host's addresses (loopback aside), at most @max: their number. */
static size_t host_addrs(const struct ipts_hostdesc *h, uint32_t *out,
			 size_t max)
{
	size_t i, k, n = 0;

	for (i = 0; h && i < ipts_hostdesc_iface_count(h); i++) {
		const struct ipts_host_iface *f = ipts_hostdesc_iface_at(h, i);

		for (k = 0; !f->loopback && k < f->naddrs && n < max; k++)
			if ((ntohl(f->addrs[k].local) >> 24) != 127)
				out[n++] = f->addrs[k].local;
	}
	return n;
}

/* A rule's -d that holds some of the host's addresses and not others
 * tells them apart: a row of @w's ports at each address. */
static void addr_rows(struct ipts_exposure *e, const struct ipts_rule *r,
		      const struct want *w)
{
	const struct ipt_ip *ip = &r->e->ip;
	uint32_t a[IPTS_EXP_MAX_SPLIT];
	size_t n = host_addrs(e->host, a, IPTS_EXP_MAX_SPLIT), i, in = 0;
	struct want x = *w;

	if (!ip->dmsk.s_addr || !w->nports)
		return;
	for (i = 0; i < n; i++)
		if (((a[i] ^ ip->dst.s_addr) & ip->dmsk.s_addr) == 0)
			in++;
	if (!in || in == n)
		return;
	for (i = 0; i < n; i++) {
		x.dst = a[i];
		add_rows(e, &x, w->proto ? w->proto : IPPROTO_TCP,
			 IPTS_EXP_RULE, NULL);
	}
}

/* Every --dport a rule under @c names; each chain once (@seen). */
static void scan_filter(struct ipts_exposure *e, const struct ipts_chain *c,
			bool *seen, unsigned int depth)
{
	struct want none = { 0 };
	uint32_t i;

	if (seen[c->pos])
		return;
	seen[c->pos] = true;
	if (depth > IPTS_EXP_MAX_DEPTH) {
		e->scan_cut = true;
		return;
	}
	for (i = 0; i < c->nrules; i++) {
		const struct ipts_rule *r = c->rules[i];
		struct want n;

		if (++e->scanned > IPTS_EXP_MAX_SCAN) {
			e->scan_cut = true;
			return;
		}
		n = narrow(none, r);
		n.dst = 0;
		add_rows(e, &n, n.proto ? n.proto : IPPROTO_TCP, IPTS_EXP_RULE,
			 NULL);
		addr_rows(e, r, &n);
		if ((r->kind == IPTS_TGT_JUMP || r->kind == IPTS_TGT_GOTO) &&
		    r->dest)
			scan_filter(e, r->dest, seen, depth + 1);
	}
}

static void scan_rules(struct ipts_exposure *e, const struct ipts_ruleset *rs)
{
	const struct ipts_table *nat = rs->tables[IPTS_TABLE_NAT];
	const struct ipts_table *filter = rs->tables[IPTS_TABLE_FILTER];
	struct want none = { 0 };
	bool *seen;

	if (nat && nat->builtin[NF_INET_PRE_ROUTING])
		scan_nat(e, nat->builtin[NF_INET_PRE_ROUTING], none, 0);
	if (!filter)
		return;
	seen = ipts_xcalloc(filter->nchains + 1, sizeof(*seen));
	if (filter->builtin[NF_INET_LOCAL_IN])
		scan_filter(e, filter->builtin[NF_INET_LOCAL_IN], seen, 0);
	if (filter->builtin[NF_INET_FORWARD])
		scan_filter(e, filter->builtin[NF_INET_FORWARD], seen, 0);
	free(seen);
}

/* The --dport values of an IPv6 file's filter INPUT and FORWARD (a
 * pair's): rows of both families. */
/* The host's IPv6 addresses that are not link-local (loopback aside), at
 * most @max: their number. */
static size_t host_addrs6(const struct ipts_hostdesc *h, struct in6_addr *out,
			  size_t max)
{
	size_t i, k, n = 0;

	for (i = 0; h && i < ipts_hostdesc_iface_count(h); i++) {
		const struct ipts_host_iface *f = ipts_hostdesc_iface_at(h, i);

		for (k = 0; !f->loopback && k < f->naddrs6 && n < max; k++)
			if (!IN6_IS_ADDR_LINKLOCAL(&f->addrs6[k].local) &&
			    !IN6_IS_ADDR_LOOPBACK(&f->addrs6[k].local))
				out[n++] = f->addrs6[k].local;
	}
	return n;
}

static bool in6_masked_eq(const struct in6_addr *a, const struct in6_addr *b,
			  const struct in6_addr *mask)
{
	unsigned int i;

	for (i = 0; i < 4; i++)
		if ((a->s6_addr32[i] ^ b->s6_addr32[i]) & mask->s6_addr32[i])
			return false;
	return true;
}

/* An IPv6 rule's -d that holds some of the host's IPv6 addresses and not
 * others tells them apart: an IPv6 row of @w's ports at each address, as
 * addr_rows() makes IPv4 ones. */
static void addr_rows6(struct ipts_exposure *e, const struct ipts_rule *r,
		       const struct want *w, uint8_t proto)
{
	static const struct in6_addr none;
	const struct ip6t_ip6 *ip = &r->e6->ipv6;
	struct in6_addr a[IPTS_EXP_MAX_SPLIT];
	size_t n = host_addrs6(e->host, a, IPTS_EXP_MAX_SPLIT), i, k, in = 0;

	if (!memcmp(&ip->dmsk, &none, sizeof(none)) ||
	    (ip->invflags & IP6T_INV_DSTIP) || !w->nports)
		return;
	for (i = 0; i < n; i++)
		if (in6_masked_eq(&a[i], &ip->dst, &ip->dmsk))
			in++;
	if (!in || in == n)
		return;
	for (i = 0; i < n; i++)
		for (k = 0; k < w->nports; k++) {
			add_row(e, proto, w->lo[k], w->hi[k], 0, IPTS_EXP_RULE,
				NULL);
			e->rows[e->nrows - 1].family = NFPROTO_IPV6;
			e->rows[e->nrows - 1].dst6 = a[i];
		}
}

static void scan_filter6(struct ipts_exposure *e, const struct ipts_chain *c,
			 bool *seen, unsigned int depth)
{
	uint32_t i;
	unsigned int k;

	if (seen[c->pos] || depth > IPTS_EXP_MAX_DEPTH)
		return;
	seen[c->pos] = true;
	for (i = 0; i < c->nrules; i++) {
		const struct ipts_rule *r = c->rules[i];
		const struct ip6t_ip6 *ip = &r->e6->ipv6;
		struct want n = { 0 };
		uint8_t proto = IPPROTO_TCP;

		if (++e->scanned > IPTS_EXP_MAX_SCAN) {
			e->scan_cut = true;
			return;
		}
		if ((ip->flags & IP6T_F_PROTO) &&
		    !(ip->invflags & IP6T_INV_PROTO) &&
		    (ip->proto == IPPROTO_TCP || ip->proto == IPPROTO_UDP))
			proto = (uint8_t)ip->proto;
		for (k = 0; k < r->nmatches; k++)
			match_dports(ipts_rule_match(r, k), &n);
		add_rows(e, &n, proto, IPTS_EXP_RULE, NULL);
		addr_rows6(e, r, &n, proto);
		if ((r->kind == IPTS_TGT_JUMP || r->kind == IPTS_TGT_GOTO) &&
		    r->dest)
			scan_filter6(e, r->dest, seen, depth + 1);
	}
}

/* The last -d on the way to an IPv6 DNAT (mask all zero: none). */
struct dst6 {
	struct in6_addr addr, mask;
};

/* @w narrowed by IPv6 rule @r's own -p and destination ports (its -d
 * into @d when it names one, not inverted). */
static struct want narrow6(struct want w, const struct ipts_rule *r,
			   struct dst6 *d)
{
	const struct ip6t_ip6 *ip = &r->e6->ipv6;
	unsigned int i;

	if ((ip->flags & IP6T_F_PROTO) && !(ip->invflags & IP6T_INV_PROTO) &&
	    (ip->proto == IPPROTO_TCP || ip->proto == IPPROTO_UDP))
		w.proto = (uint8_t)ip->proto;
	for (i = 0; i < 4; i++)
		if (ip->dmsk.s6_addr32[i] && !(ip->invflags & IP6T_INV_DSTIP)) {
			d->addr = ip->dst;
			d->mask = ip->dmsk;
			break;
		}
	for (i = 0; i < r->nmatches; i++)
		match_dports(ipts_rule_match(r, i), &w);
	return w;
}

static bool dst6_has(const struct dst6 *d, const struct in6_addr *a)
{
	unsigned int i;

	for (i = 0; i < 4; i++)
		if ((a->s6_addr32[i] ^ d->addr.s6_addr32[i]) &
		    d->mask.s6_addr32[i])
			return false;
	return true;
}

/* Whether -d @d is one address (a /128): the row is asked at it, as an
 * IPv4 DNAT's -d /32 makes a row of its address. */
static bool dst6_host(const struct dst6 *d)
{
	unsigned int i;

	for (i = 0; i < 4; i++)
		if (d->mask.s6_addr32[i] != 0xffffffffu)
			return false;
	return true;
}

/* Whether -d @d holds an address of the host that no IPv6 row asks (an
 * interface's address other than the one its classes connect to). */
static bool dst6_unasked(const struct ipts_exposure *e, const struct dst6 *d)
{
	static const struct in6_addr none;
	size_t i, k;

	if (memcmp(&d->mask, &none, sizeof(none)) == 0)
		return false;
	for (i = 0; e->host && i < ipts_hostdesc_iface_count(e->host); i++) {
		const struct ipts_host_iface *f =
			ipts_hostdesc_iface_at(e->host, i);
		struct in6_addr asked, nb;
		bool ll, has = !f->loopback &&
			       ipts_place6_neighbour(e->host, f, &asked, &nb,
						     &ll);

		for (k = 0; !f->loopback && k < f->naddrs6; k++)
			if (dst6_has(d, &f->addrs6[k].local) &&
			    (!has || memcmp(&asked, &f->addrs6[k].local,
					    sizeof(asked)) != 0))
				return true;
	}
	return false;
}

/* Every DNAT and REDIRECT rule under an IPv6 file's nat PREROUTING
 * chain @c: IPv6 rows of its ports (no address: an IPv6 row asks each
 * interface's first address; @d the -d on the way, noted once (@noted)
 * when it holds an address of the host no row asks). */
static void scan_nat6(struct ipts_exposure *e, const struct ipts_chain *c,
		      struct want w, struct dst6 d, bool *noted,
		      unsigned int depth)
{
	uint32_t i;
	unsigned int k;

	if (depth > IPTS_EXP_MAX_DEPTH) {
		e->scan_cut = true;
		return;
	}
	for (i = 0; i < c->nrules; i++) {
		const struct ipts_rule *r = c->rules[i];
		struct dst6 nd = d;
		struct want n;

		if (++e->scanned > IPTS_EXP_MAX_SCAN) {
			e->scan_cut = true;
			return;
		}
		n = narrow6(w, r, &nd);
		if ((r->kind == IPTS_TGT_JUMP || r->kind == IPTS_TGT_GOTO) &&
		    r->dest) {
			scan_nat6(e, r->dest, n, nd, noted, depth + 1);
			continue;
		}
		if (!(target_is(r, "DNAT") || target_is(r, "REDIRECT")) ||
		    !n.proto || !n.nports)
			continue;
		if (!*noted && !dst6_host(&nd) && dst6_unasked(e, &nd)) {
			*noted = true;
			add_note(e,
				 "%s:%u: an IPv6 DNAT or REDIRECT to an "
				 "address of the host that no row asks: the "
				 "IPv6 rows are asked at each interface's "
				 "first IPv6 address",
				 r->loc.src->name, r->loc.line);
		}
		for (k = 0; k < n.nports; k++) {
			add_row(e, n.proto, n.lo[k], n.hi[k], 0, IPTS_EXP_DNAT,
				r);
			e->rows[e->nrows - 1].family = NFPROTO_IPV6;
			if (dst6_host(&nd))
				e->rows[e->nrows - 1].dst6 = nd.addr;
		}
	}
}

static void scan_rules6(struct ipts_exposure *e, const struct ipts_ruleset *rs6)
{
	const struct ipts_table *nat = rs6->tables[IPTS_TABLE_NAT];
	const struct ipts_table *filter = rs6->tables[IPTS_TABLE_FILTER];
	struct want none = { 0 };
	struct dst6 any = { 0 };
	bool *seen, noted = false;

	if (nat && nat->builtin[NF_INET_PRE_ROUTING])
		scan_nat6(e, nat->builtin[NF_INET_PRE_ROUTING], none, any,
			  &noted, 0);
	if (!filter)
		return;
	seen = ipts_xcalloc(filter->nchains + 1, sizeof(*seen));
	if (filter->builtin[NF_INET_LOCAL_IN])
		scan_filter6(e, filter->builtin[NF_INET_LOCAL_IN], seen, 0);
	if (filter->builtin[NF_INET_FORWARD])
		scan_filter6(e, filter->builtin[NF_INET_FORWARD], seen, 0);
	free(seen);
}

void ipts_exposure_pair(struct ipts_exposure *e, const struct ipts_ruleset *rs6,
			bool v6_only)
{
	e->rs6 = rs6;
	e->v6_only = v6_only;
}

/* An IPv6 row asked at an address of its own (an IPv6 DNAT's -d /128). */
static bool row6_addressed(const struct ipts_exp_row *r)
{
	static const struct in6_addr none;

	return r->family == NFPROTO_IPV6 &&
	       memcmp(&r->dst6, &none, sizeof(none)) != 0;
}

/* The IPv6 row of no address of @r's protocol and ports among the first
 * @n rows (the IPv6 file's published ones, @six of them at @at), or
 * NULL. */
static struct ipts_exp_row *row6_of(struct ipts_exposure *e, const size_t *at,
				    size_t six, const struct ipts_exp_row *r)
{
	size_t i;

	for (i = 0; i < six; i++) {
		struct ipts_exp_row *x = &e->rows[at[i]];

		if (x->proto == r->proto && x->port == r->port &&
		    x->port_hi == r->port_hi && !row6_addressed(x))
			return x;
	}
	return NULL;
}

/* Every row of no address (a range's parts too) asked over IPv6 as well:
 * a row after it, unless the IPv6 file publishes the same ports (an
 * IPv6 row already: the two are one). */
static void add_twins(struct ipts_exposure *e)
{
	size_t i, k, n = e->nrows, six = 0, *at;
	long ranges = 0;

	at = ipts_xcalloc(n + 1, sizeof(*at));
	for (i = 0; i < n; i++) {
		if (e->rows[i].range >= ranges)
			ranges = e->rows[i].range + 1;
		if (e->rows[i].family == NFPROTO_IPV6)
			at[six++] = i;
	}
	for (i = 0; i < n; i++) {
		struct ipts_exp_row r = e->rows[i], *x;

		if (r.dst || r.family == NFPROTO_IPV6)
			continue;
		x = row6_of(e, at, six, &r);
		if (x) {
			x->origin |= r.origin;
			if (e->v6_only)
				e->rows[i].dst = 1; /* dropped below */
			continue;
		}
		if (e->v6_only) {
			e->rows[i].family = NFPROTO_IPV6;
			continue;
		}
		add_row(e, r.proto, 0, 0, 0, 0, NULL);
		r.family = NFPROTO_IPV6;
		/* the IPv6 file does not publish it: no rule of its own */
		r.published = NULL;
		/* a range's parts are joined with their own family's */
		if (r.range >= 0)
			r.range += ranges;
		e->rows[e->nrows - 1] = r;
	}
	free(at);
	if (!e->v6_only)
		return;
	/* an IPv6 file alone: its rows are IPv6 rows (an IPv4 address's
	 * are nobody's) */
	for (i = k = 0; i < n; i++)
		if (!e->rows[i].dst)
			e->rows[k++] = e->rows[i];
	e->nrows = k;
}

static void scan_listeners(struct ipts_exposure *e)
{
	size_t i, n = e->host ? ipts_hostdesc_listener_count(e->host) : 0;
	uint32_t dst;

	for (i = 0; i < n; i++) {
		const struct ipts_host_listener *l =
			ipts_hostdesc_listener_at(e->host, i);

		/* an IPv6-only socket: no IPv4 client reaches it (a pair
		 * asks its port of both families) */
		if (l->family == AF_INET6 && !l->any && !e->rs6)
			continue;
		/* a socket bound to one address is reached at it alone */
		if (!l->any && l->family == AF_INET)
			memcpy(&dst, l->addr, sizeof(dst));
		else
			dst = 0;
		if (l->proto == IPPROTO_TCP || l->proto == IPPROTO_UDP)
			add_row(e, (uint8_t)l->proto, l->port, l->port, dst,
				IPTS_EXP_LISTEN, NULL);
	}
	for (i = 0; i < e->nlisten; i++)
		add_row(e, e->listen[i].proto, e->listen[i].port,
			e->listen[i].port, e->listen[i].addr, IPTS_EXP_LISTEN,
			NULL);
}

static int row_cmp(const void *a, const void *b)
{
	const struct ipts_exp_row *x = a, *y = b;
	int d;

	if (x->proto != y->proto)
		return x->proto == IPPROTO_TCP ? -1 : 1;
	if (x->port != y->port)
		return x->port < y->port ? -1 : 1;
	if (x->port_hi != y->port_hi)
		return x->port_hi < y->port_hi ? -1 : 1;
	if (x->dst != y->dst)
		return ntohl(x->dst) < ntohl(y->dst) ? -1 : 1;
	if (x->family != y->family)
		return x->family == NFPROTO_IPV6 ? 1 : -1;
	d = memcmp(&x->dst6, &y->dst6, sizeof(x->dst6));
	if (d)
		return d < 0 ? -1 : 1;
	if (x->range != y->range)
		return x->range < y->range ? -1 : 1;
	return 0;
}

static bool loc_before(const struct ipts_rule *a, const struct ipts_rule *b)
{
	return a->loc.off < b->loc.off;
}

static void label_row(struct ipts_exp_row *r)
{
	const char *proto = r->proto == IPPROTO_TCP ? "tcp" : "udp";
	char a[INET6_ADDRSTRLEN] = "", ports[16];

	if (r->port_hi > r->port)
		snprintf(ports, sizeof(ports), "%u-%u", r->port, r->port_hi);
	else
		snprintf(ports, sizeof(ports), "%u", r->port);
	if (r->dst) {
		inet_ntop(AF_INET, &r->dst, a, sizeof(a));
		snprintf(r->label, sizeof(r->label), "%s:%s/%s", a, ports,
			 proto);
	} else if (row6_addressed(r)) {
		inet_ntop(AF_INET6, &r->dst6, a, sizeof(a));
		snprintf(r->label, sizeof(r->label), "[%s]:%s/%s6", a, ports,
			 proto);
	} else {
		snprintf(r->label, sizeof(r->label), "%s/%s%s", ports, proto,
			 r->family == NFPROTO_IPV6 ? "6" : "");
	}
}

/* Sorted, one row per protocol, ports and address, origins merged. */
static void merge_rows(struct ipts_exposure *e)
{
	size_t i, k = 0;

	if (!e->nrows)
		return;
	qsort(e->rows, e->nrows, sizeof(*e->rows), row_cmp);
	for (i = 1; i < e->nrows; i++) {
		struct ipts_exp_row *r = &e->rows[k], *x = &e->rows[i];

		if (row_cmp(r, x) != 0) {
			e->rows[++k] = *x;
			continue;
		}
		r->origin |= x->origin;
		if (x->published &&
		    (!r->published || loc_before(x->published, r->published)))
			r->published = x->published;
	}
	e->nrows = k + 1;
}

/* Each range row as its parts (@ok: as the cuts say; else a port a
 * part), at most IPTS_EXP_MAX_PARTS of them, the rest one row not
 * simulated. */
static void expand_ranges(struct ipts_exposure *e,
			  const struct ipts_exp_cuts c[2], bool ok)
{
	size_t i, n = e->nrows, parts_made = 0, ncut = 0;
	long range = 0;

	for (i = 0; i < n; i++) {
		struct ipts_exp_row r = e->rows[i], *x;
		const struct ipts_exp_cuts *cut =
			&c[r.proto == IPPROTO_TCP ? 0 : 1];
		unsigned int parts = 0;
		uint32_t p;

		if (r.port_hi == r.port)
			continue;
		label_row(&r);
		for (p = r.port; p <= r.port_hi;) {
			uint16_t end = ok ? ipts_exp_cuts_next(cut, (uint16_t)p,
							       r.port_hi) :
					    (uint16_t)p;
			bool last = parts + 1 == IPTS_EXP_MAX_PARTS ||
				    parts_made >= IPTS_EXP_MAX_RANGE_ROWS;

			if (last && end < r.port_hi) {
				if (++ncut <= 8 &&
				    parts_made >= IPTS_EXP_MAX_RANGE_ROWS)
					add_note(e,
						 "%s: the ranges are cut in "
						 "more than %u parts in all: "
						 "ports %u-%u are not "
						 "simulated (undetermined)",
						 r.label,
						 IPTS_EXP_MAX_RANGE_ROWS, p,
						 r.port_hi);
				else if (ncut <= 8)
					add_note(e,
						 "%s: the rules cut it in "
						 "more than %u parts: ports "
						 "%u-%u are not simulated "
						 "(undetermined)",
						 r.label, IPTS_EXP_MAX_PARTS, p,
						 r.port_hi);
				end = r.port_hi;
			} else {
				last = false;
			}
			if (parts == 0) {
				x = &e->rows[i];
			} else {
				add_row(e, r.proto, 0, 0, r.dst, r.origin,
					r.published);
				x = &e->rows[e->nrows - 1];
			}
			*x = r;
			x->port = (uint16_t)p;
			x->port_hi = end;
			x->range = range;
			x->cut = last;
			parts++;
			parts_made++;
			p = (uint32_t)end + 1;
		}
		range++;
	}
	if (ncut > 8)
		add_note(e,
			 "%zu more ranges are cut so: their remaining ports "
			 "are not simulated (undetermined)",
			 ncut - 8);
	if (e->nrows) /* qsort(NULL, 0) is undefined */
		qsort(e->rows, e->nrows, sizeof(*e->rows), row_cmp);
	for (i = 0; i < e->nrows; i++)
		label_row(&e->rows[i]);
}

/* Rows that no rule tells apart: the same protocol and address, their
 * ports in one part. Each points at the first. */
struct share_key {
	uint8_t proto, family;
	uint32_t dst;
	struct in6_addr dst6;
	size_t part, row;
};

static int share_cmp(const void *a, const void *b)
{
	const struct share_key *x = a, *y = b;
	int d;

	if (x->proto != y->proto)
		return x->proto < y->proto ? -1 : 1;
	if (x->family != y->family)
		return x->family < y->family ? -1 : 1;
	if (x->dst != y->dst)
		return x->dst < y->dst ? -1 : 1;
	d = memcmp(&x->dst6, &y->dst6, sizeof(x->dst6));
	if (d)
		return d < 0 ? -1 : 1;
	if (x->part != y->part)
		return x->part < y->part ? -1 : 1;
	return x->row < y->row ? -1 : x->row > y->row;
}

static void share_rows(struct ipts_exposure *e, const struct ipts_exp_cuts c[2])
{
	struct share_key *k = ipts_xcalloc(e->nrows + 1, sizeof(*k));
	size_t i, n = 0;

	for (i = 0; i < e->nrows; i++) {
		const struct ipts_exp_row *r = &e->rows[i];
		const struct ipts_exp_cuts *cut =
			&c[r->proto == IPPROTO_TCP ? 0 : 1];

		if (r->cut)
			continue;
		k[n].proto = r->proto;
		k[n].family = r->family;
		k[n].dst = r->dst;
		k[n].dst6 = r->dst6;
		k[n].part = ipts_exp_cuts_part(cut, r->port);
		k[n++].row = i;
	}
	qsort(k, n, sizeof(*k), share_cmp);
	for (i = 1; i < n; i++)
		if (k[i].proto == k[i - 1].proto &&
		    k[i].family == k[i - 1].family &&
		    k[i].dst == k[i - 1].dst &&
		    !memcmp(&k[i].dst6, &k[i - 1].dst6, sizeof(k[i].dst6)) &&
		    k[i].part == k[i - 1].part) {
			e->rows[k[i].row].same_as =
				e->rows[k[i - 1].row].same_as >= 0 ?
					e->rows[k[i - 1].row].same_as :
					(long)k[i - 1].row;
		}
	free(k);
}

/* --- classes -------------------------------------------------------- */

static struct ipts_exp_class *add_class(struct ipts_exposure *e, size_t *cap,
					const struct ipts_host_iface *f,
					enum ipts_exp_kind kind, uint32_t src,
					uint32_t addr)
{
	struct ipts_exp_class *c;

	if (e->nclasses == *cap) {
		*cap = *cap ? 2 * *cap : 8;
		e->classes = ipts_xrealloc(e->classes,
					   *cap * sizeof(*e->classes));
	}
	c = &e->classes[e->nclasses++];
	memset(c, 0, sizeof(*c));
	c->kind = kind;
	c->in = f ? f->name : NULL;
	c->src = src;
	c->addr = addr;
	c->internet = kind == IPTS_EXP_KIND_INTERNET;
	if (!f)
		snprintf(c->name, sizeof(c->name), "lo");
	else if (kind == IPTS_EXP_KIND_LINK)
		snprintf(c->name, sizeof(c->name), "%s:link", f->name);
	else if (kind == IPTS_EXP_KIND_INTERNET)
		snprintf(c->name, sizeof(c->name), "%s:internet", f->name);
	else
		snprintf(c->name, sizeof(c->name), "%s:", f->name);
	return c;
}

void ipts_exp_prefix_fmt(char *buf, size_t len, struct ipts_exp_prefix p)
{
	char a[INET_ADDRSTRLEN];

	inet_ntop(AF_INET, &p.net, a, sizeof(a));
	snprintf(buf, len, "%s/%u", a, (unsigned int)p.len % 100);
}

/* @v in decimal at @p (ipts_udigits()); returns the byte after it. */
static char *put_dec(char *p, unsigned int v)
{
	char t[20];
	char *d = ipts_udigits(t + sizeof(t), v);
	size_t n = (size_t)(t + sizeof(t) - d);

	memcpy(p, d, n);
	return p + n;
}

size_t ipts_exp_addr_fmt(char *buf, uint32_t a, int port)
{
	const unsigned char *b = (const unsigned char *)&a;
	char *p = buf;
	unsigned int i;

	for (i = 0; i < 4; i++) {
		if (i)
			*p++ = '.';
		p = put_dec(p, b[i]);
	}
	if (port >= 0) {
		*p++ = ':';
		p = put_dec(p, (unsigned int)port % 100000u);
	}
	*p = '\0';
	return (size_t)(p - buf);
}

/* An address of the internet outside every split prefix: the host's
 * choice first. */
static uint32_t outside(const struct ipts_hostdesc *h,
			const struct ipts_exp_prefix *sp, size_t n)
{
	static const uint32_t more[] = { 0xcb00712du, 0xc633642du, 0xc000022du,
					 0x5db8d822u, 0x08080808u, 0x01010101u,
					 0x09090909u, 0x2d2d2d2du };
	uint32_t a = ipts_place_outside(h);
	size_t i, k;

	for (i = 0; i <= sizeof(more) / sizeof(more[0]); i++) {
		bool inside = false;

		if (i)
			a = htonl(more[i - 1]);
		if (!a || ipts_place_on_link(h, a) ||
		    ipts_host_addr_type(h, a) != IPTS_RTN_UNICAST)
			continue;
		for (k = 0; k < n; k++)
			if (ipts_exp_pfx_has(sp[k], a))
				inside = true;
		if (!inside)
			return a;
	}
	return 0;
}

/* The prefixes of @sp strictly inside @p, and @link if it is: into
 * @c->except. */
static void set_except(struct ipts_exp_class *c, struct ipts_exp_prefix p,
		       const struct ipts_exp_prefix *sp, size_t n,
		       const struct ipts_exp_prefix *link)
{
	size_t i;

	c->nexcept = 0;
	for (i = 0; i < n; i++)
		if (sp[i].len > p.len && ipts_exp_pfx_holds(p, sp[i]) &&
		    c->nexcept < IPTS_EXP_MAX_SPLIT)
			c->except[c->nexcept++] = sp[i];
	if (link && link->len > p.len && ipts_exp_pfx_holds(p, *link) &&
	    c->nexcept < IPTS_EXP_MAX_SPLIT)
		c->except[c->nexcept++] = *link;
}

/* --- IPv6 source classes ---------------------------------------------- */

struct pfx6 {
	struct in6_addr net;
	uint8_t len;
};

static bool pfx6_has(const struct pfx6 *p, const struct in6_addr *a)
{
	unsigned int i, len = p->len;

	for (i = 0; i < 16 && len; i++) {
		unsigned int bits = len >= 8 ? 8 : len;
		uint8_t m = (uint8_t)(0xffu << (8 - bits));

		if ((p->net.s6_addr[i] & m) != (a->s6_addr[i] & m))
			return false;
		len -= bits;
	}
	return true;
}

/* @a + 2^(127 - @bit) (bit 0 the most significant), wrapping to :: */
static void add6(struct in6_addr *a, unsigned int bit)
{
	int i = (int)(bit / 8);
	unsigned int carry = 0x80u >> (bit % 8);

	for (; i >= 0 && carry; i--) {
		carry += a->s6_addr[i];
		a->s6_addr[i] = (uint8_t)carry;
		carry >>= 8;
	}
}

struct split6_scan {
	const char *ifname;
	struct pfx6 p[IPTS_EXP_MAX_SPLIT];
	size_t n, more;
	uint64_t work;
	bool *seen;
};

/* Whether a rule's -i can be @ifname (an inverted -i: maybe). */
static bool iface_may(const struct ip6t_ip6 *ip, const char *ifname)
{
	size_t i;

	if (ip->invflags & IP6T_INV_VIA_IN)
		return true;
	for (i = 0; i < IFNAMSIZ; i++) {
		char c = i < strlen(ifname) + 1 ? ifname[i] : 0;

		if ((c ^ ip->iniface[i]) & ip->iniface_mask[i])
			return false;
	}
	return true;
}

static void split6_chain(struct split6_scan *s, const struct ipts_chain *c,
			 unsigned int depth)
{
	uint32_t i;
	size_t k;

	if (s->seen[c->pos] || depth > IPTS_EXP_MAX_DEPTH)
		return;
	s->seen[c->pos] = true;
	for (i = 0; i < c->nrules; i++) {
		const struct ipts_rule *r = c->rules[i];
		const struct ip6t_ip6 *ip = &r->e6->ipv6;
		struct pfx6 p = { .len = 0 };
		bool dup = false;

		if (++s->work > IPTS_EXP_MAX_SCAN)
			return;
		if (!iface_may(ip, s->ifname))
			continue;
		for (k = 0; k < 16; k++) {
			uint8_t m = ip->smsk.s6_addr[k];

			p.net.s6_addr[k] = ip->src.s6_addr[k] & m;
			while (m & 0x80u) {
				p.len++;
				m = (uint8_t)(m << 1);
			}
		}
		/* a prefix (a mask of ones then zeros), not inverted */
		if (p.len && !(ip->invflags & IP6T_INV_SRCIP) &&
		    (p.len == 128 ||
		     !(ip->smsk.s6_addr[p.len / 8] & (0xffu >> (p.len % 8))))) {
			for (k = 0; k < s->n; k++)
				if (s->p[k].len == p.len &&
				    memcmp(&s->p[k].net, &p.net, 16) == 0)
					dup = true;
			if (!dup && s->n < IPTS_EXP_MAX_SPLIT)
				s->p[s->n++] = p;
			else if (!dup)
				s->more++;
		}
		if ((r->kind == IPTS_TGT_JUMP || r->kind == IPTS_TGT_GOTO) &&
		    r->dest)
			split6_chain(s, r->dest, depth + 1);
	}
}

/* The -s prefixes of the IPv6 file's rules a packet arriving on
 * @ifname may meet (PREROUTING, INPUT and FORWARD of every table),
 * at most IPTS_EXP_MAX_SPLIT, in the order met. */
static void splits6(const struct ipts_ruleset *rs6, struct split6_scan *s)
{
	static const unsigned int hooks[] = { NF_INET_PRE_ROUTING,
					      NF_INET_LOCAL_IN,
					      NF_INET_FORWARD };
	unsigned int t, h;

	for (t = 0; t < IPTS_TABLE_COUNT; t++) {
		const struct ipts_table *tb = rs6->tables[t];

		if (!tb)
			continue;
		s->seen = ipts_xcalloc(tb->nchains + 1, sizeof(*s->seen));
		for (h = 0; h < 3; h++)
			if (tb->builtin[hooks[h]])
				split6_chain(s, tb->builtin[hooks[h]], 0);
		free(s->seen);
	}
}

/* Whether @a may stand for @p less @except (and @f's own prefixes
 * unless @p is one): inside @p, in none of them, and an address of
 * another host. */
static bool rep6_ok(const struct ipts_exposure *e,
		    const struct ipts_host_iface *f, const struct pfx6 *p,
		    const struct pfx6 *except, size_t n,
		    const struct in6_addr *a)
{
	size_t i;

	if (!pfx6_has(p, a) || IN6_IS_ADDR_UNSPECIFIED(a) ||
	    IN6_IS_ADDR_LOOPBACK(a) || IN6_IS_ADDR_MULTICAST(a) ||
	    ipts_host6_addr_type(e->host, a) != IPTS_RTN_UNICAST)
		return false;
	for (i = 0; i < n; i++)
		if (except[i].len > p->len && pfx6_has(&except[i], a))
			return false;
	for (i = 0; i < f->naddrs6; i++) {
		struct pfx6 own = { f->addrs6[i].local,
				    f->addrs6[i].prefixlen };

		if (own.len > p->len && pfx6_has(&own, a))
			return false;
	}
	return true;
}

/* A client of @p less the narrower prefixes: its first address after
 * the network, or the first after one of them. */
static bool pick6(const struct ipts_exposure *e,
		  const struct ipts_host_iface *f, const struct pfx6 *p,
		  const struct pfx6 *except, size_t n, struct in6_addr *out)
{
	struct in6_addr a = p->net;
	size_t i;

	/* its first addresses after the network (the subnet-router
	 * anycast), skipping the host's */
	for (i = 0; i < 8; i++) {
		if (p->len < 128)
			add6(&a, 127);
		if (rep6_ok(e, f, p, except, n, &a)) {
			*out = a;
			return true;
		}
		if (p->len >= 126)
			break;
	}
	for (i = 0; i < n + f->naddrs6; i++) {
		struct pfx6 x;

		if (i < n)
			x = except[i];
		else
			x = (struct pfx6){ f->addrs6[i - n].local,
					   f->addrs6[i - n].prefixlen };
		if (!x.len || x.len <= p->len)
			continue;
		a = x.net;
		add6(&a, (unsigned int)x.len - 1);
		add6(&a, 127);
		if (rep6_ok(e, f, p, except, n, &a)) {
			*out = a;
			return true;
		}
	}
	return false;
}

/* The classes of the IPv6 source prefixes the IPv6 file's rules split
 * out on @f (after its other classes), and the internet and link
 * representatives moved out of them. */
static void plan_splits6(struct ipts_exposure *e, size_t *cap,
			 const struct ipts_host_iface *f, size_t from)
{
	struct split6_scan s = { .ifname = f->name };
	size_t i, k, dropped = 0;
	unsigned int nth;

	splits6(e->rs6, &s);
	if (s.work > IPTS_EXP_MAX_SCAN)
		e->scan_cut = true;
	/* the interface's own prefixes are its link class */
	for (i = k = 0; i < s.n; i++) {
		size_t j;
		bool own = false;

		for (j = 0; j < f->naddrs6; j++) {
			struct pfx6 o = { f->addrs6[j].local,
					  f->addrs6[j].prefixlen };

			if (o.len == s.p[i].len && pfx6_has(&o, &s.p[i].net))
				own = true;
		}
		if (!own)
			s.p[k++] = s.p[i];
	}
	s.n = k;
	for (k = from; k < e->nclasses; k++) {
		struct ipts_exp_class *c = &e->classes[k];
		bool inside = true;

		if (!c->has6)
			continue;
		if (c->kind == IPTS_EXP_KIND_INTERNET) {
			/* outside every split prefix too */
			for (nth = 0; inside; nth++) {
				inside = false;
				for (i = 0; i < s.n; i++)
					if (pfx6_has(&s.p[i], &c->src6))
						inside = true;
				if (inside &&
				    !ipts_place6_outside(e->host, nth + 1,
							 &c->src6)) {
					c->has6 = false;
					break;
				}
			}
		} else if (c->kind == IPTS_EXP_KIND_LINK) {
			for (i = 0; i < s.n; i++)
				if (pfx6_has(&s.p[i], &c->src6))
					break;
			if (i < s.n) {
				/* a neighbour of no narrower split prefix */
				struct pfx6 link = { c->src6, 64 };
				size_t j, b;

				for (j = 0; j < f->naddrs6; j++)
					if (memcmp(&f->addrs6[j].local,
						   &c->addr6, 16) == 0)
						link.len =
							f->addrs6[j].prefixlen;
				for (b = link.len; b < 128; b++)
					link.net.s6_addr[b / 8] &= (uint8_t) ~(
						0x80u >> (b % 8));
				if (!pick6(e, f, &link, s.p, s.n, &c->src6))
					c->has6 = false;
			}
		}
	}
	for (i = 0; i < s.n; i++) {
		struct ipts_exp_class *c;
		size_t len = strlen(f->name) + 1;
		struct in6_addr a;

		if (!pick6(e, f, &s.p[i], s.p, s.n, &a)) {
			dropped++;
			continue;
		}
		c = add_class(e, cap, f, IPTS_EXP_KIND_SPLIT6, 0, 0);
		ipts_host6_fmt(c->name + len, sizeof(c->name) - len,
			       &s.p[i].net, s.p[i].len);
		c->pfx6 = s.p[i].net;
		c->pfx6_len = s.p[i].len;
		c->src6 = a;
		for (k = from; k < e->nclasses; k++)
			if (e->classes[k].has6 && e->classes[k].in &&
			    !IN6_IS_ADDR_UNSPECIFIED(&e->classes[k].addr6)) {
				c->addr6 = e->classes[k].addr6;
				break;
			}
		c->has6 = !IN6_IS_ADDR_UNSPECIFIED(&c->addr6);
		if (!c->has6)
			e->nclasses--;
	}
	if (s.more)
		add_note(e,
			 "%s: the IPv6 rules split out more than %u source "
			 "prefixes: the %zu others are answered as the class "
			 "holding them",
			 f->name, IPTS_EXP_MAX_SPLIT, s.more);
	if (dropped)
		add_note(e,
			 "%s: %zu IPv6 source prefix%s the rules name %s no "
			 "address of another host outside narrower ones: no "
			 "class",
			 f->name, dropped, dropped == 1 ? "" : "es",
			 dropped == 1 ? "holds" : "hold");
}

/* The IPv6 client and address of the link and internet classes of @f
 * (classes from @from on), and those classes of an interface of no IPv4
 * address. */
static void plan_iface6(struct ipts_exposure *e, size_t *cap,
			const struct ipts_host_iface *f, size_t from)
{
	struct in6_addr addr, nb, out;
	bool ll, has_nb, has_out;
	size_t k;

	has_nb = ipts_place6_neighbour(e->host, f, &addr, &nb, &ll);
	if (!f->naddrs6)
		return;
	has_out = !ll && ipts_place6_outside(e->host, 0, &out);
	if (!f->naddrs) {
		/* IPv6 only: the classes, with no IPv4 client */
		if (has_nb)
			add_class(e, cap, f, IPTS_EXP_KIND_LINK, 0, 0);
		if (has_out || ll)
			add_class(e, cap, f, IPTS_EXP_KIND_INTERNET, 0, 0);
	}
	for (k = from; k < e->nclasses; k++) {
		struct ipts_exp_class *c = &e->classes[k];

		c->ll6 = ll;
		if (c->kind == IPTS_EXP_KIND_LINK && has_nb) {
			c->src6 = nb;
			c->addr6 = addr;
			c->has6 = true;
		} else if (c->kind == IPTS_EXP_KIND_INTERNET && has_out) {
			c->src6 = out;
			c->addr6 = addr;
			c->has6 = true;
		}
	}
	if (!ll)
		plan_splits6(e, cap, f, from);
}

static void plan_iface(struct ipts_exposure *e, const struct ipts_ruleset *rs,
		       size_t *cap, const struct ipts_host_iface *f)
{
	const struct ipts_host_addr *x = &f->addrs[0];
	struct ipts_exp_prefix sp[IPTS_EXP_MAX_SPLIT], link;
	struct ipts_exp_class *c;
	size_t more = 0, narrowed = 0, unsplit = 0, n = 0, i, k;
	uint32_t nb = ipts_place_neighbour(e->host, f), out;

	link.len = x->prefixlen;
	link.net = htonl(ntohl(x->has_peer ? x->peer : x->local) &
			 (x->prefixlen ? ~0u << (32 - x->prefixlen) : 0));
	if (rs)
		n = ipts_exp_splits(e, rs, f->name, sp, IPTS_EXP_MAX_SPLIT,
				    &more, &narrowed, &unsplit);
	/* the link's own prefix is its class */
	for (i = k = 0; i < n; i++)
		if (sp[i].len != link.len || sp[i].net != link.net)
			sp[k++] = sp[i];
	n = k;
	if (nb) {
		c = add_class(e, cap, f, IPTS_EXP_KIND_LINK, nb, x->local);
		c->prefix = link;
		set_except(c, link, sp, n, NULL);
		for (i = 0; i < c->nexcept; i++)
			if (ipts_exp_pfx_has(c->except[i], nb))
				c->src = ipts_exp_pick(e->host, link, c->except,
						       c->nexcept);
		if (!c->src)
			e->nclasses--;
	}
	out = outside(e->host, sp, n);
	if (out)
		add_class(e, cap, f, IPTS_EXP_KIND_INTERNET, out, x->local);
	for (i = 0; i < n; i++) {
		c = add_class(e, cap, f, IPTS_EXP_KIND_SPLIT, 0, x->local);
		c->prefix = sp[i];
		ipts_exp_prefix_fmt(c->name + strlen(f->name) + 1,
				    sizeof(c->name) - strlen(f->name) - 1,
				    sp[i]);
		set_except(c, sp[i], sp, n, &link);
		c->src = ipts_exp_pick(e->host, sp[i], c->except, c->nexcept);
		if (!c->src) {
			e->nclasses--;
			continue;
		}
	}
	if (more)
		add_note(e,
			 "%s: the rules split out %zu source prefixes: the %u "
			 "widest are classes, the sources of the other %zu "
			 "are answered as the class holding them",
			 f->name, n + more, IPTS_EXP_MAX_SPLIT, more);
	if (narrowed)
		add_note(e,
			 "%s: %zu rule%s name%s a source prefix under a jump "
			 "that picks a destination or port (as kube-proxy's "
			 "per-service chains): no class, %s split those rows "
			 "only",
			 f->name, narrowed, narrowed == 1 ? "" : "s",
			 narrowed == 1 ? "s" : "",
			 narrowed == 1 ? "it would" : "they would");
	if (unsplit)
		add_note(e,
			 "%s: %zu source mask%s or range%s that %s no prefix "
			 "%s not split out",
			 f->name, unsplit, unsplit == 1 ? "" : "s",
			 unsplit == 1 ? "" : "s", unsplit == 1 ? "is" : "are",
			 unsplit == 1 ? "is" : "are");
}

static void plan_classes(struct ipts_exposure *e, const struct ipts_ruleset *rs)
{
	size_t i, cap = 0;

	add_class(e, &cap, NULL, IPTS_EXP_KIND_LO, htonl(LOOPBACK),
		  htonl(LOOPBACK));
	for (i = 0; e->host && i < ipts_hostdesc_iface_count(e->host); i++) {
		const struct ipts_host_iface *f =
			ipts_hostdesc_iface_at(e->host, i);

		size_t from = e->nclasses;

		/* a bridge port's packets meet iptables on its bridge */
		if (f->loopback || f->bridge_port ||
		    (!f->naddrs && !(e->rs6 && f->naddrs6)))
			continue;
		if (f->naddrs && !e->v6_only)
			plan_iface(e, rs, &cap, f);
		else if (f->naddrs)
			plan_iface(e, NULL, &cap, f);
		if (e->rs6)
			plan_iface6(e, &cap, f, from);
	}
}

/* Whether the host routes @a and @b alike: every route but a default
 * holds both or neither, and it takes both as the same type. */
static bool routes_alike(const struct ipts_hostdesc *h, uint32_t a, uint32_t b)
{
	size_t i;

	if (!h)
		return true;
	for (i = 0; i < ipts_hostdesc_route_count(h); i++) {
		const struct ipts_host_route *r = ipts_hostdesc_route_at(h, i);
		struct ipts_exp_prefix p = { r->dst, r->dst_len };

		if (r->dst_len &&
		    ipts_exp_pfx_has(p, a) != ipts_exp_pfx_has(p, b))
			return false;
	}
	return ipts_host_addr_type(h, a) == ipts_host_addr_type(h, b);
}

/* Whether no prefix of @named holds one of @a and @b and not the other. */
static bool named_alike(const struct ipts_exp_prefix *named, size_t n,
			uint32_t a, uint32_t b)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (ipts_exp_pfx_has(named[i], a) !=
		    ipts_exp_pfx_has(named[i], b))
			return false;
	return true;
}

#define ROW_NAMED_MAX 256

/* Whether class @j may answer for class @m in a row whose rules name
 * @named: the same interface and address, and their clients inside the
 * same named prefixes and routes. */
static bool may_answer_for(const struct ipts_exposure *e, size_t j, size_t m,
			   const struct ipts_exp_prefix *named, size_t n)
{
	const struct ipts_exp_class *a = &e->classes[j], *b = &e->classes[m];

	return j != m && a->in && strcmp(a->in, b->in) == 0 &&
	       a->addr == b->addr && a->src && b->src &&
	       named_alike(named, n, a->src, b->src) &&
	       routes_alike(e->host, a->src, b->src);
}

static bool is_named(const struct ipts_exp_prefix *named, size_t n,
		     struct ipts_exp_prefix p)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (named[i].net == p.net && named[i].len == p.len)
			return true;
	return false;
}

/* For each split class @m of row @i that the row's rules do not name:
 * the class answering for it, the narrowest named split class holding
 * it first, then the link and the internet of its interface. */
static void alias_row(struct ipts_exposure *e, size_t i, const char *in,
		      const struct ipts_exp_prefix *named, size_t n)
{
	size_t m, j;

	for (m = 0; m < e->nclasses; m++) {
		const struct ipts_exp_class *c = &e->classes[m];
		long best = -1;

		if (c->kind != IPTS_EXP_KIND_SPLIT || strcmp(c->in, in) != 0 ||
		    is_named(named, n, c->prefix))
			continue;
		for (j = 0; j < e->nclasses; j++) {
			const struct ipts_exp_class *t = &e->classes[j];

			if (t->kind == IPTS_EXP_KIND_SPLIT &&
			    is_named(named, n, t->prefix) &&
			    t->prefix.len < c->prefix.len &&
			    ipts_exp_pfx_holds(t->prefix, c->prefix) &&
			    may_answer_for(e, j, m, named, n) &&
			    (best < 0 ||
			     t->prefix.len > e->classes[best].prefix.len))
				best = (long)j;
		}
		for (j = 0; best < 0 && j < e->nclasses; j++)
			if ((e->classes[j].kind == IPTS_EXP_KIND_LINK ||
			     e->classes[j].kind == IPTS_EXP_KIND_INTERNET) &&
			    may_answer_for(e, j, m, named, n))
				best = (long)j;
		if (best < 0)
			continue;
		e->alias[i * e->nclasses + m] = best;
		e->alias_name[i * e->nclasses + m] =
			intern(e, e->classes[best].name);
	}
}

/* Whether the host's IPv6 routes send answers to @a and @b alike: the
 * same route (so the same device, gateway and type). */
static bool routes6_alike(const struct ipts_hostdesc *h,
			  const struct in6_addr *a, const struct in6_addr *b)
{
	struct ipts_fib6_flow fa = { .daddr = *a }, fb = { .daddr = *b };
	struct ipts_fib6_result ra, rb;

	if (!h)
		return true;
	ipts_fib6_route_output(h, &fa, &ra, NULL);
	ipts_fib6_route_output(h, &fb, &rb, NULL);
	return ra.status == IPTS_FIB_OK && rb.status == IPTS_FIB_OK &&
	       ra.route == rb.route && ra.type == rb.type &&
	       ra.table == rb.table;
}

/* Whether IPv6 class @j may answer for split6 class @m of row @r: the
 * same interface and address, no rule of the IPv6 file telling their
 * clients apart, the same route back. */
static bool may6_answer_for(struct ipts_exposure *e,
			    const struct ipts_exp_row *r, size_t j, size_t m,
			    uint64_t *work, bool *cut)
{
	const struct ipts_exp_class *a = &e->classes[j], *b = &e->classes[m];
	int apart;

	if (j == m || !a->in || !b->in || strcmp(a->in, b->in) != 0 ||
	    !a->has6 || !b->has6 || a->ll6 != b->ll6 ||
	    memcmp(&a->addr6, &b->addr6, sizeof(a->addr6)) != 0 ||
	    !routes6_alike(e->host, &a->src6, &b->src6))
		return false;
	apart = ipts_exp_row6_apart(e->rs6, r->proto, r->port, &a->src6,
				    &b->src6, work);
	if (apart < 0)
		*cut = true;
	return apart == 0;
}

/* The split6 classes of IPv6 row @i that no rule of the IPv6 file tells
 * from a wider class of their interface: the narrowest split6 class
 * holding it, then the link and the internet. */
static void alias_row6(struct ipts_exposure *e, size_t i, uint64_t *work,
		       bool *cut)
{
	const struct ipts_exp_row *r = &e->rows[i];
	size_t m, j;

	for (m = 0; m < e->nclasses && !*cut; m++) {
		const struct ipts_exp_class *c = &e->classes[m];
		long best = -1;

		if (c->kind != IPTS_EXP_KIND_SPLIT6)
			continue;
		for (j = 0; j < e->nclasses && !*cut; j++) {
			const struct ipts_exp_class *t = &e->classes[j];
			struct pfx6 p = { t->pfx6, t->pfx6_len };

			if (t->kind == IPTS_EXP_KIND_SPLIT6 &&
			    t->pfx6_len < c->pfx6_len &&
			    pfx6_has(&p, &c->pfx6) &&
			    (best < 0 ||
			     t->pfx6_len > e->classes[best].pfx6_len) &&
			    may6_answer_for(e, r, j, m, work, cut))
				best = (long)j;
		}
		for (j = 0; best < 0 && j < e->nclasses && !*cut; j++)
			if ((e->classes[j].kind == IPTS_EXP_KIND_LINK ||
			     e->classes[j].kind == IPTS_EXP_KIND_INTERNET) &&
			    may6_answer_for(e, r, j, m, work, cut))
				best = (long)j;
		if (best < 0 || *cut)
			continue;
		e->alias[i * e->nclasses + m] = best;
		e->alias_name[i * e->nclasses + m] =
			intern(e, e->classes[best].name);
	}
}

/* Which split classes each row's rules do not split out: their cells
 * answer as another class of the interface (e->alias). */
static void plan_aliases(struct ipts_exposure *e, const struct ipts_ruleset *rs)
{
	struct ipts_exp_prefix *named = ipts_xcalloc(ROW_NAMED_MAX,
						     sizeof(*named));
	size_t n = e->nrows * e->nclasses, i, k, j, nn;
	uint64_t work = 0, work6 = 0;
	bool cut6 = false;

	e->alias = ipts_xcalloc(n + 1, sizeof(*e->alias));
	e->alias_name = ipts_xcalloc(n + 1, sizeof(*e->alias_name));
	for (i = 0; i < n; i++)
		e->alias[i] = -1;
	for (k = 0; rs && k < e->nclasses; k++) {
		const struct ipts_exp_class *c = &e->classes[k];
		bool first = c->kind == IPTS_EXP_KIND_SPLIT;

		/* once an interface: at its first split class */
		for (j = 0; first && j < k; j++)
			if (e->classes[j].kind == IPTS_EXP_KIND_SPLIT &&
			    strcmp(e->classes[j].in, c->in) == 0)
				first = false;
		if (!first)
			continue;
		for (i = 0; i < e->nrows; i++) {
			const struct ipts_exp_row *r = &e->rows[i];

			if (r->cut || r->family == NFPROTO_IPV6 ||
			    ipts_exp_row_sources(rs, r->proto, r->port,
						 r->dst ? r->dst : c->addr,
						 c->in, named, ROW_NAMED_MAX,
						 &nn, &work) < 0)
				continue;
			alias_row(e, i, c->in, named, nn);
		}
	}
	for (i = 0; e->rs6 && i < e->nrows && !cut6; i++)
		if (e->rows[i].family == NFPROTO_IPV6 && !e->rows[i].cut)
			alias_row6(e, i, &work6, &cut6);
	if (cut6) {
		/* every IPv6 row simulates every class: no half-done plan */
		for (i = 0; i < e->nrows; i++)
			for (k = 0; e->rows[i].family == NFPROTO_IPV6 &&
				    k < e->nclasses;
			     k++)
				e->alias[i * e->nclasses +
					 k] = -1,
					 e->alias_name[i * e->nclasses + k] =
						 NULL;
		add_note(e,
			 "the IPv6 file was searched for the sources its "
			 "rules tell apart up to %llu rule entries: every "
			 "IPv6 row simulates every class",
			 (unsigned long long)IPTS_EXP_MAX_SCAN);
	}
	if (work > IPTS_EXP_MAX_SCAN)
		add_note(e,
			 "the rows' rules were searched for the sources "
			 "they split up to %llu rule entries: the rows "
			 "past it simulate every class",
			 (unsigned long long)IPTS_EXP_MAX_SCAN);
	free(named);
}

void ipts_exposure_plan(struct ipts_exposure *e, const struct ipts_ruleset *rs)
{
	struct ipts_exp_cuts c[2];
	size_t i;
	bool ok;

	strings_new(e);
	scan_listeners(e);
	if (rs)
		scan_rules(e, rs);
	if (e->rs6)
		scan_rules6(e, e->rs6);
	merge_rows(e);
	ipts_exp_cuts_build(e, rs, c, &ok);
	for (i = 0; !ok && i < e->nrows; i++)
		if (e->rows[i].port_hi > e->rows[i].port) {
			add_note(e, "some rule has a match or target that may "
				    "read a port and is not modelled: a range "
				    "is simulated port by port");
			break;
		}
	expand_ranges(e, c, ok);
	if (e->rs6) {
		add_twins(e);
		qsort(e->rows, e->nrows, sizeof(*e->rows), row_cmp);
		for (i = 0; i < e->nrows; i++)
			label_row(&e->rows[i]);
	}
	if (ok && !e->no_share)
		share_rows(e, c);
	free(c[0].at);
	free(c[1].at);
	plan_classes(e, rs);
	plan_aliases(e, rs);
	ipts_exp_shapes_plan(e, rs);
}

int ipts_exposure_keep_class(struct ipts_exposure *e, const char *name)
{
	long k = ipts_exposure_find_class(e, name);
	size_t i;

	if (k < 0)
		return -1;
	/* the class it answers as is not simulated: its own cells are,
	 * and still say which class they answer as */
	for (i = 0; e->alias && i < e->nrows; i++) {
		e->alias_name[i] = e->alias_name[i * e->nclasses + (size_t)k];
		e->alias[i] = -1;
	}
	e->classes[0] = e->classes[k];
	e->nclasses = 1;
	return 0;
}

void ipts_exposure_cells(struct ipts_exposure *e)
{
	free(e->cells);
	e->cells = ipts_xcalloc(e->nrows * e->nclasses + 1, sizeof(*e->cells));
}

/* --- cells ---------------------------------------------------------- */

/* What listens for an IPv6 row's ::1 client: the host's IPv6 and
 * dual-stack sockets of its port ("[::]:22" and "*:22" alike), and the
 * --listen ones of no address; with neither, a server on every port. */
static void listen6(const struct ipts_exposure *e, const struct ipts_exp_row *r,
		    struct ipts_query *q)
{
	size_t i, n = e->host ? ipts_hostdesc_listener_count(e->host) : 0;

	if (!n && !e->nlisten)
		return;
	/* another host a port forwards to answers as a listener, unless
	 * only --listen says what listens (as an IPv4 row's) */
	q->no_listener = !n;
	for (i = 0; i < n && q->nlisten < IPTS_QUERY_MAX_LOCAL; i++) {
		const struct ipts_host_listener *l =
			ipts_hostdesc_listener_at(e->host, i);

		if (l->proto != r->proto || l->port != r->port ||
		    l->family == AF_INET)
			continue;
		memset(&q->listen[q->nlisten].addr, 0,
		       sizeof(q->listen[0].addr));
		if (!l->any)
			memcpy(&q->listen[q->nlisten].addr.in6, l->addr, 16);
		q->listen[q->nlisten++].port = l->port;
	}
	for (i = 0; i < e->nlisten && q->nlisten < IPTS_QUERY_MAX_LOCAL; i++)
		if ((!e->listen[i].proto || e->listen[i].proto == r->proto) &&
		    !e->listen[i].addr) {
			memset(&q->listen[q->nlisten].addr, 0,
			       sizeof(q->listen[0].addr));
			q->listen[q->nlisten++].port = e->listen[i].port;
		}
}

int ipts_exp_v6_cell_query(const struct ipts_exposure *e, size_t row,
			   size_t cls, struct ipts_query *q, const char **why)
{
	const struct ipts_exp_row *r = &e->rows[row];
	const struct ipts_exp_class *c = &e->classes[cls];

	if (c->in && !c->has6) {
		if (c->kind == IPTS_EXP_KIND_SPLIT)
			*why = "not simulated: an IPv4 source prefix (the "
			       "IPv6 ones are classes of their own)";
		else if (c->kind == IPTS_EXP_KIND_INTERNET && c->ll6)
			*why = "not simulated: the interface has a "
			       "link-local IPv6 address only, reached from "
			       "its link alone";
		else
			*why = "not simulated: the interface has no usable "
			       "IPv6 address (or no room for a neighbour)";
		return -1;
	}
	ipts_query_init(q);
	q->family = q->addr_family = NFPROTO_IPV6;
	q->proto = r->proto;
	q->dport = r->port;
	q->src.in6 = c->in ? c->src6 : in6addr_loopback;
	q->dst.in6 = c->in ? c->addr6 : in6addr_loopback;
	/* a row of an address: asked at it; a process of this host is
	 * given the source connect() gives (the address itself when it is
	 * the host's; else the route's; none: ::1, the answer says why) */
	if (row6_addressed(r)) {
		q->dst.in6 = r->dst6;
		if (!c->in &&
		    !ipts_place6_local_src(e->host, &r->dst6, &q->src.in6))
			q->src.in6 = in6addr_loopback;
	}
	q->in = c->in;
	q->given |= IPTS_QGIVEN_PROTO | IPTS_QGIVEN_DPORT | IPTS_QGIVEN_SRC |
		    IPTS_QGIVEN_DST;
	if (c->in)
		q->given |= IPTS_QGIVEN_IN;
	listen6(e, r, q);
	return 0;
}

void ipts_exposure_cell_query(const struct ipts_exposure *e, size_t row,
			      size_t cls, struct ipts_query *q)
{
	const struct ipts_exp_row *r = &e->rows[row];
	const struct ipts_exp_class *c = &e->classes[cls];
	unsigned int i;
	const char *why;

	if (r->family == NFPROTO_IPV6) {
		ipts_exp_v6_cell_query(e, row, cls, q, &why);
		return;
	}
	ipts_query_init(q);
	q->proto = r->proto;
	q->dport = r->port;
	q->src.ip = c->src;
	q->dst.ip = r->dst ? r->dst : c->addr;
	q->in = c->in;
	q->given |= IPTS_QGIVEN_PROTO | IPTS_QGIVEN_DPORT | IPTS_QGIVEN_SRC |
		    IPTS_QGIVEN_DST;
	if (c->in)
		q->given |= IPTS_QGIVEN_IN;
	/* A process of this host connecting to one of its addresses is
	 * given the source of the local route to it, as the kernel gives
	 * it (the address itself, or its subnet's primary address for a
	 * secondary one; 127.0.0.1 for 127/8). None (connect() fails):
	 * 127.0.0.1, the simulator's answer says why. */
	if (!c->in && r->dst) {
		uint32_t src = ipts_place_local_src(e->host, r->dst);

		if (src)
			q->src.ip = src;
	}
	/* What listens here: the host's listeners (listen.txt) and
	 * --listen; with neither, a server on every port, as trace takes
	 * one on --dport. Another host a port forwards to answers as a
	 * listener, unless only --listen says what listens. */
	q->no_listener = e->nlisten &&
			 !(e->host && ipts_hostdesc_listener_count(e->host));
	for (i = 0; i < e->nlisten; i++)
		if (e->listen[i].proto == r->proto) {
			q->listen[q->nlisten].addr.ip = e->listen[i].addr;
			q->listen[q->nlisten].port = e->listen[i].port;
			q->nlisten++;
		}
	/* no host: lo only, and a published address is taken as local */
	if (!e->host && (ntohl(q->dst.ip) >> 24) != 127)
		q->local_addrs[q->nlocal++] = q->dst;
}

/* closed or filtered, as nmap tells them: a RST is closed, and so is a
 * UDP port unreachable; any other ICMP error is filtered. */
static enum ipts_exp_state refused_state(const struct ipts_query *q,
					 const struct ipts_result *res)
{
	unsigned int i;

	for (i = 0; i < res->npackets; i++) {
		const struct ipts_packet *p = &res->packets[i];

		if (p->kind == IPTS_PKT_RST)
			return IPTS_EXP_CLOSED;
		if (p->kind == IPTS_PKT_ICMP)
			return q->proto == IPPROTO_UDP && p->icmp_type == 3 &&
					       p->icmp_code == 3 ?
				       IPTS_EXP_CLOSED :
				       IPTS_EXP_FILTERED;
	}
	return IPTS_EXP_CLOSED;
}

static enum ipts_exp_state state_of(const struct ipts_query *q,
				    const struct ipts_result *res)
{
	switch (res->outcome) {
	case IPTS_CONNECTED:
	case IPTS_DELIVERED:
	case IPTS_RESET: /* the SYN-ACK came: nmap says open */
		return IPTS_EXP_OPEN;
	case IPTS_REFUSED:
		return refused_state(q, res);
	case IPTS_UNDETERMINED:
	case IPTS_OUTCOME_COUNT:
		return IPTS_EXP_UNDETERMINED;
	default:
		return IPTS_EXP_FILTERED;
	}
}

/* Why the file cannot tell: the budget, else the first rule or step that
 * changes the outcome. */
static const char *undetermined_why(const struct ipts_result *res)
{
	size_t k;

	if (res->over_budget)
		return res->budget_why;
	for (k = 0; k < res->nreasons; k++)
		if (res->reasons[k].changes_outcome)
			return res->reasons[k].why;
	if (res->nreasons)
		return res->reasons[0].why;
	return res->why;
}

void ipts_exposure_cell_set(struct ipts_exposure *e, size_t row, size_t cls,
			    const struct ipts_query *q, int rc,
			    const struct ipts_result *res,
			    const struct ipts_trace *let_through)
{
	struct ipts_exp_cell *c = ipts_exposure_cell(e, row, cls);
	const struct ipts_packet *p = ipts_result_first(res);

	memset(c, 0, sizeof(*c));
	c->simulated = true;
	c->dst = q->family == NFPROTO_IPV6 ? 0 : q->dst.ip;
	c->to = c->dst;
	c->to6 = q->dst;
	if (q->family == NFPROTO_IPV6)
		c->dst6 = q->dst;
	c->to_port = q->dport;
	if (rc < 0) {
		c->why = intern(e, res->why);
		c->state = IPTS_EXP_UNDETERMINED;
		c->outcome = IPTS_UNDETERMINED;
		c->path = IPTS_PATH_NONE;
		return;
	}
	c->outcome = res->outcome;
	c->state = state_of(q, res);
	c->why = intern(e, c->state == IPTS_EXP_UNDETERMINED ?
				   undetermined_why(res) :
				   res->why);
	c->path = res->path;
	c->visits = res->visits;
	c->over_budget = res->over_budget;
	if (p && p->ntrace) {
		c->to6 = p->trace[p->ntrace - 1].daddr;
		c->to = q->family == NFPROTO_IPV6 ? 0 : c->to6.ip;
		c->to_port = p->trace[p->ntrace - 1].dport;
	}
	if (res->decided_pkt >= 0 &&
	    (unsigned int)res->decided_pkt < res->npackets &&
	    res->decided_idx >= 0 &&
	    (size_t)res->decided_idx < res->packets[res->decided_pkt].ntrace) {
		const struct ipts_trace *t =
			&res->packets[res->decided_pkt].trace[res->decided_idx];

		c->rule = t->rule;
		c->chain = t->chain;
	} else if (c->state == IPTS_EXP_OPEN && let_through) {
		c->rule = let_through->rule;
		c->chain = let_through->chain;
	}
}

void ipts_exposure_cell_skip(struct ipts_exposure *e, size_t row, size_t cls,
			     const char *why)
{
	struct ipts_exp_cell *c = ipts_exposure_cell(e, row, cls);

	memset(c, 0, sizeof(*c));
	c->state = IPTS_EXP_UNDETERMINED;
	c->outcome = IPTS_UNDETERMINED;
	c->path = IPTS_PATH_NONE;
	c->why = intern(e, why);
}

static const char *const state_names[] = {
	[IPTS_EXP_OPEN] = "open",
	[IPTS_EXP_CLOSED] = "closed",
	[IPTS_EXP_FILTERED] = "filtered",
	[IPTS_EXP_UNDETERMINED] = "undetermined",
};

const char *ipts_exp_state_name(enum ipts_exp_state s)
{
	return s < IPTS_EXP_STATE_COUNT ? state_names[s] : "?";
}

int ipts_exp_state_parse(const char *word)
{
	int i;

	for (i = 0; i < IPTS_EXP_STATE_COUNT; i++)
		if (strcmp(word, state_names[i]) == 0)
			return i;
	return -1;
}

long ipts_exposure_find_row(const struct ipts_exposure *e, const char *label)
{
	size_t i;

	for (i = 0; i < e->nrows; i++)
		if (strcmp(e->rows[i].label, label) == 0)
			return (long)i;
	return -1;
}

long ipts_exposure_find_class(const struct ipts_exposure *e, const char *name)
{
	size_t i, k, n;
	char p[20];

	for (i = 0; i < e->nclasses; i++)
		if (strcmp(e->classes[i].name, name) == 0)
			return (long)i;
	/* a split class folded into another: that one answers for it */
	for (i = 0; i < e->nclasses; i++) {
		const struct ipts_exp_class *c = &e->classes[i];

		if (!c->in)
			continue;
		n = strlen(c->in);
		if (strncmp(name, c->in, n) != 0 || name[n] != ':')
			continue;
		for (k = 0; k < c->nfolded; k++) {
			ipts_exp_prefix_fmt(p, sizeof(p), c->folded[k]);
			if (strcmp(name + n + 1, p) == 0)
				return (long)i;
		}
	}
	return -1;
}

void ipts_exposure_free(struct ipts_exposure *e)
{
	size_t i;

	for (i = 0; i < e->nnotes; i++)
		free(e->notes[i]);
	free(e->notes);
	strings_free(e->strings);
	free(e->rows);
	free(e->classes);
	free(e->cells);
	free(e->alias);
	free(e->alias_name);
	ipts_exp_shapes_free(e->shapes);
	memset(e, 0, sizeof(*e));
}

/* --- running, sharing and merging ------------------------------------ */

struct job {
	struct ipts_exposure *e;
	const struct ipts_sim_ctx *ctx;
	const struct ipts_limits *lim;
	ipts_exp_let_through_fn *lt;
	const size_t *list; /* cell indexes */
	size_t n;
	size_t next; /* taken atomically */
};

static void run_one(struct ipts_exposure *e, const struct ipts_sim_ctx *ctx,
		    const struct ipts_limits *lim, ipts_exp_let_through_fn *ltf,
		    size_t cell, struct ipts_result *res)
{
	size_t row = cell / e->nclasses, cls = cell % e->nclasses;
	const struct ipts_trace *lt = NULL;
	struct ipts_query q;
	int rc;

	ipts_exposure_cell_query(e, row, cls, &q);
	rc = ipts_simulate_limited(e->rows[row].family == NFPROTO_IPV6 ?
					   e->ctx6 :
					   ctx,
				   &q, lim, res);
	if (rc == 0 && ltf)
		lt = ltf(res);
	ipts_exposure_cell_set(e, row, cls, &q, rc, res, lt);
}

static void *worker(void *arg)
{
	struct job *j = arg;
	struct ipts_result res;
	size_t i;

	ipts_result_init(&res);
	while ((i = __atomic_fetch_add(&j->next, 1, __ATOMIC_RELAXED)) < j->n)
		run_one(j->e, j->ctx, j->lim, j->lt, j->list[i], &res);
	ipts_result_free(&res);
	return NULL;
}

/* Simulate the cells of @list on @nthreads threads, each under @lim
 * alone: the run's budget is spent afterwards, by charge(). */
static void run_list(struct ipts_exposure *e, const struct ipts_sim_ctx *ctx,
		     const struct ipts_limits *lim, ipts_exp_let_through_fn *lt,
		     unsigned int nthreads, const size_t *list, size_t n)
{
	struct job j = { e, ctx, lim, lt, list, n, 0 };
	pthread_t tid[8];
	unsigned int t, started = 0;

	if (nthreads > 8)
		nthreads = 8;
	for (t = 1; t < nthreads && n > 64; t++)
		if (pthread_create(&tid[started], NULL, worker, &j) == 0)
			started++;
	worker(&j);
	for (t = 0; t < started; t++)
		pthread_join(tid[t], NULL);
}

/* How a cell got its answer (ipts_exposure_run()): its own walk, a copy
 * of another row's walk of the same rules, or of another class's. */
enum {
	CELL_OWN = 1,
	CELL_SHARED,
	CELL_ALIASED,
};

/*
 * Spend the run's budget over every asked cell in cell order, as one
 * thread simulating each cell itself would (--no-share): a cell charges
 * the visits of its walk, its own or the one it copies, which visits
 * the same rules (the plan shares only connections no rule tells
 * apart). A cell that meets what was left of @max_total is simulated
 * again under that, on its own connection; a cell after it is not
 * simulated. Then the counters, from what each cell kept.
 */
static void charge(struct ipts_exposure *e, const struct ipts_sim_ctx *ctx,
		   const struct ipts_limits *lim, ipts_exp_let_through_fn *lt,
		   uint64_t max_total, unsigned char *kind, uint64_t *spent,
		   bool *hit)
{
	struct ipts_result res;
	size_t i, n = e->nrows * e->nclasses;

	ipts_result_init(&res);
	for (i = 0; i < n; i++) {
		struct ipts_exp_cell *c = &e->cells[i];
		uint64_t left = max_total > *spent ? max_total - *spent : 0;

		if (!kind[i])
			continue;
		if (!left) {
			ipts_exposure_cell_skip(
				e, i / e->nclasses, i % e->nclasses,
				"not simulated: the run's rule visits are "
				"spent (--max-total-visits)");
			kind[i] = 0;
			continue;
		}
		if (left < lim->max_visits && c->visits >= left) {
			struct ipts_limits l = *lim;
			char name[80];

			snprintf(name, sizeof(name),
				 "what was left of --max-total-visits %llu",
				 (unsigned long long)max_total);
			l.max_visits = left;
			l.budget_name = name;
			run_one(e, ctx, &l, lt, i, &res);
			kind[i] = CELL_OWN;
		}
		*spent = c->visits > UINT64_MAX - *spent ? UINT64_MAX :
							   *spent + c->visits;
		if (c->over_budget)
			*hit = true;
	}
	ipts_result_free(&res);
	e->simulations = e->shared = e->aliased = 0;
	for (i = 0; i < n; i++) {
		if (kind[i] == CELL_OWN)
			e->simulations++;
		else if (kind[i] == CELL_SHARED)
			e->shared++;
		else if (kind[i] == CELL_ALIASED)
			e->aliased++;
	}
}

/* Whether @why names port @port after an address ("10.0.0.1:8080"):
 * a copy for another port would say the wrong one. */
static bool names_port(const char *why, uint16_t port)
{
	char p[8];
	const char *s;
	size_t n;

	n = (size_t)snprintf(p, sizeof(p), ":%u", port);
	for (s = strstr(why, p); s; s = strstr(s + 1, p))
		if (s > why && s[-1] >= '0' && s[-1] <= '9' &&
		    !(s[n] >= '0' && s[n] <= '9'))
			return true;
	return false;
}

/*
 * The row whose cell of class @k is cell (@i, @k)'s very connection, or
 * -1: a row of no address asks each class's own address, so where a
 * row of the same ports is at that address (192.0.2.10:80/tcp beside
 * 80/tcp), and lo's client gets the same source there, the two cells
 * are one connection, simulated once. Rows sort by their ports, then
 * their address: the rows of @i's ports follow it.
 */
/* An IPv6 row of no address's cell of interface class @k is asked at
 * the class's address: the same connection as the cell of a row of that
 * address (its source, port and listeners the same), when that cell is
 * simulated too. */
static long same_cell_row6(const struct ipts_exposure *e, size_t i, size_t k)
{
	const struct ipts_exp_row *r = &e->rows[i];
	const struct ipts_exp_class *c = &e->classes[k];
	size_t j;

	if (row6_addressed(r) || r->cut || !c->in || !c->has6 || e->no_share)
		return -1;
	for (j = i + 1; j < e->nrows; j++) {
		const struct ipts_exp_row *x = &e->rows[j];

		if (x->proto != r->proto || x->port != r->port ||
		    x->port_hi != r->port_hi)
			break;
		if (x->family != NFPROTO_IPV6 || x->cut || x->same_as >= 0 ||
		    memcmp(&x->dst6, &c->addr6, sizeof(c->addr6)) != 0)
			continue;
		if (e->alias && (e->alias[i * e->nclasses + k] >= 0) !=
					(e->alias[j * e->nclasses + k] >= 0))
			return -1;
		return (long)j;
	}
	return -1;
}

static long same_cell_row(const struct ipts_exposure *e, size_t i, size_t k)
{
	const struct ipts_exp_row *r = &e->rows[i];
	const struct ipts_exp_class *c = &e->classes[k];
	size_t j;

	if (r->family == NFPROTO_IPV6)
		return same_cell_row6(e, i, k);
	if (r->dst || r->cut || !c->addr || e->no_share)
		return -1;
	for (j = i + 1; j < e->nrows; j++) {
		const struct ipts_exp_row *x = &e->rows[j];

		if (x->proto != r->proto || x->port != r->port ||
		    x->port_hi != r->port_hi)
			break;
		if (x->dst != c->addr || x->family == NFPROTO_IPV6 || x->cut ||
		    x->same_as >= 0)
			continue;
		if (!c->in && ipts_place_local_src(e->host, x->dst) != c->src)
			return -1;
		return (long)j;
	}
	return -1;
}

static bool cells_equal(const struct ipts_exp_cell *a,
			const struct ipts_exp_cell *b)
{
	return a->state == b->state && a->outcome == b->outcome &&
	       a->path == b->path && a->dst == b->dst && a->to == b->to &&
	       a->to_port == b->to_port &&
	       memcmp(&a->to6, &b->to6, sizeof(a->to6)) == 0 &&
	       memcmp(&a->dst6, &b->dst6, sizeof(a->dst6)) == 0 &&
	       a->simulated == b->simulated &&
	       a->over_budget == b->over_budget && a->rule == b->rule &&
	       a->chain == b->chain && a->visits == b->visits && a->why &&
	       b->why && strcmp(a->why, b->why) == 0;
}

/*
 * The cells of rows of one shape that were not simulated (@pend): each
 * rebuilt from its group's first row's cell of the class, when the
 * group's second row's cell is that cell rebuilt (the visits per rule
 * of distance between the entries measured from the two); else put on
 * @list to be simulated (*@n).
 */
static void shape_cells(struct ipts_exposure *e, const struct ipts_limits *lim,
			const unsigned char *pend, unsigned char *kind,
			size_t *list, size_t *n)
{
	size_t i, k, nc = e->nclasses;
	/* per class: the group (its first row) last calibrated, and b */
	long *ca_row = ipts_xcalloc(nc + 1, sizeof(*ca_row));
	int64_t *ca_b = ipts_xcalloc(nc + 1, sizeof(*ca_b));
	bool *ca_ok = ipts_xcalloc(nc + 1, sizeof(*ca_ok));

	for (k = 0; k < nc; k++)
		ca_row[k] = -1;
	for (i = 0; i < e->nrows; i++)
		for (k = 0; k < nc; k++) {
			size_t cell = i * nc + k;
			long a = ipts_exp_shape_leader(e, i, 0);
			long a2 = ipts_exp_shape_leader(e, i, 1);
			const struct ipts_exp_cell *ca, *ca2;
			struct ipts_exp_cell t;
			int64_t di, dv;

			if (!pend[cell])
				continue;
			if (a < 0 || a2 < 0)
				goto own;
			ca = ipts_exposure_cell(e, (size_t)a, k);
			if (ca_row[k] != a) {
				/* the group's second row must be its first
				 * rebuilt, the visits a rule b apart */
				ca_row[k] = a;
				ca_ok[k] = false;
				if (kind[(size_t)a * nc + k] != CELL_OWN ||
				    kind[(size_t)a2 * nc + k] != CELL_OWN)
					goto own;
				ca2 = ipts_exposure_cell(e, (size_t)a2, k);
				di = ipts_exp_shape_entry(e, (size_t)a2) -
				     ipts_exp_shape_entry(e, (size_t)a);
				dv = (int64_t)ca2->visits - (int64_t)ca->visits;
				/* b < 0: more walks come back to E past the
				 * entry than took it */
				if (di <= 0 || dv % di)
					goto own;
				ca_b[k] = dv / di;
				ca_ok[k] = ipts_exp_shape_translate(
						   e, (size_t)a, (size_t)a2, ca,
						   ca_b[k], lim->max_visits,
						   false, &t) &&
					   cells_equal(&t, ca2);
			}
			if (!ca_ok[k] ||
			    !ipts_exp_shape_translate(e, (size_t)a, i, ca,
						      ca_b[k], lim->max_visits,
						      true, &t))
				goto own;
			*ipts_exposure_cell(e, i, k) = t;
			kind[cell] = CELL_SHARED;
			continue;
		own:
			list[(*n)++] = cell;
		}
	free(ca_row);
	free(ca_b);
	free(ca_ok);
}

size_t ipts_exposure_run(struct ipts_exposure *e,
			 const struct ipts_sim_ctx *ctx,
			 const struct ipts_limits *lim,
			 ipts_exp_let_through_fn *lt, uint64_t max_total,
			 unsigned int nthreads, uint64_t *spent, bool *hit)
{
	size_t *list = ipts_xcalloc(e->nrows * e->nclasses + 1, sizeof(*list));
	unsigned char *kind = ipts_xcalloc(e->nrows * e->nclasses + 1,
					   sizeof(*kind));
	unsigned char *pend = ipts_xcalloc(e->nrows * e->nclasses + 1,
					   sizeof(*pend));
	size_t i, k, n = 0, und = 0;

	*spent = 0;
	*hit = false;
	for (i = 0; i < e->nrows; i++) {
		if (e->rows[i].same_as >= 0)
			continue;
		for (k = 0; k < e->nclasses; k++) {
			struct ipts_query q;
			const char *why;

			if (e->rows[i].cut)
				ipts_exposure_cell_skip(
					e, i, k,
					"not simulated: the range is cut in "
					"too many parts by the rules");
			else if (e->rows[i].family != NFPROTO_IPV6 &&
				 e->classes[k].in && !e->classes[k].src)
				ipts_exposure_cell_skip(
					e, i, k,
					e->classes[k].kind ==
							IPTS_EXP_KIND_SPLIT6 ?
						"not simulated: an IPv6 "
						"source prefix (the IPv4 "
						"ones are classes of their "
						"own)" :
						"not simulated: the "
						"interface has no IPv4 "
						"address");
			else if (e->rows[i].family == NFPROTO_IPV6 &&
				 (!e->ctx6 ||
				  ipts_exp_v6_cell_query(e, i, k, &q, &why) <
					  0))
				ipts_exposure_cell_skip(
					e, i, k,
					e->ctx6 ? why :
						  "not simulated: no IPv6 "
						  "context");
			else if ((e->no_share || !e->alias ||
				  e->alias[i * e->nclasses + k] < 0) &&
				 same_cell_row(e, i, k) < 0) {
				long a0 = ipts_exp_shape_leader(e, i, 0);
				long a2 = ipts_exp_shape_leader(e, i, 1);

				/* a row of a shape past its first two:
				 * rebuilt from the first, when it can be */
				if (a2 >= 0 && (size_t)a0 != i &&
				    (size_t)a2 != i)
					pend[i * e->nclasses + k] = 1;
				else
					list[n++] = i * e->nclasses + k;
			}
		}
	}
	run_list(e, ctx, lim, lt, nthreads, list, n);
	for (i = 0; i < n; i++)
		kind[list[i]] = CELL_OWN;
	n = 0;
	shape_cells(e, lim, pend, kind, list, &n);
	run_list(e, ctx, lim, lt, nthreads, list, n);
	for (i = 0; i < n; i++)
		kind[list[i]] = CELL_OWN;
	free(pend);
	/* a row of no address's cells at an address with a row of its
	 * own: that row's cell (simulated: the plan aliases both alike),
	 * before the aliases that may answer as it */
	for (i = 0; i < e->nrows; i++) {
		if (e->rows[i].same_as >= 0)
			continue;
		for (k = 0; k < e->nclasses; k++) {
			long j;

			if (e->alias && !e->no_share &&
			    e->alias[i * e->nclasses + k] >= 0)
				continue;
			j = same_cell_row(e, i, k);
			if (j < 0)
				continue;
			*ipts_exposure_cell(e, i, k) =
				*ipts_exposure_cell(e, (size_t)j, k);
			if (ipts_exposure_cell(e, i, k)->simulated)
				kind[i * e->nclasses + k] = CELL_SHARED;
		}
	}
	/* the cells of a class the row's rules do not split out: the
	 * answer of the class that answers for it */
	for (i = 0; e->alias && !e->no_share && i < e->nrows * e->nclasses;
	     i++) {
		long a = e->alias[i];
		const struct ipts_exp_cell *f;

		if (a < 0 || e->rows[i / e->nclasses].same_as >= 0 ||
		    e->rows[i / e->nclasses].cut)
			continue;
		f = &e->cells[i - i % e->nclasses + (size_t)a];
		e->cells[i] = *f;
		if (f->simulated)
			kind[i] = CELL_ALIASED;
	}
	/* the rows that share: a copy of their row's answer, unless it
	 * names that row's port */
	n = 0;
	for (i = 0; i < e->nrows; i++) {
		const struct ipts_exp_row *r = &e->rows[i], *from;

		if (r->same_as < 0)
			continue;
		from = &e->rows[r->same_as];
		for (k = 0; k < e->nclasses; k++) {
			const struct ipts_exp_cell *f =
				ipts_exposure_cell(e, (size_t)r->same_as, k);
			struct ipts_exp_cell *c = ipts_exposure_cell(e, i, k);

			if (f->simulated && names_port(f->why, from->port)) {
				list[n++] = i * e->nclasses + k;
				continue;
			}
			*c = *f;
			if (f->simulated && f->to_port == from->port)
				c->to_port = r->port;
			if (f->simulated)
				kind[i * e->nclasses + k] = CELL_SHARED;
		}
	}
	run_list(e, ctx, lim, lt, nthreads, list, n);
	for (i = 0; i < n; i++)
		kind[list[i]] = CELL_OWN;
	/* the copies keep their walk's visits: the budget is spent in cell
	 * order over all of them, as --no-share spends it */
	charge(e, ctx, lim, lt, max_total, kind, spent, hit);
	free(kind);
	free(list);
	for (i = 0; i < e->nrows * e->nclasses; i++) {
		e->cells[i].same_as = e->alias_name ? e->alias_name[i] : NULL;
		if (e->cells[i].state == IPTS_EXP_UNDETERMINED)
			und++;
	}
	return und;
}

static bool same_answer(const struct ipts_exp_cell *a, uint16_t pa,
			const struct ipts_exp_cell *b, uint16_t pb)
{
	return a->state == b->state && a->outcome == b->outcome &&
	       a->path == b->path && a->rule == b->rule &&
	       a->chain == b->chain && a->to == b->to &&
	       a->simulated == b->simulated &&
	       (a->to_port == b->to_port ||
		(a->to_port == pa && b->to_port == pb)) &&
	       (a->state != IPTS_EXP_UNDETERMINED ||
		strcmp(a->why, b->why) == 0);
}

bool ipts_exp_cell_same(const struct ipts_exp_cell *a,
			const struct ipts_exp_cell *b)
{
	return same_answer(a, 0, b, 0) && a->dst == b->dst &&
	       ipts_addr_eq(&a->dst6, &b->dst6) && a->to_port == b->to_port &&
	       strcmp(a->why, b->why) == 0;
}

/* Keep the rows and classes marked in @keep_row and @keep_cls. */
static void compact(struct ipts_exposure *e, const bool *keep_row,
		    const bool *keep_cls)
{
	struct ipts_exp_cell *cells = ipts_xcalloc(e->nrows * e->nclasses + 1,
						   sizeof(*cells));
	size_t i, k, nr = 0, nc = 0, m = 0;

	for (i = 0; i < e->nrows; i++) {
		if (!keep_row[i])
			continue;
		for (k = 0; k < e->nclasses; k++)
			if (keep_cls[k])
				cells[m++] = *ipts_exposure_cell(e, i, k);
	}
	for (i = 0; i < e->nrows; i++)
		if (keep_row[i])
			e->rows[nr++] = e->rows[i];
	for (k = 0; k < e->nclasses; k++)
		if (keep_cls[k])
			e->classes[nc++] = e->classes[k];
	free(e->cells);
	e->cells = cells;
	e->nrows = nr;
	e->nclasses = nc;
}

/* Whether rows @i and @j answer alike in every class. */
static bool rows_alike(const struct ipts_exposure *e, size_t i, size_t j)
{
	size_t k;

	for (k = 0; k < e->nclasses; k++)
		if (!same_answer(ipts_exposure_cell(e, i, k), e->rows[i].port,
				 ipts_exposure_cell(e, j, k), e->rows[j].port))
			return false;
	return true;
}

static bool classes_alike(const struct ipts_exposure *e, size_t a, size_t b,
			  const bool *keep_row)
{
	size_t i;

	for (i = 0; i < e->nrows; i++)
		if (keep_row[i] && !same_answer(ipts_exposure_cell(e, i, a), 0,
						ipts_exposure_cell(e, i, b), 0))
			return false;
	return true;
}

void ipts_exposure_merge(struct ipts_exposure *e)
{
	bool *keep_row = ipts_xcalloc(e->nrows + 1, sizeof(*keep_row));
	bool *keep_cls = ipts_xcalloc(e->nclasses + 1, sizeof(*keep_cls));
	size_t i, j, k, *last_of;
	long nranges = 0;

	/* neighbouring parts of one range that answer alike (a part's
	 * neighbour is the range's last part kept: a row of its own may
	 * sort between them) */
	for (i = 0; i < e->nrows; i++) {
		struct ipts_exp_row *r = &e->rows[i];

		keep_row[i] = true;
		if (r->range < 0)
			continue;
		if (r->range > nranges)
			nranges = r->range;
	}
	last_of = ipts_xcalloc((size_t)nranges + 2, sizeof(*last_of));
	for (i = 0; i < e->nrows; i++) {
		struct ipts_exp_row *r = &e->rows[i];
		size_t last;

		if (r->range < 0)
			continue;
		last = last_of[r->range];
		if (last && !r->cut && !e->rows[last - 1].cut &&
		    e->rows[last - 1].port_hi + 1 == r->port &&
		    rows_alike(e, last - 1, i)) {
			/* alike, but not answered as the same classes:
			 * each cell a class of its own */
			for (k = 0; k < e->nclasses; k++)
				if (ipts_exposure_cell(e, last - 1, k)->same_as !=
				    ipts_exposure_cell(e, i, k)->same_as)
					ipts_exposure_cell(e, last - 1, k)
						->same_as = NULL;
			e->rows[last - 1].port_hi = r->port_hi;
			keep_row[i] = false;
			continue;
		}
		last_of[r->range] = i + 1;
	}
	free(last_of);
	/* a part that is one port a row of its own holds */
	for (i = 0; i < e->nrows; i++) {
		struct ipts_exp_row *r = &e->rows[i];

		if (!keep_row[i] || r->range < 0 || r->port != r->port_hi)
			continue;
		/* sorted by port, then a row of its own first: it is
		 * before, among the rows of the same port */
		for (j = i; j-- > 0 && e->rows[j].proto == r->proto &&
			    e->rows[j].port == r->port;)
			if (keep_row[j] && e->rows[j].range < 0 &&
			    e->rows[j].port_hi == r->port &&
			    e->rows[j].dst == r->dst &&
			    e->rows[j].family == r->family &&
			    !memcmp(&e->rows[j].dst6, &r->dst6,
				    sizeof(r->dst6))) {
				e->rows[j].origin |= r->origin;
				keep_row[i] = false;
				break;
			}
	}
	for (i = 0; i < e->nrows; i++)
		label_row(&e->rows[i]);
	/* a split class answering as an earlier class of its interface */
	for (k = 0; k < e->nclasses; k++) {
		struct ipts_exp_class *c = &e->classes[k];

		keep_cls[k] = true;
		if (c->kind != IPTS_EXP_KIND_SPLIT)
			continue;
		for (j = 0; j < k; j++) {
			struct ipts_exp_class *t = &e->classes[j];

			if (!keep_cls[j] || !t->in ||
			    strcmp(t->in, c->in) != 0 ||
			    !classes_alike(e, j, k, keep_row) ||
			    t->nfolded == IPTS_EXP_MAX_SPLIT)
				continue;
			t->folded[t->nfolded++] = c->prefix;
			keep_cls[k] = false;
			/* the cells answering as it answer as @t */
			for (i = 0; i < e->nrows * e->nclasses; i++)
				if (e->cells[i].same_as &&
				    strcmp(e->cells[i].same_as, c->name) == 0)
					e->cells[i].same_as = intern(e,
								     t->name);
			break;
		}
	}
	compact(e, keep_row, keep_cls);
	free(keep_row);
	free(keep_cls);
	/* planned for the table before it was joined */
	free(e->alias);
	free(e->alias_name);
	e->alias = NULL;
	e->alias_name = NULL;
}
