#ifndef IPTS_CLI_HOST_OPTS_H
#define IPTS_CLI_HOST_OPTS_H

/*
 * The host options of the commands that walk (trace, query, test, diff):
 * --host DIR, --iface, --route, --sysctl, given once per command. They
 * describe one host (host.h) for every connection the command asks:
 * the directory first, then the inline options in the order given.
 */
#include <stdbool.h>
#include <stddef.h>

#include "input.h"

struct ipts_hostdesc;

#define IPTS_CLI_HOST_MAX 256	/* inline options a command takes */

/* What the command line said, kept until every option is read. */
struct ipts_cli_host {
	const char *dir;		/* --host, or NULL */
	const char *ipsets;		/* --ipsets, or NULL */
	const char *at; /* --at +SECONDS, or NULL */
	struct {
		int code;		/* IPTS_HOPT_IFACE, _ROUTE, _SYSCTL */
		const char *text;	/* borrowed from argv */
	} opt[IPTS_CLI_HOST_MAX];
	size_t n;
};

enum {
	IPTS_HOPT_HOST = IPTS_BOPT_END + 0x10,
	IPTS_HOPT_IFACE,
	IPTS_HOPT_ROUTE,
	IPTS_HOPT_SYSCTL,
	IPTS_HOPT_IPSETS,
	IPTS_HOPT_AT,
	IPTS_HOPT_END,
};

/* clang-format off */
#define IPTS_HOST_LONGOPTS						\
	{ "host", required_argument, NULL, IPTS_HOPT_HOST },		\
	{ "iface", required_argument, NULL, IPTS_HOPT_IFACE },		\
	{ "route", required_argument, NULL, IPTS_HOPT_ROUTE },		\
	{ "sysctl", required_argument, NULL, IPTS_HOPT_SYSCTL },	\
	{ "ipsets", required_argument, NULL, IPTS_HOPT_IPSETS },	\
	{ "at", required_argument, NULL, IPTS_HOPT_AT }

#define IPTS_HOST_HELP							\
	"  --host DIR           the firewall host, as captured in DIR\n"	\
	"                       (addr.json route.json rule.json route6.json\n" \
	"                       rule6.json sysctl.txt listen.txt; README\n" \
	"                       \"Describing a host\")\n"			\
	"  --iface NAME=ADDR/LEN, --iface 'NAME=ADDR peer PEER[/LEN]'\n"	\
	"                       an interface of the host and an IPv4 or\n" \
	"                       IPv6 address on it (repeatable; after\n"	\
	"                       --host's)\n"					\
	"  --route 'LINE'       a route, as `ip route` or `ip -6 route`\n"	\
	"                       prints it (repeatable; replaces one of the\n" \
	"                       same table, type, prefix and metric)\n"	\
	"  --sysctl KEY=VALUE   a sysctl of the host (repeatable; overrides\n"	\
	"                       --host's): net.ipv4.ip_forward,\n"		\
	"                       net.ipv4.conf.IF.rp_filter,\n"		\
	"                       net.ipv6.conf.all.forwarding, ...\n"	\
	"  --ipsets FILE        the host's sets, as `ipset save` prints them\n" \
	"                       (default: ipsets.txt of --host DIR): -m set\n" \
	"                       is decided, a set no rule may name refused\n" \
	"  --at +SECONDS        the sets that many seconds after their\n"	\
	"                       capture: elements whose timeout ran out are\n" \
	"                       gone (timeout 0 is permanent)\n"
/* clang-format on */

void ipts_cli_host_init(struct ipts_cli_host *h);

/*
 * If @c is one of IPTS_HOST_LONGOPTS, keep it with @arg and return 1, or
 * print a usage error for @cmd (--host given twice, too many options)
 * and return -1; 0 for
 * any other @c.
 */
int ipts_cli_host_opt(struct ipts_cli_host *h, const char *cmd, int c,
		      const char *arg);

/*
 * The options every simulating command shares: ipts_cli_common_opt(),
 * then ipts_cli_host_opt(); 1 one of them took @c, -1 a usage error was
 * printed, 0 neither knows it.
 */
int ipts_cli_shared_opt(struct ipts_cli_input *in, struct ipts_cli_budget *b,
			struct ipts_cli_host *h, const char *cmd, int c,
			const char *arg);

/* The host's sets, read by ipts_cli_ipsets_read(). */
struct ipts_cli_ipsets {
	struct ipts_source *src;
	struct ipts_ipsets *sets;	/* NULL: none given */
};

/*
 * Read --ipsets FILE, else the ipsets.txt of --host DIR when it has one,
 * as the host directory's files are read (regular files, at most
 * IPTS_HOST_FILE_MAX bytes; a link is followed only for FILE, and only
 * when @ro says so, as for rule files): 0 (out->sets NULL when there is
 * neither), or print the diagnostics and a usage error for @cmd and
 * return -1. Free with ipts_cli_ipsets_free().
 */
int ipts_cli_ipsets_read(const struct ipts_cli_host *h, const char *cmd,
			 const struct ipts_read_opts *ro, enum ipts_color color,
			 struct ipts_cli_ipsets *out);

/*
 * The load checks that need the sets on the rules of @path (a rule naming
 * a set the file does not define, a set of IPv6): 0, or print the errors
 * and why @cmd stops on stderr, put that sentence in @why and return -1.
 * Nothing to check without sets.
 */
struct ipts_ruleset;
int ipts_cli_ipsets_check(const struct ipts_cli_ipsets *s,
			  const struct ipts_ruleset *rs, const char *cmd,
			  const char *path, enum ipts_color color, char *why,
			  size_t whylen);

/*
 * With the sets given, -m set is decided and -j SET followed: drop from
 * @d the parser's warnings that a set match or target needs the host's
 * ipset.
 */
void ipts_cli_ipsets_known(struct ipts_diags *d);

void ipts_cli_ipsets_free(struct ipts_cli_ipsets *s);

/* Some host option was given. */
bool ipts_cli_host_given(const struct ipts_cli_host *h);

/*
 * The host the options describe, in *@out (NULL when none was given: the
 * commands then prepare as ipts_sim_prepare() does). Returns 0, or prints
 * the diagnostics (in @color) and a usage error for @cmd on stderr and
 * returns -1. The caller frees *@out with ipts_hostdesc_free().
 */
int ipts_cli_host_build(const struct ipts_cli_host *h, const char *cmd,
			enum ipts_color color, struct ipts_hostdesc **out);

#endif
