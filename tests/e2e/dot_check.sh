#!/usr/bin/env bash
# dot_check.sh - the DOT of `graph` and `trace --format dot`:
#  - Graphviz parses it: `dot -Tsvg` on every case of e2e/graph and on
#    every e2e/trace/dot-* case (skipped, and said, without dot);
#  - the path drawn is trace's path: for each trace case (and a few more
#    questions), the bold edges of packet N, in the order written, give
#    table:chain (the node an edge enters, decoded from its id) and the
#    type:num steps of its label; together they must be the "trace" list
#    of packet N in `trace --format json`, in order. The node filled red
#    must be decided_by's chain, the one filled green let_through_by's;
#  - a path of more chain changes than the graph draws ends in one dashed
#    edge that says how many were left out.
# Needs python3.
set -euo pipefail

iptsim=$1
srcdir=$2
# shellcheck source=tests/e2e/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
e2e_need python3
cd "$srcdir/tests/e2e"
work=$(mktemp -d "${TMPDIR:-/tmp}/iptsim-dot.XXXXXX")
trap 'rm -rf "$work"' EXIT

pass=0
fail=0
ok() { pass=$((pass + 1)); echo "ok   $*"; }
bad() { fail=$((fail + 1)); echo "FAIL $*"; }

# run DIR ARGS...: iptsim ARGS in DIR, stdout to $work/out; the exit code
run() {
	local dir=$1 rc=0
	shift
	(cd "$dir" && "$iptsim" "$@" > "$work/out" 2> /dev/null) || rc=$?
	return $rc
}

# -- dot parses it ---------------------------------------------------------
if command -v dot > /dev/null; then
	for a in graph/*.args trace/dot-*.args; do
		read -r line < "$a"
		case $line in *--help*) continue ;; esac
		name=$(basename "$a" .args)
		line=${line//FILE/$name.rules}
		rc=0
		# shellcheck disable=SC2086
		run "$(dirname "$a")" $line || rc=$?
		# usage errors and files that do not load print no graph
		[ "$rc" != 0 ] && [ ! -s "$work/out" ] && continue
		if [ "$(grep -c '^digraph iptsim {$' "$work/out")" != 1 ]; then
			bad "$a: no graph"
		elif dot -Tsvg "$work/out" > "$work/svg" 2> "$work/dot.err" &&
			[ ! -s "$work/dot.err" ]; then
			ok "$a: dot -Tsvg parses it"
		else
			bad "$a: dot -Tsvg: $(head -3 "$work/dot.err")"
		fi
	done
else
	echo "SKIP: dot (graphviz) is not installed: DOT not parsed"
fi

# -- the path drawn is trace's path ------------------------------------------
compare() {
	local what=$1
	python3 - "$work/dot" "$work/json" "$what" <<'PY'
import json, re, sys

dot, js, what = sys.argv[1:4]
d = json.load(open(js))
edge = re.compile(r'^\t(\S+) -> (\S+) \[label="(\d+) ([^":]*)(?::([^"]*))?", '
                  r'color="[^"]*", fontcolor="[^"]*", penwidth=2\.5')
node = re.compile(r'^\t+(\S+) \[label=.*fillcolor="(#[0-9a-f]+)"')

def chain_of(nid):
    if nid.startswith("x_"):
        return None
    table, rest = nid.split("__", 1)
    return table + ":" + re.sub(r"_([0-9a-f]{2})",
                                lambda m: chr(int(m.group(1), 16)), rest)

drawn = {}
filled = {}
for line in open(dot, encoding="utf-8"):
    m = edge.match(line)
    if m:
        head, num, steps = m.group(2), int(m.group(3)), m.group(5)
        lst = drawn.setdefault(num, [])
        for s in (steps or "").split(","):
            s = s.strip()
            if not s:
                continue
            if not re.fullmatch(r"(rule|policy|return):\d+", s):
                sys.exit(f"{what}: packet {num}: step '{s}' is not type:num")
            if chain_of(head) is None:
                sys.exit(f"{what}: packet {num}: steps on an edge into {head}")
            lst.append(chain_of(head) + ":" + s)
        continue
    m = node.match(line)
    if m:
        filled[m.group(2)] = chain_of(m.group(1))

errors = []
if not any(p["trace"] for p in d["packets"]):
    errors.append("no packet has a path: nothing compared")
for i, p in enumerate(d["packets"], 1):
    if p.get("trace_truncated"):
        continue
    if drawn.get(i, []) != p["trace"]:
        errors.append(f"packet {i} {p['name']}: drawn {drawn.get(i)}, "
                      f"trace {p['trace']}")
def chain(e):
    return e["table"] + ":" + e["chain"] if e else None
if filled.get("#f5b7b1") != chain(d["decided_by"]):
    errors.append(f"red node {filled.get('#f5b7b1')}, decided_by "
                  f"{chain(d['decided_by'])}")
if not d["decided_by"] and d["outcome"] in ("connected", "delivered") and \
        filled.get("#abebc6") != chain(d["let_through_by"]):
    errors.append(f"green node {filled.get('#abebc6')}, let_through_by "
                  f"{chain(d['let_through_by'])}")
if errors:
    sys.exit(what + ": " + "; ".join(errors))
PY
}

# path DIR ARGS...: trace ARGS with --format dot and with --format json
path() {
	local dir=$1 rc=0 rj=0
	shift
	run "$dir" trace "$@" --format dot || rc=$?
	mv "$work/out" "$work/dot"
	run "$dir" trace "$@" --format json || rj=$?
	mv "$work/out" "$work/json"
	if [ "$rc" != "$rj" ]; then
		bad "trace $*: exit $rc with dot, $rj with json"
	elif msg=$(compare "trace $*" 2>&1); then
		ok "trace $*: the path drawn is the trace"
	else
		bad "$msg"
	fi
}

for a in trace/dot-*.args; do
	read -r line < "$a"
	case $line in *--kernel-trace*|*yaml*) continue ;; esac
	line=${line#trace }
	line=${line/--format dot/}
	# shellcheck disable=SC2086
	path trace $line
done
r=../../../rulesets
path trace $r/kube-proxy-nat.rules --dst 10.96.0.10 --local-addr 10.96.0.10 \
	--dport 53 --proto udp
path trace $r/server-rules.v4 --dport 8080 --no-listener
path trace $r/notrack.rules --dport 1060
path trace $r/home-router.rules --host $r/home-router.d --in eth1 \
	--src 10.0.1.50 --dst 192.0.2.10 --dport 22

# -- a long path: at most IPTS_DOT_MAX_LEGS chain changes drawn -------------
{
	printf '*filter\n:INPUT ACCEPT [0:0]\n:FORWARD ACCEPT [0:0]\n'
	printf ':OUTPUT ACCEPT [0:0]\n:HOP - [0:0]\n'
	for _ in $(seq 1 150); do printf -- '-A OUTPUT -j HOP\n'; done
	printf -- '-A HOP -j RETURN\nCOMMIT\n'
} > "$work/long.rules"
run "$work" trace long.rules --format dot || true
legs=$(grep -c '"1 SYN' "$work/out" || true)
if grep -q '"1 SYN: policy:1 (202 chain changes left out)".*style=dashed' \
	"$work/out" && [ "$legs" -le 102 ]; then
	ok "a path of 302 chains: $legs edges, the rest said"
else
	bad "a path of 302 chains: $legs edges, no 'left out' edge"
fi

# -- stable ids -------------------------------------------------------------
# Two versions of a file (one rule removed, three comment lines added,
# every line after them moved): the same node ids and the same edges.
shape() { sed -n 's/^\t*\([a-z_][A-Za-z0-9_]*\( -> [A-Za-z0-9_]*\)\?\) \[.*/\1/p' "$1"; }
run . graph ../../rulesets/docker-host.rules || true
shape "$work/out" > "$work/old"
run . graph ../../doc/examples/docker-host.new || true
shape "$work/out" > "$work/new"
if [ -s "$work/old" ] && cmp -s "$work/old" "$work/new"; then
	ok "graph of two versions: the same $(wc -l < "$work/old") ids and edges"
else
	bad "graph of two versions: ids or edges differ"
fi
# Names that an escape could confuse get ids of their own.
printf '*filter\n:INPUT ACCEPT [0:0]\n:FORWARD ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n' \
	> "$work/ids.rules"
printf -- '-N a-b\n-N a_2db\n-N a_b\n-N a__b\n' >> "$work/ids.rules"
printf -- '-A INPUT -j a-b\n-A INPUT -j a_2db\n-A INPUT -j a_b\n-A INPUT -j a__b\nCOMMIT\n' \
	>> "$work/ids.rules"
run "$work" graph ids.rules || true
n=$(shape "$work/out" | grep -c '^filter__a' || true)
if [ "$n" = 4 ] && [ "$(shape "$work/out" | grep '^filter__a' | sort -u | wc -l)" = 4 ]; then
	ok "chains a-b, a_2db, a_b, a__b: four ids"
else
	bad "chains a-b, a_2db, a_b, a__b: $n ids: $(shape "$work/out" | grep '^filter__a' | tr '\n' ' ')"
fi

echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
