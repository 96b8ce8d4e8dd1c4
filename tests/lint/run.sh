#!/usr/bin/env bash
# run.sh - static checks of the sources: cppcheck on the C of every
# module (warnings and portability; a finding fails), shellcheck on every
# shell script (warnings and errors). Skipped (77) when neither tool is
# installed; scripts/setup.sh installs both.
#
#   run.sh IPTSIM SRCDIR [SHAREDDIR]
set -euo pipefail

src=$2
cd "$src"
ran=0 fail=0

if command -v cppcheck >/dev/null; then
	ran=1
	if ! cppcheck --quiet --enable=warning,portability --std=c11 \
		--library=gnu --inline-suppr --error-exitcode=1 \
		-I include/ipts -I model -I parser -I sim -I analysis -I host \
		-I report -I cli \
		include model parser sim analysis host report cli; then
		echo "FAIL: cppcheck"
		fail=1
	else
		echo "ok   cppcheck"
	fi
fi
if command -v shellcheck >/dev/null; then
	ran=1
	mapfile -t scripts < <(git ls-files '*.sh' .ci/run 2>/dev/null ||
		find . -name '*.sh' -not -path './build*')
	if ! shellcheck -x -S warning "${scripts[@]}"; then
		echo "FAIL: shellcheck"
		fail=1
	else
		echo "ok   shellcheck (${#scripts[@]} scripts)"
	fi
fi
if [ $ran = 0 ]; then
	echo "SKIP: neither cppcheck nor shellcheck installed"
	exit 77
fi
[ $fail = 0 ]
