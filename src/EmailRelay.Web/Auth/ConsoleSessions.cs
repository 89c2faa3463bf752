using System.Collections.Concurrent;
using System.Security.Cryptography;
using EmailRelay.Auth;

namespace EmailRelay.Web.Auth;

/// <summary>A signed-in browser: its account, role and CSRF token.</summary>
/// <param name="Account">The account name (logged with every action).</param>
/// <param name="Role">What it may do.</param>
/// <param name="Csrf">The token every state-changing request must carry in <c>X-CSRF-Token</c>.</param>
internal sealed record ConsoleSession(string Account, ConsoleRole Role, string Csrf)
{
    /// <summary>When the session ends unless used again (sliding).</summary>
    public DateTimeOffset Expires { get; set; }
}

/// <summary>
/// The signed-in sessions, in memory (a restart signs everyone out): a random 256-bit token in the session cookie
/// maps to a <see cref="ConsoleSession"/> that ends after <see cref="IdleLimit"/> without use. At most
/// <see cref="MaxSessions"/> at once; signing in beyond that ends the session closest to expiry. Thread-safe.
/// </summary>
internal sealed class ConsoleSessions(TimeProvider time)
{
    /// <summary>How long an unused session lives.</summary>
    public static readonly TimeSpan IdleLimit = TimeSpan.FromMinutes(30);

    /// <summary>The most sessions at once.</summary>
    public const int MaxSessions = 1000;

    private readonly ConcurrentDictionary<string, ConsoleSession> _sessions = new(StringComparer.Ordinal);

    /// <summary>A new random token (URL-safe base64 of 32 bytes).</summary>
    public static string NewToken() => Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    /// <summary>Starts a session; returns its cookie token and the session.</summary>
    public (string Token, ConsoleSession Session) Create(string account, ConsoleRole role)
    {
        var now = time.GetUtcNow();
        foreach (var (key, old) in _sessions)
        {
            if (old.Expires <= now)
            {
                _sessions.TryRemove(key, out _);
            }
        }

        while (_sessions.Count >= MaxSessions && _sessions.OrderBy(p => p.Value.Expires).FirstOrDefault() is { Key: { } oldest })
        {
            _sessions.TryRemove(oldest, out _);
        }

        var session = new ConsoleSession(account, role, NewToken()) { Expires = now + IdleLimit };
        string token = NewToken();
        _sessions[token] = session;
        return (token, session);
    }

    /// <summary>The live session of <paramref name="token"/> (extending it), or null.</summary>
    public ConsoleSession? Find(string? token)
    {
        if (string.IsNullOrEmpty(token) || !_sessions.TryGetValue(token, out var session))
        {
            return null;
        }

        var now = time.GetUtcNow();
        if (session.Expires <= now)
        {
            _sessions.TryRemove(token, out _);
            return null;
        }

        session.Expires = now + IdleLimit;
        return session;
    }

    /// <summary>Ends a session.</summary>
    public void Remove(string? token)
    {
        if (!string.IsNullOrEmpty(token))
        {
            _sessions.TryRemove(token, out _);
        }
    }

    /// <summary>Constant-time comparison of a presented CSRF token with the session's.</summary>
    public static bool CsrfMatches(ConsoleSession session, string? presented)
    {
        ArgumentNullException.ThrowIfNull(session);
        if (string.IsNullOrEmpty(presented))
        {
            return false;
        }

        var a = System.Text.Encoding.ASCII.GetBytes(session.Csrf);
        var b = System.Text.Encoding.ASCII.GetBytes(presented);
        return CryptographicOperations.FixedTimeEquals(a, b);
    }
}
