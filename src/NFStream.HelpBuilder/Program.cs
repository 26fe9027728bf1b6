using System.Reflection;
using NFStream.HelpBuilder;

// NFStream.HelpBuilder <module.dll> <markdown directory> <output MAML path>
if (args.Length != 3)
{
    Console.Error.WriteLine("usage: NFStream.HelpBuilder <NFStream.dll> <en-US/cmdlets> <NFStream.dll-Help.xml>");
    return 2;
}
var module = Assembly.LoadFrom(Path.GetFullPath(args[0]));
string sources = args[1];
var shared = Directory.GetFiles(sources, "_*.md").Select(CmdletHelpSource.Parse).ToList();
var problems = new List<string>();
var cmdlets = new List<(CmdletMetadata, CmdletHelpSource, Func<string, string>)>();
foreach (var meta in CmdletMetadata.Read(module))
{
    string file = Path.Combine(sources, meta.Name + ".md");
    if (!File.Exists(file))
    {
        problems.Add($"{meta.Name}: no help source {file}");
        continue;
    }
    var help = CmdletHelpSource.Parse(file);
    string Describe(string parameter) =>
        help.Parameters.TryGetValue(parameter, out var text) ? text
        : shared.Select(s => s.Parameters.GetValueOrDefault(parameter)).FirstOrDefault(t => t is not null) ?? "";
    foreach (var p in meta.Parameters.Where(p => Describe(p.Name).Length == 0))
        problems.Add($"{file}: parameter -{p.Name} is not documented (here or in a shared _*.md file)");
    foreach (string documented in help.Parameters.Keys.Where(k => meta.Parameters.All(p => !p.Name.Equals(k, StringComparison.OrdinalIgnoreCase))))
        problems.Add($"{file}: documents -{documented}, which {meta.Name} does not have");
    if (help.Synopsis.Length == 0) problems.Add($"{file}: no SYNOPSIS");
    if (help.Description.Length == 0) problems.Add($"{file}: no DESCRIPTION");
    if (help.Examples.Count < 2) problems.Add($"{file}: fewer than two EXAMPLES");
    if (help.Links.Count == 0) problems.Add($"{file}: no RELATED LINKS");
    if (help.Outputs.Count == 0) problems.Add($"{file}: no OUTPUTS");
    cmdlets.Add((meta, help, Describe));
}
if (problems.Count > 0)
{
    foreach (string problem in problems) Console.Error.WriteLine("error NFHELP: " + problem);
    return 1;
}
MamlWriter.Write(args[2], cmdlets);
Console.WriteLine($"NFStream help: {cmdlets.Count} cmdlets -> {args[2]}");
return 0;
