using System.Threading.Channels;

namespace EmailRelay.Web.Live;

/// <summary>
/// Fans out the console's live events to the open Server-Sent Events streams. Each stream has a bounded queue
/// (<see cref="QueueLimit"/> events; a slow reader loses its oldest events, never blocks a producer, and is told to
/// reload with a <c>resync</c> event). Publishing with no stream open does nothing. Thread-safe.
/// </summary>
internal sealed class EventHub
{
    /// <summary>How many events a stream may have unsent.</summary>
    public const int QueueLimit = 256;

    private readonly Lock _lock = new();
    private Subscriber[] _subscribers = [];

    /// <summary>True while any stream is open.</summary>
    public bool HasSubscribers => Volatile.Read(ref _subscribers).Length != 0;

    /// <summary>Opens a stream; dispose it to close.</summary>
    public Subscriber Subscribe()
    {
        var subscriber = new Subscriber(this);
        lock (_lock)
        {
            _subscribers = [.. _subscribers, subscriber];
        }

        return subscriber;
    }

    /// <summary>Sends one event (<paramref name="type"/> is the SSE event name, <paramref name="json"/> its data, one line).</summary>
    public void Publish(string type, string json)
    {
        foreach (var subscriber in Volatile.Read(ref _subscribers))
        {
            subscriber.Offer(type, json);
        }
    }

    private void Remove(Subscriber subscriber)
    {
        lock (_lock)
        {
            _subscribers = [.. _subscribers.Where(s => !ReferenceEquals(s, subscriber))];
        }
    }

    /// <summary>One open stream's queue.</summary>
    internal sealed class Subscriber(EventHub hub) : IDisposable
    {
        private readonly Channel<(string Type, string Json)> _queue = Channel.CreateBounded<(string, string)>(new BoundedChannelOptions(QueueLimit) { FullMode = BoundedChannelFullMode.DropOldest, SingleReader = true });
        private volatile bool _lost;

        /// <summary>The queued events.</summary>
        public ChannelReader<(string Type, string Json)> Reader => _queue.Reader;

        /// <summary>True (once) when events were dropped since the last call.</summary>
        public bool TakeLost()
        {
            bool lost = _lost;
            _lost = false;
            return lost;
        }

        /// <inheritdoc />
        public void Dispose()
        {
            hub.Remove(this);
            _queue.Writer.TryComplete();
        }

        internal void Offer(string type, string json)
        {
            if (_queue.Reader.Count >= QueueLimit)
            {
                _lost = true;
            }

            _queue.Writer.TryWrite((type, json));
        }
    }
}
