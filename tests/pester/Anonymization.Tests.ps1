BeforeAll { Import-Module "$PSScriptRoot/TestHelpers.psm1" -Force }

Describe 'Export-NFFlowCsv -AnonymizeColumn' {
    # Keyed BLAKE2b-512 comes from Konscious.Security.Cryptography.Blake2, which the module folder carries: this
    # runs it from out/NFStream as a user would, and checks the value against Python's hashlib.
    It 'hashes a column with keyed BLAKE2b-512 as NFStream (hashlib) does' {
        $capture = New-TestSample
        $csv = Join-Path $TestDrive 'anonymized.csv'
        $key = [Text.Encoding]::ASCII.GetBytes('secret')
        # hashlib.blake2b(b'192.168.1.10', key=b'secret', digest_size=64).hexdigest()
        $expected = '73825470b5e9cf725c2c916ca41934fade382b621caf5ccdadb7a12b4fbd2da0' +
                    '30fd6432aa28c8c1c65b891ad979a4c9ee66c0d8b60f1673385798e96df1d9e8'

        $flows = @(Get-NFFlow -Path $capture -NDissections 0)
        $flows | Export-NFFlowCsv -Path $csv -AnonymizeColumn src_ip -AnonymizationKey $key
        $rows = @(Import-Csv -LiteralPath $csv)

        $rows | Should -HaveCount $flows.Count
        (Get-Item (Join-Path (Split-Path (Get-ModuleManifestPath)) 'Konscious.Security.Cryptography.Blake2.dll')) | Should -Not -BeNullOrEmpty
        for ($i = 0; $i -lt $flows.Count; $i++) {
            $rows[$i].src_ip | Should -Match '^[0-9a-f]{128}$'
            if ($flows[$i].src_ip -eq '192.168.1.10') { $rows[$i].src_ip | Should -BeExactly $expected }
            $rows[$i].dst_ip | Should -BeExactly $flows[$i].dst_ip
        }
        @($flows | Where-Object src_ip -eq '192.168.1.10').Count | Should -BeGreaterThan 0
    }
}
