/*
 * load_floor.c - the floor of a load with libxtables as the extension
 * parser (issue 18): `load_floor FILE`. Reads the file's bytes, finds its
 * distinct extension segments (a "-m NAME ..." or "-j NAME ..." of a rule
 * line, from its first word up to the next -m, -j or -g, with the rule's
 * -p: the key the loader's memo keeps them by) and parses each of them
 * once through libxtables, as the loader does (ipts_floor_segment(): the
 * same init and family, the fast path's own calls), nothing else: no
 * model, no diagnostics, nothing kept. A -j to a chain of the file is no
 * extension and is not counted; -j ACCEPT and its kind are (the standard
 * target), once.
 *
 * Prints the bytes and the time to read them, the segments (all and
 * distinct) and the time libxtables took over the distinct ones, and the
 * time spent finding the distinct ones, which is the loader's work, not
 * the floor's: bench/run.sh takes it off this process's wall time, so the
 * floor it prints is the process (its start, libxtables' dlopen()s) plus
 * reading the bytes plus libxtables. Not a test: run.sh prints its
 * figures.
 */
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "diag.h"
#include "parser.h"

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* A distinct segment: its bytes in the file and the rule's protocol. */
struct seg {
	uint32_t off, len;
	uint32_t hash;
	uint8_t proto;
	bool used;
};

static size_t tab_cap, tab_n;

/* The names of the file's chains (":NAME" lines), as one hash set. */
static struct chain {
	uint32_t off, len, hash;
} * chains;
static size_t chains_cap, chains_n;

static uint32_t fnv(const char *s, size_t n, uint32_t h)
{
	size_t i;

	for (i = 0; i < n; i++)
		h = (h ^ (unsigned char)s[i]) * 16777619u;
	return h;
}

static const char *buf;

static void *xcalloc(size_t n, size_t size)
{
	void *p = calloc(n, size);

	if (!p) {
		perror("load_floor");
		exit(2);
	}
	return p;
}

static void chain_add(uint32_t off, uint32_t len)
{
	uint32_t h = fnv(buf + off, len, 2166136261u);
	size_t i;

	if (2 * (chains_n + 1) > chains_cap) {
		struct chain *old = chains;
		size_t cap = chains_cap ? 2 * chains_cap : 1024, j;

		chains = xcalloc(cap, sizeof(*chains));
		for (j = 0; j < chains_cap; j++) {
			if (!old[j].len)
				continue;
			for (i = old[j].hash & (cap - 1); chains[i].len;
			     i = (i + 1) & (cap - 1))
				;
			chains[i] = old[j];
		}
		free(old);
		chains_cap = cap;
	}
	for (i = h & (chains_cap - 1); chains[i].len;
	     i = (i + 1) & (chains_cap - 1))
		if (chains[i].hash == h && chains[i].len == len &&
		    memcmp(buf + chains[i].off, buf + off, len) == 0)
			return;
	chains[i] = (struct chain){ off, len, h };
	chains_n++;
}

static bool is_chain(const char *w, size_t len)
{
	uint32_t h = fnv(w, len, 2166136261u);
	size_t i;

	if (!chains_cap)
		return false;
	for (i = h & (chains_cap - 1); chains[i].len;
	     i = (i + 1) & (chains_cap - 1))
		if (chains[i].hash == h && chains[i].len == len &&
		    memcmp(buf + chains[i].off, w, len) == 0)
			return true;
	return false;
}

/* Adds the segment if new: to the table (indices into order[]) and to
 * order[], the distinct segments in the file's order, which the parse
 * walks forward through the file as a loader does. */
static uint32_t *order_idx;
static struct seg *order;
static size_t order_cap;

static void seg_add(uint32_t off, uint32_t len, uint8_t proto)
{
	uint32_t h = fnv(buf + off, len, 2166136261u ^ proto);
	size_t i;

	if (2 * (tab_n + 1) > tab_cap) {
		size_t cap = tab_cap ? 2 * tab_cap : 4096, j;

		free(order_idx);
		order_idx = xcalloc(cap, sizeof(*order_idx));
		for (j = 0; j < tab_n; j++) {
			for (i = order[j].hash & (cap - 1); order_idx[i];
			     i = (i + 1) & (cap - 1))
				;
			order_idx[i] = (uint32_t)j + 1;
		}
		tab_cap = cap;
	}
	for (i = h & (tab_cap - 1); order_idx[i]; i = (i + 1) & (tab_cap - 1)) {
		const struct seg *g = &order[order_idx[i] - 1];

		if (g->hash == h && g->len == len && g->proto == proto &&
		    memcmp(buf + g->off, buf + off, len) == 0)
			return;
	}
	if (tab_n == order_cap) {
		order_cap = order_cap ? 2 * order_cap : 4096;
		order = realloc(order, order_cap * sizeof(*order));
		if (!order) {
			perror("load_floor");
			exit(2);
		}
	}
	order[tab_n] = (struct seg){ off, len, h, proto, true };
	order_idx[i] = (uint32_t)++tab_n;
}

/* The protocol numbers a -p of the bench files names. */
static uint8_t proto_number(const char *w, size_t n)
{
	static const struct {
		const char *name;
		uint8_t num;
	} names[] = { { "tcp", 6 },    { "udp", 17 },  { "icmp", 1 },
		      { "sctp", 132 }, { "dccp", 33 }, { "udplite", 136 },
		      { "esp", 50 },   { "ah", 51 },   { "all", 0 } };
	size_t i;

	if (n && w[0] >= '0' && w[0] <= '9')
		return (uint8_t)atoi(w);
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (strlen(names[i].name) == n &&
		    memcmp(names[i].name, w, n) == 0)
			return names[i].num;
	return 0;
}

/* The next word of [*p, end): its start and length; quotes kept. */
static bool next_word(const char **p, const char *end, const char **w,
		      size_t *n)
{
	const char *s = *p;
	bool quoted = false;

	while (s < end && (*s == ' ' || *s == '\t'))
		s++;
	if (s == end)
		return false;
	*w = s;
	for (; s < end; s++) {
		if (*s == '\\' && s + 1 < end) {
			s++;
		} else if (*s == '"') {
			quoted = !quoted;
		} else if (!quoted && (*s == ' ' || *s == '\t')) {
			break;
		}
	}
	*n = (size_t)(s - *w);
	*p = s;
	return true;
}

static bool seg_start(const char *w, size_t n)
{
	return n == 2 && w[0] == '-' &&
	       (w[1] == 'm' || w[1] == 'j' || w[1] == 'g');
}

static unsigned long nsegs_all;

/* One "-A ..." line: its segments. */
static void rule_line(const char *s, const char *end)
{
	const char *w, *seg = NULL, *last = NULL;
	size_t n, lastn = 0;
	uint8_t proto = 0;
	bool skip = false, want_proto = false;

	while (next_word(&s, end, &w, &n)) {
		if (seg_start(w, n)) {
			if (seg && !skip) {
				seg_add((uint32_t)(seg - buf),
					(uint32_t)(last + lastn - seg), proto);
				nsegs_all++;
			}
			seg = w;
			skip = w[1] == 'g';
			last = w, lastn = n;
			if (!skip && w[1] == 'j') {
				const char *t = s, *name;
				size_t tn;

				if (next_word(&t, end, &name, &tn) &&
				    is_chain(name, tn))
					skip = true;
			}
			continue;
		}
		if (!seg) {
			if (want_proto)
				proto = proto_number(w, n);
			want_proto = n == 2 && w[0] == '-' && w[1] == 'p';
		}
		last = w, lastn = n;
	}
	if (seg && !skip) {
		seg_add((uint32_t)(seg - buf), (uint32_t)(last + lastn - seg),
			proto);
		nsegs_all++;
	}
}

/* Splits @s (a segment's bytes) into words as iptables-restore does for
 * these files: quotes removed, a backslash keeps the next character. */
static int split(const char *s, size_t len, char *out, char **argv, int max)
{
	const char *end = s + len;
	int argc = 0;

	while (s < end && argc < max) {
		bool quoted = false;

		while (s < end && (*s == ' ' || *s == '\t'))
			s++;
		if (s == end)
			break;
		argv[argc++] = out;
		for (; s < end; s++) {
			if (*s == '\\' && s + 1 < end) {
				*out++ = *++s;
			} else if (*s == '"') {
				quoted = !quoted;
			} else if (!quoted && (*s == ' ' || *s == '\t')) {
				break;
			} else {
				*out++ = *s;
			}
		}
		*out++ = '\0';
	}
	return argc;
}

int main(int argc, char **argv)
{
	struct ipts_diags d = { 0 };
	struct stat st;
	double t0, t1, t2, t3, t4;
	const char *p, *end;
	unsigned long refused = 0;
	char *mem, words[2 * 10240], *wv[256];
	size_t i, got = 0;
	int fd;

	if (argc != 2) {
		fprintf(stderr, "usage: load_floor FILE\n");
		return 2;
	}
	t0 = now();
	fd = open(argv[1], O_RDONLY);
	if (fd < 0 || fstat(fd, &st) < 0) {
		perror(argv[1]);
		return 2;
	}
	mem = malloc((size_t)st.st_size + 1);
	if (!mem)
		return 2;
	while (got < (size_t)st.st_size) {
		ssize_t r = read(fd, mem + got, (size_t)st.st_size - got);

		if (r <= 0) {
			perror(argv[1]);
			return 2;
		}
		got += (size_t)r;
	}
	close(fd);
	mem[got] = '\0';
	buf = mem;
	t1 = now();

	/* The loader's work, not the floor's: timed apart. */
	for (p = buf, end = buf + got; p < end;) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *e = nl ? nl : end;

		if (*p == ':') {
			const char *w = p + 1, *q = w;

			while (q < e && *q != ' ' && *q != '\t')
				q++;
			chain_add((uint32_t)(w - buf), (uint32_t)(q - w));
		} else if (e - p > 3 && p[0] == '-' &&
			   (p[1] == 'A' || p[1] == 'I') && p[2] == ' ') {
			rule_line(p, e);
		}
		p = e + 1;
	}
	t2 = now();

	if (ipts_floor_begin(&d) < 0) {
		fprintf(stderr, "load_floor: libxtables would not start\n");
		return 2;
	}
	t3 = now();
	for (i = 0; i < tab_n; i++) {
		int n;

		if (order[i].len >= sizeof(words) / 2) {
			refused++;
			continue;
		}
		n = split(buf + order[i].off, order[i].len, words, wv, 255);
		if (ipts_floor_segment(n, wv, order[i].proto) < 0)
			refused++;
	}
	t4 = now();
	printf("bytes %zu read %.6f\n", got, t1 - t0);
	printf("segments %lu distinct %zu refused %lu\n", nsegs_all, tab_n,
	       refused);
	printf("libxtables init %.6f parse %.6f (%.3f us a segment)\n", t3 - t2,
	       t4 - t3, tab_n ? (t4 - t3) / (double)tab_n * 1e6 : 0);
	printf("not_floor %.6f (finding the distinct segments)\n", t2 - t1);
	printf("floor %.6f (read + libxtables, from main())\n",
	       (t1 - t0) + (t4 - t2));
	return 0;
}
