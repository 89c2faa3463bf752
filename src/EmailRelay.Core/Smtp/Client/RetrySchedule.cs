using EmailRelay.Protocol.Mail;

namespace EmailRelay.Smtp.Client;

/// <summary>
/// The backoff of differences 13, derived from the envelope alone so it survives restarts: with <c>n</c> Reason
/// lines (rate-limit waits not counted), the message is due <c>base × 2^(n-1)</c> (at most one hour) after the envelope was last written.
/// </summary>
internal static class RetrySchedule
{
    /// <summary>The longest delay between attempts.</summary>
    public static readonly TimeSpan MaxDelay = TimeSpan.FromHours(1);

    private const string ReasonPrefix = "X-MailRelay-Reason:";

    /// <summary>The start of a rate-limit deferral's Reason: a wait, not a failure (not counted, no backoff).</summary>
    public const string RateLimitReason = "rate limit: ";

    /// <summary>How many failures the envelope records.</summary>
    /// <param name="envelope">The envelope.</param>
    /// <returns>The count of Reason lines.</returns>
    public static int Failures(Envelope envelope)
    {
        ArgumentNullException.ThrowIfNull(envelope);
        return envelope.Trailer.Count(l => l.StartsWith(ReasonPrefix, StringComparison.OrdinalIgnoreCase) && !l.AsSpan(ReasonPrefix.Length).TrimStart().StartsWith(RateLimitReason, StringComparison.Ordinal));
    }

    /// <summary>Whether the envelope's last Reason is a rate-limit wait: the message is due when its route's bucket allows.</summary>
    /// <param name="envelope">The envelope.</param>
    /// <returns>True after a rate-limit deferral not followed by another failure.</returns>
    public static bool WaitsForRateLimit(Envelope envelope)
    {
        ArgumentNullException.ThrowIfNull(envelope);
        var last = envelope.Trailer.LastOrDefault(l => l.StartsWith(ReasonPrefix, StringComparison.OrdinalIgnoreCase));
        return last is not null && last.AsSpan(ReasonPrefix.Length).TrimStart().StartsWith(RateLimitReason, StringComparison.Ordinal);
    }

    /// <summary>The delay after <paramref name="failures"/> failures.</summary>
    /// <param name="failures">The failure count.</param>
    /// <param name="retryBase">The first delay.</param>
    /// <returns>The delay (zero for none).</returns>
    public static TimeSpan Delay(int failures, TimeSpan retryBase)
    {
        if (failures <= 0)
        {
            return TimeSpan.Zero;
        }

        var delay = retryBase;
        for (var i = 1; i < failures && delay < MaxDelay; i++)
        {
            delay *= 2;
        }

        return delay < MaxDelay ? delay : MaxDelay;
    }

    /// <summary>Whether a message is due for another attempt.</summary>
    /// <param name="envelope">The envelope.</param>
    /// <param name="lastWritten">When the envelope file was last written.</param>
    /// <param name="now">The time now.</param>
    /// <param name="retryBase">The first delay.</param>
    /// <returns>True if due.</returns>
    public static bool IsDue(Envelope envelope, DateTimeOffset lastWritten, DateTimeOffset now, TimeSpan retryBase) =>
        now >= lastWritten + Delay(Failures(envelope), retryBase);
}
