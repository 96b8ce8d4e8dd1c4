#!/usr/bin/env bash
# exposure_trace.sh - every cell of `iptsim exposure --format json` is what
# `iptsim trace` answers for the same connection (the class's --in and
# --src, the cell's --dst, the row's --dport and --proto): its outcome, its
# path, and the FILE:LINE of the entry that decided it (trace's
# decided_by, else let_through_by for an open cell). On docker-host and
# home-router with their host directories, every class; on router6.d,
# its IPv6 file alone and as a pair's (the IPv6 rows traced on the IPv6
# file, from the class's src6), and IPv6 source classes (v6-split). Needs python3.
set -euo pipefail

iptsim=$1
srcdir=$2
# shellcheck source=tests/e2e/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
e2e_need python3
cd "$srcdir/rulesets"

python3 - "$iptsim" <<'PY'
import json, subprocess, sys

iptsim = sys.argv[1]
# (files, host): a pair's IPv6 rows are traced on its second file
cases = [(["docker-host.rules"], "docker-host.d"),
         (["home-router.rules"], "home-router.d"),
         (["router6.v6"], "router6.d"),
         (["../tests/e2e/exposure/dual.rules", "router6.v6"], "router6.d"),
         (["../tests/e2e/exposure/v6-split.rules"], "router6.d")]
fail = checked = 0
for files, host in cases:
    rules = files[0]
    p = subprocess.run([iptsim, "exposure"] + files + ["--host", host,
                        "--format", "json"], capture_output=True, text=True)
    if p.returncode not in (0, 3):
        print("FAIL exposure %s: exit %d: %s" % (rules, p.returncode, p.stderr))
        fail += 1
        continue
    doc = json.loads(p.stdout)
    classes = {c["name"]: c for c in doc["classes"]}
    rows = {r["label"]: r for r in doc["rows"]}
    for cell in doc["cells"]:
        c, r = classes[cell["class"]], rows[cell["row"]]
        v6 = r["family"] == "ipv6"
        if cell["dst"] is None:
            continue  # not simulated: the cell says why
        args = [iptsim, "trace", files[-1] if v6 else rules, "--host", host,
                "--format", "json", "--proto", r["proto"],
                "--dport", str(r["port"]),
                "--src", c["src6"] if v6 else c["src"], "--dst", cell["dst"]]
        if c["in"]:
            args += ["--in", c["in"]]
        t = subprocess.run(args, capture_output=True, text=True)
        what = "%s %s %s" % (" ".join(files), cell["row"], cell["class"])
        if t.returncode == 2:
            print("FAIL %s: trace exits 2: %s" % (what, t.stderr.strip()))
            fail += 1
            continue
        tr = json.loads(t.stdout)
        src = tr["decided_by"] or (tr["let_through_by"]
                                   if cell["state"] == "open" else None)
        want_at = src["source"] if src else None
        got = cell["decided_by"]
        got_at = "%s:%d" % (got["file"], got["line"]) if got else None
        problems = []
        if tr["outcome"] != cell["outcome"]:
            problems.append("outcome %s, trace %s" % (cell["outcome"],
                                                      tr["outcome"]))
        if tr["path"] != cell["path"]:
            problems.append("path %s, trace %s" % (cell["path"], tr["path"]))
        if want_at != got_at:
            problems.append("decided at %s, trace %s" % (got_at, want_at))
        checked += 1
        if problems:
            print("FAIL %s: %s" % (what, "; ".join(problems)))
            fail += 1
print("exposure_trace: %d cells checked against trace, %d differ"
      % (checked, fail))
sys.exit(1 if fail or not checked else 0)
PY
