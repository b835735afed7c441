#!/usr/bin/env bash
# Sets everything up, then runs every test: the release build's suites, then the same suites
# under AddressSanitizer + UndefinedBehaviorSanitizer, then tests/concurrency (simulations,
# decoders, validators, the Winsock facade and live runners in threads) under ThreadSanitizer,
# then a fuzz smoke run of every libFuzzer target.
# Exit status is non-zero on any failure.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh default asan tsan
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
echo "== tests (build/) =="
ctest --preset default
echo "== tests under ASan+UBSan (build-asan/) =="
ctest --preset asan
echo "== tests/concurrency under ThreadSanitizer (build-tsan/) =="
ctest --preset tsan
# Every libFuzzer target for a short smoke time (clang, -fsanitize=fuzzer,address,undefined),
# after replaying its regression inputs; a crash fails the run (docs/reliability.md).
echo "== fuzz smoke: each target ${MCSIM_FUZZ_SMOKE_SECONDS:-10} s (build-fuzz/) =="
JOBS=2 tests/fuzz/run.sh all "${MCSIM_FUZZ_SMOKE_SECONDS:-10}"
# Opt-in (about 2 minutes, downloads from the Debian archive): the .deb in a clean bookworm chroot.
if [ "${MCSIM_DEB_CHROOT:-0}" = 1 ]; then
  echo "== Debian package in a clean bookworm chroot (scripts/deb-chroot-test.sh) =="
  scripts/deb-chroot-test.sh build
fi
