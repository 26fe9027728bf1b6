using System.Runtime.InteropServices;

namespace NFStream.Engine.Dpi;

/// <summary>
/// The shim's C functions (native/nfndpi.h) as unmanaged function pointers, resolved once from the library that
/// <see cref="NdpiShimLibrary"/> loads. Every argument is blittable: handles, integers, byte pointers, so a call
/// marshals nothing. The per-packet and per-flow calls also skip the GC transition (SuppressGCTransition): they
/// run for microseconds, never block, and never call back into managed code.
/// Call <see cref="EnsureLoaded"/> before anything else.
/// </summary>
internal static unsafe class NdpiNative
{
    /// <summary>The NFNDPI_ABI_VERSION this code was written for.</summary>
    public const uint AbiVersion = 4;

    private static readonly object LoadLock = new();
    private static volatile bool loaded;

    private static delegate* unmanaged<uint> abiVersion;
    private static delegate* unmanaged<uint> resultSize;
    private static delegate* unmanaged<byte*> ndpiRevision;
    private static delegate* unmanaged<nint> contextCreate;
    private static delegate* unmanaged<nint, void> contextFree;
    private static delegate* unmanaged<nint, int> contextReset;
    private static delegate* unmanaged<nint, long> contextChangedBytes;
    private static delegate* unmanaged[SuppressGCTransition]<nint> flowCreate;
    private static delegate* unmanaged[SuppressGCTransition]<nint, void> flowFree;
    private static delegate* unmanaged<long> liveFlows;
    private static delegate* unmanaged<long> liveBytes;
    private static delegate* unmanaged[SuppressGCTransition]<nint, nint, byte*, uint, ulong, int> flowProcess;
    private static delegate* unmanaged[SuppressGCTransition]<nint, nint, int> flowExtraDissectionPossible;
    private static delegate* unmanaged[SuppressGCTransition]<nint, nint, byte*, int> flowGiveup;
    private static delegate* unmanaged[SuppressGCTransition]<nint, nint, NdpiResult*, int> flowCollect;

    /// <summary>Loads and checks the shim once per process; throws <see cref="DpiUnavailableException"/>.</summary>
    public static void EnsureLoaded()
    {
        if (loaded) return;
        lock (LoadLock)
        {
            if (loaded) return;
            (nint library, string path) = NdpiShimLibrary.Load();
            try
            {
                Resolve(library);
            }
            catch (EntryPointNotFoundException e)
            {
                throw new DpiUnavailableException(
                    $"The nDPI shim {path} is out of date ({e.Message}). Rebuild it from this version's native/ " +
                    "folder (cmake -S native -B native/build && cmake --build native/build).", e);
            }
            uint version = abiVersion();
            uint size = resultSize();
            if (version != AbiVersion || size != (uint)sizeof(NdpiResult))
                throw new DpiUnavailableException(
                    $"The nDPI shim {path} has ABI version {version} (result size {size}), but this NFStream.Engine " +
                    $"needs version {AbiVersion} (result size {sizeof(NdpiResult)}). Rebuild the shim from this " +
                    "version's native/ folder (cmake -S native -B native/build && cmake --build native/build).");
            loaded = true;
        }
    }

    private static void Resolve(nint library)
    {
        abiVersion = (delegate* unmanaged<uint>)NativeLibrary.GetExport(library, "nfndpi_abi_version");
        resultSize = (delegate* unmanaged<uint>)NativeLibrary.GetExport(library, "nfndpi_result_size");
        ndpiRevision = (delegate* unmanaged<byte*>)NativeLibrary.GetExport(library, "nfndpi_ndpi_revision");
        contextCreate = (delegate* unmanaged<nint>)NativeLibrary.GetExport(library, "nfndpi_context_create");
        contextFree = (delegate* unmanaged<nint, void>)NativeLibrary.GetExport(library, "nfndpi_context_free");
        contextReset = (delegate* unmanaged<nint, int>)NativeLibrary.GetExport(library, "nfndpi_context_reset");
        contextChangedBytes = (delegate* unmanaged<nint, long>)NativeLibrary.GetExport(library, "nfndpi_context_changed_bytes");
        flowCreate = (delegate* unmanaged[SuppressGCTransition]<nint>)NativeLibrary.GetExport(library, "nfndpi_flow_create");
        flowFree = (delegate* unmanaged[SuppressGCTransition]<nint, void>)NativeLibrary.GetExport(library, "nfndpi_flow_free");
        liveFlows = (delegate* unmanaged<long>)NativeLibrary.GetExport(library, "nfndpi_live_flows");
        liveBytes = (delegate* unmanaged<long>)NativeLibrary.GetExport(library, "nfndpi_live_bytes");
        flowProcess = (delegate* unmanaged[SuppressGCTransition]<nint, nint, byte*, uint, ulong, int>)
            NativeLibrary.GetExport(library, "nfndpi_flow_process");
        flowExtraDissectionPossible = (delegate* unmanaged[SuppressGCTransition]<nint, nint, int>)
            NativeLibrary.GetExport(library, "nfndpi_flow_extra_dissection_possible");
        flowGiveup = (delegate* unmanaged[SuppressGCTransition]<nint, nint, byte*, int>)NativeLibrary.GetExport(library, "nfndpi_flow_giveup");
        flowCollect = (delegate* unmanaged[SuppressGCTransition]<nint, nint, NdpiResult*, int>)
            NativeLibrary.GetExport(library, "nfndpi_flow_collect");
    }

    /// <summary>nDPI's revision string, such as "4.2.0".</summary>
    public static string NdpiRevision => Marshal.PtrToStringUTF8((nint)ndpiRevision()) ?? string.Empty;

    /// <summary>A new detection module with every protocol enabled; 0 when nDPI could not initialise.</summary>
    public static nint ContextCreate() => contextCreate();

    public static void ContextFree(nint context) => contextFree(context);

    /// <summary>Gives a used module its just-made state (caches dropped, every field restored); false when the
    /// shim could not keep the copy this needs (then the module must be freed, not reused).</summary>
    public static bool ContextReset(nint context) => contextReset(context) == 0;

    /// <summary>Bytes of the module's own fields that differ from their just-made values (tests).</summary>
    public static long ContextChangedBytes(nint context) => contextChangedBytes(context);

    /// <summary>A new zeroed nDPI flow; 0 when out of memory.</summary>
    public static nint FlowCreate() => flowCreate();

    public static void FlowFree(nint flow) => flowFree(flow);

    /// <summary>nDPI flows allocated and not yet freed in this process.</summary>
    public static long LiveFlows
    {
        get
        {
            EnsureLoaded();
            return liveFlows();
        }
    }

    /// <summary>Bytes nDPI holds through its allocator in this process (modules, flows and their strings); -1 when
    /// the platform cannot count them.</summary>
    public static long LiveBytes
    {
        get
        {
            EnsureLoaded();
            return liveBytes();
        }
    }

    /// <summary>Dissects one packet that starts at its IP header. 1 when the application is known afterwards.</summary>
    public static int FlowProcess(nint context, nint flow, byte* ipPacket, uint length, ulong timeMs) =>
        flowProcess(context, flow, ipPacket, length, timeMs);

    public static int FlowExtraDissectionPossible(nint context, nint flow) => flowExtraDissectionPossible(context, flow);

    /// <summary>Gives up with guessing. 1 when the application is known afterwards; *guessed = 1 if it was guessed.</summary>
    public static int FlowGiveup(nint context, nint flow, byte* guessed) => flowGiveup(context, flow, guessed);

    public static int FlowCollect(nint context, nint flow, NdpiResult* result) => flowCollect(context, flow, result);
}
