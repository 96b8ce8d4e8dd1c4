#!/usr/bin/env bash
# facts.sh - the kernel behaviour tests/unit/test_host_*.c assert, shown
# in throwaway namespaces (root only; not run by ctest): a fresh netns's
# sysctls, the local table an address adds, connect() per route type,
# rp_filter 0/1/2 with all/iface, martian sources, route_localnet and
# source selection. `ip route get ... iif DEV` runs ip_route_input(), so
# fib_validate_source() and the martian checks answer it.
#
#   facts.sh
set -uo pipefail
p=ipts-host-$$-
made=()
trap 'for n in "${made[@]}"; do ip netns del "$n" 2>/dev/null; done' EXIT
mk() { ip netns add "$p$1"; made+=("$p$1"); ip -n "$p$1" link set lo up; }
nx() { local n=$1; shift; ip netns exec "$p$n" "$@"; }
show() { echo "\$ $*"; "$@" 2>&1 | sed 's/^/  /'; }

mk fresh
echo "== a fresh namespace"
show nx fresh sysctl net.ipv4.ip_forward net.ipv4.conf.all.forwarding \
	net.ipv4.conf.default.forwarding net.ipv4.conf.lo.forwarding \
	net.ipv4.conf.all.rp_filter net.ipv4.conf.default.rp_filter \
	net.ipv4.conf.lo.rp_filter net.ipv4.conf.all.route_localnet \
	net.ipv4.conf.default.route_localnet
show nx fresh ip route show table all
show nx fresh ip rule show

echo "== ss: dual-stack and v6only"
show nx fresh python3 -c '
import socket, subprocess
a = socket.socket(socket.AF_INET6)
a.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
a.bind(("::", 2222)); a.listen()
b = socket.socket(socket.AF_INET6)
b.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
b.bind(("::", 3333)); b.listen()
print(subprocess.run(["ss", "-Htln"], capture_output=True, text=True).stdout)
for port in (2222, 3333):
    c = socket.socket()
    try:
        c.connect(("127.0.0.1", port)); print(port, "connected")
    except OSError as e:
        print(port, e.strerror)
'

mk r; mk a; mk b
ip -n "${p}r" link add r1 type veth peer name a0 netns "${p}a"
ip -n "${p}r" link add r2 type veth peer name b0 netns "${p}b"
nx r ip addr add 10.0.1.1/24 dev r1
nx r ip addr add 10.0.1.9/24 dev r1
nx r ip addr add 10.0.2.1/24 dev r2
nx r ip addr add 10.0.5.1/31 dev r2
nx r ip addr add 10.0.6.1/32 dev r2
for l in r1 r2; do nx r ip link set "$l" up; done
nx a ip link set a0 up; nx b ip link set b0 up
echo "== local table of /24 (two addresses), /31, /32"
show nx r ip route show table local
echo "== main table: connected routes of primaries only, none for /32"
show nx r ip route show table main
echo "== a new interface copies conf.default"
show nx r sysctl net.ipv4.conf.r1.rp_filter net.ipv4.conf.r1.forwarding
nx r ip route add blackhole 203.0.113.0/25
nx r ip route add prohibit 203.0.113.128/26
nx r ip route add unreachable 203.0.113.192/26
nx r ip route add throw 198.51.100.0/24
nx r ip route add 192.0.2.0/24 via 10.0.2.2 metric 10
nx r ip route add 192.0.2.0/24 via 10.0.1.2 metric 5
echo "== connect() per route type (TCP, port 9)"
for d in 203.0.113.1 203.0.113.129 203.0.113.193 198.51.100.1 8.8.8.8; do
	show nx r python3 -c '
import socket, sys
s = socket.socket(); s.settimeout(0.3)
try:
    s.connect((sys.argv[1], 9)); print("connected")
except OSError as e:
    print(sys.argv[1], e.errno, e.strerror)
' "$d"
done
echo "== lowest metric wins; src of a secondary-carrying device"
show nx r ip route get 192.0.2.7
show nx r ip route get 10.0.1.77
show nx r ip route get 10.0.2.77
echo "== rp_filter: a packet from 10.0.9.9 arriving on r1 for 10.0.1.1"
try() { show nx r ip route get 10.0.1.1 from "$1" iif "$2"; }
nx r sysctl -qw net.ipv4.conf.all.rp_filter=0 net.ipv4.conf.r1.rp_filter=0
echo "-- 0, no route back except default-less: none"; try 10.0.9.9 r1
nx r sysctl -qw net.ipv4.conf.r1.rp_filter=2
echo "-- 2, no route back"; try 10.0.9.9 r1
nx r sysctl -qw net.ipv4.conf.r1.rp_filter=1
echo "-- 1, no route back"; try 10.0.9.9 r1
nx r ip route add 10.0.9.0/24 via 10.0.2.2
echo "-- 1, route back via r2"; try 10.0.9.9 r1
nx r sysctl -qw net.ipv4.conf.r1.rp_filter=2
echo "-- 2, route back via r2"; try 10.0.9.9 r1
nx r sysctl -qw net.ipv4.conf.all.rp_filter=1 net.ipv4.conf.r1.rp_filter=0
echo "-- all=1 r1=0, route back via r2"; try 10.0.9.9 r1
nx r sysctl -qw net.ipv4.conf.all.rp_filter=0 net.ipv4.conf.r1.rp_filter=2
echo "-- 2, route back is blackhole / unreachable / prohibit"
try 203.0.113.5 r1; try 203.0.113.200 r1; try 203.0.113.130 r1
echo "-- 1, route back via r1 itself"
nx r sysctl -qw net.ipv4.conf.r1.rp_filter=1; try 10.0.1.50 r1
nx r sysctl -qw net.ipv4.conf.r1.rp_filter=0
echo "== martian sources (rp_filter 0)"
try 127.0.0.5 r1; try 10.0.2.1 r1; try 10.0.1.1 r1; try 0.0.0.0 r1
try 224.0.0.5 r1; try 255.255.255.255 r1; try 10.0.1.255 r1
echo "== martian destinations"
show nx r ip route get 127.0.0.1 from 10.0.1.50 iif r1
show nx r ip route get 0.0.0.0 from 10.0.1.50 iif r1
echo "== route_localnet on r1"
nx r sysctl -qw net.ipv4.conf.r1.route_localnet=1
try 127.0.0.5 r1
show nx r ip route get 127.0.0.1 from 10.0.1.50 iif r1
echo "== forwarding off on the ingress device"
show nx r ip route get 10.0.2.7 from 10.0.1.50 iif r1
nx r sysctl -qw net.ipv4.ip_forward=1
show nx r ip route get 10.0.2.7 from 10.0.1.50 iif r1
nx r sysctl -qw net.ipv4.conf.r1.forwarding=0
show nx r ip route get 10.0.2.7 from 10.0.1.50 iif r1
show nx r sysctl net.ipv4.conf.all.forwarding net.ipv4.conf.default.forwarding net.ipv4.conf.r2.forwarding
echo "== source selection: a local secondary, a gateway in a second subnet"
show nx r ip route get 10.0.1.9
nx r ip route add 198.18.0.0/15 via 10.0.5.0 dev r2
show nx r ip route get 198.18.0.1
echo "== source selection: a device with no address in scope"
mk t
ip -n "${p}r" link add tun0 type veth peer name t0 netns "${p}t"
nx t ip link set t0 up; nx r ip link set tun0 up
nx r ip addr add 127.1.0.1/32 dev tun0
nx r ip route add 100.100.0.0/16 dev tun0
show nx r ip route get 100.100.1.1
echo "== rp_filter 1: a subnet broadcast source (its route back is broadcast)"
nx r sysctl -qw net.ipv4.conf.r1.rp_filter=1
try 10.0.1.255 r1
nx r sysctl -qw net.ipv4.conf.r1.rp_filter=0
echo "== a rule that cannot apply (from another prefix) changes nothing"
nx r ip rule add from 10.77.0.0/16 lookup 100
show nx r ip route get 10.0.2.7 from 10.0.1.50 iif r1
