namespace NFStream.Engine.Samples;

/// <summary>A growable big-endian byte writer for building application payloads (not for the hot path).</summary>
internal sealed class PayloadWriter
{
    private readonly List<byte> bytes = new();

    public int Length => bytes.Count;

    public PayloadWriter U8(byte value)
    {
        bytes.Add(value);
        return this;
    }

    public PayloadWriter U16(ushort value) => U8((byte)(value >> 8)).U8((byte)value);

    public PayloadWriter U32(uint value) => U16((ushort)(value >> 16)).U16((ushort)value);

    public PayloadWriter Bytes(ReadOnlySpan<byte> value)
    {
        foreach (byte b in value) bytes.Add(b);
        return this;
    }

    /// <summary>Reserves a big-endian length field of <paramref name="size"/> bytes; returns its offset.</summary>
    public int Reserve(int size)
    {
        int at = bytes.Count;
        for (int i = 0; i < size; i++) bytes.Add(0);
        return at;
    }

    /// <summary>Writes the number of bytes that follow the field at <paramref name="at"/> into it.</summary>
    public void FillLength(int at, int size)
    {
        int length = bytes.Count - at - size;
        for (int i = 0; i < size; i++) bytes[at + i] = (byte)(length >> (8 * (size - 1 - i)));
    }

    public byte[] ToArray() => bytes.ToArray();
}
