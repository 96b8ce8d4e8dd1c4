"""
oracle_lib.py - what the kernel oracles share (oracle.py: one local
connection over lo; oracle_net.py: a host with interfaces and peers): the
lock, namespaces, the kernel log reader, the client and server children,
counters, and the splitting of TRACE lines into packets.

See tests/kernel/README.md. Not a program: imported by the oracles.
"""

import ctypes
import errno
import ipaddress
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
# UDP payload sizes: they tell the request (IP LEN 35) from the echo (37);
# over IPv6 nf_log_ipv6's LEN= counts its 40-byte header (55 and 57).
UDP_REQ = b"q" * 7
UDP_REPLY = b"r" * 9
UDP_REQ_LEN = 20 + 8 + len(UDP_REQ)
UDP_REPLY_LEN = 20 + 8 + len(UDP_REPLY)
UDP6_LEN_EXTRA = 20
# TCP: take the counters before the first SYN retransmission (RTO 1 s).
SNAPSHOT_MS = 800
SETTLE_S = 0.05
ACCEPT_WAIT_S = 0.2
# --late-counters: the wait after the outcome, for the packets that follow
# it (a SYN crossing the SYN-ACK that connected, its answer and ACK)
LATE_SETTLE_MS = 300
# Transmissions of one logical packet are >= 200 ms apart (RTO).
GAP_US = 150000

OUTCOME_BY_ERRNO = {
	"ECONNREFUSED": "refused",
	"EHOSTUNREACH": "hostunreach",
	"ENETUNREACH": "netunreach",
	"ENOPROTOOPT": "protounreach",
	"EPERM": "eperm",
	"EACCES": "eacces",
	"EINVAL": "einval",
	"ETIMEDOUT": "timeout",
}


class Skip(Exception):
	pass

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
	c = libc()
	if c.unshare(CLONE_NEWNET) != 0:
		raise Skip("needs root and network namespaces (unshare: %s)"
			   % os.strerror(ctypes.get_errno()))


def set_netns(fd):
	"""Move this process into the network namespace open on @fd."""
	if libc().setns(fd, CLONE_NEWNET) != 0:
		raise RuntimeError("setns: %s" % os.strerror(ctypes.get_errno()))


def bind_nf_log():
	"""AF_INET packets are logged by nf_log_ipv4 in this netns, AF_INET6
	ones by nf_log_ipv6."""
	for pf, name in ((2, "nf_log_ipv4"), (10, "nf_log_ipv6")):
		path = "/proc/sys/net/netfilter/nf_log/%d" % pf
		try:
			with open(path) as f:
				if f.read().strip() == "NONE":
					write_file(path, name)
		except OSError:
			pass


def family_of(addr):
	"""socket.AF_INET6 for an address with a colon, else AF_INET."""
	return socket.AF_INET6 if ":" in addr else socket.AF_INET


def endpoint(sockname):
	"""'a.b.c.d:port' of an IPv4 sockname, '[addr]:port' of an IPv6 one
	(as iptsim prints endpoints)."""
	if len(sockname) == 4:
		return "[%s]:%d" % sockname[:2]
	return "%s:%d" % sockname


def nft_markers(nonce, trace, hooks=(("out", "output", "O"),
				     ("pre", "prerouting", "P")), family="ip"):
	"""An nftables table ip @nonce whose chains, at priority -400 on each
	hook, log every IPv4 packet with prefix "@nonce<letter>: " and, with
	@trace, set nftrace (legacy ipt_do_table() then prints TRACE lines)."""
	chains = "".join("""
	chain %(c)s {
		type filter hook %(h)s priority -400; policy accept;
		%(trace)slog prefix "%(t)s%(l)s: " flags all
	}""" % {"c": c, "h": h, "l": l, "t": nonce,
		"trace": "meta nftrace set 1 " if trace else ""}
		for c, h, l in hooks)
	return "table %s %s {%s\n}\n" % (family, nonce, chains)


NF_LOG_ALL_NETNS = "/proc/sys/net/netfilter/nf_log_all_netns"


def log_all_netns():
	"""nf_log in a non-init netns logs only with nf_log_all_netns=1 (init
	netns). Returns the value to restore, None if nothing changed."""
	try:
		with open(NF_LOG_ALL_NETNS) as f:
			old = f.read().strip()
		if old != "1":
			write_file(NF_LOG_ALL_NETNS, "1")
			return old
	except OSError:
		pass
	return None


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


def serve(proto, uid, gid, addrs, netns, wfd, ctl):
	"""Listen on @addrs as uid/gid (in the netns open on @netns, if not
	None), accept or echo, report each event on wfd."""
	if netns is not None:
		set_netns(netns)
	child_prepare(uid, gid)
	kind = socket.SOCK_STREAM if proto == "tcp" else socket.SOCK_DGRAM
	socks, keep = [], []
	for addr in addrs:
		s = socket.socket(family_of(addr[0]), kind)
		s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
		no_linger(s)
		s.bind(sockaddr(addr[0], addr[1]))
		if kind == socket.SOCK_STREAM:
			s.listen(16)
		socks.append(s)
	report(wfd, {"ready": True})
	while True:
		r, _, _ = select.select(socks + [ctl], [], [])
		if ctl in r:
			os._exit(0)
		for s in r:
			local = endpoint(s.getsockname())
			if kind == socket.SOCK_STREAM:
				c, peer = s.accept()
				no_linger(c)
				keep.append(c)
				report(wfd, {"accepted": local,
					     "peer": endpoint(peer)})
				continue
			data, peer = s.recvfrom(65536)
			ev = {"received": local, "peer": endpoint(peer)}
			try:
				s.sendto(UDP_REPLY, peer)
				ev["reply_errno"] = None
			except OSError as e:
				ev["reply_errno"] = errname(e.errno)
			report(wfd, ev)


def sockaddr(addr, port):
	"""(addr, port), or for an IPv6 "ADDR%IFACE" the 4-tuple with its
	scope id (of IFACE in the caller's netns): Python ignores a %zone in
	a 2-tuple."""
	if "%" not in addr:
		return (addr, port)
	a, _, zone = addr.partition("%")
	return (a, port, 0, socket.if_nametoindex(zone))


def dial(proto, uid, gid, src, sport, dst, timeout_ms, netns, wfd, ctl):
	"""Connect (or send) once as uid/gid from @src (None: the kernel's
	choice) port @sport to @dst (addr, port); report on wfd."""
	if netns is not None:
		set_netns(netns)
	child_prepare(uid, gid)
	kind = socket.SOCK_STREAM if proto == "tcp" else socket.SOCK_DGRAM
	fam = family_of(dst[0])
	dst = sockaddr(dst[0], dst[1])
	s = socket.socket(fam, kind)
	s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
	no_linger(s)
	res = {"errno": None, "done": True}
	try:
		s.bind(sockaddr(src or ("::" if fam == socket.AF_INET6 else
					"0.0.0.0"), sport))
	except OSError as e:
		res["errno"] = errname(e.errno)
		res["stage"] = "bind"
		report(wfd, res)
		os.read(ctl, 1)
		os._exit(0)
	if kind == socket.SOCK_STREAM:
		s.setblocking(False)
		rc = s.connect_ex(dst)
		if rc == errno.EINPROGRESS:
			p = select.poll()
			p.register(s, select.POLLOUT)
			if p.poll(timeout_ms):
				rc = s.getsockopt(socket.SOL_SOCKET,
						  socket.SO_ERROR)
			else:
				res["done"] = False
				rc = 0
		res["errno"] = errname(rc)
		res["stage"] = "connect"
		try:
			res["local"] = endpoint(s.getsockname())
		except OSError:
			pass
	else:
		s.settimeout(timeout_ms / 1000.0)
		try:
			s.connect(dst)
			res["local"] = endpoint(s.getsockname())
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


def spawn(fn, *fargs):
	"""Fork fn(*fargs, wfd, ctl): it reports JSON lines on wfd and exits
	when ctl closes (reap())."""
	r, w = os.pipe()
	cr, cw = os.pipe()
	pid = os.fork()
	if pid == 0:
		try:
			os.close(r)
			os.close(cw)
			fn(*(fargs + (w, cr)))
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


def add_late_counter_args(p):
	"""--late-counters and --settle-ms, alike in both oracles."""
	p.add_argument("--late-counters", action="store_true",
		       help="take the counters when the run ends (after the "
		       "outcome and --settle-ms), not before the SYN's first "
		       "retransmission: every packet sent again is counted")
	p.add_argument("--settle-ms", type=int, default=None,
		       help="with --late-counters: how long to wait after "
		       "the outcome before the counters (default 300)")


def late_counter_error(args):
	"""What is wrong with --late-counters/--settle-ms, or None."""
	if args.settle_ms is not None and not args.late_counters:
		return "--settle-ms needs --late-counters"
	if args.settle_ms is not None and not 0 <= args.settle_ms <= 60000:
		return "--settle-ms must be 0 to 60000"
	return None


def late_settle_s(args):
	"""How long to wait after the outcome before the last counters:
	SETTLE_S, or with --late-counters --settle-ms (LATE_SETTLE_MS)."""
	if not getattr(args, "late_counters", False):
		return SETTLE_S
	ms = args.settle_ms if args.settle_ms is not None else LATE_SETTLE_MS
	return ms / 1000.0


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

def counters(save="iptables-legacy-save"):
	rc, out, err = run([save, "-c"])
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
	if proto == "ICMPv6" and f.get("TYPE") in ("135", "136"):
		# neighbour discovery: a router's NS for its next hop is
		# another packet than the client's NS for the router
		return (proto, f.get("TYPE"), f.get("CODE"), f.get("SRC"))
	if proto in ("ICMP", "ICMPv6"):
		return (proto, f.get("TYPE"), f.get("CODE"),
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
		if key[1] in (str(UDP_REQ_LEN), str(UDP_REQ_LEN + UDP6_LEN_EXTRA)):
			return "DATA"
		if key[1] in (str(UDP_REPLY_LEN),
			      str(UDP_REPLY_LEN + UDP6_LEN_EXTRA)):
			return "REPLY"
		return "UDP"
	if key[0] == "ICMPv6" and key[1] in ("135", "136"):
		return "NS" if key[1] == "135" else "NA"
	return key[0] or "OTHER"


# oracle_net.py --ndp: neighbour solicitations and advertisements (ICMPv6
# types 135 and 136) belong to the connection they resolve
ND_OURS = False


def ours(f, inner, sport, seqs):
	"""Does this line belong to our connection (see README, limits)?"""
	if ND_OURS and f.get("PROTO") == "ICMPv6" and \
	   f.get("TYPE") in ("135", "136"):
		return True
	for d in (f, inner):
		if d.get("PROTO") in ("TCP", "UDP") and \
		   str(sport) in (d.get("SPT"), d.get("DPT")):
			return True
	# an ICMP error carries the packet it answers as that packet arrived:
	# after a port-changing SNAT only the sequence number is ours, and the
	# error's lines before nat translates it back show that port
	for d in (f, inner):
		if seqs is not None and d.get("PROTO") == "TCP" and \
		   (d.get("SEQ") in seqs or d.get("ACK") in seqs):
			return True
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


def short_addr(a):
	"""nf_log_ipv6 prints every group of an IPv6 address: compressed, as
	iptsim prints it; an IPv4 address as it is."""
	if a and ":" in a:
		try:
			return str(ipaddress.IPv6Address(a))
		except ValueError:
			return a
	return a


def tuple_of(f):
	src, dst = short_addr(f.get("SRC")), short_addr(f.get("DST"))
	v6 = src is not None and ":" in src
	if "SPT" in f:
		if v6:
			s = "[%s]:%s>[%s]:%s" % (src, f.get("SPT"), dst,
						 f.get("DPT"))
		else:
			s = "%s:%s>%s:%s" % (src, f.get("SPT"), dst,
					     f.get("DPT"))
	else:
		s = "%s>%s" % (src, dst)
	if "MARK" in f:
		s += " mark=%s" % f["MARK"]
	return s


def build_packets(recs, nonce, sport, traced_only, keys=None):
	"""Group our log lines into packets; keep each one's first attempt.
	@keys, a list, gets each packet's logical_key() in the same order."""
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
		# a second output marker, or a second prerouting marker
		# (a packet crosses prerouting once per transmission, also
		# when it came from a peer namespace), is a new transmission
		new = cur is None or cur["id"] != ident or \
			ts - cur["last"] > GAP_US or \
			(kind == "mark_O" and cur["seen"]) or \
			(kind == "mark_P" and cur["pre"])
		if new:
			if cur is None:
				order.append(key)
				cur = txs[key] = {"n": 0, "trace": [],
						  "tuples": [], "marked": False}
			cur["n"] += 1
			cur["id"], cur["seen"] = ident, False
			cur["pre"] = False
			if cur["n"] > 1:
				cut = True
		cur["last"] = ts
		cur["seen"] = True
		if kind == "mark_P":
			cur["pre"] = True
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
		if keys is not None:
			keys.append(key)
	return packets, used


def outcome_of(proto, cres):
	if "error" in cres:
		return "error", None
	e = cres.get("errno")
	if proto == "tcp":
		if not cres.get("done"):
			return "timeout", None
		if e is None:
			return "connected", None
		return OUTCOME_BY_ERRNO.get(e, "error"), e
	if e is None:
		return ("delivered" if cres.get("done") else "dropped"), None
	return OUTCOME_BY_ERRNO.get(e, "error"), e


def attempt(query, args, rules_text):
	"""One query(args, rules_text) in a child process that owns a
	brand-new netns; its JSON answer, or {"skip"} / {"internal_error"}."""
	r, w = os.pipe()
	pid = os.fork()
	if pid == 0:
		os.close(r)
		code = 0
		try:
			libc().prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
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


def print_answer(res, stable, packet_volatile=("attempts",)):
	"""One JSON line, or with @stable the recorded form: volatile keys
	dropped, keys sorted, indented, [packets, bytes] pairs on one line."""
	if stable:
		for k in ("elapsed_ms", "retried"):
			res.pop(k, None)
		# x_tables reports with pr_info_ratelimited(): shared by every
		# netns on the host, so whether it shows up is not stable.
		res["load"].pop("kmsg", None)
		for p in res["packets"]:
			for k in packet_volatile:
				p.pop(k, None)
		text = json.dumps(res, indent=1, sort_keys=True)
		print(re.sub(r"\[\s+(\d+),\s+(\d+)\s+\]", r"[\1, \2]", text))
	else:
		print(json.dumps(res, sort_keys=True))


def answer(prog, query, flaky, args, rules_text):
	"""The oracles' main: as root, under the lock, run query (in a fresh
	netns) once, again if flaky(args, res); print it. Exit status."""
	if os.geteuid() != 0:
		sys.stderr.write("SKIP: needs root and network namespaces\n")
		return 77
	try:
		lock = take_lock()
	except Skip as e:
		sys.stderr.write("SKIP: %s\n" % e)
		return 77
	old = log_all_netns()
	try:
		res = answer_locked(prog, query, flaky, args, rules_text)
	finally:
		if old is not None:
			write_file(NF_LOG_ALL_NETNS, old)
		os.close(lock)
	if isinstance(res, int):
		return res
	print_answer(res, args.stable)
	return 0


def answer_locked(prog, query, flaky, args, rules_text):
	for _ in range(2):
		res = attempt(query, args, rules_text)
		if "skip" in res:
			sys.stderr.write("SKIP: %s\n" % res["skip"])
			return 77
		if "internal_error" in res:
			sys.stderr.write("%s: %s\n" % (prog, res["internal_error"]))
			return 1
		if not flaky(args, res):
			break
		res["retried"] = True
	return res
