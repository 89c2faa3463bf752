using EmailRelay.Tls;

namespace EmailRelay.Core.Tests.Tls;

/// <summary>The handshake guard under the server's SslStream, over every split point of the peer's bytes.</summary>
public class TlsHandshakeGuardTests
{
    private static readonly byte[] s_twoRecords = [0x16, 0x03, 0x01, 0x00, 0x02, 0xaa, 0xbb, 0x16, 0x03, 0x03, 0x00, 0x01, 0xcc];

    private static async Task<Exception?> ReadAllAsync(byte[] data, int split, int maxRecord = 18432, int maxBytes = 65536, bool complete = false)
    {
        var parts = new MemoryStream(data);
        await using var guard = new TlsHandshakeGuard(parts, maxRecord, maxBytes);
        if (complete)
        {
            guard.Complete();
        }

        var buffer = new byte[Math.Max(1, split)];
        try
        {
            while (await guard.ReadAsync(buffer) > 0)
            {
            }

            return null;
        }
        catch (IOException ex)
        {
            return ex;
        }
    }

    [Fact]
    public async Task Records_within_the_limits_pass_at_every_split()
    {
        for (var split = 1; split <= s_twoRecords.Length; split++)
        {
            Assert.Null(await ReadAllAsync(s_twoRecords, split));
        }
    }

    [Fact]
    public async Task A_header_declaring_more_than_the_longest_record_fails_at_every_split()
    {
        byte[] data = [.. s_twoRecords, 0x16, 0x03, 0x01, 0xff, 0xff];
        for (var split = 1; split <= data.Length; split++)
        {
            var error = await ReadAllAsync(data, split);
            Assert.NotNull(error);
            Assert.Contains("packet length too long", error.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task More_bytes_than_the_handshake_limit_fail_and_nothing_is_checked_once_complete()
    {
        Assert.NotNull(await ReadAllAsync(s_twoRecords, 4, maxBytes: 12));
        Assert.Null(await ReadAllAsync(s_twoRecords, 4, maxBytes: 13));
        Assert.Null(await ReadAllAsync([0x16, 0x03, 0x01, 0xff, 0xff], 5, complete: true));
    }
}
