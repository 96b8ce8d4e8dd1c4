# shellcheck shell=bash disable=SC2034
# host-refusals.sh - shared corpus files the kernel refuses for a reason that
# lies in the host the file is loaded on, not in the file (KERNEL-FACTS.md
# section (i)). Sourced by tests/corpus/run.sh and tests/kernel/parity.sh.
#
# HOST_REFUSAL_RC[file]: the exit code `iptsim check` must give.
# HOST_REFUSAL_WHY[file]: why the kernel refuses it.

declare -A HOST_REFUSAL_RC HOST_REFUSAL_WHY

# The ipset "whitelist" lives in the host's ipset state, which a fresh
# namespace lacks ("Set whitelist doesn't exist."). The file itself is fine:
# iptsim accepts it (and may warn that the host must provide the set).
HOST_REFUSAL_RC[nn__configs_serverfault__759927.txt]=0
HOST_REFUSAL_WHY[nn__configs_serverfault__759927.txt]="ipset 'whitelist' must exist on the host"

# "-d ntp.example.net": a host name is resolved when the file is loaded;
# example.net names do not resolve, so no rule can be built. iptsim asks
# no resolver (issue 11): on the firewall the name may resolve, so the
# rule loads with its address unknown, and a warning says so.
HOST_REFUSAL_RC[nolicence/nn__found_online__jvehent__firewall]=0
HOST_REFUSAL_WHY[nolicence/nn__found_online__jvehent__firewall]="host name 'ntp.example.net' does not resolve here; iptsim keeps it unknown"

# "-s <private_ip>/32": an anonymiser's placeholder where a host name or
# address stood; nothing resolves it, so iptsim must refuse it too.
HOST_REFUSAL_RC[nn__config_private_root__iptables-save]=1
HOST_REFUSAL_WHY[nn__config_private_root__iptables-save]="'<private_ip>' is no address and no resolvable name"
