using System.Management.Automation;
using System.Management.Automation.Runspaces;
using NFStream.HelpBuilder;

// NFStream.HelpBuilder --module out/NFStream/NFStream.psd1 --source en-US/cmdlets --output out/NFStream/en-US/NFStream.dll-Help.xml
//                      [--scaffold] [--strict]
// Imports the module, reads each exported cmdlet's metadata and its en-US/cmdlets/NAME.md, and writes the MAML.
// Parameters that several cmdlets share may be described once in a shared file (_NAME.md), used where a cmdlet's
// own file does not describe them. Problems (an undocumented cmdlet or parameter, too few examples...) are
// warnings; --strict (the build's default) makes them errors. --scaffold writes a markdown skeleton for every
// cmdlet that has none, to fill in.

var options = ParseArguments(args);
if (options is null)
{
    Console.Error.WriteLine("usage: NFStream.HelpBuilder --module PSD1 --source DIR --output XML [--scaffold] [--strict]");
    return 2;
}

var iss = InitialSessionState.CreateDefault2();
using var runspace = RunspaceFactory.CreateRunspace(iss);
runspace.Open();
Runspace.DefaultRunspace = runspace;
using var ps = PowerShell.Create();
ps.Runspace = runspace;
ps.AddCommand("Import-Module").AddParameter("Name", Path.GetFullPath(options.Module)).AddParameter("PassThru")
    .AddParameter("ErrorAction", "Stop");
var module = (PSModuleInfo)ps.Invoke()[0].BaseObject;

var warnings = new List<string>();
var shared = Directory.EnumerateFiles(options.Source, "_*.md").Order(StringComparer.Ordinal)
    .Select(file => MarkdownHelpReader.Read(file, warnings)).ToList();
var commands = new List<(CmdletFacts, CommandHelp)>();
foreach (var cmdlet in module.ExportedCmdlets.Values.OrderBy(c => c.Name, StringComparer.Ordinal))
{
    var code = CmdletFacts.From(cmdlet);
    string source = Path.Combine(options.Source, cmdlet.Name + ".md");
    if (!File.Exists(source))
    {
        if (options.Scaffold)
        {
            File.WriteAllText(source, HelpScaffold.For(code));
            Console.WriteLine($"Wrote {source}: fill in its text.");
        }
        else
        {
            warnings.Add($"{source}: warning NFH001: {cmdlet.Name} has no help source; run build.ps1 -Task HelpScaffold to start one.");
            commands.Add((code, new CommandHelp(cmdlet.Name, source)));
            continue;
        }
    }
    var text = MarkdownHelpReader.Read(source, warnings);
    foreach (var parameter in code.Parameters)
    {
        if (text.Parameters.ContainsKey(parameter.Name)) continue;
        var common = shared.Select(s => s.Parameters.GetValueOrDefault(parameter.Name)).FirstOrDefault(p => p is not null);
        if (common is not null) text.Parameters[parameter.Name] = common;
    }
    HelpChecks.Check(code, text, warnings);
    StockText.AddCommonOnes(code, text);
    commands.Add((code, text));
}
foreach (var orphan in Directory.EnumerateFiles(options.Source, "*.md"))
{
    string name = Path.GetFileNameWithoutExtension(orphan);
    if (!module.ExportedCmdlets.ContainsKey(name) && !name.StartsWith('_'))
        warnings.Add($"{orphan}: warning NFH009: {name} is not a cmdlet that the module exports.");
}

if (options.Strict && warnings.Count > 0)
{
    // No help file at all, so that the next incremental build runs (and fails) again.
    File.Delete(options.Output);
}
else
{
    MamlWriter.Write(options.Output, commands);
}
foreach (var warning in warnings)
    Console.WriteLine(options.Strict ? warning.Replace(": warning ", ": error ", StringComparison.Ordinal) : warning);
if (File.Exists(options.Output)) Console.WriteLine($"Help for {commands.Count} cmdlets written to {options.Output}.");
return options.Strict && warnings.Count > 0 ? 1 : 0;

static Options? ParseArguments(string[] args)
{
    string? module = null, source = null, output = null;
    bool scaffold = false, strict = false;
    for (int i = 0; i < args.Length; i++)
    {
        switch (args[i])
        {
            case "--module" when i + 1 < args.Length: module = args[++i]; break;
            case "--source" when i + 1 < args.Length: source = args[++i]; break;
            case "--output" when i + 1 < args.Length: output = args[++i]; break;
            case "--scaffold": scaffold = true; break;
            case "--strict": strict = true; break;
            default: return null;
        }
    }
    return module is null || source is null || output is null ? null : new Options(module, source, output, scaffold, strict);
}

internal sealed record Options(string Module, string Source, string Output, bool Scaffold, bool Strict);
