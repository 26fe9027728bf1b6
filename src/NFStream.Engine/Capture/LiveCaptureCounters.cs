namespace NFStream.Engine.Capture;

/// <summary>
/// The packet counters of a live capture: what the capture thread received from libpcap, and what was lost on
/// the way (by the kernel's capture buffer, by the interface, by the queue to the pipeline thread). Packets
/// received = packets read by the flow engine + dropped by the queue.
/// </summary>
public sealed record LiveCaptureCounters(long PacketsReceived, long DroppedByKernel, long DroppedByInterface, long DroppedByQueue)
{
    /// <summary>All drops together.</summary>
    public long PacketsDropped => DroppedByKernel + DroppedByInterface + DroppedByQueue;

    public override string ToString() =>
        $"{PacketsReceived} packets received, dropped: {DroppedByKernel} by the kernel, {DroppedByInterface} by the interface, {DroppedByQueue} by the queue";
}
