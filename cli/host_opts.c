/*
 * host_opts.c - the host options of trace, query, test and diff (see
 * host_opts.h): kept in the order given, then one host built from them,
 * its errors reported as every other diagnostic is.
 */
#include "host_opts.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli.h"
#include "diag.h"
#include "host.h"
#include "ipset.h"
#include "model.h"
#include "report.h"

void ipts_cli_host_init(struct ipts_cli_host *h)
{
	memset(h, 0, sizeof(*h));
}

int ipts_cli_host_opt(struct ipts_cli_host *h, const char *cmd, int c,
		      const char *arg)
{
	if (c < IPTS_HOPT_HOST || c >= IPTS_HOPT_END)
		return 0;
	if (c == IPTS_HOPT_HOST) {
		/* one host per command: a second directory is a mistake */
		if (h->dir) {
			ipts_usage_error(cmd,
					 "--host given twice ('%s', then "
					 "'%s'): one host per command",
					 h->dir, arg);
			return -1;
		}
		h->dir = arg;
		return 1;
	}
	if (c == IPTS_HOPT_AT) {
		if (h->at) {
			ipts_usage_error(cmd,
					 "--at given twice ('%s', then "
					 "'%s')",
					 h->at, arg);
			return -1;
		}
		h->at = arg;
		return 1;
	}
	if (c == IPTS_HOPT_IPSETS) {
		if (h->ipsets) {
			ipts_usage_error(cmd,
					 "--ipsets given twice ('%s', then "
					 "'%s'): one host per command",
					 h->ipsets, arg);
			return -1;
		}
		h->ipsets = arg;
		return 1;
	}
	if (h->n == IPTS_CLI_HOST_MAX) {
		ipts_usage_error(cmd,
				 "at most %d --iface, --route and "
				 "--sysctl options",
				 IPTS_CLI_HOST_MAX);
		return -1;
	}
	h->opt[h->n].code = c;
	h->opt[h->n].text = arg;
	h->n++;
	return 1;
}

int ipts_cli_shared_opt(struct ipts_cli_input *in, struct ipts_cli_budget *b,
			struct ipts_cli_host *h, const char *cmd, int c,
			const char *arg)
{
	int r = ipts_cli_common_opt(in, b, cmd, c, arg);

	return r ? r : ipts_cli_host_opt(h, cmd, c, arg);
}

bool ipts_cli_host_given(const struct ipts_cli_host *h)
{
	return h->dir || h->n;
}

static int add_one(struct ipts_hostdesc *hd, int code, const char *text,
		   struct ipts_diags *d)
{
	switch (code) {
	case IPTS_HOPT_IFACE:
		return ipts_hostdesc_add_iface(hd, text, d);
	case IPTS_HOPT_ROUTE:
		return ipts_hostdesc_add_route(hd, text, d);
	default:
		return ipts_hostdesc_add_sysctl(hd, text, d);
	}
}

int ipts_cli_host_build(const struct ipts_cli_host *h, const char *cmd,
			enum ipts_color color, struct ipts_hostdesc **out)
{
	struct ipts_diags d = { 0 };
	struct ipts_hostdesc *hd;
	size_t i;

	*out = NULL;
	if (!ipts_cli_host_given(h))
		return 0;
	hd = ipts_hostdesc_new();
	if (h->dir)
		ipts_hostdesc_read_dir(hd, h->dir, &d);
	/* every inline option is tried, so that one run reports them all */
	for (i = 0; i < h->n; i++)
		add_one(hd, h->opt[i].code, h->opt[i].text, &d);
	if (d.nerrors) {
		ipts_report_text(stderr, &d, ipts_color_use(color, stderr));
		ipts_usage_error(cmd,
				 "the described host does not load: %zu "
				 "error%s",
				 d.nerrors, d.nerrors == 1 ? "" : "s");
		ipts_diags_free(&d);
		ipts_hostdesc_free(hd);
		return -1;
	}
	/* warnings of a host that loads: said, as a rule file's are */
	if (d.n)
		ipts_report_text(stderr, &d, ipts_color_use(color, stderr));
	ipts_diags_free(&d);
	*out = hd;
	return 0;
}

/* Ten years: any capture's timeouts (ipset's are at most 2147483 s). */
#define IPTS_AT_MAX 315360000u

/* --at's "+SECONDS" (the plus may be left out): 0, or -1. */
static int parse_at(const char *s, uint32_t *out)
{
	unsigned long long v = 0;

	if (*s == '+')
		s++;
	if (*s < '0' || *s > '9')
		return -1;
	for (; *s >= '0' && *s <= '9'; s++) {
		v = v * 10 + (unsigned long long)(*s - '0');
		if (v > IPTS_AT_MAX)
			return -1;
	}
	if (*s)
		return -1;
	*out = (uint32_t)v;
	return 0;
}

int ipts_cli_ipsets_read(const struct ipts_cli_host *h, const char *cmd,
			 const struct ipts_read_opts *ro, enum ipts_color color,
			 struct ipts_cli_ipsets *out)
{
	struct ipts_read_opts o = { .max_size = IPTS_HOST_FILE_MAX };
	struct ipts_diags d = { 0 };
	char path[4096], err[256];
	const char *file = h->ipsets;
	struct stat st;
	uint32_t at = 0;

	memset(out, 0, sizeof(*out));
	if (h->at && parse_at(h->at, &at) < 0) {
		ipts_usage_error(cmd,
				 "--at takes +SECONDS (the seconds after the "
				 "sets' capture, at most %u), not '%s'",
				 (unsigned int)IPTS_AT_MAX, h->at);
		return -1;
	}
	if (!file && h->dir) {
		/* a host directory without ipsets.txt: no sets given */
		if ((size_t)snprintf(path, sizeof(path), "%s/ipsets.txt",
				     h->dir) >= sizeof(path) ||
		    (fstatat(AT_FDCWD, path, &st, AT_SYMLINK_NOFOLLOW) < 0 &&
		     errno == ENOENT))
			return 0;
		file = path;
	}
	if (!file && h->at) {
		ipts_usage_error(cmd, "--at ages the sets' timeouts: give "
				      "the sets (--ipsets FILE, or ipsets.txt "
				      "in --host DIR)");
		return -1;
	}
	if (!file)
		return 0;
	o.follow_symlinks = h->ipsets && ro && ro->follow_symlinks;
	out->src = ipts_source_load(file, &o, err, sizeof(err));
	if (!out->src) {
		ipts_usage_error(cmd, "cannot read ipsets '%s': %s", file, err);
		return -1;
	}
	out->sets = ipts_ipsets_read(out->src, &d);
	if (d.n)
		ipts_report_text(stderr, &d, ipts_color_use(color, stderr));
	if (!out->sets) {
		ipts_usage_error(cmd, "the ipsets do not load: %zu error%s",
				 d.nerrors, d.nerrors == 1 ? "" : "s");
		ipts_diags_free(&d);
		ipts_cli_ipsets_free(out);
		return -1;
	}
	ipts_diags_free(&d);
	ipts_ipsets_age(out->sets, at);
	return 0;
}

int ipts_cli_ipsets_check(const struct ipts_cli_ipsets *s,
			  const struct ipts_ruleset *rs, const char *cmd,
			  const char *path, enum ipts_color color, char *why,
			  size_t whylen)
{
	struct ipts_diags d = { 0 };
	int n;

	if (!s->sets)
		return 0;
	n = ipts_ipsets_check(s->sets, rs, &d);
	if (n) {
		ipts_report_text(stderr, &d, ipts_color_use(color, stderr));
		snprintf(why, whylen,
			 "'%s' does not load with these ipsets: "
			 "%d error%s",
			 path, n, n == 1 ? "" : "s");
		fprintf(stderr, "iptsim %s: ", cmd);
		ipts_text_str(stderr, why);
		fputc('\n', stderr);
	}
	ipts_diags_free(&d);
	return n ? -1 : 0;
}

void ipts_cli_ipsets_free(struct ipts_cli_ipsets *s)
{
	ipts_ipsets_free(s->sets);
	ipts_source_free(s->src);
	s->sets = NULL;
	s->src = NULL;
}

void ipts_cli_ipsets_known(struct ipts_diags *d)
{
	static const char said[] = "match 'set' needs ipset '";
	static const char said_tg[] = "target 'SET' needs ipset '";
	size_t i, k = 0;

	for (i = 0; i < d->n; i++) {
		struct ipts_diag *g = &d->v[i];

		if (g->sev == IPTS_WARNING &&
		    (strncmp(g->msg, said, sizeof(said) - 1) == 0 ||
		     strncmp(g->msg, said_tg, sizeof(said_tg) - 1) == 0)) {
			free(g->msg);
			d->nwarnings--;
			continue;
		}
		d->v[k++] = *g;
	}
	d->n = k;
}
