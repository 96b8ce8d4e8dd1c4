/*
 * fallback.c - the client's outcome over a name's legs, tried in order
 * (fallback.h).
 */
#include "fallback.h"

void ipts_legs_client_of(const enum ipts_outcome *o, unsigned int n, bool udp,
			 struct ipts_legs_client *out)
{
	unsigned int i;

	out->outcome = IPTS_UNDETERMINED;
	out->leg = -1;
	out->wait_s = 0;
	for (i = 0; i < n; i++) {
		out->outcome = o[i];
		out->leg = (int)i;
		/* a datagram goes to the first address: nothing falls back */
		if (udp)
			return;
		switch (o[i]) {
		case IPTS_TIMEOUT:
			out->wait_s += IPTS_SYN_TIMEOUT_S;
			break;
		case IPTS_REFUSED:
		case IPTS_HOSTUNREACH:
		case IPTS_NETUNREACH:
		case IPTS_PROTOUNREACH:
		case IPTS_EPERM:
		case IPTS_EINVAL:
		case IPTS_DROPPED:
			break; /* connect() fails at once: the next one */
		default:
			return; /* connected, reset, or undetermined */
		}
	}
}
