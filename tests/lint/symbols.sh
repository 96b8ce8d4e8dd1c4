#!/usr/bin/env bash
# symbols.sh - the parser library defines no yy* symbol: the scanner and
# the grammar carry the ipts_yy prefix (scanner.l, grammar.y), so a program
# linking another flex or bison parser next to iptsim's gets no clash.
# Skipped (77) without nm.
#
#   symbols.sh LIBIPTS_PARSER
set -euo pipefail

lib=${1:?usage: symbols.sh LIBIPTS_PARSER}
command -v nm >/dev/null || { echo "SKIP: no nm"; exit 77; }
bad=$(nm -g --defined-only "$lib" | awk 'NF == 3 && $3 ~ /^yy/ { print $3 }')
if [ -n "$bad" ]; then
	echo "FAIL: $lib defines yy* symbols:"
	echo "$bad"
	exit 1
fi
echo "ok   no yy* symbol in $(basename "$lib")"
