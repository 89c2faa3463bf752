namespace EmailRelay.Testing.Tools;

/// <summary>Waits for a condition with a deadline, checking it every few milliseconds (never a fixed sleep).</summary>
public static class Poll
{
    private static readonly TimeSpan s_interval = TimeSpan.FromMilliseconds(20);

    /// <summary>Waits until <paramref name="condition"/> holds; throws <see cref="TimeoutException"/> naming <paramref name="what"/> otherwise.</summary>
    public static async Task UntilAsync(Func<bool> condition, TimeSpan timeout, string what)
    {
        ArgumentNullException.ThrowIfNull(condition);
        if (!await TryUntilAsync(condition, timeout))
        {
            throw new TimeoutException($"timed out after {timeout} waiting for {what}");
        }
    }

    /// <summary>Waits until <paramref name="condition"/> holds; false if the deadline passed first.</summary>
    public static async Task<bool> TryUntilAsync(Func<bool> condition, TimeSpan timeout)
    {
        ArgumentNullException.ThrowIfNull(condition);
        var deadline = TimeProvider.System.GetTimestamp() + (long)(timeout.TotalSeconds * TimeProvider.System.TimestampFrequency);
        while (!condition())
        {
            if (TimeProvider.System.GetTimestamp() >= deadline)
            {
                return condition();
            }

            await Task.Delay(s_interval);
        }

        return true;
    }
}
