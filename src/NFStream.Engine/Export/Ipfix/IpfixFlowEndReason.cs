namespace NFStream.Engine.Export.Ipfix;

/// <summary>IPFIX flowEndReason (IE 136) from NFStream's expiration_id.</summary>
public static class IpfixFlowEndReason
{
    public const byte IdleTimeout = 1;
    public const byte ActiveTimeout = 2;
    public const byte EndOfFlowDetected = 3;
    public const byte ForcedEnd = 4;
    public const byte LackOfResources = 5;

    /// <summary>
    /// 0 (idle timeout, or the end of the input, which NFStream does not tell apart) is idle timeout; 1 active
    /// timeout; 2 (evicted because -MaxActiveFlows was reached) lack of resources; -1 or any other value a plugin
    /// sets (a plugin ended the flow) end of flow detected.
    /// </summary>
    public static byte From(int expirationId) => expirationId switch
    {
        0 => IdleTimeout,
        1 => ActiveTimeout,
        2 => LackOfResources,
        _ => EndOfFlowDetected,
    };
}
