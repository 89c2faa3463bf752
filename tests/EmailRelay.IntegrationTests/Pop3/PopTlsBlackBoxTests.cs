using System.Net;
using System.Net.Sockets;
using System.Text;
using EmailRelay.Testing.Tools;
using MailKit;
using MailKit.Net.Pop3;
using MailKit.Security;

namespace EmailRelay.IntegrationTests.Pop3;

/// <summary>STLS with clients we did not write (MailKit's Pop3Client, openssl s_client), and the STLS injection defence (differences 8).</summary>
public sealed class PopTlsBlackBoxTests
{
    // Mail in with swaks, including lines that need dot-stuffing on the way out.
    private static async Task<Dictionary<string, byte[]>> SendWithSwaksAsync(PopRelay relay, int count)
    {
        for (int i = 0; i < count; i++)
        {
            var result = await Swaks.SendAsync(relay.SmtpPort, "sender@example.com", "rcpt@example.net", body: "message " + i + "\n.leading dot\n..two dots\n.\nend");
            Assert.True(result.ExitCode == 0, result.Output + relay.Process.StderrText);
        }

        var stored = relay.Contents();
        Assert.Equal(count, stored.Count);
        return stored;
    }

    private static Pop3Client NewClient(Stream transcript)
    {
#pragma warning disable CA5359 // the test certificate is self-signed
        return new Pop3Client(new ProtocolLogger(transcript, leaveOpen: true)) { ServerCertificateValidationCallback = (_, _, _, _) => true, Timeout = 30_000 };
#pragma warning restore CA5359
    }

    [Theory]
    [InlineData("USER")]
    [InlineData("APOP")]
    [InlineData("PLAIN")]
    public async Task MailKit_retrieves_over_stls_byte_exact_and_deletes(string login)
    {
        await using var relay = await PopRelay.StartAsync(tls: true);
        var stored = await SendWithSwaksAsync(relay, 3);
        using var transcript = new MemoryStream();
        using (var client = NewClient(transcript))
        {
            await client.ConnectAsync("127.0.0.1", relay.PopPort, SecureSocketOptions.StartTls);
            Assert.True(client.IsSecure);
            var credentials = new NetworkCredential("alice", "alice-pw");
            switch (login)
            {
                case "USER":
                    client.AuthenticationMechanisms.Clear();
                    client.Capabilities &= ~Pop3Capabilities.Apop;
                    await client.AuthenticateAsync(credentials);
                    break;
                case "APOP":
                    Assert.True(client.Capabilities.HasFlag(Pop3Capabilities.Apop), "the greeting has an APOP challenge");
                    await client.AuthenticateAsync(credentials);
                    break;
                default:
                    await client.AuthenticateAsync(new SaslMechanismPlain(credentials));
                    break;
            }

            Assert.Equal(3, client.Count);
            for (int i = 0; i < client.Count; i++)
            {
                var uid = await client.GetMessageUidAsync(i);
                using var raw = await client.GetStreamAsync(i);
                using var copy = new MemoryStream();
                await raw.CopyToAsync(copy);
                Assert.Equal(Encoding.ASCII.GetString(stored[uid]), Encoding.ASCII.GetString(copy.ToArray()));
                await client.DeleteMessageAsync(i);
            }

            await client.DisconnectAsync(quit: true);
        }

        var text = Encoding.ASCII.GetString(transcript.ToArray());
        Assert.Contains("C: STLS", text, StringComparison.Ordinal);
        // MailKit's transcript masks the secrets (and the user name) but keeps the command.
        var expected = login switch { "USER" => "C: USER ", "APOP" => "C: APOP ", _ => "C: AUTH PLAIN" };
        Assert.Contains(expected, text, StringComparison.Ordinal);
        Assert.Empty(Directory.EnumerateFiles(relay.Spool, "*.envelope*"));
        await Poll.UntilAsync(() => !Directory.EnumerateFiles(relay.Spool).Any(f => !f.EndsWith(".lock", StringComparison.Ordinal)), TimeSpan.FromSeconds(20), "only lock sidecars left in the spool");
    }

    [Fact]
    public async Task Capa_lists_stls_only_when_tls_is_configured_and_auth_needs_it_when_required()
    {
        await using (var plain = await PopRelay.StartAsync())
        {
            using var c = await ConnectAsync(plain.PopPort);
            Assert.DoesNotContain("STLS", await CapaAsync(c));
            await c.SendAsync("STLS\r\n");
            Assert.StartsWith("-ERR", await c.ReadReplyAsync(), StringComparison.Ordinal);
        }

        await using var relay = await PopRelay.StartAsync(true, "--server-tls-required");
        using var client = await ConnectAsync(relay.PopPort);
        Assert.Contains("STLS", await CapaAsync(client));
        await client.SendAsync("AUTH PLAIN " + Convert.ToBase64String("\0alice\0alice-pw"u8) + "\r\n");
        Assert.Equal("-ERR must use STLS before authentication", await client.ReadReplyAsync());
    }

    [Fact]
    public async Task Openssl_s_client_starttls_pop3_runs_a_session_inside_tls()
    {
        await using var relay = await PopRelay.StartAsync(tls: true);
        var stored = await SendWithSwaksAsync(relay, 1);
        await using var tool = ToolProcess.Start("/usr/bin/openssl", ["s_client", "-starttls", "pop3", "-connect", "127.0.0.1:" + relay.PopPort, "-quiet"],
            "CAPA\r\nUSER alice\r\nPASS alice-pw\r\nSTAT\r\nQUIT\r\n");
        Assert.Equal(0, await tool.WaitForExitAsync(TimeSpan.FromSeconds(30)));
        var lines = tool.StandardOutput.Split("\r\n");
        Assert.Contains("UIDL", lines);
        Assert.DoesNotContain("STLS", lines);
        Assert.Contains("+OK 1 " + stored.Single().Value.Length, lines);
        Assert.Contains("+OK signing off", lines);
    }

    private static async Task<Auth.RawClient> ConnectAsync(int port)
    {
        var tcp = new TcpClient();
        await tcp.ConnectAsync(IPAddress.Loopback, port);
        var client = new Auth.RawClient(tcp);
        Assert.StartsWith("+OK POP3 server ready", await client.ReadReplyAsync(), StringComparison.Ordinal);
        return client;
    }

    private static async Task<List<string>> CapaAsync(Auth.RawClient client)
    {
        await client.SendAsync("CAPA\r\n");
        Assert.Equal("+OK capability list follows", await client.ReadReplyAsync());
        var lines = new List<string>();
        while (await client.ReadReplyAsync() is { } line && line != ".")
        {
            lines.Add(line);
        }

        return lines;
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Commands_pipelined_after_stls_never_execute(bool afterTheReply)
    {
        await using var relay = await PopRelay.StartAsync(tls: true);
        var stored = await SendWithSwaksAsync(relay, 1);
        using var socket = new TcpClient();
        await socket.ConnectAsync(IPAddress.Loopback, relay.PopPort);
        var stream = socket.GetStream();
        var reader = new StreamReader(stream, Encoding.ASCII);
        Assert.StartsWith("+OK POP3 server ready", await reader.ReadLineAsync(), StringComparison.Ordinal);
        var injected = "USER alice\r\nPASS alice-pw\r\nDELE 1\r\nQUIT\r\n"u8.ToArray();
        if (afterTheReply)
        {
            // The injected plaintext arrives where the server expects the TLS ClientHello.
            await stream.WriteAsync("STLS\r\n"u8.ToArray());
            Assert.Equal("+OK", await reader.ReadLineAsync());
            await stream.WriteAsync(injected);
        }
        else
        {
            byte[] both = [.. "STLS\r\n"u8, .. injected];
            await stream.WriteAsync(both);
            Assert.Equal("+OK", await reader.ReadLineAsync());
        }

        // Nothing more in plaintext: the connection ends without another reply.
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        Assert.Null(await reader.ReadLineAsync(cts.Token));
        if (!afterTheReply)
        {
            await relay.Process.WaitForStderrAsync(l => l.Contains("possible command injection: data pipelined after STLS", StringComparison.Ordinal), "injection warning");
        }

        await relay.Process.WaitForStderrAsync(l => l.Contains("pop connection closed", StringComparison.Ordinal), "connection closed");
        Assert.DoesNotContain("pop authenticated", relay.Process.StderrText, StringComparison.Ordinal);
        Assert.Equal(stored.Keys, relay.Contents().Keys);
        Assert.Single(Directory.EnumerateFiles(relay.Spool, "*.envelope"));
    }
}
