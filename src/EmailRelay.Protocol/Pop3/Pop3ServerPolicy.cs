namespace EmailRelay.Protocol.Pop3;

/// <summary>The switches a <see cref="Pop3ServerSession"/> runs with.</summary>
internal sealed record Pop3ServerPolicy
{
    /// <summary>The defaults: no TLS, three failed logins per connection.</summary>
    public static Pop3ServerPolicy Default { get; } = new();

    /// <summary>True if STLS is available (<c>--server-tls</c> with a certificate).</summary>
    public bool TlsOffered { get; init; }

    /// <summary>True if authentication needs TLS first (<c>--server-tls-required</c>).</summary>
    public bool TlsRequired { get; init; }

    /// <summary>Failed logins after which the connection is closed (as differences 14 does for SMTP AUTH).</summary>
    public int AuthFailureLimit { get; init; } = 3;
}
