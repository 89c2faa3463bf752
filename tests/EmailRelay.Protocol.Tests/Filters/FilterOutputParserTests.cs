using System.Text;
using EmailRelay.Protocol.Filters;

namespace EmailRelay.Protocol.Tests.Filters;

public class FilterOutputParserTests
{
    [Theory]
    [InlineData("", "rejected", 0, "rejected")]
    [InlineData("nothing useful\n", "rejected", 0, "rejected")]
    [InlineData("<<no thanks>>", "no thanks", 0, "no thanks")]
    [InlineData("<<no thanks>>\n", "no thanks", 0, "no thanks")]
    [InlineData("<<no thanks>>\n<<bad header>>\n", "no thanks", 0, "bad header")]
    [InlineData("[[no thanks]]\r\n[[bad header]]\r\n", "no thanks", 0, "bad header")]
    [InlineData("<<a>>\r<<b>>\r", "a", 0, "b")]
    [InlineData("<<a>>\r\n\r\n<<b>>", "a", 0, "b")]
    [InlineData("junk\n<<a>> trailing\nmore\n[[b]]x\n<<c>>\n", "a", 0, "b")]
    [InlineData(" <<a>>\n", "rejected", 0, "rejected")]
    [InlineData("<<a\n", "rejected", 0, "rejected")]
    [InlineData("<<a]]\n[[b>>\n", "rejected", 0, "rejected")]
    [InlineData("<<>>\n", "rejected", 0, "rejected")]
    [InlineData("<<a>>b>>\n", "a", 0, "a")]
    [InlineData("<<553 no thanks>>", "no thanks", 553, "no thanks")]
    [InlineData("<<553 no thanks>>\n<<policy 7>>", "no thanks", 553, "policy 7")]
    [InlineData("<<452\todd code>>", "odd code", 452, "odd code")]
    [InlineData("<<421>>", "rejected", 421, "rejected")]
    [InlineData("<<5531 no>>", "5531 no", 0, "5531 no")]
    [InlineData("<<553x no>>", "553x no", 0, "553x no")]
    [InlineData("<<353 no>>", "353 no", 0, "353 no")]
    [InlineData("<<55 no>>", "55 no", 0, "55 no")]
    [InlineData("<<5a3 no>>", "5a3 no", 0, "5a3 no")]
    [InlineData("<<599 x>>", "x", 599, "x")]
    [InlineData("<<400 x>>", "x", 400, "x")]
    [InlineData("<<filter exec error: No such file or directory>>", "filter exec error: No such file or directory", 0, "filter exec error: No such file or directory")]
    public void Output_gives_response_code_and_reason(string stdout, string response, int code, string reason)
    {
        Assert.Equal(new FilterOutput(response, code, reason), FilterOutputParser.Parse(Encoding.UTF8.GetBytes(stdout)));
    }

    [Fact]
    public void Only_the_first_1024_bytes_are_read()
    {
        var padding = new string('x', 1000) + "\n";
        var inside = Encoding.ASCII.GetBytes(padding + "<<abc>>\n");
        Assert.Equal(1009, inside.Length);
        Assert.Equal("abc", FilterOutputParser.Parse(inside).Response);

        var cut = Encoding.ASCII.GetBytes(new string('x', 1017) + "\n<<abc>>\n");
        Assert.Equal(1026, cut.Length);
        Assert.Equal("rejected", FilterOutputParser.Parse(cut).Response); // ">>" at bytes 1024-1025 is past the limit

        var exact = Encoding.ASCII.GetBytes(new string('x', 1016) + "\n<<abc>>");
        Assert.Equal(1024, exact.Length);
        Assert.Equal("abc", FilterOutputParser.Parse(exact).Response);
    }

    [Fact]
    public void Utf8_text_is_kept()
    {
        Assert.Equal("nein danke ü", FilterOutputParser.Parse(Encoding.UTF8.GetBytes("<<nein danke ü>>")).Response);
    }

    [Fact]
    public void Output_split_at_every_point_into_lines_parses_the_same_when_rejoined()
    {
        // Every CR/LF/CRLF combination between two collected lines gives the same answer.
        foreach (var separator in new[] { "\n", "\r", "\r\n", "\n\n", "\r\r", "\n\r" })
        {
            var text = "<<550 go away>>" + separator + "<<spam score 9>>" + separator;
            Assert.Equal(new FilterOutput("go away", 550, "spam score 9"), FilterOutputParser.Parse(Encoding.ASCII.GetBytes(text)));
        }
    }

    [Theory]
    [InlineData("553 no thanks", 553, "no thanks")]
    [InlineData("553", 553, "")]
    [InlineData("553 ", 553, "")]
    [InlineData("553\tx", 553, "x")]
    [InlineData("250 ok", 0, "250 ok")]
    [InlineData("", 0, "")]
    [InlineData("55", 0, "55")]
    public void Response_code_is_taken_from_the_front(string text, int code, string rest)
    {
        Assert.Equal(code, FilterOutputParser.TakeResponseCode(ref text));
        Assert.Equal(rest, text);
    }
}
