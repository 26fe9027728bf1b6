using System.Runtime.InteropServices;

namespace NFStream.Tests.Live;

/// <summary>
/// A fact that needs capture rights and a network namespace of its own: it runs as root (CI does) and skips,
/// saying why, otherwise.
/// </summary>
public sealed class LiveFactAttribute : FactAttribute
{
    public LiveFactAttribute()
    {
        if (!OperatingSystem.IsLinux())
            Skip = "Live capture tests skipped: they create veth pairs in network namespaces, which needs Linux.";
        else if (geteuid() != 0)
            Skip = "Live capture tests skipped: they need root (CAP_NET_RAW to capture, CAP_NET_ADMIN and CAP_SYS_ADMIN " +
                   "to create a veth pair in a network namespace). CI runs them as root.";
        else if (!TestNetwork.IpCommandAvailable)
            Skip = "Live capture tests skipped: iproute2's 'ip' command is missing (apt-get install iproute2, or run .ci/setup).";
    }

    /// <summary>A command the test also needs (for example 'script' or 'setpriv'); skipped with a message when missing.</summary>
    public string? Tool
    {
        get => tool;
        set
        {
            tool = value;
            if (Skip is null && value is not null && !TestNetwork.OnPath(value))
                Skip = $"Skipped: the test needs the '{value}' command (util-linux), which is not on PATH.";
        }
    }

    private string? tool;

    [DllImport("libc")]
    private static extern uint geteuid();
}
