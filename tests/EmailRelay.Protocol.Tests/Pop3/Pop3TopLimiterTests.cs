using System.Text;
using EmailRelay.Protocol.Pop3;

namespace EmailRelay.Protocol.Tests.Pop3;

public class Pop3TopLimiterTests
{
    private const string Message = "Subject: a\r\nFrom: b\r\n\r\nline 1\r\nline 2\r\nline 3\r\n";

    [Theory]
    [InlineData(0, "Subject: a\r\nFrom: b\r\n\r\n")]
    [InlineData(1, "Subject: a\r\nFrom: b\r\n\r\nline 1\r\n")]
    [InlineData(2, "Subject: a\r\nFrom: b\r\n\r\nline 1\r\nline 2\r\n")]
    [InlineData(3, Message)]
    [InlineData(10, Message)]
    public void Takes_the_headers_the_blank_line_and_n_body_lines_at_every_split_point(int lines, string expected)
    {
        var bytes = Encoding.ASCII.GetBytes(Message);
        for (int split = 0; split <= bytes.Length; split++)
        {
            var limiter = new Pop3TopLimiter(lines);
            var output = new List<byte>();
            foreach (var piece in new[] { bytes[..split], bytes[split..] })
            {
                if (!limiter.IsDone)
                {
                    output.AddRange(piece[..limiter.Take(piece)]);
                }
            }

            Assert.Equal(expected, Encoding.ASCII.GetString([.. output]));
        }
    }

    [Fact]
    public void A_message_without_a_body_is_passed_whole()
    {
        var limiter = new Pop3TopLimiter(0);
        var bytes = "Subject: x\r\n"u8.ToArray();
        Assert.Equal(bytes.Length, limiter.Take(bytes));
        Assert.False(limiter.IsDone);
    }
}
