#!/bin/bash
# diff_kernel.sh - what `iptsim diff` says changed, asked of the kernel:
# for every case of tests/e2e/diff whose files are IPv6 (v6-*.args with a
# .new file; no --host directory, no --ipsets), each changed connection of
# `diff --format json` is made in a throwaway namespace by
# tests/kernel/oracle.py (oracle_net.py for a host given with --iface and
# --sysctl: the same interfaces, the client on the network of the
# interface diff says it arrives on), once with OLD loaded and once with
# NEW; the kernel's outcomes must be the old and new outcomes diff
# printed. (diff's walks are trace's, which diff_live compares with the
# kernel packet by packet; this checks the connections diff derives and
# the addresses it puts on them.)
#
# Usage: diff_kernel.sh IPTSIM [SRCDIR]   (ctest's arguments)
# Exit: 0 all agree, 1 a disagreement, 77 skipped (no root, no netns).
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
src=${2:-$(cd "$here/../.." && pwd)}
iptsim=${1:-}
python=${PYTHON:-$(command -v /usr/bin/python3 || command -v python3 || true)}

# shellcheck source-path=SCRIPTDIR source=../lib/kernel.sh
. "$here/../lib/kernel.sh"

if [ -z "$iptsim" ] || [ ! -x "$iptsim" ]; then
	echo "usage: diff_kernel.sh IPTSIM [SRCDIR]" >&2
	exit 2
fi
ipts_require_kernel ip6tables-legacy-restore ip
[ -n "$python" ] || ipts_kernel_skip "needs python3"

exec "$python" - "$iptsim" "$src" <<'PY'
import glob, json, os, shlex, subprocess, sys

iptsim, src = os.path.abspath(sys.argv[1]), os.path.abspath(sys.argv[2])
oracle = os.path.join(src, "tests/kernel/oracle.py")
oracle_net = os.path.join(src, "tests/kernel/oracle_net.py")
# the oracle's words for what iptsim calls eperm (connect()'s EACCES)
SAME = {"eacces": "eperm"}
failed = tried = 0
for args in sorted(glob.glob(os.path.join(src, "tests/e2e/diff/v6-*.args"))):
    base = args[:-len(".args")]
    d, name = os.path.dirname(base), os.path.basename(base)
    words = shlex.split(open(args).read().replace("FILE", name + ".rules"))
    if (not os.path.exists(base + ".new") or "--format" in words or
            "--host" in words or "--route" in words or
            "--ipsets" in words):
        continue
    old, new = words[1], words[2]
    # the host options, as oracle_net.py takes them
    host = [w + "=" + v for w, v in zip(words, words[1:])
            if w in ("--iface", "--sysctl")]
    p = subprocess.run([iptsim] + words + ["--format", "json"], cwd=d,
                       capture_output=True, text=True, check=False)
    # 4: no change, but a changed rule off lo (nothing to ask the kernel)
    if p.returncode not in (0, 1, 4):
        print("FAIL %s: diff exits %d: %s" % (name, p.returncode, p.stderr))
        failed += 1
        continue
    for ch in json.loads(p.stdout)["changes"]:
        q = ch["query"]
        opts = ["--proto", q["proto"], "--src", q["src"],
                "--dst", q["dst"], "--sport", str(q["sport"]),
                "--dport", str(q["dport"]), "--uid", str(q["uid"]),
                "--gid", str(q["gid"]), "--stable"]
        if host:
            ask = oracle_net
            opts += host + (["--in", q["in"]] if q.get("in") else [])
        else:
            ask = oracle
            opts += ["-6", "--no-nft"]
            for a in {q["src"], q["dst"]} - {"::1"}:
                opts += ["--local-addr", a]
        for rules, side in ((old, "old"), (new, "new")):
            tried += 1
            k = subprocess.run([sys.executable, ask] + opts + [rules],
                               cwd=d, capture_output=True, text=True,
                               check=False)
            try:
                got = json.loads(k.stdout)["outcome"]
            except (ValueError, KeyError):
                print("FAIL %s: the oracle gave no answer: %s"
                      % (name, k.stderr.strip()[-300:]))
                failed += 1
                continue
            got = SAME.get(got, got)
            want = ch[side]["outcome"]
            if got != want:
                failed += 1
                print("FAIL %s %s: %s %s -> %s:%d: kernel %s, diff says %s"
                      % (name, rules, q["proto"], q["src"], q["dst"],
                         q["dport"], got, want))
print("%d passed, %d failed" % (tried - failed, failed))
sys.exit(1 if failed else 0)
PY
