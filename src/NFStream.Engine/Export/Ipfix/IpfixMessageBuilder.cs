using System.Buffers.Binary;

namespace NFStream.Engine.Export.Ipfix;

/// <summary>
/// Builds one IPFIX Message (RFC 7011 section 3) at a time in a fixed buffer: the 16-byte header, then Sets,
/// each Set closed (its length written) when the next one opens or the message is finished. Never grows past
/// <see cref="MaxLength"/>: a record that does not fit is refused, and the caller sends the message and begins another.
/// </summary>
public sealed class IpfixMessageBuilder
{
    public const ushort Version = 10;
    public const int HeaderLength = 16;
    public const int SetHeaderLength = 4;
    public const ushort TemplateSetId = 2;

    private readonly byte[] buffer;
    private int length, setStart = -1, records;
    private ushort setId;

    public IpfixMessageBuilder(int maxLength)
    {
        if (maxLength < HeaderLength + SetHeaderLength || maxLength > ushort.MaxValue)
            throw new ArgumentOutOfRangeException(nameof(maxLength), maxLength, "An IPFIX message is 20 to 65535 bytes.");
        MaxLength = maxLength;
        buffer = new byte[maxLength];
    }

    public int MaxLength { get; }

    /// <summary>True between <see cref="Begin"/> and <see cref="Finish"/>.</summary>
    public bool IsOpen { get; private set; }

    /// <summary>Data Records in the open message.</summary>
    public int DataRecords => records;

    public int Length => length;

    /// <summary>Starts a message: export time in seconds since the epoch, the sequence number (data records sent before it), the domain.</summary>
    public void Begin(uint exportTime, uint sequenceNumber, uint observationDomainId)
    {
        BinaryPrimitives.WriteUInt16BigEndian(buffer, Version);
        BinaryPrimitives.WriteUInt32BigEndian(buffer.AsSpan(4), exportTime);
        BinaryPrimitives.WriteUInt32BigEndian(buffer.AsSpan(8), sequenceNumber);
        BinaryPrimitives.WriteUInt32BigEndian(buffer.AsSpan(12), observationDomainId);
        length = HeaderLength;
        setStart = -1;
        records = 0;
        IsOpen = true;
    }

    /// <summary>Adds a Template Set holding <paramref name="templates"/>; false (nothing added) when it does not fit.</summary>
    public bool TryAddTemplates(IReadOnlyList<IpfixFlowTemplate> templates)
    {
        int size = SetHeaderLength;
        foreach (var t in templates) size += t.TemplateRecordLength;
        if (length + size > MaxLength) return false;
        CloseSet();
        OpenSet(TemplateSetId);
        foreach (var t in templates) length += t.WriteTemplateRecord(buffer.AsSpan(length));
        CloseSet();
        return true;
    }

    /// <summary>
    /// Room for one Data Record of <paramref name="templateId"/> of <paramref name="recordLength"/> bytes, in a Data
    /// Set of that template (opened when the current Set is another); empty when the message has no room for it.
    /// Call <see cref="Commit"/> with the bytes written.
    /// </summary>
    public Span<byte> Reserve(ushort templateId, int recordLength)
    {
        int needed = recordLength + (setStart >= 0 && setId == templateId ? 0 : SetHeaderLength);
        if (length + needed > MaxLength) return Span<byte>.Empty;
        if (setStart < 0 || setId != templateId)
        {
            CloseSet();
            OpenSet(templateId);
        }
        return buffer.AsSpan(length, recordLength);
    }

    public void Commit(int written)
    {
        length += written;
        records++;
    }

    /// <summary>Closes the last Set, writes the message length, and returns the message (valid until the next Begin).</summary>
    public ReadOnlySpan<byte> Finish()
    {
        CloseSet();
        BinaryPrimitives.WriteUInt16BigEndian(buffer.AsSpan(2), (ushort)length);
        IsOpen = false;
        return buffer.AsSpan(0, length);
    }

    private void OpenSet(ushort id)
    {
        setId = id;
        setStart = length;
        BinaryPrimitives.WriteUInt16BigEndian(buffer.AsSpan(length), id);
        length += SetHeaderLength;
    }

    private void CloseSet()
    {
        if (setStart < 0) return;
        BinaryPrimitives.WriteUInt16BigEndian(buffer.AsSpan(setStart + 2), (ushort)(length - setStart));
        setStart = -1;
    }
}
