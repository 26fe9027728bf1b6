namespace NFStream.Tests.Fuzzing;

/// <summary>Fuzz seeds that the project makes itself, so fuzzing runs without ../shared.</summary>
public static class GeneratedSeeds
{
    public static IEnumerable<(string Name, byte[] Bytes)> All()
    {
        yield return ("minimal.pcap", MinimalPcap());
    }

    /// <summary>A classic pcap with one UDP packet each way between two hosts.</summary>
    private static byte[] MinimalPcap()
    {
        var frames = new[]
        {
            Hex("000102030405 0a0b0c0d0e0f 0800 4500001c00010000401100000a0000010a000002 04d20035 00080000"),
            Hex("0a0b0c0d0e0f 000102030405 0800 4500001c00020000401100000a0000020a000001 003504d2 00080000"),
        };
        using var ms = new MemoryStream();
        var w = new BinaryWriter(ms);
        w.Write(0xa1b2c3d4u); w.Write((ushort)2); w.Write((ushort)4); w.Write(0); w.Write(0u); w.Write(65535u); w.Write(1u);
        uint t = 1_600_000_000;
        foreach (var f in frames)
        {
            w.Write(t++); w.Write(0u); w.Write((uint)f.Length); w.Write((uint)f.Length); w.Write(f);
        }
        return ms.ToArray();
    }

    private static byte[] Hex(string s) => Convert.FromHexString(s.Replace(" ", ""));
}
