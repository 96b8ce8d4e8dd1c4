/*
 * grammar.y - the line structure of an iptables-restore file. Every line is
 * a table, a chain, a COMMIT or a rule; a rule's words are handed to
 * build.c, which runs iptables' own option loop over them (the meaning of a
 * word depends on the extensions loaded before it, so no grammar can know
 * it). Actions are one call into build.c each.
 */
%define api.pure full
%define api.prefix {ipts_yy}
%define api.location.type {struct ipts_loc}
%define parse.error detailed
%locations
%param {yyscan_t scanner}
%parse-param {struct ipts_parse *ps}
%expect 0

%code requires {
#include "parser_int.h"

typedef void *yyscan_t;

/* The scanner's position; the grammar only passes it through. */
struct ipts_scan {
	const struct ipts_source *src;
	uint32_t off, line, line_start;	/* in the source's own bytes */
	int in_line;
	/*
	 * Where fgets() would split an over-long line, the scanner reads a
	 * copy with a newline put in: cuts[k] is its offset in the copy.
	 */
	const uint32_t *cuts;
	uint32_t ncuts, next_cut;
	/* off, line, line_start and next_cut before the last token */
	uint32_t prev_off, prev_line, prev_line_start, prev_next_cut;
	/* Where the scanner's line fast path puts a rule line's words. */
	struct ipts_parse *ps;
};

#define YYLLOC_DEFAULT(cur, rhs, n)                                           \
	do {                                                                  \
		if (n) {                                                      \
			(cur) = YYRHSLOC(rhs, 1);                             \
			(cur).len = YYRHSLOC(rhs, n).off +                    \
				    YYRHSLOC(rhs, n).len - (cur).off;         \
		} else {                                                      \
			(cur) = YYRHSLOC(rhs, 0);                             \
			(cur).off += (cur).len;                               \
			(cur).col += (cur).len;                               \
			(cur).len = 0;                                        \
		}                                                             \
	} while (0)
}

%code provides {
/* flex's bison-bridge scanner (scanner.l, prefix ipts_yy too) names the
 * value and location types without the prefix. */
#define YYSTYPE IPTS_YYSTYPE
#define YYLTYPE IPTS_YYLTYPE
}

%code {
int ipts_yylex(YYSTYPE *lval, YYLTYPE *lloc, yyscan_t scanner);

static void yyerror(YYLTYPE *loc, yyscan_t scanner, struct ipts_parse *ps,
		    const char *msg)
{
	(void)scanner;
	ipts_build_error(ps, loc, "%s", msg);
}
}

%initial-action {
	@$.src = ps->src;
	@$.off = 0;
	@$.line = 1;
	@$.col = 1;
	@$.len = 0;
}

%token TABLE "'*'" CHAIN "':'" COMMIT "'COMMIT'" EOL "end of line"
%token WORD "word" COUNTERS "counters" BADCOUNTERS "'['"
/* A whole rule line of iptables-save's shape, its words already given to
 * build.c by the scanner (ipts_build_word()); its end of line included. */
%token RULELINE "rule line"

%%

file
	: %empty
	| file line			{ if (ipts_build_line_done(ps)) YYACCEPT; }
	;

line
	: TABLE words EOL		{ ipts_build_table(ps, &@1); }
	| CHAIN words EOL		{ ipts_build_chain(ps, &@1); }
	| COMMIT words EOL		{ ipts_build_commit(ps, &@1); }
	| COUNTERS words EOL		{ ipts_build_rule(ps, &@1, &@3); if (ps->stop) YYABORT; }
	| BADCOUNTERS words EOL		{ ipts_build_error(ps, &@1, "bad counters: need ']'"); }
	| words EOL			{ ipts_build_rule(ps, NULL, &@2); if (ps->stop) YYABORT; }
	| RULELINE			{ ipts_build_rule(ps, NULL, &@1); if (ps->stop) YYABORT; }
	;

words
	: %empty
	| words WORD			{ ipts_build_word(ps, &@2); }
	;

%%
