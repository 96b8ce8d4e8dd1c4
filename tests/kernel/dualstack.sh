#!/bin/bash
# dualstack.sh - trace RULES.V4 RULES.V6 --dst localhost against the kernel
# and glibc: in a private mount namespace (Debian's /etc/hosts bound over
# /etc/hosts) and a throwaway network namespace, Python's
# create_connection(("localhost", 3000)) runs against a dual-stack
# listener with dualstack/open.v4 (port 3000 open) and each IPv6 file of
# dualstack/: its SYN to ::1 dropped, refused with a RST, let
# through. iptsim's client must agree: the address connected to, and
# whether the client waited a SYN timeout first. Where iptsim cannot
# answer the ::1 leg yet, its answer must be undetermined and its
# depends_on hypothesis for what the kernel did with that leg (timeout,
# refused, connected) must be what the kernel's client saw. The SYN
# timeout is shortened in the namespace (tcp_syn_retries=1): the kernel
# shows the shape, iptsim's figure is the default's.
#
#   dualstack.sh IPTSIM SRCDIR [SHAREDDIR]
set -euo pipefail

iptsim=$1
src=$2
dir=$src/tests/kernel/dualstack
# shellcheck source-path=SCRIPTDIR source=../lib/kernel.sh
. "$src/tests/lib/kernel.sh"
ipts_require_kernel ip python3 iptables-legacy-restore ip6tables-legacy-restore
unshare -m true 2>/dev/null || ipts_kernel_skip "needs unshare -m"
work=$(mktemp -d "${TMPDIR:-/tmp}/iptsim-dualstack.XXXXXX")
trap 'rm -rf "$work"' EXIT

printf 'hosts: files\n' >"$work/nsswitch.conf"
unshare -m -n /bin/sh -c '
	d=$1 w=$2 src=$3
	ip link set lo up &&
	sysctl -qw net.ipv4.tcp_syn_retries=1 &&
	mount --bind "$d/hosts" /etc/hosts &&
	mount --bind "$w/nsswitch.conf" /etc/nsswitch.conf &&
	python3 "$d/client.py" "$d/open.v4" \
		timeout="$d/drop.v6" \
		refused="$d/reset.v6" connected="$d/open.v6"' \
	sh "$dir" "$work" "$src" >"$work/kernel"

pass=0 fail=0
while read -r leg addr wait; do
	case $leg in
	timeout) v6=$dir/drop.v6 ;;
	refused) v6=$dir/reset.v6 ;;
	*) v6=$dir/open.v6 ;;
	esac
	"$iptsim" trace "$dir/open.v4" "$v6" --dst localhost \
		--hosts "$dir/hosts" --dport 3000 --format json \
		>"$work/json" 2>/dev/null || true
	got=$(python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
c = d["client"]
how = "answered"
if c["outcome"] == "undetermined" and d["depends_on"]:
    c = d["depends_on"][sys.argv[2]]
    how = "if ::1 is " + sys.argv[2]
w = "waited" if c["wait_s"] else "at-once"
print(d["addresses"][0], c["outcome"], c["address"], w, "(" + how + ")")
' "$work/json" "$leg")
	want="::1 connected $addr $wait"
	if [ "${got% (*}" = "$want" ]; then
		echo "ok   ::1 $leg by the kernel: iptsim's client $got"
		pass=$((pass + 1))
	else
		echo "FAIL ::1 $leg by the kernel: the client got $addr $wait, iptsim says $got"
		fail=$((fail + 1))
	fi
done <"$work/kernel"
[ "$pass" = 3 ] || { echo "FAIL the kernel answered $pass+$fail of 3 cases"; fail=$((fail + 1)); }
echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
