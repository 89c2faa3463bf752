using EmailRelay.Core.Tests.Filters;
using EmailRelay.Protocol.Mail;
using EmailRelay.Verifiers;

namespace EmailRelay.Core.Tests.Verifiers;

public class NetVerifierTests
{
    private static VerifierRequest Request(string address) => new(address, "a@b.c", "127.0.0.1:40630", "relay.example.org", "none", "");

    [Fact]
    public async Task Requests_are_pipe_separated_and_replies_interpreted()
    {
        await using var server = new LineServer(line => line.Split('|')[0] switch
        {
            "alice@x" => "0|alice|Alice Smith",
            "bob@x" => "1|BOB@x",
            "later@x" => "3|try later",
            _ => "2|no such user|unknown",
        });
        await using var verifier = new NetVerifier(server.Address, TimeSpan.FromSeconds(20), TimeProvider.System);
        Assert.Equal(new VerifierResult(VerifierStatus.Local, "", "alice", "Alice Smith", "", ""), await verifier.VerifyAsync(Request("alice@x"), CancellationToken.None));
        Assert.Equal(VerifierResult.AcceptRemote("BOB@x"), await verifier.VerifyAsync(Request("bob@x"), CancellationToken.None));
        Assert.Equal(VerifierStatus.TemporaryFailure, (await verifier.VerifyAsync(Request("later@x"), CancellationToken.None)).Status);
        Assert.Equal("no such user", (await verifier.VerifyAsync(Request("eve@x"), CancellationToken.None)).Response);
        Assert.Equal("alice@x|a@b.c|127.0.0.1:40630|relay.example.org|none|", server.Requests.First());
        Assert.Equal(1, server.Accepted);
    }

    [Fact]
    public async Task A_server_that_drops_every_request_gives_450_cannot_verify()
    {
        await using var server = new LineServer(_ => null);
        await using var verifier = new NetVerifier(server.Address, TimeSpan.FromSeconds(20), TimeProvider.System);
        var result = await verifier.VerifyAsync(Request("x@y"), CancellationToken.None);
        Assert.Equal((VerifierStatus.TemporaryFailure, "cannot verify"), (result.Status, result.Response));
    }
}
