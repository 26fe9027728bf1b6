namespace NFStream.Engine.Capture;

/// <summary>Link-layer header types (pcap LINKTYPE_ values) that captures declare.</summary>
public enum LinkType
{
    Null = 0,
    Ethernet = 1,
    Ppp = 9,
    /// <summary>DLT_RAW as some systems write it; LINKTYPE_RAW is 101.</summary>
    RawDlt = 12,
    RawDltOpenBsd = 14,
    PppSerial = 50,
    Raw = 101,
    CiscoHdlc = 104,
    Ieee80211 = 105,
    Loop = 108,
    LinuxSll = 113,
    Radiotap = 127,
    Ppi = 192,
    Ipv4 = 228,
    Ipv6 = 229,
    LinuxSll2 = 276,
}

/// <summary>Facts about link types: which ones the decoder understands.</summary>
public static class LinkTypes
{
    public static bool IsSupported(int linkType) => linkType switch
    {
        (int)LinkType.Null or (int)LinkType.Ethernet or (int)LinkType.Ppp or (int)LinkType.RawDlt
            or (int)LinkType.RawDltOpenBsd or (int)LinkType.PppSerial or (int)LinkType.Raw
            or (int)LinkType.CiscoHdlc or (int)LinkType.Loop or (int)LinkType.LinuxSll or (int)LinkType.Radiotap
            or (int)LinkType.Ppi or (int)LinkType.Ipv4 or (int)LinkType.Ipv6 or (int)LinkType.LinuxSll2 => true,
        _ => false,
    };

    public static string Describe(int linkType) =>
        Enum.IsDefined(typeof(LinkType), linkType) ? $"{(LinkType)linkType} ({linkType})" : linkType.ToString();
}
