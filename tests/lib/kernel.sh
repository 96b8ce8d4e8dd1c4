# shellcheck shell=bash
# kernel.sh - whether a suite may use the real kernel, and what it says
# when it may not. Sourced by the suites that load rules into throwaway
# network namespaces (tests/kernel/parity.sh, roundtrip.sh, run_facts.sh,
# run_net.sh, tests/diff/run_live.sh, run_net_live.sh), by tests/names/hosts_kernel.sh for its live part
# and by tests/roundtrip/record.sh.
#
# Such a suite needs root, network namespaces (unshare -n) and its tools.
# Without them it prints "SKIP: needs root and network namespaces" (or
# "SKIP: needs TOOL") and exits 77, which ctest counts as skipped;
# IPTSIM_REQUIRE_KERNEL=1 (set by .ci/run) turns that skip into a failure,
# exit 1, so that CI cannot pass without having asked the kernel.

# ipts_kernel_skip REASON: end the suite, skipped ("SKIP: REASON", 77), or
# failed when IPTSIM_REQUIRE_KERNEL=1 ("FAIL: REASON (...)", 1).
ipts_kernel_skip() {
	if [ "${IPTSIM_REQUIRE_KERNEL:-0}" = 1 ]; then
		echo "FAIL: $1 (IPTSIM_REQUIRE_KERNEL=1)"
		echo "0 passed, 1 failed"
		exit 1
	fi
	echo "SKIP: $1"
	exit 77
}

# ipts_kernel_missing [TOOL...]: print why the kernel cannot be used here
# ("needs root and network namespaces", "needs TOOL") and return 1; return
# 0 silently when we are root, every TOOL is on PATH and unshare -n works.
ipts_kernel_missing() {
	local tool

	if [ "$(id -u)" -ne 0 ]; then
		echo "needs root and network namespaces"
		return 1
	fi
	for tool in "$@"; do
		if ! command -v "$tool" >/dev/null; then
			echo "needs $tool"
			return 1
		fi
	done
	if ! unshare -n true 2>/dev/null; then
		echo "needs root and network namespaces"
		return 1
	fi
	return 0
}

# ipts_have_kernel [TOOL...]: true when ipts_kernel_missing finds nothing.
ipts_have_kernel() {
	ipts_kernel_missing "$@" >/dev/null
}

# ipts_require_kernel [TOOL...]: return when the kernel may be used (with
# TOOL...), else skip the suite (ipts_kernel_skip).
ipts_require_kernel() {
	local why

	why=$(ipts_kernel_missing "$@") || ipts_kernel_skip "$why"
}
