using System.Runtime.CompilerServices;

namespace NFStream.Engine.Features;

/// <summary>One of the first N packets of a flow (NFStream's splt_analysis): direction, size and gap.</summary>
internal struct SpltEntry
{
    public int Direction;
    public int Size;
    public long PiatMs;
}

/// <summary>
/// The first N packets of a flow, kept as one array of <see cref="SpltEntry"/> per flow (a single allocation,
/// little for the collector to trace) and turned into NFStream's three columns, padded with -1, when read.
/// </summary>
internal static class SpltSeries
{
    /// <summary>The series of a new flow: its first packet has direction 0 and gap 0.</summary>
    public static SpltEntry[] Start(int length, ushort firstSize)
    {
        var entries = new SpltEntry[length];
        entries[0].Size = firstSize;
        return entries;
    }

    /// <param name="index">Zero-based packet index within the flow; beyond the length it is ignored.</param>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Record(SpltEntry[] entries, ulong index, int direction, ushort size, ulong piat)
    {
        if (index >= (ulong)entries.Length) return;
        ref var e = ref entries[index];
        e.Direction = direction;
        e.Size = size;
        e.PiatMs = (long)piat;
    }

    /// <summary>splt_direction of a flow that has counted <paramref name="packets"/> packets.</summary>
    public static int[] Directions(SpltEntry[]? entries, ulong packets) =>
        Column(entries, packets, -1, static (in SpltEntry e) => e.Direction);

    /// <summary>splt_ps.</summary>
    public static int[] Sizes(SpltEntry[]? entries, ulong packets) =>
        Column(entries, packets, -1, static (in SpltEntry e) => e.Size);

    /// <summary>splt_piat_ms.</summary>
    public static long[] Gaps(SpltEntry[]? entries, ulong packets) =>
        Column(entries, packets, -1L, static (in SpltEntry e) => e.PiatMs);

    private delegate T Field<T>(in SpltEntry entry);

    private static T[] Column<T>(SpltEntry[]? entries, ulong packets, T padding, Field<T> field) where T : struct
    {
        if (entries is null) return Array.Empty<T>();
        var column = new T[entries.Length];
        int recorded = (int)Math.Min(packets, (ulong)entries.Length);
        for (int i = 0; i < recorded; i++) column[i] = field(entries[i]);
        for (int i = recorded; i < column.Length; i++) column[i] = padding;
        return column;
    }
}
