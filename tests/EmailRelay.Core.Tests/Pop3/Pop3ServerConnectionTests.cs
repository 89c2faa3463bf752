using EmailRelay.Net;
using EmailRelay.Protocol.Storage;
using EmailRelay.Spool;
using EmailRelay.Testing;
using EmailRelay.Testing.Tools;

namespace EmailRelay.Core.Tests.Pop3;

public sealed class Pop3ServerConnectionTests
{
    private const string Dotted = "Subject: dots\r\n\r\n.leading dot\r\n..two\r\n.\r\nend\r\n";

    [Fact]
    public async Task Retr_is_byte_exact_and_quit_deletes_only_the_marked_messages()
    {
        using var h = new Pop3ServerHarness();
        var first = await h.StoreAsync(Dotted);
        var second = await h.StoreAsync("Subject: two\r\n\r\nbody\r\n");
        await using var client = await h.LoginAsync();
        await client.SendAsync("STAT");
        await client.ExpectAsync($"+OK 2 {Dotted.Length + 22}");
        // The maildrop is in lexical order of ids (reference §b), which is not creation order once the
        // process-wide sequence crosses a digit boundary (...9 < ...10 fails lexically): look the number up.
        var firstUid = SpoolNames.FileName(first, SpoolFileKind.Content);
        await client.SendAsync("UIDL");
        await client.ExpectAsync("+OK...");
        var n = (await Pop3ServerHarness.ReadMultiLineAsync(client))
            .Split("\r\n", StringSplitOptions.RemoveEmptyEntries)
            .Select(line => line.Split(' '))
            .Single(fields => fields[1] == firstUid)[0];
        await client.SendAsync("UIDL " + n);
        await client.ExpectAsync($"+OK {n} " + firstUid);
        await client.SendAsync("RETR " + n);
        await client.ExpectAsync($"+OK {Dotted.Length} octets");
        Assert.Equal(Dotted, await Pop3ServerHarness.ReadMultiLineAsync(client));
        await client.SendAsync("TOP " + n + " 1");
        await client.ExpectAsync("+OK");
        Assert.Equal("Subject: dots\r\n\r\n.leading dot\r\n", await Pop3ServerHarness.ReadMultiLineAsync(client));
        await client.SendAsync("DELE " + n);
        await client.ExpectAsync("+OK");
        await client.SendAsync("QUIT");
        await client.ExpectAsync("+OK signing off");

        // With the reply, the deleted message's envelope is gone; its content goes once the connection has ended.
        Assert.DoesNotContain(h.Files(), name => name.StartsWith(first.Value + ".envelope", StringComparison.Ordinal));
        await client.ExpectClosedAsync();
        string[] kept = [SpoolNames.FileName(second, SpoolFileKind.Content), SpoolNames.FileName(second, SpoolFileKind.Envelope)];
        await Poll.UntilAsync(() => h.Files().SequenceEqual(kept), TimeSpan.FromSeconds(20), "only the kept message in the spool");
    }

    [Fact]
    public async Task A_disconnect_without_quit_deletes_nothing_and_leaves_nothing_locked()
    {
        using var h = new Pop3ServerHarness();
        var id = await h.StoreAsync("Subject: x\r\n\r\ny\r\n");
        var (client, server) = await h.ConnectAsync();
        await client.SendAsync("USER alice");
        await client.ExpectAsync("+OK user: alice");
        await client.SendAsync("PASS alice pw");
        await client.ExpectAsync("+OK authenticated");
        await Poll.UntilAsync(() => h.Files().Contains(SpoolNames.FileName(id, SpoolFileKind.EnvelopeBusy)), TimeSpan.FromSeconds(20), "the session's lock");
        await client.SendAsync("DELE 1");
        await client.ExpectAsync("+OK");
        await client.DisconnectAsync();
        await server.WaitAsync(TimeSpan.FromSeconds(20));
        Assert.Equal([SpoolNames.FileName(id, SpoolFileKind.Content), SpoolNames.FileName(id, SpoolFileKind.Envelope)], h.Files());
        Assert.Contains(h.Logger.Lines, l => l.Contains("pop connection closed", StringComparison.Ordinal));
        await client.DisposeAsync();
    }

    [Fact]
    public async Task A_pop_session_and_the_forwarder_never_hold_the_same_message()
    {
        using var h = new Pop3ServerHarness();
        var held = await h.StoreAsync("Subject: forwarding\r\n\r\n");
        var free = await h.StoreAsync("Subject: pop\r\n\r\n");
        var forwarder = new FileSpool(h.Directory, h.Logger, TimeProvider.System);
        await using (var claimed = await forwarder.TryLockAsync(held, CancellationToken.None))
        {
            Assert.NotNull(claimed);
            await using var client = await h.LoginAsync();
            await client.SendAsync("UIDL");
            await client.ExpectAsync("+OK 1 message(s)");
            await client.ExpectAsync("1 " + SpoolNames.FileName(free, SpoolFileKind.Content));
            await client.ExpectAsync(".");
            await Poll.UntilAsync(() => h.Files().Contains(SpoolNames.FileName(free, SpoolFileKind.EnvelopeBusy)), TimeSpan.FromSeconds(20), "the session's lock");
            Assert.Null(await forwarder.TryLockAsync(free, CancellationToken.None));
            await client.SendAsync("QUIT");
            await client.ExpectAsync("+OK signing off");
        }

        Assert.NotNull(await forwarder.TryLockAsync(free, CancellationToken.None));
    }

    [Fact]
    public async Task A_listed_message_another_owner_takes_before_the_sessions_lock_is_refused_and_withdrawn()
    {
        // Nothing locked before the login's reply (as for the messages of a large maildrop beyond the first ones).
        using var h = new Pop3ServerHarness(eagerLocks: 0);
        var taken = await h.StoreAsync("Subject: taken\r\n\r\n");
        var kept = await h.StoreAsync("Subject: kept\r\n\r\n");

        // Another process's owner lock on the sidecar, envelope not yet renamed: the listing has the message, the lock does not.
        using var other = new FileStream(h.Spool.Paths.Of(taken, SpoolFileKind.Lock), FileMode.CreateNew, FileAccess.ReadWrite, FileShare.ReadWrite);
        Assert.True(SpoolNative.TryLockExclusive(other.SafeFileHandle, out _));
        await using var client = await h.LoginAsync();
        await client.SendAsync("UIDL");
        await client.ExpectAsync("+OK 2 message(s)");
        string[] listing = [.. (await Pop3ServerHarness.ReadMultiLineAsync(client)).Split("\r\n", StringSplitOptions.RemoveEmptyEntries)];
        string n = listing.Single(line => line.EndsWith(SpoolNames.FileName(taken, SpoolFileKind.Content), StringComparison.Ordinal)).Split(' ')[0];
        string m = listing.Single(line => line.EndsWith(SpoolNames.FileName(kept, SpoolFileKind.Content), StringComparison.Ordinal)).Split(' ')[0];
        await client.SendAsync("RETR " + n);
        await client.ExpectAsync("-ERR invalid id");
        await client.SendAsync("STAT");
        await client.ExpectAsync("+OK 1 ...");
        await client.SendAsync("RETR " + m);
        await client.ExpectAsync("+OK ...");
        Assert.Equal("Subject: kept\r\n\r\n", await Pop3ServerHarness.ReadMultiLineAsync(client));
        await client.SendAsync("DELE " + m);
        await client.ExpectAsync("+OK");
        await client.SendAsync("QUIT");
        await client.ExpectAsync("+OK signing off");
        await client.ExpectClosedAsync();

        // The other owner's message is untouched; the retrieved one is gone.
        string[] left = [SpoolNames.FileName(taken, SpoolFileKind.Content), SpoolNames.FileName(taken, SpoolFileKind.Envelope)];
        await Poll.UntilAsync(() => h.Files().SequenceEqual(left), TimeSpan.FromSeconds(20), "only the other owner's message");
    }

    [Fact]
    public async Task No_delete_answers_as_usual_but_removes_nothing()
    {
        using var h = new Pop3ServerHarness(noDelete: true);
        await h.StoreAsync("Subject: keep\r\n\r\n");
        var before = h.Files();
        await using var client = await h.LoginAsync();
        await client.SendAsync("DELE 1");
        await client.ExpectAsync("+OK");
        await client.SendAsync("QUIT");
        await client.ExpectAsync("+OK signing off");
        await client.ExpectClosedAsync();
        Assert.Equal(before, h.Files());
    }

    [Fact]
    public async Task By_name_each_user_sees_their_own_and_shared_content_goes_with_the_last_envelope()
    {
        using var h = new Pop3ServerHarness(byName: true);
        var id = await h.StoreAsync("Subject: shared\r\n\r\nfor both\r\n");
        var envelope = Path.Combine(h.Directory, SpoolNames.FileName(id, SpoolFileKind.Envelope));
        foreach (var user in new[] { "alice", "bob" })
        {
            Directory.CreateDirectory(Path.Combine(h.Directory, user));
            File.Copy(envelope, Path.Combine(h.Directory, user, Path.GetFileName(envelope)));
        }

        File.Delete(envelope);
        var own = await h.StoreAsync("Subject: main only\r\n\r\n");
        var content = SpoolNames.FileName(id, SpoolFileKind.Content);
        foreach (var (user, contentRemains) in new[] { ("bob", true), ("alice", false) })
        {
            await using var client = await h.LoginAsync(user);
            await client.SendAsync("UIDL");
            await client.ExpectAsync("+OK 1 message(s)");
            await client.ExpectAsync("1 " + content);
            await client.ExpectAsync(".");
            await client.SendAsync("RETR 1");
            await client.ExpectAsync("+OK 29 octets");
            Assert.Equal("Subject: shared\r\n\r\nfor both\r\n", await Pop3ServerHarness.ReadMultiLineAsync(client));
            await client.SendAsync("DELE 1");
            await client.ExpectAsync("+OK");
            await client.SendAsync("QUIT");
            await client.ExpectAsync("+OK signing off");
            await client.ExpectClosedAsync();
            Assert.Empty(h.Files(user));
            Assert.Equal(contentRemains, File.Exists(Path.Combine(h.Directory, content)));
        }

        Assert.Contains(SpoolNames.FileName(own, SpoolFileKind.Envelope), h.Files());
        await using var carol = await h.LoginAsync("alice");
        await carol.SendAsync("STAT");
        await carol.ExpectAsync("+OK 0 0");
    }

    [Fact]
    public async Task Bytes_pipelined_after_stls_drop_the_connection()
    {
        using var h = new Pop3ServerHarness(withTls: true);
        var (client, _) = await h.ConnectAsync();
        await client.SendBatchAsync("STLS", "USER alice");
        await client.ExpectAsync("+OK");
        await client.ExpectClosedAsync();
        Assert.Contains(h.Logger.Lines, l => l.Contains("data pipelined after STLS", StringComparison.Ordinal) || l.Contains("command injection", StringComparison.Ordinal));
        await client.DisposeAsync();
    }

    [Fact]
    public async Task Stls_then_a_normal_session()
    {
        using var h = new Pop3ServerHarness(withTls: true);
        var (client, _) = await h.ConnectAsync();
        await client.SendAsync("STLS");
        await client.ExpectAsync("+OK");
        await client.SendAsync("CAPA");
        Assert.DoesNotContain("STLS", await Pop3ServerHarness.ReadMultiLineAsync(client), StringComparison.Ordinal);
        await client.SendAsync("QUIT");
        await client.ExpectAsync("+OK signing off");
        await client.DisposeAsync();
    }

    [Fact]
    public async Task An_overlong_line_is_answered_once_and_the_session_goes_on()
    {
        using var h = new Pop3ServerHarness(limits: RelayLimits.Default with { MaxCommandLineLength = 100 });
        var (client, _) = await h.ConnectAsync();
        await client.SendAsync(new string('x', 10_000));
        await client.ExpectAsync("-ERR line too long");
        await client.SendAsync("QUIT");
        await client.ExpectAsync("+OK signing off");
        await client.DisposeAsync();
    }

    [Fact]
    public async Task The_idle_timeout_closes_the_connection_and_unlocks()
    {
        using var h = new Pop3ServerHarness(limits: RelayLimits.Default with { IdleTimeout = TimeSpan.FromSeconds(30) });
        await h.StoreAsync("Subject: x\r\n\r\n");
        await using var client = await h.LoginAsync();
        h.Time.Advance(TimeSpan.FromSeconds(31));
        await client.ExpectAsync("-ERR timeout");
        await client.ExpectClosedAsync();
        await Waiting.UntilAsync(() => !h.Files().Any(f => f.EndsWith(".busy", StringComparison.Ordinal)), "unlocked");
    }

    [Fact]
    public async Task Passwords_are_never_logged()
    {
        using var h = new Pop3ServerHarness();
        await using (var client = await h.LoginAsync())
        {
            await client.SendAsync("QUIT");
            await client.ExpectAsync("+OK signing off");
        }

        Assert.DoesNotContain(h.Logger.Lines, l => l.Contains("alice pw", StringComparison.Ordinal));
        Assert.Contains(h.Logger.Lines, l => l.Contains("pop connection from 127.0.0.1:41100", StringComparison.Ordinal));
    }
}
