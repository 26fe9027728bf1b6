namespace NFStream.Tests.Live;

/// <summary>A test that captures on the loopback interface: it needs root or CAP_NET_RAW (CI runs as root).</summary>
public sealed class LiveFactAttribute : FactAttribute
{
    public LiveFactAttribute()
    {
        if (!OperatingSystem.IsLinux()) Skip = "Live capture tests run on Linux.";
        else if (Environment.UserName != "root" && Environment.GetEnvironmentVariable("NFSTREAM_LIVE_TESTS") != "1")
            Skip = "Live capture needs root or CAP_NET_RAW: run as root, or set NFSTREAM_LIVE_TESTS=1 after granting the capability.";
    }
}
