# New-NFSampleCapture writes the project's own sample, and Get-NFFlow labels its flows.
BeforeAll { Import-Module "$PSScriptRoot/TestHelpers.psm1" -Force }

Describe 'New-NFSampleCapture' {
    It 'gives labelled flows of every kind in <Format> format' -ForEach @(@{ Format = 'Pcap' }, @{ Format = 'PcapNg' }) {
        $path = Join-Path $TestDrive "sample-$Format.cap"
        $file = New-NFSampleCapture -LiteralPath $path -Format $Format -PassThru
        $file | Should -BeOfType [IO.FileInfo]

        $flows = $file | Get-NFFlow

        $flows | Should -HaveCount (Get-SampleFlowCount)
        foreach ($name in 'DNS', 'HTTP', 'SSH', 'ICMP', 'DHCP') { $flows.application_name | Should -Contain $name }
        $flows.application_name | Where-Object { $_ -like 'TLS*' } | Should -Not -BeNullOrEmpty
        $flows.vlan_id | Should -Contain 100
        $flows | Where-Object { $_.ip_version -eq 6 -and $_.requested_server_name -eq 'ipv6.example.org' } | Should -Not -BeNullOrEmpty
        $flows | Where-Object { $_.requested_server_name -eq 'www.google.com' -and $_.client_fingerprint.Length -eq 32 } | Should -Not -BeNullOrEmpty
        $flows | Where-Object { $_.user_agent -eq 'Mozilla/5.0 (NFStream sample)' -and $_.content_type -eq 'text/html' } | Should -Not -BeNullOrEmpty
    }

    It 'writes the same bytes for the same seed, and other bytes for another' {
        $a = New-NFSampleCapture -Path (Join-Path $TestDrive 'a.pcap') -Seed 7 -PassThru
        $b = New-NFSampleCapture -Path (Join-Path $TestDrive 'b.pcap') -Seed 7 -PassThru
        $c = New-NFSampleCapture -Path (Join-Path $TestDrive 'c.pcap') -Seed 8 -PassThru
        (Get-FileHash $a).Hash | Should -Be (Get-FileHash $b).Hash
        (Get-FileHash $a).Hash | Should -Not -Be (Get-FileHash $c).Hash
    }

    It 'refuses to overwrite without -Force, and overwrites with it' {
        $path = Join-Path $TestDrive 'exists.pcap'
        New-NFSampleCapture -Path $path -Rounds 1
        New-NFSampleCapture -Path $path -ErrorVariable errors -ErrorAction SilentlyContinue
        $errors[0].FullyQualifiedErrorId | Should -BeLike 'FileExists*'
        $errors[0].TargetObject | Should -Be $path
        New-NFSampleCapture -Path $path -Force -Rounds 2
        @(Get-NFFlow $path -NDissections 0).Count | Should -BeGreaterThan 9
    }

    It 'writes nothing with -WhatIf' {
        $path = Join-Path $TestDrive 'whatif.pcap'
        New-NFSampleCapture -Path $path -WhatIf
        $path | Should -Not -Exist
    }

    It 'validates -Rounds' {
        { New-NFSampleCapture -Path (Join-Path $TestDrive 'x.pcap') -Rounds 0 } | Should -Throw -ErrorId 'ParameterArgumentValidationError*'
    }
}
