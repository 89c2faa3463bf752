using EmailRelay.Protocol.Mail;
using EmailRelay.Protocol.Storage;
using EmailRelay.Spool;
using EmailRelay.Testing;
using Microsoft.Extensions.Logging.Abstractions;

namespace EmailRelay.Core.Tests.Spool;

public sealed class FileNewMessageTests : IDisposable
{
    private static readonly Envelope s_envelope = new() { From = "a@b", ToRemote = ["c@d"], ClientAddress = "127.0.0.1" };
    private readonly TestDirectory _directory = new();

    public void Dispose() => _directory.Dispose();

    private static CancellationToken Ct => CancellationToken.None;

    private FileSpool NewSpool(bool memoryBacked) => new(_directory.Path, NullLogger.Instance, TimeProvider.System) { MemoryBacked = memoryBacked };

    private string[] Names() => [.. Directory.GetFiles(_directory.Path).Select(Path.GetFileName).Order(StringComparer.Ordinal)!];

    public static TheoryData<bool> Modes => [false, true];

    [Fact]
    public void Tmpfs_is_recognised_as_memory_backed_and_procfs_is_not()
    {
        Assert.False(SpoolNative.IsMemoryFileSystem("/proc"));
        Assert.False(SpoolNative.IsMemoryFileSystem("/no/such/directory"));
        if (OperatingSystem.IsLinux() && Directory.Exists("/dev/shm"))
        {
            Assert.True(SpoolNative.IsMemoryFileSystem("/dev/shm"));
        }
    }

    [Theory]
    [MemberData(nameof(Modes))]
    public async Task Content_written_in_any_chunk_sizes_is_stored_byte_exact(bool memoryBacked)
    {
        byte[] content = new byte[3 * FileSpool.BufferSize + 777];
        Random.Shared.NextBytes(content);
        FileSpool spool = NewSpool(memoryBacked);
        await using INewMessage message = await spool.CreateAsync(Ct);
        int[] sizes = [1, 100, FileSpool.BufferSize - 50, 200, FileSpool.BufferSize + 10, 5, FileSpool.BufferSize];
        int offset = 0;
        for (int i = 0; offset < content.Length; i++)
        {
            int n = Math.Min(sizes[i % sizes.Length], content.Length - offset);
            await message.WriteAsync(content.AsMemory(offset, n), Ct);
            offset += n;
        }

        Assert.Equal(content.Length, message.ContentLength);
        await message.PrepareAsync(s_envelope, Ct);
        Assert.True(await message.CommitAsync(Ct));
        Assert.Equal(content, File.ReadAllBytes(Path.Combine(_directory.Path, message.Id.Value + ".content")));
        Assert.Equal(EnvelopeFormat.Write(s_envelope), File.ReadAllBytes(Path.Combine(_directory.Path, message.Id.Value + ".envelope")));
    }

    [Fact]
    public async Task A_memory_backed_spool_commits_without_directory_syncs_and_a_disk_spool_with_them()
    {
        FileSpool memory = NewSpool(memoryBacked: true);
        FileSpool disk = NewSpool(memoryBacked: false);
        foreach (FileSpool spool in new[] { memory, disk })
        {
            await using INewMessage message = await spool.CreateAsync(Ct);
            await message.WriteAsync("x\r\n"u8.ToArray(), Ct);
            await message.PrepareAsync(s_envelope, Ct);
            Assert.True(await message.CommitAsync(Ct));
        }

        Assert.Equal(0, memory.DirectorySync.SyncCount);
        Assert.True(disk.DirectorySync.SyncCount >= 1);
        Assert.Equal(4, Names().Length);
        Assert.Equal(2, Names().Count(name => name.EndsWith(".envelope", StringComparison.Ordinal)));
    }

    [Theory]
    [MemberData(nameof(Modes))]
    public async Task Disposing_before_the_commit_removes_every_file_including_buffered_content(bool memoryBacked)
    {
        FileSpool spool = NewSpool(memoryBacked);
        INewMessage first = await spool.CreateAsync(Ct);
        await first.WriteAsync(new byte[100], Ct);
        await first.DisposeAsync();
        INewMessage second = await spool.CreateAsync(Ct);
        await second.WriteAsync(new byte[FileSpool.BufferSize * 2], Ct);
        await second.PrepareAsync(s_envelope, Ct);
        await second.DisposeAsync();
        Assert.Empty(Names());
    }

    [Fact]
    public async Task A_commit_after_the_envelope_was_taken_away_reports_false_and_leaves_the_content()
    {
        FileSpool spool = NewSpool(memoryBacked: false);
        await using INewMessage message = await spool.CreateAsync(Ct);
        await message.WriteAsync("x\r\n"u8.ToArray(), Ct);
        await message.PrepareAsync(s_envelope, Ct);
        File.Delete(((ISpoolFiles)message).EnvelopePath);
        Assert.False(await message.CommitAsync(Ct));
        Assert.Equal([message.Id.Value + ".content"], Names());
    }

    [Fact]
    public async Task An_existing_content_file_is_never_overwritten_by_a_new_message()
    {
        FileSpool spool = NewSpool(memoryBacked: false);
        await using INewMessage first = await spool.CreateAsync(Ct);
        string path = ((ISpoolFiles)first).ContentPath;
        Assert.Null(SpoolNative.OpenForWriting(path, exclusive: true, out int errno));
        Assert.Equal(SpoolNative.EEXIST, errno);
    }

    private string[] Locks() => [.. Names().Where(name => name.EndsWith(".lock", StringComparison.Ordinal))];

    private static async Task CommitAsync(INewMessage message)
    {
        await message.WriteAsync("x\r\n"u8.ToArray(), Ct);
        await message.PrepareAsync(s_envelope, Ct);
        Assert.True(await message.CommitAsync(Ct));
        await message.DisposeAsync();
    }

    [Fact]
    public async Task A_finished_message_lock_is_kept_as_a_held_spare_while_others_are_in_progress_and_reused()
    {
        FileSpool spool = NewSpool(memoryBacked: false);
        INewMessage first = await spool.CreateAsync(Ct);
        INewMessage second = await spool.CreateAsync(Ct);
        string secondLock = second.Id.Value + ".lock";
        await CommitAsync(first);

        string spare = Assert.Single(Locks(), name => name != secondLock);
        string sparePath = Path.Combine(_directory.Path, spare);
        Assert.Equal(0, new FileInfo(sparePath).Length);
        Assert.Null(OwnerLock.TryAcquire(sparePath, create: false, exclusive: false, out OwnerLock.Failure failure));
        Assert.Equal(OwnerLock.Failure.Held, failure);
        Assert.Equal(0, await NewSpool(memoryBacked: false).RecoverAsync(Ct));
        Assert.True(File.Exists(sparePath));

        INewMessage third = await spool.CreateAsync(Ct);
        Assert.False(File.Exists(sparePath));
        // Compared in name order: the process-wide id sequence may cross a power of ten between the two ids.
        Assert.Equal(new[] { secondLock, third.Id.Value + ".lock" }.Order(StringComparer.Ordinal), Locks());
        Assert.True(new FileInfo(Path.Combine(_directory.Path, third.Id.Value + ".lock")).Length > 0);

        await CommitAsync(second);
        Assert.Equal(2, Locks().Length);
        await CommitAsync(third);
        Assert.Empty(Locks());
        Assert.Equal(3, Names().Count(name => name.EndsWith(".envelope", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task Spares_never_outlive_the_last_message_in_progress_whichever_way_it_ends()
    {
        FileSpool spool = NewSpool(memoryBacked: false);
        var messages = new List<INewMessage>();
        for (int i = 0; i < 10; i++)
        {
            messages.Add(await spool.CreateAsync(Ct));
        }

        for (int i = 0; i < messages.Count; i++)
        {
            if (i % 2 == 0)
            {
                await CommitAsync(messages[i]);
            }
            else
            {
                await messages[i].DisposeAsync();
            }

            Assert.Equal(messages.Count - i - 1 + (i < messages.Count - 1 ? i + 1 : 0), Locks().Length);
        }

        Assert.Empty(Locks());
        Assert.Equal(10, Names().Length);
    }
}
