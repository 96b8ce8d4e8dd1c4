/*
 * test_diag.c - the order diagnostics are printed in (model/diag.c,
 * ipts_diags_sort): by file, then by place in the file, a diagnostic and
 * the notes that follow it moving as one, equal places keeping the order
 * they were found in.
 */
#include "fixture.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Two files and a list of diagnostics about them. */
struct srt {
	struct ipts_source *a, *b;
	struct ipts_diags d;
};

static int setup(void **state)
{
	struct srt *s = calloc(1, sizeof(*s));
	static const char text[] = "0123456789abcdefghij\n";

	if (!s)
		return -1;
	s->a = ipts_source_from_mem("a.rules", text, sizeof(text) - 1);
	s->b = ipts_source_from_mem("b.rules", text, sizeof(text) - 1);
	*state = s;
	return 0;
}

static int teardown(void **state)
{
	struct srt *s = *state;

	ipts_diags_free(&s->d);
	ipts_source_free(s->a);
	ipts_source_free(s->b);
	free(s);
	return 0;
}

/* Add a diagnostic @msg of @sev at byte @off of @src (NULL: no place). */
static void add(struct srt *s, enum ipts_severity sev,
		const struct ipts_source *src, uint32_t off, const char *msg)
{
	struct ipts_loc loc = { .src = src, .off = off, .line = 1,
				.col = off + 1, .len = 1 };

	ipts_diag_add(&s->d, sev, src ? &loc : NULL, "%s", msg);
}

/* The messages of @d in order, joined by blanks. */
static char *order(const struct ipts_diags *d)
{
	char *buf = NULL;
	size_t n = 0, i;
	FILE *f = open_memstream(&buf, &n);

	assert_non_null(f);
	for (i = 0; i < d->n; i++)
		fprintf(f, "%s%s", i ? " " : "", d->v[i].msg);
	fclose(f);
	return buf;
}

#define assert_order(s, want)                                                 \
	do {                                                                  \
		char *got_ = order(&(s)->d);                                  \
		assert_string_equal(got_, want);                              \
		free(got_);                                                   \
	} while (0)

static void test_diags_sort_by_file_then_offset(void **state)
{
	struct srt *s = *state;

	add(s, IPTS_ERROR, s->b, 3, "b3");
	add(s, IPTS_WARNING, s->a, 9, "a9");
	add(s, IPTS_ERROR, s->b, 1, "b1");
	add(s, IPTS_ERROR, s->a, 2, "a2");
	add(s, IPTS_ERROR, NULL, 0, "none");	/* no file: before any file */
	ipts_diags_sort(&s->d);
	assert_order(s, "none a2 a9 b1 b3");
	/* the counts are the same diagnostics' */
	assert_int_equal(s->d.n, 5);
	assert_int_equal(s->d.nerrors, 4);
	assert_int_equal(s->d.nwarnings, 1);
}

/* The file is told by its name: another source of the same name (the
 * same file read twice, by diff) sorts as one file. */
static void test_diags_sort_files_by_name(void **state)
{
	struct srt *s = *state;
	struct ipts_source *a2 = ipts_source_from_mem("a.rules", "x\n", 2);

	add(s, IPTS_ERROR, s->b, 0, "b0");
	add(s, IPTS_ERROR, a2, 5, "A5");
	add(s, IPTS_ERROR, s->a, 4, "a4");
	add(s, IPTS_ERROR, a2, 1, "A1");
	ipts_diags_sort(&s->d);
	assert_order(s, "A1 a4 A5 b0");
	ipts_source_free(a2);
}

/* A note moves with the diagnostic before it, wherever it points; a note
 * with a code (a lint finding of severity note) is a diagnostic itself. */
static void test_diags_sort_notes_stay_behind_their_diagnostic(void **state)
{
	struct srt *s = *state;
	struct ipts_loc loc = { .src = s->a, .off = 15, .line = 1, .col = 16 };

	add(s, IPTS_ERROR, s->a, 12, "e12");
	add(s, IPTS_NOTE, s->a, 0, "e12-note0");
	add(s, IPTS_NOTE, s->b, 19, "e12-note-b19");
	add(s, IPTS_WARNING, s->a, 5, "w5");
	add(s, IPTS_NOTE, s->a, 18, "w5-note18");
	ipts_diag_add_code(&s->d, IPTS_NOTE, &loc, "IPT005", "f15");
	add(s, IPTS_ERROR, s->a, 1, "e1");
	ipts_diags_sort(&s->d);
	assert_order(s, "e1 w5 w5-note18 e12 e12-note0 e12-note-b19 f15");
}

/* Equal places keep the order they were found in, groups included. */
static void test_diags_sort_is_stable(void **state)
{
	struct srt *s = *state;
	char msg[16], want[512] = "", *p = want;
	unsigned int i;

	for (i = 0; i < 30; i++) {
		snprintf(msg, sizeof(msg), "%c%u", i % 3 ? 'x' : 'y', i);
		add(s, IPTS_ERROR, i % 3 ? s->a : s->b, 7, msg);
		if (i % 5 == 0) {
			snprintf(msg, sizeof(msg), "n%u", i);
			add(s, IPTS_NOTE, s->a, 0, msg);
		}
	}
	for (i = 0; i < 30; i++) {
		if (i % 3 == 0)
			continue;
		p += sprintf(p, "%sx%u", p == want ? "" : " ", i);
		if (i % 5 == 0)
			p += sprintf(p, " n%u", i);
	}
	for (i = 0; i < 30; i += 3) {
		p += sprintf(p, " y%u", i);
		if (i % 5 == 0)
			p += sprintf(p, " n%u", i);
	}
	ipts_diags_sort(&s->d);
	assert_order(s, want);
	/* sorting again changes nothing */
	ipts_diags_sort(&s->d);
	assert_order(s, want);
}

/* None or one: nothing to do (a lone note included). */
static void test_diags_sort_short_lists(void **state)
{
	struct srt *s = *state;

	ipts_diags_sort(&s->d);
	assert_int_equal(s->d.n, 0);
	add(s, IPTS_NOTE, s->b, 3, "n");
	ipts_diags_sort(&s->d);
	assert_order(s, "n");
	/* a note first in the list has no diagnostic to follow: it sorts
	 * by its own place */
	add(s, IPTS_ERROR, s->a, 3, "e");
	ipts_diags_sort(&s->d);
	assert_order(s, "e n");
}

/*
 * Messages copied into a list's pool (ipts_diag_add_text()): each keeps
 * its bytes and a NUL, a message larger than a block included, beside
 * messages of their own allocation; moving a list into an empty one and
 * into a full one keeps every message; freeing frees the pool (the
 * valgrind run of this test finds no leak).
 */
static void test_diags_pool(void **state)
{
	struct srt *s = *state;
	struct ipts_diags other = { 0 }, more = { 0 };
	static char big[200000];
	char buf[32];
	size_t i;

	memset(big, 'x', sizeof(big));
	for (i = 0; i < 20000; i++) {
		int n = snprintf(buf, sizeof(buf), "finding %zu", i);

		ipts_diag_add_text(&other, IPTS_WARNING, NULL, "IPT001", buf,
				   (size_t)n);
		if (i == 7000)
			ipts_diag_add_text(&other, IPTS_NOTE, NULL, NULL, big,
					   sizeof(big));
	}
	ipts_diag_add(&other, IPTS_ERROR, NULL, "a %s one", "formatted");
	ipts_diag_add_text(&more, IPTS_NOTE, NULL, NULL, "ab\0cd", 2);
	/* into an empty list: the vector and the pool handed over */
	ipts_diags_move(&s->d, &other);
	assert_null(other.pool);
	assert_int_equal(s->d.n, 20002);
	assert_int_equal(s->d.nwarnings, 20000);
	assert_int_equal(s->d.nerrors, 1);
	/* into a list that holds some: appended, the pool joined */
	ipts_diags_move(&s->d, &more);
	assert_int_equal(s->d.n, 20003);
	assert_string_equal(s->d.v[0].msg, "finding 0");
	assert_string_equal(s->d.v[7000].msg, "finding 7000");
	assert_int_equal(strlen(s->d.v[7001].msg), sizeof(big));
	assert_string_equal(s->d.v[7002].msg, "finding 7001");
	assert_string_equal(s->d.v[20000].msg, "finding 19999");
	assert_string_equal(s->d.v[20000].code, "IPT001");
	assert_false(s->d.v[20001].pooled);
	assert_string_equal(s->d.v[20001].msg, "a formatted one");
	assert_string_equal(s->d.v[20002].msg, "ab");
	ipts_diags_free(&more);
}

/*
 * A note that shares an earlier note's pooled message (lint's "the
 * earlier rule" for each rule one rule shadows): both read it, sorting
 * and a move keep it, and the list frees it once (the valgrind run of
 * this test finds no double free and no leak).
 */
static void test_diags_pooled_shared(void **state)
{
	struct srt *s = *state;
	struct ipts_diags other = { 0 };
	struct ipts_loc a = { .src = NULL, .line = 3, .col = 1, .off = 30 };
	struct ipts_loc b = { .src = NULL, .line = 1, .col = 1, .off = 10 };
	char *shared;

	ipts_diag_add_text(&other, IPTS_WARNING, &a, "IPT001", "second", 6);
	ipts_diag_add_text(&other, IPTS_NOTE, &a, NULL, "the earlier rule", 16);
	shared = other.v[1].msg;
	ipts_diag_add_text(&other, IPTS_WARNING, &b, "IPT001", "first", 5);
	ipts_diag_add_pooled(&other, IPTS_NOTE, &b, NULL, shared);
	assert_int_equal(other.nwarnings, 2);
	ipts_diags_move(&s->d, &other);
	ipts_diags_sort(&s->d);
	assert_int_equal(s->d.n, 4);
	assert_string_equal(s->d.v[0].msg, "first");
	assert_ptr_equal(s->d.v[1].msg, shared);
	assert_true(s->d.v[1].pooled);
	assert_string_equal(s->d.v[2].msg, "second");
	assert_ptr_equal(s->d.v[3].msg, shared);
	assert_string_equal(s->d.v[3].msg, "the earlier rule");
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_diags_sort_by_file_then_offset),
		T(test_diags_sort_files_by_name),
		T(test_diags_sort_notes_stay_behind_their_diagnostic),
		T(test_diags_sort_is_stable),
		T(test_diags_sort_short_lists),
		T(test_diags_pool),
		T(test_diags_pooled_shared),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
