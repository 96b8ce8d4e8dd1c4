#!/usr/bin/env bash
# capture.sh - rebuild the host fixtures of tests/host/ from throwaway
# network namespaces (root only; not run by ctest). Each fixture
# directory is what README's "Describing a host" capture line writes on
# a target: addr.json route.json rule.json sysctl.txt listen.txt.
#
#   capture.sh OUTDIR
set -euo pipefail
out=${1:?usage: capture.sh OUTDIR}
p=ipts-host-$$-
made=()
cleanup() {
	local n
	for pid in $(jobs -p); do kill "$pid" 2>/dev/null || true; done
	for n in "${made[@]}"; do ip netns del "$n" 2>/dev/null || true; done
}
trap cleanup EXIT
mk() { ip netns add "$p$1"; made+=("$p$1"); ip -n "$p$1" link set lo up; }
nx() { local n=$1; shift; ip netns exec "$p$n" "$@"; }

# Sockets that stay open while ss looks: ARGS are proto:addr:port[:dev].
listen() {
	local n=$1; shift
	nx "$n" python3 -c '
import socket, sys, time
s = []
for a in sys.argv[1:]:
    proto, addr, port, *dev = a.split(",")
    fam = socket.AF_INET6 if ":" in addr else socket.AF_INET
    t = socket.SOCK_STREAM if proto == "tcp" else socket.SOCK_DGRAM
    k = socket.socket(fam, t)
    if dev:
        k.setsockopt(socket.SOL_SOCKET, socket.SO_BINDTODEVICE, dev[0].encode())
    if fam == socket.AF_INET6:
        k.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
    k.bind((addr, int(port)))
    if t == socket.SOCK_STREAM:
        k.listen()
    s.append(k)
print("up", flush=True)
time.sleep(30)
' "$@" &
	sleep 0.5
}

dump() {
	local n=$1 d=$out/$2
	mkdir -p "$d"
	nx "$n" ip -d -j addr show >"$d/addr.json"
	nx "$n" ip -j route show table all >"$d/route.json"
	nx "$n" ip -j rule show >"$d/rule.json"
	nx "$n" sysctl -a 2>/dev/null |
		grep -E '(ip_forward|\.forwarding|\.rp_filter|\.route_localnet) ' |
		grep -E '^net\.ipv4\.' >"$d/sysctl.txt"
	nx "$n" ss -Htlnu >"$d/listen.txt"
}

# A router: eth0 towards the Internet, eth1 a LAN with two addresses.
mk router; mk up; mk lan
ip -n "${p}router" link add eth0 type veth peer name up0 netns "${p}up"
ip -n "${p}router" link add eth1 type veth peer name lan0 netns "${p}lan"
nx router ip addr add 192.0.2.10/24 dev eth0
nx router ip addr add 10.0.1.1/24 dev eth1
nx router ip addr add 10.0.1.2/24 dev eth1
nx router ip link set eth0 up; nx router ip link set eth1 up
nx up ip link set up0 up; nx lan ip link set lan0 up
nx router ip route add default via 192.0.2.1 dev eth0
nx router ip route add 198.51.100.0/24 via 10.0.1.254 dev eth1 src 10.0.1.1 metric 100
nx router ip route add blackhole 203.0.113.0/25
nx router ip route add prohibit 203.0.113.128/26
nx router ip route add unreachable 203.0.113.192/26
nx router sysctl -qw net.ipv4.ip_forward=1 net.ipv4.conf.all.rp_filter=1
listen router tcp,0.0.0.0,22 tcp,::,22 udp,127.0.0.53,53,lo tcp,10.0.1.1,8080
dump router router

# A docker-like host: eth0, docker0 bridge with a container's veth.
mk docker; mk ctr; mk gw
ip -n "${p}docker" link add eth0 type veth peer name gw0 netns "${p}gw"
nx docker ip link add docker0 type bridge
ip -n "${p}docker" link add veth1a2b type veth peer name eth0 netns "${p}ctr"
nx docker ip link set veth1a2b master docker0
nx docker ip addr add 10.0.0.5/24 dev eth0
nx docker ip addr add 172.17.0.1/16 dev docker0
for l in eth0 docker0 veth1a2b; do nx docker ip link set "$l" up; done
nx gw ip link set gw0 up; nx ctr ip link set eth0 up
nx docker ip route add default via 10.0.0.1 dev eth0
nx docker sysctl -qw net.ipv4.ip_forward=1
listen docker tcp,0.0.0.0,8080 tcp,::,8080 udp,0.0.0.0,68
dump docker docker

# A ppp-like link: a peer address instead of a prefix (a veth: no ppp here).
mk ppp; mk isp
ip -n "${p}ppp" link add ppp0 type veth peer name isp0 netns "${p}isp"
nx isp ip link set isp0 up
nx ppp ip addr add 100.64.0.2 peer 100.64.0.1/32 dev ppp0
nx ppp ip link set ppp0 up
nx ppp ip route add default dev ppp0
dump ppp ppp

# A host with a policy rule (wg-quick-like): fwmark table.
mk policy; mk wg
ip -n "${p}policy" link add wg0 type veth peer name wg1 netns "${p}wg"
nx wg ip link set wg1 up
nx policy ip addr add 10.8.0.2/32 dev wg0
nx policy ip link set wg0 up
nx policy ip route add default dev wg0 table 51820
nx policy ip rule add not fwmark 0xca6c table 51820
nx policy ip rule add table main suppress_prefixlength 0
dump policy policy
