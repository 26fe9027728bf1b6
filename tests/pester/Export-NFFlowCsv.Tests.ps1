# Export-NFFlowCsv as a PowerShell user meets it: NFStream's CSV, ShouldProcess, clobbering, appending, chunking,
# anonymisation, empty input, paths and pass-through.
BeforeAll { Import-Module "$PSScriptRoot/TestHelpers.psm1" -Force }

Describe 'Export-NFFlowCsv' {
    BeforeAll {
        $sampleFlows = Get-SampleFlowCount
        $sample = New-TestSample -Name 'sample.pcap'
    }

    It 'writes NFStream''s header and one row per flow, readable by Import-Csv' {
        $csv = Join-Path $TestDrive 'flows.csv'
        Get-NFFlow $sample | Export-NFFlowCsv -LiteralPath $csv

        $rows = Import-Csv -LiteralPath $csv
        $rows | Should -HaveCount $sampleFlows
        $header = (Get-Content -LiteralPath $csv -TotalCount 1) -split ','
        $header[0..5] | Should -Be @('id', 'expiration_id', 'src_ip', 'src_mac', 'src_oui', 'src_port')
        $header | Should -Contain 'application_name'
        $rows.user_agent | Should -Contain 'Mozilla/5.0 (NFStream sample)'
    }

    It 'writes nothing with -WhatIf, and says what it would do' {
        $csv = Join-Path $TestDrive 'whatif.csv'
        Get-NFFlow $sample | Export-NFFlowCsv -LiteralPath $csv -WhatIf
        Test-Path -LiteralPath $csv | Should -BeFalse

        # What a user reads: the host's "What if:" line, which only a whole process shows.
        $process = Invoke-PwshProcess -Command "Get-NFFlow '$sample' | Export-NFFlowCsv -LiteralPath '$csv' -WhatIf"
        $process.Output | Should -BeLike "*What if: Performing the operation ""Write flows to CSV file"" on target ""$csv""*"
        Test-Path -LiteralPath $csv | Should -BeFalse
    }

    It 'asks before writing when $ConfirmPreference asks' {
        (Get-Command Export-NFFlowCsv).Parameters.Keys | Should -Contain 'Confirm'
        $csv = Join-Path $TestDrive 'confirm.csv'
        # A non-interactive host cannot answer: with -Confirm the write is refused, not done silently.
        $result = Invoke-PwshProcess -Command "New-NFSampleCapture -LiteralPath '$TestDrive/c.pcap' -Force | Out-Null; Get-NFFlow '$TestDrive/c.pcap' | Export-NFFlowCsv -LiteralPath '$csv' -Confirm"
        Test-Path -LiteralPath $csv | Should -BeFalse
        $result.Error | Should -Not -BeNullOrEmpty
    }

    It 'refuses an existing file with -NoClobber, and -Append adds rows without a second header' {
        $csv = Join-Path $TestDrive 'existing.csv'
        Get-NFFlow $sample -MaxFlows 3 | Export-NFFlowCsv -LiteralPath $csv

        $refused = { Get-NFFlow $sample -MaxFlows 3 | Export-NFFlowCsv -LiteralPath $csv -NoClobber } | Should -Throw -ErrorId 'FileExists*' -PassThru
        $refused.CategoryInfo.Category | Should -Be 'ResourceExists'
        $refused.TargetObject | Should -Be $csv
        Import-Csv -LiteralPath $csv | Should -HaveCount 3

        Get-NFFlow $sample -MaxFlows 2 | Export-NFFlowCsv -LiteralPath $csv -Append
        $lines = Get-Content -LiteralPath $csv
        $lines | Should -HaveCount (1 + 3 + 2)
        @($lines | Where-Object { $_ -like 'id,*' }) | Should -HaveCount 1
    }

    It 'splits into numbered files with -FlowsPerFile and passes the flows through with -PassThru' {
        $csv = Join-Path $TestDrive 'chunked.csv'
        $passed = Get-NFFlow $sample | Export-NFFlowCsv -LiteralPath $csv -FlowsPerFile 10 -PassThru

        $passed | Should -HaveCount $sampleFlows
        $passed[0] | Should -BeOfType [NFStream.Engine.NFlow]
        0..3 | ForEach-Object { Join-Path $TestDrive "chunked.$_.csv" } | Should -Exist
        (0..3 | ForEach-Object { @(Import-Csv -LiteralPath (Join-Path $TestDrive "chunked.$_.csv")).Count } | Measure-Object -Sum).Sum | Should -Be $sampleFlows
    }

    It 'anonymises columns reproducibly with a key, hiding the addresses' {
        $key = [byte[]](1..64)
        $first = Join-Path $TestDrive 'anon1.csv'
        $second = Join-Path $TestDrive 'anon2.csv'
        Get-NFFlow $sample -MaxFlows 4 | Export-NFFlowCsv -LiteralPath $first -AnonymizeColumn src_ip, dst_ip -AnonymizationKey $key
        Get-NFFlow $sample -MaxFlows 4 | Export-NFFlowCsv -LiteralPath $second -AnonymizeColumn src_ip, dst_ip -AnonymizationKey $key

        Get-Content -Raw -LiteralPath $first | Should -BeExactly (Get-Content -Raw -LiteralPath $second)
        $rows = Import-Csv -LiteralPath $first
        $rows.src_ip | Should -Not -Contain '192.168.1.10'
        $rows | ForEach-Object { $_.src_ip.Length | Should -Be 128 }   # BLAKE2b-512 in hex
    }

    It 'writes a header-only file when no flow comes' {
        $csv = Join-Path $TestDrive 'empty.csv'
        Get-NFFlow $sample -BpfFilter 'tcp port 9' | Export-NFFlowCsv -LiteralPath $csv
        Get-Content -LiteralPath $csv | Should -HaveCount 1
    }

    It 'resolves -Path against the current location and refuses a wildcard that matches nothing as a file name' {
        Push-Location $TestDrive
        try {
            Get-NFFlow $sample -MaxFlows 2 | Export-NFFlowCsv -Path ./relative.csv
            Join-Path $TestDrive 'relative.csv' | Should -Exist
        }
        finally { Pop-Location }
    }

    It 'binds -LiteralPath by the PSPath property name and has Path/LiteralPath parameter sets' {
        $command = Get-Command Export-NFFlowCsv
        $command.ParameterSets.Name | Should -Contain 'Path'
        $command.ParameterSets.Name | Should -Contain 'LiteralPath'
        $command.Parameters['LiteralPath'].Aliases | Should -Contain 'PSPath'
    }
}
