using System.Text;
using EmailRelay.Protocol.Mail;
using EmailRelay.Spool;

namespace EmailRelay.Core.Tests.Spool;

/// <summary>The contract every <see cref="IMessageSpool"/> backend keeps; one subclass per backend.</summary>
public abstract partial class SpoolContractTests
{
    protected static readonly Envelope SampleEnvelope = new()
    {
        From = "alice@example.com",
        ToRemote = ["bob@example.net", "carol@example.net"],
        ClientAddress = "127.0.0.1",
    };

    protected abstract IMessageSpool Spool { get; }

    /// <summary>Makes the prepared message's envelope disappear, as an abandoning filter does.</summary>
    protected abstract void RemoveEnvelopeExternally(INewMessage message);

    protected static CancellationToken Ct => CancellationToken.None;

    protected async Task<MessageId> AddAsync(string content = "Subject: hi\r\n\r\nbody\r\n", Envelope? envelope = null)
    {
        await using INewMessage message = await Spool.CreateAsync(Ct);
        await message.WriteAsync(Encoding.ASCII.GetBytes(content), Ct);
        await message.PrepareAsync(envelope ?? SampleEnvelope, Ct);
        Assert.True(await message.CommitAsync(Ct));
        return message.Id;
    }

    protected async Task<List<MessageId>> ListAsync(SpoolView view)
    {
        var ids = new List<MessageId>();
        await foreach (MessageId id in Spool.ListAsync(view, Ct))
        {
            ids.Add(id);
        }

        return ids;
    }

    [Fact]
    public async Task A_committed_message_is_listed_ready_with_its_envelope_and_content()
    {
        MessageId id = await AddAsync("Subject: x\r\n\r\nhello\r\n");
        Assert.Matches(@"^emailrelay\.\d+\.\d+\.\d+$", id.Value);
        Assert.Equal([id], await ListAsync(SpoolView.Ready));
        await using IStoredMessage? stored = await Spool.TryLockAsync(id, Ct);
        Assert.NotNull(stored);
        Assert.Equal(SampleEnvelope.ToRemote, stored.Envelope.ToRemote);
        Assert.Equal("alice@example.com", stored.Envelope.From);
        using var reader = new StreamReader(stored.OpenContent());
        Assert.Equal("Subject: x\r\n\r\nhello\r\n", await reader.ReadToEndAsync(Ct));
    }

    [Fact]
    public async Task Content_length_counts_the_bytes_written()
    {
        await using INewMessage message = await Spool.CreateAsync(Ct);
        await message.WriteAsync(new byte[10], Ct);
        await message.WriteAsync(new byte[5], Ct);
        Assert.Equal(15, message.ContentLength);
    }

    [Fact]
    public async Task Disposing_without_commit_leaves_nothing()
    {
        await using (INewMessage message = await Spool.CreateAsync(Ct))
        {
            await message.WriteAsync("x"u8.ToArray(), Ct);
            await message.PrepareAsync(SampleEnvelope, Ct);
        }

        await using (INewMessage message = await Spool.CreateAsync(Ct))
        {
            await message.WriteAsync("x"u8.ToArray(), Ct);
        }

        Assert.Empty(await ListAsync(SpoolView.Ready));
        AssertEmpty();
    }

    protected abstract void AssertEmpty();

    [Fact]
    public async Task Commit_returns_false_when_a_filter_removed_the_envelope()
    {
        await using INewMessage message = await Spool.CreateAsync(Ct);
        await message.PrepareAsync(SampleEnvelope, Ct);
        RemoveEnvelopeExternally(message);
        Assert.False(await message.CommitAsync(Ct));
        Assert.Empty(await ListAsync(SpoolView.Ready));
    }

    [Fact]
    public async Task Commit_and_unlock_raise_changed()
    {
        int changes = 0;
        Spool.Changed += (_, _) => Interlocked.Increment(ref changes);
        MessageId id = await AddAsync();
        Assert.Equal(1, changes);
        IStoredMessage? stored = await Spool.TryLockAsync(id, Ct);
        await stored!.DisposeAsync();
        Assert.Equal(2, changes);
    }

    [Fact]
    public async Task A_locked_message_cannot_be_locked_again_until_unlocked()
    {
        MessageId id = await AddAsync();
        IStoredMessage? first = await Spool.TryLockAsync(id, Ct);
        Assert.NotNull(first);
        Assert.Null(await Spool.TryLockAsync(id, Ct));
        Assert.Empty(await ListAsync(SpoolView.Ready));
        Assert.Equal([id], await ListAsync(SpoolView.Locked));
        await first.DisposeAsync();
        Assert.Equal([id], await ListAsync(SpoolView.Ready));
        await using IStoredMessage? second = await Spool.TryLockAsync(id, Ct);
        Assert.NotNull(second);
    }

    [Fact]
    public async Task Unknown_ids_are_not_locked()
        => Assert.Null(await Spool.TryLockAsync(new MessageId("emailrelay.0.0.0"), Ct));

    [Fact]
    public async Task Delete_removes_the_message()
    {
        MessageId id = await AddAsync();
        await using (IStoredMessage? stored = await Spool.TryLockAsync(id, Ct))
        {
            await stored!.DeleteAsync(Ct);
        }

        Assert.Empty(await ListAsync(SpoolView.Ready));
        Assert.Empty(await ListAsync(SpoolView.Locked));
        AssertEmpty();
    }

    [Fact]
    public async Task Fail_appends_the_reason_and_unfail_all_brings_it_back()
    {
        MessageId id = await AddAsync();
        await using (IStoredMessage? stored = await Spool.TryLockAsync(id, Ct))
        {
            await stored!.FailAsync("one or more recipients rejected", 550, Ct);
        }

        Assert.Empty(await ListAsync(SpoolView.Ready));
        Assert.Equal([id], await ListAsync(SpoolView.Failed));
        Assert.Equal(1, await Spool.UnfailAllAsync(Ct));
        Assert.Equal(0, await Spool.UnfailAllAsync(Ct));
        await using IStoredMessage? again = await Spool.TryLockAsync(id, Ct);
        Assert.Equal(["X-MailRelay-Reason: one or more recipients rejected", "X-MailRelay-ReasonCode: 550"], again!.Envelope.Trailer);
    }

    [Fact]
    public async Task Defer_appends_the_reason_and_returns_the_message_to_ready()
    {
        MessageId id = await AddAsync();
        await using (IStoredMessage? stored = await Spool.TryLockAsync(id, Ct))
        {
            await stored!.DeferAsync("try later", 451, Ct);
        }

        Assert.Equal([id], await ListAsync(SpoolView.Ready));
        await using IStoredMessage? again = await Spool.TryLockAsync(id, Ct);
        Assert.Equal(["X-MailRelay-Reason: try later", "X-MailRelay-ReasonCode: 451"], again!.Envelope.Trailer);
    }

    [Fact]
    public async Task Updated_recipients_are_kept_with_everything_else()
    {
        MessageId id = await AddAsync();
        await using (IStoredMessage? stored = await Spool.TryLockAsync(id, Ct))
        {
            Assert.NotNull(stored);
            await stored.UpdateRecipientsAsync(["carol@example.net"], Ct);
            Assert.Equal(["carol@example.net"], stored.Envelope.ToRemote);
        }

        await using IStoredMessage? again = await Spool.TryLockAsync(id, Ct);
        Assert.Equal(["carol@example.net"], again!.Envelope.ToRemote);
        Assert.Equal("alice@example.com", again.Envelope.From);
        Assert.Equal("127.0.0.1", again.Envelope.ClientAddress);
    }

    [Fact]
    public async Task A_replaced_envelope_is_kept_whole()
    {
        MessageId id = await AddAsync();
        Envelope replacement = SampleEnvelope with { From = "dave@example.org", ToRemote = ["erin@example.net"], ForwardToAddress = "192.0.2.1:25" };
        await using (IStoredMessage? stored = await Spool.TryLockAsync(id, Ct))
        {
            Assert.NotNull(stored);
            await stored.ReplaceEnvelopeAsync(replacement, Ct);
            Assert.Equal("dave@example.org", stored.Envelope.From);
        }

        await using IStoredMessage? again = await Spool.TryLockAsync(id, Ct);
        Assert.NotNull(again);
        Assert.Equal("dave@example.org", again.Envelope.From);
        Assert.Equal(["erin@example.net"], again.Envelope.ToRemote);
        Assert.Equal("192.0.2.1:25", again.Envelope.ForwardToAddress);
    }

    [Fact]
    public async Task Replaced_content_is_read_back_and_a_failed_replacement_changes_nothing()
    {
        MessageId id = await AddAsync("Subject: old\r\n\r\nold\r\n");
        await using (IStoredMessage? stored = await Spool.TryLockAsync(id, Ct))
        {
            Assert.NotNull(stored);
            await stored.ReplaceContentAsync((stream, ct) => stream.WriteAsync("Subject: new\r\n\r\nnew\r\n"u8.ToArray(), ct).AsTask(), Ct);
            await Assert.ThrowsAnyAsync<InvalidOperationException>(async () => await stored.ReplaceContentAsync(async (stream, ct) =>
            {
                await stream.WriteAsync("half"u8.ToArray(), ct);
                throw new InvalidOperationException("filter failed");
            }, Ct));
        }

        await using IStoredMessage? again = await Spool.TryLockAsync(id, Ct);
        Assert.NotNull(again);
        using var reader = new StreamReader(again.OpenContent());
        Assert.Equal("Subject: new\r\n\r\nnew\r\n", await reader.ReadToEndAsync(Ct));
    }

    [Fact]
    public async Task The_last_attempt_is_the_commit_then_each_defer()
    {
        MessageId id = await AddAsync();
        DateTimeOffset committed;
        await using (IStoredMessage? stored = await Spool.TryLockAsync(id, Ct))
        {
            Assert.NotNull(stored);
            committed = stored.LastAttempt;
            DateTimeOffset now = TimeProvider.System.GetUtcNow();
            Assert.True(committed > now.AddMinutes(-5) && committed <= now.AddSeconds(5), committed.ToString("O"));
            await stored.DeferAsync("try later", 451, Ct);
        }

        await using IStoredMessage? again = await Spool.TryLockAsync(id, Ct);
        Assert.NotNull(again);
        Assert.True(again.LastAttempt >= committed);
    }

    [Fact]
    public async Task Recover_leaves_live_messages_alone()
    {
        MessageId ready = await AddAsync();
        MessageId locked = await AddAsync();
        await using IStoredMessage? held = await Spool.TryLockAsync(locked, Ct);
        Assert.NotNull(held);
        Assert.Equal(0, await Spool.RecoverAsync(Ct));
        Assert.Equal([ready], await ListAsync(SpoolView.Ready));
        Assert.Equal([locked], await ListAsync(SpoolView.Locked));
        Assert.Null(await Spool.TryLockAsync(locked, Ct));
    }

    [Fact]
    public async Task Messages_are_listed_in_byte_wise_lexical_order()
    {
        var added = new List<MessageId>();
        for (int i = 0; i < 12; i++)
        {
            added.Add(await AddAsync());
        }

        List<MessageId> listed = await ListAsync(SpoolView.Ready);
        added.Sort((a, b) => string.CompareOrdinal(a.Value, b.Value));
        Assert.Equal(added, listed);
        Assert.Equal(12, added.Distinct().Count());
    }
}
