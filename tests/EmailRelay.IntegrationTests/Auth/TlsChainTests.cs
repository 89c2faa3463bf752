using System.Globalization;
using System.Text;
using EmailRelay.IntegrationTests.Forwarding;
using EmailRelay.Testing;
using EmailRelay.Testing.Tools;

namespace EmailRelay.IntegrationTests.Auth;

/// <summary>
/// Issue 23 G: with a three-level chain made here (root, intermediate, leaf), a CA file holding only the root, and a
/// peer that sends leaf plus intermediate, verification passes on both sides, as with E-MailRelay (OpenSSL). Before,
/// our client logged <c>certificate-subject=[/CN=localhost] ... ok=0</c> and our server refused the client. The same
/// peer without its intermediate fails, so the tests show the intermediate is what is used.
/// </summary>
public sealed class TlsChainTests
{
    private static readonly byte[] s_content = Encoding.ASCII.GetBytes("Subject: chain\r\n\r\nbody\r\n");

    [Theory]
    [InlineData(true, true)]
    [InlineData(false, false)]
    public async Task The_client_verifies_an_s_server_that_sends_leaf_and_intermediate_against_a_root_only_ca_file(bool sendIntermediate, bool delivered)
    {
        using var dir = new TestDirectory();
        var spool = Directory.CreateDirectory(Path.Combine(dir.Path, "spool")).FullName;
        var certificates = await TestCertificates.CreateChainAsync(Directory.CreateDirectory(Path.Combine(dir.Path, "certs")).FullName);
        await using var server = await OpensslSmtpServer.StartAsync(certificates, startTls: false, sendIntermediate: sendIntermediate);
        await ForwardingTests.SeedAsync(spool, s_content, to: ["b@example.com"]);

        var (exit, stderr) = await ForwardingTests.AsClientAsync(dir.Path, spool, "127.0.0.1:" + server.Port.ToString(CultureInfo.InvariantCulture),
            "-v", "--client-tls-connection", "--client-tls-verify", certificates.CaCertificate, "--retry-limit", "0");

        Assert.True(exit == 0, stderr + server.Output);
        Assert.Contains("tls: certificate-subject=[/CN=localhost] required-peer-name=[] ok=" + (delivered ? "1" : "0"), stderr, StringComparison.Ordinal);
        if (delivered)
        {
            await server.WaitForMessagesAsync(1, TimeSpan.FromSeconds(30));
            Assert.Empty(Directory.GetFiles(spool, "emailrelay.*"));
        }
        else
        {
            Assert.Single(Directory.GetFiles(spool, "*.envelope.bad"));
        }
    }

    [Theory]
    [InlineData(true, true)]
    [InlineData(false, false)]
    public async Task The_server_verifies_an_s_client_that_sends_leaf_and_intermediate_against_a_root_only_ca_file(bool sendIntermediate, bool accepted)
    {
        using var dir = new TestDirectory();
        var spool = Directory.CreateDirectory(Path.Combine(dir.Path, "spool")).FullName;
        var certificates = await TestCertificates.CreateChainAsync(Directory.CreateDirectory(Path.Combine(dir.Path, "certs")).FullName);
        var port = FreePort.Get();
        await using var relay = RelayProcess.Start(dir.Path,
        [
            "--no-daemon", "--log", "--verbose", "--user", Environment.UserName, "--no-syslog",
            "--port", port.ToString(CultureInfo.InvariantCulture), "--interface", "127.0.0.1", "--spool-dir", spool,
            "--server-tls", "--server-tls-certificate", certificates.ServerKey, "--server-tls-certificate", certificates.ServerCertificate,
            "--server-tls-verify", certificates.CaCertificate,
        ]);
        await relay.WaitForStderrAsync(l => l.Contains("smtp server on", StringComparison.Ordinal), "the relay to listen");

        string[] args =
        [
            "s_client", "-starttls", "smtp", "-connect", "127.0.0.1:" + port.ToString(CultureInfo.InvariantCulture), "-quiet",
            "-cert", certificates.ClientCertificate, "-key", certificates.ClientKey,
            .. (sendIntermediate ? (string[])["-cert_chain", certificates.IntermediateCertificate] : []),
        ];
        await using var client = ToolProcess.Start("/usr/bin/openssl", args, "EHLO x\r\nQUIT\r\n");
        client.CloseStandardInput();
        await client.WaitForExitAsync(TimeSpan.FromSeconds(30));
        var output = client.StandardOutput + client.StandardError;
        Assert.Equal(accepted, output.Contains("250-", StringComparison.Ordinal));
        Assert.Equal(accepted, output.Contains("221 ", StringComparison.Ordinal));
        if (accepted)
        {
            // Issue 23 M: E-MailRelay's wording, got "tls established: cipher ..." before.
            await relay.WaitForStderrAsync(l => l.Contains("tls protocol established with 127.0.0.1:", StringComparison.Ordinal) && l.Contains(" protocol TLSv1.3 cipher TLS_", StringComparison.Ordinal), "the tls line");
        }
        else
        {
            // Issue 23 H: E-MailRelay logs "tls error: SSL_accept(): [...]", got "smtp connection failed: ..." before.
            await relay.WaitForStderrAsync(l => l.Contains("warning: tls error: SSL_accept(): [certificate verify failed]", StringComparison.Ordinal), "the tls error line");
        }
    }
}
