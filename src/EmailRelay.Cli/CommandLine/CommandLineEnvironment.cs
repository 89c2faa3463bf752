namespace EmailRelay.Cli.CommandLine;

/// <summary>What the parser needs from the outside world.</summary>
/// <param name="ExecutableDirectory">The directory holding the executable: what <c>@app</c> expands to.</param>
/// <param name="WorkingDirectory">The startup directory (relative paths are kept as given; the host resolves them against this).</param>
/// <param name="ReadConfigFile">Reads a config file's whole text; may throw <see cref="IOException"/> or <see cref="UnauthorizedAccessException"/>. Also reads the files named by <c>EMAILRELAY_*_FILE</c> variables.</param>
/// <param name="Runtime">Platform facts for <c>--version --verbose</c>.</param>
internal sealed record CommandLineEnvironment(string ExecutableDirectory, string WorkingDirectory, Func<string, string> ReadConfigFile, RuntimeFacts Runtime)
{
    /// <summary>The process environment; the <c>EMAILRELAY_*</c> variables in it give options (<see cref="EnvironmentOptions"/>).</summary>
    public IReadOnlyDictionary<string, string> Variables { get; init; } = new Dictionary<string, string>(StringComparer.Ordinal);
}
