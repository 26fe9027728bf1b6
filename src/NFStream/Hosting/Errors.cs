using NFStream.Engine;
using System.Management.Automation;
using NFStream.Engine.Capture;

namespace NFStream.Hosting;

/// <summary>The module's ErrorRecords: one place for their ids, categories and targets.</summary>
internal static class Errors
{
    public static ErrorRecord PathNotFound(string path) => new(
        new ItemNotFoundException($"Cannot find path '{path}' because it does not exist."),
        "PathNotFound", ErrorCategory.ObjectNotFound, path);

    public static ErrorRecord IsDirectory(string path) => new(
        new IOException($"'{path}' is a directory; give a capture file, or a wildcard such as '{Path.Combine(path, "*.pcap")}'."),
        "PathIsDirectory", ErrorCategory.InvalidArgument, path);

    public static ErrorRecord CaptureUnreadable(CaptureFileException e) => new(
        e, e.Offset == 0 ? "CaptureFormatInvalid" : "CaptureCorrupt",
        e.Offset == 0 ? ErrorCategory.InvalidData : ErrorCategory.ReadError, e.Path)
    {
        ErrorDetails = new ErrorDetails(e.Message)
        {
            RecommendedAction = "Flows read before this point were emitted. Check the file, or repair it (for example with pcapfix or editcap) and read it again.",
        },
    };

    public static ErrorRecord InvalidPath(string path, Exception e) => new(
        e, "InvalidPath", ErrorCategory.InvalidArgument, path);

    public static ErrorRecord AmbiguousOutputPath(string path, int matches) => new(
        new ArgumentException($"The path '{path}' must name exactly one file; it matches {matches}."),
        "AmbiguousOutputPath", ErrorCategory.InvalidArgument, path);

    /// <param name="provider">The provider the path is on, when it resolved to one; null for an output path.</param>
    public static ErrorRecord NotFileSystemPath(string path, string? provider = null) => new(
        new ArgumentException(provider is null
            ? $"The path '{path}' is not a file-system path."
            : $"The path '{path}' is on the {provider} provider; captures must be files."),
        "NotFileSystemPath", ErrorCategory.InvalidArgument, path);

    public static ErrorRecord CsvOpenFailed(string path, Exception e) => new(
        e, "CsvOpenFailed", e is UnauthorizedAccessException ? ErrorCategory.PermissionDenied : ErrorCategory.OpenError, path);

    public static ErrorRecord DurationNotPositive(TimeSpan duration) => new(
        new ArgumentOutOfRangeException("Duration", duration,
            "-Duration must be positive: a TimeSpan such as '00:00:30', or a number of seconds."),
        "DurationNotPositive", ErrorCategory.InvalidArgument, duration);

    public static ErrorRecord FileAccess(string path, Exception e) => new(
        e, "CaptureOpenFailed", e is UnauthorizedAccessException ? ErrorCategory.PermissionDenied : ErrorCategory.OpenError, path);

    public static ErrorRecord FileExists(string path, string hint = "Use -Force to overwrite it.") => new(
        new IOException($"The file '{path}' already exists. {hint}"),
        "FileExists", ErrorCategory.ResourceExists, path);

    public static ErrorRecord UnsupportedLinkType(string path, int linkType) => new(
        new NotSupportedException($"{path}: link type {LinkTypes.Describe(linkType)} is not supported; its packets were counted as ignored."),
        "UnsupportedLinkType", ErrorCategory.NotImplemented, path);

    public static ErrorRecord BadFilter(string filter, Exception e) => new(
        e, "BpfFilterInvalid", ErrorCategory.InvalidArgument, filter);

    public static ErrorRecord PluginFailed(NFStream.Plugins.PluginFailedException e) => new(
        e, "PluginFailed", ErrorCategory.InvalidOperation, e.Flow)
    {
        ErrorDetails = new ErrorDetails(e.ScriptPosition is null ? e.Message : e.Message + Environment.NewLine + e.ScriptPosition)
        {
            RecommendedAction = "Flows emitted before the failure stand. Fix the plugin (its scriptblock, or its model) and run again.",
        },
    };

    public static ErrorRecord PluginOptionsInvalid(string plugin, string problem) => new(
        new ArgumentException(problem), "PluginOptionsInvalid", ErrorCategory.InvalidArgument, plugin);

    public static ErrorRecord OnnxModelInvalid(Exception e, string path) => new(
        e, e is NFStream.Engine.Plugins.Onnx.OnnxModelException { InnerException: FileNotFoundException } ? "OnnxModelNotFound" : "OnnxModelInvalid",
        e is NFStream.Engine.Plugins.Onnx.OnnxModelException { InnerException: FileNotFoundException } ? ErrorCategory.ObjectNotFound : ErrorCategory.InvalidData, path);

    public static ErrorRecord DpiUnavailable(Exception e) => new(
        e, "DpiUnavailable", ErrorCategory.NotInstalled, null)
    {
        ErrorDetails = new ErrorDetails(e.Message)
        {
            RecommendedAction = "Install nDPI (Debian: apt-get install libndpi4.2) and rebuild the module, or pass -NDissections 0 to meter flows without layer-7 columns.",
        },
    };

    public static ErrorRecord LiveCaptureFailed(LiveCaptureException e) => e.Failure switch
    {
        LiveCaptureFailure.InterfaceNotFound => new ErrorRecord(e, "InterfaceNotFound", ErrorCategory.ObjectNotFound, e.Interface)
        {
            ErrorDetails = new ErrorDetails(e.Message)
            {
                RecommendedAction = "Get-NFInterface lists the interfaces that can be captured on; tab completion of -Interface offers their names.",
            },
        },
        LiveCaptureFailure.PermissionDenied => new ErrorRecord(e, "CapturePermissionDenied", ErrorCategory.PermissionDenied, e.Interface)
        {
            ErrorDetails = new ErrorDetails(e.Message)
            {
                RecommendedAction = "Run PowerShell as root (sudo pwsh), or give its executable the capture capabilities: " +
                    "sudo setcap cap_net_raw,cap_net_admin+eip <path of the pwsh or dotnet executable>.",
            },
        },
        LiveCaptureFailure.BadFilter => new ErrorRecord(e, "BpfFilterInvalid", ErrorCategory.InvalidArgument, e.Interface),
        _ => new ErrorRecord(e, "LiveCaptureFailed", ErrorCategory.ReadError, e.Interface),
    };

    public static ErrorRecord UnknownColumn(IEnumerable<string> names) => new(
        new ArgumentException($"-AnonymizeColumn: {string.Join(", ", names.Select(n => "'" + n + "'"))} is not an NFStream column " +
            "(column names use underscores, such as src_ip; plugin values are udps.NAME). Nothing was written."),
        "AnonymizeColumnUnknown", ErrorCategory.InvalidArgument, names.ToArray())
    {
        ErrorDetails = new ErrorDetails($"-AnonymizeColumn: {string.Join(", ", names.Select(n => "'" + n + "'"))} is not an NFStream column. Nothing was written.")
        {
            RecommendedAction = "Use the column names that tab completion offers for -AnonymizeColumn (such as src_ip, dst_ip, src_mac), or udps.NAME for a plugin value.",
        },
    };

    public static ErrorRecord ColumnSetMismatch(string path, string problem) => new(
        new InvalidOperationException($"{path}: {problem}. The file's columns are fixed by its header; nothing was written for this flow."),
        "ColumnSetMismatch", ErrorCategory.InvalidData, path)
    {
        ErrorDetails = new ErrorDetails($"{path}: {problem}. The file's columns are fixed by its header; nothing was written for this flow.")
        {
            RecommendedAction = "Write flows of different options or plugins to different files (or export each Get-NFFlow call on its own).",
        },
    };

    public static ErrorRecord ExportFileInUse(NFStream.Engine.Export.ExportFileInUseException e) => new(
        e, "ExportFileInUse", ErrorCategory.ResourceBusy, e.Path);

    public static ErrorRecord ExportWriteFailed(string path, Exception e) => new(
        e, "ExportWriteFailed", ErrorCategory.WriteError, path);

    public static ErrorRecord FlowDoesNotFitParquetFile(NFStream.Engine.NFlow flow, string path, string reason) => new(
        new ArgumentException($"Flow {flow.id}{(flow.source.Length > 0 ? $" of {flow.source}" : "")} was not written to {path}: {reason}."),
        "FlowDoesNotFitParquetFile", ErrorCategory.InvalidData, flow);

    public static ErrorRecord ParquetOpenFailed(string path, Exception e) => new(
        e, "ParquetOpenFailed", e is UnauthorizedAccessException ? ErrorCategory.PermissionDenied : ErrorCategory.OpenError, path);

    public static ErrorRecord ParquetWriteFailed(string path, Exception e) => new(
        new IOException($"Writing {path} failed: {e.Message}", e), "ParquetWriteFailed", ErrorCategory.WriteError, path);

    public static ErrorRecord AfterPacketsMissing(string plugin) => new(
        new ArgumentException("-When AfterPackets needs -AfterPackets N: the packet count at which each flow is scored."),
        "AfterPacketsMissing", ErrorCategory.InvalidArgument, plugin);

    public static ErrorRecord ScoreTimeConflict(string plugin) => new(
        new ArgumentException("-When Expire scores flows when they expire; -AfterPackets scores them earlier. Give one of them."),
        "ScoreTimeConflict", ErrorCategory.InvalidArgument, plugin);

    public static ErrorRecord OnnxFeatureInvalid(Exception e, string[] features) => new(
        e, "OnnxFeatureInvalid", ErrorCategory.InvalidArgument, features);

    public static ErrorRecord OnnxRuntimeUnavailable(string path, Exception e) => new(
        new InvalidOperationException($"ONNX Runtime could not be loaded ({e.Message}). The module ships it for its build platform; rebuild the module on this platform.", e),
        "OnnxRuntimeUnavailable", ErrorCategory.NotInstalled, path);

    /// <summary>A TimeSpan parameter that must be positive (its id: NameInvalid).</summary>
    public static ErrorRecord NotPositive(string parameter, TimeSpan value) => new(
        new ArgumentException($"-{parameter} must be positive."), parameter + "Invalid", ErrorCategory.InvalidArgument, value);

    public static ErrorRecord IpfixDestinationInvalid(Exception e, string destination) => new(
        e, "IpfixDestinationInvalid", ErrorCategory.InvalidArgument, destination);

    public static ErrorRecord IpfixCollectorUnreachable(Exception e, string target) => new(
        e, "IpfixCollectorUnreachable", ErrorCategory.ConnectionError, target)
    {
        ErrorDetails = new ErrorDetails(e.Message)
        {
            RecommendedAction = "Start the collector, or check the address, the port and the firewall. Over UDP the cmdlet does not wait for a collector.",
        },
    };

    public static ErrorRecord IpfixConnectionLost(Exception failure, object destination) => new(
        failure, "IpfixConnectionLost", ErrorCategory.ConnectionError, destination)
    {
        ErrorDetails = new ErrorDetails(failure.Message)
        {
            RecommendedAction = "Flows sent before the break reached the collector. Check the collector and run again for the rest.",
        },
    };
}
