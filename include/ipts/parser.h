#ifndef IPTS_PARSER_H
#define IPTS_PARSER_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "diag.h"	/* struct ipts_read_opts */

struct ipts_diags;
struct ipts_rule;
struct ipts_ruleset;
struct ipts_source;

/*
 * The most rules one file may build unless told otherwise: every address
 * pair of an -A, -I, -R, -D or -C line is a rule (iptables has no limit),
 * so one line of 1,023-byte -s and -d lists makes up to 262,144; a rule
 * costs up to 230 bytes (README "Running on untrusted files").
 */
#define IPTS_MAX_RULES 1000000

struct ipts_parse_opts {
	/* Honour counters as `iptables-restore -c` does: "[p:b]" before a
	 * rule and on chain lines. Without it they are read and ignored. */
	bool counters;
	/* Read every rule line through iptables' whole option loop, never
	 * the fast path (the same answers, slower: for tests). The
	 * environment variable IPTSIM_FULL_LOOP does the same. */
	bool full_loop;
	/* Stop reading a file after this many errors, with a note saying
	 * so (0: IPTS_MAX_ERRORS). The file is refused either way. */
	unsigned int max_errors;
	/* The directory libxtables loads extensions (libxt_NAME.so) from,
	 * an absolute path; NULL: the one iptsim was built with. The
	 * environment (XTABLES_LIBDIR, IPTABLES_LIB_DIR) is never read. */
	const char *xtables_libdir;
	/* Refuse a file that builds more rules than this, at the line that
	 * crosses it (rules a later -D removes count too); 0: IPTS_MAX_RULES. */
	uint64_t max_rules;
	/*
	 * Where names in rules get their numbers. By default nowhere on
	 * this machine: a host name of -s/-d keeps the rule but its address
	 * is unknown (IPTS_RULE_SRC_UNKNOWN), and a match or target whose
	 * option names a host, a user, a group or another entry of the
	 * host's files is kept as its words (IPTS_RULE_OPAQUE); both are
	 * undetermined in the simulator, with a warning at the word.
	 * @hosts, @passwd, @group: the firewall host's own files (hosts(5),
	 * passwd(5), group(5)), which must outlive the diagnostics; a name
	 * they list gets exactly their numbers. @resolve: ask this
	 * machine's resolver and NSS, as iptables itself does.
	 */
	const struct ipts_source *hosts, *passwd, *group;
	bool resolve;
};

#define IPTS_MAX_ERRORS 20

/*
 * Load an iptables-save / iptables-restore file held in @src, which must
 * outlive the ruleset and the diagnostics. Returns a complete ruleset the
 * caller frees with ipts_ruleset_free(), or NULL with at least one error in
 * @diags. Never returns a partial model. Warnings may be added either way.
 */
struct ipts_ruleset *ipts_parse(const struct ipts_source *src,
				const struct ipts_parse_opts *opts,
				struct ipts_diags *diags);

/* How ipts_load() reads a file and loads it. */
struct ipts_load_opts {
	struct ipts_read_opts read;	/* links, file types, size */
	struct ipts_parse_opts parse;
};

/* The defaults: no link followed, IPTS_READ_MAX_SIZE, no counters. */
void ipts_load_opts_init(struct ipts_load_opts *o);

enum ipts_load_status {
	IPTS_LOAD_OK,		/* a complete ruleset */
	IPTS_LOAD_UNREADABLE,	/* not read: nothing parsed */
	IPTS_LOAD_INVALID,	/* read and refused */
};

/* What ipts_load() gives back. */
struct ipts_load {
	enum ipts_load_status status;
	/* The source every diagnostic points into, also when the file was
	 * not read (then an empty one named as the path): always set; the
	 * caller frees it with ipts_source_free() after @rs and the
	 * diagnostics. */
	struct ipts_source *src;
	struct ipts_ruleset *rs;	/* IPTS_LOAD_OK only; caller frees */
	char why[256];			/* IPTS_LOAD_UNREADABLE: the reason */
};

/*
 * The one way to load a file: read @path ("-": standard input) as
 * ipts_source_load() does under @o->read (NULL @o: the defaults), then
 * load it as ipts_parse() does under @o->parse. A file that cannot be
 * read gets the error "cannot read 'PATH': WHY" in @diags, at line 0 of
 * the empty source; one that does not load gets its errors. Returns
 * out->status. Bytes already in memory go to ipts_parse() directly.
 */
enum ipts_load_status ipts_load(const char *path,
				const struct ipts_load_opts *o,
				struct ipts_load *out,
				struct ipts_diags *diags);

/*
 * Print @rs as canonical iptables-save text (what iptables-legacy-save
 * prints after iptables-legacy-restore of the same file, less the '#'
 * lines); with @counters, rule counters too (iptables-save -c).
 * Returns 0, or -1 with an error in @diags.
 */
int ipts_save(FILE *out, const struct ipts_ruleset *rs, bool counters,
	      struct ipts_diags *diags);

/* The text of one rule as iptables-save prints it ("-A INPUT ..."). */
char *ipts_rule_save_text(const struct ipts_rule *r);

#endif
