using EmailRelay.Filters;
using EmailRelay.Protocol.Filters;
using EmailRelay.Testing;

namespace EmailRelay.Core.Tests.Filters;

public class FilterChainTests
{
    private static readonly FilterContext s_server = FilterContexts.ForFiles("emailrelay.1.2.3", "/s/c", "/s/e.new");

    [Fact]
    public async Task All_ok_runs_every_member_and_returns_ok()
    {
        var a = new RecordingFilter("a", FilterResult.Ok);
        var b = new RecordingFilter("b", FilterResult.Ok);
        var chain = new FilterChain([a, b]);
        var result = await chain.RunAsync(s_server, CancellationToken.None);
        Assert.Equal(FilterResult.Ok, result);
        Assert.Equal((1, 1), (a.Runs, b.Runs));
        Assert.Equal("a,b", chain.Name);
    }

    [Theory]
    [InlineData(FilterOutcome.Fail)]
    [InlineData(FilterOutcome.Abandon)]
    public async Task Chain_stops_at_the_first_result_that_is_not_ok(FilterOutcome outcome)
    {
        var stop = new FilterResult(outcome, false, "no", 553, "because");
        var a = new RecordingFilter("a", FilterResult.Ok);
        var b = new RecordingFilter("b", stop);
        var c = new RecordingFilter("c", FilterResult.Ok);
        var result = await new FilterChain([a, b, c]).RunAsync(s_server, CancellationToken.None);
        Assert.Equal(stop, result);
        Assert.Equal((1, 1, 0), (a.Runs, b.Runs, c.Runs));
    }

    [Fact]
    public async Task Special_flag_of_an_earlier_member_is_kept_on_the_last_result()
    {
        var rescanOk = FilterResult.Ok with { Special = true };
        var fail = new FilterResult(FilterOutcome.Fail, false, "rejected", 0, "exit:1");
        var result = await new FilterChain([new RecordingFilter("a", rescanOk), new RecordingFilter("b", fail)]).RunAsync(s_server, CancellationToken.None);
        Assert.Equal(fail with { Special = true }, result);
    }

    [Fact]
    public async Task Special_flag_of_a_member_that_did_not_run_is_not_set()
    {
        var fail = new FilterResult(FilterOutcome.Fail, false, "rejected", 0, "exit:1");
        var never = new RecordingFilter("c", FilterResult.Ok with { Special = true });
        var result = await new FilterChain([new RecordingFilter("a", fail), never]).RunAsync(s_server, CancellationToken.None);
        Assert.False(result.Special);
        Assert.Equal(0, never.Runs);
    }

    [Fact]
    public async Task Exit_filters_chain_like_the_reference_says()
    {
        // server side: 103 = ok + rescan, then 1 = fail: result fail with rescan set.
        var result = await new FilterChain([new ExitFilter(103), new ExitFilter(1), new ExitFilter(100)]).RunAsync(s_server, CancellationToken.None);
        Assert.Equal(new FilterResult(FilterOutcome.Fail, true, "rejected", 0, "exit:1"), result);
    }

    [Fact]
    public async Task Client_side_stop_scanning_with_ok_lets_the_chain_go_on_and_keeps_the_flag()
    {
        // client side: 102 = ok + stop scanning, so the next member runs; 0 = ok.
        var client = s_server with { IsServerSide = false };
        var last = new RecordingFilter("last", FilterResult.Ok);
        var result = await new FilterChain([new ExitFilter(102), last]).RunAsync(client, CancellationToken.None);
        Assert.Equal(FilterResult.Ok with { Special = true }, result);
        Assert.Equal(1, last.Runs);
    }

    [Fact]
    public void Empty_chain_is_refused()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new FilterChain([]));
    }

    private sealed class RecordingFilter(string name, FilterResult result) : IMessageFilter
    {
        public int Runs { get; private set; }

        public string Name => name;

        public Task<FilterResult> RunAsync(FilterContext context, CancellationToken cancellationToken)
        {
            Runs++;
            return Task.FromResult(result);
        }
    }
}
