using System.Management.Automation;
using NFStream.Engine;
using NFStream.Engine.Export;
using NFStream.Completion;
using NFStream.Hosting;

namespace NFStream.Commands;

/// <summary>The Export-NFFlowCsv cmdlet. Its help, the only copy, is en-US/cmdlets/Export-NFFlowCsv.md.</summary>
[Cmdlet(VerbsData.Export, "NFFlowCsv", DefaultParameterSetName = PathSet, SupportsShouldProcess = true)]
[OutputType(typeof(NFlow))]
public sealed class ExportNFFlowCsvCommand : PSCmdlet, IDisposable
{
    private const string PathSet = "Path", LiteralPathSet = "LiteralPath";

    [Parameter(Mandatory = true, ValueFromPipeline = true)]
    [ValidateNotNull]
    public NFlow? InputObject { get; set; }

    [Parameter(Mandatory = true, Position = 0, ParameterSetName = PathSet)]
    [ValidateNotNullOrEmpty]
    public string Path { get; set; } = "";

    [Parameter(Mandatory = true, ParameterSetName = LiteralPathSet)]
    [Alias("PSPath", "LP")]
    [ValidateNotNullOrEmpty]
    public string LiteralPath { get; set; } = "";

    [Parameter]
    [ValidateRange(0, int.MaxValue)]
    public int FlowsPerFile { get; set; }

    [Parameter]
    [ValidateRange(0, int.MaxValue)]
    public int RotateFiles { get; set; }

    [Parameter]
    [ArgumentCompleter(typeof(FlowColumnNameCompleter))]
    [ValidateNotNullOrEmpty]
    public string[]? AnonymizeColumn { get; set; }

    [Parameter]
    [ValidateCount(1, FlowAnonymizer.KeyLength)]
    public byte[]? AnonymizationKey { get; set; }

    [Parameter]
    public SwitchParameter Append { get; set; }

    [Parameter]
    [Alias("NoOverwrite")]
    public SwitchParameter NoClobber { get; set; }

    [Parameter]
    public SwitchParameter Force { get; set; }

    [Parameter]
    public SwitchParameter PassThru { get; set; }

    [Parameter]
    public SwitchParameter NoFormulaEscape { get; set; }

    // Held from construction to disposal: SIGTERM/SIGHUP wait until this file is closed (TerminationSignals).
    private readonly IDisposable signalLease = TerminationSignals.Enter();

    [Parameter]
    public SwitchParameter IncludeSource { get; set; }

    private string basePath = "";
    private FlowAnonymizer? anonymizer;
    private WholeRowFile? file;
    private CsvFlowWriter? csv;
    private ExportLayout? layout;
    private long flowsInFile, fileIndex, totalFlows;
    private bool declined;

    protected override void BeginProcessing()
    {
        basePath = ProviderPaths.ResolveOutputFile(this, ParameterSetName == LiteralPathSet ? LiteralPath : Path,
            ParameterSetName == LiteralPathSet);
        if (AnonymizeColumn is not null)
        {
            var unknown = FlowAnonymizer.UnknownColumns(AnonymizeColumn)
                .Where(name => !(IncludeSource && string.Equals(name, FlowSourceColumn.Name, StringComparison.OrdinalIgnoreCase))).ToList();
            if (unknown.Count > 0) ThrowTerminatingError(Errors.UnknownColumn(unknown));
            anonymizer = new FlowAnonymizer(AnonymizeColumn, AnonymizationKey);
        }
        else if (AnonymizationKey is not null)
        {
            WriteWarning("-AnonymizationKey has no effect without -AnonymizeColumn.");
        }
        if (FlowsPerFile > 0 && NoClobber && !Append && FirstExistingChunk() is { } existing)
            ThrowTerminatingError(Errors.FileExists(existing, "-NoClobber was given; nothing was written."));
    }

    protected override void ProcessRecord()
    {
        var flow = InputObject!;
        if (PassThru) WriteObject(flow);
        if (declined) return;
        if (layout is null) layout = ExportLayout.Of(flow);
        else if (layout.Check(flow) is { } problem) ThrowTerminatingError(Errors.ColumnSetMismatch(file?.Path ?? basePath, problem));
        if (file is null || FlowsPerFile > 0 && flowsInFile >= FlowsPerFile)
        {
            if (!OpenNextFile()) return;
        }
        try
        {
            csv!.Write(flow);
            file!.EndRow();
        }
        catch (ExportWriteException e)
        {
            file!.FailureReported();
            ThrowTerminatingError(Errors.ExportWriteFailed(e.Path, e));
        }
        flowsInFile++;
        totalFlows++;
    }

    protected override void EndProcessing()
    {
        if (totalFlows == 0 && !declined)
        {
            // NFStream writes no file for zero flows; we write the header of the default column set so that a
            // scheduled job always leaves a well-formed file behind.
            layout = ExportLayout.Of(FlowColumnSetExtensions.Default);
            OpenNextFile();
        }
        CloseFile();
        WriteVerbose($"Wrote {totalFlows} flows to {(fileIndex > 1 ? $"{fileIndex} files" : basePath)}.");
    }

    /// <summary>
    /// Ctrl+C, an upstream terminating error, or the end: the rows written so far reach the file and it is closed
    /// (PowerShell disposes every command of a pipeline, however it ended). A row cut by the stop is dropped.
    /// </summary>
    public void Dispose()
    {
        try
        {
            file?.Dispose();
        }
        catch (ExportWriteException)
        {
            // The pipeline has ended: nothing can take the error any more (it was reported when it happened).
        }
        file = null;
        signalLease.Dispose();
    }

    private bool OpenNextFile()
    {
        CloseFile();
        string path = FlowsPerFile > 0 ? ChunkPath(basePath, RotateFiles > 0 ? fileIndex % RotateFiles : fileIndex) : basePath;
        fileIndex++;
        flowsInFile = 0;
        bool exists = File.Exists(path);
        if (exists && NoClobber && !Append)
        {
            ThrowTerminatingError(Errors.FileExists(path, "-NoClobber was given."));
        }
        if (!ShouldProcess(path, Append && exists ? "Append flows to CSV file" : "Write flows to CSV file"))
        {
            declined = true;
            return false;
        }
        try
        {
            if (exists && Force)
            {
                var attributes = File.GetAttributes(path);
                if ((attributes & FileAttributes.ReadOnly) != 0) File.SetAttributes(path, attributes & ~FileAttributes.ReadOnly);
            }
            file = WholeRowFile.Open(path, Append);
        }
        catch (ExportFileInUseException e)
        {
            ThrowTerminatingError(Errors.ExportFileInUse(e));
            return false;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            ThrowTerminatingError(Errors.CsvOpenFailed(path, e));
            return false;
        }
        csv = new CsvFlowWriter(file.Text, layout!, anonymizer, escapeFormulas: !NoFormulaEscape, includeSource: IncludeSource);
        if (file.LengthOnOpen > 0)
        {
            // Appending: the file's header fixes its columns; rows of another set would be misaligned.
            string start = file.ReadStart(1 << 16);
            string? problem = ExportLayout.ParseHeader(start) is { } existing
                ? layout!.CheckHeader(existing)
                : "the file has no complete header line";
            if (problem is null && !file.EndsWithLineEnd())
                problem = "the file ends with a partial row (a run that was cut off?); repair it before appending";
            if (problem is not null)
            {
                CloseFile();
                ThrowTerminatingError(Errors.ColumnSetMismatch(path, problem));
            }
        }
        else
        {
            csv.WriteHeader();
            file.EndRow();
        }
        return true;
    }

    private void CloseFile()
    {
        var closing = file;
        file = null;
        csv = null;
        try
        {
            closing?.Dispose();
        }
        catch (ExportWriteException e)
        {
            ThrowTerminatingError(Errors.ExportWriteFailed(e.Path, e));
        }
    }

    /// <summary>With -FlowsPerFile -NoClobber, the first chunk file that already exists (checked before writing any).</summary>
    private string? FirstExistingChunk()
    {
        if (RotateFiles > 0)
        {
            for (int i = 0; i < RotateFiles; i++)
            {
                string chunk = ChunkPath(basePath, i);
                if (File.Exists(chunk)) return chunk;
            }
            return null;
        }
        string dir = System.IO.Path.GetDirectoryName(basePath) ?? ".";
        string name = System.IO.Path.GetFileNameWithoutExtension(basePath), ext = System.IO.Path.GetExtension(basePath);
        if (!Directory.Exists(dir)) return null;
        foreach (var candidate in Directory.EnumerateFiles(dir, name + ".*" + ext))
        {
            string middle = System.IO.Path.GetFileName(candidate);
            middle = middle.Substring(name.Length + 1, middle.Length - name.Length - 1 - ext.Length);
            if (middle.Length > 0 && middle.All(char.IsAsciiDigit)) return candidate;
        }
        return null;
    }

    /// <summary>flows.csv → flows.0.csv, flows.1.csv, ... (NFStream replaces every "csv" in the path; we don't).</summary>
    internal static string ChunkPath(string path, long index)
    {
        string dir = System.IO.Path.GetDirectoryName(path) ?? "";
        string name = System.IO.Path.GetFileNameWithoutExtension(path);
        string ext = System.IO.Path.GetExtension(path);
        return System.IO.Path.Combine(dir, $"{name}.{index}{ext}");
    }
}
