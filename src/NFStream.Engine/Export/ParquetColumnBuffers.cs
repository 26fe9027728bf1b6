using System.Globalization;
using System.Runtime.CompilerServices;
using NFStream.Engine.Features;
using Parquet;
using Parquet.Schema;

namespace NFStream.Engine.Export;

/// <summary>
/// One column of the row group being gathered by <see cref="ParquetFlowWriter"/>: values are copied out of each
/// flow into arrays that are reused for every row group, so adding a flow allocates nothing (the lists grow to
/// their working size once).
/// </summary>
internal abstract class ParquetColumnBuffer
{
    protected ParquetColumnBuffer(DataField field) => Field = field;

    /// <summary>The leaf field the values are written to (a list's element field for list columns).</summary>
    public DataField Field { get; }

    /// <summary>Null when the flow's value fits the column; otherwise why not. Called for every column before any <see cref="Add"/>.</summary>
    public virtual string? Check(NFlow flow) => null;

    /// <summary>Appends the flow's value as row <paramref name="row"/>.</summary>
    public abstract void Add(NFlow flow, int row);

    public abstract Task WriteAsync(ParquetRowGroupWriter rowGroup, int rows);

    /// <summary>Forgets the written row group's values (drops references to the flows' strings).</summary>
    public virtual void Clear(int rows)
    {
    }
}

/// <summary>An integer column (counters, ms timestamps, ports, ids): int64, as pandas reads NFStream's integers.</summary>
internal sealed class Int64ColumnBuffer(DataField field, Func<NFlow, long> get, int capacity) : ParquetColumnBuffer(field)
{
    private readonly long[] values = new long[capacity];

    public override void Add(NFlow flow, int row) => values[row] = get(flow);

    public override Task WriteAsync(ParquetRowGroupWriter rowGroup, int rows) =>
        rowGroup.WriteAsync(Field, new ReadOnlyMemory<long>(values, 0, rows), repetitionLevels: null);
}

/// <summary>A statistic column: double.</summary>
internal sealed class DoubleColumnBuffer(DataField field, Func<NFlow, double> get, int capacity) : ParquetColumnBuffer(field)
{
    private readonly double[] values = new double[capacity];

    public override void Add(NFlow flow, int row) => values[row] = get(flow);

    public override Task WriteAsync(ParquetRowGroupWriter rowGroup, int rows) =>
        rowGroup.WriteAsync(Field, new ReadOnlyMemory<double>(values, 0, rows), repetitionLevels: null);
}

/// <summary>
/// A text column (UTF-8): addresses, application names, an anonymized column's hashes, the source. Held as
/// character memory, so that a column that is part of another string (the OUI, the MAC's first 8 characters)
/// costs no string of its own.
/// </summary>
internal sealed class StringColumnBuffer(DataField field, Func<NFlow, ReadOnlyMemory<char>> get, int capacity) : ParquetColumnBuffer(field)
{
    private readonly ReadOnlyMemory<char>?[] values = new ReadOnlyMemory<char>?[capacity];

    public StringColumnBuffer(DataField field, Func<NFlow, string> get, int capacity)
        : this(field, flow => get(flow).AsMemory(), capacity)
    {
    }

    public override void Add(NFlow flow, int row) => values[row] = get(flow);

    public override Task WriteAsync(ParquetRowGroupWriter rowGroup, int rows) =>
        rowGroup.WriteAsync(Field, new ReadOnlyMemory<ReadOnlyMemory<char>?>(values, 0, rows), repetitionLevels: null);

    public override void Clear(int rows) => Array.Clear(values, 0, rows);
}

/// <summary>Which of the three SPLT series a list column holds.</summary>
internal enum SpltPart { Direction, Size, Gap }

/// <summary>
/// An SPLT series as a Parquet list (list&lt;int32&gt; for directions and sizes, list&lt;int64&gt; for gaps), padded
/// with -1 as in NFStream. Read straight from the flow's SPLT entries, without building the column's array.
/// </summary>
internal sealed class SpltColumnBuffer<T>(DataField element, SpltPart part) : ParquetColumnBuffer(element)
    where T : struct
{
    private T[] values = new T[1024];
    private int[] levels = new int[1024];
    private int[] definitions = new int[1024];
    private int count;

    public override string? Check(NFlow flow) =>
        flow.Splt is { Length: > 0 } ? null : "it has no SPLT series although its options include one";

    public override void Add(NFlow flow, int row)
    {
        var entries = flow.Splt!;
        if (count + entries.Length > values.Length)
        {
            int size = Math.Max(values.Length * 2, count + entries.Length);
            Array.Resize(ref values, size);
            Array.Resize(ref levels, size);
            Array.Resize(ref definitions, size);
        }
        int defined = Field.MaxDefinitionLevel;
        int recorded = (int)Math.Min(flow.BiPackets, (ulong)entries.Length);
        for (int i = 0; i < entries.Length; i++)
        {
            long v = i >= recorded ? -1 : part switch
            {
                SpltPart.Direction => entries[i].Direction,
                SpltPart.Size => entries[i].Size,
                _ => entries[i].PiatMs,
            };
            if (typeof(T) == typeof(int))
            {
                int narrow = (int)v;
                values[count] = Unsafe.As<int, T>(ref narrow);
            }
            else
            {
                values[count] = Unsafe.As<long, T>(ref v);
            }
            levels[count] = i == 0 ? 0 : 1;
            definitions[count] = defined; // every element present (a series is never empty)
            count++;
        }
    }

    public override Task WriteAsync(ParquetRowGroupWriter rowGroup, int rows) =>
        rowGroup.WriteAllPartsAsync(Field, new ReadOnlyMemory<T>(values, 0, count), new ReadOnlyMemory<int>(definitions, 0, count),
            new ReadOnlyMemory<int>(levels, 0, count), CancellationToken.None);

    public override void Clear(int rows) => count = 0;
}

/// <summary>
/// A plugin value (udps.NAME) of a value type, nullable (a flow may lack the value). A value of another type is
/// converted when it can be without loss of meaning (any integer or float into a numeric column); otherwise the
/// flow is refused with a reason, before any column takes its values.
/// </summary>
internal sealed class UdpsValueColumnBuffer<T>(DataField field, string name, int capacity) : ParquetColumnBuffer(field)
    where T : struct
{
    private readonly T?[] values = new T?[capacity];
    private T? pending;

    public override string? Check(NFlow flow)
    {
        pending = null;
        object? value = flow.HasUserValues && flow.udps.Contains(name) ? flow.udps[name] : null;
        if (value is null) return null;
        value = CsvFlowWriter.Unwrap(value);
        if (value is T t)
        {
            pending = t;
            return null;
        }
        bool numeric = value is sbyte or byte or short or ushort or int or uint or long or ulong or float or double or decimal;
        if (typeof(T) != typeof(bool) && numeric)
        {
            try
            {
                pending = (T)Convert.ChangeType(value, typeof(T), CultureInfo.InvariantCulture);
                return null;
            }
            catch (OverflowException)
            {
            }
        }
        return $"its plugin value udps.{name} is a {value.GetType().Name} ({CsvFlowWriter.PythonText(value)}), which does not fit the column's type {typeof(T).Name}, set by the first flow";
    }

    public override void Add(NFlow flow, int row) => values[row] = pending;

    public override Task WriteAsync(ParquetRowGroupWriter rowGroup, int rows) =>
        rowGroup.WriteAsync(Field, new ReadOnlyMemory<T?>(values, 0, rows), repetitionLevels: null);
}

/// <summary>A plugin value written as text (Python's str() of it, or its hash when anonymized); null when absent.</summary>
internal sealed class UdpsTextColumnBuffer(DataField field, string name, FlowAnonymizer? anonymizer, int capacity)
    : ParquetColumnBuffer(field)
{
    private readonly string?[] values = new string?[capacity];

    public override void Add(NFlow flow, int row)
    {
        object? value = flow.HasUserValues && flow.udps.Contains(name) ? flow.udps[name] : null;
        values[row] = value is null ? null
            : anonymizer is not null ? anonymizer.Hash(CsvFlowWriter.PythonText(value))
            : CsvFlowWriter.PythonText(value);
    }

    public override Task WriteAsync(ParquetRowGroupWriter rowGroup, int rows) =>
        rowGroup.WriteAsync(Field, new ArraySegment<string>(values!, 0, rows), repetitionLevels: null);

    public override void Clear(int rows) => Array.Clear(values, 0, rows);
}
