using System.Buffers.Binary;

namespace NFStream.Tests.Fuzzing;

/// <summary>
/// Seeded, structure-aware mutations of capture files: truncation, bit flips, absurd record and block lengths,
/// garbage tails, broken section headers and pcapng blocks with wrong lengths. Deterministic for a seed.
/// </summary>
public sealed class CaptureMutator
{
    private readonly Random random;

    public CaptureMutator(int seed) => random = new Random(seed);

    public byte[] Mutate(byte[] original)
    {
        var data = (byte[])original.Clone();
        int rounds = 1 + random.Next(3);
        for (int i = 0; i < rounds; i++) data = MutateOnce(data);
        return data;
    }

    private byte[] MutateOnce(byte[] data)
    {
        if (data.Length == 0) return new byte[] { (byte)random.Next(256) };
        switch (random.Next(9))
        {
            case 0: // truncate anywhere
                return data.AsSpan(0, random.Next(data.Length)).ToArray();
            case 1: // flip bits
            {
                int flips = 1 + random.Next(16);
                for (int i = 0; i < flips; i++) data[random.Next(data.Length)] ^= (byte)(1 << random.Next(8));
                return data;
            }
            case 2: // absurd length field at a 4-byte aligned position (record caplen, block length)
            {
                int at = random.Next(Math.Max(1, data.Length / 4)) * 4;
                if (at + 4 <= data.Length)
                    BinaryPrimitives.WriteUInt32LittleEndian(data.AsSpan(at), random.Next(4) switch
                    {
                        0 => 0xFFFFFFFF,
                        1 => 0x7FFFFFFF,
                        2 => (uint)random.Next(1 << 20),
                        _ => 0,
                    });
                return data;
            }
            case 3: // garbage tail
            {
                var tail = new byte[1 + random.Next(512)];
                random.NextBytes(tail);
                return data.Concat(tail).ToArray();
            }
            case 4: // break the file or section header
            {
                int at = random.Next(Math.Min(28, data.Length));
                data[at] = (byte)random.Next(256);
                return data;
            }
            case 5: // overwrite a random span with random bytes
            {
                int at = random.Next(data.Length), len = Math.Min(data.Length - at, 1 + random.Next(64));
                random.NextBytes(data.AsSpan(at, len));
                return data;
            }
            case 6: // duplicate a chunk (records out of place)
            {
                int at = random.Next(data.Length), len = Math.Min(data.Length - at, 1 + random.Next(256));
                int to = random.Next(data.Length);
                return data.Take(to).Concat(data.Skip(at).Take(len)).Concat(data.Skip(to)).ToArray();
            }
            case 7: // small length fields: every 16-bit big-endian field that looks like an IP length
            {
                for (int i = 0; i + 1 < data.Length; i += 2 + random.Next(64))
                    if (random.Next(8) == 0) BinaryPrimitives.WriteUInt16BigEndian(data.AsSpan(i), (ushort)random.Next(65536));
                return data;
            }
            default: // delete a chunk
            {
                int at = random.Next(data.Length), len = Math.Min(data.Length - at, 1 + random.Next(256));
                return data.Take(at).Concat(data.Skip(at + len)).ToArray();
            }
        }
    }
}
