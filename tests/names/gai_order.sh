#!/bin/bash
# gai_order.sh - `trace --dst NAME --hosts F` tries NAME's addresses in the
# order glibc's getaddrinfo(AF_UNSPEC, SOCK_STREAM) gives them on a host
# whose /etc/hosts is F and whose lo holds the addresses of gai.addrs.
#
# glibc's answer is recorded in gai.expect; every run compares iptsim with
# it. As root (with unshare -m -n) getaddrinfo() is asked again, in a
# private mount namespace (F bind-mounted over /etc/hosts, nsswitch
# "hosts: files") and a throwaway network namespace, and must agree.
#
#   gai_order.sh IPTSIM SRCDIR [SHAREDDIR]
set -euo pipefail

iptsim=$1
dir=$2/tests/names
work=$(mktemp -d "${TMPDIR:-/tmp}/iptsim-gai.XXXXXX")
trap 'rm -rf "$work"' EXIT
names="localhost ip6-localhost dual ula six mapped lb lc ord scope sl ll dup"

printf '*filter\n:INPUT ACCEPT [0:0]\n:FORWARD ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\nCOMMIT\n' >"$work/open.rules"
for n in $names; do
	printf '%s:' "$n"
	# exit 3: the IPv6 legs have no file; the order is the answer here
	"$iptsim" trace "$work/open.rules" --dst "$n" --hosts "$dir/gai.hosts" \
		--format json >"$work/json" 2>/dev/null || true
	python3 -c 'import json,sys; print("".join(" " + a for a in json.load(sys.stdin)["addresses"]))' \
		<"$work/json" || echo " (no answer)"
done >"$work/iptsim"
failed=0
if diff -u "$dir/gai.expect" "$work/iptsim"; then
	echo "ok   iptsim's order equals glibc's recorded getaddrinfo() order"
else
	echo "FAIL iptsim's order differs from glibc's recorded one"
	failed=1
fi

if [ "$(id -u)" != 0 ] || ! command -v ip >/dev/null ||
	! unshare -m -n true 2>/dev/null; then
	echo "SKIP: the live getaddrinfo() needs root and unshare -m -n"
	[ "${IPTSIM_REQUIRE_KERNEL:-}" = 1 ] && exit 1
	exit "$failed"
fi
printf 'hosts: files\n' >"$work/nsswitch.conf"
# shellcheck disable=SC2016
unshare -m -n /bin/sh -c '
	d=$1 w=$2 names=$3
	ip link set lo up &&
	for a in $(cat "$d/gai.addrs"); do ip addr add "$a" dev lo; done &&
	mount --bind "$d/gai.hosts" /etc/hosts &&
	mount --bind "$w/nsswitch.conf" /etc/nsswitch.conf &&
	python3 -c "
import socket, sys
for n in sys.argv[1].split():
    r = socket.getaddrinfo(n, 3000, socket.AF_UNSPEC, socket.SOCK_STREAM)
    print(n + \":\" + \"\".join(\" \" + a[4][0] for a in r))
" "$names"' sh "$dir" "$work" "$names" >"$work/glibc"
if diff -u "$work/glibc" "$work/iptsim"; then
	echo "ok   the live getaddrinfo() agrees"
else
	echo "FAIL the live getaddrinfo() differs from iptsim (re-record gai.expect?)"
	failed=1
fi
exit "$failed"
