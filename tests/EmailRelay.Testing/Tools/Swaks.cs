using System.Diagnostics;
using System.Globalization;

namespace EmailRelay.Testing.Tools;

/// <summary>
/// <c>swaks</c>, the SMTP test tool: one transaction against 127.0.0.1, returning the exit code and the
/// transcript (<c>-&gt;</c> lines sent, <c>&lt;-</c> lines received, <c>&lt;~</c>/<c>~&gt;</c> under TLS). swaks exits
/// 0 on success, 23 when the server rejected DATA, 24 when every RCPT was rejected.
/// </summary>
public static class Swaks
{
    /// <summary>The program.</summary>
    public const string Program = "/usr/bin/swaks";

    /// <summary>Sends one message.</summary>
    /// <param name="port">Server port on 127.0.0.1.</param>
    /// <param name="from">MAIL FROM.</param>
    /// <param name="to">RCPT TO (comma-separated for several).</param>
    /// <param name="body">The body (<c>--body</c>) or null for swaks's default.</param>
    /// <param name="data">The whole DATA text (<c>--data</c>, swaks expands <c>%NEWLINE%</c> tokens), or null.</param>
    /// <param name="pipeline">Ask for PIPELINING (<c>--pipeline</c>).</param>
    /// <param name="extraArguments">Further swaks options.</param>
    /// <param name="timeout">Deadline for the run (default 30 s); swaks's own per-step timeout follows it.</param>
    public static async Task<ToolResult> SendAsync(
        int port,
        string from,
        string to,
        string? body = null,
        string? data = null,
        bool pipeline = false,
        IEnumerable<string>? extraArguments = null,
        TimeSpan? timeout = null)
    {
        var deadline = timeout ?? TimeSpan.FromSeconds(30);
        List<string> arguments =
        [
            "--server", FreePort.Host,
            "--port", port.ToString(CultureInfo.InvariantCulture),
            "--from", from,
            "--to", to,
            "--helo", "swaks.localdomain",
            "--timeout", ((int)Math.Ceiling(deadline.TotalSeconds)).ToString(CultureInfo.InvariantCulture),
        ];
        if (body is not null)
        {
            arguments.AddRange(["--body", body]);
        }

        if (data is not null)
        {
            arguments.AddRange(["--data", data]);
        }

        if (pipeline)
        {
            arguments.Add("--pipeline");
        }

        arguments.AddRange(extraArguments ?? []);
        var started = Stopwatch.GetTimestamp();
        await using var process = ToolProcess.Start(Program, arguments, standardInput: "");
        var exitCode = await process.WaitForExitAsync(deadline + TimeSpan.FromSeconds(5));
        return new ToolResult(exitCode, process.StandardOutput + process.StandardError, Stopwatch.GetElapsedTime(started));
    }
}
