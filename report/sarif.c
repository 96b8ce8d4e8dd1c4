/*
 * sarif.c - diagnostics as SARIF 2.1.0 (OASIS, "Static Analysis Results
 * Interchange Format"), the format code-scanning services read. ruleId is
 * the lint code, or "iptsim/error", "iptsim/warning", "iptsim/note" for a
 * diagnostic without one. Columns are counted in Unicode code points
 * (run.columnKind), so a byte column of the source is converted.
 */
#include "sarif.h"

#include <stdint.h>
#include <string.h>

#include "lint.h"
#include "report.h"

#define INFO_URI "https://github.com/iptsim/iptsim"

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

/* A file name as a URI reference: unreserved bytes and '/' kept. */
static void uri(FILE *f, const char *name)
{
	const unsigned char *p = (const unsigned char *)name;

	fputc('"', f);
	if (strcmp(name, "-") == 0) {
		fputs("stdin", f);
		p += 1;
	} else if (name[0] == '/') {
		fputs("file://", f);
	}
	for (; *p; p++) {
		if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		    (*p >= '0' && *p <= '9') || strchr("-._~/", *p))
			fputc(*p, f);
		else
			fprintf(f, "%%%02X", *p);
	}
	fputc('"', f);
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

static void location(FILE *f, const struct ipts_loc *loc, const char *msg)
{
	unsigned int sc = cp_col(loc, loc->col);
	unsigned int ec = cp_col(loc, loc->col + (loc->len ? loc->len : 1));

	fputs("{", f);
	if (msg) {
		fputs("\"message\": {\"text\": ", f);
		ipts_json_str(f, msg);
		fputs("}, ", f);
	}
	fputs("\"physicalLocation\": {\"artifactLocation\": {\"uri\": ", f);
	uri(f, loc->src ? loc->src->name : "-");
	fputs("}", f);
	if (loc->line)
		fprintf(f, ", \"region\": {\"startLine\": %u, "
			"\"startColumn\": %u, \"endColumn\": %u}",
			loc->line, sc, ec > sc ? ec : sc + 1);
	fputs("}}", f);
}

static void rule(FILE *f, const char *id, const char *name, const char *sdesc,
		 const char *fdesc, const char *help, enum ipts_severity sev,
		 bool first)
{
	fputs(first ? "\n            {" : ",\n            {", f);
	fputs("\"id\": ", f);
	ipts_json_str(f, id);
	fputs(", \"name\": ", f);
	ipts_json_str(f, name);
	fputs(", \"shortDescription\": {\"text\": ", f);
	ipts_json_str(f, sdesc);
	fputs("}, \"fullDescription\": {\"text\": ", f);
	ipts_json_str(f, fdesc);
	fputs("}, \"help\": {\"text\": ", f);
	ipts_json_str(f, help);
	fprintf(f, "}, \"defaultConfiguration\": {\"level\": \"%s\"}}",
		level(sev));
}

void ipts_sarif_write(FILE *f, const struct ipts_diags *d)
{
	const struct ipts_lint_code *codes;
	size_t ncodes, i, j;
	bool first = true;

	codes = ipts_lint_codes(&ncodes);
	fputs("{\n  \"$schema\": \"https://docs.oasis-open.org/sarif/sarif/v2.1.0/os/schemas/sarif-schema-2.1.0.json\",\n"
	      "  \"version\": \"2.1.0\",\n  \"runs\": [\n    {\n"
	      "      \"tool\": {\n        \"driver\": {\n"
	      "          \"name\": \"iptsim\",\n", f);
	fprintf(f, "          \"version\": \"%s\",\n"
		"          \"semanticVersion\": \"%s\",\n"
		"          \"informationUri\": \"%s\",\n"
		"          \"rules\": [", IPTSIM_VERSION, IPTSIM_VERSION,
		INFO_URI);
	for (i = 0; i < ncodes; i++)
		rule(f, codes[i].code, codes[i].name, codes[i].short_desc,
		     codes[i].full_desc, codes[i].help, codes[i].sev, i == 0);
	rule(f, "iptsim/error", "error", "the kernel would not load the file",
	     "iptables-restore or the kernel refuses this line: the whole "
	     "file would not load.", "Fix the line as the message says.",
	     IPTS_ERROR, false);
	rule(f, "iptsim/warning", "warning", "the file loads, with a caveat",
	     "The line loads, but its meaning depends on something the "
	     "message names.", "Read the message.", IPTS_WARNING, false);
	rule(f, "iptsim/diff", "diff", "a connection's answer changes",
	     "iptsim diff: these connections get another answer from the new "
	     "version of the file than from the old one, alike; the location "
	     "is the rule responsible in the new version, the related "
	     "location the rule the change edited.",
	     "Check that the change is intended.", IPTS_WARNING, false);
	rule(f, "iptsim/note", "note", "information",
	     "Information about the file.", "None needed.", IPTS_NOTE, false);
	fputs("\n          ]\n        }\n      },\n"
	      "      \"columnKind\": \"unicodeCodePoints\",\n"
	      "      \"results\": [", f);
	for (i = 0; i < d->n; i++) {
		const struct ipts_diag *g = &d->v[i];
		char plain[32];

		if (g->sev == IPTS_NOTE && i > 0 && !g->code)
			continue;	/* a note of the result before */
		fputs(first ? "\n        {" : ",\n        {", f);
		first = false;
		snprintf(plain, sizeof(plain), "iptsim/%s", level(g->sev));
		fputs("\"ruleId\": ", f);
		ipts_json_str(f, g->code ? g->code : plain);
		fprintf(f, ", \"level\": \"%s\", \"message\": {\"text\": ",
			level(g->sev));
		ipts_json_str(f, g->msg);
		fputs("}, \"locations\": [", f);
		location(f, &g->loc, NULL);
		fputs("]", f);
		for (j = i + 1; j < d->n && d->v[j].sev == IPTS_NOTE &&
				!d->v[j].code; j++) {
			fputs(j == i + 1 ? ", \"relatedLocations\": [" : ", ",
			      f);
			location(f, &d->v[j].loc, d->v[j].msg);
		}
		if (j > i + 1)
			fputs("]", f);
		fputs("}", f);
	}
	fputs(first ? "]\n    }\n  ]\n}\n" : "\n      ]\n    }\n  ]\n}\n", f);
}
