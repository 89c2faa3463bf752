using static EmailRelay.Core.Tests.CommandLine.CommandLineTestSupport;

namespace EmailRelay.Core.Tests.CommandLine;

public class UnitOptionsTests
{
    [Fact]
    public void Typed_access_reads_values_and_falls_back_to_defaults()
    {
        var main = Run(Parse("--port", "2525", "--idle-timeout=30", "--interface", " a ,,b", "--log")).CommandLine.Main;
        Assert.Equal(2525, main.GetInt("port", 25));
        Assert.Equal(110, main.GetInt("pop-port", 110));
        Assert.Equal(TimeSpan.FromSeconds(30), main.GetSeconds("idle-timeout", TimeSpan.FromMinutes(5)));
        Assert.Equal(TimeSpan.FromMinutes(5), main.GetSeconds("response-timeout", TimeSpan.FromMinutes(5)));
        Assert.Equal(["a", "b"], main.GetList("interface"));
        Assert.Empty(main.GetList("filter"));
        Assert.Equal("", main.Get("log"));
        Assert.Equal(1, main.Count("log"));
        Assert.Contains("port", main.SetOptions);
    }

    [Fact]
    public void Asking_for_an_unknown_option_is_a_caller_bug()
    {
        var main = Run(Parse()).CommandLine.Main;
        Assert.Throws<ArgumentException>(() => main.IsSet("prot"));
        Assert.Throws<ArgumentException>(() => main.GetSwitches("port"));
    }

    [Fact]
    public void Switches_come_from_all_uses_of_the_option()
    {
        var main = Run(Parse("--server-smtp-config", "+chunking,nopipelining", "-Z", "smtputf8,-chunking")).CommandLine.Main;
        var switches = main.GetSwitches("server-smtp-config");
        Assert.False(switches.IsOn("chunking", true));
        Assert.False(switches.IsOn("pipelining", true));
        Assert.True(switches.IsOn("smtputf8", false));
        Assert.True(switches.IsOn("alabels", true));
        Assert.False(switches.IsOn("linger", false));
        Assert.Empty(switches.UnknownItems);
    }
}
