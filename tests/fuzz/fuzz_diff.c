/*
 * fuzz_diff.c - libFuzzer entry point for diff: the input is OLD, or OLD
 * and NEW separated by a line "#--NEW--" (a comment to the parser, so each
 * half is still a rules file). The connections analysis/probe.c derives (at
 * most DIFF_MAX) are walked through both, each walk within a budget of
 * rule visits (DIFF_VISITS) and trace lines, as `iptsim diff` does with
 * --max-visits.
 *
 * What must hold: no crash, hang, leak or sanitizer report; every answer
 * is well-formed (a definite outcome is among the possible ones, an
 * undetermined one has a reason); no walk overspends its budget, a budget
 * hit is undetermined with its sentence; and a file compared with itself
 * (no separator) gives the same answer on both sides for every
 * connection: the simulation is deterministic and the memo changes no
 * answer.
 *
 * Built like fuzz_parse.c: with clang -fsanitize=fuzzer by
 * tests/fuzz/run.sh, and with the normal compiler next to replay.c.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "diag.h"
#include "model.h"
#include "parser.h"
#include "probe.h"
#include "sim.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define DIFF_MAX 32
#define DIFF_VISITS 20000
#define SEPARATOR "\n#--NEW--\n"

static void broken(const struct ipts_result *res, const char *what)
{
	fprintf(stderr, "fuzz_diff: %s (outcome %d, possible 0x%x, %zu "
		"reasons, %llu visits): %s\n", what, (int)res->outcome,
		res->possible, res->nreasons,
		(unsigned long long)res->visits, res->why);
	abort();
}

static void check_result(const struct ipts_result *res,
			 const struct ipts_limits *lim)
{
	if (res->outcome >= IPTS_OUTCOME_COUNT)
		broken(res, "no such outcome");
	if (res->visits > lim->max_visits)
		broken(res, "budget overspent");
	if (res->over_budget && (res->outcome != IPTS_UNDETERMINED ||
				 !strstr(res->budget_why, "rule visits")))
		broken(res, "a budget hit that is not undetermined");
	if (res->outcome == IPTS_UNDETERMINED && res->nreasons == 0)
		broken(res, "undetermined without a reason");
	if (res->outcome != IPTS_UNDETERMINED &&
	    !(res->possible & (1u << res->outcome)))
		broken(res, "a definite outcome it says is impossible");
}

static struct ipts_ruleset *load(const char *name, const uint8_t *data,
				 size_t size, struct ipts_source **src)
{
	struct ipts_parse_opts opts = { .counters = false };
	struct ipts_diags d = { 0 };
	struct ipts_ruleset *rs;

	*src = ipts_source_from_mem(name, (const char *)data, size);
	rs = ipts_parse(*src, &opts, &d);
	ipts_diags_free(&d);
	return rs;
}

static const uint8_t *find_sep(const uint8_t *data, size_t size)
{
	size_t n = strlen(SEPARATOR), i;

	for (i = 0; i + n <= size; i++)
		if (memcmp(data + i, SEPARATOR, n) == 0)
			return data + i;
	return NULL;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const struct ipts_probe_opts popts = { .max = DIFF_MAX };
	struct ipts_source *osrc = NULL, *nsrc = NULL;
	struct ipts_ruleset *old_rs, *new_rs = NULL;
	struct ipts_probe_set set = { 0 };
	const uint8_t *sep = find_sep(data, size);
	struct ipts_sim_ctx *old_ctx, *new_ctx;
	struct ipts_result o, n;
	struct ipts_limits lim;
	size_t i;

	old_rs = load("old.rules", data, sep ? (size_t)(sep - data) : size,
		      &osrc);
	if (old_rs && sep)
		new_rs = load("new.rules", sep + 1,
			      size - (size_t)(sep + 1 - data), &nsrc);
	if (!old_rs || (sep && !new_rs))
		goto out;
	ipts_limits_init(&lim);
	lim.max_visits = DIFF_VISITS;
	lim.max_trace_lines = 64;
	old_ctx = ipts_sim_prepare(old_rs);
	new_ctx = sep ? ipts_sim_prepare(new_rs) : NULL;
	ipts_result_init(&o);
	ipts_result_init(&n);
	ipts_probe_derive(old_rs, sep ? new_rs : old_rs, &popts, &set);
	if (set.n > DIFF_MAX)
		broken(&o, "more connections than asked for");
	for (i = 0; i < set.n; i++) {
		const struct ipts_query *q = &set.q[i];
		int ro, rn;

		ro = ipts_simulate_limited(old_ctx, q, &lim, &o);
		rn = ipts_simulate_limited(sep ? new_ctx : old_ctx, q, &lim,
					   &n);
		if (ro == 0)
			check_result(&o, &lim);
		if (rn == 0)
			check_result(&n, &lim);
		if (!sep && (ro != rn || (ro == 0 &&
		    (o.outcome != n.outcome || o.possible != n.possible ||
		     o.visits != n.visits))))
			broken(&n, "a file compared with itself differs");
	}
	ipts_result_free(&o);
	ipts_result_free(&n);
	ipts_sim_free(new_ctx);
	ipts_sim_free(old_ctx);
	ipts_probe_set_free(&set);
out:
	ipts_ruleset_free(new_rs);
	ipts_ruleset_free(old_rs);
	ipts_source_free(nsrc);
	ipts_source_free(osrc);
	return 0;
}
