namespace NFStream.Engine.Plugins;

/// <summary>
/// A compiled plugin: the Shannon entropy (bits per byte, 0 to 8) of each direction's transport payload over
/// the first <see cref="MaxPackets"/> packets, as <c>udps.src2dst_payload_entropy</c> and
/// <c>udps.dst2src_payload_entropy</c> (-1 when a direction carried no payload). Encrypted or compressed
/// traffic scores near 8, text near 4 to 5: a classic feature for spotting tunnels and exfiltration.
/// </summary>
public sealed class PayloadEntropyPlugin : FlowPlugin
{
    public const string PluginName = "PayloadEntropy";
    private readonly Dictionary<NFlow, ByteCounts> counts = new(ReferenceEqualityComparer.Instance);

    public PayloadEntropyPlugin(int maxPackets = 32) => MaxPackets = maxPackets;

    /// <summary>Packets per flow whose payload is counted.</summary>
    public int MaxPackets { get; }

    public override string Name => PluginName;

    public override void OnInit(NFPacket packet, NFlow flow)
    {
        var state = new ByteCounts();
        counts[flow] = state;
        Count(packet, state);
    }

    public override void OnUpdate(NFPacket packet, NFlow flow)
    {
        if (counts.TryGetValue(flow, out var state)) Count(packet, state);
    }

    public override void OnExpire(NFlow flow)
    {
        if (!counts.Remove(flow, out var state)) return;
        flow.udps["src2dst_payload_entropy"] = Entropy(state.Forward, state.ForwardTotal);
        flow.udps["dst2src_payload_entropy"] = Entropy(state.Backward, state.BackwardTotal);
    }

    public override void OnCleanup() => counts.Clear();

    private void Count(NFPacket packet, ByteCounts state)
    {
        if (state.Packets++ >= MaxPackets || packet.payload_size <= 0) return;
        var ip = packet.IpPacketSpan;
        // ip_size is the IPv4 total length, or (an NFStream quirk) the IPv6 payload length without its header.
        int total = packet.ip_version == 6 ? 40 + packet.ip_size : packet.ip_size;
        int start = total - packet.payload_size;
        if (start < 0 || start >= ip.Length) return;
        var bytes = ip.Slice(start, Math.Min(packet.payload_size, ip.Length - start));
        bool forward = packet.direction == 0;
        var histogram = forward ? state.Forward : state.Backward;
        foreach (byte b in bytes) histogram[b]++;
        if (forward) state.ForwardTotal += bytes.Length;
        else state.BackwardTotal += bytes.Length;
    }

    private static double Entropy(int[] histogram, long total)
    {
        if (total == 0) return -1;
        double entropy = 0;
        foreach (int n in histogram)
        {
            if (n == 0) continue;
            double p = (double)n / total;
            entropy -= p * Math.Log2(p);
        }
        return Math.Round(entropy, 6);
    }

    private sealed class ByteCounts
    {
        public readonly int[] Forward = new int[256], Backward = new int[256];
        public long ForwardTotal, BackwardTotal;
        public int Packets;
    }
}
