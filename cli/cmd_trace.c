/*
 * cmd_trace.c - `iptsim trace FILE [options]`: what a local connection
 * meets on its way through FILE's rules, the way the kernel would log it
 * with TRACE, and what connect() (or send() for UDP) makes of it.
 */
#include "cli.h"

#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <netinet/in.h>

#include "diag.h"
#include "model.h"
#include "parser.h"
#include "report.h"
#include "sim.h"

static const char usage_text[] =
	"usage: iptsim trace FILE [options]\n"
	"\n"
	"Predict what a connection between two processes of one host meets in\n"
	"FILE's rules (an iptables-save file, '-' for standard input): each\n"
	"packet's path in the kernel's TRACE format, and what connect() (TCP)\n"
	"or send() (UDP) returns. Both ends are local; packets go over lo.\n"
	"\n"
	"  --proto tcp|udp      protocol (default tcp)\n"
	"  --src A, --dst A     client and server address (default 127.0.0.1)\n"
	"  --sport N            client port (default 40000, a fixed ephemeral\n"
	"                       port)\n"
	"  --dport N            server port (default 1060, the seed's port)\n"
	"  --uid U, --gid G     client process uid/gid (default 0)\n"
	"  --server-uid U, --server-gid G\n"
	"                       server process uid/gid (default 0)\n"
	"  --local-addr A       another address of this host, on lo\n"
	"                       (repeatable); --src and --dst must be local:\n"
	"                       in 127.0.0.0/8 or given here\n"
	"  --no-listener        nothing listens on --dst:--dport\n"
	"  --listen [A:]N       a server (same uid) also listens on port N of\n"
	"                       address A (default --dst); repeatable\n"
	"  --conntrack on|off   override whether connections are tracked\n"
	"                       (default: as the file implies)\n"
	"  --fresh              assume the rules were just loaded (limits\n"
	"                       full, counters at zero)\n"
	"  --kernel-trace       print only the TRACE: lines the kernel would\n"
	"                       log given the file's own TRACE rules\n"
	"  --format text|json   output format (default text)\n"
	"  -h, --help           show this help\n"
	"\n"
	"Exit status: 0 connected (udp: delivered), 1 not, 2 usage error or a\n"
	"file that does not load, 3 undetermined.\n";

enum {
	OPT_DPORT = 256,
	OPT_SPORT,
	OPT_UID,
	OPT_GID,
	OPT_SUID,
	OPT_SGID,
	OPT_SRC,
	OPT_DST,
	OPT_LOCAL,
	OPT_PROTO,
	OPT_NOLISTEN,
	OPT_LISTEN,
	OPT_CONNTRACK,
	OPT_FRESH,
	OPT_KTRACE,
	OPT_FORMAT,
};

static bool parse_u32(const char *s, unsigned long max, uint32_t *out)
{
	unsigned long v;
	char *end;

	if (!*s || *s == '-' || *s == '+')
		return false;
	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || *end || v > max)
		return false;
	*out = v;
	return true;
}

static bool parse_addr(const char *s, uint32_t *out)
{
	struct in_addr a;

	if (inet_pton(AF_INET, s, &a) != 1)
		return false;
	*out = a.s_addr;
	return true;
}

/* [A:]N; A left 0 means --dst, filled in once all options are read. */
static int parse_listen(const char *arg, struct ipts_query *q)
{
	const char *colon = strrchr(arg, ':');
	uint32_t port, addr = 0;
	char buf[64];

	if (colon) {
		if ((size_t)(colon - arg) >= sizeof(buf))
			return -1;
		memcpy(buf, arg, colon - arg);
		buf[colon - arg] = '\0';
		if (!parse_addr(buf, &addr))
			return -1;
		arg = colon + 1;
	}
	if (!parse_u32(arg, 65535, &port) || port == 0)
		return -1;
	q->listen[q->nlisten].addr = addr;
	q->listen[q->nlisten].port = port;
	q->nlisten++;
	return 0;
}

/* addr[:port] or addr:lo-hi (a port NAT picked at random) */
static void fmt_end(char *buf, size_t len, uint32_t addr, bool ports,
		    uint16_t port, uint16_t hi)
{
	char a[INET_ADDRSTRLEN];

	if (!ports || !hi) {
		ipts_fmt_addr(buf, len, addr, ports ? port : -1);
		return;
	}
	ipts_fmt_addr(a, sizeof(a), addr, -1);
	snprintf(buf, len, "%s:%u-%u", a, port, hi);
}

static const char *hook_name(unsigned int hook)
{
	return ipts_hook_chain_name(hook);
}

/* --- text ------------------------------------------------------------ */

static const char *outcome_words(enum ipts_outcome o)
{
	switch (o) {
	case IPTS_CONNECTED:
		return "CONNECTED";
	case IPTS_REFUSED:
		return "REFUSED (ECONNREFUSED)";
	case IPTS_TIMEOUT:
		return "TIMEOUT, stays in SYN_SENT";
	case IPTS_HOSTUNREACH:
		return "HOSTUNREACH (EHOSTUNREACH)";
	case IPTS_NETUNREACH:
		return "NETUNREACH (ENETUNREACH)";
	case IPTS_PROTOUNREACH:
		return "PROTOUNREACH (ENOPROTOOPT)";
	case IPTS_RESET:
		return "RESET (ECONNRESET)";
	case IPTS_DELIVERED:
		return "DELIVERED";
	case IPTS_DROPPED:
		return "DROPPED";
	case IPTS_EPERM:
		return "EPERM";
	case IPTS_UNDETERMINED:
	case IPTS_OUTCOME_COUNT:
		break;
	}
	return "UNDETERMINED";
}

static const char *verdict_name(enum ipts_verdict v)
{
	switch (v) {
	case IPTS_V_DELIVERED:
		return "delivered";
	case IPTS_V_DROPPED:
		return "dropped";
	case IPTS_V_REJECTED:
		return "rejected";
	case IPTS_V_UNDETERMINED:
		return "undetermined";
	case IPTS_V_NOT_SENT:
		break;
	}
	return "not sent";
}

static const char *event_kind_name(enum ipts_event_kind k)
{
	switch (k) {
	case IPTS_EV_CONNTRACK:
		return "conntrack";
	case IPTS_EV_NAT:
		return "nat";
	case IPTS_EV_MARK:
		return "mark";
	case IPTS_EV_CONNMARK:
		return "connmark";
	case IPTS_EV_NOTE:
		break;
	}
	return "note";
}

static void print_possible(FILE *f, unsigned int possible, bool json)
{
	bool first = true;
	int o;

	for (o = 0; o < IPTS_OUTCOME_COUNT; o++) {
		if (!(possible & (1u << o)))
			continue;
		if (json) {
			fprintf(f, "%s\"%s\"", first ? "" : ", ",
				ipts_outcome_name(o));
		} else {
			fprintf(f, "%s%s", first ? "" : ", ",
				ipts_outcome_name(o));
		}
		first = false;
	}
}

static void print_headline(FILE *f, const struct ipts_query *q,
			   const struct ipts_result *res)
{
	char dst[32];
	unsigned int i;

	ipts_fmt_addr(dst, sizeof(dst), q->dst, q->dport);
	if (q->proto == IPPROTO_UDP)
		fprintf(f, "send() from uid %u to %s/udp: ", q->uid, dst);
	else
		fprintf(f, "connect() from uid %u to %s: ", q->uid, dst);
	fputs(outcome_words(res->outcome), f);
	if (res->outcome == IPTS_UNDETERMINED) {
		fputs(" — possible: ", f);
		print_possible(f, res->possible & ~(1u << IPTS_UNDETERMINED),
			       false);
		if (res->possible & (1u << IPTS_UNDETERMINED))
			fputs(res->possible == (1u << IPTS_UNDETERMINED) ?
			      "any" : ", or any other", f);
		fputs("; the file cannot decide every rule on the way\n", f);
		for (i = 0; i < res->nways; i++)
			fprintf(f, "  %s: %s\n",
				ipts_outcome_name(res->ways[i].outcome),
				res->ways[i].why);
		return;
	}
	if (res->why[0])
		fprintf(f, " — %s", res->why);
	fputc('\n', f);
}

static void print_reason_text(FILE *f, const struct ipts_reason *r)
{
	if (r->rule)
		fprintf(f, "  %s:%u: %.*s: %s\n",
			r->rule->loc.src ? r->rule->loc.src->name : "?",
			r->rule->loc.line, ipts_rule_text_len(r->rule),
			ipts_rule_text(r->rule), r->why);
	else
		fprintf(f, "  %s\n", r->why);
}

static void print_text(FILE *f, const struct ipts_query *q,
		       const struct ipts_result *res)
{
	unsigned int i;
	size_t k, e;
	bool any = false;

	print_headline(f, q, res);
	for (k = 0; k < res->nreasons; k++)
		if (res->reasons[k].changes_outcome)
			any = true;
	if (any) {
		fputs("depends on:\n", f);
		for (k = 0; k < res->nreasons; k++)
			if (res->reasons[k].changes_outcome)
				print_reason_text(f, &res->reasons[k]);
	} else if (res->nreasons) {
		fputs("not decided by the file, but the outcome is the same "
		      "either way:\n", f);
		for (k = 0; k < res->nreasons; k++)
			print_reason_text(f, &res->reasons[k]);
	}
	fprintf(f, "conntrack: %s\n", res->conntrack ? "on" : "off");
	if (res->outcome == IPTS_UNDETERMINED && res->npackets)
		fputs("path shown: the first way explored (rules the file "
		      "cannot decide do not match, random NAT ports are the "
		      "lowest)\n", f);
	for (i = 0; i < res->npackets; i++) {
		const struct ipts_packet *p = &res->packets[i];
		char s[48], d[48];
		bool ports = p->kind != IPTS_PKT_ICMP;

		fmt_end(s, sizeof(s), p->saddr, ports, p->sport, p->sport_hi);
		fmt_end(d, sizeof(d), p->daddr, ports, p->dport, p->dport_hi);
		fprintf(f, "\n%s %s -> %s", p->name, s, d);
		if (p->kind == IPTS_PKT_SYN || p->kind == IPTS_PKT_ACK ||
		    p->kind == IPTS_PKT_DATA)
			fprintf(f, " (uid %u)", q->uid);
		else if (p->kind == IPTS_PKT_SYNACK ||
			 p->kind == IPTS_PKT_REPLY)
			fprintf(f, " (uid %u)", q->server_uid);
		else
			fputs(" (kernel)", f);
		fprintf(f, ": %s\n", verdict_name(p->verdict));
		for (k = 0, e = 0; k <= p->ntrace; k++) {
			char buf[256];

			for (; e < p->nev && p->ev[e].after == k; e++)
				fprintf(f, "  %s%s\n",
					p->ev[e].kind == IPTS_EV_NAT ? "nat: " :
					"", p->ev[e].text);
			if (k == p->ntrace)
				break;
			ipts_trace_format(&p->trace[k], buf, sizeof(buf));
			fprintf(f, "  TRACE: %s\n", buf);
		}
	}
}

static void print_kernel_trace(FILE *f, const struct ipts_result *res)
{
	unsigned int i;
	size_t k;

	for (i = 0; i < res->npackets; i++) {
		const struct ipts_packet *p = &res->packets[i];

		for (k = 0; k < p->ntrace; k++) {
			char buf[256];

			if (!p->trace[k].kernel_logged)
				continue;
			ipts_trace_format(&p->trace[k], buf, sizeof(buf));
			fprintf(f, "TRACE: %s\n", buf);
		}
	}
}

/* --- json ------------------------------------------------------------ */

static void json_loc_rule(FILE *f, const struct ipts_trace *t)
{
	const struct ipts_chain *c = t->chain;

	if (t->rule) {
		fputs(", \"file\": ", f);
		ipts_json_str(f, t->rule->loc.src ? t->rule->loc.src->name :
			      NULL);
		fprintf(f, ", \"line\": %u, \"rule\": ", t->rule->loc.line);
		ipts_json_strn(f, ipts_rule_text(t->rule),
			       (size_t)ipts_rule_text_len(t->rule));
	} else if (c->loc.src) {
		size_t n = 0;
		const char *line = ipts_source_line(c->loc.src, c->loc.off, &n);

		fputs(", \"file\": ", f);
		ipts_json_str(f, c->loc.src->name);
		fprintf(f, ", \"line\": %u, \"rule\": ", c->loc.line);
		ipts_json_strn(f, line, n);
	} else {
		fputs(", \"file\": null, \"line\": null, \"rule\": null", f);
	}
}

static void print_json(FILE *f, const struct ipts_query *q,
		       const struct ipts_result *res, bool kernel_only)
{
	unsigned int i;
	size_t k;
	char a[48];

	fputs("{\"outcome\": ", f);
	ipts_json_str(f, ipts_outcome_name(res->outcome));
	fputs(", \"decided_by\": ", f);
	if (res->outcome != IPTS_UNDETERMINED && res->decided_pkt >= 0 &&
	    res->decided_idx >= 0) {
		const struct ipts_packet *p = &res->packets[res->decided_pkt];
		const struct ipts_trace *t = &p->trace[res->decided_idx];

		fputs("{\"packet\": ", f);
		ipts_json_str(f, p->name);
		fputs(", \"table\": ", f);
		ipts_json_str(f, t->chain->table->name);
		fputs(", \"chain\": ", f);
		ipts_json_str(f, t->chain->name);
		fputs(", \"type\": ", f);
		ipts_json_str(f, ipts_trace_type_name(t->type));
		fprintf(f, ", \"num\": %u", t->num);
		json_loc_rule(f, t);
		fputc('}', f);
	} else {
		fputs("null", f);
	}
	fputs(", \"why\": ", f);
	ipts_json_str(f, res->outcome == IPTS_UNDETERMINED ? NULL : res->why);
	fputs(", \"query\": {\"proto\": ", f);
	ipts_json_str(f, q->proto == IPPROTO_UDP ? "udp" : "tcp");
	ipts_fmt_addr(a, sizeof(a), q->src, -1);
	fputs(", \"src\": ", f);
	ipts_json_str(f, a);
	ipts_fmt_addr(a, sizeof(a), q->dst, -1);
	fputs(", \"dst\": ", f);
	ipts_json_str(f, a);
	fprintf(f, ", \"sport\": %u, \"dport\": %u, \"uid\": %u, \"gid\": %u, "
		"\"server_uid\": %u, \"server_gid\": %u, \"listener\": %s}",
		q->sport, q->dport, q->uid, q->gid, q->server_uid,
		q->server_gid, q->no_listener ? "false" : "true");
	fprintf(f, ", \"conntrack\": %s", res->conntrack ? "true" : "false");
	fputs(", \"packets\": [", f);
	for (i = 0; i < res->npackets; i++) {
		const struct ipts_packet *p = &res->packets[i];
		bool ports = p->kind != IPTS_PKT_ICMP, first = true;

		fprintf(f, "%s{\"name\": ", i ? ", " : "");
		ipts_json_str(f, p->name);
		fprintf(f, ", \"from\": \"%s\"", p->from_client ? "client" :
			"server");
		fmt_end(a, sizeof(a), p->saddr, ports, p->sport, p->sport_hi);
		fputs(", \"src\": ", f);
		ipts_json_str(f, a);
		fmt_end(a, sizeof(a), p->daddr, ports, p->dport, p->dport_hi);
		fputs(", \"dst\": ", f);
		ipts_json_str(f, a);
		fputs(", \"trace\": [", f);
		for (k = 0; k < p->ntrace; k++) {
			char buf[256];

			if (kernel_only && !p->trace[k].kernel_logged)
				continue;
			ipts_trace_format(&p->trace[k], buf, sizeof(buf));
			fputs(first ? "" : ", ", f);
			ipts_json_str(f, buf);
			first = false;
		}
		fputs("], \"seen\": [", f);
		first = true;
		for (k = 0; k < p->ntrace; k++) {
			char buf[128];

			if (kernel_only && !p->trace[k].kernel_logged)
				continue;
			ipts_trace_format_seen(&p->trace[k], buf, sizeof(buf));
			fputs(first ? "" : ", ", f);
			ipts_json_str(f, buf);
			first = false;
		}
		fputs("], \"verdict\": ", f);
		ipts_json_str(f, verdict_name(p->verdict));
		fputs(", \"nat\": [", f);
		first = true;
		for (k = 0; k < p->nev; k++) {
			if (p->ev[k].kind != IPTS_EV_NAT)
				continue;
			fprintf(f, "%s{\"hook\": \"%s\", \"change\": ",
				first ? "" : ", ", hook_name(p->ev[k].hook));
			ipts_json_str(f, p->ev[k].text);
			fputc('}', f);
			first = false;
		}
		fprintf(f, "], \"mark\": %u, \"connmark\": %u, \"ctstate\": ",
			p->mark, p->connmark);
		ipts_json_str(f, p->ctstate);
		fputs(", \"events\": [", f);
		for (k = 0; k < p->nev; k++) {
			fprintf(f, "%s{\"after\": %zu, \"hook\": \"%s\", "
				"\"kind\": \"%s\", \"text\": ", k ? ", " : "",
				p->ev[k].after, hook_name(p->ev[k].hook),
				event_kind_name(p->ev[k].kind));
			ipts_json_str(f, p->ev[k].text);
			fputc('}', f);
		}
		fputs("]}", f);
	}
	fputs("], \"reasons\": [", f);
	for (k = 0, i = 0; k < res->nreasons; k++) {
		const struct ipts_reason *r = &res->reasons[k];

		fputs(i++ ? ", {\"rule\": " : "{\"rule\": ", f);
		if (r->rule)
			ipts_json_strn(f, ipts_rule_text(r->rule),
				       (size_t)ipts_rule_text_len(r->rule));
		else
			fputs("null", f);
		fputs(", \"file\": ", f);
		ipts_json_str(f, r->rule && r->rule->loc.src ?
			      r->rule->loc.src->name : NULL);
		if (r->rule)
			fprintf(f, ", \"line\": %u", r->rule->loc.line);
		else
			fputs(", \"line\": null", f);
		fputs(", \"why\": ", f);
		ipts_json_str(f, r->why);
		fprintf(f, ", \"changes_outcome\": %s}",
			r->changes_outcome ? "true" : "false");
	}
	fputs("], \"possible_outcomes\": [", f);
	print_possible(f, res->possible, true);
	fputs("], \"ways\": [", f);
	for (i = 0; i < res->nways; i++) {
		fprintf(f, "%s{\"outcome\": ", i ? ", " : "");
		ipts_json_str(f, ipts_outcome_name(res->ways[i].outcome));
		fputs(", \"why\": ", f);
		ipts_json_str(f, res->ways[i].why);
		fputc('}', f);
	}
	fputs("]}\n", f);
}

/* --- command ----------------------------------------------------------- */

int cmd_trace(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "dport", required_argument, NULL, OPT_DPORT },
		{ "sport", required_argument, NULL, OPT_SPORT },
		{ "uid", required_argument, NULL, OPT_UID },
		{ "gid", required_argument, NULL, OPT_GID },
		{ "server-uid", required_argument, NULL, OPT_SUID },
		{ "server-gid", required_argument, NULL, OPT_SGID },
		{ "src", required_argument, NULL, OPT_SRC },
		{ "dst", required_argument, NULL, OPT_DST },
		{ "local-addr", required_argument, NULL, OPT_LOCAL },
		{ "proto", required_argument, NULL, OPT_PROTO },
		{ "no-listener", no_argument, NULL, OPT_NOLISTEN },
		{ "listen", required_argument, NULL, OPT_LISTEN },
		{ "conntrack", required_argument, NULL, OPT_CONNTRACK },
		{ "fresh", no_argument, NULL, OPT_FRESH },
		{ "kernel-trace", no_argument, NULL, OPT_KTRACE },
		{ "format", required_argument, NULL, OPT_FORMAT },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct ipts_parse_opts popts = { 0 };
	struct ipts_source *src = NULL;
	struct ipts_ruleset *rs;
	struct ipts_result res;
	struct ipts_query q;
	enum ipts_format fmt = IPTS_FMT_TEXT;
	bool ktrace = false;
	uint32_t v;
	int c, rc;

	ipts_query_init(&q);
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
		switch (c) {
		case OPT_DPORT:
		case OPT_SPORT:
			if (!parse_u32(optarg, 65535, &v) || v == 0)
				return ipts_usage_error("trace", "invalid port "
							"'%s'", optarg);
			if (c == OPT_DPORT)
				q.dport = v;
			else
				q.sport = v;
			break;
		case OPT_UID:
		case OPT_GID:
		case OPT_SUID:
		case OPT_SGID:
			if (!parse_u32(optarg, 0xfffffffeUL, &v))
				return ipts_usage_error("trace", "invalid %s "
					"'%s': give a number",
					c == OPT_UID || c == OPT_SUID ? "uid" :
					"gid", optarg);
			if (c == OPT_UID)
				q.uid = v;
			else if (c == OPT_GID)
				q.gid = v;
			else if (c == OPT_SUID)
				q.server_uid = v;
			else
				q.server_gid = v;
			break;
		case OPT_SRC:
		case OPT_DST:
		case OPT_LOCAL:
			if (!parse_addr(optarg, &v))
				return ipts_usage_error("trace", "invalid IPv4 "
							"address '%s'", optarg);
			if (c == OPT_SRC) {
				q.src = v;
			} else if (c == OPT_DST) {
				q.dst = v;
			} else {
				if (q.nlocal == IPTS_QUERY_MAX_LOCAL)
					return ipts_usage_error("trace",
						"at most %d --local-addr",
						IPTS_QUERY_MAX_LOCAL);
				q.local_addrs[q.nlocal++] = v;
			}
			break;
		case OPT_PROTO:
			if (strcmp(optarg, "tcp") == 0)
				q.proto = IPPROTO_TCP;
			else if (strcmp(optarg, "udp") == 0)
				q.proto = IPPROTO_UDP;
			else
				return ipts_usage_error("trace", "invalid "
					"protocol '%s': tcp or udp", optarg);
			break;
		case OPT_NOLISTEN:
			q.no_listener = true;
			break;
		case OPT_LISTEN:
			if (q.nlisten == IPTS_QUERY_MAX_LOCAL)
				return ipts_usage_error("trace", "at most %d "
					"--listen", IPTS_QUERY_MAX_LOCAL);
			if (parse_listen(optarg, &q))
				return ipts_usage_error("trace", "invalid "
					"--listen '%s': [ADDRESS:]PORT",
					optarg);
			break;
		case OPT_CONNTRACK:
			if (strcmp(optarg, "on") == 0)
				q.conntrack = IPTS_CT_ON;
			else if (strcmp(optarg, "off") == 0)
				q.conntrack = IPTS_CT_OFF;
			else
				return ipts_usage_error("trace", "invalid "
					"--conntrack '%s': on or off", optarg);
			break;
		case OPT_FRESH:
			q.fresh = true;
			break;
		case OPT_KTRACE:
			ktrace = true;
			break;
		case OPT_FORMAT:
			if (ipts_format_parse(optarg, 1u << IPTS_FMT_TEXT |
					      1u << IPTS_FMT_JSON, &fmt) < 0)
				return ipts_usage_error("trace", "invalid "
					"format '%s': text or json", optarg);
			break;
		case 'h':
			fputs(usage_text, stdout);
			return IPTS_EXIT_YES;
		case ':':
			return ipts_usage_error("trace", "option '%s' needs a "
						"value", argv[optind - 1]);
		default:
			return ipts_usage_error("trace", "unknown option '%s'",
						argv[optind - 1]);
		}
	}
	if (argc - optind != 1)
		return ipts_usage_error("trace", "expected one FILE");
	for (v = 0; v < q.nlisten; v++)
		if (!q.listen[v].addr)
			q.listen[v].addr = q.dst;

	rs = ipts_cli_load("trace", argv[optind], &popts, &src);
	if (!rs) {
		ipts_source_free(src);
		return IPTS_EXIT_USAGE;
	}
	ipts_result_init(&res);
	if (ipts_simulate(rs, &q, &res) < 0) {
		fprintf(stderr, "iptsim trace: %s\n", res.why);
		rc = IPTS_EXIT_USAGE;
		goto out;
	}
	if (fmt == IPTS_FMT_JSON)
		print_json(stdout, &q, &res, ktrace);
	else if (ktrace)
		print_kernel_trace(stdout, &res);
	else
		print_text(stdout, &q, &res);
	switch (res.outcome) {
	case IPTS_CONNECTED:
	case IPTS_DELIVERED:
		rc = IPTS_EXIT_YES;
		break;
	case IPTS_UNDETERMINED:
		rc = IPTS_EXIT_UNDETERMINED;
		break;
	default:
		rc = IPTS_EXIT_NO;
		break;
	}
out:
	ipts_result_free(&res);
	ipts_ruleset_free(rs);
	ipts_source_free(src);
	return rc;
}
