namespace EmailRelay.Protocol.Sasl;

/// <summary>
/// <c>--server-auth-config</c> / <c>--client-auth-config</c> / <c>--pop-auth-config</c>: items separated by
/// <c>;</c>; <c>m:</c> mechanisms to allow (for the client, an ordered preference), <c>x:</c> to deny;
/// if <c>a:</c> or <c>d:</c> is present, <c>m:</c>/<c>x:</c> apply only before TLS and <c>a:</c>/<c>d:</c>
/// after it. Lists are comma or space separated, case-insensitive. A present but empty list allows nothing.
/// </summary>
internal sealed class SaslConfig
{
    private readonly IReadOnlyList<string>? _allow;
    private readonly IReadOnlyList<string> _deny;
    private readonly IReadOnlyList<string>? _allowSecure;
    private readonly IReadOnlyList<string> _denySecure;
    private readonly bool _split;

    private SaslConfig(IReadOnlyList<string>? allow, IReadOnlyList<string> deny, IReadOnlyList<string>? allowSecure, IReadOnlyList<string> denySecure, bool split)
    {
        _allow = allow;
        _deny = deny;
        _allowSecure = allowSecure;
        _denySecure = denySecure;
        _split = split;
    }

    /// <summary>No configuration: everything allowed.</summary>
    public static SaslConfig Empty { get; } = new(null, [], null, [], false);

    /// <summary>Parses the option value. Unknown items are ignored.</summary>
    public static SaslConfig Parse(string? text)
    {
        if (string.IsNullOrEmpty(text))
        {
            return Empty;
        }

        IReadOnlyList<string>? m = null, a = null;
        var x = new List<string>();
        var d = new List<string>();
        bool split = false;
        foreach (string raw in text.Split(';'))
        {
            string item = raw.Trim();
            if (item.Length < 2 || item[1] != ':')
            {
                continue;
            }

            string[] list = item[2..].Split([',', ' ', '\t'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                .Select(static s => s.ToUpperInvariant()).ToArray();
            switch (char.ToLowerInvariant(item[0]))
            {
                case 'm':
                    m = list;
                    break;
                case 'x':
                    x.AddRange(list);
                    break;
                case 'a':
                    a = list;
                    split = true;
                    break;
                case 'd':
                    d.AddRange(list);
                    split = true;
                    break;
                default:
                    break;
            }
        }

        return new SaslConfig(m, x, a, d, split);
    }

    /// <summary>
    /// Filters <paramref name="mechanisms"/> (kept in their order, or in the allow list's order when
    /// <paramref name="preferAllowOrder"/>) by the lists that apply in the given TLS state.
    /// </summary>
    public IReadOnlyList<string> Apply(IEnumerable<string> mechanisms, bool secure, bool preferAllowOrder = false)
    {
        ArgumentNullException.ThrowIfNull(mechanisms);
        IReadOnlyList<string>? allow = _split && secure ? _allowSecure : _allow;
        IReadOnlyList<string> deny = _split && secure ? _denySecure : _deny;
        var kept = mechanisms.Where(mech => (allow is null || allow.Contains(mech, StringComparer.OrdinalIgnoreCase))
            && !deny.Contains(mech, StringComparer.OrdinalIgnoreCase)).ToList();
        if (preferAllowOrder && allow is not null)
        {
            kept.Sort((p, q) => IndexOf(allow, p).CompareTo(IndexOf(allow, q)));
        }

        return kept;
    }

    private static int IndexOf(IReadOnlyList<string> list, string mech)
    {
        for (int i = 0; i < list.Count; i++)
        {
            if (string.Equals(list[i], mech, StringComparison.OrdinalIgnoreCase))
            {
                return i;
            }
        }

        return int.MaxValue;
    }
}
