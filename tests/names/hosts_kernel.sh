#!/bin/bash
# hosts_kernel.sh - `iptsim dump --hosts F --passwd P --group G` prints what
# the kernel holds after iptables-legacy-restore on a host whose
# /etc/hosts, /etc/passwd and /etc/group are F, P and G: one rule per
# address, in getaddrinfo()'s order, duplicates kept, names case-blind,
# uids and gids from the files.
#
# The kernel's answer is recorded in hosts.save; every run compares
# iptsim with it. As root (and with unshare -m and ip netns) the kernel
# is asked again, in a private mount namespace (the files bind-mounted
# over /etc) and a throwaway network namespace, and must still agree.
#
#   hosts_kernel.sh IPTSIM SRCDIR [SHAREDDIR]
set -euo pipefail

iptsim=$1
dir=$2/tests/names
work=$(mktemp -d "${TMPDIR:-/tmp}/iptsim-hosts.XXXXXX")
ns=
cleanup() {
	if [ -n "$ns" ]; then
		ip netns del "$ns" 2>/dev/null || true
	fi
	rm -rf "$work"
}
trap cleanup EXIT

failed=0
"$iptsim" dump --hosts "$dir/hosts.hosts" --passwd "$dir/hosts.passwd" \
	--group "$dir/hosts.group" "$dir/hosts.rules" >"$work/iptsim"
if diff -u "$dir/hosts.save" "$work/iptsim"; then
	echo "ok   dump --hosts/--passwd/--group equals the recorded kernel save"
else
	echo "FAIL dump --hosts/--passwd/--group differs from the recorded kernel save"
	failed=1
fi

# shellcheck source-path=SCRIPTDIR source=../lib/kernel.sh
. "$2/tests/lib/kernel.sh"
if ! ipts_have_kernel ip iptables-legacy-restore || ! unshare -m true 2>/dev/null; then
	echo "SKIP: the live kernel needs root, unshare -m, ip netns and iptables-legacy"
	[ "${IPTSIM_REQUIRE_KERNEL:-}" = 1 ] && exit 1
	exit "$failed"
fi
ns=iptsim-names-$$
ip netns add "$ns"
printf 'hosts: files\nnetworks: files\npasswd: files\ngroup: files\n' >"$work/nsswitch.conf"
unshare -m /bin/sh -c '
	d=$1 w=$2 ns=$3
	mount --bind "$d/hosts.hosts" /etc/hosts &&
	mount --bind "$d/hosts.passwd" /etc/passwd &&
	mount --bind "$d/hosts.group" /etc/group &&
	mount --bind "$w/nsswitch.conf" /etc/nsswitch.conf &&
	ip netns exec "$ns" iptables-legacy-restore <"$d/hosts.rules" &&
	ip netns exec "$ns" iptables-legacy-save' sh "$dir" "$work" "$ns" |
	grep -v '^#' >"$work/kernel"
if diff -u "$work/kernel" "$work/iptsim"; then
	echo "ok   the live kernel agrees"
else
	echo "FAIL the live kernel's save differs from iptsim dump (re-record hosts.save?)"
	failed=1
fi
exit "$failed"
