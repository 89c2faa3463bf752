using EmailRelay.Smtp.Client;

namespace EmailRelay.Hosting;

/// <summary>
/// Connects a unit's <see cref="Forwarder"/> to its <see cref="RelayControl"/>: admin <c>forward</c> requests a
/// run (queued behind a running one), and <c>flush</c> runs the forwarder once on its own and waits, replying
/// <c>still working</c> while another flush runs and <c>no messages to send</c> for an empty spool.
/// </summary>
internal static class ForwarderControl
{
    /// <summary>Sets the control's forwarding delegates.</summary>
    public static void Attach(RelayControl control, Forwarder forwarder)
    {
        ArgumentNullException.ThrowIfNull(control);
        ArgumentNullException.ThrowIfNull(forwarder);
        var flushing = 0;
        control.ForwardRequest = forwarder.Request;
        control.Flush = async cancellationToken =>
        {
            if (Interlocked.Exchange(ref flushing, 1) != 0)
            {
                return "still working";
            }

            try
            {
                var result = await forwarder.RunOnceAsync(cancellationToken);
                return result.ConnectError ?? (result.Candidates == 0 ? "no messages to send" : null);
            }
            finally
            {
                Volatile.Write(ref flushing, 0);
            }
        };
    }
}
