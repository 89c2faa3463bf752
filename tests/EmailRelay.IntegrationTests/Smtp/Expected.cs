using System.Text;
using System.Text.RegularExpressions;

namespace EmailRelay.IntegrationTests.Smtp;

/// <summary>What the relay should store, built from the reference's layout (§b).</summary>
internal static partial class Expected
{
    /// <summary>The <c>#2821.8</c> envelope the server writes for a plain remote-recipient transaction.</summary>
    public static string Envelope(string from, IEnumerable<string> to, string content = "unknown", bool utf8 = false)
    {
        var list = to.ToList();
        var text = new StringBuilder()
            .Append("X-MailRelay-Format: #2821.8\r\n")
            .Append("X-MailRelay-Content: ").Append(content).Append("\r\n")
            .Append("X-MailRelay-From: ").Append(from).Append("\r\n")
            .Append("X-MailRelay-ToCount: ").Append(list.Count).Append("\r\n");
        foreach (var rcpt in list)
        {
            text.Append("X-MailRelay-To-Remote: ").Append(rcpt).Append("\r\n");
        }

        return text
            .Append("X-MailRelay-Authentication: \r\n")
            .Append("X-MailRelay-Client: 127.0.0.1\r\n")
            .Append("X-MailRelay-ClientCertificate: \r\n")
            .Append("X-MailRelay-MailFromAuthIn: \r\n")
            .Append("X-MailRelay-MailFromAuthOut: \r\n")
            .Append("X-MailRelay-ForwardTo: \r\n")
            .Append("X-MailRelay-ForwardToAddress: \r\n")
            .Append("X-MailRelay-ClientAccountSelector: \r\n")
            .Append("X-MailRelay-Utf8MailboxNames: ").Append(utf8 ? '1' : '0').Append("\r\n")
            .Append("X-MailRelay-End: 1\r\n")
            .ToString();
    }

    /// <summary>Splits stored content into its first (Received) line, checked against the reference's shape, and the rest.</summary>
    public static byte[] AfterReceived(byte[] content, string helo, string domain)
    {
        var crlf = content.AsSpan().IndexOf("\r\n"u8);
        Assert.True(crlf > 0, "no CRLF in the content");
        var received = Encoding.UTF8.GetString(content, 0, crlf);
        Assert.Matches(ReceivedPattern(helo, domain), received);
        return content[(crlf + 2)..];
    }

    /// <summary>The <c>by</c> domain of a stored Received line (the host's name when there is no <c>--domain</c>).</summary>
    public static string ReceivedDomain(byte[] content)
    {
        var match = Regex.Match(Encoding.UTF8.GetString(content, 0, Math.Max(0, content.AsSpan().IndexOf("\r\n"u8))), @" by (\S+) with ");
        Assert.True(match.Success, "no Received line");
        return match.Groups[1].Value;
    }

    /// <summary>The reference's Received line: <c>Received: from helo ([ip]) by domain with ESMTP ; Day, d Mon yyyy hh:mm:ss +zzzz</c>.</summary>
    public static string ReceivedPattern(string helo, string domain) =>
        "^Received: from " + Regex.Escape(helo) + @" \(\[127\.0\.0\.1\]\) by " + Regex.Escape(domain) +
        @" with ESMTP ; (Mon|Tue|Wed|Thu|Fri|Sat|Sun), [0-9]{1,2} (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) [0-9]{4} [0-9]{2}:[0-9]{2}:[0-9]{2} [+-][0-9]{4}$";

    /// <summary>Bare CR and bare LF each become CRLF (differences 7); CRLF is kept.</summary>
    public static string NormaliseLineEndings(string text)
    {
        var result = new StringBuilder(text.Length);
        for (var i = 0; i < text.Length; i++)
        {
            if (text[i] == '\r' && i + 1 < text.Length && text[i + 1] == '\n')
            {
                result.Append("\r\n");
                i++;
            }
            else if (text[i] is '\r' or '\n')
            {
                result.Append("\r\n");
            }
            else
            {
                result.Append(text[i]);
            }
        }

        return result.ToString();
    }
}
