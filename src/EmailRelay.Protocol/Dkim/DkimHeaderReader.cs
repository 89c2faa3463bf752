using System.Text;

namespace EmailRelay.Protocol.Dkim;

/// <summary>
/// Finds the header section at the start of a message fed in chunks of any size, and splits it into fields. The
/// section ends at the first empty line (CRLF or a bare LF), or at the end of the input. Only the section is held,
/// and at most <see cref="MaxHeaderBytes"/> of it: a longer one sets <see cref="IsTooLong"/> and stops.
/// </summary>
internal sealed class DkimHeaderReader
{
    /// <summary>The most header bytes read (a header section this long is a broken or hostile message).</summary>
    public const int MaxHeaderBytes = 1024 * 1024;

    private byte[] _buffer = new byte[4096];
    private int _length;
    private int _lineStart;

    /// <summary>True once the header section has ended (or was too long).</summary>
    public bool IsComplete { get; private set; }

    /// <summary>True if the header section was longer than <see cref="MaxHeaderBytes"/>.</summary>
    public bool IsTooLong { get; private set; }

    /// <summary>The bytes of the input that are header section and its empty line: the body starts there.</summary>
    public long BodyOffset { get; private set; }

    /// <summary>Takes the next chunk; returns how many of its bytes belong to the header section (the rest is body).</summary>
    public int Append(ReadOnlySpan<byte> data)
    {
        int consumed = 0;
        while (!IsComplete && consumed < data.Length)
        {
            var rest = data[consumed..];
            int lf = rest.IndexOf((byte)'\n');
            int take = lf < 0 ? rest.Length : lf + 1;
            if (_length + take > MaxHeaderBytes)
            {
                IsTooLong = true;
                IsComplete = true;
                return consumed;
            }

            Store(rest[..take]);
            consumed += take;
            BodyOffset += take;
            if (lf >= 0)
            {
                int lineLength = _length - _lineStart;
                if (lineLength == 1 || (lineLength == 2 && _buffer[_lineStart] == (byte)'\r'))
                {
                    _length = _lineStart;
                    IsComplete = true;
                }

                _lineStart = _length;
            }
        }

        return consumed;
    }

    /// <summary>Marks the end of the input: a message that is all header has an empty body.</summary>
    public void Finish() => IsComplete = true;

    /// <summary>The header fields in order, split at lines that do not start with whitespace.</summary>
    public IReadOnlyList<DkimHeaderField> Fields()
    {
        var fields = new List<DkimHeaderField>();
        var memory = new ReadOnlyMemory<byte>(_buffer, 0, _length);
        int start = 0;
        int position = 0;
        while (position < _length)
        {
            int lf = memory.Span[position..].IndexOf((byte)'\n');
            int next = lf < 0 ? _length : position + lf + 1;
            bool continues = next < _length && _buffer[next] is (byte)' ' or (byte)'\t';
            if (!continues)
            {
                fields.Add(new DkimHeaderField(NameOf(memory.Span[start..next]), memory[start..next]));
                start = next;
            }

            position = next;
        }

        return fields;
    }

    private static string NameOf(ReadOnlySpan<byte> field)
    {
        int colon = field.IndexOf((byte)':');
        if (colon <= 0 || field[0] is (byte)' ' or (byte)'\t')
        {
            return "";
        }

        return Encoding.Latin1.GetString(field[..colon].TrimEnd(" \t"u8));
    }

    private void Store(ReadOnlySpan<byte> data)
    {
        if (_length + data.Length > _buffer.Length)
        {
            Array.Resize(ref _buffer, Math.Min(MaxHeaderBytes, Math.Max(_buffer.Length * 2, _length + data.Length)));
        }

        data.CopyTo(_buffer.AsSpan(_length));
        _length += data.Length;
    }
}
