using System.Runtime.InteropServices;

namespace EmailRelay.Cli.Daemon;

/// <summary>
/// SIGTERM, SIGINT, SIGHUP and SIGQUIT request an orderly shutdown (reference §h "Signals"; SIGHUP reloads nothing).
/// The default action is cancelled so <c>Program</c> can remove the pid file and exit. SIGPIPE is already ignored by .NET.
/// </summary>
internal sealed class ShutdownSignals : IDisposable
{
    private readonly CancellationTokenSource _cts = new();
    private readonly List<PosixSignalRegistration> _registrations = [];

    /// <summary>Registers the handlers.</summary>
    public ShutdownSignals()
    {
        foreach (var signal in new[] { PosixSignal.SIGTERM, PosixSignal.SIGINT, PosixSignal.SIGHUP, PosixSignal.SIGQUIT })
        {
            _registrations.Add(PosixSignalRegistration.Create(signal, OnSignal));
        }
    }

    /// <summary>Cancelled when a terminating signal arrives.</summary>
    public CancellationToken Token => _cts.Token;

    /// <summary>The signal that requested shutdown, if any.</summary>
    public PosixSignal? Received { get; private set; }

    /// <inheritdoc />
    public void Dispose()
    {
        foreach (var registration in _registrations)
        {
            registration.Dispose();
        }

        _cts.Dispose();
    }

    private void OnSignal(PosixSignalContext context)
    {
        context.Cancel = true;
        Received ??= context.Signal;
        try
        {
            _cts.Cancel();
        }
        catch (ObjectDisposedException)
        {
            // shutting down already
        }
    }
}
