using System.Runtime.InteropServices;
using SharpPcap.LibPcap;

namespace NFStream.Engine.Capture;

/// <summary>
/// The two libpcap calls a live capture needs that SharpPcap does not expose: pcap_setfilter with a filter
/// compiled as NFStream compiles it (optimize 1, netmask 0xFFFFFF00; SharpPcap's Filter property uses netmask
/// 0, which changes 'broadcast' primitives), and pcap_breakloop, which wakes a pcap_next_ex that blocks on a
/// silent Linux interface (with TPACKET_V3 the read timeout only runs once a packet has arrived).
/// </summary>
internal static unsafe class LibPcapCalls
{
    private const uint NfStreamNetmask = 0xFFFFFF00;
    private static readonly string[] LibraryNames = { "libpcap.so", "libpcap.so.0.8", "libpcap.so.1", "libpcap.dylib", "wpcap" };
    private static delegate* unmanaged<nint, nint, int> setFilter;
    private static delegate* unmanaged<nint, void> breakLoop;

    /// <summary>Compiles and installs <paramref name="expression"/>; throws <see cref="ArgumentException"/> when it does not compile.</summary>
    public static void InstallFilter(PcapHandle handle, string expression, string interfaceName)
    {
        using var program = BpfProgram.TryCreate(handle, expression, 1, NfStreamNetmask)
            ?? throw new ArgumentException($"Unable to compile BPF filter '{expression}' for interface {interfaceName}.");
        bool handleRef = false, programRef = false;
        try
        {
            handle.DangerousAddRef(ref handleRef);
            program.DangerousAddRef(ref programRef);
            setFilter = setFilter is not null ? setFilter : (delegate* unmanaged<nint, nint, int>)Export("pcap_setfilter");
            if (setFilter(handle.DangerousGetHandle(), program.DangerousGetHandle()) < 0)
                throw new InvalidOperationException($"libpcap could not install BPF filter '{expression}' on {interfaceName}.");
        }
        finally
        {
            if (programRef) program.DangerousRelease();
            if (handleRef) handle.DangerousRelease();
        }
    }

    /// <summary>Makes the pcap_next_ex running (or next run) on <paramref name="handle"/> return PCAP_ERROR_BREAK.</summary>
    public static void BreakLoop(PcapHandle handle)
    {
        bool handleRef = false;
        try
        {
            handle.DangerousAddRef(ref handleRef);
            breakLoop = breakLoop is not null ? breakLoop : (delegate* unmanaged<nint, void>)Export("pcap_breakloop");
            breakLoop(handle.DangerousGetHandle());
        }
        catch (ObjectDisposedException)
        {
            // Closed already: nothing to wake.
        }
        finally
        {
            if (handleRef) handle.DangerousRelease();
        }
    }

    private static nint Export(string function)
    {
        foreach (string name in LibraryNames)
        {
            if (NativeLibrary.TryLoad(name, out nint library) && NativeLibrary.TryGetExport(library, function, out nint export))
                return export;
        }
        throw new DllNotFoundException($"libpcap ({function}) was not found; on Debian: apt-get install libpcap0.8.");
    }
}
