using System.Text;
using EmailRelay.Protocol.Mail;
using EmailRelay.Spool;
using EmailRelay.Testing;
using Microsoft.Extensions.Logging.Abstractions;

namespace EmailRelay.Core.Tests.Spool;

public sealed class FilePoolTests : IDisposable
{
    private static readonly Envelope s_envelope = new() { From = "a@b", ToRemote = ["c@d"], ClientAddress = "127.0.0.1" };
    private readonly TestDirectory _directory = new();

    public void Dispose() => _directory.Dispose();

    private static CancellationToken Ct => CancellationToken.None;

    private string PoolPath => Path.Combine(_directory.Path, FilePool.DirectoryName);

    private FileSpool NewSpool(FilePool? pool = null)
    {
        return new FileSpool(_directory.Path, NullLogger.Instance, TimeProvider.System) { MemoryBacked = false, Pool = pool ?? new FilePool(_directory.Path) };
    }

    private string[] PoolFiles() => Directory.Exists(PoolPath) ? [.. Directory.GetFiles(PoolPath).Select(Path.GetFileName).Order(StringComparer.Ordinal)!] : [];

    private string[] SpoolFiles() => [.. Directory.GetFiles(_directory.Path).Select(Path.GetFileName).Order(StringComparer.Ordinal)!];

    private static ulong InodeOf(string path)
    {
        Assert.True(SpoolNative.TryStat(path, out SpoolNative.FileStatus status));
        return status.Inode;
    }

    private static async Task<MessageId> AddAsync(FileSpool spool, string content)
    {
        await using INewMessage message = await spool.CreateAsync(Ct);
        await message.WriteAsync(Encoding.ASCII.GetBytes(content), Ct);
        await message.PrepareAsync(s_envelope, Ct);
        Assert.True(await message.CommitAsync(Ct));
        return message.Id;
    }

    private static async Task DeliverAsync(FileSpool spool, MessageId id)
    {
        IStoredMessage message = Assert.IsType<IStoredMessage>(await spool.TryLockAsync(id, Ct), exactMatch: false);
        await message.DeleteAsync(Ct);
        await message.DisposeAsync();
    }

    private void AssertPoolHoldsOnlyEmptyFiles()
    {
        foreach (string name in PoolFiles())
        {
            Assert.DoesNotContain(".dirty", name, StringComparison.Ordinal);
            var info = new FileInfo(Path.Combine(PoolPath, name));
            Assert.Equal(0, info.Length);
        }
    }

    [Fact]
    public async Task A_delivered_message_files_are_kept_empty_in_the_pool_and_the_next_message_reuses_them_without_any_old_byte()
    {
        FileSpool spool = NewSpool();
        string longContent = new('x', 5000);
        MessageId first = await AddAsync(spool, longContent + "\r\n");
        var oldInodes = new HashSet<ulong>
        {
            InodeOf(Path.Combine(_directory.Path, first.Value + ".content")),
            InodeOf(Path.Combine(_directory.Path, first.Value + ".envelope")),
        };
        await DeliverAsync(spool, first);

        Assert.Empty(SpoolFiles());
        Assert.True(PoolFiles().Length >= 3, string.Join(",", PoolFiles()));
        AssertPoolHoldsOnlyEmptyFiles();

        long taken = spool.Pool!.Taken;
        MessageId second = await AddAsync(spool, "short\r\n");
        Assert.True(spool.Pool.Taken >= taken + 3, "content, .envelope.new and the sidecar come from the pool");
        string content = Path.Combine(_directory.Path, second.Value + ".content");
        string envelope = Path.Combine(_directory.Path, second.Value + ".envelope");
        Assert.Contains(InodeOf(content), oldInodes);
        Assert.Equal("short\r\n", await File.ReadAllTextAsync(content, Ct));
        Assert.Equal(Protocol.Storage.EnvelopeFormat.Write(s_envelope), await File.ReadAllBytesAsync(envelope, Ct));
        Assert.Equal([second.Value + ".content", second.Value + ".envelope"], SpoolFiles());
    }

    [Fact]
    public async Task Steady_state_store_and_deliver_creates_no_new_files()
    {
        FileSpool spool = NewSpool();
        await DeliverAsync(spool, await AddAsync(spool, "warm\r\n"));
        long taken = spool.Pool!.Taken;
        long given = spool.Pool.Given;
        int poolSize = PoolFiles().Length;
        for (int i = 0; i < 20; i++)
        {
            await DeliverAsync(spool, await AddAsync(spool, "message " + i + "\r\n"));
        }

        // Per message: sidecar, content and .envelope.new taken; then the forwarder's sidecar taken; sidecars,
        // envelope and content given back. The pool neither grows nor shrinks.
        Assert.Equal(poolSize, PoolFiles().Length);
        Assert.Equal(20 * 4, spool.Pool.Taken - taken);
        Assert.Equal(20 * 4, spool.Pool.Given - given);
        AssertPoolHoldsOnlyEmptyFiles();
    }

    [Fact]
    public void Above_its_capacity_the_pool_unlinks_as_before()
    {
        var pool = new FilePool(_directory.Path, capacity: 2);
        for (int i = 0; i < 5; i++)
        {
            string path = Path.Combine(_directory.Path, "f" + i);
            File.WriteAllText(path, "data " + i);
            Assert.Equal(0, pool.Recycle(path));
            Assert.False(File.Exists(path));
        }

        Assert.Equal(2, PoolFiles().Length);
        AssertPoolHoldsOnlyEmptyFiles();
        Assert.Equal(SpoolNative.ENOENT, pool.Recycle(Path.Combine(_directory.Path, "missing")));
    }

    [Fact]
    public async Task Content_with_another_link_is_never_truncated_only_unlinked()
    {
        FileSpool spool = NewSpool();
        MessageId id = await AddAsync(spool, "shared body\r\n");
        string content = Path.Combine(_directory.Path, id.Value + ".content");
        string other = Path.Combine(_directory.Path, "copy.content");
        HardLinks.Create(content, other);
        ulong inode = InodeOf(content);

        await DeliverAsync(spool, id);

        Assert.Equal("shared body\r\n", await File.ReadAllTextAsync(other, Ct));
        Assert.All(PoolFiles(), name => Assert.NotEqual(inode, InodeOf(Path.Combine(PoolPath, name))));
        AssertPoolHoldsOnlyEmptyFiles();
    }

    [Fact]
    public async Task An_abandoned_new_message_files_go_to_the_pool_empty()
    {
        FileSpool spool = NewSpool();
        await using (INewMessage message = await spool.CreateAsync(Ct))
        {
            await message.WriteAsync("secret data\r\n"u8.ToArray(), Ct);
            await message.PrepareAsync(s_envelope, Ct);
        }

        Assert.Empty(SpoolFiles());
        Assert.Equal(3, PoolFiles().Length);
        AssertPoolHoldsOnlyEmptyFiles();
    }

    [Fact]
    public async Task A_failed_envelope_rewrite_recycles_the_old_envelope_and_keeps_the_new_one_whole()
    {
        FileSpool spool = NewSpool();
        MessageId id = await AddAsync(spool, "body\r\n");
        IStoredMessage message = Assert.IsType<IStoredMessage>(await spool.TryLockAsync(id, Ct), exactMatch: false);
        ulong before = InodeOf(Path.Combine(_directory.Path, id.Value + ".envelope.busy"));
        await message.FailAsync("550 no such user", 550, Ct);
        await message.DisposeAsync();

        string bad = Path.Combine(_directory.Path, id.Value + ".envelope.bad");
        string text = await File.ReadAllTextAsync(bad, Ct);
        Assert.Contains("no such user", text, StringComparison.Ordinal);
        Assert.NotEqual(before, InodeOf(bad));
        Assert.Contains(before, PoolFiles().Select(name => InodeOf(Path.Combine(PoolPath, name))));
        Assert.Equal([id.Value + ".content", id.Value + ".envelope.bad"], SpoolFiles());
        AssertPoolHoldsOnlyEmptyFiles();
    }

    [Fact]
    public async Task Two_spools_on_one_directory_share_the_pool_and_never_take_the_same_file()
    {
        FileSpool a = NewSpool(new FilePool(_directory.Path));
        FileSpool b = NewSpool(new FilePool(_directory.Path));
        await DeliverAsync(a, await AddAsync(a, "warm a\r\n"));
        await DeliverAsync(b, await AddAsync(b, "warm b\r\n"));

        async Task<List<(MessageId Id, string Content)>> RunAsync(FileSpool spool, string name)
        {
            var kept = new List<(MessageId, string)>();
            for (int i = 0; i < 60; i++)
            {
                string content = name + " message " + i + new string('.', i * 37) + "\r\n";
                MessageId id = await AddAsync(spool, content);
                if (i % 3 == 0)
                {
                    kept.Add((id, content));
                }
                else
                {
                    await DeliverAsync(i % 2 == 0 ? a : b, id);
                }
            }

            return kept;
        }

        var results = await Task.WhenAll(Task.Run(() => RunAsync(a, "a"), Ct), Task.Run(() => RunAsync(b, "b"), Ct));
        var kept = results.SelectMany(list => list).ToList();
        Assert.Equal(40, kept.Count);
        var inodes = new HashSet<ulong>();
        foreach (var (id, content) in kept)
        {
            string path = Path.Combine(_directory.Path, id.Value + ".content");
            Assert.Equal(content, await File.ReadAllTextAsync(path, Ct));
            Assert.True(inodes.Add(InodeOf(path)));
            Assert.True(inodes.Add(InodeOf(Path.Combine(_directory.Path, id.Value + ".envelope"))));
        }

        Assert.Equal(80, SpoolFiles().Length);
        Assert.True(a.Pool!.Taken > 0 && b.Pool!.Taken > 0);
        AssertPoolHoldsOnlyEmptyFiles();
    }

    [Fact]
    public async Task Another_process_files_are_found_by_listing_the_pool()
    {
        FileSpool giver = NewSpool(new FilePool(_directory.Path));
        await DeliverAsync(giver, await AddAsync(giver, "given\r\n"));
        Assert.NotEmpty(PoolFiles());

        FileSpool taker = NewSpool(new FilePool(_directory.Path));
        await AddAsync(taker, "taken\r\n");
        Assert.True(taker.Pool!.Taken >= 1);
    }

    [Fact]
    public async Task Recovery_truncates_and_cleans_crash_leftovers_and_never_touches_a_linked_file()
    {
        FileSpool spool = NewSpool();
        MessageId id = await AddAsync(spool, "kept message\r\n");
        Directory.CreateDirectory(PoolPath);
        await File.WriteAllTextAsync(Path.Combine(PoolPath, "999999.1.dirty"), "old message data", Ct);
        await File.WriteAllTextAsync(Path.Combine(PoolPath, "999999.2"), "should have been empty", Ct);
        HardLinks.Create(Path.Combine(_directory.Path, id.Value + ".content"), Path.Combine(PoolPath, "999999.3.dirty"));

        Assert.Equal(0, await NewSpool().RecoverAsync(Ct));

        Assert.Contains("999999.1", PoolFiles());
        Assert.Contains("999999.2", PoolFiles());
        Assert.DoesNotContain(PoolFiles(), name => name.StartsWith("999999.3", StringComparison.Ordinal));
        AssertPoolHoldsOnlyEmptyFiles();
        Assert.Equal("kept message\r\n", await File.ReadAllTextAsync(Path.Combine(_directory.Path, id.Value + ".content"), Ct));
    }

    [Fact]
    public async Task A_crash_between_the_two_pool_renames_leaves_the_message_gone_and_recovery_empties_the_file()
    {
        FileSpool spool = NewSpool();
        MessageId id = await AddAsync(spool, "private\r\n");
        string content = Path.Combine(_directory.Path, id.Value + ".content");
        Directory.CreateDirectory(PoolPath);

        // The first step of Recycle, then a crash: the name is gone as after an unlink.
        Assert.Equal(0, SpoolNative.RenameNoReplace(content, Path.Combine(PoolPath, "999999.7.dirty")));
        await NewSpool().RecoverAsync(Ct);

        Assert.Contains("999999.7", PoolFiles());
        Assert.False(File.Exists(content));
        AssertPoolHoldsOnlyEmptyFiles();
    }

    [Fact]
    public void A_sidecar_taken_from_the_pool_is_held_and_a_released_one_goes_back_to_it()
    {
        var pool = new FilePool(_directory.Path);
        string first = Path.Combine(_directory.Path, "a.lock");
        OwnerLock held = Assert.IsType<OwnerLock>(OwnerLock.TryAcquire(first, create: true, exclusive: true, out _, pool));
        held.Release();
        string pooled = Assert.Single(PoolFiles());

        string second = Path.Combine(_directory.Path, "b.lock");
        OwnerLock taken = Assert.IsType<OwnerLock>(OwnerLock.TryAcquire(second, create: true, exclusive: true, out _, pool));
        Assert.Empty(PoolFiles());
        Assert.Null(OwnerLock.TryAcquire(second, create: false, exclusive: false, out OwnerLock.Failure failure));
        Assert.Equal(OwnerLock.Failure.Held, failure);
        Assert.False(File.Exists(first));
        Assert.NotNull(pooled);
        taken.Release();
    }

    [Fact]
    public async Task A_pool_user_is_no_pop_by_name_maildrop()
    {
        var store = new EmailRelay.Pop3.PopStore(NewSpool(), byName: true, noDelete: false, NullLogger.Instance);
        Assert.Null(await store.OpenAsync(FilePool.DirectoryName, Ct));
    }
}
