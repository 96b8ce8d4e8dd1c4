/*
 * gai.c - a name's addresses in the order the target's getaddrinfo()
 * gives them: its hosts(5) lines (what nss_files reads), sorted as glibc
 * 2.36's rfc3484_sort() sorts them with the default tables (an
 * /etc/gai.conf that sets nothing). Those are RFC 3484's, not RFC 6724's:
 * IPv4 has precedence 10, below every IPv6 address but ::/96, so glibc
 * puts fd00::/8 (ULA) before IPv4 where RFC 6724's table (35 against 3)
 * would not; tests/names/gai_order.sh holds the kernel's and glibc's
 * answer against this one.
 */
#include "gai.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <string.h>
#include <strings.h>

/* clang-format off */
const char ipts_gai_debian_hosts[] =
	"127.0.0.1\tlocalhost\n"
	"\n"
	"# The following lines are desirable for IPv6 capable hosts\n"
	"::1     localhost ip6-localhost ip6-loopback\n"
	"ff02::1 ip6-allnodes\n"
	"ff02::2 ip6-allrouters\n";
/* clang-format on */

bool ipts_gai_literal(const char *text, struct ipts_gai_addr *out)
{
	struct in_addr a4;
	struct in6_addr a6;

	memset(out, 0, sizeof(*out));
	if (inet_pton(AF_INET, text, &a4) == 1) {
		out->family = AF_INET;
		memcpy(out->a, &a4, 4);
	} else if (inet_pton(AF_INET6, text, &a6) == 1) {
		out->family = AF_INET6;
		memcpy(out->a, &a6, 16);
	} else {
		return false;
	}
	inet_ntop(out->family, out->a, out->text, sizeof(out->text));
	return true;
}

static bool blank(char c)
{
	return c == ' ' || c == '\t';
}

unsigned int ipts_gai_hosts(const char *buf, size_t len, const char *name,
			    struct ipts_gai_addr *out, unsigned int max)
{
	const char *p = buf, *end = buf + len;
	size_t nlen = strlen(name);
	unsigned int k = 0;

	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *le = nl ? nl : end, *hash, *w;
		struct ipts_gai_addr a;
		char word[64];
		size_t wl;

		hash = memchr(p, '#', (size_t)(le - p));
		if (hash)
			le = hash;
		while (p < le && blank(*p))
			p++;
		for (w = p; p < le && !blank(*p) && *p != '\r'; p++)
			;
		wl = (size_t)(p - w);
		if (wl && wl < sizeof(word)) {
			memcpy(word, w, wl);
			word[wl] = '\0';
		} else {
			word[0] = '\0';
		}
		if (word[0] && ipts_gai_literal(word, &a)) {
			for (;;) {
				while (p < le && (blank(*p) || *p == '\r'))
					p++;
				if (p == le)
					break;
				for (w = p; p < le && !blank(*p) && *p != '\r';
				     p++)
					;
				if ((size_t)(p - w) == nlen &&
				    strncasecmp(w, name, nlen) == 0) {
					if (k < max)
						out[k] = a;
					k++;
					break; /* one address a line */
				}
			}
		}
		p = nl ? nl + 1 : end;
	}
	return k;
}

/* -- glibc's default tables (getaddrinfo.c default_precedence, scopes) - */

struct prefix {
	uint8_t p[16];
	unsigned int bits;
	int val;
};

/* clang-format off */
static const struct prefix precedence[] = {
	{ { [15] = 1 }, 128, 50 },			/* ::1 */
	{ { 0x20, 0x02 }, 16, 30 },			/* 2002::/16 */
	{ { 0 }, 96, 20 },				/* ::/96 */
	{ { [10] = 0xff, [11] = 0xff }, 96, 10 },	/* ::ffff:0:0/96 */
	{ { 0 }, 0, 40 },				/* ::/0 */
};
/* clang-format on */

/* The 16-byte form glibc's match_prefix() compares: IPv4 as v4-mapped. */
static void as_v6(const struct ipts_gai_addr *a, uint8_t out[16])
{
	memset(out, 0, 16);
	if (a->family == AF_INET) {
		out[10] = out[11] = 0xff;
		memcpy(out + 12, a->a, 4);
	} else {
		memcpy(out, a->a, 16);
	}
}

static bool prefix_match(const uint8_t *a, const struct prefix *p)
{
	unsigned int full = p->bits / 8, rest = p->bits % 8;

	if (memcmp(a, p->p, full) != 0)
		return false;
	return !rest || ((a[full] ^ p->p[full]) & (0xff00 >> rest)) == 0;
}

static int get_precedence(const struct ipts_gai_addr *a)
{
	uint8_t v6[16];
	size_t i;

	as_v6(a, v6);
	for (i = 0; i < sizeof(precedence) / sizeof(precedence[0]); i++)
		if (prefix_match(v6, &precedence[i]))
			return precedence[i].val;
	return 0;
}

/* glibc's get_scope(): 2 link-local (and loopback), 5 site-local, 14
 * global; a multicast address's own scope field. */
static int get_scope(const struct ipts_gai_addr *a)
{
	const uint8_t *b = a->a;

	if (a->family == AF_INET)
		return (b[0] == 169 && b[1] == 254) || b[0] == 127 ? 2 : 14;
	if (b[0] == 0xff)
		return b[1] & 0xf;
	if ((b[0] == 0xfe && (b[1] & 0xc0) == 0x80) ||
	    IN6_IS_ADDR_LOOPBACK((const struct in6_addr *)b))
		return 2;
	if (b[0] == 0xfe && (b[1] & 0xc0) == 0xc0)
		return 5;
	return 14;
}

/*
 * Rule 1: glibc's probe (a UDP connect()) finds a source address. A
 * hosts file gives no zone, so a link-local or a link-scope multicast
 * IPv6 destination has none (EINVAL); the others are the host's own.
 */
static bool usable(const struct ipts_gai_addr *a)
{
	return a->family == AF_INET || get_scope(a) > 2 ||
	       IN6_IS_ADDR_LOOPBACK((const struct in6_addr *)a->a);
}

/*
 * Rule 9 for IPv4: the leading bits a destination shares with its source
 * on the same subnet. Over lo, 127/8 has the source 127.0.0.1 (prefix 8),
 * any other local address is its own source (32 bits). IPv6 destinations
 * are their own source: rule 9 then ties.
 */
static int common_bits(const struct ipts_gai_addr *a)
{
	uint32_t x;
	int n = 0;

	if (a->a[0] != 127)
		return 32;
	x = ((uint32_t)a->a[0] << 24 | (uint32_t)a->a[1] << 16 |
	     (uint32_t)a->a[2] << 8 | a->a[3]) ^
	    0x7f000001u;
	while (n < 32 && !(x & (0x80000000u >> n)))
		n++;
	return n;
}

/* rfc3484_sort() for destinations of the host itself: rules 1, 6, 8, 9
 * (IPv4), then 10 (the caller's order: the sort is stable). */
static int before(const struct ipts_gai_addr *x, const struct ipts_gai_addr *y)
{
	bool ux = usable(x), uy = usable(y);
	int px = get_precedence(x), py = get_precedence(y);
	int sx, sy;

	if (ux != uy)
		return ux ? -1 : 1;
	if (px != py)
		return px > py ? -1 : 1;
	sx = get_scope(x);
	sy = get_scope(y);
	if (sx != sy)
		return sx < sy ? -1 : 1;
	if (ux && x->family == AF_INET && y->family == AF_INET &&
	    common_bits(x) != common_bits(y))
		return common_bits(x) > common_bits(y) ? -1 : 1;
	return 0;
}

void ipts_gai_sort(struct ipts_gai_addr *v, unsigned int n)
{
	unsigned int i, j;

	/* insertion sort: stable, and n is small (bounded by the caller) */
	for (i = 1; i < n; i++) {
		struct ipts_gai_addr t = v[i];

		for (j = i; j > 0 && before(&t, &v[j - 1]) < 0; j--)
			v[j] = v[j - 1];
		v[j] = t;
	}
}
