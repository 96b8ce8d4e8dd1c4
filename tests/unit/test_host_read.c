/*
 * test_host_read.c - a host directory (host/load.c, read_json.c,
 * read_text.c): the fixtures captured in namespaces (tests/host/
 * capture.sh) read as the kernel holds them, and malformed files refused
 * whole, with their line and column or JSON path.
 */
#include "host_fixture.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static size_t count_routes(const struct ipts_hostdesc *h, uint32_t table,
			   enum ipts_rtn type, const char *dst, int len)
{
	size_t i, n = 0;

	for (i = 0; i < ipts_hostdesc_route_count(h); i++) {
		const struct ipts_host_route *r = ipts_hostdesc_route_at(h, i);

		if (r->table == table && r->type == type &&
		    r->dst == ip4(dst) && r->dst_len == len)
			n++;
	}
	return n;
}

static void read_fixture(struct host_fx *f, const char *name)
{
	if (ipts_hostdesc_read_dir(f->h, host_fx_fixture(name), &f->d) < 0) {
		fixture_print_diags(&f->d);
		fail_msg("fixture '%s' does not read", name);
	}
}

static void test_host_read_router(void **state)
{
	struct host_fx *f = *state;
	const struct ipts_host_iface *eth1;

	read_fixture(f, "router");
	assert_int_equal(ipts_hostdesc_iface_count(f->h), 3);
	eth1 = ipts_hostdesc_iface(f->h, "eth1");
	assert_non_null(eth1);
	assert_int_equal(eth1->naddrs, 2);
	assert_int_equal(eth1->addrs[0].local, ip4("10.0.1.1"));
	assert_false(eth1->addrs[0].secondary);
	/* the kernel marks the second address of a subnet secondary */
	assert_true(eth1->addrs[1].secondary);
	/* route.json (table all) has the kernel's routes: none added twice */
	assert_int_equal(count_routes(f->h, IPTS_RT_TABLE_LOCAL,
				      IPTS_RTN_LOCAL, "127.0.0.0", 8), 1);
	assert_int_equal(count_routes(f->h, IPTS_RT_TABLE_LOCAL,
				      IPTS_RTN_BROADCAST, "10.0.1.255", 32),
			 1);
	assert_int_equal(count_routes(f->h, IPTS_RT_TABLE_MAIN,
				      IPTS_RTN_UNICAST, "10.0.1.0", 24), 1);
	assert_int_equal(count_routes(f->h, IPTS_RT_TABLE_MAIN,
				      IPTS_RTN_BLACKHOLE, "203.0.113.0", 25),
			 1);
	assert_int_equal(ipts_hostdesc_sysctl(f->h, "all",
					      IPTS_KNOB_RP_FILTER, NULL), 1);
	assert_int_equal(ipts_hostdesc_listener_count(f->h), 4);
}

static void test_host_read_docker_bridge_port(void **state)
{
	struct host_fx *f = *state;
	const struct ipts_host_iface *veth, *br, *eth0;

	read_fixture(f, "docker");
	veth = ipts_hostdesc_iface(f->h, "veth1a2b");
	br = ipts_hostdesc_iface(f->h, "docker0");
	eth0 = ipts_hostdesc_iface(f->h, "eth0");
	assert_non_null(veth);
	assert_non_null(br);
	assert_non_null(eth0);
	assert_true(br->is_bridge);
	assert_true(veth->bridge_port);
	assert_string_equal(veth->master, "docker0");
	assert_int_equal(veth->naddrs, 0);	/* only IPv6 link-local */
	assert_false(eth0->bridge_port);
	assert_false(eth0->is_bridge);
}

/* Nothing about bridging comes from a name: "br0" and "docker0" with
 * no linkinfo and no master are plain interfaces. */
static void test_host_read_no_bridge_from_names(void **state)
{
	struct host_fx *f = *state;

	host_fx_write(f, "addr.json",
		      "[{\"ifindex\":2,\"ifname\":\"docker0\",\"flags\":"
		      "[\"UP\"],\"addr_info\":[]},{\"ifindex\":3,\"ifname\":"
		      "\"vethabc\",\"flags\":[\"UP\"],\"addr_info\":[]}]");
	assert_int_equal(host_fx_read(f), 0);
	assert_false(ipts_hostdesc_iface(f->h, "docker0")->is_bridge);
	assert_false(ipts_hostdesc_iface(f->h, "vethabc")->bridge_port);
	assert_string_equal(ipts_hostdesc_iface(f->h, "vethabc")->master, "");
}

/* A master of a bridge makes a port even in `ip -j addr` without -d. */
static void test_host_read_master_without_details(void **state)
{
	struct host_fx *f = *state;

	host_fx_write(f, "addr.json",
		      "[{\"ifindex\":2,\"ifname\":\"br0\",\"flags\":[\"UP\"],"
		      "\"linkinfo\":{\"info_kind\":\"bridge\"}},"
		      "{\"ifindex\":3,\"ifname\":\"p1\",\"master\":\"br0\"},"
		      "{\"ifindex\":4,\"ifname\":\"s1\",\"master\":\"bond0\"}]");
	assert_int_equal(host_fx_read(f), 0);
	assert_true(ipts_hostdesc_iface(f->h, "p1")->bridge_port);
	assert_false(ipts_hostdesc_iface(f->h, "s1")->bridge_port);
	assert_string_equal(ipts_hostdesc_iface(f->h, "s1")->master, "bond0");
}

static void test_host_read_ppp_peer(void **state)
{
	struct host_fx *f = *state;
	const struct ipts_host_iface *ppp;

	read_fixture(f, "ppp");
	ppp = ipts_hostdesc_iface(f->h, "ppp0");
	assert_non_null(ppp);
	assert_int_equal(ppp->naddrs, 1);
	assert_true(ppp->addrs[0].has_peer);
	assert_int_equal(ppp->addrs[0].peer, ip4("100.64.0.1"));
	assert_int_equal(count_routes(f->h, IPTS_RT_TABLE_MAIN,
				      IPTS_RTN_UNICAST, "100.64.0.1", 32), 1);
}

/* addr.json alone: the kernel's routes of each address are added, as
 * fib_add_ifaddr() adds them (seen: tests/host/facts.out, "local table
 * of /24 (two addresses), /31, /32" and "main table": no broadcast for
 * /31 and /32, no connected route for a secondary or a /32). */
static void test_host_read_addr_only_derives_routes(void **state)
{
	struct host_fx *f = *state;

	host_fx_write(f, "addr.json",
		      "[{\"ifindex\":2,\"ifname\":\"r1\",\"flags\":[\"UP\"],"
		      "\"addr_info\":[{\"family\":\"inet\",\"local\":"
		      "\"10.0.1.1\",\"prefixlen\":24,\"scope\":\"global\"},"
		      "{\"family\":\"inet\",\"local\":\"10.0.1.9\","
		      "\"prefixlen\":24,\"secondary\":true},"
		      "{\"family\":\"inet\",\"local\":\"10.0.5.1\","
		      "\"prefixlen\":31},{\"family\":\"inet\",\"local\":"
		      "\"10.0.6.1\",\"prefixlen\":32},{\"family\":\"inet6\","
		      "\"local\":\"fe80::1\",\"prefixlen\":64}]}]");
	assert_int_equal(host_fx_read(f), 0);
	assert_int_equal(count_routes(f->h, IPTS_RT_TABLE_LOCAL,
				      IPTS_RTN_LOCAL, "10.0.1.9", 32), 1);
	assert_int_equal(count_routes(f->h, IPTS_RT_TABLE_LOCAL,
				      IPTS_RTN_BROADCAST, "10.0.1.255", 32),
			 1);
	assert_int_equal(count_routes(f->h, IPTS_RT_TABLE_LOCAL,
				      IPTS_RTN_BROADCAST, "10.0.1.0", 32), 0);
	assert_int_equal(count_routes(f->h, IPTS_RT_TABLE_MAIN,
				      IPTS_RTN_UNICAST, "10.0.1.0", 24), 1);
	assert_int_equal(count_routes(f->h, IPTS_RT_TABLE_LOCAL,
				      IPTS_RTN_BROADCAST, "10.0.5.1", 32), 0);
	assert_int_equal(count_routes(f->h, IPTS_RT_TABLE_MAIN,
				      IPTS_RTN_UNICAST, "10.0.5.0", 31), 1);
	assert_int_equal(count_routes(f->h, IPTS_RT_TABLE_MAIN,
				      IPTS_RTN_UNICAST, "10.0.6.1", 32), 0);
	/* lo is always there with 127.0.0.1/8, local 127.0.0.0/8 */
	assert_non_null(ipts_hostdesc_iface(f->h, "lo"));
	assert_int_equal(count_routes(f->h, IPTS_RT_TABLE_LOCAL,
				      IPTS_RTN_LOCAL, "127.0.0.0", 8), 1);
}

static void test_host_read_json_syntax_error_position(void **state)
{
	struct host_fx *f = *state;

	host_fx_write(f, "addr.json", "[\n  {\"ifname\": \"eth0\",,}\n]\n");
	assert_int_equal(host_fx_read(f), -1);
	/* the second comma, 2:21 */
	if (!fixture_find_diag(&f->d, IPTS_ERROR, NULL, 2, 21, "invalid JSON")) {
		fixture_print_diags(&f->d);
		fail();
	}
	assert_int_equal(ipts_hostdesc_iface_count(f->h), 1);	/* lo only */
}

static void test_host_read_json_truncated(void **state)
{
	struct host_fx *f = *state;

	host_fx_write(f, "route.json", "[{\"dst\":\"default\"");
	assert_int_equal(host_fx_read(f), -1);
	assert_non_null(fixture_find_diag(&f->d, IPTS_ERROR, NULL, 1, 0,
					  "unexpected end of file"));
}

static void test_host_read_json_path_in_error(void **state)
{
	struct host_fx *f = *state;

	host_fx_write(f, "addr.json",
		      "[{\"ifname\":\"lo\"},{\"ifname\":\"a\"},{\"ifname\":"
		      "\"eth0\",\"addr_info\":[{\"family\":\"inet\",\"local\":"
		      "\"10.0.0.1\",\"prefixlen\":33}]}]");
	assert_int_equal(host_fx_read(f), -1);
	if (!fixture_find_diag(&f->d, IPTS_ERROR, NULL, 0, 0,
			       "[2].addr_info[0]: 'prefixlen' is 33")) {
		fixture_print_diags(&f->d);
		fail();
	}
	assert_null(ipts_hostdesc_iface(f->h, "eth0"));
}

/* One bad file fails the whole read: nothing of the good ones stays. */
static void test_host_read_all_or_nothing(void **state)
{
	struct host_fx *f = *state;

	host_fx_write(f, "addr.json",
		      "[{\"ifindex\":2,\"ifname\":\"eth0\",\"flags\":[\"UP\"],"
		      "\"addr_info\":[{\"family\":\"inet\",\"local\":"
		      "\"192.0.2.10\",\"prefixlen\":24}]}]");
	host_fx_write(f, "sysctl.txt", "net.ipv4.ip_forward = 1\n"
		      "net.ipv4.conf.all.rp_filter = strict\n");
	assert_int_equal(host_fx_read(f), -1);
	assert_non_null(fixture_find_diag(&f->d, IPTS_ERROR, NULL, 2, 31,
					  "not an integer"));
	assert_null(ipts_hostdesc_iface(f->h, "eth0"));
	assert_int_equal(ipts_hostdesc_sysctl(f->h, "all",
					      IPTS_KNOB_FORWARDING, NULL), 0);
}

static void test_host_read_route_unknown_dev(void **state)
{
	struct host_fx *f = *state;

	host_fx_write(f, "addr.json", "[{\"ifindex\":1,\"ifname\":\"lo\"}]");
	host_fx_write(f, "route.json",
		      "[{\"dst\":\"10.0.0.0/8\",\"dev\":\"eth9\"}]");
	assert_int_equal(host_fx_read(f), -1);
	assert_non_null(fixture_find_diag(&f->d, IPTS_ERROR, NULL, 0, 0,
					  "[0]: 'dev' is 'eth9'"));
}

static void test_host_read_symlink_refused(void **state)
{
	struct host_fx *f = *state;
	char path[128];

	host_fx_write(f, "real.json", "[]");
	snprintf(path, sizeof(path), "%s/addr.json", f->dir);
	assert_int_equal(symlink("real.json", path), 0);
	assert_int_equal(host_fx_read(f), -1);
	assert_non_null(fixture_find_diag(&f->d, IPTS_ERROR, NULL, 0, 0,
					  "symbolic link"));
}

static void test_host_read_not_regular_refused(void **state)
{
	struct host_fx *f = *state;
	char path[128];

	host_fx_write(f, "x", "");
	snprintf(path, sizeof(path), "%s/route.json", f->dir);
	assert_int_equal(mkdir(path, 0700), 0);
	assert_int_equal(host_fx_read(f), -1);
	assert_non_null(fixture_find_diag(&f->d, IPTS_ERROR, NULL, 0, 0,
					  "not a regular file"));
	rmdir(path);
}

static void test_host_read_size_cap(void **state)
{
	struct host_fx *f = *state;
	char path[128];
	int fd;

	host_fx_write(f, "listen.txt", "");
	snprintf(path, sizeof(path), "%s/listen.txt", f->dir);
	fd = open(path, O_WRONLY);
	assert_true(fd >= 0);
	assert_int_equal(ftruncate(fd, (off_t)IPTS_HOST_FILE_MAX + 1), 0);
	close(fd);
	assert_int_equal(host_fx_read(f), -1);
	assert_non_null(fixture_find_diag(&f->d, IPTS_ERROR, NULL, 0, 0,
					  "more than the limit"));
}

static void test_host_read_missing_dir(void **state)
{
	struct host_fx *f = *state;

	assert_int_equal(ipts_hostdesc_read_dir(f->h, "/nonexistent/ipts",
						&f->d), -1);
	assert_non_null(fixture_find_diag(&f->d, IPTS_ERROR, NULL, 0, 0,
					  "No such file"));
}

/* sysctl -a spells eth0.2 as eth0/2; unknown keys are no error. */
static void test_host_read_sysctl_txt(void **state)
{
	struct host_fx *f = *state;
	struct ipts_host_facts facts = { 0 };

	host_fx_write(f, "sysctl.txt",
		      "net.ipv4.conf.eth0/2.rp_filter = 2\n"
		      "net.ipv4.tcp_rmem = 4096\t131072\t6291456\n"
		      "\n# a comment\n"
		      "net.ipv4.ip_forward=1\r\n");
	assert_int_equal(host_fx_read(f), 0);
	assert_int_equal(ipts_hostdesc_sysctl(f->h, "eth0.2",
					      IPTS_KNOB_RP_FILTER, &facts), 2);
	assert_string_equal(facts.v[0].key, "net.ipv4.conf.eth0.2.rp_filter");
	assert_true(facts.v[0].given);
	assert_int_equal(ipts_hostdesc_sysctl(f->h, "all",
					      IPTS_KNOB_FORWARDING, NULL), 1);
}

static void test_host_read_sysctl_txt_bad_line(void **state)
{
	struct host_fx *f = *state;

	host_fx_write(f, "sysctl.txt", "net.ipv4.ip_forward = 1\n"
		      "  net.ipv4.conf.all.rp_filter 1\n");
	assert_int_equal(host_fx_read(f), -1);
	assert_non_null(fixture_find_diag(&f->d, IPTS_ERROR, NULL, 2, 3,
					  "expected 'KEY = VALUE'"));
}

static void test_host_read_listen_txt(void **state)
{
	struct host_fx *f = *state;
	const struct ipts_host_listener *l;

	read_fixture(f, "router");
	/* udp UNCONN 0 0 127.0.0.53%lo:53 0.0.0.0:* */
	l = ipts_hostdesc_listener_at(f->h, 0);
	assert_int_equal(l->proto, IPPROTO_UDP);
	assert_int_equal(l->family, AF_INET);
	assert_false(l->any);
	assert_int_equal(l->port, 53);
	assert_string_equal(l->dev, "lo");
	assert_memory_equal(l->addr, "\x7f\x00\x00\x35", 4);
	l = ipts_hostdesc_listener_at(f->h, 2);		/* 0.0.0.0:22 */
	assert_int_equal(l->proto, IPPROTO_TCP);
	assert_true(l->any);
	l = ipts_hostdesc_listener_at(f->h, 3);		/* [::]:22 */
	assert_int_equal(l->family, AF_INET6);
	assert_true(l->any);
	assert_int_equal(l->port, 22);
}

static void test_host_read_listen_forms(void **state)
{
	struct host_fx *f = *state;
	const struct ipts_host_listener *l;

	host_fx_write(f, "listen.txt",
		      "tcp   LISTEN 0      4096         *:22     *:*\n"
		      "LISTEN 0 128 [fe80::1]%eth0:8080 [::]:*\n"
		      "udp ESTAB 0 0 10.0.0.1:5000 10.0.0.2:53\n");
	assert_int_equal(host_fx_read(f), 0);
	assert_int_equal(ipts_hostdesc_listener_count(f->h), 2);
	l = ipts_hostdesc_listener_at(f->h, 0);
	assert_true(l->any);
	assert_int_equal(l->family, AF_UNSPEC);
	l = ipts_hostdesc_listener_at(f->h, 1);
	assert_int_equal(l->proto, IPPROTO_TCP);	/* ss -Htln: no Netid */
	assert_int_equal(l->family, AF_INET6);
	assert_string_equal(l->dev, "eth0");
	assert_int_equal(l->port, 8080);
}

/*
 * Which listener a packet reaches. Seen in a namespace (tests/host/
 * facts.out, "ss: dual-stack and v6only"): ss prints a dual-stack
 * socket as "*:2222" and an IPV6_V6ONLY one as "[::]:3333"; an IPv4
 * connect() reaches the first and is refused by the second.
 */
static void test_host_read_listener_find(void **state)
{
	struct host_fx *f = *state;
	const struct ipts_host_listener *l;

	host_fx_write(f, "listen.txt",
		      "tcp LISTEN 0 128 *:2222 *:*\n"
		      "tcp LISTEN 0 128 [::]:3333 [::]:*\n"
		      "tcp LISTEN 0 128 0.0.0.0:80 0.0.0.0:*\n"
		      "tcp LISTEN 0 128 10.0.1.1:80 0.0.0.0:*\n"
		      "udp UNCONN 0 0 127.0.0.53%lo:53 0.0.0.0:*\n");
	assert_int_equal(host_fx_read(f), 0);
	assert_non_null(ipts_hostdesc_listener_find(f->h, IPPROTO_TCP,
						    ip4("10.0.2.1"), 2222,
						    "eth0"));
	assert_null(ipts_hostdesc_listener_find(f->h, IPPROTO_TCP,
						ip4("10.0.2.1"), 3333,
						"eth0"));
	l = ipts_hostdesc_listener_find(f->h, IPPROTO_TCP, ip4("10.0.1.1"),
					80, "eth1");
	assert_false(l->any);
	l = ipts_hostdesc_listener_find(f->h, IPPROTO_TCP, ip4("10.0.2.1"),
					80, "eth1");
	assert_true(l->any);
	assert_null(ipts_hostdesc_listener_find(f->h, IPPROTO_UDP,
						ip4("10.0.2.1"), 80, "eth1"));
	assert_non_null(ipts_hostdesc_listener_find(f->h, IPPROTO_UDP,
						    ip4("127.0.0.53"), 53,
						    "lo"));
	assert_null(ipts_hostdesc_listener_find(f->h, IPPROTO_UDP,
						ip4("127.0.0.53"), 53,
						"eth0"));
}

static void test_host_read_listen_bad_address(void **state)
{
	struct host_fx *f = *state;

	host_fx_write(f, "listen.txt",
		      "tcp LISTEN 0 128 0.0.0.0:22 0.0.0.0:*\n"
		      "tcp LISTEN 0 128 300.0.0.1:22 0.0.0.0:*\n");
	assert_int_equal(host_fx_read(f), -1);
	assert_non_null(fixture_find_diag(&f->d, IPTS_ERROR, NULL, 2, 18,
					  "not ADDRESS:PORT"));
	assert_int_equal(ipts_hostdesc_listener_count(f->h), 0);
}

static void test_host_read_rules(void **state)
{
	struct host_fx *f = *state;

	read_fixture(f, "policy");
	assert_int_equal(ipts_hostdesc_iface_count(f->h), 2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
#define T(n) cmocka_unit_test_setup_teardown(n, host_fx_setup, host_fx_teardown)
		T(test_host_read_router),
		T(test_host_read_docker_bridge_port),
		T(test_host_read_no_bridge_from_names),
		T(test_host_read_master_without_details),
		T(test_host_read_ppp_peer),
		T(test_host_read_addr_only_derives_routes),
		T(test_host_read_json_syntax_error_position),
		T(test_host_read_json_truncated),
		T(test_host_read_json_path_in_error),
		T(test_host_read_all_or_nothing),
		T(test_host_read_route_unknown_dev),
		T(test_host_read_symlink_refused),
		T(test_host_read_not_regular_refused),
		T(test_host_read_size_cap),
		T(test_host_read_missing_dir),
		T(test_host_read_sysctl_txt),
		T(test_host_read_sysctl_txt_bad_line),
		T(test_host_read_listen_txt),
		T(test_host_read_listen_forms),
		T(test_host_read_listener_find),
		T(test_host_read_listen_bad_address),
		T(test_host_read_rules),
#undef T
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
