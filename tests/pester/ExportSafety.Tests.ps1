BeforeAll { Import-Module "$PSScriptRoot/TestHelpers.psm1" -Force }

# Issue 13: exports that lose nothing and harm no one (operator mistakes, hostile traffic, failures upstream).
Describe 'Export-NFFlowCsv safety' {
    BeforeAll {
        $sampleFlows = Get-SampleFlowCount

        function Get-CsvRecordCount([string] $Path) { @(Import-Csv -LiteralPath $Path).Count }

        # Every row of a CSV file has as many fields as its header (so no cut or misaligned row).
        function Assert-WholeRows([string] $Path) {
            $lines = [IO.File]::ReadAllText($Path)
            $lines.EndsWith("`n") | Should -BeTrue -Because 'the file ends with a whole row'
            $parser = [Microsoft.VisualBasic.FileIO.TextFieldParser]::new($Path)
            $parser.SetDelimiters(','); $parser.HasFieldsEnclosedInQuotes = $true
            $width = $parser.ReadFields().Count
            while (-not $parser.EndOfData) { $parser.ReadFields().Count | Should -Be $width }
            $parser.Close()
        }

        # The sample capture with attacker-chosen HTTP Host, User-Agent, Content-Type and TLS SNI (same lengths).
        function New-HostileSample([string] $Path) {
            $plain = New-TestSample -Name 'plain-for-hostile.pcap' -Rounds 1
            $latin1 = [Text.Encoding]::Latin1
            $text = $latin1.GetString([IO.File]::ReadAllBytes($plain))
            foreach ($pair in @(('www.example.com', '=HYPERLINK(1)//'), ('Mozilla/5.0 (NFStream sample)', "+cmd|' /C calc'!A0 aaaaaaaaaa"),
                    ('text/html', '@SUM(1,2)'), ('www.google.com', '-2+3.google.io'))) {
                $text = $text.Replace($pair[0], $pair[1])
            }
            [IO.File]::WriteAllBytes($Path, $latin1.GetBytes($text))
            $Path
        }
    }

    Context 'an upstream terminating error' {
        It 'keeps every row written before it (ErrorActionPreference Stop, corrupt second file)' {
            $good = New-TestSample -Name good.pcap
            $bytes = [IO.File]::ReadAllBytes((New-TestSample -Name tocorrupt.pcap -Seed 2))
            $offset = Get-PcapRecordOffset -Bytes $bytes -From 2000
            [BitConverter]::GetBytes([int]0x7FFFFFF0).CopyTo($bytes, $offset + 8)   # captured length beyond any record
            $corrupt = Join-Path $TestDrive corrupt.pcap
            [IO.File]::WriteAllBytes($corrupt, $bytes)
            $out = Join-Path $TestDrive upstream.csv

            { $ErrorActionPreference = 'Stop'; Get-NFFlow $good, $corrupt -NDissections 0 | Export-NFFlowCsv $out } | Should -Throw

            Get-CsvRecordCount $out | Should -BeGreaterOrEqual $sampleFlows
            Assert-WholeRows $out
        }
    }

    Context 'CSV formula injection' {
        BeforeAll { $hostile = New-HostileSample (Join-Path $TestDrive hostile.pcap) }

        It 'prefixes text cells that would start a formula with a single quote' {
            $out = Join-Path $TestDrive escaped.csv
            Get-NFFlow $hostile | Export-NFFlowCsv $out
            $rows = Import-Csv $out
            $http = $rows | Where-Object application_name -eq 'HTTP'
            $http.user_agent | Should -Be "'+cmd|' /C calc'!A0 aaaaaaaaaa"
            $http.content_type | Should -Be "'@SUM(1,2)"
            $http.requested_server_name | Should -BeLike "'=*"
            ($rows | Where-Object requested_server_name -like '*google.io').requested_server_name | Should -Be "'-2+3.google.io"
            foreach ($row in $rows) {
                foreach ($p in $row.PSObject.Properties) { $p.Value | Should -Not -Match '^[=+\-@\t\r]' }
            }
        }

        It 'writes the raw values with -NoFormulaEscape' {
            $out = Join-Path $TestDrive raw.csv
            Get-NFFlow $hostile | Export-NFFlowCsv $out -NoFormulaEscape
            (Import-Csv $out | Where-Object application_name -eq 'HTTP').user_agent | Should -Be "+cmd|' /C calc'!A0 aaaaaaaaaa"
        }

        It 'escapes plugin text but never touches numbers' {
            $out = Join-Path $TestDrive plugin-values.csv
            $plugin = @{ Name = 'Marks'; OnInit = { param($packet, $flow) $flow.udps.text = '=1+1'; $flow.udps.number = -5 } }
            Get-NFFlow (New-TestSample -Name values.pcap) -NDissections 0 -Plugin $plugin | Export-NFFlowCsv $out
            $row = (Import-Csv $out)[0]
            $row.'udps.text' | Should -Be "'=1+1"
            $row.'udps.number' | Should -Be '-5'
        }
    }

    Context 'the column set of a file' {
        BeforeAll { $sample = New-TestSample -Name columns.pcap }

        It 'refuses -Append of flows with other columns before writing anything' {
            $out = Join-Path $TestDrive append.csv
            Get-NFFlow $sample -NDissections 0 | Export-NFFlowCsv $out
            $before = [IO.File]::ReadAllBytes($out)

            { Get-NFFlow $sample -NDissections 0 -StatisticalAnalysis | Export-NFFlowCsv $out -Append } |
                Should -Throw -ErrorId 'ColumnSetMismatch,NFStream.Commands.ExportNFFlowCsvCommand'

            [IO.File]::ReadAllBytes($out) | Should -Be $before
        }

        It 'appends flows of the same columns' {
            $out = Join-Path $TestDrive append-same.csv
            Get-NFFlow $sample -NDissections 0 | Export-NFFlowCsv $out
            Get-NFFlow $sample -NDissections 0 | Export-NFFlowCsv $out -Append
            Get-CsvRecordCount $out | Should -Be (2 * $sampleFlows)
        }

        It 'stops at the first flow whose columns differ from the first flow''s, keeping the rows before it whole' {
            $out = Join-Path $TestDrive mixed.csv
            $mixed = @(Get-NFFlow $sample -NDissections 0 -MaxFlows 3) + @(Get-NFFlow $sample -NDissections 0 -StatisticalAnalysis -MaxFlows 3)

            { $mixed | Export-NFFlowCsv $out } | Should -Throw -ErrorId 'ColumnSetMismatch,NFStream.Commands.ExportNFFlowCsvCommand'

            Get-CsvRecordCount $out | Should -Be 3
            Assert-WholeRows $out
        }

        It 'stops when a later flow carries a plugin value the first flow had not' {
            $out = Join-Path $TestDrive later-udps.csv
            $plugin = @{ Name = 'Late'; OnExpire = { param($flow) if ($flow.id -ge 2) { $flow.udps.late = 1 } } }

            { Get-NFFlow $sample -NDissections 0 -Plugin $plugin | Export-NFFlowCsv $out } |
                Should -Throw -ErrorId 'ColumnSetMismatch,NFStream.Commands.ExportNFFlowCsvCommand'
            Get-CsvRecordCount $out | Should -Be 2
        }

        It 'quotes plugin value names in the header' {
            $out = Join-Path $TestDrive names.csv
            $plugin = @{ Name = 'Odd'; OnInit = { param($packet, $flow) $flow.udps."a,b" = 1; $flow.udps."line`nbreak" = 2 } }
            Get-NFFlow $sample -NDissections 0 -Plugin $plugin -MaxFlows 2 | Export-NFFlowCsv $out
            $row = (Import-Csv $out)[0]
            $row.'udps.a,b' | Should -Be '1'
            $row."udps.line`nbreak" | Should -Be '2'
        }
    }

    Context 'operator mistakes' {
        BeforeAll { $sample = New-TestSample -Name mistakes.pcap }

        It 'refuses an unknown -AnonymizeColumn name before creating the file' {
            $out = Join-Path $TestDrive anon.csv
            { Get-NFFlow $sample -NDissections 0 | Export-NFFlowCsv $out -AnonymizeColumn src_ip, 'dst-ip' } |
                Should -Throw -ErrorId 'AnonymizeColumnUnknown,NFStream.Commands.ExportNFFlowCsvCommand'
            Test-Path $out | Should -BeFalse
        }

        It 'refuses a second writer on the same file, leaving the first writer''s file whole' {
            $out = Join-Path $TestDrive twice.csv
            { Get-NFFlow $sample -NDissections 0 | Export-NFFlowCsv $out -PassThru | Export-NFFlowCsv $out } |
                Should -Throw -ErrorId 'ExportFileInUse,NFStream.Commands.ExportNFFlowCsvCommand'
            Assert-WholeRows $out
            [IO.File]::ReadAllBytes($out) -contains 0 | Should -BeFalse
        }

        It 'with -FlowsPerFile -NoClobber, checks every chunk before writing any' {
            $dir = Join-Path $TestDrive chunks
            New-Item -ItemType Directory $dir | Out-Null
            Set-Content (Join-Path $dir 'flows.2.csv') 'keep me'
            { Get-NFFlow $sample -NDissections 0 | Export-NFFlowCsv (Join-Path $dir flows.csv) -FlowsPerFile 10 -NoClobber } |
                Should -Throw -ErrorId 'FileExists,NFStream.Commands.ExportNFFlowCsvCommand'
            Test-Path (Join-Path $dir 'flows.0.csv') | Should -BeFalse
            Get-Content (Join-Path $dir 'flows.2.csv') | Should -Be 'keep me'
        }
    }

    Context 'plugins that leave their scriptblock' {
        It 'turns <Statement> in a plugin into a PluginFailed error naming the plugin' -TestCases @(
            @{ Statement = 'continue' }, @{ Statement = 'break' }, @{ Statement = 'exit' }
        ) {
            $sample = New-TestSample -Name "flow-control-$Statement.pcap"
            $result = Invoke-PwshProcess -Command "Get-NFFlow '$sample' -NDissections 0 -Plugin @{ Name = 'Leaver'; OnUpdate = { $Statement } } | Measure-Object | ForEach-Object Count"
            $result.ExitCode | Should -Not -Be 0
            $result.Error | Should -Match "Plugin 'Leaver' failed"
            $result.Error | Should -Match "'$Statement'"
        }
    }

    Context 'reading' {
        It '-MaxFlows counts across all files of the call and stops reading' {
            $dir = Join-Path $TestDrive many
            1..3 | ForEach-Object { New-TestSample -Directory $dir -Name "m$_.pcap" -Seed $_ | Out-Null }

            $flows = Get-NFFlow (Join-Path $dir '*.pcap') -NDissections 0 -MaxFlows 5 -StatisticsVariable stats

            $flows | Should -HaveCount 5
            @($stats) | Should -HaveCount 1 -Because 'the files after the fifth flow are not read'
        }

        It 'flags an absurd wire length with a warning naming the file and offset' {
            $path = New-TestSample -Name wire.pcap
            $bytes = [IO.File]::ReadAllBytes($path)
            $offset = Get-PcapRecordOffset -Bytes $bytes -From 100
            [BitConverter]::GetBytes([uint32]::MaxValue).CopyTo($bytes, $offset + 12)
            $patched = Join-Path $TestDrive wire-patched.pcap
            [IO.File]::WriteAllBytes($patched, $bytes)
            Get-NFFlow $path -NDissections 0 -WarningVariable clean -WarningAction SilentlyContinue | Out-Null

            $flows = Get-NFFlow $patched -NDissections 0 -WarningVariable warnings -WarningAction SilentlyContinue

            $flows | Should -HaveCount $sampleFlows
            $clean | Should -HaveCount 0
            $warnings | Should -HaveCount 1
            "$warnings" | Should -Match ([regex]::Escape("wire-patched.pcap: 1 records claimed a wire length over 262144 bytes (the first at byte offset $offset)"))
        }
    }
}
