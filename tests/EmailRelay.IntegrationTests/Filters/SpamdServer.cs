using System.Globalization;
using EmailRelay.Testing;
using EmailRelay.Testing.Tools;

namespace EmailRelay.IntegrationTests.Filters;

/// <summary>
/// A real SpamAssassin <c>spamd</c> (Debian <c>spamassassin</c> + <c>spamd</c>) for the test class: started once on a
/// free loopback port and a unix socket, with a test-local home, no user configs, no network tests (<c>--local</c>),
/// no Bayes and no <c>sa-update</c>. It uses the rules the package ships (<c>/usr/share/spamassassin</c> or
/// <c>/var/lib/spamassassin</c>); if there are none, a minimal rules directory holding only the GTUBE rule is given
/// with <c>-C</c>. Disposing kills it and its children.
/// </summary>
public sealed class SpamdServer : IAsyncLifetime, IDisposable
{
    /// <summary>The spamd executable.</summary>
    public const string Executable = "/usr/sbin/spamd";

    /// <summary>The GTUBE test string: any SpamAssassin scores it 1000.</summary>
    public const string Gtube = "XJS*C4JDBQADN1.NSBN3*2IDNEN*GTUBE-STANDARD-ANTI-UBE-TEST-EMAIL*C.34X";

    private readonly TestDirectory _directory = new();
    private ToolProcess? _process;

    /// <summary>spamd's TCP port on 127.0.0.1.</summary>
    public int Port { get; private set; }

    /// <summary>spamd's unix socket path.</summary>
    public string SocketPath => Path.Combine(_directory.Path, "spamd.sock");

    /// <summary>True if the shipped rules were used (false: the minimal GTUBE-only rules).</summary>
    public bool UsesShippedRules { get; private set; }

    /// <summary>spamd's log so far.</summary>
    public string Log => _process?.StandardError ?? "";

    /// <inheritdoc />
    public async Task InitializeAsync()
    {
        if (!File.Exists(Executable))
        {
            throw new InvalidOperationException(Executable + " is missing: install the Debian packages spamassassin and spamd");
        }

        // World-readable: spamd drops to nobody when started as root.
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(_directory.Path, (UnixFileMode)0x1FF); // 0777
        }

        Port = FreePort.Get();
        List<string> args =
        [
            "--local", "--nouser-config", "--helper-home-dir=" + _directory.Path,
            "--listen=127.0.0.1:" + Port.ToString(CultureInfo.InvariantCulture), "--listen=" + SocketPath,
            "--allowed-ips=127.0.0.1", "--max-children=2", "--min-children=1", "--min-spare=1", "--max-spare=1",
            "--syslog=stderr", "--cf=use_bayes 0", "--cf=bayes_auto_learn 0",
        ];
        UsesShippedRules = HasShippedRules();
        if (!UsesShippedRules)
        {
            var rules = Path.Combine(_directory.Path, "rules");
            Directory.CreateDirectory(rules);
            File.WriteAllText(Path.Combine(rules, "10_gtube.cf"), "body GTUBE /\\bXJS\\*C4JDBQADN1\\.NSBN3\\*2IDNEN\\*GTUBE-STANDARD-ANTI-UBE-TEST-EMAIL\\*C\\.34X\\b/\nscore GTUBE 1000\nrequired_score 5\n");
            args.Add("--configpath=" + rules);
        }

        if (Environment.UserName == "root")
        {
            args.Add("--username=nobody");
        }

        _process = ToolProcess.Start(Executable, args);
        var ready = await Poll.TryUntilAsync(() => _process.HasExited || (FreePort.IsListening(Port) && File.Exists(SocketPath)), TimeSpan.FromSeconds(90));
        if (!ready || _process.HasExited)
        {
            throw new InvalidOperationException("spamd did not start: " + _process.StandardError);
        }
    }

    /// <inheritdoc />
    public async Task DisposeAsync()
    {
        if (_process is not null)
        {
            await _process.DisposeAsync();
        }

        Dispose();
    }

    /// <inheritdoc />
    public void Dispose() => _directory.Dispose();

    private static bool HasShippedRules()
    {
        foreach (var root in new[] { "/usr/share/spamassassin", "/var/lib/spamassassin" })
        {
            if (Directory.Exists(root) && Directory.EnumerateFiles(root, "*.cf", SearchOption.AllDirectories).Any(f => File.ReadAllText(f).Contains("GTUBE", StringComparison.Ordinal)))
            {
                return true;
            }
        }

        return false;
    }
}
