/*
 * main.c - the iptsim command: dispatch to cli/cmd_<name>.c. The only
 * place that decides the process's exit code.
 */
#include "cli.h"
#include "input.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "diag.h"
#include "model.h"
#include "parser.h"
#include "report.h"

struct command {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *summary;
};

/* one line a command, as --help lists them */
/* clang-format off */
static const struct command commands[] = {
	{ "check", cmd_check, "check rule files as the kernel would load them" },
	{ "dump", cmd_dump, "print a rule file as canonical iptables-save text" },
	{ "lint", cmd_lint, "review rule files: shadowed rules, unused chains, traps" },
	{ "graph", cmd_graph, "draw hooks, tables and chains as a DOT graph" },
#ifdef IPTS_HAVE_SIM
	{ "trace", cmd_trace, "predict what a local connection meets" },
	{ "test", cmd_test, "check expected outcomes written in spec files" },
	{ "query", cmd_query, "answer queries read from stdin, as JSON lines" },
	{ "diff", cmd_diff, "which connections change their answer between two files" },
	{ "exposure", cmd_exposure, "what is open from where: ports by source class" },
#endif
};
/* clang-format on */

#define NCOMMANDS (sizeof(commands) / sizeof(commands[0]))

static void usage(FILE *f)
{
	size_t i;

	fputs("usage: iptsim <command> [options] FILE...\n"
	      "       iptsim --help | --version | help <command>\n\n"
	      "Simulate iptables rulesets offline, from iptables-save files.\n\n"
	      "Commands:\n", f);
	for (i = 0; i < NCOMMANDS; i++)
		fprintf(f, "  %-8s %s\n", commands[i].name,
			commands[i].summary);
	fputs("\nExit status: 0 yes, 1 no, 2 usage error or no answer, "
	      "3 undetermined.\n"
	      "See iptsim(1) and 'iptsim <command> --help'.\n", f);
}

/* The message quotes words of the command line, file names among them:
 * escaped as all text is (escape.h). */
int ipts_usage_error(const char *cmd, const char *fmt, ...)
{
	va_list ap;
	char *msg;
	int n;

	fprintf(stderr, "iptsim%s%s: ", cmd ? " " : "", cmd ? cmd : "");
	va_start(ap, fmt);
	n = vasprintf(&msg, fmt, ap);
	va_end(ap);
	if (n < 0)
		ipts_oom();
	ipts_text_strn(stderr, msg, (size_t)n);
	free(msg);
	if (cmd)
		fprintf(stderr, "\nTry 'iptsim %s --help'.\n", cmd);
	else
		fputs("\nTry 'iptsim --help'.\n", stderr);
	return IPTS_EXIT_USAGE;
}

void ipts_cli_read_error(const char *cmd, const char *path, const char *why)
{
	fprintf(stderr, "iptsim %s: cannot read '", cmd);
	ipts_text_file(stderr, path);
	fputs("': ", stderr);
	ipts_text_str(stderr, why);
	fputc('\n', stderr);
}

struct ipts_source *ipts_cli_read_keep(const char *cmd, const char *path,
				       struct ipts_cli_input *in,
				       struct ipts_diags *keep,
				       struct ipts_source **stub)
{
	struct ipts_source *src;
	char err[256];

	if (stub)
		*stub = NULL;
	/* the names files first: a rule file is read with them or not */
	if (ipts_cli_input_names(in, cmd) < 0)
		return NULL;
	src = ipts_source_load(path, &in->read, err, sizeof(err));
	if (src)
		return src;
	ipts_cli_read_error(cmd, path, err);
	if (keep) {
		struct ipts_loc at = { 0 };

		*stub = ipts_source_from_mem(path, "", 0);
		at.src = *stub;
		ipts_diag_add(keep, IPTS_ERROR, &at, "cannot read '%s': %s",
			      path, err);
	}
	return NULL;
}

struct ipts_source *ipts_cli_read(const char *cmd, const char *path,
				  struct ipts_cli_input *in)
{
	return ipts_cli_read_keep(cmd, path, in, NULL, NULL);
}

/* The commands that simulate, but not yet an IPv6 file (trace, test,
 * query and diff do, over lo). */
static bool simulates(const char *cmd)
{
	return strcmp(cmd, "exposure") == 0;
}

#define V6_NOT_SIMULATED                                      \
	"IPv6 files are loaded and checked, but %s takes one " \
	"only beside an IPv4 file (RULES.V4 RULES.V6: lo over both families)"

/* @path loaded as IPv6, for a command that simulates: one error, exit 2. */
static void refuse_v6(const char *cmd, const char *path,
		      struct ipts_diags *keep, const struct ipts_source *src,
		      char *why, size_t whylen)
{
	fprintf(stderr, "iptsim %s: '", cmd);
	ipts_text_file(stderr, path);
	fprintf(stderr,
		"' is an IPv6 file: " V6_NOT_SIMULATED " (check, "
		"dump, lint and graph read it)\n",
		cmd);
	if (why)
		snprintf(why, whylen, "'%s' is an IPv6 file: " V6_NOT_SIMULATED,
			 path, cmd);
	if (keep) {
		struct ipts_loc at = { 0 };

		at.src = src;
		ipts_diag_add(keep, IPTS_ERROR, &at,
			      "an IPv6 file: " V6_NOT_SIMULATED, cmd);
	}
}

struct ipts_ruleset *ipts_cli_load_keep(const char *cmd, const char *path,
					struct ipts_cli_input *in,
					struct ipts_source **src,
					struct ipts_diags *keep, char *why,
					size_t whylen)
{
	struct ipts_diags d = { 0 };
	struct ipts_load_opts lo;
	struct ipts_load ld;
	size_t k;

	*src = NULL;
	/* the names files first: a rule file is read with them or not */
	if (ipts_cli_input_names(in, cmd) < 0) {
		if (keep && keep->n && why)
			snprintf(why, whylen, "%s", keep->v[keep->n - 1].msg);
		return NULL;
	}
	lo.read = in->read;
	lo.parse = in->parse;	/* with the names files' sources */
	ipts_load(path, &lo, &ld, &d);
	*src = ld.src;
	if (ld.status == IPTS_LOAD_UNREADABLE) {
		ipts_cli_read_error(cmd, path, ld.why);
		if (why)
			snprintf(why, whylen, "%s", d.v[d.n - 1].msg);
		/* *src: the stub the kept error points into, or NULL (the
		 * commands' sign of a usage error, exit 2) */
		if (keep) {
			ipts_diags_move(keep, &d);
		} else {
			ipts_source_free(*src);
			*src = NULL;
		}
		ipts_diags_free(&d);
		return NULL;
	}
	if (ld.status == IPTS_LOAD_INVALID) {
		ipts_diags_sort(&d);
		ipts_report_text(stderr, &d, ipts_color_use(in->color,
							    stderr));
		fprintf(stderr, "iptsim %s: '", cmd);
		ipts_text_file(stderr, path);
		fprintf(stderr, "' does not load: %zu error%s\n", d.nerrors,
			d.nerrors == 1 ? "" : "s");
		if (why)
			snprintf(why, whylen, "'%s' does not load: %zu error%s",
				 path, d.nerrors, d.nerrors == 1 ? "" : "s");
		for (k = 0; keep && k < d.n; k++)
			ipts_diag_add_code(keep, d.v[k].sev, &d.v[k].loc,
					   d.v[k].code, "%s", d.v[k].msg);
	}
	ipts_diags_free(&d);
	if (ld.rs && ld.rs->family == IPTS_FAMILY_IPV6 && simulates(cmd) &&
	    !in->v6_ok) {
		refuse_v6(cmd, path, keep, *src, why, whylen);
		in->refused_v6 = true;
		ipts_ruleset_free(ld.rs);
		return NULL;
	}
	return ld.rs;
}

struct ipts_ruleset *ipts_cli_load(const char *cmd, const char *path,
				   struct ipts_cli_input *in,
				   struct ipts_source **src)
{
	return ipts_cli_load_keep(cmd, path, in, src, NULL, NULL, 0);
}

static const struct command *find_command(const char *name)
{
	size_t i;

	for (i = 0; i < NCOMMANDS; i++)
		if (strcmp(commands[i].name, name) == 0)
			return &commands[i];
	return NULL;
}

int main(int argc, char **argv)
{
	const struct command *c;

	if (argc < 2)
		return ipts_usage_error(NULL, "no command given");
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
		usage(stdout);
		return IPTS_EXIT_YES;
	}
	if (strcmp(argv[1], "--version") == 0) {
		printf("iptsim %s\n", IPTSIM_VERSION);
		return IPTS_EXIT_YES;
	}
	if (strcmp(argv[1], "help") == 0) {
		char *hargv[3];

		if (argc < 3) {
			usage(stdout);
			return IPTS_EXIT_YES;
		}
		c = find_command(argv[2]);
		if (!c)
			return ipts_usage_error(NULL, "unknown command '%s'",
						argv[2]);
		hargv[0] = argv[2];
		hargv[1] = "--help";
		hargv[2] = NULL;
		return c->fn(2, hargv);
	}
	c = find_command(argv[1]);
	if (!c)
		return ipts_usage_error(NULL, "unknown command '%s'", argv[1]);
	return c->fn(argc - 1, argv + 1);
}
