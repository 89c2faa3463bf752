namespace EmailRelay.Diagnostics;

/// <summary>
/// Builds E-MailRelay's protocol trace texts (<c>rx&lt;&lt;: "..."</c>, <c>tx&gt;&gt;: "..."</c>) and redacts
/// secrets before anything reaches a log (differences.md 12): SASL responses become
/// <c>rx&lt;&lt;: [authentication response not logged]</c>, POP <c>PASS x</c> becomes
/// <c>PASS [password not logged]</c>, and an initial response on <c>AUTH &lt;mech&gt; &lt;resp&gt;</c> is dropped.
/// Drivers log the returned text at Debug level (verbose).
/// </summary>
public static class ProtocolTrace
{
    /// <summary>The text logged in place of a SASL response line.</summary>
    public const string AuthResponseNotLogged = "[authentication response not logged]";

    /// <summary>The text logged in place of a POP password.</summary>
    public const string PasswordNotLogged = "[password not logged]";

    /// <summary>The trace of a received command line, redacted.</summary>
    /// <param name="line">The line without CRLF.</param>
    /// <param name="isAuthResponse">True while the session waits for a SASL response: the whole line is secret.</param>
    public static string Received(string line, bool isAuthResponse = false)
    {
        ArgumentNullException.ThrowIfNull(line);
        return isAuthResponse ? "rx<<: " + AuthResponseNotLogged : "rx<<: \"" + Redact(line) + "\"";
    }

    /// <summary>The trace of a sent line, redacted (our SMTP client sends AUTH with initial responses too).</summary>
    /// <param name="line">The line without CRLF.</param>
    /// <param name="isAuthResponse">True when the line answers a SASL challenge.</param>
    public static string Sent(string line, bool isAuthResponse = false)
    {
        ArgumentNullException.ThrowIfNull(line);
        return isAuthResponse ? "tx>>: " + AuthResponseNotLogged : "tx>>: \"" + Redact(line) + "\"";
    }

    /// <summary>
    /// Removes secrets from one command line: <c>PASS &lt;pw&gt;</c> → <c>PASS [password not logged]</c>;
    /// <c>AUTH &lt;mech&gt; &lt;initial-response&gt;</c> → <c>AUTH &lt;mech&gt; [authentication response not logged]</c>;
    /// <c>APOP &lt;user&gt; &lt;digest&gt;</c> keeps the user only. Other lines are returned unchanged.
    /// </summary>
    public static string Redact(string line)
    {
        ArgumentNullException.ThrowIfNull(line);
        var trimmed = line.AsSpan().TrimStart();
        if (StartsWithWord(trimmed, "PASS"))
        {
            return "PASS " + PasswordNotLogged;
        }

        if (StartsWithWord(trimmed, "AUTH") || StartsWithWord(trimmed, "APOP"))
        {
            var parts = line.Trim().Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (parts.Length > 2)
            {
                return parts[0] + " " + parts[1] + " " + (StartsWithWord(trimmed, "APOP") ? PasswordNotLogged : AuthResponseNotLogged);
            }
        }

        return line;
    }

    private static bool StartsWithWord(ReadOnlySpan<char> line, string word) =>
        line.StartsWith(word, StringComparison.OrdinalIgnoreCase) && (line.Length == word.Length || line[word.Length] == ' ');
}
