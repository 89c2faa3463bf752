using System.Runtime.InteropServices;

namespace EmailRelay.Cli.Daemon;

/// <summary>
/// SIGTERM, SIGINT, SIGHUP and SIGQUIT request an orderly shutdown (reference §h "Signals"; SIGHUP reloads nothing).
/// The default action is cancelled so <c>Program</c> can remove the pid file and exit. The first signal starts a
/// drain (<see cref="Token"/>), a second one ends it at once (<see cref="Abort"/>). SIGPIPE is already ignored by .NET.
/// A shutdown signal the parent left ignored (<c>nohup</c>, a shell's background job, a supervisor) is reset to its
/// default by <see cref="ResetInheritedIgnores"/> first: the runtime does not deliver a signal whose inherited
/// disposition was <c>SIG_IGN</c> to a registration, so such a relay would ignore the signal for ever.
/// </summary>
internal sealed class ShutdownSignals : IDisposable
{
    private static readonly PosixSignal[] s_signals = [PosixSignal.SIGTERM, PosixSignal.SIGINT, PosixSignal.SIGHUP, PosixSignal.SIGQUIT];
    private static readonly IntPtr s_default = 0;
    private static readonly IntPtr s_ignore = 1;
    private readonly CancellationTokenSource _cts = new();
    private readonly CancellationTokenSource _abort = new();
    private readonly List<PosixSignalRegistration> _registrations = [];
    private bool _disposed;

    /// <summary>Registers the handlers.</summary>
    public ShutdownSignals()
    {
        foreach (var signal in s_signals)
        {
            _registrations.Add(PosixSignalRegistration.Create(signal, OnSignal));
        }
    }

    /// <summary>Cancelled when a terminating signal arrives: the relay drains (issue 22).</summary>
    public CancellationToken Token => _cts.Token;

    /// <summary>Cancelled when a second terminating signal arrives: the drain ends at once.</summary>
    public CancellationToken Abort => _abort.Token;

    /// <summary>The signal that requested shutdown, if any.</summary>
    public PosixSignal? Received { get; private set; }

    /// <summary>
    /// Puts an inherited <c>SIG_IGN</c> of a shutdown signal back to <c>SIG_DFL</c> (POSIX systems). Must run first
    /// in <c>Main</c>, before the runtime's signal handling records the dispositions it replaces; a disposition that
    /// is not <c>SIG_IGN</c> is left as it was.
    /// </summary>
    public static void ResetInheritedIgnores()
    {
        if (!OperatingSystem.IsLinux() && !OperatingSystem.IsMacOS() && !OperatingSystem.IsFreeBSD())
        {
            return;
        }

        // Numbers as on Linux and the BSDs: SIGHUP 1, SIGINT 2, SIGQUIT 3, SIGTERM 15.
        foreach (var number in new[] { 1, 2, 3, 15 })
        {
            var previous = NativeMethods.Signal(number, s_default);
            if (previous != s_ignore && previous != s_default)
            {
                _ = NativeMethods.Signal(number, previous);
            }
        }
    }

    /// <summary>Unregisters (idempotent).</summary>
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        foreach (var registration in _registrations)
        {
            registration.Dispose();
        }

        _cts.Dispose();
        _abort.Dispose();
    }

    /// <summary>Requests the orderly shutdown a signal requests (the Windows service's stop control).</summary>
    public void Request()
    {
        try
        {
            _cts.Cancel();
        }
        catch (ObjectDisposedException)
        {
            // shutting down already
        }
    }

    private void OnSignal(PosixSignalContext context)
    {
        context.Cancel = true;
        var first = Received is null;
        Received ??= context.Signal;
        try
        {
            (first ? _cts : _abort).Cancel();
        }
        catch (ObjectDisposedException)
        {
            // shutting down already
        }
    }
}
