#ifndef IPTS_IPSET_INT_H
#define IPTS_IPSET_INT_H

/*
 * What the ipset files (read.c, test.c, check.c) share: the types the
 * kernel has, and one element of any of them.
 */
#include <stdbool.h>
#include <stdint.h>

#include "diag.h"
#include "ipset.h"

enum set_kind {
	SET_HASH_IP,
	SET_HASH_NET,
	SET_HASH_IPPORT,
	SET_HASH_NETPORT,
	SET_HASH_IPPORTIP,
	SET_HASH_IPPORTNET,
	SET_HASH_NETNET,
	SET_HASH_NETIFACE,
	SET_HASH_IPMARK,
	SET_HASH_MAC,
	SET_BITMAP_IP,
	SET_BITMAP_PORT,
	SET_LIST_SET,
	SET_UNMODELLED, /* a type ipset has that iptsim does not model */
};

/* The kinds of dimension a type's element is made of, in order. */
enum dim_kind {
	DIM_IP, /* an address (a range before the netmask) */
	DIM_NET, /* an address and a prefix */
	DIM_PORT, /* protocol and port range */
	DIM_BPORT, /* bitmap:port's port, no protocol */
	DIM_IFACE,
	DIM_MARK,
	DIM_MAC,
	DIM_SETNAME,
};

struct set_type {
	const char *name;
	enum set_kind kind;
	unsigned int dim; /* the kernel's type->dimension */
	enum dim_kind dims[3]; /* the element's parts */
	unsigned int nparts;
	bool nomatch; /* IPSET_TYPE_NOMATCH */
	int family; /* 0: NFPROTO_UNSPEC */
};

/*
 * One element; an address range, a port range or a prefix stands for
 * the elements the kernel would add for it.
 */
struct set_elem {
	uint32_t lo[2], hi[2]; /* address parts, host order */
	uint8_t a6[2][16]; /* family inet6: the address parts (a single
			    * address or a prefix), network order */
	uint8_t cidr[2]; /* net parts */
	uint8_t proto;
	uint16_t port_lo, port_hi;
	char iface[16];
	bool physdev, wildcard;
	uint32_t mark;
	uint8_t mac[6];
	int member; /* list:set: the member set's index */
	bool nomatch;
	bool has_counters;
	uint64_t packets, bytes;
	uint32_t timeout; /* seconds left at capture, 0: none */
	uint32_t skbmark, skbmarkmask; /* skbinfo's skbmark, 0/0: none */
	uint32_t line; /* its add line (0: made by -j SET) */
};

struct ipts_ipset {
	char name[32];
	const struct set_type *type;
	int family; /* 4, 6; 0 for a type without one */
	uint32_t netmask; /* host order, hash:ip and bitmap:ip */
	uint8_t netmask6; /* family inet6: hash:ip's netmask, 1-128 */
	uint32_t markmask;
	uint32_t range_lo, range_hi; /* bitmap types */
	uint64_t maxelem, count;
	bool timeout, counters, comment, skbinfo;
	uint32_t timeout_dflt; /* the create line's timeout */
	/* A -j SET changed it in a way the file cannot tell (state.c): a
	 * test of it answers unknown, saying @unknown_why. */
	const char *unknown_why;
	struct set_elem *v;
	size_t n, cap;
	struct ipts_loc loc; /* its create line */
	/* The reader's index of elements, to refuse one added twice as
	 * `ipset restore` does: single elements hashed (@dup_tab, indices
	 * plus one), ranged ones listed (@ranged). Freed once read. */
	uint32_t *dup_tab, *ranged;
	size_t dup_cap, dup_n, nranged, ranged_cap;
};

/* ip6_netmask(): the 16 bytes at @a under the prefix @cidr (0..128). */
void ipts_ipset_mask6(uint8_t *a, unsigned int cidr);

struct ipts_ipsets {
	struct ipts_ipset *v;
	size_t n, cap;
	const struct ipts_source *src;
};

/*
 * test.c: -m set @m on @p counting the elements it finds (the sets are a
 * state's: @writable gives a set's own copy before its elements change);
 * @skbmark (NULL: not asked) and @skbmarkmask get the skbinfo of the
 * element that matched, as ipts_ipset_map() gives it.
 */
enum ipts_ipset_answer ipts_ipset_count_test(
	const struct ipts_ipsets *sets, const struct ipts_ipset_match *m,
	const struct ipts_ipset_pkt *p, const char **why,
	struct ipts_ipset *(*writable)(void *arg, const struct ipts_ipset *),
	void *arg, uint32_t *skbmark, uint32_t *skbmarkmask);
/* read.c: how many kernel elements @e stands for (a range: each). */
uint64_t ipts_ipset_elem_count(const struct ipts_ipset *set,
			       const struct set_elem *e);
/* state.c: append @e to @set's elements (they may move). */
void ipts_ipset_push(struct ipts_ipset *set, const struct set_elem *e);

#endif
