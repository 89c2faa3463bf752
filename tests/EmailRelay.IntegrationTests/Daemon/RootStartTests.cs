using System.Globalization;
using EmailRelay.IntegrationTests.Filters;
using EmailRelay.Testing;
using EmailRelay.Testing.Tools;

namespace EmailRelay.IntegrationTests.Daemon;

/// <summary>
/// Started as root with <c>--user daemon</c> (issue 23 item 1 and I): a spool only root can write is refused at
/// start-up with one line naming the directory, the user and the fix; once the directory is made the user's group,
/// the relay starts, stores mail, and its pid file is <c>root:&lt;user's group&gt;</c> as E-MailRelay's is.
/// These need root (CI runs as root); elsewhere they fail saying so rather than pass.
/// </summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class RootStartTests
{
    private const string User = "daemon";

    [Fact]
    public async Task A_root_only_spool_is_refused_at_start_up_with_the_fix_and_exit_1()
    {
        RequireRoot();
        using var dir = OpenDirectory();
        var spool = Path.Combine(dir.Path, "spool");
        Directory.CreateDirectory(spool, (UnixFileMode)Convert.ToInt32("755", 8));
        var port = FreePort.Get();
        await using var relay = RelayProcess.Start(dir.Path, Args(port, spool));
        Assert.Equal(1, await relay.WaitForExitAsync());
        Assert.Equal(
            "emailrelay: error: spool directory \"" + spool + "\" is not writable by user \"daemon\": run \"chgrp daemon " + spool
            + "; chmod 2775 " + spool + "\", or use \"--user root\"",
            Assert.Single(relay.Stderr, l => l.Contains("error:", StringComparison.Ordinal)));
        Assert.Empty(Directory.GetFileSystemEntries(spool));
    }

    [Fact]
    public async Task After_the_suggested_fix_mail_is_stored_and_the_pid_file_has_the_users_group()
    {
        RequireRoot();
        using var dir = OpenDirectory();
        var spool = Path.Combine(dir.Path, "spool");
        Directory.CreateDirectory(spool);
        await RunAsync("/bin/chgrp", User, spool);
        await RunAsync("/bin/chmod", "2775", spool);
        var pidFile = Path.Combine(dir.Path, "run", "emailrelay.pid");
        var port = FreePort.Get();
        await using var relay = RelayProcess.Start(dir.Path, [.. Args(port, spool), "--pid-file", pidFile]);
        await relay.WaitForStderrAsync(l => l.Contains("smtp server on", StringComparison.Ordinal), "the relay to listen");
        await using (var smtp = await SmtpDialog.OpenAsync(port))
        {
            Assert.StartsWith("250 ", await smtp.SendAsync("EHLO test"), StringComparison.Ordinal);
            Assert.Equal("250 message processed", await smtp.SendMessageAsync("a@here", ["b@there"], "root start"));
        }

        // Item I: group read-write for --user's group, as E-MailRelay's (0660, the setgid directory's group). The owner
        // is --user, not root: we never take root back to write (README "Where a site ... sees a difference").
        var envelope = Assert.Single(Directory.GetFiles(spool, "emailrelay.*.envelope"));
        var content = Assert.Single(Directory.GetFiles(spool, "emailrelay.*.content"));
        Assert.Equal(User + ":" + GroupOf(User) + " 660", (await RunAsync("/usr/bin/stat", "-c", "%U:%G %a", envelope)).Trim());
        Assert.Equal(User + ":" + GroupOf(User) + " 660", (await RunAsync("/usr/bin/stat", "-c", "%U:%G %a", content)).Trim());
        Assert.Equal("root:" + GroupOf(User), (await RunAsync("/usr/bin/stat", "-c", "%U:%G", pidFile)).Trim());
    }

    [Fact]
    public async Task A_spool_that_becomes_unwritable_gets_4xx_and_admin_errors_in_E_MailRelay_words()
    {
        RequireRoot();
        using var dir = OpenDirectory();
        var spool = Path.Combine(dir.Path, "spool");
        Directory.CreateDirectory(spool);
        await RunAsync("/bin/chgrp", User, spool);
        await RunAsync("/bin/chmod", "2775", spool);
        var port = FreePort.Get();
        var adminPort = FreePort.Get();
        var pidFile = Path.Combine(dir.Path, "emailrelay.pid");

        // As a daemon: the parent exits 0 only once the child has passed the start-up check and serves, so the
        // permissions below are taken away after the check, never before it.
        await using (var parent = RelayProcess.Start(dir.Path, [.. Args(port, spool).Where(a => a != "--no-daemon"), "--admin", adminPort.ToString(CultureInfo.InvariantCulture), "--pid-file", pidFile]))
        {
            Assert.True(await parent.WaitForExitAsync() == 0, parent.StderrText);
        }

        var pid = int.Parse((await File.ReadAllTextAsync(pidFile)).Trim(), CultureInfo.InvariantCulture);
        try
        {
            // Taken away after start-up (as a site's chmod or a remount would): a local fault, so never a 5xx.
            await RunAsync("/bin/chgrp", "root", spool);
            await RunAsync("/bin/chmod", "0750", spool);
            await using (var smtp = await SmtpDialog.OpenAsync(port))
            {
                Assert.StartsWith("250 ", await smtp.SendAsync("EHLO test"), StringComparison.Ordinal);
                Assert.Equal("451 transaction failed", await smtp.SendAsync("MAIL FROM:<a@here>"));
                Assert.StartsWith("250 ", await smtp.SendAsync("NOOP"), StringComparison.Ordinal);
            }

            await using var admin = await EmailRelay.IntegrationTests.Admin.AdminClient.ConnectAsync(adminPort);
            Assert.Equal("error: message store error: permission denied\r\n" + EmailRelay.IntegrationTests.Admin.AdminClient.Prompt, await admin.CommandAsync("list"));
            Assert.Equal("error: message store error: permission denied\r\n" + EmailRelay.IntegrationTests.Admin.AdminClient.Prompt, await admin.CommandAsync("failures"));
        }
        finally
        {
            await RelayProcess.SignalAsync(pid, "KILL");
        }
    }

    [Fact]
    public async Task A_setuid_root_copy_run_by_another_user_drops_to_that_user_not_to_user_option()
    {
        // Issue 23 N: expected (E-MailRelay) the real user; got --user's ("nobody" there, "daemon" here).
        RequireRoot();
        using var dir = OpenDirectory();
        var bin = Directory.CreateDirectory(Path.Combine(dir.Path, "bin")).FullName;
        var source = Path.GetDirectoryName(RelayProcess.ExecutablePath)!;
        foreach (var file in Directory.GetFiles(source).Where(f => Path.GetFileName(f) is var n && (n.StartsWith("emailrelay", StringComparison.Ordinal)
            || n.StartsWith("EmailRelay.Core.", StringComparison.Ordinal) || n.StartsWith("EmailRelay.Protocol.", StringComparison.Ordinal) || n.StartsWith("EmailRelay.Web.", StringComparison.Ordinal) || n.StartsWith("Microsoft.Extensions.", StringComparison.Ordinal))))
        {
            File.Copy(file, Path.Combine(bin, Path.GetFileName(file)));
        }

        var copy = Path.Combine(bin, "emailrelay");
        File.SetUnixFileMode(copy, (UnixFileMode)Convert.ToInt32("4755", 8));
        File.SetUnixFileMode(bin, (UnixFileMode)Convert.ToInt32("755", 8));
        var spool = Path.Combine(dir.Path, "spool");
        Directory.CreateDirectory(spool);
        await RunAsync("/bin/chmod", "1777", spool);
        var port = FreePort.Get();
        await using var relay = RelayProcess.Start(dir.Path, ["--reuid=nobody", "--regid=nogroup", "--clear-groups", "--", copy, .. Args(port, spool)], "/usr/bin/setpriv");
        await relay.WaitForStderrAsync(l => l.Contains("smtp server on", StringComparison.Ordinal), "the relay to listen");

        // Uid: real, effective, saved, file-system. The switch comes just after the listening line, so wait for it;
        // switching to --user's "daemon" instead (or staying root) fails the wait.
        var nobody = File.ReadLines("/etc/passwd").Select(l => l.Split(':')).First(f => f[0] == "nobody")[2];
        string[] Uids() => File.ReadLines("/proc/" + relay.Id.ToString(CultureInfo.InvariantCulture) + "/status").Single(l => l.StartsWith("Uid:", StringComparison.Ordinal)).Split('\t', StringSplitOptions.RemoveEmptyEntries);
        await Waiting.UntilAsync(() => Uids()[2] != "0", "the switch from root; uids " + string.Join(' ', Uids()));
        Assert.Equal(["Uid:", nobody, nobody, "0", nobody], Uids());
    }

    private static string[] Args(int port, string spool) =>
        ["--no-daemon", "--log", "--no-syslog", "--user", User, "--port", port.ToString(CultureInfo.InvariantCulture), "--interface", "127.0.0.1", "--spool-dir", spool];

    // A test directory the unprivileged user can search (CreateTempSubdirectory makes it 0700).
    private static TestDirectory OpenDirectory()
    {
        var dir = new TestDirectory();
        File.SetUnixFileMode(dir.Path, (UnixFileMode)Convert.ToInt32("755", 8));
        return dir;
    }

    private static async Task<string> RunAsync(string program, params string[] arguments)
    {
        await using var tool = ToolProcess.Start(program, arguments);
        Assert.Equal(0, await tool.WaitForExitAsync(Waiting.DefaultTimeout));
        return tool.StandardOutput;
    }

    private static string GroupOf(string user)
    {
        var gid = File.ReadLines("/etc/passwd").Select(l => l.Split(':')).First(f => f[0] == user)[3];
        return File.ReadLines("/etc/group").Select(l => l.Split(':')).First(f => f[2] == gid)[0];
    }

    private static void RequireRoot()
    {
        if (Environment.UserName != "root")
        {
            Assert.Fail("SKIPPED: needs root (the start-up check applies only to a root process); CI runs as root");
        }
    }
}
