/*
 * test_exposure.c - the table of `iptsim exposure`: which rows the rules
 * give (DNAT and REDIRECT under nat PREROUTING with the port and address
 * of the way to them, filter --dport values, listeners), which classes a
 * host gives, and how an answer becomes open, closed or filtered.
 */
#include "fixture.h"

#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <netinet/in.h>

#include "diag.h"
#include "exposure.h"
#include "host.h"
#include "sim.h"

static struct ipts_ruleset *load(void **state, const char *text)
{
	struct ipts_ruleset *rs = load_str(*state, text);

	if (!rs) {
		fixture_dump_diags(*state);
		fail_msg("ruleset does not load");
	}
	return rs;
}

/* kube-proxy's shape: the port and cluster IP are on the jump, the DNAT
 * two chains below has neither. */
static void test_exposure_dnat_row_takes_the_way_to_it(void **state)
{
	struct ipts_ruleset *rs = load(
		state,
		"*nat\n:PREROUTING ACCEPT [0:0]\n:SVC - [0:0]\n:SEP - [0:0]\n"
		":KUBE-SERVICES - [0:0]\n"
		"-A PREROUTING -j KUBE-SERVICES\n"
		"-A KUBE-SERVICES -d 10.96.0.10/32 -p tcp -m tcp --dport 53 "
		"-j SVC\n"
		"-A SVC -j SEP\n"
		"-A SEP -p tcp -j DNAT --to-destination 10.244.1.5:53\n"
		"-A PREROUTING -p udp -m udp --dport 8053 -j REDIRECT "
		"--to-ports 53\n"
		"-A PREROUTING -p tcp -m tcp ! --dport 9 -j DNAT "
		"--to-destination 10.0.0.9\n"
		"COMMIT\n");
	struct ipts_exposure e;

	ipts_exposure_init(&e, NULL);
	ipts_exposure_plan(&e, rs);
	assert_int_equal(e.nrows, 2);
	assert_string_equal(e.rows[0].label, "10.96.0.10:53/tcp");
	assert_int_equal(e.rows[0].origin, IPTS_EXP_DNAT);
	assert_int_equal(e.rows[0].published->loc.line, 9);
	/* REDIRECT publishes the matched port; an inverted port is no row */
	assert_string_equal(e.rows[1].label, "8053/udp");
	assert_int_equal(e.nclasses, 1);
	assert_string_equal(e.classes[0].name, "lo");
	ipts_exposure_free(&e);
}

/* filter INPUT, FORWARD and their chains name ports; OUTPUT does not. */
static void test_exposure_filter_ports_are_rows(void **state)
{
	struct ipts_ruleset *rs = load(
		state, "*filter\n:INPUT ACCEPT [0:0]\n:FORWARD ACCEPT [0:0]\n"
		       ":OUTPUT ACCEPT [0:0]\n:SSH - [0:0]\n"
		       "-A INPUT -j SSH\n"
		       "-A SSH -p tcp -m tcp --dport 22 -j ACCEPT\n"
		       "-A FORWARD -p udp -m udp --dport 500 -j ACCEPT\n"
		       "-A FORWARD -p tcp -m tcp --dport 22 -j ACCEPT\n"
		       "-A OUTPUT -p tcp -m tcp --dport 25 -j DROP\n"
		       "-A INPUT -p tcp -m tcp --dport 1000:2000 -j DROP\n"
		       "COMMIT\n");
	struct ipts_exposure e;

	ipts_exposure_init(&e, NULL);
	assert_int_equal(ipts_exposure_add_listen(&e, IPPROTO_TCP, 0, 80), 0);
	ipts_exposure_plan(&e, rs);
	/* one row a port: 22 twice is one; the range 1000:2000 is one
	 * part (no other rule cuts it: 1024 does, the kernel's NAT port
	 * bound) */
	assert_int_equal(e.nrows, 5);
	assert_string_equal(e.rows[0].label, "22/tcp");
	assert_int_equal(e.rows[0].origin, IPTS_EXP_RULE);
	assert_string_equal(e.rows[1].label, "80/tcp");
	assert_int_equal(e.rows[1].origin, IPTS_EXP_LISTEN);
	assert_string_equal(e.rows[2].label, "1000-1023/tcp");
	assert_string_equal(e.rows[3].label, "1024-2000/tcp");
	assert_int_equal(e.rows[2].range, e.rows[3].range);
	assert_string_equal(e.rows[4].label, "500/udp");
	assert_int_equal(ipts_exposure_find_row(&e, "25/tcp"), -1);
	ipts_exposure_free(&e);
}

/* A host's interfaces give a link and an internet class each; --from
 * keeps one. */
static void test_exposure_classes_of_a_host(void **state)
{
	struct ipts_ruleset *rs =
		load(state, "*filter\n:INPUT ACCEPT [0:0]\nCOMMIT\n");
	struct ipts_hostdesc *h = ipts_hostdesc_new();
	struct ipts_diags d = { 0 };
	struct ipts_exposure e;

	assert_int_equal(ipts_hostdesc_add_iface(h, "eth0=192.0.2.10/24", &d),
			 0);
	ipts_exposure_init(&e, h);
	ipts_exposure_plan(&e, rs);
	assert_int_equal(e.nclasses, 3);
	assert_string_equal(e.classes[1].name, "eth0:link");
	assert_int_equal(e.classes[1].src, ip4("192.0.2.1"));
	assert_int_equal(e.classes[1].addr, ip4("192.0.2.10"));
	assert_false(e.classes[1].internet);
	assert_string_equal(e.classes[2].name, "eth0:internet");
	assert_int_equal(e.classes[2].src, ip4("203.0.113.45"));
	assert_true(e.classes[2].internet);
	assert_int_equal(ipts_exposure_keep_class(&e, "eth1:link"), -1);
	assert_int_equal(ipts_exposure_keep_class(&e, "eth0:internet"), 0);
	assert_int_equal(e.nclasses, 1);
	assert_string_equal(e.classes[0].name, "eth0:internet");
	ipts_exposure_free(&e);
	ipts_hostdesc_free(h);
	ipts_diags_free(&d);
}

/* Each cell from a simulation: a RST is closed, UDP's port unreachable
 * closed, a REJECT's ICMP for TCP filtered, a drop filtered. */
static void test_exposure_cells_as_nmap_names_them(void **state)
{
	struct ipts_ruleset *rs =
		load(state,
		     "*filter\n:INPUT ACCEPT [0:0]\n:FORWARD ACCEPT [0:0]\n"
		     ":OUTPUT ACCEPT [0:0]\n"
		     "-A INPUT -p tcp -m tcp --dport 1 -j REJECT\n"
		     "-A INPUT -p tcp -m tcp --dport 2 -j DROP\n"
		     "-A INPUT -p tcp -m tcp --dport 3 -j REJECT --reject-with "
		     "tcp-reset\n"
		     "-A INPUT -p udp -m udp --dport 4 -j REJECT\n"
		     "COMMIT\n");
	static const char *const want[] = { "filtered", "filtered", "closed",
					    "open", "closed" };
	struct ipts_sim_ctx *ctx = ipts_sim_prepare(rs);
	struct ipts_result res;
	struct ipts_exposure e;
	size_t i;

	ipts_exposure_init(&e, NULL);
	assert_int_equal(ipts_exposure_add_listen(&e, IPPROTO_TCP, 0, 5), 0);
	ipts_exposure_plan(&e, rs);
	ipts_exposure_cells(&e);
	assert_int_equal(e.nrows, 5);
	ipts_result_init(&res);
	for (i = 0; i < e.nrows; i++) {
		struct ipts_query q;
		int rc;

		ipts_exposure_cell_query(&e, i, 0, &q);
		rc = ipts_simulate(ctx, &q, &res);
		ipts_exposure_cell_set(&e, i, 0, &q, rc, &res, NULL);
	}
	/* rows: 1/tcp 2/tcp 3/tcp 5/tcp 4/udp */
	for (i = 0; i < e.nrows; i++)
		assert_string_equal(ipts_exp_state_name(
					    ipts_exposure_cell(&e, i, 0)->state),
				    want[i]);
	/* the REJECT decided, at its line */
	assert_int_equal(ipts_exposure_cell(&e, 0, 0)->rule->loc.line, 5);
	ipts_result_free(&res);
	ipts_sim_free(ctx);
	ipts_exposure_free(&e);
}

static struct ipts_exposure plan_on(struct ipts_ruleset *rs,
				    struct ipts_hostdesc *h, bool no_share)
{
	struct ipts_exposure e;

	ipts_exposure_init(&e, h);
	e.no_share = no_share;
	ipts_exposure_plan(&e, rs);
	ipts_exposure_cells(&e);
	return e;
}

/* The parts of a range are where the rules' ports, a NAT target's port
 * range and the listeners cut it; a row whose port is inside a part of
 * another row shares its walk. */
static void test_exposure_range_parts_and_sharing(void **state)
{
	struct ipts_ruleset *rs = load(
		state, "*nat\n:PREROUTING ACCEPT [0:0]\n"
		       "-A PREROUTING -p tcp -m tcp --dport 7000:7999 -j DNAT "
		       "--to-destination 10.0.0.9:7100-7199\n"
		       "COMMIT\n"
		       "*filter\n:INPUT ACCEPT [0:0]\n"
		       "-A INPUT -p tcp -m multiport --dports 80,443,8000:8100 "
		       "-j ACCEPT\n"
		       "-A INPUT -p tcp -m tcp --sport 8050 -j DROP\n"
		       "COMMIT\n");
	struct ipts_exposure e;
	long r;

	ipts_exposure_init(&e, NULL);
	assert_int_equal(ipts_exposure_add_listen(&e, IPPROTO_TCP, 0, 8070), 0);
	ipts_exposure_add_listen(&e, IPPROTO_TCP, 0, 7500);
	ipts_exposure_plan(&e, rs);
	/* multiport: 80 and 443 rows of their own, 8000:8100 cut at the
	 * --sport 8050 and the listener 8070 */
	assert_true(ipts_exposure_find_row(&e, "80/tcp") >= 0);
	assert_true(ipts_exposure_find_row(&e, "443/tcp") >= 0);
	assert_true(ipts_exposure_find_row(&e, "8000-8049/tcp") >= 0);
	assert_true(ipts_exposure_find_row(&e, "8050/tcp") >= 0);
	assert_true(ipts_exposure_find_row(&e, "8051-8069/tcp") >= 0);
	assert_true(ipts_exposure_find_row(&e, "8070/tcp") >= 0);
	assert_true(ipts_exposure_find_row(&e, "8071-8100/tcp") >= 0);
	/* the DNAT's range is cut at its target's ports 7100-7199 */
	assert_true(ipts_exposure_find_row(&e, "7000-7099/tcp") >= 0);
	assert_true(ipts_exposure_find_row(&e, "7100-7199/tcp") >= 0);
	assert_true(ipts_exposure_find_row(&e, "7200-7499/tcp") >= 0);
	/* the listener 7500 is a row of its own and a part of the range:
	 * the part shares the row's walk */
	r = ipts_exposure_find_row(&e, "7500/tcp");
	assert_true(r >= 0);
	assert_int_equal(e.rows[r].range, -1);
	assert_true(e.rows[r + 1].range >= 0);
	assert_int_equal(e.rows[r + 1].port, 7500);
	assert_int_equal(e.rows[r + 1].same_as, r);
	ipts_exposure_free(&e);
}

/* A match that may read a port and is not modelled (u32) turns the
 * sharing off: a range is then its ports, bounded, the rest not
 * simulated. */
static void test_exposure_unmodelled_match_stops_sharing(void **state)
{
	struct ipts_ruleset *rs = load(
		state, "*filter\n:INPUT ACCEPT [0:0]\n"
		       "-A INPUT -p tcp -m tcp --dport 100:299 -j ACCEPT\n"
		       "-A INPUT -p tcp -m u32 --u32 \"0>>22&0x3C@0>>16=0x50\" "
		       "-j DROP\n"
		       "COMMIT\n");
	struct ipts_exposure e;
	size_t i, cut = 0;

	ipts_exposure_init(&e, NULL);
	ipts_exposure_plan(&e, rs);
	assert_int_equal(e.nrows, IPTS_EXP_MAX_PARTS);
	for (i = 0; i < e.nrows; i++) {
		assert_int_equal(e.rows[i].same_as, -1);
		cut += e.rows[i].cut;
	}
	assert_int_equal(cut, 1);
	assert_string_equal(e.rows[e.nrows - 1].label, "163-299/tcp");
	assert_true(e.nnotes >= 2);
	ipts_exposure_free(&e);
}

/* A hostile file cannot make a million rows: past 4096 parts in all,
 * each further range is one row not simulated, and the notes stop at
 * eight and a count. */
static void test_exposure_ranges_are_bounded(void **state)
{
	size_t cap = 1 << 16, n = 0, i, cut = 0;
	char *text = malloc(cap);
	struct ipts_ruleset *rs;
	struct ipts_exposure e;

	assert_non_null(text);
	n += (size_t)snprintf(text + n, cap - n,
			      "*filter\n:INPUT DROP [0:0]\n");
	for (i = 0; i < 200; i++)
		n += (size_t)snprintf(text + n, cap - n,
				      "-A INPUT -p tcp -m tcp --dport %zu "
				      "-j ACCEPT\n",
				      2000 + 2 * i);
	for (i = 0; i < 100; i++)
		n += (size_t)snprintf(text + n, cap - n,
				      "-A INPUT -p tcp -m tcp --dport %zu:3000 "
				      "-j DROP\n",
				      1900 + i);
	snprintf(text + n, cap - n, "COMMIT\n");
	rs = load(state, text);
	free(text);
	ipts_exposure_init(&e, NULL);
	ipts_exposure_plan(&e, rs);
	for (i = 0; i < e.nrows; i++)
		cut += e.rows[i].cut;
	/* 100 ranges of 64 parts would be 6400 */
	assert_true(e.nrows - 200 <= IPTS_EXP_MAX_RANGE_ROWS + 100);
	assert_int_equal(cut, 100);
	assert_int_equal(e.nnotes, 9);
	assert_non_null(strstr(e.notes[8], "92 more ranges are cut so"));
	ipts_exposure_free(&e);
}

/* The source prefixes the rules split out on an interface are classes,
 * a smaller one cut out of the larger; a rule under a jump that picks a
 * destination port, or for another interface, splits none. */
static void test_exposure_split_classes(void **state)
{
	struct ipts_ruleset *rs = load(
		state,
		"*filter\n:INPUT DROP [0:0]\n:SVC - [0:0]\n:TCPIN - [0:0]\n"
		"-A INPUT -s 10.0.0.0/8 -i eth0 -p tcp -m tcp --dport 22 "
		"-j ACCEPT\n"
		"-A INPUT -s 10.1.2.0/24 -i eth0 -p tcp -m tcp --dport 5432 "
		"-j ACCEPT\n"
		"-A INPUT -s 172.16.0.0/12 -i eth1 -j ACCEPT\n"
		"-A INPUT -p tcp -m tcp --dport 80 -j SVC\n"
		"-A SVC -s 10.9.9.9/32 -j ACCEPT\n"
		"-A INPUT -s 127.0.0.0/8 -j ACCEPT\n"
		"-A INPUT -p tcp -j TCPIN\n"
		"-A TCPIN -s 172.20.0.0/16 -j ACCEPT\n"
		"-A INPUT -s 0.0.0.0/1 -p udp -m udp --dport 9 -j DROP\n"
		"COMMIT\n");
	struct ipts_hostdesc *h = ipts_hostdesc_new();
	struct ipts_diags d = { 0 };
	struct ipts_exposure e;
	long k;

	assert_int_equal(ipts_hostdesc_add_iface(h, "eth0=192.168.1.10/24", &d),
			 0);
	e = plan_on(rs, h, false);
	/* lo, eth0:link, eth0:internet, eth0:0.0.0.0/1, eth0:10.0.0.0/8,
	 * eth0:10.1.2.0/24, and eth0:172.20.0.0/16 (a jump by protocol
	 * alone narrows to no row); 127.0.0.0/8 is martian on eth0: none */
	assert_int_equal(e.nclasses, 7);
	/* a representative is no martian source: 1.0.0.0, not 0.0.0.1 */
	k = ipts_exposure_find_class(&e, "eth0:0.0.0.0/1");
	assert_true(k >= 0);
	assert_int_equal(e.classes[k].src, ip4("1.0.0.0"));
	assert_true(ipts_exposure_find_class(&e, "eth0:172.20.0.0/16") >= 0);
	k = ipts_exposure_find_class(&e, "eth0:10.0.0.0/8");
	assert_true(k >= 0);
	assert_int_equal(e.classes[k].kind, IPTS_EXP_KIND_SPLIT);
	/* the widest first */
	assert_string_equal(e.classes[3].name, "eth0:0.0.0.0/1");
	assert_string_equal(e.classes[4].name, "eth0:10.0.0.0/8");
	assert_int_equal(e.classes[k].src, ip4("10.0.0.1"));
	assert_int_equal(e.classes[k].nexcept, 1);
	assert_int_equal(e.classes[k].except[0].net, ip4("10.1.2.0"));
	assert_int_equal(e.classes[k].except[0].len, 24);
	k = ipts_exposure_find_class(&e, "eth0:10.1.2.0/24");
	assert_true(k >= 0);
	assert_int_equal(e.classes[k].src, ip4("10.1.2.1"));
	assert_int_equal(ipts_exposure_find_class(&e, "eth0:172.16.0.0/12"),
			 -1);
	assert_int_equal(ipts_exposure_find_class(&e, "eth0:10.9.9.9/32"), -1);
	/* the note says why the jump's prefix is no class */
	assert_int_equal(e.nnotes, 1);
	assert_non_null(
		strstr(e.notes[0], "1 rule names a source prefix under"));
	ipts_exposure_free(&e);
	ipts_hostdesc_free(h);
	ipts_diags_free(&d);
}

/* The filter rule that let the connection's first packet through (the
 * commands name it so, cli/query.c), else NULL. */
static const struct ipts_trace *first_rule(const struct ipts_result *res)
{
	size_t k;

	for (k = 0; res->npackets && k < res->packets[0].npassed; k++)
		if (res->packets[0].passed[k].rule)
			return &res->packets[0].passed[k];
	return NULL;
}

/* Run a table both ways under @max_total: every cell shared is the cell
 * simulated, down to the visits of its walk, and the run spends as much
 * both ways; the visits spent alone into *@total. */
static void assert_share_is_exact_under(struct ipts_ruleset *rs,
					struct ipts_hostdesc *h,
					unsigned int threads,
					uint64_t max_total, uint64_t *total)
{
	struct ipts_sim_ctx *ctx = h ? ipts_sim_prepare_on(rs, h) :
				       ipts_sim_prepare(rs);
	struct ipts_exposure a = plan_on(rs, h, false);
	struct ipts_exposure b = plan_on(rs, h, true);
	struct ipts_limits lim;
	uint64_t spent, spent_alone;
	bool hit, hit_alone;
	size_t i, k;

	ipts_limits_init(&lim);
	ipts_exposure_run(&a, ctx, &lim, first_rule, max_total, threads, &spent,
			  &hit);
	ipts_exposure_run(&b, ctx, &lim, first_rule, max_total, 1, &spent_alone,
			  &hit_alone);
	assert_int_equal(spent, spent_alone);
	assert_int_equal(hit, hit_alone);
	*total = spent_alone;
	assert_int_equal(a.nrows, b.nrows);
	assert_int_equal(a.nclasses, b.nclasses);
	assert_true(a.simulations <= b.simulations);
	for (i = 0; i < a.nrows; i++)
		for (k = 0; k < a.nclasses; k++) {
			const struct ipts_exp_cell *x = ipts_exposure_cell(&a,
									   i,
									   k);
			const struct ipts_exp_cell *y = ipts_exposure_cell(&b,
									   i,
									   k);

			if (!ipts_exp_cell_same(x, y))
				fail_msg("%s %s: shared '%s', alone '%s'",
					 a.rows[i].label, a.classes[k].name,
					 x->why, y->why);
			if (x->visits != y->visits)
				fail_msg("%s %s: shared %llu visits, alone "
					 "%llu",
					 a.rows[i].label, a.classes[k].name,
					 (unsigned long long)x->visits,
					 (unsigned long long)y->visits);
		}
	ipts_exposure_free(&a);
	ipts_exposure_free(&b);
	ipts_sim_free(ctx);
}

/* The same, with the run's budget unbounded, then running out after a
 * third and after two thirds of the table's visits (mid-table: a cell
 * simulated again under what was left, the cells after it not
 * simulated, the same ones both ways). */
static void assert_share_is_exact(struct ipts_ruleset *rs,
				  struct ipts_hostdesc *h, unsigned int threads)
{
	uint64_t total, part;

	assert_share_is_exact_under(rs, h, threads, UINT64_MAX, &total);
	assert_true(total > 3);
	assert_share_is_exact_under(rs, h, threads, total / 3, &part);
	assert_int_equal(part, total / 3);
	assert_share_is_exact_under(rs, h, threads, 2 * total / 3, &part);
	assert_int_equal(part, 2 * total / 3);
}

static void test_exposure_shared_answers_are_exact(void **state)
{
	struct ipts_ruleset *rs = load(
		state,
		"*nat\n:PREROUTING ACCEPT [0:0]\n:POSTROUTING ACCEPT [0:0]\n"
		"-A PREROUTING -i eth0 -p tcp -m tcp --dport 7000:7999 -j DNAT "
		"--to-destination 10.0.1.9\n"
		"-A PREROUTING -i eth0 -p udp -m udp --dport 5000:5100 "
		"-j REDIRECT --to-ports 53\n"
		"-A POSTROUTING -o eth0 -j MASQUERADE\n"
		"COMMIT\n"
		"*filter\n:INPUT DROP [0:0]\n:FORWARD DROP [0:0]\n"
		"-A INPUT -i lo -j ACCEPT\n"
		"-A INPUT -p tcp -m multiport --dports 80,443,8000:8100 "
		"-j ACCEPT\n"
		"-A INPUT -p tcp -m tcp --dport 8050 -j REJECT\n"
		"-A INPUT -p udp -m udp --dport 53 -j ACCEPT\n"
		"-A INPUT -s 10.0.0.0/8 -p tcp -m tcp --dport 1:1023 -j ACCEPT\n"
		"-A FORWARD -p tcp -m tcp --dport 7100:7200 -j ACCEPT\n"
		"COMMIT\n");
	struct ipts_hostdesc *h = ipts_hostdesc_new();
	struct ipts_diags d = { 0 };

	assert_int_equal(ipts_hostdesc_add_iface(h, "eth0=192.0.2.10/24", &d),
			 0);
	assert_int_equal(ipts_hostdesc_add_iface(h, "eth1=10.0.1.1/24", &d), 0);
	assert_int_equal(ipts_hostdesc_add_route(
				 h, "default via 192.0.2.1 dev eth0", &d),
			 0);
	assert_int_equal(ipts_hostdesc_add_sysctl(h, "net.ipv4.ip_forward=1",
						  &d),
			 0);
	assert_share_is_exact(rs, h, 1);
	assert_share_is_exact(rs, h, 2);
	assert_share_is_exact(rs, NULL, 2);
	ipts_hostdesc_free(h);
	ipts_diags_free(&d);
}

/* The class cell (@row, @cls) answers as, by name, or NULL. */
static const char *alias_of(const struct ipts_exposure *e, const char *row,
			    const char *cls)
{
	long i = ipts_exposure_find_row(e, row);
	long k = ipts_exposure_find_class(e, cls);
	long a;

	assert_true(i >= 0 && k >= 0);
	a = e->alias[(size_t)i * e->nclasses + (size_t)k];
	return a < 0 ? NULL : e->classes[a].name;
}

/* Each row's cells use the classes the rules on its path split: a prefix
 * named only for another port answers as the class holding it (or the
 * internet); a DNAT's port is the port FORWARD sees; a rule reading the
 * source unmodelled (-m recent), or a route that takes the class apart
 * from the one holding it, keeps it a class of its own. */
static void test_exposure_classes_per_row(void **state)
{
	struct ipts_ruleset *rs = load(
		state,
		"*nat\n:PREROUTING ACCEPT [0:0]\n"
		"-A PREROUTING -i eth0 -p tcp -m tcp --dport 8080 -j DNAT "
		"--to-destination 10.0.1.9:80\n"
		"COMMIT\n"
		"*filter\n:INPUT DROP [0:0]\n:FORWARD DROP [0:0]\n"
		"-A INPUT -s 10.0.0.0/8 -p tcp -m tcp --dport 22 -j ACCEPT\n"
		"-A INPUT -s 10.1.2.0/24 -p tcp -m tcp --dport 5432 -j ACCEPT\n"
		"-A INPUT -s 172.16.0.0/12 -p tcp -m tcp --dport 443 -j ACCEPT\n"
		"-A INPUT -p tcp -m tcp --dport 25 -m recent --rcheck -j DROP\n"
		"-A INPUT -p tcp -m multiport --dports 25,80 -j ACCEPT\n"
		"-A FORWARD -s 10.1.2.0/24 -p tcp -m tcp --dport 80 -j ACCEPT\n"
		"COMMIT\n");
	struct ipts_hostdesc *h = ipts_hostdesc_new();
	struct ipts_diags d = { 0 };
	struct ipts_exposure e;

	assert_int_equal(ipts_hostdesc_add_iface(h, "eth0=192.0.2.10/24", &d),
			 0);
	assert_int_equal(ipts_hostdesc_add_iface(h, "eth1=10.0.1.1/24", &d), 0);
	assert_int_equal(ipts_hostdesc_add_route(
				 h, "default via 192.0.2.1 dev eth0", &d),
			 0);
	assert_int_equal(ipts_hostdesc_add_route(
				 h, "172.16.0.0/12 via 192.0.2.254 dev eth0",
				 &d),
			 0);
	assert_int_equal(ipts_hostdesc_add_sysctl(h, "net.ipv4.ip_forward=1",
						  &d),
			 0);
	e = plan_on(rs, h, false);
	assert_true(ipts_exposure_find_class(&e, "eth0:10.1.2.0/24") >= 0);
	/* 22: 10.0.0.0/8 only; 10.1.2.0/24 is inside it */
	assert_null(alias_of(&e, "22/tcp", "eth0:10.0.0.0/8"));
	assert_string_equal(alias_of(&e, "22/tcp", "eth0:10.1.2.0/24"),
			    "eth0:10.0.0.0/8");
	/* 5432: 10.1.2.0/24 only; the rest of 10/8 is the internet's */
	assert_null(alias_of(&e, "5432/tcp", "eth0:10.1.2.0/24"));
	assert_string_equal(alias_of(&e, "5432/tcp", "eth0:10.0.0.0/8"),
			    "eth0:internet");
	/* 80: no source named, but 172.16.0.0/12 has a route of its own */
	assert_string_equal(alias_of(&e, "80/tcp", "eth0:10.0.0.0/8"),
			    "eth0:internet");
	assert_null(alias_of(&e, "80/tcp", "eth0:172.16.0.0/12"));
	/* 8080 is forwarded to port 80, whose FORWARD rule names
	 * 10.1.2.0/24 */
	assert_null(alias_of(&e, "8080/tcp", "eth0:10.1.2.0/24"));
	assert_string_equal(alias_of(&e, "8080/tcp", "eth0:10.0.0.0/8"),
			    "eth0:internet");
	/* 25 meets -m recent, which reads the source */
	assert_null(alias_of(&e, "25/tcp", "eth0:10.0.0.0/8"));
	assert_null(alias_of(&e, "25/tcp", "eth0:10.1.2.0/24"));
	ipts_exposure_free(&e);
	/* and every cell so answered is the cell simulated */
	assert_share_is_exact(rs, h, 1);
	assert_share_is_exact(rs, h, 2);
	ipts_hostdesc_free(h);
	ipts_diags_free(&d);
}

/* The answers' way back splits classes: -d of OUTPUT (and of FORWARD and
 * POSTROUTING) names the client, unless the rule takes no answer (a
 * --ctstate NEW, a --dport that is not the client's); -d of INPUT that
 * holds one of the host's addresses and not the other gives a row at
 * each. */
static void test_exposure_reply_and_host_addresses(void **state)
{
	struct ipts_ruleset *rs = load(
		state,
		"*filter\n:INPUT DROP [0:0]\n:OUTPUT ACCEPT [0:0]\n"
		"-A INPUT -p tcp -m tcp --dport 22 -j ACCEPT\n"
		"-A INPUT -d 192.0.2.11/32 -p tcp -m tcp --dport 80 -j ACCEPT\n"
		"-A OUTPUT -m conntrack --ctstate NEW -d 172.16.0.0/12 -j DROP\n"
		"-A OUTPUT -p tcp -m tcp --dport 25 -d 172.20.0.0/16 -j DROP\n"
		"-A OUTPUT -d 10.0.0.0/8 -j DROP\n"
		"COMMIT\n");
	struct ipts_hostdesc *h = ipts_hostdesc_new();
	struct ipts_diags d = { 0 };
	struct ipts_exposure e;

	assert_int_equal(ipts_hostdesc_add_iface(h, "eth0=192.0.2.10/24", &d),
			 0);
	assert_int_equal(ipts_hostdesc_add_iface(h, "eth0=192.0.2.11/24", &d),
			 0);
	e = plan_on(rs, h, false);
	assert_true(ipts_exposure_find_class(&e, "eth0:10.0.0.0/8") >= 0);
	assert_int_equal(ipts_exposure_find_class(&e, "eth0:172.16.0.0/12"),
			 -1);
	assert_int_equal(ipts_exposure_find_class(&e, "eth0:172.20.0.0/16"),
			 -1);
	assert_true(ipts_exposure_find_row(&e, "80/tcp") >= 0);
	assert_true(ipts_exposure_find_row(&e, "192.0.2.10:80/tcp") >= 0);
	assert_true(ipts_exposure_find_row(&e, "192.0.2.11:80/tcp") >= 0);
	assert_int_equal(ipts_exposure_find_row(&e, "192.0.2.11:22/tcp"), -1);
	/* every row's answers go back by OUTPUT: 10/8 is no other class */
	assert_null(alias_of(&e, "22/tcp", "eth0:10.0.0.0/8"));
	ipts_exposure_free(&e);
	ipts_hostdesc_free(h);
	ipts_diags_free(&d);
}

/* A pair: each row of no address is asked over IPv6 too (PORT/tcp6),
 * its lo cell through the IPv6 file over ::1, its interface cells from
 * a neighbour in the interface's IPv6 prefix (an interface of IPv6 alone
 * has classes too, its IPv4 cells undetermined); the IPv6 file's ports
 * are rows of both families. */
static void test_exposure_pair_asks_lo_over_both_families(void **state)
{
	static const char v6[] = "*filter\n:INPUT DROP [0:0]\n"
				 "-A INPUT -m conntrack --ctstate "
				 "RELATED,ESTABLISHED -j ACCEPT\n"
				 /* neighbour discovery */
				 "-A INPUT -p ipv6-icmp -j ACCEPT\n"
				 "-A INPUT -p tcp -m tcp --dport 22 -j ACCEPT\n"
				 "COMMIT\n";
	struct ipts_fixture *f = *state;
	struct ipts_ruleset *rs = load(
		state, "*filter\n:INPUT DROP [0:0]\n-A INPUT -i lo -j ACCEPT\n"
		       "-A INPUT -p tcp -m tcp --dport 2223 -j ACCEPT\n"
		       "COMMIT\n");
	struct ipts_parse_opts o = f->opts;
	struct ipts_source *src = ipts_source_from_mem("test.v6", v6,
						       strlen(v6));
	struct ipts_diags d = { 0 };
	struct ipts_ruleset *rs6;
	struct ipts_hostdesc *h = ipts_hostdesc_new();
	struct ipts_sim_ctx *ctx, *ctx6;
	struct ipts_exposure e;
	struct ipts_limits lim;
	uint64_t spent;
	bool hit;
	long r4, r6, k;

	o.family = IPTS_FAMILY_IPV6;
	rs6 = ipts_parse(src, &o, &d);
	assert_non_null(rs6);
	char a[INET6_ADDRSTRLEN];

	assert_int_equal(ipts_hostdesc_add_iface(h, "eth0=192.0.2.10/24", &d),
			 0);
	assert_int_equal(ipts_hostdesc_add_iface(h, "eth0=2001:db8:1::10/64",
						 &d),
			 0);
	assert_int_equal(ipts_hostdesc_add_iface(h, "eth1=2001:db8:2::1/64",
						 &d),
			 0);
	ipts_exposure_init(&e, h);
	ipts_exposure_pair(&e, rs6, false);
	ipts_exposure_plan(&e, rs);
	ipts_exposure_cells(&e);
	/* 22 (the IPv6 file's) and 2223, each of both families */
	assert_int_equal(e.nrows, 4);
	assert_string_equal(e.rows[0].label, "22/tcp");
	assert_string_equal(e.rows[1].label, "22/tcp6");
	assert_int_equal(e.rows[1].family, NFPROTO_IPV6);
	r4 = ipts_exposure_find_row(&e, "2223/tcp");
	r6 = ipts_exposure_find_row(&e, "2223/tcp6");
	assert_true(r4 >= 0 && r6 >= 0);
	ctx = ipts_sim_prepare_on(rs, h);
	ctx6 = ipts_sim_prepare_on(rs6, h);
	e.ctx6 = ctx6;
	ipts_limits_init(&lim);
	ipts_exposure_run(&e, ctx, &lim, first_rule, UINT64_MAX, 1, &spent,
			  &hit);
	/* lo: IPv4 lets lo in, IPv6 has no such rule */
	assert_int_equal(ipts_exposure_cell(&e, (size_t)r4, 0)->state,
			 IPTS_EXP_OPEN);
	assert_int_equal(ipts_exposure_cell(&e, (size_t)r6, 0)->state,
			 IPTS_EXP_FILTERED);
	assert_int_equal(ipts_exposure_cell(&e, 1, 0)->state, IPTS_EXP_OPEN);
	k = ipts_exposure_find_class(&e, "eth0:link");
	assert_true(k > 0);
	assert_int_equal(ipts_exposure_cell(&e, (size_t)r4, (size_t)k)->state,
			 IPTS_EXP_OPEN);
	/* eth0:link over IPv6: 2001:db8:1::1 -> 2001:db8:1::10 on eth0 */
	assert_true(e.classes[k].has6);
	inet_ntop(AF_INET6, &e.classes[k].src6, a, sizeof(a));
	assert_string_equal(a, "2001:db8:1::1");
	assert_int_equal(ipts_exposure_cell(&e, (size_t)r6, (size_t)k)->state,
			 IPTS_EXP_FILTERED);
	assert_true(ipts_exposure_cell(&e, (size_t)r6, (size_t)k)->simulated);
	assert_int_equal(ipts_exposure_cell(&e, 1, (size_t)k)->state,
			 IPTS_EXP_OPEN);
	assert_int_equal(ipts_exposure_cell(&e, 1, (size_t)k)->path,
			 IPTS_PATH_INPUT);
	/* the internet: outside every prefix */
	k = ipts_exposure_find_class(&e, "eth0:internet");
	assert_true(k > 0);
	inet_ntop(AF_INET6, &e.classes[k].src6, a, sizeof(a));
	assert_string_equal(a, "2001:db8:ffff::45");
	/* no default route: the SYN-ACK has no way back */
	assert_int_equal(ipts_exposure_cell(&e, 1, (size_t)k)->state,
			 IPTS_EXP_FILTERED);
	/* eth1 has IPv6 alone: IPv6 cells simulated, IPv4 ones not */
	k = ipts_exposure_find_class(&e, "eth1:link");
	assert_true(k > 0);
	assert_int_equal(ipts_exposure_cell(&e, 1, (size_t)k)->state,
			 IPTS_EXP_OPEN);
	assert_int_equal(ipts_exposure_cell(&e, 0, (size_t)k)->state,
			 IPTS_EXP_UNDETERMINED);
	assert_false(ipts_exposure_cell(&e, 0, (size_t)k)->simulated);
	assert_non_null(strstr(ipts_exposure_cell(&e, 0, (size_t)k)->why,
			       "no IPv4 address"));
	ipts_exposure_free(&e);
	ipts_sim_free(ctx);
	ipts_sim_free(ctx6);
	ipts_ruleset_free(rs6);
	ipts_source_free(src);
	ipts_hostdesc_free(h);
	ipts_diags_free(&d);
}

/* An IPv6 file alone: its rows are IPv6 rows; a -s prefix its rules
 * name on an interface is a class of its own (split6), its client inside
 * it, and the internet's client is moved out of it. */
static void test_exposure_v6_alone_splits_sources(void **state)
{
	static const char v6[] =
		"*filter\n:INPUT DROP [0:0]\n"
		"-A INPUT -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT\n"
		"-A INPUT -p ipv6-icmp -j ACCEPT\n" /* neighbour discovery */
		"-A INPUT -i eth0 -s 2001:db8::/32 -p tcp -m tcp --dport 22 "
		"-j ACCEPT\n"
		"COMMIT\n";
	struct ipts_fixture *f = *state;
	struct ipts_parse_opts o = f->opts;
	struct ipts_source *src = ipts_source_from_mem("test.v6", v6,
						       strlen(v6));
	struct ipts_diags d = { 0 };
	struct ipts_hostdesc *h = ipts_hostdesc_new();
	struct ipts_ruleset *rs6;
	struct ipts_sim_ctx *ctx6;
	struct ipts_exposure e;
	struct ipts_limits lim;
	char a[INET6_ADDRSTRLEN];
	uint64_t spent;
	bool hit;
	long k, r;

	o.family = IPTS_FAMILY_IPV6;
	rs6 = ipts_parse(src, &o, &d);
	assert_non_null(rs6);
	assert_int_equal(ipts_hostdesc_add_iface(h, "eth0=2001:db8:1::10/64",
						 &d),
			 0);
	assert_int_equal(ipts_hostdesc_add_route(
				 h, "default via 2001:db8:1::1 dev eth0", &d),
			 0);
	ipts_exposure_init(&e, h);
	ipts_exposure_pair(&e, rs6, true);
	ipts_exposure_plan(&e, NULL);
	ipts_exposure_cells(&e);
	assert_int_equal(e.nrows, 1);
	assert_string_equal(e.rows[0].label, "22/tcp6");
	k = ipts_exposure_find_class(&e, "eth0:2001:db8::/32");
	assert_true(k > 0);
	assert_int_equal(e.classes[k].kind, IPTS_EXP_KIND_SPLIT6);
	inet_ntop(AF_INET6, &e.classes[k].src6, a, sizeof(a));
	assert_string_equal(a, "2001:db8::1");
	r = ipts_exposure_find_class(&e, "eth0:internet");
	assert_true(r > 0);
	inet_ntop(AF_INET6, &e.classes[r].src6, a, sizeof(a));
	assert_string_equal(a, "2606:4700:4700::1111");
	ctx6 = ipts_sim_prepare_on(rs6, h);
	e.ctx6 = ctx6;
	ipts_limits_init(&lim);
	ipts_exposure_run(&e, NULL, &lim, first_rule, UINT64_MAX, 1, &spent,
			  &hit);
	assert_int_equal(ipts_exposure_cell(&e, 0, (size_t)k)->state,
			 IPTS_EXP_OPEN);
	assert_int_equal(ipts_exposure_cell(&e, 0, (size_t)r)->state,
			 IPTS_EXP_FILTERED);
	/* the link's neighbour 2001:db8:1::1 is inside the /32 too */
	k = ipts_exposure_find_class(&e, "eth0:link");
	assert_int_equal(ipts_exposure_cell(&e, 0, (size_t)k)->state,
			 IPTS_EXP_OPEN);
	ipts_exposure_free(&e);
	ipts_sim_free(ctx6);
	ipts_ruleset_free(rs6);
	ipts_source_free(src);
	ipts_hostdesc_free(h);
	ipts_diags_free(&d);
}

/* Parts of a range that answer alike are one row again; a split class
 * answering as another class of its interface in every row is folded
 * into it, and found by its name. */
static void test_exposure_merge_joins_alike(void **state)
{
	struct ipts_ruleset *rs = load(
		state,
		"*filter\n:INPUT DROP [0:0]\n"
		"-A INPUT -s 172.16.0.0/12 -p udp -m udp --dport 9 -j LOG\n"
		"-A INPUT -p tcp -m tcp --dport 8080 -j LOG\n"
		"-A INPUT -p tcp -m tcp --dport 8000:8100 -j ACCEPT\n"
		"-A INPUT -p tcp -m tcp --dport 9050 -j ACCEPT\n"
		"-A INPUT -p tcp -m tcp --dport 9000:9100 -j ACCEPT\n"
		"COMMIT\n");
	struct ipts_hostdesc *h = ipts_hostdesc_new();
	struct ipts_diags d = { 0 };
	struct ipts_sim_ctx *ctx;
	struct ipts_exposure e;
	struct ipts_limits lim;
	uint64_t spent;
	bool hit;
	long k;

	assert_int_equal(ipts_hostdesc_add_iface(h, "eth0=192.0.2.10/24", &d),
			 0);
	assert_int_equal(ipts_hostdesc_add_route(
				 h, "default via 192.0.2.1 dev eth0", &d),
			 0);
	ctx = ipts_sim_prepare_on(rs, h);
	e = plan_on(rs, h, false);
	assert_true(ipts_exposure_find_class(&e, "eth0:172.16.0.0/12") >= 0);
	ipts_limits_init(&lim);
	ipts_exposure_run(&e, ctx, &lim, first_rule, UINT64_MAX, 2, &spent,
			  &hit);
	ipts_exposure_merge(&e);
	/* 8080 is LOGged then accepted as its neighbours: the range is one
	 * row (8080 stays a row: a rule names it); 9050 is accepted by
	 * another rule: the range is three rows */
	assert_true(ipts_exposure_find_row(&e, "8000-8100/tcp") >= 0);
	assert_true(ipts_exposure_find_row(&e, "8080/tcp") >= 0);
	assert_true(ipts_exposure_find_row(&e, "9000-9049/tcp") >= 0);
	assert_true(ipts_exposure_find_row(&e, "9050/tcp") >= 0);
	assert_true(ipts_exposure_find_row(&e, "9051-9100/tcp") >= 0);
	assert_int_equal(e.nrows, 6);
	/* the LOG rule's prefix answers as the link (the first alike):
	 * folded into it */
	assert_int_equal(e.nclasses, 3);
	k = ipts_exposure_find_class(&e, "eth0:172.16.0.0/12");
	assert_true(k >= 0);
	assert_string_equal(e.classes[k].name, "eth0:link");
	assert_int_equal(e.classes[k].nfolded, 1);
	ipts_exposure_free(&e);
	ipts_sim_free(ctx);
	ipts_hostdesc_free(h);
	ipts_diags_free(&d);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(
			test_exposure_dnat_row_takes_the_way_to_it,
			fixture_setup, fixture_teardown),
		cmocka_unit_test_setup_teardown(
			test_exposure_filter_ports_are_rows, fixture_setup,
			fixture_teardown),
		cmocka_unit_test_setup_teardown(test_exposure_classes_of_a_host,
						fixture_setup,
						fixture_teardown),
		cmocka_unit_test_setup_teardown(
			test_exposure_cells_as_nmap_names_them, fixture_setup,
			fixture_teardown),
		cmocka_unit_test_setup_teardown(
			test_exposure_range_parts_and_sharing, fixture_setup,
			fixture_teardown),
		cmocka_unit_test_setup_teardown(
			test_exposure_unmodelled_match_stops_sharing,
			fixture_setup, fixture_teardown),
		cmocka_unit_test_setup_teardown(test_exposure_ranges_are_bounded,
						fixture_setup,
						fixture_teardown),
		cmocka_unit_test_setup_teardown(test_exposure_split_classes,
						fixture_setup,
						fixture_teardown),
		cmocka_unit_test_setup_teardown(
			test_exposure_shared_answers_are_exact, fixture_setup,
			fixture_teardown),
		cmocka_unit_test_setup_teardown(test_exposure_classes_per_row,
						fixture_setup,
						fixture_teardown),
		cmocka_unit_test_setup_teardown(
			test_exposure_reply_and_host_addresses, fixture_setup,
			fixture_teardown),
		cmocka_unit_test_setup_teardown(
			test_exposure_pair_asks_lo_over_both_families,
			fixture_setup, fixture_teardown),
		cmocka_unit_test_setup_teardown(
			test_exposure_v6_alone_splits_sources, fixture_setup,
			fixture_teardown),
		cmocka_unit_test_setup_teardown(test_exposure_merge_joins_alike,
						fixture_setup,
						fixture_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
