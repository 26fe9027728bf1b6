BeforeAll { Import-Module "$PSScriptRoot/TestHelpers.psm1" -Force }

# What issue 15 changed in how a run uses the machine: the output must be exactly that of a serial, one-meter run.
Describe 'Get-NFFlow on several cores' {
    BeforeAll {
        # The verbose messages of a run in a child process that sees -Cores cores (DOTNET_PROCESSOR_COUNT).
        function Get-ChildVerbose([int] $Cores, [string] $Command) {
            $result = Invoke-PwshProcess -Environment @{ DOTNET_PROCESSOR_COUNT = $Cores } -Command (
                "$Command -Verbose 4>&1 | Where-Object { `$_ -is [System.Management.Automation.VerboseRecord] } | ForEach-Object Message")
            $result.ExitCode | Should -Be 0
            $result.Output
        }

        function Get-FlowLine($flow) {
            '{0},{1},{2},{3},{4},{5},{6},{7},{8}' -f $flow.id, $flow.expiration_id, $flow.src_ip, $flow.src_port,
                $flow.dst_ip, $flow.dst_port, $flow.bidirectional_packets, $flow.bidirectional_bytes, $flow.application_name
        }
    }

    Context '-ThrottleLimit' {
        It 'meters several files in parallel with the output, ids and errors of a serial run' {
            $dir = Join-Path $TestDrive 'throttle'
            $files = @(
                New-TestSample -Directory $dir -Name a.pcap -Rounds 6
                New-TestSample -Directory $dir -Name b.pcapng -Seed 2 -Rounds 2
                (Join-Path $dir 'broken.pcap')
                New-TestSample -Directory $dir -Name c.pcap -Seed 3 -Rounds 9
                New-TestSample -Directory $dir -Name d.pcap -Seed 4 -Rounds 1
            )
            Set-Content -Path $files[2] -Value 'not a capture'

            $serial = Get-NFFlow -Path $files -ThrottleLimit 1 -ErrorVariable serialErrors -ErrorAction SilentlyContinue |
                ForEach-Object { Get-FlowLine $_ }
            $parallel = Get-NFFlow -Path $files -ThrottleLimit 4 -ErrorVariable parallelErrors -ErrorAction SilentlyContinue |
                ForEach-Object { Get-FlowLine $_ }

            $serial.Count | Should -BeGreaterThan 100
            $parallel | Should -Be $serial
            @($parallelErrors).Count | Should -Be 1
            "$($parallelErrors[0])" | Should -Be "$($serialErrors[0])"
            "$($parallelErrors[0])" | Should -BeLike '*broken.pcap*'
        }

        It 'really reads the files at the same time: two FIFOs that can only be read together' -Skip:(-not $IsLinux) {
            # A writer feeds half of a.pcap, then all of b.pcap, then the rest of a.pcap. b is several times the
            # size of a pipe's buffer, so a call that reads b only after a is done waits for the rest of a while
            # the writer waits for b to be read: only a call that meters both at once gets every flow. The same
            # call with -ThrottleLimit 1 is the control: it opens b ahead, but meters it after a, so it must stall.
            $dir = Join-Path $TestDrive 'fifo'
            $a = New-TestSample -Directory $dir -Name src-a.pcap -Rounds 6
            $b = New-TestSample -Directory $dir -Name src-b.pcap -Seed 2 -Rounds 40
            $expected = Get-NFFlow -LiteralPath $a, $b -NDissections 0 | ForEach-Object { Get-FlowLine $_ }
            $half = [int]((Get-Item -LiteralPath $a).Length / 2)

            function Read-Fifos([int] $ThrottleLimit, [int] $TimeoutMs) {
                $fifoA = Join-Path $dir "a$ThrottleLimit.pcap"
                $fifoB = Join-Path $dir "b$ThrottleLimit.pcap"
                & mkfifo $fifoA $fifoB
                $feed = [Diagnostics.ProcessStartInfo]::new('bash')
                $feed.ArgumentList.Add('-c')
                $feed.ArgumentList.Add("exec 3>'$fifoA'; head -c $half '$a' >&3; cat '$b' > '$fifoB'; tail -c +$($half + 1) '$a' >&3; exec 3>&-")
                $writer = [Diagnostics.Process]::Start($feed)
                $child = Start-ChildPwsh -Command ("Get-NFFlow -LiteralPath '$fifoA', '$fifoB' -NDissections 0 " +
                    "-ThrottleLimit $ThrottleLimit | ForEach-Object { '{0},{1},{2},{3},{4},{5},{6},{7},{8}' -f `$_.id, `$_.expiration_id, " +
                    "`$_.src_ip, `$_.src_port, `$_.dst_ip, `$_.dst_port, `$_.bidirectional_packets, `$_.bidirectional_bytes, `$_.application_name }")
                $reader = $child.Process
                try {
                    if (-not $reader.WaitForExit($TimeoutMs)) { return $null }   # stalled
                    $child.Output.Result -split "`n" | Where-Object { $_ }
                }
                finally {
                    foreach ($p in $reader, $writer) { if (-not $p.HasExited) { $p.Kill($true) } }
                }
            }

            $parallel = Read-Fifos -ThrottleLimit 2 -TimeoutMs 60000
            $parallel | Should -Not -BeNullOrEmpty -Because 'both FIFOs are read at once'
            $parallel | Should -Be $expected
            Read-Fifos -ThrottleLimit 1 -TimeoutMs 5000 | Should -BeNullOrEmpty -Because 'a serial read waits for the rest of a.pcap forever'
        }

        It 'meters far ahead of a long first file, with the output of a serial run, nDPI labels included' {
            # More files than the metering threads look ahead (16 per thread): the threads go on past the long
            # first file, and every file still gets a fresh nDPI module's labels and its place in the output.
            $dir = Join-Path $TestDrive 'ahead'
            $files = @(New-TestSample -Directory $dir -Name 'long.pcap' -Rounds 60) +
                @(1..40 | ForEach-Object { New-TestSample -Directory $dir -Name ('f{0:d2}.pcap' -f $_) -Seed $_ -Rounds (1 + $_ % 3) })
            $serial = Get-NFFlow -Path $files -ThrottleLimit 1 | ForEach-Object { Get-FlowLine $_ }
            $parallel = Get-NFFlow -Path $files -ThrottleLimit 2 | ForEach-Object { Get-FlowLine $_ }
            $serial.Count | Should -BeGreaterThan 500
            @($serial | Where-Object { $_ -match ',TLS' }).Count | Should -BeGreaterThan 40
            $parallel | Should -Be $serial
        }

        It 'keeps the statistics of each file in input order' {
            $dir = Join-Path $TestDrive 'stats'
            $files = 1..3 | ForEach-Object { New-TestSample -Directory $dir -Name "s$_.pcap" -Seed $_ -Rounds (4 - $_) }
            Get-NFFlow -Path $files -ThrottleLimit 3 -NDissections 0 -StatisticsVariable st | Out-Null
            $st.Source | Should -Be $files
        }
    }

    Context '-Meters' {
        It 'uses one meter on a 2-core machine even when more are asked for, and says why' {
            $sample = New-TestSample -Rounds 3
            Get-ChildVerbose 2 "Get-NFFlow '$sample' -NDissections 0 -Meters 4" | Should -Match 'with 1 meter instead of 4: 2 cores'
        }

        It 'honours -Meters on 4 cores, and by default keeps one meter for a short input' {
            $sample = New-TestSample -Rounds 3
            $explicit = Get-ChildVerbose 4 "Get-NFFlow '$sample' -NDissections 0 -Meters 3"
            $explicit | Should -Not -Match 'instead of'
            $explicit | Should -Match 'Metering with 3 meters'
            Get-ChildVerbose 4 "Get-NFFlow '$sample' -NDissections 0" | Should -Match 'one meter: the input \(0 MiB\) is too short'
        }
    }

    Context 'nDPI on a thread of its own' {
        # A sample of at least MeterPlan.MinOwnClassifierThreadInputBytes (4 MiB): about 15 KB a round.
        BeforeAll { $script:large = New-TestSample -Name large.pcap -Rounds 300 }

        It 'classifies a file of 4 MiB or more on its own thread when a core is free for it, and not on one core' {
            (Get-Item -LiteralPath $large).Length | Should -BeGreaterOrEqual 4MB
            Get-ChildVerbose 2 "Get-NFFlow '$large'" | Should -Match 'nDPI on a thread of its own'
            Get-ChildVerbose 1 "Get-NFFlow '$large'" | Should -Not -Match 'nDPI on a thread of its own'
            Get-ChildVerbose 2 "Get-NFFlow '$large' -NDissections 0" | Should -Not -Match 'nDPI on a thread of its own'
        }

        It 'classifies a short file inline: the thread would cost more than it wins back' {
            $sample = New-TestSample -Rounds 3
            Get-ChildVerbose 2 "Get-NFFlow '$sample'" | Should -Not -Match 'nDPI on a thread of its own'
        }

        It 'gives the labels of an inline run (a run with a plugin classifies inline)' {
            $sample = $large
            $columns = 'id', 'src_ip', 'src_port', 'dst_ip', 'dst_port', 'application_name', 'application_category_name',
                'application_is_guessed', 'application_confidence', 'requested_server_name', 'client_fingerprint',
                'server_fingerprint', 'user_agent', 'content_type'
            $threaded = Get-NFFlow $sample | Select-Object $columns | ConvertTo-Csv
            $inline = Get-NFFlow $sample -Plugin @{ Name = 'Nothing'; OnExpire = { } } | Select-Object $columns | ConvertTo-Csv
            $threaded.Count | Should -BeGreaterThan 2000
            ($threaded | Where-Object { $_ -match '"TLS' }).Count | Should -BeGreaterThan 10
            $threaded | Should -Be $inline
        }

        It 'gives each file of a folder the labels of a run of that file alone (nDPI modules reset between files)' {
            $dir = Join-Path $TestDrive ahead
            $files = 1..3 | ForEach-Object { New-TestSample -Directory $dir -Name "a$_.pcap" -Seed $_ -Rounds 10 }
            $columns = 'id', 'src_ip', 'dst_ip', 'application_name', 'requested_server_name', 'client_fingerprint'
            $alone = foreach ($file in $files) { Get-NFFlow $file | Select-Object $columns | ConvertTo-Csv }
            foreach ($limit in 1, 2) {
                $together = Get-NFFlow $files -ThrottleLimit $limit | Select-Object $columns | ConvertTo-Csv
                $together | Where-Object { $_ -notlike '"id"*' } | Should -Be ($alone | Where-Object { $_ -notlike '"id"*' })
            }
        }

        It 'gives real captures whose labels depend on nDPI''s caches the labels of runs alone, each file after itself too' {
            $corpus = Get-SharedCorpus
            if (-not $corpus) { Set-ItResult -Skipped -Because 'the shared corpus is not beside the repository'; return }
            # nDPI's caches (STUN, Skype, TLS certificates) carry labels from one run to the next on these files
            # when a module is reused without its reset (xunit: NdpiModulePoolTests).
            $names = 'skype.pcap', 'stun_facebook.pcapng', 'selfsigned.pcap', 'KakaoTalk_talk.pcap'
            $files = foreach ($name in $names) { $f = Join-Path $corpus "pcaps/$name"; $f; $f }
            $columns = 'src_ip', 'src_port', 'dst_ip', 'dst_port', 'application_name', 'application_category_name',
                'requested_server_name', 'client_fingerprint', 'server_fingerprint', 'application_is_guessed'
            $alone = foreach ($file in $files) { Get-NFFlow -LiteralPath $file | Select-Object $columns | ConvertTo-Csv }
            ($alone | Where-Object { $_ -match '"Skype|"STUN' }).Count | Should -BeGreaterThan 0
            foreach ($limit in 1, 2) {
                $together = Get-NFFlow -LiteralPath $files -ThrottleLimit $limit | Select-Object $columns | ConvertTo-Csv
                $together | Where-Object { $_ -notlike '"src_ip"*' } | Should -Be ($alone | Where-Object { $_ -notlike '"src_ip"*' })
            }
        }
    }
}

Describe 'Start-NFCapture threads' {
    It 'meters a live capture on one thread of its own: no thread churn while packets come and go' {
        if (-not (Test-Root)) { Set-ItResult -Skipped -Because 'live capture needs root (CAP_NET_RAW); CI runs as root'; return }
        $port = Get-Random -Minimum 40000 -Maximum 50000
        $child = Start-ChildPwsh -Command "Start-NFCapture -Interface lo -BpfFilter 'udp and port $port' -Duration 8 -NDissections 0 -IdleTimeout 1 | Measure-Object | ForEach-Object Count"
        try {
            Wait-CaptureOpen $child.Process
            # Bursts and quiet spells (idle flows expire on the clock): the OS threads of the process, sampled
            # while it runs. A loop that started a thread per read or tick would show new ones every sample.
            $target = [Net.IPEndPoint]::new([Net.IPAddress]::Loopback, $port)
            $client = [Net.Sockets.UdpClient]::new()
            $seen = @{}
            $first = $null
            foreach ($round in 1..150) {
                if ($round % 25 -lt 5) { 1..10 | ForEach-Object { $client.Send([byte[]](1..64), 64, $target) | Out-Null } }
                Start-Sleep -Milliseconds 20   # sampled often enough to see even a short-lived thread
                $threads = [IO.Directory]::GetFileSystemEntries("/proc/$($child.Process.Id)/task") | Split-Path -Leaf
                if ($round -eq 10) { $first = $threads.Count; $threads | ForEach-Object { $seen[$_] = $true } }
                elseif ($round -gt 10) { $threads | ForEach-Object { if (-not $seen.ContainsKey($_)) { $seen[$_] = $false } } }
            }
            $client.Dispose()
            $child.Process.WaitForExit(60000) | Should -BeTrue
        }
        finally {
            if (-not $child.Process.HasExited) { $child.Process.Kill($true) }
        }
        [int]$child.Output.Result.Trim() | Should -BeGreaterThan 0 -Because 'the capture metered the bursts'
        $first | Should -BeGreaterThan 0
        $new = @($seen.Keys | Where-Object { -not $seen[$_] })
        $new.Count | Should -BeLessOrEqual 2 -Because "about 3 s of bursts must not start threads (the runtime may start one or two of its own); new: $($new -join ', ')"
    }
}

Describe 'The module as built' {
    It 'ships ReadyToRun (precompiled) images of its assemblies' {
        $folder = Split-Path (Get-ModuleManifestPath)
        foreach ($name in 'NFStream.dll', 'NFStream.Engine.dll') {
            $stream = [IO.File]::OpenRead((Join-Path $folder $name))
            try {
                $pe = [Reflection.PortableExecutable.PEReader]::new($stream)
                # crossgen2 adds the ReadyToRun header (the CLI header's managed native header directory).
                $pe.PEHeaders.CorHeader.ManagedNativeHeaderDirectory.Size | Should -BeGreaterThan 0 -Because "$name is precompiled"
                $pe.PEHeaders.PEHeader.Magic | Should -Be 'PE32Plus' -Because "$name is a 64-bit ReadyToRun image"
            }
            finally { $stream.Dispose() }
        }
    }

    It 'runs their precompiled code in this PowerShell: a cold Get-NFFlow compiles none of their methods at tier 0' -Skip:(
        [Environment]::Version.Major -ne 10 -or -not $IsLinux) {
        # The runtime ignores an image compiled against another major version of .NET (or another PowerShell's
        # base classes) and compiles its methods at tier 0 as if it had none: the JIT's own log shows which.
        # Only the hot loops marked AggressiveOptimization are compiled (fully optimized, never at tier 0).
        # The summary goes to the child's standard output, not to DOTNET_JitStdOutFile: the runtime closes that
        # file at exit while other threads (PowerShell's telemetry) may still be compiling and writing to it,
        # which crashes the process (SIGSEGV) now and then. Standard output is never closed under them.
        $sample = New-TestSample -Rounds 2
        $result = Invoke-PwshProcess -Command "Get-NFFlow '$sample' | Out-Null" -Environment @{ DOTNET_JitDisasmSummary = '1' }
        $result.ExitCode | Should -Be 0 -Because $result.Error
        $compiled = $result.Output -split '\r?\n' | Where-Object { $_ -match 'JIT compiled NFStream\.' }
        $compiled | Where-Object { $_ -match 'FullOpts' } | Should -Not -BeNullOrEmpty -Because 'the log lists what the JIT compiled (the hot loops)'
        $compiled | Where-Object { $_ -match 'Tier0' } | Should -BeNullOrEmpty
    }
}
