#!/usr/bin/env bash
# SARIF 2.1.0 output of `check`, `lint`, `diff` and `exposure`: the fields the OASIS spec makes
# required (sarifLog.version and runs, run.tool.driver.name, result.message
# .text, reportingDescriptor.id, ...) and the ones code-scanning services
# need (ruleId naming a rule of driver.rules, physical locations with a
# 1-based line and column), on files with findings, with load errors and
# with nothing to say. Needs python3.
set -euo pipefail

iptsim=$1
srcdir=$2
# shellcheck source=tests/e2e/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
e2e_need python3
cd "$srcdir/tests/e2e/lint"

check() {
	local want_results=$1 want_rc=$2
	shift 2
	local out rc=0
	out=$(mktemp)
	"$iptsim" "$@" > "$out" 2> /dev/null || rc=$?
	if [ "$rc" != "$want_rc" ]; then
		echo "FAIL iptsim $*: exit code $rc, expected $want_rc"
		rm -f "$out"
		return 1
	fi
	if ! python3 - "$out" "$want_results" "$*" <<'PY'; then
import json, sys

path, want, what = sys.argv[1], sys.argv[2], sys.argv[3]
errors = []

def need(cond, msg):
    if not cond:
        errors.append(msg)

def text_message(m, where):
    need(isinstance(m, dict) and isinstance(m.get("text"), str) and m["text"],
         where + ": message.text must be a non-empty string")

def location(loc, where):
    pl = loc.get("physicalLocation")
    need(isinstance(pl, dict), where + ": physicalLocation missing")
    if not isinstance(pl, dict):
        return
    al = pl.get("artifactLocation")
    need(isinstance(al, dict) and isinstance(al.get("uri"), str) and al["uri"],
         where + ": artifactLocation.uri missing")
    reg = pl.get("region")
    need(isinstance(reg, dict), where + ": region missing")
    if isinstance(reg, dict):
        sl, sc, ec = reg.get("startLine"), reg.get("startColumn"), reg.get("endColumn")
        need(isinstance(sl, int) and sl >= 1, where + ": startLine must be >= 1")
        need(isinstance(sc, int) and sc >= 1, where + ": startColumn must be >= 1")
        need(isinstance(ec, int) and ec > sc, where + ": endColumn must follow startColumn")

with open(path, encoding="utf-8") as f:
    log = json.load(f)
need(log.get("version") == "2.1.0", "version must be \"2.1.0\"")
need(isinstance(log.get("$schema"), str) and "sarif" in log["$schema"], "$schema missing")
runs = log.get("runs")
need(isinstance(runs, list) and len(runs) == 1, "runs must be an array of one run")
run = runs[0] if isinstance(runs, list) and runs else {}
driver = run.get("tool", {}).get("driver", {})
need(driver.get("name") == "iptsim", "tool.driver.name must be iptsim")
need(isinstance(driver.get("version"), str) and driver["version"], "tool.driver.version missing")
need(str(driver.get("informationUri", "")).startswith("https://"), "informationUri must be an absolute URI")
rules = driver.get("rules")
need(isinstance(rules, list) and rules, "tool.driver.rules missing")
ids = set()
for i, r in enumerate(rules or []):
    where = "rules[%d]" % i
    need(isinstance(r.get("id"), str) and r["id"], where + ": id missing")
    need(r.get("id") not in ids, where + ": duplicate id")
    ids.add(r.get("id"))
    for k in ("shortDescription", "fullDescription", "help"):
        text_message(r.get(k), where + "." + k)
for n in range(1, 11):
    need("IPT%03d" % n in ids, "rules must list IPT%03d" % n)
results = run.get("results")
need(isinstance(results, list), "results must be an array")
for i, res in enumerate(results or []):
    where = "results[%d]" % i
    need(res.get("ruleId") in ids, where + ": ruleId %r names no rule" % res.get("ruleId"))
    need(res.get("level") in ("error", "warning", "note"), where + ": bad level")
    text_message(res.get("message"), where)
    locs = res.get("locations")
    need(isinstance(locs, list) and len(locs) == 1, where + ": one location expected")
    for loc in locs or []:
        location(loc, where + ".locations")
    for j, loc in enumerate(res.get("relatedLocations", [])):
        text_message(loc.get("message"), where + ".relatedLocations[%d]" % j)
        location(loc, where + ".relatedLocations[%d]" % j)
codes = sorted({r.get("ruleId") for r in results or []})
if want == "none":
    need(not results, "expected no results, got %d" % len(results or []))
else:
    for w in want.split(","):
        need(w in codes, "expected a result with ruleId " + w + ", got " + ",".join(codes))
for e in errors:
    print("FAIL iptsim %s: %s" % (what, e))
sys.exit(1 if errors else 0)
PY
		rm -f "$out"
		return 1
	fi
	rm -f "$out"
}

fail=0
all=IPT001,IPT002,IPT003,IPT004,IPT005,IPT006,IPT007,IPT008,IPT009,IPT010,IPT011
check "$all" 1 lint --format sarif all-codes.rules || fail=1
check "$all" 0 check --lint --format sarif all-codes.rules || fail=1
check none 0 lint --format sarif clean.rules || fail=1
check none 0 check --format sarif clean.rules || fail=1
check iptsim/error 1 check --format sarif broken.rules || fail=1
check IPT008 1 lint --format sarif --ignore IPT001 suppressed.rules || fail=1
# lint --ipsets: the set findings, IPT013 at the ipsets file's create line
check IPT012,IPT013,IPT014 1 lint --ipsets ipset.ipsets --format sarif \
	ipset.rules || fail=1
# a pair, one file of each family: IPT015 at the IPv6 policy, IPT016 for
# port 3000 (refused on IPv4, dropped on IPv6)
check IPT009,IPT015,IPT016 1 lint --format sarif ../../../rulesets/dualstack.v4 \
	../../../rulesets/dualstack.v6 || fail=1
# a file that does not load: the document carries its errors (exit 2)
check iptsim/error 2 lint --format sarif broken.rules || fail=1
# iptsim diff: each change a result at the rule responsible in NEW
cd "$srcdir/tests/e2e/diff"
check iptsim/diff 1 diff --format sarif sarif.rules sarif.new --uid 0 || fail=1
check none 0 diff --format sarif identical.rules identical.new || fail=1
check iptsim/error 2 diff --format sarif bad-new.rules bad-new.new || fail=1
# iptsim exposure: each cell open from the internet a result at its rule
cd "$srcdir/rulesets"
check iptsim/exposure 0 exposure --format sarif home-router.rules \
	--host home-router.d || fail=1
check none 0 exposure --format sarif home-router.rules \
	--host home-router.d --from eth1:link || fail=1
if [ "$fail" != 0 ]; then
	exit 1
fi
echo "sarif: 12 cases passed"
