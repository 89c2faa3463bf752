using System.Buffers;
using System.Text;
using BenchmarkDotNet.Attributes;
using EmailRelay.Protocol.Text;

namespace EmailRelay.Benchmarks;

/// <summary>Frames a pipelined batch of typical SMTP command lines, single and multi-segment.</summary>
[MemoryDiagnoser]
public class LineFramerBenchmarks
{
    private ReadOnlySequence<byte> _single;
    private ReadOnlySequence<byte> _multi;

    [GlobalSetup]
    public void Setup()
    {
        var text = new StringBuilder();
        for (int i = 0; i < 100; i++)
        {
            text.Append("EHLO client.example.com\r\nMAIL FROM:<sender@example.com> SIZE=12345 BODY=8BITMIME\r\n")
                .Append("RCPT TO:<recipient").Append(i).Append("@example.org>\r\nDATA\r\nRSET\r\nNOOP\r\n");
        }

        byte[] data = Encoding.ASCII.GetBytes(text.ToString());
        _single = new ReadOnlySequence<byte>(data);
        _multi = Segmented(data, 4096);
    }

    [Benchmark(Baseline = true)]
    public int SingleSegment() => CountLines(_single);

    [Benchmark]
    public int MultiSegment4K() => CountLines(_multi);

    private static int CountLines(ReadOnlySequence<byte> buffer)
    {
        int count = 0;
        while (LineFramer.TryReadLine(buffer, 4096, out ReadOnlySequence<byte> line, out SequencePosition next) == LineStatus.Line)
        {
            count += line.IsEmpty ? 0 : 1;
            buffer = buffer.Slice(next);
        }

        return count;
    }

    internal static ReadOnlySequence<byte> Segmented(byte[] data, int size)
    {
        Segment? first = null;
        Segment? last = null;
        for (int i = 0; i < data.Length; i += size)
        {
            var memory = new ReadOnlyMemory<byte>(data, i, Math.Min(size, data.Length - i));
            if (last is null)
            {
                first = last = new Segment(memory, 0);
            }
            else
            {
                var next = new Segment(memory, last.RunningIndex + last.Memory.Length);
                last.SetNext(next);
                last = next;
            }
        }

        return first is null || last is null
            ? ReadOnlySequence<byte>.Empty
            : new ReadOnlySequence<byte>(first, 0, last, last.Memory.Length);
    }

    private sealed class Segment : ReadOnlySequenceSegment<byte>
    {
        public Segment(ReadOnlyMemory<byte> memory, long runningIndex)
        {
            Memory = memory;
            RunningIndex = runningIndex;
        }

        public void SetNext(Segment next) => Next = next;
    }
}
