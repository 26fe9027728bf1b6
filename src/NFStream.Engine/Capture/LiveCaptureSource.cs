using SharpPcap;
using SharpPcap.LibPcap;

namespace NFStream.Engine.Capture;

/// <summary>How to open a live capture (NFStream's live source parameters).</summary>
public sealed record LiveCaptureOptions(string Interface)
{
    public bool Promiscuous { get; init; } = true;
    public int SnapshotLength { get; init; } = 1536;
    /// <summary>Kernel buffer in bytes; null leaves libpcap's default.</summary>
    public int? BufferSize { get; init; }
    /// <summary>A BPF filter compiled into the kernel, so filtered packets never reach us.</summary>
    public string? Filter { get; init; }
    /// <summary>Bytes of the queue between the capture thread and the pipeline thread.</summary>
    public int QueueBytes { get; init; } = 32 << 20;
}

/// <summary>
/// A live interface as a packet source: a capture thread reads libpcap and copies packets into a bounded
/// <see cref="PacketRing"/>; the pipeline thread reads them with <see cref="TryRead"/> (false means "none right
/// now", not the end). Counts packets received, dropped by the kernel, by the interface and by our queue.
/// </summary>
public sealed class LiveCaptureSource : IPacketSource, IHasLinkType
{
    private readonly LibPcapLiveDevice device;
    private readonly PacketRing ring;
    private readonly Thread thread;
    private volatile bool stopRequested;
    private Exception? failure;
    private ICaptureStatistics? finalStatistics;
    private long captured;

    private LiveCaptureSource(LibPcapLiveDevice device, LiveCaptureOptions options)
    {
        this.device = device;
        Name = options.Interface;
        LinkType = (int)device.LinkType;
        ring = new PacketRing(options.QueueBytes);
        thread = new Thread(CaptureLoop) { IsBackground = true, Name = $"NFStream capture {options.Interface}" };
    }

    public string Name { get; }
    public int LinkType { get; }
    public long Position => 0;
    public long Length => 0;

    /// <summary>Packets the capture thread took from libpcap.</summary>
    public long Captured => Interlocked.Read(ref captured);

    /// <summary>Packets dropped because the pipeline did not keep up (our queue was full).</summary>
    public long QueueDropped => ring.Dropped;

    /// <summary>libpcap's counters: received, dropped by the kernel, dropped by the interface.</summary>
    public (long Received, long KernelDropped, long InterfaceDropped) KernelStatistics
    {
        get
        {
            var s = finalStatistics ?? TryStatistics();
            return s is null ? (Captured, 0, 0) : (s.ReceivedPackets, s.DroppedPackets, s.InterfaceDroppedPackets);
        }
    }

    /// <summary>Opens the interface and starts capturing.</summary>
    public static LiveCaptureSource Start(LiveCaptureOptions options)
    {
        LibPcapLiveDevice? device;
        try
        {
            device = LibPcapLiveDeviceList.New().FirstOrDefault(d => d.Name == options.Interface);
        }
        catch (Exception e) when (e is DllNotFoundException or TypeInitializationException or EntryPointNotFoundException)
        {
            throw new LiveCaptureException(options.Interface, LiveCaptureProblem.LibpcapMissing,
                "Live capture needs libpcap (on Debian: apt-get install libpcap0.8).", e);
        }
        if (device is null)
        {
            string known = string.Join(", ", CaptureInterface.List().Select(i => i.Name));
            throw new LiveCaptureException(options.Interface, LiveCaptureProblem.UnknownInterface,
                $"There is no interface '{options.Interface}'. Interfaces: {known}.");
        }
        try
        {
            device.Open(new DeviceConfiguration
            {
                Mode = options.Promiscuous ? DeviceModes.Promiscuous : DeviceModes.None,
                Snaplen = options.SnapshotLength,
                ReadTimeout = 100,
                KernelBufferSize = options.BufferSize,
                Immediate = true,
            });
            if (!string.IsNullOrEmpty(options.Filter)) device.Filter = options.Filter;
        }
        catch (Exception e) when (e is PcapException or InvalidOperationException or ArgumentException)
        {
            device.Close();
            bool denied = e.Message.Contains("permission", StringComparison.OrdinalIgnoreCase)
                          || e.Message.Contains("not permitted", StringComparison.OrdinalIgnoreCase);
            throw denied
                ? new LiveCaptureException(options.Interface, LiveCaptureProblem.PermissionDenied,
                    $"Capturing on '{options.Interface}' needs root or the CAP_NET_RAW capability " +
                    "(for example: sudo setcap cap_net_raw,cap_net_admin=eip \"$(readlink -f \"$(command -v dotnet)\")\"). libpcap said: " + e.Message, e)
                : new LiveCaptureException(options.Interface, LiveCaptureProblem.Failed,
                    $"Cannot capture on '{options.Interface}': {e.Message}", e);
        }
        var source = new LiveCaptureSource(device, options);
        source.thread.Start();
        return source;
    }

    private void CaptureLoop()
    {
        try
        {
            while (!stopRequested)
            {
                var status = device.GetNextPacket(out PacketCapture packet);
                if (status == GetPacketStatus.PacketRead)
                {
                    var header = packet.Header.Timeval;
                    ulong timeMs = header.Seconds * 1000 + header.MicroSeconds / 1000;
                    Interlocked.Increment(ref captured);
                    uint wire = packet.Header is PcapHeader pcapHeader ? pcapHeader.PacketLength : (uint)packet.Data.Length;
                    ring.TryWrite(packet.Data, wire, timeMs);
                }
                else if (status == GetPacketStatus.Error)
                {
                    throw new LiveCaptureException(Name, LiveCaptureProblem.Failed, $"Capture on '{Name}' failed: {device.LastError}");
                }
            }
        }
        catch (Exception e)
        {
            failure = e;
        }
        finally
        {
            finalStatistics = TryStatistics();
        }
    }

    private ICaptureStatistics? TryStatistics()
    {
        try
        {
            return device.Opened ? device.Statistics : null;
        }
        catch (Exception e) when (e is PcapException or InvalidOperationException)
        {
            return null;
        }
    }

    public bool TryRead(out PacketRecord packet)
    {
        if (ring.TryRead(out var data, out uint wire, out ulong timeMs))
        {
            packet = new PacketRecord(data, wire, timeMs, LinkType, 0);
            return true;
        }
        if (failure is { } e) throw e is LiveCaptureException ? e : new LiveCaptureException(Name, LiveCaptureProblem.Failed, e.Message, e);
        packet = default;
        return false;
    }

    /// <summary>Waits until packets may be waiting, or the timeout, or cancellation.</summary>
    public void WaitForPackets(TimeSpan timeout, CancellationToken cancellation) => ring.Wait(timeout, cancellation);

    /// <summary>Stops the capture thread (packets already queued can still be read).</summary>
    public void Stop()
    {
        stopRequested = true;
        if (thread.IsAlive) thread.Join(TimeSpan.FromSeconds(5));
    }

    public void Dispose()
    {
        Stop();
        device.Close();
    }
}
