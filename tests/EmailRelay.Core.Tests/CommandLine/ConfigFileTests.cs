using EmailRelay.Cli.CommandLine;
using EmailRelay.Testing;

using static EmailRelay.Core.Tests.CommandLine.CommandLineTestSupport;

namespace EmailRelay.Core.Tests.CommandLine;

public class ConfigFileTests
{
    [Theory]
    [InlineData("log", "--log")]
    [InlineData("port 10025", "--port=10025")]
    [InlineData("port=10025", "--port=10025")]
    [InlineData("port = 10025", "--port=10025")]
    [InlineData("port\t10025  \t", "--port=10025")]
    [InlineData("  spool-dir /var/spool/x\r", "--spool-dir=/var/spool/x")]
    [InlineData("filter \"/usr/local/bin/my filter\"", "--filter=/usr/local/bin/my filter")]
    [InlineData("filter /usr/local/bin/my filter", "--filter=/usr/local/bin/my filter")]
    [InlineData("domain \"\"", "--domain=")]
    [InlineData("domain=", "--domain=")]
    [InlineData("tls-config a=b", "--tls-config=a=b")]
    public void Each_line_becomes_one_option(string line, string expected) =>
        Assert.Equal([expected], ConfigFileParser.ToArguments(line, "f"));

    [Theory]
    [InlineData("# a comment")]
    [InlineData("#port 25")]
    [InlineData("   # indented comment")]
    [InlineData("")]
    [InlineData("   \t ")]
    public void Comments_and_blank_lines_are_ignored(string line) =>
        Assert.Empty(ConfigFileParser.ToArguments(line, "f"));

    [Fact]
    public void Lines_keep_their_order_with_lf_or_crlf()
    {
        Assert.Equal(["--log", "--port=1", "--verbose"], ConfigFileParser.ToArguments("log\r\n# x\r\nport 1\r\n\r\nverbose", "f"));
    }

    [Fact]
    public void A_nul_byte_is_an_error()
    {
        var files = new Dictionary<string, string> { ["/etc/e.conf"] = "log\nport 1\0\n" };
        var text = ErrorText(CommandLineParser.Parse(["/etc/e.conf"], Environment(files)));
        Assert.Equal("invalid config file [/etc/e.conf]: it contains a NUL character", text);
    }

    [Fact]
    public void File_options_merge_with_the_command_line()
    {
        var files = new Dictionary<string, string>
        {
            ["/etc/e.conf"] = "# emailrelay.conf\nlog\nspool-dir /var/spool/emailrelay\nport 10025\nfilter \"exit:1\"\nin-spool-dir /s/in\nin-port 10026\n",
        };
        var request = Run(CommandLineParser.Parse(["--verbose", "--filter=exit:0", "/etc/e.conf"], Environment(files)));
        var main = request.CommandLine.Main;
        Assert.Equal("/etc/e.conf", request.CommandLine.ConfigFile);
        Assert.True(main.IsSet("log"));
        Assert.Equal(1, main.Count("verbose"));
        Assert.Equal("10025", main.Get("port"));
        Assert.Equal("exit:0,exit:1", main.Get("filter"));
        Assert.Equal("10026", request.CommandLine.Units[1].Get("port"));
    }

    [Theory]
    [InlineData("port 1\nport 2\n", "--log")]
    [InlineData("port 1\n", "--port=2")]
    [InlineData("port 1\n", "-p", "2")]
    public void Duplicates_across_file_and_command_line_are_errors(string file, params string[] args)
    {
        var files = new Dictionary<string, string> { ["e.conf"] = file };
        var failure = Assert.IsType<ParseFailure>(CommandLineParser.Parse([.. args, "e.conf"], Environment(files)));
        Assert.Equal("emailrelay: error: duplicate use of \"--port\"\nemailrelay: try \"emailrelay --help --verbose\"\n", failure.Message);
    }

    [Theory]
    [InlineData("bogus 1", "invalid option: \"--bogus\"")]
    [InlineData("log yes", "cannot give a value with \"--log\"")]
    [InlineData("port", "no value supplied for \"--port\"")]
    public void Bad_lines_give_the_command_line_errors(string file, string expected)
    {
        var files = new Dictionary<string, string> { ["e.conf"] = file };
        Assert.Equal(expected, ErrorText(CommandLineParser.Parse(["e.conf"], Environment(files))));
    }

    [Fact]
    public void An_unreadable_file_is_an_error()
    {
        Assert.StartsWith("cannot read config file [/nope.conf]: ", ErrorText(Parse("/nope.conf")), StringComparison.Ordinal);
    }

    [Fact]
    public void App_prefix_expands_in_the_config_file_path()
    {
        var files = new Dictionary<string, string> { [AppDir + "/emailrelay.conf"] = "port 2525" };
        var request = Run(CommandLineParser.Parse(["@app/emailrelay.conf"], Environment(files)));
        Assert.Equal(AppDir + "/emailrelay.conf", request.CommandLine.ConfigFile);
        Assert.Equal("2525", request.CommandLine.Main.Get("port"));
    }

    [Fact]
    public void Help_in_the_config_file_shows_help()
    {
        var files = new Dictionary<string, string> { ["e.conf"] = "help" };
        Assert.IsType<ShowText>(CommandLineParser.Parse(["e.conf"], Environment(files)));
    }

    [Fact]
    public void A_real_file_is_read_through_the_reader()
    {
        using var dir = new TestDirectory();
        var path = Path.Combine(dir.Path, "emailrelay.conf");
        File.WriteAllText(path, "# test\nlog\nport 10025\ndomain \"example.com\"\n");
        var environment = Environment() with { ReadConfigFile = File.ReadAllText };
        var main = Run(CommandLineParser.Parse([path], environment)).CommandLine.Main;
        Assert.True(main.IsSet("log"));
        Assert.Equal(10025, main.GetInt("port", 25));
        Assert.Equal("example.com", main.Get("domain"));
    }
}
