/*
 * exposure.c - the table of `iptsim exposure` (exposure.h): its rows
 * found in the rules and the host's listeners, its columns in the host's
 * interfaces (places.c), each cell filled from one simulation.
 */
#include "exposure.h"

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
#include <linux/netfilter/xt_tcpudp.h>

#define LOOPBACK 0x7f000001u /* host order */

void ipts_exposure_init(struct ipts_exposure *e,
			const struct ipts_hostdesc *host)
{
	memset(e, 0, sizeof(*e));
	e->host = host;
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
		    uint32_t dst, unsigned int origin,
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
	r->dst = dst;
	r->origin = origin;
	r->published = published;
}

/* What a packet must be to go on past a rule: its protocol, destination
 * port and address as the rules on the way to it say (0: any). */
struct want {
	uint8_t proto;
	uint16_t port;
	uint32_t dst;
};

/* The single destination port of a tcp or udp match, or 0. */
static uint16_t match_dport(const struct xt_entry_match *m)
{
	const struct xt_tcp *t;
	const char *name = m->u.user.name;

	if (ipts_blob_is_opaque(m->u.user.revision) ||
	    (strcmp(name, "tcp") != 0 && strcmp(name, "udp") != 0))
		return 0;
	/* xt_tcp and xt_udp begin alike: spts, dpts, then invflags */
	t = ipts_match_data(m,
			    strcmp(name, "tcp") == 0 ? sizeof(struct xt_tcp) :
						       sizeof(struct xt_udp),
			    NULL);
	if (!t || t->dpts[0] != t->dpts[1] || !t->dpts[0])
		return 0;
	if (strcmp(name, "tcp") == 0 ?
		    (t->invflags & XT_TCP_INV_DSTPT) :
		    (((const struct xt_udp *)(const void *)t)->invflags &
		     XT_UDP_INV_DSTPT))
		return 0;
	return t->dpts[0];
}

/* @w narrowed by rule @r's own -p, --dport and -d. */
static struct want narrow(struct want w, const struct ipts_rule *r)
{
	const struct ipt_ip *ip = &r->e->ip;
	unsigned int i;

	if ((ip->proto == IPPROTO_TCP || ip->proto == IPPROTO_UDP) &&
	    !(ip->invflags & IPT_INV_PROTO))
		w.proto = ip->proto;
	if (ip->dmsk.s_addr == 0xffffffffu && !(ip->invflags & IPT_INV_DSTIP))
		w.dst = ip->dst.s_addr;
	for (i = 0; i < r->nmatches; i++) {
		uint16_t p = match_dport(ipts_rule_match(r, i));

		if (p)
			w.port = p;
	}
	return w;
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
			 n.proto && n.port)
			add_row(e, n.proto, n.port, n.dst, IPTS_EXP_DNAT, r);
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
		if (n.port)
			add_row(e, n.proto ? n.proto : IPPROTO_TCP, n.port, 0,
				IPTS_EXP_RULE, NULL);
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

static void scan_listeners(struct ipts_exposure *e)
{
	size_t i, n = e->host ? ipts_hostdesc_listener_count(e->host) : 0;
	uint32_t dst;

	for (i = 0; i < n; i++) {
		const struct ipts_host_listener *l =
			ipts_hostdesc_listener_at(e->host, i);

		/* an IPv6-only socket: no IPv4 client reaches it */
		if (l->family == AF_INET6 && !l->any)
			continue;
		/* a socket bound to one address is reached at it alone */
		if (!l->any && l->family == AF_INET)
			memcpy(&dst, l->addr, sizeof(dst));
		else
			dst = 0;
		if (l->proto == IPPROTO_TCP || l->proto == IPPROTO_UDP)
			add_row(e, (uint8_t)l->proto, l->port, dst,
				IPTS_EXP_LISTEN, NULL);
	}
	for (i = 0; i < e->nlisten; i++)
		add_row(e, e->listen[i].proto, e->listen[i].port,
			e->listen[i].addr, IPTS_EXP_LISTEN, NULL);
}

static int row_cmp(const void *a, const void *b)
{
	const struct ipts_exp_row *x = a, *y = b;

	if (x->proto != y->proto)
		return x->proto == IPPROTO_TCP ? -1 : 1;
	if (x->port != y->port)
		return x->port < y->port ? -1 : 1;
	if (x->dst != y->dst)
		return ntohl(x->dst) < ntohl(y->dst) ? -1 : 1;
	return 0;
}

static bool loc_before(const struct ipts_rule *a, const struct ipts_rule *b)
{
	return a->loc.off < b->loc.off;
}

/* Sorted, one row per protocol, port and address, origins merged. */
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
	for (i = 0; i < e->nrows; i++) {
		struct ipts_exp_row *r = &e->rows[i];
		char a[20];

		if (r->dst) {
			inet_ntop(AF_INET, &r->dst, a, sizeof(a));
			snprintf(r->label, sizeof(r->label), "%s:%u/%s", a,
				 r->port,
				 r->proto == IPPROTO_TCP ? "tcp" : "udp");
		} else {
			snprintf(r->label, sizeof(r->label), "%u/%s", r->port,
				 r->proto == IPPROTO_TCP ? "tcp" : "udp");
		}
	}
}

/* --- classes -------------------------------------------------------- */

static void add_class(struct ipts_exposure *e, size_t *cap,
		      const struct ipts_host_iface *f, const char *kind,
		      uint32_t src, uint32_t addr)
{
	struct ipts_exp_class *c;

	if (e->nclasses == *cap) {
		*cap = *cap ? 2 * *cap : 8;
		e->classes = ipts_xrealloc(e->classes,
					   *cap * sizeof(*e->classes));
	}
	c = &e->classes[e->nclasses++];
	memset(c, 0, sizeof(*c));
	if (f)
		snprintf(c->name, sizeof(c->name), "%s:%s", f->name, kind);
	else
		snprintf(c->name, sizeof(c->name), "lo");
	c->in = f ? f->name : NULL;
	c->src = src;
	c->addr = addr;
	c->internet = f && strcmp(kind, "internet") == 0;
}

static void plan_classes(struct ipts_exposure *e)
{
	uint32_t outside = e->host ? ipts_place_outside(e->host) : 0;
	size_t i, cap = 0;

	add_class(e, &cap, NULL, NULL, htonl(LOOPBACK), htonl(LOOPBACK));
	for (i = 0; e->host && i < ipts_hostdesc_iface_count(e->host); i++) {
		const struct ipts_host_iface *f =
			ipts_hostdesc_iface_at(e->host, i);
		uint32_t nb;

		/* a bridge port's packets meet iptables on its bridge */
		if (f->loopback || f->bridge_port || !f->naddrs)
			continue;
		nb = ipts_place_neighbour(e->host, f);
		if (nb)
			add_class(e, &cap, f, "link", nb, f->addrs[0].local);
		if (outside)
			add_class(e, &cap, f, "internet", outside,
				  f->addrs[0].local);
	}
}

void ipts_exposure_plan(struct ipts_exposure *e, const struct ipts_ruleset *rs)
{
	scan_listeners(e);
	scan_rules(e, rs);
	merge_rows(e);
	plan_classes(e);
}

int ipts_exposure_keep_class(struct ipts_exposure *e, const char *name)
{
	long k = ipts_exposure_find_class(e, name);

	if (k < 0)
		return -1;
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

void ipts_exposure_cell_query(const struct ipts_exposure *e, size_t row,
			      size_t cls, struct ipts_query *q)
{
	const struct ipts_exp_row *r = &e->rows[row];
	const struct ipts_exp_class *c = &e->classes[cls];
	unsigned int i;

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
static void undetermined_why(struct ipts_exp_cell *c,
			     const struct ipts_result *res)
{
	size_t k;

	if (res->over_budget) {
		snprintf(c->why, sizeof(c->why), "%s", res->budget_why);
		return;
	}
	for (k = 0; k < res->nreasons; k++)
		if (res->reasons[k].changes_outcome) {
			snprintf(c->why, sizeof(c->why), "%s",
				 res->reasons[k].why);
			return;
		}
	if (res->nreasons)
		snprintf(c->why, sizeof(c->why), "%s", res->reasons[0].why);
}

void ipts_exposure_cell_set(struct ipts_exposure *e, size_t row, size_t cls,
			    const struct ipts_query *q, int rc,
			    const struct ipts_result *res,
			    const struct ipts_trace *let_through)
{
	struct ipts_exp_cell *c = ipts_exposure_cell(e, row, cls);
	const struct ipts_packet *p = res->npackets ? &res->packets[0] : NULL;

	memset(c, 0, sizeof(*c));
	c->simulated = true;
	c->dst = q->dst.ip;
	c->to = q->dst.ip;
	c->to_port = q->dport;
	snprintf(c->why, sizeof(c->why), "%s", res->why);
	if (rc < 0) {
		c->state = IPTS_EXP_UNDETERMINED;
		c->outcome = IPTS_UNDETERMINED;
		c->path = IPTS_PATH_NONE;
		return;
	}
	c->outcome = res->outcome;
	c->state = state_of(q, res);
	if (c->state == IPTS_EXP_UNDETERMINED)
		undetermined_why(c, res);
	c->path = res->path;
	c->visits = res->visits;
	if (p && p->ntrace) {
		c->to = p->trace[p->ntrace - 1].daddr.ip;
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
	snprintf(c->why, sizeof(c->why), "%s", why);
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
	size_t i;

	for (i = 0; i < e->nclasses; i++)
		if (strcmp(e->classes[i].name, name) == 0)
			return (long)i;
	return -1;
}

void ipts_exposure_free(struct ipts_exposure *e)
{
	free(e->rows);
	free(e->classes);
	free(e->cells);
	memset(e, 0, sizeof(*e));
}
