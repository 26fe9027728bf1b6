using System.Runtime.InteropServices;

namespace NFStream.Engine.Dpi;

/// <summary>
/// Finds and loads the native shim (libnfndpi.so). It sits beside NFStream.Engine.dll in the module folder
/// (out/NFStream/) and in build outputs; the environment variable <see cref="PathVariable"/> can name another
/// file. When neither has it, the system's library search path is tried.
/// </summary>
internal static class NdpiShimLibrary
{
    /// <summary>Environment variable holding the full path of a shim to use instead of the bundled one.</summary>
    public const string PathVariable = "NFSTREAM_NFNDPI_PATH";

    /// <summary>The library's base name, as given to the system loader.</summary>
    public const string Name = "nfndpi";

    private const string BuildHint =
        "Build it with 'cmake -S native -B native/build && cmake --build native/build' from the repository root " +
        "(this needs cmake, gcc and nDPI 4.2's headers: apt-get install cmake gcc libndpi-dev), then rebuild; " +
        "a 'dotnet build' with those installed builds and copies it. Use n_dissections 0 (-NDissections 0) to " +
        "run without application detection.";

    private const string InstallNdpiHint =
        "The shim needs nDPI 4.2's shared library (libndpi.so.4.2): apt-get install libndpi4.2.";

    /// <summary>The shim's file name on this operating system.</summary>
    public static string FileName =>
        OperatingSystem.IsWindows() ? Name + ".dll" : OperatingSystem.IsMacOS() ? "lib" + Name + ".dylib" : "lib" + Name + ".so";

    /// <summary>
    /// Loads the shim and returns its handle and where it came from, or throws <see cref="DpiUnavailableException"/>.
    /// The first file found wins: the one <see cref="PathVariable"/> names (then no other place is tried), else
    /// the one beside NFStream.Engine.dll, else the one beside the host application, else the system's.
    /// </summary>
    public static (nint Handle, string Path) Load()
    {
        string? explicitPath = Environment.GetEnvironmentVariable(PathVariable);
        if (!string.IsNullOrWhiteSpace(explicitPath))
        {
            if (!File.Exists(explicitPath))
                throw new DpiUnavailableException(
                    $"nDPI application detection is unavailable: {PathVariable} names {explicitPath}, which does not " +
                    $"exist. Unset {PathVariable} to use the shim bundled with the module, or point it at a built " +
                    $"{FileName}. {BuildHint}");
            return (LoadFile(explicitPath), explicitPath);
        }

        foreach (string directory in CandidateDirectories())
        {
            string path = Path.Combine(directory, FileName);
            if (File.Exists(path)) return (LoadFile(path), path);
        }

        if (NativeLibrary.TryLoad(Name, typeof(NdpiShimLibrary).Assembly, null, out nint handle))
            return (handle, Name);

        throw new DpiUnavailableException(
            $"nDPI application detection is unavailable: the native shim {FileName} was not found " +
            $"(looked in {string.Join(", ", CandidateDirectories())} and the system library path). {BuildHint}");
    }

    private static nint LoadFile(string path)
    {
        try
        {
            return NativeLibrary.Load(path);
        }
        catch (Exception e) when (e is DllNotFoundException or BadImageFormatException)
        {
            string reason = LoaderReason(e.Message);
            string hint = reason.Contains("libndpi", StringComparison.Ordinal)
                ? InstallNdpiHint
                : InstallNdpiHint + " If it is installed, rebuild the shim. " + BuildHint;
            throw new DpiUnavailableException(
                $"nDPI application detection is unavailable: {path} could not be loaded ({reason}). {hint}", e);
        }
    }

    /// <summary>The system loader's own words (dlerror), which .NET puts on the last line of its message.</summary>
    private static string LoaderReason(string message)
    {
        string[] lines = message.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        return lines.Length == 0 ? message : lines[^1];
    }

    private static IEnumerable<string> CandidateDirectories()
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (string? directory in new[]
                 {
                     Path.GetDirectoryName(typeof(NdpiShimLibrary).Assembly.Location), // the module folder
                     AppContext.BaseDirectory,                                         // the host application
                 })
        {
            if (string.IsNullOrEmpty(directory)) continue;
            string full = Path.TrimEndingDirectorySeparator(Path.GetFullPath(directory));
            if (seen.Add(full)) yield return full;
        }
    }
}
