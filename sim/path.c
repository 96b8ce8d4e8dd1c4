/*
 * path.c - the hooks a packet meets, and the tables at each hook, kept as
 * data: one segment per stretch between two routing decisions or devices
 * (walk_int.h), which the driver chains into the paths of local, inbound,
 * outbound and forwarded packets.
 *
 * Order within a hook is the hook priority (include/uapi/linux/
 * netfilter_ipv4.h: NF_IP_PRI_RAW -300, CONNTRACK -200, MANGLE -150,
 * NAT_DST -100, FILTER 0, SECURITY 50, NAT_SRC 100, CONNTRACK_CONFIRM
 * INT_MAX). A table missing from the file is skipped by the walker: a
 * fresh namespace registers only the tables it is given.
 */
#include "walk_int.h"	/* first: glibc headers before the uapi ones */

/* One step a line, as the kernel lists its hooks. */
/* clang-format off */
#define T(h, t) { IPTS_STEP_TABLE, NF_INET_##h, IPTS_TABLE_##t }
#define S(k, h) { IPTS_STEP_##k, NF_INET_##h, 0 }

#define END { IPTS_STEP_END, 0, 0 }

/* ip_local_out(): conntrack makes the entry of a new local connection */
static const struct ipts_step out_seg[] = {
	T(LOCAL_OUT, RAW),
	S(CT_IN, LOCAL_OUT),
	T(LOCAL_OUT, MANGLE),
	S(NAT, LOCAL_OUT),
	END,
};

/* the tables after nat's, which a failed re-route never reaches */
static const struct ipts_step out_late_seg[] = {
	T(LOCAL_OUT, FILTER),
	T(LOCAL_OUT, SECURITY),
	END,
};

/* ip_output(): the source manip, and the entry confirmed on its way out */
static const struct ipts_step post_seg[] = {
	T(POST_ROUTING, MANGLE),
	S(NAT, POST_ROUTING),
	S(CONFIRM, POST_ROUTING),
	END,
};

/* ip_rcv(): before the routing decision, the destination manip */
static const struct ipts_step pre_seg[] = {
	T(PRE_ROUTING, RAW),
	S(CT_IN, PRE_ROUTING),
	T(PRE_ROUTING, MANGLE),
	S(NAT, PRE_ROUTING),
	END,
};

/* ip_local_deliver(): to a socket of this host */
static const struct ipts_step in_seg[] = {
	T(LOCAL_IN, MANGLE),
	T(LOCAL_IN, FILTER),
	T(LOCAL_IN, SECURITY),
	S(NAT, LOCAL_IN),
	S(CONFIRM, LOCAL_IN),
	END,
};

/* ip_forward(): routed on to another host; POST follows */
static const struct ipts_step fwd_seg[] = {
	T(FORWARD, MANGLE),
	T(FORWARD, FILTER),
	T(FORWARD, SECURITY),
	END,
};

/* clang-format on */

const struct ipts_step *ipts_path_seg(enum ipts_seg seg)
{
	static const struct ipts_step *const segs[IPTS_SEG_COUNT] = {
		[IPTS_SEG_OUT] = out_seg,   [IPTS_SEG_OUT_LATE] = out_late_seg,
		[IPTS_SEG_POST] = post_seg, [IPTS_SEG_PRE] = pre_seg,
		[IPTS_SEG_IN] = in_seg,	    [IPTS_SEG_FWD] = fwd_seg,
	};

	return segs[seg];
}

bool ipts_hook_is_output_side(unsigned int hook)
{
	return hook == NF_INET_LOCAL_OUT || hook == NF_INET_POST_ROUTING;
}
