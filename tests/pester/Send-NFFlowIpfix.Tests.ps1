BeforeAll { Import-Module "$PSScriptRoot/TestHelpers.psm1" -Force }

# Send-NFFlowIpfix against a real collector: nfdump's nfcapd (Debian package nfdump), started by each test on a
# free loopback port, stopped with SIGTERM (which writes its file), then read back with nfdump -r.

Describe 'Send-NFFlowIpfix' {
    BeforeAll {
        $script:Nfcapd = (Get-Command nfcapd -CommandType Application -ErrorAction SilentlyContinue | Select-Object -First 1).Source
        $script:Nfdump = (Get-Command nfdump -CommandType Application -ErrorAction SilentlyContinue | Select-Object -First 1).Source
        $script:NoNfdump = 'nfdump (nfcapd, nfdump) is not installed: apt-get install nfdump, or run .ci/setup.'

        function Get-FreeUdpPort {
            $probe = [Net.Sockets.UdpClient]::new([Net.IPEndPoint]::new([Net.IPAddress]::Loopback, 0))
            try { $probe.Client.LocalEndPoint.Port } finally { $probe.Dispose() }
        }

        function Get-FreeTcpPort {
            $probe = [Net.Sockets.TcpListener]::new([Net.IPAddress]::Loopback, 0)
            $probe.Start()
            try { $probe.LocalEndpoint.Port } finally { $probe.Stop() }
        }

        function Test-UdpBound([int] $Port) {
            # /proc/net/udp lists 127.0.0.1:PORT as 0100007F:HEX once a socket is bound there.
            $needle = '0100007F:{0:X4}' -f $Port
            # (Matched by position after the slot number, whose width varies: splitting on spaces would shift.)
            [bool](Get-Content /proc/net/udp | Where-Object { $_ -match "^\s*\d+:\s+$needle\s" })
        }

        function Start-Nfcapd([int] $Port = 0) {
            # A free port can be taken between the probe and nfcapd's bind, and a loaded machine can be slow to start
            # it: up to three tries, a fresh port each time unless one was asked for.
            $failures = @()
            foreach ($try in 1..3) {
                $candidate = if ($Port) { $Port } else { Get-FreeUdpPort }
                $dir = Join-Path $TestDrive "nfcapd-$candidate-$try"
                New-Item -ItemType Directory -Path $dir | Out-Null
                $log = Join-Path $TestDrive "nfcapd-$candidate-$try.log"
                $process = Start-Process -FilePath $script:Nfcapd -ArgumentList @('-w', $dir, '-b', '127.0.0.1', '-p', $candidate, '-t', '3600', '-B', '8388608') `
                    -RedirectStandardOutput $log -RedirectStandardError "$log.err" -PassThru
                $deadline = [DateTime]::UtcNow.AddSeconds(30)
                while (-not (Test-UdpBound $candidate) -and -not $process.HasExited -and [DateTime]::UtcNow -lt $deadline) {
                    Start-Sleep -Milliseconds 50
                }
                if (Test-UdpBound $candidate) {
                    return [pscustomobject]@{ Process = $process; Port = $candidate; Directory = $dir; Log = $log }
                }
                if (-not $process.HasExited) { $process.Kill() }
                $failures += "try ${try}, port ${candidate}: $(Get-Content -Raw $log) $(Get-Content -Raw "$log.err")"
            }
            throw "nfcapd did not bind its port within 30 s in three tries: $($failures -join '; ')"
        }

        function Stop-Nfcapd($Collector) {
            # SIGTERM makes nfcapd write out the file it holds open; SIGKILL (Process.Kill) would lose it.
            Start-Sleep -Milliseconds 300   # datagrams on loopback are queued at once; give nfcapd a moment to read them
            & kill -TERM $Collector.Process.Id
            if (-not $Collector.Process.WaitForExit(15000)) { $Collector.Process.Kill(); throw 'nfcapd did not stop on SIGTERM' }
        }

        function Read-Nfdump($Collector) {
            <# Every record nfcapd stored: one object per record, ports of ICMP as NFStream has them (0). #>
            $env:TZ = 'UTC'
            $lines = & $script:Nfdump -R $Collector.Directory -q -N -o 'fmt:%sa,%sp,%da,%dp,%pr,%pkt,%byt,%ts,%te'
            if ($LASTEXITCODE -ne 0) { throw "nfdump failed ($LASTEXITCODE)" }
            foreach ($line in $lines) {
                if (-not $line.Trim()) { continue }
                $f = $line.Split(',') | ForEach-Object Trim
                $dp = if ($f[3] -match '^(\d+)\.(\d+)$') { [int]$Matches[1] * 256 + [int]$Matches[2] } else { [int]$f[3] }
                [pscustomobject]@{
                    Key     = "$($f[0])|$($f[1])|$($f[2])|$dp|$($f[4])"
                    Packets = [long]$f[5]
                    Octets  = [long]$f[6]
                    Start   = [DateTime]::ParseExact($f[7], 'yyyy-MM-dd HH:mm:ss.fff', [Globalization.CultureInfo]::InvariantCulture, 'AssumeUniversal,AdjustToUniversal')
                    End     = [DateTime]::ParseExact($f[8], 'yyyy-MM-dd HH:mm:ss.fff', [Globalization.CultureInfo]::InvariantCulture, 'AssumeUniversal,AdjustToUniversal')
                }
            }
        }

        function ConvertTo-ExpectedRecord($Flow) {
            <#
            The records a flow metered with -AccountingMode IP must give: the initiator's direction, then the responder's
            when it sent packets. IPFIX octets are IP header + payload: IPv4's total length, IPv6's payload length + 40.
            #>
            $header = if ($Flow.ip_version -eq 6) { 40 } else { 0 }
            $epoch = [DateTime]::UnixEpoch
            [pscustomobject]@{
                Key = "$($Flow.src_ip)|$($Flow.src_port)|$($Flow.dst_ip)|$($Flow.dst_port)|$($Flow.protocol)"
                Packets = [long]$Flow.src2dst_packets; Octets = [long]$Flow.src2dst_bytes + $header * [long]$Flow.src2dst_packets
                Start = $epoch.AddMilliseconds($Flow.src2dst_first_seen_ms); End = $epoch.AddMilliseconds($Flow.src2dst_last_seen_ms)
            }
            if ($Flow.dst2src_packets -gt 0) {
                [pscustomobject]@{
                    Key = "$($Flow.dst_ip)|$($Flow.dst_port)|$($Flow.src_ip)|$($Flow.src_port)|$($Flow.protocol)"
                    Packets = [long]$Flow.dst2src_packets; Octets = [long]$Flow.dst2src_bytes + $header * [long]$Flow.dst2src_packets
                    Start = $epoch.AddMilliseconds($Flow.dst2src_first_seen_ms); End = $epoch.AddMilliseconds($Flow.dst2src_last_seen_ms)
                }
            }
        }

        function Format-Record($Record) { '{0} {1} pkts {2} octets {3:O}-{4:O}' -f $Record.Key, $Record.Packets, $Record.Octets, $Record.Start, $Record.End }
    }

    Context 'into nfdump''s nfcapd' {
        It 'nfcapd stores exactly the flows and counters Get-NFFlow meters (from a file, -AccountingMode <Mode>)' -TestCases @(
            @{ Mode = 'LinkLayer' }, @{ Mode = 'Payload' }
        ) {
            if (-not $script:Nfcapd -or -not $script:Nfdump) { Set-ItResult -Skipped -Because $script:NoNfdump; return }
            $sample = New-TestSample -Name "many-$Mode.pcap" -Rounds 20   # 165 flows: about a dozen messages
            $collector = Start-Nfcapd
            try {
                $sent = Get-NFFlow $sample -AccountingMode $Mode | Send-NFFlowIpfix -Destination "127.0.0.1:$($collector.Port)" -PassThru
            }
            finally { Stop-Nfcapd $collector }

            $metered = Get-NFFlow $sample -AccountingMode IP
            $sent | Should -HaveCount $metered.Count
            $expected = @($metered | ForEach-Object { ConvertTo-ExpectedRecord $_ } | ForEach-Object { Format-Record $_ } | Sort-Object)
            $stored = @(Read-Nfdump $collector | ForEach-Object { Format-Record $_ } | Sort-Object)
            $expected.Count | Should -Be ($metered.Count + @($metered | Where-Object dst2src_packets -gt 0).Count)
            $stored.Count | Should -Be $expected.Count
            $stored | Should -Be $expected
            # nfcapd's own tally at exit: every record arrived, in sequence (the header's sequence numbers hold).
            "$(Get-Content -Raw $collector.Log)$(Get-Content -Raw "$($collector.Log).err")" |
                Should -Match "Flows: $($expected.Count), .*Sequence Errors: 0, Bad Packets: 0"
        }

        It 'a collector that starts late learns the templates from the periodic refresh (RFC 7011 section 8.4)' {
            if (-not $script:Nfcapd -or -not $script:Nfdump) { Set-ItResult -Skipped -Because $script:NoNfdump; return }
            $sample = New-TestSample -Name late.pcap
            $port = Get-FreeUdpPort
            $flows = @(Get-NFFlow $sample -NDissections 0 -AccountingMode IP)
            $first = $flows[0..15]
            $second = $flows[16..($flows.Count - 1)]
            $script:lateCollector = $null
            try {
                # The first flows (and the templates) leave before the collector runs; the rest after it started,
                # more than -TemplateRefreshInterval later, so their first message carries the templates again.
                & {
                    $first
                    Start-Sleep -Milliseconds 2500   # the partial message leaves within 1.5 s of its first record
                    $script:lateCollector = Start-Nfcapd -Port $port
                    $second
                } | Send-NFFlowIpfix "127.0.0.1:$port" -TemplateRefreshInterval 1 -WarningAction SilentlyContinue
            }
            finally { if ($script:lateCollector) { Stop-Nfcapd $script:lateCollector } }
            $stored = @(Read-Nfdump $script:lateCollector | ForEach-Object { Format-Record $_ } | Sort-Object)
            $expected = @($second | ForEach-Object { ConvertTo-ExpectedRecord $_ } | ForEach-Object { Format-Record $_ } | Sort-Object)
            $expected.Count | Should -BeGreaterThan 20
            $stored | Should -Be $expected
        }
    }

    Context 'when the collector is down' {
        It 'over TCP stops with an error that names the collector' {
            $sample = New-TestSample -Name tcp-down.pcap
            $port = Get-FreeTcpPort
            $passed = [Collections.Generic.List[object]]::new()
            { Get-NFFlow $sample -NDissections 0 | Send-NFFlowIpfix "127.0.0.1:$port" -Transport Tcp -PassThru -ErrorAction Stop | ForEach-Object { $passed.Add($_) } } |
                Should -Throw -ErrorId 'IpfixCollectorUnreachable,NFStream.Commands.SendNFFlowIpfixCommand' -ExpectedMessage "*tcp://127.0.0.1:${port}*refused*"
            $passed | Should -HaveCount 0
        }

        It 'over UDP does not wait: every flow passes on and a warning counts the refused messages' {
            $sample = New-TestSample -Name udp-down.pcap -Rounds 12
            $port = Get-FreeUdpPort
            $flows = Get-NFFlow $sample -NDissections 0 | Send-NFFlowIpfix "127.0.0.1:$port" -PassThru -WarningVariable warnings -WarningAction SilentlyContinue -ErrorVariable errors
            $flows | Should -HaveCount @(Get-NFFlow $sample -NDissections 0).Count
            $errors | Should -HaveCount 0
            ($warnings -join "`n") | Should -Match "udp://127\.0\.0\.1:$port refused \d+ of the IPFIX messages"
        }
    }

    Context 'parameters' {
        It '-WhatIf sends nothing, where the same command without it sends' {
            $sample = New-TestSample -Name whatif.pcap
            $listener = [Net.Sockets.UdpClient]::new([Net.IPEndPoint]::new([Net.IPAddress]::Loopback, 0))
            try {
                $port = $listener.Client.LocalEndPoint.Port
                $passed = Get-NFFlow $sample -NDissections 0 | Send-NFFlowIpfix "127.0.0.1:$port" -WhatIf -PassThru
                $passed | Should -HaveCount (Get-SampleFlowCount)
                Start-Sleep -Milliseconds 200
                $listener.Available | Should -Be 0
                Get-NFFlow $sample -NDissections 0 | Send-NFFlowIpfix "127.0.0.1:$port"
                Start-Sleep -Milliseconds 200
                $listener.Available | Should -BeGreaterThan 0
            }
            finally { $listener.Dispose() }
        }

        It 'a malformed destination is a clear error: <Destination>' -TestCases @(
            @{ Destination = '127.0.0.1:99999'; Message = '*port must be a number from 1 to 65535*' }
            @{ Destination = 'no-such-host.invalid:4739'; Message = "*cannot resolve host 'no-such-host.invalid'*" }
        ) {
            $sample = New-TestSample -Name bad.pcap
            { Get-NFFlow $sample -NDissections 0 | Send-NFFlowIpfix $Destination -ErrorAction Stop } |
                Should -Throw -ErrorId 'IpfixDestinationInvalid,NFStream.Commands.SendNFFlowIpfixCommand' -ExpectedMessage $Message
        }

        It 'is exported with [OutputType] NFlow and -WhatIf/-Confirm' {
            $command = Get-Command Send-NFFlowIpfix
            $command.OutputType.Type | Should -Contain ([NFStream.Engine.NFlow])
            $command.Parameters.Keys | Should -Contain 'WhatIf'
            $command.Parameters.Keys | Should -Contain 'Confirm'
            $command.Parameters['Transport'].ParameterType | Should -Be ([NFStream.Engine.Export.Ipfix.IpfixTransportKind])
        }
    }
}
