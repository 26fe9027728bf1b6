using NFStream.Engine.Capture;
using NFStream.Engine.Samples;

namespace NFStream.Benchmarks.Suite;

/// <summary>
/// Makes a larger real-traffic capture from a smaller one (the cold suite's x10 file from
/// ../shared/corpus/perf/base.pcap): every packet is written N times with the same timestamp, copy k with the
/// last byte of each IPv4/IPv6 source and destination address XOR-ed by k (the IPv4 header checksum
/// recomputed), so every copy's flows stay distinct and time still runs forwards. Ethernet (with up to two
/// 802.1Q/802.1ad tags) is rewritten; other frames are copied as they are. With a folder instead of a file,
/// each copy goes to a file of its own (the folder-of-captures run).
/// </summary>
internal static class AddressShiftedCopies
{
    public static (long Packets, long Bytes) Write(string input, string output, int copies, bool folder)
    {
        using var source = CaptureFile.Open(input);
        int linkType = source is IHasLinkType typed ? typed.LinkType : 1;
        var writers = new List<PcapWriter>();
        if (folder)
        {
            Directory.CreateDirectory(output);
            for (int k = 0; k < copies; k++) writers.Add(PcapWriter.Create(Path.Combine(output, $"copy{k:D2}.pcap"), linkType));
        }
        else
        {
            writers.Add(PcapWriter.Create(output, linkType));
        }
        long packets = 0, bytes = 0;
        var frame = new byte[262144];
        try
        {
            while (source.TryRead(out var record))
            {
                var data = record.Data;
                data.CopyTo(frame);
                var span = frame.AsSpan(0, data.Length);
                for (int k = 0; k < copies; k++)
                {
                    data.CopyTo(span);
                    if (k > 0 && record.LinkType == 1) Shift(span, (byte)k);
                    var writer = folder ? writers[k] : writers[0];
                    writer.WritePacket(0, (long)record.TimeMs * 1_000_000, span, Math.Max((int)record.WireLength, span.Length));
                    packets++;
                    bytes += span.Length;
                }
            }
        }
        finally
        {
            foreach (var w in writers) w.Dispose();
        }
        return (packets, bytes);
    }

    private static void Shift(Span<byte> frame, byte k)
    {
        int offset = 12;
        if (frame.Length < 14) return;
        int etherType = frame[offset] << 8 | frame[offset + 1];
        for (int tags = 0; tags < 2 && (etherType == 0x8100 || etherType == 0x88A8) && frame.Length >= offset + 6; tags++)
        {
            offset += 4;
            etherType = frame[offset] << 8 | frame[offset + 1];
        }
        int ip = offset + 2;
        if (etherType == 0x0800 && frame.Length >= ip + 20)
        {
            frame[ip + 15] ^= k;
            frame[ip + 19] ^= k;
            int headerLength = (frame[ip] & 0x0F) * 4;
            if (headerLength < 20 || frame.Length < ip + headerLength) return;
            frame[ip + 10] = 0;
            frame[ip + 11] = 0;
            uint sum = 0;
            for (int i = 0; i < headerLength; i += 2) sum += (uint)(frame[ip + i] << 8 | frame[ip + i + 1]);
            while (sum > 0xFFFF) sum = (sum & 0xFFFF) + (sum >> 16);
            ushort checksum = (ushort)~sum;
            frame[ip + 10] = (byte)(checksum >> 8);
            frame[ip + 11] = (byte)checksum;
        }
        else if (etherType == 0x86DD && frame.Length >= ip + 40)
        {
            frame[ip + 23] ^= k;
            frame[ip + 39] ^= k;
        }
    }
}
