using System.Management.Automation;
using System.Text;
using NFStream.Engine;
using NFStream.Engine.Export;
using NFStream.Hosting;

namespace NFStream.Commands;

/// <summary>
/// <para type="synopsis">Writes flows to CSV in NFStream's column layout and number format.</para>
/// </summary>
[Cmdlet(VerbsData.Export, "NFFlowCsv", DefaultParameterSetName = PathSet, SupportsShouldProcess = true)]
[OutputType(typeof(NFlow))]
public sealed class ExportNFFlowCsvCommand : PSCmdlet
{
    private const string PathSet = "Path", LiteralPathSet = "LiteralPath";
    private static readonly UTF8Encoding Utf8NoBom = new(false);

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

    /// <summary>Start a new file after this many flows (NFStream flows_per_file); 0 writes one file.</summary>
    [Parameter]
    [ValidateRange(0, int.MaxValue)]
    public int FlowsPerFile { get; set; }

    /// <summary>With -FlowsPerFile, reuse this many files in turn (NFStream rotate_files); 0 never reuses.</summary>
    [Parameter]
    [ValidateRange(0, int.MaxValue)]
    public int RotateFiles { get; set; }

    /// <summary>Columns whose values are replaced by keyed BLAKE2b-512 hashes (NFStream columns_to_anonymize).</summary>
    [Parameter]
    [ArgumentCompleter(typeof(FlowColumnNameCompleter))]
    [ValidateNotNullOrEmpty]
    public string[]? AnonymizeColumn { get; set; }

    /// <summary>The hashing key (1 to 64 bytes). Without it a fresh random key is drawn for each call, as NFStream does.</summary>
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

    /// <summary>Adds a last column, source: the capture each flow came from (not one of NFStream's columns).</summary>
    [Parameter]
    public SwitchParameter IncludeSource { get; set; }

    private string basePath = "";
    private FlowAnonymizer? anonymizer;
    private StreamWriter? writer;
    private CsvFlowWriter? csv;
    private IReadOnlyList<FlowColumn>? columns;
    private IReadOnlyList<string>? udpsNames;
    private long flowsInFile, fileIndex, totalFlows;
    private bool declined;

    protected override void BeginProcessing()
    {
        basePath = ProviderPaths.ResolveOutputFile(this, ParameterSetName == LiteralPathSet ? LiteralPath : Path,
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
    }

    protected override void ProcessRecord()
    {
        var flow = InputObject!;
        if (PassThru) WriteObject(flow);
        if (declined) return;
        if (columns is null)
        {
            columns = FlowColumns.For(flow.Columns);
            udpsNames = flow.HasUserValues ? flow.udps.Keys.Cast<object>().Select(k => k.ToString()!).ToArray() : Array.Empty<string>();
        }
        if (writer is null || FlowsPerFile > 0 && flowsInFile >= FlowsPerFile)
        {
            if (!OpenNextFile()) return;
        }
        csv!.Write(flow);
        flowsInFile++;
        totalFlows++;
    }

    protected override void EndProcessing()
    {
        if (totalFlows == 0 && !declined)
        {
            // NFStream writes no file for zero flows; we write the header of the default column set so that a
            // scheduled job always leaves a well-formed file behind.
            columns = FlowColumns.For(new FlowOptions().Columns);
            udpsNames = Array.Empty<string>();
            OpenNextFile();
        }
        CloseFile();
        WriteVerbose($"Wrote {totalFlows} flows to {(fileIndex > 1 ? $"{fileIndex} files" : basePath)}.");
    }

    protected override void StopProcessing() => CloseFile();

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
            bool writeHeader = !(Append && exists && new FileInfo(path).Length > 0);
            var stream = new FileStream(path, Append ? FileMode.Append : FileMode.Create, FileAccess.Write, FileShare.Read, 1 << 16);
            writer = new StreamWriter(stream, Utf8NoBom, 1 << 16) { NewLine = "\n" };
            csv = new CsvFlowWriter(writer, columns!, udpsNames, anonymizer, IncludeSource);
            if (writeHeader) csv.WriteHeader();
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            ThrowTerminatingError(new ErrorRecord(e, "CsvOpenFailed",
                e is UnauthorizedAccessException ? ErrorCategory.PermissionDenied : ErrorCategory.OpenError, path));
            return false;
        }
    }

    private void CloseFile()
    {
        writer?.Dispose();
        writer = null;
        csv = null;
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
