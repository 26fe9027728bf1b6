# Get-NFFlow as a PowerShell user meets it: paths and parameter sets, pipeline binding, bad input, options,
# progress and stopping.
BeforeAll { Import-Module "$PSScriptRoot/TestHelpers.psm1" -Force }

Describe 'Get-NFFlow' {
    BeforeAll {
        $sampleFlows = Get-SampleFlowCount
        $sample = New-TestSample -Name 'sample.pcap'
    }

    Context 'command metadata' {
        It 'has the Path and LiteralPath parameter sets, Path the default' {
            $command = Get-Command Get-NFFlow
            $command.ParameterSets.Name | Should -Be @('Path', 'LiteralPath')
            $command.DefaultParameterSet | Should -Be 'Path'
            $command.OutputType.Type | Should -Be ([NFStream.Engine.NFlow])
        }

        It 'takes -Path by position and from the pipeline, and -LiteralPath by the PSPath property name' {
            $parameters = (Get-Command Get-NFFlow).Parameters
            $path = $parameters['Path'].ParameterSets['Path']
            $path.Position | Should -Be 0
            $path.ValueFromPipeline | Should -BeTrue
            $parameters['Path'].Attributes.Where({ $_ -is [Management.Automation.SupportsWildcardsAttribute] }) | Should -Not -BeNullOrEmpty
            $parameters['LiteralPath'].Aliases | Should -Contain 'PSPath'
            $parameters['LiteralPath'].ParameterSets['LiteralPath'].ValueFromPipelineByPropertyName | Should -BeTrue
        }

        It 'rejects out-of-range options before reading anything' {
            { Get-NFFlow $sample -SpltAnalysis -1 } | Should -Throw -ErrorId 'ParameterArgumentValidationError,NFStream.Commands.GetNFFlowCommand'
            { Get-NFFlow $sample -NDissections 256 } | Should -Throw -ErrorId 'ParameterArgumentValidationError,NFStream.Commands.GetNFFlowCommand'
            { Get-NFFlow $sample -AccountingMode Bogus } | Should -Throw -ExceptionType ([Management.Automation.ParameterBindingException])
        }
    }

    Context 'paths and the pipeline' {
        It 'reads every file that a wildcard -Path matches, each as its own capture' {
            $dir = Join-Path $TestDrive 'wild'
            New-TestSample -Directory $dir -Name a.pcap | Out-Null
            New-TestSample -Directory $dir -Name b.pcap -Seed 2 | Out-Null
            New-TestSample -Directory $dir -Name c.pcapng -Seed 3 | Out-Null
            Set-Content -Path (Join-Path $dir notes.txt) -Value 'not matched'

            $flows = Get-NFFlow -Path (Join-Path $dir '*.pcap*') -NDissections 0

            $flows | Should -HaveCount (3 * $sampleFlows)
            @($flows | Where-Object id -EQ 0) | Should -HaveCount 3   # ids restart per file
        }

        It 'resolves relative paths against the current location, also on a PSDrive' {
            Push-Location $TestDrive
            try {
                New-TestSample -Directory (Join-Path $TestDrive 'rel') -Name r.pcap | Out-Null
                Get-NFFlow -Path ./rel/r.pcap -NDissections 0 | Should -HaveCount $sampleFlows
                Get-NFFlow -Path 'TestDrive:/rel/r.pcap' -NDissections 0 | Should -HaveCount $sampleFlows
            }
            finally { Pop-Location }
        }

        It 'takes brackets literally with -LiteralPath and as wildcards with -Path' {
            $path = New-TestSample -Directory (Join-Path $TestDrive 'brackets') -Name 'capture[1].pcap'

            Get-NFFlow -LiteralPath $path -NDissections 0 | Should -HaveCount $sampleFlows

            $flows = Get-NFFlow -Path $path -NDissections 0 -ErrorVariable errors -ErrorAction SilentlyContinue
            $flows | Should -BeNullOrEmpty
            $errors | Should -HaveCount 1
            $errors[0].FullyQualifiedErrorId | Should -BeLike 'PathNotFound,*'
        }

        It 'binds FileInfo objects from Get-ChildItem' {
            $dir = Join-Path $TestDrive 'gci'
            New-TestSample -Directory $dir -Name one.pcap | Out-Null
            New-TestSample -Directory $dir -Name 'two[x].pcap' -Seed 5 | Out-Null

            Get-ChildItem -LiteralPath $dir -Filter *.pcap | Get-NFFlow -NDissections 0 | Should -HaveCount (2 * $sampleFlows)
        }

        It 'binds any object with a PSPath property, and path strings' {
            $dir = Join-Path $TestDrive 'pspath'
            $one = New-TestSample -Directory $dir -Name one.pcap
            $two = New-TestSample -Directory $dir -Name two.pcap -Seed 5

            [pscustomobject]@{ PSPath = "Microsoft.PowerShell.Core\FileSystem::$one" } | Get-NFFlow -NDissections 0 | Should -HaveCount $sampleFlows
            $one, $two | Get-NFFlow -NDissections 0 | Should -HaveCount (2 * $sampleFlows)

            # A file-system PSPath is taken as it is (without the provider's drive lookup): a missing file and a
            # folder still get their errors.
            $missing = Join-Path $dir 'missing.pcap'
            [pscustomobject]@{ PSPath = "Microsoft.PowerShell.Core\FileSystem::$missing" }, [pscustomobject]@{ PSPath = "Microsoft.PowerShell.Core\FileSystem::$dir" } |
                Get-NFFlow -ErrorVariable errors -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
            $errors | Should -HaveCount 2
            $errors[0].FullyQualifiedErrorId | Should -BeLike 'PathNotFound,*'
            $errors[0].TargetObject | Should -Be "Microsoft.PowerShell.Core\FileSystem::$missing"
            $errors[1].Exception.Message | Should -BeLike '*director*'
        }
    }

    Context 'bad input' {
        It 'writes ObjectNotFound for a missing file and still reads the others' {
            $flows = Get-NFFlow -Path (Join-Path $TestDrive 'missing.pcap'), $sample -NDissections 0 -ErrorVariable errors -ErrorAction SilentlyContinue

            $flows | Should -HaveCount $sampleFlows
            $errors | Should -HaveCount 1
            $errors[0].CategoryInfo.Category | Should -Be 'ObjectNotFound'
            $errors[0].TargetObject | Should -BeLike '*missing.pcap'
        }

        It 'names a directory as such' {
            Get-NFFlow -LiteralPath $TestDrive -ErrorVariable errors -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
            $errors[0].FullyQualifiedErrorId | Should -BeLike 'PathIsDirectory,*'
        }

        It 'reports a corrupt record with file and offset, keeps the flows before it and goes on to the next file' {
            $dir = Join-Path $TestDrive 'corrupt'
            $bad = New-TestSample -Directory $dir -Name bad.pcap
            $good = New-TestSample -Directory $dir -Name good.pcap -Seed 9
            $bytes = [IO.File]::ReadAllBytes($bad)
            # A record header claiming 3 GB in the middle of the file: everything before it is good.
            $offset = Get-PcapRecordOffset -Bytes $bytes -From ($bytes.Length / 2)
            [BitConverter]::GetBytes([uint32]3221225472).CopyTo($bytes, $offset + 8)
            [IO.File]::WriteAllBytes($bad, $bytes)

            $flows = Get-NFFlow -LiteralPath $bad, $good -NDissections 0 -ErrorVariable errors -ErrorAction SilentlyContinue

            $errors | Should -HaveCount 1
            $errors[0].TargetObject | Should -Be $bad
            $errors[0].CategoryInfo.Category | Should -Be 'ReadError'
            $errors[0].FullyQualifiedErrorId | Should -BeLike 'CaptureCorrupt,*'
            $errors[0].Exception.Message | Should -BeLike "*offset $offset*"
            $flows.Count - $sampleFlows | Should -BeGreaterThan 0   # flows before the fault were emitted
        }

        It 'says that a file is not a capture at all' {
            $notCapture = Join-Path $TestDrive 'notes.pcap'
            Set-Content -LiteralPath $notCapture -Value 'hello'
            Get-NFFlow -LiteralPath $notCapture -ErrorVariable errors -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
            $errors[0].FullyQualifiedErrorId | Should -BeLike 'CaptureFormatInvalid,*'
            $errors[0].CategoryInfo.Category | Should -Be 'InvalidData'
        }

        It 'gives a clear error for an unsupported link type' {
            $path = Join-Path $TestDrive 'usb.pcap'
            $writer = [NFStream.Engine.Samples.PcapWriter]::Create($path, 220, $false, $false)
            try { $writer.WritePacket(0, [byte[]]::new(64)) } finally { $writer.Dispose() }

            Get-NFFlow -LiteralPath $path -ErrorVariable errors -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
            $errors[0].FullyQualifiedErrorId | Should -BeLike 'UnsupportedLinkType,*'
            $errors[0].Exception.Message | Should -BeLike '*220*'
        }

        It 'stops at the first error under -ErrorAction Stop, as a terminating error' {
            { Get-NFFlow -Path (Join-Path $TestDrive 'missing.pcap'), $sample -ErrorAction Stop } | Should -Throw -ErrorId 'PathNotFound,NFStream.Commands.GetNFFlowCommand'
        }
    }

    Context 'options' {
        It '-MaxFlows stops after that many flows' {
            Get-NFFlow $sample -MaxFlows 5 -NDissections 0 | Should -HaveCount 5
        }

        It '-BpfFilter keeps only matching packets, and a bad filter is a terminating error' {
            $flows = Get-NFFlow $sample -BpfFilter 'udp port 53' -NDissections 0
            $flows | Should -HaveCount 8   # four DNS lookups over IPv4 and four over IPv6
            $flows.dst_port | Sort-Object -Unique | Should -Be 53

            { Get-NFFlow $sample -BpfFilter 'this is not bpf' -ErrorAction Stop } | Should -Throw -ErrorId 'BpfFilterInvalid*'
        }

        It '-Continuous treats several files as one capture' {
            # The sample cut in two at a record boundary, as tcpdump -C rotates files: separately, the flows that
            # span the cut are two flows each; with -Continuous, exactly the flows of the whole capture.
            $dir = Join-Path $TestDrive 'rotated'
            $whole = New-TestSample -Directory $dir -Name whole.pcap
            $bytes = [IO.File]::ReadAllBytes($whole)
            $cut = Get-PcapRecordOffset -Bytes $bytes -From ($bytes.Length / 2)
            [IO.File]::WriteAllBytes((Join-Path $dir 'part0.pcap'), $bytes[0..($cut - 1)])
            [IO.File]::WriteAllBytes((Join-Path $dir 'part1.pcap'), $bytes[0..23] + $bytes[$cut..($bytes.Length - 1)])
            $reference = Get-NFFlow -LiteralPath $whole -NDissections 0

            $separate = Get-NFFlow -Path (Join-Path $dir 'part*.pcap') -NDissections 0
            $continuous = Get-NFFlow -Path (Join-Path $dir 'part*.pcap') -NDissections 0 -Continuous

            $separate.Count | Should -BeGreaterThan $reference.Count
            $continuous | Should -HaveCount $reference.Count
            ($continuous | Measure-Object bidirectional_packets -Sum).Sum | Should -Be ($reference | Measure-Object bidirectional_packets -Sum).Sum
            $continuous.id | Should -Be $reference.id
        }

        It '-StatisticsVariable and -Verbose report the packet accounting' {
            $verbose = Get-NFFlow $sample -NDissections 0 -StatisticsVariable stats -Verbose 4>&1 |
                Where-Object { $_ -is [Management.Automation.VerboseRecord] }
            $stats.PacketsRead | Should -Be ($stats.PacketsMetered + $stats.PacketsIgnored)
            $stats.FlowsEmitted | Should -Be $sampleFlows
            ($verbose.Message -join "`n") | Should -BeLike "*$($stats.PacketsRead)*flows*"
        }

        It 'adds the statistical and SPLT columns when asked, and only then' {
            $plain = Get-NFFlow $sample -MaxFlows 1 -NDissections 0
            $rich = Get-NFFlow $sample -MaxFlows 1 -NDissections 0 -StatisticalAnalysis -SpltAnalysis 5
            $plain.PSObject.Properties.Name | Should -Not -Contain 'bidirectional_mean_ps'
            $rich.PSObject.Properties.Name | Should -Contain 'bidirectional_mean_ps'
            $rich.splt_ps | Should -HaveCount 5
            $rich.splt_direction[0] | Should -Be 0
        }
    }

    Context 'with PowerShell''s own cmdlets' {
        It 'filters by NFStream column names with Where-Object' {
            $tls = Get-NFFlow $sample | Where-Object application_name -Like 'TLS*'
            $tls | Should -HaveCount 4
            $tls.requested_server_name | Sort-Object -Unique | Should -Be 'www.google.com'
        }

        It 'sorts, selects and groups by column' {
            $top = Get-NFFlow $sample -NDissections 0 | Sort-Object bidirectional_bytes -Descending | Select-Object -First 3 src_ip, dst_ip, bidirectional_bytes
            $top | Should -HaveCount 3
            $top[0].bidirectional_bytes | Should -BeGreaterOrEqual $top[1].bidirectional_bytes
            $top[0].PSObject.Properties.Name | Should -Be @('src_ip', 'dst_ip', 'bidirectional_bytes')

            $groups = Get-NFFlow $sample | Group-Object application_name
            ($groups | Measure-Object Count -Sum).Sum | Should -Be $sampleFlows
            ($groups | Where-Object Name -EQ 'DNS').Count | Should -Be 8
            (Get-NFFlow $sample -NDissections 0 | Measure-Object bidirectional_packets -Sum).Sum | Should -BeGreaterThan $sampleFlows
        }

        It 'exports to Export-Csv and ConvertTo-Json with exactly the flow''s columns' {
            $csv = Join-Path $TestDrive 'export-csv.csv'
            Get-NFFlow $sample -NDissections 0 -SpltAnalysis 3 | Export-Csv -LiteralPath $csv
            $rows = Import-Csv -LiteralPath $csv
            $rows | Should -HaveCount $sampleFlows
            $first = Get-NFFlow $sample -NDissections 0 -SpltAnalysis 3 -MaxFlows 1
            $rows[0].PSObject.Properties.Name | Should -Be $first.PSObject.Properties.Name
            $rows[0].src_ip | Should -Be $first.src_ip

            $json = Get-NFFlow $sample -MaxFlows 2 -NDissections 0 -SpltAnalysis 3 | ConvertTo-Json | ConvertFrom-Json
            $json | Should -HaveCount 2
            $json[0].splt_ps | Should -HaveCount 3
            $json[0].PSObject.Properties.Name | Should -Be $first.PSObject.Properties.Name
        }

        It 'gives friendly TimeSpan and DateTimeOffset views beside the millisecond columns' {
            $flow = Get-NFFlow $sample -MaxFlows 1 -NDissections 0
            $flow.duration | Should -BeOfType [TimeSpan]
            $flow.duration.TotalMilliseconds | Should -Be $flow.bidirectional_duration_ms
            $flow.start_time.ToUnixTimeMilliseconds() | Should -Be $flow.bidirectional_first_seen_ms
        }
    }

    Context 'a long read' {
        It 'reports progress while no flow has come out yet, in MiB for a source of unknown length' {
            # The capture arrives through a FIFO, so the read lasts as long as the writer wants: it writes the first
            # half and waits for a progress report. With long timeouts no flow expires before the end, so progress
            # must not wait for flows.
            $capture = New-TestSample -Name progress.pcap -Rounds 2500
            $fifo = Join-Path $TestDrive 'capture.fifo'
            & mkfifo $fifo
            $ps = [PowerShell]::Create()
            try {
                $null = $ps.AddScript("Import-Module '$(Get-ModuleManifestPath)'; Get-NFFlow -LiteralPath '$fifo' -NDissections 0 -IdleTimeout 100000 -ActiveTimeout 100000")
                $output = [Management.Automation.PSDataCollection[psobject]]::new()
                $async = $ps.BeginInvoke([Management.Automation.PSDataCollection[psobject]]::new(), $output)
                $bytes = [IO.File]::ReadAllBytes($capture)
                $writer = [IO.FileStream]::new($fifo, [IO.FileMode]::Open, [IO.FileAccess]::Write)
                try {
                    $writer.Write($bytes, 0, $bytes.Length / 2)
                    $writer.Flush()
                    $deadline = [DateTime]::UtcNow.AddSeconds(30)
                    while (-not @($ps.Streams.Progress | Where-Object RecordType -EQ 'Processing') -and [DateTime]::UtcNow -lt $deadline) {
                        Start-Sleep -Milliseconds 50
                    }
                    $flowsAtFirstReport = $output.Count
                    $first = @($ps.Streams.Progress | Where-Object RecordType -EQ 'Processing')[0]
                    $writer.Write($bytes, $bytes.Length / 2, $bytes.Length - $bytes.Length / 2)
                }
                finally { $writer.Dispose() }
                $null = $ps.EndInvoke($async)

                $first | Should -Not -BeNullOrEmpty -Because 'progress should be reported while the read waits for the second half'
                $flowsAtFirstReport | Should -Be 0
                $first.PercentComplete | Should -Be -1   # a pipe has no length: what was read, no percentage
                $first.StatusDescription | Should -Match ': \d+ MiB read$'
                $ps.Streams.Error | Should -BeNullOrEmpty
                $output.Count | Should -BeGreaterThan 0
                $ps.Streams.Progress[-1].RecordType | Should -Be 'Completed'
            }
            finally { $ps.Dispose() }
        }

        It 'stops promptly when the pipeline is stopped' {
            $big = New-TestSample -Name big.pcap -Rounds 4000
            $ps = [PowerShell]::Create()
            try {
                $null = $ps.AddScript("Import-Module '$(Get-ModuleManifestPath)'; Get-NFFlow -LiteralPath '$big' -NDissections 0")
                $output = [Management.Automation.PSDataCollection[psobject]]::new()
                $async = $ps.BeginInvoke([Management.Automation.PSDataCollection[psobject]]::new(), $output)
                $deadline = [DateTime]::UtcNow.AddSeconds(60)
                while ($output.Count -eq 0 -and [DateTime]::UtcNow -lt $deadline) { Start-Sleep -Milliseconds 20 }
                $output.Count | Should -BeGreaterThan 0 -Because 'a flow should come out within 60 s'

                $watch = [Diagnostics.Stopwatch]::StartNew()
                $ps.Stop()
                $watch.Stop()

                $async.IsCompleted | Should -BeTrue
                $watch.Elapsed.TotalSeconds | Should -BeLessThan 5
                $output.Count | Should -BeLessThan (4000 * 9)
                $ps.InvocationStateInfo.State | Should -Be 'Stopped'
            }
            finally { $ps.Dispose() }
        }
    }
}
