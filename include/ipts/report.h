#ifndef IPTS_REPORT_H
#define IPTS_REPORT_H

/*
 * Rendering of diagnostics for people (gcc's shape, caret and tildes under
 * the token) and for programs (JSON). The library writes to the FILE it
 * is given; only cli/ chooses stdout.
 */
#include <stdbool.h>
#include <stdio.h>

#include "diag.h"
#include "escape.h"
#include "json.h"

enum ipts_format {
	IPTS_FMT_TEXT,
	IPTS_FMT_JSON,
	IPTS_FMT_SARIF,
};

enum ipts_color {
	IPTS_COLOR_AUTO,
	IPTS_COLOR_ALWAYS,
	IPTS_COLOR_NEVER,
};

/* Parse "text"/"json"/"sarif" (as allowed by @allowed, a bit per format). */
int ipts_format_parse(const char *s, unsigned int allowed,
		      enum ipts_format *out);
int ipts_color_parse(const char *s, enum ipts_color *out);
/* Whether to colour @f: never when NO_COLOR is set and non-empty. */
bool ipts_color_use(enum ipts_color c, FILE *f);

/* gcc style: "file:line:col: severity: message [code]", source, caret. */
void ipts_report_text(FILE *f, const struct ipts_diags *d, bool color);

/* Each diagnostic of @d as one object (on one line), members of the
 * array @w is in: the items of a "diagnostics" array. */
void ipts_report_json_items(struct ipts_json *w, const struct ipts_diags *d);

/*
 * One line, {"error": @error, "file": @file, "diagnostics": [...]}: what
 * trace, test, query and diff print as JSON when @file cannot be read or
 * does not load, or the question cannot be asked (@d NULL: no item).
 */
void ipts_report_json_failure(FILE *f, const char *error, const char *file,
			      const struct ipts_diags *d);

#endif
