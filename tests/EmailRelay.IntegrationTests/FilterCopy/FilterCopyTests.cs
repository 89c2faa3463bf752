using System.Text;
using EmailRelay.IntegrationTests.Pop3;
using EmailRelay.Testing;
using EmailRelay.Testing.Tools;
using MailKit.Net.Pop3;
using MailKit.Security;

namespace EmailRelay.IntegrationTests.FilterCopy;

/// <summary>
/// <c>emailrelay-filter-copy</c> (issue 9, reference §c <c>copy:</c>, §j, §f <c>--pop-by-name</c>) with the built
/// executable: the documented one-copy-per-POP-client scenario, and the same with the built-in <c>copy:pop</c>.
/// </summary>
public sealed class FilterCopyTests
{
    private const string Tool = "emailrelay-filter-copy";

    private static string Link(string directory)
    {
        var bin = Path.Combine(directory, "bin");
        Directory.CreateDirectory(bin);
        var link = Path.Combine(bin, Tool);
        if (!File.Exists(link))
        {
            File.CreateSymbolicLink(link, RelayProcess.ExecutablePath);
        }

        return link;
    }

    // A --filter program that runs the tool with extra arguments, as a user's wrapper script would.
    private static string Wrapper(string directory, string name, string body)
    {
        var path = Path.Combine(directory, "bin", name);
        File.WriteAllText(path, "#!/bin/sh\n" + body + "\n");
#pragma warning disable CA1416 // black-box tests run on unix
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
#pragma warning restore CA1416
        return path;
    }

    private static async Task<(int Code, string Stdout, string Stderr)> RunToolAsync(params string[] args)
    {
        using var directory = new TestDirectory();
        await using var process = ToolProcess.Start(Link(directory.Path), args, standardInput: "");
        var code = await process.WaitForExitAsync(TimeSpan.FromSeconds(30));
        return (code, process.StandardOutput, process.StandardError);
    }

    /// <summary>The spool's files (not lock files, not the free-file pool) as relative paths, with the message id replaced by ID.</summary>
    private static List<string> Layout(string spool, string id) => [.. Directory.EnumerateFiles(spool, "*", SearchOption.AllDirectories)
        .Where(f => !f.EndsWith(".lock", StringComparison.Ordinal))
        .Where(f => !Path.GetRelativePath(spool, f).StartsWith(".pool/", StringComparison.Ordinal))
        .Select(f => Path.GetRelativePath(spool, f).Replace(id, "ID", StringComparison.Ordinal))
        .Order(StringComparer.Ordinal)];

    private static async Task<string> SendOneAsync(PopRelay relay)
    {
        var before = Directory.EnumerateFiles(relay.Spool, "*", SearchOption.AllDirectories).ToHashSet(StringComparer.Ordinal);
        var result = await PythonSmtp.SendAsync(relay.SmtpPort, "sender@example.com", "rcpt@example.net", "copied message\r\n.leading dot\r\nend");
        Assert.True(result.Output.Contains("sent", StringComparison.Ordinal), result.Output + relay.Process.StderrText);
        var envelope = Directory.EnumerateFiles(relay.Spool, "*.envelope", SearchOption.AllDirectories).First(f => !before.Contains(f));
        return Path.GetFileName(envelope)[..^".envelope".Length];
    }

    private static async Task<byte[]> MailKitRetrieveAndDeleteAsync(int port, string user, string password)
    {
        using var client = new Pop3Client();
        await client.ConnectAsync("127.0.0.1", port, SecureSocketOptions.None);
        await client.AuthenticateAsync(user, password);
        Assert.Equal(1, client.Count);
        using var stream = await client.GetStreamAsync(0);
        using var buffer = new MemoryStream();
        await stream.CopyToAsync(buffer);
        await client.DeleteMessageAsync(0);
        await client.DisconnectAsync(true);
        return buffer.ToArray();
    }

    /// <summary>Runs the documented scenario with <paramref name="filter"/>; returns the layout after the copy.</summary>
    private static async Task<List<string>> ScenarioAsync(Func<string, string> filter, bool pop)
    {
        var directory = new TestDirectory();
        Link(directory.Path);
        await using var relay = await PopRelay.StartAsync("--pop-by-name", "--filter", filter(directory.Path), "--filter-timeout", "20");
        try
        {
            Directory.CreateDirectory(Path.Combine(relay.Spool, "alice"));
            Directory.CreateDirectory(Path.Combine(relay.Spool, "bob"));
            Directory.CreateDirectory(Path.Combine(relay.Spool, "postmaster"));
            Directory.CreateDirectory(Path.Combine(relay.Spool, ".hidden"));
            var id = await SendOneAsync(relay);
            var layout = Layout(relay.Spool, id);
            List<string> expected = pop
                ? ["ID.content", "alice/ID.envelope", "bob/ID.envelope"]
                : ["alice/ID.content", "alice/ID.envelope", "bob/ID.content", "bob/ID.envelope"];
            Assert.Equal(expected, layout);
            var stored = await File.ReadAllBytesAsync(pop ? Path.Combine(relay.Spool, id + ".content") : Path.Combine(relay.Spool, "bob", id + ".content"));

            // alice with Python's poplib: retrieves byte-exact and deletes her copy; bob's is untouched.
            var output = Path.Combine(relay.Directory.Path, "out-alice");
            Directory.CreateDirectory(output);
            var result = await PopClients.PoplibAsync(relay.PopPort, "alice", "alice-pw", output);
            Assert.True(result.ExitCode == 0, result.Output + relay.Process.StderrText);
            Assert.Contains("retrieved 1", result.Output, StringComparison.Ordinal);
            Assert.Equal(Encoding.ASCII.GetString(stored), Encoding.ASCII.GetString(await File.ReadAllBytesAsync(Directory.EnumerateFiles(output).Single())));
            string[] left = pop ? ["ID.content", "bob/ID.envelope"] : ["bob/ID.content", "bob/ID.envelope"];
            await Poll.UntilAsync(() => Layout(relay.Spool, id).SequenceEqual(left), TimeSpan.FromSeconds(20), "alice's copy to go");

            // bob with MailKit: the same bytes; the shared content goes with the last envelope.
            var bobs = await MailKitRetrieveAndDeleteAsync(relay.PopPort, "bob", "bob-pw");
            Assert.Equal(Encoding.ASCII.GetString(stored), Encoding.ASCII.GetString(bobs));
            await Poll.UntilAsync(() => Layout(relay.Spool, id).Count == 0, TimeSpan.FromSeconds(20), "the last copy to go");
            return layout;
        }
        finally
        {
            directory.Dispose();
        }
    }

    [Fact]
    public async Task The_documented_scenario_gives_each_pop_client_its_own_copy()
    {
        await ScenarioAsync(Link, pop: false);
    }

    [Fact]
    public async Task The_pop_option_and_copy_pop_leave_identical_layouts_and_share_the_content_until_the_last_delete()
    {
        var tool = await ScenarioAsync(d => Wrapper(d, "copy-pop", "exec " + Link(d) + " --pop \"$@\""), pop: true);
        var builtIn = await ScenarioAsync(_ => "copy:pop", pop: true);
        Assert.Equal(builtIn, tool);
    }

    [Fact]
    public async Task Help_lists_the_options_and_exits_0()
    {
        var (code, stdout, _) = await RunToolAsync("--help");
        Assert.Equal(0, code);
        foreach (var option in new[] { "--pop", "-p,", "--hardlink", "-h,", "--nodelete", "-n," })
        {
            Assert.Contains(option, stdout, StringComparison.Ordinal);
        }
    }

    [Theory]
    [InlineData("no such file: ", "/nonexistent/emailrelay.1.2.3.content", "/nonexistent/emailrelay.1.2.3.envelope.new")]
    [InlineData("usage: ", "/nonexistent/emailrelay.1.2.3.content")]
    [InlineData("invalid option: --bogus", "--bogus", "a", "b")]
    public async Task Bad_input_is_a_filter_failure_with_the_reason_as_the_response(string reason, params string[] args)
    {
        var (code, stdout, stderr) = await RunToolAsync(args);
        Assert.InRange(code, 1, 99);
        Assert.StartsWith("<<" + reason, stdout, StringComparison.Ordinal);
        Assert.Contains(Tool + ": error: " + reason, stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_unreadable_content_file_is_a_failure()
    {
        using var directory = new TestDirectory();
        var content = Path.Combine(directory.Path, "emailrelay.1.2.3.content");
        var envelope = Path.Combine(directory.Path, "emailrelay.1.2.3.envelope.new");
        Directory.CreateDirectory(content); // a directory, not a readable file
        await File.WriteAllTextAsync(envelope, "X-MailRelay-Format: #2821.5\r\n");
        var (code, stdout, _) = await RunToolAsync(content, envelope);
        Assert.InRange(code, 1, 99);
        Assert.StartsWith("<<", stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Missing_paths_make_the_relay_refuse_the_message_with_the_reason()
    {
        var directory = new TestDirectory();
        try
        {
            var filter = Wrapper(directory.Path, "broken", "exec " + Link(directory.Path) + " /nonexistent/x.content \"$2\"");
            await using var relay = await PopRelay.StartAsync("--pop-by-name", "--filter", filter, "--filter-timeout", "20");
            Directory.CreateDirectory(Path.Combine(relay.Spool, "alice"));
            var result = await PythonSmtp.SendAsync(relay.SmtpPort, "sender@example.com", "rcpt@example.net", "hello");
            Assert.Matches("refused [45][0-9][0-9] .*no such file: /nonexistent/x.content", result.Output);
            Assert.Empty(Directory.EnumerateFiles(Path.Combine(relay.Spool, "alice")));
        }
        finally
        {
            directory.Dispose();
        }
    }

    [Fact]
    public async Task A_spool_without_subdirectories_accepts_the_mail_and_the_tool_warns()
    {
        var directory = new TestDirectory();
        try
        {
            await using var relay = await PopRelay.StartAsync("--filter", Link(directory.Path), "--filter-timeout", "20");
            var id = await SendOneAsync(relay);
            Assert.Equal(["ID.content", "ID.envelope"], Layout(relay.Spool, id));
        }
        finally
        {
            directory.Dispose();
        }

        using var spool = new TestDirectory();
        var content = Path.Combine(spool.Path, "emailrelay.1.2.3.content");
        var envelope = Path.Combine(spool.Path, "emailrelay.1.2.3.envelope.new");
        await File.WriteAllTextAsync(content, "Subject: x\r\n\r\nbody\r\n");
        await File.WriteAllTextAsync(envelope, "X-MailRelay-Format: #2821.5\r\n");
        var (code, _, stderr) = await RunToolAsync(content, envelope);
        Assert.Equal(0, code);
        Assert.Contains("warning", stderr, StringComparison.Ordinal);
        Assert.Contains("nothing copied", stderr, StringComparison.Ordinal);
        Assert.True(File.Exists(content) && File.Exists(envelope));
    }

    [Fact]
    public async Task Hardlink_and_nodelete_options_do_what_copy_does()
    {
        using var spool = new TestDirectory();
        Directory.CreateDirectory(Path.Combine(spool.Path, "alice"));
        var content = Path.Combine(spool.Path, "emailrelay.1.2.3.content");
        var envelope = Path.Combine(spool.Path, "emailrelay.1.2.3.envelope.new");
        await File.WriteAllTextAsync(content, "Subject: x\r\n\r\nbody\r\n");
        await File.WriteAllTextAsync(envelope, "X-MailRelay-Format: #2821.5\r\n");
        var (code, _, stderr) = await RunToolAsync("-h", "-n", content, envelope);
        Assert.True(code == 0, stderr);
        Assert.True(File.Exists(content) && File.Exists(envelope));
        Assert.Equal(["alice/emailrelay.1.2.3.content", "alice/emailrelay.1.2.3.envelope", "emailrelay.1.2.3.content", "emailrelay.1.2.3.envelope.new"], Layout(spool.Path, "\0"));
        await File.AppendAllTextAsync(content, "appended\r\n");
        Assert.EndsWith("appended\r\n", await File.ReadAllTextAsync(Path.Combine(spool.Path, "alice", "emailrelay.1.2.3.content")), StringComparison.Ordinal);

        Directory.Delete(Path.Combine(spool.Path, "alice"), recursive: true);
        Directory.CreateDirectory(Path.Combine(spool.Path, "bob"));
        (code, _, stderr) = await RunToolAsync(content, envelope);
        Assert.True(code == 100, stderr);
        Assert.False(File.Exists(content) || File.Exists(envelope));
        Assert.Equal(["bob/emailrelay.1.2.3.content", "bob/emailrelay.1.2.3.envelope"], Layout(spool.Path, "\0"));
    }
}
