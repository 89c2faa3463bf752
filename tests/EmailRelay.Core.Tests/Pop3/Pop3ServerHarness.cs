using System.Net;
using System.Text;
using EmailRelay.Core.Tests.Smtp.Server;
using EmailRelay.Net;
using EmailRelay.Pop3;
using EmailRelay.Protocol.Mail;
using EmailRelay.Protocol.Pop3;
using EmailRelay.Protocol.Sasl;
using EmailRelay.Spool;
using EmailRelay.Testing;
using Microsoft.Extensions.Time.Testing;

namespace EmailRelay.Core.Tests.Pop3;

/// <summary>A FileSpool in a temp directory and POP3 connections to it over <see cref="TranscriptClient"/>s.</summary>
internal sealed class Pop3ServerHarness : IDisposable
{
    private readonly TestDirectory _directory = new();

    public Pop3ServerHarness(bool byName = false, bool noDelete = false, bool withTls = false, RelayLimits? limits = null, int eagerLocks = PopStore.EagerLockCount)
    {
        Time = new FakeTimeProvider(new DateTimeOffset(2026, 11, 24, 2, 22, 19, TimeSpan.Zero));
        Spool = new FileSpool(_directory.Path, Logger, TimeProvider.System);
        var mechanisms = new SaslServerMechanisms(new PopSecrets().Plain("alice", "alice pw").Plain("bob", "bob pw"), SaslConfig.Empty, new Random(3), Time, "pop.example");
        Services = new Pop3ServerServices(new PopStore(Spool, byName, noDelete, Logger) { EagerLocks = eagerLocks }, mechanisms, Time, Logger)
        {
            TlsUpgrader = withTls ? (stream, _) => Task.FromResult(stream) : null,
        };
        Options = new Pop3ServerOptions { Policy = new Pop3ServerPolicy { TlsOffered = withTls }, Limits = limits ?? RelayLimits.Default };
    }

    public string Directory => _directory.Path;

    public FakeTimeProvider Time { get; }

    public FileSpool Spool { get; }

    public ListLogger Logger { get; } = new();

    public Pop3ServerServices Services { get; }

    public Pop3ServerOptions Options { get; }

    /// <summary>Connects a client; the greeting has been read.</summary>
    public async Task<(TranscriptClient Client, Task Server)> ConnectAsync(CancellationToken shutdown = default, CancellationToken draining = default)
    {
        var client = new TranscriptClient();
        var connection = new Pop3ServerConnection(client.ServerStream, new IPEndPoint(IPAddress.Loopback, 41100), 1, Options, Services);
        var server = Task.Run(async () =>
        {
            using (connection)
            {
                await connection.RunAsync(shutdown, draining);
            }
        }, CancellationToken.None);
        await client.ExpectAsync("+OK POP3 server ready <...");
        return (client, server);
    }

    public async Task<TranscriptClient> LoginAsync(string user = "alice")
    {
        var (client, _) = await ConnectAsync();
        await client.SendAsync("USER " + user);
        await client.ExpectAsync("+OK user: " + user);
        await client.SendAsync("PASS " + user + " pw");
        await client.ExpectAsync("+OK authenticated");
        return client;
    }

    /// <summary>Stores a message through the spool; returns its id.</summary>
    public async Task<MessageId> StoreAsync(string content)
    {
        await using var message = await Spool.CreateAsync(CancellationToken.None);
        await message.WriteAsync(Encoding.ASCII.GetBytes(content), CancellationToken.None);
        await message.PrepareAsync(new Envelope { From = "a@example.com", ToRemote = ["b@example.com"] }, CancellationToken.None);
        Assert.True(await message.CommitAsync(CancellationToken.None));
        return message.Id;
    }

    public string[] Files(string? sub = null) => [.. System.IO.Directory.EnumerateFiles(sub is null ? Directory : Path.Combine(Directory, sub)).Select(Path.GetFileName).Where(n => !n!.EndsWith(".lock", StringComparison.Ordinal)).Order(StringComparer.Ordinal)!];

    public void Dispose() => _directory.Dispose();

    /// <summary>Reads a multi-line reply up to and excluding the dot line, undoing dot-stuffing.</summary>
    public static async Task<string> ReadMultiLineAsync(TranscriptClient client)
    {
        var text = new StringBuilder();
        while (await client.ReadLineAsync() is { } line && line != ".")
        {
            text.Append(line.StartsWith('.') ? line[1..] : line).Append("\r\n");
        }

        return text.ToString();
    }
}
