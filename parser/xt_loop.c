/*
 * xt_loop.c - iptables' option loop over one rule line: do_parse() in
 * xshared.c with getopt_long over the merged option tables, -m and -j
 * (command_match(), command_jump()), options handed to their extension
 * (command_default()), implicit protocol matches (load_proto), the generic
 * option checks, then the extensions' final checks. Also what the loop
 * does about extensions it cannot run here: -m set and -j SET are kept as
 * their words, and so is an extension that met a name iptsim does not
 * look up (see xt.c).
 */
#include "xt_int.h"

#include <ctype.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <xtables.h>

#define IPT_OPTSTRING "-:A:C:D:E:F::I:L::M:N:P:VX::Z::c:d:i:j:o:p:s:t:" \
		      "R:S::W::46bfg:h::m:nvw::x"

static void proto_parse6(void);
static void post_parse6(void);

static const char optflags[NUMBER_OF_OPT] = {
	'n', 's', 'd', 'p', 'j', 'v', 'x', 'i', 'o', '0', 'c', 'f',
};

static const uint16_t inverse_for_options[NUMBER_OF_OPT] = {
	[1] = IPT_INV_SRCIP, [2] = IPT_INV_DSTIP, [3] = XT_INV_PROTO,
	[7] = IPT_INV_VIA_IN, [8] = IPT_INV_VIA_OUT, [11] = IPT_INV_FRAG,
};

/*
 * Which generic options a command refuses (iptables' commands_v_options,
 * 'x' entries), indexed by the command's bit number.
 */
#define ALL_BUT_V (0xfffu & ~OPT_VERBOSE)
static const unsigned int illegal_opts[15] = {
	/* INSERT */ OPT_NUMERIC | OPT_EXPANDED | OPT_LINENUMBERS,
	/* DELETE */ OPT_NUMERIC | OPT_EXPANDED | OPT_LINENUMBERS | OPT_COUNTERS,
	/* DELETE_NUM */ ALL_BUT_V,
	/* REPLACE */ OPT_NUMERIC | OPT_EXPANDED | OPT_LINENUMBERS,
	/* APPEND */ OPT_NUMERIC | OPT_EXPANDED | OPT_LINENUMBERS,
	/* LIST */ OPT_SOURCE | OPT_DESTINATION | OPT_PROTOCOL | OPT_JUMP |
		OPT_VIANAMEIN | OPT_VIANAMEOUT | OPT_COUNTERS | OPT_FRAGMENT,
	/* FLUSH */ ALL_BUT_V,
	/* ZERO */ ALL_BUT_V,
	/* NEW_CHAIN */ ALL_BUT_V,
	/* DEL_CHAIN */ ALL_BUT_V,
	/* SET_POLICY */ ALL_BUT_V & ~OPT_COUNTERS,
	/* RENAME */ ALL_BUT_V,
	/* LIST_RULES */ ALL_BUT_V,
	/* ZERO_NUM */ ALL_BUT_V,
	/* CHECK */ OPT_NUMERIC | OPT_EXPANDED | OPT_LINENUMBERS | OPT_COUNTERS,
};

static const char cmdflags[] = { 'I', 'D', 'D', 'R', 'A', 'L', 'F', 'Z',
				 'N', 'X', 'P', 'E', 'S', 'Z', 'C' };

/* iptables' command line options, in iptables' order. */
struct option ipts_xt_original_opts[] = {
	{ .name = "append", .has_arg = 1, .val = 'A' },
	{ .name = "delete", .has_arg = 1, .val = 'D' },
	{ .name = "check", .has_arg = 1, .val = 'C' },
	{ .name = "insert", .has_arg = 1, .val = 'I' },
	{ .name = "replace", .has_arg = 1, .val = 'R' },
	{ .name = "list", .has_arg = 2, .val = 'L' },
	{ .name = "list-rules", .has_arg = 2, .val = 'S' },
	{ .name = "flush", .has_arg = 2, .val = 'F' },
	{ .name = "zero", .has_arg = 2, .val = 'Z' },
	{ .name = "new-chain", .has_arg = 1, .val = 'N' },
	{ .name = "delete-chain", .has_arg = 2, .val = 'X' },
	{ .name = "rename-chain", .has_arg = 1, .val = 'E' },
	{ .name = "policy", .has_arg = 1, .val = 'P' },
	{ .name = "source", .has_arg = 1, .val = 's' },
	{ .name = "destination", .has_arg = 1, .val = 'd' },
	{ .name = "src", .has_arg = 1, .val = 's' },
	{ .name = "dst", .has_arg = 1, .val = 'd' },
	{ .name = "protocol", .has_arg = 1, .val = 'p' },
	{ .name = "in-interface", .has_arg = 1, .val = 'i' },
	{ .name = "jump", .has_arg = 1, .val = 'j' },
	{ .name = "table", .has_arg = 1, .val = 't' },
	{ .name = "match", .has_arg = 1, .val = 'm' },
	{ .name = "numeric", .has_arg = 0, .val = 'n' },
	{ .name = "out-interface", .has_arg = 1, .val = 'o' },
	{ .name = "verbose", .has_arg = 0, .val = 'v' },
	{ .name = "wait", .has_arg = 2, .val = 'w' },
	{ .name = "wait-interval", .has_arg = 2, .val = 'W' },
	{ .name = "exact", .has_arg = 0, .val = 'x' },
	{ .name = "fragments", .has_arg = 0, .val = 'f' },
	{ .name = "version", .has_arg = 0, .val = 'V' },
	{ .name = "help", .has_arg = 2, .val = 'h' },
	{ .name = "line-numbers", .has_arg = 0, .val = '0' },
	{ .name = "modprobe", .has_arg = 1, .val = 'M' },
	{ .name = "set-counters", .has_arg = 1, .val = 'c' },
	{ .name = "goto", .has_arg = 1, .val = 'g' },
	{ .name = "ipv4", .has_arg = 0, .val = '4' },
	{ .name = "ipv6", .has_arg = 0, .val = '6' },
	{ NULL, 0, NULL, 0 },
};

/*
 * Extensions whose parser asks the host (the set match and the SET target
 * look sets up in the kernel): kept as their words. Their options, so that
 * getopt still knows what takes an argument; 'F' marks options followed
 * by a flags word ("src,dst").
 */

static const struct option set_match_opts[] = {
	{ .name = "match-set", .has_arg = 1, .val = 'F' },
	{ .name = "set", .has_arg = 1, .val = 'F' },
	{ .name = "return-nomatch", .has_arg = 0, .val = '3' },
	{ .name = "update-counters", .has_arg = 0, .val = '4' },
	{ .name = "packets-eq", .has_arg = 1, .val = '5' },
	{ .name = "packets-lt", .has_arg = 1, .val = '6' },
	{ .name = "packets-gt", .has_arg = 1, .val = '7' },
	{ .name = "bytes-eq", .has_arg = 1, .val = '8' },
	{ .name = "bytes-lt", .has_arg = 1, .val = '9' },
	{ .name = "bytes-gt", .has_arg = 1, .val = '0' },
	{ .name = "update-subcounters", .has_arg = 0, .val = 'a' },
	{ NULL, 0, NULL, 0 },
};

static const struct option set_target_opts[] = {
	{ .name = "add-set", .has_arg = 1, .val = 'F' },
	{ .name = "del-set", .has_arg = 1, .val = 'F' },
	{ .name = "map-set", .has_arg = 1, .val = 'F' },
	{ .name = "timeout", .has_arg = 1, .val = '4' },
	{ .name = "exist", .has_arg = 0, .val = '5' },
	{ .name = "map-mark", .has_arg = 0, .val = '6' },
	{ .name = "map-prio", .has_arg = 0, .val = '7' },
	{ .name = "map-queue", .has_arg = 0, .val = '8' },
	{ NULL, 0, NULL, 0 },
};

static struct opaque_ext opaque_exts[] = {
	{ "set", false, set_match_opts, "match-set", 0 },
	{ "SET", true, set_target_opts, NULL, 0 },
};

static void opaque_append(struct opaque_use *u, const char *s);

static struct opaque_ext name_match_ext = { "", false, NULL, NULL, 0 };
static struct opaque_ext name_target_ext = { "", true, NULL, NULL, 0 };

/*
 * Options whose value may name an entry of a file of the host, which the
 * extension reads when the value is no number: the value is handed over
 * as "0" and the extension kept as words. -m bpf --object-pinned would
 * ask the kernel of this machine (bpf(BPF_OBJ_GET)): never given at all.
 */
static const struct {
	const char *ext, *opt, *file;
	bool mask;			/* "N/M" is a number too */
} host_file_opts[] = {
	{ "connlabel", "label", "/etc/xtables/connlabel.conf", false },
	{ "devgroup", "src-group", "/etc/iproute2/group", true },
	{ "devgroup", "dst-group", "/etc/iproute2/group", true },
	{ "realm", "realm", "/etc/iproute2/rt_realms", true },
};

/* "N" (or "N/M") as strtoul(base 0) reads it: no name to look up. */
static bool val_mask_numeric(const char *s, bool mask)
{
	char *end;

	if (!isdigit((unsigned char)*s))
		return false;
	strtoul(s, &end, 0);
	if (*end == '/' && mask) {
		if (!isdigit((unsigned char)end[1]))
			return false;
		strtoul(end + 1, &end, 0);
	}
	return *end == '\0';
}

/* The long name of option @c of @m (its getopt value), or NULL. */
static const char *ext_opt_name(const struct xtables_match *m, int c)
{
	const struct xt_option_entry *x6;
	const struct option *o;
	unsigned int v = (unsigned int)c - m->option_offset;

	if (m->x6_options) {
		for (x6 = m->x6_options; x6->name; x6++)
			if (x6->id == v)
				return x6->name;
		return NULL;
	}
	for (o = m->extra_opts; o && o->name; o++)
		if ((unsigned int)o->val == v)
			return o->name;
	return NULL;
}

/* An extension that reads host files for names: the trial leaves it. */
bool ipts_xt_reads_host_files(const char *ext)
{
	size_t i;

	/* Asked for every -m of the fast path: the first byte tells most. */
	if (ext[0] == 'b' && strcmp(ext, "bpf") == 0)
		return true;
	for (i = 0; i < sizeof(host_file_opts) / sizeof(host_file_opts[0]);
	     i++)
		if (host_file_opts[i].ext[0] == ext[0] &&
		    strcmp(host_file_opts[i].ext, ext) == 0)
			return !naming.resolve;
	return false;
}

/*
 * Before option @c of match @m gets its value: false when the call must
 * not be made (bpf), with the option's flag set as xtables_option_parse()
 * would, so that the final check still sees it given.
 */
static bool before_call(struct xtables_match *m, int c)
{
	const char *opt = ext_opt_name(m, c);
	size_t i;

	if (!opt)
		return true;
	if (strcmp(m->name, "bpf") == 0 && strcmp(opt, "object-pinned") == 0) {
		ipts_xt_ask_unknown(NAME_BPF, optarg);
		m->mflags |= 1u << ((unsigned int)c - m->option_offset);
		return false;
	}
	if (!ipts_xt_offline())
		return true;
	for (i = 0; i < sizeof(host_file_opts) / sizeof(host_file_opts[0]);
	     i++) {
		if (strcmp(host_file_opts[i].ext, m->name) != 0 ||
		    strcmp(host_file_opts[i].opt, opt) != 0 ||
		    val_mask_numeric(optarg, host_file_opts[i].mask))
			continue;
		ipts_xt_ask_unknown(NAME_FILE, optarg);
		xt.asked_file = host_file_opts[i].file;
		optarg = (char *)"0";
		break;
	}
	return true;
}

/* After an option went to @ext: keep its words; note a name it met. */
static void after_call(const void *ext, bool is_target, bool invert)
{
	struct name_miss *u;
	unsigned int i;

	if (xt.ncalls < IPTS_MAX_ARGC) {
		struct optcall *oc = &xt.calls[xt.ncalls++];

		oc->ext = ext;
		oc->first = (int16_t)xt.opt_first;
		oc->end = (int16_t)optind;
		oc->invert = invert;
	}
	if (xt.asked == NAME_NONE)
		return;
	for (i = 0; i < xt.nmiss; i++)
		if (xt.miss[i].ext == ext)
			break;
	if (i == xt.nmiss && xt.nmiss < MAX_MATCHES + 1) {
		u = &xt.miss[xt.nmiss++];
		u->ext = ext;
		u->is_target = is_target;
		u->kind = xt.asked;
		u->word = optind - 1;
		snprintf(u->name, sizeof(u->name), "%s", xt.asked_name);
		u->file = xt.asked_file;
	}
	xt.asked = NAME_NONE;
}

/* A word of a rule kept as words, quoted as iptables-save quotes. */
static void words_append(struct opaque_use *u, const char *w)
{
	static const char plain[] = "_-+.,:/=@%!0123456789"
		"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";
	char *q, *o;
	const char *p;

	if (*w && strspn(w, plain) == strlen(w)) {
		opaque_append(u, w);
		return;
	}
	q = o = ipts_xmalloc(strlen(w) * 2 + 3);
	*o++ = '"';
	for (p = w; *p; p++) {
		if (*p == '"' || *p == '\\')
			*o++ = '\\';
		*o++ = *p;
	}
	*o++ = '"';
	*o = '\0';
	opaque_append(u, q);
	free(q);
}

static void miss_warn(const struct name_miss *u, const char *ext)
{
	const struct ipts_loc *at = &xt.cl->locs[u->word];
	const char *what = u->is_target ? "-j" : "-m";

	switch (u->kind) {
	case NAME_HOST:
		if (naming.hosts_name)
			ipts_diag_add(xt.diags, IPTS_WARNING, at, "host '%s' is "
				      "not in the hosts file '%s': '%s %s' "
				      "is kept as written, and answers that "
				      "depend on it are undetermined", u->name,
				      naming.hosts_name, what, ext);
		else
			ipts_diag_add(xt.diags, IPTS_WARNING, at, "'%s' is a "
				      "host name, whose address is unknown "
				      "offline: '%s %s' is kept as written, "
				      "and answers that depend on it are "
				      "undetermined (give the firewall's "
				      "hosts file with --hosts FILE, or "
				      "--resolve to ask this machine's "
				      "resolver)", u->name, what, ext);
		break;
	case NAME_USER:
	case NAME_GROUP:
		ipts_diag_add(xt.diags, IPTS_WARNING, at, "'%s' is a %s name, "
			      "unknown offline: '%s %s' is kept as written, and "
			      "answers that depend on it are undetermined (give "
			      "the firewall's %s file with --%s FILE, or "
			      "--resolve to ask this machine's)", u->name,
			      u->kind == NAME_USER ? "user" : "group", what,
			      ext, u->kind == NAME_USER ? "passwd" : "group",
			      u->kind == NAME_USER ? "passwd" : "group");
		break;
	case NAME_FILE:
		ipts_diag_add(xt.diags, IPTS_WARNING, at, "'%s' is a name from "
			      "the firewall's %s, which iptsim does not read: "
			      "'%s %s' is kept as written, and answers that "
			      "depend on it are undetermined (write the "
			      "number, or --resolve to read this machine's)",
			      u->name, u->file ? u->file : "files", what,
			      ext);
		break;
	case NAME_BPF:
		ipts_diag_add(xt.diags, IPTS_WARNING, at, "'%s %s "
			      "--object-pinned' needs the BPF program pinned "
			      "at '%s' on the firewall: iptsim never asks the "
			      "kernel for it; the match is kept as written, "
			      "and answers that depend on it are "
			      "undetermined", what, ext, u->name);
		break;
	case NAME_NONE:
		break;
	}
}

/*
 * After the loop: each extension that met a name iptsim does not know
 * becomes an opaque one holding the words its options were given with, in
 * place of the blob libxtables made from the stand-in answer.
 */
static void name_misses(void)
{
	struct xtables_rule_match *mp;
	unsigned int i, j, k, n;

	for (i = 0; i < xt.nmiss; i++) {
		const struct name_miss *u = &xt.miss[i];
		struct opaque_use *o;
		const char *ext;
		int pos = -1, word;

		if (u->is_target) {
			ext = xt.target->t->u.user.name;
			word = xt.cl->jump_word;
		} else {
			/* the k of this match: real ones fill the k that no
			 * opaque (-m set) use holds, in order */
			n = 0;
			for (mp = xt.matches; mp && mp->match != u->ext;
			     mp = mp->next)
				n++;
			if (!mp)
				continue;
			for (k = 0; k < xt.nmatch_words; k++) {
				if (ipts_xt_is_opaque_pos(k))
					continue;
				if (n-- == 0)
					break;
			}
			if (k == xt.nmatch_words)
				continue;
			pos = (int)k;
			ext = mp->match->m->u.user.name;
			word = xt.match_word[k];
		}
		miss_warn(u, ext);
		if (xt.nopaque == MAX_MATCHES)
			ipts_xt_error(PARAMETER_PROBLEM, "too many matches");
		o = &xt.opaque[xt.nopaque];
		memset(o, 0, sizeof(*o));
		o->ext = u->is_target ? &name_target_ext : &name_match_ext;
		o->word = word;
		o->replaces = true;
		snprintf(o->name, sizeof(o->name), "%s", ext);
		for (j = 0; j < xt.ncalls; j++) {
			const struct optcall *oc = &xt.calls[j];
			int w;

			if (oc->ext != u->ext)
				continue;
			if (oc->invert)
				opaque_append(o, "!");
			for (w = oc->first; w < oc->end; w++)
				if (xt.cl->argv[w][0])
					words_append(o, xt.cl->argv[w]);
		}
		xt.opaque_pos[xt.nopaque++] = pos;
		xt.cl->rule_flags |= IPTS_RULE_OPAQUE;
	}
}

/* Is @m a match of xt.matches that an opaque use stands for? */
bool ipts_xt_replaced(const struct xtables_match *m)
{
	unsigned int i;

	for (i = 0; i < xt.nmiss; i++)
		if (!xt.miss[i].is_target && xt.miss[i].ext == m)
			return true;
	return false;
}

/* -- the option loop --------------------------------------------------- */

static void init_match(struct xtables_match *m)
{
	if (m->udata_size) {
		free(m->udata);
		m->udata = xtables_calloc(1, m->udata_size);
	}
	if (m->init)
		m->init(m->m);
}

static void init_target(struct xtables_target *t)
{
	if (t->udata_size) {
		free(t->udata);
		t->udata = xtables_calloc(1, t->udata_size);
	}
	if (t->init)
		t->init(t->t);
}

static void merge_opts(const struct xt_option_entry *x6,
		       const struct option *extra, unsigned int *offset)
{
	struct option *opts;

	if (x6)
		opts = xtables_options_xfrm(xt_params->orig_opts,
					    xt_params->opts, x6, offset);
	else if (extra)
		opts = xtables_merge_options(xt_params->orig_opts,
					     xt_params->opts, extra, offset);
	else
		return;
	if (!opts)
		ipts_oom();
	xt_params->opts = opts;
}

void ipts_xt_note_match_word(int word)
{
	if (xt.nmatch_words < MAX_MATCHES) {
		xt.hit[xt.nmatch_words] = NULL;
		xt.built[xt.nmatch_words] = NULL;
		xt.match_word[xt.nmatch_words++] = word;
	}
}

struct opaque_ext *ipts_xt_find_opaque(const char *name, bool is_target)
{
	size_t i;

	for (i = 0; i < sizeof(opaque_exts) / sizeof(opaque_exts[0]); i++)
		if (opaque_exts[i].is_target == is_target &&
		    opaque_exts[i].name[0] == name[0] &&
		    strcmp(opaque_exts[i].name, name) == 0)
			return &opaque_exts[i];
	return NULL;
}

static void opaque_begin(struct opaque_ext *ext, int word)
{
	struct opaque_use *u;

	if (xt.nopaque == MAX_MATCHES)
		ipts_xt_error(PARAMETER_PROBLEM, "too many matches");
	u = &xt.opaque[xt.nopaque];
	memset(u, 0, sizeof(*u));
	u->ext = ext;
	u->word = word;
	snprintf(u->name, sizeof(u->name), "%s", ext->name);
	xt.opaque_pos[xt.nopaque] = ext->is_target ? -1 :
		(int)xt.nmatch_words;
	xt.nopaque++;
	if (!ext->is_target)
		ipts_xt_note_match_word(word);
	merge_opts(NULL, ext->opts, &ext->option_offset);
}

static void opaque_append(struct opaque_use *u, const char *s)
{
	size_t n = strlen(s);

	u->text = ipts_xrealloc(u->text, u->len + n + 2);
	u->text[u->len++] = ' ';
	memcpy(u->text + u->len, s, n + 1);
	u->len += n;
}

/* The options of @u's extension named @name (NULL: none). */
static bool opaque_has(const struct opaque_use *u, const char *name)
{
	const struct option *o;

	for (o = u->ext->opts; o->name; o++)
		if (strcmp(o->name, name) == 0)
			return u->seen & (1u << (o - u->ext->opts));
	return false;
}

/*
 * parse_dirs() of libxt_set.h: at most IPSET_DIM_MAX (6) comma-separated
 * words, each starting with "src" or "dst". A word with a ':' (a newer
 * iptables' "physdev:" prefix) is left to the kernel.
 */
static void opaque_check_dirs(const char *flags)
{
	const char *p = flags;
	unsigned int dim = 0;

	for (;;) {
		const char *end = strchr(p, ',');
		size_t n = end ? (size_t)(end - p) : strlen(p);

		if (++dim > 6)
			ipts_xt_error(PARAMETER_PROBLEM, "Can't be more "
				      "src/dst options than %d.", 6);
		if (!memchr(p, ':', n) && strncmp(p, "src", 3) != 0 &&
		    strncmp(p, "dst", 3) != 0)
			ipts_xt_error(PARAMETER_PROBLEM, "You must spefify "
				      "(the comma separated list of) 'src' or "
				      "'dst'.");
		if (!end)
			break;
		p = end + 1;
	}
}

/*
 * The refusals of libxt_set's and libxt_SET's parsers that need no set:
 * iptables-restore makes them on any host, before or without asking the
 * kernel (checked with iptables-legacy-restore in a network namespace
 * holding the sets). @o was just read; optind is past its argument.
 */
static void opaque_check_option(struct opaque_use *u, const struct option *o,
				int argc, char **argv, bool invert)
{
	unsigned int bit = 1u << (o - u->ext->opts);
	bool match = !u->ext->is_target;

	if (o->val == 'F') {
		/* --match-set and --set are one option of the match */
		if (match ? u->given : (u->seen & bit) != 0)
			ipts_xt_error(PARAMETER_PROBLEM, "--%s can be "
				      "specified only once",
				      match ? "match-set" : o->name);
		if (optind >= argc || argv[optind][0] == '-' ||
		    argv[optind][0] == '!')
			ipts_xt_error(PARAMETER_PROBLEM, "--%s requires two "
				      "args.", match ? "match-set" : o->name);
		if (strlen(optarg) > 31)
			ipts_xt_error(PARAMETER_PROBLEM, "setname `%s' too "
				      "long, max %d characters.", optarg, 31);
		opaque_check_dirs(argv[optind]);
	} else if (match && strncmp(o->name, "return-nomatch", 14) == 0) {
		if (invert)
			ipts_xt_error(PARAMETER_PROBLEM, "--return-nomatch "
				      "flag cannot be inverted");
	} else if (match && (strncmp(o->name, "packets-", 8) == 0 ||
			     strncmp(o->name, "bytes-", 6) == 0)) {
		bool pk = o->name[0] == 'p';
		const char *kind = o->name + (pk ? 8 : 6);

		if (opaque_has(u, pk ? "packets-eq" : "bytes-eq") ||
		    opaque_has(u, pk ? "packets-lt" : "bytes-lt") ||
		    opaque_has(u, pk ? "packets-gt" : "bytes-gt"))
			ipts_xt_error(PARAMETER_PROBLEM, "only one of the "
				      "--%s-[eq|lt|gt] is allowed",
				      pk ? "packets" : "bytes");
		if (invert && strcmp(kind, "eq") != 0)
			ipts_xt_error(PARAMETER_PROBLEM, "--%s option cannot "
				      "be inverted", o->name);
	}
	u->seen |= bit;
}

/* set_target_check(): what libxt_SET's final check refuses. */
static void opaque_check_target(const struct opaque_use *u)
{
	static const char *const maps[] = { "map-mark", "map-prio",
					    "map-queue" };
	size_t i;

	if (!opaque_has(u, "add-set") && !opaque_has(u, "del-set") &&
	    !opaque_has(u, "map-set"))
		ipts_xt_error(PARAMETER_PROBLEM, "You must specify either "
			      "`--add-set' or `--del-set' or `--map-set'");
	if (opaque_has(u, "exist") && !opaque_has(u, "add-set"))
		ipts_xt_error(PARAMETER_PROBLEM, "Flag `--exist' can be used "
			      "with `--add-set' only");
	if (opaque_has(u, "timeout") && !opaque_has(u, "add-set"))
		ipts_xt_error(PARAMETER_PROBLEM, "Option `--timeout' can be "
			      "used with `--add-set' only");
	for (i = 0; i < sizeof(maps) / sizeof(maps[0]); i++)
		if (opaque_has(u, maps[i]) && !opaque_has(u, "map-set"))
			ipts_xt_error(PARAMETER_PROBLEM, "Flag `--%s' can be "
				      "used with `--map-set' only", maps[i]);
}

/*
 * Whether the word getopt_long() just read for an option of argument
 * @has_arg names @name: "--name", "--name=VALUE", or an abbreviation.
 */
static bool option_word_is(char **argv, bool has_arg, const char *name)
{
	const char *w;
	size_t n;

	/* --name=VALUE: optarg lies in the word itself */
	if (has_arg && optind >= 2 && optarg != argv[optind - 1])
		w = argv[optind - 1];
	else if (optind >= (has_arg ? 3 : 2))
		w = argv[optind - (has_arg ? 2 : 1)];
	else
		return false;
	if (w[0] != '-' || w[1] != '-')
		return false;
	w += 2;
	n = strcspn(w, "=");
	return n > 0 && strncmp(name, w, n) == 0;
}

/*
 * The option of @opts getopt_long() answered with value @k: by the value,
 * and where several share it ('F', the options that take a set and its
 * flags) by the word as written.
 */
static const struct option *opaque_option_named(const struct option *opts,
						unsigned int k, char **argv)
{
	const struct option *o, *hit = NULL;

	for (o = opts; o->name; o++) {
		if ((unsigned int)o->val != k)
			continue;
		if (!hit)
			hit = o;
		if (k == 'F' && option_word_is(argv, o->has_arg, o->name))
			return o;
	}
	return hit;
}

/* An option of an opaque extension: keep its words. */
static bool opaque_option(int c, int argc, char **argv, bool invert)
{
	unsigned int i;

	for (i = xt.nopaque; i-- > 0;) {
		struct opaque_use *u = &xt.opaque[i];
		const struct option *o;
		unsigned int k;

		if (!u->ext->opts || c < (int)u->ext->option_offset ||
		    c >= (int)(u->ext->option_offset + XT_OPTION_OFFSET_SCALE))
			continue;
		k = (unsigned int)c - u->ext->option_offset;
		o = opaque_option_named(u->ext->opts, k, argv);
		if (!o)
			return false;
		opaque_check_option(u, o, argc, argv, invert);
		if (invert)
			opaque_append(u, "!");
		{
			char opt[64];

			snprintf(opt, sizeof(opt), "--%s", o->name);
			opaque_append(u, opt);
		}
		if (o->has_arg)
			opaque_append(u, optarg);
		if (o->val == 'F' && optind < argc && argv[optind][0] != '-' &&
		    argv[optind][0] != '!')
			opaque_append(u, argv[optind++]);
		if (u->ext->needs && o->val == 'F')
			u->given = true;
		return true;
	}
	return false;
}

static bool should_load_proto(void)
{
	if (!xt.protocol)
		return false;
	return !xt.proto_used;
}

static struct xtables_match *find_proto(const char *pname,
					enum xtables_tryload tryload,
					struct xtables_rule_match **matches)
{
	unsigned int proto;
	unsigned int i;

	if (xtables_strtoui(pname, NULL, &proto, 0, UINT8_MAX)) {
		for (i = 0; xtables_chain_protos[i].name; i++)
			if (xtables_chain_protos[i].num == proto)
				return ipts_xt_find_match(
					xtables_chain_protos[i].name, tryload,
					matches);
		return NULL;
	}
	return ipts_xt_find_match(pname, tryload, matches);
}

/* command_default(): an option of a loaded extension, or load_proto. */
static int command_default(int c, int argc, char **argv, bool invert)
{
	struct xtables_rule_match *mp;
	struct xtables_match *m;

	if (xt.target && (xt.target->parse || xt.target->x6_parse) &&
	    c >= (int)xt.target->option_offset &&
	    c < (int)(xt.target->option_offset + XT_OPTION_OFFSET_SCALE)) {
		xtables_option_tpcall((unsigned int)c, argv, invert, xt.target,
				      &xt.fw);
		after_call(xt.target, true, invert);
		return 0;
	}
	for (mp = xt.matches; mp; mp = mp->next) {
		m = mp->match;
		if (mp->completed || (!m->x6_parse && !m->parse))
			continue;
		if (c < (int)m->option_offset ||
		    c >= (int)(m->option_offset + XT_OPTION_OFFSET_SCALE))
			continue;
		if (before_call(m, c))
			xtables_option_mpcall((unsigned int)c, argv, invert, m,
					      &xt.fw);
		after_call(m, false, invert);
		return 0;
	}
	if (opaque_option(c, argc, argv, invert))
		return 0;

	/*
	 * Try loading the protocol's match (-p tcp --dport 22). iptables'
	 * should_load_proto() also asks find_proto(XTF_DONT_LOAD), which is
	 * NULL only before the extension was ever loaded, when proto_used
	 * cannot be set yet; and it leaks a clone when the match is in use.
	 */
	if (should_load_proto()) {
		m = find_proto(xt.protocol, XTF_TRY_LOAD, &xt.matches);
		if (m) {
			size_t size = XT_ALIGN(sizeof(struct xt_entry_match)) +
				      m->size;

			xt.proto_used = true;
			m->m = xtables_calloc(1, size);
			m->m->u.match_size = (uint16_t)size;
			strcpy(m->m->u.user.name, m->name);
			m->m->u.user.revision = m->revision;
			init_match(m);
			merge_opts(m->x6_options, m->extra_opts,
				   &m->option_offset);
			optind--;
			ipts_xt_note_match_word(optind);
			return 1;
		}
	}
	if (c == ':')
		ipts_xt_error(PARAMETER_PROBLEM, "option \"%s\" requires an "
			      "argument", argv[optind - 1]);
	if (c == '?')
		ipts_xt_error(PARAMETER_PROBLEM, "unknown option \"%s\"",
			      argv[optind - 1]);
	ipts_xt_error(PARAMETER_PROBLEM, "Unknown arg \"%s\"", optarg);
}

struct xtables_match *ipts_xt_command_match(const char *name, int word,
					    bool invert, bool merge)
{
	struct xtables_match *m;
	struct opaque_ext *ox;
	size_t size;

	if (invert) {
		xt.cur = xt.bang;
		ipts_xt_error(PARAMETER_PROBLEM, "unexpected ! flag before "
			      "--match");
	}
	ox = ipts_xt_find_opaque(name, false);
	if (ox) {
		opaque_begin(ox, word);
		return NULL;
	}
	m = ipts_xt_find_match(name, XTF_LOAD_MUST_SUCCEED, &xt.matches);
	ipts_xt_note_match_word(word);
	size = XT_ALIGN(sizeof(struct xt_entry_match)) + m->size;
	m->m = xtables_calloc(1, size);
	m->m->u.match_size = (uint16_t)size;
	strcpy(m->m->u.user.name, m->real_name ? m->real_name : m->name);
	if (m->real_name && !(m->ext_flags & XTABLES_EXT_ALIAS))
		ipts_xt_warn("Notice: the %s match is converted into %s "
			     "match in rule listing and saving.", m->name,
			     m->real_name);
	m->m->u.user.revision = m->revision;
	init_match(m);
	if (m != m->next && merge)
		merge_opts(m->x6_options, m->extra_opts, &m->option_offset);
	return m;
}

const char *ipts_xt_parse_target_name(const char *name)
{
	const char *p;

	if (strlen(name) < 1)
		ipts_xt_error(PARAMETER_PROBLEM, "Invalid target name (too "
			      "short)");
	if (strlen(name) >= XT_EXTENSION_MAXNAMELEN)
		ipts_xt_error(PARAMETER_PROBLEM, "Invalid target name `%s' (%u "
			      "chars max)", name, XT_EXTENSION_MAXNAMELEN - 1);
	for (p = name; *p; p++)
		if (isspace((unsigned char)*p))
			ipts_xt_error(PARAMETER_PROBLEM, "Invalid target name "
				      "`%s'", name);
	return name;
}

void ipts_xt_command_jump(const char *name, int word, bool merge)
{
	struct opaque_ext *ox;
	size_t size;

	xt.jumpto = ipts_xt_parse_target_name(name);
	xt.cl->jump_word = word;
	ox = ipts_xt_find_opaque(name, true);
	if (ox) {
		opaque_begin(ox, word);
		return;
	}
	/* An announced chain name is never looked up as an extension. */
	if (xt.cl->is_announced(xt.cl->ctx, xt.jumpto))
		return;
	xt.target = ipts_xt_find_target(xt.jumpto, XTF_TRY_LOAD);
	if (!xt.target)
		return;
	size = XT_ALIGN(sizeof(struct xt_entry_target)) + xt.target->size;
	xt.target->t = xtables_calloc(1, size);
	xt.target->t->u.target_size = (uint16_t)size;
	if (!xt.target->real_name) {
		strcpy(xt.target->t->u.user.name, xt.jumpto);
	} else {
		strcpy(xt.target->t->u.user.name, xt.target->real_name);
		if (!(xt.target->ext_flags & XTABLES_EXT_ALIAS))
			ipts_xt_warn("Notice: The %s target is converted into "
				     "%s target in rule listing and saving.",
				     xt.jumpto, xt.target->real_name);
	}
	xt.target->t->u.user.revision = xt.target->revision;
	init_target(xt.target);
	if (merge)
		merge_opts(xt.target->x6_options, xt.target->extra_opts,
			   &xt.target->option_offset);
}

static char opt2char(unsigned int option)
{
	unsigned int i;

	for (i = 0; option > 1; option >>= 1)
		i++;
	return optflags[i];
}

static char cmd2char(unsigned int cmd)
{
	unsigned int i;

	for (i = 0; cmd > 1; cmd >>= 1)
		i++;
	return i < sizeof(cmdflags) ? cmdflags[i] : '?';
}

static void add_command(unsigned int newcmd, unsigned int others, bool invert)
{
	struct ipts_cmdline *cl = xt.cl;

	if (invert) {
		xt.cur = xt.bang;
		ipts_xt_error(PARAMETER_PROBLEM, "unexpected '!' flag");
	}
	if (cl->command & ~others)
		ipts_xt_error(PARAMETER_PROBLEM, "Cannot use -%c with -%c",
			      cmd2char(newcmd),
			      cmd2char(cl->command & ~others));
	cl->command |= newcmd;
}

void ipts_xt_set_option(unsigned int option, bool invert, int word)
{
	unsigned int i = (unsigned int)__builtin_ctz(option); /* one bit */

	xt.opt_val[i] = xt.cur;
	xt.cur = word;
	if (xt.options & option)
		ipts_xt_error(PARAMETER_PROBLEM, "multiple -%c flags not "
			      "allowed", opt2char(option));
	xt.options |= option;
	xt.opt_word[i] = word;
	if (invert) {
		if (!inverse_for_options[i]) {
			xt.cur = xt.bang;
			ipts_xt_error(PARAMETER_PROBLEM, "cannot have ! before "
				      "-%c", opt2char(option));
		}
		xt.invflags |= inverse_for_options[i];
		xt.opt_bang[i] = xt.bang;
	}
	xt.cur = xt.opt_val[i];
}

static unsigned int parse_rulenumber(const char *s)
{
	unsigned int n;

	if (!xtables_strtoui(s, NULL, &n, 1, INT_MAX))
		ipts_xt_error(PARAMETER_PROBLEM, "Invalid rule number `%s'", s);
	return n;
}

static bool has_arg(int argc, char **argv)
{
	return optind < argc && argv[optind][0] != '-' &&
	       argv[optind][0] != '!';
}

/* -L, -S, -F, -X, -Z: an optional chain, as optarg or the next word. */
static void optional_chain(int argc, char **argv)
{
	struct ipts_cmdline *cl = xt.cl;

	if (optarg) {
		cl->chain = optarg;
		cl->chain_word = optind - 1;
	} else if (has_arg(argc, argv)) {
		cl->chain_word = optind;
		cl->chain = argv[optind++];
	}
}

/* An optional rule number after the chain; true when there was one. */
static bool optional_rulenum(int argc, char **argv)
{
	struct ipts_cmdline *cl = xt.cl;

	if (!has_arg(argc, argv))
		return false;
	xt.cur = optind;
	cl->rulenum_word = optind;
	cl->rulenum = parse_rulenumber(argv[optind++]);
	return true;
}

static void valid_chain_name(const char *name)
{
	if (strlen(name) >= XT_EXTENSION_MAXNAMELEN)
		ipts_xt_error(PARAMETER_PROBLEM, "chain name `%s' too long "
			      "(must be under %u chars)", name,
			      XT_EXTENSION_MAXNAMELEN);
	if (*name == '-' || *name == '!')
		ipts_xt_error(PARAMETER_PROBLEM, "chain name not allowed to "
			      "start with `%c'\n", *name);
	if (!xt.cl->is_announced(xt.cl->ctx, name) &&
	    ipts_xt_find_target(name, XTF_TRY_LOAD))
		ipts_xt_error(PARAMETER_PROBLEM, "chain name may not clash "
			      "with target name\n");
}

void ipts_xt_generic_opt_check(unsigned int command, unsigned int options)
{
	/*
	 * iptables' loop asks, for each option given, whether every command
	 * given forbids it: the options all the commands forbid, at once.
	 * The error names the first of them, as the loop's order does.
	 */
	unsigned int bad = (1u << NUMBER_OF_OPT) - 1, c = command & 0x7fffu;
	unsigned int i;

	if (!c)
		return;
	for (; c; c &= c - 1)
		bad &= illegal_opts[__builtin_ctz(c)];
	bad &= options;
	if (!bad)
		return;
	i = (unsigned int)__builtin_ctz(bad);
	xt.cur = xt.opt_word[i];
	ipts_xt_error(PARAMETER_PROBLEM,
		      "Illegal option `-%c' with this command", optflags[i]);
}

/* --uid-owner alice: only this machine's passwd knows who alice is. */
static void note_owner_name(int longindex)
{
	const char *name = xt_params->opts[longindex].name;
	const char *p;
	uint32_t id;

	if (strcmp(name, "uid-owner") != 0 && strcmp(name, "gid-owner") != 0)
		return;
	for (p = optarg; *p; p++)
		if (!isdigit((unsigned char)*p) && *p != '-')
			break;
	if (!*p)
		return;
	/* offline, or the firewall's own file: not this machine's */
	if (!naming.resolve ||
	    ipts_names_id(naming.names, name[0] == 'u', optarg, &id))
		return;
	xt.cl->rule_flags |= IPTS_RULE_HOSTNAMES;
	ipts_diag_add(xt.diags, IPTS_WARNING, ipts_xt_cur_loc(),
		      "'%s' was turned into a number through this machine's "
		      "%s database: the answer holds for this machine's names",
		      optarg, name[0] == 'u' ? "passwd" : "group");
}

/*
 * xtables_parse_protocol(), which a file calls with the same few words on
 * most of its lines ("tcp", "udp"): a number, "all", libxtables' own table
 * of names, then getprotobyname(), a strtoul() and a walk on each. It is a
 * function of the word alone, so the words it answered are kept with their
 * number; one it refuses is never kept, and says so from libxtables again.
 */
#define PROTO_SLOTS 8

static struct {
	char word[16];
	uint16_t num;
} proto_seen[PROTO_SLOTS];
static unsigned int proto_nseen;

static uint16_t parse_protocol(const char *s)
{
	unsigned int i;
	uint16_t num;
	size_t len;

	for (i = 0; i < PROTO_SLOTS && i < proto_nseen; i++) {
		const char *w = proto_seen[i].word; /* NUL-ended */
		size_t k = 0;

		while (w[k] == s[k] && s[k])
			k++;
		if (w[k] == s[k])
			return proto_seen[i].num;
	}
	num = xtables_parse_protocol(s);
	len = strnlen(s, sizeof(proto_seen[0].word));
	if (len == sizeof(proto_seen[0].word))
		return num; /* no name this long */
	i = proto_nseen++ % PROTO_SLOTS;
	memcpy(proto_seen[i].word, s, len + 1);
	proto_seen[i].num = num;
	return num;
}

/*
 * The generic options the fast path reads without getopt_long (the shape
 * ipts_xt_fast_generic_end() allows): what ipts_xt_parse_loop() does for
 * each, getopt's optarg and optind as it leaves them. One body for both.
 */
static void generic_opt(int c, int argc, char **argv, bool invert, int opt,
			bool *table_set)
{
	struct ipts_cmdline *cl = xt.cl;

	switch (c) {
	case 'A':
		add_command(IPTS_CMD_APPEND, 0, invert);
		cl->chain = optarg;
		cl->chain_word = optind - 1;
		break;
	case 'I':
		add_command(IPTS_CMD_INSERT, 0, invert);
		cl->chain = optarg;
		cl->chain_word = optind - 1;
		cl->rulenum = 1;
		optional_rulenum(argc, argv);
		break;
	case 'p': {
		char *p;

		ipts_xt_set_option(OPT_PROTOCOL, invert, opt);
		for (p = argv[optind - 1]; *p; p++)
			*p = (char)tolower((unsigned char)*p);
		xt.protocol = argv[optind - 1];
		if (xt.family == IPTS_FAMILY_IPV6) {
			proto_parse6();
			break;
		}
		xt.fw.ip.proto = parse_protocol(xt.protocol);
		if (xt.fw.ip.proto == 0 && (xt.invflags & XT_INV_PROTO))
			ipts_xt_error(PARAMETER_PROBLEM,
				      "rule would "
				      "never match protocol");
		xt.fw.ip.invflags = (uint8_t)xt.invflags;
		break;
	}
	case 's':
		ipts_xt_set_option(OPT_SOURCE, invert, opt);
		xt.shost = argv[optind - 1];
		break;
	case 'd':
		ipts_xt_set_option(OPT_DESTINATION, invert, opt);
		xt.dhost = argv[optind - 1];
		break;
	case 'i':
	case 'o':
		if (*optarg == '\0')
			ipts_xt_error(PARAMETER_PROBLEM,
				      "Empty "
				      "interface is likely to be "
				      "undesired");
		ipts_xt_set_option(c == 'i' ? OPT_VIANAMEIN : OPT_VIANAMEOUT,
				   invert, opt);
		if (c == 'i')
			xtables_parse_interface(argv[optind - 1], xt.iniface,
						xt.iniface_mask);
		else
			xtables_parse_interface(argv[optind - 1], xt.outiface,
						xt.outiface_mask);
		break;
	case 'f':
		xt.cur = opt;
		if (xt.family == IPTS_FAMILY_IPV6)
			ipts_xt_error(PARAMETER_PROBLEM,
				      "`-f' is not "
				      "supported in IPv6, use -m frag "
				      "instead");
		ipts_xt_set_option(OPT_FRAGMENT, invert, opt);
		xt.flags |= IPT_F_FRAG;
		break;
	case 't':
		xt.cur = opt;
		if (invert)
			ipts_xt_error(PARAMETER_PROBLEM, "unexpected ! "
							 "flag before --table");
		if (*table_set)
			ipts_xt_error(PARAMETER_PROBLEM,
				      "The -t "
				      "option cannot be used in "
				      "iptables-restore");
		*table_set = true;
		break;
	case 'c': {
		const char *pc = optarg, *bc;

		int pw = optind - 1, bw = optind - 1;

		ipts_xt_set_option(OPT_COUNTERS, invert, opt);
		bc = strchr(pc + 1, ',');
		if (bc)
			bc++;
		if (!bc && has_arg(argc, argv)) {
			bw = optind;
			bc = argv[optind++];
		}
		if (!bc) {
			xt.cur = opt;
			ipts_xt_error(PARAMETER_PROBLEM,
				      "-c requires "
				      "packet and byte counter");
		}
		xt.cur = pw;
		if (sscanf(pc, "%llu", &xt.pcnt) != 1)
			ipts_xt_error(PARAMETER_PROBLEM, "-c packet "
							 "counter not numeric");
		xt.cur = bw;
		if (sscanf(bc, "%llu", &xt.bcnt) != 1)
			ipts_xt_error(PARAMETER_PROBLEM, "-c byte "
							 "counter not numeric");
		cl->counters_set = true;
		break;
	}
	}
}

/* What ipts_xt_parse_loop() does before its first word. */
static void loop_begin(void)
{
	struct xtables_match *m;
	struct xtables_target *t;

	optind = 0;
	opterr = 0;
	for (m = xtables_matches; m; m = m->next)
		m->mflags = 0;
	for (t = xtables_targets; t; t = t->next) {
		t->tflags = 0;
		t->used = 0;
	}
	xt_params->opts = xt_params->orig_opts;
}

/* A '!' word (getopt's 1, optarg the word, optind past it): the next
 * option is inverted. */
static bool bang_word(bool invert)
{
	int bang = optind - 1;

	if (invert)
		ipts_xt_error(PARAMETER_PROBLEM, "multiple consecutive ! "
						 "not allowed");
	xt.bang = bang;
	/* ipts_xt_undo_trial() puts it back */
	if (xt.trial) {
		if (xt.nbangs == MAX_MATCHES)
			ipts_xt_bail();
		xt.bangs[xt.nbangs++] = bang;
	}
	optarg[0] = '\0';
	return true;
}

void ipts_xt_parse_loop(int argc, char **argv)
{
	struct ipts_cmdline *cl = xt.cl;
	bool invert = false, table_set = false;
	int c, longindex, opt;

	loop_begin();

	for (;;) {
		longindex = -1;
		c = getopt_long(argc, argv, IPT_OPTSTRING, xt_params->opts,
				&longindex);
		if (c == -1)
			break;
		/* Errors point at the option word itself; those of an
		 * extension's option at its value (the default branch). */
		opt = c != 1 && optarg && optind >= 2 &&
		      optarg == argv[optind - 1] ? optind - 2 : optind - 1;
		xt.cur = optind - 1;
		switch (c) {
		case 'A':
			generic_opt(c, argc, argv, invert, opt, &table_set);
			break;
		case 'C':
			add_command(IPTS_CMD_CHECK, 0, invert);
			cl->chain = optarg;
			cl->chain_word = optind - 1;
			break;
		case 'D':
			add_command(IPTS_CMD_DELETE, 0, invert);
			cl->chain = optarg;
			cl->chain_word = optind - 1;
			if (has_arg(argc, argv)) {
				xt.cur = optind;
				cl->rulenum_word = optind;
				cl->rulenum = parse_rulenumber(argv[optind++]);
				cl->command = IPTS_CMD_DELETE_NUM;
			}
			break;
		case 'R':
			add_command(IPTS_CMD_REPLACE, 0, invert);
			cl->chain = optarg;
			cl->chain_word = optind - 1;
			if (!has_arg(argc, argv))
				ipts_xt_error(PARAMETER_PROBLEM, "-%c requires "
					      "a rule number", 'R');
			xt.cur = optind;
			cl->rulenum_word = optind;
			cl->rulenum = parse_rulenumber(argv[optind++]);
			break;
		case 'I':
			generic_opt(c, argc, argv, invert, opt, &table_set);
			break;
		case 'L':
		case 'S':
			add_command(c == 'L' ? IPTS_CMD_LIST :
				    IPTS_CMD_LIST_RULES,
				    IPTS_CMD_ZERO | IPTS_CMD_ZERO_NUM, invert);
			optional_chain(argc, argv);
			optional_rulenum(argc, argv);
			break;
		case 'F':
		case 'X':
			add_command(c == 'F' ? IPTS_CMD_FLUSH :
				    IPTS_CMD_DELETE_CHAIN, 0, invert);
			optional_chain(argc, argv);
			break;
		case 'Z':
			add_command(IPTS_CMD_ZERO,
				    IPTS_CMD_LIST | IPTS_CMD_LIST_RULES, invert);
			optional_chain(argc, argv);
			if (optional_rulenum(argc, argv))
				cl->command = (cl->command & ~IPTS_CMD_ZERO) |
					      IPTS_CMD_ZERO_NUM;
			break;
		case 'N':
			valid_chain_name(optarg);
			add_command(IPTS_CMD_NEW_CHAIN, 0, invert);
			cl->chain = optarg;
			cl->chain_word = optind - 1;
			break;
		case 'E':
			add_command(IPTS_CMD_RENAME_CHAIN, 0, invert);
			cl->chain = optarg;
			cl->chain_word = optind - 1;
			if (!has_arg(argc, argv))
				ipts_xt_error(PARAMETER_PROBLEM, "-%c requires "
					      "old-chain-name and "
					      "new-chain-name", 'E');
			cl->arg2_word = optind;
			cl->arg2 = argv[optind++];
			break;
		case 'P':
			add_command(IPTS_CMD_SET_POLICY, 0, invert);
			cl->chain = optarg;
			cl->chain_word = optind - 1;
			if (!has_arg(argc, argv))
				ipts_xt_error(PARAMETER_PROBLEM, "-%c requires "
					      "a chain and a policy", 'P');
			cl->arg2_word = optind;
			cl->arg2 = argv[optind++];
			break;
		case 'h':
			ipts_xt_error(PARAMETER_PROBLEM, "-h prints iptables' "
				      "help: not a rule");
		case 'V':
			ipts_xt_error(PARAMETER_PROBLEM, "-V prints iptables' "
				      "version: not a rule");
		case 'p':
		case 's':
		case 'd':
			generic_opt(c, argc, argv, invert, opt, &table_set);
			break;
		case 'g':
			ipts_xt_set_option(OPT_JUMP, invert, opt);
			xt.goto_set = true;
			xt.jumpto = ipts_xt_parse_target_name(optarg);
			cl->jump_word = optind - 1;
			break;
		case 'j':
			ipts_xt_set_option(OPT_JUMP, invert, opt);
			ipts_xt_command_jump(argv[optind - 1], optind - 1,
					     true);
			break;
		case 'i':
		case 'o':
		case 'f':
			generic_opt(c, argc, argv, invert, opt, &table_set);
			break;
		case 'v':
			break;
		case 'm':
			ipts_xt_command_match(optarg, optind - 1, invert, true);
			break;
		case 'n':
			ipts_xt_set_option(OPT_NUMERIC, invert, opt);
			break;
		case 't':
			generic_opt(c, argc, argv, invert, opt, &table_set);
			break;
		case 'x':
			ipts_xt_set_option(OPT_EXPANDED, invert, opt);
			break;
		case 'w':
			ipts_xt_error(PARAMETER_PROBLEM, "You cannot use `-w' "
				      "from iptables-restore");
		case 'W':
			ipts_xt_error(PARAMETER_PROBLEM, "You cannot use `-W' "
				      "from iptables-restore");
		case '0':
			ipts_xt_set_option(OPT_LINENUMBERS, invert, opt);
			break;
		case 'M':
			break;
		case 'c':
			generic_opt(c, argc, argv, invert, opt, &table_set);
			break;
		case '4':
		case '6':
			/* The other family's line: do_parse() returns here,
			 * and what it read still runs. */
			if ((c == '6') == (xt.family == IPTS_FAMILY_IPV6))
				break;
			xt.skip_line = true;
			return;
		case 1:
			if (optarg[0] == '!' && optarg[1] == '\0') {
				invert = bang_word(invert);
				continue;
			}
			ipts_xt_error(PARAMETER_PROBLEM, "Bad argument `%s'",
				      optarg);
		default:
			xt.cur = optind - 1;
			xt.opt_first = opt;
			if (command_default(c, argc, argv, invert))
				continue;
			if (longindex >= 0)
				note_owner_name(longindex);
			break;
		}
		invert = false;
	}
	xt.dangling_bang = invert;
}

/*
 * ipts_xt_parse_loop() over the generic words of a fast line, of the
 * shape ipts_xt_fast_generic_end() allows ("-t TABLE", maybe
 * "--set-counters P B", "-A CHAIN" or "-I CHAIN [N]", then -s, -d, -p,
 * -i, -o with their values and -f, each after at most one '!'): each
 * word as getopt_long would return it (no permutation: IPT_OPTSTRING
 * starts with '-'; an option's value the next word, whatever it is),
 * through the same code.
 */
void ipts_xt_fast_generic_loop(int argc, char **argv)
{
	bool invert = false, table_set = false;
	int i = 1, c;

	loop_begin();
	while (i < argc) {
		const char *w = argv[i];

		if (w[0] == '!' && w[1] == '\0') {
			optarg = argv[i];
			optind = i + 1;
			xt.cur = i;
			invert = bang_word(invert);
			i = optind;
			continue;
		}
		/* "--set-counters" is the only long one */
		c = w[1] == '-' ? 'c' : w[1];
		optarg = c == 'f' ? NULL : argv[i + 1];
		optind = i + (c == 'f' ? 1 : 2);
		xt.cur = optind - 1;
		generic_opt(c, argc, argv, invert, i, &table_set);
		invert = false;
		i = optind;
	}
	xt.dangling_bang = invert;
}

/* The end of do_parse()'s loop: what it checks once every word is read. */
void ipts_xt_loop_end(void)
{
	struct ipts_cmdline *cl = xt.cl;

	if (cl->table[0] == 'n' && strcmp(cl->table, "nat") == 0 &&
	    ((cl->arg2 && cl->command == IPTS_CMD_SET_POLICY &&
	      strcmp(cl->arg2, "DROP") == 0) ||
	     (xt.jumpto && strcmp(xt.jumpto, "DROP") == 0))) {
		xt.cur = cl->command == IPTS_CMD_SET_POLICY ? cl->arg2_word :
			 cl->jump_word;
		ipts_xt_error(PARAMETER_PROBLEM, "The \"nat\" table is not "
			      "intended for filtering, the use of DROP is "
			      "therefore inhibited.");
	}
	if (xt.dangling_bang) {
		xt.cur = cl->argc - 1;
		ipts_xt_error(PARAMETER_PROBLEM, "nothing appropriate "
			      "following !");
	}
}

bool ipts_xt_is_opaque_pos(unsigned int k)
{
	unsigned int i;

	for (i = 0; i < xt.nopaque; i++)
		if (xt.opaque_pos[i] == (int)k)
			return true;
	return false;
}

/* The word that loaded the @i-th libxtables match of the rule. */
static int real_match_word(unsigned int i)
{
	unsigned int k;

	for (k = 0; k < xt.nmatch_words; k++) {
		if (xt.hit[k] || ipts_xt_is_opaque_pos(k))
			continue;
		if (i-- == 0)
			return xt.match_word[k];
	}
	return -1;
}

/* Say which set the host must provide: iptsim cannot know its members. */
static void opaque_warn(const struct opaque_use *u)
{
	const char *p = u->text ? strstr(u->text, "-set ") : NULL;
	int n = 0;

	if (p) {
		p += 5;
		while (p[n] && p[n] != ' ')
			n++;
	}
	ipts_diag_add(xt.diags, IPTS_WARNING, &xt.cl->locs[u->word],
		      "%s '%.*s' needs ipset '%.*s' from the host: kept as "
		      "written, and answers that depend on it are undetermined",
		      u->ext->is_target ? "target" : "match", 32, u->ext->name,
		      n ? n : 1, n ? p : "?");
}

/* IPv6 headers the kernel walks past: no packet has one as -p's. */
static bool is_exthdr(uint16_t proto)
{
	return proto == IPPROTO_ROUTING || proto == IPPROTO_FRAGMENT ||
	       proto == IPPROTO_AH || proto == IPPROTO_DSTOPTS;
}

/* ipv6_proto_parse(): -p sets IP6T_F_PROTO, whatever the protocol. */
static void proto_parse6(void)
{
	xt.fw6.ipv6.proto = parse_protocol(xt.protocol);
	if (xt.fw6.ipv6.proto == 0 && (xt.invflags & XT_INV_PROTO))
		ipts_xt_error(PARAMETER_PROBLEM, "rule would never match "
						 "protocol");
	xt.fw6.ipv6.invflags = (uint8_t)xt.invflags;
	xt.flags |= IP6T_F_PROTO;
	xt.fw6.ipv6.flags |= IP6T_F_PROTO;
	if (is_exthdr(xt.fw6.ipv6.proto) &&
	    (xt.fw6.ipv6.invflags & XT_INV_PROTO) == 0)
		ipts_xt_warn("Warning: never matched protocol: %s. use "
			     "extension match instead.",
			     xt.protocol);
}

/* ipv6_post_parse(), up to the addresses (xt_entry.c reads them). */
static void post_parse6(void)
{
	struct ipts_cmdline *cl = xt.cl;

	xt.fw6.ipv6.flags = xt.flags;
	xt.fw6.ipv6.invflags = (uint8_t)xt.invflags;
	memcpy(xt.fw6.ipv6.iniface, xt.iniface, IFNAMSIZ);
	memcpy(xt.fw6.ipv6.iniface_mask, xt.iniface_mask, IFNAMSIZ);
	memcpy(xt.fw6.ipv6.outiface, xt.outiface, IFNAMSIZ);
	memcpy(xt.fw6.ipv6.outiface_mask, xt.outiface_mask, IFNAMSIZ);
	if (xt.goto_set)
		xt.fw6.ipv6.flags |= IP6T_F_GOTO;
	xt.fw6.counters.pcnt = xt.pcnt;
	xt.fw6.counters.bcnt = xt.bcnt;
	cl->counters = xt.fw6.counters;

	if (cl->command &
	    (IPTS_CMD_REPLACE | IPTS_CMD_INSERT | IPTS_CMD_DELETE |
	     IPTS_CMD_APPEND | IPTS_CMD_CHECK)) {
		if (!(xt.options & OPT_DESTINATION))
			xt.dhost = "::0/0";
		if (!(xt.options & OPT_SOURCE))
			xt.shost = "::0/0";
	}
}

/*
 * The option tables' final check (xtables_options_fcheck(): each option
 * that must be given was, and no two that exclude each other were) is a
 * function of the table and of the flags of the options given alone, and
 * it walks every option of the table against every other: on a large file
 * it was a twentieth of the load. A pair of table and flags that passed
 * once is remembered here and not walked again; an extension's tables are
 * static and never unloaded (libxtables does not dlclose()), so a pointer
 * names one table for the process's life. A pair that fails is never
 * remembered: its error comes from libxtables, as before.
 */
#define FCHECK_SLOTS 64

static struct {
	const struct xt_option_entry *table;
	unsigned int flags;
} fcheck_ok[FCHECK_SLOTS];

static void options_fcheck(const char *name, unsigned int flags,
			   const struct xt_option_entry *table)
{
	uintptr_t k = (uintptr_t)table >> 4 ^ flags * 0x9e3779b1u;
	unsigned int i = (unsigned int)(k ^ k >> 6) % FCHECK_SLOTS;

	if (fcheck_ok[i].table == table && fcheck_ok[i].flags == flags)
		return;
	xtables_options_fcheck(name, flags, table);
	fcheck_ok[i].table = table;
	fcheck_ok[i].flags = flags;
}

/* xtables_option_mfcall() with options_fcheck() for the tables' check. */
static void final_check(const char *name, void *data, void *udata,
			unsigned int flags,
			void (*x6_fcheck)(struct xt_fcheck_call *),
			void (*old_fcheck)(unsigned int),
			const struct xt_option_entry *x6_options)
{
	if (x6_fcheck) {
		struct xt_fcheck_call cb = { .ext_name = name,
					     .data = data,
					     .udata = udata,
					     .xflags = flags };

		x6_fcheck(&cb);
	} else if (old_fcheck) {
		old_fcheck(flags);
	}
	if (x6_options)
		options_fcheck(name, flags, x6_options);
}

static void match_final_check(struct xtables_match *m)
{
	final_check(m->name, m->m->data, m->udata, m->mflags, m->x6_fcheck,
		    m->final_check, m->x6_options);
}

/* xtables_option_tfcall() likewise. */
static void target_final_check(struct xtables_target *t)
{
	final_check(t->name, t->t->data, t->udata, t->tflags, t->x6_fcheck,
		    t->final_check, t->x6_options);
}

/* After the loop: final checks, then ipv4_post_parse() and friends. */
void ipts_xt_finish(int argc, char **argv)
{
	struct ipts_cmdline *cl = xt.cl;
	struct xtables_rule_match *mp;
	unsigned int i;

	(void)argv;
	i = 0;
	for (mp = xt.matches; mp; mp = mp->next, i++) {
		xt.cur = real_match_word(i);
		match_final_check(mp->match);
	}
	if (xt.target) {
		xt.cur = cl->jump_word;
		target_final_check(xt.target);
	}
	for (i = 0; i < xt.nopaque; i++) {
		struct opaque_use *u = &xt.opaque[i];

		if (u->ext->needs && !u->given) {
			xt.cur = u->word;
			ipts_xt_error(PARAMETER_PROBLEM, "You must specify "
				      "`--%s' with proper arguments",
				      u->ext->needs);
		}
		if (u->ext->is_target) {
			xt.cur = u->word;
			opaque_check_target(u);
		}
		opaque_warn(u);
	}
	name_misses();
	xt.cur = argc - 1;
	if (optind < argc)
		ipts_xt_error(PARAMETER_PROBLEM, "unknown arguments found on "
			      "commandline");
	if (!cl->command)
		ipts_xt_error(PARAMETER_PROBLEM, "no command specified");

	if (xt.family == IPTS_FAMILY_IPV6) {
		post_parse6();
		return;
	}
	xt.fw.ip.flags = xt.flags;
	xt.fw.ip.invflags = (uint8_t)xt.invflags;
	memcpy(xt.fw.ip.iniface, xt.iniface, IFNAMSIZ);
	memcpy(xt.fw.ip.iniface_mask, xt.iniface_mask, IFNAMSIZ);
	memcpy(xt.fw.ip.outiface, xt.outiface, IFNAMSIZ);
	memcpy(xt.fw.ip.outiface_mask, xt.outiface_mask, IFNAMSIZ);
	if (xt.goto_set)
		xt.fw.ip.flags |= IPT_F_GOTO;
	xt.fw.counters.pcnt = xt.pcnt;
	xt.fw.counters.bcnt = xt.bcnt;
	cl->counters = xt.fw.counters;

	if (cl->command & (IPTS_CMD_REPLACE | IPTS_CMD_INSERT |
			   IPTS_CMD_DELETE | IPTS_CMD_APPEND | IPTS_CMD_CHECK)) {
		if (!(xt.options & OPT_DESTINATION))
			xt.dhost = "0.0.0.0/0";
		if (!(xt.options & OPT_SOURCE))
			xt.shost = "0.0.0.0/0";
	}
}
