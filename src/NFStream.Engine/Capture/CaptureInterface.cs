using SharpPcap.LibPcap;

namespace NFStream.Engine.Capture;

/// <summary>A network interface that libpcap can capture on.</summary>
public sealed class CaptureInterface
{
    private const uint LoopbackFlag = 0x1, UpFlag = 0x2, RunningFlag = 0x4;

    public required string Name { get; init; }
    public string Description { get; init; } = "";
    public IReadOnlyList<string> Addresses { get; init; } = Array.Empty<string>();
    public string MacAddress { get; init; } = "";
    public bool IsUp { get; init; }
    public bool IsRunning { get; init; }
    public bool IsLoopback { get; init; }

    public override string ToString() => Name;

    /// <summary>Every interface libpcap reports, in its order.</summary>
    public static IReadOnlyList<CaptureInterface> List()
    {
        try
        {
            return PcapInterface.GetAllPcapInterfaces().Select(From).ToList();
        }
        catch (Exception e) when (e is DllNotFoundException or TypeInitializationException or EntryPointNotFoundException)
        {
            throw new LiveCaptureException("", LiveCaptureProblem.LibpcapMissing,
                "Live capture needs libpcap (on Debian: apt-get install libpcap0.8).", e);
        }
    }

    private static CaptureInterface From(PcapInterface i) => new()
    {
        Name = i.Name,
        Description = i.Description ?? i.FriendlyName ?? "",
        Addresses = i.Addresses.Select(a => a.Addr?.ipAddress?.ToString()).Where(a => !string.IsNullOrEmpty(a)).Select(a => a!).ToList(),
        MacAddress = i.MacAddress is { } mac && mac.GetAddressBytes().Length == 6
            ? string.Join(":", mac.GetAddressBytes().Select(b => b.ToString("x2")))
            : "",
        IsUp = (i.Flags & UpFlag) != 0,
        IsRunning = (i.Flags & RunningFlag) != 0,
        IsLoopback = (i.Flags & LoopbackFlag) != 0,
    };
}
