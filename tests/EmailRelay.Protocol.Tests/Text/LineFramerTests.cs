using System.Buffers;
using System.Text;
using EmailRelay.Protocol.Text;

namespace EmailRelay.Protocol.Tests.Text;

public class LineFramerTests
{
    private static List<string> ReadAll(ReadOnlySequence<byte> buffer, int maxLength, out string rest)
    {
        var lines = new List<string>();
        while (true)
        {
            LineStatus status = LineFramer.TryReadLine(buffer, maxLength, out ReadOnlySequence<byte> line, out SequencePosition next);
            if (status == LineStatus.Line)
            {
                lines.Add(Encoding.Latin1.GetString(line.ToArray()));
                buffer = buffer.Slice(next);
            }
            else if (status == LineStatus.TooLong)
            {
                lines.Add("<too long>");
                buffer = buffer.Slice(next);
            }
            else
            {
                rest = Encoding.Latin1.GetString(buffer.ToArray());
                return lines;
            }
        }
    }

    public static TheoryData<string, string[], string> Inputs => new()
    {
        { "EHLO a\r\nMAIL FROM:<a@b>\r\n", ["EHLO a", "MAIL FROM:<a@b>"], "" },
        { "EHLO a\nNOOP\n", ["EHLO a", "NOOP"], "" },
        { "a\r\n\r\nb\n\nc", ["a", "", "b", ""], "c" },
        { "bare\rcr\r\n", ["bare\rcr"], "" },
        { "x\r\r\ny", ["x\r"], "y" },
        { "partial\r", [], "partial\r" },
        { "", [], "" },
        { "\n", [""], "" },
        { "\r\n", [""], "" },
    };

    [Theory]
    [MemberData(nameof(Inputs))]
    public void Every_split_and_segmentation_gives_the_same_lines(string input, string[] expected, string expectedRest)
    {
        byte[] data = Encoding.Latin1.GetBytes(input);
        foreach (ReadOnlySequence<byte> shape in SequenceBuilder.AllShapes(data))
        {
            List<string> lines = ReadAll(shape, 100, out string rest);
            Assert.Equal(expected, lines);
            Assert.Equal(expectedRest, rest);
        }
    }

    [Theory]
    [MemberData(nameof(Inputs))]
    public void Every_prefix_gives_a_prefix_of_the_lines(string input, string[] expected, string expectedRest)
    {
        _ = expectedRest;
        byte[] data = Encoding.Latin1.GetBytes(input);
        for (int n = 0; n <= data.Length; n++)
        {
            List<string> lines = ReadAll(new ReadOnlySequence<byte>(data, 0, n), 100, out _);
            Assert.True(lines.Count <= expected.Length);
            Assert.Equal(expected.Take(lines.Count), lines);
        }
    }

    [Theory]
    [InlineData(8, "123456\r\n", "Line")]       // exactly the limit, CRLF included
    [InlineData(8, "1234567\r\n", "TooLong")]   // limit + 1
    [InlineData(8, "1234567\n", "Line")]
    [InlineData(8, "12345678\n", "TooLong")]
    [InlineData(8, "1234567", "Incomplete")]    // limit - 1 without terminator
    [InlineData(8, "12345678", "TooLong")]      // limit without terminator
    [InlineData(8, "1234567\r", "TooLong")]
    [InlineData(1, "\n", "Line")]
    [InlineData(1, "\r\n", "TooLong")]
    public void The_limit_counts_the_whole_line_with_its_terminator(int maxLength, string input, string expectedStatus)
    {
        LineStatus expected = Enum.Parse<LineStatus>(expectedStatus);
        byte[] data = Encoding.Latin1.GetBytes(input);
        foreach (ReadOnlySequence<byte> shape in SequenceBuilder.AllShapes(data))
        {
            LineStatus status = LineFramer.TryReadLine(shape, maxLength, out _, out SequencePosition next);
            Assert.Equal(expected, status);
            if (status == LineStatus.TooLong)
            {
                Assert.Equal(maxLength, shape.Slice(0, next).Length);
            }
        }
    }

    [Fact]
    public void An_overlong_line_is_drained_then_the_next_line_is_read()
    {
        byte[] data = Encoding.Latin1.GetBytes(new string('x', 25) + "\r\nQUIT\r\n");
        foreach (ReadOnlySequence<byte> shape in SequenceBuilder.AllShapes(data))
        {
            List<string> lines = ReadAll(shape, 10, out string rest);
            Assert.Equal(["<too long>", "<too long>", "xxxxx", "QUIT"], lines);
            Assert.Equal("", rest);
        }
    }

    [Fact]
    public void A_terminator_beyond_the_limit_is_not_scanned_for()
    {
        byte[] data = Encoding.Latin1.GetBytes(new string('x', 1000) + "\n");
        Assert.Equal(LineStatus.TooLong, LineFramer.TryReadLine(new ReadOnlySequence<byte>(data), 512, out _, out _));
    }

    [Fact]
    public void Incomplete_returns_the_start_as_next()
    {
        var buffer = new ReadOnlySequence<byte>("abc"u8.ToArray());
        Assert.Equal(LineStatus.Incomplete, LineFramer.TryReadLine(buffer, 10, out ReadOnlySequence<byte> line, out SequencePosition next));
        Assert.True(line.IsEmpty);
        Assert.Equal(buffer.Start, next);
    }

    [Fact]
    public void Framing_does_not_allocate_in_steady_state()
    {
        ReadOnlySequence<byte> single = new("EHLO a\r\nMAIL FROM:<a@b>\r\nRCPT TO:<c@d>\r\nDATA\r\n"u8.ToArray());
        ReadOnlySequence<byte> multi = SequenceBuilder.Create("EHLO a\r"u8.ToArray(), "\nMAIL FROM:<a@b>\r\nRCPT"u8.ToArray(), " TO:<c@d>\r\nDATA\r\n"u8.ToArray());
        Assert.Equal(4, CountLines(single));
        Assert.Equal(4, CountLines(multi));
        Assert.Equal(0, AllocationMeter.LeastPerRound(() =>
        {
            CountLines(single);
            CountLines(multi);
        }));
    }

    private static int CountLines(ReadOnlySequence<byte> buffer)
    {
        int count = 0;
        while (LineFramer.TryReadLine(buffer, 100, out _, out SequencePosition next) == LineStatus.Line)
        {
            count++;
            buffer = buffer.Slice(next);
        }

        return count;
    }
}
