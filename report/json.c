/*
 * json.c - the JSON writer of json.h: the separators and the indentation
 * every JSON and SARIF document of iptsim shares, in one place. A value
 * is written in three steps: what separates it from the member before
 * (nothing, ", ", or ",\n" and the indentation), the value, and the
 * note that its container is no longer empty.
 */
#include "json.h"

#include <assert.h>
#include <inttypes.h>

#include "escape.h"

void ipts_json_init(struct ipts_json *w, FILE *f)
{
	w->f = f;
	w->depth = 0;
	w->key_done = false;
}

/* A new line, indented two blanks for each block open (a line-style
 * container adds no level: diff's block arrays in a one-line object
 * stand at the margin). */
static void indent(struct ipts_json *w)
{
	unsigned int i;

	fputc('\n', w->f);
	for (i = 0; i < w->depth; i++)
		if (w->level[i].block)
			fputs("  ", w->f);
}

/* Before a key, or a value not after a key. */
static void separate(struct ipts_json *w)
{
	unsigned int d = w->depth;

	if (d == 0)
		return;
	if (w->level[d - 1].any)
		fputs(w->level[d - 1].block ? "," : ", ", w->f);
	if (w->level[d - 1].block)
		indent(w);
	w->level[d - 1].any = true;
}

/* Before every value: in an object, its key is written already. */
static void value(struct ipts_json *w)
{
	if (w->key_done) {
		w->key_done = false;
		return;
	}
	assert(w->depth == 0 || !w->level[w->depth - 1].object);
	separate(w);
}

static void begin(struct ipts_json *w, enum ipts_json_style s, bool object)
{
	value(w);
	assert(w->depth < IPTS_JSON_MAX_DEPTH);
	w->level[w->depth].block = s == IPTS_JSON_BLOCK;
	w->level[w->depth].object = object;
	w->level[w->depth].any = false;
	w->depth++;
	fputc(object ? '{' : '[', w->f);
}

static void end(struct ipts_json *w, bool object)
{
	assert(w->depth > 0 && w->level[w->depth - 1].object == object);
	assert(!w->key_done);
	w->depth--;
	if (w->level[w->depth].block && w->level[w->depth].any)
		indent(w);
	fputc(object ? '}' : ']', w->f);
}

void ipts_json_object_begin(struct ipts_json *w, enum ipts_json_style s)
{
	begin(w, s, true);
}

void ipts_json_object_end(struct ipts_json *w)
{
	end(w, true);
}

void ipts_json_array_begin(struct ipts_json *w, enum ipts_json_style s)
{
	begin(w, s, false);
}

void ipts_json_array_end(struct ipts_json *w)
{
	end(w, false);
}

void ipts_json_key(struct ipts_json *w, const char *key)
{
	assert(w->depth > 0 && w->level[w->depth - 1].object);
	assert(!w->key_done && key);
	separate(w);
	ipts_json_str(w->f, key);
	fputs(": ", w->f);
	w->key_done = true;
}

void ipts_json_string(struct ipts_json *w, const char *s)
{
	value(w);
	ipts_json_str(w->f, s);
}

void ipts_json_stringn(struct ipts_json *w, const char *s, size_t n)
{
	value(w);
	ipts_json_strn(w->f, s, n);
}

void ipts_json_uint(struct ipts_json *w, uint64_t v)
{
	value(w);
	fprintf(w->f, "%" PRIu64, v);
}

void ipts_json_int(struct ipts_json *w, int64_t v)
{
	value(w);
	fprintf(w->f, "%" PRId64, v);
}

void ipts_json_bool(struct ipts_json *w, bool v)
{
	value(w);
	fputs(v ? "true" : "false", w->f);
}

void ipts_json_null(struct ipts_json *w)
{
	value(w);
	fputs("null", w->f);
}

void ipts_json_raw(struct ipts_json *w, const char *json)
{
	value(w);
	fputs(json, w->f);
}

void ipts_json_kv_string(struct ipts_json *w, const char *key, const char *s)
{
	ipts_json_key(w, key);
	ipts_json_string(w, s);
}

void ipts_json_kv_stringn(struct ipts_json *w, const char *key, const char *s,
			  size_t n)
{
	ipts_json_key(w, key);
	ipts_json_stringn(w, s, n);
}

void ipts_json_kv_uint(struct ipts_json *w, const char *key, uint64_t v)
{
	ipts_json_key(w, key);
	ipts_json_uint(w, v);
}

void ipts_json_kv_bool(struct ipts_json *w, const char *key, bool v)
{
	ipts_json_key(w, key);
	ipts_json_bool(w, v);
}

void ipts_json_kv_null(struct ipts_json *w, const char *key)
{
	ipts_json_key(w, key);
	ipts_json_null(w);
}

void ipts_json_eol(struct ipts_json *w)
{
	assert(w->depth == 0 && !w->key_done);
	fputc('\n', w->f);
}
