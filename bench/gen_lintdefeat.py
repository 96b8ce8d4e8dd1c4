#!/usr/bin/env python3
"""gen_lintdefeat.py - write filter tables built to make `iptsim lint` slow.

Usage: gen_lintdefeat.py --kind KIND [-n N] [--seed SEED] [-o FILE]

Each KIND defeats one way of finding the earlier rule that shadows a rule
(IPT001, IPT003) without comparing every pair, and each holds rules lint
must report, so its findings can be compared between two builds:

  expand    six lines with -s and -d address lists that iptables expands
            into their product: N (default 100) addresses each side make
            N*N rules a line (40,200 rules from 9 KB), host pairs that
            overlap nowhere; later lines repeat some of the pairs (shadowed
            and redundant)
  jumps     N (default 8,000) rules in INPUT, each jumping to its own chain;
            every fourth chain sets a mark (the search for a shadowing rule
            stops at it), the others accept or return; ACCEPT rules between
            the jumps repeat earlier ones (redundant unless a mark came
            between)
  addronly  N (default 20,000) rules on one source and destination network,
            told apart only by source ports, destination port ranges,
            interfaces and conntrack states: every rule overlaps every other
            on addresses; every tenth repeats a narrower copy of an earlier
            one
  ranges    N (default 20,000) rules whose destination port ranges overlap
            each other (lo:lo+width): the rules a port lands in are many,
            the one that covers is rare
  nested    N (default 20,000) tcp and udp rules of nested destination port
            ranges, some on an interface, a source port range or a state:
            the latest range that holds a rule's ports often does not cover
            it (another interface, protocol or state), and an earlier one
            does; every fifth is a narrower copy of an earlier rule

The same seed always gives the same file; the output loads with
iptables-legacy-restore.
"""

import argparse
import random
import sys


def ip(a):
    return "%d.%d.%d.%d" % (a >> 24, (a >> 16) & 255, (a >> 8) & 255, a & 255)


def head(out, chains=()):
    out.write("*filter\n:INPUT ACCEPT [0:0]\n:FORWARD ACCEPT [0:0]\n"
              ":OUTPUT ACCEPT [0:0]\n")
    for c in chains:
        out.write(":%s - [0:0]\n" % c)


def expand(n, rnd, out):
    # iptables-restore takes parameters of at most 1023 bytes: 100
    # addresses a list
    src = [(10 << 24) | (1 << 16) | (i // 250 << 8) | (i % 250 + 1)
           for i in range(n)]
    dst = [(10 << 24) | (2 << 16) | (i // 250 << 8) | (i % 250 + 1)
           for i in range(n)]
    few = max(1, n // 10)

    def lst(v):
        return ",".join(ip(a) for a in v)

    head(out)
    for proto, port, verdict, s, d in (
            ("tcp", 22, "ACCEPT", src, dst),
            ("tcp", 22, "DROP", rnd.sample(src, few), rnd.sample(dst, few)),
            ("udp", 53, "ACCEPT", src, dst),
            ("tcp", 80, "ACCEPT", src, dst),
            ("tcp", 443, "DROP", src, dst),
            ("tcp", 80, "ACCEPT", rnd.sample(src, few),
             rnd.sample(dst, few))):
        out.write("-A INPUT -s %s -d %s -p %s -m %s --dport %d -j %s\n" %
                  (lst(s), lst(d), proto, proto, port, verdict))
    out.write("COMMIT\n")


def jumps(n, rnd, out):
    chains = ["J%d" % i for i in range(n)]
    head(out, chains)
    seen = []
    for i, c in enumerate(chains):
        a = (10 << 24) | rnd.getrandbits(16) << 8
        out.write("-A INPUT -s %s/24 -j %s\n" % (ip(a), c))
        if seen and i % 3 == 0:
            out.write(rnd.choice(seen))
        else:
            r = "-A INPUT -s %s/24 -p tcp -m tcp --dport %d -j ACCEPT\n" % (
                ip(a), rnd.choice([22, 80, 443, 8080]))
            seen.append(r)
            out.write(r)
    for i, c in enumerate(chains):
        if i % 4 == 0:
            out.write("-A %s -p tcp -j MARK --set-xmark 0x%x/0xffffffff\n" %
                      (c, i + 1))
        elif i % 4 == 1:
            out.write("-A %s -p tcp -m tcp --dport %d -j ACCEPT\n" %
                      (c, 1024 + i % 60000))
        else:
            out.write("-A %s -m conntrack --ctstate INVALID -j DROP\n" % c)
            out.write("-A %s -j RETURN\n" % c)
    out.write("COMMIT\n")


STATES = ["NEW", "ESTABLISHED", "RELATED,ESTABLISHED", "INVALID",
          "NEW,ESTABLISHED"]
IFACES = ["eth0", "eth1", "eth+", "ens3", "wg0"]


def addronly(n, rnd, out):
    head(out)
    rules = []
    for i in range(n):
        if rules and i % 10 == 9:
            # a narrower copy of an earlier rule: the same ports, one state
            s, lo, hi, ifc, _, v = rnd.choice(rules)
            st = "NEW"
        else:
            s = rnd.randrange(1024, 65536)
            lo = rnd.randrange(1, 60000)
            hi = lo + rnd.randrange(0, 5000)
            ifc = rnd.choice(IFACES)
            st = rnd.choice(STATES)
            v = rnd.choice(["ACCEPT", "DROP"])
            rules.append((s, lo, hi, ifc, st, v))
        out.write("-A INPUT -s 10.0.0.0/8 -d 192.168.0.0/16 -i %s -p tcp "
                  "-m conntrack --ctstate %s -m tcp --sport %d --dport %d:%d "
                  "-j %s\n" % (ifc, st, s, lo, hi,
                               v))
    out.write("COMMIT\n")


def ranges(n, rnd, out):
    head(out)
    for i in range(n):
        lo = rnd.randrange(1, 60000)
        w = rnd.choice([0, 10, 100, 1000, 5000])
        v = rnd.choice(["ACCEPT", "DROP", "REJECT --reject-with "
                        "icmp-port-unreachable"])
        out.write("-A INPUT -p tcp -m tcp --dport %d:%d -j %s\n" %
                  (lo, min(65535, lo + w), v))
    out.write("COMMIT\n")


def nested(n, rnd, out):
    head(out)
    rules = []
    for i in range(n):
        if rules and i % 5 == 4:
            # a narrower copy of an earlier rule, perhaps on an interface
            p, ifc, sp, lo, hi, st, v = rnd.choice(rules)
            lo = rnd.randrange(lo, hi + 1)
            hi = rnd.randrange(lo, hi + 1)
            ifc = ifc or rnd.choice([None, "eth0", "eth1"])
            v = rnd.choice(["ACCEPT", "DROP"])
        else:
            p = rnd.choice(["tcp", "tcp", "udp"])
            ifc = rnd.choice([None, None, "eth0", "eth1", "eth+"])
            sp = rnd.choice([None] * 4 + ["1024:65535", "0:1023"])
            lo = rnd.randrange(1, 60000)
            hi = min(65535, lo + rnd.choice([0, 3, 63, 64, 65, 700, 9000]))
            st = rnd.choice([None] * 4 + ["NEW", "ESTABLISHED"])
            v = rnd.choice(["ACCEPT", "DROP", "RETURN"])
            rules.append((p, ifc, sp, lo, hi, st, v))
        w = ["-A", "INPUT"]
        if ifc:
            w += ["-i", ifc]
        w += ["-p", p]
        if st:
            w += ["-m", "conntrack", "--ctstate", st]
        w += ["-m", p]
        if sp:
            w += ["--sport", sp]
        w += ["--dport", "%d:%d" % (lo, hi), "-j", v]
        out.write(" ".join(w) + "\n")
    out.write("COMMIT\n")


KINDS = {"expand": (expand, 100), "jumps": (jumps, 8000),
         "addronly": (addronly, 20000), "ranges": (ranges, 20000),
         "nested": (nested, 20000)}


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--kind", choices=sorted(KINDS), required=True)
    ap.add_argument("-n", type=int, default=0)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("-o", "--output", default="-")
    a = ap.parse_args()
    fn, default = KINDS[a.kind]
    n = a.n or default
    if n < 1:
        ap.error("N must be at least 1")
    rnd = random.Random(a.seed)
    if a.output == "-":
        fn(n, rnd, sys.stdout)
    else:
        with open(a.output, "w") as f:
            fn(n, rnd, f)


if __name__ == "__main__":
    main()
