#ifndef IPTS_DOT_H
#define IPTS_DOT_H

/*
 * A ruleset as a Graphviz DOT graph (`dot -Tsvg` draws it): one cluster
 * per hook in the kernel's order with the routing decision as a diamond,
 * the tables of each hook inside in their priority order, user chains as
 * nodes, jumps and gotos as edges labelled with the rule. For a trace, the
 * path of each packet is drawn over it, bold and numbered. Every string
 * of the file (chain names, rule text, file names) goes through
 * ipts_dot_strn(); node ids are derived from table and chain names alone,
 * so that two graphs of two versions of a file diff cleanly. The output
 * grows with chains and jump edges, not rules: the rules of one chain that
 * jump to the same chain are one edge, with their count and the first.
 *
 * Nothing here knows the simulator: the caller describes the path with
 * the structs below (cli/ converts a trace's result).
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

struct ipts_chain;
struct ipts_rule;
struct ipts_ruleset;

/* One line of a packet's TRACE path: table:chain:type:num. */
struct ipts_dot_step {
	const struct ipts_chain *chain;
	const struct ipts_rule *rule;	/* NULL: a chain's policy or tail */
	const char *type;		/* "rule", "policy", "return" */
	uint32_t num;
	unsigned int hook;		/* NF_INET_* being walked */
};

/* Where a packet comes from and ends: the graph's three end nodes. */
enum ipts_dot_end {
	IPTS_DOT_END_NONE,		/* dropped, or not said */
	IPTS_DOT_END_NETWORK,		/* from (to) another host */
	IPTS_DOT_END_LOCAL,		/* from (to) a process of this host */
};

struct ipts_dot_packet {
	const char *name;		/* "SYN", "SYN-ACK", ... */
	const char *verdict;		/* "delivered", "dropped", ... */
	const struct ipts_dot_step *steps;
	size_t nsteps;
	/* Lines left out between the last two steps (a cut path), or 0. */
	uint64_t omitted;
	enum ipts_dot_end from, to;
};

/* What a trace adds to the graph of its ruleset. */
struct ipts_dot_trace {
	const char *title;		/* the answer's sentence */
	const char *route;		/* the diamond's label: the route, or
					 * why the packet stopped; NULL: none */
	const struct ipts_dot_packet *packets;
	unsigned int npackets;
	/* The entry that decided (filled red), or that let the first
	 * packet through (filled green); chain NULL: none. */
	struct ipts_dot_step decided, passed;
	const char *decided_name, *passed_name;	/* "filter:INPUT:rule:3" */
};

/* At most this many chain changes of one packet are drawn; the rest of
 * its path is one edge that says how many were left out. */
#define IPTS_DOT_MAX_LEGS 100

/* A packet's edge into a chain names at most this many of the TRACE lines
 * met there (type:num), then how many more. */
#define IPTS_DOT_MAX_LABEL_STEPS 8

/*
 * Write @rs as DOT to @f: every table, or only the table numbered @table
 * (enum ipts_table_id, -1: all), with the path of @tr over it (NULL: no
 * trace). @title labels the graph when @tr is NULL (the file's name).
 * Returns 0, or -1 when writing failed.
 */
int ipts_dot_write(FILE *f, const struct ipts_ruleset *rs, int table,
		   const char *title, const struct ipts_dot_trace *tr);

#endif
