#!/usr/bin/env python3
"""
oracle_net.py - ask the running kernel what one connection does on a host
with network interfaces: arriving on one (remote -> local), leaving through
one (local -> remote), passing through (remote -> remote), or local -> local.

An IPv6 case (the addresses of --iface, --src and --dst are IPv6) builds
the same topology for IPv6: ip6tables-legacy-restore, the addresses added
with nodad (no DAD delay), every device's MAC 02:00:00:00:00:IFINDEX in
the host (so its link-local is fe80::ff:fe00:IFINDEX, the address iptsim
assumes for an inline --iface), no router solicitations, and permanent
neighbour entries both ways (no neighbour discovery: iptsim does not
simulate it). A link-local --dst or --src takes its zone as ADDR%IFACE.

The described host is a fresh, anonymous network namespace ("host") with
one veth per --iface; the other end of each veth is in its own anonymous
namespace ("peer NAME"), the network on that interface: it holds the remote
client (--in NAME --src A) and the remote servers whose addresses the host
routes out of NAME, and answers like a host (a listener, or the RST of a
closed port with --no-listener). The rules are loaded with
iptables-legacy-restore in the host namespace only. The host's TRACE lines
(with IN= and OUT=), what each peer received, the connection's outcome and
the counters come back as one JSON object.

See tests/kernel/README.md for the interface and its limits. Needs root.
Exit: 0 answered (whatever the outcome), 2 usage error, 77 cannot run here
(not root, no network namespaces), 1 anything else.
"""

import argparse
import ipaddress
import json
import os
import re
import shlex
import signal
import subprocess
import sys
import time

import oracle_lib
from oracle_lib import (Kmsg, build_packets, bind_nf_log, child_events,
			counters, dial, enter_netns, libc, logical_key, must,
			nft_markers, outcome_of, parse_fields, reap, run, serve,
			settle, late_settle_s, add_late_counter_args,
			late_counter_error, spawn, tuple_of, answer, write_file,
			CLONE_NEWNET, PR_SET_PDEATHSIG, SNAPSHOT_MS,
			ACCEPT_WAIT_S)

PROG = "oracle_net.py"
# What the host namespace starts from, whatever the init netns has (a new
# netns copies conf/all and conf/default of the init netns): the kernel's
# defaults. The case's --sysctl options come after, in their order.
BASE_SYSCTLS = (
	("net/ipv4/ip_forward", "0"),
	("net/ipv4/conf/all/rp_filter", "0"),
	("net/ipv4/conf/default/rp_filter", "0"),
	("net/ipv4/conf/all/route_localnet", "0"),
	("net/ipv4/conf/default/route_localnet", "0"),
	("net/ipv4/conf/all/accept_local", "0"),
	("net/ipv4/conf/default/accept_local", "0"),
	("net/ipv4/conf/all/src_valid_mark", "0"),
	("net/ipv4/conf/default/src_valid_mark", "0"),
	("net/ipv4/conf/all/log_martians", "0"),
	("net/ipv4/conf/default/log_martians", "0"),
	("net/ipv4/ip_unprivileged_port_start", "0"),
	# IPv4 only: no router solicitations, DAD or MLD on the veths
	("net/ipv6/conf/all/disable_ipv6", "1"),
	("net/ipv6/conf/default/disable_ipv6", "1"),
)
# An IPv6 case: IPv6 on, forwarding off, no DAD (a link-local usable at
# once), no router solicitations or advertisements taken.
BASE_SYSCTLS6 = tuple(x for x in BASE_SYSCTLS if "ipv6" not in x[0]) + (
	("net/ipv6/conf/all/disable_ipv6", "0"),
	("net/ipv6/conf/default/disable_ipv6", "0"),
	("net/ipv6/conf/all/forwarding", "0"),
	("net/ipv6/conf/default/forwarding", "0"),
	("net/ipv6/conf/all/accept_dad", "0"),
	("net/ipv6/conf/default/accept_dad", "0"),
	("net/ipv6/conf/all/dad_transmits", "0"),
	("net/ipv6/conf/default/dad_transmits", "0"),
	("net/ipv6/conf/all/router_solicitations", "0"),
	("net/ipv6/conf/default/router_solicitations", "0"),
	("net/ipv6/conf/all/accept_ra", "0"),
	("net/ipv6/conf/default/accept_ra", "0"),
)


def bare(addr):
	"""@addr without its %zone."""
	return addr.partition("%")[0]


def base_sysctls(args):
	return BASE_SYSCTLS6 if args.v6 else BASE_SYSCTLS
IFNAME_RE = re.compile(r"^[A-Za-z0-9_.-]{1,15}$")


def die_usage(msg):
	sys.stderr.write("%s: %s\nTry '%s --help'.\n" % (PROG, msg, PROG))
	sys.exit(2)


def parse_args(argv):
	p = argparse.ArgumentParser(
		prog=PROG,
		description="Build a host namespace with veth interfaces to "
		"peer namespaces, load RULES into the host, make one real "
		"connection and report the kernel's answer as JSON.")
	p.add_argument("rules", help="iptables-save file")
	p.add_argument("--iface", action="append", default=[],
		       metavar="NAME[=ADDR/LEN]",
		       help="an interface of the host (a veth to peer NAME) "
		       "with an address; repeat for more addresses")
	p.add_argument("--route", action="append", default=[],
		       metavar="LINE",
		       help="'ip route add LINE' in the host (repeatable)")
	p.add_argument("--sysctl", action="append", default=[],
		       metavar="KEY=VALUE",
		       help="a host sysctl, e.g. net.ipv4.ip_forward=1, "
		       "applied in order after the interfaces exist")
	p.add_argument("--in", dest="iface_in", metavar="IFACE",
		       help="the client is on the network of IFACE (a remote "
		       "host); without it the client is a local process")
	p.add_argument("--wire-src", metavar="A",
		       help="with --in: the client's packets leave its peer "
		       "with source A (nft SNAT in the peer), for sources a "
		       "socket cannot send from, such as 127/8")
	p.add_argument("--wire-dst", metavar="A",
		       help="with --in, IPv6: the client's packets leave its "
		       "peer with destination A (an nft payload rewrite in "
		       "the peer's postrouting), for destinations a socket "
		       "cannot send to out of a device, such as ::1")
	p.add_argument("--ndp", action="store_true",
		       help="IPv6: no permanent neighbour entries, so that "
		       "the host and its peers resolve each other by "
		       "neighbour discovery (NS and NA walk the rules)")
	p.add_argument("--proto", choices=("tcp", "udp"), default="tcp")
	p.add_argument("--src", help="client address (required with --in; "
		       "a local client binds it, else the kernel picks)")
	p.add_argument("--dst", required=True, help="server address")
	p.add_argument("--dport", type=int, default=1060)
	p.add_argument("--sport", type=int, default=40000)
	p.add_argument("--uid", type=int, default=0, help="local client uid")
	p.add_argument("--gid", type=int, default=None)
	p.add_argument("--server-uid", type=int, default=0,
		       help="uid of the host's own listeners")
	p.add_argument("--server-gid", type=int, default=None)
	p.add_argument("--listen", action="append", default=[],
		       metavar="[ADDR:]PORT",
		       help="extra listener (a DNAT/REDIRECT target); placed "
		       "like the server: on the host if ADDR is local, else "
		       "in the peer the host routes ADDR to")
	p.add_argument("--no-listener", action="store_true",
		       help="nothing listens on --dst:--dport (a peer answers "
		       "RST, the host too)")
	p.add_argument("--timeout-ms", type=int, default=1500)
	add_late_counter_args(p)
	p.add_argument("--no-nft-trace", action="store_true",
		       help="trace only what the file's own TRACE rules mark")
	p.add_argument("--stable", action="store_true",
		       help="drop volatile fields, sorted and indented "
		       "(the form kept in tests/diff/net-cases/)")
	p.add_argument("--raw", action="store_true",
		       help="also print the kernel log lines used")
	p.add_argument("--fresh", action="store_true",
		       help="accepted and ignored (every run is fresh)")
	p.add_argument("--check-args", action="store_true",
		       help="only check the options, print nothing, exit 0")
	a = p.parse_args(argv)
	if a.gid is None:
		a.gid = a.uid
	if a.server_gid is None:
		a.server_gid = a.server_uid
	for port in (a.dport, a.sport):
		if not 0 < port < 65536:
			die_usage("port out of range: %d" % port)
	if a.timeout_ms <= 0:
		die_usage("--timeout-ms must be positive")
	err = late_counter_error(a)
	if err:
		die_usage(err)
	ifaces = {}		# name -> [IPv4Interface or IPv6Interface]
	for spec in a.iface:
		name, eq, addr = spec.partition("=")
		if not IFNAME_RE.match(name) or name in ("lo", "all",
							  "default"):
			die_usage("bad interface name '%s'" % name)
		ifaces.setdefault(name, [])
		if eq:
			try:
				ifaces[name].append(
					ipaddress.ip_interface(addr))
			except ValueError:
				die_usage("bad --iface '%s' (NAME=ADDR/LEN)"
					  % spec)
	a.ifaces = ifaces
	if a.wire_src and a.iface_in is None:
		die_usage("--wire-src needs --in")
	a.v6 = ":" in a.dst
	if a.ndp and not a.v6:
		die_usage("--ndp needs IPv6 addresses")
	for addr in [x for x in (a.src, a.dst, a.wire_src) if x]:
		try:
			ip = ipaddress.ip_address(bare(addr))
		except ValueError:
			die_usage("not an address: '%s'" % addr)
		if (ip.version == 6) != a.v6:
			die_usage("'%s': the addresses of a case are of one "
				  "family" % addr)
		if "%" in addr and not ip.is_link_local:
			die_usage("'%s': a zone is for a link-local address"
				  % addr)
	for addrs in ifaces.values():
		for x in addrs:
			if (x.version == 6) != a.v6:
				die_usage("--iface %s: the addresses of a case "
					  "are of one family" % x)
	if a.v6 and a.wire_src:
		die_usage("--wire-src is IPv4 only")
	# a link-local end of a client on another host is on its link
	if a.v6 and a.iface_in:
		for attr in ("src", "dst"):
			v = getattr(a, attr)
			if v and "%" not in v and \
			   ipaddress.ip_address(v).is_link_local:
				setattr(a, attr, v + "%" + a.iface_in)
	if a.wire_dst and (not a.v6 or a.iface_in is None or
			   ":" not in a.wire_dst):
		die_usage("--wire-dst needs --in and IPv6 addresses")
	if a.iface_in is not None:
		if a.iface_in not in ifaces:
			die_usage("--in %s: no such --iface" % a.iface_in)
		if not a.src:
			die_usage("--in needs --src (the remote client)")
	sysctls = []
	for spec in a.sysctl:
		key, eq, val = spec.partition("=")
		if not eq or not key:
			die_usage("bad --sysctl '%s' (KEY=VALUE)" % spec)
		path = key if "/" in key else key.replace(".", "/")
		if not path.startswith("net/") or ".." in path:
			die_usage("--sysctl %s: only net.* keys" % key)
		sysctls.append((path, val))
	a.sysctls = sysctls
	routes = []
	for line in a.route:
		try:
			routes.append(shlex.split(line))
		except ValueError:
			die_usage("bad --route '%s'" % line)
	a.routes = routes
	listens = []
	for spec in a.listen:
		addr, _, port = spec.rpartition(":")
		try:
			addr = addr.strip("[]")
			listens.append((addr or a.dst, int(port)))
			ipaddress.ip_address(bare(addr or a.dst))
		except ValueError:
			die_usage("bad --listen '%s'" % spec)
	a.listens = listens
	return a


# ---------------------------------------------------------------- topology

def in_ns(fd):
	"""preexec_fn: run the command in the netns open on @fd."""
	def enter():
		if libc().setns(fd, CLONE_NEWNET) != 0:
			os._exit(126)
	return enter


def run_in(fd, cmd, stdin=None):
	p = subprocess.run(cmd, input=stdin, stdout=subprocess.PIPE,
			   stderr=subprocess.PIPE, preexec_fn=in_ns(fd))
	return p.returncode, p.stdout.decode(errors="replace"), \
		p.stderr.decode(errors="replace")


def must_in(fd, cmd, stdin=None):
	if fd is None:
		return must(cmd, stdin)
	rc, out, err = run_in(fd, cmd, stdin)
	if rc != 0:
		raise RuntimeError("%s failed (%d): %s" % (" ".join(cmd), rc,
							   err.strip()))
	return out


def sysctl_in(fd, path, val):
	if fd is None:
		write_file("/proc/sys/" + path, val)
	else:
		must_in(fd, ["sh", "-c", 'echo "$1" > "/proc/sys/$2"', "-",
			     val, path])


class Peer:
	"""An anonymous netns held by a child that sleeps until we die."""

	def __init__(self, name, index):
		self.name, self.index = name, index
		r, w = os.pipe()
		self.ctl_r, self.ctl_w = os.pipe()
		pid = os.fork()
		if pid == 0:
			try:
				libc().prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
				os.close(r)
				os.close(self.ctl_w)
				enter_netns()
				os.write(w, b"k")
				os.read(self.ctl_r, 1)
			finally:
				os._exit(0)
		os.close(w)
		os.close(self.ctl_r)
		if os.read(r, 1) != b"k":
			raise RuntimeError("peer %s: no namespace" % name)
		os.close(r)
		self.pid = pid
		self.fd = os.open("/proc/%d/ns/net" % pid, os.O_RDONLY)
		self.addrs = []		# IPv4Interface
		self.nonce = None

	def close(self):
		# later children hold copies of ctl_w: end the holder itself
		os.close(self.ctl_w)
		os.close(self.fd)
		os.kill(self.pid, signal.SIGKILL)
		os.waitpid(self.pid, 0)


def mac_of(fd, dev):
	out = must_in(fd, ["ip", "-j", "link", "show", "dev", dev])
	return json.loads(out)[0]["address"]


def host_addresses():
	out = must(["ip", "-j", "addr", "show"])
	res = []
	for link in json.loads(out):
		for a in link.get("addr_info", []):
			if a.get("family") not in ("inet", "inet6"):
				continue
			res.append(ipaddress.ip_interface(
				"%s/%d" % (a["local"], a["prefixlen"])))
	return res


def route_dev(addr):
	"""The host's output route to @addr: its device, or None."""
	rc, out, _ = run(["ip", "-j", "route", "get", bare(addr)] +
			 (["oif", addr.partition("%")[2]] if "%" in addr else []))
	if rc != 0:
		return None
	try:
		r = json.loads(out)[0]
	except (ValueError, IndexError):
		return None
	if r.get("type", "unicast") not in ("unicast",):
		return None
	return r.get("dev")


def gateways(args):
	"""(gateway, iface) of every --route with 'via'."""
	res = []
	for words in args.routes:
		if "via" not in words:
			continue
		gw = words[words.index("via") + 1]
		dev = words[words.index("dev") + 1] if "dev" in words else None
		if dev is None:
			for name, addrs in args.ifaces.items():
				if any(ipaddress.ip_address(gw) in a.network
				       for a in addrs
				       if a.version == ipaddress.ip_address(gw).version):
					dev = name
		if dev in args.ifaces:
			res.append((gw, dev))
	return res


def place(args, addr, local):
	"""Where a listener on @addr lives: "host", an iface name, or None."""
	ip = ipaddress.ip_address(bare(addr))
	if ip in local or ip.is_loopback:
		return "host"
	dev = route_dev(addr)
	return dev if dev in args.ifaces else None


def peer_iface(args, name, addr):
	"""@addr on the peer of @name, with the prefix of the host's subnet
	on that interface when it is in one (on-link), else /32."""
	ip = ipaddress.ip_address(bare(addr))
	for a in args.ifaces[name]:
		if a.version == ip.version and ip in a.network and ip != a.ip:
			return ipaddress.ip_interface("%s/%d" % (
				ip, a.network.prefixlen))
	if ip.version == 6 and ip.is_link_local:
		return ipaddress.ip_interface("%s/64" % ip)
	return ipaddress.ip_interface("%s/%d" % (ip, ip.max_prefixlen))


def eui64_ll(mac):
	"""The link-local address the kernel makes from @mac (EUI-64)."""
	b = [int(x, 16) for x in mac.split(":")]
	b[0] ^= 2
	eui = bytes(b[:3] + [0xff, 0xfe] + b[3:])
	return ipaddress.IPv6Address(b"\xfe\x80" + bytes(6) + eui)


def addr_add(fd, a, dev):
	cmd = ["ip", "addr", "add", str(a), "dev", dev]
	if a.version == 6:
		cmd.append("nodad")
	must_in(fd, cmd)


def behind(name, pa, gws):
	"""With --ndp: whether the peer of @name holds @pa as a host behind
	the router it stands for (a gateway of the host's routes is its
	address): off-link (/128) and routed by the host via a gateway. The
	address goes on the peer's lo, so that the peer solicits the host
	from its link-local address, as a router forwarding the packet
	does (ndisc_solicit(): the packet's source is not on the device)."""
	if not gws or pa.network.prefixlen != pa.max_prefixlen:
		return False
	rc, out, _ = run(["ip", "-j", "route", "get", str(pa.ip)])
	try:
		r = json.loads(out)[0] if rc == 0 else {}
	except (ValueError, IndexError):
		r = {}
	return r.get("dev") == name and "gateway" in r


def router_ll(peer, name, gw):
	"""With --ndp, a peer that holds a gateway stands for that router:
	its only link-local address has the interface identifier of the
	gateway (fe80::1 for 2001:db8:1::1; the gateway itself when it is a
	link-local), the address iptsim assumes for the router's NS."""
	ip = ipaddress.ip_address(gw)
	must_in(peer.fd, ["ip", "link", "set", name, "addrgenmode", "none"])
	must_in(peer.fd, ["ip", "-6", "addr", "flush", "dev", name, "scope",
			  "link"])
	if ip.is_link_local:
		return		# peer_iface() gives it its /64 on the link
	ll = ipaddress.IPv6Address(b"\xfe\x80" + bytes(6) + ip.packed[8:])
	addr_add(peer.fd, ipaddress.ip_interface("%s/64" % ll), name)


def build_host(args, nonce):
	"""Configure this (the host) netns and its peers. Returns (peers by
	name, listener placement [(addr, port, where)])."""
	must(["ip", "link", "set", "lo", "up"])
	for path, val in base_sysctls(args):
		write_file("/proc/sys/" + path, val)
	bind_nf_log()
	peers = {}
	for i, name in enumerate(args.ifaces):
		peer = Peer(name, i)
		peers[name] = peer
		peer.nonce = "%s%dR" % (nonce, i)
		must_in(peer.fd, ["ip", "link", "set", "lo", "up"])
		for path, val in base_sysctls(args):
			sysctl_in(peer.fd, path, val)
		must(["ip", "link", "add", name, "type", "veth", "peer",
		      "name", name, "netns", str(peer.pid)])
		if args.v6:
			# the MAC iptsim assumes: 02:00:00:00:00:IFINDEX
			idx = json.loads(must(["ip", "-j", "link", "show",
					       "dev", name]))[0]["ifindex"]
			must(["ip", "link", "set", name, "address",
			      "02:00:00:00:%02x:%02x" % (idx >> 8, idx & 255)])
		for a in args.ifaces[name]:
			addr_add(None, a, name)
		must(["ip", "link", "set", name, "up"])
		must_in(peer.fd, ["ip", "link", "set", name, "up"])
	for path, val in args.sysctls:
		try:
			write_file("/proc/sys/" + path, val)
		except OSError as e:
			raise RuntimeError("--sysctl %s=%s: %s" %
					   (path.replace("/", "."), val,
					    e.strerror))
	for words in args.routes:
		must(["ip"] + (["-6"] if args.v6 else []) + ["route", "add"] +
		     words)
	local = {a.ip for a in host_addresses()}
	listeners = [] if args.no_listener else [(args.dst, args.dport)]
	placed = [(a, p, place(args, a, local))
		  for a, p in listeners + args.listens]
	# the peers' own addresses: the client, the destination (a remote
	# host that answers RST on a closed port), the remote listeners
	want = {}
	if args.iface_in:
		want.setdefault(args.iface_in, []).append(bare(args.src))
	for a, where in [(args.dst, place(args, args.dst, local))] + \
			[(a, where) for a, _, where in placed]:
		if where not in (None, "host"):
			want.setdefault(where, []).append(a)
	if args.ndp:
		# no permanent entry for a gateway either: the peer behind it
		# holds its address and answers the host's solicitation
		for gw, dev in gateways(args):
			if dev is not None:
				want.setdefault(dev, []).append(gw)
	for name, peer in peers.items():
		gws = [gw for gw, dev in gateways(args) if dev == name]
		if args.ndp and gws:
			router_ll(peer, name, gws[0])
		for a in want.get(name, []):
			pa = peer_iface(args, name, a)
			if pa not in peer.addrs:
				peer.addrs.append(pa)
				addr_add(peer.fd, pa, name if not args.ndp or
					 not behind(name, pa, gws) else "lo")
		hosts = args.ifaces[name]
		six = ["-6"] if args.v6 else []
		if hosts:
			must_in(peer.fd, ["ip"] + six + ["route", "add",
					  "default", "via", str(hosts[0].ip),
					  "dev", name, "onlink"])
		else:
			must_in(peer.fd, ["ip"] + six + ["route", "add",
					  "default", "dev", name])
		# no ARP (its source checks would mix with rp_filter's), no
		# neighbour discovery
		hmac, pmac = mac_of(None, name), mac_of(peer.fd, name)
		hips = [str(h.ip) for h in hosts]
		if args.v6:
			hips.append(str(eui64_ll(hmac)))
		for h in [] if args.ndp else hips:
			must_in(peer.fd, ["ip", "neigh", "replace", h,
					  "lladdr", hmac, "dev", name,
					  "nud", "permanent"])
		near = [str(pa.ip) for pa in peer.addrs]
		if args.v6:
			near.append(str(eui64_ll(pmac)))
		near += [gw for gw, dev in gateways(args) if dev == name]
		for a in [] if args.ndp else near:
			must(["ip", "neigh", "replace", a, "lladdr", pmac,
			      "dev", name, "nud", "permanent"])
		bind_in_peer(peer, args.v6)
	if args.wire_src:
		# after the peer's routing, which refuses e.g. a loopback
		# source on a veth; the peer's conntrack undoes it for replies
		must_in(peers[args.iface_in].fd, ["nft", "-f", "-"], (
			"table ip %sW {\n\tchain post {\n\t\ttype nat hook "
			"postrouting priority 100; policy accept;\n\t\tip "
			"saddr %s snat to %s\n\t}\n}\n" %
			(nonce, args.src, args.wire_src)).encode())
	if args.wire_dst:
		# after the peer's routing, which would keep ::1 on its lo;
		# nft fixes the TCP/UDP checksum of the new pseudo-header
		must_in(peers[args.iface_in].fd, ["nft", "-f", "-"], (
			"table ip6 %sW {\n\tchain post {\n\t\ttype filter hook "
			"postrouting priority 100; policy accept;\n\t\tip6 "
			"daddr %s ip6 daddr set %s\n\t}\n}\n" %
			(nonce, args.dst, args.wire_dst)).encode())
	if args.v6:
		# the MLD reports a device sends as it joins its groups come
		# at random moments: dropped before any table (priority -500),
		# so that neither counters nor logs see them
		for fd in [None] + [p.fd for p in peers.values()]:
			must_in(fd, ["nft", "-f", "-"], (
				"table ip6 %sM {\n\tchain out {\n\t\ttype filter "
				"hook output priority -500; policy accept;\n\t\t"
				"icmpv6 type { mld-listener-report, "
				"mld2-listener-report } drop\n\t}\n}\n" %
				nonce).encode())
	trace = not args.no_nft_trace
	must(["nft", "-f", "-"], nft_markers(
		nonce, trace, family="ip6" if args.v6 else "ip").encode())
	return peers, placed


def bind_in_peer(peer, v6=False):
	pf, mod = (10, "nf_log_ipv6") if v6 else (2, "nf_log_ipv4")
	must_in(peer.fd, ["sh", "-c", 'v=$(cat /proc/sys/net/netfilter/'
			  'nf_log/%d); [ "$v" != NONE ] || echo %s '
			  '> /proc/sys/net/netfilter/nf_log/%d' % (pf, mod, pf)])
	# what reaches the peer from the host: logged, not traced
	must_in(peer.fd, ["nft", "-f", "-"],
		nft_markers(peer.nonce, False,
			    (("pre", "prerouting", ""),),
			    family="ip6" if v6 else "ip").encode())


# ---------------------------------------------------------------- query

def peer_lines(recs, peers):
	"""[(peer name, key, fields, inner fields)] of the peers' prerouting
	log lines."""
	res = []
	for _, msg in recs:
		for name, peer in peers.items():
			pre = peer.nonce + ": "
			if not msg.startswith(pre):
				continue
			rest = msg[len(pre):]
			inner = {}
			m = re.search(r"\[(.*)\]", rest)
			if m:
				inner = parse_fields(m.group(1))
				rest = rest[:m.start()] + rest[m.end():]
			f = parse_fields(rest)
			res.append((name, logical_key(f, inner), f, inner))
	return res


def query(args, rules_text):
	nonce = "ORC" + os.urandom(4).hex()
	t0 = time.monotonic()
	km = Kmsg()
	peers, placed = build_host(args, nonce)
	km.take()
	rc, _, err = run(["ip6tables-legacy-restore" if args.v6 else
			  "iptables-legacy-restore", "-w", "10"], rules_text)
	load_msgs = [m for _, m in km.take()
		     if "x_tables" in m or "ip_tables" in m or
		     "ip6_tables" in m]
	load = {"ok": rc == 0, "rc": rc, "stderr": err, "kmsg": load_msgs}
	res = {"load": load}
	save = "ip6tables-legacy-save" if args.v6 else "iptables-legacy-save"
	servers = {}
	client = None
	try:
		by_ns = {}
		for a, p, where in placed:
			if where is not None:
				by_ns.setdefault(where, []).append((a, p))
		for where, addrs in by_ns.items():
			if where == "host":
				ch = spawn(serve, args.proto, args.server_uid,
					   args.server_gid, addrs, None)
			else:
				ch = spawn(serve, args.proto, 0, 0, addrs,
					   peers[where].fd)
			child_events(ch, 10, km)
			if not ch["events"] or "ready" not in ch["events"][0]:
				raise RuntimeError("server in %s did not "
						   "start: %s" %
						   (where, ch["events"]))
			servers[where] = ch
		if args.iface_in:
			client = spawn(dial, args.proto, 0, 0, args.src,
				       args.sport, (args.dst, args.dport),
				       args.timeout_ms,
				       peers[args.iface_in].fd)
		else:
			client = spawn(dial, args.proto, args.uid, args.gid,
				       args.src, args.sport,
				       (args.dst, args.dport),
				       args.timeout_ms, None)
		snap = None
		wait = min(SNAPSHOT_MS, args.timeout_ms) / 1000.0
		if args.proto == "tcp" and not child_events(client, wait, km) \
		   and not args.late_counters:
			snap = counters(save)	# before the SYN is retransmitted
		if not client["events"]:
			child_events(client, args.timeout_ms / 1000.0 + 5, km)
		if not client["events"]:
			raise RuntimeError("client did not report")
		cres = client["events"][0]
		outcome, err_name = outcome_of(args.proto, cres)
		if cres.get("error"):
			raise RuntimeError("client: " + cres["error"])
		if outcome == "connected":
			for ch in servers.values():
				child_events(ch, ACCEPT_WAIT_S, km)
		settle(late_settle_s(args), km)
		for ch in servers.values():
			child_events(ch, 0, km)
		if snap is None:
			snap = counters(save)
		recs = km.take()
	finally:
		reap(client)
		for ch in servers.values():
			reap(ch)
		for peer in peers.values():
			peer.close()

	sev = []
	for where, ch in sorted(servers.items()):
		sev += [dict(e, where=where) for e in ch["events"][1:]]
	res["outcome"] = outcome
	res["errno"] = err_name
	if cres.get("stage") and err_name:
		res["stage"] = cres["stage"]
	res["client"] = {"in": args.iface_in or "host",
			 "local": cres.get("local")}
	if args.wire_src:
		res["client"]["wire_src"] = args.wire_src
	if args.wire_dst:
		res["client"]["wire_dst"] = args.wire_dst
	res["listeners"] = {"%s:%d" % (a, p): where for a, p, where in placed}
	res["peers"] = {name: [str(a) for a in peer.addrs]
			for name, peer in peers.items()}
	if args.proto == "tcp":
		acc = [e for e in sev if "accepted" in e]
		res["accepted"] = acc[0]["accepted"] if acc else None
		res["server_saw"] = acc[0]["peer"] if acc else None
	else:
		got = [e for e in sev if "received" in e]
		res["received"] = got[0]["received"] if got else None
		res["server_saw"] = got[0]["peer"] if got else None
		if got and got[0].get("reply_errno"):
			res["reply_errno"] = got[0]["reply_errno"]
		if outcome == "dropped":
			res["dropped"] = "reply" if got else "request"
	keys = []
	res["packets"], used = build_packets(recs, nonce, args.sport, False,
					       keys)
	# what each peer received of each packet (first transmission)
	first = {}
	for name, key, f, inner in peer_lines(recs, peers):
		t = tuple_of(f)
		if "SRC" in inner:	# an ICMP error: the packet it quotes
			t += " [%s]" % tuple_of(inner)
		first.setdefault((key, name), t)
	for p, key in zip(res["packets"], keys):
		if key[0] == "ICMP":
			p["icmp"] = "%s/%s" % (key[1], key[2])
		p["reached"] = {name: first[(key, name)] for name in peers
				if (key, name) in first}
	res["counters"] = snap
	if args.late_counters:
		res["counters_at"] = "end"
	res["trace_source"] = "rules" if args.no_nft_trace else "nft"
	res["elapsed_ms"] = int((time.monotonic() - t0) * 1000)
	if km.lost:
		res["kmsg_lost"] = True
	if args.raw:
		res["raw"] = used
		res["raw_peers"] = ["%d %s" % r for r in recs
				    if any(r[1].startswith(p.nonce + ": ")
					   for p in peers.values())]
	return res


def flaky(args, res):
	"""Lost kernel log, or not one packet of ours logged (a packet the
	host drops before any hook, --wire-dst ::1, logs none: expected)."""
	return bool(res.get("kmsg_lost")) or \
		(not res["packets"] and not args.wire_dst)


def main(argv):
	args = parse_args(argv)
	oracle_lib.ND_OURS = args.ndp
	if args.check_args:
		return 0
	try:
		with open(args.rules, "rb") as f:
			rules_text = f.read()
	except OSError as e:
		die_usage("cannot read '%s': %s" % (args.rules, e.strerror))
	return answer(PROG, query, flaky, args, rules_text)


if __name__ == "__main__":
	sys.exit(main(sys.argv[1:]))
