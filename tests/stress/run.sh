#!/bin/bash
# run.sh - hostile inputs, generated on the fly: iptsim check must answer
# 0 or 1 (1 with a diagnostic), never crash (exit >= 128), never hang
# (timeout 20 s a case; no yes|head: pipefail would trip on SIGPIPE), and stay within memory proportional to the input
# (peak RSS under 64 MiB + 32 x the file size, from /usr/bin/time -f %M).
#
#   run.sh IPTSIM SRCDIR [SHAREDDIR]
#
# A failing case keeps its input under $STRESS_KEEP (default: a temp dir
# that is then left in place) and prints its name; the whole run stays
# well under a minute.
set -euo pipefail

iptsim=$1
src=$2

work=$(mktemp -d "${TMPDIR:-/tmp}/iptsim-stress.XXXXXX")
keep=${STRESS_KEEP:-$work}
failed=0
trap 'if [ $failed = 0 ]; then rm -rf "$work"; fi' EXIT

# Host names reach the resolver only with --resolve (or by a regression);
# keep the DNS out of it all the same:
# in a namespace without interfaces a lookup fails at once.
nonet=()
if unshare -n true 2>/dev/null; then
	nonet=(unshare -n)
elif unshare -rn true 2>/dev/null; then
	nonet=(unshare -rn)
fi

timer=()
if [ -x /usr/bin/time ]; then
	timer=(/usr/bin/time -o "$work/rss" -f %M)
else
	echo "note: /usr/bin/time not installed (Debian: time): memory not checked"
fi

fail() {
	failed=1
	mkdir -p "$keep"
	[ -f "$work/$name.rules" ] && [ "$keep" != "$work" ] &&
		cp "$work/$name.rules" "$keep/"
	echo "FAIL $name: $*"
	head -c 2000 "$work/out" | head -n 8
	echo "     input kept in $keep/$name.rules"
}

# check NAME WANT [OPTIONS...] [-- GREP]: run `iptsim check OPTIONS
# $work/NAME.rules`. WANT is 0, 1 or "any" (0 or 1). With -- GREP, the
# output must contain GREP (a fixed string).
check() {
	name=$1
	local want=$2 f rc=0 size limit rss opts=() pattern=""
	shift 2
	while [ $# -gt 0 ]; do
		if [ "$1" = -- ]; then
			pattern=$2
			break
		fi
		opts+=("$1")
		shift
	done
	f=$work/$name.rules
	"${timer[@]}" timeout 20 "${nonet[@]}" "$iptsim" check --color=never "${opts[@]}" \
		"$f" >"$work/out" 2>"$work/err" || rc=$?
	if [ "$rc" = 124 ]; then
		fail "hang: no answer in 20 s"
		return
	fi
	if [ "$rc" -ge 128 ]; then
		fail "crash: exit $rc ($(grep -m1 -a -i 'signal\|sanitizer' "$work/err" || true))"
		return
	fi
	if [ "$rc" != 0 ] && [ "$rc" != 1 ]; then
		fail "exit $rc, want 0 or 1: $(head -c 300 "$work/err")"
		return
	fi
	if [ "$want" != any ] && [ "$rc" != "$want" ]; then
		fail "exit $rc, want $want"
		return
	fi
	if [ "$rc" = 1 ] && ! grep -a -q ': error: ' "$work/out"; then
		fail "exit 1 without an error diagnostic"
		return
	fi
	if [ -n "$pattern" ] && ! grep -a -q -F -- "$pattern" "$work/out"; then
		fail "no '$pattern' in the output"
		return
	fi
	if [ ${#timer[@]} -gt 0 ]; then
		size=$(stat -c %s "$f")
		limit=$((65536 + 32 * size / 1024))
		rss=$(tail -n 1 "$work/rss")
		if [ "$rss" -gt "$limit" ]; then
			fail "peak RSS $rss KiB > $limit KiB for $size bytes"
			return
		fi
		echo "ok   $name (exit $rc, $size bytes, $rss KiB)"
	else
		echo "ok   $name (exit $rc)"
	fi
}

gen() { cat >"$work/$1.rules"; }
junk() { seq 1 "$1" | gzip -n -c; }	# deterministic binary bytes

# -- binary data and NUL bytes --------------------------------------------
junk 300000 | gen binary
check binary 1
{ printf '*filter\n'; junk 100000; printf '\nCOMMIT\n'; } | gen binary-in-table
check binary-in-table 1
printf '*filter\n-A INPUT -j ACCEPT\0 -p tcp\nCOMMIT\n' | gen nul-in-rule
check nul-in-rule 1 -- NUL
printf '*filter\0\n-A INPUT -j ACCEPT\nCOMMIT\n' | gen nul-in-table-line
check nul-in-table-line 1
printf '*filter\n:INPUT\0 ACCEPT [0:0]\nCOMMIT\0\n' | gen nul-in-chain-line
check nul-in-chain-line 1
printf '# a \0 comment\n*filter\n-A INPUT -j ACCEPT\nCOMMIT\n' | gen nul-in-comment
check nul-in-comment any
head -c 100000 /dev/zero | gen only-nuls
check only-nuls 1

# -- long lines ------------------------------------------------------------
{ printf '*filter\n-A INPUT -m comment --comment "'
  head -c 5000000 /dev/zero | tr '\0' a
  printf '" -j ACCEPT\nCOMMIT\n'; } | gen line-5mb
check line-5mb 1
{ printf '*filter\n# '; head -c 5000000 /dev/zero | tr '\0' '#'
  printf '\n-A INPUT -j ACCEPT\nCOMMIT\n'; } | gen comment-5mb
check comment-5mb any
{ printf '*filter\n-A INPUT'; head -c 2000000 /dev/zero | tr '\0' ' '
  printf -- '-j ACCEPT\nCOMMIT\n'; } | gen spaces-2mb
check spaces-2mb 1
head -c 5000000 /dev/zero | tr '\0' '\n' | gen newlines-5m
check newlines-5m 0
{ printf '*filter\n-A INPUT '
  awk 'BEGIN { for (i = 0; i < 500000; i++) printf "! " }'
  printf -- '-j ACCEPT\nCOMMIT\n'; } | gen bangs
check bangs 1

# -- scale ---------------------------------------------------------------
{ echo '*filter'; seq 1 1000000 | awk '{ print ":C" $1 " - [0:0]" }'
  echo COMMIT; } | gen million-chains
check million-chains 0
{ echo '*filter'; seq 1 50000 | awk '{ print ":C" $1 " - [0:0]" }'
  echo '-A INPUT -j C1'
  seq 1 49999 | awk '{ print "-A C" $1 " -j C" $1 + 1 }'
  echo '-A C50000 -j DROP'; echo COMMIT; } | gen jump-depth-50000
check jump-depth-50000 any
{ echo '*filter'; seq 1 10000 | awk '{ print ":C" $1 " - [0:0]" }'
  echo '-A INPUT -j C1'
  seq 1 9999 | awk '{ print "-A C" $1 " -g C" $1 + 1 }'
  echo '-A C10000 -j C1'; echo COMMIT; } | gen jump-cycle-10000
check jump-cycle-10000 1 -- 'jump loop'
{ echo '*filter'; echo ':A - [0:0]'; echo '-A INPUT -j A'
  echo '-A A -j A'; echo COMMIT; } | gen jump-self
check jump-self 1 -- 'jump loop'
{ echo '*filter'; seq 1 100000 | awk '{ print "-A INPUT --no-such-option" }'
  echo COMMIT; } | gen errors-100000
check errors-100000 1
{ for _ in $(seq 1 2000); do printf '*nat\n-A OUTPUT -j ACCEPT\nCOMMIT\n'; done; } |
	gen tables-2000
check tables-2000 0

# Address space of a run: 1 GiB, unless the binary cannot start under a
# limit at all (ASan reserves terabytes): then only the time is bounded.
vlimit=1048576
if ! (ulimit -v "$vlimit" && "$iptsim" --version) >/dev/null 2>&1; then
	vlimit=unlimited
	echo "note: $iptsim does not run under ulimit -v (sanitizers?): memory not limited"
fi

# -- address lists: one line, many rules (issue 11) --------------------------
# A line with N sources and M destinations is N x M rules; 600 lines of
# 113 x 113 addresses, each line on its own interface (1.1 MB), would be
# 7.7 million distinct rules, over 1.5 GB. The file is refused at the
# line that crosses the rule limit, within a memory limit (ulimit -v) and
# a time limit, and --max-rules moves the limit both ways.
#
# capped NAME FILE WANT VMEM_KIB SECONDS GREP [OPTIONS...]: iptsim check
# OPTIONS $work/FILE.rules under ulimit -v VMEM_KIB and SECONDS; peak RSS
# under README's bound, 64 MiB + 32 x the file size + 230 bytes x the rule
# limit (--max-rules in OPTIONS, else 1,000,000).
capped() {
	name=$1
	local f=$work/$2.rules want=$3 vmem=$4 secs=$5 pattern=$6 rc=0
	local max=1000000 size limit rss="" a prev=""
	shift 6
	for a in "$@"; do
		[ "$prev" = --max-rules ] && max=$a
		prev=$a
	done
	[ "$vlimit" = unlimited ] && vmem=unlimited	# under ASan: time only
	(ulimit -v "$vmem" && exec "${timer[@]}" timeout "$secs" \
		"${nonet[@]}" "$iptsim" check --color=never "$@" "$f") \
		>"$work/out" 2>"$work/err" || rc=$?
	size=$(stat -c %s "$f")
	if [ "$rc" = 124 ]; then
		fail "no answer in $secs s"
	elif [ "$rc" != "$want" ]; then
		fail "exit $rc, want $want: $(head -c 300 "$work/err")"
	elif [ -n "$pattern" ] && ! grep -a -q -F -- "$pattern" "$work/out"; then
		fail "no '$pattern' in the output"
	elif [ ${#timer[@]} -gt 0 ] && [ "$vlimit" != unlimited ] &&
		rss=$(tail -n 1 "$work/rss") &&
		limit=$((65536 + 32 * size / 1024 + 230 * max / 1024)) &&
		[ "$rss" -gt "$limit" ]; then
		fail "peak RSS $rss KiB > $limit KiB for $size bytes"
	else
		echo "ok   $name (exit $rc, $size bytes, ${rss:-?} KiB, under $vmem KiB and $secs s)"
	fi
}

# addr_lines LINES: LINES rules of 113 sources x 113 destinations (8 bytes
# an address, as many as a 1,023-byte word holds), on interface eLINE
addr_lines() {
	awk -v lines="$1" 'BEGIN {
		for (i = 0; i < 113; i++)
			l = l (i ? "," : "") (1 + int(i / 100)) ".0." \
			    int(i % 100 / 10) "." (i % 10)
		print "*filter"
		for (n = 0; n < lines; n++)
			print "-A INPUT -s " l " -d " l " -i e" n " -j ACCEPT"
		print "COMMIT"
	}'
}
addr_lines 600 | gen address-lists-7m
capped address-lists-7m address-lists-7m 1 1048576 20 \
	"address-lists-7m.rules:80:13: error: too many rules: the file would build 1008751, more than the limit of 1000000 (--max-rules N raises it)"
addr_lines 2 | gen address-lists-25k
capped address-lists-25k-lowered address-lists-25k 1 262144 20 \
	"address-lists-25k.rules:3:13: error: too many rules: the file would build 25538, more than the limit of 20000 (--max-rules N raises it)" \
	--max-rules 20000
capped address-lists-25k-raised address-lists-25k 0 262144 20 "" \
	--max-rules 25538

# -- counters: the kernel keeps what strtoull saturates to ------------------
# (iptables-legacy-restore -c then iptables-legacy-save -c prints
# 18446744073709551615 for 2^64 and for 10^38, and for -1.)
{ echo '*filter'
  echo ':INPUT ACCEPT [18446744073709551615:18446744073709551615]'
  echo ':FORWARD DROP [18446744073709551616:340282366920938463463374607431768211456]'
  echo '[99999999999999999999999999999999999999:1] -A INPUT -j ACCEPT'
  echo '-A INPUT -c 18446744073709551616 18446744073709551616 -j ACCEPT'
  echo ':OUTPUT ACCEPT [-1:-1]'; echo COMMIT; } | gen counters-huge
check counters-huge 0 -c
{ echo '*filter'; printf '[%s:1] -A INPUT -j ACCEPT\n' "$(head -c 100000 /dev/zero | tr '\0' 9)"
  echo COMMIT; } | gen counters-100k-digits
check counters-100k-digits any -c
printf '*filter\n:INPUT ACCEPT [1x:2]\n[1:2:3] -A INPUT -j ACCEPT\nCOMMIT\n' |
	gen counters-malformed
check counters-malformed 1 -c

# -- numbers out of range ----------------------------------------------------
n=0
while IFS= read -r rule; do
	n=$((n + 1))
	printf '*%s\nCOMMIT\n' "$rule" | gen "range-$n"
	check "range-$n" 1
done <<'EOF2'
filter\n-A INPUT -p tcp --dport 65536 -j ACCEPT
filter\n-A INPUT -p tcp --sport 99999999999999999999999 -j ACCEPT
filter\n-A INPUT -p udp --dport 1:65536 -j ACCEPT
filter\n-A INPUT -p tcp -m multiport --dports 1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16 -j ACCEPT
filter\n-A INPUT -m mark --mark 0x100000000 -j ACCEPT
filter\n-A INPUT -m mark --mark 4294967296/0xffffffff -j ACCEPT
mangle\n-A PREROUTING -j MARK --set-mark 18446744073709551616
filter\n-A INPUT -j ACCEPT\n-I INPUT 0 -j DROP
filter\n-A INPUT -j ACCEPT\n-I INPUT 4294967296 -j DROP
filter\n-A INPUT -j ACCEPT\n-I INPUT 3 -j DROP
filter\n-A INPUT -j ACCEPT\n-D INPUT 99999999999999999999999
filter\n-A INPUT -j ACCEPT\n-R INPUT -1 -j DROP
filter\n-A INPUT -p 256 -j ACCEPT
filter\n-A INPUT -p icmp --icmp-type 256 -j ACCEPT
filter\n-A INPUT -s 256.1.1.1 -j ACCEPT
filter\n-A INPUT -s 1.1.1.1/33 -j ACCEPT
filter\n-A INPUT -m limit --limit 99999999999/sec -j ACCEPT
filter\n-A INPUT -m length --length 65536 -j ACCEPT
filter\n-A INPUT -m ttl --ttl-eq 256 -j ACCEPT
nat\n-A PREROUTING -p tcp -j DNAT --to-destination 1.2.3.4:65536
EOF2

# -- truncated files: every 211th byte of a real ruleset ---------------------
t=0
if [ -f "$src/rulesets/docker-host.rules" ]; then
	full=$src/rulesets/docker-host.rules
	len=$(stat -c %s "$full")
	for ((cut = 1; cut < len; cut += 211)); do
		t=$((t + 1))
		head -c "$cut" "$full" | gen "truncated-$cut"
		check "truncated-$cut" any
	done
fi
printf '*filter\n-A INPUT -j ACCEPT\n' | gen missing-commit
check missing-commit 1 -- COMMIT
printf '*filter\n-A INPUT -j ACCEPT\nCOMMIT\n*nat\n' | gen missing-second-commit
check missing-second-commit 1 -- COMMIT
printf '*filter\n-A INPUT -p tcp -m comment --comment "unterminated -j ACCEPT\nCOMMIT\n' |
	gen unterminated-quote
check unterminated-quote any

# -- invalid UTF-8 -------------------------------------------------------
printf '# \xff\xfe\xc3\x28 \xed\xa0\x80 \xf8\x88\x80\x80\x80\n*filter\n-A INPUT -m comment --comment "\xc0\xaf \xff" -j ACCEPT\nCOMMIT\n' |
	gen utf8-invalid-comments
check utf8-invalid-comments 0
printf '*filter\n-A INPUT -m comment --comment "\xff\xfe" --bogus\xc3 -j ACCEPT\n:\xe2\x82 - [0:0]\nCOMMIT\n' |
	gen utf8-invalid-in-error
check utf8-invalid-in-error 1
# JSON must stay JSON (valid UTF-8) whatever bytes the input holds.
if command -v python3 >/dev/null 2>&1; then
	name=utf8-invalid-json
	cp "$work/utf8-invalid-in-error.rules" "$work/$name.rules"
	"${nonet[@]}" "$iptsim" check --format json "$work/$name.rules" >"$work/out" 2>&1 || true
	if python3 -c 'import json, sys; json.loads(open(sys.argv[1], "rb").read().decode("utf-8"))' \
		"$work/out" 2>"$work/err"; then
		echo "ok   $name"
	else
		fail "check --format json is not valid UTF-8 JSON: $(tail -n 1 "$work/err")"
	fi
fi

# -- one file must not change how the next one reads -------------------------
# libxtables remembers every announced chain name for the life of the
# process: a chain called TCPMSS in the first file must not turn the
# second file's -j TCPMSS into a jump.
name=state-between-files
printf '*mangle\n:TCPMSS - [0:0]\nCOMMIT\n' >"$work/$name-1.rules"
printf '*mangle\n-A FORWARD -p tcp --tcp-flags SYN,RST SYN -j TCPMSS --clamp-mss-to-pmtu\nCOMMIT\n' \
	>"$work/$name-2.rules"
rc1=0 rc2=0
"${nonet[@]}" "$iptsim" check --color=never "$work/$name-2.rules" >"$work/alone" 2>&1 || rc1=$?
"${nonet[@]}" "$iptsim" check --color=never "$work/$name-1.rules" "$work/$name-2.rules" \
	>"$work/out" 2>&1 || rc2=$?
if [ "$rc1" = "$rc2" ] && cmp -s "$work/alone" "$work/out"; then
	echo "ok   $name"
else
	cp "$work/$name-1.rules" "$work/$name.rules"
	fail "check A B answers for B differently from check B (exit $rc2, alone $rc1)"
fi

# Names that do not resolve: by default none is looked up (each address
# unknown, with a warning). With --resolve each one would be a resolver
# round (seconds when the DNS does not answer): after the first failure
# iptsim stops asking, and says so at each later name.
name=unresolvable-names
{
	printf '*filter\n:INPUT ACCEPT [0:0]\n'
	for i in $(seq 1 50); do
		printf -- '-A INPUT -s nosuch%d.invalid -j ACCEPT\n' "$i"
	done
	printf 'COMMIT\n'
} | gen "$name"
check "$name" 0 -- "whose address is unknown offline"
check "$name" 1 --resolve -- "iptsim did not look this name up"

# -- exponential paths: budgets (issue 11) -----------------------------------
# Chains C1..Cd, each with k identical jumps to the next: a path of k^d rules
# from a file under 1 KB. Every command that walks or lints must answer
# within seconds and bounded memory: exactly where a memo of pure chain
# calls applies, else undetermined (exit 3) with the budget's numbers.
# expo D K LAST [TABLE]: OUTPUT and INPUT jump to C1, C<D> holds LAST.
expo() {
	local d=$1 k=$2 last=$3 table=${4:-filter} i j
	echo "*$table"
	[ "$table" = filter ] && echo ':INPUT DROP [0:0]'
	for ((i = 1; i <= d; i++)); do echo ":C$i - [0:0]"; done
	echo '-A OUTPUT -j C1'
	[ "$table" = filter ] && echo '-A INPUT -j C1'
	for ((i = 1; i < d; i++)); do
		for ((j = 0; j < k; j++)); do echo "-A C$i -j C$((i + 1))"; done
	done
	echo "-A C$d $last"
	echo COMMIT
}


# walkcase NAME WANT PATTERN CMD ARGS...: run `iptsim CMD ARGS` (paths
# relative to $work) with 10 s and $vlimit KiB at most; WANT is its exit
# code, PATTERN a fixed string its stdout must hold.
walkcase() {
	name=$1
	local want=$2 pattern=$3 rc=0 t0 t1
	shift 3
	t0=$(date +%s%N)
	(cd "$work" && ulimit -v "$vlimit" &&
		exec timeout 10 "${nonet[@]}" "$iptsim" "$@") \
		>"$work/out" 2>"$work/err" || rc=$?
	t1=$(date +%s%N)
	if [ "$rc" = 124 ]; then
		fail "$*: no answer in 10 s"
		return
	fi
	if [ "$rc" != "$want" ]; then
		fail "$*: exit $rc, want $want: $(head -c 300 "$work/err")"
		return
	fi
	if [ -n "$pattern" ] && ! grep -a -q -F -- "$pattern" "$work/out"; then
		fail "$*: no '$pattern' in the output"
		return
	fi
	echo "ok   $name (exit $rc, $(((t1 - t0) / 1000000)) ms)"
}

expo 14 4 '-p tcp -m multiport --ports 9 -j ACCEPT' | gen expo-14
expo 14 4 '-p tcp -m multiport --ports 10 -j ACCEPT' | gen expo-14b
expo 16 4 '-p tcp -m multiport --ports 9 -j ACCEPT' | gen expo-16
expo 40 4 '-p tcp -m multiport --ports 9 -j ACCEPT' | gen expo-40
walkcase expo-trace 1 '357903942 TRACE lines of the SYN left out' \
	trace expo-14.rules
walkcase expo-trace-json 1 '"trace_truncated": true, "trace_omitted": 357903942' \
	trace expo-14.rules --format json
walkcase expo-trace-lines 0 '... 27 TRACE lines of the SYN left out (--max-trace-lines 3: the first 2 and the last are shown)' \
	trace expo-14.rules --dport 9 --max-trace-lines 3
walkcase expo-trace-40 1 'TRACE lines of the SYN left out' trace expo-40.rules
walkcase expo-lint 1 '[IPT009]' lint expo-16.rules
walkcase expo-lint-40 0 '' lint expo-40.rules
printf -- '--dport 9\n--dport 10\n' >"$work/expo.queries"
walkcase expo-query 0 '"outcome": "connected"' query expo-14.rules expo.queries
printf 'connected --dport 9\ntimeout --dport 10\n' >"$work/expo.spec"
walkcase expo-test 0 '2 passed, 0 failed' test expo-14.rules expo.spec
walkcase expo-diff 1 'connected -> timeout' diff expo-14.rules expo-14b.rules

# An undecided LOG at the bottom (limit depends on earlier traffic): each
# of the 4^13 ways past it is a note, and notes are kept as trace lines
# are, the first --max-trace-lines of them (it printed 300 MB, 2.7 million
# notes, with 390 MB of memory before they were).
expo 14 4 '-m limit --limit 1/s -j LOG' | gen log-14
walkcase log-notes 3 'more notes of the SYN left out (--max-trace-lines 10000: the first 10000 are shown)' \
	trace log-14.rules --dport 22
if [ "$(wc -c <"$work/out")" -gt 4000000 ]; then
	fail "trace log-14.rules: $(wc -c <"$work/out") bytes of output"
fi
walkcase log-notes-json 3 '"events_omitted": ' \
	trace log-14.rules --dport 22 --format json

# A mark set at the bottom: no call is pure, nothing is memoized, and the
# visit budget is what stops every walk.
expo 14 4 '-j MARK --set-xmark 0x1/0x1' mangle | gen mark-14
expo 14 4 '-j MARK --set-xmark 0x2/0x2' mangle | gen mark-14b
walkcase mark-trace 3 'UNDETERMINED — the walk stopped at its budget of 10000000 rule visits (--max-visits)' \
	trace mark-14.rules
walkcase mark-trace-json 3 '"visits": {"count": 10000000, "max": 10000000, "exceeded": true}' \
	trace mark-14.rules --format json
printf -- '--dport 1\n--dport 2\n--dport 3\n' >"$work/mark.queries"
walkcase mark-query 3 'budget of 500000 rule visits (what was left of --max-total-visits 2500000)' \
	query mark-14.rules mark.queries --max-visits 2000000 --max-total-visits 2500000
printf 'connected\n' >"$work/mark.spec"
walkcase mark-test 3 '0 passed, 1 failed (1 out of budget: undetermined)' \
	test mark-14.rules mark.spec --max-visits 100000
walkcase mark-diff 3 'not compared: a walk ran out of its budget' \
	diff mark-14.rules mark-14b.rules --max-visits 100000
walkcase mark-diff-total 3 'not asked: --max-total-visits spent' \
	diff mark-14.rules mark-14b.rules --max-total-visits 300000
{ echo '*filter'
  for ((i = 0; i < 3000; i++)); do
	echo "-A INPUT -s 10.$((i / 256)).$((i % 256)).0/24 -p tcp -m tcp --dport $((i + 1)) -j ACCEPT"
  done
  echo COMMIT; } | gen lint-long-chain
# each rule costs a comparison at least (lint's index keeps it near one):
# 3,000 rules spend a budget of 1,000
walkcase lint-budget 3 'lint stopped comparing rules here, at its budget of 1000 rule comparisons (--max-visits)' \
	lint --max-visits 1000 lint-long-chain.rules

if [ $failed != 0 ]; then
	echo "stress: failures; inputs in $keep"
	exit 1
fi
echo "stress: all cases passed"
