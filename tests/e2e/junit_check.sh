#!/usr/bin/env bash
# junit_check.sh - `iptsim test --format junit` is well-formed XML that CI
# systems read: <testsuites> holds one <testsuite> per spec with name,
# tests, failures and errors attributes that agree with its <testcase>
# elements (each with name and classname), and each failing or bad line
# carries a <failure> or <error> with a message. Needs python3.
set -euo pipefail

iptsim=$1
srcdir=$2
cd "$srcdir/tests/e2e/test"

# shellcheck source=tests/e2e/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
e2e_need python3

out=$(mktemp)
bad=$(mktemp -d)
trap 'rm -rf "$out" "$bad"' EXIT
rc=0
NO_COLOR=1 "$iptsim" test --format junit pass.rules pass.spec fail.spec \
	report.spec bad-lines.spec > "$out" 2> /dev/null || rc=$?
if [ "$rc" != 2 ]; then
	echo "FAIL: exit code $rc, expected 2 (bad spec lines)"
	exit 1
fi

python3 - "$out" <<'PY'
import sys
import xml.dom.minidom

doc = xml.dom.minidom.parse(sys.argv[1])
root = doc.documentElement
assert root.tagName == "testsuites", root.tagName
suites = root.getElementsByTagName("testsuite")
assert [s.getAttribute("name") for s in suites] == \
    ["pass.spec", "fail.spec", "report.spec", "bad-lines.spec"], suites
total = {"tests": 0, "failures": 0, "errors": 0}
for s in suites:
    cases = s.getElementsByTagName("testcase")
    fails = sum(len(c.getElementsByTagName("failure")) for c in cases)
    errs = sum(len(c.getElementsByTagName("error")) for c in cases)
    for c in cases:
        assert c.getAttribute("name").startswith("line "), c.toxml()
        assert c.getAttribute("classname"), c.toxml()
        for e in c.getElementsByTagName("failure") + \
                c.getElementsByTagName("error"):
            assert e.getAttribute("message"), e.toxml()
    got = {"tests": len(cases), "failures": fails, "errors": errs}
    for k, v in got.items():
        assert s.getAttribute(k) == str(v), (s.getAttribute("name"), k, v)
        total[k] += v
    assert len(cases) > 0
for k, v in total.items():
    assert root.getAttribute(k) == str(v), (k, v)
assert total["failures"] > 0 and total["errors"] > 0, total
print("junit: %(tests)d testcases, %(failures)d failures, "
      "%(errors)d errors, well-formed" % total)
PY

# Bytes that are not UTF-8 and control characters in a spec still give
# well-formed XML.
printf 'connected --uid \xff\xfe\x01 # x\ntimeout --dport 1060 --uid 7\x1b\n' \
	> "$bad/bytes.spec"
rc=0
NO_COLOR=1 "$iptsim" test --format junit pass.rules "$bad/bytes.spec" \
	> "$out" 2> /dev/null || rc=$?
[ "$rc" = 2 ] || { echo "FAIL: bytes.spec: exit code $rc, expected 2"; exit 1; }
python3 -c 'import sys, xml.dom.minidom; xml.dom.minidom.parse(sys.argv[1])' \
	"$out"
echo "junit: a spec with invalid UTF-8 and control bytes gives well-formed XML"

# Sequences that look like UTF-8 but are no XML 1.0 characters: a
# surrogate, overlong forms, a code point past U+10FFFF, U+FFFE, U+FFFF;
# and C1 controls, which XML allows but a report must not show raw.
printf 'connected --uid "\355\240\200 \300\257 \340\200\257 \364\220\200\200"\ntimeout --uid "\357\277\276\357\277\277 \302\233 \342\200\256"\nconnected --dport 1060 --decided-by "x\355\240\200:\357\277\277:rule:1"\n' \
	> "$bad/forms.spec"
rc=0
NO_COLOR=1 "$iptsim" test --format junit pass.rules "$bad/forms.spec" \
	> "$out" 2> /dev/null || rc=$?
[ "$rc" = 2 ] || { echo "FAIL: forms.spec: exit code $rc, expected 2"; exit 1; }
python3 - "$out" <<'PY'
import sys
import xml.dom.minidom

data = open(sys.argv[1], "rb").read()
xml.dom.minidom.parseString(data)
text = data.decode("utf-8")
for c in ("\ufffe", "\uffff", "\u009b", "\u202e"):
    assert c not in text, "raw U+%04X in the document" % ord(c)
for e in ("\\xed\\xa0\\x80", "\\xc0\\xaf", "\\xf4\\x90\\x80\\x80",
          "\\ufffe\\uffff", "\\u009b", "\\u202e"):
    assert e in text, "no %s in the document" % e
PY
echo "junit: surrogates, overlong forms, U+FFFE/U+FFFF and C1 are mapped"

# RULES that does not load, and a spec that cannot be read: still a
# document, each file a testsuite holding one testcase in error.
check_errors() {
	python3 - "$out" "$1" <<'PY'
import sys
import xml.dom.minidom

doc = xml.dom.minidom.parse(sys.argv[1])
root = doc.documentElement
assert root.tagName == "testsuites", root.tagName
errors = root.getElementsByTagName("error")
assert len(errors) == int(sys.argv[2]), [e.toxml() for e in errors]
assert root.getAttribute("errors") == sys.argv[2], root.toxml()
for e in errors:
    assert e.getAttribute("message"), e.toxml()
    assert e.firstChild and e.firstChild.data.strip(), e.toxml()
PY
}
rc=0
NO_COLOR=1 "$iptsim" test --format junit bad-rules.rules pass.spec \
	> "$out" 2> /dev/null || rc=$?
[ "$rc" = 2 ] || { echo "FAIL: bad-rules: exit code $rc, expected 2"; exit 1; }
check_errors 1
rc=0
NO_COLOR=1 "$iptsim" test --format junit pass.rules pass.spec \
	"$bad/missing.spec" > "$out" 2> /dev/null || rc=$?
[ "$rc" = 2 ] || { echo "FAIL: missing.spec: exit code $rc, expected 2"; exit 1; }
check_errors 1
echo "junit: RULES that does not load and an unreadable spec give documents"
