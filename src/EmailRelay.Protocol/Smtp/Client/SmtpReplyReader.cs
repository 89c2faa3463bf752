namespace EmailRelay.Protocol.Smtp.Client;

/// <summary>
/// Assembles SMTP replies (RFC 5321 §4.2) from the lines a server sends: <c>250-first</c>, <c>250 last</c>.
/// A line without a three-digit code, or a continuation whose code differs, is a protocol error.
/// </summary>
internal sealed class SmtpReplyReader
{
    /// <summary>The longest reply line accepted, terminator included (RFC 5321 §4.5.3.1.5 says 512; we allow more).</summary>
    public const int MaxLineLength = 4096;

    /// <summary>The most lines one reply may have, so a hostile server cannot grow memory without bound.</summary>
    public const int MaxLines = 200;

    private readonly List<string> _lines = [];
    private int _code;

    /// <summary>Adds one line (without its terminator).</summary>
    /// <param name="line">The line.</param>
    /// <param name="reply">The completed reply when the result is <see cref="ReplyLineResult.Complete"/>.</param>
    /// <returns>Whether the reply is complete, needs more lines, or is malformed.</returns>
    public ReplyLineResult Add(string line, out SmtpReply reply)
    {
        ArgumentNullException.ThrowIfNull(line);
        reply = default;
        if (line.Length < 3 || !IsDigit(line[0]) || !IsDigit(line[1]) || !IsDigit(line[2])
            || line[0] < '1' || line[0] > '5'
            || (line.Length > 3 && line[3] != ' ' && line[3] != '-'))
        {
            Reset();
            return ReplyLineResult.Invalid;
        }

        var code = ((line[0] - '0') * 100) + ((line[1] - '0') * 10) + (line[2] - '0');
        if (_lines.Count > 0 && code != _code)
        {
            Reset();
            return ReplyLineResult.Invalid;
        }

        _code = code;
        _lines.Add(line.Length > 4 ? line[4..] : "");
        if (line.Length > 3 && line[3] == '-')
        {
            if (_lines.Count >= MaxLines)
            {
                Reset();
                return ReplyLineResult.Invalid;
            }

            return ReplyLineResult.NeedMore;
        }

        reply = SmtpReply.Create(code, _lines);
        Reset();
        return ReplyLineResult.Complete;
    }

    private void Reset()
    {
        _lines.Clear();
        _code = 0;
    }

    private static bool IsDigit(char c) => c is >= '0' and <= '9';
}
