using System.Buffers.Binary;
using System.Text;

namespace NFStream.Engine.Export.Ipfix;

/// <summary>
/// The layout of the flow records: one template for IPv4 flows (id 256) and one for IPv6 flows (id 257), and the
/// encoder that writes a flow's record in exactly that order. A bidirectional NFlow becomes two unidirectional
/// records (the initiator's direction, then the responder's when it sent anything), told apart by biflowDirection
/// and tied together by flowId: collectors that do not store RFC 5103 reverse elements (nfdump's nfcapd among
/// them) keep both directions' counters that way.
/// </summary>
public sealed class IpfixFlowTemplate
{
    public const ushort Ipv4TemplateId = 256;
    public const ushort Ipv6TemplateId = 257;

    /// <summary>Application names and categories longer than this (UTF-8 bytes) are cut at a character boundary.</summary>
    public const int MaxStringBytes = 254;

    public static IpfixFlowTemplate Ipv4 { get; } = new(Ipv4TemplateId, false);
    public static IpfixFlowTemplate Ipv6 { get; } = new(Ipv6TemplateId, true);

    private static readonly Encoding Utf8 = new UTF8Encoding(false, false);

    private IpfixFlowTemplate(ushort id, bool ipv6)
    {
        Id = id;
        IsIpv6 = ipv6;
        ushort addr = (ushort)(ipv6 ? 16 : 4);
        Fields = new (ushort Element, ushort Length)[]
        {
            (ipv6 ? IpfixElement.SourceIPv6Address : IpfixElement.SourceIPv4Address, addr),
            (ipv6 ? IpfixElement.DestinationIPv6Address : IpfixElement.DestinationIPv4Address, addr),
            (IpfixElement.SourceTransportPort, 2),
            (IpfixElement.DestinationTransportPort, 2),
            (IpfixElement.ProtocolIdentifier, 1),
            (IpfixElement.VlanId, 2),
            (IpfixElement.FlowStartMilliseconds, 8),
            (IpfixElement.FlowEndMilliseconds, 8),
            (IpfixElement.PacketDeltaCount, 8),
            (IpfixElement.OctetDeltaCount, 8),
            (IpfixElement.FlowEndReason, 1),
            (IpfixElement.BiflowDirection, 1),
            (IpfixElement.FlowId, 8),
            (IpfixElement.ApplicationName, IpfixElement.VariableLength),
            (IpfixElement.ApplicationCategoryName, IpfixElement.VariableLength),
        };
        foreach (var (_, length) in Fields)
        {
            if (length != IpfixElement.VariableLength) FixedLength += length;
        }
    }

    public ushort Id { get; }

    public bool IsIpv6 { get; }

    /// <summary>The template's fields in record order (element id, length; 0xFFFF for variable length).</summary>
    public IReadOnlyList<(ushort Element, ushort Length)> Fields { get; }

    /// <summary>Bytes of the fixed-length fields of one record.</summary>
    public int FixedLength { get; }

    /// <summary>Bytes of this template's record in a Template Set (template id, field count, field specifiers).</summary>
    public int TemplateRecordLength => 4 + 4 * Fields.Count;

    /// <summary>The largest record this template can give (both strings at their longest).</summary>
    public int MaxRecordLength => FixedLength + 2 * (1 + MaxStringBytes);

    public static IpfixFlowTemplate For(NFlow flow) => flow.IpVersion == 6 ? Ipv6 : Ipv4;

    /// <summary>Writes the Template Record (RFC 7011 section 3.4.1) into <paramref name="destination"/>; returns its length.</summary>
    public int WriteTemplateRecord(Span<byte> destination)
    {
        BinaryPrimitives.WriteUInt16BigEndian(destination, Id);
        BinaryPrimitives.WriteUInt16BigEndian(destination[2..], (ushort)Fields.Count);
        int at = 4;
        foreach (var (element, length) in Fields)
        {
            BinaryPrimitives.WriteUInt16BigEndian(destination[at..], element);
            BinaryPrimitives.WriteUInt16BigEndian(destination[(at + 2)..], length);
            at += 4;
        }
        return at;
    }

    /// <summary>The length of the record <see cref="WriteRecord"/> writes for this flow (either direction).</summary>
    public int RecordLength(NFlow flow) =>
        FixedLength + 1 + StringLength(flow.application_name) + 1 + StringLength(flow.application_category_name);

    /// <summary>
    /// Writes one direction of <paramref name="flow"/> as a Data Record: <paramref name="reverse"/> false is the
    /// initiator (src to dst) with the src2dst counters; true the responder (dst to src) with the dst2src ones.
    /// Octets are the IP octets (header and payload) whatever the flow's accounting mode. Returns the length.
    /// </summary>
    public int WriteRecord(Span<byte> d, NFlow flow, bool reverse)
    {
        int at = 0;
        if (IsIpv6)
        {
            at = WriteV6(d, at, reverse ? flow.DstIpHi : flow.SrcIpHi, reverse ? flow.DstIpLo : flow.SrcIpLo);
            at = WriteV6(d, at, reverse ? flow.SrcIpHi : flow.DstIpHi, reverse ? flow.SrcIpLo : flow.DstIpLo);
        }
        else
        {
            BinaryPrimitives.WriteUInt32BigEndian(d[at..], (uint)(reverse ? flow.DstIpLo : flow.SrcIpLo));
            BinaryPrimitives.WriteUInt32BigEndian(d[(at + 4)..], (uint)(reverse ? flow.SrcIpLo : flow.DstIpLo));
            at += 8;
        }
        BinaryPrimitives.WriteUInt16BigEndian(d[at..], (ushort)(reverse ? flow.DstPort : flow.SrcPort));
        BinaryPrimitives.WriteUInt16BigEndian(d[(at + 2)..], (ushort)(reverse ? flow.SrcPort : flow.DstPort));
        d[at + 4] = (byte)flow.Protocol;
        BinaryPrimitives.WriteUInt16BigEndian(d[(at + 5)..], (ushort)flow.VlanId);
        at += 7;
        BinaryPrimitives.WriteUInt64BigEndian(d[at..], reverse ? flow.D2sFirst : flow.S2dFirst);
        BinaryPrimitives.WriteUInt64BigEndian(d[(at + 8)..], reverse ? flow.D2sLast : flow.S2dLast);
        BinaryPrimitives.WriteUInt64BigEndian(d[(at + 16)..], reverse ? flow.D2sPackets : flow.S2dPackets);
        BinaryPrimitives.WriteUInt64BigEndian(d[(at + 24)..], reverse ? flow.D2sIpOctets : flow.S2dIpOctets);
        at += 32;
        d[at++] = IpfixFlowEndReason.From(flow.ExpirationId);
        d[at++] = (byte)(reverse ? 2 : 1);
        BinaryPrimitives.WriteUInt64BigEndian(d[at..], (ulong)flow.Id);
        at += 8;
        at = WriteString(d, at, flow.application_name);
        at = WriteString(d, at, flow.application_category_name);
        return at;
    }

    private static int WriteV6(Span<byte> d, int at, ulong hi, ulong lo)
    {
        BinaryPrimitives.WriteUInt64BigEndian(d[at..], hi);
        BinaryPrimitives.WriteUInt64BigEndian(d[(at + 8)..], lo);
        return at + 16;
    }

    /// <summary>UTF-8 bytes of <paramref name="text"/> as written: at most <see cref="MaxStringBytes"/>, whole characters.</summary>
    internal static int StringLength(string text)
    {
        if (text.Length == 0) return 0;
        int bytes = Utf8.GetByteCount(text);
        if (bytes <= MaxStringBytes) return bytes;
        return Utf8.GetByteCount(text.AsSpan(0, CutLength(text)));
    }

    /// <summary>Characters of <paramref name="text"/> whose UTF-8 form fits <see cref="MaxStringBytes"/> (no split surrogate pair).</summary>
    private static int CutLength(string text)
    {
        int bytes = 0, i = 0;
        while (i < text.Length)
        {
            int step = char.IsHighSurrogate(text[i]) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]) ? 2 : 1;
            int size = Utf8.GetByteCount(text.AsSpan(i, step));
            if (bytes + size > MaxStringBytes) break;
            bytes += size;
            i += step;
        }
        return i;
    }

    /// <summary>A variable-length string field: one length byte (lengths up to 254 need no more), then the bytes.</summary>
    private static int WriteString(Span<byte> d, int at, string text)
    {
        if (text.Length == 0)
        {
            d[at] = 0;
            return at + 1;
        }
        int count = Utf8.GetByteCount(text) <= MaxStringBytes ? text.Length : CutLength(text);
        int written = Utf8.GetBytes(text.AsSpan(0, count), d[(at + 1)..]);
        d[at] = (byte)written;
        return at + 1 + written;
    }
}
