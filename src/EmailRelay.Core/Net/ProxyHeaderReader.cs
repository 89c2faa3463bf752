using System.Net.Sockets;
using EmailRelay.Protocol.Proxy;

namespace EmailRelay.Net;

/// <summary>
/// Reads a PROXY protocol header off an accepted socket before any protocol session starts, taking exactly the
/// header's bytes: it peeks at what has arrived, lets <see cref="ProxyHeaderParser"/> judge it, and consumes only
/// header bytes, so a TLS ClientHello or an SMTP command sent right behind the header stays for the session.
/// Memory is bounded by the v2 length field (16 + 65,535 bytes); time by the policy's timeout.
/// </summary>
public static class ProxyHeaderReader
{
    /// <summary>Reads the header; the outcome is the header or why the connection must be closed.</summary>
    public static async Task<ProxyReadOutcome> ReadAsync(Socket socket, TimeSpan timeout, TimeProvider time, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(socket);
        ArgumentNullException.ThrowIfNull(time);
        using var deadline = new CancellationTokenSource(timeout, time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(deadline.Token, cancellationToken);
        var received = new byte[ProxyHeaderParser.MaxV1Length + 1];
        var length = 0;
        try
        {
            while (true)
            {
                if (length == received.Length)
                {
                    Array.Resize(ref received, Math.Min(received.Length * 4, ProxyHeaderParser.V2FixedLength + ushort.MaxValue));
                }

                var peeked = await socket.ReceiveAsync(received.AsMemory(length), SocketFlags.Peek, linked.Token);
                if (peeked == 0)
                {
                    return ProxyReadOutcome.Failed("the balancer closed the connection before a complete PROXY protocol header");
                }

                var result = ProxyHeaderParser.Parse(received.AsSpan(0, length + peeked));
                switch (result.Status)
                {
                    case ProxyParseStatus.Invalid:
                        return ProxyReadOutcome.Failed("invalid PROXY protocol header: " + result.Error);
                    case ProxyParseStatus.Complete:
                        await ConsumeAsync(socket, result.Consumed - length, linked.Token);
                        return new ProxyReadOutcome(result.Header, null);
                    default:
                        // Every peeked byte belongs to the header: take them and wait for more.
                        await ConsumeAsync(socket, peeked, linked.Token);
                        length += peeked;
                        break;
                }
            }
        }
        catch (OperationCanceledException) when (deadline.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            return ProxyReadOutcome.Failed("no complete PROXY protocol header within " + ((long)timeout.TotalSeconds).ToString(System.Globalization.CultureInfo.InvariantCulture) + "s");
        }
        catch (SocketException ex)
        {
            return ProxyReadOutcome.Failed("reading the PROXY protocol header: " + ex.Message);
        }
    }

    private static async Task ConsumeAsync(Socket socket, int count, CancellationToken cancellationToken)
    {
        var sink = new byte[Math.Min(count, 4096)];
        while (count > 0)
        {
            var n = await socket.ReceiveAsync(sink.AsMemory(0, Math.Min(count, sink.Length)), SocketFlags.None, cancellationToken);
            if (n == 0)
            {
                throw new SocketException((int)SocketError.ConnectionReset);
            }

            count -= n;
        }
    }
}
