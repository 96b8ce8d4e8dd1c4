/*
 * cmd_check.c - `iptsim check FILE...`: would the kernel load each file?
 * Every problem found, each at its line and column; exit 1 on any error.
 */
#include "cli.h"

#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "diag.h"
#include "host_opts.h"
#include "input.h"
#include "ipset.h"
#include "json.h"
#include "lint.h"
#include "model.h"
#include "parser.h"
#include "report.h"
#include "sarif.h"

/* clang-format off */
static const char usage_text[] =
	"usage: iptsim check [--format text|json|sarif] [--lint [--ignore CODE]...]\n"
	"                    [--color WHEN] [--ipsets FILE]\n"
	"                    [-c] FILE...\n"
	"\n"
	"Check iptables-save files as iptables-restore and the kernel would\n"
	"load them. FILE may be '-' for standard input.\n"
	"\n"
	"  -c, --counters      honour counters as iptables-restore -c does\n"
	"  --lint              add the findings of iptsim lint (warnings never\n"
	"                      change the exit status)\n"
	"  --ignore CODE       with --lint: do not report CODE (repeatable)\n"
	"  --ipsets FILE       the host's sets, as `ipset save` prints them: a\n"
	"                      rule naming a set FILE does not define (or one\n"
	"                      of IPv6) is an error, as iptables-restore says\n"
	"  --format FORMAT     text (default), json or sarif\n"
	IPTS_INPUT_HELP
	"  -h, --help          show this help\n"
	"\n"
	"Exit status: 0 every file loads (warnings allowed), 1 errors,\n"
	"2 usage error or unreadable file.\n";
/* clang-format on */

/* At least the number of lint codes. */
#define IGNORE_MAX 32

int cmd_check(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "format", required_argument, NULL, 'F' },
		{ "counters", no_argument, NULL, 'c' },
		{ "lint", no_argument, NULL, 'L' },
		{ "ignore", required_argument, NULL, 'I' },
		{ "ipsets", required_argument, NULL, 'S' },
		{ "help", no_argument, NULL, 'h' },
		IPTS_INPUT_LONGOPTS,
		{ NULL, 0, NULL, 0 },
	};
	const char *ignore[IGNORE_MAX];
	struct ipts_lint_opts lopts = { .ignore = ignore };
	struct ipts_cli_input in;
	struct ipts_cli_host hs;
	struct ipts_cli_ipsets sets;
	enum ipts_format fmt = IPTS_FMT_TEXT;
	size_t k;
	struct ipts_diags all = { 0 };
	struct ipts_source **srcs;
	bool *valid, lint = false, help = false;
	int c, i, first, nfiles, rc = IPTS_EXIT_YES;

	ipts_cli_input_init(&in);
	ipts_cli_host_init(&hs);
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "ch" IPTS_INPUT_SHORTOPTS, opts,
				NULL)) != -1) {
		switch (c) {
		case 'F':
			if (ipts_format_parse(optarg, 7, &fmt) < 0)
				return ipts_usage_error("check", "unknown "
							"format '%s'", optarg);
			break;
		case 'c':
			in.parse.counters = true;
			break;
		case 'L':
			lint = true;
			break;
		case 'I':
			if (!ipts_lint_code_find(optarg))
				return ipts_usage_error("check", "unknown lint "
							"code '%s'", optarg);
			/* each code once: as many as there are codes */
			for (k = 0; k < lopts.nignore; k++)
				if (strcmp(ignore[k], optarg) == 0)
					break;
			if (k == lopts.nignore && k < IGNORE_MAX)
				ignore[lopts.nignore++] = optarg;
			break;
		case 'S':
			if (ipts_cli_host_opt(&hs, "check", IPTS_HOPT_IPSETS,
					      optarg) < 0)
				return IPTS_EXIT_USAGE;
			break;
		case 'h':
			help = true;
			break;
		default:
			switch (ipts_cli_input_opt(&in, "check", c, optarg)) {
			case 1:
				continue;
			case -1:
				return IPTS_EXIT_USAGE;
			}
			return ipts_cli_unknown_option("check", argv);
		}
	}
	/* The parser runs getopt too: keep our own index. */
	first = optind;
	nfiles = argc - first;
	if (help)
		return ipts_cli_help("check", usage_text, nfiles);
	if (nfiles < 1)
		return ipts_usage_error("check", "no file given");

	if (ipts_cli_ipsets_read(&hs, "check", &in.read, in.color, &sets) < 0)
		return IPTS_EXIT_USAGE;
	srcs = calloc((size_t)nfiles, sizeof(*srcs));
	valid = calloc((size_t)nfiles, sizeof(*valid));
	if (!srcs || !valid)
		ipts_oom();
	for (i = 0; i < nfiles; i++) {
		const char *path = argv[first + i];
		struct ipts_diags d = { 0 };
		struct ipts_load_opts lo;
		struct ipts_load ld;
		struct ipts_ruleset *rs;

		/* valid[i] stays false for a file not read */
		if (ipts_cli_input_names(&in, "check") < 0) {
			rc = IPTS_EXIT_USAGE;
			continue;
		}
		lo.read = in.read;
		lo.parse = in.parse;
		ipts_load(path, &lo, &ld, &d);
		srcs[i] = ld.src;
		if (ld.status == IPTS_LOAD_UNREADABLE) {
			ipts_cli_read_error("check", path, ld.why);
			/* a document carries the read error too */
			if (fmt != IPTS_FMT_TEXT)
				ipts_diags_move(&all, &d);
			ipts_diags_free(&d);
			rc = IPTS_EXIT_USAGE;
			continue;
		}
		rs = ld.rs;
		/* what iptables-restore asks the kernel, once it has the sets */
		if (rs && sets.sets) {
			ipts_cli_ipsets_known(&d);
			if (ipts_ipsets_check(sets.sets, rs, &d)) {
				ipts_ruleset_free(rs);
				rs = NULL;
			}
		}
		valid[i] = rs != NULL;
		if (!rs && rc == IPTS_EXIT_YES)
			rc = IPTS_EXIT_NO;
		/* lint findings are warnings and notes: never exit 1 */
		if (rs && lint)
			ipts_lint_ruleset(rs, &lopts, &d);
		ipts_ruleset_free(rs);
		ipts_diags_sort(&d);
		ipts_diags_move(&all, &d);
	}

	if (fmt == IPTS_FMT_JSON) {
		struct ipts_json w;

		ipts_json_init(&w, stdout);
		ipts_json_object_begin(&w, IPTS_JSON_BLOCK);
		ipts_json_key(&w, "files");
		ipts_json_array_begin(&w, IPTS_JSON_LINE);
		for (i = 0; i < nfiles; i++) {
			ipts_json_object_begin(&w, IPTS_JSON_LINE);
			ipts_json_kv_string(&w, "file", argv[first + i]);
			ipts_json_kv_bool(&w, "valid", srcs[i] && valid[i]);
			ipts_json_object_end(&w);
		}
		ipts_json_array_end(&w);
		ipts_json_kv_uint(&w, "errors", all.nerrors);
		ipts_json_kv_uint(&w, "warnings", all.nwarnings);
		ipts_json_key(&w, "diagnostics");
		ipts_json_array_begin(&w, IPTS_JSON_BLOCK);
		ipts_report_json_items(&w, &all);
		ipts_json_array_end(&w);
		ipts_json_object_end(&w);
		ipts_json_eol(&w);
	} else if (fmt == IPTS_FMT_SARIF) {
		ipts_sarif_write(stdout, &all);
	} else {
		ipts_report_text(stdout, &all, ipts_color_use(in.color, stdout));
	}
	ipts_diags_free(&all);
	for (i = 0; i < nfiles; i++)
		ipts_source_free(srcs[i]);
	free(srcs);
	free(valid);
	ipts_cli_ipsets_free(&sets);
	return rc;
}
