using System.Globalization;
using System.Text;

namespace EmailRelay.Protocol.Filters;

/// <summary>The pure part of the <c>msgid:</c> built-in (reference §c): find a Message-ID header, format a new one.</summary>
internal static class MessageIdHeader
{
    /// <summary>True if the header section (up to the first empty line) has a <c>Message-ID:</c> field (any case).</summary>
    public static bool HasMessageId(ReadOnlySpan<byte> content)
    {
        while (!content.IsEmpty)
        {
            var end = content.IndexOf((byte)'\n');
            var line = end < 0 ? content : content[..end];
            if (line.EndsWith("\r"u8))
            {
                line = line[..^1];
            }

            if (line.IsEmpty)
            {
                return false;
            }

            if (line.Length >= 11 && Ascii.EqualsIgnoreCase(line[..11], "Message-ID:"u8))
            {
                return true;
            }

            content = end < 0 ? default : content[(end + 1)..];
        }

        return false;
    }

    /// <summary>Formats <c>Message-ID: &lt;secs.usecs.pid.n@domain&gt;</c> with CRLF.</summary>
    public static string Format(long unixSeconds, int microseconds, int pid, long sequence, string domain)
        => string.Create(CultureInfo.InvariantCulture, $"Message-ID: <{unixSeconds}.{microseconds:D6}.{pid}.{sequence}@{domain}>\r\n");
}
