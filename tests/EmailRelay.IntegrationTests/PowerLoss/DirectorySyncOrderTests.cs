using System.Globalization;
using System.Text.RegularExpressions;
using EmailRelay.Testing;
using EmailRelay.Testing.Tools;

namespace EmailRelay.IntegrationTests.PowerLoss;

/// <summary>
/// What <see cref="LazyFs"/> cannot see: that a change of the spool's names (a commit rename, a POP deletion, an
/// unclaim) is on stable storage before the reply that acknowledges it. The relay runs under <c>strace</c>, and at
/// each acknowledgement (<c>250 message processed</c>, the POP <c>QUIT</c> <c>+OK</c>) every rename and unlink in the
/// spool directory before it must be followed by an <c>fsync</c> of that directory that ends before the reply starts.
/// Lock files are not part of the promise and are not checked.
/// </summary>
public sealed partial class DirectorySyncOrderTests
{
    private const string Strace = "/usr/bin/strace";

    [SkippableFact]
    public async Task Every_spool_rename_and_unlink_is_synced_before_the_reply_that_acknowledges_it()
    {
        Skip.If(!File.Exists(Strace), "strace is not installed (Debian's strace)");
        using var dir = new TestDirectory();
        var spool = Path.Combine(dir.Path, "spool");
        Directory.CreateDirectory(spool);
        var trace = Path.Combine(dir.Path, "trace");
        var pidFile = Path.Combine(dir.Path, "emailrelay.pid");
        var secrets = Path.Combine(dir.Path, "pop.auth");
        await File.WriteAllTextAsync(secrets, "server plain alice alice-pw\n");
        var smtp = FreePort.Get();
        var pop = FreePort.Get();
        await using var strace = RelayProcess.Start(dir.Path,
        [
            "-f", "-y", "-qq", "-s", "64", "-o", trace,
            "-e", "trace=rename,renameat,renameat2,unlink,unlinkat,fsync,fdatasync,write,sendto,sendmsg",
            "--", RelayProcess.ExecutablePath,
            "--no-daemon", "--log", "--user", "root", "--interface", "127.0.0.1", "--spool-dir", spool, "--pid-file", pidFile,
            "--port", smtp.ToString(CultureInfo.InvariantCulture),
            "--pop", "--pop-port", pop.ToString(CultureInfo.InvariantCulture), "--pop-auth", secrets,
        ], Strace);
        await Poll.UntilAsync(() => FreePort.IsListening(smtp) && FreePort.IsListening(pop) && File.Exists(pidFile), TimeSpan.FromSeconds(60), "the relay under strace");

        for (var i = 0; i < 3; i++)
        {
            var sent = await Swaks.SendAsync(smtp, "a@example.com", "b@example.net", body: "message " + i);
            Assert.True(sent.ExitCode == 0, sent.Output);
        }

        var session = await PoplibSession.RunAsync(pop, 1);
        Assert.Contains("quit +OK", session, StringComparison.Ordinal);
        var relayPid = int.Parse((await File.ReadAllTextAsync(pidFile)).Trim(), CultureInfo.InvariantCulture);
        await RelayProcess.SignalAsync(relayPid, "TERM");
        Assert.Equal(0, await strace.WaitForExitAsync(TimeSpan.FromSeconds(60)));

        var calls = Parse(File.ReadAllLines(trace));
        var replies = calls.Where(c => c.Text.Contains("\"250 message processed", StringComparison.Ordinal) || QuitReply().IsMatch(c.Text)).ToList();
        Assert.Equal(4, replies.Count);
        Assert.True(calls.Any(c => c.Name is "rename" or "renameat" or "renameat2" && c.Text.Contains(".envelope.new\"", StringComparison.Ordinal)), "no commit rename traced");
        Assert.True(calls.Any(c => c.Name is "unlink" or "unlinkat" && c.Text.Contains(".content\"", StringComparison.Ordinal)), "no POP deletion traced");
        var directory = "<" + Path.GetFullPath(spool) + ">)";
        foreach (var reply in replies)
        {
            var changes = calls.Where(c => c.End < reply.Start && IsSpoolNameChange(c, spool)).ToList();
            Assert.NotEmpty(changes);
            var lastChange = changes.Max(c => c.End);
            var synced = calls.Any(c => c.Name == "fsync" && c.Text.Contains(directory, StringComparison.Ordinal) && c.Start > lastChange && c.End < reply.Start && c.Text.EndsWith("= 0", StringComparison.Ordinal));
            Assert.True(synced, "no directory sync between the last spool change and the reply:\n" +
                string.Join("\n", calls.Where(c => c.Start >= lastChange - 2 && c.Start <= reply.Start).Select(c => c.Text)));
        }
    }

    /// <summary>A rename or unlink of a message file in <paramref name="spool"/>, not of a lock file.</summary>
    private static bool IsSpoolNameChange(Call call, string spool)
        => call.Name is "rename" or "renameat" or "renameat2" or "unlink" or "unlinkat"
            && call.Text.Contains("\"" + Path.GetFullPath(spool) + "/emailrelay.", StringComparison.Ordinal)
            && !call.Text.Contains(".lock\"", StringComparison.Ordinal)
            && call.Text.EndsWith("= 0", StringComparison.Ordinal);

    /// <summary>
    /// The traced calls in order; a call strace split over two lines (<c>&lt;unfinished ...&gt;</c> and
    /// <c>&lt;... resumed&gt;</c>) starts at the first line and ends at the second.
    /// </summary>
    private static List<Call> Parse(string[] lines)
    {
        var calls = new List<Call>();
        var pending = new Dictionary<string, (int Start, string Text)>(StringComparer.Ordinal);
        for (var i = 0; i < lines.Length; i++)
        {
            var match = TraceLine().Match(lines[i]);
            if (!match.Success)
            {
                continue;
            }

            var pid = match.Groups[1].Value;
            var rest = match.Groups[2].Value;
            if (rest.EndsWith("<unfinished ...>", StringComparison.Ordinal))
            {
                pending[pid] = (i, rest[..^"<unfinished ...>".Length]);
            }
            else if (Resumed().Match(rest) is { Success: true } resumed && pending.Remove(pid, out var start))
            {
                calls.Add(new Call(resumed.Groups[1].Value, start.Text + resumed.Groups[2].Value, start.Start, i));
            }
            else if (CallName().Match(rest) is { Success: true } name)
            {
                calls.Add(new Call(name.Groups[1].Value, rest.TrimEnd(), i, i));
            }
        }

        return calls;
    }

    [GeneratedRegex(@"^(\d+)\s+(.*)$")]
    private static partial Regex TraceLine();

    [GeneratedRegex(@"^<\.\.\. (\w+) resumed>(.*)$")]
    private static partial Regex Resumed();

    [GeneratedRegex(@"^(\w+)\(")]
    private static partial Regex CallName();

    /// <summary>The POP server's reply to QUIT in the transaction state.</summary>
    [GeneratedRegex("^(sendto|write|sendmsg)\\(.*\"\\+OK signing off")]
    private static partial Regex QuitReply();

    private sealed record Call(string Name, string Text, int Start, int End);
}
