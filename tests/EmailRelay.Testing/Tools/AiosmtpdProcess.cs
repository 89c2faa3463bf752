using System.Globalization;

namespace EmailRelay.Testing.Tools;

/// <summary>
/// What the aiosmtpd test servers share: a Python script started with the recording directory and a free port as its
/// first two arguments, which prints <c>listening</c> when ready and stops when its standard input closes, and the
/// messages it records into that directory (<see cref="ReceivedMessage"/>).
/// </summary>
public abstract class AiosmtpdProcess : IAsyncDisposable
{
    private static readonly TimeSpan s_startTimeout = TimeSpan.FromSeconds(30);
    private readonly ToolProcess _process;

    /// <summary>Wraps a started server.</summary>
    protected AiosmtpdProcess(ToolProcess process, int port, string directory)
    {
        _process = process;
        Port = port;
        Directory = directory;
    }

    /// <summary>The port it listens on at <see cref="FreePort.Host"/>.</summary>
    public int Port { get; }

    /// <summary>Where received messages are written.</summary>
    public string Directory { get; }

    /// <summary>The server's output, for failure messages.</summary>
    public string Output => _process.StandardOutput + _process.StandardError;

    /// <summary>The number of messages completely recorded so far.</summary>
    public int MessageCount => ReceivedMessage.CountIn(Directory);

    /// <summary>Waits until at least <paramref name="count"/> messages are recorded.</summary>
    public Task WaitForMessagesAsync(int count, TimeSpan timeout)
        => Poll.UntilAsync(() => MessageCount >= count, timeout, $"{count} messages at aiosmtpd (output: {Output})");

    /// <summary>The messages recorded so far, in arrival order.</summary>
    public IReadOnlyList<ReceivedMessage> Messages() => ReceivedMessage.ReadAll(Directory);

    /// <summary>
    /// Starts <paramref name="script"/> with <c>directory port</c> and then <paramref name="arguments"/>, and waits for it
    /// to listen; retries on another port up to three times (a port taken between choosing and binding).
    /// </summary>
    protected static async Task<(ToolProcess Process, int Port)> StartScriptAsync(string script, string directory, IEnumerable<string> arguments)
    {
        for (var attempt = 1; ; attempt++)
        {
            var port = FreePort.Get();
            var process = ToolProcess.Start(PythonSmtp.Python, ["-c", script, directory, port.ToString(CultureInfo.InvariantCulture), .. arguments]);
            if (await Poll.TryUntilAsync(() => process.HasExited || process.StandardOutput.Contains("listening", StringComparison.Ordinal), s_startTimeout)
                && !process.HasExited)
            {
                return (process, port);
            }

            var output = process.StandardOutput + process.StandardError;
            await process.DisposeAsync();
            if (attempt == 3)
            {
                throw new InvalidOperationException($"aiosmtpd did not start on port {port}: {output}");
            }
        }
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        try
        {
            _process.CloseStandardInput();
            await _process.WaitForExitAsync(TimeSpan.FromSeconds(10));
        }
        catch (Exception e) when (e is TimeoutException or IOException or InvalidOperationException)
        {
            // Dispose kills it below.
        }

        await _process.DisposeAsync();
        GC.SuppressFinalize(this);
    }
}
