#!/usr/bin/env bash
# Run every test: the install script first (apt only when a package is
# missing; nothing is built in build/), then ctest on a warnings-as-errors
# build, the unit tests of a clang -Werror build, and the suite again under
# ASan + UBSan.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh --deps-only --if-needed
cmake -S . -B build-ci -DIPTSIM_WERROR=ON
cmake --build build-ci -j"$(nproc)"
(cd build-ci && ctest --output-on-failure -j2)
# clang's warnings differ from gcc's: the whole tree must build with both.
cmake -S . -B build-clang -DCMAKE_C_COMPILER=clang -DIPTSIM_WERROR=ON
cmake --build build-clang -j"$(nproc)"
(cd build-clang && ctest --output-on-failure -j2 -L unit)
cmake -S . -B build-asan -DIPTSIM_WERROR=ON -DIPTSIM_SANITIZE=ON
cmake --build build-asan -j"$(nproc)"
# Under the sanitizers: everything but the kernel suites (already run above),
# the libFuzzer run (which builds its own sanitized tree) and the static
# checks (the same sources).
(cd build-asan && ASAN_OPTIONS=detect_leaks=0 ctest --output-on-failure -j2 -LE 'kernel|fuzz|lint')
