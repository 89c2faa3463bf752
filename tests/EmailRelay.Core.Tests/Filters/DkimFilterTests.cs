using System.Text;
using EmailRelay.Filters;
using EmailRelay.Filters.Dkim;
using EmailRelay.Protocol.Dkim;
using EmailRelay.Protocol.Filters;
using EmailRelay.Testing;
using Microsoft.Extensions.Time.Testing;

namespace EmailRelay.Core.Tests.Filters;

public class DkimFilterTests
{
    private const string Id = "emailrelay.1.2.3";
    private const string Message = "From: Alice <alice@example.com>\r\nTo: bob@example.org\r\nSubject: hi\r\n\r\nbody\r\n";

    [Fact]
    public void A_key_that_cannot_be_read_is_a_start_up_error()
    {
        using var dir = new TestDirectory();
        var factory = Factory(dir);
        Assert.False(factory.TryCreate("dkim:d=example.com;s=sel;key=missing.pem", out _, out var error));
        Assert.Contains("cannot read dkim key file \"" + Path.Combine(dir.Path, "missing.pem") + "\"", error, StringComparison.Ordinal);
        File.WriteAllText(Path.Combine(dir.Path, "junk.pem"), "-----BEGIN PRIVATE KEY-----\nnot base64\n-----END PRIVATE KEY-----\n");
        Assert.False(factory.TryCreate("dkim:d=example.com;s=sel;key=junk.pem", out _, out error));
        Assert.Contains("invalid dkim key file", error, StringComparison.Ordinal);
        using (var small = System.Security.Cryptography.RSA.Create(512))
        {
            File.WriteAllText(Path.Combine(dir.Path, "small.pem"), small.ExportPkcs8PrivateKeyPem());
        }

        Assert.False(factory.TryCreate("dkim:d=example.com;s=sel;key=small.pem", out _, out error));
        Assert.Contains("512 bits is too small", error, StringComparison.Ordinal);
        WriteKey(dir, "ed.pem", DkimAlgorithm.Ed25519Sha256);
        Assert.False(factory.TryCreate("dkim:d=example.com;s=sel;key=ed.pem;a=rsa-sha256", out _, out error));
        Assert.Contains("is not an RSA key", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Consecutive_dkim_members_are_one_filter_with_their_signatures()
    {
        using var dir = new TestDirectory();
        WriteKey(dir, "rsa.pem", DkimAlgorithm.RsaSha256);
        WriteKey(dir, "ed.pem", DkimAlgorithm.Ed25519Sha256);
        Assert.True(Factory(dir).TryCreate("dkim:d=example.com;s=r;key=rsa.pem,dkim:d=example.com;s=e;key=ed.pem", out var filter, out var error), error);
        var dkim = Assert.IsType<DkimFilter>(filter);
        Assert.Equal([DkimAlgorithm.RsaSha256, DkimAlgorithm.Ed25519Sha256], dkim.Signers.Select(s => s.Algorithm));
        Assert.True(Factory(dir).TryCreate("dkim:d=example.com;s=r;key=rsa.pem,exit:0,dkim:d=example.com;s=e;key=ed.pem", out var chain, out error), error);
        Assert.IsType<FilterChain>(chain);
    }

    [Fact]
    public async Task Signatures_are_added_at_the_top_and_the_content_is_otherwise_unchanged()
    {
        using var dir = new TestDirectory();
        WriteKey(dir, "rsa.pem", DkimAlgorithm.RsaSha256);
        WriteKey(dir, "ed.pem", DkimAlgorithm.Ed25519Sha256);
        Assert.True(Factory(dir).TryCreate("dkim:d=example.com;s=r;key=rsa.pem,dkim:d=example.com;s=e;key=ed.pem;c=simple/simple", out var filter, out var error), error);
        var context = Context(dir, Message);
        Assert.Equal(FilterResult.Ok, await filter.RunAsync(context, CancellationToken.None));
        var text = File.ReadAllText(context.ContentPath());
        Assert.StartsWith("DKIM-Signature: v=1; a=rsa-sha256; c=relaxed/relaxed; d=example.com; s=r;\r\n\tt=1700000000; h=from:from:subject:to;", text, StringComparison.Ordinal);
        Assert.Contains("\r\nDKIM-Signature: v=1; a=ed25519-sha256; c=simple/simple; d=example.com; s=e;", text, StringComparison.Ordinal);
        Assert.EndsWith("\r\n" + Message, text, StringComparison.Ordinal);
        Assert.Equal(2, text.Split("DKIM-Signature:").Length - 1);
        Assert.Equal(["ed.pem", Id + ".content", Id + ".envelope.new", "rsa.pem"], Directory.GetFiles(dir.Path).Select(Path.GetFileName).Order(StringComparer.Ordinal));
    }

    [Theory]
    [InlineData("From: someone@example.net\r\n\r\nbody\r\n")]
    [InlineData("From: someone@notexample.com\r\n\r\nbody\r\n")]
    [InlineData("Subject: no from\r\n\r\nbody\r\n")]
    public async Task Messages_from_domains_not_configured_pass_unsigned(string content)
    {
        using var dir = new TestDirectory();
        WriteKey(dir, "rsa.pem", DkimAlgorithm.RsaSha256);
        Assert.True(Factory(dir).TryCreate("dkim:d=example.com;s=r;key=rsa.pem", out var filter, out var error), error);
        var context = Context(dir, content);
        Assert.Equal(FilterResult.Ok, await filter.RunAsync(context, CancellationToken.None));
        Assert.Equal(content, File.ReadAllText(context.ContentPath()));
    }

    [Fact]
    public async Task A_from_condition_chooses_the_signature()
    {
        using var dir = new TestDirectory();
        WriteKey(dir, "rsa.pem", DkimAlgorithm.RsaSha256);
        Assert.True(Factory(dir).TryCreate("dkim:d=relay.example;s=r;key=rsa.pem;from=example.net:*.example.org", out var filter, out var error), error);
        var signed = Context(dir, "From: a@lists.example.org\r\n\r\nx\r\n");
        await filter.RunAsync(signed, CancellationToken.None);
        Assert.StartsWith("DKIM-Signature:", File.ReadAllText(signed.ContentPath()), StringComparison.Ordinal);
    }

    [Fact]
    public void Hashing_a_50_MiB_message_costs_a_bounded_buffer()
    {
        using var dir = new TestDirectory();
        var path = Path.Combine(dir.Path, "big");
        using (var file = File.Create(path))
        {
            file.Write(Encoding.ASCII.GetBytes("From: a@example.com\r\nSubject: big\r\n\r\n"));
            var line = Encoding.ASCII.GetBytes(new string('x', 76) + "\r\n");
            var block = Enumerable.Repeat(line, 64 * 1024 / line.Length).SelectMany(l => l).ToArray();
            for (long written = 0; written < 50L * 1024 * 1024; written += block.Length)
            {
                file.Write(block);
            }
        }

        using var key = DkimKey.Generate(DkimAlgorithm.Ed25519Sha256, 0);
        var signer = new DkimMessageSigner([new DkimSigner(new DkimSignerSettings { Domain = "example.com", Selector = "s", KeyPath = "" }, key)]);
        var buffer = new byte[DkimFilter.BufferSize];
        using (var warm = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 0))
        {
            Assert.NotNull(signer.Sign(warm, null, buffer, out _));
        }

        using var content = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 0);
        long before = GC.GetAllocatedBytesForCurrentThread();
        Assert.NotNull(signer.Sign(content, null, buffer, out _));
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.True(allocated < 64 * 1024, $"{allocated} bytes allocated for a 50 MiB message");
    }

    private static FilterFactory Factory(TestDirectory dir)
        => new(new FilterEnvironment { TimeProvider = new FakeTimeProvider(DateTimeOffset.FromUnixTimeSeconds(1700000000)), StartupDirectory = dir.Path });

    private static void WriteKey(TestDirectory dir, string name, DkimAlgorithm algorithm)
    {
        using var key = DkimKey.Generate(algorithm, 2048);
        File.WriteAllText(Path.Combine(dir.Path, name), key.PrivateKeyPem());
    }

    private static FilterContext Context(TestDirectory dir, string content)
    {
        var contentPath = Path.Combine(dir.Path, Id + ".content");
        File.WriteAllText(contentPath, content);
        File.WriteAllText(Path.Combine(dir.Path, Id + ".envelope.new"), "X-MailRelay-Format: #2821.5\r\n");
        return FilterContexts.ForFiles(Id, contentPath, Path.Combine(dir.Path, Id + ".envelope.new"));
    }
}
