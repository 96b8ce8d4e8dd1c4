/*
 * names.c - the firewall host's own name files, given on the command line
 * (--hosts, --passwd, --group): hosts(5), passwd(5) and group(5) lines
 * turned into tables that xt.c and xt_entry.c ask instead of this
 * machine's resolver and NSS. A line these formats do not allow is an
 * error at its place, as a bad rule line is.
 */
#include "parser_int.h"

#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* One name with one number: a host's IPv4 address, a uid or a gid. */
struct name_ent {
	char *name;
	uint32_t num;			/* an address in network order */
	uint32_t order;			/* its place in the file */
};

struct name_tab {
	struct name_ent *v;
	size_t n, cap;
	bool fold;			/* host names: case does not count */
};

struct ipts_names {
	struct name_tab hosts, users, groups;
};

static void tab_add(struct name_tab *t, const char *name, size_t len,
		    uint32_t num)
{
	struct name_ent *e;

	if (t->n == t->cap) {
		t->cap = t->cap ? t->cap * 2 : 64;
		t->v = ipts_xrealloc(t->v, t->cap * sizeof(*t->v));
	}
	e = &t->v[t->n];
	e->name = ipts_xmalloc(len + 1);
	memcpy(e->name, name, len);
	e->name[len] = '\0';
	e->num = num;
	e->order = (uint32_t)t->n++;
}

static int cmp_fold(const void *a, const void *b)
{
	const struct name_ent *x = a, *y = b;
	int c = strcasecmp(x->name, y->name);

	return c ? c : (x->order > y->order) - (x->order < y->order);
}

static int cmp_exact(const void *a, const void *b)
{
	const struct name_ent *x = a, *y = b;
	int c = strcmp(x->name, y->name);

	return c ? c : (x->order > y->order) - (x->order < y->order);
}

/* Sorted by name, then by place in the file: a name's run is in order. */
static void tab_sort(struct name_tab *t)
{
	if (t->n)
		qsort(t->v, t->n, sizeof(*t->v), t->fold ? cmp_fold :
		      cmp_exact);
}

/* The first entry of @name, or NULL; its run follows it. */
static const struct name_ent *tab_find(const struct name_tab *t,
				       const char *name)
{
	size_t lo = 0, hi = t->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = t->fold ? strcasecmp(t->v[mid].name, name) :
				  strcmp(t->v[mid].name, name);

		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo < t->n && (t->fold ? strcasecmp(t->v[lo].name, name) :
			  strcmp(t->v[lo].name, name)) == 0)
		return &t->v[lo];
	return NULL;
}

static void tab_free(struct name_tab *t)
{
	size_t i;

	for (i = 0; i < t->n; i++)
		free(t->v[i].name);
	free(t->v);
}

/* -- reading ------------------------------------------------------------ */

/* A line of a names file, walked field by field. */
struct cursor {
	const struct ipts_source *src;
	uint32_t line_off, line;
	const char *p, *end;		/* the rest of the line */
};

static struct ipts_loc cursor_loc(const struct cursor *c, const char *at,
				  size_t len)
{
	struct ipts_loc l;

	l.src = c->src;
	l.off = (uint32_t)(at - c->src->buf);
	l.line = c->line;
	l.col = l.off - c->line_off + 1;
	l.len = (uint32_t)(len ? len : 1);
	return l;
}

/* An error at @len bytes from @at, quoting them (at most 64). */
#define BAD(d, c, at, len, fmt)						\
	do {								\
		struct ipts_loc l_ = cursor_loc(c, at, len);		\
									\
		ipts_diag_add(d, IPTS_ERROR, &l_, fmt,			\
			      (int)((len) > 64 ? 64 : (len)), (at));	\
	} while (0)

/* A decimal uid or gid, as nss_files reads it (strtoul, base 10). */
static bool id_number(const char *s, size_t len, uint32_t *out)
{
	uint64_t v = 0;
	size_t i;

	if (!len || len > 10)
		return false;
	for (i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return false;
		v = v * 10 + (uint64_t)(s[i] - '0');
	}
	if (v > UINT32_MAX)
		return false;
	*out = (uint32_t)v;
	return true;
}

/*
 * hosts(5): an address, then one or more names, blank-separated; '#'
 * starts a comment. IPv6 lines are read and left out (an IPv4 table never
 * uses them).
 */
static void hosts_line(struct name_tab *t, struct cursor *c,
		       struct ipts_diags *d)
{
	const char *hash = memchr(c->p, '#', (size_t)(c->end - c->p));
	const char *p = c->p, *end = hash ? hash : c->end, *w;
	char addr[64];
	struct in_addr a4;
	struct in6_addr a6;
	bool v4, any = false;
	size_t len;

	while (p < end && (*p == ' ' || *p == '\t'))
		p++;
	if (p == end)
		return;
	for (w = p; p < end && *p != ' ' && *p != '\t'; p++)
		;
	len = (size_t)(p - w);
	if (len >= sizeof(addr)) {
		BAD(d, c, w, len, "'%.*s' is not an IPv4 or IPv6 address");
		return;
	}
	memcpy(addr, w, len);
	addr[len] = '\0';
	v4 = inet_pton(AF_INET, addr, &a4) == 1;
	if (!v4 && inet_pton(AF_INET6, addr, &a6) != 1) {
		BAD(d, c, w, len, "'%.*s' is not an IPv4 or IPv6 address");
		return;
	}
	for (;;) {
		const char *n;

		while (p < end && (*p == ' ' || *p == '\t'))
			p++;
		if (p == end)
			break;
		for (n = p; p < end && *p != ' ' && *p != '\t'; p++)
			;
		any = true;
		if (v4)
			tab_add(t, n, (size_t)(p - n), a4.s_addr);
	}
	if (!any)
		BAD(d, c, w, len, "no host name after the address '%.*s'");
}

/*
 * passwd(5) NAME:PASSWORD:UID:GID:GECOS:DIR:SHELL or group(5)
 * NAME:PASSWORD:GID:USERS: the name and the number in field 3. Lines of
 * NIS compat ('+' or '-' first) name no account of their own.
 */
static void id_line(struct name_tab *t, struct cursor *c,
		    struct ipts_diags *d, bool passwd)
{
	const char *f[7], *p;
	unsigned int n = 0, need = passwd ? 7 : 4;
	uint32_t id;
	size_t len;

	if (c->p == c->end || *c->p == '#' || *c->p == '+' || *c->p == '-')
		return;
	f[n++] = c->p;
	for (p = c->p; p < c->end; p++)
		if (*p == ':' && n < 7)
			f[n++] = p + 1;
	if (n < need) {
		BAD(d, c, c->p, (size_t)(c->end - c->p), passwd ?
		    "'%.*s' is no passwd line: NAME:PASSWORD:UID:GID:GECOS:"
		    "DIR:SHELL" : "'%.*s' is no group line: NAME:PASSWORD:"
		    "GID:USERS");
		return;
	}
	len = (size_t)(f[1] - 1 - f[0]);
	if (!len) {
		struct ipts_loc l = cursor_loc(c, f[0], 1);

		ipts_diag_add(d, IPTS_ERROR, &l, "empty %s name", passwd ?
			      "user" : "group");
		return;
	}
	p = memchr(f[2], ':', (size_t)(c->end - f[2]));
	if (!id_number(f[2], (size_t)((p ? p : c->end) - f[2]), &id)) {
		BAD(d, c, f[2], (size_t)((p ? p : c->end) - f[2]),
		    passwd ? "uid '%.*s' is not a number" :
		    "gid '%.*s' is not a number");
		return;
	}
	tab_add(t, f[0], len, id);
}

static void read_file(struct name_tab *t, const struct ipts_source *src,
		      struct ipts_diags *d, int kind)
{
	struct cursor c = { .src = src, .line = 1 };
	const char *p = src->buf, *end = src->buf + src->len;

	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *le = nl ? nl : end;

		c.line_off = (uint32_t)(p - src->buf);
		c.p = p;
		c.end = le > p && le[-1] == '\r' ? le - 1 : le;
		if (kind == 0)
			hosts_line(t, &c, d);
		else
			id_line(t, &c, d, kind == 1);
		c.line++;
		p = nl ? nl + 1 : end;
	}
	tab_sort(t);
}

struct ipts_names *ipts_names_new(const struct ipts_parse_opts *o,
				  struct ipts_diags *d)
{
	struct ipts_names *n;
	size_t before = d->nerrors;

	if (!o->hosts && !o->passwd && !o->group)
		return NULL;
	n = ipts_xcalloc(1, sizeof(*n));
	n->hosts.fold = true;
	if (o->hosts)
		read_file(&n->hosts, o->hosts, d, 0);
	if (o->passwd)
		read_file(&n->users, o->passwd, d, 1);
	if (o->group)
		read_file(&n->groups, o->group, d, 2);
	if (d->nerrors > before) {
		ipts_names_free(n);
		return NULL;
	}
	return n;
}

void ipts_names_free(struct ipts_names *n)
{
	if (!n)
		return;
	tab_free(&n->hosts);
	tab_free(&n->users);
	tab_free(&n->groups);
	free(n);
}

/* glibc's default scope of an IPv4 address (RFC 6724 section 3.2). */
static bool link_local_scope(uint32_t addr)
{
	uint32_t a = ntohl(addr);

	return (a >> 24) == 127 || (a >> 16) == 0xa9fe;
}

unsigned int ipts_names_host(const struct ipts_names *n, const char *name,
			     uint32_t *addrs, unsigned int max)
{
	const struct name_ent *e = n ? tab_find(&n->hosts, name) : NULL;
	const struct name_ent *end = n ? n->hosts.v + n->hosts.n : NULL;
	const struct name_ent *first = e;
	unsigned int k = 0;
	int pass;

	/*
	 * What getaddrinfo() makes of the lines, as the kernel's namespace
	 * shows: every line's address, duplicates kept, in the file's order
	 * but for its RFC 6724 sort, of which, on a host with no route to
	 * them, only rule 8 (smaller scope first: 127/8 and 169.254/16)
	 * tells addresses apart. The firewall's own routes may order them
	 * otherwise: that changes rule numbers, not what the rules do.
	 */
	for (pass = 0; pass < 2; pass++)
		for (e = first; e && e < end && strcasecmp(e->name, name) == 0;
		     e++)
			if (link_local_scope(e->num) == (pass == 0)) {
				if (k < max)
					addrs[k] = e->num;
				k++;
			}
	return k;
}

bool ipts_names_id(const struct ipts_names *n, bool user, const char *name,
		   uint32_t *id)
{
	const struct name_ent *e;

	if (!n)
		return false;
	e = tab_find(user ? &n->users : &n->groups, name);
	if (!e)
		return false;
	*id = e->num;
	return true;
}
