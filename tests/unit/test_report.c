/*
 * test_report.c - diagnostics as people and programs read them
 * (report/report.c): gcc's shape with the source line and a caret and
 * tildes under the token, notes after their diagnostic, no source line
 * where it is hidden, a window on a very long line, colour only when
 * asked; JSON items and the failure document with every field.
 */
#include "fixture.h"

#include <stdlib.h>
#include <string.h>

#include "report.h"

/* Diagnostics about a file held in memory. */
struct rep {
	struct ipts_source *src;
	struct ipts_diags d;
};

static int setup(void **state)
{
	*state = calloc(1, sizeof(struct rep));
	return *state ? 0 : -1;
}

static int teardown(void **state)
{
	struct rep *r = *state;

	ipts_diags_free(&r->d);
	ipts_source_free(r->src);
	free(r);
	return 0;
}

static void source(struct rep *r, const char *name, const char *text)
{
	r->src = ipts_source_from_mem(name, text, strlen(text));
}

/* The place of @len bytes at @line:@col of the source of @r. */
static struct ipts_loc at(const struct rep *r, uint32_t line, uint32_t col,
			  uint32_t len)
{
	struct ipts_loc loc = { .src = r->src, .line = line, .col = col,
				.len = len };
	const char *p = r->src->buf;
	uint32_t n;

	for (n = 1; n < line; n++) {
		p = strchr(p, '\n');
		assert_non_null(p);
		p++;
	}
	loc.off = (uint32_t)(p - r->src->buf) + col - 1;
	return loc;
}

static char *text_of(const struct ipts_diags *d, bool color)
{
	char *buf = NULL;
	size_t n = 0;
	FILE *f = open_memstream(&buf, &n);

	assert_non_null(f);
	ipts_report_text(f, d, color);
	fclose(f);
	return buf;
}

/* The items in a block array, as check and lint print them. */
static char *json_items_of(const struct ipts_diags *d)
{
	char *buf = NULL;
	size_t n = 0;
	FILE *f = open_memstream(&buf, &n);
	struct ipts_json w;

	assert_non_null(f);
	ipts_json_init(&w, f);
	ipts_json_object_begin(&w, IPTS_JSON_BLOCK);
	ipts_json_key(&w, "diagnostics");
	ipts_json_array_begin(&w, IPTS_JSON_BLOCK);
	ipts_report_json_items(&w, d);
	ipts_json_array_end(&w);
	ipts_json_object_end(&w);
	fclose(f);
	return buf;
}

#define assert_text(r, color, want)                                           \
	do {                                                                  \
		char *got_ = text_of(&(r)->d, (color));                       \
		assert_string_equal(got_, want);                              \
		free(got_);                                                   \
	} while (0)

static void test_report_text_caret_and_tildes_under_the_token(void **state)
{
	struct rep *r = *state;
	struct ipts_loc loc;

	source(r, "a.rules", "*filter\n-A INPUT -p tcp --dprt 22 -j ACCEPT\r\n"
	       "COMMIT\n");
	loc = at(r, 2, 17, 6);
	ipts_diag_add(&r->d, IPTS_ERROR, &loc, "unknown option \"--dprt\"");
	/* a one-byte token: the caret alone; the CR of CRLF is not shown */
	loc = at(r, 2, 1, 1);
	ipts_diag_add(&r->d, IPTS_WARNING, &loc, "w");
	/* no length: still a caret where the column is */
	loc = at(r, 3, 1, 0);
	ipts_diag_add(&r->d, IPTS_ERROR, &loc, "e");
	assert_text(r, false,
		"a.rules:2:17: error: unknown option \"--dprt\"\n"
		"    2 | -A INPUT -p tcp --dprt 22 -j ACCEPT\n"
		"      |                 ^~~~~~\n"
		"a.rules:2:1: warning: w\n"
		"    2 | -A INPUT -p tcp --dprt 22 -j ACCEPT\n"
		"      | ^\n"
		"a.rules:3:1: error: e\n"
		"    3 | COMMIT\n"
		"      | ^\n");
}

/* A note is printed where it stands, after its diagnostic, with its own
 * place; a lint finding carries its code. */
static void test_report_text_note_after_its_diagnostic(void **state)
{
	struct rep *r = *state;
	struct ipts_loc a, b;

	source(r, "b.rules", "-A INPUT -j DROP\n-A INPUT -j DROP\n");
	a = at(r, 1, 1, 16);
	b = at(r, 2, 1, 16);
	ipts_diag_add_code(&r->d, IPTS_WARNING, &b, "IPT003",
			   "rule is redundant");
	ipts_diag_note(&r->d, &a, "the same rule");
	assert_text(r, false,
		"b.rules:2:1: warning: rule is redundant [IPT003]\n"
		"    2 | -A INPUT -j DROP\n"
		"      | ^~~~~~~~~~~~~~~~\n"
		"b.rules:1:1: note: the same rule\n"
		"    1 | -A INPUT -j DROP\n"
		"      | ^~~~~~~~~~~~~~~~\n");
}

/* The text of @d, each diagnostic reported alone, one after the other. */
static char *text_one_by_one(const struct ipts_diags *d, bool color)
{
	char *buf = NULL;
	size_t n = 0, i;
	FILE *f = open_memstream(&buf, &n);

	assert_non_null(f);
	for (i = 0; i < d->n; i++) {
		struct ipts_diags one = { .v = &d->v[i], .n = 1, .cap = 1 };

		ipts_report_text(f, &one, color);
	}
	fclose(f);
	return buf;
}

/* A note written again (lint's note naming the earlier rule under each
 * rule it shadows: one message for all, ipts_diag_add_pooled()) prints
 * every time what it printed the first time: beside findings between,
 * after more than the writer's buffer holds (16 KB), in colour, and
 * the same message at another place prints that place. */
static void test_report_text_repeated_note_whole_each_time(void **state)
{
	struct rep *r = *state;
	struct ipts_loc first, other, w;
	char *msg = NULL, *got, *want;
	size_t i;
	bool color;

	source(r, "n.rules",
	       "-A INPUT -j ACCEPT\n"
	       "-A INPUT -p tcp -m comment --comment \"\x1b[31m\" -j ACCEPT\n"
	       "-A INPUT -p udp -j ACCEPT\n");
	first = at(r, 1, 1, 18);
	other = at(r, 2, 1, 57);
	w = at(r, 3, 1, 25);
	for (i = 0; i < 400; i++) {
		ipts_diag_add_code(&r->d, IPTS_WARNING, &w, "IPT001",
				   "rule can never match: finding %zu", i);
		if (!i) {
			ipts_diag_add_text(&r->d, IPTS_NOTE, &first, NULL,
					   "the earlier rule", 16);
			msg = r->d.v[r->d.n - 1].msg;
		} else {
			ipts_diag_add_pooled(&r->d, IPTS_NOTE,
					     i % 7 ? &first : &other, NULL,
					     msg);
		}
	}
	for (color = false;; color = true) {
		got = text_of(&r->d, color);
		want = text_one_by_one(&r->d, color);
		assert_true(strlen(got) > 16384 * 4);
		assert_string_equal(got, want);
		free(got);
		free(want);
		if (color)
			break;
	}
	got = text_of(&r->d, false);
	/* the escaped line 2 under each note placed there */
	assert_non_null(strstr(got, "n.rules:2:1: note: the earlier rule\n"
				    "    2 | -A INPUT -p tcp -m comment "
				    "--comment \"\\x1b[31m\" -j ACCEPT\n"));
	free(got);
}

/* hide_source: the heading only (the file may be no rules file at all);
 * a place without a line or without a file has no source line either. */
static void test_report_text_hide_source_and_no_place(void **state)
{
	struct rep *r = *state;
	struct ipts_loc loc;

	source(r, "c.conf", "password=hunter2\n");
	loc = at(r, 1, 1, 8);
	ipts_diag_add(&r->d, IPTS_ERROR, &loc, "this is not iptables-save text");
	ipts_diag_hide_source(&r->d);
	loc.line = loc.col = 0;
	ipts_diag_add(&r->d, IPTS_ERROR, &loc, "empty file");
	ipts_diag_add(&r->d, IPTS_NOTE, NULL, "no place at all");
	assert_text(r, false,
		"c.conf:1:1: error: this is not iptables-save text\n"
		"c.conf: error: empty file\n"
		"note: no place at all\n");
}

/* A line over 1024 bytes: 240 bytes of it from 80 before the token,
 * "..." for what is cut on either side, the caret still under the token. */
static void test_report_text_long_line_window(void **state)
{
	struct rep *r = *state;
	char *line = malloc(3002), *want, *p;
	struct ipts_loc loc;
	size_t i;

	memset(line, 'a', 3000);
	memcpy(line + 1999, "--bad", 5);	/* column 2000 */
	line[3000] = '\n';
	line[3001] = '\0';
	source(r, "d.rules", line);
	loc = at(r, 1, 2000, 5);
	ipts_diag_add(&r->d, IPTS_ERROR, &loc, "bad");
	loc = at(r, 1, 3, 1);		/* near the start: no leading "..." */
	ipts_diag_add(&r->d, IPTS_ERROR, &loc, "start");

	want = malloc(2048);
	p = want + sprintf(want, "d.rules:1:2000: error: bad\n    1 | ...");
	memcpy(p, line + 1919, 240);
	p += 240;
	p += sprintf(p, "...\n      |    ");
	for (i = 0; i < 80; i++)
		*p++ = ' ';
	p += sprintf(p, "^~~~~\nd.rules:1:3: error: start\n    1 | ");
	memcpy(p, line, 240);
	p += 240;
	sprintf(p, "...\n      |   ^\n");
	assert_text(r, false, want);
	free(want);
	free(line);
}

/* The window never cuts a character in two: it starts and ends on the
 * first byte of one, escaped or not. */
static void test_report_text_window_keeps_characters_whole(void **state)
{
	static const char head[] = "w.rules:1:1300: error: bad\n    1 | ...";
	static const char bar[] = "...\n      |    ";
	struct rep *r = *state;
	char *line = malloc(2002), *got;
	struct ipts_loc loc;
	size_t k;

	memset(line, 'a', 2000);
	memcpy(line + 1218, "\xc3\xa9", 2);	/* 80 before: byte 1219 */
	memcpy(line + 1457, "\xe2\x82\xac", 3);	/* 240 on: byte 1458 */
	memcpy(line + 1299, "--bad", 5);	/* column 1300 */
	line[2000] = '\n';
	line[2001] = '\0';
	source(r, "w.rules", line);
	loc = at(r, 1, 1300, 5);
	ipts_diag_add(&r->d, IPTS_ERROR, &loc, "bad");
	got = text_of(&r->d, false);
	k = sizeof(head) - 1;
	assert_memory_equal(got, head, k);
	/* from the 'é' whole, to just before the euro sign */
	assert_memory_equal(got + k, line + 1218, 1457 - 1218);
	k += 1457 - 1218;
	assert_memory_equal(got + k, bar, sizeof(bar) - 1);
	k += sizeof(bar) - 1;
	/* the caret: 80 columns after the "...", for 81 bytes ('é' is two) */
	assert_int_equal(strspn(got + k, " "), 80);
	assert_string_equal(got + k + 80, "^~~~~\n");
	free(got);
	free(line);
}

/* Colour only when asked: escape sequences around the place, the
 * severity and the caret; none at all otherwise. */
static void test_report_text_colour_only_when_asked(void **state)
{
	struct rep *r = *state;
	struct ipts_loc loc;
	char *got;

	source(r, "e.rules", "--x\n");
	loc = at(r, 1, 1, 3);
	ipts_diag_add(&r->d, IPTS_ERROR, &loc, "x");
	ipts_diag_note(&r->d, &loc, "n");
	got = text_of(&r->d, false);
	assert_null(strchr(got, '\033'));
	free(got);
	assert_text(r, true,
		"\033[1me.rules:1:1: \033[0m\033[1;31merror:\033[0m x\n"
		"    1 | --x\n"
		"      | \033[1;32m^~~\033[0m\n"
		"\033[1me.rules:1:1: \033[0m\033[1;36mnote:\033[0m n\n"
		"    1 | --x\n"
		"      | \033[1;32m^~~\033[0m\n");
}

/* --color: an option given wins over NO_COLOR, NO_COLOR over auto, and
 * auto colours a terminal only. */
static void test_report_colour_choice(void **state)
{
	enum ipts_color c;
	FILE *f = tmpfile();

	(void)state;
	assert_non_null(f);
	assert_int_equal(ipts_color_parse("always", &c), 0);
	assert_int_equal(c, IPTS_COLOR_ALWAYS);
	assert_int_equal(ipts_color_parse("never", &c), 0);
	assert_int_equal(c, IPTS_COLOR_NEVER);
	assert_int_equal(ipts_color_parse("auto", &c), 0);
	assert_int_equal(c, IPTS_COLOR_AUTO);
	assert_int_equal(ipts_color_parse("yes", &c), -1);

	setenv("NO_COLOR", "1", 1);
	assert_true(ipts_color_use(IPTS_COLOR_ALWAYS, f));
	assert_false(ipts_color_use(IPTS_COLOR_NEVER, f));
	assert_false(ipts_color_use(IPTS_COLOR_AUTO, f));
	unsetenv("NO_COLOR");
	assert_false(ipts_color_use(IPTS_COLOR_AUTO, f));	/* no terminal */
	fclose(f);
}

static void test_report_format_names_as_allowed(void **state)
{
	enum ipts_format fmt = IPTS_FMT_TEXT;

	(void)state;
	assert_int_equal(ipts_format_parse("json", 3, &fmt), 0);
	assert_int_equal(fmt, IPTS_FMT_JSON);
	assert_int_equal(ipts_format_parse("sarif", 7, &fmt), 0);
	assert_int_equal(fmt, IPTS_FMT_SARIF);
	/* sarif where a command has none; a name is never abbreviated */
	assert_int_equal(ipts_format_parse("sarif", 3, &fmt), -1);
	assert_int_equal(ipts_format_parse("js", 7, &fmt), -1);
	assert_int_equal(ipts_format_parse("TEXT", 7, &fmt), -1);
	assert_int_equal(fmt, IPTS_FMT_SARIF);	/* left alone on failure */
}

/* Every field of an item, null where there is no file or code, notes as
 * items of their own, text escaped as JSON. */
static void test_report_json_items_every_field(void **state)
{
	struct rep *r = *state;
	struct ipts_loc loc;
	char *got;

	source(r, "f\".rules", "-A INPUT --dprt 22\n");
	loc = at(r, 1, 10, 6);
	ipts_diag_add(&r->d, IPTS_ERROR, &loc, "unknown option \"--dprt\"");
	ipts_diag_note(&r->d, &loc, "tab\there");
	ipts_diag_add_code(&r->d, IPTS_WARNING, NULL, "IPT008", "no place");
	got = json_items_of(&r->d);
	assert_string_equal(
		got,
		"{\n  \"diagnostics\": ["
		"\n    {\"file\": \"f\\\".rules\", \"line\": 1, \"column\": 10, "
		"\"length\": 6, \"severity\": \"error\", \"message\": "
		"\"unknown option \\\"--dprt\\\"\", \"code\": null},"
		"\n    {\"file\": \"f\\\".rules\", \"line\": 1, \"column\": 10, "
		"\"length\": 6, \"severity\": \"note\", \"message\": "
		"\"tab\\there\", \"code\": null},"
		"\n    {\"file\": null, \"line\": 0, \"column\": 0, "
		"\"length\": 0, \"severity\": \"warning\", \"message\": "
		"\"no place\", \"code\": \"IPT008\"}\n  ]\n}");
	free(got);
	ipts_diags_free(&r->d);
	got = json_items_of(&r->d);
	/* no diagnostic: no item */
	assert_string_equal(got, "{\n  \"diagnostics\": []\n}");
	free(got);
}

/* What trace, test, query and diff print when a file does not load: one
 * line, the items in it, [] without diagnostics. */
static void test_report_json_failure_document(void **state)
{
	struct rep *r = *state;
	struct ipts_loc loc;
	char *buf = NULL;
	size_t n = 0;
	FILE *f = open_memstream(&buf, &n);

	assert_non_null(f);
	source(r, "g.rules", "x\n");
	loc = at(r, 1, 1, 1);
	ipts_diag_add(&r->d, IPTS_ERROR, &loc, "e1");
	ipts_diag_add(&r->d, IPTS_ERROR, &loc, "e2");
	ipts_report_json_failure(f, "does not load", "g.rules", &r->d);
	ipts_report_json_failure(f, "cannot read", NULL, NULL);
	fclose(f);
	assert_string_equal(buf,
		"{\"error\": \"does not load\", \"file\": \"g.rules\", "
		"\"diagnostics\": [{\"file\": \"g.rules\", \"line\": 1, "
		"\"column\": 1, \"length\": 1, \"severity\": \"error\", "
		"\"message\": \"e1\", \"code\": null}, {\"file\": \"g.rules\", "
		"\"line\": 1, \"column\": 1, \"length\": 1, \"severity\": "
		"\"error\", \"message\": \"e2\", \"code\": null}]}\n"
		"{\"error\": \"cannot read\", \"file\": null, "
		"\"diagnostics\": []}\n");
	free(buf);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_report_text_caret_and_tildes_under_the_token),
		T(test_report_text_note_after_its_diagnostic),
		T(test_report_text_repeated_note_whole_each_time),
		T(test_report_text_hide_source_and_no_place),
		T(test_report_text_long_line_window),
		T(test_report_text_window_keeps_characters_whole),
		T(test_report_text_colour_only_when_asked),
		T(test_report_colour_choice),
		T(test_report_format_names_as_allowed),
		T(test_report_json_items_every_field),
		T(test_report_json_failure_document),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
