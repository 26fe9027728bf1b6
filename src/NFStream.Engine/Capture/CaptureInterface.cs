using System.Net;
using SharpPcap;
using SharpPcap.LibPcap;

namespace NFStream.Engine.Capture;

/// <summary>A network interface that libpcap can capture on (one entry of pcap_findalldevs).</summary>
public sealed class CaptureInterface
{
    private const uint LoopbackFlag = 0x1, UpFlag = 0x2, RunningFlag = 0x4, WirelessFlag = 0x8;

    public CaptureInterface(string name, string? description, IReadOnlyList<IPAddress> addresses, string? macAddress, uint flags)
    {
        Name = name;
        Description = description ?? "";
        Addresses = addresses.ToArray();
        MacAddress = macAddress;
        Flags = flags;
    }

    /// <summary>The name to capture on (Start-NFCapture -Interface).</summary>
    public string Name { get; }

    /// <summary>libpcap's description; often empty on Linux.</summary>
    public string Description { get; }

    /// <summary>The interface's IPv4 and IPv6 addresses.</summary>
    public IPAddress[] Addresses { get; }

    /// <summary>The hardware address (aa:bb:cc:dd:ee:ff), or null when the interface has none.</summary>
    public string? MacAddress { get; }

    /// <summary>The interface is administratively up.</summary>
    public bool IsUp => (Flags & UpFlag) != 0;

    /// <summary>The interface is up and its link is running.</summary>
    public bool IsRunning => (Flags & RunningFlag) != 0;

    public bool IsLoopback => (Flags & LoopbackFlag) != 0;

    public bool IsWireless => (Flags & WirelessFlag) != 0;

    /// <summary>"Up" or "Down".</summary>
    public string Status => IsUp ? "Up" : "Down";

    /// <summary>libpcap's PCAP_IF_ flags.</summary>
    public uint Flags { get; }

    public override string ToString() => Name;

    /// <summary>The interfaces libpcap can capture on, in its order. Throws <see cref="LiveCaptureException"/> without libpcap.</summary>
    public static IReadOnlyList<CaptureInterface> List()
    {
        IReadOnlyList<PcapInterface> found;
        try
        {
            found = PcapInterface.GetAllPcapInterfaces();
        }
        catch (Exception e) when (e is DllNotFoundException or TypeInitializationException or EntryPointNotFoundException)
        {
            throw new LiveCaptureException(LiveCaptureFailure.CaptureError, "",
                "Live capture needs libpcap (on Debian: apt-get install libpcap0.8).", e);
        }
        catch (PcapException e)
        {
            throw new LiveCaptureException(LiveCaptureFailure.CaptureError, "", "Cannot list the interfaces: " + e.Message, e);
        }
        return found.Select(From).ToArray();
    }

    /// <summary>The interface called <paramref name="name"/> (exact, case-sensitive as on Linux), or null.</summary>
    public static CaptureInterface? Find(string name) => List().FirstOrDefault(i => i.Name == name);

    private static CaptureInterface From(PcapInterface pcap)
    {
        var addresses = pcap.Addresses
            .Select(a => a.Addr?.ipAddress)
            .Where(a => a is not null)
            .Select(a => a!)
            .ToArray();
        string? mac = pcap.MacAddress is { } physical && physical.GetAddressBytes().Length > 0
            ? string.Join(":", physical.GetAddressBytes().Select(b => b.ToString("x2")))
            : null;
        return new CaptureInterface(pcap.Name, pcap.Description, addresses, mac, pcap.Flags);
    }
}
