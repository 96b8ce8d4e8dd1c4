#ifndef IPTS_CLI_QUERY_H
#define IPTS_CLI_QUERY_H

/*
 * What trace, test and query share: the packet options (--dport, --uid,
 * ...) read from an argument array, the splitting of one line of a spec or
 * of query's input into words, and a result printed as trace's JSON.
 */
#include <getopt.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "json.h"
#include "sim.h"

struct ipts_hostdesc;
struct ipts_ruleset;

/* getopt_long codes of the packet options; a caller's own start at END. */
enum ipts_query_opt {
	IPTS_QOPT_DPORT = 256,
	IPTS_QOPT_SPORT,
	IPTS_QOPT_UID,
	IPTS_QOPT_GID,
	IPTS_QOPT_SUID,
	IPTS_QOPT_SGID,
	IPTS_QOPT_SRC,
	IPTS_QOPT_DST,
	IPTS_QOPT_LOCAL,
	IPTS_QOPT_PROTO,
	IPTS_QOPT_NOLISTEN,
	IPTS_QOPT_LISTEN,
	IPTS_QOPT_CONNTRACK,
	IPTS_QOPT_FRESH,
	IPTS_QOPT_IN,
	IPTS_QOPT_NO_NDP,
	IPTS_QOPT_END,
};

/* The packet options as struct option initialisers, for getopt_long. */
/* clang-format off */
#define IPTS_QUERY_LONGOPTS						\
	{ "dport", required_argument, NULL, IPTS_QOPT_DPORT },		\
	{ "sport", required_argument, NULL, IPTS_QOPT_SPORT },		\
	{ "uid", required_argument, NULL, IPTS_QOPT_UID },		\
	{ "gid", required_argument, NULL, IPTS_QOPT_GID },		\
	{ "server-uid", required_argument, NULL, IPTS_QOPT_SUID },	\
	{ "server-gid", required_argument, NULL, IPTS_QOPT_SGID },	\
	{ "src", required_argument, NULL, IPTS_QOPT_SRC },		\
	{ "dst", required_argument, NULL, IPTS_QOPT_DST },		\
	{ "local-addr", required_argument, NULL, IPTS_QOPT_LOCAL },	\
	{ "proto", required_argument, NULL, IPTS_QOPT_PROTO },		\
	{ "no-listener", no_argument, NULL, IPTS_QOPT_NOLISTEN },	\
	{ "listen", required_argument, NULL, IPTS_QOPT_LISTEN },	\
	{ "conntrack", required_argument, NULL, IPTS_QOPT_CONNTRACK },	\
	{ "fresh", no_argument, NULL, IPTS_QOPT_FRESH },	\
	{ "in", required_argument, NULL, IPTS_QOPT_IN },		\
	{ "no-ndp", no_argument, NULL, IPTS_QOPT_NO_NDP }
/* clang-format on */

/*
 * Apply packet option @code (an IPTS_QOPT_*) with value @arg (NULL for the
 * options without one) to @q. Returns 0, or -1 with the reason in @msg
 * ("invalid port 'x'"). Call ipts_query_finish() once all are applied.
 */
int ipts_query_option(struct ipts_query *q, int code, const char *arg,
		      char *msg, size_t len);

/* Fill in what depends on several options (a --listen without address
 * listens on --dst). */
void ipts_query_finish(struct ipts_query *q);
/*
 * Once the file is loaded: the query takes the file's @family (NFPROTO_*;
 * without an address given, its defaults become the family's loopback,
 * ::1 for IPv6). -1 with @msg when the addresses given are of the other
 * family (@path names the file in it).
 */
int ipts_query_fit_family(struct ipts_query *q, uint8_t family,
			  const char *path, char *msg, size_t len);

/*
 * What --in asks of the rest, once every option is read: a described
 * @host (NULL: none) that has the interface, no --uid or --gid (the
 * client is another host), a --src. Returns 0, or -1 with the reason in
 * @msg; *@code (may be NULL) is then the option at fault (IPTS_QOPT_IN,
 * _UID, _GID). A query with --in and no --dst gets the first address of
 * that interface (where a client on its link reaches this host).
 */
int ipts_query_check_in(struct ipts_query *q, const struct ipts_hostdesc *host,
			char *msg, size_t len, int *code);

struct ipts_query_error {
	int argi;		/* index in argv of the word at fault */
	char msg[256];		/* "unknown option '--dprt'" */
};

/*
 * Read @q from argv[0..argc), every word a packet option ("--dport 22" or
 * "--dport=22"; long names may be abbreviated while unique, as getopt_long
 * allows). Starts from ipts_query_init() and ends with ipts_query_finish().
 * Returns 0, or -1 with @err saying which word is wrong and why.
 * q->in points into @argv. ipts_query_parse_args_on() also checks --in
 * against the described @host (ipts_query_check_in()); the other refuses
 * --in as a host of lo only would.
 */
int ipts_query_parse_args(int argc, char **argv, struct ipts_query *q,
			  struct ipts_query_error *err);
int ipts_query_parse_args_on(int argc, char **argv,
			     const struct ipts_hostdesc *host,
			     struct ipts_query *q,
			     struct ipts_query_error *err);
/* The same for the rules of @family (NFPROTO_*; 0: as given): the query
 * takes its defaults, or is refused when its addresses are of the other
 * family (ipts_query_fit_family()). */
int ipts_query_parse_args_fam(int argc, char **argv,
			      const struct ipts_hostdesc *host, uint8_t family,
			      struct ipts_query *q,
			      struct ipts_query_error *err);

/*
 * Split @line (NUL-terminated, modified in place) into at most @max words
 * at blanks; a word starting with '#' starts a comment that ends the line.
 * A word may be quoted with '...' or "..." (no escapes). Stores each
 * word's 0-based byte column in @cols. Returns the number of words, or -1
 * with *bad set to the column of an unterminated quote or of the first
 * word too many.
 */
int ipts_words_split(char *line, char **words, uint32_t *cols, int max,
		     uint32_t *bad);

/* "delivered", "dropped", ... of a packet's verdict. */
const char *ipts_verdict_name(enum ipts_verdict v);

/* trace's "decided_by" object of @res (null when nothing decided). */
void ipts_json_decided_by(struct ipts_json *w, const struct ipts_result *res);

/*
 * The possible outcomes @set (bits 1 << enum ipts_outcome), in the
 * enum's order, undetermined last. As JSON: an array of their names. As
 * text: the names with ", " between them, undetermined written @any when
 * it is alone and @any_other after another ("any", "or any other").
 */
void ipts_possible_json(struct ipts_json *w, unsigned int set);
void ipts_possible_text(FILE *f, unsigned int set, const char *any,
			const char *any_other);

/*
 * The one name of the rule or policy behind trace entry @t, as text, JSON
 * and specs give it: "filter:INPUT:rule:3" (a rule, numbered in its chain
 * as the kernel numbers it), "filter:INPUT:policy" (a built-in chain's
 * policy), "mychain:return" for a user chain's tail. The TRACE line of
 * an unconditional rule says "policy:N" (the kernel's quirk); its name
 * still says "rule:N".
 */
void ipts_trace_name(const struct ipts_trace *t, char *buf, size_t len);
/* Its place in the file: the rule's line, or the chain's ':CHAIN' line
 * (file NULL and line 0 when the chain has no line). */
void ipts_trace_source(const struct ipts_trace *t, const char **file,
		       uint32_t *line);

/*
 * The entry a reader wants first among those that let the connection
 * through, or NULL when none (a file without tables): of the client's
 * first packet (SYN, DATA), its first filter rule, else its first rule
 * of any table, else its first filter policy, else its first entry.
 * *@pkt is set to that packet.
 */
const struct ipts_trace *ipts_result_let_through(const struct ipts_result *res,
						 const struct ipts_packet **pkt);

/* What every answer on one file shares, found once after the load. */
struct ipts_file_facts {
	bool no_table;			/* the file holds no table */
	bool gid_owner;			/* some -m owner reads a gid */
	unsigned int other_if;		/* rules only other interfaces meet */
	char other_ifs[128];		/* their interfaces: "eth0, ens3" */
	char other_at[160];		/* where: "rules.v4:7, rules.v4:9" */
};

void ipts_file_facts_init(struct ipts_file_facts *ff,
			  const struct ipts_ruleset *rs);

/* The notes an answer carries, sentences without a full stop. */
#define IPTS_MAX_NOTES 6
struct ipts_notes {
	unsigned int n;
	char v[IPTS_MAX_NOTES][512];
};

/*
 * The notes of answer @res to @q: the defaulted --dport, a defaulted gid
 * an owner match read, rules on other interfaces this local path skipped,
 * a file without tables, and (@fresh not NULL: the answer to @q with
 * --fresh) what --fresh would answer.
 */
void ipts_answer_notes(const struct ipts_file_facts *ff,
		       const struct ipts_query *q,
		       const struct ipts_result *res,
		       const struct ipts_result *fresh,
		       struct ipts_notes *out);

/*
 * Whether --fresh could decide @res: it is undetermined, @q is not
 * --fresh, and a reason is one that --fresh answers (-m limit,
 * -m statistic --mode nth).
 */
bool ipts_fresh_may_decide(const struct ipts_query *q,
			   const struct ipts_result *res);

/* The summary line of trace's text, newline included: "connect() from
 * uid 1001 to 127.0.0.1:1060 (local, over lo): TIMEOUT ... — why".
 * With @one_line an undetermined answer's ways stay on it. */
void ipts_answer_headline(FILE *f, const struct ipts_query *q,
			  const struct ipts_result *res, bool one_line);

/* @dev, or "-" for none ("" or NULL), as text names a device. */
const char *ipts_dev_word(const char *dev);
/*
 * Where a forwarded connection's first packet went: the address and port
 * it had at its last TRACE line, as "a.b.c.d:port" in @buf; *@dnat: they
 * differ from @q's (a DNAT changed them).
 */
void ipts_forward_to(const struct ipts_query *q, const struct ipts_result *res,
		     char *buf, size_t len, bool *dnat);

/* A decimal number of at most @max, nothing else (no sign, no blanks). */
bool ipts_parse_ulong(const char *s, unsigned long max, unsigned long *out);
/* addr[:port] or addr:lo-hi (a port NAT picks at random); an IPv6
 * address of @family in brackets before a port. */
void ipts_fmt_end(char *buf, size_t len, uint8_t family,
		  const union nf_inet_addr *addr, bool ports, uint16_t port,
		  uint16_t hi);

/* Only the trace entries the kernel itself would log (--kernel-trace). */
#define IPTS_JSON_KERNEL_ONLY 1u
/* No "packets" (query --brief): the answer without its whole path, and
 * no "ipsets_after". */
#define IPTS_JSON_BRIEF 2u
/* "ipsets_after" only when the connection changed a set (query's lines;
 * trace gives it whenever the file has a -j SET). */
#define IPTS_JSON_SETS_CHANGED 4u

/* The "ipsets_after" key and object: @n changes in order, and the
 * `ipset save` text of the sets changed (@save, NULL: none). */
void ipts_json_sets_after(struct ipts_json *w,
			  const struct ipts_set_change *changes, size_t n,
			  const char *save);

/*
 * @res of @q as one line of JSON, newline included: the schema of
 * `trace --format json` (README, iptsim(1)). @rs is the ruleset @res was
 * computed on.
 */
void ipts_result_print_json(FILE *f, const struct ipts_ruleset *rs,
			    const struct ipts_query *q,
			    const struct ipts_result *res);
void ipts_result_print_json_flags(FILE *f, const struct ipts_ruleset *rs,
				  const struct ipts_query *q,
				  const struct ipts_result *res,
				  unsigned int flags);
/* The same, with the notes of @notes (NULL: none) and flags. */
void ipts_result_print_json_notes(FILE *f, const struct ipts_query *q,
				  const struct ipts_result *res,
				  const struct ipts_notes *notes,
				  unsigned int flags);

#endif
