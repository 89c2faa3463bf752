using EmailRelay.Filters;
using EmailRelay.Protocol.Filters;
using EmailRelay.Testing;

namespace EmailRelay.Core.Tests.Filters;

public class SpamFilterTests
{
    private const string Id = "emailrelay.1.2.3";
    private const string Original = "Subject: hi\r\n\r\nbody\r\n";
    private const string Marked = "X-Spam-Flag: YES\r\nSubject: hi\r\n\r\nbody\r\n";

    private static FilterContext Message(TestDirectory dir)
    {
        var contentPath = Path.Combine(dir.Path, Id + ".content");
        File.WriteAllText(contentPath, Original);
        return FilterContexts.ForFiles(Id, contentPath, Path.Combine(dir.Path, Id + ".envelope.new"));
    }

    private static string Reply(bool spam, string message)
        => "SPAMD/1.1 0 EX_OK\r\nContent-length: " + message.Length + "\r\nSpam: " + (spam ? "True ; 1003.3 / 5.0" : "False ; 0.1 / 5.0") + "\r\n\r\n" + message;

    private static Task<FilterResult> RunAsync(string address, bool edit, FilterContext context, double timeoutSeconds = 20)
        => new SpamFilter(edit ? "spam-edit:" + address : "spam:" + address, address, edit, TimeSpan.FromSeconds(timeoutSeconds), TimeProvider.System).RunAsync(context, CancellationToken.None);

    [Fact]
    public async Task A_clean_message_passes_spam_unchanged_and_the_request_is_process_with_the_whole_content()
    {
        using var dir = new TestDirectory();
        await using var spamd = new FakeSpamd(_ => Reply(false, Marked));
        var context = Message(dir);
        Assert.Equal(FilterResult.Ok, await RunAsync(spamd.Address, false, context));
        var (header, content) = Assert.Single(spamd.Requests);
        Assert.Equal("PROCESS SPAMC/1.4\r\nContent-length: " + Original.Length + "\r\n\r\n", header);
        Assert.Equal(Original, content);
        Assert.Equal(Original, File.ReadAllText(context.ContentPath()));
    }

    [Fact]
    public async Task Spam_fails_the_message_with_the_score_and_leaves_the_content_alone()
    {
        using var dir = new TestDirectory();
        await using var spamd = new FakeSpamd(_ => Reply(true, Marked));
        var context = Message(dir);
        Assert.Equal(new FilterResult(FilterOutcome.Fail, false, "spam", 0, "spam: 1003.3 / 5.0"), await RunAsync(spamd.Address, false, context));
        Assert.Equal(Original, File.ReadAllText(context.ContentPath()));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Spam_edit_writes_spamds_message_over_the_content_and_passes_spam_or_not(bool spam)
    {
        using var dir = new TestDirectory();
        await using var spamd = new FakeSpamd(_ => Reply(spam, Marked));
        var context = Message(dir);
        Assert.Equal(FilterResult.Ok, await RunAsync(spamd.Address, true, context));
        Assert.Equal(Marked, File.ReadAllText(context.ContentPath()));
        Assert.Equal([Id + ".content"], Directory.GetFiles(dir.Path).Select(Path.GetFileName));
    }

    [Fact]
    public async Task A_unix_socket_address_works_like_a_tcp_one()
    {
        using var dir = new TestDirectory();
        var socket = Path.Combine(dir.Path, "spamd.sock");
        await using var spamd = new FakeSpamd(_ => Reply(true, Marked), socket);
        var context = Message(dir);
        Assert.Equal(FilterOutcome.Fail, (await RunAsync(socket, false, context)).Outcome);
        Assert.Equal(FilterResult.Ok, await RunAsync(socket, true, context));
        Assert.Equal(Marked, File.ReadAllText(context.ContentPath()));
    }

    [Theory]
    [InlineData(false, "SPAMD/1.1 76 Bad header line\r\n", "spamd error: [SPAMD/1.1 76 Bad header line]")]
    [InlineData(true, "SPAMD/1.1 76 Bad header line\r\n", "spamd error: [SPAMD/1.1 76 Bad header line]")]
    [InlineData(false, "", "connection closed by spamd")]
    [InlineData(true, "SPAMD/1.1 0 EX_OK\r\nContent-length: 999\r\nSpam: False ; 0 / 5\r\n\r\nshort", "spamd response truncated")]
    [InlineData(true, "SPAMD/1.1 0 EX_OK\r\nSpam: False ; 0 / 5\r\n\r\n", "spamd returned no message")]
    public async Task Spamd_errors_fail_both_kinds_with_response_error_and_keep_the_content(bool edit, string reply, string reason)
    {
        using var dir = new TestDirectory();
        await using var spamd = new FakeSpamd(_ => reply);
        var context = Message(dir);
        Assert.Equal(new FilterResult(FilterOutcome.Fail, false, "error", 0, reason), await RunAsync(spamd.Address, edit, context));
        Assert.Equal(Original, File.ReadAllText(context.ContentPath()));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_refused_connection_fails_rather_than_passing_mail_unfiltered(bool edit)
    {
        using var dir = new TestDirectory();
        string address;
        await using (var spamd = new FakeSpamd(_ => ""))
        {
            address = spamd.Address;
        }

        var result = await RunAsync(address, edit, Message(dir));
        Assert.Equal(FilterOutcome.Fail, result.Outcome);
        Assert.Equal("error", result.Response);
        Assert.NotEmpty(result.Reason);
    }

    [Fact]
    public async Task A_spamd_that_never_answers_times_out_as_error_timeout()
    {
        using var dir = new TestDirectory();
        await using var spamd = new FakeSpamd(_ => null);
        var context = Message(dir);
        Assert.Equal(FilterExitCodes.TimedOut, await RunAsync(spamd.Address, true, context, timeoutSeconds: 0.3));
        Assert.Equal(Original, File.ReadAllText(context.ContentPath()));
    }

    /// <summary>A spamd that sends <paramref name="reply"/> and then keeps the connection open, sending nothing more.</summary>
    private static async Task<FilterResult> RunAgainstHeldOpenSpamdAsync(bool edit, string reply, FilterContext context)
    {
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        var address = "127.0.0.1:" + ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
        using var release = new CancellationTokenSource();
        var server = Task.Run(async () =>
        {
            using var client = await listener.AcceptTcpClientAsync();
            var stream = client.GetStream();
            var buffer = new byte[4096];
            while (await stream.ReadAsync(buffer) > 0)
            {
            }

            await stream.WriteAsync(System.Text.Encoding.ASCII.GetBytes(reply));
            await Task.Delay(Timeout.Infinite, release.Token).ContinueWith(_ => { }, TaskScheduler.Default);
        });
        try
        {
            return await RunAsync(address, edit, context, timeoutSeconds: 30);
        }
        finally
        {
            await release.CancelAsync();
            await server;
        }
    }

    [Fact]
    public async Task Spam_reads_only_the_reply_header_and_does_not_wait_for_the_message_after_it()
    {
        using var dir = new TestDirectory();
        var context = Message(dir);
        var result = await RunAgainstHeldOpenSpamdAsync(false, "SPAMD/1.1 0 EX_OK\r\nContent-length: 100000\r\nSpam: True ; 9.0 / 5.0\r\n\r\npartial", context);
        Assert.Equal(FilterOutcome.Fail, result.Outcome);
        Assert.NotEqual(FilterExitCodes.TimedOut, result);
        Assert.Equal(Original, File.ReadAllText(context.ContentPath()));
    }

    [Fact]
    public async Task Spam_edit_stops_reading_at_the_content_length()
    {
        using var dir = new TestDirectory();
        var context = Message(dir);
        Assert.Equal(FilterResult.Ok, await RunAgainstHeldOpenSpamdAsync(true, Reply(true, Marked), context));
        Assert.Equal(Marked, File.ReadAllText(context.ContentPath()));
        Assert.Empty(Directory.GetFiles(dir.Path, "*.tmp"));
    }
}
