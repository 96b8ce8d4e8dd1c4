#!/usr/bin/env python3
"""
gen_net.py - seeded random host cases (a host with interfaces, a ruleset
and one connection) for a live differential run against oracle_net.py.

    gen_net.py --seed S --count N --out DIR [--first I] [--kinds K,...]

Writes DIR/NAME.rules (an iptables-save file; its first line says how to
make it again and what connection it asks about) and DIR/NAME.args (the
options of tests/kernel/oracle_net.py, one a line, --opt=value: the form of
tests/diff/net-cases/, which net_compare.py --iptsim-args turns into
`iptsim trace` options) for N cases named nS-I (I from --first, 0 by
default). Case I depends only on (S, I): `gen_net.py --seed S --first I
--count 1` gives the same case again. --kinds keeps only some connection
kinds (inbound, forward, portfwd, outbound), e.g. to look at one path.

The host: 1-3 interfaces (names wan/lan/dmz, eth0/eth1/eth2 or
eth0/docker0/br-1), each with an address (the first sometimes a second
one), usually a default route out of the first, sometimes another route
(blackhole, prohibit, unreachable, or a network via a gateway on the
second interface); sysctls ip_forward (given first), per-interface
forwarding, rp_filter (all and per interface: 0, 1, 2) and route_localnet.
The connection: inbound (a remote client on an interface to one of the
host's addresses, sometimes an address of another interface, sometimes
from a source the host routes elsewhere), forward (a remote client on one
interface to a remote server out of another), portfwd (a remote client to
the host's address, DNATed to a server on another interface) or outbound
(a local process, sometimes with a uid or a bound source, to a remote
server); TCP or UDP, with or without a listener.
The rules: filter INPUT/FORWARD/OUTPUT with ACCEPT/DROP policies, -i/-o
(with ! and eth+ wildcards), conntrack/state, addrtype (--limit-iface-in),
owner, multiport, iprange, ttl, mark, REJECT with every --reject-with (tcp-reset only with -p tcp) in
INPUT and FORWARD (and OUTPUT); nat PREROUTING DNAT (to a server on another
interface, to the host, to 127.0.0.1 with route_localnet) and REDIRECT,
nat OUTPUT DNAT, POSTROUTING SNAT and MASQUERADE; sometimes mangle MARK,
TTL (never to 0 or 1) and raw rules. Every target is placed where the kernel accepts it, so every
file loads. A DNAT to another host always gets its listener there
(--listen: without one the oracle has no host at that address, which
iptsim's model, where another host answers like a listener or with a
RST, does not describe); a local DNAT or REDIRECT target most of the
time.

Left out, as the oracle's topologies are: bridges, policy routing, IPv6,
a 127/8 source from outside (--wire-src), NAT to a port range (the
kernel's pick is random), anything depending on time or chance.
"""

import argparse
import os
import random
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from gen import REJECT_TYPES  # noqa: E402

KINDS = ("inbound", "forward", "portfwd", "outbound")
NAMINGS = (("wan", "lan", "dmz"), ("eth0", "eth1", "eth2"),
	   ("eth0", "docker0", "br-1"))
# Per interface slot: the host's address, its network, a remote host on
# it, and for the first (the uplink) a host beyond the gateway.
SLOTS = (
	{"addr": "192.0.2.10", "len": 24, "net": "192.0.2.0/24",
	 "gw": "192.0.2.1", "hosts": ["198.51.100.7", "192.0.2.20"],
	 "second": "192.0.2.11"},
	{"addr": "10.0.1.1", "len": 24, "net": "10.0.1.0/24",
	 "gw": "10.0.1.254", "hosts": ["10.0.1.2"], "beyond": "10.0.9.9"},
	{"addr": "172.16.5.1", "len": 24, "net": "172.16.5.0/24",
	 "gw": "172.16.5.254", "hosts": ["172.16.5.2"]},
)
# A network reached only by the extra route.
EXTRA_NET = "203.0.113.0/24"
EXTRA_HOST = "203.0.113.5"
TCP_PORTS = [22, 80, 443, 1060, 8080]
UDP_PORTS = [53, 1060, 5353]


class Case:
	def __init__(self, r, kinds):
		self.r = r
		self.args = []
		self.rules = {"raw": [], "mangle": [], "nat": [], "filter": []}
		self.pol = {}
		self.listen = []
		self.gen_host()
		self.gen_query(kinds)
		self.gen_rules()

	# ---------------------------------------------------------- host
	def gen_host(self):
		r = self.r
		names = r.choice(NAMINGS)
		n = r.choice([1, 2, 2, 3, 3])
		self.ifs = []
		for i in range(n):
			slot = dict(SLOTS[i], name=names[i], index=i)
			self.ifs.append(slot)
			self.args.append("--iface=%s=%s/%d" %
					 (slot["name"], slot["addr"], slot["len"]))
			if i == 0 and r.random() < 0.15:
				slot["addrs"] = [slot["addr"], slot["second"]]
				self.args.append("--iface=%s=%s/%d" %
						 (slot["name"], slot["second"],
						  slot["len"]))
			else:
				slot["addrs"] = [slot["addr"]]
		up = self.ifs[0]
		self.default = r.random() < 0.85
		if self.default:
			self.args.append("--route=default via %s dev %s" %
					 (up["gw"], up["name"]))
		self.extra = None
		if r.random() < 0.2:
			kinds = ["blackhole", "prohibit", "unreachable"]
			if n > 1:
				kinds.append("via")
			self.extra = r.choice(kinds)
			if self.extra == "via":
				lan = self.ifs[1]
				self.args.append("--route=%s via %s dev %s" %
						 (EXTRA_NET, lan["gw"],
						  lan["name"]))
			else:
				self.args.append("--route=%s %s" %
						 (self.extra, EXTRA_NET))

	def sysctls(self, forward_wanted):
		r = self.r
		out = []
		fwd = 1 if r.random() < (0.85 if forward_wanted else 0.3) else 0
		if fwd or r.random() < 0.5:
			out.append("net.ipv4.ip_forward=%d" % fwd)
		if fwd and len(self.ifs) > 1 and r.random() < 0.1:
			out.append("net.ipv4.conf.%s.forwarding=0" %
				   r.choice(self.ifs)["name"])
		if r.random() < 0.3:
			out.append("net.ipv4.conf.all.rp_filter=%d" %
				   r.choice([0, 1, 1, 2]))
		if r.random() < 0.1:
			out.append("net.ipv4.conf.%s.rp_filter=%d" %
				   (r.choice(self.ifs)["name"],
				    r.choice([0, 1, 2])))
		self.localnet = None
		if r.random() < 0.12:
			self.localnet = r.choice(self.ifs)
			out.append("net.ipv4.conf.%s.route_localnet=1" %
				   self.localnet["name"])
		self.args += ["--sysctl=" + s for s in out]

	def remote_of(self, slot):
		"""A remote host the host routes out of @slot (or would)."""
		r = self.r
		if slot["index"] == 0:
			if self.extra and self.extra != "via" and \
			   r.random() < 0.3:
				return EXTRA_HOST	# blackhole/prohibit/...
			return r.choice(slot["hosts"])
		if slot["index"] == 1 and self.extra == "via" and \
		   r.random() < 0.4:
			return EXTRA_HOST
		return slot["hosts"][0]

	# --------------------------------------------------------- query
	def gen_query(self, kinds):
		r = self.r
		possible = [k for k in kinds
			    if len(self.ifs) > 1 or k in ("inbound", "outbound")]
		if not possible:
			possible = [k for k in ("inbound", "outbound")
				    if k in kinds] or ["inbound"]
		self.kind = r.choice(possible)
		self.proto = "udp" if r.random() < 0.2 else "tcp"
		if self.kind == "portfwd":
			self.proto = "tcp"
		ports = TCP_PORTS if self.proto == "tcp" else UDP_PORTS
		self.dport = r.choice(ports)
		self.sysctls(self.kind in ("forward", "portfwd"))
		q = []
		if self.proto == "udp":
			q.append("--proto=udp")
		if self.kind == "outbound":
			self.cin = None
			self.out_if = r.choice(self.ifs)
			self.dst = self.remote_of(self.out_if)
			self.src = None
			if r.random() < 0.2:
				self.src = r.choice(r.choice(self.ifs)["addrs"])
				q.append("--src=" + self.src)
			self.uid = r.choice([0, 0, 1000])
			if self.uid:
				q.append("--uid=%d" % self.uid)
		else:
			if self.kind in ("forward", "portfwd"):
				a, b = r.sample(self.ifs, 2)
				if self.kind == "portfwd" and r.random() < 0.7:
					a = self.ifs[0]
					b = r.choice(self.ifs[1:])
			else:
				a = b = r.choice(self.ifs)
			self.cin, self.out_if = a, b
			if a["index"] == 1 and r.random() < 0.15:
				self.src = a["beyond"]	# rp_filter matters
			elif a["index"] == 0:
				self.src = a["hosts"][0] if r.random() < 0.8 \
					else a["hosts"][1]
			else:
				self.src = a["hosts"][0]
			q += ["--in=" + a["name"], "--src=" + self.src]
			if self.kind == "forward":
				self.dst = self.remote_of(b)
			elif self.kind == "portfwd":
				self.dst = a["addr"]
				self.dport = 8080
				self.target = (b["hosts"][0], 80)
			else:
				other = r.random() < 0.2 and len(self.ifs) > 1
				self.dst = r.choice(r.choice(self.ifs)["addrs"]) \
					if other else r.choice(a["addrs"])
		q += ["--dst=" + self.dst, "--dport=%d" % self.dport]
		if r.random() < 0.2:
			q.append("--no-listener")
		self.query = q

	# --------------------------------------------------------- rules
	def p(self):
		"""-p of a rule: mostly the query's protocol."""
		r = self.r
		if r.random() < 0.75:
			return self.proto
		return "udp" if self.proto == "tcp" else "tcp"

	def port(self, proto):
		r = self.r
		if r.random() < 0.6:
			return self.dport
		return r.choice(TCP_PORTS if proto == "tcp" else UDP_PORTS)

	def ifname(self, allow_wild=True):
		r = self.r
		s = r.choice(self.ifs)["name"]
		if allow_wild and s.startswith("eth") and r.random() < 0.2:
			return "eth+"
		return s

	def reject(self, proto):
		"""REJECT, any type the rule's -p allows (None: no -p)."""
		types = [t for t in REJECT_TYPES
			 if t != "tcp-reset" or proto == "tcp"]
		t = self.r.choice(types + [None])
		return "-j REJECT" + (" --reject-with " + t if t else "")

	def verdict(self, proto, allow_reject=True):
		r = self.r
		x = r.random()
		if x < 0.4:
			return "-j ACCEPT"
		if x < 0.65 or not allow_reject:
			return "-j DROP"
		return self.reject(proto)

	def neg(self):
		return "! " if self.r.random() < 0.15 else ""

	def ctstate(self):
		if self.r.random() < 0.7:
			return "-m conntrack --ctstate RELATED,ESTABLISHED"
		return "-m state --state RELATED,ESTABLISHED"

	def gen_rules(self):
		r = self.r
		f = self.rules["filter"]
		self.pol["INPUT"] = r.choice(["ACCEPT", "DROP"])
		self.pol["FORWARD"] = r.choice(["ACCEPT", "DROP", "DROP"])
		self.pol["OUTPUT"] = "DROP" if r.random() < 0.1 else "ACCEPT"
		# INPUT
		for _ in range(r.randint(0, 4)):
			pr = self.p()
			c = r.randrange(7)
			if c == 0:
				f.append("-A INPUT -i lo -j ACCEPT")
			elif c == 1:
				f.append("-A INPUT %s -j ACCEPT" % self.ctstate())
			elif c in (2, 3):
				f.append("-A INPUT %s-i %s -p %s --dport %d %s" %
					 (self.neg(), self.ifname(), pr,
					  self.port(pr), self.verdict(pr)))
			elif c == 4:
				f.append("-A INPUT -s %s %s" %
					 (r.choice(self.ifs)["net"],
					  self.verdict(None)))
			elif c == 5:
				f.append("-A INPUT -m addrtype --dst-type LOCAL"
					 "%s -p %s %s" %
					 (" --limit-iface-in" if r.random() < 0.5
					  else "", pr, self.verdict(pr)))
			else:
				f.append("-A INPUT -d %s -p %s %s" %
					 (r.choice(r.choice(self.ifs)["addrs"]),
					  pr, self.verdict(pr)))
		# FORWARD
		for _ in range(r.randint(0, 4)):
			pr = self.p()
			a, b = self.ifname(), self.ifname()
			c = r.randrange(6)
			if c == 0:
				f.append("-A FORWARD %s -j ACCEPT" % self.ctstate())
			elif c == 1:
				f.append("-A FORWARD -i %s %s-o %s -j ACCEPT" %
					 (a, self.neg(), b))
			elif c == 2:
				f.append("-A FORWARD -i %s -o %s -p %s --dport %d "
					 "%s" % (a, b, pr, self.port(pr),
						 self.reject(pr)))
			elif c == 3:
				f.append("-A FORWARD %s-o %s %s" %
					 (self.neg(), b, self.verdict(None)))
			elif c == 4:
				f.append("-A FORWARD -d %s -p %s --dport %d %s" %
					 (self.dst, pr, self.port(pr),
					  self.verdict(pr)))
			else:
				f.append("-A FORWARD -s %s -i %s %s" %
					 (r.choice(self.ifs)["net"], a,
					  self.verdict(None)))
		# OUTPUT
		for _ in range(r.choice([0, 0, 1, 2])):
			pr = self.p()
			c = r.randrange(3)
			if c == 0:
				f.append("-A OUTPUT -o lo -j ACCEPT")
			elif c == 1:
				f.append("-A OUTPUT %s-o %s -p %s --dport %d %s" %
					 (self.neg(), self.ifname(), pr,
					  self.port(pr), self.verdict(pr)))
			else:
				f.append("-A OUTPUT -m owner --uid-owner 1000 "
					 "-o %s %s" % (self.ifname(),
						       self.verdict(None)))
		if self.pol["OUTPUT"] == "DROP":
			f.insert(0, "-A OUTPUT %s -j ACCEPT" % self.ctstate())
		self.gen_nat()
		m = self.rules["mangle"]
		if r.random() < 0.2:
			m.append("-A PREROUTING -i %s -j MARK --set-mark 0x%x" %
				 (self.ifname(), r.randint(1, 15)))
		if r.random() < 0.15:
			m.append("-A FORWARD -o %s -j ACCEPT" % self.ifname())
		if r.random() < 0.15:
			m.append("-A POSTROUTING -o %s -j ACCEPT" % self.ifname())
		if r.random() < 0.1:
			self.rules["raw"].append("-A PREROUTING -i %s -j ACCEPT" %
						 self.ifname())
		if r.random() < 0.45:
			self.gen_extras()

	def gen_extras(self):
		"""One or two rules with matches the shapes above do not draw:
		multiport, iprange, ttl (a forwarded packet's TTL is one less
		in FORWARD and POSTROUTING), mark after a mangle MARK, and
		mangle's TTL target; each at a random place of its chain."""
		r = self.r
		f = self.rules["filter"]
		m = self.rules["mangle"]
		for _ in range(r.choice([1, 1, 2])):
			pr = self.p()
			chain = r.choice(["INPUT", "FORWARD", "FORWARD", "OUTPUT"])
			c = r.randrange(6)
			if c == 0:
				ports = r.sample(TCP_PORTS if pr == "tcp"
						 else UDP_PORTS, r.randint(1, 3))
				if self.dport not in ports and r.random() < 0.5:
					ports[0] = self.dport
				w = "-p %s -m multiport %s--%s %s" % (
					pr, self.neg(),
					r.choice(["dports", "ports", "sports"]),
					",".join(str(x) for x in ports))
			elif c == 1:
				w = "-m iprange %s--%s %s" % (
					self.neg(), r.choice(["src-range", "dst-range"]),
					r.choice(["192.0.2.1-192.0.2.15",
						  "192.0.2.11-192.0.2.30",
						  "10.0.1.2-10.0.1.2",
						  "10.0.0.0-10.0.255.255",
						  "172.16.5.0-172.16.5.1",
						  "198.51.100.0-198.51.100.255",
						  "203.0.113.1-203.0.113.9"]))
			elif c == 2:
				op = r.choice(["--ttl-eq 64", "--ttl-eq 63",
					       "--ttl-lt 64", "--ttl-gt 63",
					       "--ttl-eq 62"])
				w = "-m ttl %s%s" % (self.neg() if "eq" in op
						     else "", op)
			elif c == 3:
				w = "-m mark %s--mark 0x%x" % (self.neg(),
							      r.randint(0, 3))
				if r.random() < 0.6:
					m.insert(0, "-A PREROUTING -j MARK "
						 "--set-mark 0x%x" % r.randint(1, 3))
			elif c == 4:
				w = "-p %s -m %s %s--dport %d" % (
					pr, pr, self.neg(), self.port(pr))
			else:
				# not 1 or 0: a forwarded packet would expire
				m.insert(r.randint(0, len(m)),
					 "-A %s -j TTL --ttl-%s" % (
						 r.choice(["PREROUTING", "FORWARD",
							   "OUTPUT", "POSTROUTING"]),
						 r.choice(["set 100", "set 64",
							   "inc 1", "dec 1"])))
				continue
			if chain == "OUTPUT" and r.random() < 0.5:
				verdict = "-j ACCEPT"
			else:
				verdict = self.verdict(pr if w.startswith("-p") else
						       None)
			f.insert(r.randint(0, len(f)), "-A %s %s %s" %
				 (chain, w, verdict))

	def gen_nat(self):
		r = self.r
		n = self.rules["nat"]
		up = self.ifs[0]
		if self.kind == "portfwd" or r.random() < 0.2:
			if self.kind == "portfwd":
				host, port = self.target
				src_if = self.cin
			else:
				other = r.choice(self.ifs)
				host, port = other["hosts"][0], 80
				src_if = r.choice(self.ifs)
			how = r.randrange(3)
			if how == 0:
				m = "-i %s" % src_if["name"]
			elif how == 1:
				m = "-d %s" % src_if["addr"]
			else:
				m = "-m addrtype --dst-type LOCAL"
			n.append("-A PREROUTING %s -p tcp --dport 8080 -j DNAT "
				 "--to-destination %s:%d" % (m, host, port))
			# another host is there and listens: without one the
			# oracle has no host at that address at all (silence),
			# a network iptsim does not describe
			self.listen.append("%s:%d" % (host, port))
		if self.localnet is not None and r.random() < 0.7:
			n.append("-A PREROUTING -i %s -p %s --dport %d -j DNAT "
				 "--to-destination 127.0.0.1:%d" %
				 (self.localnet["name"], self.proto, self.dport,
				  1060))
			if r.random() < 0.8:
				self.listen.append("127.0.0.1:1060")
		if self.cin is not None and r.random() < 0.1:
			n.append("-A PREROUTING -i %s -p %s --dport %d -j REDIRECT "
				 "--to-ports 22" % (self.cin["name"], self.proto,
						    self.dport))
			# REDIRECT sends it to the first address of the
			# interface it came in by
			if r.random() < 0.8:
				self.listen.append("%s:22" % self.cin["addr"])
		others = [x for x in self.ifs if x["hosts"][0] != self.dst]
		if self.kind == "outbound" and others and r.random() < 0.2:
			other = r.choice(others)
			n.append("-A OUTPUT -d %s -p %s --dport %d -j DNAT "
				 "--to-destination %s:%d" %
				 (self.dst, self.proto, self.dport,
				  other["hosts"][0], self.dport))
			self.listen.append("%s:%d" % (other["hosts"][0],
						      self.dport))
		for _ in range(r.choice([0, 1, 1, 2])):
			c = r.randrange(4)
			out = self.ifname()
			if c == 0 and len(self.ifs) > 1:
				n.append("-A POSTROUTING -s %s -o %s -j MASQUERADE"
					 % (r.choice(self.ifs[1:])["net"],
					    up["name"]))
			elif c == 1:
				n.append("-A POSTROUTING %s-o %s -j MASQUERADE" %
					 (self.neg(), out))
			elif c == 2:
				n.append("-A POSTROUTING -o %s -j SNAT "
					 "--to-source %s" %
					 (up["name"], r.choice(up["addrs"])))
			else:
				n.append("-A POSTROUTING -o %s -p %s -j SNAT "
					 "--to-source %s" %
					 (out, self.proto,
					  next(s["addr"] for s in self.ifs
					       if s["name"] == out or
					       out == "eth+")))

	# -------------------------------------------------------- output
	def summary(self):
		how = {"inbound": "inbound on %s" % (self.cin or {}).get("name"),
		       "forward": "forwarded %s -> %s" % (
			       (self.cin or {}).get("name"), self.out_if["name"]),
		       "portfwd": "port-forwarded on %s" % (
			       (self.cin or {}).get("name")),
		       "outbound": "outbound (towards %s)" %
		       self.out_if["name"]}[self.kind]
		return "%s, %s %s:%d" % (how, self.proto, self.dst, self.dport)

	def text(self):
		out = []
		for table in ("raw", "mangle", "nat", "filter"):
			rules = self.rules[table]
			if not rules and table != "filter":
				continue
			out.append("*" + table)
			chains = {"raw": ["PREROUTING", "OUTPUT"],
				  "mangle": ["PREROUTING", "INPUT", "FORWARD",
					     "OUTPUT", "POSTROUTING"],
				  "nat": ["PREROUTING", "INPUT", "OUTPUT",
					  "POSTROUTING"],
				  "filter": ["INPUT", "FORWARD", "OUTPUT"]}[table]
			for c in chains:
				pol = self.pol.get(c, "ACCEPT") \
					if table == "filter" else "ACCEPT"
				out.append(":%s %s [0:0]" % (c, pol))
			out += rules
			out.append("COMMIT")
		return "\n".join(out) + "\n"

	def all_args(self):
		# the query's own server listens on --dst:--dport already
		# (or, with --no-listener, nothing may)
		seen = {"%s:%d" % (self.dst, self.dport)}
		listen = []
		for x in self.listen:
			if x not in seen:
				seen.add(x)
				listen.append("--listen=" + x)
		return self.args + self.query + listen


def main():
	p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
	p.add_argument("--seed", type=int, required=True)
	p.add_argument("--count", type=int, default=50)
	p.add_argument("--first", type=int, default=0)
	p.add_argument("--out", required=True)
	p.add_argument("--kinds", default=",".join(KINDS),
		       help="connection kinds to draw from, comma-separated: "
		       + ", ".join(KINDS))
	a = p.parse_args()
	kinds = [k for k in a.kinds.split(",") if k]
	bad = [k for k in kinds if k not in KINDS]
	if bad or not kinds:
		p.error("--kinds: unknown kind %s" % ",".join(bad))
	os.makedirs(a.out, exist_ok=True)
	for i in range(a.first, a.first + a.count):
		name = "n%d-%d" % (a.seed, i)
		c = Case(random.Random("net:%d:%d" % (a.seed, i)), kinds)
		head = "# gen_net.py --seed %d --first %d --count 1%s: %s\n" % (
			a.seed, i, "" if a.kinds == ",".join(KINDS)
			else " --kinds " + a.kinds, c.summary())
		with open(os.path.join(a.out, name + ".rules"), "w") as f:
			f.write(head + c.text())
		with open(os.path.join(a.out, name + ".args"), "w") as f:
			f.write("\n".join(c.all_args()) + "\n")
	return 0


if __name__ == "__main__":
	sys.exit(main())
