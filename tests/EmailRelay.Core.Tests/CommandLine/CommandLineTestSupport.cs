using EmailRelay.Cli.CommandLine;

namespace EmailRelay.Core.Tests.CommandLine;

/// <summary>Builds parser environments with in-memory config files.</summary>
internal static class CommandLineTestSupport
{
    public const string AppDir = "/opt/emailrelay/bin";

    public static readonly RuntimeFacts Runtime = new(".NET 10.0.0-test", "TestOS 1.0", "OpenSSL 9.9.9-test");

    public static CommandLineEnvironment Environment(IReadOnlyDictionary<string, string>? files = null) =>
        new(AppDir, "/home/user", path => files is not null && files.TryGetValue(path, out var text)
            ? text
            : throw new FileNotFoundException($"no such file: {path}"), Runtime);

    public static ParseOutcome Parse(params string[] args) => CommandLineParser.Parse(args, Environment());

    /// <summary>Parses a command line given as one string of space-separated arguments.</summary>
    public static ParseOutcome ParseLine(string line) =>
        Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries));

    public static RunRequest Run(ParseOutcome outcome)
    {
        if (outcome is ParseFailure failure)
        {
            Assert.Fail("unexpected failure: " + failure.Message);
        }

        return Assert.IsType<RunRequest>(outcome);
    }

    /// <summary>The error text of a failure, without the "emailrelay: error: " prefix and the try line.</summary>
    public static string ErrorText(ParseOutcome outcome)
    {
        var failure = Assert.IsType<ParseFailure>(outcome);
        Assert.Equal(1, failure.ExitCode);
        const string Prefix = "emailrelay: error: ";
        Assert.StartsWith(Prefix, failure.Message, StringComparison.Ordinal);
        var firstLine = failure.Message.Split('\n')[0];
        return firstLine[Prefix.Length..];
    }

    /// <summary>Scans arguments without any checks and builds the units (for spelling tests).</summary>
    public static IReadOnlyList<UnitOptions> Scan(params string[] args)
    {
        var state = new ParseState(AppDir);
        Assert.Empty(state.Scan(args));
        return state.BuildUnits();
    }
}
