using EmailRelay.Cli.CommandLine;

using static EmailRelay.Core.Tests.CommandLine.CommandLineTestSupport;

namespace EmailRelay.Core.Tests.CommandLine;

public class CommandLineParserTests
{
    private const string TryLine = "emailrelay: try \"emailrelay --help --verbose\"\n";

    [Fact]
    public void Unknown_option_gives_the_exact_error_and_exit_code_1()
    {
        var failure = Assert.IsType<ParseFailure>(Parse("--bogus"));
        Assert.Equal("emailrelay: error: invalid option: \"--bogus\"\n" + TryLine, failure.Message);
        Assert.Equal(1, failure.ExitCode);
    }

    [Theory]
    [InlineData("--port", "1", "--port", "2")]
    [InlineData("-p", "1", "--port=2")]
    [InlineData("--port=1", "-p", "2")]
    public void Repeated_single_option_gives_the_exact_duplicate_error(params string[] args)
    {
        var failure = Assert.IsType<ParseFailure>(Parse(args));
        Assert.Equal("emailrelay: error: duplicate use of \"--port\"\n" + TryLine, failure.Message);
    }

    [Theory]
    [InlineData("invalid option: \"-%\"", "-%")]
    [InlineData("invalid option: \"--in-port\"", "--in-port", "1")]
    [InlineData("no value supplied for \"--port\"", "--port")]
    [InlineData("no value supplied for \"-p\"", "-p")]
    [InlineData("no value supplied for \"-p\"", "-pl", "25")]
    [InlineData("cannot give a value with \"--log\"", "--log=yes")]
    [InlineData("cannot give a value with \"--as-server\"", "--as-server=1")]
    [InlineData("duplicate use of \"--verbose\"", "--log", "-vvv")]
    [InlineData("too many non-option arguments: \"b\"", "a", "b")]
    [InlineData("the --forward-to option cannot be used with --as-client", "--as-client", "h:25", "--forward-to", "x:25")]
    [InlineData("the --forward-to option cannot be used with --as-proxy", "--forward-to", "x:25", "--as-proxy", "h:25")]
    [InlineData("the --as-client and --as-server options cannot be used together", "--as-client", "h:25", "--as-server")]
    public void Syntax_errors_have_clear_texts(string expected, params string[] args) =>
        Assert.Equal(expected, ErrorText(Parse(args)));

    [Fact]
    public void Syntax_errors_suggest_help_on_a_second_line()
    {
        var failure = Assert.IsType<ParseFailure>(Parse("--port"));
        Assert.EndsWith("\n" + TryLine, failure.Message, StringComparison.Ordinal);
        Assert.Equal(2, failure.Message.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);
    }

    [Fact]
    public void No_arguments_is_one_unnamed_unit_with_nothing_set()
    {
        var request = Run(Parse());
        Assert.Single(request.CommandLine.Units);
        Assert.Equal("", request.CommandLine.Main.Name);
        Assert.Null(request.CommandLine.ConfigFile);
        Assert.False(request.CommandLine.Main.IsSet("port"));
        Assert.Null(request.CommandLine.Main.Get("port"));
        Assert.Empty(request.Warnings);
    }

    [Fact]
    public void Double_dash_ends_the_options()
    {
        var files = new Dictionary<string, string> { ["--log"] = "port 26" };
        var request = Run(CommandLineParser.Parse(["--", "--log"], Environment(files)));
        Assert.Equal("--log", request.CommandLine.ConfigFile);
        Assert.False(request.CommandLine.Main.IsSet("log"));
        Assert.Equal("26", request.CommandLine.Main.Get("port"));
    }

    [Fact]
    public void Optional_value_is_only_taken_with_equals()
    {
        var files = new Dictionary<string, string> { ["local0"] = "" };
        var request = Run(CommandLineParser.Parse(["--syslog", "local0"], Environment(files)));
        Assert.Equal("", request.CommandLine.Main.Get("syslog"));
        Assert.Equal("local0", request.CommandLine.ConfigFile);
        Assert.Equal("local0", Run(Parse("--syslog=local0")).CommandLine.Main.Get("syslog"));
    }

    [Fact]
    public void Verbose_counts_up_to_two()
    {
        Assert.Equal(0, Run(Parse("--log")).CommandLine.Main.Count("verbose"));
        Assert.Equal(1, Run(Parse("--log", "-v")).CommandLine.Main.Count("verbose"));
        Assert.Equal(2, Run(Parse("-lvv")).CommandLine.Main.Count("verbose"));
        Assert.Equal(2, Run(Parse("--log", "--verbose", "-v")).CommandLine.Main.Count("verbose"));
    }

    [Fact]
    public void Many_options_join_their_values_with_commas()
    {
        var main = Run(Parse("--filter", "exit:0", "-z", "exit:1", "--interface=127.0.0.1", "--interface", "::1")).CommandLine.Main;
        Assert.Equal("exit:0,exit:1", main.Get("filter"));
        Assert.Equal(["127.0.0.1", "::1"], main.GetList("interface"));
    }

    [Fact]
    public void Pid_file_given_twice_uses_the_first_with_a_warning()
    {
        var request = Run(Parse("--pid-file", "/run/a.pid", "-i", "/run/b.pid"));
        Assert.Equal("/run/a.pid", request.CommandLine.Main.Get("pid-file"));
        Assert.Contains(request.Warnings, w => w.Contains("--pid-file", StringComparison.Ordinal) && w.Contains("/run/a.pid", StringComparison.Ordinal));
    }

    [Fact]
    public void As_server_expands_to_log_and_close_stderr()
    {
        var main = Run(Parse("--as-server", "--verbose")).CommandLine.Main;
        Assert.True(main.IsSet("log"));
        Assert.True(main.IsSet("close-stderr"));
        Assert.Equal(1, main.Count("verbose"));
    }

    [Fact]
    public void As_proxy_expands_to_forward_on_disconnect_to_the_address()
    {
        var main = Run(Parse("-y", "smtp.example.com:25")).CommandLine.Main;
        Assert.True(main.IsSet("log"));
        Assert.True(main.IsSet("close-stderr"));
        Assert.True(main.IsSet("forward-on-disconnect"));
        Assert.Equal("smtp.example.com:25", main.Get("forward-to"));
        Assert.False(main.IsSet("forward"));
    }

    [Fact]
    public void As_client_expands_to_a_foreground_forwarding_run()
    {
        var main = Run(Parse("--as-client=smtp.example.com:587")).CommandLine.Main;
        foreach (var name in (string[])["log", "no-syslog", "no-daemon", "dont-serve", "forward"])
        {
            Assert.True(main.IsSet(name), name);
        }

        Assert.Equal("smtp.example.com:587", main.Get("forward-to"));
        Assert.False(main.IsSet("close-stderr"));
    }

    [Fact]
    public void App_prefix_expands_in_path_options_only()
    {
        var main = Run(Parse("--spool-dir", "@app/spool", "--log-file=@app", "--pid-file", "@application/x", "--domain", "@app")).CommandLine.Main;
        Assert.Equal(AppDir + "/spool", main.Get("spool-dir"));
        Assert.Equal(AppDir, main.Get("log-file"));
        Assert.Equal("@application/x", main.Get("pid-file"));
        Assert.Equal("@app", main.Get("domain"));
    }

    [Fact]
    public void App_prefix_expands_in_each_filter_of_a_chain()
    {
        var main = Scan("--filter=exit:0,@app/a.sh", "--filter", "@app/b.sh")[0];
        Assert.Equal($"exit:0,{AppDir}/a.sh,{AppDir}/b.sh", main.Get("filter"));
    }

    [Fact]
    public void Relative_paths_stay_as_given()
    {
        Assert.Equal("spool", Run(Parse("-s", "spool")).CommandLine.Main.Get("spool-dir"));
    }

    [Fact]
    public void Unit_prefixes_make_separate_units_declared_by_spool_dir()
    {
        var request = Run(Parse(
            "--in-spool-dir", "/s/in", "--in-port", "10025", "--out-spool-dir=/s/out", "--out-forward-to", "mx:25",
            "--out-forward-on-disconnect", "--port", "26", "--spool-dir", "/s/main", "--forward-to", "a:1", "--log"));
        var units = request.CommandLine.Units;
        Assert.Equal(["", "in", "out"], units.Select(u => u.Name));
        Assert.Equal("26", units[0].Get("port"));
        Assert.Equal("/s/main", units[0].Get("spool-dir"));
        Assert.Equal("a:1", units[0].Get("forward-to"));
        Assert.Equal("10025", units[1].Get("port"));
        Assert.Equal("/s/in", units[1].Get("spool-dir"));
        Assert.False(units[1].IsSet("forward-to"));
        Assert.Equal("mx:25", units[2].Get("forward-to"));
        Assert.True(units[2].IsSet("forward-on-disconnect"));
        Assert.Same(units[0], request.CommandLine.Main);
    }

    [Theory]
    [InlineData("--spool-dir")]
    [InlineData("--forward-to")]
    [InlineData("--pop-port")]
    [InlineData("--client-tls-verify-name")]
    [InlineData("--server-smtp-config")]
    public void Real_option_names_with_dashes_are_not_taken_for_prefixes(string option)
    {
        var main = Scan(option, "1")[0];
        Assert.Equal("1", main.Get(option[2..]));
    }

    [Fact]
    public void Duplicate_in_a_named_unit_names_the_prefixed_option()
    {
        Assert.Equal("duplicate use of \"--in-port\"", ErrorText(Parse("--in-spool-dir", "/x", "--in-port", "1", "--in-port", "2")));
    }

    [Fact]
    public void Process_wide_options_in_a_named_unit_are_ignored_with_a_warning()
    {
        var request = Run(Parse("--in-spool-dir", "/x", "--in-log"));
        Assert.False(request.CommandLine.Main.IsSet("log"));
        Assert.Contains(request.Warnings, w => w.Contains("\"--in-log\"", StringComparison.Ordinal));
    }

    [Fact]
    public void Checks_name_the_prefixed_option_in_a_named_unit()
    {
        Assert.Equal("the --in-pop-port option requires --in-pop",
            ErrorText(Parse("--in-spool-dir", "/x", "--in-pop-port", "1")));
    }

    // Filter and verifier specs are checked by the factories at startup (UnitRuntimeTests), so the command
    // line accepts every well-formed spec.
    [Theory]
    [InlineData("--filter=exit:0")]
    [InlineData("--filter=exit:0,exit:1")]
    [InlineData("--filter=/usr/bin/filter.sh")]
    [InlineData("--address-verifier=exit:3")]
    [InlineData("--address-verifier=")]
    [InlineData("--address-verifier=net:127.0.0.1:1")]
    public void Filter_and_verifier_specs_are_left_to_the_factories(string arg) => Run(Parse(arg));

    [Fact]
    public void Help_and_version_are_shown_before_checks()
    {
        Assert.IsType<ShowText>(Parse("--help", "--verbose", "--pop"));
        Assert.IsType<ShowText>(Parse("-hv"));
        Assert.IsType<ShowText>(Parse("--version", "--verbose"));
    }

    [Fact]
    public void Version_first_line_is_E_MailRelay_V2_6_1()
    {
        var text = Assert.IsType<ShowText>(Parse("--version")).Text;
        Assert.StartsWith("E-MailRelay V2.6.1\n", text, StringComparison.Ordinal);
        Assert.Contains(".NET", text.Split('\n')[1], StringComparison.Ordinal);
        Assert.DoesNotContain("OpenSSL 9.9.9-test", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Version_verbose_adds_the_tls_library_and_runtime()
    {
        var text = Assert.IsType<ShowText>(Parse("-V", "-v")).Text;
        Assert.StartsWith("E-MailRelay V2.6.1\n", text, StringComparison.Ordinal);
        Assert.Contains("TLS library: .NET SslStream on OpenSSL 9.9.9-test", text, StringComparison.Ordinal);
        Assert.Contains(".NET 10.0.0-test", text, StringComparison.Ordinal);
        Assert.Contains("TestOS 1.0", text, StringComparison.Ordinal);
        Assert.Contains("Features: SMTP server and client, POP3 server", text, StringComparison.Ordinal);
        Assert.DoesNotContain("Not built yet", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Version_verbose_has_E_MailRelay_feature_lines_in_its_order()
    {
        // Scripts (and E-MailRelay's own suite) match these whole lines to detect admin, POP, threads and sockets.
        var lines = Assert.IsType<ShowText>(Parse("--version", "--verbose")).Text.Split('\n');
        string[] expected = OperatingSystem.IsWindows()
            ? ["Multi-threading: enabled", "POP server: enabled", "Admin server: enabled", "TLS library: .NET SslStream on OpenSSL 9.9.9-test"]
            : ["Multi-threading: enabled", "Unix domain sockets: enabled", "POP server: enabled", "Admin server: enabled", "TLS library: .NET SslStream on OpenSSL 9.9.9-test"];
        var start = Array.IndexOf(lines, expected[0]);
        Assert.True(start > 0, "no Multi-threading line");
        Assert.Equal(expected, lines[start..(start + expected.Length)]);
        Assert.DoesNotContain(lines, l => l.EndsWith(": disabled", StringComparison.Ordinal));
        Assert.DoesNotContain("Multi-threading", Assert.IsType<ShowText>(Parse("--version")).Text, StringComparison.Ordinal);
    }
}
