using System.Net;
using System.Net.Sockets;
using System.Text;
using EmailRelay.Smtp.Client;

namespace EmailRelay.Core.Tests.Smtp.Client;

public class PollingReadStreamTests
{
    private static async Task<(PollingReadStream Client, Socket Server)> ConnectAsync(TimeSpan wait)
    {
        using var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        listener.Listen(1);
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        var accept = listener.AcceptAsync();
        await socket.ConnectAsync(listener.LocalEndPoint!);
        var server = await accept.WaitAsync(TimeSpan.FromSeconds(30));
        return (new PollingReadStream(new NetworkStream(socket, ownsSocket: true), socket, wait), server);
    }

    [Fact]
    public async Task A_reply_already_there_is_read_synchronously_and_a_zero_byte_read_waits_for_it()
    {
        var (client, server) = await ConnectAsync(TimeSpan.FromSeconds(5));
        await using var stream = client;
        using var peer = server;
        await peer.SendAsync("250 ok\r\n"u8.ToArray());

        var wait = stream.ReadAsync(Memory<byte>.Empty);
        Assert.True(wait.IsCompletedSuccessfully);
        Assert.Equal(0, await wait);
        var buffer = new byte[64];
        var read = stream.ReadAsync(buffer.AsMemory());
        Assert.True(read.IsCompletedSuccessfully);
        Assert.Equal("250 ok\r\n", Encoding.ASCII.GetString(buffer, 0, await read));
    }

    [Fact]
    public async Task A_reply_slower_than_the_wait_arrives_through_the_asynchronous_read()
    {
        var (client, server) = await ConnectAsync(TimeSpan.Zero);
        await using var stream = client;
        using var peer = server;
        var buffer = new byte[64];

        var read = stream.ReadAsync(buffer.AsMemory());
        Assert.False(read.IsCompleted);
        await peer.SendAsync("354 go ahead\r\n"u8.ToArray());
        Assert.Equal("354 go ahead\r\n", Encoding.ASCII.GetString(buffer, 0, await read.AsTask().WaitAsync(TimeSpan.FromSeconds(30))));
    }

    [Fact]
    public async Task The_end_of_the_stream_reads_as_zero_and_writes_reach_the_peer()
    {
        var (client, server) = await ConnectAsync(TimeSpan.FromSeconds(5));
        await using var stream = client;
        using var peer = server;
        await stream.WriteAsync("QUIT\r\n"u8.ToArray());
        var received = new byte[16];
        Assert.Equal(6, await peer.ReceiveAsync(received.AsMemory()).AsTask().WaitAsync(TimeSpan.FromSeconds(30)));

        peer.Shutdown(SocketShutdown.Send);
        Assert.Equal(0, await stream.ReadAsync(new byte[16].AsMemory()));
    }
}
