namespace EmailRelay.Net;

/// <summary>
/// A server connection's idle timer on a <see cref="TimeProvider"/> (Kestrel's <c>TimeoutControl</c> in miniature):
/// <see cref="Token"/> is cancelled when the connection has made no progress for the idle timeout.
/// Calling sequence: <see cref="Rearm"/> on every unit of progress (the driver decides what counts, differences 15),
/// <see cref="Suspend"/> while the connection waits on us rather than on the peer (a verifier, a filter, opening a
/// maildrop), then <see cref="Dispose"/>. Used by one connection's loop only: not thread-safe.
/// </summary>
internal sealed class IdleTimer : IDisposable
{
    private readonly CancellationTokenSource _cts;
    private readonly TimeSpan _timeout;

    /// <summary>Creates a timer that is not running; <paramref name="timeout"/> is <see cref="RelayLimits.IdleTimeout"/>.</summary>
    public IdleTimer(TimeSpan timeout, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(time);
        _timeout = timeout;
        _cts = new CancellationTokenSource(Timeout.InfiniteTimeSpan, time);
    }

    /// <summary>Cancelled once the timer expires.</summary>
    public CancellationToken Token => _cts.Token;

    /// <summary>True once the timer has expired.</summary>
    public bool Expired => _cts.IsCancellationRequested;

    /// <summary>Starts the idle period again from now.</summary>
    public void Rearm() => _cts.CancelAfter(_timeout);

    /// <summary>Stops the timer until the next <see cref="Rearm"/>.</summary>
    public void Suspend() => _cts.CancelAfter(Timeout.InfiniteTimeSpan);

    /// <inheritdoc />
    public void Dispose() => _cts.Dispose();
}
