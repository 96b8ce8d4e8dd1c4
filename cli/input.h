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

struct ipts_cli_input {
	struct ipts_read_opts read;
	struct ipts_parse_opts parse;
	/* --hosts, --passwd, --group: read (under @read, as rule files
	 * are) into parse.hosts, .passwd, .group by ipts_cli_input_names() */
	const char *hosts_path, *passwd_path, *group_path;
	int names_rc;			/* 0: not read yet, 1: read, -1: failed */
};

/* getopt_long values of the input options (above every command's own). */
enum {
	IPTS_IOPT_FOLLOW = 0x400,
	IPTS_IOPT_MAX_SIZE,
	IPTS_IOPT_HOSTS,
	IPTS_IOPT_PASSWD,
	IPTS_IOPT_GROUP,
	IPTS_IOPT_RESOLVE,
	IPTS_IOPT_END,
};

#define IPTS_INPUT_LONGOPTS						\
	{ "follow-symlinks", no_argument, NULL, IPTS_IOPT_FOLLOW },	\
	{ "max-size", required_argument, NULL, IPTS_IOPT_MAX_SIZE },	\
	{ "hosts", required_argument, NULL, IPTS_IOPT_HOSTS },		\
	{ "passwd", required_argument, NULL, IPTS_IOPT_PASSWD },	\
	{ "group", required_argument, NULL, IPTS_IOPT_GROUP },		\
	{ "resolve", no_argument, NULL, IPTS_IOPT_RESOLVE }

/* Their lines for a command's --help. */
#define IPTS_INPUT_HELP							\
	"  --follow-symlinks    read a FILE that is a symbolic link (by\n"	\
	"                       default it is refused)\n"			\
	"  --max-size BYTES     refuse a file larger than BYTES (suffix K,\n"	\
	"                       M or G; default 64M)\n"			\
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

void ipts_cli_input_init(struct ipts_cli_input *in);

/*
 * If @c is one of IPTS_INPUT_LONGOPTS, apply it with @arg and return 1, or
 * print a usage error for @cmd and return -1; return 0 for any other @c.
 */
int ipts_cli_input_opt(struct ipts_cli_input *in, const char *cmd, int c,
		       const char *arg);

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
