using EmailRelay.Events;

namespace EmailRelay.Hosting;

/// <summary>
/// Turns a unit's forwarding events into admin <c>notify</c> lines and the OUT counters of its
/// <see cref="RelayControl"/> (reference §h), in E-MailRelay's order: <c>client: forward: start: &lt;reason&gt;</c>,
/// <c>network: out: start</c>, <c>client: connecting: &lt;addr&gt;</c>, <c>client: sending: &lt;id&gt;</c>,
/// <c>client: connected: &lt;addr&gt;</c>, <c>client: sent: &lt;id&gt;</c> (or <c>client: failed: &lt;id&gt;
/// &lt;reason&gt;</c>), <c>network: out: stop</c>, <c>client: forward: end</c>. A connection kept open after a run
/// counts as finished at the run's end (E-MailRelay closes it there); one closed outside a run (<c>--immediate</c>)
/// when it closes.
/// </summary>
internal sealed class AdminEventSubscriber(RelayControl control) : IRelayEventObserver
{
    private readonly Lock _lock = new();
    private int _open; // upstream connections counted as started and not yet as finished, under _lock

    /// <inheritdoc />
    public void OnEvent(in RelayEvent relayEvent)
    {
        if (relayEvent.Service != RelayService.Forwarder)
        {
            return;
        }

        lock (_lock)
        {
            // The notify lines are built only while an admin client listens; the counters always count.
            var notify = control.HasSubscribers;
            switch (relayEvent.Kind)
            {
                case RelayEventKind.ForwardingStarted when notify:
                    control.Publish("client", "forward", "start", relayEvent.Text);
                    break;
                case RelayEventKind.UpstreamConnecting:
                    _open++;
                    control.OutStarted();
                    if (notify)
                    {
                        control.Publish("client", "connecting", relayEvent.Text);
                    }

                    break;
                case RelayEventKind.Sending when notify:
                    control.Publish("client", "sending", relayEvent.MessageId.Value);
                    break;
                case RelayEventKind.UpstreamConnected when notify:
                    control.Publish("client", "connected", relayEvent.Text);
                    break;
                case RelayEventKind.Delivered when notify:
                    control.Publish("client", "sent", relayEvent.MessageId.Value);
                    break;
                case RelayEventKind.Failed when notify:
                    control.Publish("client", "failed", relayEvent.MessageId.Value, relayEvent.Text);
                    break;
                case RelayEventKind.UpstreamClosed when _open > 0:
                    _open--;
                    control.OutFinished();
                    break;
                case RelayEventKind.ForwardingEnded:
                    for (; _open > 0; _open--)
                    {
                        control.OutFinished();
                    }

                    if (notify)
                    {
                        control.Publish("client", "forward", "end");
                    }

                    break;
            }
        }
    }
}
