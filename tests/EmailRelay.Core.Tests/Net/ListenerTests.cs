using System.Net;
using System.Net.Sockets;
using EmailRelay.Diagnostics;
using EmailRelay.Net;
using EmailRelay.Testing;
using Microsoft.Extensions.Logging;

namespace EmailRelay.Core.Tests.Net;

public class ListenerTests
{
    private sealed class RecordingHandler(Func<AcceptedConnection, Task> body) : IConnectionHandler
    {
        public async Task HandleAsync(AcceptedConnection connection, CancellationToken cancellationToken)
        {
            await using (connection)
            {
                await body(connection);
            }
        }
    }

    private static ListenEndpoint Loopback() => new(ListenService.Smtp, new IPEndPoint(IPAddress.Loopback, 0));

    [Fact]
    public async Task Accepted_connection_gets_nodelay_and_a_connection_scope()
    {
        var logger = new RecordingLogger();
        var seen = new TaskCompletionSource<(bool NoDelay, ConnectionLogScope? Scope)>(TaskCreationOptions.RunContinuationsAsynchronously);
        var handler = new RecordingHandler(c =>
        {
            logger.LogInformation("inside");
            var scope = logger.Entries.Last().Scopes.OfType<ConnectionLogScope>().FirstOrDefault();
            seen.TrySetResult((c.Socket.NoDelay, scope));
            return Task.CompletedTask;
        });
        await using var listener = new Listener(Loopback(), "in", remoteClients: false, handler, logger);
        Assert.True(listener.Bind());
        using var cts = new CancellationTokenSource();
        var run = listener.RunAsync(cts.Token);

        using var client = new TcpClient();
        await client.ConnectAsync((IPEndPoint)listener.LocalEndPoint!);
        var (noDelay, connectionScope) = await seen.Task.WaitAsync(Waiting.DefaultTimeout);
        Assert.True(noDelay);
        Assert.NotNull(connectionScope);
        Assert.Equal("in", connectionScope.Unit);
        Assert.Equal(IPAddress.Loopback, ((IPEndPoint)connectionScope.Peer!).Address);

        await cts.CancelAsync();
        await run.WaitAsync(Waiting.DefaultTimeout);
        var port = ((IPEndPoint)listener.LocalEndPoint!).Port;
        Assert.Contains(logger.Entries, e => e.Message == "smtp server on 127.0.0.1:" + port);
    }

    [Fact]
    public async Task Handler_exception_is_logged_once_and_the_listener_keeps_accepting()
    {
        var logger = new RecordingLogger();
        var calls = 0;
        var handler = new RecordingHandler(_ =>
        {
            Interlocked.Increment(ref calls);
            throw new InvalidOperationException("boom");
        });
        await using var listener = new Listener(Loopback(), string.Empty, false, handler, logger);
        listener.Bind();
        using var cts = new CancellationTokenSource();
        var run = listener.RunAsync(cts.Token);
        for (var i = 0; i < 2; i++)
        {
            using var client = new TcpClient();
            await client.ConnectAsync((IPEndPoint)listener.LocalEndPoint!);
        }

        await Waiting.UntilAsync(() => logger.Entries.Count(e => e.Level == LogLevel.Warning) == 2, "two handler failures");
        Assert.Equal(2, Volatile.Read(ref calls));
        Assert.All(logger.Entries.Where(e => e.Level == LogLevel.Warning), e => Assert.Equal("smtp connection failed: boom", e.Message));
        await cts.CancelAsync();
        await run.WaitAsync(Waiting.DefaultTimeout);
    }

    [Fact]
    public async Task Shutdown_waits_for_running_connections_which_see_the_token()
    {
        var logger = new RecordingLogger();
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var ended = false;
        var handler = new BlockingHandler(started, () => ended = true);
        await using var listener = new Listener(Loopback(), string.Empty, false, handler, logger);
        listener.Bind();
        using var cts = new CancellationTokenSource();
        var run = listener.RunAsync(cts.Token);
        using var client = new TcpClient();
        await client.ConnectAsync((IPEndPoint)listener.LocalEndPoint!);
        await started.Task.WaitAsync(Waiting.DefaultTimeout);
        await cts.CancelAsync();
        await run.WaitAsync(Waiting.DefaultTimeout);
        Assert.True(ended);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Non_local_peer_is_closed_with_a_warning_unless_remote_clients_is_set(bool remoteClients)
    {
        var logger = new RecordingLogger();
        var served = 0;
        var handler = new RecordingHandler(_ =>
        {
            Interlocked.Increment(ref served);
            return Task.CompletedTask;
        });
        await using var listener = new Listener(
            new ListenEndpoint(ListenService.Pop, new IPEndPoint(IPAddress.Loopback, 0)), string.Empty, remoteClients, handler, logger, _ => false);
        listener.Bind();
        using var cts = new CancellationTokenSource();
        var run = listener.RunAsync(cts.Token);
        using (var client = new TcpClient())
        {
            await client.ConnectAsync((IPEndPoint)listener.LocalEndPoint!);
            var read = await client.GetStream().ReadAsync(new byte[1]).AsTask().WaitAsync(Waiting.DefaultTimeout);
            Assert.Equal(0, read);
        }

        await cts.CancelAsync();
        await run.WaitAsync(Waiting.DefaultTimeout);
        var warnings = logger.Entries.Where(e => e.Level == LogLevel.Warning).Select(e => e.Message).ToList();
        if (remoteClients)
        {
            Assert.Equal(1, served);
            Assert.Empty(warnings);
        }
        else
        {
            Assert.Equal(0, served);
            Assert.Equal(
                ["configured to reject non-local pop connection: 127.0.0.1 is not in 127.0.0.0/8, 169.254.0.0/16, 10.0.0.0/8, 172.16.0.0/12, 192.168.0.0/16, ::1/128, fe80::/64 or fc00::/7"],
                warnings);
        }
    }

    [Fact]
    public async Task Port_in_use_is_a_bind_failure_naming_the_address()
    {
        var logger = new RecordingLogger();
        var handler = new RecordingHandler(_ => Task.CompletedTask);
        await using var first = new Listener(Loopback(), string.Empty, false, handler, logger);
        first.Bind();
        var taken = new ListenEndpoint(ListenService.Pop, first.LocalEndPoint);
        await using var second = new Listener(taken, string.Empty, false, handler, logger);
        var ex = Assert.Throws<ListenerBindException>(() => second.Bind());
        Assert.Contains("pop server on " + EndPointText.Format(first.LocalEndPoint), ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Unix_socket_listener_accepts_and_removes_its_file()
    {
        using var dir = new TestDirectory();
        var path = Path.Combine(dir.Path, "s");
        var logger = new RecordingLogger();
        var served = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var handler = new RecordingHandler(_ =>
        {
            served.TrySetResult();
            return Task.CompletedTask;
        });
        var listener = new Listener(new ListenEndpoint(ListenService.Smtp, new UnixDomainSocketEndPoint(path)), string.Empty, false, handler, logger);
        listener.Bind();
        using var cts = new CancellationTokenSource();
        var run = listener.RunAsync(cts.Token);
        using (var client = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified))
        {
            await client.ConnectAsync(new UnixDomainSocketEndPoint(path));
            await served.Task.WaitAsync(Waiting.DefaultTimeout);
        }

        await cts.CancelAsync();
        await run.WaitAsync(Waiting.DefaultTimeout);
        await listener.DisposeAsync();
        Assert.False(File.Exists(path));
        Assert.Contains(logger.Entries, e => e.Message == "smtp server on " + path);
    }

    private sealed class BlockingHandler(TaskCompletionSource started, Action onEnd) : IConnectionHandler
    {
        public async Task HandleAsync(AcceptedConnection connection, CancellationToken cancellationToken)
        {
            await using (connection)
            {
                started.TrySetResult();
                try
                {
                    await Task.Delay(Timeout.Infinite, cancellationToken);
                }
                finally
                {
                    onEnd();
                }
            }
        }
    }
}
