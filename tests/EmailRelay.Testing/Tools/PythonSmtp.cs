using System.Diagnostics;
using System.Globalization;

namespace EmailRelay.Testing.Tools;

/// <summary>
/// Python's <c>smtplib</c> as an independent SMTP client, run with Debian's <c>/usr/bin/python3</c>
/// (not a pyenv one): sends one message and prints <c>sent</c>, or the server's refusal as
/// <c>refused &lt;code&gt; &lt;text&gt;</c> with exit code 1, or <c>error &lt;text&gt;</c> with exit code 2.
/// </summary>
public static class PythonSmtp
{
    /// <summary>The interpreter.</summary>
    public const string Python = "/usr/bin/python3";

    private const string Script = """
        import smtplib, sys
        host, port, sender, rcpts, body, timeout = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4].split(","), sys.argv[5], float(sys.argv[6])
        msg = "From: <%s>\r\nTo: <%s>\r\nSubject: python smtplib\r\n\r\n%s\r\n" % (sender, rcpts[0], body)
        try:
            with smtplib.SMTP(host, port, local_hostname="python.localdomain", timeout=timeout) as smtp:
                refused = smtp.sendmail(sender, rcpts, msg.encode("utf-8"))
                for rcpt, (code, text) in refused.items():
                    print("refused-rcpt %s %d %s" % (rcpt, code, text.decode("utf-8", "replace")))
            print("sent")
        except smtplib.SMTPResponseException as e:
            print("refused %d %s" % (e.smtp_code, e.smtp_error.decode("utf-8", "replace") if isinstance(e.smtp_error, bytes) else e.smtp_error))
            sys.exit(1)
        except smtplib.SMTPRecipientsRefused as e:
            for rcpt, (code, text) in e.recipients.items():
                print("refused %d %s" % (code, text.decode("utf-8", "replace")))
            sys.exit(1)
        except Exception as e:
            print("error %s: %s" % (type(e).__name__, e))
            sys.exit(2)
        """;

    /// <summary>Sends one message to 127.0.0.1:<paramref name="port"/>.</summary>
    /// <param name="port">Server port.</param>
    /// <param name="from">MAIL FROM.</param>
    /// <param name="to">Recipients, comma-separated.</param>
    /// <param name="body">Body text after a small header.</param>
    /// <param name="timeout">Deadline; smtplib's socket timeout is the same.</param>
    public static async Task<ToolResult> SendAsync(int port, string from, string to, string body, TimeSpan? timeout = null)
    {
        var deadline = timeout ?? TimeSpan.FromSeconds(30);
        string[] arguments =
        [
            "-c", Script,
            FreePort.Host,
            port.ToString(CultureInfo.InvariantCulture),
            from,
            to,
            body,
            deadline.TotalSeconds.ToString(CultureInfo.InvariantCulture),
        ];
        var started = Stopwatch.GetTimestamp();
        await using var process = ToolProcess.Start(Python, arguments, standardInput: "");
        var exitCode = await process.WaitForExitAsync(deadline + TimeSpan.FromSeconds(5));
        return new ToolResult(exitCode, process.StandardOutput + process.StandardError, Stopwatch.GetElapsedTime(started));
    }
}
