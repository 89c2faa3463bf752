using System.Globalization;
using System.Text.RegularExpressions;

namespace EmailRelay.Testing.Tools;

/// <summary>
/// Postfix's <c>/usr/sbin/smtp-sink</c> on a free loopback port: accepts every message and throws it
/// away, counting with <c>-c</c> (its stdout shows <c>sess=N quit=N mesg=N</c> after each message) and,
/// when a dump directory is given, writing each transaction with <c>-d</c> to its own file
/// <c>&lt;dir&gt;/msg.&lt;hex&gt;</c>: <c>X-Client-Addr</c>, <c>X-Client-Proto</c>, <c>X-Helo-Args</c>,
/// <c>X-Mail-Args</c> and one <c>X-Rcpt-Args</c> per RCPT, a <c>Received:</c> line, then the content
/// with LF line endings.
/// </summary>
public sealed partial class SmtpSink : IAsyncDisposable
{
    /// <summary>The program.</summary>
    public const string Program = "/usr/sbin/smtp-sink";

    private static readonly TimeSpan s_startTimeout = TimeSpan.FromSeconds(20);
    private readonly ToolProcess _process;

    private SmtpSink(ToolProcess process, int port, string? dumpDirectory)
    {
        _process = process;
        Port = port;
        DumpDirectory = dumpDirectory;
    }

    /// <summary>The port it listens on at <see cref="FreePort.Host"/>.</summary>
    public int Port { get; }

    /// <summary>The <c>-d</c> dump directory, or null.</summary>
    public string? DumpDirectory { get; }

    /// <summary>The number of messages completed so far (the last <c>mesg=</c> counter).</summary>
    public int MessageCount
    {
        get
        {
            var matches = MessageCounter().Matches(_process.StandardOutput);
            return matches.Count == 0 ? 0 : int.Parse(matches[^1].Groups[1].ValueSpan, CultureInfo.InvariantCulture);
        }
    }

    /// <summary>The sink's stdout and stderr, for failure messages.</summary>
    public string Output => _process.StandardOutput + _process.StandardError;

    /// <summary>Starts a sink; retries on another port if the one picked was taken meanwhile.</summary>
    /// <param name="dumpDirectory">Where <c>-d</c> writes one file per transaction, or null for no dump.</param>
    /// <param name="extraArguments">More smtp-sink options (e.g. <c>-p</c> to hide PIPELINING).</param>
    public static async Task<SmtpSink> StartAsync(string? dumpDirectory = null, IEnumerable<string>? extraArguments = null)
    {
        for (var attempt = 1; ; attempt++)
        {
            var port = FreePort.Get();
            var arguments = new List<string>();
            if (Environment.UserName == "root")
            {
                arguments.AddRange(["-u", "root"]); // smtp-sink refuses to run as root without -u
            }

            arguments.Add("-c");
            if (dumpDirectory is not null)
            {
                arguments.AddRange(["-d", Path.Combine(dumpDirectory, "msg.")]);
            }

            arguments.AddRange(extraArguments ?? []);
            arguments.AddRange([string.Create(CultureInfo.InvariantCulture, $"{FreePort.Host}:{port}"), "1024"]);
            var process = ToolProcess.Start(Program, arguments);
            if (await Poll.TryUntilAsync(() => process.HasExited || FreePort.IsListening(port), s_startTimeout) && !process.HasExited)
            {
                return new SmtpSink(process, port, dumpDirectory);
            }

            var output = process.StandardError;
            await process.DisposeAsync();
            if (attempt == 3)
            {
                throw new InvalidOperationException($"smtp-sink did not start on port {port}: {output}");
            }
        }
    }

    /// <summary>Waits until at least <paramref name="count"/> messages have completed.</summary>
    public Task WaitForMessagesAsync(int count, TimeSpan timeout)
        => Poll.UntilAsync(() => MessageCount >= count, timeout, $"{count} messages at smtp-sink (output: {Output})");

    /// <summary>The dump files written so far, in name order; empty without a dump directory.</summary>
    public IReadOnlyList<string> DumpFiles()
        => DumpDirectory is null || !Directory.Exists(DumpDirectory)
            ? []
            : [.. Directory.GetFiles(DumpDirectory, "msg.*").Order(StringComparer.Ordinal)];

    /// <inheritdoc />
    public ValueTask DisposeAsync() => _process.DisposeAsync();

    [GeneratedRegex(@"mesg=(\d+)")]
    private static partial Regex MessageCounter();
}
