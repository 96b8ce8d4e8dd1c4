#ifndef IPTS_FIXTURE_H
#define IPTS_FIXTURE_H

/*
 * Shared fixture for the cmocka unit tests: load a ruleset from a string
 * and look at what came out, model or diagnostics.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "diag.h"
#include "model.h"
#include "parser.h"

struct ipts_fixture {
	struct ipts_source *src;
	struct ipts_ruleset *rs;
	struct ipts_diags diags;
	struct ipts_parse_opts opts;
};

int fixture_setup(void **state);
int fixture_teardown(void **state);

/* Parse @text as file "test.rules"; the previous load is freed first. */
struct ipts_ruleset *load_str(struct ipts_fixture *f, const char *text);

/* The chain @chain of table @table in the last load (fails the test if absent). */
const struct ipts_chain *fixture_chain(struct ipts_fixture *f,
				       const char *table, const char *chain);

/* Print every diagnostic of the last load to stderr (for failing tests). */
void fixture_dump_diags(const struct ipts_fixture *f);

/* True when some diagnostic of @sev sits at @line:@col and contains @needle
 * (col 0: any column). */
int fixture_has_diag(const struct ipts_fixture *f, enum ipts_severity sev,
		     unsigned int line, unsigned int col, const char *needle);

#define assert_diag(f, line, col, needle)                                     \
	do {                                                                  \
		if (!fixture_has_diag((f), IPTS_ERROR, (line), (col), (needle))) { \
			fixture_dump_diags(f);                                \
			fail_msg("no error at %u:%u containing '%s'",         \
				 (unsigned)(line), (unsigned)(col), (needle)); \
		}                                                             \
	} while (0)

#define assert_warning(f, line, col, needle)                                  \
	do {                                                                  \
		if (!fixture_has_diag((f), IPTS_WARNING, (line), (col), (needle))) { \
			fixture_dump_diags(f);                                \
			fail_msg("no warning at %u:%u containing '%s'",       \
				 (unsigned)(line), (unsigned)(col), (needle)); \
		}                                                             \
	} while (0)

#endif
