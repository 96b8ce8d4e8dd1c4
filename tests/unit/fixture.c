/*
 * fixture.c - load rulesets from strings for the unit tests.
 */
#include "fixture.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int fixture_setup(void **state)
{
	*state = calloc(1, sizeof(struct ipts_fixture));
	return *state ? 0 : -1;
}

static void fixture_clear(struct ipts_fixture *f)
{
	ipts_ruleset_free(f->rs);
	f->rs = NULL;
	ipts_diags_free(&f->diags);
	ipts_source_free(f->src);
	f->src = NULL;
}

int fixture_teardown(void **state)
{
	struct ipts_fixture *f = *state;

	fixture_clear(f);
	free(f);
	return 0;
}

struct ipts_ruleset *load_str(struct ipts_fixture *f, const char *text)
{
	fixture_clear(f);
	f->src = ipts_source_from_mem("test.rules", text, strlen(text));
	f->rs = ipts_parse(f->src, &f->opts, &f->diags);
	if (f->rs)
		ipts_ruleset_index(f->rs);
	return f->rs;
}

const struct ipts_chain *fixture_chain(struct ipts_fixture *f,
				       const char *table, const char *chain)
{
	int id = ipts_table_id_by_name(table);
	const struct ipts_table *t;
	const struct ipts_chain *c;

	assert_non_null(f->rs);
	assert_true(id >= 0);
	t = ipts_table_get(f->rs, (enum ipts_table_id)id);
	assert_non_null(t);
	c = ipts_chain_find(t, chain);
	assert_non_null(c);
	return c;
}

void fixture_dump_diags(const struct ipts_fixture *f)
{
	size_t i;

	for (i = 0; i < f->diags.n; i++) {
		const struct ipts_diag *g = &f->diags.v[i];

		fprintf(stderr, "  %u:%u: %s: %s\n", g->loc.line, g->loc.col,
			ipts_severity_name(g->sev), g->msg);
	}
}

int fixture_has_diag(const struct ipts_fixture *f, enum ipts_severity sev,
		     unsigned int line, unsigned int col, const char *needle)
{
	size_t i;

	for (i = 0; i < f->diags.n; i++) {
		const struct ipts_diag *g = &f->diags.v[i];

		if (g->sev != sev || g->loc.line != line)
			continue;
		if (col && g->loc.col != col)
			continue;
		if (strstr(g->msg, needle))
			return 1;
	}
	return 0;
}
