#!/usr/bin/env bash
# What `diff` claims beyond what it asked holds: for every diff case of
# tests/e2e/diff with two files, and the README's example, each uid and gid
# span a group claims from classes ("uid 0-1000,1002-4294967294") is tried
# at its ends and middle through `iptsim query` on both files, with the
# group's other values; each answer must be the group's old and new outcome.
# The kernel agreed with these claims where it was asked (see the commit
# that added the classes); this keeps the simulator's claims in line with
# its own walks. Needs python3.
set -euo pipefail

iptsim=$1
srcdir=$2
# shellcheck source=tests/e2e/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
e2e_need python3

python3 - "$iptsim" "$srcdir" <<'PY'
import glob, itertools, json, os, shlex, subprocess, sys

iptsim, srcdir = sys.argv[1], sys.argv[2]
cases = []
for args in sorted(glob.glob(os.path.join(srcdir, "tests/e2e/diff/*.args"))):
    base = args[:-len(".args")]
    words = shlex.split(open(args).read().replace("FILE",
                        os.path.basename(base) + ".rules"))
    if not os.path.exists(base + ".new") or "--format" in words:
        continue
    cases.append((os.path.dirname(base), words[1:]))
cases.append((os.path.join(srcdir, "doc/examples"),
              ["fw.rules", "fw.new", "--dport", "1060"]))


def outcome(side):
    return (side["outcome"], tuple(side["possible_outcomes"]))


HOST_OPTS = ("--host", "--iface", "--route", "--sysctl", "--ipsets")


def host_words(words):
    """The host options of a diff command line, for query."""
    out = []
    for i, w in enumerate(words):
        if w in HOST_OPTS and i + 1 < len(words):
            out += [w, words[i + 1]]
    return out


def query_line(conn, host):
    words = []
    remote = conn.get("in") is not None
    keys = ("proto", "src", "dst", "sport", "dport")
    if not remote:
        keys += ("uid", "gid")
    for key in keys:
        words += ["--" + key, str(conn[key])]
    if remote:
        words += ["--in", conn["in"]]
    if not [w for w in host if w in HOST_OPTS and w != "--ipsets"]:
        for key in ("src", "dst"):
            if not conn[key].startswith("127."):
                words += ["--local-addr", conn[key]]
    return " ".join(words)


def ask(cwd, rules, lines, host):
    p = subprocess.run([iptsim, "query"] + host + ["--", rules], cwd=cwd,
                       check=False,
                       input="".join(l + "\n" for l in lines),
                       capture_output=True, text=True)
    answers = [json.loads(l) for l in p.stdout.splitlines()]
    if len(answers) != len(lines):
        sys.exit("query on %s: %d answers for %d lines: %s"
                 % (rules, len(answers), len(lines), p.stderr))
    return [outcome(a) for a in answers]


failed = tried = 0
for cwd, words in cases:
    p = subprocess.run([iptsim, "diff", "--format", "json"] + words,
                       cwd=cwd, capture_output=True, text=True)
    doc = json.loads(p.stdout)
    if "groups" not in doc:
        continue        # a file that does not load
    old_file, new_file = words[:2]
    host = host_words(words)
    for g in doc["groups"]:
        want = (outcome(g["old"]), outcome(g["new"]))
        for box in g["sets"]:
            dims = {}
            remote = None not in box.get("in", {"asked": [None]})["asked"]
            for key, d in box.items():
                vals = list(d["asked"])
                if d["classes"] and not (remote and key in ("uid", "gid")):
                    for lo, hi in d["claimed"]:
                        vals += [lo, hi, lo + (hi - lo) // 2]
                dims[key] = sorted(set(vals), key=str)
            keys = list(dims)
            conns = [dict(zip(keys, c))
                     for c in itertools.product(*(dims[k] for k in keys))]
            lines = [query_line(c, host) for c in conns]
            got = list(zip(ask(cwd, old_file, lines, host),
                           ask(cwd, new_file, lines, host)))
            for line, ans in zip(lines, got):
                tried += 1
                if ans != want:
                    failed += 1
                    print("FAIL %s %s: %s: got %s, the group says %s"
                          % (cwd, " ".join(words), line, ans, want))
print("%d connections tried, %d disagree with their group" % (tried, failed))
sys.exit(1 if failed else 0)
PY
