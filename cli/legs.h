#ifndef IPTS_CLI_LEGS_H
#define IPTS_CLI_LEGS_H

/*
 * Both files at once: `trace rules.v4 rules.v6 --dst localhost`. The
 * name's addresses in the target's getaddrinfo() order (gai.h), each one
 * a leg answered by the single-file machinery on the file of its family,
 * then what a client that tries them in order sees (legs.c).
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "fallback.h"
#include "gai.h"
#include "input.h"
#include "model.h"
#include "query.h"
#include "sim.h"

struct ipts_cli_ipsets;
struct ipts_diags;
struct ipts_hostdesc;

#define IPTS_LEGS_MAX 8 /* addresses of one name answered */
/* addresses of one name sorted (the parser's bound on a name's) */
#define IPTS_LEGS_MAX_ADDRS 256
#define IPTS_LEGS_MAX_OPTS 128 /* packet options kept */

/* The packet options of a command line, kept to be replayed per leg. */
struct ipts_legs_opts {
	const char *dst; /* the last --dst, or NULL */
	struct {
		int code; /* IPTS_QOPT_* */
		const char *arg; /* borrowed from argv */
	} opt[IPTS_LEGS_MAX_OPTS];
	size_t n;
};

void ipts_legs_opts_init(struct ipts_legs_opts *o);

/*
 * Keep packet option @c (an IPTS_QOPT_*) with @arg. Returns true when the
 * caller must not apply it itself: a --dst that is no IPv4 address (a
 * name, or an IPv6 address, which ipts_legs_opts_apply_dst() gives to a
 * single file), and -1 when there are too many options (usage error
 * printed for @cmd).
 */
int ipts_legs_opts_keep(struct ipts_legs_opts *o, const char *cmd, int c,
			const char *arg);

/* The legs answer: @nfiles is not 1, or --dst is a name. */
bool ipts_legs_wanted(const struct ipts_legs_opts *o, int nfiles);

/* One file, an IPv6 --dst: give it to @q as the single path does. */
int ipts_legs_opts_apply_dst(const struct ipts_legs_opts *o,
			     struct ipts_query *q, char *msg, size_t len);

/* A rule file of the pair. */
struct ipts_legs_file {
	const char *path;
	struct ipts_source *src;
	struct ipts_ruleset *rs; /* NULL: loaded, but not simulated */
	struct ipts_sim_ctx *ctx;
	bool given;
	bool borrowed; /* the caller's: not freed here */
	char why[512]; /* why not simulated (rs NULL) */
};

/* One address of the name. */
struct ipts_leg {
	struct ipts_gai_addr addr;
	int family; /* AF_INET for a v4-mapped address */
	const struct ipts_legs_file *file; /* NULL: none of its family */
	bool answered; /* else undetermined: @why */
	char why[1024];
	struct ipts_query q;
	struct ipts_result res, fres;
	bool fresh_run;
	struct ipts_notes notes;
};

struct ipts_legs {
	const char *name; /* --dst */
	const char *hosts; /* the --hosts file, NULL: Debian's */
	bool literal; /* --dst is an address */
	bool udp;
	struct ipts_legs_file file[2]; /* [0] IPv4, [1] IPv6 */
	/* the file ipts_legs_load() stopped at, and its source (the
	 * diagnostics kept for a JSON failure point into it) */
	const char *failed;
	struct ipts_source *failed_src;
	struct ipts_gai_addr addrs[IPTS_LEGS_MAX_ADDRS]; /* resolved, sorted */
	struct ipts_leg leg[IPTS_LEGS_MAX];
	unsigned int n, total; /* legs answered, addresses in all */
	struct ipts_legs_client client;
	int undet; /* first undetermined leg, -1 */
	/* The client's outcome were leg @undet connected, refused, or
	 * dropped (timeout). */
	struct ipts_legs_client if_[3];
};

/* The pair's shared state, the command's. */
struct ipts_legs_env {
	const char *cmd;
	struct ipts_cli_input *in;
	struct ipts_cli_budget *budget;
	const struct ipts_hostdesc *host;
	const struct ipts_cli_ipsets *sets;
	struct ipts_diags *keep; /* NULL, or the JSON failure's */
	bool notes; /* answer the notes (and --fresh) */
};

/* @path reads as a rules file (its first line that is no comment opens
 * a table): the second of a pair, not a spec or queries. */
bool ipts_legs_looks_like_rules(const char *path,
				const struct ipts_cli_input *in);

/*
 * Load @paths (one or two files, one of each family), read by @env's
 * input options: 0, or -1 when a file does not load or the pair is wrong
 * (printed; @why says it in one line, L->failed names the file). A file
 * whose family the simulator refuses is kept with its reason.
 */
int ipts_legs_load(struct ipts_legs *L, const struct ipts_legs_env *env,
		   int npaths, char **paths, char *why, size_t whylen);

/*
 * Resolve @dst (a name in --hosts FILE or Debian's default, or an
 * address; NULL: 127.0.0.1) into its addresses in getaddrinfo() order,
 * the legs of a previous name dropped: 0, or -1 with why in @msg (the
 * name is in no hosts line), "" when --hosts could not be read (printed).
 */
int ipts_legs_resolve(struct ipts_legs *L, const struct ipts_legs_env *env,
		      const char *dst, char *msg, size_t len);

/*
 * Build leg @l's query, its --dst @dst: 0, or -1 with why in @msg (the
 * leg is then undetermined with it).
 */
typedef int ipts_legs_build(const struct ipts_leg *l, const char *dst,
			    const struct ipts_hostdesc *host,
			    struct ipts_query *q, char *msg, size_t len,
			    void *arg);

/* From the command line's options: @arg a struct ipts_legs_opts. */
int ipts_legs_build_opts(const struct ipts_leg *l, const char *dst,
			 const struct ipts_hostdesc *host, struct ipts_query *q,
			 char *msg, size_t len, void *arg);

/* From the words of a spec or query line (--dst and --src replaced):
 * @arg a struct ipts_legs_words. */
struct ipts_legs_words {
	int n;
	char **w;
};
int ipts_legs_build_words(const struct ipts_leg *l, const char *dst,
			  const struct ipts_hostdesc *host,
			  struct ipts_query *q, char *msg, size_t len,
			  void *arg);

/*
 * Words @w[@n] read as a leg of 127.0.0.1 would read them (@dst, the
 * value ipts_legs_words_dst() found, made 127.0.0.1), into @q: 0, or -1
 * with @err at the word at fault, as ipts_query_parse_args_on().
 */
int ipts_legs_words_check(int n, char **w, const char *dst,
			  const struct ipts_hostdesc *host,
			  struct ipts_query *q, struct ipts_query_error *err);

/* The value of the last --dst of words @w[@n] (abbreviations as
 * getopt_long takes them), or NULL. */
const char *ipts_legs_words_dst(int n, char **w);

/* Answer each leg on the loaded files (queries from @build), then the
 * client. */
void ipts_legs_answer(struct ipts_legs *L, const struct ipts_legs_env *env,
		      ipts_legs_build *build, void *arg);

/* One file the caller loaded and prepared, and frees after @L. */
void ipts_legs_borrow(struct ipts_legs *L, const char *path,
		      struct ipts_ruleset *rs, struct ipts_sim_ctx *ctx);

/* Drop the legs' answers (the files stay). */
void ipts_legs_reset(struct ipts_legs *L);

void ipts_legs_free(struct ipts_legs *L);

/* The exit code of the client's outcome. */
int ipts_legs_exit(const struct ipts_legs *L);

/* A leg's answer as the single file prints it. */
typedef void ipts_legs_leg_text(FILE *f, const struct ipts_leg *l, void *arg);

/* trace's text: the order, the client, then each leg (@leg_text). */
void ipts_legs_print_text(FILE *f, const struct ipts_legs *L,
			  ipts_legs_leg_text *leg_text, void *arg);
/* One JSON document, each leg's answer the single trace's (@flags). */
void ipts_legs_print_json(FILE *f, const struct ipts_legs *L,
			  unsigned int flags);
/* The one-line summary of the client ("UNDETERMINED — ..."), no newline. */
void ipts_legs_summary(FILE *f, const struct ipts_legs *L);
/* The same without the outcome word: the sentence after the dash. */
void ipts_legs_why(FILE *f, const struct ipts_legs *L);

#endif
