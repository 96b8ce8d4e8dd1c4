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
	/* one row a port: 22 twice is one; a range is no row yet */
	assert_int_equal(e.nrows, 3);
	assert_string_equal(e.rows[0].label, "22/tcp");
	assert_int_equal(e.rows[0].origin, IPTS_EXP_RULE);
	assert_string_equal(e.rows[1].label, "80/tcp");
	assert_int_equal(e.rows[1].origin, IPTS_EXP_LISTEN);
	assert_string_equal(e.rows[2].label, "500/udp");
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
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
