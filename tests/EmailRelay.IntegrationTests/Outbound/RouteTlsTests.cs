using EmailRelay.Protocol.Mail;
using EmailRelay.Spool;
using EmailRelay.Testing;
using EmailRelay.Testing.Tools;
using Microsoft.Extensions.Logging.Abstractions;
using static EmailRelay.IntegrationTests.Forwarding.ForwardingTests;

namespace EmailRelay.IntegrationTests.Outbound;

/// <summary>
/// A route's TLS requirement as its <c>ForwardToAddress</c> records it (<c>smtp+starttls://</c>, <c>smtps://</c>):
/// the built relay, with no <c>--client-tls</c> option, forwarding to <c>openssl s_server</c> uses STARTTLS or
/// SMTPS for that message only.
/// </summary>
public sealed class RouteTlsTests
{
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task A_routed_tls_scheme_makes_the_connection_use_tls(bool startTls)
    {
        using var dir = new TestDirectory();
        var spool = Directory.CreateDirectory(Path.Combine(dir.Path, "spool")).FullName;
        var certificates = await TestCertificates.CreateAsync(Directory.CreateDirectory(Path.Combine(dir.Path, "certs")).FullName);
        await using var server = await OpensslSmtpServer.StartAsync(certificates, startTls);
        var address = (startTls ? "smtp+starttls://" : "smtps://") + "127.0.0.1:" + Port(server.Port);
        var content = Content("routed over tls\r\n");
        var fileSpool = new FileSpool(spool, NullLogger.Instance, TimeProvider.System);
        await using (var message = await fileSpool.CreateAsync(CancellationToken.None))
        {
            await message.WriteAsync(content, CancellationToken.None);
            await message.PrepareAsync(new Envelope { From = "a@example.com", ToRemote = ["b@example.com"], Body = BodyType.SevenBit, ForwardToAddress = address }, CancellationToken.None);
            Assert.True(await message.CommitAsync(CancellationToken.None));
        }

        var (exit, log) = await AsClientAsync(dir.Path, spool, "127.0.0.1:" + Port(FreePort.Get()), "-v");

        Assert.True(exit == 0, log + server.Output);
        await server.WaitForMessagesAsync(1, TimeSpan.FromSeconds(30));
        Assert.Equal(content, server.Messages[0]);
        Assert.Contains("tls protocol established with 127.0.0.1:" + Port(server.Port), log, StringComparison.Ordinal);
        Assert.Equal(startTls, log.Contains("tx>>: \"STARTTLS\"", StringComparison.Ordinal));
        Assert.Empty(Directory.GetFiles(spool, "emailrelay.*"));
    }
}
