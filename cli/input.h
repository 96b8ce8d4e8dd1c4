#ifndef IPTS_CLI_INPUT_H
#define IPTS_CLI_INPUT_H

/*
 * Options every command that reads rule files takes: how a file is read
 * (links, size) and how it is loaded. One table and one handler, so that
 * `check`, `dump`, `lint`, `trace`, `test`, `query` and `diff` accept the
 * same words with the same meaning.
 */
#include <getopt.h>

#include "diag.h"
#include "parser.h"
#include "report.h"

struct ipts_cli_input {
	struct ipts_read_opts read;
	struct ipts_parse_opts parse;
	enum ipts_color color;		/* --color: diagnostics, text output */
};

/* getopt_long values of the input options (above every command's own). */
enum {
	IPTS_IOPT_FOLLOW = 0x400,
	IPTS_IOPT_COLOR,
	IPTS_IOPT_MAX_SIZE,
	IPTS_IOPT_MAX_ERRORS,
	IPTS_IOPT_XTABLES_LIBDIR,
	IPTS_IOPT_MAX_RULES,
	IPTS_IOPT_END,
};

#define IPTS_INPUT_LONGOPTS						\
	{ "follow-symlinks", no_argument, NULL, IPTS_IOPT_FOLLOW },	\
	{ "color", required_argument, NULL, IPTS_IOPT_COLOR },		\
	{ "max-size", required_argument, NULL, IPTS_IOPT_MAX_SIZE },	\
	{ "max-errors", required_argument, NULL, IPTS_IOPT_MAX_ERRORS },	\
	{ "xtables-libdir", required_argument, NULL,			\
	  IPTS_IOPT_XTABLES_LIBDIR },					\
	{ "max-rules", required_argument, NULL, IPTS_IOPT_MAX_RULES }

/* Their lines for a command's --help. */
#define IPTS_INPUT_HELP							\
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
	"                       XTABLES_LIBDIR is never read)\n"

void ipts_cli_input_init(struct ipts_cli_input *in);

/*
 * If @c is one of IPTS_INPUT_LONGOPTS, apply it with @arg and return 1, or
 * print a usage error for @cmd and return -1; return 0 for any other @c.
 */
int ipts_cli_input_opt(struct ipts_cli_input *in, const char *cmd, int c,
		       const char *arg);

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
int ipts_cli_help(const char *cmd, const char *usage, int noperands);

#endif
