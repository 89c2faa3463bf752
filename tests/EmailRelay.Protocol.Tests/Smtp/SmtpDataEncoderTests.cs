using System.Buffers;
using System.Text;
using EmailRelay.Protocol.Smtp;

namespace EmailRelay.Protocol.Tests.Smtp;

public class SmtpDataEncoderTests
{
    private static string Encode(params string[] pieces)
    {
        var encoder = new SmtpDataEncoder();
        var output = new ArrayBufferWriter<byte>();
        foreach (string piece in pieces)
        {
            encoder.Encode(Encoding.Latin1.GetBytes(piece), output);
        }

        encoder.Complete(output);
        return Encoding.Latin1.GetString(output.WrittenSpan);
    }

    [Theory]
    [InlineData("", ".\r\n")]
    [InlineData("a\r\n", "a\r\n.\r\n")]
    [InlineData("a", "a\r\n.\r\n")]
    [InlineData(".", "..\r\n.\r\n")]
    [InlineData(".a\r\n..b\r\nc.\r\n", "..a\r\n...b\r\nc.\r\n.\r\n")]
    [InlineData("a\nb\rc\r\n", "a\r\nb\r\nc\r\n.\r\n")]
    [InlineData("a\r", "a\r\n.\r\n")]
    [InlineData("a\n.\r.\r\n.", "a\r\n..\r\n..\r\n..\r\n.\r\n")]
    [InlineData("\r\r\n\n", "\r\n\r\n\r\n.\r\n")]
    public void Content_is_dot_stuffed_and_line_endings_become_crlf(string content, string expected)
    {
        Assert.Equal(expected, Encode(content));
        for (int k = 0; k <= content.Length; k++)
        {
            Assert.Equal(expected, Encode(content[..k], content[k..]));
        }

        Assert.Equal(expected, Encode([.. content.Select(c => c.ToString())]));
    }

    [Fact]
    public void Complete_resets_for_the_next_message()
    {
        var encoder = new SmtpDataEncoder();
        var output = new ArrayBufferWriter<byte>();
        encoder.Encode("abc\r"u8, output);
        encoder.Complete(output);
        encoder.Encode(".x"u8, output);
        encoder.Complete(output);
        Assert.Equal("abc\r\n.\r\n..x\r\n.\r\n", Encoding.Latin1.GetString(output.WrittenSpan));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    public void Round_trip_through_the_decoder_gives_normalised_content(int seed)
    {
        var random = new Random(seed);
        byte[] content = SmtpDataDecoderTests.RandomContent(random, random.Next(0, 200_000));
        if (seed == 4)
        {
            content = Encoding.ASCII.GetBytes(string.Concat(Enumerable.Range(0, 5000).Select(i => i % 7 == 0 ? ".\r\n" : i % 5 == 0 ? "..dots\n" : "Line " + i + "\r\n")));
        }

        var encoder = new SmtpDataEncoder();
        var wire = new ArrayBufferWriter<byte>();
        for (int i = 0; i < content.Length;)
        {
            int n = Math.Min(random.Next(1, 3000), content.Length - i);
            encoder.Encode(content.AsSpan(i, n), wire);
            i += n;
        }

        encoder.Complete(wire);
        string encoded = Encoding.Latin1.GetString(wire.WrittenSpan);
        SmtpDataDecoderTests.AssertNoBareLineEndings(encoded);

        string expected = Normalise(Encoding.Latin1.GetString(content));
        foreach (BareNewlinePolicy policy in Enum.GetValues<BareNewlinePolicy>())
        {
            var decoder = new SmtpDataDecoder(policy);
            var stored = new ArrayBufferWriter<byte>();
            Assert.True(decoder.Decode(new ReadOnlySequence<byte>(wire.WrittenMemory), stored, out SequencePosition consumed));
            Assert.Equal(wire.WrittenCount, new ReadOnlySequence<byte>(wire.WrittenMemory).Slice(0, consumed).Length);
            Assert.False(decoder.SawBareNewline);
            Assert.Equal(expected, Encoding.Latin1.GetString(stored.WrittenSpan));
        }
    }

    // Every line ending as CRLF, and a final CRLF if the content does not end with one.
    private static string Normalise(string content)
    {
        var sb = new StringBuilder();
        for (int i = 0; i < content.Length; i++)
        {
            char c = content[i];
            if (c == '\r')
            {
                sb.Append("\r\n");
                if (i + 1 < content.Length && content[i + 1] == '\n')
                {
                    i++;
                }
            }
            else if (c == '\n')
            {
                sb.Append("\r\n");
            }
            else
            {
                sb.Append(c);
            }
        }

        if (sb.Length > 0 && !(sb.Length >= 2 && sb[^2] == '\r' && sb[^1] == '\n'))
        {
            sb.Append("\r\n");
        }

        return sb.ToString();
    }
}
