using NFStream.Engine.Capture;

namespace NFStream.Engine.Flows;

/// <summary>
/// One performance report of a running live capture (NFStream's performance_report): what was received,
/// dropped, metered and emitted so far, and how many flows are open.
/// </summary>
public sealed record LiveCaptureReport(
    DateTimeOffset Time,
    string Interface,
    TimeSpan Elapsed,
    long PacketsReceived,
    long PacketsMetered,
    long PacketsIgnored,
    long DroppedByKernel,
    long DroppedByInterface,
    long DroppedByQueue,
    long FlowsEmitted,
    int ActiveFlows)
{
    public static LiveCaptureReport Take(LiveCapture capture, FlowExtractor extractor)
    {
        var counters = capture.Counters;
        var statistics = extractor.Statistics;
        return new LiveCaptureReport(DateTimeOffset.Now, capture.Name, capture.Elapsed, counters.PacketsReceived,
            statistics.PacketsMetered, statistics.PacketsIgnored, counters.DroppedByKernel, counters.DroppedByInterface,
            counters.DroppedByQueue, statistics.FlowsEmitted, extractor.ActiveFlows);
    }

    public override string ToString() =>
        $"{Interface} {Elapsed:hh\\:mm\\:ss}: {PacketsReceived} packets received, {PacketsMetered} metered, {PacketsIgnored} ignored; " +
        $"dropped {DroppedByKernel} by the kernel, {DroppedByInterface} by the interface, {DroppedByQueue} by the queue; " +
        $"{FlowsEmitted} flows emitted, {ActiveFlows} active";
}
