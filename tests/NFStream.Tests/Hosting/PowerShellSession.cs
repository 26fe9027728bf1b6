using System.Collections.ObjectModel;
using System.Management.Automation;
using System.Management.Automation.Runspaces;

namespace NFStream.Tests.Hosting;

/// <summary>
/// The real PowerShell engine (NuGet System.Management.Automation) in-process, with the built module imported
/// from out/NFStream the way a user imports it.
/// </summary>
public sealed class PowerShellSession : IDisposable
{
    private readonly Runspace runspace;

    public PowerShellSession()
    {
        var iss = InitialSessionState.CreateDefault2();
        runspace = RunspaceFactory.CreateRunspace(iss);
        runspace.Open();
        Runspace.DefaultRunspace = runspace;
        var import = Run($"Import-Module '{RepositoryPaths.ModuleManifest}' -ErrorAction Stop");
        if (import.Errors.Count > 0) throw new InvalidOperationException("Import failed: " + import.Errors[0]);
    }

    /// <summary>Runs a script; non-terminating errors are collected, terminating ones come back as Exception.</summary>
    public ScriptResult Run(string script, IDictionary<string, object?>? variables = null)
    {
        Runspace.DefaultRunspace = runspace;
        using var ps = PowerShell.Create();
        ps.Runspace = runspace;
        if (variables is not null)
            foreach (var (name, value) in variables) runspace.SessionStateProxy.SetVariable(name, value);
        ps.AddScript(script);
        Collection<PSObject> output;
        Exception? terminating = null;
        try
        {
            output = ps.Invoke();
        }
        catch (RuntimeException e)
        {
            output = new Collection<PSObject>();
            terminating = e;
        }
        return new ScriptResult(output, ps.Streams.Error.ToList(), ps.Streams.Warning.Select(w => w.Message).ToList(),
            ps.Streams.Verbose.Select(v => v.Message).ToList(), terminating, ps.Streams.Progress.ToList());
    }

    public void Dispose() => runspace.Dispose();
}

public sealed record ScriptResult(Collection<PSObject> Output, List<ErrorRecord> Errors, List<string> Warnings,
    List<string> Verbose, Exception? Terminating, List<ProgressRecord>? Progress = null)
{
    /// <summary>Fails the test with PowerShell's own messages when anything went wrong.</summary>
    public ScriptResult AssertSuccess()
    {
        Assert.True(Terminating is null, "Terminating error: " + Terminating);
        Assert.True(Errors.Count == 0, "Errors: " + string.Join("; ", Errors.Select(e => e.ToString())));
        return this;
    }
}
