/*
 * validate.c - the checks the kernel makes when a table is committed.
 *
 * Mirrors translate_table() in net/ipv4/netfilter/ip_tables.c:
 * mark_source_chains() works out from which hooks each rule can be reached
 * (and refuses jump loops with ELOOP), then find_check_entry() runs
 * xt_check_match()/xt_check_target() (an extension's .table, .hooks and
 * .proto) and each extension's checkentry on every rule (checkentry.c,
 * given the hooks each rule is reached from). None of this runs
 * under `iptables-restore --test`; a real load fails with only "line N
 * failed", the reason in the kernel log. Here each problem is reported at
 * the rule, with the kernel's words.
 *
 * Reachability is computed per chain, not per rule: the kernel's walk
 * stops in a chain at the first rule that is unconditional (no match, no
 * -s/-d/-i/-o/-p/-f) with an ACCEPT, DROP, QUEUE or RETURN verdict, so the
 * rules after it are reached from no hook, are not hook-checked, and their
 * jumps are not followed. Everything is iterative (explicit queues and
 * stacks) and linear in chains + rules.
 */
#include "validate_int.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/netfilter/x_tables.h>

/* ---- small helpers ------------------------------------------------- */

void ipts_sbuf_add(struct ipts_sbuf *s, const char *fmt, ...)
{
	va_list ap;
	int k;

	for (;;) {
		size_t room = s->cap - s->len;

		va_start(ap, fmt);
		k = vsnprintf(s->p ? s->p + s->len : NULL, room, fmt, ap);
		va_end(ap);
		if (k < 0)
			return;
		if ((size_t)k < room) {
			s->len += (size_t)k;
			return;
		}
		s->cap = s->cap * 2 + (size_t)k + 64;
		s->p = ipts_xrealloc(s->p, s->cap);
	}
}

const char *ipts_sbuf_str(struct ipts_sbuf *s)
{
	return s->p ? s->p : "";
}

static uint32_t ptr_hash(const void *p, uint32_t size)
{
	uint64_t x = (uint64_t)(uintptr_t)p;

	x ^= x >> 29;
	x *= 0x9e3779b97f4a7c15ull;
	return (uint32_t)(x >> 32) & (size - 1);
}

static void index_build(struct vctx *v)
{
	uint32_t i;

	v->hsize = 16;
	while (v->hsize < v->n * 2)
		v->hsize *= 2;
	v->hkey = ipts_xcalloc(v->hsize, sizeof(*v->hkey));
	v->hval = ipts_xcalloc(v->hsize, sizeof(*v->hval));
	for (i = 0; i < v->n; i++) {
		const struct ipts_chain *c = v->t->chains[i];
		uint32_t h = ptr_hash(c, v->hsize);

		while (v->hkey[h])
			h = (h + 1) & (v->hsize - 1);
		v->hkey[h] = c;
		v->hval[h] = i;
	}
}

/* Index of @c in t->chains, or UINT32_MAX (a chain of another table). */
static uint32_t chain_index(const struct vctx *v, const struct ipts_chain *c)
{
	uint32_t h = ptr_hash(c, v->hsize);

	while (v->hkey[h]) {
		if (v->hkey[h] == c)
			return v->hval[h];
		h = (h + 1) & (v->hsize - 1);
	}
	return UINT32_MAX;
}

/* The rule's jump target, when it is a user chain the walk follows. */
static const struct ipts_chain *jump_dest(const struct ipts_rule *r)
{
	if (r->kind != IPTS_TGT_JUMP && r->kind != IPTS_TGT_GOTO)
		return NULL;
	if (!r->dest || r->dest->hook >= 0)
		return NULL;
	return r->dest;
}

/*
 * mark_source_chains() treats a rule as the end of the walk when it has
 * no match, an all-zero struct ipt_ip (ip6t_ip6) and a standard verdict
 * (< 0).
 */
static bool ends_walk(const struct ipts_rule *r)
{
	static const struct ipt_ip uncond;
	static const struct ip6t_ip6 uncond6;

	switch (r->kind) {
	case IPTS_TGT_ACCEPT:
	case IPTS_TGT_DROP:
	case IPTS_TGT_QUEUE:
	case IPTS_TGT_RETURN:
		break;
	default:
		return false;
	}
	if (ipts_rule_family(r) == IPTS_FAMILY_IPV6)
		return r->e6->target_offset == sizeof(struct ip6t_entry) &&
		       memcmp(&r->e6->ipv6, &uncond6, sizeof(uncond6)) == 0;
	return r->e->target_offset == sizeof(struct ipt_entry) &&
	       memcmp(&r->e->ip, &uncond, sizeof(uncond)) == 0;
}

/* ---- reachability (mark_source_chains) ------------------------------ */

static void compute_live(struct vctx *v)
{
	uint32_t i, k;

	for (i = 0; i < v->n; i++) {
		struct ipts_chain *c = v->t->chains[i];

		v->live[i] = c->nrules;
		for (k = 0; k < c->nrules; k++) {
			if (ends_walk(c->rules[k])) {
				v->live[i] = k + 1;
				break;
			}
		}
	}
}

/*
 * The jumps the walk follows, per chain in rule order (the rules before
 * live[]): jrule[jstart[i] .. jstart[i + 1]) and the index of each one's
 * chain in jdest[] (UINT32_MAX: a chain of another table). Read once here,
 * so the walk from each hook and the search for loops need not read every
 * rule again.
 */
static void compute_jumps(struct vctx *v)
{
	uint32_t i, k, n = 0;

	v->jstart = ipts_xcalloc((size_t)v->n + 1, sizeof(*v->jstart));
	for (i = 0; i < v->n; i++) {
		const struct ipts_chain *c = v->t->chains[i];

		for (k = 0; k < v->live[i]; k++)
			n += jump_dest(c->rules[k]) != NULL;
	}
	v->jrule = ipts_xmalloc((n ? n : 1) * sizeof(*v->jrule));
	v->jdest = ipts_xmalloc((n ? n : 1) * sizeof(*v->jdest));
	n = 0;
	for (i = 0; i < v->n; i++) {
		const struct ipts_chain *c = v->t->chains[i];

		v->jstart[i] = n;
		for (k = 0; k < v->live[i]; k++) {
			const struct ipts_chain *dest = jump_dest(c->rules[k]);

			if (!dest)
				continue;
			v->jrule[n] = c->rules[k];
			v->jdest[n++] = chain_index(v, dest);
		}
	}
	v->jstart[v->n] = n;
}

static void count_refs(struct vctx *v)
{
	uint32_t i, k;

	for (i = 0; i < v->n; i++)
		v->t->chains[i]->refs = 0;
	for (i = 0; i < v->n; i++) {
		struct ipts_chain *c = v->t->chains[i];

		for (k = 0; k < c->nrules; k++) {
			struct ipts_rule *r = c->rules[k];

			if ((r->kind == IPTS_TGT_JUMP ||
			     r->kind == IPTS_TGT_GOTO) && r->dest)
				r->dest->refs++;
		}
	}
}

/* libiptc's iptcc_map_target(): "Can't jump to builtins" (EINVAL). */
static void check_builtin_jumps(struct vctx *v)
{
	uint32_t i, k;

	for (i = 0; i < v->n; i++) {
		struct ipts_chain *c = v->t->chains[i];

		for (k = 0; k < c->nrules; k++) {
			struct ipts_rule *r = c->rules[k];
			struct ipts_loc at;

			if ((r->kind != IPTS_TGT_JUMP &&
			     r->kind != IPTS_TGT_GOTO) || !r->dest ||
			    r->dest->hook < 0)
				continue;
			at = ipts_rule_target_loc(r);
			ipts_diag_add(v->d, IPTS_ERROR, &at,
				      "cannot %s to built-in chain '%s': only user-defined chains can be a target",
				      r->kind == IPTS_TGT_GOTO ? "goto" : "jump",
				      r->dest->name);
			v->errors++;
		}
	}
}

/* Breadth first from each built-in chain, over the rules the walk reaches. */
static void compute_hooks(struct vctx *v)
{
	uint32_t *queue = ipts_xmalloc((v->n ? v->n : 1) * sizeof(*queue));
	unsigned int h;

	for (h = 0; h < NF_INET_NUMHOOKS; h++) {
		struct ipts_chain *b = v->t->builtin[h];
		uint32_t head = 0, tail = 0, bi;

		if (!(v->t->valid_hooks & (1u << h)) || !b)
			continue;
		bi = chain_index(v, b);
		if (bi == UINT32_MAX)
			continue;
		v->mask[bi] |= (uint8_t)(1u << h);
		queue[tail++] = bi;
		while (head < tail) {
			uint32_t ci = queue[head++];
			uint32_t k;

			for (k = v->jstart[ci]; k < v->jstart[ci + 1]; k++) {
				uint32_t di = v->jdest[k];

				if (di == UINT32_MAX ||
				    (v->mask[di] & (1u << h)))
					continue;
				v->mask[di] |= (uint8_t)(1u << h);
				v->via[(size_t)h * v->n + di] = v->jrule[k];
				queue[tail++] = di;
			}
		}
	}
	free(queue);
}

static void report_loop(struct vctx *v, const struct ipts_rule *r,
			const uint32_t *stack, uint32_t from, uint32_t top)
{
	struct ipts_sbuf s = { 0 };
	struct ipts_loc at;
	uint32_t len = top - from + 1, i;

	ipts_sbuf_add(&s, "jump loop: ");
	for (i = from; i <= top; i++) {
		/* A loop thousands of chains long: keep both ends. */
		if (len > 12 && i == from + 5) {
			ipts_sbuf_add(&s, "... -> ");
			i = top - 5;
		}
		ipts_sbuf_add(&s, "'%s' -> ", v->t->chains[stack[i]]->name);
	}
	ipts_sbuf_add(&s, "'%s'", r->dest->name);
	at = ipts_rule_target_loc(r);
	ipts_diag_add(v->d, IPTS_ERROR, &at,
		      "%s: the kernel refuses the table (ELOOP)", ipts_sbuf_str(&s));
	v->errors++;
	free(s.p);
}

/*
 * The kernel finds a loop when its walk from a hook meets a rule already
 * on the walk. Depth first over the chains reached from the hooks, with
 * an explicit stack: chains can nest thousands deep.
 */
static void find_loops(struct vctx *v)
{
	enum { WHITE, GREY, BLACK };
	uint8_t *color = ipts_xcalloc(v->n ? v->n : 1, 1);
	uint32_t *stack = ipts_xmalloc((v->n ? v->n : 1) * sizeof(*stack));
	uint32_t *pos = ipts_xmalloc((v->n ? v->n : 1) * sizeof(*pos));
	uint32_t *depth = ipts_xmalloc((v->n ? v->n : 1) * sizeof(*depth));
	uint32_t root;

	for (root = 0; root < v->n; root++) {
		uint32_t sp = 0;

		if (v->t->chains[root]->hook < 0 || color[root] != WHITE)
			continue;
		color[root] = GREY;
		depth[root] = 0;
		stack[sp] = root;
		pos[sp++] = v->jstart[root];
		while (sp) {
			uint32_t ci = stack[sp - 1];
			const struct ipts_rule *r;
			uint32_t k = pos[sp - 1], di;

			if (k == v->jstart[ci + 1]) {
				color[ci] = BLACK;
				sp--;
				continue;
			}
			r = v->jrule[k];
			pos[sp - 1] = k + 1;
			di = v->jdest[k];
			if (di == UINT32_MAX)
				continue;
			if (color[di] == GREY) {
				report_loop(v, r, stack, depth[di], sp - 1);
			} else if (color[di] == WHITE) {
				color[di] = GREY;
				depth[di] = sp;
				stack[sp] = di;
				pos[sp++] = v->jstart[di];
			}
		}
	}
	free(color);
	free(stack);
	free(pos);
	free(depth);
}

/* ---- diagnostics with the path a hook takes ------------------------- */

/*
 * ", reached from INPUT via 'A' -> 'B'" for a rule of user chain @c
 * reached from one of @bad's hooks; the first jump of the path in @first.
 */
static void reach_text(const struct vctx *v, const struct ipts_chain *c,
		       unsigned int bad, struct ipts_sbuf *s,
		       const struct ipts_rule **first)
{
	const struct ipts_chain **path;
	uint32_t np = 0, ci, i;
	unsigned int h;

	*first = NULL;
	if (c->hook >= 0 || !bad)
		return;
	for (h = 0; !(bad & (1u << h)); h++)
		;
	ci = chain_index(v, c);
	path = ipts_xmalloc(v->n * sizeof(*path));
	while (ci != UINT32_MAX && v->t->chains[ci]->hook < 0 && np < v->n) {
		const struct ipts_rule *r = v->via[(size_t)h * v->n + ci];

		path[np++] = v->t->chains[ci];
		if (!r)
			break;
		*first = r;
		ci = chain_index(v, r->chain);
	}
	ipts_sbuf_add(s, ", reached from %s via ", ipts_hook_chain_name(h));
	for (i = np; i-- > 0;) {
		if (np > 12 && i == np - 6) {
			ipts_sbuf_add(s, "... -> ");
			i = 5;
		}
		ipts_sbuf_add(s, "'%s'%s", path[i]->name, i ? " -> " : "");
	}
	free(path);
}

/* An error about a rule; hook problems name the path that causes them. */
void ipts_rule_error(struct vctx *v, const struct ipts_rule *r,
		     const struct ipts_loc *loc, unsigned int bad_hooks,
		     const char *fmt, ...)
{
	struct ipts_sbuf s = { 0 };
	const struct ipts_rule *first = NULL;
	va_list ap;
	char *msg = NULL;

	va_start(ap, fmt);
	if (vasprintf(&msg, fmt, ap) < 0)
		ipts_oom();
	va_end(ap);
	ipts_sbuf_add(&s, "%s", msg);
	free(msg);
	reach_text(v, r->chain, bad_hooks, &s, &first);
	ipts_diag_add(v->d, IPTS_ERROR, loc, "%s", ipts_sbuf_str(&s));
	if (first) {
		struct ipts_loc at = ipts_rule_target_loc(first);

		ipts_diag_note(v->d, &at, "'%s' is entered from %s here",
			       first->dest->name, first->chain->name);
	}
	v->errors++;
	free(s.p);
}

/* find_check_entry() on every rule, reached or not, in table order. */
static void check_entries(struct vctx *v)
{
	uint32_t i, k;

	for (i = 0; i < v->n; i++) {
		struct ipts_chain *c = v->t->chains[i];

		for (k = 0; k < c->nrules; k++)
			ipts_checkentry_rule(v, c->rules[k],
					     k < v->live[i] ? v->mask[i] : 0);
	}
}

int ipts_table_validate(struct ipts_table *t, struct ipts_diags *d)
{
	struct vctx v = { .t = t, .d = d, .n = t->nchains };
	size_t cells = v.n ? v.n : 1;

	v.live = ipts_xcalloc(cells, sizeof(*v.live));
	v.mask = ipts_xcalloc(cells, sizeof(*v.mask));
	v.via = ipts_xcalloc(cells * NF_INET_NUMHOOKS, sizeof(*v.via));
	index_build(&v);

	count_refs(&v);
	compute_live(&v);
	check_builtin_jumps(&v);
	compute_jumps(&v);
	compute_hooks(&v);
	find_loops(&v);
	check_entries(&v);

	free(v.live);
	free(v.mask);
	free(v.via);
	free(v.hkey);
	free(v.hval);
	free(v.jstart);
	free(v.jrule);
	free(v.jdest);
	free(v.idletimers);
	free(v.rateests);
	return v.errors ? -1 : 0;
}
