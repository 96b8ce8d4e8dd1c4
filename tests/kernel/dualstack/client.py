"""client.py - what Python's socket.create_connection(("localhost", 3000))
sees on this namespace for each IPv6 file given: the address it connected
to and whether it waited (a dropped SYN costs the whole SYN timeout; the
suite sets tcp_syn_retries=1 to keep it short). Prints one line a file:
NAME ADDRESS waited|at-once.

    client.py RULES.V4 NAME=RULES.V6...
"""
import socket
import subprocess
import sys
import time


def restore(tool, path):
    with open(path, "rb") as f:
        subprocess.run([tool], stdin=f, check=True)


def main():
    restore("iptables-legacy-restore", sys.argv[1])
    srv = socket.socket(socket.AF_INET6)
    srv.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
    srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    srv.bind(("::", 3000))
    srv.listen(16)
    for arg in sys.argv[2:]:
        name, path = arg.split("=", 1)
        restore("ip6tables-legacy-restore", path)
        t = time.monotonic()
        c = socket.create_connection(("localhost", 3000), timeout=30)
        took = time.monotonic() - t
        print(name, c.getpeername()[0], "waited" if took > 0.9 else "at-once")
        c.close()
        srv.accept()[0].close()


main()
