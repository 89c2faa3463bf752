namespace EmailRelay.Testing.Tools;

/// <summary>What a client tool run ended with.</summary>
/// <param name="ExitCode">The program's exit code.</param>
/// <param name="Output">stdout then stderr (for swaks: the SMTP transcript).</param>
/// <param name="Elapsed">Wall time from start to exit.</param>
public sealed record ToolResult(int ExitCode, string Output, TimeSpan Elapsed);
