using EmailRelay.Testing;

namespace EmailRelay.IntegrationTests.Filters;

/// <summary>Black-box tests of <c>--filter</c> programs and <c>--address-verifier</c> programs against the built relay.</summary>
public sealed class ServerFilterTests
{
    // The filter exits with the number in the Subject; it prints a 553 response for 1-99 and an odd one otherwise.
    private const string ExitBySubject = """
        #!/bin/sh
        code=`sed -n 's/^Subject: exit \([0-9]*\).*/\1/p' "$1"`
        case "$code" in
          [1-9]|[1-9][0-9]) echo '<<553 rejected by test filter>>' ;;
          *) echo '<<odd code>>' ; echo '[[odd reason]]' ;;
        esac
        exit $code
        """;

    [Theory]
    [InlineData(0, "250 message processed", 1)]
    [InlineData(1, "553 rejected by test filter", 0)]
    [InlineData(99, "553 rejected by test filter", 0)]
    [InlineData(100, "250 message processed", 1)]
    [InlineData(101, "250 message processed", 1)]
    [InlineData(102, "250 message processed", 1)]
    [InlineData(103, "250 message processed", 1)]
    [InlineData(104, "452 odd code", 0)]
    [InlineData(105, "452 odd code", 0)]
    [InlineData(106, "452 odd code", 0)]
    public async Task Shell_filter_exit_codes_give_the_reference_replies(int exit, string reply, int committed)
    {
        using var dir = new TestDirectory();
        var script = FilterRelay.Script(dir.Path, "exit by subject.sh", ExitBySubject);
        var (relay, port) = await FilterRelay.StartAsync(dir.Path, "--filter", script);
        await using (relay)
        {
            await using var smtp = await SmtpDialog.OpenAsync(port);
            Assert.StartsWith("250", await smtp.SendAsync("EHLO client"), StringComparison.Ordinal);
            Assert.Equal(reply, await smtp.SendMessageAsync("a@b.c", ["x@y.z"], "exit " + exit));
            Assert.Equal(committed, FilterRelay.Envelopes(dir.Path).Length);
            if (exit == 100)
            {
                // abandon: the filter owns the files; here it left them, so the commit went ahead quietly.
                return;
            }

            if (!reply.StartsWith("250", StringComparison.Ordinal))
            {
                Assert.Empty(Directory.GetFiles(dir.Path, "emailrelay.*"));
                await relay.WaitForStderrAsync(l => l.Contains("rejected by filter: [", StringComparison.Ordinal), "the rejection log line");
            }
        }
    }

    [Fact]
    public async Task Python_filter_edits_content_and_envelope_and_the_edits_are_committed()
    {
        using var dir = new TestDirectory();
        var script = FilterRelay.Script(dir.Path, "edit.py", """
            #!/usr/bin/python3
            import sys
            content, envelope = sys.argv[1], sys.argv[2]
            assert envelope.endswith('.envelope.new'), envelope
            data = open(content, 'rb').read()
            open(content, 'wb').write(b'X-Filtered: yes\r\n' + data)
            env = open(envelope, 'rb').read().replace(b'X-MailRelay-To-Remote: x@y.z', b'X-MailRelay-To-Remote: rewritten@y.z')
            open(envelope, 'wb').write(env)
            """);
        var (relay, port) = await FilterRelay.StartAsync(dir.Path, "--filter", script);
        await using (relay)
        {
            await using var smtp = await SmtpDialog.OpenAsync(port);
            await smtp.SendAsync("HELO client");
            Assert.Equal("250 message processed", await smtp.SendMessageAsync("a@b.c", ["x@y.z"], "edit me"));
        }

        var envelope = Assert.Single(FilterRelay.Envelopes(dir.Path));
        Assert.Contains("X-MailRelay-To-Remote: rewritten@y.z\r\n", File.ReadAllText(envelope), StringComparison.Ordinal);
        var content = envelope.Replace(".envelope", ".content", StringComparison.Ordinal);
        Assert.StartsWith("X-Filtered: yes\r\n", File.ReadAllText(content), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_filter_that_runs_past_the_filter_timeout_gives_452_error()
    {
        using var dir = new TestDirectory();
        var script = FilterRelay.Script(dir.Path, "slow.sh", "#!/bin/sh\nsleep 30\n");
        var (relay, port) = await FilterRelay.StartAsync(dir.Path, "--filter", script, "--filter-timeout", "1");
        await using (relay)
        {
            await using var smtp = await SmtpDialog.OpenAsync(port);
            await smtp.SendAsync("HELO client");
            Assert.Equal("452 error", await smtp.SendMessageAsync("a@b.c", ["x@y.z"], "slow"));
            await relay.WaitForStderrAsync(l => l.Contains("rejected by filter: [timeout]", StringComparison.Ordinal), "the timeout log line");
        }

        Assert.Empty(FilterRelay.Envelopes(dir.Path));
    }

    [Fact]
    public async Task A_missing_filter_program_rejects_the_message()
    {
        using var dir = new TestDirectory();
        var (relay, port) = await FilterRelay.StartAsync(dir.Path, "--filter", Path.Combine(dir.Path, "no such filter"));
        await using (relay)
        {
            await using var smtp = await SmtpDialog.OpenAsync(port);
            await smtp.SendAsync("HELO client");
            Assert.Equal("452 rejected", await smtp.SendMessageAsync("a@b.c", ["x@y.z"], "hi"));
        }

        Assert.Empty(FilterRelay.Envelopes(dir.Path));
    }

    [Fact]
    public async Task Hostile_addresses_reach_the_verifier_and_filter_intact_and_execute_nothing()
    {
        using var dir = new TestDirectory();
        var pwned = Path.Combine(dir.Path, "pwned");
        var log = Path.Combine(dir.Path, "args.log");
        var verifier = FilterRelay.Script(dir.Path, "verify.sh", "#!/bin/sh\nprintf '%s\\n' \"$1\" >> '" + log + "'\necho ok\necho \"$1\"\nexit 1\n");
        var filter = FilterRelay.Script(dir.Path, "filter.sh", "#!/bin/sh\ngrep -c pwned \"$2\" >> '" + log + "'\nexit 0\n");
        var (relay, port) = await FilterRelay.StartAsync(dir.Path, "--filter", filter, "--address-verifier", verifier);
        string[] hostile = ["\"a;touch " + pwned + "\"@y", "\"`touch " + pwned + "`\"@y", "\"$(touch " + pwned + ")\"@y", "a`id`$HOME|x&y@z"];
        await using (relay)
        {
            await using var smtp = await SmtpDialog.OpenAsync(port);
            await smtp.SendAsync("HELO client");
            Assert.Equal("250 message processed", await smtp.SendMessageAsync("a@b.c", hostile, "hostile"));
        }

        Assert.False(File.Exists(pwned));
        Assert.Equal([.. hostile, "3"], File.ReadAllLines(log)); // the filter counts the envelope lines naming "pwned"
        var envelope = File.ReadAllText(Assert.Single(FilterRelay.Envelopes(dir.Path)));
        foreach (var address in hostile)
        {
            Assert.Contains("X-MailRelay-To-Remote: " + address + "\r\n", envelope, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Verifier_program_results_give_the_reference_replies()
    {
        using var dir = new TestDirectory();
        var verifier = FilterRelay.Script(dir.Path, "verify by name.sh", """
            #!/bin/sh
            case "$1" in
              local@*) echo 'Local User' ; echo 'localbox' ; exit 0 ;;
              remote@*) echo ok ; echo 'remote@rewritten.example' ; exit 1 ;;
              temp@*) echo 'try again later' ; exit 3 ;;
              bad@*) echo 'no such user' ; echo 'not in the table' ; exit 2 ;;
              abort@*) exit 100 ;;
              *) exit 7 ;;
            esac
            """);
        var (relay, port) = await FilterRelay.StartAsync(dir.Path, "--address-verifier", verifier);
        await using (relay)
        {
            await using var smtp = await SmtpDialog.OpenAsync(port);
            await smtp.SendAsync("HELO client");
            Assert.StartsWith("250", await smtp.SendAsync("MAIL FROM:<a@b.c>"), StringComparison.Ordinal);
            Assert.Equal("250 recipient <local@x>  OK", await smtp.SendAsync("RCPT TO:<local@x>"));
            Assert.Equal("250 recipient <remote@x> OK", await smtp.SendAsync("RCPT TO:<remote@x>"));
            Assert.Equal("450 try again later", await smtp.SendAsync("RCPT TO:<temp@x>"));
            Assert.Equal("550 no such user", await smtp.SendAsync("RCPT TO:<bad@x>"));
            Assert.Equal("550 mailbox unavailable", await smtp.SendAsync("RCPT TO:<other@x>"));
            Assert.StartsWith("354", await smtp.SendAsync("DATA"), StringComparison.Ordinal);
            Assert.Equal("250 message processed", await smtp.SendAsync("Subject: v\r\n\r\nbody\r\n."));
            await relay.WaitForStderrAsync(l => l.Contains("rejecting recipient", StringComparison.Ordinal) && l.Contains("not in the table", StringComparison.Ordinal), "the rejection warning");
            Assert.StartsWith("250", await smtp.SendAsync("MAIL FROM:<a@b.c>"), StringComparison.Ordinal);
            Assert.Null(await smtp.SendAsync("RCPT TO:<abort@x>"));
        }

        var envelope = File.ReadAllText(Assert.Single(FilterRelay.Envelopes(dir.Path)));
        Assert.Contains("X-MailRelay-To-Local: localbox\r\n", envelope, StringComparison.Ordinal);
        Assert.Contains("X-MailRelay-To-Remote: remote@rewritten.example\r\n", envelope, StringComparison.Ordinal);
    }

    [SkippableFact]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public async Task Started_as_root_with_another_user_the_filter_runs_with_that_real_and_effective_id()
    {
        Skip.If(Environment.UserName != "root" || OperatingSystem.IsWindows(), "needs to be started as root on a POSIX system (as CI is)");

        using var dir = new TestDirectory();
        File.SetUnixFileMode(dir.Path, (UnixFileMode)0x1FF); // 0777: the spool must be writable by nobody
        var script = FilterRelay.Script(dir.Path, "id.sh", "#!/bin/sh\necho \"<<ruid=`id -ru` euid=`id -u` rgid=`id -rg`>>\"\nexit 1\n");
        var port = EmailRelay.Testing.Tools.FreePort.Get();
        var relay = RelayProcess.Start(dir.Path, ["--no-daemon", "--port", port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--interface", "127.0.0.1", "--spool-dir", dir.Path, "--no-syslog", "--log", "--user", "nobody", "--filter", script]);
        await using (relay)
        {
            await relay.WaitForStderrAsync(l => l.Contains("smtp server on", StringComparison.Ordinal), "the relay to listen");
            await using var smtp = await SmtpDialog.OpenAsync(port);
            await smtp.SendAsync("HELO client");
            Assert.Equal("452 ruid=65534 euid=65534 rgid=65534", await smtp.SendMessageAsync("a@b.c", ["x@y.z"], "id"));
        }
    }
}
