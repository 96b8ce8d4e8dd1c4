/*
 * input.c - the options every file-reading command shares, and the
 * budgets of those that walk (see input.h).
 */
#include "input.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

void ipts_cli_input_init(struct ipts_cli_input *in)
{
	memset(in, 0, sizeof(*in));
	in->read.max_size = IPTS_READ_MAX_SIZE;
	in->parse.max_rules = IPTS_MAX_RULES;
}

/* A count: decimal digits only, 1 to @max. */
static int parse_count(const char *s, uint64_t max, uint64_t *out)
{
	unsigned long long v;
	char *end;

	if (*s < '0' || *s > '9')
		return -1;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || *end || v == 0 || v > max)
		return -1;
	*out = v;
	return 0;
}

/* A byte count: decimal digits and an optional K, M or G (powers of 2). */
static int parse_size(const char *s, uint64_t *out)
{
	unsigned long long v;
	unsigned int shift = 0;
	char *end;

	if (*s < '0' || *s > '9')
		return -1;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno)
		return -1;
	if (*end == 'K' || *end == 'k')
		shift = 10;
	else if (*end == 'M' || *end == 'm')
		shift = 20;
	else if (*end == 'G' || *end == 'g')
		shift = 30;
	if (shift)
		end++;
	if (*end || v > (UINT64_MAX >> shift))
		return -1;
	*out = (uint64_t)v << shift;
	return 0;
}

int ipts_cli_input_opt(struct ipts_cli_input *in, const char *cmd, int c,
		       const char *arg)
{
	switch (c) {
	case '4':
		in->parse.family = IPTS_FAMILY_IPV4;
		return 1;
	case '6':
		in->parse.family = IPTS_FAMILY_IPV6;
		return 1;
	case IPTS_IOPT_FAMILY:
		if (strcmp(arg, "ipv4") == 0) {
			in->parse.family = IPTS_FAMILY_IPV4;
		} else if (strcmp(arg, "ipv6") == 0) {
			in->parse.family = IPTS_FAMILY_IPV6;
		} else {
			ipts_usage_error(cmd,
					 "invalid --family '%s': ipv4 or "
					 "ipv6",
					 arg);
			return -1;
		}
		return 1;
	case IPTS_IOPT_COLOR:
		if (ipts_color_parse(arg, &in->color) < 0) {
			ipts_usage_error(cmd, "invalid --color '%s': auto, "
					 "always or never", arg);
			return -1;
		}
		return 1;
	case IPTS_IOPT_FOLLOW:
		in->read.follow_symlinks = true;
		return 1;
	case IPTS_IOPT_HOSTS:
		in->hosts_path = arg;
		return 1;
	case IPTS_IOPT_PASSWD:
		in->passwd_path = arg;
		return 1;
	case IPTS_IOPT_GROUP:
		in->group_path = arg;
		return 1;
	case IPTS_IOPT_RESOLVE:
		in->parse.resolve = true;
		return 1;
	case IPTS_IOPT_MAX_SIZE:
		if (parse_size(arg, &in->read.max_size) < 0 ||
		    in->read.max_size == 0) {
			ipts_usage_error(cmd, "invalid --max-size '%s': a "
					 "number of bytes, with K, M or G",
					 arg);
			return -1;
		}
		return 1;
	case IPTS_IOPT_MAX_ERRORS: {
		uint64_t n;

		if (parse_count(arg, UINT32_MAX, &n) < 0) {
			ipts_usage_error(cmd, "invalid --max-errors '%s': a "
					 "whole number from 1", arg);
			return -1;
		}
		in->parse.max_errors = (unsigned int)n;
		return 1;
	}
	case IPTS_IOPT_MAX_RULES:
		if (parse_count(arg, UINT32_MAX, &in->parse.max_rules) < 0) {
			ipts_usage_error(cmd, "invalid --max-rules '%s': a "
					 "number of rules from 1 to %u", arg,
					 UINT32_MAX);
			return -1;
		}
		return 1;
	case IPTS_IOPT_XTABLES_LIBDIR:
		/* libxtables reads a ':' as a list; a relative path would
		 * follow the working directory, a checkout of the rules. */
		if (arg[0] != '/' || strchr(arg, ':')) {
			ipts_usage_error(cmd, "invalid --xtables-libdir '%s': "
					 "the absolute path of one directory",
					 arg);
			return -1;
		}
		in->parse.xtables_libdir = arg;
		return 1;
	default:
		return 0;
	}
}

/* The names files read, kept to the end of the process. */
static struct ipts_source *names_srcs[3];

static void names_free(void)
{
	size_t i;

	for (i = 0; i < 3; i++)
		ipts_source_free(names_srcs[i]);
}

static int names_read(const struct ipts_cli_input *in, const char *cmd,
		      const char *what, const char *path, size_t slot,
		      const struct ipts_source **out)
{
	char err[256];

	if (!path)
		return 0;
	names_srcs[slot] = ipts_source_load(path, &in->read, err, sizeof(err));
	if (!names_srcs[slot]) {
		fprintf(stderr, "iptsim %s: cannot read %s file '%s': %s\n",
			cmd, what, path, err);
		return -1;
	}
	*out = names_srcs[slot];
	return 0;
}

int ipts_cli_input_names(struct ipts_cli_input *in, const char *cmd)
{
	/* once: a file that cannot be read is said once, not per rule file */
	if (in->names_rc)
		return in->names_rc < 0 ? -1 : 0;
	atexit(names_free);
	in->names_rc = names_read(in, cmd, "hosts", in->hosts_path, 0,
				  &in->parse.hosts) < 0 ||
		       names_read(in, cmd, "passwd", in->passwd_path, 1,
				  &in->parse.passwd) < 0 ||
		       names_read(in, cmd, "group", in->group_path, 2,
				  &in->parse.group) < 0 ? -1 : 1;
	return in->names_rc < 0 ? -1 : 0;
}

int ipts_cli_help(const char *cmd, const char *usage, int noperands)
{
	if (noperands > 0)
		return ipts_usage_error(cmd, "--help given with operands: "
					"nothing was done (put '--' before a "
					"file name that starts with '-')");
	fputs(usage, stdout);
	return IPTS_EXIT_YES;
}

int ipts_cli_unknown_option(const char *cmd, char **argv)
{
	if (optopt > 0 && optopt < 256)
		return ipts_usage_error(cmd, "unknown option '-%c'", optopt);
	return ipts_usage_error(cmd, "unknown option '%s'", argv[optind - 1]);
}

void ipts_cli_budget_init(struct ipts_cli_budget *b)
{
	memset(b, 0, sizeof(*b));
	ipts_limits_init(&b->lim);
	b->lim.budget_name = "--max-visits";
	b->max_total = IPTS_DEFAULT_MAX_TOTAL_VISITS;
}

int ipts_cli_budget_opt(struct ipts_cli_budget *b, const char *cmd, int c,
			const char *arg)
{
	static const char *const names[] = {
		[IPTS_BOPT_MAX_VISITS - IPTS_BOPT_MAX_VISITS] = "--max-visits",
		[IPTS_BOPT_MAX_TOTAL - IPTS_BOPT_MAX_VISITS] =
			"--max-total-visits",
		[IPTS_BOPT_MAX_LINES - IPTS_BOPT_MAX_VISITS] =
			"--max-trace-lines",
	};
	uint64_t v;

	if (c < IPTS_BOPT_MAX_VISITS || c >= IPTS_BOPT_END)
		return 0;
	if (parse_count(arg, UINT64_MAX, &v) < 0) {
		ipts_usage_error(cmd, "invalid %s '%s': a number, at least 1",
				 names[c - IPTS_BOPT_MAX_VISITS], arg);
		return -1;
	}
	if (c == IPTS_BOPT_MAX_VISITS) {
		b->lim.max_visits = v;
		b->visits_given = true;
	} else if (c == IPTS_BOPT_MAX_TOTAL) {
		b->max_total = v;
	} else {
		b->lim.max_trace_lines = v;
	}
	return 1;
}

const struct ipts_limits *ipts_cli_budget_next(struct ipts_cli_budget *b)
{
	uint64_t left = b->max_total > b->spent ? b->max_total - b->spent : 0;

	b->next = b->lim;
	if (left < b->lim.max_visits) {
		snprintf(b->name, sizeof(b->name), "what was left of "
			 "--max-total-visits %llu",
			 (unsigned long long)b->max_total);
		b->next.max_visits = left;
		b->next.budget_name = b->name;
	}
	return &b->next;
}

void ipts_cli_budget_spend(struct ipts_cli_budget *b,
			   const struct ipts_result *res)
{
	b->spent = res->visits > UINT64_MAX - b->spent ? UINT64_MAX :
		   b->spent + res->visits;
	if (res->over_budget)
		b->hit = true;
}

bool ipts_cli_budget_spent(const struct ipts_cli_budget *b)
{
	return b->spent >= b->max_total;
}

int ipts_cli_common_opt(struct ipts_cli_input *in, struct ipts_cli_budget *b,
			const char *cmd, int c, const char *arg)
{
	int r = b ? ipts_cli_budget_opt(b, cmd, c, arg) : 0;

	return r ? r : ipts_cli_input_opt(in, cmd, c, arg);
}
