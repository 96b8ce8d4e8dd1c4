/*
 * lint_report.c - what every finding goes through: the budget of rule
 * comparisons, the codes silenced by --ignore or by an "iptsim:ignore"
 * marker in a rule's -m comment, the severity of a code, and the note
 * that names the other rule.
 */
#include "lint_int.h"
#include "blob.h"

#include <stdlib.h>
#include <string.h>
#include <linux/netfilter/xt_comment.h>

/* ---- suppression and reporting ---- */

/* The comment of @r holds "iptsim:ignore" (all codes) or
 * "iptsim:ignore=CODE[,CODE...]" naming @code. */
bool ipts_lint_rule_ignores(const struct ipts_rule *r, const char *code)
{
	unsigned int i;

	for (i = 0; r && i < r->nmatches; i++) {
		const struct xt_entry_match *m = ipts_rule_match(r, i);
		const struct xt_comment_info *ci =
			ipts_match_data(m, sizeof(*ci), NULL);
		char buf[XT_MAX_COMMENT_LEN + 1];
		const char *p;

		if (!IPTS_NAME_IS(m->u.user.name, "comment") ||
		    ipts_blob_is_opaque(m->u.user.revision) || !ci)
			continue;
		memcpy(buf, ci->comment, XT_MAX_COMMENT_LEN);
		buf[XT_MAX_COMMENT_LEN] = '\0';
		for (p = strstr(buf, "iptsim:ignore"); p;
		     p = strstr(p + 1, "iptsim:ignore")) {
			const char *q = p + strlen("iptsim:ignore");
			size_t n = strlen(code);

			if (*q != '=')
				return true;
			q++;
			while (*q && *q != ' ') {
				if (strncmp(q, code, n) == 0 &&
				    (q[n] == ',' || q[n] == ' ' || !q[n]))
					return true;
				q = strchr(q, ',');
				if (!q)
					break;
				q++;
			}
		}
	}
	return false;
}

bool ipts_lint_chain_ignores(const struct ipts_chain *c, const char *code)
{
	uint32_t i;

	for (i = 0; i < c->nrules; i++)
		if (ipts_lint_rule_ignores(c->rules[i], code))
			return true;
	return false;
}

bool ipts_lint_code_ignored(const struct ipts_lint *l, const char *code)
{
	size_t i;

	for (i = 0; l->opts && i < l->opts->nignore; i++)
		if (strcmp(l->opts->ignore[i], code) == 0)
			return true;
	return false;
}

bool ipts_lint_want(struct ipts_lint *l, const char *code,
		    const struct ipts_rule *r)
{
	if (ipts_lint_code_ignored(l, code) || ipts_lint_rule_ignores(r, code))
		return false;
	l->nfound++;
	return true;
}

enum ipts_severity ipts_lint_sev(const char *code)
{
	return ipts_lint_code_find(code)->sev;
}

/* ---- messages ---- */

void ipts_lint_msg_grow(struct ipts_lint_msg *m, size_t n)
{
	size_t cap = m->cap ? m->cap : sizeof(m->small);

	while (cap < m->n + n + 1)
		cap *= 2;
	if (!m->p && cap == sizeof(m->small)) {
		m->p = m->small;
	} else if (!m->p || m->p == m->small) {
		char *p = ipts_xmalloc(cap);

		if (m->n)
			memcpy(p, m->p, m->n);
		m->p = p;
	} else {
		m->p = ipts_xrealloc(m->p, cap);
	}
	m->cap = cap;
}

void ipts_lint_msg_uint(struct ipts_lint_msg *m, uint64_t v)
{
	char buf[20];
	char *p = ipts_udigits(buf + sizeof(buf), v);

	ipts_lint_msg_put(m, p, (size_t)(buf + sizeof(buf) - p));
}

void ipts_lint_msg_add(struct ipts_diags *d, enum ipts_severity sev,
		       const struct ipts_loc *loc, const char *code,
		       struct ipts_lint_msg *m)
{
	ipts_diag_add_text(d, sev, loc, code, m->n ? m->p : "", m->n);
	if (m->p && m->p != m->small)
		free(m->p);
	m->p = NULL;
	m->n = m->cap = 0;
}

/* "WHAT: rule NUM of 'CHAIN': TEXT", the rule's text up to its length or
 * a NUL byte in it (what "%.*s" printed) */
void ipts_lint_note_rule(struct ipts_lint *l, const struct ipts_rule *r,
			 uint32_t num, const char *what)
{
	struct ipts_lint_msg m;
	int len = ipts_rule_text_len(r);
	const char *text = ipts_rule_text(r);

	ipts_lint_msg_init(&m);
	ipts_lint_msg_str(&m, what);
	ipts_lint_msg_put(&m, ": rule ", 7);
	ipts_lint_msg_uint(&m, num);
	ipts_lint_msg_put(&m, " of '", 5);
	ipts_lint_msg_str(&m, r->chain->name);
	ipts_lint_msg_put(&m, "': ", 3);
	ipts_lint_msg_put(&m, text, len > 0 ? strnlen(text, (size_t)len) : 0);
	ipts_lint_msg_add(l->d, IPTS_NOTE, &r->loc, NULL, &m);
}

/* ---- the budget ---- */

/* One rule comparison; false once the budget is spent (and then, once, a
 * warning at @at says where lint stopped). */
bool ipts_lint_spend(struct ipts_lint *l, const struct ipts_rule *at)
{
	if (l->over)
		return false;
	if (l->visits < l->max_visits) {
		l->visits++;
		return true;
	}
	l->over = true;
	ipts_diag_add(l->d, IPTS_WARNING, &at->loc, "lint stopped comparing "
		      "rules here, at its budget of %llu rule comparisons"
		      "%s%s%s: from this rule on, shadowed, redundant and "
		      "owner-only rules (IPT001-IPT003, IPT008) are not "
		      "reported",
		      (unsigned long long)l->max_visits,
		      l->opts && l->opts->budget_name ? " (" : "",
		      l->opts && l->opts->budget_name ? l->opts->budget_name :
		      "", l->opts && l->opts->budget_name ? ")" : "");
	return false;
}
