using EmailRelay.Cli.CommandLine;

namespace EmailRelay.Core.Tests.CommandLine;

public class SwitchSetTests
{
    [Theory]
    [InlineData("chunking", true)]
    [InlineData("+chunking", true)]
    [InlineData("with-chunking", true)]
    [InlineData("CHUNKING", true)]
    [InlineData("-chunking", false)]
    [InlineData("nochunking", false)]
    [InlineData("without-chunking", false)]
    [InlineData("bare-newline-keep", true)]
    [InlineData("nobare-newline-keep", false)]
    public void Every_spelling_turns_an_item_on_or_off(string item, bool on)
    {
        var set = SwitchSet.Parse(item, SwitchSet.ServerItems);
        Assert.Empty(set.UnknownItems);
        var name = item.Contains("bare", StringComparison.Ordinal) ? "bare-newline-keep" : "chunking";
        Assert.Equal(on, set.IsOn(name, !on));
    }

    [Fact]
    public void The_last_mention_wins_and_unknown_items_are_kept()
    {
        var set = SwitchSet.Parse(" pipelining , -pipelining,eightbitstrict,chunking,,", SwitchSet.ClientItems);
        Assert.False(set.IsOn("pipelining", true));
        Assert.True(set.IsOn("eightbitstrict", false));
        Assert.Equal(["chunking"], set.UnknownItems);
    }

    [Fact]
    public void Unmentioned_items_take_the_default()
    {
        var set = SwitchSet.Parse(null, SwitchSet.ServerItems);
        Assert.True(set.IsOn("strictparsing", true));
        Assert.False(set.IsOn("smtputf8", false));
    }
}
