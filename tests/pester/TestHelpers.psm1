# Shared by the Pester suite: the module under test, sample captures and small capture builders.
# Each *.Tests.ps1 file starts with:  BeforeAll { Import-Module "$PSScriptRoot/TestHelpers.psm1" -Force }

$script:RepositoryRoot = (Resolve-Path (Join-Path $PSScriptRoot '../..')).Path
$script:ModuleManifest = Join-Path $script:RepositoryRoot 'out/NFStream/NFStream.psd1'

# The module is imported into the global scope, as a user's Import-Module does, so that tests see its
# formats, types and completers exactly as the user does.
Import-Module $script:ModuleManifest -Global -ErrorAction Stop

# New-NFSampleCapture's default capture (four rounds) holds this many flows.
$script:SampleFlowCount = 33

function Get-RepositoryRoot { $script:RepositoryRoot }

function Get-ModuleManifestPath { $script:ModuleManifest }

function Get-SampleFlowCount { $script:SampleFlowCount }

function Get-SharedCorpus {
    <# The shared corpus beside the repository (or $env:NFSTREAM_CORPUS), or $null when absent. #>
    if ($env:NFSTREAM_CORPUS -and (Test-Path -LiteralPath $env:NFSTREAM_CORPUS)) { return $env:NFSTREAM_CORPUS }
    $beside = Join-Path $script:RepositoryRoot '../shared/corpus'
    if (Test-Path -LiteralPath (Join-Path $beside 'pcaps')) { return (Resolve-Path -LiteralPath $beside).Path }
    $null
}

function New-TestSample {
    <# Writes New-NFSampleCapture's capture to a new file under TestDrive (or -Directory) and returns its path. #>
    param(
        [string] $Name = 'sample.pcap',
        [int] $Seed = 1,
        [int] $Rounds = 4,
        [string] $Directory = (Get-PSDrive TestDrive -ErrorAction SilentlyContinue).Root
    )
    if (-not $Directory) { $Directory = [IO.Path]::Combine([IO.Path]::GetTempPath(), 'nfstream-pester', [guid]::NewGuid().ToString('n')) }
    [IO.Directory]::CreateDirectory($Directory) | Out-Null
    $path = [IO.Path]::Combine($Directory, $Name)
    $format = if ($Name -like '*.pcapng') { 'PcapNg' } else { 'Pcap' }
    [NFStream.Engine.Samples.SampleCapture]::Write($path, $format, $Seed, $Rounds) | Out-Null
    $path
}

function Get-PcapRecordOffset {
    <# The byte offset of the first classic-pcap record header at or after -From. #>
    param([byte[]] $Bytes, [int] $From)
    $offset = 24
    while ($offset -lt $From) { $offset += 16 + [BitConverter]::ToInt32($Bytes, $offset + 8) }
    $offset
}

function Get-PwshCommandLine {
    <# The program and leading arguments that start the pwsh running this suite (e.g. dotnet .../pwsh.dll). #>
    $program = [Environment]::ProcessPath
    $entry = [Environment]::GetCommandLineArgs()[0]
    if ($entry -like '*.dll') { @($program, $entry) } else { @($program) }
}

function Invoke-PwshProcess {
    <#
    Runs a script in a separate pwsh process (the same pwsh that runs the suite), with the module imported, and
    returns its exit code, standard output and standard error. For what only a whole process shows: exit codes,
    signals, console formatting at a given width.
    #>
    param(
        [Parameter(Mandatory)] [string] $Command,
        [int] $TimeoutSeconds = 120,
        [hashtable] $Environment = @{},
        [string] $Module = $script:ModuleManifest,
        [string] $WorkingDirectory = (Get-Location -PSProvider FileSystem).ProviderPath
    )
    $child = Start-ChildPwsh -Command $Command -Directory $WorkingDirectory -Environment $Environment -Module $Module
    if (-not $child.Process.WaitForExit($TimeoutSeconds * 1000)) {
        $child.Process.Kill($true)
        throw "pwsh did not finish within $TimeoutSeconds s: $Command"
    }
    [pscustomobject]@{ ExitCode = $child.Process.ExitCode; Output = $child.Output.Result; Error = $child.Error.Result }
}

function Start-ChildPwsh {
    <#
    Starts a script in a separate pwsh process (the same pwsh that runs the suite), with the module imported,
    without waiting: its process (to signal or watch) and the tasks reading its standard output and error.
    #>
    param(
        [Parameter(Mandatory)] [string] $Command,
        [string] $Directory = (Get-Location -PSProvider FileSystem).ProviderPath,
        [hashtable] $Environment = @{},
        [string] $Module = $script:ModuleManifest
    )
    $pwsh = Get-PwshCommandLine
    $start = [Diagnostics.ProcessStartInfo]::new($pwsh[0])
    foreach ($argument in @($pwsh | Select-Object -Skip 1) + @('-NoProfile', '-NonInteractive', '-Command', "Import-Module '$Module'; $Command")) {
        $start.ArgumentList.Add($argument)
    }
    $start.RedirectStandardOutput = $true
    $start.RedirectStandardError = $true
    $start.UseShellExecute = $false
    $start.WorkingDirectory = $Directory
    foreach ($name in $Environment.Keys) { $start.Environment[$name] = [string]$Environment[$name] }
    $process = [Diagnostics.Process]::Start($start)
    [pscustomobject]@{
        Process = $process
        Output  = $process.StandardOutput.ReadToEndAsync()
        Error   = $process.StandardError.ReadToEndAsync()
    }
}

function Wait-Until([scriptblock] $Condition, [int] $Seconds, [string] $What) {
    $clock = [Diagnostics.Stopwatch]::StartNew()
    while (-not (& $Condition)) {
        if ($clock.Elapsed.TotalSeconds -gt $Seconds) { throw "Timed out after $Seconds s waiting for $What" }
        Start-Sleep -Milliseconds 100
    }
}

function Test-Root { (& id -u) -eq '0' }

# Waits until the child process holds a packet socket (its live capture is open), however slowly it started.
function Wait-CaptureOpen([Diagnostics.Process] $Process) {
    Wait-Until -Seconds 90 -What 'the child to open its capture' -Condition {
        if ($Process.HasExited) { throw "the child exited early (exit code $($Process.ExitCode))" }
        $inodes = @(Get-Content /proc/net/packet | Select-Object -Skip 1 | ForEach-Object { ($_ -split '\s+')[-1] })
        $sockets = @(Get-ChildItem "/proc/$($Process.Id)/fd" -ErrorAction SilentlyContinue | ForEach-Object {
                if ("$($_.Target)" -match '^socket:\[(\d+)\]$') { $Matches[1] } })
        @($sockets | Where-Object { $_ -in $inodes }).Count -gt 0
    }
    Start-Sleep -Milliseconds 500   # the filter is attached right after the socket opens
}

Export-ModuleMember -Function *
