/*
 * cmd_query.c - `iptsim query RULES`: many trace questions against one
 * loaded ruleset. Each line of standard input holds trace's packet
 * options; each answer is one line of trace's JSON. The rules are parsed
 * and prepared (ipts_sim_prepare()) once and the result object is reused,
 * so a line costs one walk.
 */
#include "cli.h"

#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "diag.h"
#include "host.h"
#include "host_opts.h"
#include "input.h"
#include "json.h"
#include "legs.h"
#include "model.h"
#include "parser.h"
#include "query.h"
#include "report.h"
#include "sim.h"

/* clang-format off */
static const char usage_text[] =
	"usage: iptsim query RULES [QUERIES]\n"
	"       iptsim query RULES.V4 RULES.V6 [QUERIES]\n"
	"\n"
	"Answer many questions against RULES (an iptables-save file), loaded\n"
	"once. Each line of QUERIES (default: standard input) holds the\n"
	"packet options of 'iptsim trace' (--dport 22 --uid 1000 ...); blank\n"
	"lines and '#' comments are skipped. Each answer is one line of JSON\n"
	"in the schema of 'iptsim trace --format json'; a line that cannot be\n"
	"asked gives {\"error\": MESSAGE, \"line\": N} and the batch goes on.\n"
	"A line whose --dst is a host name (--hosts FILE, default Debian 12's\n"
	"/etc/hosts), and every line when an IPv4 and an IPv6 file are given,\n"
	"is answered as 'iptsim trace RULES.V4 RULES.V6 --dst NAME' answers\n"
	"it: one JSON document with each address's leg and the client's\n"
	"outcome.\n"
	"\n"
	"  --brief              JSON without \"packets\" (the whole path)\n"
	"  --format json|text   one line of JSON (default), or trace's\n"
	"                       summary line, per answer\n"
	IPTS_HOST_HELP
	IPTS_INPUT_HELP
	IPTS_BUDGET_HELP
	"  -h, --help           show this help\n"
	"\n"
	"Exit status: 0 every line answered, 2 a line could not be asked, a\n"
	"usage error, or RULES does not load, 3 a line's walk ran out of its\n"
	"budget (answered undetermined).\n";
/* clang-format on */

#define MAX_WORDS 64

static bool text_out;

static void json_error(FILE *f, const char *msg, unsigned long line)
{
	struct ipts_json w;

	if (text_out) {
		fprintf(f, "line %lu: error: ", line);
		ipts_text_str(f, msg);
		fputc('\n', f);
		return;
	}
	ipts_json_init(&w, f);
	ipts_json_object_begin(&w, IPTS_JSON_LINE);
	ipts_json_kv_string(&w, "error", msg);
	ipts_json_kv_uint(&w, "line", line);
	ipts_json_object_end(&w);
	ipts_json_eol(&w);
}

/* A line for the legs (--dst a name, or two files): trace's document. */
static int answer_legs(struct ipts_legs *L, const struct ipts_legs_env *env,
		       int n, char **w, const char *dst, bool brief,
		       unsigned long lineno)
{
	struct ipts_legs_words lw = { n, w };
	struct ipts_query_error err;
	struct ipts_query q;
	char msg[512];

	if (ipts_legs_words_check(n, w, dst, env->host, &q, &err) < 0) {
		json_error(stdout, err.msg, lineno);
		return -1;
	}
	if (ipts_legs_resolve(L, env, dst, msg, sizeof(msg)) < 0) {
		json_error(stdout, msg, lineno);
		return -1;
	}
	ipts_legs_answer(L, env, ipts_legs_build_words, &lw);
	if (text_out) {
		ipts_text_str(stdout, L->name);
		fputs(": ", stdout);
		ipts_legs_summary(stdout, L);
		fputc('\n', stdout);
	} else {
		ipts_legs_print_json(stdout, L, brief ? IPTS_JSON_BRIEF : 0);
	}
	return 0;
}

/* One line: the summary line of trace, its notes after " — note: ". */
static void answer_text(FILE *f, const struct ipts_query *q,
			const struct ipts_result *res,
			const struct ipts_notes *notes)
{
	unsigned int i;
	char *buf = NULL;
	size_t len = 0;
	FILE *m;

	if (!notes->n) {
		ipts_answer_headline(f, q, res, true);
		return;
	}
	m = open_memstream(&buf, &len);
	if (!m)
		ipts_oom();
	ipts_answer_headline(m, q, res, true);
	fclose(m);
	fwrite(buf, 1, len ? len - 1 : 0, f);	/* its newline */
	free(buf);
	for (i = 0; i < notes->n; i++) {
		fputs(" — note: ", f);
		ipts_text_str(f, notes->v[i]);
	}
	fputc('\n', f);
}

int cmd_query(int argc, char **argv)
{
	enum { OPT_BRIEF = 256, OPT_FORMAT };
	static const struct option opts[] = {
		{ "brief", no_argument, NULL, OPT_BRIEF },
		{ "format", required_argument, NULL, OPT_FORMAT },
		{ "help", no_argument, NULL, 'h' },
		IPTS_INPUT_LONGOPTS,
		IPTS_BUDGET_LONGOPTS,
		IPTS_HOST_LONGOPTS,
		{ NULL, 0, NULL, 0 },
	};
	static char outbuf[1 << 16];
	struct ipts_cli_input cin;
	struct ipts_diags keep = { 0 };
	char why[512];
	struct ipts_cli_budget budget;
	struct ipts_cli_host hopt;
	struct ipts_hostdesc *host = NULL;
	struct ipts_cli_ipsets sets = { 0 };
	bool help = false, brief = false;
	struct ipts_file_facts ff;
	struct ipts_notes notes;
	struct ipts_result fres;
	struct ipts_source *src = NULL;
	struct ipts_query_error err;
	struct ipts_ruleset *rs = NULL;
	struct ipts_sim_ctx *ctx = NULL;
	struct ipts_result res;
	struct ipts_query q;
	struct ipts_legs L = { 0 };
	struct ipts_legs_env env = { 0 };
	struct ipts_gai_addr ga;
	const char *dst;
	bool pair = false;
	char *line = NULL, *w[MAX_WORDS];
	uint32_t cols[MAX_WORDS], bad;
	unsigned long lineno = 0, nbad = 0;
	const char *rules, *qpath;
	FILE *in = stdin;
	size_t cap = 0;
	bool fresh;
	int c, n;

	text_out = false;
	ipts_cli_input_init(&cin);
	ipts_cli_budget_init(&budget);
	ipts_cli_host_init(&hopt);
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":h" IPTS_INPUT_SHORTOPTS, opts,
				NULL)) != -1) {
		switch (c) {
		case 'h':
			help = true;
			break;
		case OPT_BRIEF:
			brief = true;
			break;
		case OPT_FORMAT:
			if (strcmp(optarg, "json") == 0)
				text_out = false;
			else if (strcmp(optarg, "text") == 0)
				text_out = true;
			else
				return ipts_usage_error("query", "invalid "
					"format '%s': json or text", optarg);
			break;
		case ':':
			return ipts_usage_error("query", "option '%s' needs a "
						"value", argv[optind - 1]);
		default:
			switch (ipts_cli_shared_opt(&cin, &budget, &hopt,
						    "query", c, optarg)) {
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
	if (argc - optind < 1 || argc - optind > 3)
		return ipts_usage_error("query",
					"expected RULES (or an IPv4 "
					"and an IPv6 file) and at most one "
					"QUERIES file");
	/* libxtables runs getopt too: optind is not ours after loading */
	rules = argv[optind];
	if (argc - optind == 3 ||
	    (argc - optind == 2 &&
	     ipts_legs_looks_like_rules(argv[optind + 1], &cin))) {
		pair = true;
		if (cin.parse.family != IPTS_FAMILY_AUTO)
			return ipts_usage_error("query",
						"-4/-6: not with two "
						"files (each file's family "
						"is its own)");
	}
	qpath = argc - optind == 2 + pair ? argv[optind + 1 + pair] : "-";
	env.cmd = "query";
	env.in = &cin;
	env.budget = &budget;
	env.keep = &keep;
	env.notes = true;
	if (strcmp(rules, "-") == 0 && strcmp(qpath, "-") == 0)
		return ipts_usage_error("query", "RULES cannot be standard "
					"input when the queries are read from "
					"it");
	if (ipts_cli_host_build(&hopt, "query", cin.color, &host) < 0)
		return IPTS_EXIT_USAGE;
	if (ipts_cli_ipsets_read(&hopt, "query", &cin.read, cin.color, &sets) <
	    0) {
		ipts_hostdesc_free(host);
		return IPTS_EXIT_USAGE;
	}
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
			ipts_cli_ipsets_free(&sets);
			ipts_hostdesc_free(host);
			return IPTS_EXIT_USAGE;
		}
	}

	env.host = host;
	env.sets = &sets;
	if (pair) {
		if (ipts_legs_load(&L, &env, 2, argv + optind, why,
				   sizeof(why)) < 0) {
			ipts_report_json_failure(stdout, why, L.failed, &keep);
			ipts_diags_free(&keep);
			ipts_legs_free(&L);
			if (in != stdin)
				fclose(in);
			ipts_cli_ipsets_free(&sets);
			ipts_hostdesc_free(host);
			return IPTS_EXIT_USAGE;
		}
		ipts_diags_free(&keep);
		goto lines;
	}
	rs = ipts_cli_load_keep("query", rules, &cin, &src, &keep, why,
				sizeof(why));
	if (rs && ipts_cli_ipsets_check(&sets, rs, "query", rules, cin.color,
					why, sizeof(why)) < 0) {
		ipts_ruleset_free(rs);
		rs = NULL;
	}
	if (!rs) {
		/* one line of JSON that says why, for the reader of the batch */
		ipts_report_json_failure(stdout, why, rules, &keep);
		ipts_diags_free(&keep);
		ipts_source_free(src);
		if (in != stdin)
			fclose(in);
		ipts_cli_ipsets_free(&sets);
		ipts_hostdesc_free(host);
		return IPTS_EXIT_USAGE;
	}
	/* no host option: the context of every answer before them */
	ctx = host ? ipts_sim_prepare_on(rs, host) : ipts_sim_prepare(rs);
	ipts_sim_use_ipsets(ctx, sets.sets);
	ipts_file_facts_init(&ff, rs);
	/* a --dst NAME line: its legs on this one file */
	ipts_legs_borrow(&L, rules, rs, ctx);
lines:
	setvbuf(stdout, outbuf, _IOFBF, sizeof(outbuf));
	ipts_result_init(&res);
	ipts_result_init(&fres);
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
		dst = ipts_legs_words_dst(n, w);
		if (pair || (dst && !ipts_gai_literal(dst, &ga))) {
			if (answer_legs(&L, &env, n, w, dst, brief, lineno) < 0)
				nbad++;
			continue;
		}
		if (ipts_query_parse_args_fam(n, w, host, (uint8_t)rs->family,
					      &q, &err) < 0) {
			json_error(stdout, err.msg, lineno);
			nbad++;
			continue;
		}
		if (ipts_simulate_limited(ctx, &q,
					  ipts_cli_budget_next(&budget),
					  &res) < 0) {
			json_error(stdout, res.why, lineno);
			nbad++;
			continue;
		}
		ipts_cli_budget_spend(&budget, &res);
		fresh = false;
		if (ipts_fresh_may_decide(&q, &res)) {
			struct ipts_query fq = q;

			fq.fresh = true;
			fresh = ipts_simulate_limited(ctx, &fq,
				ipts_cli_budget_next(&budget), &fres) == 0;
		}
		ipts_answer_notes(&ff, &q, &res, fresh ? &fres : NULL, &notes);
		if (text_out)
			answer_text(stdout, &q, &res, &notes);
		else
			ipts_result_print_json_notes(
				stdout, &q, &res, &notes,
				IPTS_JSON_SETS_CHANGED |
					(brief ? IPTS_JSON_BRIEF : 0));
	}
	fflush(stdout);
	if (in != stdin)
		fclose(in);
	free(line);
	ipts_result_free(&fres);
	ipts_result_free(&res);
	ipts_legs_free(&L);
	ipts_sim_free(ctx);
	ipts_ruleset_free(rs);
	ipts_source_free(src);
	ipts_cli_ipsets_free(&sets);
	ipts_hostdesc_free(host);
	return nbad ? IPTS_EXIT_USAGE : budget.hit ? IPTS_EXIT_UNDETERMINED :
	       IPTS_EXIT_YES;
}
