using System.Buffers.Binary;
using System.Text;

namespace NFStream.Tests.Ipfix;

/// <summary>
/// An IPFIX (RFC 7011) reader written from the RFC for the tests, independent of the exporter's code: it checks
/// the framing (version, lengths, set lengths that add up) and decodes data records by the templates it has seen.
/// </summary>
public sealed class IpfixTestDecoder
{
    public sealed record Message(ushort Length, uint ExportTime, uint Sequence, uint Domain, List<ushort> TemplateIds, List<Record> Records);

    public sealed record Record(ushort TemplateId, Dictionary<ushort, byte[]> Fields)
    {
        public ulong U(ushort element)
        {
            ulong v = 0;
            foreach (byte b in Fields[element]) v = v << 8 | b;
            return v;
        }

        public string S(ushort element) => Encoding.UTF8.GetString(Fields[element]);

        public string Ip(ushort element) => new System.Net.IPAddress(Fields[element]).ToString();
    }

    public Dictionary<ushort, List<(ushort Element, ushort Length)>> Templates { get; } = new();

    public Message Decode(ReadOnlySpan<byte> m)
    {
        Assert.True(m.Length >= 16, "message shorter than its header");
        Assert.Equal(10, BinaryPrimitives.ReadUInt16BigEndian(m));
        ushort length = BinaryPrimitives.ReadUInt16BigEndian(m[2..]);
        Assert.Equal(m.Length, length);
        var templateIds = new List<ushort>();
        var records = new List<Record>();
        int at = 16;
        while (at < m.Length)
        {
            ushort setId = BinaryPrimitives.ReadUInt16BigEndian(m[at..]);
            ushort setLength = BinaryPrimitives.ReadUInt16BigEndian(m[(at + 2)..]);
            Assert.True(setLength >= 4 && at + setLength <= m.Length, $"set at {at} has a bad length {setLength}");
            var set = m.Slice(at + 4, setLength - 4);
            if (setId == 2)
            {
                int t = 0;
                while (t + 4 <= set.Length)
                {
                    ushort id = BinaryPrimitives.ReadUInt16BigEndian(set[t..]);
                    ushort count = BinaryPrimitives.ReadUInt16BigEndian(set[(t + 2)..]);
                    t += 4;
                    var fields = new List<(ushort, ushort)>();
                    for (int i = 0; i < count; i++)
                    {
                        ushort element = BinaryPrimitives.ReadUInt16BigEndian(set[t..]);
                        Assert.True((element & 0x8000) == 0, "unexpected enterprise element");
                        fields.Add((element, BinaryPrimitives.ReadUInt16BigEndian(set[(t + 2)..])));
                        t += 4;
                    }
                    Templates[id] = fields;
                    templateIds.Add(id);
                }
                Assert.Equal(set.Length, t);
            }
            else
            {
                Assert.True(setId >= 256, $"set id {setId}");
                Assert.True(Templates.TryGetValue(setId, out var fields), $"data set {setId} before its template");
                int r = 0;
                while (r < set.Length)
                {
                    var values = new Dictionary<ushort, byte[]>();
                    foreach (var (element, fieldLength) in fields!)
                    {
                        int len = fieldLength;
                        if (len == 0xFFFF)
                        {
                            len = set[r++];
                            if (len == 255)
                            {
                                len = BinaryPrimitives.ReadUInt16BigEndian(set[r..]);
                                r += 2;
                            }
                        }
                        values[element] = set.Slice(r, len).ToArray();
                        r += len;
                    }
                    Assert.True(r <= set.Length, "record runs past its set");
                    records.Add(new Record(setId, values));
                }
            }
            at += setLength;
        }
        return new Message(length, BinaryPrimitives.ReadUInt32BigEndian(m[4..]), BinaryPrimitives.ReadUInt32BigEndian(m[8..]),
            BinaryPrimitives.ReadUInt32BigEndian(m[12..]), templateIds, records);
    }
}
