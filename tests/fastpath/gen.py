#!/usr/bin/env python3
"""gen.py - rule files that stress the two ways xt.c reads a rule line.

Usage: gen.py SEED COUNT OUTDIR

Writes COUNT files OUTDIR/fp-SEED-N.rules. Each holds a filter, nat and
mangle table whose rule lines are drawn from pieces that the fast path
takes (the shape iptables-save writes) and pieces that must send a line
back to the full option loop: options of an earlier extension, abbreviated
and "--opt=value" options, '!' in every place, the same extension twice,
words after the target, implicit protocol matches, unknown options, bad
values, long forms of the generic options. Lines repeat with small
changes, so that the fast path's memory of segments is used and tested.
"""
import random
import sys

GENERIC = [
    ["-s", "10.0.0.0/8"], ["-s", "192.168.1.7"], ["!", "-s", "10.1.0.0/16"],
    ["-d", "172.16.0.0/12"], ["-d", "0.0.0.0/0"], ["!", "-d", "1.2.3.4/32"],
    ["-s", "10.0.0.1,10.0.0.2"], ["-d", "10.9.9.0/24,10.8.0.0/16"],
    ["-i", "eth0"], ["-i", "eth+"], ["!", "-i", "lo"], ["-o", "ens3"],
    ["-f"], ["!", "-f"], ["-s", "10.20.30.40/27"], ["-d", "192.0.2.255/31"],
    ["-s", "web3.invalid/24"], ["-d", "10.0.0.9,db.invalid"],
]
GENERIC_ODD = [
    ["--source", "10.2.0.0/16"], ["--dst", "10.3.3.3"], ["-s", "010.1.1.1"],
    ["-s", "300.1.1.1"], ["-d", "1.2.3.4/33"], ["-s"], ["!", "!", "-s", "1.1.1.1"],
    ["-s1.2.3.4"], ["-i", ""], ["-s", "01.2.3.4"], ["-d", "1.2.3.4/08"],
    ["-s", "1.2.3"], ["-d", "1.2.3.4/255.0.0.0"], ["-s", "1.2.3.4/0"],
    ["-d", "1.2.3.4."], ["-s", "1.2.3.4/"], ["-d", "255.255.255.255/32"],
    ["-s", "1.2.3.0004"], ["-d", "0.0.0.0"],
    # host names: unknown addresses offline (issue 11)
    ["-s", "web1.invalid"], ["!", "-d", "db/24"], ["-s", "10.0.0.1,web2"],
    ["-d", "10.0.0.256"], ["-s", "0x0a000001"],
]
PROTOS = [["-p", "tcp"], ["-p", "tcp"], ["-p", "udp"], ["-p", "icmp"],
          ["-p", "6"], ["!", "-p", "tcp"], ["-p", "all"], ["-p", "TCP"],
          ["-p", "sctp"], []]
PROTOS_ODD = [["--protocol", "udp"], ["-p", "nosuchproto"], ["-p", "!", "tcp"]]
MATCHES = [
    ["-m", "tcp", "--dport", "80"], ["-m", "tcp", "--dport", "22:25"],
    ["-m", "tcp", "--sport", "1024:65535", "--dport", "443"],
    ["-m", "tcp", "!", "--dport", "80"],
    ["-m", "tcp", "--tcp-flags", "FIN,SYN,RST,ACK", "SYN"],
    ["-m", "tcp", "--syn"],
    ["-m", "udp", "--dport", "53"], ["-m", "udp", "--sport", "67:68"],
    ["-m", "icmp", "--icmp-type", "8"], ["-m", "icmp", "--icmp-type", "echo-request"],
    ["-m", "multiport", "--dports", "22,80,443"],
    ["-m", "multiport", "--ports", "1:100,200"],
    ["-m", "multiport", "!", "--sports", "5,6"],
    ["-m", "conntrack", "--ctstate", "RELATED,ESTABLISHED"],
    ["-m", "conntrack", "--ctstate", "NEW", "--ctorigdst", "10.0.0.1"],
    ["-m", "conntrack", "!", "--ctstate", "INVALID"],
    ["-m", "state", "--state", "NEW"],
    ["-m", "comment", "--comment", "hello"],
    ["-m", "comment", "--comment", "\"two words\""],
    ["-m", "comment", "--comment", "\"quote \\\" inside\""],
    ["-m", "comment", "--comment", "-m"], ["-m", "comment", "--comment", "!"],
    ["-m", "mark", "--mark", "0x1/0xff"], ["-m", "mark", "!", "--mark", "2"],
    ["-m", "owner", "--uid-owner", "1000"], ["-m", "owner", "--uid-owner", "root"],
    ["-m", "owner", "--gid-owner", "0-10"],
    ["-m", "statistic", "--mode", "random", "--probability", "0.5"],
    ["-m", "statistic", "--mode", "nth", "--every", "3", "--packet", "1"],
    ["-m", "addrtype", "--dst-type", "LOCAL"],
    ["-m", "limit", "--limit", "5/min", "--limit-burst", "10"],
    ["-m", "iprange", "--src-range", "10.0.0.1-10.0.0.9"],
    ["-m", "length", "--length", "100:200"], ["-m", "tos", "--tos", "0x10"],
    ["-m", "set", "--match-set", "blk", "src"],
    # names kept as words offline (issue 11)
    ["-m", "conntrack", "--ctstate", "NEW", "--ctorigsrc", "gw.invalid"],
    ["-m", "owner", "!", "--uid-owner", "alice", "--gid-owner", "staff"],
    ["-m", "devgroup", "--src-group", "lan"],
    ["-m", "bpf", "--object-pinned", "/sys/fs/bpf/x"],
]
MATCHES_ODD = [
    ["-m", "comment"], ["-m", "comment", "--comment", "x" * 300],
    ["-m", "nosuchmatch", "--foo", "1"], ["-m", "tcp", "--nosuchopt", "1"],
    ["--match", "udp", "--dport", "5"], ["-m"], ["-m", "tcp", "--dport"],
    ["--dport", "80"], ["--sport", "1"], ["--comment", "x"], ["-m", "tcp", "--dp", "80"],
    ["-m", "tcp", "--dport=80"], ["-m", "tcp", "--dport", "80", "--dport", "81"],
    ["-m", "tcp", "--dport", "99999"], ["-m", "tcp", "--dport", "http"],
    ["-m", "multiport", "--dports", "1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16"],
    ["-m", "owner", "--uid-owner", "root"], ["-m", "tcp", "--tcp-flags", "SYN"],
]
TARGETS = [
    ["-j", "ACCEPT"], ["-j", "DROP"], ["-j", "RETURN"], ["-j", "USERCHAIN"],
    ["-g", "USERCHAIN"], ["-j", "LOG", "--log-prefix", "\"p: \""],
    ["-j", "LOG", "--log-prefix", "x", "--log-level", "4"],
    ["-j", "REJECT"], ["-j", "REJECT", "--reject-with", "tcp-reset"],
    ["-j", "REJECT", "--reject-with", "icmp-host-prohibited"],
    ["-j", "MARK", "--set-mark", "0x1"], ["-j", "MARK", "--set-xmark", "0x2/0xff"],
    ["-j", "CONNMARK", "--save-mark"], ["-j", "SET", "--add-set", "s", "src"],
    [],
]
TARGETS_ODD = [
    ["-j", "NOSUCHTARGET"], ["-j", "LOG", "--log-prefix"],
    ["-j", "LOG", "--nosuch", "1"], ["-j", "ACCEPT", "extra"],
    ["-j", "REJECT", "-m", "tcp"], ["--jump", "DROP"], ["-j", "REJECT", "--reject-with", "nope"],
    ["-j", "LOG", "--log-level", "4", "--log-prefix", "a", "--log-level", "5"],
]
NAT_TARGETS = [
    ["-j", "DNAT", "--to-destination", "10.0.0.1:80"],
    ["-j", "DNAT", "--to-destination", "10.0.0.1"],
    ["-j", "SNAT", "--to-source", "1.2.3.4"], ["-j", "MASQUERADE"],
    ["-j", "MASQUERADE", "--to-ports", "1000-2000"],
    ["-j", "REDIRECT", "--to-ports", "8080"], ["-j", "RETURN"], ["-j", "DROP"],
    ["-j", "KUBE-MARK-MASQ"], ["-j", "DNAT", "--to-destination", "10.0.0.2:1-5"],
]


ODD = 0.01      # per piece: one odd piece in a few lines


def pick(rnd, good, odd):
    return rnd.choice(odd if odd and rnd.random() < ODD else good)


FOR_PROTO = {
    "tcp": [m for m in MATCHES if m[1] in ("tcp", "multiport")],
    "udp": [m for m in MATCHES if m[1] in ("udp", "multiport")],
    "icmp": [m for m in MATCHES if m[1] == "icmp"],
}
ANY_PROTO = [m for m in MATCHES if m[1] not in ("tcp", "udp", "icmp",
                                                  "multiport", "owner")]
TCP_ONLY = ("tcp-reset", "DNAT", "REDIRECT", "--to-ports", "SNAT")


CLEAN_TARGETS = {
    "filter": [t for t in TARGETS if t and t[1] not in ("MARK", "CONNMARK")],
    "mangle": [t for t in TARGETS if t and t[1] not in ("REJECT", "DROP")],
    "nat": [["-j", "ACCEPT"], ["-j", "RETURN"], ["-j", "KUBE-MARK-MASQ"],
            ["-j", "USERCHAIN"]],
}
NAT_BY_CHAIN = {
    "PREROUTING": [t for t in NAT_TARGETS if t[1] in ("DNAT", "REDIRECT")],
    "OUTPUT": [t for t in NAT_TARGETS if t[1] in ("DNAT", "REDIRECT")],
    "POSTROUTING": [t for t in NAT_TARGETS if t[1] in ("SNAT", "MASQUERADE")],
}


def coherent(rnd, chain, targets, tname=None):
    """A rule the kernel takes, most of the time."""
    if tname:
        targets = CLEAN_TARGETS[tname] + (NAT_BY_CHAIN[chain]
                                          if tname == "nat" else [])
    words = ["-A", chain]
    for _ in range(rnd.choice([0, 0, 1, 2])):
        g = rnd.choice([g for g in GENERIC[:12] if "," not in g[-1]])
        opt = g[-2]
        if opt in words or "," in g[-1] and "!" in words:
            continue
        if (opt == "-i" and chain in ("OUTPUT", "POSTROUTING") or
                opt == "-o" and chain in ("INPUT", "PREROUTING")):
            continue
        words += g
    proto = rnd.choice(["tcp", "tcp", "udp", "icmp", None])
    if proto:
        words += ["-p", proto]
    for _ in range(rnd.choice([0, 1, 1, 2])):
        pool = FOR_PROTO[proto] if proto and rnd.random() < 0.6 else ANY_PROTO
        m = rnd.choice(pool)
        if m[1] not in words:
            words += m
    t = rnd.choice(targets)
    if proto != "tcp" and any(w in TCP_ONLY for w in t) or t == ["-j", "DROP"]:
        t = ["-j", "ACCEPT"]
    return " ".join(words + t)


def rule(rnd, chain, targets):
    if rnd.random() < 0.7:
        return coherent(rnd, chain, targets)
    words = ["-A", chain] if rnd.random() < 0.9 else ["-I", chain] + (
        ["1"] if rnd.random() < 0.5 else [])
    for _ in range(rnd.choice([0, 0, 1, 2])):
        words += pick(rnd, GENERIC, GENERIC_ODD)
    words += pick(rnd, PROTOS, PROTOS_ODD)
    for _ in range(rnd.choice([0, 1, 1, 2, 3])):
        words += pick(rnd, MATCHES, MATCHES_ODD)
    words += pick(rnd, targets, TARGETS_ODD)
    if rnd.random() < ODD:
        words += rnd.choice(MATCHES)
    if rnd.random() < ODD:
        words.insert(rnd.randrange(len(words) + 1), "!")
    return " ".join(words)


def table(rnd, name, chains, targets, nrules, clean):
    out = ["*" + name]
    out += [":%s ACCEPT [0:0]" % c for c in chains]
    out += [":USERCHAIN - [0:0]", ":KUBE-MARK-MASQ - [0:0]"]
    lines = []
    for _ in range(nrules):
        if lines and rnd.random() < 0.3:
            lines.append(rnd.choice(lines))       # the same line again
        elif clean:
            lines.append(coherent(rnd, rnd.choice(chains), targets, name))
        else:
            lines.append(rule(rnd, rnd.choice(chains), targets))
    out += lines
    out.append("COMMIT")
    return out


def main():
    seed, count, outdir = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
    for n in range(count):
        rnd = random.Random(seed * 100003 + n)
        lines = []
        clean = rnd.random() < 0.5      # half the files: coherent rules
        lines += table(rnd, "filter", ["INPUT", "FORWARD", "OUTPUT"],
                       TARGETS, rnd.randrange(5, 40), clean)
        lines += table(rnd, "nat", ["PREROUTING", "OUTPUT", "POSTROUTING"],
                       NAT_TARGETS + TARGETS[:5], rnd.randrange(3, 20), clean)
        lines += table(rnd, "mangle", ["PREROUTING", "OUTPUT"],
                       TARGETS, rnd.randrange(3, 20), clean)
        with open("%s/fp-%d-%d.rules" % (outdir, seed, n), "w") as f:
            f.write("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
