using EmailRelay.Filters;
using EmailRelay.Protocol.Filters;
using EmailRelay.Testing;
using Microsoft.Extensions.Time.Testing;

namespace EmailRelay.Core.Tests.Filters;

public class FilterFactoryTests
{
    private readonly FilterFactory _factory = new(new FakeTimeProvider());

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    public async Task Empty_spec_is_a_quiet_ok_filter(string? spec)
    {
        Assert.True(_factory.TryCreate(spec, out var filter, out var error), error);
        Assert.Same(EmptyFilter.Instance, filter);
        Assert.Equal(FilterResult.Ok, await filter.RunAsync(FilterContexts.InMemory(), CancellationToken.None));
    }

    [Fact]
    public void Single_member_is_built_without_a_chain()
    {
        Assert.True(_factory.TryCreate("exit:1", out var filter, out _));
        Assert.IsType<ExitFilter>(filter);
        Assert.True(_factory.TryCreate("sleepms:10", out filter, out _));
        Assert.IsType<SleepFilter>(filter);
    }

    [Fact]
    public void Several_members_make_a_chain_in_order()
    {
        Assert.True(_factory.TryCreate("sleepms:1,exit:0,exit:103", out var filter, out _));
        var chain = Assert.IsType<FilterChain>(filter);
        Assert.Equal(["sleepms:1", "exit:0", "exit:103"], chain.Members.Select(m => m.Name));
        Assert.Equal("sleepms:1,exit:0,exit:103", chain.Name);
    }

    [Theory]
    [InlineData("spam:127.0.0.1:783", typeof(SpamFilter))]
    [InlineData("spam-edit:/run/spamd", typeof(SpamFilter))]
    [InlineData("deliver:", typeof(DeliverFilter))]
    [InlineData("deliver:pop;h;n", typeof(DeliverFilter))]
    [InlineData("split:raw", typeof(SplitFilter))]
    [InlineData("split:2525", typeof(SplitFilter))]
    [InlineData("mx:127.0.0.1", typeof(MxFilter))]
    public void Spam_deliver_split_and_mx_are_built_under_their_spec_names(string spec, Type type)
    {
        Assert.True(_factory.TryCreate(spec, out var filter, out var error), error);
        Assert.IsType(type, filter);
        Assert.Equal(spec, filter.Name);
    }

    [Fact]
    public void Parse_errors_come_through_in_band()
    {
        Assert.False(_factory.TryCreate("copy:bogus", out var filter, out var error));
        Assert.Null(filter);
        Assert.Equal("invalid filter \"copy:bogus\": unknown copy option \"bogus\"", error);
    }
}
