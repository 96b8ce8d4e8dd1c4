/*
 * xt_fast.c - the fast path: most lines of a save file have one shape, for
 * which what iptables' option loop would do is known without merging
 * option tables (a trial, below), and most of their extension segments
 * were met before in the same file (the memo). Anything unusual leaves the
 * trial, and the line goes through xt_loop.c from its first word.
 */
#include "xt_int.h"

#include <assert.h>
#include <stdlib.h>
#include <string.h>
#include <xtables.h>

/*
 * Nearly every line of a save file has one shape:
 *
 *   -A CHAIN [-s|-d|-p|-i|-o X, -f, !]... [-m NAME OPTIONS]... [-j NAME OPTIONS | -g CHAIN]
 *
 * where each option word is the full name of an option of the extension
 * just loaded, and of no option loaded before it. For such a line what
 * getopt_long would answer over the merged tables is known without merging
 * them: ipts_xt_fast_parse() hands each option straight to its extension
 * (xtables_option_mpcall(), as command_default() does) and leaves the rest
 * of the rule to the same code as the full loop. A line of any other shape,
 * or one that fails anywhere in here, is parsed again by
 * ipts_xt_parse_loop() from the start: ipts_xt_fast_parse() is a trial,
 * whose errors are not reported.
 *
 * An extension segment, its words and the protocol being equal, yields the
 * same blob: the parsers see nothing else of the rule (libxt_multiport and
 * libxt_NAT read ip.proto and ip.invflags; no other reads the entry).
 * Segments parsed once are kept, for the file being read, in a table keyed
 * by their bytes in the source, from "-m" through the word that ends them;
 * a line met again takes the blob of the first one. A segment is kept only
 * if its line warned nothing (xt.warnbuf) and asked no resolver.
 */

#define MEMO_CHUNK 1024

struct memo_slot {
	uint32_t hash, idx;
};

static struct {
	bool on;			/* between ipts_xt_begin() and _end() */
	/* Open addressing, at most half full: each slot the hash and 1 +
	 * the index of its entry (0: empty), so that a probe rejects other
	 * segments without reading their entries. */
	struct memo_slot *slot;
	uint32_t nslots, n;
	struct memo **chunk;		/* entry i: chunk[i / 1024][i % 1024] */
	uint32_t nchunks;
	const struct xtables_match **ext;	/* [0] is NULL */
	uint16_t next_;
	const struct ipts_source *src;
	uint32_t want; /* slots at the first (ipts_xt_memo_reserve()) */
} memo;

static struct memo *memo_at(uint32_t i)
{
	return &memo.chunk[i / MEMO_CHUNK][i % MEMO_CHUNK];
}

static const struct xtables_match *memo_ext(const struct memo *m)
{
	return memo.ext[m->ext];
}

void ipts_xt_begin(bool full_loop, const struct ipts_parse_opts *o,
		   const struct ipts_names *names)
{
	ipts_xt_end();
	naming.resolve = o->resolve;
	naming.names = names;
	naming.hosts_name = o->hosts ? o->hosts->name : NULL;
	memo.on = true;
	xt.resolver_down = false;
	/* IPTSIM_FULL_LOOP: for the tests that compare the two ways */
	xt.no_fast = full_loop || getenv("IPTSIM_FULL_LOOP") != NULL;
}

void ipts_xt_memo_reserve(uint32_t nlines)
{
	uint32_t n = 2048;

	/* bounded: 8 MB of slots, touched only where segments land */
	if (nlines > (1u << 20))
		nlines = 1u << 20;
	while (n < nlines)
		n *= 2;
	memo.want = n;
}

void ipts_xt_end(void)
{
	uint32_t i;

	for (i = 0; i < memo.nchunks; i++)
		free(memo.chunk[i]);
	free(memo.chunk);
	ipts_big_free(memo.slot, (size_t)memo.nslots * sizeof(*memo.slot));
	free(memo.ext);
	memset(&memo, 0, sizeof(memo));
	xt.std_blob = NULL;
	xt.std_rs = NULL;
}

/*
 * The hash of a segment's bytes, for the memo alone (its entries are
 * compared in full): eight bytes a step, the last eight read once more,
 * overlapping, so that no length goes byte by byte or through memcpy().
 * Segments are 7 to a few hundred bytes; most are 20 to 60.
 */
static uint32_t seg_hash(const char *p, uint32_t len)
{
	const uint64_t k = 0xff51afd7ed558ccdull;
	const char *end = p + len;
	uint64_t h = (uint64_t)len * 0x9e3779b97f4a7c15ull, w;

	if (len >= 8) {
		for (; end - p > 8; p += 8) {
			memcpy(&w, p, 8);
			h = (h ^ w) * k;
			h ^= h >> 32;
		}
		memcpy(&w, end - 8, 8);
	} else if (len >= 4) {
		uint32_t a, b;

		memcpy(&a, p, 4);
		memcpy(&b, end - 4, 4);
		w = (uint64_t)a << 32 | b;
	} else {
		w = len ? (uint64_t)(unsigned char)p[0] << 16 |
				    (uint64_t)(unsigned char)p[len / 2] << 8 |
				    (unsigned char)p[len - 1] :
			  0;
	}
	h = (h ^ w) * 0xc4ceb9fe1a85ec53ull;
	h ^= h >> 29;
	return (uint32_t)(h ^ h >> 32);
}

/* The bytes of words @first..@last (inclusive) as written. */
static const char *word_span(int first, int last, uint32_t *len)
{
	const struct ipts_loc *a = &xt.cl->locs[first];
	const struct ipts_loc *b = &xt.cl->locs[last];

	*len = b->off + b->len - a->off;
	return a->src->buf + a->off;
}

/* The pre_hash() entry of the segment starting at word @first, or NULL:
 * the line's segments are met in order, so a cursor finds it. */
static const struct pre_seg *pre_at(int first)
{
	while (xt.pre_next < xt.npre && xt.pre[xt.pre_next].first < first)
		xt.pre_next++;
	if (xt.pre_next < xt.npre && xt.pre[xt.pre_next].first == first)
		return &xt.pre[xt.pre_next];
	return NULL;
}

/* The memo's entry for words @first..@last, pre_hash()'s @p if it has them. */
static struct memo *memo_find(int first, int last, bool is_target,
			      const struct pre_seg *p, uint32_t *hashp)
{
	const char *span;
	uint32_t len, i;
	uint32_t h;
	struct memo *m;

	/* The protocol and the kind are compared, not hashed: a segment
	 * seldom comes with several. */
	span = word_span(first, last, &len);
	h = p && p->last == last ? p->hash : seg_hash(span, len);
	*hashp = h;
	if (!memo.nslots || xt.cl->locs[first].src != memo.src)
		return NULL;
	for (i = h & (memo.nslots - 1); memo.slot[i].idx;
	     i = (i + 1) & (memo.nslots - 1)) {
		if (memo.slot[i].hash != h)
			continue;
		m = memo_at(memo.slot[i].idx - 1);
		if (m->len == len && m->is_target == is_target &&
		    m->proto == xt.seg_proto &&
		    m->invflags == xt.seg_invflags &&
		    memcmp(memo.src->buf + m->off, span, len) == 0)
			return m;
	}
	return NULL;
}

static void memo_link(uint32_t i)
{
	uint32_t h = memo_at(i)->hash, j;

	for (j = h & (memo.nslots - 1); memo.slot[j].idx;
	     j = (j + 1) & (memo.nslots - 1))
		;
	memo.slot[j].hash = h;
	memo.slot[j].idx = i + 1;
}

static void memo_grow(void)
{
	uint32_t n = memo.nslots ? memo.nslots * 2 : 2048, i;

	if (!memo.nslots && memo.want > n)
		n = memo.want;

	ipts_big_free(memo.slot, (size_t)memo.nslots * sizeof(*memo.slot));
	memo.slot = ipts_big_calloc((size_t)n * sizeof(*memo.slot));
	memo.nslots = n;
	for (i = 0; i < memo.n; i++)
		memo_link(i);
}

/* The index of @ext in memo.ext[], added if new (few are ever in use). */
static uint16_t memo_ext_index(const struct xtables_match *ext)
{
	uint16_t i;

	if (!ext)
		return 0;
	for (i = 1; i < memo.next_; i++)
		if (memo.ext[i] == ext)
			return i;
	if (memo.next_ == UINT16_MAX)
		return UINT16_MAX;
	if (!memo.ext || !(memo.next_ & (memo.next_ - 1))) {
		uint16_t cap = memo.next_ ? memo.next_ * 2 : 2;

		memo.ext = ipts_xrealloc(memo.ext, cap * sizeof(*memo.ext));
		if (!memo.next_)
			memo.ext[memo.next_++] = NULL;
	}
	memo.ext[memo.next_] = ext;
	return memo.next_++;
}

static void memo_add(const struct fast_seg *sg, const void *blob)
{
	uint32_t h = sg->hash;
	uint32_t len;
	struct memo *m;
	const char *span = word_span(sg->first, sg->last, &len);
	uint16_t ext = memo_ext_index(sg->ext);

	if (len > UINT16_MAX || ext == UINT16_MAX || memo.n == UINT32_MAX - 1)
		return;
	if (memo.n % MEMO_CHUNK == 0) {
		memo.chunk = ipts_xrealloc(memo.chunk, (memo.nchunks + 1) *
					   sizeof(*memo.chunk));
		memo.chunk[memo.nchunks++] = ipts_xmalloc(MEMO_CHUNK *
							  sizeof(struct memo));
	}
	m = memo_at(memo.n);
	m->hash = h;
	m->off = (uint32_t)(span - memo.src->buf);
	m->len = (uint16_t)len;
	m->ext = ext;
	m->proto = xt.seg_proto;
	m->invflags = xt.seg_invflags;
	m->is_target = sg->k < 0;
	m->std = sg->k < 0 && xt.cl->std_target;
	m->blob = blob;
	memo.n++;
	if (2 * memo.n > memo.nslots)
		memo_grow();	/* links every entry, this one too */
	else
		memo_link(memo.n - 1);
}

/* Leave the trial: the line goes through ipts_xt_parse_loop(). */
__attribute__((noreturn))
void ipts_xt_bail(void)
{
	siglongjmp(xt.escape, 1);
}

static bool is_seg_start(const char *w)
{
	return w[0] == '-' && (w[1] == 'm' || w[1] == 'j' || w[1] == 'g') &&
	       w[2] == '\0';
}

/* The options getopt_long would see for @m once merged (merge_opts()). */
static void ext_opts(const struct xtables_match *m,
		     const struct xt_option_entry **x6,
		     const struct option **extra)
{
	*x6 = m->x6_options;
	*extra = m->x6_options ? NULL : m->extra_opts;
}

/* Is --@name an option of @x6 or @extra? Sets its getopt value and arg. */
static bool opt_lookup(const struct xt_option_entry *x6,
		       const struct option *extra, const char *name,
		       unsigned int *val, bool *has_arg)
{
	if (x6) {
		for (; x6->name; x6++)
			if (x6->name[0] == name[0] &&
			    strcmp(x6->name, name) == 0) {
				*val = x6->id;
				*has_arg = x6->type != XTTYPE_NONE;
				return true;
			}
	} else if (extra) {
		for (; extra->name; extra++)
			if (extra->name[0] == name[0] &&
			    strcmp(extra->name, name) == 0) {
				/* optional_argument: only "--opt=value" */
				*val = (unsigned int)extra->val;
				*has_arg = extra->has_arg == required_argument;
				return true;
			}
	}
	return false;
}

/*
 * Might @name (@len bytes) be a name of iptables' own option table? Its
 * first letter and length against those of the table's names, noted
 * once: most extension options (--dport, --ctstate, --comment) share
 * neither with any, so the table's walk below is seldom made.
 */
static bool maybe_original(const char *name, size_t len)
{
	static uint32_t lens[32]; /* by first byte & 31: 1 << (len & 31) */
	static bool noted;
	const struct option *o;

	if (!noted) {
		for (o = ipts_xt_original_opts; o->name; o++)
			lens[(unsigned char)o->name[0] & 31] |=
				1u << (strlen(o->name) & 31);
		noted = true;
	}
	return lens[(unsigned char)name[0] & 31] & (1u << (len & 31));
}

/*
 * The option word @w ("--name") of the extension loaded last, with the
 * options of the extensions before it in @prev: its value and whether it
 * takes an argument, or a bail when getopt_long would decide otherwise.
 */
static void fast_option(const char *w, const struct xt_option_entry *x6,
			const struct option *extra, unsigned int *val,
			bool *has_arg)
{
	const struct option *o;
	unsigned int i, v;
	bool a;

	if (w[0] != '-' || w[1] != '-' || w[2] == '\0' || strchr(w, '='))
		ipts_xt_bail();
	w += 2;
	if (!opt_lookup(x6, extra, w, val, has_arg))
		ipts_xt_bail();
	/* getopt_long takes the first exact name of the merged table. */
	if (maybe_original(w, strlen(w)))
		for (o = ipts_xt_original_opts; o->name; o++)
			if (o->name[0] == w[0] && strcmp(o->name, w) == 0)
				ipts_xt_bail();
	/* ... nor of an extension loaded before (the last is this one) */
	for (i = 0; i + 1 < xt.nsegs; i++) {
		const struct xt_option_entry *px6;
		const struct option *pextra;

		ext_opts(xt.segs[i].ext, &px6, &pextra);
		if (opt_lookup(px6, pextra, w, &v, &a))
			ipts_xt_bail();
	}
}

/* Where the segment starting at @i would end, reading words only. */
static int naive_end(int argc, char **argv, int i)
{
	for (i += 2; i < argc; i++)
		if (is_seg_start(argv[i]))
			break;
	return i;
}

static struct fast_seg *new_seg(int first, int k)
{
	struct fast_seg *sg;

	if (xt.nsegs == MAX_MATCHES)
		ipts_xt_bail();
	sg = &xt.segs[xt.nsegs++];
	sg->first = first;
	sg->k = k;
	sg->ext = NULL;
	sg->hit = NULL;
	return sg;
}

/* The options of one extension from argv[@i] on; returns the index after. */
static int fast_options(int argc, char **argv, int i,
			struct xtables_match *m, struct xtables_target *t)
{
	const struct xt_option_entry *x6;
	const struct option *extra;
	unsigned int val;
	bool has_arg, invert;

	assert(m || t);
	if (m) {
		ext_opts(m, &x6, &extra);
		if (!m->x6_parse && !m->parse)
			x6 = NULL, extra = NULL;
	} else {
		x6 = t->x6_options;
		extra = x6 ? NULL : t->extra_opts;
		if (!t->x6_parse && !t->parse)
			x6 = NULL, extra = NULL;
	}
	while (i < argc && !is_seg_start(argv[i])) {
		invert = false;
		if (argv[i][0] == '!' && argv[i][1] == '\0') {
			if (xt.nbangs == MAX_MATCHES || i + 1 >= argc)
				ipts_xt_bail();
			xt.bangs[xt.nbangs++] = i;
			argv[i][0] = '\0';	/* as do_parse() does */
			xt.bang = i;
			invert = true;
			i++;
		}
		fast_option(argv[i], x6, extra, &val, &has_arg);
		if (has_arg && i + 1 >= argc)
			ipts_xt_bail();
		/* a user or group name: note_owner_name() in the full loop */
		if (m && xt.owner_seg && has_arg &&
		    strspn(argv[i + 1], "0123456789-") != strlen(argv[i + 1]))
			ipts_xt_bail();
		optarg = has_arg ? argv[i + 1] : NULL;
		optind = i + 1 + has_arg;
		xt.cur = optind - 1;
		if (m)
			xtables_option_mpcall(m->option_offset + val, argv,
					      invert, m, &xt.fw);
		else
			xtables_option_tpcall(t->option_offset + val, argv,
					      invert, t, &xt.fw);
		if (optind <= i || optind > argc)
			ipts_xt_bail();
		i = optind;
	}
	return i;
}

static bool seen_ext(const char *name)
{
	unsigned int i;

	for (i = 0; i < xt.nsegs; i++)
		if (strcmp(xt.cl->argv[xt.segs[i].first + 1], name) == 0)
			return true;
	return false;
}

static int fast_match(int argc, char **argv, int i)
{
	const struct pre_seg *pre;
	const char *name;
	struct xtables_match *m;
	struct fast_seg *sg;
	struct memo *hit;
	int end, last;

	if (i + 1 >= argc)
		ipts_xt_bail();
	name = argv[i + 1];
	if (seen_ext(name))
		ipts_xt_bail();
	pre = pre_at(i);
	end = pre ? pre->end : naive_end(argc, argv, i);
	last = end < argc ? end : argc - 1;
	sg = new_seg(i, (int)xt.nmatch_words);
	hit = memo_find(i, last, false, pre, &sg->hash);
	if (hit) {
		sg->ext = memo_ext(hit);
		sg->hit = hit;
		sg->last = last;
		ipts_xt_note_match_word(i + 1);
		xt.hit[sg->k] = hit->blob;
		return end;
	}
	/* (a hit's name passed these when its segment was kept: the memo
	 * lives one load, under one naming) */
	if (ipts_xt_find_opaque(name, false) || ipts_xt_reads_host_files(name))
		ipts_xt_bail();
	xt.cur = i + 1;
	m = ipts_xt_command_match(name, i + 1, false, false);
	if (!m || m == m->next)
		ipts_xt_bail();	/* a clone: the full loop knows */
	sg->ext = m;
	if (strcmp(m->name, "owner") == 0)
		xt.owner_seg = true;
	i = fast_options(argc, argv, i + 2, m, NULL);
	/* Kept only if its words end where reading words alone says. */
	sg->last = i == end ? last : -1;
	return i;
}

/* -j NAME [options] or -g CHAIN at argv[@i]: the last words of the line. */
static void fast_target(int argc, char **argv, int i)
{
	const char *name;
	struct fast_seg *sg;
	struct memo *hit;
	bool h_set = false;
	uint32_t h = 0;

	if (i + 1 >= argc)
		ipts_xt_bail();
	name = argv[i + 1];
	xt.cur = i + 1;
	ipts_xt_set_option(OPT_JUMP, false, i);
	if (argv[i][1] == 'g') {
		if (i + 2 != argc)
			ipts_xt_bail();
		xt.goto_set = true;
		xt.jumpto = ipts_xt_parse_target_name(name);
		xt.cl->jump_word = i + 1;
		return;
	}
	/* An extension's name that is also a chain: the full loop says so.
	 * The chain first: its lookup is the line's (map_target()'s too). */
	if (!xt.cl->is_chain(xt.cl->ctx, name) &&
	    !xt.cl->is_announced(xt.cl->ctx, name)) {
		h_set = true;
		hit = memo_find(i, argc - 1, true, pre_at(i), &h);
		if (hit) {
			/* the same bytes passed parse_target() and were no
			 * opaque name when the segment was kept */
			xt.jumpto = name;
			xt.cl->jump_word = i + 1;
			sg = new_seg(i, -1);
			sg->hit = hit;
			sg->last = argc - 1;
			xt.hit_target = hit;
			return;
		}
	}
	if (ipts_xt_find_opaque(name, true))
		ipts_xt_bail();
	ipts_xt_command_jump(name, i + 1, false);
	if (!xt.target) {
		if (i + 2 != argc)
			ipts_xt_bail();
		return;
	}
	if (xt.cl->is_chain(xt.cl->ctx, name))
		ipts_xt_bail();
	sg = new_seg(i, -1);
	sg->last = h_set ? argc - 1 : -1;
	sg->hash = h;
	if (fast_options(argc, argv, i + 2, NULL, xt.target) != argc)
		ipts_xt_bail();
}

/*
 * Where the generic words of a fast line end (the first -m, -j or -g), or
 * -1 when the line has another shape. argv[0..2] are "iptables-restore -t
 * TABLE".
 */
__attribute__((noinline))	/* not into ipts_xt_parse()'s sigsetjmp */
int ipts_xt_fast_generic_end(int argc, char **argv)
{
	bool bang = false;
	int i = 3;

	if (i < argc && argv[i][0] == '-' && argv[i][1] == '-' &&
	    strcmp(argv[i], "--set-counters") == 0) {
		/* "-c P B" as build.c writes it; "P,B" is another story */
		if (i + 2 >= argc || strchr(argv[i + 1], ','))
			return -1;
		i += 3;
	}
	if (i + 1 >= argc)
		return -1;
	if (argv[i][0] != '-' || (argv[i][1] != 'A' && argv[i][1] != 'I') ||
	    argv[i][2] != '\0')
		return -1;
	if (argv[i][1] == 'A') {
		i += 2;
	} else {
		i += 2;
		if (i < argc && argv[i][0] != '-' && argv[i][0] != '!')
			i++;
	}
	for (; i < argc; i++) {
		const char *w = argv[i];

		if (w[0] == '!' && w[1] == '\0') {
			if (bang)
				return -1;
			bang = true;
			continue;
		}
		if (w[0] != '-' || w[1] == '\0' || w[2] != '\0')
			return -1;
		switch (w[1]) {
		case 's':
		case 'd':
		case 'p':
		case 'i':
		case 'o':
			if (++i >= argc)
				return -1;
			break;
		case 'f':
			break;
		case 'm':
		case 'j':
		case 'g':
			return bang ? -1 : i;
		default:
			return -1;
		}
		bang = false;
	}
	return bang ? -1 : i;
}

/*
 * Hash the line's segments from @gen_end as fast_match() and fast_target()
 * will find them (a -m segment up to the next "-m", "-j" or "-g" word,
 * that word included; the target to the end) and fetch their memo slots,
 * so that the cache misses of the line's lookups overlap, not follow one
 * another. A segment the options end elsewhere is hashed when met.
 */
static void pre_hash(int argc, char **argv, int gen_end)
{
	int i = gen_end;

	xt.npre = 0;
	xt.pre_next = 0;
	while (i < argc && xt.npre < MAX_MATCHES + 1 && is_seg_start(argv[i])) {
		struct pre_seg *p = &xt.pre[xt.npre++];
		int end = argv[i][1] == 'm' ? naive_end(argc, argv, i) : argc;
		const char *span;
		uint32_t len;

		p->first = i;
		p->end = end;
		p->last = end < argc ? end : argc - 1;
		span = word_span(p->first, p->last, &len);
		p->hash = seg_hash(span, len);
		if (memo.nslots)
			__builtin_prefetch(
				&memo.slot[p->hash & (memo.nslots - 1)]);
		i = end;
	}
}

/* The trial: ipts_xt_parse_loop()'s work for a line of the common shape. */
void ipts_xt_fast_parse(int argc, char **argv, int gen_end)
{
	int i;

	pre_hash(argc, argv, gen_end);
	ipts_xt_fast_generic_loop(gen_end, argv);
	if (xt.skip_line || xt.dangling_bang)
		ipts_xt_bail();
	xt.seg_proto = xt.fw.ip.proto;
	xt.seg_invflags = xt.fw.ip.invflags;
	for (i = gen_end; i < argc;) {
		if (argv[i][1] == 'm') {
			i = fast_match(argc, argv, i);
		} else {
			fast_target(argc, argv, i);
			break;
		}
	}
	optind = argc;
}

/* After a failed trial: the line as it was before it. */
void ipts_xt_undo_trial(struct ipts_cmdline *cl,
			const struct ipts_cmdline *saved, bool resolver_down)
{
	unsigned int i;

	for (i = 0; i < xt.nbangs; i++)
		cl->argv[xt.bangs[i]][0] = '!';
	xt.warnlen = 0;
	ipts_xt_cleanup();
	ipts_xt_reset_state();
	*cl = *saved;
	xt.cur = -1;
	xt.resolver_down = resolver_down;
	xt.resolver_skipped = false;
}

/* Keep the segments of a line the trial read, for the rest of the file. */
void ipts_xt_memo_keep(const struct ipts_loc *line_loc)
{
	unsigned int i;

	if (!memo.on || xt.warnlen || xt.trial_resolver || xt.owner_seg ||
	    !xt.cl->nentries)
		return;
	if (!memo.src)
		memo.src = line_loc->src;
	if (memo.src != line_loc->src)
		return;
	for (i = 0; i < xt.nsegs; i++) {
		const struct fast_seg *sg = &xt.segs[i];

		if (sg->hit || sg->last < 0)
			continue;
		if (sg->k >= 0)
			memo_add(sg, xt.built[sg->k]);
		else if (xt.cl->std_target || xt.built_target)
			memo_add(sg, xt.built_target);
	}
}

/* -- the floor (bench/load_floor.c) ------------------------------------- */

static bool never_announced(void *ctx, const char *name)
{
	(void)ctx;
	(void)name;
	return false;
}

int ipts_floor_begin(struct ipts_diags *d)
{
	static const struct ipts_loc none;

	if (ipts_xt_init(NULL, &none, d) < 0)
		return -1;
	ipts_xt_set_family(IPTS_FAMILY_IPV4);
	return 0;
}

int ipts_floor_segment(int argc, char **argv, uint8_t proto)
{
	static struct ipts_cmdline cl = { .is_announced = never_announced,
					  .is_chain = never_announced };
	FILE *saved_stderr = stderr;
	volatile int rc = 0;
	struct xtables_match *m;

	if (argc < 2 || argv[0][0] != '-' ||
	    (argv[0][1] != 'm' && argv[0][1] != 'j'))
		return -1;
	ipts_xt_reset_state();
	cl.argc = argc;
	cl.argv = argv;
	xt.cl = &cl;
	xt.trial = true; /* an error: the jump alone */
	xt.parsing = true;
	xt.cur = -1;
	xt.fw.ip.proto = proto;
	stderr = xt.capture;
	if (sigsetjmp(xt.escape, 0) == 0) {
		if (argv[0][1] == 'm') {
			m = ipts_xt_command_match(argv[1], 1, false, false);
			if (!m || m == m->next)
				ipts_xt_bail();
			m->mflags = 0; /* as the loop does for each rule */
			fast_options(argc, argv, 2, m, NULL);
			xtables_option_mfcall(m);
		} else {
			ipts_xt_command_jump(argv[1], 1, false);
			if (!xt.target)
				ipts_xt_bail();
			xt.target->tflags = 0;
			xt.target->used = 0;
			if (fast_options(argc, argv, 2, NULL, xt.target) !=
			    argc)
				ipts_xt_bail();
			xtables_option_tfcall(xt.target);
		}
	} else {
		rc = -1;
	}
	stderr = saved_stderr;
	xt.warnlen = 0;
	ipts_xt_cleanup();
	xt.trial = false;
	xt.parsing = false;
	xt.cl = NULL;
	return rc;
}
