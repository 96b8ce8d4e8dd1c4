/*
 * test_paths.c - connections that arrive on, leave by or pass through an
 * interface of a described host, against the kernel: every case of
 * tests/diff/net-cases/ (recorded by tests/kernel/oracle_net.py in a
 * topology of network namespaces) is loaded through the library, its
 * host built from its .args with ipts_hostdesc_add_*(), and simulated;
 * the outcome and the first packet's path must be the kernel's. The
 * TRACE lines are compared by tests/diff/net_recorded.sh, through the
 * command.
 */
#include "fixture.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <netinet/in.h>

#include "host.h"
#include "sim.h"

#ifndef IPTS_NET_CASES
#error "IPTS_NET_CASES: the directory of the recorded cases"
#endif

/*
 * Built twice: test_paths takes the IPv4 cases, test_paths6
 * (IPTS_PATHS_V6) the IPv6 ones ("v6_*"). One process cannot load both:
 * an extension library registers only the entries of the family
 * libxtables had when it was first loaded (libxt_DNAT.so loaded for an
 * IPv4 file has no IPv6 DNAT afterwards: "unknown option
 * --to-destination"; `iptsim check a.v4 b.v6` shows it too).
 */
#ifndef IPTS_PATHS_V6
#define IPTS_PATHS_V6 0
#endif

/* Each case's kernel outcome (its expect.json), and the path the first
 * packet takes there: what iptsim must answer. */
static const struct expect {
	const char *name;
	const char *outcome;
	const char *path; /* ipts_path_name(), or NULL: none */
} expects[] = {
	{ "addrtype_local_in", "connected", "input" },
	{ "addrtype_local_other_iface", "connected", "input" },
	{ "docker_bypass", "connected", "forward" },
	{ "docker_user_drop", "timeout", "forward" },
	{ "exposure_office_app", "connected", "input" },
	{ "exposure_office_company", "timeout", "input" },
	{ "exposure_office_company_ssh", "connected", "input" },
	{ "exposure_perport_app_ssh", "connected", "input" },
	{ "exposure_reply_dst", "timeout", "input" },
	{ "exposure_reply_new", "connected", "input" },
	{ "exposure_dst_second_addr", "connected", "input" },
	{ "exposure_lo_second_addr", "timeout", "local" },
	{ "exposure_lo_service_src", "connected", "output" },
	{ "exposure_split_forward", "connected", "forward" },
	{ "exposure_split_lan", "connected", "input" },
	{ "exposure_split_wan", "timeout", "input" },
	{ "forward_off", "timeout", NULL },
	{ "forward_off_egress", "timeout", "forward" },
	{ "forward_off_ingress", "timeout", NULL },
	{ "fwd_accept", "connected", "forward" },
	{ "fwd_ttl_decremented", "connected", "forward" },
	{ "fwd_ttl_expired", "hostunreach", "forward" },
	{ "fwd_ttl_expired_udp", "dropped", "forward" },
	{ "fwd_masquerade", "connected", "forward" },
	{ "fwd_masquerade_udp", "delivered", "forward" },
	{ "fwd_no_route", "netunreach", NULL },
	{ "fwd_no_route_nat", "netunreach", NULL },
	{ "fwd_order_all_tables", "connected", "forward" },
	{ "fwd_reject_admin_prohibited", "hostunreach", "forward" },
	{ "fwd_reject_host_prohibited", "hostunreach", "forward" },
	{ "fwd_reject_host_unreachable", "hostunreach", "forward" },
	{ "fwd_reject_icmp", "refused", "forward" },
	{ "fwd_reject_icmp_dnat", "refused", "forward" },
	{ "fwd_reject_net_prohibited", "netunreach", "forward" },
	{ "fwd_reject_net_unreachable", "netunreach", "forward" },
	{ "fwd_reject_proto_unreachable", "protounreach", "forward" },
	{ "fwd_reject_rst", "refused", "forward" },
	{ "fwd_reject_rst_dnat", "refused", "forward" },
	{ "fwd_reject_rst_masq", "refused", "forward" },
	{ "fwd_route_blackhole", "timeout", NULL },
	{ "fwd_route_prohibit", "hostunreach", NULL },
	{ "fwd_route_unreachable", "hostunreach", NULL },
	{ "fwd_trace_rule", "connected", "forward" },
	{ "in_accept", "connected", "input" },
	{ "in_drop", "timeout", "input" },
	{ "in_order_all_tables", "connected", "input" },
	{ "in_reject_icmp", "hostunreach", "input" },
	{ "in_udp_closed", "refused", "input" },
	{ "local_no_route", "netunreach", NULL },
	{ "local_route_blackhole", "einval", NULL },
	{ "local_route_prohibit", "eperm", NULL }, /* EACCES */
	{ "local_route_unreachable", "hostunreach", NULL },
	{ "local_to_own_wan_addr", "connected", "local" },
	{ "local_masq_random_port", "connected", "output" },
	{ "local_to_remote", "connected", "output" },
	{ "local_to_remote_closed", "refused", "output" },
	{ "martian_localnet_off", "timeout", NULL },
	{ "martian_localnet_on", "connected", "input" },
	{ "martian_src_localnet_off", "timeout", NULL },
	{ "martian_src_localnet_on", "timeout", "input" },
	{ "output_dnat_reroute", "connected", "output" },
	{ "output_dnat_reroute_fails", "timeout", NULL },
	{ "udp_dnat_output_no_route", "netunreach", NULL },
	{ "rp_loose_asym", "timeout", "input" },
	{ "rp_loose_noroute", "timeout", NULL },
	{ "rp_max_wins", "timeout", NULL },
	{ "rp_strict_asym", "timeout", NULL },
	/* IPv6 */
	{ "synretx_in_cross", "connected", "input" },
	{ "synretx_fwd_cross", "connected", "forward" },
	{ "synretx_out_cross", "connected", "output" },
	{ "synretx_out_reject_rst", "connected", "output" },
	{ "synretx_out_reject_host", "connected", "output" },
	{ "synretx_out_reject_net", "connected", "output" },
	{ "synretx_out_reject_port", "connected", "output" },
	{ "synretx_out_reject_prohib", "connected", "output" },
	{ "synretx_fwd_reject_rst", "connected", "forward" },
	{ "synretx_fwd_reject_host", "connected", "forward" },
	{ "synretx_fwd_reject_port", "connected", "forward" },
	{ "synretx_out_reject4_rst", "connected", "output" },
	{ "synretx_out_reject4_port", "connected", "output" },
	{ "ackdrop_synack_reject_rst", "connected", "output" },
	{ "ackdrop_synack_reject_port", "connected", "output" },
	{ "asym_reject_input_rst", "timeout", "input" },
	{ "asym_reject_input_icmp", "timeout", "input" },
	{ "asym_reject_fwd_icmp", "timeout", "forward" },
	{ "synretx_ct_dnat_reject", "connected", "output" },
	{ "synretx_ct_dnat_drop", "connected", "output" },
	{ "rst_kills_entry_fwd_dnat", "connected", "forward" },
	{ "v6_addrtype_local_in", "connected", "input" },
	{ "v6_addrtype_other_iface", "timeout", "input" },
	{ "v6_dnat_published", "connected", "forward" },
	{ "v6_exposure_internet_lan", "timeout", "input" },
	{ "v6_exposure_link_lan", "connected", "input" },
	{ "v6_exposure_dnat", "connected", "input" },
	{ "v6_exposure_second_addr_lo", "refused", "local" },
	{ "v6_exposure_second_addr_other_iface", "connected", "input" },
	{ "v6_exposure_split_as_internet", "timeout", "input" },
	{ "v6_fwd_dev_only", "timeout", NULL },
	{ "v6_fwd_hl_expired", "hostunreach", "forward" },
	{ "v6_fwd_no_route", "netunreach", NULL },
	{ "v6_fwd_off", "timeout", NULL },
	{ "v6_fwd_on", "connected", "forward" },
	{ "v6_fwd_reject", "eperm", "forward" }, /* EACCES */
	{ "v6_in_accept", "connected", "input" },
	{ "v6_in_drop", "timeout", "input" },
	{ "v6_link_local_in", "connected", "input" },
	{ "v6_loopback_on_eth0", "timeout", NULL },
	/* IPv6 neighbour discovery (--ndp: empty neighbour caches) */
	{ "v6_ndp_established_only", "hostunreach", NULL },
	{ "v6_ndp_fwd_accept", "connected", "forward" },
	{ "v6_ndp_fwd_na_drop", "hostunreach", "forward" },
	{ "v6_ndp_fwd_ns_drop", "hostunreach", "forward" },
	{ "v6_ndp_fwd_resent_ns_drop", "hostunreach", "forward" },
	{ "v6_ndp_other_addr_accept", "connected", "input" },
	{ "v6_ndp_other_addr_ns_drop", "hostunreach", NULL },
	{ "v6_ndp_fwd_ns_drop_icmp", "timeout", "forward" },
	{ "v6_ndp_fwd_srv_na_drop", "timeout", "forward" },
	{ "v6_ndp_fwd_srv_ns_drop", "timeout", "forward" },
	{ "v6_ndp_in_accept", "connected", "input" },
	{ "v6_ndp_in_na_drop", "hostunreach", NULL },
	{ "v6_ndp_in_ns_drop", "hostunreach", NULL },
	{ "v6_ndp_out_na_drop", "hostunreach", "output" },
	{ "v6_ndp_out_ns_drop", "hostunreach", "output" },
	{ "v6_ndp_router_accept", "connected", "input" },
	{ "v6_ndp_router_in_ns_drop", "hostunreach", NULL },
	{ "v6_ndp_router_ll_ns_drop", "connected", "input" },
	{ "v6_ndp_router_na_drop", "timeout", "input" },
	{ "v6_ndp_router_ns_drop", "timeout", "input" },
	{ "v6_ndp_srv_onlink_ns_drop", "connected", "input" },
	{ "v6_ndp_udp_fwd_ns_drop", "dropped", "forward" },
	{ "v6_ndp_udp_in_accept", "delivered", "input" },
	{ "v6_ndp_udp_in_ns_drop", "dropped", NULL },
	{ "v6_ndp_udp_out_accept", "delivered", "output" },
	{ "v6_ndp_udp_out_ns_drop", "dropped", "output" },
	{ "v6_ndp_udp_router_accept", "delivered", "input" },
	{ "v6_ndp_udp_router_ns_drop", "dropped", "input" },
	{ "v6_ndp_untracked", "connected", "input" },
	{ "v6_out_wan", "connected", "output" },
	{ "v6_rpfilter_loose", "timeout", "input" },
	{ "v6_rpfilter_strict", "timeout", NULL },
	{ "v6_synretx_out_reject_addr", "connected", "output" },
	{ "v6_synretx_out_reject_port", "connected", "output" },
	{ "v6_synretx_out_reject_rst", "connected", "output" },
};

static char *slurp(const char *path)
{
	FILE *f = fopen(path, "r");
	char *buf;
	long n;

	if (!f)
		return NULL;
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	buf = calloc(1, (size_t)n + 1);
	assert_non_null(buf);
	assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
	fclose(f);
	return buf;
}

static uint32_t addr_of(const char *s)
{
	struct in_addr a;

	if (inet_pton(AF_INET, s, &a) != 1)
		fail_msg("not an address: %s", s);
	return a.s_addr;
}

/* An address of either family into @a; the query takes its family, and
 * an IPv6 link-local's %zone goes to @zone (NULL: none allowed). */
static void inet_of(struct ipts_query *q, const char *s, union nf_inet_addr *a,
		    char *zone, size_t zlen)
{
	char buf[64];
	const char *pc = strchr(s, '%');

	snprintf(buf, sizeof(buf), "%.*s", pc ? (int)(pc - s) : 63, s);
	memset(a, 0, sizeof(*a));
	if (inet_pton(AF_INET6, buf, &a->in6) == 1) {
		q->family = NFPROTO_IPV6;
		if (pc && zone)
			snprintf(zone, zlen, "%s", pc + 1);
		return;
	}
	a->ip = addr_of(s);
}

/* The case's options: the host into @h, the connection into @q. */
static void read_args(const char *name, char *text, struct ipts_hostdesc *h,
		      struct ipts_query *q, char *in, size_t inlen)
{
	struct ipts_diags d = { 0 };
	char *line, *save = NULL;
	uint32_t wire = 0;
	union nf_inet_addr wdst;
	bool has_wdst = false;

	ipts_query_init(q);
	/* without --ndp the oracle adds permanent neighbour entries */
	q->no_ndp = true;
	for (line = strtok_r(text, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		char *v = strchr(line, '=');

		if (v)
			*v++ = '\0';
		if (strcmp(line, "--iface") == 0) {
			if (ipts_hostdesc_add_iface(h, v, &d) < 0)
				goto bad;
		} else if (strcmp(line, "--route") == 0) {
			if (ipts_hostdesc_add_route(h, v, &d) < 0)
				goto bad;
		} else if (strcmp(line, "--sysctl") == 0) {
			if (ipts_hostdesc_add_sysctl(h, v, &d) < 0)
				goto bad;
		} else if (strcmp(line, "--in") == 0) {
			snprintf(in, inlen, "%s", v);
			q->in = in;
		} else if (strcmp(line, "--src") == 0) {
			inet_of(q, v, &q->src, NULL, 0);
			q->given |= IPTS_QGIVEN_SRC;
		} else if (strcmp(line, "--wire-src") == 0) {
			wire = addr_of(v);
		} else if (strcmp(line, "--wire-dst") == 0) {
			inet_of(q, v, &wdst, NULL, 0);
			has_wdst = true;
		} else if (strcmp(line, "--dst") == 0) {
			inet_of(q, v, &q->dst, q->dst_zone,
				sizeof(q->dst_zone));
		} else if (strcmp(line, "--dport") == 0) {
			q->dport = (uint16_t)atoi(v);
		} else if (strcmp(line, "--uid") == 0) {
			q->uid = q->gid = (uint32_t)atoi(v);
		} else if (strcmp(line, "--proto") == 0) {
			q->proto = strcmp(v, "udp") == 0 ? IPPROTO_UDP :
							   IPPROTO_TCP;
		} else if (strcmp(line, "--no-listener") == 0) {
			q->no_listener = true;
		} else if (strcmp(line, "--ndp") == 0) {
			q->no_ndp = false; /* the oracle's empty caches */
		} else if (strcmp(line, "--fresh") == 0) {
			q->fresh = true; /* the oracle's just-loaded rules */
		} else if (strcmp(line, "--listen") == 0) {
			char *port = strrchr(v, ':');

			assert_true(q->nlisten < IPTS_QUERY_MAX_LOCAL);
			memset(&q->listen[q->nlisten].addr, 0,
			       sizeof(q->listen[q->nlisten].addr));
			if (port) {
				*port++ = '\0';
				if (*v == '[') {
					v++;
					v[strcspn(v, "]")] = '\0';
				}
				inet_of(q, v, &q->listen[q->nlisten].addr, NULL,
					0);
			} else {
				port = v;
			}
			q->listen[q->nlisten++].port = (uint16_t)atoi(port);
		} else if (strcmp(line, "--no-nft-trace") != 0 &&
			   strcmp(line, "--timeout-ms") != 0 &&
			   strcmp(line, "--late-counters") != 0 &&
			   strcmp(line, "--settle-ms") != 0) {
			fail_msg("%s: option %s not known here", name, line);
		}
	}
	/* the source the packet has on the wire (rewritten in the peer) */
	if (wire)
		q->src.ip = wire;
	if (has_wdst)
		q->dst = wdst;
	/* an IPv6 local client without --src: the CLI's ::1, which the
	 * simulator replaces by the source routing picks */
	if (q->family == NFPROTO_IPV6 && !(q->given & IPTS_QGIVEN_SRC)) {
		memset(&q->src, 0, sizeof(q->src));
		q->src.in6 = in6addr_loopback;
	}
	ipts_diags_free(&d);
	return;
bad:
	fixture_print_diags(&d);
	fail_msg("%s: the host does not build", name);
}

static void test_every_net_case_as_the_kernel(void **state)
{
	struct ipts_fixture *f = *state;
	unsigned int i, bad = 0;

	for (i = 0; i < sizeof(expects) / sizeof(expects[0]); i++) {
		const struct expect *e = &expects[i];
		struct ipts_hostdesc *h = ipts_hostdesc_new();
		struct ipts_sim_ctx *ctx;
		struct ipts_result res;
		struct ipts_query q;
		char path[512], in[32], *rules, *args;
		const char *got, *gotpath;

		if ((strncmp(e->name, "v6_", 3) == 0) != IPTS_PATHS_V6) {
			ipts_hostdesc_free(h);
			continue;
		}
		snprintf(path, sizeof(path), "%s/%s.rules", IPTS_NET_CASES,
			 e->name);
		rules = slurp(path);
		snprintf(path, sizeof(path), "%s/%s.args", IPTS_NET_CASES,
			 e->name);
		args = slurp(path);
		assert_non_null(rules);
		assert_non_null(args);
		/* an IPv6 case's file, as ipts_parse_family() tells it */
		f->opts.family = IPTS_PATHS_V6 ? IPTS_FAMILY_IPV6 :
						 IPTS_FAMILY_AUTO;
		if (!load_str(f, rules)) {
			fixture_dump_diags(f);
			fail_msg("%s: the rules do not load", e->name);
		}
		read_args(e->name, args, h, &q, in, sizeof(in));
		ctx = ipts_sim_prepare_on(f->rs, h);
		ipts_result_init(&res);
		if (ipts_simulate(ctx, &q, &res) < 0) {
			print_message("%s: refused: %s\n", e->name, res.why);
			bad++;
		} else {
			got = ipts_outcome_name(res.outcome);
			gotpath = ipts_path_name(res.path);
			if (getenv("IPTS_TEST_VERBOSE"))
				print_message("%s: %s (%s) %s | route %s | "
					      "%u facts\n",
					      e->name, got,
					      gotpath ? gotpath : "none",
					      res.why, res.route, res.nfacts);
			for (unsigned int k = 0;
			     getenv("IPTS_TEST_VERBOSE") && k < res.npackets;
			     k++) {
				const struct ipts_packet *pk = &res.packets[k];

				print_message("   %s in=%s out=%s%s:", pk->name,
					      pk->in, pk->out,
					      pk->left_host ? " left" : "");
				for (size_t t = 0; t < pk->ntrace; t++)
					print_message(
						" %s:%s:%s:%u",
						pk->trace[t].chain->table->name,
						pk->trace[t].chain->name,
						ipts_trace_type_name(
							pk->trace[t].type),
						pk->trace[t].num);
				print_message("\n");
			}
			if (strcmp(got, e->outcome) != 0 ||
			    (gotpath == NULL) != (e->path == NULL) ||
			    (gotpath && strcmp(gotpath, e->path) != 0)) {
				print_message("%s: %s (path %s), the kernel "
					      "%s (path %s): %s%s%s\n",
					      e->name, got,
					      gotpath ? gotpath : "none",
					      e->outcome,
					      e->path ? e->path : "none",
					      res.why,
					      res.stopped[0] ? "; stopped: " :
							       "",
					      res.stopped);
				bad++;
			}
		}
		ipts_result_free(&res);
		ipts_sim_free(ctx);
		ipts_hostdesc_free(h);
		free(rules);
		free(args);
	}
	assert_int_equal(bad, 0);
}

#if !IPTS_PATHS_V6
/* Every recorded case is in the table above (a new one gets a line). */
static void test_every_case_listed(void **state)
{
	DIR *dir = opendir(IPTS_NET_CASES);
	struct dirent *de;
	unsigned int n = 0;

	(void)state;
	assert_non_null(dir);
	while ((de = readdir(dir))) {
		const char *dot = strrchr(de->d_name, '.');
		size_t len, i;
		bool found = false;

		if (!dot || strcmp(dot, ".args") != 0)
			continue;
		len = (size_t)(dot - de->d_name);
		for (i = 0; i < sizeof(expects) / sizeof(expects[0]); i++)
			if (strlen(expects[i].name) == len &&
			    strncmp(expects[i].name, de->d_name, len) == 0)
				found = true;
		if (!found)
			fail_msg("case %.*s is not in test_paths.c's table",
				 (int)len, de->d_name);
		n++;
	}
	closedir(dir);
	assert_int_equal(n, sizeof(expects) / sizeof(expects[0]));
}

/* A host read from a captured directory (tests/host/NAME). */
static struct ipts_hostdesc *host_dir(const char *name)
{
	struct ipts_hostdesc *h = ipts_hostdesc_new();
	struct ipts_diags d = { 0 };
	char dir[512];

	snprintf(dir, sizeof(dir), "%s/../../host/%s", IPTS_NET_CASES, name);
	if (ipts_hostdesc_read_dir(h, dir, &d) < 0) {
		fixture_print_diags(&d);
		fail_msg("%s does not read", dir);
	}
	ipts_diags_free(&d);
	return h;
}

static const char docker_rules[] =
	"*filter\n:INPUT DROP [0:0]\n:FORWARD ACCEPT [0:0]\n"
	":OUTPUT ACCEPT [0:0]\n"
	"-A FORWARD -m physdev --physdev-is-bridged -j DROP\n"
	"-A INPUT -p tcp --dport 8080 -j ACCEPT\n"
	"COMMIT\n";

/* A port of a bridge is no place to ask from: iptables sees its packets
 * on the bridge, and bridged traffic is not simulated. */
static void test_a_bridge_port_is_refused(void **state)
{
	struct ipts_fixture *f = *state;
	struct ipts_hostdesc *h = host_dir("docker");
	struct ipts_sim_ctx *ctx;
	struct ipts_result res;
	struct ipts_query q;

	assert_non_null(load_str(f, docker_rules));
	ctx = ipts_sim_prepare_on(f->rs, h);
	ipts_query_init(&q);
	q.in = "veth1a2b";
	q.src.ip = ip4("172.17.0.2");
	q.dst.ip = ip4("10.0.0.5");
	q.dport = 8080;
	ipts_result_init(&res);
	assert_int_equal(ipts_simulate(ctx, &q, &res), -1);
	assert_non_null(strstr(res.why, "a port of bridge docker0"));

	/* on the bridge itself: INPUT lets 8080 in, where docker-proxy listens */
	q.in = "docker0";
	assert_int_equal(ipts_simulate(ctx, &q, &res), 0);
	assert_int_equal(res.outcome, IPTS_CONNECTED);
	assert_int_equal(res.path, IPTS_PATH_INPUT);
	ipts_result_free(&res);
	ipts_sim_free(ctx);
	ipts_hostdesc_free(h);
}

/* Forwarded out of a bridge, -m physdev cannot be told: undetermined,
 * and the rule named. */
static void test_physdev_on_a_bridge_is_undetermined(void **state)
{
	struct ipts_fixture *f = *state;
	struct ipts_hostdesc *h = host_dir("docker");
	struct ipts_sim_ctx *ctx;
	struct ipts_result res;
	struct ipts_query q;
	size_t i;
	bool named = false;

	assert_non_null(load_str(f, docker_rules));
	ctx = ipts_sim_prepare_on(f->rs, h);
	ipts_query_init(&q);
	q.in = "eth0";
	q.src.ip = ip4("198.51.100.7");
	q.given |= IPTS_QGIVEN_SRC;
	q.dst.ip = ip4("172.17.0.2");
	q.dport = 80;
	ipts_result_init(&res);
	assert_int_equal(ipts_simulate(ctx, &q, &res), 0);
	assert_int_equal(res.outcome, IPTS_UNDETERMINED);
	assert_int_equal(res.path, IPTS_PATH_FORWARD);
	for (i = 0; i < res.nreasons; i++)
		if (res.reasons[i].rule &&
		    strstr(res.reasons[i].why, "br_netfilter"))
			named = true;
	assert_true(named);
	ipts_result_free(&res);
	ipts_sim_free(ctx);
	ipts_hostdesc_free(h);
}

/* A policy rule that may apply (a wg-quick fwmark table): the route is
 * not told, so neither is the answer. */
static void test_policy_routing_is_undetermined(void **state)
{
	struct ipts_fixture *f = *state;
	struct ipts_hostdesc *h = host_dir("policy");
	struct ipts_sim_ctx *ctx;
	struct ipts_result res;
	struct ipts_query q;

	assert_non_null(load_str(f, "*filter\n:INPUT ACCEPT [0:0]\n"
				    ":FORWARD ACCEPT [0:0]\n"
				    ":OUTPUT ACCEPT [0:0]\nCOMMIT\n"));
	ctx = ipts_sim_prepare_on(f->rs, h);
	ipts_query_init(&q);
	q.dst.ip = ip4("198.51.100.7");
	q.dport = 443;
	ipts_result_init(&res);
	assert_int_equal(ipts_simulate(ctx, &q, &res), 0);
	assert_int_equal(res.outcome, IPTS_UNDETERMINED);
	assert_true(res.nreasons >= 1);
	assert_non_null(strstr(res.reasons[0].why, "policy rule"));
	ipts_result_free(&res);
	ipts_sim_free(ctx);
	ipts_hostdesc_free(h);
}

/* A packet routed back out of the interface it came in on (a hairpin):
 * the kernel also sends an ICMP redirect, and what the network there
 * does next is not told: undetermined, said so. */
static void test_a_hairpin_is_undetermined(void **state)
{
	struct ipts_fixture *f = *state;
	struct ipts_hostdesc *h = ipts_hostdesc_new();
	struct ipts_diags d = { 0 };
	struct ipts_sim_ctx *ctx;
	struct ipts_result res;
	struct ipts_query q;

	assert_non_null(load_str(f,
				 "*nat\n:PREROUTING ACCEPT [0:0]\n"
				 ":INPUT ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n"
				 ":POSTROUTING ACCEPT [0:0]\n"
				 "-A PREROUTING -i eth0 -p tcp --dport 8080 "
				 "-j DNAT --to-destination 198.51.100.7:80\n"
				 "COMMIT\n"));
	assert_int_equal(ipts_hostdesc_add_iface(h, "eth0=192.0.2.10/24", &d),
			 0);
	assert_int_equal(ipts_hostdesc_add_route(
				 h, "default via 192.0.2.1 dev eth0", &d),
			 0);
	assert_int_equal(ipts_hostdesc_add_sysctl(h, "net.ipv4.ip_forward=1",
						  &d),
			 0);
	ctx = ipts_sim_prepare_on(f->rs, h);
	ipts_query_init(&q);
	q.in = "eth0";
	q.src.ip = ip4("192.0.2.20");
	q.dst.ip = ip4("192.0.2.10");
	q.dport = 8080;
	ipts_result_init(&res);
	assert_int_equal(ipts_simulate(ctx, &q, &res), 0);
	assert_int_equal(res.outcome, IPTS_UNDETERMINED);
	assert_true(res.nreasons >= 1);
	assert_non_null(strstr(res.reasons[0].why, "hairpin"));
	ipts_result_free(&res);
	ipts_sim_free(ctx);
	ipts_hostdesc_free(h);
	ipts_diags_free(&d);
}

#endif

int main(void)
{
#if IPTS_PATHS_V6
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(
			test_every_net_case_as_the_kernel, fixture_setup,
			fixture_teardown),
	};
#else
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(
			test_every_net_case_as_the_kernel, fixture_setup,
			fixture_teardown),
		cmocka_unit_test(test_every_case_listed),
		cmocka_unit_test_setup_teardown(test_a_bridge_port_is_refused,
						fixture_setup,
						fixture_teardown),
		cmocka_unit_test_setup_teardown(
			test_physdev_on_a_bridge_is_undetermined, fixture_setup,
			fixture_teardown),
		cmocka_unit_test_setup_teardown(
			test_policy_routing_is_undetermined, fixture_setup,
			fixture_teardown),
		cmocka_unit_test_setup_teardown(test_a_hairpin_is_undetermined,
						fixture_setup,
						fixture_teardown),
	};
#endif

	return cmocka_run_group_tests(tests, NULL, NULL);
}
