/*
 * walk_bench.c - the time of one simulation alone, the ruleset already
 * loaded: `walk_bench FILE [N] [trace options as dport=N uid=U ...]`.
 * Prints the load time, the mean time of ipts_simulate() over N runs (the
 * context prepared once, outside the timing, as query does), and per
 * packet walked. Not a test: bench/run.sh prints its figures.
 */
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "diag.h"
#include "arena.h"
#include "model.h"
#include "parser.h"
#include "sim.h"

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	struct ipts_parse_opts opts = { .counters = false };
	struct ipts_diags d = { 0 };
	struct ipts_source *src;
	struct ipts_ruleset *rs;
	struct ipts_sim_ctx *ctx;
	struct ipts_query q;
	struct ipts_result res;
	unsigned long n = 200, i, packets = 0, entries = 0;
	double t0, t1, t2;
	int k;

	if (argc < 2) {
		fputs("usage: walk_bench FILE [N] [dport=N] [uid=U] [udp]\n",
		      stderr);
		return 2;
	}
	if (argc > 2)
		n = strtoul(argv[2], NULL, 10);
	ipts_query_init(&q);
	for (k = 3; k < argc; k++) {
		if (strncmp(argv[k], "dport=", 6) == 0)
			q.dport = (uint16_t)atoi(argv[k] + 6);
		else if (strncmp(argv[k], "uid=", 4) == 0)
			q.uid = (uint32_t)atoi(argv[k] + 4);
		else if (strcmp(argv[k], "udp") == 0)
			q.proto = IPPROTO_UDP;
	}
	src = ipts_source_read(argv[1]);
	if (!src) {
		perror(argv[1]);
		return 2;
	}
	t0 = now();
	rs = ipts_parse(src, &opts, &d);
	t1 = now();
	if (!rs) {
		fprintf(stderr, "%s does not load\n", argv[1]);
		return 1;
	}
	ctx = ipts_sim_prepare(rs);
	for (i = 0; i < n; i++) {
		unsigned int p;

		ipts_result_init(&res);
		if (ipts_simulate(ctx, &q, &res) < 0) {
			fprintf(stderr, "query refused: %s\n", res.why);
			return 2;
		}
		if (i == 0) {
			packets = res.npackets;
			for (p = 0; p < res.npackets; p++)
				entries += res.packets[p].ntrace;
			printf("outcome: %s, %lu packets, %lu trace entries, "
			       "%u ways\n", ipts_outcome_name(res.outcome),
			       packets, entries, res.branches);
		}
		ipts_result_free(&res);
	}
	t2 = now();
	printf("model: %.1f MB in the arena\n",
	       (double)ipts_arena_size(rs->arena) / 1e6);
	printf("rules: %zu\nload: %.3f s\nsimulate: %.3f ms\n"
	       "per packet walk: %.3f ms\n", rs->nrules, t1 - t0,
	       (t2 - t1) * 1e3 / (double)n,
	       packets ? (t2 - t1) * 1e3 / (double)n / (double)packets : 0.0);
	ipts_sim_free(ctx);
	ipts_ruleset_free(rs);
	ipts_diags_free(&d);
	ipts_source_free(src);
	return 0;
}
