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
    /// <param name="recipient">The <c>-t</c> recipient.</param>
    /// <param name="numbered">Pass <c>-N</c>: each message's recipient gets a sequence number in front (<c>17rcpt@...</c>), so a sink's dump tells the messages apart.</param>
    /// <param name="verbose">Pass <c>-v</c>: the dialogue goes to the output (see <see cref="AcknowledgedRecipients"/>; meaningful with one session only).</param>
    public static async Task<ToolResult> RunAsync(int port, int messageSize, int messages, int sessions, TimeSpan timeout, bool reuseConnections = false, string recipient = "rcpt@sink.localdomain", bool numbered = false, bool verbose = false)
    {
        List<string> arguments =
        [
            "-c",
            "-M", "source.localdomain",
            "-f", "sender@source.localdomain",
            "-t", recipient,
            "-l", messageSize.ToString(CultureInfo.InvariantCulture),
            "-m", messages.ToString(CultureInfo.InvariantCulture),
            "-s", sessions.ToString(CultureInfo.InvariantCulture),
        ];
        if (reuseConnections)
        {
            arguments.Add("-d");
        }

        if (numbered)
        {
            arguments.Add("-N");
        }

        if (verbose)
        {
            arguments.Add("-v");
        }

        arguments.Add(string.Create(CultureInfo.InvariantCulture, $"{FreePort.Host}:{port}"));
        var started = Stopwatch.GetTimestamp();
        await using var process = ToolProcess.Start(Program, arguments);
        var exitCode = await process.WaitForExitAsync(timeout);
        return new ToolResult(exitCode, process.StandardOutput + process.StandardError, Stopwatch.GetElapsedTime(started));
    }

    /// <summary>
    /// The recipients of the messages whose end of data got a <c>2xx</c> reply, from a one-session <c>-v</c> run's
    /// dialogue (<c>RCPT TO:&lt;x&gt;</c> ... <c>.</c> then <c>&lt;&lt;&lt; 250 ...</c>).
    /// </summary>
    public static IReadOnlyList<string> AcknowledgedRecipients(string output)
    {
        ArgumentNullException.ThrowIfNull(output);
        var result = new List<string>();
        string? recipient = null;
        var afterDot = false;
        foreach (var raw in output.Split('\n'))
        {
            var line = raw.TrimEnd('\r');
            var at = line.IndexOf(": ", StringComparison.Ordinal);
            var text = at < 0 ? line : line[(at + 2)..];
            if (text.StartsWith("RCPT TO:", StringComparison.Ordinal))
            {
                recipient = text["RCPT TO:".Length..];
                afterDot = false;
            }
            else if (text == ".")
            {
                afterDot = true;
            }
            else if (afterDot && text.StartsWith("<<< ", StringComparison.Ordinal))
            {
                if (text.StartsWith("<<< 2", StringComparison.Ordinal) && recipient is not null)
                {
                    result.Add(recipient);
                }

                afterDot = false;
            }
        }

        return result;
    }

    /// <summary>The messages a <c>-c</c> run completed (its last <c>\r</c>-separated counter): each got <c>250</c> to its data.</summary>
    public static int CompletedCount(string output)
    {
        ArgumentNullException.ThrowIfNull(output);
        var last = output.Split('\r', '\n').Select(t => int.TryParse(t, NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n : -1).Where(n => n >= 0).DefaultIfEmpty(0).Max();
        return last;
    }
}
