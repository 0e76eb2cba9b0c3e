#!/bin/sh
# Runs every test of dfsum: a warnings-as-errors Release build under ctest,
# then the same suite built with AddressSanitizer + UBSan, then the golden
# cases on the profile-guided build (cmake/pgo.sh).
# Usage: tests/run.sh    (from anywhere; builds in build/, build-asan/, build-pgo/)
set -eu
cd "$(dirname "$0")/.."
JOBS="${JOBS:-2}"

run_suite() {
    dir="$1"; shift
    echo "== $dir: configure ($*)"
    cmake -S . -B "$dir" -DDFSUM_WERROR=ON "$@" >/dev/null
    echo "== $dir: build"
    cmake --build "$dir" -j "$JOBS" >/dev/null
    echo "== $dir: test"
    ctest --test-dir "$dir" --output-on-failure -j "$JOBS"
}

run_suite build -DCMAKE_BUILD_TYPE=Release
ASAN_OPTIONS="detect_leaks=1:abort_on_error=1" \
UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1" \
    run_suite build-asan -DCMAKE_BUILD_TYPE=Debug -DDFSUM_SANITIZE=ON

echo "== build-pgo: profile-guided build, golden cases"
cmake/pgo.sh build-pgo
python3 tests/golden/run_golden.py build-pgo/dfsum tests/golden
