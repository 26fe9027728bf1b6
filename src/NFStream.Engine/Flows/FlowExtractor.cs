using System.Diagnostics;
using System.Runtime.CompilerServices;
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
/// <remarks>
/// With <see cref="FlowOptions.Meters"/> above 1 (and no plugins) the caller's thread reads and decodes, and
/// the flows are metered on that many threads (<see cref="ShardedMeters"/>); flows, values, ids and order are
/// those of one meter. Plugins run inside the meter, on the caller's thread, so a run with plugins always
/// uses one meter.
/// </remarks>
public sealed class FlowExtractor : IDisposable
{
    private readonly PacketDecoder decoder;
    private readonly FlowMeter? meter;
    private readonly ShardedMeters? sharded;
    private readonly BpfFilter? filter;
    private readonly long maxFlows;
    private readonly Stopwatch clock = new();
    private long taken;

    /// <param name="classifier">The classifier of the single meter, which owns and disposes it. With several meters, use the overload that takes a factory.</param>
    /// <param name="maxFlows">Stop after this many flows (NFStream max_nflows); 0 means no limit.</param>
    public FlowExtractor(FlowOptions options, IFlowClassifier? classifier = null, BpfFilter? filter = null,
        IReadOnlyList<IFlowPlugin>? plugins = null, long maxFlows = 0)
        : this(options, classifier is null ? null : () => classifier, filter, plugins, maxFlows, singleClassifier: true)
    {
    }

    /// <param name="createClassifier">Creates one classifier per meter (each meter thread gets its own
    /// nDPI module); not called unless <see cref="FlowOptions.UsesDpi"/>.</param>
    /// <param name="maxFlows">Stop after this many flows (NFStream max_nflows); 0 means no limit.</param>
    public FlowExtractor(FlowOptions options, Func<IFlowClassifier?>? createClassifier, BpfFilter? filter = null,
        IReadOnlyList<IFlowPlugin>? plugins = null, long maxFlows = 0)
        : this(options, createClassifier, filter, plugins, maxFlows, singleClassifier: false)
    {
    }

    /// <summary>
    /// A run with the engine's own classifier: one nDPI module per meter when <see cref="FlowOptions.UsesDpi"/>,
    /// none otherwise. Throws <see cref="DpiUnavailableException"/> (before reading anything) when nDPI is needed
    /// and cannot be loaded.
    /// </summary>
    /// <param name="maxFlows">Stop after this many flows (NFStream max_nflows); 0 means no limit.</param>
    public static FlowExtractor Create(FlowOptions options, BpfFilter? filter = null,
        IReadOnlyList<IFlowPlugin>? plugins = null, long maxFlows = 0) =>
        new(options, options.UsesDpi ? () => FlowClassifierFactory.Create(options.NDissections) : null, filter,
            plugins, maxFlows);

    private FlowExtractor(FlowOptions options, Func<IFlowClassifier?>? createClassifier, BpfFilter? filter,
        IReadOnlyList<IFlowPlugin>? plugins, long maxFlows, bool singleClassifier)
    {
        Options = options;
        decoder = new PacketDecoder(options.DecodeTunnels);
        bool dpi = options.UsesDpi && createClassifier is not null;
        int meters = plugins is { Count: > 0 } ? 1 : options.ResolveMeters(Environment.ProcessorCount);
        if (meters > 1 && dpi && singleClassifier)
            throw new ArgumentException(
                "Several meters need one classifier each: pass a classifier factory instead of a classifier.",
                nameof(createClassifier));
        Meters = meters;
        if (meters == 1)
        {
            meter = new FlowMeter(options, dpi ? createClassifier!() : null, plugins);
        }
        else
        {
            var classifiers = new List<IFlowClassifier?>();
            try
            {
                for (int i = 0; i < meters && dpi; i++) classifiers.Add(createClassifier!());
                sharded = new ShardedMeters(options, meters, classifiers);
            }
            catch
            {
                foreach (var c in classifiers) c?.Dispose();
                throw;
            }
        }
        this.filter = filter;
        this.maxFlows = maxFlows;
    }

    public FlowOptions Options { get; }

    /// <summary>Meter threads this run uses (1: metering on the caller's thread).</summary>
    public int Meters { get; }

    public CaptureStatistics Statistics { get; } = new();

    /// <summary>True once -MaxFlows flows have been handed out: nothing more will come.</summary>
    public bool Completed => maxFlows > 0 && taken >= maxFlows;

    /// <summary>Flows that a sharded run's meter 0 created on the caller's thread (0 with one meter).</summary>
    internal long FlowsCreatedOnCallerThread => sharded?.CreatedOnCallerThread ?? 0;

    /// <summary>Flows held by the meter right now.</summary>
    public int ActiveFlows => meter?.ActiveFlows ?? sharded!.ActiveFlows;

    /// <summary>
    /// Reads and meters up to <paramref name="maxPackets"/> packets. Returns false when the source has no more
    /// packets. Throws <see cref="CaptureFileException"/> when the source is corrupt; what was metered stays.
    /// </summary>
    public bool Pump(IPacketSource source, int maxPackets)
    {
        clock.Start();
        try
        {
            // New flows are stamped with the capture their first packet came from.
            if (meter is not null) meter.Source = source.Name;
            else if (!ReferenceEquals(sharded!.Source, source.Name)) sharded.Source = source.Name;
            return sharded is null ? PumpSingle(source, maxPackets) : PumpSharded(source, maxPackets);
        }
        finally
        {
            clock.Stop();
            Statistics.Elapsed = clock.Elapsed;
            Statistics.FlowsEvicted = meter?.EvictedFlows ?? sharded!.EvictedFlows;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private bool PumpSingle(IPacketSource source, int maxPackets)
    {
        var parsed = new ParsedPacket();
        var meter = this.meter!;
        for (int n = 0; n < maxPackets; n++)
        {
            if (Completed) return false;
            var step = ReadOne(source, ref parsed, out var record);
            if (step == ReadStep.End) return false;
            if (step == ReadStep.Ignored) continue;
            meter.Process(ref parsed, record.Data);
            if (meter.PendingExpired > 0 && n + 1 < maxPackets) return true;
        }
        return true;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private bool PumpSharded(IPacketSource source, int maxPackets)
    {
        var parsed = new ParsedPacket();
        var sharded = this.sharded!;
        try
        {
            for (int n = 0; n < maxPackets; n++)
            {
                if (Completed) return false;
                var step = ReadOne(source, ref parsed, out var record);
                if (step == ReadStep.End) return false;
                if (step == ReadStep.Metered) sharded.Add(ref parsed, record.Data);
            }
            return true;
        }
        finally
        {
            sharded.Submit();
        }
    }

    private enum ReadStep : byte { End, Ignored, Metered }

    /// <summary>Reads one packet, filters and decodes it, and counts it as metered or ignored.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private ReadStep ReadOne(IPacketSource source, ref ParsedPacket parsed, out PacketRecord record)
    {
        if (!source.TryRead(out record)) return ReadStep.End;
        Statistics.PacketsRead++;
        Statistics.BytesRead += record.Data.Length;
        if (filter is not null && !filter.Matches(record.LinkType, record.Data))
        {
            Statistics.CountIgnored(IgnoreReason.Filtered);
            return ReadStep.Ignored;
        }
        var reason = decoder.Decode(record.LinkType, record.Data, record.WireLength, record.TimeMs, ref parsed);
        if (reason != IgnoreReason.None)
        {
            Statistics.CountIgnored(reason);
            return ReadStep.Ignored;
        }
        Statistics.PacketsMetered++;
        return ReadStep.Metered;
    }

    /// <summary>Advances the meter's clock without a packet (live capture on a quiet link).</summary>
    public void AdvanceClock(ulong timeMs)
    {
        if (meter is not null)
        {
            meter.AdvanceClock(timeMs);
        }
        else
        {
            // The scan point goes to the meters at once; its flows come out of TryTakeFlow when they are done.
            sharded!.AdvanceClock(timeMs);
            sharded.Submit();
        }
    }

    /// <summary>Takes the next expired flow (its id is its place in expiry order). False when none is waiting or the run is complete.</summary>
    public bool TryTakeFlow(out NFlow flow)
    {
        if (Completed || !(meter is not null ? meter.TryTakeExpired(out flow!) : sharded!.TryTakeFlow(out flow!)))
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
        if (meter is not null)
        {
            meter.Flush();
            Statistics.FlowsEvicted = meter.EvictedFlows;
        }
        else
        {
            sharded!.Finish();
            Statistics.FlowsEvicted = sharded.EvictedFlows;
        }
    }

    public void Dispose()
    {
        meter?.Dispose();
        sharded?.Dispose();
        filter?.Dispose();
    }
}
