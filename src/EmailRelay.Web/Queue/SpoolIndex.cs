using System.Globalization;
using System.Threading.Channels;
using EmailRelay.Events;
using EmailRelay.Protocol.Mail;
using EmailRelay.Smtp.Client;
using EmailRelay.Spool;
using Microsoft.Extensions.Logging;

namespace EmailRelay.Web.Queue;

/// <summary>
/// The queue as the console lists it, kept in memory so a page request never reads envelopes: one directory scan
/// with one envelope read per message at start, then the unit's events (received, sending, delivered, deferred,
/// failed: the one envelope concerned is re-read, off the producer's thread), and a rescan of the directory names
/// every <c>rescan</c> interval for what changes without an event (another relay on the same spool,
/// <c>emailrelay-submit</c>, <c>unfail-all</c>); a rescan reads only the envelopes whose state changed. A burst of
/// events larger than the queue of pending work is replaced by a rescan. Thread-safe.
/// </summary>
internal sealed class SpoolIndex : IRelayEventObserver, IAsyncDisposable
{
    private const int PendingLimit = 65536;

    private readonly SpoolInspector _inspector;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly TimeSpan _rescan;
    private readonly Lock _lock = new();
    private readonly Dictionary<string, IndexEntry> _entries = new(StringComparer.Ordinal);
    private readonly Channel<(RelayEventKind Kind, string Id)> _pending = Channel.CreateBounded<(RelayEventKind, string)>(new BoundedChannelOptions(PendingLimit) { SingleReader = true, FullMode = BoundedChannelFullMode.DropWrite });
    private readonly CancellationTokenSource _stop = new();
    private Task _loop = Task.CompletedTask;
    private long _version;
    private IndexEntry[] _sorted = [];
    private long _sortedVersion = -1;
    private volatile bool _overflow;
    private volatile bool _rescanRequested;

    /// <summary>Creates the index of <paramref name="inspector"/>'s spool; <see cref="Start"/> fills it.</summary>
    public SpoolIndex(SpoolInspector inspector, TimeProvider time, ILogger logger, TimeSpan rescan)
    {
        _inspector = inspector;
        _time = time;
        _logger = logger;
        _rescan = rescan;
    }

    /// <summary>Raised on the index's own thread after an entry was added, changed or removed (the argument is its id), or after a rescan changed anything (empty id).</summary>
    public event Action<string>? Changed;

    /// <summary>True once the first scan is complete.</summary>
    public bool IsReady { get; private set; }

    /// <summary>How many messages the index holds.</summary>
    public int Count
    {
        get
        {
            lock (_lock)
            {
                return _entries.Count;
            }
        }
    }

    /// <summary>Starts the scan and the event loop.</summary>
    public void Start() => _loop = Task.Run(() => RunAsync(_stop.Token));

    /// <summary>Asks for a rescan soon (after an action that the events do not report).</summary>
    public void RequestRescan()
    {
        _rescanRequested = true;
        _pending.Writer.TryWrite((RelayEventKind.SessionOpened, ""));
    }

    /// <inheritdoc />
    public void OnEvent(in RelayEvent relayEvent)
    {
        switch (relayEvent.Kind)
        {
            case RelayEventKind.MessageReceived or RelayEventKind.Sending or RelayEventKind.Delivered or RelayEventKind.Deferred or RelayEventKind.Failed:
                if (!_pending.Writer.TryWrite((relayEvent.Kind, relayEvent.MessageId.Value)))
                {
                    _overflow = true;
                }

                break;
        }
    }

    /// <summary>The entry of one message, or null.</summary>
    public IndexEntry? Find(string id)
    {
        lock (_lock)
        {
            return _entries.GetValueOrDefault(id);
        }
    }

    /// <summary>Re-reads one message now (after an action on it) and returns its entry, or null when it is gone.</summary>
    public IndexEntry? Refresh(string id)
    {
        var entry = ReadEntry(id);
        lock (_lock)
        {
            if (entry is null ? _entries.Remove(id) : SetEntry(entry))
            {
                _version++;
            }
        }

        Changed?.Invoke(id);
        return entry;
    }

    /// <summary>The counts by console state and the oldest message's time (null when empty).</summary>
    public (int Queued, int Deferred, int InFlight, int Failed, DateTimeOffset? Oldest) Counts()
    {
        int queued = 0, deferred = 0, inFlight = 0, failed = 0;
        DateTimeOffset? oldest = null;
        lock (_lock)
        {
            foreach (var entry in _entries.Values)
            {
                switch (entry.State)
                {
                    case SpoolEntryState.Locked:
                        inFlight++;
                        break;
                    case SpoolEntryState.Failed:
                        failed++;
                        break;
                    default:
                        if (entry.Failures > 0)
                        {
                            deferred++;
                        }
                        else
                        {
                            queued++;
                        }

                        break;
                }

                if (oldest is null || entry.Received < oldest)
                {
                    oldest = entry.Received;
                }
            }
        }

        return (queued, deferred, inFlight, failed, oldest);
    }

    /// <summary>One page of the messages passing <paramref name="query"/>'s filters, newest first, and how many pass in all.</summary>
    public (int Total, IReadOnlyList<IndexEntry> Page) Query(QueueQuery query)
    {
        ArgumentNullException.ThrowIfNull(query);
        var sorted = Sorted();
        var now = _time.GetUtcNow();
        long skip = (long)(query.Page - 1) * query.PageSize;
        var page = new List<IndexEntry>(Math.Min(query.PageSize, sorted.Length));
        int total = 0;
        foreach (var entry in sorted)
        {
            if (!query.Matches(entry, now))
            {
                continue;
            }

            if (total >= skip && page.Count < query.PageSize)
            {
                page.Add(entry);
            }

            total++;
        }

        return (total, page);
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _pending.Writer.TryComplete();
        try
        {
            await _loop;
        }
        catch (OperationCanceledException)
        {
        }

        _stop.Dispose();
    }

    /// <summary>The time a message was stored: the id's seconds (<c>emailrelay.&lt;pid&gt;.&lt;time&gt;.&lt;seq&gt;</c>) when it has them.</summary>
    internal static DateTimeOffset ReceivedTime(string id, DateTimeOffset fallback)
    {
        var parts = id.Split('.');
        return parts.Length == 4 && long.TryParse(parts[2], NumberStyles.None, CultureInfo.InvariantCulture, out long seconds) && seconds is > 0 and < 253402300799
            ? DateTimeOffset.FromUnixTimeSeconds(seconds)
            : fallback;
    }

    private IndexEntry[] Sorted()
    {
        lock (_lock)
        {
            if (_sortedVersion != _version)
            {
                var sorted = _entries.Values.ToArray();
                Array.Sort(sorted, static (a, b) =>
                {
                    int byTime = b.Received.CompareTo(a.Received);
                    return byTime != 0 ? byTime : string.CompareOrdinal(b.Id, a.Id);
                });
                _sorted = sorted;
                _sortedVersion = _version;
            }

            return _sorted;
        }
    }

    private async Task RunAsync(CancellationToken cancellationToken)
    {
        Rescan();
        IsReady = true;
        Changed?.Invoke("");
        var reader = _pending.Reader;
        while (!cancellationToken.IsCancellationRequested)
        {
            using (var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken))
            {
                timeout.CancelAfter(_rescan);
                try
                {
                    if (!await reader.WaitToReadAsync(timeout.Token))
                    {
                        return;
                    }
                }
                catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
                {
                    Rescan();
                    continue;
                }
            }

            while (reader.TryRead(out var item))
            {
                if (item.Id.Length != 0)
                {
                    Apply(item.Kind, item.Id);
                }
            }

            if (_overflow || _rescanRequested)
            {
                _overflow = false;
                _rescanRequested = false;
                Rescan();
            }
        }
    }

    private void Apply(RelayEventKind kind, string id)
    {
        bool changed;
        if (kind == RelayEventKind.Delivered)
        {
            lock (_lock)
            {
                changed = _entries.Remove(id);
            }
        }
        else if (kind == RelayEventKind.Sending)
        {
            lock (_lock)
            {
                changed = _entries.TryGetValue(id, out var entry) && SetEntry(entry with { State = SpoolEntryState.Locked });
            }
        }
        else
        {
            var entry = ReadEntry(id);
            lock (_lock)
            {
                changed = entry is null ? _entries.Remove(id) : SetEntry(entry);
            }
        }

        if (changed)
        {
            lock (_lock)
            {
                _version++;
            }

            Changed?.Invoke(id);
        }
    }

    private void Rescan()
    {
        Dictionary<string, SpoolEntryState> states;
        try
        {
            states = _inspector.Scan();
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            Log.IndexProblem(_logger, exception.Message);
            return;
        }

        var stale = new List<string>();
        lock (_lock)
        {
            foreach (var (id, state) in states)
            {
                if (!_entries.TryGetValue(id, out var entry) || entry.State != state)
                {
                    stale.Add(id);
                }
            }
        }

        var gone = new List<string>();
        lock (_lock)
        {
            gone.AddRange(_entries.Keys.Where(id => !states.ContainsKey(id)));
        }

        bool changed = gone.Count > 0;
        lock (_lock)
        {
            foreach (var id in gone)
            {
                _entries.Remove(id);
            }
        }

        const int Batch = 1024;
        var batch = new List<IndexEntry>(Batch);
        foreach (var id in stale)
        {
            if (_stop.IsCancellationRequested)
            {
                return;
            }

            if (ReadEntry(id) is { } entry)
            {
                batch.Add(entry);
            }

            if (batch.Count == Batch)
            {
                changed |= Store(batch);
            }
        }

        changed |= Store(batch);
        if (changed)
        {
            lock (_lock)
            {
                _version++;
            }

            Changed?.Invoke("");
        }
    }

    private bool Store(List<IndexEntry> batch)
    {
        bool changed = false;
        lock (_lock)
        {
            foreach (var entry in batch)
            {
                changed |= SetEntry(entry);
            }

            _version++;
        }

        batch.Clear();
        return changed;
    }

    private bool SetEntry(IndexEntry entry)
    {
        if (_entries.TryGetValue(entry.Id, out var old) && old == entry)
        {
            return false;
        }

        _entries[entry.Id] = entry;
        return true;
    }

    private IndexEntry? ReadEntry(string id)
    {
        if (_inspector.Read(new MessageId(id)) is not { } read)
        {
            return null;
        }

        var envelope = read.Envelope;
        string[] to = [.. envelope.ToRemote, .. envelope.ToLocal];
        return new IndexEntry(id, read.State, envelope.From, to, read.ContentSize, ReceivedTime(id, read.LastWritten),
            RetrySchedule.Failures(envelope), MessageDetails.LastReason(envelope), read.LastWritten);
    }
}
