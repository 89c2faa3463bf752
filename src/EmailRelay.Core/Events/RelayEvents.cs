using System.Net;
using EmailRelay.Protocol.Mail;

namespace EmailRelay.Events;

/// <summary>
/// One unit's typed event stream (sessions, messages, forwarding runs, deliveries, filters, auth, TLS), apart from
/// its log. Producers call the raise methods, which take only values the producer already holds and return at once
/// when nobody is subscribed: with no subscriber, raising allocates nothing and formats nothing. Subscribers are
/// called synchronously, in order, on the producer's thread (see <see cref="IRelayEventObserver"/>). Subscribing
/// and unsubscribing are safe at any time; an event raised meanwhile goes to the old or the new set.
/// </summary>
public sealed class RelayEvents
{
    private readonly Lock _lock = new();
    private volatile IRelayEventObserver[] _observers = [];

    /// <summary>Whether anyone listens (producers may test it before work done only for events).</summary>
    public bool IsEnabled => _observers.Length != 0;

    /// <summary>Adds a subscriber until the returned handle is disposed.</summary>
    public IDisposable Subscribe(IRelayEventObserver observer)
    {
        ArgumentNullException.ThrowIfNull(observer);
        lock (_lock)
        {
            _observers = [.. _observers, observer];
        }

        return new Subscription(this, observer);
    }

    /// <summary>Sends <paramref name="relayEvent"/> to every subscriber.</summary>
    public void Publish(in RelayEvent relayEvent)
    {
        foreach (var observer in _observers)
        {
            observer.OnEvent(relayEvent);
        }
    }

    /// <summary>Raises <see cref="RelayEventKind.SessionOpened"/>; <paramref name="local"/> is the address the client connected to, when known.</summary>
    public void SessionOpened(RelayService service, long connectionId, EndPoint? remote, EndPoint? local = null)
    {
        if (IsEnabled)
        {
            Publish(new RelayEvent(RelayEventKind.SessionOpened, service) { ConnectionId = connectionId, Remote = remote, Local = local });
        }
    }

    /// <summary>Raises <see cref="RelayEventKind.SessionClosed"/>.</summary>
    public void SessionClosed(RelayService service, long connectionId, EndPoint? remote, string outcome)
    {
        if (IsEnabled)
        {
            Publish(new RelayEvent(RelayEventKind.SessionClosed, service) { ConnectionId = connectionId, Remote = remote, Text = outcome });
        }
    }

    /// <summary>Raises <see cref="RelayEventKind.MessageReceived"/>.</summary>
    public void MessageReceived(long connectionId, MessageId id, long size)
    {
        if (IsEnabled)
        {
            Publish(new RelayEvent(RelayEventKind.MessageReceived, RelayService.Smtp) { ConnectionId = connectionId, MessageId = id, Size = size });
        }
    }

    /// <summary>Raises <see cref="RelayEventKind.ForwardingStarted"/>.</summary>
    public void ForwardingStarted(string reason)
    {
        if (IsEnabled)
        {
            Publish(new RelayEvent(RelayEventKind.ForwardingStarted, RelayService.Forwarder) { Text = reason });
        }
    }

    /// <summary>Raises <see cref="RelayEventKind.ForwardingEnded"/>.</summary>
    public void ForwardingEnded(long delivered, string error)
    {
        if (IsEnabled)
        {
            Publish(new RelayEvent(RelayEventKind.ForwardingEnded, RelayService.Forwarder) { Size = delivered, Text = error });
        }
    }

    /// <summary>Raises one of the upstream connection kinds.</summary>
    public void Upstream(RelayEventKind kind, string address)
    {
        if (IsEnabled)
        {
            Publish(new RelayEvent(kind, RelayService.Forwarder) { Text = address });
        }
    }

    /// <summary>Raises <see cref="RelayEventKind.Sending"/> or <see cref="RelayEventKind.Delivered"/>.</summary>
    public void Message(RelayEventKind kind, MessageId id)
    {
        if (IsEnabled)
        {
            Publish(new RelayEvent(kind, RelayService.Forwarder) { MessageId = id });
        }
    }

    /// <summary>Raises <see cref="RelayEventKind.Deferred"/> or <see cref="RelayEventKind.Failed"/>.</summary>
    public void Settled(RelayEventKind kind, MessageId id, int code, string reason)
    {
        if (IsEnabled)
        {
            Publish(new RelayEvent(kind, RelayService.Forwarder) { MessageId = id, Code = code, Text = reason });
        }
    }

    /// <summary>Raises <see cref="RelayEventKind.FilterRun"/>.</summary>
    public void FilterRun(RelayService service, MessageId id, string result, TimeSpan elapsed)
    {
        if (IsEnabled)
        {
            Publish(new RelayEvent(RelayEventKind.FilterRun, service) { MessageId = id, Text = result, Elapsed = elapsed });
        }
    }

    /// <summary>Raises <see cref="RelayEventKind.AuthSucceeded"/>, <see cref="RelayEventKind.AuthFailed"/> or <see cref="RelayEventKind.TlsEstablished"/>.</summary>
    public void Connection(RelayEventKind kind, RelayService service, long connectionId, string text)
    {
        if (IsEnabled)
        {
            Publish(new RelayEvent(kind, service) { ConnectionId = connectionId, Text = text });
        }
    }

    private void Unsubscribe(IRelayEventObserver observer)
    {
        lock (_lock)
        {
            var index = Array.IndexOf(_observers, observer);
            if (index >= 0)
            {
                _observers = [.. _observers[..index], .. _observers[(index + 1)..]];
            }
        }
    }

    private sealed class Subscription(RelayEvents owner, IRelayEventObserver observer) : IDisposable
    {
        private int _disposed;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) == 0)
            {
                owner.Unsubscribe(observer);
            }
        }
    }
}
