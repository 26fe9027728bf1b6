using NFStream.Engine.Dpi;

namespace NFStream.Tests.Dpi;

/// <summary>
/// A fact that needs the native nDPI shim. Outside CI it is skipped, with the reason, when the shim cannot be
/// loaded (cmake or libndpi-dev missing at build time); under CI (CI=true) it always runs, so a missing shim fails.
/// </summary>
public sealed class NdpiFactAttribute : FactAttribute
{
    public NdpiFactAttribute()
    {
        bool underCi = string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase);
        if (!underCi && !FlowClassifierFactory.IsAvailable(out string? reason))
            Skip = "nDPI shim unavailable: " + reason;
    }
}
