/*
 * diag.c - sources kept in memory and the diagnostics that point into them.
 * Library code only collects; cli/report.c renders.
 */
#include "diag.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

void ipts_oom(void)
{
	fputs("iptsim: out of memory\n", stderr);
	abort();
}

void *ipts_xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);

	if (!p)
		ipts_oom();
	return p;
}

void *ipts_xcalloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size ? size : 1);

	if (!p)
		ipts_oom();
	return p;
}

void *ipts_xrealloc(void *p, size_t n)
{
	p = realloc(p, n ? n : 1);
	if (!p)
		ipts_oom();
	return p;
}

char *ipts_xstrdup(const char *s)
{
	char *p = strdup(s);

	if (!p)
		ipts_oom();
	return p;
}

static struct ipts_source *source_new(const char *name)
{
	struct ipts_source *src = ipts_xcalloc(1, sizeof(*src));

	src->name = ipts_xstrdup(name);
	return src;
}

struct ipts_source *ipts_source_read(const char *path)
{
	struct ipts_source *src;
	FILE *f;
	size_t cap = 65536, n;
	int saved;

	f = strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");
	if (!f)
		return NULL;
	src = source_new(path);
	{
		struct stat st;

		/* A regular file: one allocation of the right size. */
		if (fstat(fileno(f), &st) == 0 && S_ISREG(st.st_mode) &&
		    st.st_size > 0)
			cap = (size_t)st.st_size + 3;
	}
	src->buf = ipts_xmalloc(cap);
	for (;;) {
		if (cap - src->len < 3) {
			cap *= 2;
			src->buf = ipts_xrealloc(src->buf, cap);
		}
		n = fread(src->buf + src->len, 1, cap - src->len - 2, f);
		src->len += n;
		if (n == 0)
			break;
	}
	saved = ferror(f) ? errno : 0;
	if (f != stdin)
		fclose(f);
	if (saved) {
		ipts_source_free(src);
		errno = saved;
		return NULL;
	}
	src->buf[src->len] = '\0';
	src->buf[src->len + 1] = '\0';
	return src;
}

struct ipts_source *ipts_source_from_mem(const char *name, const char *buf,
					 size_t len)
{
	struct ipts_source *src = source_new(name);

	src->buf = ipts_xmalloc(len + 2);
	memcpy(src->buf, buf, len);
	src->buf[len] = '\0';
	src->buf[len + 1] = '\0';
	src->len = len;
	return src;
}

void ipts_source_free(struct ipts_source *src)
{
	if (!src)
		return;
	free(src->name);
	free(src->buf);
	free(src);
}

const char *ipts_source_line(const struct ipts_source *src, uint32_t off,
			     size_t *len)
{
	const char *start, *end;

	if (off > src->len)
		off = (uint32_t)src->len;
	start = src->buf + off;
	while (start > src->buf && start[-1] != '\n')
		start--;
	end = memchr(start, '\n', src->len - (size_t)(start - src->buf));
	if (!end)
		end = src->buf + src->len;
	*len = (size_t)(end - start);
	return start;
}

const char *ipts_severity_name(enum ipts_severity sev)
{
	switch (sev) {
	case IPTS_ERROR:
		return "error";
	case IPTS_WARNING:
		return "warning";
	case IPTS_NOTE:
		return "note";
	}
	return "?";
}

static struct ipts_diag *diag_push(struct ipts_diags *d)
{
	if (d->n == d->cap) {
		d->cap = d->cap ? d->cap * 2 : 16;
		d->v = ipts_xrealloc(d->v, d->cap * sizeof(*d->v));
	}
	memset(&d->v[d->n], 0, sizeof(d->v[0]));
	return &d->v[d->n++];
}

static char *vformat(const char *fmt, va_list ap)
{
	char *s;

	if (vasprintf(&s, fmt, ap) < 0)
		ipts_oom();
	return s;
}

void ipts_diag_vadd(struct ipts_diags *d, enum ipts_severity sev,
		    const struct ipts_loc *loc, const char *fmt, va_list ap)
{
	struct ipts_diag *g = diag_push(d);

	g->sev = sev;
	if (loc)
		g->loc = *loc;
	g->msg = vformat(fmt, ap);
	if (sev == IPTS_ERROR)
		d->nerrors++;
	else if (sev == IPTS_WARNING)
		d->nwarnings++;
}

void ipts_diag_add(struct ipts_diags *d, enum ipts_severity sev,
		   const struct ipts_loc *loc, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	ipts_diag_vadd(d, sev, loc, fmt, ap);
	va_end(ap);
}

void ipts_diag_add_code(struct ipts_diags *d, enum ipts_severity sev,
			const struct ipts_loc *loc, const char *code,
			const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	ipts_diag_vadd(d, sev, loc, fmt, ap);
	va_end(ap);
	d->v[d->n - 1].code = code;
}

void ipts_diag_note(struct ipts_diags *d, const struct ipts_loc *loc,
		    const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	ipts_diag_vadd(d, IPTS_NOTE, loc, fmt, ap);
	va_end(ap);
}

void ipts_diags_free(struct ipts_diags *d)
{
	size_t i;

	for (i = 0; i < d->n; i++)
		free(d->v[i].msg);
	free(d->v);
	memset(d, 0, sizeof(*d));
}

/* A diagnostic and its notes sort as one group, keyed by the diagnostic. */
struct group {
	size_t first, n, seq;
	const char *file;
	uint32_t off;
};

static int group_cmp(const void *a, const void *b)
{
	const struct group *x = a, *y = b;
	int c;

	if (x->file != y->file) {
		c = strcmp(x->file ? x->file : "", y->file ? y->file : "");
		if (c)
			return c;
	}
	if (x->off != y->off)
		return x->off < y->off ? -1 : 1;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

void ipts_diags_sort(struct ipts_diags *d)
{
	struct group *g;
	struct ipts_diag *out;
	size_t i, ng = 0, k = 0;

	if (d->n < 2)
		return;
	g = ipts_xcalloc(d->n, sizeof(*g));
	for (i = 0; i < d->n; i++) {
		/* a note with a code is a finding of its own (lint) */
		if (d->v[i].sev == IPTS_NOTE && !d->v[i].code && ng > 0) {
			g[ng - 1].n++;
			continue;
		}
		g[ng].first = i;
		g[ng].n = 1;
		g[ng].seq = ng;
		g[ng].file = d->v[i].loc.src ? d->v[i].loc.src->name : NULL;
		g[ng].off = d->v[i].loc.off;
		ng++;
	}
	qsort(g, ng, sizeof(*g), group_cmp);
	out = ipts_xmalloc(d->n * sizeof(*out));
	for (i = 0; i < ng; i++) {
		memcpy(&out[k], &d->v[g[i].first], g[i].n * sizeof(*out));
		k += g[i].n;
	}
	free(d->v);
	d->v = out;
	d->cap = d->n;
	free(g);
}
