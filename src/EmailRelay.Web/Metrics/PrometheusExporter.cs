using System.Diagnostics.Metrics;
using System.Globalization;
using System.Text;

namespace EmailRelay.Web.Metrics;

/// <summary>
/// Writes the instruments of one meter in the Prometheus text exposition format (version 0.0.4), collected with a
/// <see cref="MeterListener"/>: counters as <c>counter</c> (<c>_total</c>), up-down counters and observable gauges as
/// <c>gauge</c>, histograms as <c>histogram</c> with fixed buckets. Names: dots become underscores, then the unit
/// (<c>s</c>: <c>_seconds</c>, <c>By</c>: <c>_bytes</c>). Our own because the two maintained exporters do not fit:
/// OpenTelemetry's Prometheus exporter has been a pre-release (1.x-beta) for years and brings the whole SDK, and
/// prometheus-net keeps its own metric types rather than reading System.Diagnostics.Metrics without reflection;
/// this is one small type, allocation-light per measurement and AOT-safe.
/// </summary>
internal sealed class PrometheusExporter : IDisposable
{
    private static readonly double[] s_buckets = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300];

    private readonly MeterListener _listener = new();
    private readonly Lock _lock = new();
    private readonly Dictionary<Instrument, Family> _families = [];

    /// <summary>Starts listening to every instrument of the meter named <paramref name="meterName"/>.</summary>
    public PrometheusExporter(string meterName)
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == meterName)
            {
                lock (_lock)
                {
                    _families[instrument] = new Family(instrument);
                }

                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) => Record(instrument, value, tags));
        _listener.SetMeasurementEventCallback<int>((instrument, value, tags, _) => Record(instrument, value, tags));
        _listener.SetMeasurementEventCallback<double>((instrument, value, tags, _) => Record(instrument, value, tags));
        _listener.Start();
    }

    /// <summary>The exposition of every instrument now (observable gauges are read first).</summary>
    public string Collect()
    {
        _listener.RecordObservableInstruments();
        var text = new StringBuilder(4096);
        lock (_lock)
        {
            foreach (var family in _families.Values.OrderBy(f => f.Name, StringComparer.Ordinal))
            {
                family.Write(text);
            }
        }

        return text.ToString();
    }

    /// <inheritdoc />
    public void Dispose() => _listener.Dispose();

    private void Record(Instrument instrument, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        var labels = Labels(tags);
        lock (_lock)
        {
            if (_families.TryGetValue(instrument, out var family))
            {
                family.Record(labels, value);
            }
        }
    }

    private static string Labels(ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        if (tags.Length == 0)
        {
            return "";
        }

        var pairs = new List<(string, string)>(tags.Length);
        foreach (var tag in tags)
        {
            pairs.Add((Sanitise(tag.Key), Convert.ToString(tag.Value, CultureInfo.InvariantCulture) ?? ""));
        }

        pairs.Sort((a, b) => string.CompareOrdinal(a.Item1, b.Item1));
        var text = new StringBuilder();
        foreach (var (key, value) in pairs)
        {
            text.Append(text.Length == 0 ? "" : ",").Append(key).Append("=\"")
                .Append(value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal))
                .Append('"');
        }

        return text.ToString();
    }

    private static string Sanitise(string name)
    {
        var text = new StringBuilder(name.Length);
        foreach (char c in name)
        {
            text.Append(char.IsAsciiLetterOrDigit(c) || c == '_' ? c : '_');
        }

        return text.ToString();
    }

    private static string Number(double value) =>
        double.IsPositiveInfinity(value) ? "+Inf" : value.ToString("R", CultureInfo.InvariantCulture);

    private enum Kind
    {
        Counter,
        Gauge,
        Histogram,
    }

    private sealed class Family
    {
        private readonly Kind _kind;
        private readonly string _help;
        private readonly Dictionary<string, double> _values = new(StringComparer.Ordinal);
        private readonly Dictionary<string, (long[] Counts, double Sum, long Count)> _histograms = new(StringComparer.Ordinal);

        public Family(Instrument instrument)
        {
            _kind = instrument is Histogram<double> or Histogram<long> ? Kind.Histogram
                : instrument is Counter<long> or Counter<int> or Counter<double> or ObservableCounter<long> or ObservableCounter<double> ? Kind.Counter
                : Kind.Gauge;
            IsObservable = instrument.IsObservable;
            string unit = instrument.Unit switch
            {
                "s" => "_seconds",
                "By" => "_bytes",
                _ => "",
            };
            string baseName = Sanitise(instrument.Name);
            if (unit.Length != 0 && baseName.EndsWith("_size", StringComparison.Ordinal))
            {
                baseName = baseName[..^"_size".Length];
            }

            if (unit == "_seconds" && baseName.EndsWith("_duration", StringComparison.Ordinal))
            {
                unit = "_duration_seconds";
                baseName = baseName[..^"_duration".Length];
            }
            else if (unit == "_seconds" && baseName.EndsWith("_age", StringComparison.Ordinal))
            {
                unit = "_age_seconds";
                baseName = baseName[..^"_age".Length];
            }

            Name = baseName + unit;
            _help = (instrument.Description ?? "").Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal);
        }

        public string Name { get; }

        public bool IsObservable { get; }

        public void Record(string labels, double value)
        {
            switch (_kind)
            {
                case Kind.Histogram:
                    (long[] Counts, double Sum, long Count) state = _histograms.TryGetValue(labels, out var h) ? h : (new long[s_buckets.Length], 0.0, 0L);
                    for (int i = 0; i < s_buckets.Length; i++)
                    {
                        if (value <= s_buckets[i])
                        {
                            state.Counts[i]++;
                        }
                    }

                    _histograms[labels] = (state.Counts, state.Sum + value, state.Count + 1);
                    break;
                case Kind.Gauge when IsObservable:
                    _values[labels] = value;
                    break;
                default:
                    _values[labels] = _values.GetValueOrDefault(labels) + value;
                    break;
            }
        }

        public void Write(StringBuilder text)
        {
            string name = _kind == Kind.Counter ? Name + "_total" : Name;
            string type = _kind switch
            {
                Kind.Counter => "counter",
                Kind.Histogram => "histogram",
                _ => "gauge",
            };
            text.Append("# HELP ").Append(name).Append(' ').Append(_help).Append('\n');
            text.Append("# TYPE ").Append(name).Append(' ').Append(type).Append('\n');
            if (_kind == Kind.Histogram)
            {
                foreach (var (labels, (counts, sum, count)) in _histograms.OrderBy(p => p.Key, StringComparer.Ordinal))
                {
                    string prefix = labels.Length == 0 ? "" : labels + ",";
                    for (int i = 0; i < s_buckets.Length; i++)
                    {
                        text.Append(Name).Append("_bucket{").Append(prefix).Append("le=\"").Append(Number(s_buckets[i])).Append("\"} ").Append(counts[i]).Append('\n');
                    }

                    text.Append(Name).Append("_bucket{").Append(prefix).Append("le=\"+Inf\"} ").Append(count).Append('\n');
                    text.Append(Name).Append("_sum").Append(Braces(labels)).Append(' ').Append(Number(sum)).Append('\n');
                    text.Append(Name).Append("_count").Append(Braces(labels)).Append(' ').Append(count).Append('\n');
                }

                return;
            }

            if (_values.Count == 0 && !IsObservable)
            {
                text.Append(name).Append(" 0\n");
            }

            foreach (var (labels, value) in _values.OrderBy(p => p.Key, StringComparer.Ordinal))
            {
                text.Append(name).Append(Braces(labels)).Append(' ').Append(Number(value)).Append('\n');
            }
        }

        private static string Braces(string labels) => labels.Length == 0 ? "" : "{" + labels + "}";
    }
}
