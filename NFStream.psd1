@{
    RootModule           = 'NFStream.dll'
    # Column-name completion after a pipe for PowerShell's own cmdlets (Select-Object, Where-Object, ...).
    NestedModules        = @('NFStream.Completion.psm1')
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
    CmdletsToExport      = @('Get-NFFlow', 'Export-NFFlowCsv', 'Export-NFFlowParquet', 'New-NFSampleCapture', 'New-NFPlugin', 'Start-NFCapture', 'Get-NFInterface', 'Send-NFFlowIpfix')
    FunctionsToExport    = @()
    VariablesToExport    = @()
    AliasesToExport      = @()
    PrivateData          = @{
        PSData = @{
            Tags         = @('network', 'flow', 'pcap', 'pcapng', 'nfstream', 'ndpi', 'dpi', 'netflow', 'security', 'forensics', 'machine-learning', 'Linux')
            LicenseUri   = 'https://www.gnu.org/licenses/lgpl-3.0.html'
            # No ProjectUri until the project has a public home: NFStream's site documents the Python library.
            ReleaseNotes = @'
0.1.0
- Get-NFFlow: pcap/pcapng files to bidirectional flows with NFStream 6.5.4's semantics (timeouts, accounting
  modes, tunnels, statistics, SPLT, nDPI labels), -Continuous, -Meters, -BpfFilter, -MaxFlows.
- Start-NFCapture and Get-NFInterface: live capture with the same flow options.
- Export-NFFlowCsv: NFStream's CSV layout, chunking, BLAKE2b anonymisation, -Append, -WhatIf; signal-safe whole
  rows, formula-injection escaping, fixed column sets, exclusive write.
- Export-NFFlowParquet: typed Parquet datasets (SPLT as lists, snappy or zstd), valid after SIGTERM; -IncludeSource.
- Send-NFFlowIpfix: IPFIX (RFC 7011) over UDP or TCP to existing collectors, with nDPI application names.
- New-NFPlugin: scriptblock and compiled plugins (udps, custom expiry), and ONNX models (-OnnxModel, -AfterPackets).
- New-NFSampleCapture: a generated capture to try the module on.
- Column-name completion after a pipe; a default table that fits 80 columns.
'@
        }
    }
}
