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
import ctypes
import errno
import fcntl
import json
import os
import re
import select
import signal
import socket
import struct
import subprocess
import sys
import time

CLONE_NEWNET = 0x40000000
PR_SET_PDEATHSIG = 1
LOCK_PATHS = ("/run/lock/iptsim-kernel-oracle.lock",
	      "/tmp/iptsim-kernel-oracle.lock")
# UDP payload sizes: they tell the request (IP LEN 35) from the echo (37).
UDP_REQ = b"q" * 7
UDP_REPLY = b"r" * 9
UDP_REQ_LEN = 20 + 8 + len(UDP_REQ)
UDP_REPLY_LEN = 20 + 8 + len(UDP_REPLY)
# TCP: take the counters before the first SYN retransmission (RTO 1 s).
SNAPSHOT_MS = 800
SETTLE_S = 0.05
ACCEPT_WAIT_S = 0.2
# Transmissions of one logical packet are >= 200 ms apart (RTO).
GAP_US = 150000

OUTCOME_BY_ERRNO = {
	"ECONNREFUSED": "refused",
	"EHOSTUNREACH": "hostunreach",
	"ENETUNREACH": "netunreach",
	"ENOPROTOOPT": "protounreach",
	"EPERM": "eperm",
	"EACCES": "eacces",
	"ETIMEDOUT": "timeout",
}


class Skip(Exception):
	pass


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

def libc():
	return ctypes.CDLL(None, use_errno=True)


def write_file(path, text):
	with open(path, "w") as f:
		f.write(text)


def take_lock():
	"""Serialise oracle runs: their TRACE lines would be indistinguishable."""
	for path in LOCK_PATHS:
		try:
			fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
			break
		except OSError:
			continue
	else:
		raise Skip("cannot create a lock file")
	deadline = time.monotonic() + 300
	while True:
		try:
			fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
			return fd
		except BlockingIOError:
			if time.monotonic() > deadline:
				raise RuntimeError("oracle lock busy for 300 s")
			time.sleep(0.02)


def enter_netns():
	"""Move this process into a new, anonymous network namespace."""
	# nf_log in a non-init netns only logs with this sysctl (init netns).
	try:
		write_file("/proc/sys/net/netfilter/nf_log_all_netns", "1")
	except OSError:
		pass
	c = libc()
	if c.unshare(CLONE_NEWNET) != 0:
		raise Skip("needs root and network namespaces (unshare: %s)"
			   % os.strerror(ctypes.get_errno()))


def run(cmd, stdin=None):
	p = subprocess.run(cmd, input=stdin, stdout=subprocess.PIPE,
			   stderr=subprocess.PIPE)
	return p.returncode, p.stdout.decode(errors="replace"), \
		p.stderr.decode(errors="replace")


def must(cmd, stdin=None):
	rc, out, err = run(cmd, stdin)
	if rc != 0:
		raise RuntimeError("%s failed (%d): %s" % (" ".join(cmd), rc,
							   err.strip()))
	return out


def setup_netns(args, nonce):
	must(["ip", "link", "set", "lo", "up"])
	for addr in args.local_addr:
		must(["ip", "addr", "add", addr + "/32", "dev", "lo"])
	# The server may switch uid before binding a low port.
	write_file("/proc/sys/net/ipv4/ip_unprivileged_port_start", "0")
	try:
		with open("/proc/sys/net/netfilter/nf_log/2") as f:
			if f.read().strip() == "NONE":
				write_file("/proc/sys/net/netfilter/nf_log/2",
					   "nf_log_ipv4")
	except OSError:
		pass
	if args.no_nft:
		return
	# Priority -400 runs before raw (-300) and conntrack (-200). The log
	# lines (prefix @nonce, unique per run) mark where each transmission
	# of ours enters the output and prerouting hooks: TRACE lines of
	# packets without our mark come from another netns. nftrace makes
	# legacy ip_tables trace every packet from its first table on.
	trace = "" if args.no_nft_trace else "meta nftrace set 1 "
	nft = """table ip %(t)s {
	chain out {
		type filter hook output priority -400; policy accept;
		%(trace)slog prefix "%(t)sO: " flags all
	}
	chain pre {
		type filter hook prerouting priority -400; policy accept;
		%(trace)slog prefix "%(t)sP: " flags all
	}
}
""" % {"t": nonce, "trace": trace}
	must(["nft", "-f", "-"], nft.encode())


# ---------------------------------------------------------------- kmsg

class Kmsg:
	"""Records appended to the kernel log since open(). pull() often: a
	busy host can overwrite the ring buffer before we read it."""

	def __init__(self):
		self.fd = os.open("/dev/kmsg", os.O_RDONLY | os.O_NONBLOCK)
		os.lseek(self.fd, 0, os.SEEK_END)
		self.lost = False
		self.recs = []

	def pull(self):
		while True:
			try:
				b = os.read(self.fd, 16384)
			except BlockingIOError:
				break
			except BrokenPipeError:
				self.lost = True	# overwritten under us
				continue
			if not b:
				break
			head, _, msg = b.decode(errors="replace").partition(";")
			msg = msg.split("\n", 1)[0]
			try:
				ts = int(head.split(",")[2])
			except (IndexError, ValueError):
				ts = 0
			self.recs.append((ts, msg))

	def take(self):
		self.pull()
		recs, self.recs = self.recs, []
		return recs


# ---------------------------------------------------------------- children

def child_prepare(uid, gid):
	libc().prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
	os.setgroups([])
	os.setgid(gid)
	os.setuid(uid)


def no_linger(s):
	"""close() then sends a RST: no orphan socket outlives the netns owner
	and keeps sending FINs into later runs' logs."""
	if s.type == socket.SOCK_STREAM:
		s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER,
			     struct.pack("ii", 1, 0))


def report(fd, obj):
	os.write(fd, (json.dumps(obj) + "\n").encode())


def errname(e):
	return errno.errorcode.get(e, str(e)) if e else None


def server_main(args, wfd, ctl):
	"""Listen as server-uid, accept or echo, report each event on wfd."""
	child_prepare(args.server_uid, args.server_gid)
	addrs = [] if args.no_listener else [(args.dst, args.dport)]
	addrs += args.listens
	kind = socket.SOCK_STREAM if args.proto == "tcp" else socket.SOCK_DGRAM
	socks, keep = [], []
	for addr in addrs:
		s = socket.socket(socket.AF_INET, kind)
		s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
		no_linger(s)
		s.bind(addr)
		if kind == socket.SOCK_STREAM:
			s.listen(16)
		socks.append(s)
	report(wfd, {"ready": True})
	while True:
		r, _, _ = select.select(socks + [ctl], [], [])
		if ctl in r:
			os._exit(0)
		for s in r:
			local = "%s:%d" % s.getsockname()
			if kind == socket.SOCK_STREAM:
				c, peer = s.accept()
				no_linger(c)
				keep.append(c)
				report(wfd, {"accepted": local,
					     "peer": "%s:%d" % peer})
				continue
			data, peer = s.recvfrom(65536)
			ev = {"received": local, "peer": "%s:%d" % peer}
			try:
				s.sendto(UDP_REPLY, peer)
				ev["reply_errno"] = None
			except OSError as e:
				ev["reply_errno"] = errname(e.errno)
			report(wfd, ev)


def client_main(args, wfd, ctl):
	"""Connect (or send) once as uid/gid from src:sport; report on wfd."""
	child_prepare(args.uid, args.gid)
	kind = socket.SOCK_STREAM if args.proto == "tcp" else socket.SOCK_DGRAM
	s = socket.socket(socket.AF_INET, kind)
	s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
	no_linger(s)
	res = {"errno": None, "done": True}
	try:
		s.bind((args.src, args.sport))
	except OSError as e:
		res["errno"] = errname(e.errno)
		res["stage"] = "bind"
		report(wfd, res)
		os.read(ctl, 1)
		os._exit(0)
	tmo = args.timeout_ms / 1000.0
	if kind == socket.SOCK_STREAM:
		s.setblocking(False)
		rc = s.connect_ex((args.dst, args.dport))
		if rc == errno.EINPROGRESS:
			p = select.poll()
			p.register(s, select.POLLOUT)
			if p.poll(args.timeout_ms):
				rc = s.getsockopt(socket.SOL_SOCKET,
						  socket.SO_ERROR)
			else:
				res["done"] = False
				rc = 0
		res["errno"] = errname(rc)
		res["stage"] = "connect"
	else:
		s.settimeout(tmo)
		try:
			s.connect((args.dst, args.dport))
			res["stage"] = "send"
			s.send(UDP_REQ)
			res["stage"] = "recv"
			data = s.recv(65536)
			res["reply"] = len(data)
		except socket.timeout:
			res["done"] = False
		except OSError as e:
			res["errno"] = errname(e.errno)
	report(wfd, res)
	os.read(ctl, 1)		# hold the socket open until told to go
	os._exit(0)


def spawn(fn, args):
	r, w = os.pipe()
	cr, cw = os.pipe()
	pid = os.fork()
	if pid == 0:
		try:
			os.close(r)
			os.close(cw)
			fn(args, w, cr)
		except BaseException as e:	# noqa: report, never return
			try:
				report(w, {"error": "%s: %s" %
					   (type(e).__name__, e)})
			finally:
				os._exit(1)
		os._exit(0)
	os.close(w)
	os.close(cr)
	return {"pid": pid, "r": r, "ctl": cw, "buf": b"", "events": []}


def child_events(ch, timeout, km):
	"""Read reports from a child, waiting up to @timeout s for one more,
	draining the kernel log meanwhile."""
	end = time.monotonic() + timeout
	got = False
	while True:
		km.pull()
		left = max(0.0, end - time.monotonic())
		r, _, _ = select.select([ch["r"]], [], [],
					0 if got else min(left, 0.05))
		if not r:
			if got or left <= 0:
				return got
			continue
		b = os.read(ch["r"], 65536)
		if not b:
			return got
		ch["buf"] += b
		while b"\n" in ch["buf"]:
			line, ch["buf"] = ch["buf"].split(b"\n", 1)
			ch["events"].append(json.loads(line))
			got = True


def settle(seconds, km):
	end = time.monotonic() + seconds
	while time.monotonic() < end:
		km.pull()
		time.sleep(min(0.01, max(0.0, end - time.monotonic())))


def reap(ch):
	if not ch:
		return
	try:
		os.close(ch["ctl"])
	except OSError:
		pass
	for _ in range(100):
		pid, _ = os.waitpid(ch["pid"], os.WNOHANG)
		if pid:
			return
		time.sleep(0.01)
	os.kill(ch["pid"], signal.SIGKILL)
	os.waitpid(ch["pid"], 0)


# ---------------------------------------------------------------- counters

def counters():
	rc, out, err = run(["iptables-legacy-save", "-c"])
	res = {}
	if rc != 0:
		return res
	table = None
	num = {}
	for line in out.splitlines():
		if line.startswith("*"):
			table, num = line[1:].strip(), {}
			continue
		m = re.match(r"^:(\S+) (\S+) \[(\d+):(\d+)\]", line)
		if m and m.group(2) != "-":
			res["%s:%s:policy" % (table, m.group(1))] = \
				[int(m.group(3)), int(m.group(4))]
			continue
		m = re.match(r"^\[(\d+):(\d+)\] -A (\S+)", line)
		if m:
			chain = m.group(3)
			num[chain] = num.get(chain, 0) + 1
			res["%s:%s:%d" % (table, chain, num[chain])] = \
				[int(m.group(1)), int(m.group(2))]
	return res


# ---------------------------------------------------------------- trace

TAG_RE = re.compile(r"^[a-z]+:.+:(rule|return|policy):\d+$")
TCP_FLAGS = ("CWR", "ECE", "URG", "ACK", "PSH", "RST", "SYN", "FIN")


def parse_fields(text):
	"""nf_log_dump_packet() words: KEY=VALUE pairs and bare flags."""
	f = {"flags": set()}
	for w in text.split():
		k, eq, v = w.partition("=")
		if eq:
			f.setdefault(k, v)
		elif w in TCP_FLAGS:
			f["flags"].add(w)
	return f


def parse_line(msg, nonce):
	"""(kind, tag, outer fields, inner fields) or None."""
	if msg.startswith("TRACE: "):
		tag, _, rest = msg[7:].partition(" ")
		if not TAG_RE.match(tag):
			return None	# e.g. a LOG rule's own "TRACE: " prefix
		kind = "trace"
	elif nonce and msg.startswith(nonce) and \
	     msg[len(nonce) + 1:len(nonce) + 3] == ": ":
		kind = "mark_" + msg[len(nonce)]
		tag, rest = None, msg[len(nonce) + 3:]
	else:
		return None
	inner = {}
	m = re.search(r"\[(.*)\]", rest)
	if m:
		inner = parse_fields(m.group(1))
		rest = rest[:m.start()] + rest[m.end():]
	return kind, tag, parse_fields(rest), inner


def logical_key(f, inner):
	proto = f.get("PROTO")
	if proto == "TCP":
		return ("TCP", tuple(sorted(f["flags"])), f.get("SEQ"),
			f.get("ACK"))
	if proto == "UDP":
		return ("UDP", f.get("LEN"))
	if proto == "ICMP":
		return ("ICMP", f.get("TYPE"), f.get("CODE"),
			inner.get("PROTO"), inner.get("SEQ"), inner.get("LEN"))
	return (proto,)


def packet_name(key):
	if key[0] == "TCP":
		fl = set(key[1])
		if "RST" in fl:
			return "RST"
		if fl == {"SYN"}:
			return "SYN"
		if fl == {"SYN", "ACK"}:
			return "SYN-ACK"
		if "FIN" in fl:
			return "FIN"
		if fl == {"ACK"}:
			return "ACK"
		return "TCP"
	if key[0] == "UDP":
		if key[1] == str(UDP_REQ_LEN):
			return "DATA"
		if key[1] == str(UDP_REPLY_LEN):
			return "REPLY"
		return "UDP"
	return key[0] or "OTHER"


def ours(f, inner, sport, seqs):
	"""Does this line belong to our connection (see README, limits)?"""
	for d in (f, inner):
		if d.get("PROTO") in ("TCP", "UDP") and \
		   str(sport) in (d.get("SPT"), d.get("DPT")):
			return True
	if seqs is not None and f.get("PROTO") == "TCP":
		return f.get("SEQ") in seqs or f.get("ACK") in seqs
	return False


def seq_family(lines, sport):
	"""Sequence numbers of our TCP packets, to follow them through SNAT."""
	seqs = set()
	for kind, tag, f, inner in lines:
		if f.get("PROTO") == "TCP" and ours(f, inner, sport, None):
			for k in ("SEQ", "ACK"):
				v = int(f.get(k, "0"))
				if v:
					seqs.add(str(v))
					seqs.add(str((v + 1) % 2**32))
					seqs.add(str((v - 1) % 2**32))
	seqs.discard("0")
	return seqs


def tuple_of(f):
	if "SPT" in f:
		s = "%s:%s>%s:%s" % (f.get("SRC"), f.get("SPT"), f.get("DST"),
				     f.get("DPT"))
	else:
		s = "%s>%s" % (f.get("SRC"), f.get("DST"))
	if "MARK" in f:
		s += " mark=%s" % f["MARK"]
	return s


def build_packets(recs, nonce, sport, traced_only):
	"""Group our log lines into packets; keep each one's first attempt."""
	parsed = []
	for ts, msg in recs:
		p = parse_line(msg, nonce)
		if p:
			parsed.append((ts, msg) + p)
	seqs = seq_family([p[2:] for p in parsed], sport)
	order, txs = [], {}
	used = []
	cut = False	# after the first retransmission nothing new is kept
	for ts, msg, kind, tag, f, inner in parsed:
		if not ours(f, inner, sport, seqs):
			continue
		key = logical_key(f, inner)
		ident = f.get("ID")
		cur = txs.get(key)
		if cur is None and cut:
			continue	# caused by a retransmission
		new = cur is None or cur["id"] != ident or \
			ts - cur["last"] > GAP_US or \
			(kind == "mark_O" and cur["seen"])
		if new:
			if cur is None:
				order.append(key)
				cur = txs[key] = {"n": 0, "trace": [],
						  "tuples": [], "marked": False}
			cur["n"] += 1
			cur["id"], cur["seen"] = ident, False
			if cur["n"] > 1:
				cut = True
		cur["last"] = ts
		cur["seen"] = True
		if cur["n"] > 1:
			continue	# a retransmission: keep the first attempt
		if kind != "trace":
			cur["marked"] = True
		used.append("%d %s" % (ts, msg))
		if kind == "trace":
			cur["trace"].append(tag)
			cur["tuples"].append(tuple_of(f))
	packets, names = [], {}
	for key in order:
		t = txs[key]
		if nonce and not t["marked"]:
			continue	# same ports, but from another netns
		if traced_only and not t["trace"]:
			continue	# no TRACE line, and no log line of ours
		name = packet_name(key)
		names[name] = names.get(name, 0) + 1
		if names[name] > 1:
			name += "#%d" % names[name]
		packets.append({"name": name, "trace": t["trace"],
				"tuples": t["tuples"],
				"attempts": t["n"]})
	return packets, used


# ---------------------------------------------------------------- main

def outcome_of(args, cres):
	if "error" in cres:
		return "error", None
	e = cres.get("errno")
	if args.proto == "tcp":
		if not cres.get("done"):
			return "timeout", None
		if e is None:
			return "connected", None
		return OUTCOME_BY_ERRNO.get(e, "error"), e
	if e is None:
		return ("delivered" if cres.get("done") else "dropped"), None
	return OUTCOME_BY_ERRNO.get(e, "error"), e


def query(args, rules_text):
	nonce = "" if args.no_nft else "ORC" + os.urandom(4).hex()
	t0 = time.monotonic()
	km = Kmsg()
	setup_netns(args, nonce)
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
		outcome, err_name = outcome_of(args, cres)
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


def attempt(args, rules_text):
	"""One query in a child process that owns a brand-new netns."""
	r, w = os.pipe()
	pid = os.fork()
	if pid == 0:
		os.close(r)
		code = 0
		try:
			enter_netns()
			out = query(args, rules_text)
		except Skip as e:
			out, code = {"skip": str(e)}, 77
		except Exception as e:	# noqa: report to the parent
			out = {"internal_error": "%s: %s" %
			       (type(e).__name__, e)}
			code = 1
		os.write(w, json.dumps(out).encode())
		os._exit(code)
	os.close(w)
	buf = b""
	while True:
		b = os.read(r, 1 << 20)
		if not b:
			break
		buf += b
	os.close(r)
	os.waitpid(pid, 0)
	return json.loads(buf or b'{"internal_error": "child died"}')


def main(argv):
	args = parse_args(argv)
	try:
		with open(args.rules, "rb") as f:
			rules_text = f.read()
	except OSError as e:
		die_usage("cannot read '%s': %s" % (args.rules, e.strerror))
	if os.geteuid() != 0:
		sys.stderr.write("SKIP: needs root and network namespaces\n")
		return 77
	try:
		lock = take_lock()
	except Skip as e:
		sys.stderr.write("SKIP: %s\n" % e)
		return 77
	for n in range(2):
		res = attempt(args, rules_text)
		if "skip" in res:
			sys.stderr.write("SKIP: %s\n" % res["skip"])
			return 77
		if "internal_error" in res:
			sys.stderr.write("oracle.py: %s\n" % res["internal_error"])
			return 1
		if not flaky(args, res):
			break
		res["retried"] = True
	os.close(lock)
	if args.stable:
		for k in ("elapsed_ms", "retried"):
			res.pop(k, None)
		# x_tables reports with pr_info_ratelimited(): shared by every
		# netns on the host, so whether it shows up is not stable.
		res["load"].pop("kmsg", None)
		for p in res["packets"]:
			p.pop("attempts", None)
		text = json.dumps(res, indent=1, sort_keys=True)
		# keep [packets, bytes] pairs on one line
		print(re.sub(r"\[\s+(\d+),\s+(\d+)\s+\]", r"[\1, \2]", text))
	else:
		print(json.dumps(res, sort_keys=True))
	return 0


if __name__ == "__main__":
	sys.exit(main(sys.argv[1:]))
