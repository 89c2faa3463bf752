using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using EmailRelay.Testing;
using EmailRelay.Testing.Tools;

namespace EmailRelay.IntegrationTests.Web;

/// <summary>The web console's JSON API, health endpoints and gate, through the real executable on real sockets.</summary>
public sealed class WebApiTests
{
    [Fact]
    public async Task HealthAndReadinessNeedNoSignInButTheApiDoes()
    {
        await using var relay = await WebRelay.StartAsync();
        using var client = relay.Client();
        Assert.Equal("ok\n", await client.GetStringAsync("healthz"));
        using var ready = JsonDocument.Parse(await client.GetStringAsync("readyz"));
        Assert.True(ready.RootElement.GetProperty("ready").GetBoolean());
        Assert.True(ready.RootElement.GetProperty("spoolWritable").GetBoolean());
        foreach (var path in (string[])["api/v1/stats", "api/v1/messages", "api/v1/session", "api/v1/events", "metrics", "api/v1/messages/emailrelay.1.1.1"])
        {
            using var response = await client.GetAsync(path);
            Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        }

        using var page = await client.GetAsync("queue");
        Assert.Equal(HttpStatusCode.Redirect, page.StatusCode);
        Assert.Equal("/login", page.Headers.Location?.OriginalString);
        using var wrong = await client.PostAsJsonAsync("api/v1/login", new { user = "admin", password = "wrong" });
        Assert.Equal(HttpStatusCode.Unauthorized, wrong.StatusCode);
        await relay.Process.WaitForStderrAsync(l => l.Contains("web: sign-in failed for [admin]", StringComparison.Ordinal), "the failed sign-in log line");
    }

    [Fact]
    public async Task SignInSetsAStrictHttpOnlyCookieAndStateChangesNeedTheCsrfToken()
    {
        await using var relay = await WebRelay.StartAsync(prepare: spool => WebRelay.AddMessage(spool, 1, failed: true));
        using var client = relay.Client();
        using (var login = await client.PostAsJsonAsync("api/v1/login", new { user = "admin", password = WebRelay.AdminPassword }))
        {
            Assert.Equal(HttpStatusCode.OK, login.StatusCode);
            var cookie = Assert.Single(login.Headers.GetValues("Set-Cookie"));
            Assert.Contains("httponly", cookie, StringComparison.OrdinalIgnoreCase);
            Assert.Contains("samesite=strict", cookie, StringComparison.OrdinalIgnoreCase);
        }

        string id = "emailrelay.1.1700000001.1";
        using (var noToken = await client.PostAsync("api/v1/messages/" + id + "/retry", null))
        {
            Assert.Equal(HttpStatusCode.Forbidden, noToken.StatusCode);
        }

        using (var badToken = await client.SendAsync(WebRelay.WithCsrf(HttpMethod.Post, "api/v1/messages/" + id + "/retry", "not-the-token")))
        {
            Assert.Equal(HttpStatusCode.Forbidden, badToken.StatusCode);
        }

        using (var delete = await client.DeleteAsync("api/v1/messages/" + id))
        {
            Assert.Equal(HttpStatusCode.Forbidden, delete.StatusCode);
        }

        Assert.True(File.Exists(Path.Combine(relay.Spool, id + ".envelope.bad")));
        // A cross-site form post of the sign-in is refused too (not JSON).
        using var form = await client.PostAsync("api/v1/login", new StringContent("user=admin&password=x", Encoding.UTF8, "application/x-www-form-urlencoded"));
        Assert.Equal(HttpStatusCode.Forbidden, form.StatusCode);
        await relay.Process.WaitForStderrAsync(l => l.Contains("web: admin: POST /api/v1/messages/" + id + "/retry refused: no valid CSRF token", StringComparison.Ordinal), "the refusal log line");
    }

    [Fact]
    public async Task AdminRetriesAndDeletesThroughTheSpoolAndEveryActionIsLoggedWithTheAccount()
    {
        string failed = "", ready = "";
        await using var relay = await WebRelay.StartAsync(prepare: spool =>
        {
            failed = WebRelay.AddMessage(spool, 1, failed: true);
            ready = WebRelay.AddMessage(spool, 2);
        });
        using var client = relay.Client();
        string csrf = await WebRelay.SignInAsync(client, "admin", WebRelay.AdminPassword);
        using (var retry = await client.SendAsync(WebRelay.WithCsrf(HttpMethod.Post, "api/v1/messages/" + failed + "/retry", csrf)))
        {
            Assert.Equal(HttpStatusCode.OK, retry.StatusCode);
        }

        Assert.False(File.Exists(Path.Combine(relay.Spool, failed + ".envelope.bad")));
        Assert.True(File.Exists(Path.Combine(relay.Spool, failed + ".envelope")));
        using (var again = await client.SendAsync(WebRelay.WithCsrf(HttpMethod.Post, "api/v1/messages/" + failed + "/retry", csrf)))
        {
            Assert.Equal(HttpStatusCode.Conflict, again.StatusCode);
        }

        using (var delete = await client.SendAsync(WebRelay.WithCsrf(HttpMethod.Delete, "api/v1/messages/" + ready, csrf)))
        {
            Assert.Equal(HttpStatusCode.OK, delete.StatusCode);
        }

        Assert.Empty(System.IO.Directory.GetFiles(relay.Spool, ready + "*"));
        using (var gone = await client.GetAsync("api/v1/messages/" + ready))
        {
            Assert.Equal(HttpStatusCode.NotFound, gone.StatusCode);
        }

        await relay.Process.WaitForStderrAsync(l => l.Contains("web: admin: retry " + failed + ": back in the queue", StringComparison.Ordinal), "the retry log line");
        await relay.Process.WaitForStderrAsync(l => l.Contains("web: admin: delete " + ready + ": deleted", StringComparison.Ordinal), "the delete log line");
    }

    [Fact]
    public async Task ReadOnlyAccountWithAHashedPasswordSeesTheQueueButIsRefusedEveryActionAndTheBody()
    {
        string failed = "";
        await using var relay = await WebRelay.StartAsync(prepare: spool => failed = WebRelay.AddMessage(spool, 1, failed: true, content: "Subject: secret\r\n\r\nthe body\r\n"));
        using var client = relay.Client();
        string csrf = await WebRelay.SignInAsync(client, "viewer", WebRelay.ViewerPassword);
        using (var detail = JsonDocument.Parse(await client.GetStringAsync("api/v1/messages/" + failed)))
        {
            Assert.Equal(JsonValueKind.Null, detail.RootElement.GetProperty("body").ValueKind);
            Assert.Equal("secret", detail.RootElement.GetProperty("headers")[0].GetProperty("value").GetString());
        }

        foreach (var (method, path) in new[] { (HttpMethod.Post, "api/v1/messages/" + failed + "/retry"), (HttpMethod.Delete, "api/v1/messages/" + failed), (HttpMethod.Post, "api/v1/actions/retry-failed"), (HttpMethod.Post, "api/v1/actions/forward") })
        {
            using var response = await client.SendAsync(WebRelay.WithCsrf(method, path, csrf));
            Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        }

        Assert.True(File.Exists(Path.Combine(relay.Spool, failed + ".envelope.bad")));
        using var admin = relay.Client();
        await WebRelay.SignInAsync(admin, "admin", WebRelay.AdminPassword);
        using var adminDetail = JsonDocument.Parse(await admin.GetStringAsync("api/v1/messages/" + failed));
        Assert.Equal("the body\r\n", adminDetail.RootElement.GetProperty("body").GetString());
        await relay.Process.WaitForStderrAsync(l => l.Contains("web: viewer: DELETE /api/v1/messages/" + failed + " refused: needs the admin role", StringComparison.Ordinal), "the refusal log line");
    }

    [Fact]
    public async Task PathTraversalIsRefused()
    {
        await using var relay = await WebRelay.StartAsync();
        using var client = relay.Client();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes("admin:" + WebRelay.AdminPassword)));
        foreach (var path in (string[])["api/v1/messages/..%2F..%2Fetc%2Fpasswd", "api/v1/messages/..%2f..%2f..%2fetc%2fpasswd", "api/v1/messages/%2Fetc%2Fpasswd", "api/v1/messages/.envelope"])
        {
            using var response = await client.GetAsync(path);
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        }

        // Sent as is, the dot segments are removed before routing (RFC 3986 5.2.4): /etc/passwd is no route.
        using var raw = new System.Net.Sockets.TcpClient();
        await raw.ConnectAsync(IPAddress.Loopback, relay.HttpPort);
        var stream = raw.GetStream();
        await stream.WriteAsync(Encoding.ASCII.GetBytes("GET /api/v1/messages/../../etc/passwd HTTP/1.1\r\nHost: x\r\nAuthorization: " + client.DefaultRequestHeaders.Authorization + "\r\nConnection: close\r\n\r\n"));
        var reply = await new StreamReader(stream).ReadToEndAsync();
        Assert.StartsWith("HTTP/1.1 404", reply, StringComparison.Ordinal);
        Assert.DoesNotContain("root:", reply, StringComparison.Ordinal);
    }

    [Fact]
    public async Task QueueIsPagedAndFilteredOnTheServer()
    {
        await using var relay = await WebRelay.StartAsync(prepare: spool =>
        {
            for (int i = 1; i <= 120; i++)
            {
                WebRelay.AddMessage(spool, i, failed: i % 10 == 0, from: i % 2 == 0 ? "even@example.com" : "odd@example.com", to: "rcpt" + i + "@example.net");
            }
        });
        using var client = relay.Client();
        await WebRelay.SignInAsync(client, "viewer", WebRelay.ViewerPassword);
        await UntilAsync(async () => (await Stats(client)).GetProperty("total").GetInt32() == 120, "the index to hold 120 messages");
        using var page = JsonDocument.Parse(await client.GetStringAsync("api/v1/messages?page=2&page_size=50"));
        Assert.Equal(120, page.RootElement.GetProperty("total").GetInt32());
        var items = page.RootElement.GetProperty("items");
        Assert.Equal(50, items.GetArrayLength());
        Assert.Equal("emailrelay.1.1700000070.1", items[0].GetProperty("id").GetString()); // newest first
        using var failed = JsonDocument.Parse(await client.GetStringAsync("api/v1/messages?state=failed"));
        Assert.Equal(12, failed.RootElement.GetProperty("total").GetInt32());
        Assert.All(failed.RootElement.GetProperty("items").EnumerateArray(), m => Assert.Equal("550 mailbox unavailable", m.GetProperty("reason").GetString()));
        using var even = JsonDocument.Parse(await client.GetStringAsync("api/v1/messages?sender=EVEN@&state=queued"));
        Assert.Equal(48, even.RootElement.GetProperty("total").GetInt32());
        using var one = JsonDocument.Parse(await client.GetStringAsync("api/v1/messages?recipient=rcpt77@"));
        Assert.Equal("emailrelay.1.1700000077.1", Assert.Single(one.RootElement.GetProperty("items").EnumerateArray()).GetProperty("id").GetString());
        using var old = JsonDocument.Parse(await client.GetStringAsync("api/v1/messages?min_age=3600"));
        Assert.Equal(120, old.RootElement.GetProperty("total").GetInt32());
        using var young = JsonDocument.Parse(await client.GetStringAsync("api/v1/messages?max_age=3600"));
        Assert.Equal(0, young.RootElement.GetProperty("total").GetInt32());
        using var bad = await client.GetAsync("api/v1/messages?page_size=100000");
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        var stats = await Stats(client);
        Assert.Equal(108, stats.GetProperty("queued").GetInt32());
        Assert.Equal(12, stats.GetProperty("failed").GetInt32());
    }

    [Fact]
    public async Task HostileHeadersComeBackAsTheirTextAndEncodedWordsAreDecoded()
    {
        const string Hostile = "<script>alert(1)</script>\"><img src=x onerror=alert(2)>";
        string word = "=?UTF-8?B?" + Convert.ToBase64String(Encoding.UTF8.GetBytes(Hostile + new string('\u00e9', 300))) + "?=";
        string id = "";
        await using var relay = await WebRelay.StartAsync(prepare: spool => id = WebRelay.AddMessage(spool, 1, from: "x@y",
            content: "Subject: " + Hostile + " " + word + "\r\nFrom: " + Hostile + "\r\n\r\n" + Hostile + "\r\n"));
        using var client = relay.Client();
        await WebRelay.SignInAsync(client, "admin", WebRelay.AdminPassword);
        using var response = await client.GetAsync("api/v1/messages/" + id);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains("default-src 'none'", string.Join(" ", response.Headers.GetValues("Content-Security-Policy")), StringComparison.Ordinal);
        using var detail = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var headers = detail.RootElement.GetProperty("headers");
        Assert.Equal(Hostile + " " + Hostile + new string('\u00e9', 300), headers[0].GetProperty("value").GetString());
        Assert.Equal(Hostile, headers[1].GetProperty("value").GetString());
        Assert.Equal(Hostile + "\r\n", detail.RootElement.GetProperty("body").GetString());
    }

    [Fact]
    public async Task SmtpMessagesCountInMetricsAndArriveOnTheEventStream()
    {
        await using var relay = await WebRelay.StartAsync();
        using var client = relay.Client();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes("viewer:" + WebRelay.ViewerPassword)));
        using var events = await client.GetAsync("api/v1/events", HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal("text/event-stream", events.Content.Headers.ContentType?.MediaType);
        using var reader = new StreamReader(await events.Content.ReadAsStreamAsync());
        for (int i = 0; i < 3; i++)
        {
            var sent = await Swaks.SendAsync(relay.SmtpPort, "me@example.com", "you@example.net", body: "hello " + i);
            Assert.Equal(0, sent.ExitCode);
        }

        int queued = 0;
        using var deadline = new CancellationTokenSource(Waiting.DefaultTimeout);
        while (queued < 3)
        {
            string? line = await reader.ReadLineAsync(deadline.Token);
            Assert.NotNull(line);
            if (line.StartsWith("data: {\"id\":\"emailrelay.", StringComparison.Ordinal) && line.Contains("\"state\":\"queued\"", StringComparison.Ordinal))
            {
                queued++;
            }
        }

        string metrics = await client.GetStringAsync("metrics");
        Assert.Contains("\nemailrelay_messages_received_total 3\n", metrics, StringComparison.Ordinal);
        Assert.Contains("# TYPE emailrelay_messages_received_total counter", metrics, StringComparison.Ordinal);
        Assert.Contains("emailrelay_spool_messages{state=\"queued\"} 3", metrics, StringComparison.Ordinal);
        Assert.Contains("emailrelay_sessions_total{outcome=", metrics, StringComparison.Ordinal);
    }

    [Fact]
    public async Task NoAuthWorksOnLoopbackOnlyAndStillChecksCsrf()
    {
        string id = "";
        await using var relay = await WebRelay.StartAsync(prepare: spool => id = WebRelay.AddMessage(spool, 1, failed: true), auth: false);
        using var client = relay.Client();
        using var session = JsonDocument.Parse(await client.GetStringAsync("api/v1/session"));
        Assert.Equal("admin", session.RootElement.GetProperty("role").GetString());
        using (var noToken = await client.PostAsync("api/v1/messages/" + id + "/retry", null))
        {
            Assert.Equal(HttpStatusCode.Forbidden, noToken.StatusCode);
        }

        using var retry = await client.SendAsync(WebRelay.WithCsrf(HttpMethod.Post, "api/v1/messages/" + id + "/retry", session.RootElement.GetProperty("csrf").GetString()!));
        Assert.Equal(HttpStatusCode.OK, retry.StatusCode);
    }

    [Fact]
    public async Task NoAuthOnANonLoopbackListenerAndHttpWithoutAccountsAreConfigurationErrors()
    {
        using var directory = new TestDirectory();
        await using (var open = RelayProcess.Start(directory.Path, ["--no-daemon", "--log", "--no-syslog", "--user", Environment.UserName, "--port", "0", "--interface", "127.0.0.1", "--spool-dir", directory.Path, "--http", "0.0.0.0:0", "--remote-clients", "--http-no-auth"]))
        {
            Assert.Equal(1, await open.WaitForExitAsync());
            Assert.Contains("--http-no-auth needs a loopback-only --http listener", open.StderrText, StringComparison.Ordinal);
        }

        await using var remote = RelayProcess.Start(directory.Path, ["--no-daemon", "--log", "--no-syslog", "--user", Environment.UserName, "--port", "0", "--interface", "127.0.0.1", "--spool-dir", directory.Path, "--http", "0.0.0.0:0", "--http-no-auth"]);
        Assert.Equal(1, await remote.WaitForExitAsync());
        Assert.Contains("is not a loopback address", remote.StderrText, StringComparison.Ordinal);
        await using var none = RelayProcess.Start(directory.Path, ["--no-daemon", "--log", "--no-syslog", "--user", Environment.UserName, "--port", "0", "--interface", "127.0.0.1", "--spool-dir", directory.Path, "--http", "127.0.0.1:0"]);
        Assert.Equal(1, await none.WaitForExitAsync());
        Assert.Contains("--http requires --http-auth", none.StderrText, StringComparison.Ordinal);
    }

    /// <summary>Waits (with <see cref="Waiting.DefaultTimeout"/>) until an asynchronous condition holds, checking it every 20 ms.</summary>
    internal static async Task UntilAsync(Func<Task<bool>> condition, string what, TimeSpan? timeout = null)
    {
        var deadline = TimeProvider.System.GetTimestamp() + (long)((timeout ?? Waiting.DefaultTimeout).TotalSeconds * TimeProvider.System.TimestampFrequency);
        while (!await condition())
        {
            if (TimeProvider.System.GetTimestamp() >= deadline)
            {
                throw new TimeoutException("timed out waiting for " + what);
            }

            await Task.Delay(TimeSpan.FromMilliseconds(20));
        }
    }

    internal static async Task<JsonElement> Stats(HttpClient client)
    {
        using var json = JsonDocument.Parse(await client.GetStringAsync("api/v1/stats"));
        return json.RootElement.Clone();
    }
}
