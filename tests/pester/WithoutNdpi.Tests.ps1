# A machine without the native shim (or without nDPI): the module still imports, -NDissections 0 works, and
# anything else gives one clear error that says what to install. Each case runs in its own pwsh process, with a
# copy of the module that lacks libnfndpi.so, since a process loads the shim once.
BeforeAll {
    Import-Module "$PSScriptRoot/TestHelpers.psm1" -Force

    function New-ModuleWithoutShim {
        $dir = Join-Path $TestDrive ([guid]::NewGuid().ToString('n'))
        $copy = Join-Path $dir 'NFStream'
        Copy-Item -Recurse -Path (Split-Path (Get-ModuleManifestPath)) -Destination $copy
        Remove-Item -LiteralPath (Join-Path $copy 'libnfndpi.so')
        New-TestSample -Directory $dir | Out-Null
        [pscustomobject]@{ Module = Join-Path $copy 'NFStream.psd1'; Directory = $dir }
    }

    # Several files, as arguments or from the pipeline: one error per statement, not one per file, and no flow.
    $oneErrorScript = @'
$Error.Clear(); $n = 0
try { Get-NFFlow sample.pcap, sample.pcap | ForEach-Object { $n++ } } catch { }
try { 'sample.pcap', 'sample.pcap' | Get-NFFlow -NDissections 5 | ForEach-Object { $n++ } } catch { }
"flows=$n errors=$($Error.Count)"
$Error | ForEach-Object { "id=$($_.FullyQualifiedErrorId) category=$($_.CategoryInfo.Category)" }
"message=$($Error[0].Exception.Message)"
'@
}

Describe 'The module without the nDPI shim' {
    It 'imports, meters with -NDissections 0, and says what to install for anything else' {
        $copy = New-ModuleWithoutShim

        $withoutDpi = Invoke-PwshProcess -Module $copy.Module -WorkingDirectory $copy.Directory -Command '@(Get-NFFlow sample.pcap -NDissections 0).Count'
        $withoutDpi.ExitCode | Should -Be 0 -Because $withoutDpi.Error
        $withoutDpi.Output.Trim() | Should -Be (Get-SampleFlowCount)

        $withDpi = Invoke-PwshProcess -Module $copy.Module -WorkingDirectory $copy.Directory -Command 'Get-NFFlow sample.pcap; exit [int](-not $?)'
        $withDpi.ExitCode | Should -Be 1
        $withDpi.Error | Should -BeLike '*libnfndpi.so*'
        $withDpi.Error | Should -BeLike '*apt-get install*'
        $withDpi.Error | Should -BeLike '*-NDissections 0*'
        $withDpi.Output.Trim() | Should -BeNullOrEmpty
    }

    It 'gives exactly one NotInstalled error per run, whatever the number of files' {
        $copy = New-ModuleWithoutShim

        $outcome = Invoke-PwshProcess -Module $copy.Module -WorkingDirectory $copy.Directory -Command $oneErrorScript
        $lines = $outcome.Output -split "`n" | ForEach-Object Trim | Where-Object { $_ }

        $lines[0] | Should -Be 'flows=0 errors=2'
        @($lines | Where-Object { $_ -eq 'id=DpiUnavailable,NFStream.Commands.GetNFFlowCommand category=NotInstalled' }) | Should -HaveCount 2
        ($lines | Where-Object { $_ -like 'message=*' }) | Should -BeLike '*apt-get install*'
    }

    It 'names the file, the loader''s reason and the package when the shim cannot be loaded' {
        $copy = New-ModuleWithoutShim
        $broken = Join-Path $copy.Directory 'libnfndpi.so'
        Set-Content -LiteralPath $broken -Value 'not an ELF file'

        $outcome = Invoke-PwshProcess -Module $copy.Module -WorkingDirectory $copy.Directory -Command $oneErrorScript -Environment @{ NFSTREAM_NFNDPI_PATH = $broken }

        $outcome.Output | Should -BeLike '*flows=0 errors=2*'
        $message = $outcome.Output.Substring($outcome.Output.IndexOf('message='))
        $message | Should -BeLike "*$broken could not be loaded*"
        $message | Should -BeLike '*apt-get install libndpi4.2*'
        $message | Should -BeLike '*-NDissections 0*'

        $stillWorks = Invoke-PwshProcess -Module $copy.Module -WorkingDirectory $copy.Directory -Command '@(Get-NFFlow sample.pcap -NDissections 0).Count' -Environment @{ NFSTREAM_NFNDPI_PATH = $broken }
        $stillWorks.Output.Trim() | Should -Be (Get-SampleFlowCount)
    }

    It 'says so when NFSTREAM_NFNDPI_PATH names a file that does not exist' {
        $copy = New-ModuleWithoutShim
        $missing = Join-Path $copy.Directory 'nowhere/libnfndpi.so'

        $outcome = Invoke-PwshProcess -Module $copy.Module -WorkingDirectory $copy.Directory -Command 'Get-NFFlow sample.pcap; exit [int](-not $?)' -Environment @{ NFSTREAM_NFNDPI_PATH = $missing }

        $outcome.ExitCode | Should -Be 1
        $outcome.Error | Should -BeLike "*NFSTREAM_NFNDPI_PATH names $missing, which does not exist*"
        $outcome.Error | Should -BeLike '*apt-get install*'
        $outcome.Output.Trim() | Should -BeNullOrEmpty
    }
}
