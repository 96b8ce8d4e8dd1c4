/*
 * build.c - what each line of an iptables-restore file does to the model:
 * iptables-restore's line handling (iptables-restore.c), then the command's
 * effect with libiptc's semantics (libiptc.c): chains created and deleted,
 * rules appended, inserted, deleted and replaced, policies and counters.
 * A table is checked as the kernel checks it when its COMMIT is read.
 */
#include "parser_int.h"

#include <assert.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "grammar.h"
#include "scanner.h"

#define LABEL_ACCEPT "ACCEPT"
#define LABEL_DROP "DROP"
#define LABEL_QUEUE "QUEUE"
#define LABEL_RETURN "RETURN"

/*
 * The verdict a standard target's name spells (IPTS_TGT_ACCEPT to
 * IPTS_TGT_RETURN), IPTS_TGT_NONE for "", or IPTS_TGT_JUMP for any other
 * name: one look at the first byte, a strcmp() only for a candidate.
 */
static enum ipts_target_kind verdict_of(const char *name)
{
	switch (name[0]) {
	case '\0':
		return IPTS_TGT_NONE;
	case 'A':
		return strcmp(name, LABEL_ACCEPT) == 0 ? IPTS_TGT_ACCEPT :
							 IPTS_TGT_JUMP;
	case 'D':
		return strcmp(name, LABEL_DROP) == 0 ? IPTS_TGT_DROP :
						       IPTS_TGT_JUMP;
	case 'Q':
		return strcmp(name, LABEL_QUEUE) == 0 ? IPTS_TGT_QUEUE :
							IPTS_TGT_JUMP;
	case 'R':
		return strcmp(name, LABEL_RETURN) == 0 ? IPTS_TGT_RETURN :
							 IPTS_TGT_JUMP;
	}
	return IPTS_TGT_JUMP;
}

void ipts_build_error(struct ipts_parse *ps, const struct ipts_loc *loc,
		      const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	ipts_diag_vadd(ps->diags, IPTS_ERROR, loc, fmt, ap);
	va_end(ap);
	if (ps->table)
		ps->table_failed = true;
}

void ipts_build_words_room(struct ipts_parse *ps, unsigned int n)
{
	if (ps->nwords + n > ps->cap) {
		while (ps->nwords + n > ps->cap)
			ps->cap = ps->cap ? ps->cap * 2 : 64;
		ps->words = ipts_xrealloc(ps->words,
					  ps->cap * sizeof(*ps->words));
	}
}

void ipts_build_word(struct ipts_parse *ps, const struct ipts_loc *loc)
{
	ipts_build_words_room(ps, 1);
	ps->words[ps->nwords++].loc = *loc;
}

void ipts_build_words(struct ipts_parse *ps, const struct ipts_loc *locs,
		      unsigned int n)
{
	ipts_build_words_room(ps, n);
	/* a word is its location alone: one copy for the line */
	_Static_assert(sizeof(*ps->words) == sizeof(*locs), "a word a loc");
	memcpy(&ps->words[ps->nwords], locs, n * sizeof(*locs));
	ps->nwords += n;
}

size_t ipts_unquote(const struct ipts_loc *loc, char *out)
{
	const char *p = loc->src->buf + loc->off;
	const char *end = p + loc->len;
	bool quote_open = false, escaped = false;
	size_t n = 0;

	/* most words: no quote, the bytes as they are */
	if (!memchr(p, '"', loc->len)) {
		memcpy(out, p, loc->len);
		out[loc->len] = '\0';
		return loc->len;
	}
	for (; p < end; p++) {
		if (quote_open) {
			if (escaped) {
				out[n++] = *p;
				escaped = false;
			} else if (*p == '\\') {
				escaped = true;
			} else if (*p == '"') {
				quote_open = false;
			} else {
				out[n++] = *p;
			}
		} else if (*p == '"') {
			quote_open = true;
		} else {
			out[n++] = *p;
		}
	}
	/* An unterminated quote took the newline in too. */
	if (quote_open && end < loc->src->buf + loc->src->len && *end == '\n')
		out[n++] = '\n';
	out[n] = '\0';
	return n;
}

/* The text of word @i, NUL-terminated, in the line's scratch. */
static char *word_text(struct ipts_parse *ps, unsigned int i, size_t *off)
{
	const struct ipts_loc *loc = &ps->words[i].loc;
	size_t need = *off + loc->len + 2;
	char *s;

	if (need > ps->scratch_cap) {
		ps->scratch_cap = need * 2 > 4096 ? need * 2 : 4096;
		ps->scratch = ipts_xrealloc(ps->scratch, ps->scratch_cap);
	}
	s = ps->scratch + *off;
	*off += ipts_unquote(loc, s) + 1;
	return s;
}

/* Table and chain lines are split by strtok(): quotes are plain bytes. */
static const char *word_dup(struct ipts_parse *ps, unsigned int i)
{
	const struct ipts_loc *loc = &ps->words[i].loc;

	return ipts_arena_strndup(ps->rs->arena, loc->src->buf + loc->off,
				  loc->len);
}

static void line_done(struct ipts_parse *ps)
{
	ps->nwords = 0;
	ps->line_fast = false;
	ps->line_quoted = false;
	ps->line_text = NULL;
	ps->line_len = 0;
}

/*
 * The argv text of a line the scanner split (every quote closed, no
 * cut): its bytes from the first word to the end of the last copied
 * once, each word ended by a NUL over the blank after it. A word with
 * no quote is its bytes, its length its location's; one with a quote (its
 * last byte, as ipts_line_word() ends it) is unquoted in its own place
 * (never longer). Returns the index of the
 * first word longer than IPTS_MAX_PARAM, or -1.
 */
static int fast_words(struct ipts_parse *ps, char **argv, struct ipts_loc *locs)
{
	const struct ipts_loc *w0 = &ps->words[0].loc;
	const struct ipts_loc *wn = &ps->words[ps->nwords - 1].loc;
	size_t span = wn->off + wn->len - w0->off;
	const char *base = ps->src->buf + w0->off;
	unsigned int i;

	if (ps->line_text) {
		/* made on the second thread (pipe.c's argv_text()) */
		for (i = 0; i < ps->nwords; i++) {
			const struct ipts_loc *wl = &ps->words[i].loc;

			argv[i] = (char *)ps->line_text + (wl->off - w0->off);
			locs[i] = *wl;
		}
		return ps->line_bad;
	}
	if (span + 1 > ps->scratch_cap) {
		ps->scratch_cap = span * 2 > 4096 ? span * 2 : 4096;
		ps->scratch = ipts_xrealloc(ps->scratch, ps->scratch_cap);
	}
	memcpy(ps->scratch, base, span);
	for (i = 0; i < ps->nwords; i++) {
		const struct ipts_loc *wl = &ps->words[i].loc;
		char *s = ps->scratch + (wl->off - w0->off);
		size_t n = wl->len;

		/* the split ends a word with a quote at its closing quote */
		if (ps->line_quoted && n &&
		    base[wl->off - w0->off + n - 1] == '"')
			n = ipts_unquote(wl, s);
		else
			s[n] = '\0';
		argv[i] = s;
		locs[i] = *wl;
		if (n > IPTS_MAX_PARAM)
			return (int)i;
	}
	return -1;
}

/* The location of a whole source line, from its first byte. */
static struct ipts_loc whole_line(const struct ipts_loc *at)
{
	struct ipts_loc l = *at;
	size_t len;
	const char *s = ipts_source_line(at->src, at->off, &len);

	l.off = (uint32_t)(s - at->src->buf);
	l.col = 1;
	l.len = (uint32_t)len;
	return l;
}

/*
 * Names of ':' chains, which iptables-restore announces to libxtables
 * (xtables_announce_chain) so that -j NAME means the chain, in every table
 * of the file, even where NAME is also an extension. Kept per parse, not
 * in libxtables' process-wide list, so one file cannot change the next.
 */
struct announced {
	struct announced *next;
	const char *name;
	uint32_t hash;			/* str_hash(name) */
};

static uint32_t str_hash(const char *s)
{
	return ipts_name_hash(s); /* the chains' hash, FNV-1a */
}

/* str_hash(@name) for a word of this line's argv, hashed once a line. */
static uint32_t line_hash(struct ipts_parse *ps, const char *name)
{
	if (ps->hashed_name != name) {
		ps->hashed_name = name;
		ps->hashed = str_hash(name);
	}
	return ps->hashed;
}

static bool announced_hashed(const struct ipts_parse *ps, const char *name,
			     uint32_t h)
{
	const struct announced *a;

	a = ps->announce[h & (ps->nannounce - 1)];
	for (; a; a = a->next)
		if (a->hash == h && strcmp(a->name, name) == 0)
			return true;
	return false;
}

static bool announced(void *ctx, const char *name)
{
	struct ipts_parse *ps = ctx;

	return ps->nannounce && announced_hashed(ps, name, str_hash(name));
}

/* announced() for a word of the rule line being parsed */
static bool line_announced(void *ctx, const char *name)
{
	struct ipts_parse *ps = ctx;

	return ps->nannounce && announced_hashed(ps, name, line_hash(ps, name));
}

static void announce(struct ipts_parse *ps, const char *name)
{
	struct announced *a;
	uint32_t i;

	if (announced(ps, name))
		return;
	if (ps->nannounced + 1 > ps->nannounce) {
		uint32_t n = ps->nannounce ? ps->nannounce * 2 : 64;
		struct announced **b = ipts_xcalloc(n, sizeof(*b));

		for (i = 0; i < ps->nannounce; i++) {
			struct announced *x = ps->announce[i], *next;

			for (; x; x = next) {
				next = x->next;
				x->next = b[x->hash & (n - 1)];
				b[x->hash & (n - 1)] = x;
			}
		}
		free(ps->announce);
		ps->announce = b;
		ps->nannounce = n;
	}
	a = ipts_arena_alloc(ps->rs->arena, sizeof(*a));
	a->name = name;
	a->hash = str_hash(name);
	i = a->hash & (ps->nannounce - 1);
	a->next = ps->announce[i];
	ps->announce[i] = a;
	ps->nannounced++;
}

/* -- tables ------------------------------------------------------------- */

static void replaced_hl_add(struct ipts_table *t,
			    const struct xt_entry_match *m)
{
	struct ipts_ruleset *rs = t->rs;
	struct ipts_replaced_hl *h;

	if (rs->nreplaced_hl == rs->replaced_hl_cap) {
		rs->replaced_hl_cap = rs->replaced_hl_cap ?
					      rs->replaced_hl_cap * 2 :
					      8;
		rs->replaced_hl = ipts_xrealloc(
			rs->replaced_hl,
			(size_t)rs->replaced_hl_cap * sizeof(*rs->replaced_hl));
	}
	h = &rs->replaced_hl[rs->nreplaced_hl++];
	h->m = m;
	h->table = t->id;
	h->commit_line = t->commit_loc.line;
}

/* Note the -m hashlimit blobs of @t, committed, that a new '*table' line
 * replaces (rs->replaced_hl), in its entries' order; one NULL for a
 * table without any, so that each replaced commit has its slice. */
static void keep_replaced_hashlimits(struct ipts_table *t)
{
	uint32_t c, i, k, n = t->rs->nreplaced_hl;

	for (c = 0; c < t->nchains; c++) {
		const struct ipts_chain *ch = t->chains[c];

		for (i = 0; i < ch->nrules; i++)
			for (k = 0; k < ch->rules[i]->nmatches; k++) {
				const struct xt_entry_match *m =
					ipts_rule_match(ch->rules[i], k);

				if (strcmp(m->u.user.name, "hashlimit") == 0)
					replaced_hl_add(t, m);
			}
	}
	if (t->rs->nreplaced_hl == n)
		replaced_hl_add(t, NULL);
}

static void table_flush(struct ipts_table *t)
{
	uint32_t i;

	/* flush_entries on every chain, then delete_chain on user chains. */
	for (i = 0; i < t->nchains; i++) {
		t->chains[i]->nrules = 0;
		t->chains[i]->refs = 0;
	}
	for (i = 0; i < t->nchains; i++)
		if (t->chains[i]->hook < 0)
			ipts_chain_remove_later(t, t->chains[i]);
	ipts_table_compact(t);
}

void ipts_build_table(struct ipts_parse *ps, const struct ipts_loc *loc)
{
	const char *name;
	int id;

	if (ps->table) {
		ipts_build_error(ps, loc,
				 "table starts before COMMIT of table '%s'",
				 ps->table->name);
		ipts_diag_note(ps->diags, &ps->table_loc,
			       "table '%s' opened here", ps->table->name);
		line_done(ps);
		return;
	}
	if (ps->nwords == 0) {
		ipts_build_error(ps, loc, "table name missing after '*'");
		line_done(ps);
		return;
	}
	name = word_dup(ps, 0);
	id = ipts_table_id_by_name(name);
	if (id < 0) {
		size_t n = strlen(name);

		/* iptc_init() fails: the kernel has no such table, and
		 * iptables-restore says so in its words (create_handle()) */
		ipts_diag_add(ps->diags, IPTS_ERROR, &ps->words[0].loc,
			      "unable to initialize table '%.*s%s'",
			      (int)(n && name[n - 1] == '\r' ? n - 1 : n), name,
			      n && name[n - 1] == '\r' ? "\\r" : "");
		if (n && name[n - 1] == '\r')
			ipts_diag_note(ps->diags, &ps->words[0].loc,
				       "the file has CRLF line endings: "
				       "iptables-restore keeps the carriage "
				       "return in the table name");
		ps->nerrors_lines++;
		/* Read on to COMMIT without a table: rules are not checked. */
		ps->table = NULL;
		ps->table_failed = true;
		ps->table_loc = *loc;
		ps->skip_table = true;
		line_done(ps);
		return;
	}
	if (!ps->rs->tables[id]) {
		ps->table = ipts_table_create(ps->rs, (enum ipts_table_id)id);
		ps->table->save_rank = ++ps->next_rank;
	} else {
		/* The same table again: iptables-restore flushes it. */
		ps->table = ps->rs->tables[id];
		keep_replaced_hashlimits(ps->table);
		table_flush(ps->table);
	}
	ps->table->loc = whole_line(loc);
	/*
	 * A new libiptc handle reads each policy's counters as
	 * COUNTER_MAP_ZEROED: what the commit writes is the change since the
	 * read, nothing, unless a ':' line (with -c) or -P -c sets them.
	 */
	for (uint32_t i = 0; i < ps->table->nchains; i++)
		ps->table->chains[i]->counters = (struct xt_counters){ 0, 0 };
	ps->table_loc = ps->table->loc;
	ps->table_failed = false;
	line_done(ps);
}

static bool in_table(struct ipts_parse *ps, const struct ipts_loc *loc,
		     const char *what)
{
	if (ps->table || ps->skip_table)
		return true;
	ipts_build_error(ps, loc, "%s outside a table: a '*table' line must "
			 "come first", what);
	return false;
}

static bool parse_counters(const char *s, struct xt_counters *c)
{
	unsigned long long p, b;

	/* parse_counters(): sscanf(string, "[%llu:%llu]") */
	if (sscanf(s, "[%llu:%llu]", &p, &b) != 2)
		return false;
	c->pcnt = p;
	c->bcnt = b;
	return true;
}

void ipts_build_chain(struct ipts_parse *ps, const struct ipts_loc *loc)
{
	struct ipts_table *t = ps->table;
	struct ipts_chain *c;
	const char *name, *policy;
	struct xt_counters cnt = { 0, 0 };

	if (!in_table(ps, loc, "chain line"))
		goto out;
	if (ps->nwords == 0) {
		ipts_build_error(ps, loc, "chain name missing after ':'");
		goto out;
	}
	name = word_dup(ps, 0);
	if (strlen(name) >= XT_EXTENSION_MAXNAMELEN) {
		ipts_build_error(ps, &ps->words[0].loc,
				 "Invalid chain name `%s' (%u chars max)", name,
				 XT_EXTENSION_MAXNAMELEN - 1);
		goto out;
	}
	if (!t)
		goto out;
	c = ipts_chain_find(t, name);
	if (!c || c->hook < 0) {
		if (c || strcmp(name, LABEL_ACCEPT) == 0 ||
		    strcmp(name, LABEL_DROP) == 0 ||
		    strcmp(name, LABEL_QUEUE) == 0 ||
		    strcmp(name, LABEL_RETURN) == 0) {
			ipts_build_error(ps, &ps->words[0].loc,
					 "error creating chain '%s': Chain "
					 "already exists", name);
			goto out;
		}
		c = ipts_chain_create(ps->rs, t, name, NULL);
	}
	assert(c);
	c->loc = whole_line(loc);
	announce(ps, name);
	if (ps->nwords < 2) {
		ipts_build_error(ps, loc, "policy missing after chain '%s' "
				 "(use '-' for a user chain)", name);
		goto out;
	}
	policy = word_dup(ps, 1);
	if (strcmp(policy, "-") == 0)
		goto out;
	if (ps->opts->counters) {
		if (ps->nwords < 3 || !parse_counters(word_dup(ps, 2), &cnt)) {
			ipts_build_error(ps, ps->nwords < 3 ? loc :
					 &ps->words[2].loc,
					 "invalid policy counters for chain "
					 "'%s'", name);
			goto out;
		}
	}
	if (c->hook < 0) {
		ipts_build_error(ps, &ps->words[1].loc,
				 "Can't set policy `%s' on `%s': Bad built-in "
				 "chain name", policy, name);
		ipts_diag_note(ps->diags, &ps->words[1].loc,
			       "a user chain takes '-' in place of a policy");
		goto out;
	}
	if (strcmp(policy, LABEL_ACCEPT) == 0) {
		c->policy = NF_ACCEPT;
	} else if (strcmp(policy, LABEL_DROP) == 0) {
		c->policy = NF_DROP;
	} else {
		ipts_build_error(ps, &ps->words[1].loc,
				 "Can't set policy `%s' on `%s': Bad policy "
				 "name", policy, name);
		goto out;
	}
	c->counters = cnt;
out:
	line_done(ps);
}

static void check_unterminated(struct ipts_parse *ps, unsigned int i);

void ipts_build_commit(struct ipts_parse *ps, const struct ipts_loc *loc)
{
	struct ipts_table *t = ps->table;

	line_done(ps);
	if (!t && !ps->skip_table) {
		ipts_build_error(ps, loc, "COMMIT outside a table");
		return;
	}
	ps->skip_table = false;
	ps->table = NULL;
	if (!t)
		return;
	t->commit_loc = whole_line(loc);
	ipts_table_sort_chains(t);
	/*
	 * The kernel checks a table only if iptables-restore got that far;
	 * a table with a bad line is refused already, but its other rules
	 * get the kernel's checks too, so that one run shows every problem.
	 */
	if (ipts_table_validate(t, ps->diags) < 0)
		ps->nerrors_lines++;
	ps->table_failed = false;
}

bool ipts_build_line_done(struct ipts_parse *ps)
{
	unsigned int max = ps->opts->max_errors ? ps->opts->max_errors :
		IPTS_MAX_ERRORS;

	struct ipts_loc at;

	if (ps->diags->nerrors - ps->nerrors_before < max)
		return false;
	/* At the last error, whose line was just shown. */
	at = ps->diags->v[ps->diags->n - 1].loc;
	ipts_diag_note(ps->diags, &at, "%u errors: the rest of the file was "
		       "not read (--max-errors raises the limit)", max);
	ipts_diag_hide_source(ps->diags);
	ps->stopped = true;
	return true;
}

void ipts_build_eof(struct ipts_parse *ps, const struct ipts_loc *loc)
{
	size_t i;

	if (ps->stopped)
		return;
	if (!ps->table && !ps->skip_table) {
		for (i = 0; i < IPTS_TABLE_COUNT; i++)
			if (ps->rs->tables[i])
				return;
		/* iptables-restore loads it, and changes nothing. */
		ipts_diag_add(ps->diags, IPTS_WARNING, loc, "the file holds no "
			      "table: it loads and changes nothing, and no "
			      "rule applies to any packet");
		ipts_diag_hide_source(ps->diags);
		return;
	}
	ipts_diag_add(ps->diags, IPTS_ERROR, loc,
		      "COMMIT expected at end of file: table '%s' is never "
		      "committed", ps->table ? ps->table->name : "?");
	ipts_diag_note(ps->diags, &ps->table_loc, "table opened here");
}

/* -- rules ------------------------------------------------------------- */

/* The chain @name (a word of this line's argv) in the table, or NULL;
 * looked up once a line (chains change only once the line is parsed). */
static struct ipts_chain *line_chain(struct ipts_parse *ps, const char *name)
{
	if (!ps->table)
		return NULL;
	if (ps->found_name != name) {
		ps->found = ipts_chain_find_hashed(ps->table, name,
						   line_hash(ps, name));
		ps->found_name = name;
	}
	return ps->found;
}

static bool cl_is_chain(void *ctx, const char *name)
{
	struct ipts_parse *ps = ctx;

	return line_chain(ps, name) != NULL;
}

/*
 * The rule of entry @i of @cl: the first is the one xt_entry.c made, the
 * others copy it and share the line's blobs and words.
 */
static struct ipts_rule *rule_new(struct ipts_parse *ps,
				  const struct ipts_cmdline *cl, unsigned int i)
{
	struct ipts_rule *r = cl->rule;

	if (i > 0) {
		r = ipts_arena_memdup(ps->rs->arena, r, sizeof(*r));
		r->chain = NULL;
		r->dest = NULL;
	}
	r->e = cl->entries[i];
	/* each entry its own: "-s web,10.0.0.1" knows one side of two */
	r->flags &= (uint8_t)~(IPTS_RULE_SRC_UNKNOWN | IPTS_RULE_DST_UNKNOWN);
	/* (IPv6 names are refused offline: xt_entry.c) */
	if (ps->rs->family == IPTS_FAMILY_IPV4 &&
	    ipts_ip_name_of(r->e->ip.src, r->e->ip.smsk))
		r->flags |= IPTS_RULE_SRC_UNKNOWN;
	if (ps->rs->family == IPTS_FAMILY_IPV4 &&
	    ipts_ip_name_of(r->e->ip.dst, r->e->ip.dmsk))
		r->flags |= IPTS_RULE_DST_UNKNOWN;
	if (!cl->std_target) {
		r->kind = IPTS_TGT_EXT;
	} else {
		r->kind = verdict_of(cl->jumpto);
		if (r->kind == IPTS_TGT_JUMP) {
			if (cl->is_goto)
				r->kind = IPTS_TGT_GOTO;
			r->dest = ps->line_dest; /* map_target() found it */
		}
	}
	return r;
}

/* Can the standard target of @cl be mapped (libiptc's iptcc_map_target)? */
static bool map_target(struct ipts_parse *ps, const struct ipts_cmdline *cl)
{
	struct ipts_chain *dest;

	ps->line_dest = NULL;
	if (!cl->std_target || verdict_of(cl->jumpto) != IPTS_TGT_JUMP)
		return true;
	dest = line_chain(ps, cl->jumpto);
	ps->line_dest = dest;
	if (!dest) {
		/*
		 * Only "-j standard" gets here: libxtables' name of the
		 * verdict target, no chain. libiptc then passes it on as a
		 * target of that name, which the kernel does not have.
		 */
		ipts_build_error(ps, &cl->locs[cl->jump_word],
				 "no chain or target '%s': the kernel refuses "
				 "the table (No chain/target/match by that "
				 "name)", cl->jumpto);
		return false;
	}
	if (dest->hook >= 0) {
		ipts_build_error(ps, &cl->locs[cl->jump_word],
				 "can't jump to built-in chain '%s'",
				 cl->jumpto);
		return false;
	}
	return true;
}

/* libip6tc's is_same(): the ip part whole, interfaces under mask. */
static bool ip6_same(const struct ip6t_ip6 *a, const struct ip6t_ip6 *b)
{
	unsigned int i;

	if (memcmp(&a->src, &b->src, sizeof(a->src)) != 0 ||
	    memcmp(&a->dst, &b->dst, sizeof(a->dst)) != 0 ||
	    memcmp(&a->smsk, &b->smsk, sizeof(a->smsk)) != 0 ||
	    memcmp(&a->dmsk, &b->dmsk, sizeof(a->dmsk)) != 0 ||
	    a->proto != b->proto || a->tos != b->tos || a->flags != b->flags ||
	    a->invflags != b->invflags)
		return false;
	for (i = 0; i < IFNAMSIZ; i++) {
		if (a->iniface_mask[i] != b->iniface_mask[i] ||
		    (a->iniface[i] & a->iniface_mask[i]) !=
			    (b->iniface[i] & b->iniface_mask[i]) ||
		    a->outiface_mask[i] != b->outiface_mask[i] ||
		    (a->outiface[i] & a->outiface_mask[i]) !=
			    (b->outiface[i] & b->outiface_mask[i]))
			return false;
	}
	return true;
}

static bool entries_same(const struct ipts_rule *have,
			 const struct ipts_rule *want,
			 const unsigned char *mask, enum ipts_family family)
{
	const struct ipt_entry *a = want->e, *b = have->e;
	const struct xt_entry_target *ta, *tb;
	const unsigned char *ma, *mb;
	unsigned int i, n, off;
	uint16_t a_target, a_next, b_target, b_next;

	if (family == IPTS_FAMILY_IPV6) {
		if (!ip6_same(&want->e6->ipv6, &have->e6->ipv6))
			return false;
		a_target = want->e6->target_offset;
		a_next = want->e6->next_offset;
		b_target = have->e6->target_offset;
		b_next = have->e6->next_offset;
		goto blobs;
	}
	/* libip4tc's is_same(): the ip part whole, interfaces under mask. */
	if (a->ip.src.s_addr != b->ip.src.s_addr ||
	    a->ip.dst.s_addr != b->ip.dst.s_addr ||
	    a->ip.smsk.s_addr != b->ip.smsk.s_addr ||
	    a->ip.dmsk.s_addr != b->ip.dmsk.s_addr ||
	    a->ip.proto != b->ip.proto || a->ip.flags != b->ip.flags ||
	    a->ip.invflags != b->ip.invflags)
		return false;
	for (i = 0; i < IFNAMSIZ; i++) {
		if (a->ip.iniface_mask[i] != b->ip.iniface_mask[i] ||
		    (a->ip.iniface[i] & a->ip.iniface_mask[i]) !=
			    (b->ip.iniface[i] & b->ip.iniface_mask[i]) ||
		    a->ip.outiface_mask[i] != b->ip.outiface_mask[i] ||
		    (a->ip.outiface[i] & a->ip.outiface_mask[i]) !=
			    (b->ip.outiface[i] & b->ip.outiface_mask[i]))
			return false;
	}
	a_target = a->target_offset;
	a_next = a->next_offset;
	b_target = b->target_offset;
	b_next = b->next_offset;
blobs:
	if (a_target != b_target || a_next != b_next)
		return false;
	/*
	 * Matches: name and size, data under the mask, which is laid out as
	 * the kernel's contiguous entry: a match's bytes at its offset there.
	 */
	off = (unsigned int)ipts_entry_size(family);
	for (n = 0; off < a_target; n++) {
		const struct xt_entry_match *x, *y;
		unsigned int k;

		if (n >= want->nmatches || n >= have->nmatches)
			return false;
		x = ipts_rule_match(want, n);
		y = ipts_rule_match(have, n);
		ma = (const unsigned char *)x;
		mb = (const unsigned char *)y;
		if (x->u.match_size != y->u.match_size ||
		    strcmp(x->u.user.name, y->u.user.name) != 0)
			return false;
		/* One interned copy holds the same bytes: nothing differs. */
		for (k = sizeof(*x); x != y && k < x->u.match_size; k++)
			if ((ma[k] ^ mb[k]) & mask[off + k])
				return false;
		off += x->u.match_size;
	}
	/* target_same() */
	if (want->kind != have->kind)
		return false;
	switch (want->kind) {
	case IPTS_TGT_NONE:
		return true;
	case IPTS_TGT_JUMP:
	case IPTS_TGT_GOTO:
		return want->dest == have->dest;
	case IPTS_TGT_EXT:
		ta = ipts_rule_target(want);
		tb = ipts_rule_target(have);
		ma = (const unsigned char *)ta;
		mb = (const unsigned char *)tb;
		if (ta->u.target_size != tb->u.target_size ||
		    strcmp(ta->u.user.name, tb->u.user.name) != 0)
			return false;
		for (i = sizeof(*ta); ta != tb && i < ta->u.target_size; i++)
			if ((ma[i] ^ mb[i]) & mask[a_target + i])
				return false;
		return true;
	default:
		return true;	/* same standard verdict */
	}
}

static int find_same(const struct ipts_chain *c, const struct ipts_rule *want,
		     const unsigned char *mask)
{
	uint32_t i;

	for (i = 0; i < c->nrules; i++)
		if (entries_same(c->rules[i], want, mask, c->table->rs->family))
			return (int)i;
	return -1;
}

/* @c: cl->chain as run_command() found it (no line changes chains
 * before it is asked). */
static struct ipts_chain *need_chain(struct ipts_parse *ps,
				     const struct ipts_cmdline *cl,
				     struct ipts_chain *c)
{
	if (!c)
		ipts_build_error(ps, &cl->locs[cl->chain_word],
				 "no chain '%s' in table '%s'", cl->chain,
				 ps->table->name);
	return c;
}

static void unref(struct ipts_rule *r)
{
	if ((r->kind == IPTS_TGT_JUMP || r->kind == IPTS_TGT_GOTO) && r->dest)
		r->dest->refs--;
}

static void flush_chain(struct ipts_chain *c)
{
	uint32_t i;

	for (i = 0; i < c->nrules; i++)
		unref(c->rules[i]);
	c->nrules = 0;
}

static void delete_chain(struct ipts_parse *ps, const struct ipts_cmdline *cl,
			 struct ipts_chain *c)
{
	const struct ipts_loc *at = cl->chain_word >= 0 ?
		&cl->locs[cl->chain_word] : &cl->locs[3];

	if (c->hook >= 0) {
		ipts_build_error(ps, at, "can't delete built-in chain '%s'",
				 c->name);
	} else if (c->refs > 0) {
		ipts_build_error(ps, at, "can't delete chain '%s' with "
				 "references left (%u)", c->name, c->refs);
	} else if (c->nrules) {
		ipts_build_error(ps, at, "can't delete chain '%s': Chain is "
				 "not empty", c->name);
	} else {
		ipts_chain_remove(ps->table, c);
	}
}

static bool reserved_name(const char *name)
{
	enum ipts_target_kind k = verdict_of(name);

	return k != IPTS_TGT_JUMP && k != IPTS_TGT_NONE;
}

static void run_command(struct ipts_parse *ps, struct ipts_cmdline *cl,
			const struct ipts_loc *line)
{
	struct ipts_table *t = ps->table;
	struct ipts_chain *c = NULL;
	unsigned int i;
	uint32_t pos;

	if (cl->chain && (cl->command & ~(IPTS_CMD_NEW_CHAIN))) {
		c = ps->last_chain;
		if (!c || c->deleted || c->table != t ||
		    strcmp(c->name, cl->chain) != 0)
			c = ipts_chain_find(t, cl->chain);
		ps->last_chain = c;
	}
	/* A rule command cut short by -6 has no address pair: no effect. */
	if ((cl->command & (IPTS_CMD_APPEND | IPTS_CMD_INSERT |
			    IPTS_CMD_DELETE | IPTS_CMD_CHECK)) &&
	    cl->nentries == 0)
		return;
	switch (cl->command) {
	case IPTS_CMD_APPEND:
	case IPTS_CMD_INSERT:
	case IPTS_CMD_REPLACE:
		if (!(c = need_chain(ps, cl, c)) || !map_target(ps, cl))
			return;
		if (cl->command == IPTS_CMD_INSERT &&
		    cl->rulenum > c->nrules + 1) {
			ipts_build_error(ps, &cl->locs[cl->rulenum_word],
					 "Index of insertion too big: chain "
					 "'%s' has %u rules", c->name,
					 c->nrules);
			return;
		}
		if (cl->command == IPTS_CMD_REPLACE &&
		    cl->rulenum > c->nrules) {
			ipts_build_error(ps, &cl->locs[cl->rulenum_word],
					 "Index of replacement too big: chain "
					 "'%s' has %u rules", c->name,
					 c->nrules);
			return;
		}
		for (i = 0; i < cl->nentries; i++) {
			struct ipts_rule *r = rule_new(ps, cl, i);

			if (r->dest)
				r->dest->refs++;
			if (cl->command == IPTS_CMD_APPEND) {
				pos = c->nrules;
			} else if (cl->command == IPTS_CMD_INSERT) {
				pos = cl->rulenum - 1;
			} else {
				pos = cl->rulenum - 1;
				unref(c->rules[pos]);
				ipts_chain_delete_rule(c, pos);
			}
			ipts_chain_insert_rule(c, pos, r);
			ps->rs->nrules++;
		}
		return;
	case IPTS_CMD_DELETE:
	case IPTS_CMD_CHECK:
		if (!(c = need_chain(ps, cl, c)) || !map_target(ps, cl))
			return;
		for (i = 0; i < cl->nentries; i++) {
			struct ipts_rule *want = rule_new(ps, cl, i);
			int at = find_same(c, want, cl->delete_mask);

			if (at < 0) {
				ipts_build_error(ps, line, "%s: Bad rule (does "
						 "a matching rule exist in "
						 "that chain?)",
						 cl->command == IPTS_CMD_CHECK ?
						 "-C" : "-D");
				return;
			}
			if (cl->command == IPTS_CMD_DELETE) {
				unref(c->rules[at]);
				ipts_chain_delete_rule(c, (uint32_t)at);
			}
		}
		return;
	case IPTS_CMD_DELETE_NUM:
		if (!(c = need_chain(ps, cl, c)))
			return;
		if (cl->rulenum > c->nrules) {
			ipts_build_error(ps, &cl->locs[cl->rulenum_word],
					 "Index of deletion too big: chain "
					 "'%s' has %u rules", c->name,
					 c->nrules);
			return;
		}
		unref(c->rules[cl->rulenum - 1]);
		ipts_chain_delete_rule(c, cl->rulenum - 1);
		return;
	case IPTS_CMD_FLUSH:
		if (cl->chain) {
			if ((c = need_chain(ps, cl, c)))
				flush_chain(c);
		} else {
			for (pos = 0; pos < t->nchains; pos++)
				flush_chain(t->chains[pos]);
		}
		return;
	case IPTS_CMD_ZERO:
	case IPTS_CMD_ZERO_NUM:
		/*
		 * libiptc zeroes only counters it read from the kernel as
		 * COUNTER_MAP_NORMAL_MAP; in a restore file every rule is new
		 * (COUNTER_MAP_SET) and every policy was read ZEROED: -Z
		 * changes nothing, as a real load shows.
		 */
		if (cl->chain && !(c = need_chain(ps, cl, c)))
			return;
		if (c && cl->command == IPTS_CMD_ZERO_NUM &&
		    cl->rulenum > c->nrules)
			ipts_build_error(ps, &cl->locs[cl->rulenum_word],
					 "Index of counter too big");
		return;
	case IPTS_CMD_NEW_CHAIN:
		if (ipts_chain_find(t, cl->chain) || reserved_name(cl->chain)) {
			ipts_build_error(ps, &cl->locs[cl->chain_word],
					 "can't create chain '%s': Chain "
					 "already exists", cl->chain);
			return;
		}
		ipts_chain_create(ps->rs, t, cl->chain, line);
		return;
	case IPTS_CMD_DELETE_CHAIN:
		if (cl->chain) {
			if ((c = need_chain(ps, cl, c)))
				delete_chain(ps, cl, c);
			return;
		}
		/* Every user chain, each on its own, as for_each_chain4. */
		ipts_table_sort_chains(t);
		for (pos = 0; pos < t->nchains; pos++) {
			c = t->chains[pos];
			if (c->hook >= 0)
				continue;
			if (c->refs == 0 && c->nrules == 0)
				ipts_chain_remove_later(t, c);
			else
				delete_chain(ps, cl, c);
		}
		ipts_table_compact(t);
		return;
	case IPTS_CMD_RENAME_CHAIN:
		if (ipts_chain_find(t, cl->arg2) || reserved_name(cl->arg2)) {
			ipts_build_error(ps, &cl->locs[cl->arg2_word],
					 "can't rename chain to '%s': Chain "
					 "already exists", cl->arg2);
			return;
		}
		if (!c || c->hook >= 0) {
			ipts_build_error(ps, &cl->locs[cl->chain_word],
					 "can't rename chain '%s': %s",
					 cl->chain, c ? "it is a built-in chain"
					 : "no such chain");
			return;
		}
		if (strlen(cl->arg2) >= XT_EXTENSION_MAXNAMELEN) {
			ipts_build_error(ps, &cl->locs[cl->arg2_word],
					 "chain name `%s' too long (must be "
					 "under %u chars)", cl->arg2,
					 XT_EXTENSION_MAXNAMELEN);
			return;
		}
		ipts_chain_rename(ps->rs, t, c, cl->arg2);
		return;
	case IPTS_CMD_SET_POLICY:
		if (!c || c->hook < 0) {
			ipts_build_error(ps, &cl->locs[cl->chain_word],
					 "can't set policy on '%s': Bad "
					 "built-in chain name", cl->chain);
			return;
		}
		if (strcmp(cl->arg2, LABEL_ACCEPT) == 0) {
			c->policy = NF_ACCEPT;
		} else if (strcmp(cl->arg2, LABEL_DROP) == 0) {
			c->policy = NF_DROP;
		} else {
			ipts_build_error(ps, &cl->locs[cl->arg2_word],
					 "can't set policy '%s' on '%s': Bad "
					 "policy name", cl->arg2, cl->chain);
			return;
		}
		/* iptc_set_policy() with the rule's -c counters, else zero. */
		c->counters = cl->counters_set ? cl->counters :
			(struct xt_counters){ 0, 0 };
		return;
	case IPTS_CMD_LIST:
	case IPTS_CMD_LIST_RULES:
	case IPTS_CMD_LIST | IPTS_CMD_ZERO:
	case IPTS_CMD_LIST_RULES | IPTS_CMD_ZERO:
	case IPTS_CMD_LIST | IPTS_CMD_ZERO_NUM:
	case IPTS_CMD_LIST_RULES | IPTS_CMD_ZERO_NUM:
		if (cl->chain && !(c = need_chain(ps, cl, c)))
			return;
		ipts_diag_add(ps->diags, IPTS_WARNING, line,
			      "listing in a restore file prints the chain and "
			      "changes no rule");
		return;
	default:
		return;
	}
}

static void check_unterminated(struct ipts_parse *ps, unsigned int i)
{
	const struct ipts_loc *loc = &ps->words[i].loc;
	const char *p = loc->src->buf + loc->off;
	unsigned int k, quotes = 0;

	if (!memchr(p, '"', loc->len))
		return; /* most words */
	for (k = 0; k < loc->len; k++) {
		if (p[k] == '\\' && quotes % 2) {
			k++;
			continue;
		}
		if (p[k] == '"')
			quotes++;
	}
	if (quotes % 2)
		ipts_diag_add(ps->diags, IPTS_WARNING, loc,
			      "unterminated quote: the rest of the line, "
			      "newline included, is one word");
}

/*
 * The file would build more rules than it may (every address pair of a
 * rule line is one): refused whole, as a file the memory cannot hold.
 */
static void too_many_rules(struct ipts_parse *ps, const struct ipts_cmdline *cl,
			   const struct ipts_loc *line)
{
	const struct ipts_loc *at = cl->limit_word >= 0 ?
		&cl->locs[cl->limit_word] : line;

	ipts_build_error(ps, at, "too many rules: the file would build %llu, "
			 "more than the limit of %llu (--max-rules N raises it)",
			 (unsigned long long)(ps->nbuilt + cl->want_rules),
			 (unsigned long long)ps->max_rules);
	if (cl->want_rules > 1)
		ipts_diag_note(ps->diags, at, "this line alone builds %llu "
			       "rules, one for each pair of its %u source and "
			       "%u destination addresses",
			       (unsigned long long)cl->want_rules, cl->nsrc,
			       cl->ndst);
	ps->stop = true;
}

void ipts_build_rule(struct ipts_parse *ps, const struct ipts_loc *counters,
		     const struct ipts_loc *loc)
{
	/* From the line's first word, not its end: the same line, found
	 * without reading it backwards. */
	const struct ipts_loc *first = ps->nwords ? &ps->words[0].loc : loc;
	struct ipts_loc line;
	struct ipts_cmdline cl = { 0 };
	struct ipts_loc *locs;
	char **argv;
	char *pc = NULL, *bc = NULL;
	size_t off = 0;
	unsigned int i, base;
	int argc = 0;

	/* argv's words are this line's */
	ps->hashed_name = NULL;
	ps->found_name = NULL;
	if (ps->line_fast && ps->line_len && !counters) {
		/* the scanner's fast line: its first word starts it, and the
		 * scanner knows its length */
		line = *first;
		line.off -= first->col - 1;
		line.col = 1;
		line.len = ps->line_len;
	} else {
		line = whole_line(counters ? counters : first);
	}

	if (ps->fam_wrong) {
		/* read as the other family: this parse is thrown away */
		ps->stop = true;
		goto out;
	}
	if (!in_table(ps, &line, "rule"))
		goto out;
	if (ps->nwords == 0 && !counters) {
		ipts_build_error(ps, &line, "line holds only white space; "
				 "iptables-restore refuses it");
		goto out;
	}
	/* A fast line's first word starts with '-': no COMMIT. */
	if (ps->nwords && !ps->line_fast &&
	    strcmp(word_text(ps, 0, &off), "COMMIT") == 0) {
		ipts_build_error(ps, &ps->words[0].loc, "'COMMIT' must stand "
				 "alone on its line, followed by a newline");
		goto out;
	}
	off = 0;
	if (ps->nwords && ps->src->buf[ps->words[0].loc.off] == '#') {
		ipts_build_error(ps, &ps->words[0].loc, "a comment must start "
				 "in column 1");
		goto out;
	}
	if (!ps->table)
		goto out;	/* an unknown table: nothing to check against */
	if (counters) {
		/* tokenize_rule_counters(): "[pcnt:bcnt]" */
		char *s = ipts_arena_strndup(ps->rs->arena,
					     ps->src->buf + counters->off + 1,
					     counters->len - 2);
		char *colon = strchr(s, ':');

		if (!colon || colon == s || colon[1] == '\0') {
			ipts_build_error(ps, counters, "bad counters '%.*s': "
					 "need '[packets:bytes]'",
					 (int)counters->len,
					 ps->src->buf + counters->off);
			goto out;
		}
		*colon = '\0';
		pc = s;
		bc = colon + 1;
	}

	/* add_argv() refuses the element that would make argc MAX_ARGC. */
	base = 3 + (ps->opts->counters && pc ? 3 : 0);
	if (base + ps->nwords >= IPTS_MAX_ARGC) {
		unsigned int bad = IPTS_MAX_ARGC - 1 - base;

		ipts_build_error(ps, &ps->words[bad].loc, "too many words on "
				 "one line: iptables-restore takes at most %u",
				 bad);
		goto out;
	}
	/* One argv for every line of the file, grown as needed. */
	if (base + ps->nwords + 1 > ps->argv_cap) {
		ps->argv_cap = base + ps->nwords + 1;
		ps->argv = ipts_xrealloc(ps->argv,
					 ps->argv_cap * sizeof(*ps->argv));
		ps->locs = ipts_xrealloc(ps->locs,
					 ps->argv_cap * sizeof(*ps->locs));
	}
	argv = ps->argv;
	locs = ps->locs;
	argv[argc] = "iptables-restore";
	locs[argc++] = line;
	argv[argc] = "-t";
	locs[argc++] = line;
	argv[argc] = (char *)ps->table->name;
	locs[argc++] = line;
	if (base == 6) {
		argv[argc] = "--set-counters";
		locs[argc++] = *counters;
		argv[argc] = pc;
		locs[argc++] = *counters;
		argv[argc] = bc;
		locs[argc++] = *counters;
	}
	if (ps->line_fast && ps->nwords) {
		int bad = fast_words(ps, argv + argc, locs + argc);

		if (bad >= 0) {
			const struct ipts_loc *wl = &ps->words[bad].loc;

			ipts_build_error(ps, wl,
					 "Parameter too long: %zu bytes, "
					 "iptables-restore takes at most %u",
					 strlen(argv[argc + bad]),
					 IPTS_MAX_PARAM);
			goto out;
		}
		argc += (int)ps->nwords;
		goto parse;
	}
	for (i = 0; i < ps->nwords; i++) {
		char *s = word_text(ps, i, &off);

		(void)s;
	}
	/* Pointers only now: word_text() may move the scratch. */
	off = 0;
	for (i = 0; i < ps->nwords; i++) {
		const struct ipts_loc *wl = &ps->words[i].loc;
		char *s = ps->scratch + off;
		size_t n = strlen(s);

		if (n > IPTS_MAX_PARAM) {
			ipts_build_error(ps, wl, "Parameter too long: %zu bytes, "
					 "iptables-restore takes at most %u",
					 n, IPTS_MAX_PARAM);
			goto out;
		}
		check_unterminated(ps, i);
		argv[argc] = s;
		locs[argc++] = *wl;
		off += n + 1;
	}
parse:
	argv[argc] = NULL;

	cl.argc = argc;
	cl.argv = argv;
	cl.locs = locs;
	cl.table = ps->table->name;
	cl.rs = ps->rs;
	cl.is_chain = cl_is_chain;
	cl.is_announced = line_announced;
	cl.ctx = ps;
	cl.rules_left = ps->max_rules - ps->nbuilt;
	if (cl.rules_left > UINT32_MAX)
		cl.rules_left = UINT32_MAX;	/* cl.nentries is 32 bits */
	if (ipts_xt_parse(&cl, &line, ps->diags) < 0) {
		ps->table_failed = true;
		if (cl.over_limit)
			too_many_rules(ps, &cl, &line);
	} else {
		ps->nbuilt += cl.nentries;
		run_command(ps, &cl, &line);
	}
	if (cl.entries != &cl.entry1)
		free(cl.entries);
out:
	line_done(ps);
}

/* -- the whole file ------------------------------------------------------ */

/*
 * Bytes that iptables-restore reads differently: a NUL ends the line for
 * it; a line longer than fgets()'s buffer reaches it in pieces of
 * IPTS_LINE_MAX - 1 bytes, each read as a line. Returns the cut offsets
 * (in the copy with the cuts made), or NULL when no line is too long.
 */
static uint32_t *prescan(struct ipts_parse *ps, uint32_t *ncuts)
{
	const struct ipts_source *src = ps->src;
	uint32_t off = 0, line = 1, *cuts = NULL, n = 0, cap = 0;

	while (off < src->len) {
		const char *s = src->buf + off;
		const char *nl = memchr(s, '\n', src->len - off);
		uint32_t len = nl ? (uint32_t)(nl - s) : (uint32_t)(src->len - off);
		const char *nul = memchr(s, '\0', len);
		struct ipts_loc loc = { src, off, line, 1, len };
		uint32_t piece;

		if (len && (s[0] == '-' || s[0] == '['))
			ps->nrule_lines++;

		if (nul && ps->diags->nerrors - ps->nerrors_before <
		    (ps->opts->max_errors ? ps->opts->max_errors :
		     IPTS_MAX_ERRORS)) {
			loc.off = (uint32_t)(nul - src->buf);
			loc.col = (uint32_t)(nul - s) + 1;
			loc.len = 1;
			ipts_diag_add(ps->diags, IPTS_ERROR, &loc,
				      "NUL byte in line: iptables-restore "
				      "would cut the line here");
		}
		/* fgets() reads 10239 bytes while more remain, newline
		 * included. */
		for (piece = IPTS_LINE_MAX - 1; len + (nl ? 1 : 0) > piece;
		     piece += IPTS_LINE_MAX - 1) {
			if (n == cap) {
				cap = cap ? cap * 2 : 8;
				cuts = ipts_xrealloc(cuts, cap * sizeof(*cuts));
			}
			cuts[n] = off + piece + n;
			if (piece == IPTS_LINE_MAX - 1) {
				loc.off = off + piece;
				loc.col = piece + 1;
				loc.len = 1;
				ipts_diag_add(ps->diags, IPTS_WARNING, &loc,
					      "line is %u bytes long: "
					      "iptables-restore reads at most "
					      "%u bytes a line and takes the "
					      "rest as another line, as iptsim "
					      "does", len, IPTS_LINE_MAX - 1);
			}
			n++;
		}
		off += len + 1;
		line++;
	}
	*ncuts = n;
	return cuts;
}

/* The source with a newline put in at each cut, and its two NULs. */
static char *cut_copy(const struct ipts_source *src, const uint32_t *cuts,
		      uint32_t ncuts)
{
	char *v = ipts_xmalloc(src->len + ncuts + 2);
	uint32_t k, from = 0, to = 0;

	for (k = 0; k < ncuts; k++) {
		uint32_t real = cuts[k] - k;

		memcpy(v + to, src->buf + from, real - from);
		to += real - from;
		v[to++] = '\n';
		from = real;
	}
	memcpy(v + to, src->buf + from, src->len - from);
	to += (uint32_t)(src->len - from);
	v[to] = v[to + 1] = '\0';
	return v;
}

/* Drop the diagnostics after the first @n (and their counts). */
static void diags_truncate(struct ipts_diags *d, size_t n, size_t nerrors,
			   size_t nwarnings)
{
	size_t i;

	for (i = n; i < d->n; i++)
		free(d->v[i].msg);
	d->n = n;
	d->nerrors = nerrors;
	d->nwarnings = nwarnings;
}

/*
 * One parse of @src as @family. With @fs, the family sniff reads the
 * lines as they are scanned; *@sniffed says whether it read all of them
 * (the parse read the whole file, without cuts).
 */
static struct ipts_ruleset *
parse_as(const struct ipts_source *src, const struct ipts_parse_opts *opts,
	 struct ipts_diags *diags, size_t nerrors, enum ipts_family family,
	 struct ipts_fsniff *fs, bool *sniffed, bool *wrong)
{
	struct ipts_parse ps = { 0 };
	struct ipts_scan sc = { 0 };
	struct ipts_loc eof = { 0 }, top = { 0 };
	uint32_t *cuts, ncuts;
	char *vbuf = NULL;
	struct ipts_names *names;
	yyscan_t scanner;
	bool threads;
	int rc;

	ps.src = src;
	ps.opts = opts;
	ps.diags = diags;
	ps.nerrors_before = nerrors;
	ps.max_rules = ps.opts->max_rules ? ps.opts->max_rules : IPTS_MAX_RULES;
	ps.rs = ipts_ruleset_new(src);
	ps.rs->family = family;
	ps.fam = family;
	/* the arena's pages faulted in on a second thread (arena.c) */
	ipts_arena_ahead(ps.rs->arena, ipts_pipe_ahead_wanted(src));
	cuts = prescan(&ps, &ncuts);
	/* the intern table sized for the file's entries and blobs (about
	 * one a rule line: most repeat) before the first, so that it is
	 * seldom rehashed */
	ipts_ruleset_intern_reserve(ps.rs, ps.nrule_lines);
	/* a file with cuts is scanned in other lines than the sniff's */
	ps.fs = ncuts ? NULL : fs;

	sc.src = src;
	sc.line = 1;
	sc.cuts = cuts;
	sc.ncuts = ncuts;
	sc.ps = &ps;
	if (ipts_yylex_init_extra(&sc, &scanner))
		ipts_oom();
	/*
	 * Scan in place: flex needs the two NULs ipts_source keeps after the
	 * bytes, and puts back each byte it borrows to end a token. Only a
	 * file with over-long lines is scanned from a cut copy.
	 */
	/* on two threads (pipe.c) too: the other thread reads only lines
	 * the scanner has not reached */
	threads = !ncuts && ipts_pipe_wanted(src);
	if (ncuts) {
		vbuf = cut_copy(src, cuts, ncuts);
		ipts_yy_scan_buffer(vbuf, src->len + ncuts + 2, scanner);
	} else {
		ipts_yy_scan_buffer(src->buf, src->len + 2, scanner);
	}
	/* A directory libxtables cannot use is the file's first error. */
	top.src = src;
	top.line = top.col = 1;
	names = ipts_names_new(ps.opts, diags);
	ipts_xt_begin(ps.opts->full_loop, ps.opts, names);
	ipts_xt_memo_reserve(ps.nrule_lines);
	if (ipts_xt_init(ps.opts->xtables_libdir, &top, diags) < 0)
		rc = 1;
	/* a bad line in a names file: the rules are not read at all */
	else if (diags->nerrors > nerrors)
		rc = 1;
	else {
		ipts_xt_set_family(family);
		if (threads)
			ps.pipe = ipts_pipe_start(src, ps.fs, family);
		rc = ipts_yyparse(scanner, &ps);
		ipts_pipe_end(ps.pipe);
		ps.pipe = NULL;
	}
	ipts_xt_end();
	ipts_names_free(names);
	ipts_scan_finish(scanner);
	ipts_yylex_destroy(scanner);
	free(vbuf);
	free(cuts);
	*sniffed = ps.fs && rc == 0 && !ps.stopped && !ps.fam_wrong;
	*wrong = ps.fam_wrong;

	eof.src = src;
	eof.off = (uint32_t)src->len;
	eof.line = sc.line;
	eof.col = sc.off - sc.line_start + 1;
	if (rc == 0)
		ipts_build_eof(&ps, &eof);
	free(ps.words);
	free(ps.scratch);
	free(ps.argv);
	free(ps.locs);
	free(ps.announce);
	if (rc != 0 || diags->nerrors > nerrors) {
		ipts_ruleset_free(ps.rs);
		return NULL;
	}
	/* Nothing is interned once loaded: what walks gets that memory. */
	ipts_ruleset_intern_end(ps.rs);
	ipts_arena_ahead(ps.rs->arena, false);
	return ps.rs;
}

/*
 * A file of no family given is read as IPv4 (the default, and most
 * files), the family sniff reading each line as the scanner meets it,
 * not in a pass of its own. Only when the sniff says otherwise (an IPv6
 * word, a mixed file) is that parse thrown away, its diagnostics with it,
 * and the file read again as the sniff over the whole file says; the
 * same when the parse stopped before the end (too many errors or rules),
 * so the family is always the whole file's, as before any parse.
 */
struct ipts_ruleset *ipts_parse(const struct ipts_source *src,
				const struct ipts_parse_opts *opts,
				struct ipts_diags *diags)
{
	static const struct ipts_parse_opts defaults;
	struct ipts_fsniff fs = { 0 };
	struct ipts_ruleset *rs;
	enum ipts_family family, want;
	size_t nerrors = diags->nerrors, n0, e0, w0;
	bool sniffed, wrong;
	int rc;

	if (!opts)
		opts = &defaults;
	if (ipts_sniff(src, diags) < 0)
		return NULL;
	family = opts->family;
	/* IPTSIM_SNIFF_FIRST: for the tests that compare the two ways */
	if (family == IPTS_FAMILY_AUTO &&
	    (opts->sniff_first || getenv("IPTSIM_SNIFF_FIRST")) &&
	    ipts_parse_family(src, diags, &family) < 0)
		return NULL;
	if (family != IPTS_FAMILY_AUTO)
		return parse_as(src, opts, diags, nerrors, family, NULL,
				&sniffed, &wrong);
	/* IPTSIM_SNIFF_FOLD: the sniff as the parse reads the lines, for the
	 * tests that compare the ways */
	if (!getenv("IPTSIM_SNIFF_FOLD")) {
		if (!ipts_family_quick(src, &family) &&
		    ipts_parse_family(src, diags, &family) < 0)
			return NULL;
		return parse_as(src, opts, diags, nerrors, family, NULL,
				&sniffed, &wrong);
	}
	n0 = diags->n;
	e0 = diags->nerrors;
	w0 = diags->nwarnings;
	rs = parse_as(src, opts, diags, nerrors, IPTS_FAMILY_IPV4, &fs,
		      &sniffed, &wrong);
	if (sniffed) {
		rc = ipts_fsniff_end(&fs, NULL, &want);
	} else {
		struct ipts_diags tmp = { 0 };

		rc = ipts_parse_family(src, &tmp, &want);
		ipts_diags_free(&tmp);
	}
	if (rc == 0 && want == IPTS_FAMILY_IPV4 && !wrong)
		return rs;
	ipts_ruleset_free(rs);
	diags_truncate(diags, n0, e0, w0);
	if (rc < 0) {
		/* the mixed-family error, as the whole file's sniff says it */
		if (sniffed)
			ipts_fsniff_end(&fs, diags, &want);
		else
			ipts_parse_family(src, diags, &want);
		return NULL;
	}
	return parse_as(src, opts, diags, nerrors, want, NULL, &sniffed,
			&wrong);
}
