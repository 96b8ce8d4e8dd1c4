#ifndef IPTS_CLI_FALLBACK_H
#define IPTS_CLI_FALLBACK_H

/*
 * What a client that tries a name's addresses in order sees (legs.c):
 * connect() to each in turn, as glibc's callers do (Python's
 * create_connection(), curl without Happy Eyeballs): a refusal sends it
 * on at once, a dropped SYN after the kernel's whole SYN timeout, the
 * first connected address ends it.
 */
#include <stdbool.h>

#include "sim.h"

/*
 * The seconds a TCP client sits in SYN_SENT when every SYN is dropped,
 * before connect() fails with ETIMEDOUT: tcp_syn_retries=6 (Linux's
 * default) backs off 1+2+4+...+64 = 127 s; measured in a namespace 129.5
 * to 129.9 s over lo, v4 and v6 (kernel 6.18, tcp_syn_linear_timeouts=0
 * as on Debian 12's 6.1, which has no such sysctl; 134.0 s with 6.18's
 * default of 4).
 */
#define IPTS_SYN_TIMEOUT_S 130

/* What a client that tries the addresses in order sees. */
struct ipts_legs_client {
	enum ipts_outcome outcome; /* IPTS_UNDETERMINED: @leg is the
					 * undetermined one (-1: none) */
	int leg; /* the leg that ends it, -1 */
	unsigned int wait_s; /* seconds before the answer */
};

/* The client's outcome of the legs' outcomes @o[@n], in order (UDP: the
 * first address only). */
void ipts_legs_client_of(const enum ipts_outcome *o, unsigned int n, bool udp,
			 struct ipts_legs_client *out);

#endif
