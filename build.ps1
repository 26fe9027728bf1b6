#!/usr/bin/env -S dotnet pwsh -NoProfile
<#
.SYNOPSIS
    Builds, tests and demonstrates NFStream for PowerShell.
.DESCRIPTION
    The PowerShell front end to `dotnet build`, `dotnet test` and the Pester suite. Run it in pwsh 7.4+, or from the
    repository with the pinned PowerShell tool: `dotnet pwsh ./build.ps1` (or `./build.ps1`: its shebang does that).
.PARAMETER Task
    Build (the solution; out/NFStream/ is the importable module, with its help generated from en-US/cmdlets/),
    Test (xunit for the engine, then Pester in pwsh for the cmdlets; closes with "N passed, N failed, N skipped"),
    Clean (bin, obj and out), Sample (writes out/sample.pcap and shows its flows),
    HelpScaffold (writes en-US/cmdlets/NAME.md skeletons for exported cmdlets that have none), Help (this help).
    Several tasks run in the order given.
.PARAMETER Configuration
    Release (default) or Debug.
.PARAMETER Filter
    With Test: a dotnet test filter for xunit (e.g. 'FullyQualifiedName~Engine') and a Pester full-name filter
    (e.g. '*Export-NFFlowCsv*'); each suite uses the filter that fits its syntax and runs whole without one.
.EXAMPLE
    ./build.ps1 -Task Build, Test
.EXAMPLE
    ./build.ps1 -Task Sample
.EXAMPLE
    ./build.ps1 -Task Test -Filter 'FullyQualifiedName~Conformance'
#>
[CmdletBinding()]
param(
    [ValidateSet('Build', 'Test', 'Clean', 'Sample', 'HelpScaffold', 'Help')]
    [string[]] $Task = @('Build'),

    [ValidateSet('Release', 'Debug')]
    [string] $Configuration = 'Release',

    [string] $Filter
)

$ErrorActionPreference = 'Stop'
$root = $PSScriptRoot
$solution = Join-Path $root 'NFStream.sln'
$helpBuilder = Join-Path $root 'src/NFStream.HelpBuilder/NFStream.HelpBuilder.csproj'

function Invoke-Native([string] $File, [string[]] $Arguments) {
    Write-Verbose "$File $($Arguments -join ' ')"
    & $File @Arguments
    if ($LASTEXITCODE -ne 0) { throw "'$File $($Arguments -join ' ')' failed with exit code $LASTEXITCODE." }
}

function Invoke-TestSuites {
    # xunit first (it builds the solution), then Pester against the module it laid out; both always run.
    $results = Join-Path $root 'out/test-results'
    New-Item -ItemType Directory -Force -Path $results | Out-Null
    $arguments = @('test', $solution, '-c', $Configuration, '-nologo', '--logger', "trx;LogFileName=$(Join-Path $results 'xunit.trx')")
    if ($Filter -and $Filter -match '[=~]') { $arguments += @('--filter', $Filter) }
    Write-Verbose "dotnet $($arguments -join ' ')"
    & dotnet @arguments | Out-Host
    $xunitExit = $LASTEXITCODE

    $xunit = [pscustomobject]@{ Passed = 0; Failed = 0; Skipped = 0 }
    $trx = Join-Path $results 'xunit.trx'
    if (Test-Path -LiteralPath $trx) {
        $counters = ([xml](Get-Content -Raw -LiteralPath $trx)).TestRun.ResultSummary.Counters
        $xunit = [pscustomobject]@{ Passed = [int]$counters.passed; Failed = [int]$counters.failed; Skipped = [int]$counters.notExecuted }
    }
    if ($xunitExit -ne 0 -and $xunit.Failed -eq 0) { $xunit.Failed = 1 }   # the build or the run itself failed
    "xunit: {0} passed, {1} failed, {2} skipped" -f $xunit.Passed, $xunit.Failed, $xunit.Skipped

    $pester = [pscustomobject]@{ Passed = 0; Failed = 1; Skipped = 0 }
    if (Test-Path -LiteralPath (Join-Path $root 'out/NFStream/NFStream.psd1')) {
        $pesterArguments = @('-NoProfile', '-NonInteractive', '-File', (Join-Path $root 'tests/pester/Invoke-PesterSuite.ps1'))
        if ($Filter -and $Filter -notmatch '[=~]') { $pesterArguments += @('-FullNameFilter', $Filter) }
        # A separate pwsh process: the suite imports the module fresh, and its failures cannot end this script.
        # Its child pwsh processes inherit this: a test run sends no telemetry, and no telemetry threads start
        # (and compile code) in the processes whose threads, exit and JIT output the tests watch.
        $env:POWERSHELL_TELEMETRY_OPTOUT = '1'
        $pwsh = [Environment]::ProcessPath
        $entry = [Environment]::GetCommandLineArgs()[0]
        if ($entry -like '*.dll') { $pesterArguments = @($entry) + $pesterArguments }
        $summary = $null
        & $pwsh @pesterArguments | ForEach-Object {
            if ($_ -match '^Pester: (\d+) passed, (\d+) failed, (\d+) skipped') {
                $summary = [pscustomobject]@{ Passed = [int]$Matches[1]; Failed = [int]$Matches[2]; Skipped = [int]$Matches[3] }
            }
            $_
        } | Out-Host
        if ($summary) { $pester = $summary }
        elseif ($LASTEXITCODE -eq 0) { $pester.Failed = 0 }
    }
    else { Write-Warning 'The module was not built: the Pester suite did not run.' }
    "Pester: {0} passed, {1} failed, {2} skipped" -f $pester.Passed, $pester.Failed, $pester.Skipped

    $failed = $xunit.Failed + $pester.Failed
    "Tests: {0} passed, {1} failed, {2} skipped" -f ($xunit.Passed + $pester.Passed), $failed, ($xunit.Skipped + $pester.Skipped)
    if ($failed -gt 0) { throw "$failed test(s) failed." }
}

foreach ($step in $Task) {
    switch ($step) {
        'Build' { Invoke-Native dotnet @('build', $solution, '-c', $Configuration, '-nologo') }
        'Test' { Invoke-TestSuites }
        'Clean' {
            $folders = @(Join-Path $root 'out') + @(Get-ChildItem -Path $root -Filter *.csproj -Recurse | ForEach-Object {
                    Join-Path $_.DirectoryName 'bin'; Join-Path $_.DirectoryName 'obj' })
            $folders | Where-Object { Test-Path -LiteralPath $_ } | ForEach-Object {
                Write-Verbose "Removing $_"
                Remove-Item -LiteralPath $_ -Recurse -Force
            }
        }
        'HelpScaffold' {
            # Not strict: the help that is missing is what the skeletons are for.
            Invoke-Native dotnet @('build', $helpBuilder, '-c', $Configuration, '-nologo', '-p:HelpStrict=false')
            $generator = Join-Path $root "src/NFStream.HelpBuilder/bin/$Configuration/net10.0/NFStream.HelpBuilder.dll"
            $module = Join-Path $root 'out/NFStream'
            Invoke-Native dotnet @($generator, '--module', (Join-Path $module 'NFStream.psd1'), '--source', (Join-Path $root 'en-US/cmdlets'),
                '--output', (Join-Path $module 'en-US/NFStream.dll-Help.xml'), '--scaffold')
        }
        'Help' { Get-Help $PSCommandPath -Full }
        'Sample' {
            Import-Module (Join-Path $root 'out/NFStream/NFStream.psd1')
            $sample = New-NFSampleCapture -Path (Join-Path $root 'out/sample.pcap') -Force -PassThru
            $flows = Get-NFFlow -LiteralPath $sample.FullName
            $flows | Format-Table | Out-Host
            '{0} flows, {1} labelled by nDPI, from {2}' -f $flows.Count, @($flows | Where-Object application_name -ne 'Unknown').Count, $sample.FullName
        }
    }
}
