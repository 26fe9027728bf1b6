BeforeAll { Import-Module "$PSScriptRoot/TestHelpers.psm1" -Force }

# New-NFPlugin -OnnxModel as a PowerShell user sees it, with models written from code whose scores are known.
Describe 'New-NFPlugin -OnnxModel' {
    BeforeAll {
        $sample = New-TestSample
        $models = Join-Path $TestDrive 'models'
        New-Item -ItemType Directory -Path $models | Out-Null
        $linear = Join-Path $models 'linear.onnx'
        [NFStream.Engine.Samples.OnnxModelWriter]::WriteLinear($linear, [float[]](2, 0.5), 1)
    }

    Context 'scoring' {
        It 'scores every flow of a file exactly, in udps.NAME, and Export-NFFlowCsv writes the column' {
            $plugin = New-NFPlugin -Name score -OnnxModel $linear -Feature bidirectional_packets, bidirectional_bytes
            $flows = Get-NFFlow $sample -NDissections 0 -Plugin $plugin

            $flows | Should -HaveCount (Get-SampleFlowCount)
            foreach ($flow in $flows) {
                $flow.udps.score | Should -Be (2.0 * $flow.bidirectional_packets + 0.5 * $flow.bidirectional_bytes + 1)
            }
            $csv = Join-Path $TestDrive 'scored.csv'
            $flows | Export-NFFlowCsv -Path $csv -Force
            $rows = Import-Csv $csv
            (Get-Content $csv -TotalCount 1) | Should -Match ',udps\.score$'
            [double]$rows[0].'udps.score' | Should -Be $flows[0].udps.score
        }

        It 'takes a path relative to the current location and a PSDrive path' {
            Push-Location $models
            try { (New-NFPlugin -Name s -OnnxModel linear.onnx -Feature protocol, protocol).Name | Should -Be 's' }
            finally { Pop-Location }
            (New-NFPlugin -Name t -OnnxModel 'TestDrive:/models/linear.onnx' -Feature protocol, protocol).Model.Path | Should -Be $linear
        }

        It 'gives a classifier''s label and, with -Probability, its class scores; -AfterPackets scores at that packet' {
            $cls = Join-Path $models 'early.onnx'
            [NFStream.Engine.Samples.OnnxModelWriter]::WriteLinearClassifier($cls, [string[]]('small', 'large'),
                [float[][]]@(, [float[]](-1, -1, -1)) + @(, [float[]](1, 1, 1)), [float[]](300, -300))
            $early = New-NFPlugin -Name kind -OnnxModel $cls -Feature splt_ps -AfterPackets 3 -Probability

            $flows = Get-NFFlow $sample -NDissections 0 -SpltAnalysis 3 -Plugin $early

            $scored = @($flows | Where-Object bidirectional_packets -ge 3)
            $scored.Count | Should -BeGreaterThan 0
            foreach ($flow in $scored) {
                $sum = ($flow.splt_ps | Measure-Object -Sum).Sum
                $flow.udps.kind | Should -Be $(if ($sum -gt 300) { 'large' } else { 'small' })
                $flow.udps.kind_probability | Should -Be @((300 - $sum), ($sum - 300))
            }
            foreach ($flow in @($flows | Where-Object bidirectional_packets -lt 3)) { $flow.udps.Contains('kind') | Should -BeFalse }
        }

        It 'rejects -When AfterPackets without -AfterPackets' {
            { New-NFPlugin -Name x -OnnxModel $linear -Feature protocol, protocol -When AfterPackets -ErrorAction Stop } |
                Should -Throw -ErrorId 'AfterPacketsMissing,NFStream.Commands.NewNFPluginCommand'
        }
    }

    Context 'bad input, reported before any capture is read' {
        It 'names a missing model file' {
            { New-NFPlugin -Name x -OnnxModel (Join-Path $models 'missing.onnx') -Feature protocol -ErrorAction Stop } |
                Should -Throw -ErrorId 'OnnxModelNotFound,NFStream.Commands.NewNFPluginCommand' -ExpectedMessage '*missing.onnx*does not exist*'
        }

        It 'names a corrupt model file' {
            $bad = Join-Path $models 'corrupt.onnx'
            [IO.File]::WriteAllBytes($bad, [byte[]](10, 255, 19, 55, 1, 2, 3))
            { New-NFPlugin -Name x -OnnxModel $bad -Feature protocol -ErrorAction Stop } |
                Should -Throw -ErrorId 'OnnxModelInvalid,NFStream.Commands.NewNFPluginCommand' -ExpectedMessage '*corrupt.onnx*not a valid ONNX model*'
        }

        It 'refuses a model whose input does not fit the features' {
            { New-NFPlugin -Name x -OnnxModel $linear -Feature bidirectional_packets -ErrorAction Stop } |
                Should -Throw -ErrorId 'OnnxModelInvalid,NFStream.Commands.NewNFPluginCommand' -ExpectedMessage '*takes 2 values per flow*give 1*'
        }

        It 'refuses an unknown column and a text column' {
            { New-NFPlugin -Name x -OnnxModel $linear -Feature bidirectional_packets, nonsense -ErrorAction Stop } |
                Should -Throw -ErrorId 'OnnxFeatureInvalid,NFStream.Commands.NewNFPluginCommand' -ExpectedMessage "*'nonsense' is not a flow column*"
            { New-NFPlugin -Name x -OnnxModel $linear -Feature bidirectional_packets, src_ip -ErrorAction Stop } |
                Should -Throw -ErrorId 'OnnxFeatureInvalid,NFStream.Commands.NewNFPluginCommand' -ExpectedMessage '*text*'
        }

        It 'stops Get-NFFlow before it reads a packet when a feature needs an option' {
            $plugin = New-NFPlugin -Name x -OnnxModel $linear -Feature bidirectional_mean_ps, bidirectional_packets
            $flows = @()
            { $script:flows = Get-NFFlow $sample -NDissections 0 -Plugin $plugin -ErrorAction Stop } |
                Should -Throw -ErrorId 'PluginOptionsInvalid,NFStream.Commands.GetNFFlowCommand' -ExpectedMessage '*-StatisticalAnalysis*'
            $script:flows | Should -BeNullOrEmpty
        }
    }

    Context 'a model that fails while flows are metered' {
        It 'stops with PluginFailed; the flows written before it stand, each with its score' {
            $lookup = Join-Path $models 'lookup.onnx'
            # table[bidirectional_packets]: a flow of more than 3 packets indexes past the table.
            [NFStream.Engine.Samples.OnnxModelWriter]::WriteLookup($lookup, [float[]](0, 10, 20, 30))
            $plugin = New-NFPlugin -Name v -OnnxModel $lookup -Feature bidirectional_packets
            $written = [Collections.Generic.List[object]]::new()

            $failure = $null
            try { Get-NFFlow $sample -NDissections 0 -Plugin $plugin | ForEach-Object { $written.Add($_) } }
            catch { $failure = $_ }

            $failure | Should -Not -BeNullOrEmpty
            $failure.FullyQualifiedErrorId | Should -Be 'PluginFailed,NFStream.Commands.GetNFFlowCommand'
            $failure.Exception.Message | Should -BeLike "Plugin 'v' failed in OnExpire*lookup.onnx*out of data bounds*"
            $failure.TargetObject.bidirectional_packets | Should -BeGreaterThan 3
            $written.Count | Should -BeGreaterThan 0
            $written.Count | Should -BeLessThan (Get-SampleFlowCount)
            foreach ($flow in $written) { $flow.udps.v | Should -Be (10.0 * $flow.bidirectional_packets) }
        }
    }

    Context 'module load' {
        It 'loads ONNX Runtime only when -OnnxModel is used' {
            $check = '[bool]([AppDomain]::CurrentDomain.GetAssemblies() | Where-Object { $_.GetName().Name -eq ''Microsoft.ML.OnnxRuntime'' })'
            $script = "Import-Module '$(Get-ModuleManifestPath)'; Get-NFFlow '$sample' -NDissections 0 | Out-Null; $check; " +
                "New-NFPlugin -Name s -OnnxModel '$linear' -Feature protocol, protocol | Out-Null; $check"
            # A fresh process of the pwsh that runs the suite (under 'dotnet pwsh' that is dotnet and pwsh.dll).
            $host_ = [Environment]::ProcessPath
            $arguments = @(if ([IO.Path]::GetFileNameWithoutExtension($host_) -eq 'dotnet') { [Environment]::GetCommandLineArgs()[0] }) +
                @('-NoProfile', '-NonInteractive', '-Command', $script)
            $output = & $host_ @arguments 2>&1
            $LASTEXITCODE | Should -Be 0 -Because ($output -join "`n")
            @($output | ForEach-Object { "$_".Trim() } | Where-Object { $_ }) | Should -Be @('False', 'True')
        }
    }
}

# The training route of about_NFStream_Plugins: flows from Get-NFFlow, trained with ML.NET in pwsh, exported
# to ONNX and deployed with New-NFPlugin -OnnxModel.
Describe 'Training a model on flows with NFStream.Training' {
    BeforeAll {
        $trainer = Join-Path (Get-RepositoryRoot) 'out/NFStream.Training/NFStream.Training.dll'
    }

    It 'trains a classifier on a capture''s flows and the deployed model predicts the labels' {
        if (-not (Test-Path $trainer)) { Set-ItResult -Skipped -Because "the trainer is not built ($trainer): dotnet build NFStream.sln" ; return }
        $capture = New-TestSample -Name train.pcap
        $features = 'protocol', 'bidirectional_packets', 'bidirectional_bytes', 'bidirectional_mean_ps'
        Import-Module $trainer
        $flows = Get-NFFlow $capture -NDissections 0 -StatisticalAnalysis
        $rows = [float[][]]@($flows | ForEach-Object { $flow = $_; , [float[]]@($features | ForEach-Object { $flow.$_ }) })
        $labels = [bool[]]@($flows | ForEach-Object { $_.dst_port -eq 53 })
        $onnx = Join-Path $TestDrive 'dns.onnx'

        $trained = [NFStream.Training.FlowModelTrainer]::TrainBinaryClassifier($rows, $labels, $onnx)
        $dns = New-NFPlugin -Name is_dns -OnnxModel $onnx -Feature $features -Probability
        $scored = Get-NFFlow (New-TestSample -Name other.pcap -Seed 7) -NDissections 0 -StatisticalAnalysis -Plugin $dns

        $trained.Rows | Should -Be $flows.Count
        $trained.Width | Should -Be 4
        $trained.TrainingAccuracy | Should -BeGreaterOrEqual 0.9
        $dns.ValueOutput | Should -Be 'PredictedLabel.output'
        $scored.Count | Should -BeGreaterThan 0
        $right = @($scored | Where-Object { $_.udps.is_dns -eq ($_.dst_port -eq 53) }).Count
        $right / $scored.Count | Should -BeGreaterOrEqual 0.9
        foreach ($flow in $scored) {
            $flow.udps.is_dns | Should -BeOfType [bool]
            $flow.udps.is_dns_probability | Should -BeGreaterOrEqual 0
            $flow.udps.is_dns_probability | Should -BeLessOrEqual 1
            ($flow.udps.is_dns_probability -gt 0.5) | Should -Be $flow.udps.is_dns
        }
    }
}
