using EmailRelay.Testing;
using EmailRelay.Testing.Tools;
using static EmailRelay.IntegrationTests.Forwarding.ForwardingTests;

namespace EmailRelay.IntegrationTests.Outbound;

/// <summary>
/// Black-box failover: the built executable with <c>--as-client first,second</c>, where the first host refuses
/// connections (a claimed port nobody listens on) or greets with 421 (a small Python server), and the second is
/// Postfix's smtp-sink. Every message must arrive at the second, and the log must say so for each.
/// </summary>
public sealed class FailoverTests
{
    private const int Count = 10;

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Every_message_arrives_at_the_second_host(bool busyGreeting)
    {
        using var dir = new TestDirectory();
        var spool = Directory.CreateDirectory(Path.Combine(dir.Path, "spool")).FullName;
        var busyDir = Directory.CreateDirectory(Path.Combine(dir.Path, "busy")).FullName;
        await using var sink = await SmtpSink.StartAsync();
        await using var busy = busyGreeting ? await GreetingRefusalServer.StartAsync(busyDir) : null;
        var first = busy?.Port ?? FreePort.Get();
        for (var i = 0; i < Count; i++)
        {
            await SeedAsync(spool, Content("message " + i + "\r\n"));
        }

        var (exit, stderr) = await AsClientAsync(dir.Path, spool, "127.0.0.1:" + Port(first) + ",127.0.0.1:" + Port(sink.Port), "-v");

        Assert.True(exit == 0, stderr);
        await sink.WaitForMessagesAsync(Count, TimeSpan.FromSeconds(30));
        Assert.Equal(Count, sink.MessageCount);
        Assert.Empty(Directory.GetFiles(spool, "emailrelay.*"));
        var lines = stderr.Split('\n');
        Assert.Equal(Count, lines.Count(l => l.Contains("] accepted by 127.0.0.1:" + Port(sink.Port), StringComparison.Ordinal)));
        var failover = Assert.Single(lines, l => l.Contains("failing over to 127.0.0.1:" + Port(sink.Port), StringComparison.Ordinal));
        Assert.Contains(busyGreeting ? "421 busy: try later" : "cannot connect to 127.0.0.1:" + Port(first), failover, StringComparison.Ordinal);
        if (busy is not null)
        {
            // Given up on for the rest of the run after its 421: one connection for ten messages.
            Assert.Equal(1, busy.Connections);
        }
    }

    [Fact]
    public async Task The_help_documents_the_failover_list()
    {
        using var dir = new TestDirectory();
        await using var relay = RelayProcess.Start(dir.Path, ["--help", "--verbose"]);
        Assert.Equal(0, await relay.WaitForExitAsync(TimeSpan.FromSeconds(30)));
        Assert.Contains("host1:25,host2:25", string.Join("\n", relay.Stdout), StringComparison.Ordinal);
    }
}
