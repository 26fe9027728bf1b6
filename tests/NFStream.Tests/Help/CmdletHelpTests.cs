using NFStream.Tests.Hosting;

namespace NFStream.Tests.Help;

/// <summary>
/// Every cmdlet the module exports (enumerated from the module, so a new cmdlet without help fails here) has
/// complete help through Get-Help: synopsis, description, every parameter with type, default, pipeline input and
/// wildcard support, inputs, outputs, at least two examples and related links.
/// </summary>
[Collection(PowerShellCollection.Name)]
public sealed class CmdletHelpTests
{
    private readonly PowerShellFixture fixture;

    public CmdletHelpTests(PowerShellFixture fixture) => this.fixture = fixture;

    [Fact]
    public void TheModuleExportsCmdlets()
    {
        var names = fixture.Session.Run("(Get-Command -Module NFStream -CommandType Cmdlet).Name").AssertSuccess()
            .Output.Select(o => o.ToString()).ToList();
        Assert.Contains("Get-NFFlow", names);
        Assert.Contains("Export-NFFlowCsv", names);
    }

    [Fact]
    public void EveryCmdletHasCompleteHelp()
    {
        // Checked in PowerShell, on the objects Get-Help returns: one line per problem.
        var problems = fixture.Session.Run("""
            function Text($value) { (@($value) | ForEach-Object { if ($_ -is [string]) { $_ } else { $_.Text } }) -join "`n" }
            $common = [System.Management.Automation.Cmdlet]::CommonParameters
            foreach ($command in Get-Command -Module NFStream -CommandType Cmdlet) {
                $name = $command.Name
                $help = Get-Help $name -Full
                if (-not $help.description -or (Text $help.description).Trim().Length -lt 40) { "${name}: no description (is there docs/help/$name.md?)" }
                if (-not $help.Synopsis -or $help.Synopsis.Trim().StartsWith($name)) { "${name}: no synopsis" }
                $documented = @{}
                foreach ($parameter in @($help.parameters.parameter)) { if ($parameter) { $documented[$parameter.name] = $parameter } }
                foreach ($key in $command.Parameters.Keys) {
                    if ($common -contains $key) { continue }
                    $metadata = $command.Parameters[$key]
                    $parameter = $documented[$key]
                    if (-not $parameter) { "${name}: -$key is not in the help"; continue }
                    if ((Text $parameter.description).Trim().Length -lt 10) { "${name}: -$key has no description" }
                    if (-not $parameter.type.name) { "${name}: -$key has no type" }
                    if ($null -eq $parameter.defaultValue -or "$($parameter.defaultValue)".Trim() -eq '') { "${name}: -$key has no default value" }
                    $wildcards = @($metadata.Attributes | Where-Object { $_ -is [System.Management.Automation.SupportsWildcardsAttribute] }).Count -gt 0
                    if ($parameter.globbing -ne "$wildcards".ToLowerInvariant()) { "${name}: -$key globbing is '$($parameter.globbing)', the code says $wildcards" }
                    $byValue = @($metadata.ParameterSets.Values | Where-Object ValueFromPipeline).Count -gt 0
                    $byName = @($metadata.ParameterSets.Values | Where-Object ValueFromPipelineByPropertyName).Count -gt 0
                    if (($parameter.pipelineInput -like 'True*') -ne ($byValue -or $byName)) { "${name}: -$key pipeline input is '$($parameter.pipelineInput)'" }
                    if ($byValue -and $parameter.pipelineInput -notlike '*ByValue*') { "${name}: -$key takes pipeline input by value, the help does not say so" }
                    if ($byName -and $parameter.pipelineInput -notlike '*ByPropertyName*') { "${name}: -$key takes pipeline input by property name, the help does not say so" }
                }
                foreach ($key in $documented.Keys) { if (-not $command.Parameters.ContainsKey($key)) { "${name}: the help documents -$key, which does not exist" } }
                $examples = @($help.examples.example | Where-Object { $_ -and $_.code })
                if ($examples.Count -lt 2) { "${name}: $($examples.Count) examples" }
                foreach ($example in $examples) { if ((Text $example.remarks).Trim().Length -eq 0) { "${name}: example '$($example.title)' is not explained" } }
                if (@($help.inputTypes.inputType | Where-Object { $_ }).Count -eq 0) { "${name}: no inputs" }
                $outputs = @($help.returnValues.returnValue | Where-Object { $_ } | ForEach-Object { $_.type.name })
                if ($outputs.Count -eq 0) { "${name}: no outputs" }
                foreach ($type in $command.OutputType) { if ($outputs -notcontains $type.Name) { "${name}: outputs do not list $($type.Name)" } }
                if (@($help.relatedLinks.navigationLink | Where-Object { $_ -and $_.linkText }).Count -eq 0) { "${name}: no related links" }
            }
            """).AssertSuccess().Output.Select(o => o.ToString()).ToList();
        Assert.True(problems.Count == 0, "Help problems:\n" + string.Join("\n", problems));
    }

    [Fact]
    public void HelpLinksNameRealCommandsOrTopics()
    {
        var problems = fixture.Session.Run("""
            foreach ($command in Get-Command -Module NFStream -CommandType Cmdlet) {
                foreach ($link in @((Get-Help $command.Name).relatedLinks.navigationLink)) {
                    if (-not $link -or $link.uri) { continue }
                    # Get-Help falls back to a full-text search: only a single hit is the topic itself.
                    $topic = @(Get-Help $link.linkText -ErrorAction SilentlyContinue)
                    if (-not (Get-Command $link.linkText -ErrorAction SilentlyContinue) -and $topic.Count -ne 1) {
                        "$($command.Name): related link '$($link.linkText)' names no command or help topic"
                    }
                }
            }
            """).AssertSuccess().Output.Select(o => o.ToString()).ToList();
        Assert.True(problems.Count == 0, string.Join("\n", problems));
    }
}
