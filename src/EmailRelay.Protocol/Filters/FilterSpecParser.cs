using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Net;

namespace EmailRelay.Protocol.Filters;

/// <summary>
/// Parses a <c>--filter</c> / <c>--client-filter</c> value into its chain (reference §c, "Filter spec
/// grammar"). A comma list is a chain; each member is parsed on its own, one level deep. Errors are
/// returned, never thrown, as one line of text naming the offending member.
/// </summary>
/// <remarks>
/// Empty members (<c>a,,b</c>, a trailing comma) are skipped: the CLI joins a repeated option with commas.
/// An empty or blank value gives an empty chain, which the factory turns into a quiet no-op (<c>exit:0</c>).
/// </remarks>
internal static class FilterSpecParser
{
    /// <summary>Parses a whole option value into its chain members.</summary>
    /// <param name="text">The option value; null or empty gives an empty chain.</param>
    /// <param name="chain">The members in order; empty on failure.</param>
    /// <param name="error">A one-line error text on failure; empty on success.</param>
    /// <returns>False if any member is invalid.</returns>
    public static bool TryParse(string? text, out IReadOnlyList<FilterSpec> chain, out string error)
    {
        chain = [];
        error = "";
        if (string.IsNullOrWhiteSpace(text))
        {
            return true;
        }

        var members = new List<FilterSpec>();
        foreach (var part in text.Split(','))
        {
            var member = part.Trim();
            if (member.Length == 0)
            {
                continue;
            }

            if (!TryParseMember(member, out var spec, out error))
            {
                return false;
            }

            members.Add(spec);
        }

        chain = members;
        return true;
    }

    /// <summary>Parses one chain member (no commas).</summary>
    /// <returns>False with <paramref name="error"/> set if the member is invalid.</returns>
    public static bool TryParseMember(string member, [NotNullWhen(true)] out FilterSpec? spec, out string error)
    {
        ArgumentNullException.ThrowIfNull(member);
        spec = null;
        error = "";
        var colon = member.IndexOf(':', StringComparison.Ordinal);
        var prefix = colon < 0 ? "" : member[..colon];
        var value = colon < 0 ? member : member[(colon + 1)..];
        switch (prefix)
        {
            case "exit":
            case "sleepms":
                if (!TryParseNumber(value, out var number))
                {
                    error = string.Concat("invalid filter \"", member, "\": expected a non-negative number after \"", prefix, ":\"");
                    return false;
                }

                spec = new FilterSpec { Kind = prefix == "exit" ? FilterKind.Exit : FilterKind.SleepMs, Text = member, Value = value, Number = number };
                return true;
            case "net":
            case "spam":
            case "spam-edit":
                if (!IsValidAddress(value, out var why))
                {
                    error = string.Concat("invalid filter \"", member, "\": ", why);
                    return false;
                }

                var kind = prefix switch { "net" => FilterKind.Net, "spam" => FilterKind.Spam, _ => FilterKind.SpamEdit };
                spec = new FilterSpec { Kind = kind, Text = member, Value = value };
                return true;
            case "copy":
            case "deliver":
                return TryParseCopyOptions(member, prefix, value, out spec, out error);
            case "split":
                return TryParseSplitOptions(member, value, out spec, out error);
            case "mx":
                return TryParseMxOptions(member, value, out spec, out error);
            case "dkim":
                return DkimSpecParser.TryParse(member, value, out spec, out error);
            case "route":
                if (value.Length == 0)
                {
                    error = string.Concat("invalid filter \"", member, "\": expected a route table file after \"route:\"");
                    return false;
                }

                spec = new FilterSpec { Kind = FilterKind.Route, Text = member, Value = value };
                return true;
            case "msgid":
                if (value.Length != 0)
                {
                    error = string.Concat("invalid filter \"", member, "\": msgid takes no options");
                    return false;
                }

                spec = new FilterSpec { Kind = FilterKind.MsgId, Text = member };
                return true;
            case "file":
                if (value.Length == 0)
                {
                    error = string.Concat("invalid filter \"", member, "\": empty program path");
                    return false;
                }

                spec = new FilterSpec { Kind = FilterKind.File, Text = member, Value = value };
                return true;
            default:
                // Anything else is a program path, kept raw (it may contain a colon).
                spec = new FilterSpec { Kind = FilterKind.File, Text = member, Value = member };
                return true;
        }
    }

    /// <summary>
    /// Checks a <c>net:</c> / <c>spam:</c> / verifier address: an absolute unix socket path, or
    /// <c>host:port</c> (IPv6 literals as <c>[::1]:port</c> or bare <c>::1:port</c>) with a port 1–65535.
    /// </summary>
    internal static bool IsValidAddress(string value, out string why)
    {
        why = "";
        if (value.Length == 0)
        {
            why = "missing address";
            return false;
        }

        if (value[0] == '/')
        {
            return true;
        }

        var colon = value.LastIndexOf(':');
        if (colon <= 0 || colon == value.Length - 1)
        {
            why = "expected host:port or an absolute socket path";
            return false;
        }

        if (!TryParseNumber(value[(colon + 1)..], out var port) || port is < 1 or > 65535)
        {
            why = "invalid port number";
            return false;
        }

        var host = value[..colon];
        if (host.StartsWith('[') != host.EndsWith(']'))
        {
            why = "invalid host";
            return false;
        }

        return true;
    }

    /// <summary>Parses a non-negative decimal number of plain ASCII digits that fits an <see cref="int"/>.</summary>
    internal static bool TryParseNumber(string text, out int number)
    {
        number = 0;
        foreach (var c in text)
        {
            if (!char.IsAsciiDigit(c))
            {
                return false;
            }
        }

        return text.Length != 0 && int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out number);
    }

    private static bool TryParseCopyOptions(string member, string prefix, string value, out FilterSpec? spec, out string error)
    {
        spec = null;
        error = "";
        var flags = FilterSpecFlags.None;
        foreach (var option in Options(value))
        {
            switch (option)
            {
                case "pop" or "p":
                    flags |= FilterSpecFlags.Pop;
                    break;
                case "hardlink" or "h":
                    flags |= FilterSpecFlags.Hardlink;
                    break;
                case "nodelete" or "no_delete" or "n":
                    flags |= FilterSpecFlags.NoDelete;
                    break;
                default:
                    error = string.Concat("invalid filter \"", member, "\": unknown ", prefix, " option \"", option, "\"");
                    return false;
            }
        }

        spec = new FilterSpec { Kind = prefix == "copy" ? FilterKind.Copy : FilterKind.Deliver, Text = member, Value = value, Flags = flags };
        return true;
    }

    private static bool TryParseSplitOptions(string member, string value, out FilterSpec? spec, out string error)
    {
        spec = null;
        error = "";
        var flags = FilterSpecFlags.None;
        int? port = null;
        foreach (var option in Options(value))
        {
            if (option == "raw")
            {
                flags |= FilterSpecFlags.Raw;
            }
            else if (TryParseNumber(option, out var number) && number is >= 1 and <= 65535 && port is null)
            {
                port = number;
            }
            else
            {
                error = string.Concat("invalid filter \"", member, "\": unknown split option \"", option, "\"");
                return false;
            }
        }

        spec = new FilterSpec { Kind = FilterKind.Split, Text = member, Value = value, Flags = flags, Port = port };
        return true;
    }

    private static bool TryParseMxOptions(string member, string value, out FilterSpec? spec, out string error)
    {
        spec = null;
        error = "";
        var servers = new List<string>();
        int? nst = null;
        int? rt = null;
        foreach (var option in Options(value))
        {
            if (option.StartsWith("nst=", StringComparison.Ordinal) && TryParseNumber(option[4..], out var n))
            {
                nst = n;
            }
            else if (option.StartsWith("rt=", StringComparison.Ordinal) && TryParseNumber(option[3..], out var r))
            {
                rt = r;
            }
            else if (IsDnsServer(option))
            {
                servers.Add(option);
            }
            else
            {
                error = string.Concat("invalid filter \"", member, "\": unknown mx option \"", option, "\"");
                return false;
            }
        }

        spec = new FilterSpec
        {
            Kind = FilterKind.Mx,
            Text = member,
            Value = value,
            DnsServers = servers,
            NameServerTimeoutSeconds = nst,
            RestartTimeoutSeconds = rt,
        };
        return true;
    }

    private static bool IsDnsServer(string option)
        => IPAddress.TryParse(option, out _) || (IPEndPoint.TryParse(option, out var endPoint) && endPoint.Port != 0);

    private static string[] Options(string value)
        => value.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
}
