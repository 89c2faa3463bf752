using EmailRelay.Processes;
using EmailRelay.Protocol.Filters;
using EmailRelay.Protocol.Mail;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace EmailRelay.Verifiers;

/// <summary>
/// An address-verifier program (reference §c): run by <see cref="ProcessRunner"/> with the six arguments of
/// <see cref="VerifierRequest"/> in order, each one intact argument, under <c>--filter-timeout</c>; the result by
/// <see cref="VerifierExitCodes"/>. Timeout gives <c>450 timeout</c>, an exec error <c>550 error</c>.
/// </summary>
internal sealed class ProgramVerifier : IAddressVerifier
{
    private readonly TimeSpan _timeout;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger _logger;

    /// <summary>Creates the verifier for the resolved program <paramref name="path"/>; <paramref name="logger"/> gets the verbose exit-code line.</summary>
    public ProgramVerifier(string path, TimeSpan timeout, TimeProvider timeProvider, ILogger? logger = null)
    {
        ArgumentNullException.ThrowIfNull(path);
        Path = path;
        _timeout = timeout;
        _timeProvider = timeProvider;
        _logger = logger ?? NullLogger.Instance;
    }

    /// <summary>The program.</summary>
    public string Path { get; }

    /// <inheritdoc />
    public async Task<VerifierResult> VerifyAsync(VerifierRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        string[] args = [request.Address, request.From, request.Peer, request.Domain, request.Mechanism, request.AuthId];
        var run = await ProcessRunner.RunAsync(Path, args, _timeout, _timeProvider, cancellationToken);
        if (run.Outcome == ProcessOutcome.Exited && _logger.IsEnabled(LogLevel.Debug))
        {
            var (line1, line2, _) = VerifierExitCodes.Lines(run.Output);
            Log.VerifierExit(_logger, run.ExitCode, line1, line2);
        }

        return run.Outcome switch
        {
            ProcessOutcome.Exited => VerifierExitCodes.Interpret(run.ExitCode, run.Output),
            ProcessOutcome.TimedOut => VerifierExitCodes.TimedOut,
            ProcessOutcome.Signalled => VerifierExitCodes.Interpret(-1, run.Output) with { Reason = "signal " + run.Signal.ToString(System.Globalization.CultureInfo.InvariantCulture) },
            _ => VerifierExitCodes.ExecError(run.Error),
        };
    }
}
