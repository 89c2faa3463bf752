using System.Buffers;

namespace EmailRelay.Protocol.Text;

/// <summary>
/// Bounded line framing over a <see cref="ReadOnlySequence{T}"/> of protocol input.
/// </summary>
/// <remarks>
/// A line ends in CRLF; a bare LF also ends it, and the CR before the LF (if any) is not part of
/// the line. A bare CR inside a line is content. <c>maxLength</c> counts the whole line
/// <em>including</em> its terminator (RFC 5321 §4.5.3.1.4 counts the CRLF in the 512-octet limit):
/// a line whose LF is at index <c>maxLength - 1</c> or earlier is accepted. Only the first
/// <c>maxLength</c> bytes are ever scanned (the trimmed-slice check Kestrel uses), so a peer that
/// never sends a newline costs O(maxLength) per call, not O(buffer).
/// <para>
/// Calling sequence for a driver: call in a loop; on <see cref="LineStatus.Line"/> handle
/// <c>line</c> and advance to <c>next</c>; on <see cref="LineStatus.Incomplete"/> advance nothing
/// (examined = end) and read more; on <see cref="LineStatus.TooLong"/> advance to <c>next</c>,
/// remember that the current line is being drained, and keep calling: the next
/// <see cref="LineStatus.Line"/> is the tail of the overlong line (discard it and reply with an error).
/// </para>
/// </remarks>
internal static class LineFramer
{
    private const byte Cr = (byte)'\r';
    private const byte Lf = (byte)'\n';

    /// <summary>Finds the next line in <paramref name="buffer"/>.</summary>
    /// <param name="buffer">The unconsumed input.</param>
    /// <param name="maxLength">The longest acceptable line, terminator included; at least 1.</param>
    /// <param name="line">For <see cref="LineStatus.Line"/>: the content without the terminator; otherwise empty.</param>
    /// <param name="next">For <see cref="LineStatus.Line"/>: the position after the terminator.
    /// For <see cref="LineStatus.TooLong"/>: the position after <paramref name="maxLength"/> bytes.
    /// For <see cref="LineStatus.Incomplete"/>: <c>buffer.Start</c>.</param>
    public static LineStatus TryReadLine(in ReadOnlySequence<byte> buffer, int maxLength, out ReadOnlySequence<byte> line, out SequencePosition next)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxLength, 1);

        if (buffer.IsSingleSegment)
        {
            ReadOnlySpan<byte> span = buffer.FirstSpan;
            ReadOnlySpan<byte> window = span.Length > maxLength ? span[..maxLength] : span;
            int lf = window.IndexOf(Lf);
            if (lf >= 0)
            {
                int end = lf > 0 && window[lf - 1] == Cr ? lf - 1 : lf;
                line = buffer.Slice(0, end);
                next = buffer.GetPosition(lf + 1);
                return LineStatus.Line;
            }

            return NoTerminator(buffer, maxLength, out line, out next);
        }

        return TryReadLineMultiSegment(buffer, maxLength, out line, out next);
    }

    private static LineStatus TryReadLineMultiSegment(in ReadOnlySequence<byte> buffer, int maxLength, out ReadOnlySequence<byte> line, out SequencePosition next)
    {
        ReadOnlySequence<byte> window = buffer.Length > maxLength ? buffer.Slice(0, maxLength) : buffer;
        long offset = 0;
        byte previous = 0;
        foreach (ReadOnlyMemory<byte> memory in window)
        {
            ReadOnlySpan<byte> span = memory.Span;
            int lf = span.IndexOf(Lf);
            if (lf >= 0)
            {
                byte before = lf > 0 ? span[lf - 1] : previous;
                long lfIndex = offset + lf;
                line = buffer.Slice(0, before == Cr ? lfIndex - 1 : lfIndex);
                next = buffer.GetPosition(lfIndex + 1);
                return LineStatus.Line;
            }

            if (span.Length > 0)
            {
                previous = span[^1];
            }

            offset += span.Length;
        }

        return NoTerminator(buffer, maxLength, out line, out next);
    }

    private static LineStatus NoTerminator(in ReadOnlySequence<byte> buffer, int maxLength, out ReadOnlySequence<byte> line, out SequencePosition next)
    {
        line = default;
        if (buffer.Length < maxLength)
        {
            next = buffer.Start;
            return LineStatus.Incomplete;
        }

        next = buffer.GetPosition(maxLength);
        return LineStatus.TooLong;
    }
}
