/*
 * read.c - `ipset save` output, as `ipset restore` reads it (ipset's
 * src/ipset.c restore(), lib/parse.c, lib/types.c): one command a line,
 * words split at blanks, a comment's quoted words kept together. Only the
 * two commands `ipset save` prints, create and add, are read; each type's
 * options and element syntax are checked as ipset and the kernel's uadt()
 * check them, so that a file `ipset restore` would refuse is refused here
 * with the line and column. libipset cannot parse without netlink (its
 * type and set lookups ask the kernel), hence this reader.
 */
#include "ipset_int.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NROWS(a) (sizeof(a) / sizeof((a)[0]))

static const struct set_type set_types[] = {
	{ "hash:ip", SET_HASH_IP, 1, { DIM_IP }, 1, false, 4 },
	{ "hash:net", SET_HASH_NET, 1, { DIM_NET }, 1, true, 4 },
	{ "hash:ip,port", SET_HASH_IPPORT, 2, { DIM_IP, DIM_PORT }, 2, false, 4 },
	{ "hash:net,port",
	  SET_HASH_NETPORT,
	  2,
	  { DIM_NET, DIM_PORT },
	  2,
	  true,
	  4 },
	{ "hash:ip,port,ip",
	  SET_HASH_IPPORTIP,
	  3,
	  { DIM_IP, DIM_PORT, DIM_IP },
	  3,
	  false,
	  4 },
	{ "hash:ip,port,net",
	  SET_HASH_IPPORTNET,
	  3,
	  { DIM_IP, DIM_PORT, DIM_NET },
	  3,
	  true,
	  4 },
	{ "hash:net,net", SET_HASH_NETNET, 2, { DIM_NET, DIM_NET }, 2, true, 4 },
	{ "hash:net,iface",
	  SET_HASH_NETIFACE,
	  2,
	  { DIM_NET, DIM_IFACE },
	  2,
	  true,
	  4 },
	/* the mark is no dimension a flag chooses, but the type has two */
	{ "hash:ip,mark", SET_HASH_IPMARK, 2, { DIM_IP, DIM_MARK }, 2, false, 4 },
	{ "hash:mac", SET_HASH_MAC, 1, { DIM_MAC }, 1, false, 0 },
	{ "bitmap:ip", SET_BITMAP_IP, 1, { DIM_IP }, 1, false, 4 },
	{ "bitmap:port", SET_BITMAP_PORT, 1, { DIM_BPORT }, 1, false, 0 },
	{ "list:set", SET_LIST_SET, 1, { DIM_SETNAME }, 1, false, 0 },
	{ "bitmap:ip,mac", SET_UNMODELLED, 2, { DIM_IP }, 0, false, 4 },
	{ "hash:ip,mac", SET_UNMODELLED, 2, { DIM_IP }, 0, false, 4 },
	{ "hash:net,port,net", SET_UNMODELLED, 3, { DIM_IP }, 0, true, 4 },
};

/* lib/icmp.c's names, as `ipset save` prints ICMP "ports". */
static const struct {
	const char *name;
	uint8_t type, code;
} icmp_names[] = {
	{ "echo-reply", 0, 0 },
	{ "pong", 0, 0 },
	{ "network-unreachable", 3, 0 },
	{ "host-unreachable", 3, 1 },
	{ "protocol-unreachable", 3, 2 },
	{ "port-unreachable", 3, 3 },
	{ "fragmentation-needed", 3, 4 },
	{ "source-route-failed", 3, 5 },
	{ "network-unknown", 3, 6 },
	{ "host-unknown", 3, 7 },
	{ "network-prohibited", 3, 9 },
	{ "host-prohibited", 3, 10 },
	{ "TOS-network-unreachable", 3, 11 },
	{ "TOS-host-unreachable", 3, 12 },
	{ "communication-prohibited", 3, 13 },
	{ "host-precedence-violation", 3, 14 },
	{ "precedence-cutoff", 3, 15 },
	{ "source-quench", 4, 0 },
	{ "network-redirect", 5, 0 },
	{ "host-redirect", 5, 1 },
	{ "TOS-network-redirect", 5, 2 },
	{ "TOS-host-redirect", 5, 3 },
	{ "echo-request", 8, 0 },
	{ "ping", 8, 0 },
	{ "router-advertisement", 9, 0 },
	{ "router-solicitation", 10, 0 },
	{ "ttl-zero-during-transit", 11, 0 },
	{ "ttl-zero-during-reassembly", 11, 1 },
	{ "ip-header-bad", 12, 0 },
	{ "required-option-missing", 12, 1 },
	{ "timestamp-request", 13, 0 },
	{ "timestamp-reply", 14, 0 },
	{ "address-mask-request", 17, 0 },
	{ "address-mask-reply", 18, 0 },
};

/* The protocols of a port part by name, as `ipset save` prints them
 * (getprotobynumber() on the host that saved: netbase's names). */
static const struct {
	const char *name;
	uint8_t num;
} proto_names[] = {
	{ "tcp", 6 },	    { "udp", 17 },   { "sctp", 132 },
	{ "udplite", 136 }, { "icmp", 1 },   { "gre", 47 },
	{ "esp", 50 },	    { "ah", 51 },    { "ipv6-icmp", 58 },
	{ "igmp", 2 },	    { "ipip", 4 },   { "ospf", 89 },
	{ "pim", 103 },	    { "vrrp", 112 }, { "l2tp", 115 },
};

#define MAX_WORDS 64

struct word {
	const char *p;
	uint32_t len, off; /* off: in the source */
	/* the line it is on and that line's offset (0: the reader's
	 * current line: a word of an `ipset list` block may be on an
	 * earlier one) */
	uint32_t line, line_off;
};

/* An `ipset list` block being read (list_line()): its Name: and Type:
 * lines, read before its Header: line makes the create. */
struct list_block {
	struct word name_kw, name, type;
	bool open, created, members;
	bool failed; /* its create was refused: the rest is not read */
	bool have_count;
	uint64_t count, nmembers;
};

struct reader {
	const struct ipts_source *src;
	struct ipts_diags *d;
	struct ipts_ipsets *sets;
	uint32_t line, line_off;
	struct word w[MAX_WORDS];
	unsigned int nw;
	int nerr;
	bool seen; /* a line of ipset's commands was read */
	uint64_t dup_work; /* comparisons made against ranged elements */
	/* list:set's "before NAME" or "after NAME" of this add: the
	 * word of NAME (0: none) */
	unsigned int ref_word;
	bool ref_before;
	bool dup_stopped;
	bool list; /* the file is `ipset list` output */
	struct list_block blk;
};

/* Comparisons of ranged elements the duplicate check may make in one
 * file (a capture of 65536 ranges would otherwise cost 2^31). */
#define DUP_WORK_MAX (1u << 24)

static struct ipts_loc word_loc(const struct reader *r, const struct word *w)
{
	uint32_t line = w->line ? w->line : r->line;
	uint32_t line_off = w->line ? w->line_off : r->line_off;
	struct ipts_loc l = { r->src, w->off, line, w->off - line_off + 1,
			      w->len ? w->len : 1 };

	return l;
}

__attribute__((format(printf, 3, 4))) static int
err(struct reader *r, const struct word *w, const char *fmt, ...)
{
	struct ipts_loc l = word_loc(r, w);
	va_list ap;

	va_start(ap, fmt);
	ipts_diag_vadd(r->d, IPTS_ERROR, &l, fmt, ap);
	va_end(ap);
	r->nerr++;
	return -1;
}

static bool word_is(const struct word *w, const char *s)
{
	return w->len == strlen(s) && memcmp(w->p, s, w->len) == 0;
}

/* The word as a NUL-terminated string in @buf; false if it is longer. */
static bool word_str(const struct word *w, char *buf, size_t size)
{
	if (w->len >= size)
		return false;
	memcpy(buf, w->p, w->len);
	buf[w->len] = '\0';
	return true;
}

/* An unsigned number (decimal, or 0x hex as ipset's strtoul(, 0)). */
static bool parse_num(const char *s, uint64_t max, uint64_t *out)
{
	char *end;
	unsigned long long v;

	if (*s < '0' || *s > '9')
		return false;
	errno = 0;
	v = strtoull(s, &end, 0);
	if (errno || *end || v > max)
		return false;
	*out = v;
	return true;
}

static bool word_num(const struct word *w, uint64_t max, uint64_t *out)
{
	char buf[32];

	return word_str(w, buf, sizeof(buf)) && parse_num(buf, max, out);
}

/* Split the line at blanks; a word opening with '"' ends at the next. */
static int split(struct reader *r, const char *p, const char *end)
{
	r->nw = 0;
	while (p < end) {
		const char *s;

		while (p < end && (*p == ' ' || *p == '\t'))
			p++;
		if (p == end)
			break;
		s = p;
		if (*p == '"') {
			p = memchr(p + 1, '"', (size_t)(end - p - 1));
			if (!p) {
				struct word w = { s, 1,
						  (uint32_t)(s - r->src->buf),
						  0, 0 };

				return err(r, &w, "missing closing '\"'");
			}
			p++;
		} else {
			while (p < end && *p != ' ' && *p != '\t')
				p++;
		}
		if (r->nw == MAX_WORDS) {
			struct word w = { s, (uint32_t)(p - s),
					  (uint32_t)(s - r->src->buf), 0, 0 };

			return err(r, &w,
				   "too many words in one line "
				   "(at most %d)",
				   MAX_WORDS);
		}
		r->w[r->nw].p = s;
		r->w[r->nw].len = (uint32_t)(p - s);
		r->w[r->nw].off = (uint32_t)(s - r->src->buf);
		r->w[r->nw].line = r->line;
		r->w[r->nw].line_off = r->line_off;
		r->nw++;
	}
	return 0;
}

static const struct set_type *type_named(const struct word *w)
{
	size_t i;

	for (i = 0; i < NROWS(set_types); i++)
		if (word_is(w, set_types[i].name))
			return &set_types[i];
	return NULL;
}

static struct ipts_ipset *set_named(const struct ipts_ipsets *s,
				    const struct word *w)
{
	return (struct ipts_ipset *)ipts_ipsets_find(s, w->p, w->len);
}

/* A dotted quad, host order. */
static bool parse_ip(const char *s, uint32_t *out)
{
	struct in_addr a;

	if (inet_pton(AF_INET, s, &a) != 1)
		return false;
	*out = ntohl(a.s_addr);
	return true;
}

static uint32_t prefix_mask(unsigned int cidr)
{
	return cidr ? ~(uint32_t)0 << (32 - cidr) : 0;
}

/* "A", "A-B" or "A/N" as a range; false with nothing set if malformed. */
static bool parse_ip_range(const char *s, uint32_t *lo, uint32_t *hi)
{
	char buf[64];
	const char *dash = strchr(s, '-'), *slash = strchr(s, '/');
	uint64_t cidr;

	if (strlen(s) >= sizeof(buf))
		return false;
	strcpy(buf, s);
	if (dash) {
		buf[dash - s] = '\0';
		return parse_ip(buf, lo) && parse_ip(dash + 1, hi) &&
		       *lo <= *hi;
	}
	if (slash) {
		buf[slash - s] = '\0';
		if (!parse_ip(buf, lo) || !parse_num(slash + 1, 32, &cidr))
			return false;
		*lo &= prefix_mask((unsigned int)cidr);
		*hi = *lo | ~prefix_mask((unsigned int)cidr);
		return true;
	}
	if (!parse_ip(buf, lo))
		return false;
	*hi = *lo;
	return true;
}

/* A net part: "A[/N]" or "A-B", the latter split into prefixes as
 * ip_set_range_to_cidr() splits it. Returns how many, 0 if malformed. */
#define MAX_NETS 64

static unsigned int parse_nets(const char *s, uint32_t *addr, uint8_t *cidr)
{
	char buf[64];
	const char *slash = strchr(s, '/');
	uint32_t lo, hi;
	uint64_t c = 32;
	unsigned int n = 0;

	if (strlen(s) >= sizeof(buf))
		return 0;
	strcpy(buf, s);
	if (strchr(s, '-')) {
		if (!parse_ip_range(s, &lo, &hi))
			return 0;
		for (;;) {
			unsigned int len = 32;

			while (len > 0 && (lo & ~prefix_mask(len - 1)) == 0 &&
			       (lo | ~prefix_mask(len - 1)) <= hi)
				len--;
			addr[n] = lo;
			cidr[n++] = (uint8_t)len;
			lo |= ~prefix_mask(len);
			if (lo >= hi || n == MAX_NETS)
				break;
			lo++;
		}
		return n;
	}
	if (slash) {
		buf[slash - s] = '\0';
		if (!parse_num(slash + 1, 32, &c))
			return 0;
	}
	if (!parse_ip(buf, &lo))
		return 0;
	addr[0] = lo & prefix_mask((unsigned int)c);
	cidr[0] = (uint8_t)c;
	return 1;
}

static bool proto_known(uint8_t proto)
{
	return proto == 6 || proto == 17 || proto == 132 || proto == 136;
}

/* "[PROTO:]PORT[-PORT]", "icmp:NAME", "icmp:TYPE/CODE" (lib/parse.c
 * ipset_parse_proto_port()): TCP when no protocol is given. */
static const char *parse_port(const char *s, struct set_elem *e)
{
	const char *colon = strchr(s, ':'), *port = s;
	char name[32];
	uint64_t lo, hi;
	size_t i;

	e->proto = 6;
	if (colon) {
		size_t n = (size_t)(colon - s);
		uint64_t num;

		if (n >= sizeof(name))
			return "unknown protocol";
		memcpy(name, s, n);
		name[n] = '\0';
		for (i = 0; i < NROWS(proto_names); i++)
			if (strcmp(name, proto_names[i].name) == 0)
				break;
		if (i < NROWS(proto_names))
			e->proto = proto_names[i].num;
		else if (parse_num(name, 255, &num) && num)
			e->proto = (uint8_t)num;
		else
			return "unknown protocol";
		port = colon + 1;
	}
	if (e->proto == 1) {
		unsigned int t, c;
		char end;

		for (i = 0; i < NROWS(icmp_names); i++)
			if (strcmp(port, icmp_names[i].name) == 0) {
				e->port_lo = e->port_hi =
					(uint16_t)(icmp_names[i].type << 8 |
						   icmp_names[i].code);
				return NULL;
			}
		if (sscanf(port, "%u/%u%c", &t, &c, &end) != 2 || t > 255 ||
		    c > 255)
			return "invalid ICMP type/code";
		e->port_lo = e->port_hi = (uint16_t)(t << 8 | c);
		return NULL;
	}
	if (strchr(port, '-')) {
		char buf[16];
		const char *dash = strchr(port, '-');

		if ((size_t)(dash - port) >= sizeof(buf))
			return "invalid port range";
		memcpy(buf, port, (size_t)(dash - port));
		buf[dash - port] = '\0';
		if (!parse_num(buf, 65535, &lo) ||
		    !parse_num(dash + 1, 65535, &hi) || lo > hi)
			return "invalid port range";
	} else if (!parse_num(port, 65535, &lo)) {
		return "invalid port (ipset save prints numbers)";
	} else {
		hi = lo;
	}
	/* uadt(): a protocol without ports has port 0 */
	if (!proto_known(e->proto))
		lo = hi = 0;
	e->port_lo = (uint16_t)lo;
	e->port_hi = (uint16_t)hi;
	return NULL;
}

/* bitmap:port's "P" or "P-Q". */
static bool parse_port_range(const char *s, uint32_t *lo, uint32_t *hi)
{
	const char *dash = strchr(s, '-');
	char buf[16];
	uint64_t a, b;

	if (!dash)
		return parse_num(s, 65535, &a) && (*lo = *hi = (uint32_t)a, 1);
	if ((size_t)(dash - s) >= sizeof(buf))
		return false;
	memcpy(buf, s, (size_t)(dash - s));
	buf[dash - s] = '\0';
	if (!parse_num(buf, 65535, &a) || !parse_num(dash + 1, 65535, &b) ||
	    a > b)
		return false;
	*lo = (uint32_t)a;
	*hi = (uint32_t)b;
	return true;
}

static bool parse_mac(const char *s, uint8_t *mac)
{
	unsigned int b[6];
	char end;
	int i;

	if (strlen(s) != 17 ||
	    sscanf(s, "%2x:%2x:%2x:%2x:%2x:%2x%c", &b[0], &b[1], &b[2], &b[3],
		   &b[4], &b[5], &end) != 6)
		return false;
	for (i = 0; i < 6; i++)
		mac[i] = (uint8_t)b[i];
	return true;
}

static void set_push(struct ipts_ipset *set, const struct set_elem *e)
{
	if (set->n == set->cap) {
		set->cap = set->cap ? set->cap * 2 : 16;
		set->v = ipts_xrealloc(set->v, set->cap * sizeof(*set->v));
	}
	set->v[set->n++] = *e;
}

/* How many kernel elements @e stands for (ranges expanded). */
uint64_t ipts_ipset_elem_count(const struct ipts_ipset *set,
			       const struct set_elem *e)
{
	uint64_t n = 1;
	unsigned int i, ip = 0;

	for (i = 0; i < set->type->nparts; i++) {
		enum dim_kind k = set->type->dims[i];

		if (k == DIM_IP) {
			uint32_t step = set->netmask ? ~set->netmask + 1 : 1;

			n *= ((uint64_t)e->hi[ip] - e->lo[ip]) / step + 1;
		}
		if (k == DIM_IP || k == DIM_NET)
			ip++;
		if (k == DIM_PORT || k == DIM_BPORT)
			n *= (uint64_t)e->port_hi - e->port_lo + 1;
	}
	return n;
}

void ipts_ipset_mask6(uint8_t *a, unsigned int cidr)
{
	unsigned int i;

	for (i = 0; i < 16; i++) {
		unsigned int keep = cidr >= 8 * (i + 1) ? 8 :
				    cidr > 8 * i	? cidr - 8 * i :
							  0;

		a[i] &= (uint8_t)(0xff00u >> keep);
	}
}

/*
 * An address part of an inet6 element: hash:ip takes one address (the
 * kernel's uadt() refuses IPSET_ATTR_IP_TO and a CIDR other than /128),
 * a net part "A[/N]" (no range: hash_net6_uadt() refuses it).
 */
static int parse_part6(struct reader *r, const struct word *w,
		       struct ipts_ipset *set, enum dim_kind k, const char *s,
		       struct set_elem *e, unsigned int *ip)
{
	char buf[64];
	const char *slash = strchr(s, '/');
	uint64_t cidr = 128;

	if (k == DIM_IP && (strchr(s, '-') || (slash && strcmp(slash, "/128"))))
		return err(r, w,
			   "plain IP address must be supplied: '%s' (%s of "
			   "family inet6 takes single addresses)",
			   s, set->type->name);
	if (strlen(s) >= sizeof(buf) || strchr(s, '-'))
		return err(r, w,
			   "IP address or IP/cidr must be specified: '%s' "
			   "(inet6 sets take no ranges)",
			   s);
	strcpy(buf, s);
	if (slash) {
		buf[slash - s] = '\0';
		if (!parse_num(slash + 1, 128, &cidr))
			return err(r, w, "invalid prefix length in '%s'", s);
	}
	if (inet_pton(AF_INET6, buf, e->a6[*ip]) != 1)
		return err(r, w, "invalid IPv6 address '%s'", s);
	if (k == DIM_IP) {
		ipts_ipset_mask6(e->a6[*ip], set->netmask6);
		if (set->type->kind == SET_HASH_IP &&
		    !memcmp(e->a6[*ip], "\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0", 16))
			return err(r, w,
				   "hash:ip cannot hold :: (the kernel "
				   "refuses a zero address)");
		e->cidr[*ip] = 128;
	} else {
		if (cidr == 0 && set->type->kind != SET_HASH_NETIFACE)
			return err(r, w, "%s cannot hold a /0 network",
				   set->type->name);
		ipts_ipset_mask6(e->a6[*ip], (unsigned int)cidr);
		e->cidr[*ip] = (uint8_t)cidr;
	}
	(*ip)++;
	return 0;
}

/* One part of an element (the words between commas). */
static int parse_part(struct reader *r, const struct word *w,
		      struct ipts_ipset *set, enum dim_kind k, const char *s,
		      struct set_elem *e, unsigned int *ip, uint32_t *nets,
		      uint8_t *cidrs, unsigned int *nnets)
{
	const char *why;

	switch (k) {
	case DIM_IP:
		if (!parse_ip_range(s, &e->lo[*ip], &e->hi[*ip]))
			return err(r, w, "invalid IPv4 address '%s'", s);
		e->lo[*ip] &= set->netmask;
		e->hi[*ip] &= set->netmask;
		if (set->type->kind == SET_HASH_IP && e->lo[*ip] == 0 &&
		    e->hi[*ip] == 0)
			return err(r, w,
				   "hash:ip cannot hold 0.0.0.0 (the "
				   "kernel refuses a zero address)");
		if (set->type->kind == SET_BITMAP_IP &&
		    (e->lo[*ip] < set->range_lo || e->hi[*ip] > set->range_hi))
			return err(r, w, "'%s' is out of the range of set '%s'",
				   s, set->name);
		(*ip)++;
		return 0;
	case DIM_NET:
		*nnets = parse_nets(s, nets, cidrs);
		if (!*nnets)
			return err(r, w, "invalid IPv4 network '%s'", s);
		if (cidrs[0] == 0 && set->type->kind != SET_HASH_NETIFACE)
			return err(r, w, "%s cannot hold a /0 network",
				   set->type->name);
		e->lo[*ip] = e->hi[*ip] = nets[0];
		e->cidr[*ip] = cidrs[0];
		(*ip)++;
		return 0;
	case DIM_PORT:
		why = parse_port(s, e);
		return why ? err(r, w, "%s: '%s'", why, s) : 0;
	case DIM_BPORT: {
		uint32_t lo, hi;

		if (!parse_port_range(s, &lo, &hi))
			return err(r, w, "invalid port '%s'", s);
		if (lo < set->range_lo || hi > set->range_hi)
			return err(r, w, "'%s' is out of the range of set '%s'",
				   s, set->name);
		e->port_lo = (uint16_t)lo;
		e->port_hi = (uint16_t)hi;
		return 0;
	}
	case DIM_IFACE:
		if (strncmp(s, "physdev:", 8) == 0) {
			e->physdev = true;
			s += 8;
		}
		if (!*s || strlen(s) >= sizeof(e->iface))
			return err(r, w, "invalid interface name '%s'", s);
		strcpy(e->iface, s);
		return 0;
	case DIM_MARK: {
		uint64_t m;

		if (!parse_num(s, UINT32_MAX, &m))
			return err(r, w, "invalid mark '%s'", s);
		e->mark = (uint32_t)m & set->markmask;
		return 0;
	}
	case DIM_MAC:
		if (!parse_mac(s, e->mac))
			return err(r, w, "invalid MAC address '%s'", s);
		if (!memcmp(e->mac, "\0\0\0\0\0\0", 6))
			return err(r, w,
				   "hash:mac cannot hold the zero MAC "
				   "address");
		return 0;
	case DIM_SETNAME: {
		struct word mw = { s, (uint32_t)strlen(s), w->off, w->line,
				   w->line_off };
		const struct ipts_ipset *m = set_named(r->sets, &mw);

		if (!m)
			return err(r, w,
				   "set '%s' does not exist (no create "
				   "line before this one)",
				   s);
		if (m->type->kind == SET_LIST_SET)
			return err(r, w,
				   "list:set '%s' cannot hold list:set "
				   "'%s' (the kernel refuses a loop)",
				   set->name, s);
		e->member = (int)(m - r->sets->v);
		return 0;
	}
	}
	return -1;
}

/* Whether @a and @b have a kernel element in common (data_equal() of
 * one of each): ranges intersect, prefixes and the rest are equal. */
static bool elems_meet(const struct ipts_ipset *set, const struct set_elem *a,
		       const struct set_elem *b)
{
	unsigned int i, ip = 0;

	for (i = 0; i < set->type->nparts; i++) {
		switch (set->type->dims[i]) {
		case DIM_IP:
			if (a->hi[ip] < b->lo[ip] || b->hi[ip] < a->lo[ip])
				return false;
			ip++;
			break;
		case DIM_NET:
			if (a->lo[ip] != b->lo[ip] ||
			    a->cidr[ip] != b->cidr[ip])
				return false;
			ip++;
			break;
		case DIM_PORT:
			if (a->proto != b->proto)
				return false;
			/* fall through */
		case DIM_BPORT:
			if (a->port_hi < b->port_lo || b->port_hi < a->port_lo)
				return false;
			break;
		case DIM_IFACE:
			if (strcmp(a->iface, b->iface) ||
			    a->physdev != b->physdev)
				return false;
			break;
		case DIM_MARK:
			if (a->mark != b->mark)
				return false;
			break;
		case DIM_MAC:
			if (memcmp(a->mac, b->mac, 6))
				return false;
			break;
		case DIM_SETNAME:
			if (a->member != b->member)
				return false;
			break;
		}
	}
	return true;
}

static bool elem_ranged(const struct set_elem *e)
{
	return e->lo[0] != e->hi[0] || e->lo[1] != e->hi[1] ||
	       e->port_lo != e->port_hi;
}

/* FNV-1a of what data_equal() compares. */
static uint32_t elem_hash(const struct set_elem *e)
{
	struct {
		uint32_t lo[2], mark;
		int32_t member;
		uint16_t port;
		uint8_t cidr[2], proto, physdev, mac[6];
		char iface[16];
		uint8_t a6[2][16];
	} k;
	const unsigned char *b = (const unsigned char *)&k;
	uint32_t h = 2166136261u;
	size_t i;

	memset(&k, 0, sizeof(k));
	memcpy(k.lo, e->lo, sizeof(k.lo));
	k.mark = e->mark;
	k.member = e->member;
	k.port = e->port_lo;
	memcpy(k.cidr, e->cidr, sizeof(k.cidr));
	k.proto = e->proto;
	k.physdev = e->physdev;
	memcpy(k.mac, e->mac, 6);
	memcpy(k.iface, e->iface, sizeof(k.iface));
	memcpy(k.a6, e->a6, sizeof(k.a6));
	for (i = 0; i < sizeof(k); i++)
		h = (h ^ b[i]) * 16777619u;
	return h;
}

static void dup_insert(struct ipts_ipset *set, uint32_t idx)
{
	size_t i, mask;

	if (elem_ranged(&set->v[idx])) {
		if (set->nranged == set->ranged_cap) {
			set->ranged_cap = set->ranged_cap ?
						  2 * set->ranged_cap :
						  16;
			set->ranged = ipts_xrealloc(set->ranged,
						    set->ranged_cap *
							    sizeof(uint32_t));
		}
		set->ranged[set->nranged++] = idx;
		return;
	}
	if (2 * (set->dup_n + 1) > set->dup_cap) {
		uint32_t *old = set->dup_tab;
		size_t ocap = set->dup_cap, j;

		set->dup_cap = ocap ? 2 * ocap : 64;
		set->dup_tab = ipts_xcalloc(set->dup_cap, sizeof(uint32_t));
		set->dup_n = 0;
		for (j = 0; j < ocap; j++)
			if (old[j]) {
				mask = set->dup_cap - 1;
				i = elem_hash(&set->v[old[j] - 1]) & mask;
				while (set->dup_tab[i])
					i = (i + 1) & mask;
				set->dup_tab[i] = old[j];
				set->dup_n++;
			}
		free(old);
	}
	mask = set->dup_cap - 1;
	i = elem_hash(&set->v[idx]) & mask;
	while (set->dup_tab[i])
		i = (i + 1) & mask;
	set->dup_tab[i] = idx + 1;
	set->dup_n++;
}

/* An element of @set that @e meets, or NULL. */
static const struct set_elem *dup_find(struct reader *r,
				       const struct ipts_ipset *set,
				       const struct set_elem *e)
{
	size_t i;

	if (!elem_ranged(e) && set->dup_cap) {
		size_t mask = set->dup_cap - 1;

		for (i = elem_hash(e) & mask; set->dup_tab[i];
		     i = (i + 1) & mask)
			if (elems_meet(set, &set->v[set->dup_tab[i] - 1], e))
				return &set->v[set->dup_tab[i] - 1];
	}
	if (elem_ranged(e)) {
		/* every element so far */
		if (r->dup_work + set->n > DUP_WORK_MAX)
			goto stop;
		r->dup_work += set->n;
		for (i = 0; i < set->n; i++)
			if (elems_meet(set, &set->v[i], e))
				return &set->v[i];
		return NULL;
	}
	if (r->dup_work + set->nranged > DUP_WORK_MAX)
		goto stop;
	r->dup_work += set->nranged;
	for (i = 0; i < set->nranged; i++)
		if (elems_meet(set, &set->v[set->ranged[i]], e))
			return &set->v[set->ranged[i]];
	return NULL;
stop:
	if (!r->dup_stopped) {
		struct ipts_loc l = word_loc(r, &r->w[2]);

		r->dup_stopped = true;
		ipts_diag_add(r->d, IPTS_WARNING, &l,
			      "too many ranged elements: an element added "
			      "twice is not looked for from here on");
	}
	return NULL;
}

/* Add @e to @set unless it has a kernel element already, as `ipset
 * restore` refuses it (mtype_add(): -IPSET_ERR_EXIST). */
static int add_elem(struct reader *r, struct ipts_ipset *set,
		    const struct set_elem *e, const struct word *w)
{
	const struct set_elem *old = dup_find(r, set, e);

	if (old) {
		struct ipts_loc l = word_loc(r, w);

		err(r, w,
		    "Element cannot be added to the set: it's already added");
		if (old->line)
			ipts_diag_note(r->d, &l,
				       "set '%s' holds it from line %u",
				       set->name, old->line);
		return -1;
	}
	set_push(set, e);
	set->v[set->n - 1].line = r->line;
	dup_insert(set, (uint32_t)(set->n - 1));
	return 0;
}

/*
 * list:set's add: a member once (list_set_uadd(): "it's already added"),
 * at the end, or before or after the member named (which must be in the
 * list: ipset restore refuses the line otherwise).
 */
static int add_member(struct reader *r, struct ipts_ipset *set,
		      const struct set_elem *e, const struct word *w)
{
	size_t i, at = set->n;

	for (i = 0; i < set->n; i++)
		if (set->v[i].member == e->member)
			return err(r, w,
				   "Element cannot be added to the set: it's "
				   "already added");
	if (r->ref_word) {
		const struct word *rw = &r->w[r->ref_word];
		const struct ipts_ipset *ref = set_named(r->sets, rw);

		for (i = 0; ref && i < set->n; i++)
			if (&r->sets->v[set->v[i].member] == ref)
				break;
		if (!ref || i == set->n)
			return err(r, rw,
				   "The set to which you referred with "
				   "'before' or 'after' is not added to the "
				   "set.");
		at = r->ref_before ? i : i + 1;
	}
	set_push(set, e);
	memmove(&set->v[at + 1], &set->v[at],
		(set->n - 1 - at) * sizeof(*set->v));
	set->v[at] = *e;
	set->v[at].line = r->line;
	set->count++;
	return 0;
}

static void dup_free(struct ipts_ipset *set)
{
	free(set->dup_tab);
	free(set->ranged);
	set->dup_tab = set->ranged = NULL;
	set->dup_cap = set->dup_n = set->nranged = set->ranged_cap = 0;
}

/* The options after an element (lib/types.c: each type's ADT options). */
static int elem_options(struct reader *r, struct ipts_ipset *set,
			struct set_elem *e, unsigned int i)
{
	for (; i < r->nw; i++) {
		const struct word *w = &r->w[i];
		const struct word *arg = i + 1 < r->nw ? &r->w[i + 1] : NULL;
		uint64_t v;

		if (word_is(w, "nomatch") && set->type->nomatch) {
			e->nomatch = true;
		} else if ((word_is(w, "before") || word_is(w, "after")) &&
			   set->type->kind == SET_LIST_SET && arg) {
			r->ref_word = i + 1;
			r->ref_before = w->p[0] == 'b';
			i++;
		} else if (word_is(w, "wildcard") &&
			   set->type->kind == SET_HASH_NETIFACE) {
			e->wildcard = true;
		} else if (word_is(w, "timeout") && set->timeout) {
			if (!arg || !word_num(arg, UINT32_MAX / 1000, &v))
				return err(r, arg ? arg : w,
					   "timeout needs a "
					   "number of seconds");
			e->timeout = (uint32_t)v;
			i++;
		} else if ((word_is(w, "packets") || word_is(w, "bytes")) &&
			   set->counters) {
			if (!arg || !word_num(arg, UINT64_MAX, &v))
				return err(r, arg ? arg : w,
					   "%.*s needs a "
					   "number",
					   (int)w->len, w->p);
			e->has_counters = true;
			*(w->p[0] == 'p' ? &e->packets : &e->bytes) = v;
			i++;
		} else if (word_is(w, "comment") && set->comment) {
			if (!arg || arg->p[0] != '"')
				return err(r, arg ? arg : w,
					   "comment needs a "
					   "quoted text");
			i++;
		} else if (word_is(w, "skbmark") && set->skbinfo) {
			/* "MARK" or "MARK/MASK" (lib/parse.c
			 * ipset_parse_skbmark()): the mask is all ones
			 * without one */
			char b[64], *slash;
			uint64_t mk, mask = UINT32_MAX;

			if (!arg || !word_str(arg, b, sizeof(b)))
				return err(r, arg ? arg : w,
					   "skbmark needs a value");
			slash = strchr(b, '/');
			if (slash)
				*slash = '\0';
			if (!parse_num(b, UINT32_MAX, &mk) ||
			    (slash && !parse_num(slash + 1, UINT32_MAX, &mask)))
				return err(r, arg, "invalid skbmark '%.*s'",
					   (int)arg->len, arg->p);
			e->skbmark = (uint32_t)mk;
			e->skbmarkmask = (uint32_t)mask;
			i++;
		} else if ((word_is(w, "skbprio") || word_is(w, "skbqueue")) &&
			   set->skbinfo) {
			if (!arg)
				return err(r, w, "%.*s needs a value",
					   (int)w->len, w->p);
			i++;
		} else {
			return err(r, w,
				   "unknown option '%.*s' for an element "
				   "of %s set '%s'",
				   (int)w->len, w->p, set->type->name,
				   set->name);
		}
	}
	return 0;
}

/* The add of an inet6 set: one element, no ranges of addresses. */
static int cmd_add6(struct reader *r, struct ipts_ipset *set,
		    const struct word *w)
{
	struct set_elem e = { .member = -1 };
	char buf[256], *part, *save = NULL;
	unsigned int k = 0, ip = 0, nn = 1;
	uint32_t nets[MAX_NETS];
	uint8_t cidrs[MAX_NETS];

	if (!word_str(w, buf, sizeof(buf)))
		return err(r, w, "element too long");
	for (part = strtok_r(buf, ",", &save); part;
	     part = strtok_r(NULL, ",", &save), k++) {
		enum dim_kind d;

		if (k == set->type->nparts)
			return err(r, w,
				   "too many parts in element '%.*s' "
				   "of %s",
				   (int)w->len, w->p, set->type->name);
		d = set->type->dims[k];
		if (d == DIM_IP || d == DIM_NET) {
			if (parse_part6(r, w, set, d, part, &e, &ip) < 0)
				return -1;
		} else if (parse_part(r, w, set, d, part, &e, &ip, nets, cidrs,
				      &nn) < 0) {
			return -1;
		}
	}
	if (k < set->type->nparts)
		return err(r, w, "element '%.*s' of %s needs %u parts",
			   (int)w->len, w->p, set->type->name,
			   set->type->nparts);
	r->ref_word = 0;
	if (elem_options(r, set, &e, 3) < 0)
		return -1;
	set->count += ipts_ipset_elem_count(set, &e);
	if (set->count > set->maxelem)
		return err(r, w, "set '%s' is full: more than %llu elements",
			   set->name, (unsigned long long)set->maxelem);
	return add_elem(r, set, &e, w);
}

static int cmd_add(struct reader *r)
{
	struct set_elem e = { .member = -1 };
	struct ipts_ipset *set;
	const struct word *w;
	char buf[256], *part, *save = NULL;
	uint32_t nets[2][MAX_NETS];
	uint8_t cidrs[2][MAX_NETS];
	unsigned int k = 0, ip = 0, nn[2] = { 1, 1 }, a, b, nnet = 0;

	if (r->nw < 3)
		return err(r, &r->w[0], "add needs a set name and an element");
	set = set_named(r->sets, &r->w[1]);
	if (!set)
		return err(r, &r->w[1],
			   "set '%.*s' does not exist (no create "
			   "line before this one)",
			   (int)r->w[1].len, r->w[1].p);
	w = &r->w[2];
	if (set->type->kind == SET_UNMODELLED) {
		set->count++;
		return 0;
	}
	if (set->family == 6)
		return cmd_add6(r, set, w);
	if (!word_str(w, buf, sizeof(buf)))
		return err(r, w, "element too long");
	for (part = strtok_r(buf, ",", &save); part;
	     part = strtok_r(NULL, ",", &save), k++) {
		unsigned int *cnt = nnet < 2 ? &nn[nnet] : &nn[1];

		if (k == set->type->nparts)
			return err(r, w,
				   "too many parts in element '%.*s' "
				   "of %s",
				   (int)w->len, w->p, set->type->name);
		if (parse_part(r, w, set, set->type->dims[k], part, &e, &ip,
			       nets[nnet < 2 ? nnet : 1],
			       cidrs[nnet < 2 ? nnet : 1], cnt) < 0)
			return -1;
		if (set->type->dims[k] == DIM_NET)
			nnet++;
	}
	if (k < set->type->nparts)
		return err(r, w, "element '%.*s' of %s needs %u parts",
			   (int)w->len, w->p, set->type->name,
			   set->type->nparts);
	r->ref_word = 0;
	if (elem_options(r, set, &e, 3) < 0)
		return -1;
	if (set->type->kind == SET_LIST_SET)
		return add_member(r, set, &e, w);
	/* one element per prefix of a net range (two net parts: each pair) */
	for (a = 0; a < nn[0]; a++) {
		for (b = 0; b < (nnet == 2 ? nn[1] : 1); b++) {
			unsigned int ni = 0;

			for (k = 0, ip = 0; k < set->type->nparts; k++) {
				enum dim_kind d = set->type->dims[k];

				if (d == DIM_NET) {
					unsigned int j = ni++ ? b : a;

					e.lo[ip] = e.hi[ip] = nets[ni - 1][j];
					e.cidr[ip] = cidrs[ni - 1][j];
				}
				if (d == DIM_IP || d == DIM_NET)
					ip++;
			}
			set->count += ipts_ipset_elem_count(set, &e);
			if (set->count > set->maxelem &&
			    set->type->kind != SET_LIST_SET)
				return err(r, w,
					   "set '%s' is full: more than "
					   "%llu elements",
					   set->name,
					   (unsigned long long)set->maxelem);
			if (add_elem(r, set, &e, w) < 0)
				return -1;
		}
	}
	return 0;
}

/* The options of `create` (lib/types.c: each type's CREATE options). */
static int create_options(struct reader *r, struct ipts_ipset *set)
{
	const struct set_type *t = set->type;
	bool hash = t->name[0] == 'h', bitmap = t->name[0] == 'b';
	bool has_range = false;
	unsigned int i;

	for (i = 3; i < r->nw; i++) {
		const struct word *w = &r->w[i];
		const struct word *arg = i + 1 < r->nw ? &r->w[i + 1] : NULL;
		char buf[64];
		uint64_t v;

		if (word_is(w, "counters")) {
			set->counters = true;
			continue;
		}
		if (word_is(w, "comment")) {
			set->comment = true;
			continue;
		}
		if (word_is(w, "skbinfo")) {
			set->skbinfo = true;
			continue;
		}
		if (hash && word_is(w, "forceadd"))
			continue;
		if (!((word_is(w, "family") && hash && t->family) ||
		      (word_is(w, "timeout")) ||
		      (hash &&
		       (word_is(w, "hashsize") || word_is(w, "maxelem") ||
			word_is(w, "bucketsize") || word_is(w, "initval"))) ||
		      (word_is(w, "netmask") &&
		       (t->kind == SET_HASH_IP || t->kind == SET_BITMAP_IP)) ||
		      (word_is(w, "markmask") && t->kind == SET_HASH_IPMARK) ||
		      (word_is(w, "range") && bitmap) ||
		      (word_is(w, "size") && t->kind == SET_LIST_SET)))
			return err(r, w, "unknown option '%.*s' for %s",
				   (int)w->len, w->p, t->name);
		if (!arg || !word_str(arg, buf, sizeof(buf)))
			return err(r, arg ? arg : w,
				   "option '%.*s' needs a "
				   "value",
				   (int)w->len, w->p);
		i++;
		if (word_is(w, "family")) {
			if (strcmp(buf, "inet") == 0)
				set->family = 4;
			else if (strcmp(buf, "inet6") == 0)
				set->family = 6;
			else
				return err(r, arg,
					   "unknown family '%s' (inet "
					   "or inet6)",
					   buf);
		} else if (word_is(w, "netmask")) {
			unsigned int max = set->family == 6 ? 128 : 32;

			if (!parse_num(buf, max, &v) || v == 0)
				return err(r, arg,
					   "invalid netmask '%s' "
					   "(1-%u)",
					   buf, max);
			set->netmask6 = (uint8_t)v;
			set->netmask = prefix_mask(v > 32 ? 32 : (unsigned)v);
		} else if (word_is(w, "markmask")) {
			if (!parse_num(buf, UINT32_MAX, &v) || v == 0)
				return err(r, arg, "invalid markmask '%s'",
					   buf);
			set->markmask = (uint32_t)v;
		} else if (word_is(w, "range")) {
			uint32_t lo, hi;

			if (t->kind == SET_BITMAP_IP ?
				    !parse_ip_range(buf, &lo, &hi) :
				    !parse_port_range(buf, &lo, &hi))
				return err(r, arg, "invalid range '%s'", buf);
			if (lo > hi ||
			    (t->kind == SET_BITMAP_PORT && hi > 65535) ||
			    (t->kind == SET_BITMAP_IP &&
			     (uint64_t)hi - lo >= 65536))
				return err(r, arg,
					   "invalid range '%s' (at "
					   "most 65536 elements)",
					   buf);
			set->range_lo = lo;
			set->range_hi = hi;
			has_range = true;
		} else if (word_is(w, "initval")) {
			if (!parse_num(buf, UINT32_MAX, &v))
				return err(r, arg, "invalid initval '%s'", buf);
		} else {
			if (!parse_num(buf, UINT32_MAX, &v))
				return err(r, arg,
					   "option '%.*s' needs a "
					   "number",
					   (int)w->len, w->p);
			if (word_is(w, "timeout")) {
				set->timeout = true;
				set->timeout_dflt = (uint32_t)v;
			} else if (word_is(w, "maxelem") || word_is(w, "size"))
				set->maxelem = v ? v : set->maxelem;
		}
	}
	if (bitmap && !has_range)
		return err(r, &r->w[2], "%s needs a range", t->name);
	if (t->kind == SET_BITMAP_IP && set->netmask != ~(uint32_t)0) {
		set->range_lo &= set->netmask;
		set->range_hi &= set->netmask;
	}
	return 0;
}

static int cmd_create(struct reader *r)
{
	const struct set_type *t;
	struct ipts_ipset *set, *old;
	const struct word *w = &r->w[1];

	if (r->nw < 3)
		return err(r, &r->w[0], "create needs a set name and a type");
	if (w->len > 31)
		return err(r, w, "set name too long: at most 31 characters");
	old = set_named(r->sets, w);
	if (old) {
		err(r, w, "set '%s' is created twice", old->name);
		ipts_diag_note(r->d, &old->loc, "first created here");
		return -1;
	}
	t = type_named(&r->w[2]);
	if (!t)
		return err(r, &r->w[2], "unknown set type '%.*s'",
			   (int)r->w[2].len, r->w[2].p);
	if (r->sets->n == r->sets->cap) {
		r->sets->cap = r->sets->cap ? r->sets->cap * 2 : 8;
		r->sets->v = ipts_xrealloc(r->sets->v,
					   r->sets->cap * sizeof(*r->sets->v));
	}
	set = &r->sets->v[r->sets->n];
	memset(set, 0, sizeof(*set));
	memcpy(set->name, w->p, w->len);
	set->type = t;
	set->family = t->family;
	set->netmask = ~(uint32_t)0;
	set->netmask6 = 128;
	set->markmask = ~(uint32_t)0;
	set->maxelem = t->kind == SET_LIST_SET ? 8 : 65536;
	set->loc = word_loc(r, &r->w[0]);
	set->loc.len = (uint32_t)(r->w[r->nw - 1].off + r->w[r->nw - 1].len -
				  r->w[0].off);
	if (t->kind == SET_UNMODELLED) {
		struct ipts_loc l = word_loc(r, &r->w[2]);

		r->sets->n++;
		ipts_diag_add(r->d, IPTS_WARNING, &l,
			      "set type '%s' is not "
			      "modelled: rules testing set '%s' stay "
			      "undetermined",
			      t->name, set->name);
		return 0;
	}
	if (create_options(r, set) < 0)
		return -1;
	if (set->family == 6 && t->kind == SET_BITMAP_IP)
		return err(r, &r->w[2], "bitmap:ip has no family inet6");
	r->sets->n++;
	return 0;
}

/*
 * The first command decides whether the file is ipset's at all: one that
 * is not (a config file named by mistake) is refused at once, its lines
 * never echoed, as a rules file that is no iptables-save text is.
 */
static int first_command(struct reader *r, const char *p, const char *end)
{
	static const char *const cmds[] = { "create",  "add",	"del",
					    "destroy", "flush", "rename",
					    "swap",    NULL };
	const char *s;
	size_t n, i;

	while (p < end && (*p == ' ' || *p == '\t'))
		p++;
	if (p == end || *p == '#')
		return 0;
	for (s = p; s < end && *s != ' ' && *s != '\t'; s++)
		;
	n = (size_t)(s - p);
	for (i = 0; cmds[i]; i++)
		if (n == strlen(cmds[i]) && memcmp(p, cmds[i], n) == 0) {
			r->seen = true;
			return 0;
		}
	{
		struct ipts_loc l = {
			r->src, (uint32_t)(p - r->src->buf), r->line,
			(uint32_t)(p - r->src->buf) - r->line_off + 1, 1
		};

		ipts_diag_add(r->d, IPTS_ERROR, &l,
			      "not `ipset save` output: its first command is "
			      "neither create nor add");
		ipts_diag_hide_source(r->d);
	}
	r->nerr = 20; /* read no further */
	return -1;
}

/* Refuse a control character in [p, end): -1 after its error. */
static int no_controls(struct reader *r, const char *p, const char *end)
{
	const char *q;

	for (q = p; q < end; q++) {
		unsigned char c = (unsigned char)*q;

		if ((c < 0x20 && c != '\t') || c == 0x7f) {
			struct word bad = { q, 1, (uint32_t)(q - r->src->buf),
					    0, 0 };

			return err(r, &bad,
				   "control character 0x%02x in an "
				   "ipset line",
				   c);
		}
	}
	return 0;
}

static int line(struct reader *r, const char *p, const char *end)
{
	const struct word *w;

	if (!r->seen && first_command(r, p, end) < 0)
		return -1;
	if (no_controls(r, p, end) < 0 || split(r, p, end) < 0)
		return -1;
	if (r->nw == 0 || r->w[0].p[0] == '#')
		return 0;
	w = &r->w[0];
	if (word_is(w, "create"))
		return cmd_create(r);
	if (word_is(w, "add"))
		return cmd_add(r);
	if (word_is(w, "del") || word_is(w, "destroy") || word_is(w, "flush") ||
	    word_is(w, "rename") || word_is(w, "swap") || w->p[0] == '-')
		return err(r, w,
			   "'%.*s' is not read: give the output of "
			   "`ipset save` (create and add lines)",
			   (int)w->len, w->p);
	return err(r, w,
		   "unknown ipset command '%.*s' (ipset save prints "
		   "create and add lines)",
		   (int)w->len, w->p);
}

/*
 * `ipset list` output, read as the `ipset save` text it lists: a block
 * per set ("Name: S", "Type: T", "Revision: N", "Header: OPTIONS",
 * "Size in memory: N", "References: N", "Number of entries: N",
 * "Members:", then an element a line) is the line "create S T OPTIONS"
 * and an "add S ELEMENT" per member, each word diagnosed where it is in
 * the listing. A block whose members are fewer than its "Number of
 * entries" (`ipset list -t`, a cut listing) is refused: its sets would
 * answer as if those elements were not there.
 */
static int list_end(struct reader *r)
{
	struct list_block *b = &r->blk;
	int rc = 0;

	if (!b->open)
		return 0;
	if (b->failed)
		;
	else if (!b->created)
		rc = err(r, &b->name_kw,
			 "set '%.*s' has no Header: line (give the whole "
			 "`ipset list` output, or `ipset save`)",
			 (int)b->name.len, b->name.p);
	else if (!b->members || (b->have_count && b->nmembers != b->count))
		rc = err(r, &b->name_kw,
			 "set '%.*s' lists %llu of its %llu entries (`ipset "
			 "list -t` or a cut listing): give the whole output, "
			 "or `ipset save`",
			 (int)b->name.len, b->name.p,
			 (unsigned long long)b->nmembers,
			 (unsigned long long)b->count);
	memset(b, 0, sizeof(*b));
	return rc;
}

static bool list_key(const struct reader *r, const char *key)
{
	size_t n = strlen(key);

	return r->w[0].len >= n && memcmp(r->w[0].p, key, n) == 0;
}

static int list_line(struct reader *r, const char *p, const char *end)
{
	struct list_block *b = &r->blk;
	uint64_t v;

	if (no_controls(r, p, end) < 0 || split(r, p, end) < 0)
		return -1;
	if (r->nw == 0)
		return list_end(r);
	if (word_is(&r->w[0], "Name:")) {
		if (list_end(r) < 0)
			return -1;
		if (r->nw != 2)
			return err(r, &r->w[0], "Name: takes one set name");
		b->open = true;
		b->name_kw = r->w[0];
		b->name = r->w[1];
		return 0;
	}
	if (!b->open)
		return err(r, &r->w[0],
			   "an `ipset list` line outside a set's block "
			   "(each opens with Name:)");
	if (b->failed)
		return 0;
	if (b->members) {
		/* "add NAME ELEMENT OPTIONS": the element's words as they are */
		if (r->nw + 2 > MAX_WORDS)
			return err(r, &r->w[0], "too many words in one line");
		memmove(&r->w[2], &r->w[0], r->nw * sizeof(r->w[0]));
		r->w[0] = r->w[2];
		r->w[0].len = 0;
		r->w[1] = b->name;
		r->nw += 2;
		b->nmembers++;
		return cmd_add(r);
	}
	if (word_is(&r->w[0], "Type:")) {
		if (r->nw != 2)
			return err(r, &r->w[0], "Type: takes one set type");
		b->type = r->w[1];
		return 0;
	}
	if (word_is(&r->w[0], "Header:")) {
		if (!b->type.p)
			return err(r, &r->w[0], "Header: before Type:");
		if (r->nw + 2 > MAX_WORDS)
			return err(r, &r->w[0], "too many words in one line");
		memmove(&r->w[3], &r->w[1], (r->nw - 1) * sizeof(r->w[0]));
		r->w[0] = b->name_kw;
		r->w[1] = b->name;
		r->w[2] = b->type;
		r->nw += 2;
		if (cmd_create(r) < 0) {
			b->failed = true;
			return -1;
		}
		b->created = true;
		/* the set is where its Name: line is */
		r->sets->v[r->sets->n - 1].loc = word_loc(r, &b->name_kw);
		r->sets->v[r->sets->n - 1].loc.len = b->name.off + b->name.len -
						     b->name_kw.off;
		return 0;
	}
	if (word_is(&r->w[0], "Members:")) {
		if (!b->created)
			return err(r, &r->w[0], "Members: before Header:");
		b->members = true;
		return 0;
	}
	if (list_key(r, "Number") && r->nw == 4 &&
	    word_is(&r->w[2], "entries:")) {
		char buf[24];

		if (!word_str(&r->w[3], buf, sizeof(buf)) ||
		    !parse_num(buf, UINT32_MAX, &v))
			return err(r, &r->w[3], "invalid number of entries");
		b->have_count = true;
		b->count = v;
		return 0;
	}
	if (word_is(&r->w[0], "Revision:") ||
	    word_is(&r->w[0], "References:") ||
	    (word_is(&r->w[0], "Size") && r->nw >= 3))
		return 0;
	return err(r, &r->w[0],
		   "unexpected line in `ipset list` output (Name:, Type:, "
		   "Revision:, Header:, Size in memory:, References:, Number "
		   "of entries:, Members: and the members)");
}

/* `ipset list` opens with "Name: SET". */
static bool is_list_output(const struct ipts_source *src)
{
	const char *p = src->buf;

	while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')
		p++;
	return strncmp(p, "Name: ", 6) == 0;
}

struct ipts_ipsets *ipts_ipsets_read(const struct ipts_source *src,
				     struct ipts_diags *d)
{
	struct reader r = { .src = src, .d = d };
	const char *p = src->buf, *end = src->buf + src->len;

	r.sets = ipts_xcalloc(1, sizeof(*r.sets));
	r.sets->src = src;
	r.list = is_list_output(src);
	if (memchr(p, '\0', src->len)) {
		struct ipts_loc l = { src, 0, 1, 1, 1 };

		ipts_diag_add(d, IPTS_ERROR, &l,
			      "not an ipset save file: it "
			      "holds NUL bytes");
		ipts_diag_hide_source(d);
		ipts_ipsets_free(r.sets);
		return NULL;
	}
	while (p < end && r.nerr < 20) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *e = nl ? nl : end;

		r.line++;
		r.line_off = (uint32_t)(p - src->buf);
		if (e > p && e[-1] == '\r')
			e--;
		if (r.list)
			list_line(&r, p, e);
		else
			line(&r, p, e);
		p = nl ? nl + 1 : end;
	}
	if (r.list && r.nerr < 20)
		list_end(&r);
	for (size_t i = 0; i < r.sets->n; i++)
		dup_free(&r.sets->v[i]);
	if (r.nerr) {
		ipts_ipsets_free(r.sets);
		return NULL;
	}
	return r.sets;
}

size_t ipts_ipsets_age(struct ipts_ipsets *s, uint32_t secs)
{
	size_t i, j, k, gone = 0;

	if (!secs)
		return 0;
	for (i = 0; i < s->n; i++) {
		struct ipts_ipset *set = &s->v[i];

		for (j = k = 0; j < set->n; j++) {
			struct set_elem *e = &set->v[j];

			if (e->timeout && e->timeout < secs) {
				/* expired: what it stood for leaves too */
				set->count -= ipts_ipset_elem_count(set, e);
				gone++;
				continue;
			}
			if (e->timeout == secs && !set->unknown_why)
				set->unknown_why =
					"an element's timeout ends at --at's "
					"second (ipset save rounds the "
					"seconds left down): it may be gone";
			if (e->timeout)
				e->timeout = e->timeout > secs ?
						     e->timeout - secs :
						     1;
			set->v[k++] = *e;
		}
		set->n = k;
	}
	return gone;
}

void ipts_ipsets_free(struct ipts_ipsets *s)
{
	size_t i;

	if (!s)
		return;
	for (i = 0; i < s->n; i++) {
		free(s->v[i].v);
		dup_free(&s->v[i]);
	}
	free(s->v);
	free(s);
}

const struct ipts_ipset *ipts_ipsets_find(const struct ipts_ipsets *s,
					  const char *name, size_t len)
{
	size_t i;

	for (i = 0; s && i < s->n; i++)
		if (strlen(s->v[i].name) == len &&
		    memcmp(s->v[i].name, name, len) == 0)
			return &s->v[i];
	return NULL;
}

size_t ipts_ipsets_count(const struct ipts_ipsets *s)
{
	return s ? s->n : 0;
}

const char *ipts_ipset_type(const struct ipts_ipset *set)
{
	return set->type->name;
}

unsigned int ipts_ipset_dim(const struct ipts_ipset *set)
{
	return set->type->dim;
}

int ipts_ipset_family(const struct ipts_ipset *set)
{
	return set->family;
}

bool ipts_ipset_counters(const struct ipts_ipset *set)
{
	return set->counters;
}

size_t ipts_ipset_nelems(const struct ipts_ipset *set)
{
	return set->n;
}

const struct ipts_ipset *ipts_ipsets_at(const struct ipts_ipsets *s, size_t i)
{
	return i < s->n ? &s->v[i] : NULL;
}

const char *ipts_ipset_name(const struct ipts_ipset *set)
{
	return set->name;
}

const struct ipts_loc *ipts_ipset_loc(const struct ipts_ipset *set)
{
	return &set->loc;
}

bool ipts_ipset_empty(const struct ipts_ipsets *s, const struct ipts_ipset *set)
{
	size_t i;

	if (set->type->kind == SET_UNMODELLED)
		return false;
	if (set->type->kind != SET_LIST_SET)
		return set->n == 0;
	for (i = 0; i < set->n; i++)
		if (!ipts_ipset_empty(s, &s->v[set->v[i].member]))
			return false;
	return true;
}

bool ipts_ipset_listed(const struct ipts_ipsets *s,
		       const struct ipts_ipset *set)
{
	size_t i, j;

	for (i = 0; i < s->n; i++)
		if (s->v[i].type->kind == SET_LIST_SET)
			for (j = 0; j < s->v[i].n; j++)
				if (&s->v[s->v[i].v[j].member] == set)
					return true;
	return false;
}
