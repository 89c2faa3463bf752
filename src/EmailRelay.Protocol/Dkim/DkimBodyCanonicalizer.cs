using System.Buffers;

namespace EmailRelay.Protocol.Dkim;

/// <summary>
/// Incremental DKIM body canonicalization (RFC 6376 §3.4.3 <c>simple</c>, §3.4.4 <c>relaxed</c>, with erratum 3133:
/// an empty body is empty under <c>relaxed</c> and one CRLF under <c>simple</c>). Feed the body in chunks of any size
/// with <see cref="Append"/>, then call <see cref="Finish"/> once; the canonical bytes go to the sink as they become
/// certain, so the state is a few flags and a count, whatever the body's size.
/// </summary>
/// <remarks>
/// A line ends at CRLF or at a bare LF (the forwarder sends both as CRLF); a bare CR is text. A body without a final
/// line end gets one. Trailing empty lines are counted, not held: they are written only when text follows them.
/// </remarks>
internal sealed class DkimBodyCanonicalizer
{
    private static readonly SearchValues<byte> s_relaxedSpecials = SearchValues.Create("\r\n \t"u8);
    private static readonly byte[] s_crlfBlock = CrlfBlock(64);

    private readonly bool _relaxed;
    private readonly IByteSink _sink;
    private long _pendingEmptyLines;
    private bool _lineHasText;
    private bool _pendingCr;
    private bool _pendingSpace;
    private bool _wroteAnything;

    /// <summary>Creates a canonicalizer writing to <paramref name="sink"/>.</summary>
    public DkimBodyCanonicalizer(DkimCanonicalization mode, IByteSink sink)
    {
        ArgumentNullException.ThrowIfNull(sink);
        _relaxed = mode == DkimCanonicalization.Relaxed;
        _sink = sink;
    }

    /// <summary>Takes the next chunk of the body.</summary>
    public void Append(ReadOnlySpan<byte> data)
    {
        while (!data.IsEmpty)
        {
            if (_pendingCr)
            {
                _pendingCr = false;
                if (data[0] == (byte)'\n')
                {
                    EndLine();
                    data = data[1..];
                    continue;
                }

                Text("\r"u8);
            }

            int special = _relaxed ? data.IndexOfAny(s_relaxedSpecials) : data.IndexOfAny((byte)'\r', (byte)'\n');
            if (special < 0)
            {
                Text(data);
                return;
            }

            if (special > 0)
            {
                Text(data[..special]);
            }

            switch (data[special])
            {
                case (byte)'\r':
                    _pendingCr = true;
                    break;
                case (byte)'\n':
                    EndLine();
                    break;
                default:
                    _pendingSpace = true;
                    break;
            }

            data = data[(special + 1)..];
        }
    }

    /// <summary>Ends the body: writes a missing final line end (or the lone CRLF of an empty <c>simple</c> body).</summary>
    public void Finish()
    {
        if (_pendingCr)
        {
            _pendingCr = false;
            Text("\r"u8);
        }

        if (_lineHasText)
        {
            _sink.Write("\r\n"u8);
            _lineHasText = false;
        }

        _pendingSpace = false;
        _pendingEmptyLines = 0;
        if (!_wroteAnything && !_relaxed)
        {
            _sink.Write("\r\n"u8);
            _wroteAnything = true;
        }
    }

    private static byte[] CrlfBlock(int lines)
    {
        var block = new byte[lines * 2];
        for (int i = 0; i < block.Length; i += 2)
        {
            block[i] = (byte)'\r';
            block[i + 1] = (byte)'\n';
        }

        return block;
    }

    private void Text(ReadOnlySpan<byte> text)
    {
        if (!_lineHasText)
        {
            while (_pendingEmptyLines > 0)
            {
                int lines = (int)Math.Min(_pendingEmptyLines, s_crlfBlock.Length / 2);
                _sink.Write(s_crlfBlock.AsSpan(0, lines * 2));
                _pendingEmptyLines -= lines;
            }

            _lineHasText = true;
        }

        if (_pendingSpace)
        {
            _sink.Write(" "u8);
            _pendingSpace = false;
        }

        _sink.Write(text);
        _wroteAnything = true;
    }

    private void EndLine()
    {
        _pendingSpace = false;
        if (_lineHasText)
        {
            _sink.Write("\r\n"u8);
            _lineHasText = false;
        }
        else
        {
            _pendingEmptyLines++;
        }
    }
}
