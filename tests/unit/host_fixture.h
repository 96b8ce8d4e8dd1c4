#ifndef IPTS_HOST_FIXTURE_H
#define IPTS_HOST_FIXTURE_H

/*
 * host_fixture.h - helpers of the test_host_*.c units: a host directory
 * written into a temporary directory, and addresses from text.
 */
#include "fixture.h"
#include "host.h"

struct host_fx {
	struct ipts_hostdesc *h;
	struct ipts_diags d;
	char dir[64];		/* a mkdtemp() directory, "" until used */
};

int host_fx_setup(void **state);
int host_fx_teardown(void **state);
/* Write @text into @name in the test's temporary directory. */
void host_fx_write(struct host_fx *f, const char *name, const char *text);
/* ipts_hostdesc_read_dir() of the temporary directory. */
int host_fx_read(struct host_fx *f);
/* The path of a fixture directory of tests/host/ ("router"). */
const char *host_fx_fixture(const char *name);

#endif
