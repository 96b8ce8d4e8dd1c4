/*
 * cmd_trace.c - `iptsim trace FILE [options]`: what a local connection
 * meets on its way through FILE's rules, the way the kernel would log it
 * with TRACE, and what connect() (or send() for UDP) makes of it.
 */
#include "cli.h"

#include <getopt.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

#include "diag.h"
#include "dot.h"
#include "host.h"
#include "host_opts.h"
#include "input.h"
#include "legs.h"
#include "model.h"
#include "parser.h"
#include "query.h"
#include "report.h"
#include "sim.h"

/* clang-format off */
static const char usage_text[] =
	"usage: iptsim trace FILE [options]\n"
	"       iptsim trace RULES.V4 RULES.V6 [--dst NAME] [options]\n"
	"\n"
	"Predict what a connection between two processes of one host meets in\n"
	"FILE's rules (an iptables-save file, '-' for standard input): each\n"
	"packet's path in the kernel's TRACE format, and what connect() (TCP)\n"
	"or send() (UDP) returns. Both ends are local (packets go over lo)\n"
	"unless a host is described (--host, --iface) and --in names the\n"
	"interface the client's packets arrive on: the client is then\n"
	"another host, at --src.\n"
	"\n"
	"  --proto tcp|udp      protocol (default tcp)\n"
	"  --src A, --dst A     client and server address (default 127.0.0.1;\n"
	"                       ::1 for an IPv6 file, whose query's\n"
	"                       addresses are IPv6; a link-local --dst\n"
	"                       takes its zone: fe80::1%eth0)\n"
	"  --dst NAME           a host name: each of its addresses, in the\n"
	"                       order getaddrinfo() gives them for --hosts\n"
	"                       FILE (default: Debian 12's /etc/hosts, where\n"
	"                       localhost is ::1, then 127.0.0.1), answered\n"
	"                       on the file of its family, then what a client\n"
	"                       trying them in order sees (README \"Both\n"
	"                       families at once\")\n"
	"  --sport N            client port (default 40000, a fixed ephemeral\n"
	"                       port)\n"
	"  --dport N            server port (default 1060; the answer says\n"
	"                       so when it was not given)\n"
	"  --uid U, --gid G     client process uid (default 0) and gid\n"
	"                       (default: the uid, a user's own primary\n"
	"                       group; the answer says so when a --gid-owner\n"
	"                       rule read it)\n"
	"  --server-uid U, --server-gid G\n"
	"                       server process uid (default 0) and gid\n"
	"                       (default: the server's uid)\n"
	"  --local-addr A       another address of this host, on lo\n"
	"                       (repeatable); --src and --dst must be local:\n"
	"                       in 127.0.0.0/8 or given here\n"
	"  --no-listener        nothing listens on --dst:--dport\n"
	"  --no-ndp             IPv6: the neighbours' link addresses are\n"
	"                       known (no neighbour discovery first)\n"
	"  --listen [A:]N       a server (same uid) also listens on port N of\n"
	"                       address A (default --dst); repeatable\n"
	"  --conntrack on|off   override whether connections are tracked\n"
	"                       (default: as the file implies)\n"
	"  --in IFACE           the client is another host, its packets\n"
	"                       arrive on IFACE of the described host (needs\n"
	"                       --src; no --uid or --gid)\n"
	"  --fresh              assume the rules were just loaded (limits\n"
	"                       full, counters at zero, recent lists empty,\n"
	"                       quotas unspent)\n"
	"  --kernel-trace       print only the TRACE: lines the kernel would\n"
	"                       log given the file's own TRACE rules\n"
	"  --format text|json|dot\n"
	"                       output format (default text); dot: the\n"
	"                       graph of `iptsim graph` with each packet's\n"
	"                       path drawn over it, bold and numbered, the\n"
	"                       deciding rule's chain filled\n"
	"  -q, --quiet          print nothing: the exit status answers\n"
	IPTS_HOST_HELP
	IPTS_INPUT_HELP
	IPTS_BUDGET_HELP
	"  -h, --help           show this help\n"
	"\n"
	"Exit status: 0 connected (udp: delivered), 1 not, 2 usage error or a\n"
	"file that does not load, 3 undetermined.\n";
/* clang-format on */

enum {
	OPT_KTRACE = IPTS_QOPT_END,
	OPT_FORMAT,
};

/* --- text ------------------------------------------------------------ */

/* The sentences quote rule text, chain names and comments: escaped. */
static void print_reason_text(FILE *f, const struct ipts_reason *r)
{
	fputs("  ", f);
	if (r->rule) {
		ipts_text_file(f, r->rule->loc.src ? r->rule->loc.src->name :
			       "?");
		fprintf(f, ":%u: ", r->rule->loc.line);
		ipts_text_strn(f, ipts_rule_text(r->rule),
			       (size_t)ipts_rule_text_len(r->rule));
		fputs(": ", f);
	}
	ipts_text_str(f, r->why);
	fputc('\n', f);
}

/* Where a path longer than --max-trace-lines was cut. */
static void print_cut(FILE *f, const struct ipts_packet *p, const char *indent)
{
	fprintf(f, "%s... %llu%s TRACE lines of the %s left out "
		"(--max-trace-lines %zu: the first %zu and the last are shown)"
		" ...\n", indent, (unsigned long long)p->trace_omitted,
		p->trace_omitted == UINT64_MAX ? " or more" : "", p->name,
		p->ntrace, p->ntrace - 1);
}

/* Where the notes of a packet past --max-trace-lines were cut. */
static void print_ev_cut(FILE *f, const struct ipts_packet *p)
{
	fprintf(f,
		"  ... %llu more notes of the %s left out "
		"(--max-trace-lines %zu: the first %zu are shown) ...\n",
		(unsigned long long)p->ev_omitted, p->name, p->nev, p->nev);
}

/* An event under the trace line it follows; an undecided rule with its
 * line in the file and why (rule text and file names escaped). */
static void print_event(FILE *f, const struct ipts_event *ev)
{
	const struct ipts_rule *r = ev->rule;

	if (ev->kind == IPTS_EV_NAT)
		fputs("  nat: ", f);
	else if (ev->kind == IPTS_EV_UNDECIDED)
		fputs("  undecided: ", f);
	else
		fputs("  ", f);
	ipts_text_str(f, ev->text);
	if (ev->kind == IPTS_EV_UNDECIDED && r) {
		fputs(" (", f);
		ipts_text_file(f, r->loc.src ? r->loc.src->name : "?");
		fprintf(f, ":%u: ", r->loc.line);
		ipts_text_str(f, ev->why ? ev->why : "not decided by the file");
		fputc(')', f);
	}
	fputc('\n', f);
}

/* The "path:" line: which way the first packet took through the host. */
static void print_path(FILE *f, const struct ipts_query *q,
		       const struct ipts_result *res)
{
	const struct ipts_packet *first = ipts_result_first(res);
	const char *out = first ? first->out : NULL;
	char a[32];
	bool dnat;

	switch (res->path) {
	case IPTS_PATH_LOCAL:
		fprintf(f, "path: local — client and server are processes of "
			   "this host; every packet goes out and back in on "
			   "lo\n");
		return;
	case IPTS_PATH_INPUT:
		fprintf(f, "path: input — the client is another host, its "
			   "packets arrive on ");
		ipts_text_str(f, ipts_dev_word(q->in));
		fputs("; the server is a process of this host\n", f);
		return;
	case IPTS_PATH_OUTPUT:
		fprintf(f, "path: output — the client is a process of this "
			   "host, the server another host; packets leave by ");
		ipts_text_str(f, ipts_dev_word(out));
		fputc('\n', f);
		return;
	case IPTS_PATH_FORWARD:
		ipts_forward_to(q, res, a, sizeof(a), &dnat);
		fprintf(f, "path: forward — client and server are other hosts; "
			   "packets arrive on ");
		ipts_text_str(f, ipts_dev_word(q->in));
		fprintf(f, " and leave by ");
		ipts_text_str(f, ipts_dev_word(out));
		fprintf(f, " to %s%s\n", a, dnat ? ", after DNAT" : "");
		return;
	case IPTS_PATH_NONE:
		fputs("path: none — ", f);
		ipts_text_str(f, res->stopped[0] ? res->stopped :
						   "stopped before the routing "
						   "decision");
		fputc('\n', f);
		return;
	}
}

/* Whether @p was sent by a host other than this one: no uid owns it. */
static bool other_host(const struct ipts_query *q,
		       const struct ipts_result *res,
		       const struct ipts_packet *p)
{
	if (p->kind == IPTS_PKT_RST || p->kind == IPTS_PKT_ICMP)
		return false;	/* this host's kernel answers */
	/* the NS of the side that waits, the other's NA */
	if (p->kind == IPTS_PKT_NS || p->kind == IPTS_PKT_NA)
		return p->from_client == (q->in != NULL);
	if (p->from_client)
		return q->in != NULL;
	return res->path == IPTS_PATH_OUTPUT || res->path == IPTS_PATH_FORWARD;
}

/* The route taken and the host facts the answer read. */
static void print_host(FILE *f, const struct ipts_result *res)
{
	unsigned int i;

	if (res->route[0]) {
		fputs("route: ", f);
		ipts_text_str(f, res->route);
		fputc('\n', f);
	}
	if (!res->nfacts)
		return;
	fputs("host facts:\n", f);
	for (i = 0; i < res->nfacts; i++) {
		fputs("  ", f);
		ipts_text_str(f, res->facts[i].key);
		if (res->facts[i].value < 0) /* an assumption, in words */
			fputc('\n', f);
		else
			fprintf(f, " = %ld (%s)\n", res->facts[i].value,
				res->facts[i].given ? "given" : "default");
	}
}

/* -j SET: what the shown way did to the sets, in a line each. */
static void print_sets_after(FILE *f, const struct ipts_result *res)
{
	const char *l;
	size_t k;

	if (!res->sets_tracked)
		return;
	if (!res->nset_changes && !res->sets_after) {
		fputs("ipsets after: unchanged\n", f);
		return;
	}
	fputs("ipsets after (the shown way; --format json gives them as "
	      "`ipset save` text for the next --ipsets):\n",
	      f);
	for (k = 0; k < res->nset_changes; k++) {
		fputs("  ", f);
		ipts_text_str(f, res->set_changes[k].set);
		fprintf(f, ": %s ", res->set_changes[k].op);
		ipts_text_str(f, res->set_changes[k].elem);
		fputc('\n', f);
	}
	for (l = res->sets_after; l && *l; l += strcspn(l, "\n") + 1) {
		/* the save text's comment for a set left unknown */
		if (*l != '#')
			continue;
		fputs("  ", f);
		ipts_text_strn(f, l + 2, strcspn(l + 2, "\n"));
		fputc('\n', f);
		if (!l[strcspn(l, "\n")])
			break;
	}
}

static void print_text(FILE *f, const struct ipts_query *q,
		       const struct ipts_result *res,
		       const struct ipts_notes *notes, bool described)
{
	unsigned int i;
	size_t k, e;
	bool any = false;

	ipts_answer_headline(f, q, res, false);
	print_path(f, q, res);
	print_host(f, res);
	for (i = 0; i < notes->n; i++) {
		fputs("note: ", f);
		ipts_text_str(f, notes->v[i]);
		fputc('\n', f);
	}
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
	print_sets_after(f, res);
	if (res->outcome == IPTS_UNDETERMINED && res->npackets)
		fputs("path shown: the first way explored, as on a "
		      "just-loaded ruleset (limit and hashlimit buckets "
		      "full, recent lists empty, quotas unspent, nth counters "
		      "at zero; other rules the file cannot decide do not "
		      "match; random NAT ports are the lowest)\n", f);
	for (i = 0; i < res->npackets; i++) {
		const struct ipts_packet *p = &res->packets[i];
		char s[IPTS_ENDPOINT_LEN + 8], d[IPTS_ENDPOINT_LEN + 8];
		bool ports = p->kind != IPTS_PKT_ICMP &&
			     p->kind != IPTS_PKT_NS && p->kind != IPTS_PKT_NA;

		ipts_fmt_end(s, sizeof(s), p->family, &p->saddr, ports,
			     p->sport, p->sport_hi);
		ipts_fmt_end(d, sizeof(d), p->family, &p->daddr, ports,
			     p->dport, p->dport_hi);
		fprintf(f, "\n%s%s", p->name,
			p->retransmission ? " (sent again 1 s later)" : "");
		if (p->resent)
			fprintf(f, " (resent %u, +%u.%u s)", p->resent,
				p->resent_ms / 1000, p->resent_ms % 1000 / 100);
		fprintf(f, " %s -> %s", s, d);
		/* the devices: only when there are others than lo */
		if (described) {
			fputs(" in ", f);
			ipts_text_str(f, ipts_dev_word(p->in));
			fputs(" out ", f);
			ipts_text_str(f, ipts_dev_word(p->out));
		}
		if (other_host(q, res, p))
			fputs(" (other host)", f);
		else if (p->kind == IPTS_PKT_SYN || p->kind == IPTS_PKT_ACK ||
			 p->kind == IPTS_PKT_DATA)
			fprintf(f, " (uid %u)", q->uid);
		else if (p->kind == IPTS_PKT_SYNACK ||
			 p->kind == IPTS_PKT_REPLY)
			fprintf(f, " (uid %u)", q->server_uid);
		else
			fputs(" (kernel)", f);
		fprintf(f, ": %s\n", ipts_verdict_name(p->verdict));
		for (k = 0, e = 0; k <= p->ntrace; k++) {
			char buf[256];

			if (p->trace_omitted && k + 1 == p->ntrace)
				print_cut(f, p, "  ");
			for (; e < p->nev && p->ev[e].after == k; e++)
				print_event(f, &p->ev[e]);
			if (p->ev_omitted && e == p->nev && e &&
			    p->ev[e - 1].after == k)
				print_ev_cut(f, p);
			if (k == p->ntrace)
				break;
			ipts_trace_format(&p->trace[k], buf, sizeof(buf));
			fputs("  TRACE: ", f);
			ipts_text_str(f, buf);	/* chain names */
			fputc('\n', f);
		}
	}
}

/* The protocol word the kernel logs for packet @p of connection @q. */
static const char *proto_word(const struct ipts_query *q,
			      const struct ipts_packet *p)
{
	if (p->kind == IPTS_PKT_ICMP)
		return "ICMP";
	return q->proto == IPPROTO_UDP ? "UDP" : "TCP";
}

/* An IPv6 address as nf_log_ipv6 prints it: eight groups of four hex
 * digits (%pI6). */
static void fmt_full6(char *buf, size_t len, const union nf_inet_addr *a)
{
	const uint8_t *b = a->in6.s6_addr;

	snprintf(buf, len,
		 "%02x%02x:%02x%02x:%02x%02x:%02x%02x:%02x%02x:%02x%02x:"
		 "%02x%02x:%02x%02x",
		 b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9],
		 b[10], b[11], b[12], b[13], b[14], b[15]);
}

/*
 * The rest of an IPv6 TRACE line as nf_log_ipv6 prints it, up to the
 * fields that tell a path (seen in a namespace over lo): IN= OUT= (and
 * lo's all-zero MAC= on input) SRC= DST= LEN= TC= HOPLIMIT= FLOWLBL=
 * PROTO= SPT= DPT= (ICMPv6: TYPE= CODE=). The flow label is a hash the
 * kernel picks per connection (auto_flowlabels), printed '*'.
 */
/* Whether a NAT rewrote a packet of the connection: the inner header
 * of an ICMPv6 error is then translated on its way (the kernel's
 * nf_nat_icmpv6_reply_translation()), which print_inner6() does not
 * follow. */
static bool natted(const struct ipts_result *res)
{
	unsigned int i;
	size_t e;

	for (i = 0; i < res->npackets; i++)
		for (e = 0; e < res->packets[i].nev; e++)
			if (res->packets[i].ev[e].kind == IPTS_EV_NAT)
				return true;
	return false;
}

/*
 * The offending packet an ICMPv6 error @p (packet @idx) carries, as
 * nf_log_ipv6 prints it in brackets after CODE= (dump_ipv6_packet()
 * called again on the inner header): " [SRC= DST= LEN= TC= HOPLIMIT=
 * FLOWLBL=* PROTO= SPT= DPT=", cut where the outer line is cut for TCP
 * (the kernel goes on: SEQ=, ACK=, WINDOW=, flags..., then " ]"), whole
 * for UDP (" LEN= ]"), so that the line is the kernel's up to there. The packet is the one
 * REJECT answered, as the rule that rejected it saw it; nothing when a
 * NAT rewrote the connection (see natted()).
 */
static void print_inner6(FILE *f, const struct ipts_query *q,
			 const struct ipts_result *res, unsigned int idx)
{
	const struct ipts_packet *o = NULL;
	const struct ipts_trace *t;
	char sa[48], da[48];
	unsigned int i;

	for (i = 0; i < res->npackets; i++)
		if (res->packets[i].answer == (int)idx)
			o = &res->packets[i];
	if (!o || o->kind == IPTS_PKT_ICMP || o->decided < 0 ||
	    (size_t)o->decided >= o->ntrace || natted(res))
		return;
	t = &o->trace[o->decided];
	fmt_full6(sa, sizeof(sa), &t->saddr);
	fmt_full6(da, sizeof(da), &t->daddr);
	fprintf(f,
		" [SRC=%s DST=%s LEN=%u TC=%u HOPLIMIT=%u FLOWLBL=* PROTO=%s "
		"SPT=%u DPT=%u",
		sa, da, o->len, o->tos, o->ttl,
		q->proto == IPPROTO_UDP ? "UDP" : "TCP", t->sport, t->dport);
	/* UDP's last field is its length (header and payload): all known */
	if (q->proto == IPPROTO_UDP && o->len >= 40)
		fprintf(f, " LEN=%u ]", o->len - 40u);
}

static void print_trace6(FILE *f, const struct ipts_query *q,
			 const struct ipts_result *res, unsigned int idx,
			 const struct ipts_trace *t)
{
	const struct ipts_packet *p = &res->packets[idx];

	char sa[48], da[48];

	fmt_full6(sa, sizeof(sa), &t->saddr);
	fmt_full6(da, sizeof(da), &t->daddr);
	fputs(" IN=", f);
	ipts_text_str(f, t->in ? t->in : "");
	fputs(" OUT=", f);
	ipts_text_str(f, t->out ? t->out : "");
	if (t->in && strcmp(t->in, "lo") == 0)
		fputs(" MAC=00:00:00:00:00:00:00:00:00:00:00:00:86:dd", f);
	fprintf(f, " SRC=%s DST=%s LEN=%u TC=%u HOPLIMIT=%u FLOWLBL=*", sa, da,
		p->len, p->tos, t->ttl);
	if (p->kind == IPTS_PKT_NS || p->kind == IPTS_PKT_NA) {
		fprintf(f, " PROTO=ICMPv6 TYPE=%u CODE=%u", p->icmp_type,
			p->icmp_code);
	} else if (p->kind == IPTS_PKT_ICMP) {
		fprintf(f, " PROTO=ICMPv6 TYPE=%u CODE=%u", p->icmp_type,
			p->icmp_code);
		print_inner6(f, q, res, idx);
	} else {
		fprintf(f, " PROTO=%s SPT=%u DPT=%u",
			q->proto == IPPROTO_UDP ? "UDP" : "TCP", t->sport,
			t->dport);
	}
}

/*
 * The kernel's TRACE lines: "TRACE: table:chain:type:num"; on a described
 * host, then the devices and the addresses as nf_log prints them
 * (IN= OUT= SRC= DST= PROTO= SPT= DPT=, the fields that tell a path).
 */
static void print_kernel_trace(FILE *f, const struct ipts_query *q,
			       const struct ipts_result *res, bool described)
{
	unsigned int i;
	size_t k;

	for (i = 0; i < res->npackets; i++) {
		const struct ipts_packet *p = &res->packets[i];

		for (k = 0; k < p->ntrace; k++) {
			char buf[256];

			if (p->trace_omitted && k + 1 == p->ntrace)
				print_cut(f, p, "");

			if (!p->trace[k].kernel_logged)
				continue;
			ipts_trace_format(&p->trace[k], buf, sizeof(buf));
			fputs("TRACE: ", f);
			ipts_text_str(f, buf);
			if (q->family == NFPROTO_IPV6) {
				print_trace6(f, q, res, i, &p->trace[k]);
			} else if (described) {
				const struct ipts_trace *t = &p->trace[k];
				char sa[20], da[20];

				ipts_fmt_addr(sa, sizeof(sa), t->saddr.ip, -1);
				ipts_fmt_addr(da, sizeof(da), t->daddr.ip, -1);
				fputs(" IN=", f);
				ipts_text_str(f, t->in ? t->in : "");
				fputs(" OUT=", f);
				ipts_text_str(f, t->out ? t->out : "");
				fprintf(f, " SRC=%s DST=%s PROTO=%s", sa, da,
					proto_word(q, p));
				if (p->kind != IPTS_PKT_ICMP)
					fprintf(f, " SPT=%u DPT=%u", t->sport,
						t->dport);
			}
			fputc('\n', f);
		}
	}
}

/* --- dot ---------------------------------------------------------------- */

static void dot_step(struct ipts_dot_step *s, const struct ipts_trace *t)
{
	s->chain = t->chain;
	s->rule = t->rule;
	s->type = ipts_trace_type_name(t->type);
	s->num = t->num;
	s->hook = t->hook;
}

/*
 * The path of each packet over the graph of @rs (report/dot.c): the
 * entries of its TRACE path, where it came from and went, the entry that
 * decided (or let the first packet through), the route taken.
 */
static int print_dot(FILE *f, const struct ipts_ruleset *rs,
		     const struct ipts_query *q, const struct ipts_result *res)
{
	struct ipts_dot_packet pk[IPTS_MAX_PACKETS];
	struct ipts_dot_step *steps[IPTS_MAX_PACKETS];
	struct ipts_dot_trace tr = { 0 };
	const struct ipts_packet *lp;
	const struct ipts_trace *lt;
	char dname[256], pname[256], *title = NULL;
	size_t tlen = 0, k;
	unsigned int i;
	FILE *m;
	int rc;

	m = open_memstream(&title, &tlen);
	if (!m)
		ipts_oom();
	ipts_answer_headline(m, q, res, true);
	if (fclose(m) != 0)
		ipts_oom();
	if (tlen && title[tlen - 1] == '\n')
		title[--tlen] = '\0';
	tr.title = title;
	/* the route taken; on lo (no host described) the path says it */
	if (res->path == IPTS_PATH_NONE)
		tr.route = res->stopped;
	else if (res->route[0])
		tr.route = res->route;
	else if (res->path == IPTS_PATH_LOCAL)
		tr.route = "local: out and back in on lo";
	for (i = 0; i < res->npackets; i++) {
		const struct ipts_packet *p = &res->packets[i];

		steps[i] = calloc(p->ntrace ? p->ntrace : 1, sizeof(**steps));
		if (!steps[i])
			ipts_oom();
		for (k = 0; k < p->ntrace; k++)
			dot_step(&steps[i][k], &p->trace[k]);
		pk[i] = (struct ipts_dot_packet){
			.name = p->name,
			.verdict = ipts_verdict_name(p->verdict),
			.steps = steps[i],
			.nsteps = p->ntrace,
			.omitted = p->trace_omitted,
			.from = other_host(q, res, p) ? IPTS_DOT_END_NETWORK :
							IPTS_DOT_END_LOCAL,
			.to = p->verdict != IPTS_V_DELIVERED ?
				      IPTS_DOT_END_NONE :
			      p->left_host ? IPTS_DOT_END_NETWORK :
					     IPTS_DOT_END_LOCAL,
		};
	}
	tr.packets = pk;
	tr.npackets = res->npackets;
	if (res->decided_pkt >= 0 &&
	    (unsigned int)res->decided_pkt < res->npackets &&
	    res->decided_idx >= 0 &&
	    (size_t)res->decided_idx < res->packets[res->decided_pkt].ntrace) {
		const struct ipts_trace *t =
			&res->packets[res->decided_pkt].trace[res->decided_idx];

		dot_step(&tr.decided, t);
		ipts_trace_name(t, dname, sizeof(dname));
		tr.decided_name = dname;
	} else if (res->outcome == IPTS_CONNECTED ||
		   res->outcome == IPTS_DELIVERED) {
		lt = ipts_result_let_through(res, &lp);
		if (lt) {
			dot_step(&tr.passed, lt);
			ipts_trace_name(lt, pname, sizeof(pname));
			tr.passed_name = pname;
		}
	}
	rc = ipts_dot_write(f, rs, -1, NULL, &tr);
	for (i = 0; i < res->npackets; i++)
		free(steps[i]);
	free(title);
	return rc;
}

/* --- both files at once (legs.c) --------------------------------------- */

struct leg_print {
	bool ktrace, described;
};

static void leg_text(FILE *f, const struct ipts_leg *l, void *arg)
{
	const struct leg_print *lp = arg;

	if (lp->ktrace)
		print_kernel_trace(f, &l->q, &l->res, lp->described);
	else
		print_text(f, &l->q, &l->res, &l->notes, lp->described);
}

/* trace RULES.V4 RULES.V6 --dst NAME: each leg as one file's trace. */
static int trace_legs(const struct ipts_legs_opts *lopts,
		      struct ipts_cli_input *in, struct ipts_cli_budget *budget,
		      const struct ipts_hostdesc *host,
		      const struct ipts_cli_ipsets *sets, enum ipts_format fmt,
		      bool ktrace, bool quiet, int nfiles, char **paths)
{
	struct ipts_diags keep = { 0 };
	struct ipts_legs_env env = {
		.cmd = "trace",
		.in = in,
		.budget = budget,
		.host = host,
		.sets = sets,
		.keep = fmt == IPTS_FMT_JSON ? &keep : NULL,
		.notes = !quiet,
	};
	struct leg_print lp = { .ktrace = ktrace, .described = host != NULL };
	struct ipts_legs L = { 0 };
	char why[512] = "";
	int rc;

	if (ipts_legs_resolve(&L, &env, lopts->dst, why, sizeof(why)) < 0)
		return why[0] ? ipts_usage_error("trace", "%s", why) :
				IPTS_EXIT_USAGE;
	if (ipts_legs_load(&L, &env, nfiles, paths, why, sizeof(why)) < 0) {
		if (fmt == IPTS_FMT_JSON)
			ipts_report_json_failure(stdout, why, L.failed, &keep);
		ipts_diags_free(&keep);
		ipts_legs_free(&L);
		return IPTS_EXIT_USAGE;
	}
	ipts_diags_free(&keep);
	ipts_legs_answer(&L, &env, ipts_legs_build_opts, (void *)lopts);
	if (quiet)
		;
	else if (fmt == IPTS_FMT_JSON)
		ipts_legs_print_json(stdout, &L,
				     ktrace ? IPTS_JSON_KERNEL_ONLY : 0);
	else
		ipts_legs_print_text(stdout, &L, leg_text, &lp);
	rc = ipts_legs_exit(&L);
	ipts_legs_free(&L);
	return rc;
}

/* --- command ----------------------------------------------------------- */

int cmd_trace(int argc, char **argv)
{
	static const struct option opts[] = {
		IPTS_QUERY_LONGOPTS,
		{ "kernel-trace", no_argument, NULL, OPT_KTRACE },
		{ "format", required_argument, NULL, OPT_FORMAT },
		{ "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		IPTS_INPUT_LONGOPTS,
		IPTS_BUDGET_LONGOPTS,
		IPTS_HOST_LONGOPTS,
		{ NULL, 0, NULL, 0 },
	};
	struct ipts_cli_input in;
	struct ipts_diags keep = { 0 };
	struct ipts_cli_budget budget;
	struct ipts_cli_host hopt;
	struct ipts_hostdesc *host = NULL;
	struct ipts_cli_ipsets sets = { 0 };
	struct ipts_source *src = NULL;
	const char *path;
	char why[512];
	struct ipts_ruleset *rs;
	struct ipts_sim_ctx *ctx;
	struct ipts_result res;
	struct ipts_query q;
	enum ipts_format fmt = IPTS_FMT_TEXT;
	bool ktrace = false, help = false, quiet = false, dot = false;
	struct ipts_file_facts ff;
	struct ipts_notes notes;
	struct ipts_result fres;
	bool fresh_run = false;
	char msg[256];
	struct ipts_legs_opts lopts;
	bool legs;
	int c, rc, nfiles;

	ipts_legs_opts_init(&lopts);
	ipts_query_init(&q);
	ipts_cli_input_init(&in);
	ipts_cli_budget_init(&budget);
	ipts_cli_host_init(&hopt);
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":hq" IPTS_INPUT_SHORTOPTS, opts,
				NULL)) != -1) {
		switch (c) {
		case 'q':
			quiet = true;
			break;
		case OPT_KTRACE:
			ktrace = true;
			break;
		case OPT_FORMAT:
			dot = strcmp(optarg, "dot") == 0;
			if (dot) {
				fmt = IPTS_FMT_TEXT;
				break;
			}
			if (ipts_format_parse(optarg, 1u << IPTS_FMT_TEXT |
					      1u << IPTS_FMT_JSON, &fmt) < 0)
				return ipts_usage_error(
					"trace",
					"invalid format '%s': text, json or dot",
					optarg);
			break;
		case 'h':
			help = true;
			break;
		case ':':
			return ipts_usage_error("trace", "option '%s' needs a "
						"value", argv[optind - 1]);
		default:
			switch (ipts_cli_shared_opt(&in, &budget, &hopt,
						    "trace", c, optarg)) {
			case 1:
				continue;
			case -1:
				return IPTS_EXIT_USAGE;
			}
			if (c < IPTS_QOPT_DPORT || c >= IPTS_QOPT_END)
				return ipts_cli_unknown_option("trace", argv);
			switch (ipts_legs_opts_keep(&lopts, "trace", c,
						    optarg)) {
			case 1:
				continue; /* a name: the legs' */
			case -1:
				return IPTS_EXIT_USAGE;
			}
			if (ipts_query_option(&q, c, optarg, msg,
					      sizeof(msg)) < 0)
				return ipts_usage_error("trace", "%s", msg);
			break;
		}
	}
	if (help)
		return ipts_cli_help("trace", usage_text, argc - optind);
	nfiles = argc - optind;
	if (nfiles < 1 || nfiles > 2)
		return ipts_usage_error("trace", "expected one FILE, or an "
						 "IPv4 and an IPv6 file");
	legs = ipts_legs_wanted(&lopts, nfiles);
	if (legs && (dot || in.parse.family != IPTS_FAMILY_AUTO) && nfiles == 2)
		return ipts_usage_error("trace",
					"%s: not with two files (each file's "
					"family is its own)",
					dot ? "--format dot" : "-4/-6");
	if (legs && dot)
		return ipts_usage_error("trace", "--format dot draws one "
						 "file: not with --dst a name");
	if (!legs && ipts_legs_opts_apply_dst(&lopts, &q, msg, sizeof(msg)) < 0)
		return ipts_usage_error("trace", "%s", msg);
	if (dot && ktrace)
		return ipts_usage_error(
			"trace", "--kernel-trace prints TRACE lines: not with "
				 "--format dot");
	ipts_query_finish(&q);
	if (ipts_cli_host_build(&hopt, "trace", in.color, &host) < 0)
		return IPTS_EXIT_USAGE;
	if (ipts_cli_ipsets_read(&hopt, "trace", &in.read, in.color, &sets) <
	    0) {
		ipts_hostdesc_free(host);
		return IPTS_EXIT_USAGE;
	}
	if (ipts_query_check_in(&q, host, msg, sizeof(msg), NULL) < 0) {
		ipts_cli_ipsets_free(&sets);
		ipts_hostdesc_free(host);
		return ipts_usage_error("trace", "%s", msg);
	}

	if (legs) {
		rc = trace_legs(&lopts, &in, &budget, host, &sets, fmt, ktrace,
				quiet, nfiles, argv + optind);
		ipts_cli_ipsets_free(&sets);
		ipts_hostdesc_free(host);
		return rc;
	}
	path = argv[optind];	/* libxtables runs getopt too */
	rs = ipts_cli_load_keep("trace", path, &in, &src, fmt == IPTS_FMT_JSON ?
				&keep : NULL, why, sizeof(why));
	if (rs && ipts_cli_ipsets_check(&sets, rs, "trace", path, in.color, why,
					sizeof(why)) < 0) {
		ipts_ruleset_free(rs);
		rs = NULL;
	}
	if (!rs) {
		/* JSON readers get a document that says why */
		if (fmt == IPTS_FMT_JSON)
			ipts_report_json_failure(stdout, why, path, &keep);
		ipts_diags_free(&keep);
		ipts_source_free(src);
		ipts_cli_ipsets_free(&sets);
		ipts_hostdesc_free(host);
		return IPTS_EXIT_USAGE;
	}
	if (ipts_query_fit_family(&q, (uint8_t)rs->family, path, msg,
				  sizeof(msg)) < 0) {
		if (fmt == IPTS_FMT_JSON)
			ipts_report_json_failure(stdout, msg, path, NULL);
		ipts_ruleset_free(rs);
		ipts_source_free(src);
		ipts_cli_ipsets_free(&sets);
		ipts_hostdesc_free(host);
		return ipts_usage_error("trace", "%s", msg);
	}
	/* no host option: the context of every answer before them */
	ctx = host ? ipts_sim_prepare_on(rs, host) : ipts_sim_prepare(rs);
	ipts_sim_use_ipsets(ctx, sets.sets);
	ipts_result_init(&res);
	ipts_result_init(&fres);
	if (ipts_simulate_limited(ctx, &q, ipts_cli_budget_next(&budget),
				  &res) < 0) {
		if (quiet) {
			rc = IPTS_EXIT_USAGE;
			goto out;
		}
		if (fmt == IPTS_FMT_JSON)
			ipts_report_json_failure(stdout, res.why, path, NULL);
		fputs("iptsim trace: ", stderr);
		ipts_text_str(stderr, res.why);
		fputc('\n', stderr);
		rc = IPTS_EXIT_USAGE;
		goto out;
	}
	if (!quiet && ipts_fresh_may_decide(&q, &res)) {
		struct ipts_query fq = q;

		/* what --fresh would answer: said, never assumed */
		fq.fresh = true;
		fresh_run = ipts_simulate_limited(ctx, &fq,
			ipts_cli_budget_next(&budget), &fres) == 0;
	}
	if (!quiet) {
		ipts_file_facts_init(&ff, rs);
		ipts_answer_notes(&ff, &q, &res, fresh_run ? &fres : NULL,
				  &notes);
	}
	if (quiet)
		;
	else if (dot && print_dot(stdout, rs, &q, &res) < 0)
		fputs("iptsim trace: cannot write the graph\n", stderr);
	else if (dot)
		;
	else if (fmt == IPTS_FMT_JSON)
		ipts_result_print_json_notes(stdout, &q, &res, &notes, ktrace ?
					     IPTS_JSON_KERNEL_ONLY : 0);
	else if (ktrace)
		print_kernel_trace(stdout, &q, &res, host != NULL);
	else
		print_text(stdout, &q, &res, &notes, host != NULL);
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
	ipts_result_free(&fres);
	ipts_result_free(&res);
	ipts_sim_free(ctx);
	ipts_ruleset_free(rs);
	ipts_source_free(src);
	ipts_cli_ipsets_free(&sets);
	ipts_hostdesc_free(host);
	return rc;
}
