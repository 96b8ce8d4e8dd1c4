/*
 * input.c - the options every file-reading command shares (see input.h).
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
