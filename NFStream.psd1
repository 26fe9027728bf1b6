@{
    RootModule           = 'NFStream.dll'
    # Loaded before TypesToProcess, which adapts NFStream.Engine.NFlow with a type from NFStream.dll.
    RequiredAssemblies   = @('NFStream.Engine.dll', 'NFStream.dll')
    ModuleVersion        = '0.1.0'
    GUID                 = '5b0f3c1e-8d7a-4c55-9a0e-2f6f1d3b7c41'
    Author               = 'NFStream for PowerShell developers'
    CompanyName          = 'NFStream for PowerShell'
    Copyright            = '(c) NFStream for PowerShell developers. LGPL-3.0-or-later.'
    Description          = 'Turns pcap/pcapng captures and live interfaces into bidirectional network flows with NFStream''s exact semantics: statistical and early-packet (SPLT) features, nDPI application labels, scriptblock plugins, and NFStream-compatible CSV.'
    CompatiblePSEditions = @('Core')
    PowerShellVersion    = '7.4'
    FormatsToProcess     = @('NFStream.format.ps1xml')
    TypesToProcess       = @('NFStream.types.ps1xml')
    CmdletsToExport      = @('Get-NFFlow', 'Export-NFFlowCsv', 'New-NFSampleCapture', 'New-NFPlugin', 'Start-NFCapture', 'Get-NFInterface', 'Send-NFFlowIpfix')
    FunctionsToExport    = @()
    VariablesToExport    = @()
    AliasesToExport      = @()
    PrivateData          = @{
        PSData = @{
            Tags         = @('network', 'flow', 'pcap', 'pcapng', 'nfstream', 'ndpi', 'dpi', 'netflow', 'security', 'forensics', 'machine-learning', 'Linux')
            LicenseUri   = 'https://www.gnu.org/licenses/lgpl-3.0.html'
            ProjectUri   = 'https://www.nfstream.org/'
            ReleaseNotes = 'First release: flow engine, Get-NFFlow, Export-NFFlowCsv.'
        }
    }
}
