namespace EmailRelay.Smtp.Client;

/// <summary>A unit's forwarding settings (reference §h "Forwarding triggers", §i, differences 13).</summary>
internal sealed record ForwardingOptions
{
    /// <summary>The client's connection and protocol settings.</summary>
    public SmtpClientOptions Client { get; init; } = new();

    /// <summary><c>--client-filter</c>, as given (empty for none).</summary>
    public string ClientFilter { get; init; } = "";

    /// <summary><c>--forward</c> (or <c>--as-client</c>): one run at startup.</summary>
    public bool ForwardAtStartup { get; init; }

    /// <summary><c>--forward-on-disconnect</c> (or <c>--as-proxy</c>): a run after each SMTP connection closes.</summary>
    public bool ForwardOnDisconnect { get; init; }

    /// <summary><c>--poll</c>: the polling period, or null.</summary>
    public TimeSpan? Poll { get; init; }

    /// <summary><c>--retry-limit</c>: transient failures before a message fails for good (default 5; 0 fails at once).</summary>
    public int RetryLimit { get; init; } = 5;

    /// <summary>The process exits after the startup run (<c>--as-client</c>, or <c>--dont-serve</c> with <c>--forward</c>).</summary>
    public bool ExitAfterRun { get; init; }

    /// <summary>Whether this is <c>--as-client</c> (prints <c>no messages to send</c> on an empty spool).</summary>
    public bool AsClient { get; init; }

    /// <summary><c>--immediate</c>: each message is forwarded inside its SMTP transaction, before the reply to the end of data.</summary>
    public bool Immediate { get; init; }

    /// <summary>
    /// <c>--client-connections</c>: how many upstream connections one run uses at once (default 1, as E-MailRelay:
    /// safe for a small smarthost, and messages are then sent strictly one after another in spool order).
    /// </summary>
    public int Connections { get; init; } = 1;

    /// <summary>
    /// How long a trigger-driven run's upstream connections stay open, idle, after the last message they carried, in
    /// case another trigger comes (proxy mode: the next client's disconnect). 2 s, like Postfix's
    /// <c>smtp_connection_cache_time_limit</c>; then QUIT, as after every run in E-MailRelay. A reused connection that
    /// the server has closed meanwhile is replaced before any message goes over it. Zero closes at once.
    /// Flush and the <c>--as-client</c> run never keep connections.
    /// </summary>
    public TimeSpan IdleConnectionTime { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>The route tables (<c>route:</c> specs of <c>--filter</c> and <c>--client-filter</c>, absolute paths) whose rules' rate limits the forwarder applies.</summary>
    public IReadOnlyList<string> RouteTables { get; init; } = [];

    /// <summary>Where the rate limits' state survives a restart (<c>.emailrelay-rate-limits</c> in the spool directory), or null.</summary>
    public string? RateLimitState { get; init; }

    /// <summary>The first retry delay: one poll period, or 60 s without <c>--poll</c> (differences 13).</summary>
    public TimeSpan RetryBase => Poll ?? TimeSpan.FromSeconds(60);
}
