namespace NFStream.Engine.Capture;

/// <summary>
/// A file source that flags absurd wire lengths (over <see cref="PacketRecord.MaxWireLength"/>): a crafted record
/// inflates byte counts, so the cmdlet warns with these counts. The value itself is kept as NFStream counts it
/// (truncated to 16 bits), which the corpus conformance pins.
/// </summary>
public interface IWireLengthRepairs
{
    /// <summary>Records whose wire length was absurd.</summary>
    long WireLengthsClamped { get; }

    /// <summary>The byte offset of the first such record (-1 when none).</summary>
    long FirstClampedOffset { get; }
}
