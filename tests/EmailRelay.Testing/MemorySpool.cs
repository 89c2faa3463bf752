using System.Runtime.CompilerServices;
using EmailRelay.Protocol.Mail;
using EmailRelay.Protocol.Storage;
using EmailRelay.Spool;

namespace EmailRelay.Testing;

/// <summary>
/// The in-memory spool backend (like OpenSMTPD's <c>queue_ram</c>): same contracts as <c>FileSpool</c>
/// (ids <c>emailrelay.&lt;pid&gt;.&lt;time&gt;.&lt;seq&gt;</c>, lexical listing, exclusive lock, fail,
/// defer, unfail), no files, so no <see cref="ISpoolFiles"/>. Thread-safe. For driver tests.
/// </summary>
public sealed class MemorySpool : IMessageSpool
{
    private readonly Lock _gate = new();
    private readonly SortedDictionary<string, Entry> _messages = new(StringComparer.Ordinal);
    private readonly TimeProvider _timeProvider;
    private uint _sequence;

    /// <summary>Creates an empty spool.</summary>
    public MemorySpool(TimeProvider? timeProvider = null) => _timeProvider = timeProvider ?? TimeProvider.System;

    /// <inheritdoc />
    public event EventHandler? Changed;

    /// <summary>Set to make the next content write fail as if the disk were full.</summary>
    public bool SimulateDiskFull { get; set; }

    /// <inheritdoc />
    public ValueTask<INewMessage> CreateAsync(CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        lock (_gate)
        {
            MessageId id = NextId();
            _messages[id.Value] = new Entry { State = EntryState.Receiving };
            return ValueTask.FromResult<INewMessage>(new MemorySpoolNewMessage(this, id));
        }
    }

    /// <inheritdoc />
    public async IAsyncEnumerable<MessageId> ListAsync(SpoolView view, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await Task.Yield();
        EntryState state = ToState(view);
        List<MessageId> ids;
        lock (_gate)
        {
            ids = [.. _messages.Where(pair => pair.Value.State == state).Select(pair => new MessageId(pair.Key))];
        }

        foreach (MessageId id in ids)
        {
            cancellationToken.ThrowIfCancellationRequested();
            yield return id;
        }
    }

    /// <inheritdoc />
    public ValueTask<IStoredMessage?> TryLockAsync(MessageId id, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        lock (_gate)
        {
            if (!_messages.TryGetValue(id.Value, out Entry? entry) || entry.State != EntryState.Ready)
            {
                return ValueTask.FromResult<IStoredMessage?>(null);
            }

            entry.State = EntryState.Locked;
            return ValueTask.FromResult<IStoredMessage?>(new MemorySpoolStoredMessage(this, id, entry.Envelope));
        }
    }

    /// <inheritdoc />
    public IClaimGroup CreateClaimGroup() => new MemoryClaimGroup(this);

    /// <inheritdoc />
    public ValueTask<int> UnfailAllAsync(CancellationToken cancellationToken)
    {
        int count = 0;
        lock (_gate)
        {
            foreach (Entry entry in _messages.Values.Where(e => e.State == EntryState.Failed))
            {
                entry.State = EntryState.Ready;
                count++;
            }
        }

        if (count > 0)
        {
            OnChanged();
        }

        return ValueTask.FromResult(count);
    }

    /// <inheritdoc />
    /// <remarks>An owner in this process cannot die without the process, so there is never anything to recover.</remarks>
    public ValueTask<int> RecoverAsync(CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return ValueTask.FromResult(0);
    }

    /// <summary>Adds a committed message directly (test setup).</summary>
    public MessageId Add(Envelope envelope, ReadOnlySpan<byte> content)
    {
        lock (_gate)
        {
            MessageId id = NextId();
            _messages[id.Value] = new Entry { State = EntryState.Ready, Envelope = envelope, Content = content.ToArray(), LastAttempt = Now };
            return id;
        }
    }

    /// <summary>Adds a prepared (not yet ready) message with <paramref name="content"/>, for a filter's copy.</summary>
    internal MessageId AddPrepared(byte[] content)
    {
        lock (_gate)
        {
            MessageId id = NextId();
            _messages[id.Value] = new Entry { State = EntryState.Prepared, Content = content };
            return id;
        }
    }

    /// <summary>Makes a prepared message ready.</summary>
    internal void Publish(MessageId id)
    {
        Update(id, entry =>
        {
            entry.State = EntryState.Ready;
            entry.LastAttempt = Now;
        });
        OnChanged();
    }

    /// <summary>The stored envelope of a message (any state), or null if there is none.</summary>
    public Envelope? GetEnvelope(MessageId id)
    {
        lock (_gate)
        {
            return _messages.TryGetValue(id.Value, out Entry? entry) ? entry.Envelope : null;
        }
    }

    /// <summary>The stored content of a message (any state), or null if there is none.</summary>
    public byte[]? GetContent(MessageId id)
    {
        lock (_gate)
        {
            return _messages.TryGetValue(id.Value, out Entry? entry) && !entry.ContentRemoved ? entry.Content : null;
        }
    }

    /// <summary>Every id present in any state, including ones being received (test inspection).</summary>
    public int Count
    {
        get
        {
            lock (_gate)
            {
                return _messages.Count;
            }
        }
    }

    internal DateTimeOffset Now => _timeProvider.GetUtcNow();

    /// <summary>The next id, <c>emailrelay.&lt;pid&gt;.&lt;time&gt;.&lt;seq&gt;</c>; the caller holds the gate.</summary>
    private MessageId NextId()
    {
        _sequence = SpoolNames.NextSequence(_sequence);
        return SpoolNames.FormatId(Environment.ProcessId, Now.ToUnixTimeSeconds(), _sequence);
    }

    /// <summary>Claims a ready message for a claim group, as <see cref="TryLockAsync"/> does.</summary>
    internal bool TryClaim(MessageId id)
    {
        lock (_gate)
        {
            if (!_messages.TryGetValue(id.Value, out Entry? entry) || entry.State != EntryState.Ready)
            {
                return false;
            }

            entry.State = EntryState.Locked;
            return true;
        }
    }

    internal DateTimeOffset GetLastAttempt(MessageId id)
    {
        lock (_gate)
        {
            return _messages.TryGetValue(id.Value, out Entry? entry) ? entry.LastAttempt : default;
        }
    }

    internal void Update(MessageId id, Action<Entry> update)
    {
        lock (_gate)
        {
            if (_messages.TryGetValue(id.Value, out Entry? entry))
            {
                update(entry);
            }
        }
    }

    internal bool Exists(MessageId id)
    {
        lock (_gate)
        {
            return _messages.ContainsKey(id.Value);
        }
    }

    internal void Remove(MessageId id)
    {
        lock (_gate)
        {
            _messages.Remove(id.Value);
        }
    }

    /// <summary>Removes a message's envelope behind the spool's back, as an abandoning filter would (test setup).</summary>
    public void RemoveEnvelopeExternally(MessageId id) => Update(id, entry => entry.EnvelopeRemoved = true);

    /// <summary>Removes a message's content behind the spool's back, so opening it throws <see cref="SpoolException"/> (test setup).</summary>
    public void RemoveContentExternally(MessageId id) => Update(id, entry => entry.ContentRemoved = true);

    internal void OnChanged() => Changed?.Invoke(this, EventArgs.Empty);

    private static EntryState ToState(SpoolView view) => view switch
    {
        SpoolView.Ready => EntryState.Ready,
        SpoolView.Failed => EntryState.Failed,
        SpoolView.Locked => EntryState.Locked,
        _ => throw new ArgumentOutOfRangeException(nameof(view)),
    };

    internal enum EntryState
    {
        Receiving,
        Prepared,
        Ready,
        Locked,
        Failed,
    }

    internal sealed class Entry
    {
        public EntryState State { get; set; }

        public Envelope Envelope { get; set; } = new();

        public byte[] Content { get; set; } = [];

        public bool EnvelopeRemoved { get; set; }

        public bool ContentRemoved { get; set; }

        public DateTimeOffset LastAttempt { get; set; }
    }
}
