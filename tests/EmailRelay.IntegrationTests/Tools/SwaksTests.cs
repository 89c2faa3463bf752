using EmailRelay.Testing;
using EmailRelay.Testing.Tools;

namespace EmailRelay.IntegrationTests.Tools;

public class SwaksTests
{
    private static readonly TimeSpan s_timeout = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Swaks_delivers_to_smtp_sink_and_the_dump_holds_envelope_and_body()
    {
        using var dir = new TestDirectory();
        await using var sink = await SmtpSink.StartAsync(dir.Path);
        var result = await Swaks.SendAsync(sink.Port, "alice@example.com", "bob@example.net", body: "hello from swaks");
        Assert.True(result.ExitCode == 0, result.Output);
        Assert.Contains("<-  250", result.Output);
        Assert.Contains(" -> RCPT TO:<bob@example.net>", result.Output);

        await sink.WaitForMessagesAsync(1, s_timeout);
        var dump = await File.ReadAllTextAsync(Assert.Single(sink.DumpFiles()));
        Assert.Contains("X-Mail-Args: <alice@example.com>", dump);
        Assert.Contains("X-Rcpt-Args: <bob@example.net>", dump);
        Assert.Contains("hello from swaks", dump);
    }

    [Fact]
    public async Task Swaks_pipelines_when_asked_and_the_sink_offers_it()
    {
        await using var sink = await SmtpSink.StartAsync();
        var result = await Swaks.SendAsync(sink.Port, "a@example.com", "b@example.com", pipeline: true);
        Assert.True(result.ExitCode == 0, result.Output);
        Assert.Contains("PIPELINING", result.Output);
        await sink.WaitForMessagesAsync(1, s_timeout);
    }

    [Fact]
    public async Task Swaks_sends_a_whole_data_text()
    {
        using var dir = new TestDirectory();
        await using var sink = await SmtpSink.StartAsync(dir.Path);
        var result = await Swaks.SendAsync(sink.Port, "a@example.com", "b@example.com", data: "Subject: raw%NEWLINE%%NEWLINE%raw body line");
        Assert.True(result.ExitCode == 0, result.Output);
        await sink.WaitForMessagesAsync(1, s_timeout);
        var dump = await File.ReadAllTextAsync(Assert.Single(sink.DumpFiles()));
        Assert.Contains("Subject: raw\n", dump);
        Assert.Contains("raw body line", dump);
    }

    [Fact]
    public async Task Swaks_reports_a_refused_connection_with_a_nonzero_exit_code()
    {
        var result = await Swaks.SendAsync(FreePort.Get(), "a@example.com", "b@example.com", timeout: TimeSpan.FromSeconds(10));
        Assert.NotEqual(0, result.ExitCode);
    }
}
