using System.Buffers;
using System.Text;
using BenchmarkDotNet.Attributes;
using EmailRelay.Protocol.Smtp;

namespace EmailRelay.Benchmarks;

/// <summary>
/// Decodes generated DATA content (78-octet text lines, one in ten dot-stuffed) ending in the
/// marker, fed in 4 KB segments as a pipe would deliver it, into a reused output buffer.
/// </summary>
[MemoryDiagnoser]
public class SmtpDataDecoderBenchmarks
{
    private readonly SmtpDataDecoder _decoder = new(BareNewlinePolicy.Normalise);
    private readonly DiscardingWriter _output = new();
    private ReadOnlySequence<byte> _input;

    [Params(1024, 1024 * 1024, 50 * 1024 * 1024)]
    public int Size { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var text = new StringBuilder(Size + 100);
        int n = 0;
        while (text.Length < Size)
        {
            text.Append(n++ % 10 == 0 ? ".." : "").Append("The quick brown fox jumps over the lazy dog, line ").Append(n).Append(" of the body text.\r\n");
        }

        text.Append(".\r\n");
        _input = LineFramerBenchmarks.Segmented(Encoding.ASCII.GetBytes(text.ToString()), 4096);
    }

    [Benchmark]
    public long Decode()
    {
        _decoder.Reset();
        _output.Clear();
        if (!_decoder.Decode(_input, _output, out _))
        {
            throw new InvalidOperationException("end marker not found");
        }

        return _decoder.DecodedLength;
    }

    // Counts and discards written bytes, so the benchmark measures decoding, not buffer growth.
    private sealed class DiscardingWriter : IBufferWriter<byte>
    {
        private readonly byte[] _buffer = new byte[64 * 1024];

        public long Written { get; private set; }

        public void Clear() => Written = 0;

        public void Advance(int count) => Written += count;

        public Memory<byte> GetMemory(int sizeHint = 0) => sizeHint <= _buffer.Length ? _buffer : new byte[sizeHint];

        public Span<byte> GetSpan(int sizeHint = 0) => sizeHint <= _buffer.Length ? _buffer : new byte[sizeHint];
    }
}
