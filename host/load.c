/*
 * load.c - a host directory, read whole or not at all: each file is
 * opened as the CLI opens rule files (ipts_source_load(): no symbolic
 * link followed, regular files only, at most IPTS_HOST_FILE_MAX bytes),
 * read into a fresh host, and only a read without error replaces @h.
 */
#include "host_int.h"

#include <assert.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

/* NULL and no error when the file is absent; NULL and an error when it
 * cannot be read. */
static struct ipts_source *open_file(const char *dir, const char *name,
				     struct ipts_diags *d, int *nerr)
{
	struct ipts_read_opts o = { .max_size = IPTS_HOST_FILE_MAX };
	struct ipts_source *s;
	char path[4096], err[256];
	struct ipts_loc loc = { 0 };
	struct stat st;

	if ((size_t)snprintf(path, sizeof(path), "%s/%s", dir, name) >=
	    sizeof(path)) {
		ipts_diag_add(d, IPTS_ERROR, &loc, "'%s': path too long", dir);
		(*nerr)++;
		return NULL;
	}
	if (fstatat(AT_FDCWD, path, &st, AT_SYMLINK_NOFOLLOW) < 0 &&
	    errno == ENOENT)
		return NULL;
	s = ipts_source_load(path, &o, err, sizeof(err));
	if (!s) {
		ipts_diag_add(d, IPTS_ERROR, &loc, "cannot read '%s': %s",
			      path, err);
		(*nerr)++;
	}
	return s;
}

int ipts_hostdesc_read_dir(struct ipts_hostdesc *h, const char *dir,
			   struct ipts_diags *d)
{
	struct ipts_hostdesc *t = host_new_bare();
	struct ipts_source *addr, *route, *rule, *sysctl, *listen;
	struct ipts_source *route6, *rule6;
	struct ipts_loc loc = { 0 };
	struct stat st = { 0 };
	bool has_local = false, has_local6 = false;
	int nerr = 0;

	/* Once, first: host_take() replaces what @h holds. */
	assert(!h->touched);
	h->touched = true;
	if (stat(dir, &st) < 0 || !S_ISDIR(st.st_mode)) {
		const char *why = S_ISDIR(st.st_mode) || !st.st_mode ?
			strerror(errno) : "not a directory";

		ipts_diag_add(d, IPTS_ERROR, &loc, "cannot read host "
			      "directory '%s': %s", dir, why);
		ipts_hostdesc_free(t);
		return -1;
	}
	addr = open_file(dir, "addr.json", d, &nerr);
	route = open_file(dir, "route.json", d, &nerr);
	rule = open_file(dir, "rule.json", d, &nerr);
	sysctl = open_file(dir, "sysctl.txt", d, &nerr);
	listen = open_file(dir, "listen.txt", d, &nerr);
	route6 = open_file(dir, "route6.json", d, &nerr);
	rule6 = open_file(dir, "rule6.json", d, &nerr);
	if (addr) {
		host_keep_source(t, addr);
		/* route.json from `table all` has the kernel's routes. */
		if (host_read_addr_json(t, addr, !route, d) < 0)
			nerr++;
	}
	if (route6) {
		host_keep_source(t, route6);
		if (host_read_route6_json(t, route6, addr != NULL, &has_local6,
					  d) < 0)
			nerr++;
		else if (!has_local6)
			host_derive_local6(t);
	} else {
		/* addr.json's inet6 addresses without route6.json: their
		 * routes as the kernel adds them */
		size_t i, j;

		for (i = 0; i < t->nifaces; i++)
			for (j = 0; j < t->ifaces[i].pub.naddrs6; j++)
				host_addr6_derive(t, (int)i,
						  &t->ifaces[i].addrs6[j]);
	}
	if (rule6) {
		host_keep_source(t, rule6);
		if (host_read_rule6_json(t, rule6, d) < 0)
			nerr++;
	}
	if (route) {
		host_keep_source(t, route);
		if (host_read_route_json(t, route, addr != NULL, &has_local,
					 d) < 0)
			nerr++;
		else if (!has_local)
			host_derive_local(t);	/* `ip -j route show`: main only */
	}
	host_ensure_lo(t);
	if (rule) {
		host_keep_source(t, rule);
		if (host_read_rule_json(t, rule, d) < 0)
			nerr++;
	}
	if (sysctl) {
		host_keep_source(t, sysctl);
		if (host_read_sysctl_txt(t, sysctl, d) < 0)
			nerr++;
	}
	if (listen) {
		host_keep_source(t, listen);
		if (host_read_listen_txt(t, listen, d) < 0)
			nerr++;
	}
	if (nerr) {
		/* Keep the sources (the diagnostics point into them), drop
		 * everything read. */
		size_t i;

		for (i = 0; i < t->nsrcs; i++)
			host_keep_source(h, t->srcs[i]);
		t->nsrcs = 0;
		ipts_hostdesc_free(t);
		return -1;
	}
	host_take(h, t);
	h->touched = true;
	return 0;
}
