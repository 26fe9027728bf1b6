using System.Management.Automation;
using System.Management.Automation.Runspaces;

namespace NFStream.Shell;

/// <summary>
/// Runs scripts in a runspace that has the NFStream module imported, through <see cref="ShellHost"/>, with
/// Out-Default at the end of each pipeline so the format views render. Ctrl+C stops the running pipeline.
/// </summary>
internal sealed class ScriptRunner : IDisposable
{
    private readonly ShellHost host = new();
    private readonly Runspace runspace;
    private PowerShell? running;

    public ScriptRunner()
    {
        runspace = RunspaceFactory.CreateRunspace(host, InitialSessionState.CreateDefault2());
        runspace.Open();
        Runspace.DefaultRunspace = runspace;
        Console.CancelKeyPress += OnCancel;
        if (Console.IsOutputRedirected || Environment.GetEnvironmentVariable("NO_COLOR") is { Length: > 0 })
        {
            // No escape sequences in files and pipes (pwsh's default 'Host' rendering does the same).
            using var ps = PowerShell.Create();
            ps.Runspace = runspace;
            ps.AddScript("$PSStyle.OutputRendering = 'PlainText'").Invoke();
        }
    }

    /// <summary>Imports the module as a user would (Import-Module runs RequiredAssemblies before the type data).</summary>
    public bool ImportModule()
    {
        string manifest = ModuleManifest();
        using var ps = PowerShell.Create();
        ps.Runspace = runspace;
        ps.AddCommand("Import-Module").AddParameter("Name", manifest).AddParameter("ErrorAction", "Stop");
        try
        {
            ps.Invoke();
            return true;
        }
        catch (RuntimeException e)
        {
            Console.Error.WriteLine($"Cannot import the NFStream module from '{manifest}': {e.Message}");
            Console.Error.WriteLine("Build it first with 'dotnet build -c Release' at the repository root, or set NFSTREAM_MODULE.");
            return false;
        }
    }

    /// <summary>The module next to the host (out/NFStream/), or NFSTREAM_MODULE when set.</summary>
    private static string ModuleManifest()
    {
        string? fromEnvironment = Environment.GetEnvironmentVariable("NFSTREAM_MODULE");
        if (!string.IsNullOrEmpty(fromEnvironment)) return fromEnvironment;
        return Path.GetFullPath(Path.Combine(AppContext.BaseDirectory, "..", "NFStream", "NFStream.psd1"));
    }

    public int Run(ShellOptions options)
    {
        int code;
        if (options.Command is not null) code = Invoke(options.Command, null);
        else if (options.File is not null) code = RunFile(options.File, options.Arguments);
        else code = Prompt();
        host.Finish();
        return code;
    }

    private int RunFile(string file, IReadOnlyList<string> arguments)
    {
        string path = Path.GetFullPath(file);
        if (!File.Exists(path))
        {
            Console.Error.WriteLine($"The script '{file}' does not exist.");
            return 64;
        }
        return Invoke(path, new object[] { path, arguments.ToArray() });
    }

    private int Prompt()
    {
        int code = 0;
        while (host.ExitCode is null)
        {
            Console.Out.Write($"NFStream {Directory.GetCurrentDirectory()}> ");
            string? line = Console.ReadLine();
            if (line is null) break;
            if (line.Trim().Length == 0) continue;
            code = Invoke(line, null);
        }
        return host.ExitCode ?? code;
    }

    /// <summary>Runs a script text; returns the exit code (exit N, 1 after an error, 0).</summary>
    private int Invoke(string script, object[]? fileAndArguments)
    {
        using var ps = PowerShell.Create();
        ps.Runspace = runspace;
        if (fileAndArguments is not null)
        {
            runspace.SessionStateProxy.SetVariable("LASTEXITCODE", null);
            ps.AddCommand((string)fileAndArguments[0]);
            ScriptArguments.Bind(ps, (string[])fileAndArguments[1]);
        }
        else
        {
            ps.AddScript(script);
        }
        ps.Commands.Commands[0].MergeMyResults(PipelineResultTypes.Error, PipelineResultTypes.Output);
        ps.AddCommand("Out-Default");
        running = ps;
        bool failed;
        int errorsBefore = ErrorCount();
        try
        {
            ps.Invoke();
            // Errors are merged into the output (so Out-Default formats them): count them in $Error instead.
            failed = ps.HadErrors || ErrorCount() > errorsBefore;
        }
        catch (RuntimeException e)
        {
            ReportTerminating(e);
            failed = true;
        }
        finally
        {
            running = null;
        }
        if (host.ExitCode is int exit) return exit;
        if (fileAndArguments is not null && runspace.SessionStateProxy.GetVariable("LASTEXITCODE") is int fileExit)
            return fileExit;  // 'exit N' in a script file sets $LASTEXITCODE, as with pwsh -File
        if (ps.InvocationStateInfo.State == PSInvocationState.Stopped)
        {
            host.Finish();
            Console.Error.WriteLine("Stopped.");
            return 130;
        }
        return failed ? 1 : 0;
    }

    private int ErrorCount() => runspace.SessionStateProxy.GetVariable("Error") is System.Collections.ICollection errors ? errors.Count : 0;

    private void ReportTerminating(RuntimeException e)
    {
        host.Finish();
        var record = e.ErrorRecord;
        string position = record.InvocationInfo?.PositionMessage is { Length: > 0 } p ? Environment.NewLine + p : "";
        Console.Error.WriteLine(record + position);
    }

    private void OnCancel(object? sender, ConsoleCancelEventArgs e)
    {
        if (running is { } ps)
        {
            e.Cancel = true;          // stop the pipeline, keep the host
            ps.BeginStop(null, null);
        }
    }

    public void Dispose()
    {
        Console.CancelKeyPress -= OnCancel;
        runspace.Dispose();
    }
}
