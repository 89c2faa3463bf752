using System.Text;
using BenchmarkDotNet.Attributes;
using EmailRelay.Filters.Dkim;
using EmailRelay.Protocol.Dkim;
using MimeKit;
using MimeKit.Cryptography;

namespace EmailRelay.Benchmarks;

/// <summary>
/// The dkim: filter's signing cost against MimeKit's DkimSigner (bench/RESULTS.md, "dkim:"): one signature over a
/// 1 KiB message (CPU per signature and per message) and over a 50 MiB message file (time and allocation).
/// Run: dotnet run -c Release --project bench/EmailRelay.Benchmarks -- --filter '*Dkim*' --memory
/// </summary>
[MemoryDiagnoser]
public class DkimBenchmarks
{
    private const string Header = "From: Alice <alice@example.com>\r\nTo: bob@example.org\r\nSubject: benchmark\r\nDate: Tue, 08 Dec 2026 01:00:00 +0000\r\nMessage-ID: <1@example.com>\r\nMIME-Version: 1.0\r\n\r\n";
    private byte[] _small = [];
    private string _largePath = "";
    private DkimMessageSigner _rsa = null!;
    private DkimMessageSigner _ed25519 = null!;
    private MimeKit.Cryptography.DkimSigner _mimeKitRsa = null!;
    private MimeKit.Cryptography.DkimSigner _mimeKitEd25519 = null!;
    private readonly byte[] _buffer = new byte[64 * 1024];
    private string _directory = "";

    [GlobalSetup]
    public void Setup()
    {
        var body = new StringBuilder();
        while (body.Length < 1024 - Header.Length)
        {
            body.Append("The quick brown fox jumps over the lazy dog, again and again.\r\n");
        }

        _small = Encoding.ASCII.GetBytes(Header + body);
        _directory = Directory.CreateTempSubdirectory("emailrelay-dkim-bench").FullName;
        _largePath = Path.Combine(_directory, "large.eml");
        using (var file = File.Create(_largePath))
        {
            file.Write(Encoding.ASCII.GetBytes(Header));
            var line = Encoding.ASCII.GetBytes(new string('Q', 76) + "\r\n");
            for (long written = 0; written < 50L * 1024 * 1024; written += line.Length)
            {
                file.Write(line);
            }
        }

        var settings = new DkimSignerSettings { Domain = "example.com", Selector = "s", KeyPath = "" };
        var rsaKey = DkimKey.Generate(DkimAlgorithm.RsaSha256, 2048);
        var edKey = DkimKey.Generate(DkimAlgorithm.Ed25519Sha256, 0);
        _rsa = new DkimMessageSigner([new EmailRelay.Filters.Dkim.DkimSigner(settings, rsaKey)]);
        _ed25519 = new DkimMessageSigner([new EmailRelay.Filters.Dkim.DkimSigner(settings, edKey)]);
        var rsaPem = Path.Combine(_directory, "rsa.pem");
        var edPem = Path.Combine(_directory, "ed.pem");
        File.WriteAllText(rsaPem, rsaKey.PrivateKeyPem());
        File.WriteAllText(edPem, edKey.PrivateKeyPem());
        _mimeKitRsa = new MimeKit.Cryptography.DkimSigner(rsaPem, "example.com", "s", DkimSignatureAlgorithm.RsaSha256)
        {
            HeaderCanonicalizationAlgorithm = DkimCanonicalizationAlgorithm.Relaxed,
            BodyCanonicalizationAlgorithm = DkimCanonicalizationAlgorithm.Relaxed,
        };
        _mimeKitEd25519 = new MimeKit.Cryptography.DkimSigner(edPem, "example.com", "s", DkimSignatureAlgorithm.Ed25519Sha256)
        {
            HeaderCanonicalizationAlgorithm = DkimCanonicalizationAlgorithm.Relaxed,
            BodyCanonicalizationAlgorithm = DkimCanonicalizationAlgorithm.Relaxed,
        };
    }

    [GlobalCleanup]
    public void Cleanup() => Directory.Delete(_directory, recursive: true);

    [Benchmark]
    public byte[]? Own_rsa_1KiB() => _rsa.Sign(new MemoryStream(_small, writable: false), 1700000000, _buffer, out _);

    [Benchmark]
    public byte[]? Own_ed25519_1KiB() => _ed25519.Sign(new MemoryStream(_small, writable: false), 1700000000, _buffer, out _);

    [Benchmark]
    public MimeMessage MimeKit_rsa_1KiB() => MimeKitSign(_mimeKitRsa, new MemoryStream(_small, writable: false));

    [Benchmark]
    public MimeMessage MimeKit_ed25519_1KiB() => MimeKitSign(_mimeKitEd25519, new MemoryStream(_small, writable: false));

    [Benchmark]
    public byte[]? Own_rsa_50MiB_file()
    {
        using var file = new FileStream(_largePath, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 0);
        return _rsa.Sign(file, 1700000000, _buffer, out _);
    }

    [Benchmark]
    public MimeMessage MimeKit_rsa_50MiB_file()
    {
        using var file = new FileStream(_largePath, FileMode.Open, FileAccess.Read, FileShare.Read);
        return MimeKitSign(_mimeKitRsa, file, persistent: true);
    }

    private static readonly HeaderId[] s_headers = [HeaderId.From, HeaderId.To, HeaderId.Subject, HeaderId.Date, HeaderId.MessageId, HeaderId.MimeVersion];

    private static MimeMessage MimeKitSign(MimeKit.Cryptography.DkimSigner signer, Stream stream, bool persistent = false)
    {
        var message = MimeMessage.Load(stream, persistent);
        signer.Sign(message, s_headers);
        return message;
    }
}
