#!/usr/bin/env bash
# exposure_budget.sh - `iptsim exposure --max-total-visits N` spends the
# run's rule visits as one simulation a cell would (--no-share --threads
# 1), in cell order, whether a cell's answer is its own walk, another
# row's (the same ports, or the same connection at a row's address) or
# another class's (a class the row's rules do not split out): every cell
# charges the visits of the walk it answers by, so a budget running out
# mid-table leaves the same cells undetermined, the one that met the
# rest of it with the same answer, both ways. Checked on the samples
# whose tables share most (office-db, docker-host), on tests/e2e/exposure
# files, and on a kube-proxy-like file of 40 services, at budgets from
# one visit to past the whole table's: the JSON cells equal, and some
# budget of each file leaves part of the table answered, part not.
# Needs python3.
set -euo pipefail

iptsim=$1
srcdir=$2
# shellcheck source=tests/e2e/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
e2e_need python3
e2e_tmpdir
python3 "$srcdir/bench/gen_kube.py" -s 40 -o "$tmp/kube.rules"
cd "$srcdir/rulesets"

python3 - "$iptsim" "$tmp/kube.rules" <<'PY'
import json, subprocess, sys

iptsim, kube = sys.argv[1], sys.argv[2]
plain = ["--iface", "eth0=192.0.2.10/24", "--iface", "eth1=10.0.0.10/24",
         "--route", "default via 192.0.2.1 dev eth0"]
e2e = "../tests/e2e/exposure/"
cases = [("office-db.rules", ["--host", "office-db.d"]),
         ("docker-host.rules", ["--host", "docker-host.d"]),
         (e2e + "lo-addr.rules", ["--iface", "eth0=192.0.2.10/24",
                                  "--iface", "eth0=192.0.2.11/24"]),
         (e2e + "bounds.rules", ["--iface", "eth0=192.0.2.10/24"]),
         (e2e + "dual.rules", ["router6.v6", "--host", "router6.d"]),
         (e2e + "v6-second.rules", ["--host", e2e + "v6-second.d"]),
         (kube, plain)]
SPENT = "the run's rule visits are spent"

def run(rules, host, extra):
    p = subprocess.run([iptsim, "exposure", rules, "--format", "json"] +
                       host + extra, capture_output=True, text=True)
    if p.returncode not in (0, 3):
        sys.exit("FAIL %s %s: exit %d: %s" % (rules, extra, p.returncode,
                                              p.stderr.strip()))
    return json.loads(p.stdout)

fail = compared = 0
for rules, host in cases:
    partial = False
    budget = 1
    while True:
        a = run(rules, host, ["--max-total-visits", str(budget)])
        b = run(rules, host, ["--max-total-visits", str(budget),
                              "--no-share", "--threads", "1"])
        compared += 1
        cut = sum(1 for c in b["cells"] if SPENT in (c["why"] or ""))
        if cut and cut < len(b["cells"]) - 1:
            partial = True
        if a["cells"] != b["cells"] or a["rows"] != b["rows"] or \
                a["classes"] != b["classes"]:
            diff = [(x["row"], x["class"], x["state"], y["state"])
                    for x, y in zip(a["cells"], b["cells"]) if x != y]
            print("FAIL %s --max-total-visits %d: shared and alone differ: "
                  "%s" % (rules, budget, diff[:4]))
            fail += 1
        if not cut:
            break
        budget = budget * 3 // 2 + 1
    if not partial:
        print("FAIL %s: no budget left part of the table answered" % rules)
        fail += 1
    # the last budget spent nothing short: the sharing was taken
    if a["shared"] + a["as_other_class"] == 0 and rules != kube:
        print("FAIL %s: no answer shared" % rules)
        fail += 1
print("%d files, %d budgets compared, %d differences" %
      (len(cases), compared, fail))
sys.exit(1 if fail else 0)
PY
