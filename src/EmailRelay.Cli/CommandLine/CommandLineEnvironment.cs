namespace EmailRelay.Cli.CommandLine;

/// <summary>What the parser needs from the outside world.</summary>
/// <param name="ExecutableDirectory">The directory holding the executable: what <c>@app</c> expands to.</param>
/// <param name="WorkingDirectory">The startup directory (relative paths are kept as given; the host resolves them against this).</param>
/// <param name="ReadConfigFile">Reads a config file's whole text; may throw <see cref="IOException"/> or <see cref="UnauthorizedAccessException"/>.</param>
/// <param name="Runtime">Platform facts for <c>--version --verbose</c>.</param>
internal sealed record CommandLineEnvironment(string ExecutableDirectory, string WorkingDirectory, Func<string, string> ReadConfigFile, RuntimeFacts Runtime);
