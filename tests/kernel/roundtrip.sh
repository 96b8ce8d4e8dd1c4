#!/bin/bash
# roundtrip.sh - `iptsim dump` and the recorded answers against the live kernel.
#
# Usage: roundtrip.sh IPTSIM SRCDIR [SHAREDDIR]
#
# Every round-trip case (tests/roundtrip/lib.sh), every file of
# SRCDIR/rulesets/*.rules and every IPv4 save-format file of SHAREDDIR/corpus
# is loaded with iptables-legacy-restore [-c] (the IPv6 cases and files:
# ip6tables-legacy-restore, dump -6 for the cases, the family iptsim
# finds for the shared files) in a throwaway network
# namespace and saved again with iptables-legacy-save [-c]. `iptsim dump
# [-c]` must print exactly that (less the '#' lines), or exit 1 where the
# kernel refuses the file; for the round-trip cases the recorded NAME.save*
# must match the live answer too (else: re-run tests/roundtrip/record.sh).
# The shared corpus is only read, never recorded into the project; its files
# the kernel refuses are left to tests/kernel/parity.sh.
#
# Needs root and network namespaces; without them it is skipped (77), unless
# IPTSIM_REQUIRE_KERNEL=1, which turns the skip into a failure.
set -euo pipefail

if [ $# -lt 2 ]; then
	echo "usage: $0 IPTSIM SRCDIR [SHAREDDIR]" >&2
	exit 2
fi
iptsim=$1
src=$2
shared=${3:-}
# shellcheck source-path=SCRIPTDIR source=../roundtrip/lib.sh
. "$src/tests/roundtrip/lib.sh"

# shellcheck source-path=SCRIPTDIR source=../lib/kernel.sh
. "$src/tests/lib/kernel.sh"
ipts_require_kernel iptables-legacy-restore iptables-legacy-save \
	ip6tables-legacy-restore ip6tables-legacy-save

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
rt_private_lock "$tmp"
pass=0
fail=0

failed() {
	fail=$((fail + 1))
	echo "FAIL: $*"
}

# one NAME INPUT ANSWER-PREFIX|"" SUFFIX [-c] [OPTIONAL] [6 [-6]]
# OPTIONAL=skip-refused: say nothing when the kernel refuses the file.
# 6: ip6tables-legacy, and dump given the 8th word (-6, or none: the
# family iptsim finds).
one() {
	local name=$1 f=$2 ans=$3 sfx=$4 c=${5:-} opt=${6:-} fam=${7:-}
	local dopt=${8:-} krc=0 rc=0

	name+=${c:+ (-c)}
	rt_kernel_save "$f" "$tmp/live" "$tmp/kerr" "$c" "$fam" || krc=1
	if [ "$krc" -ne 0 ] && [ "$opt" = skip-refused ]; then
		return
	fi

	# The recording, if there is one, must still be what the kernel says.
	if [ -n "$ans" ]; then
		if [ "$krc" -ne 0 ] && [ ! -f "$ans.refused$sfx" ]; then
			failed "$name: recorded as loading, the kernel refuses it: $(head -n1 "$tmp/kerr")"
		elif [ "$krc" -eq 0 ] && [ ! -f "$ans.save$sfx" ]; then
			failed "$name: no recording of the kernel's answer ${ans#"$src"/}.save$sfx"
		elif [ "$krc" -eq 0 ] && ! diff -u --label "recorded" --label "kernel now" \
				"$ans.save$sfx" "$tmp/live" >"$tmp/diff"; then
			failed "$name: the recording is stale (re-run tests/roundtrip/record.sh)"
			cat "$tmp/diff"
		else
			pass=$((pass + 1))
		fi
	fi

	timeout 120 "$iptsim" dump ${c:+"$c"} ${dopt:+"$dopt"} "$f" \
		>"$tmp/out" 2>"$tmp/err" || rc=$?
	if [ "$krc" -ne 0 ]; then
		if [ "$rc" -eq 1 ]; then
			pass=$((pass + 1))
		else
			failed "$name: the kernel refuses it ($(grep -v '^$' "$tmp/kerr" | head -n1)), want exit 1, got $rc"
		fi
	elif [ "$rc" -ne 0 ]; then
		failed "$name: the kernel loads it, want exit 0, got $rc: $(grep -m1 'error:' "$tmp/out" || head -n1 "$tmp/err" || true)"
	elif ! diff -u --label "kernel" --label "iptsim dump $c" \
			"$tmp/live" "$tmp/out" >"$tmp/diff"; then
		failed "$name: dump differs from the kernel"
		cat "$tmp/diff"
	else
		pass=$((pass + 1))
	fi
}

while IFS=$'\t' read -r f ans; do
	one "${f#"$src"/}" "$f" "$ans" ""
	one "${f#"$src"/}" "$f" "$ans" "-c" -c
done < <(rt_cases "$src")
while IFS=$'\t' read -r f ans; do
	one "${f#"$src"/}" "$f" "$ans" "" "" "" 6 -6
	one "${f#"$src"/}" "$f" "$ans" "-c" -c "" 6 -6
done < <(rt_cases6 "$src")

shopt -s nullglob
rulesets=("$src"/rulesets/*.rules)
if [ ${#rulesets[@]} -eq 0 ]; then
	echo "SKIP: no rulesets/*.rules"
fi
for f in "${rulesets[@]}"; do
	if [ -f "${f%.rules}.ipsets" ] && ! command -v ipset >/dev/null; then
		echo "SKIP: rulesets/${f##*/} needs ipset (scripts/setup.sh)"
		continue
	fi
	one "rulesets/${f##*/}" "$f" "" ""
	one "rulesets/${f##*/}" "$f" "" "-c" -c
done

if [ -z "$shared" ] || [ ! -f "$shared/corpus/SOURCES.tsv" ]; then
	echo "SKIP: shared corpus not found at ${shared:-(none)}/corpus"
else
	while IFS=$'\t' read -r file format family _; do
		case $format in '`'*) continue ;; esac	# `iptables -L` listings
		fam=
		case $family in
		IPv4) ;;
		IPv6) fam=6 ;;
		*) continue ;;
		esac
		one "shared/$file" "$shared/corpus/$file" "" "" "" skip-refused "$fam"
		one "shared/$file" "$shared/corpus/$file" "" "-c" -c skip-refused "$fam"
	done < <(tail -n +2 "$shared/corpus/SOURCES.tsv")
fi

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
