#ifndef IPTS_DIAG_H
#define IPTS_DIAG_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * A source file kept whole in memory: diagnostics quote it, they never
 * reopen the file.
 */
struct ipts_source {
	char *name;		/* as given on the command line; "-" is stdin */
	char *buf;		/* the bytes and two NULs (len excludes them) */
	size_t len;
};

/* A place in a source: byte offset, 1-based line and column, length. */
struct ipts_loc {
	const struct ipts_source *src;
	uint32_t off, line, col, len;
};

enum ipts_severity {
	IPTS_ERROR,
	IPTS_WARNING,
	IPTS_NOTE,
};

struct ipts_diag {
	struct ipts_loc loc;
	const char *code;	/* "IPT001" for lint findings, else NULL */
	char *msg;
	enum ipts_severity sev; /* after the pointers: 48 bytes, not 56 */
	/* Print no source line under it: the file is not a rules file, and
	 * its lines may be anything (a config file with a token). */
	bool hide_source;
	/* @msg is in its list's pool (ipts_diag_add_text()): freed with the
	 * list, never alone */
	bool pooled;
};

struct ipts_diag_chunk;

/* A growing list of diagnostics; zero-initialise, free with ipts_diags_free. */
struct ipts_diags {
	struct ipts_diag *v;
	size_t n, cap;
	size_t nerrors, nwarnings;
	/* the messages ipts_diag_add_text() copied, in large blocks */
	struct ipts_diag_chunk *pool;
};

/*
 * How a source file is read. Files named on a command line may come from a
 * stranger (a pull request), so by default a symbolic link is not followed,
 * only regular files (and "-", stdin) are read, and at most @max_size bytes
 * (0: no limit).
 */
struct ipts_read_opts {
	bool follow_symlinks;
	uint64_t max_size;
};

/* The default size limit: 64 MiB, six times a 100,000-rule save. */
#define IPTS_READ_MAX_SIZE ((uint64_t)64 << 20)

/*
 * Open @path as ipts_source_load() would: a descriptor to read (stdin's for
 * "-"), or -1 with the reason in @err.
 */
int ipts_source_open(const char *path, const struct ipts_read_opts *o,
		     char *err, size_t errlen);
/*
 * Read a whole file ("-" is stdin) under @o (NULL: the defaults, no link
 * followed and IPTS_READ_MAX_SIZE).
 * NULL with the reason in @err (errlen bytes) on failure.
 */
struct ipts_source *ipts_source_load(const char *path,
				     const struct ipts_read_opts *o,
				     char *err, size_t errlen);
/* ipts_source_load() with the defaults; NULL and errno on failure. */
struct ipts_source *ipts_source_read(const char *path);
/* Wrap bytes already in memory (copied). Never NULL. */
struct ipts_source *ipts_source_from_mem(const char *name, const char *buf,
					 size_t len);
void ipts_source_free(struct ipts_source *src);

/* The line of @src holding byte @off, without its newline. */
const char *ipts_source_line(const struct ipts_source *src, uint32_t off,
			     size_t *len);

void ipts_diag_add(struct ipts_diags *d, enum ipts_severity sev,
		   const struct ipts_loc *loc, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
void ipts_diag_vadd(struct ipts_diags *d, enum ipts_severity sev,
		    const struct ipts_loc *loc, const char *fmt, va_list ap)
	__attribute__((format(printf, 4, 0)));
/* A note attached to the diagnostic before it. */
/* Append every diagnostic of @from to @to, in order; @from ends empty. */
void ipts_diags_move(struct ipts_diags *to, struct ipts_diags *from);
/* The last diagnostic added gets hide_source. */
void ipts_diag_hide_source(struct ipts_diags *d);
void ipts_diag_note(struct ipts_diags *d, const struct ipts_loc *loc,
		    const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* Like ipts_diag_add, with a stable code ("IPT001"); @code is not copied. */
void ipts_diag_add_code(struct ipts_diags *d, enum ipts_severity sev,
			const struct ipts_loc *loc, const char *code,
			const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));
/* Like ipts_diag_add_code (@code NULL: none), the message already made:
 * @msg, from malloc(), is the diagnostic's (freed with it). */
void ipts_diag_add_msg(struct ipts_diags *d, enum ipts_severity sev,
		       const struct ipts_loc *loc, const char *code, char *msg);
/* Like ipts_diag_add_msg, the message's @n bytes copied into @d's pool
 * (a NUL after them): no allocation of its own, freed with @d (one
 * lint of a large file makes 185,000 findings and notes). */
void ipts_diag_add_text(struct ipts_diags *d, enum ipts_severity sev,
			const struct ipts_loc *loc, const char *code,
			const char *msg, size_t n);
/* Like ipts_diag_add_text, with the message of a diagnostic of @d that
 * ipts_diag_add_text() made (@msg, its msg): the two share it (lint's
 * note quoting an earlier rule that shadows many). */
void ipts_diag_add_pooled(struct ipts_diags *d, enum ipts_severity sev,
			  const struct ipts_loc *loc, const char *code,
			  char *msg);
void ipts_diags_free(struct ipts_diags *d);
/* @v in decimal, its last digit at @end[-1] (20 bytes before @end are
 * enough); returns the first digit. The one number writer of the
 * diagnostics' text and lint's messages: no printf a number. */
char *ipts_udigits(char *end, uint64_t v);
/* Sort by file position, stable; notes stay behind their diagnostic. */
void ipts_diags_sort(struct ipts_diags *d);

const char *ipts_severity_name(enum ipts_severity sev);

/* The one process-ending call below cli/: out of memory. */
__attribute__((noreturn)) void ipts_oom(void);
void *ipts_xmalloc(size_t n);
void *ipts_xcalloc(size_t n, size_t size);
void *ipts_xrealloc(void *p, size_t n);
char *ipts_xstrdup(const char *s);

#endif
