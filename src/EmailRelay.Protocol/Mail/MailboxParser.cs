using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Unicode;

namespace EmailRelay.Protocol.Mail;

/// <summary>
/// Parses the path after <c>MAIL FROM:</c> or <c>RCPT TO:</c> (RFC 5321 §4.1.2, with the RFC 6531
/// UTF-8 extensions), never throwing: a malformed path is a <see cref="MailboxParseResult"/> whose
/// <c>Error</c> is the reply reason (<see cref="MailboxErrors"/>).
/// </summary>
/// <remarks>
/// Accepted: spaces or tabs before the path; <c>&lt;&gt;</c> when <c>allowEmpty</c>; a source route
/// <c>&lt;@a,@b:u@d&gt;</c> (reduced to <c>u@d</c>); a dot-string or quoted-string local part (quoted
/// kept as received, escapes included); a mailbox without a domain (<c>&lt;postmaster&gt;</c>); a domain
/// of letter/digit/hyphen/underscore labels, with UTF-8 labels converted to A-labels when asked; an address
/// literal <c>[1.2.3.4]</c>, <c>[IPv6:…]</c> or <c>[tag:text]</c>. Lenient on purpose, as mail
/// servers commonly are: dots in a dot-string local part are not checked for position.
/// The path must be followed by whitespace or the end of the text.
/// </remarks>
internal static class MailboxParser
{
    // RFC 5322 atext specials allowed in a dot-string, besides letters and digits.
    private const string AtextSpecials = "!#$%&'*+-/=?^_`{|}~";

    /// <summary>Parses a reverse-path (MAIL, <paramref name="allowEmpty"/> true) or forward-path (RCPT).</summary>
    public static MailboxParseResult Parse(ReadOnlySpan<byte> text, MailboxParseOptions options, bool allowEmpty)
    {
        ArgumentNullException.ThrowIfNull(options);
        int start = SkipSpaces(text, 0);
        ReadOnlySpan<byte> path;
        int end;
        if (start < text.Length && text[start] == '<')
        {
            int close = FindClose(text, start + 1, out string? error);
            if (close < 0)
            {
                return MailboxParseResult.Fail(error ?? MailboxErrors.MissingAngleBrackets);
            }

            path = text[(start + 1)..close];
            end = close + 1;
            if (end < text.Length && !IsSpace(text[end]))
            {
                return MailboxParseResult.Fail(MailboxErrors.InvalidCharacter);
            }
        }
        else
        {
            if (options.RequireAngleBrackets)
            {
                return MailboxParseResult.Fail(MailboxErrors.MissingAngleBrackets);
            }

            end = FindUnbracketedEnd(text, start);
            path = text[start..end];
            if (path.IsEmpty)
            {
                return MailboxParseResult.Fail(MailboxErrors.EmptyMailbox);
            }
        }

        int parametersStart = SkipSpaces(text, end);
        if (path.IsEmpty)
        {
            return allowEmpty
                ? new MailboxParseResult(true, string.Empty, false, parametersStart, string.Empty)
                : MailboxParseResult.Fail(MailboxErrors.EmptyMailbox);
        }

        if (!Utf8.IsValid(path))
        {
            return MailboxParseResult.Fail(MailboxErrors.InvalidCharacter);
        }

        if (path[0] == '@')
        {
            string? routeError = SkipSourceRoute(ref path);
            if (routeError is not null)
            {
                return MailboxParseResult.Fail(routeError);
            }
        }

        return ParseMailbox(path, options, parametersStart);
    }

    private static MailboxParseResult ParseMailbox(ReadOnlySpan<byte> mailbox, MailboxParseOptions options, int parametersStart)
    {
        int localEnd = mailbox[0] == '"' ? ScanQuotedString(mailbox, out string? error) : ScanDotString(mailbox, out error);
        if (error is not null)
        {
            return MailboxParseResult.Fail(error);
        }

        ReadOnlySpan<byte> local = mailbox[..localEnd];
        bool utf8Local = local.ContainsAnyInRange((byte)0x80, (byte)0xFF);
        string address = Encoding.UTF8.GetString(local);
        if (localEnd < mailbox.Length)
        {
            // The scanners stop only at '@' (or report an error).
            ReadOnlySpan<byte> domain = mailbox[(localEnd + 1)..];
            string? domainText = ParseDomain(domain, options.ConvertToALabels);
            if (domainText is null)
            {
                return MailboxParseResult.Fail(MailboxErrors.InvalidCharacter);
            }

            address = address + "@" + domainText;
        }

        return new MailboxParseResult(true, address, utf8Local, parametersStart, string.Empty);
    }

    // Returns the index of the '>' that closes the path, skipping quoted strings, or -1.
    private static int FindClose(ReadOnlySpan<byte> text, int from, out string? error)
    {
        error = null;
        bool quoted = false;
        for (int i = from; i < text.Length; i++)
        {
            byte b = text[i];
            if (quoted)
            {
                if (b == '\\')
                {
                    i++;
                }
                else if (b == '"')
                {
                    quoted = false;
                }
            }
            else if (b == '"')
            {
                quoted = true;
            }
            else if (b == '>')
            {
                return i;
            }
        }

        error = quoted ? MailboxErrors.InvalidQuoting : MailboxErrors.MissingAngleBrackets;
        return -1;
    }

    // Without brackets (nostrictparsing) the path runs to the first unquoted space.
    private static int FindUnbracketedEnd(ReadOnlySpan<byte> text, int from)
    {
        bool quoted = false;
        for (int i = from; i < text.Length; i++)
        {
            byte b = text[i];
            if (quoted && b == '\\')
            {
                i++;
            }
            else if (b == '"')
            {
                quoted = !quoted;
            }
            else if (!quoted && IsSpace(b))
            {
                return i;
            }
        }

        return text.Length;
    }

    // RFC 5321: A-d-l ":" where A-d-l = At-domain *( "," At-domain ).
    private static string? SkipSourceRoute(ref ReadOnlySpan<byte> path)
    {
        int colon = path.IndexOf((byte)':');
        if (colon < 0)
        {
            return MailboxErrors.InvalidCharacter;
        }

        foreach (Range range in path[..colon].Split((byte)','))
        {
            ReadOnlySpan<byte> atDomain = path[..colon][range];
            if (atDomain.Length < 2 || atDomain[0] != '@' || ParseDomain(atDomain[1..], convertToALabels: false) is null)
            {
                return MailboxErrors.InvalidCharacter;
            }
        }

        path = path[(colon + 1)..];
        return path.IsEmpty ? MailboxErrors.EmptyMailbox : null;
    }

    // Quoted-string: DQUOTE *(qtextSMTP / quoted-pairSMTP) DQUOTE, then '@' or the end.
    // Returns the index after the closing quote.
    private static int ScanQuotedString(ReadOnlySpan<byte> mailbox, out string? error)
    {
        error = null;
        for (int i = 1; i < mailbox.Length; i++)
        {
            byte b = mailbox[i];
            if (b == '\\')
            {
                if (i + 1 >= mailbox.Length || mailbox[i + 1] is < 32 or 127)
                {
                    error = MailboxErrors.InvalidQuoting;
                    return 0;
                }

                i++;
            }
            else if (b == '"')
            {
                if (i + 1 < mailbox.Length && mailbox[i + 1] != '@')
                {
                    error = MailboxErrors.InvalidQuoting;
                }

                return i + 1;
            }
            else if (b is < 32 or 127)
            {
                error = MailboxErrors.InvalidCharacter;
                return 0;
            }
        }

        error = MailboxErrors.InvalidQuoting;
        return 0;
    }

    // Dot-string of atext, '.' and UTF-8; returns the index of the '@' or the end.
    private static int ScanDotString(ReadOnlySpan<byte> mailbox, out string? error)
    {
        error = null;
        for (int i = 0; i < mailbox.Length; i++)
        {
            byte b = mailbox[i];
            if (b == '@')
            {
                if (i == 0)
                {
                    error = MailboxErrors.InvalidCharacter;
                }

                return i;
            }

            if (b == '"')
            {
                error = MailboxErrors.InvalidQuoting;
                return 0;
            }

            if (!IsAtext(b) && b != '.')
            {
                error = MailboxErrors.InvalidCharacter;
                return 0;
            }
        }

        return mailbox.Length;
    }

    // Returns the domain text (A-labels when asked), or null if malformed.
    private static string? ParseDomain(ReadOnlySpan<byte> domain, bool convertToALabels)
    {
        if (domain.IsEmpty)
        {
            return null;
        }

        if (domain[0] == '[')
        {
            return IsAddressLiteral(domain) ? Encoding.ASCII.GetString(domain) : null;
        }

        foreach (Range range in domain.Split((byte)'.'))
        {
            ReadOnlySpan<byte> label = domain[range];
            if (label.IsEmpty || label[0] == '-' || label[^1] == '-')
            {
                return null;
            }

            foreach (byte b in label)
            {
                // '_' as E-MailRelay accepts it: not a hostname character (RFC 952), but real hosts use it.
                if (!(char.IsAsciiLetterOrDigit((char)b) || b == '-' || b == '_' || b >= 0x80))
                {
                    return null;
                }
            }
        }

        string text = Encoding.UTF8.GetString(domain);
        if (!convertToALabels || !domain.ContainsAnyInRange((byte)0x80, (byte)0xFF))
        {
            return text;
        }

        try
        {
            // IdnMapping instances are not documented as thread-safe; this path is rare (UTF-8 domains only).
            return new IdnMapping().GetAscii(text);
        }
        catch (ArgumentException)
        {
            return null;
        }
    }

    // RFC 5321 §4.1.3: "[" (IPv4 / "IPv6:" IPv6 / tag ":" dcontent) "]".
    private static bool IsAddressLiteral(ReadOnlySpan<byte> domain)
    {
        if (domain.Length < 3 || domain[^1] != ']')
        {
            return false;
        }

        ReadOnlySpan<byte> inner = domain[1..^1];
        int colon = inner.IndexOf((byte)':');
        if (colon < 0)
        {
            // Without a colon only a dotted-quad IPv4 address can parse.
            return inner.Count((byte)'.') == 3 && IPAddress.TryParse(inner, out _);
        }

        ReadOnlySpan<byte> tag = inner[..colon];
        ReadOnlySpan<byte> content = inner[(colon + 1)..];
        if (System.Text.Ascii.EqualsIgnoreCase(tag, "IPv6"u8))
        {
            // With a colon only an IPv6 address can parse.
            return content.Contains((byte)':') && IPAddress.TryParse(content, out _);
        }

        if (tag.IsEmpty || content.IsEmpty || tag[^1] == '-')
        {
            return false;
        }

        foreach (byte b in tag)
        {
            if (!char.IsAsciiLetterOrDigit((char)b) && b != '-')
            {
                return false;
            }
        }

        foreach (byte b in content)
        {
            // dcontent = %d33-90 / %d94-126
            if (b is < 33 or > 126 or (>= 91 and <= 93))
            {
                return false;
            }
        }

        return true;
    }

    private static bool IsAtext(byte b)
        => b >= 0x80 || char.IsAsciiLetterOrDigit((char)b) || (b < 0x80 && AtextSpecials.Contains((char)b, StringComparison.Ordinal));

    private static bool IsSpace(byte b) => b is (byte)' ' or (byte)'\t';

    private static int SkipSpaces(ReadOnlySpan<byte> text, int from)
    {
        while (from < text.Length && IsSpace(text[from]))
        {
            from++;
        }

        return from;
    }
}
