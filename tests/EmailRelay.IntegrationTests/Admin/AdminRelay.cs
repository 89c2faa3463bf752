using System.Globalization;
using EmailRelay.Testing;
using EmailRelay.Testing.Tools;

namespace EmailRelay.IntegrationTests.Admin;

/// <summary>A foreground relay with an admin port on a temp spool.</summary>
internal sealed class AdminRelay : IAsyncDisposable
{
    private AdminRelay(TestDirectory directory, RelayProcess process, int smtpPort, int adminPort)
    {
        Directory = directory;
        Process = process;
        SmtpPort = smtpPort;
        AdminPort = adminPort;
    }

    public TestDirectory Directory { get; }

    public RelayProcess Process { get; }

    public int SmtpPort { get; }

    public int AdminPort { get; }

    public string Spool => Directory.Path;

    public static async Task<AdminRelay> StartAsync(params string[] extra)
    {
        var directory = new TestDirectory();
        var smtp = FreePort.Get();
        var admin = FreePort.Get();
        var process = RelayProcess.Start(directory.Path,
        [
            "--no-daemon", "--log", "--no-syslog", "--user", Environment.UserName, "--interface", "127.0.0.1",
            "--port", smtp.ToString(CultureInfo.InvariantCulture), "--admin", admin.ToString(CultureInfo.InvariantCulture),
            "--spool-dir", directory.Path, .. extra,
        ]);
        var relay = new AdminRelay(directory, process, smtp, admin);
        await process.WaitForStderrAsync(l => l.Contains("admin server on", StringComparison.Ordinal), "the admin listener");
        return relay;
    }

    /// <summary>Writes a minimal ready (or failed) message pair straight into the spool.</summary>
    public string AddMessage(int sequence, bool failed = false)
    {
        var id = "emailrelay.1." + (1700000000 + sequence).ToString(CultureInfo.InvariantCulture) + ".1";
        File.WriteAllText(Path.Combine(Spool, id + ".content"), "Subject: x\r\n\r\nbody\r\n");
        File.WriteAllText(Path.Combine(Spool, id + ".envelope" + (failed ? ".bad" : "")),
            "X-MailRelay-Format: #2821.8\r\nX-MailRelay-Content: 7bit\r\nX-MailRelay-From: a@b\r\nX-MailRelay-ToCount: 1\r\n" +
            "X-MailRelay-To-Remote: c@d\r\nX-MailRelay-Authentication: \r\nX-MailRelay-Client: 127.0.0.1\r\n" +
            "X-MailRelay-ClientCertificate: \r\nX-MailRelay-MailFromAuthIn: \r\nX-MailRelay-MailFromAuthOut: \r\n" +
            "X-MailRelay-ForwardTo: \r\nX-MailRelay-ForwardToAddress: \r\nX-MailRelay-ClientAccountSelector: \r\nX-MailRelay-Utf8MailboxNames: 0\r\nX-MailRelay-End: 1\r\n");
        return id;
    }

    public async ValueTask DisposeAsync()
    {
        if (RelayProcess.IsAlive(Process.Id))
        {
            await RelayProcess.SignalAsync(Process.Id, "TERM");
            await Process.WaitForExitAsync();
        }

        await Process.DisposeAsync();
        Directory.Dispose();
    }
}
