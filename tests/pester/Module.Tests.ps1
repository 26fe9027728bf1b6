# The module as installed: its manifest, what it exports, and what a flow shows to PowerShell (the property list
# that Select-Object *, Export-Csv and ConvertTo-Json read; the friendly time properties).
BeforeAll {
    Import-Module "$PSScriptRoot/TestHelpers.psm1" -Force
    $sample = New-TestSample -Name sample.pcap -Rounds 1
    function Get-ExpectedColumns([bool] $Statistics, [int] $Splt, [switch] $Udps) {
        $options = [NFStream.Engine.FlowOptions]::new()
        $options.StatisticalAnalysis = $Statistics
        $options.SpltAnalysis = $Splt
        $names = [NFStream.Engine.FlowColumns]::For($options.Columns).Name
        if ($Udps) { $names += 'udps' }
        $names -join ','
    }
}

Describe 'The module manifest' {
    BeforeAll { $module = Test-ModuleManifest -Path (Get-ModuleManifestPath) }

    It 'passes Test-ModuleManifest with what the gallery and users need' {
        $module.Name | Should -Be 'NFStream'
        $module.Version | Should -BeGreaterOrEqual ([version]'0.1')
        $module.Author | Should -Not -BeNullOrEmpty
        $module.Description.Length | Should -BeGreaterThan 40
        $module.CompatiblePSEditions | Should -Be @('Core')
        $module.PowerShellVersion | Should -Be ([version]'7.4')
        $module.ExportedFormatFiles | Split-Path -Leaf | Should -Contain 'NFStream.format.ps1xml'
        $module.ExportedTypeFiles | Split-Path -Leaf | Should -Contain 'NFStream.types.ps1xml'
        $module.Tags | Should -Contain 'pcap'
        $module.Tags | Should -Contain 'nfstream'
        $module.LicenseUri | Should -Not -BeNullOrEmpty
    }

    It 'does not send users to NFStream''s Python documentation as if it were this module''s' {
        "$($module.ProjectUri)" | Should -Not -BeLike '*nfstream.org*'
        foreach ($command in Get-Command -Module NFStream -CommandType Cmdlet) {
            "$($command.HelpUri)" | Should -Not -BeLike '*nfstream.org*' -Because "$($command.Name)'s HelpUri"
            $first = @((Get-Help $command.Name).relatedLinks.navigationLink | Where-Object { $_.uri })[0]
            "$($first.uri)" | Should -Not -BeLike '*nfstream.org*' -Because "Get-Help $($command.Name) -Online opens the first link"
        }
    }

    It 'has release notes that name every exported cmdlet' {
        $notes = (Import-PowerShellDataFile (Get-ModuleManifestPath)).PrivateData.PSData.ReleaseNotes
        foreach ($name in (Get-Command -Module NFStream -CommandType Cmdlet).Name) { $notes | Should -BeLike "*$name*" }
    }

    It 'exports exactly the cmdlets that NFStream.dll defines, listed without wildcards' {
        $listed = (Import-PowerShellDataFile (Get-ModuleManifestPath)).CmdletsToExport
        $listed | Where-Object { $_ -like '*`**' } | Should -BeNullOrEmpty
        $defined = foreach ($type in [NFStream.Commands.GetNFFlowCommand].Assembly.GetExportedTypes()) {
            $attribute = $type.GetCustomAttributes([Management.Automation.CmdletAttribute], $false) | Select-Object -First 1
            if ($attribute -and -not $type.IsAbstract) { "$($attribute.VerbName)-$($attribute.NounName)" }
        }
        $listed | Sort-Object | Should -Be ($defined | Sort-Object)
        $module.ExportedCmdlets.Keys | Sort-Object | Should -Be ($defined | Sort-Object)
    }

    It 'uses approved verbs only' {
        $approved = (Get-Verb).Verb
        (Get-Command -Module NFStream).Verb | ForEach-Object { $approved | Should -Contain $_ }
    }

    It 'ships the repository''s manifest' {
        Get-Content -Raw (Get-ModuleManifestPath) | Should -BeExactly (Get-Content -Raw (Join-Path (Get-RepositoryRoot) 'NFStream.psd1'))
    }
}

Describe 'A flow''s properties' {
    It 'are exactly the columns of its options, in NFStream''s order (<Options>)' -ForEach @(
        @{ Options = @{}; Statistics = $false; Splt = 0 }
        @{ Options = @{ StatisticalAnalysis = $true; SpltAnalysis = 5 }; Statistics = $true; Splt = 5 }
    ) {
        $lists = Get-NFFlow -LiteralPath $sample @Options | ForEach-Object { $_.PSObject.Properties.Name -join ',' }
        $lists | Should -Not -BeNullOrEmpty
        $lists | Sort-Object -Unique | Should -Be (Get-ExpectedColumns $Statistics $Splt)
    }

    It 'end with udps when a plugin stored values' {
        $plugin = @{ Name = 'p'; OnInit = { param($packet, $flow) $flow.udps.seen = 1 } }
        $lists = Get-NFFlow -LiteralPath $sample -StatisticalAnalysis -Plugin $plugin | ForEach-Object { $_.PSObject.Properties.Name -join ',' }
        $lists | Sort-Object -Unique | Should -Be (Get-ExpectedColumns $true 0 -Udps)
    }

    It 'leave out absent columns and NFlow''s other members, but udps stays reachable by name' {
        $flow = @(Get-NFFlow -LiteralPath $sample)[0]
        foreach ($name in 'bidirectional_min_ps', 'dst2src_fin_packets', 'splt_ps', 'Columns', 'HasUserValues') {
            $flow.PSObject.Properties[$name] | Should -BeNullOrEmpty -Because $name
        }
        $flow.PSObject.Properties['bidirectional_packets'] | Should -Not -BeNullOrEmpty
        $flow.udps.Count | Should -Be 0
    }

    It 'read, filter and set by column name' {
        $flows = @(Get-NFFlow -LiteralPath $sample -StatisticalAnalysis)
        $big = @($flows | Where-Object { $_.bidirectional_packets -gt 10 }).Count
        $big | Should -BeGreaterThan 0
        @($flows | Where-Object bidirectional_packets -GT 10).Count | Should -Be $big
        $flows[0].bidirectional_mean_ps | Should -BeOfType [double]
        $flows[0].expiration_id = -1
        $flows[0].expiration_id | Should -Be -1
        { $flows[0].src_ip = '1.2.3.4' } | Should -Throw
    }

    It 'include friendly time views that stay out of the column list' {
        $flows = @(Get-NFFlow -LiteralPath $sample)
        foreach ($flow in $flows) {
            $flow.duration | Should -BeOfType [TimeSpan]
            $flow.duration.TotalMilliseconds | Should -Be $flow.bidirectional_duration_ms
            $flow.start_time.Offset | Should -Be ([TimeSpan]::Zero)
            $flow.end_time - $flow.start_time | Should -Be $flow.duration
        }
        $flows[0].start_time.Date | Should -Be ([datetime]'2026-01-01')
        $flows[0].PSObject.Properties.Name | Should -Not -Contain 'duration'
        ($flows[0] | Get-Member -Force -Name duration).MemberType | Should -Be 'CodeProperty'
    }
}
