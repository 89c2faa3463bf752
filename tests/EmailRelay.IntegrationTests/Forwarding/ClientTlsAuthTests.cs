using EmailRelay.Testing;
using EmailRelay.Testing.Tools;
using static EmailRelay.IntegrationTests.Forwarding.ForwardingTests;

namespace EmailRelay.IntegrationTests.Forwarding;

/// <summary>
/// Black-box client TLS, AUTH and SOCKS4a (reference §d "Client side", §e "Client side", §i; differences 8): the built
/// executable forwarding to <c>openssl s_server</c>, aiosmtpd with STARTTLS and AUTH, and a SOCKS4a proxy.
/// </summary>
public sealed class ClientTlsAuthTests
{
    private const string User = "alice";
    private const string Password = "my secret";
    private static readonly string[] s_mechanisms = ["PLAIN", "LOGIN", "CRAM-MD5", "CRAM-SHA1", "CRAM-SHA256", "CRAM-SHA512", "XOAUTH2"];
    private static readonly byte[] s_tricky = Content(".leading dot\r\n..two dots\r\n.\r\nnot the end\r\n. \r\n\r\nlast line\r\n");

    private sealed class Setup : IDisposable
    {
        private readonly TestDirectory _dir = new();

        public Setup()
        {
            Spool = Directory.CreateDirectory(Path.Combine(_dir.Path, "spool")).FullName;
            Upstream = Directory.CreateDirectory(Path.Combine(_dir.Path, "up")).FullName;
        }

        public string Path_ => _dir.Path;

        public string Spool { get; }

        public string Upstream { get; }

        public string Secrets(string text)
        {
            var file = Path.Combine(_dir.Path, "client.auth");
            File.WriteAllText(file, "# client secrets\n" + text);
            return file;
        }

        public async Task<TestCertificates> CertificatesAsync() =>
            await TestCertificates.CreateAsync(Directory.CreateDirectory(Path.Combine(_dir.Path, "certs")).FullName);

        public string Bad(string id) => File.ReadAllText(Path.Combine(Spool, id + ".envelope.bad"));

        public void Dispose() => _dir.Dispose();
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Forwards_byte_exact_over_tls_to_openssl_s_server(bool startTls)
    {
        using var setup = new Setup();
        var certificates = await setup.CertificatesAsync();
        await using var server = await OpensslSmtpServer.StartAsync(certificates, startTls);
        await SeedAsync(setup.Spool, s_tricky, to: ["b@example.com"]);

        var (exit, stderr) = await AsClientAsync(setup.Path_, setup.Spool, "127.0.0.1:" + Port(server.Port), "-v", startTls ? "--client-tls" : "--client-tls-connection");

        Assert.True(exit == 0, stderr + server.Output);
        await server.WaitForMessagesAsync(1, TimeSpan.FromSeconds(30));
        Assert.Equal(s_tricky, server.Messages[0]);
        Assert.Equal(["EHLO 127.0.0.1", "MAIL FROM:<a@example.com> BODY=7BIT", "RCPT TO:<b@example.com>", "DATA", "QUIT"], server.Commands);
        Assert.Contains("tls protocol established with 127.0.0.1:" + Port(server.Port) + " protocol TLSv1.3 cipher TLS_", stderr, StringComparison.Ordinal);
        Assert.Equal(startTls, stderr.Contains("tx>>: \"STARTTLS\"", StringComparison.Ordinal));
        Assert.Empty(Directory.GetFiles(setup.Spool, "emailrelay.*"));
    }

    [Fact]
    public async Task Bytes_the_server_sends_after_220_to_starttls_are_discarded()
    {
        using var setup = new Setup();
        var certificates = await setup.CertificatesAsync();
        await using var server = await OpensslSmtpServer.StartAsync(certificates, startTls: true, injectAfterStartTls: "250-injected\r\n250 AUTH PLAIN\r\n");
        await SeedAsync(setup.Spool, s_tricky, to: ["b@example.com"]);

        var (exit, stderr) = await AsClientAsync(setup.Path_, setup.Spool, "127.0.0.1:" + Port(server.Port), "-v", "--client-tls");

        Assert.True(exit == 0, stderr + server.Output);
        Assert.Contains("discarding 30 bytes received from the server before the tls handshake", stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("rx<<: \"250-injected\"", stderr, StringComparison.Ordinal);
        await server.WaitForMessagesAsync(1, TimeSpan.FromSeconds(30));
        Assert.Equal(s_tricky, server.Messages[0]);
        Assert.Equal("EHLO 127.0.0.1", server.Commands[0]);
    }

    [Fact]
    public async Task A_client_certificate_is_presented_when_the_server_demands_one()
    {
        using var setup = new Setup();
        var certificates = await setup.CertificatesAsync();
        await using var server = await OpensslSmtpServer.StartAsync(certificates, startTls: false, requireClientCertificate: true);
        await SeedAsync(setup.Spool, s_tricky, to: ["b@example.com"]);

        var (exit, stderr) = await AsClientAsync(setup.Path_, setup.Spool, "127.0.0.1:" + Port(server.Port), "--client-tls-connection",
            "--client-tls-certificate", certificates.ServerKey, "--client-tls-certificate", certificates.ServerCertificate);

        Assert.True(exit == 0, stderr + server.Output);
        await server.WaitForMessagesAsync(1, TimeSpan.FromSeconds(30));
        Assert.Equal(s_tricky, server.Messages[0]);
    }

    [Theory]
    [InlineData("relay.example", true)]
    [InlineData("other.example", false)]
    public async Task The_server_name_option_is_sent_as_sni(string name, bool delivered)
    {
        using var setup = new Setup();
        var certificates = await setup.CertificatesAsync();
        await using var server = await OpensslSmtpServer.StartAsync(certificates, startTls: false, serverName: "relay.example");
        var id = await SeedAsync(setup.Spool, s_tricky, to: ["b@example.com"]);

        var (exit, stderr) = await AsClientAsync(setup.Path_, setup.Spool, "127.0.0.1:" + Port(server.Port), "--client-tls-connection",
            "--client-tls-server-name", name, "--retry-limit", "0");

        Assert.True(exit == 0, stderr + server.Output);
        if (delivered)
        {
            await server.WaitForMessagesAsync(1, TimeSpan.FromSeconds(30));
            Assert.Equal(s_tricky, server.Messages[0]);
        }
        else
        {
            Assert.Contains("X-MailRelay-Reason: tls error: ", setup.Bad(id), StringComparison.Ordinal);
            Assert.Empty(server.Messages);
        }
    }

    public static TheoryData<string> Mechanisms() => [.. s_mechanisms];

    [Theory]
    [MemberData(nameof(Mechanisms))]
    public async Task Starttls_then_each_mechanism_is_accepted_by_aiosmtpd(string mechanism)
    {
        using var setup = new Setup();
        var certificates = await setup.CertificatesAsync();
        var secret = mechanism == "XOAUTH2" ? "client oauth alice token\n" : "client plain alice my+20secret\n";
        await using var server = await AuthAiosmtpdServer.StartAsync(setup.Upstream, certificates, User, mechanism == "XOAUTH2" ? "token" : Password,
            exclude: s_mechanisms.Where(m => m != mechanism));
        await SeedAsync(setup.Spool, s_tricky);

        var (exit, stderr) = await AsClientAsync(setup.Path_, setup.Spool, "127.0.0.1:" + Port(server.Port), "-v", "--client-tls", "--client-auth", setup.Secrets(secret));

        Assert.True(exit == 0, stderr + server.Output);
        Assert.Equal([mechanism + " ok"], server.AuthAttempts);
        var message = Assert.Single(server.Messages());
        Assert.Equal(s_tricky, message.Content);
        Assert.Equal(["b@example.com", "c@example.com"], message.To);
        var (options, tls, login) = server.Session(0);
        Assert.True(tls);
        Assert.Equal(User, login);
        Assert.Contains("AUTH=ALICE", options); // aiosmtpd upper-cases MAIL parameters
        Assert.DoesNotContain("my secret", stderr, StringComparison.Ordinal);
        Assert.DoesNotContain(Convert.ToBase64String("\0alice\0my secret"u8.ToArray()), stderr, StringComparison.Ordinal);
        Assert.Empty(Directory.GetFiles(setup.Spool, "emailrelay.*"));
    }

    [Fact]
    public async Task A_refused_mechanism_falls_through_to_the_next_in_preference_order()
    {
        using var setup = new Setup();
        var certificates = await setup.CertificatesAsync();
        await using var server = await AuthAiosmtpdServer.StartAsync(setup.Upstream, certificates, User, Password, refuse: ["CRAM-SHA512", "CRAM-SHA256"]);
        await SeedAsync(setup.Spool, s_tricky);

        var (exit, stderr) = await AsClientAsync(setup.Path_, setup.Spool, "127.0.0.1:" + Port(server.Port), "--client-tls", "--client-auth", setup.Secrets("client plain alice my+20secret\n"));

        Assert.True(exit == 0, stderr + server.Output);
        Assert.Equal(["CRAM-SHA512 fail", "CRAM-SHA256 fail", "CRAM-SHA1 ok"], server.AuthAttempts);
        Assert.Equal(1, server.MessageCount);
    }

    [Fact]
    public async Task Client_auth_config_orders_the_mechanisms_and_inline_plain_works()
    {
        using var setup = new Setup();
        var certificates = await setup.CertificatesAsync();
        await using var server = await AuthAiosmtpdServer.StartAsync(setup.Upstream, certificates, User, Password);
        await SeedAsync(setup.Spool, s_tricky);
        var inline = "plain:" + Convert.ToBase64String("alice"u8.ToArray()) + ":" + Convert.ToBase64String("my secret"u8.ToArray());

        var (exit, stderr) = await AsClientAsync(setup.Path_, setup.Spool, "127.0.0.1:" + Port(server.Port), "--client-tls", "--client-auth", inline,
            "--client-auth-config", "m:login,plain");

        Assert.True(exit == 0, stderr + server.Output);
        Assert.Equal(["LOGIN ok"], server.AuthAttempts);
        Assert.Equal(1, server.MessageCount);
    }

    [Fact]
    public async Task A_wrong_password_fails_the_message_with_authentication_failed_after_every_mechanism()
    {
        using var setup = new Setup();
        var certificates = await setup.CertificatesAsync();
        await using var server = await AuthAiosmtpdServer.StartAsync(setup.Upstream, certificates, User, Password);
        var id = await SeedAsync(setup.Spool, s_tricky);

        var (exit, stderr) = await AsClientAsync(setup.Path_, setup.Spool, "127.0.0.1:" + Port(server.Port), "--client-tls", "--client-auth", setup.Secrets("client plain alice wrong\n"));

        Assert.True(exit == 0, stderr + server.Output);
        Assert.Equal(["CRAM-SHA512 fail", "CRAM-SHA256 fail", "CRAM-SHA1 fail", "CRAM-MD5 fail", "PLAIN fail", "LOGIN fail"], server.AuthAttempts);
        var bad = setup.Bad(id);
        Assert.Contains("X-MailRelay-Reason: authentication failed\r\nX-MailRelay-ReasonCode: 535\r\n", bad, StringComparison.Ordinal);
        Assert.Equal(0, server.MessageCount);
    }

    [Fact]
    public async Task Secrets_and_no_auth_offered_fail_with_the_reference_reason()
    {
        using var setup = new Setup();
        await using var server = await AiosmtpdServer.StartAsync(setup.Upstream);
        var id = await SeedAsync(setup.Spool, s_tricky);

        var (exit, stderr) = await AsClientAsync(setup.Path_, setup.Spool, "127.0.0.1:" + Port(server.Port), "--client-auth", setup.Secrets("client plain alice my+20secret\n"));

        Assert.True(exit == 0, stderr);
        Assert.Contains("X-MailRelay-Reason: authentication is not supported by the remote smtp server\r\n", setup.Bad(id), StringComparison.Ordinal);
        Assert.Equal(0, server.MessageCount);
    }

    [Fact]
    public async Task Tls_required_against_a_server_without_starttls_fails_and_sends_nothing()
    {
        using var setup = new Setup();
        await using var server = await AiosmtpdServer.StartAsync(setup.Upstream);
        var id = await SeedAsync(setup.Spool, s_tricky);

        var (exit, stderr) = await AsClientAsync(setup.Path_, setup.Spool, "127.0.0.1:" + Port(server.Port), "--client-tls", "--client-tls-required");

        Assert.True(exit == 0, stderr);
        Assert.Contains("X-MailRelay-Reason: tls is mandated but the server cannot do starttls\r\nX-MailRelay-ReasonCode:\r\n", setup.Bad(id), StringComparison.Ordinal);
        Assert.Equal(0, server.MessageCount);
    }

    [Fact]
    public async Task Without_tls_required_a_server_without_starttls_gets_the_message_in_clear()
    {
        using var setup = new Setup();
        await using var server = await AiosmtpdServer.StartAsync(setup.Upstream);
        await SeedAsync(setup.Spool, s_tricky);

        var (exit, stderr) = await AsClientAsync(setup.Path_, setup.Spool, "127.0.0.1:" + Port(server.Port), "--client-tls");

        Assert.True(exit == 0, stderr);
        Assert.Equal(s_tricky, Assert.Single(server.Messages()).Content);
    }

    [Theory]
    [InlineData("ca", "localhost", true)]
    [InlineData("ca", "", true)]
    [InlineData("other", "", false)]
    [InlineData("ca", "other.example", false)]
    public async Task Verify_with_a_ca_and_name(string ca, string name, bool delivered)
    {
        using var setup = new Setup();
        var certificates = await setup.CertificatesAsync();
        await using var server = await AuthAiosmtpdServer.StartAsync(setup.Upstream, certificates, User, Password);
        var id = await SeedAsync(setup.Spool, s_tricky);
        string[] verifyName = name.Length == 0 ? [] : ["--client-tls-verify-name", name];

        var (exit, stderr) = await AsClientAsync(setup.Path_, setup.Spool, "127.0.0.1:" + Port(server.Port), ["-v", "--client-tls", "--retry-limit", "0",
            "--client-tls-verify", ca == "ca" ? certificates.CaCertificate : certificates.OtherCaCertificate, .. verifyName]);

        Assert.True(exit == 0, stderr + server.Output);
        Assert.Contains("tls: certificate-subject=[/CN=localhost] required-peer-name=[" + name + "] ok=" + (delivered ? "1" : "0"), stderr, StringComparison.Ordinal);
        Assert.Equal(delivered ? 1 : 0, server.MessageCount);
        if (!delivered)
        {
            Assert.Contains("X-MailRelay-Reason: tls error: certificate verification failed: /CN=localhost\r\n", setup.Bad(id), StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Socks4a_target_connects_through_the_proxy_with_the_host_name()
    {
        using var setup = new Setup();
        await using var server = await AiosmtpdServer.StartAsync(setup.Upstream);
        await using var socks = new Socks4aServer();
        await SeedAsync(setup.Spool, s_tricky);

        var (exit, stderr) = await AsClientAsync(setup.Path_, setup.Spool, "localhost:" + Port(server.Port) + "@127.0.0.1:" + Port(socks.Port));

        Assert.True(exit == 0, stderr);
        Assert.Equal(["localhost:" + Port(server.Port)], socks.Requests);
        Assert.Equal(s_tricky, Assert.Single(server.Messages()).Content);
    }

    [Fact]
    public async Task Socks_refusal_leaves_the_message_and_exits_1()
    {
        using var setup = new Setup();
        await using var socks = new Socks4aServer();
        var id = await SeedAsync(setup.Spool, s_tricky);
        var port = Port(FreePort.Get());

        var (exit, stderr) = await AsClientAsync(setup.Path_, setup.Spool, "localhost:" + port + "@127.0.0.1:" + Port(socks.Port));

        Assert.Equal(1, exit);
        Assert.Contains("cannot connect to localhost:" + port + "@127.0.0.1:" + Port(socks.Port) + ": socks request rejected or failed (91)", stderr, StringComparison.Ordinal);
        Assert.True(File.Exists(Path.Combine(setup.Spool, id + ".envelope")));
    }
}
