#!/bin/bash
# run.sh - run each fuzzer for a bounded time under ASan + UBSan + LSan.
#
#   run.sh [--fuzzer[=]PATH]... [SRCDIR]
#
# Without --fuzzer, builds the four fuzzers with clang (-DIPTSIM_FUZZ=ON) in
# $FUZZ_BUILD_DIR (default: a directory under ${TMPDIR:-/tmp}). Each fuzzer
# first replays tests/fuzz/regress/, then fuzzes for its own time from a
# seed corpus built in a temp dir out of rulesets/, tests/corpus/*/ and
# tests/e2e/*/ (and pairs of them joined by fuzz_diff's "#--NEW--" line).
# Its time: $FUZZ_SECONDS_PARSE, _WALK, _LINT or _DIFF (by the fuzzer's
# name), else $FUZZ_SECONDS, else 120; under CI=true a fixed number of
# inputs from a fixed seed instead (see fuzz_runs): the four take about 8
# minutes.
# Any crash, leak, timeout (5 s per input)
# or sanitizer report fails the run; the input is left in $FUZZ_ARTIFACTS
# (default: the temp dir, kept on failure) - minimise it and add it to
# tests/fuzz/regress/ with the fix. Exit 77 when clang with libFuzzer is
# not available.
set -euo pipefail

fuzzers=()
while [ $# -gt 0 ]; do
	case "$1" in
	--fuzzer) fuzzers+=("$2"); shift 2 ;;
	--fuzzer=*) fuzzers+=("${1#--fuzzer=}"); shift ;;
	'') shift ;;	# ctest passes "" when no fuzzer was built
	--) shift; break ;;
	-*) echo "usage: run.sh [--fuzzer PATH]... [SRCDIR]" >&2; exit 2 ;;
	*) break ;;
	esac
done
srcdir=$(cd "${1:-$(dirname "$0")/../..}" && pwd)
seconds=${FUZZ_SECONDS:-120}

# The time of fuzzer $1 (fuzz_parse, fuzz_walk, fuzz_lint, fuzz_diff,
# fuzz_ipset).
fuzz_seconds() {
	local var
	var=FUZZ_SECONDS_$(echo "${1#fuzz_}" | tr '[:lower:]' '[:upper:]')
	echo "${!var:-$seconds}"
}

skip() { echo "SKIP: $*"; exit 77; }

have_libfuzzer() {
	command -v clang >/dev/null 2>&1 || return 1
	local d
	d=$(mktemp -d)
	printf '%s\n' '#include <stdint.h>' '#include <stddef.h>' \
		'int LLVMFuzzerTestOneInput(const uint8_t *d, size_t n);' \
		'int LLVMFuzzerTestOneInput(const uint8_t *d, size_t n)' \
		'{ (void)d; (void)n; return 0; }' > "$d/t.c"
	local rc=0
	clang -fsanitize=fuzzer,address,undefined "$d/t.c" -o "$d/t" \
		>/dev/null 2>&1 || rc=1
	rm -rf "$d"
	return $rc
}

work=$(mktemp -d "${TMPDIR:-/tmp}/iptsim-fuzz.XXXXXX")
keep=0
cleanup() { if [ "$keep" = 0 ]; then rm -rf "$work"; fi; }
trap cleanup EXIT

if [ ${#fuzzers[@]} -eq 0 ]; then
	have_libfuzzer || skip "clang with libFuzzer not available"
	build=${FUZZ_BUILD_DIR:-$work/build}
	echo "fuzz: building with clang in $build"
	CC=clang cmake -S "$srcdir" -B "$build" -DIPTSIM_FUZZ=ON \
		-DCMAKE_BUILD_TYPE=RelWithDebInfo >"$work/cmake.log" 2>&1 ||
		{ cat "$work/cmake.log"; exit 1; }
	cmake --build "$build" -j"$(nproc)" --target fuzz_parse fuzz_walk \
		fuzz_lint fuzz_diff fuzz_ipset \
		>"$work/build.log" 2>&1 || { cat "$work/build.log"; exit 1; }
	# One per fuzzer: the parser, the simulator's walk, lint, diff and the
	# ipsets reader.
	fuzzers=("$build/fuzz_parse" "$build/fuzz_walk" "$build/fuzz_lint"
		 "$build/fuzz_diff" "$build/fuzz_ipset")
fi

# Seeds: every ruleset we have, copied under unique names.
seeds=$work/seeds
mkdir -p "$seeds"
n=0
for f in "$srcdir"/rulesets/*.rules "$srcdir"/rulesets/*.v4 \
	 "$srcdir"/tests/corpus/*/*.rules "$srcdir"/tests/e2e/*/*.rules \
	 "$srcdir"/rulesets/*.ipsets "$srcdir"/tests/e2e/*/*.ipsets \
	 "$srcdir"/tests/kernel/ipset/*.ipsets; do
	[ -f "$f" ] || continue
	n=$((n + 1))
	cp "$f" "$seeds/$n-$(basename "$f")"
done
# fuzz_diff reads OLD and NEW from one input: a few pairs to start from
pairs=0
prev=""
for f in "$seeds"/*; do
	if [ -n "$prev" ] && [ $pairs -lt 40 ]; then
		pairs=$((pairs + 1))
		{ cat "$prev"; printf '\n#--NEW--\n'; cat "$f"; } >"$seeds/pair-$pairs"
	fi
	prev=$f
done
echo "fuzz: $n seed files, $pairs pairs"

artifacts=${FUZZ_ARTIFACTS:-$work/artifacts}
mkdir -p "$artifacts"
# Leak stacks through libxtables (built without frame pointers) need the
# slow unwinder, or the suppressions cannot see the extension frames.
export ASAN_OPTIONS="fast_unwind_on_malloc=0:detect_leaks=1:abort_on_error=0${ASAN_OPTIONS:+:$ASAN_OPTIONS}"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1${UBSAN_OPTIONS:+:$UBSAN_OPTIONS}"
export LSAN_OPTIONS="suppressions=$srcdir/tests/lsan.supp:print_suppressions=0${LSAN_OPTIONS:+:$LSAN_OPTIONS}"
# The suppressions name functions: without a symbolizer no stack has a
# name, and libxtables' own leaks on its error paths would fail the run.
if ! command -v llvm-symbolizer >/dev/null 2>&1 &&
   [ -z "${ASAN_SYMBOLIZER_PATH:-}" ]; then
	for s in /usr/lib/llvm-*/bin/llvm-symbolizer; do
		[ -x "$s" ] && export ASAN_SYMBOLIZER_PATH=$s
	done
	[ -n "${ASAN_SYMBOLIZER_PATH:-}" ] ||
		echo "fuzz: note: no llvm-symbolizer: leak suppressions cannot match"
fi

# Host names in the input reach no resolver (only --resolve asks one); if
# a regression let them, a DNS server that does not answer would cost
# seconds a name and show as timeouts. Without a network namespace's
# interfaces a lookup fails at once.
nonet=()
if unshare -n true 2>/dev/null; then
	nonet=(unshare -n)
elif unshare -rn true 2>/dev/null; then
	nonet=(unshare -rn)
else
	echo "fuzz: note: no unshare -n; host names may reach the DNS"
fi

# CI (CI=true) starts libFuzzer from a fixed seed and gives each fuzzer a
# fixed number of inputs (FUZZ_RUNS_PARSE, _WALK, _LINT, _DIFF, _IPSET: about two
# minutes each on 2 cores), so that what it tries is the same in every run
# and on every machine, and its verdict is the code's, not the draw's or
# the machine's speed: a developer who runs 'CI=true run.sh' sees what CI
# will see. The time is then only a cap (twice the fuzzer's time).
# Elsewhere each run draws its own seed (FUZZ_SEED sets one) and fuzzes
# for its time.
seed_opt=()
if [ -n "${FUZZ_SEED:-}" ]; then
	seed_opt=(-seed="$FUZZ_SEED")
elif [ "${CI:-}" = true ]; then
	seed_opt=(-seed=20261201)
fi
# The fixed number of inputs of fuzzer $1 under CI, or nothing.
fuzz_runs() {
	[ "${CI:-}" = true ] || return 0
	local var dflt
	case "$1" in
	fuzz_parse) dflt=16000 ;;
	fuzz_walk) dflt=40000 ;;
	fuzz_lint) dflt=50000 ;;
	fuzz_ipset) dflt=60000 ;;
	*) dflt=45000 ;;
	esac
	var=FUZZ_RUNS_$(echo "${1#fuzz_}" | tr '[:lower:]' '[:upper:]')
	echo "${!var:-$dflt}"
}

rc=0
for fz in "${fuzzers[@]}"; do
	name=$(basename "$fz")
	[ -x "$fz" ] || { echo "fuzz: no fuzzer at $fz" >&2; exit 1; }
	echo "fuzz: $name: replaying $srcdir/tests/fuzz/regress"
	if ! "${nonet[@]}" "$fz" -timeout=5 -rss_limit_mb=2048 \
		"$srcdir"/tests/fuzz/regress/* >"$work/$name-regress.log" 2>&1; then
		tail -n 60 "$work/$name-regress.log"
		echo "FAIL: $name: a kept reproducer fails (again)"
		rc=1	# and fuzz anyway: report everything in one run
	fi
	corpus=$work/corpus-$name
	mkdir -p "$corpus"
	secs=$(fuzz_seconds "$name")
	runs=$(fuzz_runs "$name")
	run_opt=()
	if [ -n "$runs" ]; then
		run_opt=(-runs="$runs")
		secs=$((secs * 2))
		echo "fuzz: $name: $runs inputs (at most $secs s)"
	else
		echo "fuzz: $name: $secs s"
	fi
	if ! "${nonet[@]}" "$fz" -max_total_time="$secs" -timeout=5 -rss_limit_mb=2048 \
		"${seed_opt[@]}" "${run_opt[@]}" -max_len=65536 -print_final_stats=1 \
		-dict="$srcdir/tests/fuzz/iptables.dict" \
		-artifact_prefix="$artifacts/$name-" \
		"$corpus" "$seeds" >"$work/$name.log" 2>&1; then
		tail -n 80 "$work/$name.log"
		echo "FAIL: $name: see $artifacts"
		rc=1
		continue
	fi
	grep -E '^stat::number_of_executed_units|^Done' "$work/$name.log" || true
done
if [ $rc != 0 ]; then
	keep=1
	echo "fuzz: logs and inputs kept in $work"
fi
exit $rc
