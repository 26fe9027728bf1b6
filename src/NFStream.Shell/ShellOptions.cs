namespace NFStream.Shell;

/// <summary>The command line: <c>-Command text</c>, <c>-File script.ps1 args...</c>, or nothing for a prompt.</summary>
internal sealed record ShellOptions(string? Command, string? File, IReadOnlyList<string> Arguments, bool ShowHelp)
{
    public const string Usage = """
        nfstream: PowerShell with the NFStream module imported (for machines without pwsh).

        Usage:
          nfstream -Command "<script>"          run a script text, e.g. "Get-NFFlow sample.pcap"
          nfstream -File <script.ps1> [args...]  run a script file with arguments
          nfstream                               read commands from a prompt (exit to leave)
          nfstream -Help                         this text

        Output is rendered with the module's table and list views. Ctrl+C stops the running pipeline.
        The exit code is the script's 'exit N', 1 after an error, otherwise 0.
        """;

    public static ShellOptions Parse(string[] args)
    {
        if (args.Length == 0) return new ShellOptions(null, null, Array.Empty<string>(), false);
        string first = args[0].TrimStart('-', '/').ToLowerInvariant();
        if (first is "help" or "h" or "?") return new ShellOptions(null, null, Array.Empty<string>(), true);
        if (first is "command" or "c")
        {
            if (args.Length < 2) throw new ArgumentException("-Command needs a script text.");
            return new ShellOptions(string.Join(' ', args.Skip(1)), null, Array.Empty<string>(), false);
        }
        if (first is "file" or "f")
        {
            if (args.Length < 2) throw new ArgumentException("-File needs a script path.");
            return new ShellOptions(null, args[1], args.Skip(2).ToArray(), false);
        }
        if (!args[0].StartsWith('-')) return new ShellOptions(null, args[0], args.Skip(1).ToArray(), false);
        throw new ArgumentException($"Unknown option '{args[0]}'. Use -Command, -File or -Help.");
    }
}
