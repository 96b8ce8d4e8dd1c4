#!/usr/bin/env python3
"""gen_ipset.py - seeded random -m set / -j SET cases for run_ipset.sh.

    gen_ipset.py --seed N --cases K [--family ipv4|ipv6] OUTDIR

Writes OUTDIR/NAME.ipsets (`ipset save` text), NAME.rules (an
iptables-save file whose rules test and change those sets) and NAME.args
(one local connection, oracle.py's and iptsim trace's options) for K
cases. Every set, element, flag list and rule comes from small pools of
the addresses and ports the connection uses, so most rules can match:
the types of issue 16 the kernel here has (hash:ip with and without
netmask, hash:net with nomatch elements nested in plain ones, hash:ip,port,
hash:net,port, hash:ip,port,ip, bitmap:port, list:set), flags of one to
three dimensions (fewer than the set's never match, extra ones are
ignored), `!`, `--return-nomatch`, and `-j SET --add-set/--del-set` in
OUTPUT read back by INPUT. The kernel (oracle.py --ipsets) is the judge.

With --family ipv6 the same cases over IPv6: inet6 sets (hash:ip netmask
32, 48 or 64), ip6tables-save files (their first line names
ip6tables-save, so both the oracle and iptsim read them as IPv6), the
connection over ::1 and three more addresses of lo (--local-addr).
"""
import argparse
import ipaddress
import os
import random

ADDRS = ["127.0.0.1", "10.1.2.9", "10.1.3.7", "10.2.0.5"]
NETS = ["10.1.2.0/24", "10.1.0.0/16", "10.0.0.0/8", "127.0.0.0/8",
        "10.1.3.0/24", "10.2.0.0/16"]
PORTS = [1060, 22, 80]
SPORTS = [40000, 40001]
FAMILY = "inet"
ADDRS6 = ["::1", "fd00:1:2::9", "fd00:1:3::7", "fd00:2::5"]
# ::1/128 as ipset save prints a host net: without its /128
NETS6 = ["fd00:1:2::/48", "fd00:1::/32", "fd00::/8", "::1",
         "fd00:1:3::/48", "fd00:2::/32"]


def use_ipv6():
    """Make the pools and the create lines IPv6's."""
    global ADDRS, NETS, FAMILY
    ADDRS, NETS, FAMILY = ADDRS6, NETS6, "inet6"


def masked(addr, plen):
    """@addr under a /@plen netmask, as ipset save prints it."""
    net = ipaddress.ip_network("%s/%d" % (addr, plen), strict=False)
    return str(net.network_address)


def flags(rnd):
    n = rnd.choice([1, 1, 2, 2, 3])
    return ",".join(rnd.choice(["src", "dst"]) for _ in range(n))


def port_elem(rnd, proto="tcp"):
    return "%s:%d" % (proto, rnd.choice(PORTS + SPORTS))


def make_set(rnd, name):
    kind = rnd.choice(["ip", "ip_netmask", "net", "ipport", "netport",
                       "ipportip", "bitmap_port"])
    lines = []
    adds = []
    if kind == "ip":
        lines.append("create %s hash:ip family %s" % (name, FAMILY))
        adds = rnd.sample(ADDRS, rnd.randint(0, 3))
    elif kind == "ip_netmask":
        lines.append("create %s hash:ip family %s netmask %d" %
                     (name, FAMILY, rnd.choice([8, 16, 24] if
                                               FAMILY == "inet" else
                                               [32, 48, 64])))
        adds = rnd.sample(ADDRS, rnd.randint(1, 2))
        # ipset restore stores the masked address: write it masked, as
        # ipset save prints it, and never the same network twice
        mask = int(lines[0].split()[-1])
        seen = []
        for a in adds:
            m = masked(a, mask)
            # ::1 under a /32 is ::, which ipset restore refuses ("Null-
            # valued element")
            if m not in seen and m not in ("::", "0.0.0.0"):
                seen.append(m)
        adds = seen
    elif kind == "net":
        lines.append("create %s hash:net family %s" % (name, FAMILY))
        nets = rnd.sample(NETS, rnd.randint(1, 3))
        adds = [n + (" nomatch" if rnd.random() < 0.3 else "")
                for n in nets]
        if rnd.random() < 0.4:
            a = rnd.choice(ADDRS)
            # IPv6's pools share ::1: an element is added once
            if a not in [e.split()[0] for e in adds]:
                adds.append(a)
    elif kind == "ipport":
        lines.append("create %s hash:ip,port family %s" % (name, FAMILY))
        seen = set()
        for _ in range(rnd.randint(1, 3)):
            e = "%s,%s" % (rnd.choice(ADDRS), port_elem(rnd))
            if e not in seen:
                seen.add(e)
                adds.append(e)
    elif kind == "netport":
        lines.append("create %s hash:net,port family %s" % (name, FAMILY))
        seen = set()
        for _ in range(rnd.randint(1, 3)):
            e = "%s,%s" % (rnd.choice(NETS), port_elem(rnd))
            if e not in seen:
                seen.add(e)
                adds.append(e + (" nomatch" if rnd.random() < 0.2
                                 else ""))
    elif kind == "ipportip":
        lines.append("create %s hash:ip,port,ip family %s" %
                     (name, FAMILY))
        seen = set()
        for _ in range(rnd.randint(1, 2)):
            e = "%s,%s,%s" % (rnd.choice(ADDRS), port_elem(rnd),
                              rnd.choice(ADDRS))
            if e not in seen:
                seen.add(e)
                adds.append(e)
    else:
        lines.append("create %s bitmap:port range 0-65535" % name)
        adds = [str(p) for p in rnd.sample(PORTS + SPORTS,
                                           rnd.randint(0, 2))]
    lines += ["add %s %s" % (name, a) for a in adds]
    return kind, lines


def make_case(rnd):
    nsets = rnd.randint(1, 3)
    names = ["s%d" % i for i in range(nsets)]
    sets = []
    for n in names:
        sets += make_set(rnd, n)[1]
    if nsets >= 2 and rnd.random() < 0.3:
        members = rnd.sample(names, 2)
        sets.append("create l0 list:set size 8")
        sets += ["add l0 %s" % m for m in members]
        names.append("l0")
    rules = ["*filter",
             ":INPUT %s [0:0]" % rnd.choice(["ACCEPT", "ACCEPT", "DROP"]),
             ":FORWARD ACCEPT [0:0]", ":OUTPUT ACCEPT [0:0]"]
    dport = rnd.choice(PORTS)
    for _ in range(rnd.randint(1, 4)):
        chain = rnd.choice(["INPUT", "INPUT", "OUTPUT"])
        words = ["-A", chain, "-p", "tcp"]
        if rnd.random() < 0.5:
            words += ["--dport", str(rnd.choice(PORTS))]
        if chain == "OUTPUT" and rnd.random() < 0.4 and names[0] != "l0":
            target = rnd.choice(names)
            if target == "l0":
                target = names[0]
            op = rnd.choice(["--add-set", "--add-set", "--del-set"])
            words += ["--tcp-flags", "SYN,ACK", "SYN", "-j", "SET", op,
                      target, flags(rnd)]
            if op == "--add-set" and rnd.random() < 0.3:
                words.append("--exist")
            rules.append(" ".join(words))
            continue
        words += ["-m", "set"]
        if rnd.random() < 0.25:
            words.append("!")
        words += ["--match-set", rnd.choice(names), flags(rnd)]
        if rnd.random() < 0.15:
            words.append("--return-nomatch")
        words += ["-j"] + rnd.choice([["ACCEPT"], ["DROP"],
                                      ["REJECT", "--reject-with",
                                       "tcp-reset"]])
        rules.append(" ".join(words))
    if rules[1].endswith("DROP [0:0]"):
        rules.append("-A INPUT -m conntrack --ctstate ESTABLISHED,RELATED "
                     "-j ACCEPT")
    rules.append("COMMIT")
    src = rnd.choice(ADDRS)
    dst = rnd.choice(ADDRS)
    args = ["--local-addr", ADDRS[1], "--local-addr", ADDRS[2],
            "--local-addr", ADDRS[3], "--src", src, "--dst", dst,
            "--sport", str(rnd.choice(SPORTS)), "--dport", str(dport)]
    return sets, rules, args


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seed", type=int, required=True)
    ap.add_argument("--cases", type=int, default=40)
    ap.add_argument("--family", choices=("ipv4", "ipv6"), default="ipv4")
    ap.add_argument("outdir")
    a = ap.parse_args()
    v6 = a.family == "ipv6"
    if v6:
        use_ipv6()
    rnd = random.Random(a.seed)
    os.makedirs(a.outdir, exist_ok=True)
    for i in range(a.cases):
        sets, rules, args = make_case(rnd)
        name = os.path.join(a.outdir, "r%s%d_%03d" % ("6_" if v6 else "",
                                                      a.seed, i))
        with open(name + ".ipsets", "w") as f:
            f.write("\n".join(sets) + "\n")
        with open(name + ".rules", "w") as f:
            if v6:
                f.write("# Generated by ip6tables-save (gen_ipset.py "
                        "--family ipv6 --seed %d, case %d)\n" % (a.seed, i))
            else:
                f.write("# gen_ipset.py --seed %d, case %d\n" % (a.seed, i))
            f.write("\n".join(rules) + "\n")
        with open(name + ".args", "w") as f:
            f.write(" ".join(args) + "\n")


if __name__ == "__main__":
    main()
