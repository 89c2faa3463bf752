using System.Text;

namespace EmailRelay.Protocol.Dkim;

/// <summary>The domain of a message's author: the part after the last <c>@</c> of the From field's (first) address.</summary>
internal static class DkimFromDomain
{
    private static readonly System.Buffers.SearchValues<char> s_domainEnd = System.Buffers.SearchValues.Create(" \t\r\n>;,()\"");

    /// <summary>Returns the lowercased domain of the first From field, or null if there is none or it has no address.</summary>
    public static string? Find(IReadOnlyList<DkimHeaderField> fields)
    {
        ArgumentNullException.ThrowIfNull(fields);
        foreach (var field in fields)
        {
            if (field.Name.Equals("From", StringComparison.OrdinalIgnoreCase))
            {
                return Parse(field.Raw.Span);
            }
        }

        return null;
    }

    /// <summary>Parses one raw From field (name included).</summary>
    public static string? Parse(ReadOnlySpan<byte> field)
    {
        var text = Encoding.UTF8.GetString(field);
        var value = text[(text.IndexOf(':', StringComparison.Ordinal) + 1)..];
        int open = value.IndexOf('<', StringComparison.Ordinal);
        if (open >= 0)
        {
            int close = value.IndexOf('>', open);
            value = close < 0 ? value[(open + 1)..] : value[(open + 1)..close];
        }

        int at = value.LastIndexOf('@');
        if (at < 0)
        {
            return null;
        }

        var domain = value[(at + 1)..].TrimStart();
        int end = domain.AsSpan().IndexOfAny(s_domainEnd);
        domain = (end < 0 ? domain : domain[..end]).TrimEnd('.');
        return domain.Length == 0 ? null : domain.ToLowerInvariant();
    }
}
