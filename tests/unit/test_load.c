/*
 * test_load.c - ipts_load(), the one way in: a file read under the read
 * options (no link followed, regular files only, a size cap) and loaded;
 * what cannot be read is an error at the file, with a source to point
 * into, and nothing is parsed.
 */
#include "fixture.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

static const char good[] =
	"*filter\n:INPUT ACCEPT [0:0]\n:FORWARD ACCEPT [0:0]\n"
	":OUTPUT ACCEPT [0:0]\n-A INPUT -p tcp --dport 22 -j ACCEPT\n"
	"COMMIT\n";

struct dir {
	char path[64];
};

static void put(const struct dir *d, const char *name, const char *text,
		char *out, size_t len)
{
	FILE *f;

	snprintf(out, len, "%s/%s", d->path, name);
	f = fopen(out, "w");
	assert_non_null(f);
	fputs(text, f);
	assert_int_equal(fclose(f), 0);
}

static int dir_setup(void **state)
{
	struct dir *d = calloc(1, sizeof(*d));

	assert_non_null(d);
	snprintf(d->path, sizeof(d->path), "/tmp/ipts-load.XXXXXX");
	assert_non_null(mkdtemp(d->path));
	*state = d;
	return 0;
}

static int dir_teardown(void **state)
{
	struct dir *d = *state;
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", d->path);
	assert_int_equal(system(cmd), 0);
	free(d);
	return 0;
}

static void finish(struct ipts_load *ld, struct ipts_diags *diags)
{
	ipts_ruleset_free(ld->rs);
	ipts_diags_free(diags);
	ipts_source_free(ld->src);
}

static void test_load_a_good_file(void **state)
{
	struct dir *d = *state;
	struct ipts_diags diags = { 0 };
	struct ipts_load ld;
	char path[128];

	put(d, "good.rules", good, path, sizeof(path));
	assert_int_equal(ipts_load(path, NULL, &ld, &diags), IPTS_LOAD_OK);
	assert_int_equal(ld.status, IPTS_LOAD_OK);
	assert_non_null(ld.rs);
	assert_non_null(ld.src);
	assert_int_equal(diags.nerrors, 0);
	finish(&ld, &diags);
}

static void test_load_a_bad_file_is_invalid_with_its_errors(void **state)
{
	struct dir *d = *state;
	struct ipts_diags diags = { 0 };
	struct ipts_load ld;
	char path[128];

	put(d, "bad.rules", "*filter\n-A NOSUCH -j ACCEPT\nCOMMIT\n", path,
	    sizeof(path));
	assert_int_equal(ipts_load(path, NULL, &ld, &diags), IPTS_LOAD_INVALID);
	assert_null(ld.rs);
	assert_true(diags.nerrors >= 1);
	assert_int_equal(diags.v[0].loc.line, 2);
	finish(&ld, &diags);
}

/* A link, a directory, a missing file, a file over the cap: not read, an
 * error at the file (line 0 of an empty source named as the path). */
static void unreadable(const char *path, const struct ipts_load_opts *o,
		       const char *why)
{
	struct ipts_diags diags = { 0 };
	struct ipts_load ld;

	assert_int_equal(ipts_load(path, o, &ld, &diags), IPTS_LOAD_UNREADABLE);
	assert_null(ld.rs);
	assert_non_null(ld.src);
	assert_int_equal(ld.src->len, 0);
	assert_string_equal(ld.src->name, path);
	assert_int_equal(diags.n, 1);
	assert_int_equal(diags.nerrors, 1);
	assert_int_equal(diags.v[0].loc.line, 0);
	assert_ptr_equal(diags.v[0].loc.src, ld.src);
	assert_non_null(strstr(diags.v[0].msg, "cannot read '"));
	assert_non_null(strstr(ld.why, why));
	assert_non_null(strstr(diags.v[0].msg, ld.why));
	finish(&ld, &diags);
}

static void test_load_what_cannot_be_read(void **state)
{
	struct dir *d = *state;
	struct ipts_load_opts o;
	char path[128], link[160], big[128];

	put(d, "target.rules", good, path, sizeof(path));
	snprintf(link, sizeof(link), "%s/link.rules", d->path);
	assert_int_equal(symlink(path, link), 0);
	unreadable(link, NULL, "symbolic link");
	unreadable(d->path, NULL, "directory");
	snprintf(big, sizeof(big), "%s/none.rules", d->path);
	unreadable(big, NULL, "No such file");

	ipts_load_opts_init(&o);
	o.read.max_size = 16;
	unreadable(path, &o, "more than the limit of 16");
}

/* --follow-symlinks: the link is read through. */
static void test_load_follows_a_link_when_told(void **state)
{
	struct dir *d = *state;
	struct ipts_diags diags = { 0 };
	struct ipts_load_opts o;
	struct ipts_load ld;
	char path[128], link[160];

	put(d, "target.rules", good, path, sizeof(path));
	snprintf(link, sizeof(link), "%s/link.rules", d->path);
	assert_int_equal(symlink(path, link), 0);
	ipts_load_opts_init(&o);
	o.read.follow_symlinks = true;
	assert_int_equal(ipts_load(link, &o, &ld, &diags), IPTS_LOAD_OK);
	finish(&ld, &diags);
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, dir_setup, dir_teardown)
	const struct CMUnitTest tests[] = {
		T(test_load_a_good_file),
		T(test_load_a_bad_file_is_invalid_with_its_errors),
		T(test_load_what_cannot_be_read),
		T(test_load_follows_a_link_when_told),
	};
#undef T

	return cmocka_run_group_tests(tests, NULL, NULL);
}
