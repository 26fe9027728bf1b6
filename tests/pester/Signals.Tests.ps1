BeforeAll { Import-Module "$PSScriptRoot/TestHelpers.psm1" -Force }

# Issue 13: SIGTERM and SIGHUP (systemd, timeout, docker stop) end a run like Ctrl+C. Every flow that was emitted
# reaches the file as whole rows, a live capture flushes its open flows, and the process exits promptly.
Describe 'Termination signals' {
    BeforeAll {
        function Send-Signal([Diagnostics.Process] $Process, [string] $Signal) {
            & sh -c "kill -$Signal $($Process.Id)"   # the shell's own kill: no procps needed
            $LASTEXITCODE | Should -Be 0
        }

        # Rows of a CSV file (header excluded); each must have the header's field count and the file must end whole.
        function Get-WholeRows([string] $Path) {
            $text = [IO.File]::ReadAllText($Path)
            $text.EndsWith("`n") | Should -BeTrue -Because 'the last row is whole'
            $parser = [Microsoft.VisualBasic.FileIO.TextFieldParser]::new($Path)
            $parser.SetDelimiters(','); $parser.HasFieldsEnclosedInQuotes = $true
            $header = $parser.ReadFields()
            $rows = [Collections.Generic.List[string[]]]::new()
            while (-not $parser.EndOfData) {
                $fields = $parser.ReadFields()
                $fields.Count | Should -Be $header.Count
                $rows.Add($fields)
            }
            $parser.Close()
            , $rows
        }

    }

    Context 'Get-NFFlow | Export-NFFlowCsv reading a pipe that stalls' {
        It '<Signal> leaves every emitted flow in the file as whole rows and exits promptly' -TestCases @(
            @{ Signal = 'TERM'; ExitCode = 143 }, @{ Signal = 'HUP'; ExitCode = 129 }
        ) {
            # Under nohup SIGHUP is ignored, and the child inherits that: it then rightly goes on after a HUP.
            $ignored = [Convert]::ToUInt64(((Get-Content /proc/self/status) -match '^SigIgn:' -split '\s+')[1], 16)
            if ($Signal -eq 'HUP' -and ($ignored -band 1)) {
                Set-ItResult -Skipped -Because 'SIGHUP is ignored in this session (nohup), and so in the child'; return
            }
            $dir = Join-Path $TestDrive "fifo-$Signal"
            New-Item -ItemType Directory $dir | Out-Null
            $capture = Join-Path $dir big.pcap
            # 200 rounds 15 s apart: with -IdleTimeout 1 each round's flows expire when the next round starts.
            [NFStream.Engine.Samples.SampleCapture]::Write($capture, 'Pcap', 1, 200) | Out-Null
            $fifo = Join-Path $dir capture.fifo
            & mkfifo $fifo
            $csv = Join-Path $dir flows.csv
            # Opened for read and write, the FIFO does not wait for the child; it stays open, so the child's read stalls.
            $writer = [IO.FileStream]::new($fifo, 'Open', 'ReadWrite', 'ReadWrite')
            try {
                $child = Start-ChildPwsh -Directory $dir -Command ("Get-NFFlow -LiteralPath '$fifo' -NDissections 0 -IdleTimeout 1 | " +
                    "Export-NFFlowCsv -LiteralPath '$csv' -PassThru | ForEach-Object { [Console]::Out.WriteLine(`$_.id) }; 'not reached'")
                $bytes = [IO.File]::ReadAllBytes($capture)
                $writer.Write($bytes, 0, $bytes.Length / 2)
                $writer.Flush()

                # Flows come out while the read stalls, and reach the disk within about a second (the writer's flush timer).
                Wait-Until { (Test-Path $csv) -and @(Get-Content $csv).Count -gt 1 } -Seconds 60 -What 'rows on disk while the read stalls'
                Send-Signal $child.Process $Signal
                $child.Process.WaitForExit(15000) | Should -BeTrue -Because 'the process exits promptly after the signal'
            }
            finally {
                $writer.Dispose()
                if (-not $child.Process.HasExited) { $child.Process.Kill($true) }
            }

            $emitted = @($child.Output.Result -split "`n" | Where-Object { $_.Trim() -match '^\d+$' })
            $child.Output.Result | Should -Not -Match 'not reached'
            $child.Process.ExitCode | Should -Be $ExitCode -Because 'the process ends as the signal would have ended it'
            $rows = Get-WholeRows $csv
            $emitted.Count | Should -BeGreaterThan 0
            $rows.Count | Should -Be $emitted.Count -Because 'every flow that passed through Export-NFFlowCsv is in the file'
            $rows | ForEach-Object { $_[0] } | Should -Be ($emitted | ForEach-Object Trim)
        }
    }

    Context 'Start-NFCapture | Export-NFFlowCsv on a live interface' {
        It 'SIGTERM stops the capture like Ctrl+C: its open flows are flushed into the file' {
            if (-not (Test-Root)) { Set-ItResult -Skipped -Because 'live capture needs root (CAP_NET_RAW); CI runs as root'; return }
            $dir = Join-Path $TestDrive live
            New-Item -ItemType Directory $dir | Out-Null
            $csv = Join-Path $dir live.csv
            $port = Get-Random -Minimum 40000 -Maximum 50000
            $child = Start-ChildPwsh -Directory $dir -Command ("`$VerbosePreference = 'Continue'; Start-NFCapture -Interface lo -BpfFilter 'udp and port $port' -NDissections 0 | " +
                "Export-NFFlowCsv -LiteralPath '$csv' -PassThru | ForEach-Object { [Console]::Out.WriteLine(`"flow `$(`$_.src_port)`") }")
            $flows = 12
            try {
                Wait-CaptureOpen $child.Process
                $target = [Net.IPEndPoint]::new([Net.IPAddress]::Loopback, $port)
                for ($i = 0; $i -lt $flows; $i++) {
                    $client = [Net.Sockets.UdpClient]::new([Net.IPEndPoint]::new([Net.IPAddress]::Loopback, 0))
                    1..3 | ForEach-Object { $client.Send([byte[]](1..32), 32, $target) | Out-Null }
                    $client.Dispose()
                }
                Start-Sleep -Seconds 1
                # No flow has expired yet (idle timeout 120 s): everything the file will hold is flushed by the signal.
                Send-Signal $child.Process 'TERM'
                $child.Process.WaitForExit(20000) | Should -BeTrue -Because 'the process exits promptly after the signal'
            }
            finally {
                if (-not $child.Process.HasExited) { $child.Process.Kill($true) }
            }

            $emitted = @($child.Output.Result -split "`n" | Where-Object { $_ -match '^flow \d+' })
            $emitted.Count | Should -Be $flows -Because "the capture saw $flows flows and flushed them (stderr: $($child.Error.Result))"
            $rows = Get-WholeRows $csv
            $rows.Count | Should -Be $flows
        }

        It 'warns when -SnapshotLength cuts every packet below its headers' {
            if (-not (Test-Root)) { Set-ItResult -Skipped -Because 'live capture needs root (CAP_NET_RAW); CI runs as root'; return }
            $port = Get-Random -Minimum 40000 -Maximum 50000
            $child = Start-ChildPwsh -Command ("Start-NFCapture -Interface lo -BpfFilter 'udp and port $port' -SnapshotLength 20 -Duration 4 -NDissections 0 " +
                "-WarningVariable w -WarningAction SilentlyContinue | Out-Null; `$w | ForEach-Object { [Console]::Out.WriteLine(`"WARN `$_`") }")
            try {
                Wait-CaptureOpen $child.Process
                $target = [Net.IPEndPoint]::new([Net.IPAddress]::Loopback, $port)
                $client = [Net.Sockets.UdpClient]::new()
                1..30 | ForEach-Object { $client.Send([byte[]](1..64), 64, $target) | Out-Null; Start-Sleep -Milliseconds 20 }
                $client.Dispose()
                $child.Process.WaitForExit(30000) | Should -BeTrue
            }
            finally {
                if (-not $child.Process.HasExited) { $child.Process.Kill($true) }
            }
            $warnings = @($child.Output.Result -split "`n" | Where-Object { $_ -like 'WARN *' })
            ($warnings -match 'SnapshotLength 20 cuts every packet') | Should -HaveCount 1 -Because 'the warning comes once per run'
            ($warnings -match 'too short to meter') | Should -HaveCount 1 -Because 'the totals come at the end'
        }

        It 'warns when the queue drops packets behind a slow plugin, once and with the totals at the end' {
            if (-not (Test-Root)) { Set-ItResult -Skipped -Because 'live capture needs root (CAP_NET_RAW); CI runs as root'; return }
            $port = Get-Random -Minimum 40000 -Maximum 50000
            # The largest snapshot length gives the smallest queue; a plugin that sleeps on every packet falls behind.
            $child = Start-ChildPwsh -Command ("Start-NFCapture -Interface lo -BpfFilter 'udp and port $port' -SnapshotLength 262144 -Duration 6 -NDissections 0 " +
                "-Plugin @{ Name = 'Slow'; OnUpdate = { Start-Sleep -Milliseconds 5 } } -WarningVariable w -WarningAction SilentlyContinue | Out-Null; " +
                "`$w | ForEach-Object { [Console]::Out.WriteLine(`"WARN `$_`") }")
            try {
                Wait-CaptureOpen $child.Process
                $target = [Net.IPEndPoint]::new([Net.IPAddress]::Loopback, $port)
                $client = [Net.Sockets.UdpClient]::new()
                1..4000 | ForEach-Object { $client.Send([byte[]](1..64), 64, $target) | Out-Null }
                $client.Dispose()
                $child.Process.WaitForExit(60000) | Should -BeTrue
            }
            finally {
                if (-not $child.Process.HasExited) { $child.Process.Kill($true) }
            }
            $warnings = @($child.Output.Result -split "`n" | Where-Object { $_ -like 'WARN *' })
            ($warnings -match 'is dropping packets') | Should -HaveCount 1 -Because "the warning comes once per run (stderr: $($child.Error.Result))"
            ($warnings -match 'ended having lost \d+ of \d+ packets') | Should -HaveCount 1
        }
    }
}
