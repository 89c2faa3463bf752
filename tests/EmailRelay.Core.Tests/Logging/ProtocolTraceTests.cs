using EmailRelay.Diagnostics;

namespace EmailRelay.Core.Tests.Logging;

public class ProtocolTraceTests
{
    [Theory]
    [InlineData("EHLO client.example.com", "EHLO client.example.com")]
    [InlineData("PASS secret", "PASS [password not logged]")]
    [InlineData("pass secret word", "PASS [password not logged]")]
    [InlineData("PASS\tsecret", "PASS [password not logged]")]
    [InlineData("  PASS secret", "PASS [password not logged]")]
    [InlineData("AUTH PLAIN AGFsaWNlAHNlY3JldA==", "AUTH PLAIN [authentication response not logged]")]
    [InlineData("auth\tplain\tAGFsaWNlAHNlY3JldA==", "auth plain [authentication response not logged]")]
    [InlineData("AUTH XOAUTH2 dXNlcj1hbGljZQFhdXRoPUJlYXJlciB0b2tlbgEB", "AUTH XOAUTH2 [authentication response not logged]")]
    [InlineData("AUTH LOGIN", "AUTH LOGIN")]
    [InlineData("APOP alice 0123456789abcdef", "APOP alice [password not logged]")]
    [InlineData("PASSWORD x", "PASSWORD x")]
    [InlineData("MAIL FROM:<pass@example.com>", "MAIL FROM:<pass@example.com>")]
    public void Command_lines_are_redacted(string line, string expected)
    {
        Assert.Equal(expected, ProtocolTrace.Redact(line));
    }
}
