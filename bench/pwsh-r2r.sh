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
# crossgen2, the runtime and the platform are the module's own (src/NFStream/NFStream.csproj): one place decides.
project=src/NFStream/NFStream.csproj
property() { dotnet msbuild "$project" -getProperty:"$1" | tr -d '\r'; }
[ -x "$(property NFCrossgen2)" ] || dotnet restore "$project" --nologo -v q > /dev/null   # downloads crossgen2
crossgen=$(property NFCrossgen2)
framework=$(property NFReadyToRunFramework)
rid=$(property NFReadyToRunRid)
[ -x "$crossgen" ] || { echo "pwsh-r2r: crossgen2 is missing at $crossgen" >&2; exit 1; }
[ -d "$framework" ] || { echo "pwsh-r2r: the .NET runtime is missing at $framework (PowerShell 7.6 needs .NET 10)" >&2; exit 1; }
stamp="$source_dir $framework"
if [ -f "$out/.stamp" ] && [ "$(cat "$out/.stamp")" = "$stamp" ]; then exit 0; fi

echo "pwsh-r2r: compiling PowerShell's assemblies ($source_dir) to ReadyToRun against $framework" >&2
rm -rf "$out"
mkdir -p "$out"
cp -r "$source_dir"/. "$out"/
compiled=0
for assembly in "$source_dir"/*.dll; do
    name=$(basename "$assembly")
    if "$crossgen" "$assembly" -o "$out/$name" -r "${framework}*.dll" -r "$source_dir/*.dll" \
        --targetos:"${rid%%-*}" --targetarch:"${rid#*-}" -O > "$out/$name.crossgen.log" 2>&1; then
        compiled=$((compiled + 1))
        rm -f "$out/$name.crossgen.log"
    else
        # Not every file is IL that crossgen2 takes (or it is already compiled): keep it as the package ships it.
        cp "$assembly" "$out/$name"
    fi
done
echo "$stamp" > "$out/.stamp"
echo "pwsh-r2r: $compiled assemblies compiled into $out" >&2
