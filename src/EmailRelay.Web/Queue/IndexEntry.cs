using EmailRelay.Spool;

namespace EmailRelay.Web.Queue;

/// <summary>What the queue listing shows of one message, kept by <see cref="SpoolIndex"/>. Immutable: a change replaces it.</summary>
/// <param name="Id">The message id.</param>
/// <param name="State">The envelope file's state.</param>
/// <param name="From">The envelope sender.</param>
/// <param name="To">Every recipient, remote then local.</param>
/// <param name="Size">The content size in bytes (-1: unknown).</param>
/// <param name="Received">When it was stored (from the id's time, else the envelope's).</param>
/// <param name="Failures">How many failure reasons the envelope records.</param>
/// <param name="Reason">The last failure reason, or empty.</param>
/// <param name="LastAttempt">The envelope's last write (the last attempt once there was one).</param>
internal sealed record IndexEntry(string Id, SpoolEntryState State, string From, string[] To, long Size, DateTimeOffset Received, int Failures, string Reason, DateTimeOffset LastAttempt)
{
    /// <summary>The console's state name: <c>queued</c>, <c>deferred</c> (ready with an earlier failure), <c>in-flight</c> or <c>failed</c>.</summary>
    public string StateName => State switch
    {
        SpoolEntryState.Locked => "in-flight",
        SpoolEntryState.Failed => "failed",
        _ => Failures > 0 ? "deferred" : "queued",
    };
}
