namespace NFStream.Benchmarks.Suite;

/// <summary>The process's resident memory from /proc/self/status (Linux).</summary>
public static class ProcessMemory
{
    /// <summary>Peak resident set size (VmHWM), bytes.</summary>
    public static long PeakResident() => Read("VmHWM:");

    /// <summary>Current resident set size (VmRSS), bytes.</summary>
    public static long Resident() => Read("VmRSS:");

    private static long Read(string field)
    {
        foreach (var line in File.ReadLines("/proc/self/status"))
        {
            if (!line.StartsWith(field, StringComparison.Ordinal)) continue;
            var parts = line[field.Length..].Trim().Split(' ', StringSplitOptions.RemoveEmptyEntries);
            return long.Parse(parts[0]) * 1024;
        }
        return 0;
    }
}
