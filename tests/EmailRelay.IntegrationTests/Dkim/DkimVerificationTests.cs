using System.Text;
using EmailRelay.Filters;
using EmailRelay.Filters.Dkim;
using EmailRelay.Protocol.Dkim;
using EmailRelay.Protocol.Filters;
using EmailRelay.Testing;

namespace EmailRelay.IntegrationTests.Dkim;

/// <summary>
/// Messages signed by the <c>dkim:</c> filter (RSA and Ed25519 signatures on each, under both canonicalizations)
/// verify with dkimpy, OpenDKIM and MimeKit; a message altered after signing fails with all three.
/// </summary>
public sealed class DkimVerificationTests : IClassFixture<DkimVerificationTests.Keys>
{
    /// <summary>Two signature sets: each algorithm once relaxed and once simple.</summary>
    public static TheoryData<string, string> Cases
    {
        get
        {
            var data = new TheoryData<string, string>();
            foreach (var name in DkimCorpus.Messages.Keys)
            {
                data.Add(name, "rsa relaxed, ed25519 simple");
                data.Add(name, "rsa simple, ed25519 relaxed");
            }

            return data;
        }
    }

    private readonly Keys _keys;

    public DkimVerificationTests(Keys keys) => _keys = keys;

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task Every_corpus_message_verifies_with_the_three_verifiers(string name, string signatures)
    {
        using var dir = new TestDirectory();
        var path = await SignAsync(dir, DkimCorpus.Messages[name], signatures);
        var results = await _keys.Verifiers.VerifyAllAsync(path);
        Assert.Equal(6, results.Count);
        Assert.True(results.All(DkimVerifiers.Passed), name + ":\n" + DkimVerifiers.Failures(results));
    }

    [Theory]
    [InlineData("body byte")]
    [InlineData("signed header")]
    public async Task A_message_altered_after_signing_fails_with_all_three(string alteration)
    {
        using var dir = new TestDirectory();
        var path = await SignAsync(dir, DkimCorpus.Messages["plain"], "rsa relaxed, ed25519 simple");
        Assert.All(await _keys.Verifiers.VerifyAllAsync(path), r => Assert.EndsWith(": pass", r, StringComparison.Ordinal));
        var signed = Encoding.Latin1.GetString(File.ReadAllBytes(path));
        var text = alteration == "body byte" ? signed.Replace("Hello Bob.", "Hello Bob!", StringComparison.Ordinal) : signed.Replace("Subject: hello", "Subject: hellO", StringComparison.Ordinal);
        Assert.Equal(signed.Length, text.Length);
        Assert.NotEqual(signed, text);
        File.WriteAllBytes(path, Encoding.Latin1.GetBytes(text));
        var results = await _keys.Verifiers.VerifyAllAsync(path);
        Assert.Equal(6, results.Count);
        Assert.All(results, r => Assert.DoesNotContain(": pass", r, StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_50_MiB_message_verifies_with_the_three_verifiers()
    {
        using var dir = new TestDirectory();
        var content = Path.Combine(dir.Path, "emailrelay.1.2.3.content");
        DkimCorpus.WriteLarge(content, 50L * 1024 * 1024);
        var path = await SignAsync(dir, null, "rsa relaxed, ed25519 simple");
        Assert.True(new FileInfo(path).Length > 50L * 1024 * 1024);
        var results = await _keys.Verifiers.VerifyAllAsync(path);
        Assert.True(results.Count == 6 && results.All(r => r.EndsWith(": pass", StringComparison.Ordinal)), DkimVerifiers.Failures(results));
    }

    private async Task<string> SignAsync(TestDirectory dir, byte[]? message, string signatures)
    {
        var content = Path.Combine(dir.Path, "emailrelay.1.2.3.content");
        if (message is not null)
        {
            await File.WriteAllBytesAsync(content, message);
        }

        var spec = signatures == "rsa relaxed, ed25519 simple"
            ? $"dkim:d=example.com;s=rsa;key={_keys.RsaPath},dkim:d=example.com;s=ed;key={_keys.Ed25519Path};c=simple/simple"
            : $"dkim:d=example.com;s=rsa;key={_keys.RsaPath};c=simple/simple,dkim:d=example.com;s=ed;key={_keys.Ed25519Path};a=ed25519-sha256";
        Assert.True(new FilterFactory(TimeProvider.System).TryCreate(spec, out var filter, out var error), error);
        var result = await filter.RunAsync(FilterContexts.ForFiles("emailrelay.1.2.3", content, content + ".envelope.new"), CancellationToken.None);
        Assert.Equal(FilterResult.Ok, result);
        return content;
    }

    /// <summary>One RSA 2048 and one Ed25519 key for the class, and the verifiers that know them.</summary>
    public sealed class Keys : IDisposable
    {
        private readonly TestDirectory _dir = new();

        public Keys()
        {
            var rsa = DkimKey.Generate(DkimAlgorithm.RsaSha256, 2048);
            var ed = DkimKey.Generate(DkimAlgorithm.Ed25519Sha256, 0);
            RsaPath = Path.Combine(_dir.Path, "rsa.pem");
            Ed25519Path = Path.Combine(_dir.Path, "ed.pem");
            File.WriteAllText(RsaPath, rsa.PrivateKeyPem());
            File.WriteAllText(Ed25519Path, ed.PrivateKeyPem());
            Verifiers = new DkimVerifiers(new Dictionary<string, DkimKey> { ["rsa._domainkey.example.com"] = rsa, ["ed._domainkey.example.com"] = ed }, RsaPath);
            rsa.Dispose();
            ed.Dispose();
        }

        public string RsaPath { get; }

        public string Ed25519Path { get; }

        internal DkimVerifiers Verifiers { get; }

        public void Dispose()
        {
            Verifiers.Dispose();
            _dir.Dispose();
        }
    }
}
