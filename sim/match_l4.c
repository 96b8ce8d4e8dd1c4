/*
 * match_l4.c - matches on the transport header: tcp and udp
 * (net/netfilter/xt_tcpudp.c), icmp (icmp_match() in ip_tables.c),
 * multiport (xt_multiport.c), tcpmss (xt_tcpmss.c) and ecn (xt_ecn.c).
 *
 * Each reads the same header fields the kernel reads, from the simulated
 * packet. A non-first fragment never matches them; a TCP fragment at
 * offset 1 or a TCP header shorter than 20 bytes is "hotdropped" by the
 * kernel, a verdict a match result cannot carry, so it is undetermined.
 */
#include "match_int.h"	/* first: glibc headers before the uapi ones */

#include <netinet/in.h>
#include <linux/netfilter/x_tables.h>
#include <linux/netfilter/xt_ecn.h>
#include <linux/netfilter/xt_multiport.h>
#include <linux/netfilter/xt_tcpmss.h>
#include <linux/netfilter/xt_tcpudp.h>


#define TCPOPT_MSS_KIND	2
#define TCPOLEN_MSS_LEN	4
#define TCP_FLAG_ECE	0x40
#define TCP_FLAG_CWR	0x80

static bool port_match(uint16_t min, uint16_t max, uint16_t port, bool invert)
{
	return (port >= min && port <= max) ^ invert;
}

/*
 * tcp_find_option(): walk the option list as the kernel does, kind by kind,
 * skipping by the length byte (a zero length steps one byte).
 */
static enum ipts_match_result tcp_find_option(const struct ipts_mpar *par,
					      uint8_t option, bool invert)
{
	const struct ipts_pkt *p = par->p;
	unsigned int optlen = p->tcp_doff * 4u - 20u;
	unsigned int i;

	if (!optlen)
		return ipts_mres(invert);
	if (!p->tcp_opts)
		return ipts_munknown(par, "tcp options of the packet are unknown");
	for (i = 0; i < optlen;) {
		const uint8_t *op = p->tcp_opts;

		if (op[i] == option)
			return ipts_mres(!invert);
		if (op[i] < 2 || i + 1 >= optlen)
			i++;
		else
			i += op[i + 1] ? op[i + 1] : 1;
	}
	return ipts_mres(invert);
}

enum ipts_match_result ipts_mt_tcp(const struct ipts_mpar *par)
{
	const struct xt_tcp *info = par->info;
	const struct ipts_pkt *p = par->p;
	unsigned int fragoff = ipts_pkt_fragoff(p);

	if (fragoff == 1)
		return ipts_munknown(par, "a tcp fragment at offset 8 is dropped");
	if (fragoff)
		return IPTS_MATCH_NO;
	if (p->protocol != IPPROTO_TCP)
		return ipts_munknown(par, "-m tcp on a packet that is not tcp");
	if (!port_match(info->spts[0], info->spts[1], p->sport,
			info->invflags & XT_TCP_INV_SRCPT))
		return IPTS_MATCH_NO;
	if (!port_match(info->dpts[0], info->dpts[1], p->dport,
			info->invflags & XT_TCP_INV_DSTPT))
		return IPTS_MATCH_NO;
	if (!(((p->tcp_flags & info->flg_mask) == info->flg_cmp) ^
	      !!(info->invflags & XT_TCP_INV_FLAGS)))
		return IPTS_MATCH_NO;
	if (info->option) {
		if (p->tcp_doff < 5)
			return ipts_munknown(par,
				"a tcp header shorter than 20 bytes is dropped");
		return tcp_find_option(par, info->option,
				       info->invflags & XT_TCP_INV_OPTION);
	}
	return IPTS_MATCH_YES;
}

enum ipts_match_result ipts_mt_udp(const struct ipts_mpar *par)
{
	const struct xt_udp *info = par->info;
	const struct ipts_pkt *p = par->p;

	if (ipts_pkt_fragoff(p))
		return IPTS_MATCH_NO;
	if (p->protocol != IPPROTO_UDP)
		return ipts_munknown(par, "-m udp on a packet that is not udp");
	return ipts_mres(port_match(info->spts[0], info->spts[1], p->sport,
				    info->invflags & XT_UDP_INV_SRCPT) &&
			 port_match(info->dpts[0], info->dpts[1], p->dport,
				    info->invflags & XT_UDP_INV_DSTPT));
}

/* icmp_type_code_match(): type 0xff stands for any type. */
enum ipts_match_result ipts_mt_icmp(const struct ipts_mpar *par)
{
	const struct ipt_icmp *info = par->info;
	const struct ipts_pkt *p = par->p;
	bool hit;

	if (ipts_pkt_fragoff(p))
		return IPTS_MATCH_NO;
	if (p->protocol != IPPROTO_ICMP)
		return ipts_munknown(par, "-m icmp on a packet that is not icmp");
	hit = info->type == 0xff ||
	      (p->icmp_type == info->type && p->icmp_code >= info->code[0] &&
	       p->icmp_code <= info->code[1]);
	return ipts_mres(hit ^ !!(info->invflags & IPT_ICMP_INV));
}

/* ports_match(): revision 0, a list of single ports, no inversion. */
static bool ports_match_v0(const struct xt_multiport *info, uint16_t src,
			   uint16_t dst)
{
	unsigned int i, n = info->count;

	if (n > XT_MULTI_PORTS)
		n = XT_MULTI_PORTS;
	for (i = 0; i < n; i++) {
		if (info->flags != XT_MULTIPORT_DESTINATION &&
		    info->ports[i] == src)
			return true;
		if (info->flags != XT_MULTIPORT_SOURCE && info->ports[i] == dst)
			return true;
	}
	return false;
}

static bool port_in(uint8_t flags, uint16_t s, uint16_t e, uint16_t src,
		    uint16_t dst)
{
	switch (flags) {
	case XT_MULTIPORT_SOURCE:
		return src >= s && src <= e;
	case XT_MULTIPORT_DESTINATION:
		return dst >= s && dst <= e;
	case XT_MULTIPORT_EITHER:
		return (dst >= s && dst <= e) || (src >= s && src <= e);
	}
	return false;
}

/* ports_match_v1(): a pflags entry marks the first port of a range. */
static bool ports_match_v1(const struct xt_multiport_v1 *info, uint16_t src,
			   uint16_t dst)
{
	unsigned int i, n = info->count;

	if (n > XT_MULTI_PORTS)
		n = XT_MULTI_PORTS;
	for (i = 0; i < n; i++) {
		uint16_t s = info->ports[i], e = s;

		if (info->pflags[i] && i + 1 < XT_MULTI_PORTS)
			e = info->ports[++i];
		if (port_in(info->flags, s, e, src, dst))
			return (1 ^ info->invert) != 0;
	}
	return info->invert != 0;
}

enum ipts_match_result ipts_mt_multiport(const struct ipts_mpar *par)
{
	const struct ipts_pkt *p = par->p;

	if (ipts_pkt_fragoff(p))
		return IPTS_MATCH_NO;
	if (p->protocol != IPPROTO_TCP && p->protocol != IPPROTO_UDP)
		return ipts_munknown(par, "-m multiport on a packet without ports");
	if (par->revision == 0)
		return ipts_mres(ports_match_v0(par->info, p->sport, p->dport));
	return ipts_mres(ports_match_v1(par->info, p->sport, p->dport));
}

/* tcpmss_mt(): the first MSS option decides; none means no match. */
enum ipts_match_result ipts_mt_tcpmss(const struct ipts_mpar *par)
{
	const struct xt_tcpmss_match_info *info = par->info;
	const struct ipts_pkt *p = par->p;
	unsigned int optlen, i;
	const uint8_t *op;

	if (ipts_pkt_fragoff(p))
		return IPTS_MATCH_NO;
	if (p->protocol != IPPROTO_TCP)
		return ipts_munknown(par, "-m tcpmss on a packet that is not tcp");
	if (p->tcp_doff < 5)
		return ipts_munknown(par,
				     "a tcp header shorter than 20 bytes is dropped");
	optlen = p->tcp_doff * 4u - 20u;
	if (!optlen)
		return ipts_mres(info->invert);
	if (!p->tcp_opts)
		return ipts_munknown(par, "tcp options of the packet are unknown");
	op = p->tcp_opts;
	for (i = 0; i < optlen;) {
		if (op[i] == TCPOPT_MSS_KIND && optlen - i >= TCPOLEN_MSS_LEN &&
		    op[i + 1] == TCPOLEN_MSS_LEN) {
			uint16_t mss = (uint16_t)(op[i + 2] << 8 | op[i + 3]);

			return ipts_mres((mss >= info->mss_min &&
					  mss <= info->mss_max) ^ info->invert);
		}
		if (op[i] < 2 || i + 1 >= optlen)
			i++;
		else
			i += op[i + 1] ? op[i + 1] : 1;
	}
	return ipts_mres(info->invert);
}

/* ecn_mt4(): the IP ECN bits, then TCP's ECE and CWR flags. */
enum ipts_match_result ipts_mt_ecn(const struct ipts_mpar *par)
{
	const struct xt_ecn_info *info = par->info;
	const struct ipts_pkt *p = par->p;

	if (info->operation & XT_ECN_OP_MATCH_IP &&
	    !(((p->tos & XT_ECN_IP_MASK) == info->ip_ect) ^
	      !!(info->invert & XT_ECN_OP_MATCH_IP)))
		return IPTS_MATCH_NO;
	if (!(info->operation & (XT_ECN_OP_MATCH_ECE | XT_ECN_OP_MATCH_CWR)))
		return IPTS_MATCH_YES;
	if (p->protocol != IPPROTO_TCP)
		return ipts_munknown(par, "-m ecn on a packet that is not tcp");
	if (info->operation & XT_ECN_OP_MATCH_ECE) {
		bool ece = p->tcp_flags & TCP_FLAG_ECE;

		if (info->invert & XT_ECN_OP_MATCH_ECE ? ece : !ece)
			return IPTS_MATCH_NO;
	}
	if (info->operation & XT_ECN_OP_MATCH_CWR) {
		bool cwr = p->tcp_flags & TCP_FLAG_CWR;

		if (info->invert & XT_ECN_OP_MATCH_CWR ? cwr : !cwr)
			return IPTS_MATCH_NO;
	}
	return IPTS_MATCH_YES;
}
