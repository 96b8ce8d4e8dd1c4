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
 * ipts_exposure_cell_set() takes its answer.
 *
 * Ownership: a table borrows its ruleset and host, which must outlive it;
 * ipts_exposure_free() releases what the table holds. IPv4 only.
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

struct ipts_exp_row {
	uint8_t proto; /* IPPROTO_TCP or IPPROTO_UDP */
	uint16_t port;
	uint32_t dst; /* the DNAT rule's -d, or 0 */
	unsigned int origin; /* enum ipts_exp_origin bits */
	const struct ipts_rule *published; /* the first DNAT/REDIRECT */
	char label[32]; /* "8080/tcp", "127.0.0.1:5432/tcp" */
};

struct ipts_exp_class {
	char name[40]; /* "lo", "eth0:link", "eth0:internet" */
	const char *in; /* arriving on it; NULL: a local client */
	uint32_t src; /* the client's address */
	uint32_t addr; /* the host's address it connects to */
	bool internet;
};

struct ipts_exp_cell {
	enum ipts_exp_state state;
	enum ipts_outcome outcome;
	enum ipts_path path;
	uint32_t dst; /* connected to */
	uint32_t to; /* where the first packet went */
	uint16_t to_port;
	bool simulated;
	/* The deciding entry (the rule that dropped, rejected or let the
	 * connection through), or rule NULL and chain set for a policy;
	 * both NULL: none (a socket or the routing decided). */
	const struct ipts_rule *rule;
	const struct ipts_chain *chain;
	uint64_t visits;
	char why[1024];
};

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
};

#define IPTS_EXP_MAX_SCAN 10000000ULL
/* Jumps followed deep finding the rows: a hostile file gets no deeper
 * recursion (a frame is a few dozen bytes). */
#define IPTS_EXP_MAX_DEPTH 1024u

/* An empty table (no rows, no classes) with @host (NULL: lo only). */
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
 * ones), sorted tcp first then by port and address, and the classes of
 * the host. The cells are not allocated: see ipts_exposure_cells().
 */
void ipts_exposure_plan(struct ipts_exposure *e, const struct ipts_ruleset *rs);

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

/* Find the row labelled @label, or the class named @name: index or -1. */
long ipts_exposure_find_row(const struct ipts_exposure *e, const char *label);
long ipts_exposure_find_class(const struct ipts_exposure *e, const char *name);

void ipts_exposure_free(struct ipts_exposure *e);

#endif
