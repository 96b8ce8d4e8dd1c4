/*
 * query.c - the packet options trace, test and query take, read from an
 * argument array, and a result printed as trace's JSON: one
 * implementation, so a spec line means what the same trace command means.
 */
#include "query.h"
#include "ipset.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <ctype.h>
#include <netdb.h>
#include <netinet/in.h>

#include "escape.h"
#include "host.h"
#include "json.h"
#include "model.h"
#include "report.h"

#include <linux/netfilter/xt_owner.h>
#include <linux/netfilter_ipv4/ip_tables.h>
#include <linux/netfilter_ipv6/ip6_tables.h>

bool ipts_parse_ulong(const char *s, unsigned long max, unsigned long *out)
{
	unsigned long v;
	char *end;

	/* strtoul() would skip blanks and take a sign: " 22", "+22" */
	if (*s < '0' || *s > '9')
		return false;
	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || *end || v > max)
		return false;
	*out = v;
	return true;
}

static bool parse_u32(const char *s, unsigned long max, uint32_t *out)
{
	unsigned long v;

	if (!ipts_parse_ulong(s, max, &v))
		return false;
	*out = (uint32_t)v;
	return true;
}

/* An IPv4 or IPv6 address: its family (NFPROTO_*), 0 when neither. */
static uint8_t parse_inet(const char *s, union nf_inet_addr *out)
{
	memset(out, 0, sizeof(*out));
	if (inet_pton(AF_INET, s, &out->in) == 1)
		return NFPROTO_IPV4;
	if (inet_pton(AF_INET6, s, &out->in6) == 1)
		return NFPROTO_IPV6;
	return 0;
}

static const char *family_word(uint8_t family)
{
	return family == NFPROTO_IPV6 ? "IPv6" : "IPv4";
}

/* An address option of @family: every address of a query is of one
 * family. */
static int addr_family(struct ipts_query *q, uint8_t family, const char *arg,
		       char *msg, size_t len)
{
	if (q->addr_family && q->addr_family != family) {
		snprintf(msg, len,
			 "'%s' is an %s address and an earlier "
			 "one %s: the addresses of a query are of one "
			 "family",
			 arg, family_word(family), family_word(q->addr_family));
		return -1;
	}
	if (q->family != family) {
		/* the first address: the other end defaults to the family's
		 * loopback (the option given overwrites its own) */
		memset(&q->src, 0, sizeof(q->src));
		if (family == NFPROTO_IPV6)
			q->src.in6 = in6addr_loopback;
		else
			q->src.ip = htonl(INADDR_LOOPBACK);
		q->dst = q->src;
	}
	q->addr_family = family;
	q->family = family;
	return 0;
}

/* An IPv6 address an interface can hold: not ::, multicast (ff00::/8)
 * or a v4-mapped one. */
static bool unicast6(const struct in6_addr *a)
{
	return !IN6_IS_ADDR_UNSPECIFIED(a) && !IN6_IS_ADDR_MULTICAST(a) &&
	       !IN6_IS_ADDR_V4MAPPED(a);
}

int ipts_query_fit_family(struct ipts_query *q, uint8_t family,
			  const char *path, char *msg, size_t len)
{
	union nf_inet_addr lo, old_dst = q->dst;
	unsigned int i;

	if (q->addr_family && q->addr_family != family) {
		if (path)
			snprintf(msg, len,
				 "the query's addresses are %s and "
				 "'%s' is an %s file: give %s addresses (or "
				 "the other file)",
				 family_word(q->addr_family), path,
				 family_word(family), family_word(family));
		else
			snprintf(msg, len,
				 "an %s address, and the rules are "
				 "%s: give %s addresses",
				 family_word(q->addr_family),
				 family_word(family), family_word(family));
		return -1;
	}
	if (q->family == family)
		return 0;
	/* no address was given: the family's loopback, ::1 for IPv6 */
	memset(&lo, 0, sizeof(lo));
	if (family == NFPROTO_IPV6)
		lo.in6 = in6addr_loopback;
	else
		lo.ip = htonl(INADDR_LOOPBACK);
	q->family = family;
	q->src = lo;
	q->dst = lo;
	/* a --listen PORT took --dst (ipts_query_finish()) */
	for (i = 0; i < q->nlisten; i++)
		if (ipts_addr_eq(&q->listen[i].addr, &old_dst))
			q->listen[i].addr = q->dst;
	return 0;
}

/*
 * A service name, as iptables reads one (xtables_parse_port():
 * getservbyname() of /etc/services), for the protocol given so far.
 */
static bool service_port(const char *name, const struct ipts_query *q,
			 uint32_t *out)
{
	const struct servent *s;
	const char *p;

	for (p = name; *p; p++)
		if (!isalnum((unsigned char)*p) && *p != '-' && *p != '_' &&
		    *p != '.')
			return false;
	if (p == name)
		return false;
	s = getservbyname(name, q->proto == IPPROTO_UDP ? "udp" : "tcp");
	if (!s)
		return false;
	*out = ntohs((uint16_t)s->s_port);
	return true;
}

/*
 * An address an interface can hold: not 0.0.0.0/8 ("this network"),
 * 224.0.0.0/4 (multicast) or the limited broadcast.
 */
static bool unicast(uint32_t a)
{
	uint32_t h = ntohl(a);

	return (h >> 24) != 0 && (h >> 28) != 0xe && h != 0xffffffffu;
}

/* [A:]N or [A6]:N; an IPv6 address is in brackets. */
static int parse_listen(const char *arg, struct ipts_query *q, char *msg,
			size_t len)
{
	const char *colon = strrchr(arg, ':');
	union nf_inet_addr addr = { 0 };
	const char *a = arg;
	uint32_t port;
	size_t n;
	char buf[64];
	uint8_t fam;

	if (colon) {
		n = (size_t)(colon - arg);
		if (arg[0] == '[' && n >= 2 && arg[n - 1] == ']') {
			a = arg + 1;
			n -= 2;
		}
		if (n >= sizeof(buf))
			return -1;
		memcpy(buf, a, n);
		buf[n] = '\0';
		fam = parse_inet(buf, &addr);
		if (!fam || (fam == NFPROTO_IPV6) != (a != arg))
			return -1;
		if (addr_family(q, fam, buf, msg, len) < 0)
			return -2;
		arg = colon + 1;
	}
	if (!parse_u32(arg, 65535, &port) || port == 0)
		return -1;
	q->listen[q->nlisten].addr = addr;
	q->listen[q->nlisten].port = port;
	q->nlisten++;
	return 0;
}

int ipts_query_option(struct ipts_query *q, int code, const char *arg,
		      char *msg, size_t len)
{
	union nf_inet_addr ua;
	uint8_t fam;
	uint32_t v;
	int rc;

	switch (code) {
	case IPTS_QOPT_DPORT:
	case IPTS_QOPT_SPORT:
		if (!parse_u32(arg, 65535, &v) && !service_port(arg, q, &v)) {
			snprintf(msg, len, "invalid port '%s': a number or a "
				 "service name of /etc/services", arg);
			return -1;
		}
		if (v == 0) {
			snprintf(msg, len, "invalid port '%s'", arg);
			return -1;
		}
		if (code == IPTS_QOPT_DPORT) {
			q->dport = v;
			q->given |= IPTS_QGIVEN_DPORT;
		} else {
			q->sport = v;
			q->given |= IPTS_QGIVEN_SPORT;
		}
		return 0;
	case IPTS_QOPT_UID:
	case IPTS_QOPT_GID:
	case IPTS_QOPT_SUID:
	case IPTS_QOPT_SGID:
		if (!parse_u32(arg, 0xfffffffeUL, &v)) {
			bool uid = code == IPTS_QOPT_UID ||
				   code == IPTS_QOPT_SUID;

			snprintf(msg, len, "invalid %s '%s': give a number (a "
				 "name would be looked up among this machine's "
				 "%s, not the firewall host's)",
				 uid ? "uid" : "gid", arg,
				 uid ? "users" : "groups");
			return -1;
		}
		if (code == IPTS_QOPT_UID) {
			q->uid = v;
			q->given |= IPTS_QGIVEN_UID;
		} else if (code == IPTS_QOPT_GID) {
			q->gid = v;
			q->given |= IPTS_QGIVEN_GID;
		} else if (code == IPTS_QOPT_SUID) {
			q->server_uid = v;
			q->given |= IPTS_QGIVEN_SUID;
		} else {
			q->server_gid = v;
			q->given |= IPTS_QGIVEN_SGID;
		}
		return 0;
	case IPTS_QOPT_SRC:
	case IPTS_QOPT_DST:
	case IPTS_QOPT_LOCAL:
		fam = parse_inet(arg, &ua);
		if (!fam && code == IPTS_QOPT_DST && strchr(arg, '%')) {
			/* ADDR%ZONE: a link-local destination's interface */
			const char *pc = strchr(arg, '%');
			char a6[INET6_ADDRSTRLEN];
			size_t alen = (size_t)(pc - arg), zlen = strlen(pc + 1);

			if (alen < sizeof(a6)) {
				memcpy(a6, arg, alen);
				a6[alen] = '\0';
				fam = parse_inet(a6, &ua);
			}
			if (fam != NFPROTO_IPV6 ||
			    !IN6_IS_ADDR_LINKLOCAL(&ua.in6) || zlen == 0 ||
			    zlen >= sizeof(q->dst_zone) ||
			    strcspn(pc + 1, "/: \t%") != zlen) {
				snprintf(msg, len,
					 "invalid address '%s': a zone "
					 "(%%IFACE) follows a link-local "
					 "IPv6 address (fe80::1%%eth0)",
					 arg);
				return -1;
			}
			memcpy(q->dst_zone, pc + 1, zlen + 1);
		} else if (code == IPTS_QOPT_DST) {
			q->dst_zone[0] = '\0';
		}
		if (!fam) {
			snprintf(msg, len, "invalid address '%s': IPv4 or IPv6",
				 arg);
			return -1;
		}
		if (code == IPTS_QOPT_LOCAL &&
		    (fam == NFPROTO_IPV6 ? !unicast6(&ua.in6) :
					   !unicast(ua.ip))) {
			snprintf(
				msg, len,
				"invalid --local-addr '%s': an "
				"address of this host is unicast (not "
				"%s)",
				arg,
				fam == NFPROTO_IPV6 ?
					"::, multicast or v4-mapped" :
					"0.0.0.0/8, multicast or 255.255.255.255");
			return -1;
		}
		if (addr_family(q, fam, arg, msg, len) < 0)
			return -1;
		if (code == IPTS_QOPT_SRC) {
			q->src = ua;
			q->given |= IPTS_QGIVEN_SRC;
		} else if (code == IPTS_QOPT_DST) {
			q->dst = ua;
			q->given |= IPTS_QGIVEN_DST;
		} else {
			if (q->nlocal == IPTS_QUERY_MAX_LOCAL) {
				snprintf(msg, len, "at most %d --local-addr",
					 IPTS_QUERY_MAX_LOCAL);
				return -1;
			}
			q->local_addrs[q->nlocal++] = ua;
		}
		return 0;
	case IPTS_QOPT_PROTO:
		if (strcmp(arg, "tcp") == 0) {
			q->proto = IPPROTO_TCP;
		} else if (strcmp(arg, "udp") == 0) {
			q->proto = IPPROTO_UDP;
		} else {
			snprintf(msg, len, "invalid protocol '%s': tcp or udp",
				 arg);
			return -1;
		}
		q->given |= IPTS_QGIVEN_PROTO;
		return 0;
	case IPTS_QOPT_NOLISTEN:
		q->no_listener = true;
		return 0;
	case IPTS_QOPT_NO_NDP:
		q->no_ndp = true;
		return 0;
	case IPTS_QOPT_LISTEN:
		if (q->nlisten == IPTS_QUERY_MAX_LOCAL) {
			snprintf(msg, len, "at most %d --listen",
				 IPTS_QUERY_MAX_LOCAL);
			return -1;
		}
		rc = parse_listen(arg, q, msg, len);
		if (rc == -1)
			snprintf(msg, len,
				 "invalid --listen '%s': "
				 "[ADDRESS:]PORT ([ADDRESS]:PORT for IPv6)",
				 arg);
		if (rc < 0)
			return -1;
		return 0;
	case IPTS_QOPT_CONNTRACK:
		if (strcmp(arg, "on") == 0) {
			q->conntrack = IPTS_CT_ON;
		} else if (strcmp(arg, "off") == 0) {
			q->conntrack = IPTS_CT_OFF;
		} else {
			snprintf(msg, len, "invalid --conntrack '%s': on or "
				 "off", arg);
			return -1;
		}
		q->given |= IPTS_QGIVEN_CONNTRACK;
		return 0;
	case IPTS_QOPT_FRESH:
		q->fresh = true;
		return 0;
	case IPTS_QOPT_IN:
		/* checked against the host once all are read */
		if (!arg[0]) {
			snprintf(msg, len,
				 "invalid --in '': an interface "
				 "name");
			return -1;
		}
		q->in = arg;
		q->given |= IPTS_QGIVEN_IN;
		return 0;
	}
	snprintf(msg, len, "not a packet option");
	return -1;
}

void ipts_query_finish(struct ipts_query *q)
{
	unsigned int i;

	/* A user's own primary group, the usual layout (useradd's user
	 * private groups): uid 1000 runs as gid 1000. */
	if (!(q->given & IPTS_QGIVEN_GID))
		q->gid = q->uid;
	if (!(q->given & IPTS_QGIVEN_SGID))
		q->server_gid = q->server_uid;

	for (i = 0; i < q->nlisten; i++) {
		static const union nf_inet_addr any;

		if (ipts_addr_eq(&q->listen[i].addr, &any))
			q->listen[i].addr = q->dst;
	}
}

/* "lo, eth0, eth1" of @host, cut to @len. */
static void iface_list(const struct ipts_hostdesc *host, char *buf, size_t len)
{
	size_t i, n = ipts_hostdesc_iface_count(host), at = 0;

	buf[0] = '\0';
	for (i = 0; i < n && at + 1 < len; i++) {
		int w = snprintf(buf + at, len - at, "%s%s", i ? ", " : "",
				 ipts_hostdesc_iface_at(host, i)->name);

		if (w < 0 || (size_t)w >= len - at) {
			buf[at] = '\0';
			snprintf(buf + at, len - at, "%s...", i ? ", " : "");
			return;
		}
		at += (size_t)w;
	}
}

int ipts_query_check_in(struct ipts_query *q, const struct ipts_hostdesc *host,
			char *msg, size_t len, int *code)
{
	const struct ipts_host_iface *ifc;
	char names[128];
	int dummy;

	if (!code)
		code = &dummy;
	*code = IPTS_QOPT_IN;
	if (q->dst_zone[0] &&
	    (!host || !ipts_hostdesc_iface(host, q->dst_zone))) {
		*code = IPTS_QOPT_DST;
		if (host)
			iface_list(host, names, sizeof(names));
		snprintf(msg, len,
			 host ? "--dst ...%%%s: the described host has no "
				"such interface (it has %s)" :
				"--dst ...%%%s: a zone names an interface of "
				"a described host: give --host DIR or --iface "
				"NAME=ADDR/LEN%s",
			 q->dst_zone, host ? names : "");
		return -1;
	}
	if (!q->in)
		return 0;
	if (!host) {
		snprintf(msg, len,
			 "--in '%s' needs a described host: give "
			 "--host DIR or --iface NAME=ADDR/LEN",
			 q->in);
		return -1;
	}
	ifc = ipts_hostdesc_iface(host, q->in);
	if (!ifc) {
		iface_list(host, names, sizeof(names));
		snprintf(msg, len,
			 "--in '%s': the described host has no "
			 "such interface (it has %s)",
			 q->in, names);
		return -1;
	}
	if (q->given & (IPTS_QGIVEN_UID | IPTS_QGIVEN_GID)) {
		bool uid = q->given & IPTS_QGIVEN_UID;

		*code = uid ? IPTS_QOPT_UID : IPTS_QOPT_GID;
		snprintf(msg, len,
			 "--in with --%s: the client is another "
			 "host: it has no %s",
			 uid ? "uid" : "gid", uid ? "uid" : "gid");
		return -1;
	}
	if (!(q->given & IPTS_QGIVEN_SRC)) {
		snprintf(msg, len,
			 "--in '%s' needs --src: the address the "
			 "other host sends from",
			 q->in);
		return -1;
	}
	if (!(q->given & IPTS_QGIVEN_DST) && q->family == NFPROTO_IPV6) {
		/* not ::1: dropped on any interface but lo; a global
		 * address of the interface first, else its link-local */
		size_t i, pick = ifc->naddrs6;

		for (i = 0; i < ifc->naddrs6; i++)
			if (!IN6_IS_ADDR_LINKLOCAL(&ifc->addrs6[i].local)) {
				pick = i;
				break;
			}
		if (pick == ifc->naddrs6 && ifc->naddrs6)
			pick = 0;
		if (pick == ifc->naddrs6) {
			snprintf(msg, len,
				 "--in '%s' without --dst: the interface has "
				 "no IPv6 address to assume; give --dst",
				 q->in);
			return -1;
		}
		q->dst.in6 = ifc->addrs6[pick].local;
		return 0;
	}
	if (!(q->given & IPTS_QGIVEN_DST)) {
		/* not 127.0.0.1: a martian on any interface but lo */
		if (!ifc->naddrs) {
			*code = IPTS_QOPT_IN;
			snprintf(msg, len,
				 "--in '%s' without --dst: the interface has "
				 "no address to assume; give --dst",
				 q->in);
			return -1;
		}
		q->dst.ip = ifc->addrs[0].local;
	}
	return 0;
}

static const struct option query_opts[] = {
	IPTS_QUERY_LONGOPTS,
};

#define NQUERY_OPTS (sizeof(query_opts) / sizeof(query_opts[0]))

/* The option @name (@n bytes) names: exactly, or as getopt_long does, by a
 * unique prefix. NULL when none or ambiguous. */
static const struct option *find_opt(const char *name, size_t n)
{
	const struct option *hit = NULL;
	size_t i;

	for (i = 0; i < NQUERY_OPTS; i++) {
		if (strncmp(query_opts[i].name, name, n) != 0)
			continue;
		if (query_opts[i].name[n] == '\0')
			return &query_opts[i];
		if (hit)
			return NULL;
		hit = &query_opts[i];
	}
	return hit;
}

int ipts_query_parse_args(int argc, char **argv, struct ipts_query *q,
			  struct ipts_query_error *err)
{
	return ipts_query_parse_args_on(argc, argv, NULL, q, err);
}

int ipts_query_parse_args_on(int argc, char **argv,
			     const struct ipts_hostdesc *host,
			     struct ipts_query *q, struct ipts_query_error *err)
{
	return ipts_query_parse_args_fam(argc, argv, host, 0, q, err);
}

int ipts_query_parse_args_fam(int argc, char **argv,
			      const struct ipts_hostdesc *host, uint8_t family,
			      struct ipts_query *q,
			      struct ipts_query_error *err)
{
	const struct option *o;
	const char *name, *eq, *arg;
	int i, code, at[IPTS_QOPT_END - IPTS_QOPT_DPORT] = { 0 };
	int addr_at = -1;

	ipts_query_init(q);
	for (i = 0; i < argc; i++) {
		err->argi = i;
		if (strncmp(argv[i], "--", 2) != 0 || !argv[i][2]) {
			snprintf(err->msg, sizeof(err->msg), "%s '%s'",
				 argv[i][0] == '-' ? "unknown option" :
				 "unexpected word", argv[i]);
			return -1;
		}
		name = argv[i] + 2;
		eq = strchr(name, '=');
		o = find_opt(name, eq ? (size_t)(eq - name) : strlen(name));
		if (!o) {
			snprintf(err->msg, sizeof(err->msg),
				 "unknown option '%.*s'",
				 eq ? (int)(eq - argv[i]) :
				 (int)strlen(argv[i]), argv[i]);
			return -1;
		}
		arg = NULL;
		if (o->has_arg == no_argument && eq) {
			snprintf(err->msg, sizeof(err->msg),
				 "option '--%s' takes no value", o->name);
			return -1;
		} else if (o->has_arg != no_argument && eq) {
			arg = eq + 1;
		} else if (o->has_arg != no_argument) {
			if (i + 1 == argc) {
				snprintf(err->msg, sizeof(err->msg),
					 "option '%s' needs a value", argv[i]);
				return -1;
			}
			arg = argv[++i];
			err->argi = i;
		}
		if (ipts_query_option(q, o->val, arg, err->msg,
				      sizeof(err->msg)) < 0)
			return -1;
		/* the word of the option, for an error found later */
		at[o->val - IPTS_QOPT_DPORT] = i - (arg && !eq);
		if (addr_at < 0 &&
		    (o->val == IPTS_QOPT_SRC || o->val == IPTS_QOPT_DST ||
		     o->val == IPTS_QOPT_LOCAL ||
		     (o->val == IPTS_QOPT_LISTEN && q->addr_family)))
			addr_at = i - (arg && !eq);
	}
	ipts_query_finish(q);
	if (family && ipts_query_fit_family(q, family, NULL, err->msg,
					    sizeof(err->msg)) < 0) {
		err->argi = addr_at >= 0 ? addr_at : 0;
		return -1;
	}
	if (ipts_query_check_in(q, host, err->msg, sizeof(err->msg), &code) <
	    0) {
		err->argi = at[code - IPTS_QOPT_DPORT];
		return -1;
	}
	err->argi = -1;
	err->msg[0] = '\0';
	return 0;
}

int ipts_words_split(char *line, char **words, uint32_t *cols, int max,
		     uint32_t *bad)
{
	char *p = line, *w;
	int n = 0;

	for (;;) {
		while (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n' ||
		       *p == '\v' || *p == '\f')
			p++;
		if (!*p || *p == '#')
			return n;
		if (n == max) {
			*bad = p - line;
			return -1;
		}
		cols[n] = p - line;
		if (*p == '"' || *p == '\'') {
			char qc = *p;

			w = ++p;
			while (*p && *p != qc)
				p++;
			if (!*p) {
				*bad = cols[n];
				return -1;
			}
		} else {
			w = p;
			while (*p && *p != ' ' && *p != '\t' && *p != '\r' &&
			       *p != '\n' && *p != '\v' && *p != '\f')
				p++;
		}
		words[n++] = w;
		if (!*p)
			return n;
		*p++ = '\0';
	}
}

/* addr[:port] or addr:lo-hi (a port NAT picked at random) */
void ipts_fmt_end(char *buf, size_t len, uint8_t family,
		  const union nf_inet_addr *addr, bool ports, uint16_t port,
		  uint16_t hi)
{
	char a[INET6_ADDRSTRLEN];

	if (!ports || !hi) {
		ipts_fmt_inet(buf, len, family, addr, ports ? port : -1);
		return;
	}
	ipts_fmt_inet(a, sizeof(a), family, addr, -1);
	snprintf(buf, len, family == NFPROTO_IPV6 ? "[%s]:%u-%u" : "%s:%u-%u",
		 a, port, hi);
}

static const char *hook_name(unsigned int hook)
{
	return ipts_hook_chain_name(hook);
}

const char *ipts_verdict_name(enum ipts_verdict v)
{
	switch (v) {
	case IPTS_V_DELIVERED:
		return "delivered";
	case IPTS_V_DROPPED:
		return "dropped";
	case IPTS_V_REJECTED:
		return "rejected";
	case IPTS_V_UNDETERMINED:
		return "undetermined";
	case IPTS_V_NOT_SENT:
		break;
	}
	return "not sent";
}

static const char *event_kind_name(enum ipts_event_kind k)
{
	switch (k) {
	case IPTS_EV_CONNTRACK:
		return "conntrack";
	case IPTS_EV_NAT:
		return "nat";
	case IPTS_EV_MARK:
		return "mark";
	case IPTS_EV_CONNMARK:
		return "connmark";
	case IPTS_EV_UNDECIDED:
		return "undecided";
	case IPTS_EV_NOTE:
		break;
	}
	return "note";
}

void ipts_possible_json(struct ipts_json *w, unsigned int set)
{
	int o;

	ipts_json_array_begin(w, IPTS_JSON_LINE);
	for (o = 0; o < IPTS_OUTCOME_COUNT; o++)
		if (set & (1u << o))
			ipts_json_string(w, ipts_outcome_name(o));
	ipts_json_array_end(w);
}

void ipts_possible_text(FILE *f, unsigned int set, const char *any,
			const char *any_other)
{
	bool first = true;
	int o;

	for (o = 0; o < IPTS_OUTCOME_COUNT; o++) {
		if (!(set & (1u << o)))
			continue;
		fputs(first ? "" : ", ", f);
		if (o == IPTS_UNDETERMINED)
			fputs(first ? any : any_other, f);
		else
			fputs(ipts_outcome_name(o), f);
		first = false;
	}
}


/* --- names, notes, headline ------------------------------------------- */

void ipts_trace_name(const struct ipts_trace *t, char *buf, size_t len)
{
	const struct ipts_chain *c = t->chain;

	if (t->rule)
		snprintf(buf, len, "%s:%s:rule:%u", c->table->name, c->name,
			 t->num);
	else
		snprintf(buf, len, "%s:%s:%s", c->table->name, c->name,
			 c->hook >= 0 ? "policy" : "return");
}

void ipts_trace_source(const struct ipts_trace *t, const char **file,
		       uint32_t *line)
{
	const struct ipts_chain *c = t->chain;

	if (t->rule) {
		*file = t->rule->loc.src ? t->rule->loc.src->name : NULL;
		*line = t->rule->loc.line;
	} else {
		*file = c->loc.src ? c->loc.src->name : NULL;
		*line = c->loc.src ? c->loc.line : 0;
	}
}

const struct ipts_trace *ipts_result_let_through(const struct ipts_result *res,
						 const struct ipts_packet **pkt)
{
	const struct ipts_packet *p;
	size_t k;
	int pass;

	p = ipts_result_first(res);
	if (!p || !p->npassed)
		return NULL;
	*pkt = p;
	/* a filter rule, then filter's policy, then a rule of raw, mangle
	 * or security; a nat rule (SNAT, MASQUERADE, DNAT) translates what
	 * it lets through, so it is named only when nothing else is */
	for (pass = 0; pass < 4; pass++) {
		for (k = 0; k < p->npassed; k++) {
			const struct ipts_trace *t = &p->passed[k];
			unsigned int id = t->chain->table->id;
			bool filter = id == IPTS_TABLE_FILTER;

			if ((pass == 0 && filter && t->rule) ||
			    (pass == 1 && filter) ||
			    (pass == 2 && t->rule && id != IPTS_TABLE_NAT) ||
			    (pass == 3 && t->rule))
				return t;
		}
	}
	return &p->passed[0];
}

/* ifname_compare() of ip_tables.c: does @dev match @iface under @mask? */
static bool iface_matches(const char *iface, const unsigned char *mask,
			  const char *dev)
{
	char d[IFNAMSIZ] = { 0 };
	size_t i;

	strncpy(d, dev, sizeof(d) - 1);
	for (i = 0; i < IFNAMSIZ; i++)
		if ((d[i] ^ iface[i]) & mask[i])
			return false;
	return true;
}

static void list_add(char *buf, size_t len, const char *word, bool *cut)
{
	size_t n = strlen(buf);

	if (*cut)
		return;
	if (n + strlen(word) + 8 >= len) {
		snprintf(buf + n, len - n, "%s...", n ? ", " : "");
		*cut = true;
		return;
	}
	snprintf(buf + n, len - n, "%s%s", n ? ", " : "", word);
}

/* @iface as iptables keeps it: "eth0", "eth+" for a prefix. */
static void iface_word(char *w, size_t len, const char *iface)
{
	size_t i;

	for (i = 0; i < IFNAMSIZ - 1 && iface[i]; i++)
		;
	snprintf(w, len, "%.*s", (int)i, iface);
}

static void facts_rule(struct ipts_file_facts *ff, const struct ipts_rule *r,
		       bool *cut_if, bool *cut_at)
{
	struct ipt_ip ip6buf;
	const struct ipt_ip *ip = &r->e->ip;
	char w[IFNAMSIZ + 4], at[64];
	bool other = false;
	unsigned int k;

	if (ipts_rule_family(r) == IPTS_FAMILY_IPV6) {
		/* only the devices are read here: the same bits and places
		 * in ip6t_ip6 (IP6T_INV_VIA_IN/OUT are IPT_INV_VIA_IN/OUT) */
		const struct ip6t_ip6 *ip6 = &r->e6->ipv6;

		memset(&ip6buf, 0, sizeof(ip6buf));
		memcpy(ip6buf.iniface, ip6->iniface, IFNAMSIZ);
		memcpy(ip6buf.iniface_mask, ip6->iniface_mask, IFNAMSIZ);
		memcpy(ip6buf.outiface, ip6->outiface, IFNAMSIZ);
		memcpy(ip6buf.outiface_mask, ip6->outiface_mask, IFNAMSIZ);
		ip6buf.invflags = ip6->invflags &
				  (IP6T_INV_VIA_IN | IP6T_INV_VIA_OUT);
		ip = &ip6buf;
	}

	if (ip->iniface_mask[0] &&
	    iface_matches(ip->iniface, ip->iniface_mask, "lo") ==
	    !!(ip->invflags & IPT_INV_VIA_IN)) {
		other = true;
		if (!(ip->invflags & IPT_INV_VIA_IN)) {
			iface_word(w, sizeof(w), ip->iniface);
			if (!strstr(ff->other_ifs, w))
				list_add(ff->other_ifs, sizeof(ff->other_ifs),
					 w, cut_if);
		}
	}
	if (ip->outiface_mask[0] &&
	    iface_matches(ip->outiface, ip->outiface_mask, "lo") ==
	    !!(ip->invflags & IPT_INV_VIA_OUT)) {
		other = true;
		if (!(ip->invflags & IPT_INV_VIA_OUT)) {
			iface_word(w, sizeof(w), ip->outiface);
			if (!strstr(ff->other_ifs, w))
				list_add(ff->other_ifs, sizeof(ff->other_ifs),
					 w, cut_if);
		}
	}
	for (k = 0; k < r->nmatches; k++) {
		const struct xt_entry_match *m = r->matches[k];

		if (strcmp(m->u.user.name, "owner") == 0 &&
		    m->u.match_size >= sizeof(*m) +
		    sizeof(struct xt_owner_match_info) &&
		    (((const struct xt_owner_match_info *)m->data)->match &
		     XT_OWNER_GID))
			ff->gid_owner = true;
	}
	if (!other)
		return;
	ff->other_if++;
	snprintf(at, sizeof(at), "%s:%u", r->loc.src ? r->loc.src->name : "?",
		 r->loc.line);
	list_add(ff->other_at, sizeof(ff->other_at), at, cut_at);
}

void ipts_file_facts_init(struct ipts_file_facts *ff,
			  const struct ipts_ruleset *rs)
{
	bool cut_if = false, cut_at = false;
	unsigned int t, c, i;

	memset(ff, 0, sizeof(*ff));
	ff->no_table = true;
	for (t = 0; t < IPTS_TABLE_COUNT; t++) {
		const struct ipts_table *tb = rs->tables[t];

		if (!tb)
			continue;
		ff->no_table = false;
		for (c = 0; c < tb->nchains; c++)
			for (i = 0; i < tb->chains[c]->nrules; i++)
				facts_rule(ff, tb->chains[c]->rules[i],
					   &cut_if, &cut_at);
	}
}

static const char *const fresh_whys[] = {
	"-m limit depends on earlier traffic",
	"-m statistic --mode nth depends on earlier packets",
	IPTS_IPSET_COUNTERS_WHY,
};

bool ipts_fresh_may_decide(const struct ipts_query *q,
			   const struct ipts_result *res)
{
	size_t k, i;

	if (q->fresh || res->outcome != IPTS_UNDETERMINED || res->over_budget)
		return false;
	for (k = 0; k < res->nreasons; k++)
		for (i = 0; i < sizeof(fresh_whys) / sizeof(fresh_whys[0]); i++)
			if (res->reasons[k].changes_outcome &&
			    strcmp(res->reasons[k].why, fresh_whys[i]) == 0)
				return true;
	return false;
}

/* An undetermined answer that a --local-addr would carry on. */
static bool dnat_leaves(const struct ipts_result *res)
{
	static const char why[] = "DNAT to an address that is not local: the "
				  "packet leaves the host";
	size_t k;

	for (k = 0; k < res->nreasons; k++)
		if (res->reasons[k].changes_outcome &&
		    strcmp(res->reasons[k].why, why) == 0)
			return true;
	return false;
}

static char *note_next(struct ipts_notes *out)
{
	if (out->n == IPTS_MAX_NOTES)
		return NULL;
	return out->v[out->n++];
}

void ipts_answer_notes(const struct ipts_file_facts *ff,
		       const struct ipts_query *q,
		       const struct ipts_result *res,
		       const struct ipts_result *fresh,
		       struct ipts_notes *out)
{
	const size_t len = sizeof(out->v[0]);
	char *n;

	out->n = 0;
	if (ff && ff->no_table && (n = note_next(out)))
		snprintf(n, len, "the file holds no table: no rule applies, "
			 "every packet passes as in a namespace without "
			 "iptables rules");
	if (!(q->given & IPTS_QGIVEN_DPORT) && (n = note_next(out)))
		snprintf(n, len, "--dport not given: port %u assumed",
			 q->dport);
	if (q->in && !(q->given & IPTS_QGIVEN_DST) && (n = note_next(out))) {
		char a[INET6_ADDRSTRLEN];

		if (q->family == NFPROTO_IPV6)
			inet_ntop(AF_INET6, &q->dst.in6, a, sizeof(a));
		else
			inet_ntop(AF_INET, &q->dst.in, a, sizeof(a));
		snprintf(n, len,
			 "--dst not given: %s, the first address of "
			 "%s, assumed",
			 a, q->in);
	}
	if ((res->gid_read & IPTS_SIDE_CLIENT) &&
	    !(q->given & IPTS_QGIVEN_GID) && (n = note_next(out)))
		snprintf(n, len, "the answer depends on the client's gid, not "
			 "given: gid %u assumed, the uid's own group "
			 "(--gid G to change it)", q->gid);
	if ((res->gid_read & IPTS_SIDE_SERVER) &&
	    !(q->given & IPTS_QGIVEN_SGID) && (n = note_next(out)))
		snprintf(n, len, "the answer depends on the server's gid, not "
			 "given: gid %u assumed, the server uid's own group "
			 "(--server-gid G to change it)", q->server_gid);
	/* on another path those rules may well be met */
	if (ff && ff->other_if && res->path == IPTS_PATH_LOCAL &&
	    (n = note_next(out)))
		snprintf(n, len, "%u rule%s on other interfaces (%s) never "
			 "meet%s this local path (%s): a connection from the "
			 "network is not simulated", ff->other_if,
			 ff->other_if == 1 ? "" : "s", ff->other_ifs,
			 ff->other_if == 1 ? "s" : "", ff->other_at);
	if (res->outcome == IPTS_UNDETERMINED && dnat_leaves(res) &&
	    (n = note_next(out)))
		snprintf(n, len, "a DNAT sends the connection to an address "
			 "not known to be this host's: if it is one, "
			 "--local-addr A says so and the walk goes on");
	if (fresh && (n = note_next(out))) {
		if (fresh->outcome == IPTS_UNDETERMINED)
			snprintf(n, len, "--fresh (rules just loaded, limits "
				 "full, counters at zero) does not decide it "
				 "either");
		else
			snprintf(n, len, "with --fresh (rules just loaded, "
				 "limits full, counters at zero) the answer is "
				 "%s", ipts_outcome_name(fresh->outcome));
	}
}

static const char *outcome_words(enum ipts_outcome o)
{
	switch (o) {
	case IPTS_CONNECTED:
		return "CONNECTED";
	case IPTS_REFUSED:
		return "REFUSED (ECONNREFUSED)";
	case IPTS_TIMEOUT:
		return "TIMEOUT, stays in SYN_SENT";
	case IPTS_HOSTUNREACH:
		return "HOSTUNREACH (EHOSTUNREACH)";
	case IPTS_NETUNREACH:
		return "NETUNREACH (ENETUNREACH)";
	case IPTS_PROTOUNREACH:
		return "PROTOUNREACH (ENOPROTOOPT)";
	case IPTS_RESET:
		return "RESET (ECONNRESET)";
	case IPTS_DELIVERED:
		return "DELIVERED";
	case IPTS_DROPPED:
		return "DROPPED";
	case IPTS_EPERM:
		return "EPERM";
	case IPTS_EINVAL:
		return "EINVAL";
	case IPTS_UNDETERMINED:
	case IPTS_OUTCOME_COUNT:
		break;
	}
	return "UNDETERMINED";
}

/* "; the SYN is let through by filter:INPUT:rule:1 (FILE:5: -A ...)" */
static void text_let_through(FILE *f, const struct ipts_result *res)
{
	const struct ipts_packet *p;
	const struct ipts_trace *t = ipts_result_let_through(res, &p);
	const char *file;
	uint32_t line;
	char name[256];

	if (!t) {
		fputs("; no rule applies: no table of the file is on its path",
		      f);
		return;
	}
	ipts_trace_name(t, name, sizeof(name));
	ipts_trace_source(t, &file, &line);
	fprintf(f, "; the %s is let through by ", p->name);
	ipts_text_str(f, name);
	if (!file)
		return;
	fputs(" (", f);
	ipts_text_file(f, file);
	fprintf(f, ":%u: ", line);
	if (t->rule) {
		ipts_text_strn(f, ipts_rule_text(t->rule),
			       (size_t)ipts_rule_text_len(t->rule));
	} else {
		size_t n = 0;
		const char *l = ipts_source_line(t->chain->loc.src,
						 t->chain->loc.off, &n);

		ipts_text_strn(f, l, n);
	}
	fputc(')', f);
}

const char *ipts_dev_word(const char *dev)
{
	return dev && dev[0] ? dev : "-";
}

void ipts_forward_to(const struct ipts_query *q, const struct ipts_result *res,
		     char *buf, size_t len, bool *dnat)
{
	const struct ipts_packet *p = ipts_result_first(res);
	union nf_inet_addr daddr = q->dst;
	uint16_t dport = q->dport;

	if (p && p->ntrace) {
		daddr = p->trace[p->ntrace - 1].daddr;
		dport = p->trace[p->ntrace - 1].dport;
	} else if (p) {
		daddr = p->daddr;
		dport = p->dport;
	}
	ipts_fmt_inet(buf, len, q->family, &daddr, dport);
	*dnat = !ipts_addr_eq(&daddr, &q->dst) || dport != q->dport;
}

/* "connect() from uid U to DST:PORT (local, over lo): ", as the path
 * of @res says: the client another host (--in), the way out. */
static void headline_path(FILE *f, const struct ipts_query *q,
			  const struct ipts_result *res)
{
	const struct ipts_packet *first = ipts_result_first(res);
	const char *out = first ? first->out : NULL;
	char a[IPTS_ENDPOINT_LEN];
	bool dnat;

	fputs(q->proto == IPPROTO_UDP ? "send() from " : "connect() from ", f);
	if (q->in) {
		ipts_fmt_inet(a, sizeof(a), q->family, &q->src, -1);
		fprintf(f, "%s on ", a);
		ipts_text_str(f, q->in);
	} else {
		fprintf(f, "uid %u", q->uid);
	}
	ipts_fmt_inet(a, sizeof(a), q->family, &q->dst, q->dport);
	fprintf(f, " to %s%s", a, q->proto == IPPROTO_UDP ? "/udp" : "");
	switch (res->path) {
	case IPTS_PATH_LOCAL:
		fputs(" (local, over lo): ", f);
		break;
	case IPTS_PATH_INPUT:
		fputs(" (input: to a local process): ", f);
		break;
	case IPTS_PATH_OUTPUT:
		fputs(" (output: out ", f);
		ipts_text_str(f, ipts_dev_word(out));
		fputs("): ", f);
		break;
	case IPTS_PATH_FORWARD:
		ipts_forward_to(q, res, a, sizeof(a), &dnat);
		fprintf(f, " (forward: to %s", a);
		if (out && *out) {
			fputs(" out ", f);
			ipts_text_str(f, out);
		}
		fputs(dnat ? ", after DNAT): " : "): ", f);
		break;
	case IPTS_PATH_NONE:
		fputs(": ", f);
		break;
	}
}

void ipts_answer_headline(FILE *f, const struct ipts_query *q,
			  const struct ipts_result *res, bool one_line)
{
	unsigned int i;

	headline_path(f, q, res);
	/* outcome eperm of an ICMPv6 error is the EACCES its socket gets
	 * (adm-prohibited, policy-fail, reject-route): say which */
	if (res->outcome == IPTS_EPERM && q->family == NFPROTO_IPV6 &&
	    strstr(res->why, "fails with EACCES"))
		fputs("EPERM (EACCES)", f);
	else
		fputs(outcome_words(res->outcome), f);
	if (res->over_budget) {
		fputs(" — ", f);
		ipts_text_str(f, res->budget_why);
		fputc('\n', f);
		return;
	}
	if (res->outcome == IPTS_UNDETERMINED) {
		bool by_rules = false;
		size_t k;

		fputs(res->incomplete ? " — possible (of the ways explored): " :
		      " — possible: ", f);

		ipts_possible_text(f, res->possible, "any", "or any other");
		for (k = 0; k < res->nreasons; k++)
			if (res->reasons[k].rule)
				by_rules = true;
		fputs(by_rules || !res->nreasons ?
			      "; the file cannot decide every rule on the way\n" :
			      "; the simulator cannot take a step on the way\n",
		      f);
		for (i = 0; !one_line && i < res->nways; i++) {
			fprintf(f, "  %s: ",
				ipts_outcome_name(res->ways[i].outcome));
			ipts_text_str(f, res->ways[i].why);
			fputc('\n', f);
		}
		return;
	}
	if (res->path == IPTS_PATH_NONE && res->stopped[0] && res->why[0]) {
		/* the whole story: routing's drop, and what came back */
		fputs(" — ", f);
		ipts_text_str(f, res->why);
		fputc('\n', f);
		return;
	}
	if (res->path == IPTS_PATH_NONE && res->stopped[0]) {
		const char *pkt = q->proto == IPPROTO_UDP ? "datagram" : "SYN";

		if (ipts_result_first(res))
			pkt = ipts_result_first(res)->name;
		fprintf(f,
			" — the %s stops at or before the routing decision: ",
			pkt);
		ipts_text_str(f, res->stopped);
		fputc('\n', f);
		return;
	}
	if (res->why[0]) {
		fputs(" — ", f);
		ipts_text_str(f, res->why);
	}
	if (res->outcome == IPTS_CONNECTED || res->outcome == IPTS_DELIVERED)
		text_let_through(f, res);
	fputc('\n', f);
}

/* --- json ------------------------------------------------------------ */

/* The file @r is in; null without a rule or a file. */
static const char *rule_file(const struct ipts_rule *r)
{
	return r && r->loc.src ? r->loc.src->name : NULL;
}

/* "file", "line" and "rule" of @t: its rule, else its chain's line. */
static void json_loc_rule(struct ipts_json *w, const struct ipts_trace *t)
{
	const struct ipts_chain *c = t->chain;

	if (t->rule) {
		ipts_json_kv_string(w, "file", rule_file(t->rule));
		ipts_json_kv_uint(w, "line", t->rule->loc.line);
		ipts_json_kv_stringn(w, "rule", ipts_rule_text(t->rule),
				     (size_t)ipts_rule_text_len(t->rule));
	} else if (c->loc.src) {
		size_t n = 0;
		const char *line = ipts_source_line(c->loc.src, c->loc.off, &n);

		ipts_json_kv_string(w, "file", c->loc.src->name);
		ipts_json_kv_uint(w, "line", c->loc.line);
		ipts_json_kv_stringn(w, "rule", line, n);
	} else {
		ipts_json_kv_null(w, "file");
		ipts_json_kv_null(w, "line");
		ipts_json_kv_null(w, "rule");
	}
}

/* "FILE:LINE" of @t, or null */
static void json_source(struct ipts_json *w, const struct ipts_trace *t)
{
	const char *file;
	uint32_t line;
	char buf[512], *b = buf;
	size_t n;

	ipts_trace_source(t, &file, &line);
	if (!file) {
		ipts_json_null(w);
		return;
	}
	n = strlen(file) + 16;
	if (n > sizeof(buf))
		b = ipts_xmalloc(n);
	snprintf(b, n, "%s:%u", file, line);
	ipts_json_string(w, b);
	if (b != buf)
		free(b);
}

static void json_entry(struct ipts_json *w, const struct ipts_packet *p,
		       const struct ipts_trace *t)
{
	char buf[256];

	ipts_json_object_begin(w, IPTS_JSON_LINE);
	ipts_json_kv_string(w, "packet", p->name);
	ipts_json_kv_string(w, "table", t->chain->table->name);
	ipts_json_kv_string(w, "chain", t->chain->name);
	ipts_json_kv_string(w, "type", ipts_trace_type_name(t->type));
	ipts_json_kv_uint(w, "num", t->num);
	json_loc_rule(w, t);
	ipts_trace_name(t, buf, sizeof(buf));
	ipts_json_kv_string(w, "name", buf);
	ipts_trace_format(t, buf, sizeof(buf));
	ipts_json_kv_string(w, "trace", buf);
	ipts_json_key(w, "source");
	json_source(w, t);
	ipts_json_object_end(w);
}

void ipts_json_decided_by(struct ipts_json *w, const struct ipts_result *res)
{
	const struct ipts_packet *p;

	if (res->outcome == IPTS_UNDETERMINED || res->decided_pkt < 0 ||
	    res->decided_idx < 0) {
		ipts_json_null(w);
		return;
	}
	p = &res->packets[res->decided_pkt];
	json_entry(w, p, &p->trace[res->decided_idx]);
}

/* The rule of an undecided event and why the file cannot decide it. */
static void json_undecided(struct ipts_json *w, const struct ipts_event *ev)
{
	const struct ipts_rule *r = ev->rule;

	ipts_json_kv_string(w, "file", rule_file(r));
	if (r) {
		ipts_json_kv_uint(w, "line", r->loc.line);
		ipts_json_kv_stringn(w, "rule", ipts_rule_text(r),
				     (size_t)ipts_rule_text_len(r));
	} else {
		ipts_json_kv_null(w, "line");
		ipts_json_kv_null(w, "rule");
	}
	ipts_json_kv_string(w, "why", ev->why);
}

static bool same_seen(const struct ipts_trace *a, const struct ipts_trace *b)
{
	return ipts_addr_eq(&a->saddr, &b->saddr) &&
	       ipts_addr_eq(&a->daddr, &b->daddr) && a->sport == b->sport &&
	       a->dport == b->dport && a->sport_hi == b->sport_hi &&
	       a->dport_hi == b->dport_hi && a->mark == b->mark;
}

static const struct {
	unsigned int bit;
	const char *key;
} given_keys[] = {
	{ IPTS_QGIVEN_PROTO, "proto" },
	{ IPTS_QGIVEN_SRC, "src" },
	{ IPTS_QGIVEN_DST, "dst" },
	{ IPTS_QGIVEN_SPORT, "sport" },
	{ IPTS_QGIVEN_DPORT, "dport" },
	{ IPTS_QGIVEN_UID, "uid" },
	{ IPTS_QGIVEN_GID, "gid" },
	{ IPTS_QGIVEN_SUID, "server_uid" },
	{ IPTS_QGIVEN_SGID, "server_gid" },
};

void ipts_result_print_json_flags(FILE *f, const struct ipts_ruleset *rs,
				  const struct ipts_query *q,
				  const struct ipts_result *res,
				  unsigned int flags)
{
	(void)rs;	/* what the result names points into it */
	ipts_result_print_json_notes(f, q, res, NULL, flags);
}

/* "host_facts": what the answer read of the host, given or default. */
static void json_facts(struct ipts_json *w, const struct ipts_result *res)
{
	unsigned int i;

	ipts_json_key(w, "host_facts");
	ipts_json_array_begin(w, IPTS_JSON_LINE);
	for (i = 0; i < res->nfacts; i++) {
		ipts_json_object_begin(w, IPTS_JSON_LINE);
		ipts_json_kv_string(w, "key", res->facts[i].key);
		ipts_json_key(w, "value");
		ipts_json_int(w, res->facts[i].value);
		ipts_json_kv_bool(w, "given", res->facts[i].given);
		ipts_json_object_end(w);
	}
	ipts_json_array_end(w);
}

/* "query": what was asked, as asked or defaulted; the path it took. */
static void json_query(struct ipts_json *w, const struct ipts_query *q,
		       const struct ipts_result *res,
		       const struct ipts_notes *notes)
{
	unsigned int i;
	char a[IPTS_ENDPOINT_LEN];

	ipts_json_key(w, "query");
	ipts_json_object_begin(w, IPTS_JSON_LINE);
	ipts_json_kv_string(w, "proto",
			    q->proto == IPPROTO_UDP ? "udp" : "tcp");
	ipts_fmt_inet(a, sizeof(a), q->family, &q->src, -1);
	ipts_json_kv_string(w, "src", a);
	ipts_fmt_inet(a, sizeof(a), q->family, &q->dst, -1);
	ipts_json_kv_string(w, "dst", a);
	ipts_json_kv_uint(w, "sport", q->sport);
	ipts_json_kv_uint(w, "dport", q->dport);
	ipts_json_kv_uint(w, "uid", q->uid);
	ipts_json_kv_uint(w, "gid", q->gid);
	ipts_json_kv_uint(w, "server_uid", q->server_uid);
	ipts_json_kv_uint(w, "server_gid", q->server_gid);
	ipts_json_kv_bool(w, "listener", !q->no_listener);
	ipts_json_kv_string(w, "in", q->in);
	ipts_json_object_end(w);
	ipts_json_key(w, "defaulted");
	ipts_json_array_begin(w, IPTS_JSON_LINE);
	for (i = 0; i < sizeof(given_keys) / sizeof(given_keys[0]); i++)
		if (!(q->given & given_keys[i].bit))
			ipts_json_string(w, given_keys[i].key);
	ipts_json_array_end(w);
	ipts_json_kv_string(w, "path", ipts_path_name(res->path));
	ipts_json_kv_string(w, "stopped",
			    res->stopped[0] ? res->stopped : NULL);
	ipts_json_kv_string(w, "route", res->route[0] ? res->route : NULL);
	ipts_json_kv_string(w, "interface",
			    res->path == IPTS_PATH_LOCAL ? "lo" : NULL);
	json_facts(w, res);
	ipts_json_key(w, "notes");
	ipts_json_array_begin(w, IPTS_JSON_LINE);
	for (i = 0; notes && i < notes->n; i++)
		ipts_json_string(w, notes->v[i]);
	ipts_json_array_end(w);
}

/* One packet of the connection: its path, what it saw, its verdict. */
static void json_packet(struct ipts_json *w, const struct ipts_packet *p,
			bool kernel_only)
{
	bool ports = p->kind != IPTS_PKT_ICMP && p->kind != IPTS_PKT_NS &&
		     p->kind != IPTS_PKT_NA;
	const struct ipts_trace *prev = NULL;
	char seen[160], a[IPTS_ENDPOINT_LEN + 8];
	size_t k;

	ipts_json_object_begin(w, IPTS_JSON_LINE);
	ipts_json_kv_string(w, "name", p->name);
	ipts_json_kv_string(w, "from", p->from_client ? "client" : "server");
	ipts_fmt_end(a, sizeof(a), p->family, &p->saddr, ports, p->sport,
		     p->sport_hi);
	ipts_json_kv_string(w, "src", a);
	ipts_fmt_end(a, sizeof(a), p->family, &p->daddr, ports, p->dport,
		     p->dport_hi);
	ipts_json_kv_string(w, "dst", a);
	ipts_json_kv_string(w, "in", p->in ? p->in : "");
	ipts_json_kv_string(w, "out", p->out ? p->out : "");
	ipts_json_key(w, "trace");
	ipts_json_array_begin(w, IPTS_JSON_LINE);
	for (k = 0; k < p->ntrace; k++) {
		char buf[256];

		if (kernel_only && !p->trace[k].kernel_logged)
			continue;
		ipts_trace_format(&p->trace[k], buf, sizeof(buf));
		ipts_json_string(w, buf);
	}
	ipts_json_array_end(w);
	ipts_json_key(w, "seen");
	ipts_json_array_begin(w, IPTS_JSON_LINE);
	for (k = 0; k < p->ntrace; k++) {
		const struct ipts_trace *t = &p->trace[k];

		if (kernel_only && !t->kernel_logged)
			continue;
		/* most entries see what the one before saw: format once
		 * (query prints thousands of these a second) */
		if (!prev || !same_seen(prev, t))
			ipts_trace_format_seen(t, seen, sizeof(seen));
		prev = t;
		ipts_json_string(w, seen);
	}
	ipts_json_array_end(w);
	if (p->retransmission)
		ipts_json_kv_bool(w, "retransmission", true);
	if (p->resent) {
		ipts_json_kv_uint(w, "resent", p->resent);
		ipts_json_kv_uint(w, "resent_ms", p->resent_ms);
	}
	ipts_json_kv_bool(w, "trace_truncated", p->trace_omitted != 0);
	ipts_json_kv_uint(w, "trace_omitted", p->trace_omitted);
	ipts_json_kv_string(w, "verdict", ipts_verdict_name(p->verdict));
	ipts_json_key(w, "nat");
	ipts_json_array_begin(w, IPTS_JSON_LINE);
	for (k = 0; k < p->nev; k++) {
		if (p->ev[k].kind != IPTS_EV_NAT)
			continue;
		ipts_json_object_begin(w, IPTS_JSON_LINE);
		ipts_json_kv_string(w, "hook", hook_name(p->ev[k].hook));
		ipts_json_kv_string(w, "change", p->ev[k].text);
		ipts_json_object_end(w);
	}
	ipts_json_array_end(w);
	ipts_json_kv_uint(w, "mark", p->mark);
	ipts_json_kv_uint(w, "connmark", p->connmark);
	ipts_json_kv_string(w, "ctstate", p->ctstate);
	ipts_json_key(w, "events");
	ipts_json_array_begin(w, IPTS_JSON_LINE);
	for (k = 0; k < p->nev; k++) {
		ipts_json_object_begin(w, IPTS_JSON_LINE);
		ipts_json_kv_uint(w, "after", p->ev[k].after);
		ipts_json_kv_string(w, "hook", hook_name(p->ev[k].hook));
		ipts_json_kv_string(w, "kind", event_kind_name(p->ev[k].kind));
		ipts_json_kv_string(w, "text", p->ev[k].text);
		if (p->ev[k].kind == IPTS_EV_UNDECIDED)
			json_undecided(w, &p->ev[k]);
		ipts_json_object_end(w);
	}
	ipts_json_array_end(w);
	ipts_json_kv_uint(w, "events_omitted", p->ev_omitted);
	ipts_json_key(w, "let_through_by");
	ipts_json_array_begin(w, IPTS_JSON_LINE);
	for (k = 0; k < p->npassed; k++) {
		char nm[256];

		ipts_trace_name(&p->passed[k], nm, sizeof(nm));
		ipts_json_object_begin(w, IPTS_JSON_LINE);
		ipts_json_kv_string(w, "name", nm);
		ipts_json_key(w, "source");
		json_source(w, &p->passed[k]);
		ipts_json_object_end(w);
	}
	ipts_json_array_end(w);
	ipts_json_object_end(w);
}

static void json_reasons(struct ipts_json *w, const struct ipts_result *res)
{
	size_t k;

	ipts_json_key(w, "reasons");
	ipts_json_array_begin(w, IPTS_JSON_LINE);
	for (k = 0; k < res->nreasons; k++) {
		const struct ipts_reason *r = &res->reasons[k];
		const struct ipts_rule *rule = r->rule;

		ipts_json_object_begin(w, IPTS_JSON_LINE);
		if (rule)
			ipts_json_kv_stringn(w, "rule", ipts_rule_text(rule),
					     (size_t)ipts_rule_text_len(rule));
		else
			ipts_json_kv_null(w, "rule");
		ipts_json_kv_string(w, "file", rule_file(rule));
		if (rule)
			ipts_json_kv_uint(w, "line", rule->loc.line);
		else
			ipts_json_kv_null(w, "line");
		ipts_json_kv_string(w, "why", r->why);
		ipts_json_kv_bool(w, "changes_outcome", r->changes_outcome);
		ipts_json_object_end(w);
	}
	ipts_json_array_end(w);
}

/* -j SET with --ipsets: the shown way's changes, and the sets changed as
 * `ipset save` text for the next call's --ipsets. */
void ipts_json_sets_after(struct ipts_json *w,
			  const struct ipts_set_change *changes, size_t n,
			  const char *save)
{
	size_t k;

	ipts_json_key(w, "ipsets_after");
	ipts_json_object_begin(w, IPTS_JSON_LINE);
	ipts_json_key(w, "changes");
	ipts_json_array_begin(w, IPTS_JSON_LINE);
	for (k = 0; k < n; k++) {
		ipts_json_object_begin(w, IPTS_JSON_LINE);
		ipts_json_kv_string(w, "set", changes[k].set);
		ipts_json_kv_string(w, "op", changes[k].op);
		ipts_json_kv_string(w, "element", changes[k].elem);
		ipts_json_object_end(w);
	}
	ipts_json_array_end(w);
	ipts_json_kv_string(w, "save", save);
	ipts_json_object_end(w);
}

void ipts_result_print_json_notes(FILE *f, const struct ipts_query *q,
				  const struct ipts_result *res,
				  const struct ipts_notes *notes,
				  unsigned int flags)
{
	const struct ipts_packet *lp = NULL;
	const struct ipts_trace *lt = NULL;
	const char *why = NULL;
	struct ipts_json w;
	unsigned int i;

	ipts_json_init(&w, f);
	ipts_json_object_begin(&w, IPTS_JSON_LINE);
	ipts_json_kv_string(&w, "outcome", ipts_outcome_name(res->outcome));
	ipts_json_key(&w, "decided_by");
	ipts_json_decided_by(&w, res);
	ipts_json_key(&w, "let_through_by");
	if (res->outcome == IPTS_CONNECTED || res->outcome == IPTS_DELIVERED)
		lt = ipts_result_let_through(res, &lp);
	if (lt)
		json_entry(&w, lp, lt);
	else
		ipts_json_null(&w);
	/* an undetermined answer has ways, not one why */
	if (res->over_budget)
		why = res->budget_why;
	else if (res->outcome != IPTS_UNDETERMINED)
		why = res->why;
	ipts_json_kv_string(&w, "why", why);
	json_query(&w, q, res, notes);
	ipts_json_kv_bool(&w, "conntrack", res->conntrack);
	if (!(flags & IPTS_JSON_BRIEF)) {
		ipts_json_key(&w, "packets");
		ipts_json_array_begin(&w, IPTS_JSON_LINE);
		for (i = 0; i < res->npackets; i++)
			json_packet(&w, &res->packets[i],
				    flags & IPTS_JSON_KERNEL_ONLY);
		ipts_json_array_end(&w);
	}
	json_reasons(&w, res);
	ipts_json_key(&w, "visits");
	ipts_json_object_begin(&w, IPTS_JSON_LINE);
	ipts_json_kv_uint(&w, "count", res->visits);
	ipts_json_kv_uint(&w, "max", res->max_visits);
	ipts_json_kv_bool(&w, "exceeded", res->over_budget);
	ipts_json_object_end(&w);
	ipts_json_key(&w, "possible_outcomes");
	ipts_possible_json(&w, res->possible);
	ipts_json_key(&w, "ways");
	ipts_json_array_begin(&w, IPTS_JSON_LINE);
	for (i = 0; i < res->nways; i++) {
		ipts_json_object_begin(&w, IPTS_JSON_LINE);
		ipts_json_kv_string(&w, "outcome",
				    ipts_outcome_name(res->ways[i].outcome));
		ipts_json_kv_string(&w, "why", res->ways[i].why);
		ipts_json_object_end(&w);
	}
	ipts_json_array_end(&w);
	if (res->sets_tracked && !(flags & IPTS_JSON_BRIEF) &&
	    (!(flags & IPTS_JSON_SETS_CHANGED) || res->nset_changes ||
	     res->sets_after))
		ipts_json_sets_after(&w, res->set_changes, res->nset_changes,
				     res->sets_after);
	ipts_json_object_end(&w);
	ipts_json_eol(&w);
}

void ipts_result_print_json(FILE *f, const struct ipts_ruleset *rs,
			    const struct ipts_query *q,
			    const struct ipts_result *res)
{
	ipts_result_print_json_flags(f, rs, q, res, 0);
}
