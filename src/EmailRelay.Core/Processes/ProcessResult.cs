namespace EmailRelay.Processes;

/// <summary>The end of one program run.</summary>
/// <param name="Outcome">Exited, signalled, timed out or not started.</param>
/// <param name="ExitCode">The exit status (0-255) for <see cref="ProcessOutcome.Exited"/>; otherwise -1.</param>
/// <param name="Signal">The signal number for <see cref="ProcessOutcome.Signalled"/>; otherwise 0.</param>
/// <param name="Output">The first <see cref="ProcessRunner.MaxOutputBytes"/> bytes of stdout (the rest was read and dropped).</param>
/// <param name="Error">For <see cref="ProcessOutcome.ExecFailed"/>: why, as <c>strerror</c> text; otherwise empty.</param>
internal sealed record ProcessResult(ProcessOutcome Outcome, int ExitCode, int Signal, byte[] Output, string Error)
{
    /// <summary>The result of a run that timed out.</summary>
    public static ProcessResult TimedOut { get; } = new(ProcessOutcome.TimedOut, -1, 0, [], "");

    /// <summary>The result of a program that could not be started.</summary>
    public static ProcessResult ExecFailed(string error) => new(ProcessOutcome.ExecFailed, -1, 0, [], error);
}
