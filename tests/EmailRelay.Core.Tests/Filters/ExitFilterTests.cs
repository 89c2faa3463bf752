using EmailRelay.Filters;
using EmailRelay.Protocol.Filters;
using EmailRelay.Testing;

namespace EmailRelay.Core.Tests.Filters;

public class ExitFilterTests
{
    [Theory]
    [InlineData(0, true, FilterOutcome.Ok, false)]
    [InlineData(1, true, FilterOutcome.Fail, false)]
    [InlineData(100, true, FilterOutcome.Abandon, false)]
    [InlineData(102, true, FilterOutcome.Abandon, true)]
    [InlineData(103, true, FilterOutcome.Ok, true)]
    [InlineData(104, true, FilterOutcome.Fail, true)]
    [InlineData(102, false, FilterOutcome.Ok, true)]
    [InlineData(104, false, FilterOutcome.Abandon, true)]
    [InlineData(105, false, FilterOutcome.Fail, true)]
    [InlineData(200, false, FilterOutcome.Fail, false)]
    public async Task Exit_filter_uses_the_table_of_its_side(int exit, bool serverSide, FilterOutcome outcome, bool special)
    {
        var result = await new ExitFilter(exit).RunAsync(Context(serverSide), CancellationToken.None);
        Assert.Equal((outcome, special), (result.Outcome, result.Special));
    }

    [Fact]
    public async Task Failing_exit_filter_says_rejected_with_reason_exit_N()
    {
        var filter = new ExitFilter(7);
        var result = await filter.RunAsync(Context(true), CancellationToken.None);
        Assert.Equal("exit:7", filter.Name);
        Assert.Equal(new FilterResult(FilterOutcome.Fail, false, "rejected", 0, "exit:7"), result);
        Assert.Equal((452, "rejected"), FilterReply.ForServer(result));
    }

    private static FilterContext Context(bool serverSide) => FilterContexts.InMemory(serverSide: serverSide);
}
