using System.Diagnostics;
using SharpPcap;
using SharpPcap.LibPcap;

namespace NFStream.Engine.Capture;

/// <summary>
/// A live interface as a packet source. A capture thread takes packets from libpcap and copies them into a
/// bounded <see cref="PacketRing"/>; the reader (the flow engine, on the caller's thread) takes them out with
/// <see cref="TryRead"/>. Nothing is allocated per packet on either side.
/// <para>
/// Unlike a file, a live source has no end until it is stopped: <see cref="TryRead"/> returns false when the
/// queue is empty right now (and also after every <see cref="BurstLength"/> packets, so that a reader looping
/// until false gets control back under load). <see cref="Completed"/> turns true once capturing has stopped
/// (<see cref="Stop"/>, the duration, the packet count or an error) and every captured packet was read.
/// </para>
/// </summary>
public sealed class LiveCapture : ILivePacketSource, IHasLinkType
{
    /// <summary>Packets handed out in a row before <see cref="TryRead"/> returns false once.</summary>
    public const int BurstLength = 4096;

    /// <summary>
    /// How far behind the wall clock <see cref="TryGetQuietClock"/> stays: packets can wait this long in the
    /// kernel's buffer (libpcap's read timeout) with an earlier timestamp than the clock it gives.
    /// </summary>
    public const int ClockLagMs = 500;

    private static readonly bool WindowsTimeval = OperatingSystem.IsWindows();
    private readonly LibPcapLiveDevice device;
    private readonly LiveCaptureOptions options;
    private readonly PacketRing ring;
    private readonly ManualResetEventSlim dataReady = new(false);
    private Thread? thread;
    private Timer? durationTimer;
    private long started;
    private long received, kernelDropped, interfaceDropped;
    private int stopRequested, consumerWaiting;
    private bool threadEnded, completed, disposed;
    private int sinceBurst;
    private LiveCaptureException? error;
    private long captureThreadAllocated = -1;

    private LiveCapture(LibPcapLiveDevice device, LiveCaptureOptions options)
    {
        this.device = device;
        this.options = options;
        LinkType = (int)device.LinkType;
        ring = new PacketRing(options.SnapshotLength, options.QueueSlots);
    }

    /// <summary>
    /// Opens the interface and installs the filter; nothing is captured until <see cref="Start"/>. Throws
    /// <see cref="LiveCaptureException"/> for an unknown interface, missing capture rights, a bad filter or
    /// any other libpcap failure.
    /// </summary>
    public static LiveCapture Open(LiveCaptureOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.SnapshotLength, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(options.BufferSize);
        ArgumentOutOfRangeException.ThrowIfNegative(options.PacketCount);
        string name = options.Interface;
        PcapInterface? pcapInterface;
        try
        {
            pcapInterface = PcapInterface.GetAllPcapInterfaces().FirstOrDefault(i => i.Name == name);
        }
        catch (Exception e) when (e is DllNotFoundException or TypeInitializationException or EntryPointNotFoundException)
        {
            throw new LiveCaptureException(LiveCaptureFailure.CaptureError, name,
                "Live capture needs libpcap (on Debian: apt-get install libpcap0.8).", e);
        }
        if (pcapInterface is null)
            throw new LiveCaptureException(LiveCaptureFailure.InterfaceNotFound, name,
                $"There is no network interface named '{name}' to capture on.");

        var device = new LibPcapLiveDevice(pcapInterface);
        try
        {
            device.Open(new DeviceConfiguration
            {
                Mode = options.Promiscuous ? DeviceModes.Promiscuous : DeviceModes.None,
                Snaplen = options.SnapshotLength,
                ReadTimeout = options.ReadTimeoutMs,
                BufferSize = options.BufferSize > 0 ? options.BufferSize : null,
            });
            if (options.Filter is not null) LibPcapCalls.InstallFilter(device.Handle, options.Filter, name);
            return new LiveCapture(device, options);
        }
        catch (PcapException e)
        {
            string detail = LastError(device);
            device.Dispose();
            throw e.Error switch
            {
                PcapError.PermissionDenied or PcapError.PromiscuousPermissionDenied => new LiveCaptureException(
                    LiveCaptureFailure.PermissionDenied, name,
                    $"Capturing on '{name}' needs root or the CAP_NET_RAW and CAP_NET_ADMIN capabilities, which this process does not have{Detail(detail)}.", e),
                PcapError.NoSuchDevice => new LiveCaptureException(LiveCaptureFailure.InterfaceNotFound, name,
                    $"There is no network interface named '{name}' to capture on{Detail(detail)}.", e),
                _ => new LiveCaptureException(LiveCaptureFailure.CaptureError, name,
                    $"Cannot capture on '{name}': {e.Message}{Detail(detail)}", e),
            };
        }
        catch (ArgumentException e)
        {
            device.Dispose();
            throw new LiveCaptureException(LiveCaptureFailure.BadFilter, name, e.Message, e);
        }
        catch (Exception e) when (e is InvalidOperationException or DllNotFoundException)
        {
            device.Dispose();
            throw new LiveCaptureException(LiveCaptureFailure.CaptureError, name, e.Message, e);
        }
    }

    public string Name => options.Interface;

    /// <summary>The link type libpcap reports for the interface (pcap LINKTYPE_ value).</summary>
    public int LinkType { get; }

    public LiveCaptureOptions Options => options;

    /// <summary>Slots in the queue between the capture thread and the reader.</summary>
    public int QueueCapacity => ring.Capacity;

    public long Position => 0;

    public long Length => 0;

    /// <summary>Capturing has stopped and every captured packet has been read.</summary>
    public bool Completed => completed;

    /// <summary>The capture thread has stopped (packets may still wait in the queue).</summary>
    public bool Stopped => Volatile.Read(ref threadEnded);

    /// <summary>Why capturing stopped early, when libpcap failed while reading; null otherwise.</summary>
    public LiveCaptureException? Error => Volatile.Read(ref threadEnded) ? error : null;

    /// <summary>Time since <see cref="Start"/>.</summary>
    public TimeSpan Elapsed => started == 0 ? TimeSpan.Zero : Stopwatch.GetElapsedTime(started);

    /// <summary>The counters so far (the kernel's are refreshed about once a second, and when capturing stops).</summary>
    public LiveCaptureCounters Counters => new(Volatile.Read(ref received), Volatile.Read(ref kernelDropped),
        Volatile.Read(ref interfaceDropped), ring.Dropped);

    /// <summary>Bytes the capture thread allocated while capturing (for tests: there is no per-packet allocation); -1 until it ends.</summary>
    internal long CaptureThreadAllocatedBytes => Volatile.Read(ref threadEnded) ? captureThreadAllocated : -1;

    /// <summary>Starts the capture thread; the duration counts from here.</summary>
    public void Start()
    {
        ObjectDisposedException.ThrowIf(disposed, this);
        if (thread is not null) throw new InvalidOperationException("The capture has already started.");
        started = Stopwatch.GetTimestamp();
        thread = new Thread(Capture) { IsBackground = true, Name = "NFStream capture " + Name };
        thread.Start();
        if (options.Duration is { } duration)
        {
            // A timer, not a check in the capture loop: on a silent link libpcap may not return at all.
            var due = TimeSpan.FromMilliseconds(Math.Clamp(duration.TotalMilliseconds, 0, int.MaxValue - 1));
            durationTimer = new Timer(_ => Stop(), null, due, Timeout.InfiniteTimeSpan);
        }
    }

    /// <summary>Asks the capture thread to stop (it wakes at once); packets already captured stay readable.</summary>
    public void Stop()
    {
        if (Interlocked.Exchange(ref stopRequested, 1) != 0) return;
        if (thread is null)
        {
            Finished();
            return;
        }
        LibPcapCalls.BreakLoop(device.Handle);
    }

    /// <summary>
    /// Waits up to <paramref name="timeoutMs"/> for a packet to read, capturing to stop, or cancellation.
    /// Returns at once when a packet is already waiting.
    /// </summary>
    public void WaitForPackets(int timeoutMs, CancellationToken cancellation)
    {
        if (ring.Count > 0 || Volatile.Read(ref threadEnded)) return;
        dataReady.Reset();
        Interlocked.Exchange(ref consumerWaiting, 1);
        try
        {
            if (ring.Count > 0 || Volatile.Read(ref threadEnded)) return;
            dataReady.Wait(timeoutMs, cancellation);
        }
        catch (OperationCanceledException)
        {
        }
        finally
        {
            Volatile.Write(ref consumerWaiting, 0);
        }
    }

    /// <summary>
    /// The wall-clock time (ms since the epoch) that the flow clock may advance to while the link is quiet: now
    /// minus <see cref="ClockLagMs"/>. False while packets wait in the queue (their timestamps come first).
    /// </summary>
    public bool TryGetQuietClock(out ulong timeMs)
    {
        timeMs = (ulong)Math.Max(0, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() - ClockLagMs);
        return ring.Count == 0;
    }

    /// <inheritdoc cref="IPacketSource.TryRead"/>
    public bool TryRead(out PacketRecord packet)
    {
        if (sinceBurst >= BurstLength)
        {
            sinceBurst = 0;
            packet = default;
            return false;
        }
        bool ended = Volatile.Read(ref threadEnded);
        if (!ring.TryRead(out var data, out uint wireLength, out ulong timeMs))
        {
            sinceBurst = 0;
            if (ended) completed = true;
            packet = default;
            return false;
        }
        sinceBurst++;
        packet = new PacketRecord(data, wireLength, timeMs, LinkType, 0);
        return true;
    }

    private unsafe void Capture()
    {
        nint header = 0, data = 0;
        long nextStatistics = 0;
        int timevalSize = WindowsTimeval ? 4 : IntPtr.Size;
        long allocatedBefore = GC.GetAllocatedBytesForCurrentThread();
        try
        {
            while (Volatile.Read(ref stopRequested) == 0)
            {
                int result = device.GetNextPacketPointers(ref header, ref data);
                if (result == 1)
                {
                    byte* h = (byte*)header;
                    long seconds = timevalSize == 8 ? *(long*)h : *(int*)h;
                    long micros = timevalSize == 8 ? *(long*)(h + 8) : *(int*)(h + 4);
                    uint caplen = *(uint*)(h + 2 * timevalSize);
                    uint wirelen = *(uint*)(h + 2 * timevalSize + 4);
                    ulong timeMs = (ulong)(seconds * 1000 + micros / 1000);
                    ring.TryWrite(new ReadOnlySpan<byte>((void*)data, (int)Math.Min(caplen, int.MaxValue)), wirelen, timeMs);
                    long count = received + 1;
                    Volatile.Write(ref received, count);
                    Interlocked.MemoryBarrier();
                    if (Volatile.Read(ref consumerWaiting) != 0) dataReady.Set();
                    if (options.PacketCount > 0 && count >= options.PacketCount) break;
                }
                else if (result == -2)
                {
                    break;   // pcap_breakloop
                }
                else if (result != 0)
                {
                    error = new LiveCaptureException(LiveCaptureFailure.CaptureError, Name,
                        $"Capturing on '{Name}' failed: {LastError(device)}");
                    break;
                }
                long now = Stopwatch.GetTimestamp();
                if (now >= nextStatistics)
                {
                    RefreshKernelCounters();
                    nextStatistics = now + Stopwatch.Frequency;
                }
            }
        }
        catch (Exception e) when (e is PcapException or ObjectDisposedException or DeviceNotReadyException)
        {
            error = new LiveCaptureException(LiveCaptureFailure.CaptureError, Name, $"Capturing on '{Name}' failed: {e.Message}", e);
        }
        finally
        {
            captureThreadAllocated = GC.GetAllocatedBytesForCurrentThread() - allocatedBefore;
            RefreshKernelCounters();
            Finished();
        }
    }

    private void Finished()
    {
        Volatile.Write(ref threadEnded, true);
        dataReady.Set();
    }

    private void RefreshKernelCounters()
    {
        try
        {
            if (device.Statistics is { } statistics)
            {
                Volatile.Write(ref kernelDropped, statistics.DroppedPackets);
                Volatile.Write(ref interfaceDropped, statistics.InterfaceDroppedPackets);
            }
        }
        catch (Exception e) when (e is PcapException or DeviceNotReadyException or ObjectDisposedException)
        {
            // The counters keep their last values.
        }
    }

    private static string LastError(PcapDevice device)
    {
        try
        {
            return device.LastError ?? "";
        }
        catch (Exception)
        {
            return "";
        }
    }

    private static string Detail(string detail) => string.IsNullOrWhiteSpace(detail) ? "" : $" ({detail.Trim()})";

    /// <summary>Stops the capture thread, waits for it, and closes the interface.</summary>
    public void Dispose()
    {
        if (disposed) return;
        disposed = true;
        durationTimer?.Dispose();
        Stop();
        // pcap_breakloop wakes the capture thread; should libpcap hang anyway, the handle's reference count
        // keeps the call safe and the handle is released when it returns.
        thread?.Join(TimeSpan.FromSeconds(5));
        device.Dispose();
        dataReady.Dispose();
    }
}
