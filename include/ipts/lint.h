#ifndef IPTS_LINT_H
#define IPTS_LINT_H

/*
 * lint - findings a reviewer wants on a loaded ruleset: rules that can
 * never match, redundant rules, chains nothing uses, rules the file cannot
 * decide, the seed's owner-only port trap. Each finding is a diagnostic
 * with a stable code ("IPT001"). Library code: it only appends to a
 * struct ipts_diags.
 *
 * Sound for what it reports: a rule is called shadowed or redundant only
 * when that holds for every packet, on matches modelled exactly. A rule with
 * a match outside that set is never called shadowed or redundant, and never
 * shadows another.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "diag.h"

struct ipts_ruleset;
struct ipts_ipsets;
struct ipts_limits;

/* One lint code, for help texts and SARIF's rules[]. */
struct ipts_lint_code {
	const char *code;		/* "IPT001" */
	enum ipts_severity sev;
	const char *name;		/* "shadowed-rule" */
	const char *short_desc;		/* one line */
	const char *full_desc;		/* what exactly is reported */
	const char *help;		/* what to do about it */
};

/* Every code, in order; *n is set to their number. */
const struct ipts_lint_code *ipts_lint_codes(size_t *n);
/* The row for @code, or NULL when no such code exists. */
const struct ipts_lint_code *ipts_lint_code_find(const char *code);

struct ipts_lint_opts {
	const char *const *ignore;	/* codes not to report (borrowed) */
	size_t nignore;
	/* Rule comparisons allowed per ruleset (0: the default), and the
	 * option to name when they run out (NULL: none). */
	uint64_t max_visits;
	const char *budget_name;
	/* The host's sets (lint --ipsets; NULL: none): IPT012-IPT014. */
	const struct ipts_ipsets *ipsets;
};

/* Shadowing compares each rule with those before it: a chain of n rules
 * none of which covers another costs n^2/2 comparisons. */
#define IPTS_LINT_DEFAULT_MAX_VISITS 1000000000ULL

struct ipts_lint_stats {
	uint64_t visits;		/* rule comparisons made */
	uint64_t max_visits;
	bool over_budget;		/* stopped: later rules not checked */
};

/*
 * Lint @rs (a loaded, valid ruleset). Appends one diagnostic with a code
 * per finding, each followed by notes pointing at the other rule involved.
 * Findings silenced by @opts or by an "iptsim:ignore" marker in the rule's
 * -m comment are left out. Returns the number of findings added.
 */
size_t ipts_lint_ruleset(const struct ipts_ruleset *rs,
			 const struct ipts_lint_opts *opts,
			 struct ipts_diags *d);
/*
 * The same, filling @st (may be NULL). Past the budget lint stops, adds a
 * warning (without a code) at the rule it stopped at, and sets
 * st->over_budget: the findings made so far are reported, the rest of the
 * file is not checked.
 */
size_t ipts_lint_ruleset_stats(const struct ipts_ruleset *rs,
			       const struct ipts_lint_opts *opts,
			       struct ipts_diags *d,
			       struct ipts_lint_stats *st);

/* The ports ipts_lint_pair() compares at most (the defaults included). */
#define IPTS_LINT_PAIR_MAX_PORTS 64

struct ipts_lint_pair_stats {
	uint64_t visits; /* rule visits of every connection */
	bool over_budget; /* a connection ran out (undetermined) */
	size_t ports; /* ports compared */
};

/*
 * IPT015 on a pair, @v4 an IPv4 ruleset and @v6 an IPv6 one: each TCP and
 * UDP destination port their filter rules name (and a few defaults: tcp
 * 22, 80, 443, 3000, 8080, udp 53) simulated as a local connection over
 * lo on each family, each connection within @lim and all of them within
 * @max_total visits. A finding where one family connects and the other
 * does not, at the rule that decided the closed side; a note (no code)
 * where both are closed in different ways, where a side is undetermined,
 * and when ports were left out. Returns the number of findings.
 */
size_t ipts_lint_pair(const struct ipts_ruleset *v4,
		      const struct ipts_ruleset *v6,
		      const struct ipts_lint_opts *opts,
		      const struct ipts_limits *lim, uint64_t max_total,
		      struct ipts_diags *d, struct ipts_lint_pair_stats *st);

#endif
