using System.Runtime.CompilerServices;

namespace NFStream.Engine.Features;

/// <summary>The first N packets of a flow (NFStream's splt_analysis): direction, size and gap, padded with -1.</summary>
internal sealed class SpltArrays
{
    public readonly int[] Direction;
    public readonly int[] PacketSize;
    public readonly long[] PiatMs;

    public SpltArrays(int length, ushort firstSize)
    {
        Direction = new int[length];
        PacketSize = new int[length];
        PiatMs = new long[length];
        Array.Fill(Direction, -1);
        Array.Fill(PacketSize, -1);
        Array.Fill(PiatMs, -1L);
        Direction[0] = 0;
        PacketSize[0] = firstSize;
        PiatMs[0] = 0;
    }

    /// <param name="index">Zero-based packet index within the flow.</param>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Record(ulong index, int direction, ushort size, ulong piat)
    {
        if (index >= (ulong)Direction.Length) return;
        Direction[index] = direction;
        PacketSize[index] = size;
        PiatMs[index] = (long)piat;
    }
}
