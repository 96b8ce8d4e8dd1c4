/*
 * cmd_query.c - `iptsim query RULES`: many trace questions against one
 * loaded ruleset. Each line of standard input holds trace's packet
 * options; each answer is one line of trace's JSON. The rules are parsed
 * once and the result object is reused, so a line costs one walk.
 */
#include "cli.h"

#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "diag.h"
#include "input.h"
#include "model.h"
#include "parser.h"
#include "query.h"
#include "report.h"
#include "sim.h"

static const char usage_text[] =
	"usage: iptsim query RULES [QUERIES]\n"
	"\n"
	"Answer many questions against RULES (an iptables-save file), loaded\n"
	"once. Each line of QUERIES (default: standard input) holds the\n"
	"packet options of 'iptsim trace' (--dport 22 --uid 1000 ...); blank\n"
	"lines and '#' comments are skipped. Each answer is one line of JSON\n"
	"in the schema of 'iptsim trace --format json'; a line that cannot be\n"
	"asked gives {\"error\": MESSAGE, \"line\": N} and the batch goes on.\n"
	"\n"
	IPTS_INPUT_HELP
	IPTS_BUDGET_HELP
	"  -h, --help           show this help\n"
	"\n"
	"Exit status: 0 every line answered, 2 a line could not be asked, a\n"
	"usage error, or RULES does not load, 3 a line's walk ran out of its\n"
	"budget (answered undetermined).\n";

#define MAX_WORDS 64

static void json_error(FILE *f, const char *msg, unsigned long line)
{
	fputs("{\"error\": ", f);
	ipts_json_str(f, msg);
	fprintf(f, ", \"line\": %lu}\n", line);
}

int cmd_query(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "help", no_argument, NULL, 'h' },
		IPTS_INPUT_LONGOPTS,
		IPTS_BUDGET_LONGOPTS,
		{ NULL, 0, NULL, 0 },
	};
	static char outbuf[1 << 16];
	struct ipts_cli_input cin;
	struct ipts_diags keep = { 0 };
	char why[512];
	struct ipts_cli_budget budget;
	bool help = false;
	struct ipts_source *src = NULL;
	struct ipts_query_error err;
	struct ipts_ruleset *rs;
	struct ipts_result res;
	struct ipts_query q;
	char *line = NULL, *w[MAX_WORDS];
	uint32_t cols[MAX_WORDS], bad;
	unsigned long lineno = 0, nbad = 0;
	const char *rules, *qpath;
	enum ipts_ct_mode ct;
	FILE *in = stdin;
	size_t cap = 0;
	int c, n;

	ipts_cli_input_init(&cin);
	ipts_cli_budget_init(&budget);
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
		switch (c) {
		case 'h':
			help = true;
			break;
		default:
			switch (ipts_cli_budget_opt(&budget, "query", c,
						    optarg)) {
			case 1:
				continue;
			case -1:
				return IPTS_EXIT_USAGE;
			}
			switch (ipts_cli_input_opt(&cin, "query", c, optarg)) {
			case 1:
				continue;
			case -1:
				return IPTS_EXIT_USAGE;
			}
			return ipts_cli_unknown_option("query", argv);
		}
	}
	if (help)
		return ipts_cli_help("query", usage_text, argc - optind);
	if (argc - optind != 1 && argc - optind != 2)
		return ipts_usage_error("query", "expected RULES and at most "
					"one QUERIES file");
	/* libxtables runs getopt too: optind is not ours after loading */
	rules = argv[optind];
	qpath = argc - optind == 2 ? argv[optind + 1] : "-";
	if (strcmp(rules, "-") == 0 && strcmp(qpath, "-") == 0)
		return ipts_usage_error("query", "RULES cannot be standard "
					"input when the queries are read from "
					"it");
	if (strcmp(qpath, "-") != 0) {
		char rerr[256];
		int fd = ipts_source_open(qpath, &cin.read, rerr, sizeof(rerr));

		in = fd < 0 ? NULL : fdopen(fd, "r");
		if (!in) {
			const char *reason = fd < 0 ? rerr : strerror(errno);

			ipts_cli_read_error("query", qpath, reason);
			snprintf(why, sizeof(why), "cannot read '%s': %s",
				 qpath, reason);
			ipts_report_json_failure(stdout, why, qpath, NULL);
			if (fd >= 0)
				close(fd);
			return IPTS_EXIT_USAGE;
		}
	}

	rs = ipts_cli_load_keep("query", rules, &cin, &src, &keep, why,
				sizeof(why));
	if (!rs) {
		/* one line of JSON that says why, for the reader of the batch */
		ipts_report_json_failure(stdout, why, rules, &keep);
		ipts_diags_free(&keep);
		ipts_source_free(src);
		if (in != stdin)
			fclose(in);
		return IPTS_EXIT_USAGE;
	}
	/* What --conntrack auto means for this file, found once: the answer
	 * is the same, without a scan of every rule per line. */
	ct = ipts_ruleset_needs_conntrack(rs) ? IPTS_CT_ON : IPTS_CT_OFF;
	setvbuf(stdout, outbuf, _IOFBF, sizeof(outbuf));
	ipts_result_init(&res);
	while (getline(&line, &cap, in) >= 0) {
		lineno++;
		n = ipts_words_split(line, w, cols, MAX_WORDS, &bad);
		if (n < 0) {
			json_error(stdout, line[bad] == '"' ||
				   line[bad] == '\'' ? "unterminated quote" :
				   "too many words", lineno);
			nbad++;
			continue;
		}
		/* a blank or comment line asks nothing */
		if (n == 0)
			continue;
		if (ipts_query_parse_args(n, w, &q, &err) < 0) {
			json_error(stdout, err.msg, lineno);
			nbad++;
			continue;
		}
		if (q.conntrack == IPTS_CT_AUTO)
			q.conntrack = ct;
		if (ipts_simulate_limited(rs, &q, ipts_cli_budget_next(&budget),
					  &res) < 0) {
			json_error(stdout, res.why, lineno);
			nbad++;
			continue;
		}
		ipts_cli_budget_spend(&budget, &res);
		ipts_result_print_json(stdout, rs, &q, &res);
	}
	fflush(stdout);
	if (in != stdin)
		fclose(in);
	free(line);
	ipts_result_free(&res);
	ipts_ruleset_free(rs);
	ipts_source_free(src);
	return nbad ? IPTS_EXIT_USAGE : budget.hit ? IPTS_EXIT_UNDETERMINED :
	       IPTS_EXIT_YES;
}
