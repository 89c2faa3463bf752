using System.Globalization;
using EmailRelay.Testing;
using EmailRelay.Testing.Tools;

namespace EmailRelay.IntegrationTests.Filters;

/// <summary>Starts the built relay as a foreground storing server on a free loopback port, with extra options.</summary>
internal static class FilterRelay
{
    /// <summary>The user the relay runs as: when root, root itself (a temp spool is not writable by <c>daemon</c>).</summary>
    public static string User => Environment.UserName;

    /// <summary>Starts the relay and waits for its listening line.</summary>
    public static async Task<(RelayProcess Relay, int Port)> StartAsync(string spool, params string[] extra)
    {
        var port = FreePort.Get();
        string[] args = ["--no-daemon", "--port", port.ToString(CultureInfo.InvariantCulture), "--interface", "127.0.0.1", "--spool-dir", spool, "--no-syslog", "--log", "--user", User, .. extra];
        var relay = RelayProcess.Start(spool, args);
        await relay.WaitForStderrAsync(l => l.Contains("smtp server on", StringComparison.Ordinal), "the relay to listen");
        return (relay, port);
    }

    /// <summary>Writes an executable script.</summary>
    public static string Script(string directory, string name, string body)
    {
        var path = Path.Combine(directory, name);
        File.WriteAllText(path, body.ReplaceLineEndings("\n"));
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(path, (UnixFileMode)0x1ED); // 0755
        }

        return path;
    }

    /// <summary>The committed envelopes in the spool root.</summary>
    public static string[] Envelopes(string spool) => Directory.GetFiles(spool, "*.envelope");
}
