# Every example of every exported cmdlet's help, as Get-Help shows it, run as written in real pwsh, in a scratch
# folder holding the project's sample.pcap. An example that writes an error or throws fails. Start-NFCapture's
# examples capture on lo, so they run only as root (as CI does).
BeforeDiscovery {
    Import-Module "$PSScriptRoot/TestHelpers.psm1" -Force
    $examples = foreach ($command in Get-Command -Module NFStream -CommandType Cmdlet) {
        foreach ($example in @((Get-Help $command.Name -Examples).examples.example)) {
            if ($example) { @{ Command = $command.Name; Title = $example.title.Trim(' -'); Code = $example.code } }
        }
    }
}

BeforeAll { Import-Module "$PSScriptRoot/TestHelpers.psm1" -Force }

Describe 'Help examples' {
    It '<Command>: <Title>' -ForEach $examples {
        if ($Command -eq 'Start-NFCapture' -and (& id -u) -ne '0') { Set-ItResult -Skipped -Because 'it captures on lo, which needs root' }
        $dir = Join-Path $TestDrive ([guid]::NewGuid().ToString('n'))
        New-TestSample -Directory $dir | Out-Null
        Push-Location $dir
        try {
            $output = & ([scriptblock]::Create($Code)) 2>&1
            $errors = @($output | Where-Object { $_ -is [Management.Automation.ErrorRecord] })
            $errors | Should -BeNullOrEmpty -Because "the example should run as written:`n$Code"
        }
        finally { Pop-Location }
    }

    It 'every cmdlet has at least two examples' {
        foreach ($command in Get-Command -Module NFStream -CommandType Cmdlet) {
            @((Get-Help $command.Name -Examples).examples.example | Where-Object code).Count | Should -BeGreaterOrEqual 2 -Because $command.Name
        }
    }
}
