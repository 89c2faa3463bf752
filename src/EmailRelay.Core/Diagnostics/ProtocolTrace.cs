namespace EmailRelay.Diagnostics;

/// <summary>
/// The one redaction point of the protocol traces (differences.md 12: secrets are never logged, at any level):
/// every traced command line of the SMTP server, the POP server and the SMTP client goes through
/// <see cref="Redact"/>, and a SASL response line is never traced at all (<see cref="AuthResponseNotLogged"/>
/// stands in its place). The drivers log the returned text at Debug level (verbose), as
/// <c>rx&lt;&lt;: "..."</c> and <c>tx&gt;&gt;: "..."</c>, and a SASL response as
/// <c>rx&lt;&lt;: [authentication response not logged]</c> (reference §k).
/// </summary>
public static class ProtocolTrace
{
    /// <summary>The text logged in place of a SASL response line.</summary>
    public const string AuthResponseNotLogged = "[authentication response not logged]";

    /// <summary>The text logged in place of a POP password or APOP digest.</summary>
    public const string PasswordNotLogged = "[password not logged]";

    /// <summary>
    /// Removes secrets from one command line (without its CRLF): <c>PASS &lt;pw&gt;</c> → <c>PASS [password not logged]</c>;
    /// <c>AUTH &lt;mech&gt; &lt;initial-response&gt;</c> → <c>AUTH &lt;mech&gt; [authentication response not logged]</c>;
    /// <c>APOP &lt;user&gt; &lt;digest&gt;</c> → <c>APOP &lt;user&gt; [password not logged]</c>. Words are separated
    /// by spaces or tabs, verbs compared without case. Other lines are returned unchanged.
    /// </summary>
    public static string Redact(string line)
    {
        ArgumentNullException.ThrowIfNull(line);
        var trimmed = line.AsSpan().TrimStart(" \t");
        if (StartsWithWord(trimmed, "PASS"))
        {
            return "PASS " + PasswordNotLogged;
        }

        if (StartsWithWord(trimmed, "AUTH") || StartsWithWord(trimmed, "APOP"))
        {
            var parts = line.Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries);
            if (parts.Length > 2)
            {
                return parts[0] + " " + parts[1] + " " + (StartsWithWord(trimmed, "APOP") ? PasswordNotLogged : AuthResponseNotLogged);
            }
        }

        return line;
    }

    private static bool StartsWithWord(ReadOnlySpan<char> line, string word) =>
        line.StartsWith(word, StringComparison.OrdinalIgnoreCase) && (line.Length == word.Length || line[word.Length] is ' ' or '\t');
}
