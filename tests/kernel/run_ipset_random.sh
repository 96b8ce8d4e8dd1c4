#!/bin/bash
# run_ipset_random.sh - the differential suite of issue 16: seeded random
# sets and rules (gen_ipset.py), each case asked of the kernel (oracle.py
# --ipsets in a throwaway namespace) and of iptsim trace --ipsets by
# run_ipset.sh's live mode; the outcome and, after a -j SET, the sets'
# elements must agree. As root; skips (77) otherwise.
#
#   run_ipset_random.sh IPTSIM [SRCDIR SHAREDDIR]   (ctest's arguments)
# Then IPSET_V6_CASES IPv6 cases of the same seed (gen_ipset.py --family
# ipv6: inet6 sets, ip6tables files, connections over ::1 and three more
# addresses of lo), judged the same way.
# Environment: IPSET_SEED (default 1), IPSET_CASES (default 40),
#   IPSET_V6_CASES (default 12), IPTSIM_REQUIRE_KERNEL=1 (a skip is a
#   failure).
set -euo pipefail

iptsim=$1
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
python=${PYTHON:-$(command -v /usr/bin/python3 || command -v python3 || true)}
# shellcheck source-path=SCRIPTDIR source=../lib/kernel.sh
. "$here/../lib/kernel.sh"
ipts_require_kernel iptables-legacy-restore ip6tables-legacy-restore ipset \
	nft ip
[ -n "$python" ] || ipts_kernel_skip "needs python3"

seed=${IPSET_SEED:-1}
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
"$python" "$here/gen_ipset.py" --seed "$seed" --cases "${IPSET_CASES:-40}" \
	"$scratch"
echo "gen_ipset.py --seed $seed"
rc=0
IPTS_IPSET_MODE=live IPTS_IPSET_CASES=$scratch "$here/run_ipset.sh" \
	"$iptsim" || rc=$?
mkdir "$scratch/v6"
"$python" "$here/gen_ipset.py" --seed "$seed" --family ipv6 \
	--cases "${IPSET_V6_CASES:-12}" "$scratch/v6"
echo "gen_ipset.py --seed $seed --family ipv6"
IPTS_IPSET_MODE=live IPTS_IPSET_CASES=$scratch/v6 "$here/run_ipset.sh" \
	"$iptsim" || rc=$?
exit "$rc"
