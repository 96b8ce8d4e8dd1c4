/*
 * simulate.c - the driver, the top of the simulator: one query against a
 * prepared context (prepare.c). It runs the connection (handshake.c) once
 * for each way the rules the file cannot decide may go, forcing walk
 * after walk the choices the last one met (record.c), and sums up the
 * ways into the result: its outcome, reasons and the first way's path.
 * Calls go down only: simulate -> handshake -> walk -> target/nat/match
 * -> record.
 */
#include "walk_int.h"	/* first: glibc headers before the uapi ones */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "ipset.h"

#include <arpa/inet.h>
#include <netinet/in.h>

struct sim_priv {
	struct ipts_packet pkts[IPTS_MAX_PACKETS];
	struct ipts_memo memo;
	/* The jump stack, kept for the next query: a frame is written when
	 * pushed, so it is never cleared (a table of 16,000 chains made
	 * zeroing it the larger part of a query). */
	struct ipts_frame *stack;
	unsigned int stack_cap;
	/* The words of a routing decision the host could not make: a
	 * reason points at them, so they live as long as the result. */
	char route_why[208];
	/* -j SET: the connection's sets (setstate.c), kept for the next
	 * query on the same sets. */
	struct ipts_ipset_state *sets;
};

void ipts_limits_init(struct ipts_limits *lim)
{
	lim->max_visits = IPTS_DEFAULT_MAX_VISITS;
	lim->max_trace_lines = IPTS_DEFAULT_MAX_TRACE_LINES;
	lim->budget_name = NULL;
}

void ipts_query_init(struct ipts_query *q)
{
	memset(q, 0, sizeof(*q));
	q->proto = IPPROTO_TCP;
	q->family = NFPROTO_IPV4;
	q->src.ip = htonl(INADDR_LOOPBACK);
	q->dst.ip = htonl(INADDR_LOOPBACK);
	q->sport = 40000;
	q->dport = 1060;
	q->conntrack = IPTS_CT_AUTO;
}

void ipts_result_init(struct ipts_result *res)
{
	memset(res, 0, sizeof(*res));
	res->decided_pkt = -1;
	res->decided_idx = -1;
}

static void packets_free(struct ipts_packet *v)
{
	unsigned int i;

	for (i = 0; i < IPTS_MAX_PACKETS; i++) {
		free(v[i].trace);
		free(v[i].ev);
		free(v[i].passed);
	}
}

void ipts_result_free(struct ipts_result *res)
{
	struct sim_priv *priv = res->priv;

	packets_free(res->packets);
	if (priv) {
		packets_free(priv->pkts);
		ipts_memo_free(&priv->memo);
		ipts_ipset_state_free(priv->sets);
		free(priv->stack);
		free(priv);
	}
	free(res->reasons);
	free(res->set_changes);
	free(res->sets_after);
	ipts_result_init(res);
}

static void add_reason(struct ipts_result *res, const struct ipts_rule *r,
		       const char *why, bool changes)
{
	size_t i;

	for (i = 0; i < res->nreasons; i++) {
		if (res->reasons[i].rule == r &&
		    strcmp(res->reasons[i].why, why) == 0) {
			res->reasons[i].changes_outcome |= changes;
			return;
		}
	}
	if (res->nreasons == res->reasons_cap)
		res->reasons = ipts_grow(res->reasons, &res->reasons_cap,
					 sizeof(*res->reasons));
	res->reasons[res->nreasons].rule = r;
	res->reasons[res->nreasons].why = why;
	res->reasons[res->nreasons].changes_outcome = changes;
	res->nreasons++;
}

/* Whether choice @k repeats an earlier one: a resent SYN meets the rule
 * that its first walk met, with the same answer. */
static bool met_seen(const struct ipts_sim *s, unsigned int k)
{
	unsigned int j;

	for (j = 0; j < k; j++)
		if (s->met_rule[j] == s->met_rule[k] &&
		    s->arity[j] == s->arity[k] &&
		    s->met_yes[j] == s->met_yes[k] &&
		    s->met_lo[j] == s->met_lo[k] &&
		    s->met_hi[j] == s->met_hi[k] &&
		    strcmp(s->met_pkt[j], s->met_pkt[k]) == 0)
			return true;
	return false;
}

/* Remember how this walk reached @o: its words, and its choices. */
static void add_way(struct ipts_result *res, const struct ipts_sim *s,
		    enum ipts_outcome o, const char *why)
{
	char *w = res->ways[res->nways].why;
	size_t len = sizeof(res->ways[0].why), n;
	unsigned int k;
	bool any = false;

	res->ways[res->nways].outcome = o;
	n = snprintf(w, len, "%s", o == IPTS_UNDETERMINED && s->unmodelled_why ?
		     s->unmodelled_why : why);
	for (k = 0; k < s->nmet && n < len; k++) {
		const struct ipts_rule *r = s->met_rule[k];

		if (s->arity[k] == 2 && !s->met_yes[k])
			continue;
		if (met_seen(s, k))
			continue;
		if (s->arity[k] == 2)
			n += snprintf(w + n, len - n, "%s%s:%u matches the %s",
				      any ? ", " : " (if ",
				      r->loc.src ? r->loc.src->name : "?",
				      r->loc.line, s->met_pkt[k]);
		else
			n += snprintf(w + n, len - n, "%s%s:%u picks a port "
				      "in %u-%u", any ? ", " : " (if ",
				      r->loc.src ? r->loc.src->name : "?",
				      r->loc.line, s->met_lo[k], s->met_hi[k]);
		any = true;
	}
	if (any && n < len)
		snprintf(w + n, len - n, ")");
	res->nways++;
}

static bool addr_is_local(const struct ipts_query *q,
			  const union nf_inet_addr *a)
{
	unsigned int i;

	if (q->family == NFPROTO_IPV6 ? IN6_IS_ADDR_LOOPBACK(&a->in6) :
					(ntohl(a->ip) >> 24) == 127)
		return true;
	for (i = 0; i < q->nlocal && i < IPTS_QUERY_MAX_LOCAL; i++)
		if (ipts_addr_eq(&q->local_addrs[i], a))
			return true;
	return false;
}

static void host_setup(struct ipts_sim *s, const struct ipts_query *q)
{
	unsigned int i, n = 0;

	for (i = 0; i < q->nlocal && i < IPTS_QUERY_MAX_LOCAL; i++)
		s->local[n++] = q->local_addrs[i];
	s->local[n++] = q->src;
	s->local[n++] = q->dst;
	s->host.local_addrs = s->local;
	s->host.nlocal = n;
	s->host.family = q->family;
	s->host.fresh = q->fresh;
	s->host.gid_read = &s->gid_read;
	s->host.desc = s->ctx->hostdesc;
	s->host.ipsets = s->ctx->ipsets;
	s->host.ipsets_changed = s->ctx->ipsets_changed;
}

static void run_reset(struct ipts_sim *s, struct ipts_packet *pkts)
{
	memset(&s->conn, 0, sizeof(s->conn));
	s->conn_confirmed = false;
	s->nat_done = 0;
	s->tcp_state = IPTS_TCP_NONE;
	memset(&s->rport, 0, sizeof(s->rport));
	s->pkts = pkts;
	s->npkts = 0;
	s->facts.n = s->facts.dropped = 0;
	s->route_text[0] = '\0';
	s->path = IPTS_PATH_LOCAL;
	s->path_stop[0] = '\0';
	s->cur = NULL;
	s->nmet = 0;
	s->undecided_why = NULL;
	s->nevals = 0;
	s->now_ms = 0;
	s->resends_walked = false;
	s->nrecent = 0;
	s->recent_lost = false;
	s->too_deep = false;
	s->unmodelled = NULL;
	s->unmodelled_why = NULL;
	memset(&s->reply, 0, sizeof(s->reply));
	s->attached = false;
	s->nfct_stub = false;
}

/* The host facts read over every way explored, each key once. */
static void facts_copy(struct ipts_result *res, const struct ipts_host_facts *f)
{
	const unsigned int max = sizeof(res->facts) / sizeof(res->facts[0]);
	unsigned int i, k;

	for (i = 0; i < f->n && i < IPTS_HOST_FACTS_MAX; i++) {
		for (k = 0; k < res->nfacts; k++)
			if (strcmp(res->facts[k].key, f->v[i].key) == 0)
				break;
		if (k < res->nfacts || res->nfacts == max)
			continue;
		snprintf(res->facts[k].key, sizeof(res->facts[k].key), "%s",
			 f->v[i].key);
		res->facts[k].value = f->v[i].value;
		res->facts[k].given = f->v[i].given;
		res->nfacts++;
	}
}

/*
 * Whether @q can be asked of @ctx's host; else res->why says why. Without
 * a described host both ends are local (127/8, --local-addr); with one,
 * the client is a process of the host (its source one of the host's
 * addresses) or, with --in, another host behind one of its interfaces,
 * and the server is anywhere the routes lead.
 */
static bool query_ok(const struct ipts_sim_ctx *ctx, const struct ipts_query *q,
		     struct ipts_result *res)
{
	const struct ipts_hostdesc *h = ctx->hostdesc;
	char a[INET6_ADDRSTRLEN];

	if (q->family != ctx->rs->family) {
		snprintf(res->why, sizeof(res->why),
			 "the query is %s and the ruleset %s: a query's "
			 "addresses must be of the file's family",
			 q->family == NFPROTO_IPV6 ? "IPv6" : "IPv4",
			 ctx->rs->family == IPTS_FAMILY_IPV6 ? "IPv6" : "IPv4");
		return false;
	}
	if (!h) {
		if (q->in) {
			snprintf(res->why, sizeof(res->why),
				 "--in %s: a client on another host needs a "
				 "described host (--host, --iface)",
				 q->in);
			return false;
		}
		if (addr_is_local(q, &q->src) && addr_is_local(q, &q->dst))
			return true;
		ipts_fmt_inet(a, sizeof(a), q->family,
			      addr_is_local(q, &q->src) ? &q->dst : &q->src,
			      -1);
		snprintf(res->why, sizeof(res->why),
			 "%s is not an address of "
			 "this host: only local connections are simulated "
			 "(declare it with --local-addr)",
			 a);
		return false;
	}
	if (q->in) {
		const struct ipts_host_iface *f = ipts_hostdesc_iface(h, q->in);

		if (!f) {
			snprintf(res->why, sizeof(res->why),
				 "--in %s: the host has no such interface",
				 q->in);
			return false;
		}
		if (f->bridge_port) {
			snprintf(res->why, sizeof(res->why),
				 "--in %s: a port of bridge %s, whose packets "
				 "iptables sees on %s (bridged traffic, "
				 "br_netfilter, is not simulated): ask with "
				 "--in %s",
				 q->in, f->master, f->master, f->master);
			return false;
		}
		return true;
	}
	if (q->family == NFPROTO_IPV6) {
		if (ipts_host6_addr_type(h, &q->src.in6) == IPTS_RTN_LOCAL)
			return true;
		ipts_fmt_inet(a, sizeof(a), q->family, &q->src, -1);
	} else if ((ntohl(q->src.ip) >> 24) == 127 ||
		   ipts_host_addr_type(h, q->src.ip) == IPTS_RTN_LOCAL) {
		return true;
	} else {
		ipts_fmt_addr(a, sizeof(a), q->src.ip, -1);
	}
	snprintf(res->why, sizeof(res->why),
		 "%s is not an address of the host: a local client's source "
		 "must be one (a client on another host: --in IFACE)",
		 a);
	return false;
}

int ipts_simulate(const struct ipts_sim_ctx *ctx, const struct ipts_query *q,
		  struct ipts_result *res)
{
	return ipts_simulate_limited(ctx, q, NULL, res);
}

int ipts_simulate_limited(const struct ipts_sim_ctx *ctx,
			  const struct ipts_query *q,
			  const struct ipts_limits *lim,
			  struct ipts_result *res)
{
	struct ipts_limits dflt;
	struct ipts_query eq;
	struct sim_priv *priv = res->priv;
	struct ipts_sim s;
	struct ipts_ipset_state *sets = NULL;
	bool incomplete = false, first = true;
	unsigned int branch, k, nout = 0;
	int o;

	res->outcome = IPTS_UNDETERMINED;
	res->decided_pkt = -1;
	res->decided_idx = -1;
	res->why[0] = '\0';
	res->npackets = 0;
	res->nreasons = 0;
	res->possible = 0;
	res->nways = 0;
	res->branches = 0;
	res->incomplete = false;
	res->visits = 0;
	res->over_budget = false;
	res->budget_why[0] = '\0';
	res->gid_read = 0;
	res->path = IPTS_PATH_LOCAL;
	res->stopped[0] = '\0';
	res->route[0] = '\0';
	res->nfacts = 0;
	res->sets_tracked = false;
	res->nset_changes = 0;
	free(res->sets_after);
	res->sets_after = NULL;
	if (!lim) {
		ipts_limits_init(&dflt);
		lim = &dflt;
	}
	res->max_visits = lim->max_visits;
	if (q->proto != IPPROTO_TCP && q->proto != IPPROTO_UDP) {
		snprintf(res->why, sizeof(res->why),
			 "only tcp and udp are simulated");
		return -1;
	}
	if (!query_ok(ctx, q, res))
		return -1;
	eq = *q;
	if (ctx->hostdesc && !q->in && !(q->given & IPTS_QGIVEN_SRC) &&
	    q->family == NFPROTO_IPV6) {
		struct ipts_fib6_flow fl = {
			.daddr = q->dst.in6,
			.oif = q->dst_zone[0] ? q->dst_zone : NULL,
		};
		struct ipts_fib6_result f;

		ipts_fib6_route_output(ctx->hostdesc, &fl, &f, NULL);
		if (f.status == IPTS_FIB_OK && !f.err && f.has_src)
			eq.src.in6 = f.src;
	} else if (ctx->hostdesc && !q->in && !(q->given & IPTS_QGIVEN_SRC)) {
		struct ipts_fib_flow fl = { .daddr = q->dst.ip };
		struct ipts_fib_result f;

		ipts_fib_route_output(ctx->hostdesc, &fl, &f, NULL);
		if (f.status == IPTS_FIB_OK && f.src)
			eq.src = ipts_addr4(f.src);
	}
	q = &eq;
	res->src = q->src;
	res->family = q->family;
	if (!priv) {
		priv = ipts_xcalloc(1, sizeof(*priv));
		res->priv = priv;
	}

	ipts_memo_clear(&priv->memo);
	if (ctx->ipsets &&
	    (ctx->ipsets_changed || (q->fresh && ctx->ipsets_counted) ||
	     (q->family == NFPROTO_IPV6 && ctx->ipsets_timed))) {
		if (!ipts_ipset_state_of(priv->sets, ctx->ipsets)) {
			ipts_ipset_state_free(priv->sets);
			priv->sets = ipts_ipset_state_new(ctx->ipsets);
		}
		sets = priv->sets;
	}

	memset(&s, 0, sizeof(s));
	s.ctx = ctx;
	s.rs = ctx->rs;
	s.rows = ctx->rows;
	s.q = q;
	s.max_visits = lim->max_visits;
	s.budget_name = lim->budget_name;
	s.max_lines = lim->max_trace_lines ? lim->max_trace_lines : 1;
	s.budget_why = res->budget_why;
	s.budget_why_len = sizeof(res->budget_why);
	s.memo = &priv->memo;
	s.route_why = priv->route_why;
	host_setup(&s, q);
	s.conntrack = q->conntrack == IPTS_CT_ON ||
		      (q->conntrack == IPTS_CT_AUTO &&
		       ctx->needs_conntrack);
	res->conntrack = s.conntrack;
	if (ctx->stacksize > priv->stack_cap) {
		free(priv->stack);
		priv->stack = ipts_xmalloc((size_t)ctx->stacksize *
					   sizeof(*priv->stack));
		priv->stack_cap = ctx->stacksize;
	}
	s.stack = priv->stack;

	for (branch = 0; branch < IPTS_MAX_BRANCHES; branch++) {
		char why[sizeof(res->why)];
		int dpkt = -1;
		long didx = -1;

		run_reset(&s, first ? res->packets : priv->pkts);
		ipts_setstate_begin(&s, sets);
		o = ipts_handshake_run(&s, why, sizeof(why), &dpkt, &didx);
		if (s.unmodelled_why) {
			o = IPTS_UNDETERMINED;
			add_reason(res, s.unmodelled, s.unmodelled_why, true);
		} else if (o == IPTS_TIMEOUT && s.sets_compared &&
			   !s.resends_walked) {
			/* set counters: the SYN or SYN-ACK dropped is sent
			 * again and counted again, and a resend was not
			 * walked (an answer to the SYN or SYN-ACK, dropped
			 * by a rule that counted): its answer may be
			 * another one */
			static const enum ipts_outcome retry[] = {
				IPTS_CONNECTED,
				IPTS_REFUSED,
			};

			add_reason(res, s.sets_compared,
				   "-m set counters: a dropped packet is sent "
				   "again and counted again (resends after a "
				   "dropped RST or a rejected SYN-ACK are not "
				   "walked), which may answer it otherwise",
				   true);
			for (k = 0; k < 2; k++) {
				if (res->possible & (1u << retry[k]))
					continue;
				add_way(res, &s, retry[k],
					"a resend of the dropped packet not "
					"walked, counted again, may meet other "
					"counters");
				res->possible |= 1u << retry[k];
			}
		}
		if (s.too_deep)
			incomplete = true;
		res->branches++;
		res->visits = s.visits;
		facts_copy(res, &s.facts);
		for (k = 0; k < s.nmet; k++)
			add_reason(res, s.met_rule[k], s.met_why[k], false);
		if (!(res->possible & (1u << o)))
			add_way(res, &s, o, why);
		res->possible |= 1u << o;
		if (first) {
			res->outcome = o;
			res->npackets = s.npkts;
			res->decided_pkt = dpkt;
			res->decided_idx = didx;
			snprintf(res->why, sizeof(res->why), "%s", why);
			res->path = s.path;
			ipts_setstate_report(&s, res);
			snprintf(res->stopped, sizeof(res->stopped), "%s",
				 s.path == IPTS_PATH_NONE ? s.path_stop : "");
			snprintf(res->route, sizeof(res->route), "%s",
				 s.route_text);
			first = false;
		}
		/* Past the budget: no more ways (each would stop at once). */
		if (s.over_budget) {
			res->over_budget = true;
			incomplete = true;
			break;
		}
		/* Next branch: the last choice with a way left takes it. */
		for (k = s.nforced; k < s.nmet; k++)
			s.choice[k] = 0;
		for (k = s.nmet; k > 0; k--)
			if (s.choice[k - 1] + 1u < s.arity[k - 1])
				break;
		if (k == 0)
			break;
		s.choice[k - 1]++;
		s.nforced = k;
		if (branch + 1 == IPTS_MAX_BRANCHES)
			incomplete = true;
	}
	res->gid_read = s.gid_read;
	res->incomplete = incomplete;

	for (o = 0; o < IPTS_OUTCOME_COUNT; o++)
		if (res->possible & (1u << o))
			nout++;
	if (nout > 1 || incomplete ||
	    (res->possible & (1u << IPTS_UNDETERMINED))) {
		size_t i;

		res->outcome = IPTS_UNDETERMINED;
		for (i = 0; i < res->nreasons; i++)
			if (!res->reasons[i].rule ||
			    !ipts_rule_effect_free(res->reasons[i].rule))
				res->reasons[i].changes_outcome = true;
		if (incomplete && !res->over_budget)
			add_reason(res, NULL, "too many rules the file cannot "
				   "decide to explore every way", true);
	}
	return 0;
}
