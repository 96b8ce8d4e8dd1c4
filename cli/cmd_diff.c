/*
 * cmd_diff.c - `iptsim diff OLD NEW`: which local connections get another
 * answer from NEW than from OLD. The connections come from sim/probe.c
 * (the values the changed rules mention, and those just around them);
 * each is walked through both rulesets and every difference is one
 * sentence naming the rule that decides it on each side.
 */
#include "cli.h"

#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <netinet/in.h>

#include "diag.h"
#include "input.h"
#include "model.h"
#include "parser.h"
#include "probe.h"
#include "query.h"
#include "report.h"
#include "sarif.h"
#include "sim.h"

static const char usage_text[] =
	"usage: iptsim diff OLD NEW [options]\n"
	"\n"
	"Report the local connections that get another answer from NEW than\n"
	"from OLD (two iptables-save files, '-' for standard input). The\n"
	"connections asked are derived from the chains that differ and the\n"
	"jumps leading to them: the protocols, ports, addresses, uids and gids\n"
	"their rules mention and the values just around them, plus tcp, ports\n"
	"22, 80 and 1060, uids 0 and 1000, 127.0.0.1. An address a rule names\n"
	"is taken as an address of this host (as trace --local-addr). Each\n"
	"connection is walked as `iptsim trace` would, with a listener on the\n"
	"destination port.\n"
	"\n"
	"  --proto tcp|udp      ask only this protocol\n"
	"  --uid U              ask only these client uids (repeatable)\n"
	"  --dport N            ask only these server ports (repeatable)\n"
	"  --max N              compare at most N connections (default 4000)\n"
	"  --undetermined       also list the connections undetermined alike\n"
	"                       on both sides (text output)\n"
	"  --format text|json|sarif\n"
	"                       output format (default text); sarif: each\n"
	"                       change a result at the rule responsible\n"
	IPTS_INPUT_HELP
	IPTS_BUDGET_HELP
	"  -h, --help           show this help\n"
	"\n"
	"A connection undetermined on either side is a change only when the\n"
	"sets of possible outcomes differ; otherwise it is counted apart. A\n"
	"connection whose walk ran out of its budget on either side is not\n"
	"compared, and once --max-total-visits is spent no more are asked.\n"
	"\n"
	"Exit status: 0 no difference, 1 some connection changed, 2 usage error\n"
	"or a file that does not load, 3 some connection could not be\n"
	"compared within the budgets (the changes listed may not be all).\n";

enum {
	OPT_PROTO = 256,
	OPT_UID,
	OPT_DPORT,
	OPT_MAX,
	OPT_FORMAT,
	OPT_UNDET,
};

#define MAX_FIXED 64

/* Possible outcomes, as the set the comparison uses. */
static unsigned int possible(const struct ipts_result *r)
{
	if (r->outcome != IPTS_UNDETERMINED)
		return 1u << r->outcome;
	return r->possible;
}

static void print_possible(FILE *f, unsigned int set, bool json)
{
	bool first = true;
	int o;

	for (o = 0; o < IPTS_OUTCOME_COUNT; o++) {
		if (!(set & (1u << o)))
			continue;
		fputs(first ? "" : ", ", f);
		if (json)
			ipts_json_str(f, ipts_outcome_name(o));
		else if (o == IPTS_UNDETERMINED)
			fputs(first ? "any" : "any other", f);
		else
			fputs(ipts_outcome_name(o), f);
		first = false;
	}
}

static void print_conn(FILE *f, const struct ipts_query *q)
{
	char s[32], d[32];

	ipts_fmt_addr(s, sizeof(s), q->src, q->sport);
	ipts_fmt_addr(d, sizeof(d), q->dst, q->dport);
	fprintf(f, "%s %s -> %s uid %u", q->proto == IPPROTO_UDP ? "udp" :
		"tcp", s, d, q->uid);
	if (q->gid)
		fprintf(f, " gid %u", q->gid);
}

static void print_outcome(FILE *f, const struct ipts_result *r)
{
	if (r->outcome != IPTS_UNDETERMINED) {
		fputs(ipts_outcome_name(r->outcome), f);
		return;
	}
	fputs("undetermined (", f);
	print_possible(f, r->possible, false);
	fputc(')', f);
}

/* The side's own account: the sentence, or what it depends on. */
static void print_side(FILE *f, const struct ipts_result *r)
{
	size_t k;
	bool first = true;

	if (r->outcome != IPTS_UNDETERMINED) {
		fputs(r->why[0] ? r->why : ipts_outcome_name(r->outcome), f);
		return;
	}
	fputs("undetermined, the file cannot decide ", f);
	for (k = 0; k < r->nreasons; k++) {
		const struct ipts_reason *rs = &r->reasons[k];

		if (!rs->changes_outcome || !rs->rule)
			continue;
		fprintf(f, "%s%s:%u: %.*s (%s)", first ? "" : ", ",
			rs->rule->loc.src ? rs->rule->loc.src->name : "?",
			rs->rule->loc.line, ipts_rule_text_len(rs->rule),
			ipts_rule_text(rs->rule), rs->why);
		first = false;
	}
	if (first)
		fputs("every rule on the way", f);
}

static void print_change_text(FILE *f, const struct ipts_query *q,
			      const struct ipts_result *o,
			      const struct ipts_result *n)
{
	print_conn(f, q);
	fputs(": ", f);
	print_outcome(f, o);
	fputs(" -> ", f);
	print_outcome(f, n);
	fputs(" — NEW: ", f);
	print_side(f, n);
	fputs("; OLD: ", f);
	print_side(f, o);
	fputc('\n', f);
}

static void json_side(FILE *f, const struct ipts_result *r)
{
	fputs("{\"outcome\": ", f);
	ipts_json_str(f, ipts_outcome_name(r->outcome));
	fputs(", \"possible_outcomes\": [", f);
	print_possible(f, possible(r), true);
	fputs("], \"decided_by\": ", f);
	ipts_json_decided_by(f, r);
	fputs(", \"why\": ", f);
	ipts_json_str(f, r->outcome == IPTS_UNDETERMINED ? NULL : r->why);
	fputc('}', f);
}

static void print_change_json(FILE *f, const struct ipts_query *q,
			      const struct ipts_result *o,
			      const struct ipts_result *n, bool first)
{
	char a[32];

	fputs(first ? "\n  " : ",\n  ", f);
	fputs("{\"query\": {\"proto\": ", f);
	ipts_json_str(f, q->proto == IPPROTO_UDP ? "udp" : "tcp");
	ipts_fmt_addr(a, sizeof(a), q->src, -1);
	fputs(", \"src\": ", f);
	ipts_json_str(f, a);
	ipts_fmt_addr(a, sizeof(a), q->dst, -1);
	fputs(", \"dst\": ", f);
	ipts_json_str(f, a);
	fprintf(f, ", \"sport\": %u, \"dport\": %u, \"uid\": %u, \"gid\": %u}",
		q->sport, q->dport, q->uid, q->gid);
	fputs(", \"old\": ", f);
	json_side(f, o);
	fputs(", \"new\": ", f);
	json_side(f, n);
	fputc('}', f);
}

struct diff_opts {
	struct ipts_probe_opts probe;
	uint32_t uids[MAX_FIXED], dports[MAX_FIXED];
	enum ipts_format fmt;
	bool list_undet;
	struct ipts_cli_input in;
	struct ipts_cli_budget budget;
};

static int parse_args(int argc, char **argv, struct diff_opts *o)
{
	static const struct option opts[] = {
		{ "proto", required_argument, NULL, OPT_PROTO },
		{ "uid", required_argument, NULL, OPT_UID },
		{ "dport", required_argument, NULL, OPT_DPORT },
		{ "max", required_argument, NULL, OPT_MAX },
		{ "format", required_argument, NULL, OPT_FORMAT },
		{ "undetermined", no_argument, NULL, OPT_UNDET },
		{ "help", no_argument, NULL, 'h' },
		IPTS_INPUT_LONGOPTS,
		IPTS_BUDGET_LONGOPTS,
		{ NULL, 0, NULL, 0 },
	};
	unsigned long v;
	bool help = false;
	int c;

	ipts_cli_input_init(&o->in);
	ipts_cli_budget_init(&o->budget);
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
		switch (c) {
		case OPT_PROTO:
			if (strcmp(optarg, "tcp") == 0)
				o->probe.proto = IPPROTO_TCP;
			else if (strcmp(optarg, "udp") == 0)
				o->probe.proto = IPPROTO_UDP;
			else
				return ipts_usage_error("diff", "invalid "
					"protocol '%s': tcp or udp", optarg);
			break;
		case OPT_UID:
			if (!ipts_parse_ulong(optarg, 0xfffffffeUL, &v))
				return ipts_usage_error("diff", "invalid uid "
					"'%s': give a number", optarg);
			if (o->probe.nuids == MAX_FIXED)
				return ipts_usage_error("diff", "at most %d "
					"--uid", MAX_FIXED);
			o->uids[o->probe.nuids++] = (uint32_t)v;
			o->probe.uids = o->uids;
			break;
		case OPT_DPORT:
			if (!ipts_parse_ulong(optarg, 65535, &v) || v == 0)
				return ipts_usage_error("diff", "invalid port "
							"'%s'", optarg);
			if (o->probe.ndports == MAX_FIXED)
				return ipts_usage_error("diff", "at most %d "
					"--dport", MAX_FIXED);
			o->dports[o->probe.ndports++] = (uint32_t)v;
			o->probe.dports = o->dports;
			break;
		case OPT_MAX:
			if (!ipts_parse_ulong(optarg, 1000000, &v) || v == 0)
				return ipts_usage_error("diff", "invalid --max "
					"'%s': 1 to 1000000", optarg);
			o->probe.max = v;
			break;
		case OPT_FORMAT:
			if (ipts_format_parse(optarg, 1u << IPTS_FMT_TEXT |
					      1u << IPTS_FMT_JSON |
					      1u << IPTS_FMT_SARIF, &o->fmt) < 0)
				return ipts_usage_error("diff", "invalid "
					"format '%s': text, json or sarif", optarg);
			break;
		case OPT_UNDET:
			o->list_undet = true;
			break;
		case 'h':
			help = true;
			break;
		case ':':
			return ipts_usage_error("diff", "option '%s' needs a "
						"value", argv[optind - 1]);
		default:
			switch (ipts_cli_budget_opt(&o->budget, "diff", c,
						    optarg)) {
			case 1:
				continue;
			case -1:
				return IPTS_EXIT_USAGE;
			}
			switch (ipts_cli_input_opt(&o->in, "diff", c, optarg)) {
			case 1:
				continue;
			case -1:
				return IPTS_EXIT_USAGE;
			}
			return ipts_usage_error("diff", "unknown option '%s'",
						argv[optind - 1]);
		}
	}
	if (help)
		return argc > optind ? ipts_cli_help("diff", usage_text,
						     argc - optind) :
			(ipts_cli_help("diff", usage_text, 0), -1);
	if (argc - optind != 2)
		return ipts_usage_error("diff", "expected two files, OLD and "
					"NEW");
	return 0;
}

struct tally {
	size_t compared, changed, undetermined, refused;
	size_t over;			/* out of budget on a side */
	size_t not_asked;		/* left when the budget was spent */
	struct ipts_diags *sarif;	/* changes, for --format sarif */
};

/* Where the rule (or chain policy) that decided @r stands, if one did. */
static const struct ipts_loc *deciding_loc(const struct ipts_result *r)
{
	const struct ipts_trace *t;

	if (r->decided_pkt < 0 || r->decided_idx < 0)
		return NULL;
	t = &r->packets[r->decided_pkt].trace[r->decided_idx];
	if (t->rule)
		return &t->rule->loc;
	return t->chain->loc.src ? &t->chain->loc : NULL;
}

/*
 * For SARIF: a change is a warning at the rule responsible in NEW (else
 * in OLD, else nowhere), its message the sentence text output prints.
 */
static void add_change_diag(struct ipts_diags *d, const struct ipts_query *q,
			    const struct ipts_result *o,
			    const struct ipts_result *n)
{
	const struct ipts_loc *at = deciding_loc(n);
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	if (!f)
		ipts_oom();
	print_change_text(f, q, o, n);
	fclose(f);
	if (len && text[len - 1] == '\n')
		text[--len] = '\0';
	if (!at)
		at = deciding_loc(o);
	ipts_diag_add_code(d, IPTS_WARNING, at, "iptsim/diff", "%s", text);
	free(text);
}

static void compare(const struct ipts_ruleset *old_rs,
		    const struct ipts_ruleset *new_rs,
		    const struct ipts_probe_set *set, struct diff_opts *opt,
		    struct tally *t)
{
	struct ipts_cli_budget *b = &opt->budget;
	struct ipts_result o, n;
	size_t i;

	ipts_result_init(&o);
	ipts_result_init(&n);
	for (i = 0; i < set->n; i++) {
		const struct ipts_query *q = &set->q[i];

		if (ipts_cli_budget_spent(b)) {
			t->not_asked = set->n - i;
			break;
		}
		if (ipts_simulate_limited(old_rs, q, ipts_cli_budget_next(b),
					  &o) < 0) {
			t->refused++;	/* the query itself makes no sense */
			continue;
		}
		ipts_cli_budget_spend(b, &o);
		if (ipts_simulate_limited(new_rs, q, ipts_cli_budget_next(b),
					  &n) < 0) {
			t->refused++;
			continue;
		}
		ipts_cli_budget_spend(b, &n);
		if (o.over_budget || n.over_budget) {
			t->over++;	/* a side has no answer */
			continue;
		}
		t->compared++;
		if (possible(&o) == possible(&n)) {
			if (o.outcome != IPTS_UNDETERMINED &&
			    n.outcome != IPTS_UNDETERMINED)
				continue;
			t->undetermined++;
			if (opt->list_undet && opt->fmt == IPTS_FMT_TEXT) {
				fputs("alike: ", stdout);
				print_change_text(stdout, q, &o, &n);
			}
			continue;
		}
		if (opt->fmt == IPTS_FMT_JSON)
			print_change_json(stdout, q, &o, &n, t->changed == 0);
		else if (opt->fmt == IPTS_FMT_SARIF)
			add_change_diag(t->sarif, q, &o, &n);
		else
			print_change_text(stdout, q, &o, &n);
		t->changed++;
	}
	ipts_result_free(&o);
	ipts_result_free(&n);
}

static void print_summary(const struct tally *t,
			  const struct ipts_probe_set *set,
			  enum ipts_format fmt)
{
	if (fmt == IPTS_FMT_SARIF) {
		ipts_sarif_write(stdout, t->sarif);
		return;
	}
	if (fmt == IPTS_FMT_JSON) {
		fprintf(stdout, "%s], \"compared\": %zu, \"changed\": %zu, "
			"\"undetermined_alike\": %zu, \"skipped\": %zu, "
			"\"worth_asking\": %zu, \"capped\": %s, "
			"\"over_budget\": %zu, \"not_asked\": %zu}\n",
			t->changed ? "\n" : "", t->compared, t->changed,
			t->undetermined, t->refused, set->total,
			set->total > set->n ? "true" : "false", t->over,
			t->not_asked);
		return;
	}
	printf("%zu connection%s compared, %zu changed", t->compared,
	       t->compared == 1 ? "" : "s", t->changed);
	if (t->undetermined)
		printf(", %zu undetermined alike on both sides (not counted)",
		       t->undetermined);
	if (t->refused)
		printf(", %zu not simulated", t->refused);
	if (set->total > set->n)
		printf(" (capped: %zu worth asking, raise --max)", set->total);
	if (t->over)
		printf(", %zu not compared: a walk ran out of its budget",
		       t->over);
	if (t->not_asked)
		printf(", %zu not asked: --max-total-visits spent",
		       t->not_asked);
	putchar('\n');
}

int cmd_diff(int argc, char **argv)
{
	struct diff_opts o = { .fmt = IPTS_FMT_TEXT };
	struct ipts_source *osrc = NULL, *nsrc = NULL;
	struct ipts_ruleset *old_rs = NULL, *new_rs = NULL;
	struct ipts_probe_set set = { 0 };
	struct ipts_diags sarif = { 0 };
	struct tally t = { .sarif = &sarif };
	const char *old_path, *new_path;
	int rc;

	rc = parse_args(argc, argv, &o);
	if (rc < 0)
		return IPTS_EXIT_YES;	/* --help */
	if (rc)
		return rc;
	/* libxtables runs getopt while parsing: keep the names first */
	old_path = argv[optind];
	new_path = argv[optind + 1];
	old_rs = ipts_cli_load("diff", old_path, &o.in, &osrc);
	if (old_rs)
		new_rs = ipts_cli_load("diff", new_path, &o.in, &nsrc);
	if (!old_rs || !new_rs) {
		rc = IPTS_EXIT_USAGE;
		goto out;
	}
	ipts_probe_derive(old_rs, new_rs, &o.probe, &set);
	if (o.fmt == IPTS_FMT_JSON)
		fputs("{\"changes\": [", stdout);
	compare(old_rs, new_rs, &set, &o, &t);
	print_summary(&t, &set, o.fmt);
	rc = t.over || t.not_asked ? IPTS_EXIT_UNDETERMINED :
	     t.changed ? IPTS_EXIT_NO : IPTS_EXIT_YES;
out:
	ipts_diags_free(&sarif);
	ipts_probe_set_free(&set);
	if (new_rs)
		ipts_ruleset_free(new_rs);
	if (old_rs)
		ipts_ruleset_free(old_rs);
	ipts_source_free(nsrc);
	ipts_source_free(osrc);
	return rc;
}
