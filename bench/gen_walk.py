#!/usr/bin/env python3
"""gen_walk.py - a filter table whose OUTPUT chain a local SYN crosses whole.

Usage: gen_walk.py [-n RULES] [-o FILE]

Every rule is of a kind real files hold (addresses, ports, multiport,
conntrack, mark, comments) and none matches 127.0.0.1:40000 -> :1060, so
the walk of each packet visits all N rules: the worst case for one walk.
"""
import argparse
import sys


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("-n", "--rules", type=int, default=100000)
    ap.add_argument("-o", "--output")
    a = ap.parse_args()
    out = open(a.output, "w") if a.output else sys.stdout
    out.write("*filter\n:INPUT ACCEPT [0:0]\n:FORWARD ACCEPT [0:0]\n"
              ":OUTPUT ACCEPT [0:0]\n")
    for i in range(a.rules):
        addr = "10.%d.%d.%d" % (i >> 16 & 255, i >> 8 & 255, i & 255)
        k = i % 4
        if k == 0:
            out.write("-A OUTPUT -s %s/32 -p tcp -m tcp --dport %d -j DROP\n"
                      % (addr, 1 + i % 60000))
        elif k == 1:
            out.write('-A OUTPUT -p tcp -m multiport --dports %d,%d '
                      '-m comment --comment "rule %d" -j REJECT\n'
                      % (2000 + i % 5000, 9000 + i % 5000, i))
        elif k == 2:
            out.write("-A OUTPUT -p udp -m udp --dport %d "
                      "-m conntrack --ctstate NEW -j ACCEPT\n"
                      % (1 + i % 60000))
        else:
            out.write("-A OUTPUT -d %s/32 -m mark --mark 0x%x -j DROP\n"
                      % (addr, i))
    out.write("COMMIT\n")


if __name__ == "__main__":
    main()
