using EmailRelay.Protocol.Mail;
using EmailRelay.Protocol.Storage;

namespace EmailRelay.Spool;

/// <summary>
/// New message ids of this process, <c>emailrelay.&lt;pid&gt;.&lt;time&gt;.&lt;seq&gt;</c> (reference §b): one
/// per-process sequence shared by every allocator (the spool, its spare locks, <see cref="LinkedCopy"/>), so two
/// never pick the same id. A name taken anyway (another process, an earlier run with the same pid) is found by the
/// exclusive create of the id's lock sidecar, and the caller takes the next id.
/// </summary>
internal static class MessageIds
{
    private static uint s_sequence;

    /// <summary>The next id, at the time <paramref name="timeProvider"/> gives.</summary>
    public static MessageId Next(TimeProvider timeProvider)
    {
        uint sequence;
        do
        {
            sequence = Interlocked.Increment(ref s_sequence);
        }
        while (sequence == 0);

        return SpoolNames.FormatId(Environment.ProcessId, timeProvider.GetUtcNow().ToUnixTimeSeconds(), sequence);
    }
}
