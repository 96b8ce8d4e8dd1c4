#!/usr/bin/env python3
"""gen.py - write the generated round-trip cases, cases/gen-NN.rules.

Each file looks hand-written: short options, -m tcp left out or spelled
out, comma lists in -s/-d, "!" negations, quoted comments with escapes,
counters as "[p:b]" and as "-c p b", -I with positions, -D by rule and by
number, -R, -N/-E/-F/-Z/-X/-P, several tables and sometimes one twice.
Every rule is valid where it is put, so the kernel loads every file.

The random source is a fixed xorshift seeded per file, so the output never
depends on the Python version. Re-run after changing this script, then
re-record the kernel's answers with tests/roundtrip/record.sh and review
the diff:

    python3 tests/roundtrip/gen.py tests/roundtrip/cases
"""

import os
import sys

NFILES = 30
MASK = (1 << 64) - 1


class Rng:
    def __init__(self, seed):
        self.s = (seed * 0x9E3779B97F4A7C15 + 1) & MASK

    def next(self):
        x = self.s
        x ^= (x << 13) & MASK
        x ^= x >> 7
        x ^= (x << 17) & MASK
        self.s = x
        return x

    def below(self, n):
        return self.next() % n

    def chance(self, percent):
        return self.below(100) < percent

    def pick(self, seq):
        return seq[self.below(len(seq))]


BUILTIN = {
    "filter": ["INPUT", "FORWARD", "OUTPUT"],
    "nat": ["PREROUTING", "INPUT", "OUTPUT", "POSTROUTING"],
    "mangle": ["PREROUTING", "INPUT", "FORWARD", "OUTPUT", "POSTROUTING"],
    "raw": ["PREROUTING", "OUTPUT"],
}
IN_OK = {"PREROUTING", "INPUT", "FORWARD"}	# chains where -i makes sense
OUT_OK = {"FORWARD", "OUTPUT", "POSTROUTING"}	# chains where -o does

ADDRS = ["10.0.0.1", "10.0.0.0/8", "192.168.1.0/24", "172.16.0.0/12",
         "198.51.100.7", "203.0.113.0/255.255.255.0", "192.0.2.1/32",
         "0.0.0.0/0", "100.64.0.0/10", "10.1.2.3/16", "192.168.7.9/255.255.0.255",
         "10.9"]
IFACES = ["eth0", "eth1", "wlan0", "ppp+", "br-lan", "eth+", "tun0", "lo"]
COMMENTS = ['"allow ssh"', 'web', '"a \\"quoted\\" word"', '"back\\\\slash"',
            '"tab\there"', "'single'", '""', '"x"']


def addr(r):
    if r.chance(20):
        return "%s,%s" % (r.pick(ADDRS[:6]), r.pick(ADDRS[:6]))
    return r.pick(ADDRS)


def proto_part(r):
    """A protocol and its implicit or explicit match options."""
    p = r.pick(["tcp", "tcp", "tcp", "udp", "udp", "icmp"])
    words = ["-p", p]
    if p in ("tcp", "udp"):
        if r.chance(40):
            words += ["-m", p]
        if r.chance(15):
            return words + ["-m", "multiport", r.pick(["--dports", "--sports", "--ports"]),
                            r.pick(["22,80,443", "1000:2000,3000", "53", "0x16,010"])], p
        port = r.pick(["22", "80", "443", "1024:65535", ":1023", "53",
                       "8000:8080", "ssh", "6000:", "022", "0:65535", "7:7"])
        if p == "tcp" and r.chance(10):
            port = "0x50"	# tcp reads ports with base 0, udp does not
        if r.chance(15):
            words.append("!")
        words += [r.pick(["--dport", "--sport", "--destination-port"]), port]
        if p == "tcp" and r.chance(20):
            words += r.pick([["--syn"], ["!", "--syn"],
                             ["--tcp-flags", "SYN,ACK,FIN,RST", "SYN"],
                             ["--tcp-flags", "ALL", "NONE"]])
    else:
        if r.chance(30):
            words += ["-m", "icmp"]
        words += ["--icmp-type", r.pick(["echo-request", "8", "3/4",
                                         "time-exceeded", "any"])]
    return words, p


def extra_match(r, table, chain):
    """One -m match that the kernel takes in any hook."""
    m = r.below(26)
    if m == 13:
        return ["-m", "hashlimit", "--hashlimit-upto",
                           r.pick(["10/sec", "100/min", "50kb/s"]),
                "--hashlimit-mode", r.pick(["srcip", "srcip,dstport"]),
                "--hashlimit-name", "h%d" % r.below(1000)]
    if m == 14:
        return ["-m", "recent", r.pick(["--rcheck", "--update"]), "--seconds",
                str(1 + r.below(600)), "--name", r.pick(["ssh", "DEFAULT", "bad"])]
    if m == 15:
        return ["-m", "string", "--string", r.pick(['"GET /"', "abc", '"a b"']),
                "--algo", r.pick(["bm", "kmp"])]
    if m == 16:
        return ["-m", "time", "--timestart", "08:00", "--timestop", "18:30",
                "--weekdays", r.pick(["Mon,Fri", "Sat", "1,2,3"])]
    if m == 17:
        return ["-m", "connlimit", "--connlimit-above", str(1 + r.below(50))]
    if m == 18:
        return ["-m", "statistic", "--mode", "nth", "--every",
                str(2 + r.below(9)), "--packet", "1"]
    if m == 19 and chain in ("PREROUTING", "INPUT", "FORWARD"):
        return ["-m", "mac", "--mac-source", "00:0A:95:9d:68:%02x" % r.below(256)]
    if m == 20:
        return ["-m", "u32", "--u32", '"6&0xFF=1"']
    if m == 21:
        return ["-m", "addrtype", "!", "--src-type", "LOCAL"]
    if m == 22:
        return ["-m", "conntrack", "--ctorigsrc", r.pick(ADDRS[:5]),
                "--ctstatus", r.pick(["ASSURED", "SEEN_REPLY,CONFIRMED"])]
    if m == 23:
        return ["-m", "length", "!", "--length", "%d:%d" % (r.below(100), 100 + r.below(1400))]
    if m == 24:
        return ["-m", "ttl", "!", "--ttl-eq", str(r.below(256))]
    if m == 25:
        return ["-m", "iprange", "--dst-range", "192.168.1.%d-192.168.1.200" % r.below(100)]
    if m == 0:
        return ["-m", "conntrack", "--ctstate",
                r.pick(["NEW", "ESTABLISHED,RELATED", "INVALID", "NEW,UNTRACKED"])]
    if m == 1:
        return ["-m", "state", "--state", r.pick(["NEW", "RELATED,ESTABLISHED"])]
    if m == 2:
        return ["-m", "comment", "--comment", r.pick(COMMENTS)]
    if m == 3:
        return ["-m", "mark", "--mark", r.pick(["0x1", "0x2/0xff", "7"])]
    if m == 4:
        return ["-m", "iprange", "--src-range", "10.1.1.1-10.1.1.99"]
    if m == 5:
        return ["-m", "addrtype", "--dst-type", r.pick(["LOCAL", "BROADCAST"])]
    if m == 6:
        return ["-m", "length", "--length", r.pick(["0:100", "1500"])]
    if m == 7:
        return ["-m", "ttl", r.pick(["--ttl-lt", "--ttl-gt", "--ttl-eq"]), "64"]
    if m == 8:
        return ["-m", "limit", "--limit", r.pick(["5/sec", "10/min", "1/hour"]),
                "--limit-burst", "7"]
    if m == 9:
        return ["-m", "pkttype", "--pkt-type", r.pick(["unicast", "broadcast"])]
    if m == 10:
        return ["-m", "dscp", "--dscp", str(r.below(64))]
    if m == 11:
        return ["-m", "connmark", "--mark", "0x10/0xf0"]
    return ["-m", "tos", "--tos", r.pick(["Minimize-Delay", "0x08"])]


def target(r, table, chain, users, proto):
    """A target valid in this table and chain; users: chains we may jump to."""
    builtin = chain in BUILTIN[table]
    if users and r.chance(25):
        return [r.pick(["-j", "-j", "-g"]), r.pick(users)]
    if table == "filter":
        choices = [["-j", "ACCEPT"], ["-j", "DROP"],
                   ["-j", "LOG", "--log-prefix", '"%s: "' % chain.lower()],
                   ["-j", "NFLOG", "--nflog-group", "3"],
                   ["-j", "REJECT"],
                   ["-j", "REJECT", "--reject-with", "icmp-host-prohibited"],
                   ["-j", "LOG", "--log-level", r.pick(["debug", "4", "crit"]),
                    "--log-tcp-options", "--log-uid"],
                   ["-j", "NFQUEUE", "--queue-num", str(r.below(100)), "--queue-bypass"],
                   ["-j", "NFLOG", "--nflog-prefix", '"nf log"', "--nflog-threshold", "2"]]
        if proto == "tcp":
            choices.append(["-j", "REJECT", "--reject-with", "tcp-reset"])
    elif table == "nat":
        choices = [["-j", "ACCEPT"], ["-j", "RETURN"]]
        if chain in ("PREROUTING", "OUTPUT"):
            choices += [["-j", "DNAT", "--to-destination", "192.168.1.5"],
                        ["-j", "REDIRECT"]]
            if proto in ("tcp", "udp"):
                choices += [["-j", "DNAT", "--to-destination", "192.168.1.6:8080"],
                            ["-j", "REDIRECT", "--to-ports", "3128"]]
        elif chain in ("POSTROUTING", "INPUT"):
            choices += [["-j", "SNAT", "--to-source", "198.51.100.1"],
                        ["-j", "SNAT", "--to-source", "198.51.100.1-198.51.100.9", "--random"]]
            if proto in ("tcp", "udp"):
                choices += [["-j", "SNAT", "--to-source", "198.51.100.2:1000-2000",
                             "--persistent"]]
            if chain == "POSTROUTING":
                choices += [["-j", "MASQUERADE"]]
                if proto in ("tcp", "udp"):
                    choices += [["-j", "MASQUERADE", "--to-ports", "1024-2048", "--random"]]
        if builtin:
            choices.append(["-j", "NETMAP", "--to", "10.99.0.0/16"])
    elif table == "mangle":
        choices = [["-j", "MARK", "--set-mark", str(r.below(256))],
                   ["-j", "MARK", "--set-xmark", "0x1/0xff"],
                   ["-j", "CONNMARK", "--save-mark"],
                   ["-j", "CONNMARK", "--restore-mark"],
                   ["-j", "TOS", "--set-tos", "0x10"],
                   ["-j", "DSCP", "--set-dscp", "10"],
                   ["-j", "TTL", "--ttl-inc", "1"],
                   ["-j", "ACCEPT"]]
    else:	# raw
        choices = [["-j", "NOTRACK"], ["-j", "CT", "--notrack"],
                   ["-j", "CT", "--zone", str(1 + r.below(9))],
                   ["-j", "TRACE"], ["-j", "ACCEPT"], ["-j", "DROP"]]
    if not builtin:
        choices.append(["-j", "RETURN"])
    return r.pick(choices)


def rule_spec(r, table, chain, users):
    words = []
    builtin = chain in BUILTIN[table]
    if r.chance(40):
        if r.chance(15):
            words.append("!")
        words += [r.pick(["-s", "-s", "--source"]), addr(r)]
        if words[0] == "!" and "," in words[-1]:
            words[-1] = words[-1].split(",")[0]
    if r.chance(25):
        words += ["-d", addr(r) if not words or words[0] != "!" else r.pick(ADDRS)]
        if words[0] == "!" and "," in words[-1]:
            words[-1] = words[-1].split(",")[0]
    if builtin and chain in IN_OK and r.chance(30):
        words += (["!"] if r.chance(20) else []) + ["-i", r.pick(IFACES)]
    if builtin and chain in OUT_OK and r.chance(25):
        words += ["-o", r.pick(IFACES)]
    proto = None
    if r.chance(65):
        pw, proto = proto_part(r)
        words += pw
    elif r.chance(10):
        words += ["!", "-p", "tcp"]
    if r.chance(45):
        words += extra_match(r, table, chain)
    if table == "filter" and chain == "OUTPUT" and r.chance(20):
        words += ["-m", "owner", "--uid-owner", str(r.pick([0, 33, 1000]))]
    if proto == "tcp" and table == "mangle" and chain in ("FORWARD", "POSTROUTING") \
            and r.chance(40):
        return words[:0] + ["-p", "tcp", "--tcp-flags", "SYN,RST", "SYN", "-j",
                            "TCPMSS", "--clamp-mss-to-pmtu"]
    words += target(r, table, chain, users, proto)
    if r.chance(8):	# a rule with no target only counts
        words = [w for w in words]
        while "-j" in words or "-g" in words:
            i = words.index("-j") if "-j" in words else words.index("-g")
            words = words[:i]
        if not words:
            words = ["-p", "udp"]
    return words


class Chain:
    def __init__(self, name):
        self.name = name
        self.rules = 0


def counters(r):
    return "[%d:%d]" % (r.below(1000), r.below(10 ** 6))


def table_block(r, table, out):
    out.append("*" + table)
    builtins = BUILTIN[table]
    # Built-in chain lines: all, some or none, in iptables-save's order.
    for c in builtins:
        if r.chance(85):
            pol = "ACCEPT"
            if table != "nat" and r.chance(30):
                pol = "DROP"
            elif r.chance(8):
                pol = "-"	# keep the policy (and counters) as they are
            out.append(":%s %s %s" % (c, pol, counters(r) if r.chance(30) else "[0:0]"))
    nuser = r.below(4)
    users = ["%s%d" % (r.pick(["LOG_", "ALLOW-", "chk", "SVC_", "x"]), i)
             for i in range(nuser)]
    for u in users:
        # user chains have no counters: these are read and dropped
        out.append(":%s - %s" % (u, counters(r) if r.chance(20) else "[0:0]"))
    chains = {c: Chain(c) for c in builtins + users}
    order = builtins + users

    def callable_from(name):
        # No loops: a user chain may only go to user chains after it.
        if name in builtins:
            return users
        return users[users.index(name) + 1:]

    for _ in range(3 + r.below(12)):
        cname = r.pick(order)
        ch = chains[cname]
        spec = rule_spec(r, table, cname, callable_from(cname))
        while "," in " ".join(spec) and ch.rules > 0 and r.chance(50):
            spec = rule_spec(r, table, cname, callable_from(cname))
        plain = "," not in " ".join(spec)
        pre, post = "", []
        if r.chance(15):
            pre = counters(r) + " "
        elif r.chance(10):
            post = ["-c", str(r.below(50)), str(r.below(5000))]
        op = r.below(10)
        if ch.rules == 0 or not plain:
            op = 0
        if op < 6:
            out.append(pre + " ".join(["-A", cname] + spec + post))
            if plain and r.chance(15):
                # -D by specification: the first identical rule goes
                out.append(" ".join(["-D", cname] + spec))
                continue
        elif op < 8:
            if r.chance(30):
                out.append(pre + " ".join(["-I", cname] + spec + post))
            else:
                pos = 1 + r.below(ch.rules + 1)
                out.append(pre + " ".join(["-I", cname, str(pos)] + spec + post))
        elif op == 8:
            pos = 1 + r.below(ch.rules)
            out.append(pre + " ".join(["-R", cname, str(pos)] + spec + post))
            continue
        else:
            out.append("-D %s %d" % (cname, 1 + r.below(ch.rules)))
            ch.rules -= 1
            continue
        # A rule with address lists is one rule per address pair.
        n = 1
        for i, w in enumerate(spec[:-1]):
            if w in ("-s", "--source", "-d"):
                n *= spec[i + 1].count(",") + 1
        ch.rules += n
    # Chain commands now and then.
    if r.chance(30):
        out.append("-N TMP%d" % r.below(100))
        out.append("-X %s" % out[-1][3:])
    if users and r.chance(30):
        old = users[-1]
        out.append("-E %s %s" % (old, old + "_NEW"))
        out.append("-A %s -j RETURN" % (old + "_NEW"))
    if r.chance(20):
        c = r.pick(builtins)
        out.append("-F %s" % c)
    if r.chance(20):
        out.append("-Z")
    if table != "nat" and r.chance(25):
        out.append("-P %s %s" % (r.pick(builtins), r.pick(["ACCEPT", "DROP"])))
    out.append("COMMIT")


def gen_file(seed):
    r = Rng(seed)
    out = ["# generated by tests/roundtrip/gen.py, seed %d" % seed]
    tables = ["filter", "nat", "mangle", "raw"]
    chosen = []
    for _ in range(1 + r.below(3)):
        chosen.append(r.pick(tables))
    if r.chance(15):
        chosen.append(chosen[0])	# the same table again
    for t in chosen:
        if r.chance(20):
            out.append("")
            out.append("# %s" % t)
        table_block(r, t, out)
    return "\n".join(out) + "\n"


def main():
    outdir = sys.argv[1] if len(sys.argv) > 1 else os.path.join(
        os.path.dirname(os.path.abspath(__file__)), "cases")
    os.makedirs(outdir, exist_ok=True)
    for i in range(1, NFILES + 1):
        with open(os.path.join(outdir, "gen-%02d.rules" % i), "w") as f:
            f.write(gen_file(i))


if __name__ == "__main__":
    main()
