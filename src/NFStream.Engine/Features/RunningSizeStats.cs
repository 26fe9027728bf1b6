using System.Runtime.CompilerServices;
using NFStream.Engine.Decoding;

namespace NFStream.Engine.Features;

/// <summary>
/// Packet-size statistics of one direction, with NFStream's exact arithmetic (Welford in IEEE double, the same
/// order of operations as lib_engine.c), so results match bit for bit.
/// </summary>
internal struct RunningSizeStats
{
    public ushort Min, Max;
    public double Mean, M2;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Init(ushort size)
    {
        Min = size;
        Max = size;
        Mean = size;
        M2 = 0;
    }

    /// <param name="count">The direction's packet count including this packet.</param>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Update(ushort size, ulong count)
    {
        if (size > Max) Max = size;
        if (size < Min) Min = size;
        double old = Mean;
        Mean += (size - old) / count;
        M2 += (size - old) * (size - Mean);
    }

    /// <summary>Sample standard deviation; 0.0 below two packets.</summary>
    public readonly double StdDev(ulong count) => count > 1 ? Math.Sqrt(M2 / (count - 1)) : 0.0;
}

/// <summary>Packet inter-arrival statistics (ms) of one direction, as NFStream computes them.</summary>
internal struct RunningGapStats
{
    public ulong Min, Max;
    public double Mean, M2;

    /// <summary>Feeds one gap; <paramref name="count"/> is the direction's packet count including this packet.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Add(ulong gap, ulong count)
    {
        if (count == 2)
        {
            Min = gap;
            Max = gap;
            Mean = gap;
            M2 = 0;
            return;
        }
        if (gap > Max) Max = gap;
        if (gap < Min) Min = gap;
        double old = Mean;
        Mean += (gap - old) / (count - 1);
        M2 += (gap - old) * (gap - Mean);
    }

    /// <summary>Sample standard deviation over the gaps; 0.0 below three packets.</summary>
    public readonly double StdDev(ulong count) => count > 2 ? Math.Sqrt(M2 / (count - 2)) : 0.0;
}

/// <summary>Per-direction counts of packets carrying each TCP flag.</summary>
internal struct TcpFlagCounters
{
    public uint Syn, Cwr, Ece, Urg, Ack, Psh, Rst, Fin;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Add(byte flags)
    {
        if (flags == 0) return;
        Fin += (uint)(flags & TcpFlags.Fin);
        Syn += (uint)(flags & TcpFlags.Syn) >> 1;
        Rst += (uint)(flags & TcpFlags.Rst) >> 2;
        Psh += (uint)(flags & TcpFlags.Psh) >> 3;
        Ack += (uint)(flags & TcpFlags.Ack) >> 4;
        Urg += (uint)(flags & TcpFlags.Urg) >> 5;
        Ece += (uint)(flags & TcpFlags.Ece) >> 6;
        Cwr += (uint)(flags & TcpFlags.Cwr) >> 7;
    }
}
