namespace EmailRelay.Smtp.Client.RateLimits;

/// <summary>
/// A token bucket of <see cref="Capacity"/> tokens whose tokens come back one <see cref="Period"/> after they were
/// taken, so that no window of one period ever holds more than <see cref="Capacity"/> takes: a provider's rolling
/// quota (30 messages a minute, 10,000 recipients a day) is never passed, which a bucket refilled evenly (a burst of
/// the capacity and the refill on top) would allow. Takes are kept in <see cref="SlotsPerPeriod"/> slots per period;
/// a take returns at the end of its slot plus one period (at most a slot late, never early). Not thread-safe (the
/// owner locks).
/// </summary>
internal sealed class RollingBucket
{
    /// <summary>Slots per period: one-second slots for a minute, one-minute slots for an hour, 24-minute slots for a day... of 1/60 each.</summary>
    public const int SlotsPerPeriod = 60;

    private readonly SortedDictionary<long, int> _taken = [];

    /// <summary>Creates a full bucket.</summary>
    public RollingBucket(int capacity, TimeSpan period)
    {
        Capacity = capacity;
        Period = period;
    }

    /// <summary>How many takes one period may hold.</summary>
    public int Capacity { get; set; }

    /// <summary>The period.</summary>
    public TimeSpan Period { get; }

    /// <summary>The takes still counted, by slot start (Unix milliseconds): for the state file.</summary>
    public IEnumerable<KeyValuePair<long, int>> Taken => _taken;

    private long SlotMs => Math.Max(1, (long)Period.TotalMilliseconds / SlotsPerPeriod);

    /// <summary>The tokens there at <paramref name="now"/>.</summary>
    public int Available(DateTimeOffset now)
    {
        Expire(now);
        return Capacity - _taken.Values.Sum();
    }

    /// <summary>Whether <paramref name="count"/> tokens are there (a bucket that is full lets a larger count through).</summary>
    public bool CanTake(int count, DateTimeOffset now) => Available(now) >= Math.Min(count, Capacity);

    /// <summary>Takes <paramref name="count"/> tokens at <paramref name="now"/> (after <see cref="CanTake"/>).</summary>
    public void Take(int count, DateTimeOffset now) => Add(now.ToUnixTimeMilliseconds() / SlotMs * SlotMs, count);

    /// <summary>Puts back a take read from the state file (slot start in Unix milliseconds).</summary>
    public void Add(long slot, int count) => _taken[slot] = _taken.GetValueOrDefault(slot) + count;

    /// <summary>How long until <paramref name="count"/> (at most the capacity) tokens are there.</summary>
    public TimeSpan TimeUntil(int count, DateTimeOffset now)
    {
        var missing = Math.Min(count, Capacity) - Available(now);
        if (missing <= 0)
        {
            return TimeSpan.Zero;
        }

        foreach (var (slot, taken) in _taken)
        {
            missing -= taken;
            if (missing <= 0)
            {
                var back = DateTimeOffset.FromUnixTimeMilliseconds(slot + SlotMs) + Period;
                return back > now ? back - now : TimeSpan.Zero;
            }
        }

        return Period;
    }

    private void Expire(DateTimeOffset now)
    {
        var nowMs = now.ToUnixTimeMilliseconds();
        var periodMs = (long)Period.TotalMilliseconds;
        while (_taken.Count > 0)
        {
            var first = _taken.First();
            if (first.Key + SlotMs + periodMs > nowMs)
            {
                return;
            }

            _taken.Remove(first.Key);
        }
    }
}
