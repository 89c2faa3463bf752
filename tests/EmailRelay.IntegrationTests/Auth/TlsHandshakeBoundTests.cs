using System.Diagnostics;

namespace EmailRelay.IntegrationTests.Auth;

/// <summary>
/// Issue #24: a STARTTLS peer that sends a TLS record header declaring 65,535 octets (more than TLS allows) is
/// closed at once, as OpenSSL does ("packet length too long"), not held until the 40 s connection timeout; and the
/// relay serves on.
/// </summary>
public class TlsHandshakeBoundTests
{
    [Fact]
    public async Task A_record_header_declaring_65535_octets_closes_the_connection_at_once()
    {
        await using var relay = await AuthRelay.StartAsync(true, "--server-tls");
        using var c = await relay.ConnectAsync();
        await c.SendAsync("EHLO x\r\n");
        await c.ReadReplyAsync();
        await c.SendAsync("STARTTLS\r\n");
        Assert.Equal("220 ready to start tls", await c.ReadReplyAsync());
        var clock = Stopwatch.StartNew();
        await c.SendBytesAsync([0x16, 0x03, 0x01, 0xff, 0xff]);
        string? next;
        try
        {
            next = await c.ReadReplyAsync();
        }
        catch (IOException)
        {
            next = null;
        }

        Assert.Null(next);
        // Well inside the 10 s handshake limit (RelayLimits.TlsHandshakeTimeout): the header alone decides.
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(8), "closed after " + clock.Elapsed);

        using var again = await relay.ConnectAsync(); // reads the greeting
        await again.SendAsync("EHLO x\r\n");
        Assert.StartsWith("250 ", await again.ReadReplyAsync(), StringComparison.Ordinal);
    }
}
