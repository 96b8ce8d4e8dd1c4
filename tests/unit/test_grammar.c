/*
 * test_grammar.c - lines and commands as iptables-restore runs them:
 * tables, chains, policies, -A/-I/-D/-R/-N/-X/-E/-F/-Z/-P, counters,
 * address lists, implicit protocol matches, and errors at their token.
 */
#include "fixture.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define HDR "*filter\n:INPUT ACCEPT [0:0]\n:FORWARD ACCEPT [0:0]\n" \
	    ":OUTPUT ACCEPT [0:0]\n"

static void test_grammar_append_implicit_tcp(void **state)
{
	struct ipts_fixture *f = *state;
	const struct ipts_chain *c;
	char *text;

	assert_non_null(load_str(f, HDR "-A INPUT -p tcp --dport 1060 -j DROP\n"
				 "COMMIT\n"));
	c = fixture_chain(f, "filter", "INPUT");
	assert_int_equal(c->nrules, 1);
	assert_int_equal(c->rules[0]->kind, IPTS_TGT_DROP);
	assert_int_equal(c->rules[0]->nmatches, 1);
	assert_string_equal(ipts_rule_match(c->rules[0], 0)->u.user.name, "tcp");
	assert_int_equal(c->rules[0]->loc.line, 5);
	text = ipts_rule_save_text(c->rules[0]);
	assert_string_equal(text, "-A INPUT -p tcp -m tcp --dport 1060 -j DROP");
	free(text);
}

static void test_grammar_address_list_expands(void **state)
{
	struct ipts_fixture *f = *state;
	const struct ipts_chain *c;

	assert_non_null(load_str(f, HDR "-A INPUT -s 10.0.0.1,10.0.0.2 "
				 "-d 1.1.1.1,2.2.2.2 -j ACCEPT\nCOMMIT\n"));
	c = fixture_chain(f, "filter", "INPUT");
	assert_int_equal(c->nrules, 4);
}

static void test_grammar_insert_positions(void **state)
{
	struct ipts_fixture *f = *state;
	const struct ipts_chain *c;

	assert_non_null(load_str(f, HDR "-A INPUT -p udp -j ACCEPT\n"
				 "-I INPUT -p tcp -j ACCEPT\n"
				 "-I INPUT 2 -p icmp -j ACCEPT\nCOMMIT\n"));
	c = fixture_chain(f, "filter", "INPUT");
	assert_int_equal(c->nrules, 3);
	assert_int_equal(c->rules[0]->e->ip.proto, IPPROTO_TCP);
	assert_int_equal(c->rules[1]->e->ip.proto, IPPROTO_ICMP);
	assert_int_equal(c->rules[2]->e->ip.proto, IPPROTO_UDP);
}

static void test_grammar_insert_too_big(void **state)
{
	struct ipts_fixture *f = *state;

	assert_null(load_str(f, HDR "-I INPUT 3 -j ACCEPT\nCOMMIT\n"));
	assert_diag(f, 5, 10, "Index of insertion too big");
}

static void test_grammar_delete_by_rule_and_number(void **state)
{
	struct ipts_fixture *f = *state;
	const struct ipts_chain *c;

	assert_non_null(load_str(f, HDR "-A INPUT -p tcp --dport 22 -j ACCEPT\n"
				 "-A INPUT -p udp -j ACCEPT\n"
				 "-A INPUT -p icmp -j ACCEPT\n"
				 "-D INPUT -p tcp -m tcp --dport 22 -j ACCEPT\n"
				 "-D INPUT 2\nCOMMIT\n"));
	c = fixture_chain(f, "filter", "INPUT");
	assert_int_equal(c->nrules, 1);
	assert_int_equal(c->rules[0]->e->ip.proto, IPPROTO_UDP);
}

static void test_grammar_delete_missing_rule(void **state)
{
	struct ipts_fixture *f = *state;

	assert_null(load_str(f, HDR "-D INPUT -p tcp -j ACCEPT\nCOMMIT\n"));
	assert_diag(f, 5, 1, "Bad rule");
}

static void test_grammar_user_chain_jump_and_rename(void **state)
{
	struct ipts_fixture *f = *state;
	const struct ipts_chain *c;

	assert_non_null(load_str(f, HDR ":B - [0:0]\n-N A\n"
				 "-A INPUT -j A\n-E A Z\nCOMMIT\n"));
	c = fixture_chain(f, "filter", "INPUT");
	assert_int_equal(c->rules[0]->kind, IPTS_TGT_JUMP);
	assert_string_equal(c->rules[0]->dest->name, "Z");
	/* user chains sorted by name */
	c = fixture_chain(f, "filter", "Z");
	assert_int_equal(c->refs, 1);
}

static void test_grammar_unknown_option_points_at_it(void **state)
{
	struct ipts_fixture *f = *state;

	assert_null(load_str(f, HDR "-A INPUT -p tcp -m tcp --dprt 22 -j ACCEPT\n"
				 "COMMIT\n"));
	assert_diag(f, 5, 24, "unknown option \"--dprt\"");
}

static void test_grammar_bad_port_points_at_value(void **state)
{
	struct ipts_fixture *f = *state;

	assert_null(load_str(f, HDR "-A INPUT -p tcp --dport 99999 -j ACCEPT\n"
				 "COMMIT\n"));
	assert_diag(f, 5, 25, "99999");
}

static void test_grammar_errors_continue_past_first(void **state)
{
	struct ipts_fixture *f = *state;

	assert_null(load_str(f, HDR "-A INPUT -p tcp --dprt 1 -j ACCEPT\n"
				 "-A INPUT -m nosuchmatch -j ACCEPT\n"
				 "-A INPUT -j NOSUCHTARGET\nCOMMIT\n"));
	assert_diag(f, 5, 17, "--dprt");
	assert_diag(f, 6, 13, "nosuchmatch");
	assert_diag(f, 7, 13, "NOSUCHTARGET");
}

static void test_grammar_nat_drop_is_refused(void **state)
{
	struct ipts_fixture *f = *state;

	assert_null(load_str(f, "*nat\n:PREROUTING ACCEPT [0:0]\n"
				 "-A PREROUTING -j DROP\nCOMMIT\n"));
	assert_diag(f, 3, 18, "not intended for filtering");
}

static void test_grammar_policy_on_user_chain(void **state)
{
	struct ipts_fixture *f = *state;

	assert_null(load_str(f, "*filter\n:FOO ACCEPT [0:0]\nCOMMIT\n"));
	assert_diag(f, 2, 6, "Bad built-in chain name");
}

static void test_grammar_missing_commit(void **state)
{
	struct ipts_fixture *f = *state;

	assert_null(load_str(f, HDR "-A INPUT -j ACCEPT\n"));
	assert_diag(f, 6, 1, "COMMIT expected");
}

static void test_grammar_same_table_twice_replaces(void **state)
{
	struct ipts_fixture *f = *state;

	assert_non_null(load_str(f, HDR "-A INPUT -j DROP\n:X - [0:0]\nCOMMIT\n"
				 "*filter\n-A OUTPUT -j ACCEPT\nCOMMIT\n"));
	assert_int_equal(fixture_chain(f, "filter", "INPUT")->nrules, 0);
	assert_int_equal(fixture_chain(f, "filter", "OUTPUT")->nrules, 1);
	assert_null(ipts_chain_find(f->rs->tables[IPTS_TABLE_FILTER], "X"));
}

static void test_grammar_counters_only_with_c(void **state)
{
	struct ipts_fixture *f = *state;
	const struct ipts_chain *c;

	assert_non_null(load_str(f, "*filter\n:INPUT ACCEPT [5:6]\n"
				 "[7:8] -A INPUT -j ACCEPT\nCOMMIT\n"));
	c = fixture_chain(f, "filter", "INPUT");
	assert_int_equal(c->counters.pcnt, 0);
	assert_int_equal(c->rules[0]->e->counters.pcnt, 0);
	f->opts.counters = true;
	assert_non_null(load_str(f, "*filter\n:INPUT ACCEPT [5:6]\n"
				 "[7:8] -A INPUT -j ACCEPT\nCOMMIT\n"));
	c = fixture_chain(f, "filter", "INPUT");
	assert_int_equal(c->counters.pcnt, 5);
	assert_int_equal(c->counters.bcnt, 6);
	assert_int_equal(c->rules[0]->e->counters.pcnt, 7);
	assert_int_equal(c->rules[0]->e->counters.bcnt, 8);
	f->opts.counters = false;
}

static void test_grammar_set_match_is_opaque(void **state)
{
	struct ipts_fixture *f = *state;
	const struct ipts_chain *c;
	char *text;

	assert_non_null(load_str(f, HDR "-A INPUT -m set --match-set allow src "
				 "-j ACCEPT\nCOMMIT\n"));
	c = fixture_chain(f, "filter", "INPUT");
	assert_true(c->rules[0]->flags & IPTS_RULE_OPAQUE);
	text = ipts_rule_save_text(c->rules[0]);
	assert_string_equal(text, "-A INPUT -m set --match-set allow src -j ACCEPT");
	free(text);
}

static void test_grammar_same_blobs_are_shared(void **state)
{
	struct ipts_fixture *f = *state;
	const struct ipts_rule *const *r;
	const struct ipts_chain *c;

	assert_non_null(load_str(f, HDR "-A INPUT -m conntrack --ctstate "
				 "RELATED,ESTABLISHED -j ACCEPT\n"
				 "-A INPUT -m conntrack --ctstate "
				 "RELATED,ESTABLISHED -j DROP\n"
				 "-A INPUT -s 10.0.0.1,10.0.0.2 -m conntrack "
				 "--ctstate NEW -j ACCEPT\nCOMMIT\n"));
	c = fixture_chain(f, "filter", "INPUT");
	assert_int_equal(c->nrules, 4);
	r = (const struct ipts_rule *const *)c->rules;
	/* one copy of the same bytes, whatever line they come from */
	assert_ptr_equal(ipts_rule_match(r[0], 0), ipts_rule_match(r[1], 0));
	assert_ptr_not_equal(ipts_rule_match(r[1], 0),
			     ipts_rule_match(r[2], 0));
	assert_ptr_equal(ipts_rule_match(r[2], 0), ipts_rule_match(r[3], 0));
	/* a standard target's verdict stays 0: ACCEPT and DROP share it */
	assert_ptr_equal(ipts_rule_target(r[0]), ipts_rule_target(r[1]));
	assert_ptr_not_equal(r[2]->e, r[3]->e);
	assert_int_equal(r[3]->e->ip.src.s_addr, htonl(0x0a000002));
	/* the header keeps the offsets of the kernel's contiguous entry */
	assert_int_equal(r[0]->e->target_offset,
			 sizeof(struct ipt_entry) +
			 ipts_rule_match(r[0], 0)->u.match_size);
	assert_int_equal(r[0]->e->next_offset,
			 r[0]->e->target_offset +
			 ipts_rule_target(r[0])->u.target_size);
}

/* @loc is @tok's occurrence in @line (the first at or after @from). */
static void assert_word(const struct ipts_loc *loc, const char *line,
			unsigned int lineno, const char *from, const char *tok)
{
	const char *hit = strstr(strstr(line, from), tok);

	assert_non_null(hit);
	assert_int_equal(loc->line, lineno);
	assert_int_equal(loc->col, (unsigned int)(hit - line) + 1);
	assert_int_equal(loc->len, strlen(tok));
	assert_memory_equal(loc->src->buf + loc->off, tok, strlen(tok));
}

static void test_grammar_words_of_a_rule(void **state)
{
	static const char l5[] = "-A INPUT -p tcp -m tcp --dport 22 -m comment "
				 "--comment \"a b\" -j LOG --log-prefix p";
	static const char l6[] = "-A INPUT -p udp --dport 53";
	struct ipts_fixture *f = *state;
	const struct ipts_chain *c;
	struct ipts_loc loc;

	assert_non_null(load_str(f, HDR "-A INPUT -p tcp -m tcp --dport 22 "
				 "-m comment --comment \"a b\" -j LOG "
				 "--log-prefix p\n-A INPUT -p udp --dport 53\n"
				 "COMMIT\n"));
	c = fixture_chain(f, "filter", "INPUT");
	assert_int_equal(c->rules[0]->nmatches, 2);
	loc = ipts_rule_match_loc(c->rules[0], 0);
	assert_word(&loc, l5, 5, "-m", "tcp");
	loc = ipts_rule_match_loc(c->rules[0], 1);
	assert_word(&loc, l5, 5, "-m comment", "comment");
	loc = ipts_rule_target_loc(c->rules[0]);
	assert_word(&loc, l5, 5, "-j", "LOG");
	/* the implicit udp match: the word that loaded it; no -j: the line */
	loc = ipts_rule_match_loc(c->rules[1], 0);
	assert_int_equal(loc.line, 6);
	assert_true(loc.col > 1);
	loc = ipts_rule_target_loc(c->rules[1]);
	assert_word(&loc, l6, 6, "-A", l6);
	assert_false(c->rules[1]->flags & IPTS_RULE_WIDE_LOCS);
}

/* The extension directory is the option's, or the build's: never the
 * environment's; one that cannot work is an error, not an abort(). */
static void test_grammar_xtables_libdir_is_pinned(void **state)
{
	struct ipts_fixture *f = *state;
	const char *rules = HDR "-A INPUT -p tcp --dport 22 -j ACCEPT\nCOMMIT\n";

	f->opts.xtables_libdir = "/nonexistent/xtables";
	assert_null(load_str(f, rules));
	assert_diag(f, 1, 1, "cannot use '/nonexistent/xtables' as the "
		    "xtables extension directory: No such file or directory");
	f->opts.xtables_libdir = "/";
	assert_null(load_str(f, rules));
	assert_diag(f, 1, 1, "it holds no libxt_standard.so");
	setenv("XTABLES_LIBDIR", "/nonexistent/xtables", 1);
	setenv("IPTABLES_LIB_DIR", "/nonexistent/xtables", 1);
	f->opts.xtables_libdir = NULL;
	assert_non_null(load_str(f, rules));
	unsetenv("IPTABLES_LIB_DIR");
}

/*
 * A trap for a name that would become a path: DIR/libxt_x/ exists, so
 * "-m x/../../e" would reach DIR/../e.so, here a file that is no library
 * (dlopen() would say so on stderr, a warning). Returns DIR, or NULL.
 */
static char *make_trap(char *base)
{
	static char dir[256];
	char path[512];
	FILE *fp;

	if (!mkdtemp(base))
		return NULL;
	snprintf(dir, sizeof(dir), "%s/xt", base);
	snprintf(path, sizeof(path), "%s/libxt_x", dir);
	if (mkdir(dir, 0700) < 0 || mkdir(path, 0700) < 0)
		return NULL;
	snprintf(path, sizeof(path), "%s/libipt_x", dir);
	if (mkdir(path, 0700) < 0)
		return NULL;
	snprintf(path, sizeof(path), "%s/libxt_standard.so", dir);
	if (symlink(IPTS_XTABLES_LIBDIR "/libxt_standard.so", path) < 0)
		return NULL;
	snprintf(path, sizeof(path), "%s/e.so", base);
	fp = fopen(path, "w");
	if (!fp)
		return NULL;
	fputs("not a library\n", fp);
	fclose(fp);
	return dir;
}

static void remove_trap(const char *base)
{
	char path[512];

	snprintf(path, sizeof(path), "%s/e.so", base);
	unlink(path);
	snprintf(path, sizeof(path), "%s/xt/libxt_standard.so", base);
	unlink(path);
	snprintf(path, sizeof(path), "%s/xt/libxt_x", base);
	rmdir(path);
	snprintf(path, sizeof(path), "%s/xt/libipt_x", base);
	rmdir(path);
	snprintf(path, sizeof(path), "%s/xt", base);
	rmdir(path);
	rmdir(base);
}

/* -m, -j and -N names outside [A-Za-z0-9_] never reach a path. */
static void test_grammar_extension_name_is_never_a_path(void **state)
{
	struct ipts_fixture *f = *state;
	char base[] = "/tmp/iptsim-trap.XXXXXX";
	const struct ipts_chain *c;
	const char *dir = make_trap(base);

	assert_non_null(dir);
	f->opts.xtables_libdir = dir;
	assert_null(load_str(f, HDR "-A INPUT -m x/../../e -j ACCEPT\n"
			     "-A INPUT -j x/../../e\nCOMMIT\n"));
	assert_diag(f, 5, 13, "Couldn't load match `x/../../e':No such file "
		    "or directory");
	assert_diag(f, 6, 13, "Couldn't load target `x/../../e':No such file "
		    "or directory");
	assert_false(fixture_has_diag(f, IPTS_WARNING, 0, 0, "e.so"));
	/* libxtables' own spelling of icmp6 (no IPv4 extension) */
	assert_null(load_str(f, HDR "-A INPUT -m icmpv6 -j ACCEPT\nCOMMIT\n"));
	assert_diag(f, 5, 13, "Couldn't load match `icmp6'");
	/* As a chain the name is fine: the kernel takes "x/../../e". */
	assert_non_null(load_str(f, HDR "-N x/../../e\n"
				 "-A INPUT -j x/../../e\nCOMMIT\n"));
	assert_false(fixture_has_diag(f, IPTS_WARNING, 0, 0, "e.so"));
	c = fixture_chain(f, "filter", "INPUT");
	assert_int_equal(c->rules[0]->kind, IPTS_TGT_JUMP);
	assert_string_equal(c->rules[0]->dest->name, "x/../../e");
	f->opts.xtables_libdir = NULL;
	remove_trap(base);
}

/* Every address pair is a rule; past the limit the file is refused whole,
 * at the line that crosses it, and nothing after it is read. */
/* A parse that stops early leaves the source's bytes as they were. */
static void test_grammar_stop_leaves_the_source_intact(void **state)
{
	struct ipts_fixture *f = *state;
	char text[4096], *copy;
	size_t n = 0;
	int i;

	n += (size_t)snprintf(text + n, sizeof(text) - n, "*filter\n");
	for (i = 0; i < 30; i++)
		n += (size_t)snprintf(text + n, sizeof(text) - n,
				      "-A INPUT -p tcp --dprt %d -j ACCEPT\n", i);
	snprintf(text + n, sizeof(text) - n, "COMMIT\n");
	f->opts.max_errors = 3;
	assert_null(load_str(f, text));
	assert_diag(f, 4, 17, "unknown option");
	copy = f->src->buf;
	assert_int_equal(f->src->len, strlen(text));
	assert_memory_equal(copy, text, f->src->len);
	f->opts.max_errors = 0;
}

static void test_grammar_rule_limit_refuses_the_file(void **state)
{
	struct ipts_fixture *f = *state;
	const char *rules = HDR "-A INPUT -s 1.1.1.1,1.1.1.2 -j ACCEPT\n"
		"-A INPUT -s 1.1.1.1,1.1.1.2 -d 2.2.2.1,2.2.2.2 -j ACCEPT\n"
		"-A INPUT -m nosuchmatch -j ACCEPT\nCOMMIT\n";

	f->opts.max_rules = 5;
	assert_null(load_str(f, rules));
	assert_diag(f, 6, 13, "too many rules: the file would build 6, more "
		    "than the limit of 5 (--max-rules N raises it)");
	assert_true(fixture_has_diag(f, IPTS_NOTE, 6, 13, "this line alone "
				     "builds 4 rules, one for each pair of its "
				     "2 source and 2 destination addresses"));
	assert_int_equal(f->diags.nerrors, 1);
	/* up to the limit: the kernel's semantics, unchanged */
	f->opts.max_rules = 6;
	assert_null(load_str(f, rules));
	assert_diag(f, 7, 13, "Couldn't load match `nosuchmatch'");
	assert_non_null(load_str(f, HDR "-A INPUT -s 1.1.1.1,1.1.1.2 -d "
				 "2.2.2.1,2.2.2.2,2.2.2.3 -j ACCEPT\nCOMMIT\n"));
	/* rules a -D builds to compare count too: their memory stays */
	assert_null(load_str(f, HDR "-A INPUT -j ACCEPT\n-D INPUT -j ACCEPT\n"
			     "-A INPUT -j DROP\n-A INPUT -j DROP\n"
			     "-A INPUT -j DROP\n-A INPUT -j DROP\n"
			     "-A INPUT -j DROP\nCOMMIT\n"));
	assert_diag(f, 11, 1, "the file would build 7, more than the limit "
		    "of 6");
	f->opts.max_rules = 0;
}

/* ---- names (issue 11): nothing of this machine is asked ---- */

/* The save text of rule @i of filter/@chain, compared and freed. */
static void assert_rule_text(struct ipts_fixture *f, const char *chain,
			     unsigned int i, const char *want)
{
	const struct ipts_chain *c = fixture_chain(f, "filter", chain);
	char *text;

	assert_true(i < c->nrules);
	text = ipts_rule_save_text(c->rules[i]);
	assert_string_equal(text, want);
	free(text);
}

static void test_grammar_host_name_address_is_unknown(void **state)
{
	struct ipts_fixture *f = *state;
	const struct ipts_chain *c;

	assert_non_null(load_str(f, HDR "-A INPUT -s web1.example.invalid "
				 "-p tcp --dport 22 -j ACCEPT\n"
				 "-A INPUT ! -d db/24 -j DROP\nCOMMIT\n"));
	c = fixture_chain(f, "filter", "INPUT");
	assert_int_equal(c->nrules, 2);
	assert_true(c->rules[0]->flags & IPTS_RULE_SRC_UNKNOWN);
	assert_false(c->rules[0]->flags & IPTS_RULE_DST_UNKNOWN);
	assert_true(c->rules[1]->flags & IPTS_RULE_DST_UNKNOWN);
	assert_warning(f, 5, 13, "'web1.example.invalid' is a host name, "
		       "whose address is unknown offline");
	assert_warning(f, 6, 15, "--hosts FILE");
	/* the name as written, never an address the file did not hold */
	assert_rule_text(f, "INPUT", 0, "-A INPUT -s web1.example.invalid "
			 "-p tcp -m tcp --dport 22 -j ACCEPT");
	assert_rule_text(f, "INPUT", 1, "-A INPUT ! -d db/24 -j DROP");
}

static void test_grammar_host_list_knows_its_addresses(void **state)
{
	struct ipts_fixture *f = *state;
	const struct ipts_chain *c;

	assert_non_null(load_str(f, HDR "-A INPUT -s 10.0.0.1,web2/24,"
				 "0x0a000002,any/0 -j DROP\nCOMMIT\n"));
	c = fixture_chain(f, "filter", "INPUT");
	assert_int_equal(c->nrules, 4);
	assert_false(c->rules[0]->flags & IPTS_RULE_SRC_UNKNOWN);
	assert_true(c->rules[1]->flags & IPTS_RULE_SRC_UNKNOWN);
	assert_false(c->rules[2]->flags & IPTS_RULE_SRC_UNKNOWN);
	/* a zero mask drops the name, as libxtables does: no warning */
	assert_false(c->rules[3]->flags & IPTS_RULE_SRC_UNKNOWN);
	assert_rule_text(f, "INPUT", 1, "-A INPUT -s web2/24 -j DROP");
	assert_rule_text(f, "INPUT", 2, "-A INPUT -s 10.0.0.2/32 -j DROP");
	assert_rule_text(f, "INPUT", 3, "-A INPUT -j DROP");
}

static void test_grammar_delete_by_host_name(void **state)
{
	struct ipts_fixture *f = *state;

	assert_non_null(load_str(f, HDR "-A INPUT -s web1 -j ACCEPT\n"
				 "-A INPUT -s web2 -j ACCEPT\n"
				 "-D INPUT -s web1 -j ACCEPT\nCOMMIT\n"));
	assert_rule_text(f, "INPUT", 0, "-A INPUT -s web2 -j ACCEPT");
	assert_int_equal(fixture_chain(f, "filter", "INPUT")->nrules, 1);
	/* an unknown name is no address: -D by 0.0.0.1 finds nothing */
	assert_null(load_str(f, HDR "-A INPUT -s web1 -j ACCEPT\n"
			     "-D INPUT -s 0.0.0.1/0.0.0.0 -j ACCEPT\nCOMMIT\n"));
	assert_null(load_str(f, HDR "-A INPUT -s web1 -j ACCEPT\n"
			     "-D INPUT -j ACCEPT\nCOMMIT\n"));
}

static void test_grammar_impossible_host_name_is_refused(void **state)
{
	struct ipts_fixture *f = *state;

	assert_null(load_str(f, HDR "-A INPUT -s 10.0.0.256 -j DROP\n"
			     "-A INPUT -d <private_ip>/32 -j DROP\nCOMMIT\n"));
	assert_diag(f, 5, 13, "host/network `10.0.0.256' not found");
	assert_diag(f, 6, 13, "host/network `<private_ip>' not found");
}

static void test_grammar_hosts_file_gives_its_addresses(void **state)
{
	struct ipts_fixture *f = *state;
	static const char hosts[] = "# the firewall's /etc/hosts\n"
		"10.1.1.1\tweb1 web1.example.invalid\n"
		"fe80::1 web1\n"
		"10.1.1.2 WEB1 # a second address\n"
		"10.1.1.1 web1\n"
		"192.0.2.7 gw\n"
		"127.0.0.9 lo9 web9\n10.0.0.9 web9\n169.254.0.9 web9\n";
	struct ipts_source *h = ipts_source_from_mem("hosts", hosts,
						     strlen(hosts));

	f->opts.hosts = h;
	assert_non_null(load_str(f, HDR "-A INPUT -s web1 -j ACCEPT\n"
				 "-A INPUT -s nosuch -j ACCEPT\n"
				 "-A INPUT -m conntrack --ctorigdst gw "
				 "-j ACCEPT\nCOMMIT\n"));
	/* every IPv4 line of it, case aside, as getaddrinfo() gives them
	 * (the kernel's namespace keeps the duplicate too) */
	assert_rule_text(f, "INPUT", 0, "-A INPUT -s 10.1.1.1/32 -j ACCEPT");
	assert_rule_text(f, "INPUT", 1, "-A INPUT -s 10.1.1.2/32 -j ACCEPT");
	assert_rule_text(f, "INPUT", 2, "-A INPUT -s 10.1.1.1/32 -j ACCEPT");
	assert_int_equal(fixture_chain(f, "filter", "INPUT")->nrules, 5);
	assert_warning(f, 6, 13, "host 'nosuch' is not in the hosts file "
		       "'hosts'");
	assert_rule_text(f, "INPUT", 4, "-A INPUT -m conntrack --ctorigdst "
			 "192.0.2.7 -j ACCEPT");
	/* glibc's RFC 6724 rule 8: loopback and link-local first */
	assert_non_null(load_str(f, HDR "-A INPUT -d web9 -j DROP\nCOMMIT\n"));
	assert_rule_text(f, "INPUT", 0, "-A INPUT -d 127.0.0.9/32 -j DROP");
	assert_rule_text(f, "INPUT", 1, "-A INPUT -d 169.254.0.9/32 -j DROP");
	assert_rule_text(f, "INPUT", 2, "-A INPUT -d 10.0.0.9/32 -j DROP");
	f->opts.hosts = NULL;
	ipts_diags_free(&f->diags);
	ipts_source_free(h);
}

static void test_grammar_hosts_file_addresses_are_bounded(void **state)
{
	struct ipts_fixture *f = *state;
	char hosts[300 * 20], *p = hosts;
	struct ipts_source *h;
	unsigned int i;

	for (i = 0; i < 300; i++)
		p += sprintf(p, "10.0.%u.%u big\n", i / 250, i % 250 + 1);
	h = ipts_source_from_mem("hosts", hosts, strlen(hosts));
	f->opts.hosts = h;
	assert_non_null(load_str(f, HDR "-A INPUT -s big -j ACCEPT\nCOMMIT\n"));
	assert_int_equal(fixture_chain(f, "filter", "INPUT")->nrules, 256);
	assert_warning(f, 5, 13, "host 'big' has 300 addresses in the hosts "
		       "file 'hosts': only the first 256 are taken");
	f->opts.hosts = NULL;
	ipts_diags_free(&f->diags);
	ipts_source_free(h);
}

/* --resolve: this machine's answer, and a warning that it is this one's. */
static void test_grammar_resolve_asks_this_machine(void **state)
{
	struct ipts_fixture *f = *state;
	const struct ipts_chain *c;

	f->opts.resolve = true;
	assert_non_null(load_str(f, HDR "-A OUTPUT -m conntrack --ctorigdst "
				 "localhost -j ACCEPT\n-A OUTPUT -s localhost "
				 "-j ACCEPT\nCOMMIT\n"));
	f->opts.resolve = false;
	c = fixture_chain(f, "filter", "OUTPUT");
	assert_true(c->rules[0]->flags & IPTS_RULE_HOSTNAMES);
	assert_false(c->rules[0]->flags & IPTS_RULE_OPAQUE);
	assert_true(c->rules[1]->flags & IPTS_RULE_HOSTNAMES);
	assert_false(c->rules[1]->flags & IPTS_RULE_SRC_UNKNOWN);
	assert_warning(f, 5, 36, "'localhost' was turned into an address "
		       "through this machine's resolver");
	assert_warning(f, 6, 14, "'localhost' was turned into addresses "
		       "through this machine's resolver");
}

static void test_grammar_bad_hosts_line_is_an_error(void **state)
{
	struct ipts_fixture *f = *state;
	static const char hosts[] = "10.0.0.1 ok\nweb1 10.0.0.2\n10.0.0.3\n";
	struct ipts_source *h = ipts_source_from_mem("hosts", hosts,
						     strlen(hosts));

	f->opts.hosts = h;
	assert_null(load_str(f, HDR "-A INPUT -j ACCEPT\nCOMMIT\n"));
	assert_true(fixture_has_diag(f, IPTS_ERROR, 2, 1, "'web1' is not an "
				     "IPv4 or IPv6 address"));
	assert_true(fixture_has_diag(f, IPTS_ERROR, 3, 1, "no host name "
				     "after the address '10.0.0.3'"));
	f->opts.hosts = NULL;
	ipts_diags_free(&f->diags);
	ipts_source_free(h);
}

static void test_grammar_owner_name_is_kept_as_words(void **state)
{
	struct ipts_fixture *f = *state;
	const struct ipts_chain *c;

	assert_non_null(load_str(f, "*filter\n-A OUTPUT -p tcp -m owner ! "
				 "--uid-owner root --gid-owner 5 -j ACCEPT\n"
				 "-A OUTPUT -m owner --uid-owner 1000 "
				 "-j ACCEPT\nCOMMIT\n"));
	c = fixture_chain(f, "filter", "OUTPUT");
	assert_true(c->rules[0]->flags & IPTS_RULE_OPAQUE);
	assert_false(c->rules[1]->flags & IPTS_RULE_OPAQUE);
	assert_warning(f, 2, 41, "'root' is a user name, unknown offline: "
		       "'-m owner' is kept as written");
	assert_rule_text(f, "OUTPUT", 0, "-A OUTPUT -p tcp -m owner ! "
			 "--uid-owner root --gid-owner 5 -j ACCEPT");
	assert_rule_text(f, "OUTPUT", 1, "-A OUTPUT -m owner --uid-owner "
			 "1000 -j ACCEPT");
	/* the kernel's checks still see the match: not from INPUT */
	assert_null(load_str(f, "*filter\n-A INPUT -m owner --uid-owner "
			     "alice -j ACCEPT\nCOMMIT\n"));
	assert_diag(f, 2, 13, "owner match: used from hooks INPUT");
}

static void test_grammar_passwd_and_group_files_give_ids(void **state)
{
	struct ipts_fixture *f = *state;
	static const char pw[] = "root:x:0:0:root:/root:/bin/bash\n"
		"alice:x:1005:100::/home/alice:/bin/sh\n"
		"+nis\n"
		"alice:x:2000:100::/:/bin/sh\n";
	static const char gr[] = "root:x:0:\nstaff:x:50:alice,bob\n";
	struct ipts_source *p = ipts_source_from_mem("passwd", pw, strlen(pw));
	struct ipts_source *g = ipts_source_from_mem("group", gr, strlen(gr));

	f->opts.passwd = p;
	f->opts.group = g;
	assert_non_null(load_str(f, "*filter\n-A OUTPUT -m owner --uid-owner "
				 "alice --gid-owner staff -j ACCEPT\n"
				 "-A OUTPUT -m owner --uid-owner bob "
				 "-j ACCEPT\nCOMMIT\n"));
	assert_rule_text(f, "OUTPUT", 0, "-A OUTPUT -m owner --uid-owner 1005 "
			 "--gid-owner 50 -j ACCEPT");
	assert_true(fixture_chain(f, "filter", "OUTPUT")->rules[1]->flags &
		    IPTS_RULE_OPAQUE);
	f->opts.passwd = f->opts.group = NULL;
	ipts_diags_free(&f->diags);
	ipts_source_free(p);
	ipts_source_free(g);
}

static void test_grammar_bad_passwd_line_is_an_error(void **state)
{
	struct ipts_fixture *f = *state;
	static const char pw[] = "alice:x:12a:0::/:/bin/sh\nbob:x:1\n";
	struct ipts_source *p = ipts_source_from_mem("passwd", pw, strlen(pw));

	f->opts.passwd = p;
	assert_null(load_str(f, HDR "COMMIT\n"));
	assert_true(fixture_has_diag(f, IPTS_ERROR, 1, 9, "uid '12a' is not "
				     "a number"));
	assert_true(fixture_has_diag(f, IPTS_ERROR, 2, 1, "is no passwd "
				     "line"));
	f->opts.passwd = NULL;
	ipts_diags_free(&f->diags);
	ipts_source_free(p);
}

static void test_grammar_extension_host_names_are_kept_as_words(void **state)
{
	struct ipts_fixture *f = *state;

	assert_non_null(load_str(f, "*mangle\n"
				 "-A PREROUTING -m conntrack --ctstate NEW "
				 "--ctorigsrc gw.invalid/24 -j TEE --gateway "
				 "10.0.0.1\n"
				 "-A PREROUTING -j TEE --gateway gw2.invalid\n"
				 "-A PREROUTING -m devgroup --src-group cosmos "
				 "-j ACCEPT\n"
				 "-A PREROUTING -m bpf --object-pinned "
				 "/sys/fs/bpf/x -j ACCEPT\n"
				 "COMMIT\n"));
	assert_warning(f, 2, 54, "'gw.invalid' is a host name");
	assert_warning(f, 3, 32, "'-j TEE' is kept as written");
	assert_warning(f, 4, 39, "from the firewall's /etc/iproute2/group");
	assert_warning(f, 5, 38, "never asks the kernel");
	{
		const struct ipts_chain *c = fixture_chain(f, "mangle",
							   "PREROUTING");
		char *t;
		unsigned int i;
		static const char *const want[] = {
			"-A PREROUTING -m conntrack --ctstate NEW --ctorigsrc "
			"gw.invalid/24 -j TEE --gateway 10.0.0.1",
			"-A PREROUTING -j TEE --gateway gw2.invalid",
			"-A PREROUTING -m devgroup --src-group cosmos -j ACCEPT",
			"-A PREROUTING -m bpf --object-pinned /sys/fs/bpf/x "
			"-j ACCEPT",
		};

		for (i = 0; i < 4; i++) {
			assert_true(c->rules[i]->flags & IPTS_RULE_OPAQUE);
			t = ipts_rule_save_text(c->rules[i]);
			assert_string_equal(t, want[i]);
			free(t);
		}
	}
	/* a label is one number, no mask: "5/3" is a name to connlabel */
	assert_non_null(load_str(f, "*mangle\n-A INPUT -m connlabel --label "
				 "5/3 -j ACCEPT\n-A INPUT -m connlabel --label "
				 "0x5 -j ACCEPT\nCOMMIT\n"));
	assert_warning(f, 2, 31, "'5/3' is a name from the firewall's "
		       "/etc/xtables/connlabel.conf");
	assert_true(fixture_chain(f, "mangle", "INPUT")->rules[0]->flags &
		    IPTS_RULE_OPAQUE);
	assert_false(fixture_chain(f, "mangle", "INPUT")->rules[1]->flags &
		     IPTS_RULE_OPAQUE);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_grammar_append_implicit_tcp),
		cmocka_unit_test(test_grammar_address_list_expands),
		cmocka_unit_test(test_grammar_insert_positions),
		cmocka_unit_test(test_grammar_insert_too_big),
		cmocka_unit_test(test_grammar_delete_by_rule_and_number),
		cmocka_unit_test(test_grammar_delete_missing_rule),
		cmocka_unit_test(test_grammar_user_chain_jump_and_rename),
		cmocka_unit_test(test_grammar_unknown_option_points_at_it),
		cmocka_unit_test(test_grammar_bad_port_points_at_value),
		cmocka_unit_test(test_grammar_errors_continue_past_first),
		cmocka_unit_test(test_grammar_nat_drop_is_refused),
		cmocka_unit_test(test_grammar_policy_on_user_chain),
		cmocka_unit_test(test_grammar_missing_commit),
		cmocka_unit_test(test_grammar_same_table_twice_replaces),
		cmocka_unit_test(test_grammar_counters_only_with_c),
		cmocka_unit_test(test_grammar_set_match_is_opaque),
		cmocka_unit_test(test_grammar_same_blobs_are_shared),
		cmocka_unit_test(test_grammar_words_of_a_rule),
		cmocka_unit_test(test_grammar_xtables_libdir_is_pinned),
		cmocka_unit_test(test_grammar_extension_name_is_never_a_path),
		cmocka_unit_test(test_grammar_rule_limit_refuses_the_file),
		cmocka_unit_test(test_grammar_stop_leaves_the_source_intact),
		cmocka_unit_test(test_grammar_host_name_address_is_unknown),
		cmocka_unit_test(test_grammar_host_list_knows_its_addresses),
		cmocka_unit_test(test_grammar_delete_by_host_name),
		cmocka_unit_test(test_grammar_impossible_host_name_is_refused),
		cmocka_unit_test(test_grammar_hosts_file_gives_its_addresses),
		cmocka_unit_test(test_grammar_hosts_file_addresses_are_bounded),
		cmocka_unit_test(test_grammar_resolve_asks_this_machine),
		cmocka_unit_test(test_grammar_bad_hosts_line_is_an_error),
		cmocka_unit_test(test_grammar_owner_name_is_kept_as_words),
		cmocka_unit_test(test_grammar_passwd_and_group_files_give_ids),
		cmocka_unit_test(test_grammar_bad_passwd_line_is_an_error),
		cmocka_unit_test(
			test_grammar_extension_host_names_are_kept_as_words),
	};

	return cmocka_run_group_tests(tests, fixture_setup, fixture_teardown);
}
