using System.Buffers;
using System.Text;
using EmailRelay.Protocol.Smtp;
using EmailRelay.Protocol.Tests.Text;

namespace EmailRelay.Protocol.Tests.Smtp;

public class SmtpDataDecoderTests
{
    internal sealed record Outcome(string Stored, bool Complete, string Rest, bool SawBare, long Length);

    private static byte[] Bytes(string s) => Encoding.Latin1.GetBytes(s);

    private static string Text(ReadOnlySpan<byte> b) => Encoding.Latin1.GetString(b);

    // Feeds the chunks in order, one Decode call each, as a driver would.
    private static Outcome Run(BareNewlinePolicy policy, IEnumerable<ReadOnlySequence<byte>> chunks)
    {
        var decoder = new SmtpDataDecoder(policy);
        var output = new ArrayBufferWriter<byte>();
        var rest = new StringBuilder();
        bool complete = false;
        foreach (ReadOnlySequence<byte> chunk in chunks)
        {
            if (complete)
            {
                rest.Append(Text(chunk.ToArray()));
                continue;
            }

            complete = decoder.Decode(chunk, output, out SequencePosition consumed);
            if (!complete)
            {
                Assert.Equal(chunk.End, consumed);
            }

            rest.Append(Text(chunk.Slice(consumed).ToArray()));
        }

        Assert.Equal(output.WrittenCount, decoder.DecodedLength);
        return new Outcome(Text(output.WrittenSpan), complete, rest.ToString(), decoder.SawBareNewline, decoder.DecodedLength);
    }

    private static IEnumerable<Outcome> AllFeedings(BareNewlinePolicy policy, byte[] data)
    {
        foreach (ReadOnlySequence<byte> shape in SequenceBuilder.AllShapes(data))
        {
            yield return Run(policy, [shape]);
        }

        for (int k = 0; k <= data.Length; k++)
        {
            yield return Run(policy, [new ReadOnlySequence<byte>(data[..k]), new ReadOnlySequence<byte>(data[k..])]);
        }

        yield return Run(policy, data.Select(b => new ReadOnlySequence<byte>(new[] { b })));
    }

    public static TheoryData<string, string, string, string, bool, string> Cases => new()
    {
        // input, stored under Normalise/Reject, stored under Keep, rest after the marker, complete, why
        { "Hello\r\n.\r\n", "Hello\r\n", "Hello\r\n", "", true, "plain" },
        { ".\r\n", "", "", "", true, "empty message" },
        { ".\r\nQUIT\r\n", "", "", "QUIT\r\n", true, "empty message then pipelined command" },
        { "a\r\n.\r\nMAIL FROM:<x>\r\nRCPT TO:<y>\r\n", "a\r\n", "a\r\n", "MAIL FROM:<x>\r\nRCPT TO:<y>\r\n", true, "pipelined" },
        { "..x\r\n.x\r\n...\r\n..\r\n.\r\n", ".x\r\nx\r\n..\r\n.\r\n", ".x\r\nx\r\n..\r\n.\r\n", "", true, "dot-stuffing" },
        { "a\r\n\r\n.\r\n", "a\r\n\r\n", "a\r\n\r\n", "", true, "blank last line" },
        { "a\n.\nb\r\n.\r\n", "a\r\n.\r\nb\r\n", "a\n.\nb\r\n", "", true, "<LF>.<LF>" },
        { "a\r.\rb\r\n.\r\n", "a\r\n.\r\nb\r\n", "a\r.\rb\r\n", "", true, "<CR>.<CR>" },
        { "a\n.\r\nb\r\n.\r\n", "a\r\n.\r\nb\r\n", "a\n.\r\nb\r\n", "", true, "<LF>.<CRLF>" },
        { "a\r\n.\nb\r\n.\r\n", "a\r\n.\r\nb\r\n", "a\r\n.\nb\r\n", "", true, "<CRLF>.<LF>" },
        { "a\r.\r\nb\r\n.\r\n", "a\r\n.\r\nb\r\n", "a\r.\r\nb\r\n", "", true, "<CR>.<CRLF>" },
        { "a\r\n.\rb\r\n.\r\n", "a\r\n.\r\nb\r\n", "a\r\n.\rb\r\n", "", true, "<CRLF>.<CR>" },
        { "a\r\n.\r\r\n.\r\n", "a\r\n.\r\n\r\n", "a\r\n.\r\r\n", "", true, "<CRLF>.<CR><CRLF>" },
        { "a\n..b\r\n.\r\n", "a\r\n.b\r\n", "a\n..b\r\n", "", true, "stuffed dot after bare LF" },
        { "\n.\r\n.\r\n", "\r\n.\r\n", "\n.\r\n", "", true, "bare LF first" },
        { "a\n.\n", "a\r\n.\r\n", "a\n.\n", "", false, "<LF>.<LF> at the end of input" },
        { "a\r\n.\r", "a\r\n", "a\r\n", "", false, "marker split before LF" },
        { "a\r\n.", "a\r\n", "a\r\n", "", false, "marker split after dot" },
        { "a\r", "a", "a", "", false, "pending CR" },
        { "a\n\n.\r\n", "a\r\n\r\n.\r\n", "a\n\n.\r\n", "", false, "bare LFs then a dot line that is not the marker" },
        { "x\r\n.\r\n.\r\n", "x\r\n", "x\r\n", ".\r\n", true, "only the first marker is consumed" },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Every_split_and_feeding_gives_the_same_result(string input, string normalised, string kept, string rest, bool complete, string why)
    {
        _ = why;
        byte[] data = Bytes(input);
        bool hasBare = normalised != kept;
        foreach (BareNewlinePolicy policy in Enum.GetValues<BareNewlinePolicy>())
        {
            string expected = policy == BareNewlinePolicy.Keep ? kept : normalised;
            foreach (Outcome outcome in AllFeedings(policy, data))
            {
                Assert.Equal(expected, outcome.Stored);
                Assert.Equal(complete, outcome.Complete);
                Assert.Equal(rest, outcome.Rest);
                Assert.Equal(policy == BareNewlinePolicy.Reject && hasBare, outcome.SawBare);
            }
        }
    }

    [Theory]
    [InlineData("\n.\n")]
    [InlineData("\r.\r")]
    [InlineData("\n.\r\n")]
    [InlineData("\r\n.\n")]
    [InlineData("\r.\r\n")]
    [InlineData("\r\n.\r")]
    [InlineData("\r.\n")]
    [InlineData("\n.\r")]
    [InlineData("\r\n.\r\r\n")]
    [InlineData("\n\r.\r\n")]
    public void Smuggling_variants_never_end_the_message(string marker)
    {
        byte[] data = Bytes("a" + marker + "MAIL FROM:<evil>");
        foreach (BareNewlinePolicy policy in Enum.GetValues<BareNewlinePolicy>())
        {
            foreach (Outcome outcome in AllFeedings(policy, data))
            {
                Assert.False(outcome.Complete);
                Assert.EndsWith("MAIL FROM:<evil>", outcome.Stored, StringComparison.Ordinal);
                if (policy != BareNewlinePolicy.Keep)
                {
                    AssertNoBareLineEndings(outcome.Stored);
                }
            }
        }
    }

    [Fact]
    public void Decode_after_completion_consumes_nothing_until_reset()
    {
        var decoder = new SmtpDataDecoder(BareNewlinePolicy.Reject);
        var output = new ArrayBufferWriter<byte>();
        Assert.True(decoder.Decode(new ReadOnlySequence<byte>(Bytes("a\nb\r\n.\r\n")), output, out _));
        Assert.True(decoder.SawBareNewline);
        var more = new ReadOnlySequence<byte>(Bytes("x\r\n.\r\n"));
        Assert.True(decoder.Decode(more, output, out SequencePosition consumed));
        Assert.Equal(more.Start, consumed);

        decoder.Reset();
        Assert.False(decoder.SawBareNewline);
        Assert.Equal(0, decoder.DecodedLength);
        output.Clear();
        Assert.True(decoder.Decode(more, output, out consumed));
        Assert.Equal("x\r\n", Text(output.WrittenSpan));
        Assert.Equal(more.End, consumed);
    }

    [Fact]
    public void Large_input_in_random_pieces_matches_one_call()
    {
        var random = new Random(1234);
        byte[] body = RandomContent(random, 1 << 20);
        byte[] data = [.. body, .. "\r\n.\r\nQUIT\r\n"u8];
        foreach (BareNewlinePolicy policy in Enum.GetValues<BareNewlinePolicy>())
        {
            Outcome whole = Run(policy, [new ReadOnlySequence<byte>(data)]);
            Assert.True(whole.Complete);
            Assert.Equal("QUIT\r\n", whole.Rest);

            var pieces = new List<byte[]>();
            for (int i = 0; i < data.Length;)
            {
                int n = Math.Min(random.Next(1, 5000), data.Length - i);
                pieces.Add(data[i..(i + n)]);
                i += n;
            }

            Assert.Equal(whole, Run(policy, [SequenceBuilder.Create([.. pieces])]));
            Assert.Equal(whole, Run(policy, pieces.Select(p => new ReadOnlySequence<byte>(p))));
        }
    }

    [Fact]
    public void Decoding_does_not_allocate_in_steady_state()
    {
        byte[] data = Bytes(string.Concat(Enumerable.Repeat("line\r\n..dot\r\nbare\nx\r", 200)) + "\r\n.\r\n");
        ReadOnlySequence<byte> input = SequenceBuilder.Create(data[..1000], data[1000..]);
        var decoder = new SmtpDataDecoder(BareNewlinePolicy.Normalise);
        var output = new ArrayBufferWriter<byte>(data.Length * 2);
        Assert.True(decoder.Decode(input, output, out _));

        Assert.Equal(0, AllocationMeter.LeastPerRound(() =>
        {
            decoder.Reset();
            output.ResetWrittenCount();
            decoder.Decode(input, output, out _);
        }));
    }

    internal static byte[] RandomContent(Random random, int length)
    {
        // Text-like with frequent dots, CR, LF and high bytes.
        ReadOnlySpan<byte> alphabet = "abc.\r\n\r\n. \t\x80\xff.."u8;
        byte[] result = new byte[length];
        for (int i = 0; i < length; i++)
        {
            result[i] = random.Next(4) == 0 ? alphabet[random.Next(alphabet.Length)] : (byte)random.Next(256);
        }

        return result;
    }

    internal static void AssertNoBareLineEndings(string stored)
    {
        for (int i = 0; i < stored.Length; i++)
        {
            if (stored[i] == '\r')
            {
                Assert.True(i + 1 < stored.Length && stored[i + 1] == '\n', "bare CR at " + i);
            }
            else if (stored[i] == '\n')
            {
                Assert.True(i > 0 && stored[i - 1] == '\r', "bare LF at " + i);
            }
        }
    }
}
