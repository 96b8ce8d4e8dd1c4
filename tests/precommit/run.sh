#!/usr/bin/env bash
# The pre-commit hooks of .pre-commit-hooks.yaml, run for real by Debian's
# pre-commit on a throwaway git repository: a good rules file commits, a bad
# one is refused with iptsim's diagnostic, and (when `iptsim test` exists) a
# failed expectation stops the commit. Offline: the hooks repository is a
# local git repository holding just the hooks file, PRE_COMMIT_HOME and HOME
# live in the temporary directory, and iptsim is found on PATH.
set -euo pipefail

iptsim=$1
srcdir=$2

if ! command -v pre-commit > /dev/null; then
	echo "SKIP: pre-commit not installed"
	exit 77
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

mkdir "$tmp/bin" "$tmp/home"
ln -s "$(realpath "$iptsim")" "$tmp/bin/iptsim"
export PATH="$tmp/bin:$PATH"
export HOME="$tmp/home" PRE_COMMIT_HOME="$tmp/cache"
export GIT_CONFIG_NOSYSTEM=1 GIT_AUTHOR_NAME=test GIT_AUTHOR_EMAIL=t@example.org
export GIT_COMMITTER_NAME=test GIT_COMMITTER_EMAIL=t@example.org NO_COLOR=1
git config --global init.defaultBranch main
git config --global commit.gpgsign false

fail=0
check() {	# check DESCRIPTION COMMAND...: count a failed assertion
	local what=$1
	shift
	if "$@"; then
		echo "ok: $what"
	else
		echo "FAIL: $what"
		fail=1
	fi
}

# The hooks repository: pre-commit clones it and needs a rev.
git init -q "$tmp/hooks"
cp "$srcdir/.pre-commit-hooks.yaml" "$tmp/hooks/"
git -C "$tmp/hooks" add .pre-commit-hooks.yaml
git -C "$tmp/hooks" commit -q -m hooks
rev=$(git -C "$tmp/hooks" rev-parse HEAD)

have_test=1
if ! iptsim help test > /dev/null 2>&1; then
	have_test=0
	echo "SKIP: hook iptsim-test: 'iptsim help test' fails (no test command)"
fi

proj=$tmp/proj
git init -q "$proj"
cd "$proj"
{
	echo "repos:"
	echo "  - repo: $tmp/hooks"
	echo "    rev: $rev"
	echo "    hooks:"
	echo "      - id: iptsim-check"
	if [ $have_test = 1 ]; then
		echo "      - id: iptsim-test"
		echo "        args: [fw.rules, fw.spec]"
	fi
} > .pre-commit-config.yaml
git add .pre-commit-config.yaml
git commit -q --no-verify -m config
pre-commit install > /dev/null

hdr='*filter
:INPUT ACCEPT [0:0]
:FORWARD ACCEPT [0:0]
:OUTPUT ACCEPT [0:0]'
printf '%s\n-A INPUT -p tcp -m tcp --dport 1060 -j REJECT\nCOMMIT\n' "$hdr" \
	> fw.rules
printf 'refused --dport 1060\nconnected --dport 22\n' > fw.spec

# 1. A good rules file (and its spec) commits.
git add fw.rules fw.spec
rc=0
git commit -m good > out 2>&1 || rc=$?
cat out
check "good rules file commits" [ $rc = 0 ]
check "iptsim-check ran and passed" grep -q '^iptsim check\.*Passed' out

# 2. A bad rules file is refused, with iptsim's diagnostic.
printf '%s\n-A INPUT -p tcp --dprt 22 -j DROP\nCOMMIT\n' "$hdr" > bad.v4
git add bad.v4
rc=0
git commit -m bad > out 2>&1 || rc=$?
cat out
check "bad rules file is refused" [ $rc != 0 ]
check "iptsim-check failed" grep -q '^iptsim check\.*Failed' out
check "iptsim's diagnostic is shown" \
	grep -qF "bad.v4:5:17: error: unknown option" out
check "nothing was committed" [ "$(git rev-list --count HEAD)" = 2 ]
git reset -q bad.v4
rm bad.v4

# 3. Files the pattern does not name are not checked.
echo 'not a rules file' > notes.txt
git add notes.txt
rc=0
git commit -m notes > out 2>&1 || rc=$?
check "other files commit untouched" [ $rc = 0 ]
check "iptsim-check skipped them" \
	grep -q '^iptsim check\.*(no files to check)Skipped' out

# 4. A rules change that breaks an expectation is refused by iptsim-test.
if [ $have_test = 1 ]; then
	printf '%s\n-A INPUT -p tcp -m tcp --dport 1060 -j DROP\nCOMMIT\n' \
		"$hdr" > fw.rules
	git add fw.rules
	rc=0
	git commit -m drop > out 2>&1 || rc=$?
	cat out
	check "broken expectation is refused" [ $rc != 0 ]
	check "iptsim-check passed" grep -q '^iptsim check\.*Passed' out
	check "iptsim-test failed" grep -q '^iptsim test\.*Failed' out
	check "the failed expectation is shown" \
		grep -qF "fw.spec:1: expected refused, got timeout" out
	git reset -q fw.rules
	git checkout -q fw.rules
fi

# 5. A file named like an option cannot turn the hook into a pass: the
# hook passes '--' before the names, so '-h.rules' is checked (and here
# refused) like any file.
printf '%s\n-A INPUT -p tcp --dprt 22 -j DROP\nCOMMIT\n' "$hdr" > ./-h.rules
git add -- -h.rules
rc=0
git commit -m dash-h > out 2>&1 || rc=$?
cat out
check "a bad '-h.rules' is refused" [ $rc != 0 ]
check "its diagnostic is shown" grep -qF -- "-h.rules:5:17: error: unknown option" out
check "no usage text instead" sh -c '! grep -q "^usage:" out'
git reset -q -- -h.rules
rm -- -h.rules

# 6. A staged symbolic link is never read through: pre-commit passes only
# regular files to a hook (types: [file]), and iptsim refuses a link.
printf 'secret: TOKEN-1234\n' > "$tmp/secret"
ln -s "$tmp/secret" link.rules
git add link.rules
rc=0
git commit -m link > out 2>&1 || rc=$?
cat out
check "a staged symlink is skipped or refused" \
	grep -qE "symbolic link|iptsim check\.*\(no files to check\)Skipped" out
check "its target's bytes are not shown" sh -c '! grep -q TOKEN-1234 out'
git reset -q link.rules
rm link.rules

[ $fail = 0 ]
