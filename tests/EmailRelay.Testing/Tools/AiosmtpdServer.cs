using System.Globalization;

namespace EmailRelay.Testing.Tools;

/// <summary>
/// An <c>aiosmtpd</c> SMTP server (Debian's <c>python3-aiosmtpd</c> under <c>/usr/bin/python3</c>) on a
/// free loopback port that records every message it accepts into a directory: the content as
/// <c>&lt;n&gt;.eml</c> and the envelope as <c>&lt;n&gt;.json</c> (<c>{"from": ..., "to": [...]}</c>), each
/// written under a temporary name and renamed, so a visible <c>.json</c> means a complete message.
/// Closing its stdin stops it; dispose does that, then kills it if needed.
/// </summary>
public sealed class AiosmtpdServer : IAsyncDisposable
{
    private const string Script = """
        import json, os, sys, threading
        from aiosmtpd.controller import Controller
        directory, port = sys.argv[1], int(sys.argv[2])
        lock = threading.Lock()
        count = [0]
        class Recorder:
            async def handle_DATA(self, server, session, envelope):
                with lock:
                    count[0] += 1
                    n = count[0]
                base = os.path.join(directory, "%06d" % n)
                with open(base + ".eml.tmp", "wb") as f:
                    f.write(envelope.original_content if envelope.original_content is not None else envelope.content)
                os.rename(base + ".eml.tmp", base + ".eml")
                with open(base + ".json.tmp", "w") as f:
                    json.dump({"from": envelope.mail_from, "to": envelope.rcpt_tos}, f)
                os.rename(base + ".json.tmp", base + ".json")
                return "250 OK message %d recorded" % n
        controller = Controller(Recorder(), hostname="127.0.0.1", port=port, enable_SMTPUTF8=True)
        controller.start()
        print("listening %d" % port, flush=True)
        sys.stdin.read()
        controller.stop()
        """;

    private static readonly TimeSpan s_startTimeout = TimeSpan.FromSeconds(30);
    private readonly ToolProcess _process;

    private AiosmtpdServer(ToolProcess process, int port, string directory)
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

    /// <summary>Starts a server recording into <paramref name="directory"/> (which must exist); retries on a port conflict.</summary>
    public static async Task<AiosmtpdServer> StartAsync(string directory)
    {
        for (var attempt = 1; ; attempt++)
        {
            var port = FreePort.Get();
            var process = ToolProcess.Start(PythonSmtp.Python, ["-c", Script, directory, port.ToString(CultureInfo.InvariantCulture)]);
            if (await Poll.TryUntilAsync(() => process.HasExited || process.StandardOutput.Contains("listening", StringComparison.Ordinal), s_startTimeout)
                && !process.HasExited)
            {
                return new AiosmtpdServer(process, port, directory);
            }

            var output = process.StandardOutput + process.StandardError;
            await process.DisposeAsync();
            if (attempt == 3)
            {
                throw new InvalidOperationException($"aiosmtpd did not start on port {port}: {output}");
            }
        }
    }

    /// <summary>Waits until at least <paramref name="count"/> messages are recorded.</summary>
    public Task WaitForMessagesAsync(int count, TimeSpan timeout)
        => Poll.UntilAsync(() => MessageCount >= count, timeout, $"{count} messages at aiosmtpd (output: {Output})");

    /// <summary>The messages recorded so far, in arrival order.</summary>
    public IReadOnlyList<ReceivedMessage> Messages() => ReceivedMessage.ReadAll(Directory);

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
    }
}
