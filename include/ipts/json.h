#ifndef IPTS_JSON_H
#define IPTS_JSON_H

/*
 * A JSON writer over a FILE: it knows how deep it is and whether a comma
 * is due, so a caller says what it writes (an object, a key, a string)
 * and never how to separate it. Strings go through ipts_json_strn()
 * (escape.h): whatever the bytes, the document is valid JSON.
 *
 * Each object or array is written in one of two styles:
 *   IPTS_JSON_LINE   its members on one line, ", " between them:
 *                    {"a": 1, "b": [true, null]}
 *   IPTS_JSON_BLOCK  each member on a line of its own, indented two
 *                    blanks for each block open, the closing bracket on a
 *                    line of its own one level out; empty, "{}" or "[]".
 * A block may hold lines and a line blocks; keys are followed by ": ".
 *
 * The writer allocates nothing and never fails; a write error stays in
 * the FILE (ferror()). Misuse (a key outside an object, a member without
 * a key, an end without a begin, nesting past IPTS_JSON_MAX_DEPTH) is a
 * bug, caught by assert().
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define IPTS_JSON_MAX_DEPTH 32

enum ipts_json_style {
	IPTS_JSON_LINE,
	IPTS_JSON_BLOCK,
};

struct ipts_json {
	FILE *f;
	unsigned int depth;		/* open objects and arrays */
	bool key_done;			/* a key written, not its value */
	struct {
		bool block;		/* IPTS_JSON_BLOCK */
		bool object;		/* else an array */
		bool any;		/* a member is written */
	} level[IPTS_JSON_MAX_DEPTH];
};

/* Start writing to @f, at the top level (no container open). */
void ipts_json_init(struct ipts_json *w, FILE *f);

/*
 * Containers. Values at the top level are written one after another with
 * nothing between them: ipts_json_eol() ends a line of JSON Lines.
 */
void ipts_json_object_begin(struct ipts_json *w, enum ipts_json_style s);
void ipts_json_object_end(struct ipts_json *w);
void ipts_json_array_begin(struct ipts_json *w, enum ipts_json_style s);
void ipts_json_array_end(struct ipts_json *w);

/* A member's key, in an object; its value comes next. */
void ipts_json_key(struct ipts_json *w, const char *key);

/* Values. A NULL string is written null. */
void ipts_json_string(struct ipts_json *w, const char *s);
void ipts_json_stringn(struct ipts_json *w, const char *s, size_t n);
void ipts_json_uint(struct ipts_json *w, uint64_t v);
void ipts_json_int(struct ipts_json *w, int64_t v);
void ipts_json_bool(struct ipts_json *w, bool v);
void ipts_json_null(struct ipts_json *w);
/*
 * A value written elsewhere (by a writer over another FILE, say): @json
 * is copied as it is, and must be one complete JSON value.
 */
void ipts_json_raw(struct ipts_json *w, const char *json);

/* A key and its value at once. */
void ipts_json_kv_string(struct ipts_json *w, const char *key, const char *s);
void ipts_json_kv_stringn(struct ipts_json *w, const char *key, const char *s,
			  size_t n);
void ipts_json_kv_uint(struct ipts_json *w, const char *key, uint64_t v);
void ipts_json_kv_bool(struct ipts_json *w, const char *key, bool v);
void ipts_json_kv_null(struct ipts_json *w, const char *key);

/* A newline after a complete top-level value. */
void ipts_json_eol(struct ipts_json *w);

#endif
