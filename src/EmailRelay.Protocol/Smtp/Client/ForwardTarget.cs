using System.Globalization;

namespace EmailRelay.Protocol.Smtp.Client;

/// <summary>
/// A forwarding target (reference §i "Target address"): <c>host:port</c> (the port may be a service name),
/// IPv4, IPv6 with the last colon separating the port, an absolute unix socket path, or
/// <c>host:port@socks-host:socks-port</c>. <see cref="TryParseList"/> reads a failover list: targets separated by
/// commas, tried in order (one target is E-MailRelay's form).
/// </summary>
/// <param name="Host">The host name or address (no brackets), or the socket path.</param>
/// <param name="Port">The port; 0 for a unix socket.</param>
/// <param name="IsUnixSocket">Whether <see cref="Host"/> is a unix socket path.</param>
/// <param name="Socks">The SOCKS4a proxy to go through, or null.</param>
internal sealed record ForwardTarget(string Host, int Port, bool IsUnixSocket, ForwardTarget? Socks = null)
{
    private const string ImplicitScheme = "smtps://";
    private const string StartTlsScheme = "smtp+starttls://";

    /// <summary>
    /// A route's TLS requirement, from a scheme before the target (<c>smtps://host:port</c>,
    /// <c>smtp+starttls://host:port</c>; README "Outbound: routing"); <see cref="Routing.RouteTls.Default"/> without one.
    /// </summary>
    public Routing.RouteTls Tls { get; init; }

    /// <summary>A failover list with <paramref name="tls"/>'s scheme before each of its targets.</summary>
    /// <param name="list">The list, as <see cref="TryParseList"/> reads it.</param>
    /// <param name="tls">The requirement.</param>
    /// <returns>The list text with schemes.</returns>
    public static string WithTls(string list, Routing.RouteTls tls)
    {
        ArgumentNullException.ThrowIfNull(list);
        return !TryParseList(list, out var targets) ? list : ToString([.. targets.Select(t => t with { Tls = tls })]);
    }

    /// <summary>Parses a target.</summary>
    /// <param name="text">The option value.</param>
    /// <param name="target">The target.</param>
    /// <returns>False for an unusable value.</returns>
    public static bool TryParse(string text, out ForwardTarget target)
    {
        ArgumentNullException.ThrowIfNull(text);
        target = new ForwardTarget("", 0, false);
        foreach (var (scheme, tls) in new[] { (ImplicitScheme, Routing.RouteTls.Implicit), (StartTlsScheme, Routing.RouteTls.StartTls) })
        {
            if (text.StartsWith(scheme, StringComparison.OrdinalIgnoreCase))
            {
                if (!TryParse(text[scheme.Length..], out var inner) || inner.Tls != Routing.RouteTls.Default || inner.IsUnixSocket)
                {
                    return false;
                }

                target = inner with { Tls = tls };
                return true;
            }
        }

        if (text.StartsWith('/'))
        {
            target = new ForwardTarget(text, 0, true);
            return true;
        }

        var at = text.LastIndexOf('@');
        if (at > 0)
        {
            if (!TryParse(text[..at], out var inner) || inner.IsUnixSocket || !TryParse(text[(at + 1)..], out var socks) || socks.IsUnixSocket)
            {
                return false;
            }

            target = inner with { Socks = socks };
            return true;
        }

        var colon = text.LastIndexOf(':');
        if (colon <= 0 || colon == text.Length - 1)
        {
            return false;
        }

        var host = text[..colon];
        if (host.StartsWith('[') && host.EndsWith(']'))
        {
            host = host[1..^1];
        }

        if (host.Length == 0 || !TryPort(text[(colon + 1)..], out var port))
        {
            return false;
        }

        target = new ForwardTarget(host, port, false);
        return true;
    }

    /// <summary>
    /// Parses a failover list: one or more targets separated by commas (a lone unix socket path may contain one), each
    /// as <see cref="TryParse"/> reads it; blanks around a comma are allowed.
    /// </summary>
    /// <param name="text">The option or envelope value.</param>
    /// <param name="targets">The targets, in order.</param>
    /// <returns>False when the list or any target in it is unusable.</returns>
    public static bool TryParseList(string text, out IReadOnlyList<ForwardTarget> targets)
    {
        ArgumentNullException.ThrowIfNull(text);
        var list = new List<ForwardTarget>();
        targets = list;
        foreach (var part in text.Split(','))
        {
            if (!TryParse(part.Trim(), out var target))
            {
                list.Clear();

                // E-MailRelay's single unix socket path stays valid even when it has a comma in it.
                if (text.StartsWith('/'))
                {
                    list.Add(new ForwardTarget(text, 0, true));
                    return true;
                }

                return false;
            }

            list.Add(target);
        }

        return list.Count > 0;
    }

    /// <summary>A failover list as <see cref="TryParseList"/> reads it (and as log lines show it).</summary>
    /// <param name="targets">The targets.</param>
    /// <returns>The targets' display texts joined with commas.</returns>
    public static string ToString(IReadOnlyList<ForwardTarget> targets) => string.Join(",", targets);

    /// <summary>The target as shown in log lines: <c>host:port</c> or the socket path.</summary>
    /// <returns>The display text.</returns>
    public override string ToString() => (Tls switch { Routing.RouteTls.Implicit => ImplicitScheme, Routing.RouteTls.StartTls => StartTlsScheme, _ => "" })
        + (IsUnixSocket ? Host : (Host.Contains(':', StringComparison.Ordinal) ? "[" + Host + "]" : Host) + ":" + Port.ToString(CultureInfo.InvariantCulture));

    private static bool TryPort(string text, out int port)
    {
        port = text.ToLowerInvariant() switch
        {
            "smtp" => 25,
            "submission" => 587,
            "smtps" or "submissions" => 465,
            _ => 0,
        };
        if (port != 0)
        {
            return true;
        }

        return int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out port) && port is > 0 and <= 65535;
    }
}
