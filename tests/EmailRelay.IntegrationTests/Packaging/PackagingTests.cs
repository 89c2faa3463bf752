using System.Diagnostics;
using System.Globalization;
using EmailRelay.Cli.CommandLine;
using EmailRelay.Testing;
using EmailRelay.Testing.Tools;

namespace EmailRelay.IntegrationTests.Packaging;

/// <summary>The shipped files under <c>packaging/</c>: sample configuration and the init script.</summary>
public sealed class PackagingTests
{
    private static string Root => RepositoryRoot.Path;

    /// <summary>The published linux-x64 executable when it exists (CI publishes it), else the build output.</summary>
    private static string Executable
    {
        get
        {
            var published = Path.Combine(Root, "artifacts", "publish", "linux-x64", "emailrelay");
            return File.Exists(published) ? published : RelayProcess.ExecutablePath;
        }
    }

    [Fact]
    public void The_sample_conf_lists_every_option_and_its_active_lines_parse()
    {
        var path = Path.Combine(Root, "packaging", "etc", "emailrelay.conf");
        var lines = File.ReadAllLines(path);
        foreach (var option in OptionTable.All.Where(o => o.Name is not "help" and not "version"))
        {
            Assert.Contains(lines, l => l == "#" + option.Name || l.StartsWith("#" + option.Name + " ", StringComparison.Ordinal));
        }

        var environment = new CommandLineEnvironment(Root, Root, File.ReadAllText, RuntimeFacts.Detect());
        var outcome = CommandLineParser.Parse([path], environment);
        var failure = outcome as ParseFailure;
        Assert.True(outcome is RunRequest, failure?.Message);
    }

    [Fact]
    public async Task The_init_script_starts_reports_status_and_stops_the_relay()
    {
        using var dir = new TestDirectory();
        var port = FreePort.Get();
        var conf = Path.Combine(dir.Path, "emailrelay.conf");
        await File.WriteAllTextAsync(conf, "port " + port.ToString(CultureInfo.InvariantCulture) + "\ninterface 127.0.0.1\nspool-dir " + Path.Combine(dir.Path, "spool") + "\n");
        var run = Path.Combine(dir.Path, "run");
        var env = new Dictionary<string, string>
        {
            ["EMAILRELAY_BIN"] = Executable,
            ["EMAILRELAY_CONF"] = conf,
            ["EMAILRELAY_RUN"] = run,
            ["EMAILRELAY_SPOOL"] = Path.Combine(dir.Path, "spool"),
            ["EMAILRELAY_OPTIONS"] = "--as-server --no-syslog --user " + Environment.UserName,
            ["EMAILRELAY_DEFAULT"] = Path.Combine(dir.Path, "default"),
        };
        Assert.Equal(32, (await InitAsync("status", env)).Code);
        var start = await InitAsync("start", env);
        try
        {
            Assert.True(start.Code == 0, start.Output);
            Assert.True(FreePort.IsListening(port));
            var status = await InitAsync("status", env);
            Assert.Equal(0, status.Code);
            Assert.Contains("is running", status.Output, StringComparison.Ordinal);
            Assert.Equal(0, (await InitAsync("stop", env)).Code);
            Assert.False(File.Exists(Path.Combine(run, "emailrelay.pid")));
            Assert.Equal(32, (await InitAsync("status", env)).Code);
        }
        finally
        {
            await InitAsync("stop", env);
        }
    }

    [Fact]
    public async Task The_init_script_does_nothing_when_disabled_in_the_defaults_file()
    {
        using var dir = new TestDirectory();
        var defaults = Path.Combine(dir.Path, "default");
        await File.WriteAllTextAsync(defaults, "EMAILRELAY_ENABLED=0\n");
        var env = new Dictionary<string, string> { ["EMAILRELAY_BIN"] = "/bin/false", ["EMAILRELAY_DEFAULT"] = defaults, ["EMAILRELAY_RUN"] = Path.Combine(dir.Path, "run") };
        var start = await InitAsync("start", env);
        Assert.Equal(0, start.Code);
        Assert.Contains("disabled", start.Output, StringComparison.Ordinal);
    }

    private static async Task<(int Code, string Output)> InitAsync(string command, Dictionary<string, string> env)
    {
        var start = new ProcessStartInfo("/bin/sh")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(Path.Combine(Root, "packaging", "init.d", "emailrelay"));
        start.ArgumentList.Add(command);
        foreach (var (key, value) in env)
        {
            start.Environment[key] = value;
        }

        using var process = Process.Start(start)!;
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var stdout = process.StandardOutput.ReadToEndAsync(cts.Token);
        var stderr = process.StandardError.ReadToEndAsync(cts.Token);
        await process.WaitForExitAsync(cts.Token);
        // A daemon may still hold the pipes: take what is there without waiting for end-of-stream.
        await Task.WhenAny(Task.WhenAll(stdout, stderr), Task.Delay(TimeSpan.FromSeconds(5)));
        var text = (stdout.IsCompletedSuccessfully ? await stdout : "") + (stderr.IsCompletedSuccessfully ? await stderr : "");
        return (process.ExitCode, text);
    }
}
