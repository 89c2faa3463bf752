namespace EmailRelay.Cli.CommandLine;

/// <summary>What <see cref="CommandLineParser"/> decided: <see cref="ShowText"/>, <see cref="ParseFailure"/> or <see cref="RunRequest"/>.</summary>
internal abstract record ParseOutcome;
