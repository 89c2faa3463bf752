using System.Globalization;
using EmailRelay.Testing;
using EmailRelay.Testing.Tools;

namespace EmailRelay.IntegrationTests.Pop3;

/// <summary>The built <c>emailrelay</c> serving SMTP and POP3 on a temp spool, with alice, bob and carol in the POP secrets.</summary>
internal sealed class PopRelay : IAsyncDisposable
{
    private readonly RelayProcess _process;

    private PopRelay(TestDirectory directory, RelayProcess process, int smtpPort, int popPort)
    {
        Directory = directory;
        _process = process;
        SmtpPort = smtpPort;
        PopPort = popPort;
    }

    public TestDirectory Directory { get; }

    public string Spool => Path.Combine(Directory.Path, "spool");

    public int SmtpPort { get; }

    public int PopPort { get; }

    public RelayProcess Process => _process;

    public static Task<PopRelay> StartAsync(params string[] extra) => StartAsync(tls: false, extra);

    /// <summary>Starts the relay; with <paramref name="tls"/>, <c>--server-tls</c> and a test certificate generated now (STLS).</summary>
    public static async Task<PopRelay> StartAsync(bool tls, params string[] extra)
    {
        var directory = new TestDirectory();
        if (tls)
        {
            var key = Path.Combine(directory.Path, "key.pem");
            var cert = Path.Combine(directory.Path, "cert.pem");
            Auth.AuthRelay.WriteCertificate(key, cert);
            extra = ["--server-tls", "--server-tls-certificate", key, "--server-tls-certificate", cert, .. extra];
        }

        System.IO.Directory.CreateDirectory(Path.Combine(directory.Path, "spool"));
        var secrets = Path.Combine(directory.Path, "pop.auth");
        await File.WriteAllTextAsync(secrets, "# pop users\nserver plain alice alice-pw\nserver plain bob bob-pw\nserver plain carol carol+20has+20spaces\n");
        var smtp = FreePort.Get();
        var pop = FreePort.Get();
        var process = RelayProcess.Start(directory.Path,
        [
            "--no-daemon", "--no-syslog", "--log", "--verbose", "--user", Environment.UserName, "--interface", "127.0.0.1",
            "--spool-dir", Path.Combine(directory.Path, "spool"), "--port", smtp.ToString(CultureInfo.InvariantCulture),
            "--pop", "--pop-port", pop.ToString(CultureInfo.InvariantCulture), "--pop-auth", secrets, .. extra,
        ]);
        var relay = new PopRelay(directory, process, smtp, pop);
        if (!await Poll.TryUntilAsync(() => FreePort.IsListening(pop) && FreePort.IsListening(smtp), TimeSpan.FromSeconds(30)))
        {
            var text = process.StderrText;
            await relay.DisposeAsync();
            throw new Xunit.Sdk.XunitException("the relay did not start listening: " + text);
        }

        return relay;
    }

    /// <summary>The content files in the main spool, by file name.</summary>
    public Dictionary<string, byte[]> Contents() => System.IO.Directory.EnumerateFiles(Spool, "*.content")
        .ToDictionary(p => Path.GetFileName(p), File.ReadAllBytes, StringComparer.Ordinal);

    public async ValueTask DisposeAsync()
    {
        await _process.DisposeAsync();
        Directory.Dispose();
    }
}
