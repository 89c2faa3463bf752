using EmailRelay.Events;

namespace EmailRelay.Web.Live;

/// <summary>
/// What the overview shows that the spool does not: messages received, forwarded and failed per minute over the last
/// 15 minutes (one bucket per second), the open SMTP and POP sessions, the forwarder's state, and the last upstream
/// attempt (also for <c>/readyz</c>). Fed by the unit's events; every update is a few integer operations under one lock.
/// </summary>
internal sealed class RelayActivity(TimeProvider time) : IRelayEventObserver
{
    private const int Seconds = 15 * 60;

    private readonly Lock _lock = new();
    private readonly int[,] _buckets = new int[3, Seconds];
    private readonly long[] _bucketSecond = new long[Seconds];
    private int _smtpOpen;
    private int _popOpen;
    private bool _forwarding;
    private DateTimeOffset? _lastRunStart;
    private DateTimeOffset? _lastRunEnd;
    private string _lastRunError = "";
    private DateTimeOffset? _upstreamTime;
    private string _upstreamAddress = "";
    private bool? _upstreamOk;
    private string _upstreamError = "";

    /// <inheritdoc />
    public void OnEvent(in RelayEvent relayEvent)
    {
        var now = time.GetUtcNow();
        lock (_lock)
        {
            switch (relayEvent.Kind)
            {
                case RelayEventKind.SessionOpened when relayEvent.Service == RelayService.Smtp:
                    _smtpOpen++;
                    break;
                case RelayEventKind.SessionClosed when relayEvent.Service == RelayService.Smtp:
                    _smtpOpen = Math.Max(0, _smtpOpen - 1);
                    break;
                case RelayEventKind.SessionOpened when relayEvent.Service == RelayService.Pop:
                    _popOpen++;
                    break;
                case RelayEventKind.SessionClosed when relayEvent.Service == RelayService.Pop:
                    _popOpen = Math.Max(0, _popOpen - 1);
                    break;
                case RelayEventKind.MessageReceived:
                    Count(0, now);
                    break;
                case RelayEventKind.Delivered:
                    Count(1, now);
                    break;
                case RelayEventKind.Failed:
                    Count(2, now);
                    break;
                case RelayEventKind.ForwardingStarted:
                    _forwarding = true;
                    _lastRunStart = now;
                    break;
                case RelayEventKind.ForwardingEnded:
                    _forwarding = false;
                    _lastRunEnd = now;
                    _lastRunError = relayEvent.Text;
                    if (relayEvent.Text.Length != 0 && _upstreamOk != true)
                    {
                        _upstreamOk = false;
                        _upstreamError = relayEvent.Text;
                    }

                    break;
                case RelayEventKind.UpstreamConnecting:
                    _upstreamTime = now;
                    _upstreamAddress = relayEvent.Text;
                    _upstreamOk = null;
                    _upstreamError = "";
                    break;
                case RelayEventKind.UpstreamConnected:
                    _upstreamOk = true;
                    break;
            }
        }
    }

    /// <summary>A consistent copy of the counters now.</summary>
    public ActivitySnapshot Snapshot()
    {
        long second = time.GetUtcNow().ToUnixTimeSeconds();
        lock (_lock)
        {
            return new ActivitySnapshot(
                [Sum(0, second, 60), Sum(0, second, 300), Sum(0, second, 900)],
                [Sum(1, second, 60), Sum(1, second, 300), Sum(1, second, 900)],
                [Sum(2, second, 60), Sum(2, second, 300), Sum(2, second, 900)],
                _smtpOpen, _popOpen, _forwarding, _lastRunStart, _lastRunEnd, _lastRunError,
                _upstreamTime, _upstreamAddress, _upstreamOk, _upstreamError);
        }
    }

    private void Count(int kind, DateTimeOffset now)
    {
        long second = now.ToUnixTimeSeconds();
        int slot = (int)(second % Seconds);
        if (_bucketSecond[slot] != second)
        {
            _bucketSecond[slot] = second;
            _buckets[0, slot] = 0;
            _buckets[1, slot] = 0;
            _buckets[2, slot] = 0;
        }

        _buckets[kind, slot]++;
    }

    private int Sum(int kind, long second, int window)
    {
        int sum = 0;
        for (int i = 0; i < window; i++)
        {
            long s = second - i;
            int slot = (int)(s % Seconds);
            if (_bucketSecond[slot] == s)
            {
                sum += _buckets[kind, slot];
            }
        }

        return sum;
    }
}

/// <summary>A copy of <see cref="RelayActivity"/>'s state; the rate arrays are the last 1, 5 and 15 minutes.</summary>
internal sealed record ActivitySnapshot(
    int[] Received,
    int[] Forwarded,
    int[] Failed,
    int SmtpSessions,
    int PopSessions,
    bool Forwarding,
    DateTimeOffset? LastRunStart,
    DateTimeOffset? LastRunEnd,
    string LastRunError,
    DateTimeOffset? UpstreamTime,
    string UpstreamAddress,
    bool? UpstreamOk,
    string UpstreamError);
