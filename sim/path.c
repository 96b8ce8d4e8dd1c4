/*
 * path.c - the hooks a packet meets, and the tables at each hook, kept as
 * data so that other paths (from a remote host, forwarded) are new tables
 * here, not new code in the walker.
 *
 * Order within a hook is the hook priority (include/uapi/linux/
 * netfilter_ipv4.h: NF_IP_PRI_RAW -300, CONNTRACK -200, MANGLE -150,
 * NAT_DST -100, FILTER 0, SECURITY 50, NAT_SRC 100, CONNTRACK_CONFIRM
 * INT_MAX). A table missing from the file is skipped by the walker: a
 * fresh namespace registers only the tables it is given.
 */
#include "walk_int.h"	/* first: glibc headers before the uapi ones */

#define T(h, t) { IPTS_STEP_TABLE, NF_INET_##h, IPTS_TABLE_##t }
#define S(k, h) { IPTS_STEP_##k, NF_INET_##h, 0 }

/* A locally generated packet to a local address: out on lo and back in. */
static const struct ipts_step local_path[] = {
	T(LOCAL_OUT, RAW),
	S(CT_IN, LOCAL_OUT),
	T(LOCAL_OUT, MANGLE),
	S(NAT, LOCAL_OUT),
	T(LOCAL_OUT, FILTER),
	T(LOCAL_OUT, SECURITY),
	T(POST_ROUTING, MANGLE),
	S(NAT, POST_ROUTING),
	S(CONFIRM, POST_ROUTING),
	S(LOOPBACK, POST_ROUTING),
	T(PRE_ROUTING, RAW),
	S(CT_IN, PRE_ROUTING),
	T(PRE_ROUTING, MANGLE),
	S(NAT, PRE_ROUTING),
	T(LOCAL_IN, MANGLE),
	T(LOCAL_IN, FILTER),
	T(LOCAL_IN, SECURITY),
	S(NAT, LOCAL_IN),
	S(CONFIRM, LOCAL_IN),
	S(END, LOCAL_IN),
};

const struct ipts_step *ipts_path_local(void)
{
	return local_path;
}

bool ipts_hook_is_output_side(unsigned int hook)
{
	return hook == NF_INET_LOCAL_OUT || hook == NF_INET_POST_ROUTING;
}
