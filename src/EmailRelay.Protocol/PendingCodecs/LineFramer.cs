using System.Buffers;

namespace EmailRelay.Protocol.Text;

/// <summary>Stand-in until the codecs branch is merged.</summary>
internal static class LineFramer
{
    /// <summary>Frames one line ending in LF (CRLF stripped).</summary>
    public static LineStatus TryReadLine(in ReadOnlySequence<byte> buffer, int maxLength, out ReadOnlySequence<byte> line, out SequencePosition next)
    {
        var window = buffer.Length > maxLength ? buffer.Slice(0, maxLength) : buffer;
        var lf = window.PositionOf((byte)'\n');
        if (lf is null)
        {
            line = default;
            next = window.End;
            return buffer.Length >= maxLength ? LineStatus.TooLong : LineStatus.Incomplete;
        }

        line = buffer.Slice(0, lf.Value);
        if (line.Length > 0 && line.Slice(line.Length - 1).FirstSpan[0] == (byte)'\r')
        {
            line = line.Slice(0, line.Length - 1);
        }

        next = buffer.GetPosition(1, lf.Value);
        return LineStatus.Line;
    }
}
