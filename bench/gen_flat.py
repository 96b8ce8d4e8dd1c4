#!/usr/bin/env python3
"""gen_flat.py - write a large flat filter table for benchmarking iptsim.

Usage: gen_flat.py [-n RULES] [--seed SEED] [--family ipv4|ipv6] [-o FILE]

The output is an iptables-save file with one *filter table of about RULES
rules (default 100,000): mostly in INPUT, FORWARD and OUTPUT, the rest in a
few user chains the built-in chains jump to. The rules look like the ones
people write: source and destination networks, interfaces, tcp and udp
ports, multiport lists and ranges, conntrack states, comments, LOG, ACCEPT,
DROP and REJECT. The same seed always gives the same file. Rules are printed
the way iptables-legacy-save prints them, so the file loads with
iptables-legacy-restore and saves back unchanged. With --family ipv6 it is
an ip6tables-save file of the same shape: IPv6 networks (2001:db8::/32 and
fd00::/8 prefixes, as ip6tables-save prints them), -p ipv6-icmp with
--icmpv6-type, the icmp6-* REJECT types; the IPv4 output is unchanged.
"""

import argparse
import random
import sys

USER_CHAINS = ["BLOCKLIST", "LOG-DROP", "SSH-IN", "WEB-IN", "OUT-ALLOW"]
IFACES_IN = ["eth0", "eth1", "ens3", "bond0", "wg0", "eth+"]
IFACES_OUT = ["eth0", "eth1", "ens3", "docker0", "br0"]
TCP_PORTS = [22, 25, 53, 80, 110, 143, 443, 465, 587, 993, 995, 1060, 2049,
             3000, 3306, 5432, 5672, 6379, 8000, 8080, 8443, 9090, 9100,
             9200, 11211, 27017]
UDP_PORTS = [53, 67, 68, 123, 161, 500, 514, 1194, 4500, 5353, 51820]
REJECT_ICMP = ["icmp-port-unreachable", "icmp-host-prohibited",
               "icmp-net-prohibited", "icmp-admin-prohibited",
               "icmp-host-unreachable"]
APPS = ["billing", "crm", "grafana", "backup", "ldap", "mail", "vpn", "ci",
        "metrics", "legacy-erp", "wiki", "office", "partner", "monitoring"]


def network(rnd):
    """A network address already masked to its prefix, as save prints it."""
    plen = rnd.choice([8, 12, 16, 16, 20, 24, 24, 24, 27, 28, 29, 32, 32])
    first = rnd.choice([10, 10, 10, 172, 192, 198, 203, 100, 185, 91])
    addr = (first << 24) | rnd.getrandbits(24)
    if first == 172:
        addr = (172 << 24) | ((16 + rnd.randrange(16)) << 16) | \
            rnd.getrandbits(16)
    elif first == 192:
        addr = (192 << 24) | (168 << 16) | rnd.getrandbits(16)
    mask = (0xffffffff << (32 - plen)) & 0xffffffff
    addr &= mask
    return "%d.%d.%d.%d/%d" % (addr >> 24, (addr >> 16) & 255,
                               (addr >> 8) & 255, addr & 255, plen)


REJECT_ICMP6 = ["icmp6-port-unreachable", "icmp6-adm-prohibited",
                "icmp6-addr-unreachable", "icmp6-no-route"]
FAMILY = "ipv4"


def network6(rnd):
    """An IPv6 network, masked, its groups nonzero up to the prefix (so
    that ip6tables-save's compression is '::' at the end, or none)."""
    plen = rnd.choice([32, 48, 48, 56, 64, 64, 64, 112, 128, 128])
    first = rnd.choice([[0x2001, 0xdb8], [0xfd00 | rnd.randrange(1, 256)]])
    groups = first + [rnd.randrange(1, 0x10000) for _ in range(8)]
    groups = groups[:8]
    full = plen // 16
    if plen % 16:
        keep = (0xffff << (16 - plen % 16)) & 0xffff
        groups[full] = (groups[full] & keep) or (1 << (16 - plen % 16))
        full += 1
    groups = groups[:full]
    text = ":".join("%x" % g for g in groups)
    # inet_ntop() writes one zero group as ":0", two or more as "::"
    tail = {8: "", 7: ":0"}.get(full, "::")
    return text + tail + "/%d" % plen


def neg(rnd, p=0.08):
    return "! " if rnd.random() < p else ""


def port_list(rnd, ports):
    """multiport list: 2..6 entries, sometimes a range, as save prints it."""
    items = sorted(rnd.sample(ports, rnd.randint(2, min(6, len(ports)))))
    words = [str(p) for p in items]
    if rnd.random() < 0.3:
        lo = rnd.randrange(1024, 60000)
        words.append("%d:%d" % (lo, lo + rnd.randrange(1, 500)))
    return ",".join(words)


def comment(rnd, n):
    kind = rnd.randrange(4)
    app = rnd.choice(APPS)
    if kind == 0:
        return app
    if kind == 1:
        return "\"%s rule %d\"" % (app, n)
    if kind == 2:
        return "allow-%s-%d" % (app, n)
    return "\"ticket NET-%d: %s access\"" % (rnd.randrange(100, 9999), app)


def rule(rnd, chain, n, targets):
    """One rule in chain, in iptables-save word order."""
    w = ["-A", chain]
    builtin_in = chain in ("INPUT", "FORWARD", "SSH-IN", "WEB-IN",
                           "BLOCKLIST")
    builtin_out = chain in ("OUTPUT", "FORWARD", "OUT-ALLOW")
    net = network6 if FAMILY == "ipv6" else network
    if rnd.random() < 0.55:
        w += [neg(rnd) + "-s", net(rnd)]
    if rnd.random() < 0.35:
        w += [neg(rnd, 0.05) + "-d", net(rnd)]
    if builtin_in and rnd.random() < 0.25:
        w += [neg(rnd, 0.05) + "-i", rnd.choice(IFACES_IN)]
    if builtin_out and rnd.random() < 0.2:
        w += ["-o", rnd.choice(IFACES_OUT)]

    proto = rnd.choices(["tcp", "udp", "icmp", None], [60, 20, 5, 15])[0]
    if proto == "tcp":
        w += ["-p", "tcp"]
        r = rnd.random()
        if r < 0.55:
            w += ["-m", "tcp", "--dport", str(rnd.choice(TCP_PORTS))]
        elif r < 0.65:
            lo = rnd.randrange(1024, 60000)
            w += ["-m", "tcp", "--sport", str(rnd.choice(TCP_PORTS)),
                  "--dport", "%d:%d" % (lo, lo + rnd.randrange(1, 2000))]
        elif r < 0.9:
            w += ["-m", "multiport", "--dports", port_list(rnd, TCP_PORTS)]
        else:
            w += ["-m", "tcp", "--dport", str(rnd.choice(TCP_PORTS)),
                  "--tcp-flags", "FIN,SYN,RST,ACK", "SYN"]
    elif proto == "udp":
        w += ["-p", "udp"]
        if rnd.random() < 0.75:
            w += ["-m", "udp", "--dport", str(rnd.choice(UDP_PORTS))]
        else:
            w += ["-m", "multiport", "--dports", port_list(rnd, UDP_PORTS)]
    elif proto == "icmp" and FAMILY == "ipv6":
        w += ["-p", "ipv6-icmp", "-m", "icmp6", "--icmpv6-type",
              rnd.choice(["128", "129", "1", "3", "1/4"])]
    elif proto == "icmp":
        w += ["-p", "icmp", "-m", "icmp", "--icmp-type",
              rnd.choice(["8", "0", "3", "11", "3/4"])]

    if rnd.random() < 0.3:
        w += ["-m", "conntrack", "--ctstate",
              rnd.choice(["NEW", "NEW", "RELATED,ESTABLISHED", "INVALID",
                          "NEW,RELATED,ESTABLISHED"])]
    if rnd.random() < 0.4:
        w += ["-m", "comment", "--comment", comment(rnd, n)]

    t = rnd.choices(["ACCEPT", "DROP", "REJECT", "LOG", "JUMP", "RETURN"],
                    [45, 20, 12, 8, targets and 6 or 0,
                     chain in USER_CHAINS and 4 or 0])[0]
    if len(w) == 2 or w[2] == "-m":
        # no address, interface or protocol: give it a source, so no rule
        # shadows the rest of its chain
        w[2:2] = ["-s", net(rnd)]
    if t == "REJECT":
        if proto == "tcp" and rnd.random() < 0.4:
            w += ["-j", "REJECT", "--reject-with", "tcp-reset"]
        else:
            w += ["-j", "REJECT", "--reject-with",
                  rnd.choice(REJECT_ICMP6 if FAMILY == "ipv6" else
                             REJECT_ICMP)]
    elif t == "LOG":
        w += ["-j", "LOG", "--log-prefix",
              "\"%s-%d: \"" % (rnd.choice(APPS)[:10], n % 1000)]
        if rnd.random() < 0.3:
            w += ["--log-level", str(rnd.choice([1, 2, 5, 6, 7]))]
    elif t == "JUMP":
        w += ["-j", rnd.choice(targets)]
    else:
        w += ["-j", t]
    return " ".join(w)


def generate(n, seed, out):
    rnd = random.Random(seed)
    # Built-in chains may jump to any user chain; a user chain only to one
    # after it in this list, so there are no loops.
    jump_to = {c: [] for c in ["INPUT", "FORWARD", "OUTPUT"] + USER_CHAINS}
    for c in ["INPUT", "FORWARD", "OUTPUT"]:
        jump_to[c] = list(USER_CHAINS)
    for i, c in enumerate(USER_CHAINS):
        jump_to[c] = USER_CHAINS[i + 1:]
    share = {"INPUT": 0.45, "FORWARD": 0.2, "OUTPUT": 0.15}
    rest = (1.0 - sum(share.values())) / len(USER_CHAINS)
    counts = {c: int(n * share.get(c, rest)) for c in jump_to}
    counts["INPUT"] += n - sum(counts.values())

    if FAMILY == "ipv6":
        out.write("# Generated by ip6tables-save (gen_flat.py -n %d --seed "
                  "%d --family ipv6)\n" % (n, seed))
    else:
        out.write("# Generated by gen_flat.py -n %d --seed %d\n" % (n, seed))
    out.write("*filter\n")
    out.write(":INPUT DROP [0:0]\n:FORWARD DROP [0:0]\n:OUTPUT ACCEPT [0:0]\n")
    for c in sorted(USER_CHAINS):
        out.write(":%s - [0:0]\n" % c)
    num = 0
    for c in ["INPUT", "FORWARD", "OUTPUT"] + sorted(USER_CHAINS):
        if c == "INPUT" and counts[c] >= 1:
            out.write("-A INPUT -m conntrack --ctstate RELATED,ESTABLISHED "
                      "-j ACCEPT\n")
            counts[c] -= 1
            num += 1
        for _ in range(counts[c]):
            num += 1
            out.write(rule(rnd, c, num, jump_to[c]) + "\n")
    out.write("COMMIT\n")
    return num


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("-n", "--rules", type=int, default=100000)
    ap.add_argument("--seed", type=int, default=1060)
    ap.add_argument("--family", choices=("ipv4", "ipv6"), default="ipv4")
    ap.add_argument("-o", "--output", default="-")
    a = ap.parse_args()
    global FAMILY
    FAMILY = a.family
    if a.rules < 1:
        ap.error("RULES must be at least 1")
    if a.output == "-":
        generate(a.rules, a.seed, sys.stdout)
    else:
        with open(a.output, "w") as f:
            generate(a.rules, a.seed, f)


if __name__ == "__main__":
    main()
