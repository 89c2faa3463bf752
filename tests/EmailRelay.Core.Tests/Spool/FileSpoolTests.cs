using System.Diagnostics;
using System.Text;
using EmailRelay.Protocol.Mail;
using EmailRelay.Protocol.Storage;
using EmailRelay.Spool;
using EmailRelay.Testing;
using Microsoft.Extensions.Logging.Abstractions;

namespace EmailRelay.Core.Tests.Spool;

public sealed class FileSpoolTests : IDisposable
{
    private static readonly Envelope s_envelope = new() { From = "a@b", ToRemote = ["c@d"], ClientAddress = "127.0.0.1" };
    private readonly TestDirectory _directory = new();
    private readonly ListLogger _logger = new();

    public void Dispose() => _directory.Dispose();

    private static CancellationToken Ct => CancellationToken.None;

    private FileSpool NewSpool() => new(_directory.Path, _logger, TimeProvider.System);

    private string PathOf(MessageId id, string suffix) => Path.Combine(_directory.Path, id.Value + suffix);

    private string[] Names() => [.. Directory.GetFiles(_directory.Path).Select(Path.GetFileName).Order(StringComparer.Ordinal)!];

    private static async Task<List<MessageId>> ListAsync(FileSpool spool, SpoolView view)
    {
        var ids = new List<MessageId>();
        await foreach (MessageId id in spool.ListAsync(view, Ct))
        {
            ids.Add(id);
        }

        return ids;
    }

    private static async Task<MessageId> AddAsync(FileSpool spool, string content = "body\r\n")
    {
        await using INewMessage message = await spool.CreateAsync(Ct);
        await message.WriteAsync(Encoding.ASCII.GetBytes(content), Ct);
        await message.PrepareAsync(s_envelope, Ct);
        Assert.True(await message.CommitAsync(Ct));
        return message.Id;
    }

    [Fact]
    public async Task Files_follow_the_emailrelay_layout_at_every_step()
    {
        FileSpool spool = NewSpool();
        INewMessage message = await spool.CreateAsync(Ct);
        MessageId id = message.Id;
        Assert.True(File.Exists(PathOf(id, ".content")));
        Assert.Equal(0, new FileInfo(PathOf(id, ".content")).Length);
        await message.WriteAsync("Received: x\r\n"u8.ToArray(), Ct);
        await message.PrepareAsync(s_envelope, Ct);
        var files = (ISpoolFiles)message;
        Assert.Equal(PathOf(id, ".envelope.new"), files.EnvelopePath);
        Assert.Equal(PathOf(id, ".content"), files.ContentPath);
        Assert.Equal(EnvelopeFormat.Write(s_envelope), File.ReadAllBytes(files.EnvelopePath));
        Assert.Equal("Received: x\r\n", File.ReadAllText(files.ContentPath));
        Assert.Empty(await ListAsync(spool, SpoolView.Ready));
        Assert.True(await message.CommitAsync(Ct));
        await message.DisposeAsync();
        Assert.Equal([id.Value + ".content", id.Value + ".envelope"], Names());
        Assert.True(spool.DirectorySync.SyncCount >= 1);

        await using IStoredMessage? stored = await spool.TryLockAsync(id, Ct);
        Assert.Equal([id.Value + ".content", id.Value + ".envelope.busy", id.Value + ".lock"], Names());
        Assert.Equal(PathOf(id, ".envelope.busy"), ((ISpoolFiles)stored!).EnvelopePath);
        await stored.FailAsync("rejected", 550, Ct);
        Assert.Equal([id.Value + ".content", id.Value + ".envelope.bad"], Names());
        string bad = File.ReadAllText(PathOf(id, ".envelope.bad"));
        Assert.EndsWith("X-MailRelay-End: 1\r\nX-MailRelay-Reason: rejected\r\nX-MailRelay-ReasonCode: 550\r\n", bad, StringComparison.Ordinal);
    }

    [Fact]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public async Task Spool_files_have_no_permissions_for_others()
    {
        FileSpool spool = NewSpool();
        MessageId id = await AddAsync(spool);
        foreach (string suffix in new[] { ".content", ".envelope" })
        {
            UnixFileMode mode = File.GetUnixFileMode(PathOf(id, suffix));
            Assert.Equal(UnixFileMode.None, mode & (UnixFileMode.OtherRead | UnixFileMode.OtherWrite | UnixFileMode.UserExecute));
            Assert.True(mode.HasFlag(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead));
        }
    }

    [Fact]
    public async Task Any_envelope_with_a_content_sibling_is_a_message_and_others_are_ignored()
    {
        File.WriteAllBytes(PathOf(new MessageId("emailrelay.001"), ".envelope"), EnvelopeFormat.Write(s_envelope));
        File.WriteAllText(PathOf(new MessageId("emailrelay.001"), ".content"), "x");
        File.WriteAllBytes(PathOf(new MessageId("lonely"), ".envelope"), EnvelopeFormat.Write(s_envelope));
        File.WriteAllBytes(PathOf(new MessageId("pending"), ".envelope.new"), EnvelopeFormat.Write(s_envelope));
        File.WriteAllText(PathOf(new MessageId("pending"), ".content"), "x");
        File.WriteAllText(Path.Combine(_directory.Path, "x.envelope.old"), "x");
        FileSpool spool = NewSpool();
        Assert.Equal([new MessageId("emailrelay.001")], await ListAsync(spool, SpoolView.Ready));
        await using IStoredMessage? stored = await spool.TryLockAsync(new MessageId("emailrelay.001"), Ct);
        Assert.Equal("a@b", stored!.Envelope.From);
    }

    [Fact]
    public async Task An_envelope_that_does_not_parse_throws_and_is_moved_to_bad_untouched()
    {
        var id = new MessageId("broken");
        const string Text = "X-MailRelay-Format: #2821.8\r\nnonsense\r\n";
        File.WriteAllText(PathOf(id, ".envelope"), Text);
        File.WriteAllText(PathOf(id, ".content"), "x");
        FileSpool spool = NewSpool();
        int changes = 0;
        spool.Changed += (_, _) => changes++;
        SpoolException error = await Assert.ThrowsAsync<SpoolException>(async () => await spool.TryLockAsync(id, Ct));
        Assert.Equal(0, changes);
        Assert.True(error.IsInvalidEnvelope);
        Assert.Equal("expected X-MailRelay-Content:", error.Message);
        Assert.Equal(["broken.content", "broken.envelope.bad"], Names());
        Assert.Equal(Text, File.ReadAllText(PathOf(id, ".envelope.bad")));
        Assert.Contains(_logger.Lines, line => line.StartsWith("ignoring \"", StringComparison.Ordinal));
        Assert.Equal(1, await spool.UnfailAllAsync(Ct));
        Assert.Equal(["broken.content", "broken.envelope"], Names());
    }

    [Fact]
    public async Task Lf_only_envelopes_get_lf_reason_lines()
    {
        var id = new MessageId("lf");
        File.WriteAllText(PathOf(id, ".envelope"), Encoding.UTF8.GetString(EnvelopeFormat.Write(s_envelope)).Replace("\r\n", "\n", StringComparison.Ordinal));
        File.WriteAllText(PathOf(id, ".content"), "x");
        FileSpool spool = NewSpool();
        await using (IStoredMessage? stored = await spool.TryLockAsync(id, Ct))
        {
            await stored!.DeferAsync("later", 0, Ct);
        }

        Assert.EndsWith("X-MailRelay-End: 1\nX-MailRelay-Reason: later\nX-MailRelay-ReasonCode:\n", File.ReadAllText(PathOf(id, ".envelope")), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Reload_sees_an_envelope_edited_by_a_client_filter()
    {
        FileSpool spool = NewSpool();
        MessageId id = await AddAsync(spool);
        await using IStoredMessage? stored = await spool.TryLockAsync(id, Ct);
        string path = ((ISpoolFiles)stored!).EnvelopePath;
        File.WriteAllBytes(path + ".tmp", EnvelopeFormat.Write(s_envelope with { ForwardTo = "example.net" }));
        File.Move(path + ".tmp", path, overwrite: true);
        await stored.ReloadEnvelopeAsync(Ct);
        Assert.Equal("example.net", stored.Envelope.ForwardTo);
    }

    [Fact]
    public async Task After_prepare_without_commit_a_crash_leaves_nothing_listed_and_recovery_removes_it()
    {
        FileSpool spool = NewSpool();
        var message = (FileNewMessage)await spool.CreateAsync(Ct);
        await message.WriteAsync("half"u8.ToArray(), Ct);
        await message.PrepareAsync(s_envelope, Ct);
        message.SimulateCrash();

        FileSpool restarted = NewSpool();
        Assert.Empty(await ListAsync(restarted, SpoolView.Ready));
        Assert.Equal(1, await restarted.RecoverAsync(Ct));
        Assert.Empty(Names());
        Assert.Contains(_logger.Lines, line => line.StartsWith("removed unacknowledged message", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_crash_during_the_content_also_leaves_nothing_after_recovery()
    {
        FileSpool spool = NewSpool();
        var message = (FileNewMessage)await spool.CreateAsync(Ct);
        await message.WriteAsync("half"u8.ToArray(), Ct);
        message.SimulateCrash();
        Assert.Equal(1, await NewSpool().RecoverAsync(Ct));
        Assert.Empty(Names());
    }

    [Fact]
    public async Task After_commit_a_restarted_spool_lists_the_whole_message()
    {
        byte[] content = new byte[300_000];
        Random.Shared.NextBytes(content);
        FileSpool spool = NewSpool();
        var message = (FileNewMessage)await spool.CreateAsync(Ct);
        await message.WriteAsync(content.AsMemory(0, 100_000), Ct);
        await message.WriteAsync(content.AsMemory(100_000), Ct);
        await message.PrepareAsync(s_envelope, Ct);
        Assert.True(await message.CommitAsync(Ct));
        message.SimulateCrash();

        FileSpool restarted = NewSpool();
        Assert.Equal(0, await restarted.RecoverAsync(Ct));
        Assert.Equal([message.Id], await ListAsync(restarted, SpoolView.Ready));
        await using IStoredMessage? stored = await restarted.TryLockAsync(message.Id, Ct);
        using var copy = new MemoryStream();
        await using (Stream stream = stored!.OpenContent())
        {
            await stream.CopyToAsync(copy, Ct);
        }

        Assert.Equal(content, copy.ToArray());
        Assert.Equal(s_envelope.ToRemote, stored.Envelope.ToRemote);
    }

    [Fact]
    public async Task A_busy_envelope_whose_owner_died_returns_to_the_spool()
    {
        FileSpool spool = NewSpool();
        MessageId id = await AddAsync(spool);
        var stored = (FileStoredMessage)(await spool.TryLockAsync(id, Ct))!;
        stored.SimulateCrash();

        FileSpool restarted = NewSpool();
        Assert.Equal([id], await ListAsync(restarted, SpoolView.Locked));
        Assert.Equal(1, await restarted.RecoverAsync(Ct));
        Assert.Equal([id], await ListAsync(restarted, SpoolView.Ready));
        Assert.Equal([id.Value + ".content", id.Value + ".envelope"], Names());
        Assert.Contains(_logger.Lines, line => line.StartsWith("recovered stale lock", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Recovery_never_takes_a_lock_held_by_this_or_another_spool_instance()
    {
        FileSpool owner = NewSpool();
        MessageId id = await AddAsync(owner);
        await using IStoredMessage? stored = await owner.TryLockAsync(id, Ct);
        await using INewMessage receiving = await owner.CreateAsync(Ct);
        await receiving.PrepareAsync(s_envelope, Ct);

        // A client filter replaces the busy envelope by rename while it is locked.
        string busy = PathOf(id, ".envelope.busy");
        File.WriteAllBytes(busy + ".tmp", File.ReadAllBytes(busy));
        File.Move(busy + ".tmp", busy, overwrite: true);

        Assert.Equal(0, await NewSpool().RecoverAsync(Ct));
        Assert.True(File.Exists(busy));
        Assert.True(File.Exists(((ISpoolFiles)receiving).EnvelopePath));
        Assert.True(await receiving.CommitAsync(Ct));
    }

    [Fact]
    public async Task A_busy_envelope_of_a_foreign_program_is_never_recovered()
    {
        File.WriteAllBytes(PathOf(new MessageId("foreign"), ".envelope.busy"), EnvelopeFormat.Write(s_envelope));
        File.WriteAllText(PathOf(new MessageId("foreign"), ".content"), "x");
        File.WriteAllBytes(PathOf(new MessageId("submit"), ".envelope.new"), EnvelopeFormat.Write(s_envelope));
        File.WriteAllText(PathOf(new MessageId("submit"), ".content"), "x");
        Assert.Equal(0, await NewSpool().RecoverAsync(Ct));
        Assert.Equal(["foreign.content", "foreign.envelope.busy", "submit.content", "submit.envelope.new"], Names());
    }

    [Fact]
    public async Task Recovery_never_steals_from_a_live_process_holding_the_lock()
    {
        FileSpool spool = NewSpool();
        MessageId id = await AddAsync(spool);
        var stored = (FileStoredMessage)(await spool.TryLockAsync(id, Ct))!;
        stored.SimulateCrash();

        // Another process takes the owner lock (as a live relay would hold it).
        using Process holder = Process.Start(new ProcessStartInfo("flock", ["-x", PathOf(id, ".lock"), "sh", "-c", "echo locked; read line"])
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
        })!;
        Assert.Equal("locked", await holder.StandardOutput.ReadLineAsync(Ct));

        Assert.Equal(0, await NewSpool().RecoverAsync(Ct));
        Assert.Null(await NewSpool().TryLockAsync(id, Ct));
        Assert.Equal([id], await ListAsync(spool, SpoolView.Locked));

        holder.StandardInput.Close();
        await holder.WaitForExitAsync(Ct);
        Assert.Equal(1, await NewSpool().RecoverAsync(Ct));
        Assert.Equal([id], await ListAsync(spool, SpoolView.Ready));
    }

    [Fact]
    public async Task Locking_finds_and_recovers_a_stale_lock_itself()
    {
        FileSpool spool = NewSpool();
        MessageId id = await AddAsync(spool);
        IStoredMessage? first = await spool.TryLockAsync(id, Ct);
        ((FileStoredMessage)first!).SimulateCrash();
        File.Move(PathOf(id, ".envelope.busy"), PathOf(id, ".envelope"));
        await using IStoredMessage? second = await NewSpool().TryLockAsync(id, Ct);
        Assert.NotNull(second);
    }

    [Fact]
    public async Task Two_spools_on_one_directory_never_both_lock_a_message()
    {
        FileSpool a = NewSpool();
        FileSpool b = new(_directory.Path, NullLogger.Instance, TimeProvider.System);
        var ids = new List<MessageId>();
        for (int i = 0; i < 10; i++)
        {
            ids.Add(await AddAsync(a));
        }

        var holders = new int[ids.Count];
        int locks = 0;
        int violations = 0;

        async Task HammerAsync(FileSpool spool)
        {
            for (int round = 0; round < 30; round++)
            {
                for (int i = 0; i < ids.Count; i++)
                {
                    IStoredMessage? stored = await spool.TryLockAsync(ids[i], Ct);
                    if (stored is null)
                    {
                        continue;
                    }

                    if (Interlocked.Increment(ref holders[i]) != 1)
                    {
                        Interlocked.Increment(ref violations);
                    }

                    Interlocked.Increment(ref locks);
                    await Task.Yield();
                    Interlocked.Decrement(ref holders[i]);
                    await stored.DisposeAsync();
                }
            }
        }

        await Task.WhenAll(Task.Run(() => HammerAsync(a)), Task.Run(() => HammerAsync(b)), Task.Run(() => HammerAsync(a)));
        Assert.Equal(0, violations);
        Assert.True(locks >= ids.Count);
        Assert.Equal(ids.Order().ToList(), await ListAsync(b, SpoolView.Ready));
        Assert.DoesNotContain(Names(), name => name.EndsWith(".lock", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Disk_full_is_reported_and_the_partial_files_are_removed()
    {
        string mount = Path.Combine(_directory.Path, "small");
        Directory.CreateDirectory(mount);
        using (Process? mounter = Process.Start("mount", ["-t", "tmpfs", "-o", "size=256k", "tmpfs", mount]))
        {
            await mounter!.WaitForExitAsync(Ct);
            if (mounter.ExitCode != 0)
            {
                return; // Mounting needs privileges this machine does not give: nothing to test here.
            }
        }

        try
        {
            var spool = new FileSpool(mount, _logger, TimeProvider.System);
            await using INewMessage message = await spool.CreateAsync(Ct);
            SpoolException error = await Assert.ThrowsAsync<SpoolException>(async () =>
            {
                for (int i = 0; i < 10; i++)
                {
                    await message.WriteAsync(new byte[100_000], Ct);
                }

                await message.PrepareAsync(s_envelope, Ct);
            });
            Assert.True(error.IsDiskFull, error.ToString());
            Assert.Empty(Directory.GetFiles(mount));
        }
        finally
        {
            using Process unmounter = Process.Start("umount", [mount])!;
            await unmounter.WaitForExitAsync(Ct);
        }
    }
}
