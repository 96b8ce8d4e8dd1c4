/*
 * fuzz_ipset.c - libFuzzer entry point for the reader of `ipset save`
 * text (--ipsets FILE, ipsets.txt of a host directory: a file from a
 * stranger's pull request like the rules) and for the kernel's test of a
 * packet against each set it defines.
 *
 * The input is the ipsets text; its last 24 bytes also make the packets.
 * What must hold: no crash, hang, leak or sanitizer report; the reader
 * returns the sets exactly when it reported no error, and every error is
 * at a line of the input; each set a `create` line names is found by its
 * name and answers every packet with one of the three documented answers,
 * a reason with "undetermined" only, before and after -j SET changes it
 * (ipts_ipset_state_adt()).
 *
 * Built like fuzz_parse.c: with clang -fsanitize=fuzzer by
 * tests/fuzz/run.sh, and with the normal compiler next to replay.c.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "diag.h"
#include "ipset.h"
#include "model.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void broken(const char *what)
{
	fprintf(stderr, "fuzz_ipset: %s\n", what);
	abort();
}

/* Byte @i of the input's tail, 0 past its start. */
static uint8_t tail(const uint8_t *data, size_t size, size_t i)
{
	return i < size ? data[size - 1 - i] : 0;
}

static void packet_from(const uint8_t *data, size_t size, unsigned int k,
			struct ipts_ipset_pkt *p)
{
	static const char *const devs[] = { "", "lo", "eth0", "eth1" };
	size_t o = (size_t)k * 3;
	uint32_t a, b;

	memset(p, 0, sizeof(*p));
	a = (uint32_t)tail(data, size, o) << 24 |
	    (uint32_t)tail(data, size, o + 1) << 8 | tail(data, size, o + 2);
	b = (uint32_t)tail(data, size, o + 3) << 24 | tail(data, size, o + 4);
	p->saddr = a ^ 0x0a000001u;
	p->daddr = b ^ 0xc0000201u;
	p->protocol = (uint8_t[]){ 6, 17, 1, 132 }[tail(data, size, o + 5) & 3];
	p->fragment = tail(data, size, o + 6) & 1;
	p->sport = (uint16_t)(tail(data, size, o + 7) << 8 | k);
	p->dport = (uint16_t)(tail(data, size, o + 8) | 0x100);
	p->in = devs[tail(data, size, o + 9) & 3];
	p->out = devs[(tail(data, size, o + 9) >> 2) & 3];
	p->mark = tail(data, size, o + 10);
	p->mac = tail(data, size, o + 11) & 1;
	if (tail(data, size, o + 12) & 1) {
		/* family 6: fd00::/8 and ::/8 addresses (::, ::1 among
		 * them) from the same bytes, ICMPv6 for ICMP */
		p->family = 6;
		p->saddr6[0] = (tail(data, size, o + 12) & 2) ? 0xfd : 0;
		memcpy(p->saddr6 + 12, &a, 4);
		p->daddr6[0] = (tail(data, size, o + 12) & 4) ? 0xfd : 0;
		memcpy(p->daddr6 + 12, &b, 4);
		p->saddr = p->daddr = 0;
		if (p->protocol == 1)
			p->protocol = 58;
	} else {
		p->family = 4;
	}
}

/* -j SET of @words' set and flags on @pkt, into @st: the documented
 * answers, and the state's sets still answer a test. */
static void change_set(struct ipts_ipset_state *st, const char *words,
		       const struct ipts_ipset_match *m,
		       const struct ipts_ipset_pkt *pkt, unsigned int f)
{
	char tw[160];
	struct ipts_ipset_target t;
	struct ipts_ipset_match cm;
	const char *why = NULL;
	enum ipts_ipset_answer a;
	int r;

	snprintf(tw, sizeof(tw), " %s %s%s", (f & 1) ? "--del-set" : "--add-set",
		 strstr(words, "--match-set ") + 12,
		 (f & 2) ? " --exist --timeout 5" : "");
	if (ipts_ipset_target_parse(tw, &t) < 0)
		return;
	r = ipts_ipset_state_adt(st, !(f & 1), (f & 1) ? &t.del : &t.add, pkt,
				 &why);
	if (r < -1 || r > 1 || (r < 0) != (why != NULL))
		broken("-j SET: an undocumented answer, or a reason without one");
	why = NULL;
	a = ipts_ipset_test(ipts_ipset_state_sets(st), m, pkt, &why);
	if ((a == IPTS_IPSET_UNKNOWN) != (why != NULL))
		broken("a changed set answers without a reason");
	/* counted (--fresh) with a counter condition, then a second later */
	snprintf(tw, sizeof(tw), "%s%s", words,
		 (f & 4) ? " ! --update-counters --bytes-lt 100" :
			   " --packets-gt 1 ! --update-subcounters");
	if (ipts_ipset_match_parse(tw, &cm) < 0)
		broken("a counter condition not read");
	why = NULL;
	a = ipts_ipset_state_test(st, &cm, pkt, &why);
	if ((a == IPTS_IPSET_UNKNOWN) != (why != NULL))
		broken("a counted test answers without a reason");
	if (f & 8)
		ipts_ipset_state_advance(st, 1 + (f & 3));
}

/* Every set a "create NAME" line names, against a few packets and every
 * flag combination of up to three dimensions; each also added to and
 * deleted from by -j SET. */
static void test_sets(const struct ipts_ipsets *sets, const char *text,
		      size_t len, const uint8_t *data, size_t size)
{
	struct ipts_ipset_state *st = ipts_ipset_state_new(sets);
	char *save;

	const char *p = text, *end = text + len;
	unsigned int checked = 0;

	while (p < end && checked < 16) {
		const char *eol = memchr(p, '\n', (size_t)(end - p));
		const char *line = p;
		size_t n;

		if (!eol)
			eol = end;
		p = eol + 1;
		if ((size_t)(eol - line) < 8 || memcmp(line, "create ", 7))
			continue;
		line += 7;
		/* the input has no NUL at its end: count within the line */
		for (n = 0; line + n < eol && !memchr(" \t\r", line[n], 3); n++)
			;
		/* a quoted name is the reader's to unquote: not looked up */
		if (!n || n > 31 || memchr(line, '\0', n) || *line == '"')
			continue;
		checked++;
		for (unsigned int f = 0; f < 16; f++) {
			char words[80];
			struct ipts_ipset_match m;
			struct ipts_ipset_pkt pkt;
			const char *why = NULL;
			enum ipts_ipset_answer a;
			unsigned int dim = 1 + (f & 3) % 3, i;
			int w;

			w = snprintf(words, sizeof(words),
				     "%s--match-set %.*s ", (f & 8) ? "! " : "",
				     (int)n, line);
			for (i = 0; i < dim && w > 0 && w < 70; i++)
				w += snprintf(words + w,
					      sizeof(words) - (size_t)w, "%s%s",
					      i ? "," : "",
					      (f >> (i + 2)) & 1 ? "dst" :
								   "src");
			if (ipts_ipset_match_parse(words, &m) < 0)
				continue;
			if (!ipts_ipsets_find(sets, m.name, m.name_len))
				broken("a created set is not found by name");
			packet_from(data, size, f, &pkt);
			a = ipts_ipset_test(sets, &m, &pkt, &why);
			if (a != IPTS_IPSET_NO && a != IPTS_IPSET_YES &&
			    a != IPTS_IPSET_UNKNOWN)
				broken("an undocumented answer");
			if ((a == IPTS_IPSET_UNKNOWN) != (why != NULL))
				broken("a reason without undetermined, or none");
			change_set(st, words, &m, &pkt, f);
		}
	}
	save = ipts_ipset_state_save(st);
	if ((save != NULL) != ipts_ipset_state_changed(st))
		broken("a save text exactly when the sets changed");
	free(save);
	ipts_ipset_state_reset(st);
	if (ipts_ipset_state_changed(st))
		broken("a reset state still changed");
	ipts_ipset_state_free(st);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ipts_diags d = { 0 };
	struct ipts_source *src;
	struct ipts_ipsets *sets;
	size_t i, errors = 0;

	src = ipts_source_from_mem("fuzz.ipsets", (const char *)data, size);
	sets = ipts_ipsets_read(src, &d);
	for (i = 0; i < d.n; i++) {
		if (d.v[i].sev == IPTS_ERROR)
			errors++;
		if (d.v[i].loc.src && d.v[i].loc.line == 0)
			broken("a diagnostic at line 0 of the input");
	}
	if (!sets != (errors > 0))
		broken("sets returned with errors, or none without one");
	if (sets) {
		test_sets(sets, (const char *)data, size, data, size);
		ipts_ipsets_free(sets);
	}
	ipts_diags_free(&d);
	ipts_source_free(src);
	return 0;
}
