using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using EmailRelay.Events;
using EmailRelay.Web.Queue;

namespace EmailRelay.Web.Metrics;

/// <summary>
/// The relay's <see cref="System.Diagnostics.Metrics"/> instruments on the meter <see cref="MeterName"/>, fed by the
/// unit's events and its <see cref="SpoolIndex"/>. Names and units follow OpenTelemetry's conventions
/// (<c>emailrelay.messages.received</c>, unit <c>{message}</c>), so an OpenTelemetry collector can read them too;
/// <see cref="PrometheusExporter"/> writes them as Prometheus names (<c>emailrelay_messages_received_total</c>).
/// </summary>
internal sealed class RelayMetrics : IRelayEventObserver, IDisposable
{
    /// <summary>The meter's name.</summary>
    public const string MeterName = "EmailRelay";

    private readonly Meter _meter;
    private readonly UpDownCounter<long> _sessionsActive;
    private readonly Counter<long> _sessions;
    private readonly Counter<long> _received;
    private readonly Counter<long> _receivedBytes;
    private readonly Counter<long> _forwarded;
    private readonly Counter<long> _deferred;
    private readonly Counter<long> _failed;
    private readonly Counter<long> _authFailures;
    private readonly Counter<long> _tls;
    private readonly Histogram<double> _forwardingLatency;
    private readonly Histogram<double> _filterTime;
    private readonly ConcurrentDictionary<string, long> _sendingSince = new(StringComparer.Ordinal);

    /// <summary>Creates the instruments; the spool gauges read <paramref name="index"/>.</summary>
    public RelayMetrics(SpoolIndex index, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(index);
        _meter = new Meter(MeterName, "2.6.1");
        _sessionsActive = _meter.CreateUpDownCounter<long>("emailrelay.sessions.active", "{session}", "Open server sessions by service");
        _sessions = _meter.CreateCounter<long>("emailrelay.sessions", "{session}", "Server sessions ended, by service and outcome");
        _received = _meter.CreateCounter<long>("emailrelay.messages.received", "{message}", "Messages stored by the SMTP server");
        _receivedBytes = _meter.CreateCounter<long>("emailrelay.messages.received.size", "By", "Content bytes of the messages stored");
        _forwarded = _meter.CreateCounter<long>("emailrelay.messages.forwarded", "{message}", "Messages forwarded to every recipient and removed from the spool");
        _deferred = _meter.CreateCounter<long>("emailrelay.messages.deferred", "{message}", "Delivery attempts that left the message for a retry");
        _failed = _meter.CreateCounter<long>("emailrelay.messages.failed", "{message}", "Messages that failed for good (moved to .bad)");
        _authFailures = _meter.CreateCounter<long>("emailrelay.auth.failures", "{failure}", "Failed client authentications, by service");
        _tls = _meter.CreateCounter<long>("emailrelay.tls.sessions", "{session}", "TLS sessions established, by service and protocol version");
        _forwardingLatency = _meter.CreateHistogram<double>("emailrelay.forwarding.duration", "s", "Time from starting to send a message to its settlement");
        _filterTime = _meter.CreateHistogram<double>("emailrelay.filter.duration", "s", "Filter run time, by service (smtp: --filter, forwarder: --client-filter)");
        _meter.CreateObservableGauge("emailrelay.spool.messages", () =>
        {
            var counts = index.Counts();
            return new[]
            {
                new Measurement<long>(counts.Queued, new KeyValuePair<string, object?>("state", "queued")),
                new Measurement<long>(counts.Deferred, new KeyValuePair<string, object?>("state", "deferred")),
                new Measurement<long>(counts.InFlight, new KeyValuePair<string, object?>("state", "in-flight")),
                new Measurement<long>(counts.Failed, new KeyValuePair<string, object?>("state", "failed")),
            };
        }, "{message}", "Messages in the spool by state");
        _meter.CreateObservableGauge("emailrelay.spool.oldest.age", () =>
        {
            var oldest = index.Counts().Oldest;
            return oldest is { } t ? Math.Max(0, (time.GetUtcNow() - t).TotalSeconds) : 0;
        }, "s", "Age of the oldest message in the spool (0 when empty)");
    }

    /// <summary>The meter (for tests and exporters).</summary>
    public Meter Meter => _meter;

    /// <inheritdoc />
    public void OnEvent(in RelayEvent relayEvent)
    {
        var service = new KeyValuePair<string, object?>("service", ServiceName(relayEvent.Service));
        switch (relayEvent.Kind)
        {
            case RelayEventKind.SessionOpened:
                _sessionsActive.Add(1, service);
                break;
            case RelayEventKind.SessionClosed:
                _sessionsActive.Add(-1, service);
                _sessions.Add(1, service, new KeyValuePair<string, object?>("outcome", Outcome(relayEvent.Text)));
                break;
            case RelayEventKind.MessageReceived:
                _received.Add(1);
                _receivedBytes.Add(relayEvent.Size);
                break;
            case RelayEventKind.Sending:
                _sendingSince[relayEvent.MessageId.Value] = Stopwatch.GetTimestamp();
                break;
            case RelayEventKind.Delivered:
                _forwarded.Add(1);
                Settled(relayEvent.MessageId.Value, "delivered");
                break;
            case RelayEventKind.Deferred:
                _deferred.Add(1);
                Settled(relayEvent.MessageId.Value, "deferred");
                break;
            case RelayEventKind.Failed:
                _failed.Add(1);
                Settled(relayEvent.MessageId.Value, "failed");
                break;
            case RelayEventKind.FilterRun:
                _filterTime.Record(relayEvent.Elapsed.TotalSeconds, service, new KeyValuePair<string, object?>("result", relayEvent.Text));
                break;
            case RelayEventKind.AuthFailed:
                _authFailures.Add(1, service);
                break;
            case RelayEventKind.TlsEstablished:
                _tls.Add(1, service, new KeyValuePair<string, object?>("version", relayEvent.Text));
                break;
        }
    }

    /// <inheritdoc />
    public void Dispose() => _meter.Dispose();

    private static string ServiceName(RelayService service) => service switch
    {
        RelayService.Smtp => "smtp",
        RelayService.Pop => "pop",
        RelayService.Admin => "admin",
        _ => "forwarder",
    };

    // The outcome texts are a small fixed set (peer disconnected, timeout, ...); anything else is one label value.
    private static string Outcome(string text) => text.Length is > 0 and <= 40 && !text.Contains(':', StringComparison.Ordinal) ? text : "other";

    private void Settled(string id, string result)
    {
        if (_sendingSince.TryRemove(id, out long started))
        {
            _forwardingLatency.Record(Stopwatch.GetElapsedTime(started).TotalSeconds, new KeyValuePair<string, object?>("result", result));
        }
    }
}
