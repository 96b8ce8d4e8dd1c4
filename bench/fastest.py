#!/usr/bin/env python3
"""fastest.py - the fastest wall time of each of some commands, in ms.

Usage: fastest.py [-n RUNS] [-t SECONDS] -- CMD1... [-- CMD2...]...

Runs the commands one after the other, RUNS rounds (default 9), stdout
and stderr discarded, and prints each command's fastest wall time in
milliseconds (one decimal) on one line, in the order given. Timed from
time.monotonic_ns() around the child alone (no fork of date(1) inside
the interval), its end seen by a blocking wait: subprocess's wait with a
timeout polls in sleeps that double from 0.5 ms to 50 ms, which rounded
every time up to the next of 16, 32, 64... ms. A command over SECONDS
(default 60) is killed by a timer, prints ">SECONDS000" for it and is
not run again. Part of bench/run.sh; asserts nothing.
"""
import subprocess
import sys
import threading
import time


def main(argv):
    runs, limit = 9, 60.0
    i = 0
    while i < len(argv) and argv[i] != "--":
        if argv[i] == "-n":
            runs = int(argv[i + 1])
        elif argv[i] == "-t":
            limit = float(argv[i + 1])
        else:
            sys.exit("fastest.py: unknown option '%s'" % argv[i])
        i += 2
    cmds, cur = [], None
    for a in argv[i:]:
        if a == "--":
            cur = []
            cmds.append(cur)
        else:
            cur.append(a)
    cmds = [c for c in cmds if c]
    if not cmds:
        sys.exit("fastest.py: no command")
    best = [None] * len(cmds)
    dead = [False] * len(cmds)
    for _ in range(max(1, runs)):
        for k, c in enumerate(cmds):
            if dead[k]:
                continue
            t = time.monotonic_ns()
            p = subprocess.Popen(c, stdout=subprocess.DEVNULL,
                                 stderr=subprocess.DEVNULL)
            killer = threading.Timer(limit, p.kill)
            killer.start()
            p.wait()
            d = time.monotonic_ns() - t
            killer.cancel()
            if d >= limit * 1e9:
                dead[k] = True
                best[k] = None
                continue
            if best[k] is None or d < best[k]:
                best[k] = d
    print(" ".join(">%d" % (limit * 1000) if dead[k] or best[k] is None
                   else "%.1f" % (best[k] / 1e6) for k in range(len(cmds))))


if __name__ == "__main__":
    main(sys.argv[1:])
