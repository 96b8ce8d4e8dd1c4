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

if [ $failed != 0 ]; then
	echo "stress: failures; inputs in $keep"
	exit 1
fi
echo "stress: all cases passed"
