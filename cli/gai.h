#ifndef IPTS_CLI_GAI_H
#define IPTS_CLI_GAI_H

/*
 * A host name as the target's getaddrinfo(AF_UNSPEC) turns it into
 * addresses: its lines of a hosts(5) file, then glibc's destination
 * address sort (sysdeps/posix/getaddrinfo.c rfc3484_sort(), with the
 * default tables of an /etc/gai.conf that sets nothing, as Debian's).
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <sys/socket.h>

struct ipts_gai_addr {
	int family; /* AF_INET or AF_INET6 */
	uint8_t a[16]; /* network order; 4 bytes for AF_INET */
	char text[48]; /* as inet_ntop() writes it */
};

/* Debian 12's /etc/hosts as its installer writes it, less the line of
 * the machine's own name (127.0.1.1). */
extern const char ipts_gai_debian_hosts[];

/*
 * The addresses of @name (case does not count, as for nss_files) in the
 * hosts text @buf of @len bytes, in the file's order, duplicates kept, as
 * nss_files gives them to getaddrinfo(): the first @max in @out. Returns
 * how many there are in all. Lines that are no hosts(5) line are passed
 * over (the --hosts file is checked where rules read it).
 */
unsigned int ipts_gai_hosts(const char *buf, size_t len, const char *name,
			    struct ipts_gai_addr *out, unsigned int max);

/*
 * Sort @v as glibc sorts a getaddrinfo() answer, for destinations that are
 * addresses of the host itself (the simulated path: each its own source,
 * or 127.0.0.1 for 127/8, over lo): rule 1 (a link-local IPv6 address
 * from a hosts file has no zone, no source: last), rule 6 (precedence:
 * ::1 50, ::/0 40, 2002::/16 30, ::/96 20, IPv4 10), rule 8 (smaller
 * scope first: ::1, 127/8, 169.254/16 before fec0::/10 before the rest),
 * rule 9 (in 127/8, the address sharing more leading bits with 127.0.0.1
 * first) and rule 10 (the file's order). Rules 2-5 and 7 tell such
 * addresses apart no more. Stable.
 */
void ipts_gai_sort(struct ipts_gai_addr *v, unsigned int n);

/* @text as an address literal of either family into @out. */
bool ipts_gai_literal(const char *text, struct ipts_gai_addr *out);

#endif
