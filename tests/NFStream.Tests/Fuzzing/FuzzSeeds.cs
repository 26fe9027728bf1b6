using NFStream.Tests.Hosting;

namespace NFStream.Tests.Fuzzing;

/// <summary>Seed captures for fuzzing: the project's own generated captures, plus corpus captures when present.</summary>
public static class FuzzSeeds
{
    private static readonly string[] CorpusPicks =
    {
        "google_ssl.pcap", "1kxun.pcap", "dhcp_big_endian.pcapng", "dhcp_little_endian.pcapng", "gtp-u.pcap",
        "capwap.pcap", "4in6tunnel.pcap", "dlt_ppp.pcap", "BGP_Cisco_hdlc_slarp.pcap", "raw.pcap", "quic-33.pcapng",
        "ip_fragmented_garbage.pcap", "malformed_icmp.pcap", "badpackets.pcap", "fuzz-2021-06-07-c6c72a0a56.pcap",
    };

    public static IEnumerable<(string Name, byte[] Bytes)> All()
    {
        foreach (var seed in GeneratedSeeds.All()) yield return seed;
        var corpus = RepositoryPaths.Corpus;
        if (corpus is null) yield break;
        foreach (var name in CorpusPicks)
        {
            var path = Path.Combine(corpus, "pcaps", name);
            if (File.Exists(path) && new FileInfo(path).Length < 512 * 1024) yield return (name, File.ReadAllBytes(path));
        }
    }
}
