using EmailRelay.Protocol.Filters;
using EmailRelay.Protocol.Mail;
using EmailRelay.Verifiers;

namespace EmailRelay.Core.Tests.Verifiers;

public class AccountVerifierTests
{
    private const string Passwd = """
        # comment
        root:x:0:0:root:/root:/bin/bash
        alice:x:1000:1000:Alice Liddell,Room 1,,:/home/alice:/bin/sh
        Bob:x:1001:1001::/home/bob:/bin/sh
        big:x:40000:40000:Big Uid:/home/big:/bin/sh
        broken:x:notanumber:1::/:/bin/sh
        +nis
        """;

    private static async Task<VerifierResult> VerifyAsync(string spec, string address, string domain = "relay.example.org", string? passwd = Passwd)
    {
        Assert.True(VerifierSpecParser.TryParse(spec, out var parsed, out var error), error);
        var verifier = passwd is null ? new AccountVerifier(parsed) : new AccountVerifier(parsed, () => passwd);
        return await verifier.VerifyAsync(new VerifierRequest(address, "from@x.y", "127.0.0.1:1234", domain, "none", ""), CancellationToken.None);
    }

    private static VerifierResult Local(string mailbox, string fullName) => new(VerifierStatus.Local, "", mailbox, fullName, "", "");

    private static VerifierResult Rejected(string reason) => new(VerifierStatus.PermanentFailure, "", "", "", "rejected", reason);

    [Theory]
    [InlineData("account:", "alice@relay.example.org", "alice", "Alice Liddell")]
    [InlineData("account:", "alice@RELAY.Example.ORG", "alice", "Alice Liddell")]
    [InlineData("account:", "Bob@relay.example.org", "Bob", "Bob")]
    [InlineData("account:lowercase", "Bob@relay.example.org", "bob", "Bob")]
    [InlineData("account:lowercase", "ALICE@relay.example.org", "alice", "Alice Liddell")]
    [InlineData("account:0-65535", "root@relay.example.org", "root", "root")]
    [InlineData("account:", "postmaster", "postmaster", "postmaster")]
    [InlineData("account:remote", "postmaster", "postmaster", "postmaster")]
    public async Task An_account_in_the_uid_range_at_the_relay_domain_is_local(string spec, string address, string mailbox, string fullName)
        => Assert.Equal(Local(mailbox, fullName), await VerifyAsync(spec, address));

    [Theory]
    [InlineData("account:", "alice@elsewhere.org", "not a local domain: [elsewhere.org] is not [relay.example.org]")]
    [InlineData("account:", "alice", "not a local domain: [] is not [relay.example.org]")]
    [InlineData("account:", "nobody-here@relay.example.org", "no such account: [nobody-here]")]
    [InlineData("account:", "ALICE@relay.example.org", "no such account: [ALICE]")]
    [InlineData("account:", "broken@relay.example.org", "no such account: [broken]")]
    [InlineData("account:", "+nis@relay.example.org", "no such account: [+nis]")]
    [InlineData("account:", "root@relay.example.org", "account [root] has a uid outside 1000-32767")]
    [InlineData("account:", "big@relay.example.org", "account [big] has a uid outside 1000-32767")]
    [InlineData("account:1001-1001", "alice@relay.example.org", "account [alice] has a uid outside 1001-1001")]
    public async Task Anything_else_is_rejected_with_the_reason(string spec, string address, string reason)
        => Assert.Equal(Rejected(reason), await VerifyAsync(spec, address));

    [Fact]
    public async Task Check_accepts_mismatches_as_remote_and_remote_makes_matches_remote()
    {
        Assert.Equal(VerifierResult.AcceptRemote("x@elsewhere.org"), await VerifyAsync("account:check", "x@elsewhere.org"));
        Assert.Equal(Local("alice", "Alice Liddell"), await VerifyAsync("account:check", "alice@relay.example.org"));
        Assert.Equal(VerifierResult.AcceptRemote("alice@relay.example.org"), await VerifyAsync("account:remote", "alice@relay.example.org"));
        Assert.Equal(Rejected("no such account: [zed]"), await VerifyAsync("account:remote", "zed@relay.example.org"));
    }

    [Fact]
    public async Task The_real_system_accounts_are_read_from_etc_passwd()
    {
        Assert.Equal(Local("root", "root"), await VerifyAsync("account:0-0", "root@relay.example.org", passwd: null));
        Assert.Equal(VerifierStatus.Local, (await VerifyAsync("account:1-1", "daemon@relay.example.org", passwd: null)).Status);
        Assert.Equal(Rejected("account [daemon] has a uid outside 0-0"), await VerifyAsync("account:0-0", "daemon@relay.example.org", passwd: null));
        Assert.Equal(Rejected("account [nobody] has a uid outside 1000-32767"), await VerifyAsync("account:", "nobody@relay.example.org", passwd: null));
        Assert.Equal(Rejected("no such account: [no-such-user-here]"), await VerifyAsync("account:0-65535", "no-such-user-here@relay.example.org", passwd: null));
    }

    [Fact]
    public void Passwd_lookup_is_exact_and_skips_malformed_lines()
    {
        Assert.Equal(new SystemAccount("alice", 1000, "Alice Liddell"), SystemAccount.Find(Passwd, "alice"));
        Assert.Null(SystemAccount.Find(Passwd, "Alice"));
        Assert.Null(SystemAccount.Find(Passwd, ""));
        Assert.Null(SystemAccount.Find(Passwd, "alice:x"));
        Assert.Null(SystemAccount.Find("alice:x:1000\n", "alice"));
        Assert.Equal(new SystemAccount("crlf", 5, "crlf"), SystemAccount.Find("crlf:x:5:5::/:/bin/sh\r\n", "crlf"));
    }
}
