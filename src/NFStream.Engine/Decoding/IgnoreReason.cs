namespace NFStream.Engine.Decoding;

/// <summary>Why a packet read from a capture did not count in any flow.</summary>
public enum IgnoreReason
{
    None = 0,
    /// <summary>Too short for a link-layer header plus minimal IP and UDP (NFStream's 28-byte rule) or an IP header.</summary>
    Truncated,
    /// <summary>The capture's link type is not one the decoder handles.</summary>
    UnsupportedLinkType,
    /// <summary>A link-layer frame that carries no user traffic: spanning tree, 802.11 management or control, bad FCS.</summary>
    LinkLayerControl,
    /// <summary>No IPv4 or IPv6 header where one was expected.</summary>
    NotIp,
    /// <summary>A non-first IPv4 or IPv6 fragment (there is no reassembly).</summary>
    Fragment,
    /// <summary>An IPv6 packet shorter than its payload length says, or with unusable extension headers.</summary>
    MalformedIpv6,
    /// <summary>An IPv4 header that is inconsistent with the captured length, or whose total length is below its
    /// header length (total length 0, as in captures taken with TCP segmentation offload).</summary>
    MalformedIpv4,
    /// <summary>A tunnel (UDP, GTP-U, TZSP) header cut short.</summary>
    MalformedTunnel,
    /// <summary>Rejected by the BPF filter.</summary>
    Filtered,
}
