using System.Text;
using EmailRelay.Protocol.Mail;

namespace EmailRelay.Web.Queue;

/// <summary>
/// What the message page shows beyond the envelope: the failure reasons and reason codes of the envelope's trailer,
/// the header section, and the start of the body, read from the content's first <see cref="BodyLimit"/> bytes.
/// Text is returned as text: the pages put it into the document with <c>textContent</c>, never as markup.
/// </summary>
internal static class MessageDetails
{
    /// <summary>How much of the content is read for the page (and shown as the body, admin role only).</summary>
    public const int BodyLimit = 64 * 1024;

    private const string ReasonPrefix = "X-MailRelay-Reason:";
    private const string CodePrefix = "X-MailRelay-ReasonCode:";

    /// <summary>The trailer's reasons, oldest first, each with the reason code that follows it (empty when none).</summary>
    public static List<(string Reason, string Code)> Reasons(Envelope envelope)
    {
        ArgumentNullException.ThrowIfNull(envelope);
        var result = new List<(string, string)>();
        foreach (var line in envelope.Trailer)
        {
            if (line.StartsWith(ReasonPrefix, StringComparison.OrdinalIgnoreCase))
            {
                result.Add((line[ReasonPrefix.Length..].Trim(), ""));
            }
            else if (line.StartsWith(CodePrefix, StringComparison.OrdinalIgnoreCase) && result.Count > 0 && result[^1].Item2.Length == 0)
            {
                result[^1] = (result[^1].Item1, line[CodePrefix.Length..].Trim());
            }
        }

        return result;
    }

    /// <summary>The last failure reason, or empty.</summary>
    public static string LastReason(Envelope envelope)
    {
        ArgumentNullException.ThrowIfNull(envelope);
        for (int i = envelope.Trailer.Count - 1; i >= 0; i--)
        {
            if (envelope.Trailer[i].StartsWith(ReasonPrefix, StringComparison.OrdinalIgnoreCase))
            {
                return envelope.Trailer[i][ReasonPrefix.Length..].Trim();
            }
        }

        return "";
    }

    /// <summary>Reads up to <see cref="BodyLimit"/> bytes of <paramref name="content"/>: the header fields (unfolded, values decoded from RFC 2047), the body text, and whether the content was longer.</summary>
    public static async Task<(List<(string Name, string Value)> Headers, string Body, bool Truncated)> ReadAsync(Stream content, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(content);
        var buffer = new byte[BodyLimit + 1];
        int length = 0;
        while (length < buffer.Length)
        {
            int n = await content.ReadAsync(buffer.AsMemory(length), cancellationToken);
            if (n == 0)
            {
                break;
            }

            length += n;
        }

        bool truncated = length > BodyLimit;
        // Latin-1 for invalid UTF-8 would misread; UTF-8 with replacement characters keeps every byte visible as text.
        var text = Encoding.UTF8.GetString(buffer, 0, Math.Min(length, BodyLimit));
        int end = text.IndexOf("\r\n\r\n", StringComparison.Ordinal);
        int separator = 4;
        if (end < 0)
        {
            end = text.IndexOf("\n\n", StringComparison.Ordinal);
            separator = 2;
        }

        string headerText = end < 0 ? text : text[..end];
        string body = end < 0 ? "" : text[(end + separator)..];
        var headers = new List<(string, string)>();
        foreach (var raw in headerText.Replace("\r\n", "\n", StringComparison.Ordinal).Split('\n'))
        {
            if (raw.Length > 0 && (raw[0] == ' ' || raw[0] == '\t') && headers.Count > 0)
            {
                headers[^1] = (headers[^1].Item1, headers[^1].Item2 + " " + raw.Trim());
            }
            else if (raw.IndexOf(':', StringComparison.Ordinal) is int colon and > 0)
            {
                headers.Add((raw[..colon], raw[(colon + 1)..].Trim()));
            }
        }

        for (int i = 0; i < headers.Count; i++)
        {
            headers[i] = (headers[i].Item1, EncodedWords.Decode(headers[i].Item2));
        }

        return (headers, body, truncated);
    }
}
