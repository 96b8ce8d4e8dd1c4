#ifndef IPTS_CLI_H
#define IPTS_CLI_H

/*
 * The iptsim commands: one file each, cli/cmd_<name>.c, each returning
 * the process exit code (0 yes, 1 no, 2 usage or could not answer,
 * 3 undetermined).
 */
#include <stdio.h>

struct ipts_cli_input;
struct ipts_diags;
struct ipts_ruleset;
struct ipts_source;

enum {
	IPTS_EXIT_YES = 0,
	IPTS_EXIT_NO = 1,
	IPTS_EXIT_USAGE = 2,
	IPTS_EXIT_UNDETERMINED = 3,
	/* diff: changed rules the connections compared cannot meet */
	IPTS_EXIT_NOT_COMPARED = 4,
};

int cmd_check(int argc, char **argv);
int cmd_dump(int argc, char **argv);
int cmd_lint(int argc, char **argv);
int cmd_trace(int argc, char **argv);
int cmd_test(int argc, char **argv);
int cmd_query(int argc, char **argv);
int cmd_diff(int argc, char **argv);
int cmd_graph(int argc, char **argv);
int cmd_exposure(int argc, char **argv);

/* "iptsim CMD: MESSAGE" and the Try line on stderr; returns 2. */
int ipts_usage_error(const char *cmd, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* "iptsim CMD: cannot read 'PATH': WHY" on stderr, escaped. */
void ipts_cli_read_error(const char *cmd, const char *path, const char *why);

/*
 * Read @path under the input options @in (links, size); on failure print
 * "iptsim CMD: cannot read 'PATH': WHY" to stderr and return NULL.
 */
struct ipts_source *ipts_cli_read(const char *cmd, const char *path,
				  struct ipts_cli_input *in);

/*
 * ipts_cli_read() for a command printing a document (json, sarif, junit)
 * that carries the errors: on failure the reason is also added to @keep
 * ("cannot read 'PATH': WHY"), placed at *stub, a source holding only the
 * name (line 0), which the caller frees after @keep.
 */
struct ipts_source *ipts_cli_read_keep(const char *cmd, const char *path,
				       struct ipts_cli_input *in,
				       struct ipts_diags *keep,
				       struct ipts_source **stub);

/*
 * Read and parse @path for a command that needs a valid ruleset. On
 * failure prints why to stderr (diagnostics in text form) and returns
 * NULL; *src is set either way when the file could be read and must be
 * freed by the caller after the ruleset.
 */
struct ipts_ruleset *ipts_cli_load(const char *cmd, const char *path,
				   struct ipts_cli_input *in,
				   struct ipts_source **src);

/*
 * ipts_cli_load() for a command printing a document: on failure, @keep
 * (when not NULL) also gets the load's diagnostics, or the read error as
 * ipts_cli_read_keep() adds it (*src is then the name-only source), and
 * @why (when not NULL) the one-line reason: "'PATH' does not load: 2
 * errors" or "cannot read 'PATH': WHY". *src is freed by the caller after
 * @keep.
 */
struct ipts_ruleset *ipts_cli_load_keep(const char *cmd, const char *path,
					struct ipts_cli_input *in,
					struct ipts_source **src,
					struct ipts_diags *keep, char *why,
					size_t whylen);

#endif
