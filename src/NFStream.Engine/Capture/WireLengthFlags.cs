namespace NFStream.Engine.Capture;

/// <summary>
/// Counts (flags) records whose wire length is over <see cref="PacketRecord.MaxWireLength"/>: the value is kept,
/// since NFStream counts it (truncated to 16 bits) and the corpus conformance pins that; the reader reports how many
/// there were and where the first one was (<see cref="IWireLengthRepairs"/>). Shared by the pcap and pcapng readers.
/// </summary>
internal struct WireLengthFlags
{
    public long Count { get; private set; }

    public long FirstOffset { get; private set; }

    public WireLengthFlags() => FirstOffset = -1;

    public uint Check(uint len, uint caplen, long offset)
    {
        if (len > PacketRecord.MaxWireLength && len > caplen && Count++ == 0) FirstOffset = offset;
        return len;
    }
}
