#!/bin/bash
# parity.sh - `iptsim check` against the kernel: accept/reject must agree.
#
# Usage: parity.sh IPTSIM SRCDIR [SHAREDDIR]
#
# Every file of tests/corpus/{valid,invalid} and every IPv4 save-format file
# of SHAREDDIR/corpus is loaded with iptables-legacy-restore, every file of
# tests/corpus/{valid6,invalid6} (checked with -6) and every IPv6 file of
# SHAREDDIR/corpus (checked as iptsim finds its family) with
# ip6tables-legacy-restore, in a throwaway
# network namespace (unshare -n: it goes away with the process). The kernel
# must also agree with the directory a corpus file sits in, so this test keeps
# the corpus honest too. Files refused for reasons of the host are listed in
# tests/corpus/host-refusals.sh with the answer iptsim must give.
#
# Needs root and network namespaces; without them it is skipped (77), unless
# IPTSIM_REQUIRE_KERNEL=1, which turns the skip into a failure.
set -euo pipefail

if [ $# -lt 2 ]; then
	echo "usage: $0 IPTSIM SRCDIR [SHAREDDIR]" >&2
	exit 2
fi
iptsim=$1
corpus=$2/tests/corpus
shared=${3:-}

# shellcheck source-path=SCRIPTDIR source=../lib/kernel.sh
. "$2/tests/lib/kernel.sh"
ipts_require_kernel iptables-legacy-restore ip6tables-legacy-restore

# shellcheck source-path=SCRIPTDIR source=../corpus/host-refusals.sh
. "$corpus/host-refusals.sh"

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# Each load has a namespace of its own: a private lock file spares us waiting
# for other users of the host-wide /run/xtables.lock.
export XTABLES_LOCKFILE=$tmp/xtables.lock
pass=0
fail=0

verdict() {
	case $1 in
	0) echo accept ;;
	1) echo reject ;;
	*) echo "exit-$1" ;;
	esac
}

# compare NAME FILE [WANT]: WANT is what the corpus directory claims.
# compare NAME FILE [accept|reject|""] [RESTORE] [CHECK-OPTION]
compare() {
	local name=$1 f=$2 want=${3:-} restore=${4:-iptables-legacy-restore}
	local opt=${5:-} krc=0 irc=0 k i note=

	unshare -n "$restore" -w 30 "$f" >/dev/null \
		2>"$tmp/kerr" || krc=$?
	timeout 60 "$iptsim" check ${opt:+"$opt"} "$f" >"$tmp/iout" \
		2>"$tmp/ierr" || irc=$?
	k=$(verdict $((krc != 0)))
	i=$(verdict "$irc")
	local key=${name#shared/}
	if [ "$name" != "$key" ] && [ -n "${HOST_REFUSAL_RC[$key]:-}" ]; then
		note=" (host refusal: ${HOST_REFUSAL_WHY[$key]})"
		want=$(verdict "${HOST_REFUSAL_RC[$key]}")
		if [ "$i" = "$want" ]; then
			pass=$((pass + 1))
			echo "known  kernel=$k iptsim=$i $name$note"
		else
			fail=$((fail + 1))
			echo "DIFFER kernel=$k iptsim=$i, want iptsim=$want: $name$note"
			echo "       iptsim: $(grep -m1 ': error:' "$tmp/iout" || true)"
		fi
		return
	fi
	if [ -n "$want" ] && [ "$k" != "$want" ]; then
		fail=$((fail + 1))
		echo "WRONG  kernel=$k but the file is in $want corpus: $name: $(head -n1 "$tmp/kerr")"
	elif [ "$k" = "$i" ]; then
		pass=$((pass + 1))
		echo "agree  kernel=$k iptsim=$i $name"
	else
		fail=$((fail + 1))
		local why
		why=$(grep -m1 ': error:' "$tmp/iout" || head -n1 "$tmp/ierr" || true)
		echo "DIFFER kernel=$k iptsim=$i $name$note"
		echo "       kernel: $(grep -v '^$' "$tmp/kerr" | head -n1)"
		echo "       iptsim: $why"
	fi
}

shopt -s nullglob
for f in "$corpus"/valid/*.rules; do
	compare "valid/${f##*/}" "$f" accept
done
for f in "$corpus"/invalid/*.rules; do
	compare "invalid/${f##*/}" "$f" reject
done
for f in "$corpus"/valid6/*.rules; do
	compare "valid6/${f##*/}" "$f" accept ip6tables-legacy-restore -6
done
for f in "$corpus"/invalid6/*.rules; do
	compare "invalid6/${f##*/}" "$f" reject ip6tables-legacy-restore -6
done

if [ -z "$shared" ] || [ ! -f "$shared/corpus/SOURCES.tsv" ]; then
	echo "SKIP: shared corpus not found at ${shared:-(none)}/corpus"
else
	while IFS=$'\t' read -r file format family _; do
		case $format in '`'*) continue ;; esac	# `iptables -L` listings
		case $family in
		IPv4) compare "shared/$file" "$shared/corpus/$file" ;;
		IPv6) compare "shared/$file" "$shared/corpus/$file" "" \
			ip6tables-legacy-restore ;;
		esac
	done < <(tail -n +2 "$shared/corpus/SOURCES.tsv")
fi

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
