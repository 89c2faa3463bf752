using System.Buffers;

namespace EmailRelay.Protocol.Smtp;

/// <summary>
/// Incremental encoder for SMTP DATA content (RFC 5321 §4.5.2), the mirror of
/// <see cref="SmtpDataDecoder"/>: dot-stuffs every line that starts with <c>.</c> and sends every
/// line ending (CRLF, bare LF or bare CR) as CRLF (reference §i step 10).
/// </summary>
/// <remarks>
/// Calling sequence: <see cref="Encode"/> for each piece of content, then <see cref="Complete"/>,
/// which writes the end-of-data marker into the same output so the caller can send it together with
/// the last piece of body. The encoder is then ready for the next message (as after
/// <see cref="Reset"/>). Carried state is two flags: at line start, and a CR whose LF may follow in
/// the next piece.
/// </remarks>
internal sealed class SmtpDataEncoder
{
    private const byte Cr = (byte)'\r';
    private const byte Lf = (byte)'\n';
    private const byte Dot = (byte)'.';

    private static readonly SearchValues<byte> s_lineEndings = SearchValues.Create("\r\n"u8);

    private bool _atLineStart = true;
    private bool _pendingCr;

    /// <summary>Encodes the next piece of content.</summary>
    public void Encode(ReadOnlySpan<byte> content, IBufferWriter<byte> output)
    {
        ArgumentNullException.ThrowIfNull(output);
        int i = 0;
        if (_pendingCr && !content.IsEmpty)
        {
            output.Write("\r\n"u8);
            _pendingCr = false;
            _atLineStart = true;
            if (content[0] == Lf)
            {
                i = 1;
            }
        }

        while (i < content.Length)
        {
            if (_atLineStart && content[i] == Dot)
            {
                output.Write("."u8);
            }

            int found = content[i..].IndexOfAny(s_lineEndings);
            if (found < 0)
            {
                output.Write(content[i..]);
                _atLineStart = false;
                return;
            }

            int at = i + found;
            if (content[at] == Cr && at + 1 < content.Length && content[at + 1] == Lf)
            {
                output.Write(content[i..(at + 2)]);
                i = at + 2;
            }
            else if (content[at] == Cr && at + 1 == content.Length)
            {
                output.Write(content[i..at]);
                _pendingCr = true;
                _atLineStart = false;
                return;
            }
            else
            {
                output.Write(content[i..at]);
                output.Write("\r\n"u8);
                i = at + 1;
            }

            _atLineStart = true;
        }
    }

    /// <summary>Writes the end-of-data marker: <c>.&lt;CRLF&gt;</c> at a line start, else
    /// <c>&lt;CRLF&gt;.&lt;CRLF&gt;</c>; then resets for the next message.</summary>
    public void Complete(IBufferWriter<byte> output)
    {
        ArgumentNullException.ThrowIfNull(output);
        // A held CR is never at line start: its CRLF goes out before the dot.
        output.Write(_atLineStart ? ".\r\n"u8 : "\r\n.\r\n"u8);

        Reset();
    }

    /// <summary>Forgets any carried state and starts a new message.</summary>
    public void Reset()
    {
        _atLineStart = true;
        _pendingCr = false;
    }
}
