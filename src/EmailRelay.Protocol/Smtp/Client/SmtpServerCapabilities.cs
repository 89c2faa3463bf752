namespace EmailRelay.Protocol.Smtp.Client;

/// <summary>The EHLO keywords the client acts on (RFC 5321 §4.1.1.1; 1652, 3030, 2920, 6531, 4954, 3207).</summary>
internal sealed record SmtpServerCapabilities
{
    /// <summary>None: the server answered HELO, or nothing yet.</summary>
    public static SmtpServerCapabilities None { get; } = new();

    /// <summary><c>8BITMIME</c>.</summary>
    public bool EightBitMime { get; init; }

    /// <summary><c>BINARYMIME</c>.</summary>
    public bool BinaryMime { get; init; }

    /// <summary><c>CHUNKING</c>.</summary>
    public bool Chunking { get; init; }

    /// <summary><c>SMTPUTF8</c>.</summary>
    public bool SmtpUtf8 { get; init; }

    /// <summary><c>PIPELINING</c>.</summary>
    public bool Pipelining { get; init; }

    /// <summary><c>STARTTLS</c>.</summary>
    public bool StartTls { get; init; }

    /// <summary>The mechanisms of the <c>AUTH</c> keyword, upper case; empty if not offered.</summary>
    public IReadOnlyList<string> AuthMechanisms { get; init; } = [];

    /// <summary>Parses the lines of a 250 EHLO reply (the first line is the server's name and is skipped).</summary>
    /// <param name="lines">The reply lines, without codes.</param>
    /// <returns>The capabilities.</returns>
    public static SmtpServerCapabilities Parse(IReadOnlyList<string> lines)
    {
        ArgumentNullException.ThrowIfNull(lines);
        var result = new SmtpServerCapabilities();
        for (var i = 1; i < lines.Count; i++)
        {
            var words = lines[i].Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (words.Length == 0)
            {
                continue;
            }

            var keyword = words[0].ToUpperInvariant();
            result = keyword switch
            {
                "8BITMIME" => result with { EightBitMime = true },
                "BINARYMIME" => result with { BinaryMime = true },
                "CHUNKING" => result with { Chunking = true },
                "SMTPUTF8" => result with { SmtpUtf8 = true },
                "PIPELINING" => result with { Pipelining = true },
                "STARTTLS" => result with { StartTls = true },
                "AUTH" => result with { AuthMechanisms = [.. words.Skip(1).Select(w => w.ToUpperInvariant())] },
                _ => result,
            };
        }

        return result;
    }
}
