#!/bin/bash
# run.sh - no file and no environment variable chooses the code iptsim
# loads (issue 11). A marker library (marker.c: its constructor writes a
# file) is planted where libxtables would dlopen() it if it took its
# directory from XTABLES_LIBDIR or IPTABLES_LIB_DIR; iptsim must load the
# extensions it was built with and never the marker. With strace, no path
# under the planted directories may even be looked at.
#
#   run.sh IPTSIM SRCDIR [SHAREDDIR]      (CC: the C compiler; 77: skipped)
set -euo pipefail

iptsim=$1
src=$2
cc=${CC:-cc}

if ! command -v "$cc" >/dev/null 2>&1; then
	echo "SKIP: no C compiler ($cc) to build the marker library"
	exit 77
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/iptsim-extdir.XXXXXX")
trap 'rm -rf "$work"' EXIT
marker=$work/marker
failed=0

# plant PATH.so: the marker library under that name
plant() {
	mkdir -p "$(dirname "$1")"
	"$cc" -shared -fPIC -DMARKER="\"$marker\"" -o "$1" \
		"$src/tests/extdir/marker.c"
}

fail() {
	failed=1
	echo "FAIL $name: $*"
	head -n 8 "$work/out"
}

# run NAME WANT_RC GREP [ENV=VALUE...] -- ARGS...: iptsim ARGS with the
# environment given; exit code WANT_RC, GREP in its output (fixed string,
# "" for none), and no marker afterwards.
run() {
	name=$1
	local want=$2 pattern=$3 envs=() rc=0
	shift 3
	while [ "$1" != -- ]; do
		envs+=("$1")
		shift
	done
	shift
	rm -f "$marker"
	env "${envs[@]}" "$iptsim" "$@" >"$work/out" 2>&1 || rc=$?
	if [ -e "$marker" ]; then
		fail "the marker library was loaded"
	elif [ "$rc" != "$want" ]; then
		fail "exit $rc, want $want"
	elif [ -n "$pattern" ] && ! grep -q -F -- "$pattern" "$work/out"; then
		fail "no '$pattern' in the output"
	else
		echo "ok   $name"
	fi
}

# A directory an attacker controls, holding libraries under the names of
# real extensions and of made-up ones.
evil=$work/evil
for n in comment tcp standard LOG EVIL evil; do
	plant "$evil/libxt_$n.so"
	plant "$evil/libipt_$n.so"
done

cat >"$work/good.rules" <<'RULES'
*filter
:INPUT ACCEPT [0:0]
-A INPUT -p tcp --dport 22 -m comment --comment ssh -j LOG
COMMIT
RULES
cat >"$work/evil-match.rules" <<'RULES'
*filter
-A INPUT -m evil -j ACCEPT
COMMIT
RULES
cat >"$work/evil-target.rules" <<'RULES'
*filter
-A INPUT -j EVIL
COMMIT
RULES
cat >"$work/evil-chain.rules" <<'RULES'
*filter
-N evil
-A INPUT -j evil
COMMIT
RULES

for var in XTABLES_LIBDIR IPTABLES_LIB_DIR; do
	run "$var-good" 0 "" "$var=$evil" -- check "$work/good.rules"
	run "$var-dump" 0 "-m comment --comment ssh -j LOG" "$var=$evil" -- \
		dump "$work/good.rules"
	run "$var-match" 1 "Couldn't load match \`evil':No such file or directory" \
		"$var=$evil" -- check "$work/evil-match.rules"
	run "$var-target" 1 "Couldn't load target \`EVIL':No such file or directory" \
		"$var=$evil" -- check "$work/evil-target.rules"
	run "$var-new-chain" 0 "" "$var=$evil" -- check "$work/evil-chain.rules"
done
# Both at once, and the option pointing at the real directory.
run both-vars 0 "" "XTABLES_LIBDIR=$evil" "IPTABLES_LIB_DIR=$evil" -- \
	check "$work/good.rules"

# --xtables-libdir is the one way to change the directory: a copy of the
# real one without libxt_comment.so shows that it is the one used.
real=${IPTS_XTABLES_LIBDIR:-$(pkg-config --variable xtlibdir xtables)}
mkdir "$work/copy"
for f in "$real"/*.so; do
	case $f in */libxt_comment.so) ;; *) ln -s "$f" "$work/copy/" ;; esac
done
run option-copy 1 "Couldn't load match \`comment':No such file or directory" \
	"XTABLES_LIBDIR=$real" -- check --xtables-libdir "$work/copy" \
	"$work/good.rules"
run option-real 0 "" "XTABLES_LIBDIR=$evil" -- check --xtables-libdir \
	"$real" "$work/good.rules"
run option-missing 1 "cannot use '$work/none' as the xtables extension directory: No such file or directory" \
	-- check --xtables-libdir "$work/none" "$work/good.rules"
run option-not-xtables 1 "cannot use '$work' as the xtables extension directory: it holds no libxt_standard.so" \
	-- check --xtables-libdir "$work" "$work/good.rules"
run option-relative 2 "invalid --xtables-libdir 'copy'" -- check \
	--xtables-libdir copy "$work/good.rules"
run option-list 2 "invalid --xtables-libdir '$real:$evil'" -- check \
	--xtables-libdir "$real:$evil" "$work/good.rules"

# A name as a path: in a directory holding a libxt_x subdirectory,
# "x/../../e" makes libxtables' "<dir>/libxt_x/../../e.so", the marker
# planted next to the directory. Chains may have such names (the kernel
# takes them); extensions never do.
trapdir=$work/trap/xt
mkdir -p "$trapdir/libxt_x" "$trapdir/libipt_x"
ln -s "$real"/*.so "$trapdir/"
plant "$work/trap/e.so"
cat >"$work/trav-match.rules" <<'RULES'
*filter
-A INPUT -m x/../../e -j ACCEPT
COMMIT
RULES
cat >"$work/trav-target.rules" <<'RULES'
*filter
-A INPUT -p tcp -j x/../../e --dport 1
COMMIT
RULES
cat >"$work/trav-chain.rules" <<'RULES'
*filter
:y/../../e - [0:0]
-N x/../../e
-A INPUT -j x/../../e
-A INPUT -g y/../../e
-E x/../../e z/../../e
-A INPUT -j z/../../e
COMMIT
RULES
run traversal-match 1 "Couldn't load match \`x/../../e':No such file or directory" \
	-- check --xtables-libdir "$trapdir" "$work/trav-match.rules"
run traversal-target 1 "Couldn't load target \`x/../../e':No such file or directory" \
	-- check --xtables-libdir "$trapdir" "$work/trav-target.rules"
run traversal-chain 0 "-A INPUT -j z/../../e" -- dump --xtables-libdir \
	"$trapdir" "$work/trav-chain.rules"

# strace: no path under a planted directory is looked up at all, and no
# path is made of a name the file gave.
if command -v strace >/dev/null 2>&1; then
	name=strace
	rc=0
	XTABLES_LIBDIR=$evil IPTABLES_LIB_DIR=$evil strace -f -qq \
		-e trace=%file -o "$work/trace" "$iptsim" check \
		"$work/good.rules" "$work/evil-match.rules" \
		"$work/evil-target.rules" "$work/evil-chain.rules" \
		"$work/trav-match.rules" "$work/trav-target.rules" \
		"$work/trav-chain.rules" >"$work/out" 2>&1 || rc=$?
	if [ "$rc" != 1 ]; then
		fail "exit $rc under strace, want 1"
	elif grep -e "$evil/" -e '/\.\./' -e 'lib\(xt\|ipt\)_[xyz]/' \
		"$work/trace" >"$work/hits"; then
		fail "paths looked up that a file or the environment chose:"
		head -n 5 "$work/hits"
	else
		echo "ok   $name"
	fi
else
	echo "note: strace not installed: file accesses not traced"
fi

[ $failed = 0 ]
