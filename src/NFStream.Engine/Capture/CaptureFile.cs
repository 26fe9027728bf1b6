using System.Buffers.Binary;

namespace NFStream.Engine.Capture;

/// <summary>Opens capture files, choosing the reader by the magic number, never by the extension.</summary>
public static class CaptureFile
{
    /// <summary>Opens <paramref name="path"/> as pcap or pcapng. Throws <see cref="CaptureFileException"/> if it is neither.</summary>
    public static IPacketSource Open(string path)
    {
        var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete,
            bufferSize: 1, FileOptions.SequentialScan);
        var window = new FileWindow(stream, path);
        try
        {
            if (!window.Ensure(4))
                throw new CaptureFileException(path, 0, window.Buffered == 0
                    ? "the file is empty"
                    : "the file is too short to be a capture");
            uint magic = BinaryPrimitives.ReadUInt32LittleEndian(window.Peek(4));
            switch (magic)
            {
                case PcapFileReader.MagicMicro:
                case PcapFileReader.MagicNano:
                case 0xd4c3b2a1:
                case 0x4d3cb2a1:
                    return new PcapFileReader(window);
                case PcapNgFileReader.SectionHeaderType:
                    return new PcapNgFileReader(window);
                default:
                    throw new CaptureFileException(path, 0,
                        $"not a pcap or pcapng capture (unknown magic number 0x{magic:x8})");
            }
        }
        catch
        {
            window.Dispose();
            throw;
        }
    }
}
