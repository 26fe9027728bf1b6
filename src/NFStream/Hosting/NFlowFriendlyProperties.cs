using System.Management.Automation;
using NFStream.Engine;

namespace NFStream.Hosting;

/// <summary>
/// PowerShell-friendly views of NFStream's millisecond columns, added to NFlow by NFStream.types.ps1xml as
/// hidden code properties: <c>$flow.duration</c> (TimeSpan), <c>$flow.start_time</c> and <c>$flow.end_time</c>
/// (DateTimeOffset, UTC), and <c>$flow.source</c>, the capture the flow came from. Hidden, so that the column list (<c>$flow.PSObject.Properties</c>, Export-Csv,
/// ConvertTo-Json) stays exactly NFStream's; <c>Get-Member -Force</c> shows them.
/// </summary>
public static class NFlowFriendlyProperties
{
    /// <summary>bidirectional_duration_ms as a TimeSpan.</summary>
    public static TimeSpan Duration(PSObject instance) =>
        TimeSpan.FromMilliseconds(Flow(instance).bidirectional_duration_ms);

    /// <summary>bidirectional_first_seen_ms as a UTC DateTimeOffset.</summary>
    public static DateTimeOffset StartTime(PSObject instance) =>
        DateTimeOffset.FromUnixTimeMilliseconds((long)Flow(instance).bidirectional_first_seen_ms);

    /// <summary>bidirectional_last_seen_ms as a UTC DateTimeOffset.</summary>
    public static DateTimeOffset EndTime(PSObject instance) =>
        DateTimeOffset.FromUnixTimeMilliseconds((long)Flow(instance).bidirectional_last_seen_ms);

    /// <summary>The capture the flow came from (file path, or interface of a live capture): NFlow's <c>source</c>.</summary>
    public static string Source(PSObject instance) => Flow(instance).source;

    private static NFlow Flow(PSObject instance) => (NFlow)instance.BaseObject;
}
