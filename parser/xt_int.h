#ifndef IPTS_XT_INT_H
#define IPTS_XT_INT_H

/*
 * What the parts of parser/xt*.c share, and nobody else: the state of the
 * rule being parsed and the functions one part calls in another. The parts,
 * in the order a rule meets them:
 *
 *   xt.c        libxtables' doors: init, exit_err, compat_rev, the capture
 *               of what extensions print, the libc name calls interposed
 *               (getaddrinfo, getpwnam, getgrnam, getnetbyname), extension
 *               names, and ipts_xt_parse() around one rule
 *   xt_loop.c   iptables' option loop (do_parse()) and its final checks
 *   xt_fast.c   the fast path (a trial of the common line shape) and the
 *               memo of segments parsed once
 *   xt_entry.c  -s/-d, then the entries (generate_entry())
 *   xt_save.c   the extensions' own save() for dump
 *
 * Shared functions are ipts_xt_*: libxtables exports xt_* names
 * (xt_xlate_add(), ...), and a definition of the same name in the
 * executable would silently replace libxtables' own (as getaddrinfo() is
 * replaced on purpose). The state is the one global "xt" (and "naming"):
 * no shared library names them, so they are never exported.
 */
#include <getopt.h>
#include <setjmp.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <netinet/in.h>
#include <xtables.h>
#include <linux/netfilter_ipv4/ip_tables.h>
#include <linux/netfilter_ipv6/ip6_tables.h>

#include "parser_int.h"

#ifndef XT_OPTION_OFFSET_SCALE
#define XT_OPTION_OFFSET_SCALE 256	/* only under XTABLES_INTERNAL */
#endif

/* The generic options, bit numbers as iptables' OPT_* (xshared.h). */
enum {
	OPT_NUMERIC = 1 << 0,
	OPT_SOURCE = 1 << 1,
	OPT_DESTINATION = 1 << 2,
	OPT_PROTOCOL = 1 << 3,
	OPT_JUMP = 1 << 4,
	OPT_VERBOSE = 1 << 5,
	OPT_EXPANDED = 1 << 6,
	OPT_VIANAMEIN = 1 << 7,
	OPT_VIANAMEOUT = 1 << 8,
	OPT_LINENUMBERS = 1 << 9,
	OPT_COUNTERS = 1 << 10,
	OPT_FRAGMENT = 1 << 11,
	NUMBER_OF_OPT = 12,
};

/* An extension kept as its words (xt_loop.c: -m set, -j SET). */
struct opaque_ext {
	const char *name;
	bool is_target;
	const struct option *opts;
	const char *needs;		/* an option that must be given */
	unsigned int option_offset;
};

/* Up to this many -m in one rule (255 words bound it anyway). */
#define MAX_MATCHES 128

/* One opaque extension in the rule being parsed. */
struct opaque_use {
	struct opaque_ext *ext;
	char *text;			/* malloc'd words, " --match-set x src" */
	size_t len;
	bool given;			/* its required option was seen */
	unsigned int seen;		/* bit i: opts[i] was given */
	int word;
	char name[XT_EXTENSION_MAXNAMELEN];	/* the blob's */
	/* Kept as words because of a name: it stands for a libxtables
	 * match of xt.matches (or the target), which gives no blob. */
	bool replaces;
};

/*
 * What a name of the rule needs from the firewall host that iptsim does
 * not ask this machine for (without --resolve): the match or target that
 * met it is kept as its words, as an opaque one is.
 */
enum name_kind {
	NAME_NONE,
	NAME_HOST,		/* getaddrinfo() */
	NAME_USER,		/* getpwnam() */
	NAME_GROUP,		/* getgrnam() */
	NAME_FILE,		/* a file of the host: connlabel.conf, ... */
	NAME_BPF,		/* a pinned BPF object: bpf(BPF_OBJ_GET) */
};

/* One option given to an extension: its words argv[first..end). */
struct optcall {
	const void *ext;	/* its struct xtables_match or _target */
	int16_t first, end;
	bool invert;
};

/* An extension of the rule that met such a name. */
struct name_miss {
	const void *ext;
	bool is_target;
	enum name_kind kind;
	int word;		/* the option's value */
	char name[256];
	const char *file;	/* NAME_FILE: which */
};

/* One -m or -j segment of a line read by the fast path. */
struct fast_seg {
	int first;			/* its "-m" or "-j" word */
	int last;			/* the word ending it; -1: not to keep */
	int k;				/* its match position; -1: the target */
	const struct xtables_match *ext;
	const struct memo *hit;		/* taken from an earlier line */
	uint32_t hash;			/* of its words, by memo_find() */
};

/*
 * The state of the rule being parsed. It lives here, not on the stack,
 * because exit_err siglongjmps out of the middle of it. Every part reads
 * and writes it; ipts_xt_reset_state() clears it before each rule.
 */
struct ipts_xt_state {
	bool inited;
	sigjmp_buf escape;
	struct ipts_diags *diags;
	struct ipts_cmdline *cl;
	const struct ipts_loc *line_loc;
	int cur;			/* argv index errors point at */
	FILE *capture;		/* replaces stderr while parsing */
	char *warnbuf;		/* the rule's warnings, a line each */
	size_t warnlen, warncap;

	/* iptables_command_state and xtables_args, flattened */
	struct xtables_rule_match *matches;
	struct xtables_target *target;
	const char *jumpto;
	const char *protocol;
	bool proto_used;
	unsigned int options;
	int opt_word[NUMBER_OF_OPT];
	int opt_bang[NUMBER_OF_OPT];	/* the '!' before an inverted option */
	int opt_val[NUMBER_OF_OPT];	/* the option's value word */
	int bang;			/* the last '!' word */
	uint16_t invflags;
	uint8_t flags;
	bool goto_set;
	const char *shost, *dhost;
	char iniface[IFNAMSIZ], outiface[IFNAMSIZ];
	unsigned char iniface_mask[IFNAMSIZ], outiface_mask[IFNAMSIZ];
	unsigned long long pcnt, bcnt;
	int match_word[MAX_MATCHES];	/* per entry of matches, in order */
	unsigned int nmatch_words;
	struct opaque_use opaque[MAX_MATCHES];
	unsigned int nopaque;
	/* Position of each opaque use among all matches (-1: target). */
	int opaque_pos[MAX_MATCHES];
	struct in_addr *saddrs, *smasks, *daddrs, *dmasks;
	struct in_addr src1, smsk1, dst1, dmsk1;	/* plain_address() */
	bool skip_line;			/* -6: iptables-restore ignores it */
	bool dangling_bang;		/* the loop ended on a '!' */

	/* The fast path (ipts_xt_fast_parse()). */
	bool no_fast;			/* this file: never */
	bool trial;		/* errors go back to ipts_xt_parse_loop() */
	bool trial_resolver;		/* the trial asked the resolver */
	bool owner_seg;			/* -m owner: names of this host */
	uint8_t seg_proto, seg_invflags; /* the ip part extensions saw */
	struct fast_seg segs[MAX_MATCHES];
	unsigned int nsegs;
	/* The segments' hashes, worked out at once before the first is
	 * looked up (their memo slots fetched meanwhile): first and last
	 * word of each as reading words alone ends it. */
	struct pre_seg {
		int first, last;
		int end; /* the word after it, or argc */
		uint32_t hash;
	} pre[MAX_MATCHES + 1];
	unsigned int npre, pre_next; /* pre_next: the next to look at */
	const void *hit[MAX_MATCHES];	/* per match position: memo blob */
	const struct memo *hit_target;
	const void *built[MAX_MATCHES];	/* per match position: in the entry */
	const void *built_target;
	/* The interned standard target of this load's ruleset (every
	 * verdict and jump has the same blob); reset by ipts_xt_begin(). */
	const void *std_blob;
	const struct ipts_ruleset *std_rs;
	int bangs[MAX_MATCHES];		/* '!' words the trial blanked */
	unsigned int nbangs;
	/* The resolver failed once in this file; later names not asked. */
	bool resolver_down, resolver_skipped;

	/* Names (see "names" below). */
	bool parsing;			/* inside ipts_xt_parse() */
	int opt_first;			/* the option word being dispatched */
	enum name_kind asked;		/* what the last call asked, unknown */
	char asked_name[256];
	const char *asked_file;		/* NAME_FILE: which file */
	struct optcall calls[IPTS_MAX_ARGC];	/* options given out */
	unsigned int ncalls;
	struct name_miss miss[MAX_MATCHES + 1];
	unsigned int nmiss;
	struct in_addr *tmp_a, *tmp_m;	/* one -s/-d element's pairs */
	bool in_hosts;			/* in parse_hosts() */
	bool hosts_resolved;		/* and this machine's resolver answered */
	/* IPv6: the pairs of -s and -d, as the in_addr ones above */
	struct in6_addr *saddrs6, *smasks6, *daddrs6, *dmasks6;
	/* The file's family (ipts_xt_begin()): which of fw and fw6 the
	 * extensions are given, as iptables' cs->fw and ip6tables' cs->fw6. */
	enum ipts_family family;
	/* last: both entries end in a flexible array */
	union {
		struct ipt_entry fw;
		struct ip6t_entry fw6;
	};
};

/* Where names get their numbers (ipts_xt_begin()). */
struct ipts_xt_naming {
	bool resolve;
	const struct ipts_names *names;
	const char *hosts_name;		/* the --hosts file, for warnings */
};


/* A segment the fast path parsed once (xt_fast.c says how they are kept). */
struct memo {
	uint32_t hash; /* seg_hash() of its words */
	uint32_t off;			/* its words: offset in the source */
	uint16_t len;			/* and length */
	uint16_t ext;			/* in memo.ext[] (0: a target) */
	uint8_t proto, invflags;
	bool is_target;
	bool std;			/* -j ACCEPT and friends */
	const void *blob;		/* interned in the ruleset */
};

extern struct ipts_xt_state xt;
extern struct ipts_xt_naming naming;

/* -- xt.c --------------------------------------------------------------- */

/* libxtables' exit_err: an error at the current word, then a siglongjmp
 * back into ipts_xt_parse() (in the trial: the jump alone). */
__attribute__((noreturn, format(printf, 2, 3)))
void ipts_xt_error(enum xtables_exittype status, const char *fmt, ...);
/* A warning of the rule, in iptables' words, said when the line is done
 * at the rule (with what extensions print on stderr; see xt.c). */
__attribute__((format(printf, 1, 2)))
void ipts_xt_warn(const char *fmt, ...);
/* The word errors point at (xt.cur), else the line. */
const struct ipts_loc *ipts_xt_cur_loc(void);
/* Is the rule being parsed to be answered offline? */
bool ipts_xt_offline(void);
/* Note that a call asked for @name, unknown offline (see name_misses()). */
void ipts_xt_ask_unknown(enum name_kind kind, const char *name);
/* An address glibc's getaddrinfo() reads as a number (inet_aton()). */
bool ipts_xt_numeric_host(const char *s);
/* Could a resolver find @s at all? */
bool ipts_xt_host_name_syntax(const char *s);
/* xtables_find_match() and _target() for a name from a file; "" is the
 * standard target. */
struct xtables_match *ipts_xt_find_match(const char *name,
					 enum xtables_tryload tryload,
					 struct xtables_rule_match **matches);
struct xtables_target *ipts_xt_find_target(const char *name,
					   enum xtables_tryload tryload);
/* Free what libxtables allocated for one rule; clear the rule's state. */
void ipts_xt_cleanup(void);
void ipts_xt_reset_state(void);

/* -- xt_loop.c ---------------------------------------------------------- */

/* iptables' command line options, in iptables' order (orig_opts). */
extern struct option ipts_xt_original_opts[];
/* do_parse()'s loop over argv[0..@argc), then what it checks at the end,
 * then the final checks and ipv4_post_parse(). */
void ipts_xt_parse_loop(int argc, char **argv);
/* The same over a fast line's generic words, without getopt_long. */
void ipts_xt_fast_generic_loop(int argc, char **argv);
void ipts_xt_loop_end(void);
void ipts_xt_finish(int argc, char **argv);
/* Pieces of the loop the fast path runs alone. */
struct xtables_match *ipts_xt_command_match(const char *name, int word,
					    bool invert, bool merge);
void ipts_xt_command_jump(const char *name, int word, bool merge);
const char *ipts_xt_parse_target_name(const char *name);
void ipts_xt_set_option(unsigned int option, bool invert, int word);
void ipts_xt_note_match_word(int word);
/* The opaque extension (-m set, -j SET) called @name, or NULL. */
struct opaque_ext *ipts_xt_find_opaque(const char *name, bool is_target);
/* Is match position @k held by an opaque use? */
bool ipts_xt_is_opaque_pos(unsigned int k);
/* Is @m a match of xt.matches that an opaque use stands for? */
bool ipts_xt_replaced(const struct xtables_match *m);
/* An extension that reads host files for names: the trial leaves it. */
bool ipts_xt_reads_host_files(const char *ext);
/* iptables' generic_opt_check(): options @command refuses. */
void ipts_xt_generic_opt_check(unsigned int command, unsigned int options);

/* -- xt_fast.c ---------------------------------------------------------- */

/* Where the generic words of a fast line end, or -1: another shape. */
int ipts_xt_fast_generic_end(int argc, char **argv);
/* The trial; on any doubt it leaves through ipts_xt_bail(). */
void ipts_xt_fast_parse(int argc, char **argv, int gen_end);
__attribute__((noreturn)) void ipts_xt_bail(void);
/* After a failed trial: the line as it was before it. */
void ipts_xt_undo_trial(struct ipts_cmdline *cl,
			const struct ipts_cmdline *saved, bool resolver_down);
/* Keep the segments of a line the trial read, for the rest of the file. */
void ipts_xt_memo_keep(const struct ipts_loc *line_loc);

/* -- xt_entry.c --------------------------------------------------------- */

/* Addresses, checks that need them, then one entry per address pair. */
void ipts_xt_build_entries(void);
/* A line that -6 ended early: what do_command4() still does. */
void ipts_xt_cut_short(void);

#endif
