namespace NFStream.Engine.Export.Ipfix;

/// <summary>
/// The IANA IPFIX Information Elements (https://www.iana.org/assignments/ipfix) that flow records carry: all
/// IANA-registered, so no enterprise number is needed. Numbers and types as the registry gives them.
/// </summary>
public static class IpfixElement
{
    public const ushort OctetDeltaCount = 1;             // unsigned64: IP header and payload octets
    public const ushort PacketDeltaCount = 2;            // unsigned64
    public const ushort ProtocolIdentifier = 4;          // unsigned8
    public const ushort SourceTransportPort = 7;         // unsigned16
    public const ushort SourceIPv4Address = 8;           // ipv4Address
    public const ushort DestinationTransportPort = 11;   // unsigned16
    public const ushort DestinationIPv4Address = 12;     // ipv4Address
    public const ushort SourceIPv6Address = 27;          // ipv6Address
    public const ushort DestinationIPv6Address = 28;     // ipv6Address
    public const ushort VlanId = 58;                     // unsigned16
    public const ushort ApplicationName = 96;            // string (RFC 6759)
    public const ushort FlowEndReason = 136;             // unsigned8
    public const ushort FlowId = 148;                    // unsigned64
    public const ushort FlowStartMilliseconds = 152;     // dateTimeMilliseconds
    public const ushort FlowEndMilliseconds = 153;       // dateTimeMilliseconds
    public const ushort BiflowDirection = 239;           // unsigned8: 1 initiator, 2 reverseInitiator (RFC 5103)
    public const ushort ApplicationCategoryName = 372;   // string (RFC 6759)

    /// <summary>The field length that announces a variable-length element (RFC 7011 section 7).</summary>
    public const ushort VariableLength = 0xFFFF;
}
