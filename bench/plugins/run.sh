#!/bin/sh
# Plugin overhead benchmark (figures only, nothing asserted). Builds the module and the benchmark, then runs it.
# Options pass through: --rounds N (capture size), --repeat N, --calls N, --no-micro. See README.md.
set -e
root="$(cd "$(dirname "$0")/../.." && pwd)"
dotnet build "$root/bench/plugins/PluginBench/PluginBench.csproj" -c Release -v quiet -nologo >/dev/null
exec dotnet "$root/bench/plugins/PluginBench/bin/Release/net10.0/PluginBench.dll" "$@"
