using System.Diagnostics;
using System.Globalization;
using System.Net.Sockets;
using EmailRelay.Testing;

namespace EmailRelay.IntegrationTests;

/// <summary>
/// Issue #24 item 1: a shutdown signal is never lost, whenever it arrives. 200 start → connect → signal cycles under
/// busy loops on every core, a few at a time; each relay must exit within 2 s of the signal with its pid file gone.
/// Half the relays are started with SIGHUP, SIGINT, SIGQUIT and SIGTERM ignored by the parent (as under
/// <c>nohup</c> or as a shell's background job), which is what hung the loaded CI run. A quarter of the signals
/// are sent at a random moment of start-up (before the handlers exist the default action ends the process, which
/// is an exit too), the rest at a random moment around the first connection, which must be an orderly exit 0.
/// </summary>
[Collection(SerialCollection.Name)]
public sealed class ShutdownStressTests
{
    private const int Cycles = 200;
    private const int Parallel = 4;
    private static readonly TimeSpan ExitLimit = TimeSpan.FromSeconds(2);
    private static readonly string[] Signals = ["TERM", "INT", "HUP", "QUIT"];
    private static readonly Dictionary<string, int> SignalNumbers = new(StringComparer.Ordinal) { ["HUP"] = 1, ["INT"] = 2, ["QUIT"] = 3, ["TERM"] = 15 };

    [Fact]
    public async Task Every_signal_at_a_random_moment_ends_the_relay_within_2_s_under_cpu_load()
    {
        var executable = Executable;
        var load = Enumerable.Range(0, Environment.ProcessorCount).Select(_ => Process.Start("/bin/sh", ["-c", "while :; do :; done"])).ToList();
        var failures = new System.Collections.Concurrent.ConcurrentQueue<string>();
        var orderly = 0;
        var next = -1;
        try
        {
            var workers = Enumerable.Range(0, Parallel).Select(_ => Task.Run(async () =>
            {
                int cycle;
                while ((cycle = Interlocked.Increment(ref next)) < Cycles)
                {
                    var outcome = await CycleAsync(executable, new Random(cycle * 7919));
                    if (outcome is null)
                    {
                        Interlocked.Increment(ref orderly);
                    }
                    else if (outcome.Length > 0)
                    {
                        failures.Enqueue("cycle " + cycle.ToString(CultureInfo.InvariantCulture) + ": " + outcome);
                    }
                }
            })).ToList();
            await Task.WhenAll(workers);
        }
        finally
        {
            foreach (var loop in load)
            {
                loop.Kill();
                await loop.WaitForExitAsync();
                loop.Dispose();
            }
        }

        Assert.True(failures.IsEmpty, string.Join("\n", failures));
        // Three quarters of the cycles signal a listening relay: those are all orderly.
        Assert.True(orderly >= Cycles * 3 / 4, "orderly exits: " + orderly.ToString(CultureInfo.InvariantCulture));
    }

    /// <summary>The published linux-x64 executable when it is newer than the build (CI publishes it first: a 200-cycle run stays short), else the build output.</summary>
    private static string Executable
    {
        get
        {
            var built = RelayProcess.ExecutablePath;
            var root = Path.GetFullPath(Path.Combine(Path.GetDirectoryName(built)!, "..", "..", "..", "..", ".."));
            var published = Path.Combine(root, "artifacts", "publish", "linux-x64", "emailrelay");
            var builtDll = Path.Combine(Path.GetDirectoryName(built)!, "emailrelay.dll");
            return File.Exists(published) && File.GetLastWriteTimeUtc(published) >= File.GetLastWriteTimeUtc(builtDll) ? published : built;
        }
    }

    /// <summary>One cycle: null for an orderly exit, empty for an exit by the default action during start-up, else what went wrong.</summary>
    private static async Task<string?> CycleAsync(string executable, Random random)
    {
        using var dir = new TestDirectory();
        var pidFile = Path.Combine(dir.Path, "relay.pid");
        var signal = Signals[random.Next(Signals.Length)];
        // A test run started in the background (CI under nohup or '&') ignores SIGHUP or SIGINT and SIGQUIT itself, and
        // the relay inherits that whether or not the shell below adds it.
        var inheritIgnored = random.Next(2) == 0 || Ignores(Environment.ProcessId, SignalNumbers[signal]);
        var duringStartUp = random.Next(4) == 0;
        var holdConnection = random.Next(2) == 0;
        string[] relay = ["--no-daemon", "--log", "--no-syslog", "--user", Environment.UserName, "--port", "0", "--interface", "127.0.0.1", "--spool-dir", dir.Path, "--pid-file", pidFile];
        var what = signal + (inheritIgnored ? " (inherited SIG_IGN)" : string.Empty) + (duringStartUp ? " during start-up" : " at the first connection") + ": ";
        await using var process = inheritIgnored
            ? RelayProcess.Start(dir.Path, ["-c", "trap '' HUP INT QUIT TERM; exec \"$0\" \"$@\"", executable, .. relay], "/bin/sh")
            : RelayProcess.Start(dir.Path, relay, executable);
        if (inheritIgnored)
        {
            // A signal the parent ignores is lost until Main has reset it and registered: start the clock there.
            await Waiting.UntilAsync(() => HasRegistered(process.Id), what + "the relay to register its handlers");
        }

        using var client = new TcpClient();
        if (duringStartUp)
        {
            await Task.Delay(random.Next(0, 400));
        }
        else
        {
            var line = await process.WaitForStderrAsync(l => l.Contains("smtp server on 127.0.0.1:", StringComparison.Ordinal), what + "the listening line");
            var port = int.Parse(line[(line.LastIndexOf(':') + 1)..], CultureInfo.InvariantCulture);
            var connect = client.ConnectAsync("127.0.0.1", port);
            await Task.Delay(random.Next(0, 60));
            await connect;
            if (!holdConnection)
            {
                client.Client.Close();
            }
        }

        await RelayProcess.SignalAsync(process.Id, signal);
        var clock = Stopwatch.StartNew();
        int code;
        try
        {
            code = await process.WaitForExitAsync(ExitLimit);
        }
        catch (TimeoutException)
        {
            return what + "still running " + ExitLimit.TotalSeconds.ToString(CultureInfo.InvariantCulture) + " s after the signal; stderr:\n" + process.StderrText;
        }

        if (File.Exists(pidFile))
        {
            return what + "the pid file is left after exit " + code.ToString(CultureInfo.InvariantCulture);
        }

        if (code == 0 && clock.Elapsed <= ExitLimit + TimeSpan.FromSeconds(2))
        {
            return null;
        }

        return duringStartUp && code == 128 + SignalNumbers[signal]
            ? string.Empty
            : what + "exit code " + code.ToString(CultureInfo.InvariantCulture) + "; stderr:\n" + process.StderrText;
    }

    /// <summary>True if the process <paramref name="pid"/> ignores <paramref name="signal"/>.</summary>
    private static bool Ignores(int pid, int signal)
    {
        var ignored = File.ReadAllLines("/proc/" + pid.ToString(CultureInfo.InvariantCulture) + "/status").First(l => l.StartsWith("SigIgn:", StringComparison.Ordinal))[7..].Trim();
        return (ulong.Parse(ignored, NumberStyles.HexNumber, CultureInfo.InvariantCulture) & (1UL << (signal - 1))) != 0;
    }

    /// <summary>
    /// True once the process runs the relay (not the shell) and catches SIGHUP, SIGINT and SIGQUIT (the runtime itself
    /// catches only SIGTERM before <c>Main</c>), i.e. its registrations exist; or once it has exited.
    /// </summary>
    private static bool HasRegistered(int pid)
    {
        try
        {
            var proc = "/proc/" + pid.ToString(CultureInfo.InvariantCulture);
            if (File.ReadAllText(proc + "/comm").Trim() != "emailrelay")
            {
                return false;
            }

            var caught = File.ReadAllLines(proc + "/status").First(l => l.StartsWith("SigCgt:", StringComparison.Ordinal))[7..].Trim();
            return (ulong.Parse(caught, NumberStyles.HexNumber, CultureInfo.InvariantCulture) & 0x7) == 0x7;
        }
        catch (IOException)
        {
            return true; // exited: the wait for exit reports it
        }
    }
}
