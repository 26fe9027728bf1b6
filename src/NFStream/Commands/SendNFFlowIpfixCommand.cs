using System.Management.Automation;
using System.Net;
using NFStream.Engine;
using NFStream.Engine.Export.Ipfix;
using NFStream.Hosting;

namespace NFStream.Commands;

/// <summary>The Send-NFFlowIpfix cmdlet. Its help, the only copy, is en-US/cmdlets/Send-NFFlowIpfix.md.</summary>
[Cmdlet(VerbsCommunications.Send, "NFFlowIpfix", SupportsShouldProcess = true)]
[OutputType(typeof(NFlow))]
public sealed class SendNFFlowIpfixCommand : PSCmdlet, IDisposable
{
    /// <summary>How long the end of the pipeline waits for queued TCP messages to go out.</summary>
    private static readonly TimeSpan DrainTimeout = TimeSpan.FromSeconds(10);

    [Parameter(Mandatory = true, ValueFromPipeline = true)]
    [ValidateNotNull]
    public NFlow? InputObject { get; set; }

    [Parameter(Mandatory = true, Position = 0)]
    [ValidateNotNullOrEmpty]
    public string Destination { get; set; } = "";

    [Parameter]
    public IpfixTransportKind Transport { get; set; } = IpfixTransportKind.Udp;

    [Parameter]
    [ValidateRange(1280, 65535)]
    public int Mtu { get; set; } = 1500;

    [Parameter]
    [SecondsToTimeSpanTransformation]
    public TimeSpan TemplateRefreshInterval { get; set; } = TimeSpan.FromSeconds(60);

    [Parameter]
    public uint ObservationDomainId { get; set; } = 1;

    [Parameter]
    [SecondsToTimeSpanTransformation]
    public TimeSpan ConnectTimeout { get; set; } = TimeSpan.FromSeconds(5);

    [Parameter]
    public SwitchParameter PassThru { get; set; }

    private readonly CancellationTokenSource stopping = new();
    private IpfixExporter? exporter;
    private bool declined, failureReported;

    protected override void BeginProcessing()
    {
        if (TemplateRefreshInterval <= TimeSpan.Zero)
            ThrowTerminatingError(Errors.NotPositive("TemplateRefreshInterval", TemplateRefreshInterval));
        if (ConnectTimeout <= TimeSpan.Zero)
            ThrowTerminatingError(Errors.NotPositive("ConnectTimeout", ConnectTimeout));
        IPEndPoint collector;
        try
        {
            collector = IpfixDestination.Resolve(Destination);
        }
        catch (ArgumentException e)
        {
            ThrowTerminatingError(Errors.IpfixDestinationInvalid(e, Destination));
            return;
        }
        string target = $"{Transport.ToString().ToLowerInvariant()}://{IpfixDestination.Format(collector)}";
        if (!ShouldProcess(target, "Send flows as IPFIX records"))
        {
            declined = true;
            return;
        }
        IIpfixTransport transport;
        try
        {
            transport = Transport == IpfixTransportKind.Tcp
                ? TcpIpfixTransport.Connect(collector, ConnectTimeout, stopping.Token)
                : new UdpIpfixTransport(collector, Mtu);
        }
        catch (IpfixExportException e)
        {
            ThrowTerminatingError(Errors.IpfixCollectorUnreachable(e, target));
            return;
        }
        catch (OperationCanceledException)
        {
            return;
        }
        exporter = new IpfixExporter(transport, new IpfixExporterOptions
        {
            ObservationDomainId = ObservationDomainId,
            TemplateRefreshInterval = TemplateRefreshInterval,
        });
        WriteVerbose($"Sending flows as IPFIX to {transport.Destination} (messages of at most {transport.MaxMessageLength} bytes).");
    }

    protected override void ProcessRecord()
    {
        var flow = InputObject!;
        if (!declined && exporter is not null)
        {
            exporter.Export(flow);
            if (exporter.Failure is { } failure) ReportFailure(failure);
        }
        if (PassThru) WriteObject(flow);
    }

    protected override void EndProcessing()
    {
        if (exporter is null) return;
        exporter.Close(DrainTimeout);
        if (exporter.Failure is { } failure) ReportFailure(failure);
        WriteVerbose($"Sent {exporter.FlowsExported} flows as {exporter.RecordsExported} IPFIX records in " +
                     $"{exporter.MessagesSent} messages to {exporter.Destination}.");
        if (exporter.MessagesRefused > 0)
            WriteWarning($"{exporter.Destination} refused {exporter.MessagesRefused} of the IPFIX messages (ICMP port unreachable): " +
                         "is the collector running? Their flows are lost.");
        if (exporter.MessagesDropped > 0)
            WriteWarning($"{exporter.MessagesDropped} IPFIX messages to {exporter.Destination} could not be sent; their flows are lost.");
        if (exporter.FlowsNotExported > 0)
            WriteWarning($"{exporter.FlowsNotExported} flows were not exported to {exporter.Destination}.");
    }

    protected override void StopProcessing()
    {
        stopping.Cancel();
        exporter?.Close(TimeSpan.FromSeconds(1));
    }

    private void ReportFailure(Exception failure)
    {
        if (failureReported) return;
        failureReported = true;
        WriteError(Errors.IpfixConnectionLost(failure, exporter!.Destination));
    }

    public void Dispose()
    {
        exporter?.Dispose();
        stopping.Dispose();
    }
}
