BeforeAll { Import-Module "$PSScriptRoot/TestHelpers.psm1" -Force }

Describe 'Get-NFFlow' {
    BeforeAll { $sampleFlows = Get-SampleFlowCount }

    Context 'paths and the pipeline' {
        It 'reads every file that a wildcard -Path matches, each as its own capture' {
            $dir = Join-Path $TestDrive 'wild'
            New-TestSample -Directory $dir -Name a.pcap | Out-Null
            New-TestSample -Directory $dir -Name b.pcap -Seed 2 | Out-Null
            New-TestSample -Directory $dir -Name c.pcapng -Seed 3 | Out-Null
            Set-Content -Path (Join-Path $dir notes.txt) -Value 'not matched'

            $flows = Get-NFFlow -Path (Join-Path $dir '*.pcap*') -NDissections 0

            $flows | Should -HaveCount (3 * $sampleFlows)
            @($flows | Where-Object id -eq 0) | Should -HaveCount 3   # ids restart per file
        }

        It 'binds files from Get-ChildItem' {
            $dir = Join-Path $TestDrive 'gci'
            New-TestSample -Directory $dir -Name one.pcap | Out-Null
            New-TestSample -Directory $dir -Name two.pcap -Seed 5 | Out-Null

            Get-ChildItem -Path $dir -Filter *.pcap | Get-NFFlow -NDissections 0 | Should -HaveCount (2 * $sampleFlows)
        }
    }
}
