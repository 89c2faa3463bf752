using System.Text;
using EmailRelay.Protocol.Pop3;

namespace EmailRelay.Protocol.Tests.Pop3;

public class Pop3CommandParserTests
{
    [Theory]
    [InlineData("USER alice", "User", "alice")]
    [InlineData("user alice", "User", "alice")]
    [InlineData("PASS my secret  pw ", "Pass", "my secret  pw ")]
    [InlineData("pass x\r", "Pass", "x")]
    [InlineData("APOP bob c4c9334bac560ecc979e58001b3e22fb", "Apop", "bob c4c9334bac560ecc979e58001b3e22fb")]
    [InlineData("AUTH", "Auth", "")]
    [InlineData("AUTH PLAIN AGEAYg==", "Auth", "PLAIN AGEAYg==")]
    [InlineData("StLs", "Stls", "")]
    [InlineData("CAPA", "Capa", "")]
    [InlineData("STAT", "Stat", "")]
    [InlineData("LIST 2", "List", "2")]
    [InlineData("UIDL", "Uidl", "")]
    [InlineData("RETR 1", "Retr", "1")]
    [InlineData("TOP 1 10", "Top", "1 10")]
    [InlineData("DELE 3", "Dele", "3")]
    [InlineData("RSET", "Rset", "")]
    [InlineData("NOOP", "Noop", "")]
    [InlineData("QUIT", "Quit", "")]
    [InlineData("", "Unknown", "")]
    [InlineData("HELO x", "Unknown", "")]
    [InlineData("QUITX", "Unknown", "")]
    [InlineData(" QUIT", "Unknown", "")]
    public void Parses_the_verb_case_insensitively_and_keeps_the_rest_of_the_line(string line, string verb, string argument)
    {
        var command = Pop3CommandParser.Parse(Encoding.UTF8.GetBytes(line));
        Assert.Equal(verb, command.Verb.ToString());
        Assert.Equal(argument, command.Argument);
    }

    [Fact]
    public void Never_throws_on_any_byte_value()
    {
        var random = new Random(7);
        for (int i = 0; i < 2000; i++)
        {
            var bytes = new byte[random.Next(0, 40)];
            random.NextBytes(bytes);
            _ = Pop3CommandParser.Parse(bytes);
        }
    }
}
