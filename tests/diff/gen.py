#!/usr/bin/env python3
"""
gen.py - seeded random rulesets and queries for the differential suite.

    gen.py --seed S --count N --out DIR [--iptsim PATH] [--first I]
           [--without KIND,...] [--family ipv4|ipv6]

Writes DIR/NAME.rules (an iptables-save file) and DIR/NAME.args (the
options of tests/kernel/oracle.py, which `compare.py --iptsim-args` turns
into `iptsim trace` options) for N cases named gS-I (I from --first, 0 by
default). Case I depends only on (S, I): `gen.py --seed S --first I
--count 1` gives the same case again.

Ingredients: tables raw, mangle, nat, filter, security; built-in chains
with policies and user chains reached by jump or goto, with RETURN; matches
tcp/udp (ports, flags), icmp, multiport, owner (uid, gid, socket-exists;
only in chains reached from OUTPUT/POSTROUTING), conntrack, state, mark,
connmark, comment, iprange, addrtype, length, tos, dscp, ttl, pkttype,
-s/-d/-i/-o, inversions; targets ACCEPT, DROP, REJECT (every type), RETURN,
LOG, TRACE, MARK, CONNMARK, TTL (mangle), CT --notrack, NOTRACK, DNAT,
REDIRECT, SNAT,
MASQUERADE, NETMAP; -f. Queries: TCP or UDP, ports, client and server
uid/gid, another local address (--local-addr), no listener, extra
listeners for NAT targets. History that a just-loaded ruleset decides:
recent (--set, --rcheck, --update, --remove, with --seconds, --hitcount,
--rttl, --rdest, one --mask per list), quota, statistic nth, limit and
hashlimit within their burst (1/min or slower; hashlimit by srcip, dstip,
ports or nothing, two rules of one --hashlimit-name sharing its table); a case
using them asks with --fresh (the oracle's namespace is always fresh).
Nothing whose outcome depends on time or chance (limit past its burst,
statistic random...).

With --family ipv6 the files are ip6tables-save files and the queries go
over ::1 (oracle and iptsim options start with -6): the same tables,
chains and targets, IPv6 addresses (::1, fd00::9 on lo), -p ipv6-icmp
with -m icmp6, the ICMPv6 REJECT types, hl instead of ttl, frag, hbh and
ipv6header instead of -f, NAT to ::1, ip6t's addrtype types, HL for TTL,
recent lists keyed by IPv6 addresses (list B under a /64 mask).

Every case is meant to load: each target and match is placed only where
the kernel accepts it (table, hook, protocol). With --iptsim, each file is
also checked with `iptsim check`; a file it refuses is replaced by a new
one, and its name is printed on stderr as "refused: DIR/NAME.rules" (the
file is kept as NAME.refused.rules, with its .args, for the caller to show
the kernel: a file only one side refuses is a finding).
"""

import argparse
import os
import random
import subprocess
import sys

TABLES = {
	"raw": ["PREROUTING", "OUTPUT"],
	"mangle": ["PREROUTING", "INPUT", "FORWARD", "OUTPUT", "POSTROUTING"],
	"nat": ["PREROUTING", "INPUT", "OUTPUT", "POSTROUTING"],
	"filter": ["INPUT", "FORWARD", "OUTPUT"],
	"security": ["INPUT", "FORWARD", "OUTPUT"],
}
TABLE_ORDER = ["raw", "mangle", "nat", "filter", "security"]
OUT_HOOKS = {"OUTPUT", "POSTROUTING"}
IN_HOOKS = {"PREROUTING", "INPUT"}

PORTS = [1060, 1060, 1060, 2000, 40000, 22, 8080]
SPORTS = [40000, 40000, 40000, 1060, 2000, 41000]
ADDRS = ["127.0.0.1", "127.0.0.1/32", "127.0.0.0/8", "127.0.0.2",
	 "10.0.0.0/8", "0.0.0.0/0", "127.0.0.0/24", "10.9.9.9"]
REJECT_TYPES = ["icmp-net-unreachable", "icmp-host-unreachable",
		"icmp-port-unreachable", "icmp-proto-unreachable",
		"icmp-net-prohibited", "icmp-host-prohibited",
		"icmp-admin-prohibited", "tcp-reset"]
CTSTATES = ["NEW", "ESTABLISHED", "RELATED", "INVALID", "UNTRACKED"]
ADDRTYPES = ["LOCAL", "UNICAST", "BROADCAST", "MULTICAST", "UNSPEC"]
# ip6t's addrtype refuses BROADCAST, BLACKHOLE, PROHIBIT and THROW
ADDRTYPES6 = ["LOCAL", "UNICAST", "MULTICAST", "UNSPEC", "ANYCAST",
	      "UNREACHABLE", "LOCAL,UNICAST"]
ICMP_TYPES = ["port-unreachable", "host-unreachable", "destination-unreachable",
	      "echo-request", "network-unreachable", "host-prohibited",
	      "protocol-unreachable"]
ADDRS6 = ["::1", "::1/128", "::/0", "fd00::9", "fd00::/8", "::2",
	  "fe80::/10", "::1/127"]
REJECT_TYPES6 = ["icmp6-no-route", "icmp6-adm-prohibited",
		 "icmp6-addr-unreachable", "icmp6-port-unreachable",
		 "icmp6-policy-fail", "icmp6-reject-route", "tcp-reset"]
ICMP6_TYPES = ["destination-unreachable", "port-unreachable",
	       "communication-prohibited", "address-unreachable", "no-route",
	       "echo-request", "1/4", "1/1", "neighbour-solicitation"]
TCP_FLAGSETS = [("SYN,ACK,FIN,RST", "SYN"), ("SYN,ACK", "SYN,ACK"),
		("SYN,ACK,FIN,RST", "ACK"), ("RST", "RST"), ("ALL", "NONE"),
		("SYN,RST", "RST"), ("ACK", "ACK"), ("FIN", "FIN")]


class Gen:
	def __init__(self, rng, query, without=(), v6=False):
		self.r = rng
		self.q = query
		self.v6 = v6
		self.without = set(without)
		# about a third of the cases use nothing that switches
		# conntrack on: then no nat chain is walked at all
		self.no_ct = rng.random() < 0.35
		# about a third use recent, quota or nth; a case that does
		# asks with --fresh
		self.history = rng.random() < 0.35
		self.fresh = False
		# a limit or hashlimit drawn: iptsim may answer undetermined
		# where it cannot bound the time between packets or tell
		# the keys apart; the case says "# diff: undetermined"
		self.timing = False

	def chance(self, p):
		return self.r.random() < p

	def pick(self, xs):
		return self.r.choice(xs)

	def neg(self, p=0.15):
		return "! " if self.chance(p) else ""

	def hexmark(self):
		return self.pick(["0x7", "0x1", "0x7/0xff", "0x0", "0x10/0x10",
				  "0x3"])

	# --------------------------------------------------------- matches

	def proto_part(self, ctx):
		"""-p and the protocol's own match: returns (words, proto)."""
		q = self.q["proto"]
		roll = self.r.random()
		if roll < 0.35:
			return [], None
		if roll < 0.8:
			proto = q
		elif roll < 0.9:
			proto = "udp" if q == "tcp" else "tcp"
		else:
			proto = "ipv6-icmp" if self.v6 else "icmp"
		words = ["-p", proto]
		if proto in ("tcp", "udp"):
			opts = []
			if self.chance(0.6):
				opts.append("%s--dport %s" % (self.neg(0.1),
					self.portspec(PORTS)))
			if self.chance(0.3):
				opts.append("%s--sport %s" % (self.neg(0.1),
					self.portspec(SPORTS + PORTS)))
			if proto == "tcp" and self.chance(0.25):
				if self.chance(0.4):
					opts.append("%s--syn" % self.neg(0.3))
				else:
					m, c = self.pick(TCP_FLAGSETS)
					opts.append("%s--tcp-flags %s %s" %
						    (self.neg(0.2), m, c))
			if opts or self.chance(0.3):
				words += ["-m", proto] + " ".join(opts).split()
		elif proto == "icmp" and self.chance(0.7):
			words += ["-m", "icmp", "--icmp-type",
				  self.pick(ICMP_TYPES)]
		elif proto == "ipv6-icmp" and self.chance(0.7):
			words += ["-m", "icmp6"] + self.neg(0.1).split() + \
				["--icmpv6-type", self.pick(ICMP6_TYPES)]
		return words, proto

	def portspec(self, ports):
		if self.chance(0.12):
			a = self.pick([1000, 1060, 1500, 30000])
			return "%d:%d" % (a, a + self.pick([0, 60, 1000, 20000]))
		return str(self.pick(ports))

	def match(self, ctx, proto):
		"""One -m MATCH ... (or a header field) valid in ctx."""
		kinds = ["multiport", "conntrack", "state", "mark", "connmark",
			 "comment", "iprange", "addrtype", "length", "tos",
			 "dscp", "ttl", "pkttype", "addr", "iface", "frag"]
		if self.history:
			kinds += ["recent", "recent", "recent", "quota", "nth",
				  "limit", "hashlimit", "hashlimit"]
		if self.v6:
			kinds += ["ipv6header", "exthdr"]
		if ctx["out_only"]:
			kinds += ["owner", "owner", "owner"]
		if self.no_ct:
			kinds = [k for k in kinds
				 if k not in ("conntrack", "state", "connmark")]
		kinds = [k for k in kinds if k not in self.without]
		k = self.pick(kinds)
		if k == "recent":
			return self.recent()
		if k == "quota":
			self.fresh = True
			return ["-m", "quota"] + self.neg(0.2).split() + \
				["--quota", self.pick(["60", "100", "150", "400"])]
		if k == "nth":
			self.fresh = True
			every = self.pick([2, 3])
			return ["-m", "statistic", "--mode", "nth", "--every",
				str(every), "--packet",
				str(self.r.randrange(every))]
		if k == "limit":
			# a just-loaded bucket holds its burst; at 1/min or
			# slower nothing refills while the oracle waits
			self.fresh = True
			self.timing = True
			return ["-m", "limit", "--limit",
				self.pick(["1/min", "2/hour", "1/hour", "3/min"]),
				"--limit-burst", str(self.pick([1, 2, 3, 5]))]
		if k == "hashlimit":
			return self.hashlimit()
		if k == "multiport":
			if proto not in ("tcp", "udp"):
				return []
			opt = self.pick(["--dports", "--sports", "--ports"])
			ports = self.r.sample([1060, 2000, 40000, 22, 8080, 41000],
					      self.r.randint(1, 3))
			if self.chance(0.2):
				ports[0] = "%d:%d" % (1000, 1100)
			return ["-m", "multiport"] + self.neg(0.15).split() + \
				[opt, ",".join(str(p) for p in ports)]
		if k == "conntrack":
			ctx["ct"] = True
			w = ["-m", "conntrack"]
			sub = self.r.random()
			if sub < 0.6:
				states = self.r.sample(CTSTATES, self.r.randint(1, 2))
				w += self.neg(0.15).split() + \
					["--ctstate", ",".join(states)]
			elif sub < 0.75:
				w += ["--ctdir", self.pick(["ORIGINAL", "REPLY"])]
			elif sub < 0.85:
				w += self.neg(0.15).split() + \
					["--ctproto", self.pick(["tcp", "udp", "6"])]
			else:
				w += self.neg(0.15).split() + \
					["--ctorigdstport", str(self.pick(PORTS))]
			return w
		if k == "state":
			ctx["ct"] = True
			states = self.r.sample(CTSTATES, self.r.randint(1, 2))
			return ["-m", "state"] + self.neg(0.15).split() + \
				["--state", ",".join(states)]
		if k == "mark":
			return ["-m", "mark"] + self.neg(0.15).split() + \
				["--mark", self.hexmark()]
		if k == "connmark":
			ctx["ct"] = True
			return ["-m", "connmark"] + self.neg(0.15).split() + \
				["--mark", self.hexmark()]
		if k == "comment":
			return ["-m", "comment", "--comment",
				self.pick(['"dif test"', "dif", '"allow 1060"'])]
		if k == "ipv6header":
			hdr = self.pick(["prot", "hop", "frag", "dst", "none",
					 "hop,prot", "route"])
			return ["-m", "ipv6header"] + self.neg(0.2).split() + \
				["--header", hdr] + \
				(["--soft"] if self.chance(0.5) else [])
		if k == "exthdr":
			# the simulated packets carry no extension header
			return self.pick([["-m", "frag"],
					  ["-m", "frag", "--fragmore"],
					  ["-m", "hbh"], ["-m", "dst"],
					  ["-m", "rt"], ["-m", "ah"]])
		if k == "iprange" and self.v6:
			opt = self.pick(["--src-range", "--dst-range"])
			rng = self.pick(["::1-::5", "::2-::9", "fd00::1-fd00::ff",
					 "::-::ffff"])
			return ["-m", "iprange"] + self.neg(0.15).split() + \
				[opt, rng]
		if k == "iprange":
			opt = self.pick(["--src-range", "--dst-range"])
			rng = self.pick(["127.0.0.1-127.0.0.5", "127.0.0.2-127.0.0.9",
					 "10.0.0.1-10.0.0.9", "127.0.0.0-127.255.255.255",
					 "10.9.9.0-10.9.9.255"])
			return ["-m", "iprange"] + self.neg(0.15).split() + \
				[opt, rng]
		if k == "addrtype":
			w = ["-m", "addrtype"]
			types = ADDRTYPES6 if self.v6 else ADDRTYPES
			if self.chance(0.6):
				w += self.neg(0.15).split() + \
					["--dst-type", self.pick(types)]
			else:
				w += self.neg(0.15).split() + \
					["--src-type", self.pick(types)]
			return w
		if k == "length":
			a = self.pick([0, 55, 57, 60, 72, 76, 80, 81, 128]
				      if self.v6 else
				      [0, 35, 37, 40, 52, 56, 60, 61, 100])
			b = a + self.pick([0, 4, 8, 20, 1000])
			spec = str(a) if self.chance(0.3) else "%d:%d" % (a, b)
			return ["-m", "length"] + self.neg(0.15).split() + \
				["--length", spec]
		if k == "tos":
			return ["-m", "tos"] + self.neg(0.15).split() + \
				["--tos", self.pick(["0x00", "0x10", "0xc0/0xc0",
						     "0x00/0xfc"])]
		if k == "dscp":
			return ["-m", "dscp"] + self.neg(0.15).split() + \
				["--dscp", self.pick(["0", "0x30", "10", "0x00"])]
		if k == "ttl" and self.v6:
			opt = self.pick(["--hl-eq", "--hl-gt", "--hl-lt"])
			val = self.pick([1, 63, 64, 65, 255])
			if opt == "--hl-eq":
				return ["-m", "hl"] + self.neg(0.2).split() + \
					[opt, str(val)]
			return ["-m", "hl", opt, str(val)]
		if k == "ttl":
			opt = self.pick(["--ttl-eq", "--ttl-gt", "--ttl-lt"])
			val = self.pick([1, 63, 64, 65, 255])
			if opt == "--ttl-eq":
				return ["-m", "ttl"] + self.neg(0.2).split() + \
					[opt, str(val)]
			return ["-m", "ttl", opt, str(val)]
		if k == "pkttype":
			return ["-m", "pkttype"] + self.neg(0.15).split() + \
				["--pkt-type", self.pick(["unicast", "broadcast",
							  "multicast", "host"])
				 .replace("host", "unicast")]
		if k == "frag" and self.v6:
			return []	# no -f in IPv6: exthdr instead
		if k == "frag":
			# lo traffic is never fragmented: -f never matches
			return self.neg(0.5).split() + ["-f"]
		if k == "addr":
			opt = self.pick(["-s", "-d"])
			return self.neg(0.2).split() + \
				[opt, self.pick(ADDRS6 if self.v6 else ADDRS)]
		if k == "iface":
			name = self.pick(["lo", "lo", "lo+", "l+", "eth0", "+"])
			if ctx["in_only"]:
				return self.neg(0.2).split() + ["-i", name]
			if ctx["out_only"]:
				return self.neg(0.2).split() + ["-o", name]
			return []
		if k == "owner":
			sub = self.r.random()
			if sub < 0.45:
				return ["-m", "owner"] + self.neg(0.2).split() + \
					["--uid-owner", self.pick(["0", "1000",
								   "0-999", "1001"])]
			if sub < 0.75:
				return ["-m", "owner"] + self.neg(0.2).split() + \
					["--gid-owner", self.pick(["0", "1000",
								   "2000"])]
			return ["-m", "owner"] + self.neg(0.2).split() + \
				["--socket-exists"]
		return []

	def recent(self):
		"""-m recent: list A with the full mask, B with a /24 (one
		mask per list: the kernel keeps the first rule's)."""
		self.fresh = True
		name = self.pick(["A", "B"])
		mode = self.pick(["--set", "--set", "--rcheck", "--rcheck",
				  "--update", "--remove"])
		w = ["-m", "recent"] + self.neg(0.15).split() + \
			[mode, "--name", name]
		if mode in ("--rcheck", "--update"):
			if self.chance(0.3):
				w += ["--seconds", "60"]
			if self.chance(0.3):
				w += ["--hitcount", self.pick(["2", "3"])]
			if self.chance(0.2):
				w += ["--rttl"]
		if self.chance(0.3):
			w += ["--rdest"]
		if name == "B":
			w += ["--mask", "ffff:ffff:ffff:ffff::" if self.v6
			      else "255.255.255.0"]
		return w

	def hashlimit(self):
		"""-m hashlimit in packet mode, at 1/min or slower (nothing
		refills while the oracle waits): a just-loaded key holds its
		burst. Names h0-h2: two rules of one name share one table
		(the kernel's htable_find_get()), so they are drawn with the
		same options; h2 keys by destination port."""
		self.fresh = True
		self.timing = True
		name = self.pick(["h0", "h0", "h1", "h2"])
		if not hasattr(self, "hl_cfg"):
			self.hl_cfg = {}
		if name not in self.hl_cfg:
			mode = {"h0": self.pick(["srcip", "dstip", "srcip,dstport",
						  ""]),
				"h1": self.pick(["srcip", "srcport", ""]),
				"h2": "dstport"}[name]
			self.hl_cfg[name] = (mode, self.pick([1, 2, 3, 4]),
					     self.pick(["1/min", "1/hour"]))
		mode, burst, rate = self.hl_cfg[name]
		w = ["-m", "hashlimit",
		     self.pick(["--hashlimit-upto", "--hashlimit-above"]), rate,
		     "--hashlimit-burst", str(burst)]
		if mode:
			w += ["--hashlimit-mode", mode]
		return w + ["--hashlimit-name", name]

	# --------------------------------------------------------- targets

	def target(self, ctx, proto, words, user_chains):
		"""A target valid for ctx; may extend words (e.g. -p)."""
		t = ctx["table"]
		hooks = ctx["hooks"]
		choices = ["ACCEPT", "ACCEPT", "RETURN", "LOG"]
		if t != "nat":
			choices += ["DROP"]
		if t == "filter":
			choices += ["REJECT", "REJECT", "ACCEPT"]
		if t == "raw":
			choices += ["TRACE", "NOTRACK", "CT"]
		if t in ("mangle", "raw", "filter", "security"):
			choices += ["MARK"] if self.no_ct else ["MARK", "CONNMARK"]
		if t == "mangle":
			choices += ["TTL"]
		if self.no_ct:
			pass
		elif t == "nat" and hooks and hooks <= {"OUTPUT", "PREROUTING"}:
			choices += ["DNAT", "DNAT", "REDIRECT", "REDIRECT", "NETMAP"]
		elif t == "nat" and hooks and hooks <= {"POSTROUTING", "INPUT"}:
			choices += ["SNAT", "MASQUERADE"] \
				if hooks <= {"POSTROUTING"} else ["SNAT"]
		if user_chains:
			choices += ["JUMP", "JUMP", "GOTO"]
		choices = [c for c in choices if c not in self.without] or \
			["ACCEPT"]
		c = self.pick(choices)
		if c in ("ACCEPT", "DROP", "RETURN", "TRACE", "NOTRACK"):
			return ["-j", c]
		if c == "LOG":
			w = ["-j", "LOG"]
			if self.chance(0.5):
				w += ["--log-prefix", '"dif "']
			return w
		if c == "REJECT":
			w = ["-j", "REJECT"]
			if self.chance(0.75):
				rt = self.pick(REJECT_TYPES6 if self.v6 else
					       REJECT_TYPES)
				if rt == "tcp-reset" and proto != "tcp":
					rt = "icmp6-port-unreachable" \
						if self.v6 else \
						"icmp-port-unreachable"
				w += ["--reject-with", rt]
			return w
		if c == "MARK":
			op = self.pick(["--set-mark", "--set-xmark", "--or-mark",
					"--and-mark", "--xor-mark"])
			val = {"--set-mark": self.pick(["0x7", "0x1", "0x7/0xff"]),
			       "--set-xmark": "0x7/0xffffffff",
			       "--or-mark": "0x10", "--and-mark": "0x3",
			       "--xor-mark": "0x1"}[op]
			return ["-j", "MARK", op, val]
		if c == "CONNMARK":
			ctx["ct"] = True
			op = self.pick(["--set-mark", "--save-mark",
					"--restore-mark", "--set-mark"])
			if op == "--set-mark":
				return ["-j", "CONNMARK", op,
					self.pick(["0x7", "0x1", "0x3/0xff"])]
			return ["-j", "CONNMARK", op]
		if c == "TTL":
			op = self.pick(["set", "dec", "inc"])
			val = {"set": self.pick(["1", "63", "65", "200"]),
			       "dec": self.pick(["1", "2"]),
			       "inc": self.pick(["1", "2"])}[op]
			if self.v6:
				return ["-j", "HL", "--hl-" + op, val]
			return ["-j", "TTL", "--ttl-" + op, val]
		if c == "CT":
			return ["-j", "CT", "--notrack"]
		if c == "DNAT":
			ctx["ct"] = True
			ctx["nat_port"] = True
			if self.v6 and proto in ("tcp", "udp") and \
			   self.chance(0.7):
				dst = self.pick(["[::1]:2000", "[::1]:1060"])
			elif self.v6:
				dst = "::1"
			elif proto in ("tcp", "udp") and self.chance(0.7):
				dst = self.pick(["127.0.0.1:2000", "127.0.0.2:2000",
						 "127.0.0.1:1060"])
			else:
				dst = self.pick(["127.0.0.1", "127.0.0.2"])
			return ["-j", "DNAT", "--to-destination", dst]
		if c == "NETMAP":
			ctx["ct"] = True
			return ["-j", "NETMAP", "--to",
				self.pick(["::1/128"] if self.v6 else
					  ["127.0.0.2/32", "127.0.0.0/8",
					   "127.1.0.0/16"])]
		if c == "REDIRECT":
			ctx["ct"] = True
			ctx["nat_port"] = True
			if proto in ("tcp", "udp") and self.chance(0.7):
				return ["-j", "REDIRECT", "--to-ports",
					self.pick(["2000", "1060"])]
			return ["-j", "REDIRECT"]
		if c == "SNAT":
			ctx["ct"] = True
			# UDP: the oracle tells its datagrams by the client's
			# port, so a query over UDP keeps it
			if proto in ("tcp", "udp") and self.q["proto"] == "tcp" \
			   and self.chance(0.4):
				# one port: from a range the kernel's pick
				# is not the file's to decide
				src = self.pick(["[::1]:41000"] if self.v6 else
						["127.0.0.1:41000",
						 "127.0.0.2:41000"])
			else:
				src = self.pick(["::1"] if self.v6 else
						["127.0.0.1", "127.0.0.2"])
			return ["-j", "SNAT", "--to-source", src]
		if c == "MASQUERADE":
			ctx["ct"] = True
			if proto in ("tcp", "udp") and self.q["proto"] == "tcp" \
			   and self.chance(0.3):
				return ["-j", "MASQUERADE", "--to-ports", "41000"]
			return ["-j", "MASQUERADE"]
		uc = self.pick(user_chains)
		return ["-j" if c == "JUMP" else "-g", uc]

	def rule(self, ctx, user_chains):
		words, proto = self.proto_part(ctx)
		for _ in range(self.pick([0, 0, 1, 1, 1, 2])):
			m = self.match(ctx, proto)
			# -s, -d, -i, -o, -f at most once per rule
			if any(f in words for f in ("-s", "-d", "-i", "-o", "-f")
			       if f in m):
				continue
			words += m
		return words + self.target(ctx, proto, words, user_chains)


def ctx_for(table, hooks):
	return {"table": table, "hooks": set(hooks),
		"out_only": bool(hooks) and set(hooks) <= OUT_HOOKS,
		"in_only": bool(hooks) and set(hooks) <= IN_HOOKS,
		"ct": False, "nat_port": False}


def gen_query(r, v6=False):
	q = {"proto": "udp" if r.random() < 0.25 else "tcp"}
	args = ["-6"] if v6 else []
	if q["proto"] == "udp":
		args += ["--proto", "udp"]
	if r.random() < 0.2:
		args += ["--dport", str(r.choice([2000, 22, 8080]))]
	if r.random() < 0.1:
		# not a port a listener uses: bind() would fail
		args += ["--sport", str(r.choice([41000, 33000]))]
	if r.random() < 0.3:
		args += ["--uid", "1000"]
		if r.random() < 0.5:
			args += ["--gid", r.choice(["1000", "2000"])]
	if r.random() < 0.2:
		args += ["--server-uid", "1000"]
	roll = r.random()
	if v6 and roll < 0.14:
		# another local address, on lo
		args += ["--local-addr", "fd00::9", "--dst", "fd00::9"]
		if r.random() < 0.5:
			args += ["--src", "fd00::9"]
	elif roll < 0.08:
		args += ["--dst", "127.0.0.2"]
	elif roll < 0.14:
		# another local address, on lo (not in 127.0.0.0/8)
		args += ["--local-addr", "10.9.9.9", "--dst", "10.9.9.9"]
		if r.random() < 0.5:
			args += ["--src", "10.9.9.9"]
	if r.random() < 0.12:
		args += ["--no-listener"]
	return q, args


def gen_case(r, without=(), v6=False):
	q, args = gen_query(r, v6)
	g = Gen(r, q, without, v6)
	ntables = r.choice([1, 1, 2, 2, 3, 4, 5])
	tables = sorted(r.sample(TABLE_ORDER, ntables),
			key=TABLE_ORDER.index)
	if r.random() < 0.3:
		r.shuffle(tables)
	out = []
	nat_port = False
	for t in tables:
		builtins = TABLES[t]
		nuser = r.choice([0, 0, 1, 1, 2])
		users = ["%s_%s" % (t.upper()[:3], chr(ord("A") + i))
			 for i in range(nuser)]
		policies = {}
		for c in builtins:
			pol = "ACCEPT"
			if t != "nat" and r.random() < (0.2 if t == "filter"
							 else 0.07):
				pol = "DROP"
			policies[c] = pol
		lines = {c: [] for c in builtins + users}
		hooks_of = {u: set() for u in users}
		# built-in chains first: they decide which hooks reach users
		for c in builtins:
			if c == "FORWARD" and r.random() < 0.85:
				continue
			n = r.choice([0, 0, 1, 1, 2, 2, 3, 4])
			for _ in range(n):
				ctx = ctx_for(t, {c})
				w = g.rule(ctx, users)
				if w[-2] in ("-j", "-g") and w[-1] in users:
					hooks_of[w[-1]].add(c)
				nat_port |= ctx["nat_port"]
				lines[c].append(w)
			if policies[c] == "DROP" and r.random() < 0.6:
				# let something through a DROP policy
				lines[c].append(r.choice([
					["-j", "ACCEPT"], ["-i", "lo", "-j", "ACCEPT"]
					if c in IN_HOOKS | {"FORWARD"} else
					["-o", "lo", "-j", "ACCEPT"],
					["-p", q["proto"], "-j", "ACCEPT"]] + ([] if g.no_ct
					else [["-m", "conntrack", "--ctstate",
					 "ESTABLISHED,RELATED", "-j", "ACCEPT"]])))
		for i, u in enumerate(users):
			later = users[i + 1:]
			n = r.choice([1, 1, 2, 3])
			for _ in range(n):
				ctx = ctx_for(t, hooks_of[u])
				w = g.rule(ctx, later)
				if w[-2] in ("-j", "-g") and w[-1] in later:
					hooks_of[w[-1]] |= hooks_of[u]
				nat_port |= ctx["nat_port"]
				lines[u].append(w)
			if r.random() < 0.3:
				lines[u].append(["-j", "RETURN"])
		out.append("*%s" % t)
		for c in builtins:
			out.append(":%s %s [0:0]" % (c, policies[c]))
		for u in users:
			out.append(":%s - [0:0]" % u)
		for c in builtins + users:
			for w in lines[c]:
				out.append("-A %s %s" % (c, " ".join(w)))
		out.append("COMMIT")
	# a NAT target may send the connection to port 2000: listen there too
	# (unless the query's own server is on 2000 already)
	if "2000" in args:
		pass
	elif nat_port and "--no-listener" not in args and r.random() < 0.6:
		args += ["--listen", "2000"]
	elif nat_port and r.random() < 0.3 and not v6:
		args += ["--listen", "127.0.0.2:2000"]
	if g.fresh:
		args += ["--fresh"]
	if g.timing:
		out.insert(0, "# diff: undetermined (limit/hashlimit: the kernel's "
			   "outcome must be among iptsim's possible ones)")
	# an IPv6 REJECT reaches a connecting TCP socket over lo only with
	# the SYN's retransmission, after 1 s: a shorter wait would see a
	# timeout where a blocking connect() gets the errno (1.5 s proved
	# short on a loaded 2-core machine: 2.5 s)
	args += ["--timeout-ms", "300" if q["proto"] == "udp" else
		 "2500" if v6 else "900"]
	return "\n".join(out) + "\n", " ".join(args)


def main():
	p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
	p.add_argument("--seed", type=int, required=True)
	p.add_argument("--count", type=int, default=300)
	p.add_argument("--first", type=int, default=0)
	p.add_argument("--out", required=True)
	p.add_argument("--iptsim", help="check each file with iptsim check")
	p.add_argument("--family", choices=("ipv4", "ipv6"), default="ipv4",
		       help="ip6tables-save files and queries over ::1")
	p.add_argument("--without", default="",
		       help="comma-separated ingredients to leave out: match "
		       "kinds (tos, dscp, owner, conntrack, addr, iface...) "
		       "or targets (REJECT, DNAT, JUMP, GOTO...), e.g. to look "
		       "past a disagreement already known")
	a = p.parse_args()
	without = [w for w in a.without.split(",") if w]
	os.makedirs(a.out, exist_ok=True)
	for i in range(a.first, a.first + a.count):
		name = "g%d-%d" % (a.seed, i)
		if a.family == "ipv6":
			name = "g6-%d-%d" % (a.seed, i)
		for attempt in range(20):
			r = random.Random("%d:%d:%d" % (a.seed, i, attempt))
			text, args = gen_case(r, without,
					      a.family == "ipv6")
			head = "# dif gen.py --seed %d --first %d --count 1" \
			       "%s (attempt %d)\n" % (
				       a.seed, i, " --family ipv6"
				       if a.family == "ipv6" else "", attempt)
			text = head + text
			path = os.path.join(a.out, name + ".rules")
			if a.iptsim:
				fam = ["-6"] if a.family == "ipv6" else []
				pr = subprocess.run([a.iptsim, "check"] + fam +
						    ["-"],
						    input=text.encode(),
						    stdout=subprocess.DEVNULL,
						    stderr=subprocess.DEVNULL)
				if pr.returncode != 0:
					rp = os.path.join(a.out, "%s.%d.refused"
							  % (name, attempt))
					with open(rp + ".rules", "w") as f:
						f.write(text)
					with open(rp + ".args", "w") as f:
						f.write(args + "\n")
					sys.stderr.write("refused: %s.rules\n" % rp)
					continue
			with open(path, "w") as f:
				f.write(text)
			with open(os.path.join(a.out, name + ".args"), "w") as f:
				f.write(args + "\n")
			break
	return 0


if __name__ == "__main__":
	sys.exit(main())
