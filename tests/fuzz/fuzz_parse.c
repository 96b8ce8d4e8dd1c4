/*
 * fuzz_parse.c - libFuzzer entry point for the parser: any bytes through
 * ipts_parse(), without and with counters (iptables-restore -c); every
 * ruleset that loads back out through ipts_save(), as `iptsim dump` does;
 * the diagnostics through report/report.c, as text (with and without colour)
 * and as JSON, as `iptsim check` prints them.
 *
 * What must hold for every input: no crash, hang, leak or sanitizer
 * report; a NULL ruleset comes with at least one error (parser.h says so);
 * ipts_save() of a loaded ruleset succeeds; the JSON is valid UTF-8
 * whatever bytes the input holds; the fast path of parser/xt.c and
 * iptables' whole option loop (ipts_parse_opts.full_loop) give the same
 * dump and the same diagnostics, and so do the family sniff folded into
 * the parse and the one in a pass of its own (.sniff_first). A broken
 * promise abort()s so that the fuzzer keeps the input.
 *
 * Built two ways: with clang -fsanitize=fuzzer (tests/fuzz/run.sh), and
 * with the normal compiler next to replay.c, which feeds it the kept
 * reproducers in tests/fuzz/regress/.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "diag.h"
#include "json.h"
#include "model.h"
#include "parser.h"
#include "report.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The ruleset as `iptsim dump` prints it, malloc'd. */
static char *save_to_memory(const struct ipts_ruleset *rs, bool counters)
{
	struct ipts_diags d = { 0 };
	char *buf = NULL;
	size_t len = 0;
	FILE *out;

	out = open_memstream(&buf, &len);
	if (!out)
		abort();
	if (ipts_save(out, rs, counters, &d) < 0)
		abort();
	if (fclose(out) != 0)
		abort();
	ipts_diags_free(&d);
	return buf;
}

/* RFC 3629: no overlongs, no surrogates, nothing above U+10FFFF. */
static bool utf8_valid(const unsigned char *p, size_t n)
{
	size_t i = 0, k, len;
	uint32_t cp;

	while (i < n) {
		if (p[i] < 0x80) {
			i++;
			continue;
		}
		if ((p[i] & 0xe0) == 0xc0) {
			len = 2;
			cp = p[i] & 0x1f;
		} else if ((p[i] & 0xf0) == 0xe0) {
			len = 3;
			cp = p[i] & 0x0f;
		} else if ((p[i] & 0xf8) == 0xf0) {
			len = 4;
			cp = p[i] & 0x07;
		} else {
			return false;
		}
		if (i + len > n)
			return false;
		for (k = 1; k < len; k++) {
			if ((p[i + k] & 0xc0) != 0x80)
				return false;
			cp = cp << 6 | (p[i + k] & 0x3f);
		}
		if ((len == 2 && cp < 0x80) || (len == 3 && cp < 0x800) ||
		    (len == 4 && cp < 0x10000) || cp > 0x10ffff ||
		    (cp >= 0xd800 && cp <= 0xdfff))
			return false;
		i += len;
	}
	return true;
}

/* What `iptsim check` prints, in each format, into memory; the text kept. */
static char *render(struct ipts_diags *d)
{
	char *buf = NULL, *text;
	size_t len = 0;
	FILE *out;
	struct ipts_json w;

	ipts_diags_sort(d);
	out = open_memstream(&buf, &len);
	if (!out)
		abort();
	ipts_report_text(out, d, false);
	ipts_report_text(out, d, true);
	if (fclose(out) != 0)
		abort();
	text = buf;

	buf = NULL;
	out = open_memstream(&buf, &len);
	if (!out)
		abort();
	ipts_json_init(&w, out);
	ipts_json_array_begin(&w, IPTS_JSON_BLOCK);
	ipts_report_json_items(&w, d);
	ipts_json_array_end(&w);
	if (fclose(out) != 0)
		abort();
	if (!utf8_valid((const unsigned char *)buf, len))
		abort();	/* JSON must be UTF-8 (RFC 8259) */
	free(buf);
	return text;
}

/* Parse, save and render; the saved text and the diagnostics returned. */
static void parse_once(const struct ipts_source *src, bool counters,
		       bool full_loop, bool sniff_first, char **saved,
		       char **diags)
{
	struct ipts_parse_opts opts = {
		.counters = counters,
		.full_loop = full_loop,
		.sniff_first = sniff_first,
	};
	struct ipts_diags d = { 0 };
	struct ipts_ruleset *rs;

	*saved = NULL;
	rs = ipts_parse(src, &opts, &d);
	if (rs) {
		*saved = save_to_memory(rs, counters);
		ipts_ruleset_free(rs);
	} else if (d.nerrors == 0) {
		/* parser.h: NULL comes with at least one error. */
		abort();
	}
	*diags = render(&d);
	ipts_diags_free(&d);
}

static bool same(const char *a, const char *b)
{
	return (!a && !b) || (a && b && strcmp(a, b) == 0);
}

/* The fast path must answer as iptables' whole option loop does, and the
 * family sniff folded into the parse as the one in a pass of its own. */
static void parse_both_ways(const struct ipts_source *src, bool counters)
{
	char *fast_saved, *fast_diags, *full_saved, *full_diags;
	char *sniff_saved, *sniff_diags;

	parse_once(src, counters, false, false, &fast_saved, &fast_diags);
	parse_once(src, counters, true, false, &full_saved, &full_diags);
	parse_once(src, counters, false, true, &sniff_saved, &sniff_diags);
	if (!same(fast_saved, full_saved) || !same(fast_diags, full_diags) ||
	    !same(fast_saved, sniff_saved) || !same(fast_diags, sniff_diags))
		abort();
	free(fast_saved);
	free(fast_diags);
	free(full_saved);
	free(full_diags);
	free(sniff_saved);
	free(sniff_diags);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ipts_source *src;

	src = ipts_source_from_mem("fuzz.rules", (const char *)data, size);
	parse_both_ways(src, false);
	parse_both_ways(src, true);
	ipts_source_free(src);
	return 0;
}
