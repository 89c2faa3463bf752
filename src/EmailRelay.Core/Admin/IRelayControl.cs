using EmailRelay.Protocol.Mail;
using EmailRelay.Spool;

namespace EmailRelay.Admin;

/// <summary>
/// What the admin interface may do to the relay (reference §h); implemented by <c>Hosting.RelayControl</c>,
/// one per configuration unit. Every member is safe to call from any admin connection concurrently.
/// </summary>
public interface IRelayControl
{
    /// <summary>The process id (<c>pid</c>).</summary>
    int ProcessId { get; }

    /// <summary>
    /// Why forwarding requests are refused (<c>no remote server configured: use --forward-to</c>), or null when the
    /// unit forwards. Checked before <see cref="RequestForward"/> so the reply can be sent before the run starts.
    /// </summary>
    string? ForwardingUnavailable { get; }

    /// <summary>
    /// Requests a forwarding run with a reason (<c>forward</c> → <c>admin</c>); a request during a run is queued.
    /// The run may start, and publish events, before this returns. Does nothing when <see cref="ForwardingUnavailable"/> is set.
    /// </summary>
    void RequestForward(string reason);

    /// <summary>
    /// Runs a forwarding client of its own over the spool and waits for it (<c>flush</c>). Returns null on success,
    /// else the error text (<c>still working</c>, <c>no messages to send</c>, the failure reason...).
    /// </summary>
    Task<string?> FlushAsync(CancellationToken cancellationToken);

    /// <summary>The ids of the messages in one state (<c>list</c>: ready; <c>failures</c>: failed).</summary>
    IAsyncEnumerable<MessageId> ListAsync(SpoolView view, CancellationToken cancellationToken);

    /// <summary>Returns every failed message to the ready state (<c>unfail-all</c>); the result is how many.</summary>
    ValueTask<int> UnfailAllAsync(CancellationToken cancellationToken);

    /// <summary>The <c>status</c> lines: listening addresses and the connection counters.</summary>
    IReadOnlyList<string> StatusLines();

    /// <summary>Turns acceptance of new SMTP sessions on or off (<c>smtp enable|disable</c>).</summary>
    void SetSmtpEnabled(bool enabled);

    /// <summary>Turns DNSBL checking off for <paramref name="duration"/> (null: until started again) (<c>dnsbl stop</c>).</summary>
    void StopDnsbl(TimeSpan? duration);

    /// <summary>Turns DNSBL checking back on (<c>dnsbl start</c>).</summary>
    void StartDnsbl();

    /// <summary>Stops the relay: the process exits 0 and removes its pid file (<c>terminate</c>).</summary>
    void Terminate();

    /// <summary>
    /// Subscribes to relay events for <c>notify</c>: each event is its parts (<c>client</c>, <c>sending</c>, <c>&lt;id&gt;</c>).
    /// The callback runs on the publisher's thread and must not block. Dispose the result to unsubscribe.
    /// </summary>
    IDisposable Subscribe(Action<IReadOnlyList<string>> onEvent);
}
