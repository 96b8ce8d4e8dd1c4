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
# (bench/gen_kube.py). Needs python3.
set -euo pipefail

iptsim=$1
srcdir=$2
if ! command -v python3 > /dev/null; then
	echo "SKIP: python3 is not installed"
	exit 77
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
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
