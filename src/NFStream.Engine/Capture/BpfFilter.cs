using PacketDotNet;
using SharpPcap.LibPcap;

namespace NFStream.Engine.Capture;

/// <summary>
/// A libpcap BPF filter applied to captured frames, compiled as NFStream does (optimize 1, netmask
/// 0xFFFFFF00) once per link type, since a pcapng file may mix link types.
/// </summary>
public sealed class BpfFilter : IDisposable
{
    private const uint NfStreamNetmask = 0xFFFFFF00;
    private readonly Dictionary<int, BpfProgram> programs = new();
    private int lastLinkType = -1;
    private BpfProgram? last;

    public BpfFilter(string expression)
    {
        Expression = expression;
        Compile((int)LinkType.Ethernet); // fail early on a bad expression
    }

    public string Expression { get; }

    public bool Matches(int linkType, ReadOnlySpan<byte> frame)
    {
        if (linkType != lastLinkType)
        {
            last = Compile(linkType);
            lastLinkType = linkType;
        }
        return last!.Matches(frame);
    }

    private BpfProgram Compile(int linkType)
    {
        if (programs.TryGetValue(linkType, out var program)) return program;
        try
        {
            program = BpfProgram.TryCreate((LinkLayers)linkType, Expression, 1, NfStreamNetmask);
        }
        catch (Exception e) when (e is DllNotFoundException or TypeInitializationException or EntryPointNotFoundException)
        {
            throw new InvalidOperationException(
                "BPF filtering needs libpcap (on Debian: apt-get install libpcap0.8).", e);
        }
        if (program is null)
            throw new ArgumentException(
                $"Unable to compile BPF filter '{Expression}' for link type {LinkTypes.Describe(linkType)}.");
        programs[linkType] = program;
        return program;
    }

    public void Dispose()
    {
        foreach (var p in programs.Values) p.Dispose();
        programs.Clear();
    }
}
