using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using EmailRelay.Testing;

namespace EmailRelay.IntegrationTests.Web;

/// <summary>
/// A foreground relay with the web console on a port the system chose (read back from the <c>http server on</c> log
/// line), SMTP likewise, on a temp spool, with two accounts: <c>admin</c> (plain password, admin role) and
/// <c>viewer</c> (an <c>emailrelay-passwd</c> md5 hash, read-only role).
/// </summary>
internal sealed partial class WebRelay : IAsyncDisposable
{
    public const string AdminPassword = "s3cret pass";
    public const string ViewerPassword = "v1ewer";

    private WebRelay(TestDirectory directory, RelayProcess process, int smtpPort, int httpPort, string spool)
    {
        Directory = directory;
        Process = process;
        SmtpPort = smtpPort;
        HttpPort = httpPort;
        Spool = spool;
    }

    public TestDirectory Directory { get; }

    public RelayProcess Process { get; }

    public int SmtpPort { get; }

    public int HttpPort { get; }

    public string Spool { get; }

    public Uri BaseAddress => new("http://127.0.0.1:" + HttpPort.ToString(CultureInfo.InvariantCulture) + "/");

    /// <summary>Starts the relay with <c>--http 127.0.0.1:0 --http-auth</c> and <paramref name="extra"/> options; <paramref name="prepare"/> may fill the spool first.</summary>
    public static async Task<WebRelay> StartAsync(IEnumerable<string>? extra = null, Action<string>? prepare = null, bool auth = true)
    {
        var directory = new TestDirectory();
        string spool = Path.Combine(directory.Path, "spool");
        System.IO.Directory.CreateDirectory(spool);
        prepare?.Invoke(spool);
        string accounts = Path.Combine(directory.Path, "accounts");
        await File.WriteAllTextAsync(accounts,
            "# web console accounts\n" +
            "server plain admin " + EmailRelay.Protocol.Text.Xtext.Encode(AdminPassword) + " admin\n" +
            "server md5 viewer " + Hash(ViewerPassword) + "\n");
        var process = RelayProcess.Start(directory.Path,
        [
            "--no-daemon", "--log", "--no-syslog", "--user", Environment.UserName, "--interface", "127.0.0.1",
            "--port", "0", "--spool-dir", spool, "--http", "127.0.0.1:0", .. auth ? (string[])["--http-auth", accounts] : ["--http-no-auth"], .. extra ?? [],
        ]);
        try
        {
            await process.WaitForStderrAsync(l => HttpLine().IsMatch(l), "the http listener");
            await process.WaitForStderrAsync(l => SmtpLine().IsMatch(l), "the smtp listener");
        }
        catch
        {
            await process.DisposeAsync();
            directory.Dispose();
            throw;
        }

        int http = int.Parse(HttpLine().Match(process.StderrText).Groups[1].Value, CultureInfo.InvariantCulture);
        int smtp = int.Parse(SmtpLine().Match(process.StderrText).Groups[1].Value, CultureInfo.InvariantCulture);
        return new WebRelay(directory, process, smtp, http, spool);
    }

    /// <summary>An <c>emailrelay-passwd</c> md5 hash of <paramref name="password"/>.</summary>
    public static string Hash(string password)
    {
        using var output = new StringWriter();
        Assert.Equal(0, EmailRelay.Cli.Tools.PasswdTool.Run(["-p", password], new StringReader(""), output, TextWriter.Null));
        return output.ToString().Trim();
    }

    /// <summary>A client with its own cookie jar.</summary>
    public HttpClient Client() =>
        new(new HttpClientHandler { CookieContainer = new CookieContainer(), AllowAutoRedirect = false }) { BaseAddress = BaseAddress, Timeout = Waiting.DefaultTimeout };

    /// <summary>Signs <paramref name="client"/> in and returns the CSRF token.</summary>
    public static async Task<string> SignInAsync(HttpClient client, string user, string password)
    {
        using var response = await client.PostAsJsonAsync("api/v1/login", new { user, password });
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return json.RootElement.GetProperty("csrf").GetString()!;
    }

    /// <summary>A request with the CSRF header.</summary>
    public static HttpRequestMessage WithCsrf(HttpMethod method, string path, string csrf)
    {
        var request = new HttpRequestMessage(method, path);
        request.Headers.Add("X-CSRF-Token", csrf);
        return request;
    }

    /// <summary>Writes a message pair straight into the spool (ready, or failed with a reason).</summary>
    public static string AddMessage(string spool, int sequence, bool failed = false, string from = "a@b", string to = "c@d", string content = "Subject: x\r\n\r\nbody\r\n")
    {
        var id = "emailrelay.1." + (1700000000 + sequence).ToString(CultureInfo.InvariantCulture) + ".1";
        File.WriteAllText(Path.Combine(spool, id + ".content"), content);
        File.WriteAllText(Path.Combine(spool, id + ".envelope" + (failed ? ".bad" : "")),
            "X-MailRelay-Format: #2821.8\r\nX-MailRelay-Content: 7bit\r\nX-MailRelay-From: " + from + "\r\nX-MailRelay-ToCount: 1\r\n" +
            "X-MailRelay-To-Remote: " + to + "\r\nX-MailRelay-Authentication: \r\nX-MailRelay-Client: 127.0.0.1\r\n" +
            "X-MailRelay-ClientCertificate: \r\nX-MailRelay-MailFromAuthIn: \r\nX-MailRelay-MailFromAuthOut: \r\n" +
            "X-MailRelay-ForwardTo: \r\nX-MailRelay-ForwardToAddress: \r\nX-MailRelay-ClientAccountSelector: \r\nX-MailRelay-Utf8MailboxNames: 0\r\nX-MailRelay-End: 1\r\n" +
            (failed ? "X-MailRelay-Reason: 550 mailbox unavailable\r\nX-MailRelay-ReasonCode: 550\r\n" : ""));
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

    [GeneratedRegex(@"http server on 127\.0\.0\.1:(\d+)")]
    private static partial Regex HttpLine();

    [GeneratedRegex(@"smtp server on 127\.0\.0\.1:(\d+)")]
    private static partial Regex SmtpLine();
}
