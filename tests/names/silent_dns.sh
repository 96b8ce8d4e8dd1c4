#!/bin/bash
# silent_dns.sh - a rule file full of host names sends no DNS query by
# default (issue 11). In a private mount namespace, /etc/resolv.conf names
# a "DNS server" on 127.0.0.1:53 that records every datagram and never
# answers; /etc/hosts and /etc/nsswitch.conf are pinned too. Then:
#
#   - every command that loads rules, without options: no datagram;
#   - `check --resolve` (the control): at least one datagram, so the
#     setup does reach the server and the first part proves something.
#
#   silent_dns.sh IPTSIM SRCDIR [SHAREDDIR]
#
# Needs root (port 53, mount --bind) and unshare -m: otherwise SKIP (77).
set -euo pipefail

iptsim=$1

if [ "$(id -u)" != 0 ] || ! unshare -m true 2>/dev/null ||
	! command -v python3 >/dev/null; then
	echo "SKIP: needs root, unshare -m and python3"
	exit 77
fi

# A network namespace of its own: the silent server's 127.0.0.1:53 is
# then nobody else's (another run of this test, a resolver of the host).
if [ -z "${IPTS_DNS_NETNS:-}" ] && unshare -n true 2>/dev/null; then
	IPTS_DNS_NETNS=1 exec unshare -n "$0" "$@"
fi
if [ -n "${IPTS_DNS_NETNS:-}" ]; then
	ip link set lo up
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/iptsim-dns.XXXXXX")
server=
cleanup() {
	if [ -n "$server" ]; then
		kill "$server" 2>/dev/null || true
		wait "$server" 2>/dev/null || true
	fi
	rm -rf "$work"
}
trap cleanup EXIT

printf 'nameserver 127.0.0.1\noptions timeout:1 attempts:1\n' >"$work/resolv.conf"
printf '127.0.0.1 localhost\n' >"$work/hosts"
printf 'hosts: files dns\nnetworks: files dns\npasswd: files\ngroup: files\n' \
	>"$work/nsswitch.conf"

cat >"$work/names.rules" <<'EOF'
*filter
:INPUT ACCEPT [0:0]
:FORWARD ACCEPT [0:0]
:OUTPUT ACCEPT [0:0]
-A INPUT -s beacon1.iptsim.invalid -p tcp --dport 22 -j ACCEPT
-A INPUT -d 10.0.0.1,beacon2.iptsim.invalid/24 -j DROP
-A OUTPUT -m conntrack --ctstate NEW --ctorigsrc beacon3.iptsim.invalid -j ACCEPT
-A OUTPUT -m policy --dir out --pol ipsec --mode tunnel --tunnel-src beacon4.iptsim.invalid --tunnel-dst 10.0.0.2 -j ACCEPT
-A OUTPUT -p tcp --dport 1060 -m owner --uid-owner 1000 -j ACCEPT
COMMIT
*mangle
:PREROUTING ACCEPT [0:0]
:INPUT ACCEPT [0:0]
:FORWARD ACCEPT [0:0]
:OUTPUT ACCEPT [0:0]
:POSTROUTING ACCEPT [0:0]
-A PREROUTING -j TEE --gateway beacon5.iptsim.invalid
-A PREROUTING -p tcp -j TPROXY --on-port 1 --on-ip beacon6.iptsim.invalid
COMMIT
EOF
printf 'connected --dport 22\n' >"$work/names.spec"

# The server: every datagram on 127.0.0.1:53 appended to "queries".
python3 - "$work" <<'EOF' &
import os, socket, sys
work = sys.argv[1]
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", 53))
open(os.path.join(work, "ready"), "w").close()
with open(os.path.join(work, "queries"), "ab", buffering=0) as q:
    while True:
        data, _ = s.recvfrom(4096)
        q.write(data.hex().encode() + b"\n")
EOF
server=$!
for _ in $(seq 1 50); do
	[ -e "$work/ready" ] && break
	sleep 0.1
done
if [ ! -e "$work/ready" ]; then
	echo "SKIP: cannot listen on 127.0.0.1:53 (a DNS server runs here?)"
	exit 77
fi

# Run "$@" with the pinned resolver files, in a mount namespace of its own.
pinned() {
	unshare -m /bin/sh -c '
		w=$1; shift
		mount --bind "$w/resolv.conf" /etc/resolv.conf &&
		mount --bind "$w/hosts" /etc/hosts &&
		{ [ ! -e /etc/nsswitch.conf ] ||
		  mount --bind "$w/nsswitch.conf" /etc/nsswitch.conf; } &&
		exec "$@"' sh "$work" "$@"
}

queries() {
	if [ -e "$work/queries" ]; then wc -l <"$work/queries"; else echo 0; fi
}

failed=0
run() {
	local want=$1 rc=0
	shift
	pinned "$iptsim" "$@" >"$work/out" 2>&1 || rc=$?
	if [ "$rc" -ge 128 ] || { [ "$want" != any ] && [ "$rc" != "$want" ]; }; then
		echo "FAIL iptsim $*: exit $rc (want $want)"
		sed 's/^/    /' "$work/out"
		failed=1
	fi
	# a query may still be on its way to the server
	sleep 0.2
}

f=$work/names.rules
run 0 check "$f"
run 0 check --lint "$f"
run 0 dump "$f"
run 0 lint "$f"	# IPT007 notes only: never exit 1
run 3 trace "$f" --dport 22
run any test "$f" "$work/names.spec"
printf -- '--dport 22\n' >"$work/q"
run any query "$f" "$work/q"
run any diff "$f" "$f"
n=$(queries)
if [ "$n" != 0 ]; then
	echo "FAIL: $n DNS queries reached the silent server by default"
	failed=1
else
	echo "ok   no DNS query by default (8 commands)"
fi

# The control: --resolve asks this machine's resolver, which asks ours.
# One name in an extension option is asked once (the fast path's trial
# asked it too, before), and a file's names stop at the first failure.
printf '*filter\n-A OUTPUT -m conntrack --ctorigdst once.iptsim.invalid -j ACCEPT\nCOMMIT\n' \
	>"$work/once.rules"
run 1 check --resolve "$work/once.rules"
n=$(queries)
if [ "$n" != 1 ]; then
	echo "FAIL: check --resolve of one name sent $n queries, want 1"
	failed=1
else
	echo "ok   check --resolve asks once for a name in an extension option"
fi
run any check --resolve "$f"
m=$(queries)
if [ "$m" = "$n" ]; then
	echo "FAIL: check --resolve sent no query: the setup does not reach the server"
	failed=1
else
	echo "ok   check --resolve asks the resolver ($((m - n)) queries)"
fi
exit $failed
