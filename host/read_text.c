/*
 * read_text.c - the host directory's text files: sysctl.txt (`sysctl`
 * output, `KEY = VALUE` lines, all keys or a few) and listen.txt (`ss
 * -Htlnu`), and the words both they and the inline options share
 * (sysctl keys, prefixes, tables, route types). Errors point at the
 * line and column of the word.
 */
#include "host_int.h"

#include <ctype.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

void host_err(struct ipts_diags *d, const struct ipts_source *s, uint32_t off,
	      uint32_t line, uint32_t col, uint32_t len, const char *fmt, ...)
{
	struct ipts_loc loc = {
		.src = s, .off = off, .line = line, .col = col, .len = len,
	};
	va_list ap;

	va_start(ap, fmt);
	ipts_diag_vadd(d, IPTS_ERROR, &loc, fmt, ap);
	va_end(ap);
}

int host_parse_table(const char *s, uint32_t *table)
{
	char *end;
	unsigned long v;

	if (!s)
		return -1;
	if (strcmp(s, "main") == 0)
		*table = IPTS_RT_TABLE_MAIN;
	else if (strcmp(s, "local") == 0)
		*table = IPTS_RT_TABLE_LOCAL;
	else if (strcmp(s, "default") == 0)
		*table = IPTS_RT_TABLE_DEFAULT;
	else {
		if (!isdigit((unsigned char)*s))
			return -1;
		errno = 0;
		v = strtoul(s, &end, 0);
		if (*end || errno || v == 0 || v > UINT32_MAX)
			return -1;
		*table = (uint32_t)v;
	}
	return 0;
}

int host_parse_rtn(const char *s, enum ipts_rtn *t)
{
	static const char *const names[] = {
		[IPTS_RTN_UNICAST] = "unicast",
		[IPTS_RTN_LOCAL] = "local",
		[IPTS_RTN_BROADCAST] = "broadcast",
		[IPTS_RTN_ANYCAST] = "anycast",
		[IPTS_RTN_MULTICAST] = "multicast",
		[IPTS_RTN_BLACKHOLE] = "blackhole",
		[IPTS_RTN_UNREACHABLE] = "unreachable",
		[IPTS_RTN_PROHIBIT] = "prohibit",
		[IPTS_RTN_THROW] = "throw",
	};
	size_t i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (strcmp(s, names[i]) == 0) {
			*t = (enum ipts_rtn)i;
			return 0;
		}
	return -1;
}

int host_parse_prefix(const char *s, uint32_t *addr, uint8_t *len)
{
	char buf[32], *slash, *end;
	struct in_addr in;
	unsigned long l = 32;

	if (strcmp(s, "default") == 0 || strcmp(s, "0/0") == 0) {
		*addr = 0;
		*len = 0;
		return 0;
	}
	if (strlen(s) >= sizeof(buf))
		return -1;
	strcpy(buf, s);
	slash = strchr(buf, '/');
	if (slash) {
		*slash = '\0';
		if (!isdigit((unsigned char)slash[1]))
			return -1;
		l = strtoul(slash + 1, &end, 10);
		if (*end || l > 32)
			return -1;
	}
	if (inet_pton(AF_INET, buf, &in) != 1)
		return -1;
	*len = (uint8_t)l;
	*addr = in.s_addr & host_mask(*len);
	return in.s_addr == *addr ? 0 : -1;	/* no host bits: ip's rule */
}

/* One line of a file, and where it starts. */
struct line {
	const char *p;
	size_t len;
	uint32_t off, no;
};

static bool next_line(const struct ipts_source *s, size_t *pos,
		      struct line *l)
{
	const char *nl;

	if (*pos >= s->len)
		return false;
	l->p = s->buf + *pos;
	nl = memchr(l->p, '\n', s->len - *pos);
	l->len = nl ? (size_t)(nl - l->p) : s->len - *pos;
	l->off = (uint32_t)*pos;
	l->no++;
	*pos += l->len + (nl ? 1 : 0);
	if (l->len && l->p[l->len - 1] == '\r')
		l->len--;
	return true;
}

/* Words of a line: start offsets and lengths, at most @max. */
static size_t words(const struct line *l, size_t *start, size_t *len,
		    size_t max)
{
	size_t i = 0, n = 0;

	while (i < l->len && n < max) {
		while (i < l->len && isspace((unsigned char)l->p[i]))
			i++;
		if (i == l->len)
			break;
		start[n] = i;
		while (i < l->len && !isspace((unsigned char)l->p[i]))
			i++;
		len[n] = i - start[n];
		n++;
	}
	return n;
}

static int read_sysctl_line(struct ipts_hostdesc *h,
			    const struct ipts_source *s, const struct line *l,
			    struct ipts_diags *d)
{
	const char *eq = memchr(l->p, '=', l->len);
	size_t k0 = 0, k1, v0, v1;
	char key[256], val[64];
	int r;

	while (k0 < l->len && isspace((unsigned char)l->p[k0]))
		k0++;
	if (k0 == l->len || l->p[k0] == '#' || l->p[k0] == ';')
		return 0;
	if (!eq) {
		host_err(d, s, l->off + (uint32_t)k0, l->no,
			 (uint32_t)k0 + 1, 1,
			 "expected 'KEY = VALUE', as sysctl prints");
		return -1;
	}
	k1 = (size_t)(eq - l->p);
	while (k1 > k0 && isspace((unsigned char)l->p[k1 - 1]))
		k1--;
	v0 = (size_t)(eq - l->p) + 1;
	while (v0 < l->len && isspace((unsigned char)l->p[v0]))
		v0++;
	v1 = l->len;
	while (v1 > v0 && isspace((unsigned char)l->p[v1 - 1]))
		v1--;
	if (k1 == k0 || k1 - k0 >= sizeof(key)) {
		host_err(d, s, l->off + (uint32_t)k0, l->no,
			 (uint32_t)k0 + 1, 1, "expected a key before '='");
		return -1;
	}
	memcpy(key, l->p + k0, k1 - k0);
	key[k1 - k0] = '\0';
	if (v1 - v0 >= sizeof(val))
		v1 = v0 + sizeof(val) - 1;	/* long values: never ours */
	memcpy(val, l->p + v0, v1 - v0);
	val[v1 - v0] = '\0';
	r = host_sysctl_parse(h, key, val, IPTS_HOST_DIR, false);
	if (r == -1) {
		host_err(d, s, l->off + (uint32_t)k0, l->no,
			 (uint32_t)k0 + 1, (uint32_t)(k1 - k0),
			 "bad interface name in '%s'", key);
		return -1;
	}
	if (r == -2) {
		host_err(d, s, l->off + (uint32_t)v0, l->no,
			 (uint32_t)v0 + 1, (uint32_t)(v1 - v0),
			 "'%s' is not an integer value for '%s'", val, key);
		return -1;
	}
	return 0;
}

/*
 * KEY VALUE into @h: 0 (unknown keys too, unless @strict: -3), -1 a bad
 * interface part, -2 a bad value. `sysctl -a` spells a '.' of an
 * interface name as '/' (eth0.2 is conf.eth0/2); the knob is the last
 * word, so "conf.eth0.2.rp_filter" reads the same.
 */
int host_sysctl_parse(struct ipts_hostdesc *h, const char *key,
		      const char *val, enum ipts_host_origin origin,
		      bool strict)
{
	static const char *const knobs[IPTS_KNOB_COUNT] = {
		[IPTS_KNOB_FORWARDING] = "forwarding",
		[IPTS_KNOB_RP_FILTER] = "rp_filter",
		[IPTS_KNOB_ROUTE_LOCALNET] = "route_localnet",
		[IPTS_KNOB_ACCEPT_LOCAL] = "accept_local",
		[IPTS_KNOB_SRC_VALID_MARK] = "src_valid_mark",
		[IPTS_KNOB_FORWARDING6] = "", /* net.ipv6 below */
	};
	static const char conf[] = "net.ipv4.conf.";
	static const char conf6[] = "net.ipv6.conf.";
	char ifname[IPTS_HOST_IFNAMSIZ], *end;
	const char *dot;
	size_t i, n;
	long v;

	errno = 0;
	if (strcmp(key, "net.ipv4.ip_forward") == 0) {
		snprintf(ifname, sizeof(ifname), "all");
		i = IPTS_KNOB_FORWARDING;
	} else if (strncmp(key, conf6, sizeof(conf6) - 1) == 0) {
		/* net.ipv6.conf.IF.forwarding, the one v6 knob read */
		dot = strrchr(key, '.');
		if (dot <= key + sizeof(conf6) - 1 ||
		    strcmp(dot + 1, "forwarding") != 0)
			return strict ? -3 : 0;
		n = (size_t)(dot - key) - (sizeof(conf6) - 1);
		if (n == 0 || n >= sizeof(ifname))
			return -1;
		memcpy(ifname, key + sizeof(conf6) - 1, n);
		ifname[n] = '\0';
		for (end = ifname; *end; end++) {
			if (*end == '/')
				*end = '.';
			else if (isspace((unsigned char)*end) || *end == ':')
				return -1;
		}
		i = IPTS_KNOB_FORWARDING6;
	} else if (strncmp(key, conf, sizeof(conf) - 1) == 0 &&
		   (dot = strrchr(key, '.')) > key + sizeof(conf) - 1) {
		for (i = 0; i < IPTS_KNOB_COUNT; i++)
			if (knobs[i][0] && strcmp(dot + 1, knobs[i]) == 0)
				break;
		if (i == IPTS_KNOB_COUNT)
			return strict ? -3 : 0;
		n = (size_t)(dot - key) - (sizeof(conf) - 1);
		if (n == 0 || n >= sizeof(ifname))
			return -1;
		memcpy(ifname, key + sizeof(conf) - 1, n);
		ifname[n] = '\0';
		for (end = ifname; *end; end++) {
			if (*end == '/')
				*end = '.';
			else if (isspace((unsigned char)*end) || *end == ':')
				return -1;
		}
	} else {
		return strict ? -3 : 0;
	}
	if (!isdigit((unsigned char)val[val[0] == '-']))
		return -2;
	v = strtol(val, &end, 10);
	if (*end || errno)
		return -2;
	host_sysctl_set(h, ifname, (enum ipts_host_knob)i, v, origin);
	return 0;
}

int host_read_sysctl_txt(struct ipts_hostdesc *h, const struct ipts_source *s,
			 struct ipts_diags *d)
{
	struct line l = { 0 };
	size_t pos = 0;
	int ret = 0;

	while (next_line(s, &pos, &l))
		if (read_sysctl_line(h, s, &l, d) < 0)
			ret = -1;
	return ret;
}

/*
 * ss's local address: "0.0.0.0:22", "*:22", "[::]:22",
 * "127.0.0.53%lo:53", "[fe80::1]%eth0:22". -1 on anything else.
 */
static int parse_sockaddr(const char *w, size_t n,
			  struct ipts_host_listener *x)
{
	char buf[96], *colon, *pct, *end, *a = buf;
	unsigned long port;

	if (n >= sizeof(buf))
		return -1;
	memcpy(buf, w, n);
	buf[n] = '\0';
	colon = strrchr(buf, ':');
	if (!colon || !isdigit((unsigned char)colon[1]))
		return -1;
	*colon = '\0';
	port = strtoul(colon + 1, &end, 10);
	if (*end || port > 65535)
		return -1;
	x->port = (uint16_t)port;
	pct = strchr(buf, '%');
	if (pct) {
		*pct = '\0';
		if (!pct[1] || strlen(pct + 1) >= sizeof(x->dev))
			return -1;
		snprintf(x->dev, sizeof(x->dev), "%s", pct + 1);
	}
	if (strcmp(a, "*") == 0) {
		x->any = true;
		x->family = AF_UNSPEC;	/* both families (a dual-stack socket) */
		return 0;
	}
	if (a[0] == '[') {
		size_t m = strlen(a);

		if (m < 3 || a[m - 1] != ']')
			return -1;
		a[m - 1] = '\0';
		a++;
		x->family = AF_INET6;
	} else {
		x->family = AF_INET;
	}
	if (inet_pton(x->family, a, x->addr) != 1)
		return -1;
	x->any = x->family == AF_INET ? !memcmp(x->addr, "\0\0\0\0", 4) :
		 !memcmp(x->addr, &in6addr_any, 16);
	return 0;
}

static int read_listen_line(struct ipts_hostdesc *h,
			    const struct ipts_source *s, const struct line *l,
			    struct ipts_diags *d)
{
	struct ipts_host_listener x = { 0 };
	size_t st[8], ln[8], n = words(l, st, ln, 8), i = 0;

	if (n == 0)
		return 0;
	/* With -t and -u ss prints the Netid; with one of them it does not. */
	if (ln[0] == 3 && memcmp(l->p + st[0], "tcp", 3) == 0)
		x.proto = IPPROTO_TCP, i = 1;
	else if (ln[0] == 3 && memcmp(l->p + st[0], "udp", 3) == 0)
		x.proto = IPPROTO_UDP, i = 1;
	if (n < i + 5) {
		host_err(d, s, l->off, l->no, 1, (uint32_t)l->len,
			 "expected 'Netid State Recv-Q Send-Q Local:Port "
			 "Peer:Port', as `ss -Htlnu` prints");
		return -1;
	}
	if (ln[i] == 6 && memcmp(l->p + st[i], "LISTEN", 6) == 0) {
		if (!x.proto)
			x.proto = IPPROTO_TCP;
	} else if (ln[i] == 6 && memcmp(l->p + st[i], "UNCONN", 6) == 0) {
		if (!x.proto)
			x.proto = IPPROTO_UDP;
	} else {
		return 0;	/* not listening (ss -a): not a listener */
	}
	i += 3;
	if (parse_sockaddr(l->p + st[i], ln[i], &x) < 0) {
		host_err(d, s, l->off + (uint32_t)st[i], l->no,
			 (uint32_t)st[i] + 1, (uint32_t)ln[i],
			 "'%.*s' is not ADDRESS:PORT", (int)ln[i],
			 l->p + st[i]);
		return -1;
	}
	host_listener_add(h, &x);
	return 0;
}

int host_read_listen_txt(struct ipts_hostdesc *h, const struct ipts_source *s,
			 struct ipts_diags *d)
{
	struct line l = { 0 };
	size_t pos = 0;
	int ret = 0;

	while (next_line(s, &pos, &l))
		if (read_listen_line(h, s, &l, d) < 0)
			ret = -1;
	return ret;
}
