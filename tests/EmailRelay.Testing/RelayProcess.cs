using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;

namespace EmailRelay.Testing;

/// <summary>
/// The built <c>emailrelay</c> executable run as a child process for black-box tests: captures stdout and stderr
/// line by line (without waiting for end-of-stream, since a daemon child may inherit the pipes), and kills what is
/// left on dispose.
/// </summary>
public sealed class RelayProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly Task _stdoutPump;
    private readonly Task _stderrPump;

    private RelayProcess(Process process)
    {
        _process = process;
        _stdoutPump = PumpAsync(process.StandardOutput, Stdout);
        _stderrPump = PumpAsync(process.StandardError, Stderr);
    }

    /// <summary>The stdout lines so far.</summary>
    public ConcurrentQueue<string> Stdout { get; } = new();

    /// <summary>The stderr lines so far.</summary>
    public ConcurrentQueue<string> Stderr { get; } = new();

    /// <summary>The process id.</summary>
    public int Id => _process.Id;

    /// <summary>The stderr text so far, for assertion messages.</summary>
    public string StderrText => string.Join("\n", Stderr);

    /// <summary>The path of the <c>emailrelay</c> executable: the apphost next to the test assembly, else the CLI build output.</summary>
    public static string ExecutablePath
    {
        get
        {
            var local = Path.Combine(AppContext.BaseDirectory, "emailrelay");
            if (File.Exists(local))
            {
                return local;
            }

            var root = RepositoryRoot.Find();
            foreach (var configuration in new[] { "Release", "Debug" })
            {
                var built = Path.Combine(root ?? ".", "src", "EmailRelay.Cli", "bin", configuration, "net10.0", "emailrelay");
                if (File.Exists(built))
                {
                    return built;
                }
            }

            throw new FileNotFoundException("the emailrelay executable is not built");
        }
    }

    /// <summary>Starts the program with the arguments, in <paramref name="workingDirectory"/>, with extra <paramref name="environment"/> variables if given.</summary>
    public static RelayProcess Start(string workingDirectory, IEnumerable<string> arguments, string? executable = null, IReadOnlyDictionary<string, string>? environment = null)
    {
        ArgumentNullException.ThrowIfNull(arguments);
        var start = new ProcessStartInfo(executable ?? ExecutablePath)
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            WorkingDirectory = workingDirectory,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment.Remove("EMAILRELAY_DAEMON_CHILD");
        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[name] = value;
        }

        var process = Process.Start(start) ?? throw new InvalidOperationException("cannot start emailrelay");
        process.StandardInput.Close();
        return new RelayProcess(process);
    }

    /// <summary>Waits for the process to exit and returns its exit code.</summary>
    public async Task<int> WaitForExitAsync(TimeSpan? timeout = null)
    {
        using var cts = new CancellationTokenSource(timeout ?? Waiting.DefaultTimeout);
        try
        {
            await _process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException("emailrelay did not exit; stderr:\n" + StderrText);
        }

        // Let the pumps drain what the process wrote before exiting (a daemon child may keep the pipe open).
        await Task.WhenAny(Task.WhenAll(_stdoutPump, _stderrPump), Task.Delay(TimeSpan.FromSeconds(2)));
        return _process.ExitCode;
    }

    /// <summary>Waits until a stderr line satisfies <paramref name="predicate"/>, and returns it.</summary>
    public async Task<string> WaitForStderrAsync(Func<string, bool> predicate, string what)
    {
        ArgumentNullException.ThrowIfNull(predicate);
        string? found = null;
        await Waiting.UntilAsync(() => (found = Stderr.FirstOrDefault(predicate)) is not null, what + "; stderr so far:\n" + StderrText);
        return found!;
    }

    /// <summary>Sends a signal (e.g. <c>TERM</c>) to a process id with <c>kill(1)</c>.</summary>
    public static async Task SignalAsync(int pid, string signal)
    {
        using var kill = Process.Start("kill", ["-" + signal, pid.ToString(CultureInfo.InvariantCulture)]);
        await kill.WaitForExitAsync();
    }

    /// <summary>True if a process with the id exists and is not a zombie.</summary>
    public static bool IsAlive(int pid)
    {
        var stat = "/proc/" + pid.ToString(CultureInfo.InvariantCulture) + "/stat";
        try
        {
            var text = File.ReadAllText(stat);
            var close = text.LastIndexOf(')');
            return close > 0 && close + 2 < text.Length && text[close + 2] != 'Z' && text[close + 2] != 'X';
        }
        catch (IOException)
        {
            return false;
        }
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                await _process.WaitForExitAsync();
            }
        }
        catch (InvalidOperationException)
        {
            // already gone
        }

        _process.Dispose();
    }

    private static async Task PumpAsync(StreamReader reader, ConcurrentQueue<string> lines)
    {
        try
        {
            while (await reader.ReadLineAsync() is { } line)
            {
                lines.Enqueue(line);
            }
        }
        catch (ObjectDisposedException)
        {
        }
        catch (IOException)
        {
        }
    }
}
