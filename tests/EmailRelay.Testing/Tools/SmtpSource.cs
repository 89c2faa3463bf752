using System.Diagnostics;
using System.Globalization;

namespace EmailRelay.Testing.Tools;

/// <summary>
/// Postfix's <c>/usr/sbin/smtp-source</c>: sends <c>-m</c> generated messages of <c>-l</c> payload bytes
/// over <c>-s</c> parallel sessions (one connection per message unless <c>-d</c>).
/// </summary>
public static class SmtpSource
{
    /// <summary>The program.</summary>
    public const string Program = "/usr/sbin/smtp-source";

    /// <summary>Runs smtp-source to completion against 127.0.0.1:<paramref name="port"/>.</summary>
    /// <param name="port">The server port.</param>
    /// <param name="messageSize">Payload bytes per message (<c>-l</c>).</param>
    /// <param name="messages">How many messages (<c>-m</c>).</param>
    /// <param name="sessions">Parallel sessions (<c>-s</c>).</param>
    /// <param name="timeout">Deadline for the whole run; the process is killed past it.</param>
    /// <param name="reuseConnections">Pass <c>-d</c>: keep sending on one connection per session.</param>
    public static async Task<ToolResult> RunAsync(int port, int messageSize, int messages, int sessions, TimeSpan timeout, bool reuseConnections = false)
    {
        List<string> arguments =
        [
            "-c",
            "-M", "source.localdomain",
            "-f", "sender@source.localdomain",
            "-t", "rcpt@sink.localdomain",
            "-l", messageSize.ToString(CultureInfo.InvariantCulture),
            "-m", messages.ToString(CultureInfo.InvariantCulture),
            "-s", sessions.ToString(CultureInfo.InvariantCulture),
        ];
        if (reuseConnections)
        {
            arguments.Add("-d");
        }

        arguments.Add(string.Create(CultureInfo.InvariantCulture, $"{FreePort.Host}:{port}"));
        var started = Stopwatch.GetTimestamp();
        await using var process = ToolProcess.Start(Program, arguments);
        var exitCode = await process.WaitForExitAsync(timeout);
        return new ToolResult(exitCode, process.StandardOutput + process.StandardError, Stopwatch.GetElapsedTime(started));
    }
}
