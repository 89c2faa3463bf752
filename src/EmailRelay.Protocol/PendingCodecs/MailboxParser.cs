using System.Text;

namespace EmailRelay.Protocol.Mail;

/// <summary>Stand-in until the codecs branch is merged.</summary>
internal static class MailboxParser
{
    /// <summary>Parses a path.</summary>
    public static MailboxParseResult Parse(ReadOnlySpan<byte> textAfterColon, MailboxParseOptions options, bool allowEmpty)
    {
        var start = 0;
        while (start < textAfterColon.Length && textAfterColon[start] == ' ')
        {
            start++;
        }

        var rest = textAfterColon[start..];
        if (rest.IsEmpty || rest[0] != '<')
        {
            if (options.RequireAngleBrackets || rest.IsEmpty)
            {
                return new(false, "", false, 0, rest.IsEmpty ? "invalid empty mailbox" : "missing angle brackets in mailbox name");
            }

            var sp = rest.IndexOf((byte)' ');
            var bare = sp < 0 ? rest : rest[..sp];
            return new(true, Encoding.UTF8.GetString(bare), false, start + bare.Length, "");
        }

        var close = rest.IndexOf((byte)'>');
        if (close < 0)
        {
            return new(false, "", false, 0, "missing angle brackets in mailbox name");
        }

        var inner = rest[1..close];
        var colon = inner.IndexOf((byte)':');
        if (inner.Length > 0 && inner[0] == '@' && colon > 0)
        {
            inner = inner[(colon + 1)..];
        }

        if (inner.IsEmpty && !allowEmpty)
        {
            return new(false, "", false, 0, "invalid empty mailbox");
        }

        foreach (var c in inner)
        {
            if (c < 0x20 || c == 0x7f || c == ' ')
            {
                return new(false, "", false, 0, "invalid character in mailbox name");
            }
        }

        var at = inner.LastIndexOf((byte)'@');
        var local = at < 0 ? inner : inner[..at];
        var utf8 = false;
        foreach (var c in local)
        {
            utf8 |= c >= 0x80;
        }

        return new(true, Encoding.UTF8.GetString(inner), utf8, start + close + 1, "");
    }
}
