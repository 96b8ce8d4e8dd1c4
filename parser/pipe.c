/*
 * pipe.c - the load on two threads: this file's thread reads the source
 * ahead of the parse, line by line, splits each rule line of
 * iptables-save's shape into its words (as scanner.l's scan_line() does),
 * makes their argv text (as build.c's fast_words() does) and runs the
 * family sniff over the lines the scanner would show it; the parse
 * (grammar, build.c, libxtables, the model) stays on the loading thread
 * and takes every line in order, in blocks, through a bounded ring. This
 * thread adds no diagnostic and calls nothing of libxtables nor of the
 * model: the parse sees the same words in the same order as on one
 * thread, so every diagnostic and the first error are the same. It only
 * reads the source, which the scanner scans in place (PIPE_LAG says why
 * the two never touch the same byte at once).
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "line_split.h"
#include "parser_int.h"

/* The ring: PIPE_BLOCKS blocks of lines, each of at most PIPE_LINES
 * lines, PIPE_WORDS words and PIPE_TEXT bytes of argv text, small enough
 * to stay in the cache the two cores share (a line of n bytes has at
 * most n / 2 + 1 words and n + 1 bytes of text, and a line of more than
 * IPTS_LINE_MAX bytes has cuts: a file with cuts is read on one thread,
 * so a line always fits in an empty block). */
#define PIPE_BLOCKS 16
#define PIPE_LINES 256
#define PIPE_WORDS 8192
#define PIPE_TEXT (64 * 1024)
_Static_assert(PIPE_WORDS > IPTS_LINE_MAX / 2 + 1, "a line fits a block");
_Static_assert(PIPE_TEXT > IPTS_LINE_MAX + 1, "a line fits a block");

/*
 * The scanner scans the source in place: flex puts a NUL after each
 * token it matches (and the byte back before the next), and before it
 * asks for line L + 1 it may have matched L + 1's first token, putting
 * a NUL as far as the first byte of L + 2. So a block whose last line is
 * L is handed over only once this thread has read PIPE_LAG lines past
 * it, and it never reads those lines again: the two threads never touch
 * the same byte at once.
 */
#define PIPE_LAG 3

struct block {
	struct ipts_pipe_line lines[PIPE_LINES];
	struct ipts_loc words[PIPE_WORDS];
	char text[PIPE_TEXT];
	uint32_t nlines, nwords, ntext;
};

struct ipts_pipe {
	const struct ipts_source *src;
	struct ipts_fsniff *fs; /* NULL: no sniff */
	enum ipts_family fam;
	pthread_t thread;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	struct block *blocks;
	/* handed over: [head, head + nfull) modulo PIPE_BLOCKS; the reader
	 * holds the next nheld (the full one waiting for its lag, the one
	 * it fills) */
	unsigned int head, nfull, nheld;
	/* started: the first PIPE_LAG lines read, the scanner may start */
	bool started, done, cancel;
	bool reader_waits; /* for half the ring to be free */
	/* the parse's place: its block (the one at head, NULL before the
	 * first) and line; the block is the parse's until it gives it back,
	 * and the one before it too (kept while the parse may still build
	 * the rule of its last line) */
	struct block *cur;
	bool kept;
	uint32_t at;
};

/*
 * The split of the line at @text, @len bytes, newline included, into
 * @words (room for IPTS_LINE_MAX / 2 + 1). Returns the number of words,
 * or -1 for a line with an open quote.
 */
static int split(const struct ipts_source *src, uint32_t off, uint32_t line,
		 const char *text, size_t len, struct ipts_loc *words,
		 bool *quoted, bool *adjoined)
{
	struct ipts_line_split sp = { .p = text, .end = text + len - 1 };
	const char *w;
	uint32_t wlen;
	int n = 0, r;

	while ((r = ipts_line_word(&sp, &w, &wlen)) > 0) {
		words[n].src = src;
		words[n].off = off + (uint32_t)(w - text);
		words[n].line = line;
		words[n].col = (uint32_t)(w - text) + 1;
		words[n].len = wlen;
		n++;
	}
	*quoted = sp.quoted;
	*adjoined = sp.adjoined;
	return r < 0 ? -1 : n;
}

/*
 * The argv text of a split line as build.c's fast_words() makes it: the
 * bytes from the first word to the end of the last at @out, each word
 * ended by a NUL over the blank after it, unquoted in its place where it
 * holds a quote. Returns the bytes used, and in *@bad the first word
 * longer than IPTS_MAX_PARAM once unquoted (or -1).
 */
static uint32_t argv_text(const struct ipts_source *src,
			  const struct ipts_loc *words, uint32_t nwords,
			  bool quoted, char *out, int32_t *bad)
{
	const struct ipts_loc *w0 = &words[0], *wn = &words[nwords - 1];
	uint32_t span = wn->off + wn->len - w0->off;
	const char *base = src->buf + w0->off;

	*bad = -1;
	memcpy(out, base, span);
	for (uint32_t i = 0; i < nwords; i++) {
		const struct ipts_loc *wl = &words[i];
		char *s = out + (wl->off - w0->off);
		size_t n = wl->len;

		if (quoted && memchr(base + (wl->off - w0->off), '"', wl->len))
			n = ipts_unquote(wl, s);
		else
			s[n] = '\0';
		if (n > IPTS_MAX_PARAM && *bad < 0)
			*bad = (int32_t)i;
	}
	return span + 1;
}

/* Wait for an empty block to fill; NULL when the parse gave up. */
static struct block *block_get(struct ipts_pipe *p)
{
	struct block *b;

	pthread_mutex_lock(&p->mu);
	if (p->nfull + p->nheld == PIPE_BLOCKS) {
		/* the ring full: sleep till half of it is free, not woken
		 * for each block the parse gives back */
		p->reader_waits = true;
		while (p->reader_waits && !p->cancel)
			pthread_cond_wait(&p->cv, &p->mu);
	}
	b = p->cancel ?
		    NULL :
		    &p->blocks[(p->head + p->nfull + p->nheld) % PIPE_BLOCKS];
	if (b)
		p->nheld++;
	pthread_mutex_unlock(&p->mu);
	if (b)
		b->nlines = b->nwords = b->ntext = 0;
	return b;
}

/* Hand over @n of the blocks held, the last ones when @last. */
static void block_put(struct ipts_pipe *p, unsigned int n, bool last)
{
	pthread_mutex_lock(&p->mu);
	p->nfull += n;
	p->nheld -= n;
	p->done = last;
	p->started = true;
	pthread_cond_broadcast(&p->cv);
	pthread_mutex_unlock(&p->mu);
}

static void *run(void *arg)
{
	struct ipts_pipe *p = arg;
	const struct ipts_source *src = p->src;
	const char *buf = src->buf;
	uint32_t off = 0, line = 1, len = (uint32_t)src->len;
	/* lines read past the full block waiting (-1: none waits) */
	int lag = -1;
	bool wrong = false;
	struct block *b = block_get(p);

	while (b && off < len) {
		const char *s = buf + off, *nl;
		uint32_t n = len - off, next;
		struct ipts_pipe_line *l;

		nl = memchr(s, '\n', n);
		n = nl ? (uint32_t)(nl - s) : n; /* the newline left out */
		next = nl ? off + n + 1 : len;
		if (b->nlines == PIPE_LINES ||
		    b->nwords + n / 2 + 1 > PIPE_WORDS ||
		    b->ntext + n + 1 > PIPE_TEXT) {
			if (lag >= 0) {
				/* two blocks in less than the lag: cannot be
				 * (a block holds more lines), but be safe */
				block_put(p, 1, false);
				lag = -1;
			}
			b = block_get(p);
			if (!b)
				break;
			lag = 0;
		}
		l = &b->lines[b->nlines++];
		*l = (struct ipts_pipe_line){ .off = off, .word0 = b->nwords };
		if (*s != '-' && *s != '#' && *s != '[')
			goto next_line; /* a line the scanner reads alone */
		if (*s == '-' && strcspn(s, "\n") == n && nl) {
			bool quoted = false, adjoined = false;
			int nw = split(src, off, line, s, n + 1,
				       &b->words[b->nwords], &quoted,
				       &adjoined);

			if (nw >= 0) {
				l->len = n + 1;
				l->nwords = (uint32_t)nw;
				l->quoted = quoted;
				l->text = b->text + b->ntext;
				b->ntext += argv_text(src, &b->words[l->word0],
						      l->nwords, quoted,
						      b->text + b->ntext,
						      &l->bad);
				b->nwords += (uint32_t)nw;
				if (p->fs && !wrong && !adjoined &&
				    !memchr(s, '\r', n + 1)) {
					ipts_fsniff_words(p->fs,
							  &b->words[l->word0],
							  sizeof(b->words[0]),
							  l->nwords, quoted);
					goto check;
				}
			}
		}
		if (p->fs && !wrong) {
			if (*s == '#')
				ipts_fsniff_comment(p->fs, s, n);
			else
				ipts_fsniff_line(p->fs, src, off, line, n);
		}
	check:
		if (p->fs && !wrong && ipts_fsniff_not(p->fs, p->fam))
			wrong = l->wrong = true;
	next_line:
		off = next;
		line++;
		if (lag >= 0 && ++lag == PIPE_LAG) {
			block_put(p, 1, false);
			lag = -1;
		}
		if (line == PIPE_LAG + 1)
			block_put(p, 0, false); /* started */
	}
	if (b)
		block_put(p, p->nheld, true);
	return NULL;
}

bool ipts_pipe_wanted(const struct ipts_source *src)
{
	const char *e = getenv("IPTSIM_THREADS");
	long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	double load;

	if (e && strcmp(e, "2") == 0)
		return true;
	if (e && strcmp(e, "auto") == 0)
		return src->len >= IPTS_PIPE_MIN && ncpu > 1;
	if (e)
		return false;
	/* Unset: two threads from IPTS_PIPE_DEFAULT_MIN bytes on while a
	 * core is idle (the last minute's load average below the cores less
	 * one), as measured on the 2-core machine (README, Benchmarks): they
	 * saved 11 % of the flat file's wall on a quiet machine and lost 14
	 * to 44 % beside one busy process; below the size the thread's start
	 * costs more than it saves. */
	return src->len >= IPTS_PIPE_DEFAULT_MIN && ncpu > 1 &&
	       getloadavg(&load, 1) == 1 && load < (double)(ncpu - 1);
}

bool ipts_pipe_ahead_wanted(const struct ipts_source *src)
{
	const char *e = getenv("IPTSIM_THREADS");

	/* the thread only clears pages the load would clear itself: it
	 * pays even beside a busy process (README, Benchmarks) */
	if (e && strcmp(e, "2") != 0 && strcmp(e, "auto") != 0)
		return false;
	return src->len >= IPTS_PIPE_MIN && sysconf(_SC_NPROCESSORS_ONLN) > 1;
}

struct ipts_pipe *ipts_pipe_start(const struct ipts_source *src,
				  struct ipts_fsniff *fs, enum ipts_family fam)
{
	struct ipts_pipe *p = ipts_xcalloc(1, sizeof(*p));

	p->src = src;
	p->fs = fs;
	p->fam = fam;
	p->blocks = ipts_xcalloc(PIPE_BLOCKS, sizeof(*p->blocks));
	pthread_mutex_init(&p->mu, NULL);
	pthread_cond_init(&p->cv, NULL);
	if (pthread_create(&p->thread, NULL, run, p) != 0) {
		/* no thread: the caller reads on its own */
		pthread_mutex_destroy(&p->mu);
		pthread_cond_destroy(&p->cv);
		free(p->blocks);
		free(p);
		return NULL;
	}
	/* the scanner's first token may end in the second line (PIPE_LAG) */
	pthread_mutex_lock(&p->mu);
	while (!p->started)
		pthread_cond_wait(&p->cv, &p->mu);
	pthread_mutex_unlock(&p->mu);
	return p;
}

const struct ipts_pipe_line *ipts_pipe_next(struct ipts_pipe *p,
					    const struct ipts_loc **words)
{
	struct block *b = p->cur;

	if (b && p->at < b->nlines)
		goto take;
	pthread_mutex_lock(&p->mu);
	for (;;) {
		unsigned int mine = p->kept ? 2 : 1;

		while (p->nfull < mine && !p->done)
			pthread_cond_wait(&p->cv, &p->mu);
		if (p->nfull < mine) {
			/* every line read */
			pthread_mutex_unlock(&p->mu);
			return NULL;
		}
		b = &p->blocks[(p->head + mine - 1) % PIPE_BLOCKS];
		if (p->at < b->nlines)
			break;
		/* the block read: keep it, give back the one before */
		if (p->kept) {
			p->head = (p->head + 1) % PIPE_BLOCKS;
			p->nfull--;
			if (p->reader_waits &&
			    p->nfull + p->nheld <= PIPE_BLOCKS / 2) {
				p->reader_waits = false;
				pthread_cond_broadcast(&p->cv);
			}
		}
		p->kept = true;
		p->cur = NULL;
		p->at = 0;
	}
	pthread_mutex_unlock(&p->mu);
	p->cur = b;
take:
	*words = &b->words[b->lines[p->at].word0];
	return &b->lines[p->at++];
}

void ipts_pipe_end(struct ipts_pipe *p)
{
	if (!p)
		return;
	pthread_mutex_lock(&p->mu);
	p->cancel = true;
	pthread_cond_broadcast(&p->cv);
	pthread_mutex_unlock(&p->mu);
	pthread_join(p->thread, NULL);
	pthread_mutex_destroy(&p->mu);
	pthread_cond_destroy(&p->cv);
	free(p->blocks);
	free(p);
}
