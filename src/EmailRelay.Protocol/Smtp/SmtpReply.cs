using System.Buffers;
using System.Text;

namespace EmailRelay.Protocol.Smtp;

/// <summary>
/// One SMTP reply: a three-digit code and one or more text lines. Rendered as
/// <c>250-first</c> … <c>250 last</c>, each line ending in CRLF (RFC 5321 §4.2.1).
/// Fixed replies are pre-encoded once (<see cref="Fixed"/>) so writing them does not allocate.
/// </summary>
internal readonly record struct SmtpReply
{
    private readonly string[] _lines;
    private readonly byte[]? _encoded;

    private SmtpReply(int code, string[] lines, bool preEncode)
    {
        Code = code;
        _lines = lines;
        _encoded = preEncode ? Encode(code, lines) : null;
    }

    /// <summary>The reply code, e.g. 250.</summary>
    public int Code { get; }

    /// <summary>The text lines (at least one).</summary>
    public IReadOnlyList<string> Lines => _lines ?? [];

    /// <summary>The text of the last (or only) line.</summary>
    public string Text => _lines is { Length: > 0 } l ? l[^1] : "";

    /// <summary>True for 4xx and 5xx replies.</summary>
    public bool IsError => Code >= 400;

    /// <summary>A single-line reply.</summary>
    public static SmtpReply Create(int code, string text) => new(code, [text], false);

    /// <summary>A multi-line reply (EHLO).</summary>
    public static SmtpReply Create(int code, IEnumerable<string> lines)
    {
        ArgumentNullException.ThrowIfNull(lines);
        var array = lines.ToArray();
        ArgumentOutOfRangeException.ThrowIfZero(array.Length);
        return new(code, array, false);
    }

    /// <summary>A single-line reply whose wire bytes are encoded once, for replies that never change.</summary>
    public static SmtpReply Fixed(int code, string text) => new(code, [text], true);

    /// <summary>The number of octets <see cref="WriteTo"/> writes.</summary>
    public int EncodedLength
    {
        get
        {
            if (_encoded is not null)
            {
                return _encoded.Length;
            }

            var total = 0;
            foreach (var line in Lines)
            {
                total += 4 + Encoding.UTF8.GetByteCount(line) + 2;
            }

            return total;
        }
    }

    /// <summary>Writes the reply in wire form, every line CRLF-terminated.</summary>
    public void WriteTo(IBufferWriter<byte> writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        if (_encoded is not null)
        {
            writer.Write(_encoded);
            return;
        }

        var lines = Lines;
        for (var i = 0; i < lines.Count; i++)
        {
            var line = lines[i];
            var length = 4 + Encoding.UTF8.GetByteCount(line) + 2;
            var span = writer.GetSpan(length);
            WriteCode(span, Code, i == lines.Count - 1 ? (byte)' ' : (byte)'-');
            var n = Encoding.UTF8.GetBytes(line, span[4..]);
            span[4 + n] = (byte)'\r';
            span[5 + n] = (byte)'\n';
            writer.Advance(6 + n);
        }
    }

    /// <summary>The wire form without the final CRLF (lines joined by CRLF), for logs and tests.</summary>
    public override string ToString()
    {
        var builder = new StringBuilder();
        var lines = Lines;
        for (var i = 0; i < lines.Count; i++)
        {
            if (i > 0)
            {
                builder.Append("\r\n");
            }

            builder.Append(Code).Append(i == lines.Count - 1 ? ' ' : '-').Append(lines[i]);
        }

        return builder.ToString();
    }

    /// <summary>Equality by code and text.</summary>
    public bool Equals(SmtpReply other) => Code == other.Code && Lines.SequenceEqual(other.Lines, StringComparer.Ordinal);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(Code, Text);

    private static byte[] Encode(int code, string[] lines)
    {
        var writer = new ArrayBufferWriter<byte>();
        new SmtpReply(code, lines, false).WriteTo(writer);
        return writer.WrittenSpan.ToArray();
    }

    private static void WriteCode(Span<byte> span, int code, byte separator)
    {
        span[0] = (byte)('0' + (code / 100 % 10));
        span[1] = (byte)('0' + (code / 10 % 10));
        span[2] = (byte)('0' + (code % 10));
        span[3] = separator;
    }
}
