using EmailRelay.Protocol.Filters;

namespace EmailRelay.Protocol.Tests.Filters;

public class FilterReplyTests
{
    [Theory]
    [InlineData(FilterOutcome.Ok, false, "", 0, 250, "message processed")]
    [InlineData(FilterOutcome.Ok, true, "", 0, 250, "message processed")]
    [InlineData(FilterOutcome.Abandon, false, "", 0, 250, "message processed")]
    [InlineData(FilterOutcome.Abandon, true, "x", 553, 250, "message processed")]
    [InlineData(FilterOutcome.Fail, false, "rejected by test filter", 553, 553, "rejected by test filter")]
    [InlineData(FilterOutcome.Fail, false, "odd code", 0, 452, "odd code")]
    [InlineData(FilterOutcome.Fail, false, "rejected", 0, 452, "rejected")]
    [InlineData(FilterOutcome.Fail, true, "try later", 421, 421, "try later")]
    [InlineData(FilterOutcome.Fail, false, "odd", 399, 452, "odd")]
    [InlineData(FilterOutcome.Fail, false, "odd", 600, 452, "odd")]
    [InlineData(FilterOutcome.Fail, false, "odd", 250, 452, "odd")]
    public void Server_reply_is_250_or_the_filter_code_else_452(
        FilterOutcome outcome, bool special, string response, int responseCode, int code, string text)
    {
        var result = new FilterResult(outcome, special, response, responseCode, "reason");
        Assert.Equal((code, text), FilterReply.ForServer(result));
    }

    [Fact]
    public void Exit_1_through_the_table_gives_452_rejected()
    {
        var result = FilterExitCodes.ToResult(1, isServerSide: true, FilterOutputParser.Parse(""u8));
        Assert.Equal((452, "rejected"), FilterReply.ForServer(result));
    }

    [Fact]
    public void Client_failure_reason_code_is_550()
    {
        Assert.Equal(550, FilterReply.ClientFailureReasonCode);
    }
}
