#!/usr/bin/env python3
"""gen_kube.py - write a kube-proxy-like iptables-save file for benchmarking.

Usage: gen_kube.py [-s SERVICES] [--seed SEED] [-o FILE]

The output has the nat and filter tables kube-proxy (iptables mode, the
generation that still used KUBE-FW-* and KUBE-XLB-* chains) keeps on a node,
for SERVICES services (default 5,000):

  - every service with endpoints: a KUBE-SERVICES rule for its cluster IP, a
    KUBE-SVC-* chain (KUBE-MARK-MASQ for traffic from outside the pod network,
    then one rule per endpoint picked with -m statistic --mode random), and a
    KUBE-SEP-* chain per endpoint (hairpin KUBE-MARK-MASQ, DNAT);
  - NodePort services: KUBE-NODEPORTS rules; LoadBalancer services also a
    KUBE-FW-* chain for the load balancer IP; externalTrafficPolicy Local: a
    KUBE-XLB-* chain that only picks endpoints on this node, and a health check
    node port accepted in filter KUBE-NODEPORTS;
  - services without endpoints: REJECT rules in filter KUBE-SERVICES and
    KUBE-EXTERNAL-SERVICES;
  - the fixed part: KUBE-MARK-MASQ (mark 0x4000), KUBE-MARK-DROP (0x8000),
    KUBE-POSTROUTING (MASQUERADE of marked packets), KUBE-FIREWALL,
    KUBE-FORWARD.

Chain names are made the way kube-proxy makes them (base32 of a SHA-256 of the
service port name and protocol, and the endpoint for KUBE-SEP-*). The same
seed always gives the same file. Rules are printed the way iptables-legacy-save
prints them (chains sorted, MARK as --set-xmark), so the file loads with
iptables-legacy-restore and saves back unchanged.
"""

import argparse
import base64
import hashlib
import random
import sys

POD_CIDR = "10.244.0.0/16"
NODE_POD_PREFIX = "10.244.0."		# pods on this node
NAMESPACES = ["default", "kube-system", "monitoring", "shop", "payments",
              "search", "auth", "media", "ci", "data", "edge", "ml"]
NAMES = ["api", "web", "frontend", "backend", "cache", "db", "queue",
         "worker", "gateway", "auth", "search", "metrics", "ingest", "cart",
         "checkout", "catalog", "images", "notify", "billing", "report"]
PORTS = [("http", "tcp", 80, 8080), ("https", "tcp", 443, 8443),
         ("grpc", "tcp", 9090, 9090), ("metrics", "tcp", 9100, 9100),
         ("redis", "tcp", 6379, 6379), ("postgres", "tcp", 5432, 5432),
         ("dns", "udp", 53, 53), ("syslog", "udp", 514, 5514),
         ("statsd", "udp", 8125, 8125)]


def chain_hash(*words):
    digest = hashlib.sha256("".join(words).encode()).digest()
    return base64.b32encode(digest).decode()[:16]


def ip(n):
    return "%d.%d.%d.%d" % (n >> 24, (n >> 16) & 255, (n >> 8) & 255, n & 255)


def probability(n):
    """1/n as kube-proxy writes it (%0.10f), printed as iptables-save does:
    the statistic match keeps it as a fraction of 2^31."""
    p = float("%0.10f" % (1.0 / n))
    return "%.11f" % (round(0x80000000 * p) / 0x80000000)


class Tables:
    def __init__(self, builtin):
        self.builtin = builtin
        self.rules = {c: [] for c in builtin}

    def add(self, chain, text):
        self.rules.setdefault(chain, []).append("-A %s %s" % (chain, text))

    def declare(self, chain):
        self.rules.setdefault(chain, [])

    def write(self, out, name):
        out.write("*%s\n" % name)
        user = sorted(c for c in self.rules if c not in self.builtin)
        for c in self.builtin:
            out.write(":%s ACCEPT [0:0]\n" % c)
        for c in user:
            out.write(":%s - [0:0]\n" % c)
        n = 0
        for c in self.builtin + user:
            for r in self.rules[c]:
                out.write(r + "\n")
                n += 1
        out.write("COMMIT\n")
        return n


def service(rnd, i, nat, flt, cluster_ips, nodeports):
    ns = rnd.choice(NAMESPACES)
    pname, proto, port, tport = rnd.choice(PORTS)
    spn = "%s/%s-%d:%s" % (ns, rnd.choice(NAMES), i, pname)
    cip = ip(cluster_ips[i])
    kind = rnd.choices(["ClusterIP", "NodePort", "LoadBalancer"],
                       [70, 20, 10])[0]
    nodeport = nodeports.pop() if kind != "ClusterIP" and nodeports else None
    if nodeport is None:
        kind = "ClusterIP"
    local = kind != "ClusterIP" and rnd.random() < 0.3
    lbip = "198.18.%d.%d" % (i // 250 % 256, i % 250 + 1)
    nep = rnd.choices([0, 1, 2, 3, 4, 5], [3, 35, 30, 17, 10, 5])[0]
    # pods on 16 nodes, 10.244.<node>.2-254; node 0 is this node
    eps = ["10.244.%d.%d" % (x // 253, x % 253 + 2)
           for x in rnd.sample(range(16 * 253), nep)]
    m = "-m %s" % proto
    svc = "KUBE-SVC-" + chain_hash(spn, proto)

    if nep == 0:
        flt.add("KUBE-SERVICES",
                "-d %s/32 -p %s -m comment --comment \"%s has no endpoints\" "
                "%s --dport %d -j REJECT --reject-with icmp-port-unreachable"
                % (cip, proto, spn, m, port))
        if nodeport:
            flt.add("KUBE-EXTERNAL-SERVICES",
                    "-p %s -m comment --comment \"%s has no endpoints\" "
                    "-m addrtype --dst-type LOCAL %s --dport %d "
                    "-j REJECT --reject-with icmp-port-unreachable"
                    % (proto, spn, m, nodeport))
        if kind == "LoadBalancer":
            flt.add("KUBE-EXTERNAL-SERVICES",
                    "-d %s/32 -p %s -m comment --comment \"%s has no "
                    "endpoints\" %s --dport %d -j REJECT --reject-with "
                    "icmp-port-unreachable" % (lbip, proto, spn, m, port))
        return

    nat.add("KUBE-SERVICES",
            "-d %s/32 -p %s -m comment --comment \"%s cluster IP\" "
            "%s --dport %d -j %s" % (cip, proto, spn, m, port, svc))
    nat.add(svc, "! -s %s -d %s/32 -p %s -m comment --comment \"%s cluster "
            "IP\" %s --dport %d -j KUBE-MARK-MASQ"
            % (POD_CIDR, cip, proto, spn, m, port))
    seps = []
    for k, ep in enumerate(eps):
        sep = "KUBE-SEP-" + chain_hash(spn, proto, "%s:%d" % (ep, tport))
        seps.append((sep, ep))
        stat = ""
        if k < nep - 1:
            stat = "-m statistic --mode random --probability %s " % \
                probability(nep - k)
        nat.add(svc, "-m comment --comment \"%s\" %s-j %s" % (spn, stat, sep))
        nat.add(sep, "-s %s/32 -m comment --comment \"%s\" -j KUBE-MARK-MASQ"
                % (ep, spn))
        nat.add(sep, "-p %s -m comment --comment \"%s\" %s -j DNAT "
                "--to-destination %s:%d" % (proto, spn, m, ep, tport))

    if kind == "ClusterIP":
        return
    xlb = "KUBE-XLB-" + chain_hash(spn, proto)
    if local:
        nat.add("KUBE-NODEPORTS", "-s 127.0.0.0/8 -p %s -m comment --comment "
                "\"%s\" %s --dport %d -j KUBE-MARK-MASQ"
                % (proto, spn, m, nodeport))
        nat.add("KUBE-NODEPORTS", "-p %s -m comment --comment \"%s\" %s "
                "--dport %d -j %s" % (proto, spn, m, nodeport, xlb))
        nat.add(xlb, "-s %s -m comment --comment \"Redirect pods trying to "
                "reach external loadbalancer VIP to clusterIP\" -j %s"
                % (POD_CIDR, svc))
        nat.add(xlb, "-m comment --comment \"masquerade LOCAL traffic for %s "
                "LB IP\" -m addrtype --src-type LOCAL -j KUBE-MARK-MASQ" % spn)
        nat.add(xlb, "-m comment --comment \"route LOCAL traffic for %s LB "
                "IP to service chain\" -m addrtype --src-type LOCAL -j %s"
                % (spn, svc))
        mine = [s for s in seps if s[1].startswith(NODE_POD_PREFIX)]
        if not mine:
            nat.add(xlb, "-m comment --comment \"%s has no local endpoints\" "
                    "-j KUBE-MARK-DROP" % spn)
        for k, (sep, _) in enumerate(mine):
            stat = ""
            if k < len(mine) - 1:
                stat = "-m statistic --mode random --probability %s " % \
                    probability(len(mine) - k)
            nat.add(xlb, "-m comment --comment \"Balancing rule %d for %s\" "
                    "%s-j %s" % (k, spn, stat, sep))
        flt.add("KUBE-NODEPORTS", "-p tcp -m comment --comment \"%s health "
                "check node port\" -m tcp --dport %d -j ACCEPT"
                % (spn, 10000 + i % 30000))
    else:
        nat.add("KUBE-NODEPORTS", "-p %s -m comment --comment \"%s\" %s "
                "--dport %d -j KUBE-MARK-MASQ" % (proto, spn, m, nodeport))
        nat.add("KUBE-NODEPORTS", "-p %s -m comment --comment \"%s\" %s "
                "--dport %d -j %s" % (proto, spn, m, nodeport, svc))
    if kind != "LoadBalancer":
        return
    fw = "KUBE-FW-" + chain_hash(spn, proto)
    nat.add("KUBE-SERVICES", "-d %s/32 -p %s -m comment --comment \"%s "
            "loadbalancer IP\" %s --dport %d -j %s"
            % (lbip, proto, spn, m, port, fw))
    lbc = "-m comment --comment \"%s loadbalancer IP\"" % spn
    if local:
        nat.add(fw, "%s -j %s" % (lbc, xlb))
    else:
        nat.add(fw, "%s -j KUBE-MARK-MASQ" % lbc)
        nat.add(fw, "%s -j %s" % (lbc, svc))
    nat.add(fw, "%s -j KUBE-MARK-DROP" % lbc)


def generate(nsvc, seed, out):
    rnd = random.Random(seed)
    nat = Tables(["PREROUTING", "INPUT", "OUTPUT", "POSTROUTING"])
    flt = Tables(["INPUT", "FORWARD", "OUTPUT"])
    portals = "-m comment --comment \"kubernetes service portals\""

    nat.add("PREROUTING", portals + " -j KUBE-SERVICES")
    nat.add("OUTPUT", portals + " -j KUBE-SERVICES")
    nat.add("POSTROUTING", "-m comment --comment \"kubernetes postrouting "
            "rules\" -j KUBE-POSTROUTING")
    nat.add("KUBE-MARK-DROP", "-j MARK --set-xmark 0x8000/0x8000")
    nat.add("KUBE-MARK-MASQ", "-j MARK --set-xmark 0x4000/0x4000")
    nat.add("KUBE-POSTROUTING", "-m mark ! --mark 0x4000/0x4000 -j RETURN")
    nat.add("KUBE-POSTROUTING", "-j MARK --set-xmark 0x4000/0x0")
    nat.add("KUBE-POSTROUTING", "-m comment --comment \"kubernetes service "
            "traffic requiring SNAT\" -j MASQUERADE --random-fully")
    nat.declare("KUBE-NODEPORTS")

    new = "-m conntrack --ctstate NEW"
    flt.add("INPUT", "-m comment --comment \"kubernetes health check service "
            "ports\" -j KUBE-NODEPORTS")
    flt.add("INPUT", new + " -m comment --comment \"kubernetes "
            "externally-visible service portals\" -j KUBE-EXTERNAL-SERVICES")
    flt.add("INPUT", "-j KUBE-FIREWALL")
    flt.add("FORWARD", "-m comment --comment \"kubernetes forwarding rules\" "
            "-j KUBE-FORWARD")
    flt.add("FORWARD", new + " " + portals + " -j KUBE-SERVICES")
    flt.add("FORWARD", new + " -m comment --comment \"kubernetes "
            "externally-visible service portals\" -j KUBE-EXTERNAL-SERVICES")
    flt.add("OUTPUT", new + " " + portals + " -j KUBE-SERVICES")
    flt.add("OUTPUT", "-j KUBE-FIREWALL")
    flt.add("KUBE-FIREWALL", "-m comment --comment \"kubernetes firewall for "
            "dropping marked packets\" -m mark --mark 0x8000/0x8000 -j DROP")
    flt.add("KUBE-FIREWALL", "! -s 127.0.0.0/8 -d 127.0.0.0/8 -m comment "
            "--comment \"block incoming localnet connections\" -m conntrack "
            "! --ctstate RELATED,ESTABLISHED,DNAT -j DROP")
    flt.add("KUBE-FORWARD", "-m conntrack --ctstate INVALID -j DROP")
    flt.add("KUBE-FORWARD", "-m comment --comment \"kubernetes forwarding "
            "rules\" -m mark --mark 0x4000/0x4000 -j ACCEPT")
    flt.add("KUBE-FORWARD", "-m comment --comment \"kubernetes forwarding "
            "conntrack rule\" -m conntrack --ctstate RELATED,ESTABLISHED "
            "-j ACCEPT")
    for c in ["KUBE-EXTERNAL-SERVICES", "KUBE-KUBELET-CANARY",
              "KUBE-NODEPORTS", "KUBE-PROXY-CANARY", "KUBE-SERVICES"]:
        flt.declare(c)

    # Cluster IPs from 10.96.0.0/12, node ports from 30000-32767.
    cluster_ips = [(10 << 24) | (96 << 16) | x
                   for x in rnd.sample(range(10, 1 << 20), nsvc)]
    nodeports = list(range(30000, 32768))
    rnd.shuffle(nodeports)
    for i in range(nsvc):
        service(rnd, i, nat, flt, cluster_ips, nodeports)
    nat.add("KUBE-SERVICES", "-m comment --comment \"kubernetes service "
            "nodeports; NOTE: this must be the last rule in this chain\" "
            "-m addrtype --dst-type LOCAL -j KUBE-NODEPORTS")

    out.write("# Generated by gen_kube.py -s %d --seed %d\n" % (nsvc, seed))
    return nat.write(out, "nat") + flt.write(out, "filter")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("-s", "--services", type=int, default=5000)
    ap.add_argument("--seed", type=int, default=1060)
    ap.add_argument("-o", "--output", default="-")
    a = ap.parse_args()
    if not 1 <= a.services <= 1000000:
        ap.error("SERVICES must be between 1 and 1000000")
    if a.output == "-":
        generate(a.services, a.seed, sys.stdout)
    else:
        with open(a.output, "w") as f:
            generate(a.services, a.seed, f)


if __name__ == "__main__":
    main()
