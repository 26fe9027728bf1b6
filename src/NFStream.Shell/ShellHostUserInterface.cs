using System.Collections.ObjectModel;
using System.Management.Automation;
using System.Management.Automation.Host;
using System.Security;
using System.Text.RegularExpressions;

namespace NFStream.Shell;

/// <summary>
/// Console output for the host: output on stdout; errors, warnings, verbose and debug on stderr with their
/// prefixes; progress as one self-overwriting line on stderr when stderr is a terminal.
/// </summary>
internal sealed class ShellHostUserInterface : PSHostUserInterface
{
    private readonly ShellRawUserInterface raw = new();
    private readonly object gate = new();
    private static readonly Regex EscapeSequence = new("\u001b\\[[0-9;?]*[A-Za-z]", RegexOptions.Compiled);
    private readonly bool progressVisible = !Console.IsErrorRedirected;
    private readonly bool plainOutput = Console.IsOutputRedirected || Environment.GetEnvironmentVariable("NO_COLOR") is { Length: > 0 };
    private int progressWidth;
    private DateTime lastProgress;

    public override PSHostRawUserInterface RawUI => raw;

    /// <summary>Colours only on a terminal; files and pipes get plain text.</summary>
    public override bool SupportsVirtualTerminal => !plainOutput;

    public override void Write(string value) => Out(value, newLine: false);
    public override void Write(ConsoleColor foregroundColor, ConsoleColor backgroundColor, string value) => Out(value, newLine: false);
    public override void WriteLine(string value) => Out(value, newLine: true);
    public override void WriteErrorLine(string value) => Err(value);
    public override void WriteWarningLine(string message) => Err("WARNING: " + message);
    public override void WriteVerboseLine(string message) => Err("VERBOSE: " + message);
    public override void WriteDebugLine(string message) => Err("DEBUG: " + message);
    public override void WriteInformation(InformationRecord record) { }

    public override void WriteProgress(long sourceId, ProgressRecord record)
    {
        if (!progressVisible) return;
        lock (gate)
        {
            if (record.RecordType == ProgressRecordType.Completed)
            {
                ClearProgressLocked();
                return;
            }
            var now = DateTime.UtcNow;
            if (now - lastProgress < TimeSpan.FromMilliseconds(100)) return;
            lastProgress = now;
            string percent = record.PercentComplete >= 0 ? $" {record.PercentComplete,3}%" : "";
            string line = $"{record.Activity}: {record.StatusDescription}{percent}";
            int width = Math.Max(20, raw.BufferSize.Width - 1);
            if (line.Length > width) line = line[..width];
            Console.Error.Write("\r" + line.PadRight(progressWidth));
            progressWidth = line.Length;
        }
    }

    public void ClearProgress()
    {
        lock (gate) ClearProgressLocked();
    }

    private void ClearProgressLocked()
    {
        if (progressWidth == 0) return;
        Console.Error.Write("\r" + new string(' ', progressWidth) + "\r");
        progressWidth = 0;
    }

    private void Out(string value, bool newLine)
    {
        lock (gate)
        {
            ClearProgressLocked();
            if (plainOutput && value.Contains('\u001b')) value = EscapeSequence.Replace(value, "");
            if (newLine) Console.Out.WriteLine(value);
            else Console.Out.Write(value);
        }
    }

    private void Err(string value)
    {
        lock (gate)
        {
            ClearProgressLocked();
            Console.Error.WriteLine(value);
        }
    }

    public override string ReadLine() => Console.ReadLine() ?? "";

    public override SecureString ReadLineAsSecureString()
    {
        var secure = new SecureString();
        foreach (char c in ReadLine()) secure.AppendChar(c);
        secure.MakeReadOnly();
        return secure;
    }

    public override Dictionary<string, PSObject> Prompt(string caption, string message, Collection<FieldDescription> descriptions)
    {
        var answers = new Dictionary<string, PSObject>();
        foreach (var field in descriptions)
        {
            Console.Error.Write($"{field.Name}: ");
            answers[field.Name] = PSObject.AsPSObject(ReadLine());
        }
        return answers;
    }

    public override int PromptForChoice(string caption, string message, Collection<ChoiceDescription> choices, int defaultChoice)
    {
        Console.Error.WriteLine($"{caption} {message}");
        for (int i = 0; i < choices.Count; i++) Console.Error.WriteLine($"  [{i}] {choices[i].Label.Replace("&", "")}");
        return int.TryParse(ReadLine(), out int choice) && choice >= 0 && choice < choices.Count ? choice : defaultChoice;
    }

    public override PSCredential PromptForCredential(string caption, string message, string userName, string targetName) =>
        throw new NotSupportedException("Credential prompts are not supported by this host.");

    public override PSCredential PromptForCredential(string caption, string message, string userName, string targetName,
        PSCredentialTypes allowedCredentialTypes, PSCredentialUIOptions options) =>
        throw new NotSupportedException("Credential prompts are not supported by this host.");
}
