using EmailRelay.Protocol.Dkim;

namespace EmailRelay.Protocol.Filters;

/// <summary>
/// Parses the options of a <c>dkim:</c> filter spec: <c>;</c>-separated <c>name=value</c> pairs, in the style of
/// <c>mx:</c>'s options. <c>d=</c> (or <c>domain=</c>), <c>s=</c> (<c>selector=</c>) and <c>key=</c> are required;
/// <c>a=</c> (<c>algorithm=</c>: <c>rsa-sha256</c> or <c>ed25519-sha256</c>), <c>h=</c> (<c>headers=</c>: names
/// separated by <c>:</c>), <c>c=</c> (<c>relaxed</c>, <c>simple</c>, or header/body such as <c>relaxed/simple</c>)
/// and <c>from=</c> (sender domains separated by <c>:</c>; <c>*.name</c> and <c>*</c> allowed) are optional.
/// </summary>
internal static class DkimSpecParser
{
    /// <summary>Parses <paramref name="value"/> (the text after <c>dkim:</c>) of the member <paramref name="member"/>.</summary>
    public static bool TryParse(string member, string value, out FilterSpec? spec, out string error)
    {
        spec = null;
        error = "";
        string? domain = null;
        string? selector = null;
        string? key = null;
        DkimAlgorithm? algorithm = null;
        IReadOnlyList<string>? headers = null;
        var headerCanon = DkimCanonicalization.Relaxed;
        var bodyCanon = DkimCanonicalization.Relaxed;
        IReadOnlyList<string> senders = [];
        foreach (var option in value.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            int equals = option.IndexOf('=', StringComparison.Ordinal);
            var name = equals < 0 ? option : option[..equals].Trim();
            var text = equals < 0 ? "" : option[(equals + 1)..].Trim();
            bool ok = name switch
            {
                "d" or "domain" => IsDomain(text) && Set(ref domain, text.ToLowerInvariant()),
                "s" or "selector" => IsDomain(text) && Set(ref selector, text),
                "key" => text.Length != 0 && Set(ref key, text),
                "a" or "algorithm" => TryAlgorithm(text, out algorithm),
                "h" or "headers" => TryHeaders(text, out headers),
                "c" or "canonicalization" => TryCanonicalization(text, out headerCanon, out bodyCanon),
                "from" => TrySenders(text, out senders),
                _ => Fail(out error, member, string.Concat("unknown dkim option \"", option, "\"")),
            };
            if (!ok)
            {
                if (error.Length == 0)
                {
                    error = string.Concat("invalid filter \"", member, "\": invalid dkim option \"", option, "\"");
                }

                return false;
            }
        }

        if (domain is null || selector is null || key is null)
        {
            error = string.Concat("invalid filter \"", member, "\": dkim needs d=<domain>, s=<selector> and key=<file>");
            return false;
        }

        var settings = new DkimSignerSettings
        {
            Domain = domain,
            Selector = selector,
            KeyPath = key,
            Algorithm = algorithm,
            Headers = headers ?? DkimSignerSettings.DefaultHeaders,
            HeaderCanonicalization = headerCanon,
            BodyCanonicalization = bodyCanon,
            SenderDomains = senders,
        };
        spec = new FilterSpec { Kind = FilterKind.Dkim, Text = member, Value = value, Dkim = settings };
        return true;
    }

    private static bool Fail(out string error, string member, string why)
    {
        error = string.Concat("invalid filter \"", member, "\": ", why);
        return false;
    }

    private static bool Set(ref string? target, string value)
    {
        if (target is not null)
        {
            return false;
        }

        target = value;
        return true;
    }

    private static bool IsDomain(string text)
    {
        if (text.Length is 0 or > 253 || text[0] == '.' || text[^1] == '.' || text.Contains("..", StringComparison.Ordinal))
        {
            return false;
        }

        foreach (var c in text)
        {
            if (!char.IsAsciiLetterOrDigit(c) && c is not '-' and not '.' and not '_')
            {
                return false;
            }
        }

        return true;
    }

    private static bool TryAlgorithm(string text, out DkimAlgorithm? algorithm)
    {
        algorithm = text switch
        {
            "rsa-sha256" or "rsa" => DkimAlgorithm.RsaSha256,
            "ed25519-sha256" or "ed25519" => DkimAlgorithm.Ed25519Sha256,
            _ => null,
        };
        return algorithm is not null;
    }

    private static bool TryHeaders(string text, out IReadOnlyList<string>? headers)
    {
        var names = new List<string> { "from" };
        foreach (var part in text.Split(':', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            foreach (var c in part)
            {
                if (c is <= ' ' or > '~' or ':')
                {
                    headers = null;
                    return false;
                }
            }

            var name = part.ToLowerInvariant();
            if (name == "dkim-signature")
            {
                headers = null;
                return false;
            }

            if (!names.Contains(name))
            {
                names.Add(name);
            }
        }

        headers = names;
        return true;
    }

    private static bool TryCanonicalization(string text, out DkimCanonicalization header, out DkimCanonicalization body)
    {
        var parts = text.Split('/');
        body = DkimCanonicalization.Simple;
        if (parts.Length > 2 || !TryCanon(parts[0], out header) || (parts.Length == 2 && !TryCanon(parts[1], out body)))
        {
            header = body = DkimCanonicalization.Relaxed;
            return false;
        }

        // RFC 6376 §3.5: a lone algorithm names the header canonicalization and the body's is simple; we keep that.
        return true;
    }

    private static bool TryCanon(string text, out DkimCanonicalization mode)
    {
        mode = text == "simple" ? DkimCanonicalization.Simple : DkimCanonicalization.Relaxed;
        return text is "simple" or "relaxed";
    }

    private static bool TrySenders(string text, out IReadOnlyList<string> senders)
    {
        var list = new List<string>();
        foreach (var part in text.Split(':', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var domain = part.ToLowerInvariant();
            if (domain != "*" && !IsDomain(domain.StartsWith("*.", StringComparison.Ordinal) ? domain[2..] : domain))
            {
                senders = [];
                return false;
            }

            list.Add(domain);
        }

        senders = list;
        return list.Count != 0;
    }
}
