namespace EmailRelay.Cli.CommandLine;

/// <summary>A valid command line to run, with warnings to log once logging is set up (texts without the <c>emailrelay: warning: </c> prefix).</summary>
/// <param name="CommandLine">The parsed options.</param>
/// <param name="Warnings">Warning texts, e.g. <c>unknown smtp-config item [x]</c>.</param>
internal sealed record RunRequest(RelayCommandLine CommandLine, IReadOnlyList<string> Warnings) : ParseOutcome;
