namespace NFStream.HelpBuilder;

/// <summary>The hand-written part of one cmdlet's help, as read from docs/help/NAME.md.</summary>
internal sealed class CommandHelp
{
    public CommandHelp(string name, string sourcePath)
    {
        Name = name;
        SourcePath = sourcePath;
    }

    public string Name { get; }
    public string SourcePath { get; }
    public List<string> Synopsis { get; } = new();
    public List<string> Description { get; } = new();
    public List<HelpExample> Examples { get; } = new();
    public Dictionary<string, ParameterHelp> Parameters { get; } = new(StringComparer.OrdinalIgnoreCase);
    public List<TypeHelp> Inputs { get; } = new();
    public List<TypeHelp> Outputs { get; } = new();
    public List<string> Notes { get; } = new();
    public List<RelatedLink> Links { get; } = new();
}

internal sealed record HelpExample(string Title, string Code, List<string> Remarks);

/// <summary>A parameter's description, and its default when the code's initial value does not say it well.</summary>
internal sealed record ParameterHelp(string Name, List<string> Description, string? DefaultValue);

internal sealed record TypeHelp(string TypeName, List<string> Description);

internal sealed record RelatedLink(string Text, string Uri);
