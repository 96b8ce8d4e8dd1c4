# shellcheck shell=bash
# lib.sh - the round-trip cases and how the kernel answers them.
# Sourced by tests/roundtrip/run.sh, record.sh and tests/kernel/roundtrip.sh.
#
# A case is an input file and the kernel's two answers for it:
#   tests/roundtrip/cases/NAME.rules   input (gen-NN from gen.py, hand-* by hand)
#   tests/roundtrip/corpus/NAME.save*  answers for tests/corpus/valid/NAME.rules
# The answers, next to the input's name without .rules:
#   NAME.save     iptables-legacy-save after iptables-legacy-restore NAME.rules
#   NAME.save-c   iptables-legacy-save -c after iptables-legacy-restore -c
# both in a fresh network namespace and without the '#' lines. When the
# kernel refuses the load, NAME.refused (or NAME.refused-c) holds restore's
# message instead, and `iptsim dump` must exit 1.
#
# IPv6 the same way, with ip6tables-legacy-restore and -save and `iptsim
# dump -6`: tests/roundtrip/cases6/NAME.rules (by hand) and the answers
# tests/roundtrip/corpus6/NAME.save* for tests/corpus/valid6/NAME.rules.

# rt_cases SRCDIR: print "INPUT<TAB>ANSWER-PREFIX" for every case.
rt_cases() {
	local src=$1 f
	for f in "$src"/tests/roundtrip/cases/*.rules; do
		[ -e "$f" ] || continue
		printf '%s\t%s\n' "$f" "${f%.rules}"
	done
	for f in "$src"/tests/corpus/valid/*.rules; do
		[ -e "$f" ] || continue
		local base=${f##*/}
		printf '%s\t%s\n' "$f" "$src/tests/roundtrip/corpus/${base%.rules}"
	done
}

# rt_cases6 SRCDIR: the same for the IPv6 cases.
rt_cases6() {
	local src=$1 f
	for f in "$src"/tests/roundtrip/cases6/*.rules; do
		[ -e "$f" ] || continue
		printf '%s\t%s\n' "$f" "${f%.rules}"
	done
	for f in "$src"/tests/corpus/valid6/*.rules; do
		[ -e "$f" ] || continue
		local base=${f##*/}
		printf '%s\t%s\n' "$f" "$src/tests/roundtrip/corpus6/${base%.rules}"
	done
}

# rt_kernel_save FILE OUT ERR [-c] [6]: load FILE into a throwaway network
# namespace, write what iptables-legacy-save [-c] (ip6tables-legacy-save
# with 6) prints without '#' lines to OUT. Returns 1 with restore's
# message in ERR when the load fails. The sets of a FILE.ipsets next to a
# NAME.rules are restored first (ipset).
rt_kernel_save() {
	local f=$1 out=$2 err=$3 c=${4:-} fam=${5:-} sets=""
	[ "${f%.rules}" != "$f" ] && [ -f "${f%.rules}.ipsets" ] &&
		sets=${f%.rules}.ipsets
	# shellcheck disable=SC2016 # expanded by the inner shell
	RT_C=$c RT_IPT=ip${fam}tables RT_SETS=$sets unshare -n bash -c '
		if [ -n "$RT_SETS" ]; then
			ipset restore <"$RT_SETS" 2>"$2" || exit 3
		fi
		$RT_IPT-legacy-restore $RT_C -w 30 "$1" >/dev/null 2>"$2" || exit 3
		$RT_IPT-legacy-save $RT_C | sed "/^#/d"' rt "$f" "$err" >"$out" &&
		return 0
	return 1
}

# rt_private_lock DIR: each load happens in a namespace of its own, so the
# host-wide /run/xtables.lock would only make us wait for unrelated users.
rt_private_lock() {
	export XTABLES_LOCKFILE=$1/xtables.lock
}
