using EmailRelay.Protocol.Mail;
using EmailRelay.Verifiers;

namespace EmailRelay.Core.Tests.Verifiers;

public class VerifierFactoryTests
{
    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("exit:0")]
    [InlineData("exit:2")]
    public async Task Default_and_exit_accept_every_recipient_as_remote_unchanged(string? spec)
    {
        Assert.True(VerifierFactory.TryCreate(spec, out var verifier, out var error), error);
        var request = new VerifierRequest("Alice@Example.COM", "b@c.d", "127.0.0.1:4000", "relay.example", "none", "");
        var result = await verifier.VerifyAsync(request, CancellationToken.None);
        Assert.Equal(new VerifierResult(VerifierStatus.Remote, "Alice@Example.COM", "", "", "", ""), result);
    }

    [Fact]
    public async Task Vrfy_of_any_address_is_remote()
    {
        var request = new VerifierRequest("postmaster", "", "127.0.0.1:4000", "relay.example", "none", "");
        Assert.True(request.IsVrfy);
        var result = await AcceptAllVerifier.Instance.VerifyAsync(request, CancellationToken.None);
        Assert.Equal(VerifierStatus.Remote, result.Status);
        Assert.Equal("postmaster", result.Address);
    }

    [Theory]
    [InlineData("account:")]
    [InlineData("account:lowercase;check")]
    public void Account_specs_build_the_account_verifier(string spec)
    {
        Assert.True(VerifierFactory.TryCreate(spec, out var verifier, out var error), error);
        Assert.IsType<AccountVerifier>(verifier);
    }

    [Fact]
    public void Parse_errors_come_through_in_band()
    {
        Assert.False(VerifierFactory.TryCreate("account:nope", out _, out var error));
        Assert.Equal("invalid address verifier \"account:nope\": unknown account option \"nope\"", error);
    }
}
