/*
 * fuzz_walk.c - libFuzzer entry point for the simulator: any bytes that
 * load as a ruleset, then a connection through it. The query comes from
 * the input too (a hash of its bytes picks protocol, ports, uids, the
 * listener, conntrack and --fresh), so mutating the rules also moves the
 * packet around.
 *
 * What must hold: no crash, hang, leak or sanitizer report; the answer is
 * one of the documented outcomes; a definite answer is among the possible
 * ones, an undetermined one names at least two possible outcomes (or any,
 * when a QUEUE's program decides) and the rules it depends on. Each walk
 * has a budget (WALK_VISITS rule visits, WALK_LINES trace lines a packet,
 * as trace --max-visits and --max-trace-lines set them), never overspent;
 * a packet's kept lines stay within it. And the memo of chain calls that
 * takes over once a path is cut changes nothing: the same walk with room
 * for every line (no cut, no memo) ends the same way, with the same count
 * of lines for each packet and the same last line, whenever neither ran
 * out of visits.
 *
 * Built like fuzz_parse.c: with clang -fsanitize=fuzzer by
 * tests/fuzz/run.sh, and with the normal compiler next to replay.c.
 */
#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "diag.h"
#include "model.h"
#include "parser.h"
#include "sim.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define WALK_VISITS 200000
#define WALK_LINES 256

static uint32_t fnv(const uint8_t *p, size_t n)
{
	uint32_t h = 2166136261u;

	while (n--)
		h = (h ^ *p++) * 16777619u;
	return h;
}

static void query_from(struct ipts_query *q, uint32_t h, bool v6)
{
	static const uint16_t ports[] = { 1060, 22, 80, 443, 53, 2000 };
	static const uint32_t uids[] = { 0, 1000, 1001, 65534 };

	ipts_query_init(q);
	q->proto = (h & 1) ? IPPROTO_UDP : IPPROTO_TCP;
	q->dport = ports[(h >> 1) % 6];
	q->sport = (h & 0x80) ? 40000 : (uint16_t)(1024 + ((h >> 8) & 0x3ff));
	q->uid = uids[(h >> 4) & 3];
	q->gid = q->uid;
	q->server_uid = uids[(h >> 6) & 3];
	q->server_gid = q->server_uid;
	q->no_listener = (h >> 18) & 1;
	q->conntrack = (enum ipts_ct_mode)((h >> 19) % 3);
	q->fresh = (h >> 21) & 1;
	if (v6) {
		/* an IPv6 file: ::1 to ::1, as trace asks it */
		q->family = NFPROTO_IPV6;
		memset(&q->src, 0, sizeof(q->src));
		q->src.in6 = in6addr_loopback;
		q->dst = q->src;
	} else if ((h >> 22) & 1) {
		q->dst.ip = htonl(0x7f000002); /* 127.0.0.2, still local */
	}
}

static void broken(const struct ipts_result *res, const char *what)
{
	fprintf(stderr, "fuzz_walk: %s (outcome %d, possible 0x%x, %zu "
		"reasons): %s\n", what, (int)res->outcome, res->possible,
		res->nreasons, res->why);
	abort();
}

static void check_result(const struct ipts_result *res)
{
	unsigned int n = 0, o;

	if (res->outcome >= IPTS_OUTCOME_COUNT)
		broken(res, "no such outcome");
	for (o = 0; o < IPTS_OUTCOME_COUNT; o++)
		if (res->possible & (1u << o))
			n++;
	if (res->outcome == IPTS_UNDETERMINED) {
		/* Two outcomes or more, or "any" (a QUEUE's program decides),
		 * or ways left unexplored, and the rules responsible. */
		if ((n < 2 && !res->incomplete &&
		     !(res->possible & (1u << IPTS_UNDETERMINED))) ||
		    res->nreasons == 0)
			broken(res, "undetermined without two outcomes and a "
			       "reason");
	} else if (!(res->possible & (1u << res->outcome))) {
		broken(res, "a definite outcome it says is impossible");
	}
	if (res->npackets > IPTS_MAX_PACKETS)
		broken(res, "too many packets");
	if (res->visits > WALK_VISITS)
		broken(res, "budget overspent");
	if (res->over_budget && res->outcome != IPTS_UNDETERMINED)
		broken(res, "a budget hit that is not undetermined");
	if (res->incomplete && res->outcome != IPTS_UNDETERMINED)
		broken(res, "ways unexplored, yet a definite outcome");
	for (o = 0; o < res->npackets; o++)
		if (res->packets[o].ntrace > WALK_LINES ||
		    (res->packets[o].trace_omitted &&
		     res->packets[o].ntrace != WALK_LINES))
			broken(res, "a trace past its budget of lines");
}

/* @a (cut paths, memo) and @b (whole paths) say the same. */
static void check_memo(const struct ipts_result *a,
		       const struct ipts_result *b)
{
	unsigned int i;

	if (a->over_budget || b->over_budget)
		return;
	if (a->outcome != b->outcome || a->possible != b->possible ||
	    a->npackets != b->npackets)
		broken(a, "the memo changed the answer");
	for (i = 0; i < a->npackets; i++) {
		const struct ipts_packet *x = &a->packets[i];
		const struct ipts_packet *y = &b->packets[i];
		const struct ipts_trace *lx, *ly;

		if (y->trace_omitted ||
		    x->ntrace + x->trace_omitted != y->ntrace ||
		    x->verdict != y->verdict)
			broken(a, "the memo changed a path's length");
		if (!x->ntrace)
			continue;
		lx = &x->trace[x->ntrace - 1];
		ly = &y->trace[y->ntrace - 1];
		if (lx->chain != ly->chain || lx->rule != ly->rule ||
		    lx->num != ly->num || lx->type != ly->type ||
		    lx->kernel_logged != ly->kernel_logged)
			broken(a, "the memo changed a path's last line");
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ipts_parse_opts opts = { .counters = false };
	struct ipts_diags d = { 0 };
	struct ipts_source *src;
	struct ipts_ruleset *rs;
	struct ipts_query q;
	struct ipts_result res;
	struct ipts_limits lim;

	src = ipts_source_from_mem("fuzz.rules", (const char *)data, size);
	rs = ipts_parse(src, &opts, &d);
	if (rs) {
		struct ipts_sim_ctx *ctx = ipts_sim_prepare(rs);

		query_from(&q, fnv(data, size), rs->family == IPTS_FAMILY_IPV6);
		ipts_result_init(&res);
		ipts_limits_init(&lim);
		lim.max_visits = WALK_VISITS;
		lim.max_trace_lines = WALK_LINES;
		if (ipts_simulate_limited(ctx, &q, &lim, &res) == 0) {
			struct ipts_result whole;

			check_result(&res);
			ipts_result_init(&whole);
			lim.max_trace_lines = WALK_VISITS + 1;
			if (ipts_simulate_limited(ctx, &q, &lim, &whole) == 0)
				check_memo(&res, &whole);
			ipts_result_free(&whole);
		}
		ipts_result_free(&res);
		ipts_sim_free(ctx);
	}
	ipts_ruleset_free(rs);
	ipts_diags_free(&d);
	ipts_source_free(src);
	return 0;
}
