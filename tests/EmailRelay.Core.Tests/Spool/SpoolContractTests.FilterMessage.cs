using System.Text;
using EmailRelay.Protocol.Mail;
using EmailRelay.Spool;

namespace EmailRelay.Core.Tests.Spool;

/// <summary>The filter view (<see cref="IFilterMessage"/>) of new and stored messages, over every backend.</summary>
public abstract partial class SpoolContractTests
{
    private async Task<INewMessage> PreparedAsync(string content = "Subject: hi\r\n\r\nbody\r\n")
    {
        INewMessage message = await Spool.CreateAsync(Ct);
        await message.WriteAsync(Encoding.ASCII.GetBytes(content), Ct);
        await message.PrepareAsync(SampleEnvelope, Ct);
        return message;
    }

    private async Task<string> ContentOfAsync(MessageId id)
    {
        await using IStoredMessage? stored = await Spool.TryLockAsync(id, Ct);
        Assert.NotNull(stored);
        using var reader = new StreamReader(stored.OpenContent());
        return await reader.ReadToEndAsync(Ct);
    }

    [Fact]
    public async Task A_server_filter_reads_and_replaces_the_envelope_and_the_content_before_the_commit()
    {
        await using INewMessage message = await PreparedAsync();
        IFilterMessage view = message.AsFilterMessage();
        Assert.Equal(message.Id, view.Id);
        var read = await view.ReadEnvelopeAsync(Ct);
        Assert.Equal(SampleEnvelope.ToRemote, read.Envelope!.ToRemote);
        await view.ReplaceEnvelopeAsync(read.Envelope with { ForwardTo = "relay.example" }, Ct);
        await view.ReplaceContentAsync(async (output, token) => await output.WriteAsync("X-Added: 1\r\n"u8.ToArray(), token), Ct);
        Assert.Equal("relay.example", (await view.ReadEnvelopeAsync(Ct)).Envelope!.ForwardTo);
        Assert.True(await message.CommitAsync(Ct));

        await using IStoredMessage? stored = await Spool.TryLockAsync(message.Id, Ct);
        Assert.Equal("relay.example", stored!.Envelope.ForwardTo);
        using var reader = new StreamReader(stored.OpenContent());
        Assert.Equal("X-Added: 1\r\n", await reader.ReadToEndAsync(Ct));
    }

    [Fact]
    public async Task A_content_replacement_that_throws_leaves_the_content_as_it_was()
    {
        MessageId id = await AddAsync("Subject: old\r\n\r\nbody\r\n");
        await using (IStoredMessage? stored = await Spool.TryLockAsync(id, Ct))
        {
            IFilterMessage view = stored!.AsFilterMessage();
            await Assert.ThrowsAsync<IOException>(async () => await view.ReplaceContentAsync(
                async (output, token) =>
                {
                    await output.WriteAsync("partial"u8.ToArray(), token);
                    throw new IOException("the writer failed");
                },
                Ct));
        }

        Assert.Equal("Subject: old\r\n\r\nbody\r\n", await ContentOfAsync(id));
    }

    [Fact]
    public async Task A_copy_of_a_new_message_is_ready_only_when_the_message_is_committed()
    {
        MessageId copyId;
        await using (INewMessage message = await PreparedAsync("Subject: split\r\n\r\nbody\r\n"))
        {
            IFilterMessage view = message.AsFilterMessage();
            using (IMessageCopy copy = await view.CreateCopyAsync(Ct))
            {
                copyId = copy.Id;
                Assert.NotEqual(message.Id, copy.Id);
                await copy.SaveAsync(SampleEnvelope with { ToRemote = ["dave@example.org"] }, Ct);
            }

            Assert.Empty(await ListAsync(SpoolView.Ready));
            Assert.True(await message.CommitAsync(Ct));
        }

        Assert.Contains(copyId, await ListAsync(SpoolView.Ready));
        Assert.Equal("Subject: split\r\n\r\nbody\r\n", await ContentOfAsync(copyId));
        await using IStoredMessage? stored = await Spool.TryLockAsync(copyId, Ct);
        Assert.Equal(["dave@example.org"], stored!.Envelope.ToRemote);
    }

    [Fact]
    public async Task A_copy_of_a_new_message_that_is_not_committed_is_removed_with_it()
    {
        await using (INewMessage message = await PreparedAsync())
        {
            using IMessageCopy copy = await message.AsFilterMessage().CreateCopyAsync(Ct);
            await copy.SaveAsync(SampleEnvelope, Ct);
        }

        Assert.Empty(await ListAsync(SpoolView.Ready));
        AssertEmpty();
    }

    [Fact]
    public async Task A_copy_of_a_stored_message_is_ready_when_saved_and_one_not_saved_is_removed()
    {
        MessageId id = await AddAsync();
        MessageId saved;
        await using (IStoredMessage? stored = await Spool.TryLockAsync(id, Ct))
        {
            IFilterMessage view = stored!.AsFilterMessage();
            using (IMessageCopy copy = await view.CreateCopyAsync(Ct))
            {
                saved = copy.Id;
                await copy.SaveAsync(SampleEnvelope, Ct);
            }

            Assert.Contains(saved, await ListAsync(SpoolView.Ready));
            using IMessageCopy unsaved = await view.CreateCopyAsync(Ct);
        }

        // As sets: ids sort by their text, so a sequence number or a second that gains a digit reorders them.
        Assert.True(new HashSet<MessageId> { id, saved }.SetEquals(await ListAsync(SpoolView.Ready)));
    }

    [Fact]
    public async Task A_filter_that_removes_a_new_message_makes_the_commit_an_abandon()
    {
        await using (INewMessage message = await PreparedAsync())
        {
            await message.AsFilterMessage().RemoveAsync(keepContent: false, Ct);
            Assert.False(await message.CommitAsync(Ct));
        }

        Assert.Empty(await ListAsync(SpoolView.Ready));
        AssertEmpty();
    }
}
