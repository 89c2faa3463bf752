using EmailRelay.Protocol.Mail;
using EmailRelay.Spool;
using EmailRelay.Testing;
using Microsoft.Extensions.Logging.Abstractions;

namespace EmailRelay.Core.Tests.Spool;

public sealed class FileStoredMessageTests : IDisposable
{
    private static readonly Envelope s_envelope = new() { From = "a@b", ToRemote = ["c@d"], ClientAddress = "127.0.0.1" };
    private readonly TestDirectory _directory = new();

    public void Dispose() => _directory.Dispose();

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(1024)]
    [InlineData(FileStoredMessage.SmallContent)]
    [InlineData(FileStoredMessage.SmallContent + 1)]
    [InlineData(3 * FileStoredMessage.SmallContent + 7)]
    public async Task Content_reads_back_byte_exact_on_both_sides_of_the_in_memory_threshold(int size)
    {
        var content = new byte[size];
        Random.Shared.NextBytes(content);
        var spool = new FileSpool(_directory.Path, NullLogger.Instance, TimeProvider.System);
        MessageId id;
        await using (var message = await spool.CreateAsync(CancellationToken.None))
        {
            await message.WriteAsync(content, CancellationToken.None);
            await message.PrepareAsync(s_envelope, CancellationToken.None);
            Assert.True(await message.CommitAsync(CancellationToken.None));
            id = message.Id;
        }

        await using var stored = await spool.TryLockAsync(id, CancellationToken.None);
        Assert.NotNull(stored);
        using var copy = new MemoryStream();
        await using (var stream = stored.OpenContent())
        {
            Assert.Equal(size <= FileStoredMessage.SmallContent, stream is MemoryStream);
            Assert.Equal(size > FileStoredMessage.SmallContent, stream is SynchronousReadStream);
            await stream.CopyToAsync(copy, CancellationToken.None);
        }

        Assert.Equal(content, copy.ToArray());
        await stored.DeleteAsync(CancellationToken.None);
        Assert.Empty(Directory.GetFiles(_directory.Path));
    }

    [Fact]
    public async Task A_missing_envelope_on_reload_is_a_spool_exception()
    {
        var spool = new FileSpool(_directory.Path, NullLogger.Instance, TimeProvider.System);
        MessageId id;
        await using (var message = await spool.CreateAsync(CancellationToken.None))
        {
            await message.PrepareAsync(s_envelope, CancellationToken.None);
            Assert.True(await message.CommitAsync(CancellationToken.None));
            id = message.Id;
        }

        await using var stored = await spool.TryLockAsync(id, CancellationToken.None);
        File.Delete(((ISpoolFiles)stored!).EnvelopePath);
        await Assert.ThrowsAsync<SpoolException>(async () => await stored.ReloadEnvelopeAsync(CancellationToken.None));
    }
}
