namespace NFStream.Engine.Dpi;

/// <summary>Layer-7 results that a classifier leaves on a flow when it expires.</summary>
public sealed class L7Result
{
    public string ApplicationName { get; set; } = "Unknown";
    public string CategoryName { get; set; } = "";
    public int IsGuessed { get; set; }
    public int Confidence { get; set; }
    public string RequestedServerName { get; set; } = "";
    public string ClientFingerprint { get; set; } = "";
    public string ServerFingerprint { get; set; } = "";
    public string UserAgent { get; set; } = "";
    public string ContentType { get; set; } = "";
}
