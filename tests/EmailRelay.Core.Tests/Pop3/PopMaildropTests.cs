using EmailRelay.Protocol.Mail;
using EmailRelay.Protocol.Storage;
using EmailRelay.Core.Tests.Spool;
using EmailRelay.Pop3;
using EmailRelay.Spool;
using EmailRelay.Testing;

namespace EmailRelay.Core.Tests.Pop3;

/// <summary>The POP maildrop over the spool's claim group (<see cref="FileClaimGroup"/>) against the forwarder's protocol (differences 4).</summary>
[Collection(SerialCollection.Name)]
public sealed class PopMaildropTests
{
    // One message stored through the spool, then copied under new ids (more than one lock chunk). The ids come
    // back in maildrop (lexical) order: the stored one's pid may sort before or after the copies' 4242.
    private static async Task<List<MessageId>> FillAsync(Pop3ServerHarness h, int count)
    {
        var first = await h.StoreAsync("Subject: batch\r\n\r\nbody\r\n");
        var ids = new List<MessageId> { first };
        for (int i = 1; i < count; i++)
        {
            var id = SpoolNames.FormatId(4242, 1_795_000_000, (uint)(1000 + i));
            File.Copy(h.Spool.Paths.Of(first, SpoolFileKind.Content), h.Spool.Paths.Of(id, SpoolFileKind.Content));
            File.Copy(h.Spool.Paths.Of(first, SpoolFileKind.Envelope), h.Spool.Paths.Of(id, SpoolFileKind.Envelope));
            ids.Add(id);
        }

        ids.Sort((x, y) => string.CompareOrdinal(SpoolNames.FileName(x, SpoolFileKind.Content), SpoolNames.FileName(y, SpoolFileKind.Content)));

        return ids;
    }

    private static int CountFiles(Pop3ServerHarness h, string suffix) => Directory.EnumerateFiles(h.Directory, "*" + suffix).Count();

    [Fact]
    public async Task A_login_claims_the_whole_maildrop_through_one_shared_lock_and_quit_deletes_with_one_directory_sync()
    {
        using var h = new Pop3ServerHarness();
        int count = FileClaimGroup.ChunkSize * 2 + 7;
        var ids = await FillAsync(h, count);
        var store = new PopStore(h.Spool, byName: false, noDelete: false, h.Logger);
        long syncs = h.Spool.DirectorySync.SyncCount;

        await using var maildrop = await store.OpenAsync("alice", CancellationToken.None);
        Assert.NotNull(maildrop);
        Assert.Equal(count, maildrop.Count);
        Assert.True(await maildrop.WaitAvailableAsync(count - 1, CancellationToken.None));
        await maildrop.Locked;
        Assert.Equal(syncs, h.Spool.DirectorySync.SyncCount);
        Assert.Equal(count, CountFiles(h, ".envelope.busy"));

        // One sidecar name per message, every one a link to the session's one locked file (marker busy).
        Assert.Equal(count + 1, CountFiles(h, ".lock"));
        var session = ((FileClaimGroup)maildrop.Group).SessionLock;
        Assert.NotNull(session);
        Assert.Equal((uint)(count + 1), session.LinkCount);
        Assert.Equal(OwnerLock.BusyMarker, session.ReadMarker());
        Assert.Equal(SpoolNames.FileName(ids[0], SpoolFileKind.Content), maildrop.UidOf(0));
        Assert.Equal(new FileInfo(h.Spool.Paths.Of(ids[0], SpoolFileKind.Content)).Length, maildrop.SizeOf(0));

        // The forwarder (another spool object, as another process would be) cannot take any of them.
        var forwarder = new FileSpool(h.Directory, h.Logger, TimeProvider.System);
        Assert.Null(await forwarder.TryLockAsync(ids[^1], CancellationToken.None));

        Assert.True(await maildrop.DeleteAsync([.. Enumerable.Range(0, count)], CancellationToken.None));
        Assert.Equal(syncs + 1, h.Spool.DirectorySync.SyncCount);

        // QUIT's reply can go now: every envelope is gone, and nobody can take the messages in the meantime.
        Assert.Equal(0, CountFiles(h, ".envelope") + CountFiles(h, ".busy"));
        Assert.Equal(count, CountFiles(h, ".content"));
        Assert.Null(await forwarder.TryLockAsync(ids[0], CancellationToken.None));

        // The rest goes when the session ends.
        await maildrop.DisposeAsync();
        Assert.Empty(Directory.EnumerateFiles(h.Directory));
        Assert.Equal(syncs + 1, h.Spool.DirectorySync.SyncCount);
    }

    [Fact]
    public async Task Disposing_without_delete_returns_every_message_and_removes_the_sidecars()
    {
        using var h = new Pop3ServerHarness();
        var ids = await FillAsync(h, FileClaimGroup.ChunkSize + 3);
        var store = new PopStore(h.Spool, byName: false, noDelete: false, h.Logger);
        int changed = 0;
        h.Spool.Changed += (_, _) => changed++;
        var maildrop = await store.OpenAsync("alice", CancellationToken.None);
        Assert.NotNull(maildrop);
        Assert.True(await maildrop.DeleteAsync([0], CancellationToken.None));
        await maildrop.DisposeAsync();

        Assert.Equal(ids.Count - 1, CountFiles(h, ".envelope"));
        Assert.Equal(0, CountFiles(h, ".busy"));
        Assert.Equal(0, CountFiles(h, ".lock"));
        Assert.Equal(1, changed);
        var forwarder = new FileSpool(h.Directory, h.Logger, TimeProvider.System);
        await using var taken = await forwarder.TryLockAsync(ids[^1], CancellationToken.None);
        Assert.NotNull(taken);
    }

    [Fact]
    public async Task A_crashed_sessions_locks_are_recovered_by_the_spool()
    {
        using var h = new Pop3ServerHarness();
        var ids = await FillAsync(h, 20);
        var store = new PopStore(h.Spool, byName: false, noDelete: false, h.Logger);
        var maildrop = await store.OpenAsync("alice", CancellationToken.None);
        Assert.NotNull(maildrop);
        await maildrop.Locked;

        // What a crash does: every descriptor closed (the kernel drops the flocks), nothing renamed back.
        ((FileClaimGroup)maildrop.Group).SessionLock!.Dispose();

        Assert.Equal(ids.Count, CountFiles(h, ".envelope.busy"));
        var restarted = new FileSpool(h.Directory, h.Logger, TimeProvider.System);
        Assert.Equal(ids.Count, await restarted.RecoverAsync(CancellationToken.None));
        Assert.Equal(ids.Count, CountFiles(h, ".envelope"));
        Assert.Equal(0, CountFiles(h, ".lock"));
    }

    [Fact]
    public async Task A_dead_owners_marker_on_a_ready_message_is_recovered_at_login_and_the_message_is_listed()
    {
        using var h = new Pop3ServerHarness();
        var ids = await FillAsync(h, 3);

        // A receiver that died after its commit rename left its sidecar saying "new".
        await File.WriteAllTextAsync(h.Spool.Paths.Of(ids[1], SpoolFileKind.Lock), "new 1\n");
        var store = new PopStore(h.Spool, byName: false, noDelete: false, h.Logger);
        await using var maildrop = await store.OpenAsync("alice", CancellationToken.None);
        Assert.NotNull(maildrop);
        Assert.Equal(3, maildrop.Count);
        Assert.Equal(SpoolNames.FileName(ids[1], SpoolFileKind.Content), maildrop.UidOf(1));
        Assert.True(await maildrop.WaitAvailableAsync(1, CancellationToken.None));
        Assert.True(maildrop.Entries[1].Claimed);
        Assert.Equal(3, CountFiles(h, ".envelope.busy"));
        Assert.True(await maildrop.DeleteAsync([0, 1, 2], CancellationToken.None));
        Assert.Equal(0, CountFiles(h, ".envelope") + CountFiles(h, ".busy"));
        await maildrop.DisposeAsync();
        Assert.Empty(Directory.EnumerateFiles(h.Directory));
    }

    [Fact]
    public async Task A_message_another_owner_holds_is_left_out()
    {
        using var h = new Pop3ServerHarness();
        var ids = await FillAsync(h, 4);
        var forwarder = new FileSpool(h.Directory, h.Logger, TimeProvider.System);
        await using var held = await forwarder.TryLockAsync(ids[2], CancellationToken.None);
        Assert.NotNull(held);
        var store = new PopStore(h.Spool, byName: false, noDelete: false, h.Logger);
        await using var maildrop = await store.OpenAsync("alice", CancellationToken.None);
        Assert.NotNull(maildrop);
        Assert.Equal(3, maildrop.Count);
        Assert.DoesNotContain(SpoolNames.FileName(ids[2], SpoolFileKind.Content), Enumerable.Range(0, 3).Select(maildrop.UidOf));
    }

    [Fact]
    public async Task The_first_messages_are_locked_before_the_login_and_the_rest_while_the_session_goes_on()
    {
        using var h = new Pop3ServerHarness();
        var ids = await FillAsync(h, 6);

        // Another process's owner locks on two sidecars (envelopes not renamed): one among the first two, one after.
        using var first = HoldSidecar(h, ids[1]);
        using var later = HoldSidecar(h, ids[3]);
        var store = new PopStore(h.Spool, byName: false, noDelete: false, h.Logger) { EagerLocks = 2 };
        await using var maildrop = await store.OpenAsync("alice", CancellationToken.None);
        Assert.NotNull(maildrop);

        // ids[1] is left out, as a held message always was; ids[3] is listed and found unavailable when its turn comes.
        Assert.Equal([ids[0], ids[2], ids[3], ids[4], ids[5]], maildrop.Entries.Select(e => e.Id));
        Assert.True(maildrop.Entries[0].Claimed);
        Assert.True(await maildrop.WaitAvailableAsync(1, CancellationToken.None));
        Assert.False(await maildrop.WaitAvailableAsync(2, CancellationToken.None));
        Assert.True(await maildrop.WaitAvailableAsync(4, CancellationToken.None));
        await maildrop.Locked;
        Assert.Equal(4, CountFiles(h, ".envelope.busy"));

        // QUIT with everything marked removes only what the session held.
        Assert.False(await maildrop.DeleteAsync([0, 1, 2, 3, 4], CancellationToken.None));
        await maildrop.DisposeAsync();
        Assert.Equal([ids[1], ids[3]], Directory.EnumerateFiles(h.Directory, "*.envelope").Select(f => Path.GetFileName(f)[..^".envelope".Length]).Order(StringComparer.Ordinal).Select(n => new MessageId(n)));
    }

    [Fact]
    public async Task Disposing_while_the_locks_are_still_being_taken_leaves_nothing_locked()
    {
        using var h = new Pop3ServerHarness();
        var ids = await FillAsync(h, PopStore.LockStepSize * 8);
        var store = new PopStore(h.Spool, byName: false, noDelete: false, h.Logger) { EagerLocks = 0 };
        var maildrop = await store.OpenAsync("alice", CancellationToken.None);
        Assert.NotNull(maildrop);
        await maildrop.DisposeAsync();
        Assert.True(maildrop.Locked.IsCompleted);
        Assert.Equal(ids.Count, CountFiles(h, ".envelope"));
        Assert.Equal(0, CountFiles(h, ".busy"));
        Assert.Equal(0, CountFiles(h, ".lock"));
    }

    [Fact]
    public async Task Quit_releases_the_kept_messages_durably_before_the_reply_and_only_then_removes_their_links()
    {
        using var h = new Pop3ServerHarness();
        var ids = await FillAsync(h, 4);
        var store = new PopStore(h.Spool, byName: false, noDelete: false, h.Logger);
        var maildrop = await store.OpenAsync("alice", CancellationToken.None);
        Assert.NotNull(maildrop);
        long syncs = h.Spool.DirectorySync.SyncCount;
        Assert.True(await maildrop.DeleteAsync([0, 1], CancellationToken.None));
        await maildrop.UnlockRestAsync();

        // Issue 24: the unclaim renames are followed by a directory sync before QUIT's +OK.
        Assert.Equal(syncs + 2, h.Spool.DirectorySync.SyncCount);
        Assert.Equal(2, CountFiles(h, ".envelope"));
        Assert.Equal(0, CountFiles(h, ".busy") + CountFiles(h, ".claim"));
        Assert.False(File.Exists(h.Spool.Paths.Of(ids[2], SpoolFileKind.Lock)));
        await maildrop.DisposeAsync();
        Assert.Equal(0, CountFiles(h, ".lock"));
    }

    [Fact]
    public async Task A_maildrop_holds_a_bounded_number_of_descriptors_whatever_its_size()
    {
        using var h = new Pop3ServerHarness();
        int count = 3000;
        var ids = await FillAsync(h, count);
        int before = Directory.GetFiles("/proc/self/fd").Length;
        var store = new PopStore(h.Spool, byName: false, noDelete: false, h.Logger);
        await using var maildrop = await store.OpenAsync("alice", CancellationToken.None);
        Assert.NotNull(maildrop);
        await maildrop.Locked;
        Assert.Equal(count, CountFiles(h, ".envelope.busy"));
        int held = Directory.GetFiles("/proc/self/fd").Length - before;
        Assert.True(held <= 8, held + " descriptors held by a maildrop of " + count);
        using (var content = maildrop.OpenContent(count - 1))
        {
            Assert.Equal(maildrop.SizeOf(count - 1), content.Length);
        }

        Assert.True(await maildrop.DeleteAsync([0, count - 1], CancellationToken.None));
        Assert.Equal(ids.Count - 2, CountFiles(h, ".envelope.busy"));
    }

    [Fact]
    public async Task A_dead_sessions_shared_lock_is_recovered_message_by_message_and_the_next_login_lists_them_all()
    {
        using var h = new Pop3ServerHarness();
        var ids = await FillAsync(h, 5);
        var store = new PopStore(h.Spool, byName: false, noDelete: false, h.Logger);
        var maildrop = await store.OpenAsync("alice", CancellationToken.None);
        Assert.NotNull(maildrop);
        await maildrop.Locked;
        Assert.True(await maildrop.DeleteAsync([0], CancellationToken.None));

        // What a crash does: the session's one descriptor closed (the kernel drops the flock), nothing renamed back.
        ((FileClaimGroup)maildrop.Group).SessionLock!.Dispose();
        var restarted = new FileSpool(h.Directory, h.Logger, TimeProvider.System);
        Assert.Equal(4, await restarted.RecoverAsync(CancellationToken.None));
        Assert.Equal(4, CountFiles(h, ".envelope"));
        Assert.Equal(0, CountFiles(h, ".lock") + CountFiles(h, ".busy") + CountFiles(h, ".claim"));

        // The deleted message's content went with recovery too (its envelope was gone: it was deleted).
        Assert.False(File.Exists(h.Spool.Paths.Of(ids[0], SpoolFileKind.Content)));
        await using var again = await new PopStore(restarted, byName: false, noDelete: false, h.Logger).OpenAsync("alice", CancellationToken.None);
        Assert.NotNull(again);
        Assert.Equal(4, again.Count);
    }

    [Fact]
    public async Task The_same_maildrop_runs_over_the_memory_spool()
    {
        var spool = new MemorySpool();
        var envelope = new Envelope { From = "a@b", ToRemote = ["c@d"] };
        var ids = Enumerable.Range(0, 5).Select(i => spool.Add(envelope, System.Text.Encoding.ASCII.GetBytes("Subject: " + i + "\r\n\r\nbody\r\n"))).ToList();
        await using (var held = await spool.TryLockAsync(ids[4], CancellationToken.None))
        {
            var store = new PopStore(spool, byName: false, noDelete: false, new ListLogger()) { EagerLocks = 2 };
            await using var maildrop = await store.OpenAsync("alice", CancellationToken.None);
            Assert.NotNull(maildrop);
            // The one another owner holds is not listed; the rest are claimed, the first two before the login.
            Assert.Equal(4, maildrop.Count);
            Assert.True(await maildrop.WaitAvailableAsync(3, CancellationToken.None));
            using (var reader = new StreamReader(maildrop.OpenContent(1)))
            {
                Assert.Equal("Subject: 1\r\n\r\nbody\r\n", await reader.ReadToEndAsync());
            }

            Assert.Equal(maildrop.SizeOf(1), "Subject: 1\r\n\r\nbody\r\n".Length);
            Assert.Null(await spool.TryLockAsync(ids[0], CancellationToken.None));
            Assert.True(await maildrop.DeleteAsync([0, 1], CancellationToken.None));
            await maildrop.UnlockRestAsync();
        }

        var ready = new List<MessageId>();
        await foreach (var id in spool.ListAsync(SpoolView.Ready, CancellationToken.None))
        {
            ready.Add(id);
        }

        Assert.Equal([ids[2], ids[3], ids[4]], ready);
    }

    private static FileStream HoldSidecar(Pop3ServerHarness h, MessageId id)
    {
        var stream = new FileStream(h.Spool.Paths.Of(id, SpoolFileKind.Lock), FileMode.CreateNew, FileAccess.ReadWrite, FileShare.ReadWrite);
        Assert.True(SpoolNative.TryLockExclusive(stream.SafeFileHandle, out _));
        return stream;
    }
}
