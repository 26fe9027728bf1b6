#!/bin/bash
# Lays out bench/out/pwsh-r2r/: the PowerShell that the tool manifest pins (the NuGet "PowerShell" tool package),
# with every managed assembly compiled to ReadyToRun images by crossgen2 against the shared .NET runtime.
#
# Why: the NuGet tool package is PowerShell's framework-dependent build, which PowerShell's own build
# (build.psm1, Start-PSBuild) publishes with PublishReadyToRun=false; the linux-x64 packages users install
# (.deb, .rpm, tar.gz) are published with ReadyToRun. In the tool package every PowerShell method is compiled by the
# JIT at tier 0 on first use (about 5,000 methods for a one-line command), which doubles pwsh's start-up and slows
# its pipeline. bench/cold.sh measures both hosts; this script makes the one users run.
#   bench/pwsh-r2r.sh            (idempotent: does nothing when the images are there for this PowerShell)
set -e
cd "$(dirname "$0")/.."
out=bench/out/pwsh-r2r
pwsh_dll=$(dotnet pwsh -NoProfile -NonInteractive -Command '[Reflection.Assembly]::GetEntryAssembly().Location')
source_dir=$(dirname "$pwsh_dll")
runtime=$(dotnet --list-runtimes | awk '$1 == "Microsoft.NETCore.App" && $2 ~ /^10\./ {v=$2; d=$3} END {print v; print d}')
runtime_version=$(echo "$runtime" | sed -n 1p)
framework=$(echo "$runtime" | sed -n 2p | tr -d '[]')/$runtime_version
[ -n "$runtime_version" ] || { echo "pwsh-r2r: no .NET 10 runtime (PowerShell 7.6 needs one)" >&2; exit 1; }
stamp="$source_dir $runtime_version"
if [ -f "$out/.stamp" ] && [ "$(cat "$out/.stamp")" = "$stamp" ]; then exit 0; fi

packages=$(dotnet nuget locals global-packages --list | sed 's/^global-packages: //')
case "$(uname -m)" in aarch64) arch=arm64 ;; *) arch=x64 ;; esac
crossgen="$packages/microsoft.netcore.app.crossgen2.linux-$arch/$runtime_version/tools/crossgen2"
if [ ! -x "$crossgen" ]; then
    # The module's build downloads this crossgen2 (PackageDownload in src/NFStream/NFStream.csproj).
    dotnet restore src/NFStream/NFStream.csproj --nologo -v q > /dev/null
fi
[ -x "$crossgen" ] || { echo "pwsh-r2r: crossgen2 $runtime_version is missing at $crossgen" >&2; exit 1; }

echo "pwsh-r2r: compiling PowerShell's assemblies ($source_dir) to ReadyToRun for .NET $runtime_version" >&2
rm -rf "$out"
mkdir -p "$out"
cp -r "$source_dir"/. "$out"/
compiled=0
for assembly in "$source_dir"/*.dll; do
    name=$(basename "$assembly")
    if "$crossgen" "$assembly" -o "$out/$name" -r "$framework/*.dll" -r "$source_dir/*.dll" \
        --targetos:linux --targetarch:$arch -O > "$out/$name.crossgen.log" 2>&1; then
        compiled=$((compiled + 1))
        rm -f "$out/$name.crossgen.log"
    else
        # Not every file is IL that crossgen2 takes (or it is already compiled): keep it as the package ships it.
        cp "$assembly" "$out/$name"
    fi
done
echo "$stamp" > "$out/.stamp"
echo "pwsh-r2r: $compiled assemblies compiled into $out" >&2
