/*
 * fuzz_lint.c - libFuzzer entry point for lint: any bytes that load as a
 * ruleset through ipts_lint_ruleset_stats(), with a budget of rule
 * comparisons per input (LINT_BUDGET), as `iptsim lint --max-visits` sets
 * one, so that a fuzzed chain of thousands of disjoint rules costs
 * milliseconds, not seconds.
 *
 * What must hold: no crash, hang, leak or sanitizer report; the count of
 * findings is the number of diagnostics with a code; each finding's code
 * is a documented one; the budget is never overspent, and when it ran out
 * exactly one warning without a code says where lint stopped.
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
#include "lint.h"
#include "model.h"
#include "parser.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define LINT_BUDGET 200000

static void broken(const char *what)
{
	fprintf(stderr, "fuzz_lint: %s\n", what);
	abort();
}

static void check_lint(const struct ipts_diags *d, size_t nfound,
		       const struct ipts_lint_stats *st)
{
	size_t i, coded = 0, stops = 0;

	for (i = 0; i < d->n; i++) {
		const struct ipts_diag *g = &d->v[i];

		if (g->code) {
			/* a code's severity, or a note (IPT004 and IPT005 on a
			 * generator's hook chain) */
			if (!ipts_lint_code_find(g->code) ||
			    (ipts_lint_code_find(g->code)->sev != g->sev &&
			     g->sev != IPTS_NOTE))
				broken("a finding with an undocumented code");
			coded++;
		} else if (g->sev == IPTS_WARNING &&
			   strstr(g->msg, "lint stopped comparing rules")) {
			stops++;
		}
	}
	if (coded != nfound)
		broken("findings counted differ from the coded diagnostics");
	if (st->visits > st->max_visits)
		broken("budget overspent");
	if (st->over_budget != (stops == 1) || stops > 1)
		broken("budget ran out without exactly one warning");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ipts_parse_opts opts = { .counters = false };
	struct ipts_lint_opts lo = { .max_visits = LINT_BUDGET,
				     .budget_name = "fuzz" };
	struct ipts_diags d = { 0 }, found = { 0 };
	struct ipts_lint_stats st;
	struct ipts_source *src;
	struct ipts_ruleset *rs;
	size_t n;

	src = ipts_source_from_mem("fuzz.rules", (const char *)data, size);
	rs = ipts_parse(src, &opts, &d);
	if (rs) {
		n = ipts_lint_ruleset_stats(rs, &lo, &found, &st);
		check_lint(&found, n, &st);
	}
	ipts_ruleset_free(rs);
	ipts_diags_free(&found);
	ipts_diags_free(&d);
	ipts_source_free(src);
	return 0;
}
