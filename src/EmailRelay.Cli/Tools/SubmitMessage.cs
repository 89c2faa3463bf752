using System.Globalization;

namespace EmailRelay.Cli.Tools;

/// <summary>
/// One message <c>emailrelay-submit</c> stores: envelope sender, recipients and content lines (written with CRLF).
/// <see cref="Build"/> applies reference §j: the sender from <c>--from</c> or the <c>From:</c>/<c>Sender:</c>
/// header, recipients from the arguments or the <c>To:</c>/<c>cc:</c>/<c>bcc:</c> headers, the <c>--content-*</c>
/// header edits, and <c>--bcc-split</c>.
/// </summary>
internal sealed record SubmitMessage(string From, IReadOnlyList<string> To, IReadOnlyList<string> Lines)
{
    /// <summary>Builds the message(s) from the content lines (headers, blank line, body).</summary>
    public static IReadOnlyList<SubmitMessage> Build(SubmitOptions options, IReadOnlyList<string> lines, DateTimeOffset now, int pid)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(lines);
        var blank = -1;
        for (var i = 0; i < lines.Count; i++)
        {
            if (lines[i].Length == 0)
            {
                blank = i;
                break;
            }
        }

        var headers = Unfold(blank < 0 ? lines : lines.Take(blank)).ToList();
        var body = blank < 0 ? [] : lines.Skip(blank + 1).ToList();
        var from = options.From ?? FirstAddress(headers, "From") ?? FirstAddress(headers, "Sender") ?? "";
        var fromHeaders = options.To.Count == 0;
        var to = fromHeaders ? Addresses(headers, "To").Concat(Addresses(headers, "Cc")).Concat(Addresses(headers, "Bcc")).ToList() : options.To;
        if (to.Count == 0)
        {
            throw new FormatException("no recipients");
        }

        if (options.ContentFrom)
        {
            headers = [.. headers.Where(h => !IsHeader(h, "From") && !IsHeader(h, "Sender")).Prepend("From: " + (from.Length == 0 ? "anonymous:;" : from))];
        }

        if (options.ContentDate && !headers.Any(h => IsHeader(h, "Date")))
        {
            headers.Add("Date: " + now.ToString("ddd, dd MMM yyyy HH:mm:ss ", CultureInfo.InvariantCulture) + now.ToString("zzz", CultureInfo.InvariantCulture).Replace(":", "", StringComparison.Ordinal));
        }

        if (options.ContentMessageIdDomain is { } domain && !headers.Any(h => IsHeader(h, "Message-ID")))
        {
            headers.Add("Message-ID: <" + now.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture) + "." + pid.ToString(CultureInfo.InvariantCulture) + "@" + domain + ">");
        }

        var bcc = Addresses(headers, "Bcc");
        if (options.BccSplit && fromHeaders && bcc.Count > 1)
        {
            var main = headers.Where(h => !IsHeader(h, "Bcc")).ToList();
            var visible = Addresses(headers, "To").Concat(Addresses(headers, "Cc")).ToList();
            var messages = new List<SubmitMessage>();
            if (visible.Count > 0)
            {
                messages.Add(Make(from, visible, main, body, options));
            }

            messages.AddRange(bcc.Select(b => Make(from, [b], [.. main, "Bcc: " + b], body, options)));
            return messages;
        }

        return [Make(from, to, headers, body, options)];
    }

    private static SubmitMessage Make(string from, IReadOnlyList<string> to, List<string> headers, List<string> body, SubmitOptions options)
    {
        var final = options.ContentTo
            ? [.. headers.Where(h => !IsHeader(h, "To") && !IsHeader(h, "Cc") && !IsHeader(h, "Bcc")), "To: " + string.Join(", ", to)]
            : headers;
        return new SubmitMessage(from, to, [.. final, "", .. body]);
    }

    // Folded continuation lines are joined to their header so that edits remove whole headers.
    private static IEnumerable<string> Unfold(IEnumerable<string> lines)
    {
        string? current = null;
        foreach (var line in lines)
        {
            if (current is not null && line.Length > 0 && (line[0] == ' ' || line[0] == '\t'))
            {
                current += "\r\n" + line;
                continue;
            }

            if (current is not null)
            {
                yield return current;
            }

            current = line;
        }

        if (current is not null)
        {
            yield return current;
        }
    }

    private static bool IsHeader(string header, string name) =>
        header.Length > name.Length && header[name.Length] == ':' && header.StartsWith(name, StringComparison.OrdinalIgnoreCase);

    private static string? FirstAddress(List<string> headers, string name) => Addresses(headers, name).FirstOrDefault();

    /// <summary>The mailboxes of every <paramref name="name"/> header: the <c>&lt;...&gt;</c> part or the bare address of each comma-separated item.</summary>
    private static List<string> Addresses(List<string> headers, string name)
    {
        var result = new List<string>();
        foreach (var header in headers.Where(h => IsHeader(h, name)))
        {
            var value = header[(name.Length + 1)..].Replace("\r\n", " ", StringComparison.Ordinal);
            foreach (var item in SplitList(value))
            {
                var lt = item.LastIndexOf('<');
                var gt = item.LastIndexOf('>');
                var address = lt >= 0 && gt > lt ? item[(lt + 1)..gt] : item.Split(' ', StringSplitOptions.RemoveEmptyEntries).FirstOrDefault(p => p.Contains('@', StringComparison.Ordinal));
                if (!string.IsNullOrWhiteSpace(address))
                {
                    result.Add(address.Trim());
                }
            }
        }

        return result;
    }

    // Commas inside quotes or angle brackets do not separate.
    private static IEnumerable<string> SplitList(string value)
    {
        var start = 0;
        var quoted = false;
        var angle = false;
        for (var i = 0; i < value.Length; i++)
        {
            switch (value[i])
            {
                case '"': quoted = !quoted; break;
                case '<' when !quoted: angle = true; break;
                case '>' when !quoted: angle = false; break;
                case ',' when !quoted && !angle:
                    yield return value[start..i].Trim();
                    start = i + 1;
                    break;
            }
        }

        yield return value[start..].Trim();
    }
}
