using EmailRelay.Protocol.Text;

namespace EmailRelay.Protocol.Tests;

public class AsciiTests
{
    [Theory]
    [InlineData("EHLO", "ehlo", true)]
    [InlineData("EHLO", "ehlx", false)]
    public void EqualsIgnoreCase_compares_ascii(string a, string b, bool expected)
        => Assert.Equal(expected, Ascii.EqualsIgnoreCase(System.Text.Encoding.ASCII.GetBytes(a), System.Text.Encoding.ASCII.GetBytes(b)));
}
