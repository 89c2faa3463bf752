using System.Net.Sockets;
using System.Text;
using EmailRelay.Testing.Tools;

namespace EmailRelay.IntegrationTests.Pop3;

public sealed class PopBlackBoxTests
{
    private static async Task SendAsync(PopRelay relay, int count)
    {
        for (int i = 0; i < count; i++)
        {
            var result = await PythonSmtp.SendAsync(relay.SmtpPort, "sender@example.com", "rcpt@example.net", "message " + i + "\r\n.leading dot\r\n..two dots\r\nend");
            Assert.True(result.ExitCode == 0, result.Output + relay.Process.StderrText);
        }
    }

    private static void AssertRetrievedExactly(Dictionary<string, byte[]> expected, string outDirectory)
    {
        var got = Directory.EnumerateFiles(outDirectory).ToDictionary(p => Path.GetFileName(p), File.ReadAllBytes, StringComparer.Ordinal);
        Assert.Equal(expected.Keys.Order(StringComparer.Ordinal), got.Keys.Order(StringComparer.Ordinal));
        foreach (var (name, bytes) in expected)
        {
            Assert.Equal(Encoding.ASCII.GetString(bytes), Encoding.ASCII.GetString(got[name]));
        }
    }

    [Fact]
    public async Task Smtplib_in_and_poplib_out_byte_exact_with_user_pass_then_the_spool_is_empty()
    {
        await using var relay = await PopRelay.StartAsync();
        await SendAsync(relay, 3);
        var stored = relay.Contents();
        Assert.Equal(3, stored.Count);
        var output = Path.Combine(relay.Directory.Path, "out");
        Directory.CreateDirectory(output);
        var result = await PopClients.PoplibAsync(relay.PopPort, "alice", "alice-pw", output);
        Assert.True(result.ExitCode == 0, result.Output + relay.Process.StderrText);
        Assert.Contains("retrieved 3", result.Output, StringComparison.Ordinal);
        AssertRetrievedExactly(stored, output);

        // QUIT's reply comes once the envelopes are gone; the content files go just after it.
        Assert.Empty(Directory.EnumerateFiles(relay.Spool, "*.envelope*"));
        await Poll.UntilAsync(() => !Directory.EnumerateFiles(relay.Spool).Any(f => !f.EndsWith(".lock", StringComparison.Ordinal)), TimeSpan.FromSeconds(20), "only lock sidecars left in the spool");
        Assert.Contains("pop connection from 127.0.0.1:", relay.Process.StderrText, StringComparison.Ordinal);
        Assert.Contains("info: successful authentication of remote client using mechanism [plain] and plaintext secret for [alice] from line 2", relay.Process.StderrText, StringComparison.Ordinal);
        Assert.DoesNotContain("alice-pw", relay.Process.StderrText, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Poplib_apop_and_a_password_with_spaces()
    {
        await using var relay = await PopRelay.StartAsync("--pop-no-delete");
        await SendAsync(relay, 1);
        var stored = relay.Contents();
        foreach (var (user, password, apop) in new[] { ("bob", "bob-pw", true), ("carol", "carol has spaces", false) })
        {
            var output = Path.Combine(relay.Directory.Path, "out-" + user);
            Directory.CreateDirectory(output);
            var result = await PopClients.PoplibAsync(relay.PopPort, user, password, output, apop);
            Assert.True(result.ExitCode == 0, result.Output + relay.Process.StderrText);
            AssertRetrievedExactly(stored, output);
        }

        Assert.Contains("successful authentication of remote client using mechanism [apop] and plaintext secret for [bob] from line 3", relay.Process.StderrText, StringComparison.Ordinal);
        Assert.Contains("successful authentication of remote client using mechanism [plain] and plaintext secret for [carol] from line 4", relay.Process.StderrText, StringComparison.Ordinal);

        // --pop-no-delete: still there.
        Assert.Equal(stored.Keys, relay.Contents().Keys);
    }

    [Fact]
    public async Task Fetchmail_delivers_every_message_to_an_mda_byte_exact()
    {
        Assert.True(File.Exists("/usr/bin/fetchmail"), "fetchmail is not installed (see .ci/run)");
        await using var relay = await PopRelay.StartAsync();
        await SendAsync(relay, 2);
        var stored = relay.Contents();
        var output = Path.Combine(relay.Directory.Path, "mda");
        Directory.CreateDirectory(output);
        var rc = Path.Combine(relay.Directory.Path, "fetchmailrc");
        await File.WriteAllTextAsync(rc, $"poll 127.0.0.1 service {relay.PopPort} protocol pop3 auth password:\n  user \"alice\" password \"alice-pw\" is \"{Environment.UserName}\" here\n  sslproto '' fetchall nokeep\n  mda \"/bin/sh -c 'cat > {output}/msg.$$'\"\n");
#pragma warning disable CA1416 // black-box tests run on unix
        File.SetUnixFileMode(rc, UnixFileMode.UserRead | UnixFileMode.UserWrite);
#pragma warning restore CA1416
        await using var fetchmail = ToolProcess.Start("/usr/bin/fetchmail", ["-f", rc, "--nosyslog", "-v", "--pidfile", Path.Combine(relay.Directory.Path, "fm.pid")], standardInput: "");
        var exit = await fetchmail.WaitForExitAsync(TimeSpan.FromSeconds(60));
        Assert.True(exit == 0, fetchmail.StandardOutput + fetchmail.StandardError + relay.Process.StderrText);
        var delivered = Directory.EnumerateFiles(output).Select(File.ReadAllText).ToList();
        Assert.Equal(2, delivered.Count);
        foreach (var content in stored.Values)
        {
            // fetchmail hands the MDA LF line endings and puts its own Received header first.
            var expected = Encoding.ASCII.GetString(content).Replace("\r\n", "\n", StringComparison.Ordinal);
            Assert.Contains(delivered, d => d.EndsWith(expected, StringComparison.Ordinal) && d.StartsWith("Received: from 127.0.0.1", StringComparison.Ordinal));
        }

        // QUIT's reply comes once the envelopes are gone; the content files go just after it.
        Assert.Empty(Directory.EnumerateFiles(relay.Spool, "*.envelope*"));
        await Poll.UntilAsync(() => relay.Contents().Count == 0, TimeSpan.FromSeconds(20), "the retrieved messages' content files to go");
    }

    [Fact]
    public async Task Random_bytes_on_the_pop_port_leave_a_server_that_serves_a_normal_session()
    {
        await using var relay = await PopRelay.StartAsync("--pop-no-delete");
        await SendAsync(relay, 1);
        var random = new Random(20261124);
        for (int i = 0; i < 12; i++)
        {
            using var socket = new TcpClient();
            await socket.ConnectAsync("127.0.0.1", relay.PopPort);
            var stream = socket.GetStream();
            var junk = new byte[random.Next(1, 20_000)];
            random.NextBytes(junk);
            if (i % 3 == 0)
            {
                // Commands mixed in: a junk session that authenticates and asks for the message.
                junk = [.. Encoding.ASCII.GetBytes("USER alice\r\nPASS alice-pw\r\nRETR 1\r\nTOP 1 0\r\n"), .. junk];
            }

            try
            {
                await stream.WriteAsync(junk);
                using var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(300));
                var buffer = new byte[4096];
                while (await stream.ReadAsync(buffer, cts.Token) > 0)
                {
                }
            }
            catch (Exception e) when (e is IOException or OperationCanceledException or SocketException)
            {
                // The server may close first, or stay waiting for a line.
            }
        }

        var output = Path.Combine(relay.Directory.Path, "out");
        Directory.CreateDirectory(output);
        var result = await PopClients.PoplibAsync(relay.PopPort, "alice", "alice-pw", output);
        Assert.True(result.ExitCode == 0, result.Output + relay.Process.StderrText);
        AssertRetrievedExactly(relay.Contents(), output);
        Assert.False(relay.Process.StderrText.Contains("pop connection failed", StringComparison.Ordinal), relay.Process.StderrText);
    }

    [Fact]
    public async Task A_pop_session_and_a_forwarding_run_on_the_same_spool_never_lose_or_duplicate_a_message()
    {
        await using var relay = await PopRelay.StartAsync();
        const int Count = 40;
        await SendAsync(relay, Count);
        var stored = relay.Contents();
        Assert.Equal(Count, stored.Count);
        var forwarded = Path.Combine(relay.Directory.Path, "forwarded");
        var retrieved = Path.Combine(relay.Directory.Path, "retrieved");
        Directory.CreateDirectory(forwarded);
        Directory.CreateDirectory(retrieved);

        // A second process taking the forwarder's rename lock (.envelope -> .envelope.busy), "forwarding"
        // by copying the content out, then deleting envelope and content, one message at a time.
        const string Forwarder = """
            import os, sys, shutil, time
            spool, out = sys.argv[1], sys.argv[2]
            deadline = time.time() + 30
            while time.time() < deadline:
                names = sorted(n for n in os.listdir(spool) if n.endswith(".envelope"))
                if not names and not any(n.endswith(".content") for n in os.listdir(spool)):
                    break
                for n in names:
                    base = os.path.join(spool, n[:-len(".envelope")])
                    try:
                        os.rename(base + ".envelope", base + ".envelope.busy")
                    except OSError:
                        continue
                    shutil.copyfile(base + ".content", os.path.join(out, os.path.basename(base) + ".content"))
                    os.remove(base + ".envelope.busy")
                    os.remove(base + ".content")
                    time.sleep(0.005)
            print("done")
            """;
        await using var forwarder = ToolProcess.Start(PythonSmtp.Python, ["-c", Forwarder, relay.Spool, forwarded], standardInput: "");
        var pops = new List<Task<ToolResult>>();
        for (int i = 0; i < 3; i++)
        {
            pops.Add(PopClients.PoplibAsync(relay.PopPort, "alice", "alice-pw", retrieved));
        }

        foreach (var pop in pops)
        {
            var result = await pop;
            Assert.True(result.ExitCode == 0, result.Output + relay.Process.StderrText);
        }

        Assert.Equal(0, await forwarder.WaitForExitAsync(TimeSpan.FromSeconds(60)));
        var forwardedNames = Directory.EnumerateFiles(forwarded).Select(Path.GetFileName).ToHashSet(StringComparer.Ordinal);
        var retrievedNames = Directory.EnumerateFiles(retrieved).Select(Path.GetFileName).ToHashSet(StringComparer.Ordinal);
        Assert.Empty(forwardedNames.Intersect(retrievedNames));
        Assert.Equal(stored.Keys.Order(StringComparer.Ordinal), forwardedNames.Union(retrievedNames).Order(StringComparer.Ordinal));
        foreach (var (name, bytes) in stored)
        {
            var path = forwardedNames.Contains(name) ? Path.Combine(forwarded, name) : Path.Combine(retrieved, name);
            Assert.Equal(bytes, await File.ReadAllBytesAsync(path));
        }

        Assert.DoesNotContain(Directory.EnumerateFiles(relay.Spool), f => !f.EndsWith(".lock", StringComparison.Ordinal));
    }
}
