/*
 * sarif.c - diagnostics as SARIF 2.1.0 (OASIS, "Static Analysis Results
 * Interchange Format"), the format code-scanning services read. ruleId is
 * the lint code, or "iptsim/error", "iptsim/warning", "iptsim/note" for a
 * diagnostic without one. Columns are counted in Unicode code points
 * (run.columnKind), so a byte column of the source is converted.
 */
#include "sarif.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"
#include "lint.h"
#include "report.h"

#define INFO_URI "https://github.com/iptsim/iptsim"
#define SCHEMA_URI                                           \
	"https://docs.oasis-open.org/sarif/sarif/v2.1.0/os/" \
	"schemas/sarif-schema-2.1.0.json"

static const char *level(enum ipts_severity sev)
{
	switch (sev) {
	case IPTS_ERROR:
		return "error";
	case IPTS_WARNING:
		return "warning";
	case IPTS_NOTE:
		return "note";
	}
	return "none";
}

/* A file name as a URI reference: unreserved bytes and '/' kept, the
 * rest percent-encoded (so the string needs no JSON escape). */
static void uri(struct ipts_json *w, const char *name)
{
	const unsigned char *p = (const unsigned char *)name;
	char *buf = ipts_xmalloc(strlen(name) * 3 + sizeof("file://"));
	size_t n = 0;

	if (strcmp(name, "-") == 0) {
		n += (size_t)sprintf(buf, "stdin");
		p += 1;
	} else if (name[0] == '/') {
		n += (size_t)sprintf(buf, "file://");
	}
	for (; *p; p++) {
		if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		    (*p >= '0' && *p <= '9') || strchr("-._~/", *p))
			buf[n++] = (char)*p;
		else
			n += (size_t)sprintf(buf + n, "%%%02X", *p);
	}
	buf[n] = '\0';
	ipts_json_string(w, buf);
	free(buf);
}

/*
 * 1-based code point column of byte column @col on the line at @loc, by
 * the decoder every writer uses: a byte that is not UTF-8 counts one, as
 * the U+FFFD a reader puts in its place.
 */
static unsigned int cp_col(const struct ipts_loc *loc, unsigned int col)
{
	const char *line;
	size_t len, i, k;
	unsigned int n = 1;
	uint32_t cp;

	if (!loc->src || !col)
		return col ? col : 1;
	line = ipts_source_line(loc->src, loc->off, &len);
	for (i = 0; i + 1 < col && i < len; i += k, n++) {
		k = ipts_utf8_next(line + i, len - i, &cp);
		if (!k)
			k = 1;
	}
	return n + (unsigned int)(col - 1 > len ? col - 1 - len : 0);
}

static void location(struct ipts_json *w, const struct ipts_loc *loc,
		     const char *msg)
{
	unsigned int sc = cp_col(loc, loc->col);
	unsigned int ec = cp_col(loc, loc->col + (loc->len ? loc->len : 1));

	ipts_json_object_begin(w, IPTS_JSON_LINE);
	if (msg) {
		ipts_json_key(w, "message");
		ipts_json_object_begin(w, IPTS_JSON_LINE);
		ipts_json_kv_string(w, "text", msg);
		ipts_json_object_end(w);
	}
	ipts_json_key(w, "physicalLocation");
	ipts_json_object_begin(w, IPTS_JSON_LINE);
	ipts_json_key(w, "artifactLocation");
	ipts_json_object_begin(w, IPTS_JSON_LINE);
	ipts_json_key(w, "uri");
	uri(w, loc->src ? loc->src->name : "-");
	ipts_json_object_end(w);
	if (loc->line) {
		ipts_json_key(w, "region");
		ipts_json_object_begin(w, IPTS_JSON_LINE);
		ipts_json_kv_uint(w, "startLine", loc->line);
		ipts_json_kv_uint(w, "startColumn", sc);
		ipts_json_kv_uint(w, "endColumn", ec > sc ? ec : sc + 1);
		ipts_json_object_end(w);
	}
	ipts_json_object_end(w);
	ipts_json_object_end(w);
}

/* {"text": @text} */
static void text_object(struct ipts_json *w, const char *key, const char *text)
{
	ipts_json_key(w, key);
	ipts_json_object_begin(w, IPTS_JSON_LINE);
	ipts_json_kv_string(w, "text", text);
	ipts_json_object_end(w);
}

static void rule(struct ipts_json *w, const char *id, const char *name,
		 const char *sdesc, const char *fdesc, const char *help,
		 enum ipts_severity sev)
{
	ipts_json_object_begin(w, IPTS_JSON_LINE);
	ipts_json_kv_string(w, "id", id);
	ipts_json_kv_string(w, "name", name);
	text_object(w, "shortDescription", sdesc);
	text_object(w, "fullDescription", fdesc);
	text_object(w, "help", help);
	ipts_json_key(w, "defaultConfiguration");
	ipts_json_object_begin(w, IPTS_JSON_LINE);
	ipts_json_kv_string(w, "level", level(sev));
	ipts_json_object_end(w);
	ipts_json_object_end(w);
}

/* tool.driver: who we are, and every rule a result may name. */
static void driver(struct ipts_json *w)
{
	const struct ipts_lint_code *codes;
	size_t ncodes, i;

	codes = ipts_lint_codes(&ncodes);
	ipts_json_key(w, "driver");
	ipts_json_object_begin(w, IPTS_JSON_BLOCK);
	ipts_json_kv_string(w, "name", "iptsim");
	ipts_json_kv_string(w, "version", IPTSIM_VERSION);
	ipts_json_kv_string(w, "semanticVersion", IPTSIM_VERSION);
	ipts_json_kv_string(w, "informationUri", INFO_URI);
	ipts_json_key(w, "rules");
	ipts_json_array_begin(w, IPTS_JSON_BLOCK);
	for (i = 0; i < ncodes; i++)
		rule(w, codes[i].code, codes[i].name, codes[i].short_desc,
		     codes[i].full_desc, codes[i].help, codes[i].sev);
	rule(w, "iptsim/error", "error", "the kernel would not load the file",
	     "iptables-restore or the kernel refuses this line: the whole "
	     "file would not load.",
	     "Fix the line as the message says.", IPTS_ERROR);
	rule(w, "iptsim/warning", "warning", "the file loads, with a caveat",
	     "The line loads, but its meaning depends on something the "
	     "message names.",
	     "Read the message.", IPTS_WARNING);
	rule(w, "iptsim/diff", "diff", "a connection's answer changes",
	     "iptsim diff: these connections get another answer from the new "
	     "version of the file than from the old one, alike; the location "
	     "is the rule responsible in the new version, the related "
	     "location the rule the change edited.",
	     "Check that the change is intended.", IPTS_WARNING);
	rule(w, "iptsim/exposure", "exposure",
	     "a port is open from the internet",
	     "iptsim exposure: a connection from an address outside every "
	     "prefix of the host, arriving on the interface the message "
	     "names, is accepted; the location is the rule (or the chain's "
	     "policy) that let it through.",
	     "Check that the port is meant to be reachable from the "
	     "internet.",
	     IPTS_WARNING);
	rule(w, "iptsim/note", "note", "information",
	     "Information about the file.", "None needed.", IPTS_NOTE);
	ipts_json_array_end(w);
	ipts_json_object_end(w);
}

/* One result per diagnostic; the notes without a code that follow it
 * are its relatedLocations. */
static void results(struct ipts_json *w, const struct ipts_diags *d)
{
	size_t i, j;

	ipts_json_key(w, "results");
	ipts_json_array_begin(w, IPTS_JSON_BLOCK);
	for (i = 0; i < d->n; i++) {
		const struct ipts_diag *g = &d->v[i];
		char plain[32];

		if (g->sev == IPTS_NOTE && i > 0 && !g->code)
			continue; /* a note of the result before */
		snprintf(plain, sizeof(plain), "iptsim/%s", level(g->sev));
		ipts_json_object_begin(w, IPTS_JSON_LINE);
		ipts_json_kv_string(w, "ruleId", g->code ? g->code : plain);
		ipts_json_kv_string(w, "level", level(g->sev));
		text_object(w, "message", g->msg);
		ipts_json_key(w, "locations");
		ipts_json_array_begin(w, IPTS_JSON_LINE);
		location(w, &g->loc, NULL);
		ipts_json_array_end(w);
		for (j = i + 1;
		     j < d->n && d->v[j].sev == IPTS_NOTE && !d->v[j].code;
		     j++) {
			if (j == i + 1) {
				ipts_json_key(w, "relatedLocations");
				ipts_json_array_begin(w, IPTS_JSON_LINE);
			}
			location(w, &d->v[j].loc, d->v[j].msg);
		}
		if (j > i + 1)
			ipts_json_array_end(w);
		ipts_json_object_end(w);
	}
	ipts_json_array_end(w);
}

void ipts_sarif_write(FILE *f, const struct ipts_diags *d)
{
	struct ipts_json w;

	ipts_json_init(&w, f);
	ipts_json_object_begin(&w, IPTS_JSON_BLOCK);
	ipts_json_kv_string(&w, "$schema", SCHEMA_URI);
	ipts_json_kv_string(&w, "version", "2.1.0");
	ipts_json_key(&w, "runs");
	ipts_json_array_begin(&w, IPTS_JSON_BLOCK);
	ipts_json_object_begin(&w, IPTS_JSON_BLOCK);
	ipts_json_key(&w, "tool");
	ipts_json_object_begin(&w, IPTS_JSON_BLOCK);
	driver(&w);
	ipts_json_object_end(&w);
	ipts_json_kv_string(&w, "columnKind", "unicodeCodePoints");
	results(&w, d);
	ipts_json_object_end(&w);
	ipts_json_array_end(&w);
	ipts_json_object_end(&w);
	ipts_json_eol(&w);
}
