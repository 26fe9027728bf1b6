#!/usr/bin/env pwsh
<#
.SYNOPSIS
    Runs the Pester suite (tests/pester/*.Tests.ps1) against the built module in out/NFStream.
.DESCRIPTION
    Imports Pester from the NuGet global packages folder (restored by tests/pester/Pester.Restore.csproj), runs every
    *.Tests.ps1 file beside this script in real pwsh, writes an NUnit report to out/test-results/pester.xml and
    closes with one line "Pester: N passed, N failed, N skipped". Exits 1 when a test failed.
.PARAMETER Path
    Test files or folders to run (default: this folder).
.PARAMETER FullNameFilter
    Runs only the tests whose full name matches (wildcards), e.g. '*Export-NFFlowCsv*'.
.PARAMETER Output
    Pester's output verbosity: None, Normal, Detailed or Diagnostic.
.EXAMPLE
    dotnet pwsh tests/pester/Invoke-PesterSuite.ps1 -Path tests/pester/Get-NFFlow.Tests.ps1 -Output Detailed
#>
[CmdletBinding()]
param(
    [string[]] $Path = @($PSScriptRoot),
    [string[]] $FullNameFilter,
    [ValidateSet('None', 'Normal', 'Detailed', 'Diagnostic')]
    [string] $Output = 'Normal'
)

$ErrorActionPreference = 'Stop'
$root = (Resolve-Path (Join-Path $PSScriptRoot '../..')).Path
$restoreProject = Join-Path $PSScriptRoot 'Pester.Restore.csproj'
$pesterVersion = ([xml](Get-Content -Raw $restoreProject)).Project.PropertyGroup.PesterVersion

$packages = if ($env:NUGET_PACKAGES) { $env:NUGET_PACKAGES } else { Join-Path ([Environment]::GetFolderPath('UserProfile')) '.nuget/packages' }
$pesterManifest = Join-Path $packages "pester/$pesterVersion/tools/Pester.psd1"
if (-not (Test-Path -LiteralPath $pesterManifest)) {
    & dotnet restore $restoreProject --nologo -v quiet | Out-Host
    if ($LASTEXITCODE -ne 0) { throw "Restoring Pester $pesterVersion from NuGet failed (dotnet restore $restoreProject)." }
}
Import-Module $pesterManifest -RequiredVersion $pesterVersion -Force

$module = Join-Path $root 'out/NFStream/NFStream.psd1'
if (-not (Test-Path -LiteralPath $module)) { throw "The module is not built: $module is missing. Run 'dotnet build -c Release' first." }

$resultsDirectory = Join-Path $root 'out/test-results'
New-Item -ItemType Directory -Force -Path $resultsDirectory | Out-Null

$configuration = New-PesterConfiguration
$configuration.Run.Path = $Path
$configuration.Run.PassThru = $true
$configuration.Output.Verbosity = $Output
$configuration.TestResult.Enabled = $true
$configuration.TestResult.OutputFormat = 'NUnitXml'
$configuration.TestResult.OutputPath = Join-Path $resultsDirectory 'pester.xml'
if ($FullNameFilter) { $configuration.Filter.FullName = $FullNameFilter }

$result = Invoke-Pester -Configuration $configuration
# Blocks that failed in BeforeAll/AfterAll fail their tests without counting them as failed tests: count them too.
$failed = $result.FailedCount + $result.FailedBlocksCount + $result.FailedContainersCount
"Pester: {0} passed, {1} failed, {2} skipped" -f $result.PassedCount, $failed, ($result.SkippedCount + $result.NotRunCount)
if ($failed -gt 0 -or $result.Result -ne 'Passed') { exit 1 }
