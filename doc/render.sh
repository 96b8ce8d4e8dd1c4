#!/usr/bin/env bash
# render.sh - draw the README's picture, doc/docker-user-drop.svg: the
# connection of rulesets/docker-host.rules that DOCKER-USER drops (from
# 203.0.113.5 on eth0 to the published port 8080), as `iptsim trace
# --format dot` draws it over the file's graph, rendered by Graphviz.
#
#   doc/render.sh [IPTSIM]     (default build/iptsim; needs dot: graphviz)
set -euo pipefail
cd "$(dirname "$0")/.."
iptsim=${1:-build/iptsim}
if ! command -v dot > /dev/null; then
	echo "render.sh: needs dot (Debian: apt-get install graphviz)" >&2
	exit 1
fi
tmp=$(mktemp)
trap 'rm -f "$tmp"' EXIT
rc=0
"$iptsim" trace rulesets/docker-host.rules --host rulesets/docker-host.d \
	--in eth0 --src 203.0.113.5 --dst 10.0.0.5 --dport 8080 \
	--format dot > "$tmp" || rc=$?
# 1: the connection is not made, which is what the picture shows
if [ "$rc" != 1 ]; then
	echo "render.sh: iptsim trace exited $rc, expected 1 (timeout)" >&2
	exit 1
fi
dot -Tsvg "$tmp" > doc/docker-user-drop.svg
echo "wrote doc/docker-user-drop.svg"
