using System.Globalization;
using System.Text.Json;
using EmailRelay.Testing;
using EmailRelay.Testing.Tools;

namespace EmailRelay.IntegrationTests.Web;

/// <summary>A real Prometheus (Debian's <c>prometheus</c>) scraping the relay's <c>/metrics</c> with HTTP Basic credentials.</summary>
public sealed class PrometheusTests
{
    private const string Program = "/usr/bin/prometheus";

    [SkippableFact]
    public async Task PrometheusScrapesTheReceivedCount()
    {
        Skip.IfNot(File.Exists(Program), Program + " is not installed (Debian package prometheus; .ci/run installs it)");
        const int N = 7;
        await using var relay = await WebRelay.StartAsync();
        using var work = new TestDirectory();
        int port = FreePort.Get();
        string config = Path.Combine(work.Path, "prometheus.yml");
        await File.WriteAllTextAsync(config, string.Join('\n',
            "global:",
            "  scrape_interval: 1s",
            "  scrape_timeout: 1s",
            "scrape_configs:",
            "  - job_name: emailrelay",
            "    metrics_path: /metrics",
            "    basic_auth:",
            "      username: viewer",
            "      password: " + WebRelay.ViewerPassword,
            "    static_configs:",
            "      - targets: ['127.0.0.1:" + relay.HttpPort.ToString(CultureInfo.InvariantCulture) + "']",
            ""));
        await using var prometheus = ToolProcess.Start(Program,
        [
            "--config.file=" + config, "--storage.tsdb.path=" + Path.Combine(work.Path, "data"),
            "--web.listen-address=127.0.0.1:" + port.ToString(CultureInfo.InvariantCulture), "--log.level=warn",
        ]);
        for (int i = 0; i < N; i++)
        {
            var sent = await Swaks.SendAsync(relay.SmtpPort, "me@example.com", "you@example.net", body: "hello " + i);
            Assert.Equal(0, sent.ExitCode);
        }

        using var client = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        string last = "";
        await WebApiTests.UntilAsync(async () =>
        {
            try
            {
                last = await client.GetStringAsync("http://127.0.0.1:" + port.ToString(CultureInfo.InvariantCulture) + "/api/v1/query?query=emailrelay_messages_received_total");
            }
            catch (HttpRequestException)
            {
                return false; // not up yet
            }

            using var json = JsonDocument.Parse(last);
            var result = json.RootElement.GetProperty("data").GetProperty("result");
            return result.GetArrayLength() == 1 && result[0].GetProperty("value")[1].GetString() == N.ToString(CultureInfo.InvariantCulture);
        }, "Prometheus to report emailrelay_messages_received_total == " + N + "; last answer: " + last, TimeSpan.FromSeconds(60));
        using var up = JsonDocument.Parse(await client.GetStringAsync("http://127.0.0.1:" + port.ToString(CultureInfo.InvariantCulture) + "/api/v1/query?query=emailrelay_spool_messages"));
        Assert.Equal(4, up.RootElement.GetProperty("data").GetProperty("result").GetArrayLength());
    }
}
