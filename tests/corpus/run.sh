#!/bin/bash
# run.sh - acceptance corpus for `iptsim check`.
#
# Usage: run.sh IPTSIM SRCDIR [SHAREDDIR]
#
# tests/corpus/valid/*.rules load with iptables-legacy-restore in a fresh
# network namespace: check must exit 0. tests/corpus/invalid/*.rules are
# refused by it: check must exit 1, and when the file's first line is
#   # expect: LINE:COL: error: SUBSTRING
# one diagnostic line of stdout must hold ":LINE:COL: error:" and SUBSTRING
# (compared without regard to case or to the kind of quote: ' " and ` are
# one). tests/kernel/parity.sh checks the kernel's side of both claims.
#
# Where an error points (1-based byte columns):
#   - a generic option used wrongly (twice, in the wrong chain, -t, -c):
#     the option word; a misplaced or repeated '!': that '!';
#   - a bad value (address, port, protocol, match or target name, number):
#     the value; an extension's own complaint: the word it was parsing, and
#     for a missing mandatory option the extension's name after -m or -j;
#   - the file's structure (a line that is no command, COMMIT not alone,
#     counters without a rule): column 1, or the stray token ('#', '*nat');
#     a missing COMMIT: column 1 of the line after the last;
#   - -D/-C with a rule that is not there: column 1; a bad rule number: it.
# The message keeps iptables' words where iptables-restore says what is
# wrong; where it only says "line N failed" (or "Bad argument") the
# expectation holds the subject instead.
#
# Files named kernel-* are refused only by the kernel at COMMIT time; they
# are written by the kernel-facts work and follow the same rules.
#
# tests/corpus/valid6 and invalid6 are the same for IPv6: checked with
# `check -6`, as ip6tables-legacy-restore loads or refuses them.
#
# Then every IPv4 and IPv6 save-format file of SHAREDDIR/corpus
# (SOURCES.tsv; the family found from the file itself) must get
# the kernel's verdict (its "load" column), except the files the kernel
# refuses for reasons of the host, listed in host-refusals.sh.
set -euo pipefail

if [ $# -lt 2 ]; then
	echo "usage: $0 IPTSIM SRCDIR [SHAREDDIR]" >&2
	exit 2
fi
iptsim=$1
corpus=$2/tests/corpus
shared=${3:-}
# shellcheck source-path=SCRIPTDIR source=host-refusals.sh
. "$corpus/host-refusals.sh"

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pass=0
fail=0

norm() {
	tr 'A-Z"`' "a-z''"
}

# run_check FILE [OPTION]: sets rc; stdout in $tmp/out, stderr in $tmp/err.
run_check() {
	rc=0
	timeout 60 "$iptsim" check ${2:+"$2"} "$1" >"$tmp/out" 2>"$tmp/err" ||
		rc=$?
}

# What iptsim said, in one line, for a failure report.
said() {
	local first
	first=$(grep -m1 -E ': (error|fatal):' "$tmp/out" || true)
	[ -n "$first" ] || first=$(head -n1 "$tmp/out")
	[ -n "$first" ] || first="stderr: $(head -n1 "$tmp/err")"
	printf '%s' "$first"
}

ok() {
	pass=$((pass + 1))
}

bad() {
	fail=$((fail + 1))
	echo "FAIL: $*"
}

check_valid() {
	local f=$1 name=${3:-valid}/${1##*/}

	run_check "$f" "${2:-}"
	if [ "$rc" -eq 0 ]; then
		ok
	else
		bad "$name: want exit 0, got $rc: $(said)"
	fi
}

check_invalid() {
	local f=$1 name=${3:-invalid}/${1##*/} first want_at want_msg

	run_check "$f" "${2:-}"
	if [ "$rc" -ne 1 ]; then
		bad "$name: want exit 1, got $rc: $(said)"
		return
	fi
	first=$(head -n1 "$f" | tr -d '\r')
	if [[ ! $first =~ ^#\ expect:\ ([0-9]+):([0-9]+):\ error:\ (.*)$ ]]; then
		ok	# no expectation recorded: the exit code is the claim
		return
	fi
	want_at=":${BASH_REMATCH[1]}:${BASH_REMATCH[2]}: error:"
	want_msg=$(printf '%s' "${BASH_REMATCH[3]}" | norm)
	if ! grep -F -- "$want_at" "$tmp/out" >"$tmp/at"; then
		bad "$name: want error at ${want_at:1:-8} ~ '${BASH_REMATCH[3]}', got: $(said)"
	elif ! norm <"$tmp/at" | grep -F -- "$want_msg" >/dev/null; then
		bad "$name: want error at ${want_at:1:-8} ~ '${BASH_REMATCH[3]}', got: $(head -n1 "$tmp/at")"
	else
		ok
	fi
}

shopt -s nullglob
for f in "$corpus"/valid/*.rules; do
	check_valid "$f"
done
for f in "$corpus"/invalid/*.rules; do
	check_invalid "$f"
done
for f in "$corpus"/valid6/*.rules; do
	check_valid "$f" -6 valid6
done
for f in "$corpus"/invalid6/*.rules; do
	check_invalid "$f" -6 invalid6
done

# The shared corpus: real-world dumps, read in place (never copied here).
if [ -z "$shared" ] || [ ! -f "$shared/corpus/SOURCES.tsv" ]; then
	echo "SKIP: shared corpus not found at ${shared:-(none)}/corpus"
else
	# columns: file format family rules tables bytes load ...
	while IFS=$'\t' read -r file format family _ _ _ load _; do
		[ "$family" = IPv4 ] || [ "$family" = IPv6 ] || continue
		case $format in '`'*) continue ;; esac	# `iptables -L` listings
		case $load in
		ok) want=0 ;;
		FAIL*) want=1 ;;
		*) continue ;;
		esac
		why=
		if [ -n "${HOST_REFUSAL_RC[$file]:-}" ]; then
			want=${HOST_REFUSAL_RC[$file]}
			why=" (host refusal: ${HOST_REFUSAL_WHY[$file]})"
		fi
		run_check "$shared/corpus/$file"
		if [ "$rc" -eq "$want" ]; then
			ok
		else
			bad "shared/$file: want exit $want$why, got $rc: $(said)"
		fi
	done < <(tail -n +2 "$shared/corpus/SOURCES.tsv")
fi

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
