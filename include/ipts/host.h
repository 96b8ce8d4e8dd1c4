#ifndef IPTS_HOST_H
#define IPTS_HOST_H

/*
 * host.h - a described host: its interfaces and IPv4 addresses, routing
 * tables and policy rules, the sysctls routing reads, and its listening
 * sockets. Never the machine iptsim runs on: only what a capture
 * directory (--host DIR) and inline options (--iface, --route,
 * --sysctl) say, plus what the kernel adds by itself (lo with
 * 127.0.0.1/8, the connected and local-table routes of each address).
 * On top of it, the routing decisions of net/ipv4: fib lookup through
 * the policy rules, source address selection, and the input route with
 * rp_filter and the martian checks. IPv6 beside it, as the kernel keeps
 * fib6 beside fib4: each interface's inet6 addresses, the v6 routes
 * (route6.json, --route with a v6 prefix) and the decisions of net/ipv6
 * (ipts_fib6_*(), below the IPv4 ones).
 *
 * IPv4 addresses are uint32_t in network byte order, as the model keeps
 * them; IPv6 addresses are struct in6_addr.
 * Every answer that read a sysctl or assumed a fact can list it in a
 * struct ipts_host_facts, so the output can say which defaults it used.
 */
#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct ipts_diags;

#define IPTS_HOST_IFNAMSIZ 16	/* IFNAMSIZ, with the NUL */
/* A file of a host directory larger than this is refused. */
#define IPTS_HOST_FILE_MAX ((uint64_t)16 << 20)

/* The route types of rtnetlink (RTN_*), those IPv4 routing uses. */
enum ipts_rtn {
	IPTS_RTN_UNICAST,
	IPTS_RTN_LOCAL,
	IPTS_RTN_BROADCAST,
	IPTS_RTN_ANYCAST,
	IPTS_RTN_MULTICAST,
	IPTS_RTN_BLACKHOLE,
	IPTS_RTN_UNREACHABLE,
	IPTS_RTN_PROHIBIT,
	IPTS_RTN_THROW,
};

/* rt_scope_t */
enum {
	IPTS_SCOPE_UNIVERSE = 0,
	IPTS_SCOPE_SITE = 200,
	IPTS_SCOPE_LINK = 253,
	IPTS_SCOPE_HOST = 254,
	IPTS_SCOPE_NOWHERE = 255,
};

#define IPTS_RT_TABLE_DEFAULT 253
#define IPTS_RT_TABLE_MAIN 254
#define IPTS_RT_TABLE_LOCAL 255

/* Where a fact came from. */
enum ipts_host_origin {
	IPTS_HOST_KERNEL,	/* what the kernel always has or adds itself */
	IPTS_HOST_DIR,		/* a file of the host directory */
	IPTS_HOST_INLINE,	/* an --iface, --route or --sysctl option */
};

struct ipts_host_addr {
	uint32_t local;		/* IFA_LOCAL */
	uint32_t peer;		/* IFA_ADDRESS: the peer, or local */
	uint8_t prefixlen;
	uint8_t scope;		/* IPTS_SCOPE_* */
	bool has_peer;		/* NAME=ADDR peer PEER */
	bool secondary;		/* IFA_F_SECONDARY: not first in its subnet */
	enum ipts_host_origin origin;
};

/* An inet6 address (addr.json's family "inet6", or --iface
 * NAME=ADDR/LEN with an IPv6 ADDR). */
struct ipts_host_addr6 {
	struct in6_addr local;
	uint8_t prefixlen; /* 0 to 128 */
	uint8_t scope; /* IPTS_SCOPE_UNIVERSE, _LINK, _HOST */
	bool tentative; /* DAD not done (or failed): not usable */
	bool deprecated; /* preferred_lft 0: used only if nothing else */
	bool noprefixroute; /* no connected route */
	/* A link-local address the kernel would have made and the capture
	 * does not show (an inline interface): assumed, said so. */
	bool assumed;
	enum ipts_host_origin origin;
};

struct ipts_host_iface {
	char name[IPTS_HOST_IFNAMSIZ];
	int ifindex;		/* addr.json's, else given in order */
	bool loopback;
	bool up;		/* "UP" in flags (inline: true) */
	bool is_bridge;		/* linkinfo.info_kind "bridge" */
	/* A bridge port: addr.json says "master" (and linkinfo's
	 * info_slave_kind); never guessed from a name. */
	bool bridge_port;
	char master[IPTS_HOST_IFNAMSIZ];	/* "" when none */
	const struct ipts_host_addr *addrs;	/* in the kernel's order */
	size_t naddrs;
	/* IPv6 (struct ipts_host_addr6), in addr.json's order, then the
	 * inline ones. */
	const struct ipts_host_addr6 *addrs6;
	size_t naddrs6;
	uint8_t mac[6]; /* addr.json's "address" of an ether link */
	bool has_mac;
};

struct ipts_host_route {
	enum ipts_rtn type;
	uint32_t table;		/* IPTS_RT_TABLE_* or a number */
	uint32_t dst;
	uint8_t dst_len;
	uint8_t scope;
	uint32_t metric;	/* "priority" */
	uint32_t gateway;	/* 0: none */
	int dev;		/* index in ipts_host_iface_at(), -1: none */
	uint32_t prefsrc;	/* 0: none */
	bool proto_kernel;
	/* ECMP (nexthops), a nexthop object or an RTA_VIA gateway: the
	 * path a flow takes is not told; lookups landing here answer
	 * undetermined. */
	bool multipath;
	enum ipts_host_origin origin;
};

/* An IPv6 route (route6.json, or --route with a v6 prefix or gateway). */
struct ipts_host_route6 {
	enum ipts_rtn type;
	uint32_t table;
	struct in6_addr dst;
	uint8_t dst_len;
	uint32_t metric;
	struct in6_addr gateway;
	bool has_gateway;
	int dev; /* index in ipts_hostdesc_iface_at(), -1: none */
	struct in6_addr prefsrc;
	bool has_prefsrc;
	bool proto_kernel;
	bool multipath; /* as for IPv4: lookups here undetermined */
	enum ipts_host_origin origin;
};

/* The sysctls routing reads: per device (conf.IF) and net.ipv4.ip_forward. */
enum ipts_host_knob {
	IPTS_KNOB_FORWARDING,	/* conf.IF.forwarding; all = ip_forward */
	IPTS_KNOB_RP_FILTER,
	IPTS_KNOB_ROUTE_LOCALNET,
	IPTS_KNOB_ACCEPT_LOCAL,
	IPTS_KNOB_SRC_VALID_MARK,
	/* net.ipv6.conf.IF.forwarding: only conf.all decides whether
	 * ip6_forward() forwards; writing it writes every device's and
	 * conf.default's (seen: addrconf_fixup_forwarding()). */
	IPTS_KNOB_FORWARDING6,
	IPTS_KNOB_COUNT,
};

/* One fact an answer relied on: a sysctl or an assumption. */
struct ipts_host_fact {
	char key[80];		/* "net.ipv4.conf.eth0.rp_filter", "ip rule" */
	long value;
	bool given;		/* false: a default (of a fresh namespace) */
	/* For a default taken from another key (conf.default.X, ip_forward): that key. */
	char via[64];
};

#define IPTS_HOST_FACTS_MAX 16
struct ipts_host_facts {
	struct ipts_host_fact v[IPTS_HOST_FACTS_MAX];
	unsigned int n;		/* beyond the array: dropped, counted */
	unsigned int dropped;
};

/* A listening socket of listen.txt. */
struct ipts_host_listener {
	int proto;		/* IPPROTO_TCP, IPPROTO_UDP */
	int family;		/* AF_INET, AF_INET6; AF_UNSPEC for "*" */
	bool any;		/* 0.0.0.0, [::] or * (a dual-stack socket) */
	uint8_t addr[16];	/* 4 bytes for AF_INET, network order */
	uint16_t port;		/* host order */
	char dev[IPTS_HOST_IFNAMSIZ];	/* "127.0.0.53%lo": "lo"; else "" */
};

/* Opaque: what the host holds. */
struct ipts_hostdesc;

/*
 * A host with only what every namespace has: lo (ifindex 1, up) with
 * 127.0.0.1/8 and its local-table routes, the three default rules, no
 * sysctl given. Free with ipts_hostdesc_free(). Never NULL.
 */
struct ipts_hostdesc *ipts_hostdesc_new(void);
/* Frees the host and the sources its diagnostics point into. */
void ipts_hostdesc_free(struct ipts_hostdesc *h);

/*
 * Read a capture directory (README "Describing a host"): any of
 * addr.json route.json rule.json sysctl.txt listen.txt; a missing file
 * is no error, a symbolic link, a non-regular file or one larger than
 * IPTS_HOST_FILE_MAX is. Call it once, before any ipts_hostdesc_add_*(),
 * on a host from ipts_hostdesc_new() (an assert guards it). Returns 0, or
 * -1 with errors in @d and @h as it was: a host is never half-read. The sources stay owned by @h
 * (the diagnostics point into them) until ipts_hostdesc_free().
 */
int ipts_hostdesc_read_dir(struct ipts_hostdesc *h, const char *dir,
			   struct ipts_diags *d);

/*
 * The inline options, each given the option's text (the source of its
 * diagnostics is named after the option, columns count in @text).
 * Each returns 0, or -1 with an error in @d and @h unchanged.
 *   --iface NAME=ADDR/LEN | NAME=ADDR peer PEER[/LEN]: an address after
 *     the ones @h has (first in its subnet: primary), the interface
 *     added when new; the connected and local routes follow.
 *   --route 'LINE': one line as `ip route` prints it; replaces a route
 *     of the same table, type, prefix and metric.
 *   --sysctl KEY=VALUE: overrides the directory's value of KEY.
 */
int ipts_hostdesc_add_iface(struct ipts_hostdesc *h, const char *text,
			    struct ipts_diags *d);
int ipts_hostdesc_add_route(struct ipts_hostdesc *h, const char *text,
			    struct ipts_diags *d);
int ipts_hostdesc_add_sysctl(struct ipts_hostdesc *h, const char *text,
			     struct ipts_diags *d);

/* The interfaces, in addr.json's order. Borrowed; valid until the host changes. */
size_t ipts_hostdesc_iface_count(const struct ipts_hostdesc *h);
const struct ipts_host_iface *ipts_hostdesc_iface_at(
	const struct ipts_hostdesc *h, size_t i);
/* The interface named @name, NULL if none. */
const struct ipts_host_iface *ipts_hostdesc_iface(
	const struct ipts_hostdesc *h, const char *name);
/* Every route of every table, in the order they were read or added. */
size_t ipts_hostdesc_route_count(const struct ipts_hostdesc *h);
const struct ipts_host_route *ipts_hostdesc_route_at(
	const struct ipts_hostdesc *h, size_t i);
size_t ipts_hostdesc_listener_count(const struct ipts_hostdesc *h);
const struct ipts_host_listener *ipts_hostdesc_listener_at(
	const struct ipts_hostdesc *h, size_t i);
/*
 * The listener an IPv4 packet to @daddr:@dport (@proto, host order
 * port) arriving on @dev ("lo" from the host itself) reaches, NULL if
 * none (TCP: refused): bound to @daddr or to any address of the family,
 * "*" (dual-stack) included and "[::]" (IPV6_V6ONLY) not, and bound to
 * @dev or to no device; an exact address first, as compute_score().
 */
const struct ipts_host_listener *ipts_hostdesc_listener_find(
	const struct ipts_hostdesc *h, int proto, uint32_t daddr,
	uint16_t dport, const char *dev);

/*
 * The value a sysctl has on @h: net.ipv4.conf.@ifname.@knob (@ifname
 * "all" or "default" too; for IPTS_KNOB_FORWARDING "all" is
 * net.ipv4.ip_forward). Not given, it is what the kernel would hold: a
 * device copies conf.default when it is created, and writing
 * ip_forward sets every device's forwarding; otherwise a fresh
 * namespace's 0. The fact is appended to @facts (may be NULL).
 */
long ipts_hostdesc_sysctl(const struct ipts_hostdesc *h, const char *ifname,
			  enum ipts_host_knob knob,
			  struct ipts_host_facts *facts);

/* What a fib lookup found. */
enum ipts_fib_status {
	IPTS_FIB_OK,		/* a route, of any type */
	IPTS_FIB_NOROUTE,	/* no rule's table had one: ENETUNREACH */
	IPTS_FIB_UNDETERMINED,	/* a rule the host cannot decide: @why */
};

struct ipts_fib_result {
	enum ipts_fib_status status;
	const struct ipts_host_route *route;	/* IPTS_FIB_OK */
	enum ipts_rtn type;
	uint32_t table;
	/*
	 * The error the kernel's lookup gives (fib_props[].error): 0,
	 * EINVAL (blackhole), EHOSTUNREACH (unreachable), EACCES
	 * (prohibit), ENETUNREACH (no route, or a throw not caught).
	 * A local connect() gets it.
	 */
	int err;
	const struct ipts_host_iface *dev;	/* NULL: none (or loopback
						 * for a local route) */
	uint32_t gateway;	/* 0: on link */
	uint32_t src;		/* the source a local socket gets (output) */
	char why[160];		/* IPTS_FIB_UNDETERMINED: the rule, in words */
};

/* The flow a lookup is for (struct flowi4, the parts a host can tell). */
struct ipts_fib_flow {
	uint32_t daddr;
	uint32_t saddr;		/* 0: unbound (output) */
	const char *iif;	/* NULL: a local socket (iif lo) */
	const char *oif;	/* NULL: any (a socket bound to a device: its name) */
};

/*
 * fib_lookup(): the policy rules in priority order (the three default
 * ones; any other that could apply gives IPTS_FIB_UNDETERMINED), then
 * the table's longest prefix, lowest metric. @facts: see above.
 */
void ipts_fib_lookup(const struct ipts_hostdesc *h,
		     const struct ipts_fib_flow *fl,
		     struct ipts_fib_result *res,
		     struct ipts_host_facts *facts);

/*
 * The route a local connect() to @fl->daddr takes (ip_route_output_key):
 * the lookup, then the source address when @fl->saddr is 0 (the route's
 * prefsrc, else inet_select_addr() on its device). res->err != 0: what
 * connect() fails with.
 */
void ipts_fib_route_output(const struct ipts_hostdesc *h,
			   const struct ipts_fib_flow *fl,
			   struct ipts_fib_result *res,
			   struct ipts_host_facts *facts);

/*
 * inet_select_addr(): the source for talking to @dst through @dev at
 * @scope; 0 when the host has none.
 */
uint32_t ipts_host_select_addr(const struct ipts_hostdesc *h,
			       const struct ipts_host_iface *dev,
			       uint32_t dst, int scope,
			       struct ipts_host_facts *facts);

/* The type the local table gives @addr (inet_addr_type()): LOCAL,
 * BROADCAST, MULTICAST for 224/4, else UNICAST. */
enum ipts_rtn ipts_host_addr_type(const struct ipts_hostdesc *h,
				  uint32_t addr);

/* What ip_route_input_slow() does with a packet arriving from outside. */
enum ipts_input_verdict {
	IPTS_INPUT_LOCAL,	/* delivered: INPUT */
	IPTS_INPUT_FORWARD,	/* forwarded: FORWARD, out res.dev */
	IPTS_INPUT_BROADCAST,	/* delivered as a broadcast */
	IPTS_INPUT_DROP,	/* dropped by routing: @reason, @err */
	IPTS_INPUT_UNDETERMINED,
};

enum ipts_input_reason {
	IPTS_INPUT_OK,
	IPTS_INPUT_MARTIAN_SOURCE,	/* multicast, 255.255.255.255, 0/8,
					 * 127/8, an address of the host */
	IPTS_INPUT_MARTIAN_DEST,	/* 0/8, 127/8, a non-unicast route */
	IPTS_INPUT_RP_FILTER,		/* fib_validate_source(): -EXDEV */
	IPTS_INPUT_NO_ROUTE,		/* no route, or blackhole etc. */
	IPTS_INPUT_NOT_FORWARDING,	/* conf.IIF.forwarding 0 */
	IPTS_INPUT_UNKNOWN_IFACE,	/* @iif is not an interface of the host */
};

struct ipts_route_input {
	enum ipts_input_verdict verdict;
	enum ipts_input_reason reason;
	/* What `ip route get DADDR from SADDR iif DEV` answers: EINVAL for
	 * a martian and for rp_filter (the reason tells them apart),
	 * EHOSTUNREACH with forwarding off, else the lookup's error. */
	int err;
	struct ipts_fib_result fib;	/* the destination's lookup */
	char why[160];
};

/*
 * fib_validate_source(): may a packet from @saddr to @daddr arrive on
 * @iif? 0 yes, -EINVAL (the source is one of the host's addresses, or
 * its route back is not unicast), -EXDEV (rp_filter: no route back, or
 * for 1 not out of @iif), 1 undetermined (a policy rule: @why, 160
 * bytes). rp_filter is max(conf.all, conf.IIF).
 */
int ipts_fib_validate_source(const struct ipts_hostdesc *h, uint32_t saddr,
			     uint32_t daddr, const struct ipts_host_iface *iif,
			     char *why, struct ipts_host_facts *facts);

/* ip_route_input_slow() for a packet @saddr -> @daddr arriving on @iif. */
void ipts_fib_route_input(const struct ipts_hostdesc *h, uint32_t saddr,
			  uint32_t daddr, const char *iif,
			  struct ipts_route_input *res,
			  struct ipts_host_facts *facts);

/* --- IPv6: net/ipv6's decisions on the same host -------------------- */

/* Every IPv6 route of every table, in the order read or added. */
size_t ipts_hostdesc_route6_count(const struct ipts_hostdesc *h);
const struct ipts_host_route6 *
ipts_hostdesc_route6_at(const struct ipts_hostdesc *h, size_t i);

/* As ipts_hostdesc_listener_find(), for an IPv6 packet: bound to
 * @daddr, to "[::]" or to "*" ("0.0.0.0" not). */
const struct ipts_host_listener *
ipts_hostdesc_listener_find6(const struct ipts_hostdesc *h, int proto,
			     const struct in6_addr *daddr, uint16_t dport,
			     const char *dev);

/* The flow of a v6 lookup (struct flowi6, what a host can tell). */
struct ipts_fib6_flow {
	struct in6_addr daddr;
	struct in6_addr saddr; /* :: unbound */
	const char *iif; /* NULL: a local socket */
	const char *oif; /* the zone of a link-local, a bound device */
};

struct ipts_fib6_result {
	enum ipts_fib_status status;
	const struct ipts_host_route6 *route; /* IPTS_FIB_OK */
	enum ipts_rtn type;
	uint32_t table;
	/* A local connect()'s errno, measured: unreachable EHOSTUNREACH,
	 * prohibit EACCES, blackhole EINVAL, throw with nothing after it
	 * and no route ENETUNREACH. */
	int err;
	const struct ipts_host_iface *dev;
	struct in6_addr gateway; /* :: on link */
	struct in6_addr src; /* output: the source picked */
	bool has_src; /* false: the host has none */
	char why[160];
};

/*
 * fib6_rule_lookup(): the policy rules by priority (IPv6 has two
 * default ones, 0 local and 32766 main; any other rule gives
 * IPTS_FIB_UNDETERMINED), then the table's longest prefix, lowest
 * metric. A flow with @oif (or a link-local or multicast destination
 * arriving on @iif) sees only routes of that device.
 */
void ipts_fib6_lookup(const struct ipts_hostdesc *h,
		      const struct ipts_fib6_flow *fl,
		      struct ipts_fib6_result *res,
		      struct ipts_host_facts *facts);

/*
 * ip6_route_output() and the source of a local socket (the route's
 * prefsrc, else ipts_host6_select_addr()). A link-local destination
 * without @fl->oif is what connect() refuses with EINVAL (res->err,
 * status OK, route NULL; measured: even with one interface).
 */
void ipts_fib6_route_output(const struct ipts_hostdesc *h,
			    const struct ipts_fib6_flow *fl,
			    struct ipts_fib6_result *res,
			    struct ipts_host_facts *facts);

/*
 * ipv6_dev_get_saddr(), the parts of RFC 6724's rules a capture tells:
 * the destination itself when local, an address of the right scope
 * (not smaller than the destination's, the smallest such), not
 * tentative, not deprecated, on @dev first, longest matching prefix.
 * False when the host has none.
 */
bool ipts_host6_select_addr(const struct ipts_hostdesc *h,
			    const struct ipts_host_iface *dev,
			    const struct in6_addr *dst, struct in6_addr *src,
			    struct ipts_host_facts *facts);

/* The type the local table gives @addr: LOCAL (an address of the
 * host, ::1), ANYCAST (a subnet-router anycast of a forwarding
 * host), MULTICAST (ff00::/8), else UNICAST. */
enum ipts_rtn ipts_host6_addr_type(const struct ipts_hostdesc *h,
				   const struct in6_addr *addr);
/* Whether @addr is an address of @dev (its inet6 list; ::1 of lo). */
bool ipts_host6_is_addr_of(const struct ipts_host_iface *dev,
			   const struct in6_addr *addr);

/*
 * ip6_rcv_core() then ip6_route_input() for a packet @saddr -> @daddr
 * arriving on @iif: IPTS_INPUT_MARTIAN_SOURCE/DEST with reason
 * before_prerouting set for what ip6_rcv_core() drops before
 * PREROUTING (::1 either way on a non-loopback device, a multicast
 * source); then LOCAL, FORWARD (conf.all.forwarding 1), or DROP:
 * IPTS_INPUT_NOT_FORWARDING (a silent drop, no ICMPv6: seen), or
 * IPTS_INPUT_NO_ROUTE with @icmp6_code the destination unreachable
 * code the host sends (0 no route/unreachable/throw, 1 prohibit; -1
 * blackhole: nothing), whatever forwarding says (seen).
 */
struct ipts_route_input6 {
	enum ipts_input_verdict verdict;
	enum ipts_input_reason reason;
	bool before_prerouting;
	int err;
	int icmp6_code;
	struct ipts_fib6_result fib;
	char why[160];
};
void ipts_fib6_route_input(const struct ipts_hostdesc *h,
			   const struct in6_addr *saddr,
			   const struct in6_addr *daddr, const char *iif,
			   struct ipts_route_input6 *res,
			   struct ipts_host_facts *facts);
/* ip6_rcv_core()'s checks alone (before PREROUTING): true when the
 * packet is dropped there; @why says why (160 bytes). */
bool ipts_fib6_rcv_drops(const struct ipts_hostdesc *h,
			 const struct in6_addr *saddr,
			 const struct in6_addr *daddr, const char *iif,
			 char *why);

/* An IPv6 address as `ip` prints it (compressed), with /LEN when @len
 * is 0 to 127 (@len -1: none). */
void ipts_host6_fmt(char *buf, size_t len, const struct in6_addr *a, int plen);

/* Names for messages: "unicast", "blackhole"; "strict" for rp_filter. */
const char *ipts_rtn_name(enum ipts_rtn t);
const char *ipts_input_reason_name(enum ipts_input_reason r);

#endif
