using System.Diagnostics.CodeAnalysis;

namespace EmailRelay.Protocol.Filters;

/// <summary>
/// Parses an <c>--address-verifier</c> value (reference §c): empty, <c>exit:N</c>, <c>net:addr</c>,
/// <c>account:[opts]</c> (<c>;</c>-separated: a uid range <c>min-max</c>, <c>lowercase</c>, <c>check</c>,
/// <c>remote</c>), <c>file:path</c> or a bare path. Errors are returned, never thrown.
/// </summary>
internal static class VerifierSpecParser
{
    /// <summary>Parses the option value.</summary>
    /// <param name="text">The option value; null or blank gives <see cref="VerifierSpec.Default"/>.</param>
    /// <param name="spec">The parsed spec on success.</param>
    /// <param name="error">A one-line error text on failure; empty on success.</param>
    public static bool TryParse(string? text, [NotNullWhen(true)] out VerifierSpec? spec, out string error)
    {
        spec = null;
        error = "";
        if (string.IsNullOrWhiteSpace(text))
        {
            spec = VerifierSpec.Default;
            return true;
        }

        text = text.Trim();
        var colon = text.IndexOf(':', StringComparison.Ordinal);
        var prefix = colon < 0 ? "" : text[..colon];
        var value = colon < 0 ? text : text[(colon + 1)..];
        switch (prefix)
        {
            case "exit":
                if (!FilterSpecParser.TryParseNumber(value, out _))
                {
                    error = string.Concat("invalid address verifier \"", text, "\": expected a non-negative number after \"exit:\"");
                    return false;
                }

                spec = new VerifierSpec { Kind = VerifierKind.AcceptAll, Text = text, Value = value };
                return true;
            case "net":
                if (!FilterSpecParser.IsValidAddress(value, out var why))
                {
                    error = string.Concat("invalid address verifier \"", text, "\": ", why);
                    return false;
                }

                spec = new VerifierSpec { Kind = VerifierKind.Net, Text = text, Value = value };
                return true;
            case "account":
                return TryParseAccount(text, value, out spec, out error);
            case "file":
                if (value.Length == 0)
                {
                    error = string.Concat("invalid address verifier \"", text, "\": empty program path");
                    return false;
                }

                spec = new VerifierSpec { Kind = VerifierKind.File, Text = text, Value = value };
                return true;
            default:
                spec = new VerifierSpec { Kind = VerifierKind.File, Text = text, Value = text };
                return true;
        }
    }

    private static bool TryParseAccount(string text, string value, out VerifierSpec? spec, out string error)
    {
        spec = null;
        error = "";
        var result = new VerifierSpec { Kind = VerifierKind.Account, Text = text, Value = value };
        var haveRange = false;
        foreach (var option in value.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            switch (option)
            {
                case "lowercase":
                    result = result with { Lowercase = true };
                    break;
                case "check":
                    result = result with { Check = true };
                    break;
                case "remote":
                    result = result with { Remote = true };
                    break;
                default:
                    var dash = option.IndexOf('-', StringComparison.Ordinal);
                    if (haveRange || dash < 0
                        || !FilterSpecParser.TryParseNumber(option[..dash], out var min)
                        || !FilterSpecParser.TryParseNumber(option[(dash + 1)..], out var max)
                        || min > max)
                    {
                        error = string.Concat("invalid address verifier \"", text, "\": unknown account option \"", option, "\"");
                        return false;
                    }

                    haveRange = true;
                    result = result with { UidMin = min, UidMax = max };
                    break;
            }
        }

        spec = result;
        return true;
    }
}
