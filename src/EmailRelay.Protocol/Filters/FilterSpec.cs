namespace EmailRelay.Protocol.Filters;

/// <summary>
/// One parsed member of a <c>--filter</c> or <c>--client-filter</c> chain (reference §c). Produced
/// only by <see cref="FilterSpecParser"/>, which has already validated the options of the built-ins.
/// Paths are kept raw: <c>@app</c> expansion and making a relative path absolute happen in Core.
/// </summary>
internal sealed record FilterSpec
{
    /// <summary>The kind of filter.</summary>
    public required FilterKind Kind { get; init; }

    /// <summary>The member's spec text exactly as given, e.g. <c>copy:pop;h</c>; used in logs and errors.</summary>
    public required string Text { get; init; }

    /// <summary>
    /// The text after the kind prefix: the program path (<see cref="FilterKind.File"/>, raw), the address
    /// (<see cref="FilterKind.Net"/>, <see cref="FilterKind.Spam"/>, <see cref="FilterKind.SpamEdit"/>:
    /// <c>host:port</c> or an absolute unix socket path), or the raw option text of a built-in.
    /// </summary>
    public string Value { get; init; } = "";

    /// <summary>The exit code for <see cref="FilterKind.Exit"/>, the milliseconds for <see cref="FilterKind.SleepMs"/>; otherwise 0.</summary>
    public int Number { get; init; }

    /// <summary>Switch options of <c>copy:</c>, <c>deliver:</c> and <c>split:</c>.</summary>
    public FilterSpecFlags Flags { get; init; }

    /// <summary>The port to add to ForwardTo (<c>split:</c> number option), or null.</summary>
    public int? Port { get; init; }

    /// <summary>DNS servers for <c>mx:</c> as given (<c>ip</c> or <c>ip:port</c>, port 53 by default); empty means the system's.</summary>
    public IReadOnlyList<string> DnsServers { get; init; } = [];

    /// <summary>The <c>mx:</c> <c>nst=</c> name-server timeout in seconds, or null for the default.</summary>
    public int? NameServerTimeoutSeconds { get; init; }

    /// <summary>The <c>mx:</c> <c>rt=</c> restart timeout in seconds, or null for the default.</summary>
    public int? RestartTimeoutSeconds { get; init; }

    /// <summary>The signature settings of a <c>dkim:</c> member, or null.</summary>
    public Dkim.DkimSignerSettings? Dkim { get; init; }

    /// <summary>True if <see cref="Value"/> is a unix-domain socket path (<c>net:/path</c>, <c>spam:/path</c>).</summary>
    public bool IsUnixSocket => Kind is FilterKind.Net or FilterKind.Spam or FilterKind.SpamEdit && Value.StartsWith('/');

    /// <inheritdoc />
    public override string ToString() => Text;
}
