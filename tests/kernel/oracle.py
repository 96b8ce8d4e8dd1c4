#!/usr/bin/env python3
"""
oracle.py - ask the running kernel what one local connection does under a
ruleset: the reference answer `iptsim trace` must predict.

The rules are loaded with iptables-legacy-restore into a fresh, anonymous
network namespace (unshare(CLONE_NEWNET): it dies with this process, so no
namespace is ever left behind). A server and a client, each in a forked child
with its own uid/gid, make one real connection over lo. The kernel's own
TRACE lines (legacy ipt_do_table() -> nf_log) are read back from /dev/kmsg,
split into packets, and printed as one JSON object together with the
connect() result and the per-rule counters of iptables-legacy-save -c.

See tests/kernel/README.md for the interface and its limits. Needs root.
Exit: 0 answered (whatever the outcome), 2 usage error, 77 cannot run here
(not root, no network namespaces), 1 anything else.
"""

import argparse
import os
import socket
import sys
import time

from oracle_lib import (Kmsg, build_packets, bind_nf_log, child_events,
			counters, dial, must, nft_markers, outcome_of, reap,
			run, serve, settle, spawn, write_file, answer,
			SNAPSHOT_MS, SETTLE_S, ACCEPT_WAIT_S)


def die_usage(msg):
	sys.stderr.write("oracle.py: %s\nTry 'oracle.py --help'.\n" % msg)
	sys.exit(2)


def parse_args(argv):
	p = argparse.ArgumentParser(
		prog="oracle.py",
		description="Load RULES into a fresh netns and report what the "
		"kernel does to one local connection, as JSON.")
	p.add_argument("rules", help="iptables-save file")
	p.add_argument("--proto", choices=("tcp", "udp"), default="tcp")
	p.add_argument("--dport", type=int, default=1060)
	p.add_argument("--sport", type=int, default=40000)
	p.add_argument("--uid", type=int, default=0, help="client uid")
	p.add_argument("--gid", type=int, default=None,
		       help="client gid (default: --uid, the user's own group)")
	p.add_argument("--server-uid", type=int, default=0)
	p.add_argument("--server-gid", type=int, default=None,
		       help="server gid (default: --server-uid)")
	p.add_argument("--src", default="127.0.0.1",
		       help="client address (bind)")
	p.add_argument("--dst", default="127.0.0.1",
		       help="server address (connect and listen)")
	p.add_argument("--local-addr", action="append", default=[],
		       metavar="A", help="add A/32 to lo (repeatable)")
	p.add_argument("--listen", action="append", default=[],
		       metavar="[ADDR:]PORT",
		       help="extra listener, same uid as the server "
		       "(repeatable; ADDR defaults to --dst)")
	p.add_argument("--no-listener", action="store_true",
		       help="no server on --dst:--dport")
	p.add_argument("--timeout-ms", type=int, default=1500)
	p.add_argument("--no-nft-trace", action="store_true",
		       help="trace only what the file's own TRACE rules mark")
	p.add_argument("--no-nft", action="store_true",
		       help="no nftables at all: implies --no-nft-trace, and "
		       "our log lines are told apart by ports alone")
	p.add_argument("--stable", action="store_true",
		       help="drop volatile fields, sorted and indented "
		       "(the form kept in facts/*.expect.json)")
	p.add_argument("--raw", action="store_true",
		       help="also print the kernel log lines used")
	p.add_argument("--ipsets", default=None,
		       help="`ipset save` text restored (ipset restore) "
		       "before the rules")
	p.add_argument("--fresh", action="store_true",
		       help="accepted for iptsim trace's sake: every run loads "
		       "the rules into a fresh namespace (limit buckets full, "
		       "recent lists empty)")
	a = p.parse_args(argv)
	# as iptsim defaults them: a user's own primary group
	if a.gid is None:
		a.gid = a.uid
	if a.server_gid is None:
		a.server_gid = a.server_uid
	for port in (a.dport, a.sport):
		if not 0 < port < 65536:
			die_usage("port out of range: %d" % port)
	if a.timeout_ms <= 0:
		die_usage("--timeout-ms must be positive")
	for addr in [a.src, a.dst] + a.local_addr:
		try:
			socket.inet_aton(addr)
		except OSError:
			die_usage("not an IPv4 address: '%s'" % addr)
	listens = []
	for spec in a.listen:
		addr, _, port = spec.rpartition(":")
		try:
			listens.append((addr or a.dst, int(port)))
		except ValueError:
			die_usage("bad --listen '%s'" % spec)
	a.listens = listens
	if a.no_nft:
		a.no_nft_trace = True
	return a



# ---------------------------------------------------------------- setup

def setup_netns(args, nonce):
	must(["ip", "link", "set", "lo", "up"])
	for addr in args.local_addr:
		must(["ip", "addr", "add", addr + "/32", "dev", "lo"])
	# The server may switch uid before binding a low port.
	write_file("/proc/sys/net/ipv4/ip_unprivileged_port_start", "0")
	bind_nf_log()
	if args.no_nft:
		return
	# Priority -400 runs before raw (-300) and conntrack (-200). The log
	# lines (prefix @nonce, unique per run) mark where each transmission
	# of ours enters the output and prerouting hooks: TRACE lines of
	# packets without our mark come from another netns. nftrace makes
	# legacy ip_tables trace every packet from its first table on.
	must(["nft", "-f", "-"],
	     nft_markers(nonce, not args.no_nft_trace).encode())


def server_main(args, wfd, ctl):
	"""Listen as server-uid, accept or echo, report each event on wfd."""
	addrs = [] if args.no_listener else [(args.dst, args.dport)]
	serve(args.proto, args.server_uid, args.server_gid,
	      addrs + args.listens, None, wfd, ctl)


def client_main(args, wfd, ctl):
	"""Connect (or send) once as uid/gid from src:sport; report on wfd."""
	dial(args.proto, args.uid, args.gid, args.src, args.sport,
	     (args.dst, args.dport), args.timeout_ms, None, wfd, ctl)


# ---------------------------------------------------------------- main

def query(args, rules_text):
	nonce = "" if args.no_nft else "ORC" + os.urandom(4).hex()
	t0 = time.monotonic()
	km = Kmsg()
	setup_netns(args, nonce)
	if args.ipsets:
		with open(args.ipsets, "rb") as f:
			rc, _, err = run(["ipset", "restore"], f.read())
		if rc != 0:
			raise SystemExit("oracle: ipset restore failed: " + err)
	rc, _, err = run(["iptables-legacy-restore", "-w", "10"], rules_text)
	load_msgs = [m for _, m in km.take()
		     if "x_tables" in m or "ip_tables" in m]
	load = {"ok": rc == 0, "rc": rc, "stderr": err, "kmsg": load_msgs}

	server = client = None
	res = {"load": load}
	try:
		if not args.no_listener or args.listens:
			server = spawn(server_main, args)
			child_events(server, 10, km)
			ev = server["events"]
			if not ev or "ready" not in ev[0]:
				raise RuntimeError("server did not start: %s" % ev)
		client = spawn(client_main, args)
		snap = None
		wait = min(SNAPSHOT_MS, args.timeout_ms) / 1000.0
		if args.proto == "tcp" and not child_events(client, wait, km):
			snap = counters()	# before the SYN is retransmitted
		if not client["events"]:
			child_events(client, args.timeout_ms / 1000.0 + 5, km)
		if not client["events"]:
			raise RuntimeError("client did not report")
		cres = client["events"][0]
		outcome, err_name = outcome_of(args.proto, cres)
		if cres.get("error"):
			raise RuntimeError("client: " + cres["error"])
		if server:
			if outcome == "connected":
				child_events(server, ACCEPT_WAIT_S, km)
			settle(SETTLE_S, km)
			child_events(server, 0, km)
		else:
			settle(SETTLE_S, km)
		if snap is None:
			snap = counters()
		recs = km.take()
	finally:
		reap(client)
		reap(server)

	sev = server["events"][1:] if server else []
	accepted = [e["accepted"] for e in sev if "accepted" in e]
	res["outcome"] = outcome
	res["errno"] = err_name
	if args.proto == "tcp":
		res["accepted"] = accepted[0] if accepted else None
	else:
		got = [e for e in sev if "received" in e]
		res["received"] = got[0]["received"] if got else None
		if got and got[0].get("reply_errno"):
			res["reply_errno"] = got[0]["reply_errno"]
		if outcome == "dropped":
			res["dropped"] = "reply" if got else "request"
	if cres.get("stage") and err_name:
		res["stage"] = cres["stage"]
	res["packets"], used = build_packets(recs, nonce, args.sport,
					       args.no_nft)
	res["counters"] = snap
	if args.ipsets:
		# what -j SET left: the add lines, as ipset save prints them
		res["ipsets_after"] = must(["ipset", "save"])
	res["trace_source"] = "rules" if args.no_nft_trace else "nft"
	res["elapsed_ms"] = int((time.monotonic() - t0) * 1000)
	if km.lost:
		res["kmsg_lost"] = True
	if args.raw:
		res["raw"] = used
	return res


def flaky(args, res):
	"""A capture we do not trust: lost kernel log, or not one packet of
	ours logged by the nft chains."""
	if res.get("kmsg_lost"):
		return True
	if args.no_nft:
		return False
	return not res["packets"]


def main(argv):
	args = parse_args(argv)
	try:
		with open(args.rules, "rb") as f:
			rules_text = f.read()
	except OSError as e:
		die_usage("cannot read '%s': %s" % (args.rules, e.strerror))
	return answer("oracle.py", query, flaky, args, rules_text)


if __name__ == "__main__":
	sys.exit(main(sys.argv[1:]))
