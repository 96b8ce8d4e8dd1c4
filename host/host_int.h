#ifndef IPTS_HOST_INT_H
#define IPTS_HOST_INT_H

/*
 * host_int.h - what host/ shares only with itself: the storage behind
 * struct ipts_hostdesc, and the helpers the readers and the routing
 * files call.
 */
#include <arpa/inet.h>

#include "diag.h"
#include "host.h"

struct host_iface {
	struct ipts_host_iface pub;
	struct ipts_host_addr *addrs;
	size_t cap;
	struct ipts_host_addr6 *addrs6;
	size_t cap6;
};

/* One `ip -6 rule`: the two default ones, or another (never decided:
 * a lookup that reaches it is undetermined, the rule named). */
struct host_rule6 {
	uint32_t prio;
	uint32_t table;
	bool is_default;
	char text[128];
};

/* One `ip rule`. */
struct host_rule {
	uint32_t prio;
	uint32_t table;
	bool is_default;	/* one of the three every namespace has */
	bool to_table;		/* action: lookup a table (else goto, nop...) */
	bool invert;		/* "not" */
	bool has_src, has_dst;
	uint32_t src, dst;
	uint8_t srclen, dstlen;
	char iif[IPTS_HOST_IFNAMSIZ], oif[IPTS_HOST_IFNAMSIZ];
	bool other;		/* a selector the host cannot tell (fwmark...) */
	char text[128];		/* for messages: "32765: not fwmark 0xca6c lookup 51820" */
};

struct host_sysctl {
	char ifname[IPTS_HOST_IFNAMSIZ];	/* "all", "default" or a device */
	enum ipts_host_knob knob;
	long value;
	enum ipts_host_origin origin;
};

struct ipts_hostdesc {
	struct host_iface *ifaces;
	size_t nifaces, cap_ifaces;
	struct ipts_host_route *routes;
	size_t nroutes, cap_routes;
	struct host_rule *rules;	/* by priority */
	size_t nrules, cap_rules;
	bool rules_given;		/* rule.json was read */
	struct ipts_host_route6 *routes6;
	size_t nroutes6, cap_routes6;
	struct host_rule6 *rules6; /* by priority */
	size_t nrules6, cap_rules6;
	bool rules6_given; /* rule6.json was read */
	struct host_sysctl *sysctls;
	size_t nsysctls, cap_sysctls;
	struct ipts_host_listener *listeners;
	size_t nlisteners, cap_listeners;
	bool touched;			/* a directory or an option was read */
	struct ipts_source **srcs;	/* what diagnostics point into */
	size_t nsrcs, cap_srcs;
};

/* model.c */
void host_keep_source(struct ipts_hostdesc *h, struct ipts_source *src);
/* The interface @name, created (up, next ifindex unless @ifindex > 0). */
int host_iface_get(struct ipts_hostdesc *h, const char *name, int ifindex);
int host_iface_find(const struct ipts_hostdesc *h, const char *name);
/* Add an address; @derive adds the kernel's routes for it (fib_add_ifaddr). */
void host_addr_add(struct ipts_hostdesc *h, int dev,
		   const struct ipts_host_addr *a, bool derive);
/* Append @r; @replace: first drop a route of the same table, prefix and
 * metric (ip route replace). */
void host_route_add(struct ipts_hostdesc *h, const struct ipts_host_route *r,
		    bool replace);
void host_rule_add(struct ipts_hostdesc *h, const struct host_rule *r);
void host_sysctl_set(struct ipts_hostdesc *h, const char *ifname,
		     enum ipts_host_knob knob, long value,
		     enum ipts_host_origin origin);
void host_listener_add(struct ipts_hostdesc *h,
		       const struct ipts_host_listener *l);
/* A host with the default rules and nothing else (no lo yet). */
struct ipts_hostdesc *host_new_bare(void);
/* lo with 127.0.0.1/8 (and its routes, unless the tables have them). */
void host_ensure_lo(struct ipts_hostdesc *h);
/* Move everything @from holds into @to (which holds only what
 * ipts_hostdesc_new() gives); @from ends empty and is freed. */
void host_take(struct ipts_hostdesc *to, struct ipts_hostdesc *from);
void host_fact(struct ipts_host_facts *f, const char *key, long value,
	       bool given, const char *via);

/* host6.c */
/* Add an inet6 address; @derive adds the kernel's routes for it
 * (addrconf_prefix_route(), the local route, fe80::/64 and ff00::/8 of
 * a device's first address). */
void host_addr6_add(struct ipts_hostdesc *h, int dev,
		    const struct ipts_host_addr6 *a, bool derive);
/* Append @r; @replace drops a route of the same table, prefix and
 * metric first. */
void host_route6_add(struct ipts_hostdesc *h, const struct ipts_host_route6 *r,
		     bool replace);
void host_rule6_add(struct ipts_hostdesc *h, const struct host_rule6 *r);
void host_rules6_default(struct ipts_hostdesc *h);
/* The routes the kernel adds for @a (as host_addr6_add() with @derive). */
void host_addr6_derive(struct ipts_hostdesc *h, int dev,
		       const struct ipts_host_addr6 *a);
/* route6.json had no local table: the local routes of every address. */
void host_derive_local6(struct ipts_hostdesc *h);
/* lo's ::1/128 and its local route, unless there. */
void host_ensure_lo6(struct ipts_hostdesc *h);
/* An up, non-loopback interface with inet6 addresses and no link-local
 * one (an inline --iface): the kernel's fe80:: address (EUI-64 of the
 * MAC when known, else of 02:00:00:00:00:IFINDEX, marked assumed) and
 * its routes. */
void host_ensure_ll6(struct ipts_hostdesc *h, int dev);
/* "fd00::1/64", "default", "::/0", "fd00::1" (/128): -1 when not one
 * or with host bits. */
int host_parse_prefix6(const char *s, struct in6_addr *a, uint8_t *len);
void host_free6(struct ipts_hostdesc *h);

/* read_json.c */
int host_read_addr_json(struct ipts_hostdesc *h, const struct ipts_source *s,
			bool derive, struct ipts_diags *d);
/* @have_ifaces: addr.json was read (a route's dev must be in it);
 * *@has_local: some route of the local table was read. */
int host_read_route_json(struct ipts_hostdesc *h, const struct ipts_source *s,
			 bool have_ifaces, bool *has_local,
			 struct ipts_diags *d);
int host_read_rule_json(struct ipts_hostdesc *h, const struct ipts_source *s,
			struct ipts_diags *d);
/* route6.json (`ip -j -6 route show table all`): *@has_local as above. */
int host_read_route6_json(struct ipts_hostdesc *h, const struct ipts_source *s,
			  bool have_ifaces, bool *has_local,
			  struct ipts_diags *d);
int host_read_rule6_json(struct ipts_hostdesc *h, const struct ipts_source *s,
			 struct ipts_diags *d);
/* The kernel's local-table routes for every address (route.json had none). */
void host_derive_local(struct ipts_hostdesc *h);

/* read_text.c */
int host_read_sysctl_txt(struct ipts_hostdesc *h, const struct ipts_source *s,
			 struct ipts_diags *d);
int host_read_listen_txt(struct ipts_hostdesc *h, const struct ipts_source *s,
			 struct ipts_diags *d);
/* KEY VALUE into @h: 0 (an unknown key too, unless @strict: -3), -1 a
 * bad interface part, -2 a value that is no integer. */
int host_sysctl_parse(struct ipts_hostdesc *h, const char *key,
		      const char *val, enum ipts_host_origin origin,
		      bool strict);
/* Parse a table name or number ("main", "local", "default", "51820"). */
int host_parse_table(const char *s, uint32_t *table);
int host_parse_rtn(const char *s, enum ipts_rtn *t);
/* "10.0.0.0/8", "default", "10.0.0.1" (/32); -1 when not one. */
int host_parse_prefix(const char *s, uint32_t *addr, uint8_t *len);
/* One diagnostic at @col (1-based) of @len bytes of line @line. */
void host_err(struct ipts_diags *d, const struct ipts_source *s, uint32_t off,
	      uint32_t line, uint32_t col, uint32_t len, const char *fmt, ...)
	__attribute__((format(printf, 7, 8)));

static inline uint32_t host_mask(uint8_t len)
{
	return htonl(len ? ~0u << (32 - len) : 0);
}

#endif
