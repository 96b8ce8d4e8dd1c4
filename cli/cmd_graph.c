/*
 * cmd_graph.c - `iptsim graph FILE [--table T]`: the file's chains as a
 * Graphviz DOT graph (report/dot.c): hooks in the kernel's order, tables
 * inside, jumps and gotos as edges labelled with their rule.
 */
#include "cli.h"

#include <getopt.h>
#include <string.h>

#include "diag.h"
#include "dot.h"
#include "input.h"
#include "model.h"
#include "parser.h"
#include "report.h"

/* clang-format off */
static const char usage_text[] =
	"usage: iptsim graph FILE [--table T]\n"
	"\n"
	"Print FILE's rules (an iptables-save file, '-' for standard input)\n"
	"as a Graphviz DOT graph, for `dot -Tsvg`: one cluster per hook in\n"
	"the kernel's order (PREROUTING, the routing decision, INPUT,\n"
	"FORWARD, OUTPUT, POSTROUTING), each hook's tables inside in the\n"
	"order the kernel runs them, user chains as nodes, jumps and gotos\n"
	"(dashed) as edges labelled with the rule ('rule 3, rules.v4:31').\n"
	"The rules of one chain that jump to the same chain are one edge,\n"
	"labelled with their count and the first. A user chain reachable\n"
	"from several hooks, or from none, sits in a cluster of its table.\n"
	"Node ids come from the table and chain names, so the graphs of two\n"
	"versions of a file diff cleanly. For a connection's path drawn\n"
	"over the graph: iptsim trace FILE ... --format dot.\n"
	"\n"
	"  --table T            only table T (filter, nat, mangle, raw,\n"
	"                       security)\n"
	IPTS_INPUT_HELP
	"  -h, --help           show this help\n"
	"\n"
	"Exit status: 0 printed, 1 the file does not load (diagnostics on\n"
	"standard error) or has no table T, 2 usage error or unreadable\n"
	"file.\n";
/* clang-format on */

enum {
	OPT_TABLE = IPTS_IOPT_END,
};

static const char table_error[] =
	"unknown table '%s': filter, nat, mangle, raw or security";
static const char value_error[] = "option '%s' needs a value";

int cmd_graph(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "table", required_argument, NULL, OPT_TABLE },
		{ "help", no_argument, NULL, 'h' },
		IPTS_INPUT_LONGOPTS,
		{ NULL, 0, NULL, 0 },
	};
	struct ipts_cli_input in;
	struct ipts_source *src = NULL;
	struct ipts_ruleset *rs;
	const char *path;
	bool help = false;
	int c, rc, table = -1;

	ipts_cli_input_init(&in);
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
		switch (c) {
		case 'h':
			help = true;
			break;
		case OPT_TABLE:
			table = ipts_table_id_by_name(optarg);
			if (table < 0)
				return ipts_usage_error("graph", table_error,
							optarg);
			break;
		case ':':
			return ipts_usage_error("graph", value_error,
						argv[optind - 1]);
		default:
			switch (ipts_cli_input_opt(&in, "graph", c, optarg)) {
			case 1:
				continue;
			case -1:
				return IPTS_EXIT_USAGE;
			}
			return ipts_cli_unknown_option("graph", argv);
		}
	}
	if (help)
		return ipts_cli_help("graph", usage_text, argc - optind);
	if (argc - optind != 1)
		return ipts_usage_error("graph", "expected one FILE");
	path = argv[optind];
	rs = ipts_cli_load("graph", path, &in, &src);
	if (!rs) {
		rc = src ? IPTS_EXIT_NO : IPTS_EXIT_USAGE;
		ipts_source_free(src);
		return rc;
	}
	if (table >= 0 && !rs->tables[table]) {
		fputs("iptsim graph: '", stderr);
		ipts_text_file(stderr, path);
		fprintf(stderr, "' has no table '%s'\n",
			ipts_table_name((enum ipts_table_id)table));
		rc = IPTS_EXIT_NO;
	} else if (ipts_dot_write(stdout, rs, table, path, NULL) < 0) {
		fputs("iptsim graph: cannot write the graph\n", stderr);
		rc = IPTS_EXIT_USAGE;
	} else {
		rc = IPTS_EXIT_YES;
	}
	ipts_ruleset_free(rs);
	ipts_source_free(src);
	return rc;
}
