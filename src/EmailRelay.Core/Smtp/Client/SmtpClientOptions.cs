using EmailRelay.Protocol.Sasl;
using EmailRelay.Protocol.Smtp.Client;
using EmailRelay.Tls;

namespace EmailRelay.Smtp.Client;

/// <summary>How the forwarding client connects and talks (reference §a client options, §i).</summary>
internal sealed record SmtpClientOptions
{
    /// <summary>The default upstream: <c>--forward-to</c> (or <c>--as-client</c>, <c>--as-proxy</c>).</summary>
    public ForwardTarget? Target { get; init; }

    /// <summary>The further <c>--forward-to</c> hosts of a failover list (<c>host1:25,host2:25</c>), tried in order after <see cref="Target"/>.</summary>
    public IReadOnlyList<ForwardTarget> Failover { get; init; } = [];

    /// <summary>The default upstream and its failover hosts, in order; empty without <c>--forward-to</c>.</summary>
    public IReadOnlyList<ForwardTarget> Targets => Target is null ? [] : [Target, .. Failover];

    /// <summary><c>--domain</c>, for the EHLO name rule.</summary>
    public string Domain { get; init; } = "localhost";

    /// <summary>The session switches (<c>--client-smtp-config</c>, <c>--forward-to-some</c>); the EHLO name is filled in per connection.</summary>
    public SmtpClientPolicy Policy { get; init; } = SmtpClientPolicy.Default;

    /// <summary><c>--connection-timeout</c>: 40 s.</summary>
    public TimeSpan ConnectionTimeout { get; init; } = TimeSpan.FromSeconds(40);

    /// <summary><c>--prompt-timeout</c>: 20 s to wait for the greeting before sending EHLO anyway.</summary>
    public TimeSpan PromptTimeout { get; init; } = TimeSpan.FromSeconds(20);

    /// <summary><c>--response-timeout</c>: 300 s (differences 10).</summary>
    public TimeSpan ResponseTimeout { get; init; } = TimeSpan.FromSeconds(300);

    /// <summary><c>--client-interface</c>: the local address to bind before connecting, or null.</summary>
    public string? ClientInterface { get; init; }

    /// <summary>The <c>linger</c> switch (default on); off sets SO_LINGER to 1/0.</summary>
    public bool Linger { get; init; } = true;

    /// <summary><c>--client-tls*</c> and <c>--tls-config</c> as given, or null without client TLS (resolved into <see cref="Tls"/> at startup).</summary>
    public TlsClientSettings? TlsSettings { get; init; }

    /// <summary>The loaded client TLS (certificate, CA list), or null without client TLS.</summary>
    public TlsClient? Tls { get; init; }

    /// <summary><c>--client-auth</c> as given: a secrets file or <c>plain:&lt;b64id&gt;:&lt;b64pw&gt;</c>; empty for none (resolved into <see cref="Secrets"/>).</summary>
    public string ClientAuth { get; init; } = "";

    /// <summary>The opened client secrets, or null without <c>--client-auth</c>.</summary>
    public ISecretLookup? Secrets { get; init; }

    /// <summary>The token cache for the secrets' OAuth grants (<c>oauth-refresh</c>, <c>oauth-client</c>, <c>oauth-command</c>), or null.</summary>
    public Auth.OAuth.OAuthTokens? Tokens { get; init; }
}
