using System.Net;
using EmailRelay.Protocol.Mail;
using EmailRelay.Smtp.Server;
using EmailRelay.Testing;
using EmailRelay.Verifiers;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace EmailRelay.Core.Tests.Smtp.Server;

/// <summary>Measures the whole process's memory, so it runs alone (<see cref="SerialCollection"/>).</summary>
[Collection(SerialCollection.Name)]
public class SmtpServerConnectionMemoryTests
{
    private sealed class AcceptVerifier : IAddressVerifier
    {
        public Task<VerifierResult> VerifyAsync(VerifierRequest request, CancellationToken cancellationToken) => Task.FromResult(VerifierResult.AcceptRemote(request.Address));
    }

    [Fact]
    public async Task Idle_connections_after_ehlo_stay_under_10_KiB_each()
    {
        const int Count = 2000;
        var time = new FakeTimeProvider();
        var services = new SmtpServerServices(new MemorySpool(time), new AcceptVerifier(), null, time, NullLogger.Instance);
        var options = new SmtpServerOptions();
        using var shutdown = new CancellationTokenSource();
        var clients = new List<TranscriptClient>(Count);
        var servers = new List<Task>(Count);
        var connections = new List<SmtpServerConnection>(Count);

        async Task OpenAsync(int n)
        {
            for (var i = 0; i < n; i++)
            {
                var client = new TranscriptClient();
                var connection = new SmtpServerConnection(client.ServerStream, new IPEndPoint(IPAddress.Loopback, 1000 + i), i, options, services);
                clients.Add(client);
                connections.Add(connection);
                servers.Add(connection.RunAsync(shutdown.Token));
                await client.ExpectCodeAsync(220);
                await client.SendAsync("EHLO client.example.com");
                await client.ExpectCodeAsync(250);
            }
        }

        await OpenAsync(50);
        var before = GC.GetTotalMemory(forceFullCollection: true);
        await OpenAsync(Count);
        var after = GC.GetTotalMemory(forceFullCollection: true);
        var perConnection = (after - before) / Count;

        shutdown.Cancel();
        await Task.WhenAll(servers).WaitAsync(TimeSpan.FromSeconds(30));
        foreach (var client in clients)
        {
            await client.DisposeAsync();
        }

        foreach (var connection in connections)
        {
            connection.Dispose();
        }

        // Includes the test client's own two pipes; the server side alone is smaller.
        Assert.True(perConnection < 10 * 1024, $"{perConnection} bytes per idle connection");
    }
}
