using EmailRelay.Web.Queue;

namespace EmailRelay.Core.Tests.Web;

public sealed class EncodedWordsTests
{
    [Theory]
    [InlineData("plain text", "plain text")]
    [InlineData("=?UTF-8?B?w6l0w6k=?=", "\u00e9t\u00e9")]
    [InlineData("=?iso-8859-1?Q?caf=E9_cr=E8me?=", "caf\u00e9 cr\u00e8me")]
    [InlineData("=?UTF-8?Q?a?= =?UTF-8?Q?b?=", "ab")] // whitespace between adjacent encoded words goes (RFC 2047 6.2)
    [InlineData("x =?UTF-8?Q?a?= y", "x a y")]
    [InlineData("=?UTF-8?X?abc?=", "=?UTF-8?X?abc?=")] // unknown encoding: left as it was
    [InlineData("=?no-such-charset?Q?abc?=", "=?no-such-charset?Q?abc?=")]
    [InlineData("=?UTF-8?B?!!!?=", "=?UTF-8?B?!!!?=")]
    [InlineData("=?UTF-8?B?PHNjcmlwdD4=?=", "<script>")] // decoded to text; the page shows it as text
    [InlineData("=?utf-8*en?Q?hi?=", "hi")] // RFC 2231 language suffix
    [InlineData("=?", "=?")]
    [InlineData("trailing =?UTF-8?Q?open", "trailing =?UTF-8?Q?open")]
    public void Decodes(string value, string expected) => Assert.Equal(expected, EncodedWords.Decode(value));

    [Fact]
    public void A_long_word_decodes_whole()
    {
        string text = new('\u00e9', 5000);
        string word = "=?UTF-8?B?" + Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes(text)) + "?=";
        Assert.Equal(text, EncodedWords.Decode(word));
    }
}
