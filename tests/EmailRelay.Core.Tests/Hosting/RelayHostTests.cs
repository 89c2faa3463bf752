using EmailRelay.Testing.Tools;
using System.Net;
using System.Net.Sockets;
using EmailRelay.Hosting;
using EmailRelay.Net;
using EmailRelay.Testing;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace EmailRelay.Core.Tests.Hosting;

public class RelayHostTests
{
    private sealed class CountingHandler : IConnectionHandler
    {
        public int Count;

        public async Task HandleAsync(AcceptedConnection connection, CancellationToken cancellationToken)
        {
            await using (connection)
            {
                Interlocked.Increment(ref Count);
            }
        }
    }

    private sealed class SingleLoggerFactory(ILogger logger) : ILoggerFactory
    {
        public void AddProvider(ILoggerProvider provider)
        {
        }

        public ILogger CreateLogger(string categoryName) => logger;

        public void Dispose()
        {
        }
    }

    private static RelayUnit Unit(params ListenEndpoint[] listeners) => new(string.Empty, "/tmp", "example.com", false, listeners);

    [Fact]
    public async Task Host_serves_every_service_with_its_handler_until_shutdown()
    {
        var handlers = new Dictionary<ListenService, CountingHandler> { [ListenService.Smtp] = new(), [ListenService.Admin] = new() };
        var logger = new RecordingLogger();
        var unit = Unit(
            new ListenEndpoint(ListenService.Smtp, new IPEndPoint(IPAddress.Loopback, 0)),
            new ListenEndpoint(ListenService.Admin, new IPEndPoint(IPAddress.Loopback, 0)));
        await using var host = new RelayHost([unit], (_, service) => handlers[service], new SingleLoggerFactory(logger));
        host.Start();
        Assert.Equal(2, host.Listeners.Count);
        using var cts = new CancellationTokenSource();
        var run = host.RunAsync(cts.Token);
        foreach (var listener in host.Listeners)
        {
            using var client = new TcpClient();
            await client.ConnectAsync((IPEndPoint)listener.LocalEndPoint!);
        }

        await Waiting.UntilAsync(() => handlers.Values.All(h => Volatile.Read(ref h.Count) == 1), "one connection per service");
        await cts.CancelAsync();
        await run.WaitAsync(Waiting.DefaultTimeout);
        Assert.Contains(logger.Entries, e => e.Message.StartsWith("smtp server on 127.0.0.1:", StringComparison.Ordinal));
        Assert.Contains(logger.Entries, e => e.Message.StartsWith("admin server on 127.0.0.1:", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Bind_failure_releases_what_was_bound()
    {
        using var taken = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        taken.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        taken.Listen();
        var free = new ListenEndpoint(ListenService.Smtp, new IPEndPoint(IPAddress.Loopback, FreePort.Get()));
        var busy = new ListenEndpoint(ListenService.Pop, taken.LocalEndPoint);
        await using var host = new RelayHost([Unit(free, busy)], (_, _) => new CountingHandler(), NullLoggerFactory.Instance);
        Assert.Throws<ListenerBindException>(host.Start);
        Assert.Empty(host.Listeners);
        using var again = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        again.Bind(free.EndPoint!);
    }

    [Fact]
    public async Task Host_with_nothing_to_serve_returns_at_once()
    {
        await using var host = new RelayHost([Unit()], (_, _) => new CountingHandler(), NullLoggerFactory.Instance);
        host.Start();
        await host.RunAsync(CancellationToken.None).WaitAsync(Waiting.DefaultTimeout);
    }
}
