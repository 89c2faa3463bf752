using System.Text;
using EmailRelay.Protocol.Mail;
using EmailRelay.Protocol.Storage;
using EmailRelay.Spool;
using EmailRelay.Testing;

namespace EmailRelay.Core.Tests.Spool;

/// <summary>
/// Every on-disk state a SIGKILL or a power loss can leave in the lock paths (the table at
/// <see cref="FileSpool.RecoverAsync"/>), built by hand, and what recovery makes of it: with the sidecar's
/// flock free (its owner is dead) and held by another open file description (a live owner).
/// </summary>
public sealed class SpoolCrashStateTests : IDisposable
{
    private const string Id = "emailrelay.4242.1795486939.7";
    private static readonly byte[] s_envelope = EnvelopeFormat.Write(new Envelope { From = "a@b", ToRemote = ["c@d"], ClientAddress = "127.0.0.1" });
    private readonly TestDirectory _directory = new();
    private readonly ListLogger _logger = new();

    public void Dispose() => _directory.Dispose();

    private static CancellationToken Ct => CancellationToken.None;

    /// <summary>
    /// Rows: the marker (null: no sidecar; "" none; "new"/"busy" as the size-coded marker; "text:..." raw bytes),
    /// the message files present (suffixes after the id), the files expected after recovery of a dead owner's
    /// state (sidecars excepted), and the count RecoverAsync returns.
    /// </summary>
    public static TheoryData<string, string?, string, string, int> States => new()
    {
        // New message.
        { "sidecar created or spare renamed in", "", "", "", 0 },
        { "marker new, nothing else yet", "new", "", "", 0 },
        { "content being written", "new", ".content", "", 1 },
        { "envelope.new written, not committed", "new", ".content .envelope.new", "", 1 },
        { "envelope.new and its tmp (a filter edit)", "new", ".content .envelope.new .envelope.new.tmp", "", 1 },
        { "committed, marker still new", "new", ".content .envelope", ".content .envelope", 0 },
        { "committed, marker cleared before release", "", ".content .envelope", ".content .envelope", 0 },

        // Lock (forwarder, POP) and unlock, defer, fail, delete.
        { "locker holds the flock only", "", ".content .envelope", ".content .envelope", 0 },
        { "envelope renamed to the claim, no marker yet", "", ".content .envelope.claim", ".content .envelope", 1 },
        { "marker busy, still at the claim", "busy", ".content .envelope.claim", ".content .envelope", 1 },
        { "locked as busy", "busy", ".content .envelope.busy", ".content .envelope", 1 },
        { "locked as busy, an edit's tmp beside it", "busy", ".content .envelope.busy .envelope.busy.tmp", ".content .envelope", 1 },
        { "failed: marker cleared, still at the claim", "", ".content .envelope.claim", ".content .envelope", 1 },
        { "failed: renamed to bad", "", ".content .envelope.bad", ".content .envelope.bad", 0 },
        { "delivered: busy removed, content not yet", "busy", ".content", "", 0 },
        { "delivered: both removed", "busy", "", "", 0 },

        // Another program's message beside a sidecar of ours that is not its owner.
        { "foreign busy beside a committed new marker", "new", ".content .envelope.busy", ".content .envelope.busy", 0 },
        { "foreign busy beside a garbled sidecar", "text:zz?\n", ".content .envelope.busy", ".content .envelope.busy", 0 },

        // A power loss took the marker (the sidecar's size) but kept the names beside it.
        { "busy beside a cleared sidecar (also a race lost to another program: put back, at least once)", "", ".content .envelope.busy", ".content .envelope", 1 },
        { "envelope.new beside a cleared sidecar", "", ".content .envelope.new", "", 1 },
        { "envelope.new and a filter's content.tmp beside a cleared sidecar", "", ".content .envelope.new .content.tmp", "", 1 },
        { "content being written beside a cleared sidecar", "", ".content", "", 1 },
        { "failed beside a cleared sidecar", "", ".content .envelope.bad", ".content .envelope.bad", 0 },

        // Without a sidecar.
        { "foreign busy, no sidecar", null, ".content .envelope.busy", ".content .envelope.busy", 0 },
        { "emailrelay-submit's new, no sidecar", null, ".content .envelope.new", ".content .envelope.new", 0 },
        { "claim whose sidecar was lost", null, ".content .envelope.claim", ".content .envelope", 1 },

        // The earlier text marker format.
        { "text busy marker of an earlier version", "text:busy 123\n", ".content .envelope.busy", ".content .envelope", 1 },
        { "text new marker of an earlier version", "text:new 123\n", ".content .envelope.new", "", 1 },
    };

    [Theory]
    [MemberData(nameof(States))]
    public async Task Recovery_of_a_dead_owners_state_returns_the_message_to_the_spool_or_removes_what_was_never_acknowledged(
        string state, string? marker, string files, string expected, int count)
    {
        Build(marker, files);
        Assert.True(count == await NewSpool().RecoverAsync(Ct), state);
        Assert.Equal(Expected(expected), Names());
        Assert.False(File.Exists(LockPath), state + ": the sidecar is removed");
    }

    [Theory]
    [MemberData(nameof(States))]
    public async Task Recovery_leaves_every_state_alone_while_its_owner_holds_the_flock(
        string state, string? marker, string files, string expected, int count)
    {
        _ = expected;
        _ = count;
        Build(marker ?? "", files);
        string[] before = Names();

        // A live owner: the flock held through another open file description (as another process holds it).
        using OwnerLock? live = OwnerLock.TryAcquire(LockPath, create: false, exclusive: false, out _);
        Assert.NotNull(live);
        Assert.True(0 == await NewSpool().RecoverAsync(Ct), state);
        Assert.Equal(before, Names());
        Assert.Null(await NewSpool().TryLockAsync(new MessageId(Id), Ct));
        Assert.Equal(before, Names());
    }

    [Fact]
    public async Task A_crash_state_recovered_twice_is_recovered_once()
    {
        Build("busy", ".content .envelope.busy");
        Assert.Equal(1, await NewSpool().RecoverAsync(Ct));
        Assert.Equal(0, await NewSpool().RecoverAsync(Ct));
        Assert.Equal(Expected(".content .envelope"), Names());
    }

    [Fact]
    public async Task The_marker_is_the_sidecars_size_at_every_step()
    {
        FileSpool spool = NewSpool();
        INewMessage created = await spool.CreateAsync(Ct);
        string lockPath = Path.Combine(_directory.Path, created.Id.Value + ".lock");
        Assert.Equal(3, new FileInfo(lockPath).Length);
        await created.WriteAsync("x\r\n"u8.ToArray(), Ct);
        await created.PrepareAsync(new Envelope { From = "a@b", ToRemote = ["c@d"] }, Ct);
        Assert.True(await created.CommitAsync(Ct));
        await created.DisposeAsync();
        Assert.False(File.Exists(lockPath));

        IStoredMessage? stored = await spool.TryLockAsync(created.Id, Ct);
        Assert.NotNull(stored);
        Assert.Equal(4, new FileInfo(lockPath).Length);
        using (var handle = SpoolNative.OpenReadOnly(lockPath, out _))
        {
            var bytes = new byte[8];
            Assert.Equal(4, RandomAccess.Read(handle!, bytes, 0));
            Assert.Equal(new byte[8], bytes);
        }

        Assert.False(File.Exists(Path.Combine(_directory.Path, created.Id.Value + SpoolPaths.ClaimSuffix)));
        await stored.DisposeAsync();
        Assert.False(File.Exists(lockPath));
        Assert.Equal([created.Id.Value + ".content", created.Id.Value + ".envelope"], Names());
    }

    [Fact]
    public async Task Fail_and_defer_leave_no_claim_and_no_sidecar()
    {
        FileSpool spool = NewSpool();
        Build(null, ".content .envelope");
        IStoredMessage? stored = await spool.TryLockAsync(new MessageId(Id), Ct);
        await stored!.DeferAsync("try later", 450, Ct);
        Assert.Equal(Expected(".content .envelope"), Names());
        stored = await spool.TryLockAsync(new MessageId(Id), Ct);
        await stored!.FailAsync("no", 550, Ct);
        Assert.Equal(Expected(".content .envelope.bad"), Names());
    }

    [Fact]
    public void A_flock_that_lands_on_a_removed_sidecar_is_not_an_ownership()
    {
        File.WriteAllBytes(LockPath, []);
        using var stale = SpoolNative.OpenReadWrite(LockPath, create: false, exclusive: false, out _)!;
        File.Delete(LockPath);
        Assert.False(SpoolNative.IsNamedBy(stale, LockPath));
        Assert.Null(OwnerLock.TryAcquire(LockPath, create: false, exclusive: false, out var failure));
        Assert.Equal(OwnerLock.Failure.Missing, failure);
        using OwnerLock? created = OwnerLock.TryAcquire(LockPath, create: true, exclusive: false, out _);
        Assert.NotNull(created);
        using var current = SpoolNative.OpenReadOnly(LockPath, out _)!;
        Assert.True(SpoolNative.IsNamedBy(current, LockPath));
    }

    private string LockPath => Path.Combine(_directory.Path, Id + ".lock");

    private FileSpool NewSpool() => new(_directory.Path, _logger, TimeProvider.System);

    private void Build(string? marker, string files)
    {
        foreach (string suffix in files.Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            File.WriteAllBytes(Path.Combine(_directory.Path, Id + suffix), suffix == ".content" ? "x\r\n"u8.ToArray() : s_envelope);
        }

        if (marker is null)
        {
            return;
        }

        File.WriteAllBytes(LockPath, marker.StartsWith("text:", StringComparison.Ordinal)
            ? Encoding.ASCII.GetBytes(marker["text:".Length..])
            : new byte[marker.Length]);
    }

    private static string[] Expected(string suffixes) =>
        [.. suffixes.Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(suffix => Id + suffix).Order(StringComparer.Ordinal)];

    private string[] Names() =>
        [.. Directory.GetFiles(_directory.Path).Select(Path.GetFileName).Where(n => !n!.EndsWith(".lock", StringComparison.Ordinal)).Order(StringComparer.Ordinal)!];
}
