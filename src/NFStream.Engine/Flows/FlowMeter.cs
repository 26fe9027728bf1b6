using System.Runtime.CompilerServices;
using NFStream.Engine.Decoding;
using NFStream.Engine.Dpi;
using NFStream.Engine.Features;
using NFStream.Engine.Plugins;

namespace NFStream.Engine.Flows;

/// <summary>
/// One flow meter (NFStream's meter_workflow + lib_engine.c's flow layer): keeps the flow cache, applies the
/// idle and active timeouts in NFStream's order, runs the idle scan every 10 ms of packet time, updates the
/// counters and statistics, and queues expired flows in the order they expire.
/// </summary>
public sealed class FlowMeter : IDisposable
{
    /// <summary>expiration_id of a flow evicted early because the cache reached its bound.</summary>
    public const int EvictedExpirationId = 2;
    private const ulong ScanIntervalMs = 10;
    private const int ScanBudget = 1000;

    private readonly FlowOptions options;
    private readonly IFlowClassifier? classifier;
    // The classifier on a thread of its own (FlowOptions.DpiOnOwnThread): every call to it goes through here.
    // Made at the first flow, not with the meter: a file opened ahead of its turn (-ThrottleLimit) starts no
    // thread and takes no nDPI module from the pool until it is metered.
    private DpiThread? dpiThread;
    private readonly bool classifyOnThread;
    private readonly int nDissections;
    private bool classifierEnded;
    private readonly IFlowPlugin[] plugins;
    private readonly NFPacket? pluginPacket;
    // Trailing plugins that score expired flows in batches (see IBatchingFlowPlugin): plugins from index
    // firstDeferred on get ExpireDeferred, and the batch completes before the meter call that expired them returns.
    private readonly IBatchingFlowPlugin[] batching;
    private readonly int firstDeferred;
    private bool batchPending;
    private readonly FlowCache cache;
    private readonly Queue<NFlow> expired = new();
    private readonly ulong idleMs, activeMs;
    private readonly bool statistics;
    private readonly int splt;
    private readonly FlowColumnSet columns;
    private ulong tick, lastScanTick;
    private long nextId;
    // Sharded mode (one of several meters, see ShardedMeters): the reader decides the scan points and clamps
    // the clock, and every change to the flow set is logged with the packet position instead of queued.
    private MeterEventLog? log;
    private long position;

    public FlowMeter(FlowOptions options, IFlowClassifier? classifier = null, IReadOnlyList<IFlowPlugin>? plugins = null)
    {
        this.options = options;
        this.classifier = options.UsesDpi ? classifier : null;
        this.plugins = plugins?.ToArray() ?? Array.Empty<IFlowPlugin>();
        if (this.plugins.Length > 0) pluginPacket = new NFPacket();
        foreach (var plugin in this.plugins)
            if (plugin is IFlowPluginRequirements needs && needs.CheckOptions(options) is { } problem)
                throw new ArgumentException(problem, nameof(plugins));
        firstDeferred = this.plugins.Length;
        while (firstDeferred > 0 && this.plugins[firstDeferred - 1] is IBatchingFlowPlugin) firstDeferred--;
        batching = this.plugins.Skip(firstDeferred).Cast<IBatchingFlowPlugin>().ToArray();
        idleMs = options.IdleTimeoutMs;
        activeMs = options.ActiveTimeoutMs;
        statistics = options.StatisticalAnalysis;
        splt = options.SpltAnalysis;
        columns = options.Columns;
        // 1,024 flows to start with; the table grows at half full. Sized for the largest caches up front (2 MiB), it
        // cost every short run an allocation on the large-object heap, and with it a full collection.
        cache = new FlowCache(Math.Min(options.MaxActiveFlows, 1 << 10));
        classifyOnThread = this.classifier is not null && options.DpiOnOwnThread && this.plugins.Length == 0;
        nDissections = options.NDissections;
    }

    /// <summary>A meter of a sharded run: logs creations and expiries into <see cref="Log"/> (no plugins).</summary>
    internal FlowMeter(FlowOptions options, IFlowClassifier? classifier, int maxActiveFlows, MeterEventLog log)
        : this(options with { MaxActiveFlows = maxActiveFlows, DpiOnOwnThread = false }, classifier)
    {
        this.log = log;
    }

    /// <summary>Sharded mode: where creations and expiries go (the current batch's log).</summary>
    internal MeterEventLog Log
    {
        set => log = value;
    }

    /// <summary>The capture (path or interface) that new flows are stamped with as their <c>source</c>.</summary>
    public string? Source { get; set; }

    /// <summary>Flows currently held.</summary>
    public int ActiveFlows => cache.Count;

    /// <summary>Flows evicted early because the cache was full.</summary>
    public long EvictedFlows { get; private set; }

    /// <summary>Flows this meter created (and so allocated, on the thread that runs it).</summary>
    internal long CreatedFlows { get; private set; }

    /// <summary>The meter's clock: the latest packet time seen (ms).</summary>
    public ulong ClockMs => tick;

    /// <summary>Takes the next expired flow, in expiry order.</summary>
    public bool TryTakeExpired(out NFlow flow)
    {
        if (dpiThread is not null && !HeadReady())
        {
            flow = null!;
            return false;
        }
        return expired.TryDequeue(out flow!);
    }

    /// <summary>Expired flows waiting to be taken (with nDPI on its own thread: whether the next one is ready).</summary>
    public int PendingExpired => dpiThread is null ? expired.Count : HeadReady() ? expired.Count : 0;

    private bool HeadReady() => expired.TryPeek(out var head) && dpiThread!.IsFinished(head.DpiTicket);

    /// <summary>Meters one parsed packet that belongs to this meter.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void Process(ref ParsedPacket pkt, ReadOnlySpan<byte> frame)
    {
        if (pkt.TimeMs > tick) tick = pkt.TimeMs;
        else pkt.TimeMs = tick;
        bool scan = tick - lastScanTick >= ScanIntervalMs;
        if (scan) lastScanTick = tick;
        Consume(ref pkt, frame);
        if (scan) Scan();
        if (batchPending) CompleteBatches();
    }

    /// <summary>
    /// Sharded mode: meters a packet whose time the reader has already clamped, at global packet
    /// <paramref name="packetPosition"/>; no scan (the reader sends the scan points).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal void ProcessAt(ref ParsedPacket pkt, ReadOnlySpan<byte> frame, long packetPosition)
    {
        tick = pkt.TimeMs;
        position = packetPosition;
        Consume(ref pkt, frame);
    }

    /// <summary>
    /// Sharded mode: the idle scan at a global scan point, with no budget, so that a flow never leaves this
    /// meter later than it leaves NFStream's single cache (the sequencer relies on it).
    /// </summary>
    internal void ScanAt(ulong timeMs, long scanPosition)
    {
        if (timeMs > tick) tick = timeMs;
        position = scanPosition;
        Scan(int.MaxValue);
    }

    /// <summary>A parsed packet that belongs to another meter: it only advances the clock (and may scan).</summary>
    public void Tick(ulong timeMs)
    {
        if (timeMs > tick) tick = timeMs;
        if (tick - lastScanTick >= ScanIntervalMs)
        {
            Scan();
            lastScanTick = tick;
        }
        if (batchPending) CompleteBatches();
    }

    /// <summary>Advances the clock by wall time (live capture on a quiet link) and runs the idle scan.</summary>
    public void AdvanceClock(ulong timeMs) => Tick(timeMs);

    /// <summary>End of input: expires every cached flow in creation order.</summary>
    public void Flush()
    {
        while (cache.Oldest is { } flow)
        {
            cache.Remove(flow);
            Expire(flow, MeterEventKind.Flushed);
        }
        if (batchPending) CompleteBatches();
        dpiThread?.Drain();
        EndClassification();
    }

    /// <summary>
    /// The input is over and every flow's layer-7 result is set: stops the classifier thread and frees the
    /// classifier now, so that an nDPI module from a pool goes back at once, for the next capture of the call,
    /// rather than once this capture's flows have all been written.
    /// </summary>
    private void EndClassification()
    {
        if (classifier is null || classifierEnded) return;
        classifierEnded = true;
        dpiThread?.Dispose();
        classifier.Dispose();
    }

    /// <summary>
    /// Completes the batching plugins' work on the flows that expired in this meter call, before any of them is
    /// handed out. A failed batch's flows are withheld (a flow never leaves without its plugin values).
    /// </summary>
    private void CompleteBatches()
    {
        batchPending = false;
        foreach (var plugin in batching)
        {
            try
            {
                plugin.CompleteBatch();
            }
            catch (FlowPluginException e)
            {
                Withhold(e.Unfinished);
                throw;
            }
        }
    }

    private void Withhold(IReadOnlyList<NFlow> flows)
    {
        if (flows.Count == 0) return;
        var drop = new HashSet<NFlow>(flows, ReferenceEqualityComparer.Instance);
        int n = expired.Count;
        for (int i = 0; i < n; i++)
        {
            var flow = expired.Dequeue();
            if (!drop.Contains(flow)) expired.Enqueue(flow);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void Consume(ref ParsedPacket pkt, ReadOnlySpan<byte> frame)
    {
        var key = FlowKey.From(pkt, out bool sourceFirst);
        if (cache.TryGet(key, out var flow))
        {
            int reason = Update(flow, ref pkt, frame, sourceFirst);
            if (reason != 0)
            {
                cache.Remove(flow);
                flow.expiration_id = reason - 1;
                Expire(flow, MeterEventKind.ExpiredByPacket);
                Create(key, sourceFirst, ref pkt, frame);
            }
            else if (plugins.Length != 0)
            {
                pluginPacket!.Load(pkt, frame, flow);
                foreach (var plugin in plugins) plugin.OnUpdate(pluginPacket, flow);
                if (flow.expiration_id == -1)
                {
                    cache.Remove(flow);
                    Expire(flow);
                }
            }
        }
        else
        {
            Create(key, sourceFirst, ref pkt, frame);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void Create(in FlowKey key, bool sourceFirst, ref ParsedPacket pkt, ReadOnlySpan<byte> frame)
    {
        var flow = Init(key, sourceFirst, ref pkt, frame);
        CreatedFlows++;
        if (plugins.Length != 0)
        {
            pluginPacket!.Load(pkt, frame, flow);
            foreach (var plugin in plugins) plugin.OnInit(pluginPacket, flow);
            if (flow.expiration_id == -1)
            {
                Expire(flow);
                return;
            }
        }
        if (cache.Count >= options.MaxActiveFlows && cache.Oldest is { } victim)
        {
            cache.Remove(victim);
            victim.expiration_id = EvictedExpirationId;
            EvictedFlows++;
            Expire(victim, MeterEventKind.Evicted);
        }
        cache.Add(flow);
        log?.Add(flow, position, MeterEventKind.Created);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void Scan(int budget = ScanBudget)
    {
        int scanned = 0;
        while (scanned < budget && cache.Oldest is { } flow)
        {
            if (tick < idleMs || tick - idleMs < flow.BiLast) break;
            cache.Remove(flow);
            Expire(flow, MeterEventKind.Scanned);
            scanned++;
        }
    }

    /// <summary>Flows leave in the order they expire, so that order gives the ids (before OnExpire runs).</summary>
    private void Expire(NFlow flow, MeterEventKind kind = MeterEventKind.ExpiredByPacket)
    {
        if (log is not null)
        {
            // Ids and output order are the sequencer's; this meter only reports when and why.
            if (classifier is not null) flow.L7 = classifier.Finish(ref flow.Dpi);
            log.Add(flow, position, kind);
            return;
        }
        flow.id = nextId++;
        if (dpiThread is not null) flow.DpiTicket = dpiThread.Finish(flow);
        else if (classifier is not null) flow.L7 = classifier.Finish(ref flow.Dpi);
        if (plugins.Length != 0) ExpirePlugins(flow);
        expired.Enqueue(flow);
    }

    private void ExpirePlugins(NFlow flow)
    {
        try
        {
            for (int i = 0; i < firstDeferred; i++) plugins[i].OnExpire(flow);
            for (int i = 0; i < batching.Length; i++)
            {
                batching[i].ExpireDeferred(flow);
                batchPending = true;
            }
        }
        catch (FlowPluginException e)
        {
            Withhold(e.Unfinished);
            throw;
        }
        catch when (batchPending)
        {
            // Another plugin failed: the flows batched so far still get their values before they are handed out.
            CompleteBatches();
            throw;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private ushort SizeOf(in ParsedPacket p) => options.AccountingMode switch
    {
        AccountingMode.LinkLayer => p.RawSize,
        AccountingMode.IP => p.IpSize,
        AccountingMode.Transport => p.TransportSize,
        _ => p.PayloadSize,
    };

    /// <summary>The packet's octets as IPFIX defines them (IP header and payload): IPv6's payload length excludes its 40-byte header.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static uint IpOctets(in ParsedPacket p) => p.IpVersion == 6 ? p.IpSize + 40u : p.IpSize;

    private static ReadOnlySpan<byte> IpContent(in ParsedPacket p, ReadOnlySpan<byte> frame) =>
        frame.Slice(p.IpOffset, Math.Min(p.IpLength, frame.Length - p.IpOffset));

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private NFlow Init(in FlowKey key, bool sourceFirst, ref ParsedPacket p, ReadOnlySpan<byte> frame)
    {
        ushort size = SizeOf(p);
        var f = new NFlow { Key = key, SourceFirst = sourceFirst, ColumnSet = columns, id = -1, SourceName = Source };
        if (splt > 0) f.Splt = SpltSeries.Start(splt, size);
        if (classifyOnThread) (dpiThread ??= new DpiThread(classifier!, nDissections)).Begin(f, IpContent(p, frame), p.TimeMs);
        else classifier?.Begin(ref f.Dpi, IpContent(p, frame), p.TimeMs);
        f.BiFirst = f.BiLast = p.TimeMs;
        f.tunnel_id = p.TunnelId;
        f.ip_version = p.IpVersion;
        f.SrcIpHi = p.SrcHi;
        f.SrcIpLo = p.SrcLo;
        f.DstIpHi = p.DstHi;
        f.DstIpLo = p.DstLo;
        f.SrcMacValue = p.SrcMac;
        f.DstMacValue = p.DstMac;
        f.src_port = p.SrcPort;
        f.dst_port = p.DstPort;
        f.protocol = p.Protocol;
        f.vlan_id = p.VlanId;
        f.BiPackets = 1;
        f.BiBytes = size;
        f.S2dFirst = f.S2dLast = p.TimeMs;
        f.S2dPackets = 1;
        f.S2dBytes = size;
        f.S2dIpOctets = IpOctets(p);
        if (statistics)
        {
            f.BiPs.Init(size);
            f.BiFlags.Add(p.TcpFlags);
            f.S2dPs.Init(size);
            f.S2dFlags.Add(p.TcpFlags);
        }
        p.Direction = 0;
        p.DeltaTimeMs = 0;
        return f;
    }

    /// <returns>0 when updated, 1 when the flow is idle-expired, 2 when active-expired (the packet is not counted).</returns>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private int Update(NFlow f, ref ParsedPacket p, ReadOnlySpan<byte> frame, bool sourceFirst)
    {
        ulong t = p.TimeMs;
        if (t - f.BiLast >= idleMs) return 1;
        if (t - f.BiFirst >= activeMs) return 2;
        // NFStream compares the packet's source and destination with the flow's; within one key, that is
        // whether the packet's source sorts first as the flow's did (without reading the flow's addresses).
        byte dir = (byte)(sourceFirst == f.SourceFirst ? 0 : 1);
        p.Direction = dir;
        ushort size = SizeOf(p);
        ulong piat = t - f.BiLast;
        p.DeltaTimeMs = piat;
        f.BiPackets++;
        if (f.BiPackets <= (ulong)splt) SpltSeries.Record(f.Splt!, f.BiPackets - 1, dir, size, piat);
        f.BiLast = t;
        if (dpiThread is not null) dpiThread.Update(f, IpContent(p, frame), t, f.BiPackets);
        else classifier?.Update(ref f.Dpi, IpContent(p, frame), t, f.BiPackets);
        f.BiBytes += size;
        if (statistics)
        {
            f.BiFlags.Add(p.TcpFlags);
            f.BiPs.Update(size, f.BiPackets);
            f.BiPiat.Add(piat, f.BiPackets);
        }
        if (dir == 0)
        {
            f.S2dPackets++;
            ulong gap = t - f.S2dLast;
            f.S2dLast = t;
            f.S2dBytes += size;
            f.S2dIpOctets += IpOctets(p);
            if (statistics)
            {
                f.S2dPs.Update(size, f.S2dPackets);
                f.S2dFlags.Add(p.TcpFlags);
                f.S2dPiat.Add(gap, f.S2dPackets);
            }
        }
        else
        {
            f.D2sPackets++;
            f.D2sBytes += size;
            f.D2sIpOctets += IpOctets(p);
            if (f.D2sPackets == 1)
            {
                f.D2sFirst = f.D2sLast = t;
                if (statistics)
                {
                    f.D2sPs.Init(size);
                    f.D2sFlags.Add(p.TcpFlags);
                }
            }
            else
            {
                ulong gap = t - f.D2sLast;
                f.D2sLast = t;
                if (statistics)
                {
                    f.D2sPs.Update(size, f.D2sPackets);
                    f.D2sFlags.Add(p.TcpFlags);
                    f.D2sPiat.Add(gap, f.D2sPackets);
                }
            }
        }
        return 0;
    }

    /// <summary>
    /// Releases classifier state of flows still cached (for example after cancellation), then the classifier
    /// itself: the meter owns it (one nDPI detection module per meter).
    /// </summary>
    public void Dispose()
    {
        if (classifier is null || classifierEnded) return;
        dpiThread?.Dispose();   // first: afterwards the classifier is this thread's again
        for (var f = cache.Oldest; f is not null; f = f.Newer) classifier.Release(ref f.Dpi);
        classifier.Dispose();
    }
}
