using EmailRelay.Protocol.Filters;

namespace EmailRelay.Protocol.Tests.Filters;

public class FilterExitCodesTests
{
    // Reference §c "Exit-code meaning", both columns.
    [Theory]
    [InlineData(0, FilterOutcome.Ok, false, FilterOutcome.Ok, false)]
    [InlineData(1, FilterOutcome.Fail, false, FilterOutcome.Fail, false)]
    [InlineData(2, FilterOutcome.Fail, false, FilterOutcome.Fail, false)]
    [InlineData(50, FilterOutcome.Fail, false, FilterOutcome.Fail, false)]
    [InlineData(99, FilterOutcome.Fail, false, FilterOutcome.Fail, false)]
    [InlineData(100, FilterOutcome.Abandon, false, FilterOutcome.Abandon, false)]
    [InlineData(101, FilterOutcome.Ok, false, FilterOutcome.Ok, false)]
    [InlineData(102, FilterOutcome.Abandon, true, FilterOutcome.Ok, true)]
    [InlineData(103, FilterOutcome.Ok, true, FilterOutcome.Ok, false)]
    [InlineData(104, FilterOutcome.Fail, true, FilterOutcome.Abandon, true)]
    [InlineData(105, FilterOutcome.Fail, false, FilterOutcome.Fail, true)]
    [InlineData(106, FilterOutcome.Fail, false, FilterOutcome.Fail, false)]
    [InlineData(127, FilterOutcome.Fail, false, FilterOutcome.Fail, false)]
    [InlineData(255, FilterOutcome.Fail, false, FilterOutcome.Fail, false)]
    [InlineData(-1, FilterOutcome.Fail, false, FilterOutcome.Fail, false)]
    public void Exit_code_table_matches_the_reference_on_both_sides(
        int exit, FilterOutcome server, bool rescan, FilterOutcome client, bool stopScanning)
    {
        Assert.Equal((server, rescan), FilterExitCodes.Interpret(exit, isServerSide: true));
        Assert.Equal((client, stopScanning), FilterExitCodes.Interpret(exit, isServerSide: false));
    }

    [Fact]
    public void Fail_result_carries_the_output_texts_and_code()
    {
        var output = new FilterOutput("no thanks", 553, "test filter said no");
        var result = FilterExitCodes.ToResult(1, isServerSide: true, output);
        Assert.Equal(new FilterResult(FilterOutcome.Fail, false, "no thanks", 553, "test filter said no"), result);
    }

    [Theory]
    [InlineData(0, true)]
    [InlineData(100, true)]
    [InlineData(102, true)]
    [InlineData(103, true)]
    [InlineData(102, false)]
    [InlineData(104, false)]
    public void Ok_and_abandon_results_carry_no_texts(int exit, bool serverSide)
    {
        var result = FilterExitCodes.ToResult(exit, serverSide, new FilterOutput("x", 550, "y"));
        Assert.NotEqual(FilterOutcome.Fail, result.Outcome);
        Assert.Equal(("", 0, ""), (result.Response, result.ResponseCode, result.Reason));
    }

    [Fact]
    public void Signal_is_a_plain_fail()
    {
        var result = FilterExitCodes.Signalled(FilterOutput.Empty);
        Assert.Equal(new FilterResult(FilterOutcome.Fail, false, "rejected", 0, "rejected"), result);
    }

    [Fact]
    public void Timeout_is_fail_with_error_and_timeout()
    {
        Assert.Equal(new FilterResult(FilterOutcome.Fail, false, "error", 0, "timeout"), FilterExitCodes.TimedOut);
        Assert.Equal((452, "error"), FilterReply.ForServer(FilterExitCodes.TimedOut));
    }
}
