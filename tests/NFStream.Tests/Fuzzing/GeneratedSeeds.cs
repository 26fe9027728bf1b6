using NFStream.Engine.Samples;

namespace NFStream.Tests.Fuzzing;

/// <summary>Fuzz seeds that the project makes itself (its sample capture in both formats and byte orders), so
/// fuzzing runs without ../shared.</summary>
public static class GeneratedSeeds
{
    public static IEnumerable<(string Name, byte[] Bytes)> All()
    {
        yield return ("sample.pcap", Write(stream => new PcapWriter(stream, 1)));
        yield return ("sample-be-ns.pcap", Write(stream => new PcapWriter(stream, 1, bigEndian: true, nanoseconds: true)));
        yield return ("sample.pcapng", Write(stream => Ng(stream, bigEndian: false)));
        yield return ("sample-be.pcapng", Write(stream => Ng(stream, bigEndian: true)));
    }

    private static PcapNgWriter Ng(Stream stream, bool bigEndian)
    {
        var writer = new PcapNgWriter(stream, bigEndian);
        writer.AddInterface(1, resolutionDigits: 9);
        return writer;
    }

    private static byte[] Write(Func<Stream, CaptureWriter> create)
    {
        using var stream = new MemoryStream();
        using (var writer = create(stream)) SampleCapture.WriteTo(writer, seed: 7, rounds: 1);
        return stream.ToArray();
    }
}
