/*
 * host.c - what the simulator knows of the host (struct ipts_host in
 * sim_int.h): never the machine iptsim runs on, only what the query
 * says. Below everything that asks it (the matches, NAT).
 */
#include "sim_int.h"	/* first: glibc headers before the uapi ones */

#include <arpa/inet.h>

bool ipts_host_is_local(const struct ipts_host *h, uint32_t addr)
{
	unsigned int i;

	if ((ntohl(addr) >> 24) == 127)
		return true;
	if (!h)
		return false;
	for (i = 0; i < h->nlocal; i++)
		if (h->local_addrs[i] == addr)
			return true;
	return false;
}
