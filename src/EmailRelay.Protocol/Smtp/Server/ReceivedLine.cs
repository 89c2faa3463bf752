using System.Globalization;
using System.Text;

namespace EmailRelay.Protocol.Smtp.Server;

/// <summary>
/// Formats the relay's own <c>Received:</c> line (reference §b "Content file"):
/// <c>Received: from &lt;helo&gt; ([&lt;ip&gt;]) by &lt;domain&gt; with ESMTP[S][A][ tls &lt;cipher&gt;] ; &lt;RFC 5322 date&gt;</c>.
/// </summary>
internal static class ReceivedLine
{
    /// <summary>The line with its CRLF.</summary>
    public static string Format(string helo, string peerAddress, string domain, TlsInfo? tls, bool authenticated, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(helo);
        var builder = new StringBuilder(160);
        builder.Append("Received: from ").Append(helo).Append(" ([").Append(peerAddress).Append("]) by ").Append(domain).Append(" with ESMTP");
        if (tls is not null)
        {
            builder.Append('S');
        }

        if (authenticated)
        {
            builder.Append('A');
        }

        if (tls is not null)
        {
            builder.Append(" tls ").Append(tls.Cipher);
        }

        builder.Append(" ; ").Append(FormatDate(now)).Append("\r\n");
        return builder.ToString();
    }

    /// <summary>RFC 5322 §3.3 date-time, e.g. <c>Tue, 24 Nov 2026 02:22:19 +0000</c>.</summary>
    public static string FormatDate(DateTimeOffset now)
    {
        var offset = now.Offset;
        var sign = offset < TimeSpan.Zero ? '-' : '+';
        var abs = offset.Duration();
        return string.Create(CultureInfo.InvariantCulture, $"{now:ddd, d MMM yyyy HH:mm:ss} {sign}{abs.Hours:00}{abs.Minutes:00}");
    }
}
