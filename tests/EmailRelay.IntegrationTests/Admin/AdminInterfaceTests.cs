using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using EmailRelay.Testing;

namespace EmailRelay.IntegrationTests.Admin;

/// <summary>Black-box tests of every admin command (reference §h) through a real TCP client.</summary>
public sealed class AdminInterfaceTests
{
    private const string P = AdminClient.Prompt;

    [Fact]
    public async Task Help_pid_info_and_empty_line_reply_with_crlf_and_the_prompt_and_nothing_on_connect()
    {
        await using var relay = await AdminRelay.StartAsync();
        await using var admin = await AdminClient.ConnectAsync(relay.AdminPort);
        Assert.Equal(
            "commands: dnsbl, failures, flush, forward, help, info, list, notify, pid, quit, smtp, status, unfail-all\r\n" + P,
            await admin.CommandAsync("help"));
        Assert.Equal(relay.Process.Id.ToString(CultureInfo.InvariantCulture) + "\r\n" + P, await admin.CommandAsync("PID"));
        Assert.Equal("2.6.1\r\n" + P, await admin.CommandAsync("Info Version"));
        Assert.Equal("usage: info {copyright|credit|version|warranty}\r\n" + P, await admin.CommandAsync("info"));
        Assert.Equal(P, await admin.CommandAsync(""));
    }

    [Fact]
    public async Task An_lf_client_gets_lf_replies_and_multi_line_status_has_one_line_ending()
    {
        await using var relay = await AdminRelay.StartAsync();
        using (var smtp = new TcpClient())
        {
            await smtp.ConnectAsync(IPAddress.Loopback, relay.SmtpPort);
            await using var admin = await AdminClient.ConnectAsync(relay.AdminPort, "\n");
            var status = "";
            for (var i = 0; i < 200 && !status.Contains("IN: ", StringComparison.Ordinal); i++)
            {
                status = await admin.CommandAsync("status");
            }

            Assert.DoesNotContain("\r", status, StringComparison.Ordinal);
            Assert.StartsWith("LISTEN: 127.0.0.1:" + relay.SmtpPort + "\nLISTEN: 127.0.0.1:" + relay.AdminPort + "\nOUT started: 0\nOUT finished: 0\nIN started: 1\nIN finished: 0\nIN: 127.0.0.1:" + relay.SmtpPort + " <- 127.0.0.1:", status, StringComparison.Ordinal);
            Assert.EndsWith("\n" + P, status, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Forward_and_flush_without_a_forward_address_say_so()
    {
        await using var relay = await AdminRelay.StartAsync();
        await using var admin = await AdminClient.ConnectAsync(relay.AdminPort);
        Assert.Equal("error: no remote server configured: use --forward-to\r\n" + P, await admin.CommandAsync("forward"));
        Assert.Equal("error: no remote server configured: use --forward-to\r\n" + P, await admin.CommandAsync("flush"));
    }

    [Fact]
    public async Task List_failures_and_unfail_all_show_the_spool()
    {
        await using var relay = await AdminRelay.StartAsync();
        await using var admin = await AdminClient.ConnectAsync(relay.AdminPort);
        Assert.Equal("<none>\r\n" + P, await admin.CommandAsync("list"));
        Assert.Equal("<none>\r\n" + P, await admin.CommandAsync("failures"));
        var a = relay.AddMessage(1);
        var b = relay.AddMessage(2);
        var c = relay.AddMessage(3, failed: true);
        var d = relay.AddMessage(4, failed: true);
        Assert.Equal(a + "\r\n" + b + "\r\n" + P, await admin.CommandAsync("list"));
        Assert.Equal(c + "\r\n" + d + "\r\n" + P, await admin.CommandAsync("failures"));
        Assert.Equal("\r\n" + P, await admin.CommandAsync("unfail-all"));
        Assert.Equal("<none>\r\n" + P, await admin.CommandAsync("failures"));
        Assert.Equal(string.Join("\r\n", a, b, c, d) + "\r\n" + P, await admin.CommandAsync("list"));
    }

    [Fact]
    public async Task Smtp_disable_gives_new_sessions_421_and_enable_restores_them()
    {
        await using var relay = await AdminRelay.StartAsync();
        await using var admin = await AdminClient.ConnectAsync(relay.AdminPort);
        Assert.Equal("usage: smtp {disable|enable}\r\n" + P, await admin.CommandAsync("smtp"));
        Assert.Equal("OK\r\n" + P, await admin.CommandAsync("smtp disable"));
        Assert.StartsWith("421 service not available", await GreetingAsync(relay.SmtpPort), StringComparison.Ordinal);
        Assert.Equal("OK\r\n" + P, await admin.CommandAsync("SMTP ENABLE"));
        Assert.StartsWith("220 ", await GreetingAsync(relay.SmtpPort), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Dnsbl_stop_and_start_reply_ok_and_anything_else_gets_usage()
    {
        await using var relay = await AdminRelay.StartAsync();
        await using var admin = await AdminClient.ConnectAsync(relay.AdminPort);
        Assert.Equal("OK\r\n" + P, await admin.CommandAsync("dnsbl stop"));
        Assert.Equal("OK\r\n" + P, await admin.CommandAsync("dnsbl stop 30"));
        Assert.Equal("OK\r\n" + P, await admin.CommandAsync("dnsbl start"));
        Assert.Equal("usage: dnsbl {start|stop <timeout>}\r\n" + P, await admin.CommandAsync("dnsbl"));
        Assert.Equal("usage: dnsbl {start|stop <timeout>}\r\n" + P, await admin.CommandAsync("dnsbl stop soon"));
    }

    [Fact]
    public async Task Terminate_without_admin_terminate_is_unrecognised_and_absent_from_help()
    {
        await using var relay = await AdminRelay.StartAsync();
        await using var admin = await AdminClient.ConnectAsync(relay.AdminPort);
        Assert.Equal("error: unrecognised command\r\n" + P, await admin.CommandAsync("terminate"));
        Assert.True(RelayProcess.IsAlive(relay.Process.Id));
    }

    [Fact]
    public async Task Terminate_with_admin_terminate_exits_0_and_removes_the_pid_file()
    {
        using var dir = new TestDirectory();
        var pidFile = Path.Combine(dir.Path, "relay.pid");
        await using var relay = await AdminRelay.StartAsync("--admin-terminate", "--pid-file", pidFile);
        await Waiting.UntilAsync(() => File.Exists(pidFile), "the pid file");
        await using var admin = await AdminClient.ConnectAsync(relay.AdminPort);
        Assert.Contains(", terminate, unfail-all\r\n", await admin.CommandAsync("help"), StringComparison.Ordinal);
        await admin.SendAsync("terminate");
        Assert.Equal(0, await relay.Process.WaitForExitAsync());
        Assert.False(File.Exists(pidFile));
        Assert.Matches(@"(?m)^emailrelay: info: received a terminate command from 127\.0\.0\.1:\d+$", relay.Process.StderrText);
    }

    [Fact]
    public async Task Quit_closes_and_too_many_errors_close_after_the_error_reply()
    {
        await using var relay = await AdminRelay.StartAsync();
        await using (var quitter = await AdminClient.ConnectAsync(relay.AdminPort))
        {
            await quitter.SendAsync("quit");
            Assert.True(await quitter.IsClosedAsync());
        }

        await using var admin = await AdminClient.ConnectAsync(relay.AdminPort);
        for (var i = 1; i < 10; i++)
        {
            Assert.Equal("error: unrecognised command\r\n" + P, await admin.CommandAsync("bogus " + i));
        }

        await admin.SendAsync("bogus");
        Assert.True(await admin.IsClosedAsync());
    }

    [Fact]
    public async Task Notify_gives_only_the_prompt_and_the_connection_stays_usable()
    {
        await using var relay = await AdminRelay.StartAsync();
        await using var admin = await AdminClient.ConnectAsync(relay.AdminPort);
        Assert.Equal(P, await admin.CommandAsync("notify"));
        Assert.Equal("2.6.1\r\n" + P, await admin.CommandAsync("info version"));
    }

    [Fact]
    public async Task A_line_at_the_admin_limit_is_a_command_and_one_octet_more_closes_the_connection()
    {
        var limit = Net.RelayLimits.Default.AdminMaxLineLength;
        await using var relay = await AdminRelay.StartAsync();
        await using (var admin = await AdminClient.ConnectAsync(relay.AdminPort))
        {
            // A line of exactly the limit is read and answered (as an unknown command), and the connection stays.
            Assert.EndsWith(P, await admin.CommandAsync(new string('x', limit)), StringComparison.Ordinal);
            Assert.Equal("2.6.1\r\n" + P, await admin.CommandAsync("info version"));
        }

        await using (var admin = await AdminClient.ConnectAsync(relay.AdminPort))
        {
            await admin.SendAsync(new string('x', limit + 1));
            Assert.True(await admin.IsClosedAsync());
        }

        // The limit counts content, not the terminator: a bare LF does not buy an extra octet.
        await using (var admin = await AdminClient.ConnectAsync(relay.AdminPort, "\n"))
        {
            Assert.EndsWith(P, await admin.CommandAsync(new string('x', limit)), StringComparison.Ordinal);
            await admin.SendAsync(new string('x', limit + 1));
            Assert.True(await admin.IsClosedAsync());
        }
    }

    private static async Task<string> GreetingAsync(int port)
    {
        using var client = new TcpClient();
        await client.ConnectAsync(IPAddress.Loopback, port);
        var buffer = new byte[512];
        var n = await client.GetStream().ReadAsync(buffer);
        return Encoding.ASCII.GetString(buffer, 0, n);
    }
}
