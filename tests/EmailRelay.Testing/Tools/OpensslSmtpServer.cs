using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace EmailRelay.Testing.Tools;

/// <summary>
/// <c>openssl s_server</c> (<c>-quiet -crlf -naccept 1</c>) as a TLS SMTP server: the TLS is OpenSSL's, and this
/// class answers the commands that s_server prints on stdout by writing replies to its stdin, recording the
/// commands and each message body (dot-unstuffed, byte for byte). In SMTPS mode the client connects to s_server
/// directly. In STARTTLS mode (s_server has none) the client connects to a plain-text front here, which answers the
/// greeting, EHLO (offering STARTTLS) and STARTTLS (with <c>220 ready to start TLS</c> followed, in the same write,
/// by any injected bytes), then splices the socket to s_server, which runs the handshake.
/// </summary>
public sealed class OpensslSmtpServer : IAsyncDisposable
{
    private static readonly TimeSpan s_startTimeout = TimeSpan.FromSeconds(30);
    private readonly Process _process;
    private readonly TcpListener? _front;
    private readonly StringBuilder _stderr = new();
    private readonly ConcurrentQueue<string> _commands = new();
    private readonly ConcurrentQueue<byte[]> _messages = new();
    private readonly CancellationTokenSource _stop = new();
    private Task _tasks = Task.CompletedTask;

    private OpensslSmtpServer(Process process, TcpListener? front, int port)
    {
        _process = process;
        _front = front;
        Port = port;
    }

    /// <summary>Where the client connects: the front (STARTTLS) or s_server itself (SMTPS).</summary>
    public int Port { get; }

    /// <summary>The commands s_server received inside TLS.</summary>
    public IReadOnlyList<string> Commands => [.. _commands];

    /// <summary>The message bodies received, dot-unstuffed.</summary>
    public IReadOnlyList<byte[]> Messages => [.. _messages];

    /// <summary>What s_server wrote on stderr, for failure messages.</summary>
    public string Output
    {
        get
        {
            lock (_stderr)
            {
                return _stderr.ToString();
            }
        }
    }

    /// <summary>
    /// Starts s_server with the test server certificate, and the STARTTLS front when <paramref name="startTls"/>;
    /// <paramref name="requireClientCertificate"/> makes s_server demand a client certificate signed by the test CA;
    /// <paramref name="serverName"/> makes it fail the handshake when the client's SNI names another host.
    /// </summary>
    /// <param name="certificates">The certificates.</param>
    /// <param name="startTls">STARTTLS rather than SMTPS.</param>
    /// <param name="injectAfterStartTls">Bytes sent after the 220 to STARTTLS.</param>
    /// <param name="requireClientCertificate">Demand a client certificate.</param>
    /// <param name="serverName">The only SNI name accepted.</param>
    /// <param name="sendIntermediate">Also send <see cref="TestCertificates.IntermediateCertificate"/> (leaf plus intermediate, s_server <c>-cert_chain</c>).</param>
    public static async Task<OpensslSmtpServer> StartAsync(TestCertificates certificates, bool startTls, string injectAfterStartTls = "",
        bool requireClientCertificate = false, string? serverName = null, bool sendIntermediate = false)
    {
        ArgumentNullException.ThrowIfNull(certificates);
        for (var attempt = 1; ; attempt++)
        {
            var port = FreePort.Get();
            var info = new ProcessStartInfo("openssl")
            {
                UseShellExecute = false,
                RedirectStandardInput = true,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
            };
            foreach (var argument in (string[])["s_server", "-quiet", "-crlf", "-naccept", "1", "-accept", "127.0.0.1:" + port.ToString(CultureInfo.InvariantCulture),
                "-cert", certificates.ServerCertificate, "-key", certificates.ServerKey,
                .. (sendIntermediate ? (string[])["-cert_chain", certificates.IntermediateCertificate] : []),
                .. (requireClientCertificate ? (string[])["-Verify", "1", "-verify_return_error", "-CAfile", certificates.CaCertificate] : []),
                .. (serverName is null ? [] : (string[])["-servername", serverName, "-servername_fatal", "-cert2", certificates.ServerCertificate, "-key2", certificates.ServerKey])])
            {
                info.ArgumentList.Add(argument);
            }

            var process = Process.Start(info)!;
            if (await Poll.TryUntilAsync(() => process.HasExited || IsListening(port), s_startTimeout) && !process.HasExited)
            {
                TcpListener? front = null;
                if (startTls)
                {
                    front = new TcpListener(IPAddress.Loopback, 0);
                    front.Start();
                }

                var server = new OpensslSmtpServer(process, front, front is null ? port : ((IPEndPoint)front.LocalEndpoint).Port);
                server._tasks = Task.WhenAll(
                    Task.Run(server.PumpErrorsAsync),
                    Task.Run(() => server.RespondAsync(greeting: !startTls)),
                    front is null ? Task.CompletedTask : Task.Run(() => server.FrontAsync(port, injectAfterStartTls)));
                return server;
            }

            var output = process.HasExited ? await process.StandardError.ReadToEndAsync() : "";
            process.Kill(true);
            process.Dispose();
            if (attempt == 3)
            {
                throw new InvalidOperationException($"openssl s_server did not start on port {port}: {output}");
            }
        }
    }

    /// <summary>Waits until <paramref name="count"/> messages arrived.</summary>
    public Task WaitForMessagesAsync(int count, TimeSpan timeout)
        => Poll.UntilAsync(() => _messages.Count >= count, timeout, $"{count} messages at openssl s_server (stderr: {Output})");

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _front?.Stop();
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(true);
            }

            await _process.WaitForExitAsync();
        }
        catch (InvalidOperationException)
        {
        }

        try
        {
            await _tasks.WaitAsync(TimeSpan.FromSeconds(10));
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException or OperationCanceledException or SocketException or TimeoutException)
        {
        }

        _process.Dispose();
        _stop.Dispose();
    }

    /// <summary>True if 127.0.0.1:<paramref name="port"/> is in LISTEN state, without connecting (s_server takes one connection only).</summary>
    private static bool IsListening(int port)
    {
        var hex = ":" + port.ToString("X4", CultureInfo.InvariantCulture) + " ";
        return File.ReadLines("/proc/net/tcp").Skip(1).Any(line =>
        {
            var fields = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            return fields.Length > 3 && fields[1].EndsWith(hex.TrimEnd(), StringComparison.Ordinal) && fields[3] == "0A";
        });
    }

    private async Task PumpErrorsAsync()
    {
        var buffer = new char[4096];
        int n;
        while ((n = await _process.StandardError.ReadAsync(buffer)) > 0)
        {
            lock (_stderr)
            {
                _stderr.Append(buffer, 0, n);
            }
        }
    }

    private async Task ReplyAsync(string reply)
    {
        var bytes = Encoding.ASCII.GetBytes(reply + "\n");
        await _process.StandardInput.BaseStream.WriteAsync(bytes, _stop.Token);
        await _process.StandardInput.BaseStream.FlushAsync(_stop.Token);
    }

    /// <summary>Answers what s_server prints (the client's decrypted bytes), line by line.</summary>
    private async Task RespondAsync(bool greeting)
    {
        if (greeting)
        {
            await ReplyAsync("220 s_server ready");
        }

        var input = _process.StandardOutput.BaseStream;
        var pending = new List<byte>();
        var body = new MemoryStream();
        var data = false;
        var buffer = new byte[65536];
        int n;
        while ((n = await input.ReadAsync(buffer, _stop.Token)) > 0)
        {
            pending.AddRange(buffer.AsSpan(0, n));
            int lf;
            while ((lf = pending.IndexOf((byte)'\n')) >= 0)
            {
                var line = pending.GetRange(0, lf + 1).ToArray();
                pending.RemoveRange(0, lf + 1);
                if (data)
                {
                    if (line.AsSpan().SequenceEqual(".\r\n"u8))
                    {
                        data = false;
                        _messages.Enqueue(body.ToArray());
                        body.SetLength(0);
                        await ReplyAsync("250 message stored by s_server");
                    }
                    else
                    {
                        body.Write(line, line[0] == '.' ? 1 : 0, line.Length - (line[0] == '.' ? 1 : 0));
                    }

                    continue;
                }

                var command = Encoding.ASCII.GetString(line).TrimEnd('\r', '\n');
                _commands.Enqueue(command);
                var verb = command.Split(' ')[0].ToUpperInvariant();
                data = verb == "DATA";
                await ReplyAsync(verb switch
                {
                    "EHLO" => "250-s_server\n250 8BITMIME",
                    "DATA" => "354 go ahead",
                    "QUIT" => "221 bye",
                    _ => "250 ok",
                });
            }
        }
    }

    /// <summary>The plain-text part of a STARTTLS session, then a splice to s_server.</summary>
    private async Task FrontAsync(int serverPort, string inject)
    {
        using var client = await _front!.AcceptTcpClientAsync(_stop.Token);
        var stream = client.GetStream();
        var reader = new StreamReader(stream, Encoding.ASCII);
        async Task Send(string text) => await stream.WriteAsync(Encoding.ASCII.GetBytes(text), _stop.Token);
        await Send("220 front ready\r\n");
        while (await reader.ReadLineAsync(_stop.Token) is { } line)
        {
            var verb = line.Split(' ')[0].ToUpperInvariant();
            if (verb == "STARTTLS")
            {
                await Send("220 ready to start TLS\r\n" + inject);
                break;
            }

            await Send(verb == "EHLO" ? "250-front\r\n250-PIPELINING\r\n250 STARTTLS\r\n" : verb == "QUIT" ? "221 bye\r\n" : "502 front: not here\r\n");
            if (verb == "QUIT")
            {
                return;
            }
        }

        using var upstream = new TcpClient();
        await upstream.ConnectAsync(IPAddress.Loopback, serverPort, _stop.Token);
        var server = upstream.GetStream();
        var up = stream.CopyToAsync(server, _stop.Token).ContinueWith(_ => upstream.Client.Shutdown(SocketShutdown.Send), TaskScheduler.Default);
        await server.CopyToAsync(stream, _stop.Token);
        client.Client.Shutdown(SocketShutdown.Send);
        await up;
    }
}
