#!/usr/bin/env bash
# Runs the libFuzzer targets: tests/fuzz/run.sh TARGET|all SECONDS
#  - configures and builds build-fuzz (clang, -DMCSIM_FUZZ=ON) when needed;
#  - seeds build-fuzz/corpus/<target> (tests/fuzz/make_corpus.py: ../shared/pcaps, scenarios/);
#  - replays tests/fuzz/regressions/<target>/* first (a regression that crashes again fails);
#  - fuzzes each target for SECONDS (-max_total_time), new inputs stay in the corpus;
#    crash/leak/timeout reproducers land in build-fuzz/artifacts/<target>/;
#  - exits non-zero when any target crashed. JOBS (default 1) runs that many targets at once.
#  - the build directory is build-fuzz, or FUZZ_BUILD_DIR.
set -u
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
B="${FUZZ_BUILD_DIR:-$ROOT/build-fuzz}"  # FUZZ_BUILD_DIR: another build directory (CI smoke)
TARGETS="fuzz_wire fuzz_pcap fuzz_scenario fuzz_sockopt fuzz_router fuzz_ch395"
WHAT=${1:-all}
SECS=${2:-60}
[ "$WHAT" = all ] && WHAT=$TARGETS

if [ ! -f "$B/build.ninja" ]; then
  CC=clang CXX=clang++ cmake -S "$ROOT" -B "$B" -G Ninja -DMCSIM_FUZZ=ON -DMCSIM_BUILD_TESTS=OFF \
    -DMCSIM_BUILD_BENCH=OFF -DMCSIM_BUILD_PYTHON=OFF -DPython_EXECUTABLE=/usr/bin/python3 >/dev/null || exit 2
fi
# shellcheck disable=SC2086
cmake --build "$B" -j2 --target $WHAT || exit 2
python3 "$ROOT/tests/fuzz/make_corpus.py" "$B/corpus" "${MCSIM_SHARED_DIR:-$ROOT/../shared}" || exit 2

status=0
for t in $WHAT; do
  reg="$ROOT/tests/fuzz/regressions/$t"
  files=()
  [ -d "$reg" ] && mapfile -t files < <(find "$reg" -type f ! -name '.keep' | sort)
  if [ "${#files[@]}" -gt 0 ]; then
    if ! "$B/bin/$t" -runs=0 "${files[@]}" >"$B/$t.replay.log" 2>&1; then
      echo "$t: a regression input fails again (see $B/$t.replay.log)"
      status=1
    fi
  fi
done

run_one() {
  local t=$1
  mkdir -p "$B/corpus/$t" "$B/artifacts/$t"
  local dict=()
  [ -f "$ROOT/tests/fuzz/$t.dict" ] && dict=(-dict="$ROOT/tests/fuzz/$t.dict")
  "$B/bin/$t" "$B/corpus/$t" "${dict[@]}" -max_total_time="$SECS" -timeout=25 -rss_limit_mb=2048 \
    -max_len=65536 -print_final_stats=1 -artifact_prefix="$B/artifacts/$t/" >"$B/$t.log" 2>&1
  local rc=$?
  local execs rate
  execs=$(grep -m1 'stat::number_of_executed_units' "$B/$t.log" | awk '{print $2}')
  rate=$(grep -m1 'stat::average_exec_per_sec' "$B/$t.log" | awk '{print $2}')
  local line
  line="$t: rc=$rc seconds=$SECS execs=${execs:-?} execs/s=${rate:-?} corpus=$(ls "$B/corpus/$t" | wc -l)"
  echo "$line"
  echo "$(date -u +%FT%TZ) $line" >>"$B/runs.log"  # cumulative record for docs/reliability.md
  return $rc
}

JOBS=${JOBS:-1}
pids=()
for t in $WHAT; do
  run_one "$t" &
  pids+=($!)
  if [ "${#pids[@]}" -ge "$JOBS" ]; then
    wait "${pids[0]}" || status=1
    pids=("${pids[@]:1}")
  fi
done
for p in "${pids[@]}"; do wait "$p" || status=1; done
exit $status
