using EmailRelay.Diagnostics;

namespace EmailRelay.Core.Tests.Logging;

public class ProtocolTraceTests
{
    [Theory]
    [InlineData("EHLO client.example.com", "rx<<: \"EHLO client.example.com\"")]
    [InlineData("PASS secret", "rx<<: \"PASS [password not logged]\"")]
    [InlineData("pass secret word", "rx<<: \"PASS [password not logged]\"")]
    [InlineData("AUTH PLAIN AGFsaWNlAHNlY3JldA==", "rx<<: \"AUTH PLAIN [authentication response not logged]\"")]
    [InlineData("AUTH LOGIN", "rx<<: \"AUTH LOGIN\"")]
    [InlineData("APOP alice 0123456789abcdef", "rx<<: \"APOP alice [password not logged]\"")]
    [InlineData("PASSWORD x", "rx<<: \"PASSWORD x\"")]
    public void Received_lines_are_redacted(string line, string expected)
    {
        Assert.Equal(expected, ProtocolTrace.Received(line));
    }

    [Fact]
    public void Sasl_responses_are_never_logged()
    {
        Assert.Equal("rx<<: [authentication response not logged]", ProtocolTrace.Received("c2VjcmV0", isAuthResponse: true));
        Assert.Equal("tx>>: [authentication response not logged]", ProtocolTrace.Sent("c2VjcmV0", isAuthResponse: true));
        Assert.Equal("tx>>: \"AUTH PLAIN [authentication response not logged]\"", ProtocolTrace.Sent("AUTH PLAIN AGFsaWNlAHNlY3JldA=="));
        Assert.Equal("tx>>: \"250 ok\"", ProtocolTrace.Sent("250 ok"));
    }
}
