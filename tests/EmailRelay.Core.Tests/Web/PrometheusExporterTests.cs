using System.Diagnostics.Metrics;
using EmailRelay.Web.Metrics;

namespace EmailRelay.Core.Tests.Web;

public sealed class PrometheusExporterTests
{
    [Fact]
    public void Writes_counters_gauges_and_histograms_in_the_text_format()
    {
        string name = "EmailRelay.Test." + Guid.NewGuid().ToString("N");
        using var meter = new Meter(name);
        using var exporter = new PrometheusExporter(name);
        var counter = meter.CreateCounter<long>("emailrelay.messages.received", "{message}", "Messages \"stored\"");
        var bytes = meter.CreateCounter<long>("emailrelay.messages.received.size", "By");
        var active = meter.CreateUpDownCounter<long>("emailrelay.sessions.active", "{session}");
        var latency = meter.CreateHistogram<double>("emailrelay.forwarding.duration", "s");
        meter.CreateObservableGauge("emailrelay.spool.oldest.age", () => 12.5, "s");
        counter.Add(2);
        counter.Add(1);
        bytes.Add(300);
        active.Add(1, new KeyValuePair<string, object?>("service", "smtp"));
        active.Add(1, new KeyValuePair<string, object?>("service", "pop"));
        active.Add(-1, new KeyValuePair<string, object?>("service", "smtp"));
        latency.Record(0.02, new KeyValuePair<string, object?>("result", "a\"b\\c\nd"));
        latency.Record(3);

        string text = exporter.Collect();
        Assert.Contains("# HELP emailrelay_messages_received_total Messages \"stored\"\n# TYPE emailrelay_messages_received_total counter\nemailrelay_messages_received_total 3\n", text, StringComparison.Ordinal);
        Assert.Contains("\nemailrelay_messages_received_bytes_total 300\n", text, StringComparison.Ordinal);
        Assert.Contains("# TYPE emailrelay_sessions_active gauge\nemailrelay_sessions_active{service=\"pop\"} 1\nemailrelay_sessions_active{service=\"smtp\"} 0\n", text, StringComparison.Ordinal);
        Assert.Contains("# TYPE emailrelay_spool_oldest_age_seconds gauge\nemailrelay_spool_oldest_age_seconds 12.5\n", text, StringComparison.Ordinal);
        Assert.Contains("# TYPE emailrelay_forwarding_duration_seconds histogram\n", text, StringComparison.Ordinal);
        Assert.Contains("emailrelay_forwarding_duration_seconds_bucket{le=\"2.5\"} 0\n", text, StringComparison.Ordinal);
        Assert.Contains("emailrelay_forwarding_duration_seconds_bucket{le=\"5\"} 1\n", text, StringComparison.Ordinal);
        Assert.Contains("emailrelay_forwarding_duration_seconds_bucket{le=\"+Inf\"} 1\nemailrelay_forwarding_duration_seconds_sum 3\nemailrelay_forwarding_duration_seconds_count 1\n", text, StringComparison.Ordinal);
        Assert.Contains("emailrelay_forwarding_duration_seconds_bucket{result=\"a\\\"b\\\\c\\nd\",le=\"0.025\"} 1\n", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Ignores_other_meters()
    {
        string name = "EmailRelay.Test." + Guid.NewGuid().ToString("N");
        using var other = new Meter(name + ".other");
        using var exporter = new PrometheusExporter(name);
        other.CreateCounter<long>("x").Add(1);
        Assert.Equal("", exporter.Collect());
    }
}
