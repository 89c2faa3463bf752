using System.Globalization;
using System.Text.RegularExpressions;
using EmailRelay.Testing;
using EmailRelay.Testing.Tools;
using Xunit.Abstractions;

namespace EmailRelay.IntegrationTests.SharedSpool;

/// <summary>
/// Three built relays sharing one spool directory behind a real HAProxy (<c>send-proxy</c>), storing and forwarding
/// at the same time to one <c>smtp-sink</c> under <c>smtp-source</c> load, as README "Several relays on one spool"
/// states: while no instance dies every message arrives exactly once; an instance killed with SIGKILL and restarted
/// loses nothing acknowledged, and its deliveries in flight may arrive twice (at least once).
/// </summary>
public sealed partial class SharedSpoolTests(ITestOutputHelper output)
{
    private const int Sessions = 5;

    private sealed class Cluster : IAsyncDisposable
    {
        private readonly string _spool;
        private readonly int _sinkPort;

        public Cluster(string spool, int sinkPort)
        {
            _spool = spool;
            _sinkPort = sinkPort;
        }

        public List<int> Ports { get; } = [];

        public RelayProcess?[] Relays { get; } = new RelayProcess?[3];

        public async Task StartAsync(int index)
        {
            if (Ports.Count <= index)
            {
                Ports.Add(FreePort.Get());
            }

            var relay = RelayProcess.Start(_spool,
            [
                "--no-daemon", "--log", "--no-syslog", "--user", "root", "--port", Ports[index].ToString(CultureInfo.InvariantCulture), "--interface", "127.0.0.1",
                "--spool-dir", _spool, "--server-proxy-protocol", "127.0.0.1", "--forward-to", "127.0.0.1:" + _sinkPort.ToString(CultureInfo.InvariantCulture),
                "--forward-on-disconnect", "--poll", "1",
            ]);
            Relays[index] = relay;
            await relay.WaitForStderrAsync(l => l.Contains("smtp server on", StringComparison.Ordinal), "relay " + index.ToString(CultureInfo.InvariantCulture) + " listens");
        }

        /// <summary>Stops every relay with SIGTERM and waits for each to exit, so nothing is in flight any more.</summary>
        public async Task StopAsync()
        {
            foreach (var relay in Relays.OfType<RelayProcess>())
            {
                await RelayProcess.SignalAsync(relay.Id, "TERM");
                await relay.WaitForExitAsync();
            }
        }

        public async ValueTask DisposeAsync()
        {
            foreach (var relay in Relays.OfType<RelayProcess>())
            {
                await relay.DisposeAsync();
            }
        }
    }

    private static bool SpoolIsEmpty(string spool) =>
        !Directory.EnumerateFiles(spool, "emailrelay.*").Any(f => f.Contains(".envelope", StringComparison.Ordinal));

    /// <summary>The recipient of each message the sink got (its <c>X-Rcpt-Args</c>), counted.</summary>
    private static Dictionary<string, int> Delivered(SmtpSink sink)
    {
        var counts = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var file in sink.DumpFiles())
        {
            foreach (Match m in RcptArgs().Matches(File.ReadAllText(file)))
            {
                counts[m.Groups[1].Value] = counts.GetValueOrDefault(m.Groups[1].Value) + 1;
            }
        }

        return counts;
    }

    private static async Task<Haproxy> StartHaproxyAsync(string directory, int front, Cluster cluster) =>
        await Haproxy.StartAsync(directory, new Haproxy.Route("127.0.0.1", front, "",
            [.. cluster.Ports.Select(p => "127.0.0.1:" + p.ToString(CultureInfo.InvariantCulture) + " send-proxy check inter 200ms fall 1 rise 1")]));

    [Fact]
    public async Task Three_relays_on_one_spool_forward_every_message_exactly_once()
    {
        const int Messages = 300;
        using var dir = new TestDirectory();
        var spool = Directory.CreateDirectory(Path.Combine(dir.Path, "spool")).FullName;
        var dump = Directory.CreateDirectory(Path.Combine(dir.Path, "dump")).FullName;
        await using var sink = await SmtpSink.StartAsync(dump);
        await using var cluster = new Cluster(spool, sink.Port);
        for (var i = 0; i < 3; i++)
        {
            await cluster.StartAsync(i);
        }

        var front = FreePort.Get();
        await using var haproxy = await StartHaproxyAsync(dir.Path, front, cluster);
        var source = await SmtpSource.RunAsync(front, 1024, Messages, Sessions, TimeSpan.FromMinutes(3), recipient: "r@sink.test", numbered: true);
        Assert.True(source.ExitCode == 0, source.Output);
        Assert.Equal(Messages, SmtpSource.CompletedCount(source.Output));

        await Waiting.UntilAsync(() => SpoolIsEmpty(spool) && sink.MessageCount >= Messages, "every message forwarded", TimeSpan.FromMinutes(2));
        await cluster.StopAsync();
        var delivered = Delivered(sink);
        var duplicates = delivered.Values.Sum(n => n - 1);
        output.WriteLine($"{Messages} sent, {delivered.Count} distinct delivered, {duplicates} duplicates");
        Assert.Equal(Enumerable.Range(1, Messages).Select(n => "<" + n.ToString(CultureInfo.InvariantCulture) + "r@sink.test>").Order(StringComparer.Ordinal), delivered.Keys.Order(StringComparer.Ordinal));
        Assert.Equal(0, duplicates);
        // Each relay did part of the work.
        Assert.All(cluster.Relays, r => Assert.Contains(r!.Stderr, l => l.Contains("smtp connection from", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task A_relay_killed_mid_run_and_restarted_loses_nothing_acknowledged()
    {
        const int Batch = 100;
        const int Batches = 4;
        using var dir = new TestDirectory();
        var spool = Directory.CreateDirectory(Path.Combine(dir.Path, "spool")).FullName;
        var dump = Directory.CreateDirectory(Path.Combine(dir.Path, "dump")).FullName;
        await using var sink = await SmtpSink.StartAsync(dump);
        await using var cluster = new Cluster(spool, sink.Port);
        for (var i = 0; i < 3; i++)
        {
            await cluster.StartAsync(i);
        }

        var front = FreePort.Get();
        await using var haproxy = await StartHaproxyAsync(dir.Path, front, cluster);
        var acknowledged = new int[Batches];
        IReadOnlyList<string> acknowledgedInKillBatch = [];
        for (var batch = 0; batch < Batches; batch++)
        {
            var recipient = "b" + batch.ToString(CultureInfo.InvariantCulture) + "@sink.test";
            // The batch with the kill runs one session with the dialogue shown, so exactly which messages got 250 is known.
            var run = SmtpSource.RunAsync(front, 1024, Batch, batch == 1 ? 1 : Sessions, TimeSpan.FromMinutes(3), recipient: recipient, numbered: true, verbose: batch == 1);
            if (batch == 1)
            {
                // Mid-run: once the sink has had some of this batch, SIGKILL relay 1 (receiving and forwarding), then restart it.
                await Waiting.UntilAsync(() => sink.MessageCount >= Batch + 10, "the second batch under way", TimeSpan.FromMinutes(2));
                await RelayProcess.SignalAsync(cluster.Relays[1]!.Id, "KILL");
                await cluster.Relays[1]!.WaitForExitAsync();
            }

            var result = await run;
            // smtp-source gives up on a session the killed relay had (exit 1, "lost connection"). Its -c counter also
            // counts the message the kill cut off, before any reply; so batch 1 reads the dialogue instead.
            acknowledged[batch] = SmtpSource.CompletedCount(result.Output);
            if (batch == 1)
            {
                acknowledgedInKillBatch = SmtpSource.AcknowledgedRecipients(result.Output);
            }

            output.WriteLine($"batch {batch}: smtp-source exit {result.ExitCode}: {result.Output.Split('\r', '\n').Last(l => l.Trim().Length > 0).Trim()}");
            Assert.True(result.ExitCode == 0 || batch == 1, result.Output);
            if (batch == 1)
            {
                await cluster.Relays[1]!.DisposeAsync();
                await cluster.StartAsync(1);
            }
        }

        await Waiting.UntilAsync(() => SpoolIsEmpty(spool), "every message forwarded", TimeSpan.FromMinutes(2));
        await cluster.StopAsync();
        var delivered = Delivered(sink);
        var duplicates = delivered.Values.Sum(n => n - 1);
        output.WriteLine($"acknowledged {string.Join('+', acknowledged)}, {delivered.Count} distinct delivered, {duplicates} duplicates");
        output.WriteLine($"sink counted {sink.MessageCount}, {sink.DumpFiles().Count} dump files; spool: {string.Join(' ', Directory.EnumerateFiles(spool).Select(Path.GetFileName))}");
        var batch1 = delivered.Keys.Where(k => k.EndsWith("b1@sink.test>", StringComparison.Ordinal)).Select(k => int.Parse(k[1..k.IndexOf('b', StringComparison.Ordinal)], CultureInfo.InvariantCulture)).Order().ToList();
        output.WriteLine("batch 1 delivered: " + string.Join(',', batch1) + "; acknowledged (250): " + acknowledgedInKillBatch.Count);
        for (var batch = 0; batch < Batches; batch++)
        {
            var suffix = "b" + batch.ToString(CultureInfo.InvariantCulture) + "@sink.test>";
            var distinct = delivered.Keys.Count(k => k.EndsWith(suffix, StringComparison.Ordinal));
            if (batch == 1)
            {
                // Every message that got 250 arrived (the one the kill cut off, never acknowledged, may not).
                Assert.NotEmpty(acknowledgedInKillBatch);
                Assert.DoesNotContain(acknowledgedInKillBatch, r => !delivered.ContainsKey(r));
            }
            else
            {
                Assert.Equal(Batch, acknowledged[batch]);
                Assert.Equal(Batch, distinct);
            }
        }

        // At least once: only deliveries the killed relay had in flight (one connection to the next hop) may repeat.
        Assert.True(duplicates <= 1, duplicates + " duplicates");
        Assert.Empty(Directory.EnumerateFiles(spool, "emailrelay.*.bad"));
    }

    [GeneratedRegex(@"^X-Rcpt-Args: (<[^>]*>)", RegexOptions.Multiline)]
    private static partial Regex RcptArgs();
}
