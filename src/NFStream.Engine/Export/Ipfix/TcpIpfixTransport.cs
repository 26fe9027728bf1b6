using System.Net;
using System.Net.Sockets;

namespace NFStream.Engine.Export.Ipfix;

/// <summary>
/// IPFIX over one TCP connection (RFC 7011 section 10.4). Messages go through a bounded queue to a sender
/// thread, so a collector that stops reading never blocks the caller (the flow pipeline, perhaps a live
/// capture): when the queue is full the message is dropped and counted. A connection that breaks sets
/// <see cref="Failure"/>; nothing more is sent.
/// </summary>
public sealed class TcpIpfixTransport : IIpfixTransport
{
    /// <summary>Messages over TCP need not fit a datagram; this size keeps a queued message's delay short.</summary>
    public const int DefaultMaxMessageLength = 16384;
    public const int DefaultQueueCapacity = 512;

    private readonly Socket socket;
    private readonly Queue<(byte[] Buffer, int Length)> queue = new();
    private readonly Stack<byte[]> free = new();
    private readonly int capacity;
    private readonly Thread sender;
    private bool closing;
    private long sent, dropped;
    private volatile Exception? failure;

    private TcpIpfixTransport(Socket socket, string destination, int maxMessageLength, int queueCapacity)
    {
        this.socket = socket;
        Destination = destination;
        MaxMessageLength = maxMessageLength;
        capacity = queueCapacity;
        sender = new Thread(SendLoop) { IsBackground = true, Name = "IPFIX TCP sender" };
        sender.Start();
    }

    /// <summary>
    /// Connects to <paramref name="collector"/>; throws <see cref="IpfixExportException"/> with the reason (refused,
    /// unreachable, no answer within <paramref name="timeout"/>), or OperationCanceledException when cancelled.
    /// </summary>
    public static TcpIpfixTransport Connect(IPEndPoint collector, TimeSpan timeout, CancellationToken cancellation,
        int maxMessageLength = DefaultMaxMessageLength, int queueCapacity = DefaultQueueCapacity)
    {
        string destination = "tcp://" + IpfixDestination.Format(collector);
        var socket = new Socket(collector.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellation);
        limit.CancelAfter(timeout);
        try
        {
            socket.ConnectAsync(collector, limit.Token).AsTask().GetAwaiter().GetResult();
        }
        catch (OperationCanceledException) when (!cancellation.IsCancellationRequested)
        {
            socket.Dispose();
            throw new IpfixExportException(destination,
                $"Cannot connect to the IPFIX collector at {destination}: no answer within {timeout.TotalSeconds:0.#} s.");
        }
        catch (SocketException e)
        {
            socket.Dispose();
            throw new IpfixExportException(destination,
                $"Cannot connect to the IPFIX collector at {destination}: {e.Message} (is the collector running and listening on TCP?).", e);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
        return new TcpIpfixTransport(socket, destination, maxMessageLength, queueCapacity);
    }

    public string Destination { get; }

    public bool IsReliable => true;

    public int MaxMessageLength { get; }

    public Exception? Failure => failure;

    public long MessagesSent => Interlocked.Read(ref sent);

    public long MessagesDropped => Interlocked.Read(ref dropped);

    public long MessagesRefused => 0;

    public void Send(ReadOnlySpan<byte> message)
    {
        lock (queue)
        {
            if (failure is not null || closing || queue.Count >= capacity)
            {
                dropped++;
                return;
            }
            byte[] buffer;
            if (free.Count > 0) buffer = free.Pop();
            else buffer = new byte[MaxMessageLength];   // at most capacity buffers, then reused
            message.CopyTo(buffer);
            queue.Enqueue((buffer, message.Length));
            Monitor.Pulse(queue);
        }
    }

    private void SendLoop()
    {
        while (true)
        {
            (byte[] Buffer, int Length) item;
            lock (queue)
            {
                while (queue.Count == 0 && !closing) Monitor.Wait(queue);
                if (queue.Count == 0) return;
                item = queue.Dequeue();
            }
            try
            {
                int offset = 0;
                while (offset < item.Length) offset += socket.Send(item.Buffer, offset, item.Length - offset, SocketFlags.None);
                Interlocked.Increment(ref sent);
            }
            catch (Exception e) when (e is SocketException or ObjectDisposedException)
            {
                lock (queue)
                {
                    failure ??= new IpfixExportException(Destination,
                        $"The connection to the IPFIX collector at {Destination} broke: {e.Message}. Later flows were not sent.", e);
                    dropped += 1 + queue.Count;
                    queue.Clear();
                    closing = true;
                }
                return;
            }
            lock (queue) free.Push(item.Buffer);
        }
    }

    public void Close(TimeSpan timeout)
    {
        lock (queue)
        {
            closing = true;
            Monitor.PulseAll(queue);
        }
        if (!sender.Join(timeout))
        {
            lock (queue)
            {
                dropped += queue.Count;
                queue.Clear();
            }
        }
        try
        {
            socket.Shutdown(SocketShutdown.Both);
        }
        catch (SocketException)
        {
        }
        socket.Dispose();
        sender.Join(TimeSpan.FromSeconds(1));
    }

    public void Dispose() => Close(TimeSpan.Zero);
}
