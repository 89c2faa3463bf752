using System.Globalization;
using EmailRelay.IntegrationTests.Smtp;
using EmailRelay.Testing;
using EmailRelay.Testing.Tools;

namespace EmailRelay.IntegrationTests.Configuration;

/// <summary>The built executable configured through <c>EMAILRELAY_*</c> variables, as a container would run it.</summary>
public class EnvironmentConfigurationTests
{
    [Fact]
    public async Task A_relay_runs_from_variables_alone_with_a_file_variable()
    {
        using var dir = new TestDirectory();
        var spool = Path.Combine(dir.Path, "spool");
        Directory.CreateDirectory(spool);
        var domainFile = Path.Combine(dir.Path, "domain");
        await File.WriteAllTextAsync(domainFile, "env.example.test\n");
        var port = FreePort.Get();
        await using var relay = RelayProcess.Start(dir.Path, [], environment: new Dictionary<string, string>
        {
            ["EMAILRELAY_NO_DAEMON"] = "1",
            ["EMAILRELAY_LOG"] = "yes",
            ["EMAILRELAY_NO_SYSLOG"] = "1",
            ["EMAILRELAY_USER"] = "root",
            ["EMAILRELAY_PORT"] = port.ToString(CultureInfo.InvariantCulture),
            ["EMAILRELAY_INTERFACE"] = "127.0.0.1",
            ["EMAILRELAY_SPOOL_DIR"] = spool,
            ["EMAILRELAY_DOMAIN_FILE"] = domainFile,
        });
        await relay.WaitForStderrAsync(l => l.Contains("smtp server on", StringComparison.Ordinal), "the relay listens");
        var (client, greeting) = await RawSmtp.ConnectAsync(port);
        await using (client)
        {
            Assert.StartsWith("220 env.example.test ", greeting, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task A_bad_variable_is_a_startup_error()
    {
        using var dir = new TestDirectory();
        await using var relay = RelayProcess.Start(dir.Path, ["--no-daemon", "--log", "--no-syslog", "--spool-dir", dir.Path], environment: new Dictionary<string, string>
        {
            ["EMAILRELAY_CLOSE_STDERR"] = "maybe",
        });
        Assert.Equal(1, await relay.WaitForExitAsync());
        Assert.Contains("emailrelay: error: invalid value for EMAILRELAY_CLOSE_STDERR: \"maybe\" (use 1 or 0)", relay.StderrText, StringComparison.Ordinal);
    }
}
