BeforeAll { Import-Module "$PSScriptRoot/TestHelpers.psm1" -Force }

# What issue 15 changed in how a run uses the machine: the output must be exactly that of a serial, one-meter run.
Describe 'Get-NFFlow on several cores' {
    BeforeAll {
        # The verbose messages of a run in a child process that sees -Cores cores (DOTNET_PROCESSOR_COUNT).
        function Get-ChildVerbose([int] $Cores, [string] $Command) {
            $start = [Diagnostics.ProcessStartInfo]::new([Environment]::ProcessPath)
            $entry = [Reflection.Assembly]::GetEntryAssembly().Location   # pwsh.dll when pwsh runs as a dotnet tool
            if ($entry -like '*.dll') { $start.ArgumentList.Add($entry) }
            foreach ($a in '-NoProfile', '-NonInteractive', '-Command', "Import-Module '$(Get-ModuleManifestPath)'; $Command -Verbose 4>&1 | Where-Object { `$_ -is [System.Management.Automation.VerboseRecord] } | ForEach-Object Message") {
                $start.ArgumentList.Add($a)
            }
            $start.RedirectStandardOutput = $true
            $start.UseShellExecute = $false
            $start.Environment['DOTNET_PROCESSOR_COUNT'] = "$Cores"
            $process = [Diagnostics.Process]::Start($start)
            $output = $process.StandardOutput.ReadToEnd()
            $process.WaitForExit()
            $process.ExitCode | Should -Be 0
            $output
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
}
