namespace NFStream.Engine.Plugins;

/// <summary>
/// A plugin that needs some options (columns that exist only with -StatisticalAnalysis, SPLT series of a given
/// length...). The meter checks before it reads any packet; the cmdlets report the problem before opening a capture.
/// </summary>
public interface IFlowPluginRequirements
{
    /// <summary>Why the plugin cannot run with these options, or null when it can.</summary>
    string? CheckOptions(FlowOptions options);
}
