/*
 * legs.c - both files at once: `iptsim trace rules.v4 rules.v6 --dst
 * localhost`. The name becomes its addresses in the target's
 * getaddrinfo() order (gai.c); each address is a leg, answered by the
 * single-file machinery (ipts_cli_load_keep(), ipts_simulate_limited())
 * on the file of its family with the command's packet options replayed;
 * a leg no file answers (none of its family given, or a family the
 * simulator refuses) is undetermined with that reason, never connected.
 * Then the client: it tries the legs in order, as glibc's callers
 * (Python's create_connection(), curl without Happy Eyeballs) do: a
 * refusal sends it on at once, a dropped SYN after IPTS_SYN_TIMEOUT_S,
 * the first connected leg ends it.
 */
#include "legs.h"

#include "cli.h"
#include "escape.h"
#include "host_opts.h"
#include "json.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

void ipts_legs_opts_init(struct ipts_legs_opts *o)
{
	memset(o, 0, sizeof(*o));
}

int ipts_legs_opts_keep(struct ipts_legs_opts *o, const char *cmd, int c,
			const char *arg)
{
	struct in_addr a4;

	if (o->n == IPTS_LEGS_MAX_OPTS) {
		ipts_usage_error(cmd, "more than %d packet options",
				 IPTS_LEGS_MAX_OPTS);
		return -1;
	}
	o->opt[o->n].code = c;
	o->opt[o->n++].arg = arg;
	if (c != IPTS_QOPT_DST)
		return 0;
	o->dst = arg;
	return inet_pton(AF_INET, arg, &a4) != 1;
}

static bool is_literal(const char *s)
{
	struct ipts_gai_addr a;
	const char *pc = strchr(s, '%');
	char buf[INET6_ADDRSTRLEN];

	/* fe80::1%eth0: an address with its zone, no name */
	if (pc && (size_t)(pc - s) < sizeof(buf)) {
		memcpy(buf, s, (size_t)(pc - s));
		buf[pc - s] = '\0';
		return ipts_gai_literal(buf, &a) && a.family == AF_INET6;
	}
	return ipts_gai_literal(s, &a);
}

bool ipts_legs_wanted(const struct ipts_legs_opts *o, int nfiles)
{
	return nfiles != 1 || (o->dst && !is_literal(o->dst));
}

int ipts_legs_opts_apply_dst(const struct ipts_legs_opts *o,
			     struct ipts_query *q, char *msg, size_t len)
{
	struct in_addr a4;

	if (!o->dst || inet_pton(AF_INET, o->dst, &a4) == 1)
		return 0; /* applied in the option loop */
	return ipts_query_option(q, IPTS_QOPT_DST, o->dst, msg, len);
}

/* -- files -------------------------------------------------------------- */

bool ipts_legs_looks_like_rules(const char *path,
				const struct ipts_cli_input *in)
{
	struct ipts_source *s;
	const char *p, *end;
	char err[256];
	bool yes = false;

	if (strcmp(path, "-") == 0)
		return false;
	s = ipts_source_load(path, &in->read, err, sizeof(err));
	if (!s)
		return false;
	for (p = s->buf, end = s->buf + s->len; p < end;) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));

		if (*p != '\n' && *p != '#') {
			yes = *p == '*';
			break;
		}
		if (!nl)
			break;
		p = nl + 1;
	}
	ipts_source_free(s);
	return yes;
}

static const char *family_word(int af)
{
	return af == AF_INET6 ? "IPv6" : "IPv4";
}

int ipts_legs_load(struct ipts_legs *L, const struct ipts_legs_env *env,
		   int npaths, char **paths, char *why, size_t whylen)
{
	int i;

	for (i = 0; i < npaths; i++) {
		struct ipts_source *src = NULL;
		struct ipts_ruleset *rs;
		struct ipts_legs_file *f;
		char fwhy[512] = "";
		int fam;

		env->in->refused_v6 = false;
		rs = ipts_cli_load_keep(env->cmd, paths[i], env->in, &src,
					env->keep, fwhy, sizeof(fwhy));
		if (!rs && !env->in->refused_v6) {
			snprintf(why, whylen, "%s", fwhy);
			L->failed_src = src; /* @keep points into it */
			L->failed = paths[i];
			return -1;
		}
		if (rs &&
		    ipts_cli_ipsets_check(env->sets, rs, env->cmd, paths[i],
					  env->in->color, why, whylen) < 0) {
			ipts_ruleset_free(rs);
			L->failed_src = src;
			L->failed = paths[i];
			return -1;
		}
		fam = !rs || rs->family == IPTS_FAMILY_IPV6;
		f = &L->file[fam];
		if (f->given) {
			snprintf(why, whylen,
				 "'%s' and '%s' are both %s files: "
				 "give one of each family",
				 f->path, paths[i],
				 family_word(fam ? AF_INET6 : AF_INET));
			ipts_usage_error(env->cmd, "%s", why);
			ipts_ruleset_free(rs);
			L->failed_src = src;
			L->failed = paths[i];
			return -1;
		}
		f->given = true;
		f->path = paths[i];
		f->src = src;
		f->rs = rs;
		snprintf(f->why, sizeof(f->why), "%s", fwhy);
		if (rs) {
			f->ctx = env->host ?
					 ipts_sim_prepare_on(rs, env->host) :
					 ipts_sim_prepare(rs);
			ipts_sim_use_ipsets(f->ctx, env->sets->sets);
		}
	}
	return 0;
}

void ipts_legs_borrow(struct ipts_legs *L, const char *path,
		      struct ipts_ruleset *rs, struct ipts_sim_ctx *ctx)
{
	struct ipts_legs_file *f = &L->file[rs->family == IPTS_FAMILY_IPV6];

	f->given = f->borrowed = true;
	f->path = path;
	f->rs = rs;
	f->ctx = ctx;
}

void ipts_legs_free(struct ipts_legs *L)
{
	unsigned int i;

	ipts_legs_reset(L);
	for (i = 0; i < 2; i++) {
		if (L->file[i].borrowed)
			continue;
		ipts_sim_free(L->file[i].ctx);
		ipts_ruleset_free(L->file[i].rs);
		ipts_source_free(L->file[i].src);
	}
	ipts_source_free(L->failed_src);
}

/* -- legs --------------------------------------------------------------- */

/* The leg's --dst: the address, or a v4-mapped one's IPv4 address. */
static void leg_dst(const struct ipts_leg *l, char *dst, size_t len)
{
	if (l->addr.family == AF_INET6 && l->family == AF_INET)
		inet_ntop(AF_INET, l->addr.a + 12, dst, (socklen_t)len);
	else
		snprintf(dst, len, "%s", l->addr.text);
}

/*
 * @l's query from the command's packet options in their order: --dst the
 * leg's address, a --src of the other family left out (the leg's source
 * is then its family's loopback, as an unbound socket's over lo).
 */
/*
 * The family an address option's value names: --src and --local-addr an
 * address, --listen [A:]N (an IPv6 A in brackets, or more than one ':');
 * 0 for none (a bare port, or a word that is no address: the option's own
 * parser says what is wrong with it).
 */
static int value_family(int code, const char *v)
{
	struct ipts_gai_addr a;
	const char *colon;

	if (!v)
		return 0;
	if (code == IPTS_QOPT_SRC || code == IPTS_QOPT_LOCAL)
		return ipts_gai_literal(v, &a) ? a.family : 0;
	if (code != IPTS_QOPT_LISTEN)
		return 0;
	colon = strchr(v, ':');
	if (!colon)
		return 0;
	if (*v == '[' || strchr(colon + 1, ':'))
		return AF_INET6;
	return AF_INET;
}

/* Whether option @code with value @v is one of @l's (not an address of
 * the other family). */
static bool for_leg(const struct ipts_leg *l, int code, const char *v)
{
	int fam = value_family(code, v);

	return !fam || fam == l->family;
}

int ipts_legs_build_opts(const struct ipts_leg *l, const char *dst,
			 const struct ipts_hostdesc *host, struct ipts_query *q,
			 char *msg, size_t len, void *arg)
{
	const struct ipts_legs_opts *o = arg;
	struct ipts_gai_addr a;
	bool src = false;
	size_t i;

	ipts_query_init(q);
	for (i = 0; i < o->n; i++) {
		const char *v = o->opt[i].arg;

		if (o->opt[i].code == IPTS_QOPT_DST)
			continue;
		if (o->opt[i].code == IPTS_QOPT_SRC) {
			if (!ipts_gai_literal(v, &a) || a.family != l->family)
				continue;
			src = true;
		}
		if (!for_leg(l, o->opt[i].code, v))
			continue; /* --local-addr, --listen: the other's */
		if (ipts_query_option(q, o->opt[i].code, v, msg, len) < 0)
			return -1;
	}
	if (ipts_query_option(q, IPTS_QOPT_DST, dst, msg, len) < 0)
		return -1;
	if (!src && l->family == AF_INET6) {
		unsigned int given = q->given;

		if (ipts_query_option(q, IPTS_QOPT_SRC, "::1", msg, len) < 0)
			return -1;
		q->given = given;
	}
	ipts_query_finish(q);
	return ipts_query_check_in(q, host, msg, len, NULL);
}

/* @w is option @name ("dst") or a unique abbreviation of it (at least
 * @min letters), alone ("--dst": *val NULL) or with "=VALUE". */
static bool is_opt(const char *w, const char *name, size_t min,
		   const char **val)
{
	size_t n;

	if (strncmp(w, "--", 2) != 0)
		return false;
	w += 2;
	n = strcspn(w, "=");
	if (n < min || n > strlen(name) || strncmp(w, name, n) != 0)
		return false;
	*val = w[n] == '=' ? w + n + 1 : NULL;
	return true;
}

const char *ipts_legs_words_dst(int n, char **w)
{
	const char *dst = NULL, *v;
	int i;

	for (i = 0; i < n; i++)
		if (is_opt(w[i], "dst", 2, &v))
			dst = v ? v : i + 1 < n ? w[++i] : NULL;
	return dst;
}

int ipts_legs_words_check(int n, char **w, const char *dst,
			  const struct ipts_hostdesc *host,
			  struct ipts_query *q, struct ipts_query_error *err)
{
	char *v[IPTS_LEGS_MAX_OPTS], four[] = "127.0.0.1";
	char four_eq[] = "--dst=127.0.0.1";
	int i;

	if (n > IPTS_LEGS_MAX_OPTS) {
		err->argi = IPTS_LEGS_MAX_OPTS;
		snprintf(err->msg, sizeof(err->msg), "more than %d words",
			 IPTS_LEGS_MAX_OPTS);
		return -1;
	}
	/* the same words, the name made 127.0.0.1: errors keep their place */
	for (i = 0; i < n; i++) {
		const char *eq = strchr(w[i], '=');

		v[i] = w[i];
		if (dst && w[i] == dst)
			v[i] = four;
		else if (dst && eq && eq + 1 == dst)
			v[i] = four_eq;
	}
	return ipts_query_parse_args_on(n, v, host, q, err);
}

int ipts_legs_build_words(const struct ipts_leg *l, const char *dst,
			  const struct ipts_hostdesc *host,
			  struct ipts_query *q, char *msg, size_t len,
			  void *arg)
{
	const struct ipts_legs_words *lw = arg;
	char *v[IPTS_LEGS_MAX_OPTS + 4];
	char dstw[48], srcw[] = "::1", dopt[] = "--dst", sopt[] = "--src";
	struct ipts_query_error err;
	struct ipts_gai_addr a;
	bool src = false;
	const char *val;
	int i, n = 0;

	if (lw->n > IPTS_LEGS_MAX_OPTS) {
		snprintf(msg, len, "more than %d words", IPTS_LEGS_MAX_OPTS);
		return -1;
	}
	for (i = 0; i < lw->n; i++) {
		bool d = is_opt(lw->w[i], "dst", 2, &val);
		int code = is_opt(lw->w[i], "local-addr", 3, &val) ?
				   IPTS_QOPT_LOCAL :
			   is_opt(lw->w[i], "listen", 3, &val) ?
				   IPTS_QOPT_LISTEN :
				   0;

		if (code) {
			const char *x = val	      ? val :
					i + 1 < lw->n ? lw->w[i + 1] :
							NULL;

			if (!for_leg(l, code, x)) {
				i += !val; /* its value too */
				continue;
			}
		} else if (d || is_opt(lw->w[i], "src", 2, &val)) {
			const char *x = val	      ? val :
					i + 1 < lw->n ? lw->w[i + 1] :
							NULL;
			bool keep = !d && x && ipts_gai_literal(x, &a) &&
				    a.family == l->family;

			if (!keep) {
				i += !val; /* its value too */
				continue;
			}
			src = true;
		}
		v[n++] = lw->w[i];
	}
	snprintf(dstw, sizeof(dstw), "%s", dst);
	v[n++] = dopt;
	v[n++] = dstw;
	if (!src && l->family == AF_INET6) {
		v[n++] = sopt;
		v[n++] = srcw;
	}
	if (ipts_query_parse_args_on(n, v, host, q, &err) < 0) {
		snprintf(msg, len, "%s", err.msg);
		return -1;
	}
	if (!src && l->family == AF_INET6)
		q->given &= ~(unsigned int)IPTS_QGIVEN_SRC;
	return 0;
}

static void leg_answer(ipts_legs_build *build, void *arg,
		       const struct ipts_legs_env *env, struct ipts_legs *L,
		       struct ipts_leg *l)
{
	const struct ipts_legs_file *f = &L->file[l->family == AF_INET6];
	char msg[256], dst[48];
	int built;

	ipts_result_init(&l->res);
	ipts_result_init(&l->fres);
	leg_dst(l, dst, sizeof(dst));
	built = build(l, dst, env->host, &l->q, msg, sizeof(msg), arg);
	if (built == 0 && l->q.proto == IPPROTO_UDP)
		L->udp = true;
	if (!f->given) {
		snprintf(l->why, sizeof(l->why), "no %s file given",
			 l->family == AF_INET6 ? "ip6tables" : "iptables");
		return;
	}
	l->file = f;
	if (!f->rs) {
		snprintf(l->why, sizeof(l->why), "%s", f->why);
		return;
	}
	if (built < 0) {
		snprintf(l->why, sizeof(l->why), "%s", msg);
		return;
	}
	if (ipts_simulate_limited(f->ctx, &l->q,
				  ipts_cli_budget_next(env->budget),
				  &l->res) < 0) {
		snprintf(l->why, sizeof(l->why), "%s", l->res.why);
		return;
	}
	ipts_cli_budget_spend(env->budget, &l->res);
	l->answered = true;
	if (!env->notes)
		return;
	if (ipts_fresh_may_decide(&l->q, &l->res)) {
		struct ipts_query fq = l->q;

		fq.fresh = true;
		l->fresh_run = ipts_simulate_limited(f->ctx, &fq,
						     ipts_cli_budget_next(
							     env->budget),
						     &l->fres) == 0;
	}
	{
		struct ipts_file_facts ff;

		ipts_file_facts_init(&ff, f->rs);
		ipts_answer_notes(&ff, &l->q, &l->res,
				  l->fresh_run ? &l->fres : NULL, &l->notes);
	}
}

static enum ipts_outcome leg_outcome(const struct ipts_leg *l)
{
	return l->answered ? l->res.outcome : IPTS_UNDETERMINED;
}

void ipts_legs_reset(struct ipts_legs *L)
{
	unsigned int i;

	for (i = 0; i < L->n; i++) {
		ipts_result_free(&L->leg[i].res);
		ipts_result_free(&L->leg[i].fres);
	}
	memset(L->leg, 0, sizeof(L->leg));
	L->n = L->total = 0;
	L->literal = L->udp = false;
}

int ipts_legs_resolve(struct ipts_legs *L, const struct ipts_legs_env *env,
		      const char *dst, char *msg, size_t len)
{
	struct ipts_gai_addr *addrs = L->addrs;
	const struct ipts_source *hs;

	ipts_legs_reset(L);
	if (ipts_cli_input_names(env->in, env->cmd) < 0) {
		msg[0] = '\0';	/* said on stderr */
		return -1;
	}
	hs = env->in->parse.hosts;
	L->name = dst ? dst : "127.0.0.1";
	L->hosts = hs ? env->in->hosts_path : NULL;
	if (ipts_gai_literal(L->name, &addrs[0])) {
		L->literal = true;
		L->total = 1;
	} else if (hs) {
		L->total = ipts_gai_hosts(hs->buf, hs->len, L->name, addrs,
					  IPTS_LEGS_MAX_ADDRS);
	} else {
		L->total = ipts_gai_hosts(ipts_gai_debian_hosts,
					  strlen(ipts_gai_debian_hosts),
					  L->name, addrs, IPTS_LEGS_MAX_ADDRS);
	}
	if (!L->total) {
		if (hs)
			snprintf(msg, len, "'%s' is not in the hosts file '%s'",
				 L->name, L->hosts);
		else
			snprintf(msg, len,
				 "'%s' is not in Debian 12's default "
				 "/etc/hosts (give the target's with --hosts "
				 "FILE)",
				 L->name);
		return -1;
	}
	/* all are sorted, as glibc sorts them; the first few answered */
	if (L->total > IPTS_LEGS_MAX_ADDRS) {
		snprintf(msg, len,
			 "'%s' has %u addresses in the hosts file "
			 "'%s': at most %d",
			 L->name, L->total, L->hosts ? L->hosts : "?",
			 IPTS_LEGS_MAX_ADDRS);
		return -1;
	}
	ipts_gai_sort(addrs, L->total);
	L->n = L->total < IPTS_LEGS_MAX ? L->total : IPTS_LEGS_MAX;
	return 0;
}

/* The client over @L's legs of outcomes @out: past the answered legs,
 * the addresses left out are unknown. */
static void client_of(const struct ipts_legs *L, const enum ipts_outcome *out,
		      struct ipts_legs_client *c)
{
	ipts_legs_client_of(out, L->n, L->udp, c);
	if (L->total > L->n && c->leg == (int)L->n - 1 &&
	    c->outcome != IPTS_CONNECTED && c->outcome != IPTS_RESET &&
	    c->outcome != IPTS_UNDETERMINED && !L->udp) {
		c->outcome = IPTS_UNDETERMINED;
		c->leg = -1;
	}
}

void ipts_legs_answer(struct ipts_legs *L, const struct ipts_legs_env *env,
		      ipts_legs_build *build, void *arg)
{
	enum ipts_outcome out[IPTS_LEGS_MAX];
	unsigned int i, k;

	L->undet = -1;
	for (i = 0; i < L->n; i++) {
		struct ipts_leg *l = &L->leg[i];

		l->addr = L->addrs[i];
		l->family = L->addrs[i].family;
		if (l->family == AF_INET6 &&
		    IN6_IS_ADDR_V4MAPPED((const struct in6_addr *)l->addr.a))
			l->family = AF_INET; /* IPv4 on the wire */
		leg_answer(build, arg, env, L, l);
		out[i] = leg_outcome(l);
		if (out[i] == IPTS_UNDETERMINED && L->undet < 0)
			L->undet = (int)i;
	}
	client_of(L, out, &L->client);
	if (L->client.outcome == IPTS_UNDETERMINED && L->client.leg >= 0) {
		static const enum ipts_outcome hyp[3] = {
			IPTS_CONNECTED,
			IPTS_REFUSED,
			IPTS_TIMEOUT,
		};

		k = (unsigned int)L->client.leg;
		for (i = 0; i < 3; i++) {
			enum ipts_outcome was = out[k];

			out[k] = hyp[i];
			client_of(L, out, &L->if_[i]);
			out[k] = was;
		}
	}
}

int ipts_legs_exit(const struct ipts_legs *L)
{
	switch (L->client.outcome) {
	case IPTS_CONNECTED:
	case IPTS_DELIVERED:
		return IPTS_EXIT_YES;
	case IPTS_UNDETERMINED:
		return IPTS_EXIT_UNDETERMINED;
	default:
		return IPTS_EXIT_NO;
	}
}

/* -- text --------------------------------------------------------------- */

static void upper(FILE *f, const char *s)
{
	for (; *s; s++)
		fputc(*s >= 'a' && *s <= 'z' ? *s - 'a' + 'A' : *s, f);
}

/* "connected to ::1 after about 130 s" of one client outcome. */
static void client_words(FILE *f, const struct ipts_legs *L,
			 const struct ipts_legs_client *c)
{
	const char *addr = c->leg >= 0 ? L->leg[c->leg].addr.text : "?";

	if (c->outcome == IPTS_UNDETERMINED) {
		fprintf(f, "undetermined (%s)",
			c->leg >= 0 ? "a later address is" :
				      "addresses left out");
		return;
	}
	fprintf(f, "%s %s %s", ipts_outcome_name(c->outcome),
		c->outcome == IPTS_CONNECTED || c->outcome == IPTS_RESET ?
			"to" :
			"at",
		addr);
	if (c->wait_s)
		fprintf(f, " after about %u s", c->wait_s);
	else if (!L->udp)
		fputs(" at once", f);
}

void ipts_legs_summary(FILE *f, const struct ipts_legs *L)
{
	upper(f, ipts_outcome_name(L->client.outcome));
	fputs(" — ", f);
	ipts_legs_why(f, L);
}

void ipts_legs_why(FILE *f, const struct ipts_legs *L)
{
	const struct ipts_legs_client *c = &L->client;
	static const char *const hyp[3] = {
		"if it connects",
		"if it is refused",
		"if its SYN is dropped",
	};
	unsigned int i;

	if (c->outcome != IPTS_UNDETERMINED) {
		client_words(f, L, c);
		if (c->wait_s)
			fprintf(f, " (each dropped SYN leg waits the whole "
				   "connect() timeout, tcp_syn_retries=6)");
		return;
	}
	if (c->leg < 0) {
		fprintf(f,
			"the first %u of %u addresses do not connect; the "
			"others are not answered (at most %d)",
			L->n, L->total, IPTS_LEGS_MAX);
		return;
	}
	fputs("depends on the ", f);
	ipts_text_str(f, L->leg[c->leg].addr.text);
	fputs(" leg (", f);
	ipts_text_str(f, L->leg[c->leg].why[0] ? L->leg[c->leg].why :
						 "the file cannot tell");
	fputs(")", f);
	if (L->udp) {
		fputs(": a datagram goes to the first address only", f);
		return;
	}
	fputc(':', f);
	for (i = 0; i < 3; i++) {
		fprintf(f, "%s %s, ", i ? ";" : "", hyp[i]);
		client_words(f, L, &L->if_[i]);
	}
}

static void print_order(FILE *f, const struct ipts_legs *L)
{
	unsigned int i;

	ipts_text_str(f, L->name);
	fputs(": ", f);
	for (i = 0; i < L->n; i++) {
		fputs(i ? ", then " : "", f);
		fputs(L->leg[i].addr.text, f);
	}
	if (L->total > L->n)
		fprintf(f, " (and %u more, not answered)", L->total - L->n);
	if (L->literal) {
		fputs(" (an address: one leg)\n", f);
		return;
	}
	fputs(" — getaddrinfo()'s order for ", f);
	if (L->hosts) {
		fputs("the hosts file '", f);
		ipts_text_file(f, L->hosts);
		fputs("'\n", f);
	} else {
		fputs("Debian 12's default /etc/hosts (give the target's with "
		      "--hosts FILE)\n",
		      f);
	}
}

void ipts_legs_print_text(FILE *f, const struct ipts_legs *L,
			  ipts_legs_leg_text *leg_text, void *arg)
{
	unsigned int i;

	print_order(f, L);
	fputs("client: ", f);
	ipts_legs_summary(f, L);
	fputc('\n', f);
	if (!L->udp && L->n > 1)
		fputs("note: a client that tries only the first address "
		      "(Node.js 17 to 19: dns.lookup() in the resolver's "
		      "order since v17.0.0, net.connect() without "
		      "autoSelectFamily, its default since v20.0.0) sees leg 1 "
		      "alone; with autoSelectFamily a dropped leg costs its "
		      "250 ms attempt timeout, not the kernel's\n",
		      f);
	for (i = 0; i < L->n; i++) {
		const struct ipts_leg *l = &L->leg[i];

		fprintf(f, "\n=== leg %u: %s (%s", i + 1, l->addr.text,
			family_word(l->family));
		if (l->file) {
			fputs(", ", f);
			ipts_text_file(f, l->file->path);
		}
		fputs(")", f);
		if (!l->answered) {
			fputs(": UNDETERMINED — ", f);
			ipts_text_str(f, l->why);
			fputc('\n', f);
			continue;
		}
		fputs("\n", f);
		leg_text(f, l, arg);
	}
}

/* -- json --------------------------------------------------------------- */

static void json_client(struct ipts_json *w, const struct ipts_legs *L,
			const struct ipts_legs_client *c)
{
	ipts_json_object_begin(w, IPTS_JSON_LINE);
	ipts_json_kv_string(w, "outcome", ipts_outcome_name(c->outcome));
	ipts_json_key(w, "address");
	if (c->leg >= 0 && c->outcome != IPTS_UNDETERMINED)
		ipts_json_string(w, L->leg[c->leg].addr.text);
	else
		ipts_json_null(w);
	ipts_json_key(w, "wait_s");
	if (c->outcome == IPTS_UNDETERMINED)
		ipts_json_null(w);
	else
		ipts_json_uint(w, c->wait_s);
	ipts_json_object_end(w);
}

void ipts_legs_print_json(FILE *f, const struct ipts_legs *L,
			  unsigned int flags)
{
	static const char *const hyp[3] = { "connected", "refused", "timeout" };
	struct ipts_json w;
	unsigned int i;

	ipts_json_init(&w, f);
	ipts_json_object_begin(&w, IPTS_JSON_LINE);
	ipts_json_kv_string(&w, "name", L->name);
	ipts_json_key(&w, "hosts");
	if (L->literal)
		ipts_json_null(&w);
	else
		ipts_json_string(&w, L->hosts ? L->hosts : "debian-12-default");
	ipts_json_key(&w, "addresses");
	ipts_json_array_begin(&w, IPTS_JSON_LINE);
	for (i = 0; i < L->n; i++)
		ipts_json_string(&w, L->leg[i].addr.text);
	ipts_json_array_end(&w);
	ipts_json_kv_uint(&w, "addresses_left_out", L->total - L->n);
	ipts_json_kv_uint(&w, "syn_timeout_s", IPTS_SYN_TIMEOUT_S);
	ipts_json_key(&w, "client");
	json_client(&w, L, &L->client);
	ipts_json_key(&w, "depends_on");
	if (L->client.outcome == IPTS_UNDETERMINED && L->client.leg >= 0) {
		ipts_json_object_begin(&w, IPTS_JSON_LINE);
		ipts_json_kv_string(&w, "address",
				    L->leg[L->client.leg].addr.text);
		for (i = 0; !L->udp && i < 3; i++) {
			ipts_json_key(&w, hyp[i]);
			json_client(&w, L, &L->if_[i]);
		}
		ipts_json_object_end(&w);
	} else {
		ipts_json_null(&w);
	}
	ipts_json_key(&w, "legs");
	ipts_json_array_begin(&w, IPTS_JSON_LINE);
	for (i = 0; i < L->n; i++) {
		const struct ipts_leg *l = &L->leg[i];

		ipts_json_object_begin(&w, IPTS_JSON_LINE);
		ipts_json_kv_string(&w, "address", l->addr.text);
		ipts_json_kv_string(&w, "family",
				    l->family == AF_INET6 ? "ipv6" : "ipv4");
		ipts_json_key(&w, "file");
		if (l->file)
			ipts_json_string(&w, l->file->path);
		else
			ipts_json_null(&w);
		ipts_json_kv_string(&w, "outcome",
				    ipts_outcome_name(leg_outcome(l)));
		ipts_json_key(&w, "why");
		if (l->answered)
			ipts_json_null(&w);
		else
			ipts_json_string(&w, l->why);
		ipts_json_key(&w, "answer");
		if (l->answered) {
			char *buf = NULL;
			size_t len = 0;
			FILE *m = open_memstream(&buf, &len);

			if (!m)
				ipts_oom();
			ipts_result_print_json_notes(m, &l->q, &l->res,
						     &l->notes, flags);
			if (fclose(m) != 0)
				ipts_oom();
			while (len && buf[len - 1] == '\n')
				buf[--len] = '\0';
			ipts_json_raw(&w, buf);
			free(buf);
		} else {
			ipts_json_null(&w);
		}
		ipts_json_object_end(&w);
	}
	ipts_json_array_end(&w);
	ipts_json_object_end(&w);
	ipts_json_eol(&w);
}
