namespace NFStream.Engine.Capture;

/// <summary>How to open and run a live capture (NFStreamer's live-only parameters, plus the stop conditions).</summary>
public sealed record LiveCaptureOptions
{
    public const int DefaultSnapshotLength = 1536;

    /// <summary>The interface name as Get-NFInterface and libpcap list it (for example eth0, lo, any).</summary>
    public required string Interface { get; init; }

    /// <summary>Capture frames addressed to other hosts too (NFStream promiscuous_mode).</summary>
    public bool Promiscuous { get; init; } = true;

    /// <summary>Bytes kept of each frame (NFStream snapshot_length); the wire length is kept in full.</summary>
    public int SnapshotLength { get; init; } = DefaultSnapshotLength;

    /// <summary>Kernel capture buffer in bytes (NFStream socket_buffer_size); 0 keeps libpcap's default.</summary>
    public int BufferSize { get; init; }

    /// <summary>A BPF filter applied in the kernel, compiled as NFStream compiles it; null captures everything.</summary>
    public string? Filter { get; init; }

    /// <summary>Stop capturing after this long; null runs until stopped.</summary>
    public TimeSpan? Duration { get; init; }

    /// <summary>Stop capturing after this many packets were received; 0 means no limit.</summary>
    public long PacketCount { get; init; }

    /// <summary>Slots of the queue between the capture thread and the reader; 0 derives it from the snapshot length.</summary>
    public int QueueSlots { get; init; }

    /// <summary>How long the capture thread waits in libpcap before it checks whether to stop.</summary>
    public int ReadTimeoutMs { get; init; } = 100;
}
