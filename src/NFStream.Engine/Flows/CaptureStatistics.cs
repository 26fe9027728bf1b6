using NFStream.Engine.Capture;
using NFStream.Engine.Decoding;

namespace NFStream.Engine.Flows;

/// <summary>
/// Packet accounting of a run: every packet read is either metered (counted in exactly one flow) or ignored
/// with a reason.
/// </summary>
public sealed class CaptureStatistics
{
    private readonly long[] ignored = new long[Enum.GetValues<IgnoreReason>().Length];

    /// <summary>What was read: a file, several files read as one capture, or an interface.</summary>
    public string Source { get; set; } = "";

    public long PacketsRead { get; internal set; }
    public long PacketsMetered { get; internal set; }
    public long BytesRead { get; internal set; }
    public long FlowsEmitted { get; internal set; }
    /// <summary>Flows emitted early (expiration_id 2) because -MaxActiveFlows flows were held; included in
    /// <see cref="FlowsEmitted"/> once they are taken.</summary>
    public long FlowsEvicted { get; internal set; }
    public TimeSpan Elapsed { get; internal set; }

    /// <summary>A live capture's counters (received, dropped by the kernel, the interface, the queue); null for files.</summary>
    public LiveCaptureCounters? Live { get; set; }

    public long PacketsIgnored => ignored.Sum();

    public long Ignored(IgnoreReason reason) => ignored[(int)reason];

    /// <summary>Ignored packets by reason, only the reasons that occurred.</summary>
    public IReadOnlyDictionary<IgnoreReason, long> IgnoredByReason =>
        Enum.GetValues<IgnoreReason>().Where(r => ignored[(int)r] != 0).ToDictionary(r => r, r => ignored[(int)r]);

    internal void CountIgnored(IgnoreReason reason) => ignored[(int)reason]++;

    public double PacketsPerSecond => Elapsed.TotalSeconds > 0 ? PacketsRead / Elapsed.TotalSeconds : 0;

    public override string ToString()
    {
        var reasons = string.Join(", ", IgnoredByReason.Select(kv => $"{kv.Key} {kv.Value}"));
        return $"{(Source.Length > 0 ? Source + ": " : "")}{PacketsRead} packets read, {PacketsMetered} metered, {PacketsIgnored} ignored" +
               (reasons.Length > 0 ? $" ({reasons})" : "") +
               $", {FlowsEmitted} flows" + (FlowsEvicted > 0 ? $" ({FlowsEvicted} evicted early by -MaxActiveFlows)" : "") +
               $", {Elapsed.TotalSeconds:0.###} s, {PacketsPerSecond:0} packets/s" +
               (Live is null ? "" : $"; {Live}");
    }
}
