namespace EmailRelay.Cli.CommandLine;

/// <summary>Help or version text: print it to stdout and exit 0. The text ends with a newline.</summary>
/// <param name="Text">The text to print.</param>
internal sealed record ShowText(string Text) : ParseOutcome;
