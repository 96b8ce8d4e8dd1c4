#ifndef IPTS_MATCH_INT_H
#define IPTS_MATCH_INT_H

/*
 * What the match evaluator files (match.c, match_l4.c, match_ct.c,
 * match_misc.c) share: one evaluator per kernel match function, and the
 * answers every one of them gives.
 */
#include <stdbool.h>
#include <stdint.h>

#include "sim_int.h"

/* The arguments of one evaluation, as xt_action_param is for the kernel. */
struct ipts_mpar {
	const void *info;		/* the blob's data: the uapi struct */
	uint8_t revision;
	const struct ipt_entry *e;
	const struct ipts_pkt *p;
	const struct ipts_host *h;
	const char **reason;
};

typedef enum ipts_match_result (*ipts_match_fn)(const struct ipts_mpar *par);

/* A bool from the kernel's formula as a result. */
static inline enum ipts_match_result ipts_mres(bool yes)
{
	return yes ? IPTS_MATCH_YES : IPTS_MATCH_NO;
}

static inline enum ipts_match_result ipts_munknown(const struct ipts_mpar *par,
						   const char *why)
{
	*par->reason = why;
	return IPTS_MATCH_UNKNOWN;
}

/* Fragment offset in 8-byte units, as ipt_do_table() computes fragoff. */
static inline unsigned int ipts_pkt_fragoff(const struct ipts_pkt *p)
{
	return p->frag_off & 0x1fff;
}

/* match_l4.c */
enum ipts_match_result ipts_mt_tcp(const struct ipts_mpar *par);
enum ipts_match_result ipts_mt_udp(const struct ipts_mpar *par);
enum ipts_match_result ipts_mt_icmp(const struct ipts_mpar *par);
enum ipts_match_result ipts_mt_multiport(const struct ipts_mpar *par);
enum ipts_match_result ipts_mt_tcpmss(const struct ipts_mpar *par);
enum ipts_match_result ipts_mt_ecn(const struct ipts_mpar *par);

/* match_ct.c */
enum ipts_match_result ipts_mt_conntrack(const struct ipts_mpar *par);
enum ipts_match_result ipts_mt_state(const struct ipts_mpar *par);
enum ipts_match_result ipts_mt_connmark(const struct ipts_mpar *par);
enum ipts_match_result ipts_mt_helper(const struct ipts_mpar *par);

/* match_misc.c */
enum ipts_match_result ipts_mt_owner(const struct ipts_mpar *par);
enum ipts_match_result ipts_mt_mark(const struct ipts_mpar *par);
enum ipts_match_result ipts_mt_comment(const struct ipts_mpar *par);
enum ipts_match_result ipts_mt_iprange(const struct ipts_mpar *par);
enum ipts_match_result ipts_mt_addrtype(const struct ipts_mpar *par);
enum ipts_match_result ipts_mt_length(const struct ipts_mpar *par);
enum ipts_match_result ipts_mt_tos(const struct ipts_mpar *par);
enum ipts_match_result ipts_mt_dscp(const struct ipts_mpar *par);
enum ipts_match_result ipts_mt_ttl(const struct ipts_mpar *par);
enum ipts_match_result ipts_mt_pkttype(const struct ipts_mpar *par);
enum ipts_match_result ipts_mt_statistic(const struct ipts_mpar *par);
enum ipts_match_result ipts_mt_limit(const struct ipts_mpar *par);
enum ipts_match_result ipts_mt_hashlimit(const struct ipts_mpar *par);
enum ipts_match_result ipts_mt_policy(const struct ipts_mpar *par);
enum ipts_match_result ipts_mt_physdev(const struct ipts_mpar *par);
enum ipts_match_result ipts_mt_mac(const struct ipts_mpar *par);
enum ipts_match_result ipts_mt_rpfilter(const struct ipts_mpar *par);

/* match_v6.c: the answer for an IPv6 packet when it is not match.c's
 * (*handled set), else nothing. */
enum ipts_match_result ipts_match_eval6(const struct xt_entry_match *m,
					const struct ipts_pkt *p,
					const struct ipts_host *h,
					const char **reason, bool *handled);

#endif
