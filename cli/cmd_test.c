/*
 * cmd_test.c - `iptsim test RULES SPEC...`: expectations written by hand,
 * one a line ("timeout --dport 1060 --uid 1001"), each checked against
 * what trace would answer on RULES. For pre-commit hooks and CI jobs:
 * text for people, JSON lines for programs, JUnit XML for CI test reports.
 */
#include "cli.h"

#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <netinet/in.h>

#include "diag.h"
#include "host.h"
#include "host_opts.h"
#include "escape.h"
#include "input.h"
#include "json.h"
#include "legs.h"
#include "model.h"
#include "parser.h"
#include "query.h"
#include "report.h"
#include "sim.h"

/* clang-format off */
static const char usage_text[] =
	"usage: iptsim test [options] RULES SPEC...\n"
	"       iptsim test [options] RULES.V4 RULES.V6 SPEC...\n"
	"\n"
	"Check the expectations of each SPEC file against RULES (an\n"
	"iptables-save file, '-' for standard input). A spec line is an\n"
	"outcome word and the packet options of 'iptsim trace':\n"
	"\n"
	"  timeout --dport 1060 --uid 1001\n"
	"  connected --dport 1060 --uid 1000\n"
	"  timeout --uid 1001 --decided-by filter:OUTPUT:rule:2\n"
	"  delivered --proto udp --dport 53   # a comment\n"
	"\n"
	"Outcomes: connected refused timeout hostunreach netunreach\n"
	"protounreach reset (tcp), delivered dropped eperm refused (udp),\n"
	"einval (either), and undetermined. --decided-by also expects the rule or policy that\n"
	"decides (for connected and delivered: one that lets a packet\n"
	"through), named TABLE:CHAIN:rule:N, TABLE:CHAIN:policy, as a TRACE\n"
	"entry TABLE:CHAIN:TYPE:N, or FILE:LINE (its line in RULES).\n"
	"\n"
	"A line whose --dst is a host name (--hosts FILE, default Debian 12's\n"
	"/etc/hosts), and every line when an IPv4 and an IPv6 file are given,\n"
	"expects what a client trying the name's addresses in order sees, as\n"
	"'iptsim trace RULES.V4 RULES.V6 --dst NAME' answers it.\n"
	"\n"
	"  --format text|json|junit  output format (default text)\n"
	IPTS_HOST_HELP
	IPTS_INPUT_HELP
	IPTS_BUDGET_HELP
	"  -h, --help           show this help\n"
	"\n"
	"Exit status: 0 every expectation met, 1 one failed, 2 usage error, a\n"
	"bad spec line, or RULES does not load, 3 no expectation failed but\n"
	"some line's walk ran out of its budget (it counts as failed).\n";
/* clang-format on */

enum test_format {
	FMT_TEXT,
	FMT_JSON,
	FMT_JUNIT,
};

#define MAX_WORDS 64

/* A host fact an answer read (ipts_result.facts). */
struct test_fact {
	char *key;
	long value;
	bool given;
};

/* One spec line: an expectation, or an error in it. */
struct expect {
	uint32_t line;
	uint32_t off;			/* the line's offset in the source */
	uint32_t col0;			/* its first word's column */
	const char *text;		/* the line's words, in the source */
	int textlen;
	bool error;
	char *msg;			/* error: the message */
	uint32_t col;			/* error: its column */
	enum ipts_outcome want;
	struct ipts_query q;
	char *in;			/* q.in's copy, or NULL */
	char *by_trace;		/* --decided-by T:C:TYPE:N, or NULL */
	char *by_file;		/* --decided-by FILE:LINE, or NULL */
	uint32_t by_line;
	/* the answer */
	enum ipts_outcome got;
	bool passed;
	char *why;
	char got_trace[256];		/* "" when nothing decided */
	char got_name[256];		/* its name: filter:INPUT:policy */
	bool let_through;		/* got_* let it through, not decided */
	struct ipts_notes *notes;	/* the answer's notes, or NULL */
	const char *got_file;
	uint32_t got_line;
	const char *got_packet;
	/* the answer's path, as trace's JSON has them */
	enum ipts_path path;
	char *stopped, *route;		/* NULL: none */
	struct test_fact *facts;
	unsigned int nfacts;
	/* -j SET: the sets the answer's way changed (NULL, 0: none) */
	struct ipts_set_change *set_changes;
	size_t nset_changes;
	char *sets_after;
	/* answered by legs.c: --dst a name, or two files */
	bool legs;
	char *dst; /* --dst, or NULL (127.0.0.1) */
	char **words; /* the packet options, copied */
	int nwords;
};

struct spec {
	const char *path;
	struct ipts_source *src;
	char *read_error;		/* "cannot read 'PATH': WHY", or NULL */
	struct expect *v;
	size_t n, cap;
	size_t passed, failed, errors;
	size_t over;			/* of the failed: out of budget */
	uint8_t family; /* the rules' (NFPROTO_*) */
};

static char *xstrndup(const char *s, size_t n)
{
	char *p = ipts_xmalloc(n + 1);

	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

static int outcome_find(const char *w)
{
	int o;

	for (o = 0; o < IPTS_OUTCOME_COUNT; o++)
		if (strcmp(ipts_outcome_name(o), w) == 0)
			return o;
	return -1;
}

static bool tcp_only(enum ipts_outcome o)
{
	return o == IPTS_CONNECTED || o == IPTS_TIMEOUT || o == IPTS_RESET;
}

static bool udp_only(enum ipts_outcome o)
{
	return o == IPTS_DELIVERED || o == IPTS_DROPPED || o == IPTS_EPERM;
}

static bool all_digits(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (*s < '0' || *s > '9')
			return false;
	return true;
}

/*
 * TABLE:CHAIN:TYPE:NUM (TYPE rule, policy or return) goes to by_trace,
 * FILE:LINE to by_file/by_line. Returns -1 with @msg when neither.
 */
static int parse_decided_by(struct expect *x, const char *v, char *msg,
			    size_t len)
{
	const char *c1 = strchr(v, ':'), *last = strrchr(v, ':');
	const char *c2 = c1 ? strchr(c1 + 1, ':') : NULL;
	const char *c3 = c2 ? strchr(c2 + 1, ':') : NULL;

	if (c3 && c3 == last) {
		if (c1 == v || c2 == c1 + 1 || !all_digits(c3 + 1) ||
		    !((c3 - c2 == 5 && strncmp(c2 + 1, "rule", 4) == 0) ||
		      (c3 - c2 == 7 && strncmp(c2 + 1, "policy", 6) == 0) ||
		      (c3 - c2 == 7 && strncmp(c2 + 1, "return", 6) == 0))) {
			snprintf(msg, len, "invalid --decided-by '%s': "
				 "TABLE:CHAIN:TYPE:NUM, TYPE one of rule, "
				 "policy, return", v);
			return -1;
		}
		if (x->by_trace) {
			snprintf(msg, len, "deciding trace entry given twice");
			return -1;
		}
		x->by_trace = ipts_xstrdup(v);
		return 0;
	}
	/* TABLE:CHAIN:policy, a built-in chain's policy by its name */
	if (c2 && c2 == last && c1 > v && c2 > c1 + 1 &&
	    strcmp(c2 + 1, "policy") == 0) {
		if (x->by_trace) {
			snprintf(msg, len, "deciding trace entry given twice");
			return -1;
		}
		x->by_trace = ipts_xstrdup(v);
		return 0;
	}
	if (c1 && c1 == last && c1 > v && all_digits(c1 + 1) &&
	    strlen(c1 + 1) < 10 && atol(c1 + 1) > 0) {
		if (x->by_file) {
			snprintf(msg, len, "deciding rule's line given twice");
			return -1;
		}
		x->by_file = xstrndup(v, (size_t)(c1 - v));
		x->by_line = (uint32_t)atol(c1 + 1);
		return 0;
	}
	snprintf(msg, len, "invalid --decided-by '%s': TABLE:CHAIN:rule:N, "
		 "TABLE:CHAIN:policy, a TRACE entry TABLE:CHAIN:TYPE:N or "
		 "FILE:LINE", v);
	return -1;
}

static void spec_error(struct spec *sp, struct ipts_diags *d,
		       struct expect *x, uint32_t off, uint32_t col,
		       uint32_t len, const char *msg)
{
	struct ipts_loc loc = {
		.src = sp->src, .off = off + col, .line = x->line,
		.col = col + 1, .len = len ? len : 1,
	};
	struct ipts_loc noloc = { 0 };

	ipts_diag_add(d, IPTS_ERROR, &loc, "%s", msg);
	if (strncmp(msg, "unknown outcome", 15) == 0)
		ipts_diag_note(d, &noloc,
			       "expected one of connected, refused, "
			       "timeout, hostunreach, netunreach, "
			       "protounreach, reset, delivered, dropped, "
			       "eperm, einval, undetermined");
	x->error = true;
	x->msg = ipts_xstrdup(msg);
	x->col = col + 1;
}

/* Length in the source of word @i (quotes included). */
static uint32_t word_len(const char *line, char **w, uint32_t *cols, int i)
{
	bool quoted = line[cols[i]] == '"' || line[cols[i]] == '\'';

	return (uint32_t)strlen(w[i]) + (quoted ? 2 : 0);
}

/*
 * Parse the line at @off (@len bytes, no newline) into @x. Returns 0 for
 * an expectation, 1 for a blank or comment line, -1 for an error (added
 * to @d).
 */
/*
 * A line for legs.c: its packet options checked as a leg of 127.0.0.1
 * would read them, and kept to be replayed per leg.
 */
static int legs_line(struct spec *sp, struct ipts_diags *d, struct expect *x,
		     uint32_t off, const struct ipts_hostdesc *host,
		     const char *dst, int nrest, char **rest, int *restidx,
		     const char *line, char **w, uint32_t *cols)
{
	struct ipts_query_error err;
	int i, k;

	if (ipts_legs_words_check(nrest, rest, dst, host, &x->q, &err) < 0) {
		k = restidx[err.argi];
		x->q.in = NULL; /* into @line */
		spec_error(sp, d, x, off, cols[k], word_len(line, w, cols, k),
			   err.msg);
		return -1;
	}
	x->legs = true;
	x->dst = dst ? ipts_xstrdup(dst) : NULL;
	x->nwords = nrest;
	x->words = ipts_xcalloc((size_t)nrest + 1, sizeof(*x->words));
	for (i = 0; i < nrest; i++)
		x->words[i] = ipts_xstrdup(rest[i]);
	return 0;
}

static int parse_line(struct spec *sp, struct ipts_diags *d, struct expect *x,
		      uint32_t off, size_t len,
		      const struct ipts_hostdesc *host, bool pair)
{
	struct ipts_gai_addr ga;
	const char *dst;
	char *line = xstrndup(sp->src->buf + off, len);
	char *w[MAX_WORDS], *rest[MAX_WORDS], msg[320];
	uint32_t cols[MAX_WORDS], bad;
	int restidx[MAX_WORDS];
	struct ipts_query_error err;
	int n, nrest = 0, i, o, rc = -1;

	n = ipts_words_split(line, w, cols, MAX_WORDS, &bad);
	if (n < 0) {
		snprintf(msg, sizeof(msg), line[bad] == '"' ||
			 line[bad] == '\'' ? "unterminated quote" :
			 "too many words (at most %d)", MAX_WORDS);
		spec_error(sp, d, x, off, bad, 1, msg);
		goto out;
	}
	if (n == 0) {
		rc = 1;
		goto out;
	}
	x->off = off;
	x->col0 = cols[0];
	x->text = sp->src->buf + off + cols[0];
	x->textlen = (int)(cols[n - 1] + word_len(line, w, cols, n - 1) -
			   cols[0]);
	o = outcome_find(w[0]);
	if (o < 0) {
		snprintf(msg, sizeof(msg), "unknown outcome '%s'", w[0]);
		spec_error(sp, d, x, off, cols[0], word_len(line, w, cols, 0),
			   msg);
		goto out;
	}
	x->want = o;
	for (i = 1; i < n; i++) {
		const char *v = NULL;
		int at = i;

		if (strcmp(w[i], "--decided-by") == 0) {
			if (i + 1 == n) {
				snprintf(msg, sizeof(msg), "option "
					 "'--decided-by' needs a value");
				spec_error(sp, d, x, off, cols[i],
					   word_len(line, w, cols, i), msg);
				goto out;
			}
			v = w[++i];
			at = i;
		} else if (strncmp(w[i], "--decided-by=", 13) == 0) {
			v = w[i] + 13;
		} else {
			restidx[nrest] = i;
			rest[nrest++] = w[i];
			continue;
		}
		if (x->want == IPTS_UNDETERMINED)
			snprintf(msg, sizeof(msg), "an undetermined answer has "
				 "no deciding rule: drop --decided-by");
		if (x->want == IPTS_UNDETERMINED ||
		    parse_decided_by(x, v, msg, sizeof(msg)) < 0) {
			spec_error(sp, d, x, off, cols[at],
				   word_len(line, w, cols, at), msg);
			goto out;
		}
	}
	dst = ipts_legs_words_dst(nrest, rest);
	if (pair || (dst && !ipts_gai_literal(dst, &ga))) {
		if (legs_line(sp, d, x, off, host, dst, nrest, rest, restidx,
			      line, w, cols) < 0)
			goto out;
	} else if (ipts_query_parse_args_fam(nrest, rest, host, sp->family,
					     &x->q, &err) < 0) {
		i = restidx[err.argi];
		x->q.in = NULL;	/* into @line */
		spec_error(sp, d, x, off, cols[i], word_len(line, w, cols, i),
			   err.msg);
		goto out;
	}
	if (x->q.in)
		x->q.in = x->in = ipts_xstrdup(x->q.in);
	if ((x->q.proto == IPPROTO_UDP && tcp_only(x->want)) ||
	    (x->q.proto != IPPROTO_UDP && udp_only(x->want))) {
		snprintf(msg, sizeof(msg), x->q.proto == IPPROTO_UDP ?
			 "outcome '%s' is for tcp, and this is --proto udp" :
			 "outcome '%s' is for udp: add --proto udp",
			 ipts_outcome_name(x->want));
		spec_error(sp, d, x, off, cols[0], word_len(line, w, cols, 0),
			   msg);
		goto out;
	}
	rc = 0;
out:
	free(line);
	return rc;
}

static struct expect *spec_push(struct spec *sp)
{
	if (sp->n == sp->cap) {
		sp->cap = sp->cap ? sp->cap * 2 : 16;
		sp->v = ipts_xrealloc(sp->v, sp->cap * sizeof(*sp->v));
	}
	memset(&sp->v[sp->n], 0, sizeof(sp->v[0]));
	return &sp->v[sp->n];
}

static void spec_parse(struct spec *sp, struct ipts_diags *d,
		       const struct ipts_hostdesc *host, bool pair)
{
	const char *buf = sp->src->buf;
	size_t off = 0, len;
	uint32_t line = 0;

	while (off < sp->src->len) {
		const char *nl = memchr(buf + off, '\n', sp->src->len - off);
		struct expect *x = spec_push(sp);

		len = nl ? (size_t)(nl - (buf + off)) : sp->src->len - off;
		x->line = ++line;
		if (parse_line(sp, d, x, (uint32_t)off, len, host, pair) <= 0) {
			if (x->error)
				sp->errors++;
			sp->n++;
		}
		off += len + 1;
	}
}

/* Whether @file names the rules file @name: the same, or the same base
 * name (a spec kept beside its rules names them without a directory). */
static bool same_file(const char *file, const char *name)
{
	const char *a, *b;

	if (!name)
		return false;
	if (strcmp(file, name) == 0)
		return true;
	a = strrchr(file, '/');
	b = strrchr(name, '/');
	return strcmp(a ? a + 1 : file, b ? b + 1 : name) == 0;
}

/* "possible: refused, any other; the file cannot decide ..." */
static char *undetermined_why(const struct ipts_result *res)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	if (!f)
		ipts_oom();
	fputs("possible: ", f);
	ipts_possible_text(f, res->possible, "any other", "any other");
	fputs("; the file cannot decide every rule on the way", f);
	if (fclose(f) != 0)
		ipts_oom();
	return buf;
}

/* Whether trace entry @t is the one --decided-by names in @x. */
static bool entry_is(const struct expect *x, const struct ipts_trace *t)
{
	char trace[256], name[256];
	const char *file;
	uint32_t line;

	if (x->by_trace) {
		ipts_trace_format(t, trace, sizeof(trace));
		ipts_trace_name(t, name, sizeof(name));
		if (strcmp(x->by_trace, trace) != 0 &&
		    strcmp(x->by_trace, name) != 0)
			return false;
	}
	if (x->by_file) {
		ipts_trace_source(t, &file, &line);
		if (!file || line != x->by_line || !same_file(x->by_file, file))
			return false;
	}
	return true;
}

static void got_entry(struct expect *x, const struct ipts_packet *p,
		      const struct ipts_trace *t)
{
	ipts_trace_format(t, x->got_trace, sizeof(x->got_trace));
	ipts_trace_name(t, x->got_name, sizeof(x->got_name));
	x->got_packet = p->name;
	ipts_trace_source(t, &x->got_file, &x->got_line);
}

/*
 * A connection that gets through: --decided-by names one of the entries
 * that let a packet through a table (any packet, any table). Shows the
 * one it names, else the one the summary names.
 */
static bool let_through_is(struct expect *x, const struct ipts_result *res)
{
	const struct ipts_packet *p;
	const struct ipts_trace *t = ipts_result_let_through(res, &p);
	unsigned int i;
	size_t k;

	if (t) {
		got_entry(x, p, t);
		x->let_through = true;
	}
	if (!x->by_trace && !x->by_file)
		return true;
	for (i = 0; i < res->npackets; i++)
		for (k = 0; k < res->packets[i].npassed; k++)
			if (entry_is(x, &res->packets[i].passed[k])) {
				got_entry(x, &res->packets[i],
					  &res->packets[i].passed[k]);
				return true;
			}
	return false;
}

/* The path of @res, kept in @x for the JSON line. */
static void keep_path(struct expect *x, const struct ipts_result *res)
{
	unsigned int i;

	x->path = res->path;
	x->stopped = res->stopped[0] ? ipts_xstrdup(res->stopped) : NULL;
	x->route = res->route[0] ? ipts_xstrdup(res->route) : NULL;
	x->nfacts = res->nfacts;
	x->facts = res->nfacts ? ipts_xcalloc(res->nfacts, sizeof(*x->facts)) :
				 NULL;
	for (i = 0; i < res->nfacts; i++) {
		x->facts[i].key = ipts_xstrdup(res->facts[i].key);
		x->facts[i].value = res->facts[i].value;
		x->facts[i].given = res->facts[i].given;
	}
	if (res->sets_tracked && (res->nset_changes || res->sets_after)) {
		x->nset_changes = res->nset_changes;
		if (res->nset_changes) {
			x->set_changes = ipts_xcalloc(res->nset_changes,
						      sizeof(*x->set_changes));
			memcpy(x->set_changes, res->set_changes,
			       res->nset_changes * sizeof(*x->set_changes));
		}
		x->sets_after = res->sets_after ?
					ipts_xstrdup(res->sets_after) :
					NULL;
	}
}

static void judge(struct spec *sp, struct expect *x,
		  const struct ipts_result *res);

static void run_one(const struct ipts_sim_ctx *ctx, struct spec *sp,
		    struct ipts_diags *d, struct expect *x,
		    struct ipts_result *res, struct ipts_cli_budget *budget)
{
	if (ipts_simulate_limited(ctx, &x->q, ipts_cli_budget_next(budget),
				  res) < 0) {
		char msg[1100];

		snprintf(msg, sizeof(msg), "cannot simulate: %s", res->why);
		spec_error(sp, d, x, x->off, x->col0, (uint32_t)x->textlen,
			   msg);
		sp->errors++;
		return;
	}
	ipts_cli_budget_spend(budget, res);
	x->got = res->outcome;
	keep_path(x, res);
	{
		struct ipts_notes nt;

		ipts_answer_notes(NULL, &x->q, res, NULL, &nt);
		if (nt.n) {
			x->notes = ipts_xmalloc(sizeof(nt));
			*x->notes = nt;
		}
	}
	if (res->over_budget)
		x->why = ipts_xstrdup(res->budget_why);
	else if (res->outcome == IPTS_UNDETERMINED)
		x->why = undetermined_why(res);
	else
		x->why = ipts_xstrdup(res->why);
	judge(sp, x, res);
}

/* Whether @x's expectation is met by x->got, and --decided-by by @res
 * (NULL: no answered connection behind x->got). */
static void judge(struct spec *sp, struct expect *x,
		  const struct ipts_result *res)
{
	const struct ipts_trace *t = NULL;
	bool ok;

	if (!res) {
		ok = x->got == x->want && !x->by_trace && !x->by_file;
		goto out;
	}
	if (res->outcome != IPTS_UNDETERMINED && res->decided_pkt >= 0 &&
	    res->decided_idx >= 0) {
		t = &res->packets[res->decided_pkt].trace[res->decided_idx];
		got_entry(x, &res->packets[res->decided_pkt], t);
	}
	/* out of budget: not an answer, even to "undetermined" */
	ok = x->got == x->want && !res->over_budget;
	if (res->over_budget)
		sp->over++;
	if (t) {
		if ((x->by_trace || x->by_file) && !entry_is(x, t))
			ok = false;
	} else if (res->outcome == IPTS_CONNECTED ||
		   res->outcome == IPTS_DELIVERED) {
		if (!let_through_is(x, res))
			ok = false;
	} else if (x->by_trace || x->by_file) {
		ok = false;
	}
out:
	x->passed = ok;
	if (ok)
		sp->passed++;
	else
		sp->failed++;
}

/* A --dst NAME line (or any line of a pair): the client over the legs. */
static void run_legs(struct ipts_legs *L, const struct ipts_legs_env *env,
		     struct spec *sp, struct ipts_diags *d, struct expect *x)
{
	struct ipts_legs_words lw = { x->nwords, x->words };
	const struct ipts_leg *end = NULL;
	char msg[512];
	size_t len = 0;
	FILE *m;

	if (ipts_legs_resolve(L, env, x->dst, msg, sizeof(msg)) < 0) {
		spec_error(sp, d, x, x->off, x->col0, (uint32_t)x->textlen,
			   msg);
		sp->errors++;
		return;
	}
	ipts_legs_answer(L, env, ipts_legs_build_words, &lw);
	x->got = L->client.outcome;
	m = open_memstream(&x->why, &len);
	if (!m)
		ipts_oom();
	ipts_legs_why(m, L);
	if (fclose(m) != 0)
		ipts_oom();
	if (L->client.leg >= 0 && x->got != IPTS_UNDETERMINED &&
	    L->leg[L->client.leg].answered)
		end = &L->leg[L->client.leg];
	if (end)
		keep_path(x, &end->res);
	judge(sp, x, end ? &end->res : NULL);
}

/* --- output ------------------------------------------------------------ */

/*
 * Text output: what comes from the spec (the --decided-by values), from
 * RULES (chain names, rule text in the sentence) and file names is
 * escaped (escape.h). JUnit's bodies are this text too.
 */
static void print_expected(FILE *f, const struct expect *x)
{
	fputs(ipts_outcome_name(x->want), f);
	if (!x->by_trace && !x->by_file)
		return;
	fputs(" (decided by ", f);
	if (x->by_trace)
		ipts_text_str(f, x->by_trace);
	if (x->by_trace && x->by_file)
		fputs(", ", f);
	if (x->by_file) {
		ipts_text_file(f, x->by_file);
		fprintf(f, ":%u", x->by_line);
	}
	fputc(')', f);
}

static void print_got(FILE *f, const struct expect *x)
{
	fputs(ipts_outcome_name(x->got), f);
	if (!x->by_trace && !x->by_file)
		return;
	if (x->got_trace[0]) {
		fputs(x->let_through ? " (let through by " : " (decided by ", f);
		ipts_text_str(f, x->got_name);
		if (strcmp(x->got_name, x->got_trace) != 0) {
			fputs(", TRACE ", f);
			ipts_text_str(f, x->got_trace);
		}
		fputs(", ", f);
		ipts_text_file(f, x->got_file ? x->got_file : "?");
		fprintf(f, ":%u)", x->got_line);
	} else {
		fputs(" (decided by no rule)", f);
	}
}

static void text_failure(FILE *f, const struct spec *sp,
			 const struct expect *x)
{
	unsigned int i;

	ipts_text_file(f, sp->path);
	fprintf(f, ":%u: expected ", x->line);
	print_expected(f, x);
	fputs(", got ", f);
	print_got(f, x);
	if (x->why && x->why[0]) {
		fputs(" — ", f);
		ipts_text_str(f, x->why);
	}
	for (i = 0; x->notes && i < x->notes->n; i++) {
		fputs(" — note: ", f);
		ipts_text_str(f, x->notes->v[i]);
	}
	fputc('\n', f);
}

/* A trace entry of the answer: the deciding one or the one that let
 * the connection through. */
static void json_got(struct ipts_json *w, const struct expect *x)
{
	ipts_json_object_begin(w, IPTS_JSON_LINE);
	ipts_json_kv_string(w, "trace", x->got_trace);
	ipts_json_kv_string(w, "name", x->got_name);
	ipts_json_kv_string(w, "packet", x->got_packet);
	ipts_json_kv_string(w, "file", x->got_file);
	if (x->got_file)
		ipts_json_kv_uint(w, "line", x->got_line);
	else
		ipts_json_kv_null(w, "line");
	ipts_json_object_end(w);
}

/* One line of JSON for expectation @x: an error, or what was asked and
 * what came. */
static void json_expect(FILE *f, const struct spec *sp, const struct expect *x)
{
	struct ipts_json w;
	unsigned int i;

	ipts_json_init(&w, f);
	ipts_json_object_begin(&w, IPTS_JSON_LINE);
	ipts_json_kv_string(&w, "spec", sp->path);
	ipts_json_kv_uint(&w, "line", x->line);
	if (x->text)
		ipts_json_kv_stringn(&w, "text", x->text, (size_t)x->textlen);
	else
		ipts_json_kv_null(&w, "text");
	if (x->error) {
		ipts_json_kv_uint(&w, "column", x->col);
		ipts_json_kv_string(&w, "error", x->msg);
		ipts_json_object_end(&w);
		ipts_json_eol(&w);
		return;
	}
	ipts_json_kv_string(&w, "expected", ipts_outcome_name(x->want));
	ipts_json_key(&w, "expected_decided_by");
	ipts_json_object_begin(&w, IPTS_JSON_LINE);
	ipts_json_kv_string(&w, "trace", x->by_trace);
	ipts_json_kv_string(&w, "file", x->by_file);
	if (x->by_file)
		ipts_json_kv_uint(&w, "line", x->by_line);
	else
		ipts_json_kv_null(&w, "line");
	ipts_json_object_end(&w);
	ipts_json_kv_string(&w, "got", ipts_outcome_name(x->got));
	ipts_json_kv_bool(&w, "passed", x->passed);
	ipts_json_kv_string(&w, "why", x->why);
	ipts_json_kv_string(&w, "in", x->in);
	ipts_json_kv_string(&w, "path", ipts_path_name(x->path));
	ipts_json_kv_string(&w, "stopped", x->stopped);
	ipts_json_kv_string(&w, "route", x->route);
	ipts_json_key(&w, "host_facts");
	ipts_json_array_begin(&w, IPTS_JSON_LINE);
	for (i = 0; i < x->nfacts; i++) {
		ipts_json_object_begin(&w, IPTS_JSON_LINE);
		ipts_json_kv_string(&w, "key", x->facts[i].key);
		ipts_json_key(&w, "value");
		ipts_json_int(&w, x->facts[i].value);
		ipts_json_kv_bool(&w, "given", x->facts[i].given);
		ipts_json_object_end(&w);
	}
	ipts_json_array_end(&w);
	ipts_json_key(&w, "decided_by");
	if (x->got_trace[0] && !x->let_through)
		json_got(&w, x);
	else
		ipts_json_null(&w);
	ipts_json_key(&w, "let_through_by");
	if (x->got_trace[0] && x->let_through)
		json_got(&w, x);
	else
		ipts_json_null(&w);
	ipts_json_key(&w, "notes");
	ipts_json_array_begin(&w, IPTS_JSON_LINE);
	for (i = 0; x->notes && i < x->notes->n; i++)
		ipts_json_string(&w, x->notes->v[i]);
	ipts_json_array_end(&w);
	if (x->nset_changes || x->sets_after)
		ipts_json_sets_after(&w, x->set_changes, x->nset_changes,
				     x->sets_after);
	ipts_json_object_end(&w);
	ipts_json_eol(&w);
}

/* -j SET: a case's changes of the sets, as trace's text gives them, for
 * JUnit's <system-out> (XML-escaped). */
static void junit_sets_after(FILE *f, const struct expect *x)
{
	size_t k;

	if (!x->nset_changes && !x->sets_after)
		return;
	fputs("      <system-out>ipsets after:\n", f);
	for (k = 0; k < x->nset_changes; k++) {
		fputs("  ", f);
		ipts_xml_str(f, x->set_changes[k].set);
		fprintf(f, ": %s ", x->set_changes[k].op);
		ipts_xml_str(f, x->set_changes[k].elem);
		fputc('\n', f);
	}
	if (x->sets_after) {
		const char *l;

		fputs("as `ipset save` text:\n", f);
		for (l = x->sets_after; *l; l += strcspn(l, "\n") + 1) {
			ipts_xml_strn(f, l, strcspn(l, "\n"));
			fputc('\n', f);
			if (!l[strcspn(l, "\n")])
				break;
		}
	}
	fputs("</system-out>\n", f);
}

/* A JUnit classname for @path: its base name, dots made '_' (CI tools
 * split classnames at dots into package.class). Malloc'd. */
static char *classname(const char *path)
{
	const char *base = strrchr(path, '/');
	char *cls, *k;

	cls = ipts_xstrdup(base ? base + 1 : path);
	for (k = cls; *k; k++)
		if (*k == '.')
			*k = '_';
	return cls;
}

/* Text of several lines as XML character data, the newlines kept. */
static void xml_lines(FILE *f, const char *s, size_t n)
{
	const char *nl;

	while (n) {
		nl = memchr(s, '\n', n);
		if (!nl) {
			ipts_xml_strn(f, s, n);
			return;
		}
		ipts_xml_strn(f, s, (size_t)(nl - s));
		fputc('\n', f);
		n -= (size_t)(nl - s) + 1;
		s = nl + 1;
	}
}

/*
 * A testsuite of one testcase in error, for a file that could not be read
 * or loaded: @what names the testcase ("load RULES", "read SPEC"), @msg
 * is the error's message, @d (or NULL) the diagnostics for its body.
 */
static void junit_error_suite(FILE *f, const char *path, const char *what,
			      const char *type, const char *msg,
			      const struct ipts_diags *d)
{
	char *cls = classname(path), *buf = NULL;
	size_t len = 0;
	FILE *m;

	fputs("  <testsuite name=\"", f);
	ipts_xml_str(f, path);
	fputs("\" tests=\"1\" failures=\"0\" errors=\"1\">\n"
	      "    <testcase name=\"", f);
	ipts_xml_str(f, what);
	fputs("\" classname=\"iptsim.", f);
	ipts_xml_str(f, cls);
	fputs("\">\n      <error message=\"", f);
	ipts_xml_str(f, msg);
	fprintf(f, "\" type=\"%s\">", type);
	m = open_memstream(&buf, &len);
	if (!m)
		ipts_oom();
	if (d && d->n)
		ipts_report_text(m, d, false);	/* escaped, one line each */
	else
		ipts_text_str(m, msg);
	fclose(m);
	xml_lines(f, buf, len && buf[len - 1] == '\n' ? len - 1 : len);
	free(buf);
	fputs("</error>\n    </testcase>\n  </testsuite>\n", f);
	free(cls);
}

static void junit_suite(FILE *f, const struct spec *sp)
{
	char *cls;
	size_t i;

	if (sp->read_error) {
		junit_error_suite(f, sp->path, "cannot read", "read",
				  sp->read_error, NULL);
		return;
	}
	cls = classname(sp->path);
	fputs("  <testsuite name=\"", f);
	ipts_xml_str(f, sp->path);
	fprintf(f, "\" tests=\"%zu\" failures=\"%zu\" errors=\"%zu\">\n",
		sp->passed + sp->failed + sp->errors, sp->failed, sp->errors);
	for (i = 0; i < sp->n; i++) {
		const struct expect *x = &sp->v[i];

		fprintf(f, "    <testcase name=\"line %u: ", x->line);
		if (x->text)
			ipts_xml_strn(f, x->text, (size_t)x->textlen);
		/* CI tools split classname at dots into package.class */
		fputs("\" classname=\"iptsim.", f);
		ipts_xml_str(f, cls);
		fputc('"', f);
		if (x->error) {
			fputs(">\n      <error message=\"", f);
			ipts_xml_str(f, x->msg);
			fputs("\" type=\"spec\">", f);
			ipts_xml_str(f, sp->path);
			fprintf(f, ":%u:%u: error: ", x->line, x->col);
			ipts_xml_str(f, x->msg);
			fputs("</error>\n    </testcase>\n", f);
		} else if (!x->passed) {
			char *buf = NULL;
			size_t len = 0, head;
			FILE *m = open_memstream(&buf, &len);

			if (!m)
				ipts_oom();
			fputs("expected ", m);
			print_expected(m, x);
			fputs(", got ", m);
			print_got(m, x);
			fflush(m);
			head = len;
			fputc('\n', m);
			text_failure(m, sp, x);
			fclose(m);
			fputs(">\n      <failure message=\"", f);
			ipts_xml_strn(f, buf, head);
			fputs("\" type=\"expectation\">", f);
			/* the line text output prints */
			ipts_xml_strn(f, buf + head + 1, len - head - 2);
			free(buf);
			fputs("</failure>\n", f);
			junit_sets_after(f, x);
			fputs("    </testcase>\n", f);
		} else if (x->nset_changes || x->sets_after) {
			fputs(">\n", f);
			junit_sets_after(f, x);
			fputs("    </testcase>\n", f);
		} else {
			fputs("/>\n", f);
		}
	}
	fputs("  </testsuite>\n", f);
	free(cls);
}

/* A spec that cannot be read, as a JSON line: no line, no text. */
static void json_read_error(FILE *f, const struct spec *sp)
{
	struct ipts_json w;

	ipts_json_init(&w, f);
	ipts_json_object_begin(&w, IPTS_JSON_LINE);
	ipts_json_kv_string(&w, "spec", sp->path);
	ipts_json_kv_uint(&w, "line", 0);
	ipts_json_kv_null(&w, "text");
	ipts_json_kv_uint(&w, "column", 0);
	ipts_json_kv_string(&w, "error", sp->read_error);
	ipts_json_object_end(&w);
	ipts_json_eol(&w);
}

/*
 * The last line of JSON: the counts. @over NULL leaves "over_budget"
 * out, as the summary of RULES that do not load has always done.
 */
static void json_summary(size_t tests, size_t passed, size_t failed,
			 size_t errors, const size_t *over)
{
	struct ipts_json w;

	ipts_json_init(&w, stdout);
	ipts_json_object_begin(&w, IPTS_JSON_LINE);
	ipts_json_key(&w, "summary");
	ipts_json_object_begin(&w, IPTS_JSON_LINE);
	ipts_json_kv_uint(&w, "tests", tests);
	ipts_json_kv_uint(&w, "passed", passed);
	ipts_json_kv_uint(&w, "failed", failed);
	ipts_json_kv_uint(&w, "errors", errors);
	if (over)
		ipts_json_kv_uint(&w, "over_budget", *over);
	ipts_json_object_end(&w);
	ipts_json_object_end(&w);
	ipts_json_eol(&w);
}

/*
 * RULES could not be read or loaded: JSON readers get the reason and the
 * diagnostics, then a summary of one error; JUnit readers a document of
 * one testcase in error. Text has it on stderr already.
 */
static void load_failure(enum test_format fmt, const char *path,
			 const char *why, const struct ipts_diags *d)
{
	if (fmt == FMT_JSON) {
		ipts_report_json_failure(stdout, why, path, d);
		json_summary(0, 0, 0, 1, NULL);
	} else if (fmt == FMT_JUNIT) {
		fputs("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
		      "<testsuites name=\"iptsim test\" tests=\"1\" "
		      "failures=\"0\" errors=\"1\">\n", stdout);
		junit_error_suite(stdout, path, "does not load", "rules", why,
				  d);
		fputs("</testsuites>\n", stdout);
	}
}

/* --- command ----------------------------------------------------------- */

static void spec_free(struct spec *sp)
{
	unsigned int k;
	size_t i;

	free(sp->read_error);
	for (i = 0; i < sp->n; i++) {
		free(sp->v[i].msg);
		free(sp->v[i].by_trace);
		free(sp->v[i].by_file);
		free(sp->v[i].in);
		free(sp->v[i].why);
		free(sp->v[i].stopped);
		free(sp->v[i].route);
		free(sp->v[i].set_changes);
		free(sp->v[i].sets_after);
		for (k = 0; k < sp->v[i].nfacts; k++)
			free(sp->v[i].facts[k].key);
		free(sp->v[i].facts);
		free(sp->v[i].notes);
		free(sp->v[i].dst);
		for (k = 0; k < (unsigned int)sp->v[i].nwords; k++)
			free(sp->v[i].words[k]);
		free(sp->v[i].words);
	}
	free(sp->v);
	ipts_source_free(sp->src);
}

/* The first line that is neither blank nor a comment opens a table. */
static bool starts_table(const struct ipts_source *src)
{
	const char *p = src->buf, *end = src->buf + src->len;

	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));

		if (*p == '*')
			return true;
		if (*p != '\n' && *p != '#')
			return false;
		if (!nl)
			break;
		p = nl + 1;
	}
	return false;
}

/* RULES was a spec and the first SPEC a rules file: say so. */
static void hint_swapped(const char *rules, const char *spec,
			 const struct ipts_cli_input *in)
{
	struct ipts_source *s;
	char err[256];

	if (strcmp(spec, "-") == 0)
		return;
	s = ipts_source_load(spec, &in->read, err, sizeof(err));
	if (s && starts_table(s)) {
		fputs("iptsim test: hint: the rules file comes first, then the "
		      "spec files: '", stderr);
		ipts_text_file(stderr, spec);
		fputs("' looks like the rules and '", stderr);
		ipts_text_file(stderr, rules);
		fputs("' like a spec\n", stderr);
	}
	ipts_source_free(s);
}

int cmd_test(int argc, char **argv)
{
	enum { OPT_FORMAT = 256, OPT_COLOR };
	static const struct option opts[] = {
		{ "format", required_argument, NULL, OPT_FORMAT },
		{ "help", no_argument, NULL, 'h' },
		IPTS_INPUT_LONGOPTS,
		IPTS_BUDGET_LONGOPTS,
		IPTS_HOST_LONGOPTS,
		{ NULL, 0, NULL, 0 },
	};
	struct ipts_cli_input in;
	struct ipts_cli_budget budget;
	struct ipts_cli_host hopt;
	struct ipts_hostdesc *host = NULL;
	struct ipts_cli_ipsets sets = { 0 };
	bool help = false;
	struct ipts_diags keep = { 0 };
	struct ipts_source *rsrc = NULL;
	char why[512];
	enum test_format fmt = FMT_TEXT;
	size_t passed = 0, failed = 0, errors = 0, tests = 0, over = 0;
	struct ipts_ruleset *rs = NULL;
	struct ipts_sim_ctx *ctx = NULL;
	struct ipts_result res;
	struct spec *specs;
	struct ipts_legs L = { 0 };
	struct ipts_legs_env env = { 0 };
	bool pair = false;
	int c, i, first, nspecs, rc, nstdin = 0;

	ipts_cli_input_init(&in);
	ipts_cli_budget_init(&budget);
	ipts_cli_host_init(&hopt);
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":h" IPTS_INPUT_SHORTOPTS, opts,
				NULL)) != -1) {
		switch (c) {
		case OPT_FORMAT:
			if (strcmp(optarg, "text") == 0)
				fmt = FMT_TEXT;
			else if (strcmp(optarg, "json") == 0)
				fmt = FMT_JSON;
			else if (strcmp(optarg, "junit") == 0)
				fmt = FMT_JUNIT;
			else
				return ipts_usage_error("test", "invalid "
					"format '%s': text, json or junit",
					optarg);
			break;
		case 'h':
			help = true;
			break;
		case ':':
			return ipts_usage_error("test", "option '%s' needs a "
						"value", argv[optind - 1]);
		default:
			switch (ipts_cli_shared_opt(&in, &budget, &hopt, "test",
						    c, optarg)) {
			case 1:
				continue;
			case -1:
				return IPTS_EXIT_USAGE;
			}
			return ipts_cli_unknown_option("test", argv);
		}
	}
	if (help)
		return ipts_cli_help("test", usage_text, argc - optind);
	if (argc - optind < 2)
		return ipts_usage_error("test", "expected RULES and at least "
					"one SPEC");
	for (i = optind; i < argc; i++)
		if (strcmp(argv[i], "-") == 0)
			nstdin++;
	if (nstdin > 1)
		return ipts_usage_error("test", "standard input ('-') given "
					"more than once");
	if (ipts_cli_host_build(&hopt, "test", in.color, &host) < 0)
		return IPTS_EXIT_USAGE;
	if (ipts_cli_ipsets_read(&hopt, "test", &in.read, in.color, &sets) <
	    0) {
		ipts_hostdesc_free(host);
		return IPTS_EXIT_USAGE;
	}

	/* libxtables runs getopt too: optind is not ours after loading */
	first = optind;
	nspecs = argc - first - 1;
	env.cmd = "test";
	env.in = &in;
	env.budget = &budget;
	env.host = host;
	env.sets = &sets;
	env.keep = fmt != FMT_TEXT ? &keep : NULL;
	if (nspecs >= 2 && ipts_legs_looks_like_rules(argv[first + 1], &in)) {
		/* RULES.V4 RULES.V6 SPEC...: each file's family is its own */
		pair = true;
		nspecs--;
		if (in.parse.family != IPTS_FAMILY_AUTO) {
			ipts_cli_ipsets_free(&sets);
			ipts_hostdesc_free(host);
			return ipts_usage_error("test",
						"-4/-6: not with two "
						"files (each file's family "
						"is its own)");
		}
		rs = NULL;
		if (ipts_legs_load(&L, &env, 2, argv + first, why,
				   sizeof(why)) < 0) {
			load_failure(fmt, L.failed, why, &keep);
			ipts_diags_free(&keep);
			ipts_legs_free(&L);
			ipts_cli_ipsets_free(&sets);
			ipts_hostdesc_free(host);
			return IPTS_EXIT_USAGE;
		}
		first++;
		goto specs;
	}
	rs = ipts_cli_load_keep("test", argv[first], &in, &rsrc,
				fmt != FMT_TEXT ? &keep : NULL, why,
				sizeof(why));
	if (rs && ipts_cli_ipsets_check(&sets, rs, "test", argv[first],
					in.color, why, sizeof(why)) < 0) {
		ipts_ruleset_free(rs);
		rs = NULL;
	} else if (!rs && rsrc && !starts_table(rsrc)) {
		hint_swapped(argv[first], argv[first + 1], &in);
	}
	if (!rs) {
		load_failure(fmt, argv[first], why, &keep);
		ipts_diags_free(&keep);
		ipts_source_free(rsrc);
		ipts_cli_ipsets_free(&sets);
		ipts_hostdesc_free(host);
		return IPTS_EXIT_USAGE;
	}
	/* no host option: the context of every answer before them */
	ctx = host ? ipts_sim_prepare_on(rs, host) : ipts_sim_prepare(rs);
	ipts_sim_use_ipsets(ctx, sets.sets);
	/* a --dst NAME line: its legs on this one file */
	ipts_legs_borrow(&L, argv[first], rs, ctx);
specs:
	ipts_diags_free(&keep);
	specs = ipts_xcalloc((size_t)nspecs, sizeof(*specs));
	ipts_result_init(&res);
	if (fmt == FMT_JUNIT)
		fputs("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n", stdout);
	for (i = 0; i < nspecs; i++) {
		struct spec *sp = &specs[i];
		struct ipts_diags d = { 0 };
		struct ipts_source *stub;
		size_t k;

		sp->path = argv[first + 1 + i];
		sp->family = rs ? (uint8_t)rs->family : 0;
		sp->src = ipts_cli_read_keep("test", sp->path, &in, &d, &stub);
		if (!sp->src) {
			/* the documents say so too */
			sp->read_error = ipts_xstrdup(d.v[0].msg);
			ipts_diags_free(&d);
			ipts_source_free(stub);
			sp->errors++;
			errors++;
			if (fmt == FMT_JSON)
				json_read_error(stdout, sp);
			continue;
		}
		spec_parse(sp, &d, host, pair);
		for (k = 0; k < sp->n; k++)
			if (sp->v[k].error)
				;
			else if (sp->v[k].legs)
				run_legs(&L, &env, sp, &d, &sp->v[k]);
			else
				run_one(ctx, sp, &d, &sp->v[k], &res, &budget);
		ipts_diags_sort(&d);
		ipts_report_text(stderr, &d, ipts_color_use(in.color, stderr));
		ipts_diags_free(&d);
		for (k = 0; k < sp->n; k++) {
			const struct expect *x = &sp->v[k];

			if (fmt == FMT_JSON)
				json_expect(stdout, sp, x);
			else if (fmt == FMT_TEXT && !x->error && !x->passed)
				text_failure(stdout, sp, x);
		}
		passed += sp->passed;
		failed += sp->failed;
		over += sp->over;
		errors += sp->errors;
	}
	tests = passed + failed + errors;
	if (fmt == FMT_JSON) {
		json_summary(tests, passed, failed, errors, &over);
	} else if (fmt == FMT_JUNIT) {
		printf("<testsuites name=\"iptsim test\" tests=\"%zu\" "
		       "failures=\"%zu\" errors=\"%zu\">\n", tests, failed,
		       errors);
		for (i = 0; i < nspecs; i++)
			junit_suite(stdout, &specs[i]);
		fputs("</testsuites>\n", stdout);
	} else {
		printf("%zu passed, %zu failed", passed, failed);
		if (over)
			printf(" (%zu out of budget: undetermined)", over);
		if (errors)
			printf(", %zu error%s", errors, errors == 1 ? "" : "s");
		putchar('\n');
	}
	rc = errors ? IPTS_EXIT_USAGE : failed > over ? IPTS_EXIT_NO :
	     over ? IPTS_EXIT_UNDETERMINED : IPTS_EXIT_YES;
	for (i = 0; i < nspecs; i++)
		spec_free(&specs[i]);
	free(specs);
	ipts_result_free(&res);
	ipts_legs_free(&L);
	if (!pair) {
		ipts_sim_free(ctx);
		ipts_ruleset_free(rs);
		ipts_source_free(rsrc);
	}
	ipts_cli_ipsets_free(&sets);
	ipts_hostdesc_free(host);
	return rc;
}
