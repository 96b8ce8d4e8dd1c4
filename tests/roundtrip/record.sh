#!/bin/bash
# record.sh - (re)record the kernel's answers for every round-trip case.
#
# Usage: record.sh [SRCDIR]   (as root, with network namespaces)
#
# Writes NAME.save and NAME.save-c (or NAME.refused / NAME.refused-c) for
# tests/roundtrip/cases/*.rules and, in tests/roundtrip/corpus/, for
# tests/corpus/valid/*.rules. Review the diff like code before committing.
set -euo pipefail

src=${1:-$(cd "$(dirname "$0")/../.." && pwd)}
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$src/tests/roundtrip/lib.sh"

# shellcheck source-path=SCRIPTDIR source=../lib/kernel.sh
. "$src/tests/lib/kernel.sh"

if ! ipts_have_kernel iptables-legacy-restore iptables-legacy-save \
		ip6tables-legacy-restore ip6tables-legacy-save; then
	echo "record.sh: needs root, network namespaces and iptables-legacy" >&2
	exit 1
fi
mkdir -p "$src/tests/roundtrip/corpus" "$src/tests/roundtrip/corpus6"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
rt_private_lock "$tmp"

# record ANSWER-PREFIX SUFFIX INPUT [-c]
# record ANSWER-PREFIX SUFFIX INPUT [-c] [6]
record() {
	local ans=$1 sfx=$2 f=$3 c=${4:-} fam=${5:-}

	rm -f "$ans.save$sfx" "$ans.refused$sfx"
	if rt_kernel_save "$f" "$ans.save$sfx" "$ans.refused$sfx" "$c" "$fam"; then
		rm -f "$ans.refused$sfx"
	else
		rm -f "$ans.save$sfx"
		echo "refused${c:+ with -c}: $f: $(head -n1 "$ans.refused$sfx")"
	fi
}

n=0
while IFS=$'\t' read -r f ans; do
	record "$ans" "" "$f"
	record "$ans" "-c" "$f" -c
	n=$((n + 1))
done < <(rt_cases "$src")
while IFS=$'\t' read -r f ans; do
	record "$ans" "" "$f" "" 6
	record "$ans" "-c" "$f" -c 6
	n=$((n + 1))
done < <(rt_cases6 "$src")
echo "recorded $n cases"
