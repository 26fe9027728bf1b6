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
    $pwsh = Get-PwshCommandLine
    $start = [Diagnostics.ProcessStartInfo]::new($pwsh[0])
    foreach ($argument in @($pwsh | Select-Object -Skip 1) + @('-NoProfile', '-NonInteractive', '-Command', "Import-Module '$Module'; $Command")) {
        $start.ArgumentList.Add($argument)
    }
    $start.RedirectStandardOutput = $true
    $start.RedirectStandardError = $true
    $start.UseShellExecute = $false
    $start.WorkingDirectory = $WorkingDirectory
    foreach ($name in $Environment.Keys) { $start.Environment[$name] = [string]$Environment[$name] }
    $process = [Diagnostics.Process]::Start($start)
    $stdout = $process.StandardOutput.ReadToEndAsync()
    $stderr = $process.StandardError.ReadToEndAsync()
    if (-not $process.WaitForExit($TimeoutSeconds * 1000)) {
        $process.Kill($true)
        throw "pwsh did not finish within $TimeoutSeconds s: $Command"
    }
    [pscustomobject]@{ ExitCode = $process.ExitCode; Output = $stdout.Result; Error = $stderr.Result }
}

Export-ModuleMember -Function *
