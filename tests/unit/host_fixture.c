/*
 * host_fixture.c - see host_fixture.h.
 */
#include "host_fixture.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int host_fx_setup(void **state)
{
	struct host_fx *f = calloc(1, sizeof(*f));

	if (!f)
		return -1;
	f->h = ipts_hostdesc_new();
	*state = f;
	return 0;
}

int host_fx_teardown(void **state)
{
	struct host_fx *f = *state;
	char path[512];
	struct dirent *e;
	DIR *dir;

	if (f->dir[0]) {
		dir = opendir(f->dir);
		while (dir && (e = readdir(dir)))
			if (e->d_name[0] != '.') {
				snprintf(path, sizeof(path), "%s/%s", f->dir,
					 e->d_name);
				unlink(path);
			}
		if (dir)
			closedir(dir);
		rmdir(f->dir);
	}
	ipts_hostdesc_free(f->h);
	ipts_diags_free(&f->d);
	free(f);
	return 0;
}

static void need_dir(struct host_fx *f)
{
	if (f->dir[0])
		return;
	snprintf(f->dir, sizeof(f->dir), "/tmp/ipts-host-test-XXXXXX");
	assert_non_null(mkdtemp(f->dir));
}

void host_fx_write(struct host_fx *f, const char *name, const char *text)
{
	char path[256];
	FILE *fp;

	need_dir(f);
	snprintf(path, sizeof(path), "%s/%s", f->dir, name);
	fp = fopen(path, "w");
	assert_non_null(fp);
	fputs(text, fp);
	assert_int_equal(fclose(fp), 0);
}

int host_fx_read(struct host_fx *f)
{
	need_dir(f);
	return ipts_hostdesc_read_dir(f->h, f->dir, &f->d);
}

const char *host_fx_fixture(const char *name)
{
	static char path[512];

	snprintf(path, sizeof(path), "%s/%s", IPTS_HOST_FIXTURES, name);
	return path;
}
