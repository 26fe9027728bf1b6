namespace NFStream.Engine.Capture;

/// <summary>
/// A source whose packets arrive over time (a live interface): when <see cref="IPacketSource.TryRead"/> finds no
/// packet the source may not be over, so the metering loop waits for more, and on a quiet link advances the flow
/// clock from the wall clock so that idle flows still expire.
/// </summary>
public interface ILivePacketSource : IPacketSource
{
    /// <summary>True once capturing has stopped and every captured packet was read: nothing more will come.</summary>
    bool Completed { get; }

    /// <summary>Waits up to <paramref name="timeoutMs"/> for a packet, the end of the capture, or cancellation.</summary>
    void WaitForPackets(int timeoutMs, CancellationToken cancellation);

    /// <summary>The time (ms since the epoch) the flow clock may advance to while no packet waits; false when one does.</summary>
    bool TryGetQuietClock(out ulong timeMs);
}
