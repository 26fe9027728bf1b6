#!/usr/bin/env bash
# Fuzzes the nDPI shim (native/) for a bounded time, then replays what was found under valgrind.
#
#   native/fuzz/run.sh [--seconds N] [--replay-limit N] [--no-replay]
#
# 1. Builds native/fuzz/shim_fuzz.c with clang, libFuzzer, AddressSanitizer and UndefinedBehaviorSanitizer into
#    native/build-fuzz/ (apt-get install clang libclang-rt-14-dev; .ci/setup installs them), with the shim and
#    its own test (native/tests/shim_test.c) under the same sanitizers, and runs that test (LeakSanitizer too).
# 2. Seeds (out/native-fuzz/seeds/): sample captures that the module generates (out/nfstream must be built),
#    and, when ../shared/corpus (or $NFSTREAM_CORPUS) is there, its captures up to 256 KiB (pcapng converted to
#    pcap with tcpdump when it is installed).
# 3. Runs libFuzzer for --seconds (default 60) on one core. What it finds that adds coverage is kept in
#    out/native-fuzz/corpus/ and used again next time; a crash, a leak, a sanitizer report or a hang (10 s) is
#    saved under out/native-fuzz/crashes/ and fails the run. Reproduce one with
#    native/build-fuzz/shim_fuzz out/native-fuzz/crashes/<file>.
# 4. Replays the seeds and up to --replay-limit (default 150) corpus inputs through the uninstrumented build
#    (shim_fuzz_replay) under valgrind, which also sees inside libndpi (ASan only instruments our code).
#
# Exit status: 0 when nothing was found, 1 on a finding, 2 when the tools are missing.
set -uo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
seconds=60
replay_limit=150
replay=1
while (($#)); do
  case "$1" in
    --seconds) seconds="$2"; shift 2 ;;
    --replay-limit) replay_limit="$2"; shift 2 ;;
    --no-replay) replay=0; shift ;;
    *) echo "usage: $0 [--seconds N] [--replay-limit N] [--no-replay]" >&2; exit 2 ;;
  esac
done

build="${NFNDPI_FUZZ_BUILD:-$root/native/build-fuzz}"
work="$root/out/native-fuzz"
seeds="$work/seeds"
corpus="$work/corpus"
crashes="$work/crashes"
mkdir -p "$seeds" "$corpus" "$crashes"

command -v clang >/dev/null || { echo "clang is missing: apt-get install clang libclang-rt-14-dev" >&2; exit 2; }
command -v cmake >/dev/null || { echo "cmake is missing: apt-get install cmake" >&2; exit 2; }

echo "== building the fuzz target in $build"
if ! cmake -S "$root/native" -B "$build" -DCMAKE_C_COMPILER=clang -DCMAKE_BUILD_TYPE=RelWithDebInfo \
       -DNFNDPI_FUZZ=ON -DNFNDPI_SANITIZE=ON -DBUILD_TESTING=ON >"$build.log" 2>&1 \
   || ! cmake --build "$build" --parallel >>"$build.log" 2>&1; then
  cat "$build.log" >&2
  echo "building the fuzz target failed (libFuzzer comes with libclang-rt-14-dev)" >&2
  exit 2
fi

status=0
echo "== the shim's own test (native/tests/shim_test.c) under AddressSanitizer, LeakSanitizer and UBSan"
if "$build/shim_test" >"$work/shim_test.log" 2>&1; then
  tail -1 "$work/shim_test.log"
else
  echo "FINDING: shim_test failed under the sanitizers (see $work/shim_test.log):" >&2
  grep -E -A20 'FAIL|ERROR: |runtime error|SUMMARY' "$work/shim_test.log" | head -40 >&2
  status=1
fi

echo "== seeds in $seeds"
if [ -x "$root/out/nfstream" ]; then
  (cd "$seeds" && "$root/out/nfstream" -Command \
    '1..4 | ForEach-Object { $null = New-NFSampleCapture -Path "sample-$_.pcap" -Seed $_ -Rounds 1 -Force }') \
    || echo "warning: out/nfstream could not write the sample seeds" >&2
else
  echo "warning: out/nfstream is not built: no generated seeds (run 'dotnet build -c Release' first)" >&2
fi
corpus_captures="${NFSTREAM_CORPUS:-$root/../shared/corpus}/pcaps"
if [ -d "$corpus_captures" ]; then
  taken=0
  while IFS= read -r -d '' capture; do
    name="corpus-$(basename "$capture")"
    [ -f "$seeds/$name" ] && { taken=$((taken + 1)); continue; }
    magic="$(head -c 4 "$capture" | od -An -tx1 | tr -d ' \n')"
    case "$magic" in
      d4c3b2a1|a1b2c3d4|4d3cb2a1|a1b23c4d) cp "$capture" "$seeds/$name"; taken=$((taken + 1)) ;;
      0a0d0d0a) if command -v tcpdump >/dev/null && tcpdump -r "$capture" -w "$seeds/$name" 2>/dev/null; then
                  taken=$((taken + 1)); else rm -f "$seeds/$name"; fi ;;
    esac
  done < <(find "$corpus_captures" -maxdepth 1 -type f -size -256k -print0 | sort -z)
  echo "   $taken corpus captures"
else
  echo "   no corpus at $corpus_captures (generated seeds only)"
fi
seed_count=$(find "$seeds" -type f | wc -l)
echo "   $seed_count seeds, $(find "$corpus" -type f | wc -l) inputs already in the corpus"

echo "== fuzzing for $seconds s"
before=$(find "$crashes" -type f | wc -l)
"$build/shim_fuzz" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -max_len=262144 \
  -print_final_stats=1 -artifact_prefix="$crashes/" "$corpus" "$seeds" >"$work/fuzz.log" 2>&1
fuzz_status=$?
grep -E '^(stat::|Done |#[0-9]+ +DONE)' "$work/fuzz.log" || true
after=$(find "$crashes" -type f | wc -l)
if [ "$fuzz_status" != 0 ] || [ "$after" != "$before" ]; then
  echo "FINDING: libFuzzer exited with $fuzz_status; new files in $crashes:" >&2
  find "$crashes" -type f -newer "$build.log" >&2
  grep -E -A30 'ERROR: |runtime error|SUMMARY' "$work/fuzz.log" | head -60 >&2
  status=1
fi

if [ "$replay" = 1 ]; then
  if command -v valgrind >/dev/null; then
    mapfile -d '' inputs < <(find "$seeds" -type f -print0 | sort -z)
    mapfile -d '' found < <(find "$corpus" -type f -print0 | sort -z | head -z -n "$replay_limit")
    echo "== valgrind: ${#inputs[@]} seeds and ${#found[@]} corpus inputs through the uninstrumented target"
    if valgrind --quiet --leak-check=full --errors-for-leak-kinds=definite --error-exitcode=99 \
         "$build/shim_fuzz_replay" "${inputs[@]}" "${found[@]}" >"$work/valgrind.log" 2>&1; then
      tail -1 "$work/valgrind.log"
    else
      echo "FINDING: valgrind reported errors (see $work/valgrind.log):" >&2
      head -60 "$work/valgrind.log" >&2
      status=1
    fi
  else
    echo "== valgrind is not installed: replay skipped"
  fi
fi

if [ "$status" = 0 ]; then echo "native fuzz: nothing found"; else echo "native fuzz: FINDINGS (see above)"; fi
exit "$status"
