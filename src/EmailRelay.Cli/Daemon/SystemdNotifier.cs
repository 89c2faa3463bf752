using System.Globalization;
using System.Net.Sockets;
using System.Text;

namespace EmailRelay.Cli.Daemon;

/// <summary>
/// The systemd notify protocol (<c>sd_notify(3)</c>) for <c>Type=notify</c> units: one datagram per state change
/// to the unix socket named by <c>NOTIFY_SOCKET</c> (a path, or <c>@name</c> in the abstract namespace):
/// <c>READY=1</c> once every listener is bound and the pid file written, <c>STOPPING=1</c> when shutdown starts,
/// and <c>WATCHDOG=1</c> every half <c>WATCHDOG_USEC</c> when the unit sets <c>WatchdogSec=</c> (and
/// <c>WATCHDOG_PID</c>, when set, is this process). Without <c>NOTIFY_SOCKET</c> every call does nothing.
/// The variables are removed from the environment once read, so filters and verifiers do not inherit them.
/// A failed send is ignored (systemd may be gone while stopping), as <c>sd_notify</c> callers do.
/// </summary>
internal sealed class SystemdNotifier : IDisposable
{
    private readonly Socket? _socket;
    private readonly UnixDomainSocketEndPoint? _target;
    private int _stopping;

    private SystemdNotifier(string? socketPath, TimeSpan? watchdogInterval)
    {
        WatchdogInterval = watchdogInterval;
        if (socketPath is { Length: > 1 } && (socketPath[0] == '/' || socketPath[0] == '@'))
        {
            _target = new UnixDomainSocketEndPoint(socketPath[0] == '@' ? "\0" + socketPath[1..] : socketPath);
            _socket = new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
        }
    }

    /// <summary>True when systemd asked for notifications.</summary>
    public bool IsEnabled => _socket is not null;

    /// <summary>How often <see cref="RunWatchdogAsync"/> pings: half of <c>WATCHDOG_USEC</c>, or null without a watchdog.</summary>
    public TimeSpan? WatchdogInterval { get; }

    /// <summary>Reads (and removes) <c>NOTIFY_SOCKET</c>, <c>WATCHDOG_USEC</c> and <c>WATCHDOG_PID</c>.</summary>
    public static SystemdNotifier FromEnvironment()
    {
        var socket = Take("NOTIFY_SOCKET");
        var usec = Take("WATCHDOG_USEC");
        var pid = Take("WATCHDOG_PID");
        return new SystemdNotifier(socket, Interval(usec, pid, Environment.ProcessId));
    }

    /// <summary>The watchdog ping interval for the variables' values, or null when there is no watchdog for <paramref name="processId"/>.</summary>
    public static TimeSpan? Interval(string? watchdogUsec, string? watchdogPid, int processId)
    {
        if (!long.TryParse(watchdogUsec, NumberStyles.None, CultureInfo.InvariantCulture, out var usec) || usec <= 0)
        {
            return null;
        }

        if (watchdogPid is not null && (!int.TryParse(watchdogPid, NumberStyles.None, CultureInfo.InvariantCulture, out var pid) || pid != processId))
        {
            return null;
        }

        return TimeSpan.FromMicroseconds(usec / 2.0);
    }

    /// <summary>Tells systemd the relay is serving.</summary>
    public void Ready(string status) => Send($"READY=1\nSTATUS={status}\nMAINPID={Environment.ProcessId.ToString(CultureInfo.InvariantCulture)}");

    /// <summary>Tells systemd the relay is shutting down (once; later calls do nothing).</summary>
    public void Stopping()
    {
        if (Interlocked.Exchange(ref _stopping, 1) == 0)
        {
            Send("STOPPING=1\nSTATUS=stopping");
        }
    }

    /// <summary>Sends <c>WATCHDOG=1</c> every <see cref="WatchdogInterval"/> until <paramref name="cancellationToken"/> fires.</summary>
    public async Task RunWatchdogAsync(TimeProvider time, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(time);
        if (!IsEnabled || WatchdogInterval is not { } interval)
        {
            return;
        }

        using var timer = new PeriodicTimer(interval, time);
        Send("WATCHDOG=1");
        try
        {
            while (await timer.WaitForNextTickAsync(cancellationToken))
            {
                Send("WATCHDOG=1");
            }
        }
        catch (OperationCanceledException)
        {
            // shutdown
        }
    }

    /// <inheritdoc />
    public void Dispose() => _socket?.Dispose();

    private void Send(string message)
    {
        if (_socket is null || _target is null)
        {
            return;
        }

        try
        {
            _socket.SendTo(Encoding.UTF8.GetBytes(message), _target);
        }
        catch (SocketException)
        {
            // systemd is not listening (any more): nothing to tell
        }
        catch (ObjectDisposedException)
        {
            // disposed while stopping
        }
    }

    private static string? Take(string name)
    {
        var value = Environment.GetEnvironmentVariable(name);
        Environment.SetEnvironmentVariable(name, null);
        return value;
    }
}
