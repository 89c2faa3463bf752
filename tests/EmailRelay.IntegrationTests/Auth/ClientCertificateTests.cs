using System.Globalization;
using EmailRelay.Testing;
using EmailRelay.Testing.Tools;

namespace EmailRelay.IntegrationTests.Auth;

/// <summary>
/// <c>--server-tls-verify</c> (reference §e) black-box, with a PKI made by <c>openssl</c> now: a client certificate
/// signed by the test CA is accepted, an unsigned one or none is refused; <c>&lt;none&gt;</c> asks for none;
/// without the option one is asked for but not verified. The accepted certificate reaches the envelope's
/// ClientCertificate field as folded PEM (reference §b).
/// </summary>
public class ClientCertificateTests
{
    private enum Cert
    {
        None,
        Signed,
        Rogue,
    }

    [Fact]
    public async Task A_client_certificate_signed_by_the_ca_file_is_accepted_and_stored_folded_in_the_envelope()
    {
        await using var relay = await VerifyRelay.StartAsync(ca => ca.CaCertificate);
        var result = await relay.SwaksAsync(Cert.Signed);
        Assert.True(result.ExitCode == 0, result.Output + relay.Process.StderrText);
        string envelope = await File.ReadAllTextAsync(Assert.Single(relay.Envelopes()));
        Assert.Contains(FoldedPem(relay.Ca.ClientCertificate), envelope, StringComparison.Ordinal);
        Assert.Matches("\r\nX-MailRelay-MailFromAuthIn: ", envelope);
    }

    [Fact]
    public async Task A_client_certificate_signed_by_a_ca_in_the_ca_directory_is_accepted()
    {
        await using var relay = await VerifyRelay.StartAsync(ca => ca.CaDirectory);
        var result = await relay.SwaksAsync(Cert.Signed);
        Assert.True(result.ExitCode == 0, result.Output + relay.Process.StderrText);
        Assert.Contains(FoldedPem(relay.Ca.ClientCertificate), await File.ReadAllTextAsync(Assert.Single(relay.Envelopes())), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(false, (int)Cert.Rogue)]
    [InlineData(false, (int)Cert.None)]
    [InlineData(true, (int)Cert.Rogue)]
    [InlineData(true, (int)Cert.None)]
    public async Task An_unsigned_client_certificate_or_none_is_refused_and_nothing_is_stored(bool directory, int certificate)
    {
        await using var relay = await VerifyRelay.StartAsync(ca => directory ? ca.CaDirectory : ca.CaCertificate);
        var result = await relay.SwaksAsync((Cert)certificate);
        Assert.NotEqual(0, result.ExitCode);
        Assert.DoesNotContain("<~  250 ", result.Output, StringComparison.Ordinal);
        Assert.Empty(relay.Envelopes());
        Assert.Empty(Directory.GetFiles(relay.Spool));
    }

    [Fact]
    public async Task Openssl_s_client_with_the_signed_certificate_gets_an_ehlo_reply_over_tls()
    {
        await using var relay = await VerifyRelay.StartAsync(ca => ca.CaCertificate);
        var (code, output) = await relay.SClientAsync(Cert.Signed);
        Assert.True(code == 0, output);
        Assert.Contains("250-", output, StringComparison.Ordinal);
        Assert.Contains("221 ", output, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData((int)Cert.Rogue)]
    [InlineData((int)Cert.None)]
    public async Task Openssl_s_client_without_a_signed_certificate_is_refused(int certificate)
    {
        await using var relay = await VerifyRelay.StartAsync(ca => ca.CaCertificate);
        var (_, output) = await relay.SClientAsync((Cert)certificate);
        Assert.DoesNotContain("250-", output, StringComparison.Ordinal);
        Assert.DoesNotContain("221 ", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Default_uses_the_system_store_which_here_is_the_test_ca_through_ssl_cert_file()
    {
        await using var relay = await VerifyRelay.StartAsync(_ => "<default>", ca => new Dictionary<string, string> { ["SSL_CERT_FILE"] = ca.CaCertificate });
        var signed = await relay.SwaksAsync(Cert.Signed);
        Assert.True(signed.ExitCode == 0, signed.Output + relay.Process.StderrText);
        var rogue = await relay.SwaksAsync(Cert.Rogue);
        Assert.NotEqual(0, rogue.ExitCode);
        Assert.Single(relay.Envelopes());
    }

    [Fact]
    public async Task Default_with_the_real_system_store_refuses_a_certificate_of_the_test_ca()
    {
        await using var relay = await VerifyRelay.StartAsync(_ => "<default>");
        var result = await relay.SwaksAsync(Cert.Signed);
        Assert.NotEqual(0, result.ExitCode);
        Assert.Empty(relay.Envelopes());
    }

    [Fact]
    public async Task None_asks_for_no_certificate_so_the_envelope_field_is_empty()
    {
        await using var relay = await VerifyRelay.StartAsync(_ => "<none>");
        var result = await relay.SwaksAsync(Cert.Rogue);
        Assert.True(result.ExitCode == 0, result.Output + relay.Process.StderrText);
        Assert.Contains("\r\nX-MailRelay-ClientCertificate: \r\nX-MailRelay-MailFromAuthIn: ", await File.ReadAllTextAsync(Assert.Single(relay.Envelopes())), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Without_the_option_any_certificate_is_accepted_unverified_and_stored()
    {
        await using var relay = await VerifyRelay.StartAsync(_ => null);
        var rogue = await relay.SwaksAsync(Cert.Rogue);
        Assert.True(rogue.ExitCode == 0, rogue.Output + relay.Process.StderrText);
        var none = await relay.SwaksAsync(Cert.None);
        Assert.True(none.ExitCode == 0, none.Output + relay.Process.StderrText);
        var envelopes = relay.Envelopes().Select(File.ReadAllText).ToList();
        Assert.Equal(2, envelopes.Count);
        Assert.Single(envelopes, e => e.Contains(FoldedPem(relay.Ca.RogueCertificate), StringComparison.Ordinal));
        Assert.Single(envelopes, e => e.Contains("\r\nX-MailRelay-ClientCertificate: \r\n", StringComparison.Ordinal));
    }

    /// <summary>The PEM block of <paramref name="pemFile"/> as the envelope folds it: each newline becomes CRLF and a space.</summary>
    private static string FoldedPem(string pemFile)
    {
        var lines = File.ReadAllLines(pemFile).Where(l => l.Length > 0);
        return "X-MailRelay-ClientCertificate: " + string.Join("\r\n ", lines);
    }

    private sealed class VerifyRelay : IAsyncDisposable
    {
        private readonly TestDirectory _dir;

        private VerifyRelay(TestDirectory dir, TestCa ca, RelayProcess process, int port)
        {
            _dir = dir;
            Ca = ca;
            Process = process;
            Port = port;
        }

        public TestCa Ca { get; }

        public RelayProcess Process { get; }

        public int Port { get; }

        public string Spool => Path.Combine(_dir.Path, "spool");

        public static async Task<VerifyRelay> StartAsync(Func<TestCa, string?> verify, Func<TestCa, IReadOnlyDictionary<string, string>>? environment = null)
        {
            var dir = new TestDirectory();
            Directory.CreateDirectory(Path.Combine(dir.Path, "spool"));
            var ca = await TestCa.CreateAsync(dir.Path);
            int port = FreePort.Get();
            List<string> args =
            [
                "--no-daemon", "--log", "--verbose", "--log-address", "--user", Environment.UserName,
                "--port", port.ToString(CultureInfo.InvariantCulture), "--interface", "127.0.0.1",
                "--spool-dir", Path.Combine(dir.Path, "spool"),
                "--server-tls", "--server-tls-certificate", ca.ServerKey, "--server-tls-certificate", ca.ServerCertificate,
            ];
            if (verify(ca) is { } value)
            {
                args.AddRange(["--server-tls-verify", value]);
            }

            var process = RelayProcess.Start(dir.Path, args, environment: environment?.Invoke(ca));
            await Poll.UntilAsync(() => FreePort.IsListening(port), TimeSpan.FromSeconds(30), "relay listening; " + process.StderrText);
            return new VerifyRelay(dir, ca, process, port);
        }

        public string[] Envelopes() => Directory.GetFiles(Spool, "*.envelope");

        public Task<ToolResult> SwaksAsync(Cert cert)
        {
            List<string> extra = ["--tls"];
            extra.AddRange(cert switch
            {
                Cert.Signed => ["--tls-cert", Ca.ClientCertificate, "--tls-key", Ca.ClientKey],
                Cert.Rogue => ["--tls-cert", Ca.RogueCertificate, "--tls-key", Ca.RogueKey],
                _ => [],
            });
            return Swaks.SendAsync(Port, "a@example.com", "b@example.com", extraArguments: extra);
        }

        public async Task<(int Code, string Output)> SClientAsync(Cert cert)
        {
            List<string> args = ["s_client", "-starttls", "smtp", "-connect", "127.0.0.1:" + Port.ToString(CultureInfo.InvariantCulture), "-quiet"];
            args.AddRange(cert switch
            {
                Cert.Signed => ["-cert", Ca.ClientCertificate, "-key", Ca.ClientKey],
                Cert.Rogue => ["-cert", Ca.RogueCertificate, "-key", Ca.RogueKey],
                _ => [],
            });
            await using var tool = ToolProcess.Start("/usr/bin/openssl", args, "EHLO x\r\nQUIT\r\n");
            tool.CloseStandardInput();
            int code = await tool.WaitForExitAsync(TimeSpan.FromSeconds(30));
            return (code, tool.StandardOutput + tool.StandardError);
        }

        public async ValueTask DisposeAsync()
        {
            await Process.DisposeAsync();
            _dir.Dispose();
        }
    }
}
