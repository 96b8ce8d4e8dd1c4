/*
 * dot.c - a ruleset, and a trace's path over it, as Graphviz DOT text (see
 * dot.h). The hooks come in the kernel's order (NF_INET_PRE_ROUTING ..
 * NF_INET_POST_ROUTING) and each hook's tables in the order of their
 * priorities (raw -300, mangle -150, nat's DNAT -100, filter 0, security
 * 50, nat's SNAT 100), as nf_hook_entries runs them.
 *
 * A user chain sits in the cluster of the one hook it is reachable from;
 * one reachable from several hooks (or none) sits in a cluster of its
 * table. Edges are written per chain in rule order, so the output only
 * changes where the file does.
 */
#include "dot.h"

#include <stdlib.h>
#include <string.h>

#include "diag.h"
#include "escape.h"
#include "model.h"

#define NHOOKS NF_INET_NUMHOOKS

/* Each hook's tables, in the order the kernel runs them. */
static const int hook_tables[NHOOKS][IPTS_TABLE_COUNT + 1] = {
	[NF_INET_PRE_ROUTING] = { IPTS_TABLE_RAW, IPTS_TABLE_MANGLE,
				  IPTS_TABLE_NAT, -1 },
	[NF_INET_LOCAL_IN] = { IPTS_TABLE_MANGLE, IPTS_TABLE_FILTER,
			       IPTS_TABLE_SECURITY, IPTS_TABLE_NAT, -1 },
	[NF_INET_FORWARD] = { IPTS_TABLE_MANGLE, IPTS_TABLE_FILTER,
			      IPTS_TABLE_SECURITY, -1 },
	[NF_INET_LOCAL_OUT] = { IPTS_TABLE_RAW, IPTS_TABLE_MANGLE,
				IPTS_TABLE_NAT, IPTS_TABLE_FILTER,
				IPTS_TABLE_SECURITY, -1 },
	[NF_INET_POST_ROUTING] = { IPTS_TABLE_MANGLE, IPTS_TABLE_NAT, -1 },
};

/* The packets' colours, by number. */
static const char *const palette[] = {
	"#c0392b", "#2471a3", "#1e8449", "#b9770e",
	"#7d3c98", "#117a65", "#a04000", "#566573",
};

/* The rules of one chain that jump (or go) to one chain. */
struct edge {
	const struct ipts_chain *from, *to;
	const struct ipts_rule *first;
	uint32_t first_num;
	uint32_t count;
	bool is_goto;
};

struct tinfo {
	const struct ipts_table *t;
	unsigned int *hooks; /* by chain pos: 1 << hook reaching it */
	struct edge *edges;
	size_t nedges, cap;
};

struct dot {
	FILE *f;
	const struct ipts_ruleset *rs;
	struct tinfo ti[IPTS_TABLE_COUNT];
	const struct ipts_dot_trace *tr;
};

static void *xcalloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size);

	if (!p)
		ipts_oom();
	return p;
}

static bool live(const struct ipts_chain *c)
{
	return c && !c->deleted;
}

/* Which hooks reach each chain of @ti: a walk of the jumps and gotos from
 * each built-in chain, with its own stack (a file may nest deep). */
static void find_hooks(struct tinfo *ti)
{
	const struct ipts_table *t = ti->t;
	const struct ipts_chain **stack;
	unsigned int h;
	uint32_t i, n;

	stack = xcalloc(t->nchains, sizeof(*stack));
	for (h = 0; h < NHOOKS; h++) {
		const struct ipts_chain *b = t->builtin[h];

		if (!live(b) || ti->hooks[b->pos] & (1u << h))
			continue;
		ti->hooks[b->pos] |= 1u << h;
		stack[0] = b;
		n = 1;
		while (n) {
			const struct ipts_chain *c = stack[--n];

			for (i = 0; i < c->nrules; i++) {
				const struct ipts_chain *d = c->rules[i]->dest;

				if (!live(d) || ti->hooks[d->pos] & (1u << h))
					continue;
				ti->hooks[d->pos] |= 1u << h;
				stack[n++] = d;
			}
		}
	}
	free(stack);
}

/* The jump and goto edges of @ti, the rules of a chain to one chain as
 * one edge: stamp[] says which source chain last met each destination. */
static void find_edges(struct tinfo *ti)
{
	const struct ipts_table *t = ti->t;
	uint32_t *stamp = xcalloc(2 * (size_t)t->nchains, sizeof(*stamp));
	size_t *slot = xcalloc(2 * (size_t)t->nchains, sizeof(*slot));
	uint32_t i, k;

	for (i = 0; i < t->nchains; i++) {
		const struct ipts_chain *c = t->chains[i];

		if (!live(c))
			continue;
		for (k = 0; k < c->nrules; k++) {
			const struct ipts_rule *r = c->rules[k];
			bool g = r->kind == IPTS_TGT_GOTO;
			size_t key;

			if ((r->kind != IPTS_TGT_JUMP && !g) || !live(r->dest))
				continue;
			key = 2 * (size_t)r->dest->pos + g;
			if (stamp[key] == i + 1) {
				ti->edges[slot[key]].count++;
				continue;
			}
			if (ti->nedges == ti->cap) {
				ti->cap = ti->cap ? 2 * ti->cap : 16;
				ti->edges = realloc(ti->edges,
						    ti->cap *
							    sizeof(*ti->edges));
				if (!ti->edges)
					ipts_oom();
			}
			stamp[key] = i + 1;
			slot[key] = ti->nedges;
			ti->edges[ti->nedges++] = (struct edge){
				.from = c,
				.to = r->dest,
				.first = r,
				.first_num = k + 1,
				.count = 1,
				.is_goto = g,
			};
		}
	}
	free(stamp);
	free(slot);
}

/* A node id: the table's name, "__", and the chain's name with every
 * byte but a letter or digit as _HH, so ids are plain DOT ids, one per
 * chain, stable across files. */
static void put_id(FILE *f, const struct ipts_chain *c)
{
	const unsigned char *p;

	fprintf(f, "%s__", c->table->name);
	for (p = (const unsigned char *)c->name; *p; p++) {
		if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		    (*p >= '0' && *p <= '9'))
			fputc(*p, f);
		else
			fprintf(f, "_%02x", *p);
	}
}

/* "FILE:LINE" of a location, escaped for a label. */
static void put_where(FILE *f, const struct ipts_loc *l)
{
	ipts_dot_str(f, l->src ? l->src->name : "?");
	fprintf(f, ":%u", l->line);
}

/* The line a filled node adds: what decided, or let the packet through. */
static void put_mark(FILE *f, const char *what, const struct ipts_dot_step *s,
		     const char *name)
{
	const struct ipts_loc *l = s->rule ? &s->rule->loc : &s->chain->loc;

	fprintf(f, "\\n%s: ", what);
	ipts_dot_str(f, name ? name : "");
	fputs(" (", f);
	put_where(f, l);
	fputc(')', f);
}

static void put_chain_node(struct dot *g, const struct tinfo *ti,
			   const struct ipts_chain *c, const char *indent)
{
	const struct ipts_dot_trace *tr = g->tr;
	FILE *f = g->f;
	bool dec = tr && tr->decided.chain == c;
	bool pass = tr && !dec && tr->passed.chain == c;

	fputs(indent, f);
	put_id(f, c);
	fputs(" [label=\"", f);
	if (c->hook >= 0) {
		ipts_dot_str(f, c->table->name);
		fputc(' ', f);
		ipts_dot_str(f, c->name);
		fprintf(f, "\\npolicy %s, %u rule%s",
			c->policy == NF_ACCEPT ? "ACCEPT" : "DROP", c->nrules,
			c->nrules == 1 ? "" : "s");
	} else {
		ipts_dot_str(f, c->name);
		fprintf(f, "\\n%u rule%s", c->nrules,
			c->nrules == 1 ? "" : "s");
		if (!ti->hooks[c->pos])
			fputs(", no hook reaches it", f);
	}
	if (dec)
		put_mark(f, "decided by", &tr->decided, tr->decided_name);
	if (pass)
		put_mark(f, "let through by", &tr->passed, tr->passed_name);
	fputc('"', f);
	if (c->hook >= 0)
		fputs(", penwidth=1.5", f);
	else if (!ti->hooks[c->pos])
		fputs(", style=dashed", f);
	if (dec)
		fputs(", style=filled, fillcolor=\"#f5b7b1\"", f);
	else if (pass)
		fputs(", style=filled, fillcolor=\"#abebc6\"", f);
	fputs("];\n", f);
}

static bool table_on(const struct dot *g, int id)
{
	return id >= 0 && g->ti[id].t != NULL;
}

/* The first and last node of hook @h's flow: its tables' built-in chains,
 * or its placeholder. */
static const struct ipts_chain *hook_end(const struct dot *g, unsigned int h,
					 bool last)
{
	const struct ipts_chain *c = NULL;
	const int *id;

	for (id = hook_tables[h]; *id >= 0; id++) {
		if (!table_on(g, *id) || !live(g->ti[*id].t->builtin[h]))
			continue;
		c = g->ti[*id].t->builtin[h];
		if (!last)
			break;
	}
	return c;
}

static void put_hook_end(FILE *f, const struct dot *g, unsigned int h,
			 bool last)
{
	const struct ipts_chain *c = hook_end(g, h, last);

	if (c)
		put_id(f, c);
	else
		fprintf(f, "x_none_%s", ipts_hook_chain_name(h));
}

static void put_hook_cluster(struct dot *g, unsigned int h)
{
	const char *hn = ipts_hook_chain_name(h);
	FILE *f = g->f;
	const int *id;
	uint32_t i;

	fprintf(f,
		"\tsubgraph cluster_%s {\n\t\tlabel=\"%s\";\n"
		"\t\tstyle=rounded; color=\"#808b96\";\n",
		hn, hn);
	for (id = hook_tables[h]; *id >= 0; id++) {
		const struct tinfo *ti = &g->ti[*id];
		const struct ipts_table *t = ti->t;

		if (!table_on(g, *id) || !live(t->builtin[h]))
			continue;
		fprintf(f,
			"\t\tsubgraph cluster_%s_%s {\n\t\t\tlabel=\"%s\";"
			" style=dashed; color=\"#aab7b8\";\n",
			hn, t->name, t->name);
		put_chain_node(g, ti, t->builtin[h], "\t\t\t");
		for (i = 0; i < t->nchains; i++) {
			const struct ipts_chain *c = t->chains[i];

			if (live(c) && c->hook < 0 &&
			    ti->hooks[c->pos] == 1u << h)
				put_chain_node(g, ti, c, "\t\t\t");
		}
		fputs("\t\t}\n", f);
	}
	if (!hook_end(g, h, false))
		fprintf(f,
			"\t\tx_none_%s [label=\"no table of the file\","
			" shape=plaintext];\n",
			hn);
	fputs("\t}\n", f);
}

/* User chains of several hooks, or of none: one cluster per table. */
static void put_shared_cluster(struct dot *g, const struct tinfo *ti)
{
	const struct ipts_table *t = ti->t;
	bool open = false;
	uint32_t i;

	for (i = 0; i < t->nchains; i++) {
		const struct ipts_chain *c = t->chains[i];
		unsigned int m;

		if (!live(c) || c->hook >= 0)
			continue;
		m = ti->hooks[c->pos];
		if (m && !(m & (m - 1)))
			continue; /* in its hook's cluster */
		if (!open)
			fprintf(g->f,
				"\tsubgraph cluster_%s_shared {\n"
				"\t\tlabel=\"%s: chains of several "
				"hooks, or of none\";\n"
				"\t\tstyle=dashed; color=\"#aab7b8\";\n",
				t->name, t->name);
		open = true;
		put_chain_node(g, ti, c, "\t\t");
	}
	if (open)
		fputs("\t}\n", g->f);
}

/* The packet's way between the hooks, grey: what the kernel runs in turn. */
static void put_flow(struct dot *g)
{
	static const struct {
		int from, to; /* hook, or -1 for the end node */
		const char *fx, *tx;
	} flows[] = {
		{ -1, NF_INET_PRE_ROUTING, "x_in", NULL },
		{ NF_INET_PRE_ROUTING, -1, NULL, "x_route" },
		{ -1, NF_INET_LOCAL_IN, "x_route", NULL },
		{ -1, NF_INET_FORWARD, "x_route", NULL },
		{ NF_INET_LOCAL_IN, -1, NULL, "x_local" },
		{ -1, NF_INET_LOCAL_OUT, "x_local", NULL },
		{ NF_INET_LOCAL_OUT, NF_INET_POST_ROUTING, NULL, NULL },
		{ NF_INET_FORWARD, NF_INET_POST_ROUTING, NULL, NULL },
		{ NF_INET_POST_ROUTING, -1, NULL, "x_out" },
	};
	FILE *f = g->f;
	unsigned int h;
	size_t i;

	fputs("\tedge [color=\"#aab7b8\", penwidth=1];\n", f);
	for (h = 0; h < NHOOKS; h++) {
		const struct ipts_chain *prev = NULL;
		const int *id;

		for (id = hook_tables[h]; *id >= 0; id++) {
			const struct ipts_chain *c;

			if (!table_on(g, *id))
				continue;
			c = g->ti[*id].t->builtin[h];
			if (!live(c))
				continue;
			if (prev) {
				fputc('\t', f);
				put_id(f, prev);
				fputs(" -> ", f);
				put_id(f, c);
				fputs(";\n", f);
			}
			prev = c;
		}
	}
	for (i = 0; i < sizeof(flows) / sizeof(flows[0]); i++) {
		fputc('\t', f);
		if (flows[i].fx)
			fputs(flows[i].fx, f);
		else
			put_hook_end(f, g, (unsigned int)flows[i].from, true);
		fputs(" -> ", f);
		if (flows[i].tx)
			fputs(flows[i].tx, f);
		else
			put_hook_end(f, g, (unsigned int)flows[i].to, false);
		fputs(";\n", f);
	}
}

static void put_jumps(struct dot *g, const struct tinfo *ti)
{
	FILE *f = g->f;
	size_t i;

	for (i = 0; i < ti->nedges; i++) {
		const struct edge *e = &ti->edges[i];

		fputc('\t', f);
		put_id(f, e->from);
		fputs(" -> ", f);
		put_id(f, e->to);
		fputs(" [label=\"", f);
		if (e->is_goto)
			fputs("goto, ", f);
		if (e->count > 1)
			fprintf(f, "%u rules, first ", e->count);
		fprintf(f, "rule %u, ", e->first_num);
		put_where(f, &e->first->loc);
		fputc('"', f);
		if (e->is_goto)
			fputs(", style=dashed", f);
		fputs("];\n", f);
	}
}

/* The node a packet's step is at. */
static void put_leg_start(FILE *f, const char *from_x,
			  const struct ipts_chain *from)
{
	fputc('\t', f);
	if (from)
		put_id(f, from);
	else
		fputs(from_x, f);
	fputs(" -> ", f);
}

/*
 * One bold edge of packet @i into the node of @to (or @to_x), labelled
 * with the packet and steps [@s0, @s1) of @p: the TRACE lines met in that
 * chain (their type:num; the chain is the edge's head), at most
 * IPTS_DOT_MAX_LABEL_STEPS of them and how many more.
 */
static void put_leg(struct dot *g, unsigned int i,
		    const struct ipts_dot_packet *p, const char *from_x,
		    const struct ipts_chain *from, const char *to_x,
		    const struct ipts_chain *to, size_t s0, size_t s1,
		    const char *note)
{
	FILE *f = g->f;
	size_t k;

	put_leg_start(f, from_x, from);
	if (to)
		put_id(f, to);
	else
		fputs(to_x, f);
	fprintf(f, " [label=\"%u ", i + 1);
	ipts_dot_str(f, p->name);
	for (k = s0; k < s1; k++) {
		if (k - s0 == IPTS_DOT_MAX_LABEL_STEPS) {
			fprintf(f, " (%zu more)", s1 - k);
			break;
		}
		fputs(k == s0 ? ": " : ", ", f);
		if (p->omitted && k + 1 == p->nsteps && k > 0)
			fprintf(f, "... %llu left out ..., ",
				(unsigned long long)p->omitted);
		fprintf(f, "%s:%u", p->steps[k].type, p->steps[k].num);
	}
	if (note)
		ipts_dot_str(f, note);
	fprintf(f, "\", color=\"%s\", fontcolor=\"%s\", penwidth=2.5%s];\n",
		palette[i % 8], palette[i % 8], note ? ", style=dashed" : "");
}

static bool hook_after_route(unsigned int h)
{
	return h == NF_INET_LOCAL_IN || h == NF_INET_FORWARD;
}

/* Whether step @k starts a visit: a chain other than the last step's. */
static bool visit_starts(const struct ipts_dot_packet *p, size_t k)
{
	return k == 0 || p->steps[k].chain != p->steps[k - 1].chain;
}

static void put_packet(struct dot *g, unsigned int i,
		       const struct ipts_dot_packet *p)
{
	const struct ipts_chain *at = NULL;
	const char *at_x = p->from == IPTS_DOT_END_NETWORK ? "x_in" : "x_local";
	int at_hook = -1;
	size_t k, end, visits = 0, drawn = 0;
	char note[96];

	for (k = 0; k < p->nsteps; k++)
		visits += visit_starts(p, k);
	for (k = 0; k < p->nsteps; k = end) {
		const struct ipts_dot_step *s = &p->steps[k];
		const char *why = NULL;

		for (end = k + 1; end < p->nsteps && !visit_starts(p, end);
		     end++)
			;
		if (drawn + 1 == IPTS_DOT_MAX_LEGS && visits > drawn + 1) {
			/* the rest as one edge, to the last visit */
			for (k = p->nsteps - 1; !visit_starts(p, k); k--)
				;
			end = p->nsteps;
			s = &p->steps[k];
			snprintf(note, sizeof(note),
				 " (%zu chain changes "
				 "left out)",
				 visits - drawn - 1);
			why = note;
		} else if (p->omitted && end == p->nsteps && k + 1 == end &&
			   k > 0) {
			snprintf(note, sizeof(note),
				 " (after %llu TRACE "
				 "lines left out)",
				 (unsigned long long)p->omitted);
			why = note;
		}
		if (!why && hook_after_route(s->hook) &&
		    (at_hook < 0 || !hook_after_route((unsigned int)at_hook))) {
			put_leg(g, i, p, at_x, at, "x_route", NULL, k, k, NULL);
			at = NULL;
			at_x = "x_route";
		}
		put_leg(g, i, p, at_x, at, NULL, s->chain, k, end, why);
		at = s->chain;
		at_hook = (int)s->hook;
		drawn++;
	}
	if (p->to != IPTS_DOT_END_NONE && (at || p->nsteps == 0))
		put_leg(g, i, p, at_x, at,
			p->to == IPTS_DOT_END_NETWORK ? "x_out" : "x_local",
			NULL, p->nsteps, p->nsteps, NULL);
}

static void put_legend(struct dot *g)
{
	const struct ipts_dot_trace *tr = g->tr;
	FILE *f = g->f;
	unsigned int i;

	fputs("\tx_legend [shape=plaintext, label=\"", f);
	for (i = 0; i < tr->npackets; i++) {
		fprintf(f, "%u ", i + 1);
		ipts_dot_str(f, tr->packets[i].name);
		fputs(": ", f);
		ipts_dot_str(f, tr->packets[i].verdict);
		fputs("\\l", f);
	}
	fputs("\"];\n", f);
}

static void put_ends(struct dot *g)
{
	const struct ipts_dot_trace *tr = g->tr;
	FILE *f = g->f;

	fputs("\tx_in [label=\"from the network\", shape=ellipse];\n"
	      "\tx_local [label=\"local process\", shape=ellipse];\n"
	      "\tx_out [label=\"to the network\", shape=ellipse];\n"
	      "\tx_route [label=\"routing decision",
	      f);
	if (tr && tr->route && tr->route[0]) {
		fputs("\\n", f);
		ipts_dot_str(f, tr->route);
	}
	fputs("\", shape=diamond];\n", f);
}

int ipts_dot_write(FILE *f, const struct ipts_ruleset *rs, int table,
		   const char *title, const struct ipts_dot_trace *tr)
{
	struct dot g = { .f = f, .rs = rs, .tr = tr };
	unsigned int h, i;
	int id;

	for (id = 0; id < IPTS_TABLE_COUNT; id++) {
		struct tinfo *ti = &g.ti[id];

		if ((table >= 0 && id != table) || !rs->tables[id])
			continue;
		ti->t = rs->tables[id];
		ti->hooks = xcalloc(ti->t->nchains, sizeof(*ti->hooks));
		find_hooks(ti);
		find_edges(ti);
	}
	fputs("digraph iptsim {\n\tgraph [rankdir=LR, newrank=true, "
	      "fontname=\"Helvetica\", labelloc=t, label=\"",
	      f);
	ipts_dot_str(f, tr && tr->title ? tr->title : title ? title : "");
	fputs("\"];\n\tnode [shape=box, fontname=\"Helvetica\", "
	      "fontsize=10];\n\tedge [fontname=\"Helvetica\", "
	      "fontsize=9];\n",
	      f);
	put_ends(&g);
	for (h = 0; h < NHOOKS; h++)
		put_hook_cluster(&g, h);
	for (id = 0; id < IPTS_TABLE_COUNT; id++)
		if (g.ti[id].t)
			put_shared_cluster(&g, &g.ti[id]);
	put_flow(&g);
	fputs("\tedge [color=\"#34495e\", penwidth=1];\n", f);
	for (id = 0; id < IPTS_TABLE_COUNT; id++)
		if (g.ti[id].t)
			put_jumps(&g, &g.ti[id]);
	if (tr) {
		put_legend(&g);
		for (i = 0; i < tr->npackets; i++)
			put_packet(&g, i, &tr->packets[i]);
	}
	fputs("}\n", f);
	for (id = 0; id < IPTS_TABLE_COUNT; id++) {
		free(g.ti[id].hooks);
		free(g.ti[id].edges);
	}
	return ferror(f) ? -1 : 0;
}
