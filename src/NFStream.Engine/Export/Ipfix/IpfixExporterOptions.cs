namespace NFStream.Engine.Export.Ipfix;

/// <summary>How an <see cref="IpfixExporter"/> frames its messages.</summary>
public sealed record IpfixExporterOptions
{
    /// <summary>The Observation Domain ID in every message header.</summary>
    public uint ObservationDomainId { get; init; } = 1;

    /// <summary>Over UDP, templates are resent in the first message after this much time (RFC 7011 section 8.4).</summary>
    public TimeSpan TemplateRefreshInterval { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>A message that holds records is sent at the latest this long after its first record (quiet live links).</summary>
    public TimeSpan MaxMessageDelay { get; init; } = TimeSpan.FromSeconds(1);
}
