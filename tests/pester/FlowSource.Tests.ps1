BeforeAll { Import-Module "$PSScriptRoot/TestHelpers.psm1" -Force }

# Flows that know their source: $flow.source, and -IncludeSource on both exports.
Describe 'Flow source' {
    BeforeAll {
        $sampleFlows = Get-SampleFlowCount
        $dir = Join-Path $TestDrive 'captures'
        $a = New-TestSample -Directory $dir -Name a.pcap
        $b = New-TestSample -Directory $dir -Name b.pcapng -Seed 2
    }

    It 'each flow names the capture it came from (full path), with one meter or several' -ForEach @(@{ Meters = 1 }, @{ Meters = 3 }) {
        $flows = Get-NFFlow -Path (Join-Path $dir '*') -NDissections 0 -Meters $Meters
        $flows | Should -HaveCount (2 * $sampleFlows)
        @($flows | Where-Object source -eq $a) | Should -HaveCount $sampleFlows
        @($flows | Where-Object source -eq $b) | Should -HaveCount $sampleFlows
    }

    It 'in a -Continuous run, names the file of the flow''s first packet' {
        $flows = Get-NFFlow -LiteralPath $a, $b -Continuous -NDissections 0
        ($flows.source | Sort-Object -Unique) | Should -Be @($a, $b)
    }

    It 'is hidden: not in the column list, Export-Csv or ConvertTo-Json, but shown by Get-Member -Force' {
        $flow = Get-NFFlow -LiteralPath $a -MaxFlows 1
        $flow.PSObject.Properties.Name | Should -Not -Contain 'source'
        ($flow | ConvertTo-Json -Compress) | Should -Not -BeLike '*"source"*'
        ($flow | Get-Member -Force -Name source).Name | Should -Be 'source'
        $flow.source | Should -BeOfType [string]
    }

    It 'Export-NFFlowCsv adds a last source column with -IncludeSource only' {
        $with = Join-Path $TestDrive 'with.csv'
        $without = Join-Path $TestDrive 'without.csv'
        Get-NFFlow -LiteralPath $a, $b -NDissections 0 | Export-NFFlowCsv -LiteralPath $with -IncludeSource
        Get-NFFlow -LiteralPath $a, $b -NDissections 0 | Export-NFFlowCsv -LiteralPath $without

        $rows = Import-Csv -LiteralPath $with
        $rows | Should -HaveCount (2 * $sampleFlows)
        (Get-Content -LiteralPath $with -First 1).Split(',')[-1] | Should -Be 'source'
        @($rows | Where-Object source -eq $a) | Should -HaveCount $sampleFlows
        @($rows | Where-Object source -eq $b) | Should -HaveCount $sampleFlows
        (Get-Content -LiteralPath $without -First 1).Split(',') | Should -Not -Contain 'source'
        (Get-Content -LiteralPath $with -First 1) | Should -BeLike "$(Get-Content -LiteralPath $without -First 1),source"
    }

    It 'Export-NFFlowCsv hashes the source with -AnonymizeColumn source' {
        $file = Join-Path $TestDrive 'anon.csv'
        Get-NFFlow -LiteralPath $a -NDissections 0 -MaxFlows 2 |
            Export-NFFlowCsv -LiteralPath $file -IncludeSource -AnonymizeColumn source -AnonymizationKey ([byte[]](1..8))
        $rows = Import-Csv -LiteralPath $file
        $rows[0].source | Should -Match '^[0-9a-f]{128}$'
        $rows[0].source | Should -Be $rows[1].source
    }

    It 'a live capture''s flows name the interface' {
        $loopback = Get-NFInterface -ErrorAction SilentlyContinue | Where-Object { $_.Name -eq 'lo' -and $_.Status -eq 'Up' }
        if (-not $loopback) { Set-ItResult -Skipped -Because 'no loopback capture interface here'; return }
        # Our own traffic on the loopback: 20 UDP datagrams to distinct ports, while the capture runs.
        $sender = Start-ThreadJob {
            Start-Sleep -Milliseconds 300
            for ($i = 0; $i -lt 20; $i++) {
                $udp = [Net.Sockets.UdpClient]::new()
                [void]$udp.Send([byte[]](1..20), 20, '127.0.0.1', 41000 + $i)
                $udp.Dispose()
                Start-Sleep -Milliseconds 20
            }
        }
        try { $flows = @(Start-NFCapture -Interface lo -Duration 2 -NDissections 0 -BpfFilter 'udp portrange 41000-41019' -ErrorAction SilentlyContinue) }
        finally { $sender | Wait-Job | Remove-Job }
        if ($flows.Count -eq 0) { Set-ItResult -Skipped -Because 'no capture rights on lo'; return }
        $flows.Count | Should -BeGreaterOrEqual 20
        $flows.source | Sort-Object -Unique | Should -Be 'lo'
    }
}
