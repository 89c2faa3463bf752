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

    // Holds each connection until its handler token (the drain deadline) fires, recording what it saw.
    private sealed class HoldingHandler : IConnectionHandler
    {
        public readonly TaskCompletionSource<AcceptedConnection> Accepted = new(TaskCreationOptions.RunContinuationsAsynchronously);
        public readonly TaskCompletionSource Aborted = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public async Task HandleAsync(AcceptedConnection connection, CancellationToken cancellationToken)
        {
            await using (connection)
            {
                Accepted.TrySetResult(connection);
                var aborted = new TaskCompletionSource();
                using (cancellationToken.Register(() => aborted.TrySetResult()))
                {
                    await aborted.Task;
                }

                Aborted.TrySetResult();
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
    public async Task A_drain_stops_accepting_at_once_and_ends_the_connections_when_the_drain_timeout_passes_on_the_clock()
    {
        var time = new Microsoft.Extensions.Time.Testing.FakeTimeProvider();
        var handler = new HoldingHandler();
        var unit = Unit(new ListenEndpoint(ListenService.Smtp, new IPEndPoint(IPAddress.Loopback, 0)));
        await using var host = new RelayHost([unit], (_, _) => handler, NullLoggerFactory.Instance) { DrainTimeout = TimeSpan.FromSeconds(30), TimeProvider = time };
        host.Start();
        var endpoint = (IPEndPoint)host.Listeners[0].LocalEndPoint!;
        using var draining = new CancellationTokenSource();
        var run = host.RunAsync(draining.Token, CancellationToken.None);
        using var client = new TcpClient();
        await client.ConnectAsync(endpoint);
        var connection = await handler.Accepted.Task.WaitAsync(Waiting.DefaultTimeout);
        Assert.False(connection.Draining.IsCancellationRequested);

        await draining.CancelAsync();
        Assert.True(connection.Draining.IsCancellationRequested);
        await Waiting.UntilAsync(() => Refused(endpoint), "the listener refuses new clients");
        time.Advance(TimeSpan.FromSeconds(29));
        Assert.False(handler.Aborted.Task.IsCompleted);
        Assert.False(run.IsCompleted);
        time.Advance(TimeSpan.FromSeconds(1));
        await handler.Aborted.Task.WaitAsync(Waiting.DefaultTimeout);
        await run.WaitAsync(Waiting.DefaultTimeout);
    }

    [Fact]
    public async Task A_second_signal_ends_a_drain_before_its_timeout()
    {
        var handler = new HoldingHandler();
        var unit = Unit(new ListenEndpoint(ListenService.Smtp, new IPEndPoint(IPAddress.Loopback, 0)));
        await using var host = new RelayHost([unit], (_, _) => handler, NullLoggerFactory.Instance) { DrainTimeout = TimeSpan.FromDays(1), TimeProvider = new Microsoft.Extensions.Time.Testing.FakeTimeProvider() };
        host.Start();
        using var draining = new CancellationTokenSource();
        using var abort = new CancellationTokenSource();
        var run = host.RunAsync(draining.Token, abort.Token);
        using var client = new TcpClient();
        await client.ConnectAsync((IPEndPoint)host.Listeners[0].LocalEndPoint!);
        await handler.Accepted.Task.WaitAsync(Waiting.DefaultTimeout);
        await draining.CancelAsync();
        Assert.False(handler.Aborted.Task.IsCompleted);
        await abort.CancelAsync();
        await handler.Aborted.Task.WaitAsync(Waiting.DefaultTimeout);
        await run.WaitAsync(Waiting.DefaultTimeout);
    }

    private static bool Refused(IPEndPoint endpoint)
    {
        using var probe = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            probe.Connect(endpoint);
            return false;
        }
        catch (SocketException e) when (e.SocketErrorCode == SocketError.ConnectionRefused)
        {
            return true;
        }
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
