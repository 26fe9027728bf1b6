using System.Collections;
using System.Management.Automation;
using NFStream.Tests.Hosting;

namespace NFStream.Tests.Module;

/// <summary>NFStream.psd1, as laid out in out/NFStream/, passes Test-ModuleManifest and has what the gallery and users need.</summary>
[Collection(PowerShellCollection.Name)]
public sealed class ModuleManifestTests
{
    private readonly PowerShellFixture fixture;

    public ModuleManifestTests(PowerShellFixture fixture) => this.fixture = fixture;

    private PSModuleInfo TestManifest()
    {
        var result = fixture.Session.Run("Test-ModuleManifest -Path $manifest",
            new Dictionary<string, object?> { ["manifest"] = RepositoryPaths.ModuleManifest }).AssertSuccess();
        return Assert.IsType<PSModuleInfo>(Assert.Single(result.Output).BaseObject);
    }

    [Fact]
    public void PassesTestModuleManifest()
    {
        var module = TestManifest();
        Assert.Equal("NFStream", module.Name);
        Assert.True(module.Version >= new Version(0, 1), module.Version.ToString());
        Assert.False(string.IsNullOrWhiteSpace(module.Author));
        Assert.True(module.Description.Length > 40, module.Description);
        Assert.Equal(new[] { "Core" }, module.CompatiblePSEditions);
        Assert.Equal(new Version(7, 4), module.PowerShellVersion);
        Assert.Contains("NFStream.format.ps1xml", module.ExportedFormatFiles.Select(Path.GetFileName));
        Assert.Contains("NFStream.types.ps1xml", module.ExportedTypeFiles.Select(Path.GetFileName));
    }

    [Fact]
    public void GalleryDataHasTagsProjectAndLicense()
    {
        var module = TestManifest();
        Assert.Contains("pcap", module.Tags);
        Assert.Contains("nfstream", module.Tags);
        Assert.NotNull(module.ProjectUri);
        Assert.NotNull(module.LicenseUri);
        var psData = Assert.IsAssignableFrom<IDictionary>(((IDictionary)module.PrivateData)["PSData"]);
        Assert.True(psData.Contains("ReleaseNotes"));
    }

    /// <summary>CmdletsToExport is explicit (no wildcard) and names exactly the cmdlets that NFStream.dll defines.</summary>
    [Fact]
    public void ExportsExactlyTheCmdletsTheAssemblyDefines()
    {
        var listed = ((IEnumerable)ManifestValue("CmdletsToExport")).Cast<object>().Select(o => o.ToString()!).OrderBy(n => n).ToList();
        Assert.DoesNotContain(listed, n => n.Contains('*'));
        var defined = fixture.Session.Run("""
            $assembly = [NFStream.Commands.GetNFFlowCommand].Assembly
            foreach ($type in $assembly.GetExportedTypes()) {
                $attribute = $type.GetCustomAttributes([System.Management.Automation.CmdletAttribute], $false) | ForEach-Object { $_ }
                if ($attribute -and -not $type.IsAbstract) { "$($attribute.VerbName)-$($attribute.NounName)" }
            }
            """).AssertSuccess().Output.Select(o => o.ToString()).OrderBy(n => n).ToList();
        Assert.Equal(defined, listed);
        var exported = TestManifest().ExportedCmdlets.Keys.OrderBy(n => n).ToList();
        Assert.Equal(defined, exported);
        Assert.Superset(new HashSet<string> { "Get-NFFlow", "Export-NFFlowCsv", "New-NFSampleCapture", "New-NFPlugin", "Start-NFCapture", "Get-NFInterface" }, exported.ToHashSet());
    }

    private static object ManifestValue(string key)
    {
        // The manifest is a hashtable literal: evaluate it in restricted language mode, as Import-PowerShellDataFile does.
        var ast = System.Management.Automation.Language.Parser.ParseFile(RepositoryPaths.ModuleManifest, out _, out var errors);
        Assert.Empty(errors);
        var table = (Hashtable)ast.Find(a => a is System.Management.Automation.Language.HashtableAst, false)!.SafeGetValue();
        return table[key]!;
    }

    [Fact]
    public void ShippedManifestIsTheRepositoryOne()
    {
        Assert.Equal(File.ReadAllText(Path.Combine(RepositoryPaths.Root, "NFStream.psd1")), File.ReadAllText(RepositoryPaths.ModuleManifest));
    }
}
