using EmailRelay.IntegrationTests.Filters;
using EmailRelay.Testing;
using EmailRelay.Testing.Tools;

namespace EmailRelay.IntegrationTests.Outbound;

/// <summary>
/// Black-box routing: the built relay storing with <c>--filter route:&lt;table&gt;</c> and forwarding on disconnect
/// with <c>--client-auth</c>, to two Postfix smtp-sink instances (which accept AUTH and dump each transaction,
/// <c>AUTH=</c> on MAIL included): each domain's mail reaches its own sink under its own account, and a message for
/// both domains is split between them.
/// </summary>
public sealed class RoutingTests
{
    private static readonly TimeSpan s_deadline = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task Two_domains_go_to_two_smarthosts_with_two_accounts_and_a_mixed_message_is_split()
    {
        using var dir = new TestDirectory();
        var spool = Directory.CreateDirectory(Path.Combine(dir.Path, "spool")).FullName;
        var dumpOne = Directory.CreateDirectory(Path.Combine(dir.Path, "one")).FullName;
        var dumpTwo = Directory.CreateDirectory(Path.Combine(dir.Path, "two")).FullName;
        await using var one = await SmtpSink.StartAsync(dumpOne);
        await using var two = await SmtpSink.StartAsync(dumpTwo);
        var table = Path.Combine(dir.Path, "routes");
        await File.WriteAllTextAsync(table, $"""
            # recipient domain   smarthost               options
            to:one.example       127.0.0.1:{one.Port}    account=one
            to:two.example       127.0.0.1:{two.Port}    account=two
            """);
        var secrets = Path.Combine(dir.Path, "client.auth");
        await File.WriteAllTextAsync(secrets, "client plain user-one password1 one\nclient plain user-two password2 two\n");
        var unused = FreePort.Get();

        var (relay, port) = await FilterRelay.StartAsync(spool, "--filter", "route:" + table, "--forward-on-disconnect", "--forward-to", "127.0.0.1:" + unused,
            "--client-auth", secrets, "-v");
        await using (relay)
        {
            await using (var smtp = await SmtpDialog.OpenAsync(port))
            {
                Assert.StartsWith("250", await smtp.SendAsync("EHLO client"), StringComparison.Ordinal);
                Assert.StartsWith("250", await smtp.SendMessageAsync("a@sender.example", ["x@one.example"], "for one"), StringComparison.Ordinal);
                Assert.StartsWith("250", await smtp.SendMessageAsync("a@sender.example", ["y@two.example"], "for two"), StringComparison.Ordinal);
                Assert.StartsWith("250", await smtp.SendMessageAsync("a@sender.example", ["p@one.example", "q@two.example", "r@ONE.example"], "for both"), StringComparison.Ordinal);
                Assert.StartsWith("221", await smtp.SendAsync("QUIT"), StringComparison.Ordinal);
            }

            await one.WaitForMessagesAsync(2, s_deadline);
            await two.WaitForMessagesAsync(2, s_deadline);
            await Poll.UntilAsync(() => Directory.GetFiles(spool, "emailrelay.*").Length == 0, s_deadline, "an empty spool: " + relay.StderrText);
        }

        var atOne = one.DumpFiles().Select(File.ReadAllText).ToList();
        var atTwo = two.DumpFiles().Select(File.ReadAllText).ToList();
        Assert.Equal(2, atOne.Count);
        Assert.Equal(2, atTwo.Count);
        Assert.All(atOne, d => Assert.Contains("AUTH=user-one", d, StringComparison.Ordinal));
        Assert.All(atTwo, d => Assert.Contains("AUTH=user-two", d, StringComparison.Ordinal));
        Assert.Single(atOne, d => d.Contains("Subject: for one", StringComparison.Ordinal) && d.Contains("x@one.example", StringComparison.Ordinal));
        Assert.Single(atTwo, d => d.Contains("Subject: for two", StringComparison.Ordinal) && d.Contains("y@two.example", StringComparison.Ordinal));

        // The mixed message: its one.example recipients at the first sink, its two.example one at the second, nobody twice.
        var bothAtOne = Assert.Single(atOne, d => d.Contains("Subject: for both", StringComparison.Ordinal));
        var bothAtTwo = Assert.Single(atTwo, d => d.Contains("Subject: for both", StringComparison.Ordinal));
        Assert.Contains("p@one.example", bothAtOne, StringComparison.Ordinal);
        Assert.Contains("r@ONE.example", bothAtOne, StringComparison.Ordinal);
        Assert.DoesNotContain("q@two.example", bothAtOne, StringComparison.Ordinal);
        Assert.Contains("q@two.example", bothAtTwo, StringComparison.Ordinal);
        Assert.DoesNotContain("one.example", bothAtTwo, StringComparison.Ordinal);
    }
}
