namespace NFStream.Engine.Export.Ipfix;

/// <summary>
/// Turns flows into IPFIX messages (see <see cref="IpfixFlowTemplate"/> for the records) and hands them to a
/// transport: a message goes when the next record would not fit, when it has waited
/// <see cref="IpfixExporterOptions.MaxMessageDelay"/> (a timer checks, so a quiet live capture still delivers),
/// or on <see cref="Flush"/>. Templates lead the first message and, over UDP, the first after each refresh
/// interval. Exporting a flow allocates nothing.
/// </summary>
public sealed class IpfixExporter : IDisposable
{
    private static readonly IpfixFlowTemplate[] Templates = { IpfixFlowTemplate.Ipv4, IpfixFlowTemplate.Ipv6 };

    private readonly IIpfixTransport transport;
    private readonly IpfixExporterOptions options;
    private readonly TimeProvider time;
    private readonly IpfixMessageBuilder message;
    private readonly ITimer? timer;
    private readonly object gate = new();
    private bool templatesSent;
    private long lastTemplatesTicks, messageStartTicks;
    private uint sequence;
    private bool disposed;

    public IpfixExporter(IIpfixTransport transport, IpfixExporterOptions? options = null, TimeProvider? time = null)
    {
        this.transport = transport;
        this.options = options ?? new IpfixExporterOptions();
        this.time = time ?? TimeProvider.System;
        int headroom = IpfixMessageBuilder.HeaderLength + IpfixMessageBuilder.SetHeaderLength * 2
            + Templates.Sum(t => t.TemplateRecordLength) + Templates.Max(t => t.MaxRecordLength);
        if (transport.MaxMessageLength < headroom)
            throw new ArgumentException($"Messages of {transport.MaxMessageLength} bytes cannot hold the templates and a record ({headroom} bytes).");
        message = new IpfixMessageBuilder(transport.MaxMessageLength);
        var delay = this.options.MaxMessageDelay;
        if (delay > TimeSpan.Zero)
        {
            var period = delay / 2;
            timer = this.time.CreateTimer(_ => SendIfStale(), null, period, period);
        }
    }

    public string Destination => transport.Destination;

    /// <summary>Flows handed to <see cref="Export"/> while the transport could take them.</summary>
    public long FlowsExported { get; private set; }

    /// <summary>Data records written (one or two per flow).</summary>
    public long RecordsExported { get; private set; }

    /// <summary>Flows not exported because the transport had failed or the exporter was closed.</summary>
    public long FlowsNotExported { get; private set; }

    public long MessagesSent => transport.MessagesSent;

    public long MessagesDropped => transport.MessagesDropped;

    public long MessagesRefused => transport.MessagesRefused;

    /// <summary>The transport's failure (a broken TCP connection), once there is one.</summary>
    public Exception? Failure => transport.Failure;

    /// <summary>Writes the flow's records (initiator, then responder when it sent packets); sends messages as they fill.</summary>
    public void Export(NFlow flow)
    {
        lock (gate)
        {
            if (disposed || transport.Failure is not null)
            {
                FlowsNotExported++;
                return;
            }
            var template = IpfixFlowTemplate.For(flow);
            int length = template.RecordLength(flow);
            Append(template, flow, length, false);
            if (flow.D2sPackets > 0) Append(template, flow, length, true);
            FlowsExported++;
        }
    }

    /// <summary>Sends the message being built, if it holds records.</summary>
    public void Flush()
    {
        lock (gate)
        {
            if (message.IsOpen && message.DataRecords > 0) SendMessage();
        }
    }

    private void Append(IpfixFlowTemplate template, NFlow flow, int length, bool reverse)
    {
        if (!message.IsOpen) StartMessage();
        var room = message.Reserve(template.Id, length);
        if (room.IsEmpty)
        {
            SendMessage();
            StartMessage();
            room = message.Reserve(template.Id, length);   // always fits an empty message (checked in the constructor)
        }
        message.Commit(template.WriteRecord(room, flow, reverse));
        RecordsExported++;
    }

    private void StartMessage()
    {
        var now = time.GetUtcNow();
        long ticks = time.GetTimestamp();
        message.Begin((uint)now.ToUnixTimeSeconds(), sequence, options.ObservationDomainId);
        messageStartTicks = ticks;
        if (!templatesSent || !transport.IsReliable && time.GetElapsedTime(lastTemplatesTicks, ticks) >= options.TemplateRefreshInterval)
        {
            message.TryAddTemplates(Templates);
            templatesSent = true;
            lastTemplatesTicks = ticks;
        }
    }

    private void SendMessage()
    {
        int records = message.DataRecords;
        transport.Send(message.Finish());
        sequence = unchecked(sequence + (uint)records);   // RFC 7011: data records sent before the next message
    }

    private void SendIfStale()
    {
        lock (gate)
        {
            if (disposed || !message.IsOpen || message.DataRecords == 0) return;
            if (time.GetElapsedTime(messageStartTicks) >= options.MaxMessageDelay) SendMessage();
        }
    }

    /// <summary>Sends what is pending and closes the transport, waiting at most <paramref name="drainTimeout"/> for a queue to empty.</summary>
    public void Close(TimeSpan drainTimeout)
    {
        timer?.Dispose();
        lock (gate)
        {
            if (disposed) return;
            if (message.IsOpen && message.DataRecords > 0) SendMessage();
            disposed = true;
        }
        transport.Close(drainTimeout);
    }

    public void Dispose() => Close(TimeSpan.Zero);
}
