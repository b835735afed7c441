#!/usr/bin/env bash
# Sets everything up, then runs every test: the release build's suites, then the same suites
# under AddressSanitizer + UndefinedBehaviorSanitizer, then tests/concurrency (simulations,
# decoders, validators, the Winsock facade and live runners in threads) under ThreadSanitizer,
# then a fuzz smoke run of every libFuzzer target, then (as root) the Debian package in a
# clean bookworm chroot.
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
# The .deb installed, used and purged in a clean bookworm chroot (debootstrap from the
# machine's Debian archive; about 35 s). MCSIM_DEB_CHROOT=auto (default): run as root, and
# report "skipped" when no chroot can be made here (exit 77: debootstrap or the archive
# unavailable); =1: required; =0: not run. A failure of the package itself always fails.
deb_chroot=${MCSIM_DEB_CHROOT:-auto}
if [ "$deb_chroot" = 1 ] || { [ "$deb_chroot" = auto ] && [ "$(id -u)" = 0 ]; }; then
  echo "== Debian package in a clean bookworm chroot (scripts/deb-chroot-test.sh) =="
  rc=0
  scripts/deb-chroot-test.sh build || rc=$?
  if [ "$rc" = 77 ] && [ "$deb_chroot" = auto ]; then
    echo "SKIPPED: Debian package chroot test (no chroot can be made on this machine; see above)"
  elif [ "$rc" != 0 ]; then
    exit "$rc"
  fi
elif [ "$deb_chroot" = auto ]; then
  echo "SKIPPED: Debian package chroot test (needs root)"
fi
