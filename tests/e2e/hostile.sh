#!/usr/bin/env bash
# hostile.sh - files from a stranger's pull request, run through every
# command and format as a CI job would: rule files and specs holding ESC,
# OSC 52, CR, BS, BEL, DEL, C1 controls, U+202E and other bidi controls,
# ill-formed UTF-8 (surrogates, overlong forms, past U+10FFFF), and file
# names holding control bytes, a newline, or "::error ...", the start of a
# GitHub Actions workflow command. The files are made here, at run time,
# so that the repository holds no odd file name.
#
# What must hold: text on stdout and stderr is valid UTF-8 holding no
# control character but LF and TAB, no C1 and no bidi control; no line
# starts with "::" (leading blanks ignored, as the runner does); JSON
# parses, JUnit parses as XML; dump into a pipe keeps the bytes; exit codes
# are what each command promises. Needs python3.
set -euo pipefail

iptsim=$1
# shellcheck source=tests/e2e/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
e2e_need python3

e2e_tmpdir
cd "$tmp"

# A file that loads: the dangerous bytes in comments, a log prefix and a
# chain name, and rules trace and diff meet.
printf '%s\n' '*filter' ':INPUT ACCEPT [0:0]' ':OUTPUT ACCEPT [0:0]' \
	> good.rules
printf ':E\033[2J\342\200\256 - [0:0]\n' >> good.rules
printf -- '-A OUTPUT -p tcp --dport 1060 -m comment --comment "osc52 \033]52;c;cm0gLXJmIH4K\007 \r hidden \010\010 \177" -j E\033[2J\342\200\256\n' >> good.rules
printf -- '-A E\033[2J\342\200\256 -m comment --comment "\342\200\256\342\201\246 rtl \302\2332J \355\240\200 \300\257 \340\200\257 \364\220\200\200 \357\277\276" -j LOG --log-prefix "\033[8m\377"\n' >> good.rules
printf -- '-A E\033[2J\342\200\256 -j DROP\n' >> good.rules
printf -- '-A E\033[2J\342\200\256 -p tcp -m comment --comment "\033]52;c;eQ==\007 never" -j ACCEPT\n' >> good.rules
printf 'COMMIT\n' >> good.rules

# A file that does not load, its errors after the same bytes.
printf '%s\n' '*filter' ':INPUT ACCEPT [0:0]' > bad.rules
printf -- '-A INPUT -m comment --comment "\033]52;c;eA==\007\342\200\256" --dprt\033[2J 22 -j ACCEPT\n' >> bad.rules
printf -- '-A INPUT -p tcp --dport 23 -j DROP --bogus\r-A INPUT -j ACCEPT\n' >> bad.rules
printf -- '-A INPUT -p tcp --dport 24 -j \355\240\200\342\200\256\n' >> bad.rules
printf 'COMMIT\n' >> bad.rules

# A spec whose lines quote the same bytes.
printf 'timeout --dport 1060\nconnected --dport 1060 --decided-by "f\033[2J:O\342\200\256:rule:1"\ntimeout --uid "\033]52;c;eA==\007"\n' \
	> evil.spec
printf 'connected --dport 22\n' > pass.spec
printf -- '--dport 1060\n--uid \033[2J\342\200\256\n' > evil.queries

# File names: a workflow command, one with a newline and ESC, one with a
# blank before the command, one with ill-formed UTF-8.
names=(
	'::error title=x::y.rules'
	$'n\033]0;pwned\007\n::warning::z.rules'
	' ::notice::a.rules'
	$'u\xed\xa0\x80\xe2\x80\xae.rules'
)
for n in "${names[@]}"; do
	cp good.rules "$n"
	cp bad.rules "bad-$n" 2> /dev/null || cp bad.rules "./bad-$n"
done
# NEW for diff: the jump to the dropping chain gone, so that each side's
# sentence quotes the other's rules
grep -av -- '-j E' good.rules > '::error::new.rules'

fail=0
ncases=0

# Check output files of kind text, color (text with iptsim's own SGR
# sequences, taken out first), json, jsonl or xml; the arguments are
# pairs KIND FILE and each failure is printed as "FILE: why".
check_outputs() {
	python3 - "$@" <<'PY'
import json, re, sys
import xml.dom.minidom

bad = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f"
                 "\u202a-\u202e\u2066-\u2069\u2028\u2029\ufffe\uffff]")

def check(kind, path):
    data = open(path, "rb").read()
    if kind == "color":
        data = re.sub(rb"\x1b\[[0-9;]*m", b"", data)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as e:
        return ["not UTF-8: %s" % e]
    errs = []
    m = bad.search(text)
    if m:
        errs.append("control or bidi character %r: %r" %
                    (m.group(), text[max(0, m.start() - 30):m.start() + 10]))
    for line in text.split("\n"):
        if line.lstrip().startswith("::"):
            errs.append("a line starts a workflow command: %r" % line[:80])
    try:
        if kind == "json":
            json.loads(text)
        elif kind == "jsonl":
            for line in text.splitlines():
                json.loads(line)
            if not text:
                errs.append("nothing on stdout")
        elif kind == "xml":
            xml.dom.minidom.parseString(data)
    except Exception as e:
        errs.append("%s does not parse: %s" % (kind, e))
    return errs

failed = False
args = sys.argv[1:]
for kind, path in zip(args[::2], args[1::2]):
    for e in check(kind, path):
        print("%s: %s" % (path, e))
        failed = True
sys.exit(1 if failed else 0)
PY
}

# run WANT_RC KIND ARGS...: stdout to be checked as KIND, stderr as text
# (as color with --color=always).
# The exit code is checked here, the outputs all at once at the end.
checks=()
run() {
	local want=$1 kind=$2 rc=0
	shift 2
	ncases=$((ncases + 1))
	printf '%q ' "$@" > "cmd.$ncases"
	NO_COLOR="" "$iptsim" "$@" > "out.$ncases" 2> "err.$ncases" \
		< /dev/null || rc=$?
	if [ "$rc" != "$want" ]; then
		echo "FAIL iptsim $(cat "cmd.$ncases"): exit code $rc, expected $want"
		fail=1
	fi
	# --color=always colours the diagnostics on stderr too
	case " $* " in
	*" --color=always "*) checks+=("$kind" "out.$ncases" color "err.$ncases") ;;
	*) checks+=("$kind" "out.$ncases" text "err.$ncases") ;;
	esac
}

for f in good.rules bad.rules "${names[@]}" "${names[@]/#/bad-}"; do
	case $f in
	bad*) ok=1 lrc=2 trc=2 ;;
	*) ok=0 lrc=1 trc=1 ;;
	esac
	run $ok color check --color=always "$f"
	run $ok json check --format json "$f"
	run $ok json check --format sarif "$f"
	run $ok text check --lint "$f"
	run $lrc text lint "$f"
	run $lrc color lint --color=always "$f"
	run $lrc json lint --format json "$f"
	run $lrc json lint --format sarif "$f"
	run $trc text trace "$f"
	run $trc json trace --format json "$f"
	run $trc text trace --kernel-trace "$f"
	run 2 text test "$f" evil.spec pass.spec
	run 2 jsonl test --format json "$f" evil.spec pass.spec
	run 2 xml test --format junit "$f" evil.spec pass.spec
	run 2 jsonl query "$f" evil.queries
	run $((ok ? 2 : 1)) text diff "$f" '::error::new.rules' --dport 1060
	run $((ok ? 2 : 1)) text diff --undetermined "$f" '::error::new.rules'
	run $((ok ? 2 : 1)) json diff --format json "$f" '::error::new.rules'
	run $((ok ? 2 : 1)) json diff --format sarif '::error::new.rules' "$f"
done
# files that cannot be read: named in the message, escaped
for n in "${names[@]}"; do
	m=${n%.rules}-missing.rules
	run 2 text check "$m"
	run 2 json check --format json "$m"
	run 2 json check --format sarif "$m"
	run 2 jsonl test --format json good.rules "$m"
	run 2 xml test --format junit good.rules "$m"
	run 2 xml test --format junit "$m" pass.spec
	run 2 jsonl query good.rules "$m"
	run 2 jsonl query "$m" evil.queries
	run 2 json trace --format json "$m"
	run 2 json diff --format json good.rules "$m"
	run 2 json diff --format sarif "$m" good.rules
	run 2 text dump "$m"
	# usage errors quote the words they refuse
	run 2 text check --format "$n" good.rules
	run 2 text trace --dport "$n" good.rules
done
run 2 text "::error::x"

if ! check_outputs "${checks[@]}" > why; then
	while IFS= read -r line; do
		n=${line#*.}
		n=${n%%:*}
		echo "FAIL iptsim $(cat "cmd.$n"): ${line}"
	done < why
	fail=1
fi

# dump: data for iptables-restore, unchanged into a pipe
ncases=$((ncases + 1))
"$iptsim" dump good.rules > out
if ! grep -q $'\033\\]52;' out || ! grep -q $'\342\200\256' out; then
	echo "FAIL iptsim dump good.rules: the bytes of the file were changed"
	fail=1
fi
if command -v script > /dev/null; then
	ncases=$((ncases + 1))
	script -qec "$iptsim dump good.rules" /dev/null > out < /dev/null
	tr -d '\r' < out > out.lf
	if ! check_outputs text out.lf > why 2>&1; then
		echo "FAIL iptsim dump good.rules on a terminal: $(head -3 why)"
		fail=1
	fi
	if ! grep -q 'osc52 \\x1b\]52;' out.lf; then
		echo "FAIL iptsim dump good.rules on a terminal: not escaped"
		fail=1
	fi
fi

if [ "$fail" != 0 ]; then
	exit 1
fi
echo "hostile: $ncases runs, every output safe"
