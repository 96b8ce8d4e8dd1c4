/*
 * cmd_lint.c - `iptsim lint FILE...`: review findings (analysis/lint.c) on
 * each file that loads, as text, JSON or SARIF. Exit 1 when any finding
 * remains after suppression, 0 when none, 2 on a usage error or a file
 * that cannot be read or does not load.
 */
#include "cli.h"
#include "host_opts.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "diag.h"
#include "input.h"
#include "json.h"
#include "lint.h"
#include "model.h"
#include "parser.h"
#include "report.h"
#include "sarif.h"

static const char usage_text[] =
	"usage: iptsim lint [--format text|json|sarif] [--ignore CODE]...\n"
	"                   [--color WHEN] [-c] [--ipsets FILE] FILE...\n"
	"\n"
	"Review iptables-save files: rules that can never match, redundant\n"
	"rules, unused chains, rules the file cannot decide, ports only one\n"
	"user may reach. Each finding has a code (IPT001...); see iptsim(1).\n"
	"Given an IPv4 and an IPv6 file, lint also compares them: ports a\n"
	"local client reaches on one family and not on the other (IPT015).\n"
	"A rule whose -m comment holds \"iptsim:ignore=CODE[,CODE]\" (or\n"
	"\"iptsim:ignore\" for every code) is not reported.\n"
	"\n"
	"  --ignore CODE       do not report CODE (repeatable)\n"
	"  --list-codes        print every code with its meaning and exit\n"
	"  -c, --counters      honour counters as iptables-restore -c does\n"
	"  --ipsets FILE       the host's sets, as `ipset save` prints them:\n"
	"                      rules on empty sets, unused sets, too few flags\n"
	"  --format FORMAT     text (default), json or sarif\n" IPTS_INPUT_HELP
		IPTS_BUDGET_HELP "  -h, --help          show this help\n"
	"\n"
	"Exit status: 0 no finding, 1 findings, 2 usage error or a file that\n"
	"cannot be read or does not load (its errors go to stderr), 3 lint\n"
	"ran out of its budget (--max-visits) and stopped comparing rules.\n";

static void list_codes(void)
{
	const struct ipts_lint_code *c;
	size_t n, i;

	c = ipts_lint_codes(&n);
	for (i = 0; i < n; i++)
		printf("%s %-7s %s\n", c[i].code,
		       ipts_severity_name(c[i].sev), c[i].short_desc);
}

static void json_out(const struct ipts_diags *all, char **files,
		     const size_t *counts, const bool *loaded, int nfiles,
		     size_t npair)
{
	struct ipts_json w;
	size_t nfind = npair; /* the pairs' findings belong to no one file */
	int i;

	ipts_json_init(&w, stdout);
	ipts_json_object_begin(&w, IPTS_JSON_BLOCK);
	ipts_json_key(&w, "files");
	ipts_json_array_begin(&w, IPTS_JSON_LINE);
	for (i = 0; i < nfiles; i++) {
		ipts_json_object_begin(&w, IPTS_JSON_LINE);
		ipts_json_kv_string(&w, "file", files[i]);
		ipts_json_kv_bool(&w, "loaded", loaded[i]);
		ipts_json_kv_uint(&w, "findings", counts[i]);
		ipts_json_object_end(&w);
		nfind += counts[i];
	}
	ipts_json_array_end(&w);
	ipts_json_kv_uint(&w, "findings", nfind);
	ipts_json_key(&w, "diagnostics");
	ipts_json_array_begin(&w, IPTS_JSON_BLOCK);
	ipts_report_json_items(&w, all);
	ipts_json_array_end(&w);
	ipts_json_object_end(&w);
	ipts_json_eol(&w);
}

/*
 * The comparisons the next file may cost: --max-visits (lint's own default
 * when not given), at most what is left of --max-total-visits.
 */
static void lint_budget(struct ipts_cli_budget *b, struct ipts_lint_opts *o)
{
	uint64_t left = b->max_total > b->spent ? b->max_total - b->spent : 0;

	o->max_visits = b->visits_given ? b->lim.max_visits :
			IPTS_LINT_DEFAULT_MAX_VISITS;
	o->budget_name = "--max-visits";
	if (left < o->max_visits) {
		snprintf(b->name, sizeof(b->name), "what was left of "
			 "--max-total-visits %llu",
			 (unsigned long long)b->max_total);
		o->max_visits = left ? left : 1;
		o->budget_name = b->name;
	}
}

static bool ignores(const struct ipts_lint_opts *lo, const char *code)
{
	size_t i;

	for (i = 0; i < lo->nignore; i++)
		if (strcmp(lo->ignore[i], code) == 0)
			return true;
	return false;
}

/* @b (an IPv6 file's path) is @a (an IPv4 one's) with one '4' made '6'
 * (rules.v4, rules.v6) or one '6' put in (before.rules, before6.rules;
 * iptables.rules, ip6tables.rules). */
static bool partner_names(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b), i = 0;

	while (i < la && i < lb && a[i] == b[i])
		i++;
	if (la == lb)
		return a[i] == '4' && b[i] == '6' &&
		       strcmp(a + i + 1, b + i + 1) == 0;
	return lb == la + 1 && b[i] == '6' && strcmp(a + i, b + i + 1) == 0;
}

/* The one file of the other family whose name pairs with file @i, or -1
 * (none, or more than one). */
static int partner_of(struct ipts_ruleset **rss, char **files, int nfiles,
		      int i)
{
	bool v6 = rss[i]->family == IPTS_FAMILY_IPV6;
	int j, found = -1;

	for (j = 0; j < nfiles; j++) {
		if (!rss[j] || (rss[j]->family == IPTS_FAMILY_IPV6) == v6)
			continue;
		if (!(v6 ? partner_names(files[j], files[i]) :
			   partner_names(files[i], files[j])))
			continue;
		if (found >= 0)
			return -1;
		found = j;
	}
	return found;
}

/*
 * IPT015 across the families: with one file of each, the two; with more,
 * the pairs their names make (each file with exactly one partner), and
 * one note naming the files left out. Returns the findings.
 */
static size_t lint_pairs(struct ipts_ruleset **rss, char **files, int nfiles,
			 struct ipts_cli_budget *b,
			 const struct ipts_lint_opts *lo,
			 struct ipts_diags *all, bool *over)
{
	int i, n4 = 0, n6 = 0, left = 0, p6 = -1;
	char names[512] = "";
	size_t found = 0, used = 0;
	struct ipts_loc at = { 0 };

	for (i = 0; i < nfiles; i++) {
		if (!rss[i])
			continue;
		if (rss[i]->family == IPTS_FAMILY_IPV6) {
			n6++;
			p6 = i;
		} else {
			n4++;
		}
	}
	if (!n4 || !n6)
		return 0;
	for (i = 0; i < nfiles; i++) {
		struct ipts_diags d = { 0 };
		struct ipts_lint_pair_stats st;
		struct ipts_limits lim;
		int j = -1;

		if (!rss[i] || rss[i]->family == IPTS_FAMILY_IPV6)
			continue;
		if (n4 == 1 && n6 == 1)
			j = p6;
		else if ((j = partner_of(rss, files, nfiles, i)) >= 0 &&
			 partner_of(rss, files, nfiles, j) != i)
			j = -1;
		if (j < 0)
			continue;
		ipts_limits_init(&lim);
		if (b->visits_given)
			lim.max_visits = b->lim.max_visits;
		lim.max_trace_lines = b->lim.max_trace_lines;
		found += ipts_lint_pair(rss[i], rss[j], lo, &lim,
					b->max_total > b->spent ?
						b->max_total - b->spent :
						0,
					&d, &st);
		b->spent += st.visits;
		*over |= st.over_budget;
		ipts_diags_move(all, &d);
	}
	for (i = 0; i < nfiles; i++) {
		int j;

		if (!rss[i] || (n4 == 1 && n6 == 1))
			continue;
		j = partner_of(rss, files, nfiles, i);
		if (j >= 0 && partner_of(rss, files, nfiles, j) == i)
			continue;
		if (!left++)
			at.src = rss[i]->src; /* the file, no line */
		if (used < sizeof(names)) {
			int w = snprintf(names + used, sizeof(names) - used,
					 "%s'%s'", used ? ", " : "", files[i]);

			if (w > 0)
				used += (size_t)w;
		}
	}
	if (left && !ignores(lo, "IPT017"))
		ipts_diag_add_code(
			all, IPTS_NOTE, &at, "IPT017",
			"not compared across families: %s: "
			"no single file of the other family pairs with "
			"%s by name (rules.v4 and rules.v6, before.rules "
			"and before6.rules); lint them two at a time",
			names, left > 1 ? "them" : "it");
	return found;
}

int cmd_lint(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "format", required_argument, NULL, 'F' },
		{ "ignore", required_argument, NULL, 'I' },
		{ "list-codes", no_argument, NULL, 'L' },
		{ "counters", no_argument, NULL, 'c' },
		{ "ipsets", required_argument, NULL, 'S' },
		{ "help", no_argument, NULL, 'h' },
		IPTS_INPUT_LONGOPTS,
		IPTS_BUDGET_LONGOPTS,
		{ NULL, 0, NULL, 0 },
	};
	struct ipts_cli_input in;
	struct ipts_cli_budget budget;
	struct ipts_lint_opts lopts = { 0 };
	struct ipts_cli_host hs;
	struct ipts_cli_ipsets sets = { 0 };
	bool over = false;
	enum ipts_format fmt = IPTS_FMT_TEXT;
	struct ipts_diags all = { 0 };
	struct ipts_source **srcs;
	struct ipts_ruleset **rss;
	const char **ignore;
	size_t *counts, total = 0, npair;
	bool *loaded, help = false;
	int c, i, first, nfiles, rc = IPTS_EXIT_YES;

	ignore = calloc((size_t)argc + 1, sizeof(*ignore));
	if (!ignore)
		ipts_oom();
	lopts.ignore = ignore;
	ipts_cli_input_init(&in);
	ipts_cli_budget_init(&budget);
	ipts_cli_host_init(&hs);
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "ch" IPTS_INPUT_SHORTOPTS, opts,
				NULL)) != -1) {
		switch (c) {
		case 'F':
			if (ipts_format_parse(optarg, 7, &fmt) < 0) {
				free(ignore);
				return ipts_usage_error("lint", "unknown "
							"format '%s'", optarg);
			}
			break;
		case 'I':
			if (!ipts_lint_code_find(optarg)) {
				free(ignore);
				return ipts_usage_error("lint", "unknown lint "
							"code '%s'", optarg);
			}
			ignore[lopts.nignore++] = optarg;
			break;
		case 'L':
			list_codes();
			free(ignore);
			return IPTS_EXIT_YES;
		case 'c':
			in.parse.counters = true;
			break;
		case 'S':
			if (ipts_cli_host_opt(&hs, "lint", IPTS_HOPT_IPSETS,
					      optarg) < 0) {
				free(ignore);
				return IPTS_EXIT_USAGE;
			}
			break;
		case 'h':
			help = true;
			break;
		default:
			switch (ipts_cli_common_opt(&in, &budget, "lint", c,
						    optarg)) {
			case 1:
				continue;
			case -1:
				free(ignore);
				return IPTS_EXIT_USAGE;
			}
			free(ignore);
			return ipts_cli_unknown_option("lint", argv);
		}
	}
	first = optind;
	nfiles = argc - first;
	if (help) {
		free(ignore);
		return ipts_cli_help("lint", usage_text, nfiles);
	}
	if (nfiles < 1) {
		free(ignore);
		return ipts_usage_error("lint", "no file given");
	}

	if (ipts_cli_ipsets_read(&hs, "lint", &in.read, in.color, &sets) < 0) {
		free(ignore);
		return IPTS_EXIT_USAGE;
	}
	lopts.ipsets = sets.sets;
	srcs = calloc((size_t)nfiles, sizeof(*srcs));
	counts = calloc((size_t)nfiles, sizeof(*counts));
	loaded = calloc((size_t)nfiles, sizeof(*loaded));
	rss = calloc((size_t)nfiles, sizeof(*rss));
	if (!srcs || !counts || !loaded || !rss)
		ipts_oom();
	for (i = 0; i < nfiles; i++) {
		struct ipts_diags d = { 0 };
		struct ipts_lint_stats st;
		struct ipts_ruleset *rs;
		size_t k;

		/* JSON and SARIF carry the errors of a file that does not
		 * load; text leaves them on stderr */
		rs = ipts_cli_load_keep("lint", argv[first + i], &in, &srcs[i],
					fmt != IPTS_FMT_TEXT ? &all : NULL,
					NULL, 0);
		if (!rs) {
			rc = IPTS_EXIT_USAGE;
			continue;
		}
		loaded[i] = true;
		lint_budget(&budget, &lopts);
		counts[i] = ipts_lint_ruleset_stats(rs, &lopts, &d, &st);
		budget.spent += st.visits;
		over |= st.over_budget;
		/* notes alone (IPT007, IPT010, a generator's empty hook
		 * chains) never make lint exit 1 */
		for (k = 0; k < d.n; k++)
			if (d.v[k].code && d.v[k].sev != IPTS_NOTE)
				total++;
		ipts_diags_sort(&d);
		ipts_diags_move(&all, &d);
		rss[i] = rs; /* for the pairs */
	}
	/* findings of a pair are warnings: each counts for exit 1 */
	npair = lint_pairs(rss, argv + first, nfiles, &budget, &lopts, &all,
			   &over);
	total += npair;
	if (over && rc == IPTS_EXIT_YES)
		rc = IPTS_EXIT_UNDETERMINED;
	if (total && rc == IPTS_EXIT_YES)
		rc = IPTS_EXIT_NO;

	if (fmt == IPTS_FMT_JSON)
		json_out(&all, argv + first, counts, loaded, nfiles, npair);
	else if (fmt == IPTS_FMT_SARIF)
		ipts_sarif_write(stdout, &all);
	else
		ipts_report_text(stdout, &all, ipts_color_use(in.color, stdout));
	ipts_diags_free(&all);
	for (i = 0; i < nfiles; i++) {
		ipts_ruleset_free(rss[i]);
		ipts_source_free(srcs[i]);
	}
	free(rss);
	free(srcs);
	free(counts);
	free(loaded);
	free(ignore);
	ipts_cli_ipsets_free(&sets);
	return rc;
}
