/*
 * host_opts.c - the host options of trace, query, test and diff (see
 * host_opts.h): kept in the order given, then one host built from them,
 * its errors reported as every other diagnostic is.
 */
#include "host_opts.h"

#include <string.h>

#include "cli.h"
#include "diag.h"
#include "host.h"
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
