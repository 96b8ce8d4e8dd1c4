/*
 * diag.c - sources kept in memory and the diagnostics that point into them.
 * Library code only collects; report/report.c renders.
 */
#include "diag.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

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

/*
 * Open @path for reading as a source: "-" is stdin (a pipe is fine there),
 * anything else must be a regular file, and a symbolic link is not followed
 * unless @o says so (O_NOFOLLOW: the last component). O_NONBLOCK keeps a
 * FIFO from blocking the open; the fstat() that follows refuses it.
 */
int ipts_source_open(const char *path, const struct ipts_read_opts *o,
		     char *err, size_t errlen)
{
	struct stat st;
	int fd, flags = O_RDONLY | O_NOCTTY | O_NONBLOCK | O_CLOEXEC;
	uint64_t max = o ? o->max_size : IPTS_READ_MAX_SIZE;

	if (strcmp(path, "-") == 0)
		return STDIN_FILENO;
	if (!o || !o->follow_symlinks)
		flags |= O_NOFOLLOW;
	fd = open(path, flags);
	if (fd < 0) {
		if (errno == ELOOP && !(o && o->follow_symlinks))
			snprintf(err, errlen, "it is a symbolic link, and "
				 "links are not followed (--follow-symlinks "
				 "reads through them)");
		else
			snprintf(err, errlen, "%s", strerror(errno));
		return -1;
	}
	if (fstat(fd, &st) < 0) {
		snprintf(err, errlen, "%s", strerror(errno));
		close(fd);
		return -1;
	}
	if (!S_ISREG(st.st_mode)) {
		snprintf(err, errlen, "not a regular file (%s)",
			 S_ISDIR(st.st_mode) ? "a directory" :
			 S_ISFIFO(st.st_mode) ? "a FIFO" :
			 S_ISCHR(st.st_mode) ? "a character device" :
			 S_ISBLK(st.st_mode) ? "a block device" :
			 S_ISSOCK(st.st_mode) ? "a socket" : "a special file");
		close(fd);
		return -1;
	}
	if (max && (uint64_t)st.st_size > max) {
		snprintf(err, errlen, "the file has %llu bytes, more than the "
			 "limit of %llu (--max-size raises it)",
			 (unsigned long long)st.st_size,
			 (unsigned long long)max);
		close(fd);
		return -1;
	}
	/* Reads block as usual from here on. */
	if (fcntl(fd, F_SETFL, flags & ~O_NONBLOCK) < 0) {
		snprintf(err, errlen, "%s", strerror(errno));
		close(fd);
		return -1;
	}
	return fd;
}

struct ipts_source *ipts_source_load(const char *path,
				     const struct ipts_read_opts *o,
				     char *err, size_t errlen)
{
	uint64_t limit = o ? o->max_size : IPTS_READ_MAX_SIZE;
	struct ipts_source *src;
	size_t cap = 65536;
	struct stat st;
	ssize_t n;
	int fd;

	fd = ipts_source_open(path, o, err, errlen);
	if (fd < 0)
		return NULL;
	src = source_new(path);
	/* A regular file: one allocation of the right size. */
	if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_size > 0 &&
	    (uint64_t)st.st_size < SIZE_MAX - 3)
		cap = (size_t)st.st_size + 3;
	src->buf = ipts_xmalloc(cap);
	for (;;) {
		if (cap - src->len < 3) {
			cap *= 2;
			src->buf = ipts_xrealloc(src->buf, cap);
		}
		n = read(fd, src->buf + src->len, cap - src->len - 2);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			snprintf(err, errlen, "%s", strerror(errno));
			goto fail;
		}
		if (n == 0)
			break;
		src->len += (size_t)n;
		/* A file that grows while read, or standard input. */
		if (limit && src->len > limit) {
			snprintf(err, errlen, "more than the limit of %llu "
				 "bytes (--max-size raises it)",
				 (unsigned long long)limit);
			goto fail;
		}
	}
	if (fd != STDIN_FILENO)
		close(fd);
	src->buf[src->len] = '\0';
	src->buf[src->len + 1] = '\0';
	return src;
fail:
	if (fd != STDIN_FILENO)
		close(fd);
	ipts_source_free(src);
	return NULL;
}

struct ipts_source *ipts_source_read(const char *path)
{
	struct ipts_read_opts o = { .max_size = IPTS_READ_MAX_SIZE };
	char err[256];
	struct ipts_source *src;

	src = ipts_source_load(path, &o, err, sizeof(err));
	if (!src && !errno)
		errno = EINVAL;
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

__attribute__((format(printf, 1, 0)))
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

void ipts_diag_add_msg(struct ipts_diags *d, enum ipts_severity sev,
		       const struct ipts_loc *loc, const char *code, char *msg)
{
	struct ipts_diag *g = diag_push(d);

	g->sev = sev;
	if (loc)
		g->loc = *loc;
	g->code = code;
	g->msg = msg;
	if (sev == IPTS_ERROR)
		d->nerrors++;
	else if (sev == IPTS_WARNING)
		d->nwarnings++;
}

/* A block of the pool: messages one after the other. */
struct ipts_diag_chunk {
	struct ipts_diag_chunk *next;
	size_t used, cap;
	char b[];
};

/* 64 KB less malloc's header: a block is an mmap()-free heap piece */
#define CHUNK_BYTES ((size_t)65536 - 64)

/* @n bytes of @d's pool. */
static char *pool_alloc(struct ipts_diags *d, size_t n)
{
	struct ipts_diag_chunk *c = d->pool;
	size_t room = CHUNK_BYTES - sizeof(*c);

	if (!c || c->cap - c->used < n) {
		/* a message larger than a quarter block: a block its size,
		 * behind the current one (whose room stays in use) */
		size_t cap = n > room / 4 ? n : room;

		if (cap > SIZE_MAX - sizeof(*c))
			ipts_oom();
		c = ipts_xmalloc(sizeof(*c) + cap);
		c->used = 0;
		c->cap = cap;
		if (cap == room || !d->pool) {
			c->next = d->pool;
			d->pool = c;
		} else {
			c->next = d->pool->next;
			d->pool->next = c;
		}
	}
	c->used += n;
	return c->b + c->used - n;
}

void ipts_diag_add_text(struct ipts_diags *d, enum ipts_severity sev,
			const struct ipts_loc *loc, const char *code,
			const char *msg, size_t n)
{
	char *s;
	struct ipts_diag *g;

	if (n == SIZE_MAX)
		ipts_oom();
	s = pool_alloc(d, n + 1);
	memcpy(s, msg, n);
	s[n] = '\0';
	g = diag_push(d);
	g->sev = sev;
	if (loc)
		g->loc = *loc;
	g->code = code;
	g->msg = s;
	g->pooled = true;
	if (sev == IPTS_ERROR)
		d->nerrors++;
	else if (sev == IPTS_WARNING)
		d->nwarnings++;
}

void ipts_diag_add_pooled(struct ipts_diags *d, enum ipts_severity sev,
			  const struct ipts_loc *loc, const char *code,
			  char *msg)
{
	ipts_diag_add_msg(d, sev, loc, code, msg);
	d->v[d->n - 1].pooled = true;
}

static void pool_free(struct ipts_diag_chunk *c)
{
	while (c) {
		struct ipts_diag_chunk *next = c->next;

		free(c);
		c = next;
	}
}

void ipts_diag_note(struct ipts_diags *d, const struct ipts_loc *loc,
		    const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	ipts_diag_vadd(d, IPTS_NOTE, loc, fmt, ap);
	va_end(ap);
}

void ipts_diags_move(struct ipts_diags *to, struct ipts_diags *from)
{
	size_t i, ne = to->nerrors, nw = to->nwarnings;

	/* into an empty list (one file's lint: 185,000 findings and notes
	 * on the flat file) the vector itself, not a copy */
	if (!to->n) {
		free(to->v);
		pool_free(to->pool); /* holds no message of a diagnostic */
		*to = *from;
		to->nerrors += ne;
		to->nwarnings += nw;
		memset(from, 0, sizeof(*from));
		return;
	}
	for (i = 0; i < from->n; i++)
		*diag_push(to) = from->v[i];
	/* from's blocks behind to's: to's current block stays first */
	if (from->pool) {
		struct ipts_diag_chunk **tail = to->pool ? &to->pool->next :
							   &to->pool;
		struct ipts_diag_chunk *last = from->pool;

		while (last->next)
			last = last->next;
		last->next = *tail;
		*tail = from->pool;
	}
	to->nerrors += from->nerrors;
	to->nwarnings += from->nwarnings;
	free(from->v);
	memset(from, 0, sizeof(*from));
}

void ipts_diag_hide_source(struct ipts_diags *d)
{
	if (d->n)
		d->v[d->n - 1].hide_source = true;
}

void ipts_diags_free(struct ipts_diags *d)
{
	size_t i;

	for (i = 0; i < d->n; i++)
		if (!d->v[i].pooled)
			free(d->v[i].msg);
	free(d->v);
	pool_free(d->pool);
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
	/* already in order (lint's findings of one chain written in order,
	 * most of the time): the order a sort would give, as group_cmp() is
	 * a total order */
	for (i = 1; i < ng && group_cmp(&g[i - 1], &g[i]) < 0; i++)
		;
	if (i >= ng) {
		free(g);
		return;
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

char *ipts_udigits(char *end, uint64_t v)
{
	static const char pairs[201] = "00010203040506070809"
				       "10111213141516171819"
				       "20212223242526272829"
				       "30313233343536373839"
				       "40414243444546474849"
				       "50515253545556575859"
				       "60616263646566676869"
				       "70717273747576777879"
				       "80818283848586878889"
				       "90919293949596979899";

	/* two digits a division: a line or rule number is five or six */
	while (v >= 100) {
		unsigned int r = (unsigned int)(v % 100);

		v /= 100;
		end -= 2;
		memcpy(end, pairs + 2 * r, 2);
	}
	if (v >= 10) {
		end -= 2;
		memcpy(end, pairs + 2 * v, 2);
	} else {
		*--end = (char)('0' + v);
	}
	return end;
}
