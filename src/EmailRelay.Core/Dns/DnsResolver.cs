using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using EmailRelay.Protocol.Dns;

namespace EmailRelay.Dns;

/// <summary>
/// A stub resolver: asks the configured recursive name servers over UDP, and again over TCP when the answer is
/// truncated (RFC 1035 §4.2, RFC 7766 §5). Each server gets <see cref="AttemptTimeout"/>; when a whole round of
/// servers timed out the round starts again, until <see cref="TotalTimeout"/> has passed. A response is used only
/// if it comes from the server asked, with the query's random id and the same question. Outcomes are values
/// (<see cref="DnsLookupResult"/>); only cancellation of the caller's token throws.
/// </summary>
internal sealed class DnsResolver
{
    private const int MaxUdpResponse = 4096;
    private readonly IReadOnlyList<IPEndPoint> _servers;
    private readonly TimeProvider _timeProvider;

    /// <summary>Creates the resolver.</summary>
    /// <param name="servers">The name servers, in order of preference (at least one).</param>
    /// <param name="attemptTimeout">How long to wait for one server.</param>
    /// <param name="totalTimeout">How long one query may take in all.</param>
    /// <param name="timeProvider">The clock for the timeouts.</param>
    public DnsResolver(IReadOnlyList<IPEndPoint> servers, TimeSpan attemptTimeout, TimeSpan totalTimeout, TimeProvider timeProvider)
    {
        ArgumentNullException.ThrowIfNull(servers);
        ArgumentNullException.ThrowIfNull(timeProvider);
        ArgumentOutOfRangeException.ThrowIfZero(servers.Count);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(attemptTimeout, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(totalTimeout, TimeSpan.Zero);
        _servers = servers;
        AttemptTimeout = attemptTimeout;
        TotalTimeout = totalTimeout;
        _timeProvider = timeProvider;
    }

    /// <summary>The time allowed to one server for one attempt.</summary>
    public TimeSpan AttemptTimeout { get; }

    /// <summary>The time allowed to one query.</summary>
    public TimeSpan TotalTimeout { get; }

    /// <summary>The servers asked.</summary>
    public IReadOnlyList<IPEndPoint> Servers => _servers;

    /// <summary>Asks for the records of one type at one name.</summary>
    public async Task<DnsLookupResult> QueryAsync(string name, DnsRecordType type, CancellationToken cancellationToken)
    {
        var id = BinaryPrimitives.ReadUInt16LittleEndian(RandomNumberGenerator.GetBytes(2));
        if (!DnsQuery.TryBuild(id, name, type, out var packet, out var error))
        {
            return new DnsLookupResult(DnsStatus.ServerFailure, null, error);
        }

        using var total = new CancellationTokenSource(TotalTimeout, _timeProvider);
        using var linkedTotal = CancellationTokenSource.CreateLinkedTokenSource(total.Token, cancellationToken);
        string? failure = null; // the last error other than a timeout
        while (true)
        {
            var anyTimedOut = false;
            foreach (var server in _servers)
            {
                if (linkedTotal.IsCancellationRequested)
                {
                    break;
                }

                using var attempt = new CancellationTokenSource(AttemptTimeout, _timeProvider);
                using var linked = CancellationTokenSource.CreateLinkedTokenSource(attempt.Token, linkedTotal.Token);
                DnsMessage? response;
                try
                {
                    response = await AskAsync(server, packet, id, name, type, linked.Token);
                }
                catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
                {
                    anyTimedOut = true;
                    continue;
                }
                catch (SocketException e)
                {
                    failure = e.Message + " (" + server + ")";
                    continue;
                }

                if (response is null)
                {
                    failure = "invalid response from " + server;
                    continue;
                }

                switch (response.ResponseCode)
                {
                    case DnsResponseCode.NoError:
                        return new DnsLookupResult(DnsStatus.Answer, response, "");
                    case DnsResponseCode.NameError:
                        return new DnsLookupResult(DnsStatus.NameError, response, "no such domain");
                    default:
                        failure = "server error " + response.ResponseCode.ToString().ToLowerInvariant() + " from " + server;
                        break;
                }
            }

            cancellationToken.ThrowIfCancellationRequested();
            if (!anyTimedOut || linkedTotal.IsCancellationRequested)
            {
                return failure is null
                    ? new DnsLookupResult(DnsStatus.Timeout, null, "timeout")
                    : new DnsLookupResult(DnsStatus.ServerFailure, null, failure);
            }
        }
    }

    /// <summary>One exchange with one server: UDP, then TCP if truncated. Null for an unusable response.</summary>
    private static async Task<DnsMessage?> AskAsync(IPEndPoint server, byte[] packet, ushort id, string name, DnsRecordType type, CancellationToken cancellationToken)
    {
        var response = await UdpAsync(server, packet, id, name, type, cancellationToken);
        return response is { IsTruncated: true } ? await TcpAsync(server, packet, id, name, type, cancellationToken) : response;
    }

    private static async Task<DnsMessage?> UdpAsync(IPEndPoint server, byte[] packet, ushort id, string name, DnsRecordType type, CancellationToken cancellationToken)
    {
        using var socket = new Socket(server.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
        // Connected: the kernel drops datagrams from any other address and port.
        await socket.ConnectAsync(server, cancellationToken);
        await socket.SendAsync(packet, SocketFlags.None, cancellationToken);
        var buffer = new byte[MaxUdpResponse];
        while (true)
        {
            var received = await socket.ReceiveAsync(buffer, SocketFlags.None, cancellationToken);
            if (DnsMessageParser.TryParse(buffer.AsSpan(0, received), out var message, out _) && IsAnswerTo(message!, id, name, type))
            {
                return message;
            }

            // Anything else (a stale or forged datagram) is ignored; the attempt's timeout still runs.
        }
    }

    private static async Task<DnsMessage?> TcpAsync(IPEndPoint server, byte[] packet, ushort id, string name, DnsRecordType type, CancellationToken cancellationToken)
    {
        using var socket = new Socket(server.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync(server, cancellationToken);
        var framed = new byte[packet.Length + 2];
        BinaryPrimitives.WriteUInt16BigEndian(framed, (ushort)packet.Length); // RFC 1035 §4.2.2 length prefix
        packet.CopyTo(framed, 2);
        await socket.SendAsync(framed, SocketFlags.None, cancellationToken);
        var prefix = new byte[2];
        if (!await ReceiveExactlyAsync(socket, prefix, cancellationToken))
        {
            return null;
        }

        var body = new byte[BinaryPrimitives.ReadUInt16BigEndian(prefix)];
        if (!await ReceiveExactlyAsync(socket, body, cancellationToken))
        {
            return null;
        }

        return DnsMessageParser.TryParse(body, out var message, out _) && IsAnswerTo(message!, id, name, type) ? message : null;
    }

    private static async Task<bool> ReceiveExactlyAsync(Socket socket, Memory<byte> buffer, CancellationToken cancellationToken)
    {
        while (buffer.Length > 0)
        {
            var received = await socket.ReceiveAsync(buffer, SocketFlags.None, cancellationToken);
            if (received == 0)
            {
                return false;
            }

            buffer = buffer[received..];
        }

        return true;
    }

    private static bool IsAnswerTo(DnsMessage message, ushort id, string name, DnsRecordType type)
        => message.IsResponse && message.Id == id && message.QuestionType == type
            && string.Equals(message.QuestionName, name.TrimEnd('.'), StringComparison.OrdinalIgnoreCase);
}
