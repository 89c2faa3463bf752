namespace EmailRelay.Cli.CommandLine;

/// <summary>A command-line error: write <paramref name="Message"/> to stderr (it holds every line, each ending with a newline) and exit with <paramref name="ExitCode"/>.</summary>
/// <param name="Message">The whole stderr text, e.g. <c>emailrelay: error: invalid option: "--bogus"</c> and the <c>try</c> line.</param>
/// <param name="ExitCode">The process exit code (1).</param>
internal sealed record ParseFailure(string Message, int ExitCode) : ParseOutcome;
