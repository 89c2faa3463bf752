using System.Globalization;
using EmailRelay.Protocol.Mail;
using EmailRelay.Spool;
using EmailRelay.Testing;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace EmailRelay.Core.Tests.Spool;

public class LinkedCopyTests
{
    private static uint Sequence(MessageId id) => uint.Parse(id.Value[(id.Value.LastIndexOf('.') + 1)..], CultureInfo.InvariantCulture);

    [Fact]
    public async Task A_copy_takes_its_id_from_the_same_sequence_as_the_spool()
    {
        using var dir = new TestDirectory();
        var time = new FakeTimeProvider(DateTimeOffset.FromUnixTimeSeconds(1700000000));
        var spool = new FileSpool(dir.Path, NullLogger.Instance, time);
        await using INewMessage first = await spool.CreateAsync(CancellationToken.None);
        using var copy = LinkedCopy.Create(Path.Combine(dir.Path, first.Id.Value + ".content"), time);
        await using INewMessage second = await spool.CreateAsync(CancellationToken.None);

        // One counter: each id's sequence is above the one allocated before it (other tests may take some in between).
        Assert.True(Sequence(copy.Id) > Sequence(first.Id), copy.Id.Value + " after " + first.Id.Value);
        Assert.True(Sequence(second.Id) > Sequence(copy.Id), second.Id.Value + " after " + copy.Id.Value);
    }
}
