using EmailRelay.Testing;
using EmailRelay.Testing.Tools;

namespace EmailRelay.IntegrationTests.Tools;

public class PythonSmtpTests
{
    private static readonly TimeSpan s_timeout = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Smtplib_delivers_to_smtp_sink()
    {
        using var dir = new TestDirectory();
        await using var sink = await SmtpSink.StartAsync(dir.Path);
        var result = await PythonSmtp.SendAsync(sink.Port, "carol@example.com", "dave@example.net,erin@example.org", "hello from python");
        Assert.True(result.ExitCode == 0, result.Output);
        Assert.Contains("sent", result.Output);

        await sink.WaitForMessagesAsync(1, s_timeout);
        var dump = await File.ReadAllTextAsync(Assert.Single(sink.DumpFiles()));
        Assert.Contains("X-Rcpt-Args: <dave@example.net>", dump);
        Assert.Contains("X-Rcpt-Args: <erin@example.org>", dump);
        Assert.Contains("hello from python", dump);
    }

    [Fact]
    public async Task Smtplib_delivers_to_aiosmtpd_which_records_envelope_and_content()
    {
        using var dir = new TestDirectory();
        await using var server = await AiosmtpdServer.StartAsync(dir.Path);
        var result = await PythonSmtp.SendAsync(server.Port, "carol@example.com", "dave@example.net,erin@example.org", "hello aiosmtpd");
        Assert.True(result.ExitCode == 0, result.Output);

        await server.WaitForMessagesAsync(1, s_timeout);
        var message = Assert.Single(server.Messages());
        Assert.Equal("carol@example.com", message.From);
        Assert.Equal(["dave@example.net", "erin@example.org"], message.To);
        var content = System.Text.Encoding.UTF8.GetString(message.Content);
        Assert.Contains("Subject: python smtplib\r\n", content);
        Assert.Contains("hello aiosmtpd", content);
    }

    [Fact]
    public async Task Smtplib_reports_a_refused_connection_as_error()
    {
        var result = await PythonSmtp.SendAsync(FreePort.Get(), "a@b.c", "d@e.f", "x", TimeSpan.FromSeconds(10));
        Assert.Equal(2, result.ExitCode);
        Assert.StartsWith("error ", result.Output);
    }
}
