#!/bin/bash
# valgrind.sh - iptsim check, dump, graph and exposure under memcheck, on
# every ruleset and corpus file: no invalid read or write, no definite
# leak. Suppressions
# (tests/valgrind.supp) cover libxtables' own allocations only.
#
#   valgrind.sh IPTSIM SRCDIR [SHAREDDIR]
#
# Many files go through one process (check takes FILE...), so the suite
# pays valgrind's start-up and libxtables' loading a few times, not once a
# file. memcheck reports with exit 125, kept apart from iptsim's own exit
# codes (0 valid, 1 errors found).
set -euo pipefail

iptsim=$1
src=$2

if ! command -v valgrind >/dev/null 2>&1; then
	echo "SKIP: valgrind not installed"
	exit 77
fi

vg=(valgrind -q --error-exitcode=125 --leak-check=full
    --errors-for-leak-kinds=definite --num-callers=40
    --suppressions="$src/tests/valgrind.supp")
# Host names reach the resolver only with --resolve (or by a regression);
# keep the DNS out of it all the same:
# in a namespace without interfaces a lookup fails at once.
nonet=()
if unshare -n true 2>/dev/null; then
	nonet=(unshare -n)
elif unshare -rn true 2>/dev/null; then
	nonet=(unshare -rn)
fi
vg=("${nonet[@]}" "${vg[@]}")
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0

# expect RC NAME CMD...: run CMD under memcheck, want exit RC.
expect() {
	local want=$1 name=$2 rc=0
	shift 2
	"${vg[@]}" "$@" >"$tmp/out" 2>"$tmp/err" || rc=$?
	if [ "$rc" = "$want" ]; then
		echo "ok   $name"
		return
	fi
	fail=1
	if [ "$rc" = 125 ]; then
		echo "FAIL $name: memcheck found errors"
		grep '^==' "$tmp/err" | head -n 80
	else
		echo "FAIL $name: exit $rc, want $want"
		tail -n 20 "$tmp/err"
	fi
}

shopt -s nullglob
valid=("$src"/rulesets/*.rules "$src"/rulesets/*.v4 "$src"/tests/corpus/valid/*.rules)
invalid=("$src"/tests/corpus/invalid/*.rules)

expect 0 "check valid (${#valid[@]} files)" "$iptsim" check "${valid[@]}"
# Three valid files hold counters only iptables-restore without -c ignores
# (tests/corpus/valid/*counters*, odd-but-valid): with -c they are refused,
# as the kernel refuses them; memcheck is what this line is about.
expect 1 "check -c valid" "$iptsim" check -c "${valid[@]}"
expect 0 "check --format json valid" "$iptsim" check --format json "${valid[@]}"
expect 1 "check invalid (${#invalid[@]} files)" "$iptsim" check --color=always "${invalid[@]}"
expect 1 "check --format json invalid" "$iptsim" check --format json "${invalid[@]}"
for f in "$src"/rulesets/*.rules "$src"/rulesets/*.v4; do
	expect 0 "dump $(basename "$f")" "$iptsim" dump "$f"
done
for f in "$src"/rulesets/kube-proxy-nat.rules "$src"/rulesets/docker-host.rules; do
	[ -f "$f" ] && expect 0 "dump -c $(basename "$f")" "$iptsim" dump -c "$f"
done
# graph, and trace --format dot (a trace that ends in DROP, and a
# connection through DOCKER-USER, DNAT and FORWARD)
for f in "$src"/rulesets/docker-host.rules "$src"/rulesets/kube-proxy-nat.rules; do
	expect 0 "graph $(basename "$f")" "$iptsim" graph "$f"
done
expect 1 "trace --format dot uid-only-port.rules" "$iptsim" trace \
	"$src"/rulesets/uid-only-port.rules --dport 1060 --uid 1001 --format dot
expect 0 "trace --format dot docker-host.rules" "$iptsim" trace \
	"$src"/rulesets/docker-host.rules --host "$src"/rulesets/docker-host.d \
	--in eth0 --src 198.51.100.7 --dst 10.0.0.5 --dport 8080 --format dot
# the host's sets: read, decided, checked, and refused ipset list output
f2b=$src/rulesets/fail2ban
if [ -f "$f2b.ipsets" ]; then
	expect 0 "check --ipsets fail2ban" "$iptsim" check --ipsets "$f2b.ipsets" "$f2b.rules"
	expect 1 "trace --ipsets fail2ban" "$iptsim" trace "$f2b.rules" --ipsets "$f2b.ipsets" \
		--iface eth0=192.0.2.10/24 --in eth0 --src 192.0.2.77 --dst 192.0.2.10 --dport 8080
	expect 1 "diff --ipsets fail2ban" "$iptsim" diff "$f2b.rules" "$src/rulesets/server-rules.v4" \
		--ipsets "$f2b.ipsets" --iface eth0=192.0.2.10/24
	expect 2 "trace --ipsets list output" "$iptsim" trace "$f2b.rules" \
		--ipsets "$src/tests/e2e/trace/ipset-list.ipsets"
fi
# exposure: every format, and --expect with a difference and bad lines
for fmt in text json sarif; do
	expect 0 "exposure --format $fmt home-router.rules" "$iptsim" exposure \
		"$src"/rulesets/home-router.rules --host "$src"/rulesets/home-router.d \
		--format "$fmt"
done
expect 1 "exposure --expect router-fail.expect" "$iptsim" exposure \
	"$src"/rulesets/home-router.rules --host "$src"/rulesets/home-router.d \
	--expect "$src"/tests/e2e/exposure/router-fail.expect
expect 2 "exposure --expect bad.expect" "$iptsim" exposure \
	"$src"/rulesets/home-router.rules --host "$src"/rulesets/home-router.d \
	--expect "$src"/tests/e2e/exposure/bad.expect
# stdin, and a file that cannot be read
expect 0 "check - (stdin)" "$iptsim" check - <"$src/rulesets/docker-host.rules"
expect 2 "check missing file" "$iptsim" check "$tmp/does-not-exist"

exit $fail
