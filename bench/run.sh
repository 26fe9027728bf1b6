#!/bin/sh
# The benchmark suite in one command: bench/run.sh [suite options]   (see bench/README.md)
#   bench/run.sh                      build, generate bench/data/mix-1G-seed1.pcap if missing, run the suite
#   bench/run.sh --size 2G --seed 3   another generated capture
#   bench/run.sh --file my.pcap       a capture of your own
# Also: FLAT=1 adds the 10 GB flat-memory run, MICRO=1 the BenchmarkDotNet micro-benchmarks.
# Markdown goes to stdout and to bench/out/; progress to stderr. Figures are printed, never asserted.
set -e
cd "$(dirname "$0")/.."
dotnet build NFStream.sln -c Release --nologo -v q -clp:ErrorsOnly
bench="dotnet $PWD/bench/NFStream.Benchmarks/bin/Release/net10.0/NFStream.Benchmarks.dll"
mkdir -p bench/out
$bench suite --markdown bench/out/suite.md "$@"
if [ "${FLAT:-0}" = 1 ]; then
    $bench flat --size 10G --markdown bench/out/flat.md
fi
if [ "${MICRO:-0}" = 1 ]; then
    (cd bench/out && $bench micro --filter '*' --exporters github)
fi
# The real-traffic, cold, whole-process suite against ndpiReader, softflowd, nfpcapd and argus (skips without
# ../shared/corpus/perf/base.pcap). COLD=0 leaves it out.
if [ "${COLD:-1}" = 1 ]; then
    bash bench/cold.sh
fi
