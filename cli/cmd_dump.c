/*
 * cmd_dump.c - `iptsim dump [-c] FILE`: the model as iptables-save text,
 * byte for byte what iptables-legacy-save prints after
 * iptables-legacy-restore [-c] FILE, less the '#' lines.
 *
 * That text is data for iptables-restore, so it goes out unchanged into a
 * pipe or a file. On a terminal it is escaped as all text output is
 * (escape.h): a comment holding ESC or OSC 52 must not drive the screen,
 * and a screen is not where iptables-restore reads from.
 */
#include "cli.h"

#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "diag.h"
#include "input.h"
#include "model.h"
#include "parser.h"
#include "report.h"

static const char usage_text[] =
	"usage: iptsim dump [-c] FILE\n"
	"\n"
	"Print FILE as canonical iptables-save text: what iptables-save\n"
	"prints after iptables-restore of FILE, without the '#' lines.\n"
	"FILE may be '-' for standard input. The bytes are written as they\n"
	"are, except on a terminal, where control characters, bidi controls\n"
	"and bytes that are not UTF-8 are shown escaped (\\x1b, \\u202e).\n"
	"\n"
	"  -c, --counters   load and print counters, as iptables-restore -c\n"
	"                   and iptables-save -c\n"
	IPTS_INPUT_HELP
	"  -h, --help          show this help\n"
	"\n"
	"Exit status: 0 printed, 1 the file does not load (diagnostics on\n"
	"standard error), 2 usage error or unreadable file.\n";

/* ipts_save() to @f, each line escaped (its newline kept). */
static int save_escaped(FILE *f, const struct ipts_ruleset *rs, bool counters,
			struct ipts_diags *d)
{
	char *buf = NULL, *p, *nl;
	size_t len = 0;
	FILE *m = open_memstream(&buf, &len);
	int rc;

	if (!m)
		ipts_oom();
	rc = ipts_save(m, rs, counters, d);
	if (fclose(m) != 0)
		ipts_oom();
	for (p = buf; p < buf + len; p = nl + 1) {
		nl = memchr(p, '\n', (size_t)(buf + len - p));
		if (!nl)
			nl = buf + len;
		ipts_text_strn(f, p, (size_t)(nl - p));
		if (nl < buf + len)
			fputc('\n', f);
	}
	free(buf);
	return rc;
}

int cmd_dump(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "counters", no_argument, NULL, 'c' },
		{ "help", no_argument, NULL, 'h' },
		IPTS_INPUT_LONGOPTS,
		{ NULL, 0, NULL, 0 },
	};
	struct ipts_cli_input in;
	struct ipts_diags d = { 0 };
	struct ipts_source *src = NULL;
	struct ipts_ruleset *rs;
	bool help = false;
	int c, rc;

	ipts_cli_input_init(&in);
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "ch" IPTS_INPUT_SHORTOPTS, opts,
				NULL)) != -1) {
		switch (c) {
		case 'c':
			in.parse.counters = true;
			break;
		case 'h':
			help = true;
			break;
		default:
			switch (ipts_cli_input_opt(&in, "dump", c, optarg)) {
			case 1:
				continue;
			case -1:
				return IPTS_EXIT_USAGE;
			}
			return ipts_cli_unknown_option("dump", argv);
		}
	}
	if (help)
		return ipts_cli_help("dump", usage_text, argc - optind);
	if (argc - optind != 1)
		return ipts_usage_error("dump", "expected one FILE");
	rs = ipts_cli_load("dump", argv[optind], &in, &src);
	if (!rs) {
		rc = src ? IPTS_EXIT_NO : IPTS_EXIT_USAGE;
		ipts_source_free(src);
		return rc;
	}
	if (isatty(STDOUT_FILENO))
		rc = save_escaped(stdout, rs, in.parse.counters, &d);
	else
		rc = ipts_save(stdout, rs, in.parse.counters, &d);
	rc = rc < 0 ? IPTS_EXIT_NO : IPTS_EXIT_YES;
	if (d.n)
		ipts_report_text(stderr, &d, false);
	ipts_diags_free(&d);
	ipts_ruleset_free(rs);
	ipts_source_free(src);
	return rc;
}
