using System.Globalization;
using System.Text;

namespace EmailRelay.Protocol.Filters;

/// <summary>
/// The spamd protocol as the <c>spam:</c> and <c>spam-edit:</c> filters speak it (reference §c "spamd"): the
/// request is <c>PROCESS SPAMC/1.4</c>, an optional <c>User:</c> line, <c>Content-length: &lt;n&gt;</c>, a blank
/// line and the content; the reply is a <c>SPAMD/1.x 0 EX_OK</c> status line, header lines including
/// <c>Spam: True|False ; &lt;score&gt; / &lt;threshold&gt;</c>, a blank line and the (rewritten) message.
/// </summary>
internal static class SpamdProtocol
{
    /// <summary>The most header bytes read before giving up on a reply.</summary>
    public const int MaxHeaderBytes = 16 * 1024;

    /// <summary>The request header for a message of <paramref name="contentLength"/> bytes.</summary>
    /// <param name="contentLength">The content file's size.</param>
    /// <param name="user">The optional <c>User:</c> value; null or empty for none.</param>
    public static byte[] RequestHeader(long contentLength, string? user = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(contentLength);
        var sb = new StringBuilder("PROCESS SPAMC/1.4\r\n");
        if (!string.IsNullOrEmpty(user))
        {
            sb.Append("User: ").Append(user).Append("\r\n");
        }

        sb.Append("Content-length: ").Append(contentLength.ToString(CultureInfo.InvariantCulture)).Append("\r\n\r\n");
        return Encoding.ASCII.GetBytes(sb.ToString());
    }

    /// <summary>
    /// The length of the reply header including its blank line (CRLF CRLF or LF LF), or -1 if
    /// <paramref name="reply"/> does not hold a whole header yet.
    /// </summary>
    public static int HeaderLength(ReadOnlySpan<byte> reply)
    {
        for (int i = 0; i < reply.Length; i++)
        {
            if (reply[i] != (byte)'\n')
            {
                continue;
            }

            if (i + 1 < reply.Length && reply[i + 1] == (byte)'\n')
            {
                return i + 2;
            }

            if (i + 2 < reply.Length && reply[i + 1] == (byte)'\r' && reply[i + 2] == (byte)'\n')
            {
                return i + 3;
            }
        }

        return -1;
    }

    /// <summary>
    /// Parses a reply header (the status line and the header lines, with or without the blank line). A status
    /// other than <c>SPAMD/x.y 0 ...</c>, or no <c>Spam:</c> line, is an error with a one-line text.
    /// </summary>
    public static bool TryParseReplyHeader(string header, out SpamdReply reply, out string error)
    {
        ArgumentNullException.ThrowIfNull(header);
        reply = default;
        error = "";
        var lines = header.Replace("\r\n", "\n", StringComparison.Ordinal).Split('\n');
        var status = lines[0].Trim();
        var parts = status.Split(' ', 3, StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length < 2 || !parts[0].StartsWith("SPAMD/", StringComparison.Ordinal))
        {
            error = string.Concat("invalid spamd response: [", Printable(status), "]");
            return false;
        }

        if (parts[1] != "0")
        {
            error = string.Concat("spamd error: [", Printable(status), "]");
            return false;
        }

        bool? isSpam = null;
        string details = "";
        long? length = null;
        foreach (var line in lines.AsSpan(1))
        {
            var colon = line.IndexOf(':', StringComparison.Ordinal);
            if (colon <= 0)
            {
                continue;
            }

            var name = line[..colon].Trim();
            var value = line[(colon + 1)..].Trim();
            if (string.Equals(name, "Spam", StringComparison.OrdinalIgnoreCase))
            {
                var semicolon = value.IndexOf(';', StringComparison.Ordinal);
                var verdict = (semicolon < 0 ? value : value[..semicolon]).Trim();
                details = semicolon < 0 ? "" : value[(semicolon + 1)..].Trim();
                isSpam = string.Equals(verdict, "True", StringComparison.OrdinalIgnoreCase) || string.Equals(verdict, "Yes", StringComparison.OrdinalIgnoreCase);
            }
            else if (string.Equals(name, "Content-length", StringComparison.OrdinalIgnoreCase))
            {
                if (!long.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var n))
                {
                    error = string.Concat("invalid spamd content length: [", Printable(value), "]");
                    return false;
                }

                length = n;
            }
        }

        if (isSpam is null)
        {
            error = "invalid spamd response: no Spam header";
            return false;
        }

        reply = new SpamdReply(isSpam.Value, Printable(details), length);
        return true;
    }

    /// <summary>The fail result of <c>spam:</c> for a message spamd called spam.</summary>
    public static FilterResult SpamResult(SpamdReply reply)
        => new(FilterOutcome.Fail, false, "spam", 0, reply.Details.Length == 0 ? "spam" : string.Concat("spam: ", reply.Details));

    private static string Printable(string text)
    {
        var sb = new StringBuilder(text.Length);
        foreach (var c in text)
        {
            sb.Append(c is >= ' ' and <= '~' ? c : ' ');
        }

        return sb.ToString();
    }
}
