<#
.SYNOPSIS
    The capturing side of the live soak (run by run-soak.sh through out/nfstream): Start-NFCapture on the near
    end of the veth pair, flows streamed into flows.csv, a performance report every few seconds, and the packet
    accounting written to stats.txt at the end.
#>
param(
    [Parameter(Mandatory)] [string] $Interface,
    [Parameter(Mandatory)] [double] $Duration,
    [Parameter(Mandatory)] [string] $Directory,
    [int] $IdleTimeout = 5,
    [int] $ReportEvery = 10
)
$ErrorActionPreference = 'Stop'
$csv = [IO.Path]::Combine($Directory, 'flows.csv')
Start-NFCapture -Interface $Interface -Duration $Duration -IdleTimeout $IdleTimeout -PerformanceReport $ReportEvery `
    -StatisticsVariable stats -Verbose | Export-NFFlowCsv -Path $csv -Force

$lines = @(
    "packets_received=$($stats.Live.PacketsReceived)"
    "packets_read=$($stats.PacketsRead)"
    "packets_metered=$($stats.PacketsMetered)"
    "packets_ignored=$($stats.PacketsIgnored)"
    "dropped_by_kernel=$($stats.Live.DroppedByKernel)"
    "dropped_by_interface=$($stats.Live.DroppedByInterface)"
    "dropped_by_queue=$($stats.Live.DroppedByQueue)"
    "flows_emitted=$($stats.FlowsEmitted)"
    "flows_evicted=$($stats.FlowsEvicted)"
)
[IO.File]::WriteAllLines([IO.Path]::Combine($Directory, 'stats.txt'), [string[]] $lines)
