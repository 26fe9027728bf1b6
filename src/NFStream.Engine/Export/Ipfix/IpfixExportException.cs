namespace NFStream.Engine.Export.Ipfix;

/// <summary>The collector cannot be reached (TCP connect failed or timed out) or the connection to it broke.</summary>
public sealed class IpfixExportException : IOException
{
    public IpfixExportException(string destination, string message, Exception? inner = null)
        : base(message, inner)
    {
        Destination = destination;
    }

    /// <summary>The collector (tcp://host:port).</summary>
    public string Destination { get; }
}
