namespace NFStream.Engine.Export;

/// <summary>
/// The optional <c>source</c> column of the exports (-IncludeSource): the capture each flow came from, written
/// after NFStream's columns and the plugin values, so that many captures make one traceable dataset while
/// NFStream's own column layout stays the default.
/// </summary>
public static class FlowSourceColumn
{
    public const string Name = "source";
}
