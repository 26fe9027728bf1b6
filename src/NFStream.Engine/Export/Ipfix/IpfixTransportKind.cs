namespace NFStream.Engine.Export.Ipfix;

/// <summary>How IPFIX messages travel to the collector (RFC 7011 section 10).</summary>
public enum IpfixTransportKind
{
    /// <summary>UDP datagrams, one message each, sized to the path MTU; templates are resent periodically.</summary>
    Udp,
    /// <summary>One TCP connection; templates are sent once when it opens.</summary>
    Tcp,
}
