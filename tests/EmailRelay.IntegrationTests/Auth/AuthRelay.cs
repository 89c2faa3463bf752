using System.Globalization;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using EmailRelay.Testing;
using EmailRelay.Testing.Tools;

namespace EmailRelay.IntegrationTests.Auth;

/// <summary>
/// A relay with <c>--server-auth</c> and a test certificate generated now (never committed), on a free port,
/// with a temporary spool.
/// </summary>
internal sealed class AuthRelay : IAsyncDisposable
{
    private readonly TestDirectory _dir;
    private readonly RelayProcess _relay;

    private AuthRelay(TestDirectory dir, RelayProcess relay, int port)
    {
        _dir = dir;
        _relay = relay;
        Port = port;
    }

    public int Port { get; }

    public string Spool => Path.Combine(_dir.Path, "spool");

    public RelayProcess Process => _relay;

    public static Task<AuthRelay> StartAsync(params string[] extra) => StartAsync(false, extra);

    /// <summary>Starts the relay; <paramref name="trustLocal"/> adds <c>server none 127.0.0.0/8</c> (no AUTH needed).</summary>
    public static async Task<AuthRelay> StartAsync(bool trustLocal, params string[] extra)
    {
        var dir = new TestDirectory();
        Directory.CreateDirectory(Path.Combine(dir.Path, "spool"));
        WriteCertificate(Path.Combine(dir.Path, "key.pem"), Path.Combine(dir.Path, "cert.pem"));
        File.WriteAllText(Path.Combine(dir.Path, "secrets"), "server plain alice my+20secret\nserver plain bob pw\n" + (trustLocal ? "server none 127.0.0.0/8 local\n" : ""));
        int port = FreePort.Get();
        string[] args =
        [
            "--no-daemon", "--log", "--verbose", "--log-address", "--user", Environment.UserName,
            "--port", port.ToString(CultureInfo.InvariantCulture), "--interface", "127.0.0.1",
            "--spool-dir", Path.Combine(dir.Path, "spool"),
            "--server-auth", Path.Combine(dir.Path, "secrets"),
            "--server-tls-certificate", Path.Combine(dir.Path, "key.pem"),
            "--server-tls-certificate", Path.Combine(dir.Path, "cert.pem"),
            .. extra,
        ];
        var relay = RelayProcess.Start(dir.Path, args);
        await Poll.UntilAsync(() => FreePort.IsListening(port), TimeSpan.FromSeconds(30), "relay listening; " + relay.StderrText);
        return new AuthRelay(dir, relay, port);
    }

    public string[] Envelopes() => Directory.GetFiles(Spool, "*.envelope");

    public async ValueTask DisposeAsync()
    {
        await _relay.DisposeAsync();
        _dir.Dispose();
    }

    /// <summary>A raw client: sends bytes exactly as given, reads reply lines.</summary>
    public async Task<RawClient> ConnectAsync()
    {
        var client = new TcpClient();
        await client.ConnectAsync(FreePort.Host, Port);
        var raw = new RawClient(client);
        Assert.StartsWith("220 ", await raw.ReadReplyAsync(), StringComparison.Ordinal);
        return raw;
    }

    internal static void WriteCertificate(string keyPath, string certPath)
    {
        using var key = RSA.Create(2048);
        var request = new CertificateRequest("CN=localhost", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var san = new SubjectAlternativeNameBuilder();
        san.AddDnsName("localhost");
        request.CertificateExtensions.Add(san.Build());
        var now = DateTimeOffset.FromUnixTimeSeconds(1_700_000_000);
        using var cert = request.CreateSelfSigned(now, now.AddYears(20));
        File.WriteAllText(keyPath, key.ExportPkcs8PrivateKeyPem());
        File.WriteAllText(certPath, cert.ExportCertificatePem());
    }
}
