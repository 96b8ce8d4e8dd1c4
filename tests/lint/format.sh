#!/usr/bin/env bash
# format.sh - the C lines a change adds or edits are as clang-format
# (.clang-format) would write them. Only changed lines are checked (the
# code base is not reformatted at once), and a difference of blanks inside
# a line is let pass: the code aligns trailing comments and table columns
# with tabs, which clang-format 14 cannot keep. Line breaks, indentation,
# braces and line length are what it checks.
#
#   format.sh IPTSIM SRCDIR [SHAREDDIR]    (as ctest runs it; IPTSIM unused)
#
# BASE ($IPTS_FORMAT_BASE, else HEAD~1: the last commit's change, a
# merge's whole branch) is compared with HEAD. Skipped (77) without git,
# git-clang-format, or a BASE in the history (a shallow clone). To fix the
# lines of a change before committing: git clang-format --extensions c,h
# (staged lines), or 'git clang-format --extensions c,h HEAD~1' after it
# (without --extensions it also rewrites the JSON of recorded cases).
set -euo pipefail

src=${2:-.}
cd "$src"
base=${IPTS_FORMAT_BASE:-HEAD~1}

skip() { echo "SKIP: $*"; exit 77; }
command -v git >/dev/null || skip "no git"
command -v git-clang-format >/dev/null || skip "no git-clang-format"
git rev-parse --verify -q HEAD >/dev/null 2>&1 || skip "not a git checkout"
git rev-parse --verify -q "$base^{commit}" >/dev/null 2>&1 ||
	skip "no commit $base in this checkout's history"

out=$(mktemp)
trap 'rm -f "$out"' EXIT
# Two commits: the lines of HEAD that differ from BASE, working tree aside.
git clang-format --diff --extensions c,h "$base" HEAD >"$out" 2>&1 || true

python3 - "$out" "$base" <<'EOF'
import re
import sys

text = open(sys.argv[1], encoding="utf-8", errors="replace").read()
base = sys.argv[2]
if not text.startswith("diff"):
    # "no modified files to format", "clang-format did not modify ..."
    print("ok   format: the C lines changed since %s" % base)
    sys.exit(0)


def squash(lines):
    """The lines with each run of blanks inside them made one space: the
    line breaks and the indentation (a tab or spaces, one run) stay."""
    return [re.sub(r"(?<=\S)[ \t]+", " ", x).rstrip() for x in lines]


bad = []
path = None
hunk = None


def flush():
    if hunk and squash(hunk["old"]) != squash(hunk["new"]):
        bad.append(hunk)


for line in text.splitlines():
    if line.startswith("diff ") or line.startswith("--- "):
        flush()
        hunk = None
    elif line.startswith("+++ "):
        flush()
        hunk = None
        path = line[4:].removeprefix("b/")
    elif line.startswith("@@"):
        flush()
        m = re.match(r"@@ -\d+(?:,\d+)? \+(\d+)", line)
        hunk = {"path": path, "line": int(m.group(1)) if m else 0,
                "old": [], "new": [], "text": [line]}
    elif hunk is not None and line[:1] in "+- ":
        hunk["text"].append(line)
        if line[:1] == "-":
            hunk["old"].append(line[1:])
        elif line[:1] == "+":
            hunk["new"].append(line[1:])
flush()

if not bad:
    print("ok   format: the C lines changed since %s (blanks inside lines "
          "aside)" % base)
    sys.exit(0)
for h in bad:
    print("%s:%d: not as clang-format writes it:" % (h["path"], h["line"]))
    print("\n".join(h["text"]))
print("FAIL: format: %d place(s); run 'git clang-format --extensions c,h %s' and review"
      % (len(bad), base))
sys.exit(1)
EOF
