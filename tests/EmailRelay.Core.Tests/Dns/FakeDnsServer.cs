using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using EmailRelay.Protocol.Dns;

namespace EmailRelay.Core.Tests.Dns;

/// <summary>
/// A DNS server for resolver tests on a loopback port: UDP and TCP on the same port, each query answered by a
/// function (null: stay silent). Counts the queries it saw per transport.
/// </summary>
internal sealed class FakeDnsServer : IDisposable
{
    private readonly Socket _udp;
    private readonly TcpListener _tcp;
    private readonly CancellationTokenSource _stop = new();
    private readonly Func<DnsMessage, byte[], bool, byte[]?> _answer;
    private int _udpQueries;
    private int _tcpQueries;

    /// <summary>Starts serving; <paramref name="answer"/> gets the parsed query, its bytes, and whether it came over TCP.</summary>
    public FakeDnsServer(Func<DnsMessage, byte[], bool, byte[]?> answer)
    {
        _answer = answer;
        // UDP port 0 picks a free UDP port; the same TCP port may be taken, so try again until both bind.
        for (var attempt = 1; ; attempt++)
        {
            _udp = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
            _udp.Bind(new IPEndPoint(IPAddress.Loopback, 0));
            EndPoint = (IPEndPoint)_udp.LocalEndPoint!;
            _tcp = new TcpListener(IPAddress.Loopback, EndPoint.Port);
            try
            {
                _tcp.Start();
                break;
            }
            catch (SocketException) when (attempt < 50)
            {
                _udp.Dispose();
            }
        }

        _ = ServeUdpAsync();
        _ = ServeTcpAsync();
    }

    public IPEndPoint EndPoint { get; }

    public int UdpQueries => Volatile.Read(ref _udpQueries);

    public int TcpQueries => Volatile.Read(ref _tcpQueries);

    /// <summary>A response to <paramref name="query"/>: its header with QR set, the question, and answers named by a pointer to the question.</summary>
    public static byte[] Response(byte[] query, DnsResponseCode code, bool truncated = false, params (DnsRecordType Type, byte[] Data)[] answers)
    {
        var packet = new List<byte>(query);
        packet[2] = (byte)(0x80 | (query[2] & 0x01) | (truncated ? 0x02 : 0));
        packet[3] = (byte)(0x80 | (int)code);
        packet[6] = 0;
        packet[7] = (byte)answers.Length;
        foreach (var (type, data) in answers)
        {
            packet.AddRange([0xC0, 0x0C, 0, (byte)type, 0, 1, 0, 0, 0, 60, (byte)(data.Length >> 8), (byte)data.Length]);
            packet.AddRange(data);
        }

        return [.. packet];
    }

    /// <summary>MX record data.</summary>
    public static byte[] Mx(ushort preference, string exchange)
    {
        Assert.True(DnsQuery.TryEncodeName(exchange, out var name, out _));
        return [(byte)(preference >> 8), (byte)preference, .. name];
    }

    /// <summary>The null MX (RFC 7505).</summary>
    public static byte[] NullMx() => [0, 0, 0];

    public void Dispose()
    {
        _stop.Cancel();
        _udp.Dispose();
        _tcp.Stop();
        _stop.Dispose();
    }

    private async Task ServeUdpAsync()
    {
        var buffer = new byte[4096];
        try
        {
            while (true)
            {
                var received = await _udp.ReceiveFromAsync(buffer, SocketFlags.None, new IPEndPoint(IPAddress.Any, 0), _stop.Token);
                Interlocked.Increment(ref _udpQueries);
                var query = buffer[..received.ReceivedBytes];
                if (DnsMessageParser.TryParse(query, out var message, out _) && _answer(message!, query, false) is { } response)
                {
                    await _udp.SendToAsync(response, SocketFlags.None, received.RemoteEndPoint, _stop.Token);
                }
            }
        }
        catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException)
        {
            // Stopped.
        }
    }

    private async Task ServeTcpAsync()
    {
        try
        {
            while (true)
            {
                using var client = await _tcp.AcceptTcpClientAsync(_stop.Token);
                var stream = client.GetStream();
                var prefix = new byte[2];
                await stream.ReadExactlyAsync(prefix, _stop.Token);
                var query = new byte[BinaryPrimitives.ReadUInt16BigEndian(prefix)];
                await stream.ReadExactlyAsync(query, _stop.Token);
                Interlocked.Increment(ref _tcpQueries);
                if (DnsMessageParser.TryParse(query, out var message, out _) && _answer(message!, query, true) is { } response)
                {
                    var framed = new byte[response.Length + 2];
                    BinaryPrimitives.WriteUInt16BigEndian(framed, (ushort)response.Length);
                    response.CopyTo(framed, 2);
                    await stream.WriteAsync(framed, _stop.Token);
                }
            }
        }
        catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException or IOException)
        {
            // Stopped.
        }
    }
}
