#ifndef IPTS_EXPOSURE_H
#define IPTS_EXPOSURE_H

/*
 * What is open from where (`iptsim exposure`): rows are the ports a
 * reviewer asks about (what listens, what nat PREROUTING publishes by
 * DNAT or REDIRECT, what filter INPUT and FORWARD rules name), columns
 * the places a client can be (lo; per interface a neighbour on its link
 * and an address of the internet arriving on it, places.h). Each cell is
 * one simulation (sim.h), run by the caller so that it spends its own
 * budgets: ipts_exposure_cell_query() gives the connection,
 * ipts_exposure_cell_set() takes its answer, or ipts_exposure_run() runs
 * them all (on threads), sharing one walk among rows that no rule tells
 * apart.
 *
 * Ownership: a table borrows its ruleset and host, which must outlive it;
 * ipts_exposure_free() releases what the table holds. IPv4, and with
 * ipts_exposure_pair() IPv6 rows too.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sim.h"

struct ipts_chain;
struct ipts_hostdesc;
struct ipts_rule;
struct ipts_ruleset;

/* Why a row is there (bits). */
enum ipts_exp_origin {
	IPTS_EXP_LISTEN = 1u << 0, /* listen.txt or --listen */
	IPTS_EXP_DNAT = 1u << 1, /* published by nat PREROUTING */
	IPTS_EXP_RULE = 1u << 2, /* a filter INPUT/FORWARD --dport */
};

/* What a client sees, as nmap names it. */
enum ipts_exp_state {
	IPTS_EXP_OPEN,
	IPTS_EXP_CLOSED, /* refused: a RST (UDP: port unreachable) */
	IPTS_EXP_FILTERED, /* no answer, or an ICMP error */
	IPTS_EXP_UNDETERMINED,
	IPTS_EXP_STATE_COUNT,
};

/*
 * A row: one port, or a range of ports (port..port_hi) that a rule names
 * (--dport 8000:8100, a multiport range). A range is planned as its parts,
 * the pieces that the rules' port matches, NAT port ranges and listeners
 * cut it in (each part one row, simulated once at its first port);
 * ipts_exposure_merge() joins the neighbouring parts that answer alike
 * in every class, so a range whose parts all agree is one row again.
 */
struct ipts_exp_row {
	uint8_t proto; /* IPPROTO_TCP or IPPROTO_UDP */
	uint16_t port; /* the first port, the one simulated */
	uint16_t port_hi; /* the last port (== port: one port) */
	uint32_t dst; /* the DNAT rule's -d, or 0 */
	/* An IPv6 row's: the IPv6 DNAT or REDIRECT rule's -d /128, or ::
	 * (asked at each interface's first IPv6 address) */
	struct in6_addr dst6;
	unsigned int origin; /* enum ipts_exp_origin bits */
	const struct ipts_rule *published; /* the first DNAT/REDIRECT */
	/* Which range it is a part of (an index of the plan's ranges; parts
	 * of one range are neighbours), or -1: a row of its own. */
	long range;
	/* The row whose answers are this row's: no rule, NAT range or
	 * listener tells their ports apart (ipts_exposure_share()); -1: it
	 * is simulated itself. */
	long same_as;
	/* Past a bound (IPTS_EXP_MAX_PARTS): not simulated, undetermined. */
	bool cut;
	/* NFPROTO_IPV6: asked of the pair's IPv6 file (ipts_exposure_plan6()),
	 * labelled PORT/tcp6 or PORT/udp6; else IPv4. */
	uint8_t family;
	char label[64]; /* "8080/tcp", "127.0.0.1:5432/tcp", "8000-8100/tcp",
			 * "[2001:db8:1::11]:80/tcp6" */
};

/* An IPv4 prefix, network order. */
struct ipts_exp_prefix {
	uint32_t net;
	uint8_t len;
};

enum ipts_exp_kind {
	IPTS_EXP_KIND_LO, /* a process of this host */
	IPTS_EXP_KIND_LINK, /* a neighbour in the interface's first prefix */
	IPTS_EXP_KIND_INTERNET, /* outside every prefix, of the host's and
				 * of the other classes */
	IPTS_EXP_KIND_SPLIT, /* a source prefix the rules split out */
	IPTS_EXP_KIND_SPLIT6, /* an IPv6 source prefix the IPv6 file's rules
			       * split out (IPv6 rows only) */
};

/* Source prefixes the rules split out on one interface, at most. */
#define IPTS_EXP_MAX_SPLIT 16

struct ipts_exp_class {
	char name[64]; /* "lo", "eth0:link", "eth0:internet", "eth0:10.0.0.0/8",
			* "eth0:2001:db8:5::/48" */
	const char *in; /* arriving on it; NULL: a local client */
	uint32_t src; /* the client's address (the representative); 0 on
		       * an interface of no IPv4 address */
	uint32_t addr; /* the host's address it connects to */
	/* The IPv6 rows' client and address (a pair or an IPv6 file):
	 * link, a neighbour in the interface's first global prefix (or
	 * fe80:: beside its link-local address, @ll6); internet, an
	 * address outside every prefix. @has6 false: none (its IPv6
	 * cells are undetermined, saying why). */
	struct in6_addr src6, addr6;
	bool has6, ll6;
	/* split6: the IPv6 prefix it is (less the narrower split6 ones
	 * and the interface's own prefixes) */
	struct in6_addr pfx6;
	uint8_t pfx6_len;
	bool internet;
	enum ipts_exp_kind kind;
	/* link and split: the prefix it is (less @except) */
	struct ipts_exp_prefix prefix;
	/* The prefixes inside it that are classes of their own: not
	 * covered by it. */
	struct ipts_exp_prefix except[IPTS_EXP_MAX_SPLIT];
	unsigned int nexcept;
	/* The split classes folded into it by ipts_exposure_merge(): they
	 * answered as it does in every row. */
	struct ipts_exp_prefix folded[IPTS_EXP_MAX_SPLIT];
	unsigned int nfolded;
};

struct ipts_exp_cell {
	enum ipts_exp_state state;
	enum ipts_outcome outcome;
	enum ipts_path path;
	uint32_t dst; /* connected to */
	uint32_t to; /* where the first packet went */
	uint16_t to_port;
	/* An IPv6 row's: where the first packet went (dst is then ::1, to
	 * 0) */
	union nf_inet_addr to6;
	union nf_inet_addr dst6; /* an IPv6 row's: connected to */
	bool simulated;
	bool over_budget; /* the simulation stopped at its budget */
	/* The deciding entry (the rule that dropped, rejected or let the
	 * connection through), or rule NULL and chain set for a policy;
	 * both NULL: none (a socket or the routing decided). */
	const struct ipts_rule *rule;
	const struct ipts_chain *chain;
	uint64_t visits;
	const char *why; /* held by the table (never NULL once set) */
	/* The name of the class of its interface this cell answers as:
	 * the rules on the row's path do not split this class out of it
	 * (held by the table); NULL: a class of its own in this row. */
	const char *same_as;
};

struct ipts_exp_strings;
struct ipts_exp_shapes;

struct ipts_exposure {
	struct ipts_exp_row *rows;
	size_t nrows, rows_cap;
	struct ipts_exp_class *classes;
	size_t nclasses;
	struct ipts_exp_cell *cells; /* nrows * nclasses, by row */
	const struct ipts_hostdesc *host;
	/* --listen: extra listeners (addr 0: any), proto 0: tcp and udp */
	struct {
		uint8_t proto;
		uint32_t addr;
		uint16_t port;
	} listen[IPTS_QUERY_MAX_LOCAL];
	unsigned int nlisten;
	/* Rule entries examined finding the rows, and whether that stopped
	 * at a bound (IPTS_EXP_MAX_SCAN, IPTS_EXP_MAX_DEPTH): some rows may
	 * then be missing. */
	uint64_t scanned;
	bool scan_cut;
	/* Whether rows share answers (ipts_exposure_share()): on unless
	 * turned off to compare (--no-share). */
	bool no_share;
	/* Simulations made by ipts_exposure_run(), and cells given a shared
	 * answer. */
	unsigned long simulations, shared;
	/* Per cell (row * nclasses + class), from ipts_exposure_plan():
	 * the class whose answer is the cell's, because the rules the row's
	 * packets may meet name no source prefix that tells the two apart
	 * (nor do the host's routes), or -1; @alias_name its name (held by
	 * the table), kept when --from keeps one class and the cell is then
	 * simulated. @aliased: cells answered so by ipts_exposure_run(). */
	long *alias;
	const char **alias_name;
	unsigned long aliased;
	/* What the plan left out at a bound, or could not split, as
	 * sentences (kind "bound" notes). */
	char **notes;
	size_t nnotes;
	struct ipts_exp_strings *strings; /* the cells' why texts */
	/* A pair (exposure RULES.V4 RULES.V6): the IPv6 file, and the
	 * context its rows are simulated on (set before the run); NULL:
	 * IPv4 only. */
	const struct ipts_ruleset *rs6;
	const struct ipts_sim_ctx *ctx6;
	bool v6_only; /* an IPv6 file alone: no IPv4 rows */
	/* Rows of one shape, one walk rebuilt for each (exposure_shape.c);
	 * NULL: none. @shape_shared: cells so answered by the run. */
	struct ipts_exp_shapes *shapes;
	unsigned long shape_shared;
};

#define IPTS_EXP_MAX_SCAN 10000000ULL
/* Jumps followed deep finding the rows: a hostile file gets no deeper
 * recursion (a frame is a few dozen bytes). */
#define IPTS_EXP_MAX_DEPTH 1024u
/* Parts of one range row, and of all range rows, at most: past them a
 * range's remaining ports are one row, not simulated (undetermined). */
#define IPTS_EXP_MAX_PARTS 64u
#define IPTS_EXP_MAX_RANGE_ROWS 4096u

/* An empty table (no rows, no classes) with @host (NULL: lo only); it
 * holds nothing to free until ipts_exposure_plan(). */
void ipts_exposure_init(struct ipts_exposure *e,
			const struct ipts_hostdesc *host);

/*
 * Add a listener (--listen): 0, or -1 when the table already holds
 * IPTS_QUERY_MAX_LOCAL of them. Before ipts_exposure_plan().
 */
int ipts_exposure_add_listen(struct ipts_exposure *e, uint8_t proto,
			     uint32_t addr, uint16_t port);

/*
 * Find the rows of @rs (and of the host's listeners and the --listen
 * ones), sorted tcp first then by port and address, a range as its parts
 * (exposure_part.c), and the classes of the host: lo, then for each
 * interface its link, its internet and the source prefixes the rules
 * split out there. Rows that no rule, NAT port range or listener tells
 * apart (the same protocol and address, their ports in one part) share
 * one walk: row.same_as, unless @e->no_share was set before, or some rule
 * has a match or target that may read a port and is not modelled (a note
 * says so). The cells are not allocated: see ipts_exposure_cells().
 */
void ipts_exposure_plan(struct ipts_exposure *e, const struct ipts_ruleset *rs);

/*
 * Simulate every cell of rows that are not shared nor cut, with @nthreads
 * threads (1: this one) on @ctx, each connection under @lim, the whole
 * run under @max_total rule visits counted in cell order, as one thread
 * would spend them (a cell past it is undetermined, not simulated); then
 * copy the shared rows' answers. @lt (NULL: none) names the entry that let
 * an open connection through when none decided (the commands' choice;
 * called on the run's threads). *@spent gets the visits, *@hit whether a
 * connection ran out of its budget. The number of undetermined cells is
 * returned.
 */
typedef const struct ipts_trace *
ipts_exp_let_through_fn(const struct ipts_result *res);

size_t ipts_exposure_run(struct ipts_exposure *e,
			 const struct ipts_sim_ctx *ctx,
			 const struct ipts_limits *lim,
			 ipts_exp_let_through_fn *lt, uint64_t max_total,
			 unsigned int nthreads, uint64_t *spent, bool *hit);

/*
 * Join neighbouring parts of a range that answer alike in every class,
 * and fold each split class into an earlier class of its interface that
 * answers as it does in every row. After ipts_exposure_run().
 */
void ipts_exposure_merge(struct ipts_exposure *e);

/* Whether two cells give the same answer (state, outcome, path, where it
 * went, the deciding entry and the sentence). */
bool ipts_exp_cell_same(const struct ipts_exp_cell *a,
			const struct ipts_exp_cell *b);

/* "10.0.0.0/8" into @buf. */
void ipts_exp_prefix_fmt(char *buf, size_t len, struct ipts_exp_prefix p);

/* Address @a (network order) as inet_ntop() writes it, then ":PORT" when
 * @port >= 0, into @buf of IPTS_EXP_ADDR_LEN bytes, without stdio (the
 * report formats one for each cell); returns the length written. */
#define IPTS_EXP_ADDR_LEN 22
size_t ipts_exp_addr_fmt(char *buf, uint32_t a, int port);

/*
 * The IPv6 half of a pair, before ipts_exposure_plan(): the rows of @rs6
 * (an IPv6 ruleset, borrowed: its filter INPUT and FORWARD ports) join
 * the IPv4 ones, and every row of no address is also asked over IPv6, as
 * a row PORT/tcp6 after it. Its lo cell is a connection ::1 -> ::1 on
 * @e->ctx6; its other classes by ipts_exp_v6_cell_query(), on the
 * host's IPv6 paths (@e->ctx6 prepared on the host). @v6_only: @rs6 is
 * the only file (the plan's IPv4 ruleset is empty): its rows are IPv6
 * only.
 */
void ipts_exposure_pair(struct ipts_exposure *e, const struct ipts_ruleset *rs6,
			bool v6_only);

/*
 * The connection of an IPv6 row's cell (@row, @cls) into @q: 0, or -1
 * with *@why when it cannot be asked: lo is ::1 -> ::1, a class of an
 * interface its src6 -> addr6 arriving on it (the host's IPv6 and
 * dual-stack listeners either way); a split class (an IPv4 prefix), a
 * class of no IPv6 address, or an internet class of an interface with
 * a link-local address only is -1.
 */
int ipts_exp_v6_cell_query(const struct ipts_exposure *e, size_t row,
			   size_t cls, struct ipts_query *q, const char **why);

/* Keep only class @name: 0, or -1 when there is none of that name. */
int ipts_exposure_keep_class(struct ipts_exposure *e, const char *name);

/* Allocate the cells (nrows * nclasses of them), all unsimulated. */
void ipts_exposure_cells(struct ipts_exposure *e);

static inline struct ipts_exp_cell *
ipts_exposure_cell(const struct ipts_exposure *e, size_t row, size_t cls)
{
	return &e->cells[row * e->nclasses + cls];
}

/* The connection of cell (@row, @cls). */
void ipts_exposure_cell_query(const struct ipts_exposure *e, size_t row,
			      size_t cls, struct ipts_query *q);

/*
 * Fill cell (@row, @cls) from what ipts_simulate_limited() returned for
 * @q: @rc and @res (its -1 makes the cell undetermined, res->why saying
 * why). @let_through: the entry that let an open connection through, as
 * the commands name it (NULL: none), when no entry decided.
 */
void ipts_exposure_cell_set(struct ipts_exposure *e, size_t row, size_t cls,
			    const struct ipts_query *q, int rc,
			    const struct ipts_result *res,
			    const struct ipts_trace *let_through);

/* Mark cell (@row, @cls) undetermined, not simulated, for @why. */
void ipts_exposure_cell_skip(struct ipts_exposure *e, size_t row, size_t cls,
			     const char *why);

/* "open", "closed", "filtered", "undetermined"; and back (-1: none). */
const char *ipts_exp_state_name(enum ipts_exp_state s);
int ipts_exp_state_parse(const char *word);

/* Find the row labelled @label, or the class named @name (or holding
 * the split class @name, folded into it): index or -1. */
long ipts_exposure_find_row(const struct ipts_exposure *e, const char *label);
long ipts_exposure_find_class(const struct ipts_exposure *e, const char *name);

void ipts_exposure_free(struct ipts_exposure *e);

#endif
