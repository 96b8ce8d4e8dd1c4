#!/usr/bin/env python3
"""
net_compare.py - does `iptsim trace --format json` on a described host say
what the kernel did (a tests/diff/net-cases/ answer of oracle_net.py)?

    net_compare.py [--undetermined-ok] [--no-tuples] [--rc N] [--stderr FILE]
                   IPTSIM_JSON EXPECT_JSON
    net_compare.py --iptsim-args ORACLE_ARG...
    net_compare.py --self-test EXPECT_JSON...

IPTSIM_JSON is the output of `iptsim trace RULES --format json ARGS...` (may
be empty), --rc its exit status, --stderr what it wrote there (for the reason
of a refusal). EXPECT_JSON is oracle_net.py --stable's answer for the same
rules and arguments.

Prints one verdict line, then the differences indented:
  agree       the answers agree (below);
  disagree    iptsim answered and something differs;
  refused     iptsim did not answer: exit 2 (an option it does not take yet,
              a query it does not simulate) or a document without
              "outcome"; the reason is its "error" or first stderr line. A
              file the kernel refused to load and iptsim refuses (exit 2)
              agrees instead, as in compare.py, and a file the kernel
              loaded that iptsim does not (exit 2 with error diagnostics)
              disagrees;
  crashed     exit status other than 0, 1, 2, 3 (a signal, an abort).
Exit: 0 agree, 1 disagree, 3 refused, 4 crashed, 2 usage or unreadable input.

What is compared:
  - everything compare.py compares for a lo case (its compare(), imported):
    the load, the outcome, the packets' names in order, each packet's TRACE
    words and the addresses at each line (iptsim's "seen", the oracle's
    "tuples"; a NAT port range matches any port in it; --no-tuples leaves
    them out); with --no-nft-trace only traced packets count;
  - the outcome after mapping the oracle's words to iptsim's: "eacces" (a
    prohibit route, connect() EACCES) is iptsim's "eperm";
  - devices, as far as the recording holds them. oracle_net.py --stable
    keeps no IN=/OUT= per TRACE line (only --raw keeps the log lines, and
    the recorded cases are --stable), so the per-line devices are not
    compared. Two facts of the recording do say where a packet went:
      * "reached": a packet a peer received left the host by that peer's
        interface: iptsim's "out" of that packet must be that interface
        (a packet no peer received says nothing: dropped, or delivered to
        the host);
      * "client.in": the first packet (SYN, DATA) of a client on another
        host came in by that interface: iptsim's "in" of it must be it.
  - with counters taken at the end (oracle_net.py --late-counters), each
    rule's packets against iptsim's packets that traced it, resent ones too
    (compare.py).
Not compared: "reached"'s addresses and "server_saw" (the packet after the
host's last NAT: iptsim's JSON has no such field, only "nat" sentences),
"counters" taken before the first retransmission (the default), "listeners",
"peers", and iptsim's "path", "route", "stopped", "host_facts" (the
recording has no counterpart).

--iptsim-args turns a .args file's lines (one option a line, --opt=value)
into `iptsim trace` options, one a line: compare.py's translation
(--no-nft-trace -> --kernel-trace; --timeout-ms, --stable, --raw dropped),
--check-args dropped, and --wire-src=A (the source the client's packets
have on the wire, set by an SNAT in its peer) becomes the query's --src=A,
since that is the source the host sees; --wire-dst=A (IPv6: the
destination rewritten in the peer, ::1) the query's --dst=A.

--self-test builds from each expectation the answer a perfect iptsim would
give, checks it agrees, and that each of a set of changes (outcome, packets,
a TRACE line, a tuple, a device, the unmapped "eacces", a refusal) does not.
"""

import copy
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import compare  # noqa: E402

# The oracle's outcome words that iptsim spells another way.
OUTCOME_MAP = {"eacces": "eperm"}
# Packets only the client sends: the first packet of a remote client.
CLIENT_FIRST = ("SYN", "DATA")


def iptsim_args(lines):
	args = [a for a in (x.rstrip("\n") for x in lines) if a.strip()]
	out = []
	wire = wdst = None
	i = 0
	while i < len(args):
		a = args[i]
		if a.startswith("--wire-dst="):
			wdst = a.split("=", 1)[1]
		elif a.startswith("--wire-src="):
			wire = a.split("=", 1)[1]
		elif a == "--wire-src" and i + 1 < len(args):
			i += 1
			wire = args[i]
		elif a not in ("--check-args", "--ndp"):
			out.append(a)
		i += 1
	# without --ndp the oracle gives every host permanent neighbour
	# entries: iptsim's --no-ndp; with it the caches start empty, as
	# iptsim assumes by default
	if "--ndp" not in args:
		out.append("--no-ndp")
	if wire is not None:
		out = [a for j, a in enumerate(out)
		       if not a.startswith("--src=") and a != "--src" and
		       not (j > 0 and out[j - 1] == "--src")]
		out.append("--src=" + wire)
	if wdst is not None:
		out = [a for a in out if not a.startswith("--dst=")]
		out.append("--dst=" + wdst)
	return compare.iptsim_args(out)


def nd_numbered(sim):
	"""iptsim names every solicitation NS and every advertisement NA; the
	oracle tells them apart by source (oracle_lib.logical_key()), the
	second source's NS#2: the same names for iptsim's, in order."""
	seen = {}
	for p in (sim or {}).get("packets") or []:
		name = p.get("name")
		if name not in ("NS", "NA"):
			continue
		srcs = seen.setdefault(name, [])
		if p.get("src") not in srcs:
			srcs.append(p.get("src"))
		n = srcs.index(p.get("src")) + 1
		if n > 1:
			p["name"] = "%s#%d" % (name, n)
	return sim


def mapped(ker):
	k = copy.deepcopy(ker)
	k["outcome"] = OUTCOME_MAP.get(k.get("outcome"), k.get("outcome"))
	return k


def first_line(text):
	for line in (text or "").splitlines():
		if line.strip():
			return line.strip()
	return ""


def device_diffs(sim, ker):
	diffs = []
	kernel_trace = ker.get("trace_source") == "rules"
	sp = compare.counted_packets(sim, kernel_trace)
	kp = compare.counted_packets(ker, kernel_trace)
	if [p.get("name") for p in sp] != [p.get("name") for p in kp]:
		return diffs	# compare() said so; the pairs would not match
	for i, (s, k) in enumerate(zip(sp, kp)):
		reached = sorted((k.get("reached") or {}).keys())
		if len(reached) != 1:
			continue
		if "out" not in s:
			diffs.append("packet %d (%s) out: iptsim gives none, the "
				     "kernel's reached the peer on %s" %
				     (i + 1, k.get("name"), reached[0]))
		elif s["out"] != reached[0]:
			diffs.append("packet %d (%s) out: iptsim %s, the kernel's "
				     "reached the peer on %s" %
				     (i + 1, k.get("name"), s["out"] or '""',
				      reached[0]))
	client_in = (ker.get("client") or {}).get("in")
	# the client's first packet, after the NS and NA before it
	kall = [p for p in ker.get("packets") or []
		if p.get("name") not in ("NS", "NA")]
	if client_in and client_in != "host" and kall and \
	   kall[0].get("name") in CLIENT_FIRST:
		name = kall[0]["name"]
		s = next((p for p in sim.get("packets") or []
			  if p.get("name") == name), None)
		if s is not None and s.get("in") != client_in:
			diffs.append("%s in: iptsim %s, the kernel's came from "
				     "the client on %s" %
				     (name, '""' if s.get("in") == "" else
				      s.get("in", "none"), client_in))
	return diffs


def judge(sim, rc, stderr_text, ker, undetermined_ok, tuples):
	"""(verdict, [difference])."""
	kernel_loaded = bool((ker.get("load") or {}).get("ok", True))
	if rc is not None and rc not in (0, 1, 2, 3):
		return "crashed", ["exit %s%s" % (rc, (": " + first_line(
			stderr_text)) if first_line(stderr_text) else "")]
	if rc == 2 and not kernel_loaded:
		diffs = compare.compare(None, 2, ker, undetermined_ok, tuples)
		return ("disagree" if diffs else "agree"), diffs
	errors = [d for d in (sim or {}).get("diagnostics") or []
		  if isinstance(d, dict) and d.get("severity") == "error"]
	if rc == 2 and errors:
		# the file does not load for iptsim, the kernel loaded it:
		# not a refusal of the query but a disagreement
		return "disagree", compare.compare(None, 2, ker,
						   undetermined_ok, tuples) + [
			"%s:%s: %s" % (d.get("line"), d.get("column"),
				       d.get("message")) for d in errors[:3]]
	if rc == 2 or (isinstance(sim, dict) and "outcome" not in sim):
		why = ""
		if isinstance(sim, dict):
			why = str(sim.get("error") or "")
		why = why or first_line(stderr_text) or "no answer"
		return "refused", ["exit %s: %s" % (rc, why)]
	if sim is None:
		return "disagree", ["iptsim printed nothing (exit %s)" % rc]
	if (sim.get("outcome") == "undetermined" and
	    "undetermined" in (sim.get("possible_outcomes") or []) and
	    any(r.get("rule") is None for r in sim.get("reasons") or [])):
		# a step the simulator says it does not simulate (a hairpin,
		# policy routing): a refusal of the question, with its reason
		return "refused", ["not simulated: " + "; ".join(
			str(r.get("why")) for r in sim.get("reasons") or []
			if r.get("rule") is None)]
	diffs = compare.compare(sim, rc, mapped(ker), undetermined_ok, tuples)
	if sim.get("outcome") != "undetermined":
		diffs += device_diffs(sim, ker)
	return ("disagree" if diffs else "agree"), diffs


EXIT = {"agree": 0, "disagree": 1, "refused": 3, "crashed": 4}


def ideal(ker):
	"""The answer a perfect iptsim gives for the recorded case."""
	client_in = (ker.get("client") or {}).get("in")
	remote = client_in and client_in != "host"
	pkts = []
	# the client's first packet: after its NS and the host's NA
	first = next((i for i, p in enumerate(ker.get("packets") or [])
		      if p.get("name") not in ("NS", "NA")), -1)
	for i, p in enumerate(ker.get("packets") or []):
		reached = sorted((p.get("reached") or {}).keys())
		pkts.append({
			"name": p.get("name"),
			"trace": list(p.get("trace") or []),
			"seen": list(p.get("tuples") or []),
			"in": client_in if remote and i == first else "",
			"out": reached[0] if reached else "",
		})
	if ker.get("counters_at") == "end" and \
	   ker.get("trace_source") != "rules":
		# the counters count every packet sent again: one resent
		# packet (after the compared ones) for each count the first
		# attempts leave over
		counts = compare.trace_counts({"packets": pkts}) or {}
		for key, (n, _) in sorted((ker.get("counters") or {}).items()):
			table, chain, last = key.rsplit(":", 2)
			word = "%s:%s:%s" % (table, chain, "policy:1" if
					     last == "policy" else "rule:" + last)
			for _ in range(n - counts.get(key, 0)):
				pkts.append({"name": "SYN", "resent": 1,
					     "trace": [word], "seen": [],
					     "in": "", "out": ""})
	out = ker.get("outcome")
	out = OUTCOME_MAP.get(out, out)
	return {"outcome": out, "packets": pkts, "path": None,
		"stopped": None, "route": None, "host_facts": []}


def self_test(paths):
	failed = 0
	checks = 0

	def expect(name, what, verdict, want):
		nonlocal failed, checks
		checks += 1
		if verdict[0] != want:
			failed += 1
			print("FAIL self-test %s: %s gives %s, not %s%s" %
			      (name, what, verdict[0], want,
			       "".join("\n    " + d for d in verdict[1])))

	for path in paths:
		name = os.path.basename(path).replace(".expect.json", "")
		ker = compare.load_json(path, "expectation")
		good = ideal(ker)
		rc = 0 if ker.get("outcome") in ("connected", "delivered") else 1
		expect(name, "the ideal answer",
		       judge(good, rc, "", ker, False, True), "agree")
		traced = [i for i, p in enumerate(good["packets"])
			  if p["trace"] and not p.get("resent")]

		def changed(fn, what, want="disagree"):
			s = copy.deepcopy(good)
			fn(s)
			expect(name, what, judge(s, rc, "", ker, False, True), want)

		def outcome(s):
			s["outcome"] = ("timeout" if s["outcome"] == "connected"
					else "connected")
		changed(outcome, "another outcome")
		if ker.get("outcome") in OUTCOME_MAP:
			changed(lambda s: s.update(outcome=ker["outcome"]),
				"the unmapped outcome %s" % ker["outcome"])
		if traced:	# (an untraced packet does not count with
				# --no-nft-trace)
			changed(lambda s: s["packets"].pop(traced[-1]),
				"a packet less")
		if any(p.get("resent") for p in good["packets"]):
			changed(lambda s: s["packets"].pop(),
				"a packet sent again less (counters at the end)")

			def one_more(s):
				s["packets"].append(dict(s["packets"][-1]))
			changed(one_more,
				"a packet sent again more (counters at the end)")
		if traced:
			i = traced[0]

			def trace(s):
				s["packets"][i]["trace"][-1] = "filter:INPUT:rule:99"
			changed(trace, "a TRACE line changed")

			def tup(s):
				s["packets"][i]["seen"][0] = "192.0.2.99:1>192.0.2.98:2"
			changed(tup, "a tuple changed")
		for i, p in enumerate(good["packets"]):
			if p["out"]:
				def out(s, i=i):
					s["packets"][i]["out"] = "nosuch"
				changed(out, "packet %d's out changed" % (i + 1))

				def noout(s, i=i):
					del s["packets"][i]["out"]
				changed(noout, "packet %d without out" % (i + 1))
				break
		firsts = [i for i, p in enumerate(good["packets"])
			  if p["name"] not in ("NS", "NA")]
		if firsts and good["packets"][firsts[0]]["in"]:
			def iface_in(s, i=firsts[0]):
				s["packets"][i]["in"] = "nosuch"
			changed(iface_in, "the first packet's in changed")
		expect(name, "a refusal (exit 2)",
		       judge(None, 2, "iptsim trace: unknown option '--iface'\n",
			     ker, False, True), "refused")
		expect(name, "a file iptsim does not load",
		       judge({"error": "does not load", "diagnostics": [
			       {"severity": "error", "line": 2, "column": 1,
				"message": "x"}]}, 2, "", ker, False, True),
		       "disagree")
		expect(name, "a crash (exit 139)",
		       judge(None, 139, "", ker, False, True), "crashed")
	print("self-test: %d checks on %d expectations, %d failed" %
	      (checks, len(paths), failed))
	return 1 if failed else 0


def main(argv):
	if argv and argv[0] == "--iptsim-args":
		for a in iptsim_args(argv[1:]):
			print(a)
		return 0
	if argv and argv[0] == "--self-test":
		return self_test(argv[1:])
	undetermined_ok = False
	tuples = True
	rc = None
	stderr_text = ""
	pos = []
	i = 0
	while i < len(argv):
		a = argv[i]
		if a == "--undetermined-ok":
			undetermined_ok = True
		elif a == "--no-tuples":
			tuples = False
		elif a in ("--rc", "--stderr") and i + 1 < len(argv):
			i += 1
			if a == "--stderr":
				try:
					with open(argv[i], errors="replace") as f:
						stderr_text = f.read()
				except OSError:
					stderr_text = ""
			else:
				try:
					rc = int(argv[i])
				except ValueError:
					sys.stderr.write("net_compare.py: bad --rc "
							 "'%s'\n" % argv[i])
					return 2
		elif a in ("-h", "--help"):
			print(__doc__.strip())
			return 0
		else:
			pos.append(a)
		i += 1
	if len(pos) != 2:
		sys.stderr.write("usage: net_compare.py [--undetermined-ok] "
				 "[--no-tuples] [--rc N] [--stderr FILE] "
				 "IPTSIM_JSON EXPECT_JSON\n")
		return 2
	try:
		with open(pos[0]) as f:
			text = f.read()
	except OSError as e:
		sys.stderr.write("net_compare.py: cannot read iptsim output: "
				 "%s\n" % e)
		return 2
	sim = None
	if text.strip():
		try:
			sim = json.loads(text)
		except ValueError:
			sim = None
		if not isinstance(sim, dict) and rc != 2:
			print("disagree")
			print("    iptsim's output is not a JSON object: %s" %
			      first_line(text)[:120])
			return 1
		if not isinstance(sim, dict):
			sim = None
	if sim is None and rc is None:
		rc = 2
	ker = compare.load_json(pos[1], "oracle output")
	nd_numbered(sim)
	verdict, diffs = judge(sim, rc, stderr_text, ker, undetermined_ok,
			       tuples)
	print(verdict)
	for d in diffs:
		print("    " + d)
	return EXIT[verdict]


if __name__ == "__main__":
	sys.exit(main(sys.argv[1:]))
