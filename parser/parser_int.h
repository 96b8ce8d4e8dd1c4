#ifndef IPTS_PARSER_INT_H
#define IPTS_PARSER_INT_H

/*
 * What the parts of parser/ share: the parse state the grammar threads
 * through (struct ipts_parse), the word list of one line, and the interface
 * between build.c (iptables-restore's and libiptc's semantics) and the
 * parser/xt*.c files (iptables' option loop over libxtables; xt_int.h).
 */
#include <setjmp.h>
#include <stdbool.h>
#include <stdint.h>

#include "diag.h"
#include "model.h"
#include "model_build.h"
#include "parser.h"

struct ipts_names;

/* iptables-restore's limits (xshared.h MAX_ARGC, add_param's buffer). */
#define IPTS_MAX_ARGC 255
#define IPTS_MAX_PARAM 1023
/* iptables-restore reads lines with fgets() into a buffer of this size. */
#define IPTS_LINE_MAX 10240

/* One word of a line: where it stands in the source. */
struct ipts_word {
	struct ipts_loc loc;
};

/* Commands, as iptables' CMD_* bits. */
enum ipts_cmd {
	IPTS_CMD_NONE = 0,
	IPTS_CMD_INSERT = 1 << 0,
	IPTS_CMD_DELETE = 1 << 1,
	IPTS_CMD_DELETE_NUM = 1 << 2,
	IPTS_CMD_REPLACE = 1 << 3,
	IPTS_CMD_APPEND = 1 << 4,
	IPTS_CMD_LIST = 1 << 5,
	IPTS_CMD_FLUSH = 1 << 6,
	IPTS_CMD_ZERO = 1 << 7,
	IPTS_CMD_NEW_CHAIN = 1 << 8,
	IPTS_CMD_DELETE_CHAIN = 1 << 9,
	IPTS_CMD_SET_POLICY = 1 << 10,
	IPTS_CMD_RENAME_CHAIN = 1 << 11,
	IPTS_CMD_LIST_RULES = 1 << 12,
	IPTS_CMD_ZERO_NUM = 1 << 13,
	IPTS_CMD_CHECK = 1 << 14,
};

/*
 * One iptables command line (a rule line of the file), in and out of
 * ipts_xt_parse(). argv[0..2] are "iptables-restore", "-t", table, as
 * iptables-restore builds them; locs[i] is where argv[i] came from.
 */
struct ipts_cmdline {
	/* in */
	int argc;
	char **argv;
	const struct ipts_loc *locs;
	const char *table;
	struct ipts_ruleset *rs;	/* entries, blobs, the -D mask go here */
	/* Is @name a chain of the table right now (libiptc's iptc_is_chain)? */
	bool (*is_chain)(void *ctx, const char *name);
	/* Was @name announced by a ':' line of the file (then -j NAME is
	 * never an extension, as after xtables_announce_chain())? */
	bool (*is_announced)(void *ctx, const char *name);
	void *ctx;
	uint64_t rules_left;		/* the entries this line may build */

	/* out */
	unsigned int command;		/* enum ipts_cmd */
	const char *chain;
	int chain_word;			/* index in argv, or -1 */
	unsigned int rulenum;
	int rulenum_word;
	const char *arg2;		/* policy (-P) or new name (-E) */
	int arg2_word;
	const char *jumpto;		/* "" when no -j/-g; a word of argv */
	int jump_word;
	bool is_goto;
	bool std_target;		/* standard target (verdict or chain) */
	/* Headers, one per address pair, interned (ipts_ruleset_intern());
	 * the array is the caller's to free() unless it is &entry1. */
	const void **entries; /* struct ipt_entry or ip6t_entry */
	unsigned int nentries;
	const void *entry1; /* entries when there is one (not free()d) */
	/* The first entry's rule, in the arena, its match table right after
	 * it; the others copy what they share: loc, flags, the interned
	 * blobs and the words that loaded them (ipts_rule_set_blobs()). */
	struct ipts_rule *rule;
	unsigned char *delete_mask;	/* -D and -C: make_delete_mask() */
	bool counters_set;		/* -c / --set-counters given */
	struct xt_counters counters;
	uint16_t rule_flags;		/* enum ipts_rule_flags */
	/* More than rules_left address pairs: nothing built, no diagnostic
	 * (the caller says it); the -s or -d value word with the most, or
	 * -1 when the line has one pair. */
	bool over_limit;
	uint64_t want_rules;
	unsigned int nsrc, ndst;
	int limit_word;
};

/*
 * Parse @cl as iptables' do_parse() and do_command4() do, through
 * libxtables. Returns 0, or -1 with an error in @d at the offending word.
 * Warnings (what libxtables prints on stderr, names resolved through this
 * host) are added to @d either way.
 */
int ipts_xt_parse(struct ipts_cmdline *cl, const struct ipts_loc *line_loc,
		  struct ipts_diags *d);

/*
 * Make libxtables load extensions from @libdir (NULL: IPTS_XTABLES_LIBDIR,
 * the directory iptsim was built with), whatever XTABLES_LIBDIR or
 * IPTABLES_LIB_DIR say in the environment. Returns 0, or -1 with an error
 * at @at in @d when the directory is unusable or libxtables cannot start.
 * Process-wide: the last directory given wins; extensions loaded from an
 * earlier one stay loaded.
 */
int ipts_xt_init(const char *libdir, const struct ipts_loc *at,
		 struct ipts_diags *d);

/*
 * Make libxtables read rules of @family, as iptables (NFPROTO_IPV4) or
 * ip6tables (NFPROTO_IPV6) does: its afinfo, the extensions it looks up
 * (libipt_* or libip6t_*, and libxt_*'s entries of that family). Needs
 * ipts_xt_init() first. Process-wide, like libxtables' own state: every
 * load sets its family before its first rule.
 */
void ipts_xt_set_family(enum ipts_family family);
/* xt_register.c: extension entries of the family not set when their
 * library loaded, kept aside and registered when it is set. */
int ipts_xt_register_init(void);
void ipts_xt_register_family(uint8_t family);

/*
 * Around one file's lines: ipts_xt_parse() keeps what it parsed (pointing
 * into the file's source and ruleset) between the two calls only. With
 * @full_loop, every line goes through iptables' whole option loop.
 */
void ipts_xt_begin(bool full_loop, const struct ipts_parse_opts *o,
		   const struct ipts_names *names);
void ipts_xt_end(void);
/* Size the memo of segments for a file of @nlines rule lines (about one
 * distinct segment in two lines) so that it is not rehashed as it fills. */
void ipts_xt_memo_reserve(uint32_t nlines);

/*
 * The tables of @o's name files (names.c), or NULL when none is given or
 * one has a bad line (then with an error at it in @d). Free with
 * ipts_names_free().
 */
struct ipts_names *ipts_names_new(const struct ipts_parse_opts *o,
				  struct ipts_diags *d);
void ipts_names_free(struct ipts_names *n);
/* The IPv4 addresses (network order) @name has in the hosts file, in the
 * order getaddrinfo() gives them: the first @max in @addrs; how many in
 * all (more than @max when some were left out). */
unsigned int ipts_names_host(const struct ipts_names *n, const char *name,
			     uint32_t *addrs, unsigned int max);
/* The uid (@user) or gid of @name in the passwd (group) file. */
bool ipts_names_id(const struct ipts_names *n, bool user, const char *name,
		   uint32_t *id);

/* Print the match/target part of @e as iptables-save does, to @out. */
int ipts_xt_save_entry(FILE *out, const struct ipts_rule *r,
		       struct ipts_diags *d);

/*
 * The family sniff (family.c) as the parse reads the lines: the first
 * evidence of each family (ev[2]: -p ipv6-icmp, the weak kind), or the
 * family the first comment names. ipts_parse_family() feeds it every
 * line; the parse feeds it the lines it scans (ipts_fsniff_words() where
 * its words are the sniff's own split).
 */
struct ipts_fevidence {
	enum ipts_family fam; /* IPTS_FAMILY_AUTO: nothing */
	const char *pre; /* "-m ", "-p ", ... or "" */
	const char *what; /* "an IPv6 address", "icmp6", ... */
	struct ipts_loc loc;
};

struct ipts_fsniff {
	struct ipts_fevidence ev[3];
	bool comment_seen;
	bool decided; /* by the first comment: fam */
	bool both; /* both families seen: nothing more to learn */
	/* ipts_fsniff_words() saw an IPv6 word after an IPv4 one: only
	 * ipts_parse_family() says where */
	bool later_ipv6;
	enum ipts_family fam;
};

/* The first comment line (@n bytes at @s, no newline); true once it
 * decided the family. */
bool ipts_fsniff_comment(struct ipts_fsniff *fs, const char *s, size_t n);
/* A line of @n bytes (no newline) at @off, split as iptables-restore
 * splits; only one starting with '-' or '[' says anything. */
void ipts_fsniff_line(struct ipts_fsniff *fs, const struct ipts_source *src,
		      uint32_t off, uint32_t line, size_t n);
/* The words of a line starting with '-', split as ipts_fsniff_line()
 * would split it: @nwords locations @stride bytes apart; @quoted when the
 * line holds a quote. */
void ipts_fsniff_words(struct ipts_fsniff *fs, const struct ipts_loc *locs,
		       size_t stride, unsigned int nwords, bool quoted);
/* Does what was seen rule out @f already? */
bool ipts_fsniff_not(const struct ipts_fsniff *fs, enum ipts_family f);
/*
 * The family of @src as ipts_parse_family() would find it, without its
 * pass over every word where no line shows IPv6: 1 with *@out set when
 * none does (IPv4, or the family the first comment names); 0 when a line
 * does before any comment decides, and ipts_parse_family() is to say.
 */
int ipts_family_quick(const struct ipts_source *src, enum ipts_family *out);
/* The family, or -1 with the mixed-family error in @d (none when NULL). */
int ipts_fsniff_end(const struct ipts_fsniff *fs, struct ipts_diags *d,
		    enum ipts_family *out);

/* The parse state the grammar and scanner share. */
struct ipts_parse {
	const struct ipts_source *src;
	const struct ipts_parse_opts *opts;
	struct ipts_diags *diags;
	struct ipts_ruleset *rs;

	struct ipts_table *table;	/* open table, NULL outside one */
	struct ipts_loc table_loc;
	bool table_failed;		/* an error since the table opened */
	bool skip_table;		/* reading an unknown table to COMMIT */
	uint32_t next_rank;

	/* The line being read. */
	struct ipts_word *words;
	unsigned int nwords, cap;
	bool line_fast; /* the scanner's fast line: quotes closed */
	bool line_quoted; /* ... with a quote in it */
	/* its argv text made on the second thread (NULL: none), and the
	 * first word too long (-1: none) */
	const char *line_text;
	int line_bad;
	uint32_t line_len; /* a fast line's bytes, newline left out (0: ask) */
	char *scratch;			/* argv text of the line */
	size_t scratch_cap;
	char **argv;			/* the line's argv and locations */
	struct ipts_loc *locs;
	unsigned int argv_cap;
	struct announced **announce;	/* ':' chain names, hashed */
	uint32_t nannounce, nannounced;
	unsigned int nerrors_lines;	/* lines with a syntax error */
	size_t nerrors_before;		/* the diagnostics' count at the start */
	bool stopped;			/* too many errors: reading stopped */
	uint64_t max_rules, nbuilt;	/* rules the file may build, has built */
	bool stop;			/* refused whole: read no further */
	/* The family sniff folded into the scan (NULL: the family was
	 * known before); fam_wrong once it rules out the family parsed. */
	struct ipts_fsniff *fs;
	uint32_t nrule_lines; /* starting with '-' or '[' */
	/* The chain the line's -j or -g names (map_target()). */
	struct ipts_chain *line_dest;
	/* the last name of this line hashed (the jump's word, asked of as
	 * an announced name, a chain and a target) and its hash */
	const char *hashed_name;
	uint32_t hashed;
	/* the chain the word found_name of this line names in the table
	 * (NULL: none), looked up once a line (line_chain()) */
	const char *found_name;
	struct ipts_chain *found;
	/* the chain the last rule command named (most follow a rule of the
	 * same chain): reused while it has that name in this table */
	struct ipts_chain *last_chain;
	enum ipts_family fam;
	bool fam_wrong;
	/* the lines read ahead on the second thread (NULL: none) */
	struct ipts_pipe *pipe;
};

/*
 * The load's second thread (pipe.c): a line of the source the scanner
 * takes from it, in order, every one (only those starting with '-', '#'
 * or '[' are split and sniffed).
 */
struct ipts_pipe_line {
	uint32_t off; /* where the line starts */
	uint32_t len; /* '-' and split: its bytes, newline included; or 0 */
	uint32_t word0, nwords; /* its words (len != 0) */
	/* their argv text, as build.c's fast_words() makes it, and the
	 * first word too long for it (-1: none) */
	const char *text;
	int32_t bad;
	bool quoted; /* a quote in the line */
	bool wrong; /* the sniff ruled out the family here */
};

struct ipts_pipe;

/* Files from this size on are read on two threads with
 * IPTSIM_THREADS=auto, and from the second with IPTSIM_THREADS unset. */
#define IPTS_PIPE_MIN (64 * 1024)
#define IPTS_PIPE_DEFAULT_MIN (4 * 1024 * 1024)

/* Whether to read @src on two threads: IPTSIM_THREADS=2 always, =auto
 * from IPTS_PIPE_MIN bytes on when there are two cores, unset from
 * IPTS_PIPE_DEFAULT_MIN on while a core is idle, =1 (or anything else)
 * never. */
bool ipts_pipe_wanted(const struct ipts_source *src);
/* Whether the model's arena faults in its next block on a thread of its
 * own (ipts_arena_ahead()) for @src: from IPTS_PIPE_MIN bytes on when
 * there are two cores, unless IPTSIM_THREADS asks for one thread. */
bool ipts_pipe_ahead_wanted(const struct ipts_source *src);
/* Start reading @src (a file without cuts), the sniff @fs (NULL: none)
 * told the family @fam is parsed. NULL when no thread could start. */
struct ipts_pipe *ipts_pipe_start(const struct ipts_source *src,
				  struct ipts_fsniff *fs, enum ipts_family fam);
/* The next line, its words in *@words; NULL past the last one. */
const struct ipts_pipe_line *ipts_pipe_next(struct ipts_pipe *p,
					    const struct ipts_loc **words);
/* Stop the thread (wherever it is) and free @p (NULL: nothing). @fs is
 * the whole file's only when every line was taken. */
void ipts_pipe_end(struct ipts_pipe *p);

/* Grammar actions (build.c). */
void ipts_build_word(struct ipts_parse *ps, const struct ipts_loc *loc);
/* Room for @n more words in ps->words (the scanner's fast line writes its
 * words there itself). */
void ipts_build_words_room(struct ipts_parse *ps, unsigned int n);
/* The @n words at @locs, as ipts_build_word() for each. */
void ipts_build_words(struct ipts_parse *ps, const struct ipts_loc *locs,
		      unsigned int n);
void ipts_build_table(struct ipts_parse *ps, const struct ipts_loc *loc);
void ipts_build_chain(struct ipts_parse *ps, const struct ipts_loc *loc);
void ipts_build_commit(struct ipts_parse *ps, const struct ipts_loc *loc);
/* A rule line; @eol is its end of line (any token of it would do). */
void ipts_build_rule(struct ipts_parse *ps, const struct ipts_loc *counters,
		     const struct ipts_loc *eol);
void ipts_build_error(struct ipts_parse *ps, const struct ipts_loc *loc,
		      const char *fmt, ...) __attribute__((format(printf, 3, 4)));
void ipts_build_eof(struct ipts_parse *ps, const struct ipts_loc *loc);
/* After each line: true when reading must stop (too many errors). */
bool ipts_build_line_done(struct ipts_parse *ps);

/*
 * Whether @src is iptables-save text at all (sniff.c): -1, with one error
 * saying what the file is, when its first lines show another format or no
 * rules file; 0 otherwise (the parser then reports what it finds).
 */
int ipts_sniff(const struct ipts_source *src, struct ipts_diags *d);

/* scanner.l: give the source back the byte flex borrowed last. */
void ipts_scan_finish(void *scanner);

/*
 * Quote removal as iptables' add_param_to_argv() (xshared.c) for the word
 * at @loc: writes at most loc->len + 1 bytes and a NUL to @out, returns the
 * length. An unterminated quote runs to the end of the line and, like
 * iptables, keeps the newline.
 */
size_t ipts_unquote(const struct ipts_loc *loc, char *out);

#endif
