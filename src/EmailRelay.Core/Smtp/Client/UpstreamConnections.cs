using EmailRelay.Events;

namespace EmailRelay.Smtp.Client;

/// <summary>
/// The forwarder's upstream connections between runs (<see cref="ForwardingOptions.Connections"/> lanes): a run
/// uses them, and while no run is due each stays open until <see cref="ForwardingOptions.IdleConnectionTime"/>
/// after its last message (proxy mode's next disconnect then costs no connect, greeting and EHLO), or until the
/// server closes it.
/// </summary>
internal sealed class UpstreamConnections
{
    private readonly TimeSpan _idleTime;
    private readonly TimeProvider _time;

    /// <summary>Creates <paramref name="count"/> (at least one) empty lanes.</summary>
    public UpstreamConnections(int count, TimeSpan idleTime, TimeProvider time, RelayEvents events)
    {
        _idleTime = idleTime;
        _time = time;
        Lanes = new UpstreamLane[Math.Max(1, count)];
        for (var i = 0; i < Lanes.Length; i++)
        {
            Lanes[i] = new UpstreamLane(events);
        }
    }

    /// <summary>The lanes.</summary>
    public UpstreamLane[] Lanes { get; }

    /// <summary>Closes the connections idle for the idle time or unusable; returns the time until the next one idles out, or null when none is open.</summary>
    public async Task<TimeSpan?> CloseIdleAsync(CancellationToken cancellationToken)
    {
        TimeSpan? next = null;
        foreach (var lane in Lanes)
        {
            if (lane.Connection is not { } connection)
            {
                continue;
            }

            var left = _idleTime - _time.GetElapsedTime(lane.LastUsed);
            if (left <= TimeSpan.Zero || !connection.IsUsable)
            {
                await lane.CloseAsync(cancellationToken);
                continue;
            }

            next = next is { } soonest && soonest < left ? soonest : left;
        }

        return next;
    }

    /// <summary>Closes every connection.</summary>
    public async Task CloseAllAsync(CancellationToken cancellationToken)
    {
        foreach (var lane in Lanes)
        {
            await lane.CloseAsync(cancellationToken);
        }
    }
}
