using System.Management.Automation;
using NFStream.Engine;
using NFStream.Engine.Export;
using NFStream.Completion;
using NFStream.Hosting;

namespace NFStream.Commands;

/// <summary>The Export-NFFlowParquet cmdlet. Its help, the only copy, is en-US/cmdlets/Export-NFFlowParquet.md.</summary>
[Cmdlet(VerbsData.Export, "NFFlowParquet", DefaultParameterSetName = PathSet, SupportsShouldProcess = true)]
[OutputType(typeof(NFlow))]
public sealed class ExportNFFlowParquetCommand : PSCmdlet, IDisposable
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
    public ParquetCompression Compression { get; set; } = ParquetCompression.Snappy;

    [Parameter]
    [ValidateRange(1, 1 << 20)]
    public int RowGroupSize { get; set; } = ParquetFlowWriter.DefaultRowGroupSize;

    [Parameter]
    [ArgumentCompleter(typeof(FlowColumnNameCompleter))]
    [ValidateNotNullOrEmpty]
    public string[]? AnonymizeColumn { get; set; }

    [Parameter]
    [ValidateCount(1, FlowAnonymizer.KeyLength)]
    public byte[]? AnonymizationKey { get; set; }

    [Parameter]
    public SwitchParameter IncludeSource { get; set; }

    [Parameter]
    [Alias("NoOverwrite")]
    public SwitchParameter NoClobber { get; set; }

    [Parameter]
    public SwitchParameter Force { get; set; }

    [Parameter]
    public SwitchParameter PassThru { get; set; }

    // The file is closed from the pipeline thread (end), from PowerShell's stopping thread (Ctrl+C) or from a
    // signal handler (SIGTERM): every use of the writer holds this lock.
    private readonly object gate = new();
    private string path = "";
    private FlowAnonymizer? anonymizer;
    private ParquetFlowWriter? parquet;
    private TerminationSignalHandler? signals;
    private bool declined, ended;
    private long refused;

    protected override void BeginProcessing()
    {
        path = ProviderPaths.ResolveOutputFile(this, ParameterSetName == LiteralPathSet ? LiteralPath : Path,
            ParameterSetName == LiteralPathSet);
        if (AnonymizeColumn is not null)
        {
            foreach (var name in AnonymizeColumn)
            {
                if (!FlowColumns.TryGet(name, out _) && !name.StartsWith("udps.", StringComparison.OrdinalIgnoreCase)
                    && !(IncludeSource && string.Equals(name, FlowSourceColumn.Name, StringComparison.OrdinalIgnoreCase)))
                    WriteWarning($"Column '{name}' is not an NFStream column and will not be anonymized.");
            }
            anonymizer = new FlowAnonymizer(AnonymizeColumn, AnonymizationKey);
        }
        else if (AnonymizationKey is not null)
        {
            WriteWarning("-AnonymizationKey has no effect without -AnonymizeColumn.");
        }
        if (NoClobber && File.Exists(path)) ThrowTerminatingError(Errors.FileExists(path, "-NoClobber was given."));
    }

    protected override void ProcessRecord()
    {
        var flow = InputObject!;
        if (PassThru) WriteObject(flow);
        if (declined) return;
        string? reason;
        lock (gate)
        {
            if (ended) return;
            if (parquet is null && !Open(ParquetFlowLayout.For(flow, IncludeSource))) return;
            reason = parquet!.Check(flow);
            if (reason is null) Guard(() => parquet.Write(flow));
        }
        if (reason is not null)
        {
            refused++;
            WriteError(Errors.FlowDoesNotFitParquetFile(flow, path, reason));
        }
    }

    protected override void EndProcessing()
    {
        long rows;
        lock (gate)
        {
            // No flow: a file with NFStream's default columns and no rows, so a scheduled job always leaves one.
            if (parquet is null && !declined && !ended) Open(ParquetFlowLayout.Empty(IncludeSource));
            rows = parquet?.Rows ?? 0;
            Guard(CloseFile);
        }
        if (!declined)
            WriteVerbose($"Wrote {rows} flows to {path}{(refused > 0 ? $"; {refused} flows did not fit and were not written" : "")}.");
    }

    /// <summary>Ctrl+C: the flows taken so far stay in a complete file.</summary>
    protected override void StopProcessing()
    {
        lock (gate) CloseQuietly();
    }

    /// <summary>The pipeline failed or was torn down: still finish the file.</summary>
    public void Dispose()
    {
        lock (gate) CloseQuietly();
    }

    private bool Open(ParquetFlowLayout layout)
    {
        bool exists = File.Exists(path);
        if (exists && NoClobber) ThrowTerminatingError(Errors.FileExists(path, "-NoClobber was given."));
        if (!ShouldProcess(path, "Write flows to Parquet file"))
        {
            declined = true;
            return false;
        }
        FileStream? stream = null;
        try
        {
            if (exists && Force)
            {
                var attributes = File.GetAttributes(path);
                if ((attributes & FileAttributes.ReadOnly) != 0) File.SetAttributes(path, attributes & ~FileAttributes.ReadOnly);
            }
            stream = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.Read, 1 << 16);
            parquet = ParquetFlowWriter.Create(stream, layout, anonymizer, Compression, RowGroupSize);
            signals = new TerminationSignalHandler(CloseOnSignal);
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            stream?.Dispose();
            ThrowTerminatingError(Errors.ParquetOpenFailed(path, e));
            return false;
        }
    }

    /// <summary>SIGTERM or SIGHUP: write the waiting flows and the footer before the process ends.</summary>
    private void CloseOnSignal()
    {
        lock (gate)
        {
            ended = true;
            try
            {
                parquet?.Close();
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or ObjectDisposedException)
            {
                // The process is ending; nothing can take the error.
            }
        }
    }

    private void CloseFile()
    {
        ended = true;
        signals?.Dispose();
        signals = null;
        parquet?.Close();
    }

    private void CloseQuietly()
    {
        try
        {
            CloseFile();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ObjectDisposedException)
        {
            // Nobody can take an error here (stopping, disposing, or a signal thread).
        }
    }

    /// <summary>A write that fails (disk full, file gone) ends the run with an error naming the file.</summary>
    private void Guard(Action write)
    {
        try
        {
            write();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            CloseQuietly();
            ThrowTerminatingError(Errors.ParquetWriteFailed(path, e));
        }
    }
}
