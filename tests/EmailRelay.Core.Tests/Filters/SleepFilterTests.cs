using EmailRelay.Filters;
using EmailRelay.Protocol.Filters;
using EmailRelay.Testing;
using Microsoft.Extensions.Time.Testing;

namespace EmailRelay.Core.Tests.Filters;

public class SleepFilterTests
{
    private static readonly FilterContext s_context = FilterContexts.InMemory();

    [Fact]
    public async Task Sleep_filter_waits_for_the_clock_then_returns_ok()
    {
        var time = new FakeTimeProvider();
        var filter = new SleepFilter(500, time);
        var run = filter.RunAsync(s_context, CancellationToken.None);
        Assert.False(run.IsCompleted);
        time.Advance(TimeSpan.FromMilliseconds(499));
        Assert.False(run.IsCompleted);
        time.Advance(TimeSpan.FromMilliseconds(1));
        Assert.Equal(FilterResult.Ok, await run.WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.Equal("sleepms:500", filter.Name);
    }

    [Fact]
    public async Task Sleep_of_zero_returns_at_once()
    {
        var run = new SleepFilter(0, new FakeTimeProvider()).RunAsync(s_context, CancellationToken.None);
        Assert.True(run.IsCompleted);
        Assert.Equal(FilterResult.Ok, await run);
    }

    [Fact]
    public async Task Sleep_is_cancellable()
    {
        using var cts = new CancellationTokenSource();
        var run = new SleepFilter(60_000, new FakeTimeProvider()).RunAsync(s_context, cts.Token);
        await cts.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => run);
    }
}
