#!/usr/bin/env bash
# exposure_share.sh - the answers `iptsim exposure` shares among rows no
# rule tells apart, the cells it answers as another class of the row
# (same_as: the rules on the row's path do not split that class out), and
# runs on two threads, are the answers of one simulation a cell on one
# thread (--no-share --threads 1, which still names the class a cell
# would be answered as): every class, row, cell and note of the JSON
# document equal; some cells of the samples are answered so. On every sample of
# rulesets/ (with its host directory when it has one, else one interface
# with a default route), on the rules of tests/e2e/exposure/, and on a
# kube-proxy-like file of 300 services
# (bench/gen_kube.py), and on three copies of it where a walk shared by
# rows of one shape would be wrong or unproven (a filter OUTPUT rule that
# refuses one service's endpoint; a u32 match; a string match): the
# first must show the service it tells apart closed beside open ones.
# Needs python3.
set -euo pipefail

iptsim=$1
srcdir=$2
# shellcheck source=tests/e2e/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
e2e_need python3
e2e_tmpdir
python3 "$srcdir/bench/gen_kube.py" -s 300 -o "$tmp/kube.rules"
cd "$srcdir/rulesets"

python3 - "$iptsim" "$tmp/kube.rules" <<'PY'
import glob, json, os, subprocess, sys

iptsim, kube = sys.argv[1], sys.argv[2]
plain = ["--iface", "eth0=192.0.2.10/24", "--iface", "eth1=10.0.0.10/24",
         "--route", "default via 192.0.2.1 dev eth0"]
cases = []
for rules in (sorted(glob.glob("*.rules")) + sorted(glob.glob("*.v4")) +
              sorted(glob.glob("../tests/e2e/exposure/*.rules"))):
    host = rules.rsplit(".", 1)[0] + ".d"
    cases.append((rules, ["--host", host] if os.path.isdir(host) else plain))
cases.append((kube, plain))
# Rows of one shape (kube-proxy services: their KUBE-SVC/KUBE-SEP chains
# alike rule for rule, up to the service's address, port and chain
# names) whose answers a rule outside their chains tells apart must not
# share a walk: filter OUTPUT refuses one service's endpoint by address
# and port; and a match that may read addresses or ports and is not
# modelled (u32, string) must turn any sharing of shapes off. Each file
# is checked like the others, and the first must still show the
# difference (TOLD below).
text = open(kube).read()
lines = text.split("\n")
# a service of one endpoint (the walk takes that one, no statistic)
seps = {}
for l in lines:
    w = l.split()
    if len(w) > 2 and w[0] == "-A" and w[1].startswith("KUBE-SVC-") and \
            w[-1].startswith("KUBE-SEP-"):
        seps.setdefault(w[1], []).append(w[-1])
one = sorted(v[0] for v in seps.values() if len(v) == 1)
told_ep = [l.split("--to-destination ")[1].split()[0] for l in lines
           if l.startswith("-A %s " % one[1]) and "-p tcp" in l and
           "--to-destination" in l][0]
told_ip, told_port = told_ep.split(":")
def with_output_rule(rule):
    out, done, seen = [], False, False
    for l in lines:
        if l == "*filter":
            seen = True
        if seen and not done and l.startswith("-A OUTPUT"):
            out.append(rule)
            done = True
        out.append(l)
    assert done
    return "\n".join(out)
told = os.path.join(os.path.dirname(kube), "kube-told.rules")
with open(told, "w") as f:
    f.write(with_output_rule("-A OUTPUT -d %s/32 -p tcp -m tcp --dport %s "
                             "-j REJECT --reject-with tcp-reset"
                             % (told_ip, told_port)))
cases.append((told, plain))
for name, rule in (("u32", '-A OUTPUT -p tcp -m u32 --u32 "0>>22&0x3C@0>>16=0x%04x" -j DROP'
                    % int(told_port)),
                   ("string", "-A OUTPUT -p tcp -m string --string %s "
                    "--algo bm -j DROP" % told_ip)):
    path = os.path.join(os.path.dirname(kube), "kube-%s.rules" % name)
    with open(path, "w") as f:
        f.write(with_output_rule(rule))
    cases.append((path, plain))
# a pair: its IPv6 rows' lo cells shared as the IPv4 ones
e2e = "../tests/e2e/exposure/"
cases.append((e2e + "pair.rules", [e2e + "pair.v6", "--host", e2e + "pair.d"]))
# a dual-stack host: the IPv6 rows' interface cells too, and an IPv6 file
# alone
cases.append((e2e + "dual.rules", ["router6.v6", "--host", "router6.d"]))
cases.append(("router6.v6", ["--host", "router6.d"]))
fail = cells = shared = same = 0
for rules, host in cases:
    docs = []
    for extra in ([], ["--no-share", "--threads", "1"]):
        p = subprocess.run([iptsim, "exposure", rules, "--format", "json"]
                           + host + extra, capture_output=True, text=True)
        if p.returncode not in (0, 3):
            print("FAIL %s %s: exit %d: %s" % (rules, extra, p.returncode,
                                              p.stderr.strip()))
            fail += 1
            break
        docs.append(json.loads(p.stdout))
    if len(docs) < 2:
        continue
    a, b = docs
    if rules == told:
        # the refused endpoint's service is closed from lo (the RST of
        # the rule), the other services of its shape open
        lo = [c for c in a["cells"] if c["class"] == "lo" and
              c["row"].startswith("10.") and "/tcp" in c["row"]]
        closed = [c for c in lo if c["state"] == "closed"]
        opened = [c for c in lo if c["state"] == "open"]
        if not closed or not opened:
            print("FAIL %s: %d lo cells of cluster IPs closed, %d open "
                  "(the OUTPUT rule should tell one service apart)"
                  % (rules, len(closed), len(opened)))
            fail += 1
    shared += a["shared"]
    same += a["as_other_class"]
    if b["as_other_class"] or b["shared"]:
        print("FAIL %s: --no-share shares" % rules)
        fail += 1
    if a["simulations"] > b["simulations"]:
        print("FAIL %s: %d simulations shared, %d alone"
              % (rules, a["simulations"], b["simulations"]))
        fail += 1
    for key in ("classes", "rows", "notes"):
        if a[key] != b[key]:
            print("FAIL %s: %s differ" % (rules, key))
            fail += 1
    for x, y in zip(a["cells"], b["cells"]):
        cells += 1
        if x != y:
            print("FAIL %s: %s %s: shared %s, alone %s"
                  % (rules, x["row"], x["class"], x, y))
            fail += 1
    if len(a["cells"]) != len(b["cells"]):
        print("FAIL %s: %d cells shared, %d alone"
              % (rules, len(a["cells"]), len(b["cells"])))
        fail += 1
print("%d files, %d cells compared (%d answers shared, %d as another "
      "class), %d differences" % (len(cases), cells, shared, same, fail))
sys.exit(1 if fail or not same else 0)
PY
