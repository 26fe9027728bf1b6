#!/bin/sh
# IPFIX export benchmark (issue 17): flows per second that Send-NFFlowIpfix exports, beside softflowd exporting
# the same capture, both into nfdump's nfcapd on a free loopback port; nfdump then counts what each run stored.
#   bench/ipfix/run-ipfix.sh [--size 100M] [--sessions-per-second 20000]
# Needs: nfdump (nfcapd, nfdump), softflowd (.ci/setup installs both). Prints Markdown; figures, never asserts.
set -e
cd "$(dirname "$0")/../.."
size=100M; sps=20000
while [ $# -gt 0 ]; do
    case "$1" in
        --size) size=$2; shift 2 ;;
        --sessions-per-second) sps=$2; shift 2 ;;
        *) echo "unknown option $1" >&2; exit 2 ;;
    esac
done
dotnet build NFStream.sln -c Release --nologo -v q -clp:ErrorsOnly >&2
bench="dotnet $PWD/bench/NFStream.Benchmarks/bin/Release/net10.0/NFStream.Benchmarks.dll"
mkdir -p bench/data bench/out
capture="bench/data/ipfix-$size-$sps.pcap"
[ -f "$capture" ] || $bench generate --out "$capture" --size "$size" --seed 1 --sessions-per-second "$sps" >&2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

free_port() { python3 -c 'import socket; s=socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

# start_collector NAME: nfcapd on a free port, its pid and port in $pid and $port
start_collector() {
    port=$(free_port)
    mkdir -p "$work/$1"
    nfcapd -w "$work/$1" -b 127.0.0.1 -p "$port" -t 3600 -B 33554432 >"$work/$1.log" 2>&1 &
    pid=$!
    hex=$(printf '0100007F:%04X' "$port")
    i=0; while ! awk '{print $2}' /proc/net/udp | grep -q "$hex"; do sleep 0.05; i=$((i+1)); [ $i -lt 300 ] || exit 1; done
}
stop_collector() { sleep 1; kill -TERM "$pid"; wait "$pid" || true; }
stored() { nfdump -R "$work/$1" -q -N -o 'fmt:%pkt' | wc -l; }

# 1. Send-NFFlowIpfix, in pwsh: metering alone and metering + export (best of 3, into a sink), then the export
#    alone of flows metered beforehand (once, into nfcapd, which counts what it stored).
start_collector nfstream
dotnet pwsh -NoProfile -NonInteractive -Command "
    Import-Module ./out/NFStream/NFStream.psd1
    # A sink for the runs that are not counted: a bound socket nobody reads (the kernel drops what overflows).
    \$sink = [Net.Sockets.UdpClient]::new([Net.IPEndPoint]::new([Net.IPAddress]::Loopback, 0))
    \$to = '127.0.0.1:' + \$sink.Client.LocalEndPoint.Port
    \$flows = Get-NFFlow '$capture'
    \$best = { param(\$run) (1..3 | ForEach-Object { (Measure-Command \$run).TotalSeconds } | Measure-Object -Minimum).Minimum }
    \$meter = & \$best { Get-NFFlow '$capture' | ForEach-Object {} }
    \$all = & \$best { Get-NFFlow '$capture' | Send-NFFlowIpfix \$to }
    \$flows | Select-Object -First 1000 | Send-NFFlowIpfix \$to
    \$t = (Measure-Command { \$flows | Send-NFFlowIpfix 127.0.0.1:$port }).TotalSeconds   # the one run nfcapd stores
    \$expected = \$flows.Count + @(\$flows | Where-Object dst2src_packets -gt 0).Count
    '{0} {1:F3} {2:F3} {3:F3} {4}' -f \$flows.Count, \$t, \$all, \$meter, \$expected
" > "$work/nfstream.txt"
stop_collector
read flows export_s all_s meter_s expected < "$work/nfstream.txt"
records_nfstream=$(stored nfstream)

# 2. softflowd reading the same capture, exporting IPFIX (-v 10) over UDP.
start_collector softflowd
start=$(date +%s.%N)
softflowd -r "$capture" -n "127.0.0.1:$port" -v 10 -6 -d >"$work/softflowd.log" 2>&1 || true
end=$(date +%s.%N)
stop_collector
records_softflowd=$(stored softflowd)
soft_s=$(echo "$end - $start" | bc -l)

rate() { echo "$1 / $2" | bc -l; }
echo "| exporter | flows | records stored by nfcapd (of records sent) | seconds | flows/s | records/s |"
echo "|---|--:|--:|--:|--:|--:|"
printf '| Send-NFFlowIpfix, export only (flows metered beforehand) | %s | %s (of %s) | %.2f | %.0f | %.0f |\n' "$flows" "$records_nfstream" "$expected" "$export_s" "$(rate "$flows" "$export_s")" "$(rate "$records_nfstream" "$export_s")"
printf '| Get-NFFlow \\| Send-NFFlowIpfix, metering (nDPI) + export | %s | - | %.2f | %.0f | - |\n' "$flows" "$all_s" "$(rate "$flows" "$all_s")"
printf '| Get-NFFlow \\| ForEach-Object {}, metering alone | %s | - | %.2f | %.0f | - |\n' "$flows" "$meter_s" "$(rate "$flows" "$meter_s")"
printf '| softflowd -r FILE -v 10, metering + export | - | %s | %.2f | - | %.0f |\n' "$records_softflowd" "$soft_s" "$(rate "$records_softflowd" "$soft_s")"
echo
echo "Capture: $capture ($(stat -c %s "$capture") bytes). softflowd log: $(tail -1 "$work/softflowd.log")"
