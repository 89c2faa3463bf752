using System.Globalization;
using System.Text.RegularExpressions;
using EmailRelay.Cli.CommandLine;
using EmailRelay.Testing;
using EmailRelay.Testing.Tools;

namespace EmailRelay.IntegrationTests.Configuration;

/// <summary>
/// The container examples, <c>packaging/docker/Dockerfile</c> and <c>compose.yaml</c>, as a container would run them
/// (there is no Docker here): every <c>EMAILRELAY_*</c> variable they set names an option, both health checks ask
/// <c>/readyz</c> on the console address the Dockerfile gives, and the built relay started with their environment
/// (paths and ports moved into the test's directory) answers that <c>/readyz</c> with 200.
/// </summary>
public sealed partial class ContainerExampleTests
{
    private static string Docker => Path.Combine(RepositoryRoot.Path, "packaging", "docker");

    /// <summary>The variables the Dockerfile's ENV lines set, then the compose file's, which win.</summary>
    private static Dictionary<string, string> ExampleEnvironment()
    {
        var environment = new Dictionary<string, string>(StringComparer.Ordinal);
        var dockerfile = File.ReadAllText(Path.Combine(Docker, "Dockerfile")).Replace("\\\n", " ", StringComparison.Ordinal);
        foreach (var line in dockerfile.Split('\n').Where(l => l.StartsWith("ENV ", StringComparison.Ordinal)))
        {
            foreach (Match pair in DockerfilePair().Matches(line[4..]))
            {
                environment[pair.Groups[1].Value] = pair.Groups[2].Value;
            }
        }

        foreach (Match pair in ComposePair().Matches(File.ReadAllText(Path.Combine(Docker, "compose.yaml"))))
        {
            environment[pair.Groups[1].Value] = pair.Groups[2].Value.Trim();
        }

        return environment;
    }

    [Fact]
    public void Every_variable_the_examples_set_names_an_option_and_both_health_checks_ask_readyz()
    {
        var environment = ExampleEnvironment();
        Assert.Contains("EMAILRELAY_FORWARD_TO", environment.Keys);
        Assert.Contains("EMAILRELAY_HTTP", environment.Keys);
        foreach (var name in environment.Keys)
        {
            var option = name["EMAILRELAY_".Length..];
            option = option.EndsWith("_FILE", StringComparison.Ordinal) && OptionTable.Find(Option(option)) is null ? option[..^"_FILE".Length] : option;
            Assert.True(OptionTable.Find(Option(option)) is not null, name + " names no option");
        }

        var readyz = "http://" + environment["EMAILRELAY_HTTP"] + "/readyz";
        Assert.Contains(readyz, File.ReadAllText(Path.Combine(Docker, "Dockerfile")), StringComparison.Ordinal);
        Assert.Contains("\"" + readyz + "\"", File.ReadAllText(Path.Combine(Docker, "compose.yaml")), StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_relay_started_with_the_examples_environment_is_ready()
    {
        using var dir = new TestDirectory();
        var spool = Path.Combine(dir.Path, "spool");
        Directory.CreateDirectory(spool);
        var secrets = Path.Combine(dir.Path, "client.auth");
        await File.WriteAllTextAsync(secrets, "client plain relay-user relay-password\n");
        var environment = ExampleEnvironment();
        var smtp = FreePort.Get();
        var http = FreePort.Get();
        environment["EMAILRELAY_SPOOL_DIR"] = spool;
        environment["EMAILRELAY_PORT"] = smtp.ToString(CultureInfo.InvariantCulture);
        environment["EMAILRELAY_HTTP"] = "127.0.0.1:" + http.ToString(CultureInfo.InvariantCulture);
        environment["EMAILRELAY_CLIENT_AUTH"] = secrets;
        environment["EMAILRELAY_USER"] = "root";
        await using var relay = RelayProcess.Start(dir.Path, [], environment: environment);
        await Poll.UntilAsync(() => FreePort.IsListening(http) && FreePort.IsListening(smtp), Waiting.DefaultTimeout, "the relay's listeners: " + relay.StderrText);
        using var client = new HttpClient { BaseAddress = new Uri("http://127.0.0.1:" + http.ToString(CultureInfo.InvariantCulture) + "/") };
        using var response = await client.GetAsync("readyz");
        Assert.True(response.IsSuccessStatusCode, (int)response.StatusCode + " " + await response.Content.ReadAsStringAsync() + "\n" + relay.StderrText);
        Assert.DoesNotContain(relay.Stderr, l => l.Contains("EMAILRELAY_", StringComparison.Ordinal));
    }

    private static string Option(string variable) => variable.ToLowerInvariant().Replace('_', '-');

    [GeneratedRegex(@"(EMAILRELAY_[A-Z0-9_]+)=(\S*)")]
    private static partial Regex DockerfilePair();

    [GeneratedRegex(@"^\s*-\s*(EMAILRELAY_[A-Z0-9_]+)=(.*)$", RegexOptions.Multiline)]
    private static partial Regex ComposePair();
}
