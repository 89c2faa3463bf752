using System.Globalization;
using System.Text;
using EmailRelay.Protocol.Routing;
using Microsoft.Extensions.Logging;

namespace EmailRelay.Smtp.Client.RateLimits;

/// <summary>
/// The forwarder's rate limits per route (README "Outbound: rate limits"): a route is the envelope's
/// <c>ForwardToAddress</c> and <c>ClientAccountSelector</c>, its limits those of the route table rule with that
/// smarthost and account (<see cref="RouteTable.FindLimits"/>), each a <see cref="RollingBucket"/> (a token bucket whose
/// tokens come back one period after use, so no rolling period passes the limit): messages per minute,
/// recipients per hour, recipients per day. A message takes one message token and one recipient token per recipient
/// from each of its route's buckets, or waits. The buckets' state is written to <see cref="StatePath"/> (at most every
/// <see cref="SaveInterval"/> while messages go, and after each run) and read back at startup, so that a restart does
/// not start with full buckets. Thread-safe.
/// </summary>
internal sealed class RouteRateLimits
{
    /// <summary>How often, at most, the state is written while messages go.</summary>
    public static readonly TimeSpan SaveInterval = TimeSpan.FromSeconds(5);

    private readonly Func<string, string, RouteRule?> _find;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly Dictionary<string, Buckets> _buckets = new(StringComparer.Ordinal);
    private readonly Lock _lock = new();
    private Dictionary<string, List<(int Bucket, long Slot, int Count)>> _restored = new(StringComparer.Ordinal);
    private DateTimeOffset _saved;
    private bool _dirty;

    /// <summary>Creates the limits over a rule lookup (smarthost, account → the rule with limits, or null).</summary>
    /// <param name="find">The lookup.</param>
    /// <param name="statePath">Where the state is kept, or null for none.</param>
    /// <param name="time">The clock.</param>
    /// <param name="logger">The forwarding log.</param>
    public RouteRateLimits(Func<string, string, RouteRule?> find, string? statePath, TimeProvider time, ILogger logger)
    {
        _find = find;
        StatePath = statePath;
        _time = time;
        _logger = logger;
        _saved = time.GetUtcNow();
        Load();
    }

    /// <summary>The state file, or null.</summary>
    public string? StatePath { get; }

    /// <summary>
    /// Takes the tokens for a message of <paramref name="recipients"/> on the route, or says why it must wait: null
    /// when it may go, else the Reason (<c>rate limit: ...</c>) and how long until it could.
    /// </summary>
    public (string Reason, TimeSpan Wait)? TryAcquire(string forwardToAddress, string account, int recipients) => Check(forwardToAddress, account, recipients, take: true);

    /// <summary>As <see cref="TryAcquire"/> without taking anything: whether a message would have to wait.</summary>
    public bool WouldWait(string forwardToAddress, string account, int recipients) => Check(forwardToAddress, account, recipients, take: false) is not null;

    private (string Reason, TimeSpan Wait)? Check(string forwardToAddress, string account, int recipients, bool take)
    {
        if (_find(forwardToAddress, account) is not { } rule)
        {
            return null;
        }

        var now = _time.GetUtcNow();
        lock (_lock)
        {
            var buckets = Get(KeyOf(forwardToAddress, account), rule, now);
            var needs = new[] { 1, recipients, recipients };
            for (var i = 0; i < buckets.All.Length; i++)
            {
                if (buckets.All[i] is { } bucket && !bucket.CanTake(needs[i], now))
                {
                    var wait = bucket.TimeUntil(needs[i], now);
                    buckets.Waiting = true;
                    var route = (forwardToAddress.Length > 0 ? forwardToAddress : "--forward-to") + (account.Length > 0 ? " account " + account : "");
                    return (string.Create(CultureInfo.InvariantCulture, $"rate limit: {s_names[i]} {bucket.Capacity} reached for {route}: next in {Math.Ceiling(wait.TotalSeconds)}s"), wait);
                }
            }

            if (!take)
            {
                return null;
            }

            for (var i = 0; i < buckets.All.Length; i++)
            {
                buckets.All[i]?.Take(needs[i], now);
            }

            _dirty = true;
            if (now - _saved >= SaveInterval)
            {
                SaveLocked(now);
            }

            return null;
        }
    }

    /// <summary>The soonest time any route that has made a message wait could take one again; null when none waits.</summary>
    public TimeSpan? NextAvailable()
    {
        var now = _time.GetUtcNow();
        lock (_lock)
        {
            TimeSpan? soonest = null;
            foreach (var buckets in _buckets.Values.Where(static b => b.Waiting))
            {
                var wait = buckets.All.Where(static b => b is not null).Max(b => b!.TimeUntil(1, now));
                if (wait == TimeSpan.Zero)
                {
                    buckets.Waiting = false;
                }

                soonest = soonest is { } s && s < wait ? s : wait;
            }

            return soonest;
        }
    }

    /// <summary>Writes the state if anything changed since the last write.</summary>
    public void Save()
    {
        lock (_lock)
        {
            if (_dirty)
            {
                SaveLocked(_time.GetUtcNow());
            }
        }
    }

    private static readonly string[] s_names = ["messages-per-minute", "recipients-per-hour", "recipients-per-day"];

    private static string KeyOf(string forwardToAddress, string account) => forwardToAddress + "\n" + account;

    private Buckets Get(string key, RouteRule rule, DateTimeOffset now)
    {
        int[] capacities = [rule.MessagesPerMinute, rule.RecipientsPerHour, rule.RecipientsPerDay];
        TimeSpan[] periods = [TimeSpan.FromMinutes(1), TimeSpan.FromHours(1), TimeSpan.FromDays(1)];
        if (!_buckets.TryGetValue(key, out var buckets))
        {
            buckets = new Buckets();
            _buckets[key] = buckets;
        }

        for (var i = 0; i < 3; i++)
        {
            if (capacities[i] == 0)
            {
                buckets.All[i] = null;
                continue;
            }

            if (buckets.All[i] is { } existing)
            {
                existing.Capacity = capacities[i];
                continue;
            }

            var bucket = new RollingBucket(capacities[i], periods[i]);
            if (_restored.TryGetValue(key, out var state))
            {
                foreach (var (index, slot, count) in state.Where(e => e.Bucket == i))
                {
                    bucket.Add(slot, count);
                }
            }

            buckets.All[i] = bucket;
        }

        return buckets;
    }

    private void Load()
    {
        if (StatePath is null || !File.Exists(StatePath))
        {
            return;
        }

        try
        {
            foreach (var line in File.ReadAllLines(StatePath))
            {
                // route <base64 route> <bucket 0-2> <slot unix ms>:<count> ...
                var fields = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                if (fields.Length < 3 || fields[0] != "route" || !int.TryParse(fields[2], NumberStyles.None, CultureInfo.InvariantCulture, out var bucket) || bucket > 2)
                {
                    continue;
                }

                var key = Encoding.UTF8.GetString(Convert.FromBase64String(fields[1]));
                if (!_restored.TryGetValue(key, out var list))
                {
                    list = [];
                    _restored[key] = list;
                }

                foreach (var take in fields[3..])
                {
                    var colon = take.IndexOf(':', StringComparison.Ordinal);
                    if (colon > 0 && long.TryParse(take[..colon], NumberStyles.None, CultureInfo.InvariantCulture, out var slot)
                        && int.TryParse(take[(colon + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out var count))
                    {
                        list.Add((bucket, slot, count));
                    }
                }
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or FormatException)
        {
            Log.RateStateUnreadable(_logger, StatePath, ex.Message);
            _restored = new(StringComparer.Ordinal);
        }
    }

    private void SaveLocked(DateTimeOffset now)
    {
        _saved = now;
        _dirty = false;
        if (StatePath is null)
        {
            return;
        }

        var text = new StringBuilder("# emailrelay rate limits: route <base64 route> <bucket: 0 messages/minute, 1 recipients/hour, 2 recipients/day> <slot unix ms>:<count> ...\n");
        foreach (var (key, buckets) in _buckets)
        {
            for (var i = 0; i < buckets.All.Length; i++)
            {
                if (buckets.All[i] is not { } bucket || bucket.Available(now) == bucket.Capacity)
                {
                    continue;
                }

                text.Append("route ").Append(Convert.ToBase64String(Encoding.UTF8.GetBytes(key))).Append(' ').Append(i.ToString(CultureInfo.InvariantCulture));
                foreach (var (slot, count) in bucket.Taken)
                {
                    text.Append(' ').Append(slot.ToString(CultureInfo.InvariantCulture)).Append(':').Append(count.ToString(CultureInfo.InvariantCulture));
                }

                text.Append('\n');
            }
        }

        try
        {
            var temporary = StatePath + ".tmp";
            File.WriteAllText(temporary, text.ToString());
            File.Move(temporary, StatePath, overwrite: true);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            Log.RateStateUnwritable(_logger, StatePath, ex.Message);
        }
    }

    private sealed class Buckets
    {
        public RollingBucket?[] All { get; } = new RollingBucket?[3];

        public bool Waiting { get; set; }
    }
}
