# What a user reads: the default table and list views, at 80 columns, in a console and redirected to a file.
BeforeAll {
    Import-Module "$PSScriptRoot/TestHelpers.psm1" -Force
    $sample = New-TestSample -Name sample.pcap
    $labels = 'Id', 'Source', 'Destination', 'Proto', 'Packets', 'Bytes', 'Duration', 'Application'
    function Remove-Ansi([string] $Text) { $Text -replace "`e\[[0-9;]*m", '' }
    function Get-HeaderLine([string[]] $Lines) { $Lines | Where-Object { $_ -match '^\s*Id\s+Source' } | Select-Object -First 1 }
}

Describe 'The default table view' {
    It 'shows every header whole and the application of each flow at 80 columns' {
        $lines = (Get-NFFlow $sample | Out-String -Width 80) -split "`n" | ForEach-Object { (Remove-Ansi $_).TrimEnd() }
        $header = Get-HeaderLine $lines
        ($header -split '\s+' | Where-Object { $_ }) | Should -Be $labels
        $lines | ForEach-Object { $_.Length | Should -BeLessOrEqual 80 }
        $lines | Where-Object { $_ -match '^\s+0 ' } | Should -Match '192\.168\.1\.10\s+192\.168\.1\.1:53\s+UDP\s+2\s+150\s+10ms DNS$'
        $lines | Where-Object { $_ -match '^\s+2 ' } | Should -Match 'TCP\s+13\s+3213\s+186ms TLS\.Google$'
    }

    It 'fits in 80 columns when the output is redirected, as cron and systemd get it' {
        $result = Invoke-PwshProcess -Command "Get-NFFlow '$sample' | Select-Object -First 8"
        $lines = (Remove-Ansi $result.Output) -split "`n" | ForEach-Object TrimEnd
        (Get-HeaderLine $lines) -split '\s+' | Where-Object { $_ } | Should -Be $labels
        $lines | ForEach-Object { $_.Length | Should -BeLessOrEqual 80 }
        $lines | Where-Object { $_ -match '^\s+6 ' } | Should -Match 'UDP\s+10\s+1360\s+34ms TargusData'
    }

    It 'does not truncate labels with Format-Table -AutoSize' {
        $lines = (Get-NFFlow $sample | Format-Table -AutoSize | Out-String -Width 80) -split "`n" | ForEach-Object { (Remove-Ansi $_).TrimEnd() }
        (Get-HeaderLine $lines) -split '\s+' | Where-Object { $_ } | Should -Be $labels
        $lines | Where-Object { $_ -like '*…*' } | Should -BeNullOrEmpty
    }

    It 'shows IPv6 destinations in brackets, and protocols by name' {
        $text = Remove-Ansi (Get-NFFlow $sample | Out-String -Width 80)
        $text | Should -Match '2001:db8::10\s+\[2001:db8::1\]:53\s+UDP'
        $text | Should -Match '8\.8\.8\.8:0\s+ICMP'
    }

    It 'shortens large counts and long durations, keeping the exact values in the columns' {
        [NFStream.Formatting.FlowTableCells]::Count(99999) | Should -Be '99999'
        [NFStream.Formatting.FlowTableCells]::Count(123456) | Should -Be '123K'
        [NFStream.Formatting.FlowTableCells]::Count(1234567) | Should -Be '1.2M'
        [NFStream.Formatting.FlowTableCells]::Count(98765432100) | Should -Be '98.8G'
        [NFStream.Formatting.FlowTableCells]::Duration([uint64]999) | Should -Be '999ms'
        [NFStream.Formatting.FlowTableCells]::Duration([uint64]45000) | Should -Be '45.0s'
        [NFStream.Formatting.FlowTableCells]::Duration([uint64]1800000) | Should -Be '30.0m'
        [NFStream.Formatting.FlowTableCells]::Duration([uint64]7200000) | Should -Be '2.0h'
        [NFStream.Formatting.FlowTableCells]::Duration([uint64](86400000 * 3)) | Should -Be '3.0d'
    }
}

Describe 'The list view' {
    It 'shows the endpoints with ports and MACs, the packets and bytes per direction, and the labels' {
        $text = Remove-Ansi (Get-NFFlow $sample -MaxFlows 3 | Select-Object -Last 1 | Format-List | Out-String -Width 80)
        $text | Should -Match 'source\s+: 192\.168\.1\.10:\d+ \('
        $text | Should -Match 'packets \(s2d/d2s\)\s+: 13 \(\d+/\d+\)'
        $text | Should -Match 'application_name\s+: TLS\.Google'
        $text | Should -Match 'requested_server_name\s+: www\.google\.com'
    }

    It 'shows every column with Format-List *' {
        $flow = Get-NFFlow $sample -MaxFlows 1 -StatisticalAnalysis
        $text = $flow | Format-List * | Out-String -Width 200
        foreach ($name in $flow.PSObject.Properties.Name) { $text | Should -Match "(?m)^$name\s+:" }
    }
}
