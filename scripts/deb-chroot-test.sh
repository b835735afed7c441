#!/usr/bin/env bash
# Installs the Debian package into a clean Debian bookworm (debootstrap --variant=minbase) with
# apt resolving its Depends from the archive (no Recommends: the Depends alone must suffice),
# uses it there (mcsim --help, mcsim run on the installed default scenario, mcsim decode on the
# installed capture, import of the Python package with the system python3), removes it with
# apt-get purge and checks that none of its files is left. Prints the time of each step.
#
# usage: scripts/deb-chroot-test.sh [BUILD_DIR]     (default: build; run as root)
# env:   MIRROR    archive to bootstrap from (default: the first URIs/deb line of this
#                  machine's apt sources, else http://deb.debian.org/debian)
#        CHROOT    where to build the chroot (default: a new directory under /tmp; removed
#                  at the end unless KEEP=1)
# Exit status: 0 passed, 1 the package failed in the chroot, 2 usage, 77 no chroot can be made
# here (debootstrap not installable, or the archive not reachable): scripts/test.sh reports
# that as skipped. About 35 s on this machine (docs/packaging.md has the figures).
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build}
[ "$(id -u)" = 0 ] || { echo "deb-chroot-test: needs root (debootstrap, chroot)" >&2; exit 2; }
[ -f "$build/CPackConfig.cmake" ] || { echo "deb-chroot-test: $build/CPackConfig.cmake not found: configure and build first" >&2; exit 2; }
cannot() { echo "deb-chroot-test: cannot make a chroot here: $1" >&2; exit 77; }
if ! command -v debootstrap >/dev/null; then
  { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends debootstrap >/dev/null; } ||
    cannot "debootstrap is not installed and apt-get could not install it"
fi
if [ -z "${MIRROR:-}" ]; then
  MIRROR=$({ cat /etc/apt/sources.list /etc/apt/sources.list.d/*.sources 2>/dev/null || true; } |
           awk '/^URIs:/ {print $2; exit} /^deb / {print ($2 ~ /^\[/ ? $3 : $2); exit}')
  MIRROR=${MIRROR:-http://deb.debian.org/debian}
fi
if [ -n "${CHROOT:-}" ] && [ -e "$CHROOT" ] && [ -n "$(ls -A "$CHROOT")" ]; then
  echo "deb-chroot-test: CHROOT=$CHROOT exists and is not empty (it would be removed at the end)" >&2; exit 2
fi
work=$(mktemp -d /tmp/mcsim-deb-chroot.XXXXXX)
root=${CHROOT:-$work/root}
cleanup() {
  if mountpoint -q "$root/proc"; then umount "$root/proc"; fi
  if [ "${KEEP:-0}" != 1 ] && ! mountpoint -q "$root/proc"; then rm -rf --one-file-system "$work" "${CHROOT:-}"; fi
}
trap cleanup EXIT

t0=$SECONDS
step() { echo "== $1 (t=$((SECONDS - t0)) s)"; }

step "cpack -G DEB"
cpack -G DEB -B "$work/deb" --config "$build/CPackConfig.cmake" >"$work/cpack.log"
deb=$(ls "$work"/deb/*.deb)
echo "$(basename "$deb"): $(dpkg-deb -f "$deb" Depends)"

step "debootstrap --variant=minbase bookworm from $MIRROR"
t=$SECONDS
debootstrap --variant=minbase bookworm "$root" "$MIRROR" >"$work/debootstrap.log" 2>&1 ||
  { tail -20 "$work/debootstrap.log" >&2; cannot "debootstrap bookworm from $MIRROR failed (log above)"; }
echo "debootstrap: $((SECONDS - t)) s, $(du -sh "$root" | cut -f1)"
cp /etc/resolv.conf "$root/etc/resolv.conf"
mount -t proc proc "$root/proc"
in_chroot() { chroot "$root" env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin LANG=C.UTF-8 DEBIAN_FRONTEND=noninteractive "$@"; }

step "apt-get install ./$(basename "$deb") (Depends from the archive)"
t=$SECONDS
cp "$deb" "$root/tmp/"
in_chroot apt-get update -qq || cannot "apt-get update in the chroot failed (archive $MIRROR not reachable?)"
if ! in_chroot apt-get install -y -qq --no-install-recommends "/tmp/$(basename "$deb")" >"$work/apt.log" 2>&1; then
  tail -20 "$work/apt.log"
  # A download that failed is the network's; anything else (unmet Depends, a failing
  # maintainer script) is the package's.
  if grep -qE 'Failed to fetch|Temporary failure resolving|Could not resolve|Unable to fetch' "$work/apt.log"; then
    cannot "apt-get could not download the Depends from $MIRROR"
  fi
  exit 1
fi
echo "apt-get install: $((SECONDS - t)) s, $(grep -c '^Setting up' "$work/apt.log") packages set up"

fail=0
expect() {  # expect WHAT COMMAND... : the command succeeds
  local what=$1; shift
  if "$@"; then echo "ok    $what"; else echo "FAIL  $what"; fail=1; fi
}
step "use the installed package"
expect "mcsim --help" sh -c "chroot '$root' mcsim --help | head -1 | grep -qx 'usage: mcsim <command> \[options\]'"
expect "mcsim run /usr/share/mcsim/scenarios/default.yaml: 10 passed" \
  sh -c "chroot '$root' mcsim run /usr/share/mcsim/scenarios/default.yaml | tail -1 | grep -q ': 10 passed, 0 failed$'"
expect "mcsim decode linux-join-leave.pcap: 28 messages, the kernel's IGMPv3 join" \
  sh -c "out=\$(chroot '$root' mcsim decode /usr/share/mcsim/scenarios/captures/linux-join-leave.pcap) &&
         [ \$(printf '%s\n' \"\$out\" | wc -l) = 28 ] &&
         printf '%s\n' \"\$out\" | grep -q '10.99.0.2 → 224.0.0.22 IGMPv3 Membership Report: TO_EX 239.1.1.1 {}'"
expect "python3 -c 'import mcsim' (system python3, no PYTHONPATH)" \
  sh -c "chroot '$root' python3 -c 'import mcsim, mcsim._core; print(mcsim.__file__)' | grep -qx /usr/lib/python3/dist-packages/mcsim/__init__.py"
expect "mcsim check /usr/share/mcsim/scenarios" sh -c "chroot '$root' mcsim check /usr/share/mcsim/scenarios >'$work/check.log'"
# The shared libraries: the ldconfig trigger (DEBIAN/triggers) put them in the dynamic linker's
# cache, and Python's ctypes loads libmcsim_sim by its SONAME and calls into it.
so=$(dpkg-deb -c "$deb" | awk '{print $6}' | grep -o 'libmcsim_sim\.so\.[0-9]*\.[0-9]*$' | head -1)
if [ -n "$so" ]; then
  expect "ldconfig cache lists $so (trigger processed)" sh -c "chroot '$root' ldconfig -p | grep -q '$so'"
  expect "ctypes loads $so and finds mcsim::sim symbols" \
    sh -c "chroot '$root' python3 -c \"import ctypes; l = ctypes.CDLL('$so'); print(l._ZN5mcsim3sim18load_scenario_textERKNSt7__cxx1112basic_stringIcSt11char_traitsIcESaIcEEES8_ is not None)\" | grep -qx True"
fi

step "apt-get purge mcsim"
files=$(in_chroot dpkg -L mcsim | while read -r f; do [ -f "$root$f" ] && echo "$f"; done)
in_chroot apt-get purge -y -qq mcsim >>"$work/apt.log" 2>&1
left=$(for f in $files; do [ -e "$root$f" ] && echo "$f"; done || true)
expect "purged: none of the $(echo "$files" | wc -l) files left" test -z "$left"
expect "dpkg no longer knows mcsim" sh -c "! chroot '$root' dpkg -s mcsim >/dev/null 2>&1"

step "done"
echo "deb-chroot-test: $([ $fail = 0 ] && echo PASSED || echo FAILED) in $((SECONDS - t0)) s"
exit $fail
