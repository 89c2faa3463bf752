using System.Net;
using System.Net.Sockets;
using EmailRelay.Testing.Tools;

namespace EmailRelay.IntegrationTests.Tools;

public class FreePortTests
{
    [Fact]
    public void Free_port_can_be_bound_and_is_then_seen_listening()
    {
        var port = FreePort.Get();
        Assert.InRange(port, 1, 65535);
        Assert.False(FreePort.IsListening(port));
        using var listener = new TcpListener(IPAddress.Loopback, port);
        listener.Start();
        Assert.True(FreePort.IsListening(port));
    }
}
