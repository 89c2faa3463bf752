using EmailRelay.Protocol.Text;

namespace EmailRelay.Protocol.Tests.Text;

public class XtextTests
{
    [Theory]
    [InlineData("my password", "my+20password")]
    [InlineData("e=mc2", "e+3Dmc2")]
    [InlineData("a+b", "a+2Bb")]
    [InlineData("plain!~", "plain!~")]
    [InlineData("", "")]
    [InlineData("tab\there", "tab+09here")]
    [InlineData("caf\u00e9", "caf+C3+A9")]
    [InlineData("\u007f", "+7F")]
    public void Encode_writes_upper_case_hex_for_everything_outside_xchar(string text, string expected)
    {
        Assert.Equal(expected, Xtext.Encode(text));
        Assert.True(Xtext.IsValid(expected));
        Assert.True(Xtext.TryDecode(expected, out string decoded));
        Assert.Equal(text, decoded);
    }

    [Theory]
    [InlineData("my+20password", "my password")]
    [InlineData("e+3Dmc2", "e=mc2")]
    [InlineData("e+3dmc2", "e=mc2")]
    [InlineData("e=mc2", "e=mc2")]
    public void TryDecode_is_lenient_about_hex_case_and_equals(string xtext, string expected)
    {
        Assert.True(Xtext.TryDecode(xtext, out string decoded));
        Assert.Equal(expected, decoded);
    }

    [Theory]
    [InlineData("+")]
    [InlineData("a+2")]
    [InlineData("+G0")]
    [InlineData("a b")]
    [InlineData("\u00e9")]
    [InlineData("+FF")] // not UTF-8
    public void TryDecode_rejects_malformed_xtext(string xtext)
    {
        Assert.False(Xtext.TryDecode(xtext, out string decoded));
        Assert.Equal("", decoded);
    }

    [Theory]
    [InlineData("abc", true)]
    [InlineData("a+2Bb", true)]
    [InlineData("a+2bb", false)]
    [InlineData("a=b", false)]
    [InlineData("a b", false)]
    [InlineData("a+", false)]
    [InlineData("a+4", false)]
    [InlineData("\u00e9", false)]
    public void IsValid_follows_rfc_3461_strictly(string xtext, bool expected)
    {
        Assert.Equal(expected, Xtext.IsValid(xtext));
        Assert.Equal(expected, Xtext.IsValid(System.Text.Encoding.UTF8.GetBytes(xtext)));
    }
}
