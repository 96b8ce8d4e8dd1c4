#!/usr/bin/env bash
# run.sh - hostile inputs as a CI job meets them: files from a stranger's
# pull request. Every case runs under a time limit (timeout), a memory
# limit (ulimit -v, left out under ASan, which reserves terabytes of
# address space) and with no network (unshare -n where possible), and
# asserts the exit code, what the output must and must not hold, that no
# raw control byte reaches the terminal and that JSON is valid.
#
#   run.sh IPTSIM SRCDIR [SHAREDDIR]
# Environment: IPTSIM_TIME_SCALE=N multiplies every time limit (default 1,
# and 20 for a binary that cannot start under the memory limit: ASan and
# TSan, which run the 10,000,000 rule entries of exposure-fanout's search
# 16 times slower, 53 s where 3.3 s was measured).
set -euo pipefail

iptsim=$1

work=$(mktemp -d "${TMPDIR:-/tmp}/iptsim-hostile.XXXXXX")
trap 'rm -rf "$work"' EXIT
cd "$work"

nonet=()
if unshare -n true 2>/dev/null; then
	nonet=(unshare -n)
elif unshare -rn true 2>/dev/null; then
	nonet=(unshare -rn)
fi
vmem=2097152	# KiB
# Probe by behaviour, not by ldd (a CI image may have no ldd, or link the
# sanitizer runtime statically): a binary that cannot start under the
# limit runs without it, and says so.
scale=${IPTSIM_TIME_SCALE:-1}
# (in a shell of its own, which says the crash on the stderr sent away)
if ! bash -c 'ulimit -v "$1" && "$2" --version; exit $?' _ "$vmem" "$iptsim" \
	>/dev/null 2>&1; then
	vmem=unlimited
	scale=${IPTSIM_TIME_SCALE:-20}
	echo "note: $iptsim does not run under ulimit -v (sanitizers?): memory not limited, time limits x$scale"
fi

pass=0
fail=0

# case NAME WANT_RC [--in FILE] [--has TEXT]... [--not TEXT]... [--json]
#      [--secs N] -- ARGS...: run iptsim ARGS in $work.
case_() {
	local name=$1 want=$2 in=/dev/null secs=5 json=0 rc=0 why=""
	local has=() not=()
	shift 2
	while [ "$1" != -- ]; do
		case $1 in
		--in) in=$2; shift 2 ;;
		--has) has+=("$2"); shift 2 ;;
		--not) not+=("$2"); shift 2 ;;
		--json) json=1; shift ;;
		--secs) secs=$2; shift 2 ;;
		*) echo "bad case option $1"; exit 2 ;;
		esac
	done
	shift
	secs=$((secs * scale))
	(ulimit -v "$vmem"; exec timeout -s KILL "$secs" "${nonet[@]}" \
		"$iptsim" "$@" <"$in" >out 2>err) || rc=$?
	if [ "$rc" = 137 ]; then
		why="killed after $secs s (hang or runaway work)"
	elif [ "$rc" -ge 128 ]; then
		why="crash: exit $rc"
	elif [ "$rc" != "$want" ]; then
		why="exit $rc, want $want"
	fi
	for t in "${has[@]}"; do
		[ -n "$why" ] && break
		grep -a -q -F -- "$t" out err || why="no '$t' in the output"
	done
	for t in "${not[@]}"; do
		[ -n "$why" ] && break
		! grep -a -q -F -- "$t" out err || why="'$t' in the output"
	done
	if [ -z "$why" ] && LC_ALL=C grep -a -q -P '[\x00-\x08\x0b-\x1f\x7f]' out err; then
		why="a raw control byte in the output"
	fi
	if [ -z "$why" ] && [ $json = 1 ] &&
		! python3 -c 'import json,sys; json.load(open("out"))' 2>/dev/null &&
		! python3 -c 'import json,sys; [json.loads(l) for l in open("out")]' 2>/dev/null; then
		why="stdout is not JSON"
	fi
	if [ -n "$why" ]; then
		fail=$((fail + 1))
		echo "FAIL $name: $why"
		head -c 600 out err | cat -v | head -n 12
	else
		pass=$((pass + 1))
		echo "ok   $name (exit $rc)"
	fi
}

printf '*filter\n:INPUT DROP [0:0]\n-A INPUT -i lo -j ACCEPT\nCOMMIT\n' > good.rules
printf 'root:x:0:0:SECRET-ROOT-LINE:/root:/bin/bash\n' > secret
printf '[remote "origin"]\n\turl = https://x:SECRET-TOKEN@example.invalid/r.git\n' > config

# -- files that are not files --------------------------------------------
ln -s secret link.rules
case_ symlink 2 --has 'symbolic link' --not SECRET -- check link.rules
case_ symlink-json 2 --not SECRET -- check --format json link.rules
case_ symlink-followed 1 --has 'not iptables-save text' --not SECRET \
	-- check --follow-symlinks link.rules
case_ symlink-trace 2 --has 'symbolic link' -- trace link.rules --dport 22
ln -s good.rules goodlink.rules
case_ symlink-to-rules 2 --has 'symbolic link' -- dump goodlink.rules
case_ symlink-to-rules-followed 0 --has '*filter' \
	-- dump --follow-symlinks goodlink.rules
case_ dev-zero 2 --has 'not a regular file' -- check /dev/zero
case_ dev-urandom 2 --has 'not a regular file' -- lint /dev/urandom
mkfifo fifo.rules
case_ fifo 2 --has 'a FIFO' -- check fifo.rules
case_ directory 2 --has 'a directory' -- check .
truncate -s 65M big.rules
case_ size-cap 2 --has 'more than the limit' -- check big.rules
case_ size-cap-raised 2 --has 'more than the limit' \
	-- check --max-size 1M good.rules big.rules
case_ size-cap-stdin 2 --in big.rules --has 'more than the limit' \
	-- check --max-size 1M -
case_ spec-symlink 2 --has 'symbolic link' -- test good.rules link.rules
case_ queries-symlink 2 --has 'symbolic link' -- query good.rules link.rules
case_ queries-dir 2 --has 'a directory' -- query good.rules .
case_ ipsets-symlink 2 --has 'symbolic link' --not SECRET \
	-- trace good.rules --ipsets link.rules
printf 'create a hash:ip\n' > good.ipsets
ln -s good.ipsets goodlink.ipsets
case_ ipsets-symlink-followed 0 \
	-- trace good.rules --follow-symlinks --ipsets goodlink.ipsets -q
case_ ipsets-fifo 2 --has 'a FIFO' -- trace good.rules --ipsets fifo.rules
case_ ipsets-dev-zero 2 --has 'not a regular file' \
	-- check --ipsets /dev/zero good.rules
case_ ipsets-config 2 --has 'not `ipset save` output' --not SECRET \
	-- trace good.rules --ipsets config

# -- file names that look like options --------------------------------------
cp good.rules ./-h.rules
case_ dash-h-file 2 --has "unknown option '-.'" -- check --lint -h.rules good.rules
case_ dash-h-file-after-dashes 0 -- check --lint -- -h.rules good.rules
cp good.rules ./-c.rules
case_ dash-c-file 0 -- check --lint -- -c.rules
case_ help-with-files 2 -- lint --help good.rules
case_ help-alone 0 --has 'usage:' -- lint --help

# -- files that are not rules -----------------------------------------------
case_ config-file 1 --has 'not iptables-save text' --not SECRET -- check config
case_ config-file-json 1 --not SECRET --json -- check --format json config
case_ config-file-lint 2 --not SECRET -- lint config
case_ config-file-trace 2 --not SECRET -- trace config --dport 22
{ printf '\211PNG\r\n\032\n'; seq 1 40000 | gzip -n -c; } > binary.rules
case_ binary-file 1 --has 'not iptables-save text' --not ' | ' -- check binary.rules
awk 'BEGIN { print "*filter"; for (i = 0; i < 100000; i++)
	print "-A INPUT -p tcp --dprt " i " -j ACCEPT"; print "COMMIT" }' > errors.rules
case_ many-errors 1 --has '20 errors: the rest of the file was not read' \
	-- check errors.rules
[ "$(grep -c ': error: ' out)" = 20 ] || { fail=$((fail + 1)); echo "FAIL many-errors: not 20 errors"; }

# -- graph and trace --format dot: the file's bytes in DOT labels ----------
# Chain names and comments holding quotes, backslashes (one before the
# closing quote of a label), ESC, OSC 52, BEL, U+202E and a byte that is
# not UTF-8: escaped as text is, and Graphviz still parses the graph.
printf '*filter\n:INPUT ACCEPT [0:0]\n:FORWARD ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n' > dot.rules
printf -- '-N "q\\"x\\\\"\n-N o\033]52;c;SGk=\007\n-N b\342\200\256d\377\n' >> dot.rules
printf -- '-A OUTPUT -j "q\\"x\\\\"\n' >> dot.rules
printf -- '-A OUTPUT -p tcp --dport 1060 -m comment --comment "x\\" \\\\N \033[2J \342\200\256 \\\\" -j o\033]52;c;SGk=\007\n' >> dot.rules
printf -- '-A o\033]52;c;SGk=\007 -p tcp --dport 1060 -m comment --comment "end\\\\" -j DROP\n' >> dot.rules
printf -- '-A INPUT -g b\342\200\256d\377\nCOMMIT\n' >> dot.rules
case_ graph-hostile-names 0 --has 'o&#92;&#92;x1b]52;c;SGk=&#92;&#92;x07' \
	--has 'b&#92;&#92;u202ed&#92;&#92;xff' \
	--has 'q&#34;x&#92;&#92;' -- graph dot.rules
dot_parses() {
	if ! command -v dot >/dev/null; then
		echo "note: dot (graphviz) not installed: $1 not parsed"
	elif dot -Tsvg out >svg 2>dot.err && [ ! -s dot.err ]; then
		pass=$((pass + 1))
		echo "ok   $1: dot -Tsvg parses it"
	else
		fail=$((fail + 1))
		echo "FAIL $1: dot -Tsvg: $(head -c 300 dot.err | cat -v)"
	fi
}
dot_parses graph-hostile-names
case_ trace-dot-hostile-names 1 \
	--has 'decided by: filter:o&#92;&#92;x1b]52;c;SGk=&#92;&#92;x07:rule:1' \
	-- trace dot.rules --dport 1060 --format dot
dot_parses trace-dot-hostile-names
# 20,000 rules of one chain jumping to one chain: one edge, not 20,000
awk 'BEGIN { print "*filter"; print ":OUTPUT ACCEPT [0:0]"; print ":J - [0:0]"
	for (i = 0; i < 20000; i++) print "-A OUTPUT -p tcp --dport " i " -j J"
	print "COMMIT" }' > fanout.rules
case_ graph-fanout 0 --has '20000 rules, first rule 1, fanout.rules:4' -- graph fanout.rules
if [ "$(wc -c < out)" -lt 4000 ]; then
	pass=$((pass + 1)); echo "ok   graph-fanout: $(wc -c < out) bytes"
else
	fail=$((fail + 1)); echo "FAIL graph-fanout: $(wc -c < out) bytes for 3 chains"
fi
# 3,000 chains each jumping to the next: no recursion, every chain drawn
awk 'BEGIN { print "*filter"; print ":OUTPUT ACCEPT [0:0]"
	for (i = 1; i <= 3000; i++) print ":C" i " - [0:0]"
	print "-A OUTPUT -j C1"
	for (i = 1; i < 3000; i++) print "-A C" i " -j C" i + 1
	print "COMMIT" }' > deep.rules
case_ graph-deep 0 --has 'filter__C2999 -> filter__C3000' --not 'no hook reaches' \
	-- graph deep.rules
case_ trace-dot-deep 0 --has 'chain changes left out' -- trace deep.rules --format dot

# -- exposure: rule files, expectation files and host names of a stranger --
case_ exposure-symlink 2 --has 'symbolic link' --not SECRET -- exposure link.rules
case_ exposure-expect-symlink 2 --has 'symbolic link' --not SECRET \
	-- exposure good.rules --expect link.rules
printf '22/tcp lo op\033]0;x\007en\n\000\377 1/tcp lo open\n22/tcp lo open x\n' > ctl.expect
case_ exposure-expect-controls 2 --has 'ctl.expect:1:11: error: unknown state' \
	--has 'ctl.expect:2:1: error: a NUL byte in the line' \
	--has 'ctl.expect:3:16: error: expected' -- exposure good.rules --expect ctl.expect
case_ exposure-iface-controls 0 --has 'e\x1b[2J:internet' \
	-- exposure good.rules --iface "$(printf 'e\033[2J=192.0.2.1/24')"
case_ exposure-iface-controls-json 0 --json \
	-- exposure good.rules --iface "$(printf 'e\033[2J=192.0.2.1/24')" --format json
case_ exposure-from-controls 2 --has "no source class '\\x1b[2J'" \
	-- exposure good.rules --from "$(printf '\033[2J')"
# 4^13 ways through nat PREROUTING: the search for rows stops, and says so
awk 'BEGIN { print "*nat"; print ":PREROUTING ACCEPT [0:0]"
	for (i = 1; i <= 14; i++) print ":C" i " - [0:0]"
	print "-A PREROUTING -j C1"
	for (i = 1; i < 14; i++) for (k = 0; k < 4; k++)
		print "-A C" i " -p tcp --dport " i * 10 + k " -j C" i + 1
	print "-A C14 -j DNAT --to-destination 10.0.0.1"; print "COMMIT" }' > fan4.rules
case_ exposure-fanout 0 --secs 20 --has 'the search for rows stopped' -- exposure fan4.rules
# 3,000 nested chains above the rule naming the port: cut, said, no crash
awk 'BEGIN { print "*filter"; print ":INPUT ACCEPT [0:0]"
	for (i = 1; i <= 3000; i++) print ":C" i " - [0:0]"
	print "-A INPUT -j C1"
	for (i = 1; i < 3000; i++) print "-A C" i " -j C" i + 1
	print "-A C3000 -p tcp --dport 22 -j ACCEPT"; print "COMMIT" }' > deep-in.rules
case_ exposure-deep 0 --has 'the search for rows stopped' -- exposure deep-in.rules
# 70,000 ports named: refused at --max-cells, nothing simulated
awk 'BEGIN { print "*filter"; print ":INPUT ACCEPT [0:0]"
	for (i = 1; i <= 65535; i++) print "-A INPUT -p tcp --dport " i " -j ACCEPT"
	for (i = 1; i <= 5000; i++) print "-A INPUT -p udp --dport " i " -j ACCEPT"
	print "COMMIT" }' > ports.rules
case_ exposure-max-cells 2 --secs 20 --has 'is over --max-cells 100000' \
	-- exposure ports.rules --iface eth0=192.0.2.1/24

echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
