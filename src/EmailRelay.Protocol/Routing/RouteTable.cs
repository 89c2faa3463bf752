using System.Globalization;
using EmailRelay.Protocol.Smtp.Client;

namespace EmailRelay.Protocol.Routing;

/// <summary>
/// A route table (README "Outbound: routing"), in the style of the secrets file: one rule a line, fields separated by
/// blanks, <c>#</c> comments: <c>&lt;match&gt; &lt;smarthost&gt; [name=value ...]</c>, where the match is
/// <c>to:&lt;domain&gt;</c>, <c>from:&lt;domain&gt;</c>, <c>auth:&lt;user&gt;</c> or <c>*</c>, the smarthost a
/// failover list (<c>host:port[,host:port...]</c>) or <c>-</c> for <c>--forward-to</c>, and the options
/// <c>account=</c>, <c>tls=starttls|implicit</c>, <c>messages-per-minute=</c>, <c>recipients-per-hour=</c>,
/// <c>recipients-per-day=</c>. Each recipient takes the first rule that matches it; immutable once parsed.
/// </summary>
internal sealed class RouteTable
{
    private RouteTable(IReadOnlyList<RouteRule> rules) => Rules = rules;

    /// <summary>The rules, in file order.</summary>
    public IReadOnlyList<RouteRule> Rules { get; }

    /// <summary>Parses <paramref name="text"/>; <paramref name="name"/> (the path) goes into error messages.</summary>
    /// <exception cref="FormatException"><c>route table error: &lt;name&gt;: line &lt;n&gt;: &lt;what&gt;</c>.</exception>
    public static RouteTable Parse(string text, string name)
    {
        ArgumentNullException.ThrowIfNull(text);
        var rules = new List<RouteRule>();
        var lines = text.Split('\n');
        for (var i = 0; i < lines.Length; i++)
        {
            var line = lines[i].Trim();
            if (line.Length == 0 || line[0] == '#')
            {
                continue;
            }

            var hash = line.IndexOf(" #", StringComparison.Ordinal);
            var fields = (hash < 0 ? line : line[..hash]).Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries);
            try
            {
                rules.Add(ParseRule(i + 1, fields));
            }
            catch (FormatException ex)
            {
                throw new FormatException(string.Create(CultureInfo.InvariantCulture, $"route table error: {name}: line {i + 1}: {ex.Message}"), ex);
            }
        }

        return new RouteTable(rules);
    }

    /// <summary>The first rule for <paramref name="recipient"/> of a message from <paramref name="sender"/> authenticated as <paramref name="user"/>, or null.</summary>
    public RouteRule? Find(string sender, string user, string recipient)
    {
        foreach (var rule in Rules)
        {
            if (rule.Matches(sender, user, recipient))
            {
                return rule;
            }
        }

        return null;
    }

    /// <summary>The rule whose route is <paramref name="forwardToAddress"/> and <paramref name="account"/> and that sets limits, or null (the forwarder's rate limits).</summary>
    public RouteRule? FindLimits(string forwardToAddress, string account) =>
        Rules.FirstOrDefault(r => r.HasLimits && string.Equals(r.Smarthost, forwardToAddress, StringComparison.OrdinalIgnoreCase) && string.Equals(r.Account, account, StringComparison.Ordinal));

    private static RouteRule ParseRule(int line, string[] fields)
    {
        if (fields.Length < 2)
        {
            throw new FormatException("expected a match and a smarthost");
        }

        var match = fields[0];
        var colon = match.IndexOf(':', StringComparison.Ordinal);
        var (kind, pattern) = match == "*" ? (RouteMatchKind.Any, "")
            : colon > 0 && match[(colon + 1)..].Length > 0 ? match[..colon].ToLowerInvariant() switch
            {
                "to" => (RouteMatchKind.RecipientDomain, match[(colon + 1)..]),
                "from" => (RouteMatchKind.SenderDomain, match[(colon + 1)..]),
                "auth" => (RouteMatchKind.AuthenticatedUser, match[(colon + 1)..]),
                _ => throw new FormatException("invalid match \"" + match + "\": expected to:, from:, auth: or *"),
            }
            : throw new FormatException("invalid match \"" + match + "\": expected to:, from:, auth: or *");
        var smarthost = fields[1] == "-" ? "" : fields[1];
        if (smarthost.Length > 0 && !ForwardTarget.TryParseList(smarthost, out _))
        {
            throw new FormatException("invalid smarthost \"" + smarthost + "\"");
        }

        var rule = new RouteRule(line, kind, pattern, smarthost);
        foreach (var option in fields.Skip(2))
        {
            var equals = option.IndexOf('=', StringComparison.Ordinal);
            var key = equals < 0 ? option : option[..equals].ToLowerInvariant();
            var value = equals < 0 ? "" : option[(equals + 1)..];
            rule = key switch
            {
                "account" => rule with { Account = value },
                "tls" => rule with { Tls = value.ToLowerInvariant() switch
                {
                    "starttls" => RouteTls.StartTls,
                    "implicit" or "smtps" => RouteTls.Implicit,
                    _ => throw new FormatException("invalid tls \"" + value + "\": expected starttls or implicit"),
                } },
                "messages-per-minute" => rule with { MessagesPerMinute = Count(key, value) },
                "recipients-per-hour" => rule with { RecipientsPerHour = Count(key, value) },
                "recipients-per-day" => rule with { RecipientsPerDay = Count(key, value) },
                _ => throw new FormatException("unknown option \"" + key + "\""),
            };
        }

        if (rule.Tls != RouteTls.Default)
        {
            if (smarthost.Length == 0)
            {
                throw new FormatException("tls= needs a smarthost");
            }

            rule = rule with { Smarthost = ForwardTarget.WithTls(smarthost, rule.Tls) };
        }

        return rule;
    }

    private static int Count(string key, string value) =>
        int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n > 0 ? n : throw new FormatException("invalid " + key + " \"" + value + "\"");
}
