using System.Diagnostics;
using NFStream.Engine.Capture;
using NFStream.Engine.Decoding;
using NFStream.Engine.Dpi;
using NFStream.Engine.Plugins;

namespace NFStream.Engine.Flows;

/// <summary>
/// One capture run: reads packets from one or more sources in turn (their flow cache and clock carry across,
/// like NFStream's list source), decodes and meters them, and hands out expired flows with sequential ids.
/// Pull-based, so the caller decides where flows go and can stop between batches.
/// </summary>
public sealed class FlowExtractor : IDisposable
{
    private readonly PacketDecoder decoder;
    private readonly FlowMeter meter;
    private readonly BpfFilter? filter;
    private readonly long maxFlows;
    private readonly Stopwatch clock = new();
    private long taken;

    /// <param name="classifier">The nDPI classifier; the extractor owns it and disposes it.</param>
    /// <param name="maxFlows">Stop after this many flows (NFStream max_nflows); 0 means no limit.</param>
    public FlowExtractor(FlowOptions options, IFlowClassifier? classifier = null, BpfFilter? filter = null,
        IReadOnlyList<IFlowPlugin>? plugins = null, long maxFlows = 0)
    {
        Options = options;
        decoder = new PacketDecoder(options.DecodeTunnels);
        meter = new FlowMeter(options, classifier, plugins);
        this.filter = filter;
        this.maxFlows = maxFlows;
    }

    public FlowOptions Options { get; }

    public CaptureStatistics Statistics { get; } = new();

    /// <summary>True once -MaxFlows flows have been handed out: nothing more will come.</summary>
    public bool Completed => maxFlows > 0 && taken >= maxFlows;

    /// <summary>Flows held by the meter right now.</summary>
    public int ActiveFlows => meter.ActiveFlows;

    /// <summary>
    /// Reads and meters up to <paramref name="maxPackets"/> packets. Returns false when the source has no more
    /// packets. Throws <see cref="CaptureFileException"/> when the source is corrupt; what was metered stays.
    /// </summary>
    public bool Pump(IPacketSource source, int maxPackets)
    {
        clock.Start();
        try
        {
            var parsed = new ParsedPacket();
            for (int n = 0; n < maxPackets; n++)
            {
                if (Completed) return false;
                if (!source.TryRead(out var record)) return false;
                Statistics.PacketsRead++;
                Statistics.BytesRead += record.Data.Length;
                if (filter is not null && !filter.Matches(record.LinkType, record.Data))
                {
                    Statistics.CountIgnored(IgnoreReason.Filtered);
                    continue;
                }
                var reason = decoder.Decode(record.LinkType, record.Data, record.WireLength, record.TimeMs, ref parsed);
                if (reason != IgnoreReason.None)
                {
                    Statistics.CountIgnored(reason);
                    continue;
                }
                Statistics.PacketsMetered++;
                meter.Process(ref parsed, record.Data);
                if (meter.PendingExpired > 0 && n + 1 < maxPackets) return true;
            }
            return true;
        }
        finally
        {
            clock.Stop();
            Statistics.Elapsed = clock.Elapsed;
            Statistics.FlowsEvicted = meter.EvictedFlows;
        }
    }

    /// <summary>Advances the meter's clock without a packet (live capture on a quiet link).</summary>
    public void AdvanceClock(ulong timeMs) => meter.AdvanceClock(timeMs);

    /// <summary>Takes the next expired flow (its id is its place in expiry order). False when none is waiting or the run is complete.</summary>
    public bool TryTakeFlow(out NFlow flow)
    {
        if (Completed || !meter.TryTakeExpired(out flow!))
        {
            flow = null!;
            return false;
        }
        taken++;
        Statistics.FlowsEmitted++;
        return true;
    }

    /// <summary>End of input: expires every cached flow (creation order); take them with <see cref="TryTakeFlow"/>.</summary>
    public void Finish()
    {
        meter.Flush();
        Statistics.FlowsEvicted = meter.EvictedFlows;
    }

    public void Dispose()
    {
        meter.Dispose();
        filter?.Dispose();
    }
}
