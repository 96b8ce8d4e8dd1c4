#!/usr/bin/env bash
# exposure_shape.sh - service rows of one shape (kube-proxy's cluster IPs:
# their KUBE-SVC and KUBE-SEP chains alike rule for rule but for the
# addresses) share one walk, each row's answer rebuilt from its group's
# first row's: on a kube-proxy-like file of 300 services the run makes
# a third of its cells fewer simulations (the JSON `simulations`
# and `shared` say so), and every class, row, cell and note, the text
# and SARIF outputs after their first line, and the exit code are those
# of one simulation a cell on one thread (--no-share --threads 1). The
# walk is refused, and the answers still equal, where two rows of a shape
# are told apart or cannot be proven alike: a filter OUTPUT rule that
# refuses one service's endpoint by address (that service closed from lo
# beside open ones of its shape), one that refuses an endpoint port (every
# service of that port closed, the others open), a raw rule dropping
# every other NodePort, or every other load-balancer address of a
# 1,000-service file, every other health-check port (those rows alone
# decided by it), a DNAT of marked packets amid KUBE-NODEPORTS (the KUBE-XLB
# NodePorts before it, whose walks come back to the chain marked, sent on;
# those after it not), a u32 match (no walk
# shared at all), services of one shape but one more endpoint (a file
# written here), and --max-total-visits running out mid-table at several
# budgets. Needs python3.
set -euo pipefail

iptsim=$1
srcdir=$2
# shellcheck source=tests/e2e/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
e2e_need python3
e2e_tmpdir
python3 "$srcdir/bench/gen_kube.py" -s 300 -o "$tmp/kube.rules"
python3 "$srcdir/bench/gen_kube.py" -s 1000 -o "$tmp/kube1000.rules"

python3 - "$iptsim" "$tmp" <<'PY'
import json, os, re, subprocess, sys

iptsim, tmp = sys.argv[1], sys.argv[2]
kube = os.path.join(tmp, "kube.rules")
host = ["--iface", "eth0=192.0.2.10/24", "--iface", "eth1=10.0.0.10/24",
        "--route", "default via 192.0.2.1 dev eth0"]
fail = 0

def run(rules, extra, fmt="json"):
    p = subprocess.run([iptsim, "exposure", rules, "--format", fmt] + host +
                       extra, capture_output=True, text=True)
    return p

def compare(rules, extra=()):
    """The shared run against --no-share --threads 1: returns its JSON."""
    global fail
    extra = list(extra)
    docs = {}
    for fmt in ("json", "text", "sarif"):
        a = run(rules, extra, fmt)
        b = run(rules, extra + ["--no-share", "--threads", "1"], fmt)
        if a.returncode != b.returncode or a.returncode not in (0, 3):
            print("FAIL %s %s %s: exit %d and %d alone: %s" %
                  (rules, extra, fmt, a.returncode, b.returncode,
                   a.stderr.strip()))
            fail += 1
            return None
        if fmt == "json":
            x, y = json.loads(a.stdout), json.loads(b.stdout)
            for key in ("classes", "rows", "cells", "notes",
                        "rows_complete", "file"):
                if x[key] != y[key]:
                    bad = [(c, d) for c, d in zip(x["cells"], y["cells"])
                           if c != d][:1]
                    print("FAIL %s %s: %s differ %s" % (rules, extra, key,
                                                       bad))
                    fail += 1
            if y["shared"] or y["as_other_class"]:
                print("FAIL %s: --no-share shares" % rules)
                fail += 1
            docs = x
        elif a.stdout.split("\n", 1)[1:] != b.stdout.split("\n", 1)[1:]:
            print("FAIL %s %s: %s output differs" % (rules, extra, fmt))
            fail += 1
    return docs

def lo_cells(d):
    return {c["row"]: c["state"] for c in d["cells"]
            if c["class"] == "lo" and c["row"].startswith("10.")}

# sharing taken
d = compare(kube)
if d and not 3 * d["shared"] > len(d["cells"]):
    print("FAIL %s: %d simulations, %d shared for %d cells (a walk a shape "
          "should answer most)" % (kube, d["simulations"], d["shared"],
                                   len(d["cells"])))
    fail += 1
if d:
    print("%s: %d simulations, %d shared, %d cells" %
          (os.path.basename(kube), d["simulations"], d["shared"],
           len(d["cells"])))
base = d

# the threads do not change it
if d:
    t1 = json.loads(run(kube, ["--threads", "1"]).stdout)
    if t1 != d:
        print("FAIL %s: one thread answers otherwise" % kube)
        fail += 1

text = open(kube).read()
lines = text.split("\n")

# filter's health-check ports (KUBE-NODEPORTS' ACCEPT rules)
health = {int(l.split("--dport ")[1].split()[0]) for l in lines
          if "health check node port" in l and l.endswith("-j ACCEPT")}

def with_output_rule(name, rule):
    out, done, seen = [], False, False
    for l in lines:
        if l == "*filter":
            seen = True
        if seen and not done and l.startswith("-A OUTPUT"):
            out.append(rule)
            done = True
        out.append(l)
    assert done
    path = os.path.join(tmp, "kube-%s.rules" % name)
    with open(path, "w") as f:
        f.write("\n".join(out))
    return path

# the endpoints of each service's chain, and its cluster IP row
svc_eps, svc_row = {}, {}
for l in lines:
    w = l.split()
    if len(w) > 2 and w[0] == "-A" and w[1].startswith("KUBE-SVC-") and \
            w[-1].startswith("KUBE-SEP-"):
        svc_eps.setdefault(w[1], []).append(w[-1])
    if l.startswith("-A KUBE-SERVICES -d 10.") and "KUBE-SVC-" in l:
        proto = w[w.index("-p") + 1]
        svc_row[w[-1]] = "%s:%s/%s" % (w[3].split("/")[0],
                                       w[w.index("--dport") + 1], proto)
dnat = {}
for l in lines:
    w = l.split()
    if len(w) > 2 and w[0] == "-A" and w[1].startswith("KUBE-SEP-") and \
            "--to-destination" in w:
        dnat[w[1]] = w[w.index("--to-destination") + 1]
# a tcp service of one endpoint whose endpoint address no other
# service uses, past the first two of its port: its row shares a walk
tcp_one = [s for s in sorted(svc_eps) if len(svc_eps[s]) == 1 and
           s in svc_row and svc_row[s].endswith("/tcp")]
counts = {}
for s in svc_eps:
    for sep in svc_eps[s]:
        counts[dnat[sep].split(":")[0]] = \
            counts.get(dnat[sep].split(":")[0], 0) + 1
told = [s for s in tcp_one if counts[dnat[svc_eps[s][0]].split(":")[0]] == 1]
target = told[len(told) // 2]
ep = dnat[svc_eps[target][0]]
ip, port = ep.split(":")

# told apart by address: that service closed from lo, others open
path = with_output_rule("addr", "-A OUTPUT -d %s/32 -p tcp -m tcp --dport "
                        "%s -j REJECT --reject-with tcp-reset" % (ip, port))
d = compare(path)
if d:
    lo = lo_cells(d)
    if lo.get(svc_row[target]) != "closed" or \
            "open" not in lo.values() or d["shared"] <= 0:
        print("FAIL %s: %s is %s from lo (the rule refuses it), %d shared" %
              (path, svc_row[target], lo.get(svc_row[target]), d["shared"]))
        fail += 1

# told apart by port: every service of that endpoint port closed from lo
path = with_output_rule("port", "-A OUTPUT -p tcp -m tcp --dport %s -j "
                        "REJECT --reject-with tcp-reset" % port)
d = compare(path)
if d:
    lo = lo_cells(d)
    same = [svc_row[s] for s in svc_row
            if all(dnat[x].endswith(":" + port) for x in svc_eps.get(s, []))
            and svc_eps.get(s) and svc_row[s].endswith("/tcp")]
    if any(lo.get(r) != "closed" for r in same) or "open" not in \
            lo.values():
        print("FAIL %s: services of endpoint port %s not all closed" %
              (path, port))
        fail += 1

def told_apart(what, src, rows, rule, cls):
    """Every other row of @rows dropped by its own raw rule (@rule of the
    row): each such row decided by it, the others by what decided them
    before, answered as --no-share answers them."""
    global fail
    if len(rows) < 10:
        print("FAIL %s: %d %s rows" % (src, len(rows), what))
        fail += 1
        return
    text = open(src).read()
    told = rows[::2]
    raw = ["*raw", ":PREROUTING ACCEPT [0:0]", ":OUTPUT ACCEPT [0:0]"]
    first = len(text.rstrip("\n").split("\n")) + 4
    raw += [rule(r) for r in told]
    path = os.path.join(tmp, "kube-%s.rules" % what.replace(" ", "-"))
    with open(path, "w") as f:
        f.write(text.rstrip("\n") + "\n" + "\n".join(raw) + "\nCOMMIT\n")
    d = compare(path)
    if not d:
        return
    by = {c["row"]: (c["decided_by"] or {}).get("line")
          for c in d["cells"] if c["class"] == cls}
    want = {r["label"]: first + i for i, r in enumerate(told)}
    bad = [r["label"] for r in rows
           if by[r["label"]] != want.get(r["label"]) and
           (r["label"] in want or (by[r["label"]] or 0) >= first)]
    if bad or d["shared"] <= 0:
        print("FAIL %s: %s rows decided otherwise: %s" %
              (path, what, [(r, by[r], want.get(r)) for r in bad[:3]]))
        fail += 1

# NodePort rows told apart by their ports: a raw rule drops every other
# one (in the order of their rows), each such row decided by its own rule;
# filter's health-check rows (a port of KUBE-NODEPORTS' ACCEPT rules) alike
def dport_drop(r):
    return "-A PREROUTING -p tcp -m tcp --dport %d -j DROP" % r["port"]

if base:
    told_apart("NodePort", kube,
               [r for r in base["rows"] if not r["dst"] and
                "dnat" in r["origins"] and r["proto"] == "tcp"],
               dport_drop, "eth0:link")
    told_apart("health-check", kube,
               [r for r in base["rows"] if not r["dst"] and
                r["origins"] == ["filter"] and r["proto"] == "tcp" and
                r["port"] in health],
               dport_drop, "eth0:link")

# load-balancer rows told apart by their addresses: a raw OUTPUT rule
# drops every other one's lo connection, each decided by its own rule
# (on 1,000 services: the 300 hold no three of one shape)
kube1000 = os.path.join(tmp, "kube1000.rules")
lbdoc = compare(kube1000)
if lbdoc:
    told_apart("load-balancer", kube1000,
               [r for r in lbdoc["rows"] if r["dst"] and
                r["dst"].startswith("198.18.")],
               lambda r: "-A OUTPUT -d %s/32 -p %s -m %s --dport %d -j DROP" %
               (r["dst"], r["proto"], r["proto"], r["port"]), "lo")

# a walk that comes back to nat KUBE-NODEPORTS past its entry (the
# KUBE-XLB NodePorts: KUBE-MARK-DROP returns) meets the rest of the chain
# after its own chains: a DNAT of the marked packets in the middle of the
# chain takes the XLB rows before it (their walks come back marked) and
# not those after it (they passed it unmarked), answered as --no-share
np_at = [i for i, l in enumerate(lines) if l.startswith("-A KUBE-NODEPORTS")
         and "KUBE-XLB-" in l]
if len(np_at) >= 10:
    mid = np_at[len(np_at) // 2]
    out = lines[:mid] + ["-A KUBE-NODEPORTS -p tcp -m mark --mark "
                         "0x8000/0x8000 -j DNAT --to-destination "
                         "10.9.9.9:80"] + lines[mid:]
    path = os.path.join(tmp, "kube-xlbmark.rules")
    with open(path, "w") as f:
        f.write("\n".join(out))
    d = compare(path)
    xlb = {"%s/tcp" % lines[i].split("--dport ")[1].split()[0]: i < mid
           for i in np_at if " -p tcp " in lines[i]}
    if d and base:
        # what the cell says, not its rule's line (the new rule moved
        # the lines after it)
        def said(c):
            return (c["state"], c["outcome"], c["path"], c["to"],
                    re.sub(r"\S+\.rules:\d+", "", c["why"]))
        was = {(c["row"], c["class"]): said(c) for c in base["cells"]}
        moved = {c["row"]: said(c) != was[(c["row"], c["class"])]
                 for c in d["cells"] if c["class"] == "eth0:link" and
                 c["row"] in xlb}
        # (an XLB chain with a local endpoint DNATs: never marked)
        if any(moved[r] and not xlb[r] for r in moved) or \
                sum(moved.values()) < 3:
            print("FAIL %s: XLB rows changed %s, before the DNAT %s" %
                  (path, sorted(r for r in moved if moved[r]),
                   sorted(r for r in xlb if xlb[r])))
            fail += 1
else:
    print("FAIL %s: %d KUBE-XLB NodePort rules" % (kube, len(np_at)))
    fail += 1

# an unmodelled match: no walk shared
path = with_output_rule("u32", '-A OUTPUT -p tcp -m u32 --u32 '
                        '"0>>22&0x3C@0>>16=0x%04x" -j DROP' % int(port))
d = compare(path)
if d and d["shared"]:
    print("FAIL %s: a u32 match, yet %d cells shared" % (path, d["shared"]))
    fail += 1

# budgets running out mid-table
if base:
    parts = 0
    for budget in (50, 5000, 60000, 150000, 400000):
        d = compare(kube, ["--max-total-visits", str(budget)])
        if d:
            und = sum(c["state"] == "undetermined" for c in d["cells"])
            if 0 < und < len(d["cells"]):
                parts += 1
    if not parts:
        print("FAIL: no budget left part of the table answered")
        fail += 1

# one shape but one more endpoint: the fifth service has three
rules = ["*nat", ":PREROUTING ACCEPT [0:0]", ":INPUT ACCEPT [0:0]",
         ":OUTPUT ACCEPT [0:0]", ":POSTROUTING ACCEPT [0:0]",
         ":KUBE-SERVICES - [0:0]", ":KUBE-MARK-MASQ - [0:0]"]
body = ["-A PREROUTING -j KUBE-SERVICES", "-A OUTPUT -j KUBE-SERVICES",
        "-A KUBE-MARK-MASQ -j MARK --set-xmark 0x4000/0x4000"]
for i in range(1, 7):
    n = 3 if i == 5 else 2
    svc = "KUBE-SVC-S%d" % i
    rules.append(":%s - [0:0]" % svc)
    body.append("-A KUBE-SERVICES -d 10.96.0.%d/32 -p tcp -m tcp --dport 80 "
                "-j %s" % (i, svc))
    for j in range(n):
        sep = "KUBE-SEP-S%dE%d" % (i, j)
        rules.append(":%s - [0:0]" % sep)
        if j < n - 1:
            body.append("-A %s -m statistic --mode random --probability "
                        "%.11f -j %s" % (svc, 1.0 / (n - j), sep))
        else:
            body.append("-A %s -j %s" % (svc, sep))
        body.append("-A %s -s 10.244.%d.%d/32 -j KUBE-MARK-MASQ" %
                    (sep, i, j + 1))
        body.append("-A %s -p tcp -m tcp -j DNAT --to-destination "
                    "10.244.%d.%d:8080" % (sep, i, j + 1))
text = "\n".join(rules + body + [
    "COMMIT", "*filter", ":INPUT ACCEPT [0:0]", ":FORWARD ACCEPT [0:0]",
    ":OUTPUT ACCEPT [0:0]",
    "-A OUTPUT -d 10.244.5.3/32 -p tcp -j REJECT --reject-with "
    "tcp-reset",
    "COMMIT", ""])
path = os.path.join(tmp, "endpoints.rules")
with open(path, "w") as f:
    f.write(text)
d = compare(path)
if d:
    lo = lo_cells(d)
    if d["shared"] <= 0 or lo.get("10.96.0.6:80/tcp") != "open":
        print("FAIL %s: %d shared, 10.96.0.6:80/tcp %s from lo" %
              (path, d["shared"], lo.get("10.96.0.6:80/tcp")))
        fail += 1
    for b in (20, 60, 120):
        compare(path, ["--max-total-visits", str(b)])
# health-check rows (filter KUBE-NODEPORTS: a port table of ACCEPTs)
# share a walk past their first two; a rule of the client's port 40000
# in the chain (an answer could match it) shares none
def health_file(name, extra):
    body = ["*nat", ":PREROUTING ACCEPT [0:0]", ":INPUT ACCEPT [0:0]",
            ":OUTPUT ACCEPT [0:0]", ":POSTROUTING ACCEPT [0:0]", "COMMIT",
            "*filter", ":INPUT DROP [0:0]", ":FORWARD ACCEPT [0:0]",
            ":OUTPUT ACCEPT [0:0]", ":KUBE-NODEPORTS - [0:0]",
            "-A INPUT -j KUBE-NODEPORTS"]
    body += ["-A KUBE-NODEPORTS -p tcp -m tcp --dport %d -j ACCEPT" %
             (10000 + i) for i in range(8)] + extra
    path = os.path.join(tmp, "health-%s.rules" % name)
    with open(path, "w") as f:
        f.write("\n".join(body + ["COMMIT", ""]))
    return path

d = compare(health_file("share", []))
if d and d["shared"] < 6 * 5:
    print("FAIL health-share: %d shared for %d cells" %
          (d["shared"], len(d["cells"])))
    fail += 1
d = compare(health_file("client", ["-A KUBE-NODEPORTS -p tcp -m tcp "
                                   "--dport 40000 -j DROP"]))
if d and d["shared"]:
    print("FAIL health-client: %d shared" % d["shared"])
    fail += 1
print("%d differences" % fail)
sys.exit(1 if fail else 0)
PY
