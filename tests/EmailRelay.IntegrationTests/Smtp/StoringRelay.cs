using System.Globalization;
using EmailRelay.Testing;
using EmailRelay.Testing.Tools;

namespace EmailRelay.IntegrationTests.Smtp;

/// <summary>
/// The built relay run as a foreground storing server on 127.0.0.1 with a temp spool
/// (<c>--no-daemon --log --user root --port P --interface 127.0.0.1 --spool-dir S</c> plus extra options),
/// started once it logs <c>smtp server on</c>.
/// </summary>
internal sealed class StoringRelay : IAsyncDisposable
{
    private readonly TestDirectory? _ownedDirectory;

    private StoringRelay(RelayProcess process, int port, string spool, TestDirectory? ownedDirectory)
    {
        Process = process;
        Port = port;
        Spool = spool;
        _ownedDirectory = ownedDirectory;
    }

    /// <summary>The relay process.</summary>
    public RelayProcess Process { get; }

    /// <summary>The SMTP port on 127.0.0.1.</summary>
    public int Port { get; }

    /// <summary>The spool directory.</summary>
    public string Spool { get; }

    /// <summary>Starts a relay on a fresh temp spool.</summary>
    public static Task<StoringRelay> StartAsync(params string[] extra) => StartAsync(null, null, extra);

    /// <summary>Starts a relay on <paramref name="spool"/> (or a fresh temp spool) and <paramref name="port"/> (or a free one).</summary>
    public static async Task<StoringRelay> StartAsync(string? spool, int? port, params string[] extra)
    {
        TestDirectory? owned = null;
        if (spool is null)
        {
            owned = new TestDirectory();
            spool = owned.Path;
        }

        for (var attempt = 0; ; attempt++)
        {
            var p = port ?? FreePort.Get();
            var process = RelayProcess.Start(spool,
            [
                "--no-daemon", "--log", "--user", "root", "--port", p.ToString(CultureInfo.InvariantCulture),
                "--interface", "127.0.0.1", "--spool-dir", spool, .. extra,
            ]);
            var ready = await Poll.TryUntilAsync(
                () => process.Stderr.Any(l => l.Contains("smtp server on", StringComparison.Ordinal)) || !RelayProcess.IsAlive(process.Id),
                Waiting.DefaultTimeout);
            if (ready && process.Stderr.Any(l => l.Contains("smtp server on", StringComparison.Ordinal)))
            {
                return new StoringRelay(process, p, spool, owned);
            }

            var stderr = process.StderrText;
            await process.DisposeAsync();
            if (attempt >= 3 || port is not null)
            {
                owned?.Dispose();
                throw new InvalidOperationException("the relay did not start: " + stderr);
            }
        }
    }

    /// <summary>The spool's file names, sorted ordinally.</summary>
    public string[] Files() => SpoolFiles(Spool);

    /// <summary>The file names in a spool directory, sorted ordinally.</summary>
    public static string[] SpoolFiles(string spool) =>
        [.. Directory.GetFiles(spool).Select(Path.GetFileName).OfType<string>().Where(n => n.StartsWith("emailrelay.", StringComparison.Ordinal)).Order(StringComparer.Ordinal)];

    /// <summary>The committed messages: (content bytes, envelope bytes) by id.</summary>
    public IReadOnlyList<(string Id, byte[] Content, byte[] Envelope)> Messages() =>
        [.. Files().Where(n => n.EndsWith(".envelope", StringComparison.Ordinal)).Select(n =>
        {
            var id = n[..^".envelope".Length];
            return (id, File.ReadAllBytes(Path.Combine(Spool, id + ".content")), File.ReadAllBytes(Path.Combine(Spool, n)));
        })];

    /// <summary>Waits for exactly one committed message and returns it.</summary>
    public async Task<(string Id, byte[] Content, byte[] Envelope)> SingleMessageAsync()
    {
        await Waiting.UntilAsync(() => Files().Any(n => n.EndsWith(".envelope", StringComparison.Ordinal)), "a committed envelope");
        var messages = Messages();
        Assert.Single(messages);
        return messages[0];
    }

    /// <summary>The relay's resident set size in KiB, from <c>/proc/&lt;pid&gt;/status</c>.</summary>
    public long RssKib()
    {
        foreach (var line in File.ReadAllLines("/proc/" + Process.Id.ToString(CultureInfo.InvariantCulture) + "/status"))
        {
            if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
            {
                return long.Parse(line["VmRSS:".Length..].Replace("kB", "", StringComparison.Ordinal).Trim(), CultureInfo.InvariantCulture);
            }
        }

        throw new InvalidOperationException("no VmRSS");
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await Process.DisposeAsync();
        _ownedDirectory?.Dispose();
    }
}
