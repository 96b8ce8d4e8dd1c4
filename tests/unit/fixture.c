/*
 * fixture.c - load rulesets from strings for the unit tests.
 */
#include "fixture.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <netinet/in.h>

int fixture_setup(void **state)
{
	struct ipts_fixture *f = calloc(1, sizeof(*f));

	if (!f)
		return -1;
	/* as iptables-restore loads: a test of IPv6 or of the family's
	 * detection says so in f->opts.family */
	f->opts.family = IPTS_FAMILY_IPV4;
	*state = f;
	return 0;
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

uint32_t ip4(const char *s)
{
	struct in_addr a;

	assert_int_equal(inet_pton(AF_INET, s, &a), 1);
	return a.s_addr;
}

void fixture_print_diags(const struct ipts_diags *d)
{
	size_t i;

	for (i = 0; i < d->n; i++) {
		const struct ipts_diag *g = &d->v[i];

		fprintf(stderr, "  %u:%u: %s: %s", g->loc.line, g->loc.col,
			ipts_severity_name(g->sev), g->msg);
		if (g->code)
			fprintf(stderr, " [%s]", g->code);
		fputc('\n', stderr);
	}
}

void fixture_dump_diags(const struct ipts_fixture *f)
{
	fixture_print_diags(&f->diags);
}

const struct ipts_diag *fixture_find_diag(const struct ipts_diags *d, int sev,
					  const char *code, unsigned int line,
					  unsigned int col, const char *needle)
{
	size_t i;

	for (i = 0; i < d->n; i++) {
		const struct ipts_diag *g = &d->v[i];

		if (sev != FIXTURE_ANY_SEV && (int)g->sev != sev)
			continue;
		if (code && (!g->code || strcmp(g->code, code) != 0))
			continue;
		if ((line && g->loc.line != line) || (col && g->loc.col != col))
			continue;
		if (!needle || strstr(g->msg, needle))
			return g;
	}
	return NULL;
}

int fixture_has_diag(const struct ipts_fixture *f, enum ipts_severity sev,
		     unsigned int line, unsigned int col, const char *needle)
{
	return fixture_find_diag(&f->diags, (int)sev, NULL, line, col,
				 needle) != NULL;
}

bool fixture_has_finding(const struct ipts_diags *d, const char *code,
			 unsigned int line, const char *needle)
{
	return fixture_find_diag(d, FIXTURE_ANY_SEV, code, line, 0,
				 needle) != NULL;
}

int fixture_finding_sev(const struct ipts_diags *d, const char *code,
			unsigned int line)
{
	const struct ipts_diag *g = fixture_find_diag(d, FIXTURE_ANY_SEV, code,
						      line, 0, NULL);

	return g ? (int)g->sev : -1;
}
