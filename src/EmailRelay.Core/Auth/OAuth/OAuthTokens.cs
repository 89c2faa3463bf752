using System.Collections.Concurrent;
using System.Globalization;
using EmailRelay.Protocol.Sasl;
using Microsoft.Extensions.Logging;

namespace EmailRelay.Auth.OAuth;

/// <summary>
/// The in-memory token cache of the forwarding client's OAuth grants (README "Outbound: OAuth 2.0"): one entry per
/// grant, shared by every connection and lane. A token is used until <see cref="RefreshMargin"/> before it expires,
/// then replaced; concurrent askers wait for one acquisition (never two requests for one expiry). A failed
/// acquisition is remembered for <see cref="FailureHold"/>, so a run over many messages with the endpoint down asks
/// it once, and each message is deferred with the same Reason. <see cref="InvalidateAsync"/> drops a token the server
/// refused, so that exactly one refresh follows. Thread-safe.
/// </summary>
internal sealed class OAuthTokens
{
    /// <summary>How long a failed acquisition is answered from memory before the endpoint or command is tried again.</summary>
    public static readonly TimeSpan FailureHold = TimeSpan.FromSeconds(30);

    private readonly ConcurrentDictionary<string, Entry> _entries = new(StringComparer.Ordinal);
    private readonly Func<OAuthGrant, string?, CancellationToken, Task<(string Token, TimeSpan Lifetime, string? RotatedRefreshToken)>> _acquire;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;

    /// <summary>Creates a cache over <paramref name="source"/>.</summary>
    public OAuthTokens(OAuthTokenSource source, TimeProvider time, ILogger logger)
        : this((grant, refresh, ct) => source.AcquireAsync(grant, refresh, ct), time, logger)
    {
        ArgumentNullException.ThrowIfNull(source);
    }

    /// <summary>Creates a cache over an acquisition function (tests).</summary>
    public OAuthTokens(Func<OAuthGrant, string?, CancellationToken, Task<(string Token, TimeSpan Lifetime, string? RotatedRefreshToken)>> acquire, TimeProvider time, ILogger logger)
    {
        _acquire = acquire;
        _time = time;
        _logger = logger;
    }

    /// <summary>How long before its expiry a token is replaced: a tenth of its lifetime, at most five minutes.</summary>
    public static TimeSpan RefreshMargin(TimeSpan lifetime) => lifetime / 10 < TimeSpan.FromMinutes(5) ? lifetime / 10 : TimeSpan.FromMinutes(5);

    /// <summary>How many tokens have been acquired for <paramref name="grant"/> (tests and the log).</summary>
    public int Acquisitions(OAuthGrant grant) => _entries.TryGetValue(grant.CacheKey, out var entry) ? Volatile.Read(ref entry.Count) : 0;

    /// <summary>A usable token for <paramref name="grant"/>: the cached one, or a new one.</summary>
    /// <returns>The token, and whether it was acquired for this call (false: from the cache).</returns>
    /// <exception cref="OAuthTokenException">No token (the Reason for the message).</exception>
    public async Task<(string Token, bool Fresh)> GetAsync(OAuthGrant grant, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(grant);
        var entry = _entries.GetOrAdd(grant.CacheKey, static _ => new Entry());
        await entry.Gate.WaitAsync(cancellationToken);
        try
        {
            var now = _time.GetUtcNow();
            if (entry.Token is { } cached && now < entry.RefreshAt)
            {
                return (cached, false);
            }

            if (entry.Failure is { } failure && now < entry.FailureUntil)
            {
                throw new OAuthTokenException(failure);
            }

            try
            {
                var (token, lifetime, rotated) = await _acquire(grant, entry.RotatedRefreshToken, cancellationToken);
                entry.Token = token;
                entry.RefreshAt = _time.GetUtcNow() + lifetime - RefreshMargin(lifetime);
                entry.RotatedRefreshToken = rotated ?? entry.RotatedRefreshToken;
                entry.Failure = null;
                Interlocked.Increment(ref entry.Count);
                Log.TokenAcquired(_logger, grant.ToString(), ((long)lifetime.TotalSeconds).ToString(CultureInfo.InvariantCulture));
                return (token, true);
            }
            catch (OAuthTokenException ex)
            {
                entry.Token = null;
                entry.Failure = ex.Message;
                entry.FailureUntil = _time.GetUtcNow() + FailureHold;
                Log.TokenFailed(_logger, ex.Message);
                throw;
            }
        }
        finally
        {
            entry.Gate.Release();
        }
    }

    /// <summary>
    /// The server refused <paramref name="token"/>: it is dropped if it is still the cached one (a token another
    /// connection has already replaced stays), so that the next <see cref="GetAsync"/> acquires exactly one new one.
    /// </summary>
    public async Task InvalidateAsync(OAuthGrant grant, string token, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(grant);
        if (!_entries.TryGetValue(grant.CacheKey, out var entry))
        {
            return;
        }

        await entry.Gate.WaitAsync(cancellationToken);
        try
        {
            if (entry.Token == token)
            {
                entry.Token = null;
            }
        }
        finally
        {
            entry.Gate.Release();
        }
    }

    [System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1001", Justification = "An entry lives as long as the process's forwarder; its semaphore never waits on a kernel handle.")]
    private sealed class Entry
    {
        public readonly SemaphoreSlim Gate = new(1, 1);
        public int Count;
        public string? Token;
        public DateTimeOffset RefreshAt;
        public string? RotatedRefreshToken;
        public string? Failure;
        public DateTimeOffset FailureUntil;
    }
}
