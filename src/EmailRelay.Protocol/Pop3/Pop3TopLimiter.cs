namespace EmailRelay.Protocol.Pop3;

/// <summary>
/// Incremental cut-off for TOP (RFC 1939 §7): passes the headers, the blank line that ends them, and
/// then the given number of body lines. Feed content pieces in order to <see cref="Take"/> until
/// <see cref="IsDone"/>.
/// </summary>
internal sealed class Pop3TopLimiter
{
    private int _bodyLinesLeft;
    private bool _inHeaders = true;
    private bool _lineHasText;

    /// <summary>Creates a limiter for <paramref name="bodyLines"/> body lines.</summary>
    public Pop3TopLimiter(int bodyLines)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(bodyLines);
        _bodyLinesLeft = bodyLines;
    }

    /// <summary>True once everything TOP sends has been taken.</summary>
    public bool IsDone { get; private set; }

    /// <summary>How many leading octets of <paramref name="content"/> belong to the TOP output.</summary>
    public int Take(ReadOnlySpan<byte> content)
    {
        for (int i = 0; i < content.Length && !IsDone; i++)
        {
            byte b = content[i];
            if (b != (byte)'\n')
            {
                _lineHasText |= b != (byte)'\r';
                continue;
            }

            if (_inHeaders)
            {
                _inHeaders = _lineHasText;
                IsDone = !_inHeaders && _bodyLinesLeft == 0;
            }
            else
            {
                _bodyLinesLeft--;
                IsDone = _bodyLinesLeft == 0;
            }

            _lineHasText = false;
            if (IsDone)
            {
                return i + 1;
            }
        }

        return content.Length;
    }
}
