using System.Buffers;

namespace EmailRelay.Protocol.Tests.Text;

/// <summary>Builds multi-segment <see cref="ReadOnlySequence{T}"/>s for split-point tests.</summary>
internal static class SequenceBuilder
{
    /// <summary>A sequence with one segment per chunk (empty chunks give empty segments).</summary>
    public static ReadOnlySequence<byte> Create(params byte[][] chunks)
    {
        if (chunks.Length == 0)
        {
            return ReadOnlySequence<byte>.Empty;
        }

        var first = new Segment(chunks[0], 0);
        Segment last = first;
        for (int i = 1; i < chunks.Length; i++)
        {
            last = last.Append(chunks[i]);
        }

        return new ReadOnlySequence<byte>(first, 0, last, last.Memory.Length);
    }

    /// <summary>The data split in two at <paramref name="splitAt"/>.</summary>
    public static ReadOnlySequence<byte> Split(byte[] data, int splitAt)
        => Create(data[..splitAt], data[splitAt..]);

    /// <summary>The data as one segment per byte.</summary>
    public static ReadOnlySequence<byte> BytePerSegment(byte[] data)
        => data.Length == 0 ? ReadOnlySequence<byte>.Empty : Create(data.Select(b => new[] { b }).ToArray());

    /// <summary>Every two-way split, plus one-byte segments, plus an empty leading segment.</summary>
    public static IEnumerable<ReadOnlySequence<byte>> AllShapes(byte[] data)
    {
        yield return new ReadOnlySequence<byte>(data);
        for (int k = 0; k <= data.Length; k++)
        {
            yield return Split(data, k);
        }

        yield return BytePerSegment(data);
        yield return Create([], data, []);
    }

    private sealed class Segment : ReadOnlySequenceSegment<byte>
    {
        public Segment(ReadOnlyMemory<byte> memory, long runningIndex)
        {
            Memory = memory;
            RunningIndex = runningIndex;
        }

        public Segment Append(ReadOnlyMemory<byte> memory)
        {
            var next = new Segment(memory, RunningIndex + Memory.Length);
            Next = next;
            return next;
        }
    }
}
