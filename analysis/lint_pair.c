/*
 * lint_pair.c - IPT015 on a pair of files, one of each family: a port a
 * local client reaches over one family and not over the other. The ports
 * are the TCP and UDP destination ports (and range edges) the filter
 * table's rules of either file name, plus a few defaults; each is
 * simulated as a local connection over lo on each family (127.0.0.1 ->
 * 127.0.0.1, ::1 -> ::1) through the simulator's public API. A finding
 * when one family connects and the other does not, at the rule that
 * decided the closed side; a note when both are closed in different ways
 * (refused and timeout: a client trying ::1 first waits), or when a side
 * is undetermined.
 */
#include "lint_int.h"
#include "sim.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>

#define CODE "IPT015"
#define CODE_UNLIKE "IPT016"
#define CODE_NOT "IPT017"

/* Ports a local client commonly tries that a file need not name: ssh,
 * http, https, 3000 (Node's dev servers: "connect ECONNREFUSED
 * ::1:3000"), 8080; DNS over UDP. */
static const uint16_t default_tcp[] = { 22, 80, 443, 3000, 8080 };
static const uint16_t default_udp[] = { 53 };

struct port {
	uint8_t proto;
	uint16_t port;
};

struct ports {
	struct port v[IPTS_LINT_PAIR_MAX_PORTS];
	size_t n, cut; /* @cut: named but past the bound */
	uint8_t seen[2][65536 / 8]; /* [0] tcp, [1] udp */
};

static void add_port(struct ports *p, uint8_t proto, uint16_t port)
{
	uint8_t *seen = p->seen[proto == IPPROTO_UDP];

	if (!port || seen[port / 8] & (1u << (port % 8)))
		return;
	seen[port / 8] |= (uint8_t)(1u << (port % 8));
	if (p->n == IPTS_LINT_PAIR_MAX_PORTS) {
		p->cut++;
		return;
	}
	p->v[p->n].proto = proto;
	p->v[p->n++].port = port;
}

static int port_cmp(const void *a, const void *b)
{
	const struct port *x = a, *y = b;

	if (x->proto != y->proto)
		return x->proto == IPPROTO_TCP ? -1 : 1;
	return (int)x->port - (int)y->port;
}

/* The ports rules of filter INPUT, OUTPUT and the user chains name. */
static void file_ports(struct ports *p, const struct ipts_ruleset *rs)
{
	const struct ipts_table *t = rs ? rs->tables[IPTS_TABLE_FILTER] : NULL;
	struct ipts_arena *arena = ipts_arena_new();
	const uint16_t *iv;
	uint32_t i, j, k;

	for (i = 0; t && i < t->nchains; i++) {
		const struct ipts_chain *c = t->chains[i];

		if (c->deleted || c->hook == NF_INET_FORWARD)
			continue;
		for (j = 0; j < c->nrules; j++) {
			struct ipts_space sp;
			struct ipt_ip buf;
			const struct ipt_ip *ip = ipts_lint_ip(c->rules[j],
							       &buf);

			if (ip->proto != IPPROTO_TCP &&
			    ip->proto != IPPROTO_UDP)
				continue;
			ipts_space_build(&sp, c->rules[j], arena);
			if (ipts_ports_is_full(&sp.dport))
				continue;
			iv = ipts_ports_iv(&sp.dport);
			for (k = 0; k < sp.dport.n; k++) {
				add_port(p, ip->proto, iv[2 * k]);
				add_port(p, ip->proto, iv[2 * k + 1]);
			}
		}
	}
	ipts_arena_free(arena);
}

static void loopback(union nf_inet_addr *a, uint8_t family)
{
	memset(a, 0, sizeof(*a));
	if (family == NFPROTO_IPV6)
		a->in6 = in6addr_loopback;
	else
		a->ip = htonl(INADDR_LOOPBACK);
}

static void port_query(struct ipts_query *q, uint8_t family,
		       const struct port *p)
{
	ipts_query_init(q);
	q->family = q->addr_family = family;
	loopback(&q->src, family);
	loopback(&q->dst, family);
	q->proto = p->proto;
	q->dport = p->port;
	q->given |= IPTS_QGIVEN_PROTO | IPTS_QGIVEN_DPORT | IPTS_QGIVEN_SRC |
		    IPTS_QGIVEN_DST;
}

static bool is_open(enum ipts_outcome o)
{
	return o == IPTS_CONNECTED || o == IPTS_DELIVERED;
}

/* One family's answer for one port. */
struct side {
	enum ipts_outcome o;
	struct ipts_loc loc; /* what decided it (closed), let it in (open) */
	const struct ipts_rule *rule; /* NULL: a policy or nothing */
	const struct ipts_chain *chain;
	char why[1024]; /* undetermined: why, the rule it met */
	unsigned int possible;
	const struct ipts_rule *undet_rule;
};

static void side_at(struct side *s, const struct ipts_ruleset *rs,
		    const struct ipts_trace *t)
{
	const struct ipts_table *ft = rs->tables[IPTS_TABLE_FILTER];

	s->rule = t ? t->rule : NULL;
	s->chain = t ? t->chain : NULL;
	if (s->rule)
		s->loc = s->rule->loc;
	else if (s->chain)
		s->loc = s->chain->loc;
	else if (ft)
		s->loc = ft->loc;
	else {
		memset(&s->loc, 0, sizeof(s->loc));
		s->loc.src = rs->src;
	}
}

/* The filter INPUT entry that let the first packet in, or NULL. */
static const struct ipts_trace *input_passed(const struct ipts_result *res)
{
	const struct ipts_packet *p;
	size_t i;

	if (!res->npackets)
		return NULL;
	p = &res->packets[0];
	for (i = 0; i < p->npassed; i++)
		if (p->passed[i].hook == NF_INET_LOCAL_IN &&
		    p->passed[i].chain->table->id == IPTS_TABLE_FILTER)
			return &p->passed[i];
	return NULL;
}

struct run {
	const struct ipts_limits *lim;
	uint64_t max_total, spent;
	bool over;
};

static void answer(struct side *s, const struct ipts_sim_ctx *ctx,
		   const struct ipts_ruleset *rs, const struct port *p,
		   struct run *run, struct ipts_result *res)
{
	struct ipts_limits lim = *run->lim;
	struct ipts_query q;
	uint64_t left = run->max_total > run->spent ?
				run->max_total - run->spent :
				0;

	memset(s, 0, sizeof(*s));
	s->loc.src = rs->src; /* the file, no line: until more is known */
	if (left < lim.max_visits)
		lim.max_visits = left;
	port_query(&q,
		   rs->family == IPTS_FAMILY_IPV6 ? NFPROTO_IPV6 : NFPROTO_IPV4,
		   p);
	if (ipts_simulate_limited(ctx, &q, &lim, res) < 0) {
		s->o = IPTS_UNDETERMINED;
		snprintf(s->why, sizeof(s->why), "%s", res->why);
		return;
	}
	run->spent += res->visits;
	run->over |= res->over_budget;
	s->o = res->outcome;
	if (s->o == IPTS_UNDETERMINED) {
		s->possible = res->possible;
		if (res->over_budget)
			snprintf(s->why, sizeof(s->why), "%s", res->budget_why);
		else if (res->nreasons && res->reasons[0].why) {
			s->undet_rule = res->reasons[0].rule;
			snprintf(s->why, sizeof(s->why), "%s",
				 res->reasons[0].why);
		} else
			snprintf(s->why, sizeof(s->why), "%s", res->why);
		return;
	}
	if (is_open(s->o))
		side_at(s, rs, input_passed(res));
	else if (res->decided_pkt >= 0 && res->decided_idx >= 0 &&
		 (unsigned int)res->decided_pkt < res->npackets &&
		 (size_t)res->decided_idx <
			 res->packets[res->decided_pkt].ntrace)
		side_at(s, rs,
			&res->packets[res->decided_pkt].trace[res->decided_idx]);
	else
		side_at(s, rs, NULL);
}

/* One port's two answers: [0] IPv4, [1] IPv6. */
struct cmp {
	struct port p;
	struct side s[2];
	bool done;
};

static const char *const fam_name[2] = { "IPv4 (127.0.0.1)", "IPv6 (::1)" };

/* What a port's two answers make: nothing, a finding (one connects),
 * a note (both closed, not alike), or a note (a side undetermined). */
enum kind {
	K_SAME,
	K_FINDING,
	K_UNLIKE,
	K_UNDET,
};

/* The kind of @c, and the side the diagnostic is at: the closed one of
 * a finding, the one that times out of an unlike pair. */
static enum kind kind_of(const struct cmp *c, int *at)
{
	const struct side *s = c->s;

	*at = 0;
	if (s[0].o == IPTS_UNDETERMINED || s[1].o == IPTS_UNDETERMINED) {
		*at = s[0].o == IPTS_UNDETERMINED ? 0 : 1;
		return K_UNDET;
	}
	if (is_open(s[0].o) != is_open(s[1].o)) {
		*at = is_open(s[0].o) ? 1 : 0;
		return K_FINDING;
	}
	if (s[0].o == s[1].o || is_open(s[0].o))
		return K_SAME;
	*at = s[0].o == IPTS_TIMEOUT || s[0].o == IPTS_DROPPED ? 0 : 1;
	return K_UNLIKE;
}

static bool same_loc(const struct ipts_loc *a, const struct ipts_loc *b)
{
	return a->src == b->src && a->off == b->off && a->line == b->line;
}

/* @b says what @a says, at the same places: one diagnostic for both. */
static bool same_group(const struct cmp *a, const struct cmp *b)
{
	int f;

	if (a->p.proto != b->p.proto)
		return false;
	for (f = 0; f < 2; f++)
		if (a->s[f].o != b->s[f].o ||
		    !same_loc(&a->s[f].loc, &b->s[f].loc))
			return false;
	return true;
}

/* The ports of @c[@i]'s group ("22, 80"), each then done. */
static void ports_text(char *buf, size_t len, struct cmp *c, size_t n, size_t i,
		       size_t *count)
{
	size_t j, used = 0;

	*count = 0;
	buf[0] = '\0';
	for (j = i; j < n; j++) {
		int w;

		if (c[j].done || !same_group(&c[i], &c[j]))
			continue;
		c[j].done = true;
		w = snprintf(buf + used, len - used, "%s%u", *count ? ", " : "",
			     c[j].p.port);
		if (w > 0 && (size_t)w < len - used)
			used += (size_t)w;
		(*count)++;
	}
}

static void open_note(struct ipts_diags *d, const struct side *s, int fam,
		      size_t cnt)
{
	const char *them = cnt > 1 ? "them" : "it";

	if (s->rule)
		ipts_diag_note(d, &s->loc,
			       "%s lets %s in here: rule %u of "
			       "'%s': %.*s",
			       fam_name[fam], them, ipts_rule_num(s->rule),
			       s->rule->chain->name,
			       ipts_rule_text_len(s->rule),
			       ipts_rule_text(s->rule));
	else if (s->chain)
		ipts_diag_note(d, &s->loc,
			       "%s lets %s in here: the policy "
			       "of '%s'",
			       fam_name[fam], them, s->chain->name);
}

static const char *proto_name(uint8_t p)
{
	return p == IPPROTO_TCP ? "tcp" : "udp";
}

/* "connected or timeout": the outcomes @possible holds. */
static void possible_text(char *buf, size_t len, unsigned int possible)
{
	size_t used = 0;
	int o;

	buf[0] = '\0';
	for (o = 0; o < IPTS_UNDETERMINED; o++) {
		int w;

		if (!(possible & (1u << o)))
			continue;
		w = snprintf(buf + used, len - used, "%s%s", used ? " or " : "",
			     ipts_outcome_name((enum ipts_outcome)o));
		if (w > 0 && (size_t)w < len - used)
			used += (size_t)w;
	}
}

static bool code_ignored(const struct ipts_lint_opts *o, const char *code)
{
	size_t i;

	for (i = 0; o && i < o->nignore; i++)
		if (strcmp(o->ignore[i], code) == 0)
			return true;
	return false;
}

static void undet_note(struct ipts_diags *d, const struct cmp *c, int u,
		       const struct ipts_lint_opts *o)
{
	const struct side *s = &c->s[u];
	char may[128];

	if (code_ignored(o, CODE_NOT) ||
	    ipts_lint_rule_ignores(s->undet_rule, CODE_NOT))
		return;
	possible_text(may, sizeof(may), s->possible);
	ipts_diag_add_code(d, IPTS_NOTE,
			   s->undet_rule ? &s->undet_rule->loc : &s->loc,
			   CODE_NOT,
			   "%s port %u not compared across families: %s is "
			   "undetermined%s%s%s: %s",
			   proto_name(c->p.proto), c->p.port, fam_name[u],
			   may[0] ? " (" : "", may, may[0] ? ")" : "", s->why);
}

/* @code is not to be reported at side @s: --ignore, or the deciding
 * rule's "iptsim:ignore". */
static bool ignored(const struct ipts_lint_opts *o, const struct side *s,
		    const char *code)
{
	return code_ignored(o, code) || ipts_lint_rule_ignores(s->rule, code);
}

/* Findings and notes for every compared port, in port order, a port
 * grouped with the later ones that say the same at the same places. */
static size_t report(struct cmp *c, size_t n, const struct ipts_lint_opts *o,
		     struct ipts_diags *d)
{
	char list[512];
	size_t i, cnt, found = 0;

	for (i = 0; i < n; i++) {
		const struct side *s = c[i].s;
		int at;

		if (c[i].done)
			continue;
		switch (kind_of(&c[i], &at)) {
		case K_SAME:
			c[i].done = true;
			break;
		case K_UNDET:
			c[i].done = true;
			undet_note(d, &c[i], at, o);
			break;
		case K_UNLIKE:
			if (ignored(o, &s[at], CODE_UNLIKE)) {
				c[i].done = true;
				break;
			}
			ports_text(list, sizeof(list), c, n, i, &cnt);
			ipts_diag_add_code(
				d, IPTS_NOTE, &s[at].loc, CODE_UNLIKE,
				"%s port%s %s closed on both families "
				"but not alike: %s on %s, %s on %s; a "
				"client that tries %s first waits for "
				"its connect() timeout",
				proto_name(c[i].p.proto), cnt > 1 ? "s" : "",
				list, ipts_outcome_name(s[0].o), fam_name[0],
				ipts_outcome_name(s[1].o), fam_name[1],
				at ? "::1" : "127.0.0.1");
			break;
		case K_FINDING:
			if (ignored(o, &s[at], CODE)) {
				c[i].done = true;
				break;
			}
			ports_text(list, sizeof(list), c, n, i, &cnt);
			ipts_diag_add_code(d, ipts_lint_code_find(CODE)->sev,
					   &s[at].loc, CODE,
					   "%s port%s %s: %s on %s, %s on %s: "
					   "open on one family and closed on "
					   "the other",
					   proto_name(c[i].p.proto),
					   cnt > 1 ? "s" : "", list,
					   ipts_outcome_name(s[!at].o),
					   fam_name[!at],
					   ipts_outcome_name(s[at].o),
					   fam_name[at]);
			open_note(d, &s[!at], !at, cnt);
			found++;
			break;
		}
	}
	return found;
}

size_t ipts_lint_pair(const struct ipts_ruleset *v4,
		      const struct ipts_ruleset *v6,
		      const struct ipts_lint_opts *opts,
		      const struct ipts_limits *lim, uint64_t max_total,
		      struct ipts_diags *d, struct ipts_lint_pair_stats *st)
{
	struct ports *ps = ipts_xcalloc(1, sizeof(*ps));
	struct ipts_sim_ctx *ctx[2];
	const struct ipts_ruleset *rs[2] = { v4, v6 };
	struct run run = { lim, max_total, 0, false };
	struct ipts_result res;
	struct ipts_loc file_loc = { .src = v4->src };
	struct cmp *c;
	size_t i, found;
	int f;

	for (i = 0; i < sizeof(default_tcp) / sizeof(default_tcp[0]); i++)
		add_port(ps, IPPROTO_TCP, default_tcp[i]);
	for (i = 0; i < sizeof(default_udp) / sizeof(default_udp[0]); i++)
		add_port(ps, IPPROTO_UDP, default_udp[i]);
	file_ports(ps, v4);
	file_ports(ps, v6);
	qsort(ps->v, ps->n, sizeof(ps->v[0]), port_cmp);
	for (f = 0; f < 2; f++) {
		ctx[f] = ipts_sim_prepare(rs[f]);
		if (opts && opts->ipsets)
			ipts_sim_use_ipsets(ctx[f], opts->ipsets);
	}
	c = ipts_xcalloc(ps->n ? ps->n : 1, sizeof(*c));
	ipts_result_init(&res);
	/* the run's visits spent: the ports left are not simulated */
	for (i = 0; i < ps->n && run.spent < run.max_total; i++) {
		c[i].p = ps->v[i];
		for (f = 0; f < 2; f++)
			answer(&c[i].s[f], ctx[f], rs[f], &ps->v[i], &run,
			       &res);
	}
	ipts_result_free(&res);
	found = report(c, i, opts, d);
	if (i < ps->n) {
		run.over = true;
		if (!code_ignored(opts, CODE_NOT))
			ipts_diag_add_code(d, IPTS_NOTE, &file_loc, CODE_NOT,
					   "%zu of %zu ports not compared "
					   "across families: the run's rule "
					   "visits (--max-total-visits) are "
					   "spent",
					   ps->n - i, ps->n);
	}
	if (ps->cut && !code_ignored(opts, CODE_NOT))
		ipts_diag_add_code(d, IPTS_NOTE, &file_loc, CODE_NOT,
				   "%zu more ports the files name not compared "
				   "across families: lint compares at most %d",
				   ps->cut, IPTS_LINT_PAIR_MAX_PORTS);
	for (f = 0; f < 2; f++)
		ipts_sim_free(ctx[f]);
	if (st) {
		st->visits = run.spent;
		st->over_budget = run.over;
		st->ports = ps->n;
	}
	free(c);
	free(ps);
	return found;
}
