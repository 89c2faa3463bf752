using System.Globalization;
using EmailRelay.Testing;
using EmailRelay.Testing.Tools;

namespace EmailRelay.IntegrationTests.Units;

/// <summary>Several configuration units in one process (reference §h "Multiple configurations").</summary>
public sealed class MultipleUnitsTests
{
    private static string S(int port) => port.ToString(CultureInfo.InvariantCulture);

    [Fact]
    public async Task An_in_unit_forwards_to_an_out_unit_which_forwards_to_a_sink_each_with_its_own_spool()
    {
        using var dir = new TestDirectory();
        var inSpool = Directory.CreateDirectory(Path.Combine(dir.Path, "in")).FullName;
        var outSpool = Directory.CreateDirectory(Path.Combine(dir.Path, "out")).FullName;
        await using var sink = await SmtpSink.StartAsync();
        var inPort = FreePort.Get();
        var outPort = FreePort.Get();
        await using var relay = RelayProcess.Start(dir.Path,
        [
            "--no-daemon", "--log", "--log-format", "unit", "--no-syslog", "--user", Environment.UserName, "--spool-dir", dir.Path, "--no-smtp",
            "--in-spool-dir", inSpool, "--in-port", S(inPort), "--in-interface", "127.0.0.1",
            "--in-forward-to", "127.0.0.1:" + S(outPort), "--in-forward-on-disconnect",
            "--out-spool-dir", outSpool, "--out-port", S(outPort), "--out-interface", "127.0.0.1",
            "--out-forward-to", "127.0.0.1:" + S(sink.Port), "--out-forward-on-disconnect",
        ]);
        await relay.WaitForStderrAsync(l => l.Contains("[out] ", StringComparison.Ordinal) && l.Contains("smtp server on 127.0.0.1:" + S(outPort), StringComparison.Ordinal), "the out unit's listener");
        await relay.WaitForStderrAsync(l => l.Contains("[in] ", StringComparison.Ordinal) && l.Contains("smtp server on 127.0.0.1:" + S(inPort), StringComparison.Ordinal), "the in unit's listener");
        using (var client = new MailKit.Net.Smtp.SmtpClient())
        {
            await client.ConnectAsync("127.0.0.1", inPort, MailKit.Security.SecureSocketOptions.None);
            var message = new MimeKit.MimeMessage();
            message.From.Add(MimeKit.MailboxAddress.Parse("alice@example.com"));
            message.To.Add(MimeKit.MailboxAddress.Parse("bob@example.net"));
            message.Subject = "units";
            message.Body = new MimeKit.TextPart("plain") { Text = "hello" };
            await client.SendAsync(message);
            await client.DisconnectAsync(true);
        }

        await sink.WaitForMessagesAsync(1, Waiting.DefaultTimeout);
        // Forwarder lines carry their unit's prefix like the server lines (reference §k, --log-format=unit).
        await relay.WaitForStderrAsync(l => l == "emailrelay: info: [in] smtp connection to 127.0.0.1:" + S(outPort), "the in unit's forwarder line");
        await relay.WaitForStderrAsync(l => l == "emailrelay: info: [out] smtp connection to 127.0.0.1:" + S(sink.Port), "the out unit's forwarder line");
        await Waiting.UntilAsync(() => Directory.GetFiles(inSpool, "*.envelope*").Length == 0 && Directory.GetFiles(outSpool, "*.envelope*").Length == 0, "both spools empty");
        await RelayProcess.SignalAsync(relay.Id, "TERM");
        Assert.Equal(0, await relay.WaitForExitAsync());
    }
}
