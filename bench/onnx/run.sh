#!/bin/sh
# ONNX plugin cost per flow (figures only, nothing asserted). Options: --rounds N (capture size), --repeat N.
set -e
root="$(cd "$(dirname "$0")/../.." && pwd)"
dotnet build "$root/bench/onnx/OnnxBench/OnnxBench.csproj" -c Release -v quiet -nologo >/dev/null
exec dotnet "$root/bench/onnx/OnnxBench/bin/Release/net10.0/OnnxBench.dll" "$@"
