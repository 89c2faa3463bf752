using EmailRelay.Testing.Tools;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text.RegularExpressions;
using EmailRelay.Testing;

namespace EmailRelay.IntegrationTests;

/// <summary>Black-box tests of the process around the relay: exit codes, daemon, pid file, signals, log format.</summary>
public sealed class ProcessModelTests
{
    // As the user running the tests: a root start refuses a temp spool (0700) the default "daemon" cannot write.
    private static string[] ServerArgs(int port, string spool) =>
        ["--port", port.ToString(CultureInfo.InvariantCulture), "--interface", "127.0.0.1", "--spool-dir", spool, "--no-syslog", "--user", Environment.UserName];

    [Fact]
    public async Task As_server_returns_0_leaves_a_daemon_in_the_pid_file_and_sigterm_removes_it()
    {
        using var dir = new TestDirectory();
        var port = FreePort.Get();
        var pidPath = Path.Combine(dir.Path, "run", "x.pid");
        int pid;
        await using (var parent = RelayProcess.Start(dir.Path, ["--as-server", .. ServerArgs(port, dir.Path), "--pid-file", pidPath]))
        {
            Assert.True(await parent.WaitForExitAsync() == 0, parent.StderrText);
        }

        Assert.True(File.Exists(pidPath));
        var text = await File.ReadAllTextAsync(pidPath);
        Assert.Matches("^[0-9]+\n$", text);
        pid = int.Parse(text.Trim(), CultureInfo.InvariantCulture);
        try
        {
            Assert.True(RelayProcess.IsAlive(pid));
            Assert.Equal("/", Path.GetFullPath(new DirectoryInfo("/proc/" + pid + "/cwd").ResolveLinkTarget(true)!.FullName));
            using (var client = new TcpClient())
            {
                await client.ConnectAsync(IPAddress.Loopback, port);
            }

            await RelayProcess.SignalAsync(pid, "TERM");
            await Waiting.UntilAsync(() => !File.Exists(pidPath), "the pid file to be removed");
            await Waiting.UntilAsync(() => !RelayProcess.IsAlive(pid), "the daemon to exit");
        }
        finally
        {
            if (RelayProcess.IsAlive(pid))
            {
                await RelayProcess.SignalAsync(pid, "KILL");
            }
        }
    }

    [Fact]
    public async Task Daemon_keeps_logging_to_a_relative_log_file_after_closing_stderr()
    {
        using var dir = new TestDirectory();
        var port = FreePort.Get();
        var log = Path.Combine(dir.Path, "emailrelay.log");
        await using (var parent = RelayProcess.Start(dir.Path, ["--as-server", "--log-address", .. ServerArgs(port, "."), "--pid-file", "x.pid", "--log-file", "emailrelay.log"]))
        {
            Assert.True(await parent.WaitForExitAsync() == 0, parent.StderrText);
            Assert.Empty(parent.Stderr);
        }

        var pid = int.Parse((await File.ReadAllTextAsync(Path.Combine(dir.Path, "x.pid"))).Trim(), CultureInfo.InvariantCulture);
        try
        {
            Assert.Contains("emailrelay: info: smtp server on 127.0.0.1:" + port + "\n", await File.ReadAllTextAsync(log), StringComparison.Ordinal);
            using (var client = new TcpClient())
            {
                await client.ConnectAsync(IPAddress.Loopback, port);
            }

            await Waiting.UntilAsync(() => File.ReadAllText(log).Contains("emailrelay: info: 127.0.0.1; smtp connection from 127.0.0.1:", StringComparison.Ordinal), "the connection line in the log file");
            await RelayProcess.SignalAsync(pid, "HUP");
            await Waiting.UntilAsync(() => !RelayProcess.IsAlive(pid), "the daemon to exit on SIGHUP");
            Assert.False(File.Exists(Path.Combine(dir.Path, "x.pid")));
        }
        finally
        {
            if (RelayProcess.IsAlive(pid))
            {
                await RelayProcess.SignalAsync(pid, "KILL");
            }
        }
    }

    [Fact]
    public async Task Port_in_use_exits_with_2_in_the_foreground_and_as_a_daemon()
    {
        using var dir = new TestDirectory();
        using var taken = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        taken.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        taken.Listen();
        var port = ((IPEndPoint)taken.LocalEndPoint!).Port;

        await using (var foreground = RelayProcess.Start(dir.Path, ["--no-daemon", .. ServerArgs(port, dir.Path)]))
        {
            Assert.Equal(2, await foreground.WaitForExitAsync());
            Assert.Contains(foreground.Stderr, l => l.StartsWith("emailrelay: error: cannot bind the listening port", StringComparison.Ordinal) && l.Contains("127.0.0.1:" + port, StringComparison.Ordinal));
        }

        await using (var daemon = RelayProcess.Start(dir.Path, ["--as-server", .. ServerArgs(port, dir.Path), "--pid-file", Path.Combine(dir.Path, "p.pid")]))
        {
            Assert.Equal(2, await daemon.WaitForExitAsync());
            Assert.Contains(daemon.Stderr, l => l.Contains("cannot bind the listening port", StringComparison.Ordinal));
        }

        Assert.False(File.Exists(Path.Combine(dir.Path, "p.pid")));
    }

    [Fact]
    public async Task Foreground_log_lines_have_the_exact_format_with_time_and_address()
    {
        using var dir = new TestDirectory();
        var port = FreePort.Get();
        await using var relay = RelayProcess.Start(dir.Path, ["--no-daemon", "--log", "--log-time", "--log-address", .. ServerArgs(port, "."), "--pid-file", "p.pid"]);
        var time = @"\d{8}\.\d{6}\.\d{3}";
        await relay.WaitForStderrAsync(l => Regex.IsMatch(l, $@"^emailrelay: {time}: info: smtp server on 127\.0\.0\.1:{port}$"), "the listening line");
        // The listening line comes from the bind, the pid file just after it: wait for the file, do not assume the order.
        await Waiting.UntilAsync(() => File.Exists(Path.Combine(dir.Path, "p.pid")), "relative pid file resolved against the startup directory");
        using (var client = new TcpClient())
        {
            await client.ConnectAsync(IPAddress.Loopback, port);
        }

        await relay.WaitForStderrAsync(l => Regex.IsMatch(l, $@"^emailrelay: {time}: info: 127\.0\.0\.1; smtp connection from 127\.0\.0\.1:\d+$"), "the connection line");
        await RelayProcess.SignalAsync(relay.Id, "TERM");
        Assert.Equal(0, await relay.WaitForExitAsync());
        Assert.False(File.Exists(Path.Combine(dir.Path, "p.pid")));
        Assert.All(relay.Stderr, l => Assert.Matches($"^emailrelay: {time}: (info|warning|error): ", l));
    }

    [Fact]
    public async Task Without_log_nothing_is_printed()
    {
        using var dir = new TestDirectory();
        var port = FreePort.Get();
        await using var relay = RelayProcess.Start(dir.Path, ["--no-daemon", .. ServerArgs(port, dir.Path)]);
        await Waiting.UntilAsync(() => CanConnect(port), "the server to listen");
        await RelayProcess.SignalAsync(relay.Id, "INT");
        Assert.Equal(0, await relay.WaitForExitAsync());
        Assert.Empty(relay.Stderr);
    }

    [Fact]
    public async Task Unknown_option_is_an_error_with_exit_code_1()
    {
        using var dir = new TestDirectory();
        await using var relay = RelayProcess.Start(dir.Path, ["--bogus"]);
        Assert.Equal(1, await relay.WaitForExitAsync());
        Assert.Equal("emailrelay: error: invalid option: \"--bogus\"", relay.Stderr.First());
    }

    [Fact]
    public async Task Help_exits_0_with_usage_on_stdout()
    {
        using var dir = new TestDirectory();
        await using var relay = RelayProcess.Start(dir.Path, ["--help"]);
        Assert.Equal(0, await relay.WaitForExitAsync());
        Assert.StartsWith("usage:", relay.Stdout.First(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Missing_spool_directory_exits_1_with_an_error_line()
    {
        using var dir = new TestDirectory();
        await using var relay = RelayProcess.Start(dir.Path, ["--no-daemon", .. ServerArgs(FreePort.Get(), "nosuch")]);
        Assert.Equal(1, await relay.WaitForExitAsync());
        Assert.StartsWith("emailrelay: error: invalid spool directory: [" + Path.Combine(dir.Path, "nosuch") + "]", relay.StderrText, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Nothing_to_do_is_reported()
    {
        using var dir = new TestDirectory();
        await using var relay = RelayProcess.Start(dir.Path, ["--no-daemon", "--dont-serve", "--spool-dir", dir.Path]);
        Assert.Equal(1, await relay.WaitForExitAsync());
        Assert.Contains("nothing to do", relay.StderrText, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_passwd_name_dispatches_to_emailrelay_passwd()
    {
        using var dir = new TestDirectory();
        var link = Path.Combine(dir.Path, "emailrelay-passwd");
        File.CreateSymbolicLink(link, RelayProcess.ExecutablePath);
        await using var relay = RelayProcess.Start(dir.Path, ["-H", "none", "-p", "a b+c"], link);
        Assert.Equal(0, await relay.WaitForExitAsync());
        Assert.Contains("a+20b+2Bc", relay.Stdout);
    }

    [Theory]
    [InlineData("emailrelay-passwd")]
    [InlineData("emailrelay-filter-copy")]
    [InlineData("emailrelay-dkim-keygen")]
    public async Task Tool_names_dispatch_to_their_entry_point(string tool)
    {
        using var dir = new TestDirectory();
        var link = Path.Combine(dir.Path, tool);
        File.CreateSymbolicLink(link, RelayProcess.ExecutablePath);
        await using var relay = RelayProcess.Start(dir.Path, ["--help"], link);
        Assert.Equal(0, await relay.WaitForExitAsync());
        Assert.StartsWith("usage: " + tool + " ", relay.Stdout.First(), StringComparison.Ordinal);
    }

    private static bool CanConnect(int port)
    {
        try
        {
            using var client = new TcpClient();
            client.Connect(IPAddress.Loopback, port);
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }
}
