#!/usr/bin/env python3
"""
compare.py - does `iptsim trace --format json` say what the kernel did?

    compare.py [--undetermined-ok] [--no-tuples] [--rc N] IPTSIM_JSON ORACLE_JSON
    compare.py --iptsim-args ORACLE_ARGS...
    compare.py --watch-resends IPTSIM_JSON ORACLE_ARGS...

IPTSIM_JSON is the output of `iptsim trace FILE ARGS --format json` (may be
empty when iptsim refused the file), --rc its exit status. ORACLE_JSON is the
output of tests/kernel/oracle.py (with or without --stable) for the same file
and arguments.

They agree when:
  - iptsim exited 2 (the file does not load) and the kernel refused it too
    (load.ok false); a file only one side refuses is a disagreement;
  - otherwise the outcomes are equal, and the packets are the same, in order:
    same name (SYN, SYN-ACK, ACK, RST, ICMP; UDP DATA, REPLY; "#2" for a
    second different packet of one name), same trace words
    (table:chain:type:N), and unless --no-tuples the same addresses and ports
    (and mark) at each trace line; a port range N-M in iptsim's tuple (NAT
    to a range, where the kernel picks at random) matches any port in it.
  - when the kernel's counters were taken as the run ended (oracle
    --late-counters: "counters_at": "end"), every packet sent again is in
    them: each rule's packet count is the number of iptsim's packets, all
    of them (resent ones too), with a TRACE line at that rule
    (table:chain:rule:N counts table:chain:N, table:chain:policy:N the
    policy); not with --no-nft-trace, where only marked packets trace;
  - an undetermined answer from iptsim is a disagreement, unless
    --undetermined-ok is given (the case is marked expected-undetermined):
    then the kernel's outcome must be one of iptsim's possible_outcomes.

Prints "agree" or one line per difference; exit 0 agree, 1 differ, 2 usage
or unreadable input.

--iptsim-args turns oracle options (a facts/NAME.args line) into `iptsim
trace` options: --no-nft-trace and --no-nft become --kernel-trace, the
oracle-only --timeout-ms, --stable and --raw are dropped.

--watch-resends prints ORACLE_ARGS with --timeout-ms raised to see the last
resent SYN of iptsim's answer (its `resent_ms`) plus 1.5 s: an answer that
comes with the client's retries (nth, limit, recent) is only seen by a
kernel watched for that long.
"""

import json
import re
import sys

ORACLE_ONLY_WITH_VALUE = ("--timeout-ms", "--settle-ms")
ORACLE_ONLY_FLAGS = ("--stable", "--raw", "--late-counters")


def iptsim_args(args):
	out = []
	kernel_trace = False
	i = 0
	while i < len(args):
		a = args[i]
		if a in ORACLE_ONLY_WITH_VALUE:
			i += 2
			continue
		if any(a.startswith(o + "=") for o in ORACLE_ONLY_WITH_VALUE):
			i += 1
			continue
		if a in ORACLE_ONLY_FLAGS:
			i += 1
			continue
		if a in ("--no-nft-trace", "--no-nft"):
			kernel_trace = True
			i += 1
			continue
		out.append(a)
		i += 1
	if kernel_trace:
		out.append("--kernel-trace")
	return out


def load_json(path, what, allow_empty=False):
	try:
		with open(path) as f:
			text = f.read()
	except OSError as e:
		sys.stderr.write("compare.py: cannot read %s: %s\n" % (what, e))
		sys.exit(2)
	if not text.strip():
		if allow_empty:
			return None
		sys.stderr.write("compare.py: %s '%s' is empty\n" % (what, path))
		sys.exit(2)
	try:
		return json.loads(text)
	except ValueError as e:
		sys.stderr.write("compare.py: %s '%s' is not JSON: %s\n" %
				 (what, path, e))
		sys.exit(2)


def counted_packets(doc, kernel_trace):
	"""The packets of a document that are compared, in order (dicts)."""
	# With only the file's TRACE rules tracing, a packet no rule marked
	# has no TRACE line: the oracle still lists it (its nft chain saw
	# it), iptsim may not. Only traced packets count.
	# A packet routing refused to send (connect() failed) is on no
	# wire: the kernel has nothing to show of it.
	# The oracle keeps each packet's first attempt and nothing after
	# the first retransmission: iptsim's packets from its retransmitted
	# SYN on (an IPv6 SYN over lo whose ICMPv6 error was soft, or a SYN
	# the client's timer resent, "resent": N) are cut the same way.
	pkts = []
	for p in doc.get("packets") or []:
		if p.get("retransmission") or p.get("resent"):
			break
		pkts.append(p)
	return [p for p in pkts
		if not (kernel_trace and not p.get("trace")) and
		p.get("verdict") != "not sent"]


def packet_list(doc, key, kernel_trace):
	"""[(name, trace, tuples)] of a document's packets, in order."""
	return [(p.get("name"), list(p.get("trace") or []),
		 list(p.get(key) or []))
		for p in counted_packets(doc, kernel_trace)]


ADDR_RE = re.compile(r"^(\d+\.\d+\.\d+\.\d+)(?::(\d+)(?:-(\d+))?)?$")


def tuple_match(sim, ker):
	"""iptsim's SRC:SPT>DST:DPT[ mark=..] against the kernel's; a port
	range N-M on iptsim's side (NAT to a range: the kernel's pick is
	random) matches any port in it."""
	if sim == ker:
		return True
	sm, km = sim.split(" ", 1), ker.split(" ", 1)
	if sm[1:] != km[1:]:
		return False
	se, ke = sm[0].split(">"), km[0].split(">")
	if len(se) != 2 or len(ke) != 2:
		return False
	for a, b in zip(se, ke):
		ma, mb = ADDR_RE.match(a), ADDR_RE.match(b)
		if not ma or not mb or ma.group(1) != mb.group(1):
			return False
		if ma.group(3) and mb.group(2) and not mb.group(3):
			if not int(ma.group(2)) <= int(mb.group(2)) <= \
			   int(ma.group(3)):
				return False
		elif ma.group(2, 3) != mb.group(2, 3):
			return False
	return True


def trace_counts(doc):
	"""{counter key: packets} from the TRACE words of all of a
	document's packets, resent ones included; None when a packet's trace
	was cut short (its counts are unknown)."""
	counts = {}
	for p in doc.get("packets") or []:
		if p.get("trace_truncated"):
			return None
		for word in p.get("trace") or []:
			parts = word.rsplit(":", 2)
			if len(parts) != 3 or parts[1] not in ("rule", "policy"):
				continue	# a return: no counter of its own
			key = parts[0] + ":" + (parts[2] if parts[1] == "rule"
						else "policy")
			counts[key] = counts.get(key, 0) + 1
	return counts


def counter_diffs(sim, ker):
	"""With the kernel's counters taken at the end, each rule's packets
	against the number of iptsim's packets that traced it."""
	if ker.get("counters_at") != "end" or \
	   ker.get("trace_source") == "rules":
		return []
	counts = trace_counts(sim)
	if counts is None:
		return ["counters: a packet's trace is cut short in iptsim's "
			"answer, its counts are unknown"]
	kc = ker.get("counters") or {}
	diffs = []
	for key in sorted(set(kc) | set(counts)):
		want = (kc.get(key) or [0])[0]
		got = counts.get(key, 0)
		if key not in kc:
			diffs.append("counter %s: iptsim's packets count %d, the "
				     "kernel has no such counter" % (key, got))
		elif got != want:
			diffs.append("counter %s: iptsim's packets count %d, the "
				     "kernel's %d" % (key, got, want))
	return diffs


def fmt_list(xs):
	return "[" + ", ".join(xs) + "]"


def compare(sim, rc, ker, undetermined_ok, tuples):
	diffs = []
	load = ker.get("load") or {}
	kernel_loaded = bool(load.get("ok", True))

	if rc == 2 or sim is None:
		if rc not in (2, None):
			diffs.append("iptsim printed nothing (exit %s)" % rc)
		elif kernel_loaded:
			diffs.append("load: iptsim refuses the file (exit 2), "
				     "the kernel loads it")
		return diffs
	if not kernel_loaded:
		diffs.append("load: the kernel refuses the file (rc %s: %s), "
			     "iptsim loads it (outcome %s)" %
			     (load.get("rc"), (load.get("stderr") or "").strip(),
			      sim.get("outcome")))
		return diffs

	kout = ker.get("outcome")
	sout = sim.get("outcome")
	if sout == "undetermined":
		possible = sim.get("possible_outcomes") or []
		reasons = "; ".join(
			"%s:%s %s" % (r.get("file", "?"), r.get("line", "?"),
				      r.get("why", r.get("reason", "")))
			for r in (sim.get("reasons") or []))
		if not undetermined_ok:
			diffs.append("outcome: iptsim undetermined (possible %s; "
				     "%s), kernel %s" %
				     (fmt_list(possible), reasons, kout))
		elif kout not in possible:
			diffs.append("outcome: kernel %s is not among iptsim's "
				     "possible outcomes %s" %
				     (kout, fmt_list(possible)))
		return diffs
	# the oracle names EACCES (an ICMPv6 adm-prohibited, policy-fail or
	# reject-route) by its errno; iptsim's word for it is eperm
	if kout == "eacces" and sout == "eperm":
		kout = sout
	if sout != kout:
		diffs.append("outcome: iptsim %s, kernel %s%s" %
			     (sout, kout,
			      " (%s)" % ker["errno"] if ker.get("errno") else ""))

	kernel_trace = ker.get("trace_source") == "rules"
	sp = packet_list(sim, "seen", kernel_trace)
	kp = packet_list(ker, "tuples", kernel_trace)
	snames = [p[0] for p in sp]
	knames = [p[0] for p in kp]
	if snames != knames:
		diffs.append("packets: iptsim %s, kernel %s" %
			     (fmt_list(snames), fmt_list(knames)))
	for i in range(min(len(sp), len(kp))):
		sname, strace, stup = sp[i]
		kname, ktrace, ktup = kp[i]
		label = "packet %d (%s)" % (i + 1, kname if sname == kname
					   else "%s/%s" % (sname, kname))
		if strace != ktrace:
			diffs.append("%s trace: iptsim %s, kernel %s" %
				     (label, fmt_list(strace), fmt_list(ktrace)))
			j = 0
			while j < min(len(strace), len(ktrace)) and \
			      strace[j] == ktrace[j]:
				j += 1
			diffs.append("%s first difference at line %d: iptsim %s, "
				     "kernel %s" %
				     (label, j + 1,
				      strace[j] if j < len(strace) else "(end)",
				      ktrace[j] if j < len(ktrace) else "(end)"))
		elif tuples and stup != ktup:
			for j in range(max(len(stup), len(ktup))):
				a = stup[j] if j < len(stup) else "(none)"
				b = ktup[j] if j < len(ktup) else "(none)"
				if not tuple_match(a, b):
					diffs.append("%s at %s: iptsim sees %s, "
						     "kernel %s" %
						     (label, ktrace[j] if
						      j < len(ktrace) else "?",
						      a, b))
					break
	return diffs + counter_diffs(sim, ker)


def watch_resends(path, oargs):
	"""@oargs with --timeout-ms long enough for iptsim's resends."""
	sim = load_json(path, "iptsim output", allow_empty=True)
	last = 0
	for p in (sim or {}).get("packets") or []:
		ms = p.get("resent_ms")
		if isinstance(ms, int) and ms > last:
			last = ms
	out = list(oargs)
	if last == 0:
		return out
	need = last + 1500
	for i, a in enumerate(out):
		if a == "--timeout-ms" and i + 1 < len(out):
			try:
				if int(out[i + 1]) < need:
					out[i + 1] = str(need)
			except ValueError:
				pass
			return out
	return out + ["--timeout-ms", str(need)]


def main(argv):
	if argv and argv[0] == "--iptsim-args":
		print(" ".join(iptsim_args(argv[1:])))
		return 0
	if len(argv) >= 2 and argv[0] == "--watch-resends":
		print(" ".join(watch_resends(argv[1], argv[2:])))
		return 0
	undetermined_ok = False
	tuples = True
	rc = None
	pos = []
	i = 0
	while i < len(argv):
		a = argv[i]
		if a == "--undetermined-ok":
			undetermined_ok = True
		elif a == "--no-tuples":
			tuples = False
		elif a == "--rc" and i + 1 < len(argv):
			i += 1
			try:
				rc = int(argv[i])
			except ValueError:
				sys.stderr.write("compare.py: bad --rc '%s'\n" %
						 argv[i])
				return 2
		elif a in ("-h", "--help"):
			print(__doc__.strip())
			return 0
		else:
			pos.append(a)
		i += 1
	if len(pos) != 2:
		sys.stderr.write("usage: compare.py [--undetermined-ok] "
				 "[--no-tuples] [--rc N] IPTSIM_JSON "
				 "ORACLE_JSON\n")
		return 2
	sim = load_json(pos[0], "iptsim output", allow_empty=True)
	ker = load_json(pos[1], "oracle output")
	if sim is None and rc is None:
		rc = 2
	diffs = compare(sim, rc, ker, undetermined_ok, tuples)
	if diffs:
		for d in diffs:
			print(d)
		return 1
	print("agree")
	return 0


if __name__ == "__main__":
	sys.exit(main(sys.argv[1:]))
