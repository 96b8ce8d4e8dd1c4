#!/bin/bash
# ktrace6_live.sh - `iptsim trace --kernel-trace` on IPv6 files, line by
# line against the kernel's own TRACE lines: each case of
# tests/e2e/trace/v6-kernel-trace*.args is run by tests/kernel/oracle.py
# (--raw: the log lines as nf_log_ipv6 wrote them) and by iptsim. The
# kernel's lines (the oracle's capture ends at a TCP SYN sent again) are
# the first ones iptsim prints, and each iptsim line is the
# kernel's, byte for byte, up to where iptsim stops (the fields that tell
# a path; an ICMPv6 error's inner packet in brackets), FLOWLBL=* standing
# for the kernel's flow label.
#
# Usage: ktrace6_live.sh IPTSIM [SRCDIR]   (ctest's arguments)
# Exit: 0 all agree, 1 a disagreement, 77 skipped (no root, no netns).
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
src=${2:-$(cd "$here/../.." && pwd)}
iptsim=${1:-}
python=${PYTHON:-$(command -v /usr/bin/python3 || command -v python3 || true)}

# shellcheck source-path=SCRIPTDIR source=../lib/kernel.sh
. "$here/../lib/kernel.sh"

if [ -z "$iptsim" ] || [ ! -x "$iptsim" ]; then
	echo "usage: ktrace6_live.sh IPTSIM [SRCDIR]" >&2
	exit 2
fi
ipts_require_kernel ip6tables-legacy-restore ip
[ -n "$python" ] || ipts_kernel_skip "needs python3"

exec "$python" - "$iptsim" "$src" <<'PY'
import glob, json, os, re, shlex, subprocess, sys

iptsim, src = os.path.abspath(sys.argv[1]), os.path.abspath(sys.argv[2])
oracle = os.path.join(src, "tests/kernel/oracle.py")
# iptsim's trace options the oracle takes as they are
KEEP = ("--proto", "--dport", "--sport", "--src", "--dst", "--uid")
failed = cases = 0
for args in sorted(glob.glob(os.path.join(src,
                                          "tests/e2e/trace/v6-kernel-trace*.args"))):
    base = args[:-len(".args")]
    d, name = os.path.dirname(base), os.path.basename(base)
    words = shlex.split(open(args).read().replace("FILE", name + ".rules"))
    opts = []
    for i, w in enumerate(words):
        if w in KEEP:
            opts += [w, words[i + 1]]
    cases += 1
    mine = subprocess.run([iptsim] + words, cwd=d, capture_output=True,
                          text=True, check=False).stdout.splitlines()
    # a TCP client's SYN is sent again at 1 s (the first ICMPv6 error is
    # a soft one): wait for it and its error
    k = subprocess.run([sys.executable, oracle, "-6", "--no-nft-trace",
                        "--raw", "--timeout-ms", "2500"] + opts +
                       [name + ".rules"], cwd=d,
                       capture_output=True, text=True, check=False)
    try:
        raw = json.loads(k.stdout)["raw"]
    except (ValueError, KeyError):
        print("FAIL %s: the oracle gave no answer: %s"
              % (name, k.stderr.strip()[-300:]))
        failed += 1
        continue
    theirs = [l.split(" ", 1)[1] for l in raw if " TRACE: " in l]
    # the oracle's capture stops at the SYN sent again (as compare.py
    # cuts there): iptsim's lines from it on are not compared
    if len(mine) < len(theirs) or not theirs:
        print("FAIL %s: %d TRACE lines, the kernel %d" % (name, len(mine),
                                                          len(theirs)))
        failed += 1
        continue
    for n, (a, b) in enumerate(zip(mine, theirs)):
        pat = re.escape(a).replace(re.escape("FLOWLBL=*"), "FLOWLBL=[0-9]+")
        if not re.match(pat, b):
            print("FAIL %s line %d:\n  iptsim: %s\n  kernel: %s"
                  % (name, n + 1, a, b))
            failed += 1
            break
print("%d cases, %d failed" % (cases, failed))
sys.exit(1 if failed else 0)
PY
