using Parquet;
using Parquet.Schema;

namespace NFStream.Engine.Export;

/// <summary>The compression of a Parquet file's pages; every Parquet reader (pandas, DuckDB, Spark) reads all four.</summary>
public enum ParquetCompression
{
    Zstd,
    Snappy,
    Gzip,
    None,
}

/// <summary>
/// Writes flows as a Parquet file with Parquet.Net (fully managed): NFStream's column names and order, integers as
/// int64, statistics as double, text as UTF-8 strings, SPLT series as lists, plugin values by their .NET type
/// (<see cref="ParquetFlowLayout"/>). Flows are gathered into row groups of <c>rowGroupSize</c> rows, each written
/// and flushed to the stream when full, so memory stays bounded whatever the capture's size; <see cref="Close"/>
/// writes the last row group and the footer. Not thread-safe: callers that close from another thread (a signal
/// handler) serialise the calls.
/// </summary>
public sealed class ParquetFlowWriter : IDisposable
{
    /// <summary>Rows per row group: about 10 MB of buffered values with every column group on.</summary>
    public const int DefaultRowGroupSize = 16384;

    private readonly Stream output;
    private readonly ParquetWriter writer;
    private readonly ParquetColumnBuffer[] buffers;
    private readonly int rowGroupSize;
    private int rows;

    private ParquetFlowWriter(Stream output, ParquetWriter writer, ParquetColumnBuffer[] buffers, ParquetFlowLayout layout,
        int rowGroupSize)
    {
        this.output = output;
        this.writer = writer;
        this.buffers = buffers;
        this.rowGroupSize = rowGroupSize;
        Layout = layout;
    }

    public ParquetFlowLayout Layout { get; }

    /// <summary>Flows taken so far (written in row groups, or waiting for the next).</summary>
    public long Rows { get; private set; }

    /// <summary>Row groups written to the stream so far.</summary>
    public int RowGroups { get; private set; }

    /// <summary>True once the footer is written: the file is complete and takes no more flows.</summary>
    public bool IsClosed { get; private set; }

    /// <summary>Starts a Parquet file on <paramref name="output"/> (writable and seekable; the writer owns it).</summary>
    /// <param name="anonymizer">Columns it covers are written as the hashes of their values (text), as in the CSV export.</param>
    public static ParquetFlowWriter Create(Stream output, ParquetFlowLayout layout, FlowAnonymizer? anonymizer = null,
        ParquetCompression compression = ParquetCompression.Snappy, int rowGroupSize = DefaultRowGroupSize)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(rowGroupSize, 1);
        var schema = layout.Schema(anonymizer);
        var options = new ParquetOptions
        {
            CompressionMethod = compression switch
            {
                ParquetCompression.Snappy => CompressionMethod.Snappy,
                ParquetCompression.Gzip => CompressionMethod.Gzip,
                ParquetCompression.None => CompressionMethod.None,
                _ => CompressionMethod.Zstd,
            },
            // Parquet.Net's default level makes zstd about 100 times slower than snappy for a third of its size;
            // the fastest level keeps zstd near snappy's speed (bench/RESULTS.md, Parquet export).
            CompressionLevel = System.IO.Compression.CompressionLevel.Fastest,
        };
        var writer = Sync(() => ParquetWriter.CreateAsync(schema, output, options));
        writer.CustomMetadata = new Dictionary<string, string> { ["created_by_nfstream"] = "NFStream for PowerShell" };
        return new ParquetFlowWriter(output, writer, Buffers(layout, schema, anonymizer, rowGroupSize), layout, rowGroupSize);
    }

    /// <summary>Null when the flow can be written; otherwise why not (nothing of it was taken).</summary>
    public string? Check(NFlow flow)
    {
        if (Layout.Mismatch(flow) is { } mismatch) return mismatch;
        foreach (var b in buffers)
        {
            if (b.Check(flow) is { } reason) return reason;
        }
        return null;
    }

    /// <summary>
    /// Adds a flow; writes a row group when <c>rowGroupSize</c> flows are waiting. Throws
    /// <see cref="ArgumentException"/> (and takes nothing) for a flow that does not fit the layout.
    /// </summary>
    public void Write(NFlow flow)
    {
        ObjectDisposedException.ThrowIf(IsClosed, this);
        if (Check(flow) is { } reason)
            throw new ArgumentException($"Flow {flow.id} cannot be written: {reason}.", nameof(flow));
        foreach (var b in buffers) b.Add(flow, rows);
        rows++;
        Rows++;
        if (rows == rowGroupSize) Flush();
    }

    /// <summary>Writes the waiting flows as a row group and flushes the stream (nothing when none wait).</summary>
    public void Flush()
    {
        if (rows == 0 || IsClosed) return;
        Sync(async () =>
        {
            using var rowGroup = writer.CreateRowGroup();
            foreach (var b in buffers) await b.WriteAsync(rowGroup, rows).ConfigureAwait(false);
            rowGroup.CompleteValidate();
        });
        foreach (var b in buffers) b.Clear(rows);
        rows = 0;
        RowGroups++;
        output.Flush();
    }

    /// <summary>Writes the waiting flows and the footer, and closes the stream: the file is complete. Safe to repeat.</summary>
    public void Close()
    {
        if (IsClosed) return;
        try
        {
            Flush();
            Sync(() => writer.DisposeAsync().AsTask());
            output.Flush();
        }
        finally
        {
            IsClosed = true;
            output.Dispose();
        }
    }

    public void Dispose() => Close();

    private static ParquetColumnBuffer[] Buffers(ParquetFlowLayout layout, ParquetSchema schema, FlowAnonymizer? anonymizer,
        int capacity)
    {
        var fields = schema.Fields;
        var result = new List<ParquetColumnBuffer>();
        int f = 0;
        foreach (var c in layout.Columns)
        {
            var field = fields[f++];
            if (anonymizer?.Covers(c.Name) == true)
            {
                var column = c;
                result.Add(new StringColumnBuffer((DataField)field,
                    flow => anonymizer.Hash(CsvFlowWriter.PythonText(column.GetValue(flow))), capacity));
                continue;
            }
            result.Add(c.Kind switch
            {
                ColumnKind.Int => new Int64ColumnBuffer((DataField)field, c.Int!, capacity),
                ColumnKind.UInt => new Int64ColumnBuffer((DataField)field, UInt64AsInt64(c.UInt!), capacity),
                ColumnKind.Double => new DoubleColumnBuffer((DataField)field, c.Double!, capacity),
                ColumnKind.String when c.Name == "src_oui" => new StringColumnBuffer((DataField)field, flow => flow.src_mac.AsMemory(0, 8), capacity),
                ColumnKind.String when c.Name == "dst_oui" => new StringColumnBuffer((DataField)field, flow => flow.dst_mac.AsMemory(0, 8), capacity),
                ColumnKind.String => new StringColumnBuffer((DataField)field, c.String!, capacity),
                ColumnKind.IntList => new SpltColumnBuffer<int>(ListElement(field), SpltPartOf(c)),
                _ => new SpltColumnBuffer<long>(ListElement(field), SpltPartOf(c)),
            });
        }
        foreach (var (name, type) in layout.Udps)
        {
            var field = (DataField)fields[f++];
            bool hashed = anonymizer?.Covers("udps." + name) == true;
            result.Add(hashed || type == typeof(string) ? new UdpsTextColumnBuffer(field, name, hashed ? anonymizer : null, capacity)
                : type == typeof(bool) ? new UdpsValueColumnBuffer<bool>(field, name, capacity)
                : type == typeof(int) ? new UdpsValueColumnBuffer<int>(field, name, capacity)
                : type == typeof(long) ? new UdpsValueColumnBuffer<long>(field, name, capacity)
                : type == typeof(ulong) ? new UdpsValueColumnBuffer<ulong>(field, name, capacity)
                : type == typeof(float) ? new UdpsValueColumnBuffer<float>(field, name, capacity)
                : new UdpsValueColumnBuffer<double>(field, name, capacity));
        }
        if (layout.IncludeSource)
        {
            var field = (DataField)fields[f];
            result.Add(anonymizer?.Covers(FlowSourceColumn.Name) == true
                ? new StringColumnBuffer(field, flow => anonymizer.Hash(flow.source), capacity)
                : new StringColumnBuffer(field, flow => flow.source, capacity));
        }
        return result.ToArray();
    }

    // NFStream's unsigned counters and ms timestamps are far below 2^63: int64 holds them exactly.
    private static Func<NFlow, long> UInt64AsInt64(Func<NFlow, ulong> get) => flow => unchecked((long)get(flow));

    private static DataField ListElement(Field field) => (DataField)((ListField)field).Item;

    private static SpltPart SpltPartOf(FlowColumn c) => c.Name switch
    {
        "splt_direction" => SpltPart.Direction,
        "splt_ps" => SpltPart.Size,
        "splt_piat_ms" => SpltPart.Gap,
        _ => throw new NotSupportedException($"No list writer for column {c.Name}."),
    };

    /// <summary>Runs Parquet.Net's asynchronous calls to completion (off any synchronization context, so it cannot deadlock).</summary>
    private static void Sync(Func<Task> call)
    {
        if (SynchronizationContext.Current is null) call().GetAwaiter().GetResult();
        else Task.Run(call).GetAwaiter().GetResult();
    }

    private static T Sync<T>(Func<Task<T>> call) =>
        SynchronizationContext.Current is null ? call().GetAwaiter().GetResult() : Task.Run(call).GetAwaiter().GetResult();
}
