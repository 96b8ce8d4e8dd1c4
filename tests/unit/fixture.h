#ifndef IPTS_FIXTURE_H
#define IPTS_FIXTURE_H

/*
 * Shared fixture for the cmocka unit tests: load a ruleset from a string
 * and look at what came out, model or diagnostics.
 */
#include <stdarg.h>
#include <stdbool.h>
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

/* The IPv4 address @s ("192.0.2.1") in network byte order, as the model
 * and the simulator keep it (fails the test if @s is no such address). */
uint32_t ip4(const char *s);

/* Print every diagnostic of @d to stderr (for failing tests). */
void fixture_print_diags(const struct ipts_diags *d);

/* Print every diagnostic of the last load to stderr (for failing tests). */
void fixture_dump_diags(const struct ipts_fixture *f);

/* Any severity, for fixture_find_diag(). */
#define FIXTURE_ANY_SEV (-1)

/*
 * The first diagnostic of @d of severity @sev (FIXTURE_ANY_SEV: any), code
 * @code (NULL: any, with or without one), at @line (0: any line) and @col
 * (0: any column), whose message contains @needle (NULL: any); NULL if none.
 */
const struct ipts_diag *fixture_find_diag(const struct ipts_diags *d, int sev,
					  const char *code, unsigned int line,
					  unsigned int col, const char *needle);

/* True when some diagnostic of @sev sits at @line:@col and contains @needle
 * (col 0: any column). */
int fixture_has_diag(const struct ipts_fixture *f, enum ipts_severity sev,
		     unsigned int line, unsigned int col, const char *needle);

/* True when @d holds a finding @code at @line (0: any) whose message
 * contains @needle (NULL: any). */
bool fixture_has_finding(const struct ipts_diags *d, const char *code,
			 unsigned int line, const char *needle);

/* The severity of the first finding @code of @d at @line (-1: none). */
int fixture_finding_sev(const struct ipts_diags *d, const char *code,
			unsigned int line);

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

/* @text must load (else the test fails, printing its diagnostics). */
#define assert_loads(f, text)                                                 \
	do {                                                                  \
		if (!load_str((f), (text))) {                                 \
			fixture_dump_diags(f);                                \
			fail_msg("did not load");                             \
		}                                                             \
	} while (0)

/* A finding @code at @line (0: any) holding @needle (NULL: any) is in @d. */
#define assert_diags_finding(d, code, line, needle)                           \
	do {                                                                  \
		if (!fixture_has_finding((d), (code), (line), (needle))) {    \
			fixture_print_diags(d);                               \
			fail_msg("no %s at line %u", (code), (unsigned)(line)); \
		}                                                             \
	} while (0)

/* No finding @code is in @d. */
#define assert_diags_no_finding(d, code)                                      \
	do {                                                                  \
		if (fixture_has_finding((d), (code), 0, NULL)) {              \
			fixture_print_diags(d);                               \
			fail_msg("unexpected %s", (code));                    \
		}                                                             \
	} while (0)

#endif
