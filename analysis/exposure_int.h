#ifndef IPTS_EXPOSURE_INT_H
#define IPTS_EXPOSURE_INT_H

/*
 * What exposure.c shares with exposure_part.c only: the port parts and
 * the source prefixes of an interface.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <netinet/in.h>

#include "exposure.h"

struct ipts_hostdesc;
struct ipts_ruleset;

/* Where a new part of the ports begins, sorted, each once. */
struct ipts_exp_cuts {
	uint16_t *at;
	size_t n, cap;
};

/*
 * The cuts of tcp (@c[0]) and udp (@c[1]) ports for @rs and @e's
 * listeners; *@ok false when some rule may read a port in a way they do
 * not model (then no two ports may share). Free c[i].at.
 */
void ipts_exp_cuts_build(struct ipts_exposure *e, const struct ipts_ruleset *rs,
			 struct ipts_exp_cuts c[2], bool *ok);

/* The part @port is in (two ports of one part: the same number). */
size_t ipts_exp_cuts_part(const struct ipts_exp_cuts *c, uint16_t port);

/* The last port of @port's part, at most @hi. */
uint16_t ipts_exp_cuts_next(const struct ipts_exp_cuts *c, uint16_t port,
			    uint16_t hi);

/*
 * The source prefixes the rules a packet arriving on @ifname meets split
 * out: at most @max into @out, widest first; *@more how many more there
 * were, *@narrowed how many rules under a jump that picks a destination
 * or port named one (left out), *@unsplit how many masks or ranges were no prefixes (left out).
 */
size_t ipts_exp_splits(struct ipts_exposure *e, const struct ipts_ruleset *rs,
		       const char *ifname, struct ipts_exp_prefix *out,
		       size_t max, size_t *more, size_t *narrowed,
		       size_t *unsplit);

/*
 * The source prefixes named by the rules a packet of one row (@proto,
 * @port, to @dst) arriving on @ifname may meet, its source aside:
 * PREROUTING (nat's first: where its DNAT and REDIRECT rules may send
 * it), INPUT and FORWARD of every table, through the jumps it may take.
 * Into @named (at most @max), their number in *@nnamed. -1 when the
 * rules may tell its sources apart in another way (a match or target
 * that reads the source and is not modelled, more than @max prefixes,
 * a bound): then every class is the row's. @work counts rule entries
 * examined, over calls (IPTS_EXP_MAX_SCAN: -1 from then on).
 */
int ipts_exp_row_sources(const struct ipts_ruleset *rs, uint8_t proto,
			 uint16_t port, uint32_t dst, const char *ifname,
			 struct ipts_exp_prefix *named, size_t max,
			 size_t *nnamed, uint64_t *work);

/*
 * Whether the IPv6 file @rs6 may tell a client at @a from one at @b on
 * an IPv6 row's connection (@proto, @port): 1 when a rule's -s (whose
 * own -p and port do not leave the row out; with a DNAT or REDIRECT in
 * the file, none is left out) or -d (the way back) holds one and not
 * the other, or some rule reads the source unmodelled; 0 when none
 * does, whatever the path; -1 past IPTS_EXP_MAX_SCAN rule entries
 * counted in @work over calls.
 */
int ipts_exp_row6_apart(const struct ipts_ruleset *rs6, uint8_t proto,
			uint16_t port, const struct in6_addr *a,
			const struct in6_addr *b, uint64_t *work);

bool ipts_exp_pfx_holds(struct ipts_exp_prefix a, struct ipts_exp_prefix b);
bool ipts_exp_pfx_has(struct ipts_exp_prefix a, uint32_t addr);

/*
 * A client address inside @p and outside each of @except that @h takes
 * as unicast (not its own, no broadcast) and the kernel not as a martian
 * source (0/8, 127/8, 224/3), network and broadcast address of @p aside;
 * 0 when there is none (in the first 4096 tried).
 */
uint32_t ipts_exp_pick(const struct ipts_hostdesc *h, struct ipts_exp_prefix p,
		       const struct ipts_exp_prefix *except, size_t nexcept);

/*
 * Rows of one shape (exposure_shape.c): groups of service rows whose
 * walks are one walk through the map between their values. After
 * ipts_exposure_plan()'s rows and before the run; sets e->shapes (NULL:
 * none, or --no-share).
 */
void ipts_exp_shapes_plan(struct ipts_exposure *e,
			  const struct ipts_ruleset *rs);
void ipts_exp_shapes_free(struct ipts_exp_shapes *sh);

/* The @which-th row (0, 1, ...) of @row's group in its entry chain's
 * order, or -1: @row is in no group, or the group has fewer. */
long ipts_exp_shape_leader(const struct ipts_exposure *e, size_t row,
			   int which);

/* The index of @row's entry in its entry chain, or -1. */
int64_t ipts_exp_shape_entry(const struct ipts_exposure *e, size_t row);

/*
 * Row @to's cell from row @from's cell @f of one group: the deciding
 * rule, chain, addresses through the map, the visits @f's plus @b a
 * rule of the distance between the entries; false (nothing written
 * that counts) when @f cannot be translated (undetermined, at a budget,
 * a sentence naming a value of @from's unless @why_checked said it
 * names none, @max_visits reached).
 */
bool ipts_exp_shape_translate(const struct ipts_exposure *e, size_t from,
			      size_t to, const struct ipts_exp_cell *f,
			      int64_t b, uint64_t max_visits, bool why_checked,
			      struct ipts_exp_cell *out);

#endif
