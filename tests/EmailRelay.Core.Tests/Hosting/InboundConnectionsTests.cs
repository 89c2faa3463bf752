using System.Net;
using EmailRelay.Events;
using EmailRelay.Hosting;

namespace EmailRelay.Core.Tests.Hosting;

/// <summary>Admin <c>status</c>'s IN counters come from the event stream's SMTP session events (issue 17).</summary>
public sealed class InboundConnectionsTests
{
    [Fact]
    public void Smtp_sessions_are_counted_and_listed_oldest_first_until_they_close()
    {
        var events = new RelayEvents();
        var inbound = new InboundConnections();
        events.Subscribe(inbound);
        var local = new IPEndPoint(IPAddress.Loopback, 25);
        events.SessionOpened(RelayService.Smtp, 7, new IPEndPoint(IPAddress.Loopback, 40001), local);
        events.SessionOpened(RelayService.Smtp, 9, new IPEndPoint(IPAddress.Loopback, 40002), local);
        events.SessionOpened(RelayService.Pop, 10, new IPEndPoint(IPAddress.Loopback, 40003), local);
        Assert.Equal(["127.0.0.1:25 <- 127.0.0.1:40001", "127.0.0.1:25 <- 127.0.0.1:40002"], inbound.Open);

        events.SessionClosed(RelayService.Smtp, 7, null, "smtp protocol done");
        events.SessionClosed(RelayService.Pop, 10, null, "pop protocol done");
        Assert.Equal(2, inbound.Started);
        Assert.Equal(1, inbound.Finished);
        Assert.Equal(["127.0.0.1:25 <- 127.0.0.1:40002"], inbound.Open);
    }
}
