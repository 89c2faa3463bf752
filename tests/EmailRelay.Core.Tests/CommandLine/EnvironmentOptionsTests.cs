using EmailRelay.Cli.CommandLine;

using static EmailRelay.Core.Tests.CommandLine.CommandLineTestSupport;

namespace EmailRelay.Core.Tests.CommandLine;

public class EnvironmentOptionsTests
{
    private static CommandLineEnvironment WithVariables(IReadOnlyDictionary<string, string> variables, IReadOnlyDictionary<string, string>? files = null) =>
        Environment(files) with { Variables = variables };

    private static ParseOutcome ParseWith(IReadOnlyDictionary<string, string> variables, IReadOnlyDictionary<string, string>? files, params string[] args) =>
        CommandLineParser.Parse(args, WithVariables(variables, files));

    [Theory]
    [InlineData("forward-to", "EMAILRELAY_FORWARD_TO")]
    [InlineData("spool-dir", "EMAILRELAY_SPOOL_DIR")]
    [InlineData("in-spool-dir", "EMAILRELAY_IN_SPOOL_DIR")]
    [InlineData("client-tls-verify-name", "EMAILRELAY_CLIENT_TLS_VERIFY_NAME")]
    [InlineData("log-file", "EMAILRELAY_LOG_FILE")]
    public void Each_option_has_its_variable(string option, string variable) =>
        Assert.Equal(variable, EnvironmentOptions.VariableName(option));

    public static TheoryData<string> EveryOption()
    {
        var data = new TheoryData<string>();
        foreach (var option in OptionTable.All.Where(o => o.Name is not "help" and not "version"))
        {
            data.Add(option.Name);
        }

        return data;
    }

    /// <summary>Every option in the table, through its variable, is the same option as on the command line.</summary>
    [Theory]
    [MemberData(nameof(EveryOption))]
    public void Every_long_option_can_be_given_by_its_variable(string name)
    {
        var spec = OptionTable.Get(name);
        var value = spec.Kind == ArgumentKind.None ? "1" : "x,y";
        var expected = spec.Kind == ArgumentKind.None ? [] : new[] { "x,y" };
        var arguments = EnvironmentOptions.ToArguments(
            new Dictionary<string, string> { [EnvironmentOptions.VariableName(name)] = value }, _ => "", []);
        var (variable, args) = Assert.Single(arguments);
        Assert.Equal(EnvironmentOptions.VariableName(name), variable);
        var state = new ParseState(AppDir);
        Assert.Empty(state.Scan(args));
        var unit = state.BuildUnits()[0];
        Assert.True(unit.IsSet(name));
        if (expected.Length > 0)
        {
            Assert.Equal("x,y", unit.Get(name));
        }
    }

    [Theory]
    [InlineData("EMAILRELAY_LOG", "", "--log")]
    [InlineData("EMAILRELAY_LOG", "1", "--log")]
    [InlineData("EMAILRELAY_LOG", "yes", "--log")]
    [InlineData("EMAILRELAY_LOG", "TRUE", "--log")]
    [InlineData("EMAILRELAY_LOG", "0")]
    [InlineData("EMAILRELAY_LOG", "off")]
    [InlineData("EMAILRELAY_VERBOSE", "2", "--verbose", "--verbose")]
    [InlineData("EMAILRELAY_SYSLOG", "", "--syslog")]
    [InlineData("EMAILRELAY_SYSLOG", "local0", "--syslog=local0")]
    [InlineData("EMAILRELAY_PORT", "10025", "--port=10025")]
    [InlineData("EMAILRELAY_DOMAIN", "", "--domain=")]
    [InlineData("EMAILRELAY_IN_SPOOL_DIR", "/s", "--in-spool-dir=/s")]
    public void Values_become_arguments(string variable, string value, params string[] expected)
    {
        var (_, arguments) = Assert.Single(EnvironmentOptions.ToArguments(new Dictionary<string, string> { [variable] = value }, _ => "", []));
        Assert.Equal(expected, arguments);
    }

    [Theory]
    [InlineData("EMAILRELAY_DAEMON_CHILD")]
    [InlineData("EMAILRELAY_OPTIONS")]
    [InlineData("EMAILRELAY_CONF")]
    [InlineData("emailrelay_port")]
    [InlineData("EMAILRELAY_port")]
    [InlineData("OTHER_PORT")]
    [InlineData("EMAILRELAY_")]
    public void Other_variables_are_not_options(string variable)
    {
        var warnings = new List<string>();
        Assert.Empty(EnvironmentOptions.ToArguments(new Dictionary<string, string> { [variable] = "1" }, _ => "", warnings));
        Assert.Empty(warnings);
    }

    [Fact]
    public void A_variable_naming_no_option_is_ignored_with_a_warning()
    {
        var request = Run(ParseWith(new Dictionary<string, string> { ["EMAILRELAY_FORWRD_TO"] = "x:25" }, null, "--log"));
        Assert.Contains("the environment variable EMAILRELAY_FORWRD_TO is ignored: it names no option", request.Warnings);
    }

    [Fact]
    public void The_environment_gives_options_with_no_command_line()
    {
        var main = Run(ParseWith(new Dictionary<string, string> { ["EMAILRELAY_FORWARD_TO"] = "smarthost:25", ["EMAILRELAY_PORT"] = "10025", ["EMAILRELAY_LOG"] = "1" }, null)).CommandLine.Main;
        Assert.Equal("smarthost:25", main.Get("forward-to"));
        Assert.Equal("10025", main.Get("port"));
        Assert.True(main.IsSet("log"));
    }

    /// <summary>Precedence: command line, then environment, then config file; the command line and the file still clash as in E-MailRelay.</summary>
    [Theory]
    [InlineData("--port=1", "2", "", "1")]
    [InlineData("--port=1", null, "", "1")]
    [InlineData("--log", "2", "port 3", "2")]
    [InlineData("--log", "2", "", "2")]
    [InlineData("--log", null, "port 3", "3")]
    [InlineData("--log", null, "", null)]
    public void Command_line_then_environment_then_config_file(string commandLine, string? environment, string file, string? expected)
    {
        var variables = new Dictionary<string, string>();
        if (environment is not null)
        {
            variables["EMAILRELAY_PORT"] = environment;
        }

        var files = new Dictionary<string, string> { ["e.conf"] = file };
        var main = Run(ParseWith(variables, files, commandLine, "e.conf")).CommandLine.Main;
        Assert.Equal(expected, main.IsSet("port") ? main.Get("port") : null);
    }

    [Fact]
    public void The_command_line_and_the_config_file_still_clash_as_in_e_mailrelay()
    {
        var files = new Dictionary<string, string> { ["e.conf"] = "port 3" };
        Assert.Equal("duplicate use of \"--port\"", ErrorText(ParseWith(new Dictionary<string, string> { ["EMAILRELAY_PORT"] = "2" }, files, "--port=1", "e.conf")));
    }

    [Fact]
    public void The_environment_replaces_a_config_file_list_as_a_whole()
    {
        var files = new Dictionary<string, string> { ["e.conf"] = "filter exit:0\nfilter exit:1\n" };
        var main = Run(ParseWith(new Dictionary<string, string> { ["EMAILRELAY_FILTER"] = "exit:2" }, files, "e.conf")).CommandLine.Main;
        Assert.Equal("exit:2", main.Get("filter"));
    }

    [Fact]
    public void The_environment_can_declare_and_fill_a_unit()
    {
        var variables = new Dictionary<string, string> { ["EMAILRELAY_IN_SPOOL_DIR"] = "/var/spool/in", ["EMAILRELAY_IN_PORT"] = "2525" };
        var units = Run(ParseWith(variables, null, "--log")).CommandLine.Units;
        Assert.Equal("in", units[1].Name);
        Assert.Equal("2525", units[1].Get("port"));
    }

    [Theory]
    [InlineData("plain:aWQ=:cHc=\n")]
    [InlineData("plain:aWQ=:cHc=\r\n")]
    [InlineData("plain:aWQ=:cHc=")]
    public void A_file_variable_gives_a_secret_from_its_file(string content)
    {
        var files = new Dictionary<string, string> { ["/run/secrets/client-auth"] = content };
        var variables = new Dictionary<string, string> { ["EMAILRELAY_CLIENT_AUTH_FILE"] = "/run/secrets/client-auth", ["EMAILRELAY_FORWARD_TO"] = "x:25" };
        var main = Run(ParseWith(variables, files, "--log")).CommandLine.Main;
        Assert.Equal("plain:aWQ=:cHc=", main.Get("client-auth"));
    }

    [Fact]
    public void An_option_ending_in_file_is_not_a_file_variable()
    {
        var files = new Dictionary<string, string> { ["/run/secrets/log"] = "/var/log/relay.log\n" };
        var variables = new Dictionary<string, string> { ["EMAILRELAY_LOG_FILE"] = "/tmp/direct.log" };
        Assert.Equal("/tmp/direct.log", Run(ParseWith(variables, files, "--log")).CommandLine.Main.Get("log-file"));
        variables = new Dictionary<string, string> { ["EMAILRELAY_LOG_FILE_FILE"] = "/run/secrets/log" };
        Assert.Equal("/var/log/relay.log", Run(ParseWith(variables, files, "--log")).CommandLine.Main.Get("log-file"));
    }

    [Theory]
    [InlineData("EMAILRELAY_CLIENT_AUTH_FILE", "/nope", null, "cannot read the file [/nope] named by EMAILRELAY_CLIENT_AUTH_FILE: no such file: /nope")]
    [InlineData("EMAILRELAY_CLIENT_AUTH", "plain:a:b", "EMAILRELAY_CLIENT_AUTH_FILE", "both EMAILRELAY_CLIENT_AUTH and EMAILRELAY_CLIENT_AUTH_FILE are set")]
    [InlineData("EMAILRELAY_LOG", "maybe", null, "invalid value for EMAILRELAY_LOG: \"maybe\" (use 1 or 0)")]
    [InlineData("EMAILRELAY_VERBOSE", "3", null, "environment variable EMAILRELAY_VERBOSE: duplicate use of \"--verbose\"")]
    [InlineData("EMAILRELAY_IN_PORT", "1", null, "invalid option: \"--in-port\"")]
    public void Bad_variables_are_errors(string variable, string value, string? other, string expected)
    {
        var variables = new Dictionary<string, string> { [variable] = value };
        if (other is not null)
        {
            variables[other] = "/x";
        }

        Assert.Equal(expected, ErrorText(ParseWith(variables, null, "--log")));
    }

    [Fact]
    public void Verbose_help_states_the_variables_and_the_precedence()
    {
        var text = HelpText.Build(verbose: true);
        Assert.Contains("EMAILRELAY_<OPTION>", text, StringComparison.Ordinal);
        Assert.Contains("EMAILRELAY_<OPTION>_FILE", text, StringComparison.Ordinal);
        Assert.Contains("The command line wins over the environment, which wins over\nthe config file.", text, StringComparison.Ordinal);
    }
}
