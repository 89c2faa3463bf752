using EmailRelay.Filters;
using EmailRelay.Protocol.Filters;
using EmailRelay.Testing;
using EmailRelay.Testing.Tools;

namespace EmailRelay.Core.Tests.Filters;

public class NetFilterTests
{
    private static FilterContext Context(string content) => FilterContexts.ForFiles("m", content, "/spool/m.envelope.new");

    private static NetFilter Filter(string address, TimeSpan? timeout = null) => new("net:" + address, address, timeout ?? TimeSpan.FromSeconds(20), TimeProvider.System);

    [Fact]
    public async Task The_content_path_is_sent_and_replies_are_interpreted_over_one_connection()
    {
        await using var server = new LineServer(path => path switch
        {
            "/spool/ok.content" => "ok",
            "/spool/abandon.content" => "100",
            _ => "553 no thanks\tlisted",
        });
        await using var filter = Filter(server.Address);
        Assert.Equal(FilterResult.Ok, await filter.RunAsync(Context("/spool/ok.content"), CancellationToken.None));
        Assert.Equal(FilterOutcome.Abandon, (await filter.RunAsync(Context("/spool/abandon.content"), CancellationToken.None)).Outcome);
        Assert.Equal(new FilterResult(FilterOutcome.Fail, false, "no thanks", 553, "listed"), await filter.RunAsync(Context("/spool/x.content"), CancellationToken.None));
        Assert.Equal(["/spool/ok.content", "/spool/abandon.content", "/spool/x.content"], server.Requests);
        Assert.Equal(1, server.Accepted);
    }

    [Fact]
    public async Task A_dropped_connection_is_reconnected_on_the_next_request()
    {
        var count = 0;
        await using var server = new LineServer(_ => Interlocked.Increment(ref count) == 2 ? null : "ok");
        await using var filter = Filter(server.Address);
        Assert.Equal(FilterOutcome.Ok, (await filter.RunAsync(Context("/a"), CancellationToken.None)).Outcome);
        // The server drops the connection on the second request; the filter reconnects and repeats it.
        Assert.Equal(FilterOutcome.Ok, (await filter.RunAsync(Context("/b"), CancellationToken.None)).Outcome);
        Assert.Equal(FilterOutcome.Ok, (await filter.RunAsync(Context("/c"), CancellationToken.None)).Outcome);
        Assert.Equal(2, server.Accepted);
        Assert.Equal(["/a", "/b", "/b", "/c"], server.Requests);
    }

    [Fact]
    public async Task No_server_is_a_fail_with_the_error_text()
    {
        await using var filter = Filter("127.0.0.1:" + FreePort.Get());
        var result = await filter.RunAsync(Context("/a"), CancellationToken.None);
        Assert.Equal(FilterOutcome.Fail, result.Outcome);
        Assert.Contains("refused", result.Reason, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task A_silent_server_is_a_timeout()
    {
        using var gate = new ManualResetEventSlim();
        await using var server = new LineServer(_ => { gate.Wait(TimeSpan.FromSeconds(10)); return "ok"; });
        await using var filter = Filter(server.Address, TimeSpan.FromMilliseconds(800));

        // Issue 23 F: expected (E-MailRelay) failed response=[failed] reason=[response timeout: no response after 1s
        // while connected to 127.0.0.1:P]; got response=[error] reason=[timeout].
        Assert.Equal(
            new FilterResult(FilterOutcome.Fail, false, "failed", 0, "response timeout: no response after 1s while connected to " + server.Address),
            await filter.RunAsync(Context("/a"), CancellationToken.None));
        gate.Set();
    }

    [Fact]
    public async Task A_unix_socket_address_is_parsed_as_such()
    {
        Assert.IsType<System.Net.Sockets.UnixDomainSocketEndPoint>(LineClient.ParseEndPoint("/run/filter.sock"));
        Assert.Equal("[::1]:25", LineClient.ParseEndPoint("[::1]:25").ToString());
        await Task.CompletedTask;
    }
}
