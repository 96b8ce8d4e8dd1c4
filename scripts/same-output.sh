#!/usr/bin/env bash
# same-output.sh - two iptsim binaries give the same bytes: for a fixed
# list of commands (every output format of check, lint, trace, query,
# test and diff) over every file of rulesets/, tests/corpus/*/ and the
# shared corpus, compares stdout, stderr and the exit code of BASE and
# NEW, and prints each command whose results differ. For a change that
# must not change behaviour (a refactoring of the writers, say): build
# the commit before it in one directory and the change in another.
#
#   same-output.sh BASE_IPTSIM NEW_IPTSIM [SRCDIR [SHAREDDIR]]
#
# SRCDIR defaults to the tree holding this script, SHAREDDIR to
# SRCDIR/../shared (skipped, and said so, when it has no corpus/).
# Exit 0 when every result is the same, 1 when one differs, 2 on usage.
set -euo pipefail

if [ $# -lt 2 ] || [ $# -gt 4 ]; then
	echo "usage: same-output.sh BASE_IPTSIM NEW_IPTSIM [SRCDIR [SHAREDDIR]]" >&2
	exit 2
fi
base=$(realpath "$1")
new=$(realpath "$2")
srcdir=$(realpath "${3:-$(dirname "$0")/..}")
shared=${4:-$srcdir/../shared}
for b in "$base" "$new"; do
	if [ ! -x "$b" ]; then
		echo "same-output.sh: '$b' is not an executable" >&2
		exit 2
	fi
done

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# A spec and a batch of queries: every outcome, a bad line of each.
cat > "$tmp/spec" <<'EOF'
connected --dport 22
refused --dport 80 --uid 1000
timeout --dport 1060 --uid 1001
undetermined --dport 2000
delivered --proto udp --dport 53
connected --dport 443 --decided-by filter:INPUT:rule:1
connected --dport 25 --decided-by filter:INPUT:policy
conected --dport 1
timeout --dprt 1060
EOF
cat > "$tmp/queries" <<'EOF'
--dport 22
--dport 80 --uid 1000
--proto udp --dport 53
--dprt 1
--dport 2000 --src 127.0.0.1 --fresh
"--dport 1
--dport 8080 --conntrack ESTABLISHED
EOF

files=()
for f in "$srcdir"/rulesets/* "$srcdir"/tests/corpus/*/*; do
	[ -f "$f" ] && files+=("$f")
done
if [ -d "$shared/corpus" ]; then
	for f in "$shared"/corpus/*; do
		[ -f "$f" ] && files+=("$f")
	done
else
	echo "note: no $shared/corpus, the shared corpus is not compared"
fi

ncmds=0
ndiff=0

# run NAME ARG...: both binaries, stdin from $stdin, in $tmp.
run() {
	local name=$1 out
	shift
	for out in base new; do
		local bin=$base
		[ "$out" = new ] && bin=$new
		local rc=0
		(cd "$tmp" && timeout 120 "$bin" "$@" < "$stdin" \
			> "$tmp/$out.out" 2> "$tmp/$out.err") || rc=$?
		echo "$rc" > "$tmp/$out.rc"
	done
	ncmds=$((ncmds + 1))
	if ! cmp -s "$tmp/base.out" "$tmp/new.out" ||
	   ! cmp -s "$tmp/base.err" "$tmp/new.err" ||
	   ! cmp -s "$tmp/base.rc" "$tmp/new.rc"; then
		ndiff=$((ndiff + 1))
		echo "DIFFERENT: $name: iptsim $*"
		diff -u "$tmp/base.out" "$tmp/new.out" | head -20 || true
		diff -u "$tmp/base.err" "$tmp/new.err" | head -10 || true
		diff -u "$tmp/base.rc" "$tmp/new.rc" || true
	fi
}

prev=${files[${#files[@]} - 1]}
for f in "${files[@]}"; do
	stdin=/dev/null
	run check-json check --format json "$f"
	run check-lint-json check --lint --format json "$f"
	run check-sarif check --format sarif "$f"
	run check-text check "$f"
	run lint-json lint --format json "$f"
	run lint-sarif lint --format sarif "$f"
	run trace-json trace --format json "$f" --dport 22
	run trace-json-udp trace --format json "$f" --proto udp --dport 53
	run trace-json-kernel trace --format json --kernel-trace "$f" \
		--dport 2000 --uid 1001
	run trace-text trace "$f" --dport 2000
	run test-json test --format json "$f" "$tmp/spec"
	run test-junit test --format junit "$f" "$tmp/spec"
	run test-text test "$f" "$tmp/spec"
	run diff-json diff --format json "$prev" "$f"
	run diff-sarif diff --format sarif "$prev" "$f"
	run diff-text diff --undetermined "$prev" "$f"
	stdin=$tmp/queries
	run query query "$f"
	run query-brief query --brief "$f"
	run query-text query --format text "$f"
	prev=$f
done

echo "$ncmds commands over ${#files[@]} files: $ndiff different"
[ "$ndiff" -eq 0 ]
