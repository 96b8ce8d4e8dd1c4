/*
 * checkentry.c - the kernel's per-extension checks on a rule when a table
 * is committed: xt_check_match() and xt_check_target() (an extension's
 * .table, .hooks and .proto), then the extension's checkentry function,
 * each mirrored from its kernel module and reported with its words.
 * validate.c says from which hooks a rule is reached and calls
 * ipts_checkentry_rule() on every rule.
 */
#include "validate_int.h"

#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/netfilter/x_tables.h>
#include <linux/netfilter/xt_CT.h>
#include <linux/netfilter/xt_IDLETIMER.h>
#include <linux/netfilter/xt_NFQUEUE.h>
#include <linux/netfilter/xt_RATEEST.h>
#include <linux/netfilter/xt_TCPMSS.h>
#include <linux/netfilter/xt_addrtype.h>
#include <linux/netfilter/xt_cgroup.h>
#include <linux/netfilter/xt_connlabel.h>
#include <linux/netfilter/xt_devgroup.h>
#include <linux/netfilter/xt_ecn.h>
#include <linux/netfilter/xt_hashlimit.h>
#include <linux/netfilter/xt_limit.h>
#include <linux/netfilter/xt_nfacct.h>
#include <linux/netfilter/xt_physdev.h>
#include <linux/netfilter/xt_policy.h>
#include <linux/netfilter/xt_rateest.h>
#include <linux/netfilter/xt_recent.h>
#include <linux/netfilter/xt_string.h>
#include <linux/netfilter/xt_tcpudp.h>
#include <linux/netfilter_ipv4/ipt_ECN.h>
#include <linux/netfilter_ipv4/ipt_REJECT.h>
#include <linux/netfilter_ipv6/ip6t_REJECT.h>

#define PROTO_ICMP 1
#define PROTO_TCP 6
#define PROTO_UDP 17
#define PROTO_DCCP 33
#define PROTO_ESP 50
#define PROTO_AH 51
#define PROTO_IPCOMP 108
#define PROTO_SCTP 132
#define PROTO_UDPLITE 136

/*
 * The kernel's HZ enters the limit match's overflow check. 250 is the
 * default of Debian, Ubuntu and the kernel itself; HZ=1000 gives the same
 * HZ * CREDITS_PER_JIFFY (32000), HZ=100 a slightly different one.
 */
#define KERNEL_HZ 250

#define H(x) (1u << NF_INET_##x)

static void hooks_text(struct ipts_sbuf *s, unsigned int mask)
{
	unsigned int h;
	bool first = true;

	for (h = 0; h < NF_INET_NUMHOOKS; h++) {
		if (!(mask & (1u << h)))
			continue;
		ipts_sbuf_add(s, "%s%s", first ? "" : "/", ipts_hook_chain_name(h));
		first = false;
	}
}

/* ---- extension checks ----------------------------------------------- */

struct xcheck {
	struct vctx *v;
	const struct ipts_rule *r;
	const struct ipts_loc *loc;
	const char *name;		/* extension name */
	const char *kind;		/* "match" or "target" */
	const void *data;
	size_t size;
	uint8_t revision;
	unsigned int hooks;		/* hook_mask the kernel passes */
};

/* The ip part's protocol and its '!', of either family's entry. */
static uint16_t ip_proto(const struct ipts_rule *r, bool *inv)
{
	if (ipts_rule_family(r) == IPTS_FAMILY_IPV6) {
		*inv = r->e6->ipv6.invflags & IP6T_INV_PROTO;
		return r->e6->ipv6.proto;
	}
	*inv = r->e->ip.invflags & IPT_INV_PROTO;
	return r->e->ip.proto;
}

/* -p PROTO given and not inverted, else 0 (xt_ct_find_proto() etc.). */
static uint8_t rule_proto(const struct ipts_rule *r)
{
	bool inv;
	uint16_t p = ip_proto(r, &inv);

	return inv ? 0 : (uint8_t)p;
}

#define XERR(x, bad, fmt, ...)                                              \
	ipts_rule_error((x)->v, (x)->r, (x)->loc, (bad), "%s %s: " fmt,     \
			(x)->name, (x)->kind, ##__VA_ARGS__)

/* xt_check_proc_name(): a name that becomes a file in /proc. */
static bool proc_name_ok(const char *name, size_t size)
{
	if (name[0] == '\0' || strnlen(name, size) == size)
		return false;
	return strcmp(name, ".") != 0 && strcmp(name, "..") != 0 &&
	       !strchr(name, '/');
}

/* ipt_REJECT.c reject_tg_check() */
static void chk_reject(struct xcheck *x)
{
	const struct ipt_reject_info *ri = x->data;

	if (x->size < sizeof(*ri))
		return;
	if (ri->with == IPT_TCP_RESET && rule_proto(x->r) != PROTO_TCP)
		XERR(x, 0, "TCP_RESET invalid for non-tcp: --reject-with tcp-reset needs -p tcp");
}

/* ip6t_REJECT.c reject_tg6_check() */
static void chk_reject6(struct xcheck *x)
{
	const struct ip6t_reject_info *ri = x->data;
	const struct ip6t_ip6 *ip = &x->r->e6->ipv6;

	if (x->size < sizeof(*ri))
		return;
	if (ri->with == IP6T_ICMP6_ECHOREPLY)
		XERR(x, 0, "ECHOREPLY is not supported");
	else if (ri->with == IP6T_TCP_RESET &&
		 (!(ip->flags & IP6T_F_PROTO) || ip->proto != PROTO_TCP ||
		  (ip->invflags & XT_INV_PROTO)))
		XERR(x, 0,
		     "TCP_RESET illegal for non-tcp: --reject-with "
		     "tcp-reset needs -p tcp");
}

/* known conntrack helpers of mainline linux, by name and protocol */
static bool helper_exists(const char *name, uint8_t proto)
{
	static const struct {
		const char *name;
		uint8_t proto;
	} helpers[] = {
		{ "amanda", PROTO_UDP },   { "ftp", PROTO_TCP },
		{ "RAS", PROTO_UDP },	   { "Q.931", PROTO_TCP },
		{ "irc", PROTO_TCP },	   { "netbios-ns", PROTO_UDP },
		{ "pptp", PROTO_TCP },	   { "sane", PROTO_TCP },
		{ "sip", PROTO_TCP },	   { "sip", PROTO_UDP },
		{ "snmp", PROTO_UDP },	   { "snmp_trap", PROTO_UDP },
		{ "tftp", PROTO_UDP },
	};
	size_t i;

	for (i = 0; i < sizeof(helpers) / sizeof(helpers[0]); i++)
		if (strcmp(helpers[i].name, name) == 0 &&
		    helpers[i].proto == proto)
			return true;
	return false;
}

/* xt_CT.c xt_ct_tg_check() and xt_ct_set_helper() */
static void chk_ct(struct xcheck *x)
{
	char helper[17];
	uint16_t flags;
	uint8_t proto;

	if (x->revision == 0) {
		const struct xt_ct_target_info *ci = x->data;

		if (x->size < sizeof(*ci))
			return;
		flags = ci->flags;
		memcpy(helper, ci->helper, 16);
	} else {
		const struct xt_ct_target_info_v1 *ci = x->data;

		if (x->size < sizeof(*ci))
			return;
		flags = ci->flags;
		memcpy(helper, ci->helper, 16);
	}
	helper[16] = '\0';
	if (flags & XT_CT_NOTRACK)
		return;
	if (x->revision >= 1) {
		const struct xt_ct_target_info_v1 *ci = x->data;

		if (ci->timeout[0] && !rule_proto(x->r))
			XERR(x, 0, "You must specify a L4 protocol and not use inversions on it: --timeout %.*s needs -p",
			     (int)sizeof(ci->timeout), ci->timeout);
		else if (ci->timeout[0])
			ipts_diag_add(x->v->d, IPTS_WARNING, x->loc,
				      "CT target: timeout policy '%.*s' must exist on the host (nfct add timeout): without it the kernel refuses the table",
				      (int)sizeof(ci->timeout), ci->timeout);
	}
	if (!helper[0])
		return;
	proto = rule_proto(x->r);
	if (!proto) {
		XERR(x, 0, "You must specify a L4 protocol and not use inversions on it: --helper %s needs -p",
		     helper);
		return;
	}
	if (!helper_exists(helper, proto))
		XERR(x, 0, "No such helper \"%s\" for protocol %u", helper,
		     proto);
}

/* xt_TPROXY.c tproxy_tg4_check() */
static void chk_tproxy(struct xcheck *x)
{
	uint8_t p = rule_proto(x->r);

	if (p != PROTO_TCP && p != PROTO_UDP)
		XERR(x, 0, "Can be used only with -p tcp or -p udp");
}

/* xt_SYNPROXY.c synproxy_tg4_check(): refuses silently */
static void chk_synproxy(struct xcheck *x)
{
	if (rule_proto(x->r) != PROTO_TCP)
		XERR(x, 0, "only valid with -p tcp (the kernel refuses it without a message)");
}

static bool has_syn_match(const struct ipts_rule *r)
{
	unsigned int i;

	for (i = 0; i < r->nmatches; i++) {
		const struct xt_entry_match *m = ipts_rule_match(r, i);
		const struct xt_tcp *tcp = (const void *)m->data;

		if (m->u.match_size < sizeof(*m))
			break;
		if (strcmp(m->u.user.name, "tcp") == 0 &&
		    m->u.match_size >= sizeof(*m) + sizeof(*tcp) &&
		    (tcp->flg_cmp & 0x02) &&
		    !(tcp->invflags & XT_TCP_INV_FLAGS))
			return true;
	}
	return false;
}

/* xt_TCPMSS.c tcpmss_tg4_check() */
static void chk_tcpmss(struct xcheck *x)
{
	const struct xt_tcpmss_info *ti = x->data;
	unsigned int ok = H(FORWARD) | H(LOCAL_OUT) | H(POST_ROUTING);

	if (x->size < sizeof(*ti))
		return;
	if (ti->mss == XT_TCPMSS_CLAMP_PMTU && (x->hooks & ~ok)) {
		XERR(x, x->hooks & ~ok,
		     "path-MTU clamping only supported in FORWARD, OUTPUT and POSTROUTING hooks");
		return;
	}
	if (!has_syn_match(x->r))
		XERR(x, 0, "Only works on TCP SYN packets: add --tcp-flags SYN,RST SYN (or --syn)");
}

/* ipt_ECN.c ecn_tg_check() */
static void chk_ecn_target(struct xcheck *x)
{
	const struct ipt_ECN_info *ei = x->data;

	if (x->size < sizeof(*ei))
		return;
	if ((ei->operation & (IPT_ECN_OP_SET_ECE | IPT_ECN_OP_SET_CWR)) &&
	    rule_proto(x->r) != PROTO_TCP)
		XERR(x, 0, "cannot use operation on non-tcp rule: --ecn-tcp-* needs -p tcp");
}

/* xt_SECMARK.c / xt_CONNSECMARK.c: checkentry compares the table name */
static void chk_secmark_table(struct xcheck *x)
{
	const char *tn = x->v->t->name;

	if (strcmp(tn, "mangle") != 0 && strcmp(tn, "security") != 0)
		XERR(x, 0, "only valid in 'mangle' or 'security' table, not '%s'",
		     tn);
}

/* xt_IDLETIMER.c idletimer_tg_checkentry(), plus the per-label timer type */
static void chk_idletimer(struct xcheck *x)
{
	const struct idletimer_tg_info *ii = x->data;
	struct vctx *v = x->v;
	int type = 0;
	size_t i;

	if (x->size < sizeof(*ii))
		return;
	if (ii->timeout == 0) {
		XERR(x, 0, "timeout value is zero");
		return;
	}
	if (ii->timeout >= INT_MAX / 1000) {
		XERR(x, 0, "timeout value is too big: %u (at most %d)",
		     ii->timeout, INT_MAX / 1000 - 1);
		return;
	}
	if (ii->label[0] == '\0' ||
	    strnlen(ii->label, MAX_IDLETIMER_LABEL_SIZE) ==
		    MAX_IDLETIMER_LABEL_SIZE) {
		XERR(x, 0, "label is empty or not nul-terminated");
		return;
	}
	if (x->revision >= 1) {
		const struct idletimer_tg_info_v1 *i1 = x->data;

		if (x->size < sizeof(*i1))
			return;
		type = i1->timer_type;
	}
	for (i = 0; i < v->nidletimers; i++) {
		if (strcmp(v->idletimers[i].name, ii->label) != 0)
			continue;
		if (v->idletimers[i].a != type) {
			struct ipts_loc at =
				ipts_rule_target_loc(v->idletimers[i].r);

			XERR(x, 0, "timer '%s' exists with a different timer type (--alarm on one rule, not on the other)",
			     ii->label);
			ipts_diag_note(v->d, &at,
				       "timer '%s' is first created here",
				       ii->label);
		}
		return;
	}
	v->idletimers = ipts_xrealloc(v->idletimers, (v->nidletimers + 1) *
						     sizeof(*v->idletimers));
	v->idletimers[v->nidletimers++] =
		(struct named){ ii->label, x->r, type, 0 };
}

/* xt_RATEEST.c xt_rateest_tg_checkentry(): one estimator per name */
static void chk_rateest(struct xcheck *x)
{
	const struct xt_rateest_target_info *ri = x->data;
	struct vctx *v = x->v;
	size_t i;

	if (x->size < sizeof(*ri))
		return;
	for (i = 0; i < v->nrateests; i++) {
		struct named *e = &v->rateests[i];

		if (strncmp(e->name, ri->name, sizeof(ri->name)) != 0)
			continue;
		if ((!ri->interval && !ri->ewma_log) ||
		    e->a != ri->interval || e->b != ri->ewma_log) {
			struct ipts_loc at = ipts_rule_target_loc(e->r);

			XERR(x, 0, "estimator '%.*s' exists with a different --rateest-interval/--rateest-ewmalog",
			     (int)sizeof(ri->name), ri->name);
			ipts_diag_note(v->d, &at,
				       "estimator '%.*s' is first created here",
				       (int)sizeof(ri->name), ri->name);
		}
		return;
	}
	v->rateests = ipts_xrealloc(v->rateests,
				    (v->nrateests + 1) * sizeof(*v->rateests));
	v->rateests[v->nrateests++] =
		(struct named){ ri->name, x->r, ri->interval, ri->ewma_log };
}

/*
 * xt_rateest.c xt_rateest_mt_checkentry(): the estimator must exist, made
 * by a RATEEST rule checked before this one. An earlier table of the file
 * or the host may have made it, which validation of one table cannot see:
 * a warning.
 */
static void chk_rateest_match(struct xcheck *x)
{
	const struct xt_rateest_match_info *ri = x->data;
	const char *names[2];
	size_t i, k, n = 1;

	if (x->size < sizeof(*ri))
		return;
	names[0] = ri->name1;
	names[1] = ri->name2;
	if (ri->flags & XT_RATEEST_MATCH_REL)
		n = 2;
	for (k = 0; k < n; k++) {
		for (i = 0; i < x->v->nrateests; i++)
			if (strncmp(x->v->rateests[i].name, names[k],
				    IFNAMSIZ) == 0)
				break;
		if (i < x->v->nrateests)
			continue;
		ipts_diag_add(x->v->d, IPTS_WARNING, x->loc,
			      "rateest match: estimator '%.*s' is not made by a RATEEST rule before this one in table '%s': the kernel refuses the table unless an earlier table or the host made it",
			      IFNAMSIZ, names[k], x->v->t->name);
	}
}

/* xt_nfacct.c: the accounting object lives on the host */
static void chk_nfacct(struct xcheck *x)
{
	const struct xt_nfacct_match_info *ni = x->data;

	if (x->size < sizeof(ni->name))
		return;
	ipts_diag_add(x->v->d, IPTS_WARNING, x->loc,
		      "nfacct match: accounting object '%.*s' must exist on the host (nfacct add): without it the kernel refuses the table",
		      (int)sizeof(ni->name), ni->name);
}

/* libipt_CLUSTERIP still exists; the kernel's target went in linux 6.3. */
static void chk_clusterip(struct xcheck *x)
{
	ipts_diag_add(x->v->d, IPTS_WARNING, x->loc,
		      "CLUSTERIP target: removed from linux 6.3: a newer kernel refuses the table");
}

/* xt_addrtype.c addrtype_mt_checkentry_v1() */
static void chk_addrtype(struct xcheck *x)
{
	const struct xt_addrtype_info_v1 *ai = x->data;
	unsigned int in = H(PRE_ROUTING) | H(LOCAL_IN);
	unsigned int out = H(POST_ROUTING) | H(LOCAL_OUT);

	if (x->revision < 1 || x->size < sizeof(*ai))
		return;
	if ((ai->flags & XT_ADDRTYPE_LIMIT_IFACE_IN) &&
	    (ai->flags & XT_ADDRTYPE_LIMIT_IFACE_OUT))
		XERR(x, 0, "both incoming and outgoing interface limitation cannot be selected");
	else if ((ai->flags & XT_ADDRTYPE_LIMIT_IFACE_OUT) && (x->hooks & in))
		XERR(x, x->hooks & in,
		     "output interface limitation not valid in PREROUTING and INPUT: --limit-iface-out used from hooks %s",
		     ipts_hook_chain_name(__builtin_ctz(x->hooks & in)));
	else if ((ai->flags & XT_ADDRTYPE_LIMIT_IFACE_IN) && (x->hooks & out))
		XERR(x, x->hooks & out,
		     "input interface limitation not valid in POSTROUTING and OUTPUT: --limit-iface-in used from hooks %s",
		     ipts_hook_chain_name(__builtin_ctz(x->hooks & out)));
	else if (ipts_rule_family(x->r) != IPTS_FAMILY_IPV6)
		return;
	/* IPv6 routes have no such types */
	else if ((ai->source | ai->dest) & XT_ADDRTYPE_BLACKHOLE)
		XERR(x, 0, "ipv6 BLACKHOLE matching not supported");
	else if ((ai->source | ai->dest) >= XT_ADDRTYPE_PROHIBIT)
		XERR(x, 0,
		     "ipv6 PROHIBIT (THROW, NAT ..) matching not supported");
	else if ((ai->source | ai->dest) & XT_ADDRTYPE_BROADCAST)
		XERR(x, 0, "ipv6 does not support BROADCAST matching");
}

/* xt_physdev.c physdev_mt_check() */
static void chk_physdev(struct xcheck *x)
{
	const struct xt_physdev_info *pi = x->data;

	if (x->size < sizeof(*pi))
		return;
	if ((pi->bitmask & (XT_PHYSDEV_OP_OUT | XT_PHYSDEV_OP_ISOUT)) &&
	    (!(pi->bitmask & XT_PHYSDEV_OP_BRIDGED) ||
	     (pi->invert & XT_PHYSDEV_OP_BRIDGED)) &&
	    (x->hooks & H(LOCAL_OUT)))
		XERR(x, H(LOCAL_OUT),
		     "--physdev-out and --physdev-is-out only supported in the FORWARD and POSTROUTING chains with bridged traffic");
}

/* xt_policy.c policy_mt_check() */
static void chk_policy(struct xcheck *x)
{
	const struct xt_policy_info *pi = x->data;
	unsigned int in = H(PRE_ROUTING) | H(LOCAL_IN);
	unsigned int out = H(POST_ROUTING) | H(LOCAL_OUT);

	if (x->size < sizeof(*pi))
		return;
	if ((pi->flags & XT_POLICY_MATCH_OUT) && (x->hooks & in))
		XERR(x, x->hooks & in,
		     "output policy not valid in PREROUTING and INPUT: --dir out");
	else if ((pi->flags & XT_POLICY_MATCH_IN) && (x->hooks & out))
		XERR(x, x->hooks & out,
		     "input policy not valid in POSTROUTING and OUTPUT: --dir in");
}

/* xt_devgroup.c devgroup_mt_checkentry(): refuses silently */
static void chk_devgroup(struct xcheck *x)
{
	const struct xt_devgroup_info *di = x->data;
	unsigned int src_ok = H(PRE_ROUTING) | H(LOCAL_IN) | H(FORWARD);
	unsigned int dst_ok = H(FORWARD) | H(LOCAL_OUT) | H(POST_ROUTING);

	if (x->size < sizeof(*di))
		return;
	if ((di->flags & XT_DEVGROUP_MATCH_SRC) && (x->hooks & ~src_ok))
		XERR(x, x->hooks & ~src_ok,
		     "--src-group only valid from PREROUTING/INPUT/FORWARD (the kernel refuses it without a message)");
	else if ((di->flags & XT_DEVGROUP_MATCH_DST) && (x->hooks & ~dst_ok))
		XERR(x, x->hooks & ~dst_ok,
		     "--dst-group only valid from FORWARD/OUTPUT/POSTROUTING (the kernel refuses it without a message)");
}

/* xt_ecn.c ecn_mt_check4() */
static void chk_ecn_match(struct xcheck *x)
{
	const struct xt_ecn_info *ei = x->data;

	if (x->size < sizeof(*ei))
		return;
	if ((ei->operation & (XT_ECN_OP_MATCH_ECE | XT_ECN_OP_MATCH_CWR)) &&
	    rule_proto(x->r) != PROTO_TCP)
		XERR(x, 0, "cannot match TCP bits for non-tcp packets: --ecn-tcp-* needs -p tcp");
}

/* xt_multiport.c check(): refuses silently */
static void chk_multiport(struct xcheck *x)
{
	switch (rule_proto(x->r)) {
	case PROTO_TCP:
	case PROTO_UDP:
	case PROTO_UDPLITE:
	case PROTO_SCTP:
	case PROTO_DCCP:
		return;
	}
	XERR(x, 0, "needs -p tcp, udp, udplite, sctp or dccp");
}

/* xt_limit.c limit_mt_check(): the credit counter must not overflow */
static uint32_t limit_credits(uint32_t user)
{
	/* CREDITS_PER_JIFFY: the power of two below 2^32 / (HZ * 1 day) */
	const uint32_t max_cpj = 0xFFFFFFFFu / (KERNEL_HZ * 60 * 60 * 24);
	uint32_t cpj = 1;

	while (cpj * 2 <= max_cpj)
		cpj *= 2;
	if (user > 0xFFFFFFFFu / (KERNEL_HZ * cpj))
		return (user / XT_LIMIT_SCALE) * KERNEL_HZ * cpj;
	return (user * KERNEL_HZ * cpj) / XT_LIMIT_SCALE;
}

static void chk_limit(struct xcheck *x)
{
	const struct xt_rateinfo *ri = x->data;

	if (x->size < sizeof(*ri))
		return;
	if (ri->burst == 0 ||
	    limit_credits(ri->avg * ri->burst) < limit_credits(ri->avg))
		XERR(x, 0, "Overflow, try lower: %u/%u (--limit-burst %u is too large for this --limit)",
		     ri->avg, ri->burst, ri->burst);
}

/* xt_hashlimit.c user2credits() for revisions 2 and 3 */
static uint64_t hashlimit_credits(uint64_t user)
{
	const uint64_t max_cpj =
		0xFFFFFFFFFFFFFFFFull / (KERNEL_HZ * 60ull * 60 * 24);
	uint64_t cpj = 1;

	while (cpj * 2 <= max_cpj)
		cpj *= 2;
	if (XT_HASHLIMIT_SCALE_v2 >= KERNEL_HZ * cpj)
		return user / (XT_HASHLIMIT_SCALE_v2 / (KERNEL_HZ * cpj));
	return user * ((KERNEL_HZ * cpj) / XT_HASHLIMIT_SCALE_v2);
}

/* xt_hashlimit.c hashlimit_mt_check_common() for revision 3 */
static void chk_hashlimit(struct xcheck *x)
{
	/* hashlimit_mt_check_common(): a prefix of the family's address */
	unsigned int max_mask = ipts_rule_family(x->r) == IPTS_FAMILY_IPV6 ?
					128 :
					32;
	const struct xt_hashlimit_mtinfo3 *hi = x->data;
	const struct hashlimit_cfg3 *cfg = &hi->cfg;

	if (x->revision != 3 || x->size < sizeof(*hi))
		return;
	if (!proc_name_ok(hi->name, sizeof(hi->name))) {
		XERR(x, 0, "invalid --hashlimit-name '%.*s': it names a file in /proc/net/ipt_hashlimit (no '/', not '.' or '..')",
		     (int)strnlen(hi->name, sizeof(hi->name)), hi->name);
		return;
	}
	if (cfg->gc_interval == 0 || cfg->expire == 0) {
		XERR(x, 0, "--hashlimit-htable-gcinterval and --hashlimit-htable-expire must not be 0");
		return;
	}
	if (cfg->srcmask > max_mask || cfg->dstmask > max_mask) {
		XERR(x, 0,
		     "--hashlimit-srcmask/--hashlimit-dstmask must be at most %u",
		     max_mask);
		return;
	}
	if (cfg->mode & XT_HASHLIMIT_RATE_MATCH) {
		if (cfg->avg == 0 || cfg->avg > UINT32_MAX)
			XERR(x, 0, "invalid rate");
		else if (cfg->interval == 0)
			XERR(x, 0, "invalid interval");
	} else if (cfg->mode & XT_HASHLIMIT_BYTES) {
		/* user2credits_byte() == 0: caught by libxt_hashlimit */
	} else if (cfg->burst == 0 ||
		   hashlimit_credits(cfg->avg * cfg->burst) <
			   hashlimit_credits(cfg->avg)) {
		XERR(x, 0, "overflow, try lower: %llu/%llu (--hashlimit-burst %llu is too large for this rate)",
		     (unsigned long long)cfg->avg,
		     (unsigned long long)cfg->burst,
		     (unsigned long long)cfg->burst);
	}
}

/* xt_recent.c recent_mt_check(): refuses silently */
static void chk_recent(struct xcheck *x)
{
	const struct xt_recent_mtinfo *ri = x->data;
	uint8_t cmd;

	if (x->size < sizeof(*ri))
		return;
	cmd = ri->check_set & (XT_RECENT_SET | XT_RECENT_REMOVE |
			       XT_RECENT_CHECK | XT_RECENT_UPDATE);
	if (cmd != XT_RECENT_SET && cmd != XT_RECENT_REMOVE &&
	    cmd != XT_RECENT_CHECK && cmd != XT_RECENT_UPDATE) {
		XERR(x, 0, "exactly one of --set, --rcheck, --update, --remove is needed");
		return;
	}
	if ((cmd & (XT_RECENT_SET | XT_RECENT_REMOVE)) &&
	    (ri->seconds || ri->hit_count ||
	     (ri->check_set & XT_RECENT_MODIFIERS))) {
		XERR(x, 0, "--%s cannot take --seconds, --hitcount, --rttl or --reap (only --rcheck and --update can)",
		     cmd == XT_RECENT_SET ? "set" : "remove");
		return;
	}
	/* XT_RECENT_MAX_NSTAMPS is 2^16 */
	if (ri->hit_count > 65535) {
		XERR(x, 0, "--hitcount %u is larger than the allowed maximum "
		     "(65535)", ri->hit_count);
		return;
	}
	if ((ri->check_set & XT_RECENT_REAP) && !ri->seconds) {
		XERR(x, 0, "--reap needs --seconds");
		return;
	}
	if (!proc_name_ok(ri->name, sizeof(ri->name)))
		XERR(x, 0, "invalid --name '%.*s': it names a file in /proc/net/xt_recent (no '/', not '.' or '..')",
		     (int)strnlen(ri->name, sizeof(ri->name)), ri->name);
}

/* xt_string.c string_mt_check(): refuses silently */
static void chk_string(struct xcheck *x)
{
	const struct xt_string_info *si = x->data;
	char algo[XT_STRING_MAX_ALGO_NAME_SIZE + 1];

	if (x->size < sizeof(*si))
		return;
	if (si->from_offset > si->to_offset) {
		XERR(x, 0, "--from %u is after --to %u", si->from_offset,
		     si->to_offset);
		return;
	}
	memcpy(algo, si->algo, XT_STRING_MAX_ALGO_NAME_SIZE);
	algo[XT_STRING_MAX_ALGO_NAME_SIZE] = '\0';
	/* fsm takes a token array, not text: left to the kernel */
	if (strcmp(algo, "bm") != 0 && strcmp(algo, "kmp") != 0 &&
	    strcmp(algo, "fsm") != 0)
		XERR(x, 0, "unknown --algo '%s' (the kernel has bm and kmp)",
		     algo);
}

/* xt_NFQUEUE.c nfqueue_tg_check(): --queue-balance must give queues */
static void chk_nfqueue(struct xcheck *x)
{
	const struct xt_NFQ_info_v3 *q = x->data;
	unsigned int maxid;

	if (x->revision < 1 || x->size < sizeof(struct xt_NFQ_info_v1))
		return;
	if (q->queues_total == 0) {
		XERR(x, 0, "the number of queues is 0 (--queue-balance over "
		     "all 65536 queues wraps to 0)");
		return;
	}
	maxid = q->queues_total - 1u + q->queuenum;
	if (maxid > 0xffff) {
		XERR(x, 0, "%u queues from %u go past queue 65535",
		     q->queues_total, q->queuenum);
		return;
	}
	if (x->revision == 2 && x->size >= sizeof(struct xt_NFQ_info_v2) &&
	    ((const struct xt_NFQ_info_v2 *)x->data)->bypass > 1)
		XERR(x, 0, "invalid flags");
	else if (x->revision == 3 && x->size >= sizeof(*q) &&
		 (q->flags & ~NFQ_FLAG_MASK))
		XERR(x, 0, "invalid flags");
}

/* xt_cgroup.c cgroup_mt_check_v1/v2(): a path or a class id, not both */
static void chk_cgroup(struct xcheck *x)
{
	const struct xt_cgroup_info_v2 *c = x->data;

	if (x->revision < 1 || x->size < 4)
		return;
	if (!c->has_path && !c->has_classid)
		XERR(x, 0, "neither --path nor --cgroup is given");
	else if (c->has_path && c->has_classid)
		XERR(x, 0, "--path and --cgroup are given together");
}

/* xt_connlabel.c: nf_connlabels_get() takes bits below 128 */
static void chk_connlabel(struct xcheck *x)
{
	const struct xt_connlabel_mtinfo *l = x->data;

	if (x->size < sizeof(*l))
		return;
	if (l->bit > XT_CONNLABEL_MAXBIT)
		XERR(x, 0, "--label %u is out of range: the kernel keeps "
		     "labels 0 to %u", l->bit, XT_CONNLABEL_MAXBIT);
}

struct xspec {
	const char *name;
	const char *table;	/* .table, NULL: any */
	unsigned int hooks;	/* .hooks, 0: any */
	uint8_t proto;		/* .proto, 0: any */
	uint8_t max_rev;	/* .table/.hooks hold up to this revision */
	void (*check)(struct xcheck *x);
};

#define ANY_REV 254

/* Target registrations, sorted by name (strcmp). */
static const struct xspec targets[] = {
	{ "CHECKSUM", "mangle", 0, 0, ANY_REV, NULL },
	{ "CLASSIFY", NULL, H(LOCAL_OUT) | H(FORWARD) | H(POST_ROUTING), 0,
	  ANY_REV, NULL },
	{ "CLUSTERIP", NULL, 0, 0, ANY_REV, chk_clusterip },
	{ "CONNSECMARK", NULL, 0, 0, ANY_REV, chk_secmark_table },
	{ "CT", "raw", 0, 0, ANY_REV, chk_ct },
	{ "DNAT", "nat", H(PRE_ROUTING) | H(LOCAL_OUT), 0, ANY_REV, NULL },
	{ "DSCP", "mangle", 0, 0, ANY_REV, NULL },
	{ "ECN", "mangle", 0, 0, ANY_REV, chk_ecn_target },
	{ "IDLETIMER", NULL, 0, 0, ANY_REV, chk_idletimer },
	{ "MARK", "mangle", 0, 0, 1, NULL },	/* revision 2 is for all */
	{ "MASQUERADE", "nat", H(POST_ROUTING), 0, ANY_REV, NULL },
	{ "NETMAP", "nat",
	  H(PRE_ROUTING) | H(POST_ROUTING) | H(LOCAL_OUT) | H(LOCAL_IN), 0,
	  ANY_REV, NULL },
	{ "NFQUEUE", NULL, 0, 0, ANY_REV, chk_nfqueue },
	{ "NOTRACK", "raw", 0, 0, ANY_REV, NULL },
	{ "RATEEST", NULL, 0, 0, ANY_REV, chk_rateest },
	{ "REDIRECT", "nat", H(PRE_ROUTING) | H(LOCAL_OUT), 0, ANY_REV, NULL },
	{ "REJECT", "filter", H(LOCAL_IN) | H(FORWARD) | H(LOCAL_OUT), 0,
	  ANY_REV, chk_reject },
	{ "SECMARK", NULL, 0, 0, ANY_REV, chk_secmark_table },
	{ "SNAT", "nat", H(POST_ROUTING) | H(LOCAL_IN), 0, ANY_REV, NULL },
	{ "SYNPROXY", NULL, H(LOCAL_IN) | H(FORWARD), 0, ANY_REV,
	  chk_synproxy },
	{ "TCPMSS", NULL, 0, PROTO_TCP, ANY_REV, chk_tcpmss },
	{ "TCPOPTSTRIP", "mangle", 0, PROTO_TCP, ANY_REV, NULL },
	{ "TOS", "mangle", 0, 0, ANY_REV, NULL },
	{ "TPROXY", "mangle", H(PRE_ROUTING), 0, ANY_REV, chk_tproxy },
	{ "TRACE", "raw", 0, 0, ANY_REV, NULL },
	{ "TTL", "mangle", 0, 0, ANY_REV, NULL },
};

/* Match registrations, sorted by name (strcmp). */
static const struct xspec matches[] = {
	{ "addrtype", NULL, 0, 0, ANY_REV, chk_addrtype },
	{ "ah", NULL, 0, PROTO_AH, ANY_REV, NULL },
	{ "cgroup", NULL, H(LOCAL_IN) | H(LOCAL_OUT) | H(POST_ROUTING), 0,
	  ANY_REV, chk_cgroup },
	{ "connlabel", NULL, 0, 0, ANY_REV, chk_connlabel },
	{ "dccp", NULL, 0, PROTO_DCCP, ANY_REV, NULL },
	{ "devgroup", NULL, 0, 0, ANY_REV, chk_devgroup },
	{ "ecn", NULL, 0, 0, ANY_REV, chk_ecn_match },
	{ "esp", NULL, 0, PROTO_ESP, ANY_REV, NULL },
	{ "hashlimit", NULL, 0, 0, ANY_REV, chk_hashlimit },
	{ "icmp", NULL, 0, PROTO_ICMP, ANY_REV, NULL },
	{ "ipcomp", NULL, 0, PROTO_IPCOMP, ANY_REV, NULL },
	{ "limit", NULL, 0, 0, ANY_REV, chk_limit },
	{ "mac", NULL, H(PRE_ROUTING) | H(LOCAL_IN) | H(FORWARD), 0, ANY_REV,
	  NULL },
	{ "multiport", NULL, 0, 0, ANY_REV, chk_multiport },
	{ "nfacct", NULL, 0, 0, ANY_REV, chk_nfacct },
	{ "osf", NULL, H(PRE_ROUTING) | H(LOCAL_IN) | H(FORWARD), PROTO_TCP,
	  ANY_REV, NULL },
	{ "owner", NULL, H(LOCAL_OUT) | H(POST_ROUTING), 0, ANY_REV, NULL },
	{ "physdev", NULL, 0, 0, ANY_REV, chk_physdev },
	{ "policy", NULL, 0, 0, ANY_REV, chk_policy },
	{ "rateest", NULL, 0, 0, ANY_REV, chk_rateest_match },
	{ "realm", NULL,
	  H(POST_ROUTING) | H(FORWARD) | H(LOCAL_OUT) | H(LOCAL_IN), 0,
	  ANY_REV, NULL },
	{ "recent", NULL, 0, 0, ANY_REV, chk_recent },
	{ "rpfilter", NULL, H(PRE_ROUTING), 0, ANY_REV, NULL },
	{ "sctp", NULL, 0, PROTO_SCTP, ANY_REV, NULL },
	{ "socket", NULL, H(PRE_ROUTING) | H(LOCAL_IN), 0, ANY_REV, NULL },
	{ "string", NULL, 0, 0, ANY_REV, chk_string },
	{ "tcp", NULL, 0, PROTO_TCP, ANY_REV, NULL },
	{ "tcpmss", NULL, 0, PROTO_TCP, ANY_REV, NULL },
	{ "udp", NULL, 0, PROTO_UDP, ANY_REV, NULL },
	{ "udplite", NULL, 0, PROTO_UDPLITE, ANY_REV, NULL },
};

static int xspec_cmp(const void *key, const void *elem)
{
	return strcmp(key, ((const struct xspec *)elem)->name);
}

static const struct xspec *xspec_find(const struct xspec *v, size_t n,
				      const char *name)
{
	return bsearch(name, v, n, sizeof(*v), xspec_cmp);
}

#define PROTO_ICMPV6 58
#define PROTO_MH 135

/*
 * ip6_tables' registrations where they differ from ip_tables' (ip6t_*.c,
 * and the libxt ones whose IPv6 entry differs), sorted by name; the rest
 * of the tables above hold for both. No IPv4-only extension (icmp, TTL,
 * CLUSTERIP, realm, ...) reaches an IPv6 rule: ip6tables has no library
 * for it.
 */
static const struct xspec targets6[] = {
	{ "DNPT", "mangle", H(PRE_ROUTING) | H(LOCAL_OUT), 0, ANY_REV, NULL },
	{ "HL", "mangle", 0, 0, ANY_REV, NULL },
	{ "REJECT", "filter", H(LOCAL_IN) | H(FORWARD) | H(LOCAL_OUT), 0,
	  ANY_REV, chk_reject6 },
	{ "SNPT", "mangle", H(LOCAL_IN) | H(POST_ROUTING), 0, ANY_REV, NULL },
};

static const struct xspec matches6[] = {
	{ "ah", NULL, 0, 0, ANY_REV, NULL }, /* ip6t_ah: any -p */
	{ "eui64", NULL, H(PRE_ROUTING) | H(LOCAL_IN) | H(FORWARD), 0, ANY_REV,
	  NULL },
	{ "icmp6", NULL, 0, PROTO_ICMPV6, ANY_REV, NULL },
	{ "mh", NULL, 0, PROTO_MH, ANY_REV, NULL },
};

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

/* The registration of @name for @r's family, or NULL. */
static const struct xspec *spec_of(const struct ipts_rule *r, bool target,
				   const char *name)
{
	const struct xspec *s = NULL;

	if (ipts_rule_family(r) == IPTS_FAMILY_IPV6)
		s = target ? xspec_find(targets6, NELEM(targets6), name) :
			     xspec_find(matches6, NELEM(matches6), name);
	if (s)
		return s;
	return target ? xspec_find(targets, NELEM(targets), name) :
			xspec_find(matches, NELEM(matches), name);
}

/* spec_of() for @name, the XT_EXTENSION_MAXNAMELEN bytes of a blob's name
 * field, as met before in @v's table: remembered by those bytes, read as
 * words (the same bytes are the same name, whatever follows its NUL), in
 * the first free slot from their hash on (the last one tried when all are
 * taken). */
static const struct xspec *spec_memo(struct vctx *v, const struct ipts_rule *r,
				     bool target, const char *name)
{
	enum {
		NSPECS = sizeof(v->specs) / sizeof(v->specs[0])
	};
	uint64_t w[4] = { 0, 0, 0, 0 };
	struct spec_memo *e;
	unsigned int k, tries;

	memcpy(w, name, XT_EXTENSION_MAXNAMELEN);
	k = (unsigned int)((((w[0] ^ w[1]) + target) * 0x9e3779b97f4a7c15ull) >>
			   32) %
	    NSPECS;
	for (tries = 0;; tries++, k = (k + 1) % NSPECS) {
		e = &v->specs[k];
		if (!e->used)
			break;
		if (e->target == target && e->w[0] == w[0] && e->w[1] == w[1] &&
		    e->w[2] == w[2] && e->w[3] == w[3])
			return e->s;
		if (tries == NSPECS - 1)
			break;
	}
	e->s = spec_of(r, target, name);
	memcpy(e->w, w, sizeof(w));
	e->target = target;
	e->used = true;
	return e->s;
}

/* rpfilter's checkentry compares the table name itself */
static bool rpfilter_table_bad(const struct xcheck *x)
{
	return x->name[0] == 'r' && strcmp(x->name, "rpfilter") == 0 &&
	       strcmp(x->v->t->name, "raw") != 0 &&
	       strcmp(x->v->t->name, "mangle") != 0;
}

/* xt_check_match() / xt_check_target(), then the extension's checkentry. */
static void check_ext(struct xcheck *x, const struct xspec *s)
{
	bool target = x->kind[0] == 't';
	bool inv;
	uint16_t proto = ip_proto(x->r, &inv);

	if (s->table && x->revision <= s->max_rev &&
	    strcmp(s->table, x->v->t->name) != 0) {
		XERR(x, 0, "only valid in %s table, not %s", s->table,
		     x->v->t->name);
		return;
	}
	if (rpfilter_table_bad(x)) {
		XERR(x, 0, "only valid in 'raw' or 'mangle' table, not '%s'",
		     x->v->t->name);
		return;
	}
	if (s->hooks && (x->hooks & ~s->hooks)) {
		struct ipts_sbuf used = { 0 }, allow = { 0 };

		hooks_text(&used, x->hooks);
		hooks_text(&allow, s->hooks);
		XERR(x, x->hooks & ~s->hooks,
		     "used from hooks %s, but only %s from %s", ipts_sbuf_str(&used),
		     target ? "usable" : "valid", ipts_sbuf_str(&allow));
		free(used.p);
		free(allow.p);
		return;
	}
	if (s->proto && (proto != s->proto || inv)) {
		XERR(x, 0, "only valid for protocol %u: needs -p %s", s->proto,
		     s->proto == PROTO_TCP     ? "tcp" :
		     s->proto == PROTO_UDP     ? "udp" :
		     s->proto == PROTO_ICMP    ? "icmp" :
		     s->proto == PROTO_SCTP    ? "sctp" :
		     s->proto == PROTO_DCCP    ? "dccp" :
		     s->proto == PROTO_ESP     ? "esp" :
		     s->proto == PROTO_AH      ? "ah" :
		     s->proto == PROTO_UDPLITE ? "udplite" :
		     s->proto == PROTO_IPCOMP  ? "ipcomp" :
		     s->proto == PROTO_ICMPV6  ? "ipv6-icmp" :
		     s->proto == PROTO_MH      ? "mh" :
						 "(that protocol)");
		return;
	}
	if (s->check)
		s->check(x);
}

/* check_ext() for an extension kept as words: all but its data. */
static void check_words(struct xcheck *x, const struct xspec *s)
{
	struct xspec words = *s;

	words.check = NULL;
	x->revision = 0;
	check_ext(x, &words);
}

void ipts_checkentry_rule(struct vctx *v, const struct ipts_rule *r,
			  unsigned int hooks)
{
	struct ipts_loc at;
	unsigned int i;

	for (i = 0; i < r->nmatches; i++) {
		const struct xt_entry_match *m = ipts_rule_match(r, i);
		const struct xspec *s;
		struct xcheck x = {
			.v = v,
			.r = r,
			.loc = &at,
			.name = m->u.user.name,
			.kind = "match",
			.data = m->data,
			.revision = m->u.user.revision,
			.hooks = hooks,
		};

		if (m->u.match_size < sizeof(*m))
			break;
		at = ipts_rule_match_loc(r, i);
		x.size = m->u.match_size - sizeof(*m);
		s = spec_memo(v, r, false, m->u.user.name);
		/* An opaque blob (-m set, or -m owner with a user name
		 * iptsim did not look up) holds words: the registration's
		 * table, hooks and protocol still hold, its data checks
		 * have no data to read. */
		if (s && ipts_blob_is_opaque(m->u.user.revision))
			check_words(&x, s);
		else if (s)
			check_ext(&x, s);
	}
	if (r->kind == IPTS_TGT_EXT) {
		const struct xt_entry_target *t = ipts_rule_target(r);
		const struct xspec *s;
		struct xcheck x = {
			.v = v,
			.r = r,
			.loc = &at,
			.name = t->u.user.name,
			.kind = "target",
			.data = t->data,
			.revision = t->u.user.revision,
			.hooks = hooks,
		};

		if (t->u.target_size < sizeof(*t))
			return;
		at = ipts_rule_target_loc(r);
		x.size = t->u.target_size - sizeof(*t);
		s = spec_memo(v, r, true, t->u.user.name);
		if (s && ipts_blob_is_opaque(t->u.user.revision))
			check_words(&x, s);
		else if (s)
			check_ext(&x, s);
	}
}
