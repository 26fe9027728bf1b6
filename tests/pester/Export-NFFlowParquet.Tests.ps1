BeforeAll { Import-Module "$PSScriptRoot/TestHelpers.psm1" -Force }

# What a PowerShell user sees of Export-NFFlowParquet. The values in the files are read back by an independent
# reader, DuckDB, in tests/NFStream.Tests/Export/ParquetDuckDbTests.cs (SIGTERM mid-run included).
Describe 'Export-NFFlowParquet' {
    BeforeAll {
        $sampleFlows = Get-SampleFlowCount
        $sample = New-TestSample

        function Test-ParquetFile([string] $Path) {
            # A complete Parquet file starts and ends with the magic PAR1 (the end one follows the footer).
            $bytes = [IO.File]::ReadAllBytes($Path)
            $magic = [Text.Encoding]::ASCII.GetBytes('PAR1')
            $bytes.Length -gt 12 -and
                [Linq.Enumerable]::SequenceEqual([byte[]]$bytes[0..3], $magic) -and
                [Linq.Enumerable]::SequenceEqual([byte[]]$bytes[-4..-1], $magic)
        }

        function Get-WrittenCount($Verbose) {
            $line = @($Verbose | Where-Object { $_ -is [Management.Automation.VerboseRecord] -and $_.Message -like 'Wrote *' })[-1]
            [int]($line.Message -replace '^Wrote (\d+) flows.*$', '$1')
        }
    }

    It 'is exported, supports -WhatIf/-Confirm and has -Path/-LiteralPath parameter sets' {
        $command = Get-Command Export-NFFlowParquet
        $command.Parameters.Keys | Should -Contain 'WhatIf'
        $command.Parameters.Keys | Should -Contain 'Confirm'
        $command.ParameterSets.Name | Should -Be @('Path', 'LiteralPath')
        $command.Parameters['LiteralPath'].Aliases | Should -Contain 'PSPath'
        $command.OutputType.Type | Should -Contain ([NFStream.Engine.NFlow])
    }

    It 'writes a complete Parquet file with one row per flow' {
        $file = Join-Path $TestDrive 'flows.parquet'
        $out = Get-NFFlow -LiteralPath $sample -StatisticalAnalysis -SpltAnalysis 8 | Export-NFFlowParquet -LiteralPath $file -Verbose 4>&1
        Test-ParquetFile $file | Should -BeTrue
        Get-WrittenCount $out | Should -Be $sampleFlows
        @($out | Where-Object { $_ -is [NFStream.Engine.NFlow] }) | Should -HaveCount 0
    }

    It 'resolves a relative -Path against the PowerShell location' {
        Push-Location $TestDrive
        try {
            Get-NFFlow -LiteralPath $sample -MaxFlows 3 | Export-NFFlowParquet -Path relative.parquet
            Test-ParquetFile (Join-Path $TestDrive 'relative.parquet') | Should -BeTrue
        }
        finally { Pop-Location }
    }

    It '-WhatIf writes nothing' {
        $file = Join-Path $TestDrive 'whatif.parquet'
        Get-NFFlow -LiteralPath $sample | Export-NFFlowParquet -LiteralPath $file -WhatIf
        Test-Path -LiteralPath $file | Should -BeFalse
    }

    It '-NoClobber refuses an existing file and leaves it as it was; -Force overwrites a read-only one' {
        $file = Join-Path $TestDrive 'existing.parquet'
        Set-Content -LiteralPath $file -Value 'keep me'
        { Get-NFFlow -LiteralPath $sample | Export-NFFlowParquet -LiteralPath $file -NoClobber -ErrorAction Stop } |
            Should -Throw -ErrorId 'FileExists*'
        Get-Content -LiteralPath $file | Should -Be 'keep me'

        Set-ItemProperty -LiteralPath $file -Name IsReadOnly -Value $true
        Get-NFFlow -LiteralPath $sample -MaxFlows 2 | Export-NFFlowParquet -LiteralPath $file -Force
        Test-ParquetFile $file | Should -BeTrue
    }

    It '-PassThru writes every flow on' {
        $file = Join-Path $TestDrive 'passthru.parquet'
        Get-NFFlow -LiteralPath $sample | Export-NFFlowParquet -LiteralPath $file -PassThru | Should -HaveCount $sampleFlows
        Test-ParquetFile $file | Should -BeTrue
    }

    It 'writes a file with no rows when no flow arrives' {
        $file = Join-Path $TestDrive 'empty.parquet'
        $out = @() | Export-NFFlowParquet -LiteralPath $file -Verbose 4>&1
        Test-ParquetFile $file | Should -BeTrue
        Get-WrittenCount $out | Should -Be 0
    }

    It 'refuses a flow with other columns with an error naming the flow, its capture and the file, and writes the rest' {
        $file = Join-Path $TestDrive 'mixed.parquet'
        $other = New-TestSample -Name other.pcap -Seed 4
        $flows = @(Get-NFFlow -LiteralPath $sample -NDissections 0 -MaxFlows 3) +
                 @(Get-NFFlow -LiteralPath $other -NDissections 0 -StatisticalAnalysis -MaxFlows 1) +
                 @(Get-NFFlow -LiteralPath $sample -NDissections 0 -MaxFlows 2)
        $out = $flows | Export-NFFlowParquet -LiteralPath $file -ErrorVariable bad -ErrorAction SilentlyContinue -Verbose 4>&1
        $bad | Should -HaveCount 1
        $bad[0].FullyQualifiedErrorId | Should -BeLike 'FlowDoesNotFitParquetFile*'
        $bad[0].CategoryInfo.Category | Should -Be 'InvalidData'
        $bad[0].Exception.Message | Should -BeLike "*Flow 0 of $other*mixed.parquet*columns*"
        Get-WrittenCount $out | Should -Be 5
        Test-ParquetFile $file | Should -BeTrue
    }

    It 'writes every compression' -ForEach @(
        @{ Compression = 'Snappy' }, @{ Compression = 'Zstd' }, @{ Compression = 'Gzip' }, @{ Compression = 'None' }
    ) {
        $file = Join-Path $TestDrive "c-$Compression.parquet"
        $out = Get-NFFlow -LiteralPath $sample | Export-NFFlowParquet -LiteralPath $file -Compression $Compression -Verbose 4>&1
        Test-ParquetFile $file | Should -BeTrue
        Get-WrittenCount $out | Should -Be $sampleFlows
    }

    It 'compresses by default: the file is smaller than with -Compression None' {
        $default = Join-Path $TestDrive 'default.parquet'
        $none = Join-Path $TestDrive 'none.parquet'
        $flows = Get-NFFlow -LiteralPath $sample -StatisticalAnalysis -SpltAnalysis 10
        $flows | Export-NFFlowParquet -LiteralPath $default
        $flows | Export-NFFlowParquet -LiteralPath $none -Compression None
        (Get-Item -LiteralPath $default).Length | Should -BeLessThan (Get-Item -LiteralPath $none).Length
    }

    It 'warns about an -AnonymizeColumn name that is not a column, but not about source with -IncludeSource' {
        $file = Join-Path $TestDrive 'anon.parquet'
        Get-NFFlow -LiteralPath $sample -MaxFlows 2 |
            Export-NFFlowParquet -LiteralPath $file -AnonymizeColumn src_ip, nosuchcolumn, source -IncludeSource -WarningVariable warned -WarningAction SilentlyContinue
        $warned | Should -HaveCount 1
        "$($warned[0])" | Should -BeLike "*'nosuchcolumn'*"
        Test-ParquetFile $file | Should -BeTrue
    }

    It 'leaves a complete file with the flows taken so far when the pipeline is stopped' {
        $file = Join-Path $TestDrive 'stopped.parquet'
        $out = Get-NFFlow -LiteralPath $sample | Select-Object -First 5 | Export-NFFlowParquet -LiteralPath $file -RowGroupSize 2 -Verbose 4>&1
        Get-WrittenCount $out | Should -Be 5
        Test-ParquetFile $file | Should -BeTrue
    }

    It 'about_NFStream says how to load the file in pandas, DuckDB and Spark' {
        $about = Get-Help about_NFStream | Out-String
        $about | Should -BeLike '*pd.read_parquet(*'
        $about | Should -BeLike "*SELECT * FROM 'dataset.parquet'*"
        $about | Should -BeLike '*spark.read.parquet(*'
    }

    It 'has help for every parameter' {
        $help = Get-Help Export-NFFlowParquet -Full
        $help.Synopsis | Should -BeLike '*Parquet*'
        foreach ($name in 'Compression', 'RowGroupSize', 'IncludeSource', 'AnonymizeColumn') {
            ($help.parameters.parameter | Where-Object name -eq $name).description.Text | Should -Not -BeNullOrEmpty
        }
    }
}
