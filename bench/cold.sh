#!/bin/bash
# The real-traffic, cold, whole-process suite (issue 15): what a user pays for `pwsh -c 'Get-NFFlow file.pcap'`.
#   bench/cold.sh [--rounds 3] [--copies 10]        (bench/run.sh runs it too, after the generated-capture suite)
# Input: ../shared/corpus/perf/base.pcap (nDPI's Ethernet test captures merged by time; third-party, never copied
# into the repository), made x10 by the benchmark's own code (each copy's IP addresses XOR-ed by the copy number,
# bench/NFStream.Benchmarks/Suite/AddressShiftedCopies.cs) into bench/data/. Skips, saying so, without it.
# Every case is a fresh process; the cases run alternately, --rounds times; the figure is each case's median.
# pwsh start-up plus Import-Module is measured as a case of its own and subtracted from the Get-NFFlow cases, for two
# hosts: pwsh with ReadyToRun images as users install it (bench/pwsh-r2r.sh) and the NuGet tool package (IL only).
# Markdown goes to stdout and bench/out/cold.md. Figures are printed, never asserted.
set -e
cd "$(dirname "$0")/.."
rounds=3; copies=10
while [ $# -gt 0 ]; do
    case "$1" in
        --rounds) rounds=$2; shift 2 ;;
        --copies) copies=$2; shift 2 ;;
        *) echo "usage: bench/cold.sh [--rounds N] [--copies N]" >&2; exit 2 ;;
    esac
done
base=${NFSTREAM_PERF_BASE:-../shared/corpus/perf/base.pcap}
# The corpus's captures as a folder users have: many small real captures (read in place, never copied).
corpus=${NFSTREAM_CORPUS_PCAPS:-../shared/corpus/pcaps}
if [ ! -f "$base" ]; then
    echo "cold suite skipped: $base is absent (the shared corpus sits beside the repository)" >&2
    exit 0
fi
sh bench/setup.sh
bench="dotnet $PWD/bench/NFStream.Benchmarks/bin/Release/net10.0/NFStream.Benchmarks.dll"
[ -f bench/NFStream.Benchmarks/bin/Release/net10.0/NFStream.Benchmarks.dll ] || dotnet build NFStream.sln -c Release --nologo -v q -clp:ErrorsOnly
mkdir -p bench/data bench/out
file=bench/data/perf-x$copies.pcap
folder=bench/data/perf-x$copies
[ -f "$file" ] || $bench copies --in "$base" --out "$file" --copies "$copies"
[ -d "$folder" ] || $bench copies --in "$base" --out "$folder" --copies "$copies" --folder
cat "$file" "$folder"/*.pcap > /dev/null   # in the page cache, like the tools' input
corpus_count=0
if [ -d "$corpus" ]; then
    corpus=$(cd "$corpus" && pwd)
    corpus_count=$(ls "$corpus" | wc -l)
    cat "$corpus"/* > /dev/null
fi
module="$PWD/out/NFStream/NFStream.psd1"
bash bench/pwsh-r2r.sh
pwsh_dll=$(dotnet pwsh -NoProfile -NonInteractive -Command '[Reflection.Assembly]::GetEntryAssembly().Location')
scratch=$(mktemp -d); trap 'rm -rf "$scratch"' EXIT
figures=$($bench measure --file "$file" --mode engine --passes 1 --ndissections 0)
packets=$(echo "$figures" | sed -n 's/.*"Packets":\([0-9]*\).*/\1/p')
flows=$(echo "$figures" | sed -n 's/.*"Flows":\([0-9]*\).*/\1/p')

# Two PowerShell hosts, the same PowerShell 7.6.10: with ReadyToRun images, as Microsoft's linux-x64 packages
# ship it (bench/pwsh-r2r.sh), and the NuGet tool package as the tool manifest runs it (IL only: its start-up and
# its pipeline run tier-0 JIT code). Each host has its own start-up case, subtracted from its own runs.
hosts=(
  "r2r|pwsh 7.6.10 with ReadyToRun images (as the linux-x64 packages ship it)|dotnet $PWD/bench/out/pwsh-r2r/pwsh.dll -NoProfile -NonInteractive -Command"
  "tool|pwsh 7.6.10 from the NuGet tool package (IL only)|dotnet $pwsh_dll -NoProfile -NonInteractive -Command"
)
# key | label | command ("$F" is the x10 file, "$D" the folder)
cases=()
for h in "${hosts[@]}"; do
  IFS='|' read -r host hostlabel pwsh <<<"$h"
  cases+=(
  "$host:startup|$hostlabel: start-up + Import-Module (subtracted below)|$pwsh \"Import-Module '$module'\""
  "$host:floor|$hostlabel: PowerShell's own floor, as many integers as flows through Write-Output into Out-Null, no capture read|$pwsh \"Import-Module '$module'; Write-Output -InputObject ([Linq.Enumerable]::Range(0, \$N)) | Out-Null\""
  "$host:ndpi|$hostlabel: Get-NFFlow (nDPI, the default)|$pwsh \"Import-Module '$module'; Get-NFFlow '\$F' | Out-Null\""
  "$host:engine|$hostlabel: Get-NFFlow -NDissections 0|$pwsh \"Import-Module '$module'; Get-NFFlow '\$F' -NDissections 0 | Out-Null\""
  "$host:stats|$hostlabel: Get-NFFlow -NDissections 0 -StatisticalAnalysis|$pwsh \"Import-Module '$module'; Get-NFFlow '\$F' -NDissections 0 -StatisticalAnalysis | Out-Null\""
  "$host:folder1|$hostlabel: folder of $copies captures, -NDissections 0 -ThrottleLimit 1|$pwsh \"Import-Module '$module'; Get-NFFlow '\$D/*.pcap' -NDissections 0 -ThrottleLimit 1 | Out-Null\""
  "$host:folderN|$hostlabel: folder of $copies captures, -NDissections 0 (-ThrottleLimit = cores)|$pwsh \"Import-Module '$module'; Get-NFFlow '\$D/*.pcap' -NDissections 0 | Out-Null\""
  "$host:folder1-ndpi|$hostlabel: folder of $copies captures, nDPI, -ThrottleLimit 1|$pwsh \"Import-Module '$module'; Get-NFFlow '\$D/*.pcap' -ThrottleLimit 1 | Out-Null\""
  "$host:folderN-ndpi|$hostlabel: folder of $copies captures, nDPI (-ThrottleLimit = cores)|$pwsh \"Import-Module '$module'; Get-NFFlow '\$D/*.pcap' | Out-Null\""
  )
  # The corpus folder: other input, so no packets/s or tool ratios in its rows (its own ratio is in the footer).
  if [ "$corpus_count" -gt 0 ]; then cases+=(
  "$host:corpus1|$hostlabel: corpus folder ($corpus_count captures), -NDissections 0 -ThrottleLimit 1|$pwsh \"Import-Module '$module'; Get-NFFlow '\$C/*' -NDissections 0 -ThrottleLimit 1 | Out-Null\""
  "$host:corpusN|$hostlabel: corpus folder ($corpus_count captures), -NDissections 0 (-ThrottleLimit = cores)|$pwsh \"Import-Module '$module'; Get-NFFlow '\$C/*' -NDissections 0 | Out-Null\""
  "$host:corpus1-ndpi|$hostlabel: corpus folder ($corpus_count captures), nDPI, -ThrottleLimit 1|$pwsh \"Import-Module '$module'; Get-NFFlow '\$C/*' -ThrottleLimit 1 | Out-Null\""
  "$host:corpusN-ndpi|$hostlabel: corpus folder ($corpus_count captures), nDPI (-ThrottleLimit = cores)|$pwsh \"Import-Module '$module'; Get-NFFlow '\$C/*' | Out-Null\""
  ); fi
done
cases+=(
  "ndpiReader|ndpiReader -q -i (nDPI 4.2, C)|ndpiReader -q -i \"\$F\""
  "softflowd|softflowd -r (C)|softflowd -r \"\$F\""
  "nfpcapd|nfpcapd -r (nfdump, C)|nfpcapd -r \"\$F\" -l \"$scratch\""
  "argus|argus -r (C)|argus -r \"\$F\" -w /dev/null"
)
declare -A times
for ((r = 1; r <= rounds; r++)); do
    for c in "${cases[@]}"; do
        IFS='|' read -r key label cmd <<<"$c"
        rm -rf "$scratch"/*
        start=$(date +%s.%N)
        F="$file" D="$folder" C="$corpus" N="$flows" eval "$cmd" > /dev/null 2>&1 || echo "$key failed (round $r)" >&2
        end=$(date +%s.%N)
        times[$key]="${times[$key]} $(echo "$end - $start" | bc)"
        echo "round $r: $key $(echo "$end - $start" | bc) s" >&2
    done
done
median() { printf '%s\n' $1 | sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
# speedup HOST CASE [SUFFIX]: the serial run (CASE1) over the parallel one (CASEN), the host's start-up subtracted.
speedup() {
    local s one many
    s=$(median "${times[$1:startup]}"); one=$(median "${times[$1:${2}1$3]}"); many=$(median "${times[$1:${2}N$3]}")
    echo "($one - $s) / ($many - $s)" | bc -l | xargs printf '%.2f'
}
out=bench/out/cold.md
{
    echo "| run | median wall s | minus start-up s | packets/s (start-up subtracted) | vs ndpiReader | vs softflowd |"
    echo "|---|--:|--:|--:|--:|--:|"
    ndpir=$(median "${times[ndpiReader]}"); soft=$(median "${times[softflowd]}")
    for c in "${cases[@]}"; do
        IFS='|' read -r key label cmd <<<"$c"
        m=$(median "${times[$key]}")
        case "$key" in
            *:startup) net="-"; rate="-"; vs1="-"; vs2="-" ;;
            *:*) net=$(echo "$m - $(median "${times[${key%%:*}:startup]}")" | bc -l) ;;
            *) net=$m ;;
        esac
        if [ "${key#*:corpus}" != "$key" ]; then
            rate="-"; vs1="-"; vs2="-"; net=$(printf '%.3f' "$net")
        elif [ "${key#*:}" != startup ]; then
            rate=$(echo "$packets / $net / 1000000" | bc -l | xargs printf '%.2f M')
            vs1=$(echo "$ndpir / $net" | bc -l | xargs printf '%.2f')
            vs2=$(echo "$soft / $net" | bc -l | xargs printf '%.2f')
            net=$(printf '%.3f' "$net")
        fi
        echo "| $label | $(printf '%.3f' "$m") | $net | $rate | $vs1 | $vs2 |"
    done
    echo
    echo "Input: $file, $packets packets, $flows flows ($copies address-shifted copies of $(basename "$base")); $(nproc) cores;" \
         "$rounds alternating rounds, medians."
    for h in "${hosts[@]}"; do
        IFS='|' read -r host hostlabel pwsh <<<"$h"
        echo "$hostlabel: folder, -ThrottleLimit = cores vs 1 (start-up subtracted):" \
             "$(speedup "$host" folder)x without nDPI, $(speedup "$host" folder -ndpi)x with nDPI."
        if [ "$corpus_count" -gt 0 ]; then
            echo "$hostlabel: corpus folder ($corpus_count captures), -ThrottleLimit = cores vs 1 (start-up subtracted):" \
                 "$(speedup "$host" corpus)x without nDPI, $(speedup "$host" corpus -ndpi)x with nDPI."
        fi
    done
} | tee "$out"
