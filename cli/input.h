#ifndef IPTS_CLI_INPUT_H
#define IPTS_CLI_INPUT_H

/*
 * Options every command that reads rule files takes: how a file is read
 * (links, size) and how it is loaded. One table and one handler, so that
 * `check`, `dump`, `lint`, `trace`, `test`, `query` and `diff` accept the
 * same words with the same meaning.
 */
#include <getopt.h>

#include <stdbool.h>
#include <stdint.h>

#include "diag.h"
#include "parser.h"
#include "report.h"
#include "sim.h"

struct ipts_cli_input {
	struct ipts_read_opts read;
	struct ipts_parse_opts parse;
	enum ipts_color color;		/* --color: diagnostics, text output */
	/* --hosts, --passwd, --group: read (under @read, as rule files
	 * are) into parse.hosts, .passwd, .group by ipts_cli_input_names() */
	const char *hosts_path, *passwd_path, *group_path;
	int names_rc;			/* 0: not read yet, 1: read, -1: failed */
	/* ipts_cli_load_keep() refused a file it loaded: a family the
	 * command does not simulate (legs.c answers its legs undetermined) */
	bool refused_v6;
	/* The command simulates this IPv6 file itself (exposure's pair):
	 * not refused. */
	bool v6_ok;
};

/* getopt_long values of the input options (above every command's own). */
enum {
	IPTS_IOPT_FOLLOW = 0x400,
	IPTS_IOPT_COLOR,
	IPTS_IOPT_MAX_SIZE,
	IPTS_IOPT_MAX_ERRORS,
	IPTS_IOPT_XTABLES_LIBDIR,
	IPTS_IOPT_MAX_RULES,
	IPTS_IOPT_HOSTS,
	IPTS_IOPT_PASSWD,
	IPTS_IOPT_GROUP,
	IPTS_IOPT_RESOLVE,
	IPTS_IOPT_FAMILY,
	IPTS_IOPT_END,
};

/* clang-format off */
#define IPTS_INPUT_LONGOPTS						\
	{ "follow-symlinks", no_argument, NULL, IPTS_IOPT_FOLLOW },	\
	{ "color", required_argument, NULL, IPTS_IOPT_COLOR },		\
	{ "max-size", required_argument, NULL, IPTS_IOPT_MAX_SIZE },	\
	{ "max-errors", required_argument, NULL, IPTS_IOPT_MAX_ERRORS },	\
	{ "xtables-libdir", required_argument, NULL,			\
	  IPTS_IOPT_XTABLES_LIBDIR },					\
	{ "max-rules", required_argument, NULL, IPTS_IOPT_MAX_RULES },	\
	{ "hosts", required_argument, NULL, IPTS_IOPT_HOSTS },		\
	{ "passwd", required_argument, NULL, IPTS_IOPT_PASSWD },	\
	{ "group", required_argument, NULL, IPTS_IOPT_GROUP },		\
	{ "resolve", no_argument, NULL, IPTS_IOPT_RESOLVE },		\
	{ "family", required_argument, NULL, IPTS_IOPT_FAMILY }

/* clang-format on */

/* The short input options, for a command's getopt_long() string. */
#define IPTS_INPUT_SHORTOPTS "46"

/* Their lines for a command's --help. */
/* clang-format off */
#define IPTS_INPUT_HELP							\
	"  -4, -6, --family ipv4|ipv6\n"				\
	"                       read FILE as an iptables-save (IPv4) or an\n" \
	"                       ip6tables-save (IPv6) file (default: as\n"	\
	"                       the file says; see README \"Families\")\n"	\
	"  --color WHEN         colour diagnostics: auto (default), always\n"	\
	"                       or never\n"					\
	"  --follow-symlinks    read a FILE that is a symbolic link (by\n"	\
	"                       default it is refused)\n"			\
	"  --max-size BYTES     refuse a file larger than BYTES (suffix K,\n"	\
	"                       M or G; default 64M)\n"			\
	"  --max-errors N       stop reading a file after N errors (default\n"	\
	"                       20)\n"					\
	"  --max-rules N        refuse a file that builds more than N rules\n" \
	"                       (each address pair is one; default\n"	\
	"                       1000000)\n"					\
	"  --xtables-libdir DIR load iptables extensions from DIR, an\n"	\
	"                       absolute path (default: the directory of\n" \
	"                       the libxtables iptsim was built with;\n"	\
	"                       XTABLES_LIBDIR is never read)\n"		\
	"  --hosts FILE         the firewall's hosts(5) file: a host name\n"	\
	"                       of a rule gets the IPv4 addresses it lists\n"	\
	"                       (by default names are not resolved: the\n"	\
	"                       address is unknown, answers undetermined)\n"	\
	"  --passwd FILE        the firewall's passwd(5) file, for user\n"	\
	"                       names (--uid-owner alice)\n"			\
	"  --group FILE         the firewall's group(5) file, for group\n"	\
	"                       names (--gid-owner staff)\n"			\
	"  --resolve            ask this machine's resolver and NSS for\n"	\
	"                       names, as iptables would (DNS queries; the\n" \
	"                       answer holds for this machine's names)\n"
/* clang-format on */

void ipts_cli_input_init(struct ipts_cli_input *in);

/*
 * The budgets of every command that walks or lints (trace, test, query,
 * diff, lint), so that a hostile file cannot make a CI job run for hours
 * or fill its memory: rule visits per connection and per run, TRACE lines
 * per packet. A connection that runs out is answered undetermined, with
 * the numbers; the command then exits 3 (README, "Running on untrusted
 * files").
 */
struct ipts_cli_budget {
	struct ipts_limits lim;		/* per connection */
	uint64_t max_total;		/* rule visits of the whole run */
	uint64_t spent;
	bool visits_given;		/* --max-visits was given */
	bool hit;			/* some connection ran out */
	struct ipts_limits next;	/* what ipts_cli_budget_next() gave */
	char name[80];
};

#define IPTS_DEFAULT_MAX_TOTAL_VISITS 4000000000ULL

enum {
	IPTS_BOPT_MAX_VISITS = IPTS_IOPT_END + 0x10,
	IPTS_BOPT_MAX_TOTAL,
	IPTS_BOPT_MAX_LINES,
	IPTS_BOPT_END,
};

#define IPTS_BUDGET_LONGOPTS						\
	{ "max-visits", required_argument, NULL, IPTS_BOPT_MAX_VISITS },	\
	{ "max-total-visits", required_argument, NULL, IPTS_BOPT_MAX_TOTAL }, \
	{ "max-trace-lines", required_argument, NULL, IPTS_BOPT_MAX_LINES }

#define IPTS_BUDGET_HELP						\
	"  --max-visits N       a connection's walk stops after N rule visits\n" \
	"                       and is undetermined (default 10000000; lint:\n" \
	"                       rule comparisons a file, default 1000000000)\n" \
	"  --max-total-visits N the whole run stops after N rule visits\n"	\
	"                       (default 4000000000)\n"			\
	"  --max-trace-lines N  keep at most N TRACE lines a packet: the\n"	\
	"                       first and the last (default 10000)\n"

void ipts_cli_budget_init(struct ipts_cli_budget *b);

/* As ipts_cli_input_opt(), for IPTS_BUDGET_LONGOPTS. */
int ipts_cli_budget_opt(struct ipts_cli_budget *b, const char *cmd, int c,
			const char *arg);

/* The limits of the next connection: what is left of the run's visits,
 * at most --max-visits. Valid until the next call. */
const struct ipts_limits *ipts_cli_budget_next(struct ipts_cli_budget *b);

/* Count what @res spent (and whether it ran out). */
void ipts_cli_budget_spend(struct ipts_cli_budget *b,
			   const struct ipts_result *res);

/* Nothing is left of the run's visits. */
bool ipts_cli_budget_spent(const struct ipts_cli_budget *b);

/*
 * If @c is one of IPTS_INPUT_LONGOPTS, apply it with @arg and return 1, or
 * print a usage error for @cmd and return -1; return 0 for any other @c.
 */
int ipts_cli_input_opt(struct ipts_cli_input *in, const char *cmd, int c,
		       const char *arg);

/*
 * ipts_cli_budget_opt() (when @b is not NULL), then ipts_cli_input_opt():
 * 1 one of them took @c, -1 a usage error was printed, 0 neither knows it.
 */
int ipts_cli_common_opt(struct ipts_cli_input *in, struct ipts_cli_budget *b,
			const char *cmd, int c, const char *arg);

/*
 * The usage error for the option getopt_long() just refused: "-x" for a
 * letter of a cluster ("-h.rules" is '-h', then '-.'), else the word.
 */
int ipts_cli_unknown_option(const char *cmd, char **argv);

/*
 * After the option loop of @cmd, when -h/--help was given: print @usage on
 * stdout and return 0 when no operand follows, or a usage error (2) when
 * files were given too, so that a file named "-h.rules" never turns a
 * check into a pass.
 */
/*
 * Read the files of --hosts, --passwd and --group, once, before the
 * first rule file is parsed: 0, or print why not (as ipts_cli_read())
 * and return -1. They live until the process ends.
 */
int ipts_cli_input_names(struct ipts_cli_input *in, const char *cmd);

int ipts_cli_help(const char *cmd, const char *usage, int noperands);

#endif
