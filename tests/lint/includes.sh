#!/usr/bin/env bash
# includes.sh - the include arrows of STYLE.md hold in the tree:
#  - only parser/xt*.c and parser/xt*.h include <xtables.h> (libxtables
#    stays behind parser/; the walker reads the model's kernel structs);
#  - model/ includes nothing from parser/, sim/ or analysis/ (their
#    directories' headers, or their public headers under include/ipts/),
#    and no flex or bison output.
# Prints each offending line as FILE:LINE: TEXT and fails; prints one ok
# line per rule otherwise.
#
#   includes.sh IPTSIM SRCDIR [SHAREDDIR]
set -euo pipefail

src=${2:?usage: includes.sh IPTSIM SRCDIR [SHAREDDIR]}
cd "$src"
fail=0

# Every C source and header of the tree (flex and bison inputs too), not
# what a build directory generated.
sources() {
	git ls-files --cached --others --exclude-standard '*.c' '*.h' '*.l' '*.y' 2>/dev/null ||
		find . \( -name 'build*' -prune \) -o -type f \
			\( -name '*.c' -o -name '*.h' -o -name '*.l' -o -name '*.y' \) \
			-print | sed 's|^\./||'
}
mapfile -t files < <(sources | sort | while IFS= read -r f; do
	[ -f "$f" ] && echo "$f"; done)
[ "${#files[@]}" -gt 0 ] || { echo "FAIL: no sources under $src"; exit 1; }

# 1. <xtables.h>
bad=$(for f in "${files[@]}"; do
	case $f in parser/xt*.c | parser/xt*.h) continue ;; esac
	grep -HnE '^[[:space:]]*#[[:space:]]*include[[:space:]]*[<"]xtables\.h[>"]' \
		"$f" || true
done)
if [ -n "$bad" ]; then
	echo "FAIL: <xtables.h> outside parser/xt*.c:"
	echo "$bad"
	fail=1
else
	echo "ok   <xtables.h> only in parser/xt*"
fi

# 2. model/ -> nothing above it. A header is "above" when it lives in
# parser/, sim/, analysis/ or host/ (and model/ has none of that name), is one of
# their public headers, or is the scanner's or the grammar's output.
declare -A above=([grammar.h]=1 [scanner.h]=1 [parser.h]=1 [sim.h]=1
	[analysis.h]=1 [host.h]=1)
for dir in parser sim analysis host; do
	[ -d "$dir" ] || continue
	while IFS= read -r h; do
		base=${h##*/}
		[ -e "model/$base" ] || above[$base]=1
	done < <(find "$dir" -name '*.h')
done
bad=$(for f in "${files[@]}"; do
	case $f in model/*) ;; *) continue ;; esac
	grep -HnE '^[[:space:]]*#[[:space:]]*include[[:space:]]*[<"]' "$f" |
		while IFS= read -r line; do
			name=$(sed -E 's/.*include[[:space:]]*[<"]([^>"]*)[>"].*/\1/' \
				<<<"$line")
			case $name in
			parser/* | sim/* | analysis/* | host/* | */parser/* | */sim/* | \
				*/analysis/* | */host/* | xtables.h | libiptc/*)
				echo "$line"
				continue
				;;
			esac
			[ -z "${above[${name##*/}]:-}" ] || echo "$line"
		done
done)
if [ -n "$bad" ]; then
	echo "FAIL: model/ includes from parser/, sim/ or analysis/:"
	echo "$bad"
	fail=1
else
	echo "ok   model/ includes nothing from parser/, sim/ or analysis/"
fi
[ $fail = 0 ]
