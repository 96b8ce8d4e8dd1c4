/*
 * marker.c - a stand-in for a hostile libxt_*.so: its constructor, run by
 * dlopen() before libxtables looks for any extension in it, creates the
 * file MARKER. tests/extdir/run.sh builds it once per path it plants.
 */
#include <fcntl.h>
#include <unistd.h>

__attribute__((constructor)) static void mark(void)
{
	int fd = open(MARKER, O_WRONLY | O_CREAT | O_APPEND, 0600);

	if (fd >= 0) {
		(void)!write(fd, "loaded\n", 7);
		close(fd);
	}
}
