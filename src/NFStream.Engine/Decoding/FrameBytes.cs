using System.Buffers.Binary;
using System.Runtime.CompilerServices;

namespace NFStream.Engine.Decoding;

/// <summary>
/// Bounds-safe big-endian reads over a captured frame. A read past the captured length yields zero bytes
/// instead of throwing, so a malformed length field can never crash the decoder or read foreign memory.
/// </summary>
internal readonly ref struct FrameBytes
{
    private readonly ReadOnlySpan<byte> data;

    public FrameBytes(ReadOnlySpan<byte> data) => this.data = data;

    public int Length => data.Length;

    public byte this[uint index]
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => index < (uint)data.Length ? data[(int)index] : (byte)0;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public ushort U16(uint at) => at + 2 <= (uint)data.Length && at + 2 > at
        ? BinaryPrimitives.ReadUInt16BigEndian(data.Slice((int)at))
        : (ushort)(this[at] << 8 | this[at + 1]);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public ushort U16Le(uint at) => (ushort)(this[at] | this[at + 1] << 8);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public uint U32(uint at) => at + 4 <= (uint)data.Length && at + 4 > at
        ? BinaryPrimitives.ReadUInt32BigEndian(data.Slice((int)at))
        : (uint)U16(at) << 16 | U16(at + 2);

    public uint U32Le(uint at) => (uint)(U16Le(at) | U16Le(at + 2) << 16);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public ulong U48(uint at) => (ulong)U16(at) << 32 | U32(at + 2);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public ulong U64(uint at) => at + 8 <= (uint)data.Length && at + 8 > at
        ? BinaryPrimitives.ReadUInt64BigEndian(data.Slice((int)at))
        : (ulong)U32(at) << 32 | U32(at + 4);
}
