namespace NFStream.Tests.Conformance;

/// <summary>One of the corpus's reference configurations and the Get-NFFlow arguments that reproduce it.</summary>
public sealed record ReferenceVariant(string Name, string Arguments, string? ReferenceFolder = null)
{
    /// <summary>The folder under corpus/reference/ that holds NFStream's output for this variant.</summary>
    public string Folder => ReferenceFolder ?? Name;


    public static readonly ReferenceVariant[] All =
    {
        new("nodpi_notunnel", "-NDissections 0 -DecodeTunnels $false -StatisticalAnalysis -SpltAnalysis 10"),
        new("am1", "-NDissections 0 -AccountingMode IP -StatisticalAnalysis -SpltAnalysis 10"),
        new("am2", "-NDissections 0 -AccountingMode Transport -StatisticalAnalysis -SpltAnalysis 10"),
        new("am3", "-NDissections 0 -AccountingMode Payload -StatisticalAnalysis -SpltAnalysis 10"),
        new("idle5_active30", "-NDissections 0 -IdleTimeout 5 -ActiveTimeout 30 -StatisticalAnalysis -SpltAnalysis 10"),
        new("default", "-NDissections 0 -StatisticalAnalysis -SpltAnalysis 10"),
        new("default_dpi", "-NDissections 20 -StatisticalAnalysis -SpltAnalysis 10", ReferenceFolder: "default"),
        // Sharded metering must not change a single value, id or position.
        new("default_meters2", "-NDissections 0 -StatisticalAnalysis -SpltAnalysis 10 -Meters 2", ReferenceFolder: "default"),
        new("idle5_active30_meters3", "-NDissections 0 -IdleTimeout 5 -ActiveTimeout 30 -StatisticalAnalysis -SpltAnalysis 10 -Meters 3",
            ReferenceFolder: "idle5_active30"),
    };

    public static ReferenceVariant Named(string name) => All.Single(v => v.Name == name);

    /// <summary>The layer-7 columns, which come from nDPI (a different version here) rather than the engine.</summary>
    public static readonly HashSet<string> ApplicationColumns = new()
    {
        "application_name", "application_category_name", "application_is_guessed", "application_confidence",
        "requested_server_name", "client_fingerprint", "server_fingerprint", "user_agent", "content_type",
    };
}
