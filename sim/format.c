/*
 * format.c - the names and words of the simulator's public types: outcome
 * and trace type names, a trace line and the packet it saw, an address.
 */
#include "walk_int.h"	/* first: glibc headers before the uapi ones */

#include <stdio.h>
#include <arpa/inet.h>
#include <netinet/in.h>

const char *ipts_outcome_name(enum ipts_outcome o)
{
	static const char *const names[] = {
		[IPTS_CONNECTED] = "connected",
		[IPTS_REFUSED] = "refused",
		[IPTS_TIMEOUT] = "timeout",
		[IPTS_HOSTUNREACH] = "hostunreach",
		[IPTS_NETUNREACH] = "netunreach",
		[IPTS_PROTOUNREACH] = "protounreach",
		[IPTS_RESET] = "reset",
		[IPTS_DELIVERED] = "delivered",
		[IPTS_DROPPED] = "dropped",
		[IPTS_EPERM] = "eperm",
		[IPTS_EINVAL] = "einval",
		[IPTS_UNDETERMINED] = "undetermined",
	};

	return (unsigned int)o < IPTS_OUTCOME_COUNT ? names[o] : "?";
}

const char *ipts_trace_type_name(enum ipts_trace_type t)
{
	switch (t) {
	case IPTS_TRACE_RULE:
		return "rule";
	case IPTS_TRACE_RETURN:
		return "return";
	case IPTS_TRACE_POLICY:
		return "policy";
	}
	return "?";
}

void ipts_trace_format(const struct ipts_trace *t, char *buf, size_t len)
{
	snprintf(buf, len, "%s:%s:%s:%u", t->chain->table->name,
		 t->chain->name, ipts_trace_type_name(t->type), t->num);
}

static void fmt_range(char *buf, size_t len, uint8_t family,
		      const union nf_inet_addr *addr, bool ports, uint16_t lo,
		      uint16_t hi)
{
	char a[INET6_ADDRSTRLEN + 2];

	if (!ports || !hi) {
		ipts_fmt_inet(buf, len, family, addr, ports ? lo : -1);
		return;
	}
	ipts_fmt_inet(a, sizeof(a), family, addr, -1);
	if (family == NFPROTO_IPV6)
		snprintf(buf, len, "[%s]:%u-%u", a, lo, hi);
	else
		snprintf(buf, len, "%s:%u-%u", a, lo, hi);
}

void ipts_trace_format_seen(const struct ipts_trace *t, char *buf, size_t len)
{
	char a[INET6_ADDRSTRLEN + 16], b[INET6_ADDRSTRLEN + 16];
	bool ports = t->sport || t->dport;

	fmt_range(a, sizeof(a), t->family, &t->saddr, ports, t->sport,
		  t->sport_hi);
	fmt_range(b, sizeof(b), t->family, &t->daddr, ports, t->dport,
		  t->dport_hi);
	if (t->mark)
		snprintf(buf, len, "%s>%s mark=0x%x", a, b, t->mark);
	else
		snprintf(buf, len, "%s>%s", a, b);
}

void ipts_fmt_addr(char *buf, size_t len, uint32_t addr, int port)
{
	char a[INET_ADDRSTRLEN];
	struct in_addr in = { .s_addr = addr };

	inet_ntop(AF_INET, &in, a, sizeof(a));
	if (port >= 0)
		snprintf(buf, len, "%s:%d", a, port);
	else
		snprintf(buf, len, "%s", a);
}

void ipts_fmt_inet(char *buf, size_t len, uint8_t family,
		   const union nf_inet_addr *addr, int port)
{
	char a[INET6_ADDRSTRLEN];

	if (family != NFPROTO_IPV6) {
		ipts_fmt_addr(buf, len, addr->ip, port);
		return;
	}
	inet_ntop(AF_INET6, &addr->in6, a, sizeof(a));
	if (port >= 0)
		snprintf(buf, len, "[%s]:%d", a, port);
	else
		snprintf(buf, len, "%s", a);
}

const char *ipts_path_name(enum ipts_path p)
{
	static const char *const names[] = {
		[IPTS_PATH_LOCAL] = "local",
		[IPTS_PATH_INPUT] = "input",
		[IPTS_PATH_OUTPUT] = "output",
		[IPTS_PATH_FORWARD] = "forward",
	};

	return (unsigned int)p < IPTS_PATH_NONE ? names[p] : NULL;
}
