using EmailRelay.Spool;
using EmailRelay.Testing;

namespace EmailRelay.Core.Tests.Spool;

public sealed class MemorySpoolContractTests : SpoolContractTests
{
    private readonly MemorySpool _spool = new();

    protected override IMessageSpool Spool => _spool;

    protected override void RemoveEnvelopeExternally(INewMessage message) => _spool.RemoveEnvelopeExternally(message.Id);

    protected override void AssertEmpty() => Assert.Equal(0, _spool.Count);

    [Fact]
    public async Task Simulated_disk_full_is_reported_and_removes_the_message()
    {
        _spool.SimulateDiskFull = true;
        await using INewMessage message = await _spool.CreateAsync(Ct);
        SpoolException error = await Assert.ThrowsAsync<SpoolException>(async () => await message.WriteAsync(new byte[1], Ct));
        Assert.True(error.IsDiskFull);
        Assert.Equal(0, _spool.Count);
    }
}
