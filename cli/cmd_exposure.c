/*
 * cmd_exposure.c - `iptsim exposure FILE --host DIR`: what is open from
 * where. One simulation per port and source class (analysis/exposure.c
 * plans the table, the simulator answers each cell as trace would), then
 * the table in text, JSON or SARIF, or its differences from an
 * expectations file (--expect) for CI.
 */
#include "cli.h"

#include <getopt.h>
#include <stdarg.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "diag.h"
#include "exposure.h"
#include "host.h"
#include "host_opts.h"
#include "input.h"
#include "json.h"
#include "model.h"
#include "parser.h"
#include "query.h"
#include "report.h"
#include "sarif.h"
#include "sim.h"

#define DEFAULT_MAX_CELLS 100000UL

/* clang-format off */
static const char usage_text[] =
	"usage: iptsim exposure FILE [FILE6] [--host DIR | --iface ...] [options]\n"
	"\n"
	"What is open from where: for every port a reviewer asks about (what\n"
	"listens on the host, what nat PREROUTING publishes by DNAT or\n"
	"REDIRECT, what filter INPUT and FORWARD rules name by --dport or\n"
	"multiport; a range as the parts the rules cut it in, joined where\n"
	"they answer alike) and every source class (lo; for each interface,\n"
	"a neighbour on its link, an address of the internet, and each source\n"
	"prefix its rules split out, as IF:PREFIX, folded into another class\n"
	"where it answers alike), one simulated connection, answered as nmap\n"
	"names what it sees: open, closed (refused), filtered (no answer, or\n"
	"an ICMP error) or undetermined (with the reason), with the deciding\n"
	"rule's FILE:LINE. Rows no rule tells apart share one simulation; a\n"
	"class the rules on a row's path do not split out answers as the\n"
	"class holding it (=CLASS).\n"
	"\n"
	"With a pair (FILE an IPv4 file, FILE6 an IPv6 one), each port of no\n"
	"address is also a row PORT/tcp6 (udp6): lo asked over ::1 -> ::1,\n"
	"an interface's link from a neighbour in its IPv6 prefix and its\n"
	"internet from 2001:db8:ffff::45, a note for a port open on one\n"
	"family only. An IPv6 FILE alone: its IPv6 rows only.\n"
	"\n"
	"  --listen [A:]N[/tcp|udp]\n"
	"                       a server also listens on port N (of address\n"
	"                       A; default any): a row (repeatable, 16 at\n"
	"                       most)\n"
	"  --from CLASS         only the column of CLASS (lo, eth0:link,\n"
	"                       eth0:internet, eth0:10.0.0.0/8, ...)\n"
	"  --expect FILE        compare with FILE's lines '[A:]N[-M]/PROTO CLASS\n"
	"                       STATE' ('#' comments): print each difference,\n"
	"                       exit 1 when there is one\n"
	"  --max-cells N        refuse a table of more than N cells (rows\n"
	"                       times classes, before parts and classes that\n"
	"                       answer alike are joined; default 100000)\n"
	"  --no-share           simulate every row, even those no rule tells\n"
	"                       apart from another (to compare)\n"
	"  --threads N          simulate on N threads (default: 2 when the\n"
	"                       machine has 2 cores or more)\n"
	"  --format text|json|sarif\n"
	"                       output format (default text); sarif: one\n"
	"                       result per cell open from an internet class,\n"
	"                       at the rule responsible\n"
	IPTS_HOST_HELP
	IPTS_INPUT_HELP
	IPTS_BUDGET_HELP
	"  -h, --help           show this help\n"
	"\n"
	"Exit status: 0 the table is complete (with --expect: every\n"
	"expectation met), 1 an expectation differs, 2 usage error, a file\n"
	"or host that does not load, a bad --expect line, a table over\n"
	"--max-cells, 3 some cell is undetermined (without --expect).\n";
/* clang-format on */

enum {
	OPT_FORMAT = IPTS_HOPT_END + 0x10,
	OPT_FROM,
	OPT_EXPECT,
	OPT_LISTEN,
	OPT_MAX_CELLS,
	OPT_NO_SHARE,
	OPT_THREADS,
};

struct run {
	const char *path;
	const char *path6; /* a pair's IPv6 file, else NULL */
	struct ipts_exposure e;
	unsigned long simulations;
	size_t undetermined;
	/* --from: the host's other classes, whose expectations are not
	 * compared (counted in @skipped) */
	const char *from;
	char (*others)[64];
	size_t nothers, skipped;
};

/* Whether @name is a class --from left out. */
static bool left_out(const struct run *r, const char *name)
{
	size_t i;

	for (i = 0; i < r->nothers; i++)
		if (strcmp(r->others[i], name) == 0)
			return true;
	return false;
}

/* --- options -------------------------------------------------------- */

/* "[ADDR:]PORT[/tcp|udp]" */
static int parse_listen(struct ipts_exposure *e, const char *arg)
{
	char buf[64], *port = buf, *slash;
	unsigned long n;
	uint8_t proto = IPPROTO_TCP;
	struct in_addr a = { 0 };
	char *colon;

	if (strlen(arg) >= sizeof(buf))
		return -1;
	strcpy(buf, arg);
	slash = strchr(buf, '/');
	if (slash) {
		*slash++ = '\0';
		if (strcmp(slash, "udp") == 0)
			proto = IPPROTO_UDP;
		else if (strcmp(slash, "tcp") != 0)
			return -1;
	}
	colon = strrchr(buf, ':');
	if (colon) {
		*colon = '\0';
		port = colon + 1;
		if (inet_pton(AF_INET, buf, &a) != 1)
			return -1;
	}
	if (!ipts_parse_ulong(port, 65535, &n) || n == 0)
		return -1;
	return ipts_exposure_add_listen(e, proto, a.s_addr, (uint16_t)n) < 0 ?
		       -2 :
		       0;
}

/* --- the cells ------------------------------------------------------ */

static const struct ipts_trace *let_through(const struct ipts_result *res)
{
	const struct ipts_packet *p;

	return ipts_result_let_through(res, &p);
}

/* Every cell, on the machine's cores (two at most unless asked), then
 * the parts and classes that answer alike joined. */
static void run_cells(struct run *r, const struct ipts_sim_ctx *ctx,
		      struct ipts_cli_budget *budget, unsigned int threads)
{
	uint64_t spent;
	bool hit;
	long n = sysconf(_SC_NPROCESSORS_ONLN);

	if (!threads)
		threads = n > 1 ? 2 : 1;
	r->undetermined = ipts_exposure_run(&r->e, ctx, &budget->lim,
					    let_through, budget->max_total,
					    threads, &spent, &hit);
	budget->spent = spent;
	budget->hit = hit;
	r->simulations = r->e.simulations;
	ipts_exposure_merge(&r->e);
	r->undetermined = 0;
	for (size_t i = 0; i < r->e.nrows * r->e.nclasses; i++)
		if (r->e.cells[i].state == IPTS_EXP_UNDETERMINED)
			r->undetermined++;
}

/* The file and line of the entry that decided @c, or file NULL. */
static void cell_source(const struct ipts_exp_cell *c, const char **file,
			uint32_t *line)
{
	const struct ipts_loc *l = NULL;

	if (c->rule)
		l = &c->rule->loc;
	else if (c->chain && c->chain->loc.src)
		l = &c->chain->loc;
	*file = l && l->src ? l->src->name : NULL;
	*line = l ? l->line : 0;
}

static const struct ipts_loc *cell_loc(const struct ipts_exp_cell *c)
{
	if (c->rule)
		return &c->rule->loc;
	if (c->chain && c->chain->loc.src)
		return &c->chain->loc;
	return NULL;
}

static const char *policy_word(const struct ipts_exp_cell *c)
{
	if (c->rule || !c->chain)
		return NULL;
	return c->chain->policy == NF_ACCEPT ? "policy ACCEPT" : "policy DROP";
}

/* Where cell @c of row @i went, "ADDR:PORT" (IPv6: "[ADDR]:PORT"). */
static void cell_to(char *buf, size_t len, const struct ipts_exposure *e,
		    size_t i, const struct ipts_exp_cell *c)
{
	if (e->rows[i].family == NFPROTO_IPV6)
		ipts_fmt_inet(buf, len, NFPROTO_IPV6, &c->to6, c->to_port);
	else if (len >= IPTS_EXP_ADDR_LEN)
		ipts_exp_addr_fmt(buf, c->to, c->to_port);
	else
		ipts_fmt_addr(buf, len, c->to, c->to_port);
}

/* --- notes ---------------------------------------------------------- */

/* A port published by DNAT that some class reaches through FORWARD. */
static bool forwarded(const struct ipts_exposure *e, size_t i)
{
	size_t k;

	if (!(e->rows[i].origin & IPTS_EXP_DNAT) || !e->rows[i].published)
		return false;
	for (k = 0; k < e->nclasses; k++)
		if (ipts_exposure_cell(e, i, k)->path == IPTS_PATH_FORWARD)
			return true;
	return false;
}

/* Open from lo and from no other class. */
static bool lo_only(const struct ipts_exposure *e, size_t i)
{
	size_t k;

	if (e->nclasses < 2 || e->classes[0].in ||
	    e->rows[i].family == NFPROTO_IPV6 ||
	    ipts_exposure_cell(e, i, 0)->state != IPTS_EXP_OPEN)
		return false;
	for (k = 1; k < e->nclasses; k++)
		if (ipts_exposure_cell(e, i, k)->state == IPTS_EXP_OPEN)
			return false;
	return true;
}

/* The first cell of row @i that went through FORWARD. */
static const struct ipts_exp_cell *forward_cell(const struct ipts_exposure *e,
						size_t i)
{
	const struct ipts_exp_cell *c, *any = NULL;
	size_t k;

	for (k = 0; k < e->nclasses; k++) {
		c = ipts_exposure_cell(e, i, k);
		if (c->path != IPTS_PATH_FORWARD)
			continue;
		if (c->state != IPTS_EXP_UNDETERMINED)
			return c;
		if (!any)
			any = c;
	}
	return any;
}

/* The notes as sentences into @f (text: escaped by the caller's
 * writer, so this writes plain bytes of file names through
 * ipts_text_file only when @text). */
static void note_forward(FILE *f, const struct ipts_exposure *e, size_t i,
			 bool text)
{
	const struct ipts_exp_row *row = &e->rows[i];
	const struct ipts_exp_cell *c = forward_cell(e, i);
	char to[56];

	cell_to(to, sizeof(to), e, i, c);
	fprintf(f, "%s: published by DNAT (", row->label);
	if (text)
		ipts_text_file(f, row->published->loc.src->name);
	else
		fputs(row->published->loc.src->name, f);
	/* an undetermined cell's trace may end before the translation */
	fprintf(f,
		":%u)%s%s: its packets go through filter FORWARD, never "
		"filter INPUT",
		row->published->loc.line,
		c->state != IPTS_EXP_UNDETERMINED ? " to " : "",
		c->state != IPTS_EXP_UNDETERMINED ? to : "");
}

/* Open only from lo, and what let it through (an -i lo rule, most
 * often: a reviewer reads the port as closed). */
static void note_lo(FILE *f, const struct ipts_exposure *e, size_t i, bool text)
{
	const struct ipts_exp_cell *c = ipts_exposure_cell(e, i, 0);
	const char *file, *pw = policy_word(c);
	uint32_t line;

	fprintf(f, "%s: open only from lo", e->rows[i].label);
	cell_source(c, &file, &line);
	if (!file)
		return;
	fputs(", let through by ", f);
	if (text)
		ipts_text_file(f, file);
	else
		fputs(file, f);
	fprintf(f, ":%u%s%s", line, pw ? " " : "", pw ? pw : "");
}

/* A client of an interface that reaches a loopback address (the row's,
 * or a DNAT's to it): its first such class, or -1. */
static long loopback_open(const struct ipts_exposure *e, size_t i)
{
	size_t k;

	for (k = 0; k < e->nclasses; k++) {
		const struct ipts_exp_cell *c = ipts_exposure_cell(e, i, k);

		if (e->classes[k].in && c->state == IPTS_EXP_OPEN &&
		    (ntohl(c->to) >> 24) == 127)
			return (long)k;
	}
	return -1;
}

static void note_loopback(FILE *f, const struct ipts_exposure *e, size_t i,
			  bool text)
{
	long k = loopback_open(e, i);

	fprintf(f, "%s: reaches a loopback address, yet open from ",
		e->rows[i].label);
	if (text)
		ipts_text_str(f, e->classes[k].name);
	else
		fputs(e->classes[k].name, f);
	fputs(" (a server on 127.0.0.0/8, reached from an interface: "
	      "route_localnet)",
	      f);
}

/* Whether cell @k of row @i and of its twin @j are both determined and
 * open on one family only. */
static bool class_differs(const struct ipts_exposure *e, size_t i, size_t j,
			  size_t k)
{
	const struct ipts_exp_cell *a = ipts_exposure_cell(e, i, k);
	const struct ipts_exp_cell *b = ipts_exposure_cell(e, j, k);

	return a->state != IPTS_EXP_UNDETERMINED &&
	       b->state != IPTS_EXP_UNDETERMINED &&
	       (a->state == IPTS_EXP_OPEN) != (b->state == IPTS_EXP_OPEN);
}

/* A pair's row @i of no address over IPv4, whose IPv6 twin's cell of
 * some class is open and its own not, or the other way: the twin, else
 * -1. */
static long family_differs(const struct ipts_exposure *e, size_t i)
{
	const struct ipts_exp_row *r = &e->rows[i];
	size_t j, k;

	if (r->family == NFPROTO_IPV6 || r->dst || !e->nclasses)
		return -1;
	for (j = i + 1; j < e->nrows; j++) {
		const struct ipts_exp_row *t = &e->rows[j];

		if (t->proto != r->proto || t->port != r->port)
			break;
		if (t->family != NFPROTO_IPV6 || t->port_hi != r->port_hi ||
		    !IN6_IS_ADDR_UNSPECIFIED(&t->dst6))
			continue;
		for (k = 0; k < e->nclasses; k++)
			if (class_differs(e, i, j, k))
				return (long)j;
		return -1;
	}
	return -1;
}

static void note_family(FILE *f, const struct ipts_exposure *e, size_t i)
{
	size_t j = (size_t)family_differs(e, i), k;
	bool first = true;

	fprintf(f, "%s: open on one family and not on the other:",
		e->rows[i].label);
	for (k = 0; k < e->nclasses; k++) {
		if (!class_differs(e, i, j, k))
			continue;
		fprintf(f, "%s %s over IPv4, %s over IPv6, from ",
			first ? "" : ";",
			ipts_exp_state_name(ipts_exposure_cell(e, i, k)->state),
			ipts_exp_state_name(
				ipts_exposure_cell(e, j, k)->state));
		ipts_text_str(f, e->classes[k].name);
		first = false;
	}
}

/* --- text ----------------------------------------------------------- */

static void print_header(FILE *f, const struct run *r)
{
	const struct ipts_exposure *e = &r->e;

	fputs("exposure of ", f);
	ipts_text_file(f, r->path);
	if (r->path6) {
		fputs(" and ", f);
		ipts_text_file(f, r->path6);
	}
	fprintf(f, ": %zu port%s, %zu source class%s, %lu simulation%s",
		e->nrows, e->nrows == 1 ? "" : "s", e->nclasses,
		e->nclasses == 1 ? "" : "es", r->simulations,
		r->simulations == 1 ? "" : "s");
	if (e->shared || e->aliased)
		fputs(" (", f);
	if (e->shared)
		fprintf(f, "%lu cell%s answered by another row's walk",
			e->shared, e->shared == 1 ? "" : "s");
	if (e->aliased)
		fprintf(f, "%s%lu as another class", e->shared ? ", " : "",
			e->aliased);
	if (e->shared || e->aliased)
		fputc(')', f);
	fputc('\n', f);
	if (e->scan_cut)
		fprintf(f,
			"warning: the search for rows stopped (at %llu rule "
			"entries, or jumps nested %u deep): ports past it are "
			"missing\n",
			(unsigned long long)IPTS_EXP_MAX_SCAN,
			IPTS_EXP_MAX_DEPTH);
}

static size_t col_width(const struct ipts_exposure *e, size_t k)
{
	size_t w = strlen(e->classes[k].name);

	return w < 12 ? 12 : w;
}

/* What cell (@i, @k) shows: its state, or "=CLASS" when it answers as
 * another column of the table (CLASS without its interface's name). */
static const char *cell_word(const struct ipts_exposure *e, size_t i, size_t k,
			     char *buf, size_t len)
{
	const struct ipts_exp_cell *c = ipts_exposure_cell(e, i, k);
	const char *in = e->classes[k].in, *name = c->same_as;
	size_t n = in ? strlen(in) : 0;

	if (!name || ipts_exposure_find_class(e, name) < 0)
		return ipts_exp_state_name(c->state);
	if (in && strncmp(name, in, n) == 0 && name[n] == ':')
		name += n + 1;
	snprintf(buf, len, "=%s", name);
	return buf;
}

static bool any_same_as(const struct ipts_exposure *e)
{
	size_t i;

	for (i = 0; i < e->nrows * e->nclasses; i++)
		if (e->cells[i].same_as &&
		    ipts_exposure_find_class(e, e->cells[i].same_as) >= 0)
			return true;
	return false;
}

static void print_table(FILE *f, const struct ipts_exposure *e)
{
	size_t i, k, lw = 8;
	char w[48];

	for (i = 0; i < e->nrows; i++)
		if (strlen(e->rows[i].label) > lw)
			lw = strlen(e->rows[i].label);
	fprintf(f, "\n%-*s", (int)lw, "PORT");
	for (k = 0; k < e->nclasses; k++) {
		fputs("  ", f);
		/* interface names come from the host: escaped */
		ipts_text_str(f, e->classes[k].name);
		if (k + 1 < e->nclasses)
			fprintf(f, "%*s",
				(int)(col_width(e, k) -
				      strlen(e->classes[k].name)),
				"");
	}
	fputc('\n', f);
	for (i = 0; i < e->nrows; i++) {
		fprintf(f, "%-*s", (int)lw, e->rows[i].label);
		for (k = 0; k < e->nclasses; k++) {
			const char *word = cell_word(e, i, k, w, sizeof(w));

			/* a prefix of the host's interface name: escaped */
			fputs("  ", f);
			ipts_text_str(f, word);
			if (k + 1 < e->nclasses &&
			    strlen(word) < col_width(e, k))
				fprintf(f, "%*s",
					(int)(col_width(e, k) - strlen(word)),
					"");
		}
		fputc('\n', f);
	}
	if (any_same_as(e))
		fputs("(=CLASS: the rules on the row's path do not split this "
		      "class out of CLASS of its interface: it answers as "
		      "that column)\n",
		      f);
}

/* What class @c covers, in words: its kind, the prefixes inside it that
 * are classes of their own, the split classes folded into it. */
static void print_covers(FILE *f, const struct ipts_exp_class *c)
{
	char p[20];
	unsigned int i;

	if (c->kind == IPTS_EXP_KIND_INTERNET) {
		fputs("outside every prefix of the host", f);
		if (c->nexcept)
			fputs(" and of its other classes", f);
	} else if (c->kind == IPTS_EXP_KIND_LINK) {
		fputs("a neighbour on its link", f);
	} else if (c->kind == IPTS_EXP_KIND_SPLIT6) {
		char p6[INET6_ADDRSTRLEN + 8];

		ipts_host6_fmt(p6, sizeof(p6), &c->pfx6, c->pfx6_len);
		fprintf(f, "%s, which the IPv6 rules split out", p6);
	} else {
		ipts_exp_prefix_fmt(p, sizeof(p), c->prefix);
		fprintf(f, "%s, which the rules split out", p);
	}
	for (i = 0; i < c->nexcept; i++) {
		ipts_exp_prefix_fmt(p, sizeof(p), c->except[i]);
		fprintf(f, "%s%s", i ? ", " : ", less ", p);
	}
	for (i = 0; i < c->nfolded; i++) {
		ipts_exp_prefix_fmt(p, sizeof(p), c->folded[i]);
		fprintf(f, "%s%s", i ? ", " : "; and ", p);
	}
	if (c->nfolded)
		fprintf(f, ", which answer%s alike in every row",
			c->nfolded == 1 ? "s" : "");
}

static void print_classes(FILE *f, const struct ipts_exposure *e)
{
	size_t k;

	fputs("\nclasses:\n", f);
	for (k = 0; k < e->nclasses; k++) {
		const struct ipts_exp_class *c = &e->classes[k];
		char s[IPTS_EXP_ADDR_LEN], d[IPTS_EXP_ADDR_LEN];
		char s6[INET6_ADDRSTRLEN], d6[INET6_ADDRSTRLEN];
		char v6[2 * INET6_ADDRSTRLEN + 40] = "";

		ipts_exp_addr_fmt(s, c->src, -1);
		ipts_exp_addr_fmt(d, c->addr, -1);
		if (e->rs6 && (!c->in || c->has6)) {
			inet_ntop(AF_INET6,
				  c->in ? &c->src6 : &in6addr_loopback, s6,
				  sizeof(s6));
			inet_ntop(AF_INET6,
				  c->in ? &c->addr6 : &in6addr_loopback, d6,
				  sizeof(d6));
			snprintf(v6, sizeof(v6), "%s%s -> %s%s",
				 e->v6_only ? "" : " (the IPv6 rows: ", s6, d6,
				 e->v6_only ? "" : ")");
		}
		fputs("  ", f);
		ipts_text_str(f, c->name);
		if (!c->in) {
			if (e->v6_only)
				fprintf(f, ": a process of this host, %s\n",
					v6);
			else
				fprintf(f,
					": a process of this host, %s -> %s%s\n",
					s, d, v6);
			continue;
		}
		if (e->v6_only && c->has6)
			fprintf(f, ": %s, arriving on ", v6);
		else if (e->v6_only)
			fputs(": no IPv6 client, on ", f);
		else if (c->src)
			fprintf(f, ": %s -> %s%s, arriving on ", s, d, v6);
		else
			fprintf(f, ": no IPv4 address%s, arriving on ", v6);
		ipts_text_str(f, c->in);
		fputs(" (", f);
		print_covers(f, c);
		fputs(")\n", f);
	}
}

/* Each cell as an --expect line, then a comment: where it was decided,
 * where the connection went. */
static void print_cells(FILE *f, const struct ipts_exposure *e)
{
	size_t i, k;

	fputs("\ncells:\n", f);
	for (i = 0; i < e->nrows; i++) {
		for (k = 0; k < e->nclasses; k++) {
			const struct ipts_exp_cell *c = ipts_exposure_cell(e, i,
									   k);
			const char *file, *pw = policy_word(c);
			uint32_t line;
			char to[IPTS_ENDPOINT_LEN];
			bool said;

			fprintf(f, "%s ", e->rows[i].label);
			ipts_text_str(f, e->classes[k].name);
			fprintf(f, " %s  #", ipts_exp_state_name(c->state));
			if (c->same_as) {
				fputs(" as ", f);
				ipts_text_str(f, c->same_as);
				fputc(':', f);
			}
			cell_source(c, &file, &line);
			if (file) {
				fputc(' ', f);
				ipts_text_file(f, file);
				fprintf(f, ":%u%s%s", line, pw ? " " : "",
					pw ? pw : "");
			}
			said = file != NULL;
			if (c->state != IPTS_EXP_UNDETERMINED &&
			    (c->path == IPTS_PATH_FORWARD ||
			     (c->simulated &&
			      (c->to != c->dst ||
			       c->to_port != e->rows[i].port ||
			       (e->rows[i].family == NFPROTO_IPV6 &&
				!ipts_addr_eq(&c->to6, &c->dst6)))))) {
				cell_to(to, sizeof(to), e, i, c);
				fprintf(f, "%s %s to %s", said ? "," : "",
					c->path == IPTS_PATH_FORWARD ?
						"forwarded" :
						"translated",
					to);
				said = true;
			}
			if (c->state == IPTS_EXP_UNDETERMINED || !file) {
				fputs(said ? ": " : " ", f);
				ipts_text_str(f, c->why);
			}
			fputc('\n', f);
		}
	}
}

static void print_notes_text(FILE *f, const struct ipts_exposure *e)
{
	size_t i;

	for (i = 0; i < e->nnotes; i++) {
		fputs("note: ", f);
		ipts_text_str(f, e->notes[i]);
		fputc('\n', f);
	}
	for (i = 0; i < e->nrows; i++) {
		if (forwarded(e, i)) {
			fputs("note: ", f);
			note_forward(f, e, i, true);
			fputc('\n', f);
		}
		if (lo_only(e, i)) {
			fputs("note: ", f);
			note_lo(f, e, i, true);
			fputc('\n', f);
		}
		if (loopback_open(e, i) >= 0) {
			fputs("note: ", f);
			note_loopback(f, e, i, true);
			fputc('\n', f);
		}
		if (family_differs(e, i) >= 0) {
			fputs("note: ", f);
			note_family(f, e, i);
			fputc('\n', f);
		}
	}
}

static void print_text(FILE *f, const struct run *r)
{
	print_header(f, r);
	print_table(f, &r->e);
	print_classes(f, &r->e);
	print_cells(f, &r->e);
	if ((r->e.nrows && r->e.nclasses) || r->e.nnotes) {
		fputc('\n', f);
		print_notes_text(f, &r->e);
	}
}

/* --- json ----------------------------------------------------------- */

/* An IPv4 address and port, which need no escaping: written raw. */
static void json_addr_port(struct ipts_json *w, const char *key, uint32_t a,
			   int port)
{
	char buf[IPTS_EXP_ADDR_LEN + 2];
	size_t n;

	buf[0] = '"';
	n = ipts_exp_addr_fmt(buf + 1, a, port);
	buf[n + 1] = '"';
	buf[n + 2] = '\0';
	ipts_json_key(w, key);
	ipts_json_raw(w, buf);
}

static void json_addr(struct ipts_json *w, const char *key, uint32_t a)
{
	json_addr_port(w, key, a, -1);
}

static void json_addr6(struct ipts_json *w, const char *key,
		       const struct in6_addr *a)
{
	char buf[INET6_ADDRSTRLEN];

	inet_ntop(AF_INET6, a, buf, sizeof(buf));
	ipts_json_kv_string(w, key, buf);
}

/* A sentence built by @fn into a JSON string. */
enum note_kind {
	NOTE_FORWARD,
	NOTE_LO,
	NOTE_LOOPBACK,
	NOTE_FAMILY,
};

static void json_note(struct ipts_json *w, const struct ipts_exposure *e,
		      size_t i, enum note_kind kind)
{
	static const char *const kinds[] = {
		[NOTE_FORWARD] = "forward_only",
		[NOTE_LO] = "lo_only",
		[NOTE_LOOPBACK] = "loopback_open",
		[NOTE_FAMILY] = "family",
	};
	char *text = NULL;
	size_t len = 0;
	FILE *m = open_memstream(&text, &len);

	if (!m)
		ipts_oom();
	if (kind == NOTE_FORWARD)
		note_forward(m, e, i, false);
	else if (kind == NOTE_LO)
		note_lo(m, e, i, false);
	else if (kind == NOTE_LOOPBACK)
		note_loopback(m, e, i, false);
	else
		note_family(m, e, i);
	if (fclose(m) != 0)
		ipts_oom();
	ipts_json_object_begin(w, IPTS_JSON_LINE);
	ipts_json_kv_string(w, "row", e->rows[i].label);
	ipts_json_kv_string(w, "kind", kinds[kind]);
	ipts_json_kv_string(w, "text", text);
	ipts_json_object_end(w);
	free(text);
}

static void json_row(struct ipts_json *w, const struct ipts_exp_row *row)
{
	ipts_json_object_begin(w, IPTS_JSON_LINE);
	ipts_json_kv_string(w, "label", row->label);
	ipts_json_kv_uint(w, "port", row->port);
	ipts_json_kv_uint(w, "port_hi", row->port_hi);
	ipts_json_kv_string(w, "proto",
			    row->proto == IPPROTO_TCP ? "tcp" : "udp");
	ipts_json_kv_string(w, "family",
			    row->family == NFPROTO_IPV6 ? "ipv6" : "ipv4");
	if (row->dst)
		json_addr(w, "dst", row->dst);
	else if (row->family == NFPROTO_IPV6 &&
		 !IN6_IS_ADDR_UNSPECIFIED(&row->dst6))
		json_addr6(w, "dst", &row->dst6);
	else
		ipts_json_kv_null(w, "dst");
	ipts_json_key(w, "origins");
	ipts_json_array_begin(w, IPTS_JSON_LINE);
	if (row->origin & IPTS_EXP_LISTEN)
		ipts_json_string(w, "listen");
	if (row->origin & IPTS_EXP_DNAT)
		ipts_json_string(w, "dnat");
	if (row->origin & IPTS_EXP_RULE)
		ipts_json_string(w, "filter");
	ipts_json_array_end(w);
	ipts_json_key(w, "published_by");
	if (row->published) {
		ipts_json_object_begin(w, IPTS_JSON_LINE);
		ipts_json_kv_string(w, "file", row->published->loc.src->name);
		ipts_json_kv_uint(w, "line", row->published->loc.line);
		ipts_json_object_end(w);
	} else {
		ipts_json_null(w);
	}
	ipts_json_object_end(w);
}

static void json_cell(struct ipts_json *w, const struct ipts_exposure *e,
		      size_t i, size_t k)
{
	const struct ipts_exp_cell *c = ipts_exposure_cell(e, i, k);
	const char *file, *path = ipts_path_name(c->path);
	uint32_t line;
	char to[IPTS_ENDPOINT_LEN];

	ipts_json_object_begin(w, IPTS_JSON_LINE);
	ipts_json_kv_string(w, "row", e->rows[i].label);
	ipts_json_kv_string(w, "class", e->classes[k].name);
	ipts_json_kv_string(w, "state", ipts_exp_state_name(c->state));
	if (c->simulated && c->outcome < IPTS_OUTCOME_COUNT)
		ipts_json_kv_string(w, "outcome",
				    ipts_outcome_name(c->outcome));
	else
		ipts_json_kv_null(w, "outcome");
	if (c->simulated && path)
		ipts_json_kv_string(w, "path", path);
	else
		ipts_json_kv_null(w, "path");
	/* an undetermined cell's trace may stop before a translation */
	if (c->simulated && e->rows[i].family == NFPROTO_IPV6)
		json_addr6(w, "dst", &c->dst6.in6);
	else if (c->simulated)
		json_addr(w, "dst", c->dst);
	if (c->simulated && c->state != IPTS_EXP_UNDETERMINED &&
	    e->rows[i].family != NFPROTO_IPV6) {
		json_addr_port(w, "to", c->to, c->to_port);
	} else if (c->simulated && c->state != IPTS_EXP_UNDETERMINED) {
		cell_to(to, sizeof(to), e, i, c);
		ipts_json_kv_string(w, "to", to);
	} else if (c->simulated) {
		ipts_json_kv_null(w, "to");
	} else {
		ipts_json_kv_null(w, "dst");
		ipts_json_kv_null(w, "to");
	}
	cell_source(c, &file, &line);
	ipts_json_key(w, "decided_by");
	if (file) {
		ipts_json_object_begin(w, IPTS_JSON_LINE);
		ipts_json_kv_string(w, "file", file);
		ipts_json_kv_uint(w, "line", line);
		ipts_json_kv_bool(w, "policy", !c->rule);
		ipts_json_object_end(w);
	} else {
		ipts_json_null(w);
	}
	ipts_json_kv_string(w, "why", c->why);
	if (c->same_as)
		ipts_json_kv_string(w, "same_as", c->same_as);
	else
		ipts_json_kv_null(w, "same_as");
	ipts_json_object_end(w);
}

static void json_prefixes(struct ipts_json *w, const char *key,
			  const struct ipts_exp_prefix *p, unsigned int n)
{
	char buf[20];
	unsigned int i;

	ipts_json_key(w, key);
	ipts_json_array_begin(w, IPTS_JSON_LINE);
	for (i = 0; i < n; i++) {
		ipts_exp_prefix_fmt(buf, sizeof(buf), p[i]);
		ipts_json_string(w, buf);
	}
	ipts_json_array_end(w);
}

static void json_prefix6(struct ipts_json *w, const struct ipts_exp_class *c)
{
	char p[INET6_ADDRSTRLEN + 8];

	ipts_host6_fmt(p, sizeof(p), &c->pfx6, c->pfx6_len);
	ipts_json_key(w, "prefix");
	ipts_json_array_begin(w, IPTS_JSON_LINE);
	ipts_json_string(w, p);
	ipts_json_array_end(w);
}

static void json_class_covers(struct ipts_json *w,
			      const struct ipts_exp_class *c)
{
	static const char *const kinds[] = {
		[IPTS_EXP_KIND_LO] = "lo",
		[IPTS_EXP_KIND_LINK] = "link",
		[IPTS_EXP_KIND_INTERNET] = "internet",
		[IPTS_EXP_KIND_SPLIT] = "split",
		[IPTS_EXP_KIND_SPLIT6] = "split6",
	};

	ipts_json_kv_string(w, "kind", kinds[c->kind]);
	if (c->kind == IPTS_EXP_KIND_LINK || c->kind == IPTS_EXP_KIND_SPLIT)
		json_prefixes(w, "prefix", &c->prefix, 1);
	else if (c->kind == IPTS_EXP_KIND_SPLIT6)
		json_prefix6(w, c);
	else
		json_prefixes(w, "prefix", NULL, 0);
	json_prefixes(w, "except", c->except, c->nexcept);
	json_prefixes(w, "folded", c->folded, c->nfolded);
}

static void print_json(FILE *f, const struct run *r)
{
	const struct ipts_exposure *e = &r->e;
	struct ipts_json w;
	size_t i, k;

	ipts_json_init(&w, f);
	ipts_json_object_begin(&w, IPTS_JSON_BLOCK);
	ipts_json_kv_string(&w, "file", r->path);
	ipts_json_kv_uint(&w, "simulations", r->simulations);
	ipts_json_kv_uint(&w, "shared", r->e.shared);
	ipts_json_kv_uint(&w, "as_other_class", r->e.aliased);
	ipts_json_kv_bool(&w, "rows_complete", !e->scan_cut);
	ipts_json_key(&w, "classes");
	ipts_json_array_begin(&w, IPTS_JSON_BLOCK);
	for (k = 0; k < e->nclasses; k++) {
		const struct ipts_exp_class *c = &e->classes[k];

		ipts_json_object_begin(&w, IPTS_JSON_LINE);
		ipts_json_kv_string(&w, "name", c->name);
		if (c->in)
			ipts_json_kv_string(&w, "in", c->in);
		else
			ipts_json_kv_null(&w, "in");
		if (c->in && !c->src) { /* no IPv4 client */
			ipts_json_kv_null(&w, "src");
			ipts_json_kv_null(&w, "addr");
		} else {
			json_addr(&w, "src", c->src);
			json_addr(&w, "addr", c->addr);
		}
		if (e->rs6 && (!c->in || c->has6)) {
			json_addr6(&w, "src6",
				   c->in ? &c->src6 : &in6addr_loopback);
			json_addr6(&w, "addr6",
				   c->in ? &c->addr6 : &in6addr_loopback);
		} else if (e->rs6) {
			ipts_json_kv_null(&w, "src6");
			ipts_json_kv_null(&w, "addr6");
		}
		ipts_json_kv_bool(&w, "internet", c->internet);
		json_class_covers(&w, c);
		ipts_json_object_end(&w);
	}
	ipts_json_array_end(&w);
	ipts_json_key(&w, "rows");
	ipts_json_array_begin(&w, IPTS_JSON_BLOCK);
	for (i = 0; i < e->nrows; i++)
		json_row(&w, &e->rows[i]);
	ipts_json_array_end(&w);
	ipts_json_key(&w, "cells");
	ipts_json_array_begin(&w, IPTS_JSON_BLOCK);
	for (i = 0; i < e->nrows; i++)
		for (k = 0; k < e->nclasses; k++)
			json_cell(&w, e, i, k);
	ipts_json_array_end(&w);
	ipts_json_key(&w, "notes");
	ipts_json_array_begin(&w, IPTS_JSON_BLOCK);
	for (i = 0; i < e->nnotes; i++) {
		ipts_json_object_begin(&w, IPTS_JSON_LINE);
		ipts_json_kv_null(&w, "row");
		ipts_json_kv_string(&w, "kind", "bound");
		ipts_json_kv_string(&w, "text", e->notes[i]);
		ipts_json_object_end(&w);
	}
	for (i = 0; i < e->nrows && e->nclasses; i++) {
		if (forwarded(e, i))
			json_note(&w, e, i, NOTE_FORWARD);
		if (lo_only(e, i))
			json_note(&w, e, i, NOTE_LO);
		if (loopback_open(e, i) >= 0)
			json_note(&w, e, i, NOTE_LOOPBACK);
		if (family_differs(e, i) >= 0)
			json_note(&w, e, i, NOTE_FAMILY);
	}
	ipts_json_array_end(&w);
	ipts_json_object_end(&w);
	ipts_json_eol(&w);
}

/* --- sarif ---------------------------------------------------------- */

static void print_sarif(FILE *f, const struct run *r,
			const struct ipts_source *src)
{
	struct ipts_loc top = { .src = src, .line = 1, .col = 1, .len = 1 };
	const struct ipts_exposure *e = &r->e;
	struct ipts_diags d = { 0 };
	size_t i, k;

	for (i = 0; i < e->nrows; i++) {
		for (k = 0; k < e->nclasses; k++) {
			const struct ipts_exp_cell *c = ipts_exposure_cell(e, i,
									   k);
			const struct ipts_loc *l = cell_loc(c);
			const char *pw = policy_word(c);
			char to[56];

			if (!e->classes[k].internet ||
			    c->state != IPTS_EXP_OPEN)
				continue;
			cell_to(to, sizeof(to), e, i, c);
			/* no entry let it through (none is known): the
			 * file's first line, so the result is not lost */
			if (!l)
				l = &top;
			ipts_diag_add_code(&d, IPTS_WARNING, l,
					   "iptsim/exposure",
					   "%s is open from %s: %s%s%s%s",
					   e->rows[i].label, e->classes[k].name,
					   c->path == IPTS_PATH_FORWARD ?
						   "forwarded to " :
						   "accepted by this host",
					   c->path == IPTS_PATH_FORWARD ? to :
									  "",
					   pw ? ", by the chain's " : "",
					   pw ? pw : "");
		}
	}
	ipts_sarif_write(f, &d);
	ipts_diags_free(&d);
}

/* --- expect --------------------------------------------------------- */

#define EXPECT_WORDS 8

static void expect_error(struct ipts_diags *d, const struct ipts_source *src,
			 uint32_t off, uint32_t line, uint32_t col,
			 uint32_t len, const char *fmt, ...)
	__attribute__((format(printf, 7, 8)));

static void expect_error(struct ipts_diags *d, const struct ipts_source *src,
			 uint32_t off, uint32_t line, uint32_t col,
			 uint32_t len, const char *fmt, ...)
{
	struct ipts_loc loc = {
		.src = src,
		.off = off + col,
		.line = line,
		.col = col + 1,
		.len = len ? len : 1,
	};
	va_list ap;

	va_start(ap, fmt);
	ipts_diag_vadd(d, IPTS_ERROR, &loc, fmt, ap);
	va_end(ap);
}

/*
 * Compare every line of @src with the table: differences on stdout,
 * counted in *@ndiff. Returns 0, or -1 after printing the errors of bad
 * lines (nothing compared then).
 */
static int check_expect(struct run *r, const struct ipts_source *src,
			enum ipts_color color, size_t *ndiff, size_t *nexp)
{
	const struct ipts_exposure *e = &r->e;
	struct ipts_diags d = { 0 };
	size_t off = 0;
	uint32_t lineno = 0;
	int pass;

	*ndiff = *nexp = 0;
	/* first the syntax of every line, then the comparison */
	for (pass = 0; pass < 2; pass++) {
		off = 0;
		lineno = 0;
		while (off < src->len) {
			const char *nl = memchr(src->buf + off, '\n',
						src->len - off);
			size_t len = nl ? (size_t)(nl - (src->buf + off)) :
					  src->len - off;
			char *line = malloc(len + 1), *w[EXPECT_WORDS], *nul;
			uint32_t cols[EXPECT_WORDS], bad;
			int n, st;

			if (!line)
				ipts_oom();
			memcpy(line, src->buf + off, len);
			line[len] = '\0';
			if (len && line[len - 1] == '\r')
				line[len - 1] = '\0';
			lineno++;
			/* a NUL would end the line early: said, not skipped */
			nul = memchr(line, '\0', len);
			if (nul) {
				if (pass == 0)
					expect_error(&d, src, (uint32_t)off,
						     lineno,
						     (uint32_t)(nul - line), 1,
						     "a NUL byte in the line");
				n = 0;
			} else {
				n = ipts_words_split(line, w, cols,
						     EXPECT_WORDS, &bad);
			}
			if (pass == 0 && n < 0)
				expect_error(&d, src, (uint32_t)off, lineno,
					     bad, 1,
					     "%s: a line is "
					     "'[ADDR:]PORT/PROTO CLASS STATE'",
					     line[bad] == '"' ||
							     line[bad] == '\'' ?
						     "unterminated quote" :
						     "too many words");
			else if (pass == 0 && n > 0 && n != 3)
				expect_error(
					&d, src, (uint32_t)off, lineno,
					cols[n > 3 ? 3 : 0],
					(uint32_t)strlen(w[n > 3 ? 3 : 0]),
					"expected '[ADDR:]PORT/PROTO CLASS "
					"STATE'%s",
					n > 3 ? ", then the end of the line" :
						"");
			else if (pass == 0 && n == 3 &&
				 ipts_exp_state_parse(w[2]) < 0)
				expect_error(&d, src, (uint32_t)off, lineno,
					     cols[2], (uint32_t)strlen(w[2]),
					     "unknown state '%s': open, closed, "
					     "filtered or undetermined",
					     w[2]);
			else if (pass == 1 && n == 3) {
				long ri = ipts_exposure_find_row(e, w[0]);
				long ci = ipts_exposure_find_class(e, w[1]);
				const char *got;

				if (ci < 0 && left_out(r, w[1])) {
					r->skipped++;
					free(line);
					off += len + (nl ? 1 : 0);
					continue;
				}
				(*nexp)++;
				st = ipts_exp_state_parse(w[2]);
				got = ri < 0 ? "no such port in the table" :
				      ci < 0 ? "no such source class" :
					       ipts_exp_state_name(
						       ipts_exposure_cell(
							       e, (size_t)ri,
							       (size_t)ci)
							       ->state);
				if (ri < 0 || ci < 0 ||
				    strcmp(got,
					   ipts_exp_state_name(
						   (enum ipts_exp_state)st)) !=
					    0) {
					(*ndiff)++;
					ipts_text_file(stdout, src->name);
					printf(":%u: ", lineno);
					ipts_text_str(stdout, w[0]);
					putchar(' ');
					ipts_text_str(stdout, w[1]);
					printf(": expected %s, got %s\n",
					       ipts_exp_state_name(
						       (enum ipts_exp_state)st),
					       got);
				}
			}
			free(line);
			off += len + (nl ? 1 : 0);
		}
		if (pass == 0 && d.nerrors) {
			ipts_report_text(stderr, &d,
					 ipts_color_use(color, stderr));
			ipts_diags_free(&d);
			return -1;
		}
	}
	ipts_diags_free(&d);
	return 0;
}

/* --- command -------------------------------------------------------- */

/* The table of @rs on @host under the options: 0, or an exit code. */
static int plan(struct run *r, const struct ipts_ruleset *rs, const char *from,
		unsigned long max_cells)
{
	struct ipts_exposure *e = &r->e;
	size_t k;

	ipts_exposure_plan(e, rs);
	if (from && ipts_exposure_find_class(e, from) >= 0) {
		r->others = ipts_xcalloc(e->nclasses, sizeof(*r->others));
		for (k = 0; k < e->nclasses; k++)
			if (strcmp(e->classes[k].name, from) != 0)
				memcpy(r->others[r->nothers++],
				       e->classes[k].name,
				       sizeof(r->others[0]));
	}
	if (from && ipts_exposure_keep_class(e, from) < 0) {
		fputs("iptsim exposure: no source class '", stderr);
		ipts_text_str(stderr, from);
		fputs("': the classes are", stderr);
		for (k = 0; k < e->nclasses; k++) {
			fputs(k ? ", " : " ", stderr);
			ipts_text_str(stderr, e->classes[k].name);
		}
		fputc('\n', stderr);
		return IPTS_EXIT_USAGE;
	}
	if (e->nrows && e->nclasses > max_cells / e->nrows) {
		fprintf(stderr,
			"iptsim exposure: %zu ports times %zu source classes "
			"is over --max-cells %lu: raise it, or ask one class "
			"(--from)\n",
			e->nrows, e->nclasses, max_cells);
		return IPTS_EXIT_USAGE;
	}
	ipts_exposure_cells(e);
	return 0;
}

int cmd_exposure(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "format", required_argument, NULL, OPT_FORMAT },
		{ "from", required_argument, NULL, OPT_FROM },
		{ "expect", required_argument, NULL, OPT_EXPECT },
		{ "listen", required_argument, NULL, OPT_LISTEN },
		{ "max-cells", required_argument, NULL, OPT_MAX_CELLS },
		{ "no-share", no_argument, NULL, OPT_NO_SHARE },
		{ "threads", required_argument, NULL, OPT_THREADS },
		{ "help", no_argument, NULL, 'h' },
		IPTS_INPUT_LONGOPTS,
		IPTS_BUDGET_LONGOPTS,
		IPTS_HOST_LONGOPTS,
		{ NULL, 0, NULL, 0 },
	};
	struct ipts_cli_input in;
	struct ipts_cli_budget budget;
	struct ipts_cli_host hopt;
	struct ipts_cli_ipsets sets = { 0 };
	struct ipts_hostdesc *host = NULL;
	struct ipts_source *src = NULL, *xsrc = NULL, *src6 = NULL;
	struct ipts_ruleset *rs, *rs6 = NULL;
	struct ipts_sim_ctx *ctx, *ctx6;
	bool v6_only;
	struct run r = { 0 };
	const char *from = NULL, *expect = NULL;
	enum ipts_format fmt = IPTS_FMT_TEXT;
	unsigned long max_cells = DEFAULT_MAX_CELLS, threads = 0;
	bool help = false, no_share = false;
	int c, rc;

	ipts_cli_input_init(&in);
	ipts_cli_budget_init(&budget);
	ipts_cli_host_init(&hopt);
	ipts_exposure_init(&r.e, NULL);
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
		switch (c) {
		case 'h':
			help = true;
			break;
		case OPT_FORMAT:
			if (ipts_format_parse(optarg,
					      1u << IPTS_FMT_TEXT |
						      1u << IPTS_FMT_JSON |
						      1u << IPTS_FMT_SARIF,
					      &fmt) < 0)
				return ipts_usage_error(
					"exposure",
					"invalid format '%s': text, json or "
					"sarif",
					optarg);
			break;
		case OPT_FROM:
			from = optarg;
			break;
		case OPT_EXPECT:
			expect = optarg;
			break;
		case OPT_LISTEN:
			rc = parse_listen(&r.e, optarg);
			if (rc == -2)
				return ipts_usage_error("exposure",
							"at most %d --listen",
							IPTS_QUERY_MAX_LOCAL);
			if (rc < 0)
				return ipts_usage_error("exposure",
							"invalid --listen '%s': "
							"[ADDR:]PORT[/tcp|udp]",
							optarg);
			break;
		case OPT_MAX_CELLS:
			if (!ipts_parse_ulong(optarg, 100000000UL,
					      &max_cells) ||
			    !max_cells)
				return ipts_usage_error(
					"exposure",
					"invalid --max-cells '%s': a number "
					"from 1 to 100000000",
					optarg);
			break;
		case OPT_NO_SHARE:
			no_share = true;
			break;
		case OPT_THREADS:
			if (!ipts_parse_ulong(optarg, 8, &threads) || !threads)
				return ipts_usage_error(
					"exposure",
					"invalid --threads '%s': a number "
					"from 1 to 8",
					optarg);
			break;
		case ':':
			return ipts_usage_error("exposure",
						"option '%s' needs a value",
						argv[optind - 1]);
		default:
			switch (ipts_cli_common_opt(&in, &budget, "exposure", c,
						    optarg)) {
			case 1:
				continue;
			case -1:
				return IPTS_EXIT_USAGE;
			}
			switch (ipts_cli_host_opt(&hopt, "exposure", c,
						  optarg)) {
			case 1:
				continue;
			case -1:
				return IPTS_EXIT_USAGE;
			}
			return ipts_cli_unknown_option("exposure", argv);
		}
	}
	if (help)
		return ipts_cli_help("exposure", usage_text, argc - optind);
	if (argc - optind != 1 && argc - optind != 2)
		return ipts_usage_error("exposure",
					"expected one FILE, or a pair: an "
					"IPv4 FILE and an IPv6 FILE");
	if (expect && fmt != IPTS_FMT_TEXT)
		return ipts_usage_error("exposure",
					"--expect prints differences: not "
					"with --format");
	if (ipts_cli_host_build(&hopt, "exposure", in.color, &host) < 0)
		return IPTS_EXIT_USAGE;
	/* --ipsets, or the host directory's ipsets.txt: -m set decided */
	if (ipts_cli_ipsets_read(&hopt, "exposure", &in.read, in.color, &sets) <
	    0) {
		ipts_hostdesc_free(host);
		return IPTS_EXIT_USAGE;
	}
	r.e.host = host;
	r.e.no_share = no_share;
	r.path = argv[optind];
	r.path6 = argc - optind == 2 ? argv[optind + 1] : NULL;
	if (expect) {
		xsrc = ipts_cli_read("exposure", expect, &in);
		if (!xsrc) {
			ipts_cli_ipsets_free(&sets);
			ipts_hostdesc_free(host);
			return IPTS_EXIT_USAGE;
		}
	}
	/* an IPv6 file: alone (its rows IPv6 only) or in a pair */
	in.v6_ok = true;
	rs = ipts_cli_load("exposure", r.path, &in, &src);
	if (rs && r.path6) {
		rs6 = ipts_cli_load("exposure", r.path6, &in, &src6);
		if (rs6 && rs->family == IPTS_FAMILY_IPV6 &&
		    rs6->family == IPTS_FAMILY_IPV4) {
			/* given the other way round */
			struct ipts_ruleset *t = rs;
			struct ipts_source *ts = src;
			const char *tp = r.path;

			rs = rs6, rs6 = t;
			src = src6, src6 = ts;
			r.path = r.path6, r.path6 = tp;
		}
		if (rs6 && (rs->family != IPTS_FAMILY_IPV4 ||
			    rs6->family != IPTS_FAMILY_IPV6)) {
			fputs("iptsim exposure: a pair is an IPv4 file and an "
			      "IPv6 file: '",
			      stderr);
			ipts_text_file(stderr, r.path);
			fputs("' and '", stderr);
			ipts_text_file(stderr, r.path6);
			fprintf(stderr, "' are both IPv%d\n",
				rs->family == IPTS_FAMILY_IPV6 ? 6 : 4);
			ipts_ruleset_free(rs6);
			rs6 = NULL;
		}
		if (rs6 &&
		    ipts_cli_ipsets_check(&sets, rs6, "exposure", r.path6,
					  in.color, NULL, 0) < 0) {
			ipts_ruleset_free(rs6);
			rs6 = NULL;
		}
		if (!rs6) {
			ipts_ruleset_free(rs);
			rs = NULL;
		}
	}
	if (rs && ipts_cli_ipsets_check(&sets, rs, "exposure", r.path, in.color,
					NULL, 0) < 0) {
		ipts_ruleset_free(rs);
		rs = NULL;
	}
	if (!rs) {
		ipts_ruleset_free(rs6);
		ipts_source_free(src6);
		ipts_source_free(src);
		ipts_source_free(xsrc);
		ipts_cli_ipsets_free(&sets);
		ipts_hostdesc_free(host);
		return IPTS_EXIT_USAGE;
	}
	v6_only = !rs6 && rs->family == IPTS_FAMILY_IPV6;
	if (rs6 || v6_only)
		ipts_exposure_pair(&r.e, v6_only ? rs : rs6, v6_only);
	rc = plan(&r, v6_only ? NULL : rs, from, max_cells);
	if (rc)
		goto out;
	ctx = NULL;
	if (!v6_only) {
		ctx = host ? ipts_sim_prepare_on(rs, host) :
			     ipts_sim_prepare(rs);
		ipts_sim_use_ipsets(ctx, sets.sets);
	}
	ctx6 = NULL;
	if (rs6 || v6_only) {
		const struct ipts_ruleset *r6 = v6_only ? rs : rs6;

		ctx6 = host ? ipts_sim_prepare_on(r6, host) :
			      ipts_sim_prepare(r6);
		ipts_sim_use_ipsets(ctx6, sets.sets);
	}
	r.e.ctx6 = ctx6;
	run_cells(&r, ctx, &budget, (unsigned int)threads);
	if (ctx)
		ipts_sim_free(ctx);
	if (ctx6)
		ipts_sim_free(ctx6);
	if (expect) {
		size_t ndiff, nexp;

		if (check_expect(&r, xsrc, in.color, &ndiff, &nexp) < 0) {
			rc = IPTS_EXIT_USAGE;
			goto out;
		}
		printf("%zu of %zu expectations met", nexp - ndiff, nexp);
		if (r.skipped)
			printf(" (%zu of other classes than --from's not "
			       "compared)",
			       r.skipped);
		putchar('\n');
		rc = ndiff ? IPTS_EXIT_NO : IPTS_EXIT_YES;
		goto out;
	}
	if (fmt == IPTS_FMT_JSON)
		print_json(stdout, &r);
	else if (fmt == IPTS_FMT_SARIF)
		print_sarif(stdout, &r, src);
	else
		print_text(stdout, &r);
	rc = r.undetermined ? IPTS_EXIT_UNDETERMINED : IPTS_EXIT_YES;
out:
	free(r.others);
	ipts_exposure_free(&r.e);
	ipts_ruleset_free(rs);
	ipts_ruleset_free(rs6);
	ipts_source_free(src6);
	ipts_source_free(src);
	ipts_source_free(xsrc);
	ipts_cli_ipsets_free(&sets);
	ipts_hostdesc_free(host);
	return rc;
}
