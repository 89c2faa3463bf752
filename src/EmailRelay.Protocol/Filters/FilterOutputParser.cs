using System.Text;

namespace EmailRelay.Protocol.Filters;

/// <summary>
/// Parses an external filter's stdout (reference §c, "Output"): only the first
/// <see cref="MaxOutputBytes"/> bytes count; lines split on CR, LF or CRLF; lines starting with
/// <c>&lt;&lt;</c> and containing <c>&gt;&gt;</c>, or starting with <c>[[</c> and containing <c>]]</c>, are
/// collected (the text inside is kept), everything else is ignored. The first collected line is the
/// response (default <c>rejected</c>), the second the reason (default the response). A response
/// starting with <c>4nn</c>/<c>5nn</c> followed by a space, tab or its end gives the response code and
/// loses that prefix.
/// </summary>
/// <remarks>
/// The default reason is the response after its code was removed (<c>&lt;&lt;553 no thanks&gt;&gt;</c>
/// gives reason <c>no thanks</c>). A response that was only a code falls back to <c>rejected</c>.
/// Bytes are decoded as UTF-8, invalid sequences replaced.
/// </remarks>
internal static class FilterOutputParser
{
    /// <summary>How much of stdout is read (E-MailRelay compat).</summary>
    public const int MaxOutputBytes = 1024;

    /// <summary>Parses the captured stdout; bytes past <see cref="MaxOutputBytes"/> are ignored.</summary>
    public static FilterOutput Parse(ReadOnlySpan<byte> stdout)
    {
        if (stdout.Length > MaxOutputBytes)
        {
            stdout = stdout[..MaxOutputBytes];
        }

        string? response = null;
        string? reason = null;
        while (!stdout.IsEmpty && reason is null)
        {
            var end = stdout.IndexOfAny((byte)'\r', (byte)'\n');
            var line = end < 0 ? stdout : stdout[..end];
            stdout = end < 0 ? default : stdout[(end + 1)..];
            if (TryCollect(line, out var text))
            {
                if (response is null)
                {
                    response = text;
                }
                else
                {
                    reason = text;
                }
            }
        }

        if (response is null)
        {
            return FilterOutput.Empty;
        }

        var code = TakeResponseCode(ref response);
        if (response.Length == 0)
        {
            response = FilterOutput.DefaultResponse;
        }

        return new FilterOutput(response, code, reason ?? response);
    }

    /// <summary>
    /// Removes a leading <c>4nn</c>/<c>5nn</c> code followed by a space, tab or the end of the text,
    /// and returns it; returns 0 and leaves the text alone otherwise.
    /// </summary>
    internal static int TakeResponseCode(ref string response)
    {
        if (response.Length < 3
            || response[0] is not ('4' or '5')
            || !char.IsAsciiDigit(response[1])
            || !char.IsAsciiDigit(response[2])
            || (response.Length > 3 && response[3] is not (' ' or '\t')))
        {
            return 0;
        }

        var code = ((response[0] - '0') * 100) + ((response[1] - '0') * 10) + (response[2] - '0');
        response = response.Length > 3 ? response[4..] : "";
        return code;
    }

    private static bool TryCollect(ReadOnlySpan<byte> line, out string text)
    {
        text = "";
        if (line.Length < 2)
        {
            return false;
        }

        ReadOnlySpan<byte> close;
        if (line.StartsWith("<<"u8))
        {
            close = ">>"u8;
        }
        else if (line.StartsWith("[["u8))
        {
            close = "]]"u8;
        }
        else
        {
            return false;
        }

        var inner = line[2..];
        var stop = inner.IndexOf(close);
        if (stop < 0)
        {
            return false;
        }

        text = Encoding.UTF8.GetString(inner[..stop]);
        return true;
    }
}
