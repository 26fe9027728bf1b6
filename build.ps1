<#
.SYNOPSIS
    Builds, tests and demonstrates NFStream for PowerShell.
.DESCRIPTION
    The PowerShell front end to `dotnet build` and `dotnet test`. It runs in pwsh 7.4+ and in the repository's own
    console host (out/nfstream), which has only PowerShell's core cmdlets: so it uses .NET calls and native
    commands rather than Join-Path, Get-ChildItem or Remove-Item.
.PARAMETER Task
    Build (the solution; out/NFStream/ is the importable module, with its help generated from en-US/cmdlets/),
    Test (all tests), Clean (bin, obj and out), Sample (writes out/sample.pcap and shows its flows),
    HelpScaffold (writes en-US/cmdlets/NAME.md skeletons for exported cmdlets that have none), Help (this help).
    Several tasks run in the order given.
.PARAMETER Configuration
    Release (default) or Debug.
.PARAMETER Filter
    With Test: a dotnet test filter, e.g. 'FullyQualifiedName~Cmdlets'.
.EXAMPLE
    ./build.ps1 -Task Build, Test
.EXAMPLE
    ./out/nfstream -File build.ps1 -Task Sample
.EXAMPLE
    ./build.ps1 -Task HelpScaffold
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
$solution = [IO.Path]::Combine($root, 'NFStream.sln')
$insideOurHost = $Host.Name -eq 'NFStreamShell'
$build = $PSCmdlet   # Write-Verbose is a Utility cmdlet, which the repository's host does not have.
$helpBuilder = [IO.Path]::Combine($root, 'src', 'NFStream.HelpBuilder', 'NFStream.HelpBuilder.csproj')

function Invoke-Native([string] $File, [string[]] $Arguments) {
    $build.WriteVerbose("$File $($Arguments -join ' ')")
    & $File @Arguments
    if ($LASTEXITCODE -ne 0) { throw "'$File $($Arguments -join ' ')' failed with exit code $LASTEXITCODE." }
}

foreach ($step in $Task) {
    switch ($step) {
        'Build' {
            if ($insideOurHost) {
                # The host cannot replace its own files while it runs: build the module, engine and help only.
                Invoke-Native dotnet @('build', $helpBuilder, '-c', $Configuration, '-nologo')
            }
            else {
                Invoke-Native dotnet @('build', $solution, '-c', $Configuration, '-nologo')
            }
        }
        'Test' {
            $arguments = @('test', $solution, '-c', $Configuration, '-nologo')
            if ($Filter) { $arguments += @('--filter', $Filter) }
            Invoke-Native dotnet $arguments
        }
        'Clean' {
            foreach ($folder in @('out') + @(foreach ($project in [IO.Directory]::GetFiles($root, '*.csproj', 'AllDirectories')) {
                        $projectDirectory = [IO.Path]::GetDirectoryName($project)
                        [IO.Path]::Combine($projectDirectory, 'bin'); [IO.Path]::Combine($projectDirectory, 'obj')
                    })) {
                $path = [IO.Path]::Combine($root, $folder)
                if ([IO.Directory]::Exists($path)) {
                    $build.WriteVerbose("Removing $path")
                    [IO.Directory]::Delete($path, $true)
                }
            }
        }
        'HelpScaffold' {
            # Not strict: the help that is missing is what the skeletons are for.
            Invoke-Native dotnet @('build', $helpBuilder, '-c', $Configuration, '-nologo', '-p:HelpStrict=false')
            $generator = [IO.Path]::Combine($root, 'src', 'NFStream.HelpBuilder', 'bin', $Configuration, 'net10.0', 'NFStream.HelpBuilder.dll')
            $module = [IO.Path]::Combine($root, 'out', 'NFStream')
            Invoke-Native dotnet @($generator, '--module', [IO.Path]::Combine($module, 'NFStream.psd1'), '--source', [IO.Path]::Combine($root, 'en-US', 'cmdlets'),
                '--output', [IO.Path]::Combine($module, 'en-US', 'NFStream.dll-Help.xml'), '--scaffold')
        }
        'Help' {
            Get-Help $PSCommandPath -Full
        }
        'Sample' {
            $manifest = [IO.Path]::Combine($root, 'out', 'NFStream', 'NFStream.psd1')
            if (-not (Get-Module NFStream)) { Import-Module $manifest }
            $sample = [IO.Path]::Combine($root, 'out', 'sample.pcap')
            New-NFSampleCapture -LiteralPath $sample -Force
            $flows = @(Get-NFFlow -LiteralPath $sample)
            $flows | Out-Default
            "{0} flows, {1} labelled by nDPI, from {2}" -f $flows.Count, @($flows | Where-Object application_name -ne 'Unknown').Count, $sample
        }
    }
}
