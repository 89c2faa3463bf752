namespace EmailRelay.Processes;

/// <summary>How a program run by <see cref="ProcessRunner"/> ended.</summary>
internal enum ProcessOutcome
{
    /// <summary>It exited; <see cref="ProcessResult.ExitCode"/> is its status.</summary>
    Exited,

    /// <summary>A signal ended it; <see cref="ProcessResult.Signal"/> is the signal number.</summary>
    Signalled,

    /// <summary>It ran past the timeout; its process group got SIGTERM.</summary>
    TimedOut,

    /// <summary>It could not be started; <see cref="ProcessResult.Error"/> is the <c>strerror</c> text.</summary>
    ExecFailed,
}
