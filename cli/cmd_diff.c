/*
 * cmd_diff.c - `iptsim diff OLD NEW`: which local connections get another
 * answer from NEW than from OLD. The connections come from analysis/probe.c
 * (the values the changed rules mention, and those just around them);
 * each is walked through both rulesets, and the differences are grouped
 * by kind: one line per group of connections with the same outcomes, the
 * same sentence naming the deciding rule on each side and the same edited
 * rule, its connections written as exact products of value sets.
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
#include "input.h"
#include "ipset.h"
#include "json.h"
#include "model.h"
#include "parser.h"
#include "probe.h"
#include "query.h"
#include "report.h"
#include "sarif.h"
#include "sim.h"

/* clang-format off */
static const char usage_text[] =
	"usage: iptsim diff OLD NEW [options]\n"
	"\n"
	"Report the connections that get another answer from NEW than from\n"
	"OLD (two iptables-save files, '-' for standard input). The\n"
	"connections asked are derived from the chains that differ and the\n"
	"jumps leading to them: the protocols, ports, addresses, uids and gids\n"
	"their rules mention and the values just around them, plus tcp, ports\n"
	"22, 80 and 1060, uids 0 and 1000, 127.0.0.1 (::1 for two IPv6\n"
	"files). An address a rule names is taken as an address of this host\n"
	"(as trace --local-addr). Each\n"
	"connection is walked as `iptsim trace` would, with a listener on the\n"
	"destination port. The host options describe one host, for the\n"
	"connections of both files; with them, clients on other hosts are\n"
	"asked too: for each interface (bridge ports excepted), one from its\n"
	"link and one from outside every prefix of the host, to the host's\n"
	"own addresses, to a neighbour behind each other interface and to\n"
	"the outside (forwarded pairs), each rule from every interface its\n"
	"-i and -o allow. Sources the host routes elsewhere (spoofed) only\n"
	"where a rule names them; hairpins are not asked.\n"
	"\n"
	"  --proto tcp|udp      ask only this protocol\n"
	"  --uid U              ask only these client uids (repeatable)\n"
	"  --dport N            ask only these server ports (repeatable)\n"
	"  --max N              compare at most N connections (default 4000)\n"
	"  --undetermined       also list the connections undetermined alike\n"
	"                       on both sides, grouped (text output)\n"
	"  --format text|json|sarif\n"
	"                       output format (default text); sarif: each\n"
	"                       group a result at the rule responsible\n"
	IPTS_HOST_HELP
	"  --new-ipsets FILE    the sets NEW is asked with, as `ipset save`\n"
	"                       prints them (default: those of --ipsets, or\n"
	"                       ipsets.txt of --host DIR, for both files):\n"
	"                       every rule of either file testing a set\n"
	"                       whose lines differ between the two captures\n"
	"                       is probed, with the elements of both\n"
	IPTS_INPUT_HELP
	IPTS_BUDGET_HELP
	"  -h, --help           show this help\n"
	"\n"
	"One line per kind of change: the connections with the same outcomes,\n"
	"the same deciding rules and the same edited rule, uids and gids\n"
	"widened to the classes the owner rules of both files leave (\"any\n"
	"uid\"), ports and addresses as asked. A connection undetermined on\n"
	"either side is a change only when the sets of possible outcomes\n"
	"differ; otherwise it is counted apart. A connection whose walk ran\n"
	"out of its budget on either side is not compared, and once\n"
	"--max-total-visits is spent no more are asked.\n"
	"\n"
	"Exit status: 0 no difference, 1 some connection changed, 2 usage error\n"
	"or a file that does not load, 3 some connection could not be\n"
	"compared within the budgets (the changes listed may not be all), 4\n"
	"no connection changed but some changed rule only packets of other\n"
	"interfaces meet (-i/-o of a device other than lo, FORWARD): the local\n"
	"connections compared cannot show them (with a host: a device it\n"
	"lacks, or FORWARD with fewer than two interfaces).\n";
/* clang-format on */

enum {
	OPT_PROTO = 256,
	OPT_UID,
	OPT_DPORT,
	OPT_MAX,
	OPT_FORMAT,
	OPT_UNDET,
	OPT_NEW_IPSETS,
};

#define MAX_FIXED 64

/* Possible outcomes, as the set the comparison uses. */
static unsigned int possible(const struct ipts_result *r)
{
	if (r->outcome != IPTS_UNDETERMINED)
		return 1u << r->outcome;
	return r->possible;
}

/*
 * The side's own account: the sentence, or what it depends on. Rule text,
 * chain names and file names in it are escaped (escape.h), for the
 * terminal and for SARIF's message alike.
 */
static void print_side(FILE *f, const struct ipts_result *r)
{
	size_t k;
	bool first = true;

	if (r->outcome != IPTS_UNDETERMINED) {
		ipts_text_str(f, r->why[0] ? r->why :
			      ipts_outcome_name(r->outcome));
		return;
	}
	fputs("undetermined, ", f);
	for (k = 0; k < r->nreasons; k++) {
		const struct ipts_reason *rs = &r->reasons[k];

		if (!rs->changes_outcome)
			continue;
		fputs(first ? "" : ", ", f);
		first = false;
		if (!rs->rule) {
			/* a step of the simulator, such as routing */
			ipts_text_str(f, rs->why);
			continue;
		}
		fputs("the file cannot decide ", f);
		ipts_text_file(f, rs->rule->loc.src ? rs->rule->loc.src->name :
			       "?");
		fprintf(f, ":%u: ", rs->rule->loc.line);
		ipts_text_strn(f, ipts_rule_text(rs->rule),
			       (size_t)ipts_rule_text_len(rs->rule));
		fputs(" (", f);
		ipts_text_str(f, rs->why);
		fputc(')', f);
	}
	if (first)
		fputs("the file cannot decide every rule on the way", f);
}

static void json_side(struct ipts_json *w, const struct ipts_result *r)
{
	ipts_json_object_begin(w, IPTS_JSON_LINE);
	ipts_json_kv_string(w, "outcome", ipts_outcome_name(r->outcome));
	ipts_json_key(w, "possible_outcomes");
	ipts_possible_json(w, possible(r));
	ipts_json_key(w, "decided_by");
	ipts_json_decided_by(w, r);
	ipts_json_kv_string(w, "why",
			    r->outcome == IPTS_UNDETERMINED ? NULL : r->why);
	ipts_json_object_end(w);
}

/* json_side() on its own, kept as text for the group it falls in. */
static void json_side_doc(FILE *f, const struct ipts_result *r)
{
	struct ipts_json w;

	ipts_json_init(&w, f);
	json_side(&w, r);
}

/* One changed connection, an item of "changes". */
static void print_change_json(struct ipts_json *w, const struct ipts_query *q,
			      const struct ipts_result *o,
			      const struct ipts_result *n)
{
	char a[IPTS_ENDPOINT_LEN];

	ipts_json_object_begin(w, IPTS_JSON_LINE);
	ipts_json_key(w, "query");
	ipts_json_object_begin(w, IPTS_JSON_LINE);
	ipts_json_kv_string(w, "proto",
			    q->proto == IPPROTO_UDP ? "udp" : "tcp");
	ipts_fmt_inet(a, sizeof(a), q->family, &q->src, -1);
	ipts_json_kv_string(w, "src", a);
	ipts_fmt_inet(a, sizeof(a), q->family, &q->dst, -1);
	ipts_json_kv_string(w, "dst", a);
	ipts_json_kv_uint(w, "sport", q->sport);
	ipts_json_kv_uint(w, "dport", q->dport);
	ipts_json_kv_uint(w, "uid", q->uid);
	ipts_json_kv_uint(w, "gid", q->gid);
	ipts_json_key(w, "in");
	if (q->in)
		ipts_json_string(w, q->in);
	else
		ipts_json_null(w);
	ipts_json_object_end(w);
	ipts_json_key(w, "old");
	json_side(w, o);
	ipts_json_key(w, "new");
	json_side(w, n);
	ipts_json_object_end(w);
}

struct diff_opts {
	struct ipts_probe_opts probe;
	uint32_t uids[MAX_FIXED], dports[MAX_FIXED];
	enum ipts_format fmt;
	bool list_undet;
	struct ipts_cli_input in;
	struct ipts_cli_budget budget;
	struct ipts_cli_host hopt;
	struct ipts_hostdesc *host;	/* NULL: no host option */
	struct ipts_cli_ipsets sets; /* the host's, for both files */
	const char *new_ipsets; /* --new-ipsets FILE, or NULL */
	struct ipts_cli_ipsets new_sets; /* NEW's, when given */
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
		{ "new-ipsets", required_argument, NULL, OPT_NEW_IPSETS },
		{ "help", no_argument, NULL, 'h' },
		IPTS_INPUT_LONGOPTS,
		IPTS_BUDGET_LONGOPTS,
		IPTS_HOST_LONGOPTS,
		{ NULL, 0, NULL, 0 },
	};
	unsigned long v;
	bool help = false;
	int c;

	ipts_cli_input_init(&o->in);
	ipts_cli_budget_init(&o->budget);
	ipts_cli_host_init(&o->hopt);
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":h" IPTS_INPUT_SHORTOPTS, opts,
				NULL)) != -1) {
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
		case OPT_NEW_IPSETS:
			if (o->new_ipsets)
				return ipts_usage_error(
					"diff",
					"--new-ipsets "
					"given twice ('%s', '%s')",
					o->new_ipsets, optarg);
			o->new_ipsets = optarg;
			break;
		case 'h':
			help = true;
			break;
		case ':':
			return ipts_usage_error("diff", "option '%s' needs a "
						"value", argv[optind - 1]);
		default:
			switch (ipts_cli_shared_opt(&o->in, &o->budget,
						    &o->hopt, "diff", c,
						    optarg)) {
			case 1:
				continue;
			case -1:
				return IPTS_EXIT_USAGE;
			}
			return ipts_cli_unknown_option("diff", argv);
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

/* One changed connection, with what its group is keyed on. The texts
 * are owned; the pointers are into the two rulesets. */
struct change {
	const struct ipts_query *q;
	enum ipts_outcome oout, nout;
	unsigned int oposs, nposs;
	char *otext, *ntext;		/* print_side(), escaped */
	char *ojson, *njson;		/* json_side_doc(), for --format json */
	const struct ipts_loc *oloc, *nloc;	/* deciding rule or policy */
	const struct ipts_rule *orule, *nrule;	/* deciding rule, or NULL */
	struct ipts_probe_edit edit;
	size_t hash;
};

/*
 * A kind of change: connections with the same outcomes, the same sentence
 * on each side (so the same deciding rules) and the same edited rule.
 */
struct group {
	size_t *m;			/* indexes into tally.c */
	size_t n, cap;
};

/* Connections and their groups: those changed, those undetermined alike. */
struct kinds {
	struct change *c;		/* in the order found ("changes") */
	size_t nc, capc;
	struct group *g;
	size_t ng, capg;
};

struct tally {
	size_t compared, changed, undetermined, refused;
	size_t over;			/* out of budget on a side */
	size_t not_asked;		/* left when the budget was spent */
	/* Changed rules that no connection asked can meet (local ones
	 * only without a host; with one, rules on devices it lacks, or
	 * FORWARD with fewer than two interfaces); one of them. */
	size_t off_lo;
	const struct ipts_rule *off_rule;
	bool host; /* connections were asked on a host */
	bool v6; /* of IPv6 files */
	struct ipts_diags *sarif;	/* groups, for --format sarif */
	struct ipts_json *json;		/* the document, --format json */
	struct kinds ch, alike;
	/* --new-ipsets: the sets whose lines differ between the captures
	 * (sets_differing()), NULL without it */
	const char *sets_differing;
	size_t nsets_differing;
	/* those holding more elements than the probe takes values from in
	 * either capture: how many, and the first */
	size_t sets_beyond;
	const char *beyond_name;
	size_t beyond_n;
};

/* The elements of one set the probe takes values from (SET_ELEMS_MAX of
 * analysis/probe.c). */
#define PROBE_SET_ELEMS 256

/* The trace entry that decided @r, if one did. */
static const struct ipts_trace *deciding(const struct ipts_result *r)
{
	if (r->decided_pkt < 0 || r->decided_idx < 0)
		return NULL;
	return &r->packets[r->decided_pkt].trace[r->decided_idx];
}

/* Where the rule (or chain policy) that decided @r stands, if one did. */
static const struct ipts_loc *deciding_loc(const struct ipts_result *r)
{
	const struct ipts_trace *t = deciding(r);

	if (!t)
		return NULL;
	if (t->rule)
		return &t->rule->loc;
	return t->chain->loc.src ? &t->chain->loc : NULL;
}

static char *to_string(void (*fn)(FILE *, const struct ipts_result *),
		       const struct ipts_result *r)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	if (!f)
		ipts_oom();
	fn(f, r);
	fclose(f);
	return text;
}

static size_t hash_text(size_t h, const char *s)
{
	while (*s)
		h = h * 33 + (unsigned char)*s++;
	return h;
}

static size_t change_hash(const struct change *c)
{
	size_t h = c->oout * 31u + c->nout;

	h = h * 1000003u ^ c->oposs;
	h = h * 1000003u ^ c->nposs;
	h = h * 1000003u ^ c->edit.kind;
	h = h * 1000003u ^ (size_t)(uintptr_t)c->edit.rule;
	h = h * 1000003u ^ (size_t)(uintptr_t)c->edit.was;
	h = h * 1000003u ^ (size_t)(uintptr_t)c->edit.chain;
	return hash_text(hash_text(h, c->otext), c->ntext);
}

static bool same_kind(const struct change *a, const struct change *b)
{
	return a->hash == b->hash && a->oout == b->oout &&
	       a->nout == b->nout && a->oposs == b->oposs &&
	       a->nposs == b->nposs && a->edit.kind == b->edit.kind &&
	       a->edit.rule == b->edit.rule && a->edit.was == b->edit.was &&
	       a->edit.chain == b->edit.chain &&
	       a->edit.old_chain == b->edit.old_chain &&
	       a->oloc == b->oloc && a->nloc == b->nloc &&
	       strcmp(a->otext, b->otext) == 0 &&
	       strcmp(a->ntext, b->ntext) == 0;
}

static void group_add(struct kinds *t, size_t k)
{
	struct group *g = NULL;
	size_t i;

	/* groups are few: a linear look-up, hash first */
	for (i = 0; i < t->ng && !g; i++)
		if (same_kind(&t->c[t->g[i].m[0]], &t->c[k]))
			g = &t->g[i];
	if (!g) {
		if (t->ng == t->capg) {
			t->capg = t->capg ? t->capg * 2 : 16;
			t->g = ipts_xrealloc(t->g, t->capg * sizeof(*t->g));
		}
		g = &t->g[t->ng++];
		memset(g, 0, sizeof(*g));
	}
	if (g->n == g->cap) {
		g->cap = g->cap ? g->cap * 2 : 8;
		g->m = ipts_xrealloc(g->m, g->cap * sizeof(*g->m));
	}
	g->m[g->n++] = k;
}

static void record(struct kinds *t, struct ipts_probe_editor *ed,
		   const struct ipts_query *q, const struct ipts_result *o,
		   const struct ipts_result *n, bool json)
{
	const struct ipts_trace *to = deciding(o), *tn = deciding(n);
	struct change *c;

	if (t->nc == t->capc) {
		t->capc = t->capc ? t->capc * 2 : 64;
		t->c = ipts_xrealloc(t->c, t->capc * sizeof(*t->c));
	}
	c = &t->c[t->nc];
	memset(c, 0, sizeof(*c));
	c->q = q;
	c->oout = o->outcome;
	c->nout = n->outcome;
	c->oposs = possible(o);
	c->nposs = possible(n);
	c->otext = to_string(print_side, o);
	c->ntext = to_string(print_side, n);
	if (json) {
		c->ojson = to_string(json_side_doc, o);
		c->njson = to_string(json_side_doc, n);
	}
	c->oloc = deciding_loc(o);
	c->nloc = deciding_loc(n);
	c->orule = to ? to->rule : NULL;
	c->nrule = tn ? tn->rule : NULL;
	ipts_probe_edit_find(ed, o, n, &c->edit);
	c->hash = change_hash(c);
	group_add(t, t->nc++);
}

static void kinds_free(struct kinds *t)
{
	size_t i;

	for (i = 0; i < t->nc; i++) {
		free(t->c[i].otext);
		free(t->c[i].ntext);
		free(t->c[i].ojson);
		free(t->c[i].njson);
	}
	for (i = 0; i < t->ng; i++)
		free(t->g[i].m);
	free(t->c);
	free(t->g);
}

static void compare(const struct ipts_ruleset *old_rs,
		    const struct ipts_ruleset *new_rs,
		    const struct ipts_probe_set *set, struct diff_opts *opt,
		    struct tally *t)
{
	struct ipts_cli_budget *b = &opt->budget;
	struct ipts_probe_editor *ed = ipts_probe_editor_new(old_rs, new_rs);
	/* one host for both files; none: as before the host options */
	struct ipts_sim_ctx *old_ctx = opt->host ?
					       ipts_sim_prepare_on(old_rs,
								   opt->host) :
					       ipts_sim_prepare(old_rs);
	struct ipts_sim_ctx *new_ctx = opt->host ?
					       ipts_sim_prepare_on(new_rs,
								   opt->host) :
					       ipts_sim_prepare(new_rs);
	struct ipts_result o, n;
	size_t i;

	ipts_sim_use_ipsets(old_ctx, opt->sets.sets);
	ipts_sim_use_ipsets(new_ctx, opt->new_sets.sets ? opt->new_sets.sets :
							  opt->sets.sets);

	ipts_result_init(&o);
	ipts_result_init(&n);
	for (i = 0; i < set->n; i++) {
		const struct ipts_query *q = &set->q[i];

		if (ipts_cli_budget_spent(b)) {
			t->not_asked = set->n - i;
			break;
		}
		if (ipts_simulate_limited(old_ctx, q, ipts_cli_budget_next(b),
					  &o) < 0) {
			t->refused++;	/* the query itself makes no sense */
			continue;
		}
		ipts_cli_budget_spend(b, &o);
		if (ipts_simulate_limited(new_ctx, q, ipts_cli_budget_next(b),
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
			if (opt->list_undet && opt->fmt == IPTS_FMT_TEXT)
				record(&t->alike, ed, q, &o, &n, false);
			continue;
		}
		if (opt->fmt == IPTS_FMT_JSON)
			print_change_json(t->json, q, &o, &n);
		record(&t->ch, ed, q, &o, &n, opt->fmt == IPTS_FMT_JSON);
		t->changed++;
	}
	ipts_result_free(&o);
	ipts_result_free(&n);
	ipts_sim_free(new_ctx);
	ipts_sim_free(old_ctx);
	ipts_probe_editor_free(ed);
}

/* --- a group as text ---------------------------------------------------- */

/* Where a client was: a local process, or behind a host interface. */
static const char *place_name(const struct ipts_probe_set *set, uint32_t v)
{
	return v && v < set->nin ? set->in[v] : "local";
}

static void put_value(FILE *f, const struct ipts_probe_set *set,
		      enum ipts_probe_dim d, uint32_t v)
{
	char a[IPTS_ENDPOINT_LEN];
	union nf_inet_addr addr;

	switch (d) {
	case IPTS_DIM_PROTO:
		fputs(v == IPPROTO_UDP ? "udp" : "tcp", f);
		break;
	case IPTS_DIM_SRC:
	case IPTS_DIM_DST:
		/* an IPv6 address in brackets, as "[addr]:port" */
		ipts_probe_addr(set, v, &addr);
		ipts_fmt_inet(a, sizeof(a), ipts_probe_family(set), &addr, -1);
		if (ipts_probe_family(set) == NFPROTO_IPV6)
			fprintf(f, "[%s]", a);
		else
			fputs(a, f);
		break;
	case IPTS_DIM_IN:
		/* a host's interface name is bytes from a file: escaped */
		ipts_text_strn(f, place_name(set, v),
			       strlen(place_name(set, v)));
		break;
	default:
		fprintf(f, "%u", v);
	}
}

static bool is_addr(enum ipts_probe_dim d)
{
	return d == IPTS_DIM_SRC || d == IPTS_DIM_DST;
}

/* IPv4 addresses are network order: runs are counted in host order.
 * IPv6 ones are indexes (ipts_probe_addr()), in the addresses' order. */
static bool v4_addr(const struct ipts_probe_set *set, enum ipts_probe_dim d)
{
	return is_addr(d) && ipts_probe_family(set) != NFPROTO_IPV6;
}

static uint32_t ordinal(const struct ipts_probe_set *set, enum ipts_probe_dim d,
			uint32_t v)
{
	return v4_addr(set, d) ? ntohl(v) : v;
}

static uint32_t unordinal(const struct ipts_probe_set *set,
			  enum ipts_probe_dim d, uint32_t v)
{
	return v4_addr(set, d) ? htonl(v) : v;
}

/* Whether consecutive values join into a range: not protocols, places,
 * nor IPv6 addresses (neighbouring indexes are no neighbours). */
static bool joins(const struct ipts_probe_set *set, enum ipts_probe_dim d)
{
	return d != IPTS_DIM_PROTO && d != IPTS_DIM_IN &&
	       (!is_addr(d) || v4_addr(set, d));
}

struct span {
	uint32_t lo, hi;		/* ordinals */
};

static int cmp_span(const void *pa, const void *pb)
{
	const struct span *a = pa, *b = pb;

	return a->lo < b->lo ? -1 : a->lo > b->lo;
}

/*
 * What a box claims for dimension @d, as sorted disjoint spans in @out
 * (b->n[d] of room): each value asked, widened to its class when the
 * dimension's classes are known (ipts_probe_class_of()), and runs of
 * consecutive values joined. *@known says whether classes widened them.
 */
static size_t claim(const struct ipts_probe_set *set,
		    const struct ipts_probe_box *b, enum ipts_probe_dim d,
		    struct span *out, bool *known)
{
	size_t i, k = 0;
	uint32_t l, h;

	*known = b->n[d] > 0;
	for (i = 0; i < b->n[d]; i++) {
		*known &= ipts_probe_class_of(set, d, b->v[d][i], &l, &h);
		out[i].lo = ordinal(set, d, l);
		out[i].hi = ordinal(set, d, h);
	}
	qsort(out, b->n[d], sizeof(*out), cmp_span);
	for (i = 0; i < b->n[d]; i++) {
		if (k && joins(set, d) &&
		    (uint64_t)out[i].lo <= (uint64_t)out[k - 1].hi + 1) {
			if (out[i].hi > out[k - 1].hi)
				out[k - 1].hi = out[i].hi;
			continue;
		}
		out[k++] = out[i];
	}
	return k;
}

/* The claim is every value there is: only from known classes. */
static bool claims_any(const struct ipts_probe_set *set, enum ipts_probe_dim d,
		       const struct span *s, size_t k, bool known)
{
	return known && k == 1 && s[0].lo == 0 &&
	       s[0].hi == ordinal(set, d, ipts_probe_dim_max(d));
}

static void put_spans(FILE *f, const struct ipts_probe_set *set,
		      enum ipts_probe_dim d, const struct span *s, size_t k)
{
	size_t i;

	for (i = 0; i < k; i++) {
		fputs(i ? "," : "", f);
		put_value(f, set, d, unordinal(set, d, s[i].lo));
		if (s[i].hi != s[i].lo) {
			fputc('-', f);
			put_value(f, set, d, unordinal(set, d, s[i].hi));
		}
	}
}

static void put_asked(FILE *f, const struct ipts_probe_set *set,
		      enum ipts_probe_dim d, const struct ipts_probe_box *b)
{
	size_t i;

	for (i = 0; i < b->n[d]; i++) {
		fputs(i ? ", " : "", f);
		put_value(f, set, d, b->v[d][i]);
	}
}

/*
 * How each dimension reads. The 5-tuple has its places (proto SRC:SPORT
 * -> DST:DPORT); every other dimension follows as " WORD VALUES", so a new
 * one (an interface, a source class) is one more line here.
 */
static const struct {
	const char *name;	/* in notes: "server port asked: ..." */
	const char *word;	/* NULL: a place of the 5-tuple */
	bool quiet_any;		/* say nothing rather than "any gid" */
} dim_fmt[IPTS_DIM_COUNT] = {
	[IPTS_DIM_PROTO] = { "protocol", NULL, false },
	[IPTS_DIM_SRC] = { "client address", NULL, false },
	[IPTS_DIM_DST] = { "server address", NULL, false },
	[IPTS_DIM_DPORT] = { "server port", NULL, false },
	[IPTS_DIM_SPORT] = { "client port", NULL, false },
	[IPTS_DIM_UID] = { "uid", "uid", false },
	[IPTS_DIM_GID] = { "gid", "gid", true },
	[IPTS_DIM_IN] = { "place of the client", "in", false },
};

/*
 * One dimension of a box: "any uid" when known classes cover every
 * value, else the claim (in braces when a place of the 5-tuple holds
 * several). @notes gets what was asked wherever the claim says more than
 * the values asked (classes), and "every server port asked" where a
 * dimension without classes has all its values asked in the box: that
 * is all diff knows of it, never "any".
 */
static void put_dim(FILE *f, FILE *notes, const struct ipts_probe_set *set,
		    const struct ipts_probe_box *b, enum ipts_probe_dim d)
{
	struct span *s = ipts_xmalloc((b->n[d] ? b->n[d] : 1) * sizeof(*s));
	const char *word = dim_fmt[d].word;
	bool known, any, several;
	size_t k = claim(set, b, d, s, &known), i;
	uint64_t width;

	if (d == IPTS_DIM_IN && b->n[d] == 1 && b->v[d][0] == 0) {
		free(s); /* a local client: as without a host */
		return;
	}
	any = claims_any(set, d, s, k, known);
	several = k > 1 || s[0].lo != s[0].hi;
	for (i = 0, width = 0; i < k; i++)
		width += (uint64_t)s[i].hi - s[i].lo + 1;
	if (any && !(word && dim_fmt[d].quiet_any)) {
		fprintf(f, "%sany%s%s", word ? " " : "", word ? " " : "",
			word ? word : "");
	} else if (!any) {
		bool braces = !word && several && d != IPTS_DIM_PROTO;

		if (word)
			fprintf(f, " %s ", word);
		fputs(braces ? "{" : "", f);
		put_spans(f, set, d, s, k);
		fputs(braces ? "}" : "", f);
	}
	if (known && !any && width > b->n[d]) {
		fprintf(notes, "%s%s asked: ", ftell(notes) ? "; " : "",
			dim_fmt[d].name);
		put_asked(notes, set, d, b);
	} else if (!known && b->n[d] > 1 &&
		   b->n[d] == ipts_probe_dim_vals(set, d)->n) {
		fprintf(notes, "%severy %s asked", ftell(notes) ? "; " : "",
			dim_fmt[d].name);
	}
	free(s);
}

/* Whether the box holds a local client: the uid and gid are its. */
static bool local_client(const struct ipts_probe_box *b)
{
	return b->n[IPTS_DIM_IN] && b->v[IPTS_DIM_IN][0] == 0;
}

/* "tcp 127.0.0.1:40000 -> 127.0.0.1:{22,80} uid 0-999 (notes)" */
static void put_box(FILE *f, const struct ipts_probe_set *set,
		    const struct ipts_probe_box *b)
{
	char *notes = NULL;
	size_t len = 0;
	FILE *nf = open_memstream(&notes, &len);
	int d;

	if (!nf)
		ipts_oom();
	put_dim(f, nf, set, b, IPTS_DIM_PROTO);
	fputc(' ', f);
	put_dim(f, nf, set, b, IPTS_DIM_SRC);
	fputc(':', f);
	put_dim(f, nf, set, b, IPTS_DIM_SPORT);
	fputs(" -> ", f);
	put_dim(f, nf, set, b, IPTS_DIM_DST);
	fputc(':', f);
	put_dim(f, nf, set, b, IPTS_DIM_DPORT);
	for (d = 0; d < IPTS_DIM_COUNT; d++)
		if (dim_fmt[d].word &&
		    (d == IPTS_DIM_IN || local_client(b) ||
		     (d != IPTS_DIM_UID && d != IPTS_DIM_GID)))
			put_dim(f, nf, set, b, d);
	fclose(nf);
	if (len)
		fprintf(f, " (%s)", notes);
	free(notes);
}
/* "fw.new:5" */
static void put_where(FILE *f, const struct ipts_loc *loc)
{
	ipts_text_file(f, loc->src ? loc->src->name : "?");
	fprintf(f, ":%u", loc->line);
}

static void put_rule_text(FILE *f, const struct ipts_rule *r)
{
	fputs(": ", f);
	ipts_text_strn(f, ipts_rule_text(r), (size_t)ipts_rule_text_len(r));
}

static const char *policy_name(const struct ipts_chain *c)
{
	return c->policy == NF_DROP ? "DROP" : "ACCEPT";
}

/*
 * The edit the group met, in words; a rule's text only where no side's
 * sentence already quotes it (it is not that side's deciding rule).
 */
static void put_edit(FILE *f, const struct change *c)
{
	const struct ipts_probe_edit *e = &c->edit;
	const struct ipts_chain *pc = e->chain ? e->chain : e->old_chain;

	switch (e->kind) {
	case IPTS_EDIT_NONE:
		return;
	case IPTS_EDIT_ADDED:
		fputs("rule ", f);
		put_where(f, &e->rule->loc);
		fputs(" added", f);
		if (e->rule != c->nrule)
			put_rule_text(f, e->rule);
		break;
	case IPTS_EDIT_REMOVED:
		fputs("rule ", f);
		put_where(f, &e->was->loc);
		fputs(" removed", f);
		if (e->was != c->orule)
			put_rule_text(f, e->was);
		break;
	case IPTS_EDIT_MOVED:
		fputs("rule ", f);
		put_where(f, &e->was->loc);
		fputs(" moved to ", f);
		put_where(f, &e->rule->loc);
		if (e->rule != c->nrule && e->was != c->orule)
			put_rule_text(f, e->rule);
		break;
	case IPTS_EDIT_CHANGED:
		fputs("rule ", f);
		if (e->was && e->rule) {
			put_where(f, &e->was->loc);
			fputs(" changed into ", f);
			put_where(f, &e->rule->loc);
		} else {
			put_where(f, e->rule ? &e->rule->loc : &e->was->loc);
			fputs(" changed", f);
		}
		if (e->rule && e->rule != c->nrule)
			put_rule_text(f, e->rule);
		else if (!e->rule && e->was != c->orule)
			put_rule_text(f, e->was);
		break;
	case IPTS_EDIT_POLICY:
		fputs("policy of ", f);
		ipts_text_str(f, pc->table->name);
		fputc('/', f);
		ipts_text_str(f, pc->name);
		if (e->chain && e->old_chain)
			fprintf(f, " changed from %s to %s",
				policy_name(e->old_chain),
				policy_name(e->chain));
		else
			fprintf(f, " %s, a chain %s lacks", policy_name(pc),
				e->chain ? "OLD" : "NEW");
		if (pc->loc.src) {
			fputs(" (", f);
			put_where(f, &pc->loc);
			fputc(')', f);
		}
		break;
	}
	fputs("; ", f);
}

static void put_outcome(FILE *f, enum ipts_outcome out, unsigned int poss)
{
	if (out != IPTS_UNDETERMINED) {
		fputs(ipts_outcome_name(out), f);
		return;
	}
	fputs("undetermined (", f);
	ipts_possible_text(f, poss, "any", "any other");
	fputc(')', f);
}

/* One line: the connections, both outcomes, the edit, both sentences. */
static void print_group(FILE *f, const struct kinds *t,
			const struct ipts_probe_set *set,
			const struct group *g)
{
	const struct change *c = &t->c[g->m[0]];
	const struct ipts_query **q = ipts_xmalloc(g->n * sizeof(*q));
	struct ipts_probe_box *b;
	size_t i, nb;

	for (i = 0; i < g->n; i++)
		q[i] = t->c[g->m[i]].q;
	nb = ipts_probe_boxes(set, q, g->n, &b);
	for (i = 0; i < nb; i++) {
		fputs(i ? "; " : "", f);
		put_box(f, set, &b[i]);
	}
	ipts_probe_boxes_free(b, nb);
	free(q);
	fputs(": ", f);
	put_outcome(f, c->oout, c->oposs);
	fputs(" -> ", f);
	put_outcome(f, c->nout, c->nposs);
	fputs(" — ", f);
	put_edit(f, c);
	fprintf(f, "NEW: %s; OLD: %s\n", c->ntext, c->otext);
}

static const struct ipts_loc *edit_loc(const struct ipts_probe_edit *e)
{
	if (e->rule)
		return &e->rule->loc;
	if (e->was)
		return &e->was->loc;
	if (e->chain && e->chain->loc.src)
		return &e->chain->loc;
	if (e->old_chain && e->old_chain->loc.src)
		return &e->old_chain->loc;
	return NULL;
}

/*
 * For SARIF: a group is a warning at the rule responsible in NEW (else
 * in OLD, else nowhere), its message the text line; the edited rule,
 * when it stands elsewhere, is a related location.
 */
static void add_group_diag(struct ipts_diags *d, const struct kinds *t,
			   const struct ipts_probe_set *set,
			   const struct group *g)
{
	const struct change *c = &t->c[g->m[0]];
	const struct ipts_loc *at = c->nloc ? c->nloc : c->oloc;
	const struct ipts_loc *ed = edit_loc(&c->edit);
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	if (!f)
		ipts_oom();
	print_group(f, t, set, g);
	fclose(f);
	if (len && text[len - 1] == '\n')
		text[--len] = '\0';
	ipts_diag_add_code(d, IPTS_WARNING, at, "iptsim/diff", "%s", text);
	if (ed && ed != at)
		ipts_diag_note(d, ed, "the rule this change edited");
	free(text);
}

static void json_rule(struct ipts_json *w, const struct ipts_rule *r)
{
	if (!r) {
		ipts_json_null(w);
		return;
	}
	ipts_json_object_begin(w, IPTS_JSON_LINE);
	ipts_json_kv_string(w, "file", r->loc.src ? r->loc.src->name : NULL);
	ipts_json_kv_uint(w, "line", r->loc.line);
	ipts_json_kv_stringn(w, "rule", ipts_rule_text(r),
			     (size_t)ipts_rule_text_len(r));
	ipts_json_object_end(w);
}

/* The policy of @c, null without a chain. */
static void json_policy(struct ipts_json *w, const struct ipts_chain *c)
{
	ipts_json_string(w, c ? policy_name(c) : NULL);
}

static void json_edit(struct ipts_json *w, const struct ipts_probe_edit *e)
{
	static const char *const kind[] = {
		[IPTS_EDIT_NONE] = "none",
		[IPTS_EDIT_ADDED] = "added",
		[IPTS_EDIT_REMOVED] = "removed",
		[IPTS_EDIT_MOVED] = "moved",
		[IPTS_EDIT_CHANGED] = "changed",
		[IPTS_EDIT_POLICY] = "policy",
	};
	const struct ipts_chain *pc = e->chain ? e->chain : e->old_chain;

	ipts_json_object_begin(w, IPTS_JSON_LINE);
	ipts_json_kv_string(w, "kind", kind[e->kind]);
	ipts_json_key(w, "rule");
	json_rule(w, e->rule);
	ipts_json_key(w, "was");
	json_rule(w, e->was);
	ipts_json_key(w, "chain");
	if (e->kind == IPTS_EDIT_POLICY) {
		ipts_json_object_begin(w, IPTS_JSON_LINE);
		ipts_json_kv_string(w, "table", pc->table->name);
		ipts_json_kv_string(w, "chain", pc->name);
		ipts_json_key(w, "policy");
		json_policy(w, e->chain);
		ipts_json_key(w, "old_policy");
		json_policy(w, e->old_chain);
		ipts_json_object_end(w);
	} else {
		ipts_json_null(w);
	}
	ipts_json_object_end(w);
}

static void json_value(struct ipts_json *w, const struct ipts_probe_set *set,
		       enum ipts_probe_dim d, uint32_t v)
{
	char a[IPTS_ENDPOINT_LEN];

	if (d == IPTS_DIM_IN) {
		if (v)
			ipts_json_string(w, place_name(set, v));
		else
			ipts_json_null(w);
	} else if (d == IPTS_DIM_PROTO) {
		ipts_json_string(w, v == IPPROTO_UDP ? "udp" : "tcp");
	} else if (is_addr(d)) {
		union nf_inet_addr addr;

		ipts_probe_addr(set, v, &addr);
		ipts_fmt_inet(a, sizeof(a), ipts_probe_family(set), &addr, -1);
		ipts_json_string(w, a);
	} else {
		ipts_json_uint(w, v);
	}
}

static const char *const dim_key[IPTS_DIM_COUNT] = {
	[IPTS_DIM_PROTO] = "proto", [IPTS_DIM_SRC] = "src",
	[IPTS_DIM_DST] = "dst",	    [IPTS_DIM_DPORT] = "dport",
	[IPTS_DIM_SPORT] = "sport", [IPTS_DIM_UID] = "uid",
	[IPTS_DIM_GID] = "gid",	    [IPTS_DIM_IN] = "in",
};

/* {"asked": [...], "claimed": [[lo, hi], ...], "classes": b, "any": b} */
static void json_dim(struct ipts_json *w, const struct ipts_probe_set *set,
		     const struct ipts_probe_box *b, enum ipts_probe_dim d)
{
	struct span *s = ipts_xmalloc((b->n[d] ? b->n[d] : 1) * sizeof(*s));
	bool known;
	size_t k = claim(set, b, d, s, &known), i;

	ipts_json_object_begin(w, IPTS_JSON_LINE);
	ipts_json_key(w, "asked");
	ipts_json_array_begin(w, IPTS_JSON_LINE);
	for (i = 0; i < b->n[d]; i++)
		json_value(w, set, d, b->v[d][i]);
	ipts_json_array_end(w);
	ipts_json_key(w, "claimed");
	ipts_json_array_begin(w, IPTS_JSON_LINE);
	for (i = 0; i < k; i++) {
		ipts_json_array_begin(w, IPTS_JSON_LINE);
		json_value(w, set, d, unordinal(set, d, s[i].lo));
		json_value(w, set, d, unordinal(set, d, s[i].hi));
		ipts_json_array_end(w);
	}
	ipts_json_array_end(w);
	ipts_json_kv_bool(w, "classes", known);
	ipts_json_kv_bool(w, "any", claims_any(set, d, s, k, known));
	ipts_json_object_end(w);
	free(s);
}

/* One group, an item of "groups": its changes, the sides' answers (as
 * the first change of the group has them), the edit, the connections as
 * boxes, and the text line. */
static void json_group(struct ipts_json *w, const struct kinds *t,
		       const struct ipts_probe_set *set, const struct group *g)
{
	const struct change *c = &t->c[g->m[0]];
	const struct ipts_query **q = ipts_xmalloc(g->n * sizeof(*q));
	struct ipts_probe_box *b;
	char *text = NULL;
	size_t len = 0, i, nb;
	FILE *tf = open_memstream(&text, &len);
	int d;

	if (!tf)
		ipts_oom();
	print_group(tf, t, set, g);
	fclose(tf);
	if (len && text[len - 1] == '\n')
		text[--len] = '\0';
	ipts_json_object_begin(w, IPTS_JSON_LINE);
	ipts_json_kv_uint(w, "connections", g->n);
	ipts_json_key(w, "changes");
	ipts_json_array_begin(w, IPTS_JSON_LINE);
	for (i = 0; i < g->n; i++)
		ipts_json_uint(w, g->m[i]);
	ipts_json_array_end(w);
	ipts_json_key(w, "old");
	ipts_json_raw(w, c->ojson);
	ipts_json_key(w, "new");
	ipts_json_raw(w, c->njson);
	ipts_json_key(w, "edit");
	json_edit(w, &c->edit);
	ipts_json_key(w, "sets");
	ipts_json_array_begin(w, IPTS_JSON_LINE);
	for (i = 0; i < g->n; i++)
		q[i] = t->c[g->m[i]].q;
	nb = ipts_probe_boxes(set, q, g->n, &b);
	for (i = 0; i < nb; i++) {
		ipts_json_object_begin(w, IPTS_JSON_LINE);
		for (d = 0; d < IPTS_DIM_COUNT; d++) {
			ipts_json_key(w, dim_key[d]);
			json_dim(w, set, &b[i], d);
		}
		ipts_json_object_end(w);
	}
	ipts_json_array_end(w);
	ipts_json_kv_string(w, "text", text);
	ipts_json_object_end(w);
	ipts_probe_boxes_free(b, nb);
	free(q);
	free(text);
}

/* The text output's account of the captures: which sets differ. */
static void print_sets_differing(const char *names, size_t n, bool host)
{
	size_t k;

	if (!n) {
		puts("the two ipsets captures hold the same sets");
		return;
	}
	printf("%zu set%s differ%s between the two ipsets captures:", n,
	       n == 1 ? "" : "s", n == 1 ? "s" : "");
	for (k = 0; *names && k < 8; k++, names += strlen(names) + 1) {
		putchar(' ');
		ipts_text_str(stdout, names);
	}
	if (n > 8)
		printf(" and %zu more", n - 8);
	putchar('\n');
	if (!host)
		puts("  the connections compared are local ones: describe "
		     "the host (--host, --iface) to ask clients on other "
		     "hosts, at the addresses of the sets' elements");
}

static void print_summary(const struct tally *t,
			  const struct ipts_probe_set *set,
			  enum ipts_format fmt)
{
	size_t i;

	if (fmt == IPTS_FMT_SARIF) {
		for (i = 0; i < t->ch.ng; i++)
			add_group_diag(t->sarif, &t->ch, set, &t->ch.g[i]);
		ipts_sarif_write(stdout, t->sarif);
		return;
	}
	if (fmt == IPTS_FMT_JSON) {
		struct ipts_json *w = t->json;

		ipts_json_array_end(w);	/* "changes", from compare() */
		ipts_json_key(w, "groups");
		ipts_json_array_begin(w, IPTS_JSON_BLOCK);
		for (i = 0; i < t->ch.ng; i++)
			json_group(w, &t->ch, set, &t->ch.g[i]);
		ipts_json_array_end(w);
		ipts_json_kv_uint(w, "compared", t->compared);
		ipts_json_kv_uint(w, "changed", t->changed);
		ipts_json_kv_uint(w, "undetermined_alike", t->undetermined);
		ipts_json_kv_uint(w, "skipped", t->refused);
		ipts_json_kv_uint(w, "worth_asking", set->total);
		ipts_json_kv_bool(w, "capped", set->total > set->n);
		ipts_json_kv_uint(w, "over_budget", t->over);
		ipts_json_kv_uint(w, "not_asked", t->not_asked);
		ipts_json_kv_uint(w, "not_compared_off_lo", t->off_lo);
		if (t->sets_differing) {
			const char *n = t->sets_differing;

			ipts_json_key(w, "ipsets_differing");
			ipts_json_array_begin(w, IPTS_JSON_LINE);
			for (; *n; n += strlen(n) + 1)
				ipts_json_string(w, n);
			ipts_json_array_end(w);
			ipts_json_kv_uint(w, "ipsets_beyond_probe",
					  t->sets_beyond);
		}
		ipts_json_object_end(w);
		ipts_json_eol(w);
		return;
	}
	for (i = 0; i < t->alike.ng; i++) {
		fputs("alike: ", stdout);
		print_group(stdout, &t->alike, set, &t->alike.g[i]);
	}
	for (i = 0; i < t->ch.ng; i++)
		print_group(stdout, &t->ch, set, &t->ch.g[i]);
	printf("%zu connection%s compared, %zu changed", t->compared,
	       t->compared == 1 ? "" : "s", t->changed);
	if (t->ch.ng)
		printf(" in %zu group%s", t->ch.ng, t->ch.ng == 1 ? "" : "s");
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
	if (t->sets_differing)
		print_sets_differing(t->sets_differing, t->nsets_differing,
				     t->host);
	if (t->sets_beyond) {
		printf("not compared: %zu of the sets that differ hold%s more "
		       "than %d elements (",
		       t->sets_beyond, t->sets_beyond == 1 ? "s" : "",
		       PROBE_SET_ELEMS);
		ipts_text_str(stdout, t->beyond_name);
		printf(": %zu), and diff asks the values of the first %d of "
		       "each: the changes listed may not be all (exit 3)\n",
		       t->beyond_n, PROBE_SET_ELEMS);
	}
	if (t->off_lo) {
		const struct ipts_rule *r = t->off_rule;

		printf("not compared: %zu changed rule%s only packets of "
		       "%s (-i/-o, FORWARD) meet, such as ",
		       t->off_lo, t->off_lo == 1 ? "" : "s",
		       !t->host ? "other interfaces" :
		       t->v6	? "interfaces the host description lacks "
				  "or gives no global IPv6 address" :
				  "interfaces the host description lacks");
		/* a file name is bytes from the command line: escaped */
		ipts_text_file(stdout, r->loc.src ? r->loc.src->name : "?");
		printf(":%u: ", r->loc.line);
		ipts_text_strn(stdout, ipts_rule_text(r),
			       (size_t)ipts_rule_text_len(r));
		fputs(t->host ? "\n  the connections compared arrive on and "
				"leave by the described interfaces, and "
				"forwarded ones need two of them (exit 4)\n" :
				"\n  the connections compared are local ones, "
				"which never meet them: describe the host "
				"(--host, --iface) to compare connections "
				"from other hosts (exit 4)\n",
		      stdout);
	}
}

/*
 * --new-ipsets: which sets differ between the two captures. Each
 * capture's lines are keyed on the set they are about (`create S ...`,
 * `add S ...`; in `ipset list` output every line of S's block but its
 * Size in memory and References), their words joined by one space, and
 * a set differs when its sorted lines do: an element added or deleted,
 * a nomatch, a timeout, another type or option. Texts alike give sets
 * alike (--at ages both alike). Sets whose texts differ where the sets
 * do not (a save against a listing, another hashsize or initval) only
 * ask more connections.
 */
struct set_line {
	const char *name; /* into the source, @nlen bytes */
	size_t nlen;
	char *text; /* the words, NUL-terminated */
};

static bool blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r';
}

/* The words of [p, e) as one string, and where its second word is. */
static char *words(const char *p, const char *e, const char **w2, size_t *w2len)
{
	char *t = ipts_xmalloc((size_t)(e - p) + 1), *q = t;
	unsigned int nw = 0;

	*w2 = NULL;
	*w2len = 0;
	while (p < e) {
		const char *w;

		while (p < e && blank(*p))
			p++;
		if (p == e)
			break;
		for (w = p; p < e && !blank(*p); p++)
			;
		if (q != t)
			*q++ = ' ';
		memcpy(q, w, (size_t)(p - w));
		q += p - w;
		if (++nw == 2) {
			*w2 = w;
			*w2len = (size_t)(p - w);
		}
	}
	*q = '\0';
	return t;
}

static bool starts(const char *t, const char *word)
{
	return strncmp(t, word, strlen(word)) == 0;
}

static void set_lines(const struct ipts_source *src, struct set_line **v,
		      size_t *n)
{
	const char *p = src->buf, *end = src->buf + src->len;
	const char *block = NULL, *w2;
	size_t blen = 0, w2len, cap = 0;

	*v = NULL;
	*n = 0;
	while (p < end) {
		const char *e = memchr(p, '\n', (size_t)(end - p));
		struct set_line l = { 0 };
		char *t;

		if (!e)
			e = end;
		t = words(p, e, &w2, &w2len);
		p = e < end ? e + 1 : end;
		if ((starts(t, "create ") || starts(t, "add ")) && w2) {
			l.name = w2;
			l.nlen = w2len;
			block = NULL;
		} else if (starts(t, "Name: ") && w2) {
			l.name = block = w2;
			l.nlen = blen = w2len;
		} else if (block && t[0] && t[0] != '#' &&
			   !starts(t, "Size in memory:") &&
			   !starts(t, "References:")) {
			l.name = block;
			l.nlen = blen;
		}
		if (!l.name) {
			free(t);
			continue;
		}
		l.text = t;
		if (*n == cap) {
			cap = cap ? cap * 2 : 64;
			*v = ipts_xrealloc(*v, cap * sizeof(**v));
		}
		(*v)[(*n)++] = l;
	}
}

static int name_cmp(const struct set_line *a, const struct set_line *b)
{
	int c = memcmp(a->name, b->name, a->nlen < b->nlen ? a->nlen : b->nlen);

	return c ? c : a->nlen < b->nlen ? -1 : a->nlen > b->nlen;
}

static int line_cmp(const void *pa, const void *pb)
{
	const struct set_line *a = pa, *b = pb;
	int c = name_cmp(a, b);

	return c ? c : strcmp(a->text, b->text);
}

/* The lines of the set @v[*i] is about, from *i on: how many. */
static size_t group(const struct set_line *v, size_t n, size_t i)
{
	size_t k = i;

	while (k < n && name_cmp(&v[k], &v[i]) == 0)
		k++;
	return k - i;
}

/* The names of the sets that differ, each NUL-terminated, the list ended
 * by an empty name (malloc'd); *@count of them. */
static char *sets_differing(const struct ipts_source *a,
			    const struct ipts_source *b, size_t *count)
{
	struct set_line *va, *vb;
	size_t na, nb, i = 0, j = 0, len = 0, cap = 64, k;
	char *out = ipts_xmalloc(cap);

	*count = 0;
	set_lines(a, &va, &na);
	set_lines(b, &vb, &nb);
	if (na)
		qsort(va, na, sizeof(*va), line_cmp);
	if (nb)
		qsort(vb, nb, sizeof(*vb), line_cmp);
	while (i < na || j < nb) {
		int c = i == na ? 1 : j == nb ? -1 : name_cmp(&va[i], &vb[j]);
		const struct set_line *l = c <= 0 ? &va[i] : &vb[j];
		size_t ga = c <= 0 ? group(va, na, i) : 0;
		size_t gb = c >= 0 ? group(vb, nb, j) : 0;
		bool differ = ga != gb;

		for (k = 0; !differ && k < ga; k++)
			differ = strcmp(va[i + k].text, vb[j + k].text) != 0;
		if (differ) {
			while (len + l->nlen + 2 > cap) {
				cap *= 2;
				out = ipts_xrealloc(out, cap);
			}
			memcpy(out + len, l->name, l->nlen);
			len += l->nlen;
			out[len++] = '\0';
			(*count)++;
		}
		i += ga;
		j += gb;
	}
	out[len] = '\0';
	for (k = 0; k < na; k++)
		free(va[k].text);
	for (k = 0; k < nb; k++)
		free(vb[k].text);
	free(va);
	free(vb);
	return out;
}

/* The sets that differ whose elements the probe does not all take values
 * from, in either capture. */
static void count_beyond(struct tally *t, const struct diff_opts *o)
{
	const struct ipts_ipsets *caps[2] = { o->sets.sets, o->new_sets.sets };
	const char *n;
	int c;

	for (n = t->sets_differing; n && *n; n += strlen(n) + 1) {
		size_t most = 0;

		for (c = 0; c < 2; c++) {
			const struct ipts_ipset *set =
				caps[c] ? ipts_ipsets_find(caps[c], n,
							   strlen(n)) :
					  NULL;

			if (set && ipts_ipset_nelems(set) > most)
				most = ipts_ipset_nelems(set);
		}
		if (most <= PROBE_SET_ELEMS)
			continue;
		if (!t->sets_beyond++) {
			t->beyond_name = n;
			t->beyond_n = most;
		}
	}
}

/*
 * --new-ipsets FILE, read as --ipsets is (the same --at), after the sets
 * both files would be asked with: 0, or a usage error and -1.
 */
static int read_new_ipsets(struct diff_opts *o)
{
	struct ipts_cli_host h = o->hopt;

	if (!o->new_ipsets)
		return 0;
	if (!o->sets.sets) {
		ipts_usage_error("diff",
				 "--new-ipsets gives the sets of NEW: "
				 "give those of OLD too (--ipsets FILE, or "
				 "ipsets.txt in --host DIR)");
		return -1;
	}
	h.ipsets = o->new_ipsets;
	return ipts_cli_ipsets_read(&h, "diff", &o->in.read, o->in.color,
				    &o->new_sets);
}

static const char *family_name(const struct ipts_ruleset *rs)
{
	return rs->family == IPTS_FAMILY_IPV6 ? "IPv6" : "IPv4";
}

int cmd_diff(int argc, char **argv)
{
	struct diff_opts o = { .fmt = IPTS_FMT_TEXT };
	struct ipts_source *osrc = NULL, *nsrc = NULL;
	struct ipts_ruleset *old_rs = NULL, *new_rs = NULL;
	struct ipts_probe_set set = { 0 };
	struct ipts_diags sarif = { 0 };
	struct ipts_json json;
	struct tally t = { .sarif = &sarif, .json = &json };
	const char *old_path, *new_path;
	struct ipts_diags *keep;
	char why[512], *changed = NULL;
	size_t nchanged = 0;
	int rc;

	rc = parse_args(argc, argv, &o);
	if (rc < 0)
		return IPTS_EXIT_YES;	/* --help */
	if (rc)
		return rc;
	if (ipts_cli_host_build(&o.hopt, "diff", o.in.color, &o.host) < 0)
		return IPTS_EXIT_USAGE;
	if (ipts_cli_ipsets_read(&o.hopt, "diff", &o.in.read, o.in.color,
				 &o.sets) < 0) {
		ipts_hostdesc_free(o.host);
		return IPTS_EXIT_USAGE;
	}
	if (read_new_ipsets(&o) < 0) {
		ipts_cli_ipsets_free(&o.sets);
		ipts_hostdesc_free(o.host);
		return IPTS_EXIT_USAGE;
	}
	/* libxtables runs getopt while parsing: keep the names first */
	old_path = argv[optind];
	new_path = argv[optind + 1];
	/* JSON and SARIF carry the errors of a file that does not load */
	keep = o.fmt != IPTS_FMT_TEXT ? &sarif : NULL;
	old_rs = ipts_cli_load_keep("diff", old_path, &o.in, &osrc, keep, why,
				    sizeof(why));
	if (old_rs && ipts_cli_ipsets_check(&o.sets, old_rs, "diff", old_path,
					    o.in.color, why, sizeof(why)) < 0) {
		ipts_ruleset_free(old_rs);
		old_rs = NULL;
	}
	if (old_rs)
		new_rs = ipts_cli_load_keep("diff", new_path, &o.in, &nsrc,
					    keep, why, sizeof(why));
	if (new_rs &&
	    ipts_cli_ipsets_check(o.new_sets.sets ? &o.new_sets : &o.sets,
				  new_rs, "diff", new_path, o.in.color, why,
				  sizeof(why)) < 0) {
		if (o.new_sets.sets) {
			/* OLD and NEW may be one file: say which capture */
			fputs("iptsim diff: NEW is checked against the sets "
			      "of --new-ipsets '",
			      stderr);
			ipts_text_file(stderr, o.new_ipsets);
			fputs("'\n", stderr);
		}
		ipts_ruleset_free(new_rs);
		new_rs = NULL;
	}
	if (!old_rs || !new_rs) {
		if (o.fmt == IPTS_FMT_JSON)
			ipts_report_json_failure(stdout, why, old_rs ? new_path :
						 old_path, &sarif);
		else if (o.fmt == IPTS_FMT_SARIF)
			ipts_sarif_write(stdout, &sarif);
		rc = IPTS_EXIT_USAGE;
		goto out;
	}
	if (old_rs->family != new_rs->family) {
		fputs("iptsim diff: '", stderr);
		ipts_text_file(stderr, old_path);
		fprintf(stderr, "' is an %s file and '", family_name(old_rs));
		ipts_text_file(stderr, new_path);
		fprintf(stderr,
			"' an %s one: diff compares two files of one family\n",
			family_name(new_rs));
		rc = IPTS_EXIT_USAGE;
		goto out;
	}
	o.probe.host = o.host;
	o.probe.ipsets = o.sets.sets;
	if (o.new_sets.sets) {
		o.probe.new_ipsets = o.new_sets.sets;
		changed = sets_differing(o.sets.src, o.new_sets.src, &nchanged);
		o.probe.changed_sets = changed;
	}
	ipts_probe_derive(old_rs, new_rs, &o.probe, &set);
	if (o.fmt == IPTS_FMT_JSON) {
		/* the changes as they are found, the rest once all are */
		ipts_json_init(&json, stdout);
		ipts_json_object_begin(&json, IPTS_JSON_LINE);
		ipts_json_key(&json, "changes");
		ipts_json_array_begin(&json, IPTS_JSON_BLOCK);
	}
	t.host = o.host != NULL;
	t.v6 = new_rs->family == IPTS_FAMILY_IPV6;
	compare(old_rs, new_rs, &set, &o, &t);
	t.off_lo = ipts_probe_off_lo_changes(old_rs, new_rs, o.host,
					     &t.off_rule);
	t.sets_differing = changed;
	t.nsets_differing = nchanged;
	count_beyond(&t, &o);
	print_summary(&t, &set, o.fmt);
	rc = t.over || t.not_asked || t.sets_beyond ? IPTS_EXIT_UNDETERMINED :
	     t.changed				    ? IPTS_EXIT_NO :
	     t.off_lo				    ? IPTS_EXIT_NOT_COMPARED :
						      IPTS_EXIT_YES;
out:
	kinds_free(&t.ch);
	kinds_free(&t.alike);
	ipts_diags_free(&sarif);
	ipts_probe_set_free(&set);
	if (new_rs)
		ipts_ruleset_free(new_rs);
	if (old_rs)
		ipts_ruleset_free(old_rs);
	ipts_source_free(nsrc);
	ipts_source_free(osrc);
	free(changed);
	ipts_cli_ipsets_free(&o.new_sets);
	ipts_cli_ipsets_free(&o.sets);
	ipts_hostdesc_free(o.host);
	return rc;
}
