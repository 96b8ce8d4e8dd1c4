/*
 * load.c - the one way in: a file named by a user (or a pull request)
 * read as ipts_source_load() reads it, then loaded as ipts_parse() loads
 * it. A file that cannot be read is an error at that file, like any
 * other, so that every caller reports it alike and none reads a rules
 * file by other means.
 */
#include "parser.h"

#include <stdio.h>

void ipts_load_opts_init(struct ipts_load_opts *o)
{
	*o = (struct ipts_load_opts){
		.read = { .follow_symlinks = false,
			  .max_size = IPTS_READ_MAX_SIZE },
	};
}

enum ipts_load_status ipts_load(const char *path,
				const struct ipts_load_opts *o,
				struct ipts_load *out, struct ipts_diags *diags)
{
	struct ipts_load_opts dflt;

	if (!o) {
		ipts_load_opts_init(&dflt);
		o = &dflt;
	}
	out->rs = NULL;
	out->why[0] = '\0';
	out->src = ipts_source_load(path, &o->read, out->why, sizeof(out->why));
	if (!out->src) {
		struct ipts_loc at = { 0 };

		/* The error needs a file to point into: an empty one. */
		out->src = ipts_source_from_mem(path, "", 0);
		at.src = out->src;
		ipts_diag_add(diags, IPTS_ERROR, &at, "cannot read '%s': %s",
			      path, out->why);
		return out->status = IPTS_LOAD_UNREADABLE;
	}
	out->rs = ipts_parse(out->src, &o->parse, diags);
	return out->status = out->rs ? IPTS_LOAD_OK : IPTS_LOAD_INVALID;
}
