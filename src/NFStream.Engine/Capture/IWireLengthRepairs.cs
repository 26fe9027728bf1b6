namespace NFStream.Engine.Capture;

/// <summary>
/// A file source that clamps absurd wire lengths (over <see cref="PacketRecord.MaxWireLength"/>) to the captured
/// length, so that a crafted record cannot inflate byte counts; the cmdlet warns with these counts.
/// </summary>
public interface IWireLengthRepairs
{
    /// <summary>Records whose wire length was clamped.</summary>
    long WireLengthsClamped { get; }

    /// <summary>The byte offset of the first such record (-1 when none).</summary>
    long FirstClampedOffset { get; }
}
