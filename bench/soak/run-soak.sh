#!/usr/bin/env bash
# Live soak (issue 8): Start-NFCapture on a veth pair whose far end is in a network namespace created here,
# with generated traffic at a stated rate for a stated time (10 minutes by default). Records the capturing
# process's memory over time, the packet counters and drops, and checks that every flow sent was seen.
# Needs root (namespaces, capture). Not a unit test: nothing here runs in CI. See README.md.
#
#   bench/soak/run-soak.sh [--minutes 10] [--rate 400] [--out bench/soak/results/<date>]
#
# --rate is in flows per second; each flow has 5 packets, so 400 flows/s is 2000 packets/s.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
soak="$root/bench/soak"
minutes=10
rate=400
out=""
while (($#)); do
  case "$1" in
    --minutes) minutes="$2"; shift 2 ;;
    --rate) rate="$2"; shift 2 ;;
    --out) out="$2"; shift 2 ;;
    *) echo "unknown option $1 (use --minutes, --rate, --out)" >&2; exit 64 ;;
  esac
done
[ "$(id -u)" = 0 ] || { echo "run-soak.sh needs root (network namespaces and capture)" >&2; exit 1; }
seconds=$(awk "BEGIN { printf \"%d\", $minutes * 60 }")
out="${out:-$soak/results/$(date -u +%Y%m%dT%H%M%SZ)-${minutes}min-${rate}fps}"
mkdir -p "$out"
out="$(cd "$out" && pwd)"

echo "Building the module, the console host and the traffic tool..."
dotnet build "$root/NFStream.sln" -c Release -nologo -v quiet >/dev/null
dotnet build "$soak/SoakTraffic/SoakTraffic.csproj" -c Release -nologo -v quiet >/dev/null
tool="$soak/SoakTraffic/bin/Release/net10.0/SoakTraffic.dll"

ns="nfsoak-$$"
near="nfsk$$a"
far="nfsk$$b"
capture_pid=""
sampler_pid=""
cleanup() {
  [ -n "$sampler_pid" ] && kill "$sampler_pid" 2>/dev/null || true
  [ -n "$capture_pid" ] && kill "$capture_pid" 2>/dev/null || true
  ip link del "$near" 2>/dev/null || true
  ip netns del "$ns" 2>/dev/null || true
}
trap cleanup EXIT

# The veth pair: the near end stays here (capture), the far end goes into the namespace (traffic). No IP
# addresses and no IPv6, so that nothing but the generated frames crosses the link.
ip netns add "$ns"
ip link add "$near" type veth peer name "$far"
ip link set "$far" netns "$ns"
echo 1 > "/proc/sys/net/ipv6/conf/$near/disable_ipv6"
ip netns exec "$ns" sh -c "echo 1 > /proc/sys/net/ipv6/conf/$far/disable_ipv6"
ip link set "$near" up
ip -n "$ns" link set "$far" up

{
  echo "date_utc=$(date -u +%Y-%m-%dT%H:%M:%SZ)"
  echo "commit=$(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo unknown)"
  echo "kernel=$(uname -r)"
  echo "cpus=$(nproc)"
  echo "dotnet=$(dotnet --version)"
  echo "libpcap=$(dpkg-query -W -f='${Version}' libpcap0.8 2>/dev/null || echo unknown)"
  echo "minutes=$minutes"
  echo "rate_flows_per_second=$rate"
  echo "capture=Start-NFCapture -Interface $near -Duration $((seconds + 40)) -IdleTimeout 5 -PerformanceReport 10 (defaults otherwise: nDPI on, 20 dissections)"
} > "$out/environment.txt"

echo "Capturing on $near for $((seconds + 40)) s; traffic from $far in namespace $ns: $rate flows/s for $seconds s."
"$root/out/nfstream" -File "$soak/soak-capture.ps1" -Interface "$near" -Duration "$((seconds + 40))" -Directory "$out" \
  >"$out/capture.log" 2>&1 &
capture_pid=$!

# Memory of the capturing process every 5 s, from the kernel's view (VmRSS), until it exits.
(
  start=$(date +%s.%N)
  echo "elapsed_s,rss_kb" > "$out/memory.csv"
  while [ -r "/proc/$capture_pid/status" ]; do
    rss=$(awk '/^VmRSS/ { print $2 }' "/proc/$capture_pid/status" 2>/dev/null || true)
    [ -n "$rss" ] && echo "$(awk "BEGIN { printf \"%.1f\", $(date +%s.%N) - $start }"),$rss" >> "$out/memory.csv"
    sleep 5
  done
) &
sampler_pid=$!

for _ in $(seq 1 120); do
  grep -q "Capturing on" "$out/capture.log" 2>/dev/null && break
  kill -0 "$capture_pid" 2>/dev/null || { echo "the capture ended early:" >&2; cat "$out/capture.log" >&2; exit 1; }
  sleep 0.5
done
grep -q "Capturing on" "$out/capture.log" || { echo "the capture did not start" >&2; exit 1; }
sleep 5

ip netns exec "$ns" dotnet "$tool" generate "$far" "$rate" "$seconds" "$out/generated.txt"

echo "Traffic done; waiting for the capture to end (idle flows expire, then the rest is flushed)..."
wait "$capture_pid" || { echo "the capture failed:" >&2; tail -20 "$out/capture.log" >&2; exit 1; }
capture_pid=""
wait "$sampler_pid" 2>/dev/null || true
sampler_pid=""

set +e
dotnet "$tool" verify "$out"
verdict=$?
set -e
# The flows themselves are large; keep the summary, the logs and the memory series.
gzip -f "$out/flows.csv"
echo "Results in $out"
exit $verdict
