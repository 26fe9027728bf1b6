using System.Globalization;
using System.Management.Automation.Host;

namespace NFStream.Shell;

/// <summary>The PSHost: identity, the UI, and the exit code that <c>exit N</c> sets.</summary>
internal sealed class ShellHost : PSHost
{
    private readonly ShellHostUserInterface ui = new();

    public override string Name => "NFStreamShell";
    public override Version Version { get; } = typeof(ShellHost).Assembly.GetName().Version ?? new Version(0, 1);
    public override Guid InstanceId { get; } = Guid.NewGuid();
    public override PSHostUserInterface UI => ui;
    public override CultureInfo CurrentCulture => CultureInfo.CurrentCulture;
    public override CultureInfo CurrentUICulture => CultureInfo.CurrentUICulture;

    /// <summary>Set by <c>exit N</c>.</summary>
    public int? ExitCode { get; private set; }

    public override void SetShouldExit(int exitCode) => ExitCode = exitCode;
    public override void EnterNestedPrompt() => throw new NotSupportedException("Nested prompts are not supported.");
    public override void ExitNestedPrompt() => throw new NotSupportedException("Nested prompts are not supported.");
    public override void NotifyBeginApplication() { }
    public override void NotifyEndApplication() { }

    /// <summary>Clears the progress line before the host ends.</summary>
    public void Finish() => ui.ClearProgress();
}
