# Tab completion as a user gets it (TabExpansion2 is what pwsh's Tab key calls).
BeforeAll {
    Import-Module "$PSScriptRoot/TestHelpers.psm1" -Force
    function Complete([string] $Line) { (TabExpansion2 -inputScript $Line -cursorColumn $Line.Length).CompletionMatches.CompletionText }
}

Describe 'Column names after a pipe' {
    It 'complete for <Command>' -ForEach @(
        @{ Command = 'Select-Object'; Line = 'Get-NFFlow x.pcap | Select-Object bidir' }
        @{ Command = 'Where-Object'; Line = 'Get-NFFlow x.pcap | Where-Object bidir' }
        @{ Command = 'Sort-Object'; Line = 'Get-NFFlow x.pcap | Sort-Object bidir' }
        @{ Command = 'Group-Object'; Line = 'Get-NFFlow x.pcap | Group-Object bidir' }
        @{ Command = 'Measure-Object'; Line = 'Get-NFFlow x.pcap | Measure-Object -Property bidir' }
        @{ Command = 'Format-Table'; Line = 'Get-NFFlow x.pcap | Format-Table bidir' }
        @{ Command = 'ForEach-Object'; Line = 'Get-NFFlow x.pcap | ForEach-Object -MemberName bidir' }
        @{ Command = 'Start-NFCapture'; Line = 'Start-NFCapture -Interface lo | Select-Object bidir' }
    ) {
        Complete $Line | Should -Be @('bidirectional_first_seen_ms', 'bidirectional_last_seen_ms', 'bidirectional_duration_ms', 'bidirectional_packets', 'bidirectional_bytes')
    }

    It 'follow the producer''s options: statistics, SPLT, nDPI and tunnels' {
        Complete 'Get-NFFlow x.pcap | Select-Object bidirectional_m' | Should -BeNullOrEmpty
        Complete 'Get-NFFlow x.pcap -StatisticalAnalysis | Select-Object bidirectional_m' | Should -Contain 'bidirectional_mean_ps'
        Complete 'Get-NFFlow x.pcap -StatisticalAnalysis:$false | Select-Object bidirectional_m' | Should -BeNullOrEmpty
        Complete 'Get-NFFlow x.pcap -SpltAnalysis 10 | Select-Object splt' | Should -Be @('splt_direction', 'splt_ps', 'splt_piat_ms')
        Complete 'Get-NFFlow x.pcap -SpltAnalysis 0 | Select-Object splt' | Should -BeNullOrEmpty
        Complete 'Get-NFFlow x.pcap | Where-Object appl' | Should -Contain 'application_name'
        Complete 'Get-NFFlow x.pcap -NDissections 0 | Where-Object application_n' | Should -BeNullOrEmpty
        Complete 'Get-NFFlow x.pcap | Select-Object tunn' | Should -Be 'tunnel_id'
        Complete 'Get-NFFlow x.pcap -DecodeTunnels:$false | Select-Object tunn' | Should -BeNullOrEmpty
        Complete 'Get-NFFlow x.pcap -Plugin $p | Select-Object udp' | Should -Be 'udps'
    }

    It 'see through commands that pass flows on' {
        Complete 'Get-NFFlow x.pcap | Where-Object protocol -eq 6 | Sort-Object id | Select-Object -First 5 | Format-Table src_' |
            Should -Be @('src_ip', 'src_mac', 'src_oui', 'src_port')
        Complete 'Get-NFFlow x.pcap | Export-NFFlowCsv f.csv -PassThru | Group-Object dst_p' | Should -Be 'dst_port'
    }

    It 'offer the friendly time properties too' {
        Complete 'Get-NFFlow x.pcap | Sort-Object dur' | Should -Be 'duration'
    }

    It 'complete from the flows a variable holds' {
        $global:completionFlows = Get-NFFlow (New-TestSample -Rounds 1) -SpltAnalysis 3 -NDissections 0
        try {
            Complete '$completionFlows | Select-Object splt' | Should -Be @('splt_direction', 'splt_ps', 'splt_piat_ms')
            Complete '$completionFlows | Select-Object appl' | Should -BeNullOrEmpty
        }
        finally { Remove-Variable completionFlows -Scope Global }
    }

    It 'leave PowerShell''s own completion alone for other objects' {
        Complete 'Get-Process | Select-Object WorkingSet' | Should -Contain 'WorkingSet64'
        Complete 'Get-ChildItem | Sort-Object LastWr' | Should -Contain 'LastWriteTime'
    }
}

Describe 'Parameter values' {
    It '-AnonymizeColumn completes NFStream column names' {
        Complete 'Export-NFFlowCsv -Path x.csv -AnonymizeColumn src_' | Sort-Object | Should -Be @('src_ip', 'src_mac', 'src_oui', 'src_port')
        Complete 'Export-NFFlowCsv -Path x.csv -AnonymizeColumn src_ip, dst_i' | Should -Contain 'dst_ip'
    }

    It '-AccountingMode completes its values' {
        Complete 'Get-NFFlow x.pcap -AccountingMode I' | Should -Be 'IP'
    }

    It '-Interface completes the machine''s interfaces' {
        Complete 'Start-NFCapture -Interface l' | Should -Contain 'lo'
    }
}
