using EmailRelay.Testing;
using EmailRelay.Testing.Tools;

namespace EmailRelay.IntegrationTests.Tools;

public class SmtpSourceTests
{
    private static readonly TimeSpan s_timeout = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task Smtp_source_sends_the_requested_number_of_messages_to_smtp_sink()
    {
        await using var sink = await SmtpSink.StartAsync();
        var result = await SmtpSource.RunAsync(sink.Port, messageSize: 1024, messages: 25, sessions: 5, s_timeout);
        Assert.True(result.ExitCode == 0, result.Output);
        Assert.True(result.Elapsed > TimeSpan.Zero);
        await sink.WaitForMessagesAsync(25, s_timeout);
        Assert.Equal(25, sink.MessageCount);
    }

    [Fact]
    public async Task Smtp_source_payload_size_shows_in_the_dump()
    {
        using var dir = new TestDirectory();
        await using var sink = await SmtpSink.StartAsync(dir.Path);
        var result = await SmtpSource.RunAsync(sink.Port, messageSize: 10_000, messages: 2, sessions: 1, s_timeout, reuseConnections: true);
        Assert.True(result.ExitCode == 0, result.Output);
        await sink.WaitForMessagesAsync(2, s_timeout);
        var files = sink.DumpFiles();
        Assert.Equal(2, files.Count);
        Assert.All(files, f => Assert.InRange(new FileInfo(f).Length, 10_000, 12_000));
    }

    [Fact]
    public async Task Smtp_sink_counts_zero_before_any_message()
    {
        await using var sink = await SmtpSink.StartAsync();
        Assert.Equal(0, sink.MessageCount);
        Assert.Empty(sink.DumpFiles());
    }
}
