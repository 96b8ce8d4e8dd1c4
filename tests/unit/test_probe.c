/*
 * test_probe.c - the connections `iptsim diff` asks: values taken from the
 * rules that differ between two files (and the jumps leading to them), the
 * values just around them, the defaults, and the cap.
 */
#include "fixture.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <netinet/in.h>

#include "host.h"
#include "probe.h"
#include "sim.h"

/* Two fixtures: the OLD and the NEW file. */
struct pair {
	void *old, *new_f;
	struct ipts_ruleset *old_rs, *new_rs;
	struct ipts_probe_set set;
};

static int setup(void **state)
{
	struct pair *p = calloc(1, sizeof(*p));

	if (!p || fixture_setup(&p->old) || fixture_setup(&p->new_f))
		return -1;
	*state = p;
	return 0;
}

static int teardown(void **state)
{
	struct pair *p = *state;

	ipts_probe_set_free(&p->set);
	fixture_teardown(&p->old);
	fixture_teardown(&p->new_f);
	free(p);
	return 0;
}

static const char hdr[] =
	"*filter\n:INPUT ACCEPT [0:0]\n:FORWARD ACCEPT [0:0]\n"
	":OUTPUT ACCEPT [0:0]\n";

static struct ipts_ruleset *load(void *fixture, const char *body)
{
	struct ipts_fixture *f = fixture;
	char text[4096];
	struct ipts_ruleset *rs;

	snprintf(text, sizeof(text), "%s%sCOMMIT\n", hdr, body);
	rs = load_str(f, text);
	if (!rs) {
		fixture_dump_diags(f);
		fail_msg("ruleset does not load");
	}
	return rs;
}

/* Derive the probes of OLD @a against NEW @b. */
static struct ipts_probe_set *derive(void **state, const char *a,
				     const char *b,
				     const struct ipts_probe_opts *opts)
{
	struct pair *p = *state;

	ipts_probe_set_free(&p->set);
	p->old_rs = load(p->old, a);
	p->new_rs = load(p->new_f, b);
	assert_int_equal(ipts_probe_derive(p->old_rs, p->new_rs, opts,
					   &p->set), 0);
	return &p->set;
}

#define assert_has(vals, x) assert_true(ipts_probe_vals_has(&(vals), (x)))
#define assert_lacks(vals, x) assert_false(ipts_probe_vals_has(&(vals), (x)))

static void test_probe_identical_files_give_defaults_only(void **state)
{
	const char *r = "-A INPUT -p tcp --dport 443 -j DROP\n"
			"-A OUTPUT -m owner --uid-owner 77 -j DROP\n";
	struct ipts_probe_set *s = derive(state, r, r, NULL);

	assert_int_equal(s->focus_rules, 0);
	assert_int_equal(s->dims.dport.n, 3);	/* 22, 80, 1060 */
	assert_has(s->dims.dport, 1060);
	assert_lacks(s->dims.dport, 443);
	assert_int_equal(s->dims.uid.n, 2);	/* 0, 1000 */
	assert_int_equal(s->dims.proto.n, 1);	/* tcp */
	assert_int_equal(s->n, 3 * 2);
	assert_int_equal(s->total, s->n);
}

static void test_probe_counters_are_no_difference(void **state)
{
	struct ipts_probe_set *s = derive(state,
		"[3:180] -A INPUT -p tcp --dport 443 -j DROP\n",
		"[0:0] -A INPUT -p tcp --dport 443 -j DROP\n", NULL);

	assert_int_equal(s->focus_rules, 0);
	assert_lacks(s->dims.dport, 443);
}

static void test_probe_port_and_its_neighbours(void **state)
{
	struct ipts_probe_set *s = derive(state, "",
		"-A INPUT -p tcp --dport 8080 -j DROP\n"
		"-A INPUT -p tcp --dport 3000:3005 -j DROP\n"
		"-A INPUT -p tcp --sport 1:1023 -j DROP\n", NULL);

	assert_int_equal(s->focus_rules, 3);
	assert_has(s->dims.dport, 8079);
	assert_has(s->dims.dport, 8080);
	assert_has(s->dims.dport, 8081);
	assert_has(s->dims.dport, 2999);
	assert_has(s->dims.dport, 3000);
	assert_has(s->dims.dport, 3005);
	assert_has(s->dims.dport, 3006);
	assert_lacks(s->dims.dport, 3002);
	/* a source port range: the client's side, and the server's replies */
	assert_has(s->dims.sport, 1023);
	assert_has(s->dims.sport, 1024);
	assert_has(s->dims.sport, 40000);
	assert_lacks(s->dims.sport, 0);
	assert_has(s->dims.dport, 1024);
}

static void test_probe_multiport_and_udp(void **state)
{
	struct ipts_probe_set *s = derive(state, "",
		"-A INPUT -p udp -m multiport --dports 53,123 -j DROP\n",
		NULL);

	assert_has(s->dims.proto, IPPROTO_UDP);
	assert_has(s->dims.proto, IPPROTO_TCP);
	assert_has(s->dims.dport, 52);
	assert_has(s->dims.dport, 53);
	assert_has(s->dims.dport, 124);
}

static void test_probe_uid_and_gid_ranges(void **state)
{
	struct ipts_probe_set *s = derive(state, "",
		"-A OUTPUT -m owner --uid-owner 2000-2005 -j DROP\n"
		"-A OUTPUT -m owner --gid-owner 50 -j DROP\n", NULL);

	assert_has(s->dims.uid, 0);
	assert_has(s->dims.uid, 1000);
	assert_has(s->dims.uid, 1999);
	assert_has(s->dims.uid, 2000);
	assert_has(s->dims.uid, 2005);
	assert_has(s->dims.uid, 2006);
	assert_lacks(s->dims.uid, 2003);
	assert_has(s->dims.gid, 49);
	assert_has(s->dims.gid, 50);
	assert_has(s->dims.gid, 51);
}

static void test_probe_addresses_are_local_unicast_only(void **state)
{
	struct ipts_probe_set *s = derive(state, "",
		"-A INPUT -d 10.0.0.0/8 -j DROP\n"
		"-A INPUT -s 192.0.2.7/32 -j DROP\n"
		"-A INPUT -d 224.0.0.1/32 -j DROP\n"
		"-A INPUT -d 0.0.0.0/32 -j DROP\n", NULL);
	size_t i;

	assert_has(s->dims.dst, ip4("10.0.0.1"));	/* inside */
	assert_has(s->dims.dst, ip4("11.0.0.0"));	/* just past it */
	assert_has(s->dims.dst, ip4("127.0.0.1"));
	assert_lacks(s->dims.dst, ip4("224.0.0.1"));
	assert_lacks(s->dims.dst, ip4("0.0.0.0"));
	assert_has(s->dims.src, ip4("192.0.2.7"));
	assert_has(s->dims.src, ip4("192.0.2.8"));
	/* every address that is not loopback is made local to the query */
	for (i = 0; i < s->n; i++) {
		const struct ipts_query *q = &s->q[i];

		bool src_ok = q->src.ip == ip4("127.0.0.1"), dst_ok = false;
		unsigned int k;

		for (k = 0; k < q->nlocal; k++) {
			src_ok |= q->local_addrs[k].ip == q->src.ip;
			dst_ok |= q->local_addrs[k].ip == q->dst.ip;
		}
		assert_true(src_ok);
		assert_true(dst_ok || q->dst.ip == ip4("127.0.0.1"));
	}
}

static void test_probe_unchanged_chain_gives_nothing(void **state)
{
	struct ipts_probe_set *s = derive(state,
		"-A INPUT -p tcp --dport 8080 -j ACCEPT\n"
		"-A OUTPUT -m owner --uid-owner 77 -j DROP\n",
		"-A INPUT -p tcp --dport 8080 -j DROP\n"
		"-A OUTPUT -m owner --uid-owner 77 -j DROP\n", NULL);

	assert_int_equal(s->focus_rules, 2);	/* INPUT's rule, both files */
	assert_has(s->dims.dport, 8080);
	assert_lacks(s->dims.uid, 77);
}

static void test_probe_only_rules_between_common_head_and_tail(void **state)
{
	struct ipts_probe_set *s = derive(state,
		"-A INPUT -p tcp --dport 100 -j ACCEPT\n"
		"-A INPUT -p tcp --dport 200 -j ACCEPT\n"
		"-A INPUT -p tcp --dport 300 -j ACCEPT\n",
		"-A INPUT -p tcp --dport 100 -j ACCEPT\n"
		"-A INPUT -p tcp --dport 250 -j DROP\n"
		"-A INPUT -p tcp --dport 300 -j ACCEPT\n", NULL);

	assert_int_equal(s->focus_rules, 2);
	assert_has(s->dims.dport, 200);
	assert_has(s->dims.dport, 250);
	assert_lacks(s->dims.dport, 100);
	assert_lacks(s->dims.dport, 300);
}

static void test_probe_jump_to_changed_chain_gives_its_values(void **state)
{
	struct ipts_probe_set *s = derive(state,
		"-N SVC\n"
		"-A INPUT -d 192.0.2.1/32 -p tcp --dport 443 -j SVC\n"
		"-A INPUT -p tcp --dport 25 -j DROP\n"
		"-A SVC -j ACCEPT\n",
		"-N SVC\n"
		"-A INPUT -d 192.0.2.1/32 -p tcp --dport 443 -j SVC\n"
		"-A INPUT -p tcp --dport 25 -j DROP\n"
		"-A SVC -j DROP\n", NULL);

	assert_has(s->dims.dport, 443);
	assert_has(s->dims.dst, ip4("192.0.2.1"));
	/* the other rule of the unchanged caller is no path to SVC */
	assert_lacks(s->dims.dport, 25);
}

static void test_probe_one_file_alone_gives_all_its_rules(void **state)
{
	struct pair *p = *state;
	struct ipts_probe_set *s = &p->set;

	ipts_probe_set_free(s);
	assert_int_equal(ipts_probe_derive(NULL, load(p->new_f,
		"-A INPUT -p tcp --dport 443 -j DROP\n"
		"-A OUTPUT -m owner --uid-owner 77 -j DROP\n"), NULL, s), 0);
	assert_int_equal(s->focus_rules, 2);
	assert_has(s->dims.dport, 443);
	assert_has(s->dims.uid, 77);
}

static void test_probe_cap_tries_every_value_first(void **state)
{
	struct ipts_probe_opts opts = { .max = 40 };
	struct ipts_probe_set *s = derive(state, "",
		"-A INPUT -p tcp -m multiport --dports 100,200,300,400 -j DROP\n"
		"-A OUTPUT -m owner --uid-owner 5000 -j DROP\n", &opts);
	size_t i, k;

	assert_int_equal(s->n, 40);
	assert_true(s->total > 40);
	/* the first connection is the default one */
	assert_int_equal(s->q[0].proto, IPPROTO_TCP);
	assert_int_equal(s->q[0].dport, 1060);
	assert_int_equal(s->q[0].uid, 0);
	assert_int_equal(s->q[0].src.ip, ip4("127.0.0.1"));
	for (k = 0; k < s->dims.dport.n; k++) {
		bool seen = false;

		for (i = 0; i < s->n; i++)
			seen |= s->q[i].dport == s->dims.dport.v[k];
		assert_true(seen);
	}
	for (k = 0; k < s->dims.uid.n; k++) {
		bool seen = false;

		for (i = 0; i < s->n; i++)
			seen |= s->q[i].uid == s->dims.uid.v[k];
		assert_true(seen);
	}
}

static void test_probe_each_rule_gets_a_connection_it_matches(void **state)
{
	struct ipts_probe_opts opts = { .max = 4 };
	struct ipts_probe_set *s = derive(state, "",
		"-A INPUT -d 10.1.2.3/32 -p udp -m udp --dport 9100 -j DROP\n"
		"-A OUTPUT -p tcp -m owner --uid-owner 5000 -m tcp --dport 7 "
		"-j DROP\n", &opts);
	bool first = false, second = false;
	size_t i;

	/* after the default connection, before the value-by-value ones */
	for (i = 0; i < s->n; i++) {
		const struct ipts_query *q = &s->q[i];

		first |= q->proto == IPPROTO_UDP && q->dport == 9100 &&
			 q->dst.ip == ip4("10.1.2.3");
		second |= q->proto == IPPROTO_TCP && q->dport == 7 &&
			  q->uid == 5000;
	}
	assert_true(first);
	assert_true(second);
}

static void test_probe_no_connection_twice(void **state)
{
	struct ipts_probe_set *s = derive(state, "",
		"-A INPUT -p tcp --dport 8080 -j DROP\n"
		"-A OUTPUT -m owner --uid-owner 5 -j DROP\n", NULL);
	size_t i, k;

	assert_int_equal(s->n, s->total);
	for (i = 0; i < s->n; i++)
		for (k = i + 1; k < s->n; k++)
			assert_false(memcmp(&s->q[i], &s->q[k],
					    sizeof(s->q[i])) == 0);
}

static void test_probe_options_fix_dimensions(void **state)
{
	static const uint32_t uids[] = { 1001 };
	static const uint32_t dports[] = { 22, 8080 };
	struct ipts_probe_opts opts = {
		.proto = IPPROTO_UDP, .uids = uids, .nuids = 1,
		.dports = dports, .ndports = 2,
	};
	struct ipts_probe_set *s = derive(state, "",
		"-A INPUT -p tcp --dport 443 -j DROP\n"
		"-A OUTPUT -m owner --uid-owner 5 -j DROP\n", &opts);
	size_t i;

	assert_int_equal(s->n, 2);
	for (i = 0; i < s->n; i++) {
		assert_int_equal(s->q[i].proto, IPPROTO_UDP);
		assert_int_equal(s->q[i].uid, 1001);
		assert_true(s->q[i].dport == 22 || s->q[i].dport == 8080);
	}
}

static void test_probe_uid_classes_cut_at_owner_ranges(void **state)
{
	struct ipts_probe_set *s = derive(state,
		"-A OUTPUT -m owner --gid-owner 10-20 -j ACCEPT\n",
		"-A OUTPUT -p tcp --dport 1060 -m owner ! --uid-owner 1001 "
		"-j DROP\n", NULL);
	uint32_t lo, hi;

	assert_true(ipts_probe_class_of(s, IPTS_DIM_UID, 0, &lo, &hi));
	assert_int_equal(lo, 0);
	assert_int_equal(hi, 1000);
	assert_true(ipts_probe_class_of(s, IPTS_DIM_UID, 1001, &lo, &hi));
	assert_int_equal(lo, 1001);
	assert_int_equal(hi, 1001);
	assert_true(ipts_probe_class_of(s, IPTS_DIM_UID, 5000, &lo, &hi));
	assert_int_equal(lo, 1002);
	assert_int_equal(hi, 0xfffffffeu);
	/* an unchanged rule of OLD cuts the gid classes too */
	assert_true(ipts_probe_class_of(s, IPTS_DIM_GID, 0, &lo, &hi));
	assert_int_equal(hi, 9);
	assert_true(ipts_probe_class_of(s, IPTS_DIM_GID, 15, &lo, &hi));
	assert_int_equal(lo, 10);
	assert_int_equal(hi, 20);
}

static void test_probe_ports_have_no_classes(void **state)
{
	struct ipts_probe_set *s = derive(state, "",
		"-A INPUT -p tcp --dport 8080 -j DROP\n", NULL);
	uint32_t lo, hi;

	assert_false(ipts_probe_class_of(s, IPTS_DIM_DPORT, 80, &lo, &hi));
	assert_int_equal(lo, 80);
	assert_int_equal(hi, 80);
	assert_false(ipts_probe_class_of(s, IPTS_DIM_DST, ip4("127.0.0.1"),
					 &lo, &hi));
}

static struct ipts_query conn(uint16_t dport, uint32_t uid)
{
	struct ipts_query q;

	ipts_query_init(&q);
	q.dport = dport;
	q.uid = uid;
	return q;
}

static void test_probe_boxes_merge_a_product(void **state)
{
	struct ipts_query q[4] = { conn(22, 0), conn(80, 1000), conn(22, 1000),
				   conn(80, 0) };
	const struct ipts_query *p[4] = { &q[0], &q[1], &q[2], &q[3] };
	struct ipts_probe_set none = { 0 };
	struct ipts_probe_box *b;
	size_t n = ipts_probe_boxes(&none, p, 4, &b);

	(void)state;
	assert_int_equal(n, 1);
	assert_int_equal(b[0].n[IPTS_DIM_DPORT], 2);
	assert_int_equal(b[0].v[IPTS_DIM_DPORT][0], 22);
	assert_int_equal(b[0].v[IPTS_DIM_DPORT][1], 80);
	assert_int_equal(b[0].n[IPTS_DIM_UID], 2);
	assert_int_equal(b[0].v[IPTS_DIM_UID][1], 1000);
	assert_int_equal(b[0].n[IPTS_DIM_PROTO], 1);
	ipts_probe_boxes_free(b, n);
}

static void test_probe_boxes_never_cover_more(void **state)
{
	/* an L: no box may hold (80, 1000), which was not given */
	struct ipts_query q[3] = { conn(22, 0), conn(22, 1000), conn(80, 0) };
	const struct ipts_query *p[3] = { &q[0], &q[1], &q[2] };
	struct ipts_probe_set none = { 0 };
	struct ipts_probe_box *b;
	size_t n = ipts_probe_boxes(&none, p, 3, &b), i, held = 0;

	(void)state;
	assert_int_equal(n, 2);
	for (i = 0; i < n; i++) {
		held += b[i].n[IPTS_DIM_DPORT] * b[i].n[IPTS_DIM_UID];
		assert_false(b[i].n[IPTS_DIM_DPORT] == 2 &&
			     b[i].n[IPTS_DIM_UID] == 2);
	}
	assert_int_equal(held, 3);
	ipts_probe_boxes_free(b, n);
}

/* One query against @rs, with a context prepared for it alone. */
static int simulate(const struct ipts_ruleset *rs, const struct ipts_query *q,
		    const struct ipts_limits *lim, struct ipts_result *r)
{
	struct ipts_sim_ctx *ctx = ipts_sim_prepare(rs);
	int rc = ipts_simulate_limited(ctx, q, lim, r);

	ipts_sim_free(ctx);
	return rc;
}

/* The edit the default connection (tcp to 1060, uid 0) meets. */
static struct ipts_probe_edit edit_of(void **state, const char *a,
				      const char *b)
{
	struct pair *p = *state;
	struct ipts_result o, n;
	struct ipts_query q = conn(1060, 0);
	struct ipts_probe_editor *ed;
	struct ipts_probe_edit e;

	derive(state, a, b, NULL);
	ipts_result_init(&o);
	ipts_result_init(&n);
	assert_int_equal(simulate(p->old_rs, &q, NULL, &o), 0);
	assert_int_equal(simulate(p->new_rs, &q, NULL, &n), 0);
	ed = ipts_probe_editor_new(p->old_rs, p->new_rs);
	ipts_probe_edit_find(ed, &o, &n, &e);
	ipts_probe_editor_free(ed);
	ipts_result_free(&o);
	ipts_result_free(&n);
	return e;
}

/* The rules of the fixture start at line 5, after hdr. */
static void test_probe_edit_added_rule(void **state)
{
	struct ipts_probe_edit e = edit_of(state,
		"-A OUTPUT -p tcp --dport 22 -j ACCEPT\n",
		"-A OUTPUT -p tcp --dport 1060 -j DROP\n"
		"-A OUTPUT -p tcp --dport 22 -j ACCEPT\n");

	assert_int_equal(e.kind, IPTS_EDIT_ADDED);
	assert_non_null(e.rule);
	assert_int_equal(e.rule->loc.line, 5);
	assert_null(e.was);
}

static void test_probe_edit_removed_rule(void **state)
{
	struct ipts_probe_edit e = edit_of(state,
		"-A INPUT -p tcp --dport 80 -j ACCEPT\n"
		"-A INPUT -p tcp --dport 1060 -j REJECT\n",
		"-A INPUT -p tcp --dport 80 -j ACCEPT\n");

	assert_int_equal(e.kind, IPTS_EDIT_REMOVED);
	assert_null(e.rule);
	assert_non_null(e.was);
	assert_int_equal(e.was->loc.line, 6);
}

static void test_probe_edit_moved_rule(void **state)
{
	struct ipts_probe_edit e = edit_of(state,
		"-A INPUT -p tcp --dport 1060 -j ACCEPT\n"
		"-A INPUT -p tcp --dport 1000:2000 -j DROP\n",
		"-A INPUT -p tcp --dport 1000:2000 -j DROP\n"
		"-A INPUT -p tcp --dport 1060 -j ACCEPT\n");

	assert_int_equal(e.kind, IPTS_EDIT_MOVED);
	assert_int_equal(e.rule->loc.line, 5);
	assert_int_equal(e.was->loc.line, 6);
}

static void test_probe_edit_changed_rule(void **state)
{
	struct ipts_probe_edit e = edit_of(state,
		"-A INPUT -p tcp --dport 22 -j ACCEPT\n"
		"-A INPUT -p tcp --dport 1060 -j REJECT\n",
		"-A INPUT -p tcp --dport 22 -j ACCEPT\n"
		"-A INPUT -p tcp --dport 1060 -j DROP\n");

	assert_int_equal(e.kind, IPTS_EDIT_CHANGED);
	assert_int_equal(e.rule->loc.line, 6);
	assert_int_equal(e.was->loc.line, 6);
	assert_ptr_not_equal(e.rule->chain, e.was->chain);
}

static void test_probe_edit_policy(void **state)
{
	struct ipts_probe_edit e = edit_of(state, "", "-P INPUT DROP\n");

	assert_int_equal(e.kind, IPTS_EDIT_POLICY);
	assert_non_null(e.chain);
	assert_non_null(e.old_chain);
	assert_string_equal(e.chain->name, "INPUT");
	assert_null(e.rule);
}

/* A router: eth0 to the internet (the default route), eth1 a LAN. */
static struct ipts_hostdesc *router(void)
{
	struct ipts_hostdesc *h = ipts_hostdesc_new();

	assert_int_equal(ipts_hostdesc_add_iface(h, "eth0=192.0.2.10/24", NULL),
			 0);
	assert_int_equal(ipts_hostdesc_add_iface(h, "eth1=10.0.1.1/24", NULL),
			 0);
	assert_int_equal(ipts_hostdesc_add_route(h,
						 "default via 192.0.2.1 "
						 "dev eth0",
						 NULL),
			 0);
	return h;
}

/* The place of a connection, by name ("" for a local client). */
static const char *place(const struct ipts_query *q)
{
	return q->in ? q->in : "";
}

/* Whether some connection of @s is @in (or local: ""), @src -> @dst:@dport. */
static bool asks(const struct ipts_probe_set *s, const char *in,
		 const char *src, const char *dst, uint16_t dport)
{
	size_t i;

	for (i = 0; i < s->n; i++) {
		const struct ipts_query *q = &s->q[i];

		if (strcmp(place(q), in) == 0 &&
		    (!src || q->src.ip == ip4(src)) && q->dst.ip == ip4(dst) &&
		    q->dport == dport)
			return true;
	}
	return false;
}

/* A port opened on eth0 is asked from outside and from eth0's link, to
 * the host's own address; a local client still asks over lo. */
static void test_probe_host_port_opened_on_an_interface(void **state)
{
	struct ipts_hostdesc *h = router();
	struct ipts_probe_opts o = { .host = h };
	struct ipts_probe_set *s =
		derive(state, "",
		       "-A INPUT -i eth0 -p tcp --dport 8080 -j ACCEPT\n", &o);
	size_t i;

	assert_int_equal(s->nin, 3); /* local, eth0, eth1 */
	assert_null(s->in[0]);
	assert_string_equal(s->in[1], "eth0");
	assert_true(asks(s, "eth0", "203.0.113.45", "192.0.2.10", 8080));
	assert_true(asks(s, "eth0", "192.0.2.1", "192.0.2.10", 8080));
	assert_true(asks(s, "", "127.0.0.1", "127.0.0.1", 1060));
	for (i = 0; i < s->n; i++) {
		const struct ipts_query *q = &s->q[i];

		if (q->in) {
			/* a remote client: never the host's own source,
			 * no uid of its own, never routed back where it
			 * came from */
			assert_true(q->src.ip != ip4("192.0.2.10") &&
				    q->src.ip != ip4("10.0.1.1") &&
				    (ntohl(q->src.ip) >> 24) != 127);
			assert_int_equal(q->uid, 0);
			assert_false(strcmp(q->in, "eth0") == 0 &&
				     q->dst.ip == ip4("203.0.113.45"));
			assert_true(q->given & IPTS_QGIVEN_SRC);
		} else {
			/* a local client's source is the host's */
			assert_true((ntohl(q->src.ip) >> 24) == 127 ||
				    q->src.ip == ip4("192.0.2.10") ||
				    q->src.ip == ip4("10.0.1.1"));
		}
	}
	ipts_hostdesc_free(h);
}

/* A FORWARD rule is asked as forwarded pairs between the interfaces:
 * from the LAN's neighbour to the outside, from outside to the LAN. */
static void test_probe_host_forwarded_pairs(void **state)
{
	struct ipts_hostdesc *h = router();
	struct ipts_probe_opts o = { .host = h };
	struct ipts_probe_set *s =
		derive(state, "", "-A FORWARD -i eth0 -o eth1 -j ACCEPT\n", &o);

	assert_true(asks(s, "eth0", "203.0.113.45", "10.0.1.2", 1060));
	assert_true(asks(s, "eth1", "10.0.1.2", "203.0.113.45", 1060));
	/* from eth1 the -i eth0 rule is never met: still a base pair */
	assert_true(asks(s, "eth0", "192.0.2.1", "10.0.1.2", 22));
	ipts_hostdesc_free(h);
}

/* Rules on devices the host has are compared; others are not, and
 * without a host every device but lo is off the connections asked. */
static void test_probe_host_off_lo_only_for_missing_devices(void **state)
{
	struct pair *p = *state;
	struct ipts_hostdesc *h = router();
	const struct ipts_rule *first = NULL;

	derive(state, "",
	       "-A INPUT -i eth+ -p tcp --dport 22 -j ACCEPT\n"
	       "-A FORWARD -o wg0 -j ACCEPT\n",
	       NULL);
	assert_int_equal(ipts_probe_off_lo_changes(p->old_rs, p->new_rs, NULL,
						   &first),
			 2);
	assert_int_equal(ipts_probe_off_lo_changes(p->old_rs, p->new_rs, h,
						   &first),
			 1);
	assert_non_null(first);
	assert_int_equal(first->loc.line, 6); /* -o wg0 */
	ipts_hostdesc_free(h);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

/* A host name whose address is unknown gives no address to ask. */
static void test_probe_unknown_host_gives_no_address(void **state)
{
	struct ipts_probe_set *s = derive(state, "",
		"-A INPUT -d web1/24 -j DROP\n"
		"-A INPUT -s web2 -p tcp --dport 99 -j DROP\n", NULL);
	size_t i;

	assert_has(s->dims.dport, 99);
	for (i = 0; i < s->dims.src.n; i++)
		assert_int_equal(s->dims.src.v[i], ip4("127.0.0.1"));
	for (i = 0; i < s->dims.dst.n; i++)
		assert_int_equal(s->dims.dst.v[i], ip4("127.0.0.1"));
}

/* Whether address @text is asked in @vals (IPv6: indexes into addrs). */
static bool has6(const struct ipts_probe_set *s,
		 const struct ipts_probe_vals *vals, const char *text)
{
	union nf_inet_addr want, a;
	size_t i;

	assert_int_equal(inet_pton(AF_INET6, text, &want.in6), 1);
	for (i = 0; i < vals->n; i++) {
		ipts_probe_addr(s, vals->v[i], &a);
		if (ipts_addr_eq(&a, &want))
			return true;
	}
	return false;
}

/* An IPv6 file: 128-bit prefixes give the address inside and the one
 * just past (a carry across words included), iprange its ends and the
 * addresses outside; ::1 is the default; ::, multicast and link-local
 * are never asked; every connection is IPv6 and local. */
static void test_probe_ipv6_prefixes(void **state)
{
	struct ipts_probe_set *s;
	union nf_inet_addr lo6 = { .in6 = { .s6_addr = { [15] = 1 } } };
	size_t i;
	bool exemplar = false;

	struct pair *p = *state;

	((struct ipts_fixture *)p->old)->opts.family = IPTS_FAMILY_IPV6;
	((struct ipts_fixture *)p->new_f)->opts.family = IPTS_FAMILY_IPV6;
	s = derive(state, "",
		   "-A INPUT -d 2001:db8::/32 -j DROP\n"
		   "-A INPUT -s fd00::7/128 -p tcp --dport 22 -j DROP\n"
		   "-A INPUT -s fd00:0:0:ffff:ffff:ffff:ffff:ff00/120 -j DROP\n"
		   "-A INPUT -d ff02::1/128 -j DROP\n"
		   "-A INPUT -s fe80::/64 -j DROP\n"
		   "-A INPUT -m iprange --dst-range fd00::10-fd00::20 -j DROP\n",
		   NULL);
	assert_int_equal(ipts_probe_family(s), NFPROTO_IPV6);
	assert_true(has6(s, &s->dims.dst, "2001:db8::1"));
	assert_true(has6(s, &s->dims.dst, "2001:db9::"));
	assert_true(has6(s, &s->dims.src, "fd00::7"));
	assert_true(has6(s, &s->dims.src, "fd00::8"));
	assert_true(has6(s, &s->dims.src, "fd00:0:0:ffff:ffff:ffff:ffff:ff01"));
	assert_true(has6(s, &s->dims.src, "fd00:0:1::")); /* the carry */
	assert_true(has6(s, &s->dims.dst, "fd00::f"));
	assert_true(has6(s, &s->dims.dst, "fd00::10"));
	assert_true(has6(s, &s->dims.dst, "fd00::20"));
	assert_true(has6(s, &s->dims.dst, "fd00::21"));
	assert_true(has6(s, &s->dims.src, "::1"));
	assert_true(has6(s, &s->dims.dst, "::1"));
	assert_false(has6(s, &s->dims.dst, "ff02::1"));
	assert_false(has6(s, &s->dims.src, "fe80::1"));
	assert_false(has6(s, &s->dims.src, "fe80:0:0:1::"));
	/* the values are in the addresses' order */
	for (i = 1; i < s->dims.addrs.n; i++)
		assert_true(memcmp(&s->dims.addrs.a[i - 1], &s->dims.addrs.a[i],
				   16) < 0);
	for (i = 0; i < s->n; i++) {
		const struct ipts_query *q = &s->q[i];
		bool src_ok = ipts_addr_eq(&q->src, &lo6);
		bool dst_ok = ipts_addr_eq(&q->dst, &lo6);
		unsigned int k;

		assert_int_equal(q->family, NFPROTO_IPV6);
		for (k = 0; k < q->nlocal; k++) {
			src_ok |= ipts_addr_eq(&q->local_addrs[k], &q->src);
			dst_ok |= ipts_addr_eq(&q->local_addrs[k], &q->dst);
		}
		assert_true(src_ok && dst_ok);
		/* a connection of its own for the ssh rule: from fd00::7 */
		exemplar |= q->dport == 22 && q->src.in6.s6_addr[15] == 7;
		assert_int_equal(ipts_probe_coord(s, q, IPTS_DIM_SRC) <
					 s->dims.addrs.n,
				 true);
	}
	assert_true(exemplar);
}

/* Whether some connection of @s is @in (or local: ""), IPv6 @src ->
 * @dst:@dport (@src NULL: any). */
static bool asks6(const struct ipts_probe_set *s, const char *in,
		  const char *src, const char *dst, uint16_t dport)
{
	union nf_inet_addr a = { 0 }, b;
	size_t i;

	if (src)
		assert_int_equal(inet_pton(AF_INET6, src, &a.in6), 1);
	assert_int_equal(inet_pton(AF_INET6, dst, &b.in6), 1);
	for (i = 0; i < s->n; i++) {
		const struct ipts_query *q = &s->q[i];

		if (strcmp(place(q), in) == 0 &&
		    (!src || ipts_addr_eq(&q->src, &a)) &&
		    ipts_addr_eq(&q->dst, &b) && q->dport == dport)
			return true;
	}
	return false;
}

/* Two IPv6 files on a host: clients on each interface's link (the
 * address past the subnet-router anycast) and from outside (by the
 * default route's interface) to the host's own addresses, forwarded
 * pairs between the links; never a link-local address; an interface with
 * only its link-local address gives no client, so its rules are not
 * compared. */
static void test_probe_host_ipv6(void **state)
{
	struct pair *p = *state;
	struct ipts_hostdesc *h = ipts_hostdesc_new();
	struct ipts_probe_opts o = { .host = h };
	const struct ipts_rule *first = NULL;
	struct ipts_probe_set *s;
	size_t i;

	assert_int_equal(ipts_hostdesc_add_iface(h, "eth0=2001:db8:1::10/64",
						 NULL),
			 0);
	assert_int_equal(ipts_hostdesc_add_iface(h, "eth1=fd00:2::1/64", NULL),
			 0);
	assert_int_equal(ipts_hostdesc_add_iface(h, "eth2=192.0.2.1/24", NULL),
			 0);
	assert_int_equal(ipts_hostdesc_add_route(h,
						 "default via 2001:db8:1::1 "
						 "dev eth0",
						 NULL),
			 0);
	((struct ipts_fixture *)p->old)->opts.family = IPTS_FAMILY_IPV6;
	((struct ipts_fixture *)p->new_f)->opts.family = IPTS_FAMILY_IPV6;
	s = derive(state, "",
		   "-A INPUT -i eth0 -p tcp --dport 8080 -j ACCEPT\n"
		   "-A FORWARD -i eth0 -o eth1 -j ACCEPT\n"
		   "-A INPUT -i eth2 -j ACCEPT\n",
		   &o);
	assert_int_equal(ipts_probe_family(s), NFPROTO_IPV6);
	assert_true(
		asks6(s, "eth0", "2001:db8:ffff::45", "2001:db8:1::10", 8080));
	assert_true(asks6(s, "eth0", "2001:db8:1::1", "2001:db8:1::10", 8080));
	assert_true(asks6(s, "eth0", "2001:db8:ffff::45", "fd00:2::2", 1060));
	assert_true(asks6(s, "eth1", "fd00:2::2", "2001:db8:ffff::45", 1060));
	assert_true(asks6(s, "", "::1", "::1", 1060));
	for (i = 0; i < s->n; i++) {
		const struct ipts_query *q = &s->q[i];

		assert_int_equal(q->family, NFPROTO_IPV6);
		assert_false(q->src.in6.s6_addr[0] == 0xfe);
		assert_false(q->dst.in6.s6_addr[0] == 0xfe);
		assert_false(q->in && strcmp(q->in, "eth2") == 0);
		/* from outside by eth1: routed back out eth0, spoofed */
		assert_false(q->in && strcmp(q->in, "eth1") == 0 &&
			     q->src.in6.s6_addr[0] == 0x20 &&
			     q->src.in6.s6_addr[5] == 0xff);
	}
	assert_int_equal(ipts_probe_off_lo_changes(p->old_rs, p->new_rs, h,
						   &first),
			 1);
	assert_non_null(first);
	assert_int_equal(first->loc.line, 7); /* -i eth2 */
	ipts_hostdesc_free(h);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_probe_identical_files_give_defaults_only),
		T(test_probe_host_port_opened_on_an_interface),
		T(test_probe_host_forwarded_pairs),
		T(test_probe_host_off_lo_only_for_missing_devices),
		T(test_probe_host_ipv6),
		T(test_probe_counters_are_no_difference),
		T(test_probe_unknown_host_gives_no_address),
		T(test_probe_port_and_its_neighbours),
		T(test_probe_multiport_and_udp),
		T(test_probe_uid_and_gid_ranges),
		T(test_probe_addresses_are_local_unicast_only),
		T(test_probe_ipv6_prefixes),
		T(test_probe_unchanged_chain_gives_nothing),
		T(test_probe_only_rules_between_common_head_and_tail),
		T(test_probe_jump_to_changed_chain_gives_its_values),
		T(test_probe_one_file_alone_gives_all_its_rules),
		T(test_probe_cap_tries_every_value_first),
		T(test_probe_each_rule_gets_a_connection_it_matches),
		T(test_probe_no_connection_twice),
		T(test_probe_options_fix_dimensions),
		T(test_probe_uid_classes_cut_at_owner_ranges),
		T(test_probe_ports_have_no_classes),
		T(test_probe_boxes_merge_a_product),
		T(test_probe_boxes_never_cover_more),
		T(test_probe_edit_added_rule),
		T(test_probe_edit_removed_rule),
		T(test_probe_edit_moved_rule),
		T(test_probe_edit_changed_rule),
		T(test_probe_edit_policy),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
