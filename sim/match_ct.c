/*
 * match_ct.c - matches on the packet's conntrack entry: conntrack
 * (net/netfilter/xt_conntrack.c, revisions 1 to 3), state (xt_state.c),
 * connmark (xt_connmark.c) and helper (xt_helper.c).
 *
 * The kernel asks nf_ct_get(): an untracked or invalid packet has no entry
 * (statebit UNTRACKED or INVALID), every other packet has one, with the
 * ctinfo the walker computed (NEW, ESTABLISHED, RELATED; in the reply
 * direction for the SYN-ACK).
 */
#include "match_int.h"	/* first: glibc headers before the uapi ones */

#include <arpa/inet.h>
#include <linux/netfilter/nf_conntrack_common.h>
#include <linux/netfilter/xt_connmark.h>
#include <linux/netfilter/xt_conntrack.h>
#include <linux/netfilter/xt_helper.h>
#include <linux/netfilter/xt_state.h>


/*
 * nf_ct_get() as the matches see it: the entry, or NULL with *statebit
 * saying why. For an entry, *statebit is XT_CONNTRACK_STATE_BIT(ctinfo).
 */
static const struct ipts_conn *pkt_ct(const struct ipts_pkt *p,
				      unsigned int *statebit)
{
	switch (p->ctinfo) {
	case IPTS_CT_UNTRACKED:
		*statebit = XT_CONNTRACK_STATE_UNTRACKED;
		return NULL;
	case IPTS_CT_NEW:
		*statebit = XT_CONNTRACK_STATE_BIT(IP_CT_NEW);
		break;
	case IPTS_CT_ESTABLISHED:
		*statebit = XT_CONNTRACK_STATE_BIT(IP_CT_ESTABLISHED);
		break;
	case IPTS_CT_RELATED:
		*statebit = XT_CONNTRACK_STATE_BIT(IP_CT_RELATED);
		break;
	case IPTS_CT_INVALID:
	default:
		*statebit = XT_CONNTRACK_STATE_INVALID;
		return NULL;
	}
	if (!p->ct || !p->ct->exists) {
		/* conntrack off: skb has no entry at all */
		*statebit = XT_CONNTRACK_STATE_INVALID;
		return NULL;
	}
	return p->ct;
}

/* conntrack_addrcmp(): addresses of the entry's family compared under
 * the mask (an IPv6 one word by word, as ipv6_masked_addr_cmp()). */
static bool addr_cmp(uint8_t l3num, const union nf_inet_addr *kaddr,
		     const union nf_inet_addr *uaddr,
		     const union nf_inet_addr *umask)
{
	unsigned int i;

	if (l3num != NFPROTO_IPV6)
		return ((kaddr->ip ^ uaddr->ip) & umask->ip) == 0;
	for (i = 0; i < 4; i++)
		if ((kaddr->all[i] ^ uaddr->all[i]) & umask->all[i])
			return false;
	return true;
}

static bool flag_fails(const struct xt_conntrack_mtinfo2 *info,
		       unsigned int flag, bool hit)
{
	return (info->match_flags & flag) &&
	       (hit ^ !(info->invert_flags & flag));
}

/* ct_proto_port_check(): revisions 1 and 2 hold single ports, big endian. */
static bool proto_port_v12(const struct xt_conntrack_mtinfo2 *info,
			   const struct ipts_conn *ct)
{
	return !flag_fails(info, XT_CONNTRACK_PROTO,
			   ct->l4proto == info->l4proto) &&
	       !flag_fails(info, XT_CONNTRACK_ORIGSRC_PORT,
			   htons(ct->orig_sport) == info->origsrc_port) &&
	       !flag_fails(info, XT_CONNTRACK_ORIGDST_PORT,
			   htons(ct->orig_dport) == info->origdst_port) &&
	       !flag_fails(info, XT_CONNTRACK_REPLSRC_PORT,
			   htons(ct->reply_sport) == info->replsrc_port) &&
	       !flag_fails(info, XT_CONNTRACK_REPLDST_PORT,
			   htons(ct->reply_dport) == info->repldst_port);
}

static bool in_range(uint16_t port, uint16_t min, uint16_t max)
{
	return port >= min && port <= max;
}

/* ct_proto_port_check_v3(): host-order port ranges. */
static bool proto_port_v3(const struct xt_conntrack_mtinfo3 *info,
			  const struct ipts_conn *ct)
{
	const struct xt_conntrack_mtinfo2 *i2 = (const void *)info;

	return !flag_fails(i2, XT_CONNTRACK_PROTO,
			   ct->l4proto == info->l4proto) &&
	       !flag_fails(i2, XT_CONNTRACK_ORIGSRC_PORT,
			   in_range(ct->orig_sport, info->origsrc_port,
				    info->origsrc_port_high)) &&
	       !flag_fails(i2, XT_CONNTRACK_ORIGDST_PORT,
			   in_range(ct->orig_dport, info->origdst_port,
				    info->origdst_port_high)) &&
	       !flag_fails(i2, XT_CONNTRACK_REPLSRC_PORT,
			   in_range(ct->reply_sport, info->replsrc_port,
				    info->replsrc_port_high)) &&
	       !flag_fails(i2, XT_CONNTRACK_REPLDST_PORT,
			   in_range(ct->reply_dport, info->repldst_port,
				    info->repldst_port_high));
}

/*
 * conntrack_mt(): the fields share one layout up to invert_flags in all
 * three revisions; state_mask and status_mask are 8 bits wide in
 * revision 1 and 16 bits in 2 and 3.
 */
enum ipts_match_result ipts_mt_conntrack(const struct ipts_mpar *par)
{
	const struct xt_conntrack_mtinfo2 *info = par->info;
	const struct ipts_conn *ct;
	unsigned int statebit, state_mask, status_mask;

	if (par->revision == 1) {
		const struct xt_conntrack_mtinfo1 *i1 = par->info;

		state_mask = i1->state_mask;
		status_mask = i1->status_mask;
	} else {
		state_mask = info->state_mask;
		status_mask = info->status_mask;
	}

	ct = pkt_ct(par->p, &statebit);
	if (info->match_flags & XT_CONNTRACK_STATE) {
		if (ct) {
			if (ct->status & IPS_SRC_NAT)
				statebit |= XT_CONNTRACK_STATE_SNAT;
			if (ct->status & IPS_DST_NAT)
				statebit |= XT_CONNTRACK_STATE_DNAT;
		}
		if (!!(state_mask & statebit) ^
		    !(info->invert_flags & XT_CONNTRACK_STATE))
			return IPTS_MATCH_NO;
	}
	if (!ct)
		return ipts_mres(info->match_flags & XT_CONNTRACK_STATE);

	if (flag_fails(info, XT_CONNTRACK_DIRECTION, !par->p->reply_dir))
		return IPTS_MATCH_NO;
	if (flag_fails(info, XT_CONNTRACK_ORIGSRC,
		       addr_cmp(ct->l3num, &ct->orig_src, &info->origsrc_addr,
				&info->origsrc_mask)) ||
	    flag_fails(info, XT_CONNTRACK_ORIGDST,
		       addr_cmp(ct->l3num, &ct->orig_dst, &info->origdst_addr,
				&info->origdst_mask)) ||
	    flag_fails(info, XT_CONNTRACK_REPLSRC,
		       addr_cmp(ct->l3num, &ct->reply_src, &info->replsrc_addr,
				&info->replsrc_mask)) ||
	    flag_fails(info, XT_CONNTRACK_REPLDST,
		       addr_cmp(ct->l3num, &ct->reply_dst, &info->repldst_addr,
				&info->repldst_mask)))
		return IPTS_MATCH_NO;

	if (par->revision == 3 ? !proto_port_v3(par->info, ct)
			       : !proto_port_v12(info, ct))
		return IPTS_MATCH_NO;

	if (flag_fails(info, XT_CONNTRACK_STATUS, status_mask & ct->status))
		return IPTS_MATCH_NO;
	if (info->match_flags & XT_CONNTRACK_EXPIRES)
		return ipts_munknown(par,
			"--ctexpire depends on the conntrack entry's timer");
	return IPTS_MATCH_YES;
}

/* state_mt(): any bit of the packet's state in the mask. */
enum ipts_match_result ipts_mt_state(const struct ipts_mpar *par)
{
	const struct xt_state_info *info = par->info;
	unsigned int statebit;

	/* XT_STATE_* and XT_CONNTRACK_STATE_* agree for the plain states,
	 * but UNTRACKED sits at another bit. */
	if (!pkt_ct(par->p, &statebit) &&
	    statebit == XT_CONNTRACK_STATE_UNTRACKED)
		statebit = XT_STATE_UNTRACKED;
	return ipts_mres(info->statemask & statebit);
}

/* connmark_mt(): no entry, no match, whatever the inversion. */
enum ipts_match_result ipts_mt_connmark(const struct ipts_mpar *par)
{
	const struct xt_connmark_mtinfo1 *info = par->info;
	const struct ipts_conn *ct;
	unsigned int statebit;

	ct = pkt_ct(par->p, &statebit);
	if (!ct)
		return IPTS_MATCH_NO;
	return ipts_mres(((ct->mark & info->mask) == info->mark) ^
			 info->invert);
}

/*
 * helper_mt(): the helper of the connection's master. A simulated
 * connection is never an expected one (it has no master), so the answer
 * is the inversion flag alone.
 */
enum ipts_match_result ipts_mt_helper(const struct ipts_mpar *par)
{
	const struct xt_helper_info *info = par->info;

	return ipts_mres(info->invert != 0);
}
